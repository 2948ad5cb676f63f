"""Value parsers: numbers in every Amazon format, dates, flags, text."""

import numpy as np
import pandas as pd
import pytest

from opsanalysis.io.numeric import CellError, decimal_evidence, parse_numbers
from opsanalysis.io.parse import parse_boolean, parse_dates, parse_text


def text(*values):
    return pd.Series(list(values), dtype="str")


@pytest.mark.parametrize(("cell", "decimal", "value", "currency"), [
    ("$5,216.29", ".", 5216.29, "USD"),
    ("£12,897.84", ".", 12897.84, "GBP"),
    ("1.999,55 €", ",", 1999.55, "EUR"),
    ("￥1,234", ".", 1234.0, "JPY"),
    ("USD 58.89", ".", 58.89, "USD"),
    ("Rs.1000.0", ".", 1000.0, "INR"),
    ("$0.5566667000000001", ".", 0.5566667000000001, "USD"),
    ("-$3.00", ".", -3.0, "USD"),
    ("($12.50)", ".", -12.5, "USD"),
    ("1\u202f234,56 €", ",", 1234.56, "EUR"),
    ("1 234,56", ",", 1234.56, None),
    ("3,395", ".", 3395.0, None),
    ("1.234.567", ",", 1234567.0, None),
])
def test_money_and_numbers(cell, decimal, value, currency):
    result = parse_numbers(text(cell, "0"), decimal)
    assert result.values.iloc[0] == pytest.approx(value)
    assert result.values.iloc[1] == 0
    assert list(result.currencies) == ([currency] if currency else [])


def test_percent_strings_become_fractions():
    result = parse_numbers(text("4.51%", "100.00%", "300.00%", "0.38%"), ".")
    assert result.values.tolist() == pytest.approx([0.0451, 1.0, 3.0, 0.0038])
    assert result.percent.all()
    german = parse_numbers(text("16,40%"), ",")
    assert german.values.iloc[0] == pytest.approx(0.164)


def test_percent_fractions_are_the_nearest_double():
    cells = ["98.33%", "11.40%", "4.51%", "0.07%", "57.14%"]
    result = parse_numbers(text(*cells), ".")
    assert result.values.tolist() == [0.9833, 0.114, 0.0451, 0.0007, 0.5714]


def test_blanks_and_infinite():
    result = parse_numbers(text("", " ", "-", "N/A", None, "12"), ".")
    assert result.values.isna().sum() == 5
    assert result.values.iloc[5] == 12
    infinite = parse_numbers(text("Infinite", "2.5", "365+"), ".", allow_infinite=True)
    assert np.isinf(infinite.values.iloc[0]) and infinite.values.iloc[2] == 365
    with pytest.raises(CellError):
        parse_numbers(text("Infinite"), ".")


def test_object_cells_from_xlsx_mix_numbers_and_text():
    series = pd.Series([0.25, 3, "$1.50", None], dtype=object)
    assert parse_numbers(series, ".").values.tolist()[:3] == [0.25, 3.0, 1.5]


def test_errors_point_at_the_first_bad_cell():
    with pytest.raises(CellError) as caught:
        parse_numbers(text("1", "2", "two", "4"), ".")
    assert caught.value.position == 2 and caught.value.value == "two"
    with pytest.raises(CellError) as caught:
        parse_numbers(text("1,234.5", "1,23"), ".")  # "1,23" cannot be US thousands
    assert caught.value.position == 1


def test_decimal_evidence():
    assert decimal_evidence(text("$1,234.50", "$3.00")) == {"."}
    assert decimal_evidence(text("1.234,50 €")) == {","}
    assert decimal_evidence(text("1,234", "1.234")) == set()  # ambiguous alone
    assert decimal_evidence(text("1.234,50", "1,234.50")) == {".", ","}
    assert decimal_evidence(text("0.123", "1.250")) == {"."}  # a group never starts with 0
    with pytest.raises(CellError):
        parse_numbers(text("0.123"), ",")  # never silently 123


@pytest.mark.parametrize(("cells", "order", "expected"), [
    (["11/10/2019", "12/01/2017"], "MDY", ["2019-11-10", "2017-12-01"]),
    (["31/10/2026", "01/11/2026"], "MDY", ["2026-10-31", "2026-11-01"]),
    (["01/11/2026"], "DMY", ["2026-11-01"]),
    (["31.10.26", "01.11.2026"], "DMY", ["2026-10-31", "2026-11-01"]),
    (["2026/01/01"], "YMD", ["2026-01-01"]),
    (["Dec 1, 2019", "Nov 30, 2019"], "MDY", ["2019-12-01", "2019-11-30"]),
    (["07-Sep-2019"], "MDY", ["2019-09-07"]),
    (["11/13/18"], "MDY", ["2018-11-13"]),
    (["2019-11-20"], "MDY", ["2019-11-20"]),
    (["2026年1月31日"], "YMD", ["2026-01-31"]),
])
def test_date_formats(cells, order, expected):
    result = parse_dates(text(*cells), date_order=order)
    assert result.values.tolist() == [pd.Timestamp(day) for day in expected]
    assert str(result.values.dtype) == "datetime64[ns]"


def test_timestamps_become_marketplace_local():
    stamps = text("2019-11-21T20:24:50+00:00", "2019-11-22T08:00:00Z")
    aware = parse_dates(stamps, timezone="America/Los_Angeles", aware=True).values
    assert str(aware.dt.tz) == "America/Los_Angeles"
    assert aware.iloc[0] == pd.Timestamp("2019-11-21T20:24:50Z")
    # a date column holding timestamps gives the local calendar date
    local = parse_dates(text("2019-12-16T08:00:00+00:00"), timezone="America/Los_Angeles")
    assert local.values.iloc[0] == pd.Timestamp("2019-12-16")
    tokyo = parse_dates(text("2019-12-16T20:00:00+00:00"), timezone="Asia/Tokyo")
    assert tokyo.values.iloc[0] == pd.Timestamp("2019-12-17")


def test_excel_dates_and_serials():
    series = pd.Series([pd.Timestamp("2019-12-01"), pd.Timestamp("2019-12-02")])
    assert parse_dates(series).values.iloc[1] == pd.Timestamp("2019-12-02")
    serials = pd.Series([43800.0])
    assert parse_dates(serials).values.iloc[0] == pd.Timestamp("2019-12-01")


def test_booleans():
    assert parse_boolean(text("Yes", "No", "Y", "N", "true", "FALSE", "", None)).tolist() == \
        [True, False, True, False, True, False, pd.NA, pd.NA]
    with pytest.raises(CellError):
        parse_boolean(text("Yes", "perhaps"))


def test_text_cells_trim_every_kind_of_space():
    cells = text("a ", "\u00a0b", "c\u202f", "\u3000d", "e\t", "f", "バスマット", "£1")
    assert parse_text(cells).tolist() == ["a", "b", "c", "d", "e", "f", "バスマット", "£1"]


def test_text_cells():
    result = parse_text(text(" Mat &quot;grey&quot; ", " ", "=HYPERLINK(\"x\")", "A & B"))
    assert result.iloc[0] == 'Mat "grey"'
    assert pd.isna(result.iloc[1])
    assert result.iloc[2] == '=HYPERLINK("x")'
    assert result.iloc[3] == "A & B"


def test_repeated_cells_are_parsed_once_but_errors_name_the_first_cell():
    # Cells are parsed per distinct text: the error and the currency still point at the
    # earliest cell holding them.
    cells = text("1", "$2.00", None, "$2.00", "two", "1", "two")
    with pytest.raises(CellError) as caught:
        parse_numbers(cells, ".")
    assert caught.value.position == 4 and caught.value.value == "two"
    result = parse_numbers(text("5", None, "£1.50", "£1.50", "5"), ".")
    assert result.values.tolist()[2:] == [1.5, 1.5, 5.0] and pd.isna(result.values.iloc[1])
    assert result.currencies == {"GBP": 2}


def test_percent_mask_follows_each_cell():
    result = parse_numbers(text("12%", "0.5", None, "12%"), ".")
    assert result.percent.tolist() == [True, False, False, True]
    assert result.values.tolist()[:2] == [0.12, 0.5]


@pytest.mark.parametrize(("cells", "expected"), [
    (["Sept 1, 2019", "Sep 2, 2019"], ["2019-09-01", "2019-09-02"]),
    (["December 1, 2019", "Dec 2, 2019"], ["2019-12-01", "2019-12-02"]),
    (["1 December 2019", "2 Dec 2019"], ["2019-12-01", "2019-12-02"]),
])
def test_month_names_in_any_spelling(cells, expected):
    result = parse_dates(text(*cells))
    assert result.values.tolist() == [pd.Timestamp(day) for day in expected]


def test_repeated_and_missing_dates():
    result = parse_dates(text("10/02/2026", None, " ", "10/02/2026", "10/31/2026"))
    values = result.values
    assert values.iloc[0] == values.iloc[3] == pd.Timestamp("2026-10-02")
    assert values.iloc[1:3].isna().all() and values.iloc[4] == pd.Timestamp("2026-10-31")
    with pytest.raises(CellError) as caught:
        parse_dates(text("10/02/2026", "soon", "10/02/2026", "soon"))
    assert caught.value.position == 1


@pytest.mark.parametrize("marketplace, cell, expected", [
    ("AU", "$874.75", "AUD"),    # amazon.com.au shows its own dollars as "$"
    ("CA", "$12.00", "CAD"),
    ("MX", "-$5.00", "MXN"),
    ("US", "$1.00", "USD"),
    ("AU", "US$3.00", "USD"),    # a longer symbol names another currency
    ("UK", "$1.00", "USD"),      # "$" is not the pound marketplace's own symbol
])
def test_a_bare_symbol_is_the_marketplace_currency_where_the_marketplace_shows_it(
        tmp_path, marketplace, cell, expected):
    from opsanalysis.io import read_report

    path = tmp_path / "BusinessReport-11-19-19.csv"
    date = "2019-11-17" if marketplace == "US" else "17/11/2019"
    path.write_text("Date,Ordered Product Sales,Units Ordered,Sessions - Total\n"
                    f'{date},"{cell}",1,3\n', encoding="utf-8")
    frame = read_report(path, marketplace=marketplace)
    assert frame["currency"].unique().tolist() == [expected]

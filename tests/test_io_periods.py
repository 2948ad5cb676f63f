"""Periods of Business Reports by ASIN: file-name range, one-day name, periods.yaml, the error."""

import pandas as pd
import pytest

from opsanalysis.io import PeriodError, load_marketplace, read_report, schema
from opsanalysis.io.marketplace_data import read_periods
from opsanalysis.io.report import parse_period

COLUMNS = ["parent_asin", "child_asin", "sku", "sessions", "units_ordered",
           "ordered_product_sales"]


def by_asin_csv(units="3"):
    """A UK Business Report by child ASIN, as downloaded (en-GB headers, BOM)."""
    header = ",".join(f'"{schema.header_for("business_report_asin", name, "en-GB")}"'
                      for name in COLUMNS)
    return f'{header}\n"B0P","B0C","MAT","40","{units}","£30.00"\n'


def write(folder, name, text=None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(by_asin_csv() if text is None else text, encoding="utf-8-sig")
    return folder / name


def period_of(frame):
    return frame["period_start"].iloc[0], frame["period_end"].iloc[0]


def day(text):
    return pd.Timestamp(text)


def test_range_in_the_file_name(tmp_path):
    frame = read_report(write(tmp_path, "BusinessReport_2025-07-01_2025-07-31.csv"))
    assert period_of(frame) == (day("2025-07-01"), day("2025-07-31"))
    assert frame.attrs["period"] == (day("2025-07-01"), day("2025-07-31"))


@pytest.mark.parametrize("name", ["fs_uk_br_child_asin_2025-07-23.csv",
                                  "BusinessReport_2025-07-23.csv.gz"])
def test_one_day_name(tmp_path, name):
    path = tmp_path / name
    if name.endswith(".gz"):
        import gzip
        path.write_bytes(gzip.compress(by_asin_csv().encode("utf-8-sig")))
    else:
        write(tmp_path, name)
    frame = read_report(path)
    assert period_of(frame) == (day("2025-07-23"), day("2025-07-23"))


def test_one_day_name_of_the_real_uk_report(amazon_samples_dir):
    frame = read_report(amazon_samples_dir / "fs_uk_br_child_asin_2025-07-23.csv",
                        marketplace="UK")
    assert len(frame) == 197
    assert period_of(frame) == (day("2025-07-23"), day("2025-07-23"))
    assert frame["period_start"].nunique() == 1


def test_a_date_inside_the_name_is_not_a_period(tmp_path):
    # a download date in the middle of Amazon's own name says nothing about the period
    with pytest.raises(PeriodError):
        read_report(write(tmp_path, "BusinessReport_2025-07-23_v2.csv"))


def test_the_error_names_all_three_ways_in_the_files_own_terms(tmp_path):
    path = write(tmp_path, "BusinessReport-7-24-25.csv")
    with pytest.raises(PeriodError) as caught:
        read_report(path)
    message = str(caught.value)
    assert str(path) in message
    assert "BusinessReport-7-24-25_YYYY-MM-DD_YYYY-MM-DD.csv" in message  # range
    assert "BusinessReport-7-24-25_YYYY-MM-DD.csv" in message              # one day
    assert "BusinessReport-7-24-25.csv: [YYYY-MM-DD, YYYY-MM-DD]" in message
    assert "periods.yaml" in message
    assert "read_report(path, period=" in message  # Python only, said last
    assert message.index("periods.yaml") < message.index("read_report(")
    assert "2026" not in message and "2025" not in message  # no sample dates


def test_periods_yaml_beside_the_files(tmp_path):
    folder = tmp_path / "UK"
    write(folder, "BusinessReport-10-31-25.csv")
    write(folder / "july", "BusinessReport-7-24-25.csv")
    write(folder / "july", "BusinessReport-7-21-25.csv")
    write(folder / "july", "week.csv")
    write(folder / "july", "named_2025-06-01_2025-06-30.csv")
    (folder / "periods.yaml").write_text(
        "BusinessReport-10-31-25.csv: [2025-10-01, 2025-10-31]\n"
        "gone.csv: [2025-09-01, 2025-09-30]\n", encoding="utf-8")
    (folder / "july" / "periods.yaml").write_text(
        '# one day, a mapping, a "first_last" string, and an override of the name\n'
        'BusinessReport-7-24-25.csv: "2025-07-23"\n'
        "BusinessReport-7-21-25.csv: {first: 2025-07-14, last: 2025-07-20}\n"
        'week.csv: "2025-07-07_2025-07-13"\n'
        "named_2025-06-01_2025-06-30.csv: [2025-06-02, 2025-06-29]\n", encoding="utf-8")
    data = load_marketplace(tmp_path, "UK")
    summary = data.summary.set_index("file")
    assert (summary.loc[[name for name in summary.index if name.endswith(".csv")], "status"]
            == "ok").all()
    assert summary.loc["periods.yaml", "status"] == "skipped"
    assert "periods of 2 report file(s)" in summary.loc["periods.yaml", "message"]
    spans = {(start, end) for start, end in
             data["business_report_asin"][["period_start", "period_end"]].itertuples(index=False)}
    assert spans == {(day("2025-10-01"), day("2025-10-31")), (day("2025-07-23"), day("2025-07-23")),
                     (day("2025-07-14"), day("2025-07-20")), (day("2025-07-07"), day("2025-07-13")),
                     (day("2025-06-02"), day("2025-06-29"))}
    row = summary.loc["BusinessReport-10-31-25.csv"]
    assert (row["period_start"], row["period_end"]) == (day("2025-10-01"), day("2025-10-31"))
    assert any("lists 'gone.csv'" in warning for warning in data.warnings)


def test_a_wrong_periods_yaml_entry_is_an_error_naming_the_entry(tmp_path):
    folder = tmp_path / "UK"
    write(folder, "BusinessReport-10-31-25.csv")
    periods = folder / "periods.yaml"
    periods.write_text("BusinessReport-10-31-25.csv: [2025-10-31, 2025-10-01]\n",
                       encoding="utf-8")
    data = load_marketplace(tmp_path, "UK")
    summary = data.summary.set_index("file")
    assert summary.loc["periods.yaml", "status"] == "error"
    message = summary.loc["periods.yaml", "message"]
    assert str(periods) in message and "'BusinessReport-10-31-25.csv'" in message
    assert "ends before it starts" in message
    # the report itself then has no period, and says how to give one
    assert "three ways" in summary.loc["BusinessReport-10-31-25.csv", "message"]
    with pytest.raises(PeriodError, match="ends before it starts"):
        load_marketplace(tmp_path, "UK", strict=True)


@pytest.mark.parametrize("text", ["- a\n- b\n", "x.csv: [2025-10-01, 2025-10-02, 2025-10-03]\n",
                                  "x.csv: soon\n", "x.csv: [\n"])
def test_read_periods_rejects_what_is_not_a_period(tmp_path, text):
    path = tmp_path / "periods.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PeriodError) as caught:
        read_periods(path)
    assert str(path) in str(caught.value)


def test_read_periods_known_answers(tmp_path):
    path = tmp_path / "periods.yaml"
    path.write_text('a.csv: ["2025-10-01", "2025-10-31"]\nb.csv: 2025-07-23\n'
                    "c.csv: {start: 2025-07-14, end: 2025-07-20}\n", encoding="utf-8")
    assert read_periods(path) == {
        tmp_path / "a.csv": (day("2025-10-01"), day("2025-10-31")),
        tmp_path / "b.csv": (day("2025-07-23"), day("2025-07-23")),
        tmp_path / "c.csv": (day("2025-07-14"), day("2025-07-20")),
    }
    path.write_text("", encoding="utf-8")
    assert read_periods(path) == {}


@pytest.mark.parametrize("given, expected", [
    (("2025-10-01", "2025-10-31"), ("2025-10-01", "2025-10-31")),
    ("2025-10-01_2025-10-31", ("2025-10-01", "2025-10-31")),
    ("2025-10-01..2025-10-31", ("2025-10-01", "2025-10-31")),
    ("2025-07-23", ("2025-07-23", "2025-07-23")),
    (pd.Timestamp("2025-07-23 15:00"), ("2025-07-23", "2025-07-23")),
])
def test_parse_period(given, expected):
    assert parse_period(given) == (day(expected[0]), day(expected[1]))


@pytest.mark.parametrize("given", ["", "soon", ("2025-10-31", "2025-10-01"), (None, None)])
def test_parse_period_errors(given):
    with pytest.raises(PeriodError):
        parse_period(given, "x.csv")


def test_read_report_accepts_one_day_period(tmp_path):
    frame = read_report(write(tmp_path, "BusinessReport.csv"), period="2025-07-23")
    assert period_of(frame) == (day("2025-07-23"), day("2025-07-23"))

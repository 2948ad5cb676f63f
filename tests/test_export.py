"""Report tables: formula-injection safety end to end, CJK in Excel, no overwrite, HTML escape."""

import csv

import openpyxl
import pandas as pd
import pytest

from opsanalysis import export
from opsanalysis.labels import label

PAYLOADS = [
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]


@pytest.fixture
def hostile_table():
    """Search terms typed by shoppers, one safe text, one CJK title, numbers of every sign."""
    return pd.DataFrame({
        "customer_search_term": [*PAYLOADS, "phone case", "手机壳 防摔"],
        "spend": [-1.5, 2.0, -0.25, 3.0, 0.0, -7.0, 1.0, 4.5, -12.0],
        "orders": pd.array([1, -2, 3, 4, 5, 6, 7, 8, 9], dtype="Int64"),
        "note": ["-12.5", "+3", "1,234", None, "ok", "-", "=", "a-b", "@"],
    })


def _read_csv_cells(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_neutralise_formula_cases():
    assert export.neutralise_formula("=1+1") == "'=1+1"
    assert export.neutralise_formula("@x") == "'@x"
    assert export.neutralise_formula("\tx") == "'\tx"
    assert export.neutralise_formula("-2+3") == "'-2+3"
    assert export.neutralise_formula("-12.5") == "-12.5"  # a plain number is not a formula
    assert export.neutralise_formula("+1e5") == "+1e5"
    assert export.neutralise_formula("safe - text") == "safe - text"
    assert export.neutralise_formula(-3.0) == -3.0
    assert export.neutralise_formula(None) is None


def test_csv_has_bom_and_no_live_formula(tmp_path, hostile_table):
    paths = export.write_tables({"search_terms": hostile_table}, tmp_path, language="en")
    csv_path = paths[0]
    assert csv_path.name == "search_terms.csv"
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel needs the BOM for CJK
    rows = _read_csv_cells(csv_path)
    header, body = rows[0], rows[1:]
    assert header[:3] == [label("customer_search_term"), label("spend"), label("orders")]
    assert len(body) == len(hostile_table)
    term = 0
    for row, payload in zip(body, PAYLOADS, strict=False):
        assert row[term] == "'" + payload
    assert body[-1][term] == "手机壳 防摔"
    for row in body:
        for cell in row:
            if cell.startswith(export.FORMULA_PREFIXES):
                assert export._PLAIN_NUMBER.fullmatch(cell), f"live formula in CSV: {cell!r}"
    assert [float(row[1]) for row in body] == hostile_table["spend"].tolist()


def test_xlsx_keeps_numbers_numeric_and_text_inert(tmp_path, hostile_table):
    paths = export.write_tables({"search_terms": hostile_table}, tmp_path, stem="ads")
    assert [p.name for p in paths] == ["ads_search_terms.csv", "ads.xlsx"]
    sheet = openpyxl.load_workbook(paths[1])["search_terms"]
    rows = list(sheet.iter_rows())
    spend_col, orders_col = 1, 2
    for row in rows[1:]:
        assert all(cell.data_type != "f" for cell in row), "a formula reached the workbook"
        assert row[spend_col].data_type == "n"
        assert row[orders_col].data_type == "n"
    assert rows[1][spend_col].value == -1.5
    assert rows[2][orders_col].value == -2
    assert rows[1][0].value == "'" + PAYLOADS[0]
    assert rows[-1][0].value == "手机壳 防摔"


def test_headers_translated_to_chinese(tmp_path):
    table = pd.DataFrame({"sessions": [1], "units_ordered": [2], "not_a_label_key": [3]})
    paths = export.write_tables({"t": table}, tmp_path, language="zh")
    expected = [label("sessions", "zh"), label("units_ordered", "zh"), "not_a_label_key"]
    assert all("\u4e00" <= text[0] <= "\u9fff" for text in expected[:2])  # really Chinese
    assert _read_csv_cells(paths[0])[0] == expected
    sheet = openpyxl.load_workbook(paths[1])["t"]
    assert [cell.value for cell in sheet[1]] == expected


def test_headers_are_neutralised_too(tmp_path):
    table = pd.DataFrame({"=evil()": [1], "ok": ["x"]})
    paths = export.write_tables({"t": table}, tmp_path)
    assert _read_csv_cells(paths[0])[0][0] == "'=evil()"


def test_never_overwrites(tmp_path, hostile_table):
    export.write_tables({"a": hostile_table}, tmp_path)
    before = (tmp_path / "a.csv").read_bytes()
    with pytest.raises(FileExistsError):
        export.write_tables({"a": hostile_table.head(1)}, tmp_path)
    assert (tmp_path / "a.csv").read_bytes() == before
    # a new table alone would still collide on the workbook: nothing may be half-written
    with pytest.raises(FileExistsError):
        export.write_tables({"b": hostile_table}, tmp_path)
    assert not (tmp_path / "b.csv").exists()


def test_sheet_names_are_short_unique_and_valid(tmp_path):
    tables = {
        "replenishment_plan_by_sku_and_fulfilment_centre": pd.DataFrame({"x": [1]}),
        "replenishment_plan_by_sku_and_fulfilment_region": pd.DataFrame({"x": [2]}),
        "what/if?": pd.DataFrame({"x": [3]}),
    }
    paths = export.write_tables(tables, tmp_path)
    names = openpyxl.load_workbook(paths[-1]).sheetnames
    assert len(names) == 3 and len(set(names)) == 3
    assert all(len(name) <= 31 for name in names)
    assert names[2] == "what_if_"


def test_dates_index_and_timezones(tmp_path):
    stamps = pd.to_datetime(["2026-10-30 23:30", "2026-10-31 08:00"]).tz_localize(
        "America/Los_Angeles")
    table = pd.DataFrame({"purchase_date": stamps, "units": [1, 2]},
                         index=pd.Index(["SKU-1", "=SKU"], name="sku"))
    paths = export.write_tables({"orders": table}, tmp_path)
    rows = _read_csv_cells(paths[0])
    assert rows[0] == [label("sku"), label("purchase_date"), label("units")]
    assert rows[2][0] == "'=SKU"
    sheet = openpyxl.load_workbook(paths[1])["orders"]
    assert sheet["B2"].value == pd.Timestamp("2026-10-30 23:30").to_pydatetime()


def test_empty_or_oversized_tables_rejected(tmp_path):
    with pytest.raises(ValueError):
        export.write_tables({}, tmp_path)
    huge = pd.DataFrame({"x": range(export.EXCEL_MAX_ROWS)})
    with pytest.raises(ValueError, match="Excel"):
        export.write_tables({"huge": huge}, tmp_path)
    assert not any(tmp_path.iterdir())


def test_to_html_escapes_text():
    table = pd.DataFrame({"<b>term</b>": ["<script>alert(1)</script>", "a & b"], "n": [1, 2]})
    rendered = export.to_html(table)
    assert "<script>" not in rendered and "<b>term" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "a &amp; b" in rendered


@pytest.fixture
def margins_with_unknowns():
    """A landed-margin table: B's storage is unknown, C's gap is a real blank (no reason)."""
    return pd.DataFrame({
        "sku": ["A", "B", "C"], "storage": [0.25, float("nan"), float("nan")],
        "unit_margin": [-1.5, float("nan"), 2.0],
        "not_estimated_reason": ["", "no FBA storage fee table for DE on 2026-10-31", ""],
    })


def test_unknown_money_cells_read_not_estimated(tmp_path, margins_with_unknowns):
    marked = export.mark_not_estimated(margins_with_unknowns, "en")
    assert marked.loc[1, "storage"] == "not estimated" == marked.loc[1, "unit_margin"]
    assert marked.loc[0, "storage"] == 0.25 and pd.isna(marked.loc[2, "storage"])
    export.write_tables({"margins": margins_with_unknowns}, tmp_path, language="zh")
    rows = _read_csv_cells(tmp_path / "margins.csv")
    assert rows[2][1] == label("not_estimated", "zh") and rows[3][1] == ""
    sheet = openpyxl.load_workbook(tmp_path / "tables.xlsx")["margins"]
    assert sheet["B2"].value == 0.25 and sheet["C2"].value == -1.5  # numbers stay numbers
    assert sheet["B3"].value == label("not_estimated", "zh")
    html = export.to_html(margins_with_unknowns)
    assert html.count("not estimated") == 2


def test_tables_without_a_reason_column_are_untouched(hostile_table):
    assert export.mark_not_estimated(hostile_table, "en").equals(hostile_table)

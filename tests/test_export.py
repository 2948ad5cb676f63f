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
    assert names[0] == label("workbook_about")  # the first sheet says what the others hold
    assert len(names) == 4 and len(set(names)) == 4
    assert all(len(name) <= 31 for name in names)
    assert names[3] == "what_if_"


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


@pytest.fixture
def plan_table():
    """A replenishment-like table: every number kind, a date, a status code and CJK text."""
    return pd.DataFrame({
        "sku": ["A-1", "B-2", "C-3"],
        "status": ["order_now", "reorder_soon", "in_stock"],
        "order_qty": pd.array([120, 0, 35], dtype="Int64"),
        "order_cost": [1234.5, 0.0, 99.99],
        "fill_rate": [0.123, 0.5, 1.0],
        "days_of_cover_now": [27.40820348437025, 3.5, 90.0],
        "order_by": pd.to_datetime(["2026-11-03", "2026-11-10", None]),
        "x_cjk": ["手机壳防摔手机壳防摔", "a", "b"],
        "x_ascii": ["abcdefghij", "a", "b"],
    })


def _sheet_columns(sheet):
    return {cell.value: cell.column_letter for cell in sheet[1]}


def test_data_sheets_have_frozen_header_filter_formats_and_typed_values(tmp_path, plan_table):
    paths = export.write_tables({"plan": plan_table}, tmp_path, stem="r", currency="USD")
    sheet = openpyxl.load_workbook(paths[-1])["plan"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:I4"
    letters = _sheet_columns(sheet)
    expected = {"order_qty": "#,##0", "order_cost": "#,##0.00", "fill_rate": "0.0%",
                "days_of_cover_now": "#,##0.0", "order_by": "yyyy-mm-dd"}
    for column, number_format in expected.items():
        cells = sheet[letters[label(column)]][1:]
        assert {cell.number_format for cell in cells if cell.value is not None} == {
            number_format}, column
    fill_rate = [c.value for c in sheet[letters[label("fill_rate")]][1:]]
    assert fill_rate == [0.123, 0.5, 1.0]  # fractions with a percent format, never x 100
    assert all(c.data_type == "n" for c in sheet[letters[label("order_qty")]][1:])
    order_by = sheet[letters[label("order_by")]][1]
    assert order_by.is_date and order_by.value == pd.Timestamp("2026-11-03").to_pydatetime()
    assert sheet[letters[label("order_by")]][3].value is None  # missing date: empty, not text
    assert sheet[letters[label("days_of_cover_now")]][1].value == 27.40820348437025  # as is
    # widths fitted to content, a CJK character counting two
    assert sheet.column_dimensions[letters["x_cjk"]].width == 22  # 10 x 2 + 2
    assert sheet.column_dimensions[letters["x_ascii"]].width == 12  # 10 + 2
    assert sheet.column_dimensions[letters[label("sku")]].width == 8  # at least the minimum


def test_long_text_width_is_capped(tmp_path):
    paths = export.write_tables({"t": pd.DataFrame({"x_long": ["word " * 100]})}, tmp_path)
    sheet = openpyxl.load_workbook(paths[-1])["t"]
    assert sheet.column_dimensions["A"].width == export.COLUMN_WIDTH_MAX


def _status_fills(sheet, letter):
    """Shown text -> fill colour of the conditional rules over a column."""
    fills = {}
    for rule_range in sheet.conditional_formatting:
        if not str(rule_range.sqref).startswith(f"{letter}2:"):
            continue
        for rule in rule_range.rules:
            colour = rule.dxf.fill.fgColor.rgb[-6:]
            for text in rule.formula[0][3:-1].split(","):
                fills[text.split("=", 1)[1].strip('"')] = colour
    return fills


def test_status_colours_follow_the_raw_codes_in_any_language(tmp_path, plan_table):
    for language in ("en", "zh"):
        paths = export.write_tables({"plan": plan_table}, tmp_path / language,
                                    language=language)
        sheet = openpyxl.load_workbook(paths[-1])["plan"]
        letter = _sheet_columns(sheet)[label("status", language)]
        shown = [cell.value for cell in sheet[letter][1:]]
        assert shown == [label(code, language) for code in plan_table["status"]]  # in words
        assert _status_fills(sheet, letter) == {
            label("order_now", language): "FFC7CE", label("reorder_soon", language): "FFEB9C",
            label("in_stock", language): "C6EFCE"}
    assert export.STATUS_COLOURS["stockout_risk"] == "red"
    assert export.STATUS_COLOURS["lagging"] == "red"
    assert export.STATUS_COLOURS["on_track"] == "green"
    assert export.STATUS_COLOURS["add_negative_exact"] == "red"


def test_yen_money_has_no_decimals(tmp_path):
    yen = pd.DataFrame({"sku": ["A"], "currency": ["JPY"], "sales": [123456.0], "bid": [90.0]})
    paths = export.write_tables({"yen": yen}, tmp_path / "column", currency="USD")
    sheet = openpyxl.load_workbook(paths[-1])["yen"]
    assert sheet["C2"].number_format == "#,##0" == sheet["D2"].number_format
    assert sheet["C2"].value == 123456.0
    # without a currency column the report's currency decides
    paths = export.write_tables({"yen": yen.drop(columns="currency")}, tmp_path / "metadata",
                                currency="JPY")
    assert openpyxl.load_workbook(paths[-1])["yen"]["B2"].number_format == "#,##0"
    # a table mixing currencies formats each row in its own
    mixed = pd.DataFrame({"currency": ["JPY", "USD"], "sales": [1000.0, 10.5]})
    paths = export.write_tables({"mixed": mixed}, tmp_path / "mixed")
    sheet = openpyxl.load_workbook(paths[-1])["mixed"]
    assert (sheet["B2"].number_format, sheet["B3"].number_format) == ("#,##0", "#,##0.00")


def test_first_sheet_says_what_the_workbook_holds(tmp_path, plan_table):
    from opsanalysis.ads import bulk_sheet_draft

    summary = pd.DataFrame({
        "file": ["=orders.txt", "broken.csv", "ads.xlsx"],
        "kind": ["all_orders", None, "sp_search_term"], "rows": [10, 0, 5],
        "period_start": pd.to_datetime(["2026-10-01", None, "2026-10-04"]).tz_localize("UTC"),
        "period_end": pd.to_datetime(["2026-10-31", None, "2026-10-30"]).tz_localize("UTC"),
        "status": ["ok", "error", "ok"]})
    tables = {"replenishment_plan": plan_table, "bulk_draft": bulk_sheet_draft()}
    paths = export.write_tables(tables, tmp_path, language="zh", stem="replenishment_report",
                                as_of=pd.Timestamp("2026-10-31"), marketplace="JP",
                                currency="JPY", inputs=summary,
                                run_id="20261202T034058.848582Z-40fdcf")
    workbook = openpyxl.load_workbook(paths[-1])
    about = workbook.worksheets[0]
    assert about.title == label("workbook_about", "zh")
    rows = [[cell.value for cell in row] for row in about.iter_rows()]
    assert rows[0][0] == label("workbook_title", "zh")
    assert rows[2][:2] == [label("as_of", "zh"), pd.Timestamp("2026-10-31").to_pydatetime()]
    assert about["B3"].number_format == "yyyy-mm-dd"
    assert rows[3][:2] == [label("marketplace", "zh"), "JP"]
    assert rows[4][:2] == [label("currency", "zh"), "JPY"]
    assert rows[5][:2] == [label("run_id", "zh"), "20261202T034058.848582Z-40fdcf"]
    assert rows[7][:3] == [label("sheet_name", "zh"), label("rows", "zh"),
                           label("sheet_description", "zh")]
    # one line per sheet: its name, rows and the description label, else the table's label
    assert rows[8][:3] == ["replenishment_plan", 3, label("replenishment_plan", "zh")]
    assert rows[9][:3] == ["bulk_draft", 0, label("bulk_draft_description", "zh")]
    assert workbook.sheetnames[1:] == ["replenishment_plan", "bulk_draft"]
    # the files read (status ok), formula-safe, with their periods as dates
    assert rows[11][0] == label("files_read", "zh")
    files = [row for row in rows[13:] if row[0]]
    assert [row[0] for row in files] == ["'=orders.txt", "ads.xlsx"]
    assert files[0][2:] == [10, pd.Timestamp("2026-10-01").to_pydatetime(),
                            pd.Timestamp("2026-10-31").to_pydatetime()]
    assert files[0][1] == label("all_orders", "zh")


def test_first_sheet_without_metadata(tmp_path):
    paths = export.write_tables({"t": pd.DataFrame({"x": [1]})}, tmp_path)
    about = openpyxl.load_workbook(paths[-1]).worksheets[0]
    assert about["B2"].value == "—" and about["B3"].value == "—"
    assert about["B6"].value == label("not_a_batch_run")


def test_report_context_passes_the_metadata(tmp_path):
    from opsanalysis import marketplaces
    from opsanalysis.report_context import ReportContext

    class Data:
        summary = pd.DataFrame({"file": ["a.csv"], "kind": ["all_orders"], "rows": [4],
                                "period_start": [pd.NaT], "period_end": [pd.NaT],
                                "status": ["ok"]})

    run_folder = tmp_path / "20261202T034058.848582Z-40fdcf"
    table = {"sales_by_day": pd.DataFrame({"date": pd.to_datetime(["2026-10-30"]),
                                           "sales": [4496.0]})}
    for output_dir, run_id in ((run_folder / "JP", "20261202T034058.848582Z-40fdcf"),
                               (tmp_path / "adhoc" / "JP", label("not_a_batch_run"))):
        output_dir.mkdir(parents=True)
        context = ReportContext(marketplaces.get("JP"), Data(), {}, pd.Timestamp("2026-10-31"),
                                "en", output_dir)
        paths = context.write_tables(table, stem="overview")
        workbook = openpyxl.load_workbook(paths[-1])
        about = workbook.worksheets[0]
        assert [about[f"B{row}"].value for row in (2, 4, 5, 6)] == [
            "overview", "JP", "JPY", run_id]
        assert about["A13"].value == "a.csv"  # title, 5 facts, gap, header, 1 sheet, gap, 2
        sheet = workbook["sales_by_day"]
        assert sheet["B2"].number_format == "#,##0"  # the marketplace's currency: yen
        assert sheet["A2"].number_format == "yyyy-mm-dd"

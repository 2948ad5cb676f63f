"""Marketplace overview sections: known answers on hand-made tables, and never nan/0 for absent
data (the figures themselves are tested in tests/test_overview.py)."""

from pathlib import Path

import pandas as pd
import pytest

from opsanalysis import overview
from opsanalysis import overview_sections as sections

AS_OF = pd.Timestamp("2026-10-31")
MISSING_MARKERS = ("nan", "None", "NaT", "<NA>")


def _summary(rows):
    return pd.DataFrame(rows, columns=["file", "kind", "rows", "period_start", "period_end",
                                       "status", "message"])


def _view(frames=None, summary=None, unread=None, warnings=(), as_of=AS_OF, language="en"):
    frames = frames or {}
    summary = summary if summary is not None else _summary([])
    unread = unread if unread is not None else pd.DataFrame(columns=["file", "reason"])
    headline = overview.headline_figures(frames, as_of, window_days=30)
    headline.insert(1, "metric_label", headline["metric"])
    return sections.Overview(
        code="US", domain="amazon.com", currency="USD", as_of=as_of,
        as_of_text=f"{as_of:%Y-%m-%d}" if as_of is not None else "not determined",
        language=language, window_days=30, frames=frames, summary=summary,
        found=overview.reports_found(summary, unread_files=unread["file"]), unread=unread,
        gaps=overview.coverage_gaps(frames, end=as_of), daily=overview.daily_sales(frames),
        sales=overview.sales_series(frames), headline=headline,
        warnings=sections.warning_table(list(warnings)))


def _all_text(section):
    return section.check_text() + section.html()


def test_actions_list_files_to_fix_then_days_to_fill_then_reports_to_download():
    unread = pd.DataFrame({"file": ["orders.txt"], "reason": ["missing column 'sku'"]})
    gaps = pd.DataFrame({"kind": ["all_orders"], "gap_start": [pd.Timestamp("2026-10-05")],
                         "gap_end": [pd.Timestamp("2026-10-07")],
                         "missing_days": pd.array([3], dtype="Int64")})
    frames = {"all_orders": pd.DataFrame({"date": [AS_OF]}), "sp_campaign": pd.DataFrame()}
    table = sections.actions_table(unread, gaps, frames, AS_OF)
    assert table[["action", "object", "reason"]].values.tolist() == [
        ["fix_unreadable_file", "orders.txt", "missing column 'sku'"],
        ["download_missing_days", "all_orders", "3 days missing: 2026-10-05 .. 2026-10-07"],
        ["download_report", "sp_campaign", "unlocks the headline advertising spend and ACOS"],
        ["download_report", "fba_inventory", "unlocks the headline FBA stock figures"],
    ]
    assert (table["due_by"] == pd.Timestamp("2026-11-07")).all()  # within the report's week
    shown = sections.actions_section(_view(frames, unread=unread)).check_text()
    assert "Fix or download again the file  orders.txt" in shown
    assert "SP campaign report" in shown and "sp_campaign" not in shown  # codes in words


def test_actions_in_chinese_and_without_a_report_date():
    table = sections.actions_table(pd.DataFrame(columns=["file", "reason"]),
                                   pd.DataFrame(columns=["kind", "gap_start", "gap_end",
                                                         "missing_days"]),
                                   {}, None, language="zh")
    assert table["object"].tolist() == ["all_orders", "sp_campaign", "fba_inventory"]
    assert table["reason"].iloc[0].startswith("可补全")
    assert table["due_by"].isna().all()
    section = sections.actions_section(_view(as_of=None, language="zh"))
    text = section.check_text()
    assert "全部订单" in text and "all_orders" not in text and "—" in text


def test_reports_found_counts_files_as_integers_and_statuses_in_words():
    summary = _summary([("a.txt", None, None, pd.NaT, pd.NaT, "skipped", "no known report kind"),
                        ("b.csv", "fba_inventory", 4, pd.NaT, pd.NaT, "ok", "")])
    unread = pd.DataFrame({"file": ["a.txt"], "reason": ["no known report kind"]})
    view = _view(summary=summary, unread=unread)
    assert pd.isna(view.found.set_index("kind").loc["skipped", "rows"])  # not 0
    section = sections.reports_found_section(view)
    lines = section.check_text().splitlines()
    assert lines[1] == ("US (amazon.com, USD), as of 2026-10-31: 2 files of 2 report types; "
                        "1 with problems")
    assert lines[4].split() == ["Manage", "FBA", "Inventory", "1", "4", "—", "—", "0"]
    assert lines[5].split()[:4] == ["skipped", "(no", "known", "report)"]
    assert lines[5].split()[4:] == ["1", "not", "estimated", "—", "—", "1"]
    assert section.figure is None and section.notes[0].startswith("needs a report with dates")
    assert section.table["kind"].tolist()[1] == "file_status_skipped"
    assert view.found["kind"].tolist()[1] == "skipped"  # the workbook keeps the reader's word


def test_files_not_read_lists_each_file_with_its_reason():
    unread = pd.DataFrame({"file": ["a.txt"], "reason": ["no known report kind"]})
    section = sections.files_not_read_section(_view(unread=unread))
    assert section.check_text().splitlines()[1:] == [
        "1 file could not be read; the reason is given for each",
        "File   Reason", "a.txt  no known report kind"]
    empty = sections.files_not_read_section(_view())
    assert empty.finding == "every report file was read" and empty.table is None


def test_gaps_respect_each_reports_grain():
    days = pd.date_range("2026-10-01", "2026-10-31").delete([4, 5])
    weekly = pd.DataFrame({"date": pd.date_range("2026-08-02", periods=12, freq="7D"),
                           "grain": "week"})
    view = _view({"all_orders": pd.DataFrame({"date": days}), "business_report_date": weekly})
    section = sections.gaps_section(view)
    assert section.finding == "1 gap, 2 days missing in total, in: All Orders"
    assert section.notes == ["Weekly or monthly data, not checked day by day: "
                             "Business Report by date"]
    assert section.check_text().splitlines()[-1].split() == [
        "All", "Orders", "2026-10-05", "2026-10-06", "2"]
    weekly_only = sections.gaps_section(_view({"business_report_date": weekly}))
    assert weekly_only.finding.startswith("needs a daily report")
    complete = sections.gaps_section(_view({"all_orders": pd.DataFrame(
        {"date": pd.date_range("2026-10-01", "2026-10-31")})}))
    assert complete.finding == "No gaps: every daily report covers each day up to 2026-10-31"


def test_reader_warnings_show_the_top_rows_and_point_at_the_sheet():
    warnings = [f"business_report_asin: {n} duplicate row(s) dropped" for n in range(12)]
    warnings.append("a warning without a report kind")
    table = sections.warning_table(warnings)
    assert table.iloc[0].tolist() == ["business_report_asin", "0 duplicate row(s) dropped"]
    assert table.iloc[-1].tolist() == ["", "a warning without a report kind"]
    section = sections.warnings_section(_view(warnings=warnings))
    assert section.top == 10 and section.sheet == "reader_warnings"
    assert "3 more rows in the workbook, sheet reader_warnings" in section.html()
    assert "Business Report by ASIN" in section.check_text()
    assert sections.warnings_section(_view()).finding == "The readers raised no warning"


def test_headline_table_gives_values_with_units_change_and_window():
    headline = pd.DataFrame({
        "metric": ["ordered_product_sales", "units_ordered", "acos", "afn_fulfillable_quantity"],
        "value": [1234.6, 2568.0, 0.317, 5016.0], "previous_value": [1000.0, 2600.0, float("nan"),
                                                                       float("nan")],
        "change": [0.2345, -0.0123, float("nan"), float("nan")],
        "unit": ["currency", "units", "fraction", "units"]})
    table = sections.headline_table(headline, "JPY", AS_OF, 30, AS_OF)
    assert table.values.tolist() == [
        ["ordered_product_sales", "1,235 JPY", "+23.4%", "2026-10-02 .. 2026-10-31"],
        ["units_ordered", "2,568 units", "-1.2%", "2026-10-02 .. 2026-10-31"],
        ["acos", "31.7%", "—", "2026-10-02 .. 2026-10-31"],
        ["afn_fulfillable_quantity", "5,016 units", "—", "snapshot 2026-10-31"],
    ]
    unknown = headline.assign(value=float("nan")).iloc[:1]
    assert sections.headline_table(unknown, "USD", AS_OF, 30, language="zh")["value"].tolist() \
        == ["未估计"]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_sections_without_their_reports_say_what_they_need(language):
    summary = _summary([("st.xlsx", "sp_search_term", 3, pd.Timestamp("2020-01-13"),
                         pd.Timestamp("2020-01-28"), "ok", ""),
                        ("MYI.csv", "fba_inventory", 2, pd.NaT, pd.NaT, "ok", "")])
    view = _view(summary=summary, as_of=pd.Timestamp("2020-01-28"), language=language)
    builders = (sections.actions_section, sections.reports_found_section,
                sections.files_not_read_section, sections.gaps_section,
                sections.warnings_section, sections.headline_section,
                sections.daily_sales_section)
    for build in builders:
        text = _all_text(build(view))
        for marker in MISSING_MARKERS:
            assert marker not in text, (build.__name__, marker, text)
    if language == "en":
        assert sections.daily_sales_section(view).finding == (
            "needs an All Orders report or a Business Report by date; found: "
            "fba_inventory (snapshot), sp_search_term 2020-01-13 .. 2020-01-28")
        assert sections.headline_section(view).finding.startswith("needs an All Orders report")
    assert sections.found_text(_summary([])) == "found: no readable report"


def test_daily_sales_section_draws_the_sales_chart():
    frames = {"business_report_date": pd.DataFrame({
        "date": pd.date_range("2026-10-01", "2026-10-31"), "ordered_product_sales": 10.0,
        "units_ordered": 1, "grain": "day"})}
    section = sections.daily_sales_section(_view(frames))
    assert section.finding == "Ordered product sales per day, 2026-10-01 .. 2026-10-31"
    (ax,) = section.figure.axes
    assert ax.get_ylabel() == "Ordered product sales [USD]"


def test_tables_section_names_the_workbook():
    written = [Path("/out/marketplace_overview_actions.csv"), Path("/out/marketplace_overview.xlsx")]
    section = sections.tables_section(written)
    assert section.finding == ("Workbook marketplace_overview.xlsx and 1 CSV file written "
                               "(one per sheet)")
    assert sections.tables_section([], "zh").finding == "未写入表格：未指定输出文件夹，或以上各节均无表格"


def test_workbook_tables_open_with_the_actions():
    tables = sections.workbook_tables(_view())
    assert list(tables) == ["actions", "reports_found", "files_not_read", "coverage_gaps",
                            "reader_warnings", "headline_figures", "daily_sales"]


# --- IPI drivers (issue 19) -------------------------------------------------------------------

def _ipi_frames():
    """120 days of one SKU (300 units falling by 1 sold a day) and four weekly Manage FBA
    Inventory snapshots whose stranded share jumps from 0 to 15 % two weeks before the end."""
    days = pd.date_range(end=AS_OF, periods=120, freq="D")
    history = pd.DataFrame({"date": days, "sku": "A", "quantity": range(300, 180, -1),
                            "detailed_disposition": "SELLABLE"})
    orders = pd.DataFrame({"purchase_date": days, "sku": "A", "quantity": 1,
                           "order_status": "Shipped", "sales_channel": "Amazon.com"})
    weeks = [AS_OF - pd.Timedelta(days=7 * k) for k in (3, 2, 1, 0)]
    inventory = pd.concat([pd.DataFrame({
        "snapshot_date": week, "sku": ["A", "B"], "afn_warehouse_quantity": [85, 15],
        "afn_listing_exists": pd.array([True, k > 1], dtype="boolean")})
        for k, week in zip((3, 2, 1, 0), weeks, strict=True)], ignore_index=True)
    return {"inventory_history": history, "all_orders": orders, "fba_inventory": inventory}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_ipi_section_shows_our_drivers_apart_from_amazons_score(tmp_path, language):
    from dataclasses import replace

    from opsanalysis import params

    folder = tmp_path / "US"
    folder.mkdir()
    (folder / "ipi.csv").write_text("2026-10-28,520", encoding="utf-8")
    view = replace(_view(language=language), frames=_ipi_frames())
    section = sections.ipi_section(view, params.load("US"), str(tmp_path))
    text = _all_text(section)
    for marker in MISSING_MARKERS:
        assert marker not in text
    assert list(section.table.columns) == ["week_end", "excess_inventory_percent", "sell_through",
                                           "stranded_inventory_percent", "in_stock_rate"]
    assert section.sheet == "ipi_drivers" and len(section.table) == 18
    if language == "en":
        assert section.heading == "IPI drivers (ours, computed — not Amazon's score)"
        assert section.finding == (
            "As of 2026-10-31, from your reports: excess inventory 50.3%, sell-through 0.40, "
            "stranded inventory 15.0%, in-stock rate 100.0%")
        assert section.notes[0].startswith("Your IPI score as shown by Amazon: 520 on "
                                           "2026-10-28 (from ipi.csv)")
        assert section.notes[-1].startswith("Stranded inventory spike in the week ending "
                                            "2026-10-24: 15.0% of FBA units, up 15.0 points")
        assert "Sell-through: 0.40, improving against 4 weeks before" in section.notes[2]


def test_ipi_section_without_its_reports_says_what_it_needs():
    from opsanalysis import params

    section = sections.ipi_section(_view(), params.load("US"), "/nonexistent")
    assert section.finding.startswith("needs a Daily Inventory History with an All Orders report")
    assert section.notes[0].startswith("Amazon's IPI score is not in any report")
    assert section.table is None


def test_workbook_tables_take_the_ipi_drivers_when_shown():
    from dataclasses import replace

    from opsanalysis import params

    view = replace(_view(), frames=_ipi_frames())
    shown = sections.ipi_section(view, params.load("US"), "/nonexistent")
    tables = sections.workbook_tables(view, shown)
    assert list(tables)[-1] == "ipi_drivers" and tables["ipi_drivers"] is shown.table
    missing = sections.ipi_section(_view(), params.load("US"), "/nonexistent")
    assert "ipi_drivers" not in sections.workbook_tables(_view(), missing)

"""Known answers for a displayable report section: what the reader sees and what nbval compares."""

import pandas as pd
from matplotlib.figure import Figure

from opsanalysis import section
from opsanalysis.labels import label

PLAN = pd.DataFrame({
    "sku": ["HL-KIT-029", "HL-PET-015", "HL-BTH-020"],
    "status": ["order_now", "reorder_soon", "in_stock"],
    "order_qty": [120.0, 40.0, 0.0],
    "order_by": pd.to_datetime(["2026-11-03", "2026-11-20", None]),
    "order_cost": [1234.5, 99.0, float("nan")],
    "fill_rate": [0.95, 0.9, float("nan")],
})


def test_the_html_has_heading_finding_headers_and_the_first_rows_only():
    shown = section.Section("Shipment plan", "2 SKUs to order.", PLAN, currency="USD", top=2,
                            sheet="replenishment_plan")
    html = shown.html()
    assert "<h2>Shipment plan</h2>" in html and "<p>2 SKUs to order.</p>" in html
    assert "<thead>" in html and '<th style="text-align:right">Order cost (USD)</th>' in html
    # text reads from the left, numbers line up on the right, short cells never break
    assert '<th style="text-align:left">SKU</th>' in html
    assert '<td style="text-align:left;white-space:nowrap">HL-KIT-029</td>' in html
    assert '<td style="text-align:right;white-space:nowrap">1,234.50</td>' in html
    assert "HL-PET-015" in html and "HL-BTH-020" not in html
    assert "1 more row in the workbook, sheet replenishment_plan" in html
    assert "nan" not in html.lower() and "NaT" not in html


def test_the_check_text_is_fixed_width_with_every_row():
    text = section.Section("Plan", "3 SKUs.", PLAN, currency="USD", top=1).check_text()
    lines = text.splitlines()
    assert lines[:2] == ["Plan", "3 SKUs."]
    assert len(lines) == 2 + 1 + len(PLAN)  # heading, finding, header row, every row
    assert lines[3].split() == ["HL-KIT-029", "Order", "now", "120", "2026-11-03", "1,234.50",
                                "95.0%"]
    assert "not estimated" in lines[5] and "—" in lines[5]


def test_check_columns_restrict_the_compared_text():
    text = section.Section("Plan", "x", PLAN, check_columns=["sku", "order_qty"]).check_text()
    assert text.splitlines()[2].split() == ["SKU", "Order", "quantity"] \
        or "Order" in text.splitlines()[2]
    assert "2026-11-03" not in text


def test_chinese_headers_codes_and_alignment():
    shown = section.Section("计划", "x", PLAN, language="zh", currency="JPY")
    lines = shown.check_text().splitlines()
    assert label("order_now", "zh") in lines[3]
    assert "1,235" in lines[3]  # JPY has no minor unit
    # CJK characters take two columns: the quantity column starts at the same place on each row
    starts = [section._width(line[:line.index(f" {q} ", len("HL-KIT-029")) + 1])
              for line, q in zip(lines[3:6], ["120", "40", "0"], strict=True)]
    assert len(set(starts)) == 1


def test_mimebundle_and_display_show_html_to_readers_and_text_to_nbval(monkeypatch):
    shown_objects = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **kw: shown_objects.append(obj))
    figure = Figure()
    figure.subplots().plot([1, 2])
    item = section.Section("Plan", "x", PLAN, figure=figure)
    item._ipython_display_()
    bundle, shown_figure = shown_objects
    assert set(bundle) == {"text/html", "text/plain"}
    assert bundle["text/plain"] == item.check_text()
    assert shown_figure is figure


def test_a_section_without_table_is_heading_and_sentence():
    item = section.Section("Returns", "needs a returns report covering the window")
    assert item.check_text() == "Returns\nneeds a returns report covering the window"
    assert "<table" not in item.html()


def test_actions_section_counts_and_points_to_the_sheet():
    actions = pd.DataFrame({"action": ["order_now"] * 12, "sku": [f"S{i}" for i in range(12)],
                            "reason": ["cover below lead time"] * 12})
    item = section.actions_section(actions, top=10, sheet="actions")
    assert item.heading == label("this_weeks_actions", "en")
    assert item.finding.startswith("12 ")
    assert "2 more rows in the workbook, sheet actions" in item.html()
    empty = section.actions_section(actions.iloc[:0], language="zh")
    assert empty.finding == label("no_actions", "zh")


def test_a_missing_download_is_named_by_the_first_section_only():
    assert section.missing_input_section("Heading", None, "en", True) is None
    first = section.missing_input_section("Share", "search_queries_missing_sqp", "en", True)
    later = section.missing_input_section("Actions", "search_queries_missing_sqp", "en", False)
    assert first.heading == "Share" and "Search Query Performance" in first.finding
    assert later.heading == "Actions" and "Search Query Performance" not in later.finding
    assert later.finding.startswith("Not estimated") and later.table is None

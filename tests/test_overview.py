"""Marketplace overview figures on small hand-made frames with known answers, and its charts."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from opsanalysis import overview, plotting


def _days(start, end):
    return pd.date_range(start, end, freq="D")


def test_daily_gaps_finds_runs_of_missing_days():
    dates = _days("2026-01-01", "2026-01-31").delete([4, 5, 6, 19])  # Jan 5-7 and Jan 20
    gaps = overview.daily_gaps(list(dates) * 3)  # one row per SKU and day
    assert gaps["gap_start"].dt.strftime("%m-%d").tolist() == ["01-05", "01-20"]
    assert gaps["gap_end"].dt.strftime("%m-%d").tolist() == ["01-07", "01-20"]
    assert gaps["missing_days"].tolist() == [3, 1]
    assert str(gaps["missing_days"].dtype) == "Int64"


def test_daily_gaps_counts_missing_tail_up_to_end():
    gaps = overview.daily_gaps(_days("2026-10-01", "2026-10-28"), end="2026-10-31")
    assert gaps.to_dict("records") == [{"gap_start": pd.Timestamp("2026-10-29"),
                                        "gap_end": pd.Timestamp("2026-10-31"),
                                        "missing_days": 3}]
    assert overview.daily_gaps(_days("2026-10-01", "2026-10-31")).empty


def test_coverage_gaps_skips_weekly_and_undated_kinds():
    frames = {
        "business_report_date": pd.DataFrame({"date": _days("2026-01-01", "2026-01-10").delete(3)}),
        "weekly": pd.DataFrame({"date": pd.date_range("2026-01-04", periods=8, freq="W")}),
        "fba_inventory": pd.DataFrame({"sku": ["A"]}),
    }
    gaps = overview.coverage_gaps(frames)
    assert gaps[["kind", "missing_days"]].values.tolist() == [["business_report_date", 1]]


def test_reports_found_groups_by_kind():
    summary = pd.DataFrame({
        "file": ["a.csv", "b.csv", "c.txt", "junk.csv", "README.md"],
        "kind": ["business_report_date", "business_report_date", "fba_inventory", None, None],
        "rows": [10, 5, 7, None, None],
        "period_start": pd.to_datetime(["2026-01-01", "2026-02-01", None, None, None]),
        "period_end": pd.to_datetime(["2026-01-31", "2026-02-28", None, None, None]),
        "status": ["ok", "ok", "ok", "error", "skipped"],
        "message": ["", "", "", "missing column", "not a report file"],
    })
    found = overview.reports_found(summary).set_index("kind")
    assert found.loc["business_report_date", "files"] == 2
    assert found.loc["business_report_date", "rows"] == 15
    assert found.loc["business_report_date", "period_end"] == pd.Timestamp("2026-02-28")
    assert found.loc["error", "files_with_problems"] == 1
    assert found.loc["skipped", "files_with_problems"] == 0  # README is not a problem
    assert found["files_with_problems"].sum() == 1


@pytest.fixture
def frames():
    """60 days of sales: 100/day in the previous 30 days, 150/day in the last 30 days."""
    dates = _days("2026-09-02", "2026-10-31")
    recent = dates >= pd.Timestamp("2026-10-02")
    report = pd.DataFrame({
        "date": dates,
        "ordered_product_sales": [150.0 if r else 100.0 for r in recent],
        "units_ordered": pd.array([3 if r else 2 for r in recent], dtype="Int64"),
        "sessions": pd.array([30 if r else 40 for r in recent], dtype="Int64"),
    })
    inventory = pd.DataFrame({"sku": ["A", "B", "C"], "afn_fulfillable_quantity": [10, 0, 5],
                              "afn_inbound_shipped_quantity": [0, 20, 0]})
    ads = pd.DataFrame({"date": dates, "spend": 10.0, "sales": 40.0, "attribution_days": 7})
    ads14 = ads.assign(sales=80.0, attribution_days=14)
    return {"business_report_date": report, "fba_inventory": inventory,
            "sp_campaign": pd.concat([ads, ads14], ignore_index=True)}


def test_headline_figures_known_answers(frames):
    table = overview.headline_figures(frames, "2026-10-31", window_days=30).set_index("metric")
    assert table.loc["ordered_product_sales", "value"] == pytest.approx(4500.0)
    assert table.loc["ordered_product_sales", "previous_value"] == pytest.approx(3000.0)
    assert table.loc["ordered_product_sales", "change"] == pytest.approx(0.5)
    assert table.loc["unit_session_percentage", "value"] == pytest.approx(0.1)  # 90 / 900
    assert table.loc["unit_session_percentage", "previous_value"] == pytest.approx(0.05)
    assert table.loc["acos", "value"] == pytest.approx(0.25)  # 7-day attribution only
    assert table.loc["spend", "value"] == pytest.approx(300.0)
    assert table.loc["afn_fulfillable_quantity", "value"] == 15
    assert table.loc["skus_in_stock", "value"] == 2
    assert pd.isna(table.loc["skus_in_stock", "change"])
    assert set(table["unit"]) <= {"currency", "units", "count", "fraction"}


def test_headline_has_no_previous_value_for_a_part_window(frames):
    frames["sp_campaign"] = frames["sp_campaign"][frames["sp_campaign"]["date"] >= "2026-09-20"]
    table = overview.headline_figures(frames, "2026-10-31", window_days=30).set_index("metric")
    assert table.loc["spend", "value"] == pytest.approx(300.0)
    assert pd.isna(table.loc["spend", "previous_value"]) and pd.isna(table.loc["spend", "change"])
    assert table.loc["ordered_product_sales", "change"] == pytest.approx(0.5)


def test_daily_sales_falls_back_to_orders():
    stamps = pd.to_datetime(["2026-10-30 23:30", "2026-10-31 01:00", "2026-10-31 02:00"])
    orders = pd.DataFrame({
        "purchase_date": stamps.tz_localize("America/Los_Angeles"),
        "order_status": ["Shipped", "Shipped", "Cancelled"],
        "quantity": pd.array([1, 2, 5], dtype="Int64"),
        "item_price": [10.0, 20.0, 50.0],
    })
    daily = overview.daily_sales({"all_orders": orders})
    assert daily["date"].dt.strftime("%m-%d").tolist() == ["10-30", "10-31"]
    assert daily["units_ordered"].tolist() == [1, 2]
    assert daily["ordered_product_sales"].tolist() == [10.0, 20.0]
    assert daily["sessions"].isna().all()


def test_charts_return_axes(frames):
    daily = overview.daily_sales(frames)
    ax = plotting.plot_daily_sales(daily, language="zh", currency="USD")
    # Chinese when a CJK font is installed, else English (never boxes for missing glyphs)
    expected = {"zh": "已订购商品销售额 [USD]", "en": "Ordered product sales [USD]"}
    assert ax.get_ylabel() == expected[plotting.fonts.chart_language("zh")]
    assert len(ax.lines) == 2
    found = pd.DataFrame({"kind": ["a", "b"], "period_start": pd.to_datetime(["2026-01-01", None]),
                          "period_end": pd.to_datetime(["2026-02-01", None]),
                          "files_with_problems": pd.array([1, 0], dtype="Int64")})
    _, given = plt.subplots()
    assert plotting.plot_report_periods(found, ax=given) is given
    assert len(given.patches) == 1
    plt.close("all")


def test_format_value():
    assert overview.format_value(12345.678, "currency", "USD") == "12,345.68 USD"
    assert overview.format_value(4495550.0, "currency", "JPY") == "4,495,550 JPY"
    assert overview.format_value(0.1234, "fraction") == "12.3%"
    assert overview.format_value(1234.4, "units") == "1,234"
    assert overview.format_value(float("nan"), "count") == "-"


# --- grain: weeks and months of a Business Report by date are never days ---------------------

def _business_report(dates, grain, sales):
    return pd.DataFrame({"date": pd.to_datetime(dates), "grain": grain,
                         "ordered_product_sales": sales,
                         "units_ordered": pd.array([1] * len(sales), dtype="Int64"),
                         "sessions": pd.array([10] * len(sales), dtype="Int64")})


def test_weekly_business_report_gives_no_gap_per_week_and_no_days():
    weekly = _business_report(["2019-11-10", "2019-11-17", "2019-11-24"], "week",
                              [700.0, 1400.0, 2100.0])
    frames = {"business_report_date": weekly}
    assert overview.coverage_gaps(frames, end="2019-11-30").empty
    assert overview.daily_sales(frames).empty
    series = overview.sales_series(frames)
    assert series["grain"].unique().tolist() == ["week"]
    assert series["ordered_product_sales"].tolist() == [700.0, 1400.0, 2100.0]
    ax = plotting.plot_daily_sales(series, currency="USD")
    assert len(ax.lines) == 1  # one step line, no 7-day rolling mean over weeks
    assert ax.get_legend().get_texts()[0].get_text() == "sales per week"
    plt.close("all")


def test_daily_rows_are_not_merged_with_weekly_rows():
    daily = _business_report(["2019-11-17", "2019-11-18", "2019-11-19"], "day", [10.0, 20.0, 30.0])
    weekly = _business_report(["2019-11-10", "2019-11-17"], "week", [700.0, 1400.0])
    frames = {"business_report_date": pd.concat([weekly, daily], ignore_index=True)}
    table = overview.daily_sales(frames)
    assert table["ordered_product_sales"].tolist() == [10.0, 20.0, 30.0]  # 11-17 not 1,410
    assert overview.sales_series(frames)["grain"].unique().tolist() == ["day"]
    gaps = overview.coverage_gaps(frames, end="2019-11-20")
    assert gaps[["kind", "missing_days"]].values.tolist() == [["business_report_date", 1]]


# --- absent data stays missing, never 0 (the sections' wording: test_overview_sections.py) ---

def _summary(rows):
    return pd.DataFrame(rows, columns=["file", "kind", "rows", "period_start", "period_end",
                                       "status", "message"])


def test_headline_without_a_report_date_keeps_only_stock_figures(frames):
    table = overview.headline_figures(frames, None, window_days=30)
    assert table["metric"].tolist()[0] == "afn_fulfillable_quantity"
    assert set(table["unit"]) <= {"units", "count"}


def test_missing_figures_print_as_dash_not_nan_or_zero():
    summary = _summary([("a.txt", None, None, pd.NaT, pd.NaT, "skipped", "no known report kind"),
                        ("b.csv", "fba_inventory", 4, pd.NaT, pd.NaT, "ok", "")])
    found = overview.reports_found(summary, unread_files=["a.txt"])
    assert pd.isna(found.set_index("kind").loc["skipped", "rows"])  # not 0
    assert found.set_index("kind").loc["skipped", "files_with_problems"] == 1
    # how the sections show these: tests/test_overview_sections.py

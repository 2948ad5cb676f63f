"""IPI: the user's score and our drivers, known answers on hand-made inventories."""

import numpy as np
import pandas as pd
import pytest
from pytest import approx

from opsanalysis import io, ipi, kpi, params

END = pd.Timestamp("2026-10-31")
SETTINGS = {"sell_through_window_days": 90, "in_stock_window_days": 30,
            "in_stock_sales_window_days": 60, "trend_weeks": 4, "stranded_spike_increase": 0.02,
            "score": None, "score_date": ""}


def _days(count, end=END):
    return pd.date_range(end=end, periods=count, freq="D")


def _history(stock: dict, end=END) -> pd.DataFrame:
    """Daily Inventory History: sku -> sellable units per day (the last day is ``end``)."""
    rows = [(day, sku, units, "SELLABLE") for sku, series in stock.items()
            for day, units in zip(_days(len(series), end), series, strict=True) if units > 0]
    # one row on every day keeps the day covered even when all SKUs are out of stock
    rows += [(day, "other", 0, "SELLABLE") for day in _days(max(map(len, stock.values())), end)]
    return pd.DataFrame(rows, columns=["date", "sku", "quantity", "detailed_disposition"])


def _orders(sold: dict, end=END) -> pd.DataFrame:
    """All Orders: sku -> units sold per day; plus a cancelled line that must not count."""
    rows = [(day, sku, units, "Shipped") for sku, series in sold.items()
            for day, units in zip(_days(len(series), end), series, strict=True) if units > 0]
    rows.append((end, next(iter(sold)), 50, "Cancelled"))
    frame = pd.DataFrame(rows, columns=["purchase_date", "sku", "quantity", "order_status"])
    return frame.assign(sales_channel="Amazon.com")


def _tables(stock, sold):
    return ipi.daily_stock(_history(stock)), ipi.daily_sales(_orders(sold), "US")


# --- the drivers at one date ------------------------------------------------------------------

def test_sell_through_is_units_sold_over_average_units_on_hand():
    stock, sales = _tables({"A": [100] * 90}, {"A": [2] * 90})
    value, units, average, reason = ipi.sell_through(stock, sales, END, window_days=90)
    assert (value, units, average, reason) == (approx(1.8), 180, 100, "")


def test_sell_through_without_90_days_of_history_is_not_estimated():
    stock, sales = _tables({"A": [100] * 89}, {"A": [2] * 90})
    value, _, _, reason = ipi.sell_through(stock, sales, END, window_days=90)
    assert np.isnan(value) and reason == "inventory history lacks 1 of 90 days"


def test_excess_counts_the_units_beyond_90_days_of_supply():
    # A: 200 on hand, 1 a day -> 110 beyond 90 days; B: 50 on hand, 2 a day -> none;
    # C: 50 on hand, no sale -> all 50
    stock, sales = _tables({"A": [200] * 30, "B": [50] * 30, "C": [50] * 30},
                           {"A": [1] * 30, "B": [2] * 30})
    value, excess, on_hand, reason = ipi.excess_inventory_percent(
        stock, sales, END, excess_days_of_supply=90, velocity_window_days=30)
    assert (excess, on_hand, reason) == (160, 300, "")
    assert value == approx(160 / 300)


def test_in_stock_rate_reproduces_amazons_worked_example():
    # Amazon's example: product 1 sells 2 a day in stock and has been out for the last 15
    # of 30 days; product 2 sells 3 a day and is in stock -> (2 x 50 % + 3 x 100 %) / 5 = 80 %
    stock, sales = _tables({"P1": [10] * 45 + [0] * 15, "P2": [10] * 60},
                           {"P1": [2] * 45 + [0] * 15, "P2": [3] * 60})
    value, weighted, velocity, reason = ipi.in_stock_rate(stock, sales, END, window_days=30,
                                                          sales_window_days=60)
    assert value == approx(0.8) and velocity == approx(5.0) and weighted == approx(4.0)
    assert reason == ""


def test_in_stock_rate_leaves_out_skus_without_sales():
    stock, sales = _tables({"P1": [10] * 60, "dead": [0] * 60}, {"P1": [1] * 60})
    assert ipi.in_stock_rate(stock, sales, END, window_days=30, sales_window_days=60)[0] == 1.0


# --- stranded inventory -----------------------------------------------------------------------

def _snapshot(date, listed: dict, units: dict) -> pd.DataFrame:
    return pd.DataFrame({"snapshot_date": pd.Timestamp(date), "sku": list(units),
                         "afn_listing_exists": pd.array([listed.get(s) for s in units],
                                                        dtype="boolean"),
                         "afn_warehouse_quantity": list(units.values())})


def test_stranded_units_are_those_without_an_fba_listing():
    snapshot = _snapshot(END, {"A": True, "B": False}, {"A": 90, "B": 10})
    table = ipi.stranded_by_snapshot(snapshot)
    assert table[["stranded_units", "fba_units", "value"]].iloc[0].tolist() == [10, 100, 0.1]


def test_stranded_units_from_the_listing_status():
    snapshot = _snapshot(END, {}, {"A": 90, "B": 10}).drop(columns="afn_listing_exists")
    listings = pd.DataFrame({"sku": ["A", "B"], "status": ["Active", "Inactive"],
                             "snapshot_date": END})
    assert ipi.stranded_by_snapshot(snapshot, listings)["value"].iloc[0] == approx(0.1)
    # without a listing status the share is not estimated, never 0
    alone = ipi.stranded_by_snapshot(snapshot)
    assert np.isnan(alone["value"].iloc[0]) and "no listing status" in alone["reason"].iloc[0]


def test_a_stranded_inventory_spike_is_found():
    weeks = [END - pd.Timedelta(days=7 * k) for k in (3, 2, 1, 0)]
    stranded = [{"A": True, "B": True}, {"A": True, "B": True},
                {"A": True, "B": False}, {"A": True, "B": False}]
    inventory = pd.concat([_snapshot(week, listed, {"A": 85, "B": 15})
                           for week, listed in zip(weeks, stranded, strict=True)], ignore_index=True)
    weekly = ipi.weekly_drivers({"fba_inventory": inventory}, END, SETTINGS,
                                excess_days_of_supply=90, velocity_window_days=30)
    spikes = ipi.stranded_spikes(weekly, increase=0.02)
    assert spikes["week_end"].tolist() == [weeks[2]]
    assert spikes["increase"].iloc[0] == approx(0.15)
    assert weekly["stranded_inventory_percent"].iloc[0] == approx(0.15)
    # the other drivers need inventory history and orders: not estimated, with the reason
    assert weekly["sell_through"].isna().all()
    assert weekly["sell_through_reason"].iloc[0].startswith("needs a Daily Inventory History")


def test_a_small_rise_is_no_spike():
    weekly = pd.DataFrame({"week_end": [END, END - pd.Timedelta(days=7)],
                           "stranded_inventory_percent": [0.11, 0.10]})
    assert ipi.stranded_spikes(weekly, increase=0.02).empty


# --- the weekly table and its summary ---------------------------------------------------------

def test_weekly_drivers_and_their_trend():
    # 120 days: stock falls from 300 to 181 while 1 unit sells a day
    days = 120
    stock = {"A": list(range(300, 300 - days, -1))}
    data = {"inventory_history": _history(stock), "all_orders": _orders({"A": [1] * days})}
    weekly = ipi.weekly_drivers(data, END, SETTINGS, excess_days_of_supply=90,
                                velocity_window_days=30)
    assert weekly["week_end"].iloc[0] == END and len(weekly) == 18
    latest = weekly.iloc[0]
    assert latest["excess_inventory_percent"] == approx((181 - 90) / 181)
    average = np.mean(np.arange(181, 271))  # the last 90 days on hand
    assert latest["sell_through"] == approx(90 / average)
    assert latest["in_stock_rate"] == 1.0
    summary = ipi.driver_summary(weekly, compare_weeks=4).set_index("driver")
    assert summary.loc["excess_inventory_percent", "trend"] == "improving"
    assert summary.loc["sell_through", "trend"] == "improving"
    assert summary.loc["in_stock_rate", "trend"] == "flat"
    assert summary.loc["stranded_inventory_percent", "trend"] == ""
    # weeks before 90 days of data: sell-through not estimated, never 0
    assert weekly["sell_through"].iloc[-1] != 0 and np.isnan(weekly["sell_through"].iloc[-1])


# --- the user's score -------------------------------------------------------------------------

def test_a_one_line_score_file(tmp_path):
    (tmp_path / "ipi.csv").write_text("date,score\n2026-10-28, 520\n", encoding="utf-8")
    scores = ipi.user_scores({"score": None, "score_date": ""}, tmp_path)
    assert scores.to_dict("records") == [
        {"date": pd.Timestamp("2026-10-28"), "score": 520.0, "source": "ipi.csv"}]


@pytest.mark.parametrize("text", ["520", "2026-10-28,1200", "2026-10-28,520\n2026-10-21,510",
                                  "", "28/13/2026,520"])
def test_a_score_file_that_cannot_be_read_says_why(text):
    with pytest.raises(ValueError, match="ipi.txt"):
        ipi.parse_score_text(text, "ipi.txt")


def test_scores_from_params_and_file_oldest_first(tmp_path):
    (tmp_path / "ipi.txt").write_text("2026-10-28\t530", encoding="utf-8")
    scores = ipi.user_scores({"score": 480, "score_date": "2026-09-30"}, tmp_path)
    assert scores["score"].tolist() == [480.0, 530.0]
    assert scores["source"].tolist() == ["params", "ipi.txt"]
    assert ipi.user_scores({"score": None, "score_date": ""}, tmp_path / "none") is None
    with pytest.raises(ValueError, match="score_date"):
        ipi.user_scores({"score": 480, "score_date": ""})


def test_the_defaults_hold_the_ipi_settings_with_sources():
    settings = params.load("US")["ipi"]
    assert settings["score"] is None and settings["sell_through_window_days"] == 90
    assert {"sell_through_window_days", "in_stock_window_days", "stranded_spike_increase"} \
        <= set(settings["sources"])


def test_the_scorecard_measures_the_score_only_when_given():
    rules = {"ipi_score": {"value": 400, "direction": "at_least", "unit": "score",
                           "source": "x", "checked": "2026-01"}}
    scores = pd.DataFrame({"date": pd.to_datetime(["2026-09-15", "2026-10-28"]),
                           "score": [380.0, 520.0], "source": "params"})
    card = kpi.scorecard({}, rules, "2026-10", {"ipi_scores": scores}, velocity_window_days=30)
    row = card.iloc[0]
    assert (row["value"], row["previous"], row["status"], row["trend"]) == (
        520.0, 380.0, "good", "improving")  # from a breach to good
    assert kpi.scorecard({}, rules, "2026-10", {}, velocity_window_days=30)[
        "status"].iloc[0] == "not_measured"
    stale = kpi.scorecard({}, rules, "2026-12", {"ipi_scores": scores}, velocity_window_days=30)
    assert stale["status"].iloc[0] == "no_data"


def test_the_score_file_is_not_listed_as_an_unreadable_report(tmp_path, sample_dir):
    folder = tmp_path / "US"
    folder.mkdir()
    (folder / "Restock_Inventory_2026-10-31.txt").write_bytes(
        (sample_dir / "US" / "Restock_Inventory_2026-10-31.txt").read_bytes())
    (folder / "ipi.csv").write_text("2026-10-28,520", encoding="utf-8")
    data = io.load_marketplace(tmp_path, "US")
    assert data.unreadable_files().empty and "restock" in data.kinds


# --- the sample ---------------------------------------------------------------------------

def test_the_drivers_on_the_sample(sample_dir):
    data = io.load_marketplace(sample_dir, "JP")
    settings = params.load("JP")
    weekly = ipi.weekly_drivers(
        data, "2026-10-31", settings["ipi"],
        excess_days_of_supply=settings["rules"]["excess_days_of_supply"]["value"],
        velocity_window_days=settings["replenishment"]["velocity_window_days"])
    latest = weekly.iloc[0]
    assert 0 < latest["excess_inventory_percent"] < 1 and 0.5 < latest["sell_through"] < 3
    assert latest["stranded_inventory_percent"] == 0.0  # every sample SKU has an FBA listing
    assert 0.9 <= latest["in_stock_rate"] <= 1.0
    # one Manage FBA Inventory snapshot: earlier weeks' stranded share is not estimated
    assert weekly["stranded_inventory_percent"].iloc[1:].isna().all()
    assert (weekly["stranded_inventory_percent_reason"].iloc[1]
            == "no Manage FBA Inventory snapshot in this week")


def test_an_undated_inventory_download_is_the_report_dates_snapshot():
    """Amazon's Manage FBA Inventory download carries no date: its stranded units count at the
    report date (as the replenishment plan reads it), not as "needs a report"."""
    snapshot = pd.DataFrame({"sku": ["A", "B"], "afn_listing_exists": [True, False],
                             "afn_warehouse_quantity": [90, 10]})
    weekly = ipi.weekly_drivers({"fba_inventory": snapshot}, "2026-10-31",
                                params.load_defaults()["ipi"],
                                excess_days_of_supply=90, velocity_window_days=30)
    assert weekly.loc[0, "week_end"] == pd.Timestamp("2026-10-31")
    assert weekly.loc[0, "stranded_inventory_percent"] == pytest.approx(0.10)


# --- the Stranded Inventory report feeds the stranded driver (issue 19) -----------------------

def _stranded_report(date, units: dict) -> pd.DataFrame:
    return pd.DataFrame({"snapshot_date": pd.Timestamp(date) if date else pd.NaT,
                         "sku": list(units), "fulfillable_quantity": list(units.values()),
                         "unfulfillable_quantity": 0, "reserved_quantity": 0})


def test_stranded_units_from_amazons_stranded_inventory_report():
    # no listing status in the snapshot: the Stranded Inventory report of the week says which
    snapshot = _snapshot(END, {}, {"A": 90, "B": 10}).drop(columns="afn_listing_exists")
    table = ipi.stranded_by_snapshot(snapshot, None, _stranded_report(END - pd.Timedelta(days=2),
                                                                      {"B": 10}))
    assert table[["stranded_units", "fba_units", "value"]].iloc[0].tolist() == [10, 100, 0.1]
    # a SKU the report lists and the snapshot lacks adds its units to both
    extra = ipi.stranded_by_snapshot(snapshot, None, _stranded_report(END, {"B": 10, "C": 25}))
    assert extra[["stranded_units", "fba_units"]].iloc[0].tolist() == [35, 125]
    # a report older than the snapshot's week does not count: not estimated, with the reason
    old = ipi.stranded_by_snapshot(snapshot, None, _stranded_report(END - pd.Timedelta(days=7),
                                                                    {"B": 10}))
    assert np.isnan(old["value"].iloc[0]) and "Stranded Inventory" in old["reason"].iloc[0]


def test_a_stranded_spike_seen_in_the_stranded_report():
    weeks = [END - pd.Timedelta(days=7 * k) for k in (1, 0)]
    inventory = pd.concat([_snapshot(week, {"A": True, "B": True}, {"A": 80, "B": 20})
                           for week in weeks], ignore_index=True)
    # the MYI snapshot still says both listings exist; the stranded report of the last week
    # (undated: the report date) lists B
    data = {"fba_inventory": inventory, "stranded_inventory": _stranded_report(None, {"B": 20})}
    weekly = ipi.weekly_drivers(data, END, SETTINGS, excess_days_of_supply=90,
                                velocity_window_days=30)
    assert weekly["stranded_inventory_percent"].tolist() == [approx(0.2), approx(0.0)]
    assert ipi.stranded_spikes(weekly, increase=0.02)["week_end"].tolist() == [END]

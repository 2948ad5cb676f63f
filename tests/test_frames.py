"""Known-answer tests for opsanalysis.frames: numbers, grouping, ratios and periods."""

import math

import numpy as np
import pandas as pd
import pytest

from opsanalysis import frames, kpi


@pytest.fixture
def ads():
    """Two campaigns, one currency, one attribution window."""
    return pd.DataFrame({
        "date": pd.to_datetime(["2026-10-05", "2026-10-06", "2026-10-12"]),
        "campaign_name": ["A", "B", "A"],
        "advertised_sku": ["s1", "s2", "s1"],
        "spend": [25.0, 8.0, 3.0],
        "sales": [100.0, 0.0, 20.0],
        "currency": ["USD"] * 3,
    })


def test_safe_divide_gives_nan_for_empty_denominators():
    result = frames.safe_divide(pd.Series([1, 2, 3, 0]),
                                pd.Series([2, 0, None, 0], dtype="Int64"))
    assert result.iloc[0] == 0.5
    assert result.iloc[1:].isna().all()
    assert math.isnan(frames.safe_divide(5, 0))
    assert frames.safe_divide(0, 5) == 0.0


def test_as_float_turns_missing_into_nan():
    values = frames.as_float(pd.Series([1, None, 3], dtype="Int64"))
    assert values.dtype == np.float64 and math.isnan(values.iloc[1])
    assert math.isnan(frames.as_float(None)) and frames.as_float(2) == 2.0


def test_weeks_run_sunday_to_saturday():
    dates = pd.Series(pd.to_datetime(["2026-10-03", "2026-10-04", "2026-10-10"]))
    assert frames.period_start(dates, "W").dt.strftime("%Y-%m-%d").tolist() == [
        "2026-09-27", "2026-10-04", "2026-10-04"]
    assert frames.trailing_period("2026-10-31", 28) == (pd.Timestamp("2026-10-04"),
                                                       pd.Timestamp("2026-10-31"))


def test_ratio_sums_before_dividing(ads):
    table = frames.ratio(ads, "spend", "sales", "acos", by="campaign").set_index("campaign")
    # A: (25 + 3) / (100 + 20), not the mean of 0.25 and 0.15
    assert table.loc["A", "acos"] == pytest.approx(28 / 120)
    assert math.isnan(table.loc["B", "acos"])  # spend without sales: NaN, never inf
    assert table.loc["A", "spend"] == 28.0 and "currency" in table


def test_totals_by_week_keep_the_currency_apart(ads):
    ads.loc[2, "currency"] = "EUR"
    table = frames.totals(ads, ["spend"], freq="W")
    assert table[["period", "currency", "spend"]].values.tolist() == [
        [pd.Timestamp("2026-10-04"), "USD", 33.0], [pd.Timestamp("2026-10-11"), "EUR", 3.0]]


def test_grouping_that_cannot_be_done_is_a_grouping_error(ads):
    with pytest.raises(frames.GroupingError, match="product master"):
        frames.group_column(ads, "category")
    with pytest.raises(frames.GroupingError, match="ad_group_name"):
        frames.group_column(ads, "ad_group")
    # still a KeyError for code that catches missing columns
    assert issubclass(frames.GroupingError, KeyError)
    products = pd.DataFrame({"sku": ["s1", "s2"], "category": ["Home", "Pet"]})
    assert frames.group_column(ads, "category", products).tolist() == ["Home", "Pet", "Home"]


def test_period_bounds_and_the_window_before():
    start, end = frames.period_bounds("2026-10")
    assert (start, end) == (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-31"))
    # a calendar month is compared with the calendar month before, whatever its length
    assert frames.previous_bounds(start, end) == (pd.Timestamp("2026-09-01"),
                                                  pd.Timestamp("2026-09-30"))
    # any other window with the same number of days just before it
    assert frames.previous_bounds(pd.Timestamp("2026-10-04"), pd.Timestamp("2026-10-31")) == (
        pd.Timestamp("2026-09-06"), pd.Timestamp("2026-10-03"))


def test_in_period_is_inclusive_and_uses_local_dates():
    frame = pd.DataFrame({"purchase_date": pd.to_datetime(
        ["2026-09-30 23:30", "2026-10-01 00:10", "2026-10-31 23:59", "2026-11-01 00:00"]
    ).tz_localize("America/Los_Angeles"), "units": [1, 2, 3, 4]})
    assert frames.in_period(frame, "2026-10")["units"].tolist() == [2, 3]
    assert frames.in_period(None, "2026-10") is None


def test_kpi_still_exports_the_frame_helpers():
    # notebooks and older code call them as opsanalysis.kpi.<name>
    for name in ("as_float", "safe_divide", "group_column", "group_keys", "totals", "ratio",
                 "period_start", "date_column", "period_bounds", "trailing_period",
                 "previous_bounds", "in_period", "KEEP_APART", "GROUP_COLUMNS"):
        assert getattr(kpi, name) is getattr(frames, name)


def test_covered_days_from_attrs_rows_and_grain():
    dated = pd.DataFrame({"date": pd.to_datetime(["2026-10-02", "2026-10-05"])})
    assert len(frames.covered_days(dated)) == 4  # the span of the rows, quiet days included
    dated.attrs["period"] = (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-31"))
    assert len(frames.covered_days(dated)) == 31  # the period read wins over the rows
    weekly = pd.DataFrame({"date": pd.to_datetime(["2026-10-04", "2026-10-11"]),
                           "grain": ["week", "week"]})
    assert frames.covered_days(weekly)[-1] == pd.Timestamp("2026-10-17")  # Sunday..Saturday
    by_asin = pd.DataFrame({"period_start": pd.to_datetime(["2026-10-01", "2026-10-20"]),
                            "period_end": pd.to_datetime(["2026-10-07", "2026-10-21"])})
    assert len(frames.covered_days(by_asin)) == 7 + 2  # a gap between reports stays uncovered
    assert len(frames.covered_days(None)) == 0


def test_coverage_of_a_marketplace_keeps_the_gap_between_files():
    class Folder(dict):
        summary = pd.DataFrame({
            "kind": ["all_orders", "all_orders", "sp_campaign"],
            "period_start": pd.to_datetime(["2026-09-01", "2026-10-20", "2026-10-01"]),
            "period_end": pd.to_datetime(["2026-09-30", "2026-10-31", "2026-10-13"]),
            "status": ["ok", "ok", "ok"]})

    orders = pd.DataFrame({"purchase_date": pd.to_datetime(["2026-09-03", "2026-10-30"])})
    data = Folder(all_orders=orders, sp_campaign=orders)
    days = frames.coverage(data, "all_orders")
    assert len(days) == 30 + 12
    assert len(frames.days_in_window(days, "2026-10-01", "2026-10-31")) == 12
    assert len(frames.coverage(data, "sp_campaign")) == 13
    assert len(frames.coverage(data, "fba_returns")) == 0
    kept = frames.on_days(orders, days[:5])
    assert kept["purchase_date"].tolist() == [pd.Timestamp("2026-09-03")]

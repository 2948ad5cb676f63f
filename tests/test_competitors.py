"""Known-answer scenarios for opsanalysis.competitors on tiny hand-written frames."""

import numpy as np
import pandas as pd
import pytest

from opsanalysis import competitors

DAYS = pd.date_range("2026-10-01", periods=21, freq="D")
PAIRS = pd.DataFrame({"our_asin": ["B0OUR00001"], "competitor_asin": ["B0RIVAL001"],
                      "competitor_name": ["Rival"]})


def _history():
    # records only when a series changes, as Keepa writes them
    return pd.DataFrame({
        "date": [DAYS[0], DAYS[0], DAYS[14], DAYS[20], DAYS[7], DAYS[10]],
        "asin": ["B0OUR00001", "B0RIVAL001", "B0RIVAL001", "B0OUR00001", "B0RIVAL001",
                 "B0RIVAL001"],
        "buy_box_price": [20.0, 20.0, 16.0, 20.0, 20.4, 20.0],
        "sales_rank": [40, 300, 310, 60, 305, 300],
        "rating": [4.5, 4.0, 4.0, 4.4, 4.0, 4.0],
        "review_count": [100, 500, 520, 112, 510, 510],
    })


def test_daily_history_carries_records_forward():
    daily = competitors.daily_history(_history())
    ours = daily[daily["asin"] == "B0OUR00001"].set_index("date")
    assert len(ours) == 21
    assert ours.loc[DAYS[19], "sales_rank"] == 40 and ours.loc[DAYS[20], "sales_rank"] == 60
    assert ours.loc[DAYS[10], "price"] == 20.0


def test_price_changes_beyond_threshold_only():
    daily = competitors.daily_history(_history())
    changes = competitors.price_changes(daily, PAIRS, 0.05)
    # the 2 % moves of day 7 and day 10 stay below 5 %; the cut of day 14 is -20 %
    assert changes["date"].tolist() == [DAYS[14]]
    assert changes["price_change_share"].iloc[0] == pytest.approx(-0.2)
    assert changes["direction"].iloc[0] == "price_cut"


def test_price_position_on_a_day():
    daily = competitors.daily_history(_history())
    table = competitors.price_position(daily, PAIRS, DAYS[20])
    assert table["position"].iloc[0] == "dearer"
    assert table["price_difference"].iloc[0] == pytest.approx(4.0)
    assert table["price_difference_share"].iloc[0] == pytest.approx(0.25)
    unknown = competitors.price_position(daily, PAIRS.assign(competitor_asin="B0NOPE0001"),
                                         DAYS[20])
    assert unknown["position"].iloc[0] == "not_estimated"


def test_price_cut_next_to_a_sales_dip_is_the_likely_cause():
    daily = competitors.daily_history(_history())
    changes = competitors.price_changes(daily, PAIRS, 0.05)
    units = pd.DataFrame({"asin": "B0OUR00001", "date": DAYS,
                          "units": np.where(DAYS >= DAYS[14], 2.0, 5.0)})
    causes = competitors.price_cut_sales_dips(changes, units, 7, 0.2)
    assert causes["cut_date"].tolist() == [DAYS[14]]
    assert causes["units_before"].iloc[0] == 35 and causes["units_after"].iloc[0] == 14
    assert causes["sales_change_share"].iloc[0] == pytest.approx(-0.6)
    steady = units.assign(units=5.0)
    assert competitors.price_cut_sales_dips(changes, steady, 7, 0.2).empty


def test_buy_box_losses_count_missing_and_undercut_days():
    daily = pd.DataFrame({"asin": "B0OUR00001", "date": DAYS[:4],
                          "buy_box_price": [20.0, np.nan, 18.0, 20.0]})
    prices = pd.DataFrame({"asin": "B0OUR00001", "date": DAYS[:4], "our_price": 20.0})
    table = competitors.buy_box_losses(daily, ["B0OUR00001"], DAYS[0], DAYS[3], prices)
    row = table.iloc[0]
    assert (row["days_without_buy_box"], row["days_buy_box_below_our_price"]) == (1, 1)
    assert row["buy_box_loss_share"] == pytest.approx(0.5)
    assert row["last_loss_date"] == DAYS[2]
    blind = competitors.buy_box_losses(daily, ["B0OUR00001"], DAYS[0], DAYS[3])
    assert np.isnan(blind["days_buy_box_below_our_price"].iloc[0])


def test_sales_rank_and_bsr_measure():
    daily = competitors.daily_history(_history())
    table = competitors.sales_rank_position(daily, ["B0OUR00001"], DAYS[20], 50, 7)
    assert table["within_rule"].iloc[0] == "outside_rule"  # 60 > 50
    assert table["rank_change"].iloc[0] == 20
    measured = competitors.measure_bsr_rank(daily, ["B0OUR00001"], DAYS[14], DAYS[20])
    assert measured["value"].iloc[0] == pytest.approx((40 * 6 + 60) / 7)
    assert measured.attrs["window_days"] == 7
    assert competitors.measure_bsr_rank(None, [], DAYS[0], DAYS[1]) is None


def test_reviews_per_week_are_count_rises():
    daily = competitors.daily_history(_history())
    weekly = competitors.weekly_new_reviews(daily, ["B0OUR00001"], DAYS[20], 2)
    assert weekly["new_reviews"].tolist() == [0.0, 12.0]
    assert weekly["rating_fell"].tolist() == [False, True]
    measured = competitors.measure_new_reviews_per_week(daily, ["B0OUR00001"], DAYS[7],
                                                        DAYS[20])
    assert measured["numerator"].iloc[0] == 12 and measured["value"].iloc[0] == pytest.approx(6)

"""Drivers of the forecast: validation, alignment to the panel, derivation from All Orders, and
a planted price cut forecast better with them than without."""

import numpy as np
import pandas as pd
import pytest

from opsanalysis import forecast, params
from opsanalysis.forecast._drivers import align_drivers, attach_drivers, check_drivers
from opsanalysis.forecast._events import driver_covariates, driver_effects
from opsanalysis.forecast._panel import from_long

PARAMS = params.load("US")
SETTINGS = PARAMS["events"]["drivers"]
DATES = pd.date_range("2026-01-01", periods=6, freq="D")
NAN = np.nan


def _align(rows, ids=("US:A", "US:B", "UK:C"), dates=DATES):
    return align_drivers(check_drivers(pd.DataFrame(rows)), list(ids), dates)


# -- alignment -------------------------------------------------------------------------------


def test_alignment_per_sku_over_marketplace_over_all_rows_and_missing_dates():
    rows = [
        {"ds": "2026-01-01", "price": 10.0},                              # every series
        {"ds": "2026-01-03", "marketplace": "US", "price": 8.0},          # US series
        {"ds": "2026-01-03", "unique_id": "US:A", "price": 7.0},          # wins over the US row
        {"ds": "2026-01-05", "unique_id": "US:A", "price": 9.0},
        {"ds": "2026-01-04", "unique_id": "US:B", "promotion": 1},
        {"ds": "2026-01-02", "marketplace": "UK", "ad_budget": 50.0},
        {"ds": "2026-01-05", "marketplace": "UK", "ad_budget": 0.0},
        {"ds": "2026-03-01", "price": 99.0},                              # after the grid
    ]
    aligned = _align(rows)
    np.testing.assert_array_equal(aligned["price"], [[10, 10, 7, 7, 9, 9],
                                                     [10, 10, 8, 8, 8, 8],
                                                     [10, 10, 10, 10, 10, 10]])
    np.testing.assert_array_equal(aligned["promotion"], [[0, 0, 0, 0, 0, 0],
                                                         [0, 0, 0, 1, 0, 0],
                                                         [0, 0, 0, 0, 0, 0]])
    np.testing.assert_array_equal(aligned["ad_budget"], [[NAN] * 6, [NAN] * 6,
                                                         [NAN, 50, 50, 50, 0, 0]])


def test_price_carries_back_before_its_first_row_and_rows_before_the_grid_count_from_it():
    rows = [{"ds": "2026-01-04", "unique_id": "US:A", "price": 5.0},
            {"ds": "2025-12-20", "unique_id": "US:B", "price": 6.0},
            {"ds": "2025-12-28", "unique_id": "US:B", "price": 6.5},     # the later one holds
            {"ds": "2026-01-02", "unique_id": "US:B", "price": None}]    # empty: says nothing
    aligned = _align(rows, ids=("US:A", "US:B", "US:C"))
    np.testing.assert_array_equal(aligned["price"][:2], [[5] * 6, [6.5] * 6])
    assert np.isnan(aligned["price"][2]).all()  # no price known: unknown, not 0


def test_off_grid_dates_and_foreign_ids_are_errors():
    weekly = pd.date_range("2026-01-04", periods=4, freq="W-SUN")
    with pytest.raises(ValueError, match=r"'ds'.*2026-01-07 is not on the W-SUN grid"):
        _align([{"ds": "2026-01-07", "price": 3.0}], dates=weekly)
    with pytest.raises(ValueError, match="no unique_id of the drivers.*'A'.*history's unique_id"):
        _align([{"ds": "2026-01-02", "unique_id": "A", "price": 3.0}])


def test_forecast_horizon_sees_the_future_rows():
    history = pd.DataFrame({"unique_id": "US:A", "ds": DATES, "y": 1.0})
    drivers = pd.DataFrame({"unique_id": "US:A", "ds": pd.date_range("2026-01-01", periods=9),
                            "price": [4.0] * 7 + [2.0, 2.0]})
    panel = from_long(history)
    aligned = align_drivers(check_drivers(drivers), panel.ids,
                            panel.dates.append(panel.future_dates(3)))
    np.testing.assert_array_equal(aligned["price"], [[4, 4, 4, 4, 4, 4, 4, 2, 2]])


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize("frame, message", [
    ({"ds": ["2026-01-01"], "price": [1.0], "cost": [2.0]}, r"unknown column\(s\) \['cost'\]"),
    ({"date": ["2026-01-01"], "price": [1.0]}, r"unknown column\(s\) \['date'\]"),
    ({"unique_id": ["US:A"], "price": [1.0]}, "column 'ds' is missing"),
    ({"ds": ["2026-01-01"], "unique_id": ["US:A"]}, "no driver column"),
    ({"ds": ["2026-01-01", "soon"], "price": [1.0, 2.0]}, "column 'ds', row 1: expected a date"),
    ({"ds": ["2026-01-01 10:00"], "price": [1.0]}, "without a time of day"),
    ({"ds": ["2026-01-01"], "price": [-3.0]}, r"column 'price', row 0: expected selling price.*> 0"),
    ({"ds": ["2026-01-01"], "price": ["cheap"]}, "column 'price', row 0.*'cheap'"),
    ({"ds": ["2026-01-01"], "promotion": [2]}, "column 'promotion', row 0: expected .* 0 or 1"),
    ({"ds": ["2026-01-01"], "ad_budget": [-1.0]}, "column 'ad_budget'.*>= 0"),
    ({"ds": ["2026-01-01", "2026-01-01"], "unique_id": ["US:A", "US:A"], "price": [1.0, 2.0]},
     "rows 0, 1 repeat the same date and scope"),
])
def test_validation_names_column_row_and_expectation(frame, message):
    with pytest.raises(ValueError, match=message):
        check_drivers(pd.DataFrame(frame))


def test_drivers_need_the_events_section_of_params():
    history = pd.DataFrame({"unique_id": "US:A", "ds": DATES, "y": 1.0})
    drivers = pd.DataFrame({"ds": DATES, "price": 2.0})
    with pytest.raises(ValueError, match="events.drivers"):
        forecast.predict(history, 2, "naive", (), params=PARAMS["forecast"], drivers=drivers)


# -- derivation from All Orders --------------------------------------------------------------


def test_price_and_promotion_from_a_hand_made_all_orders_frame():
    utc = pd.to_datetime([
        "2026-03-02T05:00:00Z",  # 2026-03-01 21:00 in Los Angeles
        "2026-03-02T06:00:00Z",
        "2026-03-02T20:00:00Z",  # 2026-03-02 12:00
        "2026-03-02T21:00:00Z",
        "2026-03-02T22:00:00Z",  # cancelled, no price
        "2026-03-02T23:00:00Z",  # multi-channel fulfilment: no sale on Amazon
        "2026-03-03T01:00:00Z",  # pending, no price yet
        "2026-03-02T09:00:00Z",  # another SKU, 01:00 local
    ], utc=True)
    orders = pd.DataFrame({
        "purchase_date": utc,
        "order_status": ["Shipped", "Shipped", "Shipped", "Shipped", "Cancelled", "Shipped",
                         "Pending", "Shipped"],
        "sales_channel": ["Amazon.com"] * 5 + ["Non-Amazon", "Amazon.com", "Amazon.com"],
        "sku": ["A", "A", "A", "A", "A", "A", "A", "B"],
        "quantity": [2, 1, 1, 1, 0, 3, 1, 1],
        "item_price": [20.0, 12.0, 8.0, 10.0, NAN, NAN, NAN, 5.0],
        "promotion_ids": ["", "Lightning Deal 123", "US Core Free Shipping Promotion ABC", "",
                          "", "", "", "Coupon 9, US Core Free Shipping Promotion ABC"],
        "item_promotion_discount": [0.0, 3.0, 0.0, 2.0, NAN, NAN, NAN, 1.0],
    })
    derived = forecast.drivers_from_orders(orders, "US", settings=SETTINGS)
    expected = pd.DataFrame({
        "unique_id": ["US:A", "US:A", "US:B"], "marketplace": "US",
        "ds": pd.to_datetime(["2026-03-01", "2026-03-02", "2026-03-02"]).astype("datetime64[ns]"),
        # 03-01: 32 over 3 units, 1 of 3 promoted; 03-02: 18 over 2 units, 1 of 2 discounted
        "price": [32 / 3, 9.0, 5.0], "promotion": [0.0, 1.0, 1.0],
    })
    pd.testing.assert_frame_equal(derived, expected)
    check_drivers(derived)  # a valid drivers frame as it is


def test_derivation_names_missing_columns():
    orders = pd.DataFrame({"purchase_date": [], "sku": [], "quantity": []})
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['order_status', 'item_price'\]"):
        forecast.drivers_from_orders(orders, "US", settings=SETTINGS)


# -- effects and the planted price cut -------------------------------------------------------


def _priced_world(n_series=24, n_days=360, cut_last=20, seed=0):
    """Daily Poisson demand with elasticity -1.5 to permanent price changes and a x2 lift on
    promotion days; the first third of the series get a 30 % price cut for the last
    ``cut_last`` days."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2025-01-01", periods=n_days, freq="D")
    history, drivers = [], []
    for i in range(n_series):
        price = np.full(n_days, 20.0)
        for day in rng.choice(np.arange(40, n_days - cut_last), 3, replace=False):
            price[day:] *= 1 + rng.choice([-1, 1]) * 0.2
        if i < n_series // 3:
            price[n_days - cut_last:] *= 0.7
        promotion = (rng.random(n_days) < 0.03).astype(float)
        mean = rng.uniform(3, 10) * (price / 20.0) ** -1.5 * np.where(promotion > 0, 2.0, 1.0)
        uid = f"US:S{i:02d}"
        history.append(pd.DataFrame({"unique_id": uid, "ds": dates,
                                     "y": rng.poisson(mean).astype(float)}))
        drivers.append(pd.DataFrame({"unique_id": uid, "ds": dates, "price": price,
                                     "promotion": promotion}))
    cut = [f"US:S{i:02d}" for i in range(n_series // 3)]
    return pd.concat(history), pd.concat(drivers), cut


def test_effects_recover_the_planted_elasticity_and_promotion_lift():
    history, drivers, _ = _priced_world()
    panel = attach_drivers(from_long(history), drivers, 1, SETTINGS)
    effects = driver_effects(panel, driver_covariates(panel, 1, None))
    assert effects["log_price"] == pytest.approx(-1.5, abs=0.15)
    assert effects["promotion"] == pytest.approx(np.log(2.0), abs=0.1)


@pytest.mark.parametrize("method", ["ets", "moving_average_28", "gbm"])
def test_a_planted_price_cut_is_forecast_better_with_drivers(method):
    history, drivers, cut = _priced_world()
    without = forecast.backtest(history, 20, [method], 1, (), params=PARAMS)
    with_ = forecast.backtest(history, 20, [method], 1, (), params=PARAMS, drivers=drivers)
    before = without.set_index("unique_id")["rmsse"]
    after = with_.set_index("unique_id")["rmsse"]
    assert after[cut].mean() < 0.8 * before[cut].mean()
    # the forecast of a cut series rises towards the demand at the lower price (x 0.7^-1.5)
    level = without.set_index("unique_id").loc[cut, "forecast_mean"]
    assert (with_.set_index("unique_id").loc[cut, "forecast_mean"] > 1.2 * level).all()


def test_no_drivers_leaves_the_panel_and_the_forecast_as_before():
    history, drivers, _ = _priced_world(n_series=4, n_days=120)
    plain = forecast.predict(history, 7, "ets", (), params=PARAMS)
    again = forecast.predict(history, 7, "ets", (), params=PARAMS, drivers=None)
    pd.testing.assert_frame_equal(plain, again)
    assert attach_drivers(from_long(history), None, 7, SETTINGS).drivers is None

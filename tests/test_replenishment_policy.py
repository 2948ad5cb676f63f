"""Daily dispersion of lumpy demand in the policy maths (issue 18.4): known answers.

A wholesale SKU's daily forecast quantile sits near its mean (Poisson-like), while its day-to-day
variance is many times the mean. The policy measures that dispersion on the SKU's own history,
floors each day's noise at it, and measures the level uncertainty beyond it, so that lumpiness
adds up over a long protection interval as independent days, not as a level error.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from opsanalysis import replenishment as rp
from opsanalysis.replenishment import policy

AS_OF = pd.Timestamp("2026-03-31")
#: Flat recommend_orders settings: no cover rules, crossover or lift; the normal floor and the
#: daily dispersion on (the params' choice), fixed 35-day sea-freight lead time, weekly review,
#: four-week windows.
SEA = {"lead_time_days": 35, "lead_time_cv": 0.0, "review_period_days": 7,
       "target_service_level": 0.95, "order_crossover": False, "service_quantile": "larger_of_both",
       "daily_dispersion": True, "seasonal_lift": None, "min_cover_days": 0.0,
       "target_cover_days": 0.0, "max_cover_days": np.inf, "production_days": 0.0,
       "forecast_method": "naive", "forecast_quantile": 0.9, "velocity_window_days": 28,
       "rate_window_days": 28}


def _fortnightly_history(days=406, size=20.0):
    """'Every other week a wholesaler takes 20 a day': a week of 0, a week of 20 (mean 10 a day).

    Every 28-day window holds exactly 280 units and every 42-day interval exactly 420: the
    trailing velocity never errs, so the level uncertainty is 0 and the spread is all noise.
    """
    dates = pd.date_range(end=AS_OF, periods=days, freq="D")
    units = np.where((np.arange(days)[::-1] // 7) % 2 == 0, size, 0.0)
    return pd.DataFrame({"unique_id": "W", "ds": dates, "y": units})


def _flat_poisson_forecast(rate=10.0, days=120):
    """A flat forecast whose q90 implies Poisson noise (variance = mean), as on lumpy series."""
    dates = pd.date_range(AS_OF + pd.Timedelta(days=1), periods=days, freq="D")
    return pd.DataFrame({"unique_id": "W", "ds": dates, "forecast": rate,
                         "q90": rate + special.ndtri(0.9) * np.sqrt(rate)})


def test_daily_dispersion_known_blocks():
    block = 28
    fortnightly = np.tile(np.repeat([0.0, 4.0], 7), 4)  # weekly totals 0, 28, 0, 28 per block
    constant = np.full(2 * block, 3.0)                   # no spread: Poisson floor 1
    shifting = np.repeat([1.0, 5.0], block)              # a level shift between blocks: not noise
    weekdays = np.tile([0.0, 0, 0, 0, 0, 10, 10], 8)     # a weekday pattern: not noise
    censored = fortnightly.copy()
    censored[3] = np.nan                                 # first block skipped, the second counts
    values = np.vstack([fortnightly, constant, shifting, weekdays, censored,
                        np.zeros(2 * block)])
    out = policy.daily_dispersion(values, block_days=block)
    expected = (4 * 14**2 / 3) / 14                      # variance 261.3 / mean 14 = 18.67
    assert out == pytest.approx([expected, 1.0, 1.0, 1.0, expected, 1.0])
    with pytest.raises(ValueError, match="two whole weeks"):
        policy.daily_dispersion(values, block_days=10)


def test_daily_dispersion_of_monthly_demand_reads_whole_months():
    # a monthly series spread evenly over its days (the replay of carparts): months of 60 and
    # 0 units alternate, 12 months of 30 days; the lumps are the months' totals
    values = np.repeat(np.tile([60.0, 0.0], 6) / 30.0, 30)[None, :]
    monthly = policy.daily_dispersion(values, block_days=28, period_days=30.4375)
    # 4 months per block (as 4 weeks in a daily block), 3 blocks in 364 days: totals 60, 0,
    # 60, 0 in each, variance 4 x 30^2 / 3 = 1200 around the mean 30
    assert monthly == pytest.approx([40.0])
    # weekly totals see only the weeks straddling a change of month: far less
    weekly = policy.daily_dispersion(values, block_days=28)
    assert weekly[0] < 10.0
    # a weekly series is read in weeks, as daily demand is
    assert policy.daily_dispersion(values, block_days=28, period_days=7.0) == pytest.approx(
        weekly)


def test_variance_floor_is_dispersion_times_mean():
    mean = np.array([[10.0, 10.0], [2.0, 2.0]])
    upper = mean + special.ndtri(0.9) * np.sqrt(mean)  # Poisson-like quantile
    out = policy.demand_variance_from_quantiles(mean, upper, 0.9, dispersion=np.array([20.0, 1.0]))
    assert out == pytest.approx(np.array([[200.0, 200.0], [2.0, 2.0]]))
    # a quantile wider than the floor stays in force
    wide = policy.demand_variance_from_quantiles(mean, mean + special.ndtri(0.9) * 30.0, 0.9,
                                                 dispersion=np.array([20.0, 1.0]))
    assert wide == pytest.approx(np.full((2, 2), 900.0))


def test_lumpiness_is_not_counted_as_level_uncertainty():
    # orders of 20 units arriving as a Poisson process of 0.5 a day: a constant level, daily
    # variance 20 x 20 x 0.5 = 200 = 20 x the mean (10); nothing persists from day to day
    rng = np.random.default_rng(7)
    values = 20.0 * rng.poisson(0.5, (200, 420))
    dispersion = policy.daily_dispersion(values, block_days=28)
    assert np.median(dispersion) == pytest.approx(20.0, rel=0.1)
    as_level = policy.level_cv_from_history(values, 42, window_days=30)
    net = policy.level_cv_from_history(values, 42, window_days=30, dispersion=dispersion)
    # Both the 42-day total and the trailing 30-day velocity scaled to 42 days carry lumps: the
    # squared error has mean 20 x 420 x (1 + 42 / 30) = 20,160. As Poisson noise only
    # (1 x 420 x 2.4 removed), (20 - 1) x 2.4 x 420 / 420^2 = 0.109 is left as level error:
    # c about 0.33. Net of the SKU's dispersion nothing is left: the level is constant.
    assert np.median(as_level) == pytest.approx(np.sqrt(19 * 2.4 / 420), abs=0.04)
    assert np.all(net == 0.0)
    # pooled over the SKUs: one value for all, unlike the per-SKU estimate
    assert np.ptp(as_level) == 0.0
    per_sku = policy.level_cv_from_history(values, 42, window_days=30, prior_weight=4.0)
    assert np.ptp(per_sku) > 0.05


def _expected_sea_freight_order_up_to():
    """Hand-computed order-up-to of the fortnightly SKU at a 35-day lead time + 7-day review."""
    weekly = np.array([0.0, 140.0, 0.0, 140.0])
    dispersion = weekly.var(ddof=1) / weekly.mean()   # 6533.3 / 70 = 93.3
    mean = 10.0 * 42
    variance = dispersion * mean                       # 39,200: level uncertainty 0
    n, p = mean**2 / (variance - mean), mean / variance
    skewed = stats.nbinom.ppf(0.95, n, p)
    normal = np.ceil(mean + special.ndtri(0.95) * np.sqrt(variance))
    return max(skewed, normal), mean


def test_sea_freight_wholesale_sku_known_order_up_to():
    expected, mean = _expected_sea_freight_order_up_to()
    # 420 + 1.645 x sqrt(93.3 x 420) = 746 by the normal bound; the skewed quantile is higher
    assert 746 <= expected <= 850
    position = pd.DataFrame({"unique_id": ["W"], "on_hand": [0], "on_order": [0]})
    out = rp.recommend_orders(_fortnightly_history(), position, SEA, AS_OF,
                              forecast=_flat_poisson_forecast()).iloc[0]
    assert out["level_cv"] == 0.0
    assert out["order_up_to"] == expected and out["reorder_point"] == expected
    assert out["safety_stock"] == expected - mean
    # as Poisson noise (the forecast's quantile alone) the same SKU gets far less stock
    poisson = rp.recommend_orders(_fortnightly_history(), position,
                                  {**SEA, "daily_dispersion": False}, AS_OF,
                                  forecast=_flat_poisson_forecast()).iloc[0]
    assert poisson["order_up_to"] == max(stats.poisson.ppf(0.95, mean),
                                         np.ceil(mean + special.ndtri(0.95) * np.sqrt(mean)))


def test_policy_replay_sets_the_plans_level_on_the_sea_freight_sku():
    # the simulator's policy on the same forecast, made at several earlier origins, agrees
    expected, _ = _expected_sea_freight_order_up_to()
    history = _fortnightly_history()
    dates = pd.DatetimeIndex(history["ds"])
    origins = dates[[-200, -150, -100, -1]]
    frames = []
    for origin in origins:
        days = pd.date_range(origin + pd.Timedelta(days=1), periods=120, freq="D")
        frames.append(pd.DataFrame({"origin": origin, "unique_id": "W", "ds": days,
                                    "forecast": 10.0,
                                    "q90": 10.0 + special.ndtri(0.9) * np.sqrt(10.0)}))
    forecasts = pd.concat(frames, ignore_index=True)
    replay = rp.forecast_policy(forecasts, 0.95, "ours", quantile=0.9, velocity_window_days=28,
                                rate_window_days=28, seasonal=None, order_crossover=False,
                                service_quantile="larger_of_both", daily_dispersion=True)
    full = np.append(history["y"].to_numpy(), 0.0)[None, :]  # one more day: decide after AS_OF
    context = {"ids": pd.Index(["W"]), "dates": dates.append(pd.DatetimeIndex(
        [AS_OF + pd.Timedelta(days=1)])), "lead_time_days": np.array([35.0]),
        "lead_time_cv": np.array([0.0]), "review_period_days": np.array([7.0])}
    reorder_point, order_up_to = replay.levels(len(dates), full[:, :len(dates)], context)
    assert reorder_point[0] == expected and order_up_to[0] == expected

"""The ``auto`` selection rule on panels where the right choice is known by construction."""

import copy

import numpy as np
import pandas as pd
import pytest

from opsanalysis import forecast, params
from opsanalysis.forecast._core import (
    _combination_weights,
    _cross_validated_level,
    _cross_validated_weighting,
    _seasonal_profile,
)

GRID = [0.0, 0.5, 0.8, 0.9, 1.0]
POWERS = [0.0, 1.0, 2.0, 4.0]
EQUAL = (1.0, 0.0)  # all-series ranking, equal weights


def _panel(matrix, start="2025-01-01"):
    matrix = np.asarray(matrix, dtype=float)
    n_series, n_periods = matrix.shape
    return pd.DataFrame({
        "unique_id": np.repeat([f"US:s{i:04d}" for i in range(n_series)], n_periods),
        "ds": np.tile(pd.date_range(start, periods=n_periods), n_series),
        "y": matrix.ravel(),
    })


@pytest.fixture(scope="module")
def auto_params():
    """Defaults with two candidates, one per series picked (top_k 1), shrinkage cross-validated.

    The level factor and the pooled weekday profile are fixed off (factor 1, no profile): these
    tests are about which candidates each series gets; the level rule has its own tests below.
    """
    p = copy.deepcopy(params.load_defaults())
    p["forecast"]["auto"].update(candidates=["seasonal_naive", "moving_average_28"], top_k=1,
                                 shrinkage=GRID, level_factor=1.0, seasonal_profile=False)
    return p


def _by_series(history, method, p, horizon=14):
    out = forecast.predict(history, horizon, method, quantiles=(), params=p)
    return out["forecast"].to_numpy().reshape(-1, horizon)


def test_cross_validation_keeps_each_series_own_choice_when_the_candidates_differ_in_kind():
    # 2 candidates x 4 series x 2 windows: candidate 0 is exact on series 0-2, candidate 1 on
    # series 3, in both windows. Left-out window, own record (shrinkage 0): every series exact.
    # All-series ranking (shrinkage 1): candidate 0 for all, series 3 misses by 1 each period.
    actual = np.ones((4, 2))
    forecasts = np.stack([np.array([[1, 1]] * 3 + [[2, 2]], float),
                          np.array([[3, 3]] * 3 + [[1, 1]], float)])
    errors = np.array([[0.0, 0.0, 0.0, 1.0], [2.0, 2.0, 2.0, 0.0]])
    history = np.tile([0.0, 1.0], (4, 5))  # squared one-step change 1: RMSSE = RMSE
    windows = [(errors, forecasts, actual, history)] * 2
    assert _cross_validated_weighting(windows, 1, GRID, POWERS) == (0.0, 0.0)
    # one window cannot be left out: the all-series ranking
    assert _cross_validated_weighting(windows[:1], 1, GRID, POWERS) == (1.0, 0.0)


def test_cross_validation_trusts_the_all_series_ranking_when_own_records_are_noise():
    # the same windows, but series 3's own record flips between them (candidate 1 best in one
    # window, candidate 0 in the other, as noise would): its left-out window is then missed by
    # the own choice; candidate 0 is exact everywhere else, so the all-series ranking wins.
    actual = np.ones((4, 2))
    exact_0 = np.stack([np.array([[1, 1]] * 4, float), np.array([[3, 3]] * 3 + [[2, 2]], float)])
    exact_1 = np.stack([np.array([[1, 1]] * 3 + [[2, 2]], float),
                        np.array([[3, 3]] * 3 + [[1, 1]], float)])
    windows = [(np.array([[0.0, 0.0, 0.0, 0.0], [2.0, 2.0, 2.0, 1.0]]), exact_0, actual,
                np.tile([0.0, 1.0], (4, 5))),
               (np.array([[0.0, 0.0, 0.0, 1.0], [2.0, 2.0, 2.0, 0.0]]), exact_1, actual,
                np.tile([0.0, 1.0], (4, 5)))]
    assert _cross_validated_weighting(windows, 1, GRID, POWERS) == (1.0, 0.0)


def test_auto_picks_seasonal_naive_for_weekly_series_and_the_mean_for_flat_ones(auto_params):
    # 20 series with a strong weekly pattern (amplitude 8, noise sd 0.5): last week's values are
    # right, a 28-day mean misses the pattern. 20 flat series (level 10, noise sd 3): the 28-day
    # mean is right, last week's values carry twice the noise variance. Each series' own record
    # decides, the cross-validated shrinkage lets it: auto equals the right method per series.
    rng = np.random.default_rng(7)
    n_days = 140
    weekly = 10.0 + 8.0 * np.sin(2 * np.pi * np.arange(n_days) / 7.0)
    seasonal = weekly + rng.normal(0.0, 0.5, (20, n_days))
    flat = 10.0 + rng.normal(0.0, 3.0, (20, n_days))
    history = _panel(np.vstack([seasonal, flat]))
    auto = _by_series(history, "auto", auto_params)
    assert auto[:20] == pytest.approx(_by_series(history, "seasonal_naive", auto_params)[:20],
                                      abs=1e-12)
    assert auto[20:] == pytest.approx(_by_series(history, "moving_average_28", auto_params)[20:],
                                      abs=1e-12)
    # the all-series ranking alone (shrinkage 1) gives every series one method and misses half
    fixed = copy.deepcopy(auto_params)
    fixed["forecast"]["auto"]["shrinkage"] = 1.0
    pooled = _by_series(history, "auto", fixed)
    assert (np.abs(pooled - auto).max(axis=1) > 1.0).sum() == 20


def test_auto_gives_every_series_the_better_method_when_all_series_are_alike(auto_params):
    # 60 flat series (level 20, noise sd 4): the 28-day mean is right for every series (noise
    # variance 1 + 1/28 against 1 + 1/7 for the 7-day mean, RMSSE 5 % lower), but by chance some
    # series' own holdouts favour the 7-day mean; the cross-validated shrinkage sees that own
    # records do not carry over to the left-out window and pools them.
    rng = np.random.default_rng(3)
    history = _panel(20.0 + rng.normal(0.0, 4.0, (60, 140)))
    p = copy.deepcopy(auto_params)
    p["forecast"]["auto"]["candidates"] = ["moving_average_7", "moving_average_28"]
    own = copy.deepcopy(p)
    own["forecast"]["auto"]["shrinkage"] = 0.0
    mean_28 = _by_series(history, "moving_average_28", p)
    picked_7 = np.abs(_by_series(history, "auto", own) - mean_28).max(axis=1) > 1e-9
    assert 5 <= picked_7.sum() <= 30  # noise sends some series to the 7-day mean
    assert _by_series(history, "auto", p) == pytest.approx(mean_28, abs=1e-12)


FACTORS = [0.8, 0.85, 0.9, 0.95, 1.0]
WEEK = np.array([1.4, 1.2, 1.0, 1.0, 0.8, 0.6, np.nan])  # a closed seventh day


def test_weights_of_the_chosen_candidates_follow_the_inverse_score_to_the_power():
    # one series, three candidates scoring 1, 2 and 4: top 2 are candidates 0 and 1
    errors = np.array([[1.0], [2.0], [4.0]])
    assert _combination_weights(errors, 2, 0.0, 0.0)[:, 0] == pytest.approx([0.5, 0.5, 0.0])
    assert _combination_weights(errors, 2, 0.0, 1.0)[:, 0] == pytest.approx([2 / 3, 1 / 3, 0.0])
    assert _combination_weights(errors, 2, 0.0, 2.0)[:, 0] == pytest.approx([0.8, 0.2, 0.0])
    # an exact candidate (score 0) takes all the weight; no score anywhere: equal weights
    assert _combination_weights(np.array([[0.0], [2.0]]), 2, 0.0, 1.0)[:, 0] == pytest.approx(
        [1.0, 0.0], abs=1e-8)
    assert _combination_weights(np.full((2, 1), np.nan), 2, 0.0, 4.0)[:, 0] == pytest.approx(
        [0.5, 0.5])


def test_cross_validation_weights_the_better_candidate_when_it_is_better_in_every_window():
    # 2 candidates x 4 series x 2 windows, actuals 10: candidate 0 says 10.5 (RMSE 0.5),
    # candidate 1 says 12 (RMSE 2), top_k 2. Equal weights forecast 11.25 (error 1.25); power 4
    # puts 256/257 on candidate 0 (error 0.506): the largest power wins. The series are alike:
    # every shrinkage ties and the pooled one (1) is kept.
    actual = np.full((4, 3), 10.0)
    forecasts = np.stack([np.full((4, 3), 10.5), np.full((4, 3), 12.0)])
    errors = np.array([[0.5] * 4, [2.0] * 4])
    history = np.tile([0.0, 1.0], (4, 5))  # squared one-step change 1: RMSSE = RMSE
    windows = [(errors, forecasts, actual, history)] * 2
    assert _cross_validated_weighting(windows, 2, GRID, POWERS) == (1.0, 4.0)
    # one window cannot be left out: equal weights
    assert _cross_validated_weighting(windows[:1], 2, GRID, POWERS) == (1.0, 0.0)


def _level_windows(actual_level, actual_shape, n_windows=3, horizon=14):
    """2 candidates x 5 series forecasting 10 flat; actuals ``actual_level`` x shape per day.

    The histories (20 weeks) carry the same weekday shape, so the pooled profile reads it.
    """
    n_history = 140
    history = 10.0 * np.tile(WEEK, (5, n_history // 7))
    forecasts = np.full((2, 5, horizon), 10.0)
    actual = actual_level * np.tile(actual_shape[np.arange(n_history, n_history + horizon) % 7],
                                    (5, 1))
    errors = np.ones((2, 5))
    return [(errors, forecasts, actual, history)] * n_windows


def test_seasonal_profile_reads_the_pooled_weekday_shape_and_leaves_closed_days_at_one():
    # two series of different size with the same weekday shape: ratio to own mean = shape / mean
    history = np.vstack([np.tile(WEEK, 20) * 10.0, np.tile(WEEK, 20) * 3.0])
    profile = _seasonal_profile(history, 10, 7, 13)
    expected = WEEK / np.nanmean(WEEK)
    expected[6] = 1.0  # never observed: no shape
    assert profile == pytest.approx(expected[np.arange(140, 150) % 7], abs=1e-12)


def test_level_factor_is_the_one_that_forecasts_the_left_out_windows():
    # actuals at 8 every day while the candidates say 10: a factor 0.8 is exact in every window
    assert _cross_validated_level(_level_windows(8.0, np.ones(7)), 1, EQUAL, FACTORS, None) == (
        0.8, False)
    # actuals at 10: the candidates are right, factor 1 (no shrinking without a reason)
    assert _cross_validated_level(_level_windows(10.0, np.ones(7)), 1, EQUAL, FACTORS, None) == (
        1.0, False)
    # a single window cannot be left out: factor nearest 1
    assert _cross_validated_level(_level_windows(8.0, np.ones(7))[:1], 1, EQUAL, FACTORS,
                                  None) == (1.0, False)


def test_level_profile_is_taken_when_the_actuals_follow_the_weekday_shape_of_the_history():
    shape = WEEK / np.nanmean(WEEK)
    # actuals follow the history's weekday shape around the candidates' level: profile, factor 1
    assert _cross_validated_level(_level_windows(10.0, shape), 1, EQUAL, FACTORS, (7, 13)) == (
        1.0, True)
    # flat actuals: the profile would add error, it is left out
    assert _cross_validated_level(_level_windows(10.0, np.ones(7)), 1, EQUAL, FACTORS,
                                  (7, 13)) == (1.0, False)


def test_auto_shrinks_its_level_on_falling_demand_and_not_on_steady_demand(auto_params):
    # 30 series falling 1 % a day (from 40): every holdout window's demand is below the 28-day
    # mean the candidates give, so the cross-validation shrinks the combination (factor < 1);
    # 30 steady series (level 20, noise sd 1): factor 1, auto is the chosen candidate itself.
    p = copy.deepcopy(auto_params)
    p["forecast"]["auto"].update(candidates=["moving_average_28"], level_factor=FACTORS)
    days = np.arange(140)
    falling = _panel(np.tile(40.0 * 0.99 ** days, (30, 1)))
    ratio = _by_series(falling, "auto", p) / _by_series(falling, "moving_average_28", p)
    assert ratio == pytest.approx(np.full_like(ratio, ratio[0, 0]), abs=1e-12)
    assert ratio[0, 0] < 1.0
    steady = _panel(20.0 + np.random.default_rng(5).normal(0.0, 1.0, (30, 140)))
    assert _by_series(steady, "auto", p) == pytest.approx(
        _by_series(steady, "moving_average_28", p), abs=1e-12)


def test_a_long_horizon_ranks_on_short_windows_and_keeps_auto_for_young_series(auto_params):
    # A plan forecasts ~200 days; a seller with 140 days of history. With holdout windows of the
    # whole horizon auto would need 400 days (min_history_horizons 2) and every series would get
    # the fallback (the 28-day mean). With windows of at most 28 days (backtest_horizon_max) the
    # weekly series keep their seasonal naive over all 200 days, the flat ones their mean, and
    # the first 28 days equal the 28-day forecast, quantiles included (same windows, same pool).
    rng = np.random.default_rng(7)
    weekly = 10.0 + 8.0 * np.sin(2 * np.pi * np.arange(140) / 7.0)
    history = _panel(np.vstack([weekly + rng.normal(0.0, 0.5, (20, 140)),
                                10.0 + rng.normal(0.0, 3.0, (20, 140))]))
    p = copy.deepcopy(auto_params)
    p["forecast"]["backtest_horizon_max"] = 28
    long = forecast.predict(history, 200, "auto", quantiles=(0.9,), params=p)
    short = forecast.predict(history, 28, "auto", quantiles=(0.9,), params=p)
    assert _by_series(history, "auto", p, 200)[:20] == pytest.approx(
        _by_series(history, "seasonal_naive", p, 200)[:20], abs=1e-12)
    assert _by_series(history, "auto", p, 200)[20:] == pytest.approx(
        _by_series(history, "moving_average_28", p, 200)[20:], abs=1e-12)
    first = long[long["ds"] <= short["ds"].max()].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, short)
    # windows as long as the horizon: 140 days < 2 x 200, every series on the fallback
    p["forecast"]["backtest_horizon_max"] = 200
    assert _by_series(history, "auto", p, 200) == pytest.approx(
        _by_series(history, "moving_average_28", p, 200), abs=1e-12)


def test_backtest_length_is_the_horizon_up_to_its_cap():
    from opsanalysis.forecast._core import backtest_length

    settings = {"backtest_horizon_max": 56}
    assert [backtest_length(h, settings) for h in (1, 28, 56, 57, 215)] == [1, 28, 56, 56, 56]


def test_gbm_stays_out_of_auto_when_the_horizon_is_longer_than_the_windows(auto_params):
    # gbm's model changes with the horizon (lags >= horizon): ranked on 28-day windows it would
    # not be the model that forecasts 200 days. Candidates gbm and the 28-day mean: at a horizon
    # within the windows gbm can be chosen (auto differs from the mean), beyond it auto is the mean.
    rng = np.random.default_rng(5)
    weekly = 10.0 + 8.0 * np.sin(2 * np.pi * np.arange(280) / 7.0)
    history = _panel(weekly + rng.normal(0.0, 0.5, (30, 280)))
    p = copy.deepcopy(auto_params)
    p["forecast"]["backtest_horizon_max"] = 28
    p["forecast"]["auto"]["candidates"] = ["gbm", "moving_average_28"]
    mean_28 = _by_series(history, "moving_average_28", p, 60)
    assert _by_series(history, "auto", p, 60) == pytest.approx(mean_28, abs=1e-12)
    within = _by_series(history, "auto", p, 28)
    assert np.abs(within - mean_28[:, :28]).max() > 1.0

"""Day-by-day simulator: hand-computed service, FIFO ages, fees and policy levels."""

import importlib

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from opsanalysis import params as params_module
from opsanalysis import replenishment as rp


def _history(values, start="2026-01-01", ids=("A",)):
    values = np.atleast_2d(np.asarray(values, dtype=float))
    dates = pd.date_range(start, periods=values.shape[1], freq="D")
    return pd.DataFrame({"unique_id": np.repeat(list(ids), len(dates)),
                         "ds": np.tile(dates, len(ids)), "y": values.ravel()})


def _constant(reorder_point, order_up_to):
    return rp.Policy("constant", lambda day, demand, context: (
        np.full(len(context["ids"]), float(reorder_point)),
        np.full(len(context["ids"]), float(order_up_to))))


REP = params_module.load_defaults()["replenishment"]
# every simulate setting is explicit (no code defaults); no fee tables: no costs
SETTINGS = {"lead_time_days": 3, "lead_time_cv": 0.0, "review_period_days": 1,
            "start": "2026-01-01", "unit_volume_cuft": REP["unit_volume_cuft"],
            "storage_type": REP["storage_type"], "fees": None, "aged_days": REP["aged_days"],
            "seed": 0}
#: named policies read these
NAMED = {"velocity_window_days": 30, "rule_of_thumb": REP["rule_of_thumb"]}
#: forecast_policy keywords of the known answers: no lift, crossover, floor or dispersion, 28-day windows
PLAIN = {"quantile": 0.9, "velocity_window_days": 28, "rate_window_days": 28, "seasonal": None,
         "order_crossover": False, "service_quantile": "negative_binomial", "daily_dispersion": False}


def test_enough_stock_serves_everything():
    # 5/day, lead time 3, daily review: order-up-to 20 = 5 x (3 + 1) never runs out
    out = rp.simulate(_history(np.full(40, 5.0)), _constant(20, 20), SETTINGS).iloc[0]
    assert out["fill_rate"] == 1.0 and out["lost"] == 0 and out["stockout_days"] == 0
    assert out["cycle_service_level"] == 1.0


def test_short_order_up_to_loses_every_fourth_day():
    # order-up-to 15 covers only 3 of the 4 days between an order and the next arrival: from day
    # 3 on, every fourth day's 5 units are lost (days 3, 7, ..., 39: 10 days of 40)
    out = rp.simulate(_history(np.full(40, 5.0)), _constant(15, 15), SETTINGS).iloc[0]
    assert out["lost"] == 50 and out["fill_rate"] == 0.75
    assert out["cycle_service_level"] == 0.75
    assert out["stockout_days"] == 10


def test_no_stock_serves_nothing():
    out = rp.simulate(_history(np.full(30, 2.0)), _constant(-1, 0), SETTINGS).iloc[0]
    assert out["fill_rate"] == 0.0 and out["stockout_days"] == 30 and out["orders"] == 0


def test_fifo_aged_units_and_fees():
    # 300 units received on 2026-01-01, no demand, never reordered. FIFO ages: older than 180
    # days from day 181 on. Aged surcharge at the snapshots of July 15 (195 days: 181-210 tier,
    # $0.50/cu ft) and August 15 (226 days: 211-240 tier, $1.00/cu ft), 0.1 cu ft each:
    # 300 x 0.05 + 300 x 0.10 = 45. Storage: Jan-Jul at $0.78/cu ft/month = 7 x 23.4 = 163.8,
    # plus 20 of 31 August days = 15.097.
    settings = {**SETTINGS, "fees": params_module.load("US"), "unit_volume_cuft": 0.1}
    out = rp.simulate(_history(np.zeros(232)), _constant(-1, 300), settings).iloc[0]
    assert out["aged_cost"] == pytest.approx(45.0)
    assert out["storage_cost"] == pytest.approx(163.8 + 23.4 * 20 / 31)
    # units aged > 180 days: 300 on days 181..231 (51 of 232 days)
    assert out["aged_units"] == pytest.approx(300 * 51 / 232)


def test_unknown_aged_surcharge_is_missing_never_zero():
    # JP's fee table has no aged-inventory surcharge tiers: the replay cannot price aged stock,
    # so the SKU's aged cost, the policy's pooled aged cost and its total are unknown (NaN)
    settings = {**SETTINGS, "fees": params_module.load("JP"), "unit_volume_cuft": 0.1}
    rows = rp.simulate(_history(np.zeros((2, 232)), ids=("A", "B")), _constant(-1, 300), settings)
    assert rows["aged_cost"].isna().all() and rows["storage_cost"].notna().all()
    summary = rp.simulation_summary(rows)
    assert summary["aged_cost"].isna().all() and summary["total_cost"].isna().all()
    assert summary["storage_cost"].iloc[0] == pytest.approx(rows["storage_cost"].sum())


def test_storage_without_a_fee_table_is_missing_never_zero():
    # no fee table in force: stock held costs an unknown amount; a SKU never stocked costs 0
    rows = rp.simulate(_history(np.full((2, 40), 5.0), ids=("A", "B")), _constant(20, 20),
                       SETTINGS)
    assert rows["storage_cost"].isna().all()
    empty = rp.simulate(_history(np.zeros(30)), _constant(-1, 0), SETTINGS).iloc[0]
    assert empty["storage_cost"] == 0.0
    summary = rp.simulation_summary(rows)
    assert summary["storage_cost"].isna().all() and summary["total_cost"].isna().all()


def test_fifo_sells_oldest_first():
    # 1 unit/day from 300 opening units: on day i >= 181 the 299 - i units left are all from the
    # opening receipt: mean over 250 days = sum(k, k=50..118) / 250 = 23.184
    out = rp.simulate(_history(np.ones(250)), _constant(-1, 300), SETTINGS).iloc[0]
    assert out["aged_units"] == pytest.approx(5796 / 250)


def test_named_policies_and_rule_of_thumb_levels():
    context = {"ids": pd.Index(["A"]), "lead_time_days": np.array([35.0])}
    demand = np.full((1, 60), 2.0)
    s, big_s = rp.rule_of_thumb_policy(reorder_cover_extra_days=30, order_up_to_extra_days=45,
                                       velocity_window_days=30).levels(60, demand, context)
    assert s[0] == 2 * (35 + 30) and big_s[0] == 2 * (35 + 45)
    s, big_s = rp.fixed_cover_policy(45, velocity_window_days=30).levels(60, demand, context)
    assert s[0] == big_s[0] == 2 * (35 + 45)
    history = _history(np.full(120, 2.0))
    named = rp.simulate(history, "fixed_cover_45", {**SETTINGS, **NAMED, "start": "2026-03-01"})
    assert named["policy"].iloc[0] == "fixed_cover_45"
    with pytest.raises(ValueError, match="unknown policy"):
        rp.simulate(history, "magic", SETTINGS)
    with pytest.raises(ValueError, match="velocity_window_days"):
        rp.simulate(history, "fixed_cover_45", SETTINGS)
    # no code defaults: a missing setting is named
    cover = rp.fixed_cover_policy(45, velocity_window_days=30)
    with pytest.raises(ValueError, match="'aged_days'"):
        rp.simulate(history, cover, {k: v for k, v in SETTINGS.items() if k != "aged_days"})


def _forecasts(rate, sigma=None, origin="2026-02-28", days=120):
    dates = pd.date_range(pd.Timestamp(origin) + pd.Timedelta(days=1), periods=days)
    frame = pd.DataFrame({"origin": pd.Timestamp(origin), "unique_id": "A", "ds": dates,
                          "forecast": rate, "q90": rate})
    if sigma is not None:
        frame["sigma"] = sigma
    return frame


def test_forecast_policy_levels_known_answers():
    context = {"ids": pd.Index(["A"]), "dates": pd.date_range("2026-01-01", periods=120),
               "lead_time_days": np.array([10.0]), "lead_time_cv": np.array([0.0]),
               "review_period_days": np.array([7.0])}
    day = 59  # 2026-03-01, the day after the forecast origin
    demand = np.full((1, day), 2.0)
    # textbook: S = 2 x 17 + z(0.95) x sqrt(17 x 1^2)
    textbook = rp.forecast_policy(_forecasts(2.0, sigma=1.0), 0.95, "normal", **PLAIN)
    s, big_s = textbook.levels(day, demand, context)
    assert big_s[0] == pytest.approx(34 + stats.norm.ppf(0.95) * np.sqrt(17))
    # ours on a Poisson forecast (q90 = mean) with constant history: Poisson(34) 95 % = 44
    s, big_s = rp.forecast_policy(_forecasts(2.0), 0.95, "ours", **PLAIN).levels(day, demand,
                                                                                context)
    assert s[0] == big_s[0] == 44


def test_stochastic_lead_times_are_reproducible_and_summarised():
    rng = np.random.default_rng(3)
    values = rng.poisson(3.0, (5, 200)).astype(float)
    history = _history(values, ids=[f"S{i}" for i in range(5)])
    settings = {**SETTINGS, **NAMED, "lead_time_days": 14, "lead_time_cv": 0.3,
                "review_period_days": 7, "start": "2026-04-01", "seed": 7}
    first = rp.simulate(history, "rule_of_thumb", settings)
    again = rp.simulate(history, "rule_of_thumb", settings)
    pd.testing.assert_frame_equal(first, again)
    summary = rp.simulation_summary(pd.concat([first, rp.simulate(history, "fixed_cover_30",
                                                                   settings)]))
    assert list(summary.index) == ["rule_of_thumb", "fixed_cover_30"]
    pooled = first["served"].sum() / first["demand"].sum()
    assert summary.loc["rule_of_thumb", "fill_rate"] == pytest.approx(pooled)
    assert 0 < summary.loc["fixed_cover_30", "avg_on_hand_days"] < \
        summary.loc["rule_of_thumb", "avg_on_hand_days"]


def test_tradeoff_plot_draws_curves_and_points():
    import matplotlib.pyplot as plt

    from opsanalysis.plotting import plot_tradeoff

    summary = pd.DataFrame({
        "policy": ["ours", "ours", "rule_of_thumb"], "service_target": [0.9, 0.95, np.nan],
        "fill_rate": [0.9, 0.95, 0.96], "avg_on_hand_days": [10.0, 14.0, 40.0]})
    ax = plot_tradeoff(summary, language="en")
    assert len(ax.get_lines()) == 2 and ax.get_xlabel() == "Average days of inventory (days)"
    plt.close("all")


def test_forecast_policy_options_follow_params():
    rep = params_module.load("US")["replenishment"]
    options = rp.forecast_policy_options(rep)
    assert options == {"order_crossover": rep["order_crossover"],
                       "seasonal": dict(rep["seasonal_lift"]),
                       "service_quantile": rep["service_quantile"],
                       "daily_dispersion": rep["daily_dispersion"],
                       "velocity_window_days": rep["velocity_window_days"],
                       "rate_window_days": rep["rate_window_days"]}
    # the options are accepted by forecast_policy as they are
    forecasts = pd.DataFrame({"origin": pd.Timestamp("2026-01-01"), "unique_id": "A",
                              "ds": pd.date_range("2026-01-02", periods=5), "forecast": 1.0,
                              "q90": 2.0})
    assert rp.forecast_policy(forecasts, 0.95, "ours", quantile=rep["forecast_quantile"],
                              **options).name == "ours"


def test_level_uncertainty_of_own_errors_is_pooled_over_skus():
    # two SKUs forecast at 10 a day from every fortnightly origin: A sells 10 a day, B triples
    # to 30 from day 60. Per SKU (the ablation) B's misses give it a level uncertainty and A
    # none; pooled (the policy) both get the one value of all their intervals
    sim = importlib.import_module("opsanalysis.replenishment.simulate")  # the module

    dates = pd.date_range("2026-01-01", periods=181, freq="D")
    demand = np.vstack([np.full(181, 10.0), np.where(np.arange(181) < 60, 10.0, 30.0)])
    origins = pd.date_range("2026-01-14", "2026-05-01", freq="14D")
    forecasts = pd.concat([
        pd.DataFrame({"origin": origin, "unique_id": uid,
                      "ds": pd.date_range(origin + pd.Timedelta(days=1), periods=60),
                      "forecast": 10.0, "q90": 10.0 + 1.2816 * np.sqrt(10.0)})
        for origin in origins for uid in ("A", "B")], ignore_index=True)
    paths = sim._ForecastPaths(forecasts)
    context = {"dates": dates, "ids": ["A", "B"]}

    def level_cv(pooled):
        return sim._own_level_cv(paths, origins, pd.Timestamp("2026-06-01"), demand, context,
                                 "q90", 0.9, 1.0, 21, 28, pooled_level=pooled)

    per_sku, pooled = level_cv(False), level_cv(True)
    assert per_sku[0] < 0.05 < 0.5 < per_sku[1]
    assert pooled[0] == pooled[1]


def _pivot_paths(forecasts, origin, ids, start, horizon, period_days, columns):
    """The policies' daily paths as first written: one pivot_table of the long frame per read."""
    table = forecasts[forecasts["origin"] == origin]
    periods = np.sort(table["ds"].unique())
    day_dates = pd.date_range(start, periods=horizon, freq="D")
    index = np.clip(np.searchsorted(pd.DatetimeIndex(periods).to_numpy(), day_dates.to_numpy(),
                                    side="right") - 1, 0, len(periods) - 1)
    out = []
    for column in columns:
        wide = table.pivot_table(index="unique_id", columns="ds", values=column, aggfunc="sum")
        wide = wide.reindex(index=ids, columns=periods).to_numpy(dtype=float)
        out.append(np.nan_to_num(wide[:, index]) / period_days)
    return out


def test_forecast_paths_equal_the_pivot_of_the_long_frame():
    # weekly forecasts at two origins, shuffled rows, a NaN, a SKU without forecasts ("C") and
    # one outside the replay ("Z"): the dense matrices give the pivot's paths bit for bit
    from opsanalysis.replenishment.simulate import _ForecastPaths

    rng = np.random.default_rng(5)
    frames = []
    for origin in pd.to_datetime(["2026-01-04", "2026-02-01"]):
        weeks = pd.date_range(origin + pd.Timedelta(days=1), periods=6, freq="7D")
        for sku in ("A", "B", "Z"):
            frames.append(pd.DataFrame({"origin": origin, "unique_id": sku, "ds": weeks,
                                        "forecast": rng.gamma(2.0, 3.0, 6),
                                        "q90": rng.gamma(4.0, 3.0, 6)}))
    forecasts = pd.concat(frames).sample(frac=1.0, random_state=1).reset_index(drop=True)
    forecasts.loc[3, "q90"] = np.nan
    ids = pd.Index(["A", "B", "C"])
    paths = _ForecastPaths(forecasts)
    for origin in forecasts["origin"].unique():
        for start_day, horizon in ((1, 30), (4, 50)):
            start = origin + pd.Timedelta(days=start_day)
            got = paths.daily(origin, ids, start, horizon, 7.0, ["forecast", "q90"])
            want = _pivot_paths(forecasts, origin, ids, start, horizon, 7.0, ["forecast", "q90"])
            for g, w in zip(got, want, strict=True):
                assert np.array_equal(g, w)
    assert not paths.daily(origin, ids, start, 10, 7.0, ["forecast"])[0][2].any()  # "C": 0


def test_forecast_policy_levels_do_not_depend_on_earlier_calls():
    # ours keeps its past interval errors between refreshes: a policy that has already decided
    # (on other demand, too) must give the levels of a fresh policy, exactly
    rng = np.random.default_rng(11)
    ids = pd.Index(["A", "B"])
    dates = pd.date_range("2026-01-01", periods=200)
    origins = pd.date_range("2026-03-01", periods=5, freq="14D")
    rows = [pd.DataFrame({"origin": o, "unique_id": sku,
                          "ds": pd.date_range(o + pd.Timedelta(days=1), periods=60),
                          "forecast": level, "q90": level * 1.8})
            for o in origins for sku, level in (("A", 3.0), ("B", 0.4))]
    forecasts = pd.concat(rows, ignore_index=True)
    context = {"ids": ids, "dates": dates, "lead_time_days": np.array([10.0, 10.0]),
               "lead_time_cv": np.array([0.2, 0.2]), "review_period_days": np.array([7.0, 7.0])}
    demand = rng.poisson([[3.0], [0.4]], (2, 200)).astype(float)
    other = demand.copy()
    other[:, 80:120] *= 3.0  # the same days, another past
    options = {**PLAIN, "seasonal": {"window_days": 28, "season_days": 364,
                                     "prior_units": 100.0, "max_lift": 3.0}}
    used = rp.forecast_policy(forecasts, 0.95, "ours", **options)
    for day in (130, 150, 180):
        used.levels(day, other[:, :day], context)
    for day in (130, 150, 180, 130):
        again = used.levels(day, demand[:, :day], context)
        fresh = rp.forecast_policy(forecasts, 0.95, "ours", **options).levels(
            day, demand[:, :day], context)
        for a, b in zip(again, fresh, strict=True):
            assert np.array_equal(a, b)


def _reference_quantile(mean_path, variance_path, lead_days, probability, review, level_cv,
                        target, iterations=40):
    """The textbook bisection: both special functions everywhere, every SKU at every step."""
    from scipy import special

    from opsanalysis.replenishment import policy

    def cdf(x, mean, variance):
        poisson, n, p = policy._negative_binomial(mean, variance)
        x = x[:, None]
        nb = special.betainc(n, np.floor(x) + 1.0, p)
        pois = special.pdtr(np.floor(x), mean)
        point = np.where(x < 0, 0.0, np.where(mean <= 0, 1.0, np.where(poisson, pois, nb)))
        return (point * probability).sum(axis=1)

    mean, variance = policy._interval_moments(mean_path, variance_path, lead_days, review,
                                              level_cv)
    low, high = np.full(len(mean), -1.0), np.ceil((mean + 10 * np.sqrt(variance) + 10).max(1))
    while (short := cdf(high, mean, variance) < target).any():
        high = np.where(short, high * 2 + 1, high)
    for _ in range(iterations):
        if np.all(high - low <= 1):
            break
        middle = np.floor((low + high) / 2)
        enough = cdf(middle, mean, variance) >= target
        high, low = np.where(enough, middle, high), np.where(enough, low, middle)
    return high


def test_service_quantile_equals_the_textbook_bisection_exactly():
    from opsanalysis.replenishment import policy

    # Poisson, negative binomial, zero and lumpy SKUs, a zero and a sure target: evaluating
    # only the SKUs still searching, and each CDF only where used, changes no unit
    rng = np.random.default_rng(7)
    mean_path = np.vstack([np.full(60, 0.3), np.full(60, 4.0), np.zeros(60),
                           rng.gamma(0.3, 5.0, (5, 60))])
    variance_path = mean_path * np.array([1.0, 6.0, 1.0, 2.0, 30.0, 1.0, 8.0, 3.0])[:, None]
    lead_days, probability = policy.lead_time_distribution(np.full(8, 21.0), np.full(8, 0.3))
    target = np.array([0.95, 0.9, 0.95, 0.0, 0.999, 0.5, 0.8, 1.0 - 1e-9])
    got = policy.protection_demand_quantile(mean_path, variance_path, lead_days, probability, 7.0,
                                        0.2, target)
    expected = _reference_quantile(mean_path, variance_path, lead_days, probability,
                                   np.full(8, 7.0), 0.2, target)
    np.testing.assert_array_equal(got, expected)
    assert got[2] == 0.0 and got[4] > got[1] > 0  # a SKU without demand needs no stock


def test_policies_sharing_paths_replay_as_each_alone():
    # a comparison prepares the demand, fees and forecast paths once and computes the inputs
    # of "ours" that do not depend on the service level once per decision day (issue 21.4):
    # each policy's rows must equal its replay alone with fresh forecasts, bit for bit

    sim = importlib.import_module("opsanalysis.replenishment.simulate")  # the module
    rng = np.random.default_rng(21)
    ids = ("A", "B", "C")
    values = rng.poisson([[4.0], [0.3], [1.5]], (3, 400)).astype(float)
    values[2, 150:170] = 0.0
    history = _history(values, ids=ids)
    origins = pd.date_range("2026-07-01", periods=6, freq="28D")
    rows = [pd.DataFrame({"origin": o, "unique_id": sku,
                          "ds": pd.date_range(o + pd.Timedelta(days=1), periods=90),
                          "forecast": level * (1 + 0.05 * k), "q90": level * (1.9 + 0.05 * k),
                          "sigma": level * 0.6})
            for k, o in enumerate(origins) for sku, level in zip(ids, (4.0, 0.3, 1.5), strict=True)]
    forecasts = pd.concat(rows, ignore_index=True)
    settings = {**SETTINGS, "lead_time_days": 12, "lead_time_cv": 0.3, "review_period_days": 7,
                "start": "2026-08-01"}
    options = {**PLAIN, "seasonal": {"window_days": 28, "season_days": 364,
                                     "prior_units": 100.0, "max_lift": 3.0},
               "order_crossover": True, "service_quantile": "larger_of_both", "daily_dispersion": True}
    checked = sim._settings(settings)
    matrix = sim._replay_matrix(history)
    fee_rates = sim._fee_rates(checked, matrix[1], len(matrix[0]))
    paths = sim._ForecastPaths(forecasts)
    keywords = {"min_cover_days": None, "target_cover_days": None, "max_cover_days": None,
                "name": None, "level_uncertainty": True, "pooled_level": True, **options}
    for level in (0.9, 0.95, 0.98):
        for kind in ("ours", "normal"):
            shared = sim._simulate_matrix(matrix, sim._forecast_policy(
                paths, level, kind, 1.0, **keywords), checked, fee_rates)
            alone = rp.simulate(history, rp.forecast_policy(forecasts, level, kind, **options),
                                settings)
            pd.testing.assert_frame_equal(shared, alone, check_exact=True)
    assert any(key[0] == "ours_inputs" for key in paths.memo)  # computed once, then reused


def test_lead_time_functions_on_repeated_rows_equal_each_row_alone():
    # SKUs sharing a lead time are evaluated once: the same values, bit for bit, as each alone
    from opsanalysis.replenishment import policy

    mean = np.array([35.0, 12.0, 35.0, 35.0, 12.0, 60.0])
    cv = np.array([0.3, 0.0, 0.3, 0.3, 0.0, 0.25])
    review = np.array([7.0, 7.0, 7.0, 14.0, 7.0, 7.0])
    days, probability = policy.lead_time_distribution(mean, cv)
    effective = policy.effective_lead_time_cv(mean, cv, review)
    for row in range(len(mean)):
        one_days, one_probability = policy.lead_time_distribution(mean[row:row + 1],
                                                                  cv[row:row + 1])
        assert np.array_equal(days[row], one_days[0])
        assert np.array_equal(probability[row], one_probability[0])
    # n_orders is set by the longest lead time of the call: compare with the call on the
    # distinct rows in their own order
    alone = policy.effective_lead_time_cv(mean[[0, 1, 3, 5]], cv[[0, 1, 3, 5]],
                                          review[[0, 1, 3, 5]])
    assert np.array_equal(effective[[0, 1, 3, 5]], alone)
    assert effective[2] == effective[0] and effective[4] == effective[1]
    assert effective[0] < 0.3 and effective[1] == 0.0  # crossover lowers a random lead time's cv


def _comparison(history, service_levels=(0.9, 0.95)):
    return rp.compare_policies(
        history, SETTINGS, params=params_module.load_defaults(), service_levels=service_levels,
        cover_days=(30,), forecast_method="moving_average_28", forecast_every_days=7,
        simulation_days=60, quantile=REP["forecast_quantile"],
        rule_of_thumb=REP["rule_of_thumb"], velocity_window_days=28,
        ours_options=rp.forecast_policy_options(REP))


def test_compare_policies_rows_and_rules_replayed_as_each_alone():
    """Scenario: two SKUs selling 5 and 2 a day for 200 days, the last 60 replayed. One row per
    policy and service level; the rules of thumb equal their own replay with :func:`simulate`
    from the first replayed day (the comparison only shares the preparation)."""
    history = _history(np.vstack([np.full(200, 5.0), np.full(200, 2.0)]), ids=("A", "B"))
    table = _comparison(history)
    assert list(zip(table["policy"], table["service_target"].fillna(-1), strict=True)) == [
        ("ours", 0.9), ("textbook", 0.9), ("ours", 0.95), ("textbook", 0.95),
        ("rule_of_thumb", -1), ("fixed_cover_30", -1)]
    assert (table["fill_rate"] == 1.0).all() and (table["skus"] == 2).all()
    start = history["ds"].max() - pd.Timedelta(days=59)
    for policy in (rp.rule_of_thumb_policy(**REP["rule_of_thumb"], velocity_window_days=28),
                   rp.fixed_cover_policy(30, velocity_window_days=28)):
        alone = rp.simulation_summary(rp.simulate(history, policy, {**SETTINGS, "start": start}))
        row = table.set_index("policy").loc[[policy.name], alone.columns]
        pd.testing.assert_frame_equal(row, alone, check_names=False)


def test_compare_policies_higher_target_holds_more_and_serves_more():
    """Scenario: Poisson demand (mean 4 a day, seeded): at 98 % ours and the textbook policy
    hold at least the stock of 80 % and serve at least as much."""
    demand = np.random.default_rng(7).poisson(4.0, size=(3, 200)).astype(float)
    table = _comparison(_history(demand, ids=("A", "B", "C")), service_levels=(0.8, 0.98))
    for policy in ("ours", "textbook"):
        low, high = (table[(table["policy"] == policy) & (table["service_target"] == level)]
                     .iloc[0] for level in (0.8, 0.98))
        assert high["avg_on_hand_days"] > low["avg_on_hand_days"]
        assert high["fill_rate"] >= low["fill_rate"] and low["fill_rate"] < 1.0

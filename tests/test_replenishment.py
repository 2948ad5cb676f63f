"""Replenishment policy maths, recommend_orders, lead-time legs, fee tables and the sample plan."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from opsanalysis import params as params_module
from opsanalysis import replenishment as rp
from opsanalysis.replenishment import fees, policy

AS_OF = pd.Timestamp("2026-03-31")
#: Flat settings of the known-answer tests: no cover rules, crossover, normal floor, daily
#: dispersion (Poisson noise) or lift, so
#: the service maths alone sets the levels (recommend_orders has no code defaults: every key).
PLAIN = {"lead_time_cv": 0.0, "review_period_days": 7, "target_service_level": 0.95,
         "order_crossover": False, "service_quantile": "negative_binomial", "daily_dispersion": False,
         "seasonal_lift": None, "min_cover_days": 0.0, "target_cover_days": 0.0, "max_cover_days": np.inf,
         "production_days": 0.0, "forecast_method": "naive", "forecast_quantile": 0.9,
         "velocity_window_days": 28, "rate_window_days": 28}
#: order_levels switches and the 28-day windows the known answers below are computed with
PLAIN_LEVELS = {"order_crossover": False, "service_quantile": "negative_binomial",
                "rate_window_days": 28}
LIFT = {"window_days": 28, "season_days": 364, "max_lift": 3.0}
FIRST_DAY = AS_OF + pd.Timedelta(days=1)


def _flat_forecast(ids, rate, days=120, start=FIRST_DAY, q90=None):
    dates = pd.date_range(start, periods=days, freq="D")
    frame = pd.DataFrame({"unique_id": np.repeat(ids, days), "ds": np.tile(dates, len(ids)),
                          "forecast": np.repeat(np.asarray(rate, dtype=float), days)})
    if q90 is not None:
        frame["q90"] = np.repeat(np.asarray(q90, dtype=float), days)
    return frame


def _history(ids, rate=2.0, days=200):
    dates = pd.date_range(end=AS_OF, periods=days, freq="D")
    return pd.DataFrame({"unique_id": np.repeat(ids, days), "ds": np.tile(dates, len(ids)),
                         "y": float(rate)})


# ---------------------------------------------------------------------------------------------
# Demand over lead time + review period


def test_poisson_reorder_point_fixed_lead_time():
    # 2 units/day, lead time 10 + review 7 = 17 days: demand ~ Poisson(34); P(D <= 43) < 0.95
    # <= P(D <= 44), so the 95 % reorder point is 44 units.
    assert stats.poisson.cdf(43, 34) < 0.95 <= stats.poisson.cdf(44, 34)
    mean = np.full((1, 60), 2.0)
    days, probability = policy.lead_time_distribution([10], 0.0)
    s = policy.protection_demand_quantile(mean, mean, days, probability, 7, 0.0, 0.95)
    assert s[0] == 44


def test_negative_binomial_with_level_uncertainty():
    # Daily variance 6 (mean 2) over 17 days: V = 102, M = 34; level cv 0.2 adds
    # c^2 (V - M + M^2) = 0.04 * (68 + 1156) = 48.96 -> variance 150.96.
    mean = np.full((1, 60), 2.0)
    days, probability = policy.lead_time_distribution([10], 0.0)
    s = policy.protection_demand_quantile(mean, np.full((1, 60), 6.0), days, probability, 7,
                                          0.2, 0.95)
    m, v = 34.0, 102.0 + 0.04 * (102.0 - 34.0 + 34.0**2)
    n, p = m**2 / (v - m), m / v
    assert s[0] == stats.nbinom.ppf(0.95, n, p)


def test_lead_time_mixture_is_the_average_of_conditional_cdfs():
    mean = np.full((1, 120), 1.5)
    days, probability = policy.lead_time_distribution([35], 0.3)
    assert days.min() < 35 < days.max() and probability.sum() == pytest.approx(1.0)
    s = policy.protection_demand_quantile(mean, mean, days, probability, 7, 0.0, 0.9)[0]
    cdf = lambda x: (stats.poisson.cdf(x, 1.5 * (days[0] + 7)) * probability[0]).sum()  # noqa: E731
    assert cdf(s - 1) < 0.9 <= cdf(s)
    fixed = policy.protection_demand_quantile(mean, mean, *policy.lead_time_distribution([35], 0.0),
                                              7, 0.0, 0.9)[0]
    assert s > fixed  # lead-time variability needs more stock


def test_skewed_intermittent_demand_is_not_normal():
    # 0.1 units/day over 14 days: mean 1.4, Poisson 95 % quantile 4; the normal shortcut
    # (1.4 + 1.645 sqrt(1.4) = 3.35) would round to 4 as well, but at 99 % Poisson needs 5 where
    # the normal says 4.15 -> 5; at 80 % Poisson needs 2 while the normal gives 2.4 -> 3.
    mean = np.full((1, 30), 0.1)
    days, probability = policy.lead_time_distribution([7], 0.0)
    s = policy.protection_demand_quantile(mean, mean, days, probability, 7, 0.0, 0.8)[0]
    assert s == stats.poisson.ppf(0.8, 1.4) == 2


def _excess_by_summation(distribution, level):
    """E[(D - level)+] summed term by term over the pmf (independent of the closed form)."""
    k = np.arange(0, 2000)
    return float((np.maximum(k - level, 0) * distribution.pmf(k)).sum())


def test_expected_fill_rate_poisson_by_summation():
    # 2 units/day, fixed lead time 10, review 7, order-up-to 44 (the 95 % cycle level):
    # shortage per cycle = E[(D17 - 44)+] - E[(D10 - 44)+], over 14 units of cycle demand
    mean = np.full((1, 60), 2.0)
    days, probability = policy.lead_time_distribution([10], 0.0)
    short = (_excess_by_summation(stats.poisson(34), 44)
             - _excess_by_summation(stats.poisson(20), 44))
    fill = policy.expected_fill_rate(mean, mean, days, probability, 7, 0.0, [44])
    assert fill[0] == pytest.approx(1 - short / 14, abs=1e-9)
    assert 0.95 < fill[0] < 1.0  # smooth demand: 95 % of cycles serve more than 95 % of units


def test_expected_fill_rate_negative_binomial_with_lead_time_mixture():
    mean = np.full((1, 120), 1.5)
    variance = np.full((1, 120), 6.0)
    days, probability = policy.lead_time_distribution([21], 0.3)
    level = 60
    short, cycle = 0.0, 0.0
    for d, w in zip(days[0], probability[0], strict=True):
        for horizon, sign in ((d + 7, 1.0), (d, -1.0)):
            m, v = 1.5 * horizon, 6.0 * horizon
            nb = stats.nbinom(m**2 / (v - m), m / v)
            short += sign * w * _excess_by_summation(nb, level)
            cycle += sign * w * m
    fill = policy.expected_fill_rate(mean, variance, days, probability, 7, 0.0, [level])
    assert fill[0] == pytest.approx(1 - short / cycle, abs=1e-9)


def test_rare_large_orders_cycle_level_serves_few_units():
    # Named scenario "rare large orders": 0.7 units expected over 14 + 7 days, but in lumps
    # (variance 20): the 95 % cycle level is 2 units (P(D = 0) is about 0.92), which serves
    # well under half of the units; a SKU without demand has no fill rate.
    mean = np.full((2, 40), [[0.7 / 21], [0.0]])
    variance = np.full((2, 40), [[20.0 / 21], [0.0]])
    days, probability = policy.lead_time_distribution([14, 14], 0.0)
    level = policy.protection_demand_quantile(mean, variance, days, probability, 7, 0.0, 0.95)
    assert level[0] == 2
    fill = policy.expected_fill_rate(mean, variance, days, probability, 7, 0.0, level)
    assert fill[0] < 0.5 and np.isnan(fill[1])
    # more stock serves more of the lumps
    assert policy.expected_fill_rate(mean[:1], variance[:1], days[:1], probability[:1], 7, 0.0,
                                     [10])[0] > fill[0] + 0.2


def test_service_quantile_reads_the_normal_bound_the_skewed_quantile_or_the_larger():
    # slow Poisson demand, 0.3 units over 7 + 7 days, at a 99.9 % cycle target: the Poisson
    # quantile is 3 (P(D <= 2) = 0.9964), the normal bound ceil(0.3 + 3.090 sqrt(0.3)) =
    # ceil(1.99) = 2: the third unit waits in the tail for a 1-in-280 interval
    mean = np.full((1, 30), 0.3 / 14)
    levels = {quantile: policy.order_levels(mean, mean, [7], 0.0, 7.0, 0.0, 0.999,
                                            **{**PLAIN_LEVELS, "service_quantile": quantile})
              for quantile in policy.SERVICE_QUANTILES}
    assert {q: level["order_up_to"][0] for q, level in levels.items()} == {
        "normal": 2, "negative_binomial": 3, "larger_of_both": 3}
    # the fill each level is expected to serve comes from the same negative binomial
    assert levels["normal"]["expected_fill_rate"][0] == pytest.approx(0.9776, abs=1e-4)
    # a point forecast of 0 with a spread (a part that sells now and then): the normal bound
    # covers the spread, ceil(0 + 1.645 sqrt(14 x 0.1)) = ceil(1.95) = 2; the excess line of a
    # zero rate caps it at 0, and the safety stock reported with it is 0 too
    zero_mean, spread = np.zeros((1, 30)), np.full((1, 30), 0.1)
    bound = policy.normal_demand_bound(zero_mean, spread, *policy.lead_time_distribution([7], 0.0),
                                       7.0, 0.0, 0.95)
    assert bound[0] == 2
    capped = policy.order_levels(zero_mean, spread, [7], 0.0, 7.0, 0.0, 0.95, max_cover_days=90,
                                 **{**PLAIN_LEVELS, "service_quantile": "normal"})
    assert capped[["reorder_point", "order_up_to", "safety_stock"]].iloc[0].tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="service_quantile must be one of normal, "
                                         "negative_binomial, larger_of_both, got 'median'"):
        policy.order_levels(mean, mean, [7], 0.0, 7.0, 0.0, 0.95,
                            **{**PLAIN_LEVELS, "service_quantile": "median"})


def test_larger_of_both_stocks_lumpy_demand_and_keeps_the_skewed_quantile_elsewhere():
    # "rare large orders" (mean 0.7, variance 20 over 14 + 7 days): the negative binomial 95 %
    # level is 2; the normal bound is ceil(0.7 + 1.645 sqrt(20)) = ceil(8.06) = 9.
    # Slow Poisson demand (0.1/day over 7 + 7 days, 99 %): the skewed quantile, 5, stays; the
    # normal bound is ceil(1.4 + 2.326 sqrt(1.4)) = ceil(4.15) = 5 as well, and at 99.9 % the
    # Poisson needs 6 where the normal says ceil(5.06) = 6.
    mean = np.full((2, 40), [[0.7 / 21], [0.1]])
    variance = np.full((2, 40), [[20.0 / 21], [0.1]])
    lead_days, probability = policy.lead_time_distribution([14, 7], 0.0)
    review = np.array([7.0, 7.0])
    bound = policy.normal_demand_bound(mean, variance, lead_days, probability, review, 0.0, 0.95)
    assert bound[0] == 9
    levels = policy.order_levels(mean, variance, [14, 7], 0.0, review, 0.0, [0.95, 0.99],
                                 **{**PLAIN_LEVELS, "service_quantile": "larger_of_both"})
    plain = policy.order_levels(mean, variance, [14, 7], 0.0, review, 0.0, [0.95, 0.99],
                                **PLAIN_LEVELS)
    assert plain["order_up_to"].tolist() == [2, 5]
    assert levels["order_up_to"].tolist() == [9, 5]
    assert levels["expected_fill_rate"][0] > plain["expected_fill_rate"][0] + 0.2
    assert stats.poisson.ppf(0.999, 1.4) == 6
    assert policy.normal_demand_bound(mean[1:], variance[1:], lead_days[1:], probability[1:],
                                      7.0, 0.0, 0.999)[0] == 6
    # no demand, no stock
    assert policy.normal_demand_bound(np.zeros((1, 30)), np.zeros((1, 30)), lead_days[:1],
                                      probability[:1], 7.0, 0.0, 0.95)[0] == 0


def test_variance_from_quantiles_floors_at_poisson():
    variance = policy.demand_variance_from_quantiles(np.array([4.0, 4.0]), np.array([4.5, 10.0]),
                                                     0.9)
    z = stats.norm.ppf(0.9)
    assert variance[0] == 4.0  # spread below Poisson noise
    assert variance[1] == pytest.approx((6.0 / z) ** 2)


def test_variance_of_a_monthly_forecast_spread_over_its_days():
    # A monthly forecast of 3 units (q90 = 3 + z x 2: sigma 2 a month), spread over 30 days:
    # 0.1 a day, and each day carries 1/30 of the month's variance (4 / 30 = 0.133 > 0.1).
    z = stats.norm.ppf(0.9)
    daily_mean = np.array([3.0, 3.0]) / 30
    daily_upper = np.array([3.0 + z * 2.0, 3.0 + z * 1.0]) / 30
    variance = policy.demand_variance_from_quantiles(daily_mean, daily_upper, 0.9, 30.0)
    assert variance[0] == pytest.approx(4.0 / 30)
    # sigma 1 a month is below Poisson noise (1 / 30 < 0.1 a day): the floor is the daily
    # mean, never 30 times it (the slow SKU is not one lump a month)
    assert variance[1] == pytest.approx(0.1)


def test_level_cv_zero_for_constant_demand_and_positive_for_shifting_levels():
    steady = np.full((1, 400), 5.0)
    # the level switches between 2.5 and 7.5 every 25 days: 21-day totals stray from the trailing
    # 28-day velocity most of the time
    shifting = 5.0 * (1 + 0.5 * np.sign(np.sin(2 * np.pi * (np.arange(400) + 0.5) / 50)))[None]
    c = policy.level_cv_from_history(np.vstack([steady, shifting]), 21, window_days=28,
                                     prior_weight=0.0)
    assert c[0] == pytest.approx(0.0, abs=1e-9)
    assert c[1] > 0.2
    # a single launch ramp before the window is ignored, and estimates are capped at 100 %
    errors = policy.level_cv_from_errors(np.array([[100.0, 100.0]]), np.array([[1.0, 1.0]]),
                                         np.array([[1.0, 1.0]]), prior_weight=0.0)
    assert errors[0] == 1.0


# ---------------------------------------------------------------------------------------------
# Rounding and recommend_orders


def test_case_pack_and_moq_rounding():
    qty = policy.round_order_quantity([0, -3, 1, 13, 24, 25, 49], case_pack=12, moq=24)
    assert qty.tolist() == [0, 0, 24, 24, 24, 36, 60]
    assert policy.round_order_quantity([7], case_pack=1, moq=0).tolist() == [7]


def test_recommend_orders_hand_computed():
    ids = ["A", "B"]
    position = pd.DataFrame({"unique_id": ids, "on_hand": [10, 5000], "on_order": [5, 0]})
    settings = {**PLAIN, "lead_time_days": 10, "case_pack": 10, "max_cover_days": 90}
    out = rp.recommend_orders(_history(ids), position, settings, AS_OF,
                              forecast=_flat_forecast(ids, [2.0, 2.0])).set_index("unique_id")
    a, b = out.loc["A"], out.loc["B"]
    # constant history -> no level uncertainty; Poisson(34) 95 % quantile = 44
    assert a["reorder_point"] == 44 and a["order_up_to"] == 44
    assert a["safety_stock"] == 10  # 44 - 34
    assert 0.95 < a["expected_fill_rate"] < 1.0  # see test_expected_fill_rate_poisson_by_summation
    assert a["order_qty"] == 30  # 44 - (10 + 5) = 29 -> 3 cases of 10
    assert a["order_by"] == AS_OF and a["reason"] == "below_reorder_point"
    assert a["days_of_cover_now"] == pytest.approx(5.0)
    # 15 units at 2/day: 14 sold by day 7, gone on day 8
    assert a["projected_stockout_date"] == AS_OF + pd.Timedelta(days=8)
    # an overstocked SKU gets zero
    assert b["order_qty"] == 0 and b["reason"] == "above_max_cover"
    # it reaches the reorder point after (5000 - 44) / 2 = 2478 days
    assert b["order_by"] == AS_OF + pd.Timedelta(days=2478)


def test_cover_rules_floor_and_target():
    ids = ["A"]
    position = pd.DataFrame({"unique_id": ids, "on_hand": [0], "on_order": [0]})
    settings = {**PLAIN, "lead_time_days": 10, "target_service_level": 0.5,
                "min_cover_days": 28, "target_cover_days": 45, "max_cover_days": 60}
    out = rp.recommend_orders(_history(ids), position, settings, AS_OF,
                              forecast=_flat_forecast(ids, [2.0])).iloc[0]
    assert out["reorder_point"] == 34 + 2 * 28  # expected demand over 17 days + 28 days' floor
    assert out["order_up_to"] == 20 + 2 * 45  # lead-time demand + 45 days at arrival
    assert out["order_qty"] == 110


def test_per_sku_overrides_from_position():
    ids = ["A", "B"]
    position = pd.DataFrame({"unique_id": ids, "on_hand": [0, 0], "on_order": [0, 0],
                             "lead_time_days": [10, np.nan], "case_pack": [1, 25]})
    settings = {**PLAIN, "lead_time_days": 3}
    out = rp.recommend_orders(_history(ids), position, settings, AS_OF,
                              forecast=_flat_forecast(ids, [2.0, 2.0])).set_index("unique_id")
    assert out.loc["A", "lead_time_days"] == 10 and out.loc["B", "lead_time_days"] == 3
    assert out.loc["B", "order_qty"] % 25 == 0


def test_settings_from_params():
    params = params_module.load("US")
    settings = rp.resolve_settings(params)
    lead = params["lead_time"]
    legs = [lead["production_days"], lead["freight_days"][lead["freight_mode"]],
            lead["customs_days"], lead["fba_check_in_days"]]
    assert settings["lead_time_days"] == sum(legs)
    assert 0 < settings["lead_time_cv"] < lead["variability"]
    rep = params["replenishment"]
    assert settings["service_quantile"] == rep["service_quantile"] == "normal"
    assert "service_quantile" in rep["sources"]
    # the YAML, not a code default, decides (the issue: code said False/False/28/20)
    assert settings["order_crossover"] is rep["order_crossover"]
    assert settings["velocity_window_days"] == rep["velocity_window_days"]
    assert settings["seasonal_lift"] == rep["seasonal_lift"]
    assert settings["forecast_quantile"] == rep["forecast_quantile"]
    assert settings["forecast_method"] == params["forecast"]["method"]
    assert (settings["case_pack"], settings["moq"]) == (1, 0)  # product data: unconstrained
    with pytest.raises(ValueError, match="lead_time_days"):
        rp.resolve_settings({"review_period_days": 7})
    # a flat dict missing keys names them all; no silent code default
    with pytest.raises(ValueError) as missing:
        rp.resolve_settings({key: value for key, value in {**PLAIN, "lead_time_days": 10}.items()
                             if key not in ("service_quantile", "velocity_window_days")})
    assert "'service_quantile'" in str(missing.value)
    assert "'velocity_window_days'" in str(missing.value)
    assert "'lead_time_days'" not in str(missing.value)
    assert rp.resolve_settings({**PLAIN, "lead_time_days": 10})["service_quantile"] == (
        "negative_binomial")
    # flat settings cannot forecast (the forecast needs params): say so
    position = pd.DataFrame({"unique_id": ["A"], "on_hand": [0], "on_order": [0]})
    with pytest.raises(ValueError, match="forecast="):
        rp.recommend_orders(_history(["A"]), position, {**PLAIN, "lead_time_days": 10}, AS_OF)


# ---------------------------------------------------------------------------------------------
# Lead-time legs (Q4) and fee tables


def test_q4_check_in_multiplier():
    params = params_module.load("US")
    lead = params["lead_time"]
    master = pd.DataFrame({"sku": ["X"], "production_days": [20], "freight_mode": ["sea"],
                           "freight_days": [30], "customs_days": [3], "fba_check_in_days": [4]})
    skus = pd.Index(["X", "Y"])
    # ordered 2026-09-20: reaches FBA 53 days later, 2026-11-12 (Q4): check-in 4 x 3.5 = 14
    q4 = rp.lead_time_legs(skus, master, params, "2026-09-20")
    assert q4.loc["X", "q4"]
    assert q4.loc["X", "lead_time_days"] == 20 + 30 + 3 + 4 * lead["q4_check_in_multiplier"]
    # ordered 2026-02-01: arrives in March, normal check-in
    off = rp.lead_time_legs(skus, master, params, "2026-02-01")
    assert not off.loc["X", "q4"] and off.loc["X", "lead_time_days"] == 57
    # a SKU missing from the master takes the params legs
    expected = (lead["production_days"] + lead["freight_days"][lead["freight_mode"]]
                + lead["customs_days"] + lead["fba_check_in_days"])
    assert off.loc["Y", "lead_time_days"] == expected


def test_fee_tables_by_effective_date():
    params = params_module.load("US")
    assert fees.fee_schedule(params, "2020-01-01") is None
    assert fees.fee_schedule(params, "2025-06-01")["version"] == "US-2024-04-01"
    table_2026 = fees.fee_schedule(params, "2026-10-31")
    assert table_2026["version"] == "US-2026-01-15"
    rates = fees.storage_rate(table_2026, ["standard", "standard", "oversize"], [11, 3, 3])
    assert rates.tolist() == [2.40, 0.78, 0.56]
    per_unit = fees.aged_surcharge_per_unit([100, 200, 400, 500, 400], [0.1, 0.1, 0.1, 0.1, 0.01],
                                            table_2026)
    # <181: 0; 181-210: 0.50 x 0.1; 366+: max(6.90 x 0.1, 0.30); 456+: max(0.79, 0.35);
    # a tiny unit pays the per-unit minimum: max(0.069, 0.30)
    assert per_unit == pytest.approx([0.0, 0.05, 0.69, 0.79, 0.30])
    # a day in November costs the monthly rate / 30
    assert fees.storage_cost(10, 0.1, "standard", ["2026-11-05"], table_2026)[0] == \
        pytest.approx(10 * 0.1 * 2.40 / 30)
    assert np.isnan(fees.storage_rate(fees.fee_schedule(params_module.load("NL"), "2026-10-31"),
                                      ["standard"], [1])).all()


# ---------------------------------------------------------------------------------------------
# The plan on the bundled sample


@pytest.fixture(scope="module")
def us_plan(sample_dir):
    from opsanalysis import io

    data = io.load_marketplace(sample_dir, "US")
    params = params_module.load("US")
    params["forecast"]["method"] = "moving_average_28"  # fast; flags do not hinge on the method
    return rp.plan(data, params)


@pytest.mark.slow
def test_sample_plan_flags_planted_skus(us_plan):
    from opsanalysis import sample

    planted = sample.generate(None).planted["US"]
    table = us_plan.table.set_index("sku")
    assert table.loc[planted["stockout_risk_sku"], "stockout_risk"]
    assert table.loc[planted["stockout_risk_sku"], "status"] == "stockout_risk"
    assert table.loc[planted["overstock_sku"], "overstock"]
    assert table.loc[planted["overstock_sku"], "order_qty"] == 0
    assert table.loc[planted["aged_sku"], "aged"]
    assert table.loc[planted["aged_sku"], "status"] in ("aged", "overstock")
    assert set(table["status"]) <= set(rp.STATUSES)
    # quantities respect case packs and MOQ from the product master
    ordered = table[table["order_qty"] > 0]
    assert len(ordered) > 0


@pytest.mark.slow
def test_sample_plan_outlook_and_restock(us_plan):
    assert us_plan.fees["month"].nunique() == 3
    assert (us_plan.fees["storage_fee"] > 0).all()
    assert us_plan.fees["fee_table_version"].iloc[0] == "US-2026-01-15"
    table = us_plan.table
    assert table["amazon_recommended_qty"].notna().all()
    assert table["restock_difference_reason"].notna().all()
    sheets = rp.plan_sheets(us_plan)
    assert sum(len(s) for s in sheets.values()) == len(table)


def test_arrival_cutoffs_from_params():
    from opsanalysis import cutoffs
    from opsanalysis.replenishment.plan import _arrival_cutoff

    params = params_module.load("US")
    table = pd.DataFrame({"expected_arrival": pd.to_datetime(["2025-09-10", "2025-09-25", None])})
    ahead = cutoffs.event_cutoffs(params, "2025-09-01", 365)
    out = _arrival_cutoff(table, ahead, "2025-09-01")
    # the next US cut-off after 2025-09-01 is Amazon's Prime Big Deal Days date, 2025-09-19
    assert (out["arrival_cutoff"] == pd.Timestamp("2025-09-19")).all()
    assert out["arrival_cutoff_event"].iloc[0] == "prime_big_deal_days"
    assert out["misses_arrival_cutoff"].tolist() == [False, True, False]
    # UK has no Amazon date for 2025: the rule's (event start 2025-10-07 - 18 days), never the
    # 2026 estimate
    uk = params_module.load("UK")
    out = _arrival_cutoff(table, cutoffs.event_cutoffs(uk, "2025-09-01", 365), "2025-09-01")
    assert out["arrival_cutoff"].iloc[0] == pd.Timestamp("2025-09-19")
    # a 2020 plan: the next event (Prime Day 2020) is not dated in params, never a 2025 date
    old = _arrival_cutoff(table, cutoffs.event_cutoffs(params, "2020-01-27", 365), "2020-01-27")
    assert old["arrival_cutoff"].isna().all() and old["arrival_cutoff_event"].iloc[0] == \
        "prime_day"
    assert not old["misses_arrival_cutoff"].any()


def test_unknown_aged_surcharge_stays_unknown_in_the_plan():
    from opsanalysis import fees
    from opsanalysis.replenishment.plan import AGE_BUCKETS, _aged_projection

    position = pd.DataFrame({b: [0.0, 0.0] for b in AGE_BUCKETS})
    position["inv_age_365_plus_days"] = [10.0, 0.0]
    mean = np.full((2, 120), 0.1)
    volume = np.array([1.0, 1.0])
    known = _aged_projection(position, mean, "2026-10-31", params_module.load("US"), volume, 3)
    months = [k for k in known if k.startswith("aged_surcharge_")]
    assert months and all(np.isfinite(known[m]).all() for m in months)
    assert known[months[0]][0] > 0 and known[months[0]][1] == 0
    # JP's fee table has no surcharge tiers: unknown, never summed as 0
    jp = params_module.load("JP")
    assert not any(v.get("aged_inventory_surcharge") for v in fees.fee_versions(jp))
    unknown = _aged_projection(position, mean, "2026-10-31", jp, volume, 3)
    assert all(np.isnan(unknown[m]).all() for m in months)


# ---------------------------------------------------------------------------------------------
# Order crossover, seasonal lift


def test_effective_lead_time_cv_matches_outstanding_order_simulation():
    # Orders every 7 days, each with its own gamma lead time (mean 35, cv 0.2): the units still
    # outstanding a days after a review are 7 x the number of late orders. Their variance at a
    # given a (the mean at each a is part of the expected demand), simulated and averaged over a
    # within the review period, is the effective lead-time spread: about 0.75 of one order's 7
    # days.
    rng = np.random.default_rng(0)
    shape = 1 / 0.2**2
    variances = []
    for offset in (np.arange(8) + 0.5) / 8 * 7:
        ages = offset + 7 * np.arange(12)[None, :]
        late = rng.gamma(shape, 35 / shape, (50_000, 12)) > ages
        variances.append((7 * late.sum(axis=1)).var())
    simulated_sd = np.sqrt(np.mean(variances))
    effective = policy.effective_lead_time_cv([35.0], 0.2, 7.0)[0]
    assert effective * 35 == pytest.approx(simulated_sd, rel=0.02)
    assert 0.7 * 7 < effective * 35 < 0.8 * 7
    # orders that cannot overtake (lead time well below the review period) keep their own cv
    assert policy.effective_lead_time_cv([5.0], 0.2, 7.0)[0] == pytest.approx(0.2)
    assert policy.effective_lead_time_cv([35.0], 0.0, 7.0)[0] == 0.0
    # fewer units needed at the same cycle service level
    mean = np.full((1, 120), 3.0)
    crossing = policy.order_levels(mean, mean, [35], 0.2, 7, 0.0, 0.95,
                                   **{**PLAIN_LEVELS, "order_crossover": True})
    single = policy.order_levels(mean, mean, [35], 0.2, 7, 0.0, 0.95, **PLAIN_LEVELS)
    assert crossing["reorder_point"].iloc[0] < single["reorder_point"].iloc[0]


def _seasonal_history(last_year_factor, days=400, rate=10.0):
    # flat 10/day except last year's interval (days 364..342 before the end) at factor x 10
    values = np.full((1, days), rate)
    today = days - 1
    values[0, today - 364 + 1:today - 364 + 1 + 21] *= last_year_factor
    return values


def test_seasonal_lift_known_answers():
    # last year the 21 days ahead sold twice the trailing 28-day velocity; a flat forecast at
    # today's velocity (210 units) misses that: lift 2 (no pseudo-units)
    values = _seasonal_history(2.0)
    assert policy.seasonal_lift(values, [210.0], 21, **LIFT, prior_units=0.0)[0] == pytest.approx(2.0)
    # a forecast that already carries the peak (420 units) is left alone
    assert policy.seasonal_lift(values, [420.0], 21, **LIFT, prior_units=0.0)[0] == pytest.approx(1.0)
    # a fall after the peak lowers, bounded by max_lift
    assert policy.seasonal_lift(_seasonal_history(0.1), [210.0], 21,
                                **{**LIFT, "max_lift": 3.0}, prior_units=0.0)[0] == pytest.approx(1 / 3)
    # pseudo-units pull a thin year-ago signal towards 1: (420 + 210) / (210 + 210) = 1.5 over
    # (210 + 210) / (210 + 210) = 1
    assert policy.seasonal_lift(values, [210.0], 21, **LIFT, prior_units=210.0)[0] == pytest.approx(1.5)
    # less than a year + window of history, censored days, or a launch inside the window: 1
    assert policy.seasonal_lift(values[:, -380:], [210.0], 21, **LIFT, prior_units=0.0)[0] == 1.0
    censored = values.copy()
    censored[0, 50] = np.nan
    assert policy.seasonal_lift(censored, [210.0], 21, **LIFT, prior_units=0.0)[0] == 1.0
    launched = values.copy()
    launched[0, :40] = 0.0
    assert policy.seasonal_lift(launched, [210.0], 21, **LIFT, prior_units=0.0)[0] == 1.0


def test_recommend_orders_applies_seasonal_lift():
    ids = ["A"]
    dates = pd.date_range(end=AS_OF, periods=400, freq="D")
    history = pd.DataFrame({"unique_id": "A", "ds": dates,
                            "y": _seasonal_history(2.0, rate=2.0)[0]})
    position = pd.DataFrame({"unique_id": ids, "on_hand": [0], "on_order": [0]})
    settings = {**PLAIN, "lead_time_days": 10,
                "seasonal_lift": {**LIFT, "prior_units": 0.0, "window_days": 28}}
    forecast = _flat_forecast(ids, [2.0])
    out = rp.recommend_orders(history, position, settings, AS_OF, forecast=forecast).iloc[0]
    plain = rp.recommend_orders(history, position, {**settings, "seasonal_lift": None}, AS_OF,
                                forecast=forecast).iloc[0]
    # last year's 17 days ahead sold twice the velocity before them: the flat forecast doubles
    assert out["seasonal_lift"] == pytest.approx(2.0) and plain["seasonal_lift"] == 1.0
    # the level uncertainty does not depend on the lift
    c = out["level_cv"]
    assert plain["level_cv"] == c
    days, probability = policy.lead_time_distribution([10], 0.0)
    # Poisson noise grows with the lift (variance 2 x 2 = 4 per day), not with its square
    lifted = policy.protection_demand_quantile(np.full((1, 60), 4.0), np.full((1, 60), 4.0),
                                               days, probability, 7, c, 0.95)[0]
    unlifted = policy.protection_demand_quantile(np.full((1, 60), 2.0), np.full((1, 60), 2.0),
                                                 days, probability, 7, c, 0.95)[0]
    assert out["reorder_point"] == lifted and plain["reorder_point"] == unlifted
    assert out["lead_time_demand"] == pytest.approx(40.0)  # 10 days x 2/day x 2


def test_censored_days_stay_missing_in_the_history_matrix():
    from opsanalysis.replenishment.orders import _history_matrix

    history = pd.DataFrame({"unique_id": ["A", "A", "B"],
                            "ds": pd.to_datetime(["2026-03-30", "2026-03-31", "2026-03-31"]),
                            "y": [1.0, np.nan, 3.0]})
    matrix = _history_matrix(history, pd.Index(["A", "B"]), AS_OF, 2)
    assert matrix[0, 0] == 1.0 and np.isnan(matrix[0, 1])
    assert np.isnan(matrix[1, 0]) and matrix[1, 1] == 3.0


def test_max_cover_caps_the_reorder_point_too():
    # 0.1 unit/day with a wide spread: the 95 % quantile over 17 days is well above the
    # max-cover line ceil(10 days x 0.1 + 10 days x 0.1) = 2 units; both levels stop there, so a
    # SKU is never told to reorder while above its own max cover
    mean = np.full((1, 120), 0.1)
    days, probability = policy.lead_time_distribution([10], 0.0)
    service = policy.protection_demand_quantile(mean, np.full((1, 120), 2.0), days, probability,
                                                7, 0.0, 0.95)
    assert service[0] > 2
    levels = policy.order_levels(mean, np.full((1, 120), 2.0), [10], 0.0, 7, 0.0, 0.95,
                                 min_cover_days=0, target_cover_days=5, max_cover_days=10,
                                 **PLAIN_LEVELS).iloc[0]
    assert levels["reorder_point"] == 2 and levels["order_up_to"] == 2


def test_an_order_at_the_reorder_point_is_never_zero_units():
    """UK sample HLUK-BTH-002: position 57 = reorder point 57 = order-up-to 57 (both capped at
    the max-cover line) came out "order now, place the order" for 0 units."""
    from opsanalysis.replenishment.orders import _assemble

    ids = pd.Index(["AT", "ABOVE"])
    position = pd.DataFrame({"unique_id": ids, "on_hand": [33, 40], "on_order": [24, 30],
                             "on_order_days": [25, 25], "case_pack": [6, 6], "moq": [0, 0]})
    levels = pd.DataFrame({"reorder_point": [57.0, 57.0], "order_up_to": [57.0, 57.0],
                           "daily_rate": [0.5, 0.5], "safety_stock": [5.0, 5.0],
                           "lead_time_days": [69.0, 69.0], "lead_time_demand": [34.5, 34.5],
                           "expected_fill_rate": [0.99, 0.99]}, index=ids)
    settings = {"production_days": 30, "max_cover_days": 90, "rate_window_days": 30,
                "case_pack": 1, "moq": 0}
    out = _assemble(ids, position, settings, pd.Timestamp("2026-10-31"), np.full((2, 300), 0.5),
                    levels, np.zeros(2), np.ones(2)).set_index("unique_id")
    assert out.loc["AT", "order_qty"] == 6  # one unit, rounded up to the case pack
    assert out.loc["AT", "order_by"] == pd.Timestamp("2026-10-31")
    assert out.loc["ABOVE", "order_qty"] == 0


def test_sku_of_unique_id_equals_splitting_every_row():
    # the plan takes the SKU after the first colon once per distinct id (2 million panel rows,
    # 2,500 ids): the same values and dtype as splitting each row
    from opsanalysis.replenishment.plan import _sku_of

    for dtype in (object, "str"):
        ids = pd.Series(["US:A-1", "US:B:2", "C", "US:A-1", None, "US:B:2"], dtype=dtype,
                        index=[5, 6, 7, 8, 9, 10], name="unique_id")
        want = ids.astype(str).str.split(":", n=1).str[-1]
        got = _sku_of(ids)
        pd.testing.assert_series_equal(got, want, check_exact=True)
        assert got.tolist()[:4] == ["A-1", "B:2", "C", "A-1"]


# ---------------------------------------------------------------------------------------------
# The forecast that plans orders: auto at the planning level factor (issue 18.4)


def _falling_plan_inputs():
    """30 SKUs whose demand falls 0.3 % a day for 900 days, and params planning with ``auto``.

    ``auto`` has one candidate (the 28-day mean, flat) and the default level-factor grid: every
    holdout window's demand is below the 28-day mean before it, so the forecast's own
    cross-validation shrinks the mean (factor < 1). The plan must not.
    """
    from opsanalysis.io import MarketplaceData

    days = 900
    dates = pd.date_range(end=AS_OF, periods=days, freq="D")
    skus = [f"SKU{i:02d}" for i in range(30)]
    level = 200.0 * 0.997 ** np.arange(days)
    history = pd.DataFrame({"unique_id": np.repeat(skus, days),
                            "ds": np.tile(dates, len(skus)),
                            "y": np.tile(np.round(level), len(skus))})
    inventory = pd.DataFrame({"snapshot_date": AS_OF, "sku": skus,
                              "afn_fulfillable_quantity": 0.0})
    params = params_module.load("US")
    params["forecast"]["method"] = "auto"
    params["forecast"]["auto"].update(candidates=["moving_average_28"], seasonal_profile=False)
    params["replenishment"]["seasonal_lift"]["max_lift"] = 1.0  # no lift: the rate is the mean
    assert isinstance(params["forecast"]["auto"]["level_factor"], list)  # the YAML's grid
    return MarketplaceData("US", frames={"fba_inventory": inventory}), history, params


def test_plan_forecasts_with_the_planning_level_factor_not_the_shrunk_auto_mean():
    from opsanalysis import forecast

    data, history, params = _falling_plan_inputs()
    result = rp.plan(data, params, AS_OF, history=history)
    horizon = result.forecast["ds"].nunique()
    unshrunk = rp.planning_forecast_params(params)
    assert unshrunk["forecast"]["auto"]["level_factor"] == \
        params["replenishment"]["forecast_level_factor"] == 1.0
    assert isinstance(params["forecast"]["auto"]["level_factor"], list)  # params untouched
    expected = forecast.predict(history, horizon, "auto", quantiles=(0.5, 0.9), params=unshrunk)
    shrunk = forecast.predict(history, horizon, "auto", quantiles=(0.5, 0.9), params=params)
    got = result.forecast.sort_values(["unique_id", "ds"])
    # known answer: factor 1 on a flat 28-day mean is the last 28 days' mean, every day
    last_28 = history.groupby("unique_id")["y"].apply(lambda y: y.iloc[-28:].mean())
    assert got["forecast"].to_numpy() == pytest.approx(
        np.repeat(last_28.to_numpy(), horizon), rel=1e-12)
    assert got["forecast"].to_numpy() == pytest.approx(expected["forecast"].to_numpy(),
                                                       rel=1e-12)
    assert (shrunk["forecast"] < 0.99 * expected["forecast"]).all()  # what it would have been
    # the plan's daily rate is that mean (flat forecast, no lift): the levels read it
    table = result.table.set_index("sku")
    assert table["daily_rate"].to_numpy(dtype=float) == pytest.approx(
        last_28.reindex(table.index).to_numpy(), rel=1e-9)


def test_recommend_orders_with_params_forecasts_at_the_planning_level_factor():
    data, history, params = _falling_plan_inputs()
    position = pd.DataFrame({"unique_id": history["unique_id"].unique(), "on_hand": 0,
                             "on_order": 0})
    out = rp.recommend_orders(history, position, params, AS_OF).set_index("unique_id")
    last_28 = history.groupby("unique_id")["y"].apply(lambda y: y.iloc[-28:].mean())
    assert out["daily_rate"].to_numpy(dtype=float) == pytest.approx(
        last_28.reindex(out.index).to_numpy(), rel=1e-9)

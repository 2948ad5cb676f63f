"""Launch tracker: curve models, reference curves, ramp forecasts, detection and verdicts."""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

from opsanalysis import launch, params
from opsanalysis.launch import (
    CURVE_MODELS,
    build_reference,
    curve_value,
    detect_launches,
    fit_curve,
    fit_launch_curves,
    forecast_ramp,
    reference_bands,
    track_launches,
    tracker,
    weekly_launch_curves,
    weeks_to_fraction,
)

# Every setting from params launch (no code defaults); the reference plateaus of these synthetic
# tests are fitted on the whole curve (plateau_weeks None), as their known answers assume.
LAUNCH = params.load_defaults()["launch"]
FRACTION = LAUNCH["steady_state_fraction"]
PLATEAU_WEEKS = LAUNCH["min_plateau_weeks"]
REF = {**launch.reference_options(LAUNCH), "plateau_weeks": None}
RAMP = {**launch.ramp_options(LAUNCH), "reference_options": REF}

TRUE_PARAMETERS = {
    "logistic": {"plateau": 120.0, "rate": 0.7, "midpoint": 4.0},
    "gompertz": {"plateau": 120.0, "displacement": 4.0, "rate": 0.35},
    "bass": {"plateau": 120.0, "innovation": 0.05, "imitation": 0.6},
    "trapezoid": {"plateau": 120.0, "ramp_start": 1.0, "ramp_weeks": 6.0},
}


def _long(matrix, prefix):
    rows = [pd.DataFrame({"unique_id": f"{prefix}{i}", "week": np.arange(row.size), "y": row})
            for i, row in enumerate(matrix)]
    return pd.concat(rows, ignore_index=True)


def _launches(n, rng, t0=(1.0, 6.0), rate=(0.3, 1.0), level=30.0, weeks=27):
    """Poisson weekly counts around logistic ramps with random plateau and speed."""
    plateau = rng.lognormal(np.log(level), 0.4, n)
    curves = [curve_value("logistic", np.arange(weeks), [p, rng.uniform(*rate), rng.uniform(*t0)])
              for p in plateau]
    return rng.poisson(np.array(curves)).astype(float)


# ---- curve models ------------------------------------------------------------------------------


@pytest.mark.parametrize("model", CURVE_MODELS)
def test_curve_models_recover_known_parameters_from_noisy_curves(model):
    rng = np.random.default_rng(7)
    weeks = np.arange(30)
    truth = TRUE_PARAMETERS[model]
    clean = curve_value(model, weeks, truth)
    noisy = clean * (1 + 0.06 * rng.standard_normal(weeks.size))
    fit = fit_curve(weeks, noisy, model, fraction=FRACTION, min_plateau_weeks=PLATEAU_WEEKS)
    assert fit.status == "ok"
    for name, value in truth.items():
        assert fit.parameters[name] == pytest.approx(value, rel=0.2, abs=0.3), name
    assert fit.plateau == pytest.approx(120.0, rel=0.05)
    t90 = weeks_to_fraction(model, truth, 0.9)
    assert fit.weeks_to_steady_state == pytest.approx(t90, abs=1.0)
    # The 80 % interval of the plateau (Jacobian) covers the truth and is not absurdly wide.
    z = 1.2816
    assert abs(fit.plateau - 120.0) <= z * fit.plateau_sd * 3
    assert 0 < fit.plateau_sd < 10


@pytest.mark.parametrize("model", CURVE_MODELS)
def test_weeks_to_fraction_matches_the_curve(model):
    truth = TRUE_PARAMETERS[model]
    t90 = weeks_to_fraction(model, truth, 0.9)
    assert curve_value(model, [t90], truth)[0] == pytest.approx(0.9 * 120.0, rel=1e-6)


@pytest.mark.parametrize("model", CURVE_MODELS)
@pytest.mark.parametrize(
    "values, status",
    [
        (np.zeros(10), "all_zero"),
        ([], "all_zero"),
        ([5.0], "too_short"),
        ([3.0, 4.0], "too_short"),
        (np.full(12, 7.0), "ok"),
        # rising in its last week, or alternating: a model may find no plateau in the data
        ([np.nan, 2.0, np.nan, 3.0, 1.0, 0.0, 4.0], "ok or not_identifiable"),
        ([0, 0, 0, 1, 0, 0, 2, 0, 0, 0], "ok"),
        ([1e9, 0, 1e9, 0, 1e9, 0], "ok or not_identifiable"),
    ],
)
def test_fitting_never_raises_on_degenerate_input(model, values, status):
    values = np.asarray(values, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        fit = fit_curve(np.arange(values.size), values, model, fraction=FRACTION,
                        min_plateau_weeks=PLATEAU_WEEKS)
    assert fit.status in status.split(" or ")
    if fit.status == "not_identifiable":  # nothing reported: no plateau, no band
        assert np.isnan(fit.plateau) and not fit.parameters
        return
    assert np.isfinite(fit.plateau) and fit.plateau >= 0
    lower, upper = fit.band(np.arange(20))
    assert np.all(lower <= fit.predict(np.arange(20)) + 1e-9)
    assert np.all(upper >= fit.predict(np.arange(20)) - 1e-9)


def test_flat_series_is_at_steady_state_from_the_start():
    fit = fit_curve(np.arange(12), np.full(12, 7.0), "logistic", fraction=FRACTION, min_plateau_weeks=PLATEAU_WEEKS)
    assert fit.plateau == pytest.approx(7.0, rel=1e-3)
    assert fit.weeks_to_steady_state == pytest.approx(0.0, abs=0.5)


def test_fit_launch_curves_table_marks_one_best_model_per_launch():
    rng = np.random.default_rng(1)
    history = _long(_launches(3, rng), "n")
    history = pd.concat([history, pd.DataFrame({"unique_id": "zero", "week": [0, 1], "y": 0.0})])
    table = fit_launch_curves(history, fraction=FRACTION, min_plateau_weeks=PLATEAU_WEEKS)
    assert len(table) == 4 * len(CURVE_MODELS)
    # one best model per launch with an identifiable fit, none for the all-zero launch
    assert table.groupby("unique_id")["best"].sum().to_dict() == {"n0": 1, "n1": 1, "n2": 1,
                                                                  "zero": 0}
    ok = table["status"] == "ok"
    assert (table.loc[ok, "plateau_low"] <= table.loc[ok, "plateau"]).all()
    assert (table.loc[ok, "plateau"] <= table.loc[ok, "plateau_high"]).all()
    assert set(table.loc[table["unique_id"] == "zero", "status"]) == {"all_zero"}


# ---- reference curves ---------------------------------------------------------------------------


def test_reference_is_one_cluster_when_shapes_agree_and_two_when_they_differ():
    rng = np.random.default_rng(3)
    alike = build_reference(_long(_launches(9, rng, t0=(3, 4), rate=(0.5, 0.6)), "a"), **REF)
    assert alike.members["cluster"].nunique() == 1
    fast = _launches(6, rng, t0=(0.5, 1.0), rate=(1.5, 2.0), level=50)
    slow = _launches(6, rng, t0=(12, 14), rate=(0.4, 0.5), level=50)
    both = build_reference(pd.concat([_long(fast, "f"), _long(slow, "s")]), **REF)
    groups = both.members.groupby("cluster")["unique_id"].apply(lambda s: {u[0] for u in s})
    assert len(groups) == 2 and sorted(map(sorted, groups)) == [["f"], ["s"]]
    # Normalised by plateau: late weeks sit near 1 for every launch.
    assert np.nanmedian(both.normalised[:, -4:]) == pytest.approx(1.0, abs=0.15)


def test_reference_bands_are_ordered_percentiles():
    rng = np.random.default_rng(4)
    bands = reference_bands(build_reference(_long(_launches(10, rng), "r"), **REF), (0.1, 0.5, 0.9))
    assert list(bands.columns[:3]) == ["cluster", "week", "n_launches"]
    assert (bands["q10"] <= bands["q50"]).all() and (bands["q50"] <= bands["q90"]).all()
    assert (bands["level_q10"] <= bands["level_q90"]).all()
    assert bands["n_launches"].eq(10).all()


def test_reference_of_degenerate_launches_does_not_raise():
    history = pd.DataFrame({"unique_id": ["a", "b", "b", "c"], "week": [0, 0, 1, 0],
                            "y": [0.0, 3.0, 3.0, 1.0]})
    reference = build_reference(history, **REF)
    assert set(reference.members["unique_id"]) == {"b", "c"}  # a never sold: no plateau
    forecast = forecast_ramp(pd.DataFrame({"unique_id": "n", "week": [0], "y": [0.0]}),
                             reference, 4, **RAMP)
    assert len(forecast) == 4 and forecast["forecast"].ge(0).all()


# ---- ramp forecast ------------------------------------------------------------------------------


def test_forecast_of_a_scaled_copy_is_the_scaled_reference():
    weeks = np.arange(30)
    shape = curve_value("gompertz", weeks, [1.0, 4.0, 0.4])
    reference = _long(np.vstack([shape * 10.0] * 5), "r")
    history = pd.DataFrame({"unique_id": "new", "week": weeks[:7], "y": 20.0 * shape[:7]})
    forecast = forecast_ramp(history, reference, 12, **{**RAMP, "own_weight_half_weeks": None})
    assert list(forecast.columns[:5]) == ["unique_id", "week", "forecast", "q10", "q90"]
    assert forecast["week"].tolist() == list(range(7, 19))
    np.testing.assert_allclose(forecast["forecast"], 20.0 * shape[7:19], rtol=1e-9)
    np.testing.assert_allclose(forecast["q10"], forecast["forecast"], rtol=1e-9)


def test_scale_is_the_poisson_ratio_of_recency_weighted_weeks():
    """Weekly counts: the scale is sum(w y) / sum(w shape), not least squares (which lets the
    biggest, noisiest week dominate)."""
    weeks = np.arange(30)
    shape = curve_value("logistic", weeks, [1.0, 0.8, 3.0])
    reference = _long(np.vstack([shape * 10.0] * 5), "r")
    observed = np.array([1.0, 0.0, 6.0, 3.0, 14.0, 9.0, 30.0])  # a spike in the last week
    history = pd.DataFrame({"unique_id": "new", "week": weeks[:7], "y": observed})
    forecast = forecast_ramp(history, reference, 10,
                             **{**RAMP, "own_weight_half_weeks": None, "recency_weeks": 2.0})
    weights = np.exp((np.arange(7) - 6) / 2.0)
    scale = observed @ weights / (weights @ shape[:7])
    np.testing.assert_allclose(forecast["forecast"], scale * shape[7:17], rtol=1e-9)
    least_squares = observed @ (weights * shape[:7]) / (weights * shape[:7]) @ shape[:7]
    assert abs(forecast["forecast"].iloc[-1] - least_squares * shape[16]) > 1.0


def test_intermittent_launch_is_scaled_on_all_its_weeks():
    """Past launches that sell in a third of their weeks: the median past curve is 0 after the
    first sale, yet a launch selling every week must be scaled above one that sold once."""
    rng = np.random.default_rng(8)
    past = rng.poisson(0.5, (40, 27)).astype(float)
    past[:, 0] = rng.integers(1, 4, 40)  # the first sale opens each launch
    reference = build_reference(_long(past, "r"), **REF)
    assert np.all(np.nanmedian(reference.normalised[:, 1:7], axis=0) == 0)
    once = [2.0, 0, 0, 0, 0, 0, 0]
    every_week = [2.0, 2, 1, 2, 3, 2, 2]
    history = pd.concat([pd.DataFrame({"unique_id": "once", "week": range(7), "y": once}),
                         pd.DataFrame({"unique_id": "every", "week": range(7), "y": every_week})])
    forecast = forecast_ramp(history, reference, 20, **RAMP).groupby("unique_id")[["forecast", "q90"]].sum()
    assert forecast.loc["every", "q90"] > 1.5 * forecast.loc["once", "q90"]
    assert forecast.loc["every", "forecast"] >= forecast.loc["once", "forecast"]


def test_weight_on_own_data_grows_with_weeks_observed():
    weeks = np.arange(30)
    shape = curve_value("logistic", weeks, [1.0, 0.8, 3.0])
    reference = build_reference(_long(np.vstack([shape * 10.0] * 5), "r"), **REF)
    new = 30.0 * shape  # three times the typical launch
    levels = []
    for n_obs in (1, 3, 7, 14):
        history = pd.DataFrame({"unique_id": "new", "week": weeks[:n_obs], "y": new[:n_obs]})
        forecast = forecast_ramp(history, reference, 4, **RAMP)
        levels.append(forecast["forecast"].iloc[-1] / (10.0 * shape[n_obs + 3]))
    assert levels == sorted(levels) and 1.0 < levels[0] < levels[-1] < 3.0 + 1e-9
    assert levels[-1] > 2.5


def test_forecast_beats_flat_and_reference_median_with_calibrated_band():
    rng = np.random.default_rng(11)
    past = _launches(30, rng, t0=(2, 10), rate=(0.25, 0.8))
    new = _launches(40, rng, t0=(2, 10), rate=(0.25, 0.8))
    reference = build_reference(_long(past, "r"), **REF)
    history = _long(new[:, :7], "n")
    forecast = forecast_ramp(history, reference, 20, **RAMP)
    actual = new[:, 7:27].ravel()
    ours = forecast.sort_values(["unique_id", "week"], key=lambda s: s.map(
        lambda v: int(v[1:]) if isinstance(v, str) else v))
    mae = np.abs(ours["forecast"].to_numpy() - actual).mean()
    flat = np.abs(np.repeat(new[:, 5:7].mean(axis=1), 20) - actual).mean()
    shape = np.nanmedian(reference.normalised, axis=0)
    scale = new[:, :7] @ shape[:7] / (shape[:7] @ shape[:7])
    median = np.abs((scale[:, None] * shape[None, 7:27]).ravel() - actual).mean()
    assert mae < 0.95 * min(flat, median)
    inside = (actual >= ours["q10"].to_numpy()) & (actual <= ours["q90"].to_numpy())
    assert 0.7 <= inside.mean() <= 0.9


def _sales_every(period, weeks=27, size=1.0):
    """A launch that sells ``size`` units in week 0 and then in every ``period``-th week."""
    row = np.zeros(weeks)
    row[::period] = size
    return row


def test_sale_frequency_prior_and_posterior_have_known_values():
    """Beta-binomial by moments: shares 5/26 and 21/26 of the weeks after the first sale."""
    from opsanalysis.launch.reference import _sale_frequency_prior, _sale_probability

    rare = np.zeros(27)
    rare[[0, 3, 8, 13, 18, 23]] = 1.0  # 5 sales in the 26 weeks after the first
    often = np.ones(27)
    often[[4, 9, 14, 19, 24]] = 0.0  # 21 of 26
    mean, concentration = _sale_frequency_prior(np.vstack([rare, often] * 5))
    shares = np.array([5 / 26, 21 / 26])
    between = shares.var() - 0.5 * 0.5 / 26
    assert mean == pytest.approx(0.5)
    assert concentration == pytest.approx(0.25 / between - 1.0)
    # One sale in the 6 weeks after the first sale; the first sale itself does not count.
    observed = np.array([3.0, 0, 0, 1, 0, 0, 0])
    expected = (1 + concentration * 0.5) / (6 + concentration)
    assert _sale_probability(observed, (mean, concentration)) == pytest.approx(expected)
    # Launches that all sell every week: the prior says everything (no between-launch spread).
    assert _sale_probability(observed, _sale_frequency_prior(np.ones((4, 27)))) == 1.0


def test_intermittent_launch_has_median_zero_and_positive_mean():
    """Past launches sell 1 unit in every 5th week or in 4 weeks of 5. A launch that sold once
    after its first sale has median 0 (MAE-optimal) but a positive expected level; one that
    sold every week has median 1 unit."""
    rare = [_sales_every(5)] * 10
    often = [1.0 - _sales_every(5) + np.eye(27)[0]] * 10  # first sale, then 4 weeks in 5
    reference = build_reference(_long(np.vstack(rare + often), "r"), **{**REF, "max_clusters": 1})
    assert len(reference.members) == 20
    history = pd.concat([
        pd.DataFrame({"unique_id": "once", "week": range(7), "y": [1.0, 0, 0, 0, 1, 0, 0]}),
        pd.DataFrame({"unique_id": "every", "week": range(7), "y": [1.0] * 7}),
    ])
    forecast = forecast_ramp(history, reference, 20, **RAMP).set_index("unique_id")
    once, every = forecast.loc["once"], forecast.loc["every"]
    assert once["forecast"].eq(0).all() and once["mean"].gt(0).all()
    assert every["forecast"].eq(1).all()
    assert once["mean"].sum() < every["mean"].sum() <= 20.0
    assert (forecast["q10"] <= forecast["forecast"]).all()
    assert (forecast["forecast"] <= forecast["q90"]).all()


def test_high_rate_launch_median_is_close_to_mean():
    """Poisson counts around a plateau of 40 a week (nearly symmetric): median and mean agree
    within a few percent, both are near 40, and the median of count data is a whole number."""
    rng = np.random.default_rng(4)
    ramp = curve_value("logistic", np.arange(27), [40.0, 0.9, 2.0])
    past = rng.poisson(np.tile(ramp, (30, 1))).astype(float)
    new = rng.poisson(np.tile(ramp, (5, 1))).astype(float)
    forecast = forecast_ramp(_long(new[:, :7], "n"), build_reference(_long(past, "r"), **REF), 20,
                             **RAMP)
    np.testing.assert_allclose(forecast["forecast"], forecast["mean"], rtol=0.05)
    np.testing.assert_allclose(forecast["mean"], 40.0, rtol=0.1)
    assert np.array_equal(forecast["forecast"], np.round(forecast["forecast"]))


def test_stopped_launches_stay_in_the_reference():
    """Half the past launches sell 10 a week throughout, half stop after week 6: the expected
    later level of a launch like them is 5 a week, not the survivors' 10."""
    alive = np.full(27, 10.0)
    stopped = np.where(np.arange(27) < 7, 10.0, 0.0)
    # One cluster: the early weeks cannot tell the two kinds apart.
    reference = build_reference(_long(np.vstack([alive] * 5 + [stopped] * 5), "r"),
                                **{**REF, "max_clusters": 1})
    sources = reference.members["plateau_source"]
    assert sources.eq("stopped").sum() == 5 and (reference.members["plateau"] > 0).sum() == 5
    assert np.isfinite(reference.normalised).all()
    history = pd.DataFrame({"unique_id": "n", "week": range(7), "y": 10.0})
    forecast = forecast_ramp(history, reference, 20, **RAMP).iloc[2:]  # windows pool weeks +/- 2
    np.testing.assert_allclose(forecast["mean"], 5.0, rtol=1e-9)
    assert np.allclose(forecast["q10"], 0.0) and forecast["q90"].ge(10.0).all()


def test_forecast_quantiles_are_ordered_and_non_negative():
    rng = np.random.default_rng(5)
    reference = build_reference(_long(_launches(8, rng, level=2.0), "r"), **REF)
    forecast = forecast_ramp(_long(_launches(5, rng, level=2.0)[:, :4], "n"), reference, 10, **RAMP)
    assert (forecast["q10"] <= forecast["forecast"]).all()
    assert (forecast["forecast"] <= forecast["q90"]).all()
    assert forecast["q10"].ge(0).all()


# ---- detection, weekly curves, verdicts ---------------------------------------------------------

START = pd.Timestamp("2025-01-05")  # a Sunday
AS_OF = pd.Timestamp("2026-10-31")


def _business_report(specs, rng):
    """Weekly BR by child ASIN: specs = {asin: (launch_date, plateau, shape_rate)}."""
    week_starts = pd.date_range(START, AS_OF - pd.Timedelta(days=6), freq="7D")
    rows = []
    for asin, (launch_date, plateau, rate) in specs.items():
        age = ((week_starts - launch_date).days // 7).to_numpy()
        mean = np.where(age >= 0, curve_value("logistic", age, [plateau, rate, 3.0]), 0.0)
        if launch_date <= START:
            mean = np.full(age.size, plateau)
        units = rng.poisson(mean)
        sessions = units * 8 + rng.poisson(mean * 2)
        rows.append(pd.DataFrame({
            "parent_asin": asin, "child_asin": asin, "sku": f"SKU-{asin}",
            "sessions": sessions, "units_ordered": units,
            "ordered_product_sales": units * 20.0,
            "period_start": week_starts, "period_end": week_starts + pd.Timedelta(days=6),
        }))
    report = pd.concat(rows, ignore_index=True)
    return report.loc[report["sessions"] > 0].reset_index(drop=True)


@pytest.fixture(scope="module")
def seller():
    rng = np.random.default_rng(21)
    specs = {"EST1": (START, 40.0, 1.0), "EST2": (START, 25.0, 1.0)}
    for i in range(6):
        specs[f"PAST{i}"] = (START + pd.Timedelta(weeks=10 + 8 * i), rng.uniform(35, 45), 0.9)
    specs["OTHER"] = (START + pd.Timedelta(weeks=20), 40.0, 0.9)
    recent = AS_OF + pd.Timedelta(days=1) - pd.Timedelta(weeks=10)
    specs["GOOD"] = (recent, 40.0, 0.9)
    specs["SLOW"] = (recent, 14.0, 0.3)
    specs["NEW"] = (AS_OF + pd.Timedelta(days=1) - pd.Timedelta(weeks=1), 40.0, 0.9)
    report = _business_report(specs, rng)
    master = pd.DataFrame({"sku": [f"SKU-{a}" for a in specs], "asin": list(specs),
                           "category": ["Garden" if a == "OTHER" else "Kitchen" for a in specs]})
    settings = params.load("US")["launch"]
    launches = detect_launches(report, None, master, quiet_weeks=settings["launch_quiet_weeks"])
    curves = weekly_launch_curves(launches, report, as_of=AS_OF, max_weeks=settings["reference_weeks"])
    changes = pd.DataFrame({"asin": ["SLOW", "GOOD"], "date": [recent + pd.Timedelta(days=10),
                            recent - pd.Timedelta(days=30)], "change_type": ["title", "main_image"]})
    tracking = track_launches(launches, curves, AS_OF, settings, listing_changes=changes)
    return {"launches": launches, "curves": curves, "tracking": tracking, "recent": recent}


def test_detect_launches_dates_launches_and_skips_established_products(seller):
    launches = seller["launches"].set_index("asin")
    assert not launches.loc["EST1", "is_launch"] and not launches.loc["EST2", "is_launch"]
    assert launches.loc["GOOD", "launch_date"] == seller["recent"]
    assert launches.loc["GOOD", "launch_source"] == "first_sale"
    assert launches.loc["PAST0", "sku"] == "SKU-PAST0"
    assert launches.loc["OTHER", "category"] == "Garden"


def test_product_master_launch_date_wins():
    # weekly files from 2025-12-21: 9 covered weeks without a sale before the master's date
    starts = pd.date_range("2025-12-21", "2026-03-01", freq="7D")
    report = pd.DataFrame({"child_asin": "A", "sessions": [0] * 10 + [5],
                           "units_ordered": [0] * 10 + [1], "period_start": starts,
                           "period_end": starts + pd.Timedelta(days=6)})
    master = pd.DataFrame({"sku": ["S"], "asin": ["A"], "category": ["Kitchen"],
                           "launch_date": pd.to_datetime(["2026-02-22"])})
    row = detect_launches(report, None, master, quiet_weeks=LAUNCH["launch_quiet_weeks"]).iloc[0]
    assert row["launch_source"] == "product_master"
    assert row["launch_date"] == pd.Timestamp("2026-02-22")
    assert row["first_sale_date"] == pd.Timestamp("2026-03-01") and row["is_launch"]


def test_weekly_curves_count_weeks_since_launch_with_conversion(seller):
    curves = seller["curves"]
    good = curves.loc[curves["asin"] == "GOOD"]
    assert good["week"].tolist() == list(range(10))
    assert good["launch_week_start"].iloc[0] == seller["recent"]
    ratio = good["units_ordered"].astype(float) / good["sessions"].astype(float)
    np.testing.assert_allclose(good["unit_session_percentage"], ratio)
    assert good["ad_sales"].isna().all() and good["organic_rank"].isna().all()


def test_daily_reports_and_orders_date_and_bin_a_launch():
    days = pd.date_range("2025-12-01", "2026-03-31", freq="D")
    sessions = np.where(days >= "2026-02-10", 10, 0)
    report = pd.DataFrame({"child_asin": "A", "sku": "S", "sessions": sessions,
                           "units_ordered": sessions // 5, "ordered_product_sales": sessions * 4.0,
                           "period_start": days, "period_end": days})
    orders = pd.DataFrame({
        "asin": ["A", "A"], "sku": ["S", "S"], "order_status": ["Cancelled", "Shipped"],
        "purchase_date": pd.to_datetime(["2026-02-08 23:30", "2026-02-09 23:30"]).tz_localize(
            "America/Los_Angeles"),
    })
    launch_row = detect_launches(report, orders, quiet_weeks=LAUNCH["launch_quiet_weeks"]).iloc[0]
    # The first non-cancelled order (local date) comes before the first session.
    assert launch_row["launch_date"] == pd.Timestamp("2026-02-09")
    assert launch_row["launch_source"] == "first_sale" and launch_row["is_launch"]
    launches = detect_launches(report, orders, quiet_weeks=LAUNCH["launch_quiet_weeks"])
    curves = weekly_launch_curves(launches, report, as_of="2026-03-31",
                                  max_weeks=LAUNCH["reference_weeks"])
    assert curves["week"].tolist() == list(range(7))  # 7 complete weeks from 2026-02-09
    assert curves["sessions"].tolist() == [60] + [70] * 6


def test_ad_share_and_organic_rank_per_launch_week():
    report = pd.DataFrame({
        "child_asin": "A", "sessions": [10, 20], "units_ordered": [1, 2],
        "ordered_product_sales": [100.0, 200.0],
        "period_start": pd.to_datetime(["2026-03-01", "2026-03-08"]),
        "period_end": pd.to_datetime(["2026-03-07", "2026-03-14"]),
    })
    launches = pd.DataFrame({"asin": ["A"], "sku": ["S"], "category": ["K"],
                             "launch_date": [pd.Timestamp("2026-03-01")], "is_launch": [True]})
    ads = pd.DataFrame({"date": pd.to_datetime(["2026-03-02", "2026-03-09", "2026-03-09"]),
                        "advertised_asin": "A", "sales": [25.0, 40.0, 60.0],
                        "attribution_days": [7, 7, 14]})
    ranks = pd.DataFrame({"asin": "A", "date": pd.to_datetime(["2026-03-02", "2026-03-03"]),
                          "organic_rank": [40, 20]})
    curves = weekly_launch_curves(launches, report, ads, ranks, as_of="2026-03-14",
                                  max_weeks=LAUNCH["reference_weeks"])
    assert curves["ad_share_of_sales"].tolist() == [0.25, 0.2]  # 7-day window only
    assert curves["organic_rank"].iloc[0] == 30.0 and np.isnan(curves["organic_rank"].iloc[1])


def test_verdicts_flag_the_slow_launch_only(seller):
    verdicts = seller["tracking"].verdicts.set_index("asin")
    # below the band for weeks: lagging while it ramps, stalled once settled past the build-up
    slow = verdicts.loc["SLOW"]
    assert slow["verdict"] in {"lagging", "stalled"} and slow["weeks_below_q10"] >= 2
    assert (slow["verdict"] == "stalled") == (slow["weeks_left_to_steady_state"] == 0)
    assert verdicts.loc["GOOD", "verdict"] in {"on_track", "ahead"}
    assert verdicts.loc["NEW", "verdict"] == "too_early"
    assert verdicts.loc["GOOD", "reference_scope"] == "category"
    assert verdicts.loc["GOOD", "reference_launches"] == 6
    assert set(verdicts["verdict"]) <= set(launch.VERDICTS)


def test_listing_change_inside_build_up_warns(seller):
    verdicts = seller["tracking"].verdicts.set_index("asin")
    assert verdicts.loc["SLOW", "listing_change_warning"]
    assert "title" in verdicts.loc["SLOW", "listing_changes"]
    assert not verdicts.loc["GOOD", "listing_change_warning"]  # changed before launch


def test_steady_state_and_ramp_stock(seller):
    tracking = seller["tracking"]
    verdicts = tracking.verdicts.set_index("asin")
    good = verdicts.loc["GOOD"]
    assert good["expected_plateau"] == pytest.approx(40.0, rel=0.3)
    assert good["weeks_left_to_steady_state"] == 0 and good["ramp_units"] == 0
    slow = verdicts.loc["SLOW"]
    assert slow["ramp_units_q90"] >= slow["ramp_units"] >= 0
    demand = tracking.ramp_demand
    assert set(demand["asin"]) >= {"GOOD", "SLOW"}
    assert (demand["units_q10"] <= demand["units_forecast"]).all()
    # The stock the remaining ramp needs adds up expected units, not weekly medians.
    slow_demand = demand.loc[demand["asin"] == "SLOW", "units_mean"]
    weeks_left = int(slow["weeks_left_to_steady_state"])
    assert slow["ramp_units"] == pytest.approx(slow_demand.iloc[:weeks_left].sum())
    bands = tracking.bands.loc[tracking.bands["asin"] == "GOOD"]
    assert bands["observed_level"].notna().sum() == 10 and bands["forecast_level"].notna().sum() == 26
    reference = tracking.reference.set_index("asin")
    assert "GOOD" in reference.loc["PAST0", "used_for"]
    assert reference.loc["PAST0", "plateau_level"] == pytest.approx(40.0, rel=0.3)


# ---- the bundled sample -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_tracking(sample_dir):
    from opsanalysis import io, sample

    world = sample.generate(None)
    out = {}
    for marketplace in sample.SAMPLE_MARKETPLACES:
        data = io.load_marketplace(sample_dir, marketplace)
        settings = params.load(marketplace)["launch"]
        launches = detect_launches(data["business_report_asin"], data.get("all_orders"),
                                   data.get("product_master"),
                                   quiet_weeks=settings["launch_quiet_weeks"])
        curves = weekly_launch_curves(launches, data["business_report_asin"],
                                      data.get("sp_advertised_product"), as_of=sample.AS_OF,
                                      max_weeks=settings["reference_weeks"])
        out[marketplace] = (track_launches(launches, curves, sample.AS_OF, settings),
                            world.planted[marketplace])
    return out


@pytest.mark.slow
@pytest.mark.parametrize("marketplace", ["US", "UK", "DE", "JP"])
def test_sample_planted_lagging_launch_is_flagged_and_the_others_are_not(
        sample_tracking, marketplace):
    tracking, planted = sample_tracking[marketplace]
    verdicts = tracking.verdicts.set_index("sku")["verdict"]
    assert set(planted["launch_skus"]) <= set(verdicts.index)
    assert verdicts[planted["lagging_launch_sku"]] == "lagging"
    others = verdicts.drop(planted["lagging_launch_sku"])
    assert not others.eq("lagging").any(), others.to_dict()
    # The past launches form the reference; none of the tracked ones is in it.
    assert set(tracking.reference["sku"]) <= set(planted["past_launch_skus"])
    assert not set(tracking.reference["sku"]) & set(planted["launch_skus"])


def test_forecast_on_real_intermittent_launches_is_finite(expsmooth_dir):
    """Car parts whose first sale comes after 6+ empty months: sparse, lumpy real launches."""
    table = pd.read_csv(expsmooth_dir / "carparts.csv", index_col=0)
    values = table.to_numpy(dtype=float)
    positive = np.nan_to_num(values) > 0
    first = np.where(positive.any(axis=0), positive.argmax(axis=0), -1)
    chosen = np.flatnonzero((first >= 6) & (first <= 24))[:40]
    series = np.vstack([values[first[c]: first[c] + 27, c] for c in chosen])
    series = series[~np.isnan(series).any(axis=1)]
    reference = build_reference(_long(series[:25], "r"), **REF)
    forecast = forecast_ramp(_long(series[25:, :7], "n"), reference, 20, **RAMP)
    assert len(forecast) == 20 * (len(series) - 25)
    assert np.isfinite(forecast[["forecast", "q10", "q90"]].to_numpy()).all()
    assert (forecast["q10"] <= forecast["forecast"]).all()
    assert (forecast["forecast"] <= forecast["q90"]).all()
    # These parts sell in about 1 month in 20 after their first sale: the expected level is
    # positive, while the median and (more than 90 % of months are 0) the q90 are 0.
    assert forecast["mean"].gt(0).all()
    actual = series[25:, 7:27].ravel()
    assert (actual > forecast["q90"].to_numpy()).mean() <= 0.1


def test_without_past_launches_the_own_curve_forecasts():
    weeks = np.arange(10)
    history = pd.DataFrame({"unique_id": "n", "week": weeks,
                            "y": curve_value("logistic", weeks, [50.0, 0.9, 3.0])})
    empty = pd.DataFrame(columns=["unique_id", "week", "y"])
    forecast = forecast_ramp(history, empty, 5, **RAMP)
    np.testing.assert_allclose(forecast["forecast"], 50.0, rtol=0.02)
    assert forecast["cluster"].eq(-1).all()
    assert (forecast["q10"] <= forecast["forecast"]).all()


# ---- issue 14/15/16: identifiable fits, one steady state, decision table, coverage ------------

KIT_037 = np.array([3, 11, 13, 17, 16, 34, 29, 28, 41], dtype=float)  # US sample, weeks 0-8


@pytest.mark.parametrize("model", CURVE_MODELS)
def test_a_ramp_still_climbing_is_not_identifiable(model):
    # Its ramp end lies beyond the last week: plateau and ramp length trade off along a ridge.
    fit = fit_curve(np.arange(9), KIT_037, model, fraction=FRACTION,
                    min_plateau_weeks=PLATEAU_WEEKS)
    assert fit.status == "not_identifiable"
    assert np.isnan(fit.plateau) and np.isnan(fit.weeks_to_steady_state)
    table = fit_launch_curves(pd.DataFrame({"unique_id": "K", "week": np.arange(9), "y": KIT_037}),
                              fraction=FRACTION, min_plateau_weeks=PLATEAU_WEEKS)
    assert not table["best"].any() and table["plateau"].isna().all()


def test_identifiable_fits_print_the_same_under_tiny_perturbations():
    # What moved 40.6 to 40.7 between machines: the printed figures must not depend on the last
    # bits of the input or on the order of the arithmetic.
    values = np.array([1, 5, 10, 15, 20, 24, 25, 26, 25, 24, 26, 25], dtype=float)
    rng = np.random.default_rng(3)
    for model in CURVE_MODELS:
        printed = set()
        for trial in range(12):
            noisy = values + (rng.normal(0, 1e-12, values.size) if trial else 0.0)
            fit = fit_curve(np.arange(values.size), noisy, model, fraction=FRACTION,
                            min_plateau_weeks=PLATEAU_WEEKS)
            assert fit.status == "ok"
            printed.add(f"{fit.plateau:.1f} {fit.plateau_sd:.1f} {fit.weeks_to_steady_state:.0f}")
        assert len(printed) == 1, (model, printed)


def test_fit_intervals_are_bounded_by_what_the_data_show():
    rng = np.random.default_rng(4)
    history = _long(_launches(6, rng, weeks=14), "b")
    table = fit_launch_curves(history, fraction=FRACTION, min_plateau_weeks=PLATEAU_WEEKS)
    ok = table.loc[table["status"] == "ok"]
    assert len(ok)
    last_week = history.groupby("unique_id")["week"].max()
    top = history.groupby("unique_id")["y"].max()
    assert (ok["plateau_low"] >= 0).all()
    assert (ok["plateau_high"] <= 5.0 * ok["unique_id"].map(top) + 1e-9).all()
    assert (ok["weeks_to_steady_state_high"] <= ok["unique_id"].map(last_week)).all()
    assert (ok["weeks_to_steady_state"] == np.round(ok["weeks_to_steady_state"])).all()


def test_steady_state_week_is_the_first_whole_week_at_the_fraction():
    assert launch.steady_state_week([1.0, 5.0, 8.9, 9.0, 10.0], 10.0, 0.9) == 3.0
    assert launch.steady_state_week([9.5, 10.0], 10.0, 0.9) == 0.0
    assert np.isnan(launch.steady_state_week([1.0, 2.0], 10.0, 0.9))  # not reached: unknown
    assert np.isnan(launch.steady_state_week([0.0, 0.0], 0.0, 0.9))  # no plateau: unknown, not 0


def test_verdict_table_and_fit_table_give_one_weeks_to_steady_state(seller):
    tracking = seller["tracking"]
    best = tracking.curve_fits.loc[tracking.curve_fits["best"]].set_index("unique_id")
    own = tracking.verdicts.loc[tracking.verdicts["steady_state_source"] == "own_curve"]
    assert len(own)
    for row in own.itertuples():
        assert row.weeks_to_steady_state == best.loc[row.asin, "weeks_to_steady_state"]
        assert row.expected_plateau == best.loc[row.asin, "plateau"]
    # Weeks left follow from weeks to steady state and weeks observed, never negative.
    known = tracking.verdicts.dropna(subset=["weeks_to_steady_state"])
    expected = np.maximum(known["weeks_to_steady_state"] - (known["weeks_observed"] - 1), 0)
    np.testing.assert_array_equal(known["weeks_left_to_steady_state"], expected)


# Each row of the decision table with one known input, and the expected (verdict, reason).
DECISION_CASES = [
    ((False, True, "above", False, False), ("too_early", "fewer_weeks_than_needed")),
    ((True, False, "below", True, True), ("no_reference", "no_category_reference")),
    ((True, True, "below", True, False), ("lagging", "below_band_still_ramping")),
    ((True, True, "below", True, True), ("stalled", "below_band_settled")),
    ((True, True, "below", False, True), ("watch", "below_band_briefly")),
    ((True, True, "inside", False, False), ("on_track", "inside_band")),
    ((True, True, "above", False, True), ("ahead", "above_band")),
]


@pytest.mark.parametrize("inputs, expected", DECISION_CASES)
def test_decision_table_rows(inputs, expected):
    assert launch.launch_verdict(*inputs) == expected


def test_decision_table_covers_every_input_once_and_every_verdict_has_an_action():
    rows = [row for row, _, _ in launch.DECISION_TABLE]
    for inputs in itertools.product([False, True], [False, True], ["below", "inside", "above"],
                                    [False, True], [False, True]):
        matching = [row for row in rows if all(
            want is None or want == value for want, value in zip(row, inputs, strict=True))]
        assert len(matching) == 1, inputs
        verdict, _ = launch.launch_verdict(*inputs)
        # below the band is never "on track"/"ahead", above it never "lagging"
        if inputs[0] and inputs[1]:
            assert (verdict in {"lagging", "stalled", "watch"}) == (inputs[2] == "below")
            assert (verdict == "ahead") == (inputs[2] == "above")
            assert not (verdict == "lagging" and inputs[4])  # nothing left to ramp: stalled
    assert set(LAUNCH["actions"]) == set(launch.VERDICTS)
    assert set(LAUNCH["actions"]) <= set(LAUNCH["sources"]) | {"too_early", "no_reference",
                                                                 "watch", "lagging", "stalled",
                                                                 "on_track", "ahead"}
    assert "actions" in LAUNCH["sources"]


def test_verdict_agrees_with_the_printed_level_and_band(seller):
    verdicts = seller["tracking"].verdicts.dropna(subset=["latest_level"])
    assert len(verdicts)
    for row in verdicts.itertuples():
        if row.verdict in {"on_track", "ahead", "lagging", "stalled", "watch"}:
            above, below = row.latest_level > row.band_high, row.latest_level < row.band_low
            assert (row.verdict == "ahead") == above, row
            assert (row.verdict in {"lagging", "stalled", "watch"}) == below, row


def _weekly(asin, starts, units, sku=None):
    return pd.DataFrame({"child_asin": asin, "sku": sku or f"SKU-{asin}", "sessions": units * 5,
                         "units_ordered": units, "period_start": starts,
                         "period_end": starts + pd.Timedelta(days=6)})


def test_a_file_after_a_gap_starts_no_launch():
    # Weekly files Jan-Feb 2025, then nothing until October: whatever sells first in October
    # may have sold in the months nobody reported.
    early = pd.date_range("2025-01-05", periods=8, freq="7D")
    late = pd.date_range("2025-10-05", periods=12, freq="7D")
    old = _weekly("OLD", early.append(late), np.full(20, 3))
    after_gap = _weekly("GAP", late, np.full(12, 4))
    quiet = _weekly("NEWER", late, np.array([0] * 9 + [2, 3, 4]))
    report = pd.concat([old, after_gap, quiet], ignore_index=True)
    launches = detect_launches(report, quiet_weeks=8).set_index("asin")
    assert not launches.loc["OLD", "is_launch"]  # sells from the first file on
    assert not launches.loc["GAP", "is_launch"]  # first sale in the file after the gap
    assert launches.loc["GAP", "quiet_days_covered"] == 0
    # 9 covered weeks of the October file without a sale, then its first: a launch
    assert launches.loc["NEWER", "is_launch"]
    assert launches.loc["NEWER", "launch_date"] == late[9]
    assert launches.loc["NEWER", "quiet_days_covered"] == 56


def test_covered_days_come_from_the_files_periods():
    starts = pd.DatetimeIndex(["2025-01-05", "2025-03-02"])
    report = _weekly("A", starts, np.array([0, 1]))
    days = launch.covered_days(report)
    assert len(days) == 14 and days[7] == pd.Timestamp("2025-03-02")
    orders = pd.DataFrame({"asin": ["A"], "sku": ["S"], "order_status": ["Shipped"],
                           "purchase_date": pd.to_datetime(["2025-05-01"])})
    summary = pd.DataFrame({"kind": ["all_orders", "all_orders"], "status": ["ok", "ok"],
                            "period_start": pd.to_datetime(["2025-04-01", "2025-06-01"]),
                            "period_end": pd.to_datetime(["2025-04-30", "2025-06-10"])})
    # two order files with a gap in May: the summary's periods, not their span
    assert len(launch.covered_days(None, orders, summary)) == 30 + 10
    orders.attrs["period"] = (pd.Timestamp("2025-04-01"), pd.Timestamp("2025-04-03"))
    assert len(launch.covered_days(None, orders)) == 3


def test_placeholder_skus_are_left_out_with_a_warning():
    starts = pd.date_range("2025-01-05", periods=12, freq="7D")
    report = pd.concat([_weekly("A", starts, np.array([0] * 10 + [1, 2])),
                        _weekly("B", starts, np.array([0] * 10 + [3, 1]), sku="UNKNOW")],
                       ignore_index=True)
    launches = detect_launches(report, quiet_weeks=8)
    assert launches["asin"].tolist() == ["A"] and launches["is_launch"].all()
    assert any("UNKNOW" in message for message in launches.attrs["warnings"])


@pytest.mark.parametrize(("n_reference", "rule", "params_rule"),
                         [(4, 4, 4), (24, 8, 20), (30, 9, 20), (100, 30, 30), (200, 60, 60),
                          (500, 60, 60)])
def test_analog_count_is_a_bounded_share_of_the_reference(n_reference, rule, params_rule):
    # min(60, max(8, round(0.3 n))), never more than the reference: 24 -> 8 (0.3 x 24 = 7.2),
    # 30 -> 9, 200 -> 60, 500 -> 60 (the cap), 4 -> all 4. With the params' floor of 20:
    # 24 -> 20, 30 -> 20, 100 -> 30.
    assert launch.reference.analog_count(n_reference, 60, 0.3, 8) == rule
    assert launch.reference.analog_count(
        n_reference, LAUNCH["analogs"], LAUNCH["analogs_share"], LAUNCH["min_analogs"]) == (
        params_rule)


def test_reference_of_mixed_levels_forecasts_from_launches_of_similar_level():
    # 30 past launches sell 5 a week in weeks 0-6 and 10 after; 30 sell 500 every week. A new
    # launch selling 500 a week is forecast from its 20 nearest analogs and those tied with them
    # (the 30 at 500): 500 a week. Taking all 60 (a share of 1) mixes in the small launches'
    # doubling: well above 500.
    low = np.r_[np.full(7, 5.0), np.full(20, 10.0)]
    high = np.full(27, 500.0)
    past = _long(np.vstack([np.tile(low, (30, 1)), np.tile(high, (30, 1))]), "r")
    reference = build_reference(past, **{**REF, "max_clusters": 1})
    history = _long(high[None, :7], "n")
    settings = {**RAMP, "own_weight_half_weeks": None}
    ours = forecast_ramp(history, reference, 20, **settings)
    every = forecast_ramp(history, reference, 20,
                          **{**settings, "analogs_share": 1.0, "min_analogs": 60})
    assert ours["forecast"].to_numpy() == pytest.approx(np.full(20, 500.0), rel=0.01)
    assert every["forecast"].mean() > 600.0


@pytest.mark.parametrize("text_dtype", [object, "str"])
def test_order_lines_count_as_sales_only_when_sold_on_the_storefront_by_a_seller_sku(text_dtype):
    # 12 covered weeks of order lines (the file's period), no Business Report: each ASIN's first
    # sale is its first line that is not cancelled, on Amazon's storefront, under a seller SKU.
    lines = [  # asin, sku, order_status, sales_channel, purchase day
        ("P", "UNKNOW", "Shipped", "Amazon.com", "2025-03-20"),  # placeholder only: left out
        ("M", " unknow ", "Shipped", "Amazon.com", "2025-03-01"),  # placeholder line: no sale
        ("M", "SKU-M", "Shipped", "Amazon.com", "2025-03-22"),
        ("C", "SKU-C", "Shipped", "Non-Amazon", "2025-03-05"),  # multi-channel fulfilment
        ("C", "SKU-C", "Shipped", "Amazon.com", "2025-03-15"),
        ("X", "SKU-X", "Cancelled", "Amazon.com", "2025-03-08"),
        ("X", "SKU-X", "Shipped", "Amazon.com", "2025-03-18"),
        ("B", "SKU-B", "Shipped", "", "2025-03-10"),  # blank channel: not counted as a sale
    ]
    orders = pd.DataFrame(lines, columns=["asin", "sku", "order_status", "sales_channel",
                                          "purchase_date"])
    orders = orders.astype({c: text_dtype for c in ["asin", "sku", "order_status",
                                                    "sales_channel"]})
    orders["purchase_date"] = pd.to_datetime(orders["purchase_date"])
    orders.attrs["period"] = (pd.Timestamp("2025-01-05"), pd.Timestamp("2025-03-29"))
    launches = detect_launches(None, orders, quiet_weeks=8)
    assert launches["asin"].tolist() == ["C", "X", "M"]
    assert launches["sku"].tolist() == ["SKU-C", "SKU-X", "SKU-M"]
    assert launches["launch_date"].tolist() == pd.to_datetime(
        ["2025-03-15", "2025-03-18", "2025-03-22"]).tolist()
    assert launches["is_launch"].all()
    assert launches.attrs["warnings"] == [
        "placeholder SKUs left out of launches:  unknow , UNKNOW"]


def test_a_launch_is_detectable_only_with_quiet_weeks_covered_inside_the_tracked_weeks():
    as_of = pd.Timestamp("2025-08-02")
    days = pd.date_range(end=as_of, periods=57)  # 57 covered days: day 57 has 56 quiet ones
    assert tracker.launch_detectable(days, as_of, quiet_weeks=8, tracker_weeks=26)
    assert not tracker.launch_detectable(days[1:], as_of, quiet_weeks=8, tracker_weeks=26)
    # a 3-day gap in a longer history: 40 covered days, 3 missing, 100 covered; the run after
    # the gap has its 56 quiet days, a run of 40 alone would not
    gap = pd.date_range(end=as_of - pd.Timedelta(days=103), periods=40).append(
        pd.date_range(end=as_of, periods=100))
    assert tracker.launch_detectable(gap, as_of, quiet_weeks=8, tracker_weeks=26)
    assert not tracker.launch_detectable(gap[:40].append(gap[-50:]), as_of, quiet_weeks=8,
                                         tracker_weeks=26)
    # a long history that ended before the tracked weeks: nothing detectable in them
    old = pd.date_range("2024-01-01", "2024-12-31")
    assert not tracker.launch_detectable(old, as_of, quiet_weeks=8, tracker_weeks=26)
    assert tracker.launch_detectable(old, pd.Timestamp("2025-01-01"), quiet_weeks=8,
                                     tracker_weeks=26)


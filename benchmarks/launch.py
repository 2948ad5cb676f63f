"""Benchmark of the launch ramp forecast (issues 6 and 18).

For every series whose first sale falls mid-history — Online Retail's products launched during
the data (weekly units, real, ``../shared/data/online-retail``; also with only 24 past launches
per forecast, and its odd-numbered launches reported apart as the half held out when the analog
rule was chosen), Hyndman's carparts (monthly, real, in ``../shared/data/expsmooth``; jewelry has
no zero periods, hence no launches) and the bundled sample's past launches (weekly units) —
predict periods 7-26 after the first sale from periods
0-6 plus the *other* launches as reference, and compare with

(a) flat extrapolation of the mean of periods 5-6, and
(b) the plain reference median (each reference launch divided by its plateau, no clusters)
    scaled by least squares to periods 0-6.

Reported: MAE (all series-periods pooled), MAE relative to the mean actual, a forecast's total
over the actual total, and for bands the share of actual values inside q10-q90 (inclusive, shown
beside the target; and strictly inside, which leaves out ties with a band end: on integer data the two
bracket the tie-corrected coverage) and the one-sided misses below q10 / above q90 (at most 10 %
each for a calibrated band), and the tie-corrected coverage: the randomised PIT inside (0.1, 0.9]
(:mod:`opsanalysis.launch.calibration`; issue 18's target 80 +/- 5 %). forecast_ramp's ``forecast`` is its median (the MAE-optimal point
forecast); its ``mean`` column (expected level, what the tracker sums for stock) is shown for its
total, not as a target. Two reference rows are not forecasts: "zero", and "oracle" (each series'
own realised median and q10/q90 of periods 7-26, known only afterwards: the MAE no forecast can
beat by much and the inclusive coverage of a perfectly calibrated band). The footer gives the MAE
difference to the better baseline with a paired bootstrap interval over series; a second table
ablates the shrinkage, recency weights, shape pooling and analog count on Online Retail. Targets:
lower MAE than both baselines and randomised-PIT coverage 80 +/- 5 %.

Carparts has over a thousand candidate series; each is forecast with a reference drawn from the
other folds (5 folds; at most ``--reference-size`` reference launches per fold, ``--seed``) so the
run stays within a few minutes on a laptop. Sample launches use leave-one-out within their
marketplace.

Run: ``.venv/bin/python benchmarks/launch.py`` (``--quick`` for a 200-series carparts subset,
``--out benchmarks/results/launch.md`` to write the table; the text of the results file is
written by hand around it).

Published results, with the reading of them: ``benchmarks/results/launch.md`` (a copy here would
go stale at the next run).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from opsanalysis import params
from opsanalysis.launch import (
    build_reference,
    forecast_ramp,
    launch_matrix,
    ramp_options,
    reference_options,
)
from opsanalysis.launch.calibration import predictive_cdf, randomised_pit_coverage
from opsanalysis.launch.reference import _nanquantile

REPO = Path(__file__).resolve().parents[1]
EXPSMOOTH = REPO.parent / "shared" / "data" / "expsmooth"
ONLINE_RETAIL = REPO.parent / "shared" / "data" / "online-retail"
OBSERVED, HORIZON = 7, 20  # periods 0-6 known, 7-26 predicted
# settings of params launch; plateaus fitted on the whole curve (plateau_weeks None), as published
LAUNCH = params.load_defaults()["launch"]
REFERENCE = {**reference_options(LAUNCH), "plateau_weeks": None}
RAMP = {**ramp_options(LAUNCH), "reference_options": REFERENCE}
#: Plateau fits by reference curve, shared by every run of one process (ablations refit nothing).
PLATEAU_CACHE = {}
MIN_LEADING_ZEROS = 6  # a first sale after >= 6 empty periods counts as a launch, not a gap


def expsmooth_launches(name):
    """Series of an expsmooth file whose first sale is mid-history, as long ``unique_id, week, y``."""
    path = EXPSMOOTH / f"{name}.csv"
    if not path.is_file():
        return pd.DataFrame(columns=["unique_id", "week", "y"])
    table = pd.read_csv(path, index_col=0)
    values = table.to_numpy(dtype=float)
    frames = []
    for column, series in zip(table.columns, values.T, strict=True):
        positive = np.flatnonzero(np.nan_to_num(series) > 0)
        if positive.size == 0:
            continue
        first = positive[0]
        window = series[first: first + OBSERVED + HORIZON]
        if first < MIN_LEADING_ZEROS or window.size < OBSERVED + HORIZON or np.isnan(window).any():
            continue
        frames.append(pd.DataFrame({"unique_id": f"{name}:{column}",
                                    "week": np.arange(window.size), "y": window}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["unique_id", "week", "y"])


def online_retail_launches():
    """Weekly units of Online Retail products launched during the data, as long ``unique_id, week, y``.

    A launch is a product whose first sale falls after 2011-01-31 (at least four weeks of
    trading without a sale before it, README of the data) and that has 27 complete 7-day weeks
    after it; the last day, 2011-12-09, is partial and left out. Week 0 starts on the day of the
    first sale. Days of the trading calendar without a row are 0; days the shop did not trade
    (Saturdays, UK holidays) simply add nothing to their week.
    """
    daily_path = ONLINE_RETAIL / "daily_demand.csv.gz"
    if not daily_path.is_file():
        return pd.DataFrame(columns=["unique_id", "week", "y"])
    daily = pd.read_csv(daily_path, dtype={"stock_code": str}, parse_dates=["date"])
    trading = pd.read_csv(ONLINE_RETAIL / "trading_days.csv", parse_dates=["date"])["date"]
    last_full_day = trading.max() - pd.Timedelta(days=1)
    first = daily.groupby("stock_code")["date"].min().rename("first_sale")
    weeks = OBSERVED + HORIZON
    launched = first.loc[(first > pd.Timestamp("2011-01-31"))
                         & (first + pd.Timedelta(days=7 * weeks - 1) <= last_full_day)]
    daily = daily.join(launched, on="stock_code", how="inner")
    daily["week"] = (daily["date"] - daily["first_sale"]).dt.days // 7
    daily = daily.loc[daily["week"] < weeks]
    weekly = (daily.groupby(["stock_code", "week"])["units"].sum()
              .unstack(fill_value=0).reindex(index=launched.index, columns=range(weeks),
                                             fill_value=0))
    return (weekly.rename_axis(index="unique_id", columns="week").stack().rename("y")
            .astype(float).reset_index())


def sample_launches():
    """Weekly units since launch of the sample's launches with 27+ weeks, per marketplace."""
    from opsanalysis import sample

    world = sample.generate(None)
    traffic = world.truth["traffic"]
    launches = world.truth["launches"]
    frames = {}
    for marketplace, group in launches.groupby("marketplace"):
        rows = []
        for launch in group.itertuples(index=False):
            days = traffic.loc[(traffic["marketplace"] == marketplace)
                               & (traffic["sku"] == launch.sku), ["date", "units_ordered"]]
            week = (days["date"] - launch.launch_date).dt.days // 7
            weekly = days.loc[week >= 0].groupby(week[week >= 0])["units_ordered"].sum()
            complete = int(((days["date"].max() - launch.launch_date).days + 1) // 7)
            weekly = weekly.reindex(range(complete), fill_value=0)
            if complete >= OBSERVED + HORIZON:
                rows.append(pd.DataFrame({"unique_id": launch.sku,
                                          "week": np.arange(OBSERVED + HORIZON),
                                          "y": weekly.to_numpy()[: OBSERVED + HORIZON]}))
        if rows:
            frames[marketplace] = pd.concat(rows, ignore_index=True)
    return frames


def baselines(history, reference):
    """Point forecasts (a) flat and (b) scaled plain reference median, weeks 7-26."""
    ids, observed = launch_matrix(history, OBSERVED)
    flat = np.repeat(observed[:, OBSERVED - 2:].mean(axis=1, keepdims=True), HORIZON, axis=1)
    shape = _nanquantile(reference.normalised, 0.5)
    shape = pd.Series(shape).ffill().to_numpy()
    early = shape[:OBSERVED]
    scale = observed @ early / max(float(early @ early), 1e-12)
    scaled = scale[:, None] * shape[None, OBSERVED: OBSERVED + HORIZON]
    weeks = np.arange(OBSERVED, OBSERVED + HORIZON)
    frame = pd.DataFrame({"unique_id": np.repeat(ids, HORIZON), "week": np.tile(weeks, len(ids)),
                          "flat": flat.ravel(), "reference_median": scaled.ravel()})
    return frame


def evaluate(series, folds_of, reference_size, seed=0, ramp=None, pit=True):
    """Forecast every series from the others; returns one row per series-week with all methods.

    ``ramp`` overrides keywords of :func:`forecast_ramp` (the ablations); default the params'.
    ``pit`` adds the quantiles of ``PIT_GRID`` (more runs of the same forecast) for the
    randomised-PIT coverage.
    """
    ramp = RAMP if ramp is None else {**RAMP, **ramp}
    rng = np.random.default_rng(seed)
    ids = np.array(sorted(series["unique_id"].unique()))
    folds = folds_of(ids)
    out = []
    for fold in np.unique(folds):
        targets = ids[folds == fold]
        others = ids[folds != fold]
        if others.size > reference_size:
            others = rng.choice(others, reference_size, replace=False)
        reference = build_reference(series.loc[series["unique_id"].isin(others)], **REFERENCE,
                                    plateau_cache=PLATEAU_CACHE)
        history = series.loc[series["unique_id"].isin(targets) & (series["week"] < OBSERVED)]
        forecast = forecast_ramp(history, reference, HORIZON, **ramp)
        if pit:
            # Further quantiles of the same predictive distribution, for the randomised PIT.
            for level in PIT_EXTRA_LEVELS:
                pair = (level, round(1.0 - level, 2))
                extra = forecast_ramp(history, reference, HORIZON, **{**ramp, "quantiles": pair})
                names = [f"q{round(q * 100):d}" for q in pair]
                forecast = forecast.merge(extra[["unique_id", "week", *names]],
                                          on=["unique_id", "week"])
        frame = forecast.merge(baselines(history, reference), on=["unique_id", "week"])
        out.append(frame)
    result = pd.concat(out, ignore_index=True)
    return result.merge(series, on=["unique_id", "week"])


#: Quantile levels of the predictive distribution read for the randomised PIT: the band's
#: 0.1/0.9, the median and these pairs (level, 1 - level).
PIT_EXTRA_LEVELS = (0.03, 0.2, 0.35)
PIT_GRID = (0.03, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.97)


def pit_coverage(result, low=0.1, high=0.9):
    """Tie-corrected q10-q90 coverage of forecast_ramp: the randomised PIT inside (0.1, 0.9].

    The predictive CDF below and at each actual comes from the quantile grid ``PIT_GRID``
    (:func:`opsanalysis.launch.calibration.predictive_cdf`, count data: ``P(X < y + 1/2)``).
    """
    names = [f"q{round(q * 100):d}" if q != 0.5 else "forecast" for q in PIT_GRID]
    if not set(names) <= set(result.columns) or result.empty:
        return np.nan
    grid = result[names].to_numpy(dtype=float)
    y = result["y"].to_numpy(dtype=float)
    counts = bool(np.all(y == np.round(y)))
    at = predictive_cdf(y, PIT_GRID, grid, counts)
    below = predictive_cdf(y - 1.0, PIT_GRID, grid, counts) if counts else at
    return randomised_pit_coverage(below, at, low, high)


def oracle(result):
    """Bounds no forecast can beat: each series' own realised periods 7-26 (known afterwards).

    ``oracle_median`` is the MAE-optimal constant per series; ``oracle_q10`` / ``oracle_q90`` are
    its realised quantiles (a lower quantile that is a data value, as for counts), whose
    inclusive coverage shows how far ties at 0 and 1 lift the coverage of a calibrated band on
    integer data.
    """
    grouped = result.groupby("unique_id")["y"]
    result = result.copy()
    result["oracle_median"] = grouped.transform("median")
    for q in (0.1, 0.9):
        result[f"oracle_q{round(q * 100)}"] = grouped.transform(
            lambda y, q=q: np.quantile(y, q, method="inverted_cdf"))
    return result


def _coverage(result, low, high):
    """Share of actuals inside [low, high] (inclusive, the target) and strictly inside."""
    y = result["y"]
    return (((y >= result[low]) & (y <= result[high])).mean(),
            ((y > result[low]) & (y < result[high])).mean())


METHODS = (
    ("forecast_ramp", "forecast", ("q10", "q90")),
    ("flat last 2 periods", "flat", None),
    ("scaled reference median", "reference_median", None),
    ("zero", "zero", None),
    ("oracle: own realised median, q10-q90", "oracle_median", ("oracle_q10", "oracle_q90")),
    ("forecast_ramp `mean` (expected level, for stock; not a target)", "mean", None),
)
BAND_KEYS = ("randomised-PIT coverage", "q10-q90 coverage", "strictly inside", "below q10", "above q90")


def summarise(name, result):
    """One row per method: MAE, total against the actual total, and for bands their coverage."""
    rows = []
    result = oracle(result)
    n_series = result["unique_id"].nunique()
    mean_actual = result["y"].mean()
    result["zero"] = 0.0
    for method, column, band in METHODS:
        mae = (result[column] - result["y"]).abs().mean()
        inclusive, strict = _coverage(result, *band) if band else (np.nan, np.nan)
        below, above = _exceedance(result, *band) if band else (np.nan, np.nan)
        pit = pit_coverage(result) if column == "forecast" else np.nan
        rows.append({
            "data": name, "series": n_series, "method": method, "MAE": mae,
            "randomised-PIT coverage": pit,
            "relative MAE": mae / mean_actual if mean_actual > 0 else np.nan,
            "total ratio": result[column].sum() / result["y"].sum(),
            "q10-q90 coverage": inclusive, "strictly inside": strict,
            "below q10": below, "above q90": above,
        })
    return rows


def _exceedance(result, low, high):
    """Share of actuals below the low and above the high band end (nominal 10 % each at most)."""
    y = result["y"]
    return (y < result[low]).mean(), (y > result[high]).mean()


def paired_bootstrap(name, result, draws=2000, seed=0):
    """MAE of forecast_ramp minus the better baseline's, with a 95 % interval over series.

    Periods of one series are not independent, so whole series are resampled (paired: both
    forecasts on the same draw).
    """
    errors = result.assign(
        ramp=(result["forecast"] - result["y"]).abs(),
        flat=(result["flat"] - result["y"]).abs(),
        reference_median=(result["reference_median"] - result["y"]).abs(),
    ).groupby("unique_id")[["ramp", "flat", "reference_median"]].mean()
    baseline = "flat" if errors["flat"].mean() < errors["reference_median"].mean() else (
        "reference_median")
    difference = (errors["ramp"] - errors[baseline]).to_numpy()
    rng = np.random.default_rng(seed)
    means = difference[rng.integers(0, difference.size, (draws, difference.size))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return (f"{name}: {difference.mean():+.4f} [{low:+.4f}, {high:+.4f}] against "
            f"{baseline.replace('_', ' ')}")


def markdown(rows):
    lines = ["| data | series | method | MAE | MAE / mean actual | total / actual total "
             "| q10-q90 coverage, randomised PIT | inclusive | strictly inside | below q10 "
             "| above q90 |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        cells = " | ".join(f"{row[key]:.1%}" if np.isfinite(row[key]) else ""
                           for key in BAND_KEYS)
        lines.append(f"| {row['data']} | {row['series']} | {row['method']} | {row['MAE']:.3f} | "
                     f"{row['relative MAE']:.3f} | {row['total ratio']:.3f} | {cells} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 carparts series only")
    parser.add_argument("--reference-size", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0, help="seed of the carparts reference draw")
    parser.add_argument("--out", type=Path, default=None,
                        help="also write the table to this markdown file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows, intervals = [], []
    for name in ("carparts", "jewelry"):
        series = expsmooth_launches(name)
        if series.empty:
            print(f"{name}: no series with a first sale after {MIN_LEADING_ZEROS}+ empty periods "
                  f"and {OBSERVED + HORIZON} periods after it")
            continue
        if args.quick:
            keep = sorted(series["unique_id"].unique())[:200]
            series = series.loc[series["unique_id"].isin(keep)]
        result = evaluate(series, lambda ids: np.arange(ids.size) % 5, args.reference_size,
                          seed=args.seed)
        rows += summarise(f"{name} (monthly)", result)
        intervals.append(paired_bootstrap(f"{name} (monthly)", result))
    online = online_retail_launches()
    ablation_lines = []
    if online.empty:
        print(f"Online Retail: {ONLINE_RETAIL} not found, left out")
    else:
        folds = lambda ids: np.arange(ids.size) % 5  # noqa: E731
        for size, label in ((args.reference_size, ""), (SMALL_REFERENCE, f", {SMALL_REFERENCE} past launches")):
            result = evaluate(online, folds, size, seed=args.seed)
            rows += summarise(f"Online Retail{label} (weekly units)", result)
            intervals.append(paired_bootstrap(f"Online Retail{label}", result))
            held_out = result["unique_id"].isin(held_out_ids(online))
            rows += summarise(f"Online Retail{label}, held-out half", result.loc[held_out])
        ablation_lines = ablations(online, folds, args)
    pooled = []
    for marketplace, series in sample_launches().items():
        # Leave one out: each launch is forecast from the other launches of its marketplace.
        result = evaluate(series, lambda ids: np.arange(ids.size), args.reference_size)
        pooled.append(result)
        rows += summarise(f"sample {marketplace} (weekly units)", result)
    if pooled:
        rows += summarise("sample, all marketplaces", pd.concat(pooled, ignore_index=True))
        intervals.append(paired_bootstrap("sample, all marketplaces",
                                          pd.concat(pooled, ignore_index=True)))
    table = markdown(rows)
    if ablation_lines:
        table += "\n\n" + "\n".join(ablation_lines)
    footer = (f"periods 0-{OBSERVED - 1} observed, {OBSERVED}-{OBSERVED + HORIZON - 1} predicted; "
              f"seed {args.seed}, reference size {args.reference_size}; "
              f"run time {time.perf_counter() - started:.0f} s on {_machine()}\n\n"
              "MAE of forecast_ramp minus the better baseline, mean over series and 95 % paired "
              "bootstrap interval (series resampled, 2000 draws):\n"
              + "\n".join(f"* {line}" for line in intervals))
    print(table)
    print("\n" + footer)
    if args.out is not None:
        args.out.write_text(f"{table}\n\n{footer}\n", encoding="utf-8")


#: Past launches of a small seller: the ablations and a second Online Retail row forecast each
#: launch from this many other launches (the retailer of issue 18 had 25).
SMALL_REFERENCE = 24
ABLATIONS = (
    ("params (as published)", {}),
    ("no shrinkage of the own level (own_weight_half_weeks None)", {"own_weight_half_weeks": None}),
    ("no recency weights (recency_weeks 1000)", {"recency_weeks": 1000.0}),
    ("no shape pooling (pool_weeks 0)", {"pool_weeks": 0}),
    ("fixed 60 analogs (before issue 18)", {"analogs_share": 1.0, "min_analogs": 60}),
    ("10 analogs", {"analogs_share": 0.0, "min_analogs": 10}),
)


def held_out_ids(series):
    """Odd-numbered launches (sorted ids): never looked at when the analog rule was chosen."""
    ids = np.array(sorted(series["unique_id"].unique()))
    return set(ids[1::2])


def ablations(series, folds_of, args):
    """MAE of forecast_ramp on Online Retail with one ingredient changed at a time (markdown)."""
    lines = ["Ablations on Online Retail (MAE; flat / scaled reference median beside; "
             "tune = even-numbered launches, held out = odd):", "",
             "| past launches per forecast | variant | MAE all | MAE tune half | "
             "MAE held-out half | flat, held-out | q10-q90 inclusive |",
             "|---:|---|---:|---:|---:|---:|---:|"]
    odd = held_out_ids(series)
    for size in (args.reference_size, SMALL_REFERENCE):
        for label, override in ABLATIONS:
            result = evaluate(series, folds_of, size, seed=args.seed, ramp=override, pit=False)
            error = (result["forecast"] - result["y"]).abs()
            held = result["unique_id"].isin(odd)
            flat = (result["flat"] - result["y"]).abs()[held].mean()
            inclusive = ((result["y"] >= result["q10"]) & (result["y"] <= result["q90"])).mean()
            lines.append(f"| {size} | {label} | {error.mean():.3f} | {error[~held].mean():.3f} | "
                         f"{error[held].mean():.3f} | {flat:.3f} | {inclusive:.1%} |")
    return lines


def _machine():
    """Short description of the machine the benchmark ran on."""
    import os
    import platform

    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


if __name__ == "__main__":
    main()

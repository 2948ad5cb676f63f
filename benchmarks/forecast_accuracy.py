"""Backtest every opsanalysis forecast method beside statsforecast 2.1.1 on real and sample data.

Data sets: ``../shared/data/expsmooth/carparts.csv`` (monthly, intermittent; the 2,509 complete
series), ``jewelry.csv`` (weekly, Christmas peak; 314 series) and the sample seller's daily
demand (``opsanalysis.sample.generate(None)``, all marketplaces) and Online Retail daily units
(``../shared/data/online-retail/``, 400 established products, see :func:`_online_retail`).
Rolling origins, ``horizon`` apart, identical for both libraries; every metric is computed by
the same code for both.

On the sample, opsanalysis gets the sales with out-of-stock days censored (missing), as
``demand.build_panel`` gives them; statsforecast cannot take missing values and gets the sales
as recorded (zeros while out of stock). Both are scored against the world's realised demand
(``truth["demand"].units``), which is what a replenishment forecast must predict.

Point-forecast agreement: each classical method is also run on exactly statsforecast's input
and the largest absolute difference of the point forecasts is reported (target 1e-6).

Run: ``.venv/bin/python benchmarks/forecast_accuracy.py
[--datasets carparts,jewelry,sample,online_retail]``
Prints markdown tables.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _statsforecast import run_statsforecast  # noqa: E402

from opsanalysis import forecast, params  # noqa: E402
from opsanalysis.forecast._intervals import series_scale, squared_scale  # noqa: E402
from opsanalysis.forecast._panel import from_long  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "expsmooth"
PAIRS = {  # ours -> statsforecast model with the same definition and parameters
    "naive": "Naive", "seasonal_naive": "SeasonalNaive", "moving_average_7": "WindowAverage7",
    "moving_average_28": "WindowAverage28", "ses": "SES", "croston_classic": "CrostonClassic",
    "croston_sba": "CrostonSBA", "tsb": "TSB", "adida": "ADIDA",
}
SF_MODELS = [*PAIRS.values(), "AutoETS"]
ONLINE_RETAIL = SHARED.parent / "online-retail"
OR_LAUNCHED_AFTER = "2011-01-31"  # README: products first sold later were launched in the data
OR_MIN_ACTIVE_DAYS = 20  # sold on at least 20 of the 305 trading days
OR_SERIES, OR_SEED = 400, 2026


def _from_wide(path: Path, dates: pd.DatetimeIndex, complete_only: bool) -> pd.DataFrame:
    wide = pd.read_csv(path).drop(columns="period")
    if complete_only:
        wide = wide.loc[:, wide.notna().all()]
    return pd.DataFrame({
        "unique_id": np.repeat(wide.columns.astype(str).to_numpy(), len(wide)),
        "ds": np.tile(dates, wide.shape[1]),
        "y": wide.to_numpy(dtype=float).T.ravel(),
    })


def _online_retail(n_series: int = OR_SERIES, seed: int = OR_SEED):
    """Online Retail daily units of established products, closed days missing for opsanalysis.

    Products first sold after ``OR_LAUNCHED_AFTER`` were launched during the data (README) and
    are left out, as are products sold on fewer than ``OR_MIN_ACTIVE_DAYS`` days; ``n_series``
    of the rest are drawn at random (``seed``) to keep the run short. Same-day cancellations
    (the returns file) are netted out, which removes the two huge orders cancelled the same day;
    the last, partial day (2011-12-09, invoices until 12:50) is dropped. On a trading day
    without a row the product sold 0; a day missing from ``trading_days.csv`` (Saturdays, the
    Christmas gap, UK holidays) is missing for opsanalysis (not observed, skipped by every
    method) and not scored; statsforecast, which cannot take missing values, gets 0 there.
    """
    products = pd.read_csv(ONLINE_RETAIL / "products.csv", dtype={"stock_code": str},
                           parse_dates=["first_sale_date"])
    eligible = products[(products["first_sale_date"] <= OR_LAUNCHED_AFTER)
                        & (products["active_days"] >= OR_MIN_ACTIVE_DAYS)]["stock_code"]
    codes = np.sort(np.random.default_rng(seed).choice(eligible.to_numpy(), n_series,
                                                       replace=False))
    sales = pd.read_csv(ONLINE_RETAIL / "daily_demand.csv.gz", dtype={"stock_code": str},
                        parse_dates=["date"])
    returns = pd.read_csv(ONLINE_RETAIL / "returns_daily.csv.gz", dtype={"stock_code": str},
                          parse_dates=["date"])
    trading = pd.DatetimeIndex(pd.read_csv(ONLINE_RETAIL / "trading_days.csv",
                                           parse_dates=["date"])["date"])
    last = trading.max() - pd.Timedelta(days=1)
    dates = pd.date_range(trading.min(), last, freq="D")
    units = (sales.set_index(["stock_code", "date"])["units"]
             .sub(returns.set_index(["stock_code", "date"])["units_returned"], fill_value=0.0)
             .clip(lower=0.0))
    grid = pd.MultiIndex.from_product([codes, dates], names=["stock_code", "date"])
    units = units.reindex(grid, fill_value=0.0)
    is_open = np.tile(dates.isin(trading), len(codes))
    ours = pd.DataFrame({"unique_id": grid.get_level_values(0).astype(str),
                         "ds": grid.get_level_values(1),
                         "y": units.to_numpy(dtype=float)})
    recorded = ours.copy()
    ours["y"] = ours["y"].where(is_open)
    return ours, recorded, ours, 28, 3, "D"


def load_dataset(name: str):
    """(history for opsanalysis, history for statsforecast, actuals, horizon, windows, freq)."""
    if name == "carparts":
        history = _from_wide(SHARED / "carparts.csv", pd.date_range("1998-01-01", periods=51,
                                                                    freq="MS"), True)
        return history, history, history, 6, 2, "MS"
    if name == "jewelry":
        history = _from_wide(SHARED / "jewelry.csv", pd.date_range("1998-02-01", periods=124,
                                                                   freq="W-SUN"), True)
        return history, history, history, 8, 6, "W-SUN"
    if name == "online_retail":
        return _online_retail()
    from opsanalysis import sample

    truth = sample.generate(None).truth["demand"]
    uid = truth["marketplace"] + ":" + truth["sku"]
    sales = pd.DataFrame({"unique_id": uid, "ds": truth["date"],
                          "y": truth["units_sold"].astype(float)})
    censored = sales.assign(y=sales["y"].where(truth["in_stock"].to_numpy()))
    actual = sales.assign(y=truth["units"].astype(float))
    return censored, sales, actual, 28, 3, "D"


def _metrics(forecasts: pd.DataFrame, actual: pd.DataFrame, cutoff,
             freq: str) -> pd.DataFrame:
    """RMSSE, MASE and bias per series for one cutoff.

    The scales come from the actuals before the cutoff, the same for both libraries.
    """
    train = from_long(actual[actual["ds"] <= cutoff], freq)
    truth = actual[(actual["ds"] > cutoff)].set_index(["unique_id", "ds"])["y"]
    joined = forecasts.join(truth.rename("actual"), on=["unique_id", "ds"]).dropna(
        subset=["actual"])
    error = joined["forecast"] - joined["actual"]
    per = joined.assign(sq=error ** 2, ab=error.abs(), er=error).groupby("unique_id")[
        ["sq", "ab", "er"]].mean()
    scales = pd.DataFrame({"sq_scale": squared_scale(train.values),
                           "abs_scale": series_scale(train.values)}, index=train.ids)
    per = per.join(scales)
    return pd.DataFrame({"rmsse": np.sqrt(per["sq"] / per["sq_scale"]),
                         "mase": per["ab"] / per["abs_scale"], "bias": per["er"]})


def _ours(history, horizon, cutoffs, methods, freq, quantiles=()):
    out, timing = [], {}
    defaults = params.load_defaults()
    for method in methods:
        start = time.perf_counter()
        for cutoff in cutoffs:
            fc = forecast.predict(history[history["ds"] <= cutoff], horizon, method,
                                  quantiles=quantiles, freq=freq, params=defaults)
            out.append(fc.assign(model=method, cutoff=cutoff))
        timing[method] = time.perf_counter() - start
    return pd.concat(out, ignore_index=True), timing


def _coverage(forecasts: pd.DataFrame, actual: pd.DataFrame) -> pd.Series:
    joined = forecasts.join(actual.set_index(["unique_id", "ds"])["y"].rename("actual"),
                            on=["unique_id", "ds"]).dropna(subset=["actual"])
    return (joined["actual"] <= joined["q90"] + 1e-9).groupby(joined["model"]).mean()


def _table(rows: pd.DataFrame) -> str:
    lines = ["| method | library | mean RMSSE | mean MASE | mean bias [units] | q90 coverage |",
             "|---|---|---:|---:|---:|---:|"]
    for (model, library), r in rows.iterrows():
        cover = "" if pd.isna(r["coverage_q90"]) else f"{r['coverage_q90']:.3f}"
        lines.append(f"| {model} | {library} | {r['rmsse']:.4f} | {r['mase']:.4f} | "
                     f"{r['bias']:+.4f} | {cover} |")
    return "\n".join(lines)


def run(name: str, methods: list[str], sf_models: list[str]) -> None:
    """Print the tables of one data set for our ``methods`` and statsforecast's ``sf_models``.

    Subsets (e.g. ``auto`` and its leading members, no statsforecast) rerun a change cheaply:
    the non-``auto`` forecasts equal the full run's, but means are taken over the series x
    windows that the chosen models score, so compare within one run only.
    """
    history, sf_history, actual, horizon, windows, freq = load_dataset(name)
    settings = params.load_defaults()["forecast"]
    panel = from_long(history, freq)
    cutoffs = [panel.dates[panel.n_periods - k * horizon - 1] for k in range(windows, 0, -1)]
    ours, our_time = _ours(history, horizon, cutoffs, methods, freq, (0.5, 0.9))
    sf, sf_info = (run_statsforecast(sf_history, sf_models, cutoffs, horizon, freq,
                                     panel.season_length, settings) if sf_models
                   else (ours.iloc[:0], {"seconds": {}}))
    frames = []
    for library, fcs in (("opsanalysis", ours), ("statsforecast", sf)):
        for (model, cutoff), fc in fcs.groupby(["model", "cutoff"]):
            metrics = _metrics(fc[["unique_id", "ds", "forecast"]], actual, cutoff, freq)
            frames.append(metrics.assign(model=model, library=library, cutoff=cutoff))
    per_series = pd.concat(frames).rename_axis("unique_id").reset_index()
    per_series = per_series.replace([np.inf, -np.inf], np.nan)
    # score every model on the same (series, window) pairs: those where all models have a
    # finite RMSSE (statsforecast's WindowAverage/SeasonalNaive give NaN on young series)
    wide = per_series.pivot_table(index=["unique_id", "cutoff"], columns=["model", "library"],
                                  values="rmsse")
    common = wide.dropna().index
    keyed = per_series.set_index(["unique_id", "cutoff"])
    per_series = keyed[keyed.index.isin(common)]
    print(f"\n{len(common)} of {len(wide)} series x windows scored by every model")
    summary = per_series.groupby(["model", "library"])[["rmsse", "mase", "bias"]].mean()
    summary["coverage_q90"] = _coverage(ours, actual).reindex(
        summary.index.get_level_values(0)).to_numpy()
    summary.loc[summary.index.get_level_values(1) == "statsforecast", "coverage_q90"] = np.nan
    summary = summary.sort_values("rmsse")
    print(f"\n### {name}: {panel.values.shape[0]} series, horizon {horizon} ({freq}), "
          f"{windows} windows\n")
    print(_table(summary))
    if "auto" in methods:
        auto = summary.loc[("auto", "opsanalysis"), "rmsse"]
        if sf_models:
            best_sf = summary.xs("statsforecast", level="library")["rmsse"]
            print(f"\nauto mean RMSSE {auto:.4f} vs best statsforecast {best_sf.idxmin()} "
                  f"{best_sf.min():.4f}: target {'MET' if auto < best_sf.min() else 'MISSED'}")
        members = summary.xs("opsanalysis", level="library")["rmsse"].reindex(
            settings["auto"]["candidates"]).dropna()
        if members.empty:
            print("auto's members were not run here: no comparison with them")
        else:
            print(f"auto mean RMSSE {auto:.4f} vs its best member run here {members.idxmin()} "
                  f"{members.min():.4f}: target {'MET' if auto <= members.min() else 'MISSED'} "
                  f"({100 * (auto / members.min() - 1):+.3f} %; {auto:.6f} vs "
                  f"{members.min():.6f})")
    if not sf_models or not set(PAIRS) <= set(methods):
        print(f"\nseconds, all windows: ours {sum(our_time.values()):.1f} {our_time}")
        return
    # point-forecast agreement on identical input
    same, _ = _ours(sf_history, horizon, cutoffs, list(PAIRS), freq)
    keyed = sf.set_index(["model", "cutoff", "unique_id", "ds"])["forecast"]
    lines = ["| ours | statsforecast | max abs difference |", "|---|---|---:|"]
    worst = 0.0
    for ours_name, sf_name in PAIRS.items():
        mine = same[same["model"] == ours_name].assign(model=sf_name).set_index(
            ["model", "cutoff", "unique_id", "ds"])["forecast"]
        diff = (mine - keyed.reindex(mine.index)).abs().max()
        worst = max(worst, diff)
        lines.append(f"| {ours_name} | {sf_name} | {diff:.2e} |")
    print("\n" + "\n".join(lines))
    print(f"\npoint forecasts match to 1e-6: {'MET' if worst <= 1e-6 else 'MISSED'} "
          f"(worst {worst:.2e})")
    print(f"\nseconds, all windows: ours {sum(our_time.values()):.1f} "
          f"(auto {our_time.get('auto', np.nan):.1f}, gbm {our_time.get('gbm', np.nan):.1f}); statsforecast "
          f"{sum(sf_info['seconds'].values()):.1f} (AutoETS "
          f"{_seconds(sf_info['seconds'].get('AutoETS'))})")


def _seconds(value) -> str:
    """Seconds to one decimal [s], or "not run" for a model left out of the run."""
    return "not run" if value is None else f"{value:.1f}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="carparts,jewelry,sample,online_retail")
    parser.add_argument("--methods", default=",".join(forecast.METHODS),
                        help="our methods (default: all)")
    parser.add_argument("--sf-models", default=",".join(SF_MODELS),
                        help="statsforecast models (default: all; '' for none)")
    args = parser.parse_args(argv)
    sf_models = [m for m in args.sf_models.split(",") if m]
    for name in args.datasets.split(","):
        run(name, args.methods.split(","), sf_models)


if __name__ == "__main__":
    main()

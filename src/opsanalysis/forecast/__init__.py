"""Demand forecasts for many series at once, with calibrated quantiles and honest backtests.

Public entry points (stable: other modules and notebooks rely on their names and columns):

* :func:`predict` -- ``unique_id, ds, forecast`` plus ``q50``, ``q90`` ... per requested quantile.
* :func:`backtest` -- rolling-origin evaluation per series x method x window.
* :func:`backtest_summary` -- the overall table per method.
* :data:`METHODS` -- the method names.
* :func:`drivers_from_orders` -- prices and promotions per SKU and day from All Orders, the
  ``drivers`` of :func:`predict` when the seller gives no plan; :data:`DRIVER_COLUMNS`.

Input is the long ``unique_id, ds, y`` frame of :func:`opsanalysis.demand.build_panel`; a missing
``y`` is a censored period (out of stock, lost buy box) and is skipped by every method rather
than read as zero demand. All series are held in one matrix (series x periods) and every method
is vectorised across series.

Methods (parameters from params ``forecast``): ``naive``; ``seasonal_naive`` (one season: 7 days,
52 weeks, 12 months); ``moving_average_<k>``; ``ses`` (fixed alpha); ``croston_classic``,
``croston_sba``, ``tsb``, ``adida``, ``imapa`` (intermittent demand, statsforecast 2.1.1
definitions and initialisation); ``ets`` (damped trend + additive seasonality, grid-searched per
series); ``gbm`` (one global HistGradientBoostingRegressor, Poisson loss, lags >= horizon, rolling means,
calendar and event features); ``auto`` (per series, the mean of the best candidates of the
recent holdout windows (params ``forecast.auto.selection_windows``) -- plus the window one season
back when the season is longer than the horizon, e.g. weekly data -- each series' own record
weighted against the all-series ranking by leave-one-window-out cross-validation; the same
cross-validation picks a factor on the combination's level (``forecast.auto.level_factor``, at
most a fifth below: a level read from lumpy or falling demand is too high as often as not) and,
when the season fits in the horizon (days of the week), whether to apply the season's shape
pooled across series; short series use a fallback method). Holdout windows are as long as the
horizon, at most ``forecast.backtest_horizon_max`` periods: a half-year plan is ranked and
calibrated on recent windows of that length, and needs twice that much history, not a year.

Drivers (``drivers=`` of :func:`predict` and :func:`backtest`): what the seller knows about the
future -- prices, coupons or deals, ad budgets -- per date, per series or for a whole
marketplace (canonical columns and alignment rules in :mod:`._drivers`; docs/forecast-drivers.md).
``gbm`` takes them as features; every other method runs on the event-aware classical path
(:func:`._events.with_drivers`): driver and calendar-event effects, estimated across all
series by a Poisson regression on the demand around its local level, are taken out of the
history, the method forecasts the baseline, and the effects of the forecast periods are put
back. Without drivers every forecast is exactly as before.

Quantiles: split-conformal. The method is refitted at the last ``intervals.windows`` origins
(one window apart, each as long as the horizon up to ``backtest_horizon_max``); its
out-of-sample errors, divided by each series' recent volatility, are
pooled within groups of series of similar intermittency, and their empirical quantiles, times
the series' current volatility, are added to the point forecast (floored at 0). ``gbm`` uses
quantile-loss models instead. Without enough history for a holdout, Poisson quantiles are used.
Calibration holds when the holdout windows resemble the forecast window. When the season is
longer than the horizon (52 weeks vs 8), the recent windows show another part of the cycle, so
the window one season back -- the same calendar weeks last year -- joins the pool with the
weight of the recent windows together (``intervals.seasonal_holdout_weight``); a peak inside
the recent windows still widens the band just after it (see benchmarks/results).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._core import METHODS, check_method, forecast_matrix
from ._drivers import DRIVER_COLUMNS, attach_drivers, drivers_from_orders
from ._intervals import series_scale, squared_scale
from ._panel import Panel, from_long, to_long

__all__ = ["DRIVER_COLUMNS", "METHODS", "backtest", "backtest_summary", "drivers_from_orders",
           "predict", "quantile_column"]


def quantile_column(q: float) -> str:
    """Column name of a quantile: 0.9 -> "q90", 0.5 -> "q50"."""
    return f"q{int(round(100 * q, 6))}"


def _settings(params: dict | None) -> tuple[dict, dict | None]:
    """The ``forecast`` and ``events`` sections of loaded params (or a bare forecast section).

    The analysis layer reads no files: the caller loads params
    (:func:`opsanalysis.params.load`) and passes them.
    """
    if not isinstance(params, dict):
        raise ValueError("forecast needs params: pass params=opsanalysis.params.load(marketplace)"
                         " (or its 'forecast' section)")
    forecast = params.get("forecast", params)
    events = params.get("events") if forecast.get("use_events", True) else None
    return forecast, events


def _driver_settings(params: dict, drivers) -> dict | None:
    """params ``events.drivers`` when drivers are given (None otherwise)."""
    if drivers is None:
        return None
    return (params.get("events") or {}).get("drivers")


def _check_quantiles(quantiles) -> tuple[float, ...]:
    quantiles = tuple(float(q) for q in quantiles)
    if any(not 0 < q < 1 for q in quantiles):
        raise ValueError(f"quantiles must lie strictly between 0 and 1, got {quantiles}")
    return quantiles


def predict(history: pd.DataFrame, horizon: int, method: str | None = None, quantiles=None,
            *, params: dict, freq: str | None = None,
            drivers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Forecast every series of a long history ``horizon`` periods past its last date.

    Parameters
    ----------
    history : pandas.DataFrame
        Long frame ``unique_id, ds, y`` [units per period]; other columns are ignored. A missing
        ``y`` marks a censored period. All series share one regular grid (daily, weekly or
        monthly); forecasts start after the last date in the whole frame.
    horizon : int
        Periods ahead [periods].
    method : str, optional
        A name in :data:`METHODS`; default params ``forecast.method``.
    quantiles : sequence of float, optional
        Probability levels [fraction], e.g. ``(0.5, 0.9)`` -> columns ``q50``, ``q90``; ``()``
        for none; default params ``forecast.quantiles``.
    params : dict
        Loaded params (:func:`opsanalysis.params.load`) or just its ``forecast`` section
        (required: the analysis reads no files).
    freq : str, optional
        pandas frequency of ``ds``; inferred when omitted.
    drivers : pandas.DataFrame, optional
        What the seller knows about the past and future periods, long: ``ds`` [history
        grid date], ``unique_id`` (one series) or ``marketplace`` (every "<MP>:" series of it)
        or neither (all series), and any of ``price`` [currency per unit], ``promotion``
        (coupon or deal: 0/1), ``ad_budget`` [currency per period]. A series' row wins over a
        marketplace row and that over an all-series row; price and ad budget carry forward
        over dates without a row, promotion is 0 there (:mod:`._drivers`). Give the past too:
        effects are learnt from it. :func:`drivers_from_orders` derives price and promotion
        from All Orders. Needs params with the ``events`` section (``events.drivers``).
        None (default): no drivers, the forecasts of before.

    Returns
    -------
    pandas.DataFrame
        ``unique_id, ds, forecast`` [units per period] and one ``q<100 q>`` column per quantile,
        sorted by ``unique_id, ds``; ``forecast`` is NaN only for a series with no observed value.
    """
    settings, events = _settings(params)
    method = settings["method"] if method is None else method
    check_method(method)
    if int(horizon) < 1:
        raise ValueError(f"horizon must be a positive number of periods, got {horizon}")
    quantiles = _check_quantiles(settings["quantiles"] if quantiles is None else quantiles)
    panel = from_long(history, freq, settings["season_length"])
    panel = attach_drivers(panel, drivers, int(horizon), _driver_settings(params, drivers))
    forecast, by_quantile = forecast_matrix(panel, int(horizon), method, quantiles, settings,
                                            events)
    columns = {"forecast": forecast}
    columns.update({quantile_column(q): by_quantile[q] for q in quantiles})
    return to_long(panel, columns, int(horizon))


def _pinball(actual: np.ndarray, predicted: np.ndarray, q: float) -> np.ndarray:
    diff = actual - predicted
    return np.maximum(q * diff, (q - 1.0) * diff)


def _window_metrics(panel: Panel, origin: int, horizon: int, method: str,
                    quantiles: tuple[float, ...], settings: dict, events) -> pd.DataFrame:
    cut = panel.head(origin)
    actual = panel.values[:, origin:origin + horizon]
    forecast, by_quantile = forecast_matrix(cut, horizon, method, quantiles, settings, events)
    observed = ~np.isnan(actual)
    n_actual = observed.sum(axis=1)
    error = np.where(observed, forecast - actual, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        mse = np.nansum(error ** 2, axis=1) / n_actual
        mae = np.nansum(np.abs(error), axis=1) / n_actual
        scale = series_scale(cut.values)
        frame = {
            "unique_id": panel.ids, "method": method, "cutoff": cut.dates[-1],
            "n_actual": n_actual,
            "actual_mean": np.nansum(np.where(observed, actual, 0), axis=1) / n_actual,
            "forecast_mean": np.nansum(np.where(observed, forecast, 0), axis=1) / n_actual,
            "rmsse": np.sqrt(mse / squared_scale(cut.values)),
            "mase": mae / scale,
            "bias": np.nansum(error, axis=1) / n_actual,
        }
        if quantiles:
            losses = [np.nansum(np.where(observed, _pinball(actual, by_quantile[q], q), np.nan),
                                axis=1) / n_actual for q in quantiles]
            frame["pinball"] = np.mean(losses, axis=0) / scale
        for q in quantiles:
            frame[f"coverage_{quantile_column(q)}"] = (
                observed & (actual <= by_quantile[q] + 1e-9)).sum(axis=1) / n_actual
    out = pd.DataFrame(frame)
    return out[out["n_actual"] > 0]


def backtest(history: pd.DataFrame, horizon: int, methods=None, windows: int | None = None,
             quantiles=None, *, params: dict, freq: str | None = None,
             drivers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rolling-origin evaluation: every method refitted at ``windows`` cut-offs, ``horizon`` apart.

    Parameters
    ----------
    history : pandas.DataFrame
        Long ``unique_id, ds, y`` (missing ``y`` = censored: not scored).
    horizon : int
        Periods per window [periods].
    methods : sequence of str, optional
        Names from :data:`METHODS`; default all of them.
    windows : int, optional
        Number of consecutive windows ending at the last date; default params
        ``forecast.backtest_windows``.
    quantiles : sequence of float, optional
        Levels scored by the pinball loss, each with its coverage column (0.9 ->
        ``coverage_q90``); default params ``forecast.quantiles``.
    params, freq, drivers
        As in :func:`predict`; each window's forecast sees the drivers of its own periods (the
        seller's plan then), its effects are learnt from the history before the cut-off.

    Returns
    -------
    pandas.DataFrame
        One row per series x method x window: ``unique_id, method, window`` (1 = earliest),
        ``cutoff`` (last training date), ``n_actual`` (scored periods), ``actual_mean``,
        ``forecast_mean`` [units per period], ``rmsse``, ``mase`` (scaled by the training
        series' one-step changes), ``bias`` (mean forecast - actual [units per period]),
        ``pinball`` (mean over quantiles, scaled like MASE) and ``coverage_q<..>`` per quantile
        (share of scored periods at or below it) [fraction].
        Series without a usable window are absent. Use :func:`backtest_summary` for the overall
        table.
    """
    settings, events = _settings(params)
    methods = list(METHODS if methods is None else methods)
    for method in methods:
        check_method(method)
    windows = int(settings["backtest_windows"] if windows is None else windows)
    quantiles = _check_quantiles(settings["quantiles"] if quantiles is None else quantiles)
    panel = from_long(history, freq, settings["season_length"])
    panel = attach_drivers(panel, drivers, int(horizon), _driver_settings(params, drivers))
    frames = []
    for window in range(1, windows + 1):
        origin = panel.n_periods - (windows - window + 1) * horizon
        if origin < 2:
            continue
        for method in methods:
            metrics = _window_metrics(panel, origin, horizon, method, quantiles, settings, events)
            frames.append(metrics.assign(window=window))
    if not frames:
        raise ValueError(f"history too short for {windows} window(s) of {horizon} periods")
    out = pd.concat(frames, ignore_index=True)
    first = ["unique_id", "method", "window", "cutoff"]
    return out[first + [c for c in out.columns if c not in first]]


def backtest_summary(results: pd.DataFrame) -> pd.DataFrame:
    """Overall table per method from :func:`backtest` rows.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``method``: ``rmsse`` and ``mase`` (means over series x windows with a finite
        value), ``bias`` (sum of forecast - actual over sum of actual [fraction]), ``pinball``
        (mean), ``coverage_q<..>`` per backtested quantile (share of all scored periods at or
        below it [fraction]),
        ``series`` and ``windows``; sorted by ``rmsse``.
    """
    frame = results.assign(
        _error=(results["forecast_mean"] - results["actual_mean"]) * results["n_actual"],
        _actual=results["actual_mean"] * results["n_actual"],
    )
    coverage = [c for c in results if c.startswith("coverage_")]
    for column in coverage:
        frame[f"_{column}"] = frame[column] * frame["n_actual"]
    finite = frame.replace([np.inf, -np.inf], np.nan)
    grouped = finite.groupby("method", sort=False)
    summary = pd.DataFrame({
        "rmsse": grouped["rmsse"].mean(),
        "mase": grouped["mase"].mean(),
        "bias": grouped["_error"].sum() / grouped["_actual"].sum(),
    })
    if "pinball" in frame:
        summary["pinball"] = grouped["pinball"].mean()
    for column in coverage:
        summary[column] = grouped[f"_{column}"].sum() / grouped["n_actual"].sum()
    summary["series"] = grouped["unique_id"].nunique()
    summary["windows"] = grouped["window"].nunique()
    return summary.sort_values("rmsse")

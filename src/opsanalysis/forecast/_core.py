"""Point forecasts by method name, holdout-based quantiles and the ``auto`` combination."""

from __future__ import annotations

import warnings

import numpy as np

from . import _classical as classical
from ._ets import ets_damped
from ._events import with_drivers
from ._intervals import conformal_quantiles, poisson_quantiles, squared_scale
from ._panel import Panel

#: Methods usable by name in :func:`opsanalysis.forecast.predict` (stable list; any
#: ``moving_average_<k>`` with a positive integer k works too).
METHODS = (
    "naive", "seasonal_naive", "moving_average_7", "moving_average_28", "ses",
    "croston_classic", "croston_sba", "tsb", "adida", "imapa", "ets", "gbm", "auto",
)


def check_method(method: str) -> None:
    """Raise ``ValueError`` for a name that is neither in METHODS nor ``moving_average_<k>``."""
    if method in METHODS:
        return
    if method.startswith("moving_average_") and method.rsplit("_", 1)[1].isdigit():
        if int(method.rsplit("_", 1)[1]) > 0:
            return
    raise ValueError(f"unknown forecast method {method!r}; known: {', '.join(METHODS)}")


def point_forecast(method: str, panel: Panel, horizon: int, settings: dict,
                   events: dict | None) -> np.ndarray:
    """Point forecast matrix (series x horizon) [units per period] of one named method.

    With drivers on the panel (``predict(..., drivers=)``), every method but ``gbm`` (which
    takes them as features) runs on the event-aware classical path
    (:func:`._events.with_drivers`): the history is divided by the estimated driver and event
    factors, the method forecasts that baseline, and the factors of the forecast periods are
    multiplied back in.
    """
    if panel.drivers is not None and method != "gbm":
        return with_drivers(
            lambda adjusted: point_forecast(method, adjusted.with_drivers(None), horizon,
                                            settings, events), panel, horizon, events)
    values = panel.values
    if method == "naive":
        return classical.naive(values, horizon)
    if method == "seasonal_naive":
        return classical.seasonal_naive(values, horizon, panel.season_length)
    if method.startswith("moving_average_"):
        return classical.moving_average(values, horizon, int(method.rsplit("_", 1)[1]))
    if method == "ses":
        return classical.ses(values, horizon, settings["ses_alpha"])
    if method == "croston_classic":
        return classical.croston(values, horizon, settings["croston_alpha"])
    if method == "croston_sba":
        return classical.croston(values, horizon, settings["croston_alpha"],
                                 settings["sba_factor"])
    if method == "tsb":
        return classical.tsb(values, horizon, settings["tsb_alpha_demand"],
                             settings["tsb_alpha_probability"])
    if method == "adida":
        return classical.adida(values, horizon, panel.start, *settings["adida_alpha_bounds"])
    if method == "imapa":  # ADIDA at several levels: statsforecast searches alpha on the same bounds
        return classical.imapa(values, horizon, panel.start, *settings["adida_alpha_bounds"])
    if method == "ets":
        fit_periods = max(settings["ets"]["fit_cycles"] * panel.season_length, 2 * horizon)
        return ets_damped(values, horizon, panel.season_length, settings["ets"], fit_periods)
    if method == "gbm":
        from ._gbm import gbm_forecast  # here: sklearn (0.3 s) only for the global model
        return gbm_forecast(panel, horizon, settings["gbm"], events, ())[0]
    raise ValueError(f"no point forecast for {method!r}")


def _holdout(panel: Panel, horizon: int, origin: int):
    """History cut at ``origin`` and the actuals of the following horizon."""
    return panel.head(origin), panel.values[:, origin:origin + horizon]


def _rmsse(forecast: np.ndarray, actual: np.ndarray, history: np.ndarray) -> np.ndarray:
    """Root mean squared scaled error per series over the observed actuals (NaN if none)."""
    with np.errstate(invalid="ignore", divide="ignore"), _ignore_empty():
        mse = np.nanmean((actual - forecast) ** 2, axis=1)
        return np.sqrt(mse / squared_scale(history))


def _ignore_empty():
    """Silence numpy's empty-slice warnings (all-missing rows yield NaN on purpose)."""
    return warnings.catch_warnings(action="ignore", category=RuntimeWarning)


def _combination_weights(errors: np.ndarray, top_k: int, shrinkage: float,
                         power: float) -> np.ndarray:
    """Weights on each series' ``top_k`` candidates (candidates x series).

    A series' score per candidate is its own holdout RMSSE shrunk towards the candidate's
    all-series mean (``shrinkage`` [fraction] is the weight of the all-series mean), so that one
    noisy window cannot pick a poor method; series without a usable holdout use the all-series
    ranking alone. The chosen candidates' weights are proportional to 1 / score ** ``power``
    (0: equal weights; larger: more weight on the better of them).
    """
    with _ignore_empty():
        overall = np.nanmean(errors, axis=1, keepdims=True)
    overall = np.where(np.isfinite(overall), overall, np.inf)
    own = np.where(np.isfinite(errors), errors, overall)
    with np.errstate(invalid="ignore"):  # nothing scored anywhere: 0 x inf, NaN scores
        score = (1.0 - shrinkage) * own + shrinkage * overall
    k = min(top_k, len(errors))
    order = np.argsort(score, axis=0, kind="stable")[:k]
    chosen = np.maximum(np.take_along_axis(score, order, axis=0), 1e-9)
    with np.errstate(divide="ignore", over="ignore"):
        inverse = np.where(np.isfinite(chosen), chosen ** -float(power), 0.0)
    total = inverse.sum(axis=0, keepdims=True)
    # no finite score among the chosen (nothing scored anywhere): equal weights
    inverse = np.where(total > 0, inverse, 1.0)
    weights = np.zeros_like(errors)
    np.put_along_axis(weights, order, inverse / inverse.sum(axis=0, keepdims=True), axis=0)
    return weights


def _combine(forecasts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted sum over candidates; NaN candidate forecasts are dropped and weights renormalised."""
    usable = np.isfinite(forecasts)
    w = weights[:, :, None] * usable
    total = w.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (np.nan_to_num(forecasts) * w).sum(axis=0) / total, np.nan)


def _mean_error(window_errors: list[np.ndarray]) -> np.ndarray:
    """Mean RMSSE over holdout windows (candidates x series), NaN where no window scores."""
    with _ignore_empty():
        return np.nanmean(np.stack(window_errors), axis=0)


def _cross_validated_weighting(windows: list[tuple], top_k: int, shrinkages: list[float],
                               powers: list[float]) -> tuple[float, float]:
    """The shrinkage and weight power of :func:`_combination_weights` that forecast left-out windows best.

    Parameters
    ----------
    windows : list of tuple
        One ``(errors, forecasts, actual, history)`` per ranking window: candidate RMSSE
        (candidates x series), candidate forecasts (candidates x series x horizon) [units per
        period], the actuals (series x horizon) [units per period] and the history before the
        window (series x periods), which scales the errors.
    top_k : int
        Candidates combined per series.
    shrinkages : list of float
        Shrinkages tried [fraction].
    powers : list of float
        Weight powers tried (0: equal weights).

    Returns
    -------
    tuple of (float, float)
        Each window in turn is left out; the weights from the other windows' errors (own shrunk
        to the all-series ranking) combine its candidate forecasts, which are scored by RMSSE;
        the pair with the lowest mean over series x left-out windows wins (ties: the larger
        shrinkage, the simpler pooled choice, then the smaller power, equal weights).
        How much a series' own record should count, and how much the better of its candidates
        should outweigh the others, are properties of the data (per-series choice matters when
        the candidates differ in kind, e.g. seasonal against level methods, and is noise when
        they are alike), so they are measured rather than fixed. With fewer than two windows,
        or nothing scored: the largest shrinkage (the all-series ranking) and the smallest
        power.
    """
    simplest = (max(shrinkages), min(powers))
    if len(windows) < 2:
        return simplest
    best = None
    for shrinkage in shrinkages:
        for power in powers:
            errors = []
            for k, (_, forecasts, actual, history) in enumerate(windows):
                others = _mean_error([w[0] for j, w in enumerate(windows) if j != k])
                weights = _combination_weights(others, top_k, shrinkage, power)
                combined = np.maximum(_combine(forecasts, weights), 0.0)
                errors.append(_rmsse(combined, actual, history))
            errors = np.concatenate(errors)
            errors = errors[np.isfinite(errors)]
            if not errors.size:
                continue
            key = (errors.mean(), -shrinkage, power)
            if best is None or key < best[0]:
                best = (key, (shrinkage, power))
    return simplest if best is None else best[1]


def _seasonal_profile(history: np.ndarray, horizon: int, season_length: int,
                      seasons: int) -> np.ndarray:
    """Multipliers (horizon,) of the periods ahead from the season's shape pooled across series.

    Over the last ``seasons`` seasons of ``history`` (series x periods) [units per period] each
    series is divided by its own mean, and the ratios are averaged over series and periods of
    the same phase (column index modulo ``season_length``; e.g. the weekday of daily data). A
    phase never observed (a day the shop is closed) gets 1, and so does every phase of series
    that sold nothing (no mean to divide by).
    """
    n_periods = history.shape[1]
    recent = history[:, -seasons * season_length:]
    phase = np.arange(n_periods - recent.shape[1], n_periods) % season_length
    with np.errstate(invalid="ignore", divide="ignore"), _ignore_empty():
        ratios = recent / np.nanmean(recent, axis=1, keepdims=True)
        shape = np.array([np.nanmean(ratios[:, phase == p]) for p in range(season_length)])
    shape = np.where(np.isfinite(shape), shape, 1.0)
    return shape[np.arange(n_periods, n_periods + horizon) % season_length]


def _cross_validated_level(windows: list[tuple], top_k: int, weighting: tuple[float, float],
                           factors: list[float], profile: tuple[int, int] | None):
    """The level factor and seasonal profile of the combination that forecast left-out windows best.

    Parameters
    ----------
    windows : list of tuple
        One ``(errors, forecasts, actual, history)`` per ranking window, as in
        :func:`_cross_validated_weighting`.
    top_k : int
        Candidates combined per series.
    weighting : tuple of float
        The shrinkage [fraction] and weight power of :func:`_combination_weights` (already
        chosen).
    factors : list of float
        Factors on the combined forecast tried [fraction].
    profile : tuple of int or None
        ``(season_length, seasons)`` of :func:`_seasonal_profile` to try the combination with
        and without the pooled seasonal shape; None: without only.

    Returns
    -------
    tuple of (float, bool)
        The factor and whether to apply the profile. Each window in turn is left out and
        forecast by the combination that the other windows' errors choose; the choice whose
        forecasts have the lowest mean RMSSE over series x left-out windows wins (ties: without
        the profile, the factor nearest 1). A level estimated from lumpy demand (a few large
        orders among many small days) or on a falling trend is too high as often as not, and a
        forecast shrunk towards zero trades a little bias for less of that error; on steady
        series the best factor is 1. Level methods forecast flat; the pooled weekday shape puts
        back a pattern that a single series' noise hides. With fewer than two windows, or
        nothing scored: the factor nearest 1, no profile.
    """
    nearest_one = min(factors, key=lambda f: (abs(f - 1.0), -f))
    if len(windows) < 2:
        return nearest_one, False
    combined = []
    for k, (_, forecasts, actual, history) in enumerate(windows):
        others = _mean_error([w[0] for j, w in enumerate(windows) if j != k])
        weights = _combination_weights(others, top_k, *weighting)
        shape = (np.ones(actual.shape[1]) if profile is None
                 else _seasonal_profile(history, actual.shape[1], *profile))
        combined.append((np.maximum(_combine(forecasts, weights), 0.0), shape, actual, history))
    best = None
    for use_profile in ([False] if profile is None else [False, True]):
        for factor in factors:
            errors = np.concatenate([_rmsse(factor * f * (shape if use_profile else 1.0), a, h)
                                     for f, shape, a, h in combined])
            errors = errors[np.isfinite(errors)]
            if not errors.size:
                continue
            key = (errors.mean(), use_profile, abs(factor - 1.0), -factor)
            if best is None or key < best[0]:
                best = (key, factor, use_profile)
    return (nearest_one, False) if best is None else (best[1], best[2])


def _candidate_forecasts(candidates, panel, horizon, settings, events):
    return np.stack([point_forecast(c, panel, horizon, settings, events) for c in candidates])


def _origins(panel: Panel, horizon: int, windows: int) -> list[int]:
    """Holdout origins T - h, T - 2h ... (latest first) that leave at least two horizons."""
    origins = [panel.n_periods - k * horizon for k in range(1, windows + 1)]
    return [o for o in origins if o >= 2 * horizon]


def _seasonal_origin(panel: Panel, horizon: int, origins: list[int]) -> int | None:
    """Origin one season back, T - m, when the season is longer than the horizon.

    Then the recent windows (T - h, T - 2h ...) show other parts of the cycle than the one
    ahead, e.g. summer weeks before a Christmas forecast; the window one season back covers the
    same calendar periods as the forecast. None when the season fits inside the horizon (every
    window already spans whole cycles), when T - m is one of ``origins`` or leaves less than two
    horizons of history.
    """
    origin = panel.n_periods - panel.season_length
    if panel.season_length <= horizon or origin < 2 * horizon or origin in origins:
        return None
    return origin


def backtest_length(horizon: int, settings: dict) -> int:
    """Length of every holdout window [periods]: the horizon, at most ``backtest_horizon_max``.

    Holdout errors rank ``auto``'s candidates and give the quantiles; both are per period, so a
    window shorter than a long horizon measures the same thing on recent demand.
    """
    return min(int(horizon), int(settings["backtest_horizon_max"]))


def _pool_origins(panel: Panel, horizon: int, intervals: dict) -> list[tuple[int, int]]:
    """Holdout origins whose errors give the quantiles, each with its count in the pool.

    The recent origins count once; the window one season back (when the season is longer than
    the horizon) counts ``seasonal_holdout_weight`` times: it is the only window covering the
    same calendar periods as the forecast (a Christmas peak ahead of a run of quiet weeks), and
    with the weight equal to the number of recent windows it makes half of the pool.
    """
    origins = _origins(panel, horizon, intervals["windows"])
    pool = [(origin, 1) for origin in origins]
    seasonal = _seasonal_origin(panel, horizon, origins)
    weight = int(intervals["seasonal_holdout_weight"])
    if seasonal is not None and weight > 0:
        pool.append((seasonal, weight))
    return pool


def auto_forecast(panel: Panel, horizon: int, settings: dict, events: dict | None):
    """The ``auto`` combination: final forecast and honest holdout forecasts for the quantiles.

    Candidates are refitted at the holdout origins T - h, T - 2h ... (``intervals.windows``)
    and at T. Each series combines its ``top_k`` candidates ranked by their mean RMSSE over the
    latest ``selection_windows`` windows, its own errors shrunk towards the candidate's
    all-series mean, with weights proportional to 1 / score ** power
    (:func:`_combination_weights`). ``auto.shrinkage`` and ``auto.weight_power`` are each
    either one value or a list of values, among which :func:`_cross_validated_weighting`
    picks the pair that forecasts each ranking window best from the others. The combination is then multiplied
    by a factor from ``auto.level_factor`` (one value, or a list cross-validated the same way,
    :func:`_cross_validated_level`) and, with ``auto.seasonal_profile`` and a season within the
    horizon (days of the week), by the season's shape pooled across series
    (:func:`_seasonal_profile`, last ``auto.profile_seasons`` seasons) when that forecasts the
    left-out windows better; the holdout forecasts for the quantiles get the same factor and
    shape. With ``auto.seasonal_holdout`` and
    a season longer than the horizon, the window one season back (:func:`_seasonal_origin`)
    joins the ranking windows (a candidate that cannot forecast it, e.g. a seasonal naive
    without two seasons of history, is ranked on the other windows); its errors (weights of
    the recent windows) join the quantile pool ``intervals.seasonal_holdout_weight`` times (see
    :func:`_pool_origins`). The holdout forecast of window k is weighted by the errors of
    earlier windows only (at the chosen shrinkage and power), so its errors for the quantiles are
    out-of-sample for the ranking too (the earliest window has none and is used for ranking
    only). Series with fewer observed periods than ``min_history_horizons`` x the holdout
    length use the ``fallback`` method.

    The holdout windows are ``backtest_horizon_max`` periods long when the horizon is longer
    (:func:`backtest_length`): a replenishment plan forecasts half a year ahead, and windows of
    half a year would rank the candidates on demand one to two years old and leave every series
    with less than a year of history on the fallback. The final forecast covers the whole
    horizon with the members and weights chosen on the shorter windows; ``gbm``, whose model
    depends on the horizon (lags >= horizon), then stays out.
    """
    auto = settings["auto"]
    backtest = backtest_length(horizon, settings)
    # gbm's lags start at the horizon: over a horizon longer than the windows its final model is
    # another, weaker model than the one ranked (trained on a few periods of a young history it
    # forecast 1e12 units a day on Online Retail); it joins only when the two are the same
    candidates = [c for c in auto["candidates"]
                  if c != "gbm" or (len(panel.ids) <= auto["max_series_for_gbm"]
                                    and backtest == horizon)]
    origins = _origins(panel, backtest, settings["intervals"]["windows"])
    windows = []  # (errors, forecasts, actual, history) per origin, latest first
    for origin in origins:
        cut, actual = _holdout(panel, backtest, origin)
        stack = _candidate_forecasts(candidates, cut, backtest, settings, events)
        windows.append((np.stack([_rmsse(f, actual, cut.values) for f in stack]), stack, actual,
                        cut.values))

    recent = auto["selection_windows"]
    seasonal = _seasonal_origin(panel, backtest, origins)
    use_seasonal = {"rank": seasonal is not None and auto["seasonal_holdout"],
                    "pool": seasonal is not None
                    and settings["intervals"]["seasonal_holdout_weight"] > 0}
    ranking = windows[:recent]
    if use_seasonal["rank"] or use_seasonal["pool"]:
        seasonal_cut, seasonal_actual = _holdout(panel, backtest, seasonal)
        seasonal_stack = _candidate_forecasts(candidates, seasonal_cut, backtest, settings,
                                              events)
        if use_seasonal["rank"]:
            ranking = ranking + [(np.stack([_rmsse(f, seasonal_actual, seasonal_cut.values)
                                            for f in seasonal_stack]), seasonal_stack,
                                  seasonal_actual, seasonal_cut.values)]
    factors, shrinkages, powers = (
        [float(v) for v in auto[key]] if isinstance(auto[key], (list, tuple))
        else [float(auto[key])] for key in ("level_factor", "shrinkage", "weight_power"))
    weighting = _cross_validated_weighting(ranking, auto["top_k"], shrinkages, powers)
    # the pooled seasonal shape is tried when the season fits in the horizon (days of the week)
    profile = ((panel.season_length, int(auto["profile_seasons"]))
               if auto["seasonal_profile"] and 1 < panel.season_length <= backtest else None)
    factor, use_profile = _cross_validated_level(ranking, auto["top_k"], weighting, factors,
                                                 profile)

    def weights_from(ranked):
        if not ranked:
            return np.full((len(candidates), len(panel.ids)), 1.0 / len(candidates))
        return _combination_weights(_mean_error([w[0] for w in ranked]), auto["top_k"],
                                    *weighting)

    def combine(forecasts, ranked, history):  # the candidates' mean x level factor x profile
        shape = (_seasonal_profile(history, forecasts.shape[-1], *profile) if use_profile
                 else 1.0)
        return factor * shape * _combine(forecasts, weights_from(ranked))

    forecast = combine(_candidate_forecasts(candidates, panel, horizon, settings, events),
                       ranking, panel.values)
    short = (~np.isnan(panel.values)).sum(axis=1) < auto["min_history_horizons"] * backtest
    if short.any():
        forecast[short] = point_forecast(auto["fallback"], panel.subset(short), horizon,
                                         settings, events)
    holdouts = [(combine(windows[k][1], windows[k + 1:k + 1 + recent], windows[k][3]),
                 *windows[k][2:]) for k in range(len(origins) - 1)]
    if not holdouts and origins:  # a single window: selection and errors share it
        holdouts = [(combine(windows[0][1], windows[:recent], windows[0][3]), *windows[0][2:])]
    if use_seasonal["pool"]:  # ranked on the recent windows, which it does not overlap
        holdouts += [(combine(seasonal_stack, windows[:recent], seasonal_cut.values),
                      seasonal_actual,
                      seasonal_cut.values)] * int(settings["intervals"]["seasonal_holdout_weight"])
    return forecast, holdouts


def forecast_matrix(panel: Panel, horizon: int, method: str, quantiles: tuple[float, ...],
                    settings: dict, events: dict | None):
    """Point forecasts and quantile matrices for one method (see ``predict``)."""
    if method == "gbm":
        from ._gbm import gbm_forecast  # here: sklearn (0.3 s) only for the global model
        forecast, gbm_quantiles = gbm_forecast(panel, horizon, settings["gbm"], events, quantiles)
        return np.maximum(forecast, 0.0), gbm_quantiles
    if method == "auto":
        forecast, holdouts = auto_forecast(panel, horizon, settings, events)
    else:
        forecast = point_forecast(method, panel, horizon, settings, events)
        holdouts = []
        if quantiles:
            backtest = backtest_length(horizon, settings)
            for origin, copies in _pool_origins(panel, backtest, settings["intervals"]):
                cut, actual = _holdout(panel, backtest, origin)
                holdouts += [(point_forecast(method, cut, backtest, settings, events), actual,
                              cut.values)] * copies
    forecast = np.maximum(forecast, 0.0)
    if not quantiles:
        return forecast, {}
    if not holdouts:
        return forecast, poisson_quantiles(forecast, quantiles)
    return forecast, conformal_quantiles(forecast, holdouts, panel.values, quantiles,
                                         settings["intervals"])

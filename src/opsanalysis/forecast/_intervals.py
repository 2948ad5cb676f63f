"""Quantiles from empirical holdout errors, pooled per group of similar series.

The method is refitted at earlier origins (one horizon apart); its errors on the following
horizon, divided by each series' volatility at that origin (mean absolute one-step change over
the recent periods), are pooled within groups of series with a similar share of zero periods.
A quantile forecast is the point forecast plus the group's empirical error quantile times the
series' current volatility, floored at 0. Because the quantile is read off out-of-sample errors
of the same method, coverage holds by construction as long as the holdout windows are
representative of the forecast window (split-conformal prediction).
"""

from __future__ import annotations

import numpy as np


def series_scale(values: np.ndarray) -> np.ndarray:
    """Mean absolute change between consecutive observed periods, from the first non-zero.

    This is the MASE denominator; NaN where a series has no such pair or no change.
    """
    observed = ~np.isnan(values)
    started = np.cumsum(observed & (np.nan_to_num(values) != 0), axis=1) > 0
    pair = observed[:, 1:] & observed[:, :-1] & started[:, :-1]
    change = np.abs(np.diff(np.nan_to_num(values), axis=1))
    count = pair.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = (change * pair).sum(axis=1) / count
    scale[(count == 0) | (scale == 0)] = np.nan
    return scale


def squared_scale(values: np.ndarray) -> np.ndarray:
    """Mean squared change between consecutive observed periods (the RMSSE denominator)."""
    observed = ~np.isnan(values)
    started = np.cumsum(observed & (np.nan_to_num(values) != 0), axis=1) > 0
    pair = observed[:, 1:] & observed[:, :-1] & started[:, :-1]
    change = np.diff(np.nan_to_num(values), axis=1) ** 2
    count = pair.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = (change * pair).sum(axis=1) / count
    scale[(count == 0) | (scale == 0)] = np.nan
    return scale


def zero_share_group(values: np.ndarray, recent: int, cuts: list[float]) -> np.ndarray:
    """Group index by the share of zeros among the last ``recent`` observed periods."""
    tail = values[:, -recent:]
    observed = ~np.isnan(tail)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = ((tail == 0) & observed).sum(axis=1) / observed.sum(axis=1)
    return np.digitize(np.nan_to_num(share, nan=1.0), cuts)


def _fill_scale(scale: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Replace missing scales by the group median (or overall median, or 1 unit)."""
    scale = scale.copy()
    overall = np.nanmedian(scale) if np.isfinite(scale).any() else 1.0
    for g in np.unique(group):
        rows = group == g
        known = scale[rows][np.isfinite(scale[rows])]
        scale[rows & ~np.isfinite(scale)] = np.median(known) if known.size else overall
    return scale


def recent_scale(values: np.ndarray, recent: int) -> np.ndarray:
    """Mean absolute one-step change over the last ``recent`` periods (whole history where the
    recent part has none), so that errors are measured against current volatility."""
    scale = series_scale(values[:, -recent - 1:])
    whole = series_scale(values)
    return np.where(np.isfinite(scale), scale, whole)


def conformal_quantiles(forecast: np.ndarray, holdouts: list, history: np.ndarray,
                        quantiles: tuple[float, ...], settings: dict) -> dict[float, np.ndarray]:
    """Quantile forecasts (series x horizon) from holdout errors pooled per zero-share group.

    Parameters
    ----------
    forecast : numpy.ndarray
        Point forecasts from the full history (series x horizon) [units].
    holdouts : list of tuple
        ``(forecast, actual, history_at_origin)`` per holdout window (NaN actual = censored).
    history : numpy.ndarray
        The full history matrix (for the final scale and the groups).
    quantiles : tuple of float
        Probability levels [fraction].
    settings : dict
        ``intervals`` settings: ``zero_share_cuts``, ``recent_horizons``, ``min_group_series``.

    Notes
    -----
    Each window's errors are divided by the series' recent volatility at that window's origin
    and the quantiles are multiplied back by the volatility at the final origin (studentised
    split-conformal), so a quiet holdout does not narrow the band of a volatile present.
    """
    # volatility over the last horizons of the holdout windows' length (the errors' own scale)
    recent = settings["recent_horizons"] * holdouts[0][1].shape[1]
    group = zero_share_group(history, recent, settings["zero_share_cuts"])
    scale = _fill_scale(recent_scale(history, recent), group)
    errors = []
    for hold_forecast, actual, hold_history in holdouts:
        hold_scale = _fill_scale(recent_scale(hold_history, recent), group)
        errors.append((actual - np.maximum(hold_forecast, 0.0)) / hold_scale[:, None])
    error = np.hstack(errors)
    usable = np.isfinite(error)
    out = {q: np.empty_like(forecast) for q in quantiles}
    pooled = error[usable]
    for g in np.unique(group):
        rows = group == g
        errors_g = error[rows][usable[rows]]
        enough = (rows & usable.any(axis=1)).sum() >= settings["min_group_series"]
        sample = errors_g if enough and errors_g.size else pooled
        for q in quantiles:
            shift = np.quantile(sample, q) if sample.size else 0.0
            out[q][rows] = forecast[rows] + shift * scale[rows, None]
    return {q: np.maximum(matrix, 0.0) for q, matrix in out.items()}


def poisson_quantiles(forecast: np.ndarray,
                      quantiles: tuple[float, ...]) -> dict[float, np.ndarray]:
    """Poisson quantiles around the point forecast: the fallback without a holdout window."""
    mean = np.nan_to_num(np.maximum(forecast, 0.0))
    from scipy import stats  # here, not at import: scipy.stats costs every kernel 0.6 s
    return {q: np.where(np.isnan(forecast), np.nan, stats.poisson.ppf(q, mean))
            for q in quantiles}

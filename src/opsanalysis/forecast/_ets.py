"""Damped-trend ETS with additive seasonality, ETS(A,Ad,A), fitted by grid search across series.

All series and all parameter combinations are filtered at once: the state arrays have shape
(series, combinations) and the time loop runs once. Each series keeps the combination with
the smallest AIC of its in-sample one-step errors; non-seasonal variants, ETS(A,Ad,N), compete
with the seasonal ones so that noise is not fitted as a season. Missing (censored) periods
skip the update (the state is propagated: level + damped trend, seasonal index unchanged).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np


def _initial_states(window: np.ndarray, season_length: int):
    """Level = mean of the first observed cycles, trend 0, seasonal = their mean deviations."""
    n_series, n_periods = window.shape
    cycles = max(1, min(4, n_periods // season_length))
    head = window[:, : cycles * season_length]
    with warnings.catch_warnings():  # all-missing rows give NaN, replaced below
        warnings.simplefilter("ignore", category=RuntimeWarning)
        level = np.nanmean(head, axis=1)
        seasonal = np.nanmean(head.reshape(n_series, cycles, season_length), axis=1)
    level = np.nan_to_num(level)
    seasonal = np.nan_to_num(seasonal - level[:, None])
    seasonal -= seasonal.mean(axis=1, keepdims=True)
    return level, seasonal


def ets_damped(values: np.ndarray, horizon: int, season_length: int, grid: dict,
               fit_periods: int) -> np.ndarray:
    """Point forecasts of ETS(A,Ad,A) with per-series parameters chosen from ``grid``.

    Parameters
    ----------
    values : numpy.ndarray
        Series x periods [units]; NaN = missing.
    horizon : int
        Periods ahead.
    season_length : int
        Seasonal cycle [periods]; 1 (or a series shorter than two cycles) = no seasonality.
    grid : dict
        Lists of candidate ``alpha``, ``beta``, ``phi``, ``gamma`` [fraction].
    fit_periods : int
        Only the last ``fit_periods`` periods are filtered (older history adds little to a
        short-horizon forecast and costs time).
    """
    window = values[:, -fit_periods:]
    n_series, n_periods = window.shape
    # one full cycle initialises the seasonal states; a few more periods are needed to fit
    seasonal_on = season_length > 1 and n_periods >= season_length + max(4, season_length // 4)
    m = season_length if seasonal_on else 1
    grid_rows = [(*c, 0.0) for c in itertools.product(grid["alpha"], grid["beta"], grid["phi"],
                                                     [0.0])]
    if seasonal_on:  # seasonal variants compete with non-seasonal ones on AIC
        grid_rows += [(*c, 1.0) for c in itertools.product(grid["alpha"], grid["beta"],
                                                          grid["phi"], grid["gamma"])]
    combos = np.array(grid_rows)
    alpha, beta, phi, gamma, seasonal_flag = (combos[:, i][None, :] for i in range(5))
    level0, seasonal0 = _initial_states(window, m)
    n_combos = len(combos)
    level = np.repeat(level0[:, None], n_combos, axis=1)
    trend = np.zeros((n_series, n_combos))
    seasonal = seasonal0[:, None, :] * seasonal_flag[0, :, None][None, :, :]
    sse = np.zeros((n_series, n_combos))
    observed = ~np.isnan(window)
    # time-major copies: each step reads one contiguous row
    observed_t = np.ascontiguousarray(observed.T)[:, :, None]
    filled_t = np.ascontiguousarray(np.nan_to_num(window).T)[:, :, None]
    for t in range(n_periods):
        phase = t % m
        damped = phi * trend
        fitted = level + damped + seasonal[:, :, phase]
        error = (filled_t[t] - fitted) * observed_t[t]
        sse += error * error
        level = level + damped + alpha * error
        trend = damped + beta * error
        seasonal[:, :, phase] += gamma * error
    # AIC: parameters = alpha and initial level, + beta and phi with a trend, + gamma and
    # m - 1 initial seasonal states with seasonality
    n_obs = np.maximum(observed.sum(axis=1, keepdims=True), 1)
    n_params = 2 + 2 * (beta > 0) + seasonal_flag * m
    with np.errstate(divide="ignore"):
        aic = n_obs * np.log(sse / n_obs + 1e-12) + 2 * n_params
    best = np.argmin(aic, axis=1)
    rows = np.arange(n_series)
    steps = np.arange(1, horizon + 1)
    phi_best = phi[0, best][:, None]
    damp_sum = np.cumsum(phi_best ** steps[None, :], axis=1)
    phases = (n_periods + steps - 1) % m
    forecast = (level[rows, best][:, None] + damp_sum * trend[rows, best][:, None]
                + seasonal[rows, best][:, phases])
    forecast[~observed.any(axis=1)] = np.nan
    return np.maximum(forecast, 0.0)

"""Calibration of launch forecast bands on count data: the tie-corrected (randomised PIT) coverage.

On integer data a band's inclusive coverage counts every actual equal to a band end as inside
(with many zeros and q10 = 0 that is most of them), its strict coverage counts none of them: the
two bracket the truth. The randomised probability integral transform (PIT) resolves the ties
(Brockwell 2007; Czado, Gneiting and Held 2009, Biometrics 65(4)): for an integer actual ``y``
with predictive CDF ``F``, the PIT is drawn uniformly on ``[F(y - 1), F(y)]``, and a calibrated
forecast has uniform PIT. The band ``[q_low, q_high]`` covers ``y`` when the PIT falls in
``(low, high]``; the coverage reported here is the expected share over that uniform draw, so it
is reproducible (no random numbers) and is exactly ``high - low`` for a calibrated forecast.
"""

from __future__ import annotations

import numpy as np


def predictive_cdf(values, levels, quantiles, counts):
    """Predictive CDF at ``values`` from a grid of predictive quantiles, per row.

    Between grid points the CDF is linear in the value (the quantile function interpolated
    linearly); below the lowest quantile it falls linearly to 0 at 0 (levels are not negative),
    above the highest it rises linearly to 1 at the highest quantile plus its distance from the
    median. Ties in the quantiles (several levels at 0) give the CDF a jump: the
    CDF at the tied value is the highest level tied there.

    Parameters
    ----------
    values : array-like
        (n,) points at which the CDF is wanted [unit of the forecast].
    levels : array-like
        (m,) increasing quantile levels [fraction], e.g. 0.03, 0.1, ..., 0.9, 0.97.
    quantiles : array-like
        (n, m) predictive quantiles of each row at ``levels``, non-decreasing along a row [unit
        of the forecast].
    counts : bool
        Integer data: a forecast ``X`` stands for the count ``round(X)`` (half up), so the CDF of
        the count at ``k`` is ``P(X < k + 1/2)`` (the continuity correction, as the ramp's median).

    Returns
    -------
    numpy.ndarray
        (n,) CDF values [fraction].
    """
    values = np.asarray(values, dtype=float)
    levels = np.asarray(levels, dtype=float)
    quantiles = np.maximum.accumulate(np.asarray(quantiles, dtype=float), axis=1)
    points = values + 0.5 if counts else values
    out = np.empty(values.shape)
    median_position = int(np.argmin(np.abs(levels - 0.5)))
    for row, (point, grid) in enumerate(zip(points, quantiles, strict=True)):
        # Grid extended by (0, level 0) below and by the point 1 beyond the top.
        top = grid[-1] + max(grid[-1] - grid[median_position], 1e-9)
        xs = np.concatenate([[min(0.0, grid[0])], grid, [top]])
        ps = np.concatenate([[0.0], levels, [1.0]])
        above = int(np.searchsorted(xs, point, side="right"))  # first grid value > point
        if above == 0:
            out[row] = 0.0
        elif above == xs.size:
            out[row] = 1.0
        else:
            below = above - 1
            span = xs[above] - xs[below]
            share = (point - xs[below]) / span if span > 0 else 0.0
            out[row] = ps[below] + share * (ps[above] - ps[below])
    return out


def randomised_pit_coverage(cdf_below, cdf_at, low, high):
    """Expected share of randomised PIT values inside ``(low, high]`` (tie-corrected coverage).

    Parameters
    ----------
    cdf_below : array-like
        Predictive CDF just below each actual, ``F(y - 1)`` for counts [fraction].
    cdf_at : array-like
        Predictive CDF at each actual, ``F(y)`` [fraction]; equal to ``cdf_below`` for
        continuous data (no tie).
    low, high : float
        Band levels [fraction], e.g. 0.1 and 0.9.

    Returns
    -------
    float
        Mean over actuals of the probability that a PIT drawn uniformly on
        ``[cdf_below, cdf_at]`` lies in ``(low, high]`` [fraction]; NaN without actuals.
    """
    below = np.asarray(cdf_below, dtype=float)
    at = np.asarray(cdf_at, dtype=float)
    if below.size == 0:
        return float("nan")
    width = at - below
    overlap = np.clip(np.minimum(at, high) - np.maximum(below, low), 0.0, None)
    point = ((at > low) & (at <= high)).astype(float)
    inside = np.where(width > 0, overlap / np.where(width > 0, width, 1.0), point)
    return float(inside.mean())

"""IMAPA's vectorised search (forecast._classical) against a per-series reference, on complete
panels and on panels with a censored period (the two ways its bucket sums are built)."""

import numpy as np
import pytest
from scipy import optimize

from opsanalysis.forecast import _classical as classical

BOUNDS = (0.1, 0.3)


def _ses_optimised(sums):
    """statsforecast's optimised SES level, alpha by scipy's bounded minimiser."""
    def sse(alpha):
        level, total = sums[0], 0.0
        for x in sums:
            total += (x - level) ** 2
            level = alpha * x + (1 - alpha) * level
        return total

    alpha = optimize.minimize_scalar(sse, bounds=BOUNDS, method="bounded",
                                     options={"xatol": 1e-12}).x
    level = sums[0]
    for x in sums:
        level = alpha * x + (1 - alpha) * level
    return level


def _imapa_reference(y):
    """statsforecast's IMAPA on one complete series (models.py ``_imapa``), written plainly."""
    demand = np.flatnonzero(y != 0)
    if demand.size == 0:
        return 0.0
    intervals = np.diff(np.concatenate([[-1], demand]))
    top = int(np.round(intervals.mean()))
    forecasts = []
    for level in range(1, top + 1):
        cut = y[len(y) % level:]
        sums = cut.reshape(-1, level).sum(axis=1)
        if len(sums) == 1:
            forecasts.append(sums[0] / level)
        else:
            forecasts.append(_ses_optimised(sums) / level)
    return float(np.mean(forecasts))


@pytest.fixture(scope="module")
def intermittent_panel():
    """30 series x 150 days: demand every 1 to ~12 days (aggregation levels 1-12, so four
    octaves of levels), the last ten series starting 20-90 days late (NaN before)."""
    rng = np.random.default_rng(7)
    n_series, n_periods = 30, 150
    occurrence = np.linspace(1.0, 0.08, n_series)[:, None]
    values = rng.poisson(4.0, (n_series, n_periods)) * (rng.random((n_series, n_periods))
                                                        < occurrence)
    values = values.astype(float)
    start = np.zeros(n_series, dtype=np.int64)
    start[20:] = rng.integers(20, 90, 10)
    for row, first in enumerate(start):
        values[row, :first] = np.nan
        values[row, first] = max(values[row, first], 1.0)  # a demand on the first day
    return values, start


def test_imapa_equals_per_series_reference(intermittent_panel):
    values, start = intermittent_panel
    ours = classical.imapa(values, 2, start, *BOUNDS)
    expected = [_imapa_reference(row[first:]) for row, first in zip(values, start, strict=True)]
    assert ours[:, 0] == pytest.approx(expected, rel=1e-7, abs=1e-9)
    assert (ours[:, 1] == ours[:, 0]).all()
    levels, _ = classical._aggregation_level(values)
    assert levels.max() >= 8  # the panel reaches the fourth octave of levels


def test_imapa_unchanged_by_a_censored_series_beside_it(intermittent_panel):
    # one censored cell anywhere switches the bucket sums to observed counts and the search to
    # its masked recursion; the complete series must keep their forecasts
    values, start = intermittent_panel
    alone = classical.imapa(values, 1, start, *BOUNDS)[:, 0]
    censored = values[:1].copy()
    censored[0, 60] = np.nan
    both = classical.imapa(np.vstack([values, censored]), 1, np.append(start, 0), *BOUNDS)[:, 0]
    assert both[:-1] == pytest.approx(alone, rel=1e-12, abs=1e-12)
    # the censored series: its missing day is skipped, not read as a zero
    assert both[-1] != pytest.approx(alone[0], rel=1e-6)

"""Tie-corrected (randomised PIT) coverage of launch bands: known answers worked by hand."""

import numpy as np
import pytest

from opsanalysis.launch.calibration import predictive_cdf, randomised_pit_coverage


def test_calibrated_integer_forecast_covers_exactly_eighty_percent_where_inclusive_says_all():
    # Predictive distribution uniform on {0, 1, 2, 3, 4}: F(k) = (k + 1) / 5, so q10 = 0 and
    # q90 = 4 and every actual 0..4 is inside the band inclusively (100 %), only 1..3 strictly
    # (60 %). Randomised PIT: y = 0 draws on [0, 0.2], half of it above 0.1 -> 0.5; y = 1, 2, 3
    # lie wholly inside (0.1, 0.9] -> 1; y = 4 draws on [0.8, 1.0] -> 0.5. Mean 4 / 5 = 0.8.
    y = np.arange(5.0)
    cdf = lambda k: np.clip((k + 1.0) / 5.0, 0.0, 1.0)  # noqa: E731
    assert randomised_pit_coverage(cdf(y - 1.0), cdf(y), 0.1, 0.9) == pytest.approx(0.8)


def test_a_band_too_narrow_scores_below_eighty_and_continuous_actuals_count_as_points():
    # Point mass at 2 for an actual of 2: F(1) = 0, F(2) = 1 -> PIT uniform on [0, 1], 80 % inside.
    assert randomised_pit_coverage([0.0], [1.0], 0.1, 0.9) == pytest.approx(0.8)
    # Actual 3 against the same point mass: F(2) = F(3) = 1, PIT 1 is above 0.9 -> outside.
    assert randomised_pit_coverage([1.0], [1.0], 0.1, 0.9) == 0.0
    # Continuous data (no ties): the PIT is the CDF itself; 0.5 inside, 0.95 and 0.05 outside.
    assert randomised_pit_coverage([0.5, 0.95, 0.05], [0.5, 0.95, 0.05], 0.1, 0.9) == (
        pytest.approx(1.0 / 3.0))
    assert np.isnan(randomised_pit_coverage([], [], 0.1, 0.9))


def test_predictive_cdf_of_counts_reads_the_quantile_grid_with_the_continuity_correction():
    levels = [0.1, 0.5, 0.9]
    grid = [[0.0, 0.0, 2.0]]  # q10 = q50 = 0, q90 = 2 (continuous forecast X; count = round(X))
    # P(count <= 0) = P(X < 0.5): the value 0 carries levels up to 0.5 (a jump), then the CDF is
    # linear from (0, 0.5) to (2, 0.9): 0.5 + 0.5 / 2 * 0.4 = 0.6.
    assert predictive_cdf([0.0], levels, grid, counts=True) == pytest.approx([0.6])
    # P(count <= -1) = 0; P(count <= 1) = P(X < 1.5) = 0.5 + 1.5 / 2 * 0.4 = 0.8.
    assert predictive_cdf([-1.0, 1.0], levels, grid * 2, counts=True) == pytest.approx([0.0, 0.8])
    # Above q90 the CDF rises linearly to 1 at q90 + (q90 - q50) = 4: P(X < 3.5) = 0.975.
    assert predictive_cdf([3.0], levels, grid, counts=True) == pytest.approx([0.975])
    # Continuous: no correction; at the median exactly the value 0 reaches level 0.5.
    assert predictive_cdf([1.0], levels, grid, counts=False) == pytest.approx([0.7])


def test_pit_coverage_of_poisson_draws_against_their_own_quantiles_is_eighty_percent():
    # Actuals drawn from Poisson(3) scored with the true quantiles of Poisson(3): calibrated, so
    # the tie-corrected coverage of (0.1, 0.9] is 0.8 up to sampling error (20 000 draws: +/- 0.6
    # points at 2 standard errors), while the inclusive coverage is above it: P(1 <= Y <= 5) =
    # 0.8663 for Poisson(3) (q10 = 1, q90 = 5).
    from scipy import stats

    rng = np.random.default_rng(1)
    y = rng.poisson(3.0, 20_000).astype(float)
    coverage = randomised_pit_coverage(stats.poisson.cdf(y - 1, 3.0), stats.poisson.cdf(y, 3.0),
                                       0.1, 0.9)
    inclusive = np.mean((y >= stats.poisson.ppf(0.1, 3.0)) & (y <= stats.poisson.ppf(0.9, 3.0)))
    assert coverage == pytest.approx(0.8, abs=0.006)
    assert inclusive == pytest.approx(0.8663, abs=0.006)

"""The GBM's one-call weighted binning gives scikit-learn's thresholds and forecasts exactly."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble._hist_gradient_boosting import binning

from opsanalysis import forecast, params
from opsanalysis.forecast import _gbm


def _column(rng, n):
    """Counts-like data with ties, missing values and a few large values."""
    values = np.round(rng.poisson(2.0, n) / rng.uniform(0.5, 3.0, n), 2)
    values[rng.random(n) < 0.05] = np.nan
    values[rng.random(n) < 0.01] = np.inf
    return values


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_binning_thresholds_equal_sklearn_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    col = _column(rng, 20000)
    weight = np.maximum(rng.gamma(0.5, 2.0, col.size), 0.1)
    weight[rng.random(col.size) < 0.02] = 0.0  # zero weights are dropped by both
    expected = binning._find_binning_thresholds(col, 255, sample_weight=weight)
    got = _gbm._binning_thresholds(col, 255, sample_weight=weight)
    assert got.shape == expected.shape and got.shape[0] > 100
    np.testing.assert_array_equal(got, expected)


def test_binning_thresholds_few_values_and_no_weights_are_sklearns():
    col = np.array([1.0, 2.0, 2.0, np.nan, 5.0] * 50)
    weight = np.linspace(0.1, 3.0, col.size)
    np.testing.assert_array_equal(_gbm._binning_thresholds(col, 255, weight),
                                  binning._find_binning_thresholds(col, 255, weight))
    np.testing.assert_array_equal(_gbm._binning_thresholds(col, 255),
                                  binning._find_binning_thresholds(col, 255))


def test_patch_is_restored_after_fitting():
    with _gbm._fast_weighted_binning():
        pass
    assert binning._find_binning_thresholds is _gbm._SKLEARN_THRESHOLDS


def test_gbm_forecast_equals_sklearns_own_binning(monkeypatch):
    rng = np.random.default_rng(3)
    days = pd.date_range("2025-01-01", periods=200, freq="D")
    frames = [pd.DataFrame({"unique_id": f"US:s{i}", "ds": days,
                            "y": rng.poisson(rng.uniform(0.2, 20), days.size).astype(float)})
              for i in range(40)]
    history = pd.concat(frames, ignore_index=True)
    settings = params.load("US")
    settings["forecast"]["gbm"].update(max_iter=20, max_rows=6000, quantile_max_rows=2000)
    fast = forecast.predict(history, 14, "gbm", quantiles=(0.9,), params=settings)
    # sklearn's own per-percentile binning: the patch does nothing
    monkeypatch.setattr(_gbm, "_MIRRORED_SKLEARN", ("no such version",))
    slow = forecast.predict(history, 14, "gbm", quantiles=(0.9,), params=settings)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)

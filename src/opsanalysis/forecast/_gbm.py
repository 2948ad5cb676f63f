"""Global gradient-boosted model across all series (scikit-learn HistGradientBoostingRegressor).

One direct model for every step of the horizon (M5 winners' "non-recursive" design): a target
period t only sees history up to t - horizon (lags >= horizon), so the same features exist for
every future period without feeding forecasts back. Features, all divided by the series' level
(the longest window's mean with ``level_prior_periods`` periods of its whole-history mean added,
so that a silent or young series is not scaled by the floor alone) so that one model serves
slow and fast movers: the last 7 observed lags before the
cut-off, the values one and two seasons before t, rolling means and the zero share over
windows ending at the cut-off, the position in the season (day of week / week / month), the
month, and per event type of the marketplace calendar a flag and the days until the next start;
with drivers (``predict(..., drivers=)``), the target period's price against the price at the
cut-off and its window mean, its promotion flag and the window's promotion share, and its ad
budget against the window mean (none of these without drivers: the same model as before).
The mean uses Poisson loss (weights = level, so the loss is in units), quantiles use quantile
loss on the same features; ``l2_regularization`` damps leaves learnt from a few low-level rows
(lumps after silence), whose sums otherwise reached thousands of units a day. Training rows
are sampled from the last ``train_periods`` periods; a history shorter than
``min_history_horizons`` horizons is too short to train on and gets the longest window's mean.
"""

from __future__ import annotations

import contextlib
import threading
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.ensemble._hist_gradient_boosting import binning as _sklearn_binning
from threadpoolctl import threadpool_limits

from ._events import event_calendar, event_features
from ._intervals import poisson_quantiles


def _marketplace_of(ids: np.ndarray) -> np.ndarray:
    """Marketplace code from ``unique_id`` = "<MP>:<sku>" ("" when there is no prefix)."""
    return np.array([uid.split(":", 1)[0] if ":" in uid else "" for uid in ids])


def _calendar(dates: pd.DatetimeIndex, freq: str) -> dict[str, np.ndarray]:
    kind = freq[0].upper()
    if kind == "D":
        return {"phase": dates.day_of_week.to_numpy(float), "month": dates.month.to_numpy(float),
                "day_of_month": dates.day.to_numpy(float)}
    if kind == "W":
        return {"phase": dates.isocalendar().week.to_numpy(float)}
    return {"phase": dates.month.to_numpy(float)}


class _FeatureBuilder:
    """Gathers feature rows for (series, target period) pairs from cumulative sums."""

    def __init__(self, panel, horizon: int, settings: dict, events: dict | None):
        self.values = panel.values
        self.horizon = horizon
        self.season = panel.season_length
        self.windows = list(settings["windows"])
        self.floor = settings["scale_floor"]
        self.prior = settings["level_prior_periods"]
        observed = ~np.isnan(self.values)
        zero = observed & (self.values == 0)
        pad = np.zeros((len(self.values), 1))
        self.total = np.hstack([pad, np.cumsum(np.nan_to_num(self.values), axis=1)])
        self.count = np.hstack([pad, np.cumsum(observed, axis=1)])
        self.zeros = np.hstack([pad, np.cumsum(zero, axis=1)])
        dates = panel.dates.append(panel.future_dates(horizon))
        self.calendar = _calendar(dates, panel.freq)
        markets = _marketplace_of(panel.ids)
        self.market_codes, self.market_index = np.unique(markets, return_inverse=True)
        per_market = [event_features(dates, event_calendar(events, code or None),
                                     (events or {}).get("days_before", 0),
                                     (events or {}).get("days_after", 0), settings["event_cap_days"])
                      for code in self.market_codes]
        names = sorted(set().union(*[f.keys() for f in per_market]))
        self.events = {n: np.stack([f.get(n, np.zeros(len(dates))) for f in per_market])
                       for n in names}
        # drivers (prices, promotions, ad budgets) over the grid and the horizon: cumulative
        # sums for their means over the windows ending at the cut-off
        self.drivers = {}
        if panel.drivers is not None:
            for name, matrix in panel.drivers.values.items():
                cells = matrix[:, :len(dates)]
                self.drivers[name] = (cells, np.hstack([pad, np.cumsum(cells, axis=1)]))

    def _window_mean(self, rows, cut, width, cumulative):
        lo = np.maximum(cut + 1 - width, 0)
        n = self.count[rows, cut + 1] - self.count[rows, lo]
        with np.errstate(invalid="ignore", divide="ignore"):
            return (cumulative[rows, cut + 1] - cumulative[rows, lo]) / n

    def level(self, rows, cut):
        """Level at the cut-off [units per period]: the longest window's mean with
        ``level_prior_periods`` periods of the series' whole-history mean added, floored.

        The prior keeps a series that fell silent (or a young one) from being normalised by
        the floor alone: its next lump divided by the floor was a ratio in the thousands, and
        the model learnt to forecast hundreds of units a day for silent SKUs.
        """
        width = max(self.windows)
        lo = np.maximum(cut + 1 - width, 0)
        total = self.total[rows, cut + 1] - self.total[rows, lo]
        count = self.count[rows, cut + 1] - self.count[rows, lo]
        with np.errstate(invalid="ignore", divide="ignore"):
            long_run = np.nan_to_num(self.total[rows, cut + 1] / self.count[rows, cut + 1])
            mean = (total + self.prior * long_run) / (count + self.prior)
        return np.maximum(np.nan_to_num(mean), self.floor)

    def rows(self, rows: np.ndarray, target: np.ndarray):
        cut = target - self.horizon
        level = self.level(rows, cut)
        columns = {"log_level": np.log(level)}
        for k in range(7):
            lag = cut - k
            value = self.values[rows, np.maximum(lag, 0)]
            columns[f"lag_{k}"] = np.where(lag >= 0, value, np.nan) / level
        seasonal_lag = self.season * -(-self.horizon // self.season)
        for j in (0, 1):
            lag = target - seasonal_lag - j * self.season
            value = self.values[rows, np.maximum(lag, 0)]
            columns[f"season_lag_{j}"] = np.where(lag >= 0, value, np.nan) / level
        for width in self.windows:
            columns[f"mean_{width}"] = self._window_mean(rows, cut, width, self.total) / level
            columns[f"zero_share_{width}"] = self._window_mean(rows, cut, width, self.zeros)
        for name, by_date in self.calendar.items():
            columns[name] = by_date[target]
        for name, by_market in self.events.items():
            columns[name] = by_market[self.market_index[rows], target]
        columns.update(self._driver_columns(rows, target, cut))
        return pd.DataFrame(columns), level

    def _driver_columns(self, rows, target, cut):
        """Driver features of (series, target) pairs: the target period's price against the
        price at the cut-off and its mean over the longest window (log ratios), the promotion
        flag and the window's promotion share, the ad budget against its window mean."""
        out = {}
        width = max(self.windows)
        lo = np.maximum(cut + 1 - width, 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            for name, (cells, cumulative) in self.drivers.items():
                mean = (cumulative[rows, cut + 1] - cumulative[rows, lo]) / (cut + 1 - lo)
                at_target = cells[rows, target]
                if name == "price":
                    out["price_vs_cutoff"] = np.log(at_target / cells[rows, cut])
                    out["price_vs_window"] = np.log(at_target / mean)
                elif name == "promotion":
                    out["promotion"] = at_target
                    out["promotion_share"] = mean
                else:
                    out[f"{name}_vs_window"] = at_target / np.where(mean > 0, mean, np.nan)
                    out[f"{name}_on"] = (at_target > 0).astype(float)
        return out


#: scikit-learn versions whose ``_find_binning_thresholds`` :func:`_binning_thresholds` mirrors
#: line for line (checked against 1.9.1); any other version keeps scikit-learn's own function.
_MIRRORED_SKLEARN = ("1.9.",)
_PATCH_LOCK = threading.Lock()


def _binning_thresholds(col_data, max_bins, sample_weight=None):
    """scikit-learn's ``binning._find_binning_thresholds`` with one call for all percentiles.

    With sample weights scikit-learn calls ``_weighted_percentile`` once per percentile (254
    calls per feature, each sorting the whole column again); one call with the array of
    percentiles sorts once and runs the same per-percentile arithmetic on the same sorted
    order, so the thresholds are bit for bit the same (tests/test_forecast_gbm_binning.py).
    Everything else is scikit-learn's code unchanged.
    """
    from sklearn.utils.stats import _weighted_percentile

    if sample_weight is None:
        return _SKLEARN_THRESHOLDS(col_data, max_bins, sample_weight)
    missing_mask = np.isnan(col_data)
    if missing_mask.any():
        col_data, sample_weight = col_data[~missing_mask], sample_weight[~missing_mask]
    nonzero = sample_weight != 0
    col_data, sample_weight = col_data[nonzero], sample_weight[nonzero]
    sort_idx = np.argsort(col_data)
    col_data, sample_weight = col_data[sort_idx], sample_weight[sort_idx]
    distinct_values = np.unique(col_data).astype(_sklearn_binning.X_DTYPE)
    if len(distinct_values) <= max_bins:  # few values: scikit-learn's midpoints, as they are
        return _SKLEARN_THRESHOLDS(col_data, max_bins, sample_weight)
    percentiles = np.linspace(0, 100, num=max_bins + 1)[1:-1]
    bin_thresholds = np.asarray(
        _weighted_percentile(col_data, sample_weight, percentiles, average=True))
    unique_bin_values = np.unique(bin_thresholds)
    if unique_bin_values.shape[0] != bin_thresholds.shape[0]:
        bin_thresholds = unique_bin_values
    np.clip(bin_thresholds, a_min=None, a_max=_sklearn_binning.ALMOST_INF, out=bin_thresholds)
    return bin_thresholds


_SKLEARN_THRESHOLDS = _sklearn_binning._find_binning_thresholds


@contextlib.contextmanager
def _fast_weighted_binning():
    """Use :func:`_binning_thresholds` inside scikit-learn while fitting (same thresholds)."""
    if not sklearn.__version__.startswith(_MIRRORED_SKLEARN):
        yield
        return
    with _PATCH_LOCK:
        _sklearn_binning._find_binning_thresholds = _binning_thresholds
        try:
            yield
        finally:
            _sklearn_binning._find_binning_thresholds = _SKLEARN_THRESHOLDS


def _model(settings: dict, loss: str, quantile: float | None = None):
    return HistGradientBoostingRegressor(
        loss=loss, quantile=quantile, max_iter=settings["max_iter"],
        learning_rate=settings["learning_rate"], max_leaf_nodes=settings["max_leaf_nodes"],
        min_samples_leaf=settings["min_samples_leaf"],
        l2_regularization=settings["l2_regularization"], early_stopping=False,
        random_state=settings["seed"])


def gbm_forecast(panel, horizon: int, settings: dict, events: dict | None,
                 quantiles: tuple[float, ...]) -> tuple[np.ndarray, dict[float, np.ndarray]]:
    """Mean and quantile forecasts, series x horizon (see :func:`_gbm_forecast`).

    OpenMP threads are limited to ``settings["threads"]``: on a shared or busy machine more
    threads than free cores make the boosting many times slower, and the batch already runs
    marketplaces in parallel processes.
    """
    with threadpool_limits(limits=settings["threads"], user_api="openmp"):
        return _gbm_forecast(panel, horizon, settings, events, quantiles)


def _gbm_forecast(panel, horizon: int, settings: dict, events: dict | None,
                  quantiles: tuple[float, ...]) -> tuple[np.ndarray, dict[float, np.ndarray]]:
    """Mean (Poisson loss) and optional quantile (quantile loss) forecasts, series x horizon.

    Parameters
    ----------
    panel : Panel
        History on a common grid.
    horizon : int
        Periods ahead; also the smallest lag used.
    settings : dict
        ``forecast.gbm`` params: windows, scale_floor, level_prior_periods, event_cap_days,
        train_periods, min_history_horizons, max_rows, quantile_max_rows, max_iter,
        learning_rate, max_leaf_nodes, min_samples_leaf, l2_regularization, seed, threads.
    events : dict or None
        The params ``events`` section (calendar per marketplace).
    quantiles : tuple of float
        Probability levels for quantile-loss models [fraction].
    """
    n_series, n_periods = panel.values.shape
    builder = _FeatureBuilder(panel, horizon, settings, events)
    first = max(horizon, n_periods - settings["train_periods"])
    targets = np.arange(first, n_periods)
    valid = (~np.isnan(panel.values[:, first:])
             & (targets[None, :] - horizon >= panel.start[:, None]))
    flat = np.flatnonzero(valid)
    rng = np.random.default_rng(settings["seed"])
    if flat.size > settings["max_rows"]:
        flat = np.sort(rng.choice(flat, settings["max_rows"], replace=False))
    # with lags >= horizon, a history shorter than min_history_horizons x the horizon leaves
    # cut-offs only in the first days of each series: too little to learn from (a 201-day model
    # forecast up to 1e13 units a day on Online Retail's 208 days, 1e9 on its 236)
    too_short = n_periods < settings["min_history_horizons"] * horizon
    if not too_short:
        future_rows = np.repeat(np.arange(n_series), horizon)
        future_targets = np.tile(np.arange(n_periods, n_periods + horizon), n_series)
        future_x, future_level = builder.rows(future_rows, future_targets)
    if too_short or flat.size < 10 * len(future_x.columns):
        with np.errstate(all="ignore"), warnings.catch_warnings(action="ignore",
                                                                category=RuntimeWarning):
            fallback = np.nanmean(panel.values[:, -max(settings["windows"]):], axis=1)
        mean = np.repeat(fallback[:, None], horizon, axis=1)
        return mean, poisson_quantiles(mean, quantiles)
    rows, cols = np.divmod(flat, len(targets))
    train_x, train_level = builder.rows(rows, targets[cols])
    target = panel.values[rows, targets[cols]] / train_level
    # a feature without any value (e.g. a lag longer than the history) breaks the binning
    present = train_x.columns[train_x.notna().any()]
    train_x, future_x = train_x[present], future_x[present]
    with _fast_weighted_binning():
        mean_model = _model(settings, "poisson").fit(train_x, target, sample_weight=train_level)
    mean = (mean_model.predict(future_x) * future_level).reshape(n_series, horizon)
    out = {}
    # quantile loss is several times slower to fit: it learns from a smaller sample
    subset = rng.permutation(len(target))[: settings["quantile_max_rows"]]
    for q in quantiles:
        model = _model(settings, "quantile", q).fit(train_x.iloc[subset], target[subset])
        out[q] = np.maximum(model.predict(future_x) * future_level, 0.0).reshape(n_series, horizon)
    return mean, out

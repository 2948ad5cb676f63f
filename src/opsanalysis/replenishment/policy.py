"""Order policy maths: demand over lead time + review period, reorder point, order-up-to, rounding.

The demand a replenishment order must cover is the demand over the *protection interval*: the
lead time ``L`` of the order placed today plus the review period ``R`` until the next chance to
order. It is modelled from the forecast, SKU by SKU, all SKUs at once:

* the daily forecast mean path ``mu_t`` and a daily spread read off the forecast's upper quantile
  (``sigma_t = (q_t - mu_t) / z_q``), never below Poisson noise (variance >= mean);
* a daily dispersion ``D`` (variance-to-mean ratio of weekly totals within four-week blocks,
  :func:`daily_dispersion`) measured on the SKU's own history: a daily forecast quantile of
  lumpy demand (a wholesaler's rare large orders) sits near the mean and implies Poisson noise,
  while the real day-to-day variance is tens of times the mean. The noise part of every day is
  at least ``D x mu_t`` (demand recorded per month is read in whole months: its lumps are the
  months' totals);
* a level uncertainty ``c`` (coefficient of variation of the demand level over the interval): the
  daily forecast quantiles are marginal, but forecast errors persist from day to day, so the sum of
  ``P`` days is far wider than ``sqrt(P)`` daily spreads. ``c`` is measured on the history
  (how far ``P``-day totals strayed from the trailing velocity, net of both sides' daily noise),
  pooled over SKUs (a SKU's few overlapping intervals are too few for its own estimate); the
  policy replay, once its own forecasts have completed intervals, measures their errors per SKU;
* given ``L``, demand over ``L + R`` days is negative binomial (a gamma-Poisson mixture) matched to
  the mean and variance above: skewed and non-negative (Poisson at the limit). Its expected
  shortage gives the expected fill rate (:func:`expected_fill_rate`). The order-up-to level is
  read from the same moments through the normal ``mean + z sigma`` by default (params
  ``replenishment.service_quantile``): replayed on four real data sets, the negative binomial
  cycle quantile (alone, or as the larger of the two) held more stock for the same fill, spent
  in the long tail of slow SKUs, where a unit waits for a rare large order
  (``benchmarks/results/replenishment.md``);
* the lead time is a discretised gamma distribution (mean, coefficient of variation), and the
  demand distribution is the mixture over its support (a convolution over lead times). When each
  shipment has its own lead time, shipments overtake each other and the variability that matters
  is that of the number of outstanding orders, often well below one order's
  (:func:`effective_lead_time_cv`, "order crossover");
* a forecast that misses a seasonal change a year of history shows (fitted on less than two
  seasons, or without yearly seasonality) is corrected by the year-over-year ratio
  (:func:`seasonal_lift`).

Quantiles of that mixture are found by bisection on its CDF, vectorised across SKUs, so results are
exact and deterministic (no Monte Carlo noise).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

__all__ = [
    "LEVEL_CV_SPAN_DAYS",
    "daily_dispersion",
    "demand_variance_from_quantiles",
    "effective_lead_time_cv",
    "expected_fill_rate",
    "lifted_variance",
    "lead_time_distribution",
    "normal_demand_bound",
    "level_cv_from_errors",
    "level_cv_from_history",
    "protection_demand_quantile",
    "protection_demand_mean",
    "round_order_quantity",
    "seasonal_lift",
    "order_levels",
]


#: How far back the level-uncertainty origins go [days]: one year (52 whole weeks), so that
#: every part of the season is sampled once. A property of the estimator, not a policy setting.
LEVEL_CV_SPAN_DAYS = 364
#: Days of a week: the calendar cycle a weekday pattern repeats over (:func:`daily_dispersion`).
WEEK_DAYS = 7


def lead_time_distribution(mean_days, cv, n_points: int = 15) -> tuple[np.ndarray, np.ndarray]:
    """Discretised gamma lead-time distribution per SKU.

    Parameters
    ----------
    mean_days : array-like
        Mean lead time per SKU [days].
    cv : float or array-like
        Coefficient of variation of the lead time [fraction]; 0 gives a fixed lead time.
    n_points : int
        Equal-probability support points.

    Returns
    -------
    days : numpy.ndarray
        Support points, shape (n_skus, n_points) [days, whole days >= 1].
    probability : numpy.ndarray
        Their probabilities, same shape; rows sum to 1.
    """
    mean_days = np.atleast_1d(np.asarray(mean_days, dtype=float))
    cv = np.broadcast_to(np.asarray(cv, dtype=float), mean_days.shape)
    distinct, inverse = _distinct_rows(mean_days, cv)
    if len(distinct) < len(mean_days):  # the same gamma for many SKUs: worked out once each
        days, probability = lead_time_distribution(distinct[:, 0], distinct[:, 1], n_points)
        return days[inverse], probability[inverse]
    levels = (np.arange(n_points) + 0.5) / n_points
    shape = np.where(cv > 0, 1.0 / np.maximum(cv, 1e-9) ** 2, np.inf)
    with np.errstate(invalid="ignore", over="ignore"):
        from scipy import stats  # here, not at import: scipy.stats costs every kernel 0.6 s
        draws = stats.gamma.ppf(levels[None, :], np.where(np.isinf(shape), 1.0, shape)[:, None],
                                scale=(mean_days / np.where(np.isinf(shape), 1.0, shape))[:, None])
    days = np.where(np.isinf(shape)[:, None], mean_days[:, None], draws)
    days = np.maximum(np.rint(days), 1.0)
    probability = np.full(days.shape, 1.0 / n_points)
    return days, probability


def _distinct_rows(*columns) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of equal-length 1-d arrays (NaN rows kept apart: a NaN equals nothing)
    and the index of each original row among them, ``distinct[inverse]`` = the rows.

    The lead-time functions below evaluate element-wise special functions per SKU; SKUs with
    the same lead time (one median lead time in the policy replay, one per freight lane in a
    plan) give the same values, so each distinct row is evaluated once, with bit-for-bit the
    same results.
    """
    stacked = np.column_stack(columns)
    if np.isnan(stacked).any() or len(stacked) < 2:
        return stacked, np.arange(len(stacked))
    distinct, inverse = np.unique(stacked, axis=0, return_inverse=True)
    return distinct, inverse.reshape(-1)


def effective_lead_time_cv(mean_days, cv, review_days, grid_points: int = 8) -> np.ndarray:
    """Lead-time variability that matters when orders cross (independent lead times).

    With a review every ``R`` days and lead times longer than ``R`` several orders are in
    transit at once; when each has its own random lead time they overtake each other, and the
    stock at a given day depends on *how many* of the outstanding orders have arrived, not on
    one lead time. With orders of about ``R`` days of demand each, the units still outstanding
    ``a`` days after a review are ``R`` x the number of earlier orders ``k`` (placed ``a + kR``
    days ago) whose lead time exceeds their age, a sum of independent Bernoulli terms with
    variance ``R^2 sum_k p_k (1 - p_k)``, ``p_k = P(L > a + kR)`` (Zalkind 1978; Robinson,
    Bradley & Thomas 2001; Hayya et al. 2008 "order crossover"). Averaged over ``a`` within the
    review period, that variance is often well below ``Var(L)``, which the one-order formula
    ``rate^2 Var(L)`` assumes. The effective coefficient of variation is the smaller of the two.

    Parameters
    ----------
    mean_days : array-like
        Mean lead time per SKU [days].
    cv : float or array-like
        Coefficient of variation of one order's lead time [fraction] (gamma distributed).
    review_days : float or array-like
        Review period [days].
    grid_points : int
        Offsets ``a`` averaged within the review period.

    Returns
    -------
    numpy.ndarray
        Effective coefficient of variation per SKU [fraction], at most ``cv``.
    """
    mean_days = np.atleast_1d(np.asarray(mean_days, dtype=float))
    cv = np.broadcast_to(np.asarray(cv, dtype=float), mean_days.shape)
    distinct, inverse = _distinct_rows(
        mean_days, cv, np.broadcast_to(np.asarray(review_days, dtype=float), mean_days.shape))
    if len(distinct) < len(mean_days):  # one evaluation per distinct lead time
        return effective_lead_time_cv(distinct[:, 0], distinct[:, 1], distinct[:, 2],
                                      grid_points)[inverse]
    review = np.maximum(np.broadcast_to(np.asarray(review_days, dtype=float), mean_days.shape),
                        1e-9)
    positive = (cv > 0) & (mean_days > 0)
    shape = 1.0 / np.maximum(cv, 1e-9) ** 2
    scale = mean_days / shape
    n_orders = int(np.ceil(np.nanmax(mean_days * (1 + 8 * cv) / review, initial=0.0))) + 2
    offsets = (np.arange(grid_points) + 0.5) / grid_points
    ages = (offsets[None, :, None] + np.arange(n_orders)[None, None, :]) * review[:, None, None]
    with np.errstate(invalid="ignore"):
        from scipy import stats  # here, not at import: scipy.stats costs every kernel 0.6 s
        late = stats.gamma.sf(ages, shape[:, None, None], scale=scale[:, None, None])
    variance = review**2 * (late * (1 - late)).sum(axis=2).mean(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        effective = np.sqrt(variance) / mean_days
    return np.where(positive, np.minimum(np.nan_to_num(effective), cv), cv)


def daily_dispersion(values: np.ndarray, *, block_days: int,
                     span_days: int = LEVEL_CV_SPAN_DAYS, period_days: float = 1.0) -> np.ndarray:
    """Variance-to-mean ratio of demand around its local level, per SKU (>= 1, Poisson).

    The last ``span_days`` are cut into whole blocks of ``block_days`` (newest first), each
    block into whole weeks. Within each block the weekly totals' variance around the block's
    own mean is noise: a level that drifts between blocks is not counted (that is the level
    uncertainty of :func:`level_cv_from_errors`), nor is a weekday pattern (a week holds every
    weekday once), while rare large orders and orders spread over a few days are.
    ``D = sum of block variances / sum of block means`` of the weekly totals; for independent
    days it equals the daily variance-to-mean ratio, which is how it is used (a day's noise
    variance is ``D x`` its mean). Blocks with censored (NaN) days, or that start before the
    first sale, are skipped.

    Demand recorded per period longer than a week (``period_days``: a monthly series spread over
    its days) has no lumps within a period to see: a week of it is a share of the month's total.
    Its lumps are the periods' totals, so the same ratio is read from the totals of whole periods
    (``round(period_days)`` days each), as many per block as a block of daily demand holds weeks.

    Parameters
    ----------
    values : numpy.ndarray
        Daily demand, shape (n_skus, n_days), NaN = censored [units per day].
    block_days : int
        Block length [days], whole weeks, at least two (params
        ``replenishment.rate_window_days``: four weeks).
    span_days : int
        How far back blocks go [days] (:data:`LEVEL_CV_SPAN_DAYS`).
    period_days : float
        Days per period the demand was recorded in [days]: 1 (daily) or 7 (weekly) read weekly
        totals; longer periods read the periods' own totals.

    Returns
    -------
    numpy.ndarray
        ``D`` per SKU [ratio]; 1 (Poisson) without a usable block or demand.
    """
    values = np.asarray(values, dtype=float)
    n_skus, n_days = values.shape
    weeks = int(block_days) // WEEK_DAYS
    if weeks < 2:
        raise ValueError(f"daily_dispersion needs blocks of at least two whole weeks, got "
                         f"{block_days} days")
    unit = max(int(round(period_days)), WEEK_DAYS)  # days summed into one total
    block = weeks * unit
    n_blocks = min(int(span_days), n_days) // block
    if n_skus == 0 or n_blocks == 0:
        return np.ones(n_skus)
    recent = values[:, n_days - n_blocks * block:].reshape(n_skus, n_blocks, weeks, unit)
    sold = np.nan_to_num(values) > 0
    first_sale = np.where(sold.any(axis=1), sold.argmax(axis=1), n_days)
    block_start = n_days - n_blocks * block + np.arange(n_blocks) * block
    usable = ~np.isnan(recent).any(axis=(2, 3)) & (block_start[None, :] >= first_sale[:, None])
    totals = np.nan_to_num(recent).sum(axis=3)  # (n_skus, n_blocks, totals per block)
    total_mean = np.where(usable, totals.mean(axis=2), 0.0).sum(axis=1)
    total_variance = np.where(usable, totals.var(axis=2, ddof=1), 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = total_variance / total_mean
    return np.where(total_mean > 0, np.maximum(np.nan_to_num(ratio, nan=1.0), 1.0), 1.0)


def demand_variance_from_quantiles(mean: np.ndarray, upper: np.ndarray | None,
                                   level: float | None, period_days: float = 1.0,
                                   dispersion=1.0) -> np.ndarray:
    """Daily demand variance implied by a forecast's upper quantile, floored at ``D x mean``.

    Parameters
    ----------
    mean : numpy.ndarray
        Forecast mean per SKU and day [units per day].
    upper : numpy.ndarray or None
        Forecast quantile at ``level`` on the same grid [units per day]; None: Poisson.
    level : float or None
        Probability level of ``upper`` [fraction], above 0.5.
    period_days : float
        Days per forecast period [days]: a weekly or monthly forecast spread evenly over its
        days. The period's spread is shared by its days as independent days (a day carries
        ``1 / period_days`` of the period's variance), and the floor holds per day.
    dispersion : float or array-like
        Daily variance-to-mean ratio per SKU (:func:`daily_dispersion`) [ratio]; 1 = Poisson
        noise, the least any count has.

    Returns
    -------
    numpy.ndarray
        Variance [units^2 per day], at least ``dispersion x mean``.
    """
    mean = np.nan_to_num(np.asarray(mean, dtype=float))
    dispersion = np.maximum(np.asarray(dispersion, dtype=float), 1.0)
    if dispersion.ndim == 1:
        dispersion = dispersion[:, None]
    floor = dispersion * mean
    if upper is None or level is None:
        return floor.copy()
    z = special.ndtri(level)
    sigma = np.maximum(np.nan_to_num(np.asarray(upper, dtype=float)) - mean, 0.0) / z
    # The floor comes after the spreading: floored first and then scaled, a slow monthly SKU
    # would get a day's variance 30 times its mean (all demand in one lump).
    return np.maximum(sigma**2 * period_days, floor)


def level_cv_from_history(values: np.ndarray, horizon_days: int, *, window_days: int,
                          span_days: int = LEVEL_CV_SPAN_DAYS,
                          prior_weight: float = np.inf, dispersion=1.0) -> np.ndarray:
    """Level uncertainty: how far ``horizon``-day totals strayed from the trailing velocity.

    At origins every ``horizon / 2`` days over the last ``span_days``, the trailing
    ``window_days`` mean times ``horizon_days`` is compared with the demand that followed.
    Day-to-day noise is removed from both sides: the interval's own (``D F``, ``D`` = 1:
    Poisson) and the trailing velocity's, a mean of ``window_days`` noisy days scaled up to the
    horizon (``D F horizon / window``): ``(A - F)^2 - D F (1 + horizon / window)``, the rest is
    scaled by ``F^2`` (:func:`level_cv_from_errors`). The velocity stands in for the forecast
    the plan orders on; its sampling noise is not an error of that forecast. Windows touching
    missing (censored) days are skipped.

    By default the estimate is pooled over all SKUs (``prior_weight`` infinite): a year gives a
    SKU about ``2 x 364 / horizon`` overlapping intervals (17 at 42 days, fewer with a shorter
    history), too few for its own variance estimate, whose sampling error then sets the stock.
    On Online Retail daily demand at a 35-day lead time the per-SKU estimate (``prior_weight``
    4) put stock where it bought little fill (``benchmarks/results/replenishment.md``,
    Ablation, 2026-12-02).

    Parameters
    ----------
    values : numpy.ndarray
        Daily demand, shape (n_skus, n_days), NaN = censored [units per day].
    horizon_days : int
        Length of the protection interval [days].
    window_days : int
        Trailing velocity window [days] (params ``replenishment.velocity_window_days``).
    span_days : int
        How far back origins go [days] (:data:`LEVEL_CV_SPAN_DAYS`).
    prior_weight : float
        Weight of the pooled estimate, in origins; infinite: the pooled value for every SKU.
    dispersion : float or array-like
        Daily variance-to-mean ratio per SKU (:func:`daily_dispersion`) [ratio]; 1 = Poisson.

    Returns
    -------
    numpy.ndarray
        ``c`` per SKU [fraction]; the pooled value for SKUs without a usable origin.
    """
    n_skus, n_days = values.shape
    horizon = max(int(horizon_days), 1)
    step = max(horizon // 2, 1)
    first = max(window_days, n_days - span_days)
    origins = np.arange(n_days - horizon, first - 1, -step)
    if n_skus == 0 or origins.size == 0:
        return np.zeros(n_skus)
    filled = np.nan_to_num(values)
    missing = np.isnan(values).astype(float)
    cum = np.concatenate([np.zeros((n_skus, 1)), np.cumsum(filled, axis=1)], axis=1)
    cum_missing = np.concatenate([np.zeros((n_skus, 1)), np.cumsum(missing, axis=1)], axis=1)
    before = (cum[:, origins] - cum[:, origins - window_days]) / window_days * horizon
    after = cum[:, origins + horizon] - cum[:, origins]
    gaps = (cum_missing[:, origins + horizon] - cum_missing[:, origins - window_days]) > 0
    # a launch ramp is not level uncertainty: windows must start after the first sale
    first_sale = np.where((filled > 0).any(axis=1), (filled > 0).argmax(axis=1), n_days)
    gaps |= (origins[None, :] - window_days) < first_sale[:, None]
    # both sides carry day-to-day noise: the demand that followed (``D x F``) and the trailing
    # velocity it is compared with, a mean of ``window_days`` noisy days scaled up to the horizon
    # (variance ``D x F x horizon / window``); neither is a level error
    noise = (before * np.broadcast_to(np.asarray(dispersion, dtype=float), (n_skus,))[:, None]
             * (1.0 + horizon / window_days))
    return level_cv_from_errors(np.where(gaps, np.nan, after), before, noise,
                                prior_weight=prior_weight)


def level_cv_from_errors(actual, predicted, noise_variance, prior_weight: float = 4.0,
                         max_cv: float = 1.0):
    """Level uncertainty from past interval forecasts: ``c^2 ~ ((A - F)^2 - noise) / F^2``.

    A robust (median-based) estimate per SKU over its intervals, shrunk to the median over all
    SKUs and intervals with ``prior_weight`` pseudo-intervals.

    Parameters
    ----------
    actual, predicted : numpy.ndarray
        Demand over past intervals and its forecast, shape (n_skus, n_intervals) [units]; NaN
        or non-positive forecasts are skipped.
    noise_variance : numpy.ndarray
        Variance expected without any level error (Poisson: the forecast itself) [units^2].
    prior_weight : float
        Weight of the pooled estimate, in intervals; infinite: the pooled value for every SKU.
    max_cv : float
        Upper bound of ``c`` [fraction].

    Returns
    -------
    numpy.ndarray
        ``c`` per SKU [fraction], shrunk to the pooled value; the pooled value where a SKU has
        no usable interval.
    """
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    usable = np.isfinite(actual) & np.isfinite(predicted) & (predicted > 0)
    # per-interval squared relative level error, Poisson/noise part removed
    with np.errstate(invalid="ignore", divide="ignore"):
        term = ((np.nan_to_num(actual) - np.nan_to_num(predicted)) ** 2
                - np.nan_to_num(noise_variance)) / np.nan_to_num(predicted) ** 2
    term = np.where(usable, term, np.nan)
    # Robust scale: a one-off spike (an event, a launch ramp) must not set a SKU's safety stock
    # for the whole year; the median of squared normal errors is 0.455 of their variance.
    pooled = max(np.nanmedian(term) / 0.455, 0.0) if usable.any() else 0.0
    count = usable.sum(axis=1)
    if np.isinf(prior_weight):
        return np.full(len(count), min(np.sqrt(pooled), max_cv))
    own = np.full(len(count), pooled)
    if count.any():
        with np.errstate(all="ignore"):
            own[count > 0] = np.nanmedian(term[count > 0], axis=1) / 0.455
    shrunk = (count * np.maximum(own, 0.0) + prior_weight * pooled) / (count + prior_weight)
    # beyond 100 % the level term swamps everything else; such estimates come from a handful of
    # intervals around a structural change, not from a stable level process
    return np.minimum(np.sqrt(np.maximum(shrunk, 0.0)), max_cv)


def _cumulative_at(cumulative: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Cumulative daily sums evaluated at (fractional) horizons, clamped to the path's end.

    ``cumulative`` has shape (n_skus, horizon + 1) with a leading zero; beyond the path, the last
    day's value is extended (demand stays at the final forecast level).
    """
    n_cols = cumulative.shape[1] - 1
    last_rate = cumulative[:, -1] - cumulative[:, -2] if n_cols > 0 else np.zeros(len(cumulative))
    whole = np.clip(np.floor(days), 0, n_cols).astype(int)
    rows = np.arange(len(cumulative))[:, None]
    base = cumulative[rows, whole]
    step = np.where(whole < n_cols, cumulative[rows, np.minimum(whole + 1, n_cols)] - base,
                    last_rate[:, None])
    extra = np.maximum(days - n_cols, 0.0) * last_rate[:, None]
    return base + np.where(whole < n_cols, (days - whole) * step, extra)


def _interval_moments(mean_path, variance_path, lead_days, review_days, level_cv):
    """Mean and variance of demand over ``lead + review`` days, per SKU and lead-time point.

    A day's forecast spread (``variance_path``) is its marginal spread: the shared level error
    ``c^2 mu^2`` plus independent noise. The noise part (at least Poisson) adds up over days
    independently; the level part is common to all days of the interval.
    """
    zeros = np.zeros((mean_path.shape[0], 1))
    c2 = np.broadcast_to(np.asarray(level_cv, dtype=float), (mean_path.shape[0],))[:, None] ** 2
    noise_path = np.maximum(variance_path - c2 * mean_path**2, mean_path)
    cum_mean = np.concatenate([zeros, np.cumsum(mean_path, axis=1)], axis=1)
    cum_var = np.concatenate([zeros, np.cumsum(noise_path, axis=1)], axis=1)
    horizon = lead_days + np.asarray(review_days, dtype=float).reshape(-1, 1)
    mean = _cumulative_at(cum_mean, horizon)
    noise = np.maximum(_cumulative_at(cum_var, horizon), mean)
    variance = noise + c2 * (noise - mean + mean**2)
    return mean, variance


def _negative_binomial(mean, variance):
    """Poisson flag and negative binomial ``(n, p)`` matched to the mean and variance."""
    poisson = variance <= mean * (1 + 1e-9)
    safe_var = np.where(poisson, mean + 1.0, variance)
    p = np.clip(mean / safe_var, 1e-12, 1.0)
    n = np.where(poisson, 1.0, mean**2 / np.maximum(safe_var - mean, 1e-12))
    return poisson, n, p


def _point_cdf(x, mean, poisson, n, p):
    """CDF at ``x`` per SKU and lead-time point (negative binomial, or Poisson).

    Each special function is evaluated only where its value is used (an element-wise
    function: the same values as evaluating both everywhere and picking, at half the cost).
    """
    x, mean, poisson, n, p = np.broadcast_arrays(x, mean, poisson, n, p)
    whole = np.floor(x)
    cdf = np.ones(x.shape)
    computed = ~(mean <= 0) & ~(x < 0)  # not "mean > 0": a NaN mean gives NaN, as before
    negative_binomial, point = computed & ~poisson, computed & poisson
    cdf[negative_binomial] = special.betainc(n[negative_binomial],
                                             whole[negative_binomial] + 1.0,
                                             p[negative_binomial])
    cdf[point] = special.pdtr(whole[point], mean[point])
    cdf[x < 0] = 0.0
    return cdf


def _mixture_cdf(x, mean, variance, probability, shape=None):
    """CDF at ``x`` (n_skus,) of the negative binomial mixture over lead-time points.

    ``shape``: :func:`_negative_binomial` of ``mean`` and ``variance`` when already known.
    """
    poisson, n, p = _negative_binomial(mean, variance) if shape is None else shape
    cdf = _point_cdf(x[:, None], mean, poisson, n, p)
    return (cdf * probability).sum(axis=1)


def _mixture_excess(level, mean, variance, probability):
    """``E[(D - level)+]`` per SKU of the negative binomial mixture over lead-time points.

    ``E[D 1{D > S}] = mean P(D' >= S)`` with ``D'`` negative binomial of size ``n + 1`` (Poisson:
    ``D`` itself), so ``E[(D - S)+] = mean (1 - F'(S - 1)) - S (1 - F(S))``.
    """
    poisson, n, p = _negative_binomial(mean, variance)
    level = np.maximum(np.floor(np.asarray(level, dtype=float)), 0.0)[:, None]
    above = 1.0 - _point_cdf(level, mean, poisson, n, p)
    at_or_above = 1.0 - _point_cdf(level - 1.0, mean, poisson, np.where(poisson, n, n + 1.0), p)
    excess = np.maximum(mean * at_or_above - level * above, 0.0)
    return (excess * probability).sum(axis=1)


def expected_fill_rate(mean_path, variance_path, lead_days, probability, review_days, level_cv,
                       order_up_to) -> np.ndarray:
    """Expected share of demand served from stock with an order-up-to level, per SKU.

    The shortage of a review cycle is the demand over lead time + review period beyond the
    order-up-to level, less what was already short before the order arrived:
    ``E[(D_{L+R} - S)+] - E[(D_L - S)+]``, over the cycle's expected demand ``E[D_{L+R}] -
    E[D_L]`` (the backorder formula of periodic-review (R, S) systems, as in Silver, Pyke &
    Thomas, Inventory and Production Management in Supply Chains, 4th ed., 2017; with lost
    sales the real fill is a little higher). A cycle service level counts cycles, this
    counts units: on lumpy SKUs (rare large orders) a level that covers 95 % of cycles can
    serve far fewer than 95 % of the units.

    Parameters
    ----------
    mean_path, variance_path : numpy.ndarray
        Daily forecast mean [units per day] and variance [units^2 per day], shape
        (n_skus, horizon).
    lead_days, probability : numpy.ndarray
        Lead-time distribution from :func:`lead_time_distribution`.
    review_days : float or array-like
        Review period [days].
    level_cv : float or array-like
        Level uncertainty [fraction].
    order_up_to : array-like
        Order-up-to level per SKU [units].

    Returns
    -------
    numpy.ndarray
        Expected fill rate per SKU [fraction]; NaN where no demand is expected.
    """
    mean_path = np.nan_to_num(np.asarray(mean_path, dtype=float))
    variance_path = np.nan_to_num(np.asarray(variance_path, dtype=float))
    review = np.broadcast_to(np.asarray(review_days, dtype=float), (mean_path.shape[0],))
    level = np.asarray(order_up_to, dtype=float)
    lead_mean, lead_var = _interval_moments(mean_path, variance_path, lead_days, 0.0 * review,
                                            level_cv)
    full_mean, full_var = _interval_moments(mean_path, variance_path, lead_days, review,
                                            level_cv)
    cycle = ((full_mean - lead_mean) * probability).sum(axis=1)
    short = (_mixture_excess(level, full_mean, full_var, probability)
             - _mixture_excess(level, lead_mean, lead_var, probability))
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = 1.0 - np.maximum(short, 0.0) / cycle
    return np.where(cycle > 0, np.clip(fill, 0.0, 1.0), np.nan)


def protection_demand_mean(mean_path, lead_days, probability, review_days) -> np.ndarray:
    """Expected demand over lead time + review period per SKU [units].

    Parameters
    ----------
    mean_path : numpy.ndarray
        Daily forecast mean, shape (n_skus, horizon) [units per day].
    lead_days, probability : numpy.ndarray
        Lead-time distribution from :func:`lead_time_distribution`.
    review_days : float or array-like
        Review period [days] (0 for demand over the lead time only).
    """
    variance = np.asarray(mean_path, dtype=float)
    mean, _ = _interval_moments(np.asarray(mean_path, dtype=float), variance, lead_days,
                                review_days, 0.0)
    return (mean * probability).sum(axis=1)


def protection_demand_quantile(mean_path, variance_path, lead_days, probability, review_days,
                               level_cv, service_level, iterations: int = 40) -> np.ndarray:
    """Quantile of demand over lead time + review period, lead time random [units].

    Parameters
    ----------
    mean_path : numpy.ndarray
        Daily forecast mean, shape (n_skus, horizon) [units per day].
    variance_path : numpy.ndarray
        Daily variance, same shape [units^2 per day] (see
        :func:`demand_variance_from_quantiles`).
    lead_days, probability : numpy.ndarray
        Lead-time distribution from :func:`lead_time_distribution`.
    review_days : float or array-like
        Review period [days].
    level_cv : float or array-like
        Level uncertainty [fraction] (see :func:`level_cv_from_history`).
    service_level : float or array-like
        Probability of covering the interval's demand (cycle service level) [fraction].
    iterations : int
        Bisection steps.

    Returns
    -------
    numpy.ndarray
        Smallest whole number of units whose mixture CDF reaches ``service_level``, per SKU.
    """
    mean_path = np.nan_to_num(np.asarray(mean_path, dtype=float))
    variance_path = np.nan_to_num(np.asarray(variance_path, dtype=float))
    mean, variance = _interval_moments(mean_path, variance_path, lead_days, review_days, level_cv)
    target = np.broadcast_to(np.asarray(service_level, dtype=float), (len(mean),))
    probability = np.broadcast_to(probability, mean.shape)
    shape = _negative_binomial(mean, variance)

    def mixture_cdf(x, rows):
        """The mixture CDF at ``x`` (one value per SKU of ``rows``) for SKUs ``rows`` only:
        each SKU's CDF is its own, the others need not be evaluated again."""
        return _mixture_cdf(x, mean[rows], None, probability[rows],
                            tuple(part[rows] for part in shape))

    low = np.full(len(mean), -1.0)
    high = np.ceil((mean + 10 * np.sqrt(variance) + 10).max(axis=1))
    short = np.ones(len(mean), dtype=bool)
    while short.any():  # widen until the upper bound really covers the target
        rows = np.flatnonzero(short)
        short[rows] = mixture_cdf(high[rows], rows) < target[rows]
        high = np.where(short, high * 2 + 1, high)
    for _ in range(iterations):
        if np.all(high - low <= 1):
            break
        # a SKU whose bounds are 1 apart keeps them (its low end is below the target), unless
        # the target is 0 or less: only the others are evaluated again
        rows = np.flatnonzero((high - low > 1) | (target <= 0))
        middle = np.floor((low[rows] + high[rows]) / 2)
        enough = mixture_cdf(middle, rows) >= target[rows]
        high[rows] = np.where(enough, middle, high[rows])
        low[rows] = np.where(enough, low[rows], middle)
    return high


def normal_demand_bound(mean_path, variance_path, lead_days, probability, review_days, level_cv,
                        service_level) -> np.ndarray:
    """``mean + z sigma`` of demand over lead time + review period, rounded up [units].

    The same mixture moments as :func:`protection_demand_quantile` (lead time random, level
    uncertainty), read through the normal ``z`` of ``service_level``: the order-up-to level's
    service part with ``order_levels(service_quantile="normal")``. With ``"larger_of_both"`` it
    is a floor under the negative binomial quantile for lumpy demand: a two-moment negative
    binomial with a variance far above its mean (rare large orders) puts most of its mass at
    zero and the rest at a few units, so its cycle quantile stays at one or two units however
    large the orders are, and such a level serves few of the units
    (:func:`expected_fill_rate`); the normal bound keeps stock in proportion to the spread,
    and the skewed quantile stays in force where it needs more (slow Poisson-like demand at
    high service levels).

    Parameters
    ----------
    mean_path, variance_path : numpy.ndarray
        Daily forecast mean [units per day] and variance [units^2 per day], shape
        (n_skus, horizon).
    lead_days, probability : numpy.ndarray
        Lead-time distribution from :func:`lead_time_distribution`.
    review_days : float or array-like
        Review period [days].
    level_cv : float or array-like
        Level uncertainty [fraction].
    service_level : float or array-like
        Target cycle service level [fraction].

    Returns
    -------
    numpy.ndarray
        Whole units per SKU, at least 0; 0 where neither a mean nor a spread is forecast.
    """
    mean_path = np.nan_to_num(np.asarray(mean_path, dtype=float))
    variance_path = np.nan_to_num(np.asarray(variance_path, dtype=float))
    mean, variance = _interval_moments(mean_path, variance_path, lead_days, review_days,
                                       level_cv)
    total_mean = (mean * probability).sum(axis=1)
    total_variance = ((variance + mean**2) * probability).sum(axis=1) - total_mean**2
    z = special.ndtri(np.broadcast_to(np.asarray(service_level, dtype=float), total_mean.shape))
    bound = np.ceil(total_mean + z * np.sqrt(np.maximum(total_variance, 0.0)) - 1e-9)
    # a forecast whose mean is 0 but whose spread is not (a point forecast of 0 on a part that
    # sells now and then) still has demand to cover: only no mean and no spread means no stock
    spread = (total_mean > 0) | (total_variance > 0)
    return np.where(spread, np.maximum(bound, 0.0), 0.0)


def seasonal_lift(values, interval_demand, interval_days, *, window_days: int,
                  season_days: int, prior_units: float, max_lift: float) -> np.ndarray:
    """Year-over-year correction of the forecast over the protection interval, per SKU.

    Last year's demand over the same calendar interval, relative to last year's trailing
    ``window_days`` before it, is the seasonal change a year of history shows (the ramp into a
    holiday peak, the fall after it). The forecast implies its own change: its expected
    ``interval_demand`` relative to this year's trailing velocity. A forecast fitted on less than
    two seasons, or one without yearly seasonality, implies none; the lift is the ratio of the
    two, so a forecast that already carries the season is left alone (lift 1).

    Every total compared gets ``prior_units`` pseudo-units at the trailing rate, so slow movers
    (whose counts are mostly noise) keep a lift near 1. SKUs with less than
    ``season_days + window_days`` days of history, censored (NaN) days in the windows, or no
    recent demand get 1.

    Parameters
    ----------
    values : numpy.ndarray
        Daily demand up to today, shape (n_skus, n_days), NaN = censored [units per day].
    interval_demand : numpy.ndarray
        Forecast demand over the next ``interval_days`` days per SKU [units].
    interval_days : float or array-like
        Protection interval, lead time + review period [days].
    window_days : int
        Trailing window of the velocities [days].
    season_days : int
        Season length [days] (364: the same weekday a year ago).
    prior_units : float
        Pseudo-units added to last year's totals [units].
    max_lift : float
        The lift is kept within ``[1 / max_lift, max_lift]``.

    All four are params ``replenishment.seasonal_lift``: ``seasonal_lift(..., **rep["seasonal_lift"])``.

    Returns
    -------
    numpy.ndarray
        Factor on the forecast over the interval, per SKU [ratio].
    """
    values = np.asarray(values, dtype=float)
    n_skus, n_days = values.shape
    interval = np.broadcast_to(np.asarray(interval_days, dtype=float), (n_skus,))
    length = np.clip(np.rint(interval).astype(int), 1, season_days)
    lift = np.ones(n_skus)
    if n_days < season_days + window_days or n_skus == 0:
        return lift
    cum = np.concatenate([np.zeros((n_skus, 1)), np.cumsum(np.nan_to_num(values), axis=1)],
                         axis=1)
    cum_missing = np.concatenate([np.zeros((n_skus, 1)),
                                  np.cumsum(np.isnan(values), axis=1)], axis=1)
    rows = np.arange(n_skus)
    year_ago = n_days - season_days  # column of cum: end of last year's trailing window
    ly_window = (cum[:, year_ago] - cum[:, year_ago - window_days]) / window_days
    ly_interval = cum[rows, year_ago + length] - cum[:, year_ago]
    now_window = (cum[:, n_days] - cum[:, n_days - window_days]) / window_days
    missing = (cum_missing[rows, year_ago + length] - cum_missing[:, year_ago - window_days]
               + cum_missing[:, n_days] - cum_missing[:, n_days - window_days]) > 0
    # the first sale must precede last year's window (a launch ramp is not a season)
    sold = np.nan_to_num(values) > 0
    first_sale = np.where(sold.any(axis=1), sold.argmax(axis=1), n_days)
    usable = ~missing & (first_sale < year_ago - window_days) & (now_window > 0) & (
        ly_window > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        seasonal = (ly_interval + prior_units) / (ly_window * length + prior_units)
        implied = (np.asarray(interval_demand, dtype=float) + prior_units) / (
            now_window * length + prior_units)
        ratio = seasonal / implied
    ratio = np.clip(np.nan_to_num(ratio, nan=1.0, posinf=max_lift), 1.0 / max_lift, max_lift)
    return np.where(usable & (np.asarray(interval_demand) > 0), ratio, lift)


def lifted_variance(mean, variance, factor) -> np.ndarray:
    """Daily variance after scaling the mean by ``factor``: Poisson part x f, the rest x f^2.

    Count noise grows with the mean, a spread proportional to the level (forecast error,
    level uncertainty) with its square.

    Parameters
    ----------
    mean, variance : numpy.ndarray
        Daily mean [units per day] and variance [units^2 per day] before the lift.
    factor : numpy.ndarray
        Lift, broadcastable to ``mean`` [ratio].

    Returns
    -------
    numpy.ndarray
        Variance of the lifted demand [units^2 per day].
    """
    mean = np.nan_to_num(np.asarray(mean, dtype=float))
    variance = np.nan_to_num(np.asarray(variance, dtype=float))
    factor = np.asarray(factor, dtype=float)
    return factor * np.minimum(variance, mean) + factor**2 * np.maximum(variance - mean, 0.0)


def round_order_quantity(quantity, case_pack=1, moq=0) -> np.ndarray:
    """Round positive order quantities up to the MOQ, then up to whole case packs.

    Parameters
    ----------
    quantity : array-like
        Raw quantity [units]; zero or negative means no order.
    case_pack : int or array-like
        Units per carton (1 = loose units).
    moq : int or array-like
        Minimum order quantity [units].

    Returns
    -------
    numpy.ndarray
        Whole units, 0 where no order; otherwise a multiple of ``case_pack`` and at least ``moq``.
    """
    quantity = np.asarray(quantity, dtype=float)
    pack = np.maximum(np.nan_to_num(np.asarray(case_pack, dtype=float), nan=1.0), 1.0)
    moq = np.maximum(np.nan_to_num(np.asarray(moq, dtype=float)), 0.0)
    wanted = np.maximum(np.ceil(quantity - 1e-9), moq)
    rounded = np.ceil(wanted / pack - 1e-9) * pack
    return np.where(quantity > 0, rounded, 0.0)


#: Ways :func:`order_levels` reads the service part (params ``replenishment.service_quantile``).
SERVICE_QUANTILES = ("normal", "negative_binomial", "larger_of_both")


def _service_part(service_quantile, *moments) -> np.ndarray:
    """Units covering the interval's demand at the service level, read as ``service_quantile``."""
    if service_quantile not in SERVICE_QUANTILES:
        raise ValueError(f"service_quantile must be one of {', '.join(SERVICE_QUANTILES)}, got "
                         f"{service_quantile!r} (params replenishment.service_quantile)")
    parts = []
    if service_quantile != "negative_binomial":
        parts.append(normal_demand_bound(*moments))
    if service_quantile != "normal":
        parts.append(protection_demand_quantile(*moments))
    return np.maximum.reduce(parts)


def order_levels(mean_path, variance_path, lead_mean_days, lead_cv, review_days, level_cv,
                 service_level, min_cover_days=None, target_cover_days=None,
                 max_cover_days=None, seasonal_factor=1.0, *, order_crossover: bool,
                 service_quantile: str, rate_window_days: float,
                 with_fill_rate: bool = True) -> pd.DataFrame:
    """Reorder point and order-up-to level per SKU from its forecast paths.

    The service part covers the demand over lead time + review period at ``service_level``
    (``service_quantile``: :func:`normal_demand_bound`, :func:`protection_demand_quantile` or
    the larger of the two). ``seasonal_factor`` (:func:`seasonal_lift`) scales the
    forecast paths first. The cover parts translate the operators' rules of thumb
    into the same inventory-position terms, with ``rate`` the mean daily forecast over the
    review period plus ``rate_window_days`` after arrival:
    the reorder point keeps at least ``min_cover_days`` of expected stock at the end of the
    interval (Amazon's low-inventory-fee floor), the order-up-to level lands at least
    ``target_cover_days`` of cover at arrival, and neither level plans more than
    ``max_cover_days`` of cover at arrival (the excess line), even where the service part asks
    for more: such a SKU would be overstocked on arrival, and the plan could not call it both
    "reorder" and "above max cover".

    Parameters
    ----------
    mean_path, variance_path : numpy.ndarray
        Daily forecast mean and variance, shape (n_skus, horizon).
    lead_mean_days, lead_cv : array-like
        Lead-time mean [days] and coefficient of variation [fraction] per SKU.
    review_days : float or array-like
        Review period [days].
    level_cv : float or array-like
        Level uncertainty [fraction].
    service_level : float or array-like
        Target cycle service level [fraction].
    min_cover_days, target_cover_days, max_cover_days : float or array-like, optional
        Cover rules [days] (params ``replenishment``); None: the rule does not apply.
    seasonal_factor : float or array-like
        Factor on the mean path per SKU [ratio] (variance: :func:`lifted_variance`).
    order_crossover : bool
        Orders have independent lead times and may overtake each other: use the effective
        lead-time variability (:func:`effective_lead_time_cv`) instead of one order's.
    service_quantile : {"normal", "negative_binomial", "larger_of_both"}
        How the service part reads the demand distribution (params
        ``replenishment.service_quantile``): ``mean + z sigma`` of its moments
        (:func:`normal_demand_bound`), the negative binomial mixture's cycle quantile
        (:func:`protection_demand_quantile`), or the larger of the two.
    rate_window_days : float
        Days whose mean forecast is the daily rate the cover rules multiply [days] (params
        ``replenishment.rate_window_days``).
    with_fill_rate : bool
        False: ``expected_fill_rate`` is not worked out (NaN); the policy replay reads only the
        levels, and the fill rate costs as much as the reorder point.

    Returns
    -------
    pandas.DataFrame
        One row per SKU (positional index): ``reorder_point``, ``order_up_to``,
        ``safety_stock`` (the service part above the expected demand over lead time + review,
        within the excess line) [units], ``lead_time_demand``, ``protection_demand`` (expected demand
        over the lead time and over lead time + review) [units], ``daily_rate`` [units per day],
        ``lead_time_days`` (mean) [days], ``expected_fill_rate`` (share of demand served at
        ``order_up_to``, :func:`expected_fill_rate`) [fraction].
    """
    mean_path = np.nan_to_num(np.asarray(mean_path, dtype=float))
    n_skus = mean_path.shape[0]
    factor = np.broadcast_to(np.asarray(seasonal_factor, dtype=float), (n_skus,))[:, None]
    variance_path = lifted_variance(mean_path, variance_path, factor)
    mean_path = mean_path * factor
    lead_mean = np.broadcast_to(np.asarray(lead_mean_days, dtype=float), (n_skus,))
    review = np.broadcast_to(np.asarray(review_days, dtype=float), (n_skus,))
    if order_crossover:
        lead_cv = effective_lead_time_cv(lead_mean, lead_cv, review)
    lead_days, probability = lead_time_distribution(lead_mean, lead_cv)
    service = _service_part(service_quantile, mean_path, variance_path, lead_days, probability,
                            review, level_cv, service_level)
    during_lead = protection_demand_mean(mean_path, lead_days, probability, 0.0)
    during_interval = protection_demand_mean(mean_path, lead_days, probability, review)
    after = protection_demand_mean(mean_path, lead_days, probability, review + rate_window_days)
    rate = np.maximum(after - during_lead, 0.0) / (review + rate_window_days)

    def cover(days, absent):
        return np.broadcast_to(np.asarray(absent if days is None else days, dtype=float),
                               (n_skus,))

    min_cover, target_cover = cover(min_cover_days, 0.0), cover(target_cover_days, 0.0)
    max_cover = cover(max_cover_days, np.inf)
    cap = np.where(np.isfinite(max_cover), np.ceil(during_lead + rate * np.where(
        np.isfinite(max_cover), max_cover, 0.0)), np.inf)
    # the excess line caps the reorder point too: a slow, lumpy SKU whose service quantile lies
    # beyond it gets a lower service level, not stock that is overstocked (and ages) on arrival
    reorder_point = np.minimum(np.maximum(service, np.ceil(during_interval + rate * min_cover)),
                               cap)
    order_up_to = np.maximum(reorder_point,
                             np.minimum(np.ceil(during_lead + rate * target_cover), cap))
    fill = (expected_fill_rate(mean_path, variance_path, lead_days, probability, review,
                               level_cv, order_up_to) if with_fill_rate
            else np.full(n_skus, np.nan))
    return pd.DataFrame({
        "reorder_point": reorder_point,
        "order_up_to": order_up_to,
        "safety_stock": np.maximum(np.minimum(service, cap) - during_interval, 0.0),
        "lead_time_demand": during_lead,
        "protection_demand": during_interval,
        "daily_rate": rate,
        "lead_time_days": lead_mean,
        "expected_fill_rate": fill,
    })

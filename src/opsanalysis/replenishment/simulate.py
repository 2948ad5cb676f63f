"""Day-by-day inventory simulator for any replenishment policy, vectorised across SKUs.

Each simulated day: arrivals due today are received; on review days the policy gives a reorder
point ``s`` and an order-up-to level ``S`` per SKU and an order of ``S - position`` (rounded to
case packs / MOQ) is placed when the inventory position is at or below ``s``, arriving after a
random lead time (gamma, whole days); then the day's demand is served from stock and what cannot
be served is lost (lost sales, no backorders). Ages follow Amazon's FIFO rule: with first-in
first-out sales the units still on hand are the most recent receipts, so the units older than
``a`` days are ``max(0, on_hand - receipts of the last a days)``.

Policies see the true past demand (as if stockout censoring were perfectly undone by
:mod:`opsanalysis.demand`), identically for every policy; stockouts affect service, not
information.

Stable API: ``simulate(history, policy, settings)``, ``simulation_summary``, the policy
constructors and :class:`Policy`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from opsanalysis import fees as fees_module
from opsanalysis.replenishment import policy as policy_maths
from opsanalysis.replenishment.orders import planning_forecast_params

__all__ = [
    "SIMULATION_KEYS",
    "Policy",
    "compare_policies",
    "demand_for_replay",
    "fixed_cover_policy",
    "forecast_policy",
    "forecast_policy_options",
    "rolling_forecasts",
    "rule_of_thumb_policy",
    "simulate",
    "simulation_summary",
]


@dataclass
class Policy:
    """A replenishment policy for the simulator.

    Attributes
    ----------
    name : str
        Label in result tables.
    levels : callable
        ``levels(day, demand, context) -> (reorder_point, order_up_to)``: ``day`` is the index of
        the decision day in ``context["dates"]``, ``demand`` the true demand matrix of the days
        before it (SKU x day) [units], ``context`` holds ``ids``, ``dates``, ``lead_time_days``,
        ``lead_time_cv``, ``review_period_days`` (per-SKU arrays) and, from :func:`simulate`,
        ``demand_key`` (a digest of the whole demand matrix: policies sharing forecast paths
        compute what does not depend on their service level once). Returns two arrays [units,
        inventory-position terms].
    refresh_days : int
        Levels are recomputed on the first review on or after every ``refresh_days`` days and
        reused in between [days].
    parameters : dict
        Description shown in results (service target, cover days ...).
    """

    name: str
    levels: Callable
    refresh_days: int = 7
    parameters: dict = field(default_factory=dict)


def _velocity(demand: np.ndarray, window: int) -> np.ndarray:
    recent = demand[:, -window:]
    if recent.shape[1] == 0:
        return np.zeros(demand.shape[0])
    return np.nan_to_num(np.nanmean(recent, axis=1))


def rule_of_thumb_policy(*, reorder_cover_extra_days: float, order_up_to_extra_days: float,
                         velocity_window_days: int) -> Policy:
    """The peer-tool rule: when cover < lead time + a days, order up to velocity x (LT + b).

    Parameters
    ----------
    reorder_cover_extra_days, order_up_to_extra_days : float
        Days added to the lead time, ``a`` and ``b`` [days] (params
        ``replenishment.rule_of_thumb``: 30 and 45).
    velocity_window_days : int
        Trailing average window of the velocity [days] (params
        ``replenishment.velocity_window_days``).
    """
    def levels(day, demand, context):
        velocity = _velocity(demand, velocity_window_days)
        lead = context["lead_time_days"]
        return velocity * (lead + reorder_cover_extra_days), velocity * (lead + order_up_to_extra_days)

    return Policy("rule_of_thumb", levels, 7, {"reorder_extra": reorder_cover_extra_days,
                                               "order_up_to_extra": order_up_to_extra_days})


def fixed_cover_policy(cover_days: float, *, velocity_window_days: int) -> Policy:
    """Keep a fixed number of days of cover beyond the lead time: order up to velocity x (LT + d).

    Parameters
    ----------
    cover_days : float
        Days of cover [days] (params ``replenishment.fixed_cover_days``).
    velocity_window_days : int
        Trailing average window of the velocity [days] (params
        ``replenishment.velocity_window_days``).
    """
    def levels(day, demand, context):
        target = _velocity(demand, velocity_window_days) * (context["lead_time_days"] + cover_days)
        return target, target

    return Policy(f"fixed_cover_{int(cover_days)}", levels, 7, {"cover_days": cover_days})


def rolling_forecasts(history: pd.DataFrame, origins, horizon: int, method: str | None = None,
                      quantiles=None, freq: str | None = None, *, params: dict) -> pd.DataFrame:
    """Forecasts made at several origins, for the simulator's forecast-based policies.

    Parameters
    ----------
    history : pandas.DataFrame
        Long ``unique_id, ds, y`` at any regular frequency.
    origins : sequence of date-like
        Last date of data each forecast may use.
    horizon : int
        Periods ahead [periods].
    method, quantiles, freq, params
        Passed to :func:`opsanalysis.forecast.predict` (``params`` required; ``None`` method and
        quantiles: params ``forecast.method`` and ``forecast.quantiles``).

    Returns
    -------
    pandas.DataFrame
        ``origin, unique_id, ds, forecast, q..``.
    """
    from opsanalysis import forecast

    frames = []
    for origin in pd.to_datetime(list(origins)):
        cut = history[history["ds"] <= origin]
        predicted = forecast.predict(cut, horizon, method=method, quantiles=quantiles,
                                     params=params, freq=freq)
        frames.append(predicted.assign(origin=origin))
    out = pd.concat(frames, ignore_index=True)
    return out[["origin", *[c for c in out.columns if c != "origin"]]]


class _ForecastPaths:
    """Rolling forecasts as dense (SKU x period) matrices per origin and column, built once.

    A forecast policy reads a daily path at every level refresh and, for its own level errors,
    one per earlier origin (~50 refreshes x ~14 origins in a year's replay): pivoting the long
    frame for each read took most of a policy comparison. Each matrix holds what
    ``pivot_table(aggfunc="sum")`` gave, missing and NaN cells 0; ``memo`` keeps results derived
    from them (see :func:`_own_level_cv`).
    """

    def __init__(self, forecasts: pd.DataFrame):
        origin = pd.DatetimeIndex(forecasts["origin"])
        self.origins = origin.unique().sort_values()
        self.forecasts = forecasts
        code = self.origins.get_indexer(origin)
        self._rows = {o: np.flatnonzero(code == i) for i, o in enumerate(self.origins)}
        self._ds = forecasts["ds"].to_numpy()
        self._sku = {}  # position of each forecast row's unique_id in the replay's ids
        self._periods = {}
        self._wide = {}
        self.memo = {}

    def periods(self, origin) -> np.ndarray:
        """Sorted forecast period dates of ``origin``."""
        if origin not in self._periods:
            self._periods[origin] = np.sort(pd.unique(self._ds[self._rows[origin]]))
        return self._periods[origin]

    def _matrix(self, origin, ids, column) -> np.ndarray:
        ids_key = tuple(ids)
        key = (origin, column, ids_key)
        if key not in self._wide:
            if ids_key not in self._sku:
                self._sku[ids_key] = pd.Index(ids).get_indexer(self.forecasts["unique_id"])
            rows = self._rows[origin]
            periods = self.periods(origin)
            sku = self._sku[ids_key][rows]
            period = np.searchsorted(periods, self._ds[rows])
            values = np.nan_to_num(self.forecasts[column].to_numpy(dtype=float)[rows])
            wide = np.zeros((len(ids), len(periods)))
            keep = sku >= 0  # forecasts of SKUs outside the replay are not read
            np.add.at(wide, (sku[keep], period[keep]), values[keep])
            self._wide[key] = wide
        return self._wide[key]

    def daily(self, origin, ids, start, horizon: int, period_days: float, columns):
        """Daily rate paths (SKU x day) from the forecast made at ``origin``, periods spread
        evenly."""
        periods = self.periods(origin)
        day_dates = pd.date_range(start, periods=horizon, freq="D")
        # the period each day falls in (the last period start on or before it)
        index = np.searchsorted(pd.DatetimeIndex(periods).to_numpy(), day_dates.to_numpy(),
                                side="right") - 1
        index = np.clip(index, 0, len(periods) - 1)
        return [self._matrix(origin, ids, column)[:, index] / period_days for column in columns]


def forecast_policy(forecasts: pd.DataFrame, service_level: float, distribution: str = "ours",
                    period_days: float = 1.0, *, quantile: float, velocity_window_days: int,
                    rate_window_days: float, seasonal: dict | None, order_crossover: bool,
                    service_quantile: str, daily_dispersion: bool,
                    min_cover_days: float | None = None,
                    target_cover_days: float | None = None,
                    max_cover_days: float | None = None, name: str | None = None,
                    level_uncertainty: bool = True, pooled_level: bool = True) -> Policy:
    """Order-up-to policy on forecasts made at rolling origins.

    ``distribution="ours"``: levels from :func:`opsanalysis.replenishment.policy.order_levels`
    (demand over lead time + review period from the forecast mean and its ``quantile`` column,
    read as ``service_quantile``; level uncertainty from the policy's own past interval errors,
    random lead time; optionally order crossover and the seasonal lift).
    ``distribution="normal"``: the textbook policy, ``S = mean demand over (L + R) + z x
    sqrt((L + R) sigma_d^2 + rate^2 var(L))`` with ``sigma_d`` from a ``sigma`` column (the
    forecast's one-period residual standard deviation, scaled to a day by
    ``sqrt(period_days)``), and ``s = S``.

    Parameters
    ----------
    forecasts : pandas.DataFrame
        ``origin, unique_id, ds, forecast`` plus ``q<level>`` (ours) or ``sigma`` (normal) per
        period [units per period].
    service_level : float
        Target cycle service level [fraction].
    distribution : {"ours", "normal"}
    period_days : float
        Days per forecast period (1 daily, 7 weekly, 30.4375 monthly) [days].
    quantile : float
        Level of the quantile column read by "ours" [fraction] (params
        ``replenishment.forecast_quantile``).
    velocity_window_days : int
        Trailing window of the level-uncertainty check [days].
    rate_window_days : float
        Rate window of the cover rules
        (:func:`~opsanalysis.replenishment.policy.order_levels`) [days].
    seasonal : dict or None
        Keyword arguments of :func:`~opsanalysis.replenishment.policy.seasonal_lift`
        (params ``replenishment.seasonal_lift``) for "ours"; None: no year-over-year lift.
    order_crossover : bool
        "ours": lead times are independent per order, so orders cross
        (:func:`~opsanalysis.replenishment.policy.effective_lead_time_cv`), as in
        :func:`simulate`.
    service_quantile : {"normal", "negative_binomial", "larger_of_both"}
        "ours": how the service part reads the demand distribution
        (:func:`~opsanalysis.replenishment.policy.order_levels`).
    daily_dispersion : bool
        "ours": the daily noise is at least the SKU's own variance-to-mean ratio of daily demand
        (:func:`~opsanalysis.replenishment.policy.daily_dispersion`, blocks of
        ``rate_window_days``; a forecast period longer than a week reads whole periods) times
        the forecast, and the level uncertainty is measured beyond it; False: Poisson.
    min_cover_days, target_cover_days, max_cover_days : float, optional
        Cover rules of :func:`~opsanalysis.replenishment.policy.order_levels` [days]; None: not
        applied (the policy comparison isolates the service maths).
    name : str, optional
        Default ``"ours"`` or ``"textbook"``.
    level_uncertainty : bool
        "ours": the level uncertainty of the policy's own past interval errors is applied
        (as in the plan); False only to measure its share (the benchmark's ablation).
    pooled_level : bool
        "ours": the level uncertainty is one value pooled over SKUs, both from the
        trailing-velocity check before its own forecasts have completed intervals
        (:func:`~opsanalysis.replenishment.policy.level_cv_from_history`, as in the plan) and
        from its own past interval errors after
        (:func:`~opsanalysis.replenishment.policy.level_cv_from_errors`); False (per SKU,
        shrunk with 4 pseudo-intervals: the check before 2026-12-02, the errors before
        2026-12-03) only for the benchmark's ablation.

    The keywords from ``velocity_window_days`` to ``daily_dispersion`` come from params
    ``replenishment`` through :func:`forecast_policy_options`.
    """
    return _forecast_policy(_ForecastPaths(forecasts), service_level, distribution, period_days,
                            quantile=quantile, velocity_window_days=velocity_window_days,
                            rate_window_days=rate_window_days, seasonal=seasonal,
                            order_crossover=order_crossover, service_quantile=service_quantile,
                            daily_dispersion=daily_dispersion, min_cover_days=min_cover_days,
                            target_cover_days=target_cover_days, max_cover_days=max_cover_days,
                            name=name, level_uncertainty=level_uncertainty,
                            pooled_level=pooled_level)


def _forecast_policy(paths, service_level, distribution, period_days, *, quantile,
                     velocity_window_days, rate_window_days, seasonal, order_crossover,
                     service_quantile, daily_dispersion, min_cover_days, target_cover_days,
                     max_cover_days, name, level_uncertainty, pooled_level) -> Policy:
    """:func:`forecast_policy` on :class:`_ForecastPaths` that several policies may share.

    Policies of one comparison share the paths of the same rolling forecasts: the dense
    matrices are built once, and so are the inputs of "ours" that do not depend on the service
    level (daily dispersion, seasonal lift, level uncertainty: :func:`_ours_inputs`), when the
    context names its demand (``demand_key``, set by :func:`simulate`).
    """
    forecasts = paths.forecasts
    origins = pd.DatetimeIndex(np.sort(forecasts["origin"].unique()))
    column = f"q{int(round(100 * quantile, 6))}"
    z = special.ndtri(service_level)

    def levels(day, demand, context):
        today = context["dates"][day]
        usable = origins[origins < today]
        origin = usable[-1] if len(usable) else origins[0]
        lead, cv = context["lead_time_days"], context["lead_time_cv"]
        review = context["review_period_days"]
        # lead time to 4 standard deviations, the review period and the rate window (+ 2 days)
        horizon = int(np.max(lead * (1 + 4 * cv) + review)) + int(rate_window_days) + 2
        start = origin + pd.Timedelta(days=1)
        skip = max((today - start).days, 0)  # days between the forecast's origin and today
        if distribution == "normal":
            mean, sigma = paths.daily(origin, context["ids"], start, horizon + skip, period_days,
                                      ["forecast", "sigma"])
            mean = mean[:, skip:]
            sigma_day = sigma[:, skip] * period_days / np.sqrt(period_days)
            cover = lead + review
            cum = np.cumsum(mean, axis=1)
            expected = policy_maths._cumulative_at(
                np.concatenate([np.zeros((len(mean), 1)), cum], axis=1), cover[:, None])[:, 0]
            rate = expected / cover
            spread = np.sqrt(cover * sigma_day**2 + rate**2 * (cv * lead) ** 2)
            target = expected + z * spread
            return target, target
        mean, upper = paths.daily(origin, context["ids"], start, horizon + skip, period_days,
                                  ["forecast", column])
        mean, upper = mean[:, skip:], upper[:, skip:]

        def inputs():
            dispersion = (policy_maths.daily_dispersion(demand, block_days=int(rate_window_days),
                                                        period_days=period_days)
                          if daily_dispersion else np.ones(len(mean)))
            lift = _lift(demand, mean, lead + review, seasonal)
            level_cv = (_own_level_cv(paths, origins, origin, demand, context, column, quantile,
                                      period_days, int(np.median(lead + review)),
                                      velocity_window_days, seasonal, dispersion,
                                      pooled_level=pooled_level)
                        if level_uncertainty else np.zeros(len(mean)))
            return dispersion, lift, level_cv

        settings = (day, demand.shape, origin, horizon, skip, column, quantile, period_days,
                    rate_window_days, daily_dispersion, repr(seasonal), velocity_window_days,
                    level_uncertainty, pooled_level)
        dispersion, lift, level_cv = _ours_inputs(paths, context, settings, inputs)
        variance = policy_maths.demand_variance_from_quantiles(mean, upper, quantile,
                                                               period_days, dispersion)
        result = policy_maths.order_levels(mean, variance, lead, cv, review, level_cv,
                                           service_level, min_cover_days, target_cover_days,
                                           max_cover_days, lift, order_crossover=order_crossover,
                                           service_quantile=service_quantile,
                                           rate_window_days=rate_window_days,
                                           with_fill_rate=False)
        return result["reorder_point"].to_numpy(), result["order_up_to"].to_numpy()

    default = "ours" if distribution == "ours" else "textbook"
    refresh = int(max(round(period_days), 7))
    return Policy(name or default, levels, refresh,
                  {"service_level": service_level, "distribution": distribution})


def forecast_policy_options(replenishment: dict) -> dict:
    """Keywords of :func:`forecast_policy` for ours from params ``replenishment``, as the plan.

    Parameters
    ----------
    replenishment : dict
        The ``replenishment`` section of loaded params (``order_crossover``, ``seasonal_lift``,
        ``service_quantile``, ``daily_dispersion``, ``velocity_window_days``,
        ``rate_window_days``).

    Returns
    -------
    dict
        ``order_crossover``, ``seasonal``, ``service_quantile``, ``daily_dispersion``,
        ``velocity_window_days`` and ``rate_window_days``.
    """
    return {"order_crossover": bool(replenishment["order_crossover"]),
            "seasonal": dict(replenishment["seasonal_lift"]),
            "service_quantile": str(replenishment["service_quantile"]),
            "daily_dispersion": bool(replenishment["daily_dispersion"]),
            "velocity_window_days": int(replenishment["velocity_window_days"]),
            "rate_window_days": replenishment["rate_window_days"]}


def _lift(demand, mean, interval_days, seasonal):
    """:func:`~opsanalysis.replenishment.policy.seasonal_lift` of a daily mean path, or 1."""
    if seasonal is None:
        return np.ones(len(mean))
    cum = np.concatenate([np.zeros((len(mean), 1)), np.cumsum(mean, axis=1)], axis=1)
    interval = np.broadcast_to(np.asarray(interval_days, dtype=float), (len(mean),))
    expected = policy_maths._cumulative_at(cum, interval[:, None])[:, 0]
    return policy_maths.seasonal_lift(demand, expected, interval, **seasonal)


def _context_key(context) -> tuple:
    """What of a simulation context the levels depend on besides the demand: SKUs, dates, lead
    times and review periods."""
    arrays = (context["lead_time_days"], context["lead_time_cv"], context["review_period_days"])
    return (tuple(context["ids"]), context["dates"][0], len(context["dates"]),
            *(np.ascontiguousarray(a, dtype=float).tobytes() for a in arrays))


def _ours_inputs(paths, context, settings: tuple, compute):
    """Daily dispersion, seasonal lift and level uncertainty of "ours" on a decision day,
    computed once for the policies of one comparison (they differ only in service level).

    Kept in ``paths.memo`` under the demand the context names (``demand_key``: a digest of the
    whole demand matrix, set by :func:`simulate`; the demand before the day is part of it) and
    ``settings`` (the day and every option the inputs depend on); without ``demand_key`` they
    are computed every time.
    """
    demand_key = context.get("demand_key")
    if demand_key is None:
        return compute()
    key = ("ours_inputs", demand_key, _context_key(context), settings)
    if key not in paths.memo:
        paths.memo[key] = compute()
    return paths.memo[key]


def _interval_error(paths, origin, begin, demand, ids, column, quantile, period_days, interval,
                    seasonal, dispersion):
    """Demand, lifted forecast and noise variance over ``interval`` days after ``origin``."""
    mean, upper = paths.daily(origin, ids, origin + pd.Timedelta(days=1), interval, period_days,
                              ["forecast", column])
    variance = policy_maths.demand_variance_from_quantiles(mean, upper, quantile, period_days,
                                                           dispersion)
    lift = _lift(demand[:, :begin], mean, float(interval), seasonal)
    return (demand[:, begin:begin + interval].sum(axis=1), mean.sum(axis=1) * lift,
            policy_maths.lifted_variance(mean, variance, lift[:, None]).sum(axis=1))


#: Pseudo-intervals of the pooled value in the per-SKU level uncertainty: only the benchmark's
#: ablation (``pooled_level=False``) reproduces the per-SKU estimates (the velocity check's
#: before 2026-12-02, the own errors' before 2026-12-03).
_PER_SKU_PRIOR_INTERVALS = 4.0


def _own_level_cv(paths, origins, current, demand, context, column, quantile, period_days,
                  interval, velocity_window_days, seasonal=None, dispersion=1.0,
                  min_intervals: int = 2, *, pooled_level: bool):
    """Level uncertainty from the policy's own past forecasts over completed intervals.

    Each earlier origin's forecast of the next ``interval`` days is compared with the demand that
    followed (the errors this forecast method really makes, trend and season included). With
    fewer than ``min_intervals`` completed intervals, the trailing-velocity check of
    :func:`~opsanalysis.replenishment.policy.level_cv_from_history` is used. Both are pooled
    over SKUs (``pooled_level``; False: per SKU, the benchmark's ablation): a SKU has a handful
    of overlapping intervals, so its own estimate is mostly sampling error, and per SKU it put
    stock where it bought less fill than the textbook policy's (benchmarks/results/
    replenishment.md, Ablation). With
    ``seasonal``, past forecasts are lifted as today's are, so a season the lift already covers
    is not counted again as level uncertainty. ``dispersion`` (per SKU, or 1: Poisson) is the
    daily noise the errors are measured beyond.
    """
    prior_weight = np.inf if pooled_level else _PER_SKU_PRIOR_INTERVALS
    n_days = demand.shape[1]
    dispersion = np.broadcast_to(np.asarray(dispersion, dtype=float), (demand.shape[0],))
    dispersion_key = hashlib.blake2b(np.ascontiguousarray(dispersion)).hexdigest()
    dates = context["dates"]
    actual, predicted, noise = [], [], []
    for origin in origins[origins < current]:
        begin = dates.searchsorted(origin + pd.Timedelta(days=1))
        if begin + interval > n_days:
            continue
        # an earlier origin's errors do not change as the replay goes on: computed once per
        # demand seen up to the end of its interval (a prefix of the demand the context names)
        seen = ((context["demand_key"], begin + interval) if "demand_key" in context else
                hashlib.blake2b(np.ascontiguousarray(demand[:, :begin + interval])).hexdigest())
        key = ("level_error", origin, begin, interval, tuple(context["ids"]), column, quantile,
               period_days, repr(seasonal), seen, dispersion_key)
        if key not in paths.memo:
            paths.memo[key] = _interval_error(paths, origin, begin, demand, context["ids"],
                                              column, quantile, period_days, interval, seasonal,
                                              dispersion)
        for out, value in zip((actual, predicted, noise), paths.memo[key], strict=True):
            out.append(value)
    if len(actual) < min_intervals:
        return policy_maths.level_cv_from_history(demand, interval,
                                                  window_days=velocity_window_days,
                                                  prior_weight=prior_weight,
                                                  dispersion=dispersion)
    return policy_maths.level_cv_from_errors(np.stack(actual, axis=1),
                                             np.stack(predicted, axis=1),
                                             np.stack(noise, axis=1), prior_weight=prior_weight)


#: Settings :func:`simulate` requires (values from params ``replenishment``, e.g. as
#: :func:`~opsanalysis.replenishment.plan_policy_comparison` builds them).
SIMULATION_KEYS = (
    "lead_time_days",       # mean [days]
    "lead_time_cv",         # [fraction]
    "review_period_days",   # [days]
    "unit_volume_cuft",     # [cubic feet]
    "storage_type",
    "fees",                 # loaded params (or their fees section) for storage / aged costs; None: no costs
    "aged_days",            # [days]
    "seed",                 # of the random lead times
)
#: Optional: the first simulated date (None: after the first half of the history) and the
#: product data case pack and MOQ (absent: loose units, no minimum).
_OPTIONAL = {"start": None, "case_pack": 1, "moq": 0}


def _settings(settings: dict) -> dict:
    missing = [key for key in SIMULATION_KEYS if key not in (settings or {})]
    if missing:
        raise ValueError(f"simulate settings lack {missing} (see SIMULATION_KEYS)")
    out = {**_OPTIONAL, **settings}
    if out["lead_time_days"] is None:
        raise ValueError("simulate needs settings['lead_time_days'] [days]")
    fees = out["fees"]
    # Amazon's monthly aged-inventory snapshot day (params fees.aged_inventory_snapshot_day)
    out["aged_snapshot_day"] = None if fees is None else \
        int(fees.get("fees", fees)["aged_inventory_snapshot_day"])
    return out


def _demand_matrix(history: pd.DataFrame):
    history = history[["unique_id", "ds", "y"]].copy()
    history["ds"] = pd.to_datetime(history["ds"])
    dates = pd.date_range(history["ds"].min(), history["ds"].max(), freq="D")
    wide = history.pivot_table(index="unique_id", columns="ds", values="y", aggfunc="sum")
    wide = wide.reindex(columns=dates)
    return wide.index, dates, np.nan_to_num(wide.to_numpy(dtype=float))


def _fee_rates(settings: dict, dates: pd.DatetimeIndex, n_skus: int):
    """Daily storage cost per unit (SKU x day) and the aged-surcharge schedule per day."""
    params = settings["fees"]
    volume = np.broadcast_to(np.asarray(settings["unit_volume_cuft"], dtype=float), (n_skus,))
    # a day without a fee table in force has an unknown rate (NaN), never a free one
    if params is None:
        return np.full((n_skus, len(dates)), np.nan), lambda date: None, volume
    kinds = np.broadcast_to(np.asarray(settings["storage_type"], dtype=object), (n_skus,))
    daily = np.full((n_skus, len(dates)), np.nan)
    for month in dates.to_period("M").unique():
        inside = dates.to_period("M") == month
        schedule = fees_module.fee_schedule(params, month.to_timestamp())
        cost = fees_module.storage_cost(1.0, volume[:, None], kinds[:, None],
                                        dates[inside][:1], schedule)
        daily[:, inside] = cost
    return daily, lambda date: fees_module.fee_schedule(params, date), volume


def simulate(history: pd.DataFrame, policy: Policy | str, settings: dict) -> pd.DataFrame:
    """Replay a demand history under a policy, day by day, and measure service and cost.

    Parameters
    ----------
    history : pandas.DataFrame
        Long daily ``unique_id, ds, y``: the true demand replayed [units per day] (missing = 0).
    policy : Policy or str
        A :class:`Policy`, or ``"rule_of_thumb"``, ``"fixed_cover_<days>"`` (these need
        ``velocity_window_days`` and, for the rule of thumb, ``rule_of_thumb`` (params
        ``replenishment.rule_of_thumb``) in ``settings``).
    settings : dict
        Every key of :data:`SIMULATION_KEYS`, optionally ``start``, ``case_pack`` and ``moq``;
        per-SKU values may be arrays in the SKU order of the sorted ``unique_id``.

    Returns
    -------
    pandas.DataFrame
        One row per SKU: ``unique_id, policy, demand, served, lost`` [units], ``fill_rate``,
        ``cycle_service_level`` (share of review cycles with demand and no lost sale)
        [fraction], ``cycles`` [count], ``stockout_days`` [days], ``avg_on_hand`` [units],
        ``avg_daily_demand`` [units per day], ``avg_on_hand_days`` [days],
        ``aged_units`` (mean daily units older than ``aged_days``) [units],
        ``storage_cost``, ``aged_cost`` [currency], ``orders`` [count]. Use
        :func:`simulation_summary` for the pooled figures.
    """
    return _simulate_matrix(_replay_matrix(history), policy, _settings(settings))


def _replay_matrix(history: pd.DataFrame) -> tuple:
    """SKUs, dates and the demand matrix of a replay (:func:`_demand_matrix`) and its digest
    (``demand_key`` of the policies' context: decisions on the same demand are computed once,
    :func:`_ours_inputs`)."""
    ids, dates, demand = _demand_matrix(history)
    digest = hashlib.blake2b(np.ascontiguousarray(demand))
    digest.update(np.asarray(dates.asi8).tobytes())
    digest.update("\x1f".join(map(str, ids)).encode())
    return ids, dates, demand, digest.hexdigest()


def _simulate_matrix(matrix: tuple, policy, settings: dict, fee_rates=None) -> pd.DataFrame:
    """:func:`simulate` on a :func:`_replay_matrix` with checked settings; ``fee_rates``
    (:func:`_fee_rates` of the same dates and settings) when already known."""
    if isinstance(policy, str):
        policy = _named_policy(policy, settings)
    ids, dates, demand, demand_key = matrix
    n_skus, n_days = demand.shape
    start = (dates.searchsorted(pd.Timestamp(settings["start"])) if settings["start"] is not None
             else n_days // 2)
    context = {
        "ids": ids, "dates": dates,
        "lead_time_days": np.broadcast_to(np.asarray(settings["lead_time_days"], float),
                                          (n_skus,)).copy(),
        "lead_time_cv": np.broadcast_to(np.asarray(settings["lead_time_cv"], float),
                                        (n_skus,)).copy(),
        "review_period_days": np.broadcast_to(np.asarray(settings["review_period_days"], float),
                                              (n_skus,)).copy(),
        "demand_key": demand_key,
    }
    state = _run(demand, start, policy, context, settings, dates, fee_rates)
    return _metrics(state, ids, policy, demand[:, start:], int(context["review_period_days"][0]))


def _named_policy(name: str, settings: dict) -> Policy:
    needed = ["velocity_window_days"] + (["rule_of_thumb"] if name == "rule_of_thumb" else [])
    missing = [key for key in needed if key not in settings]
    if missing and (name == "rule_of_thumb" or name.startswith("fixed_cover_")):
        raise ValueError(f"policy {name!r} needs settings {missing} (params replenishment)")
    if name == "rule_of_thumb":
        return rule_of_thumb_policy(**settings["rule_of_thumb"],
                                    velocity_window_days=settings["velocity_window_days"])
    if name.startswith("fixed_cover_"):
        return fixed_cover_policy(float(name.rsplit("_", 1)[1]),
                                  velocity_window_days=settings["velocity_window_days"])
    raise ValueError(f"unknown policy {name!r}: use a Policy, 'rule_of_thumb' or "
                     "'fixed_cover_<days>'")


def _lead_times(rng, mean, cv) -> np.ndarray:
    shape = np.where(cv > 0, 1.0 / np.maximum(cv, 1e-9) ** 2, 1.0)
    draws = np.where(cv > 0, rng.gamma(shape, mean / shape), mean)
    return np.maximum(np.rint(draws), 1).astype(int)


def _run(demand, start, policy, context, settings, dates, fee_rates=None):
    n_skus, n_days = demand.shape
    rng = np.random.default_rng(settings["seed"])
    review = int(context["review_period_days"][0])
    horizon = n_days - start
    max_lead = int(np.max(context["lead_time_days"] * (1 + 10 * context["lead_time_cv"]))) + 2
    arrivals = np.zeros((n_skus, n_days + max_lead + 1))
    receipts = np.zeros((n_skus, n_days + 1))
    on_hand_end = np.zeros((n_skus, horizon))
    lost = np.zeros((n_skus, horizon))
    out_of_stock = np.zeros((n_skus, horizon), dtype=bool)
    storage_daily, schedule_on, volume = (_fee_rates(settings, dates, n_skus)
                                          if fee_rates is None else fee_rates)
    aged_cost = np.zeros(n_skus)
    aged_units = np.zeros((n_skus, horizon))
    orders = np.zeros(n_skus)
    pipeline = np.zeros(n_skus)
    s_level, big_s = policy.levels(start, demand[:, :start], context)
    on_hand = np.ceil(np.maximum(big_s, 0.0))
    receipts[:, start] = on_hand  # opening stock counts as received on the first day
    last_refresh = start
    for day in range(start, n_days):
        on_hand += arrivals[:, day]
        pipeline -= arrivals[:, day]
        receipts[:, day] += arrivals[:, day]
        if (day - start) % review == 0:
            if day - last_refresh >= policy.refresh_days:
                s_level, big_s = policy.levels(day, demand[:, :day], context)
                last_refresh = day
            position = on_hand + pipeline
            raw = np.where(position <= s_level, big_s - position, 0.0)
            qty = policy_maths.round_order_quantity(raw, settings["case_pack"], settings["moq"])
            lead = _lead_times(rng, context["lead_time_days"], context["lead_time_cv"])
            np.add.at(arrivals, (np.arange(n_skus), day + np.minimum(lead, max_lead)), qty)
            pipeline += qty
            orders += qty > 0
        index = day - start
        out_of_stock[:, index] = on_hand <= 0
        served = np.minimum(on_hand, demand[:, day])
        lost[:, index] = demand[:, day] - served
        on_hand -= served
        on_hand_end[:, index] = on_hand
        recent = receipts[:, max(day - settings["aged_days"] + 1, 0):day + 1].sum(axis=1)
        aged_units[:, index] = np.maximum(on_hand - recent, 0.0)
        if dates[day].day == settings["aged_snapshot_day"]:
            aged_cost += _aged_snapshot(on_hand, receipts[:, :day + 1], volume,
                                        schedule_on(dates[day]))
    # stock held at an unknown rate leaves the storage cost unknown; no stock costs nothing
    storage = np.where(on_hand_end > 0, on_hand_end * storage_daily[:, start:], 0.0).sum(axis=1)
    return {"on_hand": on_hand_end, "lost": lost, "out_of_stock": out_of_stock,
            "aged_units": aged_units, "aged_cost": aged_cost, "storage": storage,
            "orders": orders}


def _aged_snapshot(on_hand, receipts, volume, schedule) -> np.ndarray:
    """Aged surcharge at a snapshot: FIFO ages from the receipts history (newest stock kept).

    Unknown (NaN), never 0, when no fee table or one without surcharge tiers is in force."""
    if schedule is None or not schedule.get("aged_inventory_surcharge"):
        return np.full(len(on_hand), np.nan)
    tiers = sorted(t["min_age_days"] for t in schedule["aged_inventory_surcharge"])
    newest_first = np.cumsum(receipts[:, ::-1], axis=1)
    total = np.zeros(len(on_hand))
    bounds = [*tiers, None]
    for low, high in zip(bounds[:-1], bounds[1:], strict=True):
        def older_than(age):
            kept = newest_first[:, age - 1] if age - 1 < newest_first.shape[1] else \
                newest_first[:, -1]
            return np.maximum(on_hand - kept, 0.0)
        units = older_than(low) - (older_than(high) if high is not None else 0.0)
        per_unit = fees_module.aged_surcharge_per_unit(low, volume, schedule)
        total += units * per_unit
    return total


def _metrics(state, ids, policy, demand, review) -> pd.DataFrame:
    served = demand - state["lost"]
    n_days = demand.shape[1]
    cycles = np.arange(n_days) // review
    n_cycles = cycles.max() + 1
    by_cycle_demand = np.zeros((len(ids), n_cycles))
    by_cycle_lost = np.zeros((len(ids), n_cycles))
    np.add.at(by_cycle_demand.T, cycles, demand.T)
    np.add.at(by_cycle_lost.T, cycles, state["lost"].T)
    with_demand = by_cycle_demand > 0
    ok = with_demand & (by_cycle_lost <= 1e-9)
    total_demand = demand.sum(axis=1)
    avg_demand = total_demand / n_days
    avg_on_hand = state["on_hand"].mean(axis=1)
    out = pd.DataFrame({
        "unique_id": ids.to_numpy(),
        "policy": policy.name,
        "demand": total_demand,
        "served": served.sum(axis=1),
        "lost": state["lost"].sum(axis=1),
        "fill_rate": np.divide(served.sum(axis=1), total_demand,
                               out=np.full(len(ids), np.nan), where=total_demand > 0),
        "cycle_service_level": np.divide(ok.sum(axis=1), with_demand.sum(axis=1),
                                         out=np.full(len(ids), np.nan),
                                         where=with_demand.sum(axis=1) > 0),
        "cycles": with_demand.sum(axis=1),
        "stockout_days": (state["out_of_stock"] | (state["lost"] > 0)).sum(axis=1),
        "avg_on_hand": avg_on_hand,
        "avg_daily_demand": avg_demand,
        "avg_on_hand_days": np.divide(avg_on_hand, avg_demand, out=np.full(len(ids), np.nan),
                                      where=avg_demand > 0),
        "aged_units": state["aged_units"].mean(axis=1),
        "storage_cost": state["storage"],
        "aged_cost": state["aged_cost"],
        "orders": state["orders"],
    })
    for column in ("cycles", "stockout_days", "orders"):
        out[column] = out[column].astype("Int64")
    return out


def simulation_summary(results: pd.DataFrame) -> pd.DataFrame:
    """Pooled figures per policy from :func:`simulate` rows.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``policy``: ``fill_rate`` (units served / demanded), ``cycle_service_level``
        (pooled over cycles) [fraction], ``stockout_days`` (mean per SKU) [days],
        ``avg_on_hand_days`` (total average on hand / total average daily demand) [days],
        ``aged_units`` [units], ``storage_cost``, ``aged_cost``, ``total_cost`` [currency],
        ``skus`` [count].
    """
    ok = results["cycle_service_level"].astype(float) * results["cycles"].astype(float)
    frame = results.assign(ok_cycles=ok.fillna(0))
    grouped = frame.groupby("policy", sort=False)
    summary = pd.DataFrame({
        "fill_rate": grouped["served"].sum() / grouped["demand"].sum(),
        "cycle_service_level": grouped["ok_cycles"].sum() / grouped["cycles"].sum().astype(float),
        "stockout_days": grouped["stockout_days"].mean().astype(float),
        "avg_on_hand_days": grouped["avg_on_hand"].sum() / grouped["avg_daily_demand"].sum(),
        "aged_units": grouped["aged_units"].sum(),
        "storage_cost": grouped["storage_cost"].agg(lambda costs: costs.sum(skipna=False)),
        # an unknown fee of one SKU leaves the policy's cost unknown, never 0
        "aged_cost": grouped["aged_cost"].agg(lambda costs: costs.sum(skipna=False)),
        "skus": grouped.size().astype("Int64"),
    })
    summary["total_cost"] = summary["storage_cost"] + summary["aged_cost"]
    return summary


def demand_for_replay(history: pd.DataFrame, window_days: int) -> pd.DataFrame:
    """Daily demand to replay in a simulation: censored days filled with the trailing mean.

    Parameters
    ----------
    history : pandas.DataFrame
        Long ``unique_id, ds, y`` with NaN on censored days (:func:`opsanalysis.demand.build_panel`).
    window_days : int
        Trailing window of observed days averaged into a censored day [days] (the plan uses
        params ``replenishment.velocity_window_days``).

    Returns
    -------
    pandas.DataFrame
        ``unique_id, ds, y`` without missing values [units per day].
    """
    frame = history[["unique_id", "ds", "y"]].sort_values(["unique_id", "ds"]).copy()
    trailing = frame.groupby("unique_id")["y"].transform(
        lambda y: y.shift(1).rolling(window_days, min_periods=1).mean())
    frame["y"] = frame["y"].fillna(trailing).fillna(0.0)
    return frame.reset_index(drop=True)


def compare_policies(history: pd.DataFrame, settings: dict, *, params: dict, service_levels,
                     cover_days, forecast_method: str, forecast_every_days: int,
                     simulation_days: int, quantile: float, rule_of_thumb: dict,
                     velocity_window_days: int, ours_options: dict) -> pd.DataFrame:
    """Ours, a textbook normal-safety-stock policy, the rule of thumb and fixed cover, replayed.

    The last ``simulation_days`` of ``history`` are replayed (:func:`simulate`); forecasts are
    refreshed every ``forecast_every_days`` from the history before each origin. The textbook
    policy uses the same forecasts with a normal safety stock whose one-day spread is read off the
    same quantile (``sigma = (q - mean) / z_q``): the comparison isolates the policy maths.

    Parameters
    ----------
    history : pandas.DataFrame
        Long daily ``unique_id, ds, y`` without gaps (see :func:`demand_for_replay`).
    settings : dict
        :func:`simulate` settings (``lead_time_days`` ...).
    params : dict
        Loaded params whose ``forecast`` section the rolling forecasts use, at the planning
        level factor (``replenishment.forecast_level_factor``,
        :func:`~opsanalysis.replenishment.orders.planning_forecast_params`).

    The other keywords are params ``replenishment`` and ``replenishment.simulation`` (see
    :func:`~opsanalysis.replenishment.plan_policy_comparison`):

    service_levels : sequence of float
        Target cycle service levels of ours and the textbook policy [fraction]: one point of
        their trade-off curves each.
    cover_days : sequence of float
        Fixed-cover policies [days].
    forecast_method : str
        :func:`opsanalysis.forecast.predict` method.
    forecast_every_days : int
        Days between forecasts [days].
    simulation_days : int
        Days replayed at the end of the history [days].
    quantile : float
        Forecast quantile read for the spread [fraction].
    rule_of_thumb : dict
        ``reorder_cover_extra_days``, ``order_up_to_extra_days`` (params
        ``replenishment.rule_of_thumb``).
    velocity_window_days : int
        Velocity window of the rule of thumb and the fixed covers [days].
    ours_options : dict
        :func:`forecast_policy` keywords of ours (:func:`forecast_policy_options`); the
        textbook policy ignores all but its service level.

    Returns
    -------
    pandas.DataFrame
        :func:`simulation_summary` rows with columns ``policy`` and ``service_target``
        [fraction] (NaN for the rules of thumb).
    """
    history = history.copy()
    history["ds"] = pd.to_datetime(history["ds"])
    end = history["ds"].max()
    start = end - pd.Timedelta(days=simulation_days - 1)
    origins = pd.date_range(end=end, start=start - pd.Timedelta(days=1),
                            freq=f"{forecast_every_days}D")
    origins = origins.union([start - pd.Timedelta(days=1)])
    lead = float(np.max(settings["lead_time_days"]))
    horizon = int(lead * 2 + forecast_every_days + 60)
    forecasts = rolling_forecasts(history, origins, horizon, forecast_method, (quantile,),
                                  params=planning_forecast_params(params))
    column = f"q{int(round(100 * quantile, 6))}"
    forecasts["sigma"] = (forecasts[column] - forecasts["forecast"]).clip(lower=0) \
        / special.ndtri(quantile)
    settings = _settings({**settings, "start": start})
    # every policy replays the same demand with the same fees, and the forecast policies read
    # the same rolling forecasts: each is prepared once
    matrix = _replay_matrix(history)
    fee_rates = _fee_rates(settings, matrix[1], len(matrix[0]))
    paths = _ForecastPaths(forecasts)
    options = {"min_cover_days": None, "target_cover_days": None, "max_cover_days": None,
               "name": None, "level_uncertainty": True, "pooled_level": True,
               **ours_options}
    runs = [(_forecast_policy(paths, level, kind, 1.0, quantile=quantile, **options), level)
            for level in service_levels for kind in ("ours", "normal")]
    runs += [(rule_of_thumb_policy(**rule_of_thumb, velocity_window_days=velocity_window_days),
              np.nan)]
    runs += [(fixed_cover_policy(days, velocity_window_days=velocity_window_days), np.nan)
             for days in cover_days]
    rows = [simulation_summary(_simulate_matrix(matrix, policy, settings, fee_rates))
            .reset_index().assign(service_target=level) for policy, level in runs]
    return pd.concat(rows, ignore_index=True)

"""``recommend_orders``: the core decision -- how much to order per SKU, and by when.

Stable API (other modules and the notebooks rely on its parameters and columns):
``recommend_orders(history, position, settings, as_of, forecast=None)``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from opsanalysis.replenishment import policy

__all__ = ["OPTIONAL_SETTINGS", "SETTINGS_KEYS", "demand_matrices", "planning_forecast_params",
           "recommend_orders", "resolve_settings"]

#: Flat settings of :func:`recommend_orders`, every one required in a flat settings dict; a
#: loaded params dict supplies them from its ``lead_time``, ``replenishment`` and ``forecast``
#: sections (``params/defaults.yaml`` is their only home).
SETTINGS_KEYS = (
    "lead_time_days",        # mean [days]
    "lead_time_cv",          # [fraction]
    "review_period_days",    # [days]
    "target_service_level",  # cycle service level [fraction]
    "order_crossover",       # independent lead times per order (orders overtake)
    "service_quantile",      # normal, negative_binomial or larger_of_both (policy.order_levels)
    "daily_dispersion",      # daily noise >= own variance-to-mean ratio x forecast (lumpy demand)
    "seasonal_lift",         # policy.seasonal_lift keyword arguments; None = no lift
    "min_cover_days",        # expected stock left at the end of the interval [days]
    "target_cover_days",     # cover at arrival an order aims for [days]
    "max_cover_days",        # cover at arrival never planned above this [days]
    "production_days",       # order-by -> ship-by offset [days]
    "forecast_method",
    "forecast_quantile",     # forecast quantile read for the daily spread [fraction]
    "velocity_window_days",  # trailing window of the level-uncertainty check [days]
    "rate_window_days",      # daily rate after arrival: mean forecast over these days [days]
)
#: Product data rather than settings: when absent an order is not constrained (loose units,
#: no minimum, no per-SKU overrides). Per-SKU values usually come as ``position`` columns.
OPTIONAL_SETTINGS = {"case_pack": 1, "moq": 0, "overrides": None}
PER_SKU = ("lead_time_days", "lead_time_cv", "review_period_days", "target_service_level",
           "min_cover_days", "target_cover_days", "max_cover_days", "case_pack", "moq",
           "production_days")


def _lead_time_from_params(params: dict) -> tuple[float, float]:
    """Total lead time [days] and its coefficient of variation from the params' legs."""
    lead = params["lead_time"]
    legs = np.array([lead["production_days"], lead["freight_days"][lead["freight_mode"]],
                     lead["customs_days"], lead["fba_check_in_days"]], dtype=float)
    total = legs.sum()
    # independent legs, each with the same coefficient of variation
    cv = lead["variability"] * math.sqrt((legs**2).sum()) / total if total > 0 else 0.0
    return float(total), float(cv)


def _from_params(params: dict) -> dict:
    """Every key of :data:`SETTINGS_KEYS` from a loaded params dict."""
    rep = params["replenishment"]
    lead_days, lead_cv = _lead_time_from_params(params)
    return {
        "lead_time_days": lead_days, "lead_time_cv": lead_cv,
        "review_period_days": rep["review_period_days"],
        "target_service_level": rep["target_service_level"],
        "order_crossover": rep["order_crossover"], "service_quantile": rep["service_quantile"],
        "daily_dispersion": rep["daily_dispersion"],
        "seasonal_lift": dict(rep["seasonal_lift"]),
        "min_cover_days": rep["min_cover_days"], "target_cover_days": rep["target_cover_days"],
        "max_cover_days": rep["max_cover_days"],
        "production_days": params["lead_time"]["production_days"],
        "forecast_method": params["forecast"]["method"],
        "forecast_quantile": rep["forecast_quantile"],
        "velocity_window_days": rep["velocity_window_days"],
        "rate_window_days": rep["rate_window_days"],
    }


def planning_forecast_params(params: dict) -> dict:
    """Loaded params whose forecast plans orders: ``auto`` at the planning level factor.

    ``forecast.auto.level_factor`` may shrink ``auto``'s mean (by up to a fifth) where that
    lowers its RMSSE; an order-up-to level is a quantile of the demand around the mean, so the
    plan and its replay forecast with ``replenishment.forecast_level_factor`` instead (1: the
    unshrunk combination). Every other setting is the forecast's own.

    Parameters
    ----------
    params : dict
        Loaded params (:func:`opsanalysis.params.load`) with the ``forecast`` and
        ``replenishment`` sections.

    Returns
    -------
    dict
        A copy of ``params`` whose ``forecast.auto.level_factor`` is
        ``replenishment.forecast_level_factor`` [fraction]; ``params`` is not changed.
    """
    forecast = params["forecast"]
    auto = {**forecast["auto"],
            "level_factor": float(params["replenishment"]["forecast_level_factor"])}
    return {**params, "forecast": {**forecast, "auto": auto}}


def resolve_settings(settings) -> dict:
    """Flat settings for :func:`recommend_orders` from a flat dict or a loaded params dict.

    Parameters
    ----------
    settings : dict
        Either every key of :data:`SETTINGS_KEYS` (plus any of :data:`OPTIONAL_SETTINGS`), or
        a params dict from :func:`opsanalysis.params.load` (lead time = sum of its legs, the
        rest from ``replenishment`` and ``forecast.method``), optionally with flat keys on top.

    Returns
    -------
    dict
        Every key of :data:`SETTINGS_KEYS` and :data:`OPTIONAL_SETTINGS`.

    Raises
    ------
    ValueError
        For a flat dict that lacks keys (named in the message), or a service level outside
        (0, 1).
    """
    settings = dict(settings)
    if "replenishment" in settings and "lead_time" in settings:
        resolved = _from_params(settings)
    else:
        missing = [key for key in SETTINGS_KEYS if key not in settings]
        if missing:
            raise ValueError(f"flat settings lack {missing}: give every key of SETTINGS_KEYS, "
                             "or pass opsanalysis.params.load(marketplace)")
        resolved = {}
    known = (*SETTINGS_KEYS, *OPTIONAL_SETTINGS)
    resolved = {**OPTIONAL_SETTINGS, **resolved,
                **{k: v for k, v in settings.items() if k in known}}
    if resolved["lead_time_days"] is None:
        raise ValueError("settings need lead_time_days [days] (or a params dict)")
    level = float(resolved["target_service_level"])
    if not 0 < level < 1:
        raise ValueError(f"target_service_level must lie in (0, 1), got {level}")
    return resolved


def _per_sku(name: str, ids: pd.Index, position: pd.DataFrame, settings: dict) -> np.ndarray:
    """Setting ``name`` per SKU: position column, else overrides frame, else the scalar."""
    values = pd.Series(float(settings[name]), index=ids)
    overrides = settings.get("overrides")
    if overrides is not None and name in overrides:
        values = overrides[name].reindex(ids).astype(float).fillna(values)
    if name in position:
        values = position.set_index("unique_id")[name].reindex(ids).astype(float).fillna(values)
    return values.to_numpy(dtype=float)


def demand_matrices(forecast: pd.DataFrame, ids: pd.Index, start, horizon: int,
                    quantile: float) -> tuple[np.ndarray, np.ndarray]:
    """Daily forecast mean and variance matrices (SKU x day) from a long forecast frame.

    Parameters
    ----------
    forecast : pandas.DataFrame
        ``unique_id, ds, forecast`` and optionally ``q<100 quantile>`` [units per day].
    ids : pandas.Index
        SKU order of the rows; SKUs absent from ``forecast`` get zero demand.
    start : datetime-like
        First forecast day (the day after ``as_of``).
    horizon : int
        Days [days]; days beyond the forecast repeat its last value.
    quantile : float
        Quantile level read for the spread (``q90`` for 0.9); Poisson spread when absent.

    Returns
    -------
    mean, variance : numpy.ndarray
        Shape (len(ids), horizon) [units per day], [units^2 per day].
    """
    days = pd.date_range(pd.Timestamp(start), periods=horizon, freq="D")
    column = f"q{int(round(100 * quantile, 6))}"

    def matrix(name):
        wide = pd.DataFrame(_wide_matrix(forecast, ids, days, name)).ffill(axis=1)
        return np.nan_to_num(wide.to_numpy(dtype=float))

    mean = matrix("forecast")
    upper = matrix(column) if column in forecast else None
    variance = policy.demand_variance_from_quantiles(mean, upper, quantile if upper is not None
                                                     else None)
    return mean, variance


def _wide_matrix(frame: pd.DataFrame, ids: pd.Index, dates: pd.DatetimeIndex,
                 column: str) -> np.ndarray:
    """SKU x day matrix of ``column`` summed per cell; NaN where a cell has no value.

    A scatter with ``numpy.bincount`` (a pivot table is several times slower at 10,000 SKUs and
    turns missing values into zeros).
    """
    rows = ids.get_indexer(frame["unique_id"])
    cols = dates.get_indexer(pd.to_datetime(frame["ds"]))
    keep = (rows >= 0) & (cols >= 0)
    values = frame[column].to_numpy(dtype=float)[keep]
    flat = rows[keep].astype(np.int64) * len(dates) + cols[keep]
    size = len(ids) * len(dates)
    total = np.bincount(flat, weights=np.nan_to_num(values), minlength=size)
    present = np.bincount(flat[~np.isnan(values)], minlength=size) > 0
    return np.where(present, total, np.nan).reshape(len(ids), len(dates))


def _history_matrix(history: pd.DataFrame, ids: pd.Index, as_of: pd.Timestamp,
                    days: int) -> np.ndarray:
    """Daily demand (SKU x day) of the last ``days`` days to ``as_of``; NaN = censored/missing."""
    dates = pd.date_range(end=as_of, periods=days, freq="D")
    return _wide_matrix(history, ids, dates, "y")


def _first_day_below(stock: np.ndarray, cum_mean: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """First day index (0 = today) at which ``stock - cumulative demand <= floor``.

    Beyond the forecast horizon the last day's rate is extended; NaN when demand is zero.
    """
    below = (stock[:, None] - cum_mean) <= floor[:, None]
    first = below.argmax(axis=1).astype(float)
    last_rate = cum_mean[:, -1] - cum_mean[:, -2] if cum_mean.shape[1] > 1 else cum_mean[:, -1]
    left = stock - cum_mean[:, -1] - floor
    later = cum_mean.shape[1] + np.ceil(np.divide(left, last_rate, out=np.full(len(stock), np.nan),
                                                  where=last_rate > 0))
    return np.where(below.any(axis=1), first, later)


def _dates(as_of: pd.Timestamp, offsets: np.ndarray) -> pd.Series:
    """Dates ``offsets`` days after ``as_of``; NaT beyond ten years (no practical date)."""
    offsets = np.where(np.asarray(offsets, dtype=float) <= 3650, offsets, np.nan)
    return pd.Series(as_of + pd.to_timedelta(offsets, unit="D")).astype("datetime64[ns]")


def _reasons(order_qty, inventory_position, reorder_point, cap, rate) -> np.ndarray:
    return np.select(
        [rate <= 0, order_qty > 0, inventory_position > cap],
        ["no_demand", "below_reorder_point", "above_max_cover"],
        "above_reorder_point",
    )


def recommend_orders(history: pd.DataFrame, position: pd.DataFrame, settings, as_of=None,
                     forecast: pd.DataFrame | None = None) -> pd.DataFrame:
    """Order quantity, order-by date and the levels behind them, per SKU.

    A periodic-review (R, s, S) policy: at a review, when the inventory position (on hand + on
    order) is at or below the reorder point ``s``, order up to ``S``, rounded up to the MOQ and
    whole case packs. ``s`` covers demand over lead time + review period at the target cycle
    service level, from the forecast distribution and a random lead time (shipments overtaking
    each other when ``order_crossover``), the forecast corrected by last year's seasonal change
    when ``seasonal_lift`` is set (:func:`opsanalysis.replenishment.policy.order_levels`). A
    params dict sets both from ``replenishment``.

    Stable API: parameters and output columns are relied on by ``plan``, the simulator and the
    notebooks.

    Parameters
    ----------
    history : pandas.DataFrame
        Long daily ``unique_id, ds, y`` up to ``as_of`` [units per day]; missing ``y`` = censored
        (out of stock), never read as zero demand.
    position : pandas.DataFrame
        ``unique_id, on_hand, on_order`` [units] (on order = inbound shipments and open POs);
        optional ``on_order_days`` (days until it is sellable, default 0) and any per-SKU
        setting column (``lead_time_days``, ``case_pack``, ``moq`` ...).
    settings : dict
        Flat settings (every key of :data:`SETTINGS_KEYS`, optionally
        :data:`OPTIONAL_SETTINGS`) or a loaded params dict (see :func:`resolve_settings`).
    as_of : date-like, optional
        Decision date; default the last date of ``history``.
    forecast : pandas.DataFrame, optional
        Daily ``unique_id, ds, forecast, q<..>`` starting the day after ``as_of``; default
        :func:`opsanalysis.forecast.predict` with ``settings["forecast_method"]`` and the params
        at the planning level factor (:func:`planning_forecast_params`; required with flat
        settings).

    Returns
    -------
    pandas.DataFrame
        One row per SKU of ``position`` (and of ``history``): ``unique_id``, ``order_qty``
        [units, Int64], ``order_by``, ``ship_by`` (dates), ``reorder_point``, ``order_up_to``,
        ``safety_stock``, ``on_hand``, ``on_order``, ``inventory_position`` [units, Int64],
        ``daily_rate`` [units per day], ``lead_time_days`` [days], ``lead_time_demand``
        [units], ``level_cv`` [fraction], ``seasonal_lift`` (factor applied to the forecast,
        :func:`~opsanalysis.replenishment.policy.seasonal_lift`) [ratio],
        ``expected_fill_rate`` (share of demand served at ``order_up_to``,
        :func:`~opsanalysis.replenishment.policy.expected_fill_rate`) [fraction],
        ``days_of_cover_now`` [days],
        ``projected_stockout_date`` (expected stock incl. arriving inbound reaches 0; NaT
        beyond the horizon or without demand), ``reason`` (``below_reorder_point``,
        ``above_reorder_point``, ``above_max_cover``, ``no_demand``).
    """
    params = settings if "replenishment" in settings and "lead_time" in settings else None
    if forecast is None and params is None:
        raise ValueError("recommend_orders with flat settings needs forecast=; or pass a params "
                         "dict (opsanalysis.params.load), whose forecast section then forecasts")
    settings = resolve_settings(settings)
    history = history[["unique_id", "ds", "y"]].copy()
    history["ds"] = pd.to_datetime(history["ds"])
    as_of = pd.Timestamp(as_of) if as_of not in (None, "") else history["ds"].max()
    history = history[history["ds"] <= as_of]
    ids = pd.Index(pd.unique(pd.concat([position["unique_id"], history["unique_id"]])),
                   name="unique_id")
    lead_mean = _per_sku("lead_time_days", ids, position, settings)
    lead_cv = _per_sku("lead_time_cv", ids, position, settings)
    review = _per_sku("review_period_days", ids, position, settings)
    target_cover = _per_sku("target_cover_days", ids, position, settings)
    lead_points, _ = policy.lead_time_distribution(lead_mean, lead_cv)
    rate_window = int(settings["rate_window_days"])
    # the forecast must reach the end of the cover target and of the rate window after arrival
    horizon = int(np.nanmax(lead_points.max(axis=1) + review
                            + np.maximum(target_cover, rate_window))) + 1
    if forecast is None:
        from opsanalysis import forecast as forecast_module

        forecast = forecast_module.predict(history, horizon, method=settings["forecast_method"],
                                           quantiles=(0.5, settings["forecast_quantile"]),
                                           params=planning_forecast_params(params))
    mean, variance = demand_matrices(forecast, ids, as_of + pd.Timedelta(days=1), horizon,
                                     settings["forecast_quantile"])
    lift_settings = settings["seasonal_lift"]
    velocity_window = int(settings["velocity_window_days"])
    lookback = policy.LEVEL_CV_SPAN_DAYS + velocity_window
    if lift_settings:
        lookback = max(lookback, int(lift_settings["season_days"])
                       + int(lift_settings["window_days"]) + 1)
    past = _history_matrix(history, ids, as_of, lookback)
    interval = int(round(float(np.nanmedian(lead_mean + review))))
    dispersion = np.ones(len(ids))
    if settings["daily_dispersion"]:
        dispersion = policy.daily_dispersion(past, block_days=rate_window)
        variance = np.maximum(variance, dispersion[:, None] * mean)
    level_cv = policy.level_cv_from_history(
        past[:, -(policy.LEVEL_CV_SPAN_DAYS + velocity_window):], interval,
        window_days=velocity_window, dispersion=dispersion)
    lift = np.ones(len(ids))
    if lift_settings:
        cum = np.concatenate([np.zeros((len(ids), 1)), np.cumsum(mean, axis=1)], axis=1)
        expected = policy._cumulative_at(cum, (lead_mean + review)[:, None])[:, 0]
        lift = policy.seasonal_lift(past, expected, lead_mean + review, **lift_settings)
    levels = policy.order_levels(
        mean, variance, lead_mean, lead_cv, review, level_cv,
        _per_sku("target_service_level", ids, position, settings),
        _per_sku("min_cover_days", ids, position, settings), target_cover,
        _per_sku("max_cover_days", ids, position, settings),
        seasonal_factor=lift,
        order_crossover=bool(settings["order_crossover"]),
        service_quantile=str(settings["service_quantile"]), rate_window_days=rate_window)
    return _assemble(ids, position, settings, as_of, mean * lift[:, None], levels, level_cv,
                     lift)


def _assemble(ids, position, settings, as_of, mean, levels, level_cv, lift) -> pd.DataFrame:
    pos = position.set_index("unique_id").reindex(ids)
    on_hand = pos["on_hand"].astype(float).fillna(0).clip(lower=0).to_numpy()
    on_order = pos["on_order"].astype(float).fillna(0).clip(lower=0).to_numpy() \
        if "on_order" in pos else np.zeros(len(ids))
    inventory_position = on_hand + on_order
    s = levels["reorder_point"].to_numpy()
    big_s = levels["order_up_to"].to_numpy()
    rate = levels["daily_rate"].to_numpy()
    # at the reorder point an order is due: where the order-up-to level is capped down to the
    # reorder point (both at the max-cover line) it is the smallest order (one unit, rounded up
    # to the case pack and MOQ), never an order of 0 units
    raw = np.where(inventory_position <= s, np.maximum(big_s - inventory_position, 1.0), 0.0)
    order_qty = policy.round_order_quantity(raw, _per_sku("case_pack", ids, position, settings),
                                            _per_sku("moq", ids, position, settings))
    cum_mean = np.cumsum(mean, axis=1)
    order_day = _first_day_below(inventory_position, cum_mean, s)
    order_day = np.where(inventory_position <= s, 0.0, order_day)
    # the inbound is sellable on its whole day, the plan's inbound_sellable_date (risk.py): a
    # stock that runs out during the day the inbound lands has not run out
    arrival = (np.rint(pos["on_order_days"].astype(float).fillna(0).to_numpy())
               if "on_order_days" in pos else np.zeros(len(ids)))
    days = np.arange(1, mean.shape[1] + 1)
    arrived = on_order[:, None] * (days[None, :] >= arrival[:, None])
    stockout_day = _first_day_below(on_hand + on_order, cum_mean + on_order[:, None] - arrived,
                                    np.zeros(len(ids)))
    stockout_day = np.where(cum_mean[:, -1] > 0, stockout_day, np.nan)
    production = _per_sku("production_days", ids, position, settings)
    cap = levels["lead_time_demand"].to_numpy() + rate * _per_sku("max_cover_days", ids, position,
                                                                   settings)
    near_rate = mean[:, :int(settings["rate_window_days"])].mean(axis=1) if mean.shape[1] \
        else np.zeros(len(ids))
    out = pd.DataFrame({
        "unique_id": ids.to_numpy(),
        "order_qty": order_qty,
        "order_by": _dates(as_of, order_day),
        "ship_by": _dates(as_of, order_day + production),
        "reorder_point": s,
        "order_up_to": big_s,
        "safety_stock": np.ceil(levels["safety_stock"].to_numpy() - 1e-6),
        "on_hand": on_hand,
        "on_order": on_order,
        "inventory_position": inventory_position,
        "daily_rate": near_rate,
        "lead_time_days": levels["lead_time_days"].to_numpy(),
        "lead_time_demand": levels["lead_time_demand"].to_numpy(),
        "level_cv": level_cv,
        "seasonal_lift": lift,
        "expected_fill_rate": levels["expected_fill_rate"].to_numpy(),
        "days_of_cover_now": np.divide(on_hand, near_rate, out=np.full(len(ids), np.inf),
                                       where=near_rate > 0),
        "projected_stockout_date": _dates(as_of, stockout_day + 1),  # index 0 = as_of + 1
        "reason": _reasons(order_qty, inventory_position, s, cap, rate),
    })
    for column in ("order_qty", "reorder_point", "order_up_to", "safety_stock", "on_hand",
                   "on_order", "inventory_position"):
        out[column] = np.round(out[column]).astype("Int64")
    return out

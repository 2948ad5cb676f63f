"""The report-level replenishment plan of one marketplace: what to ship, by when, how, at what risk.

``plan(data, params, as_of)`` joins the pieces: the stockout-aware demand panel
(:func:`opsanalysis.demand.build_panel`), the forecast, lead-time legs per SKU (product master, else
params: production, freight by mode, customs, FBA check-in with the Q4 multiplier), the pipeline
from the Manage FBA Inventory / planning / Restock reports, :func:`recommend_orders` between the
28-day low-inventory-fee floor and the excess line, a status per SKU, the storage-fee and
aged-surcharge outlook from the dated fee tables, capacity use per storage type, and Amazon's
Restock recommendation beside ours with the difference explained.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from opsanalysis import cutoffs, io, profit
from opsanalysis import fees as fees_module
from opsanalysis.replenishment import decisions, risk, sources
from opsanalysis.replenishment.orders import planning_forecast_params, recommend_orders

__all__ = ["ACTIONS", "PLAN_COLUMNS", "STATUSES", "ReplenishmentPlan", "lead_time_legs",
           "pipeline_position", "plan", "plan_policy_comparison", "plan_sheets",
           "status_by_sku"]

#: Statuses in priority order (the first that applies is the SKU's status).
STATUSES = ("stockout_risk", "awaiting_inbound", "order_now", "reorder_soon", "aged", "overstock", "in_stock")
#: Action per status (:data:`opsanalysis.replenishment.decisions.DECISION_TABLE` gives both).
ACTIONS = {status: next(row[3] for row in decisions.DECISION_TABLE if row[1] == status)
           for status in STATUSES}
#: Statuses whose action is an order: only they carry an order-by date.
ORDERING_STATUSES = ("stockout_risk", "order_now", "reorder_soon")
#: Columns of ``ReplenishmentPlan.table`` in order (see :func:`plan`).
PLAN_COLUMNS = ("sku", "asin", "title", "status", "action", "freight_mode", "order_qty",
                "order_by", "ship_by", "expected_arrival", "on_hand", "on_order",
                "inventory_position", "reorder_point", "order_up_to", "safety_stock",
                "expected_fill_rate", "daily_rate", "days_of_cover_now", "days_of_cover_total",
                "projected_stockout_date", "lead_time_days", "q4", "stockout_risk", "overstock",
                "aged", "aged_units_now", "aged_units_next_snapshot", "order_cost",
                "cost_currency", "projected_storage_fee", "projected_aged_surcharge",
                "arrival_cutoff", "arrival_cutoff_event", "misses_arrival_cutoff",
                "next_cutoff_event", "next_cutoff", "cutoffs_missed", "misses_cutoff",
                "landed_unit_margin", "loses_money_every_mode", "mode_changed_for_margin",
                "amazon_recommended_qty", "amazon_ship_date", "amazon_velocity",
                "restock_difference", "restock_difference_reason", "reason",
                "decision_row", "next_order_date", "planning_lead_time_days", "max_cover_line",
                "has_demand", "has_stock", "below_reorder_point", "order_due_soon",
                "above_max_cover", "arrives_after_stockout", "stockout_before_inbound",
                "inbound_sellable_date", "arrival_by_chosen_mode",
                "expected_lost_units", "expected_lost_sales", "unit_price", "avoiding_mode",
                "avoiding_mode_extra_cost", "currency", "storage_type", "unit_volume_cuft",
                "level_cv", "lead_time_demand", "demand_basis")
AGE_BUCKETS = {  # planning-report age bucket -> representative age [days] (bucket middle)
    "inv_age_0_to_90_days": 45, "inv_age_91_to_180_days": 135, "inv_age_181_to_270_days": 225,
    "inv_age_271_to_365_days": 318, "inv_age_365_plus_days": 400,
}


@dataclass
class ReplenishmentPlan:
    """Result of :func:`plan`.

    Attributes
    ----------
    marketplace, currency : str
    as_of : pandas.Timestamp
    table : pandas.DataFrame
        One row per SKU (see :func:`plan`).
    fees : pandas.DataFrame
        Outlook per month and storage type: ``month``, ``storage_type``, ``volume_cuft``
        (average) [cubic feet], ``capacity_limit_cuft`` [cubic feet], ``capacity_used``
        [fraction], ``storage_fee``, ``aged_surcharge`` [currency], ``currency``,
        ``fee_table_version``.
    history : pandas.DataFrame
        The demand panel used (``sku`` added), with the censoring flags.
    forecast : pandas.DataFrame
        The daily forecast used (``sku`` added).
    fee_tables : pandas.DataFrame
        The dated fee tables of the marketplace with their sources.
    cutoffs : pandas.DataFrame
        The FBA arrival cut-offs of the plan's next ``events.cutoff_horizon_days``
        (:func:`opsanalysis.cutoffs.event_cutoffs`; not dated ones included).
    notes : list of PlanNote
        What the figures leave out (other sales channels), as label keys and values
        (:class:`~opsanalysis.replenishment.sources.PlanNote`; in words:
        :func:`opsanalysis.replenishment_sections.note_text`).
    warnings : list of PlanNote
        What makes the plan less than complete (demand from Business Reports or the rule of
        thumb, placeholder SKUs left out).
    needs : str or sources.PlanNote
        Empty when the plan has rows; else what it needs: a :class:`sources.PlanNote` (label key
        and values, shown in the report's language) or an English sentence.
    """

    marketplace: str
    currency: str
    as_of: pd.Timestamp
    table: pd.DataFrame
    fees: pd.DataFrame
    history: pd.DataFrame
    forecast: pd.DataFrame
    fee_tables: pd.DataFrame = field(default_factory=pd.DataFrame)
    cutoffs: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    needs: object = ""


def _column(frame: pd.DataFrame | None, name: str, index: pd.Index, default=np.nan) -> pd.Series:
    if frame is None or name not in frame:
        return pd.Series(default, index=index, dtype=float if default is np.nan else object)
    return frame[name].reindex(index)


def lead_time_legs(skus: pd.Index, product_master: pd.DataFrame | None, params: dict,
                   as_of) -> pd.DataFrame:
    """Lead-time legs per SKU for each freight mode, with the Q4 check-in multiplier.

    Product-master values win over params; the freight days of the product master apply to its
    own freight mode, other modes use params. FBA check-in is multiplied by
    ``lead_time.q4_check_in_multiplier`` when the goods would reach FBA in a Q4 month.

    Parameters
    ----------
    skus : pandas.Index
    product_master : pandas.DataFrame or None
        Canonical product master (``sku``, ``production_days``, ``freight_mode``,
        ``freight_days``, ``customs_days``, ``fba_check_in_days``).
    params : dict
        Loaded params (``lead_time`` section).
    as_of : date-like
        Order date.

    Returns
    -------
    pandas.DataFrame
        Indexed by sku: ``freight_mode``, ``production_days``, ``customs_days``,
        ``check_in_days`` (for the planned mode, Q4 applied) and ``lead_time_<mode>`` [days] for
        sea, air and express (total, Q4 applied), ``lead_time_days`` (planned mode), ``q4``
        (bool: planned arrival in a Q4 month).
    """
    lead = params["lead_time"]
    master = None if product_master is None else \
        product_master.drop_duplicates("sku", keep="last").set_index("sku")
    mode = _column(master, "freight_mode", skus, None).fillna(lead["freight_mode"]).astype(str)
    mode = mode.where(mode.isin(lead["freight_days"]), lead["freight_mode"])
    production = _column(master, "production_days", skus).astype(float).fillna(
        lead["production_days"])
    customs = _column(master, "customs_days", skus).astype(float).fillna(lead["customs_days"])
    check_in = _column(master, "fba_check_in_days", skus).astype(float).fillna(
        lead["fba_check_in_days"])
    own_freight = _column(master, "freight_days", skus).astype(float)
    out = pd.DataFrame(index=skus)
    out["freight_mode"] = mode
    out["production_days"] = production
    out["customs_days"] = customs
    as_of = pd.Timestamp(as_of)
    for name in lead["freight_days"]:
        freight = own_freight.where(mode == name).fillna(float(lead["freight_days"][name]))
        reach = as_of + pd.to_timedelta(production + freight + customs, unit="D")
        q4 = pd.Series(reach.dt.month.isin(lead["q4_months"]).to_numpy(), index=skus)
        days = check_in * np.where(q4, lead["q4_check_in_multiplier"], 1.0)
        out[f"lead_time_{name}"] = production + freight + customs + days
        out[f"q4_{name}"] = q4
        out[f"check_in_{name}"] = days
    out["lead_time_days"] = [out.at[sku, f"lead_time_{m}"] for sku, m in zip(skus, mode, strict=True)]
    out["check_in_days"] = [out[f"check_in_{m}"].iloc[i] for i, m in enumerate(mode)]
    out["q4"] = [bool(out[f"q4_{m}"].iloc[i]) for i, m in enumerate(mode)]
    legs = np.array([out["production_days"], out["lead_time_days"] - out["production_days"]
                     - out["customs_days"] - out["check_in_days"], out["customs_days"],
                     out["check_in_days"]], dtype=float)
    out["lead_time_cv"] = lead["variability"] * np.sqrt((legs**2).sum(axis=0)) / np.maximum(
        legs.sum(axis=0), 1e-9)
    return out


def _latest(frame: pd.DataFrame | None, as_of) -> pd.DataFrame | None:
    """Rows of the latest snapshot on or before ``as_of`` (all rows when undated)."""
    if frame is None or frame.empty:
        return None
    for column in ("snapshot_date", "date"):
        if column in frame and frame[column].notna().any():
            dated = frame[pd.to_datetime(frame[column]) <= pd.Timestamp(as_of)]
            if dated.empty:
                return None
            return dated[pd.to_datetime(dated[column]) == pd.to_datetime(dated[column]).max()]
    return frame


def pipeline_position(data, as_of) -> pd.DataFrame:
    """Stock at and on its way to FBA per SKU, from MYI, else the planning or Restock report.

    on hand = fulfillable + reserved for FC transfer and FC processing (sellable soon; units
    reserved for customer orders are already sold); on order = inbound working + shipped +
    receiving.

    Parameters
    ----------
    data : MarketplaceData
        From :func:`opsanalysis.io.load_marketplace` (anything with ``.get(kind)``).
    as_of : date-like

    Returns
    -------
    pandas.DataFrame
        Indexed by sku: ``on_hand``, ``on_order``, ``inbound_receiving``, ``inbound_shipped``,
        ``inbound_working`` [units], ``storage_type``, ``unit_volume_cuft`` [cubic feet] where
        reported, plus the planning report's age buckets [units] (trimmed, oldest first, to
        the units on hand: see :func:`_age_buckets_on_hand`).
    """
    myi = _latest(data.get("fba_inventory"), as_of)
    planning = _latest(data.get("inventory_planning"), as_of)
    restock = _latest(data.get("restock"), as_of)
    frames = [f.drop_duplicates("sku", keep="last").set_index("sku")
              for f in (myi, planning, restock) if f is not None]
    if not frames:
        day = f"{pd.Timestamp(as_of):%Y-%m-%d}"
        raise sources.PlanNeedsData(
            "The replenishment plan needs an inventory report (Manage FBA Inventory, FBA "
            f"Inventory planning or Restock) dated on or before {day}.",
            sources.PlanNote("plan_needs_inventory", {"date": day}))
    skus = frames[0].index
    for frame in frames[1:]:
        skus = skus.union(frame.index)
    myi, planning, restock = [None if f is None else
                              f.drop_duplicates("sku", keep="last").set_index("sku").reindex(skus)
                              for f in (myi, planning, restock)]

    def first(*candidates):
        for frame, name in candidates:
            if frame is not None and name in frame:
                return pd.to_numeric(frame[name], errors="coerce").astype(float)
        return pd.Series(np.nan, index=skus)

    fulfillable = first((myi, "afn_fulfillable_quantity"), (planning, "available"),
                        (restock, "available"))
    transfer = first((restock, "fc_transfer"), (planning, "reserved_fc_transfer")).fillna(0)
    processing = first((restock, "fc_processing"), (planning, "reserved_fc_processing")).fillna(0)
    out = pd.DataFrame(index=skus)
    out["on_hand"] = (fulfillable.fillna(0) + transfer + processing).clip(lower=0)
    out["inbound_working"] = first((myi, "afn_inbound_working_quantity"),
                                   (planning, "inbound_working"), (restock, "working")).fillna(0)
    out["inbound_shipped"] = first((myi, "afn_inbound_shipped_quantity"),
                                   (planning, "inbound_shipped"), (restock, "shipped")).fillna(0)
    out["inbound_receiving"] = first((myi, "afn_inbound_receiving_quantity"),
                                     (planning, "inbound_received"),
                                     (restock, "receiving")).fillna(0)
    out["on_order"] = out[["inbound_working", "inbound_shipped", "inbound_receiving"]].sum(axis=1)
    out["unit_volume_cuft"] = first((planning, "item_volume"), (myi, "per_unit_volume"))
    if planning is not None and "storage_type" in planning:
        out["storage_type"] = planning["storage_type"].astype("string").str.lower()
    for bucket in AGE_BUCKETS:
        out[bucket] = first((planning, bucket))
    return _age_buckets_on_hand(out)


def _age_buckets_on_hand(position: pd.DataFrame) -> pd.DataFrame:
    """Age buckets trimmed, oldest first, to the units on hand.

    The planning report's buckets may come from an older snapshot than the stock figures (the
    US real folder: ages of 2019-11-20, stock of 2020-01-28); the units sold since left the
    oldest lots first (FIFO), so no bucket counts units that are no longer there.
    """
    oldest_first = sorted(AGE_BUCKETS, key=AGE_BUCKETS.get, reverse=True)
    lots = position[oldest_first].astype(float)
    excess = (lots.sum(axis=1, min_count=1) - position["on_hand"]).clip(lower=0).fillna(0)
    before = lots.fillna(0).cumsum(axis=1) - lots.fillna(0)  # units in older lots
    sold = (excess.to_numpy()[:, None] - before).clip(lower=0)
    position[oldest_first] = (lots - sold).clip(lower=0).where(lots.notna())
    return position


def _history(data, params, as_of) -> pd.DataFrame:
    from opsanalysis import demand

    panel = demand.build_panel(data["all_orders"], data.get("inventory_history"),
                               data.get("business_report_asin"), data.marketplace, as_of=as_of,
                               params=params)
    return panel


def _projected_stock(on_hand, on_order, on_order_days, order_qty, order_lead, mean):
    """Expected on-hand path (SKU x day): arrivals minus forecast demand, lost sales not kept."""
    n_skus, horizon = mean.shape
    days = np.arange(1, horizon + 1)
    arrivals = np.zeros((n_skus, horizon))
    for qty, when in ((on_order, on_order_days), (order_qty, order_lead)):
        index = np.clip(np.rint(when).astype(int), 0, horizon - 1)
        np.add.at(arrivals, (np.arange(n_skus), index), qty)
    stock = np.zeros((n_skus, horizon))
    level = on_hand.astype(float).copy()
    for day in range(horizon):  # lost sales: a stockout does not carry negative stock forward
        level = np.maximum(level + arrivals[:, day] - mean[:, day], 0.0)
        stock[:, day] = level
    return stock, days


def _fee_outlook(table, stock, params, as_of, months, limits) -> pd.DataFrame:
    """Storage fees, aged surcharge and capacity per month and storage type."""
    dates = pd.date_range(pd.Timestamp(as_of) + pd.Timedelta(days=1), periods=stock.shape[1])
    volume = table["unit_volume_cuft"].to_numpy(dtype=float)
    kinds = table["storage_type"].astype(str).to_numpy()
    rows = []
    periods = dates.to_period("M").unique()[:months]
    for period in periods:
        inside = np.asarray(dates.to_period("M") == period)
        schedule = fees_module.fee_schedule(params, period.to_timestamp())
        cuft = stock[:, inside].mean(axis=1) * volume
        rate = fees_module.storage_rate(schedule, kinds, np.full(len(kinds), period.month))
        aged = table[f"aged_surcharge_{period.month:02d}"].to_numpy(dtype=float) \
            if f"aged_surcharge_{period.month:02d}" in table else np.zeros(len(table))
        for kind in sorted(set(kinds)):
            mask = kinds == kind
            limit = float(limits.get(kind, np.nan))
            rows.append({
                "month": period.to_timestamp(), "storage_type": kind,
                "volume_cuft": cuft[mask].sum(),
                "capacity_limit_cuft": limit,
                "capacity_used": cuft[mask].sum() / limit if limit > 0 else np.nan,
                "storage_fee": (cuft[mask] * rate[mask]).sum() if schedule else np.nan,
                "aged_surcharge": aged[mask].sum() if schedule else np.nan,  # NaN: unknown
                "currency": params["currency"],
                "fee_table_version": schedule["version"] if schedule else np.nan,
            })
    return pd.DataFrame(rows)


def _aged_projection(position, mean, as_of, params, volume, months) -> dict:
    """Aged surcharge at each coming monthly snapshot, FIFO ages from the planning buckets.

    ``aged_surcharge_<MM>`` [currency] per SKU is NaN (not estimated) where the fee table in
    force at the snapshot has no surcharge tiers, or no table is in force.
    """
    snapshot_day = int(params["fees"]["aged_inventory_snapshot_day"])
    start = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    cum = np.cumsum(mean, axis=1)
    lots = np.stack([position[b].fillna(0).to_numpy(dtype=float) for b in AGE_BUCKETS], axis=1)
    ages = np.array(list(AGE_BUCKETS.values()), dtype=float)
    order = np.argsort(-ages)  # oldest first: FIFO sells them first
    lots, ages = lots[:, order], ages[order]
    out = {}
    for period in pd.date_range(start, periods=mean.shape[1]).to_period("M").unique()[:months]:
        snapshot = period.to_timestamp() + pd.Timedelta(days=snapshot_day - 1)
        offset = (snapshot - start).days
        if offset < 0 or offset >= mean.shape[1]:
            continue
        sold = cum[:, offset]
        before = np.cumsum(lots, axis=1) - lots
        left = np.clip(lots - np.maximum(sold[:, None] - before, 0.0), 0.0, None)
        schedule = fees_module.fee_schedule(params, snapshot)
        charge = fees_module.aged_surcharge_per_unit(ages[None, :] + offset + 1,
                                                     volume[:, None], schedule)
        # no fee table, or one without surcharge tiers: the surcharge is unknown, never 0
        known = bool(schedule and schedule.get("aged_inventory_surcharge"))
        out[f"aged_surcharge_{period.month:02d}"] = (left * charge).sum(axis=1) if known \
            else np.full(len(volume), np.nan)
        out.setdefault("aged_units_next_snapshot",
                       (left * (ages[None, :] + offset + 1 >= params["replenishment"]["aged_days"])
                        ).sum(axis=1))
    return out


def _restock_comparison(table, restock, rep) -> pd.DataFrame:
    """Amazon's Restock recommendation beside ours, with the main reason for a difference."""
    if restock is None:
        return table.assign(amazon_recommended_qty=pd.NA, amazon_ship_date=pd.NaT,
                            amazon_velocity=np.nan, restock_difference=pd.NA,
                            restock_difference_reason="no_restock_report")
    amazon = restock.drop_duplicates("sku", keep="last").set_index("sku").reindex(table.index)
    qty = pd.to_numeric(amazon["recommended_replenishment_qty"], errors="coerce")
    velocity = pd.to_numeric(_column(amazon, "units_sold_last_30_days", table.index),
                             errors="coerce") / 30.0
    ours = table["order_qty"].astype(float)
    diff = ours - qty
    agree = diff.abs() <= rep["restock_agree_fraction"] * np.maximum(ours, qty)
    reasons = rep["restock_reasons"]
    ratio = reasons["velocity_ratio"]
    # a Restock report that lists only some SKUs leaves NaN (and object dtypes) in the rest
    qty, velocity = qty.astype(float), velocity.astype(float)
    rate = table["daily_rate"].astype(float)
    conditions = [qty.isna(), agree,
                  (ours > qty) & (table["lead_time_days"] > reasons["longer_lead_time_days"]),
                  (ours < qty) & (table["on_order"].astype(float) > 0) & (ours == 0),
                  (ours < qty) & (rate < velocity / ratio),
                  (ours > qty) & (rate > ratio * velocity),
                  ours > qty]
    reason = np.select(
        [np.asarray(c.fillna(False), dtype=bool) for c in conditions],
        ["not_in_restock_report", "restock_agree", "longer_lead_time", "counts_inbound",
         "lower_forecast", "higher_forecast", "higher_service_target"],
        "smaller_cover_target")
    return table.assign(amazon_recommended_qty=qty.round().astype("Int64"),
                        amazon_ship_date=pd.to_datetime(_column(amazon, "recommended_ship_date",
                                                                table.index, None)),
                        amazon_velocity=velocity,
                        restock_difference=diff.round().astype("Int64"),
                        restock_difference_reason=reason)


def _status(table, as_of, rep, arrives_after_stockout, stockout_before_inbound) -> pd.DataFrame:
    """The decision inputs per SKU and the status, reason and action of the decision table.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`recommend_orders` rows indexed by sku with ``aged_units_now`` and
        ``aged_units_next_snapshot``.
    as_of : pandas.Timestamp
    rep : dict
        Params ``replenishment`` (``max_cover_days``, ``reorder_soon_days``).
    arrives_after_stockout, stockout_before_inbound : pandas.Series of bool
        The order by the chosen mode lands after the projected stockout; stock runs out before
        the inbound on its way lands (:func:`opsanalysis.replenishment.risk.stockout_exposure`).
    """
    as_of = pd.Timestamp(as_of)
    rate = table["daily_rate"].astype(float)
    position = table["inventory_position"].astype(float)
    cover_total = np.divide(position, rate, out=np.full(len(table), np.inf), where=rate > 0)
    max_cover_line = table["lead_time_demand"].astype(float) + rate * rep["max_cover_days"]
    order_by = table["order_by"]
    inputs = pd.DataFrame({
        "has_demand": rate > 0,
        "has_stock": position > 0,
        "arrives_after_stockout": arrives_after_stockout.reindex(table.index).fillna(False),
        "stockout_before_inbound": stockout_before_inbound.reindex(table.index).fillna(False),
        "below_reorder_point": position <= table["reorder_point"].astype(float),
        "order_due_soon": order_by.notna() & (
            order_by <= as_of + pd.Timedelta(days=rep["reorder_soon_days"])),
        "aged": (table["aged_units_now"].fillna(0) > 0)
        | (table["aged_units_next_snapshot"].fillna(0) > 0),
        "above_max_cover": (position > max_cover_line)
        & (position > table["order_up_to"].astype(float)),
    }, index=table.index).astype(bool)
    decided = decisions.decide(inputs)
    table = table.drop(columns=[c for c in [*inputs, *decided, "reason"] if c in table])
    return table.join(inputs).join(decided).assign(
        stockout_risk=inputs["arrives_after_stockout"] | inputs["stockout_before_inbound"],
        overstock=inputs["above_max_cover"],
        days_of_cover_total=cover_total, max_cover_line=max_cover_line)


def _decide_on_shipping_mode(table, data, params, as_of, legs, master_idx, mean):
    """Stockout exposure on the chosen freight mode, the final decision, and order dates only
    where the status orders (the projected date stays in ``next_order_date``)."""
    skus = table.index
    table["unit_price"] = risk.unit_prices(data, skus, master_idx)
    exposure = risk.stockout_exposure(table, legs, mean, as_of, params, table["unit_price"],
                                      _column(master_idx, "item_weight_kg", skus).astype(float))
    table = _status(table.drop(columns=[c for c in exposure if c in table]).join(exposure),
                    as_of, params["replenishment"], exposure["arrives_after_stockout"],
                    exposure["stockout_before_inbound"])
    ordering = table["status"].isin(ORDERING_STATUSES)
    # awaiting the inbound, no order is placed now: the loss is the one until the inbound lands
    waiting = table["status"] == "awaiting_inbound"
    table["expected_lost_units"] = table["lost_units_until_inbound"].where(
        waiting, table["expected_lost_units"])
    table["expected_lost_sales"] = table["lost_sales_until_inbound"].where(
        waiting, table["expected_lost_sales"])
    # one reason per recommendation: only a status that orders carries a quantity
    table["order_qty"] = table["order_qty"].where(
        table["status"].isin(["stockout_risk", "order_now"]), 0)
    table["next_order_date"] = table["order_by"]
    table["order_by"] = table["order_by"].where(ordering)
    table["ship_by"] = table["ship_by"].where(ordering)
    return table


def status_by_sku(result: ReplenishmentPlan) -> pd.DataFrame:
    """The plan's status of each SKU with its reason, for other sections to point to.

    The scorecard's days-of-cover rows name their driver SKUs; this gives, per SKU, what the plan
    decided and why (the cover the plan targets in words).

    Parameters
    ----------
    result : ReplenishmentPlan

    Returns
    -------
    pandas.DataFrame
        Indexed by sku: ``status``, ``action``, ``reason``, ``reason_text`` (once
        :func:`opsanalysis.replenishment_sections.add_reason_texts` has put it), ``order_qty``
        [units], ``order_by`` (date), ``freight_mode``, ``days_of_cover_total`` [days],
        ``reorder_point`` [units].
    """
    columns = ["sku", "status", "action", "reason", "reason_text", "order_qty", "order_by",
               "freight_mode", "days_of_cover_total", "reorder_point"]
    return result.table[[c for c in columns if c in result.table]].set_index("sku")


def _expedite_mode(table, legs, as_of) -> pd.Series:
    """Freight mode of the order: the planned mode, or air when the planned mode would land
    after the projected stockout and air would not."""
    mode = legs["freight_mode"].copy()
    if "lead_time_air" in legs:
        stockout = table["projected_stockout_date"]
        planned_late = stockout < as_of + pd.to_timedelta(legs["lead_time_days"], unit="D")
        air_faster = legs["lead_time_air"] < legs["lead_time_days"]
        urgent = (table["status"].isin(["stockout_risk", "order_now"]) & planned_late.fillna(False)
                  & air_faster)
        mode = mode.where(~urgent, "air")
    return mode


def plan(data, params: dict, as_of=None, *, history: pd.DataFrame | None = None,
         forecast: pd.DataFrame | None = None) -> ReplenishmentPlan:
    """Replenishment plan of one marketplace.

    Parameters
    ----------
    data : MarketplaceData
        From :func:`opsanalysis.io.load_marketplace` (needs ``all_orders``, else
        ``business_report_asin``, and an inventory report; uses ``inventory_history``, ``business_report_asin``, ``product_master``,
        ``inventory_planning``, ``restock`` when present).
    params : dict
        From :func:`opsanalysis.params.load` (``lead_time``, ``replenishment``, ``fees``,
        ``forecast``).
    as_of : date-like, optional
        Planning date; default the last order date.
    history, forecast : pandas.DataFrame, optional
        A demand panel (:func:`opsanalysis.demand.build_panel`) and a daily forecast to reuse;
        computed when omitted (``forecast.method`` at the planning level factor,
        :func:`~opsanalysis.replenishment.orders.planning_forecast_params`).

    Returns
    -------
    ReplenishmentPlan
        ``table`` has one row per SKU: ``sku``, ``asin``, ``title``, ``status`` (one of
        :data:`STATUSES`), ``action`` (:data:`ACTIONS`), ``freight_mode``, ``order_qty``
        [units], ``order_by``, ``ship_by``, ``expected_arrival`` (dates), ``on_hand``,
        ``on_order``, ``inventory_position``, ``reorder_point``, ``order_up_to``,
        ``safety_stock`` [units], ``daily_rate`` [units/day], ``days_of_cover_now``,
        ``days_of_cover_total`` [days], ``projected_stockout_date``, ``lead_time_days`` [days],
        ``q4`` (bool), ``stockout_risk``, ``overstock``, ``aged`` (bool), ``aged_units_now``,
        ``aged_units_next_snapshot`` [units], ``order_cost`` [cost currency],
        ``cost_currency``, ``projected_storage_fee``, ``projected_aged_surcharge``
        [currency, next ``fee_outlook_months`` months], ``arrival_cutoff`` (the next of the
        cut-offs of the plan's own window, :func:`opsanalysis.cutoffs.event_cutoffs`; NaT when
        it is not dated), ``arrival_cutoff_event``, ``misses_arrival_cutoff`` (bool: the
        order lands after it), ``next_cutoff_event``, ``next_cutoff``, ``cutoffs_missed``,
        ``misses_cutoff`` (:func:`opsanalysis.cutoffs.cutoffs_met`), ``amazon_recommended_qty``,
        ``amazon_ship_date``, ``restock_difference`` (ours - Amazon) [units],
        ``restock_difference_reason``, ``currency``; the decision
        (:mod:`~opsanalysis.replenishment.decisions`, docs/decisions.md): ``status``,
        ``action``, ``reason``, ``decision_row`` and its inputs (``has_demand``, ``has_stock``,
        ``arrives_after_stockout``, ``below_reorder_point``, ``order_due_soon``, ``aged``,
        ``above_max_cover``, ``stockout_before_inbound``) (the reason in words:
        :mod:`opsanalysis.replenishment_sections`), ``inbound_sellable_date`` (about when the
        inbound already on its way is sellable; NaT without inbound),
        ``order_by`` / ``ship_by`` only for statuses that order (else NaT; the date the
        SKU would reach its reorder point is ``next_order_date``), ``planning_lead_time_days``
        (lead time of the levels) [days], ``max_cover_line`` [units]; the risk on the chosen
        mode (:func:`~opsanalysis.replenishment.risk.stockout_exposure`):
        ``arrival_by_chosen_mode``, ``expected_lost_units`` [units], ``expected_lost_sales``
        [currency] (before that arrival; for ``awaiting_inbound``, before the inbound lands), ``unit_price`` [currency], ``avoiding_mode``, ``avoiding_mode_extra_cost``
        [currency]; ``demand_basis`` (:func:`~opsanalysis.replenishment.sources.sales_history`).
        ``notes`` says what the figures leave out; a folder without sales data or an inventory
        report gives an empty table and ``needs``, one sentence naming the report it needs.
    """
    rep = params["replenishment"]
    try:
        if history is None:
            history, basis, notes, warnings, as_of = sources.sales_history(data, params, as_of)
        else:
            basis, notes, warnings = "all_orders_forecast", [], []
            as_of = pd.Timestamp(history["ds"].max() if as_of in (None, "") else as_of)
        as_of = pd.Timestamp(as_of)
        position = pipeline_position(data, as_of)
    except sources.PlanNeedsData as error:
        return _empty_plan(params, as_of, error.note or str(error))
    history = history.assign(sku=_sku_of(history["unique_id"]))
    placeholder = io.is_placeholder_sku(pd.Series(position.index, dtype=object)).to_numpy()
    if placeholder.any():
        warnings.append(sources.PlanNote("plan_warning_placeholder_inventory", {
            "skus": ", ".join(map(str, position.index[placeholder]))}))
        position = position[~placeholder]
    skus = position.index.union(pd.Index(history["sku"].unique())).rename("sku")
    position = position.reindex(skus)
    master = data.get("product_master")
    legs = lead_time_legs(skus, master, params, as_of)
    master_idx = None if master is None else master.drop_duplicates("sku", keep="last") \
        .set_index("sku").reindex(skus)
    case_pack = _column(master_idx, "case_pack", skus).astype(float)
    moq = _column(master_idx, "moq", skus).astype(float)
    # Days until inbound is sellable: receiving = check-in; shipped = mid-transit on average
    # (half the freight) + customs + check-in; working (not yet shipped) = freight + customs +
    # check-in. One figure per SKU: the unit-weighted mean.
    after_production = legs["lead_time_days"] - legs["production_days"]
    freight = after_production - legs["customs_days"] - legs["check_in_days"]
    on_order_days = (legs["check_in_days"] * position["inbound_receiving"].fillna(0)
                     + (after_production - freight / 2) * position["inbound_shipped"].fillna(0)
                     + after_production * position["inbound_working"].fillna(0)
                     ) / position["on_order"].where(position["on_order"] > 0)
    order_input = pd.DataFrame({
        "unique_id": skus, "on_hand": position["on_hand"].fillna(0).to_numpy(),
        "on_order": position["on_order"].fillna(0).to_numpy(),
        "on_order_days": on_order_days.fillna(0).to_numpy(),
        "lead_time_days": legs["lead_time_days"].to_numpy(),
        "lead_time_cv": legs["lead_time_cv"].to_numpy(),
        "production_days": legs["production_days"].to_numpy(),
        "case_pack": case_pack.to_numpy(), "moq": moq.to_numpy(),
    })
    daily = history.assign(unique_id=history["sku"])[["unique_id", "ds", "y"]]
    settings = {**params, "lead_time_cv": rep["lead_time_cv_default"]}
    # recommend_orders' horizon (cover target or rate window after arrival) plus the fee outlook
    horizon = int(legs["lead_time_days"].max() + rep["review_period_days"]
                  + max(rep["target_cover_days"], rep["rate_window_days"])
                  + 31 * rep["fee_outlook_months"]) + 1
    if forecast is None and basis.endswith("_rule_of_thumb"):
        forecast = sources.velocity_forecast(daily, as_of, horizon)
    elif forecast is None:
        from opsanalysis import forecast as forecast_module

        forecast = forecast_module.predict(daily, horizon, method=params["forecast"]["method"],
                                           quantiles=(0.5, rep["forecast_quantile"]),
                                           params=planning_forecast_params(params))
    forecast = forecast.assign(sku=_sku_of(forecast["unique_id"]))
    fc = forecast.assign(unique_id=forecast["sku"])
    table = recommend_orders(daily, order_input, settings, as_of, forecast=fc)
    table = table.rename(columns={"unique_id": "sku"}).set_index("sku")
    result = _finish(table, data, params, as_of, legs, position, master_idx, fc, history,
                     forecast, order_input)
    result.table["demand_basis"] = basis
    result.notes, result.warnings = notes, warnings
    return result


def _sku_of(unique_id: pd.Series) -> pd.Series:
    """The SKU of each ``unique_id`` ("<MP>:<sku>", or the SKU alone): the text after the first
    colon.

    Worked out once per distinct id and spread back over the rows (a panel of 2,500 SKUs over
    two years has 2 million rows and 2,500 ids; splitting every row's text took ~7 CPU s);
    the same values and dtype as ``unique_id.astype(str).str.split(":", n=1).str[-1]``.
    """
    codes, uniques = pd.factorize(unique_id, use_na_sentinel=False)
    skus = pd.Series(uniques, dtype=unique_id.dtype).astype(str).str.split(":", n=1).str[-1]
    return pd.Series(skus.take(codes).to_numpy(), index=unique_id.index, name=unique_id.name,
                     dtype=skus.dtype)


def _empty_plan(params, as_of, needs) -> ReplenishmentPlan:
    """A plan without rows that says what it needs (:class:`sources.PlanNeedsData`: its
    :class:`sources.PlanNote`, or an English sentence)."""
    as_of = None if as_of in (None, "") else pd.Timestamp(as_of)
    table = pd.DataFrame({column: pd.Series(dtype=object) for column in PLAN_COLUMNS})
    for column in ("stockout_risk", "overstock", "aged", "q4", "arrives_after_stockout",
                   "stockout_before_inbound"):
        table[column] = table[column].astype(bool)
    return ReplenishmentPlan(params["marketplace"], params["currency"], as_of, table,
                             pd.DataFrame(columns=["month", "storage_type", "volume_cuft",
                                                   "storage_fee", "aged_surcharge", "currency",
                                                   "fee_table_version"]),
                             pd.DataFrame(columns=["unique_id", "ds", "y", "sku", "units"]),
                             pd.DataFrame(columns=["unique_id", "ds", "forecast", "sku"]),
                             _fee_table(params), needs=needs)


def _timezone(code: str) -> str:
    from opsanalysis import marketplaces

    return marketplaces.get(code).timezone


def _finish(table, data, params, as_of, legs, position, master_idx, fc, history, forecast,
            order_input) -> ReplenishmentPlan:
    rep = params["replenishment"]
    skus = table.index
    from opsanalysis.replenishment.orders import demand_matrices

    horizon = int(fc["ds"].nunique())
    mean, _ = demand_matrices(fc, skus, as_of + pd.Timedelta(days=1), horizon,
                              rep["forecast_quantile"])
    volume = _column(master_idx, "item_volume_cuft", skus).astype(float).fillna(
        position["unit_volume_cuft"]).fillna(rep["unit_volume_cuft"])
    storage = _column(master_idx, "storage_type", skus, None).fillna(
        position.get("storage_type", pd.Series(index=skus, dtype=object))).fillna(
        rep["storage_type"]).astype(str).str.lower()
    table["unit_volume_cuft"] = volume
    table["storage_type"] = storage
    table["aged_units_now"] = position[["inv_age_181_to_270_days", "inv_age_271_to_365_days",
                                        "inv_age_365_plus_days"]].sum(axis=1, min_count=1)
    aged = _aged_projection(position, mean, as_of, params, volume.to_numpy(),
                            rep["fee_outlook_months"])
    for key, values in aged.items():
        table[key] = values
    if "aged_units_next_snapshot" not in table:
        table["aged_units_next_snapshot"] = 0.0
    table["planning_lead_time_days"] = table["lead_time_days"]
    # a first decision without the arrival test picks the freight mode; the risk is then judged
    # on the mode that ships and the final decision made with it (after the mode choice below)
    no = pd.Series(False, index=skus)
    table = _status(table, as_of, rep, no, no)
    mode = _expedite_mode(table, legs, as_of)
    # never a mode that loses money while another makes money (issue 15.4)
    landed = profit.profitable_mode(mode, profit.margins_by_mode(
        None if master_idx is None else master_idx.reset_index(), params, as_of), legs)
    mode = landed.pop("freight_mode")
    table = table.join(landed)
    mode_lead = pd.Series([legs.at[s, f"lead_time_{m}"] for s, m in zip(skus, mode, strict=True)],
                          index=skus)
    table["freight_mode"] = mode
    table["lead_time_days"] = mode_lead
    table["q4"] = legs["q4"]
    table["on_order_days"] = order_input.set_index("unique_id")["on_order_days"]
    table = _decide_on_shipping_mode(table, data, params, as_of, legs, master_idx, mean)
    table["expected_arrival"] = (table["order_by"] + pd.to_timedelta(mode_lead, unit="D")).where(
        table["order_qty"].astype(float) > 0)
    ahead = cutoffs.event_cutoffs(params, as_of, params["events"]["cutoff_horizon_days"])
    table = _arrival_cutoff(table, ahead, as_of)
    table = table.join(cutoffs.cutoffs_met(table["expected_arrival"], ahead))
    stock, _ = _projected_stock(order_input["on_hand"].to_numpy(), order_input["on_order"]
                                .to_numpy(), order_input["on_order_days"].to_numpy(),
                                table["order_qty"].astype(float).to_numpy(),
                                (table["order_by"] - as_of).dt.days.fillna(0).to_numpy()
                                + mode_lead.to_numpy(), mean)
    fees = _fee_outlook(table, stock, params, as_of, rep["fee_outlook_months"],
                        rep["capacity_limits"])
    months = [c for c in table if c.startswith("aged_surcharge_")]
    # one unknown month leaves the total unknown (never summed as 0)
    table["projected_aged_surcharge"] = table[months].sum(axis=1, skipna=False) if months \
        else np.nan
    table["projected_storage_fee"] = _sku_storage(table, stock, params, as_of,
                                                  rep["fee_outlook_months"])
    unit_cost = _column(master_idx, "unit_cost", skus).astype(float)
    table["order_cost"] = table["order_qty"].astype(float) * unit_cost
    table["cost_currency"] = _column(master_idx, "cost_currency", skus, None).fillna(
        params["currency"])
    table["currency"] = params["currency"]
    table["asin"] = _column(master_idx, "asin", skus, None)
    table["title"] = _column(master_idx, "title", skus, None)
    table = _restock_comparison(table, _latest(data.get("restock"), as_of), rep)
    table = table.reset_index()
    order = list(PLAN_COLUMNS[:-1])  # demand_basis is added by plan()
    table = table[order]
    rank = {s: i for i, s in enumerate(STATUSES)}
    table = table.sort_values(["status", "order_by", "sku"],
                              key=lambda c: c.map(rank) if c.name == "status" else c,
                              kind="stable").reset_index(drop=True)
    return ReplenishmentPlan(params["marketplace"], params["currency"], as_of, table, fees,
                             history, forecast, _fee_table(params), cutoffs=ahead)


def _arrival_cutoff(table, ahead: pd.DataFrame, as_of) -> pd.DataFrame:
    """The next FBA arrival cut-off of the plan's window, and who misses it.

    Parameters
    ----------
    table : pandas.DataFrame
        ``expected_arrival`` per SKU.
    ahead : pandas.DataFrame
        :func:`opsanalysis.cutoffs.event_cutoffs` of the plan's window.
    as_of : date-like

    Returns
    -------
    pandas.DataFrame
        ``table`` with ``arrival_cutoff`` (NaT when none lies ahead or the next is not dated),
        ``arrival_cutoff_event`` (None when none lies ahead) and ``misses_arrival_cutoff``
        (bool: the order lands after a dated cut-off).
    """
    upcoming = ahead[ahead["cutoff"].isna() | (ahead["cutoff"] >= pd.Timestamp(as_of))]
    if upcoming.empty:
        return table.assign(arrival_cutoff=pd.NaT, arrival_cutoff_event=None,
                            misses_arrival_cutoff=False)
    first = upcoming.iloc[0]  # event_cutoffs orders not dated ones by their usual day
    misses = table["expected_arrival"].notna() & (table["expected_arrival"] > first["cutoff"])
    return table.assign(arrival_cutoff=first["cutoff"], arrival_cutoff_event=first["event"],
                        misses_arrival_cutoff=misses)


def _sku_storage(table, stock, params, as_of, months) -> np.ndarray:
    dates = pd.date_range(pd.Timestamp(as_of) + pd.Timedelta(days=1), periods=stock.shape[1])
    keep = np.asarray(dates.to_period("M").isin(dates.to_period("M").unique()[:months]))
    total = np.zeros(len(table))
    for period in dates[keep].to_period("M").unique():
        inside = np.asarray(dates.to_period("M") == period)
        schedule = fees_module.fee_schedule(params, period.to_timestamp())
        if schedule is None:
            return np.full(len(table), np.nan)
        rate = fees_module.storage_rate(schedule, table["storage_type"].to_numpy(),
                                        np.full(len(table), period.month))
        total += stock[:, inside].mean(axis=1) * table["unit_volume_cuft"].to_numpy() * rate
    return total


def _fee_table(params) -> pd.DataFrame:
    rows = []
    for version in fees_module.fee_versions(params):
        off = version.get("storage_fee_off_peak") or {}
        peak = version.get("storage_fee_peak") or {}
        tiers = version.get("aged_inventory_surcharge") or []
        rows.append({
            "fee_table_version": version["version"], "effective_from": version["effective_from"],
            "verified": bool(version.get("verified")),
            "storage_fee_off_peak": off.get("standard", np.nan),
            "storage_fee_peak": peak.get("standard", np.nan),
            "aged_tiers": len(tiers), "source": version.get("source", ""),
        })
    return pd.DataFrame(rows)


def plan_sheets(result: ReplenishmentPlan) -> dict[str, pd.DataFrame]:
    """The plan split into one table per action, for the purchasing / logistics workbook.

    Returns
    -------
    dict of str to pandas.DataFrame
        Action id (:data:`ACTIONS` values, only those present) -> rows with the columns an
        operator acts on.
    """
    columns = ["sku", "asin", "title", "status", "freight_mode", "order_qty", "order_by",
               "ship_by", "expected_arrival", "on_hand", "on_order", "days_of_cover_now",
               "projected_stockout_date", "aged_units_now", "order_cost", "cost_currency",
               "amazon_recommended_qty", "restock_difference_reason"]
    sheets = {}
    for action in dict.fromkeys(ACTIONS.values()):
        rows = result.table[result.table["action"] == action]
        if not rows.empty:
            sheets[action] = rows[columns].reset_index(drop=True)
    return sheets


def plan_policy_comparison(result: ReplenishmentPlan, params: dict) -> pd.DataFrame:
    """Replay the marketplace's last year under ours and the peer policies (report section).

    The demand panel of the plan (censored days filled with the trailing mean) is replayed with
    the plan's median lead time, ``replenishment.simulation.service_levels``, the rule of thumb
    and the fixed covers (:func:`opsanalysis.replenishment.compare_policies`).

    Parameters
    ----------
    result : ReplenishmentPlan
    params : dict
        Loaded params (``replenishment`` and ``replenishment.simulation``; fee tables).

    Returns
    -------
    pandas.DataFrame
        :func:`opsanalysis.replenishment.simulation_summary` rows with ``policy`` and
        ``service_target`` columns; empty, with ``attrs["needs"]`` (one sentence), when the
        history is shorter than ``simulation.simulation_days`` + ``velocity_window_days``.
    """
    from opsanalysis.replenishment.simulate import (
        compare_policies,
        demand_for_replay,
        forecast_policy_options,
    )

    rep = params["replenishment"]
    sim = rep["simulation"]
    dates = pd.to_datetime(result.history["ds"])
    days = int((dates.max() - dates.min()).days) + 1 if len(dates) else 0
    needed = int(sim["simulation_days"]) + int(rep["velocity_window_days"])
    if result.table.empty or days < needed:  # nothing, or too little, to replay
        empty = pd.DataFrame(columns=["policy", "service_target", "fill_rate",
                                      "avg_on_hand_days", "total_cost"])
        empty.attrs["needs"] = (f"The policy comparison replays the last {sim['simulation_days']}"
                                f" days: it needs {needed} days of sales history; found {days}.")
        return empty
    history = result.history.assign(unique_id=result.history["sku"])
    replay = demand_for_replay(history, int(rep["velocity_window_days"]))
    settings = {
        "lead_time_days": float(result.table["lead_time_days"].median()),
        "lead_time_cv": rep["lead_time_cv_default"],
        "review_period_days": rep["review_period_days"],
        "fees": params, "unit_volume_cuft": rep["unit_volume_cuft"],
        "storage_type": rep["storage_type"], "aged_days": rep["aged_days"], "seed": sim["seed"],
    }
    return compare_policies(
        replay, settings, params=params, service_levels=sim["service_levels"],
        cover_days=rep["fixed_cover_days"], forecast_method=sim["forecast_method"],
        forecast_every_days=sim["forecast_every_days"], simulation_days=sim["simulation_days"],
        quantile=rep["forecast_quantile"], rule_of_thumb=rep["rule_of_thumb"],
        velocity_window_days=rep["velocity_window_days"],
        ours_options=forecast_policy_options(rep))

"""Stockout risk judged on the freight mode that ships: lost units, lost sales, the mode that avoids it.

Stable API (used by :func:`opsanalysis.replenishment.plan`):

- :func:`unit_prices` -- selling price per SKU [marketplace currency] from the product master,
  else the orders, else the Business Reports by ASIN;
- :func:`stockout_exposure` -- per SKU, the arrival by the chosen mode, whether it lands after the
  projected stockout, the expected lost units and sales in between, and the cheapest freight mode
  that would land in time with its extra freight cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsanalysis.io import is_cancelled

__all__ = ["stockout_exposure", "unit_prices"]


def unit_prices(data, skus: pd.Index, master: pd.DataFrame | None) -> pd.Series:
    """Selling price per SKU [marketplace currency]; NaN where no report gives one.

    Product master ``price`` first, then the mean item price per unit of the All Orders lines
    (not cancelled, with a price), then ordered product sales per unit of the Business Reports by
    ASIN.
    """
    price = pd.Series(np.nan, index=skus, dtype=float)
    if master is not None and "price" in master:
        price = pd.to_numeric(master["price"], errors="coerce").reindex(skus).astype(float)
    orders = data.get("all_orders")
    if orders is not None and {"item_price", "quantity"} <= set(orders):
        live = ~is_cancelled(orders).to_numpy(dtype=bool)
        # rows chosen on the whole frame, then only the columns used are copied
        lines = orders.loc[live, ["item_price", "quantity", "sku"]]
        amount = pd.to_numeric(lines["item_price"], errors="coerce")
        units = pd.to_numeric(lines["quantity"], errors="coerce").where(amount > 0)
        sums = pd.DataFrame({"sku": lines["sku"].astype(str), "amount": amount.where(units > 0),
                             "units": units}).groupby("sku")[["amount", "units"]].sum()
        price = price.fillna((sums["amount"] / sums["units"].where(sums["units"] > 0))
                             .reindex(skus))
    report = data.get("business_report_asin")
    if report is not None and "sku" in report:
        sums = pd.DataFrame({"sku": report["sku"].astype(str),
                             "amount": pd.to_numeric(report["ordered_product_sales"],
                                                     errors="coerce"),
                             "units": pd.to_numeric(report["units_ordered"], errors="coerce")}
                            ).groupby("sku")[["amount", "units"]].sum()
        price = price.fillna((sums["amount"] / sums["units"].where(sums["units"] > 0))
                             .reindex(skus))
    return price


def _freight_per_unit(params: dict, weight: pd.Series) -> pd.DataFrame:
    """Head-haul freight per unit and mode [marketplace currency]; NaN without weight or rate."""
    freight = params["opportunity"]["head_haul_freight"]
    per_kg = {mode: float(rate) for mode, rate in freight["per_kg"].items()}
    if freight["currency"] == params["currency"]:
        factor = 1.0
    else:
        entry = (params["opportunity"].get("fx_rates") or {}).get(freight["currency"])
        rate = entry.get("rate") if isinstance(entry, dict) else entry
        factor = 1.0 / float(rate) if rate else np.nan  # rates: freight currency per unit
    return pd.DataFrame({mode: weight * rate * factor for mode, rate in per_kg.items()})


def _lost_before(table: pd.DataFrame, mean: np.ndarray, arrival_day: np.ndarray) -> np.ndarray:
    """Expected demand not served before ``arrival_day`` [units]: stock on hand plus inbound as it
    lands (``on_order`` after ``on_order_days``), lost sales not carried forward.

    Day ``d`` (1-based, after ``as_of``) is served when ``d < arrival_day``.
    """
    level = table["on_hand"].astype(float).fillna(0).to_numpy().copy()
    inbound = table["on_order"].astype(float).fillna(0).to_numpy()
    lands = np.rint(table["on_order_days"].astype(float).fillna(0).to_numpy())
    horizon = int(min(np.nanmax(np.nan_to_num(arrival_day), initial=0.0), mean.shape[1]))
    lost = np.zeros(len(level))
    for day in range(1, horizon + 1):
        open_ = day < arrival_day
        level += np.where(lands <= day, inbound, 0.0)
        inbound = np.where(lands <= day, 0.0, inbound)
        demand = mean[:, day - 1]
        lost += np.where(open_, np.maximum(demand - level, 0.0), 0.0)
        level = np.maximum(level - demand, 0.0)
    return lost


def stockout_exposure(table: pd.DataFrame, legs: pd.DataFrame, mean: np.ndarray, as_of,
                      params: dict, price: pd.Series, weight: pd.Series) -> pd.DataFrame:
    """Arrival by the chosen mode against the projected stockout, per SKU.

    An order is placed on its order-by date (today when it is due now or none is planned) and
    lands after the lead time of ``table["freight_mode"]``. Until then the expected stock (on hand,
    inbound as it lands) serves the forecast demand; what it cannot serve is lost (Amazon does not
    back-order). When any demand is lost before the arrival (+
    ``replenishment.stockout_risk_days``) the order arrives after the stockout, and the cheapest
    mode (head-haul freight per kg, params ``opportunity.head_haul_freight``) that would lose
    nothing is named with its extra freight cost for the order.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by sku: ``freight_mode``, ``order_by`` (NaT: no order planned), ``order_qty``,
        ``on_hand``, ``on_order`` [units], ``on_order_days`` (days until the inbound is
        sellable) [days].
    legs : pandas.DataFrame
        :func:`~opsanalysis.replenishment.plan.lead_time_legs` (``lead_time_<mode>``) [days].
    mean : numpy.ndarray
        Daily forecast mean, SKU x day from the day after ``as_of`` [units per day].
    as_of : date-like
    params : dict
        Loaded params (``replenishment``, ``opportunity.head_haul_freight`` and ``fx_rates``).
    price, weight : pandas.Series
        Selling price [currency] and unit weight [kg] per sku (NaN: unknown).

    Returns
    -------
    pandas.DataFrame
        Indexed by sku: ``arrival_by_chosen_mode`` (date), ``arrives_after_stockout`` (bool),
        ``expected_lost_units`` [units], ``expected_lost_sales`` [currency, NaN: price not
        known], ``avoiding_mode`` (cheapest mode landing by the stockout; "none" when no mode
        does; empty when nothing is lost), ``avoiding_mode_extra_cost`` [currency, NaN: not
        estimated]; the inbound already on its way: ``inbound_sellable_date`` (date, NaT
        without inbound), ``stockout_before_inbound`` (bool), ``lost_units_until_inbound``
        [units] and ``lost_sales_until_inbound`` [currency] (demand lost before it lands).
    """
    as_of = pd.Timestamp(as_of)
    skus = table.index
    modes = [m for m in params["lead_time"]["freight_days"] if f"lead_time_{m}" in legs]
    start = table["order_by"].where(table["order_by"].notna(), as_of)
    start = start.where(start >= as_of, as_of)
    offset = (start - as_of).dt.days.to_numpy(dtype=float)
    lead = {m: legs[f"lead_time_{m}"].reindex(skus).to_numpy(dtype=float) for m in modes}
    chosen = np.array([lead[m][i] if m in lead else np.nan
                       for i, m in enumerate(table["freight_mode"].astype(str))])
    arrival_day = offset + chosen
    slack = float(params["replenishment"]["stockout_risk_days"])
    lost = _lost_before(table, mean, arrival_day)
    late = _lost_before(table, mean, arrival_day + slack) > 1e-9
    freight = _freight_per_unit(params, weight.reindex(skus).astype(float))
    by_cost = sorted(modes, key=lambda m: params["opportunity"]["head_haul_freight"]["per_kg"]
                     .get(m, np.inf))
    avoiding = np.full(len(skus), "", dtype=object)
    extra = np.full(len(skus), np.nan)
    quantity = table["order_qty"].astype(float).fillna(0).to_numpy()
    for i in np.flatnonzero(late):
        fits = [m for m in by_cost
                if _lost_before(table.iloc[[i]], mean[[i]],
                                np.array([offset[i] + lead[m][i] + slack]))[0] <= 1e-9]
        avoiding[i] = fits[0] if fits else "none"
        if fits and quantity[i] > 0:
            own = table["freight_mode"].iloc[i]
            extra[i] = quantity[i] * (freight[fits[0]].iloc[i] - freight[own].iloc[i]) \
                if own in freight else np.nan
    inbound = _inbound_gap(table, mean, as_of)
    unit_price = price.reindex(skus).to_numpy(dtype=float)
    return pd.DataFrame({
        "arrival_by_chosen_mode": as_of + pd.to_timedelta(arrival_day, unit="D"),
        "arrives_after_stockout": late,
        **inbound,
        "expected_lost_units": lost,
        "expected_lost_sales": _sales_of(lost, unit_price),
        "avoiding_mode": avoiding,
        "avoiding_mode_extra_cost": extra,
        "lost_sales_until_inbound": _sales_of(inbound["lost_units_until_inbound"], unit_price),
    }, index=skus)


def _sales_of(units, unit_price):
    """Sales of ``units`` [currency]: 0 for no unit even without a price (never "not estimated"
    beside 0 lost units), NaN where units are lost and the price is unknown."""
    units = np.asarray(units, dtype=float)
    return np.where(units == 0, 0.0, units * unit_price)


def _inbound_gap(table: pd.DataFrame, mean: np.ndarray, as_of) -> dict:
    """When the inbound already on its way is sellable, and the demand lost before it is.

    Returns
    -------
    dict
        ``inbound_sellable_date`` (as of + ``on_order_days``; NaT without inbound),
        ``lost_units_until_inbound`` [units], ``stockout_before_inbound`` (bool: some demand is
        lost before the inbound lands).
    """
    has_inbound = table["on_order"].astype(float).fillna(0).to_numpy() > 0
    lands = table["on_order_days"].astype(float).fillna(0).to_numpy()
    lost = np.where(has_inbound, _lost_before(table, mean, np.where(has_inbound, lands, 0.0)),
                    0.0)
    sellable = pd.Timestamp(as_of) + pd.to_timedelta(np.rint(lands), unit="D")
    return {"inbound_sellable_date": pd.Series(sellable, index=table.index).where(has_inbound),
            "lost_units_until_inbound": lost, "stockout_before_inbound": lost > 1e-9}

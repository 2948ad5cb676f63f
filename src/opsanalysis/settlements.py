"""Profit from what Amazon actually charged, reconciliation and the payout calendar (回款).

From the settlement flat file V2 (``settlement_v2``) or the Date Range transaction report
(``date_range_transactions``), both read by :mod:`opsanalysis.io.kinds_finance`:

- :func:`settlement_charges` / :func:`transaction_charges`: every amount as one row of a long
  table with its charge (``sales``, ``referral_fee``, ``fba_fee``, ``refunds``, ``advertising``,
  ``storage`` ...);
- :func:`charge_table`: those charges per order, SKU and month (or any grouping);
- :func:`sku_profit` and :func:`marketplace_profit`: profit and margin with the landed cost
  (product cost + head-haul freight + duty) of :func:`opsanalysis.profit.landed_margins`;
- :func:`margin_stability`: the gross-margin stability rule (params ``rules.
  gross_margin_stability``, month over month);
- :func:`unsettled_orders` and :func:`fee_differences`: orders never settled, fees charged
  otherwise than the FBA fee preview said;
- :func:`payout_calendar`: per settlement what Amazon holds back (reserve), the deposit date and
  the amount, in the marketplace currency and in CNY (params ``opportunity.fx_rates``).

Money is in the marketplace currency and signed as Amazon writes it: money to the seller
positive, charges negative. An unknown cost is never counted as 0: the profit is NaN and
``not_estimated_reason`` says what is missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsanalysis import profit
from opsanalysis.frames import as_float, safe_divide

__all__ = ["CHARGES", "SKU_CHARGES", "charge_table", "fee_differences", "margin_stability",
           "marketplace_profit", "payout_calendar", "settlement_charges", "settlement_periods",
           "sku_profit", "transaction_charges", "unsettled_orders"]

#: Charges of the long table, in the order tables show them.
CHARGES = ("sales", "promotions", "tax", "refunds", "referral_fee", "fba_fee", "refund_fees",
           "advertising", "storage", "other_fees", "reserve", "transfers")
#: Charges that belong to one order item (and so to one SKU); the others are the account's.
SKU_CHARGES = ("sales", "promotions", "tax", "refunds", "referral_fee", "fba_fee", "refund_fees")
_LONG_COLUMNS = ["settlement_id", "posted_date", "month", "order_id", "sku", "units", "charge",
                 "amount", "currency"]


def _text(frame, name) -> pd.Series:
    if name in frame:
        return frame[name].astype("string").fillna("")
    return pd.Series("", index=frame.index, dtype="string")


def _local_date(values) -> pd.Series:
    values = pd.Series(values)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    return pd.to_datetime(values).dt.normalize()


def _settlement_charge(frame) -> np.ndarray:
    """The charge of each settlement amount, from its transaction and amount type."""
    transaction = _text(frame, "transaction_type").str.lower()
    kind = _text(frame, "amount_type").str.lower()
    description = _text(frame, "amount_description").str.lower()
    refund = transaction.str.contains("refund|chargeback", regex=True)
    fee = kind.eq("itemfees")
    conditions = [
        description.str.contains("reserve"),
        description.str.contains("storage") | transaction.str.contains("storage"),
        kind.str.contains("advertising") | transaction.str.contains("advertising"),
        refund & fee,
        refund,
        kind.str.contains("tax") | (kind.eq("itemprice") & description.str.contains("tax")),
        kind.eq("promotion"),
        kind.eq("itemprice"),
        fee & description.str.contains("commission|closing", regex=True),
        fee & description.str.startswith("fba"),
    ]
    choices = ["reserve", "storage", "advertising", "refund_fees", "refunds", "tax",
               "promotions", "sales", "referral_fee", "fba_fee"]
    return np.select(conditions, choices, "other_fees")


def settlement_charges(settlement: pd.DataFrame) -> pd.DataFrame:
    """Every amount of settlement flat files V2 with the charge it belongs to.

    Parameters
    ----------
    settlement : DataFrame
        Canonical ``settlement_v2`` frame (one or several settlements); the summary rows (a
        ``total_amount`` and no ``amount``) are left out.

    Returns
    -------
    DataFrame
        settlement_id, posted_date (marketplace-local day), month (first day), order_id, sku,
        units (quantity of the sales and refund principal rows, else 0) [units], charge (one of
        :data:`CHARGES`), amount [currency, signed], currency.
    """
    rows = settlement[settlement["amount"].notna()].reset_index(drop=True)
    posted = (_local_date(rows["posted_date"]) if "posted_date" in rows
              else _local_date(rows["posted_date_time"]))
    charge = _settlement_charge(rows)
    principal = _text(rows, "amount_description").str.lower().eq("principal").to_numpy()
    quantity = as_float(rows["quantity_purchased"]) if "quantity_purchased" in rows else 0.0
    units = np.where(principal & np.isin(charge, ("sales", "refunds")), quantity, 0.0)
    return pd.DataFrame({
        "settlement_id": _text(rows, "settlement_id"), "posted_date": posted,
        "month": posted.dt.to_period("M").dt.to_timestamp(),
        "order_id": _text(rows, "order_id"), "sku": _text(rows, "sku"),
        "units": np.nan_to_num(np.asarray(units, dtype=float)), "charge": charge,
        "amount": as_float(rows["amount"]).to_numpy(), "currency": _text(rows, "currency"),
    })[_LONG_COLUMNS]


# Date Range report: money columns of an order or refund line and the charge they belong to.
_TRANSACTION_COLUMNS = {
    "sales": ("product_sales", "shipping_credits", "gift_wrap_credits"),
    "tax": ("product_sales_tax", "shipping_credits_tax", "gift_wrap_credits_tax",
            "promotional_rebates_tax", "sales_tax_collected", "marketplace_facilitator_tax",
            "marketplace_withheld_tax"),
    "promotions": ("promotional_rebates",),
    "referral_fee": ("selling_fees",),
    "fba_fee": ("fba_fees",),
    "other_fees": ("other_transaction_fees", "other", "regulatory_fee", "regulatory_fee_tax",
                   "amazon_points_cost"),
}


def transaction_charges(transactions: pd.DataFrame, currency: str) -> pd.DataFrame:
    """Every money cell of a Date Range transaction report with the charge it belongs to.

    Order lines split into sales, tax, promotions, referral and FBA fees; refund lines into
    refunds (their sales, tax and promotions) and refund fees; other lines by their English
    type and description (advertising, storage, transfers to the bank, other fees, reserves).

    Parameters
    ----------
    transactions : DataFrame
        Canonical ``date_range_transactions`` frame.
    currency : str
        The marketplace currency (the report states it only in its preamble).

    Returns
    -------
    DataFrame
        Same columns as :func:`settlement_charges`.
    """
    rows = transactions.reset_index(drop=True)
    kind = _text(rows, "type").str.lower()
    description = _text(rows, "description").str.lower()
    posted = _local_date(rows["date_time"])
    parts = []
    for charge, columns in _TRANSACTION_COLUMNS.items():
        present = [c for c in columns if c in rows]
        amount = (rows[present].apply(as_float).sum(axis=1) if present
                  else pd.Series(0.0, index=rows.index))
        refund = kind.str.contains("refund")
        if charge in ("sales", "tax", "promotions"):
            named = np.where(refund, "refunds", charge)
        else:
            named = np.where(refund, "refund_fees", charge)
        line = kind.isin(["order", "refund"]) | refund
        parts.append(pd.DataFrame({"row": rows.index[line], "charge": named[line],
                                   "amount": amount[line].to_numpy(),
                                   "units": np.where(charge == "sales", as_float(
                                       _column(rows, "quantity")).abs(), 0.0)[line]}))
    other = ~(kind.isin(["order", "refund"]) | kind.str.contains("refund"))
    named = np.select([description.str.contains("advertising"),
                       kind.str.contains("inventory fee") | description.str.contains("storage"),
                       kind.eq("transfer"), description.str.contains("reserve")],
                      ["advertising", "storage", "transfers", "reserve"], "other_fees")
    parts.append(pd.DataFrame({"row": rows.index[other], "charge": named[other],
                               "amount": as_float(rows["total"])[other].to_numpy(),
                               "units": 0.0}))
    long = pd.concat(parts, ignore_index=True)
    long = long[long["amount"].fillna(0) != 0]
    at = long["row"].to_numpy()
    out = pd.DataFrame({
        "settlement_id": _text(rows, "settlement_id").to_numpy()[at],
        "posted_date": posted.to_numpy()[at], "order_id": _text(rows, "order_id").to_numpy()[at],
        "sku": _text(rows, "sku").to_numpy()[at], "units": long["units"].to_numpy(),
        "charge": long["charge"].to_numpy(), "amount": long["amount"].to_numpy(),
        "currency": currency})
    out["month"] = out["posted_date"].dt.to_period("M").dt.to_timestamp()
    return out.sort_values("posted_date", kind="stable").reset_index(drop=True)[_LONG_COLUMNS]


def _column(frame, name):
    return frame[name] if name in frame else pd.Series(np.nan, index=frame.index)


def charge_table(charges: pd.DataFrame, by=("order_id", "sku", "month")) -> pd.DataFrame:
    """Charges summed per group: one column per charge, units sold and refunded, net amount.

    Parameters
    ----------
    charges : DataFrame
        From :func:`settlement_charges` or :func:`transaction_charges`.
    by : sequence of str
        Grouping columns of ``charges`` (default per order, SKU and month).

    Returns
    -------
    DataFrame
        ``by`` columns, units_sold, units_refunded [units], one column per charge of
        :data:`CHARGES` and net_amount (their sum: what Amazon paid out for the group)
        [currency, signed], currency.
    """
    by = list(by)
    table = charges.pivot_table(index=by, columns="charge", values="amount", aggfunc="sum",
                                fill_value=0.0, observed=True)
    table = table.reindex(columns=list(CHARGES), fill_value=0.0)
    units = charges.assign(sold=np.where(charges["charge"] == "sales", charges["units"], 0.0),
                           refunded=np.where(charges["charge"] == "refunds",
                                             charges["units"].abs(), 0.0))
    counted = units.groupby(by, observed=True)[["sold", "refunded"]].sum()
    table.insert(0, "units_sold", counted["sold"].reindex(table.index).to_numpy())
    table.insert(1, "units_refunded", counted["refunded"].reindex(table.index).to_numpy())
    table["net_amount"] = table[list(CHARGES)].sum(axis=1)
    table.columns.name = None
    table = table.reset_index()
    table["currency"] = charges["currency"].iloc[0] if len(charges) else ""
    return table


def _vat_share(params) -> float:
    """Share of a VAT-inclusive price that is VAT (params ``fees.vat_rate``) [fraction]."""
    rate = float(params["fees"]["vat_rate"])
    return rate / (1.0 + rate)


def _profit_columns(table, landed_per_unit, params):
    """Net sales, gross profit and gross margin of rows with SKU charges and landed cost."""
    gross_sales = table["sales"] + table["promotions"] + table["refunds"]
    # VAT inside the prices is the state's (a sales tax is collected and remitted by Amazon:
    # its rows cancel in ``tax``); the margin is on the price without it, as profit.py's
    table["vat"] = -gross_sales * _vat_share(params)
    table["net_sales"] = gross_sales + table["vat"] + table["tax"]
    table["landed_cost_per_unit"] = landed_per_unit
    table["product_landed_cost"] = -table["units_sold"] * landed_per_unit
    fees = table["referral_fee"] + table["fba_fee"] + table["refund_fees"]
    table["amazon_fees"] = fees
    table["gross_profit"] = table["net_sales"] + fees + table["product_landed_cost"]
    table["gross_margin"] = safe_divide(table["gross_profit"], table["net_sales"])
    return table


def sku_profit(charges: pd.DataFrame, products: pd.DataFrame, params: dict, as_of,
               by_month: bool = False) -> pd.DataFrame:
    """Actual profit and margin per SKU (and month) from what Amazon charged, worst first.

    profit = net sales (sales + promotions + refunds, without VAT) + referral, FBA and refund
    fees (as charged) - units sold x landed cost per unit (product cost + head-haul freight +
    duty, :func:`opsanalysis.profit.landed_margins`). Units refunded are not taken off the
    units sold: the landed cost of a returned unit is spent whether or not it sells again.
    Account charges (advertising, storage, subscription) are in :func:`marketplace_profit`.

    Parameters
    ----------
    charges : DataFrame
        From :func:`settlement_charges` or :func:`transaction_charges`.
    products : DataFrame or None
        Canonical product master (see :func:`opsanalysis.profit.landed_margins`); None: the
        landed cost and profit are not estimated.
    params : dict
        Loaded params (``fees.vat_rate`` and what ``landed_margins`` reads).
    as_of : date-like
        Date of the fee table ``landed_margins`` uses for storage (not used here otherwise).
    by_month : bool
        One row per SKU and month instead of per SKU.

    Returns
    -------
    DataFrame
        sku, [month], units_sold, units_refunded [units], the SKU charges of
        :data:`SKU_CHARGES`, vat, net_sales, amazon_fees, landed_cost_per_unit,
        product_landed_cost, gross_profit [currency, signed], gross_margin [fraction],
        loss_making (bool: profit known and negative), currency, ``not_estimated_reason``.
        Loss-making SKUs first, then by margin, lowest first; unknown margins last.
    """
    items = charges[charges["charge"].isin(SKU_CHARGES) & charges["sku"].ne("")]
    by = ["sku", "month"] if by_month else ["sku"]
    table = charge_table(items, by)
    table = table.drop(columns=[c for c in CHARGES if c not in SKU_CHARGES] + ["net_amount"])
    landed, reasons = _landed_cost(table["sku"], products, params, as_of)
    table = _profit_columns(table, landed.to_numpy(), params)
    table["loss_making"] = table["gross_profit"] < 0
    table[profit.REASON_COLUMN] = reasons.to_numpy()
    table = table.sort_values(["loss_making", "gross_margin", "sku"], ascending=[False, True, True],
                              na_position="last", kind="stable")
    return table.reset_index(drop=True)


def _landed_cost(skus, products, params, as_of):
    """Landed cost per unit of each SKU [currency] and why it is unknown."""
    if products is None or len(products) == 0:
        return (pd.Series(np.nan, index=skus.index),
                pd.Series("no product master (unit cost, weight)", index=skus.index))
    landed = profit.landed_margins(products.drop_duplicates("sku"), params, as_of)
    landed = landed.set_index("sku")
    cost = skus.map(landed["landed_cost"]).astype("float64")
    reason = skus.map(landed[profit.REASON_COLUMN]).fillna("not in the product master")
    # storage, fee and price gaps do not touch the landed cost: keep only what does
    reason = reason.where(cost.isna(), "")
    return cost, reason.astype(str)


def marketplace_profit(charges: pd.DataFrame, products: pd.DataFrame, params: dict,
                       as_of) -> pd.DataFrame:
    """Profit of the marketplace per month and in total, account charges included.

    Returns
    -------
    DataFrame
        month (NaT on the total row, whose ``period`` is "total"), period, units_sold,
        net_sales, amazon_fees, product_landed_cost, gross_profit [currency, signed],
        gross_margin [fraction], advertising, storage, other_fees, profit [currency, signed]
        (gross profit + advertising + storage + other fees), margin [fraction], payouts (what
        Amazon paid for the month's charges, reserve movements excluded) [currency],
        skus_not_estimated [count], currency. Profit is NaN when a SKU's landed cost is
        unknown.
    """
    monthly = sku_profit(charges, products, params, as_of, by_month=True)
    columns = ["units_sold", "net_sales", "amazon_fees", "product_landed_cost", "gross_profit"]
    grouped = monthly.groupby("month")
    table = grouped[columns].sum(min_count=1)
    table["product_landed_cost"] = grouped["product_landed_cost"].sum(min_count=1).where(
        grouped["product_landed_cost"].apply(lambda v: v.notna().all()))
    table["gross_profit"] = table["gross_profit"].where(table["product_landed_cost"].notna())
    table["skus_not_estimated"] = grouped["gross_profit"].apply(lambda v: int(v.isna().sum()))
    account = charge_table(charges, ["month"]).set_index("month")
    for name in ("advertising", "storage", "other_fees"):
        table[name] = account[name].reindex(table.index).fillna(0.0)
    table["payouts"] = (account["net_amount"] - account["reserve"]
                        - account["transfers"]).reindex(table.index)
    total = table.sum(min_count=1).to_frame().T
    if table["product_landed_cost"].isna().any():  # one unknown month: the total is unknown
        total[["product_landed_cost", "gross_profit"]] = np.nan
    table = pd.concat([table.reset_index(), total.assign(month=pd.NaT)], ignore_index=True)
    table.insert(1, "period", table["month"].dt.strftime("%Y-%m").fillna("total"))
    table["gross_margin"] = safe_divide(table["gross_profit"], table["net_sales"])
    table["profit"] = table["gross_profit"] + table[["advertising", "storage",
                                                     "other_fees"]].sum(axis=1)
    table["margin"] = safe_divide(table["profit"], table["net_sales"])
    table["currency"] = params["currency"]
    order = ["month", "period", "units_sold", "net_sales", "amazon_fees", "product_landed_cost",
             "gross_profit", "gross_margin", "advertising", "storage", "other_fees", "profit",
             "margin", "payouts", "skus_not_estimated", "currency"]
    return table[order]


def margin_stability(monthly: pd.DataFrame, rule: dict) -> pd.DataFrame:
    """The gross-margin stability rule: each month's gross margin against the month before.

    Parameters
    ----------
    monthly : DataFrame
        :func:`marketplace_profit` (its month rows are used; the total row is ignored).
    rule : dict
        params ``rules.gross_margin_stability``: ``min`` and ``max`` of the change [fraction,
        i.e. margin points / 100].

    Returns
    -------
    DataFrame
        month, gross_margin, margin_change (from the month before) [fraction], status
        ("good" inside the band, "breach" outside, "no_data" for the first month or an
        unknown margin).
    """
    rows = monthly[monthly["month"].notna()].sort_values("month")
    change = rows["gross_margin"].diff()
    low, high = float(rule["min"]), float(rule["max"])
    status = np.where(change.isna(), "no_data",
                      np.where(change.between(low, high), "good", "breach"))
    return pd.DataFrame({"month": rows["month"].to_numpy(),
                         "gross_margin": rows["gross_margin"].to_numpy(),
                         "margin_change": change.to_numpy(), "status": status})


def settlement_periods(settlement: pd.DataFrame) -> pd.DataFrame:
    """One row per settlement from its summary row: start, end, deposit date and total.

    Returns
    -------
    DataFrame
        settlement_id, period_start, period_end, deposit_date (marketplace-local days),
        total_amount [currency], currency; sorted by end.
    """
    summary = settlement[settlement["total_amount"].notna()]
    table = pd.DataFrame({
        "settlement_id": _text(summary, "settlement_id").to_numpy(),
        "period_start": _local_date(summary["settlement_start_date"]).to_numpy(),
        "period_end": _local_date(summary["settlement_end_date"]).to_numpy(),
        "deposit_date": _local_date(summary["deposit_date"]).to_numpy(),
        "total_amount": as_float(summary["total_amount"]).to_numpy(),
        "currency": _text(summary, "currency").to_numpy()})
    table = table.drop_duplicates("settlement_id", keep="last")
    return table.sort_values(["period_end", "settlement_id"]).reset_index(drop=True)


def payout_calendar(settlement: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Per settlement: what Amazon held back, when it pays out and how much (回款).

    Parameters
    ----------
    settlement : DataFrame
        Canonical ``settlement_v2`` frame.
    params : dict
        ``currency`` and ``opportunity.summary_currency`` with its dated rate in
        ``opportunity.fx_rates`` (summary currency per marketplace currency).

    Returns
    -------
    DataFrame
        settlement_id, period_start, period_end, deposit_date, sales (the period's sales
        before fees), reserve_held (the current reserve Amazon keeps back), reserve_released
        (the previous reserve paid back), payout (the deposit) [currency], currency,
        payout_summary [summary currency; NaN when no rate], summary_currency,
        summary_fx_rate [summary currency per marketplace currency], summary_fx_date.
    """
    periods = settlement_periods(settlement)
    charges = settlement_charges(settlement)
    description = _text(settlement[settlement["amount"].notna()], "amount_description")
    charges["previous"] = description.str.lower().str.contains("previous").to_numpy()
    reserve = charges[charges["charge"] == "reserve"]
    held = -reserve[~reserve["previous"]].groupby("settlement_id")["amount"].sum()
    released = reserve[reserve["previous"]].groupby("settlement_id")["amount"].sum()
    sales = charges[charges["charge"] == "sales"].groupby("settlement_id")["amount"].sum()
    table = periods.rename(columns={"total_amount": "payout"})
    key = table["settlement_id"]
    table.insert(4, "sales", key.map(sales).fillna(0.0).to_numpy())
    table.insert(5, "reserve_held", key.map(held).fillna(0.0).to_numpy())
    table.insert(6, "reserve_released", key.map(released).fillna(0.0).to_numpy())
    summary = params["opportunity"]["summary_currency"]
    entry = (params["opportunity"].get("fx_rates") or {}).get(summary)
    rate = float(entry["rate"]) if isinstance(entry, dict) and entry.get("rate") else np.nan
    if summary == params["currency"]:
        rate, entry = 1.0, {"date": ""}
    table["currency"] = params["currency"]
    table["payout_summary"] = table["payout"] * rate
    table["summary_currency"] = summary
    table["summary_fx_rate"] = rate
    table["summary_fx_date"] = str((entry or {}).get("date", "")) if isinstance(entry, dict) else ""
    return table


def unsettled_orders(orders: pd.DataFrame, charges: pd.DataFrame,
                     periods: pd.DataFrame) -> pd.DataFrame:
    """Shipped Amazon orders that no settlement holds, though a whole settlement has closed
    since they were bought.

    An order bought between the first settlement's start and the last settlement's start is
    settled by the last settlement's end (Amazon settles FBA orders on shipment, every 14
    days); one missing from every settlement is money Amazon has not paid.

    Parameters
    ----------
    orders : DataFrame
        Canonical ``all_orders`` frame.
    charges : DataFrame
        From :func:`settlement_charges`.
    periods : DataFrame
        From :func:`settlement_periods`.

    Returns
    -------
    DataFrame
        amazon_order_id, purchase_date (local day), sku, quantity [units], item_price
        [currency], currency, days_unsettled (from purchase to the last settlement end)
        [days]; oldest first. Empty when there are no settlements.
    """
    columns = ["amazon_order_id", "purchase_date", "sku", "quantity", "item_price", "currency",
               "days_unsettled"]
    if orders is None or len(periods) == 0:
        return pd.DataFrame(columns=columns)
    start, last_start = periods["period_start"].min(), periods["period_start"].max()
    last_end = periods["period_end"].max()
    bought = _local_date(orders["purchase_date"])
    shipped = _text(orders, "order_status").str.lower().eq("shipped")
    if "item_status" in orders:
        shipped &= _text(orders, "item_status").str.lower().isin(["shipped", ""])
    amazon = ~_text(orders, "sales_channel").str.lower().str.startswith("non-amazon")
    settled = set(charges.loc[charges["charge"] == "sales", "order_id"])
    due = shipped & amazon & (bought >= start) & (bought < last_start)
    missing = due & ~orders["amazon_order_id"].isin(settled)
    table = orders.loc[missing, [c for c in columns[:-1] if c in orders]].copy()
    table["purchase_date"] = bought[missing]
    table["days_unsettled"] = (last_end - table["purchase_date"]).dt.days.astype("Int64")
    return table.sort_values("purchase_date", kind="stable").reset_index(drop=True)


def fee_differences(charges: pd.DataFrame, fee_preview: pd.DataFrame) -> pd.DataFrame:
    """SKUs charged per unit other FBA or referral fees than the FBA fee preview states.

    Fees are charged per unit exactly, so any difference beyond rounding (half a minor unit of
    a cent) is a different size tier, weight or price than the preview assumed.

    Parameters
    ----------
    charges : DataFrame
        From :func:`settlement_charges`.
    fee_preview : DataFrame
        Canonical ``fba_fee_preview`` frame (``expected_fulfillment_fee_per_unit``,
        ``estimated_referral_fee_per_unit``).

    Returns
    -------
    DataFrame
        sku, fee (``fba_fee`` or ``referral_fee``), units_sold [units], charged_per_unit,
        preview_per_unit, fee_difference (charged - preview, per unit), fee_difference_total
        (over the units sold) [currency], currency; largest total first.
    """
    sold = charge_table(charges[charges["charge"].isin(SKU_CHARGES)], ["sku"]).set_index("sku")
    preview = fee_preview.drop_duplicates("sku", keep="last").set_index("sku")
    rows = []
    for fee, column in (("fba_fee", "expected_fulfillment_fee_per_unit"),
                        ("referral_fee", "estimated_referral_fee_per_unit")):
        if column not in preview:
            continue
        charged = -safe_divide(sold[fee], sold["units_sold"])
        expected = as_float(preview[column]).reindex(sold.index)
        rows.append(pd.DataFrame({"sku": sold.index, "fee": fee,
                                  "units_sold": sold["units_sold"].to_numpy(),
                                  "charged_per_unit": charged.to_numpy(),
                                  "preview_per_unit": expected.to_numpy()}))
    if not rows:
        return pd.DataFrame(columns=["sku", "fee", "units_sold", "charged_per_unit",
                                     "preview_per_unit", "fee_difference",
                                     "fee_difference_total", "currency"])
    table = pd.concat(rows, ignore_index=True)
    table["fee_difference"] = table["charged_per_unit"] - table["preview_per_unit"]
    table["fee_difference_total"] = table["fee_difference"] * table["units_sold"]
    table["currency"] = charges["currency"].iloc[0] if len(charges) else ""
    table = table[table["fee_difference"].abs() >= 0.005]
    return table.sort_values("fee_difference_total", ascending=False,
                             kind="stable").reset_index(drop=True)

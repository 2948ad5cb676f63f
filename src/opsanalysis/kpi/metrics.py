"""Operations KPIs: plain functions on canonical frames (see the data contract).

Every KPI has the same shape, ``metric(frame, by=None, freq=None, products=None) -> DataFrame``;
``by``, ``freq`` and ``products`` are those of :mod:`opsanalysis.frames` (groupings, Amazon's
Sunday-to-Saturday weeks, sums before ratios, currencies and attribution windows kept apart).
:func:`compare_periods` adds the previous period or the same period a year earlier (YoY).

:func:`derive_columns` recomputes Amazon's own derived columns (CTR, CPC, ACOS, ROAS, conversion
rate, unit session percentage, session and page-view shares) row by row from the raw columns.
"""

import numpy as np
import pandas as pd

from opsanalysis import profit
from opsanalysis.frames import (
    KEEP_APART,
    PANDAS_PERIODS,
    _as_list,
    _sum_by,
    as_float,
    group_keys,
    period_start,
    ratio,
    safe_divide,
    totals,
)
from opsanalysis.io import is_cancelled, is_marketplace_sale

# --------------------------------------------------------------------------------------------
# elementwise formulas
# --------------------------------------------------------------------------------------------

def break_even_acos(price, unit_cost, referral_fee_rate, fba_fee, other_costs=0.0):
    """Break-even ACOS: the share of the price left to spend on ads before a sale loses money.

    (price - unit cost - referral fee - FBA fee - other costs) / price.

    Parameters
    ----------
    price : float or Series
        Selling price [currency].
    unit_cost : float or Series
        Landed cost per unit in the same currency [currency].
    referral_fee_rate : float or Series
        Referral fee [fraction] of the price.
    fba_fee : float or Series
        Fulfilment fee per unit [currency].
    other_costs : float or Series
        Any further per-unit cost (storage, inbound) [currency].

    Returns
    -------
    float or Series
        Break-even ACOS [fraction]; NaN without a price; negative when the product loses money
        before advertising.
    """
    price = as_float(price)
    margin = (price - as_float(unit_cost) - as_float(referral_fee_rate) * price
              - as_float(fba_fee) - as_float(other_costs))
    return safe_divide(margin, price)


def probability_of_sale(clicks, conversion_rate):
    """Chance that ``clicks`` clicks would have brought at least one order.

    Binomial model: 1 - (1 - cvr) ** clicks (k/cvr clicks -> 63 %, 86 %, 95 % for k = 1, 2, 3).

    Parameters
    ----------
    clicks : float or Series
        Clicks without an order [count].
    conversion_rate : float or Series
        Expected orders per click [fraction].

    Returns
    -------
    float or Series
        Probability [fraction]; NaN where the conversion rate is unknown.
    """
    return 1.0 - (1.0 - as_float(conversion_rate)) ** as_float(clicks)


#: Amazon's derived columns: name -> (numerator column, denominator column).
DERIVED_COLUMNS = {
    "ctr": ("clicks", "impressions"),
    "cpc": ("spend", "clicks"),
    "acos": ("spend", "sales"),
    "roas": ("sales", "spend"),
    "conversion_rate": ("orders", "clicks"),
    "unit_session_percentage": ("units_ordered", "sessions"),
    "unit_session_percentage_b2b": ("units_ordered_b2b", "sessions_b2b"),
    "order_item_session_percentage": ("total_order_items", "sessions"),
    "average_selling_price": ("ordered_product_sales", "units_ordered"),
}

#: Shares of the frame's total (Business Report "Session percentage", "Page views percentage").
SHARE_COLUMNS = {
    "session_percentage": "sessions",
    "session_percentage_b2b": "sessions_b2b",
    "page_views_percentage": "page_views",
    "page_views_percentage_b2b": "page_views_b2b",
}


def derive_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Recompute Amazon's derived columns row by row from the raw columns.

    Parameters
    ----------
    frame : DataFrame
        A canonical report frame (ads reports, business reports, console exports).

    Returns
    -------
    DataFrame
        Same index; one column per derived metric whose raw columns are present: ``ctr``,
        ``cpc``, ``acos``, ``roas``, ``conversion_rate`` [fraction or currency],
        ``unit_session_percentage`` (+ ``_b2b``), ``order_item_session_percentage``,
        ``average_selling_price``; and the shares of the file total ``session_percentage``,
        ``page_views_percentage`` (+ ``_b2b``) [fraction]. Empty denominators give NaN.
    """
    derived = {}
    for name, (numerator, denominator) in DERIVED_COLUMNS.items():
        if numerator in frame and denominator in frame:
            derived[name] = safe_divide(frame[numerator], frame[denominator])
    for name, column in SHARE_COLUMNS.items():
        if column in frame:
            values = as_float(frame[column])
            derived[name] = safe_divide(values, values.sum(min_count=1))
    return pd.DataFrame(derived, index=frame.index)

# --------------------------------------------------------------------------------------------
# advertising KPIs
# --------------------------------------------------------------------------------------------

def acos(ads, by=None, freq=None, products=None):
    """Advertising cost of sales = spend / attributed sales [fraction] (columns spend, sales)."""
    return ratio(ads, "spend", "sales", "acos", by, freq, products)


def roas(ads, by=None, freq=None, products=None):
    """Return on ad spend = attributed sales / spend [ratio] (columns sales, spend)."""
    return ratio(ads, "sales", "spend", "roas", by, freq, products)


def ctr(ads, by=None, freq=None, products=None):
    """Click-through rate = clicks / impressions [fraction]."""
    return ratio(ads, "clicks", "impressions", "ctr", by, freq, products)


def cpc(ads, by=None, freq=None, products=None):
    """Cost per click = spend / clicks [currency]."""
    return ratio(ads, "spend", "clicks", "cpc", by, freq, products)


def conversion_rate(ads, by=None, freq=None, products=None):
    """Ad conversion rate (CVR) = orders / clicks [fraction]."""
    return ratio(ads, "orders", "clicks", "conversion_rate", by, freq, products)


# --------------------------------------------------------------------------------------------
# sales and traffic
# --------------------------------------------------------------------------------------------

def sales_lines(frame: pd.DataFrame) -> pd.DataFrame:
    """Reduce an orders or Business Report frame to ``date, sku, asin, units, sales, currency``.

    Parameters
    ----------
    frame : DataFrame
        ``all_orders`` (cancelled lines dropped; lines of other channels -- multi-channel
        fulfilment, removals, ``Non-Amazon ...`` -- left out because they are not sales on the
        marketplace, see :func:`opsanalysis.io.is_marketplace_sale`; a blank channel counts as a
        sale), ``business_report_asin`` or ``business_report_date``.

    Returns
    -------
    DataFrame
        date (local calendar date), sku, asin, parent_asin (when known), units [count],
        sales [currency], currency (when known). For All Orders, ``attrs["excluded_units"]``
        holds the units of the non-cancelled lines left out as other channels [count] (see
        :func:`non_marketplace_units`).
    """
    excluded = 0.0
    if "amazon_order_id" in frame:
        keep = ~is_cancelled(frame)
        if "sales_channel" in frame:
            other = ~is_marketplace_sale(frame).fillna(True).astype(bool)
            excluded = float(as_float(frame.loc[keep & other, "quantity"]).sum())
            keep &= ~other
        # rows chosen on the whole frame, then only the columns used are copied
        used = [c for c in ("purchase_date", "sku", "asin", "quantity", "item_price", "currency")
                if c in frame]
        rows = frame.loc[keep, used]
        lines = pd.DataFrame({"date": period_start(rows["purchase_date"], "D"),
                              "sku": rows["sku"], "asin": rows["asin"],
                              "units": as_float(rows["quantity"]),
                              "sales": as_float(rows.get("item_price",
                                                         pd.Series(np.nan, index=rows.index)))})
    else:
        when = frame["date"] if "date" in frame else frame["period_start"]
        lines = pd.DataFrame({"date": pd.to_datetime(when),
                              "units": as_float(frame["units_ordered"]),
                              "sales": as_float(frame["ordered_product_sales"])})
        for target, source in (("sku", "sku"), ("asin", "child_asin"),
                               ("parent_asin", "parent_asin")):
            if source in frame:
                lines[target] = frame[source]
        rows = frame
    if "currency" in rows:
        lines["currency"] = rows["currency"].to_numpy()
    lines.attrs = {**frame.attrs, "excluded_units": excluded}
    return lines


def non_marketplace_units(orders, start=None, end=None) -> float:
    """Units of All Orders lines left out of the sales figures as other channels.

    Multi-channel fulfilment and removal shipments (``sales-channel`` ``Non-Amazon ...``) are
    not sales on the marketplace; :func:`sales_lines` leaves them out, and a report says how
    many units it left out ("excludes 12 MCF/removal units").

    Parameters
    ----------
    orders : DataFrame or None
        ``all_orders`` (other kinds have no channel: 0).
    start, end : date-like, optional
        Window of purchase dates (inclusive); default every line.

    Returns
    -------
    float
        Units [count] of non-cancelled lines whose channel is not an Amazon storefront.
    """
    if orders is None or "amazon_order_id" not in orders:
        return 0.0
    if start is not None or end is not None:
        dates = period_start(orders["purchase_date"], "D")
        low = pd.Timestamp(start) if start is not None else dates.min()
        high = pd.Timestamp(end) if end is not None else dates.max()
        used = [c for c in ("amazon_order_id", "order_status", "sales_channel", "quantity",
                            "purchase_date", "sku", "asin") if c in orders]
        orders = orders.loc[((dates >= low) & (dates <= high)).to_numpy(), used]
    return sales_lines(orders).attrs["excluded_units"]


def traffic(business_report, by=None, freq=None, products=None) -> pd.DataFrame:
    """Sessions, page views, units, ordered sales and the ratios behind them.

    Parameters
    ----------
    business_report : DataFrame
        ``business_report_asin`` or ``business_report_date``.
    by, freq, products
        See :mod:`opsanalysis.frames`.

    Returns
    -------
    DataFrame
        Keys, sessions, page_views, units_ordered [count], ordered_product_sales [currency],
        unit_session_percentage [fraction] (conversion), buy_box_percentage [fraction]
        (page-view weighted), average_selling_price [currency].
    """
    frame = business_report
    values = {c: frame[c] for c in ("sessions", "page_views", "units_ordered",
                                    "ordered_product_sales") if c in frame}
    if "buy_box_percentage" in frame and "page_views" in frame:
        values["_featured_views"] = as_float(frame["buy_box_percentage"]) * as_float(
            frame["page_views"])
    table = _sum_by(group_keys(frame, by, freq, products), values)
    if "sessions" in table:
        table["unit_session_percentage"] = safe_divide(table["units_ordered"], table["sessions"])
    if "_featured_views" in table:
        table["buy_box_percentage"] = safe_divide(table.pop("_featured_views"),
                                                  table["page_views"])
    table["average_selling_price"] = safe_divide(table["ordered_product_sales"],
                                                 table["units_ordered"])
    return table


def unit_session_percentage(business_report, by=None, freq=None, products=None):
    """Conversion = units ordered / sessions [fraction]."""
    return ratio(business_report, "units_ordered", "sessions", "unit_session_percentage", by,
                 freq, products)


def buy_box_percentage(business_report, by=None, freq=None, products=None):
    """Featured-offer (buy box) share weighted by page views [fraction].

    Amazon reports the share per row; over a group the right total is
    sum(share x page views) / sum(page views).
    """
    featured = as_float(business_report["buy_box_percentage"]) * as_float(
        business_report["page_views"])
    featured = featured.where(as_float(business_report["page_views"]) > 0, 0.0)
    return ratio(business_report, featured, "page_views", "buy_box_percentage", by, freq,
                 products)


def average_selling_price(sales, by=None, freq=None, products=None):
    """Average selling price = sales / units [currency] (orders or Business Report)."""
    lines = sales_lines(sales)
    return ratio(lines, "sales", "units", "average_selling_price", by, freq, products)


def _check_same(left, right, column):
    if column in left and column in right:
        mixed = set(left[column].dropna().unique()) ^ set(right[column].dropna().unique())
        if mixed:
            raise ValueError(f"{column} differs between the frames ({sorted(map(str, mixed))}): "
                             "convert or split before combining, they are never mixed")


def _single(frame, column):
    if column in frame and frame[column].nunique(dropna=True) > 1:
        raise ValueError(f"the frame mixes several {column} values "
                         f"{sorted(map(str, frame[column].dropna().unique()))}; "
                         "filter to one before combining with sales")


def _ads_for_sales(ads, by):
    """Ad frame ready to be matched with sales: one attribution window, SKU-level sales."""
    _single(ads, "attribution_days")
    ads = ads.drop(columns=[c for c in ("attribution_days",) if c in ads])
    if "advertised_sku_sales" in ads and "sku" in _as_list(by):
        # per SKU, only the advertised SKU's own sales are that SKU's ad sales
        ads = ads.assign(sales=ads["advertised_sku_sales"])
    return ads


def tacos(ads, sales, by=None, freq=None, products=None) -> pd.DataFrame:
    """Total ACOS = ad spend / total sales (ads + organic) [fraction].

    Parameters
    ----------
    ads : DataFrame
        Sponsored Products frame with spend (per SKU: the advertised product report).
    sales : DataFrame
        All orders or Business Report.
    by, freq, products
        See :mod:`opsanalysis.frames`.

    Returns
    -------
    DataFrame
        Keys, spend [currency], sales [currency] (total), tacos [fraction].

    Raises
    ------
    ValueError
        When the two frames hold different currencies or the ads mix attribution windows.
    """
    ads = _ads_for_sales(ads, by)
    lines = sales_lines(sales)
    _check_same(ads, lines, "currency")
    spend = totals(ads, ["spend"], by, freq, products)
    total = totals(lines, ["sales"], by, freq, products)
    keys = [c for c in spend.columns if c != "spend"]
    table = spend.merge(total, on=keys, how="outer") if keys else pd.concat([spend, total], axis=1)
    table["tacos"] = safe_divide(table["spend"], table["sales"])
    return table


def organic_sales(ads, sales, by=None, freq=None, products=None) -> pd.DataFrame:
    """Split total sales into ad-attributed and organic.

    Organic = total ordered sales - ad-attributed sales. It can come out negative for a SKU or
    a short period because ads credit sales up to 7/14 days after the click (and, per campaign,
    sales of other SKUs); it is left unclipped so that the mismatch stays visible.

    Returns
    -------
    DataFrame
        Keys, total_sales, advertised_sales, organic_sales [currency], organic_share,
        advertised_share [fraction].
    """
    ads = _ads_for_sales(ads, by)
    lines = sales_lines(sales)
    _check_same(ads, lines, "currency")
    advertised = totals(ads, ["sales"], by, freq, products).rename(
        columns={"sales": "advertised_sales"})
    total = totals(lines, ["sales"], by, freq, products).rename(columns={"sales": "total_sales"})
    keys = [c for c in total.columns if c != "total_sales"]
    table = (total.merge(advertised, on=keys, how="left") if keys
             else pd.concat([total, advertised], axis=1))
    table["advertised_sales"] = table["advertised_sales"].fillna(0.0)
    table["organic_sales"] = table["total_sales"] - table["advertised_sales"]
    table["organic_share"] = safe_divide(table["organic_sales"], table["total_sales"])
    table["advertised_share"] = safe_divide(table["advertised_sales"], table["total_sales"])
    return table


def break_even_acos_table(products, exchange_rates=None, currency=None, *, params=None,
                          as_of=None) -> pd.DataFrame:
    """Break-even ACOS per SKU from the product master's price, cost and fees.

    With ``params`` the allowance is the landed unit margin
    (:func:`opsanalysis.profit.landed_margins` at the SKU's freight mode: VAT, head-haul
    freight, duty and storage deducted) over the price as listed, which is what advertising
    reports count as sales; an unknown input leaves it NaN with ``not_estimated_reason``.
    Without ``params`` only the product cost and Amazon's fees are deducted.

    Parameters
    ----------
    products : DataFrame
        Product master with sku, price, unit_cost, referral_fee_rate, fba_fee and, when the cost
        is in another currency (CNY purchase price), cost_currency.
    exchange_rates : dict of str to float, optional
        Units of the marketplace currency per unit of each cost currency
        (``{"CNY": 0.14}``); name the rate's date where you set it. Ignored with ``params``
        (their dated ``opportunity.fx_rates`` are used).
    currency : str, optional
        Marketplace currency; costs already in it need no rate.
    params : dict, optional
        Loaded params (:func:`opsanalysis.params.load`) for the landed margin.
    as_of : date-like, optional
        Date of the storage fee table (with ``params``); default today.

    Returns
    -------
    DataFrame
        sku, price, unit_cost (converted) [currency], referral_fee, fba_fee [currency],
        break_even_acos [fraction]; with ``params`` also vat, head_haul_freight, duty, storage,
        unit_margin [currency] and not_estimated_reason.

    Raises
    ------
    ValueError
        Without ``params``, when a cost currency differs from ``currency`` and no rate is given
        (never mixed).
    """
    if params is not None:
        landed = profit.landed_margins(products, params, pd.Timestamp.today().normalize()
                                       if as_of is None else as_of)
        table = landed[["sku", "price", "purchase_cost", "referral_fee", "fba_fee", "vat",
                        "head_haul_freight", "duty", "storage", "unit_margin",
                        profit.REASON_COLUMN]].rename(columns={"purchase_cost": "unit_cost"})
        table.insert(table.columns.get_loc("unit_margin") + 1, "break_even_acos",
                     safe_divide(table["unit_margin"], table["price"]))
        return table
    table = products[["sku"]].copy()
    table["price"] = as_float(products["price"])
    cost = as_float(products["unit_cost"])
    if "cost_currency" in products:
        rates = {currency: 1.0} if currency else {}
        rates.update(exchange_rates or {})
        cost_currency = products["cost_currency"].fillna(currency or "")
        missing = sorted(set(cost_currency.dropna()) - set(rates) - {""})
        if missing:
            raise ValueError(f"unit_cost in {missing} needs exchange_rates to {currency}")
        cost = cost * cost_currency.map(rates).astype("float64").fillna(1.0)
    table["unit_cost"] = cost
    table["referral_fee"] = as_float(products["referral_fee_rate"]) * table["price"]
    table["fba_fee"] = as_float(products["fba_fee"])
    table["break_even_acos"] = break_even_acos(table["price"], cost,
                                               products["referral_fee_rate"], table["fba_fee"])
    return table


def cost_exchange_rates(fx_rates) -> dict:
    """Rates for :func:`break_even_acos_table` from ``params["opportunity"]["fx_rates"]``.

    That section states each rate as purchase currency per marketplace currency
    (``{"CNY": {"rate": 7.2, "date": "2026-01-15"}}``: 7.2 CNY per USD); costs need the inverse,
    marketplace currency per unit of the cost currency.

    Returns
    -------
    dict of str to float
        ``{"CNY": 1 / 7.2}``; empty when no rate is set.
    """
    rates = {}
    for currency, entry in (fx_rates or {}).items():
        rate = entry.get("rate") if isinstance(entry, dict) else entry
        if rate:
            rates[currency] = 1.0 / float(rate)
    return rates


# --------------------------------------------------------------------------------------------
# returns
# --------------------------------------------------------------------------------------------

def _return_lines(returns: pd.DataFrame) -> pd.DataFrame:
    """FBA or MFN returns -> date, sku, asin, quantity, reason, refunded_amount."""
    quantity = returns["quantity"] if "quantity" in returns else returns["return_quantity"]
    when = next(c for c in ("return_date", "return_request_date", "order_date") if c in returns)
    lines = pd.DataFrame({"date": period_start(returns[when], "D"), "quantity": as_float(quantity)})
    for target, sources in (("sku", ("sku",)), ("asin", ("asin",)),
                            ("reason", ("reason", "return_reason")),
                            ("refunded_amount", ("refunded_amount",))):
        source = next((c for c in sources if c in returns), None)
        if source is not None:
            lines[target] = returns[source].to_numpy()
    return lines


def return_rate(returns, sales, by=None, freq=None, products=None, basis="units"):
    """Return rate by units or by value.

    Parameters
    ----------
    returns : DataFrame or list of DataFrame
        ``fba_returns`` and/or ``mfn_returns``.
    sales : DataFrame
        All orders or Business Report for the same span.
    by, freq, products
        See :mod:`opsanalysis.frames` (returns are dated by return date, sales by order date).
    basis : {"units", "value"}
        ``units``: returned units / ordered units. ``value``: returned value / ordered sales,
        where a return is valued at its refunded amount when the report has one and otherwise
        at the SKU's average selling price over ``sales``.

    Returns
    -------
    DataFrame
        Keys, returned (units or value), ordered (units or sales), return_rate [fraction].
    """
    frames = returns if isinstance(returns, list | tuple) else [returns]
    lines = pd.concat([_return_lines(f) for f in frames], ignore_index=True)
    sold = sales_lines(sales)
    if basis == "units":
        lines["returned"] = lines["quantity"]
        sold["ordered"] = sold["units"]
    elif basis == "value":
        price = (sold.groupby("sku")["sales"].sum(min_count=1)
                 / sold.groupby("sku")["units"].sum().where(lambda u: u > 0))
        valued = lines["quantity"] * lines["sku"].map(price).astype("float64")
        refunded = as_float(lines.get("refunded_amount", pd.Series(np.nan, index=lines.index)))
        lines["returned"] = refunded.fillna(valued)
        sold["ordered"] = sold["sales"]
    else:
        raise ValueError("basis must be 'units' or 'value'")
    lines = lines.drop(columns=[c for c in KEEP_APART if c in lines])
    returned = totals(lines, ["returned"], by, freq, products)
    ordered = totals(sold.drop(columns=["currency"], errors="ignore"), ["ordered"], by, freq,
                     products)
    keys = [c for c in ordered.columns if c != "ordered"]
    table = (ordered.merge(returned, on=keys, how="outer") if keys
             else pd.concat([ordered, returned], axis=1))
    table["returned"] = table["returned"].fillna(0.0)
    table["return_rate"] = safe_divide(table["returned"], table["ordered"])
    return table


def return_reasons(returns, by=None) -> pd.DataFrame:
    """Returned units per reason and each reason's share within its group.

    Returns
    -------
    DataFrame
        Keys, reason, quantity [count], share [fraction], sorted by group then quantity.
    """
    frames = returns if isinstance(returns, list | tuple) else [returns]
    lines = pd.concat([_return_lines(f) for f in frames], ignore_index=True)
    lines["reason"] = lines.get("reason", pd.Series(pd.NA, index=lines.index)).fillna("UNKNOWN")
    keys = _as_list(by) + ["reason"]
    table = totals(lines, ["quantity"], keys)
    group_total = (table.groupby(_as_list(by))["quantity"].transform("sum") if by
                   else table["quantity"].sum())
    table["share"] = safe_divide(table["quantity"], group_total)
    return table.sort_values(_as_list(by) + ["quantity"],
                             ascending=[True] * len(_as_list(by)) + [False]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# account health and inventory
# --------------------------------------------------------------------------------------------

def account_health_rates(account_health: pd.DataFrame) -> pd.DataFrame:
    """Latest value of each account-health metric (ODR, late shipment, cancel rate ...).

    Rates are recomputed from numerator/denominator where Amazon gives them (NaN without
    orders in the window), otherwise Amazon's value is kept.

    Returns
    -------
    DataFrame
        metric, value [fraction for rates; count or score otherwise], numerator, denominator,
        target_value, date_from, date_to; one row per metric (and marketplace_id when present).
    """
    frame = account_health.copy()
    if "numerator" in frame and "denominator" in frame:
        recomputed = safe_divide(frame["numerator"], frame["denominator"])
        has_counts = frame["numerator"].notna() & frame["denominator"].notna()
        frame["value"] = recomputed.where(has_counts, as_float(frame["value"]))
    keys = ["metric"] + (["marketplace_id"] if "marketplace_id" in frame else [])
    if "date_to" in frame:
        frame = frame.sort_values("date_to")
    return frame.groupby(keys, sort=True).tail(1).sort_values(keys).reset_index(drop=True)


def _units_per_day(sales, as_of, lookback_days, by, products, selling_days=None):
    lines = sales_lines(sales)
    start = pd.Timestamp(as_of) - pd.Timedelta(days=lookback_days - 1)
    window = lines[(lines["date"] >= start) & (lines["date"] <= pd.Timestamp(as_of))]
    window = window.drop(columns=["currency"], errors="ignore")
    sold = totals(window, ["units"], by, None, products)
    sold["units_per_day"] = sold["units"] / (selling_days or lookback_days)
    return sold


def _on_hand(inventory, by, products):
    """Units available (sellable) per group from FBA inventory or inventory planning."""
    column = next(c for c in ("afn_fulfillable_quantity", "available", "quantity")
                  if c in inventory)
    frame = inventory.drop(columns=[c for c in KEEP_APART if c in inventory])
    if "snapshot_date" in frame and frame["snapshot_date"].notna().any():
        frame = frame[frame["snapshot_date"] == frame["snapshot_date"].max()]
    elif "date" in frame:
        frame = frame[frame["date"] == frame["date"].max()]
    return totals(frame, [column], by, None, products).rename(columns={column: "on_hand"})


def days_of_cover(inventory, sales, as_of, *, lookback_days, by="sku", products=None,
                  covered_days=None):
    """Days of cover = units on hand / average units sold per day over the lookback.

    Parameters
    ----------
    inventory : DataFrame
        ``fba_inventory``, ``inventory_planning`` or ``inventory_history`` (latest snapshot used).
    sales : DataFrame
        All orders or Business Report.
    as_of : str or Timestamp
        Last day of the sales window.
    lookback_days : int
        Sales window [days]; the report's is ``params["replenishment"]["velocity_window_days"]``.
    by, products
        See :mod:`opsanalysis.frames`.
    covered_days : int, optional
        Days of the lookback the sales report covers [days] (:func:`opsanalysis.frames.coverage`);
        the velocity is units / covered days, so that a report covering 13 of 30 days does not
        read as a slower seller. Default: the whole lookback.

    Returns
    -------
    DataFrame
        Keys, on_hand [count], units [count in window], units_per_day, days_of_cover [days];
        NaN cover where nothing sold.
    """
    selling_days = covered_days or lookback_days
    stock = _on_hand(inventory, by, products)
    sold = _units_per_day(sales, as_of, lookback_days, by, products, selling_days)
    keys = [c for c in stock.columns if c != "on_hand"]
    table = (stock.merge(sold, on=keys, how="outer") if keys
             else pd.concat([stock, sold], axis=1))
    table["on_hand"] = table["on_hand"].fillna(0.0)
    table["units"] = table["units"].fillna(0.0)
    table["units_per_day"] = table["units"] / selling_days
    table["days_of_cover"] = safe_divide(table["on_hand"], table["units_per_day"])
    return table


def sell_through(inventory_history, sales, as_of, *, lookback_days, by="sku", products=None):
    """Sell-through and annual inventory turnover over a window.

    sell_through = units sold / average units on hand; inventory_turnover = the same rate
    scaled to a year (365 / lookback_days) [turns per year].

    Parameters
    ----------
    inventory_history : DataFrame
        Daily Inventory History (date, sku, quantity) -- the average uses every day in the window.
    sales : DataFrame
        All orders or Business Report.
    as_of : str or Timestamp
        Last day of the window.
    lookback_days : int
        Window [days] (the scorecard's turnover rule uses the length of the period scored).
    by, products
        See :mod:`opsanalysis.frames`.

    Returns
    -------
    DataFrame
        Keys, units [count], average_on_hand [count], sell_through [fraction],
        inventory_turnover [1/year].
    """
    end = pd.Timestamp(as_of)
    start = end - pd.Timedelta(days=lookback_days - 1)
    history = inventory_history[(inventory_history["date"] >= start)
                                & (inventory_history["date"] <= end)]
    history = history.drop(columns=[c for c in KEEP_APART if c in history])
    daily = totals(history, ["quantity"], by, "D", products)
    keys = [c for c in daily.columns if c not in ("quantity", "period")]
    # days without a row hold no stock: divide by the window length, not by the rows present
    if keys:
        stock = (daily.groupby(keys)["quantity"].sum() / lookback_days).rename(
            "average_on_hand").reset_index()
    else:
        stock = pd.DataFrame({"average_on_hand": [daily["quantity"].sum() / lookback_days]})
    sold = _units_per_day(sales, end, lookback_days, by, products)
    table = (stock.merge(sold, on=keys, how="outer") if keys
             else pd.concat([stock, sold], axis=1))
    table["units"] = table["units"].fillna(0.0)
    table["sell_through"] = safe_divide(table["units"], table["average_on_hand"])
    table["inventory_turnover"] = table["sell_through"] * 365.0 / lookback_days
    return table.drop(columns=["units_per_day"])


# --------------------------------------------------------------------------------------------
# periods
# --------------------------------------------------------------------------------------------

def compare_periods(table, value, freq, lag="previous") -> pd.DataFrame:
    """Add the value of the previous period (or the same period a year earlier).

    Parameters
    ----------
    table : DataFrame
        A KPI table with a ``period`` column (from ``freq=``).
    value : str
        Column to compare.
    freq : str
        The table's period (D/W/M/Q/Y).
    lag : {"previous", "yoy"}
        ``previous``: the calendar period before; ``yoy``: the same period one year earlier
        (weeks: 52 weeks earlier, so weekdays line up).

    Returns
    -------
    DataFrame
        ``table`` with ``<value>_previous`` (or ``<value>_yoy_base``) and ``<value>_change``
        (relative change [fraction]; NaN without a base).
    """
    keys = [c for c in table.columns
            if c != "period" and not pd.api.types.is_float_dtype(table[c])]
    base_name = f"{value}_previous" if lag == "previous" else f"{value}_yoy_base"
    base = table[keys + ["period", value]].rename(columns={value: base_name})
    periods = pd.to_datetime(base["period"]).dt.to_period(PANDAS_PERIODS[freq])
    if lag == "previous":
        step = 1
    elif lag == "yoy":
        step = {"D": 364, "W": 52, "M": 12, "Q": 4, "Y": 1}[freq]
    else:
        raise ValueError("lag must be 'previous' or 'yoy'")
    base["period"] = (periods + step).dt.start_time
    result = table.merge(base, on=keys + ["period"], how="left")
    result[f"{value}_change"] = safe_divide(result[value] - result[base_name], result[base_name])
    return result


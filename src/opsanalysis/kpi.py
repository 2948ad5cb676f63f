"""Operations KPIs and the scorecard against the rule pack.

Every KPI is a plain function on canonical frames (see the data contract) with the same shape:

``metric(frame, by=None, freq=None, ...) -> DataFrame``

- ``by``: ``None`` (one total), a grouping name -- ``"sku"``, ``"asin"``, ``"parent"``,
  ``"category"``, ``"campaign"``, ``"ad_group"``, ``"marketplace"`` -- any canonical column, or a
  list of them (ad group names repeat across campaigns: use ``["campaign", "ad_group"]``). ``"category"`` and ``"parent"`` are looked up in the product master
  (``products=``) when the frame itself lacks them.
- ``freq``: ``None`` (whole frame), ``"D"``, ``"W"`` (Amazon's weeks, Sunday to Saturday), ``"M"``, ``"Q"`` or
  ``"Y"``; the result then has a ``period`` column holding the first day of each period.
  :func:`compare_periods` adds the previous period or the same period a year earlier (YoY).

Ratios are computed as sum(numerator) / sum(denominator) within a group -- never as the mean of
row ratios -- and an empty denominator (0 or missing) gives NaN, never 0 and never an error. The
numerator and denominator are returned beside the ratio so that every figure can be checked.

Money is never added across currencies and advertising figures are never added across
attribution windows: when a frame has a ``currency`` or ``attribution_days`` column, it is always
part of the grouping.

:func:`derive_columns` recomputes Amazon's own derived columns (CTR, CPC, ACOS, ROAS, conversion
rate, unit session percentage, session and page-view shares) row by row from the raw columns.

:func:`scorecard` checks one period against the rule pack (``params.load(mp)["rules"]``) and
:func:`breach_drivers` lists the SKUs that push a rule into breach.
"""

import numpy as np
import pandas as pd

#: Grouping names -> candidate canonical columns, first present wins.
GROUP_COLUMNS = {
    "sku": ("sku", "advertised_sku"),
    "asin": ("child_asin", "asin", "advertised_asin"),
    "parent": ("parent_asin",),
    "category": ("category",),
    "campaign": ("campaign_name",),
    "ad_group": ("ad_group_name",),
    "marketplace": ("marketplace",),
    "currency": ("currency",),
}

#: Columns that must never be summed across: money in different currencies, ad results
#: attributed over different windows (7 vs 14 days).
KEEP_APART = ("currency", "attribution_days")

#: Date columns tried, in order, to place a row in a period.
DATE_COLUMNS = ("date", "period_start", "start_date", "purchase_date", "return_date",
                "return_request_date", "snapshot_date", "date_to")

FREQUENCIES = ("D", "W", "M", "Q", "Y")

#: Pandas periods behind the frequencies: Amazon's weeks (weekly Business Reports, Brand
#: Analytics) run Sunday to Saturday.
PANDAS_PERIODS = {"D": "D", "W": "W-SAT", "M": "M", "Q": "Q", "Y": "Y"}


# --------------------------------------------------------------------------------------------
# elementwise helpers
# --------------------------------------------------------------------------------------------

def as_float(values) -> pd.Series | float:
    """Convert counts/money (``Int64``, ``Float64``, object) to float64 with NaN for missing."""
    if np.isscalar(values) or values is None:
        return np.nan if values is None or pd.isna(values) else float(values)
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    return pd.Series(pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64",
                                                                     na_value=np.nan),
                     index=series.index, name=series.name)


def safe_divide(numerator, denominator):
    """numerator / denominator with NaN wherever the denominator is 0 or missing.

    Parameters
    ----------
    numerator, denominator : scalar, array-like or Series
        Any numeric values (nullable dtypes accepted).

    Returns
    -------
    float or Series
        The ratio [float64]; NaN where the denominator is empty, never 0, never an exception.
    """
    numerator = as_float(numerator)
    denominator = as_float(denominator)
    if np.isscalar(denominator):
        return np.nan if (pd.isna(denominator) or denominator == 0) else numerator / denominator
    return numerator / denominator.where(denominator != 0)


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
# grouping machinery
# --------------------------------------------------------------------------------------------

def _as_list(by) -> list:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _lookup_from_products(frame, name, products):
    """Bring ``category``/``parent_asin``/``brand`` from the product master via sku or asin."""
    if products is None:
        raise KeyError(f"grouping {name!r} needs a product master (products=) for this frame")
    column = GROUP_COLUMNS.get(name, (name,))[0]
    for key_name in ("sku", "asin"):
        key = next((c for c in GROUP_COLUMNS[key_name] if c in frame), None)
        product_key = "sku" if key_name == "sku" else "asin"
        if key is not None and product_key in products and column in products:
            mapping = products.drop_duplicates(product_key).set_index(product_key)[column]
            return frame[key].map(mapping)
    raise KeyError(f"cannot attach {name!r}: the frame has neither sku nor asin")


def group_column(frame: pd.DataFrame, name: str, products=None) -> pd.Series:
    """The values to group ``frame`` by for grouping ``name``.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame.
    name : str
        A name in :data:`GROUP_COLUMNS` or any column of ``frame``.
    products : DataFrame, optional
        Product master, used for ``category``/``parent``/``brand`` when the frame lacks them.

    Returns
    -------
    Series
        Group labels aligned with ``frame``.
    """
    for column in GROUP_COLUMNS.get(name, (name,)):
        if column in frame:
            return frame[column]
    if name == "marketplace" and frame.attrs.get("marketplace"):
        return pd.Series(frame.attrs["marketplace"], index=frame.index)
    if name in ("category", "parent", "brand"):
        return _lookup_from_products(frame, name, products)
    raise KeyError(f"cannot group by {name!r}: none of "
                   f"{list(GROUP_COLUMNS.get(name, (name,)))} is a column")


def period_start(dates: pd.Series, freq: str) -> pd.Series:
    """First day of the period (D/W/M/Q/Y) holding each date; weeks run Sunday to Saturday.

    Tz-aware timestamps are first reduced to their local calendar date.
    """
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {FREQUENCIES} or None, got {freq!r}")
    dates = pd.to_datetime(dates)
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates.dt.to_period(PANDAS_PERIODS[freq]).dt.start_time


def date_column(frame: pd.DataFrame, date=None) -> str:
    """Name of the column that dates each row (``date`` argument wins)."""
    if date is not None:
        return date
    for column in DATE_COLUMNS:
        if column in frame:
            return column
    raise KeyError(f"no date column among {DATE_COLUMNS}; pass date=")


def group_keys(frame, by=None, freq=None, products=None, date=None) -> pd.DataFrame:
    """Grouping keys for ``frame``: the ``by`` names, ``period`` and the keep-apart columns.

    Returns
    -------
    DataFrame
        Same index as ``frame``; columns named after the groupings (``sku``, ``campaign`` ...),
        then ``period`` when ``freq`` is given, then ``currency``/``attribution_days`` when the
        frame has them (never summed across).
    """
    keys = {name: group_column(frame, name, products).to_numpy() for name in _as_list(by)}
    if freq is not None:
        keys["period"] = period_start(frame[date_column(frame, date)], freq).to_numpy()
    for column in KEEP_APART:
        if column in frame and column not in keys:
            keys[column] = frame[column].to_numpy()
    return pd.DataFrame(keys, index=frame.index)


def _sum_by(keys: pd.DataFrame, values: dict) -> pd.DataFrame:
    """Sum value Series by key columns; all-missing groups stay missing (min_count=1)."""
    work = pd.concat([keys, pd.DataFrame({n: as_float(v) for n, v in values.items()},
                                         index=keys.index)], axis=1)
    if keys.shape[1] == 0:
        return work[list(values)].sum(min_count=1).to_frame().T.reset_index(drop=True)
    grouped = work.groupby(list(keys.columns), dropna=False, sort=True, observed=True)
    return grouped[list(values)].sum(min_count=1).reset_index()


def totals(frame, columns, by=None, freq=None, products=None, date=None) -> pd.DataFrame:
    """Sum additive columns (sessions, units, spend ...) by grouping and period.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame.
    columns : list of str
        Additive columns to sum [count or currency].
    by, freq, products, date
        See the module docstring.

    Returns
    -------
    DataFrame
        Keys then one column per summed column (float64).
    """
    keys = group_keys(frame, by, freq, products, date)
    return _sum_by(keys, {c: frame[c] for c in columns})


def ratio(frame, numerator, denominator, name, by=None, freq=None, products=None,
          date=None) -> pd.DataFrame:
    """Generic ratio KPI: sum(numerator) / sum(denominator) per group and period.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame.
    numerator, denominator : str or Series
        Column names, or Series aligned with ``frame`` for computed quantities.
    name : str
        Name of the ratio column.
    by, freq, products, date
        See the module docstring.

    Returns
    -------
    DataFrame
        Keys, ``numerator`` and ``denominator`` sums (named after the columns, or
        ``<name>_numerator``/``<name>_denominator`` for Series), and ``name`` [fraction/ratio];
        NaN where the denominator sum is 0 or missing.
    """
    numerator_name = numerator if isinstance(numerator, str) else f"{name}_numerator"
    denominator_name = denominator if isinstance(denominator, str) else f"{name}_denominator"
    values = {numerator_name: frame[numerator] if isinstance(numerator, str) else numerator,
              denominator_name: frame[denominator] if isinstance(denominator, str) else denominator}
    table = _sum_by(group_keys(frame, by, freq, products, date), values)
    table[name] = safe_divide(table[numerator_name], table[denominator_name])
    return table


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
        ``all_orders`` (cancelled orders and lines without a quantity dropped; MCF lines kept
        out because they are not Amazon sales), ``business_report_asin`` or
        ``business_report_date``.

    Returns
    -------
    DataFrame
        date (local calendar date), sku, asin, parent_asin (when known), units [count],
        sales [currency], currency (when known).
    """
    if "amazon_order_id" in frame:
        keep = frame["order_status"].astype(str).ne("Cancelled")
        if "sales_channel" in frame:
            keep &= frame["sales_channel"].astype(str).ne("Non-Amazon")
        rows = frame[keep]
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
    lines.attrs = dict(frame.attrs)
    return lines


def traffic(business_report, by=None, freq=None, products=None) -> pd.DataFrame:
    """Sessions, page views, units, ordered sales and the ratios behind them.

    Parameters
    ----------
    business_report : DataFrame
        ``business_report_asin`` or ``business_report_date``.
    by, freq, products
        See the module docstring.

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
        See the module docstring.

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


def break_even_acos_table(products, exchange_rates=None, currency=None) -> pd.DataFrame:
    """Break-even ACOS per SKU from the product master's price, cost and fees.

    Parameters
    ----------
    products : DataFrame
        Product master with sku, price, unit_cost, referral_fee_rate, fba_fee and, when the cost
        is in another currency (CNY purchase price), cost_currency.
    exchange_rates : dict of str to float, optional
        Units of the marketplace currency per unit of each cost currency
        (``{"CNY": 0.14}``); name the rate's date where you set it.
    currency : str, optional
        Marketplace currency; costs already in it need no rate.

    Returns
    -------
    DataFrame
        sku, price, unit_cost (converted) [currency], referral_fee, fba_fee [currency],
        break_even_acos [fraction].

    Raises
    ------
    ValueError
        When a cost currency differs from ``currency`` and no rate is given (never mixed).
    """
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
        See the module docstring (returns are dated by return date, sales by order date).
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


def _units_per_day(sales, as_of, lookback_days, by, products):
    lines = sales_lines(sales)
    start = pd.Timestamp(as_of) - pd.Timedelta(days=lookback_days - 1)
    window = lines[(lines["date"] >= start) & (lines["date"] <= pd.Timestamp(as_of))]
    window = window.drop(columns=["currency"], errors="ignore")
    sold = totals(window, ["units"], by, None, products)
    sold["units_per_day"] = sold["units"] / lookback_days
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


def days_of_cover(inventory, sales, as_of, lookback_days=30, by="sku", products=None):
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
        Sales window [days].
    by, products
        See the module docstring.

    Returns
    -------
    DataFrame
        Keys, on_hand [count], units [count in window], units_per_day, days_of_cover [days];
        NaN cover where nothing sold.
    """
    stock = _on_hand(inventory, by, products)
    sold = _units_per_day(sales, as_of, lookback_days, by, products)
    keys = [c for c in stock.columns if c != "on_hand"]
    table = (stock.merge(sold, on=keys, how="outer") if keys
             else pd.concat([stock, sold], axis=1))
    table["on_hand"] = table["on_hand"].fillna(0.0)
    table["units"] = table["units"].fillna(0.0)
    table["units_per_day"] = table["units"] / lookback_days
    table["days_of_cover"] = safe_divide(table["on_hand"], table["units_per_day"])
    return table


def sell_through(inventory_history, sales, as_of, lookback_days=90, by="sku", products=None):
    """Sell-through and annual inventory turnover over a window.

    sell_through = units sold / average units on hand; inventory_turnover = the same rate
    scaled to a year (365 / lookback_days) [turns per year].

    Parameters
    ----------
    inventory_history : DataFrame
        Daily Inventory History (date, sku, quantity) -- the average uses every day in the window.
    sales : DataFrame
        All orders or Business Report.

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


# --------------------------------------------------------------------------------------------
# scorecard against the rule pack
# --------------------------------------------------------------------------------------------

#: Account-health rules -> metric names of the ``account_health`` kind.
ACCOUNT_HEALTH_METRICS = {
    "order_defect_rate": "order_defect_rate",
    "late_shipment_rate": "late_shipment_rate",
    "pre_fulfillment_cancel_rate": "pre_fulfillment_cancellation_rate",
    "valid_tracking_rate": "valid_tracking_rate",
    "on_time_delivery_rate": "on_time_delivery_rate",
    "account_health_rating": "account_health_rating",
    "account_health_rating_critical": "account_health_rating",
}

#: Ad report kinds, most complete first (the search-term report omits unclicked targets).
AD_KINDS = ("sp_campaign", "sp_advertised_product", "sp_targeting", "sp_search_term",
            "console_campaigns")


def period_bounds(period) -> tuple:
    """(start, end) calendar dates of a period: ``"2026-10"``, ``"2026Q3"``, a Period, or a pair."""
    if isinstance(period, tuple | list):
        return pd.Timestamp(period[0]), pd.Timestamp(period[1])
    period = period if isinstance(period, pd.Period) else pd.Period(period)
    return period.start_time.normalize(), period.end_time.normalize()


def trailing_period(as_of, days=28) -> tuple:
    """The ``days`` calendar days ending on ``as_of`` (inclusive), as (start, end)."""
    end = pd.Timestamp(as_of).normalize()
    return end - pd.Timedelta(days=days - 1), end


def previous_bounds(start, end) -> tuple:
    """The window of the same length just before [start, end] (a calendar month when it is one)."""
    if start.day == 1 and end == start + pd.offsets.MonthEnd(0):
        previous = start - pd.offsets.MonthBegin(1)
        return previous, previous + pd.offsets.MonthEnd(0)
    length = end - start
    return start - length - pd.Timedelta(days=1), start - pd.Timedelta(days=1)


def in_period(frame, period):
    """Rows of ``frame`` dated within ``period`` (see :func:`period_bounds`), inclusive.

    Rows are dated by their first date column (``date``, ``period_start``, ``start_date``,
    ``purchase_date``, ``return_date`` ...; tz-aware timestamps by their local calendar date).
    """
    if frame is None:
        return None
    start, end = period_bounds(period)
    dates = period_start(frame[date_column(frame)], "D")
    return frame[((dates >= start) & (dates <= end)).to_numpy()]


def _window(frame, start, end):
    return in_period(frame, (start, end))


def _one_window(ads, preferred):
    """Keep one attribution window: the preferred one when present, else the only one."""
    if ads is None or "attribution_days" not in ads:
        return ads
    windows = sorted(ads["attribution_days"].dropna().unique())
    if len(windows) <= 1:
        return ads
    if preferred in windows:
        return ads[ads["attribution_days"] == preferred]
    raise ValueError(f"ads mix attribution windows {windows}; choose one (params ads."
                     "attribution_days)")


def _ads_frame(data, preferred_window=None):
    for kind in AD_KINDS:
        frame = data.get(kind)
        if frame is not None and len(frame):
            return _one_window(frame, preferred_window)
    return None


def _sales_frame(data):
    for kind in ("business_report_asin", "all_orders", "business_report_date"):
        frame = data.get(kind)
        if frame is not None and len(frame):
            return frame
    return None


def _value_table(table, numerator, denominator):
    table = table.rename(columns={numerator: "numerator", denominator: "denominator"})
    table["value"] = safe_divide(table["numerator"], table["denominator"])
    return table


def _drop_apart(frame):
    return None if frame is None else frame.drop(columns=[c for c in KEEP_APART if c in frame])


def measure(data, rule_id, start, end, by=None, settings=None) -> pd.DataFrame | None:
    """The KPI behind one rule over [start, end], as numerator / denominator = value.

    Parameters
    ----------
    data : MarketplaceData or dict of str to DataFrame
        Frames by kind (``data.get(kind)``); ``product_master`` is used for groupings and
        break-even ACOS.
    rule_id : str
        A rule of the rule pack.
    start, end : Timestamp
        The window (calendar dates, inclusive).
    by : str, optional
        Grouping for drill-down (``"sku"``, ``"campaign"`` ...).
    settings : dict, optional
        ``params["ads"]`` (attribution window to use) and cover settings.

    Returns
    -------
    DataFrame or None
        keys, numerator, denominator, value; None when the rule is not measurable from the data
        (or not by that grouping).
    """
    settings = settings or {}
    products = data.get("product_master")
    function = _MEASURES.get(rule_id)
    if function is None:
        return None
    try:
        return function(data, start, end, by, products, settings)
    except KeyError:
        # the data lack a column the metric or grouping needs: not measurable, not an error
        return None


def _m_account_health(rule_id):
    def function(data, start, end, by, products, settings):
        health = data.get("account_health")
        if health is None or by is not None:
            return None
        metric = ACCOUNT_HEALTH_METRICS[rule_id]
        # a snapshot without dates (Account Health Rating) is the current state
        dated = pd.to_datetime(health["date_to"])
        health = health[(dated <= end) | (dated.isna() & (end >= dated.max()))]
        rows = account_health_rates(health[health["metric"] == metric])
        if rows.empty and rule_id == "order_defect_rate":
            rows = _combined_order_defect_rate(health)
        if rows.empty:
            return None
        latest = rows.iloc[[0]]
        return pd.DataFrame({column: as_float(latest[column]).to_numpy() if column in latest
                             else [np.nan] for column in ("numerator", "denominator", "value")})
    return function


def _combined_order_defect_rate(health):
    """ODR over both channels from the AFN and MFN rates and their order counts."""
    parts = account_health_rates(health[health["metric"].isin(
        ["order_defect_rate_afn", "order_defect_rate_mfn"])])
    if parts.empty or parts["denominator"].isna().any():
        return parts.iloc[0:0]
    defects = (as_float(parts["value"]) * as_float(parts["denominator"])).sum()
    orders = as_float(parts["denominator"]).sum()
    return pd.DataFrame({"numerator": [defects], "denominator": [orders],
                         "value": [safe_divide(defects, orders)]})


def _m_buy_box(data, start, end, by, products, settings):
    report = _window(data.get("business_report_asin"), start, end)
    if report is None or report.empty:
        report = _window(data.get("business_report_date"), start, end)
    if report is None or report.empty or "buy_box_percentage" not in report:
        return None
    table = buy_box_percentage(_drop_apart(report), by, None, products)
    return _value_table(table, "buy_box_percentage_numerator", "page_views")


def _m_return_rate(data, start, end, by, products, settings):
    returns = [f for f in (_window(data.get("fba_returns"), start, end),
                           _window(data.get("mfn_returns"), start, end)) if f is not None]
    sales = _window(_sales_frame(data), start, end)
    if not returns or sales is None or sales.empty:
        return None
    table = return_rate(returns, sales, by, None, products)
    return _value_table(table, "returned", "ordered")


def _sales_total(data, start, end, by, products):
    sales = _window(_sales_frame(data), start, end)
    if sales is None or sales.empty:
        return None
    return totals(_drop_apart(sales_lines(sales)), ["sales"], by, None, products)


def _m_gmv_growth(data, start, end, by, products, settings):
    now = _sales_total(data, start, end, by, products)
    before = _sales_total(data, start - pd.DateOffset(years=1), end - pd.DateOffset(years=1),
                          by, products)
    if now is None or before is None:
        return None
    keys = [c for c in now.columns if c != "sales"]
    table = (now.merge(before, on=keys, how="left", suffixes=("", "_last_year")) if keys
             else pd.concat([now, before.add_suffix("_last_year")], axis=1))
    table["numerator"] = table["sales"] - table["sales_last_year"]
    table["denominator"] = table["sales_last_year"]
    table["value"] = safe_divide(table["numerator"], table["denominator"])
    return table.drop(columns=["sales", "sales_last_year"])


def _ads_window(data, start, end, settings, by=None):
    frame = _ads_frame(data, settings.get("attribution_days"))
    if by in ("sku", "asin", "parent", "category", "brand"):
        # only the advertised product report knows which SKU an ad dollar went to
        frame = _one_window(data.get("sp_advertised_product"), settings.get("attribution_days"))
    return _window(frame, start, end)


def _m_acos(data, start, end, by, products, settings):
    ads = _ads_window(data, start, end, settings, by)
    if ads is None or ads.empty:
        return None
    return _value_table(acos(_drop_apart(ads), by, None, products), "spend", "sales")


def _m_roas(data, start, end, by, products, settings):
    ads = _ads_window(data, start, end, settings, by)
    if ads is None or ads.empty:
        return None
    return _value_table(roas(_drop_apart(ads), by, None, products), "sales", "spend")


def _tacos_value(data, start, end, by, products, settings):
    ads = _ads_window(data, start, end, settings, by)
    sales = _window(_sales_frame(data), start, end)
    if ads is None or ads.empty or sales is None or sales.empty:
        return None
    table = tacos(_drop_apart(ads), _drop_apart(sales), by, None, products)
    return _value_table(table.drop(columns="tacos"), "spend", "sales")


def _m_tacos_trend(data, start, end, by, products, settings):
    now = _tacos_value(data, start, end, by, products, settings)
    before = _tacos_value(data, *previous_bounds(start, end), by, products, settings)
    if now is None or before is None:
        return None
    keys = [c for c in now.columns if c not in ("numerator", "denominator", "value")]
    table = (now.merge(before[keys + ["value"]], on=keys, how="left", suffixes=("", "_before"))
             if keys else now.assign(value_before=before["value"].to_numpy()))
    table["numerator"], table["denominator"] = table["value"], table["value_before"]
    table["value"] = table["value"] - table.pop("value_before")
    return table


def _m_acos_vs_break_even(data, start, end, by, products, settings):
    """Spend / break-even spend, where break-even spend = sum(ad sales x break-even ACOS)."""
    ads = data.get("sp_advertised_product")
    if ads is None or products is None or not {"price", "unit_cost", "fba_fee",
                                               "referral_fee_rate"} <= set(products):
        return None
    ads = _window(_one_window(ads, settings.get("attribution_days")), start, end)
    if ads.empty:
        return None
    currency = ads["currency"].dropna().iloc[0] if "currency" in ads else None
    try:
        limits = break_even_acos_table(products, settings.get("exchange_rates"), currency)
    except ValueError:
        return None  # costs in another currency and no rate given: not measurable
    limits = limits.set_index("sku")["break_even_acos"]
    sku = group_column(ads, "sku")
    sales = as_float(ads["advertised_sku_sales"] if "advertised_sku_sales" in ads
                     else ads["sales"])
    allowance = sales * sku.map(limits).astype("float64").to_numpy()
    table = ratio(_drop_apart(ads), "spend", allowance, "value", by, None, products)
    return table.rename(columns={"spend": "numerator", "value_denominator": "denominator"})


def _stock_at(data, end):
    """Sellable units per SKU on ``end``: Daily Inventory History when present, else the
    current FBA inventory snapshot, which is only valid for a window ending on the last day."""
    history = data.get("inventory_history")
    if history is not None and len(history):
        history = history[pd.to_datetime(history["date"]) <= end]
        if "detailed_disposition" in history:
            history = history[history["detailed_disposition"].astype(str).str.upper()
                              .eq("SELLABLE").to_numpy()]
        if history.empty:
            return None
        return history[history["date"] == history["date"].max()]
    snapshot = next((data.get(k) for k in ("fba_inventory", "inventory_planning")
                     if data.get(k) is not None), None)
    sales = _sales_frame(data)
    if snapshot is None or sales is None:
        return None
    last = period_start(sales[date_column(sales)], "D").max()
    return snapshot if end >= last else None


def _m_days_of_cover(data, start, end, by, products, settings):
    stock = _stock_at(data, end)
    sales = _sales_frame(data)
    if stock is None or sales is None:
        return None
    table = days_of_cover(stock, sales, end, settings.get("velocity_window_days", 30), by,
                          products)
    return _value_table(table, "on_hand", "units_per_day")


def _m_turnover(data, start, end, by, products, settings):
    history = data.get("inventory_history")
    sales = _sales_frame(data)
    if history is None or sales is None:
        return None
    days = int((end - start).days) + 1
    table = sell_through(history, sales, end, days, by, products)
    table["denominator"] = table["average_on_hand"] * days / 365.0
    return table.rename(columns={"units": "numerator", "inventory_turnover": "value"})


def _m_ad_groups(data, start, end, by, products, settings):
    # daily reports first: a summary report (start/end dates) may begin before the window
    frame = next((data.get(k) for k in ("sp_search_term", "sp_advertised_product", "sp_targeting")
                  if data.get(k) is not None), None)
    if frame is None or "ad_group_name" not in frame:
        return None
    frame = _window(frame, start, end)
    counts = frame.groupby("campaign_name")["ad_group_name"].nunique().astype("float64")
    if by == "campaign":
        return pd.DataFrame({"campaign": counts.index, "numerator": counts.to_numpy(),
                             "denominator": 1.0, "value": counts.to_numpy()})
    if by is not None:
        return None
    return pd.DataFrame({"numerator": [counts.max()], "denominator": [1.0],
                         "value": [counts.max()]})


_MEASURES = {rule: _m_account_health(rule) for rule in ACCOUNT_HEALTH_METRICS}
_MEASURES.update({
    "buy_box_share": _m_buy_box, "return_rate": _m_return_rate, "gmv_growth_yoy": _m_gmv_growth,
    "acos": _m_acos, "roas": _m_roas, "tacos_trend": _m_tacos_trend,
    "acos_vs_break_even": _m_acos_vs_break_even, "days_of_cover": _m_days_of_cover,
    "days_of_cover_floor": _m_days_of_cover, "excess_days_of_supply": _m_days_of_cover,
    "inventory_turnover": _m_turnover, "ad_groups_per_campaign": _m_ad_groups,
})

#: Statuses, best first.
STATUSES = ("good", "watch", "breach", "no_data", "not_measured")


def rule_status(value, rule, watch_margin=0.0, watch_edges="both") -> pd.Series | str:
    """Traffic light of a value against one rule.

    Parameters
    ----------
    value : float or Series
        Measured KPI.
    rule : dict
        Rule-pack entry: ``direction`` (below, above, at_most, at_least, within) and ``value``
        or ``min``/``max``.
    watch_margin : float
        Width of the "watch" band on the good side of a limit [fraction]: of the limit itself
        for upper limits and counts; for a lower limit on a share (unit "fraction", e.g. valid
        tracking >= 95 %) of the room between the limit and 100 %; for a range, of its width.
    watch_edges : {"both", "min", "max"}
        For ``within`` rules, which edges have a watch band.

    Returns
    -------
    str or Series
        "good", "watch", "breach" or "no_data" (value missing).
    """
    values = as_float(pd.Series(np.atleast_1d(value)) if np.isscalar(value) else value)
    direction = rule["direction"]
    breach = pd.Series(False, index=values.index)
    watch = pd.Series(False, index=values.index)
    fraction = rule.get("unit") == "fraction"
    if direction in ("below", "at_most"):
        limit = rule["value"]
        breach = values >= limit if direction == "below" else values > limit
        watch = values > limit - abs(limit) * watch_margin
    elif direction in ("above", "at_least"):
        limit = rule["value"]
        # a share cannot pass 1: the band is a part of the room between the limit and 100 %
        room = (1.0 - limit) if fraction and limit < 1 else abs(limit)
        breach = values <= limit if direction == "above" else values < limit
        watch = values < limit + room * watch_margin
    elif direction == "within":
        low, high = rule["min"], rule["max"]
        band = (high - low) * watch_margin
        breach = (values < low) | (values > high)
        if watch_edges in ("both", "min"):
            watch |= values < low + band
        if watch_edges in ("both", "max"):
            watch |= values > high - band
    else:
        raise ValueError(f"rule direction {direction!r} has no pass/fail status")
    status = pd.Series(np.select([values.isna(), breach, watch], ["no_data", "breach", "watch"],
                                 "good"), index=values.index)
    return status.iloc[0] if np.isscalar(value) else status


def _target_text(rule):
    if rule["direction"] == "within":
        return rule["min"], rule["max"]
    if rule["direction"] in ("below", "at_most"):
        return np.nan, rule["value"]
    return rule["value"], np.nan


def _trend(value, previous, rule):
    change = value - previous
    if pd.isna(change) or change == 0:
        return "flat" if change == 0 else ""
    if rule["direction"] == "within":
        middle = (rule["min"] + rule["max"]) / 2
        better = abs(value - middle) < abs(previous - middle)
    else:
        better = (change < 0) == (rule["direction"] in ("below", "at_most"))
    return "improving" if better else "worsening"


def _label(key, language):
    from opsanalysis import labels

    try:
        return labels.label(key, language)
    except KeyError:
        return key


def scorecard(data, rules, period, settings=None, language="en",
              exchange_rates=None) -> pd.DataFrame:
    """One row per rule: value, target, status (good / watch / breach), trend and source.

    Parameters
    ----------
    data : MarketplaceData or dict of str to DataFrame
        The marketplace's frames by kind.
    rules : dict
        ``params.load(mp)["rules"]``; rules with direction ``info`` are facts, not targets, and
        are left out.
    period : str, Period or (start, end)
        The period scored (``"2026-10"``); the trend compares it with the period before.
    settings : dict, optional
        ``params.load(mp)["ads"]``: ``scorecard_watch_margin``, ``scorecard_watch_edges`` and
        ``attribution_days``. Without it there is no watch band.
    language : {"en", "zh"}
        Language of the ``label`` column.
    exchange_rates : dict of str to float, optional
        Marketplace currency per unit of each product-cost currency (``{"CNY": 0.14}``), for
        break-even ACOS when the product master's costs are in another currency.

    Returns
    -------
    DataFrame
        rule_id, label, value, previous, trend ("improving" | "worsening" | "flat" | ""), target_min,
        target_max, unit, direction, status ("good", "watch", "breach", "no_data" when the data
        lack what the rule needs this period, "not_measured" when no report can measure it),
        numerator, denominator, source, checked, period_start, period_end.
    """
    settings = {**(settings or {}), "exchange_rates": exchange_rates}
    start, end = period_bounds(period)
    before = previous_bounds(start, end)
    margin = settings.get("scorecard_watch_margin", 0.0)
    edges = settings.get("scorecard_watch_edges") or {}
    rows = []
    for rule_id, rule in rules.items():
        if rule.get("direction") == "info":
            continue
        now = measure(data, rule_id, start, end, None, settings)
        then = measure(data, rule_id, *before, None, settings)
        value = float(now["value"].iloc[0]) if now is not None and len(now) else np.nan
        previous = float(then["value"].iloc[0]) if then is not None and len(then) else np.nan
        status = ("not_measured" if rule_id not in _MEASURES
                  else rule_status(value, rule, margin, edges.get(rule_id, "both")))
        low, high = _target_text(rule)
        rows.append({
            "rule_id": rule_id, "label": _label(rule_id, language), "value": value, "previous": previous,
            "trend": _trend(value, previous, rule), "target_min": low, "target_max": high,
            "unit": rule.get("unit", ""), "direction": rule["direction"], "status": status,
            "numerator": float(now["numerator"].iloc[0]) if now is not None and len(now)
            else np.nan,
            "denominator": float(now["denominator"].iloc[0]) if now is not None and len(now)
            else np.nan,
            "source": rule.get("source", ""), "checked": rule.get("checked", ""),
            "period_start": start, "period_end": end})
    return pd.DataFrame(rows)


def breach_drivers(data, rule_id, rules, period, by="sku", settings=None) -> pd.DataFrame:
    """The groups (SKUs by default) behind a rule's value, worst first.

    Each group gets its own value and status, and its ``excess``: how much of the numerator is
    beyond the limit (e.g. for ACOS, spend above target ACOS x sales; for buy box, featured
    page views missing to reach the target share), so that the list is ordered by what fixing
    the group would gain.

    Parameters
    ----------
    data, rules, period, settings
        As for :func:`scorecard`.
    rule_id : str
        The rule to drill into.
    by : str
        Grouping (``"sku"``, ``"asin"``, ``"campaign"`` ...).

    Returns
    -------
    DataFrame
        by, numerator, denominator, value, status, excess; sorted by excess (largest first).
        Empty when the rule cannot be split by ``by``.
    """
    settings = settings or {}
    rule = rules[rule_id]
    start, end = period_bounds(period)
    table = measure(data, rule_id, start, end, by, settings)
    if table is None:
        return pd.DataFrame(columns=[by, "numerator", "denominator", "value", "status",
                                     "excess"])
    table = table.copy()
    margin = settings.get("scorecard_watch_margin", 0.0)
    edges = (settings.get("scorecard_watch_edges") or {}).get(rule_id, "both")
    table["status"] = rule_status(table["value"], rule, margin, edges)
    low, high = _target_text(rule)
    denominator = table["denominator"].fillna(0.0)
    over = table["numerator"] - high * denominator if not pd.isna(high) else 0.0
    under = low * denominator - table["numerator"] if not pd.isna(low) else 0.0
    table["excess"] = np.fmax(np.fmax(as_float(pd.Series(over, index=table.index)),
                                      as_float(pd.Series(under, index=table.index))), 0.0)
    order = table["status"].map({s: i for i, s in enumerate(("breach", "watch", "good",
                                                             "no_data"))})
    return (table.assign(_order=order).sort_values(["_order", "excess"], ascending=[True, False])
            .drop(columns="_order").reset_index(drop=True))


#: Groupings tried, in order, when drilling into a rule.
DRILL_GROUPINGS = ("sku", "campaign")


def drill_down(data, card, rules, period, settings=None, statuses=("breach",), top=5,
               exchange_rates=None) -> pd.DataFrame:
    """The worst groups behind every rule in ``statuses`` on a scorecard.

    Each rule is split by SKU where its data allow, else by campaign (account-health rates
    cannot be split).

    Parameters
    ----------
    data, rules, period, settings, exchange_rates
        As for :func:`scorecard`.
    card : DataFrame
        The scorecard.
    statuses : sequence of str
        Statuses to drill into.
    top : int
        Groups kept per rule.

    Returns
    -------
    DataFrame
        rule_id, label, grouping ("sku" | "campaign"), group, numerator, denominator, value,
        status, excess; worst first within each rule.
    """
    settings = {**(settings or {}), "exchange_rates": exchange_rates}
    parts = []
    for row in card[card["status"].isin(statuses)].itertuples():
        for grouping in DRILL_GROUPINGS:
            drivers = breach_drivers(data, row.rule_id, rules, period, grouping, settings)
            if len(drivers):
                drivers = drivers.head(top).rename(columns={grouping: "group"})
                parts.append(drivers[["group", "numerator", "denominator", "value", "status",
                                      "excess"]].assign(rule_id=row.rule_id, label=row.label,
                                                        grouping=grouping))
                break
    columns = ["rule_id", "label", "grouping", "group", "numerator", "denominator", "value",
               "status", "excess"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]

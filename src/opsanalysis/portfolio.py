"""The portfolio across marketplaces: headline KPIs, profit and payouts in one currency, rule
breaches side by side and the marketplace expansion view (issue 19, item 5).

Pure functions: per-marketplace tables (keyed by marketplace code) and plain settings in, one
table out. The caller (``portfolio_sections.prepare_portfolio``) computes each marketplace's
figures with the same functions its own reports use -- ``overview.headline_figures``, the KPI
scorecard, ``settlements.marketplace_profit`` / ``payout_calendar``, ``opportunity.
market_metrics`` -- and hands them here.

Money is converted to one currency (params ``opportunity.summary_currency``, CNY by default)
at each marketplace's dated rate (params ``opportunity.fx_rates``: summary currency per
marketplace currency, :func:`fx_rates`). A marketplace without a rate is not converted: its
money reads "not estimated" and it is left out of every money total (:func:`with_total`), never
counted as 0. Counts (units, sessions) are summed over every marketplace.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsanalysis import kpi, opportunity
from opsanalysis.frames import as_float, safe_divide

__all__ = ["BREACH_STATUSES", "EXPANSION_STATUSES", "MARKET_WINDOW_DAYS", "TOTAL",
           "brand_search_table", "breach_table", "category_sales", "convert", "expansion_table", "fx_rates",
           "headline_table", "profit_table", "with_total"]

#: ``marketplace`` of the total row of a portfolio table.
TOTAL = "total"
#: Scorecard statuses a rule is listed for in :func:`breach_table`, worst first.
BREACH_STATUSES = ("breach", "watch")
#: Status of a category in a marketplace in :func:`expansion_table`.
EXPANSION_STATUSES = ("selling", "candidate", "no_market_data")
#: Days of the seller's own sales compared with the market: Product Opportunity Explorer's
#: niche figures are trailing 360 days (``search_volume_t360``, ``revenue_t360``) [days].
MARKET_WINDOW_DAYS = 360


# ---------------------------------------------------------------------------------------------
# Currency


def fx_rates(currencies: dict, rates: dict, summary_currency: str) -> pd.DataFrame:
    """The rate and date each marketplace's money is converted at.

    Parameters
    ----------
    currencies : dict of str to str
        Marketplace code -> its currency (params ``currency``).
    rates : dict of str to dict
        Marketplace code -> params ``opportunity.fx_rates`` of that marketplace (currency ->
        ``{rate, date}``: that currency per marketplace currency).
    summary_currency : str
        The currency of the portfolio (params ``opportunity.summary_currency``).

    Returns
    -------
    DataFrame
        marketplace, currency, summary_currency, summary_fx_rate [summary currency per marketplace
        currency; 1 for the same currency, NaN without a rate], summary_fx_date ("" for the same
        currency or no rate), converted (bool).
    """
    rows = []
    for code, currency in currencies.items():
        entry = (rates.get(code) or {}).get(summary_currency)
        if currency == summary_currency:
            rate, date = 1.0, ""
        elif isinstance(entry, dict) and entry.get("rate"):
            rate, date = float(entry["rate"]), str(entry.get("date", ""))
        else:
            rate, date = np.nan, ""
        rows.append((code, currency, summary_currency, rate, date))
    table = pd.DataFrame(rows, columns=["marketplace", "currency", "summary_currency", "summary_fx_rate",
                                        "summary_fx_date"])
    table["converted"] = table["summary_fx_rate"].notna()
    return table


def convert(table: pd.DataFrame, rates: pd.DataFrame, columns) -> pd.DataFrame:
    """Money columns of a per-marketplace table in the summary currency.

    Parameters
    ----------
    table : DataFrame
        One row per marketplace (``marketplace``), money in each marketplace's currency.
    rates : DataFrame
        :func:`fx_rates`.
    columns : sequence of str
        The money columns of ``table``.

    Returns
    -------
    DataFrame
        ``table`` with ``columns`` multiplied by the marketplace's rate (NaN without one),
        ``currency`` the summary currency and ``converted`` (bool) beside.
    """
    rate = table["marketplace"].map(rates.set_index("marketplace")["summary_fx_rate"]).astype(float)
    out = table.copy()
    for column in columns:
        out[column] = as_float(out[column]) * rate.to_numpy()
    out["currency"] = rates["summary_currency"].iloc[0] if len(rates) else ""
    out["converted"] = rate.notna().to_numpy()
    return out


def _sum_known(values: pd.Series) -> float:
    """Sum of values, NaN when any is unknown or there is none (unknown is never 0)."""
    values = as_float(values)
    return float(values.sum()) if len(values) and values.notna().all() else np.nan


def with_total(table: pd.DataFrame, money, counts=(), ratios=None) -> pd.DataFrame:
    """A converted portfolio table with its total row (``marketplace`` :data:`TOTAL`).

    Money is summed over the converted marketplaces only (``converted``); counts over every
    marketplace. A money or count column unknown in one of the rows it sums is unknown in the
    total. Ratios are recomputed from the totals.

    Parameters
    ----------
    table : DataFrame
        :func:`convert` output.
    money, counts : sequence of str
        Columns summed (money over converted rows, counts over all rows).
    ratios : dict of str to (str, str), optional
        Ratio column -> (numerator, denominator) columns of the total row.

    Returns
    -------
    DataFrame
        ``table`` and its total row (other columns empty).
    """
    converted = table[table["converted"].astype(bool)]
    total = {"marketplace": TOTAL, "currency": table["currency"].iloc[0] if len(table) else "",
             "converted": True}
    for column in money:
        total[column] = _sum_known(converted[column]) if len(converted) else np.nan
    for column in counts:
        total[column] = _sum_known(table[column])
    for column, (numerator, denominator) in (ratios or {}).items():
        total[column] = safe_divide(total[numerator], total[denominator])
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Headline KPIs


def _metric(headline: pd.DataFrame, metric: str) -> float:
    rows = headline.loc[headline["metric"] == metric, "value"]
    return float(rows.iloc[0]) if len(rows) else np.nan


def headline_table(headlines: dict, returns: dict, periods: dict) -> pd.DataFrame:
    """Each marketplace's headline KPIs over its window, money in its own currency.

    Parameters
    ----------
    headlines : dict of str to DataFrame
        Marketplace code -> :func:`opsanalysis.overview.headline_figures` (metric, value).
    returns : dict of str to (float, float)
        Marketplace code -> units returned and units shipped of the window (the scorecard's
        ``return_rate`` numerator and denominator) [units].
    periods : dict of str to (Timestamp, Timestamp)
        Marketplace code -> first and last day of its window.

    Returns
    -------
    DataFrame
        marketplace, period_start, period_end, sales [currency], units, sessions [count],
        conversion (units / sessions) [fraction], ad_spend, ad_sales [currency], acos (ad spend
        / ad sales), tacos (ad spend / sales) [fraction], units_returned, units_shipped [units],
        return_rate [fraction]. A figure whose report is missing is NaN.
    """
    rows = []
    for code, headline in headlines.items():
        spend, acos = _metric(headline, "spend"), _metric(headline, "acos")
        sales = _metric(headline, "ordered_product_sales")
        returned, shipped = returns.get(code, (np.nan, np.nan))
        start, end = periods.get(code, (pd.NaT, pd.NaT))
        rows.append({
            "marketplace": code, "period_start": start, "period_end": end, "sales": sales,
            "units": _metric(headline, "units_ordered"),
            "sessions": _metric(headline, "sessions"),
            "conversion": _metric(headline, "unit_session_percentage"),
            "ad_spend": spend, "ad_sales": safe_divide(spend, acos), "acos": acos,
            "tacos": safe_divide(spend, sales), "units_returned": float(returned),
            "units_shipped": float(shipped),
            "return_rate": safe_divide(float(returned), float(shipped))})
    columns = ["marketplace", "period_start", "period_end", "sales", "units", "sessions",
               "conversion", "ad_spend", "ad_sales", "acos", "tacos", "units_returned",
               "units_shipped", "return_rate"]
    return pd.DataFrame(rows, columns=columns)


#: Money, counts and ratios of :func:`headline_table` for :func:`with_total`.
HEADLINE_MONEY = ("sales", "ad_spend", "ad_sales")
HEADLINE_COUNTS = ("units", "sessions", "units_returned", "units_shipped")
HEADLINE_RATIOS = {"conversion": ("units", "sessions"), "acos": ("ad_spend", "ad_sales"),
                   "tacos": ("ad_spend", "sales"),
                   "return_rate": ("units_returned", "units_shipped")}


# ---------------------------------------------------------------------------------------------
# Profit and payouts


def profit_table(monthly: dict, payouts: dict) -> pd.DataFrame:
    """Each marketplace's profit from what Amazon charged and its payouts (回款).

    Parameters
    ----------
    monthly : dict of str to DataFrame or None
        Marketplace code -> the profit report's monthly figures
        (:func:`opsanalysis.settlements.marketplace_profit` with its ``margin`` named
        ``profit_margin``, ``opsanalysis.profit_sections.Profit.monthly``; its total row is
        used); None without a settlement or transaction report.
    payouts : dict of str to DataFrame or None
        Marketplace code -> :func:`opsanalysis.settlements.payout_calendar`; None without a
        settlement flat file.

    Returns
    -------
    DataFrame
        marketplace, first_month, last_month (of the charges), net_sales, gross_profit
        [currency], gross_margin [fraction], advertising, storage (signed: a charge is
        negative), profit [currency], profit_margin [fraction], payouts (the deposits of the
        settlements), reserve_held (by the last settlement), last_payout [currency],
        last_deposit_date, settlements [count; 0 without a settlement flat file]. Unknown
        figures are NaN. In :func:`with_total`, ``settlements`` goes with the money (the
        payouts it counts are summed over the converted marketplaces only).
    """
    rows = []
    for code in {**monthly, **payouts}:
        table, calendar = monthly.get(code), payouts.get(code)
        row = {"marketplace": code, "settlements": 0.0}
        if table is not None and len(table):
            total = table[table["period"] == "total"].iloc[0]
            months = table["month"].dropna()
            row.update(first_month=months.min(), last_month=months.max(),
                       **{c: float(total[c]) for c in ("net_sales", "gross_profit",
                                                       "gross_margin", "advertising",
                                                       "storage", "profit",
                                                       "profit_margin")})
        if calendar is not None and len(calendar):
            last = calendar.sort_values("deposit_date", kind="stable").iloc[-1]
            row.update(payouts=float(calendar["payout"].sum()),
                       reserve_held=float(last["reserve_held"]),
                       last_payout=float(last["payout"]),
                       last_deposit_date=last["deposit_date"], settlements=float(len(calendar)))
        rows.append(row)
    columns = ["marketplace", "first_month", "last_month", "net_sales", "gross_profit",
               "gross_margin", "advertising", "storage", "profit", "profit_margin", "payouts",
               "reserve_held", "last_payout", "last_deposit_date", "settlements"]
    table = pd.DataFrame(rows).reindex(columns=columns)
    for column in columns[3:-2] + ["settlements"]:
        table[column] = as_float(table[column])
    return table


#: Money and ratios of :func:`profit_table` for :func:`with_total`.
PROFIT_MONEY = ("net_sales", "gross_profit", "advertising", "storage", "profit", "payouts",
                "reserve_held", "last_payout")
PROFIT_RATIOS = {"gross_margin": ("gross_profit", "net_sales"),
                 "profit_margin": ("profit", "net_sales")}


# ---------------------------------------------------------------------------------------------
# Rules side by side


def breach_table(cards: dict) -> pd.DataFrame:
    """The rules in breach or on watch in any marketplace, the marketplaces side by side.

    Parameters
    ----------
    cards : dict of str to DataFrame
        Marketplace code -> :func:`opsanalysis.kpi.scorecard` (rule_id, status).

    Returns
    -------
    DataFrame
        rule_id, one column per marketplace (its status code; "" where the marketplace's rule
        pack lacks the rule), breaches, watches [count]; most breaches first, then most
        watches, then rule order.
    """
    statuses = {code: card.set_index("rule_id")["status"] for code, card in cards.items()}
    order = list(dict.fromkeys(rule for card in cards.values() for rule in card["rule_id"]))
    table = pd.DataFrame(statuses).reindex(order).fillna("")
    table.index.name = "rule_id"
    table["breaches"] = (table == "breach").sum(axis=1).astype(float)
    table["watches"] = (table == "watch").sum(axis=1).astype(float)
    listed = table[(table["breaches"] + table["watches"]) > 0].reset_index()
    listed["_order"] = range(len(listed))
    return (listed.sort_values(["breaches", "watches", "_order"], ascending=[False, False, True],
                               kind="stable").drop(columns="_order").reset_index(drop=True))


# ---------------------------------------------------------------------------------------------
# Marketplace expansion


def category_sales(sales: pd.DataFrame | None, products: pd.DataFrame | None, as_of,
                   days: int = MARKET_WINDOW_DAYS) -> pd.DataFrame:
    """The seller's own sales per category over the ``days`` ending on ``as_of``.

    Parameters
    ----------
    sales : DataFrame or None
        ``all_orders`` or a Business Report frame (:func:`opsanalysis.kpi.sales_lines`).
    products : DataFrame or None
        Product master (SKU -> category).
    as_of : Timestamp-like
        Last day of the window.
    days : int
        Length of the window [days]; :data:`MARKET_WINDOW_DAYS` to compare with the niches.

    Returns
    -------
    DataFrame
        category, own_sales [currency], own_units [units]; empty without sales, a product
        master or a report date.
    """
    empty = pd.DataFrame({"category": pd.Series(dtype=object), "own_sales": pd.Series(dtype=float),
                          "own_units": pd.Series(dtype=float)})
    if sales is None or products is None or as_of is None or pd.isna(as_of):
        return empty
    lines = kpi.sales_lines(sales).drop(columns=["currency"], errors="ignore")
    window = kpi.in_period(lines, kpi.trailing_period(as_of, days))
    if window.empty:
        return empty
    totals = kpi.totals(window, ["sales", "units"], "category", products=products)
    return totals.rename(columns={"sales": "own_sales", "units": "own_units"})[
        ["category", "own_sales", "own_units"]]


def expansion_table(niches: dict, own: dict, rates: pd.DataFrame,
                    thresholds: dict | None = None) -> pd.DataFrame:
    """Demand and competition of our categories per candidate marketplace (Global Selling).

    Every category the seller sells in any marketplace is looked at in every marketplace:
    the market's demand and competition where the marketplace has market data (Product
    Opportunity Explorer niches, :func:`opsanalysis.opportunity.market_metrics`), the seller's
    own sales there in any case.

    Parameters
    ----------
    niches : dict of str to DataFrame or None
        Marketplace code -> canonical ``niche`` frame (None or empty: no market data).
    own : dict of str to DataFrame
        Marketplace code -> :func:`category_sales`.
    rates : DataFrame
        :func:`fx_rates` (market revenue and own sales are also given in the summary currency).
    thresholds : dict, optional
        params ``opportunity.concentration`` for the concentration level.

    Returns
    -------
    DataFrame
        category, marketplace, status (:data:`EXPANSION_STATUSES`: "selling" -- own sales in
        the window; "candidate" -- market data, no own sales; "no_market_data" -- the seller's
        own figures only), search_volume_t360 [count], market_growth [fraction, yearly change
        of search volume], market_revenue [summary currency], top_5_click_share [fraction],
        brand_count, average_review_count [count], concentration_level, market_quality
        ("first_party" / "estimate"), own_sales [summary currency], own_units [units],
        own_share (own sales / market revenue, both in the marketplace currency) [fraction],
        currency (summary). Ordered by category, then search volume (largest first).
    """
    frames, with_market, with_sales = [], set(), set()
    for code in dict.fromkeys([*niches, *own]):
        sold = own.get(code)
        sold = sold if sold is not None else category_sales(None, None, None)
        if len(sold):
            with_sales.add(code)
        table = sold.copy()
        niche = niches.get(code)
        if niche is not None and len(niche):
            with_market.add(code)
            table = opportunity.market_metrics(niche, "category", thresholds).merge(
                sold, on="category", how="outer")
        frames.append(table.assign(marketplace=code))
    columns = ["category", "marketplace", "status", "search_volume_t360", "market_growth",
               "market_revenue", "top_5_click_share", "brand_count", "average_review_count",
               "concentration_level", "market_quality", "own_sales", "own_units", "own_share",
               "currency"]
    if not frames:
        return pd.DataFrame(columns=columns)
    long = pd.concat(frames, ignore_index=True)
    for column in ("search_volume_t360", "market_growth", "revenue_t360", "cr5", "brand_count",
                   "average_review_count", "own_sales", "own_units"):
        long[column] = as_float(long[column]) if column in long else np.nan
    for column in ("concentration_level", "market_quality"):
        long[column] = long[column].fillna("").astype(str) if column in long else ""
    ours = sorted(long.loc[long["own_sales"].fillna(0) > 0, "category"].unique())
    codes = list(dict.fromkeys([*niches, *own]))
    grid = pd.MultiIndex.from_product([ours, codes], names=["category", "marketplace"])
    table = grid.to_frame(index=False).merge(long, on=["category", "marketplace"], how="left")
    # a category a marketplace with sales reports did not sell sold nothing there (0, known);
    # without sales reports it is unknown
    sells = table["marketplace"].isin(with_sales)
    for column in ("own_sales", "own_units"):
        table[column] = table[column].where(~sells | table[column].notna(), 0.0)
    market_row = table["marketplace"].isin(with_market) & table["search_volume_t360"].notna()
    rate = table["marketplace"].map(rates.set_index("marketplace")["summary_fx_rate"]).astype(float)
    status = np.where(table["own_sales"].fillna(0) > 0, "selling",
                      np.where(market_row, "candidate", "no_market_data"))
    out = pd.DataFrame({
        "category": table["category"], "marketplace": table["marketplace"], "status": status,
        "search_volume_t360": table["search_volume_t360"],
        "market_growth": table["market_growth"],
        "market_revenue": table["revenue_t360"] * rate.to_numpy(),
        "top_5_click_share": table["cr5"], "brand_count": table["brand_count"],
        "average_review_count": table["average_review_count"],
        "concentration_level": table["concentration_level"].fillna("").astype(str),
        "market_quality": table["market_quality"].fillna("").astype(str),
        "own_sales": table["own_sales"] * rate.to_numpy(), "own_units": table["own_units"],
        "own_share": safe_divide(table["own_sales"], table["revenue_t360"]),
        "currency": rates["summary_currency"].iloc[0] if len(rates) else ""})
    return out.sort_values(["category", "search_volume_t360", "marketplace"],
                           ascending=[True, False, True], na_position="last",
                           kind="stable").reset_index(drop=True)


def brand_search_table(reports: dict) -> pd.DataFrame:
    """Our brand's search demand and share per marketplace from Brand Analytics.

    From the Search Query Performance report, brand view (``sqp_brand``): over the latest
    reporting period of each marketplace's file, the search volume of the queries that led to
    our brand and the shares of those queries' clicks and purchases that went to our brand.

    Parameters
    ----------
    reports : dict of str to DataFrame or None
        Marketplace code -> canonical ``sqp_brand`` frame (None: no Brand Analytics report;
        the marketplace is left out).

    Returns
    -------
    DataFrame
        marketplace, period_start, period_end, search_queries [count], search_query_volume
        [searches], total_purchases, own_purchases [count], own_click_share,
        own_purchase_share [fraction: ours / all of those queries]; one row per marketplace
        with a report.
    """
    rows = []
    for code, frame in reports.items():
        if frame is None or not len(frame):
            continue
        latest = frame
        if "period_end" in frame and frame["period_end"].notna().any():
            latest = frame[frame["period_end"] == frame["period_end"].max()]
        sums = {column: float(as_float(latest[column]).sum()) if column in latest else np.nan
                for column in ("search_query_volume", "total_purchases", "own_purchases",
                               "own_clicks", "total_clicks")}
        rows.append({
            "marketplace": code,
            "period_start": latest["period_start"].min() if "period_start" in latest else pd.NaT,
            "period_end": latest["period_end"].max() if "period_end" in latest else pd.NaT,
            "search_queries": float(latest["search_query"].nunique()),
            "search_query_volume": sums["search_query_volume"],
            "total_purchases": sums["total_purchases"], "own_purchases": sums["own_purchases"],
            "own_click_share": safe_divide(sums["own_clicks"], sums["total_clicks"]),
            "own_purchase_share": safe_divide(sums["own_purchases"], sums["total_purchases"])})
    return pd.DataFrame(rows, columns=["marketplace", "period_start", "period_end",
                                       "search_queries", "search_query_volume",
                                       "total_purchases", "own_purchases", "own_click_share",
                                       "own_purchase_share"])

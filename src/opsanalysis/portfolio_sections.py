"""The portfolio sections (``notebooks/portfolio.ipynb``): each returns a
:class:`~opsanalysis.section.Section`.

The notebook calls :func:`prepare_portfolio` once with the marketplaces' report contexts
(``oa.report_context.prepare_marketplaces``), then :func:`marketplaces_section` (which loaded,
which failed, the dated exchange rates), :func:`headline_section`, :func:`profit_section`,
:func:`breaches_section` and :func:`expansion_section`; :func:`workbook_tables` gives their
tables. Each marketplace's figures are computed as its own reports compute them (overview
headline figures, the opportunity report's scorecard, the profit report's settlements); money is
converted by :mod:`opsanalysis.portfolio` and summed only where converted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from opsanalysis import kpi, overview, portfolio
from opsanalysis.formats import money_text, percent_text
from opsanalysis.labels import fill, label
from opsanalysis.section import Section

__all__ = ["Portfolio", "brand_search_section", "breaches_section", "expansion_section", "headline_section",
           "marketplaces_section", "prepare_portfolio", "profit_section", "workbook_tables"]

_KINDS = {"summary_fx_rate": "text", "settlements": "count", "breaches": "count",
          "watches": "count", "converted": "bool", "brand_count": "count",
          "average_review_count": "count", "search_volume_t360": "count",
          "market_revenue": "money", "own_sales": "money", "own_units": "count",
          "own_share": "percent", "top_5_click_share": "percent", "market_growth": "percent",
          "conversion": "percent", "first_month": "date", "last_month": "date",
          "marketplace_status": "text", "search_queries": "count",
          "search_query_volume": "count", "total_purchases": "count", "own_purchases": "count",
          "own_click_share": "percent", "own_purchase_share": "percent",
          "gross_margin": "percent", "profit_margin": "percent",
          "reserve_held": "money", "last_payout": "money", "payouts": "money"}
_HEADLINE = ["marketplace", "sales", "units", "sessions", "conversion", "ad_spend", "acos",
             "tacos", "return_rate", "currency"]
_PROFIT = ["marketplace", "net_sales", "gross_profit", "gross_margin", "profit", "profit_margin",
           "payouts", "reserve_held", "last_deposit_date", "last_payout", "currency"]


@dataclass
class Portfolio:
    """What the portfolio sections show, from :func:`prepare_portfolio`.

    Attributes
    ----------
    language, currency : str
        Report language; the summary currency money is shown in.
    window_days : int
        Window of the headline KPIs and scorecards [days].
    failed : dict of str to str
        Marketplaces that did not load, with why.
    rates : DataFrame
        :func:`opsanalysis.portfolio.fx_rates`.
    headline, profit : DataFrame
        Converted tables with their total row (:func:`opsanalysis.portfolio.with_total`).
    headline_local, profit_local : DataFrame
        The same figures in each marketplace's currency (workbook).
    breaches, expansion : DataFrame
        :func:`opsanalysis.portfolio.breach_table`, :func:`opsanalysis.portfolio.expansion_table`.
    cards : dict of str to DataFrame
        Each marketplace's scorecard.
    loaded : list of str
        The marketplaces that loaded.
    brand_search : DataFrame or None
        :func:`opsanalysis.portfolio.brand_search_table` (Brand Analytics, brand view).
    """

    language: str
    currency: str
    window_days: int
    failed: dict
    rates: pd.DataFrame
    headline: pd.DataFrame
    headline_local: pd.DataFrame
    profit: pd.DataFrame
    profit_local: pd.DataFrame
    breaches: pd.DataFrame
    expansion: pd.DataFrame
    cards: dict = field(default_factory=dict)
    loaded: list = field(default_factory=list)
    brand_search: pd.DataFrame | None = None


def prepare_portfolio(contexts, window_days) -> Portfolio:
    """Every figure of the portfolio sections from the marketplaces' report contexts.

    Parameters
    ----------
    contexts : MarketplaceContexts
        ``oa.report_context.prepare_marketplaces(...)``.
    window_days : int
        Headline and scorecard window ending on each marketplace's report date [days].

    Returns
    -------
    Portfolio
    """
    reports = contexts.contexts
    first = next(iter(reports.values()), None)
    currency = (first.params["opportunity"]["summary_currency"] if first is not None else "CNY")
    rates = portfolio.fx_rates({c: r.params["currency"] for c, r in reports.items()},
                               {c: r.params["opportunity"]["fx_rates"] for c, r in reports.items()},
                               currency)
    headlines, returns, periods, cards, monthly, payouts, niches, own = ({} for _ in range(8))
    for code, report in reports.items():
        period = kpi.trailing_period(report.as_of, window_days)
        periods[code] = period
        headlines[code] = overview.headline_figures(report.data.frames, report.as_of,
                                                    window_days=window_days)
        cards[code] = report.scorecard(period)
        row = cards[code].set_index("rule_id").reindex(["return_rate"]).iloc[0]
        returns[code] = (row.get("numerator"), row.get("denominator"))
        profit = report.profit()
        monthly[code], payouts[code] = profit.monthly, profit.payouts
        niches[code] = report.data.get("niche")
        own[code] = portfolio.category_sales(kpi.sales_frame(report.data),
                                             report.data.get("product_master"), report.as_of)
    headline_local = portfolio.headline_table(headlines, returns, periods)
    profit_local = portfolio.profit_table(monthly, payouts)
    headline = portfolio.with_total(
        portfolio.convert(headline_local, rates, portfolio.HEADLINE_MONEY),
        portfolio.HEADLINE_MONEY, portfolio.HEADLINE_COUNTS, portfolio.HEADLINE_RATIOS)
    profit = portfolio.with_total(
        portfolio.convert(profit_local, rates, portfolio.PROFIT_MONEY),
        (*portfolio.PROFIT_MONEY, "settlements"), (), portfolio.PROFIT_RATIOS)
    thresholds = first.params["opportunity"]["concentration"] if first is not None else None
    for row in rates[~rates["converted"]].itertuples():  # "ok with warnings" in the batch
        contexts.warn(f"{row.marketplace}: no {currency} rate in params opportunity.fx_rates; "
                      f"its money is not estimated and left out of the totals")
    return Portfolio(
        language=contexts.language, currency=currency, window_days=window_days,
        failed=dict(contexts.failed), rates=rates, headline=headline,
        headline_local=headline_local.merge(rates[["marketplace", "currency"]], how="left"),
        profit=profit, profit_local=profit_local.merge(rates[["marketplace", "currency"]],
                                                       how="left"),
        breaches=portfolio.breach_table(cards),
        expansion=portfolio.expansion_table(niches, own, rates, thresholds), cards=cards,
        loaded=list(reports), brand_search=portfolio.brand_search_table(
            {code: report.data.get("sqp_brand") for code, report in reports.items()}))


def _money(value, view) -> str:
    if pd.isna(value):
        return label("not_estimated", view.language)
    return money_text(float(value), view.currency, view.language)


def _percent(value, language) -> str:
    return label("not_estimated", language) if pd.isna(value) else percent_text(float(value))


def _included(view) -> list:
    return list(view.rates.loc[view.rates["converted"], "marketplace"])


def _rate_notes(view) -> list:
    """The dated rates used and the marketplaces left out of the money totals."""
    language, notes = view.language, []
    shown = view.rates[view.rates["converted"]
                       & (view.rates["currency"] != view.rates["summary_currency"])]
    if len(shown):
        rates = "; ".join(f"1 {row.currency} = {row.summary_fx_rate:g} {view.currency} "
                          f"({row.summary_fx_date or '—'}, {row.marketplace})"
                          for row in shown.itertuples())
        notes.append(fill("portfolio_rates_note", language, currency=view.currency,
                          rates=rates))
    notes += _no_rate_notes(view)
    if view.failed:
        notes.append(fill("portfolio_failed_note", language,
            failed="; ".join(f"{code} ({message})" for code, message in view.failed.items())))
    return notes


def _no_rate_notes(view) -> list:
    """The sentence naming the marketplaces left out of the money totals (none: empty)."""
    missing = view.rates[~view.rates["converted"]]
    if missing.empty:
        return []
    return [fill("portfolio_no_rate_note", view.language,
        currency=view.currency, marketplaces=", ".join(
            f"{row.marketplace} ({row.currency})" for row in missing.itertuples()))]


def marketplaces_table(view: Portfolio) -> pd.DataFrame:
    """One row per marketplace asked for: loaded or failed, its currency and dated rate.

    Returns
    -------
    DataFrame
        marketplace, marketplace_status ("loaded" / "marketplace_failed"), currency,
        summary_fx_rate, summary_fx_date, converted, message (why it failed).
    """
    table = view.rates.assign(marketplace_status="loaded", message="")
    failed = pd.DataFrame({"marketplace": list(view.failed),
                           "marketplace_status": "marketplace_failed",
                           "message": list(view.failed.values())})
    table = pd.concat([table, failed], ignore_index=True)
    table["converted"] = table["converted"].astype("boolean").fillna(False).astype(bool)
    # the rate as params state it (0.047 JPY, not a rounded 0.05)
    table["summary_fx_rate"] = [f"{rate:g}" if pd.notna(rate) else
                                label("not_estimated", view.language)
                                for rate in table["summary_fx_rate"]]
    return table[["marketplace", "marketplace_status", "currency", "summary_fx_rate",
                  "summary_fx_date", "converted", "message"]]


def marketplaces_section(view: Portfolio) -> Section:
    """Which marketplaces loaded, which failed and why, and the dated exchange rates."""
    language = view.language
    table = marketplaces_table(view)
    finding = fill("portfolio_marketplaces_finding", language,
        loaded=len(view.loaded), count=len(table), codes=", ".join(table["marketplace"]),
        currency=view.currency)
    return Section(label("portfolio_marketplaces", language), finding, table, language=language,
                   kinds=_KINDS, notes=_rate_notes(view), sheet="marketplaces")


def headline_section(view: Portfolio) -> Section:
    """Every marketplace's headline KPIs side by side, money in the summary currency."""
    language, table = view.language, view.headline
    rows = table[table["marketplace"] != portfolio.TOTAL]
    total = table[table["marketplace"] == portfolio.TOTAL].iloc[0]
    included = _included(view)
    known = rows[rows["converted"] & rows["sales"].notna()]
    if known.empty or pd.isna(total["sales"]):
        finding = fill("portfolio_headline_none", language, currency=view.currency)
    else:
        largest = known.sort_values("sales", ascending=False).iloc[0]
        finding = fill("portfolio_headline_finding", language,
            days=view.window_days, total=_money(total["sales"], view),
            included=", ".join(included), largest=largest["marketplace"],
            share=_percent(largest["sales"] / total["sales"], language))
    notes = [fill("portfolio_totals_cover", language, included=", ".join(included))]
    return Section(label("portfolio_headline", language), finding, table[_HEADLINE],
                   language=language, currency=view.currency, kinds=_KINDS,
                   notes=notes + _no_rate_notes(view), sheet="headline")


def profit_section(view: Portfolio) -> Section:
    """Profit from what Amazon charged and payouts (回款) per marketplace, in one currency."""
    language, table = view.language, view.profit
    heading = label("portfolio_profit", language)
    rows = table[table["marketplace"] != portfolio.TOTAL]
    with_charges = rows[rows["net_sales"].notna() | ~rows["converted"]]
    missing = [code for code in view.loaded
               if code not in set(view.profit_local.dropna(subset=["net_sales"])["marketplace"])]
    if with_charges.empty:
        return Section(heading, label("portfolio_no_settlements", language), language=language)
    total = table[table["marketplace"] == portfolio.TOTAL].iloc[0]
    included = [code for code in _included(view) if code not in missing]
    finding = fill("portfolio_profit_finding", language,
        profit=_money(total["profit"], view), net_sales=_money(total["net_sales"], view),
        margin=_percent(total["profit_margin"], language), included=", ".join(included),
        payouts=_money(total["payouts"], view),
        settlements=f"{int(total['settlements']) if pd.notna(total['settlements']) else 0:,}")
    notes = [fill("portfolio_totals_cover", language, included=", ".join(included))]
    if missing:
        notes.append(fill("portfolio_profit_missing", language,
            marketplaces=", ".join(missing)))
    losing = rows.loc[rows["profit"] < 0, "marketplace"]
    if len(losing):
        notes.append(fill("portfolio_loss_note", language,
            marketplaces=", ".join(losing)))
    notes += _no_rate_notes(view)
    return Section(heading, finding, table[_PROFIT], language=language, currency=view.currency,
                   kinds=_KINDS, notes=notes, sheet="profit")


def breaches_section(view: Portfolio) -> Section:
    """The rules in breach or on watch in any marketplace, marketplaces side by side."""
    language = view.language
    heading = label("portfolio_breaches", language)
    note = fill("portfolio_breaches_window", language, days=view.window_days)
    if view.breaches.empty:
        return Section(heading, label("portfolio_no_breaches", language), language=language,
                       notes=[note])
    counts = ", ".join(f"{code} {int((card['status'] == 'breach').sum())}"
                       for code, card in view.cards.items())
    finding = fill("portfolio_breaches_finding", language, counts=counts)
    kinds = {**_KINDS, **{code: "text" for code in view.cards}}
    return Section(heading, finding, view.breaches, language=language, kinds=kinds,
                   notes=[note], sheet="rule_breaches")


def expansion_section(view: Portfolio) -> Section:
    """Our categories' demand and competition per candidate marketplace (Global Selling)."""
    language, table = view.language, view.expansion
    heading = label("portfolio_expansion", language)
    if table.empty:
        return Section(heading, label("portfolio_expansion_none", language), language=language)
    finding = fill("portfolio_expansion_finding", language,
        categories=f"{table['category'].nunique():,}",
        marketplaces=f"{table['marketplace'].nunique():,}",
        candidates=f"{int((table['status'] == 'candidate').sum()):,}",
        missing=f"{int((table['status'] == 'no_market_data').sum()):,}")
    notes = [label("portfolio_expansion_note", language), *_no_rate_notes(view)]
    return Section(heading, finding, table, language=language, currency=view.currency,
                   kinds=_KINDS, notes=notes, sheet="expansion")


def brand_search_section(view: Portfolio) -> Section:
    """Our brand's search demand and purchase share per marketplace (Brand Analytics)."""
    language, heading = view.language, label("portfolio_brand_search", view.language)
    table = view.brand_search if view.brand_search is not None else pd.DataFrame(
        columns=["marketplace"])
    missing = [code for code in view.loaded if code not in set(table["marketplace"])]
    note = (fill("portfolio_brand_search_missing", language,
        marketplaces=", ".join(missing)) if missing else "")
    if table.empty:
        return Section(heading, note, language=language)
    finding = fill("portfolio_brand_search_finding", language, shares=", ".join(
        f"{row.marketplace} {_percent(row.own_purchase_share, language)}"
        for row in table.itertuples()))
    return Section(heading, finding, table, language=language, kinds=_KINDS, notes=[note],
                   sheet="brand_search")


def workbook_tables(view: Portfolio) -> dict:
    """Tidy tables of the portfolio sections for ``contexts.write_tables``.

    Returns
    -------
    dict of str to DataFrame
        marketplaces, headline and profit (summary currency, with the total row),
        headline_local and profit_local (each marketplace's currency), rule_breaches,
        expansion.
    """
    return {"marketplaces": marketplaces_table(view), "headline": view.headline,
            "headline_local": view.headline_local, "profit": view.profit,
            "profit_local": view.profit_local, "rule_breaches": view.breaches,
            "expansion": view.expansion,
            **({"brand_search": view.brand_search}
               if view.brand_search is not None and len(view.brand_search) else {})}

"""The search-query sections (Brand Analytics) of the market report: each returns a
:class:`~opsanalysis.section.Section`.

The notebook calls :func:`prepare_search_queries` once with the marketplace's data and
``params["search_queries"]``, then :func:`query_share_section` (share per query and its
trend, with a chart of the weekly click shares), :func:`competitors_section` (who takes the clicks
on our queries), :func:`top_three_movers_section` (who entered or left the three most clicked
this week) and :func:`query_actions_section` (bid up / fix the listing);
:func:`workbook_tables` gives their tables. A section whose report is missing says which
download it needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure

from opsanalysis import search_queries
from opsanalysis.formats import percent_text
from opsanalysis.labels import fill, label
from opsanalysis.section import Section, SectionList, missing_input_section

__all__ = ["SECTION_ORDER", "SearchQueries", "click_competitor_sections", "competitors_section", "prepare_search_queries",
           "query_actions_section", "query_share_section", "top_three_movers_section",
           "workbook_tables"]

_KINDS = {"weeks": "count", "search_query_volume": "count", "search_terms": "count",
          "best_click_position": "count", "click_position": "count", "previous_click_position": "count",
          "click_share": "percent", "conversion_share": "percent",
          "click_share_change": "percent", "purchase_share_change": "percent",
          "share_gap": "percent", "own_clicks": "count", "total_clicks": "count",
          "own_purchases": "count", "total_purchases": "count", "trend": "text",
          "movement": "text", "competitor_type": "text", "action": "text", "reason": "text"}
_CHART_QUERIES = 5


@dataclass
class SearchQueries:
    """What the search-query sections show, from :func:`prepare_search_queries`.

    Attributes
    ----------
    language : str
    settings : dict
        ``params["search_queries"]``.
    shares : DataFrame
        :func:`opsanalysis.search_queries.weekly_query_shares` (brand view, else ASIN view).
    trend, actions : DataFrame
        :func:`~opsanalysis.search_queries.share_trend`,
        :func:`~opsanalysis.search_queries.query_actions`.
    top, competitors, movers : DataFrame
        :func:`~opsanalysis.search_queries.top_clicked` of our queries,
        :func:`~opsanalysis.search_queries.competitor_table`,
        :func:`~opsanalysis.search_queries.top_three_movers`.
    has_sqp, has_top_search_terms : bool
        Whether the reports were found.
    """

    language: str
    settings: dict
    shares: pd.DataFrame
    trend: pd.DataFrame
    actions: pd.DataFrame
    top: pd.DataFrame
    competitors: pd.DataFrame
    movers: pd.DataFrame
    has_sqp: bool = False
    has_top_search_terms: bool = False
    own_asins: list = field(default_factory=list)


def _own(data) -> tuple:
    """Our ASINs and brands, from the product master and the Brand Analytics filter lines."""
    asins, brands = set(), set()
    for kind, column, into in (("product_master", "asin", asins), ("sqp_asin", "asin", asins),
                               ("product_master", "brand", brands),
                               ("sqp_brand", "brand", brands)):
        frame = data.get(kind)
        if frame is not None and column in frame.columns:
            into.update(str(v) for v in frame[column].dropna().unique())
    return sorted(asins), sorted(brands)


def prepare_search_queries(data, settings, language="en") -> SearchQueries:
    """Every figure of the search-query sections from one marketplace's reports.

    Parameters
    ----------
    data : MarketplaceData or dict of str to DataFrame
        Frames by kind: ``sqp_brand`` (else ``sqp_asin``), ``top_search_terms``,
        ``product_master`` (our ASINs and brands).
    settings : dict
        ``params["search_queries"]``.
    language : {"en", "zh"}

    Returns
    -------
    SearchQueries
    """
    sqp = data.get("sqp_brand")
    if sqp is None or not len(sqp):
        sqp = data.get("sqp_asin")
    shares = search_queries.weekly_query_shares(sqp)
    terms = data.get("top_search_terms")
    top = search_queries.top_clicked(terms, shares["search_query"].unique()
                                     if len(shares) else None)
    asins, brands = _own(data)
    return SearchQueries(
        language=language, settings=settings, shares=shares,
        trend=search_queries.share_trend(shares, settings["trend_weeks"],
                                         settings["falling_share_change"]),
        actions=search_queries.query_actions(shares, settings["action_weeks"],
                                             settings["action_margin"],
                                             settings["action_min_clicks"],
                                             settings["action_z"]),
        top=top, competitors=search_queries.competitor_table(top, asins),
        movers=search_queries.top_three_movers(top, asins, brands),
        has_sqp=sqp is not None and len(sqp) > 0,
        has_top_search_terms=terms is not None and len(terms) > 0, own_asins=asins)


def _points(fraction) -> str:
    """A share difference in percentage points: 0.172 -> "17.2"."""
    return f"{100 * fraction:.1f}"


def _share_chart(view) -> Figure:
    """Weekly click share of the queries losing share, then the largest ones."""
    trend = view.trend
    chosen = list(trend.loc[trend["trend"] == "losing_share", "search_query"])
    by_volume = trend.sort_values("search_query_volume", ascending=False, kind="stable")
    chosen += [q for q in by_volume["search_query"] if q not in chosen]
    figure = Figure(figsize=(9, 4.5), layout="constrained")
    axes = figure.subplots()
    for query in chosen[:_CHART_QUERIES]:
        weeks = view.shares[view.shares["search_query"] == query]
        axes.plot(weeks["period_end"], 100 * weeks["own_click_share"], marker="o", label=query)
    axes.set_ylabel(f"{label('own_click_share', view.language)} (%)")
    axes.set_xlabel(label("period_end", view.language))
    axes.legend(fontsize="small")
    axes.grid(alpha=0.3)
    return figure


#: The sections in the order the market report shows them: the first one lacking a download
#: names it, the following ones point at it (:func:`opsanalysis.section.missing_input_section`).
SECTION_ORDER = ("query_share", "competitors", "top_three_movers", "query_actions")
_NEED_TOP_SEARCH_TERMS = ("competitors", "top_three_movers")


def _opening(view, name, heading_key):
    """The heading of section ``name`` and its one-sentence section for a missing report."""
    heading = label(heading_key, view.language)
    if not view.has_sqp:
        needs, first = "search_queries_missing_sqp", name == SECTION_ORDER[0]
    elif name in _NEED_TOP_SEARCH_TERMS and not view.has_top_search_terms:
        needs, first = "search_queries_missing_top_terms", name == _NEED_TOP_SEARCH_TERMS[0]
    else:
        needs, first = None, True
    return heading, missing_input_section(heading, needs, view.language, first)


def _table_section(view, heading, finding, table, sheet, **shown) -> Section:
    """A search-query section with its table."""
    return Section(heading, finding, table, language=view.language, kinds=_KINDS, sheet=sheet,
                   **shown)


def query_share_section(view: SearchQueries) -> Section:
    """Our share of each query's funnel in the latest week and its trend."""
    language = view.language
    heading, missing = _opening(view, "query_share", "search_query_share")
    if missing is not None:
        return missing
    table = view.trend
    losing = table[table["trend"] == "losing_share"]
    if len(losing):
        worst = losing.iloc[0]
        finding = fill("search_query_share_finding", language,
            count=f"{len(table):,}", losing=f"{len(losing):,}", query=worst["search_query"],
            change=_points(abs(worst["click_share_change"])),
            weeks=view.settings["trend_weeks"])
    else:
        finding = fill("search_query_share_steady", language,
            count=f"{len(table):,}", weeks=view.settings["trend_weeks"])
    return _table_section(view, heading, finding, table, "query_trend",
                          figure=_share_chart(view), top=20,
                          notes=[fill("search_query_share_note", language,
                              weeks=view.settings["trend_weeks"],
                              change=_points(view.settings["falling_share_change"]))])


def competitors_section(view: SearchQueries) -> Section:
    """The products that take the clicks on our queries in the latest week."""
    language = view.language
    heading, missing = _opening(view, "competitors", "search_query_competitors")
    if missing is not None:
        return missing
    table = view.competitors
    if table.empty:
        return Section(heading, label("search_query_competitors_none", language), language=language)
    first = table.iloc[0]
    finding = fill("search_query_competitors_finding", language,
        count=f"{len(table):,}", asin=first["asin"], terms=f"{first['search_terms']:,.0f}",
        share=percent_text(first["click_share"]))
    return _table_section(view, heading, finding, table, "query_competitors", top=15)


def top_three_movers_section(view: SearchQueries) -> Section:
    """Products and brands that entered or left our queries' three most clicked this week."""
    language = view.language
    heading, missing = _opening(view, "top_three_movers", "search_query_movers")
    if missing is not None:
        return missing
    table = view.movers
    if view.top["period_end"].nunique() < 2:
        return Section(heading, label("search_query_movers_one_week", language), language=language)
    if table.empty:
        return Section(heading, label("search_query_movers_none", language), language=language)
    products = table[table["competitor_type"] == "asin"]
    entered = int((products["movement"] == "entered_top_three").sum())
    finding = fill("search_query_movers_finding", language,
        entered=f"{entered:,}",
        left=f"{int((products['movement'] == 'left_top_three').sum()):,}",
        terms=f"{table['search_term'].nunique():,}",
        own=f"{int((products['own'] & (products['movement'] == 'left_top_three')).sum()):,}")
    return _table_section(view, heading, finding, table, "query_top_three_movers", top=20)


def query_actions_section(view: SearchQueries) -> Section:
    """Queries to bid up (purchase share above click share) or whose listing to fix."""
    language = view.language
    heading, missing = _opening(view, "query_actions", "search_query_actions")
    if missing is not None:
        return missing
    settings = view.settings
    acting = view.actions[view.actions["action"].isin(["bid_up", "fix_listing"])]
    note = fill("search_query_actions_note", language,
        weeks=settings["action_weeks"], margin=_points(settings["action_margin"]),
        clicks=f"{settings['action_min_clicks']:,}", z=f"{settings['action_z']:.2f}",
        unjudged=f"{int((view.actions['action'] == 'not_estimated').sum()):,}")
    finding = fill("search_query_actions_finding", language,
        bid_up=f"{int((acting['action'] == 'bid_up').sum()):,}",
        fix=f"{int((acting['action'] == 'fix_listing').sum()):,}",
        count=f"{len(view.actions):,}")
    return _table_section(view, heading, finding, acting.reset_index(drop=True),
                          "query_actions", notes=[note])


def workbook_tables(view: SearchQueries) -> dict:
    """Tidy tables of the search-query sections for ``report.write_tables``.

    Returns
    -------
    dict of str to DataFrame
        query_shares (per query and week), query_trend, query_actions (every query with its
        action and reason), query_competitors, query_top_three_movers; the Top Search Terms
        tables only when that report was found.
    """
    tables = {"query_shares": view.shares, "query_trend": view.trend,
              "query_actions": view.actions}
    if view.has_top_search_terms:
        tables |= {"query_competitors": view.competitors,
                   "query_top_three_movers": view.movers}
    return tables


def click_competitor_sections(view: SearchQueries) -> SectionList:
    """Who takes the clicks on our queries, then who entered or left their top three."""
    return SectionList([competitors_section(view), top_three_movers_section(view)])

"""The advertising sections of a report (presentation layer): the ACOS/TACoS summary and the
search-term actions to review (harvest, negatives, bids, structure, n-gram waste), each a
:class:`~opsanalysis.section.Section` whose table lists the first rows and points at the
workbook sheet holding the rest. A window the reports do not cover says so, never 0 or nan.
"""

import pandas as pd
from matplotlib.figure import Figure

from opsanalysis import plotting
from opsanalysis.formats import format_value, money_text, percent_text
from opsanalysis.labels import fill
from opsanalysis.plotting._common import text
from opsanalysis.section import Section

#: Order of the search-term actions in the negatives table: proposals first, then the rows
#: the CPC rule would negate but the evidence keeps, then the negatives paired with a harvest.
NEGATIVE_ORDER = ("add_negative_exact", "pause_or_lower_keyword", "rule_negates_evidence_keeps",
                  "negate_in_source_with_harvest", "keep_branded")


def _percent(value, language="en") -> str:
    return format_value(value, "percent", language=language)


def latest_acos_tacos(acos_table, tacos_table, weeks=8):
    """ACOS and TACoS of the last ``weeks`` weeks, newest first (TACoS NaN where no sales).

    Parameters
    ----------
    acos_table : DataFrame
        ``kpi.acos(ads, freq="W")`` (``period``, ``acos``, ``spend``).
    tacos_table : DataFrame
        ``kpi.tacos(ads, sales, freq="W")`` (``period``, ``tacos``).

    Returns
    -------
    DataFrame
        period, spend, acos, tacos.
    """
    columns = ["period", *[c for c in ("spend", "acos") if c in acos_table]]
    table = acos_table[columns].merge(tacos_table[["period", "tacos"]], on="period", how="left")
    return table.sort_values("period").tail(weeks).iloc[::-1].reset_index(drop=True)


def spend_summary(terms):
    """Spend, spend without orders and its share of a search-term summary.

    Parameters
    ----------
    terms : DataFrame or None
        ``ads.summarise(search_terms)`` over the review window (``spend``, ``orders``).

    Returns
    -------
    tuple of float
        (spend, waste, share) [currency, currency, fraction]; NaN where not covered.
    """
    if terms is None or not len(terms):
        return float("nan"), float("nan"), float("nan")
    spend = float(terms["spend"].sum())
    wasted = float(terms.loc[terms["orders"].fillna(0) == 0, "spend"].sum())
    return spend, wasted, (wasted / spend if spend > 0 else float("nan"))


def summary_section(acos_table, tacos_table, terms, lookback_days, currency, language="en",
                    found=""):
    """Advertising summary: spend and waste of the review window, weekly ACOS/TACoS and chart.

    Parameters
    ----------
    acos_table, tacos_table : DataFrame or None
        Weekly ACOS and TACoS (:func:`latest_acos_tacos`); None without the reports.
    terms : DataFrame or None
        ``ads.summarise`` of the review window's search terms.
    lookback_days : int
        Review window [days].
    currency : str
    language : {"en", "zh"}
    found : str

    Returns
    -------
    Section
    """
    heading = text("advertising_summary", language)
    if acos_table is None or tacos_table is None:
        return Section(heading, fill("needs_ads_reports", language, found=found),
                       language=language)
    weekly = latest_acos_tacos(acos_table, tacos_table)
    spend, waste, share = spend_summary(terms)
    missing = text("not_covered", language)
    latest = weekly.iloc[0] if len(weekly) else pd.Series(dtype=float)
    finding = fill("ads_summary_finding", language,
        days=lookback_days, spend=money_text(spend, currency, language) if spend == spend
        else missing, waste=money_text(waste, currency, language) if waste == waste else missing,
        share=_percent(share, language), acos=_percent(latest.get("acos"), language),
        tacos=missing if pd.isna(latest.get("tacos")) else _percent(latest["tacos"], language))
    figure = Figure(figsize=(9, 4), layout="constrained")
    plotting.plot_acos_tacos(acos_table, tacos_table, ax=figure.subplots(), language=language)
    return Section(heading, finding, weekly, language=language, currency=currency,
                   figure=figure)


def harvest_rows(harvest, top=10):
    """The rows of the first harvests that fit in ``top`` rows (a harvest is never split).

    Parameters
    ----------
    harvest : DataFrame
        ``ads.analyse(...)["harvest"]``: a ``new_keyword`` row followed by its
        ``source_ad_group`` rows, sharing a ``harvest_id``.
    top : int

    Returns
    -------
    int
        Rows to show (at least the first harvest).
    """
    sizes = harvest.groupby("harvest_id", sort=False).size()
    ends = sizes.cumsum()
    within = ends[ends <= top]
    return int(within.iloc[-1]) if len(within) else int(ends.iloc[0]) if len(ends) else 0


def harvest_section(harvest, currency, language="en", top=10):
    """Search terms to harvest, each new exact keyword with its negatives in the sources."""
    heading = text("harvest", language)
    columns = ["harvest_id", "action", "customer_search_term", "campaign_name",
               "ad_group_name", "orders", "acos", "suggested_bid"]
    table = harvest[[c for c in columns if c in harvest]].reset_index(drop=True)
    if table.empty:
        return Section(heading, text("no_rows", language), language=language)
    finding = fill("harvest_finding", language, pairs=harvest["harvest_id"].nunique())
    return Section(heading, finding, table, language=language, currency=currency,
                   top=harvest_rows(harvest, top), sheet="harvest")


def negatives_section(negatives, threshold, currency, language="en", top=10):
    """Negative keywords: proposals on the term's own evidence, then "evidence says keep".

    Parameters
    ----------
    negatives : DataFrame
        ``ads.analyse(...)["negatives"]``.
    threshold : float
        ``params["ads"]["negative_min_probability_of_sale"]`` [fraction].

    Returns
    -------
    Section
    """
    heading = text("negatives", language)
    if negatives.empty:
        return Section(heading, text("no_rows", language), language=language)
    order = {action: i for i, action in enumerate(NEGATIVE_ORDER)}
    rank = negatives["action"].astype(object).map(order).fillna(len(order))
    table = (negatives.assign(_rank=rank).sort_values(["_rank", "spend"],
                                                       ascending=[True, False], kind="stable")
             [["customer_search_term", "campaign_name", "ad_group_name", "clicks", "spend",
               "orders", "p_sale_expected", "action", "reason"]].reset_index(drop=True))
    finding = fill("negatives_finding", language,
        proposed=int(negatives["action"].isin(["add_negative_exact",
                                               "pause_or_lower_keyword"]).sum()),
        kept=int((negatives["action"] == "rule_negates_evidence_keeps").sum()),
        threshold=percent_text(threshold, 0))
    return Section(heading, finding, table, language=language, currency=currency,
                   kinds={"p_sale_expected": "percent"}, top=top, sheet="negatives")


def bids_section(bids, target_acos, currency, language="en", top=10):
    """Bid changes: raise / lower / hold per target, largest spend first."""
    heading = text("bids", language)
    if bids.empty:
        return Section(heading, text("no_rows", language), language=language)
    table = bids.sort_values("spend", ascending=False, kind="stable")[
        ["targeting", "match_type", "campaign_name", "ad_group_name", "clicks", "spend", "acos",
         "current_bid", "suggested_bid", "change", "action", "reason"]].reset_index(drop=True)
    table["match_type"] = table["match_type"].astype("string").str.lower()
    table = table.rename(columns={"change": "bid_change"})
    counts = bids["action"].value_counts()
    finding = fill("bids_finding", language,
        target=percent_text(target_acos), **{a: int(counts.get(a, 0))
                                             for a in ("raise", "lower", "hold")})
    return Section(heading, finding, table, language=language, currency=currency,
                   kinds={"bid_change": "percent", "current_bid": "money"}, top=top,
                   sheet="bids")


def structure_section(structure, currency, language="en", top=10):
    """Structure findings: too many ad groups, duplicate keywords, unguarded auto campaigns."""
    heading = text("structure", language)
    if structure.empty:
        return Section(heading, text("no_rows", language), language=language)
    table = structure[["check", "campaign_name", "ad_group_name", "keyword", "match_type",
                       "count", "spend"]].reset_index(drop=True)
    counts = structure["check"].value_counts()
    finding = fill("structure_finding", language,
        count=len(structure), checks=", ".join(f"{text(c, language)} {n}"
                                               for c, n in counts.items()))
    return Section(heading, finding, table, language=language, currency=currency, top=top,
                   sheet="structure")


def ngram_section(ngrams, lookback_days, currency, language="en", top=10):
    """Word n-grams with spend without orders (table and chart), largest waste first."""
    heading = text("ngrams", language)
    wasted = ngrams[ngrams["waste_spend"] > 0].sort_values("waste_spend", ascending=False,
                                                           kind="stable")
    if wasted.empty:
        return Section(heading, fill("no_waste", language, days=lookback_days),
                       language=language)
    table = wasted[["ngram", "terms", "clicks", "orders", "spend", "waste_spend",
                    "waste_share"]].reset_index(drop=True)
    finding = fill("ngrams_finding", language,
        count=len(table), days=lookback_days, top=table["ngram"].iloc[0],
        waste=money_text(float(table["waste_spend"].sum()), currency, language))
    figure = Figure(figsize=(8, 0.35 * min(len(table), 15) + 1.5), layout="constrained")
    plotting.plot_ngram_waste(ngrams, ax=figure.subplots(), language=language,
                              currency=currency)
    return Section(heading, finding, table, language=language, currency=currency, top=top,
                   sheet="ngrams", figure=figure)


# ---- Sponsored Brands / Display and budgets --------------------------------------------------

def ad_type_section(summary, lookback_days, currency, language="en", found=""):
    """Spend, ACOS and TACoS by ad type (SP, SB, SD and total) over the review window.

    Parameters
    ----------
    summary : DataFrame or None
        ``ads.ad_type_summary`` of the campaign reports cut to the window; None without any
        campaign report.
    lookback_days : int
        Review window [days].
    currency : str
    language : {"en", "zh"}
    found : str
        Reports found (named when the section cannot be made).

    Returns
    -------
    Section
        Clicks-only and views-and-clicks sales and ACOS in separate columns (never summed).
    """
    heading = text("ad_type_split", language)
    if summary is None or not len(summary):
        return Section(heading, fill("needs_campaign_reports", language, found=found),
                       language=language)
    table = summary.reset_index(drop=True)
    total = table[table["ad_type"] == "total"].iloc[0]
    types = table[table["ad_type"] != "total"].sort_values("spend", ascending=False)
    top = types.iloc[0]
    finding = fill("ad_type_finding", language,
        days=lookback_days, spend=money_text(float(total["spend"]), currency, language),
        tacos=_percent(total["tacos"], language), top=text(top["ad_type"], language),
        share=_percent(top["spend_share"], language),
        acos=_percent(top["acos_clicks_only"], language))
    return Section(heading, finding, table, language=language, currency=currency,
                   kinds={"spend_share": "percent", "attribution_days": "days"},
                   notes=[text("ad_type_note", language)], sheet="ad_types")


def budget_section(capping, capped_share, lookback_days, currency, language="en", found="",
                   top=10):
    """Campaigns capped by their daily budget, the sales they likely missed, those without one.

    Parameters
    ----------
    capping : DataFrame or None
        ``ads.budget_capping`` over the review window; None without a daily campaign report.
    capped_share : float
        ``params["ads"]["budget_capped_share"]`` [fraction].
    lookback_days : int
        Review window [days].
    currency : str
    language : {"en", "zh"}
    found : str
    top : int

    Returns
    -------
    Section
        Missed sales NaN (no uncapped day, or no clicks-only sales) read "not estimated"; a
        capped campaign whose estimate is 0 (on every capped day it spent at least what its
        uncapped days and the day's demand index predict: the budget was touched by a day's
        swing, it held no spend back) is counted and explained in the finding; the estimate's
        method is stated under the finding.
    """
    heading = text("budget_capping", language)
    if capping is None or not len(capping):
        return Section(heading, fill("needs_daily_campaign_reports", language,
            found=found), language=language)
    capped = capping[capping["capped"]]
    estimated = capped["missed_sales"].dropna()
    missed = (money_text(float(estimated.sum()), currency, language) if len(estimated)
              else text("not_estimated", language))
    if len(capped) > len(estimated) and len(estimated):
        missed += fill("budget_partly_estimated", language,
            count=len(capped) - len(estimated))
    nothing_missed = int((estimated == 0).sum())
    if nothing_missed:  # a real 0 of the method, said why (never a bare 0.00)
        missed += fill("budget_none_missed", language, count=nothing_missed)
    finding = fill("budget_finding", language,
        capped=len(capped), count=len(capping), share=percent_text(capped_share, 0),
        days=int(capped["capped_days"].sum()), window=lookback_days, missed=missed,
        no_budget=int((~capping["has_budget"].astype(bool)).sum()))
    columns = ["ad_type", "campaign_name", "budget", "days", "capped_days", "capped_share",
               "spend", "acos", "sales_per_spend_uncapped", "missed_sales", "action", "reason"]
    table = capping[columns].rename(columns={"days": "budget_days"}).reset_index(drop=True)
    return Section(heading, finding, table, language=language, currency=currency,
                   kinds={"capped_share": "percent", "sales_per_spend_uncapped": "number",
                          "budget": "money", "budget_days": "count", "capped_days": "count"},
                   notes=[text("budget_method", language)], top=top,
                   sheet="budget_capping")


def ad_type_action_sections(tables, threshold, target_acos, currency, language="en", top=10):
    """Sponsored Brands harvest, negatives and bids and Sponsored Display bids.

    The same sections (and the same decision table) as Sponsored Products
    (:func:`harvest_section`, :func:`negatives_section`, :func:`bids_section`), headed by ad
    type; a table the reports do not give is left out.

    Parameters
    ----------
    tables : dict of str to DataFrame
        ``ads.analyse_ad_types``: ``sb_harvest``, ``sb_negatives``, ``sb_bids``, ``sd_bids``.
    threshold : float
        ``params["ads"]["negative_min_probability_of_sale"]`` [fraction].
    target_acos : float
        [fraction]
    currency : str
    language : {"en", "zh"}
    top : int

    Returns
    -------
    list of Section
    """
    builders = {
        "sb_harvest": lambda t: harvest_section(t, currency, language, top),
        "sb_negatives": lambda t: negatives_section(t, threshold, currency, language, top),
        "sb_bids": lambda t: bids_section(t, target_acos, currency, language, top),
        "sd_bids": lambda t: bids_section(t, target_acos, currency, language, top),
    }
    sections = []
    for name, build in builders.items():
        if name not in tables:
            continue
        section = build(tables[name])
        section.heading = text(name, language)
        if section.sheet:
            section.sheet = name
        sections.append(section)
    return sections

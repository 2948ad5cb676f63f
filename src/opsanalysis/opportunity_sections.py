"""The opportunity report's sections (``notebooks/opportunity_report.ipynb``).

The notebook calls :func:`prepare` once (every analysis of the report, from a report context)
and then one function per section, each returning a :class:`~opsanalysis.section.Section`:
this week's actions first (from the decision tables: ad actions, scorecard breaches with their
driver, loss-making SKUs), then the KPI scorecard, breach drivers, traffic, returns, account
health, the advertising summary, the search-term actions, the category opportunity matrix and
the loss-making SKUs. :func:`workbook_tables` gives the tables the workbook receives.

A section whose reports are missing says in one sentence what it needs; what makes the report
incomplete (a partly covered window, a plan that could not be made) is recorded with
:meth:`~opsanalysis.report_context.ReportContext.warn`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from opsanalysis import (
    ads,
    ads_sections,
    kpi,
    kpi_sections,
    opportunity,
    overview_sections,
    plotting,
    profit,
)
from opsanalysis.formats import format_value, money_text, percent_text
from opsanalysis.labels import add_labels, fill, label
from opsanalysis.section import Section, SectionList, actions_section

__all__ = ["OpportunityInputs", "SectionList", "account_health", "action_table", "actions",
           "advertising_summary", "breach_drivers", "category_matrix", "loss_making",
           "prepare", "returns", "scorecard", "search_term_actions", "traffic",
           "workbook_tables"]

def _separator(language):
    return "；" if language == "zh" else "; "


#: Ad actions listed one per row in "this week's actions" (bid changes are counted per action).
LISTED_AD_ACTIONS = ("add_negative_exact", "pause_or_lower_keyword")


@dataclass
class OpportunityInputs:
    """Every analysis the opportunity report shows, computed once by :func:`prepare`.

    Tables are None where the reports they need are missing (the section then says so).
    """

    period: tuple
    found: str
    card: pd.DataFrame
    drivers: pd.DataFrame
    traffic: pd.DataFrame | None = None
    monthly_returns: pd.DataFrame | None = None
    return_reasons: pd.DataFrame | None = None
    health: pd.DataFrame | None = None
    acos_weekly: pd.DataFrame | None = None
    tacos_weekly: pd.DataFrame | None = None
    lookback_days: int | None = None  # params ads.lookback_days, set by prepare
    velocity_window_days: int | None = None  # cover rules' sales window [days], set by prepare
    term_summary: pd.DataFrame | None = None
    ad_actions: dict = field(default_factory=dict)
    ad_types: pd.DataFrame | None = None  # ads.ad_type_summary over the review window
    budget_capping: pd.DataFrame | None = None  # ads.budget_capping over the review window
    ad_type_actions: dict = field(default_factory=dict)  # ads.analyse_ad_types (SB, SD)
    matrix: pd.DataFrame | None = None
    unit_margins: pd.DataFrame | None = None
    loss_making: pd.DataFrame | None = None
    excluded_units: float = 0.0


def prepare(report, window_days) -> OpportunityInputs:
    """Compute the report's analyses from a report context.

    Parameters
    ----------
    report : ReportContext
        ``oa.batch.prepare(...)``.
    window_days : int
        Scorecard window ending on the report date [days].

    Returns
    -------
    OpportunityInputs
    """
    data, params = report.data, report.params
    period = kpi.trailing_period(report.as_of, window_days)
    card, drivers = _scorecard(report, period)
    inputs = OpportunityInputs(period=period, card=card,
                               found=overview_sections.found_list(data.summary, report.language),
                               drivers=drivers,
                               excluded_units=kpi.non_marketplace_units(data.get("all_orders"),
                                                                        *period),
                               velocity_window_days=params["replenishment"]
                               ["velocity_window_days"])
    _traffic_and_returns(inputs, data, report.as_of)
    _advertising(inputs, data, params, report.as_of)
    _opportunity(inputs, data, params, report.as_of)
    _warn_partial_coverage(report, card)
    return inputs


def _scorecard(report, period):
    """The scorecard and its drivers, SKU drivers of cover rules with the plan's status."""
    data, params = report.data, report.params
    rates = kpi.cost_exchange_rates(params["opportunity"]["fx_rates"])
    window = params["replenishment"]["velocity_window_days"]
    settings = report.scorecard_settings()  # the same inputs as every other scorecard
    card = kpi.scorecard(data, params["rules"], period, settings, rates,
                         velocity_window_days=window)
    plan = _plan_table(report, card)
    drivers = kpi.drill_down(data, card, params["rules"], period, settings,
                             exchange_rates=rates, velocity_window_days=window, plan=plan)
    return card, _with_plan_cover(drivers, plan)


def _with_plan_cover(drivers, plan):
    """The plan's days of cover and forecast rate beside each SKU driver of a cover rule.

    A cover rule divides stock on hand by the sales velocity of the last
    ``velocity_window_days`` (``denominator``); the plan divides it by its forecast
    (``daily_rate``). Both stand in the table so that neither reads as the other.

    Returns
    -------
    DataFrame
        ``drivers`` with ``plan_days_of_cover`` [days] and ``plan_daily_rate`` [units/day]
        (NaN where the row is no SKU driver of a cover rule or the plan lacks the SKU).
    """
    cover = drivers["rule_id"].isin(kpi.COVER_RULES) & drivers["grouping"].eq("sku")
    table = None if plan is None else plan.drop_duplicates("sku").set_index("sku")
    for column, source in (("plan_days_of_cover", "days_of_cover_now"),
                           ("plan_daily_rate", "daily_rate")):
        values = (drivers["group"].map(table[source]).astype(float)
                  if table is not None and source in table else np.nan)
        drivers[column] = pd.Series(values, index=drivers.index, dtype=float).where(cover)
    return drivers


def _plan_table(report, card):
    """The replenishment plan's table when a cover rule is breached (None otherwise)."""
    breached = card.loc[card["status"] == "breach", "rule_id"]
    if not breached.isin(kpi.COVER_RULES).any():
        return None
    try:
        return report.replenishment_plan().table
    except (KeyError, ValueError) as error:  # the plan lacks a report it needs
        report.warn(f"breach drivers without the replenishment plan: {error}")
        return None


def _traffic_and_returns(inputs, data, as_of):
    business = data.get("business_report_asin")
    inputs.traffic = kpi.traffic(business, freq="W") if business is not None else None
    inputs.monthly_returns = kpi.return_rate_by_month(data, as_of, 3)
    frames = [f for f in (data.get("fba_returns"), data.get("mfn_returns")) if f is not None]
    inputs.return_reasons = (kpi.return_reasons([kpi.in_period(f, inputs.period)
                                                 for f in frames]) if frames else None)
    health = data.get("account_health")
    inputs.health = kpi.account_health_rates(health) if health is not None else None


def _advertising(inputs, data, params, as_of):
    campaigns, business = data.get("sp_campaign"), data.get("business_report_asin")
    if campaigns is not None and business is not None:
        inputs.acos_weekly = kpi.acos(campaigns, freq="W")
        inputs.tacos_weekly = kpi.tacos(campaigns, business, freq="W").dropna(subset=["spend"])
    inputs.lookback_days = params["ads"]["lookback_days"]
    _ad_types(inputs, data, params, kpi.trailing_period(as_of, inputs.lookback_days))
    terms = data.get("sp_search_term")
    recent = (kpi.in_period(terms, kpi.trailing_period(as_of, inputs.lookback_days))
              if terms is not None else None)
    if recent is None or not len(recent):
        return
    inputs.term_summary = ads.summarise(recent)
    inputs.ad_actions = ads.analyse(recent, params, data.get("product_master"),
                                    keywords=data.get("sp_targeting"), campaigns=campaigns,
                                    advertised=data.get("sp_advertised_product"))


def _ad_types(inputs, data, params, window):
    """Spend by ad type, budget capping and the SB/SD actions over the review window."""
    def recent(kind):
        frame = data.get(kind)
        return kpi.in_period(frame, window) if frame is not None else None

    campaigns = [f for f in (recent(k) for k in ads.CAMPAIGN_KINDS.values())
                 if f is not None and len(f)]
    if campaigns:
        business = recent("business_report_asin")
        total = (float(kpi.sales_lines(business)["sales"].sum()) if business is not None
                 and len(business) else float("nan"))
        inputs.ad_types = ads.ad_type_summary(campaigns, total)
        days = ads.campaign_days(campaigns)
        inputs.budget_capping = (ads.budget_capping(days, params["ads"]["budget_capped_share"],
                                                    ads.target_acos(params))
                                 if len(days) else None)
    inputs.ad_type_actions = ads.analyse_ad_types(
        {**{k: recent(k) for k in ("sb_search_term", "sb_keyword", "sd_targeting")},
         "product_master": data.get("product_master")}, params)


def _opportunity(inputs, data, params, as_of):
    products = data.get("product_master")
    if products is None:
        return
    window = params["opportunity"]["growth_window_days"]
    rates = opportunity.category_rates(data, products, as_of, window)
    inputs.matrix = opportunity.opportunity_matrix(data, params, as_of)
    inputs.unit_margins = opportunity.unit_margins(products, params, as_of, rates)
    inputs.loss_making = profit.loss_making_skus(products, params, as_of)


def _warn_partial_coverage(report, card):
    """One warning per scored rule whose reports cover only part of its window."""
    partial = card[(card["covered_days"] < card["window_days"])
                   & card["status"].ne("not_measured")]
    for row in partial.itertuples():
        covered = kpi_sections.coverage_words(row.covered_days, row.window_days)
        report.warn(f"{row.rule_id} over {covered}")


# ---- this week's actions --------------------------------------------------------------------

def _breach_rows(inputs, currency, language):
    rows = []
    for rule in inputs.card[inputs.card["status"] == "breach"].itertuples():
        reason = fill("reason_breach", language,
            value=kpi_sections.rule_value_text(rule.value, rule.unit, currency, language),
            target=kpi_sections.rule_target_text(rule.target_min, rule.target_max, rule.unit,
                                                 currency, language))
        drivers = inputs.drivers[inputs.drivers["rule_id"] == rule.rule_id]
        if len(drivers):
            worst = drivers.iloc[0]
            # a cover figure names its velocity: the rule's sales window, the plan's forecast
            cover = rule.rule_id in kpi.COVER_RULES and worst["grouping"] == "sku"
            reason += _separator(language) + fill(
                "reason_driver_cover" if cover else "reason_driver", language,
                group=worst["group"], days=inputs.velocity_window_days, value=kpi_sections.rule_value_text(
                    worst["value"], rule.unit, currency, language))
            status = worst.get("plan_status")
            if isinstance(status, str):
                reason += _separator(language) + fill(
                    "reason_plan_cover" if cover else "reason_plan", language,
                    status=label(status, language), plan_cover=_plan_cover_text(worst, language),
                    reason=format_value(worst.get("plan_reason"), "text", language=language))
        rows.append({"action": "fix_breach", "item": rule.rule_id, "reason": reason,
                     "sheet": "breach_drivers" if len(drivers) else "scorecard"})
    return rows


def _loss_reason(row, modes, language):
    margin = money_text(row["unit_margin"], row["currency"], language)
    reason = fill("reason_loss", language,
        margin=margin, rate=percent_text(row["margin_rate"]),
        mode=label(row["freight_mode"], language))
    if row["loses_money_every_mode"]:
        return reason + _separator(language) + label("reason_loss_every_mode", language)
    paying = [label(m, language) for m in modes if row.get(f"margin_{m}", np.nan) > 0]
    return reason + _separator(language) + fill("reason_loss_other_mode", language,
        modes=", ".join(paying)) if paying else reason


def _loss_rows(inputs, language):
    table = inputs.loss_making
    if table is None or table.empty:
        return []
    modes = [c.removeprefix("margin_") for c in table if c.startswith("margin_")
             and c != "margin_rate"]
    return [{"action": "stop_loss", "item": row["sku"], "sheet": "loss_making_skus",
             "reason": _loss_reason(row, modes, language)} for _, row in table.iterrows()]


def _negative_rows(negatives, currency, language):
    listed = negatives[negatives["action"].isin(LISTED_AD_ACTIONS)].sort_values(
        "spend", ascending=False, kind="stable")
    return [{"action": row.action, "item": row.customer_search_term, "sheet": "negatives",
             "reason": fill("reason_negative", language,
                 clicks=format_value(row.clicks, "count"),
                 spend=money_text(row.spend, currency, language),
                 chance=percent_text(row.p_sale_expected))}
            for row in listed.itertuples()]


def _harvest_rows(harvest, language):
    new = harvest[harvest["role"] == "new_keyword"].sort_values("orders", ascending=False,
                                                                kind="stable")
    return [{"action": row.action, "item": row.customer_search_term, "sheet": "harvest",
             "reason": fill("reason_harvest", language,
                 orders=format_value(row.orders, "count"), acos=percent_text(row.acos))}
            for row in new.itertuples()]


def _bid_rows(bids, language):
    changed = bids[bids["action"].isin(["raise", "lower"])]
    counts = changed.groupby("action", sort=False).agg(count=("action", "size"),
                                                        reason=("reason", "first"))
    return [{"action": action, "item": fill("bid_changes_count", language,
                                            count=f"{row['count']:,}"),
             "sheet": "bids", "reason": label(row["reason"], language)}
            for action, row in counts.iterrows()]


def action_table(inputs, currency, language="en"):
    """This week's actions, in priority order, from the decision tables.

    Breached scorecard rules (with their worst driver and, for cover rules, the replenishment
    plan's status) come first, then loss-making SKUs, the proposed negatives, the harvests and
    the bid changes (one row per direction).

    Parameters
    ----------
    inputs : OpportunityInputs
    currency : str
    language : {"en", "zh"}

    Returns
    -------
    DataFrame
        priority (1 = first), action (code), item (rule, SKU, search term), reason (words),
        sheet (the workbook sheet with the detail).
    """
    found = inputs.ad_actions
    rows = [*_breach_rows(inputs, currency, language), *_loss_rows(inputs, language)]
    if found:
        rows += [*_negative_rows(found["negatives"], currency, language),
                 *_harvest_rows(found["harvest"], language), *_bid_rows(found["bids"], language)]
    table = pd.DataFrame(rows, columns=["action", "item", "reason", "sheet"])
    table.insert(0, "priority", np.arange(1, len(table) + 1))
    return table


def actions(report, inputs, top=10) -> Section:
    """"This week's actions", first in the report (its table is the workbook's ``actions``)."""
    table = action_table(inputs, report.marketplace.currency, report.language)
    section = actions_section(table, report.language, report.marketplace.currency, top=top,
                              sheet="actions")
    section.kinds["priority"] = "count"
    return section


# ---- KPI sections ---------------------------------------------------------------------------

def scorecard(report, inputs) -> Section:
    """The KPI scorecard against the rule pack, with the marketplace and excluded units."""
    section = kpi_sections.scorecard_section(inputs.card, inputs.period,
                                             report.marketplace.currency, report.language,
                                             inputs.found)
    language = report.language
    section.notes.insert(0, f"{label('marketplace', language)}: {report.marketplace.code} "
                            f"({report.marketplace.currency})")
    if inputs.excluded_units:
        section.notes.append(fill("excluded_channel_units", language,
            units=format_value(inputs.excluded_units, "count")))
    return section


def breach_drivers(report, inputs) -> Section:
    """What drives each breach, SKU drivers of cover rules beside the plan's status.

    For a SKU driver of a days-of-cover rule the table says which velocity each figure uses:
    ``cover_velocity`` (the rule's: sales of the last ``replenishment.velocity_window_days``)
    beside ``plan_cover`` (the plan's days of cover on its forecast), with a note; "—" on
    other rows.
    """
    language = report.language
    section = kpi_sections.drivers_section(inputs.drivers, inputs.card, inputs.period,
                                           report.marketplace.currency, language)
    if section.table is None or inputs.drivers.empty:
        return section
    window = inputs.velocity_window_days
    drivers = inputs.drivers.reset_index(drop=True)
    cover = drivers["rule_id"].isin(kpi.COVER_RULES) & drivers["grouping"].eq("sku")
    table = section.table.copy()
    at = table.columns.get_loc("value") + 1
    table.insert(at, "cover_velocity", [
        fill("cover_on_sales_velocity", language,
            days=window, rate=format_value(row["denominator"], "number", language=language))
        if is_cover else "—" for is_cover, (_, row) in zip(cover, drivers.iterrows(),
                                                          strict=True)])
    table.insert(at + 1, "plan_cover", [_plan_cover_text(row, language) if is_cover else "—"
                                        for is_cover, (_, row) in zip(cover, drivers.iterrows(),
                                                                      strict=True)])
    section.table = table
    if cover.any():
        section.notes.append(fill("cover_velocity_note", language, days=window))
    return section


def _plan_cover_text(row, language) -> str:
    """"62 days on the forecast of 0.5 units/day", or "not estimated" without the plan."""
    if pd.isna(row.get("plan_days_of_cover")):
        return label("not_estimated", language)
    return fill("cover_on_plan_forecast", language,
        days=format_value(row["plan_days_of_cover"], "days", language=language),
        rate=format_value(row["plan_daily_rate"], "number", language=language))


def traffic(report, inputs) -> Section:
    """Sales, sessions, conversion and buy box by week."""
    return kpi_sections.traffic_section(inputs.traffic, report.marketplace.currency,
                                        report.language, found=inputs.found)


def returns(report, inputs) -> Section:
    """Returns: reasons of the window and monthly return rates."""
    return kpi_sections.returns_section(inputs.monthly_returns, inputs.return_reasons,
                                        report.language, found=inputs.found)


def account_health(report, inputs) -> Section:
    """Account health: Amazon's latest figures."""
    return kpi_sections.account_health_section(inputs.health, report.language,
                                               found=inputs.found)


# ---- advertising ----------------------------------------------------------------------------

def advertising_summary(report, inputs) -> SectionList:
    """ACOS/TACoS by week and the review window's spend and waste; spend, ACOS and TACoS by
    ad type (SP, SB, SD); campaigns capped by their daily budget."""
    currency, language = report.marketplace.currency, report.language
    return SectionList([
        ads_sections.summary_section(inputs.acos_weekly, inputs.tacos_weekly,
                                     inputs.term_summary, inputs.lookback_days, currency,
                                     language, inputs.found),
        ads_sections.ad_type_section(inputs.ad_types, inputs.lookback_days, currency, language,
                                     inputs.found),
        ads_sections.budget_section(inputs.budget_capping,
                                    report.params["ads"]["budget_capped_share"],
                                    inputs.lookback_days, currency, language, inputs.found)])


def search_term_actions(report, inputs, top=10) -> SectionList:
    """Harvest, negatives, bids, structure and n-gram waste (or what they need), then the
    Sponsored Brands harvest, negatives and bids and the Sponsored Display bids (those whose
    reports were read).

    Returns
    -------
    SectionList
        One section per table; a single sentence naming the missing report when the review
        window has no search terms.
    """
    language, currency = report.language, report.marketplace.currency
    found = inputs.ad_actions
    threshold = report.params["ads"]["negative_min_probability_of_sale"]
    others = ads_sections.ad_type_action_sections(  # Sponsored Brands and Display
        inputs.ad_type_actions, threshold, ads.target_acos(report.params), currency, language,
        top) if inputs.ad_type_actions else []
    if not found:
        return SectionList([Section(label("harvest", language), fill(
            "needs_search_terms", language, days=inputs.lookback_days,
            found=inputs.found), language=language),
            *others])
    return SectionList([
        ads_sections.harvest_section(found["harvest"], currency, language, top),
        ads_sections.negatives_section(found["negatives"], threshold, currency, language, top),
        ads_sections.bids_section(found["bids"], ads.target_acos(report.params), currency,
                                  language, top),
        ads_sections.structure_section(found["structure"], currency, language, top),
        ads_sections.ngram_section(found["ngrams"], inputs.lookback_days, currency, language,
                                   top), *others])


# ---- category opportunity and loss-making SKUs ----------------------------------------------

def _input_words(codes, language):
    """"market_growth, competition" in words ("—" when none)."""
    names = [c.strip() for c in str(codes or "").split(",") if c.strip()]
    return ", ".join(format_value(n, "text", language=language) for n in names) or "—"


def matrix_table(matrix, language="en"):
    """The opportunity matrix as the report shows it: rank band and HHI bounds as ranges.

    Returns
    -------
    DataFrame
        rank, category, score, rank_band, p_top_n, growth, margin_rate, cr5, hhi,
        concentration_level, rests_on_estimate, estimated_inputs; with Brand Analytics
        (some category's figure known) also query_volume, best_search_frequency_rank and
        top_3_click_share.
    """
    table = matrix.sort_values("rank")
    searched = {column: table[column].to_numpy() for column in
                ("query_volume", "best_search_frequency_rank", "top_3_click_share")
                if column in table and table[column].notna().any()}
    return pd.DataFrame({
        "rank": table["rank"].to_numpy(), "category": table["category"].to_numpy(),
        "score": table["score"].to_numpy(),
        "rank_band": [f"{low:.0f} – {high:.0f}" for low, high
                      in zip(table["rank_low"], table["rank_high"], strict=True)],
        "p_top_n": table["p_top_n"].to_numpy(), "growth": table["growth"].to_numpy(),
        "margin_rate": table["margin_rate"].to_numpy(), "cr5": table["cr5"].to_numpy(),
        "hhi": [f"{low:,.0f} – {high:,.0f}" if low == low and high == high else "—"
                for low, high in zip(table["hhi_lower"], table["hhi_upper"], strict=True)],
        "concentration_level": table["concentration_level"].to_numpy(),
        "rests_on_estimate": table["rests_on_estimate"].to_numpy(dtype=bool),
        "estimated_inputs": [_input_words(c, language) for c in table["estimated_inputs"]],
        **searched})


def category_matrix(report, inputs) -> Section:
    """The category opportunity matrix: table, quadrant chart and rank bands."""
    language = report.language
    heading = label("opportunity_matrix_title", language)
    if inputs.matrix is None or inputs.matrix.empty:
        return Section(heading, fill("needs_product_master", language,
            found=inputs.found), language=language)
    table = matrix_table(inputs.matrix, language)
    top_n = report.params["opportunity"]["top_n"]
    finding = fill("matrix_finding", language,
        first=table["category"].iloc[0], count=len(table), top_n=top_n,
        p_top=percent_text(table["p_top_n"].iloc[0]),
        estimated=int(table["rests_on_estimate"].sum()))
    figure = Figure(figsize=(10, 10), layout="constrained")
    upper, lower = figure.subplots(2, 1, height_ratios=[3, 2])
    plotting.plot_opportunity_matrix(inputs.matrix, ax=upper, language=language)
    plotting.plot_rank_bands(inputs.matrix, ax=lower, language=language)
    return Section(heading, finding, table, language=language,
                   kinds={"cr5": "percent", "rank": "count", "p_top_n": "percent",
                          "growth": "percent", "query_volume": "count",
                          "best_search_frequency_rank": "count",
                          "top_3_click_share": "percent"}, figure=figure,
                   sheet="opportunity_matrix",
                   notes=[label("matrix_note", language), *_search_sources(inputs.matrix,
                                                                           language)])


def _search_sources(matrix, language) -> list:
    """One note naming the Brand Analytics reports behind the matrix's query figures."""
    sources = {column: sorted({s for s in matrix[column].dropna().astype(str) if s})
               for column in ("demand_source", "competition_source") if column in matrix}
    if not any(sources.values()):
        return []
    return [fill("matrix_search_sources", language,
        demand="; ".join(sources.get("demand_source", [])) or label("not_estimated", language),
        competition="; ".join(sources.get("competition_source", []))
        or label("not_estimated", language))]


def loss_making(report, inputs) -> Section:
    """The SKUs that lose money per unit, with their landed margin and the reason."""
    language, currency = report.language, report.marketplace.currency
    heading = label("loss_making_skus", language)
    table = inputs.loss_making
    if table is None:
        return Section(heading, fill("needs_product_master", language,
            found=inputs.found), language=language)
    if table.empty:
        return Section(heading, label("no_loss_making", language), language=language)
    modes = [c.removeprefix("margin_") for c in table if c.startswith("margin_")
             and c != "margin_rate"]
    shown = table[["sku", "category", "freight_mode", "price", "head_haul_freight",
                   "unit_margin", "margin_rate"]].assign(
        reason=[_loss_reason(row, modes, language) for _, row in table.iterrows()])
    finding = fill("loss_finding", language,
        count=len(table), every=int(table["loses_money_every_mode"].sum()))
    return Section(heading, finding, shown.reset_index(drop=True), language=language,
                   currency=currency, sheet="loss_making_skus")


# ---- the workbook ---------------------------------------------------------------------------

def workbook_tables(report, inputs, action_rows) -> dict:
    """The tables the workbook receives (tidy, raw values), sheet name -> table.

    Parameters
    ----------
    report : ReportContext
    inputs : OpportunityInputs
    action_rows : DataFrame
        The actions section's table (:func:`action_table`).

    Returns
    -------
    dict of str to DataFrame
        actions, scorecard, breach_drivers, return_reasons, the ad review's tables (harvest,
        negatives, bids, ngrams, structure, branded_split, bulk_draft; sb_harvest,
        sb_negatives, sb_bids, sd_bids; ad_types, budget_capping), opportunity_matrix,
        unit_margins and loss_making_skus (those whose reports were there).
    """
    tables = {"actions": action_rows,
              "scorecard": add_labels(inputs.card, "rule_id", report.language),
              "breach_drivers": add_labels(inputs.drivers, "rule_id", report.language)}
    if inputs.return_reasons is not None:
        tables["return_reasons"] = kpi_sections.reason_codes(inputs.return_reasons)
    tables.update(inputs.ad_actions)
    tables.update(inputs.ad_type_actions)
    tables.update({name: table for name, table in (("ad_types", inputs.ad_types),
                                                   ("budget_capping", inputs.budget_capping))
                   if table is not None})
    if inputs.matrix is not None:
        tables.update({"opportunity_matrix": inputs.matrix, "unit_margins": inputs.unit_margins,
                       "loss_making_skus": inputs.loss_making})
    return tables

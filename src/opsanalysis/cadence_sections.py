"""Sections of the cadence notebooks: the morning check and the monthly review (issue 19).

``notebooks/morning_check.ipynb`` (daily, 晨间巡检) shows, from the latest snapshots only and so
within seconds: account health (:func:`opsanalysis.kpi_sections.account_health_section`), stock
alerts, buy-box losses, new negative feedback and listings that cannot sell
(:mod:`opsanalysis.morning_check`). ``notebooks/monthly_review.ipynb`` reviews the last
complete calendar month on the seeds' layout, dated by its due date (the 5th working day of the
next month in the marketplace's calendar, :mod:`opsanalysis.calendar_month`): ACOS trend, BSR,
returns against the 3 % rule, profit from the settlements
(:func:`opsanalysis.profit_sections.prepare_profit`), lost sales from stockout days and the
replenishment actions (:mod:`opsanalysis.replenishment_sections`).

Each function returns a :class:`~opsanalysis.section.Section`; what a folder lacks is said in
one sentence naming the report to download, never shown as 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from opsanalysis import (
    calendar_month,
    feedback,
    feedback_sections,
    kpi,
    kpi_sections,
    morning_check,
    profit_sections,
)
from opsanalysis.formats import format_value, money_text, percent_text
from opsanalysis.labels import fill, label
from opsanalysis.section import Section

__all__ = [
    "MonthlyReview",
    "MorningCheck",
    "acos_trend_section",
    "bsr_section",
    "buy_box_section",
    "due_date_section",
    "feedback_section",
    "health_section",
    "listings_section",
    "lost_sales_section",
    "monthly_profit_section",
    "morning_actions_section",
    "prepare_monthly_review",
    "prepare_morning_check",
    "replenishment_section",
    "returns_rule_section",
    "stock_alerts_section",
    "workbook_tables",
]

TOP_ROWS = 15


# ---------------------------------------------------------------------------------------------
# The morning check


@dataclass
class MorningCheck:
    """What the morning check shows, from :func:`prepare_morning_check`.

    Attributes
    ----------
    language, currency : str
    as_of_text : str
        The report date as text.
    found : str
        Report kinds the folder holds (named when a section lacks its report).
    health : DataFrame or None
        :func:`opsanalysis.kpi.account_health_rates`.
    alerts, buy_box, feedback, listings : DataFrame or None
        :func:`opsanalysis.morning_check.stock_alerts`, ``buy_box_losses``,
        ``negative_feedback``, ``unbuyable_listings`` (None: the report is missing).
    buy_box_rule : dict
        params ``rules.buy_box_share``.
    feedback_days : int
        Days of feedback shown [days].
    health_breaches : DataFrame
        rule_id, value, rule: the account-health figures that break their rule in params
        (:data:`opsanalysis.kpi.ACCOUNT_HEALTH_METRICS`, :func:`opsanalysis.kpi.rule_status`).
    """

    language: str
    currency: str
    as_of_text: str
    found: str
    health: pd.DataFrame | None
    alerts: pd.DataFrame | None
    buy_box: pd.DataFrame | None
    feedback: pd.DataFrame | None
    listings: pd.DataFrame | None
    buy_box_rule: dict
    feedback_days: int
    health_breaches: pd.DataFrame


def prepare_morning_check(report, feedback_days: int) -> MorningCheck:
    """Compute the morning check from a report context.

    Parameters
    ----------
    report : ReportContext
        ``oa.batch.prepare(...)``.
    feedback_days : int
        Negative feedback of the last ``feedback_days`` days [days].

    Returns
    -------
    MorningCheck
    """
    as_of = report.as_of

    def frame(kind):
        return _morning_frame(report.data, kind)

    health = frame("account_health")
    business = frame("business_report_asin")
    rule = report.params["rules"]["buy_box_share"]
    weekly = kpi.buy_box_percentage(business, by="sku", freq="W") if business is not None \
        else None
    rates = kpi.account_health_rates(health) if health is not None else None
    return MorningCheck(
        language=report.language, currency=report.marketplace.currency,
        as_of_text=report.as_of_text, found=", ".join(report.data.folder_kinds()) or "-",
        health=rates,
        alerts=morning_check.stock_alerts(frame("fba_inventory"), frame("restock"), as_of),
        buy_box=morning_check.buy_box_losses(weekly, rule["value"], as_of),
        feedback=_negative_feedback(report, frame, feedback_days),
        listings=morning_check.unbuyable_listings(
            frame("fba_inventory"), frame("all_listings"), frame("suppressed_listings"),
            frame("stranded_inventory"), as_of),
        buy_box_rule=rule, feedback_days=feedback_days,
        health_breaches=_health_breaches(rates, report.params["rules"]))


def _negative_feedback(report, frame, feedback_days):
    """The Feedback Manager download's negative comments of the latest days (the exact
    comments to answer) when the folder holds one; the Business Report by date's daily
    negative-feedback counts otherwise; None without either."""
    recent = feedback.recent_negative_feedback(
        frame("seller_feedback"), report.as_of, feedback_days,
        max_rating=report.params["feedback"]["negative_max_rating"])
    if recent is not None:
        return recent
    return morning_check.negative_feedback(frame("business_report_date"), report.as_of,
                                           feedback_days)


def _morning_frame(data, kind):
    """The frame of ``kind`` for the morning check, which reads only
    :data:`opsanalysis.morning_check.KINDS` (the daily run parses no other file)."""
    if kind not in morning_check.KINDS:
        raise KeyError(f"the morning check reads {kind}, which opsanalysis.morning_check.KINDS "
                       "does not list: add it there, or the daily run will not read it")
    return data.get(kind)


def _health_breaches(rates, rules) -> pd.DataFrame:
    """Account-health figures that break their rule in params (rule_id, value, rule)."""
    rows = []
    if rates is not None:
        values = rates.drop_duplicates("metric", keep="last").set_index("metric")["value"]
        for metric, rule_id in kpi.ACCOUNT_HEALTH_METRICS.items():
            rule = rules.get(rule_id)
            value = values.get(metric)
            if rule is None or rule.get("direction") == "info" or value is None or pd.isna(value):
                continue
            if kpi.rule_status(float(value), rule) == "breach":
                rows.append((rule_id, float(value), rule))
    return pd.DataFrame(rows, columns=["rule_id", "value", "rule"]).drop_duplicates("rule_id")


_SIGNS = {"below": "<", "above": ">", "at_most": "≤", "at_least": "≥"}


def _rule_text(value, rule) -> tuple[str, str]:
    """A figure and its rule's target as text ("1.2%", "< 1.0%")."""
    def shown(number):
        return percent_text(number) if rule.get("unit") == "fraction" else f"{number:,g}"

    if rule["direction"] == "within":
        return shown(value), f"{shown(rule['min'])}–{shown(rule['max'])}"
    return shown(value), f"{_SIGNS.get(rule['direction'], '')} {shown(rule['value'])}".strip()


def _needs(key, view) -> str:
    return fill(key, view.language, found=view.found)


def morning_actions_section(view: MorningCheck) -> Section:
    """Today's list: each SKU to look at, with one reason (stock, buy box, listing)."""
    rows = [("", "morning_fix_health", fill("morning_reason_health", view.language,
        metric=label(row.rule_id, view.language), value=_rule_text(row.value, row.rule)[0],
        rule=_rule_text(row.value, row.rule)[1])) for row in view.health_breaches.itertuples()]
    if view.alerts is not None:
        rows += [(row.sku, "morning_fix_stock", fill(
            "morning_reason_out_of_stock" if row.stock_alert == "no_sellable_stock"
            else "morning_reason_amazon_alert", view.language, alert=row.stock_alert))
            for row in view.alerts.itertuples()]
    if view.listings is not None:
        rows += [(row.sku, "morning_fix_listing", fill(
            "morning_reason_stranded_stock" if row.listing_problem == "stranded_stock"
            else "morning_reason_listing", view.language,
                problem=label(row.listing_problem, view.language),
                status=row.listing_status or "—",
                units=format_value(row.fba_units_at_stake, "count", language=view.language)))
            for row in view.listings.itertuples()]
    if view.buy_box is not None:
        rows += [(row.sku, "morning_check_buy_box", fill(
            "morning_reason_buy_box", view.language,
                share=percent_text(row.buy_box_percentage),
                rule=percent_text(view.buy_box_rule["value"])))
            for row in view.buy_box.itertuples()]
    if view.feedback is not None and "order_id" in view.feedback:
        open_feedback = view.feedback[~view.feedback["feedback_answered"]]
        rows += [("", "morning_answer_feedback", fill(
            "morning_reason_feedback", view.language,
                stars=f"{row.feedback_rating:.0f}", order=row.order_id,
                date=pd.Timestamp(row.date).strftime("%Y-%m-%d")))
            for row in open_feedback.itertuples()]
    table = pd.DataFrame(rows, columns=["sku", "action", "reason"])
    # one line per SKU, its first reason (account health lines have no SKU)
    table = table[(table["sku"] == "") | ~table["sku"].duplicated()].reset_index(drop=True)
    section = Section(label("morning_actions_title", view.language),
                      fill("morning_actions_finding", view.language,
                          count=len(table), date=view.as_of_text) if len(table)
                      else label("morning_nothing_today", view.language),
                      table, language=view.language, top=TOP_ROWS, sheet="actions")
    return section


def health_section(view: MorningCheck) -> Section:
    """Account health: Amazon's latest figures (the opportunity report's section), kept in the
    workbook's ``account_health`` sheet."""
    section = kpi_sections.account_health_section(view.health, view.language, found=view.found)
    section.sheet = "account_health"
    return section


def stock_alerts_section(view: MorningCheck) -> Section:
    """SKUs out of sellable FBA stock or flagged by Amazon's Restock report."""
    heading = label("morning_stock_alerts_title", view.language)
    if view.alerts is None:
        return Section(heading, _needs("morning_needs_inventory", view), language=view.language)
    # Amazon's alert names the row, but a SKU at 0 sellable units is out whatever it says
    out = int(((view.alerts["stock_alert"] == "no_sellable_stock")
               | (view.alerts["sellable_fba_units"] == 0)).sum())
    finding = fill("morning_stock_alerts_finding", view.language,
        skus=f"{len(view.alerts):,}", out=out) \
        if len(view.alerts) else label("morning_no_stock_alerts", view.language)
    return Section(heading, finding, view.alerts, language=view.language, top=TOP_ROWS,
                   sheet="stock_alerts",
                   kinds={"sellable_fba_units": "count", "inbound": "count",
                          "amazon_days_of_supply": "number", "amazon_recommended_units": "count"})


def buy_box_section(view: MorningCheck) -> Section:
    """SKUs below the buy-box rule in the latest week of the Business Report."""
    heading = label("morning_buy_box_title", view.language)
    if view.buy_box is None:
        return Section(heading, _needs("morning_needs_business_report", view),
                       language=view.language)
    rule = percent_text(view.buy_box_rule["value"])
    finding = fill("morning_buy_box_finding", view.language,
        skus=f"{len(view.buy_box):,}", rule=rule) \
        if len(view.buy_box) else \
        fill("morning_no_buy_box_losses", view.language, rule=rule)
    return Section(heading, finding, view.buy_box, language=view.language, top=TOP_ROWS,
                   sheet="buy_box", kinds={"buy_box_percentage": "percent",
                                           "previous": "percent", "change": "percent"})


def feedback_section(view: MorningCheck) -> Section:
    """New negative feedback, or what to download when no file holds it."""
    heading = label("morning_feedback_title", view.language)
    if view.feedback is None:
        return Section(heading, label("morning_feedback_not_estimated", view.language),
                       language=view.language)
    if "order_id" in view.feedback:  # the Feedback Manager download's comments
        return feedback_sections.morning_feedback_section(view.feedback, view.feedback_days,
                                                          view.language)
    negative = view.feedback["negative_feedback_received"]
    total = negative.sum(min_count=1)
    finding = fill("morning_feedback_finding", view.language,
        count=format_value(total, "count", language=view.language),
        days=format_value(view.feedback_days, "count", language=view.language))
    return Section(heading, finding, view.feedback, language=view.language,
                   kinds={"negative_feedback_received": "count", "feedback_received": "count"})


def listings_section(view: MorningCheck) -> Section:
    """Stranded FBA stock and listings whose status is not "Active" (suppressed, inactive)."""
    heading = label("morning_listings_title", view.language)
    if view.listings is None:
        return Section(heading, _needs("morning_needs_listings", view), language=view.language)
    stranded = view.listings[view.listings["listing_problem"] == "stranded_stock"]
    finding = fill("morning_listings_finding", view.language,
        listings=f"{len(view.listings):,}",
        stranded=len(stranded),
        units=format_value(stranded["fba_units_at_stake"].sum(), "count",
                           language=view.language)) \
        if len(view.listings) else \
        label("morning_no_listing_problems", view.language)
    return Section(heading, finding, view.listings, language=view.language, top=TOP_ROWS,
                   sheet="listings", kinds={"fba_units_at_stake": "count"})


def workbook_tables(*sections: Section) -> dict:
    """Workbook sheets of a cadence notebook: each section's table under its sheet name
    (sections without a sheet or a table are left out)."""
    return {section.sheet: section.table for section in sections
            if section.sheet and section.table is not None}


# ---------------------------------------------------------------------------------------------
# The monthly review


@dataclass
class MonthlyReview:
    """What the monthly review shows, from :func:`prepare_monthly_review`.

    Attributes
    ----------
    language, currency : str
    first, last : Timestamp
        The reviewed calendar month.
    due : Timestamp or None
        The review's due date (None: no holiday list for the year in params).
    calendar : dict
        params ``events.working_calendar``.
    acos : DataFrame
        :func:`opsanalysis.calendar_month.monthly_acos`.
    bsr : DataFrame or None
        Best-seller rank per SKU of the latest inventory-planning snapshot in the month.
    returns : DataFrame or None
        :func:`opsanalysis.kpi.return_rate_by_month` up to the month.
    lost : DataFrame or None
        :func:`opsanalysis.calendar_month.stockout_lost_sales` (None without inventory
        history).
    profit : opsanalysis.profit_sections.Profit
    rules : dict
        params ``rules``.
    found : str
    """

    language: str
    currency: str
    first: pd.Timestamp
    last: pd.Timestamp
    due: pd.Timestamp | None
    calendar: dict
    acos: pd.DataFrame
    bsr: pd.DataFrame | None
    returns: pd.DataFrame | None
    lost: pd.DataFrame | None
    profit: object
    rules: dict
    found: str


def prepare_monthly_review(report, trend_months: int) -> MonthlyReview:
    """Compute the monthly review of the last complete calendar month up to the report date.

    Parameters
    ----------
    report : ReportContext
    trend_months : int
        Months of the ACOS and returns trends [count].

    Returns
    -------
    MonthlyReview
    """
    data, params = report.data, report.params
    first, last = calendar_month.review_month(report.as_of)
    calendar = params["events"]["working_calendar"]
    campaigns = data.get("sp_campaign")
    acos = calendar_month.monthly_acos(
        kpi.acos(campaigns, freq="M") if campaigns is not None else None, first, trend_months)
    history = data.get("inventory_history")
    orders = data.get("all_orders")
    lost = calendar_month.stockout_lost_sales(
        orders, history, report.marketplace.code, first, last, params["forecast"]) \
        if history is not None and orders is not None else None
    has_returns = data.get("fba_returns") is not None or data.get("mfn_returns") is not None
    return MonthlyReview(
        language=report.language, currency=report.marketplace.currency, first=first,
        last=last, due=calendar_month.review_due_date(first, calendar), calendar=calendar,
        acos=acos, bsr=_bsr(data.get("inventory_planning"), first, last),
        returns=kpi.return_rate_by_month(data, last, trend_months) if has_returns else None,
        lost=lost, profit=profit_sections.prepare_profit(report), rules=params["rules"],
        found=", ".join(data.kinds) or "-")


def _bsr(planning, first, last) -> pd.DataFrame | None:
    """Sales rank per SKU of the month's latest inventory-planning snapshot (None: none)."""
    if planning is None or "sales_rank" not in planning or planning["sales_rank"].isna().all():
        return None
    dates = pd.to_datetime(planning["snapshot_date"])
    month = planning[dates.between(first, last)]
    if month.empty:
        return None
    latest = month[pd.to_datetime(month["snapshot_date"]) == pd.to_datetime(
        month["snapshot_date"]).max()]
    rank = pd.to_numeric(latest["sales_rank"], errors="coerce")
    # ranks start at 1: Amazon writes 0 for a SKU without a rank, which is unknown, not first
    table = pd.DataFrame({"sku": latest["sku"].astype(str), "best_seller_rank": rank.where(rank >= 1)})
    return table.dropna().sort_values(["best_seller_rank", "sku"]).reset_index(drop=True)


def _month_text(view) -> str:
    return f"{view.first:%Y-%m}"


def due_date_section(view: MonthlyReview) -> Section:
    """The reviewed month and its due date (the n-th working day of the next month)."""
    heading = fill("monthly_review_title", view.language, month=_month_text(view))
    n = view.calendar["review_due_working_day"]
    if view.due is None:
        following = view.first + pd.offsets.MonthBegin(1)
        return Section(heading, fill("monthly_due_not_estimated", view.language,
            n=n, year=following.year), language=view.language)
    return Section(heading, fill("monthly_due_finding", view.language,
        n=n, due=f"{view.due:%Y-%m-%d}", first=f"{view.first:%Y-%m-%d}",
        last=f"{view.last:%Y-%m-%d}"), language=view.language)


def acos_trend_section(view: MonthlyReview) -> Section:
    """ACOS by calendar month against the rule pack's ACOS range."""
    heading = label("monthly_acos_title", view.language)
    rule = view.rules.get("acos")
    month = view.acos[view.acos["period"] == view.first]
    value = month["acos"].iloc[0] if len(month) else np.nan
    if view.acos["spend"].isna().all():
        return Section(heading, _needs("monthly_needs_campaigns", view), language=view.language)
    target = (f"{percent_text(rule['min'])}–{percent_text(rule['max'])}" if rule and
              rule.get("direction") == "within" else "—")
    finding = fill("monthly_acos_finding", view.language,
        month=_month_text(view), acos=label("not_estimated", view.language) if pd.isna(value)
        else percent_text(value), target=target)
    table = view.acos.assign(period=view.acos["period"].dt.strftime("%Y-%m"))
    return Section(heading, finding, table, language=view.language, currency=view.currency,
                   kinds={"acos": "percent", "change": "percent", "spend": "money",
                          "sales": "money"}, sheet="acos_trend")


def bsr_section(view: MonthlyReview) -> Section:
    """Best-seller rank where the inventory-planning report gives it, against the rule."""
    heading = label("monthly_bsr_title", view.language)
    if view.bsr is None:
        return Section(heading, label("monthly_bsr_not_estimated", view.language),
                       language=view.language)
    limit = view.rules.get("bsr_rank", {}).get("value")
    within = int((view.bsr["best_seller_rank"] <= limit).sum()) if limit is not None else 0
    return Section(heading, fill("monthly_bsr_finding", view.language,
        count=len(view.bsr), within=within, limit=limit), view.bsr, language=view.language,
        top=TOP_ROWS, sheet="bsr", kinds={"best_seller_rank": "count"})


def returns_rule_section(view: MonthlyReview) -> Section:
    """Monthly return rate against the ≤ 3 % rule (months not covered: not estimated)."""
    heading = label("monthly_returns_title", view.language)
    if view.returns is None or view.returns.empty:
        return Section(heading, _needs("monthly_needs_returns", view), language=view.language)
    rule = view.rules["return_rate"]
    table = view.returns[["period", "returned", "ordered", "return_rate", "status"]].copy()
    table["period"] = pd.to_datetime(table["period"]).dt.strftime("%Y-%m")
    table["return_rule_status"] = np.where(table["return_rate"].isna(), "not_estimated",
                                    np.where(table["return_rate"] <= rule["value"], "good",
                                             "breach"))
    month = table[table["period"] == _month_text(view)]
    value = month["return_rate"].iloc[0] if len(month) else np.nan
    finding = fill("monthly_returns_finding", view.language,
        month=_month_text(view), rate=label("not_estimated", view.language) if pd.isna(value)
        else percent_text(value), rule=percent_text(rule["value"]))
    return Section(heading, finding, table.drop(columns="status"), language=view.language,
                   kinds={"return_rate": "percent", "returned": "count", "ordered": "count"},
                   sheet="returns")


def monthly_profit_section(view: MonthlyReview) -> Section:
    """Profit of the month from the settlements (the profit report's monthly figures)."""
    heading = label("monthly_profit_title", view.language)
    monthly = view.profit.monthly
    if monthly is None or monthly.empty:
        return Section(heading, _needs("monthly_needs_settlements", view),
                       language=view.language)
    rows = monthly[monthly["month"].notna() & (monthly["month"] <= view.first)]
    columns = ["period", "net_sales", "gross_profit", "gross_margin", "profit", "profit_margin",
               "payouts"]
    table = rows[columns].reset_index(drop=True)
    month = table[table["period"] == _month_text(view)]
    if month.empty:
        finding = fill("monthly_profit_not_settled", view.language,
            month=_month_text(view))
    else:
        row = month.iloc[0]
        finding = fill("monthly_profit_finding", view.language,
            month=_month_text(view),
            profit=money_text(row["profit"], view.currency, view.language)
            if pd.notna(row["profit"]) else label("not_estimated", view.language),
            sales=money_text(row["net_sales"], view.currency, view.language))
    notes = [fill("monthly_profit_posted_until", view.language,
        day=f"{view.profit.last_day:%Y-%m-%d}")] if view.profit.last_day is not None and \
        view.profit.last_day < view.last else []
    return Section(heading, finding, table, language=view.language, currency=view.currency,
                   notes=notes, kinds={"gross_margin": "percent", "profit_margin": "percent"},
                   sheet="profit")


def lost_sales_section(view: MonthlyReview) -> Section:
    """Units and money lost on the month's stockout days, per SKU."""
    heading = label("monthly_lost_sales_title", view.language)
    if view.lost is None:
        return Section(heading, _needs("monthly_needs_inventory_history", view),
                       language=view.language)
    total = calendar_month.lost_sales_total(view.lost)
    if total["skus"] == 0:
        return Section(heading, fill("monthly_no_stockouts", view.language,
            month=_month_text(view)), language=view.language)
    finding = fill("monthly_lost_sales_finding", view.language,
        month=_month_text(view), skus=total["skus"], days=total["stockout_days"],
        units=f"{total['stockout_lost_units']:,.0f}",
        money=money_text(total["stockout_lost_sales"], view.currency, view.language))
    notes = [fill("monthly_lost_not_estimated", view.language,
        count=total["not_estimated"])] if total["not_estimated"] else []
    return Section(heading, finding, view.lost, language=view.language, currency=view.currency,
                   notes=notes, top=TOP_ROWS, sheet="stockout_lost_sales",
                   kinds={"stockout_days": "count", "units_sold": "count",
                          "stockout_expected_units": "number", "stockout_lost_units": "number",
                          "unit_price": "money", "stockout_lost_sales": "money"})


def replenishment_section(report) -> Section:
    """This week's replenishment actions (the replenishment report's first section)."""
    # imported here: the replenishment modules load scipy, which the daily morning check (the
    # other notebook of this module) does not need
    from opsanalysis import replenishment_sections

    plan = replenishment_sections.compute_plan(report)
    return replenishment_sections.weekly_actions(plan, report.params, report.language)



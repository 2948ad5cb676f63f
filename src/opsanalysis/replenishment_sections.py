"""The replenishment report's sections (presentation layer): each a heading, one sentence, a table
and its chart, built from the plan of :func:`opsanalysis.replenishment.plan`.

The plan decides with codes (``status``, ``reason``, ``action``); this module writes each reason
as a sentence in the report's language (:func:`reason_texts`), picks the rows and columns each
section shows and draws its charts. Tables stay tidy (canonical columns, raw values) so that the
workbook receives them as they are (:func:`workbook_tables`); :class:`opsanalysis.section.Section`
formats them. A section without data says in one sentence what it needs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from opsanalysis import replenishment
from opsanalysis.formats import format_value, money_text, percent_text
from opsanalysis.labels import fill, label
from opsanalysis.plotting.forecast import plot_forecast_series
from opsanalysis.plotting.replenishment import (
    plot_fee_outlook,
    plot_projected_stock,
    plot_status_counts,
    plot_tradeoff,
)
from opsanalysis.section import Section, actions_section

__all__ = ["KINDS", "WEEK_DAYS", "actions_table", "add_reason_texts", "aged_overstock_section",
           "at_risk_section", "compute_plan", "fee_section", "cutoffs_note", "forecast_section", "note_text",
           "policy_section", "policy_table", "reason_texts", "restock_section",
           "shipment_plan_section", "status_section", "weekly_actions", "why_section",
           "workbook_tables"]

#: "This week": an order-by date within this many days of the report date is an action now.
WEEK_DAYS = 7
#: Display kinds of plan columns whose names do not say them (units, rates, plain numbers).
KINDS = {"inventory_position": "count", "reorder_point": "count", "order_up_to": "count",
         "safety_stock": "count", "max_cover_line": "count", "restock_difference": "count",
         "expected_lost_units": "count", "daily_rate": "number", "amazon_velocity": "number",
         "service_target": "percent", "cycle_service_level": "percent",
         "capacity_used": "percent", "volume_cuft": "number", "capacity_limit_cuft": "number",
         "days_censored": "count", "lead_time_days": "days", "stockout_days": "days"}
_ORDERING = ("stockout_risk", "order_now", "reorder_soon")


# ---- the plan and its reasons in words ------------------------------------------------------

def compute_plan(report):
    """The replenishment plan of a report, with each status's reason in words.

    Parameters
    ----------
    report : opsanalysis.report_context.ReportContext
        From :func:`opsanalysis.batch.prepare`.

    Returns
    -------
    opsanalysis.replenishment.ReplenishmentPlan
        Its ``table`` holds ``reason_text`` (:func:`add_reason_texts`).
    """
    result = report.replenishment_plan()
    return add_reason_texts(result, report.params, report.language)


def add_reason_texts(result, params: dict, language: str):
    """Put the ``reason_text`` column (see :func:`reason_texts`) into a plan's table.

    Parameters
    ----------
    result : opsanalysis.replenishment.ReplenishmentPlan
        The plan; its ``table`` gains ``reason_text`` after ``reason``.
    params : dict
        Loaded params (``replenishment``, ``currency``).
    language : str
        "en" or "zh".

    Returns
    -------
    ReplenishmentPlan
        The same object.
    """
    table = result.table
    texts = reason_texts(table, params, language) if len(table) else pd.Series(dtype=object)
    table = table.drop(columns="reason_text", errors="ignore")
    position = table.columns.get_loc("reason") + 1 if "reason" in table else len(table.columns)
    table.insert(position, "reason_text", texts.reindex(table.index))
    result.table = table
    return result


def _number(value, language, digits=0) -> str:
    if value is None or pd.isna(value) or not np.isfinite(float(value)):
        return label("not_estimated", language)
    return f"{float(value):,.{digits}f}"


def _date(value) -> str:
    return "—" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def _mode_text(mode, language) -> str:
    text = label(str(mode), language) if str(mode) in ("sea", "air", "express") else str(mode)
    return text.lower() if language == "en" else text


def _avoid_text(row, currency, language) -> str:
    mode = row["avoiding_mode"]
    if mode in ("", None) or pd.isna(mode):
        return ""
    if mode == "none":
        return label("avoid_no_mode", language)
    text = fill("avoid_by_mode", language,
        mode=_mode_text(mode, language),
        extra_cost=money_text(row["avoiding_mode_extra_cost"], currency, language))
    return text[:1].upper() + text[1:]  # the mode starts the sentence


def _reason_values(row, rep, currency, language) -> dict:
    rate = float(row["daily_rate"])

    def days(units):
        return _number(float(units) / rate if rate > 0 else np.inf, language)

    reorder_days = float(row["reorder_point"]) / rate if rate > 0 else np.inf
    lead, review = float(row["planning_lead_time_days"]), float(rep["review_period_days"])
    aged = np.nanmax([float(row["aged_units_now"]), float(row["aged_units_next_snapshot"]), 0.0])
    values = {
        "position": _number(row["inventory_position"], language),
        "position_days": days(row["inventory_position"]),
        "reorder_point": _number(row["reorder_point"], language),
        "reorder_days": _number(reorder_days, language),
        "lead": _number(lead, language), "review": _number(review, language),
        "safety": _number(max(reorder_days - lead - review, 0.0), language),
        "order_up_to": _number(row["order_up_to"], language),
        "order_up_to_days": days(row["order_up_to"]),
        "mode": _mode_text(row["freight_mode"], language),
        "mode_lead": _number(row["lead_time_days"], language),
        "max_line": _number(row["max_cover_line"], language),
        "max_cover": _number(rep["max_cover_days"], language),
        "next_order": _date(row["next_order_date"]),
        "stockout": _date(row["projected_stockout_date"]),
        "arrival": _date(row["arrival_by_chosen_mode"]),
        "lost_units": _number(row["expected_lost_units"], language),
        "lost_sales": money_text(row["expected_lost_sales"], currency, language),
        "aged_units": _number(aged, language), "aged_days": _number(rep["aged_days"], language),
        "avoid": _avoid_text(row, currency, language),
        "on_order": _number(row.get("on_order"), language),
        "inbound": _date(row.get("inbound_sellable_date")),
    }
    values["cover"] = fill("cover_target_text", language, **values)
    # the inbound that ends a stockout can itself bring more than the max-cover line: say so
    values["inbound_overstock"] = fill("inbound_above_max_cover", language, **values) \
        if bool(row.get("above_max_cover")) else ""
    return values


def reason_texts(table: pd.DataFrame, params: dict, language: str) -> pd.Series:
    """The reason of each SKU's status in words, with the cover its levels target.

    The reorder point is stated in units and in days of demand, split into the lead time the
    levels were computed with, the review period and the safety stock with the minimum cover
    (the rest), so that a days-of-cover "breach" elsewhere and an order can stand side by side.

    Parameters
    ----------
    table : pandas.DataFrame
        Plan rows (``reason``, ``daily_rate``, ``inventory_position``, ``reorder_point``,
        ``order_up_to``, ``planning_lead_time_days``, ``lead_time_days``, ``freight_mode``,
        ``max_cover_line``, dates and the stockout exposure columns).
    params : dict
        Loaded params (``replenishment``, ``currency``).
    language : str
        "en" or "zh".

    Returns
    -------
    pandas.Series of str
        Same index as ``table``.
    """
    rep, currency = params["replenishment"], params["currency"]
    texts = [fill(f"reason_text_{row['reason']}", language,
        **_reason_values(row, rep, currency, language)) for _, row in table.iterrows()]
    return pd.Series(texts, index=table.index, dtype=object)


# ---- this week's actions --------------------------------------------------------------------

def _next_snapshot(as_of, params) -> pd.Timestamp:
    """The next monthly aged-inventory snapshot after ``as_of`` (the surcharge is charged then)."""
    day = int(params["fees"]["aged_inventory_snapshot_day"])
    this_month = pd.Timestamp(as_of).normalize().replace(day=day)
    return this_month if this_month > pd.Timestamp(as_of) else this_month + pd.DateOffset(months=1)


def actions_table(table: pd.DataFrame, as_of, params: dict) -> pd.DataFrame:
    """This week's actions from the plan's decision table, most urgent first.

    Rows: every stockout risk and SKU awaiting its inbound; orders (order now, reorder soon) whose order-by date falls within
    :data:`WEEK_DAYS` of ``as_of``; every aged and every overstock SKU. Ordered by status
    priority (:data:`opsanalysis.replenishment.STATUSES`), then due date, then cost (largest
    first), then SKU.

    Parameters
    ----------
    table : pandas.DataFrame
        ``ReplenishmentPlan.table`` with ``reason_text``.
    as_of : date-like
        Report date.
    params : dict
        Loaded params (``fees.aged_inventory_snapshot_day``, ``currency``).

    Returns
    -------
    pandas.DataFrame
        ``action`` (code), ``sku``, ``reason`` (words), ``due_date`` (order-by date; for aged
        SKUs the next aged-inventory snapshot; as-of for a SKU awaiting its inbound; none for
        overstock), ``quantity`` [units] (order quantity; aged units; units above the max-cover
        line; units inbound to chase), ``cost`` (order cost in the purchase currency; projected
        aged surcharge or storage fee, or sales lost until the inbound lands, in the
        marketplace currency), ``currency``.
    """
    as_of = pd.Timestamp(as_of)
    status = table["status"]
    due_soon = table["order_by"].notna() & (table["order_by"] <= as_of
                                             + pd.Timedelta(days=WEEK_DAYS))
    ordering = (status == "stockout_risk") | (status.isin(_ORDERING) & due_soon)
    aged, over = status == "aged", status == "overstock"
    waiting = status == "awaiting_inbound"
    rows = table[ordering | waiting | aged | over]
    aged, over, waiting = aged[rows.index], over[rows.index], waiting[rows.index]
    aged_units = rows[["aged_units_now", "aged_units_next_snapshot"]].astype(float).max(axis=1)
    excess = (rows["inventory_position"].astype(float) - rows["max_cover_line"].astype(float))
    out = pd.DataFrame({
        "action": rows["action"], "sku": rows["sku"], "reason": rows["reason_text"],
        "due_date": rows["order_by"].where(ordering[rows.index]).mask(
            aged, _next_snapshot(as_of, params)).mask(waiting, as_of),
        "quantity": pd.Series(np.select([aged, over, waiting],
                                        [aged_units, excess.clip(lower=0),
                                         rows["on_order"].astype(float)],
                                        rows["order_qty"].astype(float)),
                              index=rows.index).round().astype("Int64"),
        "cost": np.select([aged, over, waiting],
                          [rows["projected_aged_surcharge"], rows["projected_storage_fee"],
                           rows["expected_lost_sales"]],
                          rows["order_cost"].astype(float)),
        "currency": rows["cost_currency"].where(ordering[rows.index], params["currency"]),
    })
    rank = out.assign(_rank=rows["status"].map({s: i for i, s in
                                                enumerate(replenishment.STATUSES)}),
                      _cost=-out["cost"].fillna(0))
    return rank.sort_values(["_rank", "due_date", "_cost", "sku"], kind="stable") \
        .drop(columns=["_rank", "_cost"]).reset_index(drop=True)


def weekly_actions(result, params: dict, language: str = "en", top: int = 10) -> Section:
    """"This week's actions": the first section of the report (see :func:`actions_table`).

    Parameters
    ----------
    result : ReplenishmentPlan
        With ``reason_text`` (:func:`compute_plan`).
    params : dict
        Loaded params.
    language : {"en", "zh"}
    top : int
        Actions listed; the rest point at the workbook's ``actions`` sheet.

    Returns
    -------
    Section
    """
    if result.table.empty:
        return Section(label("this_weeks_actions", language), _needs(result, language),
                       language=language)
    actions = actions_table(result.table, result.as_of, params)
    section = actions_section(actions, language, result.currency, top=top, sheet="actions")
    section.kinds = KINDS
    section.notes = [fill("actions_cost_note", language,
        months=params["replenishment"]["fee_outlook_months"])]
    return section


def _needs(result, language: str):
    """What a plan without rows needs, in the report's language ("" for a plan with rows)."""
    return note_text(result.needs, language) if result.needs else result.needs


def _needs_named_above(result, language: str):
    """:func:`_needs` for the sections after this week's actions, which name the download:
    they say only that they are not estimated for want of it (each missing download is said
    once per report, as :func:`opsanalysis.section.missing_input_section` does)."""
    return label("needs_download_named_above", language) if result.needs else result.needs


def note_text(note, language: str) -> str:
    """A plan note or warning in the report's language.

    Parameters
    ----------
    note : opsanalysis.replenishment.sources.PlanNote or str
        A label key with its values (a str is already a sentence).
    language : {"en", "zh"}

    Returns
    -------
    str
    """
    if isinstance(note, str):
        return note
    return fill(note.key, language, **note.values)


# ---- status counts --------------------------------------------------------------------------

def status_section(report, result) -> Section:
    """SKUs per status with their action and chart; records the plan's warnings on ``report``.

    Parameters
    ----------
    report : opsanalysis.report_context.ReportContext
        Its :meth:`~opsanalysis.report_context.ReportContext.warn` receives what makes the plan
        less than complete (the sentence of what it needs, the plan's warnings).
    result : ReplenishmentPlan

    Returns
    -------
    Section
        Table ``status``, ``action``, ``skus`` (every status, in priority order).
    """
    language = report.language
    warnings = [note_text(w, language) for w in result.warnings]
    for warning in filter(None, [_needs(result, language), *warnings]):
        report.warn(warning)
    heading = label("plan_status_heading", language)
    if result.table.empty:
        return Section(heading, _needs_named_above(result, language), language=language,
                       notes=warnings)
    table = result.table
    counts = table["status"].value_counts().reindex(replenishment.STATUSES, fill_value=0)
    frame = pd.DataFrame({"status": counts.index,
                          "action": [replenishment.ACTIONS[s] for s in counts.index],
                          "skus": counts.to_numpy()})
    finding = fill("plan_status_finding", language,
        count=len(table), as_of=f"{result.as_of:%Y-%m-%d}", marketplace=result.marketplace,
        statuses=_join([f"{label(s, language)} {n}" for s, n in counts.items() if n], language))
    bases = [label(basis, language) for basis in table["demand_basis"].dropna().unique()]
    notes = [f"{label('demand_basis', language)}: {'; '.join(bases)}", *warnings,
             *[note_text(n, language) for n in result.notes]]
    figure = Figure(figsize=(7, 3), layout="constrained")
    plot_status_counts(table, ax=figure.subplots(), language=language)
    return Section(heading, finding, frame, language=language, notes=notes, figure=figure)


# ---- the shipment plan, the reasons, the risks ----------------------------------------------

def _join(items, language: str) -> str:
    """Items of a list in a sentence: "a, b" in English, "a、b" in Chinese."""
    return ("、" if language == "zh" else ", ").join(map(str, items))


def _words(codes: str, language: str) -> str:
    """"black_friday, christmas" in words ("" stays "")."""
    return _join([label(c.strip(), language) for c in str(codes).split(",") if c.strip()],
                 language)


def shipment_plan_section(result, language: str = "en", top: int = 15) -> Section:
    """What to ship: the SKUs with an order quantity, their dates, freight mode and cost.

    Parameters
    ----------
    result : ReplenishmentPlan
    language : {"en", "zh"}
    top : int
        Rows shown; the rest point at the workbook's ``replenishment_plan`` sheet.

    Returns
    -------
    Section
        Table ``sku``, ``status``, ``freight_mode``, ``order_qty``, ``order_by``, ``ship_by``,
        ``expected_arrival``, ``cutoffs_missed`` (events in words), ``on_hand``, ``on_order``,
        ``days_of_cover_now``, ``order_cost``, ``currency`` (of the order cost).
    """
    heading = label("shipment_plan", language)
    if result.table.empty:
        return Section(heading, _needs_named_above(result, language), language=language)
    table = result.table
    orders = table[table["order_qty"].astype(float) > 0]
    frame = orders[["sku", "status", "freight_mode", "order_qty", "order_by", "ship_by",
                    "expected_arrival", "cutoffs_missed", "on_hand", "on_order",
                    "days_of_cover_now", "order_cost", "cost_currency"]] \
        .rename(columns={"cost_currency": "currency"}).reset_index(drop=True)
    frame["cutoffs_missed"] = [_words(c, language) for c in frame["cutoffs_missed"]]
    if orders.empty:
        upcoming = table.dropna(subset=["next_order_date"]).sort_values("next_order_date")
        finding = fill("no_orders_finding", language,
            date=_date(upcoming["next_order_date"].min()),
            sku=upcoming["sku"].iloc[0] if len(upcoming) else "—")
    else:
        currencies = orders["cost_currency"].dropna().unique()
        cost = (money_text(orders["order_cost"].sum(min_count=1), currencies[0], language)
                if len(currencies) == 1 else label("not_estimated", language))
        finding = fill("shipment_plan_finding", language,
            count=len(orders), units=format_value(orders["order_qty"].sum(), "count"),
            cost=cost, first=_date(orders["order_by"].min()))
    return Section(heading, finding, frame, language=language, currency=result.currency,
                   kinds=KINDS, top=top, sheet="replenishment_plan",
                   notes=[cutoffs_note(getattr(result, "cutoffs", None), language,
                                       getattr(result, "as_of", None))])


def cutoffs_note(cutoffs: pd.DataFrame, language: str, as_of=None) -> str:
    """The FBA arrival cut-offs of the plan's next 12 months in one sentence.

    Parameters
    ----------
    cutoffs : pandas.DataFrame
        ``ReplenishmentPlan.cutoffs`` (:func:`opsanalysis.cutoffs.event_cutoffs`).
    language : {"en", "zh"}
    as_of : date-like, optional
        Plan date: a cut-off before it reads "(passed)" (every order misses it).

    Returns
    -------
    str
        E.g. "FBA arrival cut-offs of the next 12 months: Prime Day not dated, Black Friday
        2020-10-29." (a cut-off not dated in params says so, never another year's date).
    """
    if cutoffs is None or cutoffs.empty:
        return fill("cutoffs_ahead_note", language,
            cutoffs=label("no_cutoffs_ahead", language))
    passed = pd.Series(False, index=cutoffs.index)
    if as_of is not None:
        passed = cutoffs["dated"].astype(bool) & (cutoffs["cutoff"] < pd.Timestamp(as_of))
    items = [f"{label(row.event, language)} "
             + (_date(row.cutoff) if row.dated else label("cutoff_not_dated", language))
             + (f" ({label('cutoff_passed', language)})" if gone else "")
             for row, gone in zip(cutoffs.itertuples(), passed, strict=True)]
    return fill("cutoffs_ahead_note", language, cutoffs=_join(items, language))


def _avoiding(table: pd.DataFrame) -> pd.DataFrame:
    """Avoiding mode as a code in words: ``not_needed`` (no stockout before arrival, no extra
    cost) or ``no_mode_in_time`` (no mode lands before the stockout)."""
    mode = table["avoiding_mode"].fillna("").astype(str)
    needed = mode != ""
    return pd.DataFrame({
        "avoiding_mode": mode.where(needed, "not_needed").replace("none", "no_mode_in_time"),
        "avoiding_mode_extra_cost": table["avoiding_mode_extra_cost"].astype(float)
        .where(needed, 0.0)}, index=table.index)


def why_section(result, language: str = "en") -> Section:
    """Why each SKU has its status: the reason beside every status, the lost units and sales,
    and the freight mode that would avoid a stockout with its extra cost.

    Parameters
    ----------
    result : ReplenishmentPlan
        With ``reason_text``.
    language : {"en", "zh"}

    Returns
    -------
    Section
        Table ``sku``, ``status``, ``reason_text``, ``expected_lost_units`` [units],
        ``expected_lost_sales``, ``avoiding_mode``, ``avoiding_mode_extra_cost`` [currency],
        ``currency``: every SKU.
    """
    heading = label("why_status_heading", language)
    if result.table.empty:
        return Section(heading, _needs_named_above(result, language), language=language)
    table = result.table
    frame = table[["sku", "status", "reason_text", "expected_lost_units",
                   "expected_lost_sales"]].join(_avoiding(table)).assign(
        currency=table["currency"]).reset_index(drop=True)
    return Section(heading, label("why_status_finding", language), frame, language=language,
                   currency=result.currency, kinds=KINDS)


def at_risk_section(result, language: str = "en") -> Section:
    """The SKUs that stock out before their order lands, named, with both dates and the loss.

    Parameters
    ----------
    result : ReplenishmentPlan
    language : {"en", "zh"}

    Returns
    -------
    Section
        Table ``sku``, ``status``, ``freight_mode``, ``order_qty``,
        ``projected_stockout_date``, ``arrival_by_chosen_mode`` (the order's; empty for
        ``awaiting_inbound``), ``inbound_sellable_date`` (``awaiting_inbound`` only: the
        arrival that ends the stockout), ``expected_lost_units``, ``expected_lost_sales``,
        ``avoiding_mode``, ``avoiding_mode_extra_cost``, ``currency``.
    """
    heading = label("skus_at_risk_heading", language)
    if result.table.empty:
        return Section(heading, _needs_named_above(result, language), language=language)
    risky = result.table[result.table["stockout_risk"].astype(bool)]
    # out of stock until the inbound lands: no order is placed, the inbound is the arrival
    waiting = risky["status"] == "awaiting_inbound"
    inbound = risky["inbound_sellable_date"] if "inbound_sellable_date" in risky else \
        pd.Series(pd.NaT, index=risky.index)
    risky = risky.assign(arrival_by_chosen_mode=risky["arrival_by_chosen_mode"].mask(waiting),
                         inbound_sellable_date=inbound.where(waiting),
                         arrival_shown=risky["arrival_by_chosen_mode"].mask(waiting, inbound))
    frame = risky[["sku", "status", "freight_mode", "order_qty", "projected_stockout_date",
                   "arrival_by_chosen_mode", "inbound_sellable_date", "expected_lost_units",
                   "expected_lost_sales"]] \
        .join(_avoiding(risky)).assign(currency=risky["currency"]).reset_index(drop=True)
    if risky.empty:
        finding = label("no_risk_finding", language)
    else:
        finding = fill("at_risk_finding", language,
            count=len(risky), total=len(result.table), skus=_join(
                [f"{r.sku} ({_date(r.projected_stockout_date)} / {_date(r.arrival_shown)})"
                 for r in risky.itertuples()], language),
            units=format_value(risky["expected_lost_units"].sum(), "count"),
            sales=money_text(risky["expected_lost_sales"].sum(min_count=1), result.currency,
                             language))
    return Section(heading, finding, frame, language=language, currency=result.currency,
                   kinds=KINDS)


def aged_overstock_section(result, language: str = "en", top: int = 15) -> Section:
    """The aged and overstock SKUs by name, with their aged units, cover and fees ahead.

    Parameters
    ----------
    result : ReplenishmentPlan
    language : {"en", "zh"}
    top : int
        Rows shown; the rest point at the workbook's ``replenishment_plan`` sheet.

    Returns
    -------
    Section
        Table ``sku``, ``status``, ``action``, ``aged_units_now``, ``aged_units_next_snapshot``,
        ``inventory_position``, ``max_cover_line`` [units], ``days_of_cover_total`` [days],
        ``projected_storage_fee``, ``projected_aged_surcharge``, ``currency``; aged first, then
        by units above the max-cover line.
    """
    heading = label("aged_overstock_heading", language)
    if result.table.empty:
        return Section(heading, _needs_named_above(result, language), language=language)
    table = result.table
    rows = table[table["status"].isin(["aged", "overstock"])]
    excess = rows["inventory_position"].astype(float) - rows["max_cover_line"].astype(float)
    rows = rows.assign(_aged=rows["status"] != "aged", _excess=-excess) \
        .sort_values(["_aged", "_excess", "sku"])
    frame = rows[["sku", "status", "action", "aged_units_now", "aged_units_next_snapshot",
                  "inventory_position", "max_cover_line", "days_of_cover_total",
                  "projected_storage_fee", "projected_aged_surcharge", "currency"]] \
        .reset_index(drop=True)
    aged = rows[rows["status"] == "aged"]
    over = rows[rows["status"] == "overstock"]
    finding = fill("aged_overstock_finding", language,
        aged=len(aged), aged_skus=_join(aged["sku"], language) or "—", overstock=len(over),
        overstock_skus=_join(over["sku"].head(5), language) + ("…" if len(over) > 5 else "")
        or "—",
        excess=format_value(excess[over.index].clip(lower=0).sum(), "count"))
    return Section(heading, finding, frame, language=language, currency=result.currency,
                   kinds=KINDS, top=top, sheet="replenishment_plan")


# ---- forecast of the top risks --------------------------------------------------------------

def forecast_section(result, language: str = "en", top: int = 3,
                     history_days: int = 180) -> Section:
    """Forecast and censored (out-of-stock) days of the top risks: one figure, two panels a SKU.

    Parameters
    ----------
    result : ReplenishmentPlan
    language : {"en", "zh"}
    top : int
        SKUs drawn: the first stockout-risk and order-now SKUs of the plan.
    history_days : int
        Days of history drawn and counted [days].

    Returns
    -------
    Section
        Table ``sku``, ``status``, ``days_censored`` (of the last ``history_days``),
        ``daily_rate`` [units/day], ``projected_stockout_date``.
    """
    heading = label("top_risks_heading", language)
    table = result.table
    risks = table[table["status"].isin(["stockout_risk", "order_now"])].head(top)
    if risks.empty:
        return Section(heading, _needs_named_above(result, language)
                       or label("no_top_risks", language), language=language)
    history = result.history.assign(unique_id=result.history["sku"])
    recent = history[history["ds"] > history["ds"].max() - pd.Timedelta(days=history_days)]
    censored = recent.groupby("sku")["censored"].sum()
    frame = risks[["sku", "status", "daily_rate", "projected_stockout_date"]].assign(
        days_censored=censored.reindex(risks["sku"]).fillna(0).to_numpy()).reset_index(drop=True)
    figure = Figure(figsize=(12, 3.4 * len(risks)), layout="constrained")
    panels = figure.subplots(len(risks), 2, squeeze=False)
    for (left, right), (_, row) in zip(panels, risks.iterrows(), strict=True):
        plot_forecast_series(history, result.forecast, row["sku"], ax=left, language=language,
                             history_periods=history_days)
        plot_projected_stock(result.history, result.forecast, row, ax=right, language=language)
    finding = fill("top_risks_finding", language,
        count=len(risks), days=history_days, skus=_join(risks["sku"], language))
    return Section(heading, finding, frame, language=language, kinds=KINDS, figure=figure)


# ---- fees and capacity ----------------------------------------------------------------------

def _no_aged_tiers(result) -> set:
    """Fee-table versions without an aged-inventory surcharge table (the surcharge is unknown)."""
    tables = result.fee_tables
    if tables is None or tables.empty or "aged_tiers" not in tables:
        return set()
    return set(tables.loc[tables["aged_tiers"] == 0, "fee_table_version"])


def _fee_notes(fees, result, params, language) -> list:
    notes = []
    if fees["storage_fee"].isna().any():
        notes.append(label("storage_not_estimated", language))
    if fees["aged_surcharge"].isna().any():
        versions = sorted(_no_aged_tiers(result))
        notes.append(fill("aged_not_estimated", language,
            versions=_join(versions, language)) if versions
            else label("aged_not_estimated_no_table", language))
    if fees["capacity_used"].isna().any():
        notes.append(label("capacity_not_estimated", language))
    for row in result.fee_tables.itertuples():
        if row.fee_table_version in set(fees["fee_table_version"].dropna()):
            notes.append(fill("fee_table_note", language,
                version=row.fee_table_version, start=_date(row.effective_from),
                verified=label("yes" if row.verified else "no", language)))
    return notes


def fee_section(result, params: dict, language: str = "en") -> Section:
    """Storage fee, aged-inventory surcharge and capacity per month ahead, with its chart.

    Parameters
    ----------
    result : ReplenishmentPlan
    params : dict
        Loaded params (``replenishment.fee_outlook_months``).
    language : {"en", "zh"}

    Returns
    -------
    Section
        Table ``ReplenishmentPlan.fees`` (unknown figures missing, as the plan leaves them);
        notes say why a figure is not estimated and which fee table
        applies.
    """
    heading = label("fee_outlook", language)
    fees = result.fees
    if fees.empty:
        return Section(heading, _needs_named_above(result, language), language=language)
    months = params["replenishment"]["fee_outlook_months"]
    peak = fees.groupby("month")["volume_cuft"].sum()
    finding = fill("fee_outlook_finding", language,
        months=months, storage=money_text(fees["storage_fee"].sum(min_count=len(fees)),
                                          result.currency, language),
        aged=money_text(fees["aged_surcharge"].sum(min_count=len(fees)), result.currency,
                        language),
        peak=f"{peak.idxmax():%Y-%m}", volume=format_value(peak.max(), "number"))
    figure = Figure(figsize=(7, 3.2), layout="constrained")
    plot_fee_outlook(fees, ax=figure.subplots(), language=language)
    return Section(heading, finding, fees, language=language, currency=result.currency,
                   kinds=KINDS, notes=_fee_notes(fees, result, params, language), figure=figure)


# ---- Amazon's Restock report, policies ------------------------------------------------------

def restock_section(result, language: str = "en", top: int = 15) -> Section:
    """Our order beside Amazon's Restock recommendation, differences first, with reason counts.

    Parameters
    ----------
    result : ReplenishmentPlan
    language : {"en", "zh"}
    top : int
        Rows shown; the rest point at the workbook's ``restock_comparison`` sheet.

    Returns
    -------
    Section
        Table ``sku``, ``order_qty``, ``amazon_recommended_qty``, ``restock_difference``
        [units], ``restock_difference_reason``, ``daily_rate``, ``amazon_velocity``
        [units/day], ``lead_time_days`` [days]; notes count the SKUs per reason.
    """
    heading = label("restock_comparison", language)
    if result.table.empty:
        return Section(heading, _needs_named_above(result, language), language=language)
    table = result.table
    frame = table[["sku", "order_qty", "amazon_recommended_qty", "restock_difference",
                   "restock_difference_reason", "daily_rate", "amazon_velocity",
                   "lead_time_days"]]
    frame = frame.assign(_agree=frame["restock_difference_reason"] == "restock_agree") \
        .sort_values(["_agree", "restock_difference_reason", "sku"], kind="stable") \
        .drop(columns="_agree").reset_index(drop=True)
    counts = table["restock_difference_reason"].value_counts().sort_index() \
        .sort_values(ascending=False, kind="stable")  # most SKUs first, ties by code
    finding = fill("restock_finding", language,
        agree=int(counts.get("restock_agree", 0)), count=len(table))
    notes = [f"{label(reason, language)}: {count:,}" for reason, count in counts.items()]
    return Section(heading, finding, frame, language=language, kinds=KINDS, top=top,
                   sheet="restock_comparison", notes=notes)


def policy_table(comparison: pd.DataFrame, result, language: str = "en") -> pd.DataFrame:
    """The replayed policies in words; an aged cost the replay could not price (no surcharge
    tiers in the fee table in force) is missing, and so is the total.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`opsanalysis.replenishment.plan_policy_comparison`.
    result : ReplenishmentPlan
    language : {"en", "zh"}

    Returns
    -------
    pandas.DataFrame
        ``policy`` (in words, with its service target), ``fill_rate``, ``cycle_service_level``,
        ``stockout_days``, ``avg_on_hand_days``, ``aged_units``, ``storage_cost``,
        ``aged_cost``, ``total_cost``, ``currency``.
    """
    columns = ["policy", "fill_rate", "cycle_service_level", "stockout_days",
               "avg_on_hand_days", "aged_units", "storage_cost", "aged_cost", "total_cost"]
    frame = comparison.reindex(columns=columns).assign(currency=result.currency)
    # a policy family's service target is part of its name ("Ours …, 95% target"); the
    # rule of thumb and fixed covers have none (never "not estimated")
    targets = comparison.get("service_target", pd.Series(np.nan, index=comparison.index))
    frame["policy"] = [label(str(p), language) if pd.isna(t) else
                       fill("policy_at_target", language,
                           policy=label(str(p), language), target=percent_text(t, 0))
                       for p, t in zip(comparison.get("policy", []), targets, strict=True)]
    return frame.reset_index(drop=True)


def policy_section(result, params: dict, language: str = "en") -> Section:
    """Last year replayed under ours, the textbook policy, the rule of thumb and fixed covers.

    Parameters
    ----------
    result : ReplenishmentPlan
    params : dict
        Loaded params (``replenishment``: simulation, target service level).
    language : {"en", "zh"}

    Returns
    -------
    Section
        Table :func:`policy_table`, trade-off chart; the sentence of what the replay needs
        when the history is too short.
    """
    heading = label("policy_comparison", language)
    comparison = replenishment.plan_policy_comparison(result, params)
    frame = policy_table(comparison, result, language)
    if comparison.empty:
        needs = comparison.attrs.get("needs", _needs_named_above(result, language))
        return Section(heading, needs, frame, language=language, currency=result.currency,
                       kinds=KINDS)
    target = params["replenishment"]["target_service_level"]
    ours = frame[(comparison["policy"] == "ours").to_numpy()]
    at_target = np.isclose(comparison.loc[comparison["policy"] == "ours", "service_target"],
                           target)
    ours = ours[at_target].head(1) if at_target.any() else ours.head(1)
    rule = frame[(comparison["policy"] == "rule_of_thumb").to_numpy()].head(1)
    finding = fill("policy_finding", language,
        days=params["replenishment"]["simulation"]["simulation_days"],
        skus=int(comparison["skus"].max()),
        ours=_policy_words(ours, result.currency, language),
        target=percent_text(target, 0),
        rule=_policy_words(rule, result.currency, language))
    notes = [fill("aged_not_estimated", language,
        versions=_join(sorted(_no_aged_tiers(result)), language))] \
        if frame["aged_cost"].isna().all() \
        else []
    figure = Figure(figsize=(7, 4), layout="constrained")
    plot_tradeoff(comparison, ax=figure.subplots(), language=language)
    return Section(heading, finding, frame, language=language, currency=result.currency,
                   kinds=KINDS, notes=notes, figure=figure)


def _policy_words(row: pd.DataFrame, currency: str, language: str) -> str:
    if row.empty:
        return label("not_estimated", language)
    first = row.iloc[0]
    return fill("policy_words", language,
        fill=percent_text(first["fill_rate"]), days=format_value(first["avg_on_hand_days"],
                                                                 "days"),
        cost=money_text(first["storage_cost"], currency, language))


# ---- workbook -------------------------------------------------------------------------------

def workbook_tables(result, actions: Section, fees: Section, restock: Section,
                    policies: Section) -> dict:
    """The tables of the replenishment workbook, tidy, in sheet order.

    Parameters
    ----------
    result : ReplenishmentPlan
    actions, fees, restock, policies : Section
        :func:`weekly_actions`, :func:`fee_section`, :func:`restock_section`,
        :func:`policy_section`; their tables are written as they are.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``actions``, one sheet per action of the plan
        (:func:`opsanalysis.replenishment.plan_sheets`), ``replenishment_plan`` (every column of
        the plan), ``fee_outlook``, ``restock_comparison``, ``policy_comparison``,
        ``replenishment_decisions`` (the decision table).
    """
    def table(section):
        return section.table if section.table is not None else pd.DataFrame()

    return {"actions": table(actions), **replenishment.plan_sheets(result),
            "replenishment_plan": result.table, "fee_outlook": table(fees),
            "restock_comparison": table(restock), "policy_comparison": table(policies),
            "replenishment_decisions": replenishment.decision_table_frame()}

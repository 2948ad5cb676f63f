"""The KPI sections of a report (presentation layer): scorecard, breach drivers, traffic,
returns and account health, each a :class:`~opsanalysis.section.Section` in the report's
language, with the days its reports cover and "not estimated" / "not covered" where a figure
is unknown (never 0 or nan).

The functions take analysis tables (:mod:`opsanalysis.kpi`) and return sections; the report
modules (``opportunity_sections``) compute the tables from a report context.
"""

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from opsanalysis import kpi, plotting
from opsanalysis.formats import format_value, money_text, percent_text
from opsanalysis.labels import fill
from opsanalysis.plotting._common import text
from opsanalysis.section import Section

#: Rules whose numerator (and so their excess over target) is money; the others count units.
MONEY_NUMERATORS = frozenset({"acos", "roas", "tacos_trend", "gmv_growth_yoy",
                              "acos_vs_break_even"})
#: The traffic columns shown, with their chart panel order.
TRAFFIC_COLUMNS = ("ordered_product_sales", "sessions", "unit_session_percentage",
                   "buy_box_percentage")


def coverage_words(covered, window, language="en"):
    """Coverage in words: "28 days", "13 of 30 days", or "not covered" (no day covered).

    Parameters
    ----------
    covered, window : float
        Days of the window a report covers and days in the window [days]; NaN for figures
        that are snapshots, not windows (then ``""``).
    language : {"en", "zh"}

    Returns
    -------
    str
    """
    if covered is None or covered != covered or window != window:
        return ""
    if covered == 0:
        return text("not_covered", language)
    key = "coverage_full" if covered >= window else "coverage_partial"
    return fill(key, language, covered=int(covered), window=int(window))


def window_words(start, end, language="en"):
    """"Window: 2026-10-04 .. 2026-10-31" in ``language``."""
    return fill("window_is", language, start=f"{start:%Y-%m-%d}", end=f"{end:%Y-%m-%d}")


def rule_value_text(value, unit, currency=None, language="en"):
    """A rule's value in its unit: a fraction as percent, days with one decimal.

    Parameters
    ----------
    value : float
        The value [unit]; NaN when unknown.
    unit : str
        The rule's unit (``params`` rules: "fraction", "days", "score", "ratio" ...).
    currency : str, optional
        For units in currency.
    language : {"en", "zh"}

    Returns
    -------
    str
        "not estimated" when ``value`` is unknown.
    """
    unit = str(unit or "")
    if unit.startswith("fraction"):
        return format_value(value, "percent", language=language)
    if unit.startswith("days"):
        shown = format_value(value, "days", language=language)
        return shown if value != value else f"{shown} {text('days', language)}"
    if unit.startswith("currency"):
        return format_value(value, "money", currency, language)
    if unit.startswith(("score", "count", "rank")):
        return format_value(value, "count", language=language)
    return format_value(value, "number", language=language)


def rule_target_text(low, high, unit, currency=None, language="en"):
    """A rule's target in words: "30.0 – 45.0 days", "at most 25.0%", "at least 95.0%"."""
    low_text, high_text = (rule_value_text(v, unit, currency, language) for v in (low, high))
    if low == low and high == high:
        return fill("rule_target_between", language, low=low_text, high=high_text)
    if high == high:
        return fill("rule_target_at_most", language, high=high_text)
    if low == low:
        return fill("rule_target_at_least", language, low=low_text)
    return "—"


def scorecard_table(card, currency=None, language="en"):
    """The measured rules of a scorecard as a table: value and target in each rule's unit.

    Parameters
    ----------
    card : DataFrame
        :func:`opsanalysis.kpi.scorecard`.
    currency : str, optional
    language : {"en", "zh"}

    Returns
    -------
    DataFrame
        rule_id, value, target (text in the rule's unit), status, trend (codes), coverage
        (words; "" for snapshot rules).
    """
    shown = card[card["status"] != "not_measured"]
    rows = [{"rule_id": row.rule_id,
             "value": rule_value_text(row.value, row.unit, currency, language),
             "target": rule_target_text(row.target_min, row.target_max, row.unit, currency,
                                        language),
             "status": row.status, "trend": row.trend or "—",
             "coverage": coverage_words(row.covered_days, row.window_days, language) or "—"}
            for row in shown.itertuples()]
    return pd.DataFrame(rows, columns=["rule_id", "value", "target", "status", "trend",
                                       "coverage"])


def scorecard_section(card, period, currency=None, language="en", found=""):
    """The KPI scorecard: one row per rule shown (measured, or without data for the window), its
    traffic lights as the chart.

    Parameters
    ----------
    card : DataFrame
        :func:`opsanalysis.kpi.scorecard`.
    period : (Timestamp, Timestamp)
        First and last day scored.
    currency : str, optional
    language : {"en", "zh"}
    found : str
        Report kinds read (for the sentence saying what is needed).

    Returns
    -------
    Section
    """
    heading = text("scorecard_title", language)
    shown = card[card["status"] != "not_measured"]
    if not shown["value"].notna().any():
        return Section(heading, fill("needs_rules_data", language, found=found),
                       language=language)
    counts = shown["status"].value_counts()
    # a rule shown without a value (no data, window not covered) is in the table, not measured
    finding = fill("scorecard_finding", language,
        start=f"{period[0]:%Y-%m-%d}", end=f"{period[1]:%Y-%m-%d}",
        measured=int(shown["value"].notna().sum()), rules=len(shown),
        breach=int(counts.get("breach", 0)), watch=int(counts.get("watch", 0)))
    figure = Figure(figsize=(9, 0.4 * len(shown) + 1.2), layout="constrained")
    plotting.plot_scorecard(card, ax=figure.subplots(), language=language, currency=currency)
    return Section(heading, finding, scorecard_table(card, currency, language),
                   language=language, currency=currency, figure=figure)


def drivers_table(drivers, card, currency=None, language="en"):
    """Breach drivers with their value in the rule's unit and the excess in money or units.

    Parameters
    ----------
    drivers : DataFrame
        :func:`opsanalysis.kpi.drill_down` (with ``plan_status``/``plan_reason`` when the
        plan was given).
    card : DataFrame
        The scorecard (each rule's unit).

    Returns
    -------
    DataFrame
        rule_id, group, value (text), excess (text: money or units), plan_status, plan_reason.
    """
    units = card.set_index("rule_id")["unit"]
    rows = []
    for row in drivers.itertuples():
        kind = "money" if kpi.base_rule_id(row.rule_id) in MONEY_NUMERATORS else "count"
        excess = format_value(row.excess, kind, currency, language)
        rows.append({"rule_id": row.rule_id, "group": row.group,
                     "value": rule_value_text(row.value, units.get(row.rule_id), currency,
                                              language),
                     "excess": excess if kind == "count" else f"{excess} {currency or ''}".strip(),
                     "plan_status": getattr(row, "plan_status", None),
                     "plan_reason": getattr(row, "plan_reason", None)})
    table = pd.DataFrame(rows, columns=["rule_id", "group", "value", "excess", "plan_status",
                                        "plan_reason"])
    return table.astype(object).where(table.notna(), "—")


def drivers_section(drivers, card, period, currency=None, language="en"):
    """What drives each breach: the worst SKUs (or campaigns) per breached rule.

    Returns
    -------
    Section
        Its table is :func:`drivers_table`; "no group is outside the target alone" when
        no breach splits into drivers.
    """
    heading = text("breach_drivers", language)
    if drivers.empty:
        return Section(heading, text("no_drivers", language), language=language)
    finding = fill("drivers_finding", language,
        start=f"{period[0]:%Y-%m-%d}", end=f"{period[1]:%Y-%m-%d}",
        count=drivers["rule_id"].nunique())
    return Section(heading, finding, drivers_table(drivers, card, currency, language),
                   language=language, currency=currency,
                   notes=[text("drivers_note", language)])


def traffic_section(traffic, currency=None, language="en", weeks=8, found=""):
    """Sales, sessions, conversion and buy box by week: the last weeks and a 2 x 2 chart.

    Parameters
    ----------
    traffic : DataFrame or None
        ``kpi.traffic(business_report, freq="W")``; None without a Business Report.
    currency : str, optional
    language : {"en", "zh"}
    weeks : int
        Weeks listed in the table (the chart shows them all).
    found : str

    Returns
    -------
    Section
    """
    heading = text("kpi_trend_title", language)
    if traffic is None or traffic.empty:
        return Section(heading, fill("needs_business_report", language, found=found),
                       language=language)
    columns = ["period", *[c for c in TRAFFIC_COLUMNS if c in traffic]]
    table = traffic.sort_values("period")[columns].tail(weeks).iloc[::-1].reset_index(drop=True)
    latest = table.iloc[0]
    finding = fill("traffic_finding", language,
        week=f"{latest['period']:%Y-%m-%d}",
        sales=money_text(latest.get("ordered_product_sales", np.nan), currency, language),
        sessions=format_value(latest.get("sessions", np.nan), "count", language=language),
        conversion=format_value(latest.get("unit_session_percentage", np.nan), "percent",
                                language=language),
        buy_box=format_value(latest.get("buy_box_percentage", np.nan), "percent",
                             language=language))
    figure = Figure(figsize=(11, 6), layout="constrained")
    for ax, column in zip(figure.subplots(2, 2, sharex=True).flat, TRAFFIC_COLUMNS,
                          strict=True):
        if column in traffic:
            plotting.plot_kpi_trend(traffic, column, ax=ax, language=language,
                                    currency=currency)
    return Section(heading, finding, table, language=language, currency=currency,
                   figure=figure)


def return_month_lines(monthly, language="en"):
    """One sentence per month of :func:`opsanalysis.kpi.return_rate_by_month`.

    Returns
    -------
    list of str
        "2026-10: return rate 3.3% (20 of 600 units, 31 days)", or the month's status
        ("not covered", "no data") where it was not measured, never 0 %.
    """
    lines = []
    for row in monthly.itertuples():
        month = f"{row.period:%Y-%m}"
        if row.status != "measured":
            lines.append(fill("returns_month_status", language,
                month=month, status=text(row.status, language)))
            continue
        lines.append(fill("returns_month_line", language,
            month=month, rate=percent_text(row.return_rate),
            returned=format_value(row.returned, "count"), ordered=format_value(row.ordered, "count"),
            coverage=coverage_words(row.covered_days, row.window_days, language)))
    return lines


def reason_codes(reasons):
    """Amazon's return reasons as label codes ("UNWANTED_ITEM" -> "unwanted_item")."""
    codes = reasons["reason"].astype("string").str.strip().str.lower()
    return reasons.assign(reason=codes.fillna("no_reason_given").replace("", "no_reason_given"))


def returns_section(monthly, reasons, language="en", top=5, found=""):
    """Returns: the reasons of the window's returns (table and chart) and the monthly rates.

    Parameters
    ----------
    monthly : DataFrame
        :func:`opsanalysis.kpi.return_rate_by_month`.
    reasons : DataFrame or None
        :func:`opsanalysis.kpi.return_reasons` of the window (reason, quantity, share).
    language : {"en", "zh"}
    top : int
        Reasons listed (the rest are in the workbook).
    found : str

    Returns
    -------
    Section
    """
    heading = text("returns", language)
    if (monthly["status"] == "no_data").all() or reasons is None or reasons.empty:
        return Section(heading, fill("needs_returns", language, found=found),
                       language=language)
    table = reason_codes(reasons)[["reason", "quantity", "share"]].sort_values(
        "quantity", ascending=False, kind="stable").reset_index(drop=True)
    lines = return_month_lines(monthly, language)
    latest = monthly.iloc[-1]
    finding = lines[-1] if latest["status"] != "measured" else fill(
        "returns_finding", language,
        month=f"{latest['period']:%Y-%m}", rate=percent_text(latest["return_rate"]),
        returned=format_value(latest["returned"], "count"),
        ordered=format_value(latest["ordered"], "count"),
        reason=text(table["reason"].iloc[0], language))
    figure = Figure(figsize=(8, 0.35 * min(len(table), 10) + 1.5), layout="constrained")
    plotting.plot_return_reasons(table, ax=figure.subplots(), language=language)
    return Section(heading, finding, table, language=language, top=top,
                   sheet="return_reasons", notes=lines[:-1], figure=figure)


def account_health_section(rates, language="en", found=""):
    """Account health: the latest value of each metric Amazon reported.

    Parameters
    ----------
    rates : DataFrame or None
        :func:`opsanalysis.kpi.account_health_rates` (metric, value, date_to).
    language : {"en", "zh"}
    found : str

    Returns
    -------
    Section
        Rates as percent, counts and scores as whole numbers; metrics without a value are
        named in a note ("not reported"), not shown as 0.
    """
    heading = text("account_health_title", language)
    if rates is None or rates.empty:
        return Section(heading, fill("needs_account_health", language, found=found),
                       language=language)
    reported = rates[rates["value"].notna()]
    missing = rates.loc[rates["value"].isna(), "metric"]
    kinds = ["percent" if "_rate" in str(m) else "count" for m in reported["metric"]]
    table = pd.DataFrame({
        "metric": reported["metric"].to_numpy(),
        "value": [format_value(v, k, language=language)
                  for v, k in zip(reported["value"], kinds, strict=True)]})
    dates = rates["date_to"].dropna() if "date_to" in rates else pd.Series(dtype=object)
    finding = fill("account_health_finding", language,
        date=f"{dates.max():%Y-%m-%d}" if len(dates) else "—", count=len(table))
    notes = [fill("account_health_not_reported", language,
        metrics=", ".join(text(m, language) for m in missing))] if len(missing) else []
    return Section(heading, finding, table, language=language, notes=notes)

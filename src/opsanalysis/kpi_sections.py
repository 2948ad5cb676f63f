"""The KPI sections' text (presentation layer): scorecard, breach drivers, traffic and return
rates as lines in the report's language, each figure with the days its reports cover."""

import numpy as np

from opsanalysis.plotting._common import text


def _number(value, percent, digits=2):
    if value is None or value != value:
        return "-"
    return f"{value:.{digits}%}" if percent else f"{value:,.{digits}f}"


def coverage_words(covered, window, language="en"):
    """Coverage in words: "28 days", "13 of 30 days", or "not covered" (no day covered).

    Parameters
    ----------
    covered, window : float
        Days of the window a report covers and days in the window [days]; NaN for figures
        that are snapshots, not windows (then ``""``).

    Returns
    -------
    str
    """
    if covered != covered or window != window or covered is None:
        return ""
    if covered == 0:
        return text("not_covered", language)
    key = "coverage_full" if covered >= window else "coverage_partial"
    return text(key, language).format(covered=int(covered), window=int(window))


def window_words(start, end, language="en"):
    """"Window: 2026-10-04 .. 2026-10-31" in ``language``."""
    return text("window_is", language).format(start=f"{start:%Y-%m-%d}", end=f"{end:%Y-%m-%d}")


def scorecard_text(card, language="en"):
    """The scorecard as text: label, value, target, status, coverage and trend per rule.

    Parameters
    ----------
    card : DataFrame
        :func:`opsanalysis.kpi.scorecard` with its ``label`` column
        (:func:`opsanalysis.labels.add_labels`).

    Returns
    -------
    str
        One line per rule; the value is "-" where it is unknown (the status says why).
    """
    lines = []
    for row in card.itertuples():
        percent = str(row.unit).startswith("fraction")
        target = " .. ".join("" if t != t else (f"{t:.1%}" if percent else f"{t:g}")
                             for t in (row.target_min, row.target_max))
        trend = text(row.trend, language) if row.trend else ""
        covered = coverage_words(getattr(row, "covered_days", np.nan),
                                 getattr(row, "window_days", np.nan), language)
        lines.append(f"{row.label:<42} {_number(row.value, percent):>12}  [{target:^16}]  "
                     f"{text(row.status, language):<12} {covered:<16} {trend}".rstrip())
    return "\n".join(lines)


def drivers_text(drivers, language="en"):
    """The breach drivers as text (with the replenishment plan's status where given).

    Returns
    -------
    str
        One line per driver, or the sentence that no group is outside its target alone.
    """
    if drivers.empty:
        return text("no_drivers", language)
    lines = []
    for row in drivers.itertuples():
        plan = ""
        status = getattr(row, "plan_status", None)
        if isinstance(status, str):
            reason = getattr(row, "plan_reason", "")
            plan = f"  {text('plan_status', language)}: {text(status, language)}"
            plan += f" ({text(reason, language)})" if isinstance(reason, str) and reason else ""
        lines.append(f"{row.label:<28} {str(row.group):<28} {_number(row.value, False, 3):>10} "
                     f"{text(row.status, language):<8} {_number(row.excess, False):>10}{plan}")
    return "\n".join(lines)


def traffic_text(table, language="en", last=4):
    """The last ``last`` periods of :func:`opsanalysis.kpi.traffic` as text ("-" if unknown)."""
    lines = []
    for row in table.tail(last).itertuples():
        lines.append(f"{row.period:%Y-%m-%d} "
                     f"{_number(getattr(row, 'ordered_product_sales', np.nan), False):>12} "
                     f"{_number(getattr(row, 'sessions', np.nan), False, 0):>8} "
                     f"{_number(getattr(row, 'unit_session_percentage', np.nan), True):>8} "
                     f"{_number(getattr(row, 'buy_box_percentage', np.nan), True):>8}")
    return "\n".join(lines)


def return_rates_text(table, language="en"):
    """:func:`opsanalysis.kpi.return_rate_by_month` as text: rate, units and coverage."""
    lines = []
    for row in table.itertuples():
        head = f"{row.period:%Y-%m} {text('return_rate', language)}"
        if row.status != "measured":
            lines.append(f"{head} {text(row.status, language)}")
            continue
        lines.append(f"{head} {_number(row.return_rate, True)} "
                     f"({row.returned:.0f} / {row.ordered:.0f}; "
                     f"{coverage_words(row.covered_days, row.window_days, language)})")
    return "\n".join(lines)

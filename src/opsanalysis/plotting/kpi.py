"""Plots of the KPI scorecard and KPI trends (opsanalysis.kpi tables); their text lines are in
:mod:`opsanalysis.kpi_sections`."""

import numpy as np
from matplotlib.ticker import FuncFormatter, PercentFormatter

from opsanalysis.formats import column_kind, format_value
from opsanalysis.plotting._common import axes, date_axis, text
from opsanalysis.plotting.fonts import localised

#: Traffic-light colours of the scorecard statuses.
STATUS_COLOURS = {"good": "#2e7d32", "watch": "#f9a825", "breach": "#c62828",
                  "no_data": "#9e9e9e", "not_covered": "#bdbdbd", "not_measured": "#e0e0e0"}




def _rule_value(value, unit, currency, language):
    """A rule's value in its unit (fractions as percent), as the scorecard table shows it."""
    unit = str(unit or "")
    if unit.startswith("fraction"):
        return format_value(value, "percent", language=language)
    if unit.startswith("days"):
        return format_value(value, "days", language=language)
    if unit.startswith("currency"):
        return format_value(value, "money", currency, language)
    return format_value(value, "count" if unit.startswith(("score", "count")) else "number",
                        language=language)


@localised
def plot_scorecard(card, ax=None, language="en", currency=None):
    """Traffic lights: one row per measured rule, coloured by status, value and target beside.

    Parameters
    ----------
    card : DataFrame
        From :func:`opsanalysis.kpi.scorecard` (codes only: each rule id is put into words
        here, in ``language``).
    ax : matplotlib Axes, optional
    language : {"en", "zh"}
    currency : str, optional
        Currency of rules measured in money.

    Returns
    -------
    matplotlib Axes
        Values and targets in each rule's ``unit`` (fractions as percent); an unknown value
        reads "not estimated".
    """
    shown = card[card["status"] != "not_measured"].reset_index(drop=True)
    ax = axes(ax, (8, 0.4 * max(len(shown), 1) + 1))
    positions = np.arange(len(shown))[::-1]
    colours = [STATUS_COLOURS[s] for s in shown["status"]]
    ax.scatter(np.zeros(len(shown)), positions, c=colours, s=200)
    units = shown["unit"] if "unit" in shown else [""] * len(shown)
    for y, row, unit in zip(positions, shown.itertuples(), units, strict=True):
        target = " - ".join(_rule_value(t, unit, currency, language)
                            for t in (row.target_min, row.target_max) if t == t)
        value = _rule_value(row.value, unit, currency, language)
        ax.text(0.15, y, f"{text(row.rule_id, language)}: {value}  "
                f"({text('target', language)} {target}) "
                f"{text(row.status, language)} {text(row.trend, language) if row.trend else ''}",
                va="center")
    ax.set_xlim(-0.2, 4)
    ax.set_ylim(-1, len(shown))
    ax.axis("off")
    ax.set_title(text("scorecard_title", language))
    return ax


@localised
def plot_kpi_trend(table, value, ax=None, language="en", group=None, currency=None):
    """A KPI over periods (one line per group when ``group`` is given).

    Parameters
    ----------
    table : DataFrame
        A KPI table with ``period`` (from ``freq=``).
    value : str
        Column to plot.
    group : str, optional
        Key column giving one line per value.
    currency : str, optional
        Unit of a money column (shown on the y axis).

    Returns
    -------
    matplotlib Axes
        Rates on a percent axis; dates without overlapping ticks.
    """
    ax = axes(ax)
    groups = table.groupby(group) if group else [(None, table)]
    for name, rows in groups:
        rows = rows.sort_values("period")
        ax.plot(rows["period"], rows[value], marker="o", label=name)
    if group:
        ax.legend(fontsize="small")
    kind = column_kind(value, table[value])
    unit = {"percent": "%", "money": currency}.get(kind)
    ax.set_ylabel(f"{text(value, language)} ({unit})" if unit else text(value, language))
    if kind == "percent":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    else:  # whole amounts with thousands separators, never a "1e6" offset
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.0f}"))
    date_axis(ax)
    ax.set_xlabel(text("week_start", language))
    ax.grid(alpha=0.3)
    return ax


@localised
def plot_return_reasons(reasons, ax=None, language="en", top=10):
    """Returned units by reason (largest first).

    Parameters
    ----------
    reasons : DataFrame
        From :func:`opsanalysis.kpi.return_reasons` (no grouping).

    Returns
    -------
    matplotlib Axes
    """
    ax = axes(ax)
    rows = reasons.nlargest(top, "quantity").iloc[::-1]
    names = [format_value(r, "text", language=language) for r in rows["reason"].astype(str)]
    ax.barh(names, rows["quantity"], color="#5c6bc0")
    ax.set_xlabel(text("returned_units", language))
    ax.set_title(text("returns_title", language))
    return ax

"""Plots of the KPI scorecard and KPI trends (opsanalysis.kpi tables); their text lines are in
:mod:`opsanalysis.kpi_sections`."""

import numpy as np

from opsanalysis.plotting._common import axes, text
from opsanalysis.plotting.fonts import localised

#: Traffic-light colours of the scorecard statuses.
STATUS_COLOURS = {"good": "#2e7d32", "watch": "#f9a825", "breach": "#c62828",
                  "no_data": "#9e9e9e", "not_covered": "#bdbdbd", "not_measured": "#e0e0e0"}




@localised
def plot_scorecard(card, ax=None, language="en"):
    """Traffic lights: one row per measured rule, coloured by status, value and target beside.

    Parameters
    ----------
    card : DataFrame
        From :func:`opsanalysis.kpi.scorecard` (codes only: each rule id is put into words
        here, in ``language``).
    ax : matplotlib Axes, optional
    language : {"en", "zh"}

    Returns
    -------
    matplotlib Axes
    """
    shown = card[card["status"] != "not_measured"].reset_index(drop=True)
    ax = axes(ax, (8, 0.4 * max(len(shown), 1) + 1))
    positions = np.arange(len(shown))[::-1]
    colours = [STATUS_COLOURS[s] for s in shown["status"]]
    ax.scatter(np.zeros(len(shown)), positions, c=colours, s=200)
    for y, row in zip(positions, shown.itertuples(), strict=True):
        target = " - ".join(f"{t:.4g}" for t in (row.target_min, row.target_max) if t == t)
        value = "-" if row.value != row.value else f"{row.value:.4g}"
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
def plot_kpi_trend(table, value, ax=None, language="en", group=None):
    """A KPI over periods (one line per group when ``group`` is given).

    Parameters
    ----------
    table : DataFrame
        A KPI table with ``period`` (from ``freq=``).
    value : str
        Column to plot.
    group : str, optional
        Key column giving one line per value.

    Returns
    -------
    matplotlib Axes
    """
    ax = axes(ax)
    groups = table.groupby(group) if group else [(None, table)]
    for name, rows in groups:
        rows = rows.sort_values("period")
        ax.plot(rows["period"], rows[value], marker="o", label=name)
    if group:
        ax.legend(fontsize="small")
    ax.set_ylabel(text(value, language))
    ax.set_xlabel(text("period", language))
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
    ax.barh(rows["reason"].astype(str), rows["quantity"], color="#5c6bc0")
    ax.set_xlabel(text("quantity", language))
    ax.set_title(text("returns_title", language))
    return ax

"""Plots of the category opportunity matrix (opsanalysis.opportunity tables)."""

import numpy as np
from matplotlib.ticker import PercentFormatter

from opsanalysis.plotting._common import axes, text
from opsanalysis.plotting.fonts import localised


@localised
def plot_opportunity_matrix(matrix, ax=None, language="en", growth="growth",
                            competition="competition_index", size="gmv", colour="margin_rate"):
    """Quadrant chart: growth against competition, bubble size = GMV, colour = margin.

    Dashed lines at the medians split the chart into quadrants; the top-left one (growing,
    little competition) holds the opportunities. Categories resting on an estimate are marked
    with an asterisk.

    Parameters
    ----------
    matrix : DataFrame
        From :func:`opsanalysis.opportunity.opportunity_matrix`.
    ax : matplotlib Axes, optional
    language : {"en", "zh"}
    growth, competition, size, colour : str
        Columns for the y axis [fraction], x axis [index], bubble area [currency] and colour
        [fraction]; fractions are drawn as percent.

    Returns
    -------
    matplotlib Axes
    """
    ax = axes(ax, (8, 5))
    x = matrix[competition].astype(float).to_numpy()
    y = matrix[growth].astype(float).to_numpy()
    area = np.nan_to_num(matrix[size].astype(float).to_numpy(), nan=0.0)
    area = 80 + 1500 * area / area.max() if area.max() > 0 else np.full(len(area), 200.0)
    points = ax.scatter(x, y, s=area, c=matrix[colour].astype(float), cmap="RdYlGn",
                        alpha=0.75, edgecolors="black")
    flags = matrix.get("rests_on_estimate", np.zeros(len(matrix), dtype=bool))
    for xi, yi, name, flag in zip(x, y, matrix["category"], flags, strict=True):
        # labels of the right-most bubbles point left so that they stay inside the axes
        right = xi > np.nanmax(x) - 0.25 * (np.nanmax(x) - np.nanmin(x))
        ax.annotate(f"{name}{' *' if flag else ''}", (xi, yi), textcoords="offset points",
                    xytext=(-6 if right else 6, 6), ha="right" if right else "left",
                    fontsize="small")
    ax.axvline(np.nanmedian(x), linestyle="--", color="grey", linewidth=0.8)
    ax.axhline(np.nanmedian(y), linestyle="--", color="grey", linewidth=0.8)
    ax.margins(0.15)
    bar = ax.figure.colorbar(points, ax=ax, label=f"{text(colour, language)} (%)")
    bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(text(competition, language))
    ax.set_ylabel(f"{text(growth, language)} (%)")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_title(f"{text('opportunity_matrix_title', language)} "
                 f"({text('bubble_size_gmv', language)})")
    return ax


@localised
def plot_rank_bands(matrix, ax=None, language="en"):
    """Rank band of each category under random weight draws, with its rank at the set weights.

    Parameters
    ----------
    matrix : DataFrame
        With category, rank, rank_low, rank_median, rank_high and p_top_n
        (:func:`opsanalysis.opportunity.opportunity_matrix`).
    ax : matplotlib Axes, optional
    language : {"en", "zh"}

    Returns
    -------
    matplotlib Axes
    """
    table = matrix.sort_values("rank").reset_index(drop=True)
    ax = axes(ax, (8, 0.5 * len(table) + 1.5))
    positions = np.arange(len(table))[::-1]
    ax.hlines(positions, table["rank_low"], table["rank_high"], linewidth=8, color="#90caf9")
    ax.scatter(table["rank"], positions, color="#0d47a1", zorder=3, label=text("rank", language))
    ax.scatter(table["rank_median"], positions, marker="|", s=300, color="black", zorder=3,
               label=text("rank_median", language))
    for y, row in zip(positions, table.itertuples(), strict=True):
        ax.text(len(table) + 0.6, y, f"{text('p_top_n', language)} {row.p_top_n:.0%}",
                va="center", fontsize="small")
    ax.set_yticks(positions, table["category"])
    ax.set_xlim(0.5, len(table) + 2.0)
    ax.set_xticks(np.arange(1, len(table) + 1))
    ax.set_xlabel(text("rank", language))
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(text("rank_bands_title", language))
    return ax

"""Plots of the advertising review (opsanalysis.ads and the ad KPIs)."""

from matplotlib.ticker import PercentFormatter

from opsanalysis.plotting._common import axes, date_axis, text
from opsanalysis.plotting.fonts import localised


@localised
def plot_acos_tacos(acos_table, tacos_table, ax=None, language="en"):
    """ACOS and TACoS per period on one axis (rising TACoS with flat ACOS = organic erosion).

    Parameters
    ----------
    acos_table : DataFrame
        ``kpi.acos(ads, freq=...)``.
    tacos_table : DataFrame
        ``kpi.tacos(ads, sales, freq=...)``.

    Returns
    -------
    matplotlib Axes
        Rates on a percent axis [%], weeks on concise date ticks that do not overlap.
    """
    ax = axes(ax, (8, 4))
    for table, column in ((acos_table, "acos"), (tacos_table, "tacos")):
        rows = table.sort_values("period")
        ax.plot(rows["period"], rows[column], marker="o", label=text(column, language))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    date_axis(ax, max_ticks=8)
    ax.set_ylabel("ACOS / TACoS (%)")  # the acronyms read the same in every language
    ax.set_xlabel(text("week_start", language))
    ax.legend()
    ax.grid(alpha=0.3)
    ax.set_title(text("ads_summary_title", language))
    return ax


@localised
def plot_ngram_waste(ngrams, ax=None, language="en", top=15, currency=None):
    """The n-grams with the most spend without orders.

    Parameters
    ----------
    ngrams : DataFrame
        From :func:`opsanalysis.ads.ngram_waste`.
    top : int
        Bars drawn.
    currency : str, optional
        Currency of the spend (on the x axis).

    Returns
    -------
    matplotlib Axes
    """
    ax = axes(ax, (8, 5))
    rows = ngrams.nlargest(top, "waste_spend").iloc[::-1]
    ax.barh(rows["ngram"].astype(str), rows["waste_spend"], color="#c62828")
    words = text("waste_spend", language)
    ax.set_xlabel(f"{words} ({currency})" if currency else words)
    ax.set_title(text("ngrams", language))
    return ax

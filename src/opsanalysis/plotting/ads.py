"""Plots of the advertising review (opsanalysis.ads and the ad KPIs)."""

import matplotlib.pyplot as plt

from opsanalysis.plotting._common import text
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
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    for table, column in ((acos_table, "acos"), (tacos_table, "tacos")):
        rows = table.sort_values("period")
        ax.plot(rows["period"], rows[column], marker="o", label=text(column, language))
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:.0%}")
    ax.legend()
    ax.grid(alpha=0.3)
    ax.set_title(text("ads_summary_title", language))
    return ax


@localised
def plot_ngram_waste(ngrams, ax=None, language="en", top=15):
    """The n-grams with the most spend without orders.

    Parameters
    ----------
    ngrams : DataFrame
        From :func:`opsanalysis.ads.ngram_waste`.

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 5))
    rows = ngrams.nlargest(top, "waste_spend").iloc[::-1]
    ax.barh(rows["ngram"].astype(str), rows["waste_spend"], color="#c62828")
    ax.set_xlabel(text("waste_spend", language))
    ax.set_title(text("ngrams", language))
    return ax

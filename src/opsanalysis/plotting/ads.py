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


def _percent(value) -> str | None:
    return None if value is None or value != value else f"{value:.1%}"


def acos_tacos_lines(acos_table, tacos_table, language="en", last=4):
    """The last weeks' ACOS and TACoS as text; a week the sales reports do not cover says so.

    Parameters
    ----------
    acos_table : DataFrame
        ``kpi.acos(ads, freq="W")`` (``period``, ``acos``).
    tacos_table : DataFrame
        ``kpi.tacos(ads, sales, freq="W")`` (``period``, ``tacos``; NaN where no sales).
    last : int
        Number of most recent periods shown.

    Returns
    -------
    list of str
        One line per period: ``2019-12-01 ACOS 66.4% TACoS not covered``.
    """
    table = acos_table[["period", "acos"]].merge(tacos_table[["period", "tacos"]], on="period",
                                                  how="left").sort_values("period").tail(last)
    missing = text("not_covered", language)
    return [f"{row.period:%Y-%m-%d} ACOS {_percent(row.acos) or missing} "
            f"TACoS {_percent(row.tacos) or missing}" for row in table.itertuples()]


def spend_lines(terms, currency, language="en"):
    """Spend and spend without orders of a search-term summary, as text.

    Parameters
    ----------
    terms : DataFrame
        ``ads.summarise(search_terms)`` over the review window (``spend``, ``orders``).
    currency : str
        The marketplace currency.

    Returns
    -------
    list of str
        One line; a window without search-term rows says "not covered", never 0.
    """
    if terms is None or not len(terms):
        return [f"{text('spend', language)}: {text('not_covered', language)}"]
    spend = float(terms["spend"].sum())
    wasted = float(terms.loc[terms["orders"].fillna(0) == 0, "spend"].sum())
    share = _percent(wasted / spend) if spend > 0 else None
    return [f"{text('spend', language)}: {spend:,.2f} {currency}; "
            f"{text('waste_spend', language)}: {wasted:,.2f} {currency}"
            + (f" ({share})" if share else "")]

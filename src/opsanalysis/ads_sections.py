"""The advertising sections' text (presentation layer): weekly ACOS/TACoS and the review
window's spend, where a window the reports do not cover says so instead of 0 or nan."""

from opsanalysis.plotting._common import text


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

"""The "Market and competitors" sections (presentation layer): competitor price changes, the
price cuts that likely explain a dip of our sales, our price position, buy-box losses, sales
rank against the top-50 rule and reviews, from Keepa exports and the user's ``competitors.csv``.

A notebook calls :func:`prepare` once with its report context, then one function per section.
The figures come from :mod:`opsanalysis.competitors`; settings from ``params["competitors"]``
and ``params["rules"]["bsr_rank"]``. A folder without Keepa exports or without
``competitors.csv`` gets one sentence saying what to download, never an error; unknown values
read "not estimated".
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from opsanalysis import competitors
from opsanalysis.formats import format_value
from opsanalysis.io import kinds_keepa
from opsanalysis.labels import fill, label
from opsanalysis.plotting._common import date_axis
from opsanalysis.section import Section, missing_input_section

__all__ = ["MarketInputs", "SECTION_ORDER", "TOP_ROWS", "buy_box", "likely_causes", "prepare", "price_changes",
           "price_position", "reviews", "sales_rank", "workbook_tables"]

#: Rows shown per table (the workbook holds every row).
TOP_ROWS = 15
_KINDS = {"days_observed": "count", "days_without_buy_box": "count",
          "days_buy_box_below_our_price": "count", "new_reviews_per_week": "number",
          "rating": "number", "rating_before": "number", "rating_change": "number",
          "units_before": "count", "units_after": "count", "weeks_rating_fell": "count",
          "sales_rank_before": "count", "rank_change": "count", "new_reviews": "count"}


@dataclass
class MarketInputs:
    """What the market sections show, from :func:`prepare`.

    Attributes
    ----------
    language, currency : str
    as_of : Timestamp or None
    settings : dict
        ``params["competitors"]``.
    rank_limit : float
        ``rules.bsr_rank.value`` [rank].
    pairs : DataFrame or None
        :func:`opsanalysis.io.kinds_keepa.check_competitors` (None without competitors.csv).
    daily : DataFrame or None
        :func:`opsanalysis.competitors.daily_history` of the history and product exports
        (None without Keepa exports).
    units : DataFrame or None
        :func:`opsanalysis.competitors.daily_units`.
    our_asins : list of str
    changes, causes : DataFrame or None
        :func:`~opsanalysis.competitors.price_changes` (whole history) and
        :func:`~opsanalysis.competitors.price_cut_sales_dips`.
    """

    language: str
    currency: str
    as_of: object
    settings: dict
    rank_limit: float
    pairs: object
    daily: object
    units: object
    our_asins: list
    changes: object
    causes: object


def _keepa_frames(data):
    history = data.get("keepa_history")
    product = data.get("keepa_product")
    parts = []
    if history is not None and len(history):
        parts.append(history)
    if product is not None and len(product) and "snapshot_date" in product:
        snapshot = product.rename(columns={"snapshot_date": "date"})
        parts.append(snapshot[[c for c in ("date", "asin", *competitors.SERIES)
                               if c in snapshot]])
    return pd.concat(parts, ignore_index=True) if parts else None


def prepare(report) -> MarketInputs:
    """The market figures of a report context (``oa.batch.prepare``).

    Parameters
    ----------
    report : ReportContext

    Returns
    -------
    MarketInputs
    """
    data, params = report.data, report.params
    settings = params["competitors"]
    frame = data.get("competitors")
    pairs = kinds_keepa.check_competitors(frame) if frame is not None and len(frame) else None
    records = _keepa_frames(data)
    as_of = report.as_of
    daily = competitors.daily_history(records, end=as_of) if records is not None else None
    units = competitors.daily_units(data.get("all_orders"), data.get("business_report_asin"))
    master = data.get("product_master")
    if master is not None and "asin" in master:
        ours = set(master["asin"].dropna().astype(str))
    elif units is not None:
        ours = set(units["asin"].dropna().astype(str))
    else:
        ours = set()
    if pairs is not None:
        ours |= set(pairs["our_asin"])
    if daily is not None:
        ours &= set(daily["asin"])
    changes = causes = None
    if daily is not None and pairs is not None:
        changes = competitors.price_changes(daily, pairs, settings["price_change_threshold"])
        causes = competitors.price_cut_sales_dips(changes, units, settings["dip_window_days"],
                                                  settings["sales_dip_threshold"])
    return MarketInputs(report.language, report.marketplace.currency, as_of, settings,
                        float(params["rules"]["bsr_rank"]["value"]), pairs, daily, units,
                        sorted(ours), changes, causes)


#: The sections in the order the market report shows them: the first one lacking a download
#: names it, the following ones point at it (:func:`opsanalysis.section.missing_input_section`).
SECTION_ORDER = ("likely_causes", "price_changes", "price_position", "buy_box", "sales_rank",
                 "reviews")
#: Sections that need ``competitors.csv`` besides the Keepa exports.
_NEED_PAIRS = ("likely_causes", "price_changes", "price_position")


def _opening(inputs, name, heading_key):
    """The heading of section ``name`` and its one-sentence section for a missing download."""
    heading = label(heading_key, inputs.language)
    if inputs.daily is None:
        needs, first = "needs_keepa_exports", name == SECTION_ORDER[0]
    elif name in _NEED_PAIRS and inputs.pairs is None:
        needs, first = "needs_competitors_file", name == _NEED_PAIRS[0]
    else:
        needs, first = None, True
    return heading, missing_input_section(heading, needs, inputs.language, first)


def _table_section(inputs, heading, finding, table, sheet, **shown):
    """A market section with its table (the first ``TOP_ROWS`` rows shown)."""
    return Section(heading, finding, table, language=inputs.language, currency=inputs.currency,
                   kinds=_KINDS, top=TOP_ROWS, sheet=sheet, **shown)


def _window(inputs):
    end = inputs.as_of if inputs.as_of is not None else inputs.daily["date"].max()
    return end - pd.Timedelta(days=inputs.settings["lookback_days"] - 1), end


def _share(value, language):
    return format_value(value, "percent", language=language)


def _money(value, inputs):
    return format_value(value, "money", inputs.currency, inputs.language)


def price_changes(report, inputs: MarketInputs) -> Section:
    """Competitor price changes beyond the threshold over the last ``lookback_days`` days."""
    heading, missing = _opening(inputs, "price_changes", "competitor_price_changes")
    if missing is not None:
        return missing
    start, end = _window(inputs)
    table = inputs.changes[inputs.changes["date"].between(start, end)].reset_index(drop=True)
    cuts = int((table["direction"] == "price_cut").sum())
    finding = fill("competitor_price_changes_finding", inputs.language,
        count=len(table), cuts=cuts, days=inputs.settings["lookback_days"],
        threshold=_share(inputs.settings["price_change_threshold"], inputs.language))
    return _table_section(inputs, heading, finding, table, "price_changes")


def likely_causes(report, inputs: MarketInputs) -> Section:
    """Competitor price cuts next to a dip of our sales: the likely cause, with dates and sizes."""
    heading, missing = _opening(inputs, "likely_causes", "price_cut_sales_dips")
    if missing is not None:
        return missing
    if inputs.units is None:
        return Section(heading, label("needs_sales_for_dips", inputs.language),
                       language=inputs.language)
    table = inputs.causes.sort_values("cut_date", ascending=False, kind="stable") \
        .reset_index(drop=True)
    if table.empty:
        finding = fill("price_cut_sales_dips_none", inputs.language,
            threshold=_share(inputs.settings["sales_dip_threshold"], inputs.language),
            days=inputs.settings["dip_window_days"])
    else:
        first = table.iloc[0]
        finding = fill("price_cut_sales_dips_finding", inputs.language,
            count=len(table), competitor=first["competitor_asin"], our=first["our_asin"],
            date=f"{first['cut_date']:%Y-%m-%d}",
            cut=_share(-first["price_change_share"], inputs.language),
            drop=_share(-first["sales_change_share"], inputs.language),
            days=inputs.settings["dip_window_days"])
    figure = _cut_figure(inputs, table.iloc[0]) if len(table) else None
    return _table_section(inputs, heading, finding, table, "likely_causes", figure=figure)


def _cut_figure(inputs, cause):
    """Our daily units and the competitor's price around the first likely cause."""
    day = pd.Timestamp(cause["cut_date"])
    span = pd.Timedelta(days=4 * inputs.settings["dip_window_days"])
    units = inputs.units[(inputs.units["asin"] == cause["our_asin"])
                         & inputs.units["date"].between(day - span, day + span)]
    prices = inputs.daily[(inputs.daily["asin"] == cause["competitor_asin"])
                          & inputs.daily["date"].between(day - span, day + span)]
    figure = Figure(figsize=(9, 3.5), layout="constrained")
    ax = figure.subplots()
    ax.bar(units["date"], units["units"], color="#9bb7d4",
           label=label("our_units", inputs.language))
    ax.set_ylabel(label("our_units", inputs.language))
    twin = ax.twinx()
    twin.step(prices["date"], prices["price"], where="post", color="#c0392b",
              label=label("competitor_price", inputs.language))
    twin.set_ylabel(f"{label('competitor_price', inputs.language)} ({inputs.currency})")
    ax.axvline(day, color="#555555", linestyle="--", linewidth=1)
    ax.set_title(f"{cause['our_asin']} / {cause['competitor_asin']}")
    date_axis(ax)
    return figure


def price_position(report, inputs: MarketInputs) -> Section:
    """Our price against each competitor's on the report date."""
    heading, missing = _opening(inputs, "price_position", "price_position")
    if missing is not None:
        return missing
    _, end = _window(inputs)
    table = competitors.price_position(inputs.daily, inputs.pairs, end)
    dearer = int((table["position"] == "dearer").sum())
    finding = fill("price_position_finding", inputs.language,
        dearer=dearer, pairs=len(table), date=f"{end:%Y-%m-%d}",
        cheaper=int((table["position"] == "cheaper").sum()),
        unknown=int((table["position"] == "not_estimated").sum()))
    return _table_section(inputs, heading, finding, table, "price_position")


def buy_box(report, inputs: MarketInputs) -> Section:
    """Buy-box losses of our ASINs over the last ``lookback_days`` days."""
    heading, missing = _opening(inputs, "buy_box", "buy_box_losses")
    if missing is not None:
        return missing
    start, end = _window(inputs)
    prices = inputs.units[["asin", "date", "our_price"]].dropna() \
        if inputs.units is not None else None
    table = competitors.buy_box_losses(inputs.daily, inputs.our_asins, start, end, prices)
    # losses first, then the ASINs with a history (a product-viewer snapshot is one day)
    table = table.sort_values(["buy_box_loss_share", "days_observed", "asin"],
                              ascending=[False, False, True], kind="stable").reset_index(drop=True)
    lost = int((table["buy_box_loss_share"] > 0).sum())
    finding = fill("buy_box_losses_finding", inputs.language,
        lost=lost, asins=len(table), days=inputs.settings["lookback_days"])
    notes = [] if prices is not None and len(prices) else [
        label("buy_box_needs_orders", inputs.language)]
    return _table_section(inputs, heading, finding, table, "buy_box", notes=notes)


def sales_rank(report, inputs: MarketInputs) -> Section:
    """Our ASINs' sales rank on the report date against the ``bsr_rank`` rule."""
    heading, missing = _opening(inputs, "sales_rank", "sales_rank_rule")
    if missing is not None:
        return missing
    _, end = _window(inputs)
    table = competitors.sales_rank_position(inputs.daily, inputs.our_asins, end,
                                            inputs.rank_limit,
                                            7 * inputs.settings["review_trend_weeks"])
    finding = fill("sales_rank_rule_finding", inputs.language,
        within=int((table["within_rule"] == "inside_rule").sum()), asins=len(table),
        limit=f"{inputs.rank_limit:,.0f}",
        unknown=int((table["within_rule"] == "not_estimated").sum()))
    return _table_section(inputs, heading, finding, table, "sales_rank",
                          notes=[label("sales_rank_root_note", inputs.language)])


def reviews(report, inputs: MarketInputs) -> Section:
    """Rating and review-count trends of our ASINs and their new reviews per week."""
    heading, missing = _opening(inputs, "reviews", "review_trends")
    if missing is not None:
        return missing
    _, end = _window(inputs)
    weeks = inputs.settings["review_trend_weeks"]
    table = competitors.review_trends(inputs.daily, inputs.our_asins, end, weeks)
    table = table.sort_values(["rating_change", "asin"], kind="stable", na_position="last") \
        .reset_index(drop=True)  # ASINs with a history first (a snapshot has no change)
    fell = int((table["rating_change"] < 0).sum())
    per_week = table["new_reviews"].sum(min_count=1) / weeks  # ASINs with a history
    finding = fill("review_trends_finding", inputs.language,
        weeks=weeks, fell=fell, asins=len(table),
        per_week=format_value(per_week, "number", language=inputs.language))
    return _table_section(inputs, heading, finding, table, "reviews",
                          notes=[label("negative_reviews_not_measurable", inputs.language)])


def workbook_tables(report, inputs: MarketInputs) -> dict:
    """The tidy tables of every market section, by sheet name (sections with data only)."""
    tables = {}
    for function in (price_changes, likely_causes, price_position, buy_box, sales_rank, reviews):
        section = function(report, inputs)
        if section.table is not None and section.sheet:
            tables[section.sheet] = section.table
    return tables

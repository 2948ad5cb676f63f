"""The launch tracker report (presentation layer): every step the notebook runs, and its
sections (:class:`~opsanalysis.section.Section`).

``notebooks/launch_tracker.ipynb`` calls :func:`run_launch_tracker` once, then one function per
section: :func:`actions_section` (lagging launches first, the seeds' guidance as the action of
each verdict), :func:`summary_section`, :func:`launches_section` (each launch against its band),
:func:`verdicts_section`, :func:`fits_section` and :func:`reference_section`; the workbook gets
:func:`workbook_tables`. Whatever the folder holds (no orders, no Business Report by ASIN, one day of data, no launch)
the run completes: a section without its data is one sentence saying what it needs, and an
unknown figure reads "not estimated", never ``nan`` or 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from opsanalysis import listing_health
from opsanalysis.labels import fill, label
from opsanalysis.launch import tracker
from opsanalysis.launch.curves import _FIT_COLUMNS
from opsanalysis.launch.tracker import (
    LaunchTracking,
    detect_launches,
    track_launches,
    weekly_launch_curves,
)
from opsanalysis.overview_sections import needs_sentence
from opsanalysis.plotting.fonts import setup_chart_fonts
from opsanalysis.plotting.launch import plot_launch_band, plot_reference_launches
from opsanalysis.section import Section
from opsanalysis.section import actions_section as _actions_section

__all__ = ["VERDICT_PRIORITY", "LaunchReport", "actions_section", "actions_table", "best_fits",
           "fit_table", "fits_section", "launch_bands_figure", "launches_section",
           "reference_section", "reference_table", "run_launch_tracker", "summary_section",
           "verdict_table", "verdicts_section", "workbook_tables"]

#: Order of the launch actions: lagging launches first (the seeds' guidance matters most while
#: a launch still ramps below its peers), then those that need a look or stock.
VERDICT_PRIORITY = ("lagging", "stalled", "ahead", "watch", "no_reference", "too_early",
                    "on_track")
#: The tracker works on weekly curves: the next look at a launch is one week after the report.
NEXT_WEEK = pd.Timedelta(weeks=1)


@dataclass
class LaunchReport:
    """Result of :func:`run_launch_tracker`.

    Attributes
    ----------
    settings : dict
        params ``launch``.
    language : str
    launches, curves : pandas.DataFrame
        :func:`.tracker.detect_launches` and :func:`.tracker.weekly_launch_curves`.
    tracking : LaunchTracking
    fits : pandas.DataFrame
        :func:`best_fits` of the tracked launches.
    need : str
        Empty when launches were tracked; else the sentence saying what the report needs.
    data_missing : bool
        True when ``need`` names a missing download (the first section says it, the others
        only that they are not estimated); False when the data show no recent launch.
    warnings : list of str
        What the result leaves out (placeholder SKUs ...).
    as_of : pandas.Timestamp or None
        Report date.
    code : str
        Marketplace code.
    """

    settings: dict
    language: str
    launches: pd.DataFrame
    curves: pd.DataFrame
    tracking: LaunchTracking
    fits: pd.DataFrame
    need: str = ""
    warnings: list = field(default_factory=list)
    as_of: object = None
    code: str = ""
    data_missing: bool = False


def _need_after_actions(result: LaunchReport) -> str:
    """What a section after this week's actions says when nothing is tracked: a missing
    download is named once, by the actions; "no recent launch" is that section's finding."""
    if result.data_missing:
        return label("needs_download_named_above", result.language)
    return result.need


def _empty_tracking():
    return LaunchTracking(
        verdicts=pd.DataFrame(columns=tracker._VERDICT_COLUMNS),
        bands=pd.DataFrame(columns=tracker._BAND_COLUMNS),
        reference=pd.DataFrame(columns=tracker._REFERENCE_COLUMNS),
        ramp_demand=pd.DataFrame(columns=tracker._DEMAND_COLUMNS),
        curve_fits=pd.DataFrame(columns=[*_FIT_COLUMNS, "best"]))


def run_launch_tracker(report) -> LaunchReport:
    """Detect launches, build their weekly curves, judge them and fit their curves.

    Parameters
    ----------
    report : ReportContext
        From ``opsanalysis.batch.prepare`` (data, params, as_of, language); what the result
        leaves out is recorded with ``report.warn`` ("ok with warnings" in the batch).

    Returns
    -------
    LaunchReport
        Never raises for missing or short data: ``need`` then says what is missing.
    """
    settings, language, data = report.params["launch"], report.language, report.data
    business_report, orders = data.get("business_report_asin"), data.get("all_orders")
    launches = detect_launches(business_report, orders, data.get("product_master"),
                               as_of=report.as_of, quiet_weeks=settings["launch_quiet_weeks"],
                               summary=data.summary)
    warnings = list(launches.attrs.get("warnings", []))
    for message in warnings:
        report.warn(message)
    empty = _empty_tracking()
    weeks = {"quiet_weeks": settings["launch_quiet_weeks"],
             "tracker_weeks": settings["tracker_weeks"]}
    have_report = (report.as_of is not None and business_report is not None
                   and len(business_report) > 0)
    if not have_report or not launches["is_launch"].any():
        curves = weekly_launch_curves(launches.iloc[:0], None, max_weeks=0)
        # no launch where the reports could show one is a finding, not a missing download
        detectable = have_report and tracker.launch_detectable(
            tracker.covered_days(business_report, orders, data.summary), report.as_of, **weeks)
        need = (fill("no_recent_launches", language, **weeks) if detectable
                else needs_sentence("needs_launch_data", data.summary, language,
                                    quiet_weeks=weeks["quiet_weeks"]))
        return LaunchReport(settings, language, launches, curves, empty,
                            best_fits(empty.curve_fits, empty.verdicts), need, warnings,
                            report.as_of, report.marketplace.code,
                            data_missing=not detectable)
    curves = weekly_launch_curves(launches, business_report, data.get("sp_advertised_product"),
                                  as_of=report.as_of, max_weeks=settings["reference_weeks"])
    # title changes during a launch's build-up raise the "do not rewrite the listing" warning
    changes = listing_health.listing_changes(data.get("all_listings"), report.as_of)
    tracking = track_launches(launches, curves, report.as_of, settings, listing_changes=changes)
    need = "" if len(tracking.verdicts) else fill("no_recent_launches", language, **weeks)
    fits = best_fits(tracking.curve_fits, tracking.verdicts)
    return LaunchReport(settings, language, launches, curves, tracking, fits, need, warnings,
                        report.as_of, report.marketplace.code)


def best_fits(fits, verdicts):
    """One curve-fit row per tracked launch: the best identifiable fit, else why there is none.

    Parameters
    ----------
    fits : pandas.DataFrame
        ``LaunchTracking.curve_fits`` (:func:`.curves.fit_launch_curves`).
    verdicts : pandas.DataFrame
        ``LaunchTracking.verdicts`` (asin, sku), in the order the lines follow.

    Returns
    -------
    pandas.DataFrame
        Columns of :func:`.curves.fit_launch_curves` (without ``parameters`` and ``best``) plus
        sku; ``status`` "not_identifiable" (a curve fits but the data hold no plateau yet),
        "all_zero", "too_short" or "failed" with NaN figures where no model is identifiable.
    """
    columns = [c for c in fits.columns if c not in ("parameters", "best")]
    if fits.empty or verdicts.empty:
        return pd.DataFrame(columns=["unique_id", "sku", *columns[1:]])
    # Per launch: its best "ok" fit, else a "not identifiable" row, else the first model's row.
    order = fits["status"].map({"ok": 0, "not_identifiable": 1}).fillna(2)
    ranked = fits.assign(_order=order, _best=~fits["best"]).sort_values(
        ["unique_id", "_order", "_best"], kind="stable")
    chosen = ranked.drop_duplicates("unique_id")[columns].set_index("unique_id", drop=False)
    chosen = chosen.reindex([a for a in verdicts["asin"] if a in chosen.index])
    chosen.insert(1, "sku", chosen["unique_id"].map(verdicts.set_index("asin")["sku"]))
    return chosen.reset_index(drop=True)


def _decimal(value, digits, language) -> str:
    """A figure with ``digits`` decimals, or "not estimated" when unknown."""
    if value is None or pd.isna(value) or not np.isfinite(float(value)):
        return label("not_estimated", language)
    return f"{float(value):,.{digits}f}"


def _interval(low, high, digits, language) -> str:
    """"14.5 .. 16.7", or "not estimated" when either end is unknown."""
    if any(v is None or pd.isna(v) for v in (low, high)):
        return label("not_estimated", language)
    return f"{_decimal(low, digits, language)} .. {_decimal(high, digits, language)}"


# --- this week's actions ----------------------------------------------------------------------

def actions_table(verdicts: pd.DataFrame, as_of) -> pd.DataFrame:
    """One action per tracked launch from its verdict, lagging launches first.

    Parameters
    ----------
    verdicts : DataFrame
        ``LaunchTracking.verdicts`` (sku, verdict, reason, action: params ``launch.actions``,
        the seeds' guidance per verdict).
    as_of : datetime-like or None
        Report date; each launch is looked at again a week later (``review_by``).

    Returns
    -------
    DataFrame
        sku, verdict, action, reason (codes with labels), review_by (date), ordered by
        :data:`VERDICT_PRIORITY`, then launch date.
    """
    rank = {verdict: position for position, verdict in enumerate(VERDICT_PRIORITY)}
    ordered = verdicts.assign(_rank=verdicts["verdict"].map(rank).fillna(len(rank))).sort_values(
        ["_rank", "launch_date", "sku"], kind="stable")
    review = pd.Timestamp(as_of).normalize() + NEXT_WEEK if as_of is not None else pd.NaT
    table = ordered[["sku", "verdict", "action", "reason"]].reset_index(drop=True)
    return table.assign(review_by=pd.Series([review] * len(table), dtype="datetime64[ns]"))


def actions_section(result: LaunchReport) -> Section:
    """"This week's actions" of the launch tracker (:func:`actions_table`)."""
    table = actions_table(result.tracking.verdicts, result.as_of)
    section = _actions_section(table, result.language, top=10, sheet="actions")
    if result.need:
        section.finding = result.need
    return section


# --- summary and the launches' chart --------------------------------------------------------

def summary_section(result: LaunchReport, as_of_text: str) -> Section:
    """How many launches are tracked, by verdict, against how many past launches.

    Parameters
    ----------
    result : LaunchReport
    as_of_text : str
        ``ReportContext.as_of_text``.

    Returns
    -------
    Section
        Table verdict, launches (count); notes: what is missing and what was left out.
    """
    language, settings, verdicts = result.language, result.settings, result.tracking.verdicts
    if result.data_missing:  # no count of launches: the data cannot tell, it is not 0
        return Section(label("summary", language), _need_after_actions(result),
                       language=language, notes=list(result.warnings))
    finding = fill("launch_summary_finding", language,
        code=result.code, as_of=as_of_text, launches=f"{len(verdicts):,}",
        weeks=settings["tracker_weeks"], metric=label(settings["verdict_metric"], language),
        reference=f"{len(result.tracking.reference):,}")
    counts = verdicts["verdict"].value_counts()
    table = pd.DataFrame({"verdict": [v for v in VERDICT_PRIORITY if v in counts]})
    table["launches"] = [int(counts[v]) for v in table["verdict"]]
    notes = [result.need, *result.warnings]
    return Section(label("summary", language), finding, table if len(table) else None,
                   language=language, kinds={"launches": "count"}, notes=notes)


def launch_bands_figure(bands: pd.DataFrame, verdicts: pd.DataFrame, language="en",
                        metric=None) -> Figure | None:
    """One panel per tracked launch (:func:`opsanalysis.plotting.plot_launch_band`), titled with
    SKU and verdict in words.

    Parameters
    ----------
    bands : DataFrame
        ``LaunchTracking.bands``.
    verdicts : DataFrame
        ``LaunchTracking.verdicts`` (asin, sku, verdict).
    language : {"en", "zh"}
    metric : str, optional
        Canonical name of the plotted metric.

    Returns
    -------
    matplotlib.figure.Figure or None
        None when there is no tracked launch (nothing to draw).
    """
    if verdicts.empty:
        return None
    setup_chart_fonts()
    figure = Figure(figsize=(8, 3.2 * len(verdicts)), layout="constrained")
    axes = figure.subplots(len(verdicts), 1, squeeze=False)
    for ax, row in zip(axes[:, 0], verdicts.itertuples(index=False), strict=True):
        plot_launch_band(bands, row.asin, ax=ax, language=language, metric=metric,
                         title=f"{row.sku} · {label(row.verdict, language)}")
    return figure


def launches_section(result: LaunchReport) -> Section:
    """Each launch of the last ``tracker_weeks`` weeks against the band of past launches."""
    language, settings = result.language, result.settings
    heading = fill("launches_heading", language, weeks=settings["tracker_weeks"])
    if result.need:
        return Section(heading, _need_after_actions(result), language=language)
    metric = settings["verdict_metric"]
    finding = fill("launches_finding", language, metric=label(metric, language))
    figure = launch_bands_figure(result.tracking.bands, result.tracking.verdicts, language, metric)
    return Section(heading, finding, language=language, figure=figure)


# --- verdicts, fits, reference --------------------------------------------------------------

def verdict_table(verdicts: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """The verdict table shown to people: level against the band, steady state, action.

    Parameters
    ----------
    verdicts : DataFrame
        ``LaunchTracking.verdicts``.
    language : {"en", "zh"}

    Returns
    -------
    DataFrame
        sku, launch_date, weeks_observed, latest_value, verdict, level_vs_band
        ("9.7 vs 15.2 .. 27.2": the trailing mean the verdict compares, against the trailing
        q10 .. q90 of past launches; "(all categories)" after the band of a launch whose
        category has too few past launches for a verdict, whose band is the marketplace's),
        weeks_to_steady_state, steady_state_source, weeks_left_to_steady_state, ramp_units,
        action.
    """
    marketplace_band = label("band_all_categories", language)
    level = [f"{_decimal(row.latest_level, 1, language)} vs "
             f"{_interval(row.band_low, row.band_high, 1, language)}"
             + (marketplace_band if row.verdict == "no_reference" else "")
             if pd.notna(row.band_low) else label("not_estimated", language)
             for row in verdicts.itertuples(index=False)]
    table = verdicts[["sku", "launch_date", "weeks_observed", "latest_value", "verdict"]].copy()
    table["level_vs_band"] = level
    columns = ["weeks_to_steady_state", "steady_state_source", "weeks_left_to_steady_state",
               "ramp_units", "action"]
    return pd.concat([table, verdicts[columns]], axis=1).reset_index(drop=True)


_VERDICT_KINDS = {"weeks_observed": "count", "latest_value": "count",
                  "weeks_to_steady_state": "count", "weeks_left_to_steady_state": "count",
                  "ramp_units": "count"}


def verdicts_section(result: LaunchReport) -> Section:
    """Verdict per launch: latest level against the band, weeks to steady state, action."""
    language = result.language
    heading = label("launch_verdicts", language)
    if result.need:
        return Section(heading, _need_after_actions(result), language=language)
    finding = fill("verdicts_finding", language,
        weeks=result.settings["smoothing_weeks"])
    return Section(heading, finding, verdict_table(result.tracking.verdicts, language),
                   language=language, kinds=_VERDICT_KINDS, sheet="launch_verdicts")


def fit_table(fits: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """The best curve fit per launch as report text, or why no curve is identifiable yet.

    Parameters
    ----------
    fits : DataFrame
        :func:`best_fits`.
    language : {"en", "zh"}

    Returns
    -------
    DataFrame
        sku, curve_model (the model, or the status code "not_identifiable" ... where no model
        is identifiable), plateau_level, plateau_interval, weeks_to_steady_state,
        weeks_interval (80 % intervals; "—" where no model is identifiable, never a raw
        interval).
    """
    rows = []
    for row in fits.itertuples(index=False):
        if row.status != "ok":
            rows.append((row.sku, row.status, "—", "—", "—", "—"))
            continue
        rows.append((row.sku, row.curve_model, _decimal(row.plateau, 1, language),
                     _interval(row.plateau_low, row.plateau_high, 1, language),
                     _decimal(row.weeks_to_steady_state, 0, language),
                     _interval(row.weeks_to_steady_state_low, row.weeks_to_steady_state_high, 0,
                               language)))
    return pd.DataFrame(rows, columns=["sku", "curve_model", "plateau_level", "plateau_interval",
                                       "weeks_to_steady_state", "weeks_interval"])


def fits_section(result: LaunchReport) -> Section:
    """Ramp curves fitted to each launch's own weeks: the best identifiable one per launch."""
    language = result.language
    heading = label("fits_heading", language)
    if result.need:
        return Section(heading, _need_after_actions(result), language=language)
    if result.fits.empty:
        return Section(heading, label("no_curves_to_fit", language), language=language)
    return Section(heading, label("fits_finding", language), fit_table(result.fits, language),
                   language=language, sheet="launch_curve_fits")


def reference_table(reference: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """Past launches forming the reference: SKU, category, launch date, plateau, weeks to steady
    state (plateau as text with one decimal, "not estimated" when unknown)."""
    table = reference[["sku", "category", "launch_date"]].copy()
    table["plateau_level"] = [_decimal(v, 1, language) for v in reference["plateau_level"]]
    table["weeks_to_steady_state"] = reference["weeks_to_steady_state"]
    return table.reset_index(drop=True)


def reference_section(result: LaunchReport) -> Section:
    """The past launches forming the reference, as a table and as curves (share of plateau)."""
    language, reference = result.language, result.tracking.reference
    heading = label("reference_launches_title", language)
    if reference.empty:
        return Section(heading, _need_after_actions(result)
                       or label("no_reference_launches", language), language=language)
    setup_chart_fonts()
    figure = Figure(figsize=(8, 4), layout="constrained")
    plot_reference_launches(result.curves, reference, result.settings["verdict_metric"],
                            ax=figure.subplots(), language=language)
    finding = fill("reference_finding", language, count=f"{len(reference):,}")
    return Section(heading, finding, reference_table(reference, language), language=language,
                   kinds={"weeks_to_steady_state": "count"}, sheet="launch_reference",
                   figure=figure)


def workbook_tables(result: LaunchReport) -> dict:
    """The tables of the launch tracker's workbook, actions first (sheet name -> tidy table)."""
    tracking = result.tracking
    return {"actions": actions_table(tracking.verdicts, result.as_of),
            "launch_verdicts": tracking.verdicts, "launch_bands": tracking.bands,
            "launch_reference": tracking.reference, "ramp_demand": tracking.ramp_demand,
            "launch_curves": result.curves, "launch_curve_fits": result.fits,
            "launches": result.launches}

"""The launch tracker report (presentation layer): every step the notebook runs, and its
sections as text and tables.

``notebooks/launch_tracker.ipynb`` calls :func:`run_launch_tracker` once and prints the lines of
:func:`summary_lines`, :func:`verdict_lines`, :func:`fit_lines` and :func:`reference_lines`.
Whatever the folder holds (no orders, no Business Report by ASIN, one day of data, no launch)
the run completes: a section without its data is one sentence saying what it needs, and an
unknown figure reads "not estimated", never ``nan`` or 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from opsanalysis.labels import label
from opsanalysis.launch import tracker
from opsanalysis.launch.curves import _FIT_COLUMNS
from opsanalysis.launch.tracker import (
    LaunchTracking,
    detect_launches,
    track_launches,
    weekly_launch_curves,
)
from opsanalysis.plotting.launch import plot_launch_band

__all__ = ["LaunchReport", "best_fits", "fit_lines", "plot_launch_bands", "reference_lines",
           "run_launch_tracker",
           "summary_lines", "verdict_lines", "verdict_table"]


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
    warnings : list of str
        What the result leaves out (placeholder SKUs ...).
    """

    settings: dict
    language: str
    launches: pd.DataFrame
    curves: pd.DataFrame
    tracking: LaunchTracking
    fits: pd.DataFrame
    need: str = ""
    warnings: list = field(default_factory=list)


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
    from opsanalysis.overview_sections import needs_sentence

    settings, language, data = report.params["launch"], report.language, report.data
    business_report, orders = data.get("business_report_asin"), data.get("all_orders")
    launches = detect_launches(business_report, orders, data.get("product_master"),
                               as_of=report.as_of, quiet_weeks=settings["launch_quiet_weeks"],
                               summary=data.summary)
    warnings = list(launches.attrs.get("warnings", []))
    for message in warnings:
        report.warn(message)
    empty = _empty_tracking()
    if (report.as_of is None or business_report is None or len(business_report) == 0
            or not launches["is_launch"].any()):
        curves = weekly_launch_curves(launches.iloc[:0], None, max_weeks=0)
        need = needs_sentence("needs_launch_data", data.summary, language)
        return LaunchReport(settings, language, launches, curves, empty,
                            best_fits(empty.curve_fits, empty.verdicts), need, warnings)
    curves = weekly_launch_curves(launches, business_report, data.get("sp_advertised_product"),
                                  as_of=report.as_of, max_weeks=settings["reference_weeks"])
    tracking = track_launches(launches, curves, report.as_of, settings)
    need = "" if len(tracking.verdicts) else label("no_recent_launches", language)
    fits = best_fits(tracking.curve_fits, tracking.verdicts)
    return LaunchReport(settings, language, launches, curves, tracking, fits, need, warnings)


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


def _number(value, spec, language):
    """A figure in ``spec`` format, or "not estimated" when unknown."""
    if value is None or pd.isna(value) or not np.isfinite(float(value)):
        return label("not_estimated", language)
    return format(float(value), spec)


def _date(value):
    return f"{pd.Timestamp(value):%Y-%m-%d}" if pd.notna(value) else "-"


def summary_lines(result: LaunchReport, report) -> list:
    """Check lines of the report's head: marketplace, as-of, tracked and reference counts."""
    language, settings = result.language, result.settings
    lines = [f"{label('marketplace', language)}: {report.marketplace.code}, "
             f"{label('as_of', language)}: {report.as_of_text}",
             f"{label('weeks_since_launch', language)} <= {settings['tracker_weeks']}: "
             f"{len(result.tracking.verdicts)}; {label('reference_launches', language)}: "
             f"{len(result.tracking.reference)}",
             f"{label('metric', language)}: {label(settings['verdict_metric'], language)}"]
    return lines + ([result.need] if result.need else []) + result.warnings


def verdict_lines(result: LaunchReport) -> list:
    """One line per tracked launch: the compared level and band, verdict, reason and action."""
    language = result.language
    if result.need:
        return [result.need]
    lines = []
    for row in result.tracking.verdicts.itertuples(index=False):
        lines.append(
            f"{row.sku:<14} {_date(row.launch_date)} {label('weeks_observed', language)} "
            f"{row.weeks_observed:>2}  {label(row.verdict, language)}: "
            f"{label('latest_level', language)} {_number(row.latest_level, '.1f', language)} "
            f"[{_number(row.band_low, '.1f', language)} .. "
            f"{_number(row.band_high, '.1f', language)}]  "
            f"{label('weeks_to_steady_state', language)} "
            f"{_number(row.weeks_to_steady_state, '.0f', language)} "
            f"({label(row.steady_state_source, language)}), "
            f"{label('weeks_left_to_steady_state', language)} "
            f"{_number(row.weeks_left_to_steady_state, '.0f', language)}, "
            f"{label('ramp_units', language)} {_number(row.ramp_units, '.0f', language)}\n"
            f"    {label('reason', language)}: {label(row.reason, language)}. "
            f"{label('action', language)}: {label(row.action, language)}.")
    return lines


def fit_lines(result: LaunchReport) -> list:
    """One line per tracked launch: its best identifiable curve, or why none is."""
    language = result.language
    if result.need:
        return [result.need]
    if result.fits.empty:
        return [label("no_curves_to_fit", language)]
    lines = []
    for row in result.fits.itertuples(index=False):
        if row.status != "ok":
            lines.append(f"{row.sku:<14} {label(row.status, language)}")
            continue
        lines.append(
            f"{row.sku:<14} {row.curve_model:<10} {label('plateau_level', language)} "
            f"{row.plateau:.1f} [{row.plateau_low:.1f} .. {row.plateau_high:.1f}]  "
            f"{label('weeks_to_steady_state', language)} {row.weeks_to_steady_state:.0f} "
            f"[{row.weeks_to_steady_state_low:.0f} .. {row.weeks_to_steady_state_high:.0f}]")
    return lines


def reference_lines(result: LaunchReport) -> list:
    """One line per past launch forming the reference: plateau and weeks to steady state."""
    language = result.language
    reference = result.tracking.reference
    if reference.empty:
        return [result.need or label("no_reference_launches", language)]
    return [f"{row.sku:<14} {str(row.category):<14} {_date(row.launch_date)} "
            f"{label('plateau_level', language)} {_number(row.plateau_level, '.1f', language)}  "
            f"{label('weeks_to_steady_state', language)} "
            f"{_number(row.weeks_to_steady_state, '.0f', language)}"
            for row in reference.itertuples(index=False)]


def verdict_table(result: LaunchReport) -> pd.DataFrame:
    """The verdict table shown to people: codes as words (verdict, reason, action, source)."""
    table = result.tracking.verdicts.copy()
    for column in ("verdict", "reason", "action", "steady_state_source"):
        table[column] = [label(value, result.language) if isinstance(value, str) else value
                         for value in table[column]]
    return table


def plot_launch_bands(bands: pd.DataFrame, verdicts: pd.DataFrame, language="en", metric=None):
    """One panel per tracked launch (:func:`opsanalysis.plotting.plot_launch_band`), titled with
    SKU and verdict.

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
    matplotlib Figure or None
        None when there is no tracked launch (nothing to draw).
    """
    if verdicts.empty:
        return None
    fig, axes = plt.subplots(len(verdicts), 1, figsize=(8, 3.2 * len(verdicts)), squeeze=False)
    for ax, row in zip(axes[:, 0], verdicts.itertuples(index=False), strict=True):
        plot_launch_band(bands, row.asin, ax=ax, language=language, metric=metric,
                         title=f"{row.sku} · {label(row.verdict, language)}")
    fig.tight_layout()
    return fig


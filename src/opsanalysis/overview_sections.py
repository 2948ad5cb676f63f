"""The marketplace overview's sections in words: each prints its result or what it needs.

``notebooks/marketplace_overview.ipynb`` prints these lines under its headings. A section whose
report is missing gives one sentence naming what it needs and what the folder holds ("needs an
All Orders report or a Business Report by date; found: sp_search_term 2020-01-13 .. 2020-01-28");
a missing figure prints as "-", never ``nan``, ``None``, ``NaT`` or 0. The figures come from
:mod:`opsanalysis.overview`; this module only words them (presentation layer, bilingual through
:mod:`opsanalysis.labels`).
"""

import pandas as pd

from opsanalysis import overview
from opsanalysis.labels import label

__all__ = ["found_text", "gap_lines", "headline_lines", "needs_sentence", "report_lines",
           "unread_lines"]


def found_text(summary: pd.DataFrame, language: str = "en") -> str:
    """What a folder holds, in one phrase: "found: sp_search_term 2020-01-13..2020-01-28, ...".

    Parameters
    ----------
    summary : DataFrame
        ``MarketplaceData.summary``.
    language : {"en", "zh"}

    Returns
    -------
    str
        Each kind read with its period (or "snapshot" without one); "no readable report".
    """
    read = summary[summary["status"] == "ok"] if not summary.empty else summary
    found = overview.reports_found(read) if not read.empty else read
    if found.empty:
        return f"{label('found', language)}: {label('nothing_read', language)}"
    parts = [f"{row.kind} {_period_text(row.period_start, row.period_end)}"
             if pd.notna(row.period_start) else f"{row.kind} ({label('snapshot', language)})"
             for row in found.itertuples()]
    return f"{label('found', language)}: {', '.join(parts)}"


def needs_sentence(need: str, summary: pd.DataFrame, language: str = "en") -> str:
    """The sentence of a section that lacks its data: what it needs and what was found.

    Parameters
    ----------
    need : str
        Label key of the need ("needs_sales_series", "needs_daily_data" ...).
    summary : DataFrame
        ``MarketplaceData.summary``.
    language : {"en", "zh"}

    Returns
    -------
    str
        "needs an All Orders report or a Business Report by date; found: ...".
    """
    return f"{label(need, language)}; {found_text(summary, language)}"


def report_lines(found: pd.DataFrame, language: str = "en") -> list:
    """One printed line per report kind: kind, files, rows, period ("-" where there is none)."""
    lines = []
    for row in found.itertuples():
        period = (f"{row.period_start:%Y-%m-%d} .. {row.period_end:%Y-%m-%d}"
                  if pd.notna(row.period_start) else "-")
        rows = row.rows if pd.notna(row.rows) else "-"
        lines.append(f"{row.kind:<28} {row.files:>4} {rows:>9} {period}")
    return lines


def gap_lines(gaps: pd.DataFrame, frames: dict, summary: pd.DataFrame, language: str = "en",
              limit: int = 20) -> list:
    """The gap section: its count and the first ``limit`` gaps, or what it needs.

    Parameters
    ----------
    gaps : DataFrame
        :func:`opsanalysis.overview.coverage_gaps`.
    frames : dict of str to DataFrame
        ``MarketplaceData.frames`` (whether there is a daily series at all).
    summary : DataFrame
        ``MarketplaceData.summary`` (for the sentence when there is no daily report).
    language : {"en", "zh"}
    limit : int
        Gaps listed at most.

    Returns
    -------
    list of str
    """
    if gaps.empty and not overview.has_daily_series(frames):
        return [needs_sentence("needs_daily_data", summary, language)]
    lines = [f"{label('coverage_gaps', language)}: {len(gaps)}"]
    lines += [f"{row.kind:<28} {_period_text(row.gap_start, row.gap_end)} "
              f"{row.missing_days:>4} {label('days', language)}"
              for row in gaps.head(limit).itertuples()]
    return lines


def unread_lines(unread: pd.DataFrame, language: str = "en") -> list:
    """Files not read, one line each with the reason (``MarketplaceData.unreadable_files``)."""
    if unread.empty:
        return [label("no_files_not_read", language)]
    return [f"{label('files_not_read', language)}: {len(unread)}",
            *(f"- {row.file}: {row.reason}" for row in unread.itertuples())]


def headline_lines(headline: pd.DataFrame, summary: pd.DataFrame, currency: str,
                   window_days: int, language: str = "en") -> list:
    """The headline section: one line per figure with its change, or what it needs.

    Parameters
    ----------
    headline : DataFrame
        :func:`opsanalysis.overview.headline_figures` with a ``metric_label`` column.
    summary : DataFrame
        ``MarketplaceData.summary``.
    currency : str
        ISO code of the marketplace currency.
    window_days : int
        Length of the window [days].
    language : {"en", "zh"}

    Returns
    -------
    list of str
        Missing values as "-", never "nan" or 0.
    """
    if headline.empty:
        return [needs_sentence("needs_headline_reports", summary, language)]
    lines = [label("last_days", language).format(days=window_days)]
    for row in headline.itertuples():
        value = overview.format_value(row.value, row.unit, currency)
        change = f"{row.change:+.1%}" if pd.notna(row.change) else ""
        lines.append(f"{row.metric_label:<40} {value:>18} {change:>8}")
    return lines


def _period_text(start, end) -> str:
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    return f"{start:%Y-%m-%d}" if start == end else f"{start:%Y-%m-%d} .. {end:%Y-%m-%d}"

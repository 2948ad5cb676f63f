"""The marketplace overview's sections: each returns a :class:`~opsanalysis.section.Section`.

``notebooks/marketplace_overview.ipynb`` calls :func:`prepare_overview` once, then one function
per section: :func:`actions_section` (files to fix, days to download, reports that unlock a
section), :func:`reports_found_section`, :func:`files_not_read_section`, :func:`gaps_section`,
:func:`warnings_section`, :func:`headline_section`, :func:`daily_sales_section`,
:func:`ipi_section` (our IPI drivers, apart from the user's IPI score), and
:func:`tables_section` after writing :func:`workbook_tables`. A section whose report is missing
says in one sentence what it needs and what the folder holds ("needs an All Orders report or a
Business Report by date; found: sp_search_term 2020-01-13 .. 2020-01-28"); a missing figure
never reads ``nan``, ``None``, ``NaT`` or 0. The figures come from :mod:`opsanalysis.overview`;
this module only presents them (bilingual through :mod:`opsanalysis.labels`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from opsanalysis import ipi, overview
from opsanalysis.formats import money_text, percent_text
from opsanalysis.labels import fill, has_label, label
from opsanalysis.plotting import plot_daily_sales, plot_report_periods
from opsanalysis.plotting.fonts import setup_chart_fonts
from opsanalysis.section import Section
from opsanalysis.section import actions_section as _actions_section

__all__ = ["OVERVIEW_SOURCES", "Overview", "actions_section", "actions_table",
           "daily_sales_section", "files_not_read_section", "found_text", "gaps_section",
           "headline_section", "headline_table", "ipi_section", "needs_sentence", "prepare_overview",
           "reports_found_section", "tables_section", "warning_table", "warnings_section",
           "workbook_tables"]

#: Parts of the overview and the report kinds that feed them (any one is enough, the first
#: is the one to download): a part whose kinds are all missing gives a "download" action.
OVERVIEW_SOURCES = (
    ("headline_sales_part", ("all_orders", "business_report_date")),
    ("headline_advertising_part", ("sp_campaign", "sp_advertised_product",
                                   "sp_performance_over_time")),
    ("headline_inventory_part", ("fba_inventory",)),
)
#: "This week's" actions are due within the week that starts on the report date.
ACTION_WEEK = pd.Timedelta(days=7)
#: Rows of a long table shown in the report (the workbook holds every row).
TOP_ROWS = 10


@dataclass
class Overview:
    """What the overview's sections show, from :func:`prepare_overview`.

    Attributes
    ----------
    code, domain, currency : str
        Marketplace code, Amazon domain and ISO 4217 currency.
    as_of : pandas.Timestamp or None
        Report date (None when no report carries a date).
    as_of_text : str
        The report date as text, or why there is none.
    language : {"en", "zh"}
    window_days : int
        Headline window [days].
    frames : dict of str to DataFrame
        ``MarketplaceData.frames``.
    summary, found, unread, gaps, daily, sales, headline, warnings : DataFrame
        ``MarketplaceData.summary``, :func:`.overview.reports_found`, unreadable files,
        :func:`.overview.coverage_gaps`, :func:`.overview.daily_sales`,
        :func:`.overview.sales_series`, :func:`.overview.headline_figures` (with
        ``metric_label``) and :func:`warning_table`.
    """

    code: str
    domain: str
    currency: str
    as_of: object
    as_of_text: str
    language: str
    window_days: int
    frames: dict
    summary: pd.DataFrame
    found: pd.DataFrame
    unread: pd.DataFrame
    gaps: pd.DataFrame
    daily: pd.DataFrame
    sales: pd.DataFrame
    headline: pd.DataFrame
    warnings: pd.DataFrame


def prepare_overview(report, window_days: int) -> Overview:
    """Every figure of the overview from a report context.

    Parameters
    ----------
    report : ReportContext
        From ``opsanalysis.batch.prepare``.
    window_days : int
        Length of the headline window [days].

    Returns
    -------
    Overview
    """
    data, language = report.data, report.language
    unread = data.unreadable_files()
    headline = overview.headline_figures(data.frames, report.as_of, window_days=window_days)
    headline.insert(1, "metric_label", [label(key, language) for key in headline["metric"]])
    marketplace = report.marketplace
    return Overview(
        code=marketplace.code, domain=marketplace.domain, currency=marketplace.currency,
        as_of=report.as_of, as_of_text=report.as_of_text, language=language,
        window_days=window_days, frames=data.frames, summary=data.summary,
        found=overview.reports_found(data.summary, unread_files=unread["file"]), unread=unread,
        gaps=overview.coverage_gaps(data.frames, end=report.as_of),
        daily=overview.daily_sales(data.frames), sales=overview.sales_series(data.frames),
        headline=headline, warnings=warning_table(data.warnings))


# --- sentences shared with the other reports -------------------------------------------------

def found_text(summary: pd.DataFrame, language: str = "en") -> str:
    """What a folder holds, in one phrase: "found: sp_search_term 2020-01-13 .. 2020-01-28, ...".

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
    return f"{label('found', language)}: {found_list(summary, language)}"


def found_list(summary: pd.DataFrame, language: str = "en") -> str:
    """The kinds a folder holds with their periods: "sp_search_term 2020-01-13 .. 2020-01-28,
    restock (snapshot)" (:func:`found_text` without its "found:").

    Parameters
    ----------
    summary : DataFrame
        ``MarketplaceData.summary``.
    language : {"en", "zh"}

    Returns
    -------
    str
        "no readable report" (in ``language``) when nothing was read.
    """
    read = summary[summary["status"] == "ok"] if not summary.empty else summary
    found = overview.reports_found(read) if not read.empty else read
    if found.empty:
        return label("nothing_read", language)
    return ", ".join(f"{row.kind} {_period_text(row.period_start, row.period_end)}"
                     if pd.notna(row.period_start)
                     else f"{row.kind} ({label('snapshot', language)})"
                     for row in found.itertuples())


def needs_sentence(need: str, summary: pd.DataFrame, language: str = "en", /,
                   **values) -> str:
    """The sentence of a section that lacks its data: what it needs and what was found.

    Parameters
    ----------
    need : str
        Label key of the need ("needs_sales_series", "needs_daily_data" ...).
    summary : DataFrame
        ``MarketplaceData.summary``.
    language : {"en", "zh"}
    **values
        Placeholders of the need's label (:func:`opsanalysis.labels.fill`), e.g. a number of
        weeks that params hold.

    Returns
    -------
    str
        "needs an All Orders report or a Business Report by date; found: ...".
    """
    text = fill(need, language, **values) if values else label(need, language)
    return f"{text}; {found_text(summary, language)}"


def _period_text(start, end) -> str:
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    return f"{start:%Y-%m-%d}" if start == end else f"{start:%Y-%m-%d} .. {end:%Y-%m-%d}"


def _words(code: str, language: str) -> str:
    """A code in words where it has a label, else as it is (a file or report name)."""
    return label(code, language) if has_label(code) else str(code)


# --- this week's actions ----------------------------------------------------------------------

def actions_table(unread: pd.DataFrame, gaps: pd.DataFrame, frames: dict, as_of,
                  language: str = "en") -> pd.DataFrame:
    """The overview's actions, most urgent first: files to fix, days to fill, reports to get.

    Parameters
    ----------
    unread : DataFrame
        file, reason (``MarketplaceData.unreadable_files``).
    gaps : DataFrame
        kind, gap_start, gap_end, missing_days (:func:`.overview.coverage_gaps`).
    frames : dict of str to DataFrame
        ``MarketplaceData.frames`` (which kinds were read, for :data:`OVERVIEW_SOURCES`).
    as_of : datetime-like or None
        Report date; actions are due by it plus :data:`ACTION_WEEK`.
    language : {"en", "zh"}

    Returns
    -------
    DataFrame
        action (label code), object (file or report), reason (words), due_by (date, NaT
        without a report date).
    """
    rows = [("fix_unreadable_file", row.file, row.reason) for row in unread.itertuples()]
    rows += [("download_missing_days", row.kind, fill("gap_reason", language,
        days=f"{int(row.missing_days):,}", period=_period_text(row.gap_start, row.gap_end)))
        for row in gaps.itertuples()]
    rows += [("download_report", kinds[0], fill("unlocks", language,
        part=label(part, language))) for part, kinds in _missing_sources(frames)]
    due = pd.Timestamp(as_of).normalize() + ACTION_WEEK if as_of is not None else pd.NaT
    table = pd.DataFrame(rows, columns=["action", "object", "reason"])
    return table.assign(due_by=pd.Series([due] * len(table), dtype="datetime64[ns]"))


def _missing_sources(frames: dict) -> list:
    """(part, kinds) of :data:`OVERVIEW_SOURCES` none of whose kinds holds rows."""
    present = {kind for kind, frame in frames.items() if frame is not None and len(frame)}
    return [(part, kinds) for part, kinds in OVERVIEW_SOURCES if not present & set(kinds)]


def actions_section(view: Overview) -> Section:
    """"This week's actions" of the overview (:func:`actions_table`), first in the report."""
    table = actions_table(view.unread, view.gaps, view.frames, view.as_of, view.language)
    return _actions_section(table, view.language, view.currency, top=TOP_ROWS, sheet="actions")


# --- reports found, files not read, gaps, warnings --------------------------------------------

def reports_found_section(view: Overview) -> Section:
    """Reports found per kind (files, rows, period, problems) and the chart of their periods."""
    language, found = view.language, view.found
    finding = fill("reports_found_finding", language,
        files=f"{len(view.summary):,}", kinds=f"{len(found):,}", code=view.code,
        domain=view.domain, currency=view.currency, as_of=view.as_of_text,
        problems=f"{int(found['files_with_problems'].sum()):,}" if len(found) else "0")
    dated = found["period_start"].notna().any() if len(found) else False
    notes = [] if dated else [needs_sentence("needs_dated_reports", view.summary, language)]
    figure = _periods_figure(found, language) if dated else None
    # files without a kind are grouped under their reader status: say so in words
    shown = found.assign(kind=found["kind"].replace(_STATUS_KINDS))
    return Section(label("reports_found", language), finding, shown, language=language,
                   kinds={"files": "count", "files_with_problems": "count"},
                   sheet="reports_found", figure=figure, notes=notes)


_STATUS_KINDS = {"error": "file_status_error", "skipped": "file_status_skipped"}


def _periods_figure(found: pd.DataFrame, language: str) -> Figure:
    setup_chart_fonts()
    dated = int(found["period_start"].notna().sum())
    figure = Figure(figsize=(9, 0.35 * max(dated, 3) + 1.2), layout="constrained")
    plot_report_periods(found, ax=figure.subplots(), language=language)
    return figure


def _listing_section(view: Overview, table, name: str, none_key: str) -> Section:
    """A list of findings (one per row): counted in the sentence, first rows shown, the rest
    in the workbook sheet ``name``; ``none_key``'s sentence when the list is empty."""
    language = view.language
    if table.empty:
        return Section(label(name, language), label(none_key, language), language=language)
    finding = fill(f"{name}_finding", language, count=f"{len(table):,}")
    return Section(label(name, language), finding, table, language=language, top=TOP_ROWS,
                   sheet=name)


def files_not_read_section(view: Overview) -> Section:
    """Files the readers could not read, each with the reason."""
    return _listing_section(view, view.unread, "files_not_read", "no_files_not_read")


def gaps_section(view: Overview) -> Section:
    """Runs of days missing from the daily reports, up to the report date.

    Weekly or monthly series are not daily data: they are named in a note, never counted as
    gaps of 6 or 30 days.
    """
    language, gaps = view.language, view.gaps
    heading = label("coverage_gaps", language)
    if gaps.empty and not overview.has_daily_series(view.frames):
        return Section(heading, needs_sentence("needs_daily_data", view.summary, language),
                       language=language)
    if gaps.empty:
        finding = fill("no_gaps_finding", language, as_of=view.as_of_text)
    else:
        finding = fill("gaps_finding", language,
            gaps=f"{len(gaps):,}", days=f"{int(gaps['missing_days'].sum()):,}",
            kinds=", ".join(_words(kind, language) for kind in gaps["kind"].unique()))
    coarse = _coarse_kinds(view.frames)
    notes = [fill("not_daily_note", language,
        kinds=", ".join(_words(kind, language) for kind in coarse))] if coarse else []
    return Section(heading, finding, None if gaps.empty else gaps, language=language,
                   kinds={"missing_days": "count"}, top=TOP_ROWS * 2, sheet="coverage_gaps", notes=notes)


def _coarse_kinds(frames: dict) -> list:
    """Kinds with dates that are no daily series (weekly or monthly rows only)."""
    return [kind for kind, frame in sorted(frames.items())
            if frame is not None and "date" in frame and frame["date"].notna().any()
            and not overview.has_daily_series({kind: frame})]


def warning_table(warnings: list) -> pd.DataFrame:
    """Reader warnings as a table: the report kind they name (when they start with one) and text.

    Parameters
    ----------
    warnings : list of str
        ``MarketplaceData.warnings`` ("business_report_asin: 38 duplicate ... dropped").

    Returns
    -------
    DataFrame
        kind ("" when the warning names none), warning.
    """
    rows = []
    for text in warnings:
        head, _, rest = str(text).partition(": ")
        named = rest and " " not in head
        rows.append((head if named else "", rest if named else str(text)))
    return pd.DataFrame(rows, columns=["kind", "warning"])


def warnings_section(view: Overview) -> Section:
    """Warnings of the readers (rows dropped, values coerced): the first few, the rest counted."""
    return _listing_section(view, view.warnings, "reader_warnings", "no_reader_warnings")


# --- headline figures and daily sales -------------------------------------------------------

def headline_table(headline: pd.DataFrame, currency: str, as_of, window_days: int,
                   snapshot=None, language: str = "en") -> pd.DataFrame:
    """Headline figures as report text: metric, value with its unit, change, window.

    Parameters
    ----------
    headline : DataFrame
        :func:`.overview.headline_figures`.
    currency : str
        ISO 4217 code of money values.
    as_of : datetime-like or None
        Last day of the window.
    window_days : int
        Window length [days].
    snapshot : datetime-like, optional
        Date of the inventory snapshot the stock figures come from.
    language : {"en", "zh"}

    Returns
    -------
    DataFrame
        metric (label code), value ("67,514.12 USD", "2,568 units", "11.0%"), change
        ("+14.8%", "—" without a previous window), figure_window ("2026-10-02 .. 2026-10-31",
        "snapshot 2026-10-31").
    """
    flows = "—" if as_of is None else _period_text(
        pd.Timestamp(as_of).normalize() - pd.Timedelta(days=window_days - 1), as_of)
    stock = label("snapshot", language) + (
        f" {pd.Timestamp(snapshot):%Y-%m-%d}" if snapshot is not None and pd.notna(snapshot) else "")
    return pd.DataFrame({
        "metric": headline["metric"].astype(str).to_numpy(),
        "value": [_headline_value(row.value, row.unit, currency, language)
                  for row in headline.itertuples()],
        "change": [f"{'+' if c >= 0 else ''}{percent_text(c)}" if pd.notna(c) else "—"
                   for c in headline["change"]],
        "figure_window": [stock if metric in _STOCK_METRICS else flows
                          for metric in headline["metric"]],
    })


#: Headline metrics read from the latest inventory snapshot (no window, no change).
_STOCK_METRICS = ("afn_fulfillable_quantity", "afn_inbound_shipped_quantity",
                  "afn_reserved_quantity", "afn_unsellable_quantity", "skus_in_stock")


def _headline_value(value, unit, currency, language) -> str:
    if pd.isna(value):
        return label("not_estimated", language)
    if unit == "currency":
        return money_text(value, currency, language)
    if unit == "fraction":
        return percent_text(value)
    count = f"{value:,.0f}"
    return fill("units_unit", language, count=count) if unit == "units" else count


def headline_section(view: Overview) -> Section:
    """Headline sales, traffic, advertising and stock figures of the last ``window_days``."""
    language = view.language
    heading = label("headline_figures", language)
    if view.headline.empty:
        return Section(heading, needs_sentence("needs_headline_reports", view.summary, language),
                       language=language)
    table = headline_table(view.headline, view.currency, view.as_of, view.window_days,
                           _snapshot_date(view.frames), language)
    finding = fill("headline_finding", language, days=view.window_days)
    return Section(heading, finding, table, language=language, currency=view.currency,
                   sheet="headline_figures")


def _snapshot_date(frames: dict):
    inventory = frames.get("fba_inventory")
    if inventory is None or "snapshot_date" not in inventory:
        return None
    return pd.to_datetime(inventory["snapshot_date"]).max()


def daily_sales_section(view: Overview) -> Section:
    """Ordered product sales per day (or per week or month) with their rolling mean."""
    language, sales = view.language, view.sales
    heading = label("daily_sales_heading", language)
    if sales.empty:
        return Section(heading, needs_sentence("needs_sales_series", view.summary, language),
                       language=language)
    grain = str(sales["grain"].iloc[0])
    finding = fill("daily_sales_finding", language,
        grain=label(f"grain_{grain}", language),
        period=_period_text(sales["date"].min(), sales["date"].max()))
    setup_chart_fonts()
    figure = Figure(figsize=(9, 3.6), layout="constrained")
    plot_daily_sales(sales, ax=figure.subplots(), language=language, currency=view.currency)
    return Section(heading, finding, language=language, figure=figure)


# --- IPI drivers ----------------------------------------------------------------------------

#: Rows of the weekly IPI driver table shown in the report (the workbook holds every week).
IPI_TOP_WEEKS = 8
_IPI_KINDS = {"excess_inventory_percent": "percent", "sell_through": "number",
              "stranded_inventory_percent": "percent", "in_stock_rate": "percent"}


def ipi_section(view: Overview, params: dict, data_dir: str = "") -> Section:
    """"IPI drivers (ours, computed -- not Amazon's score)": the four drivers week by week.

    The finding gives each driver at the report date; a note per driver gives its trend over
    ``params["ipi"]["trend_weeks"]`` weeks and what moves it (or why it is not estimated);
    stranded-inventory spikes (:func:`opsanalysis.ipi.stranded_spikes`) get a note each. The
    user's own IPI score (:func:`opsanalysis.ipi.user_scores`), when given, is quoted as
    Amazon's, apart from our figures. The table (week_end and the drivers, latest first) is the
    workbook sheet ``ipi_drivers``.

    Parameters
    ----------
    view : Overview
        :func:`prepare_overview`.
    params : dict
        ``params.load(mp)``: its ``ipi`` section, ``rules.excess_days_of_supply`` and
        ``replenishment.velocity_window_days``.
    data_dir : str
        The notebook's data folder ("" = bundled sample), where ``ipi.csv`` / ``ipi.txt`` of
        the marketplace is looked for.

    Returns
    -------
    Section
    """
    language, settings = view.language, params["ipi"]
    heading = label("ipi_drivers_heading", language)
    scores = ipi.user_scores(settings, ipi.score_folder(data_dir, view.code))
    notes = [_ipi_score_note(scores, language)]
    weekly = None if view.as_of is None else ipi.weekly_drivers(
        view.frames, view.as_of, settings,
        excess_days_of_supply=params["rules"]["excess_days_of_supply"]["value"],
        velocity_window_days=params["replenishment"]["velocity_window_days"])
    if weekly is None or weekly[list(ipi.DRIVERS)].isna().all().all():
        return Section(heading, needs_sentence("needs_ipi_reports", view.summary, language),
                       language=language, notes=notes)
    summary = ipi.driver_summary(weekly, compare_weeks=settings["trend_weeks"])
    shown = {row.driver: _ipi_value(row.driver, row.value, language)
             for row in summary.itertuples()}
    finding = fill("ipi_drivers_finding", language,
        as_of=view.as_of_text, excess=shown["excess_inventory_percent"],
        sell_through=shown["sell_through"], stranded=shown["stranded_inventory_percent"],
        in_stock=shown["in_stock_rate"])
    notes += [_ipi_driver_note(row, settings["trend_weeks"], language)
              for row in summary.itertuples()]
    notes += [fill("ipi_stranded_spike_note", language,
        week=f"{row.week_end:%Y-%m-%d}", share=percent_text(row.stranded_inventory_percent),
        increase=f"{row.increase * 100:.1f}")
        for row in ipi.stranded_spikes(weekly, increase=settings["stranded_spike_increase"])
        .itertuples()]
    table = weekly[["week_end", *ipi.DRIVERS]]
    return Section(heading, finding, table, language=language, kinds=_IPI_KINDS,
                   top=IPI_TOP_WEEKS, sheet="ipi_drivers", notes=notes)


def _ipi_value(driver: str, value: float, language: str) -> str:
    if pd.isna(value):
        return label("not_estimated", language)
    return f"{value:.2f}" if driver == "sell_through" else percent_text(value)


def _ipi_score_note(scores, language: str) -> str:
    if scores is None:
        return label("ipi_score_not_given", language)
    latest = scores.iloc[-1]
    return fill("ipi_score_given", language,
        score=f"{latest['score']:.0f}", date=f"{latest['date']:%Y-%m-%d}",
        source=latest["source"])


def _ipi_driver_note(row, weeks: int, language: str) -> str:
    moves = label(f"ipi_moves_{row.driver}", language)
    if pd.isna(row.value):
        return fill("ipi_driver_not_estimated_note", language,
            driver=label(row.driver, language), reason=row.reason, moves=moves)
    return fill("ipi_driver_note", language,
        driver=label(row.driver, language), value=_ipi_value(row.driver, row.value, language),
        trend=label(row.trend, language) if row.trend else label("ipi_no_trend", language),
        weeks=weeks, previous=_ipi_value(row.driver, row.previous, language), moves=moves)


# --- the workbook ---------------------------------------------------------------------------

def workbook_tables(view: Overview, ipi_drivers: Section | None = None) -> dict:
    """The tables of the overview's workbook, actions first (sheet name -> tidy table).

    ``ipi_drivers``, the :func:`ipi_section` shown, adds its weekly table as sheet
    ``ipi_drivers`` when it has one.
    """
    tables = {"actions": actions_table(view.unread, view.gaps, view.frames, view.as_of,
                                       view.language),
              "reports_found": view.found, "files_not_read": view.unread,
              "coverage_gaps": view.gaps, "reader_warnings": view.warnings,
              "headline_figures": view.headline, "daily_sales": view.daily}
    if ipi_drivers is not None and ipi_drivers.table is not None:
        tables["ipi_drivers"] = ipi_drivers.table
    return tables


def tables_section(written: list, language: str = "en") -> Section:
    """Where the report's tables went: the workbook and its CSV files, or why none was written.

    Parameters
    ----------
    written : list of Path
        ``ReportContext.write_tables``; empty without an output folder.
    language : {"en", "zh"}

    Returns
    -------
    Section
    """
    if not written:
        return Section(label("tables", language), label("tables_not_written", language),
                       language=language)
    workbooks = [path.name for path in written if path.suffix == ".xlsx"]
    finding = fill("tables_written", language,
        workbook=", ".join(workbooks) or "—", count=f"{len(written) - len(workbooks):,}")
    return Section(label("tables", language), finding, language=language)

"""``read_report``: one entry point for every report kind and file format.

Stable API: ``read_report(path, marketplace=None, kind=None, period=None) -> DataFrame`` with
``attrs`` ``kind``, ``marketplace``, ``source``, ``period``, ``warnings``, ``variant`` (and
``currency``, ``attribution_days`` where known).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from opsanalysis import marketplaces
from opsanalysis.io import kinds_brand_analytics, kinds_bulk, schema
from opsanalysis.io.convert import Conventions, to_canonical
from opsanalysis.io.detect import detect_kind, open_raw
from opsanalysis.io.errors import PeriodError, ReportError, UnknownKindError, WrongKindError
from opsanalysis.io.identity import is_placeholder_sku
from opsanalysis.io.json_reports import json_tables, load_json
from opsanalysis.io.tables import Table, read_header, read_table, read_xlsx_sheets, xlsx_table

__all__ = ["parse_period", "read_report", "read_report_frames"]

_PERIOD_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})")
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")
# "..._2025-07-23.csv" (also .csv.gz): a one-day Business Report by ASIN.
_ONE_DAY_NAME = re.compile(r"_(\d{4}-\d{2}-\d{2})(?:\.[A-Za-z0-9]+)*$")


def _marketplace(marketplace):
    if marketplace is None or isinstance(marketplace, marketplaces.Marketplace):
        return marketplace
    return marketplaces.get(str(marketplace))


def read_report(path, marketplace=None, kind=None, period=None) -> pd.DataFrame:
    """Read one Amazon report file into a canonical DataFrame.

    The kind is detected from the content (header row, JSON keys), never the file name.
    Encodings (UTF-8 with/without BOM, cp1252, cp932), tab/comma delimiters, gzip, xlsx and
    SP-API JSON are handled; headers are matched through :mod:`opsanalysis.io.schema`.

    Parameters
    ----------
    path : str or pathlib.Path
        Report file (``.csv``, ``.txt``, ``.tsv``, ``.xlsx``, ``.json``, optionally ``.gz``).
    marketplace : str or Marketplace, optional
        Marketplace code ("US", "DE" ...): number/date conventions, time zone and currency.
        The file's own evidence (``1.234,56``, ``£``) overrides it, with a warning.
    kind : str, optional
        Expected kind; a file of another kind raises ``WrongKindError``. For a Sales and
        Traffic JSON it picks ``business_report_asin`` (default) or ``business_report_date``.
    period : tuple of (date-like, date-like), date-like or str, optional
        Reporting period of a Business Report by ASIN (which carries no dates): ``(first,
        last)``, one day or ``"YYYY-MM-DD_YYYY-MM-DD"``, both days inclusive. Without it the
        file name gives it: ``..._YYYY-MM-DD_YYYY-MM-DD.csv`` (first and last day) or
        ``..._YYYY-MM-DD.csv`` (one day); :func:`load_marketplace` also reads it from a
        ``periods.yaml`` beside the files. For other kinds it sets ``attrs["period"]``.

    Returns
    -------
    pandas.DataFrame
        Canonical columns (Int64 counts, float money [currency], fractions, naive
        marketplace-local dates, tz-aware timestamps) and ``attrs``.

    Raises
    ------
    ReportError
        Or a subclass, naming file, row, column, value and what was expected.
    """
    frames = read_report_frames(path, marketplace=marketplace, kind=kind, period=period)
    return next(iter(frames.values()))


def read_report_frames(path, marketplace=None, kind=None, period=None) -> dict:
    """Every frame a report file holds, by kind (a Sales and Traffic JSON holds two).

    Parameters and errors as :func:`read_report`.

    Returns
    -------
    dict of str -> pandas.DataFrame
        In preference order (by-ASIN first for Sales and Traffic JSON).
    """
    try:
        return _read_frames(str(path), _marketplace(marketplace), kind, period)
    except ReportError:
        raise
    except Exception as error:  # a reader fault must still name the file, never leak raw
        raise ReportError(f"the reader failed on this file ({type(error).__name__}: {error})",
                          file=str(path), expected="a report the reader can parse",
                          hint="report this to the opsanalysis maintainers with the file's "
                               "header") from error


def _read_frames(path, marketplace, kind, period):
    raw = open_raw(path)
    # gzip is routine (SP-API documents); a zip member is worth telling.
    warnings = [f"file is {note}" for note in raw.notes if note != "gzip-compressed"]
    if raw.container == "json":
        return _read_json(raw, marketplace, kind, period, warnings)
    if raw.container == "xlsx":
        # one frame per report sheet: a bulk workbook holds two Sponsored Products sheets
        return {found_kind: _finish(table, found_kind, matches, marketplace, period, path,
                                    list(warnings))
                for table, found_kind, matches in _xlsx_table(raw, kind, warnings)}
    else:
        headers = read_header(raw)
        found_kind, matches = detect_kind(headers, path=path, kind=kind)
        required = set(schema.required_columns(found_kind))
        table = read_table(raw, headers, _string_positions(found_kind, matches),
                           frozenset(i for i, m in enumerate(matches) if m.column in required),
                           _count_positions(found_kind, matches))
        warnings.extend(table.warnings)
    frame = _finish(table, found_kind, matches, marketplace, period, path, warnings)
    return {found_kind: frame}


def _string_positions(kind, matches):
    """Columns pyarrow must keep as text: all of them except raw-number flat-file numbers."""
    spec = schema.get_kind(kind)
    if spec.family != "flat_file":
        return set(range(len(matches)))
    keep = set()
    for position, match in enumerate(matches):
        column = spec.column(match.column) if match.column else None
        if column is None or column.dtype in (schema.TEXT, schema.DATE):
            keep.add(position)
    return keep


def _count_positions(kind, matches):
    """Count columns, which pyarrow may type as int64 when every cell is plain digits."""
    spec = schema.get_kind(kind)
    names = [match.column for match in matches]
    positions = set()
    for position, match in enumerate(matches):
        column = spec.column(match.column) if match.column else None
        # a duplicated header is kept as text: leave its cells as written
        if column is not None and column.dtype == schema.COUNT and \
                names.count(match.column) == 1:
            positions.add(position)
    return frozenset(positions)


def _xlsx_table(raw, kind, warnings):
    sheets = read_xlsx_sheets(raw)
    found, errors = [], []
    for name, cells in sheets.items():
        if cells.dropna(how="all").empty:
            continue
        try:
            table = xlsx_table(raw, name, cells)
            found_kind, matches = detect_kind(table.headers, path=raw.path, kind=kind)
        except ReportError as error:
            errors.append(error)
            continue
        found.append((table, found_kind, matches))
    found = _bulk_sheets(found, len(sheets), warnings)
    kinds = [found_kind for _, found_kind, _ in found]
    if len(found) > 1 and not (set(kinds) <= set(kinds_bulk.SHEETS) and
                               len(set(kinds)) == len(kinds)):
        raise UnknownKindError(
            f"the workbook has {len(found)} report sheets "
            f"({', '.join(repr(t.sheet) for t, _, _ in found)})", file=raw.path,
            expected="one report sheet per workbook", hint="save each sheet as its own file")
    if not found:
        if errors:
            raise errors[0]
        raise UnknownKindError("the workbook has no non-empty sheet", file=raw.path,
                               expected="a report sheet with a header row")
    if len(sheets) > 1:
        read = ", ".join(repr(table.sheet) for table, _, _ in found)
        warnings.append(f"workbook has {len(sheets)} sheets; read {read}")
    return found


def _bulk_sheets(found, sheet_count, warnings):
    """In a bulk workbook, keep the Sponsored Products sheets of the bulk kinds by name.

    Sponsored Brands and Display sheets share the Sponsored Products headers; a bulk kind is
    read from a workbook of several sheets only under its own sheet name (``kinds_bulk.SHEETS``).
    """
    if sheet_count < 2:
        return found
    kept = []
    for table, found_kind, matches in found:
        names = kinds_bulk.SHEETS.get(found_kind)
        if names is not None and schema.normalise_header(table.sheet) not in \
                {schema.normalise_header(name) for name in names}:
            warnings.append(f"sheet {table.sheet!r} not read (not a Sponsored Products sheet)")
            continue
        kept.append((table, found_kind, matches))
    return kept


def parse_period(period, path=None):
    """A reporting period as (first, last) midnight timestamps, both days inclusive.

    Parameters
    ----------
    period : tuple of (date-like, date-like), date-like or str
        ``(first, last)``, one day, or ``"YYYY-MM-DD_YYYY-MM-DD"`` (also ``first..last``,
        ``first/last``, ``first to last``).
    path : str, optional
        File the period belongs to, for the error message.

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp)

    Raises
    ------
    PeriodError
        When the period is not understood or ends before it starts.
    """
    if isinstance(period, str):
        parts = re.split(r"[_/]|\s+to\s+|\.\.", period.strip())
        period = [part for part in parts if part]
    elif not isinstance(period, list | tuple):
        period = [period]
    if len(period) == 1:
        period = [period[0], period[0]]  # one day
    try:
        start, end = (pd.Timestamp(value) for value in period)
    except (TypeError, ValueError):
        start = end = pd.NaT
    if pd.isna(start) or pd.isna(end):
        raise PeriodError("period not understood", file=path, value=period,
                          expected="(first, last) dates or 'YYYY-MM-DD_YYYY-MM-DD'")
    start, end = start.normalize(), end.normalize()
    if end < start:
        raise PeriodError("period ends before it starts", file=path, value=period,
                          expected="first <= last")
    return start, end


def _parse_period(period, path):
    """The given period, else a ``_YYYY-MM-DD_YYYY-MM-DD`` range in the file name, else None."""
    if period is None:
        named = _PERIOD_IN_NAME.search(Path(path).name)
        if named is None:
            return None
        period = named.groups()
    return parse_period(period, path)


def _one_day_in_name(path):
    """The day of a name ending ``_YYYY-MM-DD`` before its extensions (``br_2025-07-23.csv``)."""
    named = _ONE_DAY_NAME.search(Path(path).name)
    return None if named is None else parse_period(named.group(1), path)


def _no_period_error(path):
    """The error for a Business Report by ASIN whose period is unknown, in the file's terms."""
    name = Path(path).name
    suffix = re.search(r"(\.[A-Za-z][A-Za-z0-9]*)*$", name).group(0)
    stem = name[:len(name) - len(suffix)]
    return PeriodError(
        "a Business Report by ASIN has no dates and its period is unknown", file=path,
        expected="its first and last day",
        hint=f"give it in one of three ways: name the file {stem}_YYYY-MM-DD_YYYY-MM-DD{suffix} "
             f"(first and last day), or {stem}_YYYY-MM-DD{suffix} for one day; "
             f"or add a line {name}: [YYYY-MM-DD, YYYY-MM-DD] to a periods.yaml in the same "
             f"folder (read by load_marketplace and opsanalysis run). In Python, "
             f"read_report(path, period=(first, last)) reads one file")


def _placeholder_note(skus) -> list:
    """A warning naming the placeholder SKUs (``UNKNOW``, blank) of some rows, if any."""
    marked = is_placeholder_sku(skus)
    if not marked.any() or marked.all() and skus.isna().all():
        return []  # no SKU column content at all (SP-API by-ASIN without SKU granularity)
    values = skus[marked].astype("string").str.strip().fillna("").replace("", "(blank)")
    listed = ", ".join(f"{value}: {count}" for value, count in values.value_counts().items())
    return [f"{int(marked.sum())} row(s) carry a placeholder instead of a seller SKU "
            f"({listed}); opsanalysis.io.is_placeholder_sku marks them"]


def _frame_period(frame, kind):
    for start_column, end_column in (("period_start", "period_end"), ("date", "date"),
                                     ("start_date", "end_date"),
                                     ("snapshot_date", "snapshot_date"),
                                     ("purchase_date", "purchase_date"),
                                     ("return_date", "return_date"),
                                     ("return_request_date", "return_request_date"),
                                     ("settlement_start_date", "settlement_end_date"),
                                     ("date_time", "date_time"),
                                     ("shipment_date", "shipment_date"),
                                     ("request_date", "request_date")):
        if start_column in frame.columns and end_column in frame.columns:
            start, end = frame[start_column].min(), frame[end_column].max()
            if pd.notna(start) and pd.notna(end):
                if getattr(start, "tzinfo", None) is not None:
                    start, end = start.tz_localize(None), end.tz_localize(None)
                return start.normalize(), end.normalize()
    return None


def _variant(kind, headers):
    folded = {schema.normalise_header(header) for header in headers}
    for name, marker in schema.get_kind(kind).variants:
        if marker in folded:
            return name
    return "current"


def _finish(table: Table, kind, matches, marketplace, period, path, warnings):
    spec = schema.get_kind(kind)
    conventions = Conventions.for_marketplace(marketplace, spec.family)
    converted = to_canonical(table, kind, matches, conventions, path, warnings)
    frame = converted.frame
    given = _parse_period(period, path)
    if kind == "business_report_asin" and "period_start" not in frame.columns:
        given = given or _one_day_in_name(path)
        if given is None:
            raise _no_period_error(path)
        frame["period_start"] = pd.Series(given[0], index=frame.index, dtype="datetime64[ns]")
        frame["period_end"] = pd.Series(given[1], index=frame.index, dtype="datetime64[ns]")
        frame = frame[[c for c in schema.canonical_columns(kind) if c in frame.columns] +
                      [c for c in frame.columns if c not in schema.canonical_columns(kind)]]
    if "snapshot_date" in schema.canonical_columns(kind) and "snapshot_date" not in frame:
        # MYI and restock downloads carry no date; a date in the file name is the snapshot.
        named = _DATE_IN_NAME.findall(Path(path).name)
        if len(named) == 1:
            frame["snapshot_date"] = pd.Series(pd.Timestamp(named[0]), index=frame.index,
                                               dtype="datetime64[ns]")
    if "sku" in frame.columns:
        warnings.extend(_placeholder_note(frame["sku"]))
    if spec.family == "brand_analytics":  # period and brand/ASIN from the filter line
        frame = kinds_brand_analytics.add_report_metadata(frame, kind, open_raw(path), path,
                                                          warnings)
        frame = frame[[c for c in schema.canonical_columns(kind) if c in frame.columns] +
                      [c for c in frame.columns if c not in schema.canonical_columns(kind)]]
    frame.attrs.update({
        "kind": kind,
        "marketplace": marketplace.code if marketplace is not None else None,
        "source": path,
        "period": given or _frame_period(frame, kind),
        "warnings": list(dict.fromkeys(warnings)),
        "variant": _variant(kind, table.headers),
        "currency": converted.currency,
        "attribution_days": converted.attribution_days,
    })
    if table.sheet is not None:
        frame.attrs["sheet"] = table.sheet
    return frame


def _read_json(raw, marketplace, kind, period, warnings):
    document = load_json(raw)
    flattened = json_tables(raw, document)
    if marketplace is None and flattened["marketplace_id"]:
        try:
            marketplace = marketplaces.by_marketplace_id(flattened["marketplace_id"])
        except KeyError:
            warnings.append(f"unknown marketplace id {flattened['marketplace_id']!r}")
    tables = flattened["tables"]
    if kind is not None and kind not in tables:
        raise WrongKindError(f"the JSON report holds {', '.join(tables)}, not {kind}",
                             file=raw.path, expected=f"a {kind} report",
                             hint=f"call read_report(..., kind={next(iter(tables))!r})")
    if flattened["period"] and period is None:
        period = flattened["period"]
    frames = {}
    for name, flat in tables.items():
        if kind is not None and name != kind:
            continue
        headers = list(flat.columns)
        cells = flat.copy()
        cells.columns = [f"c{i}" for i in range(len(headers))]
        table = Table(headers, cells.reset_index(drop=True), lambda position: position + 1)
        _, matches = detect_kind(headers, path=raw.path, kind=name)
        frame = _finish(table, name, matches, marketplace, period, raw.path, list(warnings))
        if "currency" in schema.canonical_columns(name) and flattened["currencies"]:
            codes = sorted(flattened["currencies"])
            frame["currency"] = codes[0] if len(codes) == 1 else pd.NA
            frame.attrs["currency"] = codes[0] if len(codes) == 1 else None
        frames[name] = frame
    return frames

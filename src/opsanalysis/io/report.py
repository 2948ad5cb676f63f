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
from opsanalysis.io import schema
from opsanalysis.io.convert import Conventions, to_canonical
from opsanalysis.io.detect import detect_kind, open_raw
from opsanalysis.io.errors import PeriodError, ReportError, UnknownKindError, WrongKindError
from opsanalysis.io.json_reports import json_tables, load_json
from opsanalysis.io.tables import Table, read_header, read_table, read_xlsx_sheets, xlsx_table

__all__ = ["read_report", "read_report_frames"]

_PERIOD_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})")
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")


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
    period : tuple of (date-like, date-like) or str, optional
        Reporting period of a Business Report by ASIN (which carries no dates): ``(start,
        end)`` or ``"YYYY-MM-DD_YYYY-MM-DD"``. Without it the file name must contain
        ``_YYYY-MM-DD_YYYY-MM-DD``.

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
    path = str(path)
    marketplace = _marketplace(marketplace)
    raw = open_raw(path)
    # gzip is routine (SP-API documents); a zip member is worth telling.
    warnings = [f"file is {note}" for note in raw.notes if note != "gzip-compressed"]
    if raw.container == "json":
        return _read_json(raw, marketplace, kind, period, warnings)
    if raw.container == "xlsx":
        table, found_kind, matches = _xlsx_table(raw, kind, warnings)
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
    if len(found) > 1:
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
        warnings.append(f"workbook has {len(sheets)} sheets; read {found[0][0].sheet!r}")
    return found[0]


def _parse_period(period, path):
    if period is None:
        named = _PERIOD_IN_NAME.search(Path(path).name)
        if named is None:
            return None
        period = named.groups()
    if isinstance(period, str):
        parts = re.split(r"[_/]|\s+to\s+|\.\.", period.strip())
        period = [part for part in parts if part]
    try:
        start, end = (pd.Timestamp(value).normalize() for value in period)
    except (TypeError, ValueError):
        raise PeriodError("period not understood", file=path, value=period,
                          expected="(start, end) dates or 'YYYY-MM-DD_YYYY-MM-DD'") from None
    if end < start:
        raise PeriodError("period ends before it starts", file=path, value=period,
                          expected="start <= end")
    return start, end


def _frame_period(frame, kind):
    for start_column, end_column in (("period_start", "period_end"), ("date", "date"),
                                     ("start_date", "end_date"),
                                     ("snapshot_date", "snapshot_date"),
                                     ("purchase_date", "purchase_date"),
                                     ("return_date", "return_date"),
                                     ("return_request_date", "return_request_date")):
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
        if given is None:
            raise PeriodError(
                "a Business Report by ASIN has no dates and its period is unknown", file=path,
                expected="the reporting period",
                hint="pass period=('2026-10-01', '2026-10-31') to read_report, or name the "
                     "file like BusinessReport_2026-10-01_2026-10-31.csv")
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

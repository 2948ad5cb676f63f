"""Vectorised parsing of report cell values: numbers, money, percentages, dates, flags, text.

Each parser takes one column as a pandas Series (strings from a CSV, Python objects from xlsx,
or numbers already typed by pyarrow) and returns the typed Series. A value that cannot be read
raises :class:`CellError` with its position; the reader turns that into a
:class:`~opsanalysis.io.errors.ValueParseError` naming the file line and column. Per-cell Python
only runs on the few values that fail the vectorised path.

Number formats follow the marketplace convention unless the column's own values prove another:
``1.234,56`` can only be a decimal comma, ``1,234.56`` only a decimal point (see
:func:`decimal_evidence`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from opsanalysis.io.errors import AmbiguousFormatError
from opsanalysis.io.numeric import (
    BLANKS,
    CellError,
    NumberResult,
    blank_text_mask,
    decimal_evidence,
    decimal_evidence_positions,
    parse_numbers,
    to_arrow_text,
    true_mask,
)

_STR = pd.StringDtype("pyarrow", na_value=np.nan)

__all__ = [
    "CellError",
    "NumberResult",
    "decimal_evidence",
    "decimal_evidence_positions",
    "parse_boolean",
    "parse_dates",
    "parse_numbers",
    "parse_text",
    "may_need_trim",
]


def _first_position(mask: pd.Series) -> int:
    return int(np.flatnonzero(np.asarray(mask, dtype=bool))[0])


def _as_text(series: pd.Series) -> pd.Series:
    return series.astype("str") if series.dtype != "str" else series


def blank_mask(text: pd.Series) -> pd.Series:
    """True where a text cell means "no value" (empty, single space, ``-``, ``N/A``...)."""
    folded = text.str.strip().str.lower()
    return text.isna() | folded.isin(BLANKS)


_TRUE = ("true", "yes", "y", "1", "t", "ja", "はい", "是", "oui", "sí", "si", "vero")
_FALSE = ("false", "no", "n", "0", "f", "nein", "いいえ", "否", "non", "falso")


def parse_boolean(series: pd.Series) -> pd.Series:
    """Read ``Yes``/``No``, ``Y``/``N``, ``true``/``false`` (and de/ja/zh words) as ``boolean``."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("boolean")
    text = _as_text(series)
    folded = text.str.strip().str.lower()
    result = pd.Series(pd.NA, index=series.index, dtype="boolean")
    result[folded.isin(_TRUE).fillna(False).astype(bool)] = True
    result[folded.isin(_FALSE).fillna(False).astype(bool)] = False
    unknown = result.isna() & ~blank_mask(text)
    if unknown.any():
        raise CellError(_first_position(unknown), text[unknown].iloc[0],
                        "a yes/no flag (Yes, No, Y, N, true, false)")
    return result


_ENTITY = r"&(?:[A-Za-z]{2,8}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});"


# First/last bytes of strings that may start or end with whitespace: ASCII spaces, and the
# UTF-8 lead/trail bytes of no-break, narrow and ideographic spaces (false alarms only cost a
# trim).
_SPACE_FIRST = np.zeros(256, dtype=bool)
_SPACE_FIRST[[0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xC2, 0xE2, 0xE3]] = True
_SPACE_LAST = np.zeros(256, dtype=bool)
_SPACE_LAST[[0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85,
             0x86, 0x87, 0x88, 0x89, 0x8A, 0xAF]] = True


def may_need_trim(text: pa.ChunkedArray) -> bool:
    """Whether any string could start or end with whitespace, from its edge bytes only."""
    for chunk in text.chunks:
        offsets_buffer, data_buffer = chunk.buffers()[1:3]
        if data_buffer is None or len(chunk) == 0:
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(offsets_buffer, dtype=width)[
            chunk.offset:chunk.offset + len(chunk) + 1]
        data = np.frombuffer(data_buffer, dtype=np.uint8)
        if len(data) == 0:
            continue
        # Byte lookup tables, one gather each (np.isin sorts on every call). An empty or
        # missing string reads a neighbour's byte ("clip" keeps indices in the buffer): a
        # false alarm only costs a trim.
        if _SPACE_FIRST.take(data.take(offsets[:-1], mode="clip")).any() or \
                _SPACE_LAST.take(data.take(offsets[1:] - 1, mode="clip")).any():
            return True
    return False


def _has_byte(text: pa.ChunkedArray, byte: bytes) -> bool:
    """Whether any string's bytes hold ``byte``: one scan of the data buffers (no copies)."""
    code = byte[0]
    for chunk in text.chunks:
        data = chunk.buffers()[2]
        if data is not None and (np.frombuffer(data, dtype=np.uint8) == code).any():
            return True
    return False


def parse_text(series: pd.Series, max_chars: int = 100_000) -> pd.Series:
    """Text cells: strip spaces, blanks to missing, HTML entities decoded, nothing evaluated.

    Cells such as ``=HYPERLINK(...)`` stay the literal text (formula neutralising is the
    exporter's job). A cell longer than ``max_chars`` is an error: no Amazon field is that long.
    """
    if series.dtype == object and series.notna().any():
        series = series.map(lambda value: value if value is None or isinstance(value, str)
                            or pd.isna(value) else str(value))
    text = to_arrow_text(series)
    if may_need_trim(text):
        text = pc.utf8_trim_whitespace(text)
    if pc.any(pc.equal(text, "")).as_py():
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, type=text.type), text)
    longest = pc.max(pc.binary_length(text)).as_py()  # bytes >= characters: cheap bound
    if longest is not None and longest > max_chars and \
            pc.max(pc.utf8_length(text)).as_py() > max_chars:
        too_long = true_mask(pc.greater(pc.utf8_length(text), max_chars))
        position = int(np.flatnonzero(too_long)[0])
        raise CellError(position, text[position].as_py(),
                        f"a field of at most {max_chars:,} characters", "enormous field")
    result = pd.Series(pd.arrays.ArrowStringArray(text, dtype=_STR), index=series.index)
    if _has_byte(text, b"&") and pc.any(pc.match_substring(text, "&")).as_py():
        entity = result.str.contains(_ENTITY, regex=True).fillna(False).astype(bool)
        if entity.any():
            result = result.copy()
            result.loc[entity] = result[entity].map(html.unescape)
    return result


# --- dates -----------------------------------------------------------------------------------

_ISO_STAMP = (r"^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
              r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}|[A-Z]{3,4})?$")
_DATE_PATTERNS = [
    ("iso_stamp", _ISO_STAMP, None),
    ("iso", r"^\d{4}-\d{1,2}-\d{1,2}$", "%Y-%m-%d"),
    ("ymd_slash", r"^\d{4}/\d{1,2}/\d{1,2}$", "%Y/%m/%d"),
    ("ymd_dot", r"^\d{4}\.\d{1,2}\.\d{1,2}$", "%Y.%m.%d"),
    ("ymd_kanji", r"^\d{4}年\d{1,2}月\d{1,2}日$", "%Y年%m月%d日"),
    ("ymd_compact", r"^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$", "%Y%m%d"),
    ("month_slash4", r"^\d{1,2}/\d{4}$", "%m/%Y"),
    ("slash4", r"^\d{1,2}/\d{1,2}/\d{4}$", "{a}/{b}/%Y"),
    ("slash2", r"^\d{1,2}/\d{1,2}/\d{2}$", "{a}/{b}/%y"),
    ("dash4", r"^\d{1,2}-\d{1,2}-\d{4}$", "{a}-{b}-%Y"),
    ("dash2", r"^\d{1,2}-\d{1,2}-\d{2}$", "{a}-{b}-%y"),
    ("dot4", r"^\d{1,2}\.\d{1,2}\.\d{4}$", "%d.%m.%Y"),
    ("dot2", r"^\d{1,2}\.\d{1,2}\.\d{2}$", "%d.%m.%y"),
    ("d_mon_y", r"^\d{1,2}-[A-Za-z]{3}-\d{4}$", "%d-%b-%Y"),
    ("d_mon_y2", r"^\d{1,2}-[A-Za-z]{3}-\d{2}$", "%d-%b-%y"),
    ("mon_d_y", r"^[A-Za-z]{3,9}\.? \d{1,2}, \d{4}$", None),
    ("d_mon_y_space", r"^\d{1,2} [A-Za-z]{3,9}\.? \d{4}$", None),
]
_ZONE_OFFSETS = {"PST": "-08:00", "PDT": "-07:00", "MST": "-07:00", "MDT": "-06:00",
                 "CST": "-06:00", "CDT": "-05:00", "EST": "-05:00", "EDT": "-04:00",
                 "UTC": "+00:00", "GMT": "+00:00", "BST": "+01:00", "CET": "+01:00",
                 "CEST": "+02:00", "JST": "+09:00"}
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


@dataclass
class DateResult:
    values: pd.Series
    warnings: list


def _order_fields(uniques: pd.Series, sep: str, date_order: str):
    parts = uniques.str.split(sep, expand=True).iloc[:, :2].astype(int)
    first_day = bool((parts[0] > 12).any())
    second_day = bool((parts[1] > 12).any())
    if first_day and second_day:
        return None, "day and month both exceed 12 in different rows"
    if first_day:
        return ("%d", "%m"), None if date_order == "DMY" else "day-first dates found in the file"
    if second_day:
        return ("%m", "%d"), None if date_order == "MDY" else "month-first dates found in the file"
    return (("%d", "%m") if date_order == "DMY" else ("%m", "%d")), None


def _parse_iso_stamps(text: pd.Series, timezone: str | None) -> pd.Series:
    zone = text.str.extract(r"\s*([A-Z]{3,4})$")[0]
    if zone.notna().any():
        text = text.str.replace(r"\s*([A-Z]{3,4})$", "", regex=True) + zone.map(
            lambda name: _ZONE_OFFSETS.get(name, "") if isinstance(name, str) else "").fillna("")
    has_offset = text.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True)
    if has_offset.all():
        return pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
    naive = pd.to_datetime(text.where(~has_offset), format="ISO8601", errors="coerce")
    naive = naive.dt.tz_localize(timezone or "UTC", ambiguous="NaT", nonexistent="shift_forward")
    if has_offset.any():
        aware = pd.to_datetime(text.where(has_offset), format="ISO8601", utc=True,
                               errors="coerce")
        naive = naive.dt.tz_convert("UTC").where(~has_offset, aware)
    return naive.dt.tz_convert("UTC")


def parse_dates(series: pd.Series, *, date_order: str = "MDY", timezone: str | None = None,
                aware: bool = False) -> DateResult:
    """Read report dates in any of Amazon's formats.

    Parameters
    ----------
    series : pandas.Series
        Raw cells: strings, Excel datetimes, Excel serial numbers or pyarrow timestamps.
    date_order : str
        Marketplace order for ambiguous ``01/02/2026`` ("MDY", "DMY" or "YMD"); the values
        themselves override it when a field exceeds 12.
    timezone : str, optional
        IANA zone of the marketplace.
    aware : bool
        True: return tz-aware timestamps in ``timezone`` (order purchase dates); False: naive
        calendar dates at midnight, marketplace-local.

    Returns
    -------
    DateResult
    """
    warnings = []
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        stamps = series.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(series.dtype):
        stamps = series.dt.tz_localize(timezone or "UTC") if aware else series
    elif pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        stamps = _EXCEL_EPOCH + pd.to_timedelta(series.astype("float64"), unit="D")
        if aware:
            stamps = stamps.dt.tz_localize(timezone or "UTC")
    else:
        stamps = _parse_date_text(series, date_order, timezone, aware, warnings)
        if isinstance(stamps, tuple):
            # one value per distinct text: finish those, then give each cell its own
            distinct, codes = stamps
            finished = _finish_dates(distinct, timezone, aware)
            if aware:
                values = finished.array.take(codes, allow_fill=True)
            else:  # numpy's take: the appended NaT serves code -1 (a missing cell)
                values = np.append(finished.to_numpy(), np.datetime64("NaT", "ns"))[codes]
            return DateResult(pd.Series(values, index=series.index), warnings)
    return DateResult(_finish_dates(stamps, timezone, aware), warnings)


def _finish_dates(stamps: pd.Series, timezone, aware):
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_convert(timezone or "UTC")
        if not aware:
            stamps = stamps.dt.tz_localize(None).dt.normalize()
        return stamps.astype(f"datetime64[ns, {timezone or 'UTC'}]") if aware else \
            stamps.astype("datetime64[ns]")
    if aware:
        return stamps.dt.tz_localize(timezone or "UTC").astype(
            f"datetime64[ns, {timezone or 'UTC'}]")
    return stamps.dt.normalize().astype("datetime64[ns]")


def _parse_date_text(series, date_order, timezone, aware, warnings):
    if series.dtype == object:
        is_stamp = series.map(lambda value: isinstance(value, pd.Timestamp | np.datetime64))
        if is_stamp.any() and is_stamp[series.notna()].all():
            return pd.to_datetime(series)
    # Dates repeat (one per day): parse each distinct text once, then index by code.
    encoded = pc.dictionary_encode(to_arrow_text(series).combine_chunks())
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    distinct = pc.utf8_trim_whitespace(encoded.dictionary)
    kept = ~blank_text_mask(distinct)
    uniques = pc.filter(distinct, pa.array(kept))
    if len(uniques) == 0:
        return pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    if pc.all(pc.match_substring_regex(uniques, _ISO_STAMP)).as_py() and \
            pc.any(pc.match_substring_regex(uniques, "[T:]")).as_py():
        text = _as_text(series).str.strip()
        text = text.where(~blank_mask(text))
        stamps = _parse_iso_stamps(text, timezone)
        _raise_unparsed(text, stamps)
        return stamps
    uniques = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([uniques]), dtype=_STR),
                        index=np.flatnonzero(kept))
    parsed = _parse_distinct_dates(uniques, date_order, timezone, warnings)
    lookup = np.full(len(distinct), np.datetime64("NaT"), dtype="datetime64[ns]")
    lookup[uniques.index.to_numpy()] = parsed.to_numpy(dtype="datetime64[ns]")
    unparsed = uniques.index[parsed.isna().to_numpy()]
    if len(unparsed):
        position = int(np.flatnonzero(codes == unparsed[0])[0])
        raise CellError(position, series.iloc[position], _DATE_EXPECTED)
    return pd.Series(lookup), codes  # code -1 (a missing cell) is NaT


# A local date followed by a clock time and maybe a zone: "Jan 1, 2020 12:02:51 AM PST"
# (Date Range reports), "01.01.2020 00:12:34 UTC" (de-DE), "2020/01/05 3:04:05 JST" (ja-JP),
# "08/07/2016 10:12:40 BST" (listings). The date part takes the patterns above.
_CLOCK = re.compile(r"^(?P<date>.*\d)[ ,]+(?P<clock>\d{1,2}:\d{2}(?::\d{2})?)"
                    r"\s*(?P<half>[AaPp]\.?[Mm]\.?)?\s*(?P<zone>[A-Z]{3,4})?$")


def _parse_clock_stamps(group, date_order, timezone, warnings):
    """Date-and-time texts to naive marketplace-local datetimes (zone converted when named)."""
    parts = group.str.extract(_CLOCK)
    days = pd.Series(_parse_distinct_dates(parts["date"], date_order, timezone, warnings)
                     .to_numpy(dtype="datetime64[ns]"), index=group.index)
    clock = pd.to_timedelta(parts["clock"].where(parts["clock"].str.count(":") == 2,
                                                 parts["clock"] + ":00"))
    half = parts["half"].fillna("").str.replace(".", "", regex=False).str.upper()
    hours = clock.dt.components["hours"]
    clock = clock - pd.to_timedelta(np.where((half != "") & (hours == 12), 12, 0), unit="h") + \
        pd.to_timedelta(np.where(half == "PM", 12, 0), unit="h")
    stamps = days + clock
    offsets = parts["zone"].map(lambda name: _ZONE_OFFSETS.get(name) if isinstance(name, str)
                                else None)
    if offsets.notna().any():
        delta = pd.to_timedelta(offsets.fillna("+00:00").str.replace(
            r"([+-])(\d{2}):(\d{2})", r"\1\2:\3:00", regex=True))
        utc = (stamps - delta).dt.tz_localize("UTC").dt.tz_convert(timezone or "UTC")
        stamps = stamps.where(offsets.isna(), utc.dt.tz_localize(None))
    return stamps


def _parse_distinct_dates(uniques, date_order, timezone, warnings):
    """Parse distinct date texts; NaT where no known format fits."""
    parsed = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[ns]")
    done = np.zeros(len(uniques), dtype=bool)
    text = to_arrow_text(uniques)
    clocked = true_mask(pc.match_substring_regex(text, _CLOCK.pattern)) & \
        ~true_mask(pc.match_substring_regex(text, _ISO_STAMP))
    if clocked.any():
        group = uniques.iloc[np.flatnonzero(clocked)]
        parsed[clocked] = _parse_clock_stamps(group, date_order, timezone, warnings).to_numpy(
            dtype="datetime64[ns]")
        done |= clocked
    # Try first the formats the first value has (a file writes its dates one way); the
    # patterns are mutually exclusive, so the order changes only how soon the loop ends.
    first = uniques.iloc[0]
    patterns = sorted(_DATE_PATTERNS, key=lambda item: re.fullmatch(item[1], first) is None)
    for name, pattern, fmt in patterns:
        if done.all():
            break
        hits = ~done & true_mask(pc.match_substring_regex(text, pattern))
        if not hits.any():
            continue
        group = uniques.iloc[np.flatnonzero(hits)]
        if name == "iso_stamp":
            values = _parse_iso_stamps(group, timezone).dt.tz_convert(timezone or "UTC")
            values = values.dt.tz_localize(None)
        elif fmt is None:
            values = _parse_month_names(group.str.replace(".", "", regex=False), name)
        else:
            if "{a}" in fmt:
                order, note = _order_fields(group, fmt[3], date_order)
                if order is None:
                    raise CellError(0, group.iloc[0], "one consistent day/month order",
                                    "dates mix day-first and month-first",
                                    AmbiguousFormatError)
                if note:
                    warnings.append(f"{note}; read as {order[0][1].upper()}/{order[1][1].upper()}")
                fmt = fmt.format(a=order[0], b=order[1])
            values = pd.to_datetime(group, format=fmt, errors="coerce")
        parsed[hits] = values.to_numpy(dtype="datetime64[ns]")
        done |= hits
    return pd.Series(parsed, index=uniques.index)


_MONTH_NAME_FORMATS = {"mon_d_y": ("%b %d, %Y", "%B %d, %Y"),
                       "d_mon_y_space": ("%d %b %Y", "%d %B %Y")}


def _parse_month_names(group, name):
    """``Dec 1, 2019`` / ``1 December 2019``: exact formats first, dateutil for the rest."""
    values = np.full(len(group), np.datetime64("NaT"), dtype="datetime64[ns]")
    for fmt in (*_MONTH_NAME_FORMATS[name], "mixed"):  # "mixed": "Sept 1, 2019" and others
        todo = np.isnat(values)
        if not todo.any():
            break
        values[todo] = pd.to_datetime(group.iloc[np.flatnonzero(todo)], format=fmt,
                                      errors="coerce").to_numpy(dtype="datetime64[ns]")
    return pd.Series(values, index=group.index)


_DATE_EXPECTED = ("a date such as 2026-01-31, 01/31/2026, 31.01.26, 2026/01/31, Jan 31, 2026 "
                  "or an ISO timestamp")


def _raise_unparsed(text, stamps):
    bad = text.notna() & stamps.isna()
    if bad.any():
        raise CellError(_first_position(bad), text[bad].iloc[0], _DATE_EXPECTED)

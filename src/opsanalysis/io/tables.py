"""Reading the cells of delimited text and xlsx reports (before any value parsing).

Text files go through pyarrow's multi-threaded CSV reader; every cell stays text except, for
Amazon's raw-number flat files, the numeric columns that pyarrow can type itself. Wrong cell
counts, huge fields and other oddities fall back to Python's ``csv`` module, which is slower
but reports the exact line. xlsx files are read with ``pandas.read_excel`` (openpyxl's
read-only mode loses cells of some Amazon ads workbooks).
"""

from __future__ import annotations

import csv
import io
import os
import sys
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from opsanalysis.io.detect import RawFile
from opsanalysis.io.errors import EmptyReportError, MalformedRowError, UnreadableFileError

__all__ = ["Table", "read_header", "read_table", "read_xlsx_sheets"]

_STRING_TYPES = {pa.string(): pd.StringDtype("pyarrow", na_value=float("nan")),
                 pa.large_string(): pd.StringDtype("pyarrow", na_value=float("nan"))}


@dataclass
class Table:
    """Raw cells of one report: positional columns ``c0..cN`` plus the header texts.

    ``line_of(position)`` gives the 1-based file line (worksheet row) of a data record.
    """

    headers: list
    frame: pd.DataFrame
    line_of: object
    warnings: list = field(default_factory=list)
    sheet: str | None = None


def _text(raw: RawFile) -> str:
    try:
        return raw.data.decode(raw.encoding).lstrip("\ufeff")
    except UnicodeDecodeError as error:
        raise UnreadableFileError(f"bytes that are not {raw.encoding} text at offset "
                                  f"{error.start}", file=raw.path,
                                  expected=f"{raw.encoding} text throughout") from None


def _header_cells(raw: RawFile, first_line: str):
    quoting = csv.QUOTE_MINIMAL if raw.delimiter == "," or first_line.startswith('"') \
        else csv.QUOTE_NONE
    return next(csv.reader([first_line], delimiter=raw.delimiter, quoting=quoting), [])


def read_header(raw: RawFile) -> list:
    """Header cells of a delimited text file, as written (BOM removed)."""
    head = raw.head.decode(raw.encoding, errors="replace").lstrip("\ufeff")
    lines = head.splitlines()[raw.skip_lines:]
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise EmptyReportError("the file has no header line", file=raw.path,
                               expected="a header line and data rows")
    if raw.delimiter == "," and first.count('"') % 2:
        # A quoted header cell with a line break: let the csv module assemble it.
        return next(csv.reader(io.StringIO("\n".join(lines)), delimiter=","))
    return _header_cells(raw, first)


def read_table(raw: RawFile, headers: list, string_columns: set,
               required_positions: frozenset = frozenset(),
               whole_number_columns: frozenset = frozenset()) -> Table:
    """All data records of a delimited text report.

    Parameters
    ----------
    raw : RawFile
    headers : list of str
        Header cells (from :func:`read_header`).
    string_columns : set of int
        Positions to keep as text; the others may be typed by pyarrow (raw-number flat files).
    required_positions : frozenset of int
        Positions of required columns. Amazon's UI reports end some rows early when the
        trailing cells are empty (excess inventory 2019); such short rows are padded with
        blanks when only optional columns are missing. A short last line without a final
        newline is a truncated download and an error.
    whole_number_columns : frozenset of int
        Positions of count columns that pyarrow first tries to read as plain int64, which is exact in every number convention; when any cell is not
        plain digits (``1,234``, ``1.234``, ``-``), they are read as text like the others.

    Returns
    -------
    Table
    """
    names = [f"c{i}" for i in range(len(headers))]
    try:
        try:
            frame = _read_plain(raw, names, set(string_columns), frozenset(whole_number_columns))
        except (pa.ArrowInvalid, _NeedsFallback):
            # Quoted cells with line breaks (customer comments) need the slower chunker.
            frame = _read_arrow(raw, names, string_columns, newlines=True)
    except (pa.ArrowInvalid, OSError, EOFError, _NeedsFallback):
        # Slow path: exact line numbers for the error, or oddities pyarrow refuses.
        return _read_python(raw, headers, required_positions)
    table = Table(headers, frame, _line_locator(raw))
    return table


def _read_plain(raw, names, string_columns, whole_number_columns):
    """The fast read (no line breaks inside cells), counts typed by pyarrow where it can."""
    if not whole_number_columns:
        return _read_arrow(raw, names, string_columns, newlines=False)
    try:
        return _read_arrow(raw, names, string_columns - whole_number_columns, newlines=False,
                           whole_number_columns=whole_number_columns)
    except pa.ArrowInvalid as error:
        if "conversion error" not in str(error):
            raise
        return _read_arrow(raw, names, string_columns, newlines=False)


class _NeedsFallback(Exception):
    pass


def _read_arrow(raw, names, string_columns, newlines, whole_number_columns=frozenset()):
    head = raw.head.lstrip(b"\xef\xbb\xbf")
    quoted = raw.delimiter == "," or head[:1] == b'"'
    if raw.encoding in ("utf-8", "utf-8-sig"):
        stream = raw.stream()
    else:
        stream = pa.BufferReader(_text(raw).encode("utf-8"))
    invalid = []

    def on_invalid(row):
        invalid.append(row)
        return "error"

    read_options = pacsv.ReadOptions(column_names=names, skip_rows=1 + raw.skip_lines,
                                     block_size=_block_size(raw))
    parse_options = pacsv.ParseOptions(delimiter=raw.delimiter,
                                       quote_char='"' if quoted else False,
                                       newlines_in_values=quoted and newlines,
                                       invalid_row_handler=on_invalid)
    convert_options = pacsv.ConvertOptions(
        column_types={**{names[i]: pa.string() for i in string_columns if i < len(names)},
                      **{names[i]: pa.int64() for i in whole_number_columns if i < len(names)}},
        null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True,
    )
    with stream:
        table = pacsv.read_csv(stream, read_options=read_options, parse_options=parse_options,
                               convert_options=convert_options)
    if invalid:
        raise _NeedsFallback
    frame = table.to_pandas(types_mapper=_STRING_TYPES.get, split_blocks=True,
                            self_destruct=True)
    del table
    return frame


def _block_size(raw) -> int:
    """Read block size: 1/32 of the file, within pyarrow's default 1 MiB and 4 MiB [bytes].

    Every column comes in one chunk per block, and every kernel that follows loops over the
    chunks: 4 MiB blocks read a 1,000,000-line All Orders file 14 % faster; on small files they
    only raise the peak memory (benchmarks/ingest.py).
    """
    size = len(raw.content) if raw.content is not None else os.path.getsize(raw.path)
    return int(min(max(size // 32, 1 << 20), 4 << 20))


def _line_locator(raw):
    """Line number of each record, computed only when an error needs it."""
    cache = {}

    def line_of(position):
        if "lines" not in cache:
            cache["lines"] = _record_lines(raw)
        lines = cache["lines"]
        return lines[position] if 0 <= position < len(lines) else position + 2

    return line_of


def _python_rows(raw):
    csv.field_size_limit(sys.maxsize)
    quoting = csv.QUOTE_MINIMAL if raw.delimiter == "," or raw.head[:4].lstrip(
        b"\xef\xbb\xbf").startswith(b'"') else csv.QUOTE_NONE
    reader = csv.reader(io.StringIO(_text(raw), newline=""), delimiter=raw.delimiter,
                        quoting=quoting, strict=False)
    start = 1
    for row in reader:
        yield start, row
        start = reader.line_num + 1


def _record_lines(raw):
    lines = []
    for number, (line, row) in enumerate(_python_rows(raw)):
        if number == 0 or line <= raw.skip_lines + 1 or not row or row == [""]:
            continue
        lines.append(line)
    return lines


def _read_python(raw, headers, required_positions=frozenset()):
    """Slow exact path: every record checked for its cell count, line numbers kept."""
    width = len(headers)
    records, lines, padded = [], [], 0
    complete_last_line = raw.data.rstrip(b" \t")[-1:] in (b"\n", b"\r")
    try:
        rows = list(_python_rows(raw))
    except csv.Error as error:
        raise UnreadableFileError(f"malformed CSV ({error})", file=raw.path,
                                  expected="a comma- or tab-separated report") from None
    for number, (line, row) in enumerate(rows):
        if number == 0 or line <= raw.skip_lines + 1 or not row or row == [""]:
            continue
        is_last = number == len(rows) - 1
        if len(row) < width and not (is_last and not complete_last_line) and \
                not any(position >= len(row) for position in required_positions):
            row = row + [""] * (width - len(row))
            padded += 1
        if len(row) != width:
            _raise_width(raw, headers, line, row, is_last and not complete_last_line)
        records.append(row)
        lines.append(line)
    frame = pd.DataFrame(records, columns=[f"c{i}" for i in range(width)], dtype="str")
    frame = frame.replace("", None) if len(frame) else frame
    warnings = [f"{padded} row(s) ended early; their missing trailing cells read as blank"] \
        if padded else []
    return Table(headers, frame, lambda position: lines[position] if 0 <= position < len(lines)
                 else position + 2, warnings)


def _raise_width(raw, headers, line, row, is_last):
    if len(row) < len(headers):
        column = headers[len(row)]
        problem = (f"the last line is truncated: {len(row)} cells, the header has {len(headers)}"
                   if is_last else
                   f"row has {len(row)} cells, the header has {len(headers)} (cells missing)")
        raise MalformedRowError(problem, file=raw.path, row=line, column=column,
                                value=raw_line_preview(row),
                                expected=f"{len(headers)} cells per row")
    raise MalformedRowError(
        f"row has {len(row)} cells, the header has {len(headers)} (extra cells, maybe an "
        "unquoted delimiter)", file=raw.path, row=line, column=None,
        value=raw_line_preview(row), expected=f"{len(headers)} cells per row")


def raw_line_preview(row) -> str:
    return (chr(9) if len(row) else "").join(row)[:80]


def read_xlsx_sheets(raw: RawFile) -> dict:
    """Every worksheet of an xlsx file as a frame of Python objects (header row 1).

    Returns
    -------
    dict of str -> pandas.DataFrame
    """
    import warnings

    with warnings.catch_warnings():
        # Amazon's ads workbooks carry no default style; openpyxl warns about it.
        warnings.simplefilter("ignore", UserWarning)
        try:
            sheets = pd.read_excel(io.BytesIO(raw.data), sheet_name=None, header=None,
                                   dtype=object, engine="openpyxl")
        except Exception as error:  # openpyxl raises many types for damaged workbooks
            raise UnreadableFileError(f"cannot open the workbook ({error})", file=raw.path,
                                      expected="a readable .xlsx file") from None
    return sheets


def _header_position(cells: pd.DataFrame) -> int:
    """Position of the header row: note rows above it (a Brand Analytics filter line of a few
    cells) are skipped, as :func:`opsanalysis.io.detect.open_raw` does for text."""
    filled = cells.head(30).notna().sum(axis=1).tolist()
    widest = max(filled, default=0)
    return next((i for i, count in enumerate(filled) if count >= 3 and 2 * count >= widest), 0)


def xlsx_table(raw: RawFile, sheet_name: str, cells: pd.DataFrame) -> Table:
    """Turn one worksheet (header=None frame) into a :class:`Table`."""
    cells = cells.dropna(how="all")
    if cells.empty:
        raise EmptyReportError(f"worksheet {sheet_name!r} is empty", file=raw.path,
                               expected="a header row and data rows")
    header_row = cells.index[_header_position(cells)]
    headers = ["" if pd.isna(value) else str(value) for value in cells.loc[header_row]]
    while headers and headers[-1] == "":
        headers.pop()
    body = cells.loc[cells.index > header_row].iloc[:, :len(headers)]
    rows = [int(index) + 1 for index in body.index]
    body = body.reset_index(drop=True)
    body.columns = [f"c{i}" for i in range(len(headers))]
    return Table(headers, body, lambda position: rows[position] if 0 <= position < len(rows)
                 else position + 2, sheet=sheet_name)

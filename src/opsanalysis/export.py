"""Write report tables for people: CSV and XLSX that open safely in Excel, and escaped HTML.

Tables leave the package through :func:`write_tables` only, so every file a seller opens has

- CSV in UTF-8 *with* a byte-order mark: Excel on Windows (and WPS) guesses the legacy code page
  without it and shows Chinese/Japanese text as mojibake;
- one XLSX workbook with one sheet per table (Excel limits sheet names to 31 characters);
- headers translated to the report language when the ``opsanalysis.labels`` module knows them;
- spreadsheet formula injection neutralised: a text cell that starts with ``=``, ``+``, ``-``,
  ``@``, a tab or a line break is executed as a formula by spreadsheet programs (OWASP "CSV
  injection"), so it is prefixed with ``'``. Report data contains search terms, product titles and
  campaign names typed by third parties, so this is not theoretical. Numeric columns stay numeric:
  a genuine negative number is never touched, and a text cell holding only a plain number
  (``-12.5``) is left alone because it cannot be a formula.
- no silent overwrite: writing into a folder that already holds one of the target files raises
  :class:`FileExistsError` before anything is written;
- missing is not zero: in a row whose ``not_estimated_reason`` names what is unknown, an empty
  number cell reads "not estimated" (in the report language), never blank or 0.
"""

import re
from pathlib import Path

import pandas as pd

#: First characters that make Excel/LibreOffice/Google Sheets evaluate a cell. The full-width
#: forms are included because CJK input methods produce them and some spreadsheet programs
#: normalise them to their ASCII counterparts.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

# A cell made of one plain number (optional sign, digits, thousands separators, decimal part,
# exponent) is evaluated as that number, never as a formula, so it is safe to keep as is.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d+)*)([eE][+-]?\d+)?")

#: Characters Excel refuses in sheet names.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX_LENGTH = 31
#: Rows per worksheet in Excel (header included).
EXCEL_MAX_ROWS = 1_048_576
#: Column naming, per row, the unknown inputs (:data:`opsanalysis.profit.REASON_COLUMN`).
REASON_COLUMN = "not_estimated_reason"


def neutralise_formula(value):
    """Return ``value`` made safe for a spreadsheet cell.

    Parameters
    ----------
    value : object
        A cell value. Only strings are changed.

    Returns
    -------
    object
        ``"'" + value`` when ``value`` is a string starting with one of
        :data:`FORMULA_PREFIXES` and is not a plain number; otherwise ``value`` unchanged.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralise formula injection in every text cell and header of ``frame``.

    Parameters
    ----------
    frame : DataFrame
        Any table. A non-default index is kept as ordinary leading columns.

    Returns
    -------
    DataFrame
        A copy whose text cells and column names pass through :func:`neutralise_formula`;
        numeric, boolean and date columns are unchanged (same dtype).
    """
    result = _index_as_columns(frame)
    for position in range(result.shape[1]):  # by position: duplicate headers are allowed
        values = result.iloc[:, position]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
            result.isetitem(position, values.map(neutralise_formula, na_action="ignore"))
    result.columns = [neutralise_formula(str(name)) for name in result.columns]
    return result


def write_tables(tables, output_dir, language="en", stem=None) -> list[Path]:
    """Write report tables as CSV files and one XLSX workbook.

    Parameters
    ----------
    tables : dict of str to DataFrame
        Table name -> table. Names become file names and sheet names, so use short snake_case
        ids (``"coverage"``, ``"reorder_plan"``).
    output_dir : str or Path
        Folder to write into; created when missing. Existing files are never overwritten.
    language : {"en", "zh"}
        Language of the column headers (via ``opsanalysis.labels.translate_columns``; names the
        labels do not know are kept).
    stem : str, optional
        Prefix of every file name, normally the notebook name, so that several notebooks can
        write into the same folder: ``<stem>_<table>.csv`` and ``<stem>.xlsx``. Without it the
        files are ``<table>.csv`` and ``tables.xlsx``.

    Returns
    -------
    list of Path
        The files written: one CSV per table in the order given, then the workbook.

    Raises
    ------
    FileExistsError
        When any target file already exists (nothing is written then).
    ValueError
        When ``tables`` is empty, a table name is empty or a table has more rows than an Excel
        sheet holds.
    """
    if not tables:
        raise ValueError("write_tables needs at least one table")
    too_long = [name for name, frame in tables.items() if len(frame) >= EXCEL_MAX_ROWS]
    if too_long:
        raise ValueError(f"tables {too_long} exceed Excel's {EXCEL_MAX_ROWS:,} rows: aggregate "
                         "them (a report table is for people) or write them with pandas")
    output_dir = Path(output_dir)
    prepared = {name: _prepare(frame, language) for name, frame in tables.items()}
    targets = _target_paths(list(prepared), output_dir, stem)
    existing = [str(path) for path in targets.values() if path.exists()]
    if existing:
        raise FileExistsError(f"refusing to overwrite existing report files: {existing}")
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in prepared.items():
        # mode "x" fails instead of overwriting a file created in the meantime
        with open(targets[name], "x", encoding="utf-8-sig", newline="") as handle:
            # CRLF (RFC 4180) also makes the csv module quote cells holding a bare CR, which
            # with a "\n" terminator would silently split a row in two
            frame.to_csv(handle, index=False, lineterminator="\r\n")
        written.append(targets[name])
    workbook = targets[None]
    with open(workbook, "xb") as handle, pd.ExcelWriter(handle, engine="openpyxl") as writer:
        for sheet_name, frame in zip(_sheet_names(list(prepared)), prepared.values(), strict=True):
            _for_excel(frame).to_excel(writer, sheet_name=sheet_name, index=False)
    written.append(workbook)
    return written


def to_html(frame: pd.DataFrame, language=None, index=False, float_format=None) -> str:
    """Render a table as an HTML ``<table>`` with every text cell and header escaped.

    Parameters
    ----------
    frame : DataFrame
        Table to show.
    language : {"en", "zh"}, optional
        Translate headers through ``opsanalysis.labels`` when given.
    index : bool
        Include the index.
    float_format : callable, optional
        Passed to :meth:`pandas.DataFrame.to_html`.

    Returns
    -------
    str
        HTML fragment; ``<``, ``>`` and ``&`` in cells and headers are entity-escaped.
    """
    shown = mark_not_estimated(frame, language or "en")
    shown = _translate(shown, language) if language else shown
    return shown.to_html(index=index, escape=True, na_rep="", float_format=float_format)


def _prepare(frame, language):
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"tables must be DataFrames, got {type(frame).__name__}")
    return neutralise_frame(_translate(mark_not_estimated(_index_as_columns(frame), language),
                                       language))


def mark_not_estimated(frame: pd.DataFrame, language) -> pd.DataFrame:
    """A copy in which an empty number cell of a row with a ``not_estimated_reason`` reads
    "not estimated" (label ``not_estimated``), so an unknown fee or cost never reads as 0.

    Parameters
    ----------
    frame : DataFrame
    language : {"en", "zh"}

    Returns
    -------
    DataFrame
        Unchanged (a copy) without the reason column or without such cells; otherwise the
        affected float columns hold numbers and the text (object dtype).
    """
    result = frame.copy()
    if REASON_COLUMN not in result:
        return result
    reason = result[REASON_COLUMN].fillna("").astype(str).str.strip().ne("").to_numpy()
    if not reason.any():
        return result
    text = _not_estimated_text(language)
    for position in range(result.shape[1]):
        values = result.iloc[:, position]
        if not pd.api.types.is_float_dtype(values.dtype):
            continue
        empty = values.isna().to_numpy() & reason
        if empty.any():
            result.isetitem(position, values.astype(object).where(~empty, text))
    return result


def _not_estimated_text(language) -> str:
    try:
        from opsanalysis.labels import label
    except ImportError:  # labels not installed in a minimal build
        return "not estimated"
    return label("not_estimated", language)


def _index_as_columns(frame):
    if isinstance(frame.index, pd.RangeIndex) and frame.index.name is None:
        return frame.copy()
    return frame.reset_index()


def _translate(frame, language):
    """Translate headers with opsanalysis.labels when that module provides translate_columns."""
    try:
        from opsanalysis.labels import translate_columns
    except ImportError:  # labels not installed in a minimal build: keep the canonical names
        return frame
    translated = translate_columns(frame, language)
    if isinstance(translated, pd.DataFrame):
        return translated
    renamed = frame.copy()
    renamed.columns = list(translated)
    return renamed


def _target_paths(names, output_dir, stem):
    paths = {}
    for name in names:
        safe = _file_part(name)
        if not safe:
            raise ValueError(f"table name {name!r} gives an empty file name")
        file_name = f"{stem}_{safe}.csv" if stem else f"{safe}.csv"
        paths[name] = output_dir / file_name
    if len(set(paths.values())) != len(paths):
        raise ValueError(f"table names collide as file names: {names}")
    paths[None] = output_dir / (f"{_file_part(stem)}.xlsx" if stem else "tables.xlsx")
    return paths


def _file_part(name):
    """File-system-safe version of a table name (letters of any script, digits, - and _)."""
    return re.sub(r"[^\w\-]+", "_", str(name), flags=re.UNICODE).strip("_.")


def _sheet_names(names):
    """Unique Excel sheet names of at most 31 characters without forbidden characters."""
    result = []
    for name in names:
        base = _SHEET_FORBIDDEN.sub("_", str(name)).strip("'") or "sheet"
        candidate = base[:SHEET_NAME_MAX_LENGTH]
        counter = 2
        while candidate.lower() in {used.lower() for used in result}:
            suffix = f"~{counter}"
            candidate = base[:SHEET_NAME_MAX_LENGTH - len(suffix)] + suffix
            counter += 1
        result.append(candidate)
    return result


def _for_excel(frame):
    """Excel cannot store time-zone-aware datetimes: write their local wall-clock time."""
    result = frame.copy()
    for position in range(result.shape[1]):
        values = result.iloc[:, position]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            result.isetitem(position, values.dt.tz_localize(None))
    return result

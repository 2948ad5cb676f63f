"""Write report tables for people: CSV and XLSX that open safely in Excel, and escaped HTML.

Tables leave the package through :func:`write_tables` only, so every file a seller opens has

- CSV in UTF-8 *with* a byte-order mark: Excel on Windows (and WPS) guesses the legacy code page
  without it and shows Chinese/Japanese text as mojibake;
- one XLSX workbook with one sheet per table (Excel limits sheet names to 31 characters),
  opened by a first sheet ("About") that says what each sheet holds, the report date, the
  marketplace, the files read and the run id; every data sheet has a frozen header row, a
  filter, fitted column widths (CJK characters count double), the number format of
  :func:`opsanalysis.formats.excel_number_format` on every number and date column (rates stay
  fractions with a percent format; dates are real dates without 00:00:00) and the status
  colours of :data:`STATUS_COLOURS`, and shows codes of status-like columns in words;
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

import datetime
import functools
import re
import unicodedata
from pathlib import Path

import pandas as pd
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from opsanalysis.formats import MISSING_TEXT, column_kind, excel_number_format, format_value
from opsanalysis.labels import all_labels, label

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
#: ``DataFrame.attrs`` key of a table that declares its columns' kinds itself ({column: kind},
#: :data:`opsanalysis.formats.KINDS`), where the name rules of ``column_kind`` cannot know them
#: (Amazon's own headers: "Daily Budget" is money, "Percentage" a plain number of percent).
COLUMN_KINDS_ATTR = "column_kinds"
#: Widest column [characters; a CJK character counts two]: longer text wraps off-screen.
COLUMN_WIDTH_MAX = 60

#: The colour of every status, verdict and action code in a workbook: ONE map. Red asks for
#: action now, amber for a look, green says all is well; codes not listed stay uncoloured.
STATUS_COLOURS = {
    # replenishment statuses and actions
    "stockout_risk": "red", "order_now": "red", "expedite_order": "red", "place_order": "red",
    "awaiting_inbound": "red", "chase_inbound_shipment": "red",
    "reorder_soon": "amber", "prepare_order": "amber", "aged": "amber", "overstock": "amber",
    "remove_or_liquidate": "amber", "stop_reorder_promote": "amber", "in_stock": "green",
    # launch verdicts
    "lagging": "red", "too_early": "amber", "on_track": "green", "ahead": "green",
    # KPI scorecard
    "breach": "red", "watch": "amber", "good": "green",
    # ad actions that stop spend (negate, pause) and those that wait for a person
    "add_negative_exact": "red", "negate_in_source_with_harvest": "red",
    "pause_or_lower_keyword": "red", "rule_negates_evidence_keeps": "amber",
    "add_exact_keyword": "green",
}
#: (fill, font) colours of :data:`STATUS_COLOURS`: Excel's own "light red fill with dark red
#: text" and its yellow and green counterparts.
_FILLS = {"red": ("FFC7CE", "9C0006"), "amber": ("FFEB9C", "9C5700"),
          "green": ("C6EFCE", "006100")}
# Canonical columns holding codes (label keys) a reader sees in words; colours apply to the
# first three.
_CODE_COLUMN = re.compile(r"(^|_)(status|verdict|action|reason|role|check|segment|level|basis)$")
_STATUS_COLUMN = re.compile(r"(^|_)(status|verdict|action)$")


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


def write_tables(tables, output_dir, language="en", stem=None, *, as_of=None, marketplace=None,
                 currency=None, inputs=None, run_id=None) -> list[Path]:
    """Write report tables as CSV files and one formatted XLSX workbook.

    Parameters
    ----------
    tables : dict of str to DataFrame
        Table name -> table (tidy, raw values: rates as fractions, codes as codes). Names become
        file names and sheet names, so use short snake_case ids (``"coverage"``,
        ``"reorder_plan"``); the first sheet describes each by its label
        ``<name>_description``, else the label of the name. A table may declare kinds of
        columns the name rules do not know in ``attrs[COLUMN_KINDS_ATTR]``.
    output_dir : str or Path
        Folder to write into; created when missing. Existing files are never overwritten.
    language : {"en", "zh"}
        Language of the column headers (via ``opsanalysis.labels.translate_columns``; names the
        labels do not know are kept), of the first sheet and of the codes shown in words.
    stem : str, optional
        Prefix of every file name, normally the notebook name, so that several notebooks can
        write into the same folder: ``<stem>_<table>.csv`` and ``<stem>.xlsx``. Without it the
        files are ``<table>.csv`` and ``tables.xlsx``.
    as_of : date-like, optional
        Report date, shown on the first sheet.
    marketplace : str, optional
        Marketplace code, shown on the first sheet.
    currency : str, optional
        ISO 4217 code of money columns of tables without a single-currency ``currency`` column
        (JPY: ``#,##0``; USD: ``#,##0.00``).
    inputs : DataFrame or sequence of str, optional
        The files the report read: a ``MarketplaceData.summary`` (its rows of status "ok" are
        listed with kind, rows and period) or plain file names.
    run_id : str, optional
        Id of the batch run (its folder name), shown on the first sheet.

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
    about = {"report": stem, "as_of": as_of, "marketplace": marketplace, "currency": currency,
             "run_id": run_id, "inputs": inputs}
    _write_workbook(targets[None], tables, language, currency, about)
    written.append(targets[None])
    return written


def _write_workbook(path, tables, language, currency, about):
    """The workbook: the first sheet (:func:`_write_about`), then one formatted sheet a table."""
    names = _sheet_names([label("workbook_about", language), *tables])
    sheets = dict(zip(tables, names[1:], strict=True))
    with open(path, "xb") as handle, pd.ExcelWriter(handle, engine="openpyxl") as writer:
        _write_about(writer.book.create_sheet(names[0]), tables, sheets, language, about)
        for name, frame in tables.items():
            raw = _index_as_columns(frame)
            layout = _layout(raw, currency, language)
            shown = neutralise_frame(_translate(_codes_in_words(
                mark_not_estimated(raw, language), language), language))
            _for_excel(shown).to_excel(writer, sheet_name=sheets[name], index=False)
            _format_sheet(writer.sheets[sheets[name]], shown, layout)


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


# --------------------------------------------------------------------------------------------
# the formatted workbook
# --------------------------------------------------------------------------------------------

def _layout(raw, currency, language):
    """Kind and number format of each column (by position: headers may repeat); a money column
    of a table mixing currencies gets one format per row."""
    declared = raw.attrs.get(COLUMN_KINDS_ATTR) or {}
    currencies = _row_currencies(raw, currency)
    kinds, formats = [], []
    for position in range(raw.shape[1]):
        name, values = raw.columns[position], raw.iloc[:, position]
        kind = declared.get(name) or column_kind(name, _numbers_as_numbers(values))
        kinds.append(kind)
        if kind == "date":
            formats.append("yyyy-mm-dd" if _at_midnight(values) else "yyyy-mm-dd hh:mm")
        elif kind == "money" and not isinstance(currencies, str | None):
            formats.append([excel_number_format(kind, code) for code in currencies])
        elif kind == "number" and pd.api.types.is_integer_dtype(values.dtype):
            formats.append(excel_number_format("count"))  # whole numbers: no needless decimals
        else:
            formats.append(excel_number_format(kind, currencies))
    return {"kinds": kinds, "formats": formats, "currency": currencies,
            "status": [bool(_STATUS_COLUMN.search(str(name))) for name in raw.columns]}


def _row_currencies(raw, currency):
    """The table's one currency (its ``currency`` column, else ``currency``) or, when the column
    holds several, the list of each row's."""
    if "currency" not in raw.columns or not isinstance(raw["currency"], pd.Series):
        return currency
    codes = raw["currency"].dropna().astype(str).unique()
    if len(codes) == 1:
        return codes[0]
    if len(codes) == 0:
        return currency
    return [code if isinstance(code, str) else currency for code in raw["currency"]]


def _numbers_as_numbers(values):
    """An object column holding only numbers, as floats (its kind is then a number kind)."""
    if not pd.api.types.is_object_dtype(values.dtype):
        return values
    present = values.dropna()
    if len(present) and all(isinstance(v, int | float) and not isinstance(v, bool)
                            for v in present):
        return values.astype(float)
    return values


def _at_midnight(values):
    stamps = pd.to_datetime(values, errors="coerce")
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(None)
    stamps = stamps.dropna()
    return bool((stamps == stamps.dt.normalize()).all())


def _codes_in_words(frame, language):
    """Codes of status-like columns (``status``, ``action``, ``reason`` ...) in words."""
    words = _label_texts(language)
    result = frame.copy()
    for position in range(result.shape[1]):
        if not _CODE_COLUMN.search(str(result.columns[position])):
            continue
        values = result.iloc[:, position]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
            result.isetitem(position, values.map(
                lambda code: words.get(code, code) if isinstance(code, str) else code,
                na_action="ignore"))
    return result


def _format_sheet(sheet, shown, layout):
    """Frozen header, filter, number formats, widths and status colours of one data sheet."""
    rows, columns = shown.shape
    if columns == 0:
        return
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows + 1}"
    for position in range(columns):
        letter = get_column_letter(position + 1)
        number_format = layout["formats"][position]
        if number_format is not None and rows:
            per_row = number_format if isinstance(number_format, list) else [number_format] * rows
            for (cell,), fmt in zip(sheet.iter_rows(min_row=2, max_row=rows + 1,
                                                    min_col=position + 1, max_col=position + 1),
                                    per_row, strict=True):
                if fmt is not None:
                    cell.number_format = fmt
        sheet.column_dimensions[letter].width = _column_width(
            shown.columns[position], shown.iloc[:, position], layout["kinds"][position],
            layout["currency"])
        if layout["status"][position] and rows:
            _add_status_colours(sheet, letter, rows, shown.iloc[:, position])


def _column_width(header, values, kind, currency):
    """Width fitted to the header (plus the filter button) and the widest shown value."""
    sample = values.iloc[:5000].dropna()
    currency = currency if isinstance(currency, str) else None
    texts = [_cell_text(value, kind, currency) for value in sample.unique()] if len(sample) else []
    widest = max([_display_width(text) for text in texts], default=0)
    return min(max(_display_width(str(header)) + 4, widest + 2, 8), COLUMN_WIDTH_MAX)


def _cell_text(value, kind, currency):
    if isinstance(value, int | float) and not isinstance(value, bool) and kind in (
            "percent", "money", "count", "days", "number"):
        return format_value(value, kind, currency)
    if kind == "date" and isinstance(value, pd.Timestamp):
        return format_value(value, "date")
    return str(value)


def _display_width(text):
    """Characters a cell needs: wide (CJK, full-width) characters count two."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _add_status_colours(sheet, letter, rows, values):
    """One conditional fill per colour over the column, matching each shown code or word."""
    by_colour = {}
    for text in values.dropna().astype(str).unique():
        colour = _colour_of_text().get(text)
        if colour:
            by_colour.setdefault(colour, []).append(text)
    for colour, texts in by_colour.items():
        fill, font = _FILLS[colour]
        tests = ",".join(f'{letter}2="{text.replace(chr(34), chr(34) * 2)}"' for text in texts)
        sheet.conditional_formatting.add(f"{letter}2:{letter}{rows + 1}", FormulaRule(
            formula=[f"OR({tests})"], font=Font(color=font),
            fill=PatternFill(start_color=fill, end_color=fill, fill_type="solid")))


@functools.cache
def _colour_of_text():
    """:data:`STATUS_COLOURS` by code and by its words in every language (computed once: the
    labels are read once per process)."""
    labels = _labels()
    result = {}
    for code, colour in STATUS_COLOURS.items():
        result[code] = colour
        for text in labels.get(code, {}).values():
            result.setdefault(text, colour)
    return result


def _write_about(sheet, tables, sheets, language, about):
    """The first sheet: what the workbook is, then one line per sheet, then the files read."""
    def words(key):
        return label(key, language)

    report = about["report"]
    rows = [
        [words("workbook_title")],
        [words("report"), _label_or(report, language) if report else MISSING_TEXT],
        [words("as_of"), _as_date(about["as_of"]) or MISSING_TEXT],
        [words("marketplace"), about["marketplace"] or MISSING_TEXT],
        [words("currency"), about["currency"] or MISSING_TEXT],
        [words("run_id"), about["run_id"] or words("not_a_batch_run")],
        [],
        [words("sheet_name"), words("rows"), words("sheet_description")],
        *[[sheets[name], len(frame), _description(name, language)]
          for name, frame in tables.items()],
        [],
        [words("files_read")],
        [words(key) for key in ("file", "kind", "rows", "period_start", "period_end")],
        *_input_rows(about["inputs"], language),
    ]
    bold = {0, 7, 9 + len(tables), 10 + len(tables)}
    for number, row in enumerate(rows):
        sheet.append([neutralise_formula(value) for value in row])
        for cell in sheet[number + 1]:
            if number in bold:
                cell.font = Font(bold=True)
            if isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, int) and number > 7:
                cell.number_format = "#,##0"
    for position, letter in enumerate("ABCDE"):
        texts = [str(row[position]) for number, row in enumerate(rows)
                 if number and position < len(row) and row[position] is not None]
        sheet.column_dimensions[letter].width = min(
            max([_display_width(text) + 2 for text in texts], default=8), COLUMN_WIDTH_MAX)


@functools.cache
def _labels():
    """Every label (:func:`opsanalysis.labels.all_labels`), copied once per process: the label
    files are read once per process, and a copy per looked-up word cost ~1 ms each."""
    return all_labels()


@functools.cache
def _label_texts(language):
    """Label key -> its text in ``language``."""
    return {key: texts[language] for key, texts in _labels().items()}


def _label_or(key, language):
    labels = _labels()
    return labels[key][language] if isinstance(key, str) and key in labels else key


def _description(name, language):
    labels = _labels()
    key = f"{name}_description"
    if key in labels:
        return labels[key][language]
    return _label_or(name, language)


def _as_date(value):
    """A date-like value as a naive midnight datetime (a real Excel date), else None."""
    if value is None or value is pd.NaT or value == "":
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize().to_pydatetime()


def _input_rows(inputs, language):
    """file, kind, rows, period start, period end of each file read."""
    if inputs is None:
        return []
    if not isinstance(inputs, pd.DataFrame):
        return [[str(name)] for name in inputs]
    table = inputs
    if "status" in table:
        table = table[table["status"].astype(str) == "ok"]
    rows = []
    for record in table.to_dict("records"):
        count = record.get("rows")
        rows.append([str(record.get("file", "")), _label_or(record.get("kind"), language) or "",
                     int(count) if pd.notna(count) else None,
                     _as_date(record.get("period_start")), _as_date(record.get("period_end"))])
    return rows

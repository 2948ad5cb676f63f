"""Vectorised number parsing with pyarrow compute (RE2 regexes in C++, no per-cell Python).

Handles ``1,234.56``, ``$5,216.29``, ``1.999,55 €``, ``￥1,234``, ``USD 58.89``, ``Rs.1000.0``,
``4.51%``, ``(12.00)``, ``Infinite``, ``365+`` and blanks. The decimal mark is given by the
caller; :func:`decimal_evidence` tells which marks a column's own text proves (``1.234,56`` can
only be a decimal comma, ``1,234.56`` only a decimal point).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from opsanalysis.io.errors import AmbiguousFormatError, ValueParseError

__all__ = ["BLANKS", "CellError", "NumberResult", "blank_text_mask", "decimal_evidence",
           "encode_text",
           "decimal_evidence_positions", "parse_numbers", "to_arrow_text"]

BLANKS = ("", "-", "--", "—", "n/a", "na", "null", "none", "nan")
INFINITE = ("infinite", "infinity", "inf", "∞")
_SPACES = "[\\s\u00a0\u202f']"
_CURRENCY = "(?:[A-Z]{3}|Rs\\.?|R\\$|S\\$|C\\$|A\\$|US\\$|[$£€¥￥₹]|円|kr|zł|TL)"
_SHAPE = (f"^(?P<neg1>[-−])?\\s*(?P<pre>{_CURRENCY})?\\s*(?P<neg2>[-−])?\\s*"
          f"(?P<num>[0-9][0-9.,\\s\u00a0\u202f']*|[.,][0-9]+)\\s*(?P<post>{_CURRENCY})?$")
_NUMBER_RUN = "(?P<num>[0-9](?:[0-9.,\\s\u00a0\u202f']*[0-9])?)"
# Digit groups never start with 0 ("0.123" is a decimal, never 123).
_GROUPING = {
    ".": "^(?:[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)?(?:\\.[0-9]+)?$",
    ",": "^(?:[1-9][0-9]{0,2}(?:\\.[0-9]{3})+|[0-9]+)?(?:,[0-9]+)?$",
}
_PLAIN = {".": "^[-+]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?$",
          ",": "^-?[0-9]+$"}
_EVIDENCE = {
    ".": "^[0-9]{1,3}(?:,[0-9]{3})+\\.[0-9]+$|^[0-9]+\\.(?:[0-9]{1,2}|[0-9]{4,})$|"
         "^[0-9]{1,3}(?:,[0-9]{3}){2,}$|^0\\.[0-9]+$",
    ",": "^[0-9]{1,3}(?:\\.[0-9]{3})+,[0-9]+$|^[0-9]+,(?:[0-9]{1,2}|[0-9]{4,})$|"
         "^[0-9]{1,3}(?:\\.[0-9]{3}){2,}$|^0,[0-9]+$",
}
SYMBOL_CURRENCY = {"$": "USD", "US$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "￥": "JPY",
                   "円": "JPY", "₹": "INR", "Rs": "INR", "Rs.": "INR", "R$": "BRL", "S$": "SGD",
                   "C$": "CAD", "A$": "AUD", "kr": "SEK", "zł": "PLN", "TL": "TRY"}


class CellError(Exception):
    """A value at ``position`` (0-based record) that the column's parser rejects."""

    def __init__(self, position, value, expected, problem="cannot read value",
                 error_class=None):
        super().__init__(problem)
        self.position = position
        self.value = value
        self.expected = expected
        self.problem = problem
        self.error_class = error_class or ValueParseError


@dataclass
class NumberResult:
    """Parsed numbers with what the text told about them.

    Attributes
    ----------
    values : pandas.Series
        float64.
    percent : numpy.ndarray of bool or None
        Cells written with ``%`` (already divided by 100).
    currencies : dict
        ISO code -> position of the first cell written in it.
    """

    values: pd.Series
    percent: np.ndarray | None
    currencies: dict


def to_arrow_text(series: pd.Series) -> pa.ChunkedArray:
    """A text column as a pyarrow string array (zero-copy for pyarrow-backed strings)."""
    if hasattr(series.array, "__arrow_array__"):
        data = series.array.__arrow_array__()
        data = data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])
        if pa.types.is_string(data.type) or pa.types.is_large_string(data.type):
            return data
    values = series.to_numpy(dtype=object, na_value=None)
    return pa.chunked_array([pa.array([None if v is None else str(v) for v in values],
                                      type=pa.large_string())])


def true_mask(mask) -> np.ndarray:
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def _non_empty(field) -> pa.ChunkedArray:
    return pc.fill_null(pc.greater(pc.utf8_length(field), 0), False)


def _shape(text):
    """(struct of regex groups, cleaned number text, percent mask, wrapped mask)."""
    text = pc.utf8_trim_whitespace(text)
    wrapped = pc.fill_null(pc.match_substring_regex(text, "^\\(.*\\)$"), False)
    text = pc.if_else(wrapped, pc.utf8_slice_codeunits(text, 1, -1), text)
    percent = pc.fill_null(pc.ends_with(text, "%"), False)
    text = pc.if_else(percent, pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(text, 0, -1)),
                      text)
    shape = pc.extract_regex(text, _SHAPE)
    number = pc.replace_substring_regex(pc.struct_field(shape, "num"), _SPACES, "")
    return shape, number, percent, wrapped


def _text_cells(series: pd.Series) -> pd.Series:
    if series.dtype == object:
        return series[series.map(lambda value: isinstance(value, str))]
    return series


def encode_text(series: pd.Series):
    """A text column dictionary-encoded (distinct values in order of first appearance).

    Returns None for columns that are not all text (numbers typed by pyarrow, xlsx cells).
    """
    if series.dtype == object or not pd.api.types.is_string_dtype(series.dtype):
        return None
    return pc.dictionary_encode(to_arrow_text(series).combine_chunks())


def decimal_evidence(series: pd.Series, sample: int = 20000, encoded=None) -> set:
    """Decimal marks that a column's text proves: ``{"."}``, ``{","}``, both, or none.

    Parameters
    ----------
    series : pandas.Series
        Raw cells (only text is examined).
    sample : int
        Number of leading cells examined (their distinct values).
    encoded : pyarrow.DictionaryArray, optional
        The column from :func:`encode_text`, when the caller has it already.

    Returns
    -------
    set of str
    """
    if not (series.dtype == object or pd.api.types.is_string_dtype(series.dtype)):
        return set()
    if encoded is not None:
        # the distinct values met in the first `sample` cells (numbered by first appearance)
        last = pc.max(encoded.indices.slice(0, sample)).as_py()
        text = encoded.dictionary.slice(0, 0 if last is None else last + 1)
    else:
        text = pc.unique(to_arrow_text(_text_cells(series.head(sample)).dropna()))
    if len(text) == 0 or not pc.any(pc.match_substring_regex(text, "[0-9][.,][0-9]")).as_py():
        return set()  # plain integers and words prove nothing
    # The number is the run from the first digit to the last (currency, sign, "%" and
    # brackets fall outside it); a cell that is not a number at all fails when parsed.
    number = pc.struct_field(pc.extract_regex(text, _NUMBER_RUN), "num")
    number = pc.replace_substring_regex(number, _SPACES, "")
    return {mark for mark, pattern in _EVIDENCE.items()
            if pc.any(pc.match_substring_regex(number, pattern)).as_py()}


def decimal_evidence_positions(series: pd.Series, decimal: str):
    """Position of the first cell proving ``decimal`` as the decimal mark, or None."""
    _, number, _, _ = _shape(to_arrow_text(series.astype("str")))
    hits = true_mask(pc.match_substring_regex(number, _EVIDENCE[decimal]))
    return int(np.flatnonzero(hits)[0]) if hits.any() else None


def blank_text_mask(text) -> np.ndarray:
    """True where an arrow text cell means "no value" (missing, empty, ``-``, ``N/A``...)."""
    folded = pc.utf8_lower(pc.utf8_trim_whitespace(text))
    return true_mask(pc.or_kleene(pc.is_null(text), pc.is_in(folded, value_set=pa.array(BLANKS))))


def parse_numbers(series: pd.Series, decimal: str = ".", *, allow_infinite: bool = False,
                  expected: str = "a number", encoded=None) -> NumberResult:
    """Read one column of numbers, money or percentages.

    Parameters
    ----------
    series : pandas.Series
        Raw cells: numbers (xlsx, pyarrow-typed columns), text, or a mix.
    decimal : str
        Decimal mark of the column ("." or ","); the other mark is the thousands separator.
    allow_infinite : bool
        Accept ``Infinite`` as ``inf`` and a capped ``365+`` as 365.
    expected : str
        Wording for error messages.
    encoded : pyarrow.DictionaryArray, optional
        ``series`` from :func:`encode_text`, when the caller has it already.

    Returns
    -------
    NumberResult

    Raises
    ------
    CellError
        For the first cell that is not a number in this format.
    """
    if pd.api.types.is_bool_dtype(series.dtype):
        raise CellError(0, series.iloc[0], expected)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return NumberResult(series.astype("float64"), None, {})
    if series.dtype == object and series.isna().all():
        return NumberResult(pd.Series(np.full(len(series), np.nan), index=series.index),
                            None, {})
    text_positions = None
    if series.dtype == object:
        numeric = series.map(lambda value: isinstance(value, int | float | np.number)
                             and not isinstance(value, bool)).to_numpy(dtype=bool)
        text_positions = np.flatnonzero(~numeric & series.notna().to_numpy())
        text = to_arrow_text(series.iloc[text_positions])
    else:
        text = to_arrow_text(series)
    # Report cells repeat a lot ($0.00, 100.00%, one price per SKU): parse each distinct
    # text once, then index the results by each cell's code (-1, a missing cell, picks the
    # appended NaN).
    if encoded is None or text_positions is not None:
        encoded = pc.dictionary_encode(text.combine_chunks())
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)

    def row_of(code):
        # Distinct texts are numbered in order of first appearance: the first cell of a
        # lower code comes first, so errors and currencies name the earliest cell.
        row = int(np.argmax(codes == code))
        return row if text_positions is None else int(text_positions[row])

    distinct, percent, currencies = _parse_distinct(encoded.dictionary, row_of, series,
                                                    decimal, allow_infinite, expected)
    cell_values = np.append(distinct, np.nan)[codes]
    cell_percent = None if percent is None or not percent.any() else \
        np.append(percent, False)[codes]
    if text_positions is None:
        return NumberResult(pd.Series(cell_values, index=series.index), cell_percent,
                            currencies)
    values = np.full(len(series), np.nan)
    values[numeric] = series[numeric].astype("float64").to_numpy()
    values[text_positions] = cell_values
    percent_mask = None
    if cell_percent is not None:
        percent_mask = np.zeros(len(series), dtype=bool)
        percent_mask[text_positions] = cell_percent
    return NumberResult(pd.Series(values, index=series.index), percent_mask, currencies)


def _parse_distinct(text, row_of, series, decimal, allow_infinite, expected):
    """Numbers of distinct cell texts: (float64 values, percent mask or None, currencies).

    ``row_of(i)`` gives the series row of the first cell holding ``text[i]``, for error
    messages and currencies.
    """
    if len(text) == 0:
        return np.empty(0), None, {}
    if series.dtype != object:
        fast = _uniform_column(text, decimal)
        if fast is not None:
            values, percent, currencies = fast
            return values, percent, {code: row_of(where) for code, where in currencies.items()}
    values = np.full(len(text), np.nan)
    percent = np.zeros(len(text), dtype=bool)
    blank = blank_text_mask(text)
    kept, text = np.flatnonzero(~blank), pc.filter(text, pa.array(~blank))
    plain = true_mask(pc.match_substring_regex(text, _PLAIN[decimal]))
    if plain.any():
        values[kept[plain]] = pc.cast(pc.filter(text, pa.array(plain)),
                                      pa.float64()).to_numpy()
    currencies = {}
    if not plain.all():
        rest = kept[~plain]
        parsed, rest_percent, currencies = _parse_formatted(
            pc.filter(text, pa.array(~plain)), lambda i: row_of(int(rest[i])), series,
            decimal, allow_infinite, expected)
        values[rest], percent[rest] = parsed, rest_percent
    return values, percent, currencies


def _cast(text):
    try:
        return pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _uniform_column(text, decimal):
    """Fast path for columns written one way throughout: ``12.5``, ``$3.34`` or ``0.38%``.

    Returns (values, percent mask, currencies) or None when the general path is needed.
    """
    if decimal != "." or text.null_count == len(text):
        return None
    first = pc.drop_null(text)[0].as_py()
    if first[:1].isdigit() or first[:1] in "-.":
        values = _cast(text)
        if values is not None:
            return values, None, {}
    symbol = next((s for s in ("US$", "R$", "S$", "C$", "A$", "$", "£", "€", "¥", "￥", "₹")
                   if first.startswith(s)), None)
    if symbol and pc.all(pc.starts_with(text, symbol)).as_py():
        values = _cast(pc.utf8_slice_codeunits(text, len(symbol)))
        if values is not None and not np.isinf(values).any():
            position = int(pc.index(pc.is_valid(text), True).as_py())
            return values, None, {SYMBOL_CURRENCY[symbol]: position}
    if first.endswith("%") and pc.all(pc.ends_with(text, "%")).as_py():
        number = pc.utf8_slice_codeunits(text, 0, -1)
        number = pc.binary_join_element_wise(number, pa.scalar("e-2", type=number.type),
                                             pa.scalar("", type=number.type))
        values = _cast(number)
        if values is not None and not np.isinf(values).any():
            return values, true_mask(pc.is_valid(text)), {}
    return None


def _parse_formatted(text, row_of, series, decimal, allow_infinite, expected):
    infinite = true_mask(pc.is_in(pc.utf8_lower(pc.utf8_trim_whitespace(text)),
                              value_set=pa.array(INFINITE)))
    if infinite.any() and not allow_infinite:
        position = row_of(int(np.flatnonzero(infinite)[0]))
        raise CellError(int(position), series.iloc[position], expected)
    if allow_infinite:
        text = pc.replace_substring_regex(text, "([0-9])\\s*\\+$", "\\1")
    text = pc.if_else(pa.array(infinite), "0", text)
    shape, number, percent, wrapped = _shape(text)
    bad = ~true_mask(pc.is_valid(shape))
    if bad.any():
        position = row_of(int(np.flatnonzero(bad)[0]))
        raise CellError(int(position), series.iloc[position], expected)
    bad = ~true_mask(pc.match_substring_regex(number, _GROUPING[decimal]))
    if bad.any():
        position = row_of(int(np.flatnonzero(bad)[0]))
        raise CellError(int(position), series.iloc[position],
                        f"{expected} with decimal mark {decimal!r}",
                        "number format does not match the file's decimal mark",
                        AmbiguousFormatError)
    number = pc.replace_substring(number, "," if decimal == "." else ".", "")
    if decimal == ",":
        number = pc.replace_substring(number, ",", ".")
    # "4.51%" is read as the text "4.51e-2", so the fraction is the double nearest 0.0451
    # (dividing the parsed 4.51 by 100 can land one unit in the last place away).
    suffix = pa.scalar("e-2", type=number.type)
    number = pc.if_else(percent, pc.binary_join_element_wise(
        number, suffix, pa.scalar("", type=number.type)), number)
    parsed = pc.cast(number, pa.float64()).to_numpy(zero_copy_only=False).copy()
    negative = (true_mask(_non_empty(pc.struct_field(shape, "neg1")))
                | true_mask(_non_empty(pc.struct_field(shape, "neg2"))) | true_mask(wrapped))
    percent = true_mask(percent)
    parsed[negative] *= -1
    parsed[infinite] = np.inf
    currencies = {}
    for name in ("pre", "post"):
        tokens = pc.struct_field(shape, name).to_numpy(zero_copy_only=False)
        for token in pd.unique(tokens[tokens != ""]):
            code = token if len(token) == 3 and token.isupper() else \
                SYMBOL_CURRENCY.get(token, token)
            first = row_of(int(np.flatnonzero(tokens == token)[0]))
            currencies[code] = min(currencies.get(code, first), first)
    return parsed, percent, currencies

"""From raw cells to a canonical frame: column names, dtypes, currency, attribution window.

Number conventions are decided per column: the column's own text (``1.234,56`` / ``1,234.56``)
wins; otherwise the other columns of the file; otherwise the marketplace (display-formatted
reports) or a decimal point (Amazon's raw-number flat files and JSON).
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from opsanalysis.io import schema
from opsanalysis.io.errors import AmbiguousFormatError, MalformedRowError, MixedCurrencyError
from opsanalysis.io.numeric import encode_text, to_arrow_text, true_mask
from opsanalysis.io.parse import (
    CellError,
    decimal_evidence,
    decimal_evidence_positions,
    may_need_trim,
    parse_boolean,
    parse_dates,
    parse_numbers,
    parse_text,
)
from opsanalysis.io.tables import Table

__all__ = ["Conventions", "to_canonical"]

_NUMERIC = (schema.COUNT, schema.MONEY, schema.FRACTION, schema.NUMBER)


# Symbols that begin with a shorter marketplace symbol and name another currency ("US$" is not
# the "$" of amazon.com.au).
_LONGER_SYMBOLS = {"$": ("US$", "A$", "C$", "S$", "R$", "MX$")}


@dataclass
class Conventions:
    """Number/date conventions and identity of the marketplace a file is read for."""

    decimal: str = "."
    date_order: str = "MDY"
    timezone: str | None = None
    currency: str | None = None
    code: str | None = None
    currency_symbol: str | None = None

    @classmethod
    def for_marketplace(cls, marketplace, family: str):
        if marketplace is None:
            return cls()
        # Flat files and JSON carry raw numbers whatever the marketplace.
        decimal = "." if family in ("flat_file", "json") else marketplace.decimal_separator
        return cls(decimal, marketplace.date_order, marketplace.timezone, marketplace.currency,
                   marketplace.code, marketplace.currency_symbol)

    def symbol_currency(self, code: str, cell) -> str:
        """The currency of an amount written with a symbol: the marketplace's own currency when
        the cell carries the symbol this marketplace shows ("$" is AUD on amazon.com.au, CAD on
        amazon.ca, MXN on amazon.com.mx), else the symbol's usual currency ``code``."""
        text = str(cell).strip().lstrip("-").strip()
        own = self.currency_symbol
        if own and self.currency and text.startswith(own) and \
                not any(text.startswith(longer) for longer in _LONGER_SYMBOLS.get(own, ())):
            return self.currency
        return code


@dataclass
class _Column:
    position: int
    header: str
    name: str
    spec: schema.Column | None
    match: schema.HeaderMatch


@dataclass
class Converted:
    frame: pd.DataFrame
    warnings: list = field(default_factory=list)
    currency: str | None = None
    attribution_days: int | None = None


def _plan(kind: str, table: Table, matches, warnings):
    spec_of = {column.name: column for column in schema.get_kind(kind).columns}
    used, plan, primary_days = set(), [], None
    for position, (header, match) in enumerate(zip(table.headers, matches, strict=True)):
        name = match.column
        if name and match.attribution_days:
            primary_days = primary_days or match.attribution_days
            if match.attribution_days != primary_days:
                name = f"{name}_{match.attribution_days}d"
                warnings.append(f"column {header!r} kept as {name!r} (attribution windows "
                                f"never share a column; attribution_days is {primary_days})")
        if name is None or name in used:
            fallback = schema.snake_name(header) or f"column_{position + 1}"
            if not str(header).strip() and table.frame[f"c{position}"].isna().all():
                continue  # trailing delimiter: an unnamed, empty column
            while fallback in used or fallback in spec_of:
                fallback = f"{fallback}_{position + 1}"
            reason = "duplicate of a known column" if name else "not a known column"
            warnings.append(f"column {header!r} kept as {fallback!r} ({reason})")
            name, match = fallback, schema.HeaderMatch(None)
        used.add(name)
        spec = spec_of.get(match.column) if match.column else None
        plan.append(_Column(position, str(header), name, spec, match))
    return plan, primary_days


def _drop_repeated_headers(table: Table, path, warnings):
    first = table.frame["c0"] if "c0" in table.frame else None
    if first is None or not (first.dtype == object or first.dtype == "str"):
        return table.frame
    header = str(table.headers[0]).strip().lstrip("\ufeff")
    text = to_arrow_text(first)
    if may_need_trim(text):
        text = pc.utf8_trim_whitespace(text)
    same = true_mask(pc.equal(text, header))
    if not same.any():
        return table.frame
    frame = table.frame
    for position in np.flatnonzero(same):
        row = ["" if pd.isna(value) else str(value).strip() for value in frame.iloc[position]]
        expected = [str(h).strip().lstrip("\ufeff") for h in table.headers]
        if row != expected:
            raise MalformedRowError(
                "a second, different header row in the middle of the file (two reports "
                "pasted together?)", file=path, row=table.line_of(int(position)),
                column=table.headers[0], value=", ".join(row[:4]),
                expected="one header row at the top")
    warnings.append(f"{int(same.sum())} repeated header row(s) inside the file dropped")
    kept = np.flatnonzero(~same)
    line_of = table.line_of
    # later errors count records without the dropped rows: map back to file lines
    table.line_of = lambda position: line_of(int(kept[position])) \
        if 0 <= position < len(kept) else line_of(position)
    return frame.loc[~same].reset_index(drop=True)


def _decimal_for(series, own, conventions, file_evidence, column, path, line_of):
    own = set(own)
    if len(own) > 1:
        comma = decimal_evidence_positions(series, ",")
        raise AmbiguousFormatError(
            "numbers with both decimal commas and decimal points", file=path,
            row=None if comma is None else line_of(comma), column=column,
            value=None if comma is None else series.iloc[comma],
            expected="one number format per column")
    if own:
        return own.pop()
    if len(file_evidence) == 1:
        return next(iter(file_evidence))
    return conventions.decimal


def to_canonical(table: Table, kind: str, matches, conventions: Conventions, path,
                 warnings: list) -> Converted:
    """Rename, type and check the columns of one raw table.

    Parameters
    ----------
    table : Table
    kind : str
    matches : list of schema.HeaderMatch
        One per header, from kind detection.
    conventions : Conventions
    path : str
    warnings : list
        Appended to.

    Returns
    -------
    Converted
    """
    plan, days = _plan(kind, table, matches, warnings)
    family = schema.get_kind(kind).family
    frame = _drop_repeated_headers(table, path, warnings)
    rows = len(frame)
    # Worker threads read these column objects only: no frame is touched while they run.
    raw_columns = {item.position: frame[f"c{item.position}"] for item in plan}
    # Only raw_columns hold the raw cells now, so each is freed as soon as it is converted.
    del frame
    table.frame = None
    numeric = [item for item in plan if item.spec and item.spec.dtype in _NUMERIC]

    def encode_and_prove(item):
        # the dictionary serves both the evidence and the parse: each column hashed once
        encoded = encode_text(raw_columns[item.position])
        return encoded, decimal_evidence(raw_columns[item.position], encoded=encoded)

    def convert(item, evidence=None, file_evidence=frozenset(), encoded=None):
        found_currencies, notes = {}, []
        values = _convert(raw_columns.pop(item.position), item, conventions, evidence or {},
                          file_evidence, path, found_currencies, notes, table.line_of, encoded)
        return values, found_currencies, notes

    def convert_number(item, proofs):
        # Every proof was queued before any number job, so waiting here cannot deadlock the
        # pool: the proofs still pending are already running on the other threads.
        found = {position: proof.result() for position, proof in proofs.items()}
        evidence = {position: marks for position, (_, marks) in found.items()}
        return convert(item, evidence, set().union(*evidence.values()),
                       found[item.position][0])

    columns, currencies = {}, {}
    with _column_pool() as pool:
        # One pool of threads (the arrow kernels release the GIL). Numbers need the whole
        # file's decimal evidence first; text and date columns convert meanwhile. Results,
        # currencies and warnings are taken in plan order, so the first bad column in the
        # file is the one reported, as in a sequential pass.
        jobs = {item.position: pool.submit(convert, item) for item in plan
                if item not in numeric}
        proofs = {item.position: pool.submit(encode_and_prove, item) for item in numeric}
        jobs.update({item.position: pool.submit(convert_number, item, proofs)
                     for item in numeric})
        try:
            for item in plan:
                try:
                    values, found_currencies, notes = jobs.pop(item.position).result()
                except CellError as error:
                    raise error.error_class(
                        error.problem, file=path, row=table.line_of(error.position),
                        column=item.header, value=error.value,
                        expected=error.expected) from None
                columns[item.name] = values
                for code, where in found_currencies.items():
                    currencies.setdefault(code, where)
                warnings.extend(notes)
        finally:
            for job in jobs.values():
                job.cancel()
    file_evidence = set().union(*(proof.result()[1] for proof in proofs.values()))
    _note_file_decimal(file_evidence, conventions, family, warnings)
    out = pd.DataFrame(columns, index=pd.RangeIndex(rows), copy=False)
    currency = _settle_currency(out, kind, currencies, plan, conventions, path, table, warnings)
    if days is not None or any(item.match.attribution_days for item in plan):
        out["attribution_days"] = pd.arrays.IntegerArray(
            np.full(len(out), days or 0, dtype="int64"), np.full(len(out), days is None))
    for name, value in schema.get_kind(kind).constants:  # e.g. ad_type of SB/SD reports
        out[name] = pd.Series([value] * len(out), dtype="str", index=out.index)
    return Converted(_order(out, kind), warnings, currency, days)


def _note_file_decimal(file_evidence, conventions, family, warnings):
    if len(file_evidence) == 1 and conventions.code and family in ("business_report", "ads") and \
            next(iter(file_evidence)) != conventions.decimal:
        warnings.append(f"numbers use {next(iter(file_evidence))!r} as decimal mark, not "
                        f"{conventions.decimal!r} as usual for {conventions.code}; the file's "
                        "own format was used")


def _column_pool():
    """Threads for converting the columns of one table (one per core, at most four)."""
    return ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1),
                              thread_name_prefix="opsanalysis-convert")


def _convert(raw, item, conventions, evidence, file_evidence, path, currencies, warnings,
             line_of, encoded=None):
    spec = item.spec
    dtype = spec.dtype if spec else schema.TEXT
    if dtype == schema.TEXT:
        return parse_text(raw)
    if dtype == schema.BOOLEAN:
        return parse_boolean(raw)
    if dtype in (schema.DATE, schema.TIMESTAMP):
        result = parse_dates(raw, date_order=conventions.date_order,
                             timezone=conventions.timezone, aware=dtype == schema.TIMESTAMP)
        warnings.extend(f"column {item.header!r}: {note}" for note in result.warnings)
        return result.values
    if dtype == schema.COUNT and isinstance(raw.dtype, np.dtype) and raw.dtype.kind in "iu":
        return _typed_count(raw, spec)
    decimal = _decimal_for(raw, evidence.get(item.position, set()), conventions, file_evidence,
                           item.header, path, line_of)
    expected = {schema.COUNT: "a whole number", schema.MONEY: "an amount of money",
                schema.FRACTION: "a percentage or fraction"}.get(dtype, "a number")
    scale = max(spec.percent_scale, item.match.percent_scale) if dtype == schema.FRACTION else 1
    if scale == 100.0 and pd.api.types.is_string_dtype(raw.dtype):
        # "0.6826" under a "CTR(%)" header means 0.6826 %: read it as "0.6826%" so the
        # fraction is the double nearest 0.006826, as for cells written with "%".
        # xlsx cells may be numbers (object column): match their text, never .str on them
        text = raw.astype("string")
        bare = text.str.fullmatch(r"\s*-?[0-9.,]*[0-9]\s*").fillna(False).astype(bool)
        raw = raw.where(~bare, text.str.strip() + "%")
        scale, encoded = 1.0, None
    parsed = parse_numbers(raw, decimal, allow_infinite=dtype == schema.NUMBER,
                           expected=expected, encoded=encoded)
    values = parsed.values
    if item.match.currency:
        currencies.setdefault(item.match.currency, (item.header, None, None))
    for code, position in parsed.currencies.items():
        cell = raw.iloc[position]
        currencies.setdefault(conventions.symbol_currency(code, cell), (item.header, position, cell))
    if dtype == schema.FRACTION:
        if scale != 1.0:
            # Cells written with "%" are already fractions; bare numbers are x scale.
            written = parsed.percent if parsed.percent is not None else \
                np.zeros(len(values), dtype=bool)
            values = values.where(written, values / scale)
        return values
    if parsed.percent is not None and dtype != schema.NUMBER:
        position = int(np.flatnonzero(parsed.percent)[0])
        raise CellError(position, raw.iloc[position], expected)
    if dtype == schema.COUNT:
        return _to_count(values, raw, spec)
    return values


def _typed_count(raw, spec):
    """A count column pyarrow typed as int64: whole numbers throughout, none missing."""
    integers = raw.to_numpy(dtype="int64")
    if spec.nonnegative and (integers < 0).any():
        position = int(np.flatnonzero(integers < 0)[0])
        raise CellError(position, raw.iloc[position], "a count of 0 or more", "negative count")
    return pd.Series(pd.arrays.IntegerArray(integers, np.zeros(len(integers), dtype=bool)),
                     index=raw.index)


def _to_count(values, raw, spec):
    numbers = values.to_numpy(dtype="float64")
    present = ~np.isnan(numbers)
    not_whole = present & ~(np.isfinite(numbers) & (numbers == np.round(numbers)))
    if not_whole.any():
        position = int(np.flatnonzero(not_whole)[0])
        value = raw.iloc[position]
        problem = "not a whole number"
        if isinstance(value, str) and re.fullmatch(r"\d{1,3}(\.\d{3})+", value.strip()):
            problem += (" ('.' looks like a thousands separator: is the file from a marketplace "
                        "with decimal commas? pass marketplace=...)")
        raise CellError(position, value, "a whole number", problem)
    if spec.nonnegative and (numbers[present] < 0).any():
        position = int(np.flatnonzero(present & (numbers < 0))[0])
        raise CellError(position, raw.iloc[position], "a count of 0 or more",
                        "negative count")
    integers = np.where(present, numbers, 0).astype("int64")
    return pd.Series(pd.arrays.IntegerArray(integers, ~present), index=values.index)


def _settle_currency(out, kind, currencies, plan, conventions, path, table, warnings):
    has_money = any(item.spec and item.spec.dtype == schema.MONEY for item in plan)
    if len(currencies) > 1:
        codes = list(currencies)
        header, position, value = currencies[codes[1]]
        raise MixedCurrencyError(
            f"money in more than one currency ({', '.join(codes)})", file=path,
            row=None if position is None else table.line_of(position), column=header,
            value=value, expected=f"every amount in {codes[0]}",
            hint="split the file by currency")
    currency = next(iter(currencies), None)
    if "currency" in out.columns:
        declared = pc.drop_null(pc.unique(to_arrow_text(out["currency"]))).to_pylist()
        if currency and len(declared) and currency not in declared:
            warnings.append(f"currency column says {', '.join(declared)}, amounts are "
                            f"written in {currency}")
        if currency is None and len(declared) == 1:
            currency = declared[0]
        if currency is not None and out["currency"].hasnans:
            out["currency"] = out["currency"].fillna(currency)
        return currency
    if currency is None and has_money:
        currency = conventions.currency
    if currency and conventions.currency and currency != conventions.currency:
        warnings.append(f"amounts are in {currency}, the marketplace currency is "
                        f"{conventions.currency}")
    if has_money and currency is not None:
        out["currency"] = pd.Series([currency] * len(out), dtype="str", index=out.index)
    return currency


def _order(out, kind):
    canonical = [name for name in schema.canonical_columns(kind) if name in out.columns]
    extras = [name for name in out.columns if name not in canonical]
    return out[canonical + extras]

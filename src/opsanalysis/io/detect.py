"""Recognising what a file is: container, encoding, delimiter, and the report kind.

The kind is detected from content only (header row signature, or JSON keys), never from the
file name: each kind's aliases are matched exactly (after normalisation) against the header,
and the kind with every required column present and the most matched columns wins.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from charset_normalizer import from_bytes

from opsanalysis.io import schema
from opsanalysis.io.errors import (
    EmptyReportError,
    MissingColumnError,
    UnknownKindError,
    UnreadableFileError,
    WrongKindError,
)

__all__ = ["RawFile", "detect_kind", "match_columns", "open_raw"]

_SNIFF_BYTES = 256 * 1024
_MAGIC_GZIP = b"\x1f\x8b"
_MAGIC_ZIP = b"PK\x03\x04"
_MAGIC_OLE = b"\xd0\xcf\x11\xe0"  # legacy .xls


@dataclass
class RawFile:
    """A report file with its container format and text encoding worked out.

    Attributes
    ----------
    path : str
    container : str
        ``text``, ``xlsx`` or ``json``.
    head : bytes
        First bytes of the (decompressed) content, used for sniffing.
    encoding : str or None
        Python codec for text files (``utf-8-sig``, ``utf-8``, ``cp1252``, ``cp932`` ...).
    delimiter : str or None
        ``\\t`` or ``,`` for text files.
    compression : str or None
        ``gzip`` when the file on disk is gzip-compressed.
    notes : list of str
        Facts worth a warning (gzip, zip member).
    skip_lines : int
        Lines of notes before the header line (Date Range reports open with a few quoted
        one-cell lines: "Includes Amazon Marketplace, ...", "All amounts in USD ...").
    """

    path: str
    container: str
    head: bytes = b""
    encoding: str | None = None
    delimiter: str | None = None
    compression: str | None = None
    notes: list = field(default_factory=list)
    content: bytes | None = None
    skip_lines: int = 0

    @property
    def data(self) -> bytes:
        """Whole decompressed content (read on first use; big plain files are streamed)."""
        if self.content is None:
            raw = Path(self.path).read_bytes()
            try:
                self.content = gzip.decompress(raw) if self.compression == "gzip" else raw
            except (OSError, EOFError) as error:
                raise UnreadableFileError(f"damaged gzip data ({error})", file=self.path,
                                          expected="a complete .gz file") from None
        return self.content

    def stream(self):
        """A pyarrow input stream over the decompressed content."""
        import pyarrow as pa

        if self.content is not None:
            return pa.BufferReader(self.content)
        return pa.input_stream(self.path, compression=self.compression)


def open_raw(path) -> RawFile:
    """Classify a file from its first bytes (gzip/zip transparent; HTML, binary, empty rejected).

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    RawFile
    """
    path = str(path)
    with open(path, "rb") as handle:
        magic = handle.read(4)
    notes, compression = [], None
    if magic[:2] == _MAGIC_GZIP:
        compression = "gzip"
        notes.append("gzip-compressed")
        try:
            with gzip.open(path, "rb") as handle:
                head = handle.read(_SNIFF_BYTES)
                magic = head[:4]
        except (OSError, EOFError) as error:
            raise UnreadableFileError(f"damaged gzip data ({error})", file=path,
                                      expected="a complete .gz file") from None
    else:
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    if magic[:4] == _MAGIC_ZIP:
        data = gzip.decompress(Path(path).read_bytes()) if compression else \
            Path(path).read_bytes()
        return _open_zip(path, data, notes)
    if magic[:4] == _MAGIC_OLE:
        raise UnreadableFileError("a legacy Excel .xls or other OLE file", file=path,
                                  expected="CSV, TXT/TSV, XLSX or JSON",
                                  hint="save it as .xlsx or .csv")
    return _classify_text(RawFile(path, "text", head, compression=compression, notes=notes))


def _open_zip(path, data, notes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except zipfile.BadZipFile as error:
        raise UnreadableFileError(f"damaged zip/xlsx data ({error})", file=path,
                                  expected="a complete .xlsx or .zip file") from None
    if "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names):
        return RawFile(path, "xlsx", data[:_SNIFF_BYTES], notes=notes, content=data)
    members = [name for name in names if not name.endswith("/")]
    if len(members) != 1:
        raise UnreadableFileError(
            f"a zip archive with {len(members)} files ({', '.join(members[:5])})", file=path,
            expected="one report per file", hint="unzip it and read each report file")
    notes.append(f"read from zip member {members[0]!r}")
    inner = archive.read(members[0])
    if inner[:4] == _MAGIC_ZIP:
        return RawFile(path, "xlsx", inner[:_SNIFF_BYTES], notes=notes, content=inner)
    return _classify_text(RawFile(path, "text", inner[:_SNIFF_BYTES], notes=notes,
                                  content=inner))


def _classify_text(raw: RawFile) -> RawFile:
    path, head = raw.path, raw.head
    small = raw.content is not None or len(head) < _SNIFF_BYTES
    if small and not head.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise EmptyReportError("the file is empty", file=path,
                               expected="a header line and data rows")
    encoding = _detect_encoding(raw)
    text_head = head.decode(encoding, errors="replace").lstrip("\ufeff").lstrip()
    lowered = text_head[:512].lower()
    if lowered.startswith(("<!doctype html", "<html", "<?xml", "<head", "<body")):
        raise UnreadableFileError(
            "an HTML/XML page, not a report (Seller Central sometimes saves its error page "
            "under the report's name)", file=path, row=1, value=text_head[:60],
            expected="a CSV/TSV header line", hint="download the report again")
    raw.encoding = encoding
    if text_head.startswith(("{", "[")):
        raw.container = "json"
        return raw
    lines = text_head.splitlines()
    raw.skip_lines = _preamble_lines(lines)
    first_line = lines[raw.skip_lines] if lines else ""
    raw.delimiter = "\t" if first_line.count("\t") >= max(1, first_line.count(",")) else ","
    return raw


_PREAMBLE_MAX_LINES = 30


def _filled_cells(line: str) -> int:
    """Non-empty cells of one line, under the delimiter that gives more of them."""
    counts = []
    for delimiter in (",", "\t"):
        cells = next(csv.reader([line], delimiter=delimiter), [])
        counts.append(sum(1 for cell in cells if cell.strip()))
    return max(counts)


def _preamble_lines(lines) -> int:
    """Lines of notes before the header line; 0 for every report but Date Range reports.

    The header is the first line with at least 3 cells and at least half as many as the
    widest of the first lines, so note lines (quoted or not, like "Includes Amazon
    Marketplace, Fulfillment by Amazon (FBA), and Amazon Webstore transactions") are skipped.
    """
    filled = [_filled_cells(line) for line in lines[:_PREAMBLE_MAX_LINES]]
    widest = max(filled, default=0)
    for number, count in enumerate(filled):
        if count >= 3 and 2 * count >= widest:
            return number if any(line.strip() for line in lines[:number]) else 0
    return 0


def _detect_encoding(raw: RawFile) -> str:
    path, head = raw.path, raw.head
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in head:
        raise UnreadableFileError("binary data (NUL bytes), not a text report", file=path,
                                  expected="CSV, TXT/TSV, XLSX or JSON")
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the sniff window is still UTF-8.
        if error.start >= len(head) - 3 and len(head) == _SNIFF_BYTES:
            return "utf-8"
    # Sniff whole lines only: the window may cut a multi-byte character.
    sample = head[:head.rfind(b"\n") + 1] or head if len(head) == _SNIFF_BYTES else head
    for candidate in ("cp932", "cp1252"):
        if _decodes(sample, candidate) and _plausible(sample, candidate) and \
                _decodes(raw.data, candidate):
            return candidate
    guess = from_bytes(head).best()
    if guess is not None and _decodes(raw.data, guess.encoding):
        return guess.encoding
    raise UnreadableFileError("text in an unknown encoding, or binary data", file=path,
                              expected="UTF-8, Windows-1252 or Shift_JIS (cp932) text")


def _decodes(data, encoding):
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _plausible(head, encoding):
    """cp932 decodes many cp1252 bytes too: require Japanese characters for cp932."""
    text = head.decode(encoding, errors="replace")
    if encoding == "cp932":
        # Japanese report text always has kana; mis-decoded cp1252 bytes give stray kanji or
        # half-width kana (cp1252 letters 0xA1-0xDF), rarely full-width kana.
        kana = sum(1 for char in text if "\u3040" <= char <= "\u30ff")
        half_width = sum(1 for char in text if "\uff61" <= char <= "\uff9f")
        return kana > 0 and half_width <= kana
    return True


# --- kind detection --------------------------------------------------------------------------


def match_columns(kind: str, headers) -> list:
    """HeaderMatch for each header of a file against one kind."""
    return [schema.match_header(kind, header) for header in headers]


def _score(kind: str, headers):
    """(columns matched, required columns missing, HeaderMatch per header) of one kind."""
    try:
        key = tuple(headers)
        hash(key)
    except TypeError:  # an unhashable header cell: score without the cache
        return _score_headers(kind, list(headers))
    return _score_cached(kind, key)


# Every file of a folder is scored against every kind, and a folder holds many files with
# the same header (a Business Report per week): the score depends only on the kind and the
# header texts (the alias index is built once per kind), so it is remembered. Tuples, so
# that no caller can change a cached result.
@lru_cache(maxsize=8192)
def _score_cached(kind: str, headers: tuple):
    return _score_headers(kind, headers)


def _score_headers(kind: str, headers):
    matches = tuple(match_columns(kind, headers))
    matched = {match.column for match in matches if match.column}
    missing = [name for name in schema.required_columns(kind) if name not in matched
               and name not in _SYNTHETIC]
    markers = schema.get_kind(kind).markers
    if markers and not matched.intersection(markers):
        missing.append(markers[0])  # e.g. an SP report is no SB report: no SB-only column
    return len(matched), tuple(missing), matches


# Columns the readers add themselves, never expected in the header.
_SYNTHETIC = {"attribution_days"}


def detect_kind(headers, *, path=None, kind=None, candidates=None):
    """The report kind of a file from its header texts.

    Parameters
    ----------
    headers : list of str
        Header row as written in the file.
    path : str, optional
        For error messages.
    kind : str, optional
        Kind the caller expects; checked against the content.
    candidates : iterable of str, optional
        Kinds to consider (default: every tabular kind).

    Returns
    -------
    (str, list of HeaderMatch)

    Raises
    ------
    MissingColumnError, WrongKindError, UnknownKindError
    """
    names = candidates or [name for name, spec in schema.KINDS.items() if spec.family != "json"]
    scores = {name: _score(name, headers) for name in names}
    complete = {name: score for name, score in scores.items() if not score[1]}
    best = max(complete, key=lambda name: (complete[name][0], -len(schema.KINDS[name].columns)),
               default=None)
    if kind is not None:
        schema.get_kind(kind)
        own = scores.get(kind) or _score(kind, headers)
        if not own[1]:
            return kind, list(own[2])
        if best is not None and complete[best][0] > own[0]:
            raise WrongKindError(
                f"the file is a report of kind {best}, not {kind}", file=path, row=1,
                expected=f"the header of a {kind} report",
                hint=f"call read_report(..., kind={best!r}) or leave kind=None")
        raise MissingColumnError(
            f"required column {own[1][0]!r} of {kind} is missing", file=path, row=1,
            column=schema.header_for(kind, own[1][0]),
            expected=f"a header with {', '.join(repr(schema.header_for(kind, c)) for c in own[1])}")
    if best is not None:
        return best, list(complete[best][2])
    nearest = max(scores, key=lambda name: scores[name][0] - len(scores[name][1]), default=None)
    if nearest is not None and scores[nearest][0] >= 3 and \
            scores[nearest][0] >= 0.5 * len([h for h in headers if str(h).strip()]):
        missing = scores[nearest][1]
        raise MissingColumnError(
            f"looks like a {nearest} report but required column {missing[0]!r} is missing",
            file=path, row=1, column=schema.header_for(nearest, missing[0]),
            expected="a header with " + ", ".join(
                repr(schema.header_for(nearest, name)) for name in missing))
    preview = ", ".join(repr(str(header)) for header in list(headers)[:6])
    raise UnknownKindError(
        "no known report kind has this header", file=path, row=1, value=preview,
        expected="the header of an Amazon report (see docs/canonical-columns.md)",
        hint="pass kind=... if the file is a known report with renamed columns")

"""Errors raised by the readers.

Every reader error is a :class:`ReportError` carrying the file, the 1-based line in the file
(``row``; for xlsx the worksheet row, for JSON the 1-based record), the column header, the
offending value and what was expected; ``str(error)`` names all of those that are known, so a
message alone tells an analyst where to look.
"""

from __future__ import annotations

__all__ = [
    "AmbiguousFormatError",
    "EmptyReportError",
    "MalformedRowError",
    "MissingColumnError",
    "MixedCurrencyError",
    "PeriodError",
    "ReportError",
    "UnknownKindError",
    "UnreadableFileError",
    "ValueParseError",
    "WrongKindError",
]

_MAX_VALUE_CHARS = 80


class ReportError(ValueError):
    """A report file could not be read into a trustworthy frame.

    Parameters
    ----------
    problem : str
        What is wrong, in words.
    file : str, optional
        Path of the file.
    row : int, optional
        1-based line number in the file (worksheet row for xlsx, record number for JSON).
    column : str, optional
        Header of the column as written in the file (or canonical name).
    value : object, optional
        The offending cell value.
    expected : str, optional
        What the reader expected instead.
    hint : str, optional
        How to fix or work around it.
    """

    def __init__(self, problem, *, file=None, row=None, column=None, value=None, expected=None,
                 hint=None):
        self.problem = problem
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
        self.hint = hint
        super().__init__(self._message())

    def _message(self) -> str:
        where = [self.file or "<report>"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        parts = [", ".join(where) + ": " + self.problem]
        if self.value is not None:
            text = str(self.value)
            if len(text) > _MAX_VALUE_CHARS:
                text = text[:_MAX_VALUE_CHARS] + f"... ({len(str(self.value))} characters)"
            parts.append(f"value {text!r}")
        if self.expected:
            parts.append(f"expected {self.expected}")
        if self.hint:
            parts.append(self.hint)
        return "; ".join(parts)


class EmptyReportError(ReportError):
    """The file is empty (no bytes, or no header line)."""


class UnreadableFileError(ReportError):
    """Not a report at all: binary data, an HTML page, an archive, an undecodable text."""


class UnknownKindError(ReportError):
    """No report kind matches the file's header (or JSON keys)."""


class WrongKindError(ReportError):
    """The caller asked for one kind, the file's content is another."""


class MissingColumnError(ReportError):
    """A column required by the kind is absent."""


class MalformedRowError(ReportError):
    """A row with the wrong number of cells, a truncated last line or a repeated header."""


class ValueParseError(ReportError):
    """A cell that cannot be read as the column's type (text in a count, negative units...)."""


class MixedCurrencyError(ValueParseError):
    """Money in more than one currency in one file."""


class AmbiguousFormatError(ValueParseError):
    """Number or date format that contradicts itself (``1,234.5`` next to ``1.234,5``)."""


class PeriodError(ReportError):
    """A reporting period that is unknown or not understood.

    A Business Report by ASIN (no dates in it) without a period from its name, a ``periods.yaml``
    or the ``period`` argument; a period that ends before it starts; a ``periods.yaml`` entry
    that is not a period.
    """

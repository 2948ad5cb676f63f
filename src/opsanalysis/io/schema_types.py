"""The vocabulary the kind tables are written in: dtypes, locales, columns and kinds.

:mod:`opsanalysis.io.schema` builds its registry from the ``kinds_*`` tables, and the tables are
built from the types here (:class:`Column`, :class:`Kind`, :func:`col`, :func:`flat`,
:func:`b2b_twin`, the dtype constants) -- so the tables import this module, never
:mod:`~opsanalysis.io.schema` itself, and the two form no import cycle. :mod:`~opsanalysis.io.schema`
re-exports every name, which stays the public place to use them from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = [
    "BOOLEAN",
    "COUNT",
    "DATE",
    "DTYPES",
    "FRACTION",
    "LOCALES",
    "MONEY",
    "NUMBER",
    "TEXT",
    "TIMESTAMP",
    "Column",
    "Kind",
    "b2b_twin",
    "col",
    "flat",
    "normalise_header",
    "snake_name",
]

TEXT = "text"
COUNT = "count"
MONEY = "money"
FRACTION = "fraction"
NUMBER = "number"
DATE = "date"
TIMESTAMP = "timestamp"
BOOLEAN = "boolean"
DTYPES = (TEXT, COUNT, MONEY, FRACTION, NUMBER, DATE, TIMESTAMP, BOOLEAN)

LOCALES = ("en-US", "en-GB", "de-DE", "fr-FR", "it-IT", "es-ES", "ja-JP", "zh-CN")


@dataclass(frozen=True)
class Column:
    """One canonical column of a report kind.

    Attributes
    ----------
    name : str
        Canonical snake_case name.
    dtype : str
        One of :data:`DTYPES`.
    required : bool
        A file of this kind without the column is an error.
    aliases : dict
        Locale -> tuple of header texts, preferred first.
    percent_scale : float
        Bare numbers (no ``%``) in this column are divided by this to give a fraction; 100 for
        exports that write percentages as plain numbers (campaign-manager ``Conversion rate``).
    nonnegative : bool
        Counts that can never be negative (units ordered); a negative value is an error.
    """

    name: str
    dtype: str
    required: bool = False
    aliases: dict = field(default_factory=dict, hash=False, compare=False)
    percent_scale: float = 1.0
    nonnegative: bool = False


@dataclass(frozen=True)
class Kind:
    """A report kind: its id, family, canonical columns and variant markers.

    Attributes
    ----------
    name : str
        Kind id (``business_report_asin``, ``all_orders`` ...).
    description : str
        What Amazon calls the report.
    family : str
        ``business_report``, ``flat_file``, ``ads``, ``json`` or ``seller``.
    columns : tuple of Column
    variants : tuple of (str, str)
        (variant name, normalised header) pairs: a file holding that header is that variant;
        first match wins, otherwise the variant is ``"current"``.
    markers : tuple of str
        Canonical columns of which a file of this kind holds at least one (kind detection):
        what tells a Sponsored Brands or Display report from a Sponsored Products one whose
        other headers it shares. Empty: no such condition.
    constants : tuple of (str, str)
        (column, value) pairs every frame of this kind carries, added by the reader
        (``ad_type`` of the Sponsored Brands and Display kinds).
    """

    name: str
    description: str
    family: str
    columns: tuple
    variants: tuple = ()
    markers: tuple = ()
    constants: tuple = ()

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required(self) -> list[str]:
        return [column.name for column in self.columns if column.required]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"kind {self.name!r} has no canonical column {name!r}; "
                       f"known: {', '.join(self.column_names)}")


# ---------------------------------------------------------------------------------------------
# Normalisation


_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
_SPACES = re.compile(r"\s+")


def normalise_header(text) -> str:
    """Fold a header to the form that aliases are compared in.

    Strips a BOM and surrounding spaces, applies NFKC (full-width parentheses, full-width and
    no-break spaces become ASCII), turns every dash into ``-``, collapses whitespace and
    casefolds.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    folded = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "")
    folded = _DASHES.sub("-", folded)
    return _SPACES.sub(" ", folded).strip().casefold()


def snake_name(text) -> str:
    """Snake-case name for a column no alias knows (``Eligible for X?`` -> ``eligible_for_x``)."""
    return re.sub(r"\W+", "_", normalise_header(text)).strip("_")


# ---------------------------------------------------------------------------------------------
# Compact column builders used by the kind tables


def col(name, dtype=TEXT, required=False, *, en=None, gb=None, de=None, fr=None, it=None,
        es=None, ja=None, zh=None, scale=1.0, nonnegative=None):
    """Build a :class:`Column`; each locale argument is a header text or a tuple of them."""
    locales = {"en-US": en, "en-GB": gb, "de-DE": de, "fr-FR": fr, "it-IT": it, "es-ES": es,
               "ja-JP": ja, "zh-CN": zh}
    aliases = {}
    for locale, value in locales.items():
        if value:
            aliases[locale] = (value,) if isinstance(value, str) else tuple(value)
    if nonnegative is None:
        nonnegative = dtype == COUNT
    return Column(name, dtype, required, aliases, scale, nonnegative)


def flat(name, dtype=TEXT, required=False, **locales):
    """A flat-file column whose English header is the name with hyphens (``sku``, ``asin``)."""
    english = name.replace("_", "-")
    extra = locales.pop("en", ())
    extra = (extra,) if isinstance(extra, str) else tuple(extra)
    return col(name, dtype, required, en=(english, *extra), **locales)


def b2b_twin(column: Column, overrides=None) -> Column:
    """The ``_b2b`` twin of a Business Report column: each alias with a `` - B2B`` suffix."""
    overrides = overrides or {}
    aliases = {}
    for locale, texts in column.aliases.items():
        dash = "–" if locale in ("en-GB", "de-DE") else "-"
        generated = tuple(f"{text} {dash} B2B" for text in texts)
        aliases[locale] = tuple(dict.fromkeys((*overrides.get(locale, ()), *generated)))
    return Column(f"{column.name}_b2b", column.dtype, False, aliases, column.percent_scale,
                  column.nonnegative)

"""Report kinds, canonical columns, dtypes and per-locale header aliases.

This module is the one place that says what each Amazon report kind is called inside the package.
Every kind lists its canonical snake_case columns with

- a dtype (``text``, ``count`` -> ``Int64``, ``money`` -> float in the marketplace currency,
  ``fraction`` -> float where 0.25 means 25 %, ``number`` -> float, ``date`` -> naive
  ``datetime64`` (marketplace-local calendar date), ``timestamp`` -> tz-aware ``datetime64`` in the
  marketplace time zone, ``boolean`` -> ``boolean``);
- whether the column is required (a file without it is a ``MissingColumnError``);
- the header texts Amazon writes for it, per locale (``en-US``, ``en-GB``, ``de-DE``, ``ja-JP``,
  ``zh-CN``, ...), the preferred one first.

Header matching (see :func:`normalise_header`) strips the BOM and surrounding spaces, folds
NFKC (full-width parentheses and spaces), turns every dash into ``-``, collapses whitespace and
compares case-insensitively. The comparison is **exact** after normalisation, never a substring
test, so ``Sessions – Total`` never matches ``Sessions – Total – B2B``.

Two placeholders appear in ads aliases: ``{n}`` stands for the attribution window in days
(``7 Day Total Sales`` / ``14 Day Total Sales``) and is captured into ``attribution_days``;
a trailing currency in parentheses (``Spend(USD)``, ``14 Day Total Sales (₹)``) and a trailing
``(%)`` are recognised by the header matcher itself (:func:`match_header`).

Evidence for the aliases is in ``../shared/reference/amazon-report-formats.md``; aliases marked
``# inferred`` in the kind tables were not seen in a real file or a third-party parser and follow
the wording of the neighbouring, sourced headers. The stable public helpers are :data:`KINDS`,
:func:`canonical_columns`, :func:`required_columns`, :func:`header_for`, :func:`get_kind`,
:func:`normalise_header` and :func:`match_header`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

__all__ = [
    "BOOLEAN",
    "COUNT",
    "DATE",
    "DTYPES",
    "FRACTION",
    "KINDS",
    "LOCALES",
    "MONEY",
    "NUMBER",
    "TEXT",
    "TIMESTAMP",
    "Column",
    "HeaderMatch",
    "Kind",
    "canonical_columns",
    "get_kind",
    "header_for",
    "match_header",
    "normalise_header",
    "required_columns",
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

# Currency a `{cur}` placeholder takes when header_for is not told one.
_LOCALE_CURRENCY = {"en-US": "USD", "en-GB": "GBP", "de-DE": "EUR", "fr-FR": "EUR",
                    "it-IT": "EUR", "es-ES": "EUR", "ja-JP": "JPY", "zh-CN": "USD"}

# ISO codes and symbols accepted in a trailing "(...)" of a header, e.g. "Spend(USD)".
CURRENCY_CODES = frozenset(
    "USD CAD MXN BRL GBP EUR SEK PLN TRY JPY AUD SGD INR AED SAR EGP CNY".split()
)
CURRENCY_SYMBOLS = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "￥": "JPY", "₹": "INR"}


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
    """

    name: str
    description: str
    family: str
    columns: tuple
    variants: tuple = ()

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


# ---------------------------------------------------------------------------------------------
# Registry (filled from the kind tables at the end of the module)

KINDS: dict[str, Kind] = {}


def _register(*kinds: Kind) -> None:
    for kind in kinds:
        if any(c.dtype == MONEY for c in kind.columns) and "currency" not in kind.column_names:
            # Readers add the currency of the amounts (symbol, header or marketplace).
            kind = Kind(kind.name, kind.description, kind.family,
                        (*kind.columns, Column("currency", TEXT)), kind.variants)
        names = kind.column_names
        if len(names) != len(set(names)):
            raise ValueError(f"duplicate canonical column in kind {kind.name}")
        KINDS[kind.name] = kind


def get_kind(kind: str) -> Kind:
    """The :class:`Kind` called ``kind``; ``KeyError`` listing the known kinds otherwise."""
    try:
        return KINDS[kind]
    except KeyError:
        raise KeyError(f"unknown report kind {kind!r}; known kinds: {', '.join(KINDS)}") from None


def canonical_columns(kind: str) -> list[str]:
    """Canonical column names of ``kind``, in documentation order.

    Parameters
    ----------
    kind : str
        A key of :data:`KINDS`.

    Returns
    -------
    list of str
    """
    return get_kind(kind).column_names


def required_columns(kind: str) -> list[str]:
    """Canonical columns a file of ``kind`` must have."""
    return get_kind(kind).required


def _language_fallbacks(locale: str) -> list[str]:
    language = locale.split("-")[0]
    same_language = [known for known in LOCALES if known.split("-")[0] == language]
    return list(dict.fromkeys([locale, *same_language, "en-US"]))


def header_for(kind: str, column: str, locale: str = "en-US", *, attribution_days: int = 7,
               currency: str | None = None) -> str:
    """The header text Amazon writes for a canonical column in a locale.

    Stable API (the sample generator writes localised files with it). Falls back to another
    region of the same language, then to en-US; en-GB Business Report headers not listed
    explicitly use the en-US text with en dashes, as Amazon UK does.

    Parameters
    ----------
    kind : str
        Report kind id.
    column : str
        Canonical column name.
    locale : str
        ``en-US``, ``en-GB``, ``de-DE``, ``ja-JP``, ``zh-CN`` ...
    attribution_days : int
        [days] window written into ads headers with a ``{n}`` placeholder (7 or 14).
    currency : str, optional
        ISO code written into ``Spend(USD)``-style headers; defaults to the locale's usual one.

    Returns
    -------
    str
    """
    spec = get_kind(kind).column(column)
    text = None
    for candidate in _language_fallbacks(locale):
        if candidate in spec.aliases:
            text = spec.aliases[candidate][0]
            if candidate != locale and locale == "en-GB" and get_kind(kind).family == "business_report":
                text = text.replace(" - ", " – ")
            break
    if text is None:
        text = column
    currency = currency or _LOCALE_CURRENCY.get(locale, "USD")
    return text.replace("{n}", str(attribution_days)).replace("{cur}", currency)


# ---------------------------------------------------------------------------------------------
# Matching a file's header to canonical columns


@dataclass(frozen=True)
class HeaderMatch:
    """Result of matching one header text against one kind.

    Attributes
    ----------
    column : str or None
        Canonical column, None when no alias matched.
    attribution_days : int or None
        [days] from a ``{n} Day ...`` header.
    currency : str or None
        ISO code from a trailing ``(USD)`` / ``(₹)``.
    percent_scale : float
        100 when the header ends in ``(%)`` (values are percentages written as plain numbers).
    """

    column: str | None
    attribution_days: int | None = None
    currency: str | None = None
    percent_scale: float = 1.0


_SUFFIX = re.compile(r"^(?P<stem>.*?)\s*\((?P<unit>[^()]{1,4})\)$")


@cache
def _alias_index(kind: str):
    """(exact alias -> column, [(regex, column)]) for one kind, normalised."""
    exact, patterns = {}, []
    for spec in get_kind(kind).columns:
        for texts in spec.aliases.values():
            for text in texts:
                folded = normalise_header(text)
                if "{n}" in folded:
                    regex = re.escape(folded).replace(re.escape("{n}"), r"(?P<n>\d{1,2})")
                    patterns.append((re.compile(regex), spec.name))
                elif "{cur}" in folded:
                    exact.setdefault(folded.replace("{cur}", "").strip(), spec.name)
                    exact.setdefault(folded.replace("({cur})", "").strip(), spec.name)
                else:
                    exact.setdefault(folded, spec.name)
    # The canonical names themselves are accepted too (files written by the package or by
    # people who already use them), after every Amazon alias.
    for spec in get_kind(kind).columns:
        exact.setdefault(spec.name, spec.name)
    return exact, patterns


def _lookup(kind: str, folded: str):
    exact, patterns = _alias_index(kind)
    if folded in exact:
        return exact[folded], None
    for regex, name in patterns:
        found = regex.fullmatch(folded)
        if found:
            return name, int(found.group("n"))
    return None, None


def match_header(kind: str, header) -> HeaderMatch:
    """Map one header text to a canonical column of ``kind`` (exact match after normalising).

    A trailing ``(%)`` or currency in parentheses is tried both kept and removed, so
    ``CTR(%)``, ``Spend(USD)`` and ``14 Day Total Sales (₹)`` resolve to ``ctr``, ``spend``
    and ``sales`` and report their scale, currency and attribution window.

    Parameters
    ----------
    kind : str
    header : str

    Returns
    -------
    HeaderMatch
    """
    folded = normalise_header(header)
    name, days = _lookup(kind, folded)
    if name is not None:
        return HeaderMatch(name, days)
    suffix = _SUFFIX.match(folded)
    if suffix is None:
        return HeaderMatch(None)
    stem, unit = suffix.group("stem"), suffix.group("unit").strip()
    if unit == "%":
        name, days = _lookup(kind, stem)
        return HeaderMatch(name, days, None, 100.0) if name else HeaderMatch(None)
    code = unit.upper() if unit.upper() in CURRENCY_CODES else CURRENCY_SYMBOLS.get(unit)
    if code is None:
        return HeaderMatch(None)
    name, days = _lookup(kind, stem)
    return HeaderMatch(name, days, code) if name else HeaderMatch(None)


# The kind tables import the builders above, so they are registered last.
from opsanalysis.io import kinds_ads, kinds_inventory, kinds_sales, kinds_seller  # noqa: E402

_register(*kinds_sales.KINDS, *kinds_inventory.KINDS, *kinds_ads.KINDS, *kinds_seller.KINDS)

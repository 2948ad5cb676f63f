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

The types the kind tables are written in (:class:`Column`, :class:`Kind`, the dtypes and the
column builders) live in :mod:`opsanalysis.io.schema_types` and are re-exported here; the tables
(``kinds_*.py``) import them from there, so this module can import the tables at its top and
register them on one line, with no import cycle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

# The kind tables (built from schema_types, so no cycle): a new table module is imported here
# and added to the one _register(...) line below.
from opsanalysis.io import (
    kinds_ads,
    kinds_brand_analytics,
    kinds_bulk,
    kinds_fees,
    kinds_finance,
    kinds_inventory,
    kinds_keepa,
    kinds_ledger,
    kinds_listings,
    kinds_removals,
    kinds_sales,
    kinds_seller,
)
from opsanalysis.io.schema_types import (
    BOOLEAN,
    COUNT,
    DATE,
    DTYPES,
    FRACTION,
    LOCALES,
    MONEY,
    NUMBER,
    TEXT,
    TIMESTAMP,
    Column,
    Kind,
    normalise_header,
    snake_name,
)

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

# Currency a `{cur}` placeholder takes when header_for is not told one.
_LOCALE_CURRENCY = {"en-US": "USD", "en-GB": "GBP", "de-DE": "EUR", "fr-FR": "EUR",
                    "it-IT": "EUR", "es-ES": "EUR", "ja-JP": "JPY", "zh-CN": "USD"}

# ISO codes and symbols accepted in a trailing "(...)" of a header, e.g. "Spend(USD)".
CURRENCY_CODES = frozenset(
    "USD CAD MXN BRL GBP EUR SEK PLN TRY JPY AUD SGD INR AED SAR EGP CNY".split()
)
CURRENCY_SYMBOLS = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "￥": "JPY", "₹": "INR"}


# ---------------------------------------------------------------------------------------------
# Registry (filled from the kind tables, which are built from schema_types)

KINDS: dict[str, Kind] = {}


def _register(*kinds: Kind) -> None:
    for kind in kinds:
        if any(c.dtype == MONEY for c in kind.columns) and "currency" not in kind.column_names:
            # Readers add the currency of the amounts (symbol, header or marketplace).
            kind = Kind(kind.name, kind.description, kind.family,
                        (*kind.columns, Column("currency", TEXT)), kind.variants,
                        kind.markers, kind.constants)
        names = kind.column_names
        if len(names) != len(set(names)):
            raise ValueError(f"duplicate canonical column in kind {kind.name}")
        KINDS[kind.name] = kind


_register(*kinds_sales.KINDS, *kinds_inventory.KINDS, *kinds_ads.KINDS, *kinds_seller.KINDS,
          *kinds_fees.KINDS, *kinds_removals.KINDS, *kinds_ledger.KINDS,
          *kinds_finance.KINDS, *kinds_listings.KINDS, *kinds_bulk.KINDS,
          *kinds_brand_analytics.KINDS, *kinds_keepa.KINDS)


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

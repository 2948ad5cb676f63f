"""How a report shows a number: one convention for every table, sentence and workbook.

Analyses return canonical columns holding raw values (rates as fractions, money in the
marketplace currency, dates as timestamps). This module decides, from a column's name (or an
explicit kind given by the section that shows it), how its values read:

=========== ==================================== ================= ====================
kind        examples                              text              Excel number format
=========== ==================================== ================= ====================
percent     acos, ctr, return_rate, fill_rate     ``12.3%``         ``0.0%``
money       sales, spend, order_cost, bid         ``1,234.56``      ``#,##0.00``
                                                  (JPY ``1,235``)   (JPY ``#,##0``)
count       order_qty, units, clicks, on_hand     ``1,234``         ``#,##0``
days        days_of_cover_now, lead_time_days     ``27.4``          ``#,##0.0``
number      anything else numeric                 ``1.23``          ``#,##0.00``
date        order_by, expected_arrival            ``2026-11-03``    ``yyyy-mm-dd``
bool        stockout_risk                         yes / no          (text)
code/text   status, reason, sku, search_term      label or as is    (text)
=========== ==================================== ================= ====================

Rates are always shown as percent (one convention, issue 16); an unknown number reads "not
estimated" in the report language, never 0 or ``nan``; a missing date or text reads "—".
"""

from __future__ import annotations

import decimal
import math
import re

import pandas as pd

from opsanalysis.labels import has_label, label
from opsanalysis.marketplaces import currency_decimals

__all__ = ["KINDS", "MISSING_TEXT", "column_kind", "excel_number_format", "format_column",
           "format_value", "money_text", "percent_text"]

KINDS = ("percent", "money", "count", "days", "number", "date", "bool", "text")
#: What a missing date or text cell shows (a missing number shows "not estimated").
MISSING_TEXT = "—"

# Checked in order; the first match wins. Anchored on word parts of snake_case names so that
# "sales_rank" is a count and "cost_currency" is text.
_NAME_RULES = [
    (r"(^|_)(currency|reason|text|status|action|mode|policy|verdict|type|source|basis|sku|asin|"
     r"term|keyword|campaign|group|name|title|id|code|marketplace|version|note|notes)$", "text"),
    (r"(^|_)(rank)$|^attribution_days$", "count"),
    (r"(^|_)(date|by|arrival|start|end|day|week_start|month_start|first_sale|last_sale)$|"
     r"^(date|week|month)$", "date"),
    (r"(^|_)(acos|tacos|ctr|cvr|rate|share|percent|percentage|probability|ratio_pct|"
     r"margin_rate|conversion|roas_pct|coverage)($|_)", "percent"),
    (r"(^|_)(sales|spend|cost|costs|fee|fees|price|revenue|profit|bid|cpc|surcharge|amount|"
     r"charge|charges|payout|payouts|freight|duty|value|margin)($|_)", "money"),
    (r"(^|_)(days|weeks|lead_time|cover)($|_)", "days"),
    (r"(^|_)(qty|quantity|units|orders|clicks|impressions|sessions|views|count|skus|on_hand|"
     r"on_order|inbound|reserved|fulfillable|returns|terms|rows|listings)($|_)", "count"),
]
_COMPILED = [(re.compile(pattern), kind) for pattern, kind in _NAME_RULES]
_CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def column_kind(name, values: pd.Series | None = None) -> str:
    """The display kind of a column, from its values' dtype and its canonical name.

    Parameters
    ----------
    name : str
        Canonical column name ("order_qty", "acos", "order_by").
    values : Series, optional
        The column; datetimes are dates, booleans are bools and text is text whatever the name.

    Returns
    -------
    str
        One of :data:`KINDS`.
    """
    if values is not None:
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            return "date"
        if pd.api.types.is_bool_dtype(values.dtype):
            return "bool"
        if not pd.api.types.is_numeric_dtype(values.dtype) and not _all_missing(values):
            return "date" if _holds_dates(values) else "text"
    text = str(name).strip().lower()
    for pattern, kind in _COMPILED:
        if pattern.search(text):
            if kind in ("text", "date") and values is not None \
                    and pd.api.types.is_numeric_dtype(values.dtype):
                continue  # a numeric "…_id" or "…_day" column is still a number
            return kind
    return "number"


def _all_missing(values: pd.Series) -> bool:
    return bool(values.isna().all())


def _holds_dates(values: pd.Series) -> bool:
    present = values.dropna()
    return len(present) > 0 and all(isinstance(v, pd.Timestamp) for v in present.head(20))


def _is_missing(value) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_value(value, kind: str, currency: str | None = None, language: str = "en") -> str:
    """One value as report text.

    Parameters
    ----------
    value : object
    kind : str
        One of :data:`KINDS`.
    currency : str, optional
        ISO 4217 code for money (its decimals: JPY none, USD two).
    language : {"en", "zh"}

    Returns
    -------
    str
        "not estimated" (in ``language``) for a missing number, "—" for a missing date or text,
        otherwise the value in the kind's convention (see the module docstring).
    """
    if _is_missing(value):
        return label("not_estimated", language) if kind in _NUMERIC_KINDS else MISSING_TEXT
    if kind == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if kind == "bool":
        return label("yes" if bool(value) else "no", language)
    if kind == "text":
        return _text(value, language)
    number = float(value)
    if not math.isfinite(number):
        return label("not_estimated", language)
    if kind == "percent":
        return percent_text(number)
    if kind == "money":
        return _money(number, currency_decimals(currency or ""))
    if kind == "count":
        return f"{number:,.0f}"
    if kind == "days":
        return f"{number:,.1f}"
    return f"{number:,.2f}"


_NUMERIC_KINDS = frozenset({"percent", "money", "count", "days", "number"})


def _money(amount: float, decimals: int) -> str:
    # Half up, as invoices and Seller Central round (f-strings round half to even: 0.5 -> 0)
    step = decimal.Decimal(1).scaleb(-decimals)
    rounded = decimal.Decimal(repr(amount)).quantize(step, rounding=decimal.ROUND_HALF_UP)
    return f"{rounded:,.{decimals}f}"


def _text(value, language) -> str:
    text = str(value)
    if _CODE.match(text) and has_label(text):
        return label(text, language)
    return text


def percent_text(fraction: float, digits: int = 1) -> str:
    """A fraction as percent text: 0.1234 -> "12.3%".

    Parameters
    ----------
    fraction : float
        Rate as a fraction [-].
    digits : int
        Decimals of the percent.

    Returns
    -------
    str
    """
    return f"{fraction * 100:,.{digits}f}%"


def money_text(amount: float, currency: str, language: str = "en") -> str:
    """An amount with its currency code for sentences: "1,234.56 USD", "4,496 JPY".

    Parameters
    ----------
    amount : float
        Amount [currency].
    currency : str
        ISO 4217 code.
    language : {"en", "zh"}

    Returns
    -------
    str
        "not estimated" when the amount is unknown.
    """
    if _is_missing(amount):
        return label("not_estimated", language)
    return f"{format_value(amount, 'money', currency, language)} {currency}"


def format_column(values: pd.Series, kind: str, currency=None, language: str = "en") -> pd.Series:
    """A column as report text (see :func:`format_value`).

    Parameters
    ----------
    values : Series
    kind : str
        One of :data:`KINDS`.
    currency : str or Series, optional
        One currency, or a currency per row (a table that mixes currencies).
    language : {"en", "zh"}

    Returns
    -------
    Series of str
    """
    if isinstance(currency, pd.Series):
        pairs = zip(values, currency.reindex(values.index), strict=True)
        texts = [format_value(v, kind, c, language) for v, c in pairs]
    else:
        texts = [format_value(v, kind, currency, language) for v in values]
    return pd.Series(texts, index=values.index, dtype=object)


def excel_number_format(kind: str, currency: str | None = None) -> str | None:
    """The Excel number format of a kind (see the module docstring).

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    currency : str, optional
        ISO 4217 code for money.

    Returns
    -------
    str or None
        None for text and bool columns (stored as text).
    """
    if kind == "money":
        return "#,##0" if currency_decimals(currency or "") == 0 else "#,##0.00"
    return {"percent": "0.0%", "count": "#,##0", "days": "#,##0.0", "number": "#,##0.00",
            "date": "yyyy-mm-dd"}.get(kind)

"""What a report line is: a real seller SKU or a placeholder, a marketplace sale or another channel.

Stable API:

- :func:`placeholder_skus` -> tuple of the SKU placeholders Amazon writes (``UNKNOW`` ...), read
  from ``placeholders.yaml`` beside this module, where each has its source;
- :func:`is_placeholder_sku` (``skus, placeholders=None``) -> boolean Series;
- :func:`is_marketplace_sale` (``orders, marketplace=None``) -> boolean Series: All Orders lines
  sold on an Amazon storefront, as opposed to multi-channel fulfilment and removal shipments
  (``sales-channel`` ``Non-Amazon``) and any other channel;
- :func:`sales_channel_summary` (``orders, marketplace=None``) -> lines and units per sales
  channel, to say what a figure left out;
- :func:`per_distinct` (``values, function``) -> an elementwise ``function`` of a column, computed
  once per distinct value (a 1.4 M-line column of a few thousand SKUs costs the SKUs' strings, not
  a Python string per line); the two tests above use it.

The readers keep every line as Amazon wrote it; analyses decide what to leave out with these.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from opsanalysis import marketplaces

__all__ = ["is_cancelled", "is_marketplace_sale", "is_placeholder_sku", "per_distinct",
           "placeholder_skus", "sales_channel_summary"]

_PLACEHOLDERS_FILE = Path(__file__).resolve().parent / "placeholders.yaml"


@cache
def placeholder_skus() -> tuple:
    """SKU values Amazon writes for lines without a seller SKU (``UNKNOW``, ``-`` ...).

    Returns
    -------
    tuple of str
        As listed in ``opsanalysis/io/placeholders.yaml`` (with the source of each).
    """
    with open(_PLACEHOLDERS_FILE, encoding="utf-8") as handle:
        values = yaml.safe_load(handle)["placeholder_skus"]["values"]
    return tuple(str(value) for value in values)


def per_distinct(values: pd.Series, function) -> pd.Series:
    """``function`` of every cell of ``values``, computed once per distinct value.

    For an elementwise ``function`` (a Series in, a Series of the same length out) the result
    equals ``function(values)``; on a column of 1.4 M order lines with a few thousand distinct
    values it costs the distinct values' strings instead of a copy of every line's.

    Parameters
    ----------
    values : pandas.Series
        Any column of text (missing cells form one distinct value). Cells are told apart by
        Python equality, so a column mixing ``1``, ``1.0`` and ``True`` would count them as one.
    function : callable
        Elementwise: Series of the distinct values -> Series (or array) of their results.

    Returns
    -------
    pandas.Series
        The results, same index and name as ``values``.

    Examples
    --------
    >>> per_distinct(pd.Series(["a", "B", "a"]), lambda s: s.str.upper()).tolist()
    ['A', 'B', 'A']
    """
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    results = pd.Series(function(pd.Series(distinct)))
    return pd.Series(results.array.take(codes), index=values.index, name=values.name)


def is_placeholder_sku(skus, placeholders=None) -> pd.Series:
    """Mark SKU cells that hold a placeholder rather than a seller SKU.

    Parameters
    ----------
    skus : pandas.Series or array-like of str
        A ``sku`` column (any kind).
    placeholders : iterable of str, optional
        Placeholder values; default :func:`placeholder_skus`. Compared after stripping spaces,
        case-insensitively.

    Returns
    -------
    pandas.Series of bool
        True for a placeholder or a blank / missing cell; same index as ``skus``.

    Examples
    --------
    >>> is_placeholder_sku(pd.Series(["MAT-GREY", "UNKNOW", " ", None])).tolist()
    [False, True, True, True]
    """
    series = skus if isinstance(skus, pd.Series) else pd.Series(list(skus), dtype=object)
    folded = {str(value).strip().casefold() for value in
              (placeholder_skus() if placeholders is None else placeholders)}

    def marked(distinct):
        text = distinct.astype("string").str.strip().str.casefold()
        return (text.isna() | text.eq("") | text.isin(folded)).fillna(True).astype(bool)

    return per_distinct(series, marked)


def is_cancelled(orders: pd.DataFrame) -> pd.Series:
    """Mark the order lines Amazon cancelled (``order-status`` "Cancelled").

    Every figure built on All Orders leaves these lines out; one test for all of them, so that
    no two figures disagree on what was cancelled. Computed once per distinct status.

    Parameters
    ----------
    orders : pandas.DataFrame
        Canonical ``all_orders`` frame (``order_status``).

    Returns
    -------
    pandas.Series of bool
        True where the status is "Cancelled" (any case, surrounding spaces ignored); False for
        any other status and for a blank one.

    Raises
    ------
    KeyError
        When ``orders`` has no ``order_status`` column.

    Examples
    --------
    >>> is_cancelled(pd.DataFrame({"order_status": ["Shipped", "Cancelled", " cancelled", None]})
    ...              ).tolist()
    [False, True, True, False]
    """
    if "order_status" not in orders:
        raise KeyError("the frame has no order_status column (an All Orders report has one)")
    return per_distinct(orders["order_status"], lambda status: status.astype("string").str.strip()
                        .str.casefold().eq("cancelled").fillna(False).astype(bool)).astype(bool)


def is_marketplace_sale(orders: pd.DataFrame, marketplace=None) -> pd.Series:
    """Mark All Orders lines sold on an Amazon storefront (not MCF, removals or other channels).

    Amazon writes the storefront in ``sales-channel`` (``Amazon.com``, ``Amazon.co.uk``); lines
    it ships for the seller's other channels (multi-channel fulfilment) and, in some downloads,
    removal shipments are ``Non-Amazon`` (or ``Non-Amazon <x>``). Order status is not looked
    at: leave out cancelled lines separately.

    Parameters
    ----------
    orders : pandas.DataFrame
        Canonical ``all_orders`` frame (``sales_channel``).
    marketplace : str or Marketplace, optional
        Keep only that marketplace's storefront (``UK`` -> ``Amazon.co.uk``): a regional All
        Orders download also lists the other marketplaces of the region. Default: any Amazon
        storefront.

    Returns
    -------
    pandas.Series of boolean
        True for a marketplace sale, False for any other channel, ``<NA>`` where the sales
        channel is blank (unknown: the caller says how it counts them).

    Examples
    --------
    >>> orders = pd.DataFrame({"sales_channel": ["Amazon.com", "Non-Amazon", ""]})
    >>> is_marketplace_sale(orders).tolist()
    [True, False, <NA>]
    """
    if "sales_channel" not in orders:
        raise KeyError("the frame has no sales_channel column (an All Orders report has one)")
    domain = None if marketplace is None else \
        marketplaces.get(str(getattr(marketplace, "code", marketplace))).domain.casefold()

    def sale_of(distinct):
        channel = distinct.astype("string").str.strip().str.casefold()
        sale = channel.str.startswith("amazon.") if domain is None else channel.eq(domain)
        sale = sale.astype("boolean")
        sale[channel.isna() | channel.eq("")] = pd.NA
        return sale

    return per_distinct(orders["sales_channel"], sale_of)


def sales_channel_summary(orders: pd.DataFrame, marketplace=None) -> pd.DataFrame:
    """Order lines and units per sales channel, and whether each counts as a marketplace sale.

    Parameters
    ----------
    orders : pandas.DataFrame
        Canonical ``all_orders`` frame (``sales_channel``, ``quantity``).
    marketplace : str or Marketplace, optional
        As for :func:`is_marketplace_sale`.

    Returns
    -------
    pandas.DataFrame
        sales_channel (as written; blank as ``<NA>``), lines [count], units [count],
        is_marketplace_sale; most units first.
    """
    frame = pd.DataFrame({
        "sales_channel": orders["sales_channel"].astype("string").str.strip().replace("", pd.NA),
        "quantity": pd.to_numeric(orders["quantity"], errors="coerce"),
        "is_marketplace_sale": is_marketplace_sale(orders, marketplace),
    })
    table = (frame.groupby(["sales_channel", "is_marketplace_sale"], dropna=False, sort=False)
             .agg(lines=("quantity", "size"), units=("quantity", "sum"))
             .reset_index())
    table["units"] = table["units"].astype("Int64")
    table = table[["sales_channel", "lines", "units", "is_marketplace_sale"]]
    return table.sort_values("units", ascending=False, kind="stable").reset_index(drop=True)

"""Kind tables: Brand Analytics Search Query Performance (brand and ASIN views), Top Search Terms.

Sources (looked up 2026-12-02; details and links in ``docs/ads-report-formats.md``): the
headers as written by public parsers and test fixtures of downloaded CSVs (``Search Query``,
``Impressions: Total Count``, ``Impressions: Brand Count`` / ``Impressions: ASIN Count``,
``... Share %``, ``Clicks: Price (Median)`` ...; ``Search Frequency Rank``, ``Top Clicked
Product #1: ASIN`` and the older ``#1 Clicked ASIN``). Seller Central writes a first line of
filters above the header -- ``Brand=["x"],Reporting Range=["Weekly"],Select week=["Week 6 |
2026-02-01 - 2026-02-07 2026"]`` -- which the reader skips as a preamble and
:func:`add_report_metadata` turns into ``period_start``, ``period_end``, ``reporting_range``
and the ``brand`` or ``asin`` the report is about. Shares and rates are written as bare
percentages (``18.54`` = 18.54 %), hence ``scale=100``. Only en-US headers are documented.
"""

from __future__ import annotations

import calendar
import csv
import io
import re

import pandas as pd

from opsanalysis.io.errors import PeriodError
from opsanalysis.io.schema_types import COUNT, DATE, FRACTION, MONEY, TEXT, Kind, col

__all__ = ["KINDS", "add_report_metadata", "parse_metadata", "metadata_period"]

_FAMILY = "brand_analytics"
_DOWNLOAD = ("Seller Central > Brands > Brand Analytics > Search Analytics, Download "
             "(see docs/ads-report-formats.md)")
_METADATA = [col("period_start", DATE), col("period_end", DATE), col("reporting_range", TEXT)]


def _funnel(owner: str) -> list:
    """SQP columns of one view; ``owner`` is ``Brand`` or ``ASIN`` as in the headers."""
    columns = [
        col("reporting_date", DATE, en="Reporting Date"),
        col("search_query", TEXT, True, en="Search Query"),
        col("search_query_score", COUNT, en="Search Query Score"),
        col("search_query_volume", COUNT, en="Search Query Volume"),
    ]
    stages = (("impressions", "Impressions", "impression", None),
              ("clicks", "Clicks", "click", "Click Rate"),
              ("cart_adds", "Cart Adds", "cart_add", "Cart Add Rate"),
              ("purchases", "Purchases", "purchase", "Purchase Rate"))
    for plural, title, single, rate in stages:
        columns.append(col(f"total_{plural}", COUNT, plural == "impressions",
                           en=f"{title}: Total Count"))
        if rate:
            # one 2026 fixture writes the click rate without its "Clicks: " prefix
            extra = (f"{rate} %",) if plural == "clicks" else ()
            columns.append(col(f"total_{single}_rate", FRACTION, scale=100.0,
                               en=(f"{title}: {rate} %", f"{title}: {rate}", *extra)))
        columns += [
            col(f"own_{plural}", COUNT, plural == "impressions", en=f"{title}: {owner} Count"),
            col(f"own_{single}_share", FRACTION, scale=100.0,
                en=(f"{title}: {owner} Share %", f"{title}: {owner} Share")),
        ]
        if plural == "impressions":
            continue
        columns += [
            col(f"total_{single}_price_median", MONEY, en=f"{title}: Price (Median)"),
            col(f"own_{single}_price_median", MONEY, en=f"{title}: {owner} Price (Median)"),
            col(f"{plural}_same_day_shipping", COUNT,
                en=(f"{title}: Same Day Shipping Speed", f"{title}: Same-Day Shipping Speed")),
            col(f"{plural}_one_day_shipping", COUNT, en=f"{title}: 1D Shipping Speed"),
            col(f"{plural}_two_day_shipping", COUNT, en=f"{title}: 2D Shipping Speed"),
        ]
    return columns


SQP_BRAND = Kind(
    "sqp_brand", "Brand Analytics Search Query Performance, brand view (csv/xlsx); " + _DOWNLOAD, _FAMILY,
    (*_funnel("Brand"), *_METADATA, col("brand", TEXT)),
)
SQP_ASIN = Kind(
    "sqp_asin", "Brand Analytics Search Query Performance, ASIN view (csv/xlsx); " + _DOWNLOAD, _FAMILY,
    (*_funnel("ASIN"), *_METADATA, col("asin", TEXT)),
)


def _top_clicked(rank: int) -> list:
    """The four columns of the ``rank``-th most clicked product, in both header styles."""
    new, old = f"Top Clicked Product #{rank}:", f"#{rank}"
    return [
        col(f"clicked_asin_{rank}", TEXT, en=(f"{new} ASIN", f"{old} Clicked ASIN")),
        col(f"clicked_title_{rank}", TEXT, en=(f"{new} Product Title", f"{old} Product Title")),
        col(f"click_share_{rank}", FRACTION, scale=100.0,
            en=(f"{new} Click Share", f"{old} Click Share")),
        col(f"conversion_share_{rank}", FRACTION, scale=100.0,
            en=(f"{new} Conversion Share", f"{old} Conversion Share")),
    ]


TOP_SEARCH_TERMS = Kind(
    "top_search_terms", "Brand Analytics Top Search Terms (Search Terms) report (csv/xlsx); " + _DOWNLOAD,
    _FAMILY,
    (
        col("reporting_date", DATE, en="Reporting Date"),
        col("department", TEXT, en="Department"),
        col("search_term", TEXT, True, en="Search Term"),
        col("search_frequency_rank", COUNT, True, en="Search Frequency Rank"),
        # Amazon's own header has "Brand #1" but "Brands #2", "Brands #3".
        col("top_clicked_brand_1", TEXT, en="Top Clicked Brand #1"),
        col("top_clicked_brand_2", TEXT, en=("Top Clicked Brands #2", "Top Clicked Brand #2")),
        col("top_clicked_brand_3", TEXT, en=("Top Clicked Brands #3", "Top Clicked Brand #3")),
        col("top_clicked_category_1", TEXT, en="Top Clicked Category #1"),
        col("top_clicked_category_2", TEXT, en="Top Clicked Category #2"),
        col("top_clicked_category_3", TEXT, en="Top Clicked Category #3"),
        *_top_clicked(1), *_top_clicked(2), *_top_clicked(3),
        *_METADATA,
    ),
)

KINDS = (SQP_BRAND, SQP_ASIN, TOP_SEARCH_TERMS)

# --- the filter line above the header ----------------------------------------------------------

_PAIR = re.compile(r'^\s*(?P<key>[^=\[\]]+?)\s*=\s*\[(?P<value>.*)\]\s*$')
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_PREAMBLE_ROWS = 5


def parse_metadata(rows) -> dict:
    """``key=["value"]`` cells of the rows above a Brand Analytics header.

    Parameters
    ----------
    rows : iterable of iterable of str
        The first rows of the file, as cells.

    Returns
    -------
    dict of str -> str
        Lower-case keys (``reporting range``, ``select week``, ``brand``, ``asin or product``).
    """
    found = {}
    for row in rows:
        for cell in row:
            matched = _PAIR.match(str(cell)) if isinstance(cell, str) else None
            if matched:
                value = matched.group("value").strip().strip('"').strip()
                found[matched.group("key").strip().lower()] = value
    return found


def metadata_period(metadata: dict, path=None):
    """First and last day of the period a Brand Analytics filter line selects.

    Parameters
    ----------
    metadata : dict
        From :func:`parse_metadata`.
    path : str, optional
        For the error message.

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp) or None
        None when the line names no period.

    Raises
    ------
    PeriodError
        When a ``Select ...`` value is not understood.
    """
    for key in ("select week", "select day", "select date"):
        if key in metadata:
            days = _ISO.findall(metadata[key])
            if not days:
                raise PeriodError(f"the {key!r} filter names no date", file=path, row=1,
                                  value=metadata[key],
                                  expected='"Week 6 | 2026-02-01 - 2026-02-07 2026"')
            return pd.Timestamp(days[0]), pd.Timestamp(days[-1])
    year = metadata.get("select year", "")
    if not year:
        return None
    if not year.strip().isdigit():
        raise PeriodError("the 'select year' filter is not a year", file=path, row=1,
                          value=year, expected='a year such as "2026"')
    year = int(year)
    if "select month" in metadata:
        month = _month_number(metadata["select month"], path)
        return pd.Timestamp(year, month, 1), \
            pd.Timestamp(year, month, calendar.monthrange(year, month)[1])
    if "select quarter" in metadata:
        quarter = metadata["select quarter"].upper().lstrip("Q")
        if quarter not in ("1", "2", "3", "4"):
            raise PeriodError("the 'select quarter' filter is not a quarter", file=path, row=1,
                              value=metadata["select quarter"], expected='"1" to "4"')
        start = pd.Timestamp(year, 3 * int(quarter) - 2, 1)
        return start, start + pd.offsets.QuarterEnd(0)
    return pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)


def _month_number(text, path):
    text = text.strip()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    # "January", "Jan" or "Jan." (English month names are the only ones documented)
    number = next((n for name, n in _MONTHS.items() if name[:3] == text.lower()[:3]), 0)
    if not number:
        raise PeriodError("the 'select month' filter is not a month", file=path, row=1,
                          value=text, expected='a month such as "January" or "1"')
    return number


def _first_rows(raw) -> list:
    """The first rows of a text or xlsx file, as cells (before any header detection)."""
    if raw.container == "xlsx":
        sheet = pd.read_excel(io.BytesIO(raw.data), header=None, nrows=_PREAMBLE_ROWS,
                              dtype=object)
        return [[value for value in row if isinstance(value, str)]
                for row in sheet.itertuples(index=False)]
    text = raw.head.decode(raw.encoding or "utf-8", errors="replace").lstrip("\ufeff")
    lines = text.splitlines()[:_PREAMBLE_ROWS]
    return list(csv.reader(lines, delimiter=raw.delimiter or ","))


def add_report_metadata(frame: pd.DataFrame, kind: str, raw, path, warnings: list) -> pd.DataFrame:
    """Add the period, reporting range and brand/ASIN of the filter line to a BA frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical frame of a Brand Analytics kind.
    kind : str
    raw : opsanalysis.io.detect.RawFile
        The opened file (``detect.open_raw``), whose first rows hold the filter line.
    path : str
    warnings : list
        Appended to when the file has no filter line (period unknown).

    Returns
    -------
    pandas.DataFrame
    """
    metadata = parse_metadata(_first_rows(raw))
    if not metadata:
        warnings.append("no Brand Analytics filter line (Reporting Range=[...]) above the "
                        "header: period unknown")
        return frame
    period = metadata_period(metadata, path)
    if period is not None:
        for name, day in zip(("period_start", "period_end"), period, strict=True):
            frame[name] = pd.Series(day, index=frame.index, dtype="datetime64[ns]")
        _check_reporting_date(frame, period, warnings)
    if "reporting range" in metadata:
        frame["reporting_range"] = pd.Series(metadata["reporting range"].lower(),
                                             index=frame.index, dtype="str")
    owner = {"sqp_brand": ("brand", ("brand", "brands")),
             "sqp_asin": ("asin", ("asin or product", "asin"))}.get(kind)
    if owner is not None:
        value = next((metadata[key] for key in owner[1] if key in metadata), None)
        if value is not None:
            frame[owner[0]] = pd.Series(value, index=frame.index, dtype="str")
    return frame


def _check_reporting_date(frame, period, warnings):
    if "reporting_date" not in frame.columns:
        return
    dates = frame["reporting_date"].dropna()
    outside = dates[(dates < period[0]) | (dates > period[1])]
    if len(outside):
        warnings.append(f"{len(outside)} row(s) have a Reporting Date outside the selected "
                        f"period {period[0]:%Y-%m-%d} to {period[1]:%Y-%m-%d} "
                        f"(first: {outside.iloc[0]:%Y-%m-%d})")

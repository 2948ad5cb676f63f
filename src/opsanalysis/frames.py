"""Frame helpers shared by the analyses: numbers, grouping, ratios and periods.

Every KPI of :mod:`opsanalysis.kpi` and the tables of :mod:`opsanalysis.ads` and
:mod:`opsanalysis.opportunity` are built from these helpers, with the same arguments:

- ``by``: ``None`` (one total), a grouping name -- ``"sku"``, ``"asin"``, ``"parent"``,
  ``"category"``, ``"campaign"``, ``"ad_group"``, ``"marketplace"`` -- any canonical column, or a
  list of them (ad group names repeat across campaigns: use ``["campaign", "ad_group"]``).
  ``"category"`` and ``"parent"`` are looked up in the product master (``products=``) when the
  frame itself lacks them.
- ``freq``: ``None`` (whole frame), ``"D"``, ``"W"`` (Amazon's weeks, Sunday to Saturday), ``"M"``,
  ``"Q"`` or ``"Y"``; the result then has a ``period`` column holding the first day of each period.

Ratios are computed as sum(numerator) / sum(denominator) within a group -- never as the mean of
row ratios -- and an empty denominator (0 or missing) gives NaN, never 0 and never an error. The
numerator and denominator are returned beside the ratio so that every figure can be checked.

Money is never added across currencies and advertising figures are never added across
attribution windows: when a frame has a ``currency`` or ``attribution_days`` column, it is always
part of the grouping.
"""

import numpy as np
import pandas as pd

#: Grouping names -> candidate canonical columns, first present wins.
GROUP_COLUMNS = {
    "sku": ("sku", "advertised_sku"),
    "asin": ("child_asin", "asin", "advertised_asin"),
    "parent": ("parent_asin",),
    "category": ("category",),
    "campaign": ("campaign_name",),
    "ad_group": ("ad_group_name",),
    "marketplace": ("marketplace",),
    "currency": ("currency",),
}

#: Columns that must never be summed across: money in different currencies, ad results
#: attributed over different windows (7 vs 14 days).
KEEP_APART = ("currency", "attribution_days")

#: Date columns tried, in order, to place a row in a period.
DATE_COLUMNS = ("date", "period_start", "start_date", "purchase_date", "return_date",
                "return_request_date", "snapshot_date", "date_to")

FREQUENCIES = ("D", "W", "M", "Q", "Y")

#: Pandas periods behind the frequencies: Amazon's weeks (weekly Business Reports, Brand
#: Analytics) run Sunday to Saturday.
PANDAS_PERIODS = {"D": "D", "W": "W-SAT", "M": "M", "Q": "Q", "Y": "Y"}


class GroupingError(KeyError):
    """A frame cannot be grouped as asked: no column for the grouping and no way to attach one.

    A :class:`KeyError`, so that code catching a missing column also catches it; the scorecard's
    drill-down catches only this one to mean "the rule cannot be split by that grouping".
    """


# --------------------------------------------------------------------------------------------
# elementwise helpers
# --------------------------------------------------------------------------------------------

def as_float(values) -> pd.Series | float:
    """Convert counts/money (``Int64``, ``Float64``, object) to float64 with NaN for missing."""
    if np.isscalar(values) or values is None:
        return np.nan if values is None or pd.isna(values) else float(values)
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    return pd.Series(pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64",
                                                                     na_value=np.nan),
                     index=series.index, name=series.name)


def safe_divide(numerator, denominator):
    """numerator / denominator with NaN wherever the denominator is 0 or missing.

    Parameters
    ----------
    numerator, denominator : scalar, array-like or Series
        Any numeric values (nullable dtypes accepted).

    Returns
    -------
    float or Series
        The ratio [float64]; NaN where the denominator is empty, never 0, never an exception.
    """
    numerator = as_float(numerator)
    denominator = as_float(denominator)
    if np.isscalar(denominator):
        return np.nan if (pd.isna(denominator) or denominator == 0) else numerator / denominator
    return numerator / denominator.where(denominator != 0)


# --------------------------------------------------------------------------------------------
# grouping machinery
# --------------------------------------------------------------------------------------------

def _as_list(by) -> list:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _lookup_from_products(frame, name, products):
    """Bring ``category``/``parent_asin``/``brand`` from the product master via sku or asin."""
    if products is None:
        raise GroupingError(f"grouping {name!r} needs a product master (products=) for this "
                            "frame")
    column = GROUP_COLUMNS.get(name, (name,))[0]
    for key_name in ("sku", "asin"):
        key = next((c for c in GROUP_COLUMNS[key_name] if c in frame), None)
        product_key = "sku" if key_name == "sku" else "asin"
        if key is not None and product_key in products and column in products:
            mapping = products.drop_duplicates(product_key).set_index(product_key)[column]
            return frame[key].map(mapping)
    raise GroupingError(f"cannot attach {name!r}: neither the frame's sku nor its asin finds "
                        f"{name!r} in the product master")


def group_column(frame: pd.DataFrame, name: str, products=None) -> pd.Series:
    """The values to group ``frame`` by for grouping ``name``.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame.
    name : str
        A name in :data:`GROUP_COLUMNS` or any column of ``frame``.
    products : DataFrame, optional
        Product master, used for ``category``/``parent``/``brand`` when the frame lacks them.

    Returns
    -------
    Series
        Group labels aligned with ``frame``.

    Raises
    ------
    GroupingError
        When neither the frame nor the product master gives the grouping.
    """
    for column in GROUP_COLUMNS.get(name, (name,)):
        if column in frame:
            return frame[column]
    if name == "marketplace" and frame.attrs.get("marketplace"):
        return pd.Series(frame.attrs["marketplace"], index=frame.index)
    if name in ("category", "parent", "brand"):
        return _lookup_from_products(frame, name, products)
    raise GroupingError(f"cannot group by {name!r}: none of "
                        f"{list(GROUP_COLUMNS.get(name, (name,)))} is a column")


def period_start(dates: pd.Series, freq: str) -> pd.Series:
    """First day of the period (D/W/M/Q/Y) holding each date; weeks run Sunday to Saturday.

    Tz-aware timestamps are first reduced to their local calendar date.
    """
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {FREQUENCIES} or None, got {freq!r}")
    dates = pd.to_datetime(dates)
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates.dt.to_period(PANDAS_PERIODS[freq]).dt.start_time


def date_column(frame: pd.DataFrame, date=None) -> str:
    """Name of the column that dates each row (``date`` argument wins)."""
    if date is not None:
        return date
    for column in DATE_COLUMNS:
        if column in frame:
            return column
    raise KeyError(f"no date column among {DATE_COLUMNS}; pass date=")


def group_keys(frame, by=None, freq=None, products=None, date=None) -> pd.DataFrame:
    """Grouping keys for ``frame``: the ``by`` names, ``period`` and the keep-apart columns.

    Returns
    -------
    DataFrame
        Same index as ``frame``; columns named after the groupings (``sku``, ``campaign`` ...),
        then ``period`` when ``freq`` is given, then ``currency``/``attribution_days`` when the
        frame has them (never summed across).
    """
    keys = {name: group_column(frame, name, products).to_numpy() for name in _as_list(by)}
    if freq is not None:
        keys["period"] = period_start(frame[date_column(frame, date)], freq).to_numpy()
    for column in KEEP_APART:
        if column in frame and column not in keys:
            keys[column] = frame[column].to_numpy()
    return pd.DataFrame(keys, index=frame.index)


def _sum_by(keys: pd.DataFrame, values: dict) -> pd.DataFrame:
    """Sum value Series by key columns; all-missing groups stay missing (min_count=1)."""
    work = pd.concat([keys, pd.DataFrame({n: as_float(v) for n, v in values.items()},
                                         index=keys.index)], axis=1)
    if keys.shape[1] == 0:
        return work[list(values)].sum(min_count=1).to_frame().T.reset_index(drop=True)
    grouped = work.groupby(list(keys.columns), dropna=False, sort=True, observed=True)
    return grouped[list(values)].sum(min_count=1).reset_index()


def totals(frame, columns, by=None, freq=None, products=None, date=None) -> pd.DataFrame:
    """Sum additive columns (sessions, units, spend ...) by grouping and period.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame.
    columns : list of str
        Additive columns to sum [count or currency].
    by, freq, products, date
        See the module docstring.

    Returns
    -------
    DataFrame
        Keys then one column per summed column (float64).
    """
    keys = group_keys(frame, by, freq, products, date)
    return _sum_by(keys, {c: frame[c] for c in columns})


def ratio(frame, numerator, denominator, name, by=None, freq=None, products=None,
          date=None) -> pd.DataFrame:
    """Generic ratio KPI: sum(numerator) / sum(denominator) per group and period.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame.
    numerator, denominator : str or Series
        Column names, or Series aligned with ``frame`` for computed quantities.
    name : str
        Name of the ratio column.
    by, freq, products, date
        See the module docstring.

    Returns
    -------
    DataFrame
        Keys, ``numerator`` and ``denominator`` sums (named after the columns, or
        ``<name>_numerator``/``<name>_denominator`` for Series), and ``name`` [fraction/ratio];
        NaN where the denominator sum is 0 or missing.
    """
    numerator_name = numerator if isinstance(numerator, str) else f"{name}_numerator"
    denominator_name = denominator if isinstance(denominator, str) else f"{name}_denominator"
    values = {numerator_name: frame[numerator] if isinstance(numerator, str) else numerator,
              denominator_name: frame[denominator] if isinstance(denominator, str) else denominator}
    table = _sum_by(group_keys(frame, by, freq, products, date), values)
    table[name] = safe_divide(table[numerator_name], table[denominator_name])
    return table


# --------------------------------------------------------------------------------------------
# periods
# --------------------------------------------------------------------------------------------

def period_bounds(period) -> tuple:
    """(start, end) calendar dates of a period: ``"2026-10"``, ``"2026Q3"``, a Period, or a pair."""
    if isinstance(period, tuple | list):
        return pd.Timestamp(period[0]), pd.Timestamp(period[1])
    period = period if isinstance(period, pd.Period) else pd.Period(period)
    return period.start_time.normalize(), period.end_time.normalize()


def trailing_period(as_of, days) -> tuple:
    """The ``days`` calendar days ending on ``as_of`` (inclusive), as (start, end).

    Parameters
    ----------
    as_of : str or Timestamp
        Last day of the window.
    days : int
        Window length [days]; the report's own setting (e.g. the notebook's ``window_days``).

    Returns
    -------
    tuple of Timestamp
        (start, end), calendar dates.
    """
    end = pd.Timestamp(as_of).normalize()
    return end - pd.Timedelta(days=days - 1), end


def previous_bounds(start, end) -> tuple:
    """The window of the same length just before [start, end] (a calendar month when it is one)."""
    if start.day == 1 and end == start + pd.offsets.MonthEnd(0):
        previous = start - pd.offsets.MonthBegin(1)
        return previous, previous + pd.offsets.MonthEnd(0)
    length = end - start
    return start - length - pd.Timedelta(days=1), start - pd.Timedelta(days=1)


def in_period(frame, period):
    """Rows of ``frame`` dated within ``period`` (see :func:`period_bounds`), inclusive.

    Rows are dated by their first date column (``date``, ``period_start``, ``start_date``,
    ``purchase_date``, ``return_date`` ...; tz-aware timestamps by their local calendar date).
    """
    if frame is None:
        return None
    start, end = period_bounds(period)
    dates = period_start(frame[date_column(frame)], "D")
    return frame[((dates >= start) & (dates <= end)).to_numpy()]



# --------------------------------------------------------------------------------------------
# coverage: which calendar days a report covers
# --------------------------------------------------------------------------------------------

#: Row-level (first day, last day) column pairs, in the order tried by :func:`covered_days`.
#: A Business Report by ASIN row covers its whole reporting period; a summary ad report row
#: its start to end date; a dated row its own day.
_SPAN_COLUMNS = (("period_start", "period_end"), ("start_date", "end_date"))

#: Days a Business Report by date row covers beyond its first day, by its ``grain``.
_GRAIN_OFFSETS = {"week": pd.Timedelta(days=6), "month": pd.offsets.MonthEnd(0)}


def _day_range(first, last) -> pd.DatetimeIndex:
    if pd.isna(first) or pd.isna(last):
        return pd.DatetimeIndex([])
    first, last = (pd.Timestamp(value) for value in (first, last))
    if first.tzinfo is not None:
        first, last = first.tz_localize(None), last.tz_localize(None)
    return pd.date_range(first.normalize(), last.normalize(), freq="D")


def _union(ranges) -> pd.DatetimeIndex:
    # one sort of all days: a folder holds hundreds of files, and a union per file is quadratic
    parts = [days.to_numpy() for days in (_day_range(first, last) for first, last in ranges)
             if len(days)]
    if not parts:
        return pd.DatetimeIndex([])
    return pd.DatetimeIndex(np.unique(np.concatenate(parts)))


def covered_days(frame) -> pd.DatetimeIndex:
    """Calendar days one report frame covers (local dates), whatever its rows hold.

    A day can be covered and still have no rows (no orders, no ad spend that day): coverage
    comes from the report's period, not from its activity. In order:

    1. ``attrs["covered_days"]`` when a caller stored them (see :func:`coverage`);
    2. ``attrs["period"]`` -- the period the reader found (given, from the file name or the
       rows' dates; for frames combined from several files, the span of their periods);
    3. the rows: each row's ``period_start``..``period_end`` (or ``start_date``..``end_date``),
       else the span from the first to the last date of the first date column
       (:data:`DATE_COLUMNS`), extended to the end of the week or month for a Business Report
       by date whose ``grain`` is "week" or "month".

    Parameters
    ----------
    frame : DataFrame or None
        A canonical report frame.

    Returns
    -------
    DatetimeIndex
        Sorted unique days [date]; empty for ``None``, an empty frame without a period, or an
        undated snapshot (product master, account health without dates).
    """
    if frame is None:
        return pd.DatetimeIndex([])
    if frame.attrs.get("covered_days") is not None:
        return pd.DatetimeIndex(frame.attrs["covered_days"])
    if frame.attrs.get("period"):
        return _day_range(*frame.attrs["period"])
    if frame.empty:
        return pd.DatetimeIndex([])
    for first, last in _SPAN_COLUMNS:
        if first in frame and last in frame:
            spans = frame[[first, last]].dropna().drop_duplicates()
            return _union(spans.itertuples(index=False, name=None))
    try:
        dates = period_start(frame[date_column(frame)], "D").dropna()
    except KeyError:
        return pd.DatetimeIndex([])
    if dates.empty:
        return pd.DatetimeIndex([])
    last = dates.max()
    grain = frame["grain"].iloc[-1] if "grain" in frame else "day"
    return _day_range(dates.min(), last + _GRAIN_OFFSETS.get(grain, pd.Timedelta(0)))


def coverage(data, kind) -> pd.DatetimeIndex:
    """Calendar days a marketplace's reports of ``kind`` cover, file by file.

    Parameters
    ----------
    data : MarketplaceData or dict of str to DataFrame
        The marketplace's frames. For a :class:`~opsanalysis.io.MarketplaceData` the union of
        the periods of the files read for ``kind`` (its ``summary``), so that a gap between two
        downloads stays uncovered; otherwise :func:`covered_days` of the frame.
    kind : str
        Report kind (``"all_orders"``, ``"sp_campaign"`` ...).

    Returns
    -------
    DatetimeIndex
        Sorted unique days [date]; empty when no report of the kind was read.
    """
    frame = data.get(kind)
    if frame is None:
        return pd.DatetimeIndex([])
    summary = getattr(data, "summary", None)
    if summary is not None and len(summary) and "kind" in summary:
        files = summary[(summary["kind"] == kind) & (summary["status"] == "ok")]
        files = files.dropna(subset=["period_start", "period_end"])
        if len(files):
            return _union(files[["period_start", "period_end"]].itertuples(index=False,
                                                                          name=None))
    return covered_days(frame)


def days_in_window(days, start, end) -> pd.DatetimeIndex:
    """The days of ``days`` within [start, end] (calendar dates, inclusive)."""
    days = pd.DatetimeIndex(days)
    return days[(days >= pd.Timestamp(start).normalize()) & (days <= pd.Timestamp(end).normalize())]


def on_days(frame, days):
    """Rows of ``frame`` dated on one of ``days`` (rows dated as by :func:`in_period`).

    Rows without a date column are all kept (a snapshot is not dated by day).
    """
    if frame is None:
        return None
    try:
        dates = period_start(frame[date_column(frame)], "D")
    except KeyError:
        return frame
    return frame[dates.isin(pd.DatetimeIndex(days)).to_numpy()]


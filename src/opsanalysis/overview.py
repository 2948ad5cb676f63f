"""What a marketplace's downloads contain: reports found, coverage gaps, headline figures.

The functions behind ``notebooks/marketplace_overview.ipynb``. They take the summary and frames of
``opsanalysis.io.load_marketplace`` and return tidy DataFrames; a folder that lacks a kind gives
an empty table, never an error, and a missing figure stays missing (NaN), never 0. No I/O, no
printing; the wording of the sections is in :mod:`opsanalysis.overview_sections`.

Business Reports by date keep their grain (``grain`` column, day / week / month): only daily rows
are daily data; weekly and monthly rows are drawn and listed as weeks and months, never as days.
"""

import pandas as pd

from opsanalysis.io import is_cancelled
from opsanalysis.marketplaces import currency_decimals

__all__ = [
    "coverage_gaps", "daily_gaps", "daily_sales", "format_value", "has_daily_series",
    "headline_figures", "reports_found", "sales_series",
]

_SUMMARY_COLUMNS = ["kind", "files", "rows", "period_start", "period_end", "files_with_problems"]
_GAP_COLUMNS = ["kind", "gap_start", "gap_end", "missing_days"]
_HEADLINE_COLUMNS = ["metric", "value", "previous_value", "change", "unit"]
_DAILY_COLUMNS = ["date", "ordered_product_sales", "units_ordered", "sessions", "page_views"]
_GRAINS = ("day", "week", "month")


def reports_found(summary: pd.DataFrame, error_status: str = "error",
                  unread_files=()) -> pd.DataFrame:
    """One row per report kind: how many files and rows, which period, how many files had problems.

    Parameters
    ----------
    summary : DataFrame
        ``MarketplaceData.summary``: file, kind, rows, period_start, period_end, status
        ("ok", "skipped", "error"), message.
    error_status : str
        Status of a file the readers could not read.
    unread_files : collection of str
        Further files that count as problems though skipped (a kind no reader knows:
        ``MarketplaceData.unreadable_files()["file"]``).

    Returns
    -------
    DataFrame
        kind, files (Int64), rows (Int64, missing for files not read), period_start,
        period_end (dates), files_with_problems (Int64); files without a kind (skipped or
        unreadable) are grouped under their status.
    """
    if summary.empty:
        return pd.DataFrame(columns=_SUMMARY_COLUMNS)
    frame = summary.assign(
        kind=summary["kind"].astype("object").where(summary["kind"].notna(), summary["status"]),
        problem=((summary["status"] == error_status)
                 | summary["file"].isin(list(unread_files))).astype(int),
        rows=pd.to_numeric(summary["rows"], errors="coerce"),
        period_start=pd.to_datetime(summary["period_start"]),
        period_end=pd.to_datetime(summary["period_end"]),
    )
    table = frame.groupby("kind", sort=True).agg(
        files=("file", "size"), rows=("rows", lambda values: values.sum(min_count=1)),
        period_start=("period_start", "min"), period_end=("period_end", "max"),
        files_with_problems=("problem", "sum"),
    ).reset_index()
    for column in ("files", "rows", "files_with_problems"):
        table[column] = table[column].astype("Int64")
    return table[_SUMMARY_COLUMNS]


def daily_gaps(dates, start=None, end=None) -> pd.DataFrame:
    """Runs of calendar days missing from a daily series.

    Parameters
    ----------
    dates : array-like of datetime
        Dates present (repeats allowed, e.g. one row per SKU and day).
    start, end : datetime-like, optional
        Expected first and last day; default the first and last date present.

    Returns
    -------
    DataFrame
        gap_start, gap_end (dates, inclusive), missing_days (Int64) [days]; empty without gaps.
    """
    present = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates)).dropna()).normalize().unique()
    if len(present) == 0:
        return pd.DataFrame(columns=_GAP_COLUMNS[1:])
    expected = pd.date_range(start or present.min(), end or present.max(), freq="D")
    missing = expected.difference(present)
    if len(missing) == 0:
        return pd.DataFrame({"gap_start": pd.Series(dtype="datetime64[ns]"),
                             "gap_end": pd.Series(dtype="datetime64[ns]"),
                             "missing_days": pd.Series(dtype="Int64")})
    run = (missing.to_series().diff() != pd.Timedelta(days=1)).cumsum()
    gaps = missing.to_series().groupby(run.to_numpy()).agg(["min", "max", "size"])
    return pd.DataFrame({
        "gap_start": gaps["min"].to_numpy(),
        "gap_end": gaps["max"].to_numpy(),
        "missing_days": pd.array(gaps["size"].to_numpy(), dtype="Int64"),
    })


def coverage_gaps(frames: dict, end=None) -> pd.DataFrame:
    """Missing days in every daily report kind (kinds with a ``date`` column, one row per day).

    Only daily rows count: a kind with a ``grain`` column (Business Report by date) keeps its
    "day" rows; weekly or monthly series (median step between dates above one day) are not daily
    series and are skipped, so a weekly file gives no "gap" per week.

    Parameters
    ----------
    frames : dict of str to DataFrame
        ``MarketplaceData.frames``.
    end : datetime-like, optional
        Day every daily series should reach (the report's as-of date); missing days up to it
        count as a gap. Default: each kind's own last date.

    Returns
    -------
    DataFrame
        kind, gap_start, gap_end, missing_days (Int64) [days].
    """
    tables = []
    for kind in sorted(frames):
        days = _daily_days(frames[kind])
        if days is None:
            continue
        last = max(days.max(), pd.Timestamp(end)) if end is not None else None
        gaps = daily_gaps(days, end=last)
        if not gaps.empty:
            tables.append(gaps.assign(kind=kind))
    if not tables:
        return pd.DataFrame({"kind": pd.Series(dtype="object"),
                             "gap_start": pd.Series(dtype="datetime64[ns]"),
                             "gap_end": pd.Series(dtype="datetime64[ns]"),
                             "missing_days": pd.Series(dtype="Int64")})
    return pd.concat(tables, ignore_index=True)[_GAP_COLUMNS]


def _daily_days(frame):
    """The days of a daily series (day-grain rows of a frame with ``date``), else None."""
    if frame is not None and "grain" in frame:
        frame = frame[frame["grain"] == "day"]
    if frame is None or "date" not in frame or frame["date"].dropna().empty:
        return None
    days = pd.DatetimeIndex(pd.to_datetime(frame["date"]).dropna()).normalize().unique()
    if len(days) > 1 and days.sort_values().to_series().diff().median() > pd.Timedelta(days=1):
        return None
    return days


def has_daily_series(frames: dict) -> bool:
    """Whether any kind has a daily series (what :func:`coverage_gaps` examines)."""
    return any(_daily_days(frame) is not None for frame in frames.values())


def daily_sales(frames: dict) -> pd.DataFrame:
    """Marketplace-level sales and traffic per day.

    From the daily rows of the Business Report by date when there are any (weekly and monthly
    rows are not days, see :func:`sales_series`), otherwise from the orders report
    (non-cancelled order items by local purchase date; no traffic then).

    Parameters
    ----------
    frames : dict of str to DataFrame
        ``MarketplaceData.frames``.

    Returns
    -------
    DataFrame
        date, ordered_product_sales [currency], units_ordered (Int64), sessions (Int64),
        page_views (Int64); sorted by date. Empty when neither source is present.
    """
    report = frames.get("business_report_date")
    if report is not None and "grain" in report:
        report = report[report["grain"] == "day"]
    if report is not None and not report.empty:
        daily = report.assign(date=pd.to_datetime(report["date"]).dt.normalize())
        columns = [c for c in _DAILY_COLUMNS[1:] if c in daily]
        table = daily.groupby("date", sort=True)[columns].sum(min_count=1).reset_index()
    else:
        orders = frames.get("all_orders")
        if orders is None or orders.empty or "purchase_date" not in orders:
            return pd.DataFrame(columns=_DAILY_COLUMNS)
        # rows chosen on the whole frame, then only the columns used are copied
        kept = orders.loc[~is_cancelled(orders),
                          [c for c in ("purchase_date", "item_price", "quantity") if c in orders]]
        table = kept.assign(
            date=kept["purchase_date"].dt.tz_localize(None).dt.normalize(),
            ordered_product_sales=pd.to_numeric(kept.get("item_price"), errors="coerce"),
            units_ordered=kept["quantity"],
        ).groupby("date", sort=True)[["ordered_product_sales", "units_ordered"]].sum(
            min_count=1).reset_index()
    for column in _DAILY_COLUMNS[1:]:
        if column not in table:
            table[column] = pd.NA
    for column in ("units_ordered", "sessions", "page_views"):
        table[column] = pd.to_numeric(table[column], errors="coerce").round().astype("Int64")
    table["ordered_product_sales"] = pd.to_numeric(table["ordered_product_sales"], errors="coerce")
    return table[_DAILY_COLUMNS]


def sales_series(frames: dict) -> pd.DataFrame:
    """Sales at the finest grain there is: days, else the weeks or months of a Business Report.

    Parameters
    ----------
    frames : dict of str to DataFrame
        ``MarketplaceData.frames``.

    Returns
    -------
    DataFrame
        The columns of :func:`daily_sales` plus ``grain`` ("day", "week" or "month"; ``date``
        is the first day of the period); one grain only, never weeks mixed with days. Empty
        when there is no sales data.
    """
    daily = daily_sales(frames)
    if not daily.empty:
        return daily.assign(grain="day")
    report = frames.get("business_report_date")
    if report is None or report.empty or "grain" not in report:
        return pd.DataFrame(columns=[*_DAILY_COLUMNS, "grain"])
    grain = next(name for name in _GRAINS if name in set(report["grain"]))
    rows = report[report["grain"] == grain]
    periods = daily_sales({"business_report_date": rows.assign(grain="day")})
    return periods.assign(grain=grain)


def headline_figures(frames: dict, as_of, *, window_days: int) -> pd.DataFrame:
    """Headline sales, traffic, advertising and inventory figures for the last ``window_days``.

    Parameters
    ----------
    frames : dict of str to DataFrame
        ``MarketplaceData.frames``.
    as_of : datetime-like
        Last day of the window.
    window_days : int
        Length of the window [days]; the previous window of the same length gives the change.

    Returns
    -------
    DataFrame
        metric (label key), value, previous_value, change [fraction] (value / previous - 1),
        unit ("currency", "units", "count" or "fraction"). Flow metrics (sales, sessions ...)
        are window totals; the previous value is missing when the data does not cover the whole
        previous window. Stock metrics (FBA fulfillable, inbound) are the latest snapshot and
        have no previous value. Metrics whose report is absent are left out; without a report
        date (``as_of`` None: no dated data) only the stock metrics are there.
    """
    if as_of is None or pd.isna(as_of):
        table = pd.DataFrame(_inventory_rows(frames),
                             columns=["metric", "value", "previous_value", "unit"])
        return table.assign(change=float("nan"))[_HEADLINE_COLUMNS]
    as_of = pd.Timestamp(as_of).normalize()
    current = (as_of - pd.Timedelta(days=window_days - 1), as_of)
    previous = (current[0] - pd.Timedelta(days=window_days), current[0] - pd.Timedelta(days=1))
    rows = []
    daily = daily_sales(frames)
    if not daily.empty:
        this, last = _window(daily, current), _previous_window(daily, previous)
        for metric, unit in (("ordered_product_sales", "currency"), ("units_ordered", "units"),
                             ("sessions", "count"), ("page_views", "count")):
            if daily[metric].notna().any():
                rows.append((metric, _total(this[metric]), _total(last[metric]), unit))
        if daily["sessions"].notna().any():
            rows.append(("unit_session_percentage",
                         _ratio(_total(this["units_ordered"]), _total(this["sessions"])),
                         _ratio(_total(last["units_ordered"]), _total(last["sessions"])),
                         "fraction"))
    rows += _advertising_rows(frames, current, previous)
    rows += _inventory_rows(frames)
    table = pd.DataFrame(rows, columns=["metric", "value", "previous_value", "unit"])
    table["value"] = table["value"].astype(float)
    table["previous_value"] = table["previous_value"].astype(float)
    table["change"] = table["value"] / table["previous_value"].where(table["previous_value"] != 0) - 1
    return table[_HEADLINE_COLUMNS]


def format_value(value, unit, currency=None) -> str:
    """Fixed-precision text of a headline value (for printed report lines).

    Parameters
    ----------
    value : float
    unit : {"currency", "units", "count", "fraction"}
    currency : str, optional
        ISO code appended to money.

    Returns
    -------
    str
        "12,345.67 USD", "4,495,550 JPY", "1,234", "12.3%"; "-" for a missing value.
    """
    if value is None or value != value:
        return "-"
    if unit == "currency":
        decimals = currency_decimals(currency or "")
        return f"{value:,.{decimals}f} {currency}" if currency else f"{value:,.2f}"
    if unit == "fraction":
        return f"{value:.1%}"
    return f"{value:,.0f}"


def _advertising_rows(frames, current, previous):
    """Sponsored Products spend, sales and ACOS from the daily campaign or advertised-product file."""
    for kind in ("sp_campaign", "sp_advertised_product", "sp_performance_over_time"):
        frame = frames.get(kind)
        if frame is None or "date" not in frame or "spend" not in frame:
            continue
        if "attribution_days" in frame and frame["attribution_days"].notna().any():
            # one attribution window only: 7-day and 14-day sales are different measures
            frame = frame[frame["attribution_days"] == frame["attribution_days"].min()]
        daily = frame.assign(date=pd.to_datetime(frame["date"]).dt.normalize())
        this, last = _window(daily, current), _previous_window(daily, previous)
        spend = (_total(this["spend"]), _total(last["spend"]))
        sales = (_total(this["sales"]), _total(last["sales"])) if "sales" in frame else None
        rows = [("spend", *spend, "currency")]
        if sales is not None:
            rows.append(("acos", _ratio(spend[0], sales[0]), _ratio(spend[1], sales[1]), "fraction"))
        return rows
    return []


def _inventory_rows(frames):
    """Latest FBA stock position (a snapshot, so there is no previous window)."""
    inventory = frames.get("fba_inventory")
    if inventory is None or inventory.empty:
        return []
    if "snapshot_date" in inventory and inventory["snapshot_date"].notna().any():
        latest = pd.to_datetime(inventory["snapshot_date"]).max()
        inventory = inventory[pd.to_datetime(inventory["snapshot_date"]) == latest]
    rows = []
    for metric in ("afn_fulfillable_quantity", "afn_inbound_shipped_quantity",
                   "afn_reserved_quantity", "afn_unsellable_quantity"):
        if metric in inventory:
            rows.append((metric, _total(inventory[metric]), float("nan"), "units"))
    if "afn_fulfillable_quantity" in inventory:
        in_stock = inventory.groupby("sku")["afn_fulfillable_quantity"].sum().gt(0)
        rows.append(("skus_in_stock", float(in_stock.sum()), float("nan"), "count"))
    return rows


def _window(frame, bounds):
    return frame[(frame["date"] >= bounds[0]) & (frame["date"] <= bounds[1])]


def _previous_window(frame, bounds):
    """The previous window, or no rows when the data starts inside it: a part-window total
    would show a spurious growth."""
    if frame["date"].min() > bounds[0]:
        return frame.iloc[0:0]
    return _window(frame, bounds)


def _total(values):
    numbers = pd.to_numeric(values, errors="coerce")
    return float(numbers.sum()) if numbers.notna().any() else float("nan")


def _ratio(numerator, denominator):
    return numerator / denominator if denominator and denominator == denominator else float("nan")

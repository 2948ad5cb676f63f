"""IPI: the user's Inventory Performance Index score and our estimate of its published drivers.

Amazon shows the IPI score in Seller Central but exports it in no report and publishes no
formula. This module therefore does two separate things:

* :func:`user_scores` reads the score the user copied from Seller Central, from params
  (``ipi.score`` and ``ipi.score_date`` in ``params/<MP>.yaml``) or from a one-line file
  ``ipi.csv`` / ``ipi.txt`` in the marketplace's data folder (:func:`parse_score_text`). It
  feeds the scorecard rule ``ipi_score`` (``settings["ipi_scores"]`` of
  :func:`opsanalysis.kpi.scorecard`).
* :func:`weekly_drivers` computes, from the seller's own reports, the four drivers Amazon names
  on its Inventory Performance dashboard, week by week over the data's span: excess inventory
  percentage, sell-through, stranded inventory percentage and in-stock rate. They are *our*
  figures, labelled as drivers, never as Amazon's score; where the reports cannot measure a
  driver it is NaN ("not estimated") with the reason, never 0.

Definitions (Amazon help page 202174810 "Inventory performance", and the FBA in-stock rate
video of the Seller University FBA inventory planning series; sources and dates in
``params/defaults.yaml``, section ``ipi``):

* excess inventory percentage = units beyond ``excess_days_of_supply`` days of supply / units
  on hand. Amazon uses its demand forecast; we use the sales velocity of the last
  ``velocity_window_days`` days (the replenishment plan's window).
* sell-through = units sold over the last ``sell_through_window_days`` days / average units on
  hand over the same days [ratio].
* stranded inventory percentage = FBA units whose offer is not buyable / FBA units, from each
  Manage FBA Inventory snapshot (``afn_listing_exists`` false) or, where an All Listings
  snapshot is present, from the listing status (not "Active"), or, where Amazon's Stranded
  Inventory report of the same week is present, from the SKUs it lists (its units count for
  SKUs the inventory snapshot lacks).
* in-stock rate = sum over SKUs sold in the last ``in_stock_sales_window_days`` days of
  velocity x share of the last ``in_stock_window_days`` days in stock, divided by the sum of
  velocities; velocity = units sold per in-stock day over the sales window.

Units on hand are the SELLABLE units of the Daily Inventory History; sales are the units of
All Orders on the marketplace (cancelled lines and other channels left out, as in the KPIs).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from opsanalysis import bundled, marketplaces
from opsanalysis.io import is_cancelled, is_marketplace_sale

__all__ = ["DRIVERS", "SCORE_FILES", "GOOD_DIRECTION", "daily_sales", "daily_stock",
           "driver_summary", "excess_inventory_percent", "in_stock_rate", "parse_score_text",
           "read_score_file", "score_folder", "sell_through", "stranded_by_snapshot",
           "stranded_spikes", "user_scores", "weekly_drivers"]

#: The drivers, in the order Amazon's dashboard lists them.
DRIVERS = ("excess_inventory_percent", "sell_through", "stranded_inventory_percent",
           "in_stock_rate")
#: Direction in which each driver helps the IPI: "up" (higher is better) or "down".
GOOD_DIRECTION = {"excess_inventory_percent": "down", "sell_through": "up",
                  "stranded_inventory_percent": "down", "in_stock_rate": "up"}
#: Names of the one-line score file in a marketplace folder, first found wins.
SCORE_FILES = ("ipi.csv", "ipi.txt")


# --- the user's score ------------------------------------------------------------------------

def parse_score_text(text: str, source: str = "") -> pd.DataFrame:
    """The IPI score written in a one-line file.

    Format: one line ``date,score`` -- an ISO date (``2026-10-28``) and the score Amazon showed
    on that day (a number from 0 to 1000), separated by a comma, semicolon, tab or spaces. A
    first line ``date,score`` (a header) and blank lines are allowed.

    Parameters
    ----------
    text : str
        The file's text.
    source : str
        Where the text comes from (the file name), for errors and the ``source`` column.

    Returns
    -------
    DataFrame
        date (datetime64), score [score, 0-1000], source; one row.

    Raises
    ------
    ValueError
        No line, several lines, a date or a score that cannot be read, a score outside 0-1000.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and lines[0].lower().replace(" ", "") in ("date,score", "date;score", "date\tscore"):
        lines = lines[1:]
    if len(lines) != 1:
        raise ValueError(f"{source or 'IPI score'}: expected one line 'date,score' "
                         f"(e.g. 2026-10-28,520), found {len(lines)}")
    parts = [part for part in re.split(r"[,;\t ]+", lines[0]) if part]
    if len(parts) != 2:
        raise ValueError(f"{source or 'IPI score'}: expected 'date,score', got {lines[0]!r}")
    return _score_row(parts[0], parts[1], source or "file")


def _score_row(date, score, source: str) -> pd.DataFrame:
    try:
        when = pd.Timestamp(str(date)).normalize()
        value = float(score)
    except ValueError as error:
        raise ValueError(f"{source}: cannot read the IPI date {date!r} and score {score!r}: "
                         f"{error}") from None
    if not 0 <= value <= 1000:
        raise ValueError(f"{source}: an IPI score runs from 0 to 1000, got {value:g}")
    return pd.DataFrame({"date": [when], "score": [value], "source": [source]})


def read_score_file(folder) -> pd.DataFrame | None:
    """The score in ``ipi.csv`` or ``ipi.txt`` of a marketplace folder (:func:`parse_score_text`).

    Parameters
    ----------
    folder : str or Path
        The marketplace's data folder.

    Returns
    -------
    DataFrame or None
        date, score, source (the file name); None when the folder holds neither file.
    """
    for name in SCORE_FILES:
        path = Path(folder) / name
        if path.is_file():
            return parse_score_text(path.read_text(encoding="utf-8-sig"), path.name)
    return None


def score_folder(data_dir, marketplace: str) -> Path:
    """The folder of one marketplace where its score file is looked for.

    Parameters
    ----------
    data_dir : str or Path
        The data folder of the run ("" = the bundled sample), holding a folder per marketplace,
        or the marketplace folder itself.
    marketplace : str
        Marketplace code.

    Returns
    -------
    Path
    """
    base = Path(data_dir).expanduser() if data_dir else bundled.sample_dir()
    code = marketplaces.get(marketplace).code
    for candidate in (base / code, base / code.lower()):
        if candidate.is_dir():
            return candidate
    return base


def user_scores(settings: dict, folder=None) -> pd.DataFrame | None:
    """The IPI scores the user gave, oldest first: params and the score file.

    Parameters
    ----------
    settings : dict
        ``params.load(mp)["ipi"]``: ``score`` (null when not given) and ``score_date``.
    folder : str or Path, optional
        The marketplace's data folder (:func:`score_folder`), for ``ipi.csv`` / ``ipi.txt``.

    Returns
    -------
    DataFrame or None
        date, score [score], source ("params" or the file name); None when no score is given.

    Raises
    ------
    ValueError
        A score without its date, or a file or value that cannot be read.
    """
    rows = []
    if settings.get("score") is not None:
        if not settings.get("score_date"):
            raise ValueError("params ipi.score needs ipi.score_date (the day Amazon showed it)")
        rows.append(_score_row(settings["score_date"], settings["score"], "params"))
    found = read_score_file(folder) if folder is not None else None
    if found is not None:
        rows.append(found)
    if not rows:
        return None
    return pd.concat(rows, ignore_index=True).sort_values("date", kind="stable").reset_index(
        drop=True)


# --- daily inputs ----------------------------------------------------------------------------

def daily_stock(inventory_history: pd.DataFrame) -> pd.DataFrame:
    """Sellable units on hand per day and SKU, summed over fulfilment centres.

    Parameters
    ----------
    inventory_history : DataFrame
        Daily Inventory History (date, sku, quantity, detailed_disposition).

    Returns
    -------
    DataFrame
        Index: every day the report holds (a covered day); columns: SKUs; values: units
        [count], 0 where a SKU has no row on a covered day.
    """
    stock = inventory_history
    if "detailed_disposition" in stock:
        stock = stock[stock["detailed_disposition"].astype(str).str.strip().str.upper()
                      .eq("SELLABLE").to_numpy()]
    frame = pd.DataFrame({"date": pd.to_datetime(stock["date"]).dt.normalize().to_numpy(),
                          "sku": stock["sku"].astype(str).array,
                          "units": pd.to_numeric(stock["quantity"], errors="coerce")
                          .fillna(0).to_numpy(dtype=float)})
    table = frame.pivot_table(index="date", columns="sku", values="units", aggfunc="sum",
                              fill_value=0.0)
    # days the report covers: every day it holds, even one whose SKUs all had 0 units
    days = pd.DatetimeIndex(pd.to_datetime(inventory_history["date"]).dt.normalize().unique())
    return table.reindex(days.sort_values(), fill_value=0.0).rename_axis(columns=None)


def daily_sales(orders: pd.DataFrame, marketplace: str | None) -> pd.DataFrame:
    """Units sold per marketplace-local day and SKU, from All Orders.

    Parameters
    ----------
    orders : DataFrame
        All Orders (purchase_date, sku, quantity, order_status, sales_channel).
    marketplace : str or None
        Marketplace code: its time zone turns purchase times into local days (needed only when
        the times carry a time zone).

    Returns
    -------
    DataFrame
        Index: every day from the first to the last order; columns: SKUs; values: units
        [count]. Cancelled lines and other channels (multi-channel fulfilment, removals) are
        left out, as in the KPIs.
    """
    # rows chosen on the whole frame, then only the three columns used are copied
    keep = (~is_cancelled(orders).to_numpy(dtype=bool)
            & is_marketplace_sale(orders).fillna(True).to_numpy(dtype=bool))
    kept = orders.loc[keep, ["purchase_date", "sku", "quantity"]]
    when = pd.to_datetime(kept["purchase_date"])
    if getattr(when.dt, "tz", None) is not None:
        if marketplace is None:
            raise ValueError("orders with time-zoned purchase dates need the marketplace code")
        when = when.dt.tz_convert(marketplaces.get(marketplace).timezone).dt.tz_localize(None)
    frame = pd.DataFrame({"date": when.dt.normalize().to_numpy(),
                          "sku": kept["sku"].astype(str).array,
                          "units": pd.to_numeric(kept["quantity"], errors="coerce")
                          .fillna(0).to_numpy(dtype=float)})
    table = frame.pivot_table(index="date", columns="sku", values="units", aggfunc="sum",
                              fill_value=0.0)
    days = pd.date_range(table.index.min(), table.index.max(), freq="D") if len(table) else []
    return table.reindex(days, fill_value=0.0).rename_axis(columns=None)


def _window(table: pd.DataFrame, end, days: int):
    """Rows of the ``days`` days ending on ``end``, or the number of days the table lacks."""
    start = pd.Timestamp(end) - pd.Timedelta(days=days - 1)
    rows = table.loc[start:pd.Timestamp(end)]  # sorted daily index: a slice, not a mask
    return rows, days - len(rows)


# --- the drivers at one date -----------------------------------------------------------------
# Each returns (value, numerator, denominator, reason): reason is "" when estimated, else why
# not (value NaN).

def _not_estimated(reason: str):
    return np.nan, np.nan, np.nan, reason


def sell_through(stock: pd.DataFrame, sales: pd.DataFrame, end, *, window_days: int):
    """Sell-through: units sold / average units on hand over the window ending on ``end``.

    Parameters
    ----------
    stock : DataFrame
        :func:`daily_stock`.
    sales : DataFrame
        :func:`daily_sales`.
    end : datetime-like
        Last day of the window.
    window_days : int
        Window [days] (Amazon: 90).

    Returns
    -------
    tuple
        value [ratio], units sold [count], average units on hand [count], reason ("" or why
        not estimated).
    """
    on_hand, missing_stock = _window(stock, end, window_days)
    sold, missing_sales = _window(sales, end, window_days)
    if missing_stock or missing_sales:
        return _not_estimated(_short_reason(window_days, missing_stock, missing_sales))
    average = float(on_hand.to_numpy().sum()) / window_days
    units = float(sold.to_numpy().sum())
    if average == 0:
        return _not_estimated("no units on hand in the window")
    return units / average, units, average, ""


def _short_reason(window_days: int, missing_stock: int, missing_sales: int) -> str:
    parts = [f"inventory history lacks {missing_stock} of {window_days} days"] \
        if missing_stock else []
    parts += [f"orders lack {missing_sales} of {window_days} days"] if missing_sales else []
    return "; ".join(parts)


def excess_inventory_percent(stock: pd.DataFrame, sales: pd.DataFrame, end, *,
                             excess_days_of_supply: float, velocity_window_days: int):
    """Share of the units on hand beyond ``excess_days_of_supply`` days of supply.

    Per SKU, excess units = max(on hand - excess_days_of_supply x units sold per day, 0), with
    units per day over the ``velocity_window_days`` days ending on ``end`` (a SKU that sold
    nothing has all its units in excess).

    Parameters
    ----------
    stock, sales : DataFrame
        :func:`daily_stock`, :func:`daily_sales`.
    end : datetime-like
        The day measured.
    excess_days_of_supply : float
        Days of supply above which units are excess [days] (Amazon: 90).
    velocity_window_days : int
        Sales window of the velocity [days].

    Returns
    -------
    tuple
        value [fraction], excess units [count], units on hand [count], reason.
    """
    end = pd.Timestamp(end)
    sold, missing = _window(sales, end, velocity_window_days)
    if end not in stock.index or missing:
        return _not_estimated(_short_reason(velocity_window_days, int(end not in stock.index),
                                            missing))
    on_hand = stock.loc[end].to_numpy(dtype=float)
    velocity = sold.sum().reindex(stock.columns, fill_value=0.0).to_numpy() / velocity_window_days
    excess = float(np.clip(on_hand - excess_days_of_supply * velocity, 0.0, None).sum())
    total = float(on_hand.sum())
    if total == 0:
        return _not_estimated("no units on hand")
    return excess / total, excess, total, ""


def in_stock_rate(stock: pd.DataFrame, sales: pd.DataFrame, end, *, window_days: int,
                  sales_window_days: int):
    """Velocity-weighted share of days in stock of the SKUs that sold (Amazon's in-stock rate).

    Parameters
    ----------
    stock, sales : DataFrame
        :func:`daily_stock`, :func:`daily_sales`.
    end : datetime-like
        Last day measured.
    window_days : int
        Days whose in-stock share counts [days] (Amazon: 30).
    sales_window_days : int
        SKUs count when they sold in these days; velocity = units sold / in-stock days in them
        [days] (Amazon: 60).

    Returns
    -------
    tuple
        value [fraction], velocity-weighted in-stock days [units per day x fraction], sum of
        velocities [units per day], reason.
    """
    span = max(window_days, sales_window_days)
    on_hand, missing_stock = _window(stock, end, span)
    sold, missing_sales = _window(sales, end, sales_window_days)
    if missing_stock or missing_sales:
        return _not_estimated(_short_reason(span, missing_stock, missing_sales))
    units = sold.sum()
    units = units[units > 0]
    if units.empty:
        return _not_estimated(f"no SKU sold in the last {sales_window_days} days")
    in_stock = on_hand.reindex(columns=units.index, fill_value=0.0).to_numpy() > 0
    stocked_days = in_stock[-sales_window_days:].sum(axis=0)
    # a SKU sold on days it shows no stock (a late inventory row): count one day, not infinity
    velocity = units.to_numpy() / np.maximum(stocked_days, 1)
    share = in_stock[-window_days:].mean(axis=0)
    weighted = float((velocity * share).sum())
    return weighted / float(velocity.sum()), weighted, float(velocity.sum()), ""


# --- stranded inventory ----------------------------------------------------------------------

def stranded_by_snapshot(fba_inventory: pd.DataFrame | None,
                         listings: pd.DataFrame | None = None,
                         stranded: pd.DataFrame | None = None) -> pd.DataFrame:
    """Stranded FBA units per Manage FBA Inventory snapshot.

    A SKU's FBA units are stranded when its offer is not buyable: the snapshot says no FBA
    listing exists (``afn_listing_exists`` false), the latest All Listings snapshot on or
    before it gives a status other than "Active", or Amazon's Stranded Inventory report of the
    same week (the latest on or before the snapshot, at most 6 days older) lists the SKU. A
    SKU that report lists and the snapshot lacks adds its units (fulfillable, unfulfillable
    and reserved) to both the stranded and the FBA units.

    Parameters
    ----------
    fba_inventory : DataFrame or None
        Manage FBA Inventory (snapshot_date, sku, afn_listing_exists, afn_warehouse_quantity or
        afn_fulfillable/unsellable/reserved_quantity).
    listings : DataFrame, optional
        All Listings (sku, status, snapshot_date).
    stranded : DataFrame, optional
        Stranded Inventory report (sku, fulfillable_quantity, unfulfillable_quantity,
        reserved_quantity, snapshot_date).

    Returns
    -------
    DataFrame
        snapshot_date, stranded_units [count], fba_units [count], value [fraction], reason
        ("" or why not estimated: no listing status in the snapshot, no listings report and
        no Stranded Inventory report).
    """
    columns = ["snapshot_date", "stranded_units", "fba_units", "value", "reason"]
    if fba_inventory is None or fba_inventory.empty or "snapshot_date" not in fba_inventory:
        return pd.DataFrame(columns=columns)
    rows = []
    for date, snapshot in fba_inventory.groupby(pd.to_datetime(fba_inventory["snapshot_date"])):
        report = _stranded_report_at(stranded, date)
        flagged = _not_buyable(snapshot, listings, date, report)
        units = _fba_units(snapshot)
        extra = _units_not_in(report, snapshot)
        total = float(units.sum()) + extra
        if flagged is None:
            rows.append((date, np.nan, total, np.nan,
                         "no listing status: the snapshot has no afn-listing-exists column "
                         "and there is no All Listings or Stranded Inventory report"))
        elif total == 0:
            rows.append((date, np.nan, total, np.nan, "no FBA units in the snapshot"))
        else:
            count = float(units[flagged.to_numpy()].sum()) + extra
            rows.append((date, count, total, count / total, ""))
    return pd.DataFrame(rows, columns=columns)


#: A Stranded Inventory report counts for inventory snapshots up to this many days after it.
_STRANDED_REPORT_DAYS = 6


def _stranded_report_at(stranded: pd.DataFrame | None, date) -> pd.DataFrame | None:
    """Rows of the latest Stranded Inventory snapshot of the week ending on ``date``."""
    if stranded is None or stranded.empty or "snapshot_date" not in stranded:
        return None
    dates = pd.to_datetime(stranded["snapshot_date"])
    inside = (dates <= date) & (dates >= date - pd.Timedelta(days=_STRANDED_REPORT_DAYS))
    if not inside.any():
        return None
    return stranded[(dates == dates[inside].max()).to_numpy()]


def _units_not_in(report: pd.DataFrame | None, snapshot: pd.DataFrame) -> float:
    """Units the Stranded Inventory report lists for SKUs the inventory snapshot lacks."""
    if report is None:
        return 0.0
    missing = report[~report["sku"].astype(str).isin(snapshot["sku"].astype(str))]
    return float(sum(pd.to_numeric(missing[c], errors="coerce").fillna(0).sum()
                     for c in ("fulfillable_quantity", "unfulfillable_quantity",
                               "reserved_quantity") if c in missing))


def _fba_units(snapshot: pd.DataFrame) -> pd.Series:
    if "afn_warehouse_quantity" in snapshot and snapshot["afn_warehouse_quantity"].notna().any():
        return pd.to_numeric(snapshot["afn_warehouse_quantity"], errors="coerce").fillna(0)
    parts = [c for c in ("afn_fulfillable_quantity", "afn_unsellable_quantity",
                         "afn_reserved_quantity") if c in snapshot]
    return sum(pd.to_numeric(snapshot[c], errors="coerce").fillna(0) for c in parts)


def _not_buyable(snapshot: pd.DataFrame, listings, date,
                 stranded: pd.DataFrame | None = None) -> pd.Series | None:
    """True per row whose offer is not buyable; None when nothing states it. ``stranded``: the
    Stranded Inventory report rows that count for this snapshot (:func:`_stranded_report_at`)."""
    known = None
    if "afn_listing_exists" in snapshot and snapshot["afn_listing_exists"].notna().any():
        known = snapshot["afn_listing_exists"].astype("boolean").eq(False).fillna(False)
    if listings is not None and len(listings) and "status" in listings:
        dated = listings
        if "snapshot_date" in listings and listings["snapshot_date"].notna().any():
            dated = listings[pd.to_datetime(listings["snapshot_date"]) <= date]
            dated = dated[pd.to_datetime(dated["snapshot_date"]) == pd.to_datetime(
                dated["snapshot_date"]).max()] if len(dated) else dated
        status = dated.drop_duplicates("sku", keep="last").set_index("sku")["status"]
        inactive = snapshot["sku"].map(status).astype(str).str.strip().str.lower()
        listed = snapshot["sku"].isin(status.index)
        by_status = pd.Series(listed.to_numpy() & (inactive != "active").to_numpy(),
                              index=snapshot.index)
        if len(dated):
            known = by_status if known is None else (known | by_status)
    if stranded is not None and len(stranded):
        by_report = snapshot["sku"].astype(str).isin(stranded["sku"].astype(str))
        known = by_report if known is None else (known | by_report)
    return known


def stranded_spikes(weekly: pd.DataFrame, *, increase: float) -> pd.DataFrame:
    """Weeks whose stranded share rose by at least ``increase`` over the week before.

    Parameters
    ----------
    weekly : DataFrame
        :func:`weekly_drivers` (week_end, stranded_inventory_percent).
    increase : float
        Rise that counts as a spike [fraction points, 0.02 = 2 points].

    Returns
    -------
    DataFrame
        week_end, stranded_inventory_percent, previous [fraction], increase [fraction points];
        compared with the last estimated week before (weeks not estimated are skipped).
    """
    shares = weekly[["week_end", "stranded_inventory_percent"]].dropna().sort_values("week_end")
    shares = shares.assign(previous=shares["stranded_inventory_percent"].shift(1))
    shares["increase"] = shares["stranded_inventory_percent"] - shares["previous"]
    return shares[shares["increase"] >= increase].reset_index(drop=True)


# --- the weekly table ------------------------------------------------------------------------

def weekly_drivers(data, as_of, settings: dict, *, excess_days_of_supply: float,
                   velocity_window_days: int) -> pd.DataFrame:
    """The four drivers at the end of every week, from ``as_of`` back to the data's first day.

    Parameters
    ----------
    data : MarketplaceData or dict of str to DataFrame
        Frames by kind: inventory_history, all_orders, fba_inventory, all_listings,
        stranded_inventory (Amazon's Stranded Inventory report, when present).
    as_of : datetime-like
        Report date: the last week ends on it.
    settings : dict
        ``params.load(mp)["ipi"]``: ``sell_through_window_days``, ``in_stock_window_days``,
        ``in_stock_sales_window_days``.
    excess_days_of_supply : float
        ``params["rules"]["excess_days_of_supply"]["value"]`` [days].
    velocity_window_days : int
        ``params["replenishment"]["velocity_window_days"]`` [days].

    Returns
    -------
    DataFrame
        One row per week, latest first: week_end, the four :data:`DRIVERS` (fractions;
        sell-through a ratio; NaN = not estimated), and ``<driver>_reason`` (why not
        estimated, "" when estimated).
    """
    as_of = pd.Timestamp(as_of).normalize()
    inputs = _inputs(data)
    stranded = stranded_by_snapshot(_dated(data.get("fba_inventory"), as_of),
                                    data.get("all_listings"),
                                    _dated(data.get("stranded_inventory"), as_of))
    firsts = [table.index.min() for table in inputs if table is not None]
    firsts += [stranded["snapshot_date"].min()] if len(stranded) else []
    first = min(min(firsts, default=as_of), as_of)
    ends = pd.date_range(end=as_of, periods=int((as_of - first).days) // 7 + 1,
                         freq="7D")[::-1]
    rows = [_week(inputs, stranded, end, settings, excess_days_of_supply, velocity_window_days)
            for end in ends]
    return pd.DataFrame(rows)


def _dated(snapshot: pd.DataFrame | None, as_of) -> pd.DataFrame | None:
    """A Manage FBA Inventory download without a date (none in its name) is the stock of the
    report date, as the replenishment plan reads it."""
    if snapshot is None or snapshot.empty:
        return snapshot
    dates = (pd.to_datetime(snapshot["snapshot_date"]) if "snapshot_date" in snapshot
             else pd.Series(pd.NaT, index=snapshot.index))
    return snapshot.assign(snapshot_date=dates.fillna(as_of))


def _inputs(data):
    history, orders = data.get("inventory_history"), data.get("all_orders")
    stock = daily_stock(history) if history is not None and len(history) else None
    marketplace = getattr(data, "marketplace", None) or (
        orders.attrs.get("marketplace") if orders is not None else None)
    sales = daily_sales(orders, marketplace) if orders is not None and len(orders) else None
    return stock, sales


def _week(inputs, stranded, end, settings, excess_days, velocity_days) -> dict:
    stock, sales = inputs
    row = {"week_end": end}
    if stock is None or sales is None:
        need = "needs a Daily Inventory History and an All Orders report"
        measured = {driver: _not_estimated(need) for driver in DRIVERS[:2] + DRIVERS[3:]}
    else:
        measured = {
            "excess_inventory_percent": excess_inventory_percent(
                stock, sales, end, excess_days_of_supply=excess_days,
                velocity_window_days=velocity_days),
            "sell_through": sell_through(stock, sales, end,
                                         window_days=settings["sell_through_window_days"]),
            "in_stock_rate": in_stock_rate(
                stock, sales, end, window_days=settings["in_stock_window_days"],
                sales_window_days=settings["in_stock_sales_window_days"]),
        }
    measured["stranded_inventory_percent"] = _stranded_in_week(stranded, end)
    for driver in DRIVERS:
        row[driver] = measured[driver][0]
    for driver in DRIVERS:
        row[f"{driver}_reason"] = measured[driver][3]
    return row


def _stranded_in_week(stranded: pd.DataFrame, end):
    """The latest snapshot of the week ending on ``end``."""
    if stranded.empty:
        return _not_estimated("needs a Manage FBA Inventory report")
    week = stranded[(stranded["snapshot_date"] > end - pd.Timedelta(days=7))
                    & (stranded["snapshot_date"] <= end)]
    if week.empty:
        return _not_estimated("no Manage FBA Inventory snapshot in this week")
    last = week.iloc[-1]
    return last["value"], last["stranded_units"], last["fba_units"], last["reason"]


def driver_summary(weekly: pd.DataFrame, *, compare_weeks: int) -> pd.DataFrame:
    """Each driver at the latest week, ``compare_weeks`` weeks before, and its trend.

    Parameters
    ----------
    weekly : DataFrame
        :func:`weekly_drivers` (latest first).
    compare_weeks : int
        Weeks back the trend compares with [weeks].

    Returns
    -------
    DataFrame
        driver, value, previous (NaN = not estimated), trend ("improving", "worsening",
        "flat" -- equal as shown: 0.1 point for shares, 0.01 for sell-through -- or "" when
        either is not estimated, judged by :data:`GOOD_DIRECTION`), reason (why the latest
        value is not estimated).
    """
    latest = weekly.iloc[0]
    before = weekly.iloc[compare_weeks] if len(weekly) > compare_weeks else None
    rows = []
    for driver in DRIVERS:
        value = float(latest[driver])
        previous = float(before[driver]) if before is not None else np.nan
        rows.append({"driver": driver, "value": value, "previous": previous,
                     "trend": _trend(driver, value, previous),
                     "reason": latest[f"{driver}_reason"]})
    return pd.DataFrame(rows)


def _trend(driver: str, value: float, previous: float) -> str:
    if np.isnan(value) or np.isnan(previous):
        return ""
    decimals = 2 if driver == "sell_through" else 3  # as shown: 1.36, 12.3 %
    if round(value, decimals) == round(previous, decimals):
        return "flat"
    rising = value > previous
    return "improving" if rising == (GOOD_DIRECTION[driver] == "up") else "worsening"

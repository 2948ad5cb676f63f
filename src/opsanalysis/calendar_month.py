"""The calendar month of the monthly review: working days, due date, trends and lost sales.

The seeds' operations teams review the previous calendar month by the 5th working day of the
next one (ACOS trend, BSR, returns against the 3 % rule, profit, replenishment). This module
holds the analyses of that review; the settings come from params ``events.working_calendar``
(cut by the caller):

- ``weekend_days``: weekdays that are no working day (0 = Monday ... 6 = Sunday);
- ``review_due_working_day``: the review of a month is due on this working day of the next;
- ``public_holidays``: ``{"YYYY": {"YYYY-MM-DD": name}}``, per marketplace with its source in
  ``events.sources``; a year that is not listed makes a working day "not estimated" (a date
  counted without the holidays would look right and be wrong).

The reviewed month is the last calendar month that ends on or before the report date
(:func:`review_month`): a report dated 2026-10-31 reviews October, one dated 2026-11-03
reviews October too.

Lost sales of the month (:func:`stockout_lost_sales`) reuse the censored days of
:func:`opsanalysis.demand.build_panel`: a day without sellable FBA stock is censored, its demand
imputed from the mean of the SKU's last uncensored days (params ``forecast``), and the units the
SKU did not sell that day are lost, valued at the SKU's average selling price in the month.
Pure functions: frames and settings in, frames out.
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from opsanalysis import demand
from opsanalysis.io import is_cancelled

__all__ = [
    "holidays_of_year",
    "lost_sales_total",
    "monthly_acos",
    "nth_working_day",
    "review_due_date",
    "review_month",
    "stockout_lost_sales",
    "working_days",
]


def review_month(as_of) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the last calendar month that ends on or before ``as_of``.

    Parameters
    ----------
    as_of : date-like
        Report date.

    Returns
    -------
    (Timestamp, Timestamp)
        The month's first and last day (midnight).
    """
    day = pd.Timestamp(as_of).normalize()
    last = day if (day + pd.Timedelta(days=1)).day == 1 else day.replace(day=1) - pd.Timedelta(
        days=1)
    return last.replace(day=1), last


def holidays_of_year(calendar: dict, year: int) -> dict | None:
    """The public holidays of ``year`` (date -> name), or None when params list none for it.

    Parameters
    ----------
    calendar : dict
        Params ``events.working_calendar``.
    year : int

    Returns
    -------
    dict of datetime.date to str, or None
    """
    listed = (calendar.get("public_holidays") or {}).get(str(year))
    if listed is None:
        return None
    holidays = {}
    for text, name in listed.items():
        try:
            date = datetime.date.fromisoformat(str(text))
        except ValueError:
            raise ValueError(f"events.working_calendar.public_holidays.{year}: {text!r} is not "
                             "a date YYYY-MM-DD") from None
        if date.year != year:
            raise ValueError(f"events.working_calendar.public_holidays.{year}: {text} is not "
                             f"in {year}")
        holidays[date] = str(name)
    return holidays


def working_days(first, last, calendar: dict) -> pd.DatetimeIndex | None:
    """Working days from ``first`` to ``last`` (both included), or None when not estimated.

    Parameters
    ----------
    first, last : date-like
    calendar : dict
        Params ``events.working_calendar`` (weekend_days, public_holidays).

    Returns
    -------
    DatetimeIndex or None
        None when a year of the span has no holiday list in params.
    """
    days = pd.date_range(pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize())
    closed = set()
    for year in sorted(set(days.year)):
        holidays = holidays_of_year(calendar, int(year))
        if holidays is None:
            return None
        closed |= set(holidays)
    weekend = {int(day) for day in calendar["weekend_days"]}
    keep = [day.weekday() not in weekend and day.date() not in closed for day in days]
    return days[np.asarray(keep, dtype=bool)]


def nth_working_day(year: int, month: int, n: int, calendar: dict) -> pd.Timestamp | None:
    """The ``n``-th working day of a calendar month, or None when not estimated.

    Parameters
    ----------
    year, month : int
    n : int
        1 = the first working day [count].
    calendar : dict
        Params ``events.working_calendar``.

    Returns
    -------
    Timestamp or None
        None when params list no holidays for ``year``.
    """
    if n < 1:
        raise ValueError(f"the working day of the month must be at least 1, got {n}")
    first = pd.Timestamp(year=year, month=month, day=1)
    days = working_days(first, first + pd.offsets.MonthEnd(0), calendar)
    if days is None:
        return None
    if len(days) < n:
        raise ValueError(f"{year}-{month:02d} has {len(days)} working days, fewer than {n}")
    return days[n - 1]


def review_due_date(month_first, calendar: dict) -> pd.Timestamp | None:
    """When the review of the month starting ``month_first`` is due: the params'
    ``review_due_working_day``-th working day of the next month (None: not estimated).

    Parameters
    ----------
    month_first : date-like
        First day of the reviewed month.
    calendar : dict
        Params ``events.working_calendar``.

    Returns
    -------
    Timestamp or None
    """
    following = pd.Timestamp(month_first).normalize() + pd.offsets.MonthBegin(1)
    return nth_working_day(following.year, following.month,
                           int(calendar["review_due_working_day"]), calendar)


def monthly_acos(acos_by_month: pd.DataFrame | None, last_month, months: int) -> pd.DataFrame:
    """ACOS of the ``months`` calendar months up to ``last_month``, oldest first.

    Parameters
    ----------
    acos_by_month : DataFrame or None
        :func:`opsanalysis.kpi.acos` with ``freq="M"`` (period, spend, sales, acos).
    last_month : date-like
        First day of the last month shown.
    months : int
        Months shown [count].

    Returns
    -------
    DataFrame
        period (first day of the month), spend, sales [marketplace currency], acos [fraction,
        NaN when no ad sales], change (acos minus the month before [fraction points]); a month
        the campaign report does not cover has NaN spend (not estimated), never 0.
    """
    last = pd.Timestamp(last_month).normalize().replace(day=1)
    periods = pd.date_range(end=last, periods=months, freq="MS")
    frame = pd.DataFrame({"period": periods})
    if acos_by_month is not None and len(acos_by_month):
        found = acos_by_month.assign(period=pd.to_datetime(acos_by_month["period"]).dt.to_period(
            "M").dt.to_timestamp())
        found = found.groupby("period", as_index=False)[["spend", "sales"]].sum(min_count=1)
        frame = frame.merge(found, on="period", how="left")
    else:
        frame["spend"] = np.nan
        frame["sales"] = np.nan
    frame["acos"] = (frame["spend"] / frame["sales"]).where(frame["sales"] > 0)
    frame["change"] = frame["acos"].diff()
    return frame[["period", "spend", "sales", "acos", "change"]]


def stockout_lost_sales(orders: pd.DataFrame, inventory_history: pd.DataFrame | None,
                        marketplace: str, first, last, forecast_settings: dict) -> pd.DataFrame:
    """Units and money each SKU did not sell on its stockout days of a month.

    Parameters
    ----------
    orders : DataFrame
        Canonical ``all_orders`` (purchase_date, order_status, sales_channel, sku, quantity,
        item_price).
    inventory_history : DataFrame or None
        Canonical ``inventory_history`` (stockout days come from it).
    marketplace : str
        Marketplace code (calendar dates in its time zone).
    first, last : date-like
        The month's first and last day.
    forecast_settings : dict
        Params ``forecast`` (``censor_buy_box_below``, ``impute_window_days``).

    Returns
    -------
    DataFrame
        One row per SKU with a stockout day in the month: sku, stockout_days [days],
        units_sold [units on those days], expected_units [units/day imputed demand summed],
        lost_units [units], unit_price [marketplace currency, average selling price in the
        month], lost_sales [marketplace currency]; NaN where not estimated with the reason in
        ``not_estimated_reason``. Sorted by lost sales, largest first. Empty without inventory
        history (stockout days unknown).
    """
    columns = ["sku", "stockout_days", "units_sold", "stockout_expected_units", "stockout_lost_units",
               "unit_price", "stockout_lost_sales", "not_estimated_reason"]
    if inventory_history is None or inventory_history.empty or orders is None or orders.empty:
        return pd.DataFrame(columns=columns)
    first, last = pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize()
    panel = demand.build_panel(orders, inventory_history, None, marketplace, as_of=last,
                               censoring="impute", params=forecast_settings)
    month = panel[panel["ds"].between(first, last)]
    out = month[month["in_stock"].eq(False).fillna(False).astype(bool)]
    if out.empty:
        return pd.DataFrame(columns=columns)
    expected = out["y"].astype(float)
    sold = out["units"].astype(float)
    per_day = (expected - sold).clip(lower=0)
    table = pd.DataFrame({"sku": out["sku"].to_numpy(), "sold": sold.to_numpy(),
                          "expected": expected.to_numpy(), "lost": per_day.to_numpy(),
                          "unknown": expected.isna().to_numpy()})
    grouped = table.groupby("sku", sort=True)
    result = pd.DataFrame({
        "stockout_days": grouped.size(),
        "units_sold": grouped["sold"].sum(),
        "stockout_expected_units": grouped["expected"].sum(min_count=1),
        "stockout_lost_units": grouped["lost"].sum(min_count=1),
        "unknown_days": grouped["unknown"].sum(),
    })
    result.loc[result["unknown_days"] > 0, ["stockout_expected_units", "stockout_lost_units"]] = np.nan
    prices = _unit_prices(orders, marketplace, first, last)
    result["unit_price"] = prices.reindex(result.index)
    result["stockout_lost_sales"] = result["stockout_lost_units"] * result["unit_price"]
    result["not_estimated_reason"] = np.where(
        result["unknown_days"] > 0, "no uncensored day before the stockout to impute demand from",
        np.where(result["unit_price"].isna(), "no sale in the month to price the lost units",
                 ""))
    result = result.reset_index().rename(columns={"index": "sku"})
    result = result.sort_values(["stockout_lost_sales", "stockout_lost_units", "sku"],
                                ascending=[False, False, True], na_position="last")
    return result[columns].reset_index(drop=True)


def _unit_prices(orders, marketplace, first, last) -> pd.Series:
    """Average selling price per SKU over the month's non-cancelled marketplace orders."""
    from opsanalysis import marketplaces

    live = ~is_cancelled(orders).to_numpy(dtype=bool)
    # rows chosen on the whole frame, then only the columns used are copied
    columns = [c for c in ("purchase_date", "quantity", "item_price", "sku") if c in orders]
    kept = orders.loc[live, columns]
    dates = demand.local_dates(kept["purchase_date"], marketplaces.get(marketplace).timezone)
    kept = kept[dates.between(first, last).to_numpy()]
    quantity = pd.to_numeric(kept["quantity"], errors="coerce")
    price = pd.to_numeric(kept.get("item_price"), errors="coerce") if "item_price" in kept \
        else pd.Series(np.nan, index=kept.index)
    frame = pd.DataFrame({"sku": kept["sku"].astype(str), "units": quantity, "money": price})
    frame = frame[(frame["units"] > 0) & frame["money"].notna()]
    sums = frame.groupby("sku")[["units", "money"]].sum()
    return sums["money"] / sums["units"]


def lost_sales_total(lost: pd.DataFrame) -> dict:
    """Units and money lost over every SKU of :func:`stockout_lost_sales`.

    Returns
    -------
    dict
        skus [count], stockout_days [days], lost_units [units], lost_sales [marketplace
        currency] and not_estimated (SKUs whose loss could not be estimated [count]); sums over
        the estimated SKUs only.
    """
    if lost is None or lost.empty:
        return {"skus": 0, "stockout_days": 0, "stockout_lost_units": 0.0, "stockout_lost_sales": 0.0,
                "not_estimated": 0}
    estimated = lost["stockout_lost_sales"].notna()
    return {"skus": int(len(lost)), "stockout_days": int(lost["stockout_days"].sum()),
            "stockout_lost_units": float(lost.loc[lost["stockout_lost_units"].notna(), "stockout_lost_units"].sum()),
            "stockout_lost_sales": float(lost.loc[estimated, "stockout_lost_sales"].sum()),
            "not_estimated": int((~estimated).sum())}

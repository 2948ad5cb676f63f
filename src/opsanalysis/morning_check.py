"""The morning check (晨间巡检): what needs a look today, from the latest snapshots only.

Each function reads one kind of report the marketplace folder holds and returns the rows that
need attention; it never plans or forecasts, so the daily run stays within seconds:

- :func:`stock_alerts`: SKUs without sellable FBA stock in the latest Manage FBA Inventory, or
  flagged by Amazon's Restock report (``alert``), with their days of supply;
- :func:`buy_box_losses`: SKUs whose buy-box share in the latest Business Report period is below
  the params' buy-box rule, with the period before;
- :func:`negative_feedback`: negative feedback received in the latest days of the Business
  Report by date (the Seller Central feedback columns), or None when no file holds them;
- :func:`unbuyable_listings`: SKUs whose FBA stock is stranded or whose listing is suppressed
  or not "Active" (:mod:`opsanalysis.listing_health`).

Pure functions: frames and settings in, frames out; unknown values stay NaN. :data:`KINDS`
names the report kinds they read: the daily run parses no other file
(``opsanalysis.report_context.prepare(..., kinds=KINDS)``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsanalysis import listing_health

__all__ = ["KINDS", "buy_box_losses", "negative_feedback", "stock_alerts", "unbuyable_listings"]

#: The report kinds the morning check reads (the frames its sections are given in
#: ``opsanalysis.cadence_sections.prepare_morning_check``), and no other.
KINDS = ("account_health", "fba_inventory", "restock", "business_report_asin",
         "business_report_date", "all_listings", "suppressed_listings", "stranded_inventory",
         "seller_feedback")


def _latest(frame: pd.DataFrame | None, as_of) -> pd.DataFrame | None:
    """The latest snapshot on or before ``as_of`` (rows of the latest ``snapshot_date``)."""
    if frame is None or frame.empty:
        return None
    if "snapshot_date" not in frame or frame["snapshot_date"].isna().all():
        return frame
    dates = pd.to_datetime(frame["snapshot_date"])
    if as_of is not None:
        frame, dates = frame[dates <= pd.Timestamp(as_of)], dates[dates <= pd.Timestamp(as_of)]
    if frame.empty:
        return None
    return frame[dates == dates.max()]


def stock_alerts(fba_inventory: pd.DataFrame | None, restock: pd.DataFrame | None,
                 as_of) -> pd.DataFrame | None:
    """SKUs out of sellable FBA stock, or carrying an alert in Amazon's Restock report.

    Parameters
    ----------
    fba_inventory : DataFrame or None
        Manage FBA Inventory (sku, afn_fulfillable_quantity, afn_inbound_* quantities).
    restock : DataFrame or None
        Restock Inventory (sku, alert, days_of_supply_at_afn, recommended_replenishment_qty,
        recommended_ship_date).
    as_of : date-like
        Report date: snapshots after it are ignored.

    Returns
    -------
    DataFrame or None
        sku, alert ("no_sellable_stock" when no sellable unit, else Amazon's alert text),
        fulfillable [units], inbound [units], days_of_supply [days, NaN when Amazon states
        none], recommended_quantity [units], recommended_ship_date; None when neither report
        is there.
    """
    inventory, amazon = _latest(fba_inventory, as_of), _latest(restock, as_of)
    if inventory is None and amazon is None:
        return None
    rows = pd.DataFrame(columns=["sku"])
    if inventory is not None:
        fulfillable = pd.Series(_numbers(inventory, "afn_fulfillable_quantity"),
                                index=inventory.index)
        inbound = sum(pd.to_numeric(inventory[c], errors="coerce").fillna(0)
                      for c in ("afn_inbound_working_quantity", "afn_inbound_shipped_quantity",
                                "afn_inbound_receiving_quantity") if c in inventory)
        listed = inventory.get("afn_listing_exists")
        fba = listed.astype("boolean").fillna(True) if listed is not None else True
        rows = pd.DataFrame({"sku": inventory["sku"].astype(str).to_numpy(),
                             "sellable_fba_units": fulfillable.to_numpy(),
                             "inbound": np.asarray(inbound, dtype=float) if not np.isscalar(
                                 inbound) else np.nan,
                             "out": (fulfillable.eq(0) & fba).to_numpy(dtype=bool)})
    if amazon is not None:
        alert = amazon["alert"].astype("string").str.strip() if "alert" in amazon else \
            pd.Series(pd.NA, index=amazon.index, dtype="string")
        extra = pd.DataFrame({
            "sku": amazon["sku"].astype(str).to_numpy(),
            "amazon_alert": alert.replace("", pd.NA).to_numpy(),
            "amazon_days_of_supply": _numbers(amazon, "days_of_supply_at_afn"),
            "amazon_recommended_units": _numbers(amazon, "recommended_replenishment_qty"),
            "amazon_ship_by": pd.to_datetime(_column(amazon, "recommended_ship_date"),
                                             errors="coerce").to_numpy()})
        rows = rows.merge(extra, on="sku", how="outer")
    for column in ("sellable_fba_units", "inbound", "amazon_days_of_supply",
                   "amazon_recommended_units"):
        if column not in rows:
            rows[column] = np.nan
    if "amazon_ship_by" not in rows:
        rows["amazon_ship_by"] = pd.NaT
    out = rows["out"].fillna(False).astype(bool) if "out" in rows else pd.Series(
        False, index=rows.index)
    amazon_alert = rows["amazon_alert"] if "amazon_alert" in rows else pd.Series(
        pd.NA, index=rows.index, dtype="string")
    flagged = out | amazon_alert.notna()
    table = rows[flagged].copy()
    table["stock_alert"] = np.where(out[flagged], "no_sellable_stock",
                                    amazon_alert[flagged].astype(object))
    table = table.sort_values(["sellable_fba_units", "amazon_days_of_supply", "sku"],
                              na_position="last")
    return table[["sku", "stock_alert", "sellable_fba_units", "inbound", "amazon_days_of_supply",
                  "amazon_recommended_units", "amazon_ship_by"]].reset_index(drop=True)


def buy_box_losses(buy_box_by_week: pd.DataFrame | None, minimum: float,
                   as_of) -> pd.DataFrame | None:
    """SKUs whose buy-box share of the latest week is below ``minimum``.

    Parameters
    ----------
    buy_box_by_week : DataFrame or None
        :func:`opsanalysis.kpi.buy_box_percentage` by ``sku`` and ``freq="W"`` (sku, period,
        buy_box_percentage [fraction]).
    minimum : float
        The params' buy-box rule [fraction].
    as_of : date-like
        Weeks starting after it are ignored.

    Returns
    -------
    DataFrame or None
        sku, period (start of the latest week), buy_box_percentage, previous (the week before,
        NaN when not reported) [fraction], change [fraction points]; lowest share first. None
        without a Business Report by ASIN.
    """
    if buy_box_by_week is None or buy_box_by_week.empty:
        return None
    frame = buy_box_by_week[pd.to_datetime(buy_box_by_week["period"]) <= pd.Timestamp(as_of)]
    if frame.empty:
        return None
    weeks = sorted(pd.to_datetime(frame["period"]).unique())
    latest = frame[pd.to_datetime(frame["period"]) == weeks[-1]].set_index("sku")
    previous = (frame[pd.to_datetime(frame["period"]) == weeks[-2]].set_index("sku")
                ["buy_box_percentage"] if len(weeks) > 1 else pd.Series(dtype=float))
    table = pd.DataFrame({"period": weeks[-1],
                          "buy_box_percentage": latest["buy_box_percentage"].astype(float)})
    table["previous"] = previous.reindex(table.index).astype(float)
    table["change"] = table["buy_box_percentage"] - table["previous"]
    table = table[table["buy_box_percentage"] < minimum]
    return table.rename_axis("sku").reset_index().sort_values(
        ["buy_box_percentage", "sku"]).reset_index(drop=True)


def negative_feedback(business_report_date: pd.DataFrame | None, as_of,
                      days: int) -> pd.DataFrame | None:
    """Negative feedback received per day over the ``days`` days up to ``as_of``.

    Parameters
    ----------
    business_report_date : DataFrame or None
        Business Report by date; Seller Central's feedback columns
        (``negative_feedback_received``, ``feedback_received``) when the download has them.
    as_of : date-like
    days : int
        Days shown [days].

    Returns
    -------
    DataFrame or None
        date, negative_feedback_received [count], feedback_received [count, NaN when the file
        has no such column]; None when no file holds negative feedback counts (not estimated).
    """
    frame = business_report_date
    if frame is None or "negative_feedback_received" not in frame or \
            frame["negative_feedback_received"].isna().all():
        return None
    end = pd.Timestamp(as_of).normalize()
    dates = pd.to_datetime(frame["date"]).dt.normalize()
    recent = frame[(dates > end - pd.Timedelta(days=days)) & (dates <= end)]
    if recent.empty:
        return None
    table = pd.DataFrame({
        "date": pd.to_datetime(recent["date"]).dt.normalize().to_numpy(),
        "negative_feedback_received": pd.to_numeric(recent["negative_feedback_received"],
                                                    errors="coerce").to_numpy(),
        "feedback_received": pd.to_numeric(recent.get("feedback_received"),
                                           errors="coerce").to_numpy()
        if "feedback_received" in recent else np.nan})
    return table.groupby("date", as_index=False).sum(min_count=1).sort_values(
        "date", ascending=False).reset_index(drop=True)


def unbuyable_listings(fba_inventory: pd.DataFrame | None, listings: pd.DataFrame | None,
                       suppressed: pd.DataFrame | None, stranded: pd.DataFrame | None,
                       as_of) -> pd.DataFrame | None:
    """Listings that cannot sell: stranded FBA stock, suppressed or not "Active" listings.

    Reuses :mod:`opsanalysis.listing_health`: :func:`~opsanalysis.listing_health.stranded_units`
    (the Stranded Inventory report, else :func:`~opsanalysis.listing_health.
    stranded_from_inventory`: FBA units whose SKU has no FBA listing) and
    :func:`~opsanalysis.listing_health.problem_listings` (the suppressed download and the All
    Listings status).

    Parameters
    ----------
    fba_inventory : DataFrame or None
        Manage FBA Inventory.
    listings : DataFrame or None
        All Listings / Active Listings.
    suppressed : DataFrame or None
        Suppressed-listings download.
    stranded : DataFrame or None
        Stranded Inventory report.
    as_of : date-like

    Returns
    -------
    DataFrame or None
        One row per SKU, stranded stock first: sku, listing_problem ("stranded_stock", or the
        problem codes of :data:`opsanalysis.listing_health.PROBLEMS`), listing_status (All
        Listings status, "" when not listed there), fba_units_at_stake [units: stranded units,
        or the SKU's FBA warehouse units; NaN when not in the inventory snapshot]; None when no
        report states a listing status or stranded stock (not estimated).
    """
    stuck = listing_health.stranded_units(stranded, as_of)
    if stuck is None:
        stuck = listing_health.stranded_from_inventory(fba_inventory, as_of)
    problems = listing_health.problem_listings(listings, suppressed, as_of)
    if stuck is None and problems is None:
        return None
    rows = []
    if stuck is not None and len(stuck):
        rows.append(pd.DataFrame({"sku": stuck["sku"].astype(str).to_numpy(),
                                  "listing_problem": "stranded_stock",
                                  "fba_units_at_stake": stuck["stranded_units"].to_numpy()}))
    if problems is not None and len(problems):
        inventory = listing_health.latest_snapshot(fba_inventory, as_of)
        held = (inventory.assign(sku=inventory["sku"].astype(str)).drop_duplicates(
            "sku", keep="last").set_index("sku")["afn_warehouse_quantity"]
            if inventory is not None and "afn_warehouse_quantity" in inventory
            else pd.Series(dtype=float))
        skus = problems["sku"].astype(str)
        rows.append(pd.DataFrame({"sku": skus.to_numpy(),
                                  "listing_problem": problems["problem"].to_numpy(),
                                  "fba_units_at_stake": pd.to_numeric(
                                      skus.map(held), errors="coerce").to_numpy()}))
    columns = ["sku", "listing_problem", "listing_status", "fba_units_at_stake"]
    if not rows:
        return pd.DataFrame(columns=columns)
    table = pd.concat(rows, ignore_index=True).drop_duplicates("sku", keep="first")
    statuses = (problems.assign(sku=problems["sku"].astype(str)).set_index("sku")
                ["listing_status"] if problems is not None and len(problems)
                else pd.Series(dtype=str))
    table["listing_status"] = table["sku"].map(statuses).fillna("").astype(str)
    return table[columns].reset_index(drop=True)


def _column(frame, name):
    """A report's column, or missing values where this download has no such column (Amazon's
    Restock and inventory reports add and drop columns over time)."""
    return frame[name] if name in frame else pd.Series(np.nan, index=frame.index)


def _numbers(frame, name) -> np.ndarray:
    """A column as floats [as the report states them], NaN where absent or not a number."""
    return pd.to_numeric(_column(frame, name), errors="coerce").to_numpy(dtype=float)

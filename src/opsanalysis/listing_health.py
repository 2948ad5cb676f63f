"""Listing health: listings that cannot sell, what changed on them, how fast they went live.

From the All Listings / Active Listings report (``all_listings``: one snapshot per download),
the suppressed-listings download (``suppressed_listings``), the Stranded Inventory report
(``stranded_inventory``), Manage FBA Inventory (``fba_inventory``) and All Orders:

- :func:`problem_listings`: listings of the latest snapshot that are not "Active" (inactive,
  incomplete) and listings the suppressed download names, with Amazon's reason where the
  download gives one;
- :func:`listing_changes` / :func:`price_changes`: title and price changes between consecutive
  All Listings snapshots (the launch tracker's "do not rewrite the listing" warning takes
  :func:`listing_changes`);
- :func:`go_live`: per listing, hours from its creation (``open-date``) to the first sign it
  was live -- its first order or the first snapshot showing it "Active" -- and
  :func:`go_live_in_window`, the figure the scorecard's ``listing_go_live_hours`` rule takes;
- :func:`without_fba_stock`: active FBA listings with no sellable FBA unit;
- :func:`stranded_units`: stranded units and their value per SKU from the latest Stranded
  Inventory report (or, without it, :func:`stranded_from_inventory`: FBA units whose SKU has
  no FBA listing in Manage FBA Inventory), and :func:`stranded_totals`.

Pure functions: frames and settings in, frames out; unknown values stay NaN ("not estimated"
in the report), never 0. A snapshot without a date (no date in its file name) is the snapshot
of the report date ``as_of``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsanalysis.io import is_cancelled, is_marketplace_sale

__all__ = ["PROBLEMS", "go_live", "go_live_in_window", "latest_snapshot", "listing_changes",
           "price_changes", "problem_listings", "stranded_from_inventory", "stranded_totals",
           "stranded_units", "without_fba_stock"]

#: Problem codes of :func:`problem_listings`, most urgent first.
PROBLEMS = ("suppressed", "listing_inactive", "listing_incomplete", "listing_not_active")
#: Columns compared between All Listings snapshots by :func:`listing_changes`.
_CHANGE_COLUMNS = {"item_name": "title", "price": "price"}


def _dated(frame: pd.DataFrame | None, as_of) -> pd.DataFrame | None:
    """``frame`` with every missing ``snapshot_date`` set to ``as_of`` (None: left missing)."""
    if frame is None or frame.empty:
        return None
    dates = (pd.to_datetime(frame["snapshot_date"]) if "snapshot_date" in frame
             else pd.Series(pd.NaT, index=frame.index))
    if as_of is not None:
        dates = dates.fillna(pd.Timestamp(as_of).normalize())
    return frame.assign(snapshot_date=dates)


def latest_snapshot(frame: pd.DataFrame | None, as_of=None) -> pd.DataFrame | None:
    """Rows of the latest snapshot on or before ``as_of`` (undated rows count as ``as_of``).

    Parameters
    ----------
    frame : DataFrame or None
        A snapshot report (``snapshot_date`` column, possibly missing).
    as_of : date-like, optional
        Report date; snapshots after it are ignored.

    Returns
    -------
    DataFrame or None
        None when the frame is missing, empty or holds no snapshot up to ``as_of``.
    """
    frame = _dated(frame, as_of)
    if frame is None:
        return None
    dates = frame["snapshot_date"]
    if as_of is not None:
        frame, dates = frame[dates <= pd.Timestamp(as_of)], dates[dates <= pd.Timestamp(as_of)]
    if frame.empty:
        return None
    if dates.isna().all():
        return frame
    return frame[dates == dates.max()]


def _status_problem(status: pd.Series) -> pd.Series:
    folded = status.astype("string").str.strip().str.lower()
    return pd.Series(np.select([folded.eq("inactive").fillna(False).to_numpy(dtype=bool),
                                folded.str.contains("incomplete").fillna(False)
                                .to_numpy(dtype=bool)],
                               ["listing_inactive", "listing_incomplete"],
                               "listing_not_active"), index=status.index)


def problem_listings(listings: pd.DataFrame | None, suppressed: pd.DataFrame | None,
                     as_of=None) -> pd.DataFrame | None:
    """Listings that cannot sell: suppressed, inactive or otherwise not "Active".

    Parameters
    ----------
    listings : DataFrame or None
        All Listings (sku, asin, status, item_name, snapshot_date); the latest snapshot on or
        before ``as_of`` is judged. An Active Listings download (no ``status``) names only
        active listings and adds no problem.
    suppressed : DataFrame or None
        Suppressed-listings download (sku, asin, status, reason, issue_description,
        status_change_date, snapshot_date); its latest snapshot.
    as_of : date-like, optional
        Report date.

    Returns
    -------
    DataFrame or None
        One row per SKU: sku, asin, problem (:data:`PROBLEMS`: "suppressed" when the
        suppressed download names it, else from the All Listings status), listing_status (the
        All Listings status, "" when the SKU is not in it), reason (Amazon's reason and issue
        description from the suppressed download; "" when no download gives one),
        since (status change date, NaT when not given); suppressed first, then by SKU. None
        when neither report states a listing status (not estimated).
    """
    listed = latest_snapshot(listings, as_of)
    hidden = latest_snapshot(suppressed, as_of)
    has_status = listed is not None and "status" in listed
    if not has_status and hidden is None:
        return None
    rows = []
    statuses = pd.Series(dtype=object)
    if listed is not None and "status" in listed:
        listed = listed.assign(sku=listed["sku"].astype(str)).drop_duplicates("sku", keep="last")
        statuses = listed.set_index("sku")["status"].astype("string").fillna("")
        inactive = listed[statuses.str.strip().str.lower().ne("active").to_numpy()]
        rows.append(pd.DataFrame({
            "sku": inactive["sku"].to_numpy(),
            "asin": inactive["asin"].astype("string").to_numpy() if "asin" in inactive
            else pd.NA,
            "problem": _status_problem(inactive["status"]).to_numpy(),
            "reason": "", "since": pd.NaT}))
    if hidden is not None:
        reason = hidden["reason"].astype("string").fillna("").str.strip()
        if "issue_description" in hidden:
            detail = hidden["issue_description"].astype("string").fillna("").str.strip()
            reason = (reason + ": " + detail).where(detail.ne("") & reason.ne(""),
                                                    reason.where(reason.ne(""), detail))
        since = (pd.to_datetime(hidden["status_change_date"]) if "status_change_date" in hidden
                 else pd.Series(pd.NaT, index=hidden.index))
        table = pd.DataFrame({"sku": hidden["sku"].astype(str).to_numpy(),
                              "asin": hidden["asin"].astype("string").to_numpy()
                              if "asin" in hidden else pd.NA,
                              "problem": "suppressed", "reason": reason.to_numpy(),
                              "since": since.to_numpy()})
        # several issues of one SKU: one row, the issues joined
        table = table.groupby("sku", as_index=False, sort=False).agg(
            asin=("asin", "first"), problem=("problem", "first"),
            reason=("reason", lambda texts: "; ".join(t for t in dict.fromkeys(texts) if t)),
            since=("since", "min"))
        rows.insert(0, table)
    table = pd.concat([r for r in rows if len(r)], ignore_index=True) if any(
        len(r) for r in rows) else pd.DataFrame(columns=["sku", "asin", "problem", "reason",
                                                         "since"])
    table = table.drop_duplicates("sku", keep="first")
    table["listing_status"] = table["sku"].map(statuses).fillna("").astype(str)
    table["since"] = pd.to_datetime(table["since"])
    order = table["problem"].map({code: i for i, code in enumerate(PROBLEMS)})
    table = table.assign(_order=order).sort_values(["_order", "sku"], kind="stable")
    return table[["sku", "asin", "problem", "listing_status", "reason", "since"]].reset_index(
        drop=True)


def listing_changes(listings: pd.DataFrame | None, as_of=None) -> pd.DataFrame:
    """Title and price changes between consecutive All Listings snapshots, per SKU.

    Parameters
    ----------
    listings : DataFrame or None
        All Listings with several snapshots (sku, asin, item_name, price, snapshot_date).
    as_of : date-like, optional
        Report date: undated rows are its snapshot, later snapshots are ignored.

    Returns
    -------
    DataFrame
        sku, asin, date (the snapshot that first shows the change), change_type ("title" or
        "price"), previous, current (as text for titles, numbers for prices), previous_date
        (the snapshot before); oldest first. The columns the launch tracker's
        ``listing_changes`` argument takes (asin/sku, date, change_type). Empty with one
        snapshot or none: a change needs two snapshots to be seen.
    """
    columns = ["sku", "asin", "date", "change_type", "previous", "current", "previous_date"]
    frame = _dated(listings, as_of)
    if frame is None or frame["snapshot_date"].isna().all():
        return pd.DataFrame(columns=columns)
    if as_of is not None:
        frame = frame[frame["snapshot_date"] <= pd.Timestamp(as_of)]
    frame = frame.assign(sku=frame["sku"].astype(str)).sort_values(
        ["sku", "snapshot_date"], kind="stable").drop_duplicates(["sku", "snapshot_date"],
                                                                 keep="last")
    rows = []
    for column, change_type in _CHANGE_COLUMNS.items():
        if column not in frame:
            continue
        values = frame[column]
        before = values.groupby(frame["sku"]).shift(1)
        before_date = frame["snapshot_date"].groupby(frame["sku"]).shift(1)
        if change_type == "price":
            now, then = pd.to_numeric(values, errors="coerce"), pd.to_numeric(before,
                                                                               errors="coerce")
            changed = now.notna() & then.notna() & ~np.isclose(now.fillna(0), then.fillna(0))
        else:
            now = values.astype("string").str.strip()
            then = before.astype("string").str.strip()
            changed = (now.notna() & then.notna() & now.ne(then)).fillna(False)
        changed = changed.to_numpy(dtype=bool)
        rows.append(pd.DataFrame({
            "sku": frame["sku"].to_numpy()[changed],
            "asin": (frame["asin"].astype("string").to_numpy()[changed] if "asin" in frame
                     else pd.NA),
            "date": frame["snapshot_date"].to_numpy()[changed], "change_type": change_type,
            "previous": np.asarray(then, dtype=object)[changed],
            "current": np.asarray(now, dtype=object)[changed],
            "previous_date": before_date.to_numpy()[changed]}))
    if not rows:
        return pd.DataFrame(columns=columns)
    table = pd.concat(rows, ignore_index=True)
    return table.sort_values(["date", "sku", "change_type"], kind="stable")[columns].reset_index(
        drop=True)


def price_changes(listings: pd.DataFrame | None, as_of=None) -> pd.DataFrame:
    """Price changes between consecutive All Listings snapshots.

    Parameters
    ----------
    listings : DataFrame or None
        All Listings (sku, asin, price, snapshot_date, currency).
    as_of : date-like, optional

    Returns
    -------
    DataFrame
        sku, asin, date, previous_date, previous_price, price [marketplace currency],
        price_change [fraction of the previous price]; latest first.
    """
    changes = listing_changes(listings, as_of)
    changes = changes[changes["change_type"] == "price"]
    table = pd.DataFrame({
        "sku": changes["sku"], "asin": changes["asin"], "date": changes["date"],
        "previous_date": changes["previous_date"],
        "previous_price": changes["previous"].astype(float),
        "price": changes["current"].astype(float)})
    table["price_change"] = table["price"] / table["previous_price"] - 1.0
    return table.sort_values(["date", "sku"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


def _sale_times(orders: pd.DataFrame | None, timezone) -> pd.DataFrame:
    """sku, purchase_date of every marketplace order line (cancelled lines and other channels
    left out), in ``timezone`` when given."""
    if orders is None or orders.empty:
        return pd.DataFrame({"sku": pd.Series(dtype=str),
                             "purchase_date": pd.Series(dtype="datetime64[ns, UTC]"
                                                        if timezone is not None
                                                        else "datetime64[ns]")})
    # rows chosen on the whole frame, then only the two columns used are copied
    keep = (~is_cancelled(orders).to_numpy(dtype=bool)
            & is_marketplace_sale(orders).fillna(True).to_numpy(dtype=bool))
    kept = orders.loc[keep, ["sku", "purchase_date"]]
    when = pd.to_datetime(kept["purchase_date"])
    if timezone is not None:
        when = (when.dt.tz_convert(timezone) if getattr(when.dt, "tz", None) is not None
                else when.dt.tz_localize(timezone))
    elif getattr(when.dt, "tz", None) is not None:  # naive open dates: compare wall times
        when = when.dt.tz_localize(None)
    return pd.DataFrame({"sku": kept["sku"].astype(str).array,
                         "purchase_date": when.to_numpy() if timezone is None else when.array})


def go_live(listings: pd.DataFrame | None, orders: pd.DataFrame | None,
            as_of=None) -> pd.DataFrame | None:
    """Per listing: hours from creation to the first sign it was live.

    Amazon exports no go-live time. The first signs a listing was live are its first order
    and the first All Listings snapshot showing it "Active" (counted at the end of the
    snapshot's day, as the download time is unknown). The earlier of the two bounds the
    go-live time from above: a listing may have been live before it sold.

    Parameters
    ----------
    listings : DataFrame or None
        All Listings (sku, asin, open_date (tz-aware), status, snapshot_date).
    orders : DataFrame or None
        All Orders (sku, purchase_date, order_status, sales_channel).
    as_of : date-like, optional
        Report date: orders and snapshots after its end are ignored.

    Returns
    -------
    DataFrame or None
        sku, asin, open_date, first_active (end of the first Active snapshot's day, NaT when
        none), first_sale (NaT when none), live_evidence ("first_sale", "active_snapshot" or
        "" when neither), go_live_hours [hours, NaN = not estimated]; newest listing first.
        None without an All Listings report with ``open_date``.
    """
    frame = _dated(listings, as_of)
    if frame is None or "open_date" not in frame or frame["open_date"].isna().all():
        return None
    opened = pd.to_datetime(frame["open_date"])
    timezone = getattr(opened.dt, "tz", None)
    frame = frame.assign(sku=frame["sku"].astype(str), open_date=opened)
    end = None if as_of is None else pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
    if end is not None and timezone is not None:
        end = end.tz_localize(timezone)
    first = frame.sort_values("snapshot_date", kind="stable").drop_duplicates("sku", keep="last")
    first = first[first["open_date"].notna()]
    # first Active snapshot (end of its day, in the marketplace's zone)
    active = frame
    if "status" in frame:
        active = frame[frame["status"].astype("string").str.strip().str.lower().eq("active")
                       .fillna(False).to_numpy(dtype=bool)]
    seen = (active["snapshot_date"].dropna() + pd.Timedelta(days=1)).groupby(
        active["sku"]).min()
    if timezone is not None:
        seen = seen.dt.tz_localize(timezone)
    # first sale at or after the listing's creation (and before the end of as_of)
    sales = _sale_times(orders, timezone)
    pairs = sales.merge(first[["sku", "open_date"]], on="sku", how="inner")
    pairs = pairs[pairs["purchase_date"] >= pairs["open_date"]]
    if end is not None:
        pairs = pairs[pairs["purchase_date"] < end]
    sold = pairs.groupby("sku")["purchase_date"].min()
    first = first.reset_index(drop=True)
    table = pd.DataFrame({"sku": first["sku"],
                          "asin": first["asin"].astype("string") if "asin" in first else pd.NA,
                          "open_date": first["open_date"]})
    table["first_active"] = seen.reindex(table["sku"]).to_numpy() if len(seen) else pd.NaT
    table["first_sale"] = sold.reindex(table["sku"]).to_numpy() if len(sold) else pd.NaT
    for column in ("first_active", "first_sale"):  # numpy and NaT-only columns lose the zone
        table[column] = pd.to_datetime(table[column], utc=timezone is not None)
        if timezone is not None:
            table[column] = table[column].dt.tz_convert(timezone)
    # an Active snapshot before the listing existed (relisted SKU) is no evidence
    table.loc[table["first_active"] < table["open_date"], "first_active"] = pd.NaT
    sold_first = table["first_sale"].notna() & (
        table["first_active"].isna() | (table["first_sale"] <= table["first_active"]))
    evidence = table["first_sale"].where(sold_first, table["first_active"])
    table["live_evidence"] = np.where(sold_first, "first_sale",
                                      np.where(table["first_active"].notna(),
                                               "active_snapshot", ""))
    table["go_live_hours"] = (pd.to_datetime(evidence) - table["open_date"]).dt.total_seconds() \
        / 3600.0
    return table.sort_values(["open_date", "sku"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


def go_live_in_window(table: pd.DataFrame | None, start, end) -> pd.DataFrame | None:
    """The go-live figure of the listings created in a window, as the scorecard measures it.

    The scorecard's ``listing_go_live_hours`` rule (at most 24 hours, practitioner articles)
    is judged on the median of the listings' go-live hours (:func:`go_live`: an upper bound
    from the first order or Active snapshot), so that one slow seller does not decide it.

    Parameters
    ----------
    table : DataFrame or None
        :func:`go_live`.
    start, end : date-like
        First and last day of the window (listings whose ``open_date`` falls on them count,
        in the marketplace's calendar).

    Returns
    -------
    DataFrame or None
        One row: value (median go-live hours of the listings with evidence) [hours],
        numerator (listings with evidence) [count], denominator (listings created in the
        window) [count]. None when no listing created in the window shows evidence yet (not
        estimated).
    """
    if table is None or table.empty:
        return None
    created = table["open_date"]
    local = created.dt.tz_localize(None) if getattr(created.dt, "tz", None) is not None \
        else created
    days = local.dt.normalize()
    inside = table[((days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))).to_numpy()]
    measured = inside["go_live_hours"].dropna()
    if measured.empty:
        return None
    return pd.DataFrame({"value": [float(measured.median())],
                         "numerator": [float(len(measured))],
                         "denominator": [float(len(inside))]})


def without_fba_stock(listings: pd.DataFrame | None, fba_inventory: pd.DataFrame | None,
                      as_of=None) -> pd.DataFrame | None:
    """Active listings fulfilled by Amazon that have no sellable FBA unit.

    Parameters
    ----------
    listings : DataFrame or None
        All Listings / Active Listings (sku, asin, status, fulfillment_channel,
        snapshot_date); FBA listings have a channel starting ``AMAZON`` (``AMAZON_NA``,
        ``AMAZON_EU``, ``AMAZON_JP`` ...). Without the channel column every listing counts.
    fba_inventory : DataFrame or None
        Manage FBA Inventory (sku, afn_fulfillable_quantity, afn_inbound_* quantities,
        snapshot_date).
    as_of : date-like, optional

    Returns
    -------
    DataFrame or None
        sku, asin, fulfillable_units [units; NaN when the SKU is not in the inventory
        snapshot], inbound_units [units, NaN likewise], stock_problem ("no_sellable_stock" or
        "not_in_fba_inventory"); SKUs with inbound units last. None without both reports.
    """
    listed, stock = latest_snapshot(listings, as_of), latest_snapshot(fba_inventory, as_of)
    if listed is None or stock is None:
        return None
    if "status" in listed:
        listed = listed[listed["status"].astype("string").str.strip().str.lower().eq("active")
                        .fillna(False).to_numpy(dtype=bool)]
    if "fulfillment_channel" in listed:
        channel = listed["fulfillment_channel"].astype("string").str.strip().str.upper()
        listed = listed[channel.str.startswith("AMAZON").fillna(False).to_numpy(dtype=bool)]
    sku = stock["sku"].astype(str)
    fulfillable = pd.to_numeric(stock["afn_fulfillable_quantity"], errors="coerce").groupby(
        sku.to_numpy()).sum(min_count=1)
    inbound_columns = [c for c in ("afn_inbound_working_quantity", "afn_inbound_shipped_quantity",
                                   "afn_inbound_receiving_quantity") if c in stock]
    inbound = (sum(pd.to_numeric(stock[c], errors="coerce").fillna(0) for c in inbound_columns)
               .groupby(sku.to_numpy()).sum() if inbound_columns
               else pd.Series(np.nan, index=fulfillable.index))
    table = pd.DataFrame({"sku": listed["sku"].astype(str).to_numpy(),
                          "asin": listed["asin"].astype("string").to_numpy() if "asin" in listed
                          else pd.NA}).drop_duplicates("sku")
    table["fulfillable_units"] = table["sku"].map(fulfillable).astype(float)
    table["inbound_units"] = table["sku"].map(inbound).astype(float)
    missing = ~table["sku"].isin(fulfillable.index)
    table = table[missing | table["fulfillable_units"].le(0).to_numpy()]
    table["stock_problem"] = np.where(table["sku"].isin(fulfillable.index), "no_sellable_stock",
                                      "not_in_fba_inventory")
    return table.sort_values(["inbound_units", "sku"], na_position="first",
                             kind="stable").reset_index(drop=True)


def stranded_units(stranded: pd.DataFrame | None, as_of=None) -> pd.DataFrame | None:
    """Stranded units and their value per SKU, from the latest Stranded Inventory report.

    Parameters
    ----------
    stranded : DataFrame or None
        Stranded Inventory (sku, asin, stranded_reason, primary_action, date_stranded,
        fulfillable_quantity, unfulfillable_quantity, reserved_quantity, your_price,
        snapshot_date, currency).
    as_of : date-like, optional
        Report date: the days stranded are counted to it.

    Returns
    -------
    DataFrame or None
        sku, asin, stranded_reason, primary_action, date_stranded, days_stranded [days, NaN
        when the report gives no date], fulfillable_units, unfulfillable_units,
        reserved_units, stranded_units (the three summed: every unit held at Amazon without a
        buyable offer) [units], your_price, stranded_value (stranded units x your price; NaN
        = not estimated when the price is missing) [marketplace currency], currency; most
        value first. None without the report.
    """
    latest = latest_snapshot(stranded, as_of)
    if latest is None:
        return None

    def units(column):
        return (pd.to_numeric(latest[column], errors="coerce").astype(float) if column in latest
                else pd.Series(np.nan, index=latest.index))

    when = (pd.to_datetime(latest["date_stranded"]) if "date_stranded" in latest
            else pd.Series(pd.NaT, index=latest.index))
    local = when.dt.tz_localize(None) if getattr(when.dt, "tz", None) is not None else when
    day = pd.Timestamp(as_of).normalize() if as_of is not None else latest["snapshot_date"].max()
    table = pd.DataFrame({
        "sku": latest["sku"].astype(str),
        "asin": latest["asin"].astype("string") if "asin" in latest else pd.NA,
        "stranded_reason": latest["stranded_reason"].astype("string").fillna("")
        if "stranded_reason" in latest else "",
        "primary_action": latest["primary_action"].astype("string").fillna("")
        if "primary_action" in latest else "",
        "date_stranded": local.dt.normalize(),
        "days_stranded": ((day - local.dt.normalize()).dt.days.astype(float)
                          if pd.notna(day) else np.nan),
        "fulfillable_units": units("fulfillable_quantity"),
        "unfulfillable_units": units("unfulfillable_quantity"),
        "reserved_units": units("reserved_quantity")})
    parts = table[["fulfillable_units", "unfulfillable_units", "reserved_units"]]
    table["stranded_units"] = parts.sum(axis=1, min_count=1)
    table["your_price"] = (pd.to_numeric(latest["your_price"], errors="coerce").astype(float)
                           if "your_price" in latest else np.nan)
    table["stranded_value"] = table["stranded_units"] * table["your_price"]
    table["currency"] = latest["currency"].astype("string") if "currency" in latest else pd.NA
    return table.sort_values(["stranded_value", "stranded_units", "sku"],
                             ascending=[False, False, True], na_position="last",
                             kind="stable").reset_index(drop=True)


def stranded_from_inventory(fba_inventory: pd.DataFrame | None,
                            as_of=None) -> pd.DataFrame | None:
    """Stranded units per SKU from Manage FBA Inventory, where no Stranded report is at hand.

    A SKU's FBA units are stranded when the latest snapshot says no FBA listing exists for it
    (``afn-listing-exists`` No) -- the part of Amazon's Stranded Inventory report that
    Manage FBA Inventory shows, without Amazon's reason or stranded date.

    Parameters
    ----------
    fba_inventory : DataFrame or None
        Manage FBA Inventory (sku, asin, afn_listing_exists, afn_warehouse_quantity or
        afn_fulfillable/unsellable/reserved_quantity, your_price, snapshot_date, currency).
    as_of : date-like, optional

    Returns
    -------
    DataFrame or None
        The columns of :func:`stranded_units` (stranded_reason "no_fba_listing", no action,
        date and days stranded not given); None without the report or its
        ``afn_listing_exists`` column (not estimated).
    """
    latest = latest_snapshot(fba_inventory, as_of)
    if latest is None or "afn_listing_exists" not in latest or \
            latest["afn_listing_exists"].isna().all():
        return None

    def units(column):
        return (pd.to_numeric(latest[column], errors="coerce").astype(float)
                if column in latest else pd.Series(np.nan, index=latest.index))

    fulfillable = units("afn_fulfillable_quantity")
    unfulfillable, reserved = units("afn_unsellable_quantity"), units("afn_reserved_quantity")
    total = (units("afn_warehouse_quantity") if "afn_warehouse_quantity" in latest
             and latest["afn_warehouse_quantity"].notna().any()
             else pd.concat([fulfillable, unfulfillable, reserved], axis=1).sum(axis=1,
                                                                                min_count=1))
    no_listing = latest["afn_listing_exists"].astype("boolean").eq(False).fillna(False)
    keep = (no_listing & total.gt(0)).to_numpy(dtype=bool)
    table = pd.DataFrame({
        "sku": latest["sku"].astype(str), "asin": latest["asin"].astype("string")
        if "asin" in latest else pd.NA,
        "stranded_reason": "no_fba_listing", "primary_action": "",
        "date_stranded": pd.NaT, "days_stranded": np.nan,
        "fulfillable_units": fulfillable, "unfulfillable_units": unfulfillable,
        "reserved_units": reserved, "stranded_units": total,
        "your_price": units("your_price")})[keep]
    table["date_stranded"] = pd.to_datetime(table["date_stranded"])
    table["stranded_value"] = table["stranded_units"] * table["your_price"]
    table["currency"] = (latest["currency"].astype("string")[keep] if "currency" in latest
                         else pd.NA)
    return table.sort_values(["stranded_value", "stranded_units", "sku"],
                             ascending=[False, False, True], na_position="last",
                             kind="stable").reset_index(drop=True)


def stranded_totals(table: pd.DataFrame | None) -> dict | None:
    """Stranded SKUs, units and value in total.

    Parameters
    ----------
    table : DataFrame or None
        :func:`stranded_units`.

    Returns
    -------
    dict or None
        skus [count], units [units], value [marketplace currency; NaN = not estimated when a
        SKU with units has no price], value_known (value of the SKUs with a price)
        [marketplace currency]. None without the report.
    """
    if table is None:
        return None
    priced = table["stranded_value"].notna() | table["stranded_units"].fillna(0).eq(0)
    known = float(table["stranded_value"].sum(min_count=1)) if len(table) else 0.0
    return {"skus": int(len(table)),
            "units": float(table["stranded_units"].sum()) if len(table) else 0.0,
            "value": known if bool(priced.all()) else np.nan,
            "value_known": 0.0 if np.isnan(known) else known}

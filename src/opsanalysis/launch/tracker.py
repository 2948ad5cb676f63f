"""Launch detection, weekly curves since launch, and week-by-week verdicts for new ASINs.

A **launch** is a first sale after at least ``launch_quiet_weeks`` (params, 8) weeks of days the
sales reports cover without one (:func:`covered_days`: the periods of the Business Report by
ASIN files and of the order files, sold or not). A file that starts after a gap therefore starts
no launch, and placeholder SKUs (``UNKNOW`` ...) are left out with a warning. The product
master's ``launch_date``, where the seller keeps one, dates the launch.

The **verdict** comes from one decision table, :data:`DECISION_TABLE`
(inputs -> verdict -> reason; the action per verdict is params ``launch.actions``, the seeds'
guidance):

============  ========  =========  ==========  =======  ============  ========================
weeks >= 2    category  position   below 2+ w  settled  verdict       reason
============  ========  =========  ==========  =======  ============  ========================
no            any       any        any         any      too_early     fewer_weeks_than_needed
yes           no        any        any         any      no_reference  no_category_reference
yes           yes       below      yes         no       lagging       below_band_still_ramping
yes           yes       below      yes         yes      stalled       below_band_settled
yes           yes       below      no          any      watch         below_band_briefly
yes           yes       inside     any         any      on_track      inside_band
yes           yes       above      any         any      ahead         above_band
============  ========  =========  ==========  =======  ============  ========================

"position" compares the launch's trailing ``smoothing_weeks``-week mean at its latest week
with the trailing means of the reference's 10th / 90th percentiles over the same weeks (the
``latest_level``, ``band_low`` and ``band_high`` the report prints); "category" = at least
``min_reference_launches`` past launches of the same category (all categories of the
marketplace form the forecast's reference otherwise); "settled" = no weeks left to steady state,
which only a launch whose own curve fit is identifiable can be (weeks to steady state:
:func:`.curves.steady_state_week`, the same figure as the curve-fit table).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from opsanalysis.io import is_cancelled, is_marketplace_sale, is_placeholder_sku

from .curves import CURVE_MODELS, fit_launch_curves, steady_state_week
from .reference import (
    _nanquantile,
    build_reference,
    forecast_ramp,
    launch_matrix,
    ramp_options,
    reference_options,
)

CURVE_METRICS = (
    "sessions", "units_ordered", "ordered_product_sales", "unit_session_percentage",
    "ad_sales", "ad_share_of_sales", "organic_rank",
)
LISTING_CHANGE_TYPES = ("title", "image", "main_image")


def _day(values):
    """Calendar dates (naive, midnight) from dates or tz-aware timestamps (kept local)."""
    values = pd.to_datetime(values)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    return values.dt.normalize()


def covered_days(business_report=None, orders=None, summary=None):
    """Calendar days the sales reports cover, whether or not anything sold on them.

    Parameters
    ----------
    business_report : pandas.DataFrame, optional
        Canonical ``business_report_asin``: each row carries its file's period_start and
        period_end, so the union of those periods is what the files cover.
    orders : pandas.DataFrame, optional
        Canonical ``all_orders``; its files' periods come from ``summary`` (one row per file),
        else from ``orders.attrs["period"]`` (the span of all its files).
    summary : pandas.DataFrame, optional
        ``MarketplaceData.summary`` (kind, period_start, period_end, status).

    Returns
    -------
    pandas.DatetimeIndex
        Sorted unique days (naive midnight); empty when nothing is covered.
    """
    periods = []
    if business_report is not None and len(business_report):
        pairs = business_report[["period_start", "period_end"]].drop_duplicates()
        periods += list(zip(_day(pairs["period_start"]), _day(pairs["period_end"]), strict=True))
    if orders is not None and len(orders):
        rows = pd.DataFrame()
        if summary is not None and {"kind", "period_start", "period_end"} <= set(summary):
            rows = summary.loc[(summary["kind"] == "all_orders")
                               & summary.get("status", pd.Series("ok", index=summary.index))
                               .eq("ok")].dropna(subset=["period_start", "period_end"])
        if len(rows):
            periods += [(_timestamp(a), _timestamp(b)) for a, b in
                        zip(rows["period_start"], rows["period_end"], strict=True)]
        elif orders.attrs.get("period"):
            periods.append(tuple(_timestamp(value) for value in orders.attrs["period"]))
    if not periods:
        return pd.DatetimeIndex([])
    days = np.unique(np.concatenate([
        np.arange(start.value // _DAY_NS, end.value // _DAY_NS + 1) for start, end in periods
        if pd.notna(start) and pd.notna(end)] or [np.array([], dtype=np.int64)]))
    return pd.DatetimeIndex(pd.to_datetime(days * _DAY_NS))


_DAY_NS = 86_400 * 10**9


def launch_detectable(covered, as_of, *, quiet_weeks, tracker_weeks) -> bool:
    """Whether the reports could show a launch in the tracked weeks.

    A launch on day d needs the ``quiet_weeks`` before d covered (:func:`detect_launches`);
    when no day of the last ``tracker_weeks`` up to ``as_of`` has them, "no launch" means
    "too little history", not a finding.

    Parameters
    ----------
    covered : pandas.DatetimeIndex
        :func:`covered_days`.
    as_of : date-like
        Report date.
    quiet_weeks, tracker_weeks : int
        params ``launch.launch_quiet_weeks`` and ``launch.tracker_weeks`` [weeks].

    Returns
    -------
    bool
    """
    days = np.asarray(covered, dtype="datetime64[D]")
    quiet = int(round(quiet_weeks * 7))
    end = np.datetime64(pd.Timestamp(as_of).normalize().date(), "D")
    window = end - np.arange(int(round(tracker_weeks * 7)))
    counts = (np.searchsorted(days, window)
              - np.searchsorted(days, window - np.timedelta64(quiet, "D")))
    return bool((counts >= quiet).any())


def _timestamp(value):
    """Naive local midnight of a date-like value (tz-aware values keep their local day)."""
    value = pd.Timestamp(value)
    return (value.tz_localize(None) if value.tzinfo is not None else value).normalize()


def _sold_lines(orders):
    """Boolean numpy mask of the order lines that are sales: not cancelled, on a storefront."""
    sold = ~is_cancelled(orders).to_numpy(dtype=bool)
    if "sales_channel" in orders:
        storefront = is_marketplace_sale(orders)  # once per distinct channel
        # a blank channel (<NA>: unknown) is no marketplace sale here
        sold = sold & storefront.fillna(False).to_numpy(dtype=bool)
    return sold


def _sales_lines(business_report, orders, as_of, placeholders):
    """asin, sku, date of every line with a sale, and the placeholder SKUs left out.

    Only the three columns are taken from the order lines, after their rows are chosen (the
    ``all_orders`` frame of a large seller is 0.6 GB: no copy of it is made).
    """
    lines, dropped = [], set()
    if business_report is not None and len(business_report):
        sold = business_report["units_ordered"].fillna(0) > 0
        br = business_report.loc[sold, ["child_asin", "period_start"]]
        lines.append(pd.DataFrame({
            "asin": br["child_asin"].astype(str),
            "sku": (business_report.loc[sold, "sku"] if "sku" in business_report
                    else pd.Series(pd.NA, index=br.index)),
            "date": _day(br["period_start"])}))
    if orders is not None and len(orders):
        live = orders.loc[_sold_lines(orders), ["asin", "sku", "purchase_date"]]
        lines.append(pd.DataFrame({"asin": live["asin"].astype(str), "sku": live["sku"],
                                   "date": _day(live["purchase_date"])}))
        del live
    if not lines:
        return pd.DataFrame(columns=["asin", "sku", "date"]), dropped
    table = pd.concat(lines, ignore_index=True)
    del lines
    if as_of is not None:
        table = table.loc[table["date"] <= pd.Timestamp(as_of)]
    marked = (table["sku"].notna() & is_placeholder_sku(table["sku"], placeholders)).to_numpy()
    dropped = set(table.loc[marked, "sku"].astype(str).unique())
    return table.loc[~marked], dropped


def detect_launches(business_report=None, orders=None, product_master=None, as_of=None,
                    *, quiet_weeks, summary=None, placeholders=None):
    """Date every product's launch: a first sale after ``quiet_weeks`` of covered days without one.

    A launch needs the ``quiet_weeks`` before it to be covered by the sales reports (days a
    report covers, sold or not: :func:`covered_days`): a product whose first sale falls in a
    file that starts after a gap, or near the start of the data, starts no launch (it may have
    sold in the days nobody reported).

    Parameters
    ----------
    business_report : pandas.DataFrame, optional
        Canonical ``business_report_asin`` (child_asin, sessions, units_ordered, period_start,
        period_end; sku when present).
    orders : pandas.DataFrame, optional
        Canonical ``all_orders`` (sku, asin, purchase_date, order_status; sales_channel when
        present: multi-channel fulfilment and removals are no sales). Cancelled lines are
        ignored.
    product_master : pandas.DataFrame, optional
        Seller's product master (sku, asin, category; launch_date when kept, which then dates
        the launch).
    as_of : date-like, optional
        Ignore activity after this date; default the last date in the data.
    quiet_weeks : int
        Covered weeks without a sale needed before a first sale for it to be a launch [weeks]
        (params ``launch.launch_quiet_weeks``).
    summary : pandas.DataFrame, optional
        ``MarketplaceData.summary``: the periods of the order files.
    placeholders : iterable of str, optional
        Placeholder SKUs (``UNKNOW`` ...) left out; default
        :func:`opsanalysis.io.placeholder_skus`.

    Returns
    -------
    pandas.DataFrame
        One row per ASIN: asin, sku, category, launch_date, launch_source ("product_master" or
        "first_sale"), first_session_date, first_sale_date, quiet_days_covered [days] (covered
        days in the ``quiet_weeks`` before the launch), is_launch (bool). ``attrs["warnings"]``
        lists the placeholder SKUs left out.
    """
    sales, dropped = _sales_lines(business_report, orders, as_of, placeholders)
    first_sale = sales.groupby("asin")["date"].min().rename("first_sale_date")
    first_session = _first_sessions(business_report, as_of)
    table = pd.concat([first_session, first_sale], axis=1).rename_axis("asin").reset_index()
    for name in ("first_session_date", "first_sale_date"):
        table[name] = pd.to_datetime(table.get(name, pd.Series(pd.NaT, index=table.index)))
    table = _attach_master(table, sales, product_master)
    from_master = table["master_launch_date"].notna()
    table["launch_date"] = table["master_launch_date"].where(from_master, table["first_sale_date"])
    table["launch_source"] = np.where(from_master, "product_master", "first_sale")
    anchor = table[["launch_date", "first_sale_date"]].min(axis=1)
    covered = covered_days(business_report, orders, summary).to_numpy(dtype="datetime64[D]")
    quiet = int(round(quiet_weeks * 7))
    days = anchor.to_numpy(dtype="datetime64[D]")
    known = ~np.isnat(days)
    counts = np.zeros(len(table), dtype=int)
    counts[known] = (np.searchsorted(covered, days[known])
                     - np.searchsorted(covered, days[known] - np.timedelta64(quiet, "D")))
    table["quiet_days_covered"] = counts
    table["is_launch"] = known & (counts >= quiet)
    placeholder_only = _placeholder_asins(business_report, orders, placeholders)
    keep = ~(table["sku"].notna() & is_placeholder_sku(table["sku"], placeholders))
    keep &= ~(table["asin"].isin(placeholder_only) & ~table["asin"].isin(sales["asin"]))
    dropped |= set(table.loc[~keep, "sku"].dropna().astype(str))
    table = table.loc[keep]
    columns = ["asin", "sku", "category", "launch_date", "launch_source", "first_session_date",
               "first_sale_date", "quiet_days_covered", "is_launch"]
    table = table[columns].sort_values(["launch_date", "asin"]).reset_index(drop=True)
    table.attrs["warnings"] = ([f"placeholder SKUs left out of launches: {', '.join(sorted(dropped))}"]
                               if dropped else [])
    return table


def _placeholder_asins(business_report, orders, placeholders):
    """ASINs whose report lines name only placeholder SKUs (no seller SKU to track them by).

    Works on each frame's distinct SKUs and ASINs (no concatenated copy of the order lines).
    """
    marked_asins, seller_asins = set(), set()
    for frame, column in ((business_report, "child_asin"), (orders, "asin")):
        if frame is None or not len(frame) or "sku" not in frame:
            continue
        marked = (frame["sku"].notna() & is_placeholder_sku(frame["sku"], placeholders)).to_numpy()
        asins = frame[column]
        marked_asins.update(asins.loc[marked].astype(str).unique())
        seller_asins.update(asins.loc[~marked].astype(str).unique())
    return marked_asins - seller_asins


def _first_sessions(business_report, as_of):
    if business_report is None or len(business_report) == 0:
        return pd.Series(dtype="datetime64[ns]", name="first_session_date")
    br = business_report.loc[business_report["sessions"].fillna(0) > 0,
                             ["child_asin", "period_start"]]
    dates = _day(br["period_start"])
    if as_of is not None:
        br, dates = br.loc[dates <= pd.Timestamp(as_of)], dates.loc[dates <= pd.Timestamp(as_of)]
    return dates.groupby(br["child_asin"].astype(str)).min().rename("first_session_date")


def _attach_master(table, sales, product_master):
    """Add sku, category and the master's launch date to the activity table (keyed by ASIN)."""
    sku = sales.dropna(subset=["sku"]).drop_duplicates("asin").set_index("asin")["sku"]
    table["category"] = pd.NA
    table["master_launch_date"] = pd.NaT
    if product_master is not None and len(product_master):
        master = product_master.drop_duplicates("asin").set_index("asin")
        extra = sorted(set(master.index.astype(str)) - set(table["asin"]))
        table = pd.concat([table, pd.DataFrame({"asin": extra})], ignore_index=True)
        table["category"] = table["asin"].map(master["category"])
        if "launch_date" in master:
            table["master_launch_date"] = table["asin"].map(_day(master["launch_date"]).to_dict())
        sku = pd.concat([master["sku"], sku])
    sku = sku[~sku.index.duplicated()]
    table["master_launch_date"] = pd.to_datetime(table["master_launch_date"])
    table["sku"] = table["asin"].map(sku)
    return table


def _week_index(dates, launch_dates):
    """Week since launch (0 = the 7 days from the launch date) of each date."""
    return np.floor((dates - launch_dates).dt.days / 7).astype("Int64")


def weekly_launch_curves(launches, business_report, advertised_product=None, organic_rank=None,
                         as_of=None, *, max_weeks):
    """Weekly curves since launch: sessions, units, sales, conversion, ad share, organic rank.

    Parameters
    ----------
    launches : pandas.DataFrame
        Output of :func:`detect_launches` (rows with ``is_launch`` are used).
    business_report : pandas.DataFrame or None
        Canonical ``business_report_asin`` with daily or weekly periods (longer periods are
        skipped: they cannot be split into weeks since launch). None gives an empty table.
    advertised_product : pandas.DataFrame, optional
        Canonical ``sp_advertised_product`` (date or start_date/end_date, advertised_asin,
        sales); the shortest attribution window present is used. Weeks outside the report's
        dates get NaN (unknown), advertised-ASIN weeks inside it without a row get 0.
    organic_rank : pandas.DataFrame, optional
        A search-rank export: asin, date, organic_rank (one row per keyword and date is fine; the
        weekly median is kept).
    as_of : date-like, optional
        Last date of the data used; default the last period end in the report.
    max_weeks : int
        Weeks since launch kept [weeks] (params ``launch.reference_weeks``).

    Returns
    -------
    pandas.DataFrame
        One row per launch and complete week: asin, sku, category, launch_date, week, launch_week_start,
        sessions, units_ordered, ordered_product_sales [currency], unit_session_percentage
        [fraction], ad_sales [currency], ad_share_of_sales [fraction], organic_rank [position].
        Weeks without a report row count as 0 sessions and units.
    """
    launched = launches.loc[launches["is_launch"].astype(bool)]
    if business_report is None or len(business_report) == 0:
        empty = _week_grid(launched.iloc[:0], pd.Timestamp("1970-01-01"), 0)
        return empty.reindex(columns=[*empty.columns, *CURVE_METRICS])
    # only the columns the curves use (the report has some 25): no copy of the whole report
    metrics = ["sessions", "units_ordered", "ordered_product_sales"]
    br = pd.DataFrame({"asin": business_report["child_asin"],
                       "start": _day(business_report["period_start"]),
                       "end": _day(business_report["period_end"]),
                       **{metric: business_report[metric] for metric in metrics}})
    br = br.loc[(br["end"] - br["start"]).dt.days < 7]
    as_of = pd.Timestamp(as_of) if as_of is not None and as_of != "" else br["end"].max()
    br = br.loc[br["end"] <= as_of].merge(launched[["asin", "launch_date"]], on="asin")
    br["week"] = _week_index(br["end"], br["launch_date"])
    weekly = br.loc[br["week"] >= 0].groupby(["asin", "week"])[metrics].sum(min_count=1)
    grid = _week_grid(launched, as_of, max_weeks)
    curves = grid.merge(weekly.reset_index(), on=["asin", "week"], how="left")
    for column in ("sessions", "units_ordered"):
        curves[column] = curves[column].fillna(0).round().astype("Int64")
    curves["ordered_product_sales"] = curves["ordered_product_sales"].fillna(0.0).astype(float)
    sessions = curves["sessions"].astype(float)
    curves["unit_session_percentage"] = (curves["units_ordered"].astype(float) / sessions).where(
        sessions > 0)
    curves["ad_sales"] = _weekly_ad_sales(curves, advertised_product)
    sales = curves["ordered_product_sales"]
    curves["ad_share_of_sales"] = (curves["ad_sales"] / sales).clip(0, 1).where(sales > 0)
    curves["organic_rank"] = _weekly_rank(curves, organic_rank)
    return curves


def _week_grid(launched, as_of, max_weeks):
    """Every complete week since launch up to ``as_of`` for each launch."""
    complete = ((as_of - pd.to_datetime(launched["launch_date"])).dt.days + 1) // 7
    counts = np.clip(complete.fillna(0).to_numpy(dtype=int), 0, int(max_weeks))
    position = np.repeat(np.arange(len(launched)), counts)
    weeks = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    grid = launched[["asin", "sku", "category", "launch_date"]].iloc[position].reset_index(drop=True)
    grid["week"] = pd.array(weeks, dtype="Int64")
    grid["launch_date"] = pd.to_datetime(grid["launch_date"])
    grid["launch_week_start"] = grid["launch_date"] + pd.to_timedelta(weeks * 7, unit="D")
    return grid


def _weekly_ad_sales(curves, advertised_product):
    """Advertised-ASIN sales per launch week [currency]; NaN where no ad report is given."""
    if advertised_product is None or len(advertised_product) == 0 or curves.empty:
        return pd.Series(np.nan, index=curves.index)
    ads = advertised_product
    if "attribution_days" in ads and ads["attribution_days"].notna().any():
        ads = ads.loc[ads["attribution_days"] == ads["attribution_days"].min()]
    date = ads["date"] if "date" in ads else ads["end_date"]
    # Summary files spanning more than a week cannot be placed in one launch week.
    if "date" not in ads and "start_date" in ads:
        keep = (_day(ads["end_date"]) - _day(ads["start_date"])).dt.days < 7
        ads, date = ads.loc[keep], date.loc[keep]
    ads = pd.DataFrame({"asin": ads["advertised_asin"], "date": _day(date),
                        "ad_sales": ads["sales"].astype(float)})
    first_date, last_date = ads["date"].min(), ads["date"].max()
    first = curves.drop_duplicates("asin")[["asin", "launch_date"]]
    ads = ads.merge(first, on="asin")
    ads["week"] = _week_index(ads["date"], ads["launch_date"])
    weekly = ads.groupby(["asin", "week"])["ad_sales"].sum()
    values = pd.Series(_lookup(curves, weekly), index=curves.index)
    # Inside the ad report's dates a missing ASIN-week had no ad sales; outside it is unknown.
    week_end = curves["launch_week_start"] + pd.Timedelta(days=6)
    covered = (week_end >= first_date) & (curves["launch_week_start"] <= last_date)
    return values.fillna(0.0).where(covered)


def _weekly_rank(curves, organic_rank):
    """Weekly median organic rank [position]; NaN without a rank export."""
    if organic_rank is None or len(organic_rank) == 0 or curves.empty:
        return pd.Series(np.nan, index=curves.index)
    rank_column = "organic_rank" if "organic_rank" in organic_rank else "rank"
    ranks = pd.DataFrame({"asin": organic_rank["asin"], "date": _day(organic_rank["date"]),
                          "rank": organic_rank[rank_column].astype(float)})
    ranks = ranks.merge(curves.drop_duplicates("asin")[["asin", "launch_date"]], on="asin")
    ranks["week"] = _week_index(ranks["date"], ranks["launch_date"])
    weekly = ranks.groupby(["asin", "week"])["rank"].median()
    return pd.Series(_lookup(curves, weekly), index=curves.index)


def _lookup(curves, weekly):
    """Values of a Series indexed by (asin, week) at each row of ``curves``; NaN where absent."""
    keys = curves[["asin", "week"]].astype({"week": "int64"})
    table = weekly.rename("value").reset_index().astype({"week": "int64"})
    return keys.merge(table, on=["asin", "week"], how="left")["value"].to_numpy(dtype=float)


@dataclass
class LaunchTracking:
    """Result of :func:`track_launches` (all DataFrames).

    Attributes
    ----------
    verdicts : one row per tracked launch (see :func:`track_launches`).
    bands : per tracked launch and week: observed value, the reference band in absolute units
        (q10/q50/q90 of past launches at the same week) and the forecast with its band.
    reference : past launches: asin, sku, category, launch_date, plateau, weeks_to_steady_state,
        cluster, used_for (comma-separated tracked ASINs whose reference they form).
    ramp_demand : forecast units per tracked launch and week for the replenishment plan: asin,
        sku, week, launch_week_start, units_forecast (median), units_q10, units_q90 and
        units_mean (expected units, what stock is planned on) [units per week].
    curve_fits : :func:`.curves.fit_launch_curves` of the tracked launches (verdict metric),
        whose best identifiable fit gives their steady state.
    """

    verdicts: pd.DataFrame
    bands: pd.DataFrame
    reference: pd.DataFrame
    ramp_demand: pd.DataFrame
    curve_fits: pd.DataFrame = field(default_factory=pd.DataFrame)


def _history(curves, metric, asins, max_week=None):
    frame = curves.loc[curves["asin"].isin(asins), ["asin", "week", metric]]
    if max_week is not None:
        frame = frame.loc[frame["week"] <= max_week]
    return frame.rename(columns={"asin": "unique_id", metric: "y"}).astype(
        {"week": int, "y": float})


def _trailing_mean(values, weeks):
    """Mean of each week and the ``weeks - 1`` before it (fewer at the start)."""
    return pd.Series(values, dtype=float).rolling(max(int(weeks), 1), min_periods=1).mean().to_numpy()


#: The launch verdict's decision table: inputs -> verdict -> reason (the action per verdict is
#: params ``launch.actions``). Inputs, in order: enough weeks observed (>= ``lagging_weeks``);
#: past launches of the same category (>= ``min_reference_launches``); position of the latest
#: trailing ``smoothing_weeks``-week mean against the reference band's trailing mean at the same
#: week ("below", "inside", "above"); below for ``lagging_weeks`` weeks or more; settled (steady
#: state reached: no weeks left to it, so a launch below the band is "stalled", never "lagging"
#: with nothing left to ramp). None = any value. Exactly one row matches any input.
DECISION_TABLE = (
    # enough, category, position, long_below, settled -> verdict, reason
    ((False, None, None, None, None), "too_early", "fewer_weeks_than_needed"),
    ((True, False, None, None, None), "no_reference", "no_category_reference"),
    ((True, True, "below", True, False), "lagging", "below_band_still_ramping"),
    ((True, True, "below", True, True), "stalled", "below_band_settled"),
    ((True, True, "below", False, None), "watch", "below_band_briefly"),
    ((True, True, "inside", None, None), "on_track", "inside_band"),
    ((True, True, "above", None, None), "ahead", "above_band"),
)
VERDICTS = tuple(dict.fromkeys(row[1] for row in DECISION_TABLE))


def launch_verdict(enough_weeks, category_reference, position, long_below, settled):
    """Verdict and reason of a launch from :data:`DECISION_TABLE`.

    Parameters
    ----------
    enough_weeks : bool
        At least ``lagging_weeks`` weeks observed.
    category_reference : bool
        Enough past launches of the same category for a fair level comparison.
    position : {"below", "inside", "above"}
        Latest trailing-mean level against the band's trailing mean at the same week.
    long_below : bool
        Below the band for ``lagging_weeks`` consecutive weeks or more, up to the latest.
    settled : bool
        Steady state reached (no weeks left to it).

    Returns
    -------
    tuple of str
        (verdict, reason).
    """
    given = (bool(enough_weeks), bool(category_reference), position, bool(long_below),
             bool(settled))
    for inputs, verdict, reason in DECISION_TABLE:
        if all(want is None or want == value for want, value in zip(inputs, given, strict=True)):
            return verdict, reason
    raise ValueError(f"no verdict for inputs {given}")


def _position(observed, q10, q90, smoothing_weeks):
    """Latest position against the band and the run of latest weeks below it (trailing means)."""
    level = _trailing_mean(observed, smoothing_weeks)
    low, high = _trailing_mean(q10, smoothing_weeks), _trailing_mean(q90, smoothing_weeks)
    below = level < low
    run = int(np.argmin(below[::-1])) if not below.all() else int(below.size)
    position = "below" if below[-1] else "above" if level[-1] > high[-1] else "inside"
    return position, run, level[-1], low[-1], high[-1]


def track_launches(launches, curves, as_of, settings, listing_changes=None):
    """Judge every recent launch against the seller's own past launches.

    Parameters
    ----------
    launches : pandas.DataFrame
        Output of :func:`detect_launches`.
    curves : pandas.DataFrame
        Output of :func:`weekly_launch_curves`.
    as_of : date-like
        Reference date: launches within ``tracker_weeks`` before it are tracked, older ones
        form the reference.
    settings : dict
        The ``launch`` section of the params (``opsanalysis.params.load(mp)["launch"]``).
    listing_changes : pandas.DataFrame, optional
        asin (or sku), date, change_type ("title", "main_image" ...): changes inside a launch's
        build-up raise a warning (they reset the weight building).

    Returns
    -------
    LaunchTracking
        ``verdicts`` columns: asin, sku, category, launch_date, weeks_observed, metric,
        latest_value (the latest week), latest_level (its trailing ``smoothing_weeks`` mean,
        what the verdict compares), band_low, band_high (trailing means of the reference's
        q10 / q90 over the same weeks), reference_q10, reference_q50, reference_q90 (at the
        latest week), weeks_below_q10, verdict (:data:`VERDICTS`), reason, action (params
        ``launch.actions``), reference_launches, reference_scope ("category" or
        "marketplace"), shape_cluster, expected_plateau [per week], weeks_to_steady_state
        (:func:`.curves.steady_state_week`), weeks_left_to_steady_state [weeks],
        steady_state_source ("own_curve": the launch's identifiable curve fit, as in
        :func:`.curves.fit_launch_curves`; "reference_forecast": its forecast from past
        launches), ramp_units, ramp_units_q90 [units] (NaN where the steady state is unknown),
        listing_change_warning (bool), listing_changes (text).
    """
    as_of = pd.Timestamp(as_of)
    launched = launches.loc[launches["is_launch"].astype(bool)]
    start = as_of - pd.Timedelta(weeks=settings["tracker_weeks"])
    recent = launched.loc[launched["launch_date"] > start]
    past = launched.loc[launched["launch_date"] <= start]
    by_asin = {asin: frame.sort_values("week") for asin, frame in curves.groupby("asin", sort=False)}
    fits = fit_launch_curves(_history(curves, settings["verdict_metric"], recent["asin"]),
                             CURVE_MODELS, fraction=settings["steady_state_fraction"],
                             min_plateau_weeks=settings["min_plateau_weeks"])
    best = fits.loc[fits["best"]].set_index("unique_id") if len(fits) else fits
    rows, bands, ramp, used_for = [], [], [], {}
    cache = {"fits": best}
    for launch in recent.itertuples(index=False):
        members, scope = _reference_members(past, launch.category, settings)
        for asin in members["asin"]:
            used_for.setdefault(asin, []).append(launch.asin)
        own = by_asin.get(launch.asin, curves.iloc[:0])
        row, band, demand = _track_one(launch, own, curves, members, scope, settings, cache)
        row.update(_listing_warning(launch, listing_changes, row, settings))
        rows.append(row)
        bands.append(band)
        ramp.append(demand)
    verdicts = pd.DataFrame(rows, columns=_VERDICT_COLUMNS)
    reference = _reference_table(past, curves, settings, used_for, cache)
    band_frame = pd.concat(bands, ignore_index=True) if bands else pd.DataFrame(columns=_BAND_COLUMNS)
    demand_frame = pd.concat(ramp, ignore_index=True) if ramp else pd.DataFrame(
        columns=_DEMAND_COLUMNS)
    return LaunchTracking(verdicts=verdicts, bands=band_frame, reference=reference,
                          ramp_demand=demand_frame, curve_fits=fits)


_VERDICT_COLUMNS = [
    "asin", "sku", "category", "launch_date", "weeks_observed", "metric", "latest_value",
    "latest_level", "band_low", "band_high", "reference_q10", "reference_q50", "reference_q90",
    "weeks_below_q10", "verdict", "reason", "action", "reference_launches", "reference_scope",
    "shape_cluster", "expected_plateau", "weeks_to_steady_state", "weeks_left_to_steady_state",
    "steady_state_source", "ramp_units", "ramp_units_q90", "listing_change_warning",
    "listing_changes",
]
_REFERENCE_COLUMNS = ["asin", "sku", "category", "launch_date", "plateau_level",
                      "weeks_to_steady_state", "shape_cluster", "used_for"]
_DEMAND_COLUMNS = ["asin", "sku", "week", "launch_week_start", "units_forecast", "units_q10",
                   "units_q90", "units_mean"]
_BAND_COLUMNS = ["asin", "sku", "week", "launch_week_start", "observed_level", "reference_q10",
                 "reference_q50", "reference_q90", "forecast_level", "forecast_level_q10",
                 "forecast_level_q90"]


def _reference_members(past, category, settings):
    """Past launches of the same category, or of the whole marketplace when too few."""
    same = past.loc[past["category"] == category] if pd.notna(category) else past.iloc[:0]
    if len(same) >= settings["min_reference_launches"]:
        return same, "category"
    return past, "marketplace"


def _cached(cache, key, build):
    if key not in cache:
        cache[key] = build()
    return cache[key]


def _reference_for(curves, metric, asins, settings, cache):
    """Reference of these past launches for this metric, built once per call of the tracker."""
    key = ("reference", metric, tuple(sorted(asins)))
    plateaus = cache.setdefault("plateaus", {})
    return _cached(cache, key, lambda: build_reference(
        _members_history(curves, metric, asins, cache), plateau_cache=plateaus,
        **reference_options(settings)))


def _members_history(curves, metric, asins, cache):
    key = ("history", metric, tuple(sorted(asins)))
    return _cached(cache, key, lambda: _history(curves, metric, asins))


def _band_levels(curves, metric, asins, settings, cache):
    """Reference q-low / median / q-high per week since launch of these past launches."""
    def build():
        history = _members_history(curves, metric, asins, cache)
        if history.empty:
            return None
        _, levels = launch_matrix(history, int(settings["reference_weeks"])
                                  + int(settings["horizon_weeks"]))
        lag_q = settings["lagging_quantile"]
        return _nanquantile(levels, [lag_q, 0.5, 1.0 - lag_q])
    return _cached(cache, ("bands", metric, tuple(sorted(asins))), build)


def _track_one(launch, own, curves, members, scope, settings, cache):
    """Verdict row, band rows and ramp demand for one recent launch."""
    metric = settings["verdict_metric"]
    observed = own[metric].to_numpy(dtype=float)
    n_obs, horizon = observed.size, int(settings["horizon_weeks"])
    row = {
        "asin": launch.asin, "sku": launch.sku, "category": launch.category,
        "launch_date": launch.launch_date, "weeks_observed": n_obs, "metric": metric,
        "latest_value": observed[-1] if n_obs else np.nan, "reference_launches": len(members),
        "reference_scope": scope,
    }
    quantile_levels = _band_levels(curves, metric, members["asin"], settings, cache)
    if quantile_levels is None or n_obs == 0:
        verdict, reason = launch_verdict(
            n_obs >= int(settings["lagging_weeks"]), False, None, False, False)
        row.update(verdict=verdict, reason=reason, action=settings["actions"][verdict],
                   weeks_below_q10=0)
        return row, pd.DataFrame(columns=_BAND_COLUMNS), pd.DataFrame()
    width = n_obs + horizon
    quantile_levels = quantile_levels[:, :width]
    position, run, level, low, high = _position(
        observed, quantile_levels[0, :n_obs], quantile_levels[2, :n_obs], settings["smoothing_weeks"])
    reference = _reference_for(curves, metric, members["asin"], settings, cache)
    forecast = forecast_ramp(_history(own, metric, [launch.asin]), reference, horizon,
                             **ramp_options(settings))
    fit = cache["fits"].loc[launch.asin] if launch.asin in cache["fits"].index else None
    steady = _steady_state(observed, forecast["mean"].to_numpy(), fit, settings)
    verdict, reason = launch_verdict(
        n_obs >= int(settings["lagging_weeks"]), scope == "category", position,
        run >= int(settings["lagging_weeks"]), steady["weeks_left_to_steady_state"] == 0)
    row.update(
        latest_level=level, band_low=low, band_high=high,
        reference_q10=quantile_levels[0, n_obs - 1], reference_q50=quantile_levels[1, n_obs - 1],
        reference_q90=quantile_levels[2, n_obs - 1], weeks_below_q10=run, verdict=verdict,
        reason=reason, action=settings["actions"][verdict],
        shape_cluster=int(forecast["cluster"].iloc[0]) if len(forecast) else np.nan, **steady,
    )
    demand = (forecast if settings["stock_metric"] == metric else
              _forecast(own, settings["stock_metric"], launch, curves, members, settings, cache))
    demand = _demand_frame(launch, demand)
    weeks_left = row["weeks_left_to_steady_state"]
    known = np.isfinite(weeks_left) and len(demand)
    # Stock adds up over weeks: expected units, not medians (which understate intermittent sales).
    row["ramp_units"] = float(demand["units_mean"].iloc[:int(weeks_left)].sum()) if known else np.nan
    row["ramp_units_q90"] = (float(demand["units_q90"].iloc[:int(weeks_left)].sum()) if known
                             else np.nan)
    band = _band_frame(launch, own, metric, quantile_levels, forecast, width)
    return row, band, demand


def _forecast(own, metric, launch, curves, members, settings, cache):
    reference = _reference_for(curves, metric, members["asin"], settings, cache)
    return forecast_ramp(_history(own, metric, [launch.asin]), reference,
                         int(settings["horizon_weeks"]), **ramp_options(settings))


def _steady_state(observed, forecast, fit, settings):
    """Expected plateau and weeks to / left to steady state (:func:`.curves.steady_state_week`).

    The launch's own best identifiable curve fit (``fit``, a row of
    :func:`.curves.fit_launch_curves`: the fit table's figure), else the first forecast week
    whose expected (mean) level from past launches reaches the fraction of their last 4 weeks'
    level (the plateau). Only an identifiable fit can say a launch has settled. Unknown
    (plateau 0, never reached) is NaN, not 0.
    """
    fraction, n_obs = settings["steady_state_fraction"], observed.size
    if fit is not None:
        plateau, week, source = fit["plateau"], fit["weeks_to_steady_state"], "own_curve"
    elif forecast.size:
        # No plateau in the launch's own weeks (its fit is not identifiable): it has not
        # settled yet, so its steady state lies in the forecast weeks, never in the past.
        plateau = float(np.median(forecast[-4:]))
        week = n_obs + steady_state_week(forecast, plateau, fraction)
        source = "reference_forecast"
    else:
        plateau, week, source = np.nan, np.nan, "reference_forecast"
    left = max(week - (n_obs - 1), 0.0) if np.isfinite(week) else np.nan
    return {"expected_plateau": plateau, "weeks_to_steady_state": week,
            "weeks_left_to_steady_state": left, "steady_state_source": source}


def _demand_frame(launch, forecast):
    """Units forecast for the coming weeks of one launch (what the ramp will sell).

    ``units_forecast`` is the median [units per week], ``units_mean`` the expected units per week
    that stock is planned on.
    """
    if forecast is None or forecast.empty:
        return pd.DataFrame(columns=_DEMAND_COLUMNS)
    forecast = forecast.copy()
    forecast.columns = ["asin", "week", "units_forecast", "units_q10", "units_q90", "units_mean",
                        "cluster"]
    forecast["sku"] = launch.sku
    forecast["launch_week_start"] = launch.launch_date + pd.to_timedelta(forecast["week"] * 7, unit="D")
    return forecast[_DEMAND_COLUMNS]


def _band_frame(launch, own, metric, quantile_levels, forecast, width):
    weeks = np.arange(width)
    band = pd.DataFrame({
        "asin": launch.asin, "sku": launch.sku, "week": weeks,
        "launch_week_start": launch.launch_date + pd.to_timedelta(weeks * 7, unit="D"),
        "reference_q10": quantile_levels[0], "reference_q50": quantile_levels[1],
        "reference_q90": quantile_levels[2],
    })
    band["observed_level"] = band["week"].map(own.set_index("week")[metric].astype(float))
    fc = forecast.set_index("week")
    band["forecast_level"] = band["week"].map(fc["forecast"])
    band["forecast_level_q10"] = band["week"].map(fc.iloc[:, 2])
    band["forecast_level_q90"] = band["week"].map(fc.iloc[:, 3])
    return band[_BAND_COLUMNS]


def _reference_table(past, curves, settings, used_for, cache):
    """Past launches with their plateau, weeks to steady state and shape cluster."""
    metric, columns = settings["verdict_metric"], _REFERENCE_COLUMNS
    if past.empty:
        return pd.DataFrame(columns=columns)
    reference = _reference_for(curves, metric, past["asin"], settings, cache)
    members = reference.members.rename(columns={
        "unique_id": "asin", "plateau": "plateau_level", "cluster": "shape_cluster"})
    table = past.merge(members, on="asin", how="left")
    table["used_for"] = table["asin"].map(lambda a: ", ".join(used_for.get(a, [])))
    return table[columns].reset_index(drop=True)


def _listing_warning(launch, listing_changes, row, settings):
    """Title/image changes inside the build-up (launch .. steady state) reset weight building."""
    if listing_changes is None or len(listing_changes) == 0:
        return {"listing_change_warning": False, "listing_changes": ""}
    changes = listing_changes
    key = "asin" if "asin" in changes else "sku"
    changes = changes.loc[changes[key] == getattr(launch, key)]
    if "change_type" in changes:
        kind = changes["change_type"].astype(str).str.lower()
        changes = changes.loc[kind.str.contains("|".join(LISTING_CHANGE_TYPES))]
    build_up = row.get("weeks_to_steady_state")
    if build_up is None or not np.isfinite(build_up):
        build_up = settings["build_up_weeks"]
    end = launch.launch_date + pd.Timedelta(weeks=max(float(build_up), 1.0))
    dates = _day(changes["date"])
    inside = changes.loc[(dates >= launch.launch_date) & (dates < end)]
    text = "; ".join(
        f"{pd.Timestamp(d).date()} {c}" for d, c in zip(
            _day(inside["date"]), inside.get("change_type", pd.Series("change", index=inside.index)),
            strict=True)
    )
    return {"listing_change_warning": bool(len(inside)), "listing_changes": text}

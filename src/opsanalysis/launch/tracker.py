"""Launch detection, weekly curves since launch, and week-by-week verdicts for new ASINs.

Verdicts: ``lagging`` = the launch's trailing weekly level has been below the 10th percentile of
the same-category past launches at the same age for ``lagging_weeks`` (2) weeks up to now;
``ahead`` = above their 90th percentile over those weeks; ``on_track`` otherwise; ``too_early``
with fewer weeks observed; ``no_reference`` when the category has too few past launches for a
fair level comparison (the forecast then uses all past launches of the marketplace).

A launch is dated by the product master's ``launch_date`` where the seller keeps one, else by the
first week with a session or a sale. Only launches that happen inside the data can show a ramp, so
products active from the first weeks of the history count as established, whatever the master
says. Recent launches are judged against the seller's own past launches of the same category
(all categories of the marketplace when that category has too few).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .reference import _nanquantile, build_reference, forecast_ramp, launch_matrix

VERDICTS = ("too_early", "no_reference", "lagging", "on_track", "ahead")
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


def detect_launches(business_report=None, orders=None, product_master=None, as_of=None,
                    min_history_weeks=4):
    """Date every product's launch and say whether the launch happened inside the data.

    Parameters
    ----------
    business_report : pandas.DataFrame, optional
        Canonical ``business_report_asin`` (child_asin, sessions, units_ordered, period_start,
        period_end; sku when present).
    orders : pandas.DataFrame, optional
        Canonical ``all_orders`` (sku, asin, purchase_date, order_status); cancelled orders are
        ignored.
    product_master : pandas.DataFrame, optional
        Seller's product master (sku, asin, category; launch_date when kept).
    as_of : date-like, optional
        Ignore activity after this date; default the last date in the data.
    min_history_weeks : int
        A product whose first activity falls within this many weeks of the start of the data
        (or before it) is established, not a launch [weeks].

    Returns
    -------
    pandas.DataFrame
        One row per ASIN: asin, sku, category, launch_date, launch_source ("product_master",
        "first_session" or "first_sale"), first_session_date, first_sale_date, is_launch (bool).
    """
    activity = []
    if business_report is not None and len(business_report):
        br = business_report.assign(date=_day(business_report["period_start"]))
        br = br.rename(columns={"child_asin": "asin"})
        if as_of is not None:
            br = br.loc[_day(br["period_end"]) <= pd.Timestamp(as_of)]
        for column, name in (("sessions", "first_session_date"), ("units_ordered", "first_sale_date")):
            first = br.loc[br[column].fillna(0) > 0].groupby("asin")["date"].min().rename(name)
            activity.append(first)
        data_start = br["date"].min()
    else:
        data_start = pd.NaT
    if orders is not None and len(orders):
        live = orders.loc[orders["order_status"].astype(str).str.lower() != "cancelled"]
        dates = _day(live["purchase_date"])
        if as_of is not None:
            live, dates = live.loc[dates <= pd.Timestamp(as_of)], dates.loc[dates <= pd.Timestamp(as_of)]
        activity.append(dates.groupby(live["asin"]).min().rename("first_order_date"))
        data_start = dates.min() if pd.isna(data_start) else min(data_start, dates.min())
    table = pd.concat(activity, axis=1) if activity else pd.DataFrame()
    for name in ("first_session_date", "first_sale_date", "first_order_date"):
        if name not in table:
            table[name] = pd.NaT
    table["first_sale_date"] = table[["first_sale_date", "first_order_date"]].min(axis=1)
    table = table.drop(columns="first_order_date").rename_axis("asin").reset_index()
    table = _attach_master(table, business_report, orders, product_master)
    first_activity = table[["first_session_date", "first_sale_date"]].min(axis=1)
    from_master = table["master_launch_date"].notna()
    table["launch_date"] = table["master_launch_date"].where(from_master, first_activity)
    session_first = table["first_session_date"].le(table["first_sale_date"]) | table[
        "first_sale_date"].isna()
    table["launch_source"] = np.where(
        from_master, "product_master", np.where(session_first, "first_session", "first_sale")
    )
    cutoff = data_start + pd.Timedelta(weeks=min_history_weeks) if pd.notna(data_start) else pd.NaT
    table["is_launch"] = table["launch_date"].notna() & (
        table["launch_date"] >= cutoff if pd.notna(cutoff) else True
    )
    columns = ["asin", "sku", "category", "launch_date", "launch_source", "first_session_date",
               "first_sale_date", "is_launch"]
    return table[columns].sort_values(["launch_date", "asin"]).reset_index(drop=True)


def _attach_master(table, business_report, orders, product_master):
    """Add sku, category and the master's launch date to the activity table (keyed by ASIN)."""
    skus = []
    if product_master is not None and len(product_master):
        master = product_master.drop_duplicates("asin").set_index("asin")
        skus.append(master["sku"])
    if business_report is not None and "sku" in business_report:
        skus.append(business_report.dropna(subset=["sku"]).drop_duplicates("child_asin")
                    .set_index("child_asin")["sku"])
    if orders is not None and len(orders):
        skus.append(orders.dropna(subset=["sku"]).drop_duplicates("asin").set_index("asin")["sku"])
    sku = pd.concat(skus) if skus else pd.Series(dtype=object)
    sku = sku[~sku.index.duplicated()]
    if product_master is not None and len(product_master):
        extra = sorted(set(master.index) - set(table["asin"]))
        table = pd.concat([table, pd.DataFrame({"asin": extra})], ignore_index=True)
        table["category"] = table["asin"].map(master["category"])
        if "launch_date" in master:
            launch = _day(master["launch_date"])
            table["master_launch_date"] = table["asin"].map(launch.to_dict())
        else:
            table["master_launch_date"] = None
    else:
        table["category"] = pd.NA
        table["master_launch_date"] = None
    table["master_launch_date"] = pd.to_datetime(table["master_launch_date"])
    table["sku"] = table["asin"].map(sku)
    return table


def _week_index(dates, launch_dates):
    """Week since launch (0 = the 7 days from the launch date) of each date."""
    return np.floor((dates - launch_dates).dt.days / 7).astype("Int64")


def weekly_launch_curves(launches, business_report, advertised_product=None, organic_rank=None,
                         as_of=None, max_weeks=52):
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
        Weeks since launch kept [weeks].

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
    br = business_report.rename(columns={"child_asin": "asin"})
    br = br.assign(start=_day(br["period_start"]), end=_day(br["period_end"]))
    br = br.loc[(br["end"] - br["start"]).dt.days < 7]
    as_of = pd.Timestamp(as_of) if as_of is not None and as_of != "" else br["end"].max()
    br = br.loc[br["end"] <= as_of].merge(launched[["asin", "launch_date"]], on="asin")
    br["week"] = _week_index(br["end"], br["launch_date"])
    metrics = ["sessions", "units_ordered", "ordered_product_sales"]
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
    rows = []
    for launch in launched.itertuples(index=False):
        complete = int(((as_of - launch.launch_date).days + 1) // 7)
        weeks = np.arange(min(max(complete, 0), max_weeks))
        rows.append(pd.DataFrame({
            "asin": launch.asin, "sku": launch.sku, "category": launch.category,
            "launch_date": launch.launch_date, "week": weeks,
            "launch_week_start": launch.launch_date + pd.to_timedelta(weeks * 7, unit="D"),
        }))
    columns = ["asin", "sku", "category", "launch_date", "week", "launch_week_start"]
    grid = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)
    grid["week"] = grid["week"].astype("Int64")
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
    values = pd.MultiIndex.from_frame(curves[["asin", "week"]]).map(weekly.to_dict().get)
    values = pd.Series(np.asarray(values, dtype=float), index=curves.index)
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
    values = pd.MultiIndex.from_frame(curves[["asin", "week"]]).map(weekly.to_dict().get)
    return pd.Series(np.asarray(values, dtype=float), index=curves.index)


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
    """

    verdicts: pd.DataFrame
    bands: pd.DataFrame
    reference: pd.DataFrame
    ramp_demand: pd.DataFrame


def _history(curves, metric, asins, max_week=None):
    frame = curves.loc[curves["asin"].isin(asins), ["asin", "week", metric]]
    if max_week is not None:
        frame = frame.loc[frame["week"] <= max_week]
    return frame.rename(columns={"asin": "unique_id", metric: "y"}).astype(
        {"week": int, "y": float})


def _trailing_mean(values, weeks):
    """Mean of each week and the ``weeks - 1`` before it (fewer at the start)."""
    return pd.Series(values, dtype=float).rolling(max(int(weeks), 1), min_periods=1).mean().to_numpy()


def _verdict(observed, q10, q90, lagging_weeks, smoothing_weeks):
    """Verdict and the number of latest consecutive weeks below the reference's low band.

    Weekly counts are noisy and a band from a handful of past launches is jagged, so both sides
    are compared as trailing means over ``smoothing_weeks``.
    """
    observed = _trailing_mean(observed, smoothing_weeks)
    below = observed < _trailing_mean(q10, smoothing_weeks)
    above = observed > _trailing_mean(q90, smoothing_weeks)
    run = 0
    for flag in below[::-1]:
        if not flag:
            break
        run += 1
    if observed.size < lagging_weeks:
        return "too_early", run
    if run >= lagging_weeks:
        return "lagging", run
    if above[-lagging_weeks:].all():
        return "ahead", run
    return "on_track", run


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
        The ``launch`` section of the params (``opsanalysis.params.load(mp)["launch"]``):
        tracker_weeks, horizon_weeks, lagging_quantile, lagging_weeks, smoothing_weeks,
        steady_state_fraction, min_reference_launches, band_quantiles, verdict_metric,
        stock_metric, own_weight_half_weeks, recency_weeks, pool_weeks, analogs, shape_winsor,
        max_clusters, min_silhouette, min_cluster_size, plateau_weeks, build_up_weeks.
    listing_changes : pandas.DataFrame, optional
        asin (or sku), date, change_type ("title", "main_image" ...): changes inside a launch's
        build-up raise a warning (they reset the weight building).

    Returns
    -------
    LaunchTracking
        ``verdicts`` columns: asin, sku, category, launch_date, weeks_observed, metric,
        latest_value, reference_q10, reference_q50, reference_q90 (at the latest week),
        weeks_below_q10 (latest consecutive weeks whose trailing mean is below the reference's
        trailing low band), verdict (one of ``VERDICTS``), reference_launches, reference_scope
        ("category" or "marketplace"), shape_cluster, expected_plateau [per week] (expected
        level: median of the last 4 weeks of the forecast ``mean``), weeks_to_steady_state,
        weeks_left_to_steady_state [weeks] (from the ``mean`` path), ramp_units [units] (stock
        the remaining ramp needs: sum of the expected weekly units until steady state),
        ramp_units_q90 [units] (sum of the weekly 90th percentiles), listing_change_warning
        (bool), listing_changes (text).
    """
    as_of = pd.Timestamp(as_of)
    launched = launches.loc[launches["is_launch"].astype(bool)]
    start = as_of - pd.Timedelta(weeks=settings["tracker_weeks"])
    recent = launched.loc[launched["launch_date"] > start]
    past = launched.loc[launched["launch_date"] <= start]
    rows, bands, ramp, used_for, cache = [], [], [], {}, {}
    for launch in recent.itertuples(index=False):
        members, scope = _reference_members(past, launch.category, settings)
        for asin in members["asin"]:
            used_for.setdefault(asin, []).append(launch.asin)
        row, band, demand = _track_one(launch, curves, members, scope, settings, cache)
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
                          ramp_demand=demand_frame)


_VERDICT_COLUMNS = [
    "asin", "sku", "category", "launch_date", "weeks_observed", "metric", "latest_value",
    "reference_q10", "reference_q50", "reference_q90", "weeks_below_q10", "verdict",
    "reference_launches", "reference_scope", "shape_cluster", "expected_plateau",
    "weeks_to_steady_state", "weeks_left_to_steady_state", "ramp_units", "ramp_units_q90",
    "listing_change_warning", "listing_changes",
]
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


def _quantile_names(settings):
    low, high = settings["band_quantiles"]
    return low, high


def _reference_for(curves, metric, asins, settings, cache):
    """Reference of these past launches for this metric, built once per call of the tracker."""
    key = (metric, tuple(sorted(asins)))
    if key not in cache:
        cache[key] = build_reference(_history(curves, metric, asins),
                                     fraction=settings["steady_state_fraction"],
                                     **_reference_options(settings))
    return cache[key]


def _track_one(launch, curves, members, scope, settings, cache):
    """Verdict row, band rows and ramp demand for one recent launch."""
    metric, stock_metric = settings["verdict_metric"], settings["stock_metric"]
    low, high = _quantile_names(settings)
    fraction = settings["steady_state_fraction"]
    own = curves.loc[curves["asin"] == launch.asin].sort_values("week")
    observed = own[metric].to_numpy(dtype=float)
    n_obs = observed.size
    horizon = int(settings["horizon_weeks"])
    width = n_obs + horizon
    history = _history(curves, metric, members["asin"])
    options = _forecast_options(settings)
    row = {
        "asin": launch.asin, "sku": launch.sku, "category": launch.category,
        "launch_date": launch.launch_date, "weeks_observed": n_obs, "metric": metric,
        "latest_value": observed[-1] if n_obs else np.nan, "reference_launches": len(members),
        "reference_scope": scope,
    }
    if history.empty or n_obs == 0:
        row.update(verdict="too_early", weeks_below_q10=0)
        return row, pd.DataFrame(columns=_BAND_COLUMNS), pd.DataFrame()
    _, levels = launch_matrix(history, width)
    lag_q = settings["lagging_quantile"]
    quantile_levels = _nanquantile(levels, [lag_q, 0.5, 1.0 - lag_q])
    verdict, run = _verdict(observed, quantile_levels[0, :n_obs], quantile_levels[2, :n_obs],
                            int(settings["lagging_weeks"]), settings["smoothing_weeks"])
    if scope != "category":
        # Levels differ between categories (price, conversion): no fair level comparison.
        verdict = "no_reference" if verdict != "too_early" else verdict
    reference = _reference_for(curves, metric, members["asin"], settings, cache)
    own_history = _history(own, metric, [launch.asin])
    forecast = forecast_ramp(own_history, reference, horizon, quantiles=(low, high), **options)
    # Plateau and timing are expected levels: the mean path (a median path is 0 throughout for a
    # launch selling in fewer than half of its weeks).
    steady = _steady_state(observed, forecast["mean"].to_numpy(), fraction)
    row.update(
        reference_q10=quantile_levels[0, n_obs - 1], reference_q50=quantile_levels[1, n_obs - 1],
        reference_q90=quantile_levels[2, n_obs - 1], weeks_below_q10=run, verdict=verdict,
        shape_cluster=int(forecast["cluster"].iloc[0]) if len(forecast) else np.nan, **steady,
    )
    demand = _ramp_demand(launch, curves, members, own, stock_metric, horizon, settings, cache)
    weeks_left = int(row["weeks_left_to_steady_state"]) if np.isfinite(
        row["weeks_left_to_steady_state"]) else horizon
    # Stock adds up over weeks: expected units, not medians (which understate intermittent sales).
    row["ramp_units"] = float(demand["units_mean"].iloc[:weeks_left].sum()) if len(demand) else np.nan
    row["ramp_units_q90"] = float(demand["units_q90"].iloc[:weeks_left].sum()) if len(demand) else np.nan
    band = _band_frame(launch, own, metric, quantile_levels, forecast, width)
    return row, band, demand


def _forecast_options(settings):
    return {
        "own_weight_half_weeks": settings["own_weight_half_weeks"],
        "recency_weeks": settings["recency_weeks"],
        "pool_weeks": settings["pool_weeks"],
        "analogs": settings["analogs"],
        "shape_winsor": settings["shape_winsor"],
        "fraction": settings["steady_state_fraction"],
    }


def _reference_options(settings):
    return {
        "max_clusters": settings["max_clusters"],
        "min_silhouette": settings["min_silhouette"],
        "min_cluster_size": settings["min_cluster_size"],
        "plateau_weeks": settings["plateau_weeks"],
    }


def _steady_state(observed, forecast, fraction):
    """Expected plateau and weeks to / left to ``fraction`` of it, from the forecast path.

    ``forecast`` is the expected (mean) weekly level of the coming weeks [per week].
    """
    if forecast.size == 0:
        return {"expected_plateau": np.nan, "weeks_to_steady_state": np.nan,
                "weeks_left_to_steady_state": np.nan}
    plateau = float(np.median(forecast[-4:]))
    n_obs = observed.size
    recent_level = float(np.mean(observed[-2:]))
    if plateau <= 0 or recent_level >= fraction * plateau:
        reached = np.flatnonzero(observed >= fraction * plateau)
        week = int(reached[0]) if reached.size else n_obs - 1
        return {"expected_plateau": plateau, "weeks_to_steady_state": float(week),
                "weeks_left_to_steady_state": 0.0}
    ahead = np.flatnonzero(forecast >= fraction * plateau)
    left = int(ahead[0]) + 1 if ahead.size else forecast.size
    return {"expected_plateau": plateau, "weeks_to_steady_state": float(n_obs - 1 + left),
            "weeks_left_to_steady_state": float(left)}


def _ramp_demand(launch, curves, members, own, stock_metric, horizon, settings, cache):
    """Units forecast for the coming weeks of one launch (what the ramp will sell).

    ``units_forecast`` is the median [units per week], ``units_mean`` the expected units per week
    that stock is planned on.
    """
    history = _history(curves, stock_metric, members["asin"])
    own_history = _history(own, stock_metric, [launch.asin])
    if history.empty or own_history.empty:
        return pd.DataFrame()
    reference = _reference_for(curves, stock_metric, members["asin"], settings, cache)
    low, high = _quantile_names(settings)
    forecast = forecast_ramp(own_history, reference, horizon, quantiles=(low, high),
                             **_forecast_options(settings))
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
    metric = settings["verdict_metric"]
    columns = ["asin", "sku", "category", "launch_date", "plateau_level", "weeks_to_steady_state",
               "shape_cluster", "used_for"]
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

"""The scorecard: each rule of the rule pack measured over a period, with its status and trend.

:func:`scorecard` checks one period against the rule pack (``params.load(mp)["rules"]``),
:func:`breach_drivers` lists the groups (SKUs, campaigns) that push a rule into breach and
:func:`drill_down` does so for every breaching rule of a scorecard. :func:`measure` is the KPI
behind one rule, as numerator / denominator = value.

The scorecard holds codes only (rule ids, statuses, trends); the words shown to people come from
:mod:`opsanalysis.labels` (:func:`opsanalysis.labels.add_labels`).
"""

import numpy as np
import pandas as pd

from opsanalysis import competitors, feedback, listing_health
from opsanalysis.frames import (
    KEEP_APART,
    GroupingError,
    as_float,
    coverage,
    covered_days,
    date_column,
    days_in_window,
    group_column,
    in_period,
    on_days,
    period_bounds,
    period_start,
    previous_bounds,
    ratio,
    safe_divide,
    totals,
)
from opsanalysis.kpi.ad_types import clicks_only
from opsanalysis.kpi.metrics import (
    account_health_rates,
    acos,
    break_even_acos_table,
    buy_box_percentage,
    days_of_cover,
    return_rate,
    roas,
    sales_lines,
    sell_through,
    tacos,
)

#: Account-health rules -> metric names of the ``account_health`` kind.
ACCOUNT_HEALTH_METRICS = {
    "order_defect_rate": "order_defect_rate",
    "late_shipment_rate": "late_shipment_rate",
    "pre_fulfillment_cancel_rate": "pre_fulfillment_cancellation_rate",
    "valid_tracking_rate": "valid_tracking_rate",
    "on_time_delivery_rate": "on_time_delivery_rate",
    "account_health_rating": "account_health_rating",
    "account_health_rating_critical": "account_health_rating",
}

#: Ad report kinds, most complete first (the search-term report omits unclicked targets).
AD_KINDS = ("sp_campaign", "sp_advertised_product", "sp_targeting", "sp_search_term",
            "console_campaigns")


def _window(frame, start, end):
    return in_period(frame, (start, end))


def _days_of(data, frame) -> pd.DatetimeIndex:
    """Days the report behind ``frame`` covers: its kind's files, else the frame itself."""
    kind = frame.attrs.get("kind")
    if kind and data.get(kind) is not None:
        return coverage(data, kind)
    return covered_days(frame)


def _common_days(data, reports, start, end) -> pd.DatetimeIndex:
    """Days of [start, end] covered by every one of ``reports`` (frames)."""
    days = pd.date_range(start, end, freq="D")
    for frame in reports:
        days = days.intersection(days_in_window(_days_of(data, frame), start, end))
    return days


def _covered(table, days, start, end):
    """``table`` with its coverage in attrs: covered days and days in the window [days].

    An uncovered window gives an empty table (value unknown, status "not_covered").
    """
    table = table.iloc[0:0].copy() if len(days) == 0 else table
    table.attrs = {"covered_days": len(days), "window_days": int((end - start).days) + 1}
    return table


_UNCOVERED = pd.DataFrame(columns=["numerator", "denominator", "value"])


def one_window(ads, preferred):
    """Keep one attribution window: the preferred one when present, else the only one.

    Parameters
    ----------
    ads : pandas.DataFrame or None
        A Sponsored Products report frame, possibly with an ``attribution_days`` column.
    preferred : int or None
        Attribution window to keep when the frame mixes several [days] (params
        ``ads.attribution_days``).

    Returns
    -------
    pandas.DataFrame or None
        The rows of one attribution window; raises ValueError when several are mixed and none
        is preferred.
    """
    if ads is None or "attribution_days" not in ads:
        return ads
    windows = sorted(ads["attribution_days"].dropna().unique())
    if len(windows) <= 1:
        return ads
    if preferred in windows:
        return ads[ads["attribution_days"] == preferred]
    raise ValueError(f"ads mix attribution windows {windows}; choose one (params ads."
                     "attribution_days)")


def _ads_frame(data, preferred_window=None):
    for kind in AD_KINDS:
        frame = data.get(kind)
        if frame is not None and len(frame):
            return one_window(frame, preferred_window)
    return None


#: Sales reports, preferred first when they cover a window equally.
SALES_KINDS = ("business_report_asin", "all_orders", "business_report_date")


def sales_frame(data, start=None, end=None):
    """The sales report to use: over a window, the one covering most of its days.

    Parameters
    ----------
    data : MarketplaceData or dict
        The marketplace's frames by kind.
    start, end : datetime-like, optional
        The window (both inclusive); without it the first available of :data:`SALES_KINDS`.

    Returns
    -------
    pandas.DataFrame or None
        None when the marketplace has no sales report.
    """
    frames = [data.get(kind) for kind in SALES_KINDS
              if data.get(kind) is not None and len(data.get(kind))]
    if not frames:
        return None
    if start is None:
        return frames[0]
    return max(frames, key=lambda frame: len(_common_days(data, [frame], start, end)))


def _value_table(table, numerator, denominator):
    table = table.rename(columns={numerator: "numerator", denominator: "denominator"})
    table["value"] = safe_divide(table["numerator"], table["denominator"])
    return table


def _drop_apart(frame):
    return None if frame is None else frame.drop(columns=[c for c in KEEP_APART if c in frame])


def measure(data, rule_id, start, end, by=None, settings=None) -> pd.DataFrame | None:
    """The KPI behind one rule over [start, end], as numerator / denominator = value.

    Parameters
    ----------
    data : MarketplaceData or dict of str to DataFrame
        Frames by kind (``data.get(kind)``); ``product_master`` is used for groupings and
        break-even ACOS.
    rule_id : str
        A rule of the rule pack, or one of its ad-type rows (:func:`ad_type_rule_id`).
    start, end : Timestamp
        The window (calendar dates, inclusive).
    by : str, optional
        Grouping for drill-down (``"sku"``, ``"campaign"`` ...).
    settings : dict, optional
        ``params["ads"]`` (``attribution_days``: the attribution window to use) with
        ``exchange_rates`` (break-even ACOS) and ``velocity_window_days`` (the days-of-cover
        rules' sales window [days], ``params["replenishment"]["velocity_window_days"]``), as
        :func:`scorecard` assembles them.

    Returns
    -------
    DataFrame or None
        keys, numerator, denominator, value; None when a report the rule needs is missing,
        or when ``by`` is given and the rule's data cannot be split by it. ``attrs`` hold
        ``covered_days`` and ``window_days`` [days] for rules measured over a window: the value
        is computed on the days every report it rests on covers (for days of cover, the
        velocity window); no covered day gives an empty table.

    Raises
    ------
    KeyError
        Any other missing key -- a column the metric needs, a setting -- is an error in the data
        or the call, not "no data".
    """
    settings = settings or {}
    products = data.get("product_master")
    function = _MEASURES.get(rule_id)
    if function is None:
        return None
    # A missing report is "no data": the measures look reports up with data.get(kind) and
    # return None for an absent kind. Only a drill-down that cannot split the rule's data by
    # the grouping asked for is caught here; every other KeyError propagates.
    try:
        return function(data, start, end, by, products, settings)
    except GroupingError:
        if by is None:
            raise
        return None


def _m_account_health(rule_id):
    def function(data, start, end, by, products, settings):
        health = data.get("account_health")
        if health is None or by is not None:
            return None
        metric = ACCOUNT_HEALTH_METRICS[rule_id]
        # a snapshot without dates (Account Health Rating) is the current state
        dated = pd.to_datetime(health["date_to"])
        health = health[(dated <= end) | (dated.isna() & (end >= dated.max()))]
        rows = account_health_rates(health[health["metric"] == metric])
        if rows.empty and rule_id == "order_defect_rate":
            rows = _combined_order_defect_rate(health)
        if rows.empty:
            return None
        latest = rows.iloc[[0]]
        return pd.DataFrame({column: as_float(latest[column]).to_numpy() if column in latest
                             else [np.nan] for column in ("numerator", "denominator", "value")})
    return function


def _combined_order_defect_rate(health):
    """ODR over both channels from the AFN and MFN rates and their order counts."""
    parts = account_health_rates(health[health["metric"].isin(
        ["order_defect_rate_afn", "order_defect_rate_mfn"])])
    if parts.empty or parts["denominator"].isna().any():
        return parts.iloc[0:0]
    defects = (as_float(parts["value"]) * as_float(parts["denominator"])).sum()
    orders = as_float(parts["denominator"]).sum()
    return pd.DataFrame({"numerator": [defects], "denominator": [orders],
                         "value": [safe_divide(defects, orders)]})


def _m_buy_box(data, start, end, by, products, settings):
    full = next((data.get(kind) for kind in ("business_report_asin", "business_report_date")
                 if data.get(kind) is not None and "buy_box_percentage" in data.get(kind)
                 and len(_window(data.get(kind), start, end))), None)
    if full is None:
        full = next((data.get(kind) for kind in ("business_report_asin", "business_report_date")
                     if data.get(kind) is not None and "buy_box_percentage" in data.get(kind)),
                    None)
        return None if full is None else _covered(_UNCOVERED, [], start, end)
    days = _common_days(data, [full], start, end)
    report = _window(full, start, end)
    table = buy_box_percentage(_drop_apart(report), by, None, products)
    return _covered(_value_table(table, "buy_box_percentage_numerator", "page_views"), days,
                    start, end)


def _returns_days(data, returns, start, end):
    """Days of [start, end] any of the returns reports covers."""
    days = pd.DatetimeIndex([])
    for frame in returns:
        days = days.union(_common_days(data, [frame], start, end))
    return days


def _m_return_rate(data, start, end, by, products, settings):
    returns = [f for f in (data.get("fba_returns"), data.get("mfn_returns")) if f is not None]
    sales = sales_frame(data, start, end)
    if not returns or sales is None:
        return None
    # a day counts when both the returns and the sales of that day are known
    days = _returns_days(data, returns, start, end).intersection(
        _common_days(data, [sales], start, end))
    sold = on_days(_window(sales, start, end), days)
    if sold.empty:
        return _covered(_UNCOVERED, days[:0], start, end)
    table = return_rate([on_days(_window(f, start, end), days) for f in returns], sold, by,
                        None, products)
    return _covered(_value_table(table, "returned", "ordered"), days, start, end)


def _sales_total(data, days, by, products):
    sales = on_days(sales_frame(data, days.min(), days.max()) if len(days) else None, days)
    if sales is None or sales.empty:
        return None
    return totals(_drop_apart(sales_lines(sales)), ["sales"], by, None, products)


def _m_gmv_growth(data, start, end, by, products, settings):
    sales = sales_frame(data, start, end)
    if sales is None:
        return None
    year = pd.DateOffset(years=1)
    # the same calendar days this year and last year, each covered by the sales report
    days = _common_days(data, [sales], start, end).intersection(
        _common_days(data, [sales], start - year, end - year) + year)
    now = _sales_total(data, days, by, products)
    before = _sales_total(data, days - year, by, products)
    if now is None or before is None:
        return _covered(_UNCOVERED, days[:0], start, end)
    keys = [c for c in now.columns if c != "sales"]
    table = (now.merge(before, on=keys, how="left", suffixes=("", "_last_year")) if keys
             else pd.concat([now, before.add_suffix("_last_year")], axis=1))
    table["numerator"] = table["sales"] - table["sales_last_year"]
    table["denominator"] = table["sales_last_year"]
    table["value"] = safe_divide(table["numerator"], table["denominator"])
    return _covered(table.drop(columns=["sales", "sales_last_year"]), days, start, end)


def _ads_report(data, settings, by=None):
    frame = _ads_frame(data, settings.get("attribution_days"))
    if by in ("sku", "asin", "parent", "category", "brand"):
        # only the advertised product report knows which SKU an ad dollar went to
        frame = one_window(data.get("sp_advertised_product"), settings.get("attribution_days"))
    return frame


def _ads_window(data, start, end, settings, by=None):
    """The ad rows on the days of [start, end] the ad report covers, and those days."""
    frame = _ads_report(data, settings, by)
    if frame is None:
        return None, None
    days = _common_days(data, [frame], start, end)
    return on_days(_window(frame, start, end), days), days


def _sponsored_products_measure(metric, numerator, denominator):
    """ACOS or ROAS of the Sponsored Products report on the days of the window it covers."""
    def function(data, start, end, by, products, settings):
        ads, days = _ads_window(data, start, end, settings, by)
        if ads is None:
            return None
        if ads.empty:
            return _covered(_UNCOVERED, days, start, end) if len(days) == 0 else None
        return _covered(_value_table(metric(_drop_apart(ads), by, None, products), numerator,
                                     denominator), days, start, end)
    return function


_m_acos = _sponsored_products_measure(acos, "spend", "sales")
_m_roas = _sponsored_products_measure(roas, "sales", "spend")


#: Ad report kinds of Sponsored Brands and Display, most complete first: the campaign report
#: (which the "Advertising by ad type" section sums) before the keyword / target reports.
AD_TYPE_KINDS = {"sponsored_brands": ("sb_campaign", "sb_keyword", "sb_search_term"),
                 "sponsored_display": ("sd_campaign", "sd_advertised_product", "sd_targeting")}

#: Rules the scorecard also scores per ad type of :data:`AD_TYPE_KINDS` whose reports were read
#: (one row each, rule id ``<rule>_<ad type>``, against the same rule); the rule itself
#: measures Sponsored Products.
AD_TYPE_RULES = ("acos", "roas")


def ad_type_rule_id(rule_id, ad_type) -> str:
    """The scorecard row of ``rule_id`` for one ad type.

    Parameters
    ----------
    rule_id : str
        A rule of :data:`AD_TYPE_RULES` (``"acos"``).
    ad_type : str
        An ad type of :data:`AD_TYPE_KINDS` (``"sponsored_brands"``).

    Returns
    -------
    str
        ``"acos_sponsored_brands"``; its en/zh wording is in ``labels/kpi.yaml``.
    """
    return f"{rule_id}_{ad_type}"


def base_rule_id(rule_id) -> str:
    """The rule of the rule pack behind a scorecard row.

    Parameters
    ----------
    rule_id : str
        A scorecard row's ``rule_id``.

    Returns
    -------
    str
        ``"acos"`` for ``"acos_sponsored_brands"``; any other id unchanged.
    """
    for rule in AD_TYPE_RULES:
        for ad_type in AD_TYPE_KINDS:
            if rule_id == ad_type_rule_id(rule, ad_type):
                return rule
    return rule_id


def ad_types_present(data) -> list:
    """The ad types beyond Sponsored Products whose reports were read.

    Parameters
    ----------
    data : MarketplaceData or dict of str to DataFrame

    Returns
    -------
    list of str
        The ad types of :data:`AD_TYPE_KINDS` with a non-empty report in ``data``, in that
        order (empty without Sponsored Brands / Display reports: the scorecard is then the
        Sponsored Products one).
    """
    return [ad_type for ad_type, kinds in AD_TYPE_KINDS.items()
            if any(data.get(kind) is not None and len(data.get(kind)) for kind in kinds)]


def _one_window_on_covered_days(data, frame, start, end, settings):
    """An ad report's rows of one attribution window on the days of [start, end] it covers,
    and those days."""
    frame = one_window(frame, settings.get("attribution_days"))
    days = _common_days(data, [frame], start, end)
    return on_days(_window(frame, start, end), days), days


def _ad_type_measure(ad_type, numerator, denominator, metric):
    """ACOS or ROAS of one ad type (Brands, Display) on its own report, in its own
    attribution window, clicks-only sales (:func:`opsanalysis.kpi.ad_types.clicks_only`, the
    figures of :func:`opsanalysis.kpi.ad_types.ad_type_summary`); Display without clicks-only
    columns has no value (not estimated). Split by campaign only."""
    def function(data, start, end, by, products, settings):
        frame = next((data.get(kind) for kind in AD_TYPE_KINDS[ad_type]
                      if data.get(kind) is not None and len(data.get(kind))), None)
        if frame is None or by not in (None, "campaign"):
            return None
        ads, days = _one_window_on_covered_days(data, frame, start, end, settings)
        if ads.empty:
            return _covered(_UNCOVERED, days, start, end) if len(days) == 0 else None
        ads = clicks_only(ads)
        table = _value_table(metric(_drop_apart(ads), by, None, products), numerator,
                             denominator)
        if as_float(ads["sales"]).isna().all():  # no clicks-only sales in the report
            table[["numerator" if numerator == "sales" else "denominator", "value"]] = np.nan
        return _covered(table, days, start, end)
    return function


def _tacos_value(data, start, end, by, products, settings):
    frame, sales = _ads_report(data, settings, by), sales_frame(data, start, end)
    if frame is None or sales is None:
        return None
    # spend and sales over the same days: those both reports cover
    days = _common_days(data, [frame, sales], start, end)
    ads, sold = on_days(_window(frame, start, end), days), on_days(_window(sales, start, end),
                                                                     days)
    if ads.empty or sold.empty:
        return _covered(_UNCOVERED, days[:0], start, end)
    table = tacos(_drop_apart(ads), _drop_apart(sold), by, None, products)
    return _covered(_value_table(table.drop(columns="tacos"), "spend", "sales"), days, start,
                    end)


def _m_tacos_trend(data, start, end, by, products, settings):
    now = _tacos_value(data, start, end, by, products, settings)
    before = _tacos_value(data, *previous_bounds(start, end), by, products, settings)
    if now is None or before is None:
        return None
    if now.empty:
        return now  # the window is not covered
    if before.empty:
        return None  # no window before to compare with
    covered = now.attrs
    keys = [c for c in now.columns if c not in ("numerator", "denominator", "value")]
    table = (now.merge(before[keys + ["value"]], on=keys, how="left", suffixes=("", "_before"))
             if keys else now.assign(value_before=before["value"].to_numpy()))
    table["numerator"], table["denominator"] = table["value"], table["value_before"]
    table["value"] = table["value"] - table.pop("value_before")
    table.attrs = covered
    return table


def _m_acos_vs_break_even(data, start, end, by, products, settings):
    """Spend / break-even spend, where break-even spend = sum(ad sales x break-even ACOS)."""
    ads = data.get("sp_advertised_product")
    if ads is None or products is None or not {"price", "unit_cost", "fba_fee",
                                               "referral_fee_rate"} <= set(products):
        return None
    ads, days = _one_window_on_covered_days(data, ads, start, end, settings)
    if ads.empty:
        return _covered(_UNCOVERED, days, start, end) if len(days) == 0 else None
    currency = ads["currency"].dropna().iloc[0] if "currency" in ads else None
    try:
        limits = break_even_acos_table(products, settings.get("exchange_rates"), currency,
                                       params=settings.get("params"), as_of=end)
    except ValueError:
        return None  # costs in another currency and no rate given: not measurable
    limits = limits.set_index("sku")["break_even_acos"]
    sku = group_column(ads, "sku")
    sales = as_float(ads["advertised_sku_sales"] if "advertised_sku_sales" in ads
                     else ads["sales"])
    allowance = sales * sku.map(limits).astype("float64").to_numpy()
    table = ratio(_drop_apart(ads), "spend", allowance, "value", by, None, products)
    return _covered(table.rename(columns={"spend": "numerator",
                                          "value_denominator": "denominator"}), days, start, end)


def _stock_at(data, end, first=None):
    """Sellable units per SKU on ``end``: Daily Inventory History when present, else the
    current FBA inventory snapshot, which is only valid for a window ending on the last day."""
    history = data.get("inventory_history")
    if history is not None and len(history):
        history = history[pd.to_datetime(history["date"]) <= end]
        if "detailed_disposition" in history:
            history = history[history["detailed_disposition"].astype(str).str.upper()
                              .eq("SELLABLE").to_numpy()]
        if history.empty:
            return None
        return history[history["date"] == history["date"].max()]
    snapshot = next((data.get(k) for k in ("fba_inventory", "inventory_planning")
                     if data.get(k) is not None), None)
    sales = sales_frame(data, first, end) if first is not None else sales_frame(data)
    if snapshot is None or sales is None:
        return None
    last = period_start(sales[date_column(sales)], "D").max()
    return snapshot if end >= last else None


def _m_days_of_cover(data, start, end, by, products, settings):
    lookback = settings["velocity_window_days"]
    first = end - pd.Timedelta(days=lookback - 1)
    stock = _stock_at(data, end, first)
    sales = sales_frame(data, first, end)
    if stock is None or sales is None:
        return None
    # velocity over the days of the sales window the sales report covers
    days = _common_days(data, [sales], first, end)
    if len(days) == 0:
        return _covered(_UNCOVERED, days, first, end)
    table = days_of_cover(stock, on_days(sales, days), end, lookback_days=lookback, by=by,
                          products=products, covered_days=len(days))
    return _covered(_value_table(table, "on_hand", "units_per_day"), days, first, end)


def _m_turnover(data, start, end, by, products, settings):
    history = data.get("inventory_history")
    sales = sales_frame(data, start, end)
    if history is None or sales is None:
        return None
    covered = _common_days(data, [history, sales], start, end)
    if len(covered) == 0:
        return _covered(_UNCOVERED, covered, start, end)
    days = int((end - start).days) + 1
    table = sell_through(history, sales, end, lookback_days=days, by=by, products=products)
    table["denominator"] = table["average_on_hand"] * days / 365.0
    return _covered(table.rename(columns={"units": "numerator", "inventory_turnover": "value"}),
                    covered, start, end)


def _m_ipi_score(data, start, end, by, products, settings):
    """The latest IPI score the user gave dated in the window (Amazon exports none):
    ``settings["ipi_scores"]`` (date, score), :func:`opsanalysis.ipi.user_scores`."""
    scores = settings.get("ipi_scores")
    if scores is None or by is not None:
        return None
    dated = pd.to_datetime(scores["date"])
    scores = scores[((dated >= start) & (dated <= end)).to_numpy()]
    if scores.empty:
        return None
    score = float(scores.sort_values("date", kind="stable")["score"].iloc[-1])
    return pd.DataFrame({"numerator": [score], "denominator": [np.nan], "value": [score]})


def _m_gross_margin_stability(data, start, end, by, products, settings):
    """The change of the settlement gross margin from the month before, for the month of the
    window (the calendar month holding most of its days; the later one on a tie):
    ``settings["gross_margins"]``, the profit report's month-over-month table
    (:func:`opsanalysis.settlements.margin_stability`: month, gross_margin, margin_change), so
    that the scorecard shows the profit report's own figure. None (no settlement report) gives
    "no_data"; a window no settled month overlaps is "not covered"."""
    monthly = settings.get("gross_margins")
    if monthly is None or by is not None:
        return None
    months = pd.to_datetime(monthly["month"]).reset_index(drop=True)
    first = months.where(months > start, start)
    last = (months + pd.offsets.MonthEnd(0)).where(months + pd.offsets.MonthEnd(0) < end, end)
    overlap = (last - first).dt.days + 1
    if not (overlap > 0).any():
        return _covered(_UNCOVERED, pd.DatetimeIndex([]), start, end)
    chosen = pd.DataFrame({"overlap": overlap, "month": months}).sort_values(
        ["overlap", "month"], kind="stable").index[-1]
    change = float(monthly["margin_change"].iloc[chosen])
    return pd.DataFrame({"numerator": [change], "denominator": [np.nan], "value": [change],
                         "month": [months.iloc[chosen]]})


def _m_listing_go_live_hours(data, start, end, by, products, settings):
    """Median hours from listing creation to going live, over the listings created in the
    window: ``settings["listing_go_live"]`` (:func:`opsanalysis.listing_health.go_live`, an
    upper bound per listing); None (no All Listings report) gives "no_data"."""
    table = settings.get("listing_go_live")
    if table is None or by is not None:
        return None
    return listing_health.go_live_in_window(table, start, end)


def _m_negative_feedback_per_week(data, start, end, by, products, settings):
    """The worst week's negative seller feedback in the window, from the Feedback Manager
    download (:func:`opsanalysis.feedback.measure_negative_feedback_per_week`); None (no
    download) gives "no_data"."""
    if by is not None or settings.get("feedback") is None:
        return None
    return feedback.measure_negative_feedback_per_week(
        data.get("seller_feedback"), start, end,
        max_rating=settings["feedback"]["negative_max_rating"])


def _m_bsr_rank(data, start, end, by, products, settings):
    """Median over our ASINs of their mean Keepa sales rank in the window:
    ``settings["keepa_daily"]`` (:func:`opsanalysis.competitors.daily_history`) and
    ``settings["our_asins"]``; None (no Keepa history) gives "no_data"."""
    return competitors.measure_bsr_rank(settings.get("keepa_daily"),
                                        settings.get("our_asins", []), start, end, by)


def budget_capped_days(days, capped_share, start, end) -> pd.DataFrame | None:
    """Capped campaign-days / campaign-days with a daily budget in [start, end].

    Parameters
    ----------
    days : DataFrame or None
        :func:`opsanalysis.ads.campaign_days` (date, budget, spend [currency], all ad types);
        None when no campaign report was read.
    capped_share : float
        A day is capped when spend >= ``capped_share`` x budget [fraction] (params
        ``ads.budget_capped_share``).
    start, end : date-like
        The window (inclusive days).

    Returns
    -------
    DataFrame or None
        One row: numerator (capped campaign-days) [count], denominator (campaign-days with a
        daily budget) [count], value [fraction]; None when no campaign-day with a budget falls
        in the window (not estimated).
    """
    if days is None or not len(days):
        return None
    inside = days[(days["date"] >= pd.Timestamp(start)) & (days["date"] <= pd.Timestamp(end))
                  & (days["budget"] > 0)]
    if not len(inside):
        return None
    capped = int((inside["spend"] >= capped_share * inside["budget"]).sum())
    return pd.DataFrame({"numerator": [float(capped)], "denominator": [float(len(inside))],
                         "value": [capped / len(inside)]})


def _m_budget_capped_days(data, start, end, by, products, settings):
    """Budget capping in the window: ``settings["budget_campaign_days"]``
    (:func:`opsanalysis.ads.campaign_days`, computed by the caller because the ads module sits
    above kpi) and ``settings["budget_capped_share"]`` (params ``ads``)."""
    if by is not None or "budget_campaign_days" not in settings:
        return None
    return budget_capped_days(settings["budget_campaign_days"],
                              settings["budget_capped_share"], start, end)


def _m_ad_groups(data, start, end, by, products, settings):
    # daily reports first: a summary report (start/end dates) may begin before the window
    frame = next((data.get(k) for k in ("sp_search_term", "sp_advertised_product", "sp_targeting")
                  if data.get(k) is not None), None)
    if frame is None or "ad_group_name" not in frame:
        return None
    days = _common_days(data, [frame], start, end)
    frame = on_days(_window(frame, start, end), days)
    if frame.empty:
        return _covered(_UNCOVERED, days, start, end) if len(days) == 0 else None
    counts = frame.groupby("campaign_name")["ad_group_name"].nunique().astype("float64")
    if by == "campaign":
        return pd.DataFrame({"campaign": counts.index, "numerator": counts.to_numpy(),
                             "denominator": 1.0, "value": counts.to_numpy()})
    if by is not None:
        return None
    return _covered(pd.DataFrame({"numerator": [counts.max()], "denominator": [1.0],
                                  "value": [counts.max()]}), days, start, end)


_MEASURES = {rule: _m_account_health(rule) for rule in ACCOUNT_HEALTH_METRICS}
_MEASURES.update({
    "buy_box_share": _m_buy_box, "return_rate": _m_return_rate, "gmv_growth_yoy": _m_gmv_growth,
    "acos": _m_acos, "roas": _m_roas, "tacos_trend": _m_tacos_trend,
    "acos_vs_break_even": _m_acos_vs_break_even, "days_of_cover": _m_days_of_cover,
    "days_of_cover_floor": _m_days_of_cover, "excess_days_of_supply": _m_days_of_cover,
    "inventory_turnover": _m_turnover, "ad_groups_per_campaign": _m_ad_groups,
    "ipi_score": _m_ipi_score, "gross_margin_stability": _m_gross_margin_stability,
    "listing_go_live_hours": _m_listing_go_live_hours,
    "negative_feedback_per_week": _m_negative_feedback_per_week, "bsr_rank": _m_bsr_rank,
    "budget_capped_days": _m_budget_capped_days,
})
_MEASURES.update({ad_type_rule_id("acos", t): _ad_type_measure(t, "spend", "sales", acos)
                  for t in AD_TYPE_KINDS})
_MEASURES.update({ad_type_rule_id("roas", t): _ad_type_measure(t, "sales", "spend", roas)
                  for t in AD_TYPE_KINDS})
#: Rules measured from a figure only the user can give (settings key): "not_measured" without it.
USER_FIGURES = {"ipi_score": "ipi_scores"}
#: Rules measured from a table the caller computes from other reports (settings key):
#: "not_measured" when the caller passes no such key, "no_data" when it passes None (the
#: report behind the table is missing). ``gross_margins``: the settlement gross margin per
#: month (:func:`opsanalysis.settlements.margin_stability`, as the profit report shows it).
COMPUTED_FIGURES = {"gross_margin_stability": "gross_margins",
                    "listing_go_live_hours": "listing_go_live", "bsr_rank": "keepa_daily",
                    "negative_feedback_per_week": "feedback",
                    "budget_capped_days": "budget_campaign_days"}

#: Statuses, best first. "not_covered": the reports the rule needs were read but none covers
#: a day of the window; "no_data": a report the rule needs is missing.
STATUSES = ("good", "watch", "breach", "no_data", "not_covered", "not_measured")


def rule_status(value, rule, watch_margin=0.0, watch_edges="both") -> pd.Series | str:
    """Traffic light of a value against one rule.

    Parameters
    ----------
    value : float or Series
        Measured KPI.
    rule : dict
        Rule-pack entry: ``direction`` (below, above, at_most, at_least, within) and ``value``
        or ``min``/``max``.
    watch_margin : float
        Width of the "watch" band on the good side of a limit [fraction]: of the limit itself
        for upper limits and counts; for a lower limit on a share (unit "fraction", e.g. valid
        tracking >= 95 %) of the room between the limit and 100 %; for a range, of its width.
    watch_edges : {"both", "min", "max"}
        For ``within`` rules, which edges have a watch band.

    Returns
    -------
    str or Series
        "good", "watch", "breach" or "no_data" (value missing).
    """
    values = as_float(pd.Series(np.atleast_1d(value)) if np.isscalar(value) else value)
    direction = rule["direction"]
    breach = pd.Series(False, index=values.index)
    watch = pd.Series(False, index=values.index)
    fraction = rule.get("unit") == "fraction"
    if direction in ("below", "at_most"):
        limit = rule["value"]
        breach = values >= limit if direction == "below" else values > limit
        watch = values > limit - abs(limit) * watch_margin
    elif direction in ("above", "at_least"):
        limit = rule["value"]
        # a share cannot pass 1: the band is a part of the room between the limit and 100 %
        room = (1.0 - limit) if fraction and limit < 1 else abs(limit)
        breach = values <= limit if direction == "above" else values < limit
        watch = values < limit + room * watch_margin
    elif direction == "within":
        low, high = rule["min"], rule["max"]
        band = (high - low) * watch_margin
        breach = (values < low) | (values > high)
        if watch_edges in ("both", "min"):
            watch |= values < low + band
        if watch_edges in ("both", "max"):
            watch |= values > high - band
    else:
        raise ValueError(f"rule direction {direction!r} has no pass/fail status")
    status = pd.Series(np.select([values.isna(), breach, watch], ["no_data", "breach", "watch"],
                                 "good"), index=values.index)
    return status.iloc[0] if np.isscalar(value) else status


def _target_text(rule):
    if rule["direction"] == "within":
        return rule["min"], rule["max"]
    if rule["direction"] in ("below", "at_most"):
        return np.nan, rule["value"]
    return rule["value"], np.nan


def _distance_outside(value, rule):
    """How far ``value`` lies outside the rule's target (0 inside it)."""
    low, high = _target_text(rule)
    below = low - value if not pd.isna(low) else 0.0
    above = value - high if not pd.isna(high) else 0.0
    return max(below, above, 0.0)


def _trend(value, previous, rule):
    """Trend code of a rule between the period before and the period scored.

    "improving" / "worsening" only where the value is outside the rule's target in either
    period: the distance outside the target shrank or grew. Where both values are within the
    target, the move is only "rising" / "falling": a value moving inside its target is neither
    better nor worse by the rule, so one value checked against several rules (days of cover
    against its range, its floor and its ceiling) never gets opposite words.
    """
    change = value - previous
    if pd.isna(change) or change == 0:
        return "flat" if change == 0 else ""
    now, before = _distance_outside(value, rule), _distance_outside(previous, rule)
    if now == before == 0.0:
        return "rising" if change > 0 else "falling"
    if now == before:
        return "flat"
    return "improving" if now < before else "worsening"


def _measure_settings(settings, exchange_rates, velocity_window_days):
    """The settings :func:`measure` reads: ``params["ads"]`` plus rates and the cover window."""
    return {**(settings or {}), "exchange_rates": exchange_rates,
            "velocity_window_days": velocity_window_days}


def scorecard(data, rules, period, settings=None, exchange_rates=None, *,
              velocity_window_days) -> pd.DataFrame:
    """One row per rule: value, target, status (good / watch / breach), trend and source.

    Codes only: rule ids, statuses and trends are left for the presentation layer to put into
    words (:func:`opsanalysis.labels.add_labels`, :func:`opsanalysis.plotting.plot_scorecard`).

    Parameters
    ----------
    data : MarketplaceData or dict of str to DataFrame
        The marketplace's frames by kind.
    rules : dict
        ``params.load(mp)["rules"]``; rules with direction ``info`` are facts, not targets, and
        are left out.
    period : str, Period or (start, end)
        The period scored (``"2026-10"``); the trend compares it with the period before.
    settings : dict, optional
        ``params.load(mp)["ads"]``: ``scorecard_watch_margin``, ``scorecard_watch_edges`` and
        ``attribution_days``. Without it there is no watch band. ``ipi_scores`` (date, score:
        :func:`opsanalysis.ipi.user_scores`) measures ``ipi_score``, "not_measured" without it.
        ``gross_margins`` (month, gross_margin, margin_change:
        :func:`opsanalysis.settlements.margin_stability` of the profit report) measures
        ``gross_margin_stability`` (the latest month of the period against the month before);
        "not_measured" without the key, "no_data" when it is None (no settlement report).
    exchange_rates : dict of str to float, optional
        Marketplace currency per unit of each product-cost currency (``{"CNY": 0.14}``), for
        break-even ACOS when the product master's costs are in another currency.
    velocity_window_days : int
        Sales window of the days-of-cover rules [days]:
        ``params.load(mp)["replenishment"]["velocity_window_days"]``, the window the
        replenishment plan measures velocity over.

    Returns
    -------
    DataFrame
        One row per rule; the rules of :data:`AD_TYPE_RULES` (ACOS, ROAS) measure Sponsored
        Products, and get one more row per other ad type whose reports were read
        (:func:`ad_types_present`; rule id :func:`ad_type_rule_id`, e.g.
        ``"acos_sponsored_brands"``), scored against the same rule, each in its own
        attribution window and with its own coverage. Columns:
        rule_id, value, previous, trend ("improving" | "worsening" outside the target,
        "rising" | "falling" within it, "flat", "" unknown), target_min, target_max, unit,
        direction, status ("good", "watch", "breach", "no_data" when a report the rule needs is
        missing, "not_covered" when the reports were read but cover no day of the window,
        "not_measured" when no report can measure it), numerator, denominator, covered_days
        and window_days [days] (the value is computed on the covered days; NaN for snapshot
        rules such as account health), coverage [fraction], source, checked, period_start,
        period_end (for days-of-cover rules, coverage is that of their velocity window).
    """
    settings = _measure_settings(settings, exchange_rates, velocity_window_days)
    start, end = period_bounds(period)
    before = previous_bounds(start, end)
    margin = settings.get("scorecard_watch_margin", 0.0)
    edges = settings.get("scorecard_watch_edges") or {}
    rows = []
    ad_types = ad_types_present(data)
    scored = [(rule_id, rule_id, rule) for rule_id, rule in rules.items()
              if rule.get("direction") != "info"]
    # the ad-type rules once more for each other ad type read, right after their SP row
    scored = [item for rule_id, base, rule in scored
              for item in [(rule_id, base, rule)] + [
                  (ad_type_rule_id(rule_id, t), base, rule) for t in ad_types
                  if rule_id in AD_TYPE_RULES]]
    for rule_id, base, rule in scored:
        now = measure(data, rule_id, start, end, None, settings)
        then = measure(data, rule_id, *before, None, settings)
        value = float(now["value"].iloc[0]) if now is not None and len(now) else np.nan
        previous = float(then["value"].iloc[0]) if then is not None and len(then) else np.nan
        covered = now.attrs.get("covered_days", np.nan) if now is not None else np.nan
        window = now.attrs.get("window_days", np.nan) if now is not None else np.nan
        status = ("not_measured" if rule_id not in _MEASURES
                  or (rule_id in USER_FIGURES and settings.get(USER_FIGURES[rule_id]) is None)
                  or (rule_id in COMPUTED_FIGURES and COMPUTED_FIGURES[rule_id] not in settings)
                  else "not_covered" if covered == 0
                  else rule_status(value, rule, margin, edges.get(base, "both")))
        low, high = _target_text(rule)
        rows.append({
            "rule_id": rule_id, "value": value, "previous": previous,
            "trend": _trend(value, previous, rule), "target_min": low, "target_max": high,
            "unit": rule.get("unit", ""), "direction": rule["direction"], "status": status,
            "numerator": float(now["numerator"].iloc[0]) if now is not None and len(now)
            else np.nan,
            "denominator": float(now["denominator"].iloc[0]) if now is not None and len(now)
            else np.nan,
            "covered_days": covered, "window_days": window,
            "coverage": safe_divide(covered, window),
            "source": rule.get("source", ""), "checked": rule.get("checked", ""),
            "period_start": start, "period_end": end})
    return pd.DataFrame(rows)


def breach_drivers(data, rule_id, rules, period, by="sku", settings=None, exchange_rates=None, *,
                   velocity_window_days) -> pd.DataFrame:
    """The groups (SKUs by default) behind a rule's value, worst first.

    Each group gets its own value and status, and its ``excess``: how much of the numerator is
    beyond the limit (e.g. for ACOS, spend above target ACOS x sales; for buy box, featured
    page views missing to reach the target share), so that the list is ordered by what fixing
    the group would gain.

    Parameters
    ----------
    data, rules, period, settings, exchange_rates, velocity_window_days
        As for :func:`scorecard`.
    rule_id : str
        The scorecard row to drill into (a rule, or a rule of one ad type:
        ``"acos_sponsored_brands"``, scored against ``rules["acos"]``).
    by : str
        Grouping (``"sku"``, ``"asin"``, ``"campaign"`` ...).

    Returns
    -------
    DataFrame
        by, numerator, denominator, value, status, excess; sorted by excess (largest first).
        Empty when the rule cannot be split by ``by``.
    """
    settings = _measure_settings(settings, exchange_rates, velocity_window_days)
    rule = rules[base_rule_id(rule_id)]
    start, end = period_bounds(period)
    table = measure(data, rule_id, start, end, by, settings)
    if table is None:
        return pd.DataFrame(columns=[by, "numerator", "denominator", "value", "status",
                                     "excess"])
    table = table.copy()
    margin = settings.get("scorecard_watch_margin", 0.0)
    edges = (settings.get("scorecard_watch_edges") or {}).get(base_rule_id(rule_id), "both")
    table["status"] = rule_status(table["value"], rule, margin, edges)
    low, high = _target_text(rule)
    denominator = table["denominator"].fillna(0.0)
    over = table["numerator"] - high * denominator if not pd.isna(high) else 0.0
    under = low * denominator - table["numerator"] if not pd.isna(low) else 0.0
    table["excess"] = np.fmax(np.fmax(as_float(pd.Series(over, index=table.index)),
                                      as_float(pd.Series(under, index=table.index))), 0.0)
    order = table["status"].map({s: i for i, s in enumerate(("breach", "watch", "good",
                                                             "no_data"))})
    return (table.assign(_order=order).sort_values(["_order", "excess"], ascending=[True, False])
            .drop(columns="_order").reset_index(drop=True))


#: Groupings tried, in order, when drilling into a rule.
DRILL_GROUPINGS = ("sku", "campaign")


#: Rules whose SKU drivers are matched with the replenishment plan's status.
COVER_RULES = ("days_of_cover", "days_of_cover_floor", "excess_days_of_supply")


def drill_down(data, card, rules, period, settings=None, statuses=("breach",), top=5,
               exchange_rates=None, *, velocity_window_days, plan=None) -> pd.DataFrame:
    """The worst groups behind every rule in ``statuses`` on a scorecard.

    Each rule is split by SKU where its data allow, else by campaign (account-health rates
    cannot be split). Only groups that are themselves outside the target ("breach") are
    listed: a group within target does not drive a breach, however large its share.

    Parameters
    ----------
    data, rules, period, settings, exchange_rates, velocity_window_days
        As for :func:`scorecard`.
    card : DataFrame
        The scorecard.
    statuses : sequence of str
        Statuses to drill into.
    top : int
        Groups kept per rule.
    plan : DataFrame, optional
        The replenishment plan's table (``sku``, ``status``, ``reason``:
        ``opsanalysis.replenishment.plan(...).table``). When given, each SKU driver of a
        days-of-cover rule gets the plan's ``plan_status`` and ``plan_reason``, so that a
        cover breach and the plan's order can be read side by side.

    Returns
    -------
    DataFrame
        rule_id, grouping ("sku" | "campaign"), group, numerator, denominator, value, status,
        excess (+ plan_status, plan_reason with ``plan``); worst first within each rule.
    """
    parts = []
    for row in card[card["status"].isin(statuses)].itertuples():
        for grouping in DRILL_GROUPINGS:
            drivers = breach_drivers(data, row.rule_id, rules, period, grouping, settings,
                                     exchange_rates, velocity_window_days=velocity_window_days)
            drivers = drivers[drivers["status"] == "breach"]
            if len(drivers):
                drivers = drivers.head(top).rename(columns={grouping: "group"})
                parts.append(drivers[["group", "numerator", "denominator", "value", "status",
                                      "excess"]].assign(rule_id=row.rule_id,
                                                        grouping=grouping))
                break
    columns = ["rule_id", "grouping", "group", "numerator", "denominator", "value", "status",
               "excess"]
    table = (pd.concat(parts, ignore_index=True)[columns] if parts
             else pd.DataFrame(columns=columns))
    return table if plan is None else _with_plan(table, plan)


def _with_plan(drivers, plan):
    """The plan's status and reason beside each SKU driver of a days-of-cover rule."""
    plan = plan.drop_duplicates("sku").set_index("sku")
    matched = drivers["rule_id"].isin(COVER_RULES) & drivers["grouping"].eq("sku")
    for column in ("status", "reason"):
        values = drivers["group"].map(plan[column]) if column in plan else np.nan
        drivers[f"plan_{column}"] = pd.Series(values, index=drivers.index).where(matched)
    return drivers


def return_rate_by_month(data, as_of, months) -> pd.DataFrame:
    """Return rate of each of the last ``months`` calendar months up to ``as_of``, with coverage.

    Each month is measured as the scorecard's return-rate rule measures a window (returned
    units / ordered units on the days both the returns and the sales reports cover), so a month
    the returns report does not cover is "not_covered", never a 0 % rate.

    Parameters
    ----------
    data : MarketplaceData or dict of str to DataFrame
    as_of : date-like
        Last day of the last month counted (that month is partial when as_of is not its end).
    months : int
        Number of months [count].

    Returns
    -------
    DataFrame
        period (first day of the month), period_end, returned, ordered [units], return_rate
        [fraction], covered_days, window_days [days], status ("measured", "not_covered",
        "no_data" when a returns or sales report is missing); oldest first.
    """
    end = pd.Timestamp(as_of).normalize()
    rows = []
    for step in range(months - 1, -1, -1):
        first = (end - pd.offsets.MonthBegin(1) if end.day != 1 else end) - pd.DateOffset(
            months=step)
        first = first.replace(day=1)
        last = min(first + pd.offsets.MonthEnd(0), end)
        table = measure(data, "return_rate", first, last)
        covered = table.attrs.get("covered_days", 0) if table is not None else np.nan
        value = table.iloc[0] if table is not None and len(table) else None
        rows.append({"period": first, "period_end": last,
                     "returned": value["numerator"] if value is not None else np.nan,
                     "ordered": value["denominator"] if value is not None else np.nan,
                     "return_rate": value["value"] if value is not None else np.nan,
                     "covered_days": covered, "window_days": int((last - first).days) + 1,
                     "status": "no_data" if table is None
                     else "measured" if value is not None else "not_covered"})
    return pd.DataFrame(rows)

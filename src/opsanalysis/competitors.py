"""Competitors, prices, buy box, sales rank and reviews from Keepa exports (analysis layer).

Inputs are the frames of :mod:`opsanalysis.io` (``keepa_history``, ``keepa_product``,
``competitors``, ``all_orders`` or ``business_report_asin``); settings (thresholds, windows) are
cut from ``params["competitors"]`` and ``params["rules"]`` by the caller. Nothing here reads YAML
or draws.

Keepa records a series when it changes; :func:`daily_history` turns the records into one row per
ASIN and day, each series carried forward from its last record (a missing buy-box price after a
recorded one stays missing: Keepa writes an empty cell when there is no buy box).

What the data measures and what it cannot:

- competitor price changes beyond a threshold, with date and size (:func:`price_changes`);
- our price against each competitor's (:func:`price_position`);
- buy-box losses of our ASINs: days without a buy box, and days the buy box sold below our own
  price, i.e. to another offer, when our price is known (:func:`buy_box_losses`); who holds
  the buy box is not in a history export;
- sales rank (Keepa's root-category rank, not a sub-category's) against the top-N rule
  (:func:`sales_rank_position`, :func:`measure_bsr_rank`);
- rating and review-count trends and new reviews per week = rises of the review count
  (:func:`review_trends`, :func:`weekly_new_reviews`, :func:`measure_new_reviews_per_week`).
  The number of *negative* reviews is not measurable from counts and average ratings: a week
  whose rating fell had at least one review below the average, nothing more
  (``rating_fell`` in :func:`weekly_new_reviews`);
- a competitor's price cut followed by a drop of our sales is reported as the likely cause
  (:func:`price_cut_sales_dips`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsanalysis.io import is_cancelled

__all__ = [
    "SERIES",
    "buy_box_losses",
    "daily_history",
    "daily_units",
    "measure_bsr_rank",
    "measure_new_reviews_per_week",
    "price_changes",
    "price_cut_sales_dips",
    "price_position",
    "review_trends",
    "sales_rank_position",
    "weekly_new_reviews",
]

#: The series of a Keepa history, as canonical columns.
SERIES = ("amazon_price", "new_price", "buy_box_price", "sales_rank", "new_offer_count",
          "rating", "review_count")
_CARRY = ("sales_rank", "new_offer_count", "rating", "review_count")


def daily_history(history: pd.DataFrame, end=None) -> pd.DataFrame:
    """One row per ASIN and day from Keepa history records.

    Parameters
    ----------
    history : DataFrame
        ``keepa_history`` (date, asin and the :data:`SERIES` it holds); several records of a
        day keep the last.
    end : date-like, optional
        Last day of the frame (default: the last record) [date].

    Returns
    -------
    DataFrame
        asin, date, the series, and ``price`` [currency]: the buy-box price, else the lowest new
        price. Counts, rank and rating are carried forward from the last record; prices are
        carried forward only over days with no record at all.
    """
    frame = history.copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
    for column in SERIES:
        if column not in frame:
            frame[column] = np.nan
    frame = frame.sort_values(["asin", "date"], kind="stable")
    frame = frame.drop_duplicates(["asin", "date"], keep="last")
    last = pd.Timestamp(end).normalize() if end is not None else frame["date"].max()
    parts = []
    for asin, records in frame.groupby("asin", sort=True):
        days = pd.date_range(records["date"].min(), max(last, records["date"].min()), freq="D")
        daily = records.set_index("date")[list(SERIES)].astype("float64")
        daily = daily[daily.index <= last].reindex(days)
        recorded = daily.notna().any(axis=1) | daily.index.isin(records["date"])
        filled = daily.ffill()
        for column in ("amazon_price", "new_price", "buy_box_price"):
            filled[column] = daily[column].where(recorded, filled[column])
        filled.insert(0, "asin", asin)
        parts.append(filled.rename_axis("date").reset_index())
    if not parts:
        return pd.DataFrame(columns=["asin", "date", *SERIES, "price"])
    out = pd.concat(parts, ignore_index=True)
    out["price"] = out["buy_box_price"].fillna(out["new_price"])
    return out[["asin", "date", *SERIES, "price"]]


def price_changes(daily: pd.DataFrame, pairs: pd.DataFrame, threshold: float, start=None,
                  end=None) -> pd.DataFrame:
    """Competitor price changes of at least ``threshold`` from one day to the next.

    Parameters
    ----------
    daily : DataFrame
        :func:`daily_history`.
    pairs : DataFrame
        our_asin, competitor_asin, competitor_name (``kinds_keepa.check_competitors``).
    threshold : float
        Smallest change reported [fraction of the price the day before].
    start, end : date-like, optional
        Days a change may fall on (inclusive).

    Returns
    -------
    DataFrame
        our_asin, competitor_asin, competitor_name, date, price_before, price_after [currency],
        price_change_share [fraction, negative = cut], direction ("price_cut" / "price_rise"),
        newest first.
    """
    columns = ["our_asin", "competitor_asin", "competitor_name", "date", "price_before",
               "price_after", "price_change_share", "direction"]
    frame = daily.sort_values(["asin", "date"]).copy()
    frame["price_before"] = frame.groupby("asin")["price"].shift(1)
    frame["price_after"] = frame["price"]
    frame["price_change_share"] = frame["price_after"] / frame["price_before"] - 1
    moved = frame[frame["price_change_share"].abs() >= threshold]
    if start is not None:
        moved = moved[moved["date"] >= pd.Timestamp(start)]
    if end is not None:
        moved = moved[moved["date"] <= pd.Timestamp(end)]
    joined = pairs.merge(moved, left_on="competitor_asin", right_on="asin", how="inner")
    if joined.empty:
        return pd.DataFrame(columns=columns)
    joined["direction"] = np.where(joined["price_change_share"] < 0, "price_cut", "price_rise")
    joined = joined.sort_values(["date", "our_asin", "competitor_asin"],
                                ascending=[False, True, True], kind="stable")
    return joined[columns].reset_index(drop=True)


def price_position(daily: pd.DataFrame, pairs: pd.DataFrame, on) -> pd.DataFrame:
    """Our price against each competitor's on one day.

    Parameters
    ----------
    daily : DataFrame
        :func:`daily_history` of our and the competitors' ASINs.
    pairs : DataFrame
        our_asin, competitor_asin, competitor_name.
    on : date-like
        The day compared.

    Returns
    -------
    DataFrame
        our_asin, competitor_asin, competitor_name, our_price, competitor_price [currency],
        price_difference [currency, ours minus theirs], price_difference_share [fraction of
        theirs], position ("cheaper", "dearer", "same_price"; "not_estimated" without both
        prices).
    """
    day = daily[daily["date"] == pd.Timestamp(on).normalize()].set_index("asin")["price"]
    table = pairs[["our_asin", "competitor_asin", "competitor_name"]].copy()
    table["our_price"] = table["our_asin"].map(day).astype("float64")
    table["competitor_price"] = table["competitor_asin"].map(day).astype("float64")
    table["price_difference"] = table["our_price"] - table["competitor_price"]
    table["price_difference_share"] = table["price_difference"] / table["competitor_price"]
    table["position"] = np.select(
        [table["price_difference"].isna(), table["price_difference"] < 0,
         table["price_difference"] > 0], ["not_estimated", "cheaper", "dearer"], "same_price")
    return table.reset_index(drop=True)


def buy_box_losses(daily: pd.DataFrame, our_asins, start, end, our_prices=None) -> pd.DataFrame:
    """Days our ASINs had no buy box, or a buy box below our own price, in [start, end].

    Parameters
    ----------
    daily : DataFrame
        :func:`daily_history`.
    our_asins : iterable of str
    start, end : date-like
        The window (inclusive).
    our_prices : DataFrame, optional
        asin, date, our_price [currency]: the price we sold at (from the orders). Without it
        only days without a buy box are counted.

    Returns
    -------
    DataFrame
        asin, days_observed, days_without_buy_box, days_buy_box_below_our_price (NaN without our
        prices), buy_box_loss_share [fraction of the days observed], last_loss_date.
    """
    window = daily[daily["asin"].isin(list(our_asins))
                   & daily["date"].between(pd.Timestamp(start), pd.Timestamp(end))].copy()
    window["no_buy_box"] = window["buy_box_price"].isna()
    known = our_prices is not None and len(our_prices) > 0
    if known:
        prices = our_prices[["asin", "date", "our_price"]]
        window = window.merge(prices, on=["asin", "date"], how="left")
        # a cent's rounding is no loss
        window["below"] = (window["buy_box_price"] < window["our_price"] - 0.01).fillna(False)
    else:
        window["below"] = False
    window["lost"] = window["no_buy_box"] | window["below"]
    rows = []
    for asin, frame in window.groupby("asin", sort=True):
        lost = frame.loc[frame["lost"], "date"]
        rows.append(dict(asin=asin, days_observed=len(frame),
                         days_without_buy_box=int(frame["no_buy_box"].sum()),
                         days_buy_box_below_our_price=(int(frame["below"].sum()) if known
                                                       else np.nan),
                         buy_box_loss_share=float(frame["lost"].mean()),
                         last_loss_date=lost.max() if len(lost) else pd.NaT))
    columns = ["asin", "days_observed", "days_without_buy_box", "days_buy_box_below_our_price",
               "buy_box_loss_share", "last_loss_date"]
    return pd.DataFrame(rows, columns=columns)


def sales_rank_position(daily: pd.DataFrame, asins, on, rank_limit: float,
                        compare_days: int) -> pd.DataFrame:
    """Sales rank of ``asins`` on one day against the top-``rank_limit`` rule.

    Parameters
    ----------
    daily : DataFrame
        :func:`daily_history`.
    asins : iterable of str
    on : date-like
    rank_limit : float
        Best rank still inside the rule (``rules.bsr_rank.value``: 50).
    compare_days : int
        The rank is compared with the rank this many days before [days].

    Returns
    -------
    DataFrame
        asin, sales_rank, sales_rank_before, rank_change (negative = better), within_rule
        ("inside_rule" / "outside_rule" / "not_estimated"), best first.
    """
    day = pd.Timestamp(on).normalize()
    now = daily[daily["date"] == day].set_index("asin")["sales_rank"]
    before = daily[daily["date"] == day - pd.Timedelta(days=compare_days)] \
        .set_index("asin")["sales_rank"]
    table = pd.DataFrame({"asin": sorted(set(asins))})
    table["sales_rank"] = table["asin"].map(now).astype("float64")
    table["sales_rank_before"] = table["asin"].map(before).astype("float64")
    table["rank_change"] = table["sales_rank"] - table["sales_rank_before"]
    table["within_rule"] = np.select([table["sales_rank"].isna(),
                                      table["sales_rank"] <= rank_limit],
                                     ["not_estimated", "inside_rule"], "outside_rule")
    return table.sort_values("sales_rank", kind="stable", na_position="last") \
        .reset_index(drop=True)


def weekly_new_reviews(daily: pd.DataFrame, asins, end, weeks: int) -> pd.DataFrame:
    """New reviews per ASIN and week (rises of the review count) over the last ``weeks`` weeks.

    Parameters
    ----------
    daily : DataFrame
        :func:`daily_history`.
    asins : iterable of str
    end : date-like
        Last day of the last week.
    weeks : int
        Weeks counted [weeks].

    Returns
    -------
    DataFrame
        asin, week_start, new_reviews [count; NaN where the count is unknown on either side of
        the week], rating_end, rating_fell (bool: the average rating fell during the week, so at
        least one review below the average arrived).
    """
    end = pd.Timestamp(end).normalize()
    rows = []
    frame = daily[daily["asin"].isin(list(asins))].set_index(["asin", "date"])
    for asin in sorted(set(asins)):
        if asin not in frame.index.get_level_values(0):
            continue
        series = frame.loc[asin]
        for k in range(weeks - 1, -1, -1):
            last = end - pd.Timedelta(days=7 * k)
            first = last - pd.Timedelta(days=6)
            before_day = first - pd.Timedelta(days=1)
            count_end = series["review_count"].get(last, np.nan)
            count_start = series["review_count"].get(before_day, np.nan)
            rating_end = series["rating"].get(last, np.nan)
            rating_start = series["rating"].get(before_day, np.nan)
            rows.append(dict(asin=asin, week_start=first,
                             new_reviews=max(count_end - count_start, 0.0)
                             if count_end == count_end and count_start == count_start else np.nan,
                             rating_end=rating_end,
                             rating_fell=bool(rating_end < rating_start)))
    return pd.DataFrame(rows, columns=["asin", "week_start", "new_reviews", "rating_end",
                                       "rating_fell"])


def review_trends(daily: pd.DataFrame, asins, end, weeks: int) -> pd.DataFrame:
    """Rating and review count now against ``weeks`` weeks before, and new reviews per week.

    Parameters
    ----------
    daily : DataFrame
    asins : iterable of str
    end : date-like
    weeks : int
        Comparison span [weeks].

    Returns
    -------
    DataFrame
        asin, rating, rating_before, rating_change, review_count, review_count_before,
        new_reviews [count], new_reviews_per_week [count/week], weeks_rating_fell [count].
    """
    weekly = weekly_new_reviews(daily, asins, end, weeks)
    end = pd.Timestamp(end).normalize()
    start = end - pd.Timedelta(days=7 * weeks)
    index = daily.set_index(["asin", "date"])
    rows = []
    for asin, frame in weekly.groupby("asin", sort=True):
        def value(column, day, asin=asin):
            return float(index[column].get((asin, day), np.nan))

        rating, before = value("rating", end), value("rating", start)
        count, count_before = value("review_count", end), value("review_count", start)
        new = frame["new_reviews"]
        rows.append(dict(asin=asin, rating=rating, rating_before=before,
                         rating_change=rating - before, review_count=count,
                         review_count_before=count_before,
                         new_reviews=float(new.sum()) if new.notna().all() else np.nan,
                         new_reviews_per_week=float(new.mean()) if new.notna().all() else np.nan,
                         weeks_rating_fell=int(frame["rating_fell"].sum())))
    return pd.DataFrame(rows, columns=["asin", "rating", "rating_before", "rating_change",
                                       "review_count", "review_count_before", "new_reviews",
                                       "new_reviews_per_week", "weeks_rating_fell"])


def daily_units(orders=None, business_asin=None) -> pd.DataFrame:
    """Units ordered per ASIN and day, from the orders or else the Business Report by ASIN.

    Parameters
    ----------
    orders : DataFrame, optional
        ``all_orders`` (purchase_date, asin, quantity, order_status); cancelled lines left out.
    business_asin : DataFrame, optional
        ``business_report_asin`` (period_start, period_end, child_asin, units_ordered): a
        period's units are spread evenly over its days.

    Returns
    -------
    DataFrame
        asin, date, units [units], our_price [currency per unit; NaN without orders]; None when
        neither report is given.
    """
    if orders is not None and len(orders):
        frame = orders
        if "order_status" in frame:
            frame = frame[~is_cancelled(frame)]
        dates = pd.to_datetime(frame["purchase_date"])
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_localize(None)
        table = pd.DataFrame({"asin": frame["asin"].astype("string"),
                              "date": dates.dt.normalize(),
                              "units": frame["quantity"].astype("float64"),
                              "amount": (frame["item_price"].astype("float64")
                                         if "item_price" in frame else np.nan)})
        grouped = table.groupby(["asin", "date"], as_index=False)[["units", "amount"]].sum(
            min_count=1)
        grouped["our_price"] = grouped["amount"] / grouped["units"].where(grouped["units"] > 0)
        return grouped[["asin", "date", "units", "our_price"]]
    if business_asin is not None and len(business_asin):
        rows = []
        for row in business_asin.itertuples():
            days = pd.date_range(row.period_start, row.period_end, freq="D")
            share = float(row.units_ordered) / len(days) if len(days) else np.nan
            rows += [(row.child_asin, day, share) for day in days]
        table = pd.DataFrame(rows, columns=["asin", "date", "units"])
        table = table.groupby(["asin", "date"], as_index=False)["units"].sum()
        table["our_price"] = np.nan
        return table
    return None


def price_cut_sales_dips(changes: pd.DataFrame, units: pd.DataFrame, window_days: int,
                         dip_threshold: float) -> pd.DataFrame:
    """Competitor price cuts followed by a drop of our sales: the likely cause of the dip.

    Parameters
    ----------
    changes : DataFrame
        :func:`price_changes`.
    units : DataFrame
        :func:`daily_units` (asin, date, units).
    window_days : int
        Our units over this many days from the cut are compared with as many days before
        it [days].
    dip_threshold : float
        Smallest drop of our units reported [fraction].

    Returns
    -------
    DataFrame
        our_asin, competitor_asin, competitor_name, cut_date, price_before, price_after,
        price_change_share [fraction], units_before, units_after [units],
        sales_change_share [fraction]; only cuts whose two windows the sales data covers and
        whose drop reaches ``dip_threshold``, newest first.
    """
    columns = ["our_asin", "competitor_asin", "competitor_name", "cut_date", "price_before",
               "price_after", "price_change_share", "units_before", "units_after",
               "sales_change_share"]
    cuts = changes[changes["direction"] == "price_cut"]
    if units is None or cuts.empty:
        return pd.DataFrame(columns=columns)
    first, last = units["date"].min(), units["date"].max()
    per_asin = units.groupby(["asin", "date"])["units"].sum()
    rows = []
    span = pd.Timedelta(days=window_days)
    for cut in cuts.itertuples():
        day = pd.Timestamp(cut.date)
        if day - span < first or day + span - pd.Timedelta(days=1) > last:
            continue
        if cut.our_asin in per_asin.index.get_level_values(0):
            series = per_asin.loc[cut.our_asin]
        else:
            series = pd.Series(dtype="float64")
        before = float(series[(series.index >= day - span) & (series.index < day)].sum())
        after = float(series[(series.index >= day) & (series.index < day + span)].sum())
        if before <= 0:
            continue
        change = after / before - 1
        if change <= -dip_threshold:
            rows.append(dict(our_asin=cut.our_asin, competitor_asin=cut.competitor_asin,
                             competitor_name=cut.competitor_name, cut_date=day,
                             price_before=cut.price_before, price_after=cut.price_after,
                             price_change_share=cut.price_change_share, units_before=before,
                             units_after=after, sales_change_share=change))
    return pd.DataFrame(rows, columns=columns)


def measure_bsr_rank(daily, our_asins, start, end, by=None) -> pd.DataFrame | None:
    """The ``bsr_rank`` rule's KPI: the median over our ASINs of their mean sales rank.

    Parameters
    ----------
    daily : DataFrame or None
        :func:`daily_history` (None: no Keepa history, "no_data").
    our_asins : iterable of str
    start, end : date-like
        The window (inclusive).
    by : {None, "asin"}
        ``"asin"``: one row per ASIN.

    Returns
    -------
    DataFrame or None
        keys, numerator, denominator, value (the scoring shape of ``kpi.scoring.measure``):
        numerator = the rank, denominator = 1; ``attrs`` covered_days and window_days [days].
        Empty when no ASIN has a rank in the window.
    """
    if daily is None:
        return None
    if by not in (None, "asin"):
        return None
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    window = daily[daily["asin"].isin(list(our_asins)) & daily["date"].between(start, end)]
    ranks = window.dropna(subset=["sales_rank"]).groupby("asin")["sales_rank"].mean()
    if by == "asin":
        table = pd.DataFrame({"asin": ranks.index, "numerator": ranks.to_numpy(),
                              "denominator": 1.0, "value": ranks.to_numpy()})
    elif len(ranks):
        median = float(ranks.median())
        table = pd.DataFrame({"numerator": [median], "denominator": [1.0], "value": [median]})
    else:
        table = pd.DataFrame(columns=["numerator", "denominator", "value"])
    table.attrs.update(covered_days=int(window["date"].nunique()),
                       window_days=int((end - start).days + 1))
    return table


def measure_new_reviews_per_week(daily, our_asins, start, end, by=None) -> pd.DataFrame | None:
    """New reviews per week over our ASINs in [start, end] (rises of the review count).

    The measurable part of the review rules: the count of new reviews, not how many were
    negative (``negative_reviews_per_week`` stays not measured from Keepa data).

    Parameters
    ----------
    daily : DataFrame or None
    our_asins : iterable of str
    start, end : date-like
    by : {None, "asin"}

    Returns
    -------
    DataFrame or None
        keys, numerator (new reviews), denominator (weeks), value [reviews per week].
    """
    if daily is None or by not in (None, "asin"):
        return None
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    weeks = ((end - start).days + 1) / 7
    index = daily.set_index(["asin", "date"])["review_count"]
    rows = []
    for asin in sorted(set(our_asins)):
        now = index.get((asin, end), np.nan)
        before = index.get((asin, start - pd.Timedelta(days=1)), np.nan)
        if now == now and before == before:
            rows.append((asin, max(float(now - before), 0.0)))
    if by == "asin":
        table = pd.DataFrame({"asin": [a for a, _ in rows], "numerator": [n for _, n in rows],
                              "denominator": weeks})
        table["value"] = table["numerator"] / weeks
    elif rows:
        total = sum(n for _, n in rows)
        table = pd.DataFrame({"numerator": [total], "denominator": [weeks],
                              "value": [total / weeks]})
    else:
        table = pd.DataFrame(columns=["numerator", "denominator", "value"])
    covered = daily[daily["date"].between(start, end)]["date"].nunique()
    table.attrs.update(covered_days=int(covered), window_days=int((end - start).days + 1))
    return table

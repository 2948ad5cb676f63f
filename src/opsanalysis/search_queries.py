"""Search-query share, competitors and query actions from Amazon Brand Analytics.

From the Search Query Performance report (``sqp_brand`` or ``sqp_asin`` frames, one weekly
download per week) and the Top Search Terms report (``top_search_terms``):

- :func:`weekly_query_shares`: per search query and week, the query's totals and ours of
  impressions, clicks, cart adds and purchases, and our share of each (ours / all);
- :func:`share_trend`: per query, the latest shares and their trend -- the least-squares slope of
  the weekly share over the latest ``trend_weeks`` weeks, times the weeks it spans (the fitted
  change over the window); a query whose fitted click-share change is at most
  ``-falling_share_change`` is ``losing_share``;
- :func:`top_clicked`, :func:`competitor_table`, :func:`top_three_movers`: who takes the clicks
  on our queries (the three most clicked products and brands of each term) and who moved into or
  out of those three this week against last week -- the weekly top-competitor benchmark;
- :func:`query_actions`: over the latest ``action_weeks`` weeks, a query whose purchase share
  exceeds its click share by ``action_margin`` (and by more than chance, ``action_z``
  standard errors) converts better than its visibility (``bid_up``), one that falls short by
  as much loses shoppers on the detail page (``fix_listing``); one action and one reason per
  query (:data:`ACTION_REASONS`);
- :func:`category_search_market`: per product category, the query volume and search frequency
  rank (demand) and the top-three click share (competition) of the queries our ASINs of the
  category are found by, with where each figure came from -- the opportunity matrix's input.

Settings come from ``params["search_queries"]`` cut by the caller. Shares are fractions
(0.25 = 25 %); a share whose total is zero or missing is NaN ("not estimated" in reports).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsanalysis.frames import as_float, safe_divide

__all__ = ["ACTION_REASONS", "STAGES", "category_search_market", "competitor_table",
           "query_actions", "share_trend", "top_clicked", "top_three_movers",
           "weekly_query_shares"]

#: Funnel stages of Search Query Performance, in funnel order.
STAGES = ("impressions", "clicks", "cart_adds", "purchases")
_SINGLE = {"impressions": "impression", "clicks": "click", "cart_adds": "cart_add",
           "purchases": "purchase"}
#: The one reason of each query action (the same in every table, sentence and workbook).
ACTION_REASONS = {"bid_up": "purchase_share_above_click_share",
                  "fix_listing": "purchase_share_below_click_share",
                  "hold": "purchase_share_near_click_share",
                  "not_estimated": "too_few_clicks"}
#: Positions the Top Search Terms report lists per search term.
_POSITIONS = (1, 2, 3)


def _share_column(stage: str) -> str:
    return f"own_{_SINGLE[stage]}_share"


def _weekly_rows(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Rows of weekly reports with their week; a clear error when the week is unknown."""
    if "reporting_range" in frame.columns:
        ranges = frame["reporting_range"].astype("string").str.lower()
        frame = frame[ranges.isna() | ranges.eq("weekly")]
    frame = frame.copy()
    if "period_end" not in frame.columns or frame["period_end"].isna().all():
        if "reporting_date" not in frame.columns or frame["reporting_date"].isna().any():
            raise ValueError(f"{name}: the week of the report is unknown: no Brand Analytics "
                             "filter line (Select week=[...]) above the header and no "
                             "'Reporting Date' column; expected a weekly download as Seller "
                             "Central writes it")
        frame["period_end"] = frame["reporting_date"]
        frame["period_start"] = frame["reporting_date"] - pd.Timedelta(days=6)
    return frame


def weekly_query_shares(sqp: pd.DataFrame | None) -> pd.DataFrame:
    """Our share of each search query's impressions, clicks, cart adds and purchases per week.

    Parameters
    ----------
    sqp : DataFrame or None
        Canonical ``sqp_brand`` or ``sqp_asin`` frame (weekly downloads; other reporting
        ranges are left out). In the ASIN view our counts are summed over our ASINs and the
        query's totals are taken once.

    Returns
    -------
    DataFrame
        One row per search_query and week: search_query, period_start, period_end,
        search_query_volume [searches], total_<stage> and own_<stage> [count] for impressions,
        clicks, cart_adds, purchases, and own_<stage>_share [fraction: ours / total; NaN where
        the total is zero or missing]. Sorted by week, then query. Empty without a report.

    Raises
    ------
    ValueError
        When the frame carries neither the report's week nor a reporting date.
    """
    totals = [f"total_{stage}" for stage in STAGES]
    owns = [f"own_{stage}" for stage in STAGES]
    columns = ["search_query", "period_start", "period_end", "search_query_volume", *totals,
               *owns, *[_share_column(stage) for stage in STAGES]]
    if sqp is None or not len(sqp):
        return pd.DataFrame(columns=columns)
    frame = _weekly_rows(sqp, sqp.attrs.get("kind", "sqp"))
    work = pd.DataFrame({"search_query": frame["search_query"].astype(str),
                         "period_start": frame["period_start"],
                         "period_end": frame["period_end"]})
    for name in ("search_query_volume", *totals, *owns):
        work[name] = as_float(frame[name]) if name in frame.columns else np.nan
    keys = ["period_end", "period_start", "search_query"]
    grouped = work.groupby(keys, sort=True, dropna=False)
    # the query's totals repeat on every ASIN row of the ASIN view: taken once
    table = grouped[["search_query_volume", *totals]].max()
    table[owns] = grouped[owns].sum(min_count=1)
    table = table.reset_index()
    for stage in STAGES:
        table[_share_column(stage)] = safe_divide(table[f"own_{stage}"],
                                                  table[f"total_{stage}"])
    return table[columns].reset_index(drop=True)


def _fitted_change(weeks: pd.DataFrame, value: str) -> float:
    """Least-squares slope of ``value`` per week times the weeks spanned (NaN below 3 points)."""
    known = weeks[weeks[value].notna()]
    if len(known) < 3:
        return np.nan
    x = (known["period_end"] - known["period_end"].min()).dt.days.to_numpy() / 7.0
    if np.ptp(x) == 0:
        return np.nan
    slope = np.polyfit(x, known[value].to_numpy(dtype=float), 1)[0]
    return float(slope * np.ptp(x))


def share_trend(shares: pd.DataFrame, trend_weeks: int,
                falling_share_change: float) -> pd.DataFrame:
    """Latest shares of each search query and their change over the latest weeks.

    Parameters
    ----------
    shares : DataFrame
        :func:`weekly_query_shares`.
    trend_weeks : int
        Weekly reports the trend is fitted over (the latest ones of the frame) [weeks].
    falling_share_change : float
        A fitted click-share change at most minus this is ``losing_share``; at least this,
        ``gaining_share`` [fraction points].

    Returns
    -------
    DataFrame
        One row per query of the latest week: search_query, period_end (latest week),
        weeks [count of weekly reports in the window holding the query], search_query_volume
        [searches, latest week], own_impression_share, own_click_share, own_cart_add_share,
        own_purchase_share [fraction, latest week], click_share_change,
        purchase_share_change [fraction points, fitted over the window; NaN below three
        weeks], trend ("losing_share", "gaining_share", "steady_share" or "not_estimated").
        Sorted by click_share_change (biggest loss first), then volume.
    """
    columns = ["search_query", "period_end", "weeks", "search_query_volume",
               *[_share_column(stage) for stage in STAGES], "click_share_change",
               "purchase_share_change", "trend"]
    if shares is None or not len(shares):
        return pd.DataFrame(columns=columns)
    weeks = sorted(shares["period_end"].dropna().unique())[-int(trend_weeks):]
    window = shares[shares["period_end"].isin(weeks)]
    latest = window[window["period_end"] == weeks[-1]].set_index("search_query")
    rows = []
    for query, block in window.groupby("search_query", sort=True):
        if query not in latest.index:
            continue
        row = latest.loc[query]
        rows.append({"search_query": query, "period_end": row["period_end"],
                     "weeks": float(len(block)),
                     "search_query_volume": row["search_query_volume"],
                     **{_share_column(s): row[_share_column(s)] for s in STAGES},
                     "click_share_change": _fitted_change(block, "own_click_share"),
                     "purchase_share_change": _fitted_change(block, "own_purchase_share")})
    table = pd.DataFrame(rows, columns=columns[:-1])
    change = table["click_share_change"]
    table["trend"] = np.select(
        [change.isna(), change <= -falling_share_change, change >= falling_share_change],
        ["not_estimated", "losing_share", "gaining_share"], "steady_share")
    return table.sort_values(["click_share_change", "search_query_volume"],
                             ascending=[True, False], na_position="last",
                             kind="stable").reset_index(drop=True)


def top_clicked(top_search_terms: pd.DataFrame | None, queries=None) -> pd.DataFrame:
    """The three most clicked products and brands of each search term, one row per position.

    Parameters
    ----------
    top_search_terms : DataFrame or None
        Canonical ``top_search_terms`` frame (weekly downloads).
    queries : iterable of str, optional
        Keep these search terms only (compared case-insensitively, spaces trimmed).

    Returns
    -------
    DataFrame
        search_term, period_start, period_end, search_frequency_rank, click_position (1-3), asin,
        title, click_share, conversion_share [fraction of the term's clicks / purchases],
        brand (the term's ``click_position``-th most clicked brand, ranked on its own: not
        necessarily the brand of that ASIN). Rows without an ASIN nor a brand are left out.
    """
    columns = ["search_term", "period_start", "period_end", "search_frequency_rank", "click_position",
               "asin", "title", "click_share", "conversion_share", "brand"]
    if top_search_terms is None or not len(top_search_terms):
        return pd.DataFrame(columns=columns)
    frame = _weekly_rows(top_search_terms, "top_search_terms")
    if queries is not None:
        wanted = {str(q).strip().lower() for q in queries}
        frame = frame[frame["search_term"].astype(str).str.strip().str.lower().isin(wanted)]
    parts = []
    for position in _POSITIONS:
        def pick(name, frame=frame):
            return frame[name] if name in frame.columns else pd.Series(pd.NA, index=frame.index)
        parts.append(pd.DataFrame({
            "search_term": frame["search_term"].astype(str),
            "period_start": frame["period_start"], "period_end": frame["period_end"],
            "search_frequency_rank": as_float(frame["search_frequency_rank"]),
            "click_position": float(position),
            "asin": pick(f"clicked_asin_{position}").astype("string").str.upper(),
            "title": pick(f"clicked_title_{position}").astype("string"),
            "click_share": as_float(pick(f"click_share_{position}")),
            "conversion_share": as_float(pick(f"conversion_share_{position}")),
            "brand": pick(f"top_clicked_brand_{position}").astype("string")}))
    table = pd.concat(parts, ignore_index=True)
    table = table[table["asin"].notna() | table["brand"].notna()]
    return table.sort_values(["period_end", "search_frequency_rank", "search_term", "click_position"],
                             kind="stable").reset_index(drop=True)[columns]


def competitor_table(top: pd.DataFrame, own_asins) -> pd.DataFrame:
    """The products that take the clicks on our search terms in the latest week.

    Parameters
    ----------
    top : DataFrame
        :func:`top_clicked`, limited to our queries.
    own_asins : iterable of str
        Our ASINs (left out of the table).

    Returns
    -------
    DataFrame
        One row per competitor ASIN: asin, title, period_end, search_terms [count of our terms
        where it is among the three most clicked], best_click_position, click_share (mean over those
        terms) [fraction], conversion_share (mean) [fraction], top_search_term (its term of the
        highest click share). Most terms first, then highest click share.
    """
    columns = ["asin", "title", "period_end", "search_terms", "best_click_position", "click_share",
               "conversion_share", "top_search_term"]
    if top is None or not len(top):
        return pd.DataFrame(columns=columns)
    own = {str(a).upper() for a in own_asins}
    latest = top[(top["period_end"] == top["period_end"].max()) & top["asin"].notna()
                 & ~top["asin"].isin(own)]
    if not len(latest):
        return pd.DataFrame(columns=columns)
    best = latest.sort_values(["click_share", "search_term"], ascending=[False, True],
                              kind="stable").drop_duplicates("asin")
    grouped = latest.groupby("asin", sort=False)
    table = pd.DataFrame({
        "search_terms": grouped["search_term"].nunique().astype(float),
        "best_click_position": grouped["click_position"].min(),
        "click_share": grouped["click_share"].mean(),
        "conversion_share": grouped["conversion_share"].mean()})
    table = best.set_index("asin")[["title", "period_end", "search_term"]] \
        .rename(columns={"search_term": "top_search_term"}).join(table).reset_index()
    return table.sort_values(["search_terms", "click_share", "asin"],
                             ascending=[False, False, True], kind="stable") \
        .reset_index(drop=True)[columns]


def top_three_movers(top: pd.DataFrame, own_asins, own_brands=()) -> pd.DataFrame:
    """Products and brands that entered or left a search term's three most clicked this week.

    The latest week of ``top`` against the week before it (the weekly top-competitor
    benchmark). Products are compared by ASIN, brands by name, each in its own ranking.

    Parameters
    ----------
    top : DataFrame
        :func:`top_clicked`, limited to our queries.
    own_asins, own_brands : iterable of str
        Ours (marked ``own`` so that our own losses show).

    Returns
    -------
    DataFrame
        search_term, period_end (latest week), competitor_type ("asin" or "brand"),
        competitor (ASIN or brand name), title, movement ("entered_top_three" or "left_top_three"), click_position
        (this week; NaN when it left), previous_click_position (last week; NaN when it entered),
        click_share [fraction, this week for an entry, last week for an exit], own (bool).
        Empty when fewer than two weeks are held.
    """
    columns = ["search_term", "period_end", "competitor_type", "competitor", "title",
               "movement", "click_position", "previous_click_position", "click_share", "own"]
    weeks = sorted(top["period_end"].dropna().unique()) if top is not None and len(top) else []
    if len(weeks) < 2:
        return pd.DataFrame(columns=columns)
    own_a = {str(a).upper() for a in own_asins}
    own_b = {str(b).lower() for b in own_brands}
    now, before = (top[top["period_end"] == week] for week in (weeks[-1], weeks[-2]))
    rows = []
    for kind, key in (("asin", "asin"), ("brand", "brand")):
        current = now[now[key].notna()].assign(competitor_key=lambda f, k=key: f[k].astype(str))
        previous = before[before[key].notna()].assign(competitor_key=lambda f, k=key: f[k].astype(str))
        if kind == "brand":
            current = current.assign(competitor_key=current["competitor_key"].str.strip())
            previous = previous.assign(competitor_key=previous["competitor_key"].str.strip())
        terms = sorted(set(current["search_term"]) & set(previous["search_term"]))
        for term in terms:
            this = current[current["search_term"] == term].drop_duplicates("competitor_key")
            last = previous[previous["search_term"] == term].drop_duplicates("competitor_key")
            for movement, group, other in (("entered_top_three", this, last), ("left_top_three", last, this)):
                for row in group[~group["competitor_key"].isin(set(other["competitor_key"]))].itertuples():
                    name = row.competitor_key
                    rows.append({
                        "search_term": term, "period_end": weeks[-1], "competitor_type": kind,
                        "competitor": name,
                        "title": row.title if kind == "asin" else pd.NA,
                        "movement": movement,
                        "click_position": row.click_position if movement == "entered_top_three" else np.nan,
                        "previous_click_position": row.click_position if movement == "left_top_three" else np.nan,
                        "click_share": row.click_share if kind == "asin" else np.nan,
                        "own": (name.upper() in own_a) if kind == "asin"
                        else (name.lower() in own_b)})
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["search_term", "competitor_type", "movement", "competitor"],
                             kind="stable").reset_index(drop=True)


def query_actions(shares: pd.DataFrame, action_weeks: int, action_margin: float,
                  action_min_clicks: float, action_z: float) -> pd.DataFrame:
    """Bid up or fix the listing: purchase share against click share per search query.

    Parameters
    ----------
    shares : DataFrame
        :func:`weekly_query_shares`.
    action_weeks : int
        The latest weekly reports summed [weeks].
    action_margin : float
        Purchase share above click share by at least this: ``bid_up``; below by at least
        this: ``fix_listing``; else ``hold`` [fraction points].
    action_min_clicks : float
        Our clicks on the query over the window needed to judge it; fewer: ``not_estimated``
        [count].
    action_z : float
        The gap must also exceed this many standard errors of a purchase share drawn from the
        query's purchases at our click share (``sqrt(c (1 - c) / total_purchases)``), else
        ``hold``: a few purchases more or less do not move a bid [standard errors].

    Returns
    -------
    DataFrame
        One row per query: search_query, period_start, period_end (the window), own_clicks,
        total_clicks, own_purchases, total_purchases [count], own_click_share,
        own_purchase_share [fraction], share_gap [fraction points: purchase minus click
        share], action and reason (:data:`ACTION_REASONS`). bid_up first (largest gap), then
        fix_listing (largest shortfall), then hold and not_estimated.
    """
    columns = ["search_query", "period_start", "period_end", "own_clicks", "total_clicks",
               "own_purchases", "total_purchases", "own_click_share", "own_purchase_share",
               "share_gap", "action", "reason"]
    if shares is None or not len(shares):
        return pd.DataFrame(columns=columns)
    weeks = sorted(shares["period_end"].dropna().unique())[-int(action_weeks):]
    window = shares[shares["period_end"].isin(weeks)]
    grouped = window.groupby("search_query", sort=True)
    table = grouped[["own_clicks", "total_clicks", "own_purchases", "total_purchases"]] \
        .sum(min_count=1)
    table.insert(0, "period_start", grouped["period_start"].min())
    table.insert(1, "period_end", grouped["period_end"].max())
    table = table.reset_index()
    table["own_click_share"] = safe_divide(table["own_clicks"], table["total_clicks"])
    table["own_purchase_share"] = safe_divide(table["own_purchases"], table["total_purchases"])
    table["share_gap"] = table["own_purchase_share"] - table["own_click_share"]
    judged = (table["own_clicks"] >= action_min_clicks) & table["share_gap"].notna()
    clicks = table["own_click_share"]
    error = np.sqrt(clicks * (1 - clicks) / table["total_purchases"].where(
        table["total_purchases"] > 0))
    # a tolerance keeps a gap of exactly the margin on the acting side despite float rounding
    edge = np.maximum(action_margin, action_z * error.fillna(np.inf)) - 1e-12
    table["action"] = np.select(
        [~judged, table["share_gap"] >= edge, table["share_gap"] <= -edge],
        ["not_estimated", "bid_up", "fix_listing"], "hold")
    table["reason"] = table["action"].map(ACTION_REASONS)
    order = table["action"].map({"bid_up": 0, "fix_listing": 1, "hold": 2, "not_estimated": 3})
    magnitude = -table["share_gap"].abs().fillna(0.0)
    return table.assign(_order=order, _magnitude=magnitude) \
        .sort_values(["_order", "_magnitude", "search_query"], kind="stable") \
        .drop(columns=["_order", "_magnitude"]).reset_index(drop=True)[columns]


def category_search_market(sqp_asin: pd.DataFrame | None,
                           top_search_terms: pd.DataFrame | None,
                           products: pd.DataFrame | None) -> pd.DataFrame:
    """Demand and competition of each product category from the queries its ASINs are found by.

    A query of the latest weekly ASIN-view report belongs to the category of our ASIN with the
    most clicks on it (then impressions). Demand: the queries' summed search query volume and
    their best search frequency rank; competition: the three most clicked products' summed
    click share of each query (Top Search Terms), averaged weighted by query volume.

    Parameters
    ----------
    sqp_asin : DataFrame or None
        Canonical ``sqp_asin`` frame (needs its ``asin`` column, from the filter line).
    top_search_terms : DataFrame or None
        Canonical ``top_search_terms`` frame.
    products : DataFrame or None
        Canonical ``product_master`` frame (asin, category).

    Returns
    -------
    DataFrame
        One row per category: category, search_queries [count], query_volume [searches, latest
        week], best_search_frequency_rank [rank, 1 = most searched; NaN without Top Search
        Terms], top_3_click_share [fraction; NaN without Top Search Terms], demand_source,
        competition_source (report and week each figure came from). Empty without an ASIN-view
        report or product master.
    """
    columns = ["category", "search_queries", "query_volume", "best_search_frequency_rank",
               "top_3_click_share", "demand_source", "competition_source"]
    if sqp_asin is None or not len(sqp_asin) or "asin" not in sqp_asin.columns \
            or products is None or not len(products) or "category" not in products.columns:
        return pd.DataFrame(columns=columns)
    frame = _weekly_rows(sqp_asin, "sqp_asin")
    week = frame["period_end"].max()
    latest = frame[frame["period_end"] == week]
    master = products.dropna(subset=["asin"])
    category_of = dict(zip(master["asin"].astype(str).str.upper(), master["category"],
                           strict=True))
    work = pd.DataFrame({"search_query": latest["search_query"].astype(str),
                         "asin": latest["asin"].astype(str).str.upper(),
                         "own_clicks": as_float(latest["own_clicks"]).fillna(0.0)
                         if "own_clicks" in latest else 0.0,
                         "own_impressions": as_float(latest["own_impressions"]).fillna(0.0),
                         "volume": as_float(latest["search_query_volume"])
                         if "search_query_volume" in latest else np.nan})
    work["category"] = work["asin"].map(category_of)
    work = work.dropna(subset=["category"])
    if not len(work):
        return pd.DataFrame(columns=columns)
    owner = work.sort_values(["search_query", "own_clicks", "own_impressions", "asin"],
                             ascending=[True, False, False, True], kind="stable") \
        .drop_duplicates("search_query")
    owner["volume"] = owner["search_query"].map(work.groupby("search_query")["volume"].max())
    when = f"{pd.Timestamp(week):%Y-%m-%d}"
    demand_source = f"Search Query Performance (ASIN view), week ending {when}"
    top = top_clicked(top_search_terms, owner["search_query"])
    top_source = ""
    if len(top):
        top_week = top["period_end"].max()
        top = top[top["period_end"] == top_week]
        per_term = top.groupby(top["search_term"].str.strip().str.lower()).agg(
            rank=("search_frequency_rank", "min"),
            share=("click_share", lambda s: s.sum(min_count=1)))
        key = owner["search_query"].str.strip().str.lower()
        owner["rank"] = key.map(per_term["rank"])
        owner["share"] = key.map(per_term["share"])
        top_source = f"Top Search Terms, week ending {pd.Timestamp(top_week):%Y-%m-%d}"
    else:
        owner["rank"] = np.nan
        owner["share"] = np.nan
    rows = []
    for category, block in owner.groupby("category", sort=True):
        weights = block["volume"].where(block["volume"] > 0, 1.0).fillna(1.0)
        known = block["share"].notna()
        share = (float((block.loc[known, "share"] * weights[known]).sum()
                       / weights[known].sum()) if known.any() else np.nan)
        rows.append({"category": category, "search_queries": float(len(block)),
                     "query_volume": float(block["volume"].sum(min_count=1)),
                     "best_search_frequency_rank": float(block["rank"].min()),
                     "top_3_click_share": share,
                     "demand_source": demand_source + (f"; search frequency rank: {top_source}"
                                                       if block["rank"].notna().any() else ""),
                     "competition_source": top_source if known.any() else ""})
    return pd.DataFrame(rows, columns=columns)

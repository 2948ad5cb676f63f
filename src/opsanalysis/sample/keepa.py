"""The sample seller's Keepa exports and competitors file: prices, ranks and reviews over time.

Simulated after the rest of the world from its own random stream (``[seed, marketplace, 103]``),
so adding it moved no other sample file and changed no demand. Per marketplace the seller
watches its five best sellers (by units over the simulated history window), each against three
competitor ASINs listed in ``competitors.csv``. Keepa's product viewer export (one row per ASIN
at ``as_of``: every one of our ASINs and the competitors) and one price/rank history file per
watched or competing ASIN (daily rows over the last :data:`HISTORY_DAYS` days) are written.

Our ASINs' buy-box price is our own price (none while out of stock), their sales rank follows
their sales of the last seven days, their reviews arrive with the units sold. Competitors keep
their prices within a small wobble.

Planted: the existing sales dip of one watched SKU (:func:`find_sales_dip`: the clearest
week-over-week drop of the history window not explained by an event, a stockout or a price
change of our own) is given a cause -- one of its competitors cuts its price by
:data:`PLANTED_CUT` on the first day of the dip week (``keepa_cut_*`` keys in
``world.planted``). The demand is unchanged: the cut is placed on a dip the world already has.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from opsanalysis import marketplaces
from opsanalysis.sample.world import AS_OF, SAMPLE_MARKETPLACES
from opsanalysis.sample.writers import format_money, format_number

__all__ = ["COMPETITORS_PER_ASIN", "HISTORY_DAYS", "PLANTED_CUT", "WATCHED_ASINS", "add_keepa",
           "find_sales_dip", "write_keepa"]

STREAM = 103
HISTORY_DAYS = 182  # days of history per product file (26 weeks) [days]
WATCHED_ASINS = 5  # our best sellers watched against competitors
COMPETITORS_PER_ASIN = 3
PLANTED_CUT = -0.18  # the planted competitor price cut [fraction of its price]
WOBBLE = 0.02  # competitors' everyday price moves stay within this [fraction]
DIP_MIN_UNITS = 14  # a dip is judged on weeks of at least two units a day before it [units]
DIP_MIN_DROP = 0.25  # ... that fall by at least a quarter [fraction]
REVIEW_RATE = 0.02  # reviews per unit sold [reviews/unit]
RANK_SCALE = 600.0  # sales rank = RANK_SCALE / (units per day + 0.05)
_NAMES = ("Aurora Home", "BrightNest", "Kestrel & Co", "Maplewood", "NordicLoop", "Pinecrest",
          "Quillon", "Riverstone", "Solace Living", "Tidewell", "Umbra Basics", "Vantor",
          "Willowmere", "Zephyr Goods", "Larkspur")


def _week_blocks(as_of, days):
    """Start days of the 7-day blocks ending on ``as_of`` that fit in ``days`` days, oldest
    first (Business Report weeks: the sample's as_of is a Saturday)."""
    count = days // 7
    return [as_of - pd.Timedelta(days=7 * k + 6) for k in range(count - 1, -1, -1)]


def find_sales_dip(world, mp, skus=None, demand=None):
    """The clearest week-over-week sales drop of the history window with no event, stockout or
    own price change in the two weeks compared.

    Parameters
    ----------
    world : World
    mp : str
    skus : list of str, optional
        SKUs to look at (default: every SKU of the marketplace).
    demand : DataFrame, optional
        ``world.frame("demand", mp)`` when the caller has it already.

    Returns
    -------
    dict
        sku, asin, dip_start (first day of the lower week), units_before, units_after,
        change [fraction]; None when no week qualifies.
    """
    demand = world.frame("demand", mp) if demand is None else demand
    events = world.truth["events"]
    events = events[events["marketplace"] == mp]
    if skus is not None:
        demand = demand[demand["sku"].isin(skus)]
    first_day = AS_OF - pd.Timedelta(days=HISTORY_DAYS - 1)
    demand = demand[demand["date"] >= first_day - pd.Timedelta(days=7)]
    dates = pd.date_range(first_day - pd.Timedelta(days=7), AS_OF, freq="D")
    grids = {name: demand.pivot(index="date", columns="sku", values=name).reindex(dates)
             for name in ("units_sold", "in_stock", "price")}
    names = list(grids["units_sold"].columns)
    units = grids["units_sold"].to_numpy(float)
    stocked = grids["in_stock"].fillna(False).to_numpy(bool)
    price = grids["price"].to_numpy(float)
    asin_of = demand.drop_duplicates("sku").set_index("sku")["asin"]
    best = None
    for start in _week_blocks(AS_OF, HISTORY_DAYS)[1:]:
        before = (start - pd.Timedelta(days=7), start - pd.Timedelta(days=1))
        after = (start, start + pd.Timedelta(days=6))
        if ((events["start"] <= after[1]) & (events["end"] >= before[0])).any():
            continue
        row = dates.get_loc(before[0])
        window = slice(row, row + 14)
        listed = ~np.isnan(units[window]).any(axis=0)
        steady = price[window].max(axis=0) == price[window].min(axis=0)  # NaN: not steady
        usable = listed & stocked[window].all(axis=0) & steady
        units_before = np.nansum(units[row:row + 7], axis=0)
        units_after = np.nansum(units[row + 7:row + 14], axis=0)
        usable &= units_before >= DIP_MIN_UNITS
        if not usable.any():
            continue
        change = np.where(usable, units_after / np.maximum(units_before, 1) - 1, np.inf)
        k = int(np.argmin(change))
        if change[k] <= -DIP_MIN_DROP and (best is None or change[k] < best["change"]):
            best = dict(sku=names[k], asin=str(asin_of[names[k]]), dip_start=start,
                        units_before=int(units_before[k]), units_after=int(units_after[k]),
                        change=float(change[k]))
    return best


def _asins(rng, count, taken):
    letters = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"))
    out = []
    while len(out) < count:
        code = "B0" + "".join(rng.choice(letters, 8))
        if code not in taken:
            taken.add(code)
            out.append(code)
    return out


def _reviews(rng, units, start_count, start_rating):
    """Daily review counts and ratings (one decimal) from daily units sold."""
    new = rng.binomial(np.maximum(units, 0).astype(int), REVIEW_RATE)
    stars = np.array([1, 2, 3, 4, 5])
    weights = np.array([0.05, 0.04, 0.08, 0.23, 0.60])
    total = start_count * start_rating
    counts, ratings, count = [], [], start_count
    for arrivals in new:
        if arrivals:
            total += rng.choice(stars, arrivals, p=weights).sum()
            count += arrivals
        counts.append(count)
        ratings.append(round(total / count, 1))
    return np.array(counts), np.array(ratings)


def _simulate(world, mp, rng):
    products = world.frame("products", mp)
    demand = world.frame("demand", mp)
    dates = pd.date_range(AS_OF - pd.Timedelta(days=HISTORY_DAYS - 1), AS_OF, freq="D")
    recent = demand[demand["date"] >= dates[0]]
    sold = recent.groupby("sku")["units_sold"].sum()
    intermittent = set(products.loc[products["intermittent"].astype(bool), "sku"])
    candidates = [s for s in sold.sort_values(ascending=False, kind="stable").index
                  if s not in intermittent]
    watched = candidates[:WATCHED_ASINS]
    dip = find_sales_dip(world, mp, skus=candidates[:WATCHED_ASINS * 2], demand=demand)
    if dip is not None and dip["sku"] not in watched:
        watched = [*watched[:WATCHED_ASINS - 1], dip["sku"]]
    taken = set(products["asin"])
    grids = {name: recent.pivot(index="date", columns="sku", values=name).reindex(dates)
             for name in ("units_sold", "in_stock", "price")}
    last_price = demand[demand["date"] == AS_OF].set_index("sku")["price"]
    by_row = products.set_index("sku")
    pairs, series, latest = [], [], []
    names = list(rng.permutation(_NAMES))
    minor = 1 if marketplaces.get(mp).currency == "JPY" else 100
    for sku in products["sku"]:
        row = by_row.loc[sku]
        column = grids["units_sold"][sku] if sku in grids["units_sold"] else \
            pd.Series(np.nan, index=dates)
        units = column.fillna(0).to_numpy()
        listed = column.notna().to_numpy()
        in_stock = (grids["in_stock"][sku].fillna(False).to_numpy(bool) & listed
                    if sku in grids["in_stock"] else listed)
        prices = grids["price"][sku].to_numpy(float) if sku in grids["price"] else \
            np.full(len(dates), np.nan)
        price = np.where(in_stock, np.round(prices * minor), np.nan)
        weekly = pd.Series(units).rolling(7, min_periods=1).mean().to_numpy()
        rank = np.where(listed, np.round(RANK_SCALE * 100 / (weekly + 0.05) / 100), np.nan)
        counts, ratings = _reviews(rng, units, int(rng.integers(20, 400)),
                                   float(rng.uniform(4.1, 4.6)))
        frame = pd.DataFrame({"asin": row["asin"], "date": dates, "buy_box_minor": price,
                              "new_minor": price, "amazon_minor": np.nan, "sales_rank": rank,
                              "new_offer_count": np.where(listed, 1, np.nan),
                              "rating": np.where(listed, ratings, np.nan),
                              "review_count": np.where(listed, counts, np.nan),
                              "ours": True, "title": row["title"], "brand": row["brand"],
                              "category": row["category"]})
        if sku in watched:
            series.append(frame)
        latest.append(frame.iloc[[-1]])
    planted = {}
    for sku in watched:
        row = by_row.loc[sku]
        our_price = float(last_price[sku]) * minor
        mean_units = float(grids["units_sold"][sku].mean())
        for k, asin in enumerate(_asins(rng, COMPETITORS_PER_ASIN, taken)):
            name = names.pop() if names else f"Competitor {asin[-4:]}"
            pairs.append(dict(our_asin=row["asin"], competitor_asin=asin, competitor_name=name))
            level = our_price * rng.uniform(0.88, 1.12)
            steps = rng.uniform(-WOBBLE / 2, WOBBLE / 2, len(dates))
            steps[rng.random(len(dates)) > 0.05] = 0.0  # an everyday move on ~5 % of days
            path = level * np.cumprod(1 + steps)
            path = np.clip(path, level * (1 - WOBBLE), level * (1 + WOBBLE))
            if dip is not None and sku == dip["sku"] and k == 0:
                cut_day = int((dip["dip_start"] - dates[0]).days)
                before = float(np.round(path[cut_day - 1]))
                path[cut_day:] = before * (1 + PLANTED_CUT)
                planted = dict(keepa_cut_sku=sku, keepa_cut_asin=row["asin"],
                               keepa_cut_competitor_asin=asin, keepa_cut_date=dip["dip_start"],
                               keepa_cut_size=PLANTED_CUT,
                               keepa_dip_units_before=dip["units_before"],
                               keepa_dip_units_after=dip["units_after"],
                               keepa_dip_change=dip["change"])
            price = np.round(path)
            units = rng.poisson(max(1.0, mean_units * rng.uniform(0.5, 2.0)), len(dates))
            weekly = pd.Series(units).rolling(7, min_periods=1).mean().to_numpy()
            counts, ratings = _reviews(rng, units, int(rng.integers(50, 3000)),
                                       float(rng.uniform(3.9, 4.7)))
            frame = pd.DataFrame({
                "asin": asin, "date": dates, "buy_box_minor": price,
                "new_minor": price, "amazon_minor": price * 1.05 if k == 2 else np.nan,
                "sales_rank": np.round(RANK_SCALE / (weekly + 0.05)),
                "new_offer_count": float(rng.integers(1, 4)), "rating": ratings,
                "review_count": counts, "ours": False, "title": f"{name} {row['category']}",
                "brand": name, "category": row["category"]})
            series.append(frame)
            latest.append(frame.iloc[[-1]])
    return (pd.DataFrame(pairs), pd.concat(series, ignore_index=True),
            pd.concat(latest, ignore_index=True), planted, watched)


def add_keepa(world) -> None:
    """Simulate the Keepa exports of every marketplace into ``world.truth`` and its plants.

    Adds truth frames ``competitors`` (marketplace, our_asin, competitor_asin,
    competitor_name), ``keepa_history`` (daily series per watched or competing ASIN, prices in
    minor units) and ``keepa_product`` (the last day of every ASIN), and the ``keepa_cut_*``
    keys to ``world.planted[mp]``.
    """
    parts = {"competitors": [], "keepa_history": [], "keepa_product": []}
    for index, mp in enumerate(SAMPLE_MARKETPLACES):
        rng = np.random.default_rng([world.seed, index, STREAM])
        pairs, history, latest, planted, watched = _simulate(world, mp, rng)
        for name, frame in (("competitors", pairs), ("keepa_history", history),
                            ("keepa_product", latest)):
            frame.insert(0, "marketplace", mp)
            parts[name].append(frame)
        world.planted[mp].update(planted)
        world.planted[mp]["keepa_watched_skus"] = list(watched)
    for name, frames in parts.items():
        world.truth[name] = pd.concat(frames, ignore_index=True)


def _money(minor, mp) -> str:
    return "" if minor != minor else format_money(int(minor), mp)


def _count(value) -> str:
    return "" if value != value else str(int(value))


def _rating(value, mp) -> str:
    return "" if value != value else format_number(value, mp, 1)


def _write_csv(path, header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


def write_keepa(world, mp, folder) -> list:
    """Write one marketplace's Keepa exports and ``competitors.csv`` into ``folder``.

    Files: ``competitors.csv``, ``KeepaExport-<as_of>-ProductViewer.csv`` and one
    ``KeepaExport-<ASIN>-History.csv`` per watched or competing ASIN (UTF-8 with BOM, money in
    the marketplace's format, English headers as Keepa's English interface writes them).

    Returns
    -------
    list of Path
    """
    from pathlib import Path

    if "keepa_history" not in world.truth:
        add_keepa(world)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pick = {name: world.truth[name][world.truth[name]["marketplace"] == mp]
            for name in ("competitors", "keepa_history", "keepa_product")}
    written = [_write_csv(folder / "competitors.csv",
                          ["our_asin", "competitor_asin", "competitor_name"],
                          pick["competitors"][["our_asin", "competitor_asin",
                                               "competitor_name"]].to_numpy().tolist())]
    header = ["ASIN", "Title", "Locale", "Brand", "Categories: Root", "Buy Box: Current",
              "Amazon: Current", "New: Current", "New Offer Count: Current",
              "Sales Rank: Current", "Reviews: Rating", "Reviews: Review Count"]
    locale = mp.lower() if mp != "UK" else "uk"
    rows = [[r.asin, r.title, locale, r.brand, r.category, _money(r.buy_box_minor, mp),
             _money(r.amazon_minor, mp), _money(r.new_minor, mp), _count(r.new_offer_count),
             _count(r.sales_rank), _rating(r.rating, mp), _count(r.review_count)]
            for r in pick["keepa_product"].itertuples()]
    written.append(_write_csv(folder / f"KeepaExport-{AS_OF:%Y-%m-%d}-ProductViewer.csv",
                              header, rows))
    header = ["Date", "ASIN", "Amazon", "New", "Buy Box", "Sales Rank", "New Offer Count", "Rating",
              "Review Count"]
    for asin, frame in pick["keepa_history"].groupby("asin", sort=False):
        rows = [[f"{r.date:%Y-%m-%d}", asin, _money(r.amazon_minor, mp), _money(r.new_minor, mp),
                 _money(r.buy_box_minor, mp), _count(r.sales_rank), _count(r.new_offer_count),
                 _rating(r.rating, mp), _count(r.review_count)] for r in frame.itertuples()]
        written.append(_write_csv(folder / f"KeepaExport-{asin}-History.csv", header, rows))
    return written

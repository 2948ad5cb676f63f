"""The sample seller's Brand Analytics: Search Query Performance and Top Search Terms, weekly.

Simulated after the rest of the world from its own random stream (``[seed, marketplace, 102]``),
so adding it moved no other sample file. The queries are the marketplace's own search terms of
each category the seller sells in (the ads' search terms where the world has them in the
marketplace language, else the product nouns), each found mainly through one of our ASINs of the
category (the best sellers, in turn). Per query and week: a search volume sized so that our
purchases through the queries are about a third of that ASIN's average weekly units; Amazon-wide
impressions, clicks, cart adds and purchases from it; our shares of each (purchase share near
the click share); the three most clicked products (ours when our click share is high enough,
else competitors of the category with fixed shares) and brands.

Planted (``world.planted[MP]``):

- ``falling_query``: the first query of the top category, whose click and purchase shares fall
  over the last ``FALL_WEEKS`` weeks while a competitor (``falling_query_challenger``, an ASIN)
  takes the clicks and enters the term's three most clicked products in the latest week;
- ``bid_up_query``: purchase share above click share by ``GAP`` (converts better than seen);
- ``fix_listing_query``: purchase share below click share by ``GAP`` (seen, not bought).

Files, per marketplace: for every week, one brand-view report per brand and one Top Search Terms
report (the rows of our queries only -- Amazon's holds millions of terms); for the latest week, an
ASIN-view report per ASIN the queries belong to. Each starts with Seller Central's filter line
(``Brand=["..."],Reporting Range=["Weekly"],Select week=["Week 44 | 2026-10-25 - 2026-10-31
2026"]``) above the en-US header, numbers in the marketplace's conventions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsanalysis import marketplaces
from opsanalysis.sample.world import (
    AS_OF,
    CATEGORIES,
    MARKETPLACE_SETUP,
    SAMPLE_MARKETPLACES,
    SEARCH_TERMS,
    TOP_CATEGORY,
)

__all__ = ["WEEKS", "add_brand_analytics", "simulate_brand_analytics", "write_brand_analytics"]

STREAM = 102
WEEKS = 8  # weekly reports written, the last ending on as_of (a Saturday)
QUERIES_PER_CATEGORY = 4
FALL_WEEKS = 4  # the planted query's shares fall over these last weeks
FALL_TO = 0.45  # ... to this fraction of where they were
GAP = 0.15  # purchase share minus click share of the planted bid-up query (minus: fix listing)
OWN_PURCHASE_PART = 0.3  # our purchases through the queries: this part of the ASIN's weekly units
COMPETITORS_PER_CATEGORY = 5
_BRAND_WORDS = ("Vexa", "Nordly", "Kiboo", "Lumora", "Tavio", "Brisko", "Quenta", "Orvel",
                "Pellix", "Yuvora", "Drexo")  # the planted challenger's brand is not among them


def _week_ends():
    return [AS_OF - pd.Timedelta(days=7 * k) for k in range(WEEKS - 1, -1, -1)]


def _queries(mp, products):
    """(query, category) pairs: the marketplace's own search terms of its categories."""
    setup = MARKETPLACE_SETUP[mp]
    language = setup["language"]
    pairs = []
    for category in setup["categories"]:
        if not (products["category"] == category).any():
            continue
        terms = SEARCH_TERMS.get(language, {}).get(category)
        if terms is None:
            terms = (CATEGORIES[category]["terms"] if language == "en" else
                     [noun.lower() for noun in CATEGORIES[category]["nouns"][language]])
        pairs += [(term, category) for term in terms[:QUERIES_PER_CATEGORY]]
    return pairs


def _asin_code(rng) -> str:
    alphabet = np.array(list("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"))
    return "B0" + "".join(rng.choice(alphabet, 8))


def simulate_brand_analytics(world, mp) -> tuple:
    """Weekly Search Query Performance and Top Search Terms truth of one marketplace.

    Parameters
    ----------
    world : World
    mp : str

    Returns
    -------
    (DataFrame, DataFrame, dict)
        Per query and week: the funnel (totals and ours, our ASIN and brand); per term, week and
        position: the three most clicked products with brand and shares; the planted keys.
    """
    rng = np.random.default_rng([world.seed, SAMPLE_MARKETPLACES.index(mp), STREAM])
    products = world.frame("products", mp)
    demand = world.frame("demand", mp)
    ends = _week_ends()
    first = ends[0] - pd.Timedelta(days=6)
    recent = demand[(demand["date"] >= first) & (demand["date"] <= AS_OF)].copy()
    recent["week"] = (recent["date"] - first).dt.days // 7
    weekly = recent.pivot_table(index="sku", columns="week", values="units_sold", aggfunc="sum",
                                fill_value=0).reindex(columns=range(WEEKS), fill_value=0)
    pairs = _queries(mp, products)
    # each query is found mainly through our best seller of the product it names (the
    # category's k-th search term goes with its k-th product noun), else the category's
    language = MARKETPLACE_SETUP[mp]["language"]
    owners = []
    for index, (_, category) in enumerate(pairs):
        position = sum(1 for _, c in pairs[:index] if c == category)
        nouns = CATEGORIES[category]["nouns"][language]
        in_category = products[products["category"] == category]
        named = in_category[in_category["title"].str.contains(nouns[position % len(nouns)],
                                                              regex=False)]
        skus = (named if len(named) else in_category)["sku"]
        ranked = weekly.reindex(skus).fillna(0).sum(axis=1).sort_values(ascending=False,
                                                                         kind="stable")
        owners.append(ranked.index[0])
    info = products.set_index("sku")
    queries = [q for q, _ in pairs]
    falling = next(q for q, c in pairs if c == TOP_CATEGORY)
    # the bid-up and fix-listing queries: those of our two best-selling ASINs outside the top
    # category, so that their shares rest on enough purchases
    sold = weekly.sum(axis=1)
    others = sorted((q for (q, c), s in zip(pairs, owners, strict=True) if c != TOP_CATEGORY),
                    key=lambda q: -sold.get(owners[queries.index(q)], 0.0))
    seen, chosen = set(), []
    for query in others:
        if owners[queries.index(query)] not in seen:
            seen.add(owners[queries.index(query)])
            chosen.append(query)
    bid_up, fix_listing = chosen[0], chosen[1]
    market = marketplaces.get(mp)
    rows, top_rows = [], []
    fall = np.ones(WEEKS)
    fall[-FALL_WEEKS:] = np.linspace(1.0, FALL_TO, FALL_WEEKS + 1)[1:]
    competitor_pool = {}
    for category in sorted({c for _, c in pairs}):  # a set: its order changes per process
        competitor_pool[category] = [
            (_asin_code(rng), f"{rng.choice(_BRAND_WORDS)} {CATEGORIES[category]['nouns']['en'][k % len(CATEGORIES[category]['nouns']['en'])]}")
            for k in range(COMPETITORS_PER_CATEGORY)]
    challenger = (_asin_code(rng), "Zamsy Pro")
    sharing = pd.Series(owners).value_counts()
    for query, category, sku in zip(queries, [c for _, c in pairs], owners, strict=True):
        units = weekly.loc[sku].to_numpy(dtype=float)
        purchase_share = float(rng.uniform(0.12, 0.30)) if query != falling else 0.30
        click_share = purchase_share * float(rng.uniform(0.97, 1.03))
        if query == bid_up:
            purchase_share = max(purchase_share, 0.24)
            click_share = purchase_share - GAP
        elif query == fix_listing:
            click_share = purchase_share + GAP
        click_rate = float(rng.uniform(0.55, 0.85))  # clicks per search
        purchase_rate = float(rng.uniform(0.07, 0.12))  # purchases per click
        own_weekly = max(OWN_PURCHASE_PART * units.mean() / sharing[sku], 1.0)
        base_volume = own_weekly / (purchase_share * click_rate * purchase_rate)
        volume = np.round(base_volume * rng.uniform(0.9, 1.1, WEEKS)).astype(int)
        factor = fall if query == falling else np.ones(WEEKS)
        clicks_share_w = click_share * factor * rng.uniform(0.98, 1.02, WEEKS)
        purchase_share_w = purchase_share * factor * rng.uniform(0.98, 1.02, WEEKS)
        total_impressions = np.round(volume * rng.uniform(25, 35)).astype(int)
        total_clicks = np.round(volume * click_rate).astype(int)
        total_cart_adds = np.round(total_clicks * 0.2).astype(int)
        total_purchases = np.round(total_clicks * purchase_rate).astype(int)
        own_clicks = np.round(total_clicks * clicks_share_w).astype(int)
        own_purchases = np.minimum(np.round(total_purchases * purchase_share_w),
                                   np.maximum(units, 0)).astype(int)
        own_cart_adds = np.round(total_cart_adds * (clicks_share_w + purchase_share_w) / 2) \
            .astype(int)
        own_impressions = np.round(total_impressions * clicks_share_w * 0.8).astype(int)
        price = float(info.at[sku, "price"])
        for w, end in enumerate(ends):
            rows.append(dict(
                marketplace=mp, period_start=end - pd.Timedelta(days=6), period_end=end,
                search_query=query, category=category, sku=sku, asin=info.at[sku, "asin"],
                brand=info.at[sku, "brand"], search_query_volume=int(volume[w]),
                total_impressions=int(total_impressions[w]),
                own_impressions=int(own_impressions[w]), total_clicks=int(total_clicks[w]),
                own_clicks=int(own_clicks[w]), total_cart_adds=int(total_cart_adds[w]),
                own_cart_adds=int(own_cart_adds[w]), total_purchases=int(total_purchases[w]),
                own_purchases=int(own_purchases[w]), price=price, currency=market.currency))
        # the three most clicked products: ours among the category's competitors
        pool = competitor_pool[category]
        pool_shares = np.sort(rng.uniform(0.06, 0.24, len(pool)))[::-1]
        if query == falling:  # the challenger enters the three in the latest week
            taken = click_share * (1 - fall)
            third = (taken[-2] + taken[-1]) / 2
            pool_shares = np.array([third + 0.08, third + 0.04, third, third - 0.03,
                                    third - 0.05])
        for w, end in enumerate(ends):
            noise = rng.uniform(-0.004, 0.004, len(pool))
            candidates = [(asin, title, float(s + n), title.split()[0])
                          for (asin, title), s, n in zip(pool, pool_shares, noise, strict=True)]
            candidates.append((info.at[sku, "asin"], info.at[sku, "title"],
                               float(clicks_share_w[w]), info.at[sku, "brand"]))
            if query == falling:
                candidates.append((challenger[0], f"{challenger[1]} {query}",
                                   float(click_share * (1 - fall[w])), "Zamsy"))
            candidates = [c for c in candidates if c[2] > 0.005]
            candidates.sort(key=lambda c: -c[2])
            brand_share = {}
            for _, _, share, brand in candidates:
                brand_share[brand] = brand_share.get(brand, 0.0) + share
            brands = sorted(brand_share, key=lambda b: -brand_share[b])[:3]
            rank = max(1, int(round(2.0e6 / max(volume[w], 1))))
            for position, (asin, title, share, _) in enumerate(candidates[:3], start=1):
                top_rows.append(dict(
                    marketplace=mp, period_start=end - pd.Timedelta(days=6), period_end=end,
                    search_term=query, search_frequency_rank=rank, position=position,
                    asin=asin, title=title, click_share=round(share, 4),
                    conversion_share=round(min(share * float(rng.uniform(0.85, 1.15)), 0.99), 4),
                    brand=brands[position - 1] if position <= len(brands) else "",
                    department=category))
    planted = dict(falling_query=falling, falling_query_challenger=challenger[0],
                   bid_up_query=bid_up, fix_listing_query=fix_listing,
                   search_queries=list(queries))
    return pd.DataFrame(rows), pd.DataFrame(top_rows), planted


def add_brand_analytics(world) -> None:
    """Add ``sqp`` and ``top_search_terms`` truth frames and the planted queries to ``world``.

    Parameters
    ----------
    world : World
        Modified in place (its cache copy: call once, as ``opsanalysis.sample.generate`` does).
    """
    funnels, tops = [], []
    for mp in world.marketplaces:
        funnel, top, planted = simulate_brand_analytics(world, mp)
        funnels.append(funnel)
        tops.append(top)
        world.planted[mp].update(planted)
    world.truth["sqp"] = pd.concat(funnels, ignore_index=True)
    world.truth["top_search_terms"] = pd.concat(tops, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# The files

_STAGES = (("impressions", "impression"), ("clicks", "click"), ("cart_adds", "cart_add"),
           ("purchases", "purchase"))


def _filter_line(owner_key, owner, end) -> str:
    start = end - pd.Timedelta(days=6)
    week = int(start.strftime("%U")) + 1
    owner_part = f'{owner_key}=["{owner}"],' if owner_key else ""
    return (f'{owner_part}Reporting Range=["Weekly"],Select week=["Week {week} | '
            f'{start:%Y-%m-%d} - {end:%Y-%m-%d} {end:%Y}"]')


def _sqp_table(block, mp, kind):
    """Header and rows of one Search Query Performance download."""
    from opsanalysis.sample.writers import _headers, format_money, format_number

    columns = ["search_query", "search_query_score", "search_query_volume"]
    for plural, single in _STAGES:
        columns += [f"total_{plural}"]
        if plural != "impressions":
            columns += [f"total_{single}_rate"]
        columns += [f"own_{plural}", f"own_{single}_share"]
        if plural != "impressions":
            columns += [f"total_{single}_price_median", f"own_{single}_price_median"]
    columns += ["reporting_date"]
    header = _headers(kind, columns, "en-US")
    minor = 1 if marketplaces.get(mp).currency == "JPY" else 100
    block = block.sort_values("search_query_volume", ascending=False, kind="stable")
    rows = []
    for score, row in enumerate(block.itertuples(), start=1):
        cells = {"search_query": row.search_query, "search_query_score": str(score),
                 "search_query_volume": format_number(row.search_query_volume, mp),
                 "reporting_date": f"{row.period_end:%Y-%m-%d}"}
        for plural, single in _STAGES:
            total, own = getattr(row, f"total_{plural}"), getattr(row, f"own_{plural}")
            cells[f"total_{plural}"] = format_number(total, mp)
            cells[f"own_{plural}"] = format_number(own, mp)
            cells[f"own_{single}_share"] = format_number(
                round(100 * own / total, 2) if total else 0.0, mp, 2)
            if plural != "impressions":
                # Amazon's funnel rates are per search of the query
                cells[f"total_{single}_rate"] = format_number(
                    round(100 * total / row.search_query_volume, 2), mp, 2)
                cells[f"total_{single}_price_median"] = format_money(
                    int(round(row.price * 0.95 * minor)), mp)
                cells[f"own_{single}_price_median"] = (
                    format_money(int(round(row.price * minor)), mp) if own else "")
        rows.append([cells[c] for c in columns])
    return header, rows


def _top_table(block, mp):
    from opsanalysis.sample.writers import _headers, format_number

    columns = ["search_frequency_rank", "search_term", "top_clicked_brand_1",
               "top_clicked_brand_2", "top_clicked_brand_3", "top_clicked_category_1",
               "top_clicked_category_2", "top_clicked_category_3"]
    for n in (1, 2, 3):
        columns += [f"clicked_asin_{n}", f"clicked_title_{n}", f"click_share_{n}",
                    f"conversion_share_{n}"]
    columns += ["reporting_date"]
    header = _headers("top_search_terms", columns, "en-US")
    rows = []
    for (rank, term), term_rows in block.groupby(["search_frequency_rank", "search_term"],
                                                 sort=True):
        cells = {"search_frequency_rank": format_number(rank, mp), "search_term": term,
                 "reporting_date": f"{term_rows['period_end'].iloc[0]:%Y-%m-%d}"}
        for row in term_rows.itertuples():
            n = row.position
            cells[f"top_clicked_brand_{n}"] = row.brand
            cells[f"top_clicked_category_{n}"] = row.department if n == 1 else ""
            cells[f"clicked_asin_{n}"] = row.asin
            cells[f"clicked_title_{n}"] = row.title
            cells[f"click_share_{n}"] = format_number(round(100 * row.click_share, 2), mp, 2)
            cells[f"conversion_share_{n}"] = format_number(round(100 * row.conversion_share, 2),
                                                           mp, 2)
        rows.append([cells.get(c, "") for c in columns])
    return header, rows


def _write(path, line, header, rows):
    from opsanalysis.sample.writers import _csv_bytes, _write_text

    return _write_text(path, line + "\n" + _csv_bytes(header, rows), "utf-8-sig")


def write_brand_analytics(world, mp, folder) -> list:
    """Weekly Brand Analytics downloads of one marketplace (CSV with the filter line first).

    Parameters
    ----------
    world : World
    mp : str
    folder : Path
        Marketplace folder.

    Returns
    -------
    list of Path
    """
    funnel = world.frame("sqp", mp)
    top = world.frame("top_search_terms", mp)
    written = []
    for end, week in funnel.groupby("period_end", sort=True):
        day = f"{end:%Y_%m_%d}"
        for brand, block in week.groupby("brand", sort=True):
            # the brand view holds every query of the brand, each once
            header, rows = _sqp_table(block.drop_duplicates("search_query"), mp, "sqp_brand")
            name = f"{mp}_Search_Query_Performance_Brand_View_{brand}_Simple_Week_{day}.csv"
            written.append(_write(folder / name, _filter_line("Brand", brand, end), header,
                                  rows))
        if end == funnel["period_end"].max():
            for asin, block in week.groupby("asin", sort=True):
                header, rows = _sqp_table(block, mp, "sqp_asin")
                name = f"{mp}_Search_Query_Performance_ASIN_View_{asin}_Simple_Week_{day}.csv"
                written.append(_write(folder / name, _filter_line("ASIN or Product", asin, end),
                                      header, rows))
        terms = top[top["period_end"] == end]
        header, rows = _top_table(terms, mp)
        name = f"{mp}_Top_Search_Terms_Simple_Week_{day}.csv"
        written.append(_write(folder / name, _filter_line(None, None, end), header, rows))
    return written

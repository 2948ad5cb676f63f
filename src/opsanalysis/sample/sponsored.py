"""The sample seller's Sponsored Brands and Sponsored Display campaigns, as console reports.

Simulated after the rest of the world from its own random stream (``[seed, marketplace, 101]``),
so adding it moved no other sample file. Per marketplace, over the same eight weeks as the
Sponsored Products reports (``AD_DAYS``), in the launch category's two best sellers:

- Sponsored Brands: a headline (product collection) campaign on three keywords (exact,
  phrase, broad) and a video campaign on the same keywords, cost per click; their search terms
  are the keywords and two longer variants each. SB attributes to clicks: the totals and the
  "- (Click)" twins are equal.
- Sponsored Display: a product-targeting campaign (cost per click, competitors' ASINs and the
  "similar products" audience) and a views-remarketing campaign (vCPM). Display totals count
  purchases after views *and* clicks; the "- (Click)" twins count clicks only.

All campaigns follow one daily demand index (day of week x a day factor shared by the
campaigns), so an uncapped campaign shows what a capped one would have spent.

Planted (``world.planted[mp]``): ``budget_capped_campaign`` -- the SB headline campaign's daily
budget is the 40th percentile of its expected daily spend, so on most days it spends 96-100 %
of the budget and stops (clicks thinned to the budget), ``budget_capped_days`` [count] and
``budget_missed_sales`` (its expected clicks-only sales lost on those days [currency]); and
``no_budget_campaign`` -- the remarketing campaign, whose report rows carry no daily budget.
Truth: ``world.truth["sponsored"]`` (one row per campaign, target, search term and day).

Files (console CSV, UTF-8 BOM, CRLF, the marketplace's header language where the console
translates it, en-US for the SB/SD-only headers): Sponsored Brands search term, keyword,
campaign and placement reports; Sponsored Display targeting, campaign and advertised product
reports -- daily, 14-day attribution.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsanalysis import marketplaces
from opsanalysis.io.schema import header_for
from opsanalysis.sample.world import (
    AD_DAYS,
    AS_OF,
    LAUNCH_CATEGORY,
    SAMPLE_MARKETPLACES,
    WEEKDAY,
)
from opsanalysis.sample.writers import (
    _console_date,
    _console_money,
    _csv_bytes,
    _minor,
    _write_text,
    format_percent,
)

__all__ = ["STREAM", "add_sponsored", "simulate_sponsored", "write_sponsored"]

STREAM = 101  # E's random stream (issue 17 arrangements)
ATTRIBUTION_DAYS = 14  # SB and SD console reports attribute over 14 days [days]
CAPPED_BUDGET_QUANTILE = 0.40  # planted budget: this quantile of the expected daily spend
LOOSE_BUDGET_FACTOR = 3.0  # other budgets: this x the largest expected daily spend
VIEW_ORDER_RATE = 0.0004  # remarketing purchases after a view only, per viewable impression
SB_PLACEMENTS = (("Top of Search on-Amazon", 0.6), ("Other on-Amazon", 0.25),
                 ("Detail Page on-Amazon", 0.15))


def _campaigns(products, label):
    """Campaign specs and their rows (target, match type, search term, sku, ctr, cvr, cpc,
    impressions per day)."""
    launch = products[(products["category"] == LAUNCH_CATEGORY)
                      & (products["role"] != "recent_launch")]
    skus = launch.sort_values("cvr", ascending=False, kind="stable").index[:2].tolist()
    words = launch["title"].iloc[0].split()
    base = " ".join(words[1:3]).lower().strip(" -–,") or LAUNCH_CATEGORY.lower()
    keywords = [(base, "EXACT"), (f"{base} set", "PHRASE"), (words[1].lower(), "BROAD")]
    others = products[products["category"] != LAUNCH_CATEGORY]["asin"].tolist()[:2]
    specs = [
        dict(campaign_name=f"SB - {label} - Headline", ad_type="sponsored_brands",
             cost_type="CPC", ad_group_name="Collection", planted="capped"),
        dict(campaign_name=f"SB - {label} - Video", ad_type="sponsored_brands",
             cost_type="CPC", ad_group_name="Video", planted=""),
        dict(campaign_name=f"SD - {label} - Product targeting", ad_type="sponsored_display",
             cost_type="CPC", ad_group_name="Competitor ASINs", planted=""),
        dict(campaign_name=f"SD - {label} - Views remarketing", ad_type="sponsored_display",
             cost_type="vCPM", ad_group_name="Viewed 30 days", planted="no_budget"),
    ]
    rows = []
    for c, spec in enumerate(specs):
        for k, sku in enumerate(skus):
            cvr = float(products.at[sku, "cvr"])
            if spec["ad_type"] == "sponsored_brands":
                scale = 1.0 if c == 0 else 0.6
                for keyword, match in keywords:
                    for v, term in enumerate((keyword, f"{keyword} large", f"best {keyword}")):
                        if match == "EXACT" and v:
                            continue
                        rows.append((c, keyword, match, term, sku, 0.012 - 0.002 * v,
                                     cvr * (1.1 - 0.2 * v), 0.55, 1000 * scale / (1 + v)))
            elif c == 2:
                targets = [f'asin="{a}"' for a in others] + ["similar-product"]
                rows.extend((c, t, "", "", sku, 0.004, cvr * 0.7, 0.8, 400) for t in targets)
            else:
                rows.append((c, "views=(exact-product lookback=30)", "", "", sku, 0.003,
                             cvr * 0.9, 0.6, 900 + 100 * k))
    return specs, skus, pd.DataFrame(rows, columns=["c", "targeting", "match_type",
                                                    "customer_search_term", "i", "ctr", "cvr",
                                                    "cpc", "impressions_mean"])


def simulate_sponsored(world, mp, mp_index):
    """One marketplace's SB/SD days (truth) and planted behaviours.

    Returns
    -------
    tuple
        (daily frame, campaign frame, planted dict)
    """
    rng = np.random.default_rng([world.seed, mp_index, STREAM])
    products = world.frame("products", mp)
    minor = _minor(mp)
    currency = marketplaces.get(mp).currency
    scale = float(products["price"].median() / 25.0)  # money scale of the marketplace
    label = LAUNCH_CATEGORY if mp in ("US", "UK", "AU", "SG") else f"{LAUNCH_CATEGORY} {mp}"
    specs, skus, rows = _campaigns(products, label)
    dates = pd.date_range(AS_OF - pd.Timedelta(days=AD_DAYS - 1), AS_OF, freq="D")
    day = WEEKDAY[dates.day_of_week.to_numpy()] * rng.uniform(0.7, 1.3, len(dates))
    k, d = len(rows), len(dates)
    cpc = rows["cpc"].to_numpy() * scale * rng.uniform(0.85, 1.15, k)
    mean_impr = rows["impressions_mean"].to_numpy()[:, None] * day[None, :]
    expected_spend = mean_impr * rows["ctr"].to_numpy()[:, None] * cpc[:, None]
    campaign_of = rows["c"].to_numpy()
    budgets = []
    for c, spec in enumerate(specs):
        daily = expected_spend[campaign_of == c].sum(axis=0)
        if spec["planted"] == "capped":
            budget = np.quantile(daily, CAPPED_BUDGET_QUANTILE)
        elif spec["planted"] == "no_budget":
            budget = np.nan
        else:
            budget = daily.max() * LOOSE_BUDGET_FACTOR
        budgets.append(np.nan if np.isnan(budget) else
                       max(1.0, round(budget * minor)) / minor)
    impressions = rng.poisson(mean_impr)
    clicks = rng.binomial(impressions, rows["ctr"].to_numpy()[:, None])
    potential = clicks.copy()
    spend_minor = np.round(clicks * cpc[:, None] * minor).astype(np.int64)
    capped_days = []
    for c, budget in enumerate(budgets):
        mask = campaign_of == c
        if np.isnan(budget):
            continue
        total = spend_minor[mask].sum(axis=0)
        for t in np.flatnonzero(total > budget * minor):
            target = round(budget * minor * rng.uniform(0.96, 1.0))
            kept = rng.binomial(clicks[mask, t], target / total[t])
            thinned = np.round(kept * cpc[mask] * minor)
            if thinned.sum() > 0:  # the last clicks of the day cost what the budget had left
                thinned = np.floor(thinned * target / thinned.sum())
            clicks[mask, t] = kept
            spend_minor[mask, t] = thinned.astype(np.int64)
            impressions[mask, t] = np.minimum(impressions[mask, t], np.round(
                impressions[mask, t] * target / total[t]).astype(np.int64) + kept)
            if c == 0:
                capped_days.append(t)
    cvr = np.clip(rows["cvr"].to_numpy(), 0, 1)[:, None]
    orders_clicks = rng.binomial(clicks, cvr)
    units_clicks = orders_clicks + rng.binomial(orders_clicks, 0.1)
    price_minor = np.round(products.loc[rows["i"], "price"].to_numpy() * minor)[:, None]
    sales_clicks = units_clicks * price_minor
    views = (campaign_of == 3)[:, None] * rng.poisson(impressions * VIEW_ORDER_RATE)
    orders = orders_clicks + views
    units = units_clicks + views
    sales = sales_clicks + views * price_minor
    lost = (potential - clicks) * cvr * 1.1 * price_minor  # expected units x price [minor]
    frame = pd.DataFrame({
        "marketplace": mp,
        "date": np.tile(dates, k),
        "row": np.repeat(np.arange(k), d),
        "impressions": impressions.ravel(), "clicks": clicks.ravel(),
        "spend_minor": spend_minor.ravel(), "orders": orders.ravel(), "units": units.ravel(),
        "sales_minor": sales.ravel(), "orders_clicks": orders_clicks.ravel(),
        "units_clicks": units_clicks.ravel(), "sales_clicks_minor": sales_clicks.ravel(),
        "lost_sales_minor": lost.ravel(), "currency": currency})
    info = rows.assign(campaign_name=[specs[c]["campaign_name"] for c in campaign_of],
                       ad_type=[specs[c]["ad_type"] for c in campaign_of],
                       cost_type=[specs[c]["cost_type"] for c in campaign_of],
                       ad_group_name=[specs[c]["ad_group_name"] for c in campaign_of],
                       advertised_sku=products.loc[rows["i"], "sku"].to_numpy(),
                       advertised_asin=products.loc[rows["i"], "asin"].to_numpy())
    frame = frame.merge(info.drop(columns=["i", "ctr", "cvr", "cpc", "impressions_mean"]),
                        left_on="row", right_index=True).drop(columns="row")
    campaigns = pd.DataFrame([{**{key: s[key] for key in ("campaign_name", "ad_type",
                                                            "cost_type")},
                               "budget": b, "marketplace": mp, "currency": currency}
                              for s, b in zip(specs, budgets, strict=True)])
    capped = specs[0]["campaign_name"]
    planted = {"budget_capped_campaign": capped, "budget_capped_days": len(capped_days),
               "budget_missed_sales": float(frame.loc[frame["campaign_name"] == capped,
                                                      "lost_sales_minor"].sum() / minor),
               "no_budget_campaign": specs[3]["campaign_name"]}
    return frame, campaigns, planted


def add_sponsored(world) -> None:
    """Add the SB/SD truth (``sponsored``, ``sponsored_campaigns``) and planted behaviours."""
    days, campaigns = [], []
    for index, mp in enumerate(world.marketplaces):
        frame, table, planted = simulate_sponsored(world, mp, SAMPLE_MARKETPLACES.index(mp)
                                                   if mp in SAMPLE_MARKETPLACES else index)
        days.append(frame)
        campaigns.append(table)
        world.planted.setdefault(mp, {}).update(planted)
    world.truth["sponsored"] = pd.concat(days, ignore_index=True)
    world.truth["sponsored_campaigns"] = pd.concat(campaigns, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# writing

_SUMS = ["impressions", "clicks", "spend_minor", "orders", "units", "sales_minor",
         "orders_clicks", "units_clicks", "sales_clicks_minor"]


def _cells(r, mp, column):
    """One metric cell as the console CSV writes it ("" where Amazon leaves it blank)."""
    money = {"spend": r.spend_minor, "sales": r.sales_minor,
             "sales_clicks": r.sales_clicks_minor}
    if column in money:
        return _console_money(int(money[column]), mp)
    if column == "cpc":
        return _console_money(round(r.spend_minor / r.clicks), mp) if r.clicks else ""
    if column == "ctr":
        return format_percent(r.clicks / r.impressions, mp) if r.impressions else ""
    if column in ("acos", "acos_clicks"):
        sales = r.sales_minor if column == "acos" else r.sales_clicks_minor
        return format_percent(r.spend_minor / sales, mp) if sales else ""
    if column == "conversion_rate":
        return format_percent(r.orders / r.clicks, mp) if r.clicks else ""
    if column == "viewable_impressions":
        return str(int(round(r.impressions * 0.7)))
    if column == "branded_searches":  # SB only: shoppers who searched the brand afterwards
        return str(int(r.clicks // 8))
    return str(int(getattr(r, column)))


_METRICS = ["cost_type", "impressions", "viewable_impressions", "clicks", "ctr", "spend", "cpc",
            "acos", "sales", "orders", "units", "conversion_rate", "acos_clicks", "sales_clicks",
            "orders_clicks", "units_clicks"]


def _write(kind, mp, folder, name, head, table):
    language = marketplaces.get(mp).language
    columns = [*head, *_METRICS, *(["branded_searches"] if kind.startswith("sb_") else [])]
    header = [header_for(kind, c, language, attribution_days=ATTRIBUTION_DAYS) for c in columns]
    rows = []
    for r in table.itertuples(index=False):
        cells = []
        for column in columns:
            if column == "date":
                cells.append(_console_date(r.date, mp))
            elif column == "budget":
                cells.append("" if r.budget != r.budget
                             else _console_money(round(r.budget * _minor(mp)), mp))
            elif column in head or column == "cost_type":
                cells.append(str(getattr(r, column)))
            else:
                cells.append(_cells(r, mp, column))
        rows.append(cells)
    first = AS_OF - pd.Timedelta(days=AD_DAYS - 1)
    path = folder / f"{name}_{first:%Y-%m-%d}_{AS_OF:%Y-%m-%d}.csv"
    return _write_text(path, _csv_bytes(header, rows, newline="\r\n"), "utf-8-sig")


def write_sponsored(world, mp, folder) -> list:
    """Write the SB and SD console reports of one marketplace into ``folder``.

    Returns
    -------
    list of Path
    """
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    days = world.frame("sponsored", mp)
    days["date"] = pd.to_datetime(days["date"])
    budgets = world.frame("sponsored_campaigns", mp).set_index("campaign_name")["budget"]
    days = days.assign(portfolio_name="No Portfolio", status="ENABLED",
                       budget=days["campaign_name"].map(budgets))
    sb, sd = days[days["ad_type"] == "sponsored_brands"], days[days["ad_type"] == "sponsored_display"]
    head = ["date", "portfolio_name", "currency", "campaign_name"]

    def summed(frame, keys):
        out = frame.groupby(keys, sort=True, dropna=False)[_SUMS].sum().reset_index()
        return out[out["impressions"] > 0]

    campaign_keys = [*head, "status", "budget", "cost_type"]
    paths = [
        _write("sb_search_term", mp, folder, "Sponsored_Brands_Search_term_report",
               [*head, "ad_group_name", "targeting", "match_type", "customer_search_term"],
               summed(sb, [*head, "ad_group_name", "targeting", "match_type",
                           "customer_search_term", "cost_type"])),
        _write("sb_keyword", mp, folder, "Sponsored_Brands_Keyword_report",
               [*head, "ad_group_name", "targeting", "match_type"],
               summed(sb, [*head, "ad_group_name", "targeting", "match_type", "cost_type"])),
        _write("sb_campaign", mp, folder, "Sponsored_Brands_Campaign_report",
               [*head, "status", "budget"], summed(sb, campaign_keys)),
    ]
    placements = summed(sb, campaign_keys)
    shares = np.array([s for _, s in SB_PLACEMENTS])
    parts = []
    for p, (placement, _share) in enumerate(SB_PLACEMENTS):
        part = placements.copy()
        for column in _SUMS:  # the campaign's day split over placements, summing back exactly
            whole = placements[column].to_numpy()
            before = np.floor(whole * shares[:p].sum() + 1e-9)
            upto = (np.floor(whole * shares[:p + 1].sum() + 1e-9) if p < len(shares) - 1
                    else whole)
            part[column] = (upto - before).astype(np.int64)
        parts.append(part.assign(placement=placement))
    paths.append(_write("sb_placement", mp, folder, "Sponsored_Brands_Placement_report",
                        [*head, "status", "budget", "placement"],
                        pd.concat(parts, ignore_index=True).sort_values(
                            ["date", "campaign_name", "placement"], kind="stable")))
    paths += [
        _write("sd_targeting", mp, folder, "Sponsored_Display_Targeting_report",
               [*head, "ad_group_name", "targeting"],
               summed(sd, [*head, "ad_group_name", "targeting", "cost_type"])),
        _write("sd_campaign", mp, folder, "Sponsored_Display_Campaign_report",
               [*head, "status", "budget"], summed(sd, campaign_keys)),
        _write("sd_advertised_product", mp, folder,
               "Sponsored_Display_Advertised_product_report",
               [*head, "ad_group_name", "advertised_sku", "advertised_asin"],
               summed(sd, [*head, "ad_group_name", "advertised_sku", "advertised_asin",
                           "cost_type"])),
    ]
    return paths

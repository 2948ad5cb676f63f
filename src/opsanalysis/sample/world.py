"""The simulated seller behind the bundled sample: a pure, seed-deterministic numpy world.

One seller ("Homelux", with a pet line "PawPal") sells 30–40 SKUs in each of six marketplaces
(US, UK, DE, JP, and AU and SG added later from their own random streams) from :data:`START` to :data:`AS_OF` (805 days, Sunday 2024-08-18 to Saturday
2026-10-31, so every Sunday–Saturday week is complete). The world holds, per marketplace:

- a catalogue (SKU, ASIN, category, price path, costs, lead-time legs, launch date) whose
  prices, weights and freight modes leave every SKU a landed margin but one planted
  loss-maker;
- daily true demand (weekly pattern, Prime Day / Prime Big Deal Days / Black Friday–Cyber Monday /
  Christmas peaks, category growth, price elasticity, launch ramps) and realised demand;
- an FBA inventory simulation (a seller's weekly review: reorder at lead-time demand plus
  safety stock with each SKU's own lead-time legs, case packs and MOQs by its freight mode, the
  odd late order; multi-channel (MCF) shipments, first-in-first-out lot ages) that censors
  sales when stock runs out;
- traffic (sessions, page views, buy-box page views, B2B shares) consistent with units;
- order items (including MCF, cancelled and pending ones), customer returns;
- eight weeks of Sponsored Products activity per search term and day;
- a Product Opportunity Explorer-shaped niche table and account-health metrics;
- the listing state at as_of (All Listings), with a deleted and a suppressed listing in AU and
  SG (LISTING_MARKETPLACES).

Planted behaviours (see ``World.planted``) are built in on purpose so later analyses can be tested
against known answers; ``data/sample/README.md`` lists them. Money is simulated in integer minor
units (cents, pence, yen) so every report total adds up exactly.

Nothing here writes files; :mod:`opsanalysis.sample.writers` turns a world into Amazon's formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from opsanalysis import marketplaces

__all__ = [
    "AS_OF",
    "SAMPLE_MARKETPLACES",
    "START",
    "World",
    "build_world",
]

AS_OF = pd.Timestamp("2026-10-31")
START = pd.Timestamp("2024-08-18")
SAMPLE_MARKETPLACES = ("US", "UK", "DE", "JP", "AU", "SG")
# Marketplaces whose folders also hold weekly Manage FBA Inventory snapshots and an All Listings
# report (the stranded-inventory spike and the suppressed listing). Only those added after the
# first four: every file of US, UK, DE and JP stays byte-identical.
LISTING_MARKETPLACES = ("AU", "SG")
SNAPSHOT_WEEKS = 5  # weekly Manage FBA Inventory snapshots written there, the last on as_of
AD_DAYS = 56  # eight weeks of Sponsored Products history, as the console keeps daily data
AD_SALES_SHARE = 0.5  # at most this share of an advertised SKU's units comes through its ads

# Retail events of the simulated calendar: (event, first day, last day, demand multiplier, deal
# price factor, scope). Dates follow the events calendar of params/defaults.yaml (checked
# 2026-11; 2026 dates are estimates there too); a JP entry replaces the "all" entry of the same
# event and year. Kept here, not read from params, so the committed sample never changes when
# the params are edited.
EVENTS = (
    ("prime_big_deal_days", "2024-10-08", "2024-10-09", 1.7, 0.85, "all"),
    ("prime_big_deal_days", "2024-10-19", "2024-10-20", 1.7, 0.85, "JP"),
    ("singles_day", "2024-11-11", "2024-11-11", 1.2, 1.0, "all"),
    ("black_friday_cyber_monday", "2024-11-29", "2024-12-02", 2.4, 0.85, "all"),
    ("prime_day", "2025-07-08", "2025-07-11", 2.6, 0.80, "all"),
    ("prime_day", "2025-07-11", "2025-07-14", 2.6, 0.80, "JP"),
    ("prime_big_deal_days", "2025-10-07", "2025-10-08", 1.7, 0.85, "all"),
    ("singles_day", "2025-11-11", "2025-11-11", 1.2, 1.0, "all"),
    ("black_friday_cyber_monday", "2025-11-28", "2025-12-01", 2.4, 0.85, "all"),
    ("prime_day", "2026-07-14", "2026-07-17", 2.6, 0.80, "all"),
    ("prime_big_deal_days", "2026-10-13", "2026-10-14", 1.7, 0.85, "all"),
    # Amazon.sg runs its own 11.11 sale (params events: singles_day, inbound cut-off rule for
    # SG): a bigger lift and a deal price there.
    ("singles_day", "2024-11-11", "2024-11-11", 2.2, 0.85, "SG"),
    ("singles_day", "2025-11-11", "2025-11-11", 2.2, 0.85, "SG"),
)


# Events after as_of: only the planner's look-ahead sees them (the history ends before).
EVENTS_AHEAD = (
    ("singles_day", "2026-11-11", "2026-11-11", 1.2, 1.0, "all"),
    ("black_friday_cyber_monday", "2026-11-27", "2026-11-30", 2.4, 0.85, "all"),
    ("singles_day", "2026-11-11", "2026-11-11", 2.2, 0.85, "SG"),
)
AHEAD_DAYS = 200  # days after as_of the planner's expected demand reaches [days]


def events_for(marketplace, events=EVENTS):
    """The world's events in one marketplace (its own entries replace the "all" ones)."""
    own = {(e[0], e[1][:4]) for e in events if e[5] == marketplace}
    return [e for e in events if e[5] == marketplace
            or (e[5] == "all" and (e[0], e[1][:4]) not in own)]


# Category library: annual demand growth [fraction], competition level, return rate [fraction],
# search-term stems for ads, product nouns per language; cost_factor [ratio] = purchase cost
# against the others' (the planted top category's edge: low enough that its margin stays ahead
# after its heavier ad spend, so it ranks first under every weight draw).
CATEGORIES = {
    "Kitchen": dict(
        growth=0.05, competition="high", return_rate=0.035, code="KIT",
        terms=["silicone baking mat", "kitchen utensil set", "oil sprayer", "cutting board",
               "dish drying rack", "spatula set"],
        nouns={"en": ["Silicone Baking Mat", "Utensil Set", "Oil Sprayer", "Bamboo Cutting Board",
                      "Dish Drying Rack", "Spatula Set", "Measuring Cups", "Garlic Press"],
               "de": ["Silikon Backmatte", "Küchenhelfer Set", "Ölsprüher", "Bambus Schneidebrett",
                      "Abtropfgestell", "Pfannenwender Set", "Messbecher", "Knoblauchpresse"],
               "ja": ["シリコン ベーキングマット", "キッチンツール セット", "オイルスプレー",
                      "竹製 まな板", "水切りラック", "ヘラ セット", "計量カップ", "ニンニク絞り器"]}),
    "Bath": dict(
        growth=0.02, competition="medium", return_rate=0.05, code="BTH",
        terms=["bath mat", "shower caddy", "toothbrush holder", "bathroom rug"],
        nouns={"en": ["Bath Mat", "Shower Caddy", "Toothbrush Holder", "Bathroom Rug",
                      "Soap Dispenser"],
               "de": ["Badematte", "Duschablage", "Zahnbürstenhalter", "Badteppich",
                      "Seifenspender"],
               "ja": ["バスマット", "シャワーラック", "歯ブラシスタンド", "浴室ラグ",
                      "ソープディスペンサー"]}),
    "Pet Supplies": dict(
        growth=0.40, competition="low", return_rate=0.03, code="PET", cost_factor=0.45,
        terms=["cat water fountain", "dog poop bags", "pet hair remover", "slow feeder bowl"],
        nouns={"en": ["Cat Water Fountain", "Dog Poop Bags", "Pet Hair Remover",
                      "Slow Feeder Bowl", "Cat Scratcher"],
               "de": ["Katzenbrunnen", "Kotbeutel", "Tierhaarentferner", "Anti-Schling-Napf",
                      "Kratzbrett"],
               "ja": ["猫 給水器", "犬 うんち袋", "ペット 毛取り", "早食い防止 食器",
                      "猫 爪とぎ"]}),
    "Home Storage": dict(
        growth=0.03, competition="high", return_rate=0.04, code="STO",
        terms=["storage baskets", "drawer organizer", "vacuum storage bags", "closet organizer"],
        nouns={"en": ["Storage Baskets", "Drawer Organizer", "Vacuum Storage Bags",
                      "Closet Organizer", "Shoe Rack"],
               "de": ["Aufbewahrungskörbe", "Schubladen Organizer", "Vakuumbeutel",
                      "Schrank Organizer", "Schuhregal"],
               "ja": ["収納バスケット", "引き出し 仕切り", "圧縮袋", "クローゼット 収納",
                      "靴 ラック"]}),
    "Garden": dict(
        growth=-0.04, competition="medium", return_rate=0.045, code="GDN",
        terms=["garden hose nozzle", "plant pots", "pruning shears"],
        nouns={"en": ["Hose Nozzle", "Plant Pots", "Pruning Shears", "Garden Kneeler"],
               "de": ["Gartenbrause", "Pflanztöpfe", "Gartenschere", "Kniebank"],
               "ja": ["ホースノズル", "植木鉢", "剪定ばさみ", "ガーデンチェア"]}),
    "Fitness": dict(
        growth=0.00, competition="high", return_rate=0.06, code="FIT",
        terms=["resistance bands", "yoga mat", "jump rope"],
        nouns={"en": ["Resistance Bands", "Yoga Mat", "Jump Rope", "Foam Roller"],
               "de": ["Widerstandsbänder", "Yogamatte", "Springseil", "Faszienrolle"],
               "ja": ["トレーニングチューブ", "ヨガマット", "縄跳び", "フォームローラー"]}),
}

# Per marketplace: SKU count, categories, the category with past and recent launches, the
# category whose attractiveness rests on a market estimate, volume and price scale, VAT.
MARKETPLACE_SETUP = {
    "US": dict(n_sku=38, categories=["Kitchen", "Bath", "Pet Supplies", "Home Storage", "Garden",
                                     "Fitness"],
               estimated="Fitness", volume=1.0, price_scale=1.0, vat=0.0, n_recent=3,
               n_past=8, language="en", sku_prefix="HL", order_prefixes=(111, 112, 113, 114)),
    "UK": dict(n_sku=32, categories=["Kitchen", "Bath", "Pet Supplies", "Home Storage", "Garden"],
               estimated="Garden", volume=0.55, price_scale=0.85, vat=0.20, n_recent=2,
               n_past=6, language="en", sku_prefix="HLUK", order_prefixes=(202, 203, 204, 205)),
    "DE": dict(n_sku=34, categories=["Kitchen", "Bath", "Pet Supplies", "Home Storage",
                                     "Fitness"],
               estimated="Fitness", volume=0.6, price_scale=0.95, vat=0.19, n_recent=3,
               n_past=7, language="de", sku_prefix="HLDE", order_prefixes=(302, 303, 304, 305)),
    "JP": dict(n_sku=30, categories=["Kitchen", "Bath", "Pet Supplies", "Home Storage"],
               estimated="Home Storage", volume=0.5, price_scale=150.0, vat=0.10, n_recent=2,
               n_past=6, language="ja", sku_prefix="HLJP", order_prefixes=(249, 250, 503)),
    # AU and SG (issue 19): their own freight and customs legs, as params/AU.yaml and
    # params/SG.yaml state them (the US-JP SKUs keep FREIGHT_DAYS and CUSTOMS_DAYS).
    "AU": dict(n_sku=32, categories=["Kitchen", "Bath", "Pet Supplies", "Home Storage", "Garden"],
               estimated="Garden", volume=0.35, price_scale=1.5, vat=0.10, n_recent=2,
               n_past=6, language="en", sku_prefix="HLAU", order_prefixes=(249, 250, 503),
               freight_days={"sea": 25, "air": 8}, customs_days={"sea": 3, "air": 3}),
    "SG": dict(n_sku=30, categories=["Kitchen", "Bath", "Pet Supplies", "Home Storage"],
               estimated="Home Storage", volume=0.25, price_scale=1.3, vat=0.09, n_recent=2,
               n_past=6, language="en", sku_prefix="HLSG", order_prefixes=(171, 406),
               freight_days={"sea": 12, "air": 5}, customs_days={"sea": 2, "air": 2}),
}
TOP_CATEGORY = "Pet Supplies"
LAUNCH_CATEGORY = "Kitchen"
LOSS_CATEGORY = "Home Storage"  # home of the planted loss-making SKU (not advertised)

# The seller's own landed-cost sheet (the package's copy lives in params ``opportunity``; kept
# here so the committed sample never moves when params are edited): head-haul freight China to
# FBA door to door [CNY per kg], CNY per unit of the marketplace currency, the referral fee
# rate, and FBA storage of a unit held about 1.5 months, peak and off-peak blended [USD per
# cubic foot, scaled like prices].
HEAD_HAUL_CNY_PER_KG = {"sea": 10.0, "air": 38.0}
CNY_PER_UNIT = {"US": 7.1, "UK": 9.0, "DE": 7.8, "JP": 0.047, "AU": 4.7, "SG": 5.5}
REFERRAL_RATE = 0.15
STORAGE_PER_CUFT = 1.8
MIN_LANDED_MARGIN = 0.12  # every SKU but the loss-maker keeps this much of its net price
LOSS_PRE_FREIGHT_MARGIN = 0.06  # the loss-maker earns this before head-haul freight, not after
LOSS_WEIGHT_KG = 2.4  # ... because it is heavy and cheap
LOSS_COST_SHARE = 0.2  # its purchase cost [fraction of the USD base price]

# Lead-time legs the seller plans with (product master) [days]: production is drawn per SKU;
# freight and customs by mode; FBA check-in, longer when goods reach FBA in Q4.
FREIGHT_DAYS = {"sea": 35, "air": 9}
CUSTOMS_DAYS = {"sea": 4, "air": 2}


def freight_legs(setup):
    """Freight and customs days by mode [days] of a marketplace's lane (FREIGHT_DAYS and
    CUSTOMS_DAYS unless its setup states its own)."""
    return setup.get("freight_days", FREIGHT_DAYS), setup.get("customs_days", CUSTOMS_DAYS)


CHECK_IN_DAYS = 4
Q4_CHECK_IN_DAYS = 14  # Amazon receiving in October–December (params: 4 days x 3.5)
# The seller's weekly review: reorder when stock + inbound is at or below the demand over lead
# time + review period plus safety stock (the larger of SERVICE_Z sigma and SAFETY_COVER_DAYS of
# demand: Amazon's low-inventory-level fee starts below 28 days of supply); order up to that
# plus CYCLE_COVER_DAYS of demand by the SKU's mode (less where cover at arrival would pass
# MAX_ARRIVAL_COVER_DAYS, Amazon's excess line at 90 days, but at least MIN_CYCLE_DAYS), in
# whole case packs and at least the MOQ.
REVIEW_DAYS = 7
SERVICE_Z = 3.1  # 99.9 % cycle service level: a stockout costs the listing its rank
SAFETY_COVER_DAYS = 28
CYCLE_COVER_DAYS = {"sea": 49, "air": 35}
MAX_ARRIVAL_COVER_DAYS = 80
MIN_CYCLE_DAYS = 21
LEAD_TIME_SD_DAYS = 4.0  # the planner's spread of lead times (legs run a few days late) [days]
LATE_REVIEW_SHARE = 0.03  # share of due reviews the seller misses: the order goes a week late
# The planner's variance/mean of an intermittent SKU's daily units (2.25 for bursts of 1.8;
# the planner allows for runs of bursts).
BURST_VARIANCE = 4.0

# Customer search terms of the advertised categories in the marketplace language, and the words
# the ads simulation builds variants, the planted harvest term and the waste terms from.
SEARCH_TERMS = {
    "de": {"Kitchen": ["silikon backmatte", "küchenhelfer set", "ölsprüher",
                       "schneidebrett bambus", "abtropfgestell", "pfannenwender set"],
           "Pet Supplies": ["katzenbrunnen", "kotbeutel hund", "tierhaarentferner",
                            "anti schling napf"]},
    "ja": {"Kitchen": ["シリコン ベーキングマット", "キッチンツール セット", "オイルスプレー",
                       "まな板 竹", "水切りラック", "ヘラ セット"],
           "Pet Supplies": ["猫 給水器", "うんち袋 犬", "ペット 毛取り", "早食い防止 食器"]},
}
AD_WORDS = {
    "en": dict(pack=("set", "pack"), home="{} for home", best="best {}",
               harvest="{} large non stick",
               waste=["free sample", "diy craft project", "cheap replacement part",
                      "wholesale bulk lot"]),
    "de": dict(pack=("set", "packung"), home="{} für zuhause", best="beste {}",
               harvest="{} groß antihaft",
               waste=["gratis probe", "basteln diy", "ersatzteil billig", "großhandel posten"]),
    "ja": dict(pack=("セット", "パック"), home="{} 家庭用", best="{} おすすめ",
               harvest="{} 大判 くっつかない",
               waste=["無料 サンプル", "手作り 工作", "交換 部品 安い", "業務用 まとめ買い"]),
}

_ALNUM = np.array(list("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"))
_LOWER = "abcdefghijklmnopqrstuvwxyz"


@dataclass
class World:
    """A simulated seller: truth frames, planted behaviours and per-marketplace details.

    Attributes
    ----------
    seed : int
        Seed the world was built from.
    start, as_of : pandas.Timestamp
        First and last simulated calendar day (inclusive).
    marketplaces : tuple of str
    truth : dict of str -> DataFrame
        Long frames over all marketplaces (column ``marketplace`` first): ``products``,
        ``demand``, ``traffic``, ``launches``, ``shipments``, ``orders``, ``returns``,
        ``inventory``, ``inventory_history``, ``ads``, ``campaigns``, ``niche``,
        ``account_health``, ``listings``, ``categories``, ``events``. Shared by the cache: do
        not mutate.
    planted : dict of str -> dict
        Marketplace -> the planted behaviours (see ``data/sample/README.md``).
    """

    seed: int
    start: pd.Timestamp
    as_of: pd.Timestamp
    marketplaces: tuple
    truth: dict = field(default_factory=dict)
    planted: dict = field(default_factory=dict)

    def frame(self, name: str, marketplace: str) -> pd.DataFrame:
        """One truth frame restricted to one marketplace (index reset).

        Timestamps, kept in UTC in ``truth``, come back in the marketplace's time zone.
        """
        table = self.truth[name]
        table = table[table["marketplace"] == marketplace].reset_index(drop=True)
        timezone = marketplaces.get(marketplace).timezone
        for column in table.columns:
            if isinstance(table[column].dtype, pd.DatetimeTZDtype):
                table[column] = table[column].dt.tz_convert(timezone)
        return table


# ---------------------------------------------------------------------------------------------
# Small helpers


def _codes(rng, n, length, prefix=""):
    """``n`` distinct random upper-case alphanumeric codes with a prefix."""
    seen, out = set(), []
    while len(out) < n:
        code = prefix + "".join(rng.choice(_ALNUM, size=length))
        if code not in seen:
            seen.add(code)
            out.append(code)
    return out


def _ramp(days, t90, shape):
    """Launch ramp share of plateau after ``days`` [days]; reaches 0.9 at ``t90`` [days].

    Logistic starts at 0.1 on launch day, Gompertz at 0.05; both are 0 before launch.
    """
    d = np.asarray(days, dtype=float)
    if shape == "logistic":
        mid = 0.5 * t90
        k = np.log(9.0) / (t90 - mid)
        out = 1.0 / (1.0 + np.exp(-k * (d - mid)))
    else:
        b = np.log(20.0)
        c = np.log(b / -np.log(0.9)) / t90
        out = np.exp(-b * np.exp(-c * d))
    return np.where(d >= 0, out, 0.0)


def _calendar(dates, marketplace):
    """Seasonal multiplier [ratio] and deal price factor [ratio] per date; weekly pattern apart."""
    day_of_year = dates.day_of_year.to_numpy()
    season = 1.0 + 0.08 * np.cos(2 * np.pi * (day_of_year - 350) / 365.25)
    month = dates.month.to_numpy()
    day = dates.day.to_numpy()
    season = season * np.where((month == 12) & (day <= 20), 1.35, 1.0)
    season = season * np.where((month == 12) & (day >= 24), 0.8, 1.0)
    season = season * np.where(month == 1, 0.85, 1.0)
    deal = np.ones(len(dates))
    names = np.full(len(dates), "", dtype=object)
    for name, first, last, lift, price, _ in (events_for(marketplace)
                                              + events_for(marketplace, EVENTS_AHEAD)):
        inside = (dates >= first) & (dates <= last)
        season = np.where(inside, season * lift, season)
        deal = np.where(inside, price, deal)
        names = np.where(inside, name, names)
        # Sales sag in the days before a big event while shoppers wait for it.
        before = (dates >= pd.Timestamp(first) - pd.Timedelta(days=4)) & (dates < first)
        season = np.where(before, season * 0.9, season)
    return season, deal, names


WEEKDAY = np.array([1.00, 0.96, 0.94, 0.93, 0.97, 1.08, 1.12])  # Monday .. Sunday


# ---------------------------------------------------------------------------------------------
# Catalogue


def _price_minor(base, setup):
    """Shelf price [minor units] from a USD base price: cents ending in 99, whole yen in 80."""
    if setup["price_scale"] >= 100:
        return (np.round(base * setup["price_scale"] / 100) * 100 - 20).astype(np.int64)
    return (np.round(base * setup["price_scale"]) * 100 - 1).astype(np.int64)


def _landed_margin(mp, setup, base, weight, mode, unit_cost, volume, freight=True):
    """Landed unit margin [fraction of the price without VAT] at the base price.

    price ex VAT - referral fee - FBA fee - purchase cost - head-haul freight (by ``mode``;
    left out when ``freight`` is False) - storage; no import duty (the params set none).
    """
    minor = 1 if setup["price_scale"] >= 100 else 100
    price = _price_minor(np.asarray(base, dtype=float), setup) / minor
    net = price / (1 + setup["vat"])
    fx = CNY_PER_UNIT[mp]
    fba_fee = (3.2 + 1.1 * np.asarray(weight)) * setup["price_scale"]
    per_kg = np.where(np.asarray(mode) == "air", HEAD_HAUL_CNY_PER_KG["air"],
                      HEAD_HAUL_CNY_PER_KG["sea"]) * freight
    margin = (net - REFERRAL_RATE * price - fba_fee - np.asarray(unit_cost) / fx
              - per_kg * np.asarray(weight) / fx
              - np.asarray(volume) * STORAGE_PER_CUFT * setup["price_scale"])
    return margin / net


def _fba_fee(weight, setup):
    """FBA fulfilment fee per unit [marketplace currency] from the weight [kg]."""
    fee = np.round(3.2 + np.asarray(weight) * 1.1, 2)
    if setup["price_scale"] >= 100:
        return np.round(fee * setup["price_scale"]).astype(np.int64)
    return np.round(fee * setup["price_scale"], 2)


def _sensible_costs(mp, setup, products, base, weight, prefers_air):
    """Base price [USD], weight [kg] and freight mode per SKU as a seller who knows its landed
    cost sets them: air only where the margin survives it, items no heavier than the margin
    allows, cheap items priced up (MIN_LANDED_MARGIN at the base price).

    Items are sized for the common purchase cost: a category bought cheaper (``cost_factor``)
    keeps its saving as a margin edge instead of spending it on heavier items.
    """
    base, weight = base.copy(), weight.copy()
    mode = np.where(prefers_air, "air", "sea").astype(object)
    cost = products["unit_cost"].to_numpy()
    cost_factor = products["category"].map(lambda c: CATEGORIES[c].get("cost_factor", 1.0))
    common_cost = cost / cost_factor.to_numpy()
    volume = products["item_volume_cuft"].to_numpy()

    def margin(i, b, w, m, unit_cost=cost):
        return float(_landed_margin(mp, setup, b, w, m, unit_cost[i], volume[i]))

    for i in range(len(base)):
        if mode[i] == "air" and margin(i, base[i], weight[i], "air") < MIN_LANDED_MARGIN:
            mode[i] = "sea"
        while margin(i, base[i], 0.15, mode[i]) < MIN_LANDED_MARGIN:
            base[i] += 1.0  # too cheap to carry its fees: a higher price
        at_zero = margin(i, base[i], 0.0, mode[i], common_cost)
        per_kg = at_zero - margin(i, base[i], 1.0, mode[i], common_cost)  # linear in weight
        heaviest = np.floor(100 * (at_zero - MIN_LANDED_MARGIN) / per_kg) / 100
        weight[i] = max(0.15, min(weight[i], heaviest))
    return base, weight, mode.astype(str)


def _catalogue(mp, setup, rng):
    """Products of one marketplace and their roles (established, past launch, recent launch)."""
    n = setup["n_sku"]
    cats = setup["categories"]
    days = (AS_OF - START).days + 1
    language = setup["language"]
    # Roles: recent launches and most past launches in the launch category.
    n_recent, n_past = setup["n_recent"], setup["n_past"]
    n_est = n - n_recent - n_past
    est_cats = [cats[i % len(cats)] for i in range(n_est)]
    past_cats = [LAUNCH_CATEGORY] * (n_past - 2) + [TOP_CATEGORY, cats[-1]]
    recent_cats = [LAUNCH_CATEGORY] * n_recent
    role = ["established"] * n_est + ["past_launch"] * n_past + ["recent_launch"] * n_recent
    category = est_cats + past_cats + recent_cats
    launch = [START] * n_est
    # Past launches spread over the history on Sundays, the last one ~22 weeks before as_of.
    past_weeks = np.linspace(8, 92, n_past).round().astype(int)
    launch += [START + pd.Timedelta(weeks=int(w)) for w in past_weeks]
    recent_weeks = [11, 9, 7][:n_recent]
    launch += [AS_OF + pd.Timedelta(days=1) - pd.Timedelta(weeks=w) for w in recent_weeks]
    products = pd.DataFrame({"role": role, "category": category, "launch_date": launch})
    products["sku"] = [
        f"{setup['sku_prefix']}-{CATEGORIES[c]['code']}-{i + 1:03d}"
        for i, c in enumerate(products["category"])
    ]
    products["asin"] = _codes(rng, n, 8, "B0")
    products["fnsku"] = _codes(rng, n, 7, "X00")
    # Variation families: consecutive established SKUs of a category share a parent in pairs.
    parent = list(products["asin"])
    for cat in cats:
        members = products.index[(products["category"] == cat) & (products["role"] == "established")]
        for a, b in zip(members[0::2], members[1::2], strict=False):
            if rng.random() < 0.5:
                parent_code = _codes(rng, 1, 8, "B0")[0]
                parent[a] = parent_code
                parent[b] = parent_code
    products["parent_asin"] = parent
    products["brand"] = np.where(products["category"] == TOP_CATEGORY, "PawPal", "Homelux")
    # Titles in the marketplace language.
    titles = []
    counters = {}
    for cat, brand in zip(products["category"], products["brand"], strict=True):
        nouns = CATEGORIES[cat]["nouns"][language]
        k = counters.get(cat, 0)
        counters[cat] = k + 1
        noun = nouns[k % len(nouns)]
        variant = k // len(nouns) + 1
        if language == "ja":
            brand_ja = {"Homelux": "ホームラックス", "PawPal": "パウパル"}[brand]
            titles.append(f"{brand_ja} {noun} タイプ{variant}")
        elif language == "de":
            titles.append(f"{brand} {noun} – Modell {variant}, langlebig und pflegeleicht")
        else:
            titles.append(f"{brand} {noun} – Style {variant}, Durable & Easy to Clean")
    products["title"] = titles
    # Prices: USD 9.99–44.99 scaled by marketplace (cents ending in 99; JPY whole yen ending
    # in 80); purchase cost 18–28 % of the USD price in CNY.
    base = rng.choice(np.arange(9, 45), size=n) + 0.99
    cost_factor = products["category"].map(lambda c: CATEGORIES[c].get("cost_factor", 1.0))
    products["unit_cost"] = np.round(base * rng.uniform(0.18, 0.28, n) * cost_factor * 7.1,
                                     2)  # CNY
    products["cost_currency"] = "CNY"
    products["case_pack"] = rng.choice([12, 20, 24, 30, 40, 50], size=n)
    products["moq"] = products["case_pack"] * rng.choice([1, 2, 5], size=n)
    prefers_air = rng.random(n) >= 0.7
    products["production_days"] = rng.choice([15, 20, 25, 30], size=n)
    products["fba_check_in_days"] = CHECK_IN_DAYS
    products["item_volume_cuft"] = np.round(rng.uniform(0.05, 0.9, n), 3)
    weight = np.round(rng.uniform(0.15, 2.5, n), 2)
    # A seller that knows its landed cost: each SKU keeps MIN_LANDED_MARGIN by its freight mode
    # (lighter item, sea instead of air, or a higher price); _plant_loss_maker breaks it once.
    base, weight, mode = _sensible_costs(mp, setup, products, base, weight, prefers_air)
    price_minor = _price_minor(base, setup)
    products["price_minor"] = price_minor
    minor = 1 if setup["price_scale"] >= 100 else 100
    products["price"] = products["price_minor"] / minor
    products["freight_mode"] = mode
    freight_days, customs_days = freight_legs(setup)
    products["freight_days"] = [freight_days[m] for m in mode]
    products["customs_days"] = [customs_days[m] for m in mode]
    products["item_weight_kg"] = weight
    products["storage_type"] = "standard"
    products["loss_making"] = False
    products["fba_fee"] = _fba_fee(weight, setup)
    products["referral_fee_rate"] = 0.15
    products["cvr"] = rng.uniform(0.07, 0.17, n)
    products["intermittent"] = False
    products["days_active"] = [(AS_OF - d).days + 1 for d in products["launch_date"]]
    assert all(products["days_active"] > 0) and days > 0
    return products


# ---------------------------------------------------------------------------------------------
# Demand


def _price_path(base_price, price_factor, deal, setup):
    """Daily price [minor units]: base x permanent changes x deal factor, on the price grid."""
    if setup["price_scale"] >= 100:  # yen: whole tens
        price = np.round(base_price * price_factor * deal[None, :] / 10) * 10
    else:  # cents ending in 9
        price = np.floor(base_price * price_factor * deal[None, :] / 10) * 10 + 9
    return price.astype(np.int64)


def _demand(mp, setup, products, dates, rng):
    """True mean demand and price [minor] per SKU and day, and the mean AHEAD_DAYS past as_of.

    ``mean`` and ``price_minor`` cover ``dates``; ``mean_ahead`` continues ``mean`` (the
    expected demand the seller's planner looks ahead with; prices stay at their last level).
    """
    n, days = len(products), len(dates)
    dates = pd.date_range(dates[0], periods=days + AHEAD_DAYS, freq="D")
    t_years = (dates - START).days.to_numpy() / 365.25
    season, deal, _ = _calendar(dates, mp)
    weekday = WEEKDAY[dates.day_of_week.to_numpy()]
    level = np.exp(rng.normal(np.log(1.6), 0.7, n)) * setup["volume"]
    growth = np.array([CATEGORIES[c]["growth"] for c in products["category"]])
    growth = growth + rng.normal(0, 0.05, n)
    # Price path: two or three permanent changes of ±5–12 % at random days, elasticity -1.4.
    price_factor = np.ones((n, days + AHEAD_DAYS))
    for i in range(n):
        for day in np.sort(rng.choice(np.arange(60, days - 30), size=rng.integers(2, 4),
                                      replace=False)):
            price_factor[i, day:] *= 1 + rng.choice([-1, 1]) * rng.uniform(0.05, 0.12)
    price_factor = np.clip(price_factor, 0.8, 1.25)
    base_price = products["price_minor"].to_numpy()[:, None]
    price_minor = _price_path(base_price, price_factor, deal, setup)
    elasticity = (price_minor / (base_price * deal[None, :])) ** -1.4
    mean = (level[:, None] * np.exp(growth[:, None] * t_years[None, :]) * season[None, :]
            * weekday[None, :] * elasticity)
    # Launch ramps.
    since = (dates.to_numpy()[None, :] - products["launch_date"].to_numpy()[:, None]
             ) / np.timedelta64(1, "D")
    ramp_info = {}
    launched = products["role"] != "established"
    lag_index = None
    cohort = []  # (plateau, t90 weeks) of past launches in the launch category
    for i in np.flatnonzero(launched):
        shape = "logistic" if i % 2 == 0 else "gompertz"
        t90_weeks = rng.uniform(4.5, 7.5)
        plateau_level = rng.uniform(2.2, 3.4) * setup["volume"]
        lagging = False
        if products.at[i, "role"] == "past_launch" and products.at[i, "category"] == \
                LAUNCH_CATEGORY:
            cohort.append((plateau_level, t90_weeks))
        if products.at[i, "role"] == "recent_launch":
            # On-track launches ramp a little faster and higher than the cohort's median, so
            # noise cannot push them under its 10th percentile; the first one lags instead.
            plateau_level = 1.3 * float(np.median([c[0] for c in cohort]))
            t90_weeks = 0.85 * float(np.median([c[1] for c in cohort]))
            shape = "logistic"
            if lag_index is None:
                lag_index = i
                lagging = True
                t90_weeks = 20.0
                plateau_level *= 0.6
        level[i] = plateau_level
        ramp = _ramp(since[i], t90_weeks * 7, shape)
        launch_years = (products.at[i, "launch_date"] - START).days / 365.25
        mean[i] = (plateau_level * np.exp(growth[i] * (t_years - launch_years)) * season
                   * weekday * elasticity[i] * ramp)
        ramp_info[i] = dict(shape=shape, t90_weeks=t90_weeks, plateau=plateau_level,
                            lagging=lagging)
    mean = np.where(since >= 0, mean, 0.0)
    return dict(mean=mean[:, :days], mean_ahead=mean, price_minor=price_minor[:, :days],
                price_factor=price_factor[:, :days], level=level, ramp_info=ramp_info,
                lag_index=lag_index, deal=deal[:days])


def _pick_specials(products, sim, rng):
    """Choose the SKUs that carry the planted behaviours (distinct, established, steady)."""
    est = products.index[(products["role"] == "established")].to_numpy()
    level = sim["level"]
    est_sorted = est[np.argsort(-level[est], kind="stable")]
    stockout = int(est_sorted[1])
    risk = int(est_sorted[3])
    overstock = int(est_sorted[6])
    taken = {stockout, risk, overstock}
    rest = [int(i) for i in est_sorted[::-1] if int(i) not in taken]
    # Long-tail SKUs become intermittent: a few sparse days with bursts of units.
    intermittent = sorted(rest[:4])
    # The loss-maker sells well: the best seller of LOSS_CATEGORY not otherwise planted.
    loss = next(i for i in est_sorted if products.at[i, "category"] == LOSS_CATEGORY
                and i not in taken and i not in intermittent)
    return dict(stockout=stockout, risk=risk, overstock=overstock, intermittent=intermittent,
                loss=int(loss))


def _plant_loss_maker(mp, setup, products, sim, i):
    """Make SKU ``i`` heavy and cheap, shipped by sea: it earns LOSS_PRE_FREIGHT_MARGIN of its
    net price before head-haul freight and loses money once freight is paid, by every mode.

    Its daily prices follow its new base price; its demand stays as simulated (the
    elasticity reads price changes, not the level).
    """
    volume = products.at[i, "item_volume_cuft"]
    base = 9.99
    while True:  # cheapest price on the grid that leaves the margin before freight
        cost = round(base * LOSS_COST_SHARE * 7.1, 2)  # CNY
        if _landed_margin(mp, setup, base, LOSS_WEIGHT_KG, "sea", cost, volume,
                          freight=False) >= LOSS_PRE_FREIGHT_MARGIN:
            break
        base += 1.0
    for mode in ("sea", "air"):
        assert _landed_margin(mp, setup, base, LOSS_WEIGHT_KG, mode, cost, volume) < 0
    minor = 1 if setup["price_scale"] >= 100 else 100
    price_minor = int(_price_minor(np.array([base]), setup)[0])
    freight_days, customs_days = freight_legs(setup)
    products.loc[i, ["freight_mode", "freight_days", "customs_days"]] = \
        ["sea", freight_days["sea"], customs_days["sea"]]
    products.loc[i, ["item_weight_kg", "unit_cost", "price_minor", "price", "loss_making"]] = \
        [LOSS_WEIGHT_KG, cost, price_minor, price_minor / minor, True]
    products.at[i, "fba_fee"] = _fba_fee(LOSS_WEIGHT_KG, setup)
    sim["price_minor"][i] = _price_path(np.array([[price_minor]]), sim["price_factor"][i:i + 1],
                                        sim["deal"], setup)[0]


def _sensible_packs(products, mean):
    """Case pack and MOQ a seller negotiates for its volume: a case holds at most half an order
    cycle's demand (12 units at least), the MOQ at most one and a half cycles' (one case at
    least); the drawn values stand where they already fit."""
    rate = mean[:, -120:].mean(axis=1)
    cycle = rate * np.array([CYCLE_COVER_DAYS[m] for m in products["freight_mode"]])
    options = np.array([12, 20, 24, 30, 40, 50])
    largest = np.array([options[options <= max(12.0, c / 2)].max() for c in cycle])
    case = np.minimum(products["case_pack"].to_numpy(), largest)
    multiple = products["moq"].to_numpy() // products["case_pack"].to_numpy()
    for k in (5, 2):
        multiple = np.where((multiple == k) & (case * k > 1.5 * cycle), {5: 2, 2: 1}[k],
                            multiple)
    products["case_pack"] = case
    products["moq"] = case * multiple


def _realise(sim, products, specials, setup, rng):
    """Realised daily units (Poisson; intermittent SKUs compound Bernoulli) and MCF units."""
    ahead = sim["mean_ahead"]  # sim["mean"] is a view of its first days: both change
    mean = sim["mean"]
    n, days = mean.shape
    # The overstocked SKU's demand fades by half over the last 300 days (why it is overstocked).
    i = specials["overstock"]
    fade = np.clip(1 - 0.5 * (np.arange(ahead.shape[1]) - (days - 300)) / 300, 0.5, 1.0)
    ahead[i] = ahead[i] * fade
    for i in specials["intermittent"]:
        ahead[i] = ahead[i] / max(mean[i].mean(), 1e-9) * rng.uniform(0.12, 0.3)
        products.at[i, "intermittent"] = True
    assert np.shares_memory(mean, ahead)
    units = rng.poisson(mean)
    burst_size = 1.8  # mean units of an intermittent order day
    for i in specials["intermittent"]:
        occurs = rng.random(days) < np.clip(mean[i] / burst_size, 0, 0.9)
        units[i] = np.where(occurs, 1 + rng.poisson(burst_size - 1, days), 0)
    mcf_share = np.where(rng.random(n) < 0.3, 0.04, 0.0)
    mcf = rng.poisson(mean * mcf_share[:, None])
    sim["mcf_share"] = mcf_share
    return units.astype(np.int64), mcf.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Inventory


def _inventory(products, sim, units, mcf, specials, dates, rng, legs_by_mode):
    """Daily FBA stock under the seller's weekly review policy; censors sales when stock runs out.

    Every Monday the seller reviews each SKU, from the day it orders the SKU's launch stock:
    when stock on hand plus inbound is at or below the reorder point -- the expected demand over
    the SKU's own lead time (product-master legs, check-in longer when goods reach FBA in Q4)
    plus the review period, plus safety stock -- it orders up to that point plus
    CYCLE_COVER_DAYS of demand (less where cover at arrival would pass MAX_ARRIVAL_COVER_DAYS),
    in whole case packs and at least the MOQ, by the SKU's freight mode. It creates the FBA
    inbound shipment with the purchase order, so units in production show as inbound
    "working". The planner knows the expected demand (peaks and ramps included); actual legs
    run late more often than early; now and then (LATE_REVIEW_SHARE) a due order slips a week
    ("late order").

    Special SKUs get planted plans: the stockout SKU is covered exactly up to a planned stockout
    day and receives its next shipment three weeks later; the stockout-risk SKU is covered only
    to 12 days past as_of and its next sea shipment, ordered late, lands after that; the
    overstock SKU receives about a year's demand in one sea shipment 250 days before as_of and
    is not reordered.

    Returns units sold, on-hand at the start and end of each day, the shipments table (order,
    ship, FC arrival and available day), the receipts used for inventory ages and the seller's
    reorder point and order-up-to level per SKU on as_of [units]. ``legs_by_mode`` is the
    lane's (freight days, customs days) by mode (:func:`freight_legs`).
    """
    freight_days, customs_days = legs_by_mode
    ahead = sim["mean_ahead"] * (1 + sim["mcf_share"][:, None])  # Amazon and MCF orders
    n, days = sim["mean"].shape
    launch_idx = ((products["launch_date"] - START).dt.days).to_numpy()
    own_mode = products["freight_mode"].to_numpy()
    case = products["case_pack"].to_numpy()
    moq = products["moq"].to_numpy()
    production = products["production_days"].to_numpy()
    intermittent = products["intermittent"].to_numpy()
    csum = np.concatenate([np.zeros((n, 1)), np.cumsum(ahead, axis=1)], axis=1)

    def future_mean(i, a, b):  # expected demand over days a..b-1 [units]
        a, b = max(a, 0), min(b, ahead.shape[1])
        return csum[i, b] - csum[i, a] if b > a else 0.0

    need = units + mcf
    need_csum = np.concatenate([np.zeros((n, 1)), np.cumsum(need, axis=1)], axis=1)

    def future_need(i, a, b):  # realised units + MCF over a..b-1, expected demand after as_of
        real = need_csum[i, min(b, days)] - need_csum[i, min(a, days)]
        return real + future_mean(i, max(a, days), b)

    pad = 400  # orders of launch stock fall before START
    months = pd.date_range(START - pd.Timedelta(days=pad), periods=pad + days + 400,
                           freq="D").month.to_numpy()

    def legs(i, t, mode):
        """Planned production, transit (freight + customs) and check-in [days] of an order."""
        transit = freight_days[mode] + customs_days[mode]
        reach = t + int(production[i]) + transit
        check_in = Q4_CHECK_IN_DAYS if months[reach + pad] >= 10 else CHECK_IN_DAYS
        return int(production[i]), transit, check_in

    def order_day_for(i, arrival, mode):
        """Day to order so that the planned legs land the goods on ``arrival``."""
        make, transit, _ = legs(i, arrival - 60, mode)
        check_in = Q4_CHECK_IN_DAYS if months[arrival + pad] >= 10 else CHECK_IN_DAYS
        return arrival - make - transit - check_in

    arrivals = np.zeros((n, days + 200), dtype=np.int64)
    on_order = np.zeros(n, dtype=np.int64)
    shipments = []

    def ship(i, t, qty, mode, note="", exact=False, arrival=None):
        qty = int(qty)
        if qty <= 0:
            return
        make, transit, check_in = legs(i, t, mode)
        if arrival is not None:
            check_in = arrival - t - make - transit
        elif not exact:  # suppliers, carriers and FBA receiving run late more often than early
            make += int(rng.integers(-2, 4))
            transit += int(rng.integers(-3, 5) if mode == "sea" else rng.integers(-1, 3))
            check_in = int(rng.integers(10, 18) if check_in > CHECK_IN_DAYS
                           else rng.integers(2, 7))
        available = t + make + transit + check_in
        arrivals[i, available] += qty
        on_order[i] += qty
        shipments.append((i, t, t + make, available - check_in, available, qty, mode, note))

    def levels(i, t):
        """Reorder point and order-up-to level [units] at a review on day ``t``."""
        mode = own_mode[i]
        lead = sum(legs(i, t, mode))
        interval = future_mean(i, t + 1, t + 1 + lead + REVIEW_DAYS)
        rate = future_mean(i, t + lead, t + lead + 28) / 28
        spread = (interval * (BURST_VARIANCE if intermittent[i] else 1.0)
                  + (rate * LEAD_TIME_SD_DAYS) ** 2)
        reorder = interval + max(SERVICE_Z * np.sqrt(spread), SAFETY_COVER_DAYS * rate)
        # an order cycle, cut where cover at arrival would pass the excess line
        at_arrival = (reorder - future_mean(i, t + 1, t + 1 + lead)) / max(rate, 1e-9)
        cycle = np.clip(MAX_ARRIVAL_COVER_DAYS - at_arrival, MIN_CYCLE_DAYS,
                        CYCLE_COVER_DAYS[mode])
        return reorder, reorder + cycle * rate

    stockout_i, risk_i, over_i = specials["stockout"], specials["risk"], specials["overstock"]
    stockout_day = days - 200  # planned first out-of-stock day (mid-April 2026)
    stockout_len = 21
    over_day = days - 250
    # Planted plans: from the first day to the last, shipments cover demand exactly to the last.
    planned = {stockout_i: (stockout_day - 250, stockout_day),
               risk_i: (days - 250, days + 12),
               over_i: (over_day - 250, over_day)}
    resume = {stockout_i: stockout_day + stockout_len}  # normal reviews from the late arrival

    # Opening stock of established SKUs: the reorder point and part of an order cycle (drawn,
    # so the SKUs' cycles do not run in step); launches get sea launch stock 3 days before.
    on_hand = np.zeros(n, dtype=np.int64)
    receipts = []  # (i, day, qty) for inventory ages
    active_from = launch_idx.copy()
    for i in range(n):
        if launch_idx[i] == 0:
            reorder, order_up_to = levels(i, 0)
            stock = reorder + rng.uniform(0.2, 1.0) * (order_up_to - reorder)
            on_hand[i] = int(np.ceil(stock / case[i]) * case[i])
            receipts.append((i, -int(rng.integers(20, 60)), int(on_hand[i])))
        else:
            landing = launch_idx[i] - 3
            active_from[i] = order_day_for(i, landing, "sea")
            qty = np.ceil(future_mean(i, launch_idx[i], launch_idx[i] + 60) / case[i]) * case[i]
            ship(i, active_from[i], qty, "sea", note="launch stock", arrival=landing)
    on_hand_end = np.zeros((n, days), dtype=np.int64)
    on_hand_start = np.zeros((n, days), dtype=np.int64)
    sold = np.zeros((n, days), dtype=np.int64)
    mcf_sold = np.zeros((n, days), dtype=np.int64)
    late = np.zeros(n, dtype=bool)
    after_stockout = order_day_for(stockout_i, stockout_day + stockout_len, "sea")
    bulk_day = order_day_for(over_i, over_day, "sea")
    for t in range(days):
        if t == bulk_day:  # a year's demand at the pre-fade rate in one shipment
            qty = np.ceil(future_mean(over_i, over_day, over_day + 28) / 28 * 380 / case[over_i])
            ship(over_i, t, qty * case[over_i], "sea", note="bulk order", arrival=over_day)
        if t == after_stockout:
            qty = np.ceil(future_mean(stockout_i, stockout_day + stockout_len,
                                      stockout_day + stockout_len + 120) / case[stockout_i])
            ship(stockout_i, t, qty * case[stockout_i], "sea", note="after stockout",
                 arrival=stockout_day + stockout_len)
        today = arrivals[:, t]
        on_hand += today
        on_order -= today
        for i in np.flatnonzero(today):
            receipts.append((i, t, int(today[i])))
        on_hand_start[:, t] = on_hand
        s = np.minimum(units[:, t], on_hand)
        on_hand -= s
        m = np.minimum(mcf[:, t], on_hand)
        on_hand -= m
        sold[:, t], mcf_sold[:, t] = s, m
        on_hand_end[:, t] = on_hand
        if t % 7 != 1:  # weekly review on Mondays
            continue
        for i in range(n):
            if t < active_from[i] or i == over_i and t >= over_day:
                continue
            window = planned.get(i)
            if window and window[0] <= t < resume.get(i, window[1]):
                if t < window[1] - 10:
                    mode = own_mode[i]
                    horizon = min(window[1], t + sum(legs(i, t, mode)) + 60)
                    # One spare unit, so a zero-demand last day does not look out of stock.
                    gap = future_need(i, t + 1, horizon) + 1 - on_hand[i] - on_order[i]
                    ship(i, t, np.ceil(max(gap, 0)), mode, exact=True)
                continue
            reorder, order_up_to = levels(i, t)
            position = on_hand[i] + on_order[i]
            if position > reorder:
                continue
            if not late[i] and rng.random() < LATE_REVIEW_SHARE:
                late[i] = True  # missed this week: the order goes out at the next review
                continue
            qty = max(np.ceil((order_up_to - position) / case[i]) * case[i], moq[i])
            ship(i, t, qty, own_mode[i], note="late order" if late[i] else "")
            late[i] = False
    # The risk SKU's next shipment was ordered late: it lands after the projected stockout.
    landing = days + 20
    ship(risk_i, order_day_for(risk_i, landing, "sea"),
         np.ceil(future_mean(risk_i, landing, landing + 90) / case[risk_i]) * case[risk_i],
         "sea", note="arrives after stockout", arrival=landing)
    shipments = pd.DataFrame(shipments, columns=["i", "order_day", "ship_day", "fc_day",
                                                 "arrival_day", "quantity", "mode", "note"])
    receipts = pd.DataFrame(receipts, columns=["i", "day", "quantity"])
    # The seller's own levels on as_of (inventory-position terms), as its planner sees them.
    at_as_of = np.array([levels(i, days - 1) for i in range(n)])
    return dict(sold=sold, mcf_sold=mcf_sold, on_hand=on_hand_start, on_hand_end=on_hand_end,
                shipments=shipments, receipts=receipts, reorder_point=at_as_of[:, 0],
                order_up_to=at_as_of[:, 1])


def _lot_ages(receipts, on_hand_now, days):
    """Remaining units by age bucket at as_of, first in first out (newest lots remain)."""
    edges = [(0, 90), (91, 180), (181, 270), (271, 365), (366, 10**6)]
    out = np.zeros((len(on_hand_now), len(edges)), dtype=np.int64)
    for i, remaining in enumerate(on_hand_now):
        lots = receipts[receipts["i"] == i].sort_values("day", ascending=False, kind="stable")
        for day, qty in zip(lots["day"], lots["quantity"], strict=True):
            if remaining <= 0:
                break
            take = min(remaining, qty)
            age = days - 1 - day
            for b, (low, high) in enumerate(edges):
                if low <= age <= high:
                    out[i, b] += take
            remaining -= take
    return out


# ---------------------------------------------------------------------------------------------
# Traffic, orders, returns


def _traffic(products, sim, sold, on_hand, rng):
    """Sessions, page views and buy-box page views per SKU and day, consistent with units."""
    mean = sim["mean"]
    n, days = mean.shape
    active = mean > 0
    cvr = products["cvr"].to_numpy()[:, None] * np.ones((1, days))
    for i, info in sim["ramp_info"].items():
        # Conversion builds with reviews: 60 % of its final level at launch.
        weeks = np.clip(np.arange(days) - (products.at[i, "launch_date"] - START).days, 0, None)
        cvr[i] = cvr[i] * (0.6 + 0.4 * np.clip(weeks / (info["t90_weeks"] * 7), 0, 1))
    intermittent = products["intermittent"].to_numpy()
    cvr[intermittent] = 0.08
    out_of_stock = (on_hand == 0) & active
    browse = np.where(out_of_stock, 0.35 * mean / cvr, mean / cvr - mean)
    sessions = sold + rng.poisson(np.clip(browse, 0, None) * active)
    page_views = sessions + rng.poisson(0.3 * sessions)
    buy_box_share = np.where(rng.random(n) < 0.15, rng.uniform(0.82, 0.95, n), 0.995)
    buy_box_views = rng.binomial(page_views, buy_box_share[:, None])
    buy_box_views = np.where(out_of_stock, 0, buy_box_views)
    sessions_b2b = rng.binomial(sessions, 0.03)
    page_views_b2b = sessions_b2b + rng.poisson(0.3 * sessions_b2b)
    page_views_b2b = np.minimum(page_views_b2b, page_views)
    return dict(sessions=sessions, page_views=page_views, buy_box_views=buy_box_views,
                sessions_b2b=sessions_b2b, page_views_b2b=page_views_b2b)


def _orders(mp, setup, products, dates, sold, mcf_sold, price_minor, rng):
    """Order items: Amazon orders for units sold, MCF orders, cancelled attempts."""
    tz = marketplaces.get(mp).timezone
    n, days = sold.shape
    minor = 1 if setup["price_scale"] >= 100 else 100

    def split(counts):
        """Units per (sku, day) into order items (mostly 1 unit, some 2–3)."""
        flat = counts.ravel()
        cell = np.repeat(np.arange(flat.size), flat)
        if cell.size == 0:
            return np.zeros(0, int), np.zeros(0, int)
        new_item = rng.random(cell.size) < 0.9
        first = np.ones(cell.size, dtype=bool)
        first[1:] = cell[1:] != cell[:-1]
        new_item |= first
        item = np.cumsum(new_item) - 1
        qty = np.bincount(item)
        return cell[new_item], qty

    frames = []
    for channel, counts in (("amazon", sold), ("mcf", mcf_sold)):
        cell, qty = split(counts)
        frames.append(pd.DataFrame({"channel": channel, "cell": cell, "quantity": qty}))
    # Cancelled attempts: about 1.5 % as many items again, on random active days.
    active_cells = np.flatnonzero((sold > 0).ravel())
    n_cancel = int(round(0.015 * len(frames[0])))
    cancel_cells = np.sort(rng.choice(active_cells, size=n_cancel, replace=False))
    frames.append(pd.DataFrame({"channel": "cancelled", "cell": cancel_cells,
                                "quantity": rng.choice([1, 1, 1, 2], size=n_cancel)}))
    items = pd.concat(frames, ignore_index=True)
    items["i"] = items["cell"] // days
    items["day"] = items["cell"] % days
    items = items.sort_values(["day", "cell", "channel"], kind="stable").reset_index(drop=True)
    m = len(items)
    # Local purchase time: more orders in the evening.
    hour_weights = np.array([2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 7, 8, 8, 7, 5,
                             3], dtype=float)
    hour = rng.choice(24, size=m, p=hour_weights / hour_weights.sum())
    seconds = hour * 3600 + rng.integers(0, 3600, size=m)
    local = (dates.to_numpy()[items["day"].to_numpy()]
             + seconds.astype("timedelta64[s]"))
    local = pd.DatetimeIndex(local).tz_localize(tz, ambiguous=np.zeros(m, dtype=bool),
                                                nonexistent="shift_forward")
    items["purchase_date"] = local
    items = items.sort_values(["purchase_date", "cell"], kind="stable").reset_index(drop=True)
    local_dates = items["purchase_date"].dt.tz_localize(None).dt.normalize()
    # Items that cross midnight through shift_forward keep their simulated day.
    items["date"] = dates.to_numpy()[items["day"].to_numpy()]
    assert (local_dates == items["date"]).all()
    i = items["i"].to_numpy()
    unit_price = price_minor[i, items["day"].to_numpy()]
    items["sku"] = products["sku"].to_numpy()[i]
    items["asin"] = products["asin"].to_numpy()[i]
    items["item_price_minor"] = np.where(items["channel"] == "amazon",
                                         unit_price * items["quantity"], 0)
    vat = setup["vat"]
    if vat:
        tax = np.round(items["item_price_minor"] * vat / (1 + vat))
    else:
        tax = np.round(items["item_price_minor"] * 0.07)
    items["item_tax_minor"] = tax.astype(np.int64)
    items["is_business_order"] = (rng.random(m) < 0.04) & (items["channel"] == "amazon")
    age_hours = (pd.Timestamp(AS_OF + pd.Timedelta(days=1)).tz_localize(tz)
                 - items["purchase_date"]).dt.total_seconds() / 3600
    status = np.where(items["channel"] == "cancelled", "Cancelled", "Shipped")
    pending = (items["channel"] == "amazon") & (age_hours < 30) & (rng.random(m) < 0.6)
    status = np.where(pending, "Pending", status)
    shipping = (items["channel"] == "mcf") & (age_hours < 72)
    status = np.where(shipping, "Shipping", status)
    items["order_status"] = status
    items["item_status"] = np.select(
        [items["channel"] == "cancelled", pending, items["channel"] == "mcf"],
        ["Cancelled", "Unshipped", "Unshipped"], "Shipped")
    updated = items["purchase_date"] + pd.to_timedelta(
        rng.integers(2 * 3600, 60 * 3600, size=m), unit="s")
    limit = pd.Timestamp(AS_OF + pd.Timedelta(hours=23, minutes=59)).tz_localize(tz)
    items["last_updated_date"] = updated.where(updated <= limit, limit)
    # Order ids: a bijective scramble of a sequence number, so ids are unique.
    seq = rng.permutation(m).astype(np.int64)
    number = (seq * 73_856_093 + int(rng.integers(0, 10**13))) % 10**14
    prefix = np.array(setup["order_prefixes"])[rng.integers(0, len(setup["order_prefixes"]), m)]
    ids = [f"{p:03d}-{x // 10**7:07d}-{x % 10**7:07d}" for p, x in zip(prefix, number,
                                                                       strict=True)]
    mcf_ids = [f"S01-{x % 10**7:07d}-{x // 10**7:07d}" for x in number]
    items["amazon_order_id"] = np.where(items["channel"] == "mcf", mcf_ids, ids)
    items["merchant_order_id"] = np.where(
        items["channel"] == "mcf", [f"MCF{x % 10**8:08d}" for x in number], "")
    items["order_item_id"] = [f"{x % 10**14:014d}" for x in (number * 7 + 3)]
    items["minor_unit"] = minor
    items["marketplace"] = mp
    return items.drop(columns=["cell"])


_RETURN_REASONS = ["DEFECTIVE", "UNWANTED_ITEM", "NOT_AS_DESCRIBED", "ORDERED_WRONG_ITEM",
                   "FOUND_BETTER_PRICE", "QUALITY_UNACCEPTABLE", "DAMAGED_BY_CARRIER",
                   "MISSED_ESTIMATED_DELIVERY"]
_REASON_WEIGHTS = np.array([20, 30, 15, 8, 6, 12, 5, 4], dtype=float)
_COMMENTS = ["", "", "", "Smaller than expected", "Did not fit, \"too narrow\"",
             "Stopped working after a week", "Colour differs from the picture",
             "Arrived damaged, box crushed", "No longer needed"]


def _returns(mp, products, orders, dates, rng):
    """FBA customer returns of shipped Amazon order items (return date before as_of)."""
    shipped = orders[(orders["channel"] == "amazon") & (orders["order_status"] == "Shipped")]
    rate = products.set_index("sku")["category"].map(
        lambda c: CATEGORIES[c]["return_rate"])
    p = shipped["sku"].map(rate).to_numpy()
    chosen = shipped[rng.random(len(shipped)) < p].copy()
    delay = pd.to_timedelta(rng.integers(4 * 86400, 35 * 86400, size=len(chosen)), unit="s")
    chosen["return_date"] = chosen["purchase_date"] + delay
    tz = marketplaces.get(mp).timezone
    chosen = chosen[chosen["return_date"] < pd.Timestamp(AS_OF + pd.Timedelta(days=1)
                                                         ).tz_localize(tz)]
    k = len(chosen)
    reason = rng.choice(_RETURN_REASONS, size=k, p=_REASON_WEIGHTS / _REASON_WEIGHTS.sum())
    disposition = np.where(np.isin(reason, ["DEFECTIVE", "QUALITY_UNACCEPTABLE"]), "DEFECTIVE",
                           np.where(reason == "DAMAGED_BY_CARRIER", "CARRIER_DAMAGED",
                                    np.where(rng.random(k) < 0.8, "SELLABLE",
                                             "CUSTOMER_DAMAGED")))
    fnsku = products.set_index("sku")["fnsku"]
    title = products.set_index("sku")["title"]
    fcs = {"US": ["PHX7", "ONT8", "CVG2", "LAS2"], "UK": ["LTN1", "BHX4", "MAN1"],
           "DE": ["LEJ1", "DUS2", "FRA7"], "JP": ["NRT1", "KIX2", "HND3"],
           "AU": ["SYD8", "MEL1", "BWU1"], "SG": ["SIN4", "SIN8"]}[mp]
    chosen = chosen.reset_index(drop=True)
    out = pd.DataFrame({
        "marketplace": mp,
        "return_date": chosen["return_date"],
        "order_id": chosen["amazon_order_id"].to_numpy(),
        "sku": chosen["sku"].to_numpy(),
        "asin": chosen["asin"].to_numpy(),
        "fnsku": chosen["sku"].map(fnsku).to_numpy(),
        "product_name": chosen["sku"].map(title).to_numpy(),
        "quantity": np.ones(k, dtype=np.int64),
        "fulfillment_center_id": rng.choice(fcs, size=k),
        "detailed_disposition": disposition,
        "reason": reason,
        "status": "Unit returned to inventory",
        "license_plate_number": [f"LPNRR{x:09d}" for x in rng.integers(10**8, 10**9, size=k)],
        "customer_comments": rng.choice(_COMMENTS, size=k),
    })
    return out.sort_values(["return_date", "order_id"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Advertising


def _ad_impressions(spec, mean_demand):
    """Mean daily impressions per target, scaled so that ads bring at most AD_SALES_SHARE of
    each advertised SKU's expected units (a SKU's ad-attributed sales never exceed its sales).

    Planted rows (the harvest term) take at most half of that share and keep their traffic
    where it fits; the SKU's other targets share the rest.
    """
    # 1.1 units per order, 90 % of them the advertised SKU's own (see _ads).
    own_units = (spec["impressions_mean"] * WEEKDAY.mean() * spec["ctr"]
                 * spec["cvr"].clip(0, 1) * 1.1 * 0.9)
    sku = spec["i"]
    target = AD_SALES_SHARE * mean_demand.mean(axis=1)[sku.to_numpy()]
    planted = spec["planted"]
    fixed = own_units.where(planted, 0.0).groupby(sku).transform("sum")
    generic = own_units.where(~planted, 0.0).groupby(sku).transform("sum")
    planted_scale = (0.5 * target / fixed).clip(upper=1.0).fillna(1.0)
    left = target - fixed * planted_scale
    scale = (left / generic).clip(lower=0.05, upper=1.0).fillna(1.0)
    # Planted rows without orders (the wasted-spend terms) keep their clicks.
    planted_scale = planted_scale.where(own_units > 0, 1.0)
    return spec["impressions_mean"] * scale.where(~planted, planted_scale)


def _ads(mp, setup, products, sim, dates, rng):
    """Sponsored Products campaigns and daily activity per search term for the last 56 days.

    Plants a converting search term that no exact keyword targets (harvest), several terms with
    many clicks and no order (waste) and the same exact keyword in two ad groups of one
    campaign (structure problem).
    """
    currency = marketplaces.get(mp).currency
    minor = 1 if setup["price_scale"] >= 100 else 100
    cpc_scale = setup["price_scale"] * 0.8 if minor == 1 else setup["price_scale"]
    ad_dates = dates[-AD_DAYS:]
    cats = [LAUNCH_CATEGORY, TOP_CATEGORY]
    rows = []  # (campaign, ad_group, targeting, match_type, term, sku index, ctr, cvr, cpc, impr)
    campaigns = []
    price = products["price"].to_numpy()
    harvest_terms, waste_terms = [], []
    structure = None
    lang = setup["language"]
    for c_index, cat in enumerate(cats):
        skus = products.index[(products["category"] == cat)
                              & (products["role"] != "recent_launch")].to_numpy()
        skus = skus[np.argsort(-sim["level"][skus], kind="stable")][:2]
        terms = SEARCH_TERMS.get(lang, {}).get(cat, CATEGORIES[cat]["terms"])
        words = AD_WORDS[lang]
        label = cat if lang == "en" else f"{cat} {mp}"
        budget = {"auto": 25, "exact": 30, "phrase": 20, "broad": 15}
        start = AS_OF - pd.Timedelta(days=int(rng.integers(200, 600)))
        for kind, targeting_type in (("auto", "Automatic targeting"),
                                     ("exact", "Manual targeting"),
                                     ("phrase", "Manual targeting"),
                                     ("broad", "Manual targeting")):
            name = f"SP - {label} - {kind.capitalize()}"
            campaigns.append(dict(campaign_name=name, targeting_type=targeting_type,
                                  budget=round(budget[kind] * setup["price_scale"], 2),
                                  start_date=start, category=cat,
                                  bidding_strategy="Dynamic bids - down only"))
            for sku in skus:
                group = f"{products.at[sku, 'title'][:22].strip()} {products.at[sku, 'sku'][-3:]}"
                base_cvr = products.at[sku, "cvr"]
                targets = []  # (targeting, match type, search term, ctr, cvr, cpc, impressions)
                if kind == "auto":
                    asin_term = products["asin"].iloc[(sku + 5) % len(products)].lower()
                    for tg in ("close-match", "loose-match", "substitutes", "complements"):
                        for term in terms[:3]:
                            shown = f"{term} {words['pack'][len(term) % 2]}" \
                                if tg == "loose-match" else term
                            targets.append((tg, "-", shown, 0.004, base_cvr, 0.9, 220))
                        targets.append((tg, "-", asin_term, 0.003, base_cvr * 0.5, 0.7, 150))
                elif kind == "exact":
                    for term in terms[:3]:
                        targets.append((term, "EXACT", term, 0.008, base_cvr * 1.1, 1.1, 300))
                else:
                    for term in terms[1:4]:
                        for variant in (term, words["home"].format(term),
                                        words["best"].format(term)):
                            targets.append((term, kind.upper(), variant, 0.005, base_cvr * 0.8,
                                            0.95, 180))
                rows.extend((name, group, *t[:3], int(sku), *t[3:]) for t in targets)
        # Planted behaviours live in the launch category (first campaigns of the marketplace).
        if c_index == 0:
            planted_rows = [len(rows)]
            auto = f"SP - {label} - Auto"
            broad = f"SP - {label} - Broad"
            exact = f"SP - {label} - Exact"
            groups = {r[0]: r[1] for r in rows if r[0] in (auto, broad)}
            sku0 = int(skus[0])
            harvest = words["harvest"].format(terms[0])
            harvest_terms.append(harvest)
            rows.append((auto, groups[auto], "close-match", "-", harvest, sku0, 0.012, 0.27,
                         0.8, 260))
            rows.append((broad, groups[broad], terms[1], "BROAD", harvest, sku0, 0.011, 0.25,
                         0.85, 200))
            for w, word in enumerate(words["waste"]):
                waste = f"{terms[w % len(terms)].split()[0]} {word}"
                waste_terms.append(waste)
                campaign, match, targeting = ((auto, "-", "loose-match") if w % 2 == 0 else
                                              (broad, "BROAD", terms[1]))
                rows.append((campaign, groups[campaign], targeting, match, waste, sku0, 0.006,
                             0.0, 1.2, 160))
            # Structure problem: the first exact keyword also sits in a second ad group.
            group_names = sorted({r[1] for r in rows if r[0] == exact})
            keyword = terms[0]
            duplicate = next(g for g in group_names if g != next(
                r[1] for r in rows if r[0] == exact and r[2] == keyword))
            rows.append((exact, duplicate, keyword, "EXACT", keyword,
                         int(skus[min(1, len(skus) - 1)]), 0.006, 0.1, 1.15, 200))
            planted_rows.append(len(rows))
            first_group = next(r[1] for r in rows if r[0] == exact and r[2] == keyword)
            structure = dict(kind="duplicate_keyword", campaign=exact, keyword=keyword,
                             match_type="EXACT", ad_groups=sorted([first_group, duplicate]))
    spec = pd.DataFrame(rows, columns=["campaign_name", "ad_group_name", "targeting",
                                       "match_type", "customer_search_term", "i", "ctr", "cvr",
                                       "cpc", "impressions_mean"])
    spec["planted"] = (spec.index >= planted_rows[0]) & (spec.index < planted_rows[1])
    spec = spec.drop_duplicates(["campaign_name", "ad_group_name", "targeting",
                                 "customer_search_term"]).reset_index(drop=True)
    spec["impressions_mean"] = _ad_impressions(spec, sim["mean"][:, -AD_DAYS:])
    k, d = len(spec), len(ad_dates)
    weekday = WEEKDAY[ad_dates.day_of_week.to_numpy()]
    impressions = rng.poisson(spec["impressions_mean"].to_numpy()[:, None] * weekday[None, :]
                              * rng.uniform(0.6, 1.4, (k, 1)))
    ctr = spec["ctr"].to_numpy()[:, None]
    clicks = rng.binomial(impressions, ctr)
    cvr = np.clip(spec["cvr"].to_numpy(), 0, 1)[:, None]
    orders = rng.binomial(clicks, cvr)
    units = orders + rng.binomial(orders, 0.1)
    i = spec["i"].to_numpy()
    unit_price = np.round(price[i] * minor).astype(np.int64)[:, None]
    own_units = units - rng.binomial(units, 0.1)
    other_units = units - own_units
    sales_own = own_units * unit_price
    sales_other = other_units * np.round(unit_price * 0.9).astype(np.int64)
    cpc_minor = spec["cpc"].to_numpy()[:, None] * cpc_scale * minor
    spend = np.round(clicks * cpc_minor * rng.uniform(0.8, 1.2, (k, d))).astype(np.int64)
    frame = pd.DataFrame({
        "row": np.repeat(np.arange(k), d),
        "date": np.tile(ad_dates.to_numpy(), k),
        "impressions": impressions.ravel(),
        "clicks": clicks.ravel(),
        "spend_minor": spend.ravel(),
        "orders": orders.ravel(),
        "units": units.ravel(),
        "advertised_sku_units": own_units.ravel(),
        "other_sku_units": other_units.ravel(),
        "advertised_sku_sales_minor": sales_own.ravel(),
        "other_sku_sales_minor": sales_other.ravel(),
    })
    frame["sales_minor"] = frame["advertised_sku_sales_minor"] + frame["other_sku_sales_minor"]
    spec_cols = spec.drop(columns=["ctr", "cvr", "cpc", "impressions_mean", "planted"])
    frame = frame.join(spec_cols, on="row").drop(columns="row")
    frame["advertised_sku"] = products["sku"].to_numpy()[frame["i"].to_numpy()]
    frame["advertised_asin"] = products["asin"].to_numpy()[frame["i"].to_numpy()]
    frame = frame.drop(columns="i")
    frame.insert(0, "marketplace", mp)
    frame["currency"] = currency
    frame["minor_unit"] = minor
    campaigns = pd.DataFrame(campaigns)
    campaigns.insert(0, "marketplace", mp)
    campaigns["currency"] = currency
    planted = dict(harvest_terms=harvest_terms, waste_terms=waste_terms,
                   structure_problem=structure)
    return frame, campaigns, planted


# ---------------------------------------------------------------------------------------------
# Market (niche) data and account health


def _niche(mp, setup, products, rng):
    """Product Opportunity Explorer-shaped niche rows, three per category."""
    rows = []
    minor = 1 if setup["price_scale"] >= 100 else 100
    for cat in setup["categories"]:
        info = CATEGORIES[cat]
        comp = {"low": 0.3, "medium": 0.6, "high": 1.0}[info["competition"]]
        for term in (info["terms"] * 2)[:3]:
            estimated = cat == setup["estimated"]
            growth = info["growth"] + rng.normal(0, 0.02)
            if estimated:
                growth = 0.55 + rng.normal(0, 0.03)  # a third-party estimate, not Amazon's data
            volume = int(rng.integers(40_000, 250_000) * setup["volume"])
            price = float(products.loc[products["category"] == cat, "price"].median())
            units = int(volume * rng.uniform(0.08, 0.15) * 4)
            brands = int(30 + comp * rng.integers(80, 160))
            launches = int(rng.integers(20, 60) * comp + 5)
            rows.append(dict(
                marketplace=mp, category=cat, niche_name=term,
                search_volume_t90=volume,
                search_volume_growth_t90=round(growth * 0.6 + rng.normal(0, 0.01), 4),
                search_volume_t360=volume * 4,
                search_volume_growth_t360=round(growth, 4),
                units_sold_t360=units,
                revenue_t360=round(units * price, 0 if minor == 1 else 2),
                average_price=round(price, 0 if minor == 1 else 2),
                product_count=int(brands * rng.uniform(2.5, 4)),
                brand_count=brands,
                selling_partner_count=int(brands * rng.uniform(1.1, 1.5)),
                top_5_products_click_share=round(0.18 + 0.3 * comp + rng.normal(0, 0.02), 4),
                top_20_brands_click_share=round(0.35 + 0.4 * comp + rng.normal(0, 0.02), 4),
                successful_launches_t180=int(launches * (0.5 - 0.3 * comp)),
                launches_t180=launches,
                average_review_count=int(150 + comp * rng.integers(800, 2500)),
                average_rating=round(float(rng.uniform(4.0, 4.6)), 1),
                return_rate=round(info["return_rate"] + rng.normal(0, 0.004), 4),
                data_source="estimate" if estimated else "poe",
            ))
    return pd.DataFrame(rows)


def _account_health(mp, orders):
    """Seller performance metrics over the last 60 days (rates as fractions)."""
    tz = marketplaces.get(mp).timezone
    end = pd.Timestamp(AS_OF + pd.Timedelta(days=1)).tz_localize(tz)
    begin = end - pd.Timedelta(days=60)
    window = orders[(orders["purchase_date"] >= begin) & (orders["channel"] == "amazon")]
    order_count = int(window["amazon_order_id"].nunique())
    # Rates per marketplace: DE carries a pre-fulfilment cancellation breach, JP a late-shipment
    # watch; the others are healthy.
    rates = {
        "US": dict(odr=0.0041, late=0.008, cancel=0.004, tracking=0.991, on_time=0.962),
        "UK": dict(odr=0.0062, late=0.012, cancel=0.006, tracking=0.985, on_time=0.948),
        "DE": dict(odr=0.0035, late=0.015, cancel=0.031, tracking=0.978, on_time=0.936),
        "JP": dict(odr=0.0028, late=0.037, cancel=0.003, tracking=0.969, on_time=0.915),
        "AU": dict(odr=0.0044, late=0.011, cancel=0.005, tracking=0.987, on_time=0.951),
        "SG": dict(odr=0.0031, late=0.009, cancel=0.004, tracking=0.990, on_time=0.958),
    }[mp]
    mfn_count = max(order_count // 10, 50)  # a merchant-fulfilled share beside FBA
    rows = [
        ("order_defect_rate", rates["odr"], order_count, 0.01, "LESS_THAN"),
        ("order_defect_rate_afn", rates["odr"] * 0.9, order_count - mfn_count, 0.01, "LESS_THAN"),
        ("order_defect_rate_mfn", rates["odr"] * 1.3, mfn_count, 0.01, "LESS_THAN"),
        ("late_shipment_rate", rates["late"], mfn_count, 0.04, "LESS_THAN"),
        ("pre_fulfillment_cancellation_rate", rates["cancel"], mfn_count, 0.025, "LESS_THAN"),
        ("valid_tracking_rate", rates["tracking"], mfn_count, 0.95, "GREATER_THAN"),
        ("on_time_delivery_rate", rates["on_time"], mfn_count, 0.90, "GREATER_THAN"),
        ("invoice_defect_rate", 0.0, mfn_count, 0.05, "LESS_THAN"),
    ]
    out = []
    for metric, rate, denominator, target, condition in rows:
        numerator = int(round(rate * denominator))
        value = numerator / denominator if denominator else 0.0
        good = value < target if condition == "LESS_THAN" else value > target
        out.append(dict(marketplace=mp, marketplace_id=marketplaces.get(mp).marketplace_id,
                        metric=metric, value=round(value, 6), numerator=numerator,
                        denominator=denominator, target_value=target,
                        target_condition=condition, status="GOOD" if good else "BAD",
                        date_from=(AS_OF - pd.Timedelta(days=59)), date_to=AS_OF))
    out.append(dict(marketplace=mp, marketplace_id=marketplaces.get(mp).marketplace_id,
                    metric="account_health_rating", value=float({"US": 286, "UK": 262, "DE": 198,
                                                                 "JP": 240, "AU": 255,
                                                                 "SG": 271}[mp]),
                    numerator=None, denominator=None, target_value=200.0,
                    target_condition="GREATER_THAN",
                    status="GOOD" if mp != "DE" else "BAD",
                    date_from=(AS_OF - pd.Timedelta(days=59)), date_to=AS_OF))
    return pd.DataFrame(out)


# ---------------------------------------------------------------------------------------------
# Listings: the All Listings state at as_of, a deleted and a suppressed listing


def _listings(mp, seed, products, sim, specials, advertised, inventory):
    """Listing state of every SKU at as_of and, in LISTING_MARKETPLACES, two planted problems.

    The stranded SKU's listing was deleted at the end of as_of: its FBA units stay in the
    warehouse with ``afn-listing-exists`` No, and All Listings no longer holds it. The suppressed
    SKU's listing is ``Inactive`` in All Listings (search suppressed) while its FBA listing
    exists. Both are steady established sellers nothing else is planted on and no ad promotes;
    their units make the stranded share of the as_of week jump from 0 (the IPI stranded driver's
    spike). Sales run to the end of as_of, so no other truth frame moves. Listing ids come from
    their own random stream (``[seed, marketplace, 2]``).

    Returns
    -------
    listings : DataFrame
        marketplace, sku, asin, listing_id, title, price [currency], open_date, status
        ("Active" / "Inactive"), listed (False: deleted, not in All Listings).
    planted : dict
        ``stranded_sku``, ``suppressed_listing_sku``, ``stranded_spike_week_end``,
        ``stranded_units`` [units], ``stranded_share`` [fraction]; empty outside
        LISTING_MARKETPLACES.
    """
    rng = np.random.default_rng([seed, SAMPLE_MARKETPLACES.index(mp), 2])
    n = len(products)
    listings = pd.DataFrame({
        "marketplace": mp, "sku": products["sku"], "asin": products["asin"],
        "listing_id": _codes(rng, n, 10, "10"), "title": products["title"],
        "price": inventory["your_price"].to_numpy(), "open_date": products["launch_date"],
        "status": "Active", "listed": True})
    if mp not in LISTING_MARKETPLACES:
        return listings, {}
    est = products.index[products["role"] == "established"].to_numpy()
    taken = {specials["stockout"], specials["risk"], specials["overstock"], specials["loss"],
             *specials["intermittent"]}
    order = est[np.argsort(-sim["level"][est], kind="stable")]
    free = [int(i) for i in order if int(i) not in taken
            and products.at[i, "sku"] not in advertised]
    stranded, suppressed = free[0], free[1]
    listings.loc[stranded, "listed"] = False
    listings.loc[suppressed, "status"] = "Inactive"
    units = inventory["afn_warehouse_quantity"].to_numpy()
    held = int(units[stranded] + units[suppressed])
    return listings, dict(
        stranded_sku=products.at[stranded, "sku"],
        suppressed_listing_sku=products.at[suppressed, "sku"],
        stranded_spike_week_end=AS_OF, stranded_units=held,
        stranded_share=round(held / int(units.sum()), 4))


# ---------------------------------------------------------------------------------------------
# One marketplace, then the world


def _marketplace(mp, seed):
    setup = MARKETPLACE_SETUP[mp]
    rng = np.random.default_rng([seed, SAMPLE_MARKETPLACES.index(mp)])
    dates = pd.date_range(START, AS_OF, freq="D")
    days = len(dates)
    products = _catalogue(mp, setup, rng)
    sim = _demand(mp, setup, products, dates, rng)
    specials = _pick_specials(products, sim, rng)
    _plant_loss_maker(mp, setup, products, sim, specials["loss"])
    units, mcf = _realise(sim, products, specials, setup, rng)
    _sensible_packs(products, sim["mean"])
    # The inventory simulation draws from its own stream, so a change of the seller's policy
    # leaves traffic, orders and ads as they were.
    inv = _inventory(products, sim, units, mcf, specials, dates,
                     np.random.default_rng([seed, SAMPLE_MARKETPLACES.index(mp), 1]),
                     freight_legs(setup))
    traffic = _traffic(products, sim, inv["sold"], inv["on_hand"], rng)
    orders = _orders(mp, setup, products, dates, inv["sold"], inv["mcf_sold"],
                     sim["price_minor"], rng)
    returns = _returns(mp, products, orders, dates, rng)
    ads, campaigns, ad_planted = _ads(mp, setup, products, sim, dates, rng)
    niche = _niche(mp, setup, products, rng)
    health = _account_health(mp, orders)
    minor = 1 if setup["price_scale"] >= 100 else 100
    currency = marketplaces.get(mp).currency

    # Daily truth per SKU from its launch date.
    launch_idx = (products["launch_date"] - START).dt.days.to_numpy()
    n = len(products)
    grid_i = np.repeat(np.arange(n), days)
    grid_t = np.tile(np.arange(days), n)
    keep = grid_t >= launch_idx[grid_i]
    gi, gt = grid_i[keep], grid_t[keep]
    amazon = orders[orders["channel"] == "amazon"]
    key = pd.MultiIndex.from_arrays([amazon["sku"], amazon["date"]])
    agg = pd.DataFrame({
        "order_items": 1, "sales_minor": amazon["item_price_minor"].to_numpy(),
        "units_b2b": np.where(amazon["is_business_order"], amazon["quantity"], 0),
        "sales_b2b_minor": np.where(amazon["is_business_order"], amazon["item_price_minor"], 0),
        "order_items_b2b": amazon["is_business_order"].astype(int).to_numpy(),
    }, index=key).groupby(level=[0, 1]).sum()
    demand = pd.DataFrame({
        "marketplace": mp,
        "sku": products["sku"].to_numpy()[gi],
        "asin": products["asin"].to_numpy()[gi],
        "date": dates.to_numpy()[gt],
        "true_demand": sim["mean"][gi, gt],
        "units": units[gi, gt],
        "units_sold": inv["sold"][gi, gt],
        "in_stock": inv["on_hand"][gi, gt] > 0,
        "on_hand": inv["on_hand"][gi, gt],
        "mcf_units": inv["mcf_sold"][gi, gt],
        "price": sim["price_minor"][gi, gt] / minor,
    })
    traffic_frame = pd.DataFrame({
        "marketplace": mp,
        "sku": demand["sku"], "asin": demand["asin"],
        "parent_asin": products["parent_asin"].to_numpy()[gi],
        "date": demand["date"],
        "units_ordered": demand["units_sold"],
        "sessions": traffic["sessions"][gi, gt],
        "page_views": traffic["page_views"][gi, gt],
        "buy_box_page_views": traffic["buy_box_views"][gi, gt],
        "sessions_b2b": traffic["sessions_b2b"][gi, gt],
        "page_views_b2b": traffic["page_views_b2b"][gi, gt],
    })
    joined = agg.reindex(pd.MultiIndex.from_arrays([traffic_frame["sku"],
                                                    traffic_frame["date"]])).fillna(0)
    for column in ("order_items", "sales_minor", "units_b2b", "sales_b2b_minor",
                   "order_items_b2b"):
        traffic_frame[column] = joined[column].to_numpy().astype(np.int64)
    traffic_frame["ordered_product_sales"] = traffic_frame["sales_minor"] / minor
    traffic_frame["ordered_product_sales_b2b"] = traffic_frame["sales_b2b_minor"] / minor
    traffic_frame["currency"] = currency
    assert (traffic_frame["sessions"] >= traffic_frame["units_ordered"]).all()

    # Shipments with dates and their state at as_of.
    sh = inv["shipments"]
    ship_ids = _codes(rng, len(sh), 8, "FBA1")
    shipments = pd.DataFrame({
        "marketplace": mp,
        "shipment_id": ship_ids,
        "sku": products["sku"].to_numpy()[sh["i"].to_numpy()],
        "quantity": sh["quantity"].to_numpy(),
        "mode": sh["mode"].to_numpy(),
        "order_date": START + pd.to_timedelta(sh["order_day"], unit="D"),
        "ship_date": START + pd.to_timedelta(sh["ship_day"], unit="D"),
        "fc_arrival_date": START + pd.to_timedelta(sh["fc_day"], unit="D"),
        "available_date": START + pd.to_timedelta(sh["arrival_day"], unit="D"),
        "note": sh["note"].to_numpy(),
    })
    shipments["lead_time_days"] = (shipments["available_date"] - shipments["order_date"]).dt.days
    state = np.select(
        [shipments["available_date"] <= AS_OF, shipments["fc_arrival_date"] <= AS_OF,
         shipments["ship_date"] <= AS_OF],
        ["closed", "receiving", "shipped"], "working")
    shipments["status_at_as_of"] = state
    shipments = shipments.sort_values(["order_date", "sku"], kind="stable").reset_index(drop=True)

    # Inventory snapshot at as_of.
    on_hand_now = inv["on_hand_end"][:, -1]
    ages = _lot_ages(inv["receipts"], on_hand_now, days)
    open_ship = shipments[shipments["status_at_as_of"] != "closed"]
    inbound = {s: open_ship[open_ship["status_at_as_of"] == s].groupby("sku")["quantity"].sum()
               for s in ("working", "shipped", "receiving")}
    skus = products["sku"]
    reserved_fc = rng.binomial(on_hand_now, 0.03)
    reserved_co = rng.binomial(on_hand_now, 0.01)
    unsellable = rng.poisson(0.6, n)
    last = demand[demand["date"] > AS_OF - pd.Timedelta(days=30)]
    sold30 = last.groupby("sku")["units_sold"].sum().reindex(skus).fillna(0).to_numpy()
    inventory = pd.DataFrame({
        "marketplace": mp, "snapshot_date": AS_OF, "sku": skus, "fnsku": products["fnsku"],
        "asin": products["asin"], "product_name": products["title"],
        "your_price": sim["price_minor"][:, -1] / minor, "currency": currency,
        # Stock on hand in the simulation is the fulfillable quantity plus what is reserved
        # for customer orders and FC transfers; unsellable units come on top.
        "afn_fulfillable_quantity": on_hand_now - reserved_fc - reserved_co,
        "reserved_fc_transfer": reserved_fc, "reserved_customer_order": reserved_co,
        "afn_reserved_quantity": reserved_fc + reserved_co,
        "afn_unsellable_quantity": unsellable,
        "afn_inbound_working_quantity": skus.map(inbound["working"]).fillna(0).astype(int),
        "afn_inbound_shipped_quantity": skus.map(inbound["shipped"]).fillna(0).astype(int),
        "afn_inbound_receiving_quantity": skus.map(inbound["receiving"]).fillna(0).astype(int),
        "on_hand": on_hand_now,
        "inv_age_0_to_90_days": ages[:, 0], "inv_age_91_to_180_days": ages[:, 1],
        "inv_age_181_to_270_days": ages[:, 2], "inv_age_271_to_365_days": ages[:, 3],
        "inv_age_365_plus_days": ages[:, 4],
        "units_sold_last_30_days": sold30.astype(int),
        "seller_reorder_point": np.round(inv["reorder_point"], 1),
        "seller_order_up_to": np.round(inv["order_up_to"], 1),
        "item_volume_cuft": products["item_volume_cuft"],
    })
    inventory["afn_warehouse_quantity"] = (inventory["afn_fulfillable_quantity"]
                                           + inventory["afn_unsellable_quantity"]
                                           + inventory["afn_reserved_quantity"])
    inventory["afn_inbound_quantity"] = (inventory["afn_inbound_working_quantity"]
                                         + inventory["afn_inbound_shipped_quantity"]
                                         + inventory["afn_inbound_receiving_quantity"])
    inventory["afn_total_quantity"] = (inventory["afn_warehouse_quantity"]
                                       + inventory["afn_inbound_quantity"])
    rate = np.maximum(sold30 / 30, 1e-9)
    inventory["days_of_supply"] = np.minimum(np.round(on_hand_now / rate), 999).astype(int)
    inventory["sales_last_30_days_minor"] = (
        last.groupby("sku")["units_sold"].sum().reindex(skus).fillna(0).to_numpy() * 0
        + traffic_frame[traffic_frame["date"] > AS_OF - pd.Timedelta(days=30)]
        .groupby("sku")["sales_minor"].sum().reindex(skus).fillna(0).to_numpy()).astype(np.int64)
    # Amazon's Restock tool, as a black box would do it: cover 90 days of the last 30 days'
    # sales rate with everything on hand and inbound.
    supply = inventory["afn_fulfillable_quantity"] + inventory["afn_inbound_quantity"]
    inventory["restock_total_days_of_supply"] = np.minimum(np.round(supply / rate), 999).astype(int)
    recommended = np.maximum(np.ceil(rate * 90 - supply), 0).astype(int)
    recommended = np.where(sold30 > 0, recommended, 0)
    inventory["restock_recommended_qty"] = recommended
    inventory["restock_alert"] = np.where(
        inventory["afn_fulfillable_quantity"] == 0, "out_of_stock",
        np.where((recommended > 0) & (inventory["days_of_supply"] < 30), "reorder_now", ""))
    inventory["restock_ship_date"] = pd.Series(
        np.where(recommended > 0, AS_OF + pd.Timedelta(days=1), pd.NaT), dtype="datetime64[ns]")
    listings, listing_planted = _listings(mp, seed, products, sim, specials,
                                          set(ads["advertised_sku"]), inventory)
    inventory["afn_listing_exists"] = ~inventory["sku"].isin(
        [listing_planted.get("stranded_sku")])

    # Launches.
    launch_rows = []
    for i, info in sim["ramp_info"].items():
        launch_rows.append(dict(
            marketplace=mp, sku=products.at[i, "sku"], asin=products.at[i, "asin"],
            category=products.at[i, "category"], launch_date=products.at[i, "launch_date"],
            cohort="recent" if products.at[i, "role"] == "recent_launch" else "past",
            lagging=info["lagging"], plateau=info["plateau"],
            plateau_sessions=info["plateau"] / products.at[i, "cvr"],
            t90_weeks=info["t90_weeks"], curve=info["shape"]))
    launches = pd.DataFrame(launch_rows)

    so = specials["stockout"]
    # The planted episode: the run of out-of-stock days that ends when the shipment lands.
    arrival_day = int(inv["shipments"].query("note == 'after stockout'")["arrival_day"].iloc[0])
    first = arrival_day - 1
    while inv["on_hand"][so, first - 1] == 0:
        first -= 1
    so_days = np.arange(first, arrival_day)
    products_out = products.drop(columns=["role", "days_active"]).copy()
    products_out.insert(0, "marketplace", mp)
    products_out["role"] = products["role"]
    sku = products["sku"]
    planted = dict(
        stockout_sku=sku[so],
        stockout_start=dates[so_days.min()],
        stockout_end=dates[so_days.max()],
        stockout_risk_sku=sku[specials["risk"]],
        overstock_sku=sku[specials["overstock"]],
        aged_sku=sku[specials["overstock"]],
        loss_making_sku=sku[specials["loss"]],
        lagging_launch_sku=sku[sim["lag_index"]],
        launch_skus=list(sku[products["role"] == "recent_launch"]),
        past_launch_skus=list(sku[products["role"] == "past_launch"]),
        harvest_terms=ad_planted["harvest_terms"],
        waste_terms=ad_planted["waste_terms"],
        structure_problem=ad_planted["structure_problem"],
        top_category=TOP_CATEGORY,
        estimated_input_category=setup["estimated"],
        intermittent_skus=list(sku[specials["intermittent"]]),
        **listing_planted,
    )
    history = demand.loc[:, ["marketplace", "date", "sku", "on_hand"]]
    history = history.rename(columns={"on_hand": "quantity"})
    return dict(products=products_out, demand=demand, traffic=traffic_frame, launches=launches,
                shipments=shipments, orders=orders, returns=returns, inventory=inventory,
                inventory_history=history, ads=ads, campaigns=campaigns, niche=niche,
                account_health=health, listings=listings), planted


def build_world(seed: int = 0) -> World:
    """Simulate the sample seller in every sample marketplace.

    Parameters
    ----------
    seed : int
        Seed of the numpy random generator; the same seed gives the same world.

    Returns
    -------
    World
    """
    world = World(seed=seed, start=START, as_of=AS_OF, marketplaces=SAMPLE_MARKETPLACES)
    parts = {}
    for mp in SAMPLE_MARKETPLACES:
        frames, planted = _marketplace(mp, seed)
        world.planted[mp] = planted
        for name, table in frames.items():
            for column in table.columns:  # one time zone, so marketplaces concatenate
                if isinstance(table[column].dtype, pd.DatetimeTZDtype):
                    table[column] = table[column].dt.tz_convert("UTC")
            parts.setdefault(name, []).append(table)
    world.truth = {name: pd.concat(tables, ignore_index=True) for name, tables in parts.items()}
    world.truth["categories"] = pd.DataFrame(
        [dict(category=c, annual_growth=v["growth"], competition=v["competition"],
              return_rate=v["return_rate"]) for c, v in CATEGORIES.items()])
    world.truth["events"] = pd.DataFrame(
        [dict(marketplace=mp, event=e[0], start=pd.Timestamp(e[1]), end=pd.Timestamp(e[2]),
              demand_lift=e[3], deal_price_factor=e[4])
         for mp in SAMPLE_MARKETPLACES for e in events_for(mp)])
    return world

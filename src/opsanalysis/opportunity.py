"""Category opportunity matrix: growth, competition density and margin per category (or niche).

Per marketplace, every category (or Product Opportunity Explorer niche) gets

- **growth**: the seller's own GMV and units over the last ``growth_window_days`` against the
  same days a year earlier (YoY) and against the days just before, and the market's
  search-volume growth (T360), units and revenue from the niche file;
- **competition density**: brand and seller counts, top-5 product (CR5) and top-20 brand click
  share, HHI bounds implied by CR5, the concentration level against the guideline thresholds,
  the successful-launch rate and the review-count barrier;
- **margin**: price minus VAT, referral fee, FBA fee, storage (peak and off-peak), returns,
  advertising (TACoS) and landed cost (purchase cost converted at a stated rate and date,
  head-haul freight, duty), per unit and as a fraction of the net price;
- a **score** ``w_g z(growth) + w_m z(margin) - w_c z(competition) - w_l z(launch difficulty)``
  with weights from ``params["opportunity"]["weights"]``, its components, rank bands from
  Dirichlet weight draws around the configured weights, and a data-quality flag per input
  (``first_party``: the seller's own reports or Amazon's POE; ``estimate``: a third-party
  estimate; ``missing``).

z-scores are taken across the categories of one marketplace; a missing input scores 0 (the
average). Percentages are fractions; money is in the marketplace currency.

Public entry point (columns kept stable once landed): :func:`opportunity_matrix`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsanalysis import fees, frames, kpi, profit, search_queries

__all__ = [
    "COMPONENTS",
    "QUALITY_LEVELS",
    "category_margins",
    "category_rates",
    "concentration_level",
    "concentration_ratio",
    "estimate_dependence",
    "herfindahl_index",
    "hhi_bounds",
    "market_metrics",
    "opportunity_matrix",
    "rank_bands",
    "sales_growth",
    "score_categories",
    "unit_margins",
    "weight_draws",
]

#: Score components and their sign in the score.
COMPONENTS = {"growth": 1.0, "margin": 1.0, "competition": -1.0, "launch_difficulty": -1.0}
#: Data-quality levels of an input, best first.
QUALITY_LEVELS = ("first_party", "estimate", "missing")
#: Niche columns averaged over the niches of a group, weighted by search volume.
_WEIGHTED_MEANS = ("search_volume_growth_t360", "search_volume_growth_t90", "brand_count",
                   "selling_partner_count", "product_count", "top_5_products_click_share",
                   "top_20_brands_click_share", "average_review_count", "average_rating",
                   "return_rate")
_SUMS = ("search_volume_t360", "units_sold_t360", "revenue_t360", "successful_launches_t180",
         "launches_t180")
#: Inputs of each component (for the data-quality flags).


# ---------------------------------------------------------------------------------------------
# Concentration measures


def herfindahl_index(shares) -> float:
    """Herfindahl-Hirschman index of market shares.

    Parameters
    ----------
    shares : array-like of float
        Shares of the firms (products, brands) [fraction]; NaN entries are ignored.

    Returns
    -------
    float
        HHI = sum of squared shares in percent [0-10000]; NaN without shares.
    """
    values = np.asarray(shares, dtype=float)
    values = values[~np.isnan(values)]
    return float(np.sum((100.0 * values) ** 2)) if values.size else np.nan


def concentration_ratio(shares, n=5) -> float:
    """CRn: combined share of the ``n`` largest firms.

    Parameters
    ----------
    shares : array-like of float
        Shares [fraction]; NaN entries are ignored.
    n : int
        Number of leading firms.

    Returns
    -------
    float
        [fraction]; NaN without shares.
    """
    values = np.sort(np.asarray(shares, dtype=float))[::-1]
    values = values[~np.isnan(values)]
    return float(values[:n].sum()) if values.size else np.nan


def hhi_bounds(concentration, firms, top=5):
    """Bounds of the HHI implied by a concentration ratio CRm and the number of firms.

    Lower bound: the top ``top`` firms share CRm equally and the others share the rest equally.
    Upper bound: the rest is spread over the other firms at the smallest share it allows, every
    leader but one holds that share too and the first leader holds what is left of CRm
    (Kvalseth 2018, Heliyon, doi:10.1016/j.heliyon.2018.e00846, on CRm-HHI bounds).

    Parameters
    ----------
    concentration : float or array-like
        CRm [fraction].
    firms : float or array-like
        Number of firms (products or brands) in the market [count], more than ``top``.
    top : int
        m of CRm.

    Returns
    -------
    tuple of (ndarray, ndarray)
        Lower and upper HHI [0-10000]; NaN where ``firms <= top`` or an input is missing.
    """
    share = np.asarray(frames.as_float(pd.Series(np.atleast_1d(concentration))), dtype=float)
    count = np.asarray(frames.as_float(pd.Series(np.atleast_1d(firms))), dtype=float)
    others = np.where(count > top, count - top, np.nan)
    rest = 1.0 - share
    lower = share ** 2 / top + rest ** 2 / others
    small = np.minimum(rest / others, share / top)
    upper = (share - (top - 1) * small) ** 2 + (top - 1) * small ** 2 + others * small ** 2
    return 10_000.0 * lower, 10_000.0 * upper


def concentration_level(hhi, cr5, thresholds) -> pd.Series:
    """Concentration level against the guideline thresholds (the stricter of HHI and CR5).

    Parameters
    ----------
    hhi : array-like of float
        HHI [0-10000].
    cr5 : array-like of float
        Top-5 share [fraction].
    thresholds : dict
        ``hhi_moderate``, ``hhi_high`` [0-10000], ``cr5_moderate``, ``cr5_high`` [fraction]
        (``params["opportunity"]["concentration"]``).

    Returns
    -------
    Series of str
        "unconcentrated", "moderately_concentrated", "highly_concentrated" or "missing".
    """
    hhi = frames.as_float(pd.Series(np.asarray(hhi, dtype=float)))
    cr5 = frames.as_float(pd.Series(np.asarray(cr5, dtype=float)))
    level = (np.where(hhi > thresholds["hhi_high"], 2, np.where(hhi >= thresholds["hhi_moderate"], 1, 0)))
    level_cr = np.where(cr5 > thresholds["cr5_high"], 2, np.where(cr5 >= thresholds["cr5_moderate"], 1, 0))
    names = np.array(["unconcentrated", "moderately_concentrated", "highly_concentrated"])
    result = pd.Series(names[np.maximum(level, level_cr)], index=hhi.index)
    return result.where(~(hhi.isna() & cr5.isna()), "missing")


# ---------------------------------------------------------------------------------------------
# Market (niche) metrics


def _keys(level) -> list:
    return ["category"] if level == "category" else ["category", "niche_name"]


def market_metrics(niches, level="category", thresholds=None) -> pd.DataFrame:
    """Market growth and competition density per category (or niche) from POE niche rows.

    Parameters
    ----------
    niches : DataFrame
        Canonical ``niche`` frame (one row per niche).
    level : {"category", "niche"}
        Group the niches by category, or keep one row per niche.
    thresholds : dict, optional
        Concentration thresholds (see :func:`concentration_level`).

    Returns
    -------
    DataFrame
        Keys, niche_count, search_volume_t360, units_sold_t360, revenue_t360 [currency],
        successful_launches_t180, launches_t180 [count] (sums); search-volume weighted
        means of search_volume_growth_t360 (= ``market_growth``), search_volume_growth_t90,
        brand_count, selling_partner_count, product_count, top_5_products_click_share (= ``cr5``),
        top_20_brands_click_share, average_review_count, average_rating, market_return_rate;
        launch_success_rate [fraction], hhi_lower, hhi_upper [0-10000] (from CR5 and the
        product count), concentration_level, estimate_share [fraction of search volume from
        estimated rows] and market_quality ("first_party" or "estimate").
    """
    keys = _keys(level)
    frame = niches.copy()
    volume = frames.as_float(frame["search_volume_t360"]).fillna(0.0)
    frame["_weight"] = volume.where(volume > 0, 1.0)
    frame["_estimate"] = frame["data_source"].astype(str).str.lower().ne("poe").astype(float)
    weighted = {c: frames.as_float(frame[c]) * frame["_weight"] for c in _WEIGHTED_MEANS if c in frame}
    work = pd.DataFrame({**{k: frame[k] for k in keys}, "_weight": frame["_weight"],
                         "_estimate": frame["_estimate"] * frame["_weight"],
                         **{c: frames.as_float(frame[c]) for c in _SUMS if c in frame},
                         **{f"_w_{c}": v for c, v in weighted.items()}})
    grouped = work.groupby(keys, sort=True)
    table = grouped.sum(min_count=1).reset_index()
    table.insert(len(keys), "niche_count", grouped.size().to_numpy())
    for column in weighted:
        table[column] = table.pop(f"_w_{column}") / table["_weight"]
    table["estimate_share"] = table.pop("_estimate") / table.pop("_weight")
    if "return_rate" in table:
        table = table.rename(columns={"return_rate": "market_return_rate"})
    table["market_growth"] = table["search_volume_growth_t360"]
    table["cr5"] = table["top_5_products_click_share"]
    table["launch_success_rate"] = frames.safe_divide(table["successful_launches_t180"],
                                                   table["launches_t180"])
    table["hhi_lower"], table["hhi_upper"] = hhi_bounds(table["cr5"], table["product_count"])
    if thresholds is not None:
        table["concentration_level"] = concentration_level(table["hhi_lower"], table["cr5"],
                                                           thresholds).to_numpy()
    table["market_quality"] = np.where(table["estimate_share"] > 0, "estimate", "first_party")
    return table


# ---------------------------------------------------------------------------------------------
# The seller's own sales growth


def _window_totals(lines, start, end, products):
    window = frames.in_period(lines, (start, end))
    return frames.totals(window, ["sales", "units"], "category", products=products)


def _comparable(lines, products, base_start):
    """Sales lines of the SKUs on sale for the whole base window (launched by its first day)."""
    launch = products.drop_duplicates("sku").set_index("sku").get("launch_date")
    if launch is None:
        return lines
    launched = lines["sku"].map(pd.to_datetime(launch))
    return lines[(launched <= base_start).fillna(False).to_numpy()]


def _growth_columns(table, bases, suffix=""):
    for measure in ("gmv", "units"):
        for name, label in bases:
            table[f"{measure}_growth_{label}{suffix}"] = frames.safe_divide(
                table[f"{measure}{suffix}"] - table[f"{measure}_{name}{suffix}"],
                table[f"{measure}_{name}{suffix}"])
    return table


def sales_growth(sales, products, as_of, window_days) -> pd.DataFrame:
    """GMV and units growth per category over comparable periods (all SKUs and like-for-like).

    Parameters
    ----------
    sales : DataFrame
        ``all_orders`` or ``business_report_asin``.
    products : DataFrame
        Product master (sku/asin -> category; ``launch_date`` for like-for-like).
    as_of : Timestamp-like
        Last day of the recent window.
    window_days : int
        Length of the windows [days] (params ``opportunity.growth_window_days``).

    Returns
    -------
    DataFrame
        category, gmv, units (recent window) [currency, count], gmv_year_ago, units_year_ago
        (same dates a year earlier), gmv_previous, units_previous (the window just before),
        gmv_growth_yoy, units_growth_yoy, gmv_growth_previous, units_growth_previous
        [fraction], and the same growth columns with suffix ``_like_for_like`` over the SKUs
        launched by the first day of the year-ago window (new listings left out); NaN growth
        where the base is 0 or missing.
    """
    lines = kpi.sales_lines(sales).drop(columns=["currency"], errors="ignore")
    start, end = frames.trailing_period(as_of, window_days)
    bases = {"year_ago": (start - pd.DateOffset(years=1), end - pd.DateOffset(years=1)),
             "previous": frames.previous_bounds(start, end)}
    labels = [("year_ago", "yoy"), ("previous", "previous")]
    tables = []
    for suffix, rows in (("", lines), ("_like_for_like",
                                       _comparable(lines, products, bases["year_ago"][0]))):
        table = _window_totals(rows, start, end, products)
        table = table.rename(columns={"sales": f"gmv{suffix}", "units": f"units{suffix}"})
        for name, (base_start, base_end) in bases.items():
            base = _window_totals(rows, base_start, base_end, products).rename(
                columns={"sales": f"gmv_{name}{suffix}", "units": f"units_{name}{suffix}"})
            table = table.merge(base, on="category", how="outer")
        tables.append(_growth_columns(table, labels, suffix))
    like = tables[1][["category", *[c for c in tables[1] if "_growth_" in c]]]
    return tables[0].merge(like, on="category", how="left")


# ---------------------------------------------------------------------------------------------
# Margin


def _storage_per_unit(products, params, as_of, months_held):
    """Off-peak and peak storage fee per unit held ``months_held`` months [currency].

    Storage type and peak months default to params ``replenishment.storage_type`` and
    ``fees.peak_storage_months`` where the product master and fee table have none.
    """
    schedule = fees.fee_schedule(params, as_of)
    volume = frames.as_float(products.get("item_volume_cuft", pd.Series(np.nan, index=products.index)))
    kinds = products.get("storage_type", pd.Series(
        params["replenishment"]["storage_type"], index=products.index)).to_numpy()
    peak_months = list((schedule or {}).get("peak_storage_months")
                       or params["fees"]["peak_storage_months"])
    off_month = next(m for m in range(1, 13) if m not in peak_months)
    off = fees.storage_rate(schedule, kinds, np.full(len(products), off_month))
    peak = fees.storage_rate(schedule, kinds, np.full(len(products), peak_months[0]))
    return (volume * off * months_held).to_numpy(), (volume * peak * months_held).to_numpy(), \
        len(peak_months) / 12.0


def _require_rates(products, fx_rates, currency):
    """Refuse a cost in a currency without a stated rate: a margin never mixes currencies."""
    costs = products.get("cost_currency", pd.Series(currency, index=products.index))
    missing = sorted(set(costs.dropna().astype(str)) - {currency} - set(fx_rates or {}))
    if missing:
        raise ValueError(f"an amount in {missing} needs params opportunity.fx_rates "
                         f"(its rate per {currency} and date)")


def unit_margins(products, params, as_of, category_rates=None) -> pd.DataFrame:
    """Unit margin per SKU after the landed margin, returns and advertising.

    unit_margin = landed unit margin (:func:`opsanalysis.profit.landed_margins` at the SKU's
    freight mode: price ex VAT - referral fee - FBA fee - purchase cost - head-haul freight -
    duty - storage) - returns_cost - advertising_cost; margin_rate = unit_margin / price ex VAT.
    An unknown input leaves the margin NaN with ``not_estimated_reason`` (never 0).

    Parameters
    ----------
    products : DataFrame
        Product master: sku, category, price, unit_cost, cost_currency, referral_fee_rate,
        fba_fee and optionally item_volume_cuft, item_weight_kg, storage_type, freight_mode.
    params : dict
        Loaded params (:func:`opsanalysis.params.load`): ``currency``, ``fees`` (VAT, storage
        fee tables) and ``opportunity`` (fx_rates, head_haul_freight, duty_rate,
        duty_includes_freight, storage_months_held, return_loss_fraction).
    as_of : Timestamp-like
        Date of the storage fee table used.
    category_rates : DataFrame, optional
        Per category: ``return_rate`` and ``tacos`` [fraction] (missing ones count as 0).

    Returns
    -------
    DataFrame
        sku, category, currency, price, vat, referral_fee, fba_fee, storage_off_peak,
        storage_peak, storage (blended by the share of peak months), returns_cost,
        advertising_cost, purchase_cost_original [purchase currency], purchase_currency,
        fx_rate [purchase currency per marketplace currency], fx_date, purchase_cost,
        head_haul_freight, duty, landed_cost, unit_margin [marketplace currency],
        margin_rate [fraction], storage_known (bool), not_estimated_reason (text).

    Raises
    ------
    ValueError
        When a cost is in a currency without a stated rate (never mixed silently).
    """
    settings, currency = params["opportunity"], params["currency"]
    _require_rates(products, settings["fx_rates"], currency)
    landed = profit.landed_margins(products, params, as_of)
    table = products[["sku", "category"]].reset_index(drop=True)
    table["currency"] = currency
    for column in ("price", "vat", "referral_fee", "fba_fee"):
        table[column] = landed[column].to_numpy()
    off, peak, _ = _storage_per_unit(products, params, as_of, settings["storage_months_held"])
    table["storage_off_peak"], table["storage_peak"] = off, peak
    table["storage"] = landed["storage"].to_numpy()
    table["storage_known"] = landed["storage"].notna().to_numpy()
    rates_by_category = (category_rates.set_index("category") if category_rates is not None
                         else pd.DataFrame(columns=["return_rate", "tacos"]))
    for column, cost in (("return_rate", "returns_cost"), ("tacos", "advertising_cost")):
        rate = table["category"].map(rates_by_category.get(column, pd.Series(dtype=float)))
        factor = settings["return_loss_fraction"] if column == "return_rate" else 1.0
        table[cost] = rate.astype("float64").fillna(0.0) * table["price"] * factor
    for column in ("purchase_cost_original", "purchase_currency", "fx_rate", "fx_date",
                   "purchase_cost", "head_haul_freight", "duty", "landed_cost"):
        table[column] = landed[column].to_numpy()
    table["unit_margin"] = landed["unit_margin"].to_numpy() - table["returns_cost"] \
        - table["advertising_cost"]
    table["margin_rate"] = frames.safe_divide(table["unit_margin"], landed["price_ex_vat"])
    table[profit.REASON_COLUMN] = landed[profit.REASON_COLUMN].to_numpy()
    return table


def category_margins(margins, units=None) -> pd.DataFrame:
    """Unit margin per category, weighted by units sold (equal weights without sales).

    Parameters
    ----------
    margins : DataFrame
        From :func:`unit_margins`.
    units : Series, optional
        Units sold per SKU (index sku) [count].

    Returns
    -------
    DataFrame
        category, sku_count, price, landed_cost, unit_margin [currency] (weighted means),
        margin_rate [fraction] (= weighted unit margin / weighted net price), storage_known
        (bool, every SKU has a storage fee).
    """
    weight = margins["sku"].map(units).astype("float64").fillna(0.0) if units is not None \
        else pd.Series(0.0, index=margins.index)
    has_sales = weight.groupby(margins["category"]).transform("sum") > 0
    weight = weight.where(has_sales, 1.0)
    columns = ["price", "vat", "landed_cost", "unit_margin"]
    # a SKU whose margin is not estimated carries no weight (its NaN is not a 0)
    weight = weight.where(margins["unit_margin"].notna(), 0.0)
    work = margins[columns].mul(weight, axis=0).assign(category=margins["category"], _w=weight)
    table = work.groupby("category", sort=True).sum(min_count=1)
    for column in columns:
        table[column] = table[column] / table["_w"].where(table["_w"] > 0)
    table["margin_rate"] = frames.safe_divide(table["unit_margin"], table["price"] - table["vat"])
    table["sku_count"] = margins.groupby("category").size()
    table["storage_known"] = margins.groupby("category")["storage_known"].all()
    return table.drop(columns=["_w", "vat"]).reset_index()


def category_rates(data, products, as_of, window_days) -> pd.DataFrame:
    """Return rate and TACoS per category from the seller's own reports.

    Returns
    -------
    DataFrame
        category, return_rate [fraction] (returned / ordered units over the window), tacos
        [fraction] (ad spend / total sales over the dates of the advertised product report;
        a category without ad spend gets the TACoS of the advertised categories together),
        advertising_quality ("first_party" where the category is advertised, "missing" where
        that stand-in is used).
    """
    sales = kpi.sales_frame(data)
    table = pd.DataFrame({"category": sorted(products["category"].dropna().unique())})
    if sales is None:
        return table
    period = frames.trailing_period(as_of, window_days)
    returns = [f for f in (data.get("fba_returns"), data.get("mfn_returns")) if f is not None]
    if returns:
        rate = kpi.return_rate([frames.in_period(f, period) for f in returns],
                               frames.in_period(sales, period), by="category", products=products)
        table = table.merge(rate[["category", "return_rate"]], on="category", how="left")
    ads = data.get("sp_advertised_product")
    if ads is not None and len(ads):
        ads = kpi.one_window(ads, None)
        dates = (ads["date"].min(), ads["date"].max())
        spend = kpi.tacos(ads.drop(columns=["currency"], errors="ignore"),
                          frames.in_period(sales, dates).drop(columns=["currency"], errors="ignore"),
                          by="category", products=products)
        table = table.merge(spend[["category", "tacos"]], on="category", how="left")
        advertised = table["tacos"].notna() & (table["tacos"] > 0)
        table["advertising_quality"] = np.where(advertised, "first_party", "missing")
        # A category the seller does not advertise is costed at the ad intensity of the ones it
        # does (growing a category on Amazon takes ads), not at the marketplace-wide TACoS,
        # whose denominator holds the unadvertised sales and would make them look cheap.
        paid = spend.loc[spend["spend"].fillna(0) > 0]
        stand_in = frames.safe_divide(paid["spend"].sum(), paid["sales"].sum())
        table["tacos"] = table["tacos"].where(advertised, stand_in)
    return table


# ---------------------------------------------------------------------------------------------
# Score, sensitivity and estimate dependence


def _no_spread(spread, values) -> bool:
    """True when the spread is zero, missing or rounding noise of equal values."""
    scale = max(float(np.nanmax(np.abs(values))) if values.notna().any() else 0.0, 1.0)
    return not spread or np.isnan(spread) or spread < 1e-12 * scale


def _zscore(values) -> pd.Series:
    """z-scores across rows (population spread); 0 for missing values or without spread."""
    values = frames.as_float(pd.Series(values))
    spread = values.std(ddof=0)
    if _no_spread(spread, values):
        return pd.Series(0.0, index=values.index)
    return ((values - values.mean()) / spread).fillna(0.0)


def _weighted_mean(frame, weights) -> pd.Series:
    """Row-wise mean of ``frame`` columns weighted by ``weights``, renormalised over non-NaN."""
    columns = [c for c in weights if c in frame]
    values = frame[columns].astype("float64")
    w = pd.Series({c: float(weights[c]) for c in columns})
    present = values.notna().astype(float) * w
    total = present.sum(axis=1)
    return (values.fillna(0.0) * w).sum(axis=1) / total.where(total > 0)


def score_categories(matrix, settings) -> pd.DataFrame:
    """The opportunity score with its components.

    Parameters
    ----------
    matrix : DataFrame
        One row per category with market_growth, gmv_growth_yoy, margin_rate,
        launch_success_rate and the competition inputs (NaN where unknown).
    settings : dict
        ``params["opportunity"]``: weights, growth_inputs, competition_inputs.

    Returns
    -------
    DataFrame
        ``matrix`` plus growth, competition_index, launch_difficulty (the component inputs),
        z_growth, z_margin, z_competition, z_launch_difficulty (z-scores across the rows),
        part_growth, part_margin, part_competition, part_launch_difficulty (signed weighted
        contributions, summing to ``score``), score and rank (1 = best).
    """
    table = matrix.copy()
    table["growth"] = _weighted_mean(table, settings["growth_inputs"])
    # an input no row has (Brand Analytics not downloaded) is left out, not imputed as average
    inputs = {c: _zscore(table[c]) for c in settings["competition_inputs"]
              if c in table and frames.as_float(table[c]).notna().any()}
    known = table[list(inputs)].notna().any(axis=1) if inputs else pd.Series(False, index=table.index)
    table["competition_index"] = _weighted_mean(pd.DataFrame(inputs), settings["competition_inputs"]) \
        .where(known)
    table["launch_difficulty"] = 1.0 - frames.as_float(table["launch_success_rate"])
    values = {"growth": table["growth"], "margin": table["margin_rate"],
              "competition": table["competition_index"],
              "launch_difficulty": table["launch_difficulty"]}
    weights = _normalised(settings["weights"])
    for name, sign in COMPONENTS.items():
        table[f"z_{name}"] = _zscore(values[name])
        table[f"part_{name}"] = sign * weights[name] * table[f"z_{name}"]
    table["score"] = table[[f"part_{n}" for n in COMPONENTS]].sum(axis=1)
    table["rank"] = _ranks(table["score"].to_numpy()[None, :])[0]
    return table


def _normalised(weights) -> dict:
    total = sum(float(weights[n]) for n in COMPONENTS)
    if total <= 0:
        raise ValueError("opportunity weights must have a positive sum")
    return {n: float(weights[n]) / total for n in COMPONENTS}


def _ranks(scores) -> np.ndarray:
    """Rank 1 = highest score, per row of a (draws x categories) array; ties by position."""
    order = np.argsort(-scores, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, scores.shape[1] + 1)[None, :], axis=1)
    return ranks


def weight_draws(weights, draws, concentration, *, seed) -> np.ndarray:
    """Random weights around the configured ones: Dirichlet(concentration x weights).

    Parameters
    ----------
    weights : dict
        Component -> weight (normalised to sum 1).
    draws : int
        Number of draws.
    concentration : float
        Dirichlet concentration; larger = draws closer to the configured weights.
    seed : int
        Random seed (params ``opportunity.seed``).

    Returns
    -------
    numpy.ndarray
        (draws, 4) weights in :data:`COMPONENTS` order, each row summing to 1.
    """
    centre = np.array(list(_normalised(weights).values()))
    alpha = np.maximum(concentration * centre, 1e-6)
    return np.random.default_rng(seed).dirichlet(alpha, size=int(draws))


def rank_bands(scored, settings) -> pd.DataFrame:
    """Weight-sensitivity analysis: ranks under random weight draws.

    Parameters
    ----------
    scored : DataFrame
        From :func:`score_categories`.
    settings : dict
        ``params["opportunity"]``: weights, sensitivity_draws, dirichlet_concentration, seed,
        top_n, rank_band_quantiles.

    Returns
    -------
    DataFrame
        Same index as ``scored``: rank_low, rank_median, rank_high (the band at
        ``rank_band_quantiles``, e.g. p10-p90), rank_band_width (= high - low), p_top_n
        (probability of a rank <= top_n) and p_first [fraction].
    """
    draws = weight_draws(settings["weights"], settings["sensitivity_draws"],
                         settings["dirichlet_concentration"], seed=settings["seed"])
    signed = scored[[f"z_{n}" for n in COMPONENTS]].to_numpy() * np.array(list(COMPONENTS.values()))
    ranks = _ranks(draws @ signed.T)
    low, high = settings["rank_band_quantiles"]
    band = pd.DataFrame({
        "rank_low": np.quantile(ranks, low, axis=0, method="lower"),
        "rank_median": np.median(ranks, axis=0),
        "rank_high": np.quantile(ranks, high, axis=0, method="higher"),
        "p_top_n": (ranks <= settings["top_n"]).mean(axis=0),
        "p_first": (ranks == 1).mean(axis=0),
    }, index=scored.index)
    band.insert(3, "rank_band_width", band["rank_high"] - band["rank_low"])
    return band


def _quality(values, source):
    """``source`` where a value is known, "missing" elsewhere."""
    return np.where(frames.as_float(values).isna(), "missing", source)


def _competition_quality(table, market) -> np.ndarray:
    """The niche file's quality where it gives the concentration, else first_party where Brand
    Analytics gives the top-3 click share (Amazon's own figure), else missing."""
    quality = _quality(table["cr5"], market)
    if "top_3_click_share" in table:
        from_queries = frames.as_float(table["top_3_click_share"]).notna().to_numpy()
        quality = np.where((quality == "missing") & from_queries, "first_party", quality)
    return quality


def _quality_columns(table) -> pd.DataFrame:
    """Data quality of each score input: first_party, estimate or missing."""
    market = table["market_quality"] if "market_quality" in table \
        else pd.Series("missing", index=table.index)
    own = pd.Series("first_party", index=table.index)
    level = _quality
    return pd.DataFrame({
        "quality_market_growth": level(table["market_growth"], market),
        "quality_gmv_growth": level(table["gmv_growth_yoy_like_for_like"], own),
        "quality_margin": level(table["margin_rate"], own),
        "quality_storage": np.where(table["storage_known"].fillna(False).astype(bool), "first_party", "missing"),
        "quality_advertising": table.get("advertising_quality",
                                         pd.Series("missing", index=table.index)).fillna("missing"),
        "quality_competition": _competition_quality(table, market),
        "quality_launch": level(table["launch_success_rate"], market),
    }, index=table.index)


def _standardise(values, reference) -> pd.Series:
    """z-scores of ``values`` against the mean and spread of ``reference`` (0 where missing)."""
    reference = frames.as_float(reference)
    spread = reference.std(ddof=0)
    if _no_spread(spread, reference):
        return pd.Series(0.0, index=values.index)
    return ((frames.as_float(values) - reference.mean()) / spread).fillna(0.0)


def _favourable_lift(scored, settings) -> pd.DataFrame:
    """Per component, the score each row gains from its estimated inputs (never negative)."""
    estimated = {name: scored[f"quality_{name}"].eq("estimate")
                 for name in ("market_growth", "competition", "launch")}
    growth_inputs = scored.copy()
    growth_inputs["market_growth"] = frames.as_float(scored["market_growth"]).where(
        ~estimated["market_growth"])
    z_without = {
        "growth": _standardise(_weighted_mean(growth_inputs, settings["growth_inputs"]),
                               scored["growth"]),
        "margin": scored["z_margin"],
        "competition": scored["z_competition"].where(~estimated["competition"], 0.0),
        "launch_difficulty": scored["z_launch_difficulty"].where(~estimated["launch"], 0.0),
    }
    weights = _normalised(settings["weights"])
    lift = {name: (scored[f"part_{name}"] - sign * weights[name] * z_without[name]).clip(lower=0.0)
            for name, sign in COMPONENTS.items()}
    return pd.DataFrame(lift, index=scored.index)


def _joined(names, quality, level) -> list:
    return [", ".join(n for n, q in zip(names, row, strict=True) if q == level)
            for row in quality.to_numpy()]


def estimate_dependence(scored, settings) -> pd.DataFrame:
    """Does a category only look good because of an estimated input?

    Each estimated input that raises a category's score is replaced by the average (z = 0;
    growth then rests on the seller's own growth), keeping the other categories' scores: the
    score it keeps without that favourable estimate, and the rank that score would have.

    Parameters
    ----------
    scored : DataFrame
        From :func:`score_categories`, with the quality_* columns.
    settings : dict
        ``params["opportunity"]`` (weights, growth_inputs, estimate_rank_gain).

    Returns
    -------
    DataFrame
        Same index: estimated_inputs, missing_inputs (comma-separated input names),
        estimate_lift (score gained from favourable estimates), score_without_estimates,
        rank_without_estimates, and rests_on_estimate (bool: the estimates lift the category
        by at least ``estimate_rank_gain`` places).
    """
    lift = _favourable_lift(scored, settings).sum(axis=1)
    without = scored["score"] - lift
    others = scored["score"].to_numpy()
    ahead = (others[None, :] > without.to_numpy()[:, None]).sum(axis=1) \
        - (others > without.to_numpy())  # a row is never ahead of itself
    quality = scored[[c for c in scored if c.startswith("quality_")]]
    names = [c.removeprefix("quality_") for c in quality]
    result = pd.DataFrame({
        "estimated_inputs": _joined(names, quality, "estimate"),
        "missing_inputs": _joined(names, quality, "missing"),
        "estimate_lift": lift, "score_without_estimates": without,
        "rank_without_estimates": ahead + 1,
    }, index=scored.index)
    gain = result["rank_without_estimates"] - scored["rank"]
    result["rests_on_estimate"] = (lift > 0) & (gain >= settings["estimate_rank_gain"])
    return result


# ---------------------------------------------------------------------------------------------
# The matrix


def _own_inputs(data, params, as_of):
    """(growth per category, margins per SKU, margins per category) from the seller's reports."""
    settings = params["opportunity"]
    products = data.get("product_master")
    sales = kpi.sales_frame(data)
    window = settings["growth_window_days"]
    growth = (sales_growth(sales, products, as_of, window) if sales is not None
              else pd.DataFrame({"category": []}))
    rates = category_rates(data, products, as_of, window)
    margins = unit_margins(products, params, as_of, rates)
    sold = frames.totals(frames.in_period(kpi.sales_lines(sales), frames.trailing_period(as_of, window))
                      .drop(columns=["currency"], errors="ignore"), ["units"], "sku") \
        if sales is not None else pd.DataFrame({"sku": [], "units": []})
    by_category = category_margins(margins, sold.set_index("sku")["units"])
    return growth, margins, by_category.merge(rates, on="category", how="left")


def opportunity_matrix(data, params, as_of, niches=None, level="category") -> pd.DataFrame:
    """The category opportunity matrix of one marketplace.

    Parameters
    ----------
    data : MarketplaceData or dict of str to DataFrame
        Frames by kind: ``product_master`` (required), ``all_orders`` or
        ``business_report_asin``, ``fba_returns``, ``sp_advertised_product``, ``niche``,
        ``sqp_asin`` and ``top_search_terms`` (Brand Analytics, optional).
    params : dict
        Loaded params of the marketplace (:func:`opsanalysis.params.load`).
    as_of : Timestamp-like
        Last day of the seller's data used.
    niches : DataFrame, optional
        A niche file (canonical ``niche`` frame) replacing ``data.get("niche")``.
    level : {"category", "niche"}
        One row per category, or per niche (own sales, margin and rates are the category's).

    Returns
    -------
    DataFrame
        One row per category (or niche), best first: marketplace, currency, keys, the market
        metrics of :func:`market_metrics`, the own growth of :func:`sales_growth`, sku_count,
        price, landed_cost, unit_margin [currency], margin_rate, return_rate, tacos [fraction],
        storage_known, quality_* (first_party / estimate / missing per input), the score
        columns of :func:`score_categories`, the rank band of :func:`rank_bands`, and
        estimated_inputs, missing_inputs, score_without_estimates, rank_without_estimates,
        rests_on_estimate (:func:`estimate_dependence`); from Brand Analytics (NaN / empty
        without it) search_queries, query_volume, best_search_frequency_rank,
        top_3_click_share, demand_source, competition_source
        (:func:`opsanalysis.search_queries.category_search_market`; top_3_click_share enters
        the competition index when ``competition_inputs`` lists it, as the defaults do: a
        column without any value changes nothing). Columns stable once
        landed.
    """
    settings = params["opportunity"]
    niches = data.get("niche") if niches is None else niches
    growth, _, margins = _own_inputs(data, params, as_of)
    own = margins.merge(growth, on="category", how="outer")
    if niches is not None and len(niches):
        market = market_metrics(niches, level, settings["concentration"])
        table = market.merge(own, on="category", how="outer" if level == "category" else "left")
    else:
        table = own
    # Brand Analytics, when downloaded: query volume / search frequency rank (demand) and the
    # top-3 click share (competition) of the queries each category's ASINs are found by
    table = table.merge(search_queries.category_search_market(
        data.get("sqp_asin"), data.get("top_search_terms"), data.get("product_master")),
        on="category", how="left")
    for column in ("market_growth", "cr5", "launch_success_rate", *settings["competition_inputs"]):
        if column not in table:
            table[column] = np.nan
    table = pd.concat([table, _quality_columns(table)], axis=1)
    table = score_categories(table, settings)
    table = pd.concat([table, rank_bands(table, settings), estimate_dependence(table, settings)],
                      axis=1)
    table.insert(0, "marketplace", params["marketplace"])
    table.insert(1, "currency", params["currency"])
    return table.sort_values(["rank"]).reset_index(drop=True)

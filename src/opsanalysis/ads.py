"""Sponsored Products actions: harvest, negate, re-bid, n-gram waste, structure audit.

Every function takes canonical Sponsored Products frames (``sp_search_term``, ``sp_targeting``,
``console_search_terms``: campaign_name, ad_group_name, targeting, match_type,
customer_search_term, impressions, clicks, spend, sales, orders, ...) and plain thresholds
(normally ``params.load(mp)["ads"]`` and the ACOS rule of ``["rules"]``) and returns tables for
people to review. :func:`bulk_sheet_draft` turns the actions into rows shaped like Amazon's
Sponsored Products bulk-operations sheet; nothing is ever applied to an account.

Two things are never mixed: money in different currencies and results attributed over different
windows (7-day vs 14-day). When a frame carries ``currency`` or ``attribution_days``, they are
part of every grouping; thresholds given in money (CPC, bids) may be a mapping currency -> value.

The rules, each with its source in ``params/defaults.yaml``:

- harvest: a customer search term with orders >= ``min_orders`` at ACOS <= target that is not
  already an exact keyword becomes a new exact keyword, and a negative exact in the ad group it
  came from (so the two do not compete);
- negatives, two rules side by side, ``rule_fired`` says which:
  ``seed_cpc`` -- in some week the term cost more than ``seed_cpc`` per click with no order (the
  articles' weekly rule); ``conversion_evidence`` -- the term has >= k / CVR clicks and no order,
  where CVR is its ad group's conversion rate: with that many clicks a sale would have come with
  probability 1 - (1 - CVR) ** clicks (k = 1, 2, 3 -> 63 %, 86 %, 95 %);
- bids: revenue per click x target ACOS, only after ``min_clicks``; changes smaller than
  ``min_step`` are skipped, larger ones damped to ``max_step``, the result kept in
  [``min_bid``, ``max_bid``];
- structure: more than ``max_ad_groups`` ad groups in a campaign, the same keyword and match
  type in several ad groups, auto campaigns without negatives (from a negatives list, or -- when
  none is given -- auto campaigns still paying for terms that are exact keywords elsewhere).
"""

import re

import numpy as np
import pandas as pd

from opsanalysis.kpi import KEEP_APART, as_float, probability_of_sale, safe_divide

#: Additive metric columns of Sponsored Products reports.
METRICS = ("impressions", "clicks", "spend", "sales", "orders", "units")

#: One search term in one ad group: the unit of harvesting and negation.
TERM_KEYS = ("campaign_name", "ad_group_name", "customer_search_term")

#: One target (keyword / product target / auto target) in one ad group: the unit of bidding.
TARGET_KEYS = ("campaign_name", "ad_group_name", "targeting", "match_type")

#: Targets of automatic campaigns ("*" in older reports, the four auto groups today).
AUTO_TARGETS = frozenset({"*", "close-match", "loose-match", "substitutes", "complements"})

#: Columns of Amazon's Sponsored Products bulk-operations sheet (bulksheets 2.0), in order.
BULK_COLUMNS = (
    "Product", "Entity", "Operation", "Campaign ID", "Ad Group ID", "Portfolio ID", "Ad ID",
    "Keyword ID", "Product Targeting ID", "Campaign Name", "Ad Group Name", "Start Date",
    "End Date", "Targeting Type", "State", "Daily Budget", "SKU", "Ad Group Default Bid", "Bid",
    "Keyword Text", "Native Language Keyword", "Native Language Locale", "Match Type",
    "Bidding Strategy", "Placement", "Percentage", "Product Targeting Expression",
)

#: Decimals of bids per currency (ISO 4217 minor units; Amazon JP takes whole yen).
CURRENCY_DECIMALS = {"JPY": 0, "KRW": 0}

_ASIN = re.compile(r"^b0[a-z0-9]{8}$")
_SPACES = re.compile(r"\s+")


def on_distinct(values: pd.Series, function) -> pd.Series:
    """Apply a text ``function`` (Series -> Series) once per distinct value of ``values``.

    Search-term reports repeat the same few hundred thousand texts over millions of rows, so
    string work is done on the distinct texts and mapped back by position (missing stays NA).
    """
    codes, uniques = pd.factorize(values)
    result = function(pd.Series(np.asarray(uniques, dtype=object), dtype="string"))
    mapped = result.to_numpy(dtype=object, na_value=pd.NA)[codes]
    mapped[codes < 0] = pd.NA
    dtype = "boolean" if pd.api.types.is_bool_dtype(result.dtype) else result.dtype
    return pd.Series(mapped, index=values.index, dtype=dtype)


def _normalise(terms: pd.Series) -> pd.Series:
    terms = terms.str.lower().str.strip()
    # collapsing runs of white space is a regex: run it only on the few texts that need it
    uneven = (terms.str.contains("  ", regex=False) | terms.str.contains(r"[\t\n\r\f\v]",
                                                                         regex=True)).fillna(False)
    if uneven.any():
        terms = terms.copy()
        terms[uneven] = terms[uneven].str.replace(_SPACES, " ", regex=True)
    return terms


def normalise_term(terms: pd.Series) -> pd.Series:
    """Lower-case, trim and collapse spaces: how Amazon matches exact keywords to queries."""
    return on_distinct(terms, _normalise)


def _apart(frame) -> list:
    return [c for c in KEEP_APART if c in frame]


def _decimals(frame) -> pd.Series:
    if "currency" not in frame:
        return pd.Series(2, index=frame.index)
    return frame["currency"].astype(str).map(CURRENCY_DECIMALS).fillna(2).astype(int)


def round_money(values: pd.Series, frame) -> pd.Series:
    """Round amounts to their currency's minor unit (cents; whole yen)."""
    decimals = _decimals(frame)
    rounded = values.copy()
    for places in decimals.unique():
        rows = (decimals == places).to_numpy()
        rounded[rows] = values[rows].round(int(places))
    return rounded


def money_text(values: pd.Series, frame) -> pd.Series:
    """Amounts as text with their currency's decimals ("0.85", "296")."""
    decimals = _decimals(frame)
    return pd.Series([f"{v:.{d}f}" if v == v else "" for v, d in zip(round_money(values, frame),
                                                                     decimals, strict=True)],
                     index=values.index)


def _per_currency(value, frame, name) -> pd.Series:
    """A money threshold for each row: a scalar, or a mapping currency -> value."""
    if not isinstance(value, dict):
        return pd.Series(float(value), index=frame.index)
    if "currency" not in frame:
        raise ValueError(f"{name} is given per currency but the frame has no currency column")
    missing = sorted(set(frame["currency"].dropna().astype(str)) - set(value))
    if missing:
        raise KeyError(f"{name} has no value for currency {missing}")
    return frame["currency"].astype(str).map(value).astype("float64")


def _add_ratios(table: pd.DataFrame) -> pd.DataFrame:
    """CTR, CPC, ACOS, ROAS and CVR from the summed columns present."""
    for name, numerator, denominator in (("ctr", "clicks", "impressions"),
                                         ("cpc", "spend", "clicks"), ("acos", "spend", "sales"),
                                         ("roas", "sales", "spend"),
                                         ("conversion_rate", "orders", "clicks")):
        if numerator in table and denominator in table:
            table[name] = safe_divide(table[numerator], table[denominator])
    return table


def summarise(frame, keys=TERM_KEYS) -> pd.DataFrame:
    """Sum the metrics of a Sponsored Products frame by ``keys`` (+ currency, attribution).

    Parameters
    ----------
    frame : DataFrame
        Search-term, targeting or console frame.
    keys : sequence of str
        Grouping columns.

    Returns
    -------
    DataFrame
        keys, currency/attribution_days when present, the metric sums (impressions, clicks,
        orders, units [count]; spend, sales [currency]) and ctr, cpc, acos, roas,
        conversion_rate. Empty denominators give NaN.
    """
    group = list(keys) + _apart(frame)
    metrics = [c for c in METRICS if c in frame]
    work = frame[group].copy()
    for column in metrics:
        work[column] = as_float(frame[column])
    table = work.groupby(group, sort=True, observed=True, dropna=False)[metrics].sum(
        min_count=1).reset_index()
    table = table[table[metrics].notna().any(axis=1)].reset_index(drop=True)
    return _add_ratios(table)


def is_auto_target(frame: pd.DataFrame) -> pd.Series:
    """True for rows served by automatic targeting."""
    auto = on_distinct(frame["targeting"], lambda t: _normalise(t).isin(AUTO_TARGETS))
    if "match_type" in frame:
        auto |= frame["match_type"].astype("string").str.strip().isin(["-", ""]).fillna(False)
    if "targeting_type" in frame:
        auto |= frame["targeting_type"].astype("string").str.casefold().str.startswith(
            "auto").fillna(False)
    return auto.fillna(False).astype(bool)


def exact_keywords(*frames) -> set:
    """Normalised texts of every exact-match keyword found in the given frames."""
    found = set()
    for frame in frames:
        if frame is None or "targeting" not in frame or "match_type" not in frame:
            continue
        exact = frame["match_type"].astype("string").str.casefold().eq("exact").fillna(False)
        found |= set(normalise_term(frame.loc[exact, "targeting"]).dropna().unique())
    return found


# --------------------------------------------------------------------------------------------
# harvesting
# --------------------------------------------------------------------------------------------

def harvest_terms(search_terms, target_acos, min_orders=2, keywords=None) -> pd.DataFrame:
    """Converting search terms to add as exact keywords (and negate in their source ad group).

    Parameters
    ----------
    search_terms : DataFrame
        Canonical search-term frame over the review window.
    target_acos : float
        Highest acceptable ACOS [fraction].
    min_orders : int
        Orders the term must have brought in its source ad group [count].
    keywords : DataFrame, optional
        Targeting report (targeting, match_type): exact keywords there count as existing.

    Returns
    -------
    DataFrame
        One row per (source campaign, ad group, term): campaign_name, ad_group_name,
        customer_search_term, target_type ("keyword" | "asin"), the metric sums and ratios,
        suggested_bid (revenue per click x target ACOS) [currency], action.
    """
    summary = summarise(search_terms)
    existing = exact_keywords(search_terms, keywords)
    normalised = normalise_term(summary["customer_search_term"])
    chosen = ((as_float(summary["orders"]) >= min_orders)
              & (summary["acos"] <= target_acos).fillna(False)
              & ~normalised.isin(existing).fillna(False))
    harvest = summary[chosen.to_numpy()].copy()
    harvest.insert(3, "target_type", np.where(
        normalise_term(harvest["customer_search_term"]).str.fullmatch(_ASIN.pattern).fillna(False),
        "asin", "keyword"))
    harvest["suggested_bid"] = round_money(
        safe_divide(harvest["sales"], harvest["clicks"]) * target_acos, harvest)
    harvest["action"] = "add_exact_and_negate_in_source"
    return harvest.sort_values(["orders", "sales"], ascending=False).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# negatives
# --------------------------------------------------------------------------------------------

def _group_cvr(frame, summary):
    """Conversion rate of each row's ad group, falling back to the campaign, then everything.

    An ad group without a single order has no conversion rate of its own; its campaign's (or the
    whole frame's) rate is the best prior for what a click there is worth.
    """
    apart = _apart(frame)
    levels = (["campaign_name", "ad_group_name"], ["campaign_name"], [])
    cvr = pd.Series(np.nan, index=summary.index)
    basis = pd.Series(pd.NA, index=summary.index, dtype="string")
    for level, name in zip(levels, ("ad_group", "campaign", "all"), strict=True):
        keys = level + apart
        if keys:
            rates = summary.groupby(keys, observed=True, dropna=False)[
                ["orders", "clicks"]].transform("sum")
        else:
            rates = pd.DataFrame({c: summary[c].sum() for c in ("orders", "clicks")},
                                 index=summary.index)
        rate = safe_divide(rates["orders"], rates["clicks"]).where(rates["orders"] > 0)
        fill = cvr.isna() & rate.notna()
        cvr[fill] = rate[fill]
        basis[fill] = name
    return cvr, basis


def mine_negatives(search_terms, seed_cpc, evidence_k=2.0, freq="W",
                   protected_terms=None) -> pd.DataFrame:
    """Search terms to add as negative exact in their ad group, and which rule fired.

    Parameters
    ----------
    search_terms : DataFrame
        Canonical search-term frame (daily ``date`` or ``start_date``) over the review window;
        an undated console export counts as one period for the seed rule.
    seed_cpc : float or dict
        Seed rule: CPC above this with no order in a week [currency]; a mapping
        currency -> threshold when several currencies are present.
    evidence_k : float
        Conversion-evidence rule: fire at clicks >= k / CVR with no order [count of expected
        orders]; k = 2 means an 86 % chance a sale would have come.
    freq : str
        Period of the seed rule (``"W"``: Amazon's weeks, Sunday to Saturday).
    protected_terms : callable or collection, optional
        Terms never to negate (e.g. own brand): a predicate on the normalised term Series or a
        collection of normalised terms.

    Returns
    -------
    DataFrame
        campaign_name, ad_group_name, customer_search_term, clicks, spend, orders (whole window),
        cpc, ad_group_cvr [fraction], cvr_basis, clicks_threshold (k / CVR) [count],
        p_sale_expected [fraction], seed_weeks [count], rule_fired ("seed_cpc",
        "conversion_evidence" or "seed_cpc+conversion_evidence"), action
        ("add_negative_exact"; "pause_or_lower_keyword" when the term is the ad group's own exact
        keyword; "review_converting_term" when only the weekly seed rule fired and the term did
        convert over the window). Sorted by spend.
    """
    summary = summarise(search_terms)
    cvr, basis = _group_cvr(search_terms, summary)
    summary["ad_group_cvr"] = cvr
    summary["cvr_basis"] = basis
    summary["clicks_threshold"] = safe_divide(evidence_k, cvr)
    no_order = as_float(summary["orders"]).fillna(0.0).eq(0)
    evidence = no_order & (as_float(summary["clicks"]) >= summary["clicks_threshold"]).fillna(False)
    summary["p_sale_expected"] = probability_of_sale(summary["clicks"], cvr)
    seed = _seed_weeks(search_terms, seed_cpc, freq)
    keys = list(TERM_KEYS) + _apart(search_terms)
    summary = summary.merge(seed, on=keys, how="left")
    summary["seed_weeks"] = summary["seed_weeks"].fillna(0).astype("Int64")
    fired_seed = summary["seed_weeks"].gt(0).to_numpy()
    fired_evidence = evidence.to_numpy()
    rule = np.select([fired_seed & fired_evidence, fired_seed, fired_evidence],
                     ["seed_cpc+conversion_evidence", "seed_cpc", "conversion_evidence"], "")
    summary["rule_fired"] = rule
    keep = rule != ""
    if protected_terms is not None:
        keep &= ~_protected(summary["customer_search_term"], protected_terms).to_numpy()
    negatives = summary[keep].copy()
    # the seed rule looks at single weeks: a term that converted over the window is only shown;
    # a term that is the ad group's own exact keyword cannot be negated there (that would switch
    # the keyword off): pause it or lower its bid instead
    is_own = _is_own_exact_keyword(search_terms, negatives)
    negatives["action"] = np.select(
        [~no_order[keep].to_numpy(), is_own.to_numpy()],
        ["review_converting_term", "pause_or_lower_keyword"], "add_negative_exact")
    columns = keys + ["clicks", "spend", "orders", "sales", "cpc", "ad_group_cvr", "cvr_basis",
                      "clicks_threshold", "p_sale_expected", "seed_weeks", "rule_fired", "action"]
    return negatives[columns].sort_values("spend", ascending=False).reset_index(drop=True)


def _is_own_exact_keyword(frame, table) -> pd.Series:
    """True where a row of ``table`` has its ad group's own exact keyword as search term."""
    exact = frame["match_type"].astype("string").str.lower().eq("exact").fillna(False)
    keys = ["campaign_name", "ad_group_name", "_key"]
    own = pd.DataFrame({"campaign_name": frame.loc[exact, "campaign_name"].astype("string"),
                        "ad_group_name": frame.loc[exact, "ad_group_name"].astype("string"),
                        "_key": normalise_term(frame.loc[exact, "targeting"])}
                       ).drop_duplicates().assign(_own=True)
    probe = pd.DataFrame({"campaign_name": table["campaign_name"].astype("string"),
                          "ad_group_name": table["ad_group_name"].astype("string"),
                          "_key": normalise_term(table["customer_search_term"])})
    found = probe.merge(own, on=keys, how="left")["_own"].fillna(False).astype(bool)
    return pd.Series(found.to_numpy(), index=table.index)


def _seed_weeks(search_terms, seed_cpc, freq):
    """Number of periods in which each term's CPC exceeded ``seed_cpc`` without an order."""
    from opsanalysis.kpi import date_column, period_start

    keys = list(TERM_KEYS) + _apart(search_terms)
    work = search_terms[keys].copy()
    try:
        work["period"] = period_start(search_terms[date_column(search_terms)], freq)
    except KeyError:
        work["period"] = 0  # an undated export (console table) is one period: its date range
    for column in ("clicks", "spend", "orders"):
        work[column] = as_float(search_terms[column])
    weekly = work.groupby(keys + ["period"], observed=True, sort=False)[
        ["clicks", "spend", "orders"]].sum().reset_index()
    threshold = _per_currency(seed_cpc, weekly, "seed_cpc")
    fired = ((safe_divide(weekly["spend"], weekly["clicks"]) > threshold)
             & weekly["orders"].fillna(0).eq(0))
    counts = weekly[fired.to_numpy()].groupby(keys, observed=True).size()
    return counts.rename("seed_weeks").reset_index()


def _protected(terms, protected):
    normalised = normalise_term(terms)
    if callable(protected):
        return pd.Series(protected(normalised), index=terms.index).fillna(False).astype(bool)
    return normalised.isin(set(protected)).fillna(False).astype(bool)


# --------------------------------------------------------------------------------------------
# bids
# --------------------------------------------------------------------------------------------

def suggest_bids(targets, target_acos, min_clicks=10, min_step=0.05, max_step=0.10,
                 min_bid=0.02, max_bid=5.0, tolerance_band=0.0) -> pd.DataFrame:
    """Bid changes towards revenue per click x target ACOS, damped and bounded.

    Parameters
    ----------
    targets : DataFrame
        Targeting (keyword) report or search-term frame. The current bid is its ``bid`` column
        when present, otherwise the average CPC (Amazon's reports do not carry the bid; the
        CPC is at most the bid, so the suggestion is relative to what was paid).
    target_acos : float
        Target ACOS [fraction].
    min_clicks : int
        Clicks needed before acting [count].
    min_step, max_step : float
        Relative changes below ``min_step`` are not worth making; larger ones are capped at
        ``max_step`` per review [fraction].
    min_bid, max_bid : float or dict
        Bounds of any bid [currency]; mappings currency -> value when several currencies.
    tolerance_band : float
        No change while the target's ACOS is within target +/- this band [fraction].

    Returns
    -------
    DataFrame
        campaign_name, ad_group_name, targeting, match_type, clicks, spend, sales, orders,
        revenue_per_click [currency], current_bid, bid_basis ("bid" | "cpc"), target_bid,
        suggested_bid [currency], change [fraction], action ("raise", "lower", "hold",
        "wait_for_clicks").
    """
    table = summarise(targets, TARGET_KEYS)
    if "bid" in targets:
        bids = targets.groupby(list(TARGET_KEYS) + _apart(targets), observed=True)["bid"].last()
        table = table.merge(bids.reset_index(), on=list(TARGET_KEYS) + _apart(targets),
                            how="left")
        table["bid_basis"] = np.where(table["bid"].notna(), "bid", "cpc")
        table["current_bid"] = as_float(table.pop("bid")).fillna(table["cpc"])
    else:
        table["bid_basis"] = "cpc"
        table["current_bid"] = table["cpc"]
    table["revenue_per_click"] = safe_divide(table["sales"].fillna(0.0), table["clicks"])
    table["target_bid"] = table["revenue_per_click"] * target_acos
    wanted = safe_divide(table["target_bid"], table["current_bid"]) - 1.0
    step = wanted.clip(-max_step, max_step)
    lower = _per_currency(min_bid, table, "min_bid")
    upper = _per_currency(max_bid, table, "max_bid")
    suggested = (table["current_bid"] * (1.0 + step)).clip(lower, upper)
    enough = (as_float(table["clicks"]) >= min_clicks).fillna(False)
    small = (wanted.abs() < min_step) | ((table["acos"] - target_acos).abs()
                                         <= tolerance_band).fillna(False)
    table["suggested_bid"] = round_money(suggested.where(enough & ~small, table["current_bid"]),
                                         table)
    table["change"] = safe_divide(table["suggested_bid"], table["current_bid"]) - 1.0
    table["action"] = np.select(
        [~enough, small | table["change"].abs().lt(1e-9), table["change"] > 0],
        ["wait_for_clicks", "hold", "raise"], "lower")
    return table.sort_values("spend", ascending=False).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# n-grams, brand split, structure
# --------------------------------------------------------------------------------------------

def ngrams(text: str, sizes=(1, 2, 3)) -> list:
    """Distinct word n-grams of ``text`` (sizes in words), in first-seen order."""
    words = text.split()
    found = dict.fromkeys(" ".join(words[i:i + n]) for n in sizes
                          for i in range(len(words) - n + 1))
    return list(found)


def _term_ngrams(terms: pd.Series, sizes) -> pd.DataFrame:
    """Distinct (row, n-gram) pairs of a Series of texts, built without a Python loop.

    Returns
    -------
    DataFrame
        row (position in ``terms``), term, ngram, n.
    """
    words = terms.reset_index(drop=True).str.split().explode().dropna()
    row = words.index.to_numpy()
    words = words.reset_index(drop=True).astype("string")
    parts = []
    for n in sizes:
        gram = words
        for offset in range(1, n):
            gram = gram + " " + words.shift(-offset)
        same_term = np.ones(len(words), dtype=bool)
        for offset in range(1, n):
            shifted = np.roll(row, -offset)
            same_term &= (shifted == row) & (np.arange(len(row)) + offset < len(row))
        parts.append(pd.DataFrame({"row": row[same_term], "ngram": gram[same_term].to_numpy(),
                                   "n": n}))
    pairs = pd.concat(parts, ignore_index=True).drop_duplicates(["row", "ngram"])
    pairs["term"] = terms.to_numpy()[pairs["row"].to_numpy()]
    return pairs


def ngram_waste(search_terms, sizes=(1, 2, 3), min_terms=2) -> pd.DataFrame:
    """Spend and results per word n-gram across all search terms.

    A word that appears in many terms that never convert is a candidate negative phrase.

    Parameters
    ----------
    search_terms : DataFrame
        Canonical search-term frame.
    sizes : sequence of int
        N-gram lengths [words].
    min_terms : int
        Keep n-grams found in at least this many distinct terms [count].

    Returns
    -------
    DataFrame
        ngram, n, terms [count], clicks, orders, spend, sales, waste_spend (spend of terms
        without an order) [currency], waste_share [fraction], acos, conversion_rate; by
        currency/attribution_days when present; sorted by waste_spend.
    """
    apart = _apart(search_terms)
    work = search_terms[apart].copy()
    work["term"] = normalise_term(search_terms["customer_search_term"])
    for column in ("clicks", "orders", "spend", "sales"):
        work[column] = as_float(search_terms[column])
    per_term = work.groupby(["term"] + apart, observed=True, sort=False)[
        ["clicks", "orders", "spend", "sales"]].sum().reset_index()
    per_term["waste_spend"] = per_term["spend"].where(per_term["orders"].fillna(0).eq(0), 0.0)
    pairs = _term_ngrams(per_term["term"], sizes)
    exploded = per_term.drop(columns="term").iloc[pairs["row"].to_numpy()].assign(
        term=pairs["term"].to_numpy(), ngram=pairs["ngram"].to_numpy(), n=pairs["n"].to_numpy())
    table = exploded.groupby(["ngram", "n"] + apart, observed=True, sort=False).agg(
        terms=("term", "size"), clicks=("clicks", "sum"), orders=("orders", "sum"),
        spend=("spend", "sum"), sales=("sales", "sum"),
        waste_spend=("waste_spend", "sum")).reset_index()
    table = table[table["terms"] >= min_terms]
    table["terms"] = table["terms"].astype("Int64")
    table["waste_share"] = safe_divide(table["waste_spend"], table["spend"])
    table["acos"] = safe_divide(table["spend"], table["sales"])
    table["conversion_rate"] = safe_divide(table["orders"], table["clicks"])
    return table.sort_values(["waste_spend", "ngram"], ascending=[False, True]).reset_index(
        drop=True)


def brand_names(products: pd.DataFrame) -> list:
    """Distinct brand names of the seller's products (product master ``brand``)."""
    if "brand" not in products:
        return []
    names = products["brand"].dropna().astype(str).str.strip()
    return sorted({name for name in names if name})


def is_branded(terms: pd.Series, brands) -> pd.Series:
    """True where a search term contains one of ``brands`` as whole words (case-insensitive)."""
    brands = [normalise_term(pd.Series([b])).iloc[0] for b in brands if str(b).strip()]
    if not brands:
        return pd.Series(False, index=terms.index)
    pattern = r"\b(?:" + "|".join(re.escape(b) for b in sorted(brands, key=len,
                                                               reverse=True)) + r")\b"
    found = on_distinct(terms, lambda t: _normalise(t).str.contains(pattern, regex=True))
    return found.fillna(False).astype(bool)


def branded_split(search_terms, brands, by=()) -> pd.DataFrame:
    """Branded vs non-branded search terms: spend, sales, ACOS, CVR per segment.

    Parameters
    ----------
    search_terms : DataFrame
        Canonical search-term frame.
    brands : list of str
        Brand names (see :func:`brand_names`).
    by : sequence of str
        Extra grouping columns (e.g. ``["campaign_name"]``).

    Returns
    -------
    DataFrame
        by..., segment ("branded" | "non_branded"), currency/attribution_days when present,
        metric sums, ratios and share_of_spend [fraction].
    """
    frame = search_terms.assign(segment=np.where(
        is_branded(search_terms["customer_search_term"], brands), "branded", "non_branded"))
    table = summarise(frame, list(by) + ["segment"])
    group = list(by) + _apart(frame)
    spend_total = table.groupby(group)["spend"].transform("sum") if group else table["spend"].sum()
    table["share_of_spend"] = safe_divide(table["spend"], spend_total)
    return table


def _finding(check, campaign, ad_group=pd.NA, keyword=pd.NA, match_type=pd.NA, count=pd.NA,
             spend=np.nan, detail=""):
    return {"check": check, "campaign_name": campaign, "ad_group_name": ad_group,
            "keyword": keyword, "match_type": match_type, "count": count, "spend": spend,
            "detail": detail}


def audit_structure(targets, max_ad_groups=20, negatives=None) -> pd.DataFrame:
    """Structure findings: crowded campaigns, duplicate keywords, auto campaigns unguarded.

    Parameters
    ----------
    targets : DataFrame
        Search-term or targeting frame (campaign_name, ad_group_name, targeting, match_type).
    max_ad_groups : int
        Most ad groups a campaign should hold [count].
    negatives : DataFrame, optional
        The account's negative keywords (campaign_name, ad_group_name, keyword text in
        ``targeting`` or ``keyword_text``). Without it, an auto campaign counts as unguarded when
        it still pays for search terms that are exact keywords in another campaign.

    Returns
    -------
    DataFrame
        check ("too_many_ad_groups" | "duplicate_keyword" | "auto_without_negatives"),
        campaign_name, ad_group_name, keyword, match_type, count, spend [currency], detail.
    """
    spend = as_float(targets["spend"]) if "spend" in targets else pd.Series(0.0, targets.index)
    groups = targets.groupby("campaign_name", observed=True)["ad_group_name"].nunique()
    crowded = groups[groups > max_ad_groups]
    findings = [pd.DataFrame({
        "check": "too_many_ad_groups", "campaign_name": crowded.index,
        "count": crowded.to_numpy(),
        "detail": [f"{n} ad groups > {max_ad_groups}" for n in crowded.to_numpy()]})]
    auto = is_auto_target(targets)
    manual = pd.DataFrame({
        "campaign_name": targets["campaign_name"], "ad_group_name": targets["ad_group_name"],
        "keyword": normalise_term(targets["targeting"]),
        "match_type": targets["match_type"].astype("string").str.casefold(),
        "spend": spend})[~auto.to_numpy()]
    places = manual.groupby(["keyword", "match_type", "campaign_name", "ad_group_name"],
                            observed=True, sort=True)["spend"].sum().reset_index()
    places["count"] = places.groupby(["keyword", "match_type"])["spend"].transform("size")
    duplicates = places[places["count"] > 1].assign(check="duplicate_keyword")
    duplicates["detail"] = ("'" + duplicates["keyword"].astype(str) + "' ("
                            + duplicates["match_type"].astype(str) + ") in "
                            + duplicates["count"].astype(str) + " ad groups")
    findings.append(duplicates)
    findings.extend(_unguarded_auto(targets, auto, spend, negatives))
    columns = list(_finding("", "").keys())
    findings = [f for f in findings if len(f)]
    table = (pd.concat(findings, ignore_index=True).reindex(columns=columns) if findings
             else pd.DataFrame(columns=columns))
    table["count"] = table["count"].astype("Int64")
    table["spend"] = table["spend"].astype("float64")
    return table


def _unguarded_auto(targets, auto, spend, negatives):
    """Auto campaigns with no negatives at all (or leaking spend to exact keywords)."""
    campaigns = targets.loc[auto, "campaign_name"].dropna().unique()
    if negatives is not None:
        guarded = set(negatives["campaign_name"].dropna())
        return [pd.DataFrame([_finding("auto_without_negatives", c,
                                       detail="no negative keywords or targets")
                              for c in campaigns if c not in guarded])]
    if "customer_search_term" not in targets:
        return []
    exact = exact_keywords(targets)
    terms = normalise_term(targets["customer_search_term"])
    leaking = auto & terms.isin(exact).fillna(False)
    findings = []
    for campaign, rows in targets[leaking].groupby("campaign_name", observed=True):
        findings.append(_finding(
            "auto_without_negatives", campaign, count=int(terms[rows.index].nunique()),
            spend=float(spend[rows.index].sum()),
            detail="auto campaign still buys terms that are exact keywords elsewhere "
                   "(negative exact missing)"))
    return [pd.DataFrame(findings)]


# --------------------------------------------------------------------------------------------
# bulk sheet draft and the whole analysis
# --------------------------------------------------------------------------------------------

def _bulk_rows(frame, entity, operation, campaign, ad_group, **fields) -> pd.DataFrame:
    rows = pd.DataFrame({"Product": "Sponsored Products", "Entity": entity,
                         "Operation": operation, "Campaign Name": campaign,
                         "Ad Group Name": ad_group, "State": "enabled", **fields},
                        index=frame.index)
    return rows


def _target_entity(texts: pd.Series, entity_keyword, entity_product):
    is_asin = normalise_term(texts).str.fullmatch(_ASIN.pattern).fillna(False).to_numpy()
    entity = np.where(is_asin, entity_product, entity_keyword)
    expression = np.where(is_asin, 'asin="' + texts.astype(str).str.upper() + '"', "")
    keyword = np.where(is_asin, "", texts.astype(str))
    return entity, keyword, expression


def bulk_sheet_draft(harvest=None, negatives=None, bids=None,
                     harvest_campaign="{campaign_name} - exact") -> pd.DataFrame:
    """Rows shaped like Amazon's Sponsored Products bulk-operations sheet, for review.

    Nothing here is uploaded. Search-term and targeting reports carry names, not IDs, so the ID
    columns stay empty: fill them from the account's own bulk download before any upload.

    Parameters
    ----------
    harvest : DataFrame, optional
        From :func:`harvest_terms`: creates an exact keyword (or ASIN product target) in
        ``harvest_campaign`` and a negative exact in the source ad group.
    negatives : DataFrame, optional
        From :func:`mine_negatives`: negative exact rows (only action ``add_negative_exact``).
    bids : DataFrame, optional
        From :func:`suggest_bids`: bid updates (only actions ``raise``/``lower``).
    harvest_campaign : str
        Name template of the campaign receiving harvested keywords (``{campaign_name}`` and
        ``{ad_group_name}`` are the source's).

    Returns
    -------
    DataFrame
        Columns :data:`BULK_COLUMNS`, text only.
    """
    parts = []
    if harvest is not None and len(harvest):
        # one new keyword per term, in the campaign built from its best source (most orders);
        # the negative exact goes into every source ad group
        best = harvest.sort_values("orders", ascending=False, kind="stable")
        best = best.loc[~normalise_term(best["customer_search_term"]).duplicated().to_numpy()]
        target_campaign = [harvest_campaign.format(campaign_name=c, ad_group_name=a)
                           for c, a in zip(best["campaign_name"], best["ad_group_name"],
                                           strict=True)]
        entity, keyword, expression = _target_entity(best["customer_search_term"], "Keyword",
                                                     "Product Targeting")
        parts.append(_bulk_rows(best, entity, "Create", target_campaign,
                                best["ad_group_name"], **{
                                    "Bid": money_text(best["suggested_bid"], best),
                                    "Keyword Text": keyword,
                                    "Match Type": np.where(entity == "Keyword", "exact", ""),
                                    "Product Targeting Expression": expression}))
        parts.append(_negative_rows(harvest))
    if negatives is not None and len(negatives):
        parts.append(_negative_rows(negatives[negatives["action"] == "add_negative_exact"]))
    if bids is not None and len(bids):
        changed = bids[bids["action"].isin(["raise", "lower"])]
        auto = changed["targeting"].astype(str).str.casefold().isin(AUTO_TARGETS)
        entity, keyword, expression = _target_entity(changed["targeting"], "Keyword",
                                                     "Product Targeting")
        entity = np.where(auto, "Product Targeting", entity)
        expression = np.where(auto, changed["targeting"].astype(str), expression)
        keyword = np.where(auto, "", keyword)
        parts.append(_bulk_rows(changed, entity, "Update", changed["campaign_name"],
                                changed["ad_group_name"], **{
                                    "Bid": money_text(changed["suggested_bid"], changed),
                                    "Keyword Text": keyword,
                                    "Match Type": np.where(
                                        entity == "Keyword",
                                        changed["match_type"].astype(str).str.casefold(), ""),
                                    "Product Targeting Expression": expression}))
    if not parts:
        return pd.DataFrame(columns=list(BULK_COLUMNS), dtype="string")
    draft = pd.concat(parts, ignore_index=True).reindex(columns=list(BULK_COLUMNS))
    return draft.astype("string").fillna("")


def _negative_rows(table) -> pd.DataFrame:
    entity, keyword, expression = _target_entity(table["customer_search_term"],
                                                 "Negative Keyword",
                                                 "Negative Product Targeting")
    return _bulk_rows(table, entity, "Create", table["campaign_name"], table["ad_group_name"],
                      **{"Keyword Text": keyword,
                         "Match Type": np.where(entity == "Negative Keyword", "negativeExact",
                                                ""),
                         "Product Targeting Expression": expression})


#: Stands in for the campaign / ad group of a console export made from inside one ad group.
UNNAMED = "(not in the export)"


def _complete(frame: pd.DataFrame) -> pd.DataFrame:
    """Check the frame is a search-term report; name the implicit campaign and ad group of a
    console export taken from one ad group's page (it has no such columns)."""
    if "customer_search_term" not in frame:
        raise ValueError("ads.analyse needs a search-term report (customer_search_term); pass a "
                         "targeting report as keywords=")
    missing = {c: UNNAMED for c in ("campaign_name", "ad_group_name") if c not in frame}
    return frame.assign(**missing) if missing else frame


def _compact(frame: pd.DataFrame) -> pd.DataFrame:
    """Text keys as categoricals: millions of rows repeat a few distinct names, and grouping
    and text work then run on the distinct values only."""
    text = [c for c in (*TARGET_KEYS, "customer_search_term", "currency") if c in frame
            and not isinstance(frame[c].dtype, pd.CategoricalDtype)]
    return frame.assign(**{c: frame[c].astype("category") for c in text})


def target_acos(params: dict) -> float:
    """The target ACOS: ``ads.target_acos`` when set, else the ACOS rule's upper bound."""
    ads = params.get("ads", {})
    if ads.get("target_acos") is not None:
        return float(ads["target_acos"])
    rule = params["rules"]["acos"]
    return float(rule.get("max", rule.get("value")))


def analyse(search_terms, params, products=None, keywords=None, negatives=None) -> dict:
    """The whole Sponsored Products review of one marketplace.

    Parameters
    ----------
    search_terms : DataFrame
        Canonical search-term frame (one marketplace, one currency, one attribution window).
    params : dict
        ``opsanalysis.params.load(mp)``: uses the ``ads`` section and the rules ``acos``,
        ``harvest_min_orders``, ``negative_keyword_cpc``, ``negative_keyword_clicks_factor``,
        ``bid_step`` and ``ad_groups_per_campaign``.
    products : DataFrame, optional
        Product master: brand names protect branded terms from negation and split the spend.
    keywords : DataFrame, optional
        Targeting report: bids are suggested per keyword from it when given (else per target
        in the search-term frame), and its exact keywords count as existing for harvesting.
    negatives : DataFrame, optional
        Existing negative keywords, for the structure audit.

    Returns
    -------
    dict of str to DataFrame
        ``harvest``, ``negatives``, ``bids``, ``ngrams``, ``structure``, ``branded_split`` and
        ``bulk_draft``.

    Raises
    ------
    ValueError
        When the frame mixes currencies or attribution windows (the actions would add them up).
    """
    for column in KEEP_APART:
        if column in search_terms and search_terms[column].nunique(dropna=True) > 1:
            raise ValueError(f"search terms mix several {column} values: analyse one at a time")
    search_terms = _compact(_complete(search_terms))
    settings, rules = params["ads"], params["rules"]
    goal = target_acos(params)
    brands = sorted(set(brand_names(products) if products is not None else [])
                    | set(settings.get("branded_terms") or []))
    harvest = harvest_terms(search_terms, goal, rules["harvest_min_orders"]["value"], keywords)
    negatives_table = mine_negatives(
        search_terms, rules["negative_keyword_cpc"]["value"],
        rules["negative_keyword_clicks_factor"]["value"], settings["negative_seed_period"],
        protected_terms=(lambda t: is_branded(t, brands)) if brands else None)
    bids = suggest_bids(keywords if keywords is not None else search_terms, goal,
                        settings["min_clicks_for_bid_change"], rules["bid_step"]["min"],
                        rules["bid_step"]["max"], settings["bid_min"], settings["bid_max"],
                        settings["tolerance_band"])
    sizes = tuple(range(1, int(settings["ngram_max"]) + 1))
    return {
        "harvest": harvest,
        "negatives": negatives_table,
        "bids": bids,
        "ngrams": ngram_waste(search_terms, sizes, settings["ngram_min_terms"]),
        "structure": audit_structure(search_terms, rules["ad_groups_per_campaign"]["value"],
                                     negatives),
        "branded_split": branded_split(search_terms, brands),
        "bulk_draft": bulk_sheet_draft(harvest, negatives_table, bids,
                                       settings["harvest_campaign"]),
    }

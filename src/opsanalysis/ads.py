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

Every action and its reason come from ONE decision table, :data:`AD_ACTIONS` (also in
``docs/decisions.md``, "Ad actions"); the settings come from ``params/defaults.yaml``:

- harvest: a customer search term with orders >= ``min_orders`` at ACOS <= target that is not
  already an exact keyword becomes an exact keyword in an existing exact ad group of the same
  products (or a campaign + ad group the draft creates), and a negative exact in each source ad
  group -- adjacent rows sharing a ``harvest_id``;
- negatives: proposed only on the term's own evidence -- no order although, converting like its
  ad group, its clicks would have brought a sale with probability >=
  ``ads.negative_min_probability_of_sale`` (``kpi.probability_of_sale``). The seeds' weekly CPC
  rule (``negative_keyword_cpc``) is shown beside it; where the two disagree the action is
  "rule would negate; evidence says keep". A term that converted is never a negative;
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

from opsanalysis.frames import KEEP_APART, as_float, date_column, safe_divide
from opsanalysis.io import per_distinct
from opsanalysis.kpi import probability_of_sale
from opsanalysis.kpi.ad_types import (  # noqa: F401  (re-exported: ads.AD_TYPES, ...)
    AD_TYPES,
    ad_type_of,
    ad_type_summary,
    clicks_only,
)
from opsanalysis.kpi.scoring import budget_capped_days
from opsanalysis.marketplaces import currency_decimals

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

_ASIN = re.compile(r"^b0[a-z0-9]{8}$")
_SPACES = re.compile(r"\s+")

# --------------------------------------------------------------------------------------------
# the decision table of ad actions
# --------------------------------------------------------------------------------------------

#: The ad actions: ONE decision table (docs/decisions.md, "Ad actions"). ``unit`` says what a
#: row decides about; within a unit the first row whose inputs all match wins (inputs a row
#: does not name are "any"). Inputs of a search term in an ad group: ``harvested`` (the term met
#: the harvest rule in this ad group), ``branded``, ``converted`` (orders > 0 in the window),
#: ``seed_rule`` (the CPC rule fired in some week), ``evidence`` ("negate": no order and
#: P(sale) >= threshold; "keep": P(sale) below it; "unknown": no conversion rate to judge by),
#: ``own_keyword`` (the term is one of the ad group's own keywords). Inputs of a harvest row:
#: ``role``. Inputs of a target's bid: ``enough_clicks``, ``within_band``, ``step_too_small``,
#: ``at_bound``, ``direction``. Inputs of a campaign's budget (:func:`budget_capping`):
#: ``has_budget``, ``capped``, ``has_sales`` (clicks-only sales > 0: without them ACOS is not
#: estimated, so "above target" would be a reason nobody can see), ``within_target``.
AD_ACTIONS = (
    {"unit": "search_term", "row": "T1", "when": {"harvested": True},
     "action": "negate_in_source_with_harvest", "reason": "harvested_to_exact"},
    {"unit": "search_term", "row": "T2", "when": {"branded": True},
     "action": "keep_branded", "reason": "branded_term"},
    {"unit": "search_term", "row": "T3", "when": {"converted": True, "seed_rule": True},
     "action": "rule_negates_evidence_keeps", "reason": "converted_in_window"},
    {"unit": "search_term", "row": "T4",
     "when": {"converted": False, "evidence": "negate", "own_keyword": True},
     "action": "pause_or_lower_keyword", "reason": "unlikely_to_convert"},
    {"unit": "search_term", "row": "T5",
     "when": {"converted": False, "evidence": "negate", "own_keyword": False},
     "action": "add_negative_exact", "reason": "unlikely_to_convert"},
    {"unit": "search_term", "row": "T6",
     "when": {"converted": False, "evidence": "keep", "seed_rule": True},
     "action": "rule_negates_evidence_keeps", "reason": "too_few_clicks_to_judge"},
    {"unit": "search_term", "row": "T7",
     "when": {"converted": False, "evidence": "unknown", "seed_rule": True},
     "action": "rule_negates_evidence_keeps", "reason": "no_conversion_rate"},
    {"unit": "search_term", "row": "T8", "when": {},
     "action": "not_listed", "reason": "no_rule_fired"},
    {"unit": "harvest", "row": "H1", "when": {"role": "new_keyword"},
     "action": "add_exact_keyword", "reason": "converts_within_target_acos"},
    {"unit": "harvest", "row": "H2", "when": {"role": "source_ad_group"},
     "action": "negate_in_source_with_harvest", "reason": "harvested_to_exact"},
    {"unit": "bid", "row": "B1", "when": {"enough_clicks": False},
     "action": "wait_for_clicks", "reason": "too_few_clicks"},
    {"unit": "bid", "row": "B2", "when": {"within_band": True},
     "action": "hold", "reason": "acos_within_band"},
    {"unit": "bid", "row": "B3", "when": {"step_too_small": True},
     "action": "hold", "reason": "change_below_min_step"},
    {"unit": "bid", "row": "B4", "when": {"at_bound": True},
     "action": "hold", "reason": "at_bid_bound"},
    {"unit": "bid", "row": "B5", "when": {"direction": "up"},
     "action": "raise", "reason": "acos_below_target"},
    {"unit": "bid", "row": "B6", "when": {"direction": "down"},
     "action": "lower", "reason": "acos_above_target"},
    {"unit": "budget", "row": "G1", "when": {"has_budget": False},
     "action": "set_daily_budget", "reason": "no_daily_budget"},
    {"unit": "budget", "row": "G2", "when": {"capped": True, "within_target": True},
     "action": "raise_budget", "reason": "capped_within_target_acos"},
    {"unit": "budget", "row": "G3", "when": {"capped": True, "has_sales": False},
     "action": "lower_bids_before_budget", "reason": "capped_without_sales"},
    {"unit": "budget", "row": "G4", "when": {"capped": True, "within_target": False},
     "action": "lower_bids_before_budget", "reason": "capped_above_target_acos"},
    {"unit": "budget", "row": "G5", "when": {},
     "action": "hold", "reason": "budget_not_reached"},
)

#: Search-term actions that put a negative keyword into the bulk draft on their own.
NEGATING_ACTIONS = ("add_negative_exact",)


def decision_table() -> pd.DataFrame:
    """The ad-action decision table as a frame: unit, row, one column per input, action, reason.

    Inputs a row does not name are shown as "-" (any value).
    """
    inputs = list(dict.fromkeys(k for rule in AD_ACTIONS for k in rule["when"]))
    records = [{"unit": r["unit"], "row": r["row"],
                **{k: r["when"].get(k, "-") for k in inputs},
                "action": r["action"], "reason": r["reason"]} for r in AD_ACTIONS]
    return pd.DataFrame(records, columns=["unit", "row", *inputs, "action", "reason"])


def decide(inputs: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Action and reason of every row of ``inputs`` from the rows of :data:`AD_ACTIONS`.

    Parameters
    ----------
    inputs : DataFrame
        One column per input the ``unit``'s rows name (booleans or codes).
    unit : str
        "search_term", "harvest", "bid" or "budget".

    Returns
    -------
    DataFrame
        decision_row, action, reason (same index as ``inputs``); NA where no row matches.
    """
    result = pd.DataFrame({c: pd.Series(pd.NA, index=inputs.index, dtype="string")
                           for c in ("decision_row", "action", "reason")})
    for rule in (r for r in AD_ACTIONS if r["unit"] == unit):
        match = pd.Series(True, index=inputs.index)
        for column, value in rule["when"].items():
            match &= inputs[column].astype(object).eq(value).to_numpy()
        fill = (match & result["action"].isna()).to_numpy()
        result.loc[fill, ["decision_row", "action", "reason"]] = (
            rule["row"], rule["action"], rule["reason"])
    return result


def on_distinct(values: pd.Series, function) -> pd.Series:
    """Apply a text ``function`` (Series -> Series) once per distinct value of ``values``.

    Search-term reports repeat the same few hundred thousand texts over millions of rows, so
    string work is done on the distinct texts and mapped back by position
    (:func:`opsanalysis.io.per_distinct`); ``function`` sees them as pandas strings, and a
    missing cell stays missing whatever ``function`` gives it.
    """
    result = per_distinct(values, lambda distinct: function(distinct.astype("string")))
    if pd.api.types.is_bool_dtype(result.dtype):
        result = result.astype("boolean")
    return result.mask(values.isna()).rename(None)


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
    # ISO 4217 minor units (Amazon JP takes whole-yen bids)
    return frame["currency"].astype(str).map(currency_decimals).astype(int)


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

def harvest_terms(search_terms, target_acos, *, min_orders, keywords=None) -> pd.DataFrame:
    """Converting search terms to add as exact keywords (and negate in their source ad group).

    Parameters
    ----------
    search_terms : DataFrame
        Canonical search-term frame over the review window.
    target_acos : float
        Highest acceptable ACOS [fraction].
    min_orders : int
        Orders the term must have brought in its source ad group [count] (rule
        ``harvest_min_orders``).
    keywords : DataFrame, optional
        Targeting report (targeting, match_type): exact keywords there count as existing.

    Returns
    -------
    DataFrame
        One row per (source campaign, ad group, term): campaign_name, ad_group_name,
        customer_search_term, target_type ("keyword" | "asin"), the metric sums and ratios,
        suggested_bid (revenue per click x target ACOS) [currency]; :func:`plan_harvest`
        turns them into actions.
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
    return harvest.sort_values(["orders", "sales"], ascending=False).reset_index(drop=True)


def known_ad_groups(*frames) -> pd.DataFrame:
    """Distinct (campaign_name, ad_group_name) of the given report frames, with ``has_exact``
    (the ad group holds an exact keyword) and campaign_id / ad_group_id where a frame has them.
    """
    parts = []
    for frame in frames:
        if frame is None or not {"campaign_name", "ad_group_name"} <= set(frame.columns):
            continue
        exact = (frame["match_type"].astype("string").str.casefold().eq("exact").fillna(False)
                 if "match_type" in frame else pd.Series(False, index=frame.index))
        part = pd.DataFrame({c: frame[c].astype(str) for c in ("campaign_name", "ad_group_name")})
        for column in ("campaign_id", "ad_group_id"):
            part[column] = frame[column].astype("string") if column in frame else pd.NA
        parts.append(part.assign(has_exact=exact.to_numpy()))
    if not parts:
        return pd.DataFrame(columns=["campaign_name", "ad_group_name", "campaign_id",
                                     "ad_group_id", "has_exact"])
    table = pd.concat(parts, ignore_index=True)
    return table.groupby(["campaign_name", "ad_group_name"], sort=True, as_index=False).agg(
        campaign_id=("campaign_id", "first"), ad_group_id=("ad_group_id", "first"),
        has_exact=("has_exact", "any"))


def _skus(advertised) -> dict:
    """(campaign, ad group) -> sorted tuple of advertised SKUs (Advertised product report)."""
    if advertised is None or "advertised_sku" not in advertised:
        return {}
    pairs = advertised[["campaign_name", "ad_group_name", "advertised_sku"]].dropna().astype(str)
    return {key: tuple(sorted(set(rows["advertised_sku"])))
            for key, rows in pairs.groupby(["campaign_name", "ad_group_name"])}


def _destination(campaign, ad_group, known, skus, campaign_template):
    """Where a term harvested from (campaign, ad group) becomes an exact keyword: an existing
    ad group with exact keywords advertising the same SKUs (or, without SKUs, of the same
    name), else a new campaign named by the template with an ad group of the source's name."""
    exact = known[known["has_exact"]]
    own = skus.get((campaign, ad_group))
    if own:
        same = [skus.get((c, a)) == own for c, a in zip(exact["campaign_name"],
                                                       exact["ad_group_name"], strict=True)]
        exact = exact[np.asarray(same, dtype=bool)]
    else:
        exact = exact[exact["ad_group_name"] == ad_group]
    if len(exact):
        return exact["campaign_name"].iloc[0], exact["ad_group_name"].iloc[0]
    return campaign_template.format(campaign_name=campaign, ad_group_name=ad_group), ad_group


#: First letters of a harvest's ID per ad type: IDs stay unique when one report lists the
#: harvests of several ad types (the Sponsored Products bulk draft carries SP harvests only).
HARVEST_ID_PREFIXES = {"sponsored_products": "H", "sponsored_brands": "SB-H"}


def plan_harvest(harvest, known, *, campaign_template, advertised=None,
                 ad_type="sponsored_products") -> pd.DataFrame:
    """Each harvested term as adjacent rows sharing a ``harvest_id``: the new exact keyword
    (role "new_keyword") and its negative exact in every source ad group (role "source_ad_group").

    Parameters
    ----------
    harvest : DataFrame
        From :func:`harvest_terms` (one row per qualifying source ad group).
    known : DataFrame
        From :func:`known_ad_groups`: the campaigns and ad groups in the reports.
    campaign_template : str
        Name of a new campaign when no existing ad group takes the keyword (``{campaign_name}``
        and ``{ad_group_name}`` are the source's; params ``ads.harvest_campaign``).
    advertised : DataFrame, optional
        Advertised product report: the destination must advertise the source's SKUs.
    ad_type : str
        The ad type harvested (:data:`AD_TYPES`): its prefix of :data:`HARVEST_ID_PREFIXES`
        starts the ``harvest_id`` (Sponsored Products "H001", Sponsored Brands "SB-H001"), so
        the IDs of one report are unique across ad types.

    Returns
    -------
    DataFrame
        harvest_id, role, campaign_name, ad_group_name, customer_search_term, target_type,
        the metric sums and ratios (of the best source on the destination row), suggested_bid
        [currency], campaign_exists, ad_group_exists, source_campaign_name,
        source_ad_group_name, decision_row, action, reason.
    """
    if not len(harvest):
        return harvest.assign(harvest_id=pd.Series(dtype="string"), role=pd.Series(
            dtype="string"), **{c: pd.Series(dtype="string") for c in ("decision_row", "action",
                                                                      "reason")})
    skus, names = _skus(advertised), set(zip(known["campaign_name"], known["ad_group_name"],
                                             strict=True))
    term = normalise_term(harvest["customer_search_term"])
    ordered = harvest.assign(_term=term).sort_values(["orders", "sales"], ascending=False,
                                                     kind="stable")
    # one harvest per term, numbered in order of its best source; vectorised (a large account
    # harvests thousands of terms): the destination is looked up once per source ad group
    number = pd.Series(pd.factorize(ordered["_term"])[0] + 1, index=ordered.index)
    tail = ordered.assign(source_campaign_name=ordered["campaign_name"],
                          source_ad_group_name=ordered["ad_group_name"], role="source_ad_group",
                          _number=number, _part=1, _position=np.arange(len(ordered)))
    head = tail[~number.duplicated().to_numpy()].copy()
    places = {key: _destination(*key, known, skus, campaign_template) for key in set(zip(
        head["campaign_name"].astype(str), head["ad_group_name"].astype(str), strict=True))}
    chosen = [places[(str(c), str(a))] for c, a in zip(head["campaign_name"],
                                                       head["ad_group_name"], strict=True)]
    head = head.astype({"campaign_name": object, "ad_group_name": object})
    head["campaign_name"] = [c for c, _ in chosen]
    head["ad_group_name"] = [a for _, a in chosen]
    head["role"], head["_part"] = "new_keyword", 0
    plan = (pd.concat([head, tail]).sort_values(["_number", "_part", "_position"])
            .reset_index(drop=True))
    prefix = HARVEST_ID_PREFIXES[ad_type]
    plan.insert(0, "harvest_id", [f"{prefix}{n:03d}" for n in plan["_number"]])
    plan = plan.drop(columns=["_term", "_number", "_part", "_position"])
    plan["campaign_exists"] = plan["campaign_name"].astype(str).isin(set(known["campaign_name"]))
    plan["ad_group_exists"] = [(c, a) in names for c, a in zip(
        plan["campaign_name"].astype(str), plan["ad_group_name"].astype(str), strict=True)]
    plan = pd.concat([plan, decide(plan[["role"]], "harvest")], axis=1)
    first = ["harvest_id", "role", "campaign_name", "ad_group_name", "customer_search_term"]
    return plan[first + [c for c in plan.columns if c not in first]]


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

def mine_negatives(search_terms, seed_cpc, *, min_probability_of_sale, freq,
                   protected_terms=None, harvested=None) -> pd.DataFrame:
    """Search terms some negation rule speaks about, each with the action of the decision table.

    A negative is proposed only where the term's own evidence says it is unlikely to convert:
    it has no order although, converting like its ad group (whose bids the bid rule steers to
    the target ACOS), its clicks would have brought a sale with probability
    ``p_sale_expected`` >= ``min_probability_of_sale``. The seed CPC rule alone never negates:
    where it fires and the evidence disagrees the action is ``rule_negates_evidence_keeps``.

    Parameters
    ----------
    search_terms : DataFrame
        Canonical search-term frame (daily ``date`` or ``start_date``) over the review window;
        an undated console export counts as one period for the seed rule.
    seed_cpc : float or dict
        Seed rule: CPC above this with no order in a week [currency]; a mapping
        currency -> threshold when several currencies are present (rule
        ``negative_keyword_cpc``).
    min_probability_of_sale : float
        Evidence threshold [fraction] (params ``ads.negative_min_probability_of_sale``).
    freq : str
        Period of the seed rule (``"W"``: Amazon's weeks, Sunday to Saturday; params
        ``ads.negative_seed_period``).
    protected_terms : callable or collection, optional
        Terms never to negate (e.g. own brand): a predicate on the normalised term Series or a
        collection of normalised terms.
    harvested : DataFrame, optional
        From :func:`harvest_terms`: in these (campaign, ad group, term) the negative comes with
        the harvest (row T1), never on its own.

    Returns
    -------
    DataFrame
        campaign_name, ad_group_name, customer_search_term, clicks, spend, orders, sales (whole
        window), cpc, ad_group_cvr [fraction], cvr_basis, p_sale_expected [fraction],
        min_probability_of_sale [fraction], seed_weeks [count], rule_fired ("seed_cpc",
        "conversion_evidence", "seed_cpc+conversion_evidence" or "" when neither),
        decision_row, action, reason (:data:`AD_ACTIONS`, unit "search_term"). Only rows
        where a rule fired; sorted by spend.
    """
    summary = summarise(search_terms)
    cvr, basis = _group_cvr(search_terms, summary)
    summary["ad_group_cvr"], summary["cvr_basis"] = cvr, basis
    summary["p_sale_expected"] = probability_of_sale(summary["clicks"], cvr)
    summary["min_probability_of_sale"] = float(min_probability_of_sale)
    keys = list(TERM_KEYS) + _apart(search_terms)
    summary = summary.merge(_seed_weeks(search_terms, seed_cpc, freq), on=keys, how="left")
    summary["seed_weeks"] = summary["seed_weeks"].fillna(0).astype("Int64")
    inputs = _term_inputs(search_terms, summary, protected_terms, harvested)
    fired_evidence = inputs["evidence"].eq("negate").to_numpy()
    fired_seed = inputs["seed_rule"].to_numpy()
    summary["rule_fired"] = np.select(
        [fired_seed & fired_evidence, fired_seed, fired_evidence],
        ["seed_cpc+conversion_evidence", "seed_cpc", "conversion_evidence"], "")
    summary = pd.concat([summary, decide(inputs, "search_term")], axis=1)
    listed = summary[(summary["rule_fired"] != "").to_numpy()]
    columns = keys + ["clicks", "spend", "orders", "sales", "cpc", "ad_group_cvr", "cvr_basis",
                      "p_sale_expected", "min_probability_of_sale", "seed_weeks", "rule_fired",
                      "decision_row", "action", "reason"]
    return listed[columns].sort_values("spend", ascending=False).reset_index(drop=True)


def _term_inputs(search_terms, summary, protected_terms, harvested) -> pd.DataFrame:
    """The decision-table inputs of each (campaign, ad group, term) of ``summary``."""
    converted = as_float(summary["orders"]).fillna(0.0).gt(0)
    probability = summary["p_sale_expected"]
    evidence = np.select([converted.to_numpy(), probability.isna().to_numpy(),
                          (probability >= summary["min_probability_of_sale"]).to_numpy()],
                         ["keep", "unknown", "negate"], "keep")
    branded = (_protected(summary["customer_search_term"], protected_terms)
               if protected_terms is not None else pd.Series(False, index=summary.index))
    return pd.DataFrame({
        "harvested": _in_table(summary, harvested), "branded": branded.to_numpy(),
        "converted": converted.to_numpy(), "seed_rule": summary["seed_weeks"].gt(0).to_numpy(),
        "evidence": evidence, "own_keyword": _is_own_keyword(search_terms, summary).to_numpy()},
        index=summary.index)


def _in_table(summary, table) -> np.ndarray:
    """True where (campaign, ad group, normalised term) of ``summary`` is a row of ``table``."""
    if table is None or not len(table):
        return np.zeros(len(summary), dtype=bool)

    def key(frame):
        return (frame["campaign_name"].astype(str) + "\x1f" + frame["ad_group_name"].astype(str)
                + "\x1f" + normalise_term(frame["customer_search_term"]).astype(str))
    return key(summary).isin(set(key(table))).to_numpy()


def _is_own_keyword(frame, table) -> pd.Series:
    """True where a row of ``table`` has one of its ad group's own keywords (any match type)
    as search term: a negative exact there would switch the keyword's own query off."""
    manual = ~is_auto_target(frame)
    keys = ["campaign_name", "ad_group_name", "_key"]
    own = pd.DataFrame({"campaign_name": frame.loc[manual, "campaign_name"].astype("string"),
                        "ad_group_name": frame.loc[manual, "ad_group_name"].astype("string"),
                        "_key": normalise_term(frame.loc[manual, "targeting"])}
                       ).drop_duplicates().assign(_own=True)
    probe = pd.DataFrame({"campaign_name": table["campaign_name"].astype("string"),
                          "ad_group_name": table["ad_group_name"].astype("string"),
                          "_key": normalise_term(table["customer_search_term"])})
    found = probe.merge(own, on=keys, how="left")["_own"].fillna(False).astype(bool)
    return pd.Series(found.to_numpy(), index=table.index)


def _seed_weeks(search_terms, seed_cpc, freq):
    """Number of periods in which each term's CPC exceeded ``seed_cpc`` without an order."""
    from opsanalysis.frames import period_start

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

def suggest_bids(targets, target_acos, *, min_clicks, min_step, max_step, min_bid, max_bid,
                 tolerance_band) -> pd.DataFrame:
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
        Clicks needed before acting [count] (params ``ads.min_clicks_for_bid_change``).
    min_step, max_step : float
        Relative changes below ``min_step`` are not worth making; larger ones are capped at
        ``max_step`` per review [fraction] (rule ``bid_step``).
    min_bid, max_bid : float or dict
        Bounds of any bid [currency]; mappings currency -> value when several currencies
        (params ``ads.bid_min``, ``ads.bid_max``).
    tolerance_band : float
        No change while the target's ACOS is within target +/- this band [fraction] (params
        ``ads.tolerance_band``; 0 acts on any difference).

    Returns
    -------
    DataFrame
        campaign_name, ad_group_name, targeting, match_type, clicks, spend, sales, orders,
        revenue_per_click [currency], current_bid, bid_basis ("bid" | "cpc"), target_bid,
        suggested_bid [currency], change [fraction], decision_row, action ("raise", "lower",
        "hold", "wait_for_clicks") and reason (:data:`AD_ACTIONS`, unit "bid").
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
    inputs = pd.DataFrame({
        "enough_clicks": enough.to_numpy(),
        "within_band": ((table["acos"] - target_acos).abs() <= tolerance_band).fillna(
            False).to_numpy(),
        "step_too_small": (wanted.abs() < min_step).fillna(False).to_numpy(),
        "at_bound": table["change"].abs().lt(1e-9).fillna(True).to_numpy(),
        "direction": np.where(table["change"] > 0, "up", "down")}, index=table.index)
    table = pd.concat([table, decide(inputs, "bid")], axis=1)
    return table.sort_values("spend", ascending=False).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# n-grams, brand split, structure
# --------------------------------------------------------------------------------------------

def ngrams(text: str, sizes) -> list:
    """Distinct word n-grams of ``text`` (``sizes`` in words), in first-seen order."""
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


def ngram_waste(search_terms, *, sizes, min_terms) -> pd.DataFrame:
    """Spend and results per word n-gram across all search terms.

    A word that appears in many terms that never convert is a candidate negative phrase.

    Parameters
    ----------
    search_terms : DataFrame
        Canonical search-term frame.
    sizes : sequence of int
        N-gram lengths [words] (params ``ads.ngram_max``: 1 to that length).
    min_terms : int
        Keep n-grams found in at least this many distinct terms [count] (params
        ``ads.ngram_min_terms``).

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


def audit_structure(targets, *, max_ad_groups, negatives=None) -> pd.DataFrame:
    """Structure findings: crowded campaigns, duplicate keywords, auto campaigns unguarded.

    Parameters
    ----------
    targets : DataFrame
        Search-term or targeting frame (campaign_name, ad_group_name, targeting, match_type).
    max_ad_groups : int
        Most ad groups a campaign should hold [count] (rule ``ad_groups_per_campaign``).
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

#: Columns of the bulk draft that hold numbers (money or percentages), never text.
BULK_NUMBERS = ("Daily Budget", "Ad Group Default Bid", "Bid", "Percentage")
#: Display kinds of the numbers (``opsanalysis.formats.KINDS``): Amazon's headers are not the
#: package's canonical names, and its ``Percentage`` is percent points (50), not a fraction.
BULK_KINDS = {"Daily Budget": "money", "Ad Group Default Bid": "money", "Bid": "money",
              "Percentage": "number"}


def _bulk_rows(frame, entity, operation, campaign, ad_group, **fields) -> pd.DataFrame:
    return pd.DataFrame({"Product": "Sponsored Products", "Entity": entity,
                         "Operation": operation, "Campaign Name": campaign,
                         "Ad Group Name": ad_group, "State": "enabled", **fields},
                        index=frame.index)


def _target_entity(texts: pd.Series, entity_keyword, entity_product):
    is_asin = normalise_term(texts).str.fullmatch(_ASIN.pattern).fillna(False).to_numpy()
    entity = np.where(is_asin, entity_product, entity_keyword)
    expression = np.where(is_asin, 'asin="' + texts.astype(str).str.upper() + '"', "")
    keyword = np.where(is_asin, "", texts.astype(str))
    return entity, keyword, expression


def _campaign_settings(campaigns) -> pd.DataFrame:
    """Latest daily budget and bidding strategy of each campaign of the Campaign report."""
    columns = [c for c in ("budget", "bidding_strategy") if campaigns is not None and c in campaigns]
    if not columns:
        return pd.DataFrame(columns=["budget", "bidding_strategy"])
    dated = campaigns.sort_values(date_column(campaigns)) if _has_date(campaigns) else campaigns
    return dated.groupby("campaign_name", observed=True)[columns].last().reindex(
        columns=["budget", "bidding_strategy"])


def _has_date(frame) -> bool:
    try:
        date_column(frame)
    except KeyError:
        return False
    return True


def _created_entities(plan, campaigns, advertised, start_date) -> list:
    """Campaign, Ad Group and Product Ad rows for the harvest destinations that do not exist.

    A new entity's ID column holds its name, the temporary ID its children refer to."""
    destination = plan[plan["role"] == "new_keyword"]
    settings, skus, parts = _campaign_settings(campaigns), _skus(advertised), []
    new_campaigns = destination[~destination["campaign_exists"]].drop_duplicates("campaign_name")
    if len(new_campaigns):
        source = settings.reindex(new_campaigns["source_campaign_name"].astype(str))
        parts.append(_bulk_rows(new_campaigns, "Campaign", "Create",
                                new_campaigns["campaign_name"], "", **{
                                    "Campaign ID": new_campaigns["campaign_name"],
                                    "Targeting Type": "Manual", "Start Date": start_date,
                                    "Daily Budget": source["budget"].to_numpy(dtype=float),
                                    "Bidding Strategy": source["bidding_strategy"].to_numpy()}))
    new_groups = destination[~destination["ad_group_exists"]].drop_duplicates(
        ["campaign_name", "ad_group_name"])
    if len(new_groups):
        parts.append(_bulk_rows(new_groups, "Ad Group", "Create", new_groups["campaign_name"],
                                new_groups["ad_group_name"], **{
                                    "Ad Group ID": new_groups["ad_group_name"],
                                    "Ad Group Default Bid": new_groups["suggested_bid"]}))
        ads = [(row.Index, sku) for row in new_groups.itertuples()
               for sku in skus.get((row.source_campaign_name, row.source_ad_group_name), ())]
        if ads:
            rows = new_groups.loc[[i for i, _ in ads]].reset_index(drop=True)
            parts.append(_bulk_rows(rows, "Product Ad", "Create", rows["campaign_name"],
                                    rows["ad_group_name"], SKU=[s for _, s in ads]))
    return parts


def bulk_sheet_draft(harvest=None, negatives=None, bids=None, *, known=None, campaigns=None,
                     advertised=None, start_date="", entities=None) -> pd.DataFrame:
    """Rows shaped like Amazon's Sponsored Products bulk-operations sheet, for review.

    The columns are those of the Sponsored Products sheet ("Sponsored Products Campaigns") of
    Amazon Ads bulksheets 2.0, in the template's order (:data:`BULK_COLUMNS`): one row per
    entity, ``Entity`` naming it (Campaign, Ad Group, Product Ad, Keyword, Negative Keyword,
    Product Targeting, Negative Product Targeting) and ``Operation`` what an upload does
    (Create, Update); IDs identify existing entities, and a new entity's ID column holds a
    temporary ID (its name) that its children repeat. Columns and rules as documented by Amazon
    Ads (advertising.amazon.com, Bulk operations help) and summarised in
    https://bulksheetpro.com/learn/anatomy-of-a-bulk-sheet/ and
    https://www.scaleleap.com/blog/amazon-advertising-bulk-operations-ultimate-guide
    (checked 2026-12-02).

    Nothing here is uploaded. Every row refers to a campaign and ad group of the reports or to
    one the same draft creates (Entity Campaign / Ad Group / Product Ad, Operation Create).
    Search-term reports carry names, not IDs: ID columns of existing entities are filled where
    a report had them (``known``) or a bulk download lists them (``entities``, which also gives
    the Keyword ID / Product Targeting ID a bid update needs); other IDs come from the account's
    own bulk download before upload.

    Parameters
    ----------
    harvest : DataFrame, optional
        From :func:`plan_harvest`: the exact keyword (or ASIN product target) at each
        destination and the negative exact in each source ad group.
    negatives : DataFrame, optional
        From :func:`mine_negatives`: negative exact rows (actions :data:`NEGATING_ACTIONS`).
    bids : DataFrame, optional
        From :func:`suggest_bids`: bid updates (only actions ``raise``/``lower``).
    known : DataFrame, optional
        From :func:`known_ad_groups`: IDs of existing campaigns and ad groups.
    campaigns : DataFrame, optional
        Campaign report: budget and bidding strategy of a new campaign are its source's.
    advertised : DataFrame, optional
        Advertised product report: the SKUs of a new ad group's Product Ad rows.
    start_date : str
        Start Date of new campaigns (YYYYMMDD, the template's date format).
    entities : DataFrame, optional
        A bulk download's Sponsored Products sheet (canonical ``bulk_sp_campaigns``): campaign,
        ad group, keyword and product targeting IDs by name, keyword text and match type.

    Returns
    -------
    DataFrame
        Columns :data:`BULK_COLUMNS`; :data:`BULK_NUMBERS` as numbers [currency], others text
        (the template's IDs and YYYYMMDD dates are text). ``attrs["column_kinds"]`` tells the
        workbook export the kinds of Amazon's headers (money; ``Percentage`` is a plain number
        of percent, 50 = +50 %).
    """
    parts = []
    if harvest is not None and len(harvest):
        parts.extend(_created_entities(harvest, campaigns, advertised, start_date))
        parts.extend(_harvest_rows(harvest))
    if negatives is not None and len(negatives):
        parts.append(_negative_rows(negatives[negatives["action"].isin(NEGATING_ACTIONS)]))
    if bids is not None and len(bids):
        parts.append(_bid_rows(bids[bids["action"].isin(["raise", "lower"])]))
    parts = [p for p in parts if len(p)]
    draft = (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()).reindex(
        columns=list(BULK_COLUMNS))
    draft = _fill_target_ids(_fill_ids(draft, _with_entities(known, entities)), entities)
    text = [c for c in BULK_COLUMNS if c not in BULK_NUMBERS]
    draft = draft.astype({**dict.fromkeys(text, "string"),
                          **dict.fromkeys(BULK_NUMBERS, "float64")}).fillna(dict.fromkeys(text, ""))
    draft.attrs["column_kinds"] = dict(BULK_KINDS)
    return draft


def _harvest_rows(plan) -> list:
    destination, source = plan[plan["role"] == "new_keyword"], plan[plan["role"] == "source_ad_group"]
    entity, keyword, expression = _target_entity(destination["customer_search_term"], "Keyword",
                                                 "Product Targeting")
    new_campaign, new_group = ~destination["campaign_exists"], ~destination["ad_group_exists"]
    created = _bulk_rows(destination, entity, "Create", destination["campaign_name"],
                         destination["ad_group_name"], **{
                             "Campaign ID": destination["campaign_name"].where(new_campaign),
                             "Ad Group ID": destination["ad_group_name"].where(new_group),
                             "Bid": round_money(destination["suggested_bid"], destination),
                             "Keyword Text": keyword,
                             "Match Type": np.where(entity == "Keyword", "exact", ""),
                             "Product Targeting Expression": expression})
    return [created, _negative_rows(source)]


def _bid_rows(changed) -> pd.DataFrame:
    auto = changed["targeting"].astype(str).str.casefold().isin(AUTO_TARGETS)
    entity, keyword, expression = _target_entity(changed["targeting"], "Keyword",
                                                 "Product Targeting")
    entity = np.where(auto, "Product Targeting", entity)
    return _bulk_rows(changed, entity, "Update", changed["campaign_name"],
                      changed["ad_group_name"], **{
                          "Bid": round_money(changed["suggested_bid"], changed),
                          "Keyword Text": np.where(auto, "", keyword),
                          "Match Type": np.where(entity == "Keyword", changed[
                              "match_type"].astype(str).str.casefold(), ""),
                          "Product Targeting Expression": np.where(
                              auto, changed["targeting"].astype(str), expression)})


def _negative_rows(table) -> pd.DataFrame:
    entity, keyword, expression = _target_entity(table["customer_search_term"],
                                                 "Negative Keyword",
                                                 "Negative Product Targeting")
    return _bulk_rows(table, entity, "Create", table["campaign_name"], table["ad_group_name"],
                      **{"Keyword Text": keyword,
                         "Match Type": np.where(entity == "Negative Keyword", "negativeExact",
                                                ""),
                         "Product Targeting Expression": expression})


def _fill_ids(draft, known) -> pd.DataFrame:
    """Campaign ID / Ad Group ID of existing entities where a report carried them."""
    if known is None or not len(draft):
        return draft
    by_campaign = known.dropna(subset=["campaign_id"]).drop_duplicates("campaign_name")
    campaign_ids = dict(zip(by_campaign["campaign_name"], by_campaign["campaign_id"], strict=True))
    group_ids = {(c, a): i for c, a, i in zip(known["campaign_name"], known["ad_group_name"],
                                              known["ad_group_id"], strict=True) if pd.notna(i)}
    draft = draft.astype({"Campaign ID": object, "Ad Group ID": object})
    empty = draft["Campaign ID"].isna()
    draft.loc[empty, "Campaign ID"] = draft.loc[empty, "Campaign Name"].map(campaign_ids)
    empty = draft["Ad Group ID"].isna()
    draft.loc[empty, "Ad Group ID"] = [group_ids.get((c, a)) for c, a in zip(
        draft.loc[empty, "Campaign Name"], draft.loc[empty, "Ad Group Name"], strict=True)]
    return draft


def _with_entities(known, entities):
    """``known`` plus the campaign and ad group IDs of a bulk download."""
    if entities is None or not len(entities):
        return known
    listed = known_ad_groups(entities.dropna(subset=["ad_group_name"])
                             if "ad_group_name" in entities else entities)
    return listed if known is None else pd.concat([known, listed], ignore_index=True)


def _fill_target_ids(draft, entities) -> pd.DataFrame:
    """Keyword ID / Product Targeting ID of the keywords and targets a bid update names, from a
    bulk download (an Update row without its ID does not upload)."""
    if entities is None or not len(draft) or "entity" not in entities:
        return draft
    draft = draft.astype({"Keyword ID": object, "Product Targeting ID": object})
    for entity, id_column, text_columns in (
            ("Keyword", "keyword_id", ("keyword_text", "match_type")),
            ("Product Targeting", "product_targeting_id", ("product_targeting_expression",))):
        if id_column not in entities or not set(text_columns) <= set(entities.columns):
            continue
        rows = entities[entities["entity"].astype(str) == entity].dropna(subset=[id_column])
        ids = dict(zip(_target_key(rows, ("campaign_name", "ad_group_name", *text_columns)),
                       rows[id_column].astype(str), strict=True))
        columns = {"keyword_text": "Keyword Text", "match_type": "Match Type",
                   "product_targeting_expression": "Product Targeting Expression",
                   "campaign_name": "Campaign Name", "ad_group_name": "Ad Group Name"}
        wanted = draft["Entity"].eq(entity) & draft["Operation"].eq("Update")
        keys = _target_key(draft[wanted].rename(columns={v: k for k, v in columns.items()}),
                           ("campaign_name", "ad_group_name", *text_columns))
        target = {"keyword_id": "Keyword ID", "product_targeting_id": "Product Targeting ID"}
        draft.loc[wanted, target[id_column]] = [ids.get(key) for key in keys]
    return draft


def _target_key(frame, columns) -> list:
    """Case-insensitive (campaign, ad group, text ...) keys of a frame's rows."""
    return list(zip(*(frame[c].astype(str).str.strip().str.casefold() for c in columns),
                    strict=True)) if len(frame) else []


def missing_references(draft, known) -> pd.DataFrame:
    """Rows of a bulk draft naming a campaign or ad group that is neither in the reports
    (``known``, from :func:`known_ad_groups`) nor created by the draft itself (empty = sound)."""
    created = draft[draft["Operation"] == "Create"]
    campaigns = set(known["campaign_name"]) | set(
        created.loc[created["Entity"] == "Campaign", "Campaign Name"])
    groups = set(zip(known["campaign_name"], known["ad_group_name"], strict=True)) | set(zip(
        created.loc[created["Entity"] == "Ad Group", "Campaign Name"],
        created.loc[created["Entity"] == "Ad Group", "Ad Group Name"], strict=True))
    needs_group = ~draft["Entity"].isin(["Campaign"])
    bad = ~draft["Campaign Name"].isin(campaigns) | (needs_group & ~pd.Series(
        [(c, a) in groups for c, a in zip(draft["Campaign Name"], draft["Ad Group Name"],
                                          strict=True)], index=draft.index))
    return draft[bad.to_numpy()]


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


def bid_settings(params: dict) -> dict:
    """Keywords of :func:`suggest_bids` from loaded params (``ads`` and the rule ``bid_step``).

    Returns
    -------
    dict
        ``min_clicks``, ``min_step``, ``max_step``, ``min_bid``, ``max_bid``,
        ``tolerance_band``.
    """
    settings, step = params["ads"], params["rules"]["bid_step"]
    return {"min_clicks": settings["min_clicks_for_bid_change"], "min_step": step["min"],
            "max_step": step["max"], "min_bid": settings["bid_min"],
            "max_bid": settings["bid_max"], "tolerance_band": settings["tolerance_band"]}

def negative_settings(params: dict) -> dict:
    """Keywords of :func:`mine_negatives` from loaded params (``ads`` and the rule
    ``negative_keyword_cpc``): ``seed_cpc``, ``min_probability_of_sale``, ``freq``."""
    settings = params["ads"]
    return {"seed_cpc": params["rules"]["negative_keyword_cpc"]["value"],
            "min_probability_of_sale": settings["negative_min_probability_of_sale"],
            "freq": settings["negative_seed_period"]}


def analyse(search_terms, params, products=None, keywords=None, negatives=None, *,
            campaigns=None, advertised=None) -> dict:
    """The whole Sponsored Products review of one marketplace.

    Parameters
    ----------
    search_terms : DataFrame
        Canonical search-term frame (one marketplace, one currency, one attribution window).
    params : dict
        ``opsanalysis.params.load(mp)``: uses the ``ads`` section and the rules ``acos``,
        ``harvest_min_orders``, ``negative_keyword_cpc``, ``bid_step`` and
        ``ad_groups_per_campaign``.
    products : DataFrame, optional
        Product master: brand names protect branded terms from negation and split the spend.
    keywords : DataFrame, optional
        Targeting report: bids are suggested per keyword from it when given (else per target
        in the search-term frame), and its exact keywords count as existing for harvesting.
    negatives : DataFrame, optional
        Existing negative keywords, for the structure audit.
    campaigns : DataFrame, optional
        Campaign report: campaigns that exist, and budget / bidding strategy of new ones.
    advertised : DataFrame, optional
        Advertised product report: harvested keywords go to an exact ad group of the same SKUs.

    Returns
    -------
    dict of str to DataFrame
        ``harvest`` (:func:`plan_harvest`), ``negatives``, ``bids``, ``ngrams``, ``structure``,
        ``branded_split`` and ``bulk_draft``.

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
    harvest = harvest_terms(search_terms, goal, min_orders=rules["harvest_min_orders"]["value"],
                            keywords=keywords)
    known = known_ad_groups(search_terms, keywords, advertised, campaigns)
    plan = plan_harvest(harvest, known, campaign_template=settings["harvest_campaign"],
                        advertised=advertised)
    negatives_table = mine_negatives(
        search_terms, **negative_settings(params), harvested=harvest,
        protected_terms=(lambda t: is_branded(t, brands)) if brands else None)
    bids = suggest_bids(keywords if keywords is not None else search_terms, goal,
                        **bid_settings(params))
    sizes = tuple(range(1, int(settings["ngram_max"]) + 1))
    return {
        "harvest": plan,
        "negatives": negatives_table,
        "bids": bids,
        "ngrams": ngram_waste(search_terms, sizes=sizes, min_terms=settings["ngram_min_terms"]),
        "structure": audit_structure(search_terms,
                                     max_ad_groups=rules["ad_groups_per_campaign"]["value"],
                                     negatives=negatives),
        "branded_split": branded_split(search_terms, brands),
        "bulk_draft": bulk_sheet_draft(plan, negatives_table, bids, known=known,
                                       campaigns=campaigns, advertised=advertised,
                                       start_date=_day_after(search_terms)),
    }


def _day_after(frame) -> str:
    """The day after the last day of the reports (YYYYMMDD): new campaigns start then."""
    for column in ("end_date", "date", "start_date"):
        if column in frame and frame[column].notna().any():
            return f"{pd.Timestamp(frame[column].max()) + pd.Timedelta(days=1):%Y%m%d}"
    return ""


# --------------------------------------------------------------------------------------------
# Sponsored Brands and Sponsored Display; ad types; budget capping
# --------------------------------------------------------------------------------------------

#: The campaign report of each ad type (all three carry the daily ``budget`` column).
CAMPAIGN_KINDS = {"sponsored_products": "sp_campaign", "sponsored_brands": "sb_campaign",
                  "sponsored_display": "sd_campaign"}

#: What each ad type's reports allow (Amazon Ads help and API v3, 2026-12): SB search terms
#: can be harvested and negated (SB keywords take exact and negative exact), SB keywords and
#: SD targets take bids; SD has no search-term report, so neither harvest nor negation.
AD_TYPE_ACTIONS = {"sponsored_brands": ("harvest", "negatives", "bids"),
                   "sponsored_display": ("bids",)}

def _with_columns(frame, **defaults) -> pd.DataFrame:
    missing = {c: v for c, v in defaults.items() if c not in frame}
    return frame.assign(**missing) if missing else frame


def analyse_ad_types(data, params) -> dict:
    """Harvest, negatives and bids of Sponsored Brands and Sponsored Display.

    Clicks-only attribution throughout (:func:`clicks_only`): a bid buys clicks, and the
    Display views-and-clicks sales are never added to them. Actions and reasons come from the
    same decision table as Sponsored Products (:data:`AD_ACTIONS`): SB search terms are
    harvested (:func:`plan_harvest`) and negated (:func:`mine_negatives`); SB keywords and SD
    targets get bids (:func:`suggest_bids`, unit "bid"; an SD target has no match type: "-").
    No bulk draft: Amazon's SB and SD bulk sheets are other templates.

    Parameters
    ----------
    data : mapping of str to DataFrame
        Frames by kind, already cut to the review window (``data.get(kind)``):
        ``sb_search_term``, ``sb_keyword``, ``sd_targeting``, ``product_master``.
    params : dict
        ``opsanalysis.params.load(mp)`` (as :func:`analyse`).

    Returns
    -------
    dict of str to DataFrame
        ``sb_harvest``, ``sb_negatives``, ``sb_bids``, ``sd_bids`` -- those whose reports were
        given -- each with an ``ad_type`` column.
    """
    settings, rules = params["ads"], params["rules"]
    goal = target_acos(params)
    tables = {}
    terms, keywords = data.get("sb_search_term"), data.get("sb_keyword")
    if keywords is not None and len(keywords):
        keywords = _with_columns(clicks_only(keywords), ad_group_name=UNNAMED)
    if terms is not None and len(terms):
        for column in KEEP_APART:
            if column in terms and terms[column].nunique(dropna=True) > 1:
                raise ValueError(f"sb_search_term mixes several {column} values")
        terms = _compact(_complete(clicks_only(terms)))
        products = data.get("product_master")
        brands = sorted(set(brand_names(products) if products is not None else [])
                        | set(settings.get("branded_terms") or []))
        harvest = harvest_terms(terms, goal, min_orders=rules["harvest_min_orders"]["value"],
                                keywords=keywords)
        known = known_ad_groups(terms, keywords)
        tables["sb_harvest"] = plan_harvest(harvest, known,
                                            campaign_template=settings["harvest_campaign"],
                                            ad_type="sponsored_brands")
        tables["sb_negatives"] = mine_negatives(
            terms, **negative_settings(params), harvested=harvest,
            protected_terms=(lambda t: is_branded(t, brands)) if brands else None)
    if keywords is not None and len(keywords):
        tables["sb_bids"] = suggest_bids(_with_columns(keywords, match_type="-"), goal,
                                         **bid_settings(params))
    targets = data.get("sd_targeting")
    if targets is not None and len(targets):
        targets = _with_columns(clicks_only(targets), ad_group_name=UNNAMED, match_type="-")
        tables["sd_bids"] = suggest_bids(targets, goal, **bid_settings(params))
    ad_type = {"sb": "sponsored_brands", "sd": "sponsored_display"}
    return {name: table.assign(ad_type=ad_type[name[:2]]) for name, table in tables.items()}


def campaign_days(campaigns) -> pd.DataFrame:
    """Daily spend against daily budget of every campaign, all ad types.

    Parameters
    ----------
    campaigns : sequence of DataFrame
        Daily campaign reports (``sp_campaign``, ``sb_campaign``, ``sd_campaign``: ``date``,
        ``campaign_name``, ``spend``, ``budget``; summary reports without ``date`` cannot show
        a day and are left out).

    Returns
    -------
    DataFrame
        ad_type, campaign_name, currency, date, budget, spend [currency], sales [currency,
        clicks-only, :func:`clicks_only`; NaN where not estimated], one row per campaign-day.
    """
    parts = []
    for frame in campaigns:
        if frame is None or not len(frame) or "date" not in frame:
            continue
        clicks = clicks_only(frame)
        parts.append(pd.DataFrame({
            "ad_type": ad_type_of(frame), "campaign_name": frame["campaign_name"].astype(str),
            "currency": frame["currency"].astype("string") if "currency" in frame else pd.NA,
            "date": pd.to_datetime(frame["date"]).dt.normalize(),
            "budget": as_float(frame["budget"]) if "budget" in frame else np.nan,
            "spend": as_float(frame["spend"]),
            "sales": as_float(clicks["sales"]) if "sales" in clicks else np.nan}))
    columns = ["ad_type", "campaign_name", "currency", "date", "budget", "spend", "sales"]
    if not parts:
        return pd.DataFrame(columns=columns)
    days = pd.concat(parts, ignore_index=True)
    days["date"] = days["date"].dt.tz_localize(None) if getattr(days["date"].dt, "tz", None) \
        else days["date"]
    keys = ["ad_type", "campaign_name", "currency", "date"]
    return days.groupby(keys, dropna=False, sort=True).agg(
        budget=("budget", "max"), spend=("spend", "sum"),
        sales=("sales", lambda s: s.sum(min_count=1))).reset_index()[columns]


def budget_capping(days, capped_share, target_acos) -> pd.DataFrame:
    """Campaigns capped by their daily budget and the sales they likely missed.

    A campaign-day is capped when spend >= ``capped_share`` x the daily budget. The sales
    missed on capped days are estimated as follows (not measured: Amazon's reports do not say
    at what hour a campaign ran out of budget):

    1. Demand index of each day: the spend that day of the campaigns never capped in the
       window -- of the same ad type (same placements and shoppers) where there is one, else
       of any ad type, same currency -- divided by their mean daily spend (1 on every day when
       there is no such campaign). It carries the day-of-week and seasonal swings the capped
       campaign would have followed.
    2. Spend the campaign would have had on a capped day = its mean spend on its uncapped
       days x (the day's index / the mean index of its uncapped days), and at least what it
       spent.
    3. Missed sales = (would-have spend - spend) x the campaign's clicks-only sales per unit
       of spend on its uncapped days (constant returns: the extra clicks convert as the
       uncapped days' did).

    The estimate leans low: a campaign's uncapped days are also the days its own demand was
    low, which the shared index cannot see (on the sample world it finds 45-95 % of the
    planted loss); it leans high when the last clicks of a day convert worse than the rest.

    Without an uncapped day (or without clicks-only sales) the missed sales are NaN: not
    estimated. A campaign without a daily budget (blank or 0 in every row) is flagged.
    Each campaign gets one action and reason from :data:`AD_ACTIONS` (unit "budget").

    Parameters
    ----------
    days : DataFrame
        :func:`campaign_days`.
    capped_share : float
        Share of the daily budget that counts as capped [fraction] (params
        ``ads.budget_capped_share``).
    target_acos : float
        [fraction] (:func:`target_acos`): a capped campaign within it should get more budget,
        one above it lower bids first.

    Returns
    -------
    DataFrame
        ad_type, campaign_name, currency, budget (latest) [currency], days, capped_days
        [count], capped_share [fraction], spend, sales [currency], acos [fraction],
        sales_per_spend_uncapped [ratio], missed_spend, missed_sales [currency; NaN = not
        estimated], has_budget, capped, has_sales, within_target, decision_row, action, reason; campaigns
        with the most missed sales first.
    """
    columns = ["ad_type", "campaign_name", "currency", "budget", "days", "capped_days",
               "capped_share", "spend", "sales", "acos", "sales_per_spend_uncapped",
               "missed_spend", "missed_sales", "has_budget", "capped", "has_sales", "within_target",
               "decision_row", "action", "reason"]
    if days is None or not len(days):
        return pd.DataFrame(columns=columns)
    keys = ["ad_type", "campaign_name", "currency"]
    work = days.copy()
    work["currency"] = work["currency"].astype(object).where(work["currency"].notna(), "")
    work["is_capped"] = (work["budget"] > 0) & (work["spend"] >= capped_share * work["budget"])
    ever = work.groupby(keys, sort=False)["is_capped"].transform("any")
    work["index"] = 1.0
    for scope in (["currency"], ["currency", "ad_type"]):  # the narrower scope wins
        reference = work[~ever].groupby([*scope, "date"])["spend"].sum()
        level = reference.groupby(level=scope).transform("mean")
        index = (reference / level).where(level > 0).rename("_index").reset_index()
        found = work[[*scope, "date"]].merge(index, on=[*scope, "date"], how="left")["_index"]
        work["index"] = found.fillna(work["index"]).to_numpy()
    rows = []
    for key, group in work.groupby(keys, sort=False):
        capped, free = group[group["is_capped"]], group[~group["is_capped"]]
        free_spend = float(free["spend"].sum())
        per_spend = (float(free["sales"].sum(min_count=1)) / free_spend
                     if len(free) and free_spend > 0 else np.nan)
        if len(capped) and len(free) and free["index"].mean() > 0:
            would = (free["spend"].mean() * capped["index"] / free["index"].mean()).clip(
                lower=capped["spend"])
            missed_spend = float((would - capped["spend"]).sum())
        else:
            missed_spend = 0.0 if not len(capped) else np.nan
        budgets = group.loc[group["budget"] > 0].sort_values("date")["budget"]
        spend, sales = float(group["spend"].sum()), float(group["sales"].sum(min_count=1))
        rows.append({**dict(zip(keys, key, strict=True)),
                     "budget": float(budgets.iloc[-1]) if len(budgets) else np.nan,
                     "days": len(group), "capped_days": len(capped),
                     "capped_share": len(capped) / len(group), "spend": spend, "sales": sales,
                     "acos": spend / sales if sales > 0 else np.nan,
                     "sales_per_spend_uncapped": per_spend, "missed_spend": missed_spend,
                     "missed_sales": (0.0 if not len(capped) else missed_spend * per_spend),
                     "has_budget": bool(len(budgets))})
    table = pd.DataFrame(rows)
    table["capped"] = table["capped_days"] > 0
    table["has_sales"] = table["sales"] > 0
    table["within_target"] = (table["acos"] <= target_acos).fillna(False)
    table = pd.concat([table, decide(table[["has_budget", "capped", "has_sales", "within_target"]],
                                     "budget")], axis=1)
    table["currency"] = table["currency"].replace("", pd.NA)
    order = table["missed_sales"].fillna(np.inf).where(table["capped"], -1.0)
    return (table.assign(_order=order).sort_values(["_order", "capped_days"], ascending=False,
                                                   kind="stable")
            .drop(columns="_order").reset_index(drop=True)[columns])


def measure_budget_capping(days, capped_share, start, end) -> pd.DataFrame | None:
    """The scorecard's ``budget_capped_days`` figure: capped campaign-days / campaign-days.

    Parameters
    ----------
    days : DataFrame or None
        :func:`campaign_days` (all ad types); None when no campaign report was read.
    capped_share : float
        [fraction] (params ``ads.budget_capped_share``).
    start, end : date-like
        The scorecard window (inclusive days).

    Returns
    -------
    DataFrame or None
        One row: numerator (campaign-days at or above ``capped_share`` of the budget) [count],
        denominator (campaign-days with a daily budget) [count], value [fraction].
        None when no campaign-day with a budget falls in the window (not estimated).
    """
    return budget_capped_days(days, capped_share, start, end)

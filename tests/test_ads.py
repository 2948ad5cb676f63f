"""Known-answer tests for opsanalysis.ads: each rule on a small synthetic search-term frame."""

import math

import numpy as np
import pandas as pd
import pytest

from opsanalysis import ads
from opsanalysis import params as params_module

# every setting from the params (params/defaults.yaml is their only home)
US = params_module.load("US")
BIDS = ads.bid_settings(US)
CAMPAIGN = US["ads"]["harvest_campaign"]


def rows(*records, date="2026-10-05", currency="USD", attribution_days=7):
    """Search-term rows: (campaign, ad group, targeting, match, term, clicks, spend, orders, sales)."""
    frame = pd.DataFrame(records, columns=["campaign_name", "ad_group_name", "targeting",
                                           "match_type", "customer_search_term", "clicks",
                                           "spend", "orders", "sales"])
    frame.insert(0, "date", pd.Timestamp(date))
    frame["impressions"] = pd.array(frame["clicks"] * 20, dtype="Int64")
    frame["clicks"] = pd.array(frame["clicks"], dtype="Int64")
    frame["orders"] = pd.array(frame["orders"], dtype="Int64")
    frame["currency"] = currency
    frame["attribution_days"] = pd.array([attribution_days] * len(frame), dtype="Int64")
    return frame


@pytest.fixture
def terms():
    week1 = rows(
        # converting term in the auto campaign: harvest (2 orders, ACOS 0.1)
        ("Auto", "ag-auto", "*", "-", "blue yoga mat", 10, 6.0, 2, 60.0),
        # already an exact keyword elsewhere: not harvested, and the auto campaign leaks to it
        ("Auto", "ag-auto", "*", "-", "yoga mat", 10, 5.0, 2, 60.0),
        ("Manual", "ag-exact", "yoga mat", "EXACT", "yoga mat", 40, 20.0, 8, 240.0),
        # one order only: below min_orders
        ("Auto", "ag-auto", "*", "-", "cork yoga mat", 5, 3.0, 1, 30.0),
        # converting but too expensive (ACOS 0.5)
        ("Manual", "ag-broad", "mat", "BROAD", "gym mat", 20, 30.0, 2, 60.0),
        # expensive clicks, no order this week: seed rule fires
        ("Manual", "ag-broad", "mat", "BROAD", "mat cleaner", 3, 4.5, 0, 0.0),
        # many cheap clicks, no order: conversion evidence fires
        ("Manual", "ag-broad", "mat", "BROAD", "free mat", 30, 9.0, 0, 0.0),
        # own brand: protected from negation
        ("Manual", "ag-broad", "mat", "BROAD", "acme mat", 30, 9.0, 0, 0.0),
        # ASIN search term converting
        ("Auto", "ag-auto", "*", "-", "b0abcdefgh", 6, 3.0, 2, 50.0),
    )
    week2 = rows(("Manual", "ag-broad", "mat", "BROAD", "mat cleaner", 2, 1.0, 1, 20.0),
                 date="2026-10-12")
    return pd.concat([week1, week2], ignore_index=True)


def test_summarise_sums_and_ratios(terms):
    summary = ads.summarise(terms).set_index("customer_search_term")
    assert summary.loc["mat cleaner", "clicks"] == 5
    assert summary.loc["mat cleaner", "acos"] == pytest.approx(5.5 / 20)
    assert math.isnan(summary.loc["free mat", "acos"])
    assert set(summary.columns) >= {"currency", "attribution_days", "ctr", "cpc", "roas"}


def test_harvest(terms):
    harvest = ads.harvest_terms(terms, target_acos=0.25, min_orders=2)
    assert sorted(harvest["customer_search_term"]) == ["b0abcdefgh", "blue yoga mat"]
    blue = harvest.set_index("customer_search_term").loc["blue yoga mat"]
    assert blue["ad_group_name"] == "ag-auto" and blue["target_type"] == "keyword"
    assert blue["suggested_bid"] == pytest.approx(60 / 10 * 0.25)
    assert harvest.set_index("customer_search_term").loc["b0abcdefgh", "target_type"] == "asin"
    # with min_orders 1 the single-order term qualifies
    assert "cork yoga mat" in set(ads.harvest_terms(terms, 0.25, min_orders=1)["customer_search_term"])


def test_harvest_respects_keywords_from_a_targeting_report(terms):
    keywords = pd.DataFrame({"targeting": ["Blue  Yoga Mat"], "match_type": ["EXACT"]})
    harvest = ads.harvest_terms(terms, 0.25, min_orders=2, keywords=keywords)
    assert "blue yoga mat" not in set(harvest["customer_search_term"])


def test_negatives_show_which_rule_fired(terms):
    negatives = ads.mine_negatives(terms, seed_cpc=1.0, min_probability_of_sale=0.86,
                                   freq="W").set_index("customer_search_term")
    # ag-broad CVR = (2 + 1) / (20 + 5 + 30 + 30) = 3 / 85; 30 clicks: P(sale) = 0.659 < 0.86
    assert negatives.loc["mat cleaner", "rule_fired"] == "seed_cpc"
    assert negatives.loc["mat cleaner", "seed_weeks"] == 1
    # converted in week 2: the weekly seed rule's hit is shown, the evidence keeps it
    assert negatives.loc["mat cleaner", "action"] == "rule_negates_evidence_keeps"
    assert negatives.loc["mat cleaner", "reason"] == "converted_in_window"
    assert "free mat" not in negatives.index  # neither rule fires
    low = ads.mine_negatives(terms, seed_cpc=1.0, min_probability_of_sale=0.63,
                             freq="W").set_index("customer_search_term")
    free = low.loc["free mat"]
    assert free["rule_fired"] == "conversion_evidence"
    assert free["ad_group_cvr"] == pytest.approx(3 / 85)
    assert free["p_sale_expected"] == pytest.approx(1 - (1 - 3 / 85) ** 30)  # 0.659
    assert free["min_probability_of_sale"] == 0.63
    assert (free["action"], free["reason"]) == ("add_negative_exact", "unlikely_to_convert")


def test_negatives_both_rules_and_brand_protection(terms):
    negatives = ads.mine_negatives(terms, seed_cpc=0.25, min_probability_of_sale=0.63, freq="W",
                                   protected_terms=lambda t: ads.is_branded(t, ["Acme"]))
    table = negatives.set_index("customer_search_term")
    assert table.loc["free mat", "rule_fired"] == "seed_cpc+conversion_evidence"
    assert table.loc["acme mat", "action"] == "keep_branded"
    unprotected = ads.mine_negatives(terms, seed_cpc=0.25, min_probability_of_sale=0.63,
                                     freq="W").set_index("customer_search_term")
    assert unprotected.loc["acme mat", "action"] == "add_negative_exact"


def test_own_exact_keyword_is_not_negated_in_its_own_ad_group():
    frame = rows(("C", "exact", "red mug", "EXACT", "red mug", 40, 40.0, 0, 0.0),
                 ("C", "exact", "blue mug", "EXACT", "blue mug", 40, 10.0, 4, 100.0))
    negatives = ads.mine_negatives(frame, seed_cpc=0.5, min_probability_of_sale=0.63,
                                   freq="W").set_index("customer_search_term")
    assert negatives.loc["red mug", "action"] == "pause_or_lower_keyword"
    assert len(ads.bulk_sheet_draft(negatives=negatives.reset_index())) == 0


def test_cvr_falls_back_to_campaign_when_ad_group_never_converted():
    frame = rows(("C", "dead", "x", "BROAD", "a", 40, 8.0, 0, 0.0),
                 ("C", "live", "y", "BROAD", "b", 60, 8.0, 6, 100.0))
    negatives = ads.mine_negatives(frame, seed_cpc=10.0, min_probability_of_sale=0.86,
                                   freq="W").set_index("customer_search_term")
    assert negatives.loc["a", "cvr_basis"] == "campaign"
    assert negatives.loc["a", "ad_group_cvr"] == pytest.approx(0.06)
    assert negatives.loc["a", "p_sale_expected"] == pytest.approx(1 - 0.94 ** 40)  # 0.916


def test_seed_threshold_per_currency():
    frame = pd.concat([rows(("C", "g", "x", "BROAD", "a", 2, 3.0, 0, 0.0)),
                       rows(("C", "g", "x", "BROAD", "a", 2, 120.0, 0, 0.0), currency="JPY")],
                      ignore_index=True)
    negatives = ads.mine_negatives(frame, seed_cpc={"USD": 1.0, "JPY": 100.0},
                                   min_probability_of_sale=0.99, freq="W")
    assert negatives["currency"].tolist() == ["USD"]
    with pytest.raises(KeyError, match="GBP"):
        ads.mine_negatives(frame.assign(currency="GBP"), {"USD": 1.0},
                           min_probability_of_sale=0.86, freq="W")


def test_bid_suggestions_damped_bounded_and_waiting():
    frame = rows(
        ("C", "g", "up", "EXACT", "up", 20, 10.0, 4, 400.0),     # RPC 20 -> target 5.0 vs bid 3
        ("C", "g", "down", "EXACT", "down", 20, 20.0, 1, 20.0),  # RPC 1 -> 0.25 vs CPC 1.0
        ("C", "g", "near", "EXACT", "near", 20, 10.0, 2, 19.6),  # RPC .98 -> .245 vs .5: -51 %
        ("C", "g", "few", "EXACT", "few", 3, 3.0, 0, 0.0),       # not enough clicks
        ("C", "g", "ok", "EXACT", "ok", 20, 10.0, 4, 40.0),      # ACOS 0.25 on target
    )
    frame["bid"] = [3.0, 1.0, 0.5, 1.0, 0.5]
    bids = ads.suggest_bids(frame, 0.25, min_clicks=10, min_step=0.05, max_step=0.10,
                            min_bid=0.02, max_bid=3.2, tolerance_band=0.0).set_index("targeting")
    assert bids.loc["up", "current_bid"] == 3.0 and bids.loc["up", "bid_basis"] == "bid"
    assert bids.loc["up", "suggested_bid"] == 3.2  # +10 % = 3.3, capped at max_bid
    assert bids.loc["up", "action"] == "raise"
    assert bids.loc["down", "suggested_bid"] == 0.9 and bids.loc["down", "action"] == "lower"
    assert bids.loc["few", "action"] == "wait_for_clicks"
    assert bids.loc["few", "suggested_bid"] == 1.0
    assert bids.loc["ok", "action"] == "hold"
    assert bids.loc["near", "suggested_bid"] == 0.45


def test_bid_within_tolerance_band_holds():
    frame = rows(("C", "g", "k", "EXACT", "k", 20, 10.0, 4, 38.0))  # ACOS 0.263
    fine = {"min_clicks": 10, "min_step": 0.01, "max_step": 0.1, "min_bid": 0.02, "max_bid": 5.0}
    held = ads.suggest_bids(frame, 0.25, **fine, tolerance_band=0.025)
    moved = ads.suggest_bids(frame, 0.25, **fine, tolerance_band=0.0)
    assert ads.suggest_bids(frame, 0.25, **BIDS).loc[0, "action"] == "hold"  # params: +/- 2.5 pp
    assert held.loc[0, "action"] == "hold" and held.loc[0, "bid_basis"] == "cpc"
    assert moved.loc[0, "action"] == "lower"


def test_ngrams():
    assert ads.ngrams("yoga mat yoga mat", (1, 2)) == ["yoga", "mat", "yoga mat", "mat yoga"]


def test_ngram_waste_counts_each_term_once(terms):
    table = ads.ngram_waste(terms, sizes=(1, 2), min_terms=2).set_index("ngram")
    # "mat" appears in every term except the ASIN; waste = spend of terms without an order
    assert table.loc["mat", "terms"] == 7
    assert table.loc["mat", "waste_spend"] == pytest.approx(9.0 + 9.0)
    assert table.loc["yoga mat", "terms"] == 3
    assert table.loc["yoga mat", "waste_spend"] == 0.0
    assert "b0abcdefgh" not in table.index  # only one term


def test_branded_split(terms):
    assert ads.brand_names(pd.DataFrame({"brand": ["Acme", None, "Acme", " "]})) == ["Acme"]
    flags = ads.is_branded(pd.Series(["ACME mat", "acmeish mat", "mat"]), ["Acme"])
    assert flags.tolist() == [True, False, False]
    split = ads.branded_split(terms, ["Acme"]).set_index("segment")
    assert split.loc["branded", "spend"] == 9.0
    assert split["share_of_spend"].sum() == pytest.approx(1.0)


def test_structure_audit(terms):
    crowded = rows(*[("Big", f"ag{i}", "kw", "BROAD", "t", 1, 1.0, 0, 0.0) for i in range(21)])
    frame = pd.concat([terms, crowded], ignore_index=True)
    findings = ads.audit_structure(frame, max_ad_groups=20)
    checks = findings.groupby("check")
    assert checks.get_group("too_many_ad_groups")["campaign_name"].tolist() == ["Big"]
    duplicates = checks.get_group("duplicate_keyword")
    assert set(duplicates["ad_group_name"]) >= {"ag0", "ag20"}
    leak = checks.get_group("auto_without_negatives").iloc[0]
    assert leak["campaign_name"] == "Auto" and leak["spend"] == 5.0  # paid for "yoga mat"
    negatives = pd.DataFrame({"campaign_name": ["Auto"], "keyword_text": ["yoga mat"]})
    guarded = ads.audit_structure(frame, max_ad_groups=20, negatives=negatives)
    assert "auto_without_negatives" not in set(guarded["check"])


def _plan(frame, keywords=None, advertised=None):
    harvest = ads.harvest_terms(frame, 0.25, min_orders=2, keywords=keywords)
    known = ads.known_ad_groups(frame, keywords)
    return ads.plan_harvest(harvest, known, campaign_template=CAMPAIGN,
                            advertised=advertised), known


def test_bulk_sheet_draft_shape(terms):
    plan, known = _plan(terms)
    negatives = ads.mine_negatives(terms, 1.0, min_probability_of_sale=0.63, freq="W")
    bids = ads.suggest_bids(terms.assign(bid=1.0), 0.25, **{**BIDS, "min_clicks": 5})
    draft = ads.bulk_sheet_draft(plan, negatives, bids, known=known, start_date="20261013")
    assert list(draft.columns) == list(ads.BULK_COLUMNS)
    assert set(draft["Product"]) == {"Sponsored Products"}
    # "Manual / ag-exact" holds exact keywords but is another product's ad group (other name):
    # the harvest creates "Auto - exact" with its ad group in the same draft
    created = draft[draft["Operation"] == "Create"].set_index("Entity")
    assert created.loc["Campaign", "Campaign Name"] == "Auto - exact"
    assert created.loc["Campaign", "Campaign ID"] == "Auto - exact"  # temporary ID
    assert created.loc["Campaign", "Targeting Type"] == "Manual"
    assert created.loc["Campaign", "Start Date"] == "20261013"
    assert created.loc["Ad Group", "Ad Group Name"] == "ag-auto"
    keyword = draft[(draft["Entity"] == "Keyword") & (draft["Operation"] == "Create")]
    assert keyword["Keyword Text"].tolist() == ["blue yoga mat"]
    assert keyword["Match Type"].tolist() == ["exact"]
    assert keyword["Campaign Name"].tolist() == ["Auto - exact"]
    assert keyword["Bid"].tolist() == [1.5]  # 60 / 10 x 0.25, a number
    asin = draft[draft["Entity"] == "Product Targeting"]
    assert 'asin="B0ABCDEFGH"' in set(asin["Product Targeting Expression"])
    negative = draft[draft["Entity"] == "Negative Keyword"]
    assert {"blue yoga mat", "free mat"} <= set(negative["Keyword Text"])
    assert set(negative["Match Type"]) == {"negativeExact"}
    assert draft["Bid"].dtype == "float64"
    assert draft.loc[draft["Operation"] == "Update", "Bid"].notna().all()
    assert len(ads.missing_references(draft, known)) == 0
    assert len(ads.bulk_sheet_draft()) == 0


def test_bulk_draft_references_only_existing_or_created_entities():
    frame = rows(("Auto", "Mug 01", "*", "-", "red mug", 10, 2.0, 3, 60.0),
                 ("Exact", "Mug 01", "mug", "EXACT", "mug", 10, 2.0, 3, 60.0),
                 ("Broad", "Mug 01", "mug", "BROAD", "travel mug", 30, 30.0, 0, 0.0))
    plan, known = _plan(frame)
    # an exact ad group of the same product exists: the keyword goes there, nothing created
    assert plan[["harvest_id", "role", "campaign_name", "ad_group_name"]].values.tolist() == [
        ["H001", "new_keyword", "Exact", "Mug 01"], ["H001", "source_ad_group", "Auto", "Mug 01"]]
    assert plan["campaign_exists"].all() and plan["ad_group_exists"].all()
    draft = ads.bulk_sheet_draft(plan, known=known.assign(campaign_id="c-" + known[
        "campaign_name"], ad_group_id="g-" + known["campaign_name"]))
    assert "Campaign" not in set(draft["Entity"]) and "Ad Group" not in set(draft["Entity"])
    assert draft["Campaign ID"].tolist() == ["c-Exact", "c-Auto"]  # IDs where known
    assert draft["Ad Group ID"].tolist() == ["g-Exact", "g-Auto"]
    assert len(ads.missing_references(draft, known)) == 0
    # a draft row naming a campaign that neither exists nor is created is caught
    stray = draft.assign(**{"Campaign Name": "Nowhere"})
    assert len(ads.missing_references(stray, known)) == len(draft)


def test_bulk_draft_creates_campaign_ad_group_and_product_ad_with_skus():
    frame = rows(("Auto", "g1", "*", "-", "Red Mug", 10, 2.0, 3, 60.0),
                 ("Broad", "g2", "mug", "BROAD", "red mug", 10, 2.0, 2, 40.0))
    advertised = pd.DataFrame({"campaign_name": ["Auto", "Broad"], "ad_group_name": ["g1", "g2"],
                               "advertised_sku": ["MUG-RED", "MUG-RED"]})
    campaigns = pd.DataFrame({"date": pd.to_datetime(["2026-10-01", "2026-10-05"]),
                              "campaign_name": ["Auto", "Auto"], "budget": [20.0, 25.0],
                              "bidding_strategy": ["Dynamic bids - down only"] * 2})
    plan, known = _plan(frame, advertised=advertised)
    draft = ads.bulk_sheet_draft(plan, known=known, campaigns=campaigns, advertised=advertised,
                                 start_date="20261006")
    assert draft["Entity"].tolist() == ["Campaign", "Ad Group", "Product Ad", "Keyword",
                                        "Negative Keyword", "Negative Keyword"]
    campaign, group, product, keyword = (draft.iloc[i] for i in range(4))
    assert (campaign["Campaign Name"], campaign["Daily Budget"]) == ("Auto - exact", 25.0)
    assert campaign["Bidding Strategy"] == "Dynamic bids - down only"
    assert (group["Campaign Name"], group["Ad Group Name"]) == ("Auto - exact", "g1")
    assert group["Ad Group Default Bid"] == pytest.approx(60 / 10 * 0.25)
    assert (product["SKU"], product["Ad Group Name"]) == ("MUG-RED", "g1")
    assert (keyword["Campaign ID"], keyword["Ad Group ID"]) == ("Auto - exact", "g1")
    # one keyword per term; negatives in both source ad groups, adjacent, same harvest id
    assert sorted(draft.loc[draft["Entity"] == "Negative Keyword", "Campaign Name"]) == [
        "Auto", "Broad"]
    assert plan["harvest_id"].tolist() == ["H001"] * 3
    assert plan["role"].tolist() == ["new_keyword", "source_ad_group", "source_ad_group"]
    assert len(ads.missing_references(draft, known)) == 0


def test_analyse_refuses_mixed_windows(terms):
    params = {"ads": {}, "rules": {}}
    mixed = terms.copy()
    mixed.loc[0, "attribution_days"] = 14
    with pytest.raises(ValueError, match="attribution_days"):
        ads.analyse(mixed, params)


def test_analyse_with_params(terms):
    from opsanalysis import params

    settings = params.load("US")
    products = pd.DataFrame({"sku": ["s"], "brand": ["Acme"]})
    tables = ads.analyse(terms, settings, products)
    assert set(tables) == {"harvest", "negatives", "bids", "ngrams", "structure", "branded_split",
                           "bulk_draft"}
    assert "blue yoga mat" in set(tables["harvest"]["customer_search_term"])
    assert "acme mat" not in set(tables["negatives"]["customer_search_term"])  # P(sale) 0.66
    assert np.isin(tables["negatives"]["rule_fired"],
                   ["seed_cpc", "conversion_evidence", "seed_cpc+conversion_evidence"]).all()


# ------------------------------------------------------------------------------------------
# the bundled sample: planted behaviours are found
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def planted():
    from opsanalysis import sample

    return sample.generate(None).planted


@pytest.mark.parametrize("marketplace", ["US", "UK", "DE", "JP"])
def test_sample_planted_ads_behaviours(sample_dir, planted, marketplace):
    from opsanalysis import io, params

    path = next((sample_dir / marketplace).glob("Sponsored_Products_Search_term_report_*"))
    search_terms = io.read_report(path, marketplace=marketplace)
    tables = ads.analyse(search_terms, params.load(marketplace))
    truth = planted[marketplace]
    negated = tables["negatives"]
    negated = set(negated.loc[negated["action"] == "add_negative_exact", "customer_search_term"])
    assert set(truth["waste_terms"]) <= negated
    assert set(truth["harvest_terms"]) <= set(tables["harvest"]["customer_search_term"])
    problem = truth["structure_problem"]
    found = tables["structure"]
    found = found[(found["check"] == problem["kind"]) & (found["campaign_name"] == problem["campaign"])
                  & (found["keyword"] == problem["keyword"].casefold())]
    assert set(found["ad_group_name"]) == set(problem["ad_groups"])
    draft = tables["bulk_draft"]
    assert set(truth["waste_terms"]) <= set(
        draft.loc[draft["Entity"] == "Negative Keyword", "Keyword Text"])


# ------------------------------------------------------------------------------------------
# formula injection: hostile search terms and campaign names, end to end into the files
# ------------------------------------------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3",
           "@SUM(A1:A9)", "\t=1+1", "<script>alert(1)</script>"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _hostile_terms():
    records = []
    for i, text in enumerate(HOSTILE):
        campaign = text if i % 2 == 0 else f"Campaign {i}"
        # converting (harvested) and wasting (negated) rows for every hostile text
        records.append((campaign, HOSTILE[(i + 3) % len(HOSTILE)], "*", "-", text,
                        10, 5.0, 3, 100.0))
        records.append((campaign, "ag", "*", "-", f"{text} waste", 40, 60.0, 0, 0.0))
    records.append(("Control", "ag", "*", "-", "normal converting term", 200, 50.0, 40, 900.0))
    return rows(*records)


def test_hostile_text_is_neutralised_in_csv_xlsx_and_escaped_in_html(tmp_path):
    import csv

    import openpyxl

    from opsanalysis import export, params

    tables = ads.analyse(_hostile_terms(), params.load("US"))
    assert set(HOSTILE) <= set(tables["harvest"]["customer_search_term"])
    assert {f"{t} waste" for t in HOSTILE} <= set(tables["negatives"]["customer_search_term"])
    written = export.write_tables(tables, tmp_path, stem="opportunity_report")
    seen = 0
    for path in written[:-1]:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    if any(text in cell for text in HOSTILE[:5]):
                        seen += 1
                        assert not cell.startswith(DANGEROUS), (path.name, cell)
    assert seen > 0
    workbook = openpyxl.load_workbook(written[-1])
    cells = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and any(t in cell.value for t in HOSTILE[:5]):
                    cells += 1
                    assert not cell.value.startswith(DANGEROUS), (sheet.title, cell.value)
    assert cells > 0
    html = export.to_html(tables["harvest"])
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_every_column_and_value_shown_has_en_and_zh_labels(terms):
    from opsanalysis import labels, params

    tables = ads.analyse(terms, params.load("US"), pd.DataFrame({"brand": ["Acme"]}))
    known = labels.all_labels()
    for name, table in tables.items():
        assert name in known
        if name == "bulk_draft":
            continue  # Amazon's own column names, kept as Amazon spells them
        assert set(table.columns) <= set(known), set(table.columns) - set(known)
        for column in ("action", "reason", "role", "rule_fired", "check", "segment", "cvr_basis"):
            if column in table:
                assert set(table[column].dropna().astype(str)) <= set(known)
    assert all(set(known[key]) >= {"en", "zh"} for key in ("rule_fired", "waste_spend"))


def test_bids_in_yen_are_whole_numbers():
    frame = rows(("C", "g", "k", "EXACT", "k", 20, 2000.0, 1, 3000.0), currency="JPY")
    bids = ads.suggest_bids(frame, 0.25, min_clicks=10, min_step=0.05, max_step=0.10,
                            min_bid=2, max_bid=780, tolerance_band=0.0)
    assert bids.loc[0, "suggested_bid"] == 90.0  # CPC 100 yen - 10 %
    draft = ads.bulk_sheet_draft(bids=bids)
    assert draft["Bid"].tolist() == [90.0]


def test_without_any_order_only_the_seed_rule_can_fire():
    frame = rows(("C", "g", "x", "BROAD", "a", 50, 100.0, 0, 0.0),
                 ("C", "g", "x", "BROAD", "b", 50, 10.0, 0, 0.0))
    negatives = ads.mine_negatives(frame, seed_cpc=1.0, min_probability_of_sale=0.63,
                                   freq="W").set_index("customer_search_term")
    assert negatives.index.tolist() == ["a"]  # CPC 2.0 > 1.0; "b" CPC 0.2
    assert negatives.loc["a", "rule_fired"] == "seed_cpc"
    # no conversion rate anywhere: the evidence cannot judge, so no negative (row T7)
    assert negatives.loc["a", "reason"] == "no_conversion_rate"
    assert math.isnan(negatives.loc["a", "ad_group_cvr"])
    assert math.isnan(negatives.loc["a", "p_sale_expected"])


# ------------------------------------------------------------------------------------------
# the decision table: every combination of inputs, every row, the docs
# ------------------------------------------------------------------------------------------

def _expected_term_action(harvested, branded, converted, seed_rule, evidence, own_keyword):
    """The written rules of docs/decisions.md, spelled out as plain code."""
    if harvested:
        return "T1", "negate_in_source_with_harvest", "harvested_to_exact"
    if branded:
        return "T2", "keep_branded", "branded_term"
    if converted:
        if seed_rule:
            return "T3", "rule_negates_evidence_keeps", "converted_in_window"
        return "T8", "not_listed", "no_rule_fired"
    if evidence == "negate":
        if own_keyword:
            return "T4", "pause_or_lower_keyword", "unlikely_to_convert"
        return "T5", "add_negative_exact", "unlikely_to_convert"
    if seed_rule:
        reason = "too_few_clicks_to_judge" if evidence == "keep" else "no_conversion_rate"
        return ("T6" if evidence == "keep" else "T7"), "rule_negates_evidence_keeps", reason
    return "T8", "not_listed", "no_rule_fired"


def test_term_decision_table_every_combination():
    import itertools

    names = ["harvested", "branded", "converted", "seed_rule", "evidence", "own_keyword"]
    combos = list(itertools.product([False, True], [False, True], [False, True], [False, True],
                                    ["negate", "keep", "unknown"], [False, True]))
    inputs = pd.DataFrame(combos, columns=names)
    decided = ads.decide(inputs, "search_term")
    expected = [_expected_term_action(*combo) for combo in combos]
    assert decided[["decision_row", "action", "reason"]].values.tolist() == [
        list(e) for e in expected]
    rows_used = set(decided["decision_row"])
    assert rows_used == {r["row"] for r in ads.AD_ACTIONS if r["unit"] == "search_term"}
    # a term that converted is never a negative
    assert not decided.loc[inputs["converted"], "action"].isin(ads.NEGATING_ACTIONS).any()


def test_bid_decision_table_every_combination():
    import itertools

    names = ["enough_clicks", "within_band", "step_too_small", "at_bound", "direction"]
    combos = list(itertools.product([False, True], [False, True], [False, True], [False, True],
                                    ["up", "down"]))
    decided = ads.decide(pd.DataFrame(combos, columns=names), "bid")
    for (enough, band, small, bound, direction), row in zip(combos, decided.itertuples(),
                                                             strict=True):
        expected = ("B1" if not enough else "B2" if band else "B3" if small else "B4" if bound
                    else "B5" if direction == "up" else "B6")
        assert row.decision_row == expected
    assert set(decided["decision_row"]) == {f"B{i}" for i in range(1, 7)}


@pytest.mark.parametrize("row, record, expected", [
    # T2: branded, the CPC rule fired
    ("T2", ("C", "g", "x", "BROAD", "acme bowl", 5, 10.0, 0, 0.0), "keep_branded"),
    # T3: converted, CPC rule fired in the week without the order
    ("T3", ("C", "g", "x", "BROAD", "mat cleaner", 5, 10.0, 1, 20.0),
     "rule_negates_evidence_keeps"),
    # T4: 100 clicks at CVR 15 / 300 without an order: P(sale) 0.994; the ad group's keyword
    ("T4", ("C", "g", "bowl", "BROAD", "bowl", 100, 20.0, 0, 0.0), "pause_or_lower_keyword"),
    # T5: the same evidence on another term
    ("T5", ("C", "g", "x", "BROAD", "cheap bowl", 100, 20.0, 0, 0.0), "add_negative_exact"),
    # T6: 10 clicks at CVR 15 / 210: P(sale) 0.52 < 0.86 although CPC 2.0 > 1.0
    ("T6", ("C", "g", "x", "BROAD", "big bowl", 10, 20.0, 0, 0.0), "rule_negates_evidence_keeps"),
])
def test_term_decision_rows_on_search_terms(row, record, expected):
    converter = ("C", "g", "x", "BROAD", "steel bowl", 200, 20.0, 15, 300.0)
    frame = rows(converter, record)
    if row == "T3":  # the order came in a later week
        frame = pd.concat([rows(converter, record[:5] + (4, 9.0, 0, 0.0)),
                           rows(record[:5] + (1, 1.0, 1, 20.0), date="2026-10-12")],
                          ignore_index=True)
    negatives = ads.mine_negatives(frame, seed_cpc=1.0, min_probability_of_sale=0.86, freq="W",
                                   protected_terms=lambda t: ads.is_branded(t, ["Acme"]))
    found = negatives.set_index("customer_search_term").loc[record[4]]
    assert (found["decision_row"], found["action"]) == (row, expected)


def test_harvest_sources_are_negated_only_with_their_harvest():
    frame = rows(("Auto", "g1", "*", "-", "red mug", 10, 12.0, 3, 60.0),  # seed rule: no; CPC 1.2
                 ("Auto", "g1", "*", "-", "red mug", 10, 12.0, 0, 0.0))
    frame.loc[1, "date"] = pd.Timestamp("2026-10-12")  # a week with CPC 1.2 and no order
    harvest = ads.harvest_terms(frame, 0.5, min_orders=2)
    negatives = ads.mine_negatives(frame, seed_cpc=1.0, min_probability_of_sale=0.86, freq="W",
                                   harvested=harvest)
    assert negatives[["decision_row", "action"]].values.tolist() == [
        ["T1", "negate_in_source_with_harvest"]]
    # the bulk draft writes the negative once, from the harvest, not from the negatives table
    plan = ads.plan_harvest(harvest, ads.known_ad_groups(frame), campaign_template=CAMPAIGN)
    draft = ads.bulk_sheet_draft(plan, negatives)
    assert (draft["Entity"] == "Negative Keyword").sum() == 1


def test_docs_hold_the_same_decision_table():
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "decisions.md").read_text(encoding="utf-8")
    section = text.split("## Ad actions", 1)[1].split("\n## ", 1)[0]
    documented = [[cell.strip(" `") for cell in line.strip().strip("|").split("|")]
                  for line in section.splitlines() if line.startswith("| ")]
    documented = [(cells[0], cells[-2], cells[-1]) for cells in documented
                  if cells[0][:1] in "THBG" and cells[0][1:].isdigit()]
    assert documented == [(r["row"], r["action"], r["reason"]) for r in ads.AD_ACTIONS]


def test_negative_threshold_comes_from_params():
    settings = ads.negative_settings(US)
    assert settings["min_probability_of_sale"] == US["ads"]["negative_min_probability_of_sale"]
    assert "checked" in US["ads"]["sources"]["negative_min_probability_of_sale"]


def test_issue_15_slow_feeder_bowl_rule_would_negate_evidence_keeps():
    """Issue 15's case, rebuilt from the sample's figures: the CPC rule fires on "slow feeder
    bowl" in its own product's ad group (own broad keyword), 38 clicks without an order, while
    the ad group converts 8 / 251 clicks: P(sale) = 1 - (1 - 8/251)^38 = 0.708 < 0.86."""
    group = ("SP - Pet Supplies - Broad", "PawPal Slow Feeder Bow 021", "slow feeder bowl",
             "BROAD")
    frame = pd.concat([
        rows(group + ("slow feeder bowl", 19, 19.95, 0, 0.0),  # CPC 1.05 > 1.00
             group + ("slow feeder bowl large", 213, 180.0, 8, 183.92)),
        rows(group + ("slow feeder bowl", 19, 16.62, 0, 0.0), date="2026-10-12")],  # 0.87
        ignore_index=True)
    negatives = ads.mine_negatives(frame, **ads.negative_settings(US)).set_index(
        "customer_search_term")
    row = negatives.loc["slow feeder bowl"]
    assert row["p_sale_expected"] == pytest.approx(1 - (1 - 8 / 251) ** 38)
    assert round(row["p_sale_expected"], 3) == 0.708
    assert row["seed_weeks"] == 1 and row["rule_fired"] == "seed_cpc"
    assert (row["decision_row"], row["action"], row["reason"]) == (
        "T6", "rule_negates_evidence_keeps", "too_few_clicks_to_judge")
    assert len(ads.bulk_sheet_draft(negatives=negatives.reset_index())) == 0


@pytest.mark.parametrize("marketplace", ["US", "UK", "DE", "JP"])
def test_sample_negatives_rest_on_evidence_and_draft_references_exist(sample_dir, marketplace):
    from opsanalysis import io, kpi, params

    settings = params.load(marketplace)
    path = next((sample_dir / marketplace).glob("Sponsored_Products_Search_term_report_*"))
    search_terms = kpi.in_period(io.read_report(path, marketplace=marketplace),
                                 kpi.trailing_period(pd.Timestamp("2026-10-31"),
                                                     settings["ads"]["lookback_days"]))
    tables = ads.analyse(search_terms, settings)
    negatives = tables["negatives"]
    negated = negatives[negatives["action"].isin(ads.NEGATING_ACTIONS)]
    assert (negated["orders"] == 0).all()
    assert (negated["p_sale_expected"] >= settings["ads"]["negative_min_probability_of_sale"]
            ).all()
    converting = negatives[negatives["orders"] > 0]
    assert set(converting["action"]) <= {"rule_negates_evidence_keeps",
                                         "negate_in_source_with_harvest", "keep_branded"}
    assert len(ads.missing_references(tables["bulk_draft"],
                                      ads.known_ad_groups(search_terms))) == 0


def test_bulk_columns_follow_the_sponsored_products_template():
    # bulksheets 2.0, sheet "Sponsored Products Campaigns", in the template's order
    assert ads.BULK_COLUMNS == (
        "Product", "Entity", "Operation", "Campaign ID", "Ad Group ID", "Portfolio ID", "Ad ID",
        "Keyword ID", "Product Targeting ID", "Campaign Name", "Ad Group Name", "Start Date",
        "End Date", "Targeting Type", "State", "Daily Budget", "SKU", "Ad Group Default Bid",
        "Bid", "Keyword Text", "Native Language Keyword", "Native Language Locale",
        "Match Type", "Bidding Strategy", "Placement", "Percentage",
        "Product Targeting Expression")
    assert set(ads.BULK_KINDS) == set(ads.BULK_NUMBERS)
    assert ads.bulk_sheet_draft().attrs["column_kinds"]["Percentage"] == "number"


def test_bid_updates_take_keyword_and_target_ids_from_a_bulk_download():
    frame = rows(("C", "g", "yoga mat", "EXACT", "yoga mat", 20, 20.0, 1, 20.0),
                 ("C", "g", "close-match", "-", "mat", 20, 20.0, 1, 20.0))
    frame["bid"] = 1.0
    bids = ads.suggest_bids(frame, 0.25, min_clicks=10, min_step=0.05, max_step=0.10,
                            min_bid=0.02, max_bid=3.0, tolerance_band=0.0)
    entities = pd.DataFrame({
        "entity": ["Campaign", "Ad Group", "Keyword", "Product Targeting", "Keyword"],
        "campaign_id": ["111", "111", "111", "111", "111"],
        "ad_group_id": [pd.NA, "222", "222", "222", "222"],
        "keyword_id": [pd.NA, pd.NA, "333", pd.NA, "999"],
        "product_targeting_id": [pd.NA, pd.NA, pd.NA, "444", pd.NA],
        "campaign_name": ["C"] * 5, "ad_group_name": [pd.NA, "g", "g", "g", "g"],
        "keyword_text": [pd.NA, pd.NA, "Yoga Mat", pd.NA, "yoga mat"],
        "match_type": [pd.NA, pd.NA, "Exact", pd.NA, "Phrase"],
        "product_targeting_expression": [pd.NA, pd.NA, pd.NA, "close-match", pd.NA]})
    draft = ads.bulk_sheet_draft(bids=bids, entities=entities).set_index("Entity")
    assert draft.loc["Keyword", "Bid"] == 0.9 and draft.loc["Product Targeting", "Bid"] == 0.9
    assert draft.loc["Keyword", "Keyword ID"] == "333"  # the exact one, not the phrase 999
    assert draft.loc["Product Targeting", "Product Targeting ID"] == "444"
    assert set(draft["Campaign ID"]) == {"111"} and set(draft["Ad Group ID"]) == {"222"}
    assert draft.loc["Keyword", "Product Targeting ID"] == ""
    # without a bulk download the IDs stay empty, to be filled before upload
    assert set(ads.bulk_sheet_draft(bids=bids)["Keyword ID"]) == {""}


@pytest.mark.parametrize(("currency", "money_format"), [("USD", "#,##0.00"), ("JPY", "#,##0")])
def test_written_bulk_draft_keeps_amazon_headers_and_typed_bids(tmp_path, terms, currency,
                                                               money_format):
    import openpyxl

    from opsanalysis import export

    plan, known = _plan(terms)
    bids = ads.suggest_bids(terms.assign(bid=1.0), 0.25, **{**BIDS, "min_clicks": 5})
    draft = ads.bulk_sheet_draft(plan, None, bids, known=known, start_date="20261013")
    export.write_tables({"bulk_draft": draft}, tmp_path, language="zh", currency=currency)
    sheet = openpyxl.load_workbook(tmp_path / "tables.xlsx")["bulk_draft"]
    header = [cell.value for cell in sheet[1]]
    assert header == list(ads.BULK_COLUMNS)  # English, as Amazon reads them, in any language
    column = {name: index for index, name in enumerate(header)}
    rows_written = list(sheet.iter_rows(min_row=2))
    bids_written = [row[column["Bid"]] for row in rows_written
                    if row[column["Bid"]].value is not None]
    assert len(bids_written) == draft["Bid"].notna().sum() > 0
    assert all(cell.data_type == "n" for cell in bids_written)  # numbers, never text
    assert [cell.value for cell in bids_written] == draft["Bid"].dropna().tolist()
    assert {cell.number_format for cell in bids_written} == {money_format}
    assert rows_written[0][column["Percentage"]].number_format == "#,##0.00"  # 50 = +50 %
    assert rows_written[0][column["Start Date"]].value == "20261013"  # the template's text date
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:AA{len(draft) + 1}"

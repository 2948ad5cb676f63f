"""The advertising sections on small hand-made ad tables: what each finding says, the order
of the rows and that a harvest is never split across the shown rows."""

import numpy as np
import pandas as pd

from opsanalysis import ads_sections


def weekly():
    periods = pd.to_datetime(["2019-12-01", "2019-12-08", "2019-12-15"])
    acos = pd.DataFrame({"period": periods, "spend": [10.0, 20.0, 30.0],
                         "acos": [0.664, 0.56, 0.725]})
    tacos = pd.DataFrame({"period": periods[:1], "tacos": [0.12]})
    return acos, tacos


def test_latest_acos_tacos_newest_first_and_not_covered_tacos_is_missing():
    table = ads_sections.latest_acos_tacos(*weekly(), weeks=2)
    assert list(table["period"].dt.strftime("%Y-%m-%d")) == ["2019-12-15", "2019-12-08"]
    assert table["tacos"].isna().all()


def test_spend_summary_never_zero_for_an_uncovered_window():
    assert all(np.isnan(ads_sections.spend_summary(None)))
    terms = pd.DataFrame({"spend": [30.0, 10.0, 0.0], "orders": [2, 0, None]})
    assert ads_sections.spend_summary(terms) == (40.0, 10.0, 0.25)


def test_summary_section_sentence_and_missing_reports():
    terms = pd.DataFrame({"spend": [30.0, 10.0], "orders": [2, 0]})
    section = ads_sections.summary_section(*weekly(), terms, 60, "USD")
    assert section.finding == ("Last 60 days: spend 40.00 USD, of which 10.00 USD (25.0%) on "
                               "search terms without an order; ACOS 72.5%, TACoS not covered "
                               "in the latest week.")
    assert "nan" not in section.check_text() and section.figure is not None
    missing = ads_sections.summary_section(None, None, None, 60, "USD", "zh", found="niche")
    assert missing.table is None and "niche" in missing.finding


def harvest():
    return pd.DataFrame({
        "harvest_id": ["H1", "H1", "H1", "H2", "H2", "H3", "H3"],
        "role": ["new_keyword", "source_ad_group", "source_ad_group"] + [
            "new_keyword", "source_ad_group"] * 2,
        "action": ["add_exact_keyword", *["negate_in_source_with_harvest"] * 2] + [
            "add_exact_keyword", "negate_in_source_with_harvest"] * 2,
        "customer_search_term": ["mat"] * 3 + ["bowl"] * 2 + ["cup"] * 2,
        "campaign_name": list("ABCDEFG"), "ad_group_name": list("abcdefg"),
        "orders": [5.0] * 7, "acos": [0.1] * 7, "suggested_bid": [1.0] * 7})


def test_harvest_rows_keep_pairs_together():
    assert ads_sections.harvest_rows(harvest(), top=4) == 3  # H1 whole, not half of H2
    assert ads_sections.harvest_rows(harvest(), top=5) == 5
    assert ads_sections.harvest_rows(harvest(), top=2) == 3  # at least the first harvest
    section = ads_sections.harvest_section(harvest(), "USD", top=4)
    assert section.top == 3 and section.sheet == "harvest"
    assert "4 more rows in the workbook, sheet harvest" in section.html()


def test_negatives_section_puts_proposals_first_and_marks_evidence_keeps():
    negatives = pd.DataFrame({
        "customer_search_term": ["keep me", "drop me", "cheap drop"],
        "campaign_name": "C", "ad_group_name": "G", "clicks": [100.0, 70.0, 40.0],
        "spend": [120.0, 80.0, 50.0], "orders": [9.0, 0.0, 0.0],
        "p_sale_expected": [0.99, 0.999, 0.9],
        "action": ["rule_negates_evidence_keeps", "add_negative_exact", "add_negative_exact"],
        "reason": ["converted_in_window", "unlikely_to_convert", "unlikely_to_convert"]})
    section = ads_sections.negatives_section(negatives, 0.86, "USD")
    assert list(section.table["customer_search_term"]) == ["drop me", "cheap drop", "keep me"]
    assert section.finding.startswith("2 negatives proposed")
    assert "; 1 term kept against the CPC rule" in section.finding  # one count, one noun
    shown = section.shown_table()
    assert shown.iloc[2]["Action"] == "rule would negate; evidence says keep"
    assert shown.iloc[0]["Chance a sale would have come (%)"] == "99.9%"


def test_bids_section_counts_directions_and_shows_change_as_percent():
    bids = pd.DataFrame({
        "targeting": ["a", "b", "c"], "match_type": ["BROAD", "EXACT", "-"],
        "campaign_name": "C", "ad_group_name": "G", "clicks": [30.0, 40.0, 50.0],
        "spend": [10.0, 30.0, 20.0], "acos": [0.4, 0.1, 0.2], "current_bid": [1.0, 1.0, 1.0],
        "suggested_bid": [0.9, 1.1, 1.0], "change": [-0.1, 0.1, 0.0],
        "action": ["lower", "raise", "hold"],
        "reason": ["acos_above_target", "acos_below_target", "acos_within_band"]})
    section = ads_sections.bids_section(bids, 0.25, "JPY", "zh")
    assert section.finding == "1 个竞价建议提高，1 个降低，1 个保持（目标 ACOS 25.0%）。"
    shown = section.shown_table()
    assert list(shown.iloc[:, 0]) == ["b", "c", "a"]  # largest spend first
    assert list(shown.iloc[:, 1]) == ["精准", "-", "广泛"]
    assert list(shown.iloc[:, 9]) == ["10.0%", "0.0%", "-10.0%"]
    assert list(shown.iloc[:, 7]) == ["1", "1", "1"]  # JPY without decimals


def test_ngram_section_lists_only_waste_and_says_so_when_none():
    ngrams = pd.DataFrame({"ngram": ["mat", "cup"], "terms": [3.0, 2.0], "clicks": [9.0, 5.0],
                           "orders": [0.0, 1.0], "spend": [5.0, 4.0],
                           "waste_spend": [5.0, 0.0], "waste_share": [1.0, 0.0]})
    section = ads_sections.ngram_section(ngrams, 60, "USD")
    assert list(section.table["ngram"]) == ["mat"]
    assert section.finding == ("1 word group spent 5.00 USD without an order in the last "
                               "60 days; the largest: “mat”.")
    none = ads_sections.ngram_section(ngrams.assign(waste_spend=0.0), 60, "USD")
    assert none.table is None and none.finding.startswith("No word group")

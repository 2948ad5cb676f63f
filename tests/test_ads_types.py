"""Sponsored Brands / Display in the ads analyses and budget capping, on tiny hand-made frames
with known answers: clicks-only vs views-and-clicks, ACOS/TACoS by ad type, SB/SD actions from
the one decision table, capped campaign-days and the missed-sales estimate."""

import numpy as np
import pandas as pd
import pytest

from opsanalysis import ads, ads_sections, kpi, params, report_context

US = params.load("US")
DAYS = pd.date_range("2026-10-01", periods=4, freq="D")


def campaign(name, spend, sales, budget, ad_type=None, **extra):
    frame = pd.DataFrame({"date": DAYS, "campaign_name": name, "spend": spend, "sales": sales,
                          "budget": budget, "currency": "USD", **extra})
    return frame.assign(ad_type=ad_type) if ad_type else frame


def test_clicks_only_keeps_views_apart():
    sd = campaign("d", [1.0] * 4, [10.0] * 4, 5.0, "sponsored_display",
                  sales_clicks=[4.0] * 4)
    out = ads.clicks_only(sd)
    assert list(out["sales"]) == [4.0] * 4 and list(out["sales_views_and_clicks"]) == [10.0] * 4
    # a Display report without the "- (Click)" twins has no clicks-only figure
    assert ads.clicks_only(sd.drop(columns="sales_clicks"))["sales"].isna().all()
    # Brands without twins: cost-per-click totals are clicks-only; Products unchanged
    sb = sd.drop(columns="sales_clicks").assign(ad_type="sponsored_brands")
    assert list(ads.clicks_only(sb)["sales"]) == [10.0] * 4
    sp = campaign("p", [1.0] * 4, [3.0] * 4, 5.0)
    assert ads.clicks_only(sp) is sp
    with pytest.raises(ValueError, match="mixes ad types"):
        ads.ad_type_of(pd.concat([sd, sb]))


def test_ad_type_summary_known_answer():
    sp = campaign("p", [2.5] * 4, [10.0] * 4, 50.0, attribution_days=7)  # 10 / 40
    sd = campaign("d", [5.0] * 4, [25.0] * 4, 50.0, "sponsored_display",  # 20 / 100 / 60
                  sales_clicks=[15.0] * 4, attribution_days=14)
    table = ads.ad_type_summary([sp, sd], 1000.0).set_index("ad_type")
    assert list(table.index) == ["sponsored_products", "sponsored_display", "total"]
    assert table.loc["sponsored_products", "acos_clicks_only"] == pytest.approx(0.25)
    assert np.isnan(table.loc["sponsored_products", "acos_views_and_clicks"])
    assert table.loc["sponsored_display", "acos_clicks_only"] == pytest.approx(20 / 60)
    assert table.loc["sponsored_display", "acos_views_and_clicks"] == pytest.approx(0.2)
    assert table.loc["total", "spend"] == 30.0
    assert table.loc["total", "tacos"] == pytest.approx(0.03)
    assert table.loc["sponsored_display", "spend_share"] == pytest.approx(2 / 3)
    # 7-day and 14-day windows are never added up: total sales and ACOS not estimated
    assert np.isnan(table.loc["total", "sales_clicks_only"])
    assert np.isnan(table.loc["total", "sales_views_and_clicks"])
    same = ads.ad_type_summary([sp.assign(attribution_days=14), sd], float("nan"))
    total = same.set_index("ad_type").loc["total"]
    assert total["sales_clicks_only"] == 100.0 and total["acos_clicks_only"] == 0.3
    assert pd.isna(total["tacos"])  # no total sales: TACoS not estimated


def budget_days():
    capped = campaign("A", [100.0, 98.0, 50.0, 60.0], [300.0, 290.0, 150.0, 200.0], 100.0)
    reference = campaign("B", [20.0, 20.0, 10.0, 10.0], [80.0] * 4, 1000.0)
    no_budget = campaign("C", [10.0, 10.0, 5.0, 5.0], [30.0] * 4, np.nan, "sponsored_display",
                         sales_clicks=[30.0] * 4)
    always = campaign("D", [10.0] * 4, [100.0] * 4, 10.0, "sponsored_brands")
    return ads.campaign_days([capped, reference, no_budget, always])


def test_budget_capping_known_answer():
    table = ads.budget_capping(budget_days(), 0.95, 0.25).set_index("campaign_name")
    a = table.loc["A"]
    # days 1-2 capped (100 and 98 >= 95); demand index of B + C: 4/3, 4/3, 2/3, 2/3; A would
    # have spent 55 x (4/3) / (2/3) = 110 on each capped day: 10 + 12 = 22 missed, valued at
    # 350 / 110 sales per spend on the uncapped days
    assert (a["capped_days"], a["days"]) == (2, 4)
    assert a["missed_spend"] == pytest.approx(22.0)
    assert a["missed_sales"] == pytest.approx(70.0)
    assert (a["decision_row"], a["action"], a["reason"]) == (
        "G4", "lower_bids_before_budget", "capped_above_target_acos")  # ACOS 308/940
    assert table.loc["B", "action"] == "hold" and table.loc["B", "missed_sales"] == 0.0
    assert (table.loc["C", "decision_row"], table.loc["C", "action"]) == ("G1",
                                                                          "set_daily_budget")
    # capped every day: no uncapped day to learn from -> not estimated; ACOS 0.1 within target
    d = table.loc["D"]
    assert d["capped_days"] == 4 and np.isnan(d["missed_sales"])
    assert (d["action"], d["reason"]) == ("raise_budget", "capped_within_target_acos")
    assert list(table.index[:2]) == ["D", "A"]  # not estimated first, then largest missed


def test_budget_capping_without_sales_says_so():
    """A capped campaign with spend and no sale: ACOS is not estimated, so the reason is "no
    sale", never "ACOS above target" beside an ACOS nobody can see."""
    silent = campaign("E", [50.0, 49.0, 20.0, 10.0], [0.0] * 4, 50.0)
    table = ads.budget_capping(ads.campaign_days([silent]), 0.95, 0.25).iloc[0]
    assert np.isnan(table["acos"]) and not table["has_sales"]
    assert (table["capped_days"], table["decision_row"], table["action"], table["reason"]) == (
        2, "G3", "lower_bids_before_budget", "capped_without_sales")
    # the same campaign with one sale is judged on its ACOS (79 / 1 > 0.25)
    sold = campaign("E", [50.0, 49.0, 20.0, 10.0], [1.0, 0.0, 0.0, 0.0], 50.0)
    row = ads.budget_capping(ads.campaign_days([sold]), 0.95, 0.25).iloc[0]
    assert (row["decision_row"], row["reason"]) == ("G4", "capped_above_target_acos")


def test_measure_budget_capping_scoring_shape():
    days = budget_days()
    figure = ads.measure_budget_capping(days, 0.95, DAYS[0], DAYS[-1])
    # A 2 + D 4 capped of 12 campaign-days with a budget (C has none)
    assert figure.iloc[0].to_dict() == {"numerator": 6.0, "denominator": 12.0, "value": 0.5}
    assert ads.measure_budget_capping(days, 0.95, "2027-01-01", "2027-01-31") is None
    assert ads.measure_budget_capping(None, 0.95, DAYS[0], DAYS[-1]) is None


def sb_terms():
    rows = []
    for _day in DAYS:
        rows.append(("SB - Headline", "Collection", "mat", "BROAD", "mat non slip", 10, 5.0,
                     2, 60.0))
        rows.append(("SB - Headline", "Collection", "mat", "BROAD", "mat cheap", 30, 15.0, 0,
                     0.0))
    frame = pd.DataFrame(rows, columns=["campaign_name", "ad_group_name", "targeting",
                                        "match_type", "customer_search_term", "clicks",
                                        "spend", "orders_clicks", "sales_clicks"])
    return frame.assign(date=np.repeat(DAYS, 2), impressions=1000, orders=frame[
        "orders_clicks"] + 1, sales=frame["sales_clicks"] + 30.0, currency="USD",
        ad_type="sponsored_brands")


def test_sponsored_brands_and_display_actions_from_the_one_table():
    targets = pd.DataFrame({"campaign_name": "SD - Retarget", "targeting": "similar-product",
                            "clicks": [40], "spend": [40.0], "sales": [400.0],
                            "sales_clicks": [80.0], "orders": [8], "orders_clicks": [2],
                            "impressions": [9000], "currency": "USD",
                            "ad_type": "sponsored_display"})
    tables = ads.analyse_ad_types({"sb_search_term": sb_terms(), "sd_targeting": targets}, US)
    assert set(tables) == {"sb_harvest", "sb_negatives", "sd_bids"}
    harvest = tables["sb_harvest"]
    assert list(harvest["action"]) == ["add_exact_keyword", "negate_in_source_with_harvest"]
    assert set(harvest["customer_search_term"]) == {"mat non slip"}
    # ACOS 20 / 240 on clicks-only sales (the views would make it lower still)
    negatives = tables["sb_negatives"].set_index("customer_search_term")
    assert negatives.loc["mat cheap", "action"] == "add_negative_exact"
    assert negatives.loc["mat cheap", "reason"] == "unlikely_to_convert"
    bid = tables["sd_bids"].iloc[0]
    # bids on clicks-only revenue per click: 80 / 40 x 0.25 = 0.50 against a CPC of 1.00
    assert bid["revenue_per_click"] == pytest.approx(2.0)
    assert (bid["action"], bid["reason"]) == ("lower", "acos_above_target")
    assert (tables["sd_bids"]["ad_type"] == "sponsored_display").all()


def test_sections_state_unknowns_and_what_to_download():
    missing = ads_sections.ad_type_section(None, 60, "USD", found="sp_search_term")
    assert missing.table is None and "campaign report" in missing.finding
    none = ads_sections.budget_section(None, 0.95, 60, "USD", "zh", found="-")
    assert none.table is None and "每日" in none.finding
    table = ads.budget_capping(budget_days(), 0.95, 0.25)
    section = ads_sections.budget_section(table, 0.95, 60, "USD")
    assert section.finding.startswith("2 of 4 campaigns spent at least 95% of their daily")
    assert "(not estimated for 1 campaign)" in section.finding
    assert "not estimated" in set(section.shown_table().iloc[:, 9])
    summary = ads.ad_type_summary([campaign("p", [2.5] * 4, [10.0] * 4, 50.0)], float("nan"))
    split = ads_sections.ad_type_section(summary, 60, "USD")
    assert "TACoS not estimated" in split.finding and split.notes


# ---- the scorecard split by ad type, harvest IDs across ad types, a real 0 of missed sales --

RULES = {rule: US["rules"][rule] for rule in ("acos", "roas")}


def ad_data(*frames):
    """Frames by kind, each tagged with its kind (the scorecard's coverage reads it)."""
    data = {}
    for kind, frame in frames:
        frame = frame.copy()
        frame.attrs["kind"] = kind
        data[kind] = frame
    return data


def score(data):
    card = kpi.scorecard(data, RULES, (DAYS[0], DAYS[-1]), US["ads"],
                         velocity_window_days=30)
    return card.set_index("rule_id")


def test_scorecard_scores_each_ad_type_against_the_same_rule():
    sp = campaign("p", [2.5] * 4, [10.0] * 4, 50.0, attribution_days=7)  # ACOS 10 / 40
    sb = campaign("b", [4.0] * 4, [20.0] * 4, 50.0, "sponsored_brands",  # 8 / 40 (2 days)
                  attribution_days=14)
    sd = campaign("d", [5.0] * 4, [25.0] * 4, 50.0, "sponsored_display",  # 20 / 60 clicks only
                  sales_clicks=[15.0] * 4, attribution_days=14)
    only_sp = score(ad_data(("sp_campaign", sp)))
    assert list(only_sp.index) == ["acos", "roas"]  # without SB / SD: as before
    card = score(ad_data(("sp_campaign", sp), ("sb_campaign", sb.iloc[:2]),
                         ("sd_campaign", sd)))
    assert list(card.index) == ["acos", "acos_sponsored_brands", "acos_sponsored_display",
                                "roas", "roas_sponsored_brands", "roas_sponsored_display"]
    pd.testing.assert_series_equal(card.loc["acos"], only_sp.loc["acos"])
    assert card.loc["acos_sponsored_brands", "value"] == pytest.approx(0.2)
    # each with its own coverage: the SB report covers 2 of the 4 days
    assert card.loc["acos_sponsored_brands", ["covered_days", "window_days"]].tolist() == [
        2, 4]
    # Display on its clicks-only sales, never the views-and-clicks 100
    assert card.loc["acos_sponsored_display", "value"] == pytest.approx(20 / 60)
    assert card.loc["roas_sponsored_display", "value"] == pytest.approx(3.0)
    # the same rule (ACOS within 15-25 %): SB inside it, SD above it
    assert RULES["acos"]["min"] < 0.2 < RULES["acos"]["max"] < 20 / 60
    assert card.loc["acos_sponsored_brands", "status"] == "good"
    assert card.loc["acos_sponsored_display", "status"] == "breach"
    # the rows drill down by campaign like the Sponsored Products row
    drivers = kpi.breach_drivers(ad_data(("sd_campaign", sd)), "acos_sponsored_display",
                                 RULES, (DAYS[0], DAYS[-1]), "campaign", US["ads"],
                                 velocity_window_days=30)
    assert list(drivers["campaign"]) == ["d"] and drivers["status"].iloc[0] == "breach"
    # Display without clicks-only columns: not estimated, never a 0 or a views-based ACOS
    blind = score(ad_data(("sd_campaign", sd.drop(columns="sales_clicks"))))
    assert np.isnan(blind.loc["acos_sponsored_display", "value"])
    assert blind.loc["acos_sponsored_display", "status"] == "no_data"


def test_scorecard_ad_type_rows_equal_the_ad_type_section_on_the_sample(sample_dir):
    context = report_context.prepare(
        "US", data_dir=str(sample_dir), kinds=["sp_campaign", "sb_campaign", "sd_campaign"])
    data, settings = context.data, context.params
    window = kpi.trailing_period(context.as_of, settings["ads"]["lookback_days"])
    card = kpi.scorecard(data, {r: settings["rules"][r] for r in ("acos", "roas")}, window,
                         settings["ads"], velocity_window_days=30).set_index("rule_id")
    summary = ads.ad_type_summary([kpi.in_period(data.get(kind), window)
                                   for kind in ads.CAMPAIGN_KINDS.values()], float("nan"))
    summary = summary.set_index("ad_type")
    rows = {"sponsored_products": "acos", "sponsored_brands": "acos_sponsored_brands",
            "sponsored_display": "acos_sponsored_display"}
    assert set(summary.index) == {*rows, "total"}
    for ad_type, rule_id in rows.items():
        assert card.loc[rule_id, "numerator"] == pytest.approx(summary.loc[ad_type, "spend"])
        assert card.loc[rule_id, "denominator"] == pytest.approx(
            summary.loc[ad_type, "sales_clicks_only"])
        assert card.loc[rule_id, "value"] == pytest.approx(
            summary.loc[ad_type, "acos_clicks_only"])
        roas = rule_id.replace("acos", "roas")
        assert card.loc[roas, "value"] == pytest.approx(
            1 / summary.loc[ad_type, "acos_clicks_only"])
    assert card.loc["acos_sponsored_display", "value"] != pytest.approx(
        summary.loc["sponsored_display", "acos_views_and_clicks"])


def test_harvest_ids_are_unique_across_ad_types():
    tables = ads.analyse_ad_types({"sb_search_term": sb_terms()}, US)
    assert set(tables["sb_harvest"]["harvest_id"]) == {"SB-H001"}
    sp_terms = sb_terms().drop(columns=["ad_type", "orders_clicks", "sales_clicks"])
    sp = ads.analyse(sp_terms, US)["harvest"]
    assert set(sp["harvest_id"]) == {"H001"}  # the bulk draft's IDs, unchanged
    assert not set(sp["harvest_id"]) & set(tables["sb_harvest"]["harvest_id"])


def test_a_zero_missed_sales_estimate_is_explained():
    # E reaches its budget once on a day the demand index is flat, spending 12 against the
    # 5 its uncapped days and that day's index predict: the estimate misses nothing
    swing = campaign("E", [12.0, 5.0, 5.0, 5.0], [30.0] * 4, 12.0)
    steady = campaign("F", [20.0] * 4, [80.0] * 4, 1000.0)
    table = ads.budget_capping(ads.campaign_days([swing, steady]), 0.95, 0.5)
    row = table.set_index("campaign_name").loc["E"]
    assert row["capped_days"] == 1 and row["missed_sales"] == 0.0
    section = ads_sections.budget_section(table, 0.95, 60, "USD")
    assert "1 capped campaign missed none by the estimate" in section.finding
    assert "按估算未错失销售" in ads_sections.budget_section(table, 0.95, 60, "USD",
                                                          "zh").finding
    # where something is missed, no such clause
    assert "missed none" not in ads_sections.budget_section(
        ads.budget_capping(budget_days(), 0.95, 0.25), 0.95, 60, "USD").finding

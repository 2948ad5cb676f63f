"""The sample world's Sponsored Brands and Display reports: written in every sample marketplace,
read back into the SB/SD kinds, and the planted campaign capped by budget (and the campaign
without a budget) found by ``ads.budget_capping``."""

import pandas as pd
import pytest

import opsanalysis.sample
from opsanalysis import ads, io, params
from opsanalysis.sample.sponsored import write_sponsored

KINDS = {"sb_search_term", "sb_keyword", "sb_campaign", "sb_placement", "sd_targeting",
         "sd_campaign", "sd_advertised_product"}


@pytest.fixture(scope="module")
def world():
    return opsanalysis.sample.generate(None)


def read_back(world, marketplace, folder):
    frames = {}
    for path in write_sponsored(world, marketplace, folder):
        frame = io.read_report(path, marketplace=marketplace)
        frames[frame.attrs["kind"]] = frame
    return frames


@pytest.mark.parametrize("marketplace", opsanalysis.sample.SAMPLE_MARKETPLACES)
def test_planted_budget_cap_found_in_every_marketplace(world, marketplace, tmp_path):
    frames = read_back(world, marketplace, tmp_path)
    assert set(frames) == KINDS
    assert (frames["sb_campaign"]["ad_type"] == "sponsored_brands").all()
    assert (frames["sd_campaign"]["ad_type"] == "sponsored_display").all()
    assert frames["sb_search_term"].attrs["attribution_days"] == 14
    # the placement report splits each campaign-day's figures over three placements exactly
    assert frames["sb_placement"]["spend"].sum() == pytest.approx(
        frames["sb_campaign"]["spend"].sum())
    assert frames["sb_placement"]["placement"].nunique() == 3
    planted = world.planted[marketplace]
    settings = params.load(marketplace)
    days = ads.campaign_days([frames["sb_campaign"], frames["sd_campaign"]])
    table = ads.budget_capping(days, settings["ads"]["budget_capped_share"],
                               ads.target_acos(settings)).set_index("campaign_name")
    capped = table[table["capped"]]
    # the planted campaign is the only one capped, on about as many days as it was planted
    assert list(capped.index) == [planted["budget_capped_campaign"]]
    row = capped.iloc[0]
    assert planted["budget_capped_days"] <= row["capped_days"] <= planted[
        "budget_capped_days"] + 8
    # the estimate of the missed sales is of the right size (it leans low, see its docstring)
    assert 0.3 * planted["budget_missed_sales"] < row["missed_sales"] < \
        1.2 * planted["budget_missed_sales"]
    assert (row["action"], row["reason"]) == ("raise_budget", "capped_within_target_acos")
    no_budget = table.loc[planted["no_budget_campaign"]]
    assert not no_budget["has_budget"] and no_budget["action"] == "set_daily_budget"


@pytest.mark.parametrize("marketplace", ["US", "JP"])
def test_display_views_and_clicks_stay_apart(world, marketplace, tmp_path):
    frames = read_back(world, marketplace, tmp_path)
    truth = world.frame("sponsored", marketplace)
    display = truth[truth["ad_type"] == "sponsored_display"]
    minor = 1 if marketplace == "JP" else 100
    summary = ads.ad_type_summary([frames["sb_campaign"], frames["sd_campaign"]], float("nan"))
    sd = summary.set_index("ad_type").loc["sponsored_display"]
    assert sd["sales_clicks_only"] == pytest.approx(display["sales_clicks_minor"].sum() / minor)
    assert sd["sales_views_and_clicks"] == pytest.approx(display["sales_minor"].sum() / minor)
    assert sd["sales_views_and_clicks"] > sd["sales_clicks_only"]


def test_every_marketplace_plants_a_capped_campaign_and_one_without_budget(world):
    assert set(world.truth["sponsored"]["marketplace"]) == set(world.marketplaces)
    assert pd.Series([world.planted[mp]["budget_capped_days"] for mp in world.marketplaces]
                     ).gt(20).all()
    budgets = world.truth["sponsored_campaigns"].set_index(["marketplace", "campaign_name"])
    for mp in world.marketplaces:
        assert pd.isna(budgets.loc[(mp, world.planted[mp]["no_budget_campaign"]), "budget"])

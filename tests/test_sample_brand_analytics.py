"""The sample's Brand Analytics downloads: read back with opsanalysis.io, the planted queries found
in every sample marketplace, figures consistent with the simulated sales."""

import pandas as pd
import pytest

import opsanalysis as oa
from opsanalysis import search_queries as sq
from opsanalysis.sample import SAMPLE_MARKETPLACES, generate
from opsanalysis.sample.brand_analytics import WEEKS, write_brand_analytics


@pytest.fixture(scope="module")
def world():
    return generate(None)


@pytest.fixture(scope="module")
def folders(world, tmp_path_factory):
    root = tmp_path_factory.mktemp("brand_analytics")
    for mp in SAMPLE_MARKETPLACES:
        (root / mp).mkdir()
        write_brand_analytics(world, mp, root / mp)
    return root


_LOADED = {}


def loaded(folders, mp):
    """The marketplace's Brand Analytics files read once per test session."""
    if mp not in _LOADED:
        _LOADED[mp] = oa.io.load_marketplace(folders, mp)
    return _LOADED[mp]


def analysed(folders, mp):
    data = loaded(folders, mp)
    settings = oa.params.load(mp)["search_queries"]
    shares = sq.weekly_query_shares(data.get("sqp_brand"))
    return data, settings, shares


@pytest.mark.parametrize("mp", SAMPLE_MARKETPLACES)
def test_files_read_back_with_their_weeks(world, folders, mp):
    data = loaded(folders, mp)
    assert data.unreadable_files().empty
    queries = world.planted[mp]["search_queries"]
    brand = data.get("sqp_brand")
    assert len(brand) == len(queries) * WEEKS
    assert brand["period_end"].max() == world.as_of
    assert (brand["period_end"] - brand["period_start"]).dt.days.eq(6).all()
    assert set(brand["brand"]) == set(world.frame("products", mp)["brand"])
    joined = brand.merge(world.frame("sqp", mp), on=["search_query", "period_end"],
                         suffixes=("", "_truth"), validate="one_to_one")
    assert len(joined) == len(brand)
    for column in ("search_query_volume", "total_clicks", "own_clicks", "own_purchases"):
        assert (joined[column].astype(int) == joined[f"{column}_truth"]).all(), column
    terms = data.get("top_search_terms")
    assert set(terms["search_term"]) == set(queries)
    assert set(data.get("sqp_asin")["asin"]) == set(world.frame("sqp", mp)["asin"])


@pytest.mark.parametrize("mp", SAMPLE_MARKETPLACES)
def test_our_purchases_never_exceed_what_the_asin_sold(world, mp):
    funnel = world.frame("sqp", mp)
    demand = world.frame("demand", mp)
    demand = demand[demand["date"] > funnel["period_start"].min() - pd.Timedelta(days=1)]
    week_end = funnel["period_end"].min() + pd.to_timedelta(
        ((demand["date"] - funnel["period_end"].min()).dt.days + 6) // 7 * 7, unit="D")
    sold = demand.assign(period_end=week_end).groupby(["sku", "period_end"])["units_sold"].sum()
    ours = funnel.groupby(["sku", "period_end"])["own_purchases"].sum()
    assert (ours <= sold.reindex(ours.index).fillna(0)).all()
    products = world.frame("products", mp).set_index("sku")
    assert (funnel["category"] == funnel["sku"].map(products["category"])).all()


@pytest.mark.parametrize("mp", SAMPLE_MARKETPLACES)
def test_planted_falling_query_loses_the_most_click_share(world, folders, mp):
    _, settings, shares = analysed(folders, mp)
    trend = sq.share_trend(shares, settings["trend_weeks"], settings["falling_share_change"])
    planted = world.planted[mp]["falling_query"]
    assert trend.iloc[0]["search_query"] == planted
    assert trend.iloc[0]["trend"] == "losing_share"
    assert list(trend.loc[trend["trend"] == "losing_share", "search_query"]) == [planted]


@pytest.mark.parametrize("mp", SAMPLE_MARKETPLACES)
def test_planted_challenger_enters_the_top_three_of_the_falling_query(world, folders, mp):
    data, _, shares = analysed(folders, mp)
    top = sq.top_clicked(data.get("top_search_terms"), shares["search_query"].unique())
    own = list(world.frame("products", mp)["asin"])
    movers = sq.top_three_movers(top, own, [])
    planted = world.planted[mp]
    entered = movers[(movers["search_term"] == planted["falling_query"])
                     & (movers["movement"] == "entered_top_three")
                     & (movers["competitor_type"] == "asin")]
    assert planted["falling_query_challenger"] in set(entered["competitor"])
    left = movers[(movers["search_term"] == planted["falling_query"])
                  & (movers["movement"] == "left_top_three")]
    assert left["own"].any()  # the clicks it took were ours
    competitors = sq.competitor_table(top, own)
    assert not set(competitors["asin"]) & set(own)
    assert planted["falling_query_challenger"] in set(competitors["asin"])


@pytest.mark.parametrize("mp", SAMPLE_MARKETPLACES)
def test_planted_bid_up_and_fix_listing_queries(world, folders, mp):
    _, settings, shares = analysed(folders, mp)
    actions = sq.query_actions(shares, settings["action_weeks"], settings["action_margin"],
                               settings["action_min_clicks"], settings["action_z"]) \
        .set_index("search_query")
    planted = world.planted[mp]
    assert actions.loc[planted["bid_up_query"], "action"] == "bid_up"
    assert actions.loc[planted["fix_listing_query"], "action"] == "fix_listing"
    assert actions.loc[planted["falling_query"], "action"] == "hold"


@pytest.mark.parametrize("mp", SAMPLE_MARKETPLACES)
def test_category_search_market_covers_the_categories_queried(world, folders, mp):
    data = loaded(folders, mp)
    products = world.frame("products", mp)
    market = sq.category_search_market(data.get("sqp_asin"), data.get("top_search_terms"),
                                       products)
    assert set(market["category"]) == set(world.frame("sqp", mp)["category"])
    assert market["top_3_click_share"].between(0, 1).all()
    assert (market["query_volume"] > 0).all()

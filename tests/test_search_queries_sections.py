"""The search-query sections: findings from the sample's planted queries, the missing-report
sentences, labels for every code shown, and the opportunity matrix fed with query figures."""

import pandas as pd
import pytest

import opsanalysis as oa
from opsanalysis import search_query_sections as sections
from opsanalysis.labels import all_labels
from opsanalysis.sample import generate
from opsanalysis.sample.brand_analytics import write_brand_analytics


@pytest.fixture(scope="module")
def us(tmp_path_factory):
    world = generate(None)
    root = tmp_path_factory.mktemp("ba")
    (root / "US").mkdir()
    write_brand_analytics(world, "US", root / "US")
    data = oa.io.load_marketplace(root, "US")
    frames = dict(data.frames)
    frames["product_master"] = world.frame("products", "US")
    return world, frames


@pytest.fixture(scope="module")
def settings():
    return oa.params.load("US")["search_queries"]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_sections_name_the_planted_queries(us, settings, language):
    world, frames = us
    planted = world.planted["US"]
    view = sections.prepare_search_queries(frames, settings, language)
    share = sections.query_share_section(view)
    assert planted["falling_query"] in share.finding
    assert share.figure is not None
    assert share.table["search_query"].iloc[0] == planted["falling_query"]
    actions = sections.query_actions_section(view)
    assert set(actions.table["search_query"]) >= {planted["bid_up_query"],
                                                   planted["fix_listing_query"]}
    assert set(actions.table["action"]) <= {"bid_up", "fix_listing"}
    movers = sections.top_three_movers_section(view)
    assert planted["falling_query_challenger"] in set(movers.table["competitor"])
    competitors = sections.competitors_section(view)
    assert competitors.table["asin"].iloc[0] in competitors.finding
    for section in (share, actions, movers, competitors):
        text = section.check_text()
        assert "nan" not in text.lower().split()
        assert section.html()


def test_the_movers_finding_counts_the_rows_of_its_table(us, settings):
    # the finding once compared the codes with "entered"/"left" and said 0 beside a full table
    _, frames = us
    view = sections.prepare_search_queries(frames, settings, "en")
    movers = sections.top_three_movers_section(view)
    products = view.movers[view.movers["competitor_type"] == "asin"]
    entered = int((products["movement"] == "entered_top_three").sum())
    left = int((products["movement"] == "left_top_three").sum())
    assert entered > 0 and left > 0
    assert f"This week {entered:,} products entered and {left:,} left" in movers.finding


def test_every_code_shown_has_words(us, settings):
    _, frames = us
    view = sections.prepare_search_queries(frames, settings, "zh")
    labels = all_labels()
    codes = set(view.trend["trend"]) | set(view.actions["action"]) \
        | set(view.actions["reason"]) | set(view.movers["movement"]) \
        | set(view.movers["competitor_type"]) - {"asin"}
    assert codes - {"brand"} <= set(labels)
    for table in sections.workbook_tables(view).values():
        assert set(table.columns) <= set(labels) | {"currency"}, set(table.columns) - set(labels)


def test_missing_reports_say_what_to_download(settings):
    view = sections.prepare_search_queries({}, settings, "en")
    for build in (sections.query_share_section, sections.query_actions_section,
                  sections.competitors_section, sections.top_three_movers_section):
        section = build(view)
        assert "Search Query Performance" in section.finding and section.table is None
    assert set(sections.workbook_tables(view)) == {"query_shares", "query_trend",
                                                  "query_actions"}


def test_without_top_search_terms_the_competitor_sections_ask_for_it(us, settings):
    _, frames = us
    view = sections.prepare_search_queries(
        {k: v for k, v in frames.items() if k != "top_search_terms"}, settings, "en")
    assert "Top Search Terms" in sections.competitors_section(view).finding
    assert "Top Search Terms" in sections.top_three_movers_section(view).finding
    assert sections.query_share_section(view).table is not None


def test_opportunity_matrix_shows_query_demand_and_competition_with_sources(us, settings):
    world, frames = us
    sample = oa.io.load_marketplace(oa.report_context.resolve_data_dir(""), "US")
    brand_analytics = ("sqp_brand", "sqp_asin", "top_search_terms")
    without_queries = {k: v for k, v in sample.frames.items() if k not in brand_analytics}
    data = {**without_queries, **{k: frames[k] for k in ("sqp_asin", "top_search_terms")}}
    params = oa.params.load("US")
    matrix = oa.opportunity.opportunity_matrix(data, params, world.as_of)
    queried = set(world.frame("sqp", "US")["category"])
    rows = matrix.set_index("category")
    assert rows.loc[sorted(queried), "query_volume"].gt(0).all()
    assert rows.loc[sorted(queried), "top_3_click_share"].between(0, 1).all()
    assert rows.loc[sorted(queried), "competition_source"].str.contains(
        "Top Search Terms, week ending 2026-10-31").all()
    without = oa.opportunity.opportunity_matrix(without_queries, params, world.as_of)
    assert without["query_volume"].isna().all()
    # the figure enters the competition index when params list it
    listed = {**params, "opportunity": {**params["opportunity"], "competition_inputs": {
        **params["opportunity"]["competition_inputs"], "top_3_click_share": 1.0}}}
    fed = oa.opportunity.opportunity_matrix(data, listed, world.as_of).set_index("category")
    assert not fed["competition_index"].equals(rows["competition_index"].reindex(fed.index))
    shown = oa.opportunity_sections.matrix_table(matrix)
    assert {"query_volume", "top_3_click_share"} <= set(shown.columns)
    assert "query_volume" not in oa.opportunity_sections.matrix_table(without).columns
    assert isinstance(shown, pd.DataFrame)

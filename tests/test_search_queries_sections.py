"""The search-query sections: findings from the sample's planted queries, the missing-report
sentences, labels for every code shown, and the opportunity matrix fed with query figures."""

import numpy as np
import pandas as pd
import pytest

import opsanalysis as oa
from opsanalysis import search_query_sections as sections
from opsanalysis.labels import all_labels, label
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


def test_missing_reports_say_what_to_download_once(settings):
    view = sections.prepare_search_queries({}, settings, "en")
    shown = [sections.query_share_section(view), *sections.click_competitor_sections(view),
             sections.query_actions_section(view)]  # the market report's order
    assert all(section.table is None for section in shown)
    assert "Search Query Performance" in shown[0].finding
    assert [s.finding for s in shown[1:]] == [label("needs_download_named_above", "en")] * 3
    assert set(sections.workbook_tables(view)) == {"query_shares", "query_trend",
                                                  "query_actions"}


def test_without_top_search_terms_the_competitor_sections_ask_for_it(us, settings):
    _, frames = us
    view = sections.prepare_search_queries(
        {k: v for k, v in frames.items() if k != "top_search_terms"}, settings, "en")
    assert "Top Search Terms" in sections.competitors_section(view).finding
    # said once: the next section needing it points at it
    assert sections.top_three_movers_section(view).finding == label(
        "needs_download_named_above", "en")
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
    # the default params feed the top-3 click share into the competition index when present ...
    assert "top_3_click_share" in params["opportunity"]["competition_inputs"]
    unlisted = {**params, "opportunity": {**params["opportunity"], "competition_inputs": {
        k: w for k, w in params["opportunity"]["competition_inputs"].items()
        if k != "top_3_click_share"}}}
    unfed = oa.opportunity.opportunity_matrix(data, unlisted, world.as_of).set_index("category")
    fed = rows.reindex(unfed.index)
    assert not np.allclose(fed["competition_index"], unfed["competition_index"], equal_nan=True)
    queried_rows = fed.loc[sorted(queried)]
    assert (queried_rows["quality_competition"] != "missing").all()
    # ... and change nothing without Brand Analytics
    before = oa.opportunity.opportunity_matrix(without_queries, unlisted, world.as_of)
    pd.testing.assert_frame_equal(without, before)
    shown = oa.opportunity_sections.matrix_table(matrix)
    assert {"query_volume", "top_3_click_share"} <= set(shown.columns)
    assert "query_volume" not in oa.opportunity_sections.matrix_table(without).columns
    assert isinstance(shown, pd.DataFrame)


@pytest.mark.parametrize("rows, words", [(1, "Of 1 search query, 1 lost click share"),
                                         (2, "Of 2 search queries, 1 lost click share")])
def test_share_finding_counts_queries_in_english(us, settings, rows, words):
    _, frames = us
    view = sections.prepare_search_queries(frames, settings, "en")
    losing = view.trend[view.trend["trend"] == "losing_share"].head(1)
    steady = view.trend[view.trend["trend"] != "losing_share"].head(rows - 1)
    view.trend = pd.concat([losing, steady], ignore_index=True)
    assert words in sections.query_share_section(view).finding
    view.actions = view.actions.head(rows)
    assert f"Of {words.split(',')[0].removeprefix('Of ')}, bid up" in \
        sections.query_actions_section(view).finding

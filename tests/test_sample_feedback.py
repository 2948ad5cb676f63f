"""The sample seller's Feedback Manager downloads: read back, and the planted week is found."""

from __future__ import annotations

import pandas as pd
import pytest

import opsanalysis.sample as sample
from opsanalysis import feedback, io, params
from opsanalysis.sample.feedback import write_feedback


@pytest.fixture(scope="module")
def world():
    return sample.generate(None)


@pytest.fixture(scope="module")
def folder(world, tmp_path_factory):
    root = tmp_path_factory.mktemp("feedback")
    for marketplace in sample.SAMPLE_MARKETPLACES:
        write_feedback(world, marketplace, root / marketplace)
    return root


@pytest.mark.parametrize("marketplace", sample.SAMPLE_MARKETPLACES)
def test_download_round_trips_to_the_truth(world, folder, marketplace):
    data = io.load_marketplace(folder, marketplace, strict=True)
    frame = data.get("seller_feedback")
    truth = world.frame("feedback", marketplace)
    first = sample.AS_OF - pd.Timedelta(days=364)
    written = truth[(truth["rating"] <= 3) & (truth["date"] >= first)]
    assert len(frame) == len(written) > 0
    merged = frame.merge(written, on="order_id", suffixes=("", "_truth"))
    assert len(merged) == len(written)
    assert (merged["date"] == merged["date_truth"]).all()
    assert (merged["rating"].astype(int) == merged["rating_truth"]).all()
    assert (merged["comments"].fillna("") == merged["comments_truth"]).all()


@pytest.mark.parametrize("marketplace", sample.SAMPLE_MARKETPLACES)
def test_planted_week_is_the_only_one_over_the_rule(world, folder, marketplace):
    settings = params.load(marketplace)
    stars = settings["feedback"]["negative_max_rating"]
    limit = settings["rules"]["negative_feedback_per_week"]["value"]
    frame = io.load_marketplace(folder, marketplace, strict=True).get("seller_feedback")
    weekly = feedback.weekly_negative_feedback(frame, max_rating=stars, limit=limit,
                                               as_of=sample.AS_OF, weeks=52)
    over = weekly[weekly["over_weekly_limit"]]
    planted = world.planted[marketplace]
    assert list(over["week_start"]) == [planted["feedback_negative_week"]]
    assert over["negative_feedback"].iloc[0] == 2
    assert over["negative_answered"].iloc[0] == 1
    measured = feedback.measure_negative_feedback_per_week(
        frame, "2026-10-01", "2026-10-31", max_rating=stars)
    assert measured["value"].iloc[0] == 2
    assert measured["week_start"].iloc[0] == planted["feedback_negative_week"]


@pytest.mark.parametrize("marketplace", sample.SAMPLE_MARKETPLACES)
def test_planted_comments_get_their_themes_and_the_open_one_is_to_answer(world, folder,
                                                                          marketplace):
    themes = params.load(marketplace)["feedback"]["themes"]
    frame = io.load_marketplace(folder, marketplace, strict=True).get("seller_feedback")
    late, damaged = world.planted[marketplace]["feedback_negative_orders"]
    listed = feedback.negatives_to_answer(frame, max_rating=2, themes=themes,
                                          as_of=sample.AS_OF, top=100)
    assert late in set(listed["order_id"]) and damaged not in set(listed["order_id"])
    assert listed.set_index("order_id").loc[late, "feedback_theme"] == "late_delivery"
    planted = frame[frame["order_id"].isin([late, damaged])].set_index("order_id")
    themed = feedback.theme_of(planted["comments"], themes)
    assert themed[late] == "late_delivery" and themed[damaged] == "damaged_item"
    # every simulated negative comment lands in the theme it was written for
    truth = world.frame("feedback", marketplace)
    negatives = truth[truth["rating"] <= 2]
    assert (feedback.theme_of(negatives["comments"], themes) == negatives["theme"]).all()

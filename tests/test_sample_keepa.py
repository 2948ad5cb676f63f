"""The sample's Keepa exports: the planted competitor price cut explains a sales dip, everywhere."""

import pandas as pd
import pytest

import opsanalysis.sample
from opsanalysis import competitors, io
from opsanalysis.io import kinds_keepa
from opsanalysis.sample import keepa as sample_keepa
from opsanalysis.sample import writers


@pytest.fixture(scope="module")
def world():
    return opsanalysis.sample.generate(None)


@pytest.mark.parametrize("marketplace", opsanalysis.sample.SAMPLE_MARKETPLACES)
def test_planted_price_cut_explains_the_dip(world, marketplace, tmp_path):
    planted = world.planted[marketplace]
    sample_keepa.write_keepa(world, marketplace, tmp_path)
    writers.write_all_orders(world, marketplace, tmp_path)
    frames = {kind: [] for kind in ("keepa_history", "competitors", "all_orders")}
    for path in sorted(tmp_path.iterdir()):
        frame = io.read_report(path, marketplace=marketplace)
        if frame.attrs["kind"] in frames:
            frames[frame.attrs["kind"]].append(frame)
    assert len(frames["keepa_history"]) == sample_keepa.WATCHED_ASINS * (
        1 + sample_keepa.COMPETITORS_PER_ASIN)
    pairs = kinds_keepa.check_competitors(frames["competitors"][0])
    daily = competitors.daily_history(pd.concat(frames["keepa_history"], ignore_index=True))
    units = competitors.daily_units(frames["all_orders"][0])
    changes = competitors.price_changes(daily, pairs, 0.05)
    causes = competitors.price_cut_sales_dips(changes, units, 7, 0.2)
    found = causes[causes["competitor_asin"] == planted["keepa_cut_competitor_asin"]]
    assert len(found) == 1
    row = found.iloc[0]
    assert row["our_asin"] == planted["keepa_cut_asin"]
    assert row["cut_date"] == planted["keepa_cut_date"]
    assert row["price_change_share"] == pytest.approx(planted["keepa_cut_size"], abs=0.01)
    assert row["sales_change_share"] <= -0.2
    # the dip was in the world before the cut: no event, stockout or own price change
    assert sample_keepa.find_sales_dip(world, marketplace)["change"] <= \
        -sample_keepa.DIP_MIN_DROP

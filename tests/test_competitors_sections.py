"""The market sections: the planted cut reported with dates and sizes, missing files explained."""

from types import SimpleNamespace

import pandas as pd
import pytest

import opsanalysis.sample
from opsanalysis import competitor_sections as sections
from opsanalysis import io, marketplaces, params
from opsanalysis.labels import label
from opsanalysis.sample import keepa as sample_keepa
from opsanalysis.sample import writers

SECTIONS = (sections.likely_causes, sections.price_changes, sections.price_position,
            sections.buy_box, sections.sales_rank, sections.reviews)


def _report(data, language="en", marketplace="US"):
    return SimpleNamespace(data=data, params=params.load(marketplace),
                           as_of=opsanalysis.sample.AS_OF, language=language,
                           marketplace=marketplaces.get(marketplace))


@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory):
    world = opsanalysis.sample.generate(None)
    folder = tmp_path_factory.mktemp("market") / "US"
    folder.mkdir()
    sample_keepa.write_keepa(world, "US", folder)
    writers.write_all_orders(world, "US", folder)
    writers.write_product_master(world, "US", folder)
    return folder, world.planted["US"]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_sections_report_the_planted_cut(sample_folder, language):
    folder, planted = sample_folder
    data = io.load_marketplace(folder.parent, "US")
    report = _report(data, language)
    inputs = sections.prepare(report)
    causes = sections.likely_causes(report, inputs)
    assert causes.table["competitor_asin"].tolist() == [planted["keepa_cut_competitor_asin"]]
    assert planted["keepa_cut_date"].strftime("%Y-%m-%d") in causes.finding
    assert causes.figure is not None
    for function in SECTIONS:
        section = function(report, inputs)
        text = section.check_text()
        assert "nan" not in text.split() and section.table is not None
    tables = sections.workbook_tables(report, inputs)
    assert set(tables) == {"likely_causes", "price_changes", "price_position", "buy_box",
                           "sales_rank", "reviews"}
    position = tables["price_position"].set_index("competitor_asin")
    assert position.loc[planted["keepa_cut_competitor_asin"], "position"] == "dearer"


def test_missing_keepa_or_competitors_file_says_what_to_download(tmp_path):
    folder = tmp_path / "US"
    folder.mkdir()
    (folder / "KeepaExport-B0AAAAAAA1-History.csv").write_text(
        "Date,ASIN,Buy Box,Sales Rank,Review Count\n2026-10-30,B0AAAAAAA1,$9.99,40,10\n"
        "2026-10-31,B0AAAAAAA1,$9.99,45,12\n", encoding="utf-8")
    report = _report(io.load_marketplace(tmp_path, "US"))
    inputs = sections.prepare(report)
    findings = [function(report, inputs).finding for function in SECTIONS]
    # the three sections needing competitors.csv: the first names it, the others point at it
    assert "competitors.csv" in findings[0]
    assert [f for f in findings[1:3]] == [label("needs_download_named_above", "en")] * 2
    assert sections.sales_rank(report, inputs).table is not None  # needs no pairs
    (tmp_path / "none" / "US").mkdir(parents=True)
    empty = _report(io.load_marketplace(tmp_path / "none", "US"))
    inputs = sections.prepare(empty)
    shown = [function(empty, inputs) for function in SECTIONS]
    assert all(section.table is None for section in shown)
    texts = "\n".join(section.check_text() for section in shown)
    assert texts.count(label("needs_keepa_exports", "en")) == 1  # said once, in the first
    assert label("needs_keepa_exports", "en") == shown[0].finding
    assert sections.workbook_tables(empty, inputs) == {}


@pytest.mark.parametrize("count, words", [(1, "1 competitor price cut came"),
                                          (2, "2 competitor price cuts came")])
def test_price_cut_finding_counts_in_english(sample_folder, count, words):
    folder, _ = sample_folder
    report = _report(io.load_marketplace(folder.parent, "US"))
    inputs = sections.prepare(report)
    cause = inputs.causes.iloc[[0]]
    inputs.causes = pd.concat([cause] * count, ignore_index=True)
    assert words in sections.likely_causes(report, inputs).finding
    changes = sections.price_changes(report, inputs).finding
    assert "1 competitor price change of" in changes  # the planted cut alone in the window

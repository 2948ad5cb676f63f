"""Pulling Sponsored Brands, Sponsored Display (Ads API v3) and Brand Analytics (SP-API) reports
from the local fake Amazon: the pulled files read, through the same readers, exactly like the
same documents saved by hand from the Ads console and Seller Central; with faults, FATAL
reports, killed pulls and Amazon's request rules (whole weeks, 200-character ASIN lists,
documented columns)."""

import datetime
import random

import pandas as pd
import pytest

import opsanalysis.io as oio
from opsanalysis import pull as oa_pull
from opsanalysis.pull import settings, store
from tests.fake_amazon import SECRETS, FakeAmazon, write_hand_saved
from tests.test_pull import NOW, Clock, credentials

SINCE, UNTIL = datetime.date(2026, 9, 30), datetime.date(2026, 10, 31)
ADS_KINDS = ["sb_search_term", "sb_keyword", "sb_campaign", "sd_targeting", "sd_campaign",
             "sd_advertised_product"]
BA_KINDS = ["sqp_asin", "top_search_terms"]
# the Brand Analytics weeks wholly inside SINCE..UNTIL (Sunday to Saturday)
WEEKS = [(datetime.date(2026, 10, 4) + datetime.timedelta(days=7 * n),
          datetime.date(2026, 10, 10) + datetime.timedelta(days=7 * n)) for n in range(4)]
# sort keys of each kind's rows (a file holds no order the comparison could rely on)
KEYS = {"sqp_asin": ["asin", "period_start", "search_query"],
        "top_search_terms": ["period_start", "search_frequency_rank"]}


def _plain(frame):
    frame = frame.reset_index(drop=True)
    frame.attrs = {}
    return frame


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    """The derived documents saved by hand, read by kind (restricted to SINCE..UNTIL)."""
    folder = tmp_path_factory.mktemp("hand") / "US"
    frames = {}
    for path in write_hand_saved("US", folder):
        frame = oio.read_report(path, "US")
        frames.setdefault(frame.attrs["kind"], []).append(frame)
    out = {}
    for kind, parts in frames.items():
        frame = pd.concat(parts, ignore_index=True)
        if "date" in frame:
            frame = frame[frame["date"] >= pd.Timestamp(SINCE)]
        else:
            frame = frame[frame["period_start"] >= pd.Timestamp(SINCE)]
        out[kind] = _plain(frame)
    return out


def run_pull(fake, data_dir, clock=None, kinds=ADS_KINDS + BA_KINDS, **options):
    """A pull of ``kinds``; the Brand Analytics ASINs come from a pulled FBA inventory."""
    clock = clock or Clock()
    if any(kind in BA_KINDS for kind in kinds) and "asins" not in options:
        kinds = ["fba_inventory", *kinds]
    return oa_pull.pull(["US"], data_dir, since=options.pop("since", SINCE), until=UNTIL,
                        kinds=kinds, credentials=credentials(), endpoints=fake.endpoints(),
                        sleep=clock.sleep, clock=clock, now=lambda: NOW,
                        rng=random.Random(0), **options)


def pulled(folder, kind) -> pd.DataFrame:
    names = dict.fromkeys(r["file"] for r in store.read_manifest(folder)
                          if r.get("event") == "stored" and r["kind"] == kind)
    frames = [oio.read_report(folder / name, "US") for name in names]
    assert all(frame.attrs["kind"] == kind for frame in frames), kind
    return _plain(pd.concat(frames, ignore_index=True))


def assert_complete(folder, hand, kinds):
    """Every document once, nothing partial or pending, and each kind reads like the
    hand-saved files in every column the API gives."""
    stored = [r for r in store.read_manifest(folder) if r.get("event") == "stored"]
    files = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert files == sorted({r["file"] for r in stored}), "a file outside the manifest"
    assert len(files) == len(stored), "a document stored twice"
    assert not list((folder / ".pull" / "partial").glob("*")), "a partial document was left"
    assert store.pending_requests(folder) == {}
    for kind in kinds:
        got, want = pulled(folder, kind), hand[kind]
        assert set(got.columns) <= set(want.columns), kind
        want = want[list(got.columns)]
        keys = KEYS.get(kind, list(got.columns))
        got, want = (f.sort_values(keys, kind="stable").reset_index(drop=True)
                     for f in (got, want))
        pd.testing.assert_frame_equal(got, want, check_dtype=False, obj=kind)


def test_sponsored_brands_and_display_read_like_the_console_reports(tmp_path, hand):
    with FakeAmazon() as fake:
        result = run_pull(fake, tmp_path, kinds=ADS_KINDS)
        configurations = {body["configuration"]["reportTypeId"]: body["configuration"]
                          for body in (r["body"] for r in fake.reports.values())}
    assert result.ok and not result.skipped, (result.failed, result.skipped)
    folder = tmp_path / "US"
    assert_complete(folder, hand, ADS_KINDS)
    # 31-day chunks: 2026-09-30..10-30 and 10-31, named by kind and period
    names = {r["file"] for r in result.stored}
    assert "Sponsored_Brands_Search_term_report_2026-09-30_2026-10-30.csv" in names
    assert "Sponsored_Display_Advertised_product_report_2026-10-31_2026-10-31.csv" in names
    assert configurations["sbTargeting"]["adProduct"] == "SPONSORED_BRANDS"
    assert configurations["sdCampaigns"]["adProduct"] == "SPONSORED_DISPLAY"
    campaign = pulled(folder, "sb_campaign")
    assert set(campaign["ad_type"]) == {"sponsored_brands"}
    assert set(campaign["attribution_days"]) == {14}  # "14 Day Total Sales" headers
    assert set(pulled(folder, "sd_targeting")["ad_type"]) == {"sponsored_display"}
    # keywords and product targets: keywordText or targetingText, one Targeting column
    keyword = pulled(folder, "sb_keyword")
    assert keyword["targeting"].notna().all()
    assert keyword["targeting"].str.startswith('asin="').any()
    assert (keyword["match_type"] == "EXACT").any()


def test_brand_analytics_reads_like_the_seller_central_downloads(tmp_path, hand):
    with FakeAmazon() as fake:
        result = run_pull(fake, tmp_path, kinds=BA_KINDS)
        options = list(fake.sqp_asin_options)
    assert result.ok and not result.skipped, (result.failed, result.skipped)
    folder = tmp_path / "US"
    assert_complete(folder, hand, BA_KINDS)
    # the ASINs of the pulled FBA inventory, in lists Amazon takes (<= 200 characters)
    (inventory,) = folder.glob("Manage_FBA_Inventory_*")
    asins = sorted(oio.read_report(inventory, "US")["asin"].unique())
    assert len(asins) > 18 and all(len(option) <= 200 for option in options)
    assert sorted(" ".join(options[:len(options) // len(WEEKS)]).split()) == asins
    # whole Sunday-Saturday weeks only; one SQP file per ASIN and week
    periods = {(r["first"], r["last"]) for r in result.stored}
    assert periods == {(f"{first}", f"{last}") for first, last in WEEKS} | {(None, f"{UNTIL}")}
    sqp = pulled(folder, "sqp_asin")
    assert (sqp.groupby("asin")["period_start"].nunique() == len(WEEKS)).all()
    assert set(sqp["reporting_range"]) == {"weekly"}
    assert sqp["own_impression_share"].between(0, 1).all()
    terms = pulled(folder, "top_search_terms")
    assert terms["clicked_asin_1"].notna().all() and terms["click_share_1"].between(0, 1).all()


def test_only_whole_weeks_are_asked_for_and_brand_analytics_is_opt_in(tmp_path):
    with FakeAmazon() as fake:
        result = oa_pull.pull(["US"], tmp_path, since=datetime.date(2026, 10, 1),
                              until=datetime.date(2026, 10, 28), kinds=["top_search_terms"],
                              credentials=credentials(), endpoints=fake.endpoints(),
                              sleep=lambda s: None, now=lambda: NOW)
        starts = sorted(key[3][:10] for key in fake.creates)
    assert result.ok
    assert starts == ["2026-10-04", "2026-10-11", "2026-10-18"]  # not 10-01..03, not 10-25..28
    assert not set(BA_KINDS) & set(oa_pull.default_kinds())
    assert set(ADS_KINDS) <= set(oa_pull.default_kinds())
    assert set(settings()["opt_in_kinds"]) == set(BA_KINDS)


def test_search_query_performance_without_an_asin_list_is_skipped(tmp_path):
    with FakeAmazon() as fake:
        result = oa_pull.pull(["US"], tmp_path, since=SINCE, until=UNTIL, kinds=["sqp_asin"],
                              credentials=credentials(), endpoints=fake.endpoints(),
                              sleep=lambda s: None, now=lambda: NOW)
        assert not fake.creates
        given = oa_pull.pull(["US"], tmp_path, since=SINCE, until=UNTIL, kinds=["sqp_asin"],
                             asins={"US": ["B0WX92GUM2"]}, credentials=credentials(),
                             endpoints=fake.endpoints(), sleep=lambda s: None,
                             now=lambda: NOW)
        assert fake.sqp_asin_options == ["B0WX92GUM2"] * len(WEEKS)
    assert result.skipped == ["US sqp_asin: no ASIN list (no fba_inventory document in the "
                              "folder; pass asins)"]
    assert given.ok and {r["file"].split("_")[5] for r in given.stored} == {"B0WX92GUM2"}


@pytest.mark.parametrize("operation, fault, times, kinds", [
    ("createReport", "429", 2, BA_KINDS), ("getReport", "500", 2, BA_KINDS),
    ("getReportDocument", "429", 2, BA_KINDS), ("download", "500", 2, ADS_KINDS + BA_KINDS),
    ("adsCreateReport", "429", 2, ADS_KINDS), ("adsGetReport", "500", 2, ADS_KINDS),
    ("token", "500", 2, ADS_KINDS + BA_KINDS), ("getReport", "expire", 1, BA_KINDS),
    ("adsGetReport", "expire", 1, ADS_KINDS), ("truncate", "truncate", 2, ADS_KINDS + BA_KINDS)])
def test_faults_are_retried_and_the_result_is_complete(tmp_path, hand, operation, fault, times,
                                                       kinds):
    clock = Clock()
    with FakeAmazon() as fake:
        fake.fail(operation, fault, times=times)
        result = run_pull(fake, tmp_path, clock, kinds=kinds)
        assert not fake.faults[operation], "the fault was never met"
    assert result.ok, result.failed
    assert_complete(tmp_path / "US", hand, kinds)
    if fault == "429":
        assert 3.0 in clock.waits  # Retry-After honoured


def test_fatal_reports_are_reported_with_amazons_reason_and_others_are_stored(tmp_path, hand):
    fatal = {"sbCampaigns", "GET_BRAND_ANALYTICS_SEARCH_QUERY_PERFORMANCE_REPORT"}
    with FakeAmazon(fatal_types=fatal) as fake:
        result = run_pull(fake, tmp_path)
    failures = {(f["kind"], f["status"]) for f in result.failed}
    assert failures == {("sb_campaign", "FAILED"), ("sqp_asin", "FATAL")}
    sqp = [f for f in result.failed if f["kind"] == "sqp_asin"]
    assert len(sqp) == len(WEEKS)
    assert all("not eligible for this report type" in f["error"] for f in sqp)
    folder = tmp_path / "US"
    assert not list(folder.glob("Sponsored_Brands_Campaign_*"))
    assert not list(folder.glob("Search_Query_Performance_*"))
    assert_complete(folder, hand, [k for k in ADS_KINDS + BA_KINDS
                                   if k not in ("sb_campaign", "sqp_asin")])


def test_a_killed_pull_resumes_its_pending_requests(tmp_path, hand):
    with FakeAmazon() as fake:
        with pytest.raises(KeyboardInterrupt):
            run_pull(fake, tmp_path, Clock(kill_after=20))  # while an SQP week is made
        folder = tmp_path / "US"
        pending = store.pending_requests(folder)
        assert [r for r in pending.values() if r["kind"] == "sqp_asin"
                and len(r["request_id"].split()) == 3], pending
        created = sum(fake.creates.values())
        result = run_pull(fake, tmp_path)
        assert result.ok, result.failed
        # pending requests (several report ids for one SQP week) polled, not asked again
        assert all(count == 1 for count in fake.creates.values()), fake.creates
        assert sum(fake.creates.values()) > created
    assert_complete(folder, hand, ADS_KINDS + BA_KINDS)


def test_a_column_amazon_does_not_document_is_refused_with_its_reason(tmp_path, monkeypatch):
    spec = settings()["ads_api"]["sd_campaign"]
    monkeypatch.setitem(spec, "columns", spec["columns"] | {"brandedSearchesBogus": "status"})
    with FakeAmazon() as fake:
        result = run_pull(fake, tmp_path, kinds=["sd_campaign"])
        assert not fake.creates
    (failure,) = {f["error"] for f in result.failed}
    assert "invalid columns ['brandedSearchesBogus']" in failure
    assert not any(secret in failure for secret in SECRETS.values())


def test_the_inventory_named_after_the_search_query_report_is_pulled_first(tmp_path):
    with FakeAmazon() as fake:
        result = oa_pull.pull(["US"], tmp_path, since=WEEKS[-1][0], until=UNTIL,
                              kinds=["sqp_asin", "fba_inventory"], credentials=credentials(),
                              endpoints=fake.endpoints(), sleep=lambda s: None, now=lambda: NOW)
        assert len(fake.sqp_asin_options) == 3  # 38 ASINs: 18 + 18 + 2
    assert result.ok and not result.skipped
    assert [r["kind"] for r in result.stored][0] == "fba_inventory"

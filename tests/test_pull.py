"""Pulls against the local fake Amazon (tests/fake_amazon.py): documents, faults, resumption,
incremental requests and secrets that never leak."""

import datetime
import logging
import random
from pathlib import Path

import pandas as pd
import pytest

import opsanalysis.io as oio
from opsanalysis import pull as oa_pull
from opsanalysis.pull import Credentials, store
from opsanalysis.pull.http import RateLimiter
from tests.fake_amazon import PROFILES, SAMPLE, SECRETS, FakeAmazon

UNTIL = datetime.date(2026, 10, 31)
SINCE = datetime.date(2026, 9, 30)
# sp_search_term is left out: reading the sample's xlsx takes ~16 s (test_pull_ads.py checks
# the search-term CSV the pull writes)
KINDS = ["all_orders", "fba_inventory", "restock", "account_health", "sp_campaign"]
# what each kind's documents must read as: the sample file, restricted to the window
SOURCES = {"all_orders": "All_Orders_*", "fba_inventory": "Manage_FBA_Inventory_*",
           "restock": "Restock_Inventory_*", "account_health": "GET_V2_SELLER_PERFORMANCE_*",
           "sp_campaign": "Sponsored_Products_Campaign_report_*"}
NOW = datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC)


class Clock:
    """Fake time: sleeping advances it; waits are recorded, nothing waits."""

    def __init__(self, kill_after=None):
        self.t, self.waits, self.kill_after = 1000.0, [], kill_after

    def __call__(self):
        return self.t

    def sleep(self, seconds):
        self.waits.append(seconds)
        if self.kill_after is not None and len(self.waits) >= self.kill_after:
            raise KeyboardInterrupt("pull killed")
        self.t += seconds


def credentials(endpoints=None):
    return Credentials(
        sp_client_id=SECRETS["sp_client_id"], sp_client_secret=SECRETS["sp_client_secret"],
        sp_refresh_tokens={"NA": SECRETS["sp_refresh_token"]},
        ads_client_id=SECRETS["ads_client_id"], ads_client_secret=SECRETS["ads_client_secret"],
        ads_refresh_token=SECRETS["ads_refresh_token"], ads_profiles=dict(PROFILES),
        endpoints=endpoints or {})


def run_pull(fake, data_dir, clock=None, kinds=KINDS, **options):
    clock = clock or Clock()
    return oa_pull.pull(["US"], data_dir, since=options.pop("since", SINCE), until=UNTIL,
                        kinds=kinds, credentials=credentials(), endpoints=fake.endpoints(),
                        sleep=clock.sleep, clock=clock, now=lambda: NOW,
                        rng=random.Random(0), **options)


def _plain(frame):
    frame = frame.reset_index(drop=True)
    frame.attrs = {}
    return frame


@pytest.fixture(scope="module")
def expected():
    """The sample's frames of each kind, restricted to the pulled window."""
    frames = {}
    for kind, pattern in SOURCES.items():
        (path,) = (SAMPLE / "US").glob(pattern)
        frame = oio.read_report(path, "US")
        if kind == "all_orders":
            start = pd.Timestamp(SINCE, tz="America/Los_Angeles")
            end = pd.Timestamp(UNTIL + datetime.timedelta(days=1), tz="America/Los_Angeles")
            frame = frame[(frame["purchase_date"] >= start) & (frame["purchase_date"] < end)]
        elif kind.startswith("sp_"):
            frame = frame[frame["date"] >= pd.Timestamp(SINCE)]
        frames[kind] = _plain(frame)
    return frames


def pulled_frame(folder: Path, kind: str) -> pd.DataFrame:
    names = sorted(r["file"] for r in store.read_manifest(folder)
                   if r.get("event") == "stored" and r["kind"] == kind)
    frames = [oio.read_report(folder / name, "US") for name in dict.fromkeys(names)]
    return _plain(pd.concat(frames, ignore_index=True))


def assert_complete(folder: Path, expected, kinds=KINDS):
    """Every document once, nothing partial, and the readers see the sample's rows."""
    stored = [r for r in store.read_manifest(folder) if r.get("event") == "stored"]
    files = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert files == sorted({r["file"] for r in stored}), "a file outside the manifest"
    assert not list((folder / ".pull" / "partial").glob("*")), "a partial document was left"
    periods = [(r["kind"], r["first"], r["last"]) for r in stored]
    assert len(periods) == len(set(periods)), "a period stored twice"
    assert store.pending_requests(folder) == {}
    for kind in kinds:
        pulled = pulled_frame(folder, kind)
        want = expected[kind]
        if kind.startswith("sp_"):  # the API gives no rates; every column it gives must agree
            want = want[[c for c in want.columns if c in pulled.columns]]
            pulled = pulled[want.columns]
            pulled, want = (f.sort_values(list(f.columns[:6])).reset_index(drop=True)
                            for f in (pulled, want))
        pd.testing.assert_frame_equal(pulled, want, check_dtype=False)


def test_a_clean_pull_stores_every_document_once_and_reads_like_the_sample(tmp_path, expected):
    with FakeAmazon() as fake:
        result = run_pull(fake, tmp_path)
    assert result.ok and not result.skipped, (result.failed, result.skipped)
    folder = tmp_path / "US"
    assert_complete(folder, expected)
    names = {r["file"] for r in result.stored}
    assert {"All_Orders_2026-09-30_2026-10-29.txt.gz", "All_Orders_2026-10-30_2026-10-31.txt.gz",
            "Restock_Inventory_2026-10-31.txt.gz",
            "Sponsored_Products_Campaign_report_2026-09-30_2026-10-30.csv",
            "Sponsored_Products_Campaign_report_2026-10-31_2026-10-31.csv"} <= names
    record = next(r for r in result.stored if r["kind"] == "all_orders")
    assert record["report_type"] == "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
    assert record["marketplace"] == "US" and record["request_id"]
    assert record["time"] == "2026-11-01T12:00:00+00:00"
    # the pulled folder loads like a saved one
    data = oio.load_marketplace(tmp_path, "US")
    assert not (data.summary["status"] == "error").any()


def test_a_second_pull_asks_for_nothing_held(tmp_path):
    with FakeAmazon() as fake:
        run_pull(fake, tmp_path, kinds=["all_orders", "restock", "sp_campaign"])
        first = sum(fake.creates.values())
        result = run_pull(fake, tmp_path, kinds=["all_orders", "restock", "sp_campaign"])
        assert sum(fake.creates.values()) == first == 5
    assert result.stored == [] and result.ok


def test_the_default_window_starts_after_the_last_day_held(tmp_path):
    with FakeAmazon() as fake:
        run_pull(fake, tmp_path, kinds=["all_orders"], since=datetime.date(2026, 10, 1))
        clock = Clock()
        oa_pull.pull(["US"], tmp_path, until=datetime.date(2026, 11, 3), kinds=["all_orders"],
                     credentials=credentials(), endpoints=fake.endpoints(), sleep=clock.sleep,
                     clock=clock, now=lambda: NOW)
        starts = sorted(key[3] for key in fake.creates)
    # 2026-10-01..10-30 and 10-31 (30-day chunks), then only what the second pull lacked
    assert starts == ["2026-10-01T00:00:00-07:00", "2026-10-31T00:00:00-07:00",
                      "2026-11-01T00:00:00-07:00"]


SP_KINDS, ADS_KINDS = ["all_orders", "restock"], ["sp_campaign"]


@pytest.mark.parametrize("operation, fault, times, kinds", [
    ("createReport", "429", 2, SP_KINDS), ("getReport", "500", 2, SP_KINDS),
    ("getReportDocument", "429", 2, SP_KINDS), ("download", "500", 2, SP_KINDS + ADS_KINDS),
    ("adsCreateReport", "429", 2, ADS_KINDS), ("adsGetReport", "500", 2, ADS_KINDS),
    ("token", "500", 2, SP_KINDS), ("getReport", "expire", 1, SP_KINDS),
    ("adsGetReport", "expire", 1, ADS_KINDS), ("truncate", "truncate", 2, SP_KINDS + ADS_KINDS)])
def test_faults_are_retried_and_the_result_is_complete(tmp_path, expected, operation, fault,
                                                       times, kinds):
    clock = Clock()
    with FakeAmazon() as fake:
        fake.fail(operation, fault, times=times)
        result = run_pull(fake, tmp_path, clock, kinds=kinds)
        assert not fake.faults[operation], "the fault was never met"
    assert result.ok, result.failed
    assert_complete(tmp_path / "US", expected, kinds)
    if fault == "429":
        assert 3.0 in clock.waits  # Retry-After honoured


def test_the_rate_limiter_keeps_the_usage_plan_and_its_header_updates():
    clock = Clock()
    limiter = RateLimiter({"getReport": [2.0, 2]}, clock, clock.sleep)
    for _ in range(3):  # burst of 2, then one request per 0.5 s
        limiter.acquire("getReport")
    assert clock.waits == [pytest.approx(0.5)]
    limiter.update("getReport", "0.5")  # x-amzn-RateLimit-Limit
    limiter.exhaust("getReport")  # a 429: no request left in the bucket
    limiter.acquire("getReport")
    assert clock.waits[-1] == pytest.approx(2.0)


def test_a_fatal_report_is_reported_with_amazons_reason_and_others_are_stored(tmp_path,
                                                                               expected):
    with FakeAmazon(fatal_types={"GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT",
                                 "spCampaigns"}) as fake:
        result = run_pull(fake, tmp_path)
    failures = {(f["kind"], f["status"]) for f in result.failed}
    assert failures == {("restock", "FATAL"), ("sp_campaign", "FAILED")}
    restock = next(f for f in result.failed if f["kind"] == "restock")
    assert "not eligible for this report type" in restock["error"]
    folder = tmp_path / "US"
    assert not list(folder.glob("Restock_*")) and not list(folder.glob("*Campaign*"))
    assert_complete(folder, expected, [k for k in KINDS if k not in ("restock", "sp_campaign")])
    failed = [r for r in store.read_manifest(folder) if r["event"] == "failed"]
    assert len(failed) == 3 and all(r["reason"] for r in failed)


def test_a_killed_pull_resumes_its_pending_requests(tmp_path, expected):
    with FakeAmazon() as fake:
        with pytest.raises(KeyboardInterrupt):
            run_pull(fake, tmp_path, Clock(kill_after=3))
        folder = tmp_path / "US"
        assert store.pending_requests(folder), "the kill left no pending request"
        created = sum(fake.creates.values())
        result = run_pull(fake, tmp_path)
        assert result.ok, result.failed
        # nothing asked twice: pending requests were polled, not created again
        assert all(count == 1 for count in fake.creates.values()), fake.creates
        assert sum(fake.creates.values()) > created
    assert_complete(folder, expected)


def test_a_refreshed_period_keeps_the_different_earlier_document(tmp_path):
    with FakeAmazon() as fake:
        run_pull(fake, tmp_path, kinds=["restock"])
        folder = tmp_path / "US"
        (name,) = [p.name for p in folder.glob("Restock_*")]
        (folder / name).write_bytes(b"an earlier, different document")
        run_pull(fake, tmp_path, kinds=["restock"], refresh=True)
    kept = list((folder / ".pull" / "replaced").glob(f"{name}.*"))
    assert [p.read_bytes() for p in kept] == [b"an earlier, different document"]
    assert oio.read_report(folder / name, "US").attrs["kind"] == "restock"


def test_sales_and_traffic_weeks_are_pulled_as_sp_api_json(tmp_path):
    with FakeAmazon() as fake:
        result = run_pull(fake, tmp_path, kinds=["sales_and_traffic"],
                          since=datetime.date(2026, 10, 25))
    (record,) = result.stored
    assert record["file"] == "GET_SALES_AND_TRAFFIC_REPORT_2026-10-25_2026-10-31.json.gz"
    original = SAMPLE / "US" / "GET_SALES_AND_TRAFFIC_REPORT_2026-10-25_2026-10-31.json"
    for kind in ("business_report_asin", "business_report_date"):
        pd.testing.assert_frame_equal(
            _plain(oio.read_report(tmp_path / "US" / record["file"], "US", kind=kind)),
            _plain(oio.read_report(original, "US", kind=kind)))


def test_missing_credentials_skip_that_api(tmp_path):
    with FakeAmazon() as fake:
        clock = Clock()
        result = oa_pull.pull(["US"], tmp_path, since=UNTIL, until=UNTIL,
                              kinds=["restock", "sp_campaign"],
                              credentials=Credentials(
                                  sp_client_id=SECRETS["sp_client_id"],
                                  sp_client_secret=SECRETS["sp_client_secret"],
                                  sp_refresh_tokens={"NA": SECRETS["sp_refresh_token"]}),
                              endpoints=fake.endpoints(), sleep=clock.sleep, clock=clock,
                              now=lambda: NOW)
    assert [r["kind"] for r in result.stored] == ["restock"]
    assert result.skipped == ["US sp_campaign: no ads_api credentials"]


def test_the_credentials_endpoints_are_used_region_by_region(tmp_path):
    with FakeAmazon() as fake:
        regional = {key: {"NA": url} for key, url in fake.endpoints().items()}
        clock = Clock()
        result = oa_pull.pull(["US"], tmp_path, since=UNTIL, until=UNTIL, kinds=["restock"],
                              credentials=credentials(regional), sleep=clock.sleep,
                              clock=clock, now=lambda: NOW)
        assert fake.calls["createReport"] == 1
    assert [r["kind"] for r in result.stored] == ["restock"]


@pytest.mark.parametrize("url", ["http://sellingpartnerapi-na.amazon.com",
                                 "http://192.168.1.20:8080", "https://user:pw@127.0.0.1"])
def test_an_unsafe_endpoint_is_refused_before_any_request(tmp_path, url):
    with pytest.raises(oa_pull.CredentialsError):
        oa_pull.pull(["US"], tmp_path, kinds=["restock"], credentials=credentials(),
                     endpoints={"sp_api": url}, sleep=lambda s: None)
    assert not (tmp_path / "US").exists()


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown kind.*no_such_report"):
        oa_pull.pull(["US"], "unused", kinds=["no_such_report"], credentials=credentials())


# every API and document kind: SP flat files and JSON, Ads SP/SB/SD, Brand Analytics
SECRET_KINDS = KINDS + ["sb_campaign", "sd_targeting", "sqp_asin", "top_search_terms"]


def test_no_secret_reaches_files_logs_or_errors(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    texts = []
    with FakeAmazon(fatal_types={"spCampaigns", "sdTargeting",
                                 "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT"}) as fake:
        for operation in ("createReport", "adsGetReport", "token", "getReport"):
            fake.fail(operation, "500", times=2)
        fake.fail("getReport", "expire")
        fake.fail("adsCreateReport", "expire")
        fake.fail("truncate", "truncate")
        clock = Clock()  # the endpoints come from the credentials' own setting
        result = oa_pull.pull(["US"], tmp_path, since=SINCE, until=UNTIL, kinds=SECRET_KINDS,
                              credentials=credentials(fake.endpoints()), sleep=clock.sleep,
                              clock=clock, now=lambda: NOW, rng=random.Random(0))
        texts += [f["error"] for f in result.failed]
        # a refused refresh token: Amazon's error must come out without the secrets
        wrong = Credentials(sp_client_id=SECRETS["sp_client_id"],
                            sp_client_secret=SECRETS["sp_client_secret"],
                            sp_refresh_tokens={"NA": "Atzr|WRONG"}, endpoints=fake.endpoints())
        failed = oa_pull.pull(["US"], tmp_path / "other", kinds=["restock"], until=UNTIL,
                              credentials=wrong, sleep=lambda s: None, now=lambda: NOW)
        texts += [f["error"] for f in failed.failed]
        assert failed.failed and "invalid_grant" in failed.failed[0]["error"]
    texts += [repr(credentials(fake.endpoints())), str(credentials()), repr(result)]
    texts += [record.getMessage() for record in caplog.records]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            texts.append(data.decode("latin-1"))
            if data[:2] == b"\x1f\x8b":
                import gzip
                texts.append(gzip.decompress(data).decode("latin-1"))
    blob = "\n".join(texts)
    # the texts searched do hold the pull's errors and every kind's documents
    assert "ended FAILED" in blob and "ended FATAL" in blob
    stored = {r["kind"] for r in result.stored}
    assert stored == set(SECRET_KINDS) - {"sp_campaign", "sd_targeting", "top_search_terms"}, stored
    assert "Search Query Volume" in blob and "14 Day Total Sales - (Click)" in blob
    for name, secret in SECRETS.items():
        assert secret not in blob, f"{name} leaked"
    assert "Atzr|WRONG" not in blob

"""Round trip: reading the committed sample with opsanalysis.io gives back the world's numbers.

For every report kind and every sample marketplace, the files in ``data/sample/<MP>/`` are read
with :func:`opsanalysis.io.read_report` and compared with the truth of the simulated world
(:func:`opsanalysis.sample.generate` with ``out_dir=None``): units, sales, sessions, spend and
inventory must agree exactly (money to the cent or yen).
"""

import warnings
from functools import cache

import numpy as np
import pandas as pd
import pytest

from opsanalysis import marketplaces
from opsanalysis.io import read_report, read_report_frames
from opsanalysis.sample import AS_OF, SAMPLE_MARKETPLACES, generate
from opsanalysis.sample.world import LISTING_MARKETPLACES, SNAPSHOT_WEEKS

MARKETPLACES = list(SAMPLE_MARKETPLACES)


@pytest.fixture(scope="module")
def world():
    return generate(None)


@cache
def _read(path, marketplace):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_report(path, marketplace=marketplace)


def one_file(sample_dir, marketplace, pattern):
    files = sorted((sample_dir / marketplace).glob(pattern))
    assert len(files) == 1, f"{marketplace}: expected one {pattern}, found {files}"
    return _read(files[0], marketplace)


def keyed(series):
    """A series on a (key, date) or (date, key) index with dates as datetime64[ns]."""
    frame = series.reset_index()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].astype("datetime64[ns]")
    return frame.set_index(list(frame.columns[:-1]))[frame.columns[-1]].sort_index()


def minor(marketplace):
    return 1 if marketplace == "JP" else 100


def cents(series, marketplace):
    """Money in minor units, exact."""
    return np.round(series.astype(float) * minor(marketplace)).astype("int64")


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_all_orders_units_and_sales(sample_dir, world, marketplace):
    orders = one_file(sample_dir, marketplace, "All_Orders_*")
    assert orders.attrs["kind"] == "all_orders"
    truth = world.frame("demand", marketplace)
    local_date = orders["purchase_date"].dt.tz_localize(None).dt.normalize()
    amazon = orders[(orders["sales_channel"] != "Non-Amazon")
                    & (orders["order_status"] != "Cancelled")]
    got = amazon.groupby([amazon["sku"], local_date[amazon.index]])["quantity"].sum()
    want = truth[truth["units_sold"] > 0].set_index(["sku", "date"])["units_sold"]
    got.index.names = want.index.names
    pd.testing.assert_series_equal(keyed(got).astype("int64"), keyed(want).astype("int64"),
                                   check_names=False)
    mcf = orders[orders["sales_channel"] == "Non-Amazon"]
    assert int(mcf["quantity"].sum()) == int(truth["mcf_units"].sum())
    traffic = world.frame("traffic", marketplace)
    assert cents(amazon["item_price"], marketplace).sum() == traffic["sales_minor"].sum()
    assert (orders["purchase_date"].dt.tz is not None)
    cancelled = orders[orders["order_status"] == "Cancelled"]
    assert len(cancelled) > 0 and (cancelled["quantity"] == 0).all()


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_business_report_by_date(sample_dir, world, marketplace):
    report = one_file(sample_dir, marketplace, "BusinessReport_ByDate_*")
    assert report.attrs["kind"] == "business_report_date"
    traffic = world.frame("traffic", marketplace)
    daily = traffic.groupby("date")[["units_ordered", "sessions", "page_views", "sales_minor",
                                     "order_items"]].sum()
    report = report.set_index("date").sort_index()
    assert list(report.index) == list(daily.index)
    np.testing.assert_array_equal(report["units_ordered"].astype(int), daily["units_ordered"])
    np.testing.assert_array_equal(report["sessions"].astype(int), daily["sessions"])
    np.testing.assert_array_equal(report["page_views"].astype(int), daily["page_views"])
    np.testing.assert_array_equal(report["total_order_items"].astype(int), daily["order_items"])
    np.testing.assert_array_equal(cents(report["ordered_product_sales"], marketplace),
                                  daily["sales_minor"])


def _weekly_truth(traffic, first):
    week = traffic[(traffic["date"] >= first) & (traffic["date"] < first + pd.Timedelta(days=7))]
    return week.groupby("asin")[["units_ordered", "sessions", "page_views", "sales_minor",
                                 "units_b2b"]].sum()


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_business_report_by_asin_weeks(sample_dir, world, marketplace):
    files = sorted((sample_dir / marketplace).glob("BusinessReport_ByASIN_*.csv"))
    weeks = (AS_OF - pd.Timestamp(world.start)).days // 7 + 1
    assert len(files) == weeks
    traffic = world.frame("traffic", marketplace)
    # Every 8th week and the last one (the reader takes the period from the file name).
    for path in [*files[::8], files[-1]]:
        report = _read(path, marketplace)
        first, last = report.attrs["period"]
        assert (pd.Timestamp(last) - pd.Timestamp(first)).days == 6
        want = _weekly_truth(traffic, pd.Timestamp(first))
        got = report.set_index("child_asin").sort_index()
        want = want.reindex(got.index)
        np.testing.assert_array_equal(got["sessions"].astype(int), want["sessions"])
        np.testing.assert_array_equal(got["units_ordered"].astype(int), want["units_ordered"])
        np.testing.assert_array_equal(got["page_views"].astype(int), want["page_views"])
        np.testing.assert_array_equal(got["units_ordered_b2b"].astype(int), want["units_b2b"])
        np.testing.assert_array_equal(cents(got["ordered_product_sales"], marketplace),
                                      want["sales_minor"])
        assert got["unit_session_percentage"].between(0, 1).all()


def test_sales_and_traffic_json_us(sample_dir, world):
    path = next((sample_dir / "US").glob("GET_SALES_AND_TRAFFIC_REPORT_*.json"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frames = read_report_frames(path, marketplace="US")
    traffic = world.frame("traffic", "US")
    by_asin = frames["business_report_asin"].set_index("child_asin").sort_index()
    want = _weekly_truth(traffic, AS_OF - pd.Timedelta(days=6)).reindex(by_asin.index)
    np.testing.assert_array_equal(by_asin["sessions"].astype(int), want["sessions"])
    np.testing.assert_array_equal(by_asin["units_ordered"].astype(int), want["units_ordered"])
    np.testing.assert_array_equal(cents(by_asin["ordered_product_sales"], "US"),
                                  want["sales_minor"])
    by_date = frames["business_report_date"].set_index("date").sort_index()
    daily = traffic[traffic["date"] > AS_OF - pd.Timedelta(days=7)].groupby("date")[
        ["sessions", "units_ordered"]].sum()
    np.testing.assert_array_equal(by_date["sessions"].astype(int), daily["sessions"])
    np.testing.assert_array_equal(by_date["units_ordered"].astype(int), daily["units_ordered"])


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_inventory_history(sample_dir, world, marketplace):
    history = one_file(sample_dir, marketplace, "Daily_Inventory_History_*")
    assert history.attrs["kind"] == "inventory_history"
    truth = world.frame("inventory_history", marketplace).set_index(["date", "sku"])["quantity"]
    got = history.set_index(["date", "sku"])["quantity"].sort_index()
    pd.testing.assert_series_equal(keyed(got).astype("int64"), keyed(truth).astype("int64"),
                                   check_names=False)


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_fba_inventory_snapshot(sample_dir, world, marketplace):
    report = one_file(sample_dir, marketplace, f"Manage_FBA_Inventory_{AS_OF:%Y-%m-%d}.*")
    report = report.set_index("sku")
    truth = world.frame("inventory", marketplace).set_index("sku").reindex(report.index)
    np.testing.assert_array_equal(report["afn_listing_exists"].astype(bool),
                                  truth["afn_listing_exists"])
    for column in ("afn_fulfillable_quantity", "afn_reserved_quantity", "afn_unsellable_quantity",
                   "afn_warehouse_quantity", "afn_inbound_shipped_quantity",
                   "afn_inbound_working_quantity", "afn_inbound_receiving_quantity",
                   "afn_total_quantity"):
        np.testing.assert_array_equal(report[column].astype(int), truth[column], err_msg=column)
    np.testing.assert_array_equal(cents(report["your_price"], marketplace),
                                  cents(truth["your_price"], marketplace))


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_inventory_planning_and_restock(sample_dir, world, marketplace):
    truth = world.frame("inventory", marketplace).set_index("sku")
    planning = one_file(sample_dir, marketplace, "FBA_Inventory_Planning_*").set_index("sku")
    truth_p = truth.reindex(planning.index)
    for column in ("inv_age_0_to_90_days", "inv_age_91_to_180_days", "inv_age_181_to_270_days",
                   "inv_age_271_to_365_days", "inv_age_365_plus_days"):
        np.testing.assert_array_equal(planning[column].astype(int), truth_p[column],
                                      err_msg=column)
    np.testing.assert_array_equal(planning["available"].astype(int),
                                  truth_p["afn_fulfillable_quantity"])
    assert (planning["snapshot_date"] == AS_OF).all()
    restock = one_file(sample_dir, marketplace, "Restock_Inventory_*").set_index("sku")
    truth_r = truth.reindex(restock.index)
    np.testing.assert_array_equal(restock["available"].astype(int),
                                  truth_r["afn_fulfillable_quantity"])
    np.testing.assert_array_equal(restock["recommended_replenishment_qty"].astype(int),
                                  truth_r["restock_recommended_qty"])


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_fba_returns(sample_dir, world, marketplace):
    report = one_file(sample_dir, marketplace, "FBA_Customer_Returns_*")
    truth = world.frame("returns", marketplace)
    assert len(report) == len(truth)
    got = report.sort_values(["return_date", "order_id"]).reset_index(drop=True)
    want = truth.sort_values(["return_date", "order_id"]).reset_index(drop=True)
    assert (got["return_date"] == want["return_date"]).all()
    assert list(got["order_id"]) == list(want["order_id"])
    assert list(got["reason"]) == list(want["reason"])
    assert int(got["quantity"].sum()) == int(want["quantity"].sum())


AD_FILES = {
    "sp_search_term": "Sponsored_Products_Search_term_*",
    "sp_targeting": "Sponsored_Products_Targeting_*",
    "sp_advertised_product": "Sponsored_Products_Advertised_product_*",
    "sp_campaign": "Sponsored_Products_Campaign_*",
}


@pytest.mark.parametrize("kind", sorted(AD_FILES))
@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_sponsored_products_reports(sample_dir, world, marketplace, kind):
    report = one_file(sample_dir, marketplace, AD_FILES[kind])
    assert report.attrs["kind"] == kind
    assert (report["attribution_days"] == 7).all()
    ads = world.frame("ads", marketplace)
    want = ads.groupby("campaign_name")[["clicks", "spend_minor", "sales_minor", "orders"]].sum()
    got = report.groupby("campaign_name")[["clicks", "orders"]].sum()
    got["spend_minor"] = report.groupby("campaign_name")["spend"].apply(
        lambda s: cents(s, marketplace).sum())
    got["sales_minor"] = report.groupby("campaign_name")["sales"].apply(
        lambda s: cents(s, marketplace).sum())
    want = want.reindex(got.index)
    for column in ("clicks", "orders", "spend_minor", "sales_minor"):
        np.testing.assert_array_equal(got[column].astype("int64"), want[column], err_msg=column)
    assert report["ctr"].dropna().between(0, 1).all()


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_account_health(sample_dir, world, marketplace):
    report = one_file(sample_dir, marketplace, "GET_V2_SELLER_PERFORMANCE_REPORT_*")
    truth = world.frame("account_health", marketplace).set_index("metric")
    got = report.set_index("metric")
    for metric in ("order_defect_rate_afn", "late_shipment_rate",
                   "pre_fulfillment_cancellation_rate", "valid_tracking_rate"):
        assert got.loc[metric, "value"] == pytest.approx(truth.loc[metric, "value"], abs=1e-12)
        assert got.loc[metric, "value"] < 1  # rates are fractions


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_seller_files(sample_dir, world, marketplace):
    master = one_file(sample_dir, marketplace, "product_master.csv").set_index("sku")
    products = world.frame("products", marketplace).set_index("sku").reindex(master.index)
    assert list(master["asin"]) == list(products["asin"])
    assert list(master["category"]) == list(products["category"])
    np.testing.assert_array_equal(master["case_pack"].astype(int), products["case_pack"])
    assert (pd.to_datetime(master["launch_date"]) == products["launch_date"]).all()
    niche = one_file(sample_dir, marketplace, "market_niches.csv")
    truth = world.frame("niche", marketplace)
    assert list(niche["niche_name"]) == list(truth["niche_name"])
    np.testing.assert_allclose(niche["search_volume_growth_t360"].astype(float),
                               truth["search_volume_growth_t360"])
    assert list(niche["data_source"]) == list(truth["data_source"])


@pytest.mark.slow
def test_load_marketplace_reads_every_file_once(sample_dir, world):
    from opsanalysis.io import load_marketplace

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = load_marketplace(sample_dir, "US")
    assert (data.summary["status"] == "ok").all(), data.summary[data.summary["status"] != "ok"]
    assert {"all_orders", "business_report_asin", "business_report_date", "fba_inventory",
            "inventory_history", "inventory_planning", "restock", "fba_returns",
            "sp_search_term", "sp_targeting", "sp_campaign", "sp_advertised_product",
            "account_health", "product_master", "niche", "settlement_v2"} <= set(data.frames)
    traffic = world.frame("traffic", "US")
    # The SP-API JSON repeats the last week of the CSVs: it must not be counted twice.
    by_asin = data["business_report_asin"]
    assert int(by_asin["sessions"].sum()) == int(traffic["sessions"].sum())
    assert int(by_asin["units_ordered"].sum()) == int(traffic["units_ordered"].sum())
    by_date = data["business_report_date"]
    assert len(by_date) == traffic["date"].nunique()
    assert int(by_date["units_ordered"].sum()) == int(traffic["units_ordered"].sum())


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_settlements_match_the_truth(sample_dir, world, marketplace):
    files = sorted((sample_dir / marketplace).glob("Settlement_*.txt.gz"))
    frames = [read_report(path, marketplace=marketplace) for path in files]
    assert all(frame.attrs["kind"] == "settlement_v2" for frame in frames)
    frame = pd.concat(frames, ignore_index=True)
    truth = world.frame("settlements", marketplace)
    amounts = frame[frame["amount"].notna()]
    assert len(amounts) == len(truth)
    assert amounts["amount"].sum() == pytest.approx(truth["amount"].sum(), abs=0.05)
    totals = frame.dropna(subset=["total_amount"]).set_index("settlement_id")["total_amount"]
    expected = truth.groupby("settlement_id")["amount"].sum()
    assert np.allclose(totals.reindex(expected.index), expected, atol=0.02)
    assert (frame["currency"].dropna() == marketplaces.get(marketplace).currency).all()


@pytest.mark.parametrize("marketplace", LISTING_MARKETPLACES)
def test_weekly_fba_inventory_snapshots_follow_the_history(sample_dir, world, marketplace):
    # AU, SG: one Manage FBA Inventory download per Saturday; the earlier ones hold the stock
    # at the end of their day (the history's quantity of the next morning) and the open inbound
    files = sorted((sample_dir / marketplace).glob("Manage_FBA_Inventory_*"))
    assert len(files) == SNAPSHOT_WEEKS
    history = world.frame("inventory_history", marketplace).set_index(["date", "sku"])["quantity"]
    shipments = world.frame("shipments", marketplace)
    for path in files[:-1]:
        report = _read(path, marketplace)
        day = pd.Timestamp(report["snapshot_date"].iloc[0])
        assert day.day_of_week == 5 and day < AS_OF  # a Saturday
        stock = history.xs(day + pd.Timedelta(days=1), level="date").reindex(report["sku"])
        np.testing.assert_array_equal(report["afn_fulfillable_quantity"].astype(int),
                                      stock.to_numpy())
        open_ = shipments[(shipments["order_date"] <= day) & (shipments["available_date"] > day)]
        assert int(report["afn_inbound_quantity"].sum() if "afn_inbound_quantity" in report
                   else (report["afn_inbound_working_quantity"]
                         + report["afn_inbound_shipped_quantity"]
                         + report["afn_inbound_receiving_quantity"]).sum()) \
            == int(open_["quantity"].sum())
        assert report["afn_listing_exists"].astype(bool).all()


@pytest.mark.parametrize("marketplace", LISTING_MARKETPLACES)
def test_all_listings(sample_dir, world, marketplace):
    report = one_file(sample_dir, marketplace, "All_Listings_Report_*")
    assert report.attrs["kind"] == "all_listings"
    truth = world.frame("listings", marketplace)
    listed = truth[truth["listed"]].set_index("sku")
    report = report.set_index("sku")
    assert sorted(report.index) == sorted(listed.index)
    listed = listed.reindex(report.index)
    assert (report["status"] == listed["status"]).all()
    assert (report["listing_id"].astype(str) == listed["listing_id"]).all()
    np.testing.assert_array_equal(cents(report["price"], marketplace),
                                  cents(listed["price"], marketplace))
    opened = pd.to_datetime(report["open_date"])
    opened = opened.dt.tz_localize(None) if opened.dt.tz is not None else opened
    assert (opened.dt.normalize() == listed["open_date"]).all()

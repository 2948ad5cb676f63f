"""SP-API JSON reports and load_marketplace on small synthetic folders."""

import json
import os

import pandas as pd
import pytest

from opsanalysis.io import (
    MarketplaceData,
    PeriodError,
    load_marketplace,
    read_report,
    read_report_frames,
)

SALES_TRAFFIC = {
    "reportSpecification": {
        "reportType": "GET_SALES_AND_TRAFFIC_REPORT",
        "reportOptions": {"dateGranularity": "DAY", "asinGranularity": "SKU"},
        "dataStartTime": "2026-10-01", "dataEndTime": "2026-10-02",
        "marketplaceIds": ["ATVPDKIKX0DER"],
    },
    "salesAndTrafficByDate": [
        {"date": "2026-10-01",
         "salesByDate": {"orderedProductSales": {"amount": 120.5, "currencyCode": "USD"},
                         "orderedProductSalesB2B": {"amount": 20.0, "currencyCode": "USD"},
                         "unitsOrdered": 6, "unitsOrderedB2B": 1, "totalOrderItems": 5,
                         "unitsRefunded": 0, "refundRate": 0.0},
         "trafficByDate": {"pageViews": 300, "sessions": 200, "browserSessions": 120,
                           "mobileAppSessions": 80, "buyBoxPercentage": 98.5,
                           "unitSessionPercentage": 3.0, "averageOfferCount": 4}},
        {"date": "2026-10-02",
         "salesByDate": {"orderedProductSales": {"amount": 0, "currencyCode": "USD"},
                         "unitsOrdered": 0, "totalOrderItems": 0},
         "trafficByDate": {"pageViews": 10, "sessions": 9, "buyBoxPercentage": 100.0,
                           "unitSessionPercentage": 0.0}},
    ],
    "salesAndTrafficByAsin": [
        {"parentAsin": "B0PARENT01", "childAsin": "B0CHILD001", "sku": "MAT-GREY",
         "salesByAsin": {"unitsOrdered": 6, "unitsOrderedB2B": 1,
                         "orderedProductSales": {"amount": 120.5, "currencyCode": "USD"},
                         "totalOrderItems": 5},
         "trafficByAsin": {"sessions": 209, "sessionsB2B": 4, "pageViews": 310,
                           "browserSessions": 129, "unitSessionPercentage": 2.87,
                           "buyBoxPercentage": 98.5, "sessionPercentage": 100.0}},
    ],
}

ACCOUNT_HEALTH = {
    "accountStatuses": [{"marketplaceId": "A1PA6795UKMFR9", "status": "NORMAL"}],
    "performanceMetrics": [{
        "marketplaceId": "A1PA6795UKMFR9",
        "lateShipmentRate": {"reportingDateRange": {"reportingDateFrom": "2026-10-01T00:00Z",
                                                    "reportingDateTo": "2026-10-30T23:59Z"},
                             "orderCount": 400, "lateShipmentCount": 6, "status": "GOOD",
                             "rate": 0.015, "targetValue": 0.04, "targetCondition": "LESS_THAN"},
        "orderDefectRate": {
            "afn": {"reportingDateRange": {"reportingDateFrom": "2026-09-01T00:00Z",
                                           "reportingDateTo": "2026-10-30T23:59Z"},
                    "orderCount": 900, "orderWithDefects": {"count": 3, "status": "GOOD"},
                    "rate": 0.0033, "targetValue": 0.01, "targetCondition": "LESS_THAN",
                    "status": "GOOD"},
            "mfn": {"reportingDateRange": {"reportingDateFrom": "2026-09-01T00:00Z",
                                           "reportingDateTo": "2026-10-30T23:59Z"},
                    "orderCount": 0, "orderWithDefects": {"count": 0, "status": "NONE"},
                    "rate": 0, "targetValue": 0.01, "targetCondition": "LESS_THAN",
                    "status": "NONE"}},
        "listingPolicyViolations": {"reportingDateRange": {
            "reportingDateFrom": "2026-05-01T00:00Z", "reportingDateTo": "2026-10-30T23:59Z"},
            "defectsCount": 1, "status": "BAD", "targetValue": 0, "targetCondition": "EQUALS"},
        "accountHealthRating": {"ahrStatus": "GREAT", "ahrScore": 980},
    }],
}

RESTOCK = "Merchant SKU\tAvailable\tRecommended replenishment qty\n"
BY_DATE_CSV = ('"Date","Ordered Product Sales","Units Ordered","Total Order Items","Sessions"\n'
               '"10/01/2026","$10.00","1","1","20"\n"10/02/2026","$20.00","2","2","30"\n')
BY_DATE_CSV_LATER = ('"Date","Ordered Product Sales","Units Ordered","Total Order Items",'
                     '"Sessions"\n"10/02/2026","$25.00","3","3","31"\n'
                     '"10/03/2026","$30.00","3","3","40"\n')
MYI = ("sku\tfnsku\tasin\tproduct-name\tcondition\tyour-price\tmfn-listing-exists\t"
       "mfn-fulfillable-quantity\tafn-listing-exists\tafn-warehouse-quantity\t"
       "afn-fulfillable-quantity\n")


def test_sales_and_traffic_json(tmp_path):
    path = tmp_path / "sales_traffic.json"
    path.write_text(json.dumps(SALES_TRAFFIC), encoding="utf-8")
    frames = read_report_frames(path)
    assert list(frames) == ["business_report_asin", "business_report_date"]
    by_date = frames["business_report_date"]
    assert by_date.attrs["marketplace"] == "US"  # from marketplaceIds
    assert by_date["date"].tolist() == [pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-02")]
    assert by_date["buy_box_percentage"].iloc[0] == pytest.approx(0.985)  # 0-100 -> fraction
    assert by_date["unit_session_percentage"].iloc[0] == pytest.approx(0.03)
    assert by_date["ordered_product_sales"].iloc[0] == 120.5
    assert by_date["ordered_product_sales_b2b"].iloc[0] == 20.0
    assert by_date["sessions_browser"].iloc[0] == 120
    assert str(by_date["units_ordered"].dtype) == "Int64"
    assert (by_date["currency"] == "USD").all()
    by_asin = frames["business_report_asin"]
    assert by_asin["period_start"].iloc[0] == pd.Timestamp("2026-10-01")
    assert by_asin["period_end"].iloc[0] == pd.Timestamp("2026-10-02")
    assert by_asin["sessions"].iloc[0] == 209 and by_asin["sessions_b2b"].iloc[0] == 4
    assert by_asin["unit_session_percentage"].iloc[0] == pytest.approx(0.0287)
    assert by_asin["sku"].iloc[0] == "MAT-GREY"
    assert read_report(path, kind="business_report_date").attrs["kind"] == \
        "business_report_date"


def test_account_health_json(tmp_path):
    path = tmp_path / "performance.json"
    path.write_text(json.dumps(ACCOUNT_HEALTH), encoding="utf-8")
    frame = read_report(path)
    assert frame.attrs["kind"] == "account_health"
    assert frame.attrs["marketplace"] == "DE"
    metrics = frame.set_index("metric")
    assert metrics.loc["late_shipment_rate", "value"] == 0.015  # already a fraction
    assert metrics.loc["late_shipment_rate", "numerator"] == 6
    assert metrics.loc["late_shipment_rate", "denominator"] == 400
    assert metrics.loc["late_shipment_rate", "date_to"] == pd.Timestamp("2026-10-30")
    assert metrics.loc["order_defect_rate_afn", "value"] == 0.0033
    assert metrics.loc["order_defect_rate_afn", "numerator"] == 3
    assert metrics.loc["listing_policy_violations", "value"] == 1
    assert metrics.loc["account_health_rating", "value"] == 980
    assert metrics.loc["account_health_rating", "status"] == "GREAT"
    assert metrics.loc["account_status", "status"] == "NORMAL"


def build_folder(root):
    folder = root / "US"
    (folder / "2026" / "oct").mkdir(parents=True)
    (folder / "README.md").write_text("about these files\n")
    (folder / "notes.csv").write_text("name,colour\nmat,grey\n")
    (folder / "2026" / "oct" / "by_date_a.csv").write_text(BY_DATE_CSV, encoding="utf-8-sig")
    (folder / "2026" / "oct" / "by_date_b.csv").write_text(BY_DATE_CSV_LATER,
                                                           encoding="utf-8-sig")
    (folder / "broken_orders.txt").write_text(
        "amazon-order-id\tpurchase-date\torder-status\tsales-channel\tsku\tasin\tquantity\n"
        "111-1\t2026-10-01T10:00:00+00:00\tShipped\tAmazon.com\tMAT\tB0C\tmany\n")
    (folder / "sales_traffic.json").write_text(json.dumps(SALES_TRAFFIC))
    (folder / "myi_b.txt").write_text(MYI + "MAT\tX0\tB0C\tMat\tNew\t9.5\tNo\t\tYes\t7\t7\n")
    (folder / "myi_a.txt").write_text(MYI + "MAT\tX0\tB0C\tMat\tNew\t9.5\tNo\t\tYes\t5\t5\n")
    os.utime(folder / "myi_b.txt", (1_700_000_000, 1_700_000_000))  # older download
    (folder / "restock_2026-10-01.txt").write_text(RESTOCK + "MAT\t4\t10\n")
    (folder / "restock_2026-10-15.txt").write_text(RESTOCK + "MAT\t2\t12\n")
    (folder / "BusinessReport-01-11-2026.csv").write_text(
        '"(Parent) ASIN","(Child) ASIN","Sessions - Total","Units Ordered",'
        '"Ordered Product Sales"\n"B0P","B0C","10","1","$5.00"\n', encoding="utf-8-sig")
    return folder


def test_load_marketplace(tmp_path):
    build_folder(tmp_path)
    data = load_marketplace(tmp_path, "US")
    assert isinstance(data, MarketplaceData)
    assert data.marketplace == "US"
    summary = data.summary.set_index("file")
    assert list(data.summary.columns) == ["file", "kind", "rows", "period_start", "period_end",
                                          "status", "message"]
    assert summary.loc["README.md", "status"] == "skipped"
    assert summary.loc["notes.csv", "status"] == "skipped"
    assert summary.loc["broken_orders.txt", "status"] == "error"
    assert "row 2" in summary.loc["broken_orders.txt", "message"]
    assert summary.loc["BusinessReport-01-11-2026.csv", "status"] == "error"  # no period
    # both S&T frames, plus the CSV by-date files, concatenated
    assert "business_report_asin" in data and "business_report_date" in data
    by_date = data["business_report_date"]
    assert by_date["date"].is_unique
    # overlapping day 2026-10-02: the later file (period ending 10-03) wins
    day = by_date.set_index("date").loc[pd.Timestamp("2026-10-02")]
    assert day["ordered_product_sales"] == 25.0
    assert len(by_date) == 3
    assert by_date.attrs["kind"] == "business_report_date"
    assert by_date.attrs["marketplace"] == "US" and by_date.attrs["currency"] == "USD"
    assert by_date.attrs["period"] == (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-03"))
    # two undated MYI snapshots: the more recently modified file wins per SKU
    assert data["fba_inventory"]["afn_fulfillable_quantity"].tolist() == [5]
    # dated restock snapshots (date in the name) are both kept, as history
    restock = data["restock"]
    assert restock["snapshot_date"].tolist() == [pd.Timestamp("2026-10-01"),
                                                 pd.Timestamp("2026-10-15")]
    assert restock["available"].tolist() == [4, 2]
    assert data.get("inventory_planning") is None
    with pytest.raises(KeyError, match="no inventory_planning report"):
        data["inventory_planning"]
    assert any("error" in status for status in data.summary["status"])


def test_load_marketplace_accepts_the_marketplace_folder_and_strict(tmp_path):
    folder = build_folder(tmp_path)
    data = load_marketplace(folder, "US")
    assert "business_report_date" in data
    with pytest.raises(PeriodError):
        (folder / "broken_orders.txt").unlink()
        load_marketplace(folder, "US", strict=True)


def test_load_marketplace_missing_marketplace_folder(tmp_path):
    build_folder(tmp_path)
    with pytest.raises(FileNotFoundError, match="no DE folder"):
        load_marketplace(tmp_path, "DE")


# ---- a kinds filter: files of kinds not asked for are not parsed ------------------------------


def test_header_kinds_are_the_kinds_the_reader_finds(tmp_path):
    """The header-only detection gives what a full read gives, for text, JSON and workbooks."""
    from test_io_kinds_bulk import bulk_workbook

    from opsanalysis.io.marketplace_data import header_kinds

    folder = build_folder(tmp_path)
    bulk = bulk_workbook(folder / "bulk.xlsx")
    assert header_kinds(folder / "sales_traffic.json") == ("business_report_asin",
                                                           "business_report_date")
    assert header_kinds(folder / "myi_a.txt") == ("fba_inventory",)
    assert header_kinds(bulk) == tuple(read_report_frames(bulk, marketplace="US"))
    period = ("2026-01-11", "2026-01-11")
    for path in (folder / "restock_2026-10-01.txt", folder / "2026" / "oct" / "by_date_a.csv",
                 folder / "BusinessReport-01-11-2026.csv"):
        assert header_kinds(path) == tuple(read_report_frames(path, period=period)), path
    # a header no kind has: not settled by the header, so the full read reports it
    assert header_kinds(folder / "notes.csv") is None


def test_files_of_kinds_not_asked_for_are_not_parsed(tmp_path, monkeypatch):
    from opsanalysis.io import marketplace_data

    folder = build_folder(tmp_path)
    (folder / "periods.yaml").write_text('restock_2026-10-01.txt: "2026-10-01"\n')
    parsed = []

    def spy(path, **options):
        parsed.append(path.name)
        return read_report_frames(path, **options)

    monkeypatch.setattr(marketplace_data, "read_report_frames", spy)
    data = load_marketplace(tmp_path, "US", kinds=["fba_inventory", "business_report_date"])
    # restock (not asked for) never reaches the parser; the unsettled files are read as ever
    # (nor does the broken All Orders: its header says all_orders, whose rows are not read)
    assert not {"restock_2026-10-01.txt", "restock_2026-10-15.txt", "broken_orders.txt",
                "BusinessReport-01-11-2026.csv"} & set(parsed)
    assert {"myi_a.txt", "myi_b.txt", "sales_traffic.json", "notes.csv"} <= set(parsed)
    assert data.requested_kinds == {"fba_inventory", "business_report_date"}
    summary = data.summary.set_index("file")
    restock = summary.loc["restock_2026-10-01.txt"]
    assert (restock["kind"], restock["status"], restock["message"]) == (
        "restock", "not_needed", "not read: not needed by this report")
    assert pd.isna(restock["rows"])
    assert "restock" not in data and data.folder_kinds()[-1] == "restock"
    # honest, not failed: neither unreadable nor a warning (its periods.yaml entry is used)
    assert summary.loc["broken_orders.txt", "status"] == "not_needed"
    assert set(data.unreadable_files()["file"]) == {"notes.csv"}  # no kind has its header
    assert not any("restock" in warning for warning in data.warnings)
    # the kinds read are what a full read gives
    full = load_marketplace(tmp_path, "US")
    pd.testing.assert_frame_equal(data["fba_inventory"], full["fba_inventory"])
    pd.testing.assert_frame_equal(data["business_report_date"], full["business_report_date"])
    assert full.requested_kinds is None and full.covers(None) and data.covers({"fba_inventory"})
    assert not data.covers(None) and not data.covers({"restock"})


def test_an_unknown_kind_asked_for_is_an_error(tmp_path):
    build_folder(tmp_path)
    with pytest.raises(ValueError, match="unknown report kind.*'fba_inventroy'"):
        load_marketplace(tmp_path, "US", kinds=["fba_inventroy"])

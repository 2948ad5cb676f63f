"""Removal order detail, removal shipment detail and recommended removal, in Amazon's format."""

import pandas as pd
import pytest

import opsanalysis as oa
from opsanalysis.io import ReportError
from opsanalysis.io.marketplace_data import combine


def write(path, rows):
    path.write_text("\n".join("\t".join(row) for row in rows) + "\n", encoding="utf-8")
    return path


ORDER_HEADER = ["request-date", "order-id", "order-source", "order-type", "service-speed",
                "order-status", "last-updated-date", "sku", "fnsku", "disposition",
                "requested-quantity", "cancelled-quantity", "disposed-quantity",
                "shipped-quantity", "in-process-quantity", "removal-fee", "currency"]


def order_rows(status="Pending", shipped="0", in_process="10", updated="2019-12-03"):
    return [ORDER_HEADER,
            ["2019-12-02T19:47:49+00:00", "XJ8HmPRnlk", "Seller-initiated Manual Removal",
             "Return", "Standard", status, f"{updated}T10:00:00+00:00", "MAT-31x19",
             "X001ABCDEF", "Sellable", "10", "0", "0", shipped, in_process, "5.20", "USD"],
            ["2019-12-02T19:47:49+00:00", "XJ8HmPRnlk", "Seller-initiated Manual Removal",
             "Return", "Standard", status, f"{updated}T10:00:00+00:00", "MAT-31x19",
             "X001ABCDEF", "Unsellable", "2", "0", "0", "0", "2", "1.04", "USD"]]


def test_removal_order_detail(tmp_path):
    frame = oa.io.read_report(write(tmp_path / "removals.txt", order_rows()), marketplace="US")
    assert frame.attrs["kind"] == "removal_order_detail"
    first = frame.iloc[0]
    assert first["request_date"] == pd.Timestamp("2019-12-02 11:47:49",
                                                 tz="America/Los_Angeles")
    assert first["order_id"] == "XJ8HmPRnlk" and first["order_type"] == "Return"
    assert frame["requested_quantity"].tolist() == [10, 2]
    assert frame["disposition"].tolist() == ["Sellable", "Unsellable"]
    assert frame["removal_fee"].sum() == pytest.approx(6.24)
    assert frame.attrs["period"] == (pd.Timestamp("2019-12-02"), pd.Timestamp("2019-12-02"))


def test_later_removal_file_gives_the_later_status(tmp_path):
    early = oa.io.read_report(write(tmp_path / "a.txt", order_rows()), marketplace="US")
    late = oa.io.read_report(write(tmp_path / "b.txt", order_rows("Completed", "10", "0",
                                                                  "2019-12-20")),
                             marketplace="US")
    late.attrs["period"] = (pd.Timestamp("2019-12-02"), pd.Timestamp("2019-12-20"))
    combined, _ = combine("removal_order_detail", [("a.txt", early), ("b.txt", late)])
    assert len(combined) == 2  # one row per order, SKU and disposition
    assert set(combined["order_status"]) == {"Completed"}


def test_removal_order_negative_quantity(tmp_path):
    rows = order_rows()
    rows[2][10] = "-2"
    with pytest.raises(ReportError) as caught:
        oa.io.read_report(write(tmp_path / "removals.txt", rows), marketplace="US")
    assert caught.value.row == 3 and caught.value.column == "requested-quantity"


SHIPMENT_ROWS = [
    ["request-date", "order-id", "shipment-date", "sku", "fnsku", "disposition",
     "shipped-quantity", "carrier", "tracking-number", "removal-order-type"],
    ["2019-12-02T19:47:49+00:00", "XJ8HmPRnlk", "2019-12-09T08:12:00+00:00", "MAT-31x19",
     "X001ABCDEF", "Sellable", "6", "UPS", "1Z999AA10123456784", "Return"],
    ["2019-12-02T19:47:49+00:00", "XJ8HmPRnlk", "2019-12-11T08:12:00+00:00", "MAT-31x19",
     "X001ABCDEF", "Sellable", "4", "UPS", "1Z999AA10123456785", "Return"],
]


def test_removal_shipment_detail(tmp_path):
    frame = oa.io.read_report(write(tmp_path / "shipments.txt", SHIPMENT_ROWS),
                              marketplace="US")
    assert frame.attrs["kind"] == "removal_shipment_detail"
    assert frame["shipped_quantity"].sum() == 10
    assert frame["tracking_number"].tolist() == ["1Z999AA10123456784", "1Z999AA10123456785"]
    assert frame.attrs["period"] == (pd.Timestamp("2019-12-09"), pd.Timestamp("2019-12-11"))


def test_shipment_file_without_shipped_quantity(tmp_path):
    rows = [row[:6] + row[7:] for row in SHIPMENT_ROWS]
    with pytest.raises(ReportError) as caught:
        oa.io.read_report(write(tmp_path / "shipments.txt", rows),
                          kind="removal_shipment_detail")
    assert caught.value.row == 1 and caught.value.column == "shipped-quantity"


RECOMMENDED = [
    ["snapshot-date", "sku", "fnsku", "asin", "product-name", "condition", "product-group",
     "sellable-quantity", "unsellable-quantity", "inv-age-0-to-90-days",
     "inv-age-91-to-180-days", "inv-age-181-to-270-days", "inv-age-271-to-365-days",
     "inv-age-365-plus-days", "units-shipped-last-30-days", "units-shipped-last-90-days",
     "estimated-ltsf-next-charge", "recommended-removal-quantity", "currency"],
    ["2020-02-15", "MAT-63x27", "X001GHIJKL", "B07JMT389Q", "Door Mat 63 x 27", "New", "Home",
     "140", "3", "20", "10", "30", "40", "40", "2", "9", "46.08", "80", "USD"],
]


def test_recommended_removal(tmp_path):
    frame = oa.io.read_report(write(tmp_path / "recommended.txt", RECOMMENDED),
                              marketplace="US")
    assert frame.attrs["kind"] == "recommended_removal"
    row = frame.iloc[0]
    assert row["snapshot_date"] == pd.Timestamp("2020-02-15")
    assert row["sellable_quantity"] == 140 and row["recommended_removal_quantity"] == 80
    assert row["inv_age_365_plus_days"] == 40
    assert row["estimated_ltsf_next_charge"] == pytest.approx(46.08)

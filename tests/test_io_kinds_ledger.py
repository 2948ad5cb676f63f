"""Amazon-fulfilled inventory and the inventory ledger (summary, detail), in Amazon's format."""

import pandas as pd
import pytest

import opsanalysis as oa
from opsanalysis.io import ReportError


def write(path, rows, delimiter="\t", encoding="utf-8-sig"):
    text = "\n".join(delimiter.join(row) for row in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


AFN = [["seller-sku", "fulfillment-channel-sku", "asin", "condition-type",
        "Warehouse-Condition-code", "Quantity Available"],
       ["MAT-31x19", "X001ABCDEF", "B07JMDZBSR", "NewItem", "SELLABLE", "118"],
       ["MAT-31x19", "X001ABCDEF", "B07JMDZBSR", "NewItem", "UNSELLABLE", "3"]]


def test_afn_inventory_snapshot_from_file_name(tmp_path):
    frame = oa.io.read_report(write(tmp_path / "afn_inventory_2020-02-02.txt", AFN),
                              marketplace="US")
    assert frame.attrs["kind"] == "afn_inventory"
    assert frame["quantity_available"].tolist() == [118, 3]
    assert frame["warehouse_condition_code"].tolist() == ["SELLABLE", "UNSELLABLE"]
    assert (frame["snapshot_date"] == pd.Timestamp("2020-02-02")).all()


SUMMARY = [["Date", "FNSKU", "ASIN", "MSKU", "Title", "Disposition",
            "Starting Warehouse Balance", "In Transit Between Warehouses", "Receipts",
            "Customer Shipments", "Customer Returns", "Vendor Returns",
            "Warehouse Transfer In/Out", "Found", "Lost", "Damaged", "Disposed", "Other Events",
            "Ending Warehouse Balance", "Unknown Events", "Location"],
           ["12/01/2019", "X001ABCDEF", "B07JMDZBSR", "MAT-31x19", "Bath Mat", "SELLABLE",
            "120", "0", "24", "-17", "1", "0", "-2", "1", "-1", "0", "0", "0", "126", "0", "US"],
           ["12/02/2019", "X001ABCDEF", "B07JMDZBSR", "MAT-31x19", "Bath Mat", "SELLABLE",
            "126", "0", "0", "-9", "0", "0", "0", "0", "0", "0", "0", "0", "117", "0", "US"]]


def test_ledger_summary_signed_movements(tmp_path):
    path = write(tmp_path / "ledger_summary.csv", SUMMARY, ",")
    frame = oa.io.read_report(path, marketplace="US")
    assert frame.attrs["kind"] == "inventory_ledger_summary"
    first = frame.iloc[0]
    assert first["date"] == pd.Timestamp("2019-12-01")
    assert first["customer_shipments"] == -17 and first["lost"] == -1
    assert first["ending_warehouse_balance"] == 126
    movements = ["receipts", "customer_shipments", "customer_returns", "vendor_returns",
                 "warehouse_transfer_in_out", "found", "lost", "damaged", "disposed",
                 "other_events", "unknown_events"]
    assert (frame["starting_warehouse_balance"] + frame[movements].sum(axis=1)).tolist() == \
        frame["ending_warehouse_balance"].tolist()
    assert frame.attrs["period"] == (pd.Timestamp("2019-12-01"), pd.Timestamp("2019-12-02"))


def test_ledger_summary_monthly_dates(tmp_path):
    rows = [SUMMARY[0], [SUMMARY[1][0].replace("12/01/2019", "12/2019"), *SUMMARY[1][1:]]]
    frame = oa.io.read_report(write(tmp_path / "ledger_monthly.txt", rows), marketplace="US")
    assert frame["date"].iloc[0] == pd.Timestamp("2019-12-01")


DETAIL = [["Date", "FNSKU", "ASIN", "MSKU", "Title", "Event Type", "Reference ID", "Quantity",
           "Fulfillment Center", "Disposition", "Reason", "Country", "Reconciled Quantity",
           "Unreconciled Quantity", "Date and Time"],
          ["12/01/2019", "X001ABCDEF", "B07JMDZBSR", "MAT-31x19", "Bath Mat", "Shipments",
           "111-2223334-5556667", "-2", "PHX6", "SELLABLE", "", "US", "", "",
           "2019-12-01T14:03:11-08:00"],
          ["12/01/2019", "X001ABCDEF", "B07JMDZBSR", "MAT-31x19", "Bath Mat", "Receipts",
           "FBA15K7Y8ZQ1", "24", "ONT8", "SELLABLE", "", "US", "", "",
           "2019-12-01T09:00:00-08:00"]]


def test_ledger_detail_events(tmp_path):
    frame = oa.io.read_report(write(tmp_path / "ledger_detail.txt", DETAIL), marketplace="US")
    assert frame.attrs["kind"] == "inventory_ledger_detail"
    assert frame["event_type"].tolist() == ["Shipments", "Receipts"]
    assert frame["quantity"].tolist() == [-2, 24]
    assert frame["date_time"].iloc[0] == pd.Timestamp("2019-12-01 14:03:11",
                                                      tz="America/Los_Angeles")
    assert frame["reference_id"].iloc[1] == "FBA15K7Y8ZQ1"


def test_ledger_detail_de_event_header(tmp_path):
    rows = [["Datum", "FNSKU", "ASIN", "MSKU", "Titel", "Ereignistyp", "Referenz-ID", "Menge",
             "Versandzentrum", "Disposition", "Grund", "Land"],
            ["01.12.2019", "X002ABCDEF", "B07JMDZBSR", "MAT-DE", "Badematte", "Shipments",
             "302-1234567-7654321", "-1", "LEJ1", "SELLABLE", "", "DE"]]
    frame = oa.io.read_report(write(tmp_path / "ledger_de.txt", rows), marketplace="DE")
    assert frame.attrs["kind"] == "inventory_ledger_detail"
    assert frame["date"].iloc[0] == pd.Timestamp("2019-12-01")
    assert frame["quantity"].iloc[0] == -1 and frame["fulfillment_center"].iloc[0] == "LEJ1"


def test_ledger_summary_text_in_balance(tmp_path):
    rows = [list(row) for row in SUMMARY]
    rows[2][18] = "n.a."
    with pytest.raises(ReportError) as caught:
        oa.io.read_report(write(tmp_path / "ledger.txt", rows), marketplace="US")
    assert caught.value.row == 3 and caught.value.column == "Ending Warehouse Balance"

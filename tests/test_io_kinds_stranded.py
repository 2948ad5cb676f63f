"""Stranded Inventory report and the suppressed-listings download, in Amazon's format."""

import pandas as pd
import pytest

import opsanalysis as oa
from opsanalysis.io import MissingColumnError, marketplace_data, schema

# Seller Central > Reports > Fulfillment > Stranded inventory, as a 2020 US download writes it
STRANDED_HEADER = ["primary-action", "date-stranded", "date-classified-as-unsellable",
                   "status-primary", "status-secondary", "error-message", "stranded-reason",
                   "asin", "sku", "fnsku", "product-name", "condition", "fulfilled-by",
                   "fulfillable-qty", "your-price", "unfulfillable-qty", "reserved-quantity",
                   "inbound-shipped-qty"]
# Inventory > Fix suppressed / Improve listing quality > Download (GET_MERCHANTS_LISTINGS_FYP_REPORT)
SUPPRESSED_HEADER = ["Status", "Reason", "SKU", "ASIN", "Product name", "Condition",
                     "Status Change Date", "Issue Description"]


def write(path, rows):
    text = "\r\n".join("\t".join(row) for row in rows) + "\r\n"
    path.write_bytes(text.encode("utf-8"))
    return path


def stranded_rows():
    return [STRANDED_HEADER,
            ["Fix listing", "2020-01-20T08:00:00+00:00", "", "Stranded", "", "",
             "No listing", "B07JGCH5CC", "1-wm-18", "X001ABCDEF", "Kitchen mat", "New",
             "Amazon", "12", "29.99", "3", "1", "0"],
            ["Relist", "2020-01-25T08:00:00+00:00", "", "Stranded", "Inactive", "",
             "Inactive listing", "B07JMT389Q", "MAT-63x27", "X001GHIJKL", "Door mat", "New",
             "Amazon", "5", "", "0", "0", "2"]]


def test_stranded_inventory_report_us(tmp_path):
    frame = oa.io.read_report(write(tmp_path / "Stranded_Inventory_20200128.txt",
                                    stranded_rows()), marketplace="US")
    assert frame.attrs["kind"] == "stranded_inventory"
    assert frame["sku"].tolist() == ["1-wm-18", "MAT-63x27"]
    assert frame["fulfillable_quantity"].tolist() == [12, 5]
    assert frame["unfulfillable_quantity"].tolist() == [3, 0]
    assert frame["reserved_quantity"].tolist() == [1, 0]
    assert frame["inbound_shipped_quantity"].tolist() == [0, 2]
    assert frame["your_price"].iloc[0] == pytest.approx(29.99)
    assert pd.isna(frame["your_price"].iloc[1])  # no price: missing, never 0
    assert frame["stranded_reason"].tolist() == ["No listing", "Inactive listing"]
    # 08:00 UTC is midnight in Los Angeles: the marketplace's calendar day
    assert frame["date_stranded"].iloc[0] == pd.Timestamp("2020-01-20 00:00",
                                                          tz="America/Los_Angeles")
    assert (frame["currency"] == "USD").all()


def test_stranded_report_needs_its_quantities(tmp_path):
    # three known headers and no fulfillable-qty: named as a stranded report missing a column
    path = write(tmp_path / "Stranded_Inventory_20200128.txt",
                 [["primary-action", "date-stranded", "sku"], ["Fix listing", "2020-01-20", "A1"]])
    with pytest.raises(MissingColumnError) as caught:
        oa.io.read_report(path, marketplace="US")
    assert "stranded_inventory" in str(caught.value)
    assert caught.value.column == "fulfillable-qty"


def test_suppressed_listings_download(tmp_path):
    rows = [SUPPRESSED_HEADER,
            ["Search Suppressed", "Missing main image", "MAT-31x19", "B07JMDZBSR", "Bath mat",
             "New", "2026-11-28", "Add a main image with a white background"],
            ["Search Suppressed", "Title too long", "MAT-31x19", "B07JMDZBSR", "Bath mat",
             "New", "2026-11-29", "Shorten the title to 200 characters"]]
    frame = oa.io.read_report(write(tmp_path / "Suppressed_Listings_2026-11-30.txt", rows),
                              marketplace="AU")
    assert frame.attrs["kind"] == "suppressed_listings"
    assert frame["reason"].tolist() == ["Missing main image", "Title too long"]
    assert frame["status_change_date"].tolist() == [pd.Timestamp("2026-11-28"),
                                                     pd.Timestamp("2026-11-29")]
    assert (frame["snapshot_date"] == pd.Timestamp("2026-11-30")).all()  # from the file name


@pytest.mark.parametrize("kind", ["stranded_inventory", "suppressed_listings"])
def test_round_trip_through_amazons_headers(tmp_path, kind):
    """A canonical frame written with Amazon's headers reads back to the same values."""
    values = {"sku": ["S-1", "S-2"], "asin": ["B000000001", "B000000002"],
              "fulfillable_quantity": ["4", "0"], "unfulfillable_quantity": ["1", "2"],
              "reserved_quantity": ["0", "1"], "your_price": ["19.50", "7.25"],
              "stranded_reason": ["No listing", "Pricing error"],
              "status": ["Search Suppressed", "Search Suppressed"],
              "reason": ["Missing image", "Missing brand"],
              "status_change_date": ["2026-11-02", "2026-11-03"]}
    columns = [c for c in schema.canonical_columns(kind) if c in values]
    rows = [[schema.header_for(kind, c) for c in columns],
            *[[values[c][i] for c in columns] for i in range(2)]]
    frame = oa.io.read_report(write(tmp_path / f"{kind}.txt", rows), marketplace="UK")
    assert frame.attrs["kind"] == kind
    for column in columns:
        read = frame[column]
        if column == "status_change_date":
            read = read.dt.strftime("%Y-%m-%d")
        elif column == "your_price":
            read = read.map(lambda v: f"{v:.2f}")
        assert read.astype(str).tolist() == values[column], column


def test_dated_stranded_downloads_keep_their_snapshots(tmp_path):
    folder = tmp_path / "US"
    folder.mkdir()
    first, second = stranded_rows(), stranded_rows()[:2]  # the door mat was fixed by then
    write(folder / "Stranded_Inventory_2020-01-21.txt", first)
    write(folder / "Stranded_Inventory_2020-01-28.txt", second)
    data = marketplace_data.load_marketplace(tmp_path, "US")
    frame = data["stranded_inventory"]
    assert marketplace_data.KEYS["stranded_inventory"] == ("snapshot_date", "sku", "fnsku",
                                                           "condition")
    counts = frame.groupby("snapshot_date")["sku"].apply(sorted).to_dict()
    assert counts == {pd.Timestamp("2020-01-21"): ["1-wm-18", "MAT-63x27"],
                      pd.Timestamp("2020-01-28"): ["1-wm-18"]}
    assert data.unreadable_files().empty

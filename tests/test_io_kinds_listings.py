"""All Listings / Active Listings and the open-listings inventory report, in Amazon's format."""

import pandas as pd
import pytest

import opsanalysis as oa
from opsanalysis.io import ReportError

ALL_HEADER = ["item-name", "item-description", "listing-id", "seller-sku", "price", "quantity",
              "open-date", "image-url", "item-is-marketplace", "product-id-type",
              "zshop-shipping-fee", "item-note", "item-condition", "zshop-category1",
              "zshop-browse-path", "zshop-storefront-feature", "asin1", "asin2", "asin3",
              "will-ship-internationally", "expedited-shipping", "zshop-boldface", "product-id",
              "bid-for-featured-placement", "add-delete", "pending-quantity",
              "fulfillment-channel", "merchant-shipping-group", "status"]


def listing(name, listing_id, sku, price, quantity, opened, asin, channel, status):
    cells = dict.fromkeys(ALL_HEADER, "")
    cells.update({"item-name": name, "listing-id": listing_id, "seller-sku": sku,
                  "price": price, "quantity": quantity, "open-date": opened,
                  "item-is-marketplace": "y", "product-id-type": "1", "item-condition": "11",
                  "asin1": asin, "product-id": asin, "pending-quantity": "0",
                  "fulfillment-channel": channel, "merchant-shipping-group": "Migrated Template",
                  "status": status})
    return [cells[name] for name in ALL_HEADER]


def write(path, rows):
    text = "\r\n".join("\t".join(row) for row in rows) + "\r\n"
    path.write_bytes(text.encode("utf-8-sig"))  # UI .txt downloads carry a BOM
    return path


def test_all_listings_us(tmp_path):
    rows = [ALL_HEADER,
            listing("Bath Mat 31 x 19, Grey", "1120Z6ZQ8XN", "MAT-31x19", "29.99", "",
                    "11/20/2019 01:23:45 PST", "B07JMDZBSR", "AMAZON_NA", "Active"),
            listing("Door Mat 63 x 27", "0202ABCD123", "MAT-63x27", "39.99", "7",
                    "02/02/2020 13:00:00 PST", "B07JMT389Q", "DEFAULT", "Inactive")]
    frame = oa.io.read_report(write(tmp_path / "All+Listings+Report+02-03-2020.txt", rows),
                              marketplace="US")
    assert frame.attrs["kind"] == "all_listings"
    assert frame["sku"].tolist() == ["MAT-31x19", "MAT-63x27"]
    assert frame["asin"].tolist() == ["B07JMDZBSR", "B07JMT389Q"]
    assert frame["price"].tolist() == pytest.approx([29.99, 39.99])
    assert pd.isna(frame["quantity"].iloc[0]) and frame["quantity"].iloc[1] == 7
    assert frame["open_date"].iloc[0] == pd.Timestamp("2019-11-20 01:23:45",
                                                      tz="America/Los_Angeles")
    assert frame["status"].tolist() == ["Active", "Inactive"]
    assert (frame["currency"] == "USD").all()


def test_active_listings_uk_day_first_open_date(tmp_path):
    header = ALL_HEADER[:-1]  # Active Listings: no status column
    rows = [header, listing("Vest", "0708QHIDPCS", "VEST-1", "20", "1",
                            "08/07/2016 10:12:40 BST", "B01I53BE4O", "DEFAULT", "")[:-1]]
    frame = oa.io.read_report(write(tmp_path / "Active+Listings+Report+2016-07-09.txt", rows),
                              marketplace="UK")
    assert frame.attrs["kind"] == "all_listings"
    assert frame["open_date"].iloc[0] == pd.Timestamp("2016-07-08 10:12:40",
                                                      tz="Europe/London")
    assert frame["snapshot_date"].iloc[0] == pd.Timestamp("2016-07-09")
    assert frame["currency"].iloc[0] == "GBP"


def test_open_listings_inventory_report(tmp_path):
    rows = [["sku", "asin", "price", "quantity", "Business Price", "Quantity Price Type"],
            ["MAT-31x19", "B07JMDZBSR", "29.99", "0", "27.50", ""],
            ["MAT-63x27", "B07JMT389Q", "39.99", "12", "", ""]]
    frame = oa.io.read_report(write(tmp_path / "Inventory+Report+02-02-2020.txt", rows),
                              marketplace="US")
    assert frame.attrs["kind"] == "open_listings"
    assert frame["quantity"].tolist() == [0, 12]
    assert frame["business_price"].iloc[0] == pytest.approx(27.50)


def test_listing_with_text_price(tmp_path):
    rows = [ALL_HEADER, listing("Bath Mat", "1120Z6ZQ8XN", "MAT-31x19", "ask", "1",
                                "11/20/2019 01:23:45 PST", "B07JMDZBSR", "DEFAULT", "Active")]
    with pytest.raises(ReportError) as caught:
        oa.io.read_report(write(tmp_path / "listings.txt", rows), marketplace="US")
    assert caught.value.row == 2 and caught.value.column == "price"

"""Identity of report lines: de-duplication keys, placeholder SKUs, marketplace sales vs MCF."""

import os

import pandas as pd
import pytest

from opsanalysis.io import (
    is_cancelled,
    is_marketplace_sale,
    is_placeholder_sku,
    load_marketplace,
    placeholder_skus,
    read_report,
    sales_channel_summary,
    schema,
)
from opsanalysis.io.marketplace_data import KEYS, SHARED_KEY_COLUMNS, combine, key_columns

BY_ASIN_COLUMNS = ["parent_asin", "child_asin", "title", "sku", "sessions", "units_ordered",
                   "ordered_product_sales", "total_order_items"]


def by_asin_csv(rows):
    """A UK Business Report by child ASIN (en-GB headers, £ amounts, BOM, as Amazon writes)."""
    header = ",".join(f'"{schema.header_for("business_report_asin", name, "en-GB")}"'
                      for name in BY_ASIN_COLUMNS)
    lines = [",".join(f'"{cell}"' for cell in row) for row in rows]
    return "\n".join([header, *lines]) + "\n"


# Amazon lists child B0CHILD001 / SKU MAT-GREY under two parents: two real rows.
TWO_PARENTS = [
    ("B0PARENT01", "B0CHILD001", "Mat grey", "MAT-GREY", "40", "3", "£30.00", "3"),
    ("B0PARENT02", "B0CHILD001", "Mat grey", "MAT-GREY", "25", "2", "£20.00", "2"),
    ("B0PARENT03", "B0CHILD002", "Mat blue", "MAT-BLUE", "10", "1", "£9.50", "1"),
]


def write(folder, name, text, encoding="utf-8-sig"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding=encoding)


def test_same_child_under_two_parents_in_two_overlapping_reports_keeps_both(tmp_path):
    folder = tmp_path / "UK"
    # The same week downloaded twice (an exact overlap) and the month that holds it.
    write(folder, "br_2025-07-14_2025-07-20.csv", by_asin_csv(TWO_PARENTS))
    write(folder, "br_again_2025-07-14_2025-07-20.csv", by_asin_csv(TWO_PARENTS))
    write(folder, "br_2025-07-01_2025-07-31.csv", by_asin_csv(TWO_PARENTS))
    data = load_marketplace(tmp_path, "UK")
    frame = data["business_report_asin"]
    assert len(frame) == 6  # 3 rows per period; the repeated week dropped as exact duplicates
    week = frame[frame["period_end"] == pd.Timestamp("2025-07-20")]
    assert sorted(week["parent_asin"]) == ["B0PARENT01", "B0PARENT02", "B0PARENT03"]
    assert week["units_ordered"].sum() == 6
    assert week["ordered_product_sales"].sum() == pytest.approx(59.5)
    assert "business_report_asin: 3 duplicate or superseded row(s) dropped" in data.warnings


def test_a_later_download_of_the_same_period_supersedes_all_its_rows(tmp_path):
    folder = tmp_path / "UK"
    revised = [row[:5] + ("4",) + row[6:] if row[0] == "B0PARENT02" else row
               for row in TWO_PARENTS]
    write(folder, "old_2025-07-14_2025-07-20.csv", by_asin_csv(TWO_PARENTS))
    write(folder, "new_2025-07-14_2025-07-20.csv", by_asin_csv(revised))
    os.utime(folder / "old_2025-07-14_2025-07-20.csv", (1_700_000_000, 1_700_000_000))
    frame = load_marketplace(tmp_path, "UK")["business_report_asin"]
    assert len(frame) == 3
    assert frame.set_index("parent_asin")["units_ordered"].to_dict() == \
        {"B0PARENT01": 3, "B0PARENT02": 4, "B0PARENT03": 1}


ORDERS_HEADER = ("amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\t"
                 "sales-channel\tsku\tasin\tquantity\titem-price\n")
ORDERS_2026_HEADER = ("amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\t"
                      "order-item-id\tsales-channel\tsku\tasin\tquantity\titem-price\n")


def test_all_orders_overlap_keeps_a_files_repeated_lines_and_the_latest_update(tmp_path):
    folder = tmp_path / "US"
    # Order 111-1 holds MAT twice (two lines, as Amazon writes promotions); 111-2 is later
    # cancelled, which only the second download knows.
    write(folder, "orders_a.txt", ORDERS_HEADER +
          "111-1\t2026-10-01T10:00:00+00:00\t2026-10-02T10:00:00+00:00\tShipped\tAmazon.com\t"
          "MAT\tB0C\t1\t10.00\n"
          "111-1\t2026-10-01T10:00:00+00:00\t2026-10-02T10:00:00+00:00\tShipped\tAmazon.com\t"
          "MAT\tB0C\t2\t18.00\n"
          "111-2\t2026-10-03T10:00:00+00:00\t2026-10-03T11:00:00+00:00\tPending\tAmazon.com\t"
          "MAT\tB0C\t1\t10.00\n", encoding="utf-8")
    # The 2026 layout adds order-item-id: the overlap must still be recognised.
    write(folder, "orders_b.txt", ORDERS_2026_HEADER +
          "111-2\t2026-10-03T10:00:00+00:00\t2026-10-05T09:00:00+00:00\tCancelled\t9001\t"
          "Amazon.com\tMAT\tB0C\t0\t\n"
          "111-3\t2026-10-04T10:00:00+00:00\t2026-10-04T12:00:00+00:00\tShipped\t9002\t"
          "Amazon.com\tMAT\tB0C\t1\t10.00\n", encoding="utf-8")
    orders = load_marketplace(tmp_path, "US")["all_orders"]
    assert orders["amazon_order_id"].tolist() == ["111-1", "111-1", "111-2", "111-3"]
    assert orders["quantity"].tolist() == [1, 2, 0, 1]
    assert orders.set_index("amazon_order_id").loc["111-2", "order_status"] == "Cancelled"


def test_all_orders_latest_update_wins_even_from_the_earlier_file():
    def part(updated, status):
        frame = pd.DataFrame({
            "amazon_order_id": ["111-1"], "sku": ["MAT"], "quantity": [1],
            "purchase_date": [pd.Timestamp("2026-10-01", tz="UTC")],
            "last_updated_date": [pd.Timestamp(updated, tz="UTC")], "order_status": [status]})
        frame.attrs = {"period": (pd.Timestamp("2026-10-01"), pd.Timestamp(updated))}
        return frame
    # the file ending later holds the older state of the line
    later_file = part("2026-10-02", "Shipped")
    later_file.attrs["period"] = (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-31"))
    combined, _ = combine("all_orders", [("a.txt", part("2026-10-09", "Cancelled")),
                                         ("b.txt", later_file)])
    assert combined["order_status"].tolist() == ["Cancelled"]


CAMPAIGN_COLUMNS = ["date", "campaign_name", "status", "portfolio_name", "impressions", "clicks",
                    "spend"]


def sp_campaign_csv(rows):
    header = ",".join(schema.header_for("sp_campaign", name) for name in CAMPAIGN_COLUMNS)
    return "\n".join([header, *(",".join(row) for row in rows)]) + "\n"


def test_ads_lines_are_keyed_on_identity_not_on_attributes_that_change(tmp_path):
    folder = tmp_path / "US"
    write(folder, "campaign_week.csv", sp_campaign_csv([
        ("10/01/2026", "Mats - exact", "ENABLED", "Mats", "100", "5", "$2.50"),
        ("10/02/2026", "Mats - exact", "ENABLED", "Mats", "80", "4", "$2.00")]))
    # downloaded again after the campaign was paused and moved to another portfolio
    write(folder, "campaign_later.csv", sp_campaign_csv([
        ("10/02/2026", "Mats - exact", "PAUSED", "Floor", "80", "4", "$2.00"),
        ("10/03/2026", "Mats - exact", "PAUSED", "Floor", "0", "0", "$0.00")]))
    campaign = load_marketplace(tmp_path, "US")["sp_campaign"]
    assert campaign["date"].tolist() == [pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-02"),
                                         pd.Timestamp("2026-10-03")]
    assert campaign["spend"].sum() == pytest.approx(4.50)  # 10-02 counted once
    assert campaign.set_index("date").loc[pd.Timestamp("2026-10-02"), "status"] == "PAUSED"


def test_every_key_names_identifying_canonical_columns():
    for kind, keys in KEYS.items():
        columns = schema.canonical_columns(kind)
        # "grain" (day/week/month of a Business Report by date) is derived when a folder is read
        relevant = [name for name in keys if name in columns or name == "grain"]
        # every key column of a kind-specific entry exists; shared ads entries may name more
        if not kind.startswith("sp_"):
            assert relevant == list(keys), kind
        assert relevant or kind == "console_search_terms", kind
    assert {"parent_asin", "child_asin", "sku", "period_start", "period_end"} <= \
        set(KEYS["business_report_asin"])
    for mutable in ("status", "portfolio_name", "bidding_strategy", "customer_comments",
                    "return_request_status", "tracking_id"):
        assert not any(mutable in keys for keys in KEYS.values()), mutable


def test_shared_key_columns_count_only_when_every_file_has_them():
    old = pd.DataFrame({"amazon_order_id": ["1"], "sku": ["A"]})
    new = pd.DataFrame({"amazon_order_id": ["1"], "sku": ["A"], "order_item_id": ["9"]})
    assert "order_item_id" in SHARED_KEY_COLUMNS
    assert key_columns("all_orders", [old, new], pd.concat([old, new])) == \
        ["amazon_order_id", "sku"]
    assert key_columns("all_orders", [new, new]) == ["amazon_order_id", "order_item_id", "sku"]


def test_real_by_asin_report_keeps_children_listed_under_two_parents(amazon_samples_dir,
                                                                     tmp_path):
    source = amazon_samples_dir / "xvr_us_br_child_asin_2019.csv"
    alone = read_report(source, marketplace="US", period=("2019-11-01", "2019-11-30"))
    twice = alone.duplicated(["child_asin", "sku"], keep=False)
    assert twice.sum() == 20  # 10 child ASIN + SKU pairs listed under two parents
    folder = tmp_path / "US"
    folder.mkdir()
    for name in ("br_2019-11-01_2019-11-30.csv", "br_copy_2019-11-01_2019-11-30.csv",
                 "br_2019-11-16_2019-11-30.csv"):
        (folder / name).symlink_to(source)
    frame = load_marketplace(tmp_path, "US")["business_report_asin"]
    assert len(frame) == 2 * len(alone)  # two periods, every row; the copy dropped
    month = frame[frame["period_start"] == pd.Timestamp("2019-11-01")]
    assert month["ordered_product_sales"].sum() == pytest.approx(
        alone["ordered_product_sales"].sum())


# --- Placeholder SKUs -------------------------------------------------------------------------


def test_placeholder_skus_known_answers():
    assert "UNKNOW" in placeholder_skus()
    skus = pd.Series(["MAT-GREY", "UNKNOW", " unknow ", "", None, "-", "UNKNOWN-2"],
                     index=list("abcdefg"))
    assert is_placeholder_sku(skus).to_dict() == {
        "a": False, "b": True, "c": True, "d": True, "e": True, "f": True, "g": False}
    assert is_placeholder_sku(["TEST", "MAT"], placeholders=["test"]).tolist() == [True, False]


def test_real_all_orders_placeholder_is_flagged_at_ingest(amazon_samples_dir):
    orders = read_report(amazon_samples_dir / "xvr_us_all_orders_2020.txt", marketplace="US")
    marked = is_placeholder_sku(orders["sku"])
    assert marked.sum() == 1
    assert orders.loc[marked, "sales_channel"].tolist() == ["Non-Amazon"]
    assert any("placeholder" in warning and "UNKNOW: 1" in warning
               for warning in orders.attrs["warnings"])


def test_no_placeholder_warning_for_real_skus(tmp_path):
    write(tmp_path, "br_2025-07-14_2025-07-20.csv", by_asin_csv(TWO_PARENTS))
    frame = read_report(tmp_path / "br_2025-07-14_2025-07-20.csv", marketplace="UK")
    assert not any("placeholder" in warning for warning in frame.attrs["warnings"])


# --- Marketplace sales vs other channels -----------------------------------------------------

CHANNEL_ORDERS = ORDERS_HEADER + "".join(
    f"{order}\t2025-07-01T10:00:00+00:00\t2025-07-02T10:00:00+00:00\tShipped\t{channel}\t"
    f"{sku}\tB0C\t{quantity}\t{price}\n"
    for order, channel, sku, quantity, price in [
        ("202-1", "Amazon.co.uk", "MAT", 2, "20.00"),
        ("S01-2", "Non-Amazon", "UNKNOW", 1, ""),          # multi-channel fulfilment
        ("S01-3", "Non-Amazon UK", "MAT", 23, ""),         # a removal-sized shipment
        ("302-4", "Amazon.de", "MAT", 1, "11.00"),          # regional download: another store
        ("202-5", "", "MAT", 1, "10.00"),                   # channel left blank
        ("202-6", "Amazon.co.uk", "MAT", 1, "10.00"),
    ])


def test_is_marketplace_sale_known_answers(tmp_path):
    write(tmp_path, "orders.txt", CHANNEL_ORDERS, encoding="utf-8")
    orders = read_report(tmp_path / "orders.txt", marketplace="UK")
    assert is_marketplace_sale(orders).tolist() == [True, False, False, True, pd.NA, True]
    own = is_marketplace_sale(orders, marketplace="UK")
    assert own.tolist() == [True, False, False, False, pd.NA, True]
    units = orders["quantity"].where(own.fillna(False), 0).sum()
    assert units == 3  # 2 + 1 on Amazon.co.uk; 24 MCF/removal units and Amazon.de left out
    summary = sales_channel_summary(orders, marketplace="UK").set_index("sales_channel")
    assert summary.loc["Non-Amazon UK", "units"] == 23
    assert summary.loc["Amazon.co.uk", "lines"] == 2
    assert summary.loc["Amazon.co.uk", "units"] == 3
    assert not summary.loc["Amazon.de", "is_marketplace_sale"]
    assert summary["units"].sum() == 29


def test_is_marketplace_sale_needs_a_sales_channel():
    with pytest.raises(KeyError, match="sales_channel"):
        is_marketplace_sale(pd.DataFrame({"sku": ["MAT"]}))


def test_per_distinct_gives_the_function_of_every_cell():
    from opsanalysis.io.identity import per_distinct

    channels = pd.Series(["Amazon.com", "Non-Amazon", "", None, "Amazon.com"],
                         index=[10, 11, 12, 13, 14], dtype="str", name="sales_channel")
    upper = per_distinct(channels, lambda distinct: distinct.str.upper())
    assert upper.index.tolist() == [10, 11, 12, 13, 14]
    assert upper.name == "sales_channel"
    assert upper.iloc[[0, 1, 2, 4]].tolist() == ["AMAZON.COM", "NON-AMAZON", "", "AMAZON.COM"]
    assert pd.isna(upper.iloc[3])
    assert per_distinct(channels.iloc[:0], lambda distinct: distinct.str.upper()).empty


def test_channel_and_placeholder_tests_keep_index_name_and_missing_cells():
    channels = pd.DataFrame({"sales_channel": pd.Series(
        ["Amazon.com", "Non-Amazon", "", None, " amazon.com ", "Amazon.de"],
        index=[10, 11, 12, 13, 14, 15], dtype=object)})
    sale = is_marketplace_sale(channels)
    assert sale.index.tolist() == [10, 11, 12, 13, 14, 15]
    assert sale.name == "sales_channel" and str(sale.dtype) == "boolean"
    assert sale.tolist() == [True, False, pd.NA, pd.NA, True, True]
    assert is_marketplace_sale(channels, "US").tolist() == [True, False, pd.NA, pd.NA, True,
                                                            False]
    assert is_marketplace_sale(channels.iloc[:0]).tolist() == []
    skus = pd.Series(["MAT-GREY", "UNKNOW", " unknow", None, "", "MAT-GREY", float("nan")],
                     index=list("abcdefg"), dtype=object, name="sku")
    marked = is_placeholder_sku(skus)
    assert marked.index.tolist() == list("abcdefg") and marked.name == "sku"
    assert marked.dtype == bool
    assert marked.tolist() == [False, True, True, True, True, False, True]
    assert is_placeholder_sku(skus.iloc[:0]).tolist() == []
    assert is_placeholder_sku(["X", "-"], placeholders=["x"]).tolist() == [True, False]


def test_is_cancelled_known_answers():
    """One test of a cancelled line for every figure: any case, spaces ignored, blank is not."""
    orders = pd.DataFrame({"order_status": pd.Series(
        ["Shipped", "Cancelled", " cancelled ", "CANCELLED", "Pending", None, ""],
        index=list("abcdefg"), dtype=object)})
    cancelled = is_cancelled(orders)
    assert cancelled.index.tolist() == list("abcdefg") and cancelled.dtype == bool
    assert cancelled.tolist() == [False, True, True, True, False, False, False]
    assert is_cancelled(orders.astype({"order_status": "string"})).tolist() == \
        cancelled.tolist()
    with pytest.raises(KeyError, match="order_status"):
        is_cancelled(pd.DataFrame({"sku": ["A"]}))

"""Listing health: known answers on hand-made All Listings, suppressed and stranded frames."""

import numpy as np
import pandas as pd
from pytest import approx

from opsanalysis import listing_health as lh

TZ = "Australia/Sydney"
AS_OF = pd.Timestamp("2026-11-30")


def _listings(snapshot, rows):
    """All Listings snapshot: rows of (sku, asin, title, price, opened, status, channel)."""
    frame = pd.DataFrame(rows, columns=["sku", "asin", "item_name", "price", "open_date",
                                        "status", "fulfillment_channel"])
    frame["open_date"] = pd.to_datetime(frame["open_date"]).dt.tz_localize(TZ)
    frame["snapshot_date"] = pd.Timestamp(snapshot)
    return frame


def _two_snapshots():
    first = _listings("2026-11-20", [
        ("MAT", "B01", "Bath mat", 30.0, "2025-01-05 09:00", "Active", "AMAZON_FE"),
        ("RUG", "B02", "Rug", 55.0, "2025-03-01 09:00", "Active", "AMAZON_FE"),
        ("CUP", "B03", "Cup", 9.0, "2025-03-01 09:00", "Inactive", "DEFAULT")])
    second = _listings("2026-11-27", [
        ("MAT", "B01", "Bath mat", 27.0, "2025-01-05 09:00", "Active", "AMAZON_FE"),
        ("RUG", "B02", "Rug, wool, 120 x 80", 55.0, "2025-03-01 09:00", "Active", "AMAZON_FE"),
        ("CUP", "B03", "Cup", 9.0, "2025-03-01 09:00", "Incomplete", "DEFAULT"),
        ("NEW", "B04", "Lamp", 40.0, "2026-11-25 20:00", "Active", "AMAZON_FE")])
    return pd.concat([first, second], ignore_index=True)


def _orders(rows):
    """All Orders: rows of (sku, local purchase time, status)."""
    frame = pd.DataFrame(rows, columns=["sku", "purchase_date", "order_status"])
    frame["purchase_date"] = pd.to_datetime(frame["purchase_date"]).dt.tz_localize(TZ)
    frame["sales_channel"] = "Amazon.com.au"
    frame["quantity"] = 1
    return frame


# --- listings that cannot sell ----------------------------------------------------------------

def test_suppressed_and_inactive_listings_with_amazons_reason():
    suppressed = pd.DataFrame({
        "status": ["Search Suppressed"] * 3, "sku": ["MAT", "MAT", "LAMP-OLD"],
        "asin": ["B01", "B01", "B09"],
        "reason": ["Missing main image", "Title too long", ""],
        "issue_description": ["Add a white-background image", "", "Price above reference"],
        "status_change_date": pd.to_datetime(["2026-11-28", "2026-11-26", "2026-11-29"]),
        "snapshot_date": pd.Timestamp("2026-11-29")})
    table = lh.problem_listings(_two_snapshots(), suppressed, AS_OF)
    assert table["sku"].tolist() == ["LAMP-OLD", "MAT", "CUP"]
    assert table["problem"].tolist() == ["suppressed", "suppressed", "listing_incomplete"]
    # the reasons of one SKU joined; a description alone is the reason when no reason is given
    assert table.loc[1, "reason"] == "Missing main image: Add a white-background image; " \
                                     "Title too long"
    assert table.loc[0, "reason"] == "Price above reference"
    assert table.loc[1, "since"] == pd.Timestamp("2026-11-26")  # first of its issues
    assert table["listing_status"].tolist() == ["", "Active", "Incomplete"]
    assert table.loc[2, "reason"] == "" and pd.isna(table.loc[2, "since"])


def test_problem_listings_need_a_listing_status():
    active_only = _two_snapshots().drop(columns="status")  # an Active Listings download
    assert lh.problem_listings(active_only, None, AS_OF) is None
    assert lh.problem_listings(None, None, AS_OF) is None
    # the snapshot of the report date is judged, later ones are ignored
    earlier = lh.problem_listings(_two_snapshots(), None, "2026-11-21")
    assert earlier[["sku", "problem"]].values.tolist() == [["CUP", "listing_inactive"]]


# --- changes between snapshots ----------------------------------------------------------------

def test_title_and_price_changes_between_snapshots():
    changes = lh.listing_changes(_two_snapshots(), AS_OF)
    assert changes[["sku", "change_type", "previous", "current"]].values.tolist() == [
        ["MAT", "price", 30.0, 27.0], ["RUG", "title", "Rug", "Rug, wool, 120 x 80"]]
    assert (changes["date"] == pd.Timestamp("2026-11-27")).all()
    assert (changes["previous_date"] == pd.Timestamp("2026-11-20")).all()
    prices = lh.price_changes(_two_snapshots(), AS_OF)
    assert prices["sku"].tolist() == ["MAT"]
    assert prices["price_change"].iloc[0] == approx(-0.10)
    # one snapshot shows no change: a change needs two
    assert lh.listing_changes(_two_snapshots().iloc[:3], AS_OF).empty


def test_listing_changes_feed_the_launch_trackers_warning():
    from opsanalysis.launch import tracker

    changes = lh.listing_changes(_two_snapshots(), AS_OF)
    launch = pd.Series({"asin": "B02", "sku": "RUG", "launch_date": pd.Timestamp("2026-11-10")})
    warning = tracker._listing_warning(launch, changes, {"weeks_to_steady_state": 6.0},
                                       {"build_up_weeks": 6})
    assert warning == {"listing_change_warning": True, "listing_changes": "2026-11-27 title"}
    # a price change is no rewrite of the listing: no warning for the bath mat
    launch = pd.Series({"asin": "B01", "sku": "MAT", "launch_date": pd.Timestamp("2026-11-10")})
    assert not tracker._listing_warning(launch, changes, {"weeks_to_steady_state": 6.0},
                                        {"build_up_weeks": 6})["listing_change_warning"]


# --- go-live ----------------------------------------------------------------------------------

def test_go_live_from_the_first_order_or_the_first_active_snapshot():
    listings = _two_snapshots()
    orders = _orders([("NEW", "2026-11-26 08:00", "Shipped"),    # 12 h after creation
                      ("NEW", "2026-11-25 19:00", "Shipped"),    # before creation: not it
                      ("RUG", "2026-11-02 10:00", "Cancelled"),  # cancelled: no evidence
                      ("MAT", "2025-01-07 09:00", "Shipped")])   # 48 h after creation
    table = lh.go_live(listings, orders, AS_OF).set_index("sku")
    assert table.loc["NEW", "go_live_hours"] == approx(12.0)
    assert table.loc["NEW", "live_evidence"] == "first_sale"
    assert table.loc["MAT", "go_live_hours"] == approx(48.0)
    # RUG never sold: its first Active snapshot (end of 2026-11-20) bounds it
    assert table.loc["RUG", "live_evidence"] == "active_snapshot"
    assert table.loc["RUG", "first_active"] == pd.Timestamp("2026-11-21", tz=TZ)
    # CUP was never Active and never sold: not estimated, never 0
    assert np.isnan(table.loc["CUP", "go_live_hours"]) and table.loc["CUP", "live_evidence"] == ""


def test_go_live_in_a_window_is_the_median_of_the_listings_created_in_it():
    table = lh.go_live(_two_snapshots(), _orders([("NEW", "2026-11-26 08:00", "Shipped")]),
                       AS_OF)
    figure = lh.go_live_in_window(table, "2026-11-01", "2026-11-30")
    assert figure.iloc[0].tolist() == [approx(12.0), 1.0, 1.0]
    # no listing created in the window: not estimated
    assert lh.go_live_in_window(table, "2026-10-01", "2026-10-31") is None
    # a listing created in the window without evidence counts in the denominator only
    late = _listings("2026-11-27", [("LATE", "B05", "Vase", 12.0, "2026-11-29 10:00",
                                     "Inactive", "AMAZON_FE")])
    both = lh.go_live(pd.concat([_two_snapshots(), late]),
                      _orders([("NEW", "2026-11-26 08:00", "Shipped")]), AS_OF)
    assert lh.go_live_in_window(both, "2026-11-01", "2026-11-30").iloc[0].tolist() == [
        approx(12.0), 1.0, 2.0]


def test_go_live_needs_open_dates():
    assert lh.go_live(_two_snapshots().drop(columns="open_date"), None, AS_OF) is None
    assert lh.go_live(None, None, AS_OF) is None


# --- active listings without FBA stock --------------------------------------------------------

def test_active_fba_listings_without_sellable_stock():
    inventory = pd.DataFrame({"sku": ["MAT", "RUG"], "afn_fulfillable_quantity": [0, 14],
                              "afn_inbound_shipped_quantity": [20, 0],
                              "snapshot_date": pd.Timestamp("2026-11-29")})
    table = lh.without_fba_stock(_two_snapshots(), inventory, AS_OF)
    # CUP is merchant-fulfilled (DEFAULT) and inactive: not an FBA stock problem
    assert table[["sku", "stock_problem"]].values.tolist() == [
        ["NEW", "not_in_fba_inventory"], ["MAT", "no_sellable_stock"]]
    assert table.set_index("sku").loc["MAT", "inbound_units"] == 20
    assert np.isnan(table.set_index("sku").loc["NEW", "fulfillable_units"])
    assert lh.without_fba_stock(_two_snapshots(), None, AS_OF) is None


# --- stranded units from the Stranded Inventory report ----------------------------------------

def _stranded(snapshot, rows):
    frame = pd.DataFrame(rows, columns=["sku", "asin", "stranded_reason", "primary_action",
                                        "date_stranded", "fulfillable_quantity",
                                        "unfulfillable_quantity", "reserved_quantity",
                                        "your_price"])
    frame["date_stranded"] = pd.to_datetime(frame["date_stranded"]).dt.tz_localize(TZ)
    frame["snapshot_date"] = pd.Timestamp(snapshot) if snapshot else pd.NaT
    frame["currency"] = "AUD"
    return frame


def test_stranded_units_and_value_per_sku():
    report = _stranded("2026-11-29", [
        ("MAT", "B01", "No listing", "Fix listing", "2026-11-20 00:00", 10, 2, 1, 27.0),
        ("RUG", "B02", "Pricing error", "Fix price", "2026-11-28 00:00", 4, 0, 0, np.nan)])
    table = lh.stranded_units(report, AS_OF).set_index("sku")
    assert table.loc["MAT", "stranded_units"] == 13
    assert table.loc["MAT", "stranded_value"] == approx(13 * 27.0)
    assert table.loc["MAT", "days_stranded"] == 10
    assert np.isnan(table.loc["RUG", "stranded_value"])  # no price: not estimated
    totals = lh.stranded_totals(lh.stranded_units(report, AS_OF))
    assert totals["skus"] == 2 and totals["units"] == 17
    assert np.isnan(totals["value"]) and totals["value_known"] == approx(351.0)


def test_the_latest_stranded_snapshot_counts_and_an_undated_one_is_the_report_date():
    old = _stranded("2026-11-01", [("CUP", "B03", "No listing", "", "2026-10-20", 50, 0, 0, 9.0)])
    new = _stranded("2026-11-29", [("MAT", "B01", "No listing", "", "2026-11-20", 1, 0, 0, 27.0)])
    assert lh.stranded_units(pd.concat([old, new]), AS_OF)["sku"].tolist() == ["MAT"]
    undated = _stranded(None, [("CUP", "B03", "No listing", "", "2026-10-20", 5, 0, 0, 9.0)])
    table = lh.stranded_units(undated, AS_OF)
    assert table["days_stranded"].tolist() == [41] and table["stranded_value"].tolist() == [45.0]
    assert lh.stranded_units(None, AS_OF) is None and lh.stranded_totals(None) is None


def test_stranded_units_from_manage_fba_inventory_without_the_stranded_report():
    inventory = pd.DataFrame({
        "sku": ["MAT", "RUG", "CUP"], "asin": ["B01", "B02", "B03"],
        "afn_listing_exists": pd.array([False, True, False], dtype="boolean"),
        "afn_fulfillable_quantity": [10, 40, 0], "afn_unsellable_quantity": [2, 0, 0],
        "afn_reserved_quantity": [1, 0, 0], "your_price": [27.0, 55.0, 9.0],
        "snapshot_date": pd.Timestamp("2026-11-29"), "currency": "AUD"})
    table = lh.stranded_from_inventory(inventory, AS_OF)
    # CUP has no FBA listing but no unit either: nothing stranded
    assert table[["sku", "stranded_reason", "stranded_units"]].values.tolist() == [
        ["MAT", "no_fba_listing", 13.0]]
    assert table["stranded_value"].iloc[0] == approx(351.0)
    assert lh.stranded_from_inventory(inventory.drop(columns="afn_listing_exists"), AS_OF) is None


def test_go_live_without_orders_or_time_zones():
    # no orders: the first Active snapshot is the only evidence
    table = lh.go_live(_two_snapshots(), None, AS_OF).set_index("sku")
    assert table.loc["NEW", "live_evidence"] == "active_snapshot"
    assert table.loc["NEW", "go_live_hours"] == approx(52.0)  # 11-25 20:00 .. end of 11-27
    # naive open dates against zoned orders: wall times compared
    naive = _two_snapshots().assign(open_date=lambda f: f["open_date"].dt.tz_localize(None))
    orders = _orders([("NEW", "2026-11-26 08:00", "Shipped")])
    assert lh.go_live(naive, orders, AS_OF).set_index("sku").loc["NEW", "go_live_hours"] == \
        approx(12.0)

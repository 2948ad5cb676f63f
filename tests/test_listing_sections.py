"""The listing-health section: finding, table, notes and what to download, en and zh."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from opsanalysis import listing_sections
from opsanalysis.labels import all_labels, label

TZ = "Australia/Sydney"
AS_OF = pd.Timestamp("2026-11-30")
PARAMS = {"currency": "AUD", "rules": {"listing_go_live_hours": {"value": 24, "unit": "hours"}}}


def _listings():
    rows = [("2026-11-20", "MAT", "B01", "Bath mat", 30.0, "2025-01-05 09:00", "Active"),
            ("2026-11-20", "RUG", "B02", "Rug", 55.0, "2025-03-01 09:00", "Active"),
            ("2026-11-27", "MAT", "B01", "Bath mat", 27.0, "2025-01-05 09:00", "Active"),
            ("2026-11-27", "RUG", "B02", "Rug, wool", 55.0, "2025-03-01 09:00", "Active"),
            ("2026-11-27", "CUP", "B03", "Cup", 9.0, "2026-11-25 08:00", "Inactive"),
            ("2026-11-27", "NEW", "B04", "Lamp", 40.0, "2026-11-25 20:00", "Active")]
    frame = pd.DataFrame(rows, columns=["snapshot_date", "sku", "asin", "item_name", "price",
                                        "open_date", "status"])
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"])
    frame["open_date"] = pd.to_datetime(frame["open_date"]).dt.tz_localize(TZ)
    frame["fulfillment_channel"] = "AMAZON_FE"
    return frame


def _data():
    suppressed = pd.DataFrame({"status": ["Search Suppressed"], "sku": ["RUG"], "asin": ["B02"],
                               "reason": ["Missing main image"], "issue_description": [""],
                               "status_change_date": [pd.Timestamp("2026-11-28")],
                               "snapshot_date": [pd.Timestamp("2026-11-29")]})
    stranded = pd.DataFrame({
        "sku": ["RUG", "OLD"], "asin": ["B02", "B09"],
        "stranded_reason": ["Listing suppressed", "No listing"],
        "primary_action": ["Fix listing", "Create removal order"],
        "date_stranded": pd.to_datetime(["2026-11-28", "2026-11-01"]).tz_localize(TZ),
        "fulfillable_quantity": [20, 5], "unfulfillable_quantity": [0, 1],
        "reserved_quantity": [0, 0], "your_price": [55.0, 10.0],
        "snapshot_date": pd.Timestamp("2026-11-29"), "currency": "AUD"})
    inventory = pd.DataFrame({"sku": ["MAT", "RUG", "NEW"], "afn_fulfillable_quantity": [0, 20, 3],
                              "snapshot_date": pd.Timestamp("2026-11-29")})
    orders = pd.DataFrame({"sku": ["NEW"], "order_status": ["Shipped"], "quantity": [1],
                           "sales_channel": ["Amazon.com.au"],
                           "purchase_date": pd.to_datetime(["2026-11-26 08:00"]).tz_localize(TZ)})
    orders = pd.concat([orders, orders.assign(sku="MAT", purchase_date=pd.Timestamp(
        "2026-11-02 10:00", tz=TZ))], ignore_index=True)
    return {"all_listings": _listings(), "suppressed_listings": suppressed,
            "stranded_inventory": stranded, "fba_inventory": inventory, "all_orders": orders}


def _report(data, language="en"):
    return SimpleNamespace(data=data, params=PARAMS, as_of=AS_OF, language=language)


def test_the_section_lists_each_sku_once_with_its_most_urgent_problem():
    section = listing_sections.listing_health_section(_report(_data()))
    table = section.table
    assert table[["sku", "listing_problem"]].values.tolist() == [
        ["RUG", "suppressed"], ["OLD", "stranded_stock"], ["CUP", "listing_inactive"],
        ["MAT", "no_sellable_stock"]]
    by_sku = table.set_index("sku")
    assert by_sku.loc["RUG", "units_at_stake"] == 20
    assert by_sku.loc["RUG", "value_at_stake"] == pytest.approx(1100.0)
    assert by_sku.loc["OLD", "reason"] == "No listing (Create removal order)"
    assert by_sku.loc["MAT", "units_at_stake"] == 0  # not in the stranded report: none held
    assert section.finding == (
        "4 listings to look at: 1 suppressed, 1 inactive or incomplete, 2 with stranded stock "
        "(26 units, 1,160.00 AUD), 1 active FBA listing without sellable stock.")
    changes, go_live, missing = section.notes
    assert changes == ("Between the All Listings snapshots of 2026-11-20 and 2026-11-27: "
                       "1 price change, 1 title change (a title change during a launch's "
                       "build-up resets it).")
    # orders start 2026-11-02: CUP (never live) and NEW (12 h) were created since
    assert go_live.startswith("Go-live (creation to the first order or Active snapshot, an "
                              "upper bound): median 12.0 hours over the 1 of 2 listings "
                              "created since 2026-11-02; 1 within the 24-hour rule.")
    assert missing == ""
    text = section.check_text()
    assert "Units held" in text and "Value at listing price (AUD)" in text


def test_units_are_not_estimated_without_the_stranded_report():
    data = _data()
    del data["stranded_inventory"]
    section = listing_sections.listing_health_section(_report(data))
    assert np.isnan(section.table["units_at_stake"]).all()
    assert "not estimated" in section.finding
    assert "not estimated" in section.check_text()
    assert section.notes[-1] == ("Not checked, download to add: Stranded Inventory report "
                                 "(stranded units and their reasons).")


def test_without_listing_reports_the_section_says_what_to_download():
    section = listing_sections.listing_health_section(_report({}))
    assert section.table is None
    assert section.finding.startswith("Listing health needs an All Listings report")
    assert "Stranded Inventory report (Reports > Fulfillment > Stranded inventory)" in \
        section.finding


def test_one_snapshot_says_changes_need_two():
    data = _data()
    data["all_listings"] = _listings().iloc[2:]
    section = listing_sections.listing_health_section(_report(data))
    assert section.notes[0] == ("Price and title changes need two All Listings snapshots; "
                                "the folder holds 1.")


def test_chinese_section_and_labels():
    section = listing_sections.listing_health_section(_report(_data(), "zh"))
    assert section.heading == "Listing 健康"
    assert "被抑制" in section.check_text()
    labels = all_labels()
    for code in ("suppressed", "stranded_stock", "listing_inactive", "listing_incomplete",
                 "listing_not_active", "no_sellable_stock", "not_in_fba_inventory",
                 "units_at_stake", "value_at_stake", "go_live_hours", "live_evidence"):
        assert labels[code]["en"] and labels[code]["zh"], code
    assert label("listing_health", "zh") != label("listing_health", "en")


def test_workbook_tables():
    view = listing_sections.prepare_listing_health(_report(_data()))
    tables = listing_sections.workbook_tables(view)
    assert set(tables) == {"listing_health", "listing_changes", "listing_go_live",
                           "stranded_inventory"}
    assert tables["listing_go_live"]["open_date"].dt.tz is None  # Excel takes no time zones
    assert len(tables["listing_health"]) == 4


def test_stranded_stock_from_manage_fba_inventory_when_no_stranded_report():
    data = _data()
    del data["stranded_inventory"]
    data["fba_inventory"] = data["fba_inventory"].assign(
        afn_listing_exists=pd.array([True, True, False], dtype="boolean"), your_price=40.0)
    section = listing_sections.listing_health_section(_report(data))
    by_sku = section.table.set_index("sku")
    assert by_sku.loc["NEW", "listing_problem"] == "stranded_stock"
    assert by_sku.loc["NEW", "units_at_stake"] == 3 and by_sku.loc["NEW", "value_at_stake"] == 120
    assert "1 with stranded stock (3 units, 120.00 AUD)" in section.finding


@pytest.mark.parametrize("marketplace", ["AU", "SG"])
def test_planted_suppressed_listing_and_stranded_stock_in_the_sample(sample_dir, marketplace):
    from opsanalysis import batch
    from opsanalysis.sample import generate

    planted = generate(None).planted[marketplace]
    report = batch.prepare(marketplace, str(sample_dir), "", "", "en", "")
    table = listing_sections.listing_health_table(
        listing_sections.prepare_listing_health(report))
    problems = dict(zip(table["sku"], table["listing_problem"], strict=True))
    assert problems[planted["suppressed_listing_sku"]] == "listing_inactive"
    assert problems[planted["stranded_sku"]] == "stranded_stock"
    # Manage FBA Inventory holds the deleted listing's units: they are at stake
    assert table.set_index("sku").loc[planted["stranded_sku"], "units_at_stake"] > 0

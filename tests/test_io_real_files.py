"""Every real Amazon export in ../shared/amazon-report-samples is read right.

Right kind, every data row (MANIFEST.tsv ``data_rows``), canonical columns, and spot-checked
values against the cells Amazon wrote. Skips with a reason where ../shared is absent.
"""

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsanalysis import marketplaces
from opsanalysis.io import canonical_columns, read_report

EXPECTED_KIND = {
    "fs_uk_br_child_asin_2025-07-23.csv": "business_report_asin",
    "progami_uk_sp_search_term_2023.xlsx": "sp_search_term",
    "xvr_us_all_orders_2020.txt": "all_orders",
    "xvr_us_br_by_date_daily_2019.csv": "business_report_date",
    "xvr_us_br_by_date_monthly_2019.csv": "business_report_date",
    "xvr_us_br_child_asin_2019.csv": "business_report_asin",
    "xvr_us_console_adgroup_search_terms_2019.csv": "console_search_terms",
    "xvr_us_console_campaigns_table_2019.csv": "console_campaigns",
    "xvr_us_excess_inventory_2019_cp1252.csv": "excess_inventory",
    "xvr_us_fba_returns_2020_cp1252.csv": "fba_returns",
    "xvr_us_inventory_age_2019_cp1252.csv": "inventory_planning",
    "xvr_us_inventory_health_2019_cp1252.csv": "inventory_planning",
    "xvr_us_manage_fba_inventory_2020_cp1252.csv": "fba_inventory",
    "xvr_us_mfn_returns_2019.tsv": "mfn_returns",
    "xvr_us_restock_2019_cp1252.csv": "restock",
    "xvr_us_sp_advertised_product_daily_2019.xlsx": "sp_advertised_product",
    "xvr_us_sp_campaign_daily_2019.csv": "sp_campaign",
    "xvr_us_sp_performance_over_time_2019.xlsx": "sp_performance_over_time",
    "xvr_us_sp_placement_daily_2019.xlsx": "sp_placement",
    "xvr_us_sp_purchased_product_2019.xlsx": "sp_purchased_product",
    "xvr_us_sp_search_term_2019.xlsx": "sp_search_term",
    "xvr_us_sp_targeting_2019.xlsx": "sp_targeting",
}
# Files added to the folder later are named the same way: kind from words in the name
# (first match wins, so the more specific words come first).
KIND_BY_NAME = [
    ("console_adgroup_search_terms", "console_search_terms"),
    ("console_campaigns", "console_campaigns"), ("br_child_asin", "business_report_asin"),
    ("br_by_date", "business_report_date"), ("all_orders", "all_orders"),
    ("fba_returns", "fba_returns"), ("mfn_returns", "mfn_returns"),
    ("manage_fba_inventory", "fba_inventory"), ("inventory_age", "inventory_planning"),
    ("inventory_health", "inventory_planning"), ("inventory_planning", "inventory_planning"),
    ("excess_inventory", "excess_inventory"), ("inventory_history", "inventory_history"),
    ("restock", "restock"), ("sp_search_term", "sp_search_term"),
    ("sp_targeting", "sp_targeting"), ("sp_advertised_product", "sp_advertised_product"),
    ("sp_placement", "sp_placement"), ("sp_purchased_product", "sp_purchased_product"),
    ("sp_performance_over_time", "sp_performance_over_time"), ("sp_campaign", "sp_campaign"),
]
# The by-ASIN Business Report has no dates; tests give an arbitrary period.
PERIOD = ("2019-11-01", "2019-11-20")
SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "amazon-report-samples"

_cache = {}


def manifest(samples_dir):
    with open(samples_dir / "MANIFEST.tsv", encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle, delimiter="\t")}


def listed_files():
    if (SAMPLES / "MANIFEST.tsv").is_file():
        return sorted(manifest(SAMPLES))
    return sorted(EXPECTED_KIND)


def expected_kind(name):
    if name in EXPECTED_KIND:
        return EXPECTED_KIND[name]
    return next((kind for word, kind in KIND_BY_NAME if word in name), None)


def read(samples_dir, name):
    if name not in _cache:
        # names are <source>_<marketplace>_<what>: xvr_us_..., fs_uk_...
        code = name.split("_")[1].upper() if "_" in name else ""
        marketplace = code if code in marketplaces.codes() else None
        period = PERIOD if expected_kind(name) == "business_report_asin" else None
        _cache[name] = read_report(samples_dir / name, marketplace=marketplace, period=period)
    return _cache[name]


@pytest.mark.parametrize("name", listed_files())
def test_kind_rows_and_columns(amazon_samples_dir, name):
    if not (amazon_samples_dir / name).is_file():
        pytest.skip(f"{name} not in this copy of the samples")
    frame = read(amazon_samples_dir, name)
    row = manifest(amazon_samples_dir)[name]
    assert frame.attrs["kind"] == expected_kind(name)
    assert len(frame) == int(row["data_rows"])
    known = set(canonical_columns(frame.attrs["kind"]))
    extras = [column for column in frame.columns if column not in known]
    # every header is a canonical column or reported as an unknown extra
    for column in extras:
        assert any(repr(column) in warning for warning in frame.attrs["warnings"]), column
    assert frame.attrs["source"].endswith(name)
    assert frame.attrs["marketplace"] == name.split("_")[1].upper()


def test_uk_business_report_values(amazon_samples_dir):
    frame = read(amazon_samples_dir, "fs_uk_br_child_asin_2025-07-23.csv")
    first = frame.iloc[0]
    assert first["child_asin"] == "B0B46GGBBP"
    assert first["sessions"] == 17 and first["sessions_b2b"] == 1
    assert first["session_percentage"] == pytest.approx(0.0181)
    assert first["ordered_product_sales"] == pytest.approx(112.60)
    assert first["ordered_product_sales_b2b"] == pytest.approx(11.26)
    assert first["unit_session_percentage"] == pytest.approx(0.5882)
    assert (frame["currency"] == "GBP").all()
    assert str(frame["sessions"].dtype) == "Int64"
    assert frame["period_start"].iloc[0] == pd.Timestamp(PERIOD[0])
    # B2B columns are never mistaken for the totals
    assert (frame["sessions"] >= frame["sessions_b2b"]).all()


def test_legacy_business_report_values(amazon_samples_dir):
    frame = read(amazon_samples_dir, "xvr_us_br_child_asin_2019.csv")
    first = frame.iloc[0]
    assert frame.attrs["variant"] == "legacy_2019"
    assert first["sessions"] == 3395
    assert first["page_views"] == 4488
    assert first["buy_box_percentage"] == pytest.approx(0.99)
    assert first["ordered_product_sales"] == pytest.approx(5216.29)
    assert '31" x 19"' in first["title"]


def test_business_report_by_date(amazon_samples_dir):
    daily = read(amazon_samples_dir, "xvr_us_br_by_date_daily_2019.csv")
    assert daily["date"].iloc[0] == pd.Timestamp("2019-11-10")
    assert daily["ordered_product_sales"].iloc[0] == pytest.approx(71.98)
    assert daily["unit_session_percentage"].iloc[0] == pytest.approx(0.0072)
    monthly = read(amazon_samples_dir, "xvr_us_br_by_date_monthly_2019.csv")
    assert monthly["date"].iloc[0] == pd.Timestamp("2017-12-01")
    assert str(monthly["date"].dtype) == "datetime64[ns]"


def test_all_orders_values(amazon_samples_dir):
    frame = read(amazon_samples_dir, "xvr_us_all_orders_2020.txt")
    assert str(frame["purchase_date"].dt.tz) == "America/Los_Angeles"
    first = frame.iloc[0]
    assert first["purchase_date"] == pd.Timestamp("2020-01-23T00:18:30+00:00")
    assert first["sales_channel"] == "Non-Amazon"
    assert "price_designation" in frame.columns  # header had a trailing space
    assert str(frame["quantity"].dtype) == "Int64"
    assert frame["is_business_order"].dtype == "boolean"
    assert frame.loc[frame["sales_channel"] != "Non-Amazon", "item_price"].notna().any()
    # postal codes stay text (leading zeros kept)
    assert frame["ship_postal_code"].dropna().map(lambda value: isinstance(value, str)).all()
    assert frame["ship_postal_code"].dtype == "str"


def test_campaign_csv_values(amazon_samples_dir):
    frame = read(amazon_samples_dir, "xvr_us_sp_campaign_daily_2019.csv")
    first = frame.iloc[0]
    assert first["date"] == pd.Timestamp("2019-12-01")
    assert first["start_date"] == pd.Timestamp("2019-11-06")
    assert first["budget"] == pytest.approx(3.0)
    assert first["ctr"] == pytest.approx(0.0062)
    assert first["cpc"] == pytest.approx(0.5566667000000001)
    assert first["attribution_days"] == 7
    assert frame["campaign_name"].str.contains("自动").any()


def test_xlsx_rates_stay_fractions(amazon_samples_dir):
    frame = read(amazon_samples_dir, "xvr_us_sp_search_term_2019.xlsx")
    assert frame["ctr"].max() <= 1.0
    assert frame["date"].dtype == "datetime64[ns]"
    with_clicks = frame[frame["clicks"] > 0]
    assert np.allclose(with_clicks["cpc"], with_clicks["spend"] / with_clicks["clicks"],
                       atol=0.006)
    uk = read(amazon_samples_dir, "progami_uk_sp_search_term_2023.xlsx")
    assert (uk["currency"] == "GBP").all()
    assert uk["acos"].dropna().between(0, 100).all()


def test_console_exports_scale(amazon_samples_dir):
    campaigns = read(amazon_samples_dir, "xvr_us_console_campaigns_table_2019.csv")
    first = campaigns.iloc[0]
    assert first["ctr"] == 0.006826  # "0.6826" under CTR(%): the nearest double, exactly
    assert first["acos"] == 0.613227
    assert first["start_date"] == pd.Timestamp("2018-11-13")
    assert first["spend"] == pytest.approx(2531.69)
    assert campaigns.attrs["currency"] == "USD"
    terms = read(amazon_samples_dir, "xvr_us_console_adgroup_search_terms_2019.csv")
    converting = terms[terms["orders"] > 0]
    assert np.allclose(converting["conversion_rate"], converting["orders"] / converting["clicks"])


def test_inventory_files(amazon_samples_dir):
    myi = read(amazon_samples_dir, "xvr_us_manage_fba_inventory_2020_cp1252.csv")
    assert myi["mfn_listing_exists"].dtype == "boolean"
    assert myi["afn_fulfillable_quantity"].dtype == "Int64"
    assert myi["mfn_fulfillable_quantity"].isna().any()  # blank when there is no MFN offer
    assert myi["product_name"].str.contains("–").any()  # cp1252 en dash decoded
    health = read(amazon_samples_dir, "xvr_us_inventory_health_2019_cp1252.csv")
    assert health.attrs["variant"] == "legacy_inventory_health"
    assert np.isinf(health["weeks_of_cover_t30"]).any()  # "Infinite"
    assert health["snapshot_date"].iloc[0] == pd.Timestamp("2019-12-16")
    age = read(amazon_samples_dir, "xvr_us_inventory_age_2019_cp1252.csv")
    assert age.attrs["variant"] == "legacy_inventory_age"
    assert age["available"].iloc[0] == 29  # Amazon's typo avaliable-quantity(sellable)
    excess = read(amazon_samples_dir, "xvr_us_excess_inventory_2019_cp1252.csv")
    assert excess["your_price"].iloc[0] == pytest.approx(58.89)  # "USD 58.89"
    assert excess.attrs["currency"] == "USD"
    restock = read(amazon_samples_dir, "xvr_us_restock_2019_cp1252.csv")
    assert restock.attrs["variant"] == "legacy_2019"
    assert restock["recommended_replenishment_qty"].dtype == "Int64"


def test_returns(amazon_samples_dir):
    fba = read(amazon_samples_dir, "xvr_us_fba_returns_2020_cp1252.csv")
    assert fba["return_date"].iloc[0] == pd.Timestamp("2020-01-28T04:36:08+00:00")
    assert str(fba["return_date"].dt.tz) == "America/Los_Angeles"
    mfn = read(amazon_samples_dir, "xvr_us_mfn_returns_2019.tsv")
    first = mfn.iloc[0]
    assert first["order_date"] == pd.Timestamp("2019-09-07")
    assert '17.7" x 29.5"' in first["item_name"]  # &quot; decoded
    assert pd.isna(first["amazon_rma_id"])  # single-space blank
    assert first["order_amount"] == pytest.approx(58.21)

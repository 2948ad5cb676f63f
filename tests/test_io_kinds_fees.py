"""Long-term storage fee charges and FBA fee preview, written in Amazon's tab-delimited format."""

import pandas as pd
import pytest

import opsanalysis as oa
from opsanalysis.io import ReportError


def write(path, rows, encoding="utf-8"):
    path.write_bytes(("\r\n".join("\t".join(row) for row in rows) + "\r\n").encode(encoding))
    return path


LTSF_CURRENT = [
    ["snapshot-date", "sku", "fnsku", "asin", "product-name", "condition", "per-unit-volume",
     "currency", "volume-unit", "country", "qty-charged", "amount-charged",
     "surcharge-age-tier", "rate-surcharge"],
    ["2023-08-15", "MAT-31x19", "X001ABCDEF", "B07JMDZBSR", "Bath Mat 31 x 19", "New",
     "0.4321", "USD", "cubic feet", "US", "12", "3.41", "271-300", "0.50"],
    ["2023-08-15", "MAT-31x19", "X001ABCDEF", "B07JMDZBSR", "Bath Mat 31 x 19", "New",
     "0.4321", "USD", "cubic feet", "US", "3", "8.86", "365-plus", "6.90"],
]
LTSF_LEGACY = [
    ["snapshot-date", "sku", "fnsku", "asin", "product-name", "condition",
     "qty-charged-12-mo-long-term-storage-fee", "per-unit-volume", "currency",
     "12-mo-long-terms-storage-fee", "qty-charged-6-mo-long-term-storage-fee",
     "6-mo-long-terms-storage-fee", "volume-unit", "country", "enrolled-in-small-and-light"],
    ["2019-12-15", "MAT-63x27", "X001GHIJKL", "B07JMT389Q", "Door Mat 63 x 27", "New", "4",
     "1.20", "USD", "28.80", "0", "0.00", "cubic feet", "US", "No"],
]


def test_long_term_storage_fee_current_header(tmp_path):
    frame = oa.io.read_report(write(tmp_path / "ltsf.txt", LTSF_CURRENT), marketplace="US")
    assert frame.attrs["kind"] == "long_term_storage_fee"
    assert frame.attrs["variant"] == "current"
    assert frame["snapshot_date"].tolist() == [pd.Timestamp("2023-08-15")] * 2
    assert frame["qty_charged"].tolist() == [12, 3]
    assert frame["amount_charged"].tolist() == pytest.approx([3.41, 8.86])
    assert frame["surcharge_age_tier"].tolist() == ["271-300", "365-plus"]
    assert frame["per_unit_volume"].iloc[0] == pytest.approx(0.4321)
    assert (frame["currency"] == "USD").all()
    assert frame.attrs["period"] == (pd.Timestamp("2023-08-15"), pd.Timestamp("2023-08-15"))


def test_long_term_storage_fee_legacy_header_is_not_fba_inventory(tmp_path):
    # a file like this was diagnosed as "a fba_inventory report ... add afn-fulfillable-quantity"
    frame = oa.io.read_report(write(tmp_path / "ltsf_2019.txt", LTSF_LEGACY), marketplace="US")
    assert frame.attrs["kind"] == "long_term_storage_fee"
    assert frame.attrs["variant"] == "legacy_6_12_month"
    row = frame.iloc[0]
    assert row["qty_charged_12_mo"] == 4 and row["amount_charged_12_mo"] == pytest.approx(28.80)
    assert row["qty_charged_6_mo"] == 0
    assert not row["enrolled_in_small_and_light"]


def test_long_term_storage_fee_bad_quantity(tmp_path):
    rows = [list(row) for row in LTSF_CURRENT]
    rows[2][10] = "3.5"
    with pytest.raises(ReportError) as caught:
        oa.io.read_report(write(tmp_path / "ltsf.txt", rows), marketplace="US")
    assert caught.value.row == 3 and caught.value.column == "qty-charged"
    assert caught.value.file.endswith("ltsf.txt")


FEE_PREVIEW_US = [
    ["sku", "fnsku", "asin", "product-name", "product-group", "brand", "fulfilled-by",
     "your-price", "sales-price", "longest-side", "median-side", "shortest-side",
     "length-and-girth", "unit-of-dimension", "item-package-weight", "unit-of-weight",
     "product-size-tier", "currency", "estimated-fee-total", "estimated-referral-fee-per-unit",
     "estimated-variable-closing-fee", "estimated-order-handling-fee-per-order",
     "estimated-pick-pack-fee-per-unit", "estimated-weight-handling-fee-per-unit",
     "expected-fulfillment-fee-per-unit"],
    ["MAT-31x19", "X001ABCDEF", "B07JMDZBSR", "Bath Mat 31 x 19", "Home", "Acme", "Amazon",
     "29.99", "27.99", "19.3", "12.1", "2.4", "48.3", "inches", "1.65", "pounds",
     "Large standard-size", "USD", "10.47", "4.20", "0.00", "--", "--", "--", "6.27"],
]
FEE_PREVIEW_EU = [
    ["sku", "fnsku", "asin", "amazon-store", "product-name", "product-group", "brand",
     "fulfilled-by", "has-local-inventory", "your-price", "sales-price", "longest-side",
     "median-side", "shortest-side", "length-and-girth", "unit-of-dimension",
     "item-package-weight", "unit-of-weight", "product-size-weight-band", "currency",
     "estimated-fee-total", "estimated-referral-fee-per-unit", "estimated-variable-closing-fee",
     "expected-domestic-fulfilment-fee-per-unit", "expected-efn-fulfilment-fee-per-unit-uk",
     "expected-efn-fulfilment-fee-per-unit-de", "expected-efn-fulfilment-fee-per-unit-fr",
     "expected-efn-fulfilment-fee-per-unit-it", "expected-efn-fulfilment-fee-per-unit-es"],
    ["MAT-DE", "X002ABCDEF", "B07JMDZBSR", "DE", "Badematte", "Home", "Acme", "Amazon", "Y",
     "24.99", "24.99", "49.0", "31.0", "6.0", "123.0", "centimeters", "0.75", "kilograms",
     "Standard parcel", "EUR", "7.93", "3.75", "0.00", "4.18", "--", "--", "5.12", "5.60",
     "5.05"],
]


def test_fba_fee_preview_us(tmp_path):
    path = write(tmp_path / "fee_preview_2024-03-01.txt", FEE_PREVIEW_US, "cp1252")
    frame = oa.io.read_report(path, marketplace="US")
    assert frame.attrs["kind"] == "fba_fee_preview"
    row = frame.iloc[0]
    assert row["estimated_fee_total"] == pytest.approx(10.47)
    assert row["expected_fulfillment_fee_per_unit"] == pytest.approx(6.27)
    assert pd.isna(row["estimated_pick_pack_fee_per_unit"])  # "--": not estimated, never 0
    assert row["snapshot_date"] == pd.Timestamp("2024-03-01")  # from the file name
    assert row["currency"] == "USD"


def test_fba_fee_preview_eu_domestic_and_efn(tmp_path):
    frame = oa.io.read_report(write(tmp_path / "fees.txt", FEE_PREVIEW_EU), marketplace="DE")
    assert frame.attrs["variant"] == "eu"
    row = frame.iloc[0]
    assert row["expected_fulfillment_fee_per_unit"] == pytest.approx(4.18)
    assert row["expected_efn_fulfilment_fee_per_unit_fr"] == pytest.approx(5.12)
    assert pd.isna(row["expected_efn_fulfilment_fee_per_unit_uk"])
    assert row["amazon_store"] == "DE" and row["currency"] == "EUR"


def test_fee_preview_without_fee_total_is_missing_column(tmp_path):
    rows = [row[:18] + row[19:] for row in FEE_PREVIEW_US]
    with pytest.raises(ReportError) as caught:
        oa.io.read_report(write(tmp_path / "fees.txt", rows), kind="fba_fee_preview")
    assert caught.value.row == 1 and caught.value.column == "estimated-fee-total"

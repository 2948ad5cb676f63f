"""Kind tables: FBA long-term storage fee charges and FBA fee preview.

Sources (``../shared/reference/amazon-report-formats.md`` and the parsers cited there):

- Long-term storage fee charges (``GET_FBA_FULFILLMENT_LONGTERM_STORAGE_FEE_CHARGES_DATA``),
  tab-delimited, one row per SKU and charge date. Two headers are in use [3P, Java report
  readers that split Amazon's header]: the legacy one with 6- and 12-month columns,
  ``snapshot-date sku fnsku asin product-name condition qty-charged-12-mo-long-term-storage-fee
  per-unit-volume currency 12-mo-long-terms-storage-fee qty-charged-6-mo-long-term-storage-fee
  6-mo-long-terms-storage-fee volume-unit country enrolled-in-small-and-light`` (Amazon's own
  ``long-terms`` spelling), and the current one, ``snapshot-date sku fnsku asin product-name
  condition per-unit-volume currency volume-unit country qty-charged amount-charged
  surcharge-age-tier rate-surcharge``.
- FBA fee preview (``GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA``), tab-delimited, one row per SKU;
  US, CA and EU variants [3P, a PHP MWS client pins the three headers; an SP-API data
  dictionary lists the 31 current US columns]. EU files spell ``fulfilment`` and split the
  fulfilment fee into domestic and per-country EFN columns, ``--`` where not offered.

Both carry raw numbers and English headers in every marketplace; money is in the ``currency``
column's currency (the marketplace's). Neither carries localised headers in any file seen.
"""

from __future__ import annotations

from opsanalysis.io.schema_types import BOOLEAN, COUNT, DATE, MONEY, NUMBER, TEXT, Kind, col, flat

LONG_TERM_STORAGE_FEE = Kind(
    "long_term_storage_fee",
    "FBA long-term storage fee charges (GET_FBA_FULFILLMENT_LONGTERM_STORAGE_FEE_CHARGES_DATA; "
    "legacy 6/12-month and current surcharge-tier headers), one row per SKU and charge date",
    "flat_file",
    (
        col("snapshot_date", DATE, True, en="snapshot-date"),
        flat("sku", TEXT, True),
        flat("fnsku"),
        flat("asin"),
        flat("product_name"),
        flat("condition"),
        flat("per_unit_volume", NUMBER),
        flat("volume_unit"),
        flat("currency"),
        flat("country"),
        # current header: one charge per row, its age tier and rate
        flat("qty_charged", COUNT),
        flat("amount_charged", MONEY),
        flat("surcharge_age_tier"),
        flat("rate_surcharge", MONEY),
        # legacy header: 12-month and 6-month charges side by side
        col("qty_charged_12_mo", COUNT, en="qty-charged-12-mo-long-term-storage-fee"),
        col("amount_charged_12_mo", MONEY,
            en=("12-mo-long-terms-storage-fee", "12-mo-long-term-storage-fee")),
        col("qty_charged_6_mo", COUNT, en="qty-charged-6-mo-long-term-storage-fee"),
        col("amount_charged_6_mo", MONEY,
            en=("6-mo-long-terms-storage-fee", "6-mo-long-term-storage-fee")),
        flat("enrolled_in_small_and_light", BOOLEAN),
    ),
    variants=(("legacy_6_12_month", "qty-charged-12-mo-long-term-storage-fee"),),
)


def _fee(name, *english):
    """A money column of the fee preview; the English header is the hyphenated name first."""
    return col(name, MONEY, en=(name.replace("_", "-"), *english))


FBA_FEE_PREVIEW = Kind(
    "fba_fee_preview",
    "FBA fee preview (GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA; US, CA and EU headers), one row "
    "per SKU, estimated per-unit fees at the current price",
    "flat_file",
    (
        flat("sku", TEXT, True),
        flat("fnsku"),
        flat("asin", TEXT, True),
        flat("amazon_store"),
        flat("product_name"),
        flat("product_group"),
        flat("brand"),
        flat("fulfilled_by"),
        flat("has_local_inventory"),
        flat("your_price", MONEY),
        flat("sales_price", MONEY),
        flat("longest_side", NUMBER),
        flat("median_side", NUMBER),
        flat("shortest_side", NUMBER),
        flat("length_and_girth", NUMBER),
        flat("unit_of_dimension"),
        flat("item_package_weight", NUMBER),
        flat("unit_of_weight"),
        flat("product_size_tier"),
        flat("product_size_weight_band"),
        flat("currency"),
        col("estimated_fee_total", MONEY, True, en="estimated-fee-total"),
        _fee("estimated_referral_fee_per_unit"),
        _fee("estimated_variable_closing_fee"),
        _fee("estimated_order_handling_fee_per_order"),
        _fee("estimated_pick_pack_fee_per_unit"),
        _fee("estimated_weight_handling_fee_per_unit"),
        _fee("expected_fulfillment_fee_per_unit", "expected-domestic-fulfilment-fee-per-unit",
             "expected-domestic-fulfillment-fee-per-unit"),
        *[_fee(f"expected_efn_fulfilment_fee_per_unit_{country}")
          for country in ("uk", "de", "fr", "it", "es")],
        col("estimated_future_fee", MONEY,
            en="estimated-future-fee (Current Selling on Amazon + Future Fulfillment fees)"),
        _fee("estimated_future_order_handling_fee_per_order"),
        _fee("estimated_future_pick_pack_fee_per_unit"),
        _fee("estimated_future_weight_handling_fee_per_unit"),
        _fee("expected_future_fulfillment_fee_per_unit"),
        # undated download: the date in the file name is the snapshot (as for MYI, restock)
        col("snapshot_date", DATE),
    ),
    variants=(("eu", "expected-domestic-fulfilment-fee-per-unit"),),
)

KINDS = (LONG_TERM_STORAGE_FEE, FBA_FEE_PREVIEW)

KEYS = {
    "long_term_storage_fee": ["snapshot_date", "sku", "fnsku", "asin", "condition", "country",
                              "surcharge_age_tier"],
    "fba_fee_preview": ["snapshot_date", "sku", "fnsku", "asin", "amazon_store"],
}
"""De-duplication keys (every identifying column): a later file's row replaces an earlier
file's row with the same key (see :mod:`opsanalysis.io.marketplace_data`)."""

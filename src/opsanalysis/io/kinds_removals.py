"""Kind tables: FBA removal order detail, removal shipment detail and recommended removal.

Sources: the SP-API report type list (``GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA``,
``GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA``, ``GET_FBA_RECOMMENDED_REMOVAL_DATA``, all
"tab-delimited flat file") and third-party readers that pin Amazon's headers [3P]:

- removal order detail: ``request-date order-id order-source order-type service-speed
  order-status last-updated-date sku fnsku disposition requested-quantity cancelled-quantity
  disposed-quantity shipped-quantity in-process-quantity removal-fee currency`` (older files
  lack ``order-source`` and ``service-speed``); ``order-id`` is the removal order id;
- removal shipment detail: ``request-date order-id shipment-date sku fnsku disposition
  shipped-quantity carrier tracking-number removal-order-type`` (one row per carrier shipment;
  cancelled or disposed units are only in the order detail);
- recommended removal: ``snapshot-date sku fnsku asin product-name condition product-group
  sellable-quantity unsellable-quantity`` then the inventory-age buckets, sales and the
  recommended removal quantities [INF from the inventory-health columns of the same era;
  ``# inferred`` below].

Timestamps are ISO 8601 with an offset (``2019-12-02T19:47:49+00:00``), read in the
marketplace time zone; quantities are raw integers.
"""

from __future__ import annotations

from opsanalysis.io.schema_types import COUNT, DATE, MONEY, TEXT, TIMESTAMP, Kind, col, flat

REMOVAL_ORDER_DETAIL = Kind(
    "removal_order_detail",
    "FBA removal order detail (GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA), one row per "
    "removal order, SKU and disposition",
    "flat_file",
    (
        flat("request_date", TIMESTAMP, True),
        col("order_id", TEXT, True, en=("order-id", "removal-order-id")),
        flat("order_source"),
        col("order_type", TEXT, en=("order-type", "removal-order-type")),
        flat("service_speed"),
        flat("order_status"),
        flat("last_updated_date", TIMESTAMP),
        flat("sku", TEXT, True),
        flat("fnsku"),
        flat("disposition"),
        flat("requested_quantity", COUNT, True),
        flat("cancelled_quantity", COUNT),
        flat("disposed_quantity", COUNT),
        flat("shipped_quantity", COUNT),
        flat("in_process_quantity", COUNT),
        flat("removal_fee", MONEY),
        flat("currency"),
    ),
)

REMOVAL_SHIPMENT_DETAIL = Kind(
    "removal_shipment_detail",
    "FBA removal shipment detail (GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA), one row "
    "per removal order, SKU and carrier shipment",
    "flat_file",
    (
        flat("request_date", TIMESTAMP),
        col("order_id", TEXT, True, en=("order-id", "removal-order-id")),
        flat("shipment_date", TIMESTAMP, True),
        flat("sku", TEXT, True),
        flat("fnsku"),
        flat("disposition"),
        flat("shipped_quantity", COUNT, True),
        flat("carrier"),
        flat("tracking_number"),
        flat("removal_order_type"),
    ),
)


def _age(low, high):
    # inferred: the inventory-health bucket names of the same era
    name = f"inv_age_{low}_to_{high}_days" if high else f"inv_age_{low}_plus_days"
    return flat(name, COUNT)


RECOMMENDED_REMOVAL = Kind(
    "recommended_removal",
    "FBA recommended removal (GET_FBA_RECOMMENDED_REMOVAL_DATA), one row per SKU and snapshot",
    "flat_file",
    (
        col("snapshot_date", DATE, True, en="snapshot-date"),
        flat("sku", TEXT, True),
        flat("fnsku"),
        flat("asin"),
        flat("product_name"),
        flat("condition"),
        flat("product_group"),
        flat("sellable_quantity", COUNT),
        flat("unsellable_quantity", COUNT),
        _age(0, 90), _age(91, 180), _age(181, 270), _age(271, 365), _age(365, None),
        flat("units_shipped_last_24_hrs", COUNT),
        flat("units_shipped_last_7_days", COUNT),
        flat("units_shipped_last_30_days", COUNT),
        flat("units_shipped_last_90_days", COUNT),
        flat("units_shipped_last_180_days", COUNT),
        flat("units_shipped_last_365_days", COUNT),
        flat("qty_to_be_charged_ltsf_6_mo", COUNT),
        flat("projected_ltsf_6_mo", MONEY),
        flat("qty_to_be_charged_ltsf_12_mo", COUNT),
        flat("projected_ltsf_12_mo", MONEY),
        flat("estimated_ltsf_next_charge", MONEY),
        flat("total_inventory_quantity", COUNT),
        flat("recommended_removal_quantity", COUNT, True),
        flat("recommended_sellable_removal_quantity", COUNT),  # inferred
        flat("recommended_unsellable_removal_quantity", COUNT),  # inferred
        flat("removal_fee", MONEY),  # inferred
        flat("estimated_cost_savings_of_removal", MONEY),  # inferred
        flat("currency"),
        flat("country"),
    ),
)

KINDS = (REMOVAL_ORDER_DETAIL, REMOVAL_SHIPMENT_DETAIL, RECOMMENDED_REMOVAL)

KEYS = {
    # the later file holds the later status and quantities of the same removal line
    "removal_order_detail": ["request_date", "order_id", "sku", "fnsku", "disposition"],
    "removal_shipment_detail": ["order_id", "shipment_date", "sku", "fnsku", "disposition",
                                "carrier", "tracking_number"],
    "recommended_removal": ["snapshot_date", "sku", "fnsku", "asin", "condition", "country"],
}
"""De-duplication keys (every identifying column), see :mod:`opsanalysis.io.marketplace_data`."""

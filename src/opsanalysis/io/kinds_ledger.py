"""Kind tables: Amazon-fulfilled inventory and the FBA inventory ledger (summary and detail).

Sources: SP-API report types ``GET_AFN_INVENTORY_DATA`` ("tab-delimited flat file"),
``GET_LEDGER_SUMMARY_VIEW_DATA`` and ``GET_LEDGER_DETAIL_VIEW_DATA`` (the Seller Central
"Inventory Ledger" page, csv or tab-delimited), and third-party readers that pin the headers
[3P]:

- Amazon-fulfilled inventory: ``seller-sku fulfillment-channel-sku asin condition-type
  Warehouse-Condition-code Quantity Available`` (Amazon's own mixed case), one row per SKU and
  warehouse condition (SELLABLE / UNSELLABLE), no date: the date in the file name is the
  snapshot, as for the MYI report;
- ledger summary: ``Date FNSKU ASIN MSKU Title Disposition Starting Warehouse Balance In
  Transit Between Warehouses Receipts Customer Shipments Customer Returns Vendor Returns
  Warehouse Transfer In/Out Found Lost Damaged Disposed Other Events Ending Warehouse Balance
  Unknown Events Location`` (+ ``Store`` in 2025-26 files), one row per day (or per month when
  aggregated by month) and FNSKU, disposition and location;
- ledger detail: ``Date FNSKU ASIN MSKU Title Event Type Reference ID Quantity Fulfillment
  Center Disposition Reason Country Reconciled Quantity Unreconciled Quantity Date and Time``,
  one row per inventory event; quantities are signed (shipments negative).

The de-DE UI names the detail's event column ``Ereignistyp`` [3P]; the other de-DE headers
here follow it and are ``# inferred``.
"""

from __future__ import annotations

from opsanalysis.io.schema_types import COUNT, DATE, TEXT, TIMESTAMP, Kind, col

AFN_INVENTORY = Kind(
    "afn_inventory",
    "Amazon-fulfilled inventory (GET_AFN_INVENTORY_DATA), one row per SKU and warehouse "
    "condition",
    "flat_file",
    (
        col("sku", TEXT, True, en="seller-sku"),
        col("fnsku", TEXT, en="fulfillment-channel-sku"),
        col("asin", TEXT, en="asin"),
        col("condition_type", TEXT, en="condition-type"),
        col("warehouse_condition_code", TEXT, True, en="Warehouse-Condition-code"),
        col("quantity_available", COUNT, True, en="Quantity Available"),
        col("snapshot_date", DATE),
    ),
)


def _movement(name, english, de=None):
    # Movements are signed: shipments and removals are negative, found units positive.
    return col(name, COUNT, en=english, de=de, nonnegative=False)


_IDENTITY = (
    col("date", DATE, True, en="Date", de="Datum"),  # de inferred
    col("fnsku", TEXT, True, en="FNSKU", de="FNSKU"),
    col("asin", TEXT, en="ASIN", de="ASIN"),
    col("sku", TEXT, True, en="MSKU", de="MSKU"),
    col("title", TEXT, en="Title", de="Titel"),  # de inferred
)

INVENTORY_LEDGER_SUMMARY = Kind(
    "inventory_ledger_summary",
    "FBA inventory ledger, summary view (GET_LEDGER_SUMMARY_VIEW_DATA), one row per day or "
    "month, FNSKU, disposition and location",
    "flat_file",
    (
        *_IDENTITY,
        col("disposition", TEXT, en="Disposition", de="Disposition"),
        _movement("starting_warehouse_balance", "Starting Warehouse Balance"),
        _movement("in_transit_between_warehouses", "In Transit Between Warehouses"),
        _movement("receipts", "Receipts"),
        _movement("customer_shipments", "Customer Shipments"),
        _movement("customer_returns", "Customer Returns"),
        _movement("vendor_returns", "Vendor Returns"),
        _movement("warehouse_transfer_in_out", "Warehouse Transfer In/Out"),
        _movement("found", "Found"),
        _movement("lost", "Lost"),
        _movement("damaged", "Damaged"),
        _movement("disposed", "Disposed"),
        _movement("other_events", "Other Events"),
        col("ending_warehouse_balance", COUNT, True, en="Ending Warehouse Balance",
            nonnegative=False),
        _movement("unknown_events", "Unknown Events"),
        col("location", TEXT, en="Location"),
        col("store", TEXT, en="Store"),
    ),
)

INVENTORY_LEDGER_DETAIL = Kind(
    "inventory_ledger_detail",
    "FBA inventory ledger, detailed view (GET_LEDGER_DETAIL_VIEW_DATA), one row per inventory "
    "event",
    "flat_file",
    (
        *_IDENTITY,
        col("event_type", TEXT, True, en="Event Type", de="Ereignistyp"),
        col("reference_id", TEXT, en="Reference ID", de="Referenz-ID"),  # de inferred
        _movement("quantity", "Quantity", de="Menge"),  # de inferred
        col("fulfillment_center", TEXT, en="Fulfillment Center", de="Versandzentrum"),
        col("disposition", TEXT, en="Disposition", de="Disposition"),
        col("reason", TEXT, en="Reason", de="Grund"),  # de inferred
        col("country", TEXT, en="Country", de="Land"),  # de inferred
        _movement("reconciled_quantity", "Reconciled Quantity"),
        _movement("unreconciled_quantity", "Unreconciled Quantity"),
        col("date_time", TIMESTAMP, en="Date and Time"),
        col("store", TEXT, en="Store"),
    ),
)

KINDS = (AFN_INVENTORY, INVENTORY_LEDGER_SUMMARY, INVENTORY_LEDGER_DETAIL)

KEYS = {
    "afn_inventory": ["snapshot_date", "sku", "fnsku", "asin", "condition_type",
                      "warehouse_condition_code"],
    "inventory_ledger_summary": ["date", "fnsku", "asin", "sku", "disposition", "location",
                                 "store"],
    "inventory_ledger_detail": ["date", "date_time", "fnsku", "asin", "sku", "event_type",
                                "reference_id", "quantity", "fulfillment_center",
                                "disposition", "reason", "country", "store"],
}
"""De-duplication keys (every identifying column), see :mod:`opsanalysis.io.marketplace_data`."""

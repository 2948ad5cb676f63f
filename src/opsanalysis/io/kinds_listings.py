"""Kind tables: All Listings / Active Listings reports and the open-listings inventory report.

Sources: SP-API report types ``GET_MERCHANT_LISTINGS_ALL_DATA`` ("All Listings Report"),
``GET_MERCHANT_LISTINGS_DATA`` ("Active Listings Report") and
``GET_FLAT_FILE_OPEN_LISTINGS_DATA`` ("Inventory Report"), all tab-delimited, UI downloads
``.txt`` with a BOM [reference §0, REAL]. Headers [3P, MWS clients pinning the expected
header, and a documented GET_MERCHANT_LISTINGS_ALL_DATA sample]: ``item-name
item-description listing-id seller-sku price quantity open-date image-url item-is-marketplace
product-id-type zshop-shipping-fee item-note item-condition zshop-category1 zshop-browse-path
zshop-storefront-feature asin1 asin2 asin3 will-ship-internationally expedited-shipping
zshop-boldface product-id bid-for-featured-placement add-delete pending-quantity
fulfillment-channel merchant-shipping-group`` (+ ``status`` in All Listings; + ``Business
Price``, ``Quantity Price Type`` ... for B2B sellers, kept as extra columns), and ``sku asin
price quantity`` for the open-listings report. ``open-date`` is a local date-time with a zone
(``11/20/2019 01:23:45 PST``; ``08/07/2016 10:12:40 BST`` day-first in the UK). ja-JP
downloads use Japanese headers; those below are ``# inferred``.

The reports are snapshots without a date column: the date in the file name is the snapshot
(as for the MYI report).

Two more downloads say why a listing cannot sell (issue 19, listing health):

* ``suppressed_listings``: Seller Central > Inventory > "Fix suppressed / Improve listing
  quality" download and SP-API ``GET_MERCHANTS_LISTINGS_FYP_REPORT`` ("Suppressed Listings
  Report"). Header [Airbyte's schema of the report]: ``Status  Reason  SKU  ASIN  Product name
  Condition  Status Change Date  Issue Description``; one row per SKU and issue.
* ``stranded_inventory``: Seller Central > Reports > Fulfillment > Stranded inventory
  (``Stranded_Inventory_<yyyymmdd>.txt``; SP-API ``GET_STRANDED_INVENTORY_UI_DATA``): FBA units
  whose offer is not buyable. Header [Airbyte's schema, and a 2020 US download]:
  ``primary-action date-stranded date-classified-as-unsellable status-primary status-secondary
  error-message stranded-reason asin sku fnsku product-name condition fulfilled-by
  fulfillable-qty your-price unfulfillable-qty reserved-quantity inbound-shipped-qty``
  (``Date-to-take-auto-removal`` in newer downloads); ``date-stranded`` is a date-time with an
  offset (``2020-01-20T08:00:00+00:00``). It is a listing report in all but name -- stock
  without a buyable listing -- so its kind lives here, with its de-duplication key.

Neither carries a snapshot date: the date in the file name is the snapshot, as above.
"""

from __future__ import annotations

from opsanalysis.io.schema_types import COUNT, DATE, MONEY, TEXT, TIMESTAMP, Kind, col, flat

ALL_LISTINGS = Kind(
    "all_listings",
    "All Listings / Active Listings report (GET_MERCHANT_LISTINGS_ALL_DATA, "
    "GET_MERCHANT_LISTINGS_DATA), one row per seller SKU",
    "flat_file",
    (
        flat("item_name", ja="商品名"),
        flat("item_description", ja="商品説明"),
        flat("listing_id", TEXT, True, ja="出品ID"),
        col("sku", TEXT, True, en="seller-sku", ja="出品者SKU"),
        flat("price", MONEY, True, ja="価格"),
        flat("quantity", COUNT, ja="数量"),
        flat("open_date", TIMESTAMP, ja="出品日"),
        flat("image_url"),
        flat("item_is_marketplace"),
        flat("product_id_type", ja="商品IDタイプ"),
        flat("zshop_shipping_fee", MONEY),
        flat("item_note", ja="コンディション説明"),
        flat("item_condition", ja="コンディション"),
        flat("zshop_category1"),
        flat("zshop_browse_path"),
        flat("zshop_storefront_feature"),
        col("asin", TEXT, en="asin1", ja="ASIN1"),
        flat("asin2", ja="ASIN2"),
        flat("asin3", ja="ASIN3"),
        flat("will_ship_internationally", ja="国外へ配送可"),
        flat("expedited_shipping", ja="迅速な配送"),
        flat("zshop_boldface"),
        flat("product_id", ja="商品ID"),
        flat("bid_for_featured_placement"),
        flat("add_delete"),
        flat("pending_quantity", COUNT),
        flat("fulfillment_channel", ja="フルフィルメント・チャンネル"),
        flat("merchant_shipping_group", ja="配送パターン"),
        flat("status", ja="ステータス"),
        col("snapshot_date", DATE),
    ),
)

OPEN_LISTINGS = Kind(
    "open_listings",
    "Open listings inventory report (GET_FLAT_FILE_OPEN_LISTINGS_DATA, Seller Central "
    "'Inventory Report'), one row per seller SKU",
    "flat_file",
    (
        col("sku", TEXT, True, en=("sku", "seller-sku"), ja="出品者SKU"),
        flat("asin", TEXT, True, ja="ASIN"),
        flat("price", MONEY, True, ja="価格"),
        flat("quantity", COUNT, True, ja="数量"),
        col("business_price", MONEY, en="Business Price"),
        col("quantity_price_type", TEXT, en="Quantity Price Type"),
        col("snapshot_date", DATE),
    ),
)

SUPPRESSED_LISTINGS = Kind(
    "suppressed_listings",
    "Suppressed listings download (Seller Central 'Fix suppressed / Improve listing quality', "
    "GET_MERCHANTS_LISTINGS_FYP_REPORT), one row per seller SKU and issue",
    "flat_file",
    (
        col("status", TEXT, True, en="Status"),
        col("reason", TEXT, True, en="Reason"),
        col("sku", TEXT, True, en=("SKU", "seller-sku")),
        col("asin", TEXT, en="ASIN"),
        col("product_name", TEXT, en=("Product name", "Product Name")),
        col("condition", TEXT, en="Condition"),
        col("status_change_date", DATE, en="Status Change Date"),
        col("issue_description", TEXT, en="Issue Description"),
        col("snapshot_date", DATE),
    ),
)

STRANDED_INVENTORY = Kind(
    "stranded_inventory",
    "Stranded Inventory report (Seller Central Reports > Fulfillment > Stranded inventory, "
    "GET_STRANDED_INVENTORY_UI_DATA), one row per stranded seller SKU",
    "flat_file",
    (
        flat("primary_action"),
        flat("date_stranded", TIMESTAMP),
        flat("date_classified_as_unsellable", TIMESTAMP),
        col("date_to_take_auto_removal", TIMESTAMP, en="Date-to-take-auto-removal"),
        flat("status_primary"),
        flat("status_secondary"),
        flat("error_message"),
        flat("stranded_reason"),
        flat("asin"),
        col("sku", TEXT, True, en=("sku", "seller-sku")),
        flat("fnsku"),
        flat("product_name"),
        flat("condition"),
        flat("fulfilled_by"),
        col("fulfillable_quantity", COUNT, True, en="fulfillable-qty"),
        flat("your_price", MONEY),
        col("unfulfillable_quantity", COUNT, en="unfulfillable-qty"),
        flat("reserved_quantity", COUNT),
        col("inbound_shipped_quantity", COUNT, en="inbound-shipped-qty"),
        col("snapshot_date", DATE),
    ),
)

KINDS = (ALL_LISTINGS, OPEN_LISTINGS, SUPPRESSED_LISTINGS, STRANDED_INVENTORY)

KEYS = {
    "all_listings": ("snapshot_date", "sku", "listing_id"),
    "open_listings": ("snapshot_date", "sku"),
    "suppressed_listings": ("snapshot_date", "sku", "reason", "issue_description"),
    "stranded_inventory": ("snapshot_date", "sku", "fnsku", "condition"),
}
"""De-duplication keys (every identifying column), see :mod:`opsanalysis.io.marketplace_data`."""

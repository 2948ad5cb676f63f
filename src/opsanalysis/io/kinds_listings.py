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

KINDS = (ALL_LISTINGS, OPEN_LISTINGS)

KEYS = {
    "all_listings": ("snapshot_date", "sku", "listing_id"),
    "open_listings": ("snapshot_date", "sku"),
}
"""De-duplication keys (every identifying column), see :mod:`opsanalysis.io.marketplace_data`."""

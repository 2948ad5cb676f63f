"""Kind tables: the Sponsored Products sheets of an Amazon Ads bulk-operations workbook.

A bulk file (Campaign manager > Bulk operations, ``.xlsx``) holds one sheet per ad product
and report: ``Portfolios``, ``Sponsored Products Campaigns``, ``SP Search Term Report``,
``Sponsored Brands Campaigns``, ``SB Search Term Report``, ``Sponsored Display Campaigns`` ...
[3P, bulk-sheet builders and readers that pin the sheet names and headers]. The readers take
the two Sponsored Products sheets, each into its own frame (``read_report_frames``), found by
sheet name in a workbook; a workbook or csv holding one of these sheets alone is recognised by
its header. Headers are English in every marketplace; metrics cover the date range chosen at
download and are not dated in the rows (the date in the file name is the snapshot).

- ``Sponsored Products Campaigns`` (bulk 2.0): one row per entity (Campaign, Ad Group,
  Product Ad, Keyword, Negative Keyword, Product Targeting, Bidding Adjustment ...), with the
  ``Operation`` column left for uploads. Names are written twice: ``Campaign Name`` only on the
  campaign's own row (the value an upload sets) and ``Campaign Name (Informational only)`` on
  every row; the canonical ``campaign_name`` is the latter, ``campaign_name_setting`` the
  former (likewise ad groups). The 2019 bulk file (``Record ID``, ``Record Type``,
  ``Campaign``, ``Max Bid``, ``Keyword or Product Targeting`` ...) maps to the same names.
- ``SP Search Term Report``: one row per campaign, ad group, target and customer search term.

Rates (``Click-through Rate``, ``Conversion Rate``, ``ACOS``) are fractions in the workbook;
``Percentage`` (placement bid adjustment) is a plain number of percent (50 = +50 %).
"""

from __future__ import annotations

from opsanalysis.io.schema_types import COUNT, DATE, FRACTION, MONEY, NUMBER, TEXT, Kind, col

_INFO = " (Informational only)"

_ID_COLUMNS = (
    col("product", TEXT, en="Product"),
    col("campaign_id", TEXT, True, en="Campaign ID"),
    col("ad_group_id", TEXT, en="Ad Group ID"),
    col("portfolio_id", TEXT, en="Portfolio ID"),
    col("ad_id", TEXT, en=("Ad ID", "Ad ID (Read only)")),
    col("keyword_id", TEXT, en=("Keyword ID", "Keyword ID (Read only)")),
    col("product_targeting_id", TEXT,
        en=("Product Targeting ID", "Product Targeting ID (Read only)")),
)

_METRICS = (
    col("impressions", COUNT, en="Impressions"),
    col("clicks", COUNT, en="Clicks"),
    col("ctr", FRACTION, en="Click-through Rate"),
    col("spend", MONEY, en="Spend"),
    col("sales", MONEY, en="Sales"),
    # Attributed orders and units go negative when purchases are reversed.
    col("orders", COUNT, en="Orders", nonnegative=False),
    col("units", COUNT, en=("Units", "Total units"), nonnegative=False),
    col("conversion_rate", FRACTION, en="Conversion Rate"),
    col("acos", FRACTION, en="ACOS"),
    col("cpc", MONEY, en="CPC"),
    col("roas", NUMBER, en="ROAS"),
)

BULK_SP_CAMPAIGNS = Kind(
    "bulk_sp_campaigns",
    "Ads bulk-operations workbook, sheet 'Sponsored Products Campaigns' (bulk 2.0 entity rows; "
    "2019 bulk file record rows), one row per campaign, ad group, ad, target or adjustment",
    "ads",
    (
        col("entity", TEXT, True, en=("Entity", "Record Type")),
        col("operation", TEXT, en="Operation"),
        col("record_id", TEXT, en="Record ID"),
        *_ID_COLUMNS,
        col("campaign_name", TEXT, True, en=(f"Campaign Name{_INFO}", "Campaign")),
        col("ad_group_name", TEXT, en=(f"Ad Group Name{_INFO}", "Ad Group")),
        col("campaign_name_setting", TEXT, en="Campaign Name"),
        col("ad_group_name_setting", TEXT, en="Ad Group Name"),
        col("portfolio_name", TEXT, en=f"Portfolio Name{_INFO}"),
        col("campaign_start_date", DATE, en=("Start Date", "Campaign Start Date")),
        col("campaign_end_date", DATE, en=("End Date", "Campaign End Date")),
        col("targeting_type", TEXT, en=("Targeting Type", "Campaign Targeting Type")),
        col("state", TEXT, en=("State", "Status")),
        col("campaign_state", TEXT, en=(f"Campaign State{_INFO}", "Campaign Status")),
        col("ad_group_state", TEXT, en=(f"Ad Group State{_INFO}", "Ad Group Status")),
        col("daily_budget", MONEY, en=("Daily Budget", "Campaign Daily Budget")),
        col("sku", TEXT, en="SKU"),
        col("asin", TEXT, en=(f"ASIN{_INFO}", "ASIN")),
        col("eligibility_status", TEXT, en=f"Eligibility Status{_INFO}"),
        col("reason_for_ineligibility", TEXT, en=f"Reason for Ineligibility{_INFO}"),
        col("ad_group_default_bid", MONEY, en="Ad Group Default Bid"),
        col("ad_group_default_bid_informational", MONEY, en=f"Ad Group Default Bid{_INFO}"),
        col("bid", MONEY, en=("Bid", "Max Bid")),
        col("keyword_text", TEXT, en=("Keyword Text", "Keyword or Product Targeting")),
        col("native_language_keyword", TEXT, en="Native Language Keyword"),
        col("native_language_locale", TEXT, en="Native Language Locale"),
        col("match_type", TEXT, en="Match Type"),
        col("bidding_strategy", TEXT, en="Bidding Strategy"),
        col("placement", TEXT, en=("Placement", "Placement Type")),
        col("percentage", FRACTION, en=("Percentage", "Increase bids by placement"), scale=100.0),
        col("product_targeting_expression", TEXT, en="Product Targeting Expression"),
        col("resolved_product_targeting_expression", TEXT,
            en=f"Resolved Product Targeting Expression{_INFO}"),
        *_METRICS,
        col("snapshot_date", DATE),
    ),
    variants=(("legacy_2019", "record type"),),
)

BULK_SP_SEARCH_TERMS = Kind(
    "bulk_sp_search_terms",
    "Ads bulk-operations workbook, sheet 'SP Search Term Report', one row per campaign, ad "
    "group, target and customer search term",
    "ads",
    (
        *_ID_COLUMNS,
        col("campaign_name", TEXT, en=f"Campaign Name{_INFO}"),
        col("ad_group_name", TEXT, en=f"Ad Group Name{_INFO}"),
        col("portfolio_name", TEXT, en=f"Portfolio Name{_INFO}"),
        col("state", TEXT, en="State"),
        col("campaign_state", TEXT, en=f"Campaign State{_INFO}"),
        col("ad_group_state", TEXT, en=f"Ad Group State{_INFO}"),
        col("bid", MONEY, en="Bid"),
        col("keyword_text", TEXT, en="Keyword Text"),
        col("match_type", TEXT, en="Match Type"),
        col("product_targeting_expression", TEXT, en="Product Targeting Expression"),
        col("resolved_product_targeting_expression", TEXT,
            en=f"Resolved Product Targeting Expression{_INFO}"),
        col("customer_search_term", TEXT, True, en="Customer Search Term"),
        *_METRICS,
        col("snapshot_date", DATE),
    ),
)

KINDS = (BULK_SP_CAMPAIGNS, BULK_SP_SEARCH_TERMS)

SHEETS = {
    "bulk_sp_campaigns": ("Sponsored Products Campaigns",),
    "bulk_sp_search_terms": ("SP Search Term Report",),
}
"""Sheet names a kind is read from in a multi-sheet bulk workbook (other products' sheets,
``Sponsored Brands Campaigns`` and the like, share the headers and are left out)."""

KEYS = {
    "bulk_sp_campaigns": ("snapshot_date", "entity", "record_id", "campaign_id", "ad_group_id",
                          "ad_id", "keyword_id", "product_targeting_id", "campaign_name",
                          "ad_group_name", "sku", "asin", "keyword_text", "match_type",
                          "product_targeting_expression", "placement"),
    "bulk_sp_search_terms": ("snapshot_date", "campaign_id", "ad_group_id", "keyword_id",
                             "product_targeting_id", "campaign_name", "ad_group_name",
                             "keyword_text", "match_type", "product_targeting_expression",
                             "customer_search_term"),
}
"""De-duplication keys (every identifying column), see :mod:`opsanalysis.io.marketplace_data`."""

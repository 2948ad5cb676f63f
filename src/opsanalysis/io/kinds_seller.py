"""Kind tables: account health (SP-API JSON), seller feedback, and the seller's own files.

Seller feedback (``seller_feedback``) is the Feedback Manager download (Seller Central >
Performance > Feedback > Feedback Manager, Download; the same file as the SP-API report
``GET_SELLER_FEEDBACK_DATA``): TAB-delimited, one row per feedback, columns in this order --
``Date``, ``Rating``, ``Comments``, ``Your Response`` (older files, and third-party parsers of
the SP-API report, say ``Response``), ``Arrived on Time``, ``Item as Described``,
``Customer Service``, ``Order ID``, ``Rater Email`` -- the SP-API report keeping only
``Date, Rating, Comments, Response, Order ID, Rater Email``. Amazon documents the report as the
negative and neutral feedback (1 to 3 stars) of the period. Dates are written in the
marketplace's order (``10/31/26`` US, ``31/10/26`` UK, ``31.10.26`` DE, ``2026/10/31`` JP),
Japanese files in Shift_JIS. Sources (looked up 2026-12-02, details in
``docs/seller-feedback-format.md``): Seller Central help "About Feedback Manager" (item 761, US,
UK, JP, AU) for what the ratings mean and where the page is; the column order and the per-site
date orders from public parsers of the report (a PHP importer reading columns 0-8 with ``d.m.Y``
for amazon.de, ``Y/m/d`` with Shift_JIS for amazon.co.jp; FikaAmazonAPI's ``FeedbackOrderRow``
for the six-column SP-API layout; the ``optoro/amazon_seller_central`` gem's Feedback fields).
German and Japanese header texts were not found in any public file or page (searched again
2026-12-02: code index for ``Kommentare<TAB>Ihre Antwort``, ``評価<TAB>コメント``,
``評価者のEメール``; the German and Japanese Feedback Manager help pages list no download
columns): they are marked ``# inferred`` below and follow Seller Central's own wording of the
Feedback Manager page; a download in Seller Central's English reads whatever the marketplace.

The product master and niche files are kept by the seller, not by Amazon; their headers are the
canonical names themselves, common English spellings and the Chinese headers cross-border teams
use. Niche fields follow Product Opportunity Explorer's niche details page.
"""

from __future__ import annotations

from opsanalysis.io.schema_types import COUNT, DATE, FRACTION, MONEY, NUMBER, TEXT, Kind, col

ACCOUNT_HEALTH = Kind(
    "account_health",
    "Account health (GET_V2_SELLER_PERFORMANCE_REPORT JSON), one row per marketplace and metric",
    "json",
    (
        col("marketplace_id", TEXT, True, en="marketplaceId"),
        col("metric", TEXT, True, en="metric"),
        col("value", NUMBER, True, en="value"),
        col("numerator", NUMBER, en="numerator"),
        col("denominator", NUMBER, en="denominator"),
        col("target_value", NUMBER, en="targetValue"),
        col("target_condition", TEXT, en="targetCondition"),
        col("status", TEXT, en="status"),
        col("date_from", DATE, en="reportingDateFrom"),
        col("date_to", DATE, en="reportingDateTo"),
    ),
)


def _own(name, dtype=TEXT, required=False, en=(), zh=(), nonnegative=None):
    english = (en,) if isinstance(en, str) else tuple(en)
    chinese = (zh,) if isinstance(zh, str) else tuple(zh)
    return col(name, dtype, required, en=(name, *english), zh=chinese or None,
               nonnegative=nonnegative)


PRODUCT_MASTER = Kind(
    "product_master",
    "Seller's product master (CSV/XLSX, English or Chinese headers)",
    "seller",
    (
        _own("sku", TEXT, True, ("SKU", "Seller SKU", "MSKU"), ("SKU", "卖家SKU")),
        _own("asin", TEXT, True, "ASIN", "ASIN"),
        _own("title", TEXT, False, ("Title", "Product Name"), ("标题", "品名", "产品名称")),
        _own("category", TEXT, True, "Category", ("类目", "品类")),
        _own("brand", TEXT, False, "Brand", "品牌"),
        _own("parent_asin", TEXT, False, "Parent ASIN", ("父ASIN", "父体ASIN")),
        _own("unit_cost", MONEY, False, ("Unit Cost", "Unit cost"), ("采购成本", "单位成本")),
        _own("cost_currency", TEXT, False, ("Cost Currency",), ("成本币种", "成本货币")),
        _own("case_pack", COUNT, False, ("Case Pack", "Units per carton"), ("装箱数", "箱规")),
        _own("moq", COUNT, False, ("MOQ", "Minimum order quantity"), ("最小起订量", "起订量")),
        _own("production_days", COUNT, False, ("Production Days",), ("生产周期", "生产天数")),
        _own("freight_mode", TEXT, False, ("Freight Mode", "Shipping mode"), ("头程方式", "运输方式")),
        _own("freight_days", COUNT, False, ("Freight Days", "Transit days"), ("头程天数", "运输天数")),
        _own("customs_days", COUNT, False, ("Customs Days",), ("清关天数",)),
        _own("fba_check_in_days", COUNT, False, ("FBA Check-in Days",), ("入仓天数", "上架天数")),
        _own("launch_date", DATE, False, ("Launch Date",), ("上架日期", "上线日期")),
        _own("price", MONEY, False, ("Price",), ("售价",)),
        _own("item_volume_cuft", NUMBER, False, ("Item Volume (cu ft)",), ("单件体积(立方英尺)",)),
        _own("item_weight_kg", NUMBER, False, ("Item Weight (kg)",), ("单件重量(kg)",)),
        _own("storage_type", TEXT, False, ("Storage Type",), ("仓储类型",)),
        _own("fba_fee", MONEY, False, ("FBA Fee",), ("FBA费用", "配送费")),
        _own("referral_fee_rate", FRACTION, False, ("Referral Fee Rate",), ("佣金比例", "佣金率")),
    ),
)

NICHE = Kind(
    "niche",
    "Market / niche file shaped like Product Opportunity Explorer's niche fields",
    "seller",
    (
        _own("marketplace", TEXT, False, "Marketplace", "站点"),
        _own("category", TEXT, False, "Category", "类目"),
        _own("niche_name", TEXT, True, ("Niche", "Niche Name"), ("细分市场", "细分市场名称")),
        _own("search_volume_t90", COUNT, False, "Search Volume (Past 90 days)", "搜索量(90天)"),
        _own("search_volume_growth_t90", FRACTION, False, "Search Volume Growth (Past 90 days)",
             "搜索量增长(90天)"),
        _own("search_volume_t360", COUNT, False, "Search Volume (Past 360 days)", "搜索量(360天)"),
        _own("search_volume_growth_t360", FRACTION, False,
             "Search Volume Growth (Past 360 days)", "搜索量增长(360天)"),
        _own("units_sold_t360", COUNT, False, "Units Sold (Past 360 days)", "销量(360天)"),
        _own("revenue_t360", MONEY, False, "Revenue (Past 360 days)", "销售额(360天)"),
        _own("average_price", MONEY, False, "Average Price", "平均价格"),
        _own("product_count", COUNT, False, "Products", "商品数量"),
        _own("brand_count", COUNT, False, "Brands", "品牌数量"),
        _own("selling_partner_count", COUNT, False, "Selling Partners", "卖家数量"),
        _own("top_5_products_click_share", FRACTION, False, "Top 5 Products Click Share",
             "前5商品点击份额"),
        _own("top_20_brands_click_share", FRACTION, False, "Top 20 Brands Click Share",
             "前20品牌点击份额"),
        _own("successful_launches_t180", COUNT, False, "Successful Launches (Past 180 days)",
             "成功推出数(180天)"),
        _own("launches_t180", COUNT, False, "Launches (Past 180 days)", "新品数(180天)"),
        _own("average_review_count", NUMBER, False, "Average Review Count", "平均评论数"),
        _own("average_rating", NUMBER, False, "Average Rating", "平均评分"),
        _own("return_rate", FRACTION, False, "Return Rate", "退货率"),
        _own("data_source", TEXT, False, "Data Source", "数据来源"),
    ),
)

SELLER_FEEDBACK = Kind(
    "seller_feedback",
    "Seller feedback: Feedback Manager download (Seller Central > Performance > Feedback > "
    "Feedback Manager, Download; SP-API GET_SELLER_FEEDBACK_DATA), TAB text, one row per "
    "feedback; Amazon's download holds the negative and neutral feedback (1-3 stars) of the "
    "period chosen (see docs/seller-feedback-format.md). The de-DE and ja-JP headers below are "
    "inferred: no public file or page with them was found",
    "flat_file",
    (
        col("date", DATE, True, en="Date", de="Datum",  # de, ja: inferred
            ja="日付"),
        col("rating", COUNT, True, en="Rating", de="Bewertung", ja="評価"),  # de, ja: inferred
        col("comments", TEXT, en=("Comments", "Comment"), de="Kommentare",  # de, ja: inferred
            ja="コメント"),
        col("response", TEXT, en=("Your Response", "Response"),  # de, ja: inferred
            de=("Ihre Antwort", "Antwort"), ja=("出品者からの返信", "返信")),
        # not in Amazon's layout: read when a file dates the responses (a tool's export)
        col("response_date", DATE, en="Response Date", de="Antwortdatum",  # inferred
            ja="返信日"),
        col("arrived_on_time", TEXT, en="Arrived on Time",  # de, ja: inferred
            de="Pünktlich angekommen", ja="予定通りに到着"),
        col("item_as_described", TEXT, en="Item as Described",  # de, ja: inferred
            de="Artikel wie beschrieben", ja="商品の説明どおり"),
        col("customer_service", TEXT, en="Customer Service",  # de, ja: inferred
            de="Kundenservice", ja="カスタマーサービス"),
        col("order_id", TEXT, True, en=("Order ID", "Order Id"),  # de, ja: inferred
            de="Bestellnummer", ja="注文番号"),
        col("rater_email", TEXT, en="Rater Email",  # de, ja: inferred
            de="E-Mail-Adresse des Bewerters", ja="評価者のEメール"),
        col("rater_role", TEXT, en="Rater Role"),  # inferred (optoro gem field rater_role)
    ),
)

KINDS = (ACCOUNT_HEALTH, PRODUCT_MASTER, NICHE, SELLER_FEEDBACK)

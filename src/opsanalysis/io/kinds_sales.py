"""Kind tables: Business Reports, All Orders, FBA and MFN returns.

Sources: ``../shared/reference/amazon-report-formats.md`` §1 (Business Reports, real UK/US files
plus zh-CN/ja-JP/de-DE header maps from third-party parsers) and §3 (orders, returns). Localised
flat-file headers (ja-JP orders/returns) and device-split translations are marked ``# inferred``.
"""

from __future__ import annotations

from opsanalysis.io.schema_types import (
    BOOLEAN,
    COUNT,
    DATE,
    FRACTION,
    MONEY,
    NUMBER,
    TEXT,
    TIMESTAMP,
    Kind,
    b2b_twin,
    col,
    flat,
)

# --- Business Report metrics shared by the by-ASIN and by-date reports -----------------------

SESSIONS = col(
    "sessions", COUNT, True,
    en=("Sessions - Total", "Sessions"), gb="Sessions – Total",
    de="Sitzungen – Summe", ja=("セッション数 - 合計", "セッション - 合計"),
    zh=("会话数 - 总计", "会话次数 - 总计", "买家访问次数"),
)
SESSION_PERCENTAGE = col(
    "session_percentage", FRACTION,
    en=("Session Percentage - Total", "Session Percentage"), gb="Session percentage – Total",
    de="Sitzungsanteil – Summe",  # inferred
    ja="セッション率 - 合計", zh="会话百分比 - 总计",
)
PAGE_VIEWS = col(
    "page_views", COUNT,
    en=("Page Views - Total", "Page Views"), gb="Page views – Total",
    de="Seitenaufrufe – Summe", ja="ページビュー - 合計", zh="页面浏览量 - 总计",
)
PAGE_VIEWS_PERCENTAGE = col(
    "page_views_percentage", FRACTION,
    en=("Page Views Percentage - Total", "Page Views Percentage"),
    gb="Page views percentage – Total",
    de="Seitenaufrufe – Prozentwert – Summe",  # inferred
    ja="ページビュー率 - 合計", zh="页面浏览量百分比 - 总计",
)
BUY_BOX_PERCENTAGE = col(
    "buy_box_percentage", FRACTION,
    en=("Featured Offer (Buy Box) Percentage", "Buy Box Percentage"),
    gb="Featured Offer (Buy Box) percentage",
    de="Prozentsatz der Empfohlenen Angebote (Buy Box)",  # inferred
    ja=("おすすめ出品（おすすめ商品）の獲得率", "カートボックス獲得率"),
    zh=("推荐报价（推荐报价展示位）百分比", "购买按钮赢得率"),
)
UNITS_ORDERED = col(
    "units_ordered", COUNT, True,
    en="Units Ordered", gb="Units ordered", de="Bestellte Einheiten",
    ja=("注文された商品点数", "注文数"), zh=("已订购商品数量", "已订购的商品数量"),
)
UNIT_SESSION_PERCENTAGE = col(
    "unit_session_percentage", FRACTION,
    en="Unit Session Percentage", gb="Unit Session Percentage",
    de="Prozentsatz an Einheiten pro Sitzung",  # inferred
    ja="ユニットセッション率", zh=("商品会话百分比", "订单商品数量转化率"),
)
ORDERED_PRODUCT_SALES = col(
    "ordered_product_sales", MONEY, True,
    en=("Ordered Product Sales", "Gross Product Sales"), gb="Ordered Product Sales",
    de="Durch bestellte Produkte erzielter Umsatz", ja=("注文商品の売上額", "注文商品売上"),
    zh="已订购商品销售额",
)
TOTAL_ORDER_ITEMS = col(
    "total_order_items", COUNT,
    en=("Total Order Items", "Orders Placed"), gb="Total order items",
    de="Zahl der Bestellposten", ja="注文品目総数", zh="订单商品总数",
)


def _device(name, dtype, en, gb, de, ja, zh):
    # Device-split translations are inferred from the "Total" headers of each locale.
    return col(name, dtype, en=en, gb=gb, de=de, ja=ja, zh=zh)


DEVICE_SPLITS = [
    _device("sessions_mobile_app", COUNT, "Sessions - Mobile App", "Sessions – Mobile app",
            "Sitzungen – mobile App", "セッション数 - モバイルアプリ", "会话数 - 移动应用"),
    _device("sessions_browser", COUNT, "Sessions - Browser", "Sessions – Browser",
            "Sitzungen – Browser", "セッション数 - ブラウザ", "会话数 - 浏览器"),
    _device("session_percentage_mobile_app", FRACTION, "Session Percentage - Mobile App",
            "Session percentage – Mobile App", "Sitzungsanteil – mobile App",
            "セッション率 - モバイルアプリ", "会话百分比 - 移动应用"),
    _device("session_percentage_browser", FRACTION, "Session Percentage - Browser",
            "Session percentage – Browser", "Sitzungsanteil – Browser",
            "セッション率 - ブラウザ", "会话百分比 - 浏览器"),
    _device("page_views_mobile_app", COUNT, "Page Views - Mobile App", "Page views – Mobile app",
            "Seitenaufrufe – mobile App", "ページビュー - モバイルアプリ", "页面浏览量 - 移动应用"),
    _device("page_views_browser", COUNT, "Page Views - Browser", "Page views – Browser",
            "Seitenaufrufe – Browser", "ページビュー - ブラウザ", "页面浏览量 - 浏览器"),
    _device("page_views_percentage_mobile_app", FRACTION, "Page Views Percentage - Mobile App",
            "Page views percentage – Mobile App", "Seitenaufrufe – Prozentwert – mobile App",
            "ページビュー率 - モバイルアプリ", "页面浏览量百分比 - 移动应用"),
    _device("page_views_percentage_browser", FRACTION, "Page Views Percentage - Browser",
            "Page views percentage – Browser", "Seitenaufrufe – Prozentwert – Browser",
            "ページビュー率 - ブラウザ", "页面浏览量百分比 - 浏览器"),
]

# Amazon's own B2B spellings that differ from "<total header> - B2B".
_B2B_OVERRIDES = {
    "sessions": {"zh-CN": ("会话 - 总计 - B2B",)},
    "ordered_product_sales": {"de-DE": ("Bestellsumme – B2B",)},
    "sessions_mobile_app": {"en-US": ("Sessions - Mobile APP - B2B",),
                            "en-GB": ("Sessions – Mobile APP – B2B",)},
    "session_percentage_mobile_app": {"en-US": ("Session Percentage - Mobile APP - B2B",),
                                      "en-GB": ("Session percentage – Mobile APP – B2B",)},
    "page_views_mobile_app": {"en-US": ("Page Views - Mobile APP - B2B",),
                              "en-GB": ("Page views – Mobile APP – B2B",)},
}


def _with_b2b(columns):
    out = []
    for column in columns:
        out.append(column)
        out.append(b2b_twin(column, _B2B_OVERRIDES.get(column.name)))
    return out


_ASIN_METRICS = [SESSIONS, SESSION_PERCENTAGE, PAGE_VIEWS, PAGE_VIEWS_PERCENTAGE,
                 BUY_BOX_PERCENTAGE, UNITS_ORDERED, UNIT_SESSION_PERCENTAGE,
                 ORDERED_PRODUCT_SALES, TOTAL_ORDER_ITEMS]

BUSINESS_REPORT_ASIN = Kind(
    "business_report_asin",
    "Business Report: Detail Page Sales and Traffic By Child Item (CSV, any locale; legacy 2019 "
    "13 columns; SP-API GET_SALES_AND_TRAFFIC_REPORT salesAndTrafficByAsin)",
    "business_report",
    (
        col("parent_asin", TEXT, True, en="(Parent) ASIN", de="(Übergeordnete) ASIN",
            ja="（親）ASIN", zh="（父）ASIN"),
        col("child_asin", TEXT, True, en="(Child) ASIN", de="(Untergeordnete) ASIN",
            ja="（子）ASIN", zh=("（子）ASIN", "（子）ASIN ")),
        col("title", TEXT, en="Title", de="Titel", ja="タイトル", zh="标题"),
        col("sku", TEXT, en="SKU", de="SKU", ja="SKU", zh="SKU"),
        *_with_b2b(_ASIN_METRICS),
        *_with_b2b(DEVICE_SPLITS),
        col("period_start", DATE),
        col("period_end", DATE),
        col("currency", TEXT),
    ),
    variants=(("legacy_2019", "buy box percentage"), ("legacy_2019", "sessions")),
)


def _plain(name, dtype, en, de=None, ja=None, zh=None, gb=None):
    return col(name, dtype, en=en, gb=gb, de=de, ja=ja, zh=zh)


_DATE_ONLY = [
    _plain("order_item_session_percentage", FRACTION,
           ("Order Item Session Percentage", "Order Item Session Percentage - Total"),
           "Prozentsatz an Bestellposten pro Sitzung", "注文品目セッション率", "订单商品会话百分比"),
    _plain("average_offer_count", NUMBER, "Average Offer Count", "Durchschnittliche Angebotsanzahl",
           "平均出品数", "平均在售商品数量"),
    _plain("average_parent_items", NUMBER, "Average Parent Items",
           "Durchschnittliche Anzahl übergeordneter Artikel", "平均親商品数", "平均父商品数量"),
    _plain("average_sales_per_order_item", MONEY, "Average Sales per Order Item",
           "Durchschnittlicher Umsatz pro Bestellposten", "注文品目あたりの平均売上", "每种订单商品的平均销售额"),
    _plain("average_units_per_order_item", NUMBER, "Average Units per Order Item",
           "Durchschnittliche Einheiten pro Bestellposten", "注文品目あたりの平均商品点数",
           "每种订单商品的平均数量"),
    _plain("average_selling_price", MONEY, "Average Selling Price",
           "Durchschnittlicher Verkaufspreis", "平均販売価格", "平均售价"),
    _plain("shipped_product_sales", MONEY, "Shipped Product Sales", "Umsatz versandter Produkte",
           "出荷商品の売上額", "已发货商品销售额"),
    _plain("units_shipped", COUNT, "Units Shipped", "Versandte Einheiten", "出荷された商品点数",
           "已发货商品数量"),
    _plain("orders_shipped", COUNT, "Orders Shipped", "Versandte Bestellungen", "出荷済み注文",
           "已发货订单"),
    _plain("units_refunded", COUNT, "Units Refunded", "Erstattete Einheiten", "返金された商品点数",
           "已退款的商品数量"),
    _plain("refund_rate", FRACTION, "Refund Rate", "Erstattungsquote", "返金率", "退款率"),
    _plain("feedback_received", COUNT, "Feedback Received", "Erhaltene Bewertungen",
           "受け取った評価数", "收到的反馈"),
    _plain("negative_feedback_received", COUNT, "Negative Feedback Received",
           "Erhaltene negative Bewertungen", "受け取った否定的な評価数", "收到的负面反馈"),
    _plain("received_negative_feedback_rate", FRACTION, "Received Negative Feedback Rate",
           "Quote erhaltener negativer Bewertungen", "否定的な評価の受信率", "负面反馈率"),
    _plain("claims_granted", COUNT, "A-to-z Claims Granted", "Gewährte A-bis-z-Garantieanträge",
           "承認されたAmazonマーケットプレイス保証申請", "批准的亚马逊商城交易保障索赔"),
    _plain("claims_amount", MONEY, "Claims Amount", "Betrag der Garantieanträge",
           "保証申請額", "索赔金额"),
]

_BY_DATE_B2B = [b2b_twin(column) for column in (
    ORDERED_PRODUCT_SALES, UNITS_ORDERED, TOTAL_ORDER_ITEMS, PAGE_VIEWS, SESSIONS,
    BUY_BOX_PERCENTAGE, UNIT_SESSION_PERCENTAGE, *_DATE_ONLY[:1], *_DATE_ONLY[3:6])]

BUSINESS_REPORT_DATE = Kind(
    "business_report_date",
    "Business Report: Sales and Traffic by Date (daily/weekly/monthly CSV; SP-API "
    "GET_SALES_AND_TRAFFIC_REPORT salesAndTrafficByDate)",
    "business_report",
    (
        col("date", DATE, True, en="Date", de="Datum", ja="日付", zh="日期"),
        ORDERED_PRODUCT_SALES, UNITS_ORDERED, TOTAL_ORDER_ITEMS, PAGE_VIEWS,
        col("sessions", COUNT, en=SESSIONS.aliases["en-US"], gb=SESSIONS.aliases["en-GB"],
            de=SESSIONS.aliases["de-DE"], ja=SESSIONS.aliases["ja-JP"],
            zh=SESSIONS.aliases["zh-CN"]),
        BUY_BOX_PERCENTAGE, UNIT_SESSION_PERCENTAGE,
        *_DATE_ONLY,
        *_BY_DATE_B2B,
        DEVICE_SPLITS[0], DEVICE_SPLITS[1], DEVICE_SPLITS[4], DEVICE_SPLITS[5],
        col("currency", TEXT),
    ),
)

# --- All Orders flat file ---------------------------------------------------------------------
# English headers are the hyphenated names; ja-JP UI downloads may arrive localised (inferred).

ALL_ORDERS = Kind(
    "all_orders",
    "All Orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL / UI .txt)",
    "flat_file",
    (
        flat("amazon_order_id", TEXT, True, ja="注文番号", zh="亚马逊订单编号"),
        flat("merchant_order_id", ja="出品者注文番号", zh="卖家订单编号"),
        flat("purchase_date", TIMESTAMP, True, ja="購入日", zh="购买日期"),
        flat("last_updated_date", TIMESTAMP, ja="最終更新日", zh="最后更新日期"),
        flat("order_status", TEXT, True, ja="注文ステータス", zh="订单状态"),
        flat("order_item_id", ja="注文商品ID", zh="订单商品编号"),
        flat("fulfillment_channel", ja="フルフィルメントチャネル", zh="配送渠道"),
        flat("sales_channel", TEXT, True, ja="販売チャネル", zh="销售渠道"),
        flat("order_channel", ja="注文チャネル", zh="订单渠道"),
        flat("url", ja="URL", zh="网址"),
        flat("ship_service_level", ja="配送サービスレベル", zh="配送服务级别"),
        flat("product_name", ja="商品名", zh="商品名称"),
        flat("sku", TEXT, True, ja="出品者SKU", zh="卖家SKU"),
        flat("asin", TEXT, True, ja="ASIN", zh="ASIN"),
        flat("item_status", ja="商品ステータス", zh="商品状态"),
        flat("quantity", COUNT, True, ja="数量", zh="数量"),
        flat("currency", ja="通貨", zh="货币"),
        flat("item_price", MONEY, ja="商品価格", zh="商品价格"),
        flat("item_tax", MONEY, ja="商品税", zh="商品税"),
        flat("shipping_price", MONEY, ja="配送料", zh="运费"),
        flat("shipping_tax", MONEY, ja="配送料税", zh="运费税"),
        flat("gift_wrap_price", MONEY, ja="ギフト包装料", zh="礼品包装费"),
        flat("gift_wrap_tax", MONEY, ja="ギフト包装税", zh="礼品包装税"),
        flat("item_promotion_discount", MONEY, ja="商品プロモーション割引", zh="商品促销折扣"),
        flat("ship_promotion_discount", MONEY, ja="配送プロモーション割引", zh="运费促销折扣"),
        flat("ship_city", ja="配送先市区町村", zh="收货城市"),
        flat("ship_state", ja="配送先都道府県", zh="收货州/省"),
        flat("ship_postal_code", ja="配送先郵便番号", zh="收货邮编"),
        flat("ship_country", ja="配送先国", zh="收货国家/地区"),
        flat("promotion_ids", ja="プロモーションID", zh="促销编号"),
        flat("cpf"),
        flat("is_business_order", BOOLEAN, ja="法人注文", zh="企业订单"),
        flat("purchase_order_number", ja="発注番号", zh="采购订单编号"),
        flat("price_designation", ja="価格指定", zh="价格标识"),
        flat("signature_confirmation_recommended", BOOLEAN),
    ),
)

# --- Returns ----------------------------------------------------------------------------------

FBA_RETURNS = Kind(
    "fba_returns",
    "FBA customer returns (GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA / UI csv)",
    "flat_file",
    (
        flat("return_date", TIMESTAMP, True, ja="返品日", zh="退货日期", de="Rücksendedatum"),
        flat("order_id", TEXT, True, ja="注文番号", zh="订单编号", de="Bestellnummer"),
        flat("sku", TEXT, True, ja="出品者SKU", zh="卖家SKU", de="Händler-SKU"),
        flat("asin", ja="ASIN", zh="ASIN", de="ASIN"),
        flat("fnsku", ja="FNSKU", zh="FNSKU", de="FNSKU"),
        flat("product_name", ja="商品名", zh="商品名称", de="Produktname"),
        flat("quantity", COUNT, True, ja="数量", zh="数量", de="Menge"),
        flat("fulfillment_center_id", ja="フルフィルメントセンター", zh="运营中心", de="Versandzentrum"),
        flat("detailed_disposition", ja="詳細な処分", zh="详细处置", de="Detaillierte Disposition"),
        flat("reason", ja="理由", zh="原因", de="Grund"),
        flat("status", ja="ステータス", zh="状态", de="Status"),
        flat("license_plate_number", ja="LPN", zh="LPN 编号", de="Kennzeichennummer"),
        flat("customer_comments", ja="購入者のコメント", zh="买家评论", de="Kundenkommentare"),
    ),
)

MFN_RETURNS = Kind(
    "mfn_returns",
    "MFN (seller-fulfilled) returns (GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE)",
    "flat_file",
    (
        col("order_id", TEXT, True, en="Order ID", ja="注文番号", zh="订单编号", de="Bestellnummer"),
        col("order_date", DATE, en="Order date", ja="注文日", zh="订单日期", de="Bestelldatum"),
        col("return_request_date", DATE, en="Return request date", ja="返品リクエスト日",
            zh="退货请求日期", de="Datum der Rücksendeanfrage"),
        col("return_request_status", TEXT, en="Return request status", ja="返品リクエストのステータス",
            zh="退货请求状态", de="Status der Rücksendeanfrage"),
        col("amazon_rma_id", TEXT, en="Amazon RMA ID"),
        col("merchant_rma_id", TEXT, en="Merchant RMA ID"),
        col("label_type", TEXT, en="Label type"),
        col("label_cost", MONEY, en="Label cost"),
        col("currency", TEXT, en="Currency code", ja="通貨コード", zh="货币代码", de="Währungscode"),
        col("return_carrier", TEXT, en="Return carrier"),
        col("tracking_id", TEXT, en="Tracking ID"),
        col("label_to_be_paid_by", TEXT, en="Label to be paid by"),
        col("a_to_z_claim", BOOLEAN, en="A to z claim"),
        col("is_prime", BOOLEAN, en="Is prime"),
        col("asin", TEXT, en="ASIN", ja="ASIN", zh="ASIN", de="ASIN"),
        col("sku", TEXT, en="Merchant SKU", ja="出品者SKU", zh="卖家SKU", de="Händler-SKU"),
        col("item_name", TEXT, en="Item name", ja="商品名", zh="商品名称", de="Artikelname"),
        col("return_quantity", COUNT, True, en="Return quantity", ja="返品数量", zh="退货数量",
            de="Rücksendemenge"),
        col("return_reason", TEXT, en="Return reason", ja="返品理由", zh="退货原因",
            de="Rücksendegrund"),
        col("in_policy", BOOLEAN, en="In policy"),
        col("return_type", TEXT, en="Return type"),
        col("resolution", TEXT, en="Resolution"),
        col("invoice_number", TEXT, en="Invoice number"),
        col("return_delivery_date", DATE, en="Return delivery date"),
        col("order_amount", MONEY, en="Order amount", ja="注文金額", zh="订单金额", de="Bestellbetrag"),
        col("order_quantity", COUNT, en="Order quantity"),
        col("safet_action_reason", TEXT, en="SafeT action reason"),
        col("safet_claim_id", TEXT, en="SafeT claim id"),
        col("safet_claim_state", TEXT, en="SafeT claim state"),
        col("safet_claim_creation_time", TEXT, en="SafeT claim creation time"),
        col("safet_claim_reimbursement_amount", MONEY, en="SafeT claim reimbursement amount"),
        col("refunded_amount", MONEY, en="Refunded amount", ja="返金額", zh="退款金额",
            de="Erstatteter Betrag"),
        col("category", TEXT, en="Category", ja="カテゴリー", zh="分类", de="Kategorie"),
    ),
)

KINDS = (BUSINESS_REPORT_ASIN, BUSINESS_REPORT_DATE, ALL_ORDERS, FBA_RETURNS, MFN_RETURNS)

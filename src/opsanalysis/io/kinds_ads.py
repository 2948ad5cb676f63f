"""Kind tables: Sponsored Products, Brands and Display console reports; campaign-manager exports.

Sources: ``../shared/reference/amazon-report-formats.md`` §4 (real 2019 US / 2023 UK console
reports; zh-CN console headers from a third-party parser). ``{n}`` in an alias is the
attribution window in days and is captured into ``attribution_days``; ACoS/ACOS and RoAS/ROAS
differ only in case, which the matcher ignores. ja-JP and de-DE console headers are inferred.
"""

from __future__ import annotations

from opsanalysis.io.schema_types import COUNT, DATE, FRACTION, MONEY, NUMBER, TEXT, Kind, col

# Every canonical ads column once; each SP kind picks the ones its report has.
_POOL = {
    column.name: column
    for column in (
        col("date", DATE, en="Date", zh="日期", ja="日付", de="Datum"),
        col("start_date", DATE, en="Start Date", zh="开始日期", ja="開始日", de="Startdatum"),
        col("end_date", DATE, en="End Date", zh="结束日期", ja="終了日", de="Enddatum"),
        col("portfolio_name", TEXT, en="Portfolio name", zh="广告组合名称",
            ja="ポートフォリオ名", de="Portfolioname"),
        col("currency", TEXT, en="Currency", zh="货币", ja="通貨", de="Währung"),
        col("campaign_type", TEXT, en="Campaign Type", zh="广告活动类型",
            ja="キャンペーンタイプ", de="Kampagnentyp"),
        col("campaign_name", TEXT, True, en="Campaign Name", zh="广告活动名称",
            ja="キャンペーン名", de="Kampagnenname"),
        col("country", TEXT, en="Country", zh="国家/地区", ja="国", de="Land"),
        col("retailer", TEXT, en="Retailer", zh="零售商", ja="小売業者", de="Einzelhändler"),
        col("status", TEXT, en="Status", zh="状态", ja="ステータス", de="Status"),
        col("budget", MONEY, en="Budget", zh="预算", ja="予算", de="Budget"),
        col("targeting_type", TEXT, en="Targeting Type", zh="定位类型",
            ja="ターゲティングタイプ", de="Targeting-Typ"),
        col("bidding_strategy", TEXT, en="Bidding strategy", zh="竞价策略", ja="入札戦略",
            de="Gebotsstrategie"),
        col("ad_group_name", TEXT, en="Ad Group Name", zh="广告组名称", ja="広告グループ名",
            de="Anzeigengruppenname"),
        col("advertised_sku", TEXT, en="Advertised SKU", zh="广告SKU", ja="広告SKU",
            de="Beworbene SKU"),
        col("advertised_asin", TEXT, en="Advertised ASIN", zh="广告ASIN", ja="広告ASIN",
            de="Beworbene ASIN"),
        col("targeting", TEXT, en="Targeting", zh="投放", ja="ターゲティング", de="Targeting"),
        col("match_type", TEXT, en="Match Type", zh="匹配类型", ja="マッチタイプ",
            de="Übereinstimmungstyp"),
        col("customer_search_term", TEXT, en="Customer Search Term", zh="客户搜索词",
            ja="カスタマーの検索キーワード", de="Suchbegriff des Kunden"),
        col("placement", TEXT, en="Placement", zh="放置", ja="掲載枠", de="Platzierung"),
        col("purchased_asin", TEXT, en="Purchased ASIN", zh="已购买的ASIN", ja="購入されたASIN",
            de="Gekaufte ASIN"),
        col("impressions", COUNT, en="Impressions", zh="展示量", ja="インプレッション",
            de="Impressionen"),
        col("last_year_impressions", COUNT, en="Last Year Impressions", zh="去年曝光量",
            ja="昨年のインプレッション", de="Impressionen im Vorjahr"),
        col("top_of_search_impression_share", FRACTION,
            en="Top-of-search Impression Share", zh="搜索结果首页首位展示量份额",
            ja="検索結果のトップのインプレッションシェア", de="Impressionsanteil oben in den Suchergebnissen"),
        col("clicks", COUNT, en="Clicks", zh="点击量", ja="クリック数", de="Klicks"),
        col("last_year_clicks", COUNT, en="Last Year Clicks", zh="去年点击量",
            ja="昨年のクリック数", de="Klicks im Vorjahr"),
        col("ctr", FRACTION, en="Click-Thru Rate (CTR)", zh="点击率 (CTR)",
            ja="クリックスルー率 (CTR)", de="Klickrate (CTR)"),
        col("spend", MONEY, en="Spend", zh="花费", ja="広告費", de="Ausgaben"),
        col("last_year_spend", MONEY, en="Last Year Spend", zh="去年支出", ja="昨年の広告費",
            de="Ausgaben im Vorjahr"),
        col("cpc", MONEY, en="Cost Per Click (CPC)", zh="单次点击成本 (CPC)",
            ja="クリック単価 (CPC)", de="Kosten pro Klick (CPC)"),
        col("last_year_cpc", MONEY, en="Last Year Cost Per Click (CPC)",
            zh="去年每次点击成本(CPC)", ja="昨年のクリック単価 (CPC)",
            de="Kosten pro Klick (CPC) im Vorjahr"),
        col("sales", MONEY, en="{n} Day Total Sales", zh="{n}天总销售额",
            ja="{n}日間の総売上", de="Umsatz insgesamt nach {n} Tagen"),
        col("acos", FRACTION, en="Total Advertising Cost of Sales (ACOS)",
            zh="广告投入产出比 (ACOS) 总计", ja="広告費売上高比率 (ACOS) 合計",
            de="Zugeordnete Umsatzkosten (ACOS) insgesamt"),
        col("roas", NUMBER, en="Total Return on Advertising Spend (ROAS)",
            zh="总广告投资回报率 (ROAS)", ja="広告費用対効果 (ROAS) 合計",
            de="Return on Advertising Spend (ROAS) insgesamt"),
        # Attributed orders/units can go negative when purchases are reversed.
        col("orders", COUNT, nonnegative=False, en="{n} Day Total Orders (#)", zh="{n}天总订单数(#)",
            ja="{n}日間の注文数合計(#)", de="Bestellungen insgesamt nach {n} Tagen (#)"),
        col("units", COUNT, nonnegative=False, en="{n} Day Total Units (#)", zh="{n}天总销售量(#)",
            ja="{n}日間の販売数合計(#)", de="Einheiten insgesamt nach {n} Tagen (#)"),
        col("conversion_rate", FRACTION, en="{n} Day Conversion Rate", zh="{n}天的转化率",
            ja="{n}日間のコンバージョン率", de="Konversionsrate nach {n} Tagen"),
        col("advertised_sku_units", COUNT, nonnegative=False,
            en=("{n} Day Advertised SKU Units (#)", "{n} Day Advertised ASIN Units (#)"),
            zh="{n}天内广告SKU销售量(#)", ja="{n}日間の広告SKU販売数(#)",
            de="Beworbene SKU-Einheiten nach {n} Tagen (#)"),
        col("other_sku_units", COUNT, nonnegative=False,
            en=("{n} Day Other SKU Units (#)", "{n} Day Brand Halo ASIN Units (#)"),
            zh="{n}天内其他SKU销售量(#)", ja="{n}日間のその他SKU販売数(#)",
            de="Andere SKU-Einheiten nach {n} Tagen (#)"),
        col("other_sku_orders", COUNT, nonnegative=False, en="{n} Day Other SKU Orders (#)",
            zh="{n}天内其他SKU订单数(#)", ja="{n}日間のその他SKU注文数(#)",
            de="Andere SKU-Bestellungen nach {n} Tagen (#)"),
        col("advertised_sku_sales", MONEY,
            en=("{n} Day Advertised SKU Sales", "{n} Day Advertised ASIN Sales"),
            zh="{n}天内广告SKU销售额", ja="{n}日間の広告SKU売上",
            de="Umsatz mit beworbenen SKUs nach {n} Tagen"),
        col("other_sku_sales", MONEY,
            en=("{n} Day Other SKU Sales", "{n} Day Brand Halo ASIN Sales"),
            zh="{n}天内其他SKU销售额", ja="{n}日間のその他SKU売上",
            de="Umsatz mit anderen SKUs nach {n} Tagen"),
        col("attribution_days", COUNT),
    )
}

_PERIOD = ["date", "start_date", "end_date"]
_HEAD = ["portfolio_name", "currency", "campaign_name", "country", "retailer"]
_METRICS = ["impressions", "top_of_search_impression_share", "clicks", "ctr", "cpc", "spend",
            "sales", "acos", "roas", "orders", "units", "conversion_rate",
            "advertised_sku_units", "other_sku_units", "advertised_sku_sales", "other_sku_sales"]


def _sp_kind(name, description, names, required):
    columns = []
    for column_name in dict.fromkeys([*names, "attribution_days"]):
        column = _POOL[column_name]
        columns.append(col(column.name, column.dtype, column_name in required,
                           nonnegative=column.nonnegative, **_locale_kwargs(column.aliases)))
    return Kind(name, description, "ads", tuple(columns))


def _locale_kwargs(aliases):
    keys = {"en-US": "en", "en-GB": "gb", "de-DE": "de", "fr-FR": "fr", "it-IT": "it",
            "es-ES": "es", "ja-JP": "ja", "zh-CN": "zh"}
    return {keys[locale]: texts for locale, texts in aliases.items()}


_BASE_REQUIRED = {"campaign_name", "impressions", "clicks", "spend"}

SP_SEARCH_TERM = _sp_kind(
    "sp_search_term", "Sponsored Products Search term report (xlsx/csv, daily or summary)",
    [*_PERIOD, *_HEAD, "ad_group_name", "targeting", "match_type", "customer_search_term",
     *_METRICS],
    _BASE_REQUIRED | {"ad_group_name", "customer_search_term"},
)
SP_TARGETING = _sp_kind(
    "sp_targeting", "Sponsored Products Targeting (keyword) report",
    [*_PERIOD, *_HEAD, "ad_group_name", "targeting", "match_type", *_METRICS],
    _BASE_REQUIRED | {"ad_group_name", "targeting"},
)
SP_ADVERTISED_PRODUCT = _sp_kind(
    "sp_advertised_product", "Sponsored Products Advertised product report",
    [*_PERIOD, *_HEAD, "ad_group_name", "advertised_sku", "advertised_asin", *_METRICS],
    _BASE_REQUIRED | {"ad_group_name", "advertised_asin"},
)
SP_PLACEMENT = _sp_kind(
    "sp_placement", "Sponsored Products Placement report",
    [*_PERIOD, *_HEAD, "bidding_strategy", "placement", *_METRICS],
    _BASE_REQUIRED | {"placement"},
)
SP_PURCHASED_PRODUCT = _sp_kind(
    "sp_purchased_product", "Sponsored Products Purchased product report",
    [*_PERIOD, *_HEAD, "ad_group_name", "advertised_sku", "advertised_asin", "targeting",
     "match_type", "purchased_asin", "other_sku_units", "other_sku_orders", "other_sku_sales"],
    {"campaign_name", "advertised_asin", "purchased_asin"},
)
SP_CAMPAIGN = _sp_kind(
    "sp_campaign", "Sponsored Products Campaign report",
    [*_PERIOD, "portfolio_name", "campaign_type", "campaign_name", "status", "currency",
     "country", "retailer", "budget", "targeting_type", "bidding_strategy", "impressions",
     "last_year_impressions", "clicks", "last_year_clicks", "ctr", "spend", "last_year_spend",
     "cpc", "last_year_cpc", "orders", "units", "acos", "roas", "sales", "conversion_rate"],
    _BASE_REQUIRED,
)
SP_PERFORMANCE_OVER_TIME = _sp_kind(
    "sp_performance_over_time", "Sponsored Products Performance Over Time report",
    ["date", "clicks", "cpc", "spend"],
    {"date", "clicks", "spend"},
)

# Campaign-manager table exports: percentages written x100 without "%" (``CTR(%)`` 0.6826 =
# 0.6826 %), money headers carry the currency (``Spend(USD)``), dates MM/DD/YY.
CONSOLE_CAMPAIGNS = Kind(
    "console_campaigns",
    "Advertising console campaign-manager table export (Campaigns_<date>.csv)",
    "ads",
    (
        col("state", TEXT, en="State", zh="状态", ja="状態"),
        col("campaign_name", TEXT, True, en="Campaigns", zh="广告活动", ja="キャンペーン"),
        col("status", TEXT, en="Status"),
        col("campaign_type", TEXT, en="Type", zh="类型", ja="タイプ"),
        col("targeting_type", TEXT, en="Targeting", zh="投放", ja="ターゲティング"),
        col("bidding_strategy", TEXT, en="Campaign bidding strategy", zh="广告活动竞价策略"),
        col("start_date", DATE, en="Start date", zh="开始日期", ja="開始日"),
        col("end_date", DATE, en="End date", zh="结束日期", ja="終了日"),
        col("portfolio_name", TEXT, en="Portfolio", zh="广告组合", ja="ポートフォリオ"),
        col("budget", MONEY, en="Budget({cur})", zh="预算({cur})", ja="予算({cur})"),
        col("impressions", COUNT, True, en="Impressions", zh="展示量", ja="インプレッション"),
        col("clicks", COUNT, True, en="Clicks", zh="点击量", ja="クリック数"),
        col("ctr", FRACTION, en="CTR(%)", zh="点击率(%)", ja="クリックスルー率(%)", scale=100.0),
        col("spend", MONEY, True, en="Spend({cur})", zh="花费({cur})", ja="広告費({cur})"),
        col("cpc", MONEY, en="CPC({cur})", zh="每次点击费用({cur})", ja="クリック単価({cur})"),
        col("orders", COUNT, en="Orders", zh="订单", ja="注文"),
        col("sales", MONEY, en="Sales({cur})", zh="销售额({cur})", ja="売上({cur})"),
        col("acos", FRACTION, en="ACOS(%)", zh="ACOS(%)", ja="ACOS(%)", scale=100.0),
        col("roas", NUMBER, en="ROAS", zh="ROAS", ja="ROAS"),
        col("currency", TEXT),
    ),
)

CONSOLE_SEARCH_TERMS = Kind(
    "console_search_terms",
    "Advertising console ad-group search-term table export",
    "ads",
    (
        col("customer_search_term", TEXT, True, en="Customer search term", zh="客户搜索词",
            ja="カスタマーの検索キーワード"),
        col("targeting", TEXT, en="Keywords", zh="关键词", ja="キーワード"),
        col("match_type", TEXT, en="Match type", zh="匹配类型", ja="マッチタイプ"),
        col("impressions", COUNT, True, en="Impressions", zh="展示量", ja="インプレッション"),
        col("clicks", COUNT, True, en="Clicks", zh="点击量", ja="クリック数"),
        col("ctr", FRACTION, en="CTR(%)", zh="点击率(%)", ja="クリックスルー率(%)", scale=100.0),
        col("spend", MONEY, True, en="Spend({cur})", zh="花费({cur})", ja="広告費({cur})"),
        col("cpc", MONEY, en="CPC({cur})", zh="每次点击费用({cur})", ja="クリック単価({cur})"),
        col("orders", COUNT, en="Orders", zh="订单", ja="注文"),
        col("sales", MONEY, en="Sales({cur})", zh="销售额({cur})", ja="売上({cur})"),
        col("acos", FRACTION, en="ACOS(%)", zh="ACOS(%)", ja="ACOS(%)", scale=100.0),
        col("roas", NUMBER, en="RoAS", zh="ROAS", ja="ROAS"),
        # Real 2019 export: "Conversion rate" 200 = 200 % (orders / clicks x 100), no "%".
        col("conversion_rate", FRACTION, en="Conversion rate", zh="转化率",
            ja="コンバージョン率", scale=100.0),
        col("currency", TEXT),
    ),
)

# --- Sponsored Brands and Sponsored Display console reports --------------------------------
#
# Sources (looked up 2026-12-02; see docs/ads-report-formats.md): console headers as written
# by public parsers of downloaded SB/SD reports (the same "Campaign Name", "Spend",
# "14 Day Total Sales" ... as SP, plus "Viewable Impressions", "Cost Type", "Cost per 1,000
# viewable impressions (VCPM)", "14 Day Detail Page Views (DPV)", "14 Day New-to-brand ..."
# and "... - (Click)" twins); report types and metric sets from the Ads API v3 reporting
# guide (SB: search term, keyword/targeting, campaign, placement; SD: targeting, campaign,
# advertised product; no SD search-term report, no SB advertised-product report).
# The headers without "- (Click)" are Amazon's totals: for SD and for SB vCPM/video
# campaigns they count conversions after views *and* clicks; the "- (Click)" twins count
# conversions after clicks only, as SP does -- kept in their own ``*_clicks`` columns.
# Shared columns keep the SP pool's locale aliases (inferred for SB/SD: the console uses one
# translation per header); the SB/SD-only headers are en-US only (none documented).
_SBSD_POOL = {
    column.name: column
    for column in (
        col("ad_type", TEXT),
        col("cost_type", TEXT, en=("Cost Type", "Cost type")),
        col("bid_optimization", TEXT, en="Bid Optimization"),
        col("viewable_impressions", COUNT, en="Viewable Impressions"),
        col("vcpm", MONEY, en=("Cost per 1,000 viewable impressions (VCPM)",
                               "Cost per 1000 viewable impressions (VCPM)")),
        col("view_through_rate", FRACTION, en="View-Through Rate (VTR)"),
        col("view_ctr", FRACTION, en="Click-Through Rate for Views (vCTR)"),
        col("video_complete_views", COUNT, en="Video Complete Views"),
        col("five_second_views", COUNT, en="5 Second Views"),
        col("five_second_view_rate", FRACTION, en="5 Second View Rate"),
        col("detail_page_views", COUNT, en="{n} Day Detail Page Views (DPV)"),
        col("branded_searches", COUNT, en="{n} Day Branded Searches"),
        col("new_to_brand_orders", COUNT, nonnegative=False,
            en="{n} Day New-to-brand Orders (#)"),
        col("new_to_brand_sales", MONEY, en="{n} Day New-to-brand Sales"),
        col("new_to_brand_units", COUNT, nonnegative=False,
            en="{n} Day New-to-brand Units (#)"),
        col("new_to_brand_order_share", FRACTION, en="{n} Day % of Orders New-to-brand"),
        col("new_to_brand_sales_share", FRACTION, en="{n} Day % of Sales New-to-brand"),
        col("new_to_brand_unit_share", FRACTION, en="{n} Day % of Units New-to-brand"),
        col("new_to_brand_order_rate", FRACTION, en="{n} Day New-to-brand Order Rate"),
        col("acos_clicks", FRACTION, en="Total Advertising Cost of Sales (ACOS) - (Click)"),
        col("roas_clicks", NUMBER, en="Total Return on Advertising Spend (ROAS) - (Click)"),
        col("sales_clicks", MONEY, en="{n} Day Total Sales - (Click)"),
        col("orders_clicks", COUNT, nonnegative=False, en="{n} Day Total Orders (#) - (Click)"),
        col("units_clicks", COUNT, nonnegative=False, en="{n} Day Total Units (#) - (Click)"),
        col("new_to_brand_orders_clicks", COUNT, nonnegative=False,
            en="{n} Day New-to-brand Orders (#) - (Click)"),
        col("new_to_brand_sales_clicks", MONEY, en="{n} Day New-to-brand Sales - (Click)"),
        col("new_to_brand_units_clicks", COUNT, nonnegative=False,
            en="{n} Day New-to-brand Units (#) - (Click)"),
        # SB placement reports: the SP "Placement" header, or "Placement Type" (inferred).
        col("placement", TEXT, en=("Placement", "Placement Type"), zh="放置", ja="掲載枠",
            de="Platzierung"),
    )
}

# Columns that only SB/SD reports have: at least one tells the file from an SP report.
_SBSD_MARKERS = ("viewable_impressions", "cost_type", "sales_clicks", "orders_clicks",
                 "acos_clicks", "vcpm", "detail_page_views", "new_to_brand_orders")
# Columns only SB campaign-level reports have (brand searches, video): SD has none of them.
_SB_CAMPAIGN_MARKERS = ("branded_searches", "video_complete_views", "five_second_views",
                        "five_second_view_rate", "view_through_rate", "view_ctr")
# Every SB/SD metric, in the console's order; each kind keeps the ones its report has (a
# superset of the SD metrics in every SB kind, so an SB file never scores lower as SD).
_SBSD_METRICS = ["cost_type", "impressions", "viewable_impressions", "clicks", "ctr",
                 "detail_page_views", "spend", "cpc", "vcpm", "acos", "roas", "sales", "orders",
                 "units", "conversion_rate", "new_to_brand_orders", "new_to_brand_sales",
                 "new_to_brand_units", "new_to_brand_order_share", "new_to_brand_sales_share",
                 "new_to_brand_unit_share", "new_to_brand_order_rate", "acos_clicks",
                 "roas_clicks", "sales_clicks", "orders_clicks", "units_clicks",
                 "new_to_brand_orders_clicks", "new_to_brand_sales_clicks",
                 "new_to_brand_units_clicks"]
_SB_ONLY_METRICS = ["branded_searches", "view_through_rate", "view_ctr",
                    "video_complete_views", "five_second_views", "five_second_view_rate"]
_CAMPAIGN_HEAD = ["status", "budget", "campaign_type", "targeting_type", "bidding_strategy"]


def _sbsd_kind(name, description, ad_type, names, required, markers=_SBSD_MARKERS):
    """An SB/SD kind: SP pool columns where the header means the same, SB/SD pool otherwise."""
    columns = []
    for column_name in dict.fromkeys([*names, "ad_type", "attribution_days"]):
        column = _SBSD_POOL.get(column_name) or _POOL[column_name]
        columns.append(col(column.name, column.dtype, column_name in required,
                           nonnegative=column.nonnegative, **_locale_kwargs(column.aliases)))
    return Kind(name, description, "ads", tuple(columns), markers=markers,
                constants=(("ad_type", ad_type),))


_SB, _SD = "sponsored_brands", "sponsored_display"


def _where(description):
    return f"{description}; {_SBSD_DOWNLOAD}"


_SBSD_DOWNLOAD = ("Ads console > Measurement & reporting > Sponsored ads reports "
                  "(see docs/ads-report-formats.md)")

SB_SEARCH_TERM = _sbsd_kind(
    "sb_search_term",
    _where("Sponsored Brands Search term report (xlsx/csv, daily or summary)"), _SB,
    [*_PERIOD, *_HEAD, "ad_group_name", "targeting", "match_type", "customer_search_term",
     *_SBSD_METRICS, *_SB_ONLY_METRICS],
    _BASE_REQUIRED | {"customer_search_term"},
)
SB_KEYWORD = _sbsd_kind(
    "sb_keyword", _where("Sponsored Brands Keyword (targeting) report"), _SB,
    [*_PERIOD, *_HEAD, "ad_group_name", "targeting", "match_type", "top_of_search_impression_share",
     *_SBSD_METRICS, *_SB_ONLY_METRICS],
    _BASE_REQUIRED | {"targeting", "match_type"},
)
SB_CAMPAIGN = _sbsd_kind(
    "sb_campaign", _where("Sponsored Brands Campaign report"), _SB,
    [*_PERIOD, *_HEAD, *_CAMPAIGN_HEAD, "top_of_search_impression_share", *_SBSD_METRICS,
     *_SB_ONLY_METRICS],
    _BASE_REQUIRED, markers=_SB_CAMPAIGN_MARKERS,
)
SB_PLACEMENT = _sbsd_kind(
    "sb_placement", _where("Sponsored Brands Placement (campaign placement) report"), _SB,
    [*_PERIOD, *_HEAD, *_CAMPAIGN_HEAD, "placement", *_SBSD_METRICS, *_SB_ONLY_METRICS],
    _BASE_REQUIRED | {"placement"},
)
SD_TARGETING = _sbsd_kind(
    "sd_targeting", _where("Sponsored Display Targeting report"), _SD,
    [*_PERIOD, *_HEAD, "ad_group_name", "targeting", "bid_optimization", *_SBSD_METRICS],
    _BASE_REQUIRED | {"targeting"},
)
SD_CAMPAIGN = _sbsd_kind(
    "sd_campaign", _where("Sponsored Display Campaign report"), _SD,
    [*_PERIOD, *_HEAD, *_CAMPAIGN_HEAD, "bid_optimization", *_SBSD_METRICS],
    _BASE_REQUIRED,
)
SD_ADVERTISED_PRODUCT = _sbsd_kind(
    "sd_advertised_product", _where("Sponsored Display Advertised product report"), _SD,
    [*_PERIOD, *_HEAD, "ad_group_name", "bid_optimization", "advertised_sku", "advertised_asin",
     *_SBSD_METRICS],
    _BASE_REQUIRED | {"advertised_asin"},
)

KINDS = (SP_SEARCH_TERM, SP_TARGETING, SP_ADVERTISED_PRODUCT, SP_PLACEMENT, SP_PURCHASED_PRODUCT,
         SP_CAMPAIGN, SP_PERFORMANCE_OVER_TIME, CONSOLE_CAMPAIGNS, CONSOLE_SEARCH_TERMS,
         SB_SEARCH_TERM, SB_KEYWORD, SB_CAMPAIGN, SB_PLACEMENT, SD_TARGETING, SD_CAMPAIGN,
         SD_ADVERTISED_PRODUCT)

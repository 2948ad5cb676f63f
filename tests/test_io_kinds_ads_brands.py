"""Sponsored Brands / Display console reports and Brand Analytics (SQP, Top Search Terms).

Every file is written here from the documented header rows (docs/ads-report-formats.md), with
Amazon's quirks: a BOM, the Brand Analytics filter line above the header, trailing spaces in
headers ("14 Day Total Sales "), decimal commas with a euro sign, percent strings, xlsx.
"""

import csv
import io

import pandas as pd
import pytest

import opsanalysis as oa
from opsanalysis.io import (
    MissingColumnError,
    PeriodError,
    ValueParseError,
    WrongKindError,
    schema,
)
from opsanalysis.io.detect import detect_kind
from opsanalysis.io.kinds_brand_analytics import metadata_period, parse_metadata


def write_csv(path, rows, *, bom=True, preamble=None, delimiter=","):
    buffer = io.StringIO()
    if preamble is not None:
        buffer.write(preamble + "\n")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_bytes(("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8"))
    return path


def write_xlsx(path, rows):
    pd.DataFrame(rows).to_excel(path, header=False, index=False)
    return path


# --- Sponsored Brands ------------------------------------------------------------------------

SB_SEARCH_TERM_HEADER = [
    "Date", "Portfolio name", "Currency", "Campaign Name", "Ad Group Name", "Targeting",
    "Match Type", "Customer Search Term", "Cost Type", "Impressions", "Viewable Impressions",
    "Clicks", "Click-Thru Rate (CTR)", "Spend", "Cost Per Click (CPC)",
    "Cost per 1,000 viewable impressions (VCPM)", "Total Advertising Cost of Sales (ACOS) ",
    "Total Return on Advertising Spend (ROAS)", "14 Day Total Sales ", "14 Day Total Orders (#)",
    "14 Day Total Units (#)", "14 Day Conversion Rate",
    "Total Advertising Cost of Sales (ACOS) - (Click)",
    "Total Return on Advertising Spend (ROAS) - (Click)", "14 Day Total Sales - (Click)",
    "14 Day Total Orders (#) - (Click)", "14 Day Total Units (#) - (Click)",
]
SB_SEARCH_TERM_ROW = [
    "Jan 05, 2026", "Not grouped", "USD", "SB - mats - video", "ad group 1", "bath mat",
    "EXACT", "bath mat non slip", "vCPM", "2,000", "1,500", "20", "1.0000%", "$12.00", "$0.60",
    "$8.00", "40.00%", "2.50", "$30.00", "2", "3", "10.00%", "60.00%", "1.67", "$20.00", "1",
    "2",
]


def test_sb_search_term_known_answer(tmp_path):
    path = write_csv(tmp_path / "sb_st.csv", [SB_SEARCH_TERM_HEADER, SB_SEARCH_TERM_ROW])
    frame = oa.io.read_report(path, marketplace="US")
    assert frame.attrs["kind"] == "sb_search_term"
    assert frame.attrs["attribution_days"] == 14
    row = frame.iloc[0]
    assert row["ad_type"] == "sponsored_brands"
    assert row["date"] == pd.Timestamp("2026-01-05")
    assert row["customer_search_term"] == "bath mat non slip"
    assert (row["impressions"], row["viewable_impressions"], row["clicks"]) == (2000, 1500, 20)
    assert row["ctr"] == pytest.approx(0.01)
    assert (row["spend"], row["cpc"], row["vcpm"]) == pytest.approx((12.0, 0.60, 8.0))
    # views-and-clicks totals and clicks-only twins stay apart
    assert (row["sales"], row["orders"], row["units"]) == (pytest.approx(30.0), 2, 3)
    assert (row["sales_clicks"], row["orders_clicks"], row["units_clicks"]) == \
        (pytest.approx(20.0), 1, 2)
    assert (row["acos"], row["acos_clicks"]) == pytest.approx((0.40, 0.60))
    assert (row["roas"], row["roas_clicks"]) == pytest.approx((2.50, 1.67))
    assert row["conversion_rate"] == pytest.approx(0.10)
    assert row["cost_type"] == "vCPM" and row["currency"] == "USD"
    assert row["attribution_days"] == 14
    assert list(frame.columns[:3]) == ["date", "portfolio_name", "currency"]


SB_KEYWORD_HEADER = [
    "Start Date", "End Date", "Portfolio name", "Currency", "Campaign Name", "Ad Group Name",
    "Targeting", "Match Type", "Impressions", "Viewable Impressions", "Clicks",
    "Click-Thru Rate (CTR)", "Spend", "Cost Per Click (CPC)",
    "Total Advertising Cost of Sales (ACOS)", "Total Return on Advertising Spend (ROAS)",
    "14 Day Total Sales", "14 Day Total Orders (#)", "14 Day Total Units (#)",
    "14 Day Conversion Rate", "14 Day New-to-brand Orders (#)", "14 Day % of Orders New-to-brand",
    "14 Day New-to-brand Sales", "14 Day Branded Searches", "14 Day Detail Page Views (DPV)",
]


def test_sb_keyword_german_money_trailing_spaces(tmp_path):
    header = [f"{text} " for text in SB_KEYWORD_HEADER]  # trailing spaces on every header
    row = ["01.01.2026", "31.01.2026", "", "EUR", "SB Matten ", "AG 1", "badematte", "PHRASE",
           "1.234", "1.000", "50", "4,05 %", "1.234,56 €", "24,69 €", "41,15 %", "2,43",
           "3.000,00 €", "30", "31", "60,00 %", "12", "40,00 %", "1.200,00 €", "7", "88"]
    frame = oa.io.read_report(write_csv(tmp_path / "sb_kw.csv", [header, row]), marketplace="DE")
    assert frame.attrs["kind"] == "sb_keyword"
    got = frame.iloc[0]
    assert got["campaign_name"] == "SB Matten" and got["match_type"] == "PHRASE"
    assert got["start_date"] == pd.Timestamp("2026-01-01")
    assert got["end_date"] == pd.Timestamp("2026-01-31")
    assert got["impressions"] == 1234 and got["viewable_impressions"] == 1000
    assert got["spend"] == pytest.approx(1234.56) and got["sales"] == pytest.approx(3000.0)
    assert got["ctr"] == pytest.approx(0.0405) and got["acos"] == pytest.approx(0.4115)
    assert got["new_to_brand_orders"] == 12 and got["new_to_brand_sales"] == pytest.approx(1200)
    assert got["new_to_brand_order_share"] == pytest.approx(0.40)
    assert got["branded_searches"] == 7 and got["detail_page_views"] == 88
    assert got["currency"] == "EUR" and got["ad_type"] == "sponsored_brands"


SB_CAMPAIGN_HEADER = [
    "Start Date", "End Date", "Portfolio name", "Currency", "Campaign Name", "Status", "Budget",
    "Cost Type", "Impressions", "Viewable Impressions", "Clicks", "Click-Thru Rate (CTR)",
    "Spend", "Cost Per Click (CPC)", "14 Day Total Sales", "14 Day Total Orders (#)",
    "14 Day Branded Searches", "Video Complete Views", "5 Second View Rate",
]
SB_CAMPAIGN_ROW = ["2026-01-01", "2026-01-31", "", "USD", "SB brand", "ENABLED", "$50.00", "CPC",
                   "10,000", "8,000", "100", "1.00%", "$60.00", "$0.60", "$300.00", "10", "25",
                   "400", "12.50%"]


def test_sb_campaign_and_placement(tmp_path):
    campaign = oa.io.read_report(write_csv(tmp_path / "sb_c.csv", [SB_CAMPAIGN_HEADER,
                                                                  SB_CAMPAIGN_ROW]))
    assert campaign.attrs["kind"] == "sb_campaign"
    row = campaign.iloc[0]
    assert row["budget"] == pytest.approx(50.0) and row["status"] == "ENABLED"
    assert row["video_complete_views"] == 400
    assert row["five_second_view_rate"] == pytest.approx(0.125)
    header = [*SB_CAMPAIGN_HEADER[:7], "Placement Type", *SB_CAMPAIGN_HEADER[7:]]
    placed = [*SB_CAMPAIGN_ROW[:7], "Top of Search on-Amazon", *SB_CAMPAIGN_ROW[7:]]
    placement = oa.io.read_report(write_csv(tmp_path / "sb_p.csv", [header, placed]))
    assert placement.attrs["kind"] == "sb_placement"
    assert placement["placement"].tolist() == ["Top of Search on-Amazon"]
    assert placement["ad_type"].tolist() == ["sponsored_brands"]


# --- Sponsored Display -----------------------------------------------------------------------

SD_TARGETING_HEADER = [
    "Start Date", "End Date", "Portfolio name", "Currency", "Campaign Name", "Ad Group Name",
    "Targeting", "Bid Optimization", "Cost Type", "Impressions", "Viewable Impressions",
    "Clicks", "Click-Thru Rate (CTR)", "14 Day Detail Page Views (DPV)", "Spend",
    "Cost Per Click (CPC)", "Cost per 1,000 viewable impressions (VCPM)",
    "Total Advertising Cost of Sales (ACOS)", "Total Return on Advertising Spend (ROAS)",
    "14 Day Total Orders (#)", "14 Day Total Units (#)", "14 Day Total Sales",
    "14 Day New-to-brand Orders (#)", "14 Day New-to-brand Sales", "14 Day New-to-brand Units (#)",
    "Total Advertising Cost of Sales (ACOS) - (Click)",
    "Total Return on Advertising Spend (ROAS) - (Click)", "14 Day Total Orders (#) - (Click)",
    "14 Day Total Units (#) - (Click)", "14 Day Total Sales - (Click)",
    "14 Day New-to-brand Orders (#) - (Click)", "14 Day New-to-brand Sales - (Click)",
    "14 Day New-to-brand Units (#) - (Click)",
]
SD_TARGETING_ROW = [
    "2026-01-01", "2026-01-31", "", "USD", "SD remarketing", "views 30d", "views=(exact-product "
    "lookback=30)", "Optimize for conversions", "CPC", "5000", "3000", "25", "0.50%", "40",
    "10.00", "0.40", "", "20.00%", "5.00", "4", "5", "50.00", "2", "20.00", "2", "50.00%",
    "2.00", "2", "2", "20.00", "1", "8.00", "1",
]


def test_sd_targeting_views_and_clicks_apart_from_clicks_only(tmp_path):
    path = write_xlsx(tmp_path / "sd_targeting.xlsx", [SD_TARGETING_HEADER, SD_TARGETING_ROW])
    frame = oa.io.read_report(path, marketplace="US")
    assert frame.attrs["kind"] == "sd_targeting"
    row = frame.iloc[0]
    assert row["ad_type"] == "sponsored_display"
    assert row["targeting"] == "views=(exact-product lookback=30)"
    assert row["bid_optimization"] == "Optimize for conversions"
    assert row["detail_page_views"] == 40 and pd.isna(row["vcpm"])
    assert (row["sales"], row["orders"], row["units"]) == (pytest.approx(50.0), 4, 5)
    assert (row["sales_clicks"], row["orders_clicks"], row["units_clicks"]) == \
        (pytest.approx(20.0), 2, 2)
    assert (row["new_to_brand_sales"], row["new_to_brand_sales_clicks"]) == \
        pytest.approx((20.0, 8.0))
    assert (row["acos"], row["acos_clicks"]) == pytest.approx((0.20, 0.50))
    assert row["currency"] == "USD"


SD_PRODUCT_HEADER = [
    "Date", "Currency", "Campaign Name", "Ad Group Name", "Bid Optimization", "Advertised SKU",
    "Advertised ASIN", "Impressions", "Viewable Impressions", "Clicks", "Click-Thru Rate (CTR)",
    "14 Day Detail Page Views (DPV)", "Spend", "14 Day Total Orders (#)",
    "14 Day Total Units (#)", "14 Day Total Sales", "14 Day Total Orders (#) - (Click)",
    "14 Day Total Units (#) - (Click)", "14 Day Total Sales - (Click)",
]


def test_sd_advertised_product_and_campaign(tmp_path):
    row = ["01/05/2026", "USD", "SD audiences", "AG", "Optimize for page visits", "MAT-1",
           "B07JMDZBSR", "900", "600", "9", "1.00%", "12", "4.50", "1", "1", "25.00", "0", "0",
           "0.00"]
    product = oa.io.read_report(write_csv(tmp_path / "sd_p.csv", [SD_PRODUCT_HEADER, row]))
    assert product.attrs["kind"] == "sd_advertised_product"
    assert product["advertised_asin"].tolist() == ["B07JMDZBSR"]
    assert product["sales"].tolist() == pytest.approx([25.0])
    assert product["sales_clicks"].tolist() == pytest.approx([0.0])
    header = ["Start Date", "End Date", "Currency", "Campaign Name", "Status", "Budget",
              "Cost Type", "Impressions", "Viewable Impressions", "Clicks", "Spend",
              "14 Day Total Sales", "14 Day Total Sales - (Click)"]
    values = ["2026-01-01", "2026-01-31", "USD", "SD audiences", "ENABLED", "20.00", "vCPM",
              "1000", "800", "5", "3.00", "10.00", "4.00"]
    campaign = oa.io.read_report(write_csv(tmp_path / "sd_c.csv", [header, values]))
    assert campaign.attrs["kind"] == "sd_campaign"
    assert campaign["ad_type"].tolist() == ["sponsored_display"]
    assert campaign["budget"].tolist() == pytest.approx([20.0])


# --- detection: SB/SD never taken for SP, SP never for SB/SD ---------------------------------

SP_SEARCH_TERM_HEADER = [
    "Date", "Portfolio name", "Currency", "Campaign Name", "Ad Group Name", "Targeting",
    "Match Type", "Customer Search Term", "Impressions", "Clicks", "Click-Thru Rate (CTR)",
    "Cost Per Click (CPC)", "Spend", "7 Day Total Sales ", "Total Advertising Cost of Sales (ACOS) ",
    "Total Return on Advertising Spend (ROAS)", "7 Day Total Orders (#)", "7 Day Total Units (#)",
    "7 Day Conversion Rate", "7 Day Advertised SKU Units (#)", "7 Day Other SKU Units (#)",
    "7 Day Advertised SKU Sales ", "7 Day Other SKU Sales ",
]
SP_TARGETING_HEADER = [h for h in SP_SEARCH_TERM_HEADER if h != "Customer Search Term"]
SP_CAMPAIGN_HEADER = ["Start Date", "End Date", "Portfolio name", "Campaign Type",
                      "Campaign Name", "Status", "Currency", "Budget", "Targeting Type",
                      "Bidding strategy", "Impressions", "Clicks", "Click-Thru Rate (CTR)",
                      "Spend", "Cost Per Click (CPC)", "7 Day Total Orders (#)",
                      "Total Advertising Cost of Sales (ACOS) ", "7 Day Total Sales "]
SP_PRODUCT_HEADER = ["Date", "Currency", "Campaign Name", "Ad Group Name", "Advertised SKU",
                     "Advertised ASIN", "Impressions", "Clicks", "Spend", "7 Day Total Sales"]
SP_PLACEMENT_HEADER = ["Start Date", "End Date", "Currency", "Campaign Name",
                       "Bidding strategy", "Placement", "Impressions", "Clicks", "Spend",
                       "7 Day Total Sales"]


@pytest.mark.parametrize("headers, expected", [
    (SP_SEARCH_TERM_HEADER, "sp_search_term"),
    (SP_TARGETING_HEADER, "sp_targeting"),
    (SP_CAMPAIGN_HEADER, "sp_campaign"),
    (SP_PRODUCT_HEADER, "sp_advertised_product"),
    (SP_PLACEMENT_HEADER, "sp_placement"),
    # an SP report downloaded with a 14-day window is still SP: no SB/SD-only column
    ([h.replace("7 Day", "14 Day") for h in SP_SEARCH_TERM_HEADER], "sp_search_term"),
    (SB_SEARCH_TERM_HEADER, "sb_search_term"),
    (SB_KEYWORD_HEADER, "sb_keyword"),
    (SB_CAMPAIGN_HEADER, "sb_campaign"),
    (SD_TARGETING_HEADER, "sd_targeting"),
    (SD_PRODUCT_HEADER, "sd_advertised_product"),
    # an SB keyword report without its SB-only metrics: Match Type still says SB
    ([h for h in SB_KEYWORD_HEADER if "Branded" not in h and "New-to-brand" not in h],
     "sb_keyword"),
    # an SD targeting report with the SB-only metrics' absence and no match type: SD
    ([h for h in SD_TARGETING_HEADER if h != "Bid Optimization"], "sd_targeting"),
])
def test_detection_keeps_ad_types_apart(headers, expected):
    assert detect_kind(headers)[0] == expected


def test_sp_frames_have_no_ad_type_column():
    for kind in ("sp_search_term", "sp_targeting", "sp_campaign", "sp_advertised_product",
                 "sp_placement", "sp_purchased_product"):
        assert "ad_type" not in schema.canonical_columns(kind)
        assert not schema.get_kind(kind).constants and not schema.get_kind(kind).markers


def test_sb_kind_forced_on_an_sp_file(tmp_path):
    row = ["01/05/2026", "", "USD", "c", "a", "t", "EXACT", "q", "1", "0", "0%", "0", "0", "0",
           "0%", "0", "0", "0", "0%", "0", "0", "0", "0"]
    path = write_csv(tmp_path / "sp.csv", [SP_SEARCH_TERM_HEADER, row])
    assert oa.io.read_report(path).attrs["kind"] == "sp_search_term"
    with pytest.raises(WrongKindError) as caught:
        oa.io.read_report(path, kind="sb_search_term")
    assert (caught.value.file, caught.value.row) == (str(path), 1)
    assert "sp_search_term" in caught.value.hint
    # a header with no SB-only column at all: the missing marker is what the error names
    shared = [h for h in SB_SEARCH_TERM_HEADER
              if schema.match_header("sp_search_term", h).column is not None]
    with pytest.raises(MissingColumnError) as missing:
        detect_kind(shared, path="sb.csv", kind="sb_search_term")
    assert missing.value.column == "Viewable Impressions"


def test_sb_bad_count_names_file_row_and_column(tmp_path):
    bad = list(SB_SEARCH_TERM_ROW)
    bad[SB_SEARCH_TERM_HEADER.index("14 Day Total Orders (#) - (Click)")] = "1.5"
    path = write_csv(tmp_path / "sb_bad.csv", [SB_SEARCH_TERM_HEADER, SB_SEARCH_TERM_ROW, bad])
    with pytest.raises(ValueParseError) as caught:
        oa.io.read_report(path, marketplace="US")
    assert caught.value.file == str(path)
    assert caught.value.row == 3
    assert caught.value.column == "14 Day Total Orders (#) - (Click)"


# --- Brand Analytics: Search Query Performance ----------------------------------------------

def sqp_header(owner):
    funnel = []
    for title, rate in (("Clicks", "Click Rate"), ("Cart Adds", "Cart Add Rate"),
                        ("Purchases", "Purchase Rate")):
        funnel += [f"{title}: Total Count", f"{title}: {rate} %", f"{title}: {owner} Count",
                   f"{title}: {owner} Share %", f"{title}: Price (Median)",
                   f"{title}: {owner} Price (Median)", f"{title}: Same Day Shipping Speed",
                   f"{title}: 1D Shipping Speed", f"{title}: 2D Shipping Speed"]
    return ["Search Query", "Search Query Score", "Search Query Volume",
            "Impressions: Total Count", f"Impressions: {owner} Count",
            f"Impressions: {owner} Share %", *funnel, "Reporting Date"]


SQP_ROW = ["fitness weighted ball", "84", "58", "1,841", "3", "0.16",
           "47", "81.03", "1", "2.13", "$19.79", "$26.99", "8", "7", "12",
           "2", "3.45", "0", "0.0", "$19.79", "", "0", "0", "0",
           "1", "1.72", "0", "0.0", "$21.00", "", "0", "0", "0",
           "2026-02-07"]
SQP_BRAND_LINE = ('Brand=["Acme Mats"],Reporting Range=["Weekly"],'
                  'Select week=["Week 6 | 2026-02-01 - 2026-02-07 2026"]')


def test_sqp_brand_view_known_answer(tmp_path):
    path = write_csv(tmp_path / "US_Search_Query_Performance_Brand_View.csv",
                     [sqp_header("Brand"), SQP_ROW], preamble=SQP_BRAND_LINE)
    frame = oa.io.read_report(path, marketplace="US")
    assert frame.attrs["kind"] == "sqp_brand"
    assert frame.attrs["period"] == (pd.Timestamp("2026-02-01"), pd.Timestamp("2026-02-07"))
    row = frame.iloc[0]
    assert row["search_query"] == "fitness weighted ball"
    assert (row["search_query_score"], row["search_query_volume"]) == (84, 58)
    assert (row["total_impressions"], row["own_impressions"]) == (1841, 3)
    assert row["own_impression_share"] == pytest.approx(0.0016)
    assert row["total_click_rate"] == pytest.approx(0.8103)
    assert row["own_click_share"] == pytest.approx(0.0213)
    assert (row["total_click_price_median"], row["own_click_price_median"]) == \
        pytest.approx((19.79, 26.99))
    assert row["clicks_two_day_shipping"] == 12
    assert row["total_purchases"] == 1 and row["own_purchases"] == 0
    assert pd.isna(row["own_cart_add_price_median"])
    assert row["reporting_date"] == pd.Timestamp("2026-02-07")
    assert row["brand"] == "Acme Mats" and row["reporting_range"] == "weekly"
    assert row["period_start"] == pd.Timestamp("2026-02-01")
    assert row["currency"] == "USD"
    assert frame.attrs["warnings"] == []


def test_sqp_asin_view_xlsx_with_filter_row(tmp_path):
    line = ['ASIN or Product=["B07JMDZBSR"]', 'Reporting Range=["Monthly"]',
            'Select year=["2026"]', 'Select month=["February"]']
    rows = [line + [None] * (len(SQP_ROW) - len(line)), sqp_header("ASIN"), SQP_ROW]
    frame = oa.io.read_report(write_xlsx(tmp_path / "sqp_asin.xlsx", rows), marketplace="US")
    assert frame.attrs["kind"] == "sqp_asin"
    assert frame["asin"].tolist() == ["B07JMDZBSR"]
    assert frame.attrs["period"] == (pd.Timestamp("2026-02-01"), pd.Timestamp("2026-02-28"))
    assert frame["own_impressions"].tolist() == [3]


def test_sqp_views_are_not_confused():
    assert detect_kind(sqp_header("Brand"))[0] == "sqp_brand"
    assert detect_kind(sqp_header("ASIN"))[0] == "sqp_asin"
    with pytest.raises(WrongKindError, match="sqp_asin"):
        detect_kind(sqp_header("ASIN"), kind="sqp_brand")


def test_sqp_bad_share_names_file_row_and_column(tmp_path):
    bad = list(SQP_ROW)
    bad[5] = "lots"
    path = write_csv(tmp_path / "sqp.csv", [sqp_header("Brand"), SQP_ROW, bad],
                     preamble=SQP_BRAND_LINE)
    with pytest.raises(ValueParseError) as caught:
        oa.io.read_report(path)
    assert (caught.value.file, caught.value.row) == (str(path), 4)  # filter line is line 1
    assert caught.value.column == "Impressions: Brand Share %"


# --- Brand Analytics: Top Search Terms -------------------------------------------------------

TST_HEADER = [
    "Search Frequency Rank", "Search Term", "Top Clicked Brand #1", "Top Clicked Brands #2",
    "Top Clicked Brands #3", "Top Clicked Category #1", "Top Clicked Category #2",
    "Top Clicked Category #3",
    *[f"Top Clicked Product #{n}: {part}" for n in (1, 2, 3)
      for part in ("ASIN", "Product Title", "Click Share", "Conversion Share")],
    "Reporting Date",
]
TST_LINE = ('"Reporting Range=[""Weekly""]","Select week=[""Week 15 | 2026-04-05 - 2026-04-11 '
            '2026""]"' + "," * 19)


def test_top_search_terms_known_answer(tmp_path):
    row = ["1,204", "bath mat", "Acme", "Other", "Third", "Home & Kitchen", "Home", "",
           "B07JMDZBSR", "Acme Bath Mat, 31x19", "15.23", "12.5",
           "B000000002", "Other Mat", "9.80%", "11.00%",
           "B000000003", "Third Mat", "4.1", "3.9", "4/11/2026"]
    path = write_csv(tmp_path / "US_Top_Search_Terms_Simple_Week_2026_04_11.csv",
                     [TST_HEADER, row], preamble=TST_LINE)
    frame = oa.io.read_report(path, marketplace="US")
    assert frame.attrs["kind"] == "top_search_terms"
    got = frame.iloc[0]
    assert got["search_frequency_rank"] == 1204 and got["search_term"] == "bath mat"
    assert got["top_clicked_brand_2"] == "Other" and pd.isna(got["top_clicked_category_3"])
    assert got["clicked_asin_1"] == "B07JMDZBSR"
    assert got["clicked_title_1"] == "Acme Bath Mat, 31x19"
    assert (got["click_share_1"], got["conversion_share_1"]) == pytest.approx((0.1523, 0.125))
    assert (got["click_share_2"], got["conversion_share_2"]) == pytest.approx((0.098, 0.11))
    assert got["reporting_date"] == pd.Timestamp("2026-04-11")
    assert frame.attrs["period"] == (pd.Timestamp("2026-04-05"), pd.Timestamp("2026-04-11"))


def test_top_search_terms_older_header_without_filter_line(tmp_path):
    header = ["Department", "Search Term", "Search Frequency Rank",
              *[f"#{n} {part}" for n in (1, 2, 3)
                for part in ("Clicked ASIN", "Product Title", "Click Share", "Conversion Share")]]
    row = ["Amazon.com", "door mat", "77", "B07JMT389Q", "Door Mat", "20.00%", "18.00%",
           "B000000002", "Mat 2", "10.00%", "9.00%", "B000000003", "Mat 3", "5.00%", "4.00%"]
    frame = oa.io.read_report(write_csv(tmp_path / "tst.csv", [header, row], bom=False))
    assert frame.attrs["kind"] == "top_search_terms"
    assert frame["department"].tolist() == ["Amazon.com"]
    assert frame["click_share_1"].tolist() == pytest.approx([0.20])
    assert "period_start" not in frame.columns
    assert any("period unknown" in note for note in frame.attrs["warnings"])


def test_top_search_terms_missing_rank_is_named(tmp_path):
    header = [h for h in TST_HEADER if h != "Search Frequency Rank"]
    path = write_csv(tmp_path / "tst.csv", [header, ["x"] * len(header)], preamble=TST_LINE)
    with pytest.raises(MissingColumnError) as caught:
        oa.io.read_report(path)
    assert caught.value.column == "Search Frequency Rank" and caught.value.file == str(path)


# --- the filter line -------------------------------------------------------------------------

@pytest.mark.parametrize("cells, expected", [
    (['Reporting Range=["Weekly"]', 'Select week=["Week 6 | 2026-02-01 - 2026-02-07 2026"]'],
     ("2026-02-01", "2026-02-07")),
    (['Reporting Range=["Monthly"]', 'Select year=["2024"]', 'Select month=["Feb"]'],
     ("2024-02-01", "2024-02-29")),
    (['Reporting Range=["Quarterly"]', 'Select year=["2026"]', 'Select quarter=["2"]'],
     ("2026-04-01", "2026-06-30")),
    (['Reporting Range=["Quarterly"]', 'Select year=["2026"]', 'Select quarter=["Q4"]'],
     ("2026-10-01", "2026-12-31")),
])
def test_metadata_period(cells, expected):
    metadata = parse_metadata([cells])
    assert metadata["reporting range"] in ("Weekly", "Monthly", "Quarterly")
    start, end = metadata_period(metadata)
    assert (start, end) == (pd.Timestamp(expected[0]), pd.Timestamp(expected[1]))


def test_metadata_period_errors_name_the_value():
    with pytest.raises(PeriodError, match="select month"):
        metadata_period(parse_metadata([['Select year=["2026"]', 'Select month=["Smarch"]']]),
                        "f.csv")
    with pytest.raises(PeriodError, match="select week"):
        metadata_period(parse_metadata([['Select week=["Week 6"]']]), "f.csv")
    assert metadata_period(parse_metadata([["Search Query", "Search Query Score"]])) is None


def test_bulk_workbook_sponsored_display_sheet_is_not_an_sd_report(tmp_path):
    # SD bulk sheets carry "Cost Type", "Viewable Impressions", "Bid Optimization": still a
    # bulk sheet (left out by name), never an sd_campaign report in a multi-sheet workbook
    sp = ["Product", "Entity", "Operation", "Campaign ID", "Ad Group ID", "Campaign Name",
          "Ad Group Name", "Campaign Name (Informational only)", "Start Date", "State",
          "Daily Budget", "Bidding Strategy", "Impressions", "Clicks", "Spend", "Sales",
          "Orders", "Units", "ACOS", "CPC", "ROAS"]
    sd = ["Product", "Entity", "Operation", "Campaign ID", "Ad Group ID", "Campaign Name",
          "Ad Group Name", "Campaign Name (Informational only)", "Start Date", "State",
          "Tactic", "Budget Type", "Budget", "Bid Optimization", "Cost Type", "Impressions",
          "Clicks", "Spend", "Sales", "Orders", "Units", "ACOS", "CPC", "ROAS",
          "Viewable Impressions", "Sales (Views & Clicks)", "Orders (Views & Clicks)"]
    sp_row = ["Sponsored Products", "Campaign", None, 1, None, "Mats", None, "Mats",
              "20240105", "enabled", 25, "Fixed bid", 100, 5, 3.5, 20, 1, 1, 0.175, 0.7, 5.7]
    sd_row = ["Sponsored Display", "Campaign", None, 2, None, "Retarget", None, "Retarget",
              "20240105", "enabled", "T00030", "daily", 10, "Optimize for conversions", "vcpm",
              100, 5, 3.5, 20, 1, 1, 0.175, 0.7, 5.7, 80, 30, 2]
    path = tmp_path / "bulk.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([sp_row], columns=sp).to_excel(
            writer, sheet_name="Sponsored Products Campaigns", index=False)
        pd.DataFrame([sd_row], columns=sd).to_excel(
            writer, sheet_name="Sponsored Display Campaigns", index=False)
    frames = oa.io.read_report_frames(path)
    assert list(frames) == ["bulk_sp_campaigns"]
    assert frames["bulk_sp_campaigns"]["campaign_name"].tolist() == ["Mats"]


def test_sb_search_term_title_line_shifts_error_rows(tmp_path):
    bad = list(SB_SEARCH_TERM_ROW)
    bad[SB_SEARCH_TERM_HEADER.index("Viewable Impressions")] = "many"
    path = write_csv(tmp_path / "sb_title.csv", [SB_SEARCH_TERM_HEADER, SB_SEARCH_TERM_ROW, bad],
                     preamble="Sponsored Brands Search term report")
    with pytest.raises(ValueParseError) as caught:
        oa.io.read_report(path, marketplace="US")
    assert (caught.value.row, caught.value.column) == (4, "Viewable Impressions")
    good = write_csv(tmp_path / "sb_title_ok.csv", [SB_SEARCH_TERM_HEADER, SB_SEARCH_TERM_ROW],
                     preamble="Sponsored Brands Search term report")
    frame = oa.io.read_report(good, marketplace="US")
    assert frame.attrs["kind"] == "sb_search_term"
    assert frame["viewable_impressions"].tolist() == [1500]

"""Sponsored Products sheets of an Ads bulk-operations workbook, and detection guards.

The last test checks that every real export in ../shared/amazon-report-samples is still read as
the kind it was before the kinds of issue 14 were added (skips where the folder is absent).
"""

import openpyxl
import pandas as pd
import pytest

import opsanalysis as oa
from opsanalysis.io import ReportError
from opsanalysis.io.detect import detect_kind, open_raw
from opsanalysis.io.tables import read_header, read_xlsx_sheets, xlsx_table

INFO = " (Informational only)"
CAMPAIGNS = ["Product", "Entity", "Operation", "Campaign ID", "Ad Group ID", "Portfolio ID",
             "Ad ID", "Keyword ID", "Product Targeting ID", "Campaign Name", "Ad Group Name",
             f"Campaign Name{INFO}", f"Ad Group Name{INFO}", f"Portfolio Name{INFO}",
             "Start Date", "End Date", "Targeting Type", "State", f"Campaign State{INFO}",
             f"Ad Group State{INFO}", "Daily Budget", "SKU", f"ASIN{INFO}",
             f"Eligibility Status{INFO}", f"Reason for Ineligibility{INFO}",
             "Ad Group Default Bid", f"Ad Group Default Bid{INFO}", "Bid", "Keyword Text",
             "Native Language Keyword", "Native Language Locale", "Match Type",
             "Bidding Strategy", "Placement", "Percentage", "Product Targeting Expression",
             f"Resolved Product Targeting Expression{INFO}", "Impressions", "Clicks",
             "Click-through Rate", "Spend", "Sales", "Orders", "Units", "Conversion Rate",
             "ACOS", "CPC", "ROAS"]
SEARCH_TERMS = ["Product", "Campaign ID", "Ad Group ID", "Keyword ID", "Product Targeting ID",
                f"Campaign Name{INFO}", f"Ad Group Name{INFO}", f"Portfolio Name{INFO}",
                "State", f"Campaign State{INFO}", "Bid", "Keyword Text", "Match Type",
                "Product Targeting Expression", f"Resolved Product Targeting Expression{INFO}",
                "Customer Search Term", "Impressions", "Clicks", "Click-through Rate", "Spend",
                "Sales", "Orders", "Units", "Conversion Rate", "ACOS", "CPC", "ROAS"]
CAMPAIGN_ID, AD_GROUP_ID, KEYWORD_ID = 123456789012345, 223456789012345, 323456789012345


def row(header, **cells):
    return [cells.get(name) for name in header]


def campaign_rows(product):
    names = {f"Campaign Name{INFO}": "Mats - Exact", "Campaign ID": CAMPAIGN_ID}
    keyword = {**names, "Ad Group ID": AD_GROUP_ID, f"Ad Group Name{INFO}": "Bath mats"}
    return [
        row(CAMPAIGNS, Product=product, Entity="Campaign", **names,
            **{"Campaign Name": "Mats - Exact", "Start Date": "20240105",
               "Targeting Type": "Manual", "State": "enabled", "Daily Budget": 25,
               "Bidding Strategy": "Dynamic bids - down only", "Impressions": 1200,
               "Clicks": 30, "Click-through Rate": 0.025, "Spend": 21.5, "Sales": 86,
               "Orders": 4, "Units": 5, "Conversion Rate": 0.1333, "ACOS": 0.25,
               "CPC": 0.7167, "ROAS": 4}),
        row(CAMPAIGNS, Product=product, Entity="Keyword", **keyword,
            **{"Keyword ID": KEYWORD_ID, "State": "enabled", "Bid": 0.85,
               "Keyword Text": "bath mat", "Match Type": "exact", "Impressions": 500,
               "Clicks": 12, "Spend": 9.6, "Sales": 43, "Orders": 2, "Units": 2}),
        row(CAMPAIGNS, Product=product, Entity="Bidding Adjustment", **names,
            **{"Placement": "Placement Top", "Percentage": 50}),
    ]


def workbook(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for values in rows:
            sheet.append(values)
    book.save(path)
    return path


SEARCH_TERM_ROW = row(SEARCH_TERMS, Product="Sponsored Products", **{
    "Campaign ID": CAMPAIGN_ID, "Ad Group ID": AD_GROUP_ID, "Keyword ID": KEYWORD_ID,
    f"Campaign Name{INFO}": "Mats - Exact", f"Ad Group Name{INFO}": "Bath mats",
    "State": "enabled", "Bid": 0.85, "Keyword Text": "bath mat", "Match Type": "exact",
    "Customer Search Term": "bath mat non slip", "Impressions": 210, "Clicks": 7,
    "Click-through Rate": 0.0333, "Spend": 5.6, "Sales": 21.5, "Orders": 1, "Units": 1,
    "Conversion Rate": 0.1429, "ACOS": 0.2605, "CPC": 0.8, "ROAS": 3.84})


def bulk_workbook(path):
    return workbook(path, {
        "Portfolios": [["Product", "Entity", "Operation", "Portfolio ID", "Portfolio Name"],
                       ["Portfolios", "Portfolio", None, 11, "Mats"]],
        "Sponsored Products Campaigns": [CAMPAIGNS, *campaign_rows("Sponsored Products")],
        "SP Search Term Report": [SEARCH_TERMS, SEARCH_TERM_ROW],
        "Sponsored Brands Campaigns": [CAMPAIGNS, *campaign_rows("Sponsored Brands")],
    })


def test_bulk_workbook_gives_both_sponsored_products_sheets(tmp_path):
    path = bulk_workbook(tmp_path / "bulk-a1b2c3-20240301.xlsx")
    frames = oa.io.read_report_frames(path, marketplace="US")
    assert list(frames) == ["bulk_sp_campaigns", "bulk_sp_search_terms"]
    campaigns = frames["bulk_sp_campaigns"]
    assert campaigns.attrs["sheet"] == "Sponsored Products Campaigns"
    assert campaigns["entity"].tolist() == ["Campaign", "Keyword", "Bidding Adjustment"]
    assert (campaigns["product"] == "Sponsored Products").all()  # not the Brands sheet
    assert (campaigns["campaign_id"] == str(CAMPAIGN_ID)).all()  # ids stay exact text
    assert (campaigns["campaign_name"] == "Mats - Exact").all()
    assert campaigns["campaign_name_setting"].iloc[0] == "Mats - Exact"
    assert pd.isna(campaigns["campaign_name_setting"].iloc[1])  # only on the campaign's row
    assert campaigns["campaign_start_date"].iloc[0] == pd.Timestamp("2024-01-05")
    assert campaigns["daily_budget"].iloc[0] == pytest.approx(25.0)
    assert campaigns["percentage"].iloc[2] == pytest.approx(0.50)
    assert campaigns["acos"].iloc[0] == pytest.approx(0.25)
    assert campaigns["keyword_text"].iloc[1] == "bath mat"
    assert campaigns.attrs["period"] is None  # campaign start dates are not the period
    terms = frames["bulk_sp_search_terms"]
    assert terms["customer_search_term"].tolist() == ["bath mat non slip"]
    assert terms["keyword_id"].iloc[0] == str(KEYWORD_ID)
    assert terms["conversion_rate"].iloc[0] == pytest.approx(0.1429)
    assert terms["spend"].iloc[0] == pytest.approx(5.6) and terms["currency"].iloc[0] == "USD"
    assert any("Sponsored Brands Campaigns" in note for note in terms.attrs["warnings"])


def test_search_term_sheet_alone_is_read(tmp_path):
    # this sheet raised a raw pandas AttributeError before (read as a console export)
    path = workbook(tmp_path / "st.xlsx", {"SP Search Term Report": [SEARCH_TERMS,
                                                                      SEARCH_TERM_ROW]})
    frame = oa.io.read_report(path, marketplace="UK")
    assert frame.attrs["kind"] == "bulk_sp_search_terms"
    assert frame["clicks"].iloc[0] == 7 and frame["currency"].iloc[0] == "GBP"


def test_percent_header_with_numeric_cells_is_a_fraction(tmp_path):
    path = workbook(tmp_path / "campaigns.xlsx", {"Campaigns": [
        ["Campaigns", "Impressions", "Clicks", "CTR(%)", "Spend(USD)", "Conversion rate"],
        ["Mats", 1000, 12, 1.2, 9.5, 25]]})
    frame = oa.io.read_report(path, kind="console_campaigns")
    assert frame["ctr"].iloc[0] == pytest.approx(0.012)


def test_bulk_text_in_clicks_names_sheet_row_and_column(tmp_path):
    bad = list(SEARCH_TERM_ROW)
    bad[SEARCH_TERMS.index("Clicks")] = "seven"
    path = workbook(tmp_path / "st.xlsx", {"SP Search Term Report": [SEARCH_TERMS, bad]})
    with pytest.raises(ReportError) as caught:
        oa.io.read_report(path, marketplace="US")
    assert caught.value.file.endswith("st.xlsx")
    assert caught.value.row == 2 and caught.value.column == "Clicks"


def test_reader_faults_leave_as_report_errors(tmp_path, monkeypatch):
    path = workbook(tmp_path / "st.xlsx", {"SP Search Term Report": [SEARCH_TERMS,
                                                                      SEARCH_TERM_ROW]})

    def broken(*args, **kwargs):
        raise AttributeError("Can only use .str accessor with string values")

    monkeypatch.setattr("opsanalysis.io.report.to_canonical", broken)
    with pytest.raises(ReportError, match="st.xlsx.*AttributeError"):
        oa.io.read_report(path)


def _detected(path):
    raw = open_raw(path)
    if raw.container == "xlsx":
        sheets = [xlsx_table(raw, name, cells) for name, cells in read_xlsx_sheets(raw).items()
                  if not cells.dropna(how="all").empty]
        return [detect_kind(table.headers, path=path)[0] for table in sheets]
    return [detect_kind(read_header(raw), path=path)[0]]


def test_real_samples_keep_their_kinds(amazon_samples_dir):
    from test_io_real_files import EXPECTED_KIND

    for name, kind in EXPECTED_KIND.items():
        path = amazon_samples_dir / name
        if path.is_file():
            assert _detected(path) == [kind], name

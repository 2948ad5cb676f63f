"""Ads API v3 rows written as the Ads console's CSV read back as the console report kinds."""

import pandas as pd

import opsanalysis.io as oio
from opsanalysis.pull import settings
from opsanalysis.pull.ads_api import console_csv

SEARCH_TERM_ROWS = [  # v3 spSearchTerm rows as the API returns them (camelCase, raw numbers)
    {"date": "2026-10-30", "campaignName": "SP - Kitchen - Auto", "adGroupName": "Auto",
     "campaignBudgetCurrencyCode": "USD", "targeting": "close-match", "matchType": "-",
     "searchTerm": "silicone baking mat", "impressions": 1203, "clicks": 14, "cost": 11.62,
     "costPerClick": 0.83, "sales7d": 71.96, "purchases7d": 4, "unitsSoldClicks7d": 4,
     "unitsSoldSameSku7d": 3, "unitsSoldOtherSku7d": 1, "attributedSalesSameSku7d": 53.97,
     "salesOtherSku7d": 17.99},
    {"date": "2026-10-31", "campaignName": "SP - Kitchen - Exact", "adGroupName": "Mats",
     "targeting": "baking mat", "matchType": "EXACT", "searchTerm": "b0umh9a120",
     "impressions": 88, "clicks": 0, "cost": 0, "purchases7d": 0},
]


def test_search_term_rows_read_back_with_their_values(tmp_path):
    columns = settings()["ads_api"]["sp_search_term"]["columns"]
    path = tmp_path / "Sponsored_Products_Search_term_report_2026-10-30_2026-10-31.csv"
    path.write_bytes(console_csv(SEARCH_TERM_ROWS, columns, "sp_search_term", "USD", 7))
    frame = oio.read_report(path, "US")
    assert frame.attrs["kind"] == "sp_search_term"
    assert list(frame["date"]) == [pd.Timestamp("2026-10-30"), pd.Timestamp("2026-10-31")]
    assert list(frame["customer_search_term"]) == ["silicone baking mat", "b0umh9a120"]
    assert list(frame["spend"]) == [11.62, 0.0]
    assert list(frame["orders"]) == [4, 0]
    assert frame["sales"].iloc[0] == 71.96 and pd.isna(frame["sales"].iloc[1])
    assert frame["advertised_sku_sales"].iloc[0] == 53.97
    assert list(frame["currency"]) == ["USD", "USD"]  # the marketplace's when a row has none


def test_every_ads_kind_maps_onto_its_readers_columns():
    for kind, spec in settings()["ads_api"].items():
        canonical = set(oio.canonical_columns(kind))
        assert set(spec["columns"].values()) <= canonical, kind
        assert set(oio.required_columns(kind)) <= set(spec["columns"].values()), kind
        assert spec["reads_as"] == [kind]


def test_campaign_bidding_strategy_enums_are_written_in_the_consoles_words(tmp_path):
    spec = settings()["ads_api"]["sp_campaign"]
    rows = [{"date": "2026-10-31", "campaignName": name, "campaignStatus": "ENABLED",
             "campaignBudgetAmount": 20.0, "campaignBiddingStrategy": strategy,
             "impressions": 10, "clicks": 1, "cost": 0.5, "purchases7d": 0}
            for name, strategy in (("A", "LEGACY_FOR_SALES"), ("B", "AUTO_FOR_SALES"),
                                   ("C", "MANUAL"), ("D", "RULE_BASED"))]
    path = tmp_path / "Sponsored_Products_Campaign_report_2026-10-31_2026-10-31.csv"
    path.write_bytes(console_csv(rows, spec["columns"], "sp_campaign", "USD", 7, spec["values"]))
    frame = oio.read_report(path, "US")
    assert list(frame["bidding_strategy"]) == ["Dynamic bids - down only",
                                               "Dynamic bids - up and down", "Fixed bid",
                                               "RULE_BASED"]
    assert set(spec["values"]) <= set(spec["columns"].values())


def test_keyword_and_target_rows_share_the_targeting_column_with_14_day_headers(tmp_path):
    spec = settings()["ads_api"]["sb_keyword"]
    rows = [{"date": "2026-10-31", "campaignName": "SB - Mats", "adGroupName": "Mats",
             "keywordText": "bath mat", "matchType": "EXACT", "costType": "CPC",
             "impressions": 900, "clicks": 9, "cost": 4.5, "sales": 39.98, "purchases": 2,
             "salesClicks": 19.99, "purchasesClicks": 1},
            {"date": "2026-10-31", "campaignName": "SB - Mats", "adGroupName": "Mats",
             "targetingText": 'asin="B0UMH9A120"', "matchType": "TARGETING_EXPRESSION",
             "costType": "CPC", "impressions": 300, "clicks": 0, "cost": 0, "purchases": 0}]
    data = console_csv(rows, spec["columns"], "sb_keyword", "USD", spec["attribution_days"])
    header = data.decode("utf-8-sig").splitlines()[0].split(",")
    assert header.count("Targeting") == 1
    assert "14 Day Total Sales - (Click)" in header and "14 Day Total Sales" in header
    path = tmp_path / "Sponsored_Brands_Keyword_report_2026-10-31_2026-10-31.csv"
    path.write_bytes(data)
    frame = oio.read_report(path, "US")
    assert frame.attrs["kind"] == "sb_keyword" and frame.attrs["attribution_days"] == 14
    assert list(frame["targeting"]) == ["bath mat", 'asin="B0UMH9A120"']
    assert list(frame["sales"].fillna(-1)) == [39.98, -1]  # not given: unknown, not 0
    assert list(frame["sales_clicks"].fillna(-1)) == [19.99, -1]
    assert list(frame["orders_clicks"].fillna(-1)) == [1, -1]
    assert list(frame["orders"]) == [2, 0]

"""A local fake of Amazon's LWA token endpoint, SP-API Reports API and Ads API v3 reporting.

Started by the pull tests on 127.0.0.1 (port 0) in a thread. It checks credentials and headers
the way Amazon does, serves documents made from the bundled sample world (``data/sample/<MP>/``
gzip-compressed), and injects faults on request: ``fail(operation, "429"|"500"|"expire"|
"truncate")`` queues one fault for the next call of that operation; ``fatal_types`` makes a
report type end ``FATAL`` with an error document. A report type the sample world has no
document for ends ``CANCELLED`` (SP-API: no data for the period) or ``FAILED`` (Ads API).

The sample world has no Sponsored Brands, Sponsored Display or Brand Analytics files, so
:func:`brand_records` derives them from its Sponsored Products reports (daily campaign and
advertised-product rows) and product master, deterministically and in whole numbers; the
server answers from these records (v3 JSON rows, the SP-API Brand Analytics JSON documents) and
:func:`write_hand_saved` writes the same records as a person downloads them from the Ads console
and Seller Central (console headers, ``$1,234.56``, ``Oct 05, 2026``, filter lines), so that a
test can read both through the same readers. The server checks a SB/SD request against the
documented report configuration (``ADS_V3``: adProduct, groupBy, columns) and a Brand
Analytics request against its schema (one whole Sunday-Saturday week, ``reportPeriod`` WEEK,
``asin`` of at most 200 characters), answering ``400`` or ``FATAL`` as Amazon does.

``ready_after_polls`` (default 2: one ``IN_PROGRESS`` answer first) and ``rate_limit`` (an
``x-amzn-RateLimit-Limit`` value sent with every API answer, as Amazon does) let a test that
runs the pull with real time (``opsanalysis run --pull`` through the command line) finish
without waiting for poll intervals or the 1-per-minute ``createReport`` plan.
"""

from __future__ import annotations

import csv
import datetime
import functools
import gzip
import io
import itertools
import json
import re
import threading
import urllib.parse
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd

import opsanalysis.io as oio
from opsanalysis import marketplaces
from opsanalysis.pull import settings

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

SECRETS = {
    "sp_client_id": "amzn1.application-oa2-client.SPCLIENTID0042",
    "sp_client_secret": "amzn1.oa2-cs.v1.SPSECRETs3cr3t9f8e7d6c5b4a",
    "sp_refresh_token": "Atzr|SPREFRESHTOKENxyzzy0123456789",
    "ads_client_id": "amzn1.application-oa2-client.ADSCLIENTID0077",
    "ads_client_secret": "amzn1.oa2-cs.v1.ADSSECRETp4ssw0rdq1w2e3r4",
    "ads_refresh_token": "Atzr|ADSREFRESHTOKENplugh9876543210",
}
PROFILES = {"US": "3141592653589793"}

_SNAPSHOT_FILES = {
    "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA": "Manage_FBA_Inventory_2026-10-31.*",
    "GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT": "Restock_Inventory_2026-10-31.*",
    "GET_V2_SELLER_PERFORMANCE_REPORT": "GET_V2_SELLER_PERFORMANCE_REPORT_2026-10-31.*",
    "GET_FBA_INVENTORY_PLANNING_DATA": "FBA_Inventory_Planning_2026-10-31.*",
}
_ADS_SOURCES = {"spCampaigns": ("sp_campaign", "Sponsored_Products_Campaign_report_*"),
                "spSearchTerm": ("sp_search_term", "Sponsored_Products_Search_term_report_*")}


def _one(folder: Path, pattern: str) -> Path:
    (path,) = folder.glob(pattern)
    return path


@functools.cache
def _all_orders(code):
    """Header line, lines and purchase times [s since the epoch] of the sample's All Orders."""
    text = gzip.decompress(_one(SAMPLE / code, "All_Orders_*").read_bytes())
    lines = text.split(b"\r\n")
    position = lines[0].split(b"\t").index(b"purchase-date")
    rows = [line for line in lines[1:] if line]
    stamps = np.array([datetime.datetime.fromisoformat(line.split(b"\t")[position].decode())
                       .timestamp() for line in rows])
    return lines[0], rows, stamps


@functools.cache  # the tests ask for the same periods again and again
def all_orders_slice(code, start, end) -> bytes:
    """Header and the All Orders rows of the sample whose purchase-date lies in [start, end]."""
    header, rows, stamps = _all_orders(code)
    begin, finish = (datetime.datetime.fromisoformat(t).timestamp() for t in (start, end))
    kept = [rows[i] for i in np.flatnonzero((stamps >= begin) & (stamps <= finish))]
    return b"\r\n".join([header, *kept, b""])


@functools.cache
def _ads_frame(code, report_type):
    kind, pattern = _ADS_SOURCES[report_type]
    return kind, oio.read_report(_one(SAMPLE / code, pattern), code)


@functools.cache
def ads_json(code, report_type, start, end) -> bytes:
    """:func:`ads_rows` as the JSON document the API serves."""
    return json.dumps(ads_rows(code, report_type, start, end)).encode()


@functools.lru_cache(maxsize=64)
def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def ads_rows(code, report_type, start, end) -> list:
    """v3 JSON rows (camelCase keys) of the sample's Ads console report, days start..end."""
    kind, frame = _ads_frame(code, report_type)
    columns = settings()["ads_api"][kind]["columns"]
    # the console's words back into the API's enums (LEGACY_FOR_SALES ...)
    enums = {canonical: {text: enum for enum, text in table.items()}
             for canonical, table in settings()["ads_api"][kind].get("values", {}).items()}
    frame = frame[(frame["date"] >= pd.Timestamp(start)) & (frame["date"] <= pd.Timestamp(end))]
    rows = []
    for record in frame.to_dict("records"):
        row = {}
        for api_name, canonical in columns.items():
            value = record.get(canonical)
            if canonical not in frame.columns or value is None or pd.isna(value):
                continue
            if isinstance(value, pd.Timestamp):
                value = f"{value:%Y-%m-%d}"
            elif hasattr(value, "item"):
                value = value.item()
            row[api_name] = enums.get(canonical, {}).get(value, value)
        rows.append(row)
    return rows


# --- Sponsored Brands / Display and Brand Analytics, derived from the sample world ----------

# The report configurations and columns the server accepts, as the Ads API v3 reporting guide
# documents them (report-types/campaign.md, targeting.md, search-term.md,
# advertised-product.md): v3 column -> the record field it is made from. Written here from the
# guide, independently of amazon_api.yaml, so a wrong column name there fails the tests.
_SB_METRICS = {"impressions": "impressions", "clicks": "clicks", "cost": "spend",
               "costType": "cost_type", "sales": "sales", "purchases": "orders",
               "unitsSold": "units", "salesClicks": "sales_clicks",
               "purchasesClicks": "orders_clicks", "date": "date",
               "campaignName": "campaign_name", "campaignBudgetCurrencyCode": "currency"}
_NEW_TO_BRAND = {"newToBrandPurchases": "new_to_brand_orders",
                 "newToBrandSales": "new_to_brand_sales",
                 "newToBrandUnitsSold": "new_to_brand_units", "detailPageViews": "detail_page_views"}
_SD_METRICS = _SB_METRICS | _NEW_TO_BRAND | {"impressionsViews": "viewable_impressions",
                                             "unitsSoldClicks": "units_clicks"}
ADS_V3 = {
    "sbSearchTerm": {"adProduct": "SPONSORED_BRANDS", "groupBy": ["searchTerm"],
                     "source": "sb_search_term",
                     "fields": _SB_METRICS | {"adGroupName": "ad_group_name",
                                              "keywordText": "keyword_text",
                                              "matchType": "match_type",
                                              "searchTerm": "customer_search_term",
                                              "viewableImpressions": "viewable_impressions",
                                              "videoCompleteViews": "video_complete_views",
                                              "video5SecondViews": "five_second_views"}},
    "sbTargeting": {"adProduct": "SPONSORED_BRANDS", "groupBy": ["targeting"],
                    "source": "sb_keyword",
                    "fields": _SB_METRICS | _NEW_TO_BRAND | {
                        "adGroupName": "ad_group_name", "keywordText": "keyword_text",
                        "targetingText": "targeting_text", "matchType": "match_type",
                        "brandedSearches": "branded_searches"}},
    "sbCampaigns": {"adProduct": "SPONSORED_BRANDS", "groupBy": ["campaign"],
                    "source": "sb_campaign",
                    "fields": _SB_METRICS | _NEW_TO_BRAND | {
                        "campaignStatus": "status", "campaignBudgetAmount": "budget",
                        "viewableImpressions": "viewable_impressions",
                        "unitsSoldClicks": "units_clicks",
                        "newToBrandPurchasesClicks": "new_to_brand_orders_clicks",
                        "newToBrandSalesClicks": "new_to_brand_sales_clicks",
                        "newToBrandUnitsSoldClicks": "new_to_brand_units_clicks",
                        "brandedSearches": "branded_searches",
                        "videoCompleteViews": "video_complete_views",
                        "video5SecondViews": "five_second_views"}},
    "sdTargeting": {"adProduct": "SPONSORED_DISPLAY", "groupBy": ["targeting"],
                    "source": "sd_targeting",
                    "fields": {k: v for k, v in _SD_METRICS.items() if k != "costType"} | {
                        "adGroupName": "ad_group_name", "targetingText": "targeting"}},
    "sdCampaigns": {"adProduct": "SPONSORED_DISPLAY", "groupBy": ["campaign"],
                    "source": "sd_campaign",
                    "fields": _SD_METRICS | {"campaignStatus": "status",
                                             "campaignBudgetAmount": "budget"}},
    "sdAdvertisedProduct": {"adProduct": "SPONSORED_DISPLAY", "groupBy": ["advertiser"],
                            "source": "sd_advertised_product",
                            "fields": {k: v for k, v in _SD_METRICS.items()
                                       if k != "costType"} | {
                                "adGroupName": "ad_group_name", "promotedSku": "advertised_sku",
                                "promotedAsin": "advertised_asin",
                                "bidOptimization": "bid_optimization"}},
}

# How a person's download writes each field: the console's en-US header (SB/SD reports with
# their 14-day attribution) and the value style.
_CONSOLE = {
    "date": ("Date", "date"), "portfolio_name": ("Portfolio name", "text"),
    "currency": ("Currency", "text"), "campaign_name": ("Campaign Name", "text"),
    "status": ("Status", "text"), "budget": ("Budget", "money"),
    "ad_group_name": ("Ad Group Name", "text"), "targeting": ("Targeting", "text"),
    "match_type": ("Match Type", "text"),
    "customer_search_term": ("Customer Search Term", "text"),
    "advertised_sku": ("Advertised SKU", "text"), "advertised_asin": ("Advertised ASIN", "text"),
    "bid_optimization": ("Bid Optimization", "text"), "cost_type": ("Cost Type", "text"),
    "impressions": ("Impressions", "count"),
    "viewable_impressions": ("Viewable Impressions", "count"),
    "clicks": ("Clicks", "count"), "ctr": ("Click-Thru Rate (CTR)", "percent"),
    "spend": ("Spend", "money"), "sales": ("14 Day Total Sales ", "money"),
    "orders": ("14 Day Total Orders (#)", "count"), "units": ("14 Day Total Units (#)", "count"),
    "sales_clicks": ("14 Day Total Sales - (Click)", "money"),
    "orders_clicks": ("14 Day Total Orders (#) - (Click)", "count"),
    "units_clicks": ("14 Day Total Units (#) - (Click)", "count"),
    "new_to_brand_orders": ("14 Day New-to-brand Orders (#)", "count"),
    "new_to_brand_sales": ("14 Day New-to-brand Sales", "money"),
    "new_to_brand_units": ("14 Day New-to-brand Units (#)", "count"),
    "new_to_brand_orders_clicks": ("14 Day New-to-brand Orders (#) - (Click)", "count"),
    "new_to_brand_sales_clicks": ("14 Day New-to-brand Sales - (Click)", "money"),
    "new_to_brand_units_clicks": ("14 Day New-to-brand Units (#) - (Click)", "count"),
    "detail_page_views": ("14 Day Detail Page Views (DPV)", "count"),
    "branded_searches": ("14 Day Branded Searches", "count"),
    "video_complete_views": ("Video Complete Views", "count"),
    "five_second_views": ("5 Second Views", "count"),
}
_SBSD_FILES = {"sb_search_term": "Sponsored_Brands_Search_term_report",
               "sb_keyword": "Sponsored_Brands_Keyword_report",
               "sb_campaign": "Sponsored_Brands_Campaign_report",
               "sd_targeting": "Sponsored_Display_Targeting_report",
               "sd_campaign": "Sponsored_Display_Campaign_report",
               "sd_advertised_product": "Sponsored_Display_Advertised_product_report"}
_SQP_STAGES = (("impressionData", "Impression", "Impressions"),
               ("clickData", "Click", "Clicks"), ("cartAddData", "CartAdd", "Cart Adds"),
               ("purchaseData", "Purchase", "Purchases"))
_MATCH = {"Exact": "EXACT", "Broad": "BROAD", "Phrase": "PHRASE"}
_RATE = {"Click": "Click Rate %", "CartAdd": "Cart Add Rate %", "Purchase": "Purchase Rate %"}


def _none(value):
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def _clicks_only(value, share=0.8):
    return None if value is None else round(value * share, 2)


def _brand_metrics(row) -> dict:
    """SB/SD metrics derived from one Sponsored Products row (whole numbers, cents)."""
    impressions, clicks = int(row["impressions"]), int(row["clicks"])
    orders = int(row["orders"])
    units = int(row["units"]) if "units" in row and _none(row["units"]) is not None else orders
    sales = _none(row["sales"])
    sales = None if sales is None else round(float(sales), 2)
    orders_clicks, units_clicks = orders - orders // 5, units - units // 5
    return {"impressions": impressions, "viewable_impressions": impressions * 7 // 10,
            "clicks": clicks, "spend": round(float(row["spend"]), 2), "sales": sales,
            "orders": orders, "units": units, "sales_clicks": _clicks_only(sales),
            "orders_clicks": orders_clicks, "units_clicks": units_clicks,
            "new_to_brand_orders": orders // 2, "new_to_brand_sales": _clicks_only(sales, 0.5),
            "new_to_brand_units": units // 2, "new_to_brand_orders_clicks": orders_clicks // 2,
            "new_to_brand_sales_clicks": _clicks_only(_clicks_only(sales), 0.5),
            "new_to_brand_units_clicks": units_clicks // 2, "detail_page_views": clicks * 3,
            "branded_searches": clicks // 4, "video_complete_views": impressions // 50,
            "five_second_views": impressions // 20}


@functools.cache
def brand_records(code) -> dict:
    """Derived records of the SB/SD kinds and the Brand Analytics weeks of one marketplace.

    Returns
    -------
    dict
        SB/SD kind -> list of dict (canonical fields, plus ``keyword_text`` /
        ``targeting_text``: the v3 fields a targeting row has one of); ``sqp`` -> list of
        dict (one per week, ASIN and search query), ``search_terms`` -> list of dict (one
        per week, search term and click-share rank), ``weeks`` -> [(Sunday, Saturday)].
    """
    campaigns = oio.read_report(_one(SAMPLE / code, "Sponsored_Products_Campaign_report_*"),
                                code)
    products = oio.read_report(
        _one(SAMPLE / code, "Sponsored_Products_Advertised_product_report_*"), code)
    with open(SAMPLE / code / "product_master.csv", encoding="utf-8-sig") as handle:
        prices = {row["asin"]: float(row["price"]) for row in csv.DictReader(handle)}
    records = {kind: [] for kind in _SBSD_FILES}
    for row in campaigns.to_dict("records"):
        day = f"{row['date']:%Y-%m-%d}"
        for kind, prefix in (("sb_campaign", "SB"), ("sd_campaign", "SD")):
            auto = "Auto" in row["campaign_name"]
            records[kind].append({
                "date": day, "campaign_name": row["campaign_name"].replace("SP", prefix, 1),
                "status": row["status"], "budget": round(float(row["budget"]), 2),
                "currency": row["currency"],
                "cost_type": "VCPM" if kind == "sd_campaign" and auto else "CPC",
                **_brand_metrics(row)})
    for row in products.to_dict("records"):
        day = f"{row['date']:%Y-%m-%d}"
        match = _MATCH.get(row["campaign_name"].rsplit(" - ", 1)[-1])
        keyword = re.sub(r"[\s–-]*\d+$", "", row["ad_group_name"]).lower()
        target = f'asin="{row["advertised_asin"]}"'
        common = {"date": day, "ad_group_name": row["ad_group_name"],
                  "currency": row["currency"], **_brand_metrics(row)}
        sb = row["campaign_name"].replace("SP", "SB", 1)
        sd = row["campaign_name"].replace("SP", "SD", 1)
        targeting = keyword if match else target
        texts = {"keyword_text": keyword} if match else {"targeting_text": target}
        records["sb_keyword"].append(common | texts | {
            "campaign_name": sb, "targeting": targeting,
            "match_type": match or "TARGETING_EXPRESSION", "cost_type": "CPC"})
        records["sb_search_term"].append(common | {
            "campaign_name": sb, "keyword_text": keyword if match else None,
            "targeting": keyword if match else None, "match_type": match or "-",
            "customer_search_term": keyword if match else row["advertised_asin"].lower(),
            "cost_type": "CPC"})
        records["sd_targeting"].append(common | {"campaign_name": sd, "targeting": target})
        records["sd_advertised_product"].append(common | {
            "campaign_name": sd, "advertised_sku": row["advertised_sku"],
            "advertised_asin": row["advertised_asin"], "bid_optimization": "clicks"})
    records.update(_brand_analytics(products, prices))
    return records


def _weeks(first, last):
    sunday = first + datetime.timedelta(days=(6 - first.weekday()) % 7)
    weeks = []
    while sunday + datetime.timedelta(days=6) <= last:
        weeks.append((sunday, sunday + datetime.timedelta(days=6)))
        sunday += datetime.timedelta(days=7)
    return weeks


def _brand_analytics(products, prices) -> dict:
    """Search Query Performance and Search Terms records, week by week: the search queries
    are the keywords of the ad groups, their volumes made from the ads' counts."""
    products = products.assign(
        keyword=products["ad_group_name"].str.replace(r"[\s–-]*\d+$", "", regex=True)
        .str.lower())
    weeks = _weeks(products["date"].min().date(), products["date"].max().date())
    sqp, terms = [], []
    for first, last in weeks:
        week = products[(products["date"] >= pd.Timestamp(first))
                        & (products["date"] <= pd.Timestamp(last))]
        sums = week.groupby(["advertised_asin", "keyword"])[
            ["impressions", "clicks", "orders"]].sum().reset_index()
        for asin, rows in sums.groupby("advertised_asin"):
            rows = rows.sort_values(["impressions", "keyword"], ascending=[False, True])
            for score, row in enumerate(rows.to_dict("records"), start=1):
                own = {"Impression": int(row["impressions"]), "Click": int(row["clicks"])}
                own["CartAdd"] = own["Click"] // 2
                volume = own["Impression"] * 3 + 100
                total = {"Impression": volume * 4, "Click": own["Click"] * 5 + 10}
                total["CartAdd"] = total["Click"] // 2 + 1
                total["Purchase"] = total["CartAdd"] // 2 + 1
                own["Purchase"] = min(int(row["orders"]), total["Purchase"])
                sqp.append({"week": (first, last), "asin": asin, "query": row["keyword"],
                            "score": score, "volume": volume, "own": own, "total": total,
                            "price": prices.get(asin), "median": 24.99})
        by_term = week.groupby(["keyword", "advertised_asin"])[
            ["impressions", "clicks", "orders"]].sum().reset_index()
        order = by_term.groupby("keyword")["impressions"].sum().sort_values(
            ascending=False, kind="stable")
        for rank, term in enumerate(order.index, start=1):
            rows = by_term[by_term["keyword"] == term].sort_values(
                ["clicks", "advertised_asin"], ascending=[False, True]).head(3)
            clicks, orders = int(rows["clicks"].sum()), int(rows["orders"].sum())
            for position, row in enumerate(rows.to_dict("records"), start=1):
                terms.append({"week": (first, last), "term": term, "rank": rank,
                              "position": position, "asin": row["advertised_asin"],
                              "click_bp": int(row["clicks"]) * 10000 // (2 * clicks + 1),
                              "conversion_bp": int(row["orders"]) * 10000 // (2 * orders + 1)})
    return {"sqp": sqp, "search_terms": terms, "weeks": weeks}


def _bp(count, total) -> int:
    """count / total in basis points (whole numbers: the same value in JSON and text)."""
    return count * 10000 // total


def sqp_item(record) -> dict:
    """A ``dataByAsin`` item of the Search Query Performance JSON."""
    first, last = record["week"]
    item = {"startDate": f"{first:%Y-%m-%d}", "endDate": f"{last:%Y-%m-%d}",
            "asin": record["asin"],
            "searchQueryData": {"searchQuery": record["query"],
                                "searchQueryScore": record["score"],
                                "searchQueryVolume": record["volume"]}}
    for section, word, _ in _SQP_STAGES:
        own, total = record["own"][word], record["total"][word]
        data = {f"asin{word}Count": own, f"asin{word}Share": _bp(own, total) / 10000}
        if word == "Impression":
            data["totalQueryImpressionCount"] = total
        else:
            data |= {f"total{word}Count": total,
                     f"total{word}Rate": _bp(total, record["volume"]) / 10000,
                     f"totalMedian{word}Price": {"amount": record["median"],
                                                 "currencyCode": "USD"},
                     f"asinMedian{word}Price": {"amount": record["price"],
                                                "currencyCode": "USD"},
                     f"totalSameDayShipping{word}Count": total // 10,
                     f"totalOneDayShipping{word}Count": total // 4,
                     f"totalTwoDayShipping{word}Count": total // 2}
        item[section] = data
    return item


def search_terms_item(record) -> dict:
    """A ``dataByDepartmentAndSearchTerm`` item of the Search Terms JSON."""
    return {"departmentName": "Amazon.com", "searchTerm": record["term"],
            "searchFrequencyRank": record["rank"], "clickedAsin": record["asin"],
            "clickShareRank": record["position"], "clickShare": record["click_bp"] / 10000,
            "conversionShare": record["conversion_bp"] / 10000}


def _console_value(value, style) -> str:
    if value is None:
        return ""
    if style == "date":
        return f"{datetime.date.fromisoformat(value):%b %d, %Y}"
    if style == "money":
        return f"${value:,.2f}"
    if style == "count":
        return f"{value:,}"
    return str(value)


def write_hand_saved(code, folder: Path, kinds=None) -> list:
    """Write the derived documents as a person saves them from the Ads console and Seller
    Central (SB/SD: one file per kind over all days; Brand Analytics: one file per week, and
    per ASIN for Search Query Performance). Returns the paths written."""
    records = brand_records(code)
    folder.mkdir(parents=True, exist_ok=True)
    kinds = set(kinds or [*_SBSD_FILES, "sqp_asin", "top_search_terms"])
    paths = []
    for kind, stem in _SBSD_FILES.items():
        if kind not in kinds:
            continue
        rows = records[kind]
        given = {ADS_V3[t]["fields"][c] for t in ADS_V3 if ADS_V3[t]["source"] == kind
                 for c in ADS_V3[t]["fields"]} | {"targeting"}
        fields = ["date", "portfolio_name", *[f for f in _CONSOLE if f in given and
                                                 f in rows[0] and f != "date"], "ctr"]
        days = sorted(row["date"] for row in rows)
        path = folder / f"{stem}_{days[0]}_{days[-1]}.csv"
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([_CONSOLE[f][0] for f in fields])
        for row in rows:
            row = row | {"portfolio_name": "Not grouped",
                         "ctr": f"{row['clicks'] / row['impressions']:.4%}"
                         if row["impressions"] else ""}
            writer.writerow([row[f] if f == "ctr" else _console_value(row.get(f),
                                                                       _CONSOLE[f][1])
                             for f in fields])
        path.write_bytes(("\ufeff" + out.getvalue()).encode("utf-8"))
        paths.append(path)
    if "sqp_asin" in kinds:
        paths += _write_sqp(records["sqp"], folder)
    if "top_search_terms" in kinds:
        paths += _write_search_terms(records["search_terms"], folder)
    return paths


def _week_line(first, last) -> str:
    return f'Reporting Range=["Weekly"],Select week=["Week {first:%U} | {first:%Y-%m-%d} - ' \
           f'{last:%Y-%m-%d} {last:%Y}"]'


def _write_sqp(records, folder) -> list:
    header = ["Search Query", "Search Query Score", "Search Query Volume"]
    for _, word, title in _SQP_STAGES:
        header += [f"{title}: Total Count"]
        if word != "Impression":
            header += [f"{title}: {_RATE[word]}"]
        header += [f"{title}: ASIN Count", f"{title}: ASIN Share %"]
        if word != "Impression":
            header += [f"{title}: Price (Median)", f"{title}: ASIN Price (Median)",
                       f"{title}: Same Day Shipping Speed", f"{title}: 1D Shipping Speed",
                       f"{title}: 2D Shipping Speed"]
    header.append("Reporting Date")
    files = {}
    for record in records:
        files.setdefault((record["week"], record["asin"]), []).append(record)
    paths = []
    for ((first, last), asin), rows in files.items():
        out = io.StringIO()
        out.write(f'ASIN or Product=["{asin}"],{_week_line(first, last)}\n')
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for record in rows:
            cells = [record["query"], record["score"], f"{record['volume']:,}"]
            for _, word, _ in _SQP_STAGES:
                own, total = record["own"][word], record["total"][word]
                cells.append(f"{total:,}")
                if word != "Impression":
                    cells.append(f"{_bp(total, record['volume']) / 100:.2f}")
                cells += [f"{own:,}", f"{_bp(own, total) / 100:.2f}"]
                if word != "Impression":
                    cells += [f"${record['median']:.2f}",
                              "" if record["price"] is None else f"${record['price']:.2f}",
                              total // 10, total // 4, total // 2]
            cells.append(f"{last:%Y-%m-%d}")
            writer.writerow(cells)
        path = folder / f"SQP_ASIN_View_Simple_Week_{asin}_{first}.csv"
        path.write_bytes(("\ufeff" + out.getvalue()).encode("utf-8"))
        paths.append(path)
    return paths


def _write_search_terms(records, folder) -> list:
    weeks = {}
    for record in records:
        weeks.setdefault(record["week"], {}).setdefault(
            (record["term"], record["rank"]), []).append(record)
    paths = []
    for (first, last), terms in weeks.items():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(['Reporting Range=["Weekly"]',
                         f'Select week=["Week {first:%U} | {first:%Y-%m-%d} - '
                         f'{last:%Y-%m-%d} {last:%Y}"]', "", "", ""])
        header = ["Department", "Search Term", "Search Frequency Rank"]
        for position in (1, 2, 3):
            header += [f"#{position} Clicked ASIN", f"#{position} Click Share",
                       f"#{position} Conversion Share"]
        writer.writerow(header + ["Reporting Date"])
        for (term, rank), rows in terms.items():
            cells = ["Amazon.com", term, rank]
            for position in (1, 2, 3):
                row = next((r for r in rows if r["position"] == position), None)
                cells += ["", "", ""] if row is None else [
                    row["asin"], f"{row['click_bp'] / 100:.2f}%",
                    f"{row['conversion_bp'] / 100:.2f}%"]
            writer.writerow(cells + [f"{last:%m/%d/%Y}"])
        path = folder / f"Top_Search_Terms_Simple_Week_{first}.csv"
        path.write_bytes(out.getvalue().encode("utf-8"))
        paths.append(path)
    return paths


def _configuration_problem(configuration) -> str | None:
    """Why Amazon would refuse an SB/SD report configuration (None: accepted)."""
    documented = ADS_V3.get(configuration["reportTypeId"])
    if documented is None:
        return None  # Sponsored Products: served as before
    if configuration["adProduct"] != documented["adProduct"]:
        return f"adProduct {configuration['adProduct']} is not valid for this report type"
    if configuration["groupBy"] != documented["groupBy"]:
        return f"groupBy {configuration['groupBy']} is not valid for this report type"
    unknown = [c for c in configuration["columns"] if c not in documented["fields"]]
    if unknown:
        return f"invalid columns {unknown} for report type {configuration['reportTypeId']}"
    return None


@functools.cache
def brand_ads_json(code, report_type, columns, start, end) -> bytes:
    """The v3 rows of a derived SB/SD report: the columns asked for, days start..end."""
    fields = ADS_V3[report_type]["fields"]
    rows = []
    for record in brand_records(code)[ADS_V3[report_type]["source"]]:
        if start <= record["date"] <= end:
            rows.append({column: record[fields[column]] for column in columns
                         if record.get(fields[column]) is not None})
    return json.dumps(rows).encode()


class FakeAmazon:
    """The server; use as a context manager. ``url`` is its base address."""

    def __init__(self, fatal_types=(), ready_after_polls=2, rate_limit=None):
        self.fatal_types = set(fatal_types)
        self.ready_after_polls, self.rate_limit = ready_after_polls, rate_limit
        self.faults = defaultdict(list)
        self.calls = Counter()
        self.creates = Counter()
        self.tokens = {}
        self.reports, self.documents = {}, {}
        self.ids = itertools.count(50001)
        self.sqp_asin_options = []  # the asin option of every SQP report made
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        # a short poll interval: shutdown() waits up to one interval (0.5 s by default)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,),
                                       daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def endpoints(self) -> dict:
        return {"token": f"{self.url}/auth/o2/token", "sp_api": self.url, "ads_api": self.url}

    def fail(self, operation, fault, times=1) -> None:
        self.faults[operation].extend([fault] * times)

    def fault(self, operation):
        with self.lock:
            self.calls[operation] += 1
            queue = self.faults[operation]
            return queue.pop(0) if queue else None

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens = dict.fromkeys(self.tokens, False)

    # --- content --------------------------------------------------------------------------
    def sp_document(self, body):
        code = marketplaces.by_marketplace_id(body["marketplaceIds"][0]).code
        report_type = body["reportType"]
        if report_type == "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL":
            return all_orders_slice(code, body["dataStartTime"], body["dataEndTime"])
        if report_type == "GET_SALES_AND_TRAFFIC_REPORT":
            path = SAMPLE / code / (f"GET_SALES_AND_TRAFFIC_REPORT_{body['dataStartTime'][:10]}"
                                    f"_{body['dataEndTime'][:10]}.json")
            return path.read_bytes() if path.is_file() else None
        if report_type not in _SNAPSHOT_FILES:
            return None  # no such document in the sample world
        return _one(SAMPLE / code, _SNAPSHOT_FILES[report_type]).read_bytes()

    def ads_document(self, code, body):
        configuration = body["configuration"]
        assert configuration["format"] == "GZIP_JSON" and configuration["timeUnit"] == "DAILY"
        if configuration["reportTypeId"] in ADS_V3:
            return brand_ads_json(code, configuration["reportTypeId"],
                                  tuple(configuration["columns"]), body["startDate"],
                                  body["endDate"])
        return ads_json(code, configuration["reportTypeId"], body["startDate"], body["endDate"])

    def brand_analytics_document(self, code, body):
        """The Brand Analytics JSON, or (None, error text) when Amazon would end it FATAL."""
        options = body.get("reportOptions") or {}
        first = datetime.date.fromisoformat(body["dataStartTime"][:10])
        last = datetime.date.fromisoformat(body["dataEndTime"][:10])
        if options.get("reportPeriod") != "WEEK" or first.weekday() != 6 or \
                last != first + datetime.timedelta(days=6):
            return None, "dataStartTime must be a Sunday and dataEndTime the Saturday after " \
                         "it for the WEEK reportPeriod"
        records = brand_records(code)
        specification = {"reportType": body["reportType"], "reportOptions": options,
                         "dataStartTime": f"{first}", "dataEndTime": f"{last}",
                         "marketplaceIds": body["marketplaceIds"]}
        if body["reportType"] == "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT":
            items = [search_terms_item(r) for r in records["search_terms"]
                     if r["week"] == (first, last)]
            return json.dumps({"reportSpecification": specification,
                               "dataByDepartmentAndSearchTerm": items}).encode(), None
        asins = str(options.get("asin") or "")
        if not asins or len(asins) > 200:
            return None, "reportOptions.asin must name 1 to 200 characters of ASINs"
        self.sqp_asin_options.append(asins)
        wanted = set(asins.split())
        items = [sqp_item(r) for r in records["sqp"] if r["week"] == (first, last)
                 and r["asin"] in wanted]
        return json.dumps({"reportSpecification": specification, "dataByAsin": items}).encode(), \
            None


def _handler(fake: FakeAmazon):
    class Handler(BaseHTTPRequestHandler):
        # headers and body leave in two writes: with Nagle on, the body waits for the client's
        # delayed ACK (~40 ms a request), which made the pull tests slow
        disable_nagle_algorithm = True

        def log_message(self, *args):  # keep test output quiet
            pass

        def reply(self, status, document=None, headers=None, raw=None):
            data = raw if raw is not None else json.dumps(document or {}).encode()
            if fake.rate_limit is not None and raw is None:
                headers = {"x-amzn-RateLimit-Limit": str(fake.rate_limit)} | (headers or {})
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_POST(self):
            self.route("POST")

        def do_GET(self):
            self.route("GET")

        def route(self, method):
            path = urllib.parse.urlsplit(self.path).path
            if path == "/auth/o2/token":
                return self.token(self.body())
            if path.startswith("/download/"):
                return self.download(path.rsplit("/", 1)[1])
            if path.startswith("/reports/2021-06-30/"):
                return self.sp(method, path)
            if path.startswith("/reporting/reports"):
                return self.ads(method, path)
            return self.reply(404, {"errors": [{"code": "NotFound", "message": path}]})

        def injected(self, operation):
            fault = fake.fault(operation)
            if fault == "429":
                self.reply(429, {"errors": [{"code": "QuotaExceeded", "message": "You exceeded "
                                 "your quota for the requested resource."}]},
                           {"Retry-After": "3", "x-amzn-RateLimit-Limit": "0.5"})
                return True
            if fault == "500":
                self.reply(500, {"errors": [{"code": "InternalFailure", "message": "We "
                                 "encountered an internal error. Please try again."}]})
                return True
            if fault == "expire":
                fake.expire_tokens()
            return False

        def token(self, body):
            if self.injected("token"):
                return None
            form = dict(urllib.parse.parse_qsl(body.decode()))
            pairs = {(SECRETS["sp_client_id"], SECRETS["sp_client_secret"],
                      SECRETS["sp_refresh_token"]),
                     (SECRETS["ads_client_id"], SECRETS["ads_client_secret"],
                      SECRETS["ads_refresh_token"])}
            if form.get("grant_type") != "refresh_token" or (
                    form.get("client_id"), form.get("client_secret"),
                    form.get("refresh_token")) not in pairs:
                return self.reply(400, {"error": "invalid_grant", "error_description":
                                        "The request has an invalid grant parameter"})
            token = f"Atza|access{next(fake.ids)}"
            with fake.lock:
                fake.tokens[token] = True
            return self.reply(200, {"access_token": token, "token_type": "bearer",
                                    "expires_in": 3600, "refresh_token": form["refresh_token"]})

        def authorised(self, token) -> bool:
            if fake.tokens.get(token):
                return True
            self.reply(403, {"errors": [{"code": "Unauthorized", "message": "The access token "
                             "you provided has expired.", "details": ""}]})
            return False

        def sp(self, method, path):
            operation = {("POST", "reports"): "createReport", ("GET", "reports"): "getReport",
                         ("GET", "documents"): "getReportDocument"}[(method,
                                                                     path.split("/")[3])]
            if self.injected(operation) or not self.authorised(
                    self.headers.get("x-amz-access-token")):
                return None
            if operation == "createReport":
                body = json.loads(self.body())
                report_id = str(next(fake.ids))
                key = ("sp_api", body["reportType"], body["marketplaceIds"][0],
                       body.get("dataStartTime"), body.get("dataEndTime"),
                       (body.get("reportOptions") or {}).get("asin"))
                fake.creates[key] += 1
                fake.reports[report_id] = {"body": body, "polls": 0}
                return self.reply(202, {"reportId": report_id})
            if operation == "getReport":
                report_id = path.rsplit("/", 1)[1]
                report = fake.reports[report_id]
                report["polls"] += 1
                answer = {"reportId": report_id, "reportType": report["body"]["reportType"],
                          "processingStatus": "IN_PROGRESS"}
                if report["polls"] >= fake.ready_after_polls:
                    answer |= self.outcome(report)
                return self.reply(200, answer)
            document_id = path.rsplit("/", 1)[1]
            return self.reply(200, {"reportDocumentId": document_id,
                                    "url": f"{fake.url}/download/{document_id}?X-Amz-Signature=x",
                                    "compressionAlgorithm": "GZIP"})

        def outcome(self, report):
            body = report["body"]
            if body["reportType"] in fake.fatal_types:
                status, data = "FATAL", json.dumps({"errorDetails": "Report processing failed: "
                                                    "the selling partner is not eligible for "
                                                    "this report type."}).encode()
            elif body["reportType"].startswith("GET_BRAND_ANALYTICS_"):
                code = marketplaces.by_marketplace_id(body["marketplaceIds"][0]).code
                data, error = fake.brand_analytics_document(code, body)
                status = "DONE"
                if error is not None:
                    status, data = "FATAL", json.dumps({"errorDetails": error}).encode()
            else:
                data = fake.sp_document(body)
                status = "CANCELLED" if data is None else "DONE"
            answer = {"processingStatus": status}
            if data is not None:
                document_id = f"amzn1.spdoc.1.4.na.{next(fake.ids)}"
                fake.documents[document_id] = gzipped(data)
                answer["reportDocumentId"] = document_id
            return answer

        def ads(self, method, path):
            operation = "adsCreateReport" if method == "POST" else "adsGetReport"
            if self.injected(operation):
                return None
            bearer = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            if not self.authorised(bearer):
                return None
            if self.headers.get("Amazon-Advertising-API-ClientId") != SECRETS["ads_client_id"]:
                return self.reply(401, {"code": "UNAUTHORIZED", "details": "bad client id"})
            profile = self.headers.get("Amazon-Advertising-API-Scope")
            codes = {v: k for k, v in PROFILES.items()}
            if profile not in codes:
                return self.reply(400, {"code": "400", "details": "invalid profile"})
            if method == "POST":
                assert self.headers.get("Content-Type") == \
                    "application/vnd.createasyncreportrequest.v3+json"
                body = json.loads(self.body())
                problem = _configuration_problem(body["configuration"])
                if problem:
                    return self.reply(400, {"code": "400", "details": problem})
                report_id = f"{next(fake.ids):08x}-aaaa-bbbb-cccc-000000000000"
                key = ("ads_api", body["configuration"]["reportTypeId"], profile,
                       body["startDate"], body["endDate"])
                fake.creates[key] += 1
                fake.reports[report_id] = {"code": codes[profile], "body": body, "polls": 0}
                return self.reply(200, {"reportId": report_id, "status": "PENDING"})
            report_id = path.rsplit("/", 1)[1]
            report = fake.reports[report_id]
            report["polls"] += 1
            if report["polls"] < fake.ready_after_polls:
                return self.reply(200, {"reportId": report_id, "status": "PROCESSING"})
            report_type = report["body"]["configuration"]["reportTypeId"]
            if report_type in fake.fatal_types or report_type not in (*_ADS_SOURCES, *ADS_V3):
                return self.reply(200, {"reportId": report_id, "status": "FAILED",
                                        "failureReason": "Report generation failed."})
            fake.documents[report_id] = gzipped(fake.ads_document(report["code"],
                                                                  report["body"]))
            return self.reply(200, {"reportId": report_id, "status": "COMPLETED",
                                    "url": f"{fake.url}/download/{report_id}?X-Amz-Signature=y"})

        def download(self, document_id):
            if self.injected("download"):
                return None
            data = fake.documents[document_id]
            fault = fake.fault("truncate")
            if fault:
                data = data[: len(data) // 2]
            return self.reply(200, raw=data)

    return Handler

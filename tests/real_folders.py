"""Seller folders built from the real exports in ``../shared/amazon-report-samples``.

A seller drops what Amazon gives into one folder per marketplace, under Amazon's own file names:
report ids for flat files, ``BusinessReport-<date>.csv``, the Ads console's "Sponsored Products
... report.xlsx". The folders below are built that way in a temporary directory (the real files
are never copied into the project):

- ``US``: orders in two overlapping downloads, Manage FBA Inventory, Restock, FBA and MFN returns,
  inventory age/health, excess inventory, a Business Report by date in weeks (the daily download
  summed per Sunday-Saturday week, as Seller Central's "week" view gives it) and by ASIN (period
  from ``periods.yaml``), every Sponsored Products report, and one file of a kind no reader knows;
- ``UK``: only a Business Report by child ASIN, named with the one day it covers;
- ``ads_only`` root, ``UK``: only a Sponsored Products search-term report.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

US_FILES = {
    "xvr_us_manage_fba_inventory_2020_cp1252.csv": "FBA_MYI_UNSUPPRESSED_INVENTORY_20200128.csv",
    "xvr_us_restock_2019_cp1252.csv": "Restock_Inventory_Report_11-20-2019.csv",
    "xvr_us_fba_returns_2020_cp1252.csv": "FBA Customer Returns 20838424571018.csv",
    "xvr_us_mfn_returns_2019.tsv": "20723301823018.txt",
    "xvr_us_inventory_age_2019_cp1252.csv": "Inventory_Age_20191120.csv",
    "xvr_us_inventory_health_2019_cp1252.csv": "FBA_Inventory_Health_20191120.csv",
    "xvr_us_excess_inventory_2019_cp1252.csv": "Excess_Inventory_20191120.csv",
    "xvr_us_br_child_asin_2019.csv": "BusinessReport-11-20-19.csv",
    "xvr_us_sp_search_term_2019.xlsx": "Sponsored Products Search term report.xlsx",
    "xvr_us_sp_targeting_2019.xlsx": "Sponsored Products Targeting report.xlsx",
    "xvr_us_sp_advertised_product_daily_2019.xlsx": "Sponsored Products Advertised product report.xlsx",
    "xvr_us_sp_placement_daily_2019.xlsx": "Sponsored Products Placement report.xlsx",
    "xvr_us_sp_purchased_product_2019.xlsx": "Sponsored Products Purchased product report.xlsx",
    "xvr_us_sp_performance_over_time_2019.xlsx": "Sponsored Products Performance Over Time report.xlsx",
    "xvr_us_sp_campaign_daily_2019.csv": "Sponsored_Products_Campaign_report.csv",
}
US_BY_ASIN_PERIOD = ("2019-11-01", "2019-11-20")
# A download of a kind no reader knows (Amazon's FBA Reimbursements report), as Amazon writes it.
UNKNOWN_KIND = ("Reimbursements_20200128.txt",
                "approval-date\treimbursement-id\tcase-id\tamazon-order-id\treason\tsku\tfnsku\t"
                "asin\tproduct-name\tcondition\tcurrency-unit\tamount-per-unit\tamount-total\t"
                "quantity-reimbursed-cash\tquantity-reimbursed-inventory\t"
                "quantity-reimbursed-total\r\n"
                "2020-01-20T08:00:00+00:00\t5468213847\t\t\tLost_Warehouse\t1-wm-18\tX001ABCDEF\t"
                "B07JGCH5CC\tKitchen mat\tNew\tUSD\t14.50\t14.50\t1\t0\t1\r\n")
# Amazon's Stranded Inventory report (read since issue 19): one SKU, 12 units at 29.99.
STRANDED = ("Stranded_Inventory_20200128.txt",
            "primary-action\tdate-stranded\tdate-classified-as-unsellable\tstatus-primary\t"
            "status-secondary\terror-message\tstranded-reason\tasin\tsku\tfnsku\tproduct-name\t"
            "condition\tfulfilled-by\tfulfillable-qty\tyour-price\tunfulfillable-qty\t"
            "reserved-quantity\tinbound-shipped-qty\r\n"
            "Fix listing\t2020-01-20T08:00:00+00:00\t\tStranded\t\t\tNo listing\tB07JGCH5CC\t"
            "1-wm-18\tX001ABCDEF\tKitchen mat\tNew\tAmazon\t12\t29.99\t0\t0\t0\r\n")


def _split_orders(source: Path, folder: Path) -> None:
    """The All Orders file as two downloads whose periods overlap by a few days."""
    raw = source.read_bytes()
    lines = raw.split(b"\r\n")
    header, rows = lines[0], [line for line in lines[1:] if line]
    rows.sort(key=lambda line: line.split(b"\t")[2])  # purchase-date
    first, second = rows[: 2 * len(rows) // 3], rows[len(rows) // 3:]
    for name, part in (("20358441297018.txt", first), ("20412230915018.txt", second)):
        (folder / name).write_bytes(b"\r\n".join([header, *part]) + b"\r\n")


def _weekly_business_report(source: Path, target: Path) -> None:
    """The daily Business Report by date summed to Sunday-Saturday weeks (the "week" view)."""
    import pandas as pd

    text = source.read_text(encoding="utf-8-sig")
    frame = pd.read_csv(io.StringIO(text), dtype=str)
    dates = pd.to_datetime(frame["Date"], format="%m/%d/%Y")
    week = dates - pd.to_timedelta((dates.dt.day_of_week + 1) % 7, unit="D")
    money = frame["Ordered Product Sales"].str.replace(r"[$,]", "", regex=True).astype(float)
    counts = {c: frame[c].str.replace(",", "").astype(int)
              for c in ("Units Ordered", "Total Order Items", "Page Views", "Sessions")}
    grouped = pd.DataFrame({"week": week, "sales": money, **counts}).groupby("week").sum()
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(["Date", "Ordered Product Sales", "Units Ordered", "Total Order Items",
                     "Page Views", "Sessions", "Unit Session Percentage"])
    for start, row in grouped.iterrows():
        rate = row["Units Ordered"] / row["Sessions"] if row["Sessions"] else 0.0
        writer.writerow([f"{start:%m/%d/%Y}", f"${row['sales']:,.2f}", int(row["Units Ordered"]),
                         int(row["Total Order Items"]), int(row["Page Views"]),
                         int(row["Sessions"]), f"{rate:.2%}"])
    target.write_text(out.getvalue(), encoding="utf-8-sig")


def build_seller_folders(samples: Path, root: Path) -> dict[str, Path]:
    """Write the seller folders described in the module docstring under ``root``.

    Returns
    -------
    dict
        ``{"main": <data dir with US and UK>, "ads_only": <data dir with UK ads only>}``.
    """
    main, ads_only = root / "downloads", root / "ads_only"
    us, uk, uk_ads = main / "US", main / "UK", ads_only / "UK"
    for folder in (us, uk, uk_ads):
        folder.mkdir(parents=True)
    for source, name in US_FILES.items():
        shutil.copyfile(samples / source, us / name)
    _split_orders(samples / "xvr_us_all_orders_2020.txt", us)
    _weekly_business_report(samples / "xvr_us_br_by_date_daily_2019.csv",
                            us / "BusinessReport-12-01-19.csv")
    (us / "periods.yaml").write_text(
        f'"BusinessReport-11-20-19.csv": ["{US_BY_ASIN_PERIOD[0]}", "{US_BY_ASIN_PERIOD[1]}"]\n',
        encoding="utf-8")
    for name, text in (UNKNOWN_KIND, STRANDED):
        (us / name).write_text(text, encoding="utf-8", newline="")
    shutil.copyfile(samples / "fs_uk_br_child_asin_2025-07-23.csv",
                    uk / "BusinessReport_2025-07-23.csv")
    shutil.copyfile(samples / "progami_uk_sp_search_term_2023.xlsx",
                    uk_ads / "Sponsored Products Search term report.xlsx")
    return {"main": main, "ads_only": ads_only}

"""Write a simulated :class:`~opsanalysis.sample.world.World` as Amazon's own report files.

Each writer takes one marketplace's truth frames and writes one report kind in the shape Amazon
(or the seller) produces it, following ``../shared/reference/amazon-report-formats.md``:

- Business Reports: comma CSV, UTF-8 with BOM (JP: cp932), display-formatted numbers in the
  marketplace's conventions (``"$5,216.29"``, ``1.999,55 €``, ``￥1,234``, ``4.51%`` /
  ``4,51%``), localised headers (en-GB en dashes, German, Japanese); by child ASIN one file per
  Sunday–Saturday week named ``BusinessReport_ByASIN_<first day>_<last day>.csv``.
- Flat files (All Orders, inventory, returns, planning, restock): TAB, raw numbers, ISO dates;
  English hyphenated headers, Japanese headers and cp932 in JP; the US Manage FBA Inventory and
  customer returns as the Seller Central ``.csv`` download (Windows-1252, every field quoted).
- Sponsored Products: xlsx (one sheet, 31-character sheet name, true numbers, fractions for rates,
  Excel dates) and the campaign report as CSV.
- SP-API JSON: ``GET_V2_SELLER_PERFORMANCE_REPORT`` (rates as fractions) and, for the US,
  ``GET_SALES_AND_TRAFFIC_REPORT`` (percentages 0–100).
- AU and SG only (``LISTING_MARKETPLACES``): weekly Manage FBA Inventory snapshots and an All
  Listings report (TAB, UTF-8 with BOM), which carry the planted deleted and suppressed listings;
  US, UK, DE and JP keep exactly the files they had.

Every byte is deterministic: gzip members carry mtime 0 and no file name; xlsx files are written
directly as minimal SpreadsheetML (inline strings, one sheet) with fixed zip entry times and
document properties, which is also far faster than building them cell by cell.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from opsanalysis import marketplaces
from opsanalysis.io.schema import header_for
from opsanalysis.sample.world import (
    AD_DAYS,
    AS_OF,
    LISTING_MARKETPLACES,
    SNAPSHOT_WEEKS,
    START,
)

__all__ = ["write_marketplace"]

FIXED_TIME = datetime(2026, 11, 1, 6, 0, 0)
SHEET_NAMES = {
    "sp_search_term": "Sponsored Product Search Term R",
    "sp_targeting": "Sponsored Product Keyword Repor",
    "sp_advertised_product": "Sponsored Product Advertised Pr",
}
# Locale used for each family of file in each marketplace: Seller Central and the Ads console in
# the marketplace language; SP-API flat files in English except JP (Japanese, cp932).
FLAT_LOCALE = {"US": "en-US", "UK": "en-US", "DE": "en-US", "JP": "ja-JP", "AU": "en-US",
               "SG": "en-US"}
SELLER_LOCALE = {"US": "en-US", "UK": "en-US", "DE": "en-US", "JP": "zh-CN", "AU": "en-US",
                 "SG": "en-US"}


# ---------------------------------------------------------------------------------------------
# Value formatting in a marketplace's display conventions


def _group(integer_text: str, separator: str) -> str:
    head = len(integer_text) % 3 or 3
    parts = [integer_text[:head]] + [integer_text[i:i + 3]
                                     for i in range(head, len(integer_text), 3)]
    return separator.join(parts)


def format_number(value, mp, decimals=0) -> str:
    """``1234.5`` -> ``"1,234.50"`` (US) / ``"1.234,50"`` (DE)."""
    market = marketplaces.get(mp)
    negative = value < 0
    text = f"{abs(value):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    out = _group(whole, market.thousands_separator)
    if decimals:
        out += market.decimal_separator + fraction
    return ("-" if negative else "") + out


def format_money(minor: int, mp) -> str:
    """Money from minor units as shown in Business Reports (``$5,216.29``, ``1.999,55 €``)."""
    market = marketplaces.get(mp)
    decimals = 0 if market.currency == "JPY" else 2
    value = minor if decimals == 0 else minor / 100
    number = format_number(value, mp, decimals)
    if market.symbol_position == "suffix":
        return f"{number} {market.currency_symbol}"
    return f"{market.currency_symbol}{number}"


def format_percent(fraction: float, mp) -> str:
    """A fraction as a two-decimal percent string in the marketplace's decimal mark."""
    return format_number(round(fraction * 100, 2), mp, 2) + "%"


def format_date(date, mp) -> str:
    """A calendar date in the marketplace's Seller Central order (``10/31/2026``, ``31.10.2026``)."""
    order = marketplaces.get(mp).date_order
    if mp == "DE":
        return date.strftime("%d.%m.%Y")
    if order == "MDY":
        return date.strftime("%m/%d/%Y")
    if order == "DMY":
        return date.strftime("%d/%m/%Y")
    return date.strftime("%Y/%m/%d")


def _console_date(date, mp) -> str:
    """Ads console CSV dates: ``Oct 31, 2026`` in the US, the marketplace order elsewhere."""
    if mp == "US":
        return f"{date.strftime('%b')} {date.day}, {date.year}"
    return format_date(date, mp)


def _console_money(minor: int, mp) -> str:
    """Ads console CSV money: symbol and plain decimals, no thousands separator (``$3.34``)."""
    market = marketplaces.get(mp)
    if market.currency == "JPY":
        number = str(int(minor))
    else:
        number = f"{minor / 100:.2f}".replace(".", market.decimal_separator)
    if market.symbol_position == "suffix":
        return f"{number} {market.currency_symbol}"
    return f"{market.currency_symbol}{number}"


def _minor(mp) -> int:
    return 1 if marketplaces.get(mp).currency == "JPY" else 100


def _plain_money(minor, mp) -> str:
    """Raw flat-file money (``59.99``; yen as whole numbers)."""
    return str(int(minor)) if _minor(mp) == 1 else f"{minor / 100:.2f}"


def _iso(stamps: pd.Series) -> pd.Series:
    """ISO-8601 timestamps in UTC with an explicit offset, as flat files write them."""
    return stamps.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")


# ---------------------------------------------------------------------------------------------
# Low-level file writers


def _encoding(mp, bom=True) -> str:
    if mp == "JP":
        return "cp932"
    return "utf-8-sig" if bom else "utf-8"


def _csv_bytes(header, rows, *, delimiter=",", quoting=csv.QUOTE_MINIMAL, newline="\n"):
    if quoting == csv.QUOTE_NONE:  # flat files: plain TAB-joined cells, quotes kept as they are
        lines = [delimiter.join(header)]
        lines += [delimiter.join(row) for row in rows]
        text = newline.join(lines) + newline
        if any(ch in text.replace(newline, "") for ch in "\r\n"):
            raise ValueError("a flat-file cell holds a line break")
        return text
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _write_text(path: Path, text: str, encoding: str, compress=False) -> Path:
    data = text.encode(encoding)
    if compress:
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as handle:
            handle.write(data)
        data = buffer.getvalue()
        path = path.with_name(path.name + ".gz")
    path.write_bytes(data)
    return path


def _headers(kind, columns, locale, **options):
    return [header_for(kind, column, locale, **options) for column in columns]


_XLSX_STATIC = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/></Relationships>'),
}
# Cell styles: 0 general, 1 date, 2 rate (0.0000%), 3 money, 4 ratio (0.00), 5 ACOS (0.00%).
_STYLE_OF = {"date": 1, "start_date": 1, "end_date": 1, "ctr": 2, "conversion_rate": 2,
             "cpc": 3, "spend": 3, "sales": 3, "advertised_sku_sales": 3,
             "other_sku_sales": 3, "roas": 4, "acos": 5}
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _styles_xml(money_format: str) -> str:
    money = money_format.replace('"', "&quot;")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="3"><numFmt numFmtId="164" formatCode="MMM dd, yyyy"/>'
        '<numFmt numFmtId="165" formatCode="0.0000%"/>'
        f'<numFmt numFmtId="166" formatCode="{money}"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="6">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '</cellXfs></styleSheet>')


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _cell_xml(ref, value, style) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_escape(value)}</t></is></c>'
    if isinstance(value, pd.Timestamp):
        value = (value - _EXCEL_EPOCH).days
    attribute = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{attribute}><v>{repr(float(value)) if isinstance(value, float) else int(value)}</v></c>'


def _xlsx_bytes(sheet_name, header, columns, rows, money_format) -> bytes:
    """A minimal one-sheet xlsx (inline strings), written directly so bytes are reproducible."""
    letters = [_column_letter(i) for i in range(len(columns))]
    styles = [_STYLE_OF.get(c, 0) for c in columns]
    lines = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
             '"http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="A1:{letters[-1]}{len(rows) + 1}"/><sheetData>']
    cells = "".join(_cell_xml(f"{letters[i]}1", text, 0) for i, text in enumerate(header))
    lines.append(f'<row r="1">{cells}</row>')
    for number, row in enumerate(rows, start=2):
        cells = "".join(_cell_xml(f"{letters[i]}{number}", value, styles[i])
                        for i, value in enumerate(row))
        lines.append(f'<row r="{number}">{cells}</row>')
    lines.append("</sheetData></worksheet>")
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = dict(_XLSX_STATIC)
    parts["docProps/core.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms='
        '"http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<dc:creator>Amazon Advertising</dc:creator>'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        '</cp:coreProperties>')
    parts["xl/workbook.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{_escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets>'
        '</workbook>')
    parts["xl/styles.xml"] = _styles_xml(money_format)
    parts["xl/worksheets/sheet1.xml"] = "".join(lines)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in ("[Content_Types].xml", "_rels/.rels", "docProps/core.xml",
                     "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                     "xl/worksheets/sheet1.xml"):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, parts[name].encode("utf-8"))
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Seller files


def write_product_master(world, mp, folder: Path) -> list[Path]:
    """The seller's own product master (CSV, UTF-8 with BOM; JP in Chinese headers)."""
    products = world.frame("products", mp)
    columns = ["sku", "asin", "title", "category", "brand", "parent_asin", "unit_cost",
               "cost_currency", "case_pack", "moq", "production_days", "freight_mode",
               "freight_days", "customs_days", "fba_check_in_days", "launch_date", "price",
               "item_volume_cuft", "item_weight_kg", "storage_type", "fba_fee",
               "referral_fee_rate"]
    table = products[columns].copy()
    table["launch_date"] = table["launch_date"].dt.strftime("%Y-%m-%d")
    for column in ("price", "fba_fee"):
        table[column] = [_plain_money(round(p * _minor(mp)), mp) for p in table[column]]
    rows = table.astype(str).to_numpy().tolist()
    text = _csv_bytes(_headers("product_master", columns, SELLER_LOCALE[mp]), rows)
    return [_write_text(folder / "product_master.csv", text, "utf-8-sig")]


def write_niche(world, mp, folder: Path) -> list[Path]:
    """Market file shaped like Product Opportunity Explorer's niche fields (CSV, UTF-8 BOM)."""
    niche = world.frame("niche", mp)
    columns = list(niche.columns)
    rows = niche.astype(str).to_numpy().tolist()
    text = _csv_bytes(_headers("niche", columns, SELLER_LOCALE[mp]), rows)
    return [_write_text(folder / "market_niches.csv", text, "utf-8-sig")]


# ---------------------------------------------------------------------------------------------
# Orders and returns


ADDRESSES = {
    "US": [("Portland", "OR", "97203"), ("Austin", "TX", "78701"), ("Columbus", "OH", "43215"),
           ("Seattle", "WA", "98101"), ("Miami", "FL", "33101"), ("Denver", "CO", "80202")],
    "UK": [("LONDON", "", "SW1A 1AA"), ("MANCHESTER", "", "M1 1AE"), ("LEEDS", "", "LS1 4AP"),
           ("BRISTOL", "", "BS1 4DJ")],
    "DE": [("Berlin", "", "10115"), ("München", "", "80331"), ("Hamburg", "", "20095"),
           ("Köln", "", "50667")],
    "JP": [("渋谷区", "東京都", "150-0002"), ("大阪市北区", "大阪府", "530-0001"),
           ("名古屋市中区", "愛知県", "460-0008"), ("札幌市中央区", "北海道", "060-0001")],
    "AU": [("SYDNEY", "NSW", "2000"), ("MELBOURNE", "VIC", "3000"), ("BRISBANE", "QLD", "4000"),
           ("PERTH", "WA", "6000")],
    "SG": [("Singapore", "", "018956"), ("Singapore", "", "238859"), ("Singapore", "", "529510"),
           ("Singapore", "", "760123")],
}


def write_all_orders(world, mp, folder: Path) -> list[Path]:
    """All Orders flat file for the whole history (TAB, CRLF, gzip)."""
    orders = world.frame("orders", mp)
    products = world.frame("products", mp).set_index("sku")
    market = marketplaces.get(mp)
    columns = ["amazon_order_id", "merchant_order_id", "purchase_date", "last_updated_date",
               "order_status", "order_item_id", "fulfillment_channel", "sales_channel",
               "order_channel", "url", "ship_service_level", "product_name", "sku", "asin",
               "item_status", "quantity", "currency", "item_price", "item_tax", "shipping_price",
               "shipping_tax", "gift_wrap_price", "gift_wrap_tax", "item_promotion_discount",
               "ship_promotion_discount", "ship_city", "ship_state", "ship_postal_code",
               "ship_country", "promotion_ids", "is_business_order", "purchase_order_number",
               "price_designation"]
    n = len(orders)
    channel = orders["channel"].to_numpy()
    amazon = channel == "amazon"
    cancelled = channel == "cancelled"
    priced = amazon
    zero = _plain_money(0, mp)
    price = np.array([_plain_money(v, mp) for v in orders["item_price_minor"]], dtype=object)
    tax = np.array([_plain_money(v, mp) for v in orders["item_tax_minor"]], dtype=object)
    address = ADDRESSES[mp]
    pick = (orders["order_item_id"].str[-2:].astype(int) % len(address)).to_numpy()
    sales_channel = np.where(channel == "mcf", "Non-Amazon", "Amazon." + market.domain.split(
        "amazon.")[1])
    business = orders["is_business_order"].to_numpy()
    table = {
        "amazon_order_id": orders["amazon_order_id"],
        "merchant_order_id": orders["merchant_order_id"],
        "purchase_date": _iso(orders["purchase_date"]),
        "last_updated_date": _iso(orders["last_updated_date"]),
        "order_status": orders["order_status"],
        "order_item_id": orders["order_item_id"],
        "fulfillment_channel": "Amazon",
        "sales_channel": sales_channel,
        "order_channel": "",
        "url": "",
        "ship_service_level": np.where(business, "Expedited", "Standard"),
        "product_name": orders["sku"].map(products["title"]),
        "sku": orders["sku"],
        "asin": orders["asin"],
        "item_status": orders["item_status"],
        "quantity": np.where(cancelled, 0, orders["quantity"]),
        "currency": np.where(priced, market.currency, ""),
        "item_price": np.where(priced, price, ""),
        "item_tax": np.where(priced, tax, ""),
        "shipping_price": np.where(priced, zero, ""),
        "shipping_tax": np.where(priced, zero, ""),
        "gift_wrap_price": "",
        "gift_wrap_tax": "",
        "item_promotion_discount": np.where(priced, zero, ""),
        "ship_promotion_discount": np.where(priced, zero, ""),
        "ship_city": [address[k][0] for k in pick],
        "ship_state": [address[k][1] for k in pick],
        "ship_postal_code": [address[k][2] for k in pick],
        "ship_country": {"UK": "GB"}.get(mp, mp),
        "promotion_ids": "",
        "is_business_order": np.where(business, "true", "false"),
        "purchase_order_number": np.where(business, [f"PO-{x[-6:]}" for x in
                                                     orders["order_item_id"]], ""),
        "price_designation": np.where(business, "BusinessPrice", ""),
    }
    frame = pd.DataFrame({c: (v if np.ndim(v) else [v] * n) for c, v in table.items()})
    header = _headers("all_orders", columns, FLAT_LOCALE[mp])
    header[-1] = header[-1] + " "  # Amazon's own trailing space on the last header
    text = _csv_bytes(header, frame.astype(str).to_numpy().tolist(), delimiter="\t",
                      quoting=csv.QUOTE_NONE, newline="\r\n")
    name = f"All_Orders_{START:%Y-%m-%d}_{AS_OF:%Y-%m-%d}.txt"
    return [_write_text(folder / name, text, _encoding(mp, bom=False), compress=True)]


def write_returns(world, mp, folder: Path) -> list[Path]:
    """FBA customer returns: US as the Seller Central .csv (cp1252, quoted), else TAB."""
    returns = world.frame("returns", mp)
    columns = ["return_date", "order_id", "sku", "asin", "fnsku", "product_name", "quantity",
               "fulfillment_center_id", "detailed_disposition", "reason", "status",
               "license_plate_number", "customer_comments"]
    table = returns[columns].copy()
    table["return_date"] = _iso(table["return_date"])
    rows = table.astype(str).to_numpy().tolist()
    name = f"FBA_Customer_Returns_{START:%Y-%m-%d}_{AS_OF:%Y-%m-%d}"
    if mp == "US":
        text = _csv_bytes(_headers("fba_returns", columns, "en-US"), rows,
                          quoting=csv.QUOTE_ALL)
        return [_write_text(folder / f"{name}.csv", text, "cp1252")]
    text = _csv_bytes(_headers("fba_returns", columns, FLAT_LOCALE[mp]), rows, delimiter="\t",
                      quoting=csv.QUOTE_NONE, newline="\r\n")
    return [_write_text(folder / f"{name}.txt", text, _encoding(mp, bom=False))]


# ---------------------------------------------------------------------------------------------
# Business Reports


def _weekly_asin(traffic):
    """Traffic and sales per child ASIN and Sunday–Saturday week."""
    week_start = traffic["date"] - pd.to_timedelta((traffic["date"].dt.day_of_week + 1) % 7,
                                                   unit="D")
    sums = ["sessions", "sessions_b2b", "page_views", "page_views_b2b", "buy_box_page_views",
            "units_ordered", "units_b2b", "sales_minor", "sales_b2b_minor", "order_items",
            "order_items_b2b"]
    weekly = (traffic.assign(week=week_start)
              .groupby(["week", "parent_asin", "asin", "sku"], sort=True)[sums].sum()
              .reset_index())
    return weekly


def _asin_rows(block, mp, products):
    """Business Report by child ASIN rows (display formatted) for one period."""
    total_sessions = max(int(block["sessions"].sum()), 1)
    total_sessions_b2b = max(int(block["sessions_b2b"].sum()), 1)
    total_views = max(int(block["page_views"].sum()), 1)
    total_views_b2b = max(int(block["page_views_b2b"].sum()), 1)
    block = block.sort_values(["sessions", "asin"], ascending=[False, True], kind="stable")
    rows = []
    for r in block.itertuples(index=False):
        buy_box = r.buy_box_page_views / r.page_views if r.page_views else 0.0
        rows.append([
            r.parent_asin, r.asin, products.at[r.sku, "title"], r.sku,
            format_number(r.sessions, mp), format_number(r.sessions_b2b, mp),
            format_percent(r.sessions / total_sessions, mp),
            format_percent(r.sessions_b2b / total_sessions_b2b, mp),
            format_number(r.page_views, mp), format_number(r.page_views_b2b, mp),
            format_percent(r.page_views / total_views, mp),
            format_percent(r.page_views_b2b / total_views_b2b, mp),
            format_percent(buy_box, mp), format_percent(1.0 if r.page_views_b2b else 0.0, mp),
            format_number(r.units_ordered, mp), format_number(r.units_b2b, mp),
            format_percent(r.units_ordered / r.sessions if r.sessions else 0.0, mp),
            format_percent(r.units_b2b / r.sessions_b2b if r.sessions_b2b else 0.0, mp),
            format_money(r.sales_minor, mp), format_money(r.sales_b2b_minor, mp),
            format_number(r.order_items, mp), format_number(r.order_items_b2b, mp),
        ])
    return rows


BR_ASIN_COLUMNS = ["parent_asin", "child_asin", "title", "sku", "sessions", "sessions_b2b",
                   "session_percentage", "session_percentage_b2b", "page_views",
                   "page_views_b2b", "page_views_percentage", "page_views_percentage_b2b",
                   "buy_box_percentage", "buy_box_percentage_b2b", "units_ordered",
                   "units_ordered_b2b", "unit_session_percentage", "unit_session_percentage_b2b",
                   "ordered_product_sales", "ordered_product_sales_b2b", "total_order_items",
                   "total_order_items_b2b"]


def write_business_report_asin(world, mp, folder: Path) -> list[Path]:
    """Business Report by child ASIN, one file per Sunday–Saturday week of the history."""
    traffic = world.frame("traffic", mp)
    products = world.frame("products", mp).set_index("sku")
    locale = marketplaces.get(mp).language
    header = _headers("business_report_asin", BR_ASIN_COLUMNS, locale)
    out = []
    for week, block in _weekly_asin(traffic).groupby("week", sort=True):
        end = week + pd.Timedelta(days=6)
        text = _csv_bytes(header, _asin_rows(block, mp, products))
        name = f"BusinessReport_ByASIN_{week:%Y-%m-%d}_{end:%Y-%m-%d}.csv"
        out.append(_write_text(folder / name, text, _encoding(mp)))
    return out


def write_business_report_date(world, mp, folder: Path) -> list[Path]:
    """Business Report by date, daily over the whole history."""
    traffic = world.frame("traffic", mp)
    daily = traffic.groupby("date", sort=True)[
        ["sales_minor", "units_ordered", "order_items", "page_views", "sessions",
         "buy_box_page_views", "sales_b2b_minor", "units_b2b", "order_items_b2b"]].sum()
    active = traffic.groupby("date")["asin"].nunique()
    parents = traffic.groupby("date")["parent_asin"].nunique()
    columns = ["date", "ordered_product_sales", "units_ordered", "total_order_items",
               "page_views", "sessions", "buy_box_percentage", "unit_session_percentage",
               "average_offer_count", "average_parent_items", "ordered_product_sales_b2b",
               "units_ordered_b2b", "total_order_items_b2b"]
    rows = []
    for date, r in daily.iterrows():
        rows.append([
            format_date(date, mp), format_money(r.sales_minor, mp),
            format_number(r.units_ordered, mp), format_number(r.order_items, mp),
            format_number(r.page_views, mp), format_number(r.sessions, mp),
            format_percent(r.buy_box_page_views / r.page_views if r.page_views else 0, mp),
            format_percent(r.units_ordered / r.sessions if r.sessions else 0, mp),
            format_number(active[date], mp), format_number(parents[date], mp),
            format_money(r.sales_b2b_minor, mp), format_number(r.units_b2b, mp),
            format_number(r.order_items_b2b, mp),
        ])
    header = _headers("business_report_date", columns, marketplaces.get(mp).language)
    name = f"BusinessReport_ByDate_{START:%Y-%m-%d}_{AS_OF:%Y-%m-%d}.csv"
    return [_write_text(folder / name, _csv_bytes(header, rows), _encoding(mp))]


def write_sales_and_traffic_json(world, mp, folder: Path) -> list[Path]:
    """SP-API GET_SALES_AND_TRAFFIC_REPORT for the last week (DAY, SKU granularity)."""
    market = marketplaces.get(mp)
    traffic = world.frame("traffic", mp)
    first = AS_OF - pd.Timedelta(days=6)
    week = traffic[traffic["date"] >= first]
    minor = _minor(mp)

    def amount(value):
        return {"amount": round(value / minor, 2), "currencyCode": market.currency}

    def pct(numerator, denominator):
        return round(100 * numerator / denominator, 2) if denominator else 0.0

    by_date = []
    for date, d in week.groupby("date", sort=True):
        by_date.append({
            "date": f"{date:%Y-%m-%d}",
            "salesByDate": {
                "orderedProductSales": amount(d["sales_minor"].sum()),
                "orderedProductSalesB2B": amount(d["sales_b2b_minor"].sum()),
                "unitsOrdered": int(d["units_ordered"].sum()),
                "unitsOrderedB2B": int(d["units_b2b"].sum()),
                "totalOrderItems": int(d["order_items"].sum()),
                "totalOrderItemsB2B": int(d["order_items_b2b"].sum()),
            },
            "trafficByDate": {
                "pageViews": int(d["page_views"].sum()),
                "pageViewsB2B": int(d["page_views_b2b"].sum()),
                "sessions": int(d["sessions"].sum()),
                "sessionsB2B": int(d["sessions_b2b"].sum()),
                "buyBoxPercentage": pct(d["buy_box_page_views"].sum(), d["page_views"].sum()),
                "unitSessionPercentage": pct(d["units_ordered"].sum(), d["sessions"].sum()),
            },
        })
    weekly = _weekly_asin(week)
    total_sessions = max(int(weekly["sessions"].sum()), 1)
    total_views = max(int(weekly["page_views"].sum()), 1)
    by_asin = []
    for r in weekly.sort_values(["sessions", "asin"], ascending=[False, True],
                                kind="stable").itertuples(index=False):
        by_asin.append({
            "parentAsin": r.parent_asin, "childAsin": r.asin, "sku": r.sku,
            "salesByAsin": {"unitsOrdered": int(r.units_ordered),
                            "unitsOrderedB2B": int(r.units_b2b),
                            "orderedProductSales": amount(r.sales_minor),
                            "orderedProductSalesB2B": amount(r.sales_b2b_minor),
                            "totalOrderItems": int(r.order_items),
                            "totalOrderItemsB2B": int(r.order_items_b2b)},
            "trafficByAsin": {"sessions": int(r.sessions), "sessionsB2B": int(r.sessions_b2b),
                              "sessionPercentage": pct(r.sessions, total_sessions),
                              "pageViews": int(r.page_views),
                              "pageViewsB2B": int(r.page_views_b2b),
                              "pageViewsPercentage": pct(r.page_views, total_views),
                              "buyBoxPercentage": pct(r.buy_box_page_views, r.page_views),
                              "unitSessionPercentage": pct(r.units_ordered, r.sessions)},
        })
    document = {
        "reportSpecification": {
            "reportType": "GET_SALES_AND_TRAFFIC_REPORT",
            "reportOptions": {"dateGranularity": "DAY", "asinGranularity": "SKU"},
            "dataStartTime": f"{first:%Y-%m-%d}", "dataEndTime": f"{AS_OF:%Y-%m-%d}",
            "marketplaceIds": [market.marketplace_id],
        },
        "salesAndTrafficByDate": by_date,
        "salesAndTrafficByAsin": by_asin,
    }
    name = f"GET_SALES_AND_TRAFFIC_REPORT_{first:%Y-%m-%d}_{AS_OF:%Y-%m-%d}.json"
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return [_write_text(folder / name, text, "utf-8")]


# ---------------------------------------------------------------------------------------------
# Inventory


def write_fba_inventory(world, mp, folder: Path) -> list[Path]:
    """Manage FBA Inventory at as_of: US as the UI .csv (cp1252, quoted), others TAB.

    In LISTING_MARKETPLACES also the snapshots of the SNAPSHOT_WEEKS - 1 Saturdays before, one
    file each (the seller downloads it every week), so the stranded share has a history.
    """
    written = []
    if mp in LISTING_MARKETPLACES:
        for weeks in range(SNAPSHOT_WEEKS - 1, 0, -1):
            day = AS_OF - pd.Timedelta(weeks=weeks)
            written += _write_myi(_inventory_on(world, mp, day), mp, folder, day)
    return written + _write_myi(world.frame("inventory", mp), mp, folder, AS_OF)


def _inventory_on(world, mp, day) -> pd.DataFrame:
    """The Manage FBA Inventory position at the end of ``day`` (before as_of) from the truth:
    stock from the daily history, inbound from the shipments open that day; no units reserved
    or unsellable, every FBA listing present."""
    inv = world.frame("inventory", mp)
    history = world.frame("inventory_history", mp)
    # stock at the end of ``day`` is the stock at the start of the next day
    stock = history[history["date"] == day + pd.Timedelta(days=1)].set_index("sku")["quantity"]
    demand = world.frame("demand", mp)
    price = demand[demand["date"] == day].set_index("sku")["price"]
    shipments = world.frame("shipments", mp)
    open_ = shipments[(shipments["order_date"] <= day) & (shipments["available_date"] > day)]
    state = np.select([open_["fc_arrival_date"] <= day, open_["ship_date"] <= day],
                      ["receiving", "shipped"], "working")
    out = inv[["sku", "fnsku", "asin", "product_name", "item_volume_cuft"]].copy()
    out["your_price"] = out["sku"].map(price).fillna(inv.set_index("sku")["your_price"]) \
        .to_numpy()
    out["afn_fulfillable_quantity"] = out["sku"].map(stock).fillna(0).astype(int)
    out["afn_unsellable_quantity"] = 0
    out["afn_reserved_quantity"] = 0
    out["afn_warehouse_quantity"] = out["afn_fulfillable_quantity"]
    for status in ("working", "shipped", "receiving"):
        quantity = open_[state == status].groupby("sku")["quantity"].sum()
        out[f"afn_inbound_{status}_quantity"] = out["sku"].map(quantity).fillna(0).astype(int)
    out["afn_total_quantity"] = (out["afn_warehouse_quantity"]
                                 + out["afn_inbound_working_quantity"]
                                 + out["afn_inbound_shipped_quantity"]
                                 + out["afn_inbound_receiving_quantity"])
    out["afn_listing_exists"] = True
    return out


def _write_myi(inv, mp, folder: Path, day) -> list[Path]:
    """One Manage FBA Inventory snapshot file named by its day."""
    columns = ["sku", "fnsku", "asin", "product_name", "condition", "your_price",
               "mfn_listing_exists", "mfn_fulfillable_quantity", "afn_listing_exists",
               "afn_warehouse_quantity", "afn_fulfillable_quantity", "afn_unsellable_quantity",
               "afn_reserved_quantity", "afn_total_quantity", "per_unit_volume",
               "afn_inbound_working_quantity", "afn_inbound_shipped_quantity",
               "afn_inbound_receiving_quantity", "afn_researching_quantity",
               "afn_reserved_future_supply", "afn_future_supply_buyable"]
    if mp in ("UK", "DE"):  # Pan-EU marketplaces split local and remote fulfillable stock
        columns += ["afn_fulfillable_quantity_local", "afn_fulfillable_quantity_remote"]
    table = pd.DataFrame({
        "sku": inv["sku"], "fnsku": inv["fnsku"], "asin": inv["asin"],
        "product_name": inv["product_name"], "condition": "New",
        "your_price": [_plain_money(round(p * _minor(mp)), mp) for p in inv["your_price"]],
        "mfn_listing_exists": "No", "mfn_fulfillable_quantity": "",
        "afn_listing_exists": np.where(inv["afn_listing_exists"].astype(bool), "Yes", "No"),
        "per_unit_volume": inv["item_volume_cuft"].map(lambda v: f"{v:.2f}"),
        "afn_researching_quantity": 0, "afn_reserved_future_supply": 0,
        "afn_future_supply_buyable": 0,
        "afn_fulfillable_quantity_local": inv["afn_fulfillable_quantity"],
        "afn_fulfillable_quantity_remote": 0,
    })
    for column in columns:
        if column not in table:
            table[column] = inv[column]
    rows = table[columns].astype(str).to_numpy().tolist()
    name = f"Manage_FBA_Inventory_{day:%Y-%m-%d}"
    if mp == "US":
        text = _csv_bytes(_headers("fba_inventory", columns, "en-US"), rows,
                          quoting=csv.QUOTE_ALL)
        return [_write_text(folder / f"{name}.csv", text, "cp1252")]
    text = _csv_bytes(_headers("fba_inventory", columns, FLAT_LOCALE[mp]), rows, delimiter="\t",
                      quoting=csv.QUOTE_NONE, newline="\r\n")
    return [_write_text(folder / f"{name}.txt", text, _encoding(mp, bom=False))]


def write_all_listings(world, mp, folder: Path) -> list[Path]:
    """All Listings report at as_of (GET_MERCHANT_LISTINGS_ALL_DATA, TAB, UTF-8 with BOM as the
    Seller Central download), in LISTING_MARKETPLACES only: FBA offers, status Active or
    Inactive; a deleted listing is absent."""
    if mp not in LISTING_MARKETPLACES:
        return []
    listings = world.frame("listings", mp)
    listings = listings[listings["listed"]]
    tz = marketplaces.get(mp).timezone
    zone = {"SG": "SGT"}  # Asia/Singapore has no abbreviation in the tz database
    opened = [pd.Timestamp(d + pd.Timedelta(hours=9)).tz_localize(tz) for d in
              listings["open_date"]]
    columns = ["item_name", "item_description", "listing_id", "sku", "price", "quantity",
               "open_date", "image_url", "item_is_marketplace", "product_id_type",
               "zshop_shipping_fee", "item_note", "item_condition", "zshop_category1",
               "zshop_browse_path", "zshop_storefront_feature", "asin", "asin2", "asin3",
               "will_ship_internationally", "expedited_shipping", "zshop_boldface", "product_id",
               "bid_for_featured_placement", "add_delete", "pending_quantity",
               "fulfillment_channel", "merchant_shipping_group", "status"]
    table = pd.DataFrame({
        "item_name": listings["title"], "listing_id": listings["listing_id"],
        "sku": listings["sku"],
        "price": [_plain_money(round(p * _minor(mp)), mp) for p in listings["price"]],
        "open_date": [f"{format_date(t, mp)} {t:%H:%M:%S} {zone.get(mp, t.strftime('%Z'))}"
                      for t in opened],
        "item_is_marketplace": "y", "product_id_type": "1", "item_condition": "11",
        "asin": listings["asin"], "product_id": listings["asin"],
        "fulfillment_channel": "AMAZON_FE", "status": listings["status"],
    }).reindex(columns=columns, fill_value="")
    text = _csv_bytes(_headers("all_listings", columns, FLAT_LOCALE[mp]),
                      table.astype(str).to_numpy().tolist(), delimiter="\t",
                      quoting=csv.QUOTE_NONE, newline="\r\n")
    name = f"All_Listings_Report_{AS_OF:%Y-%m-%d}.txt"
    return [_write_text(folder / name, text, "utf-8-sig")]


def write_inventory_history(world, mp, folder: Path) -> list[Path]:
    """Daily Inventory History: one SELLABLE row per SKU and day from launch (zeros kept)."""
    history = world.frame("inventory_history", mp)
    products = world.frame("products", mp).set_index("sku")
    fc = {"US": "PHX7", "UK": "LTN1", "DE": "LEJ1", "JP": "NRT1", "AU": "SYD8", "SG": "SIN8"}[mp]
    columns = ["date", "fnsku", "sku", "product_name", "quantity", "fulfillment_center_id",
               "detailed_disposition", "country"]
    table = pd.DataFrame({
        "date": history["date"].dt.strftime("%Y-%m-%d"),
        "fnsku": history["sku"].map(products["fnsku"]),
        "sku": history["sku"],
        "product_name": history["sku"].map(products["title"]),
        "quantity": history["quantity"],
        "fulfillment_center_id": fc,
        "detailed_disposition": "SELLABLE",
        "country": {"UK": "GB"}.get(mp, mp),
    }).sort_values(["date", "sku"], kind="stable")
    text = _csv_bytes(_headers("inventory_history", columns, FLAT_LOCALE[mp]),
                      table.astype(str).to_numpy().tolist(), delimiter="\t",
                      quoting=csv.QUOTE_NONE, newline="\r\n")
    name = f"Daily_Inventory_History_{START:%Y-%m-%d}_{AS_OF:%Y-%m-%d}.txt"
    return [_write_text(folder / name, text, _encoding(mp, bom=False), compress=True)]


def write_inventory_planning(world, mp, folder: Path) -> list[Path]:
    """FBA inventory planning snapshot at as_of (TAB; a subset of the 99 current columns)."""
    inv = world.frame("inventory", mp)
    demand = world.frame("demand", mp)
    shipped = {}
    for days in (7, 30, 60, 90):
        recent = demand[demand["date"] > AS_OF - pd.Timedelta(days=days)]
        shipped[days] = (recent.groupby("sku")["units_sold"].sum()
                         .reindex(inv["sku"]).fillna(0).astype(int).to_numpy())
    columns = ["snapshot_date", "sku", "fnsku", "asin", "product_name", "condition", "available",
               "pending_removal_quantity", "inv_age_0_to_90_days", "inv_age_91_to_180_days",
               "inv_age_181_to_270_days", "inv_age_271_to_365_days", "inv_age_365_plus_days",
               "currency", "units_shipped_t7", "units_shipped_t30", "units_shipped_t60",
               "units_shipped_t90", "your_price", "recommended_action", "sell_through",
               "item_volume", "volume_unit_measurement", "storage_type", "days_of_supply",
               "estimated_excess_quantity", "inbound_quantity", "inbound_working",
               "inbound_shipped", "inbound_received", "total_reserved_quantity",
               "unfulfillable_quantity"]
    aged = inv["inv_age_181_to_270_days"] + inv["inv_age_271_to_365_days"] \
        + inv["inv_age_365_plus_days"]
    excess = np.maximum(inv["on_hand"] - np.ceil(inv["units_sold_last_30_days"] / 30 * 90), 0)
    table = pd.DataFrame({
        "snapshot_date": f"{AS_OF:%Y-%m-%d}", "sku": inv["sku"], "fnsku": inv["fnsku"],
        "asin": inv["asin"], "product_name": inv["product_name"], "condition": "New",
        "available": inv["afn_fulfillable_quantity"], "pending_removal_quantity": 0,
        "currency": inv["currency"],
        "units_shipped_t7": shipped[7], "units_shipped_t30": shipped[30],
        "units_shipped_t60": shipped[60], "units_shipped_t90": shipped[90],
        "your_price": [_plain_money(round(p * _minor(mp)), mp) for p in inv["your_price"]],
        "recommended_action": np.where(aged > 0, "CreateRemovalOrder",
                                       np.where(excess > 0, "SalePrice", "NoActionRequired")),
        "sell_through": np.round(shipped[90] / np.maximum(
            (inv["on_hand"] + shipped[90]) / 2, 1), 2),
        "item_volume": inv["item_volume_cuft"].map(lambda v: f"{v:.3f}"),
        "volume_unit_measurement": "cubic feet" if mp == "US" else "cubic feet",
        "storage_type": "Standard",
        "days_of_supply": inv["days_of_supply"],
        "estimated_excess_quantity": excess.astype(int),
        "inbound_quantity": inv["afn_inbound_quantity"],
        "inbound_working": inv["afn_inbound_working_quantity"],
        "inbound_shipped": inv["afn_inbound_shipped_quantity"],
        "inbound_received": inv["afn_inbound_receiving_quantity"],
        "total_reserved_quantity": inv["afn_reserved_quantity"],
        "unfulfillable_quantity": inv["afn_unsellable_quantity"],
    })
    for column in columns:
        if column not in table:
            table[column] = inv[column]
    text = _csv_bytes(_headers("inventory_planning", columns, FLAT_LOCALE[mp]),
                      table[columns].astype(str).to_numpy().tolist(), delimiter="\t",
                      quoting=csv.QUOTE_NONE, newline="\r\n")
    name = f"FBA_Inventory_Planning_{AS_OF:%Y-%m-%d}.txt"
    return [_write_text(folder / name, text, _encoding(mp, bom=False))]


def write_restock(world, mp, folder: Path) -> list[Path]:
    """Restock Inventory recommendations at as_of (current 30-column header, TAB)."""
    inv = world.frame("inventory", mp)
    columns = ["country", "product_name", "fnsku", "sku", "asin", "condition", "supplier",
               "currency", "price", "sales_last_30_days", "units_sold_last_30_days",
               "total_units", "inbound", "available", "fc_transfer", "fc_processing",
               "customer_order", "unfulfillable", "working", "shipped", "receiving",
               "fulfilled_by", "total_days_of_supply", "days_of_supply_at_afn", "alert",
               "recommended_replenishment_qty", "recommended_ship_date", "recommended_action"]
    minor = _minor(mp)
    table = pd.DataFrame({
        "country": {"UK": "GB"}.get(mp, mp), "product_name": inv["product_name"],
        "fnsku": inv["fnsku"], "sku": inv["sku"], "asin": inv["asin"], "condition": "New",
        "supplier": "unassigned", "currency": inv["currency"],
        "price": [_plain_money(round(p * minor), mp) for p in inv["your_price"]],
        "sales_last_30_days": [_plain_money(v, mp) for v in inv["sales_last_30_days_minor"]],
        "units_sold_last_30_days": inv["units_sold_last_30_days"],
        "total_units": inv["afn_warehouse_quantity"] + inv["afn_inbound_quantity"],
        "inbound": inv["afn_inbound_quantity"], "available": inv["afn_fulfillable_quantity"],
        "fc_transfer": inv["reserved_fc_transfer"], "fc_processing": 0,
        "customer_order": inv["reserved_customer_order"],
        "unfulfillable": inv["afn_unsellable_quantity"],
        "working": inv["afn_inbound_working_quantity"],
        "shipped": inv["afn_inbound_shipped_quantity"],
        "receiving": inv["afn_inbound_receiving_quantity"], "fulfilled_by": "Amazon",
        "total_days_of_supply": inv["restock_total_days_of_supply"],
        "days_of_supply_at_afn": inv["days_of_supply"],
        "alert": inv["restock_alert"],
        "recommended_replenishment_qty": inv["restock_recommended_qty"],
        "recommended_ship_date": [format_date(d, mp) if pd.notna(d) else ""
                                  for d in inv["restock_ship_date"]],
        "recommended_action": np.where(inv["restock_recommended_qty"] > 0, "Restock",
                                       "No action required"),
    })
    text = _csv_bytes(_headers("restock", columns, FLAT_LOCALE[mp]),
                      table[columns].astype(str).to_numpy().tolist(), delimiter="\t",
                      quoting=csv.QUOTE_NONE, newline="\r\n")
    name = f"Restock_Inventory_{AS_OF:%Y-%m-%d}.txt"
    return [_write_text(folder / name, text, _encoding(mp, bom=False))]


# ---------------------------------------------------------------------------------------------
# Advertising


AD_METRICS = ["impressions", "clicks", "ctr", "cpc", "spend", "sales", "acos", "roas", "orders",
              "units", "conversion_rate", "advertised_sku_units", "other_sku_units",
              "advertised_sku_sales", "other_sku_sales"]


def _ad_values(frame, minor):
    """Amazon's derived ad metrics (None where the denominator is 0), money in currency."""
    out = frame.copy()
    out["spend"] = out["spend_minor"] / minor
    out["sales"] = out["sales_minor"] / minor
    out["advertised_sku_sales"] = out["advertised_sku_sales_minor"] / minor
    out["other_sku_sales"] = out["other_sku_sales_minor"] / minor
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ctr"] = np.where(out["impressions"] > 0, out["clicks"] / out["impressions"], np.nan)
        out["cpc"] = np.where(out["clicks"] > 0, out["spend"] / out["clicks"], np.nan)
        out["acos"] = np.where(out["sales"] > 0, out["spend"] / out["sales"], np.nan)
        out["roas"] = np.where(out["spend"] > 0, out["sales"] / out["spend"], np.nan)
        out["conversion_rate"] = np.where(out["clicks"] > 0, out["orders"] / out["clicks"],
                                          np.nan)
    return out


def _xlsx(kind, columns, frame, mp, path: Path) -> Path:
    """One-sheet console xlsx: Excel dates, numbers, fractions for rates, blank for n/a."""
    market = marketplaces.get(mp)
    money_format = {"USD": '"$"#,##0.00', "GBP": "[$£]#,##0.00", "EUR": "#,##0.00 [$€]",
                    "JPY": "[$￥]#,##0", "AUD": '"$"#,##0.00',
                    "SGD": '"S$"#,##0.00'}[market.currency]
    header = _headers(kind, columns, market.language)
    rows = frame[columns].to_numpy(dtype=object).tolist()
    path.write_bytes(_xlsx_bytes(SHEET_NAMES[kind], header, columns, rows, money_format))
    return path


def write_sp_search_term(world, mp, folder: Path) -> list[Path]:
    """Sponsored Products search term report, daily rows with clicks, last eight weeks."""
    ads = world.frame("ads", mp)
    daily = ads[ads["clicks"] > 0]
    daily = _ad_values(daily, _minor(mp)).assign(portfolio_name="No Portfolio")
    daily = daily.sort_values(["date", "campaign_name", "ad_group_name", "targeting",
                               "customer_search_term"], kind="stable")
    columns = ["date", "portfolio_name", "currency", "campaign_name", "ad_group_name",
               "targeting", "match_type", "customer_search_term", *AD_METRICS]
    first = AS_OF - pd.Timedelta(days=AD_DAYS - 1)
    path = folder / f"Sponsored_Products_Search_term_report_{first:%Y-%m-%d}_{AS_OF:%Y-%m-%d}.xlsx"
    return [_xlsx("sp_search_term", columns, daily, mp, path)]


def _summed(ads, keys):
    sums = ["impressions", "clicks", "spend_minor", "sales_minor", "orders", "units",
            "advertised_sku_units", "other_sku_units", "advertised_sku_sales_minor",
            "other_sku_sales_minor"]
    return ads.groupby(keys, sort=True)[sums].sum().reset_index()


def write_sp_targeting(world, mp, folder: Path) -> list[Path]:
    """Sponsored Products targeting report, one summary row per target over eight weeks."""
    ads = world.frame("ads", mp)
    first = AS_OF - pd.Timedelta(days=AD_DAYS - 1)
    table = _summed(ads, ["campaign_name", "ad_group_name", "targeting", "match_type",
                          "currency"])
    table = _ad_values(table, _minor(mp)).assign(start_date=first, end_date=AS_OF,
                                                  portfolio_name="No Portfolio")
    columns = ["start_date", "end_date", "portfolio_name", "currency", "campaign_name",
               "ad_group_name", "targeting", "match_type", *AD_METRICS]
    path = folder / f"Sponsored_Products_Targeting_report_{first:%Y-%m-%d}_{AS_OF:%Y-%m-%d}.xlsx"
    return [_xlsx("sp_targeting", columns, table, mp, path)]


def write_sp_advertised_product(world, mp, folder: Path) -> list[Path]:
    """Sponsored Products advertised product report, daily, last eight weeks."""
    ads = world.frame("ads", mp)
    first = AS_OF - pd.Timedelta(days=AD_DAYS - 1)
    table = _summed(ads, ["date", "campaign_name", "ad_group_name", "advertised_sku",
                          "advertised_asin", "currency"])
    table = table[table["impressions"] > 0]
    table = _ad_values(table, _minor(mp)).assign(portfolio_name="No Portfolio")
    columns = ["date", "portfolio_name", "currency", "campaign_name", "ad_group_name",
               "advertised_sku", "advertised_asin", *AD_METRICS]
    path = folder / (f"Sponsored_Products_Advertised_product_report_{first:%Y-%m-%d}_"
                     f"{AS_OF:%Y-%m-%d}.xlsx")
    return [_xlsx("sp_advertised_product", columns, table, mp, path)]


def write_sp_campaign(world, mp, folder: Path) -> list[Path]:
    """Sponsored Products campaign report as the console CSV (UTF-8 BOM, CRLF), daily."""
    ads = world.frame("ads", mp)
    campaigns = world.frame("campaigns", mp).set_index("campaign_name")
    minor = _minor(mp)
    first = AS_OF - pd.Timedelta(days=AD_DAYS - 1)
    table = _ad_values(_summed(ads, ["date", "campaign_name"]), minor)
    columns = ["date", "start_date", "end_date", "portfolio_name", "campaign_type",
               "campaign_name", "status", "currency", "budget", "targeting_type",
               "bidding_strategy", "impressions", "clicks", "ctr", "spend", "cpc", "orders",
               "acos", "sales"]
    rows = []
    for r in table.itertuples(index=False):
        info = campaigns.loc[r.campaign_name]
        rows.append([
            _console_date(r.date, mp), _console_date(info["start_date"], mp), "",
            "No Portfolio", "Sponsored Products", r.campaign_name, "ENABLED",
            marketplaces.get(mp).currency, _console_money(round(info["budget"] * minor), mp),
            info["targeting_type"], info["bidding_strategy"], str(r.impressions),
            str(r.clicks), format_percent(r.ctr, mp) if r.impressions else "",
            _console_money(r.spend_minor, mp),
            _console_money(round(r.spend_minor / r.clicks), mp) if r.clicks else "",
            str(r.orders), format_percent(r.acos, mp) if r.sales_minor else "",
            _console_money(r.sales_minor, mp),
        ])
    header = _headers("sp_campaign", columns, marketplaces.get(mp).language)
    text = _csv_bytes(header, rows, newline="\r\n")
    name = f"Sponsored_Products_Campaign_report_{first:%Y-%m-%d}_{AS_OF:%Y-%m-%d}.csv"
    return [_write_text(folder / name, text, "utf-8-sig")]


# ---------------------------------------------------------------------------------------------
# Account health


def write_account_health(world, mp, folder: Path) -> list[Path]:
    """GET_V2_SELLER_PERFORMANCE_REPORT JSON (rates as fractions)."""
    health = world.frame("account_health", mp).set_index("metric")
    market = marketplaces.get(mp)

    def span():
        first = health["date_from"].iloc[0]
        return {"reportingDateFrom": f"{first:%Y-%m-%d}T00:00Z",
                "reportingDateTo": f"{AS_OF:%Y-%m-%d}T23:59Z"}

    def rate(metric, numerator_name, denominator_name="orderCount", extra=None):
        r = health.loc[metric]
        item = {"reportingDateRange": span(), denominator_name: int(r["denominator"]),
                numerator_name: int(r["numerator"]), "status": r["status"],
                "rate": float(r["value"]), "targetValue": float(r["target_value"]),
                "targetCondition": r["target_condition"]}
        item.update(extra or {})
        return item

    def defects(count=0):
        return {"reportingDateRange": span(), "defectsCount": count, "status": "GOOD",
                "targetValue": 0, "targetCondition": "EQUALS"}

    rating = health.loc["account_health_rating"]
    metrics = {
        "marketplaceId": market.marketplace_id,
        "accountHealthRating": {"ahrScore": int(rating["value"]),
                                "ahrStatus": "GREAT" if rating["status"] == "GOOD" else "AT_RISK"},
        "orderDefectRate": {
            "afn": rate("order_defect_rate_afn", "orderWithDefects",
                        extra={"fulfillmentType": "AFN"}),
            "mfn": rate("order_defect_rate_mfn", "orderWithDefects",
                        extra={"fulfillmentType": "MFN"}),
        },
        "lateShipmentRate": rate("late_shipment_rate", "lateShipmentCount"),
        "preFulfillmentCancellationRate": rate("pre_fulfillment_cancellation_rate",
                                               "cancellationCount"),
        "validTrackingRate": rate("valid_tracking_rate", "validTrackingCount", "shipmentCount"),
        "onTimeDeliveryRate": rate("on_time_delivery_rate", "onTimeDeliveryCount",
                                   "shipmentCountWithValidTracking"),
        "invoiceDefectRate": rate("invoice_defect_rate", "invoiceDefectCount"),
        "warningStates": [],
        "listingPolicyViolations": defects(),
        "productAuthenticityCustomerComplaints": defects(),
        "productConditionCustomerComplaints": defects(),
        "productSafetyCustomerComplaints": defects(),
        "receivedIntellectualPropertyComplaints": defects(),
        "restrictedProductPolicyViolations": defects(),
        "suspectedIntellectualPropertyViolations": defects(),
        "foodAndProductSafetyIssues": defects(),
        "otherPolicyViolations": defects(),
        "documentRequests": defects(),
    }
    status = "NORMAL" if rating["status"] == "GOOD" else "AT_RISK"
    document = {"accountStatuses": [{"marketplaceId": market.marketplace_id, "status": status}],
                "performanceMetrics": [metrics]}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    name = f"GET_V2_SELLER_PERFORMANCE_REPORT_{AS_OF:%Y-%m-%d}.json"
    return [_write_text(folder / name, text, "utf-8")]


WRITERS = (write_product_master, write_niche, write_all_orders, write_returns,
           write_business_report_date, write_business_report_asin, write_fba_inventory,
           write_inventory_history, write_inventory_planning, write_restock,
           write_sp_search_term, write_sp_targeting, write_sp_advertised_product,
           write_sp_campaign, write_account_health, write_all_listings)


def write_marketplace(world, mp, folder) -> list[Path]:
    """Write every report of one marketplace into ``folder`` (created if needed).

    Parameters
    ----------
    world : World
    mp : str
        Marketplace code.
    folder : path-like
        Marketplace folder (``out_dir/<MP>``).

    Returns
    -------
    list of Path
        Files written, in writing order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for writer in WRITERS:
        written += writer(world, mp, folder)
    if mp == "US":
        written += write_sales_and_traffic_json(world, mp, folder)
    return written

"""Synthetic bad and unusual report files (no bytes copied from real exports).

``CASES`` lists every case: a file name, a builder returning the file's bytes, keyword arguments
for ``read_report`` and the expectation — either an error class with the row and column the
message must name, or a check on the frame read (for inputs that are merely unusual).
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from dataclasses import dataclass, field

import numpy as np
import openpyxl
import pandas as pd

from opsanalysis.io import errors

BR_US = ["(Parent) ASIN", "(Child) ASIN", "Title", "SKU", "Sessions - Total",
         "Sessions - Total - B2B", "Units Ordered", "Units Ordered - B2B", "Unit Session Percentage",
         "Ordered Product Sales", "Ordered Product Sales - B2B", "Total Order Items"]
BR_ROW = ["B0PARENT01", "B0CHILD001", "Bath mat, grey", "MAT-GREY", "1,204", "12", "57", "2",
          "4.73%", "$2,851.43", "$99.98", "55"]
BR_DATE_DE = ["Datum", "Durch bestellte Produkte erzielter Umsatz", "Bestellte Einheiten",
              "Zahl der Bestellposten", "Sitzungen – Summe"]
ORDERS = ["amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date",
          "order-status", "fulfillment-channel", "sales-channel", "order-channel", "url",
          "ship-service-level", "product-name", "sku", "asin", "item-status", "quantity",
          "currency", "item-price", "item-tax", "shipping-price", "shipping-tax",
          "ship-city", "ship-state", "ship-postal-code", "ship-country", "is-business-order"]
MYI = ["sku", "fnsku", "asin", "product-name", "condition", "your-price", "mfn-listing-exists",
       "mfn-fulfillable-quantity", "afn-listing-exists", "afn-warehouse-quantity",
       "afn-fulfillable-quantity"]
RETURNS = ["return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity",
           "fulfillment-center-id", "detailed-disposition", "reason", "status",
           "license-plate-number", "customer-comments"]


def order_row(number, quantity="1", price="19.99", postal="02134"):
    return [f"111-{number:07d}-0000001", "", "2026-10-01T17:05:00+00:00",
            "2026-10-02T09:00:00+00:00", "Shipped", "Amazon", "Amazon.com", "", "",
            "Standard", 'Bath mat 31" x 19"', "MAT-GREY", "B0CHILD001", "Shipped", quantity,
            "USD", price, "1.20", "0.00", "0.00", "Boston", "MA", postal, "US", "false"]


def csv_text(header, rows, delimiter=",", quote_all=False):
    def cell(value):
        value = str(value)
        needs = quote_all or any(ch in value for ch in (delimiter, '"', "\n"))
        return '"' + value.replace('"', '""') + '"' if needs else value

    lines = [delimiter.join(cell(value) for value in row) for row in [header, *rows]]
    return "\n".join(lines) + "\n"


def tsv(header, rows):
    return ("\r\n".join("\t".join(row) for row in [header, *rows]) + "\r\n").encode("utf-8")


def br(rows, header=BR_US, encoding="utf-8-sig"):
    return csv_text(header, rows, quote_all=True).encode(encoding)


def br_row(**changes):
    row = dict(zip(BR_US, BR_ROW, strict=True))
    row.update(changes)
    return list(row.values())


def xlsx(sheets: dict) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SEARCH_TERM = ["Date", "Portfolio name", "Currency", "Campaign Name", "Ad Group Name",
               "Targeting", "Match Type", "Customer Search Term", "Impressions", "Clicks",
               "Click-Thru Rate (CTR)", "Cost Per Click (CPC)", "Spend", "7 Day Total Sales ",
               "Total Advertising Cost of Sales (ACOS) ", "7 Day Total Orders (#)"]


def search_term_rows():
    return [SEARCH_TERM,
            [pd.Timestamp("2026-10-01").to_pydatetime(), "Not grouped", "USD", "Mats - exact",
             "Mats", "bath mat", "EXACT", "bath mat grey", 100, 4, 0.04, 0.5, 2.0, 19.99,
             0.1, 1]]


def zipped(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@dataclass
class Case:
    """One corpus entry."""

    name: str
    filename: str
    build: object
    kwargs: dict = field(default_factory=dict)
    error: type | None = None
    row: int | None = None
    column: str | None = None
    check: object = None


def _check_header_only(frame):
    assert len(frame) == 0
    assert str(frame["quantity"].dtype) == "Int64"
    assert frame.attrs["kind"] == "all_orders"


def _check_de_as_us(frame):
    assert frame["ordered_product_sales"].tolist() == [1999.55, 1234567.8]
    assert frame["units_ordered"].tolist() == [1234, 7]
    assert any("decimal mark" in warning for warning in frame.attrs["warnings"])


def _check_injection(frame):
    assert frame["title"].iloc[0] == '=HYPERLINK("http://example.invalid","click")'
    assert frame["sku"].iloc[0] == "+SUM(1,2)"
    assert frame["title"].iloc[1] == "@cmd|' /C calc'!A0"


def _check_repeated_header(frame):
    assert len(frame) == 2
    assert frame["sessions"].tolist() == [1204, 1204]
    assert any("repeated header" in warning for warning in frame.attrs["warnings"])


def _check_single_zip(frame):
    assert frame.attrs["kind"] == "fba_inventory"
    assert frame["afn_fulfillable_quantity"].tolist() == [7]


def _check_gzip(frame):
    assert frame["quantity"].sum() == 5
    assert frame["ship_postal_code"].iloc[0] == "02134"


def _check_two_sheets(frame):
    assert frame.attrs["kind"] == "sp_search_term"
    assert frame.attrs["sheet"] == "Sponsored Product Search Term R"
    assert frame["ctr"].iloc[0] == 0.04


def _check_japanese(frame):
    assert frame["sessions"].tolist() == [1234]
    assert frame["ordered_product_sales"].tolist() == [12345.0]
    assert frame["currency"].iloc[0] == "JPY"
    assert frame["unit_session_percentage"].iloc[0] == 0.0451


def _check_cp1252_uk(frame):
    assert frame["sessions"].tolist() == [17]
    assert frame["sessions_b2b"].tolist() == [1]
    assert frame["title"].iloc[0] == "Mat – grey"
    assert frame.attrs["currency"] == "GBP"


def _check_over_100(frame):
    assert frame["unit_session_percentage_b2b"].iloc[0] == 3.0


def _check_blank_lines(frame):
    assert len(frame) == 2


def _check_multiline(frame):
    assert frame["customer_comments"].iloc[0] == "line one\nline two, with comma"
    assert frame["quantity"].tolist() == [1, 2]


def _check_short_optional(frame):
    assert len(frame) == 2
    assert pd.isna(frame["afn_fulfillable_quantity"].iloc[1]) is False
    assert pd.isna(frame["your_price"].iloc[1]) or frame["your_price"].iloc[1] == 9.5


def _check_dmy(frame):
    assert frame["date"].tolist() == [pd.Timestamp("2026-10-31"), pd.Timestamp("2026-11-01")]


def _check_ads_csv_money(frame):
    assert frame["spend"].tolist() == [1000.0]
    assert frame["currency"].iloc[0] == "INR"
    assert frame["ctr"].iloc[0] == 0.0038
    assert frame["date"].iloc[0] == pd.Timestamp("2019-12-01")


def _huge_title():
    return br([br_row(Title="x" * 200_001)])


def _big_cp932_history():
    header = ["スナップショット日", "FNSKU", "出品者SKU", "商品名", "数量",
              "フルフィルメントセンター", "詳細な処分", "国"]
    row = ["2026-10-01", "X00ABC", "MAT-1", "ホームラックス バスマット タイプ1", "48", "NRT1",
           "SELLABLE", "JP"]
    # ~330 KB: the 256 KiB sniff window ends inside a two-byte character somewhere
    rows = [row[:4] + [str(n % 90)] + row[5:] for n in range(6000)]
    for pad in range(64):
        rows[0][1] = "X00ABC" + "Z" * pad
        data = ("\r\n".join("\t".join(r) for r in [header, *rows]) + "\r\n").encode("cp932")
        try:
            data[:256 * 1024].decode("cp932")
        except UnicodeDecodeError:
            return data  # the sniff window now ends inside a two-byte character
    raise AssertionError("could not place a character on the sniff boundary")


def _check_big_cp932(frame):
    assert frame.attrs["kind"] == "inventory_history"
    assert len(frame) == 6000
    assert frame["product_name"].iloc[-1] == "ホームラックス バスマット タイプ1"
    assert frame["quantity"].iloc[91] == 1


def _check_two_windows(frame):
    assert frame["attribution_days"].tolist() == [14]
    assert frame["sales"].tolist() == [30.0]  # the first window in the file is canonical
    assert frame["sales_7d"].tolist() == [20.0]  # the other keeps its window in its name
    assert frame["currency"].iloc[0] == "INR"
    assert any("sales_7d" in warning for warning in frame.attrs["warnings"])


CASES = [
    Case("empty_file", "empty.csv", lambda: b"", error=errors.EmptyReportError),
    Case("blank_lines_only", "blank.csv", lambda: b"\r\n \n\n", error=errors.EmptyReportError),
    Case("header_only", "orders_header_only.txt", lambda: tsv(ORDERS, []),
         check=_check_header_only),
    Case("truncated_last_line", "orders_truncated.txt",
         lambda: tsv(ORDERS, [order_row(1), order_row(2)]) + "\t".join(order_row(3)[:9]).encode(),
         error=errors.MalformedRowError, row=4, column="ship-service-level"),
    Case("html_error_page", "BusinessReport.csv",
         lambda: b"<!DOCTYPE html>\n<html><head><title>Amazon Seller Central</title></head>"
                 b"<body>We're sorry, something went wrong.</body></html>",
         error=errors.UnreadableFileError, row=1),
    Case("wrong_kind_passed", "orders.txt", lambda: tsv(ORDERS, [order_row(1)]),
         kwargs={"kind": "fba_inventory"}, error=errors.WrongKindError, row=1),
    Case("required_column_missing", "br_missing_units.csv",
         lambda: br([[c for h, c in zip(BR_US, BR_ROW, strict=True) if h != "Units Ordered"]],
                    header=[h for h in BR_US if h != "Units Ordered"]),
         kwargs={"period": ("2026-10-01", "2026-10-31")}, error=errors.MissingColumnError,
         row=1, column="Units Ordered"),
    Case("required_column_missing_kind_given", "myi_no_fulfillable.csv",
         lambda: csv_text(MYI[:-1], [["MAT", "X00", "B0C", "Mat", "New", "9.50", "No", "",
                                      "Yes", "7"]]).encode(),
         kwargs={"kind": "fba_inventory"}, error=errors.MissingColumnError,
         column="afn-fulfillable-quantity"),
    Case("row_with_extra_cell", "orders_extra_cell.txt",
         lambda: tsv(ORDERS, [order_row(1), order_row(2) + ["surplus"], order_row(3)]),
         error=errors.MalformedRowError, row=3),
    Case("row_missing_required_cells", "orders_short_row.txt",
         lambda: tsv(ORDERS, [order_row(1), order_row(2)[:10], order_row(3)]),
         error=errors.MalformedRowError, row=3, column="product-name"),
    Case("repeated_identical_header", "br_concatenated.csv",
         lambda: br([BR_ROW, BR_US, BR_ROW]), kwargs={"period": ("2026-10-01", "2026-10-31")},
         check=_check_repeated_header),
    Case("bad_value_after_a_repeated_header", "br_concatenated_bad.csv",
         lambda: br([BR_ROW, BR_US, BR_ROW, br_row(**{"Units Ordered": "n/a?"})]),
         kwargs={"period": ("2026-10-01", "2026-10-31")}, error=errors.ValueParseError,
         row=5, column="Units Ordered"),
    Case("second_different_header", "br_two_reports.csv",
         lambda: br([BR_ROW, BR_US[:6] + ["Units ordered x"] + BR_US[7:], BR_ROW]),
         kwargs={"period": ("2026-10-01", "2026-10-31")}, error=errors.MalformedRowError,
         row=3),
    Case("text_in_count_column", "br_text_count.csv",
         lambda: br([BR_ROW, br_row(**{"Units Ordered": "twelve"})]),
         kwargs={"period": ("2026-10-01", "2026-10-31")}, error=errors.ValueParseError,
         row=3, column="Units Ordered"),
    Case("negative_units", "br_negative.csv",
         lambda: br([br_row(**{"Units Ordered": "-3"})]),
         kwargs={"period": ("2026-10-01", "2026-10-31")}, error=errors.ValueParseError,
         row=2, column="Units Ordered"),
    Case("fractional_units", "orders_fraction.txt",
         lambda: tsv(ORDERS, [order_row(1), order_row(2, quantity="1.5")]),
         error=errors.ValueParseError, row=3, column="quantity"),
    Case("de_file_read_with_us_conventions", "de_by_date.csv",
         lambda: csv_text(BR_DATE_DE, [["31.10.26", "1.999,55 €", "1.234", "1.100", "5.000"],
                                       ["01.11.26", "1.234.567,80 €", "7", "7", "300"]],
                          quote_all=True).encode("utf-8-sig"),
         kwargs={"marketplace": "US"}, check=_check_de_as_us),
    Case("de_counts_read_with_us_conventions", "de_asin_counts.csv",
         lambda: br([br_row(**{"Sessions - Total": "1.204", "Ordered Product Sales": "$2,851",
                               "Ordered Product Sales - B2B": "$99",
                               "Unit Session Percentage": "4%"})]),
         kwargs={"marketplace": "US", "period": ("2026-10-01", "2026-10-31")},
         error=errors.ValueParseError, row=2, column="Sessions - Total"),
    Case("mixed_decimal_marks", "br_mixed_marks.csv",
         lambda: br([br_row(**{"Ordered Product Sales": "$1,234.50"}),
                     br_row(**{"Ordered Product Sales": "$1.234,50"})]),
         kwargs={"period": ("2026-10-01", "2026-10-31")}, error=errors.AmbiguousFormatError,
         row=3, column="Ordered Product Sales"),
    Case("mixed_currencies", "br_mixed_currency.csv",
         lambda: br([BR_ROW, br_row(**{"Ordered Product Sales": "£12.00"})]),
         kwargs={"period": ("2026-10-01", "2026-10-31")}, error=errors.MixedCurrencyError,
         row=3, column="Ordered Product Sales"),
    Case("text_in_money", "br_text_money.csv",
         lambda: br([br_row(**{"Ordered Product Sales": "$12.00 approx."})]),
         kwargs={"period": ("2026-10-01", "2026-10-31")}, error=errors.ValueParseError,
         row=2, column="Ordered Product Sales"),
    Case("xlsx_two_sheets_one_report", "search_terms.xlsx",
         lambda: xlsx({"Sponsored Product Search Term R": search_term_rows(),
                       "Notes": [["downloaded by"], ["ops team"]]}),
         check=_check_two_sheets),
    Case("xlsx_two_report_sheets", "two_reports.xlsx",
         lambda: xlsx({"A": search_term_rows(), "B": search_term_rows()}),
         error=errors.UnknownKindError),
    Case("zip_with_two_files", "reports.zip",
         lambda: zipped({"a.csv": br([BR_ROW]), "b.csv": br([BR_ROW])}),
         error=errors.UnreadableFileError),
    Case("zip_with_one_report", "inventory.zip",
         lambda: zipped({"inventory.csv": csv_text(MYI, [["MAT", "X00", "B0C", "Mat", "New",
                                                          "9.50", "No", "", "Yes", "7", "7"]])}),
         check=_check_single_zip),
    Case("binary_file", "image.csv",
         lambda: bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)),
         error=errors.UnreadableFileError),
    Case("legacy_xls", "old.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
         error=errors.UnreadableFileError),
    Case("enormous_field", "br_huge_title.csv", _huge_title,
         kwargs={"period": ("2026-10-01", "2026-10-31")}, error=errors.ValueParseError,
         row=2, column="Title"),
    Case("csv_injection_kept_as_text", "br_injection.csv",
         lambda: br([br_row(Title='=HYPERLINK("http://example.invalid","click")',
                            SKU="+SUM(1,2)"),
                     br_row(Title="@cmd|' /C calc'!A0")]),
         kwargs={"period": ("2026-10-01", "2026-10-31")}, check=_check_injection),
    Case("unknown_kind", "notes.csv", lambda: b"name,colour,size\nmat,grey,L\n",
         error=errors.UnknownKindError, row=1),
    Case("br_asin_without_period", "BusinessReport-23-07-2026.csv", lambda: br([BR_ROW]),
         error=errors.PeriodError),
    Case("gzip_flat_file", "orders.txt.gz",
         lambda: gzip.compress(tsv(ORDERS, [order_row(1, quantity="2"),
                                            order_row(2, quantity="3")]), mtime=0),
         check=_check_gzip),
    Case("damaged_gzip", "orders.txt.gz", lambda: gzip.compress(tsv(ORDERS, []))[:20],
         error=errors.UnreadableFileError),
    Case("cp932_japanese_business_report", "jp_asin_2026-10-01_2026-10-31.csv",
         lambda: csv_text(["（親）ASIN", "（子）ASIN", "タイトル", "セッション数 - 合計",
                           "注文された商品点数", "ユニットセッション率", "注文商品の売上額"],
                          [["B0P", "B0C", "バスマット", "1,234", "56", "4.51%", "￥12,345"]],
                          quote_all=True).encode("cp932"),
         kwargs={"marketplace": "JP"}, check=_check_japanese),
    Case("cp932_larger_than_the_sniff_window", "jp_history.txt.gz",
         lambda: gzip.compress(_big_cp932_history(), mtime=0), kwargs={"marketplace": "JP"},
         check=_check_big_cp932),
    Case("cp1252_uk_en_dashes", "uk_asin_2026-10-01_2026-10-31.csv",
         lambda: csv_text(["(Parent) ASIN", "(Child) ASIN", "Title", "Sessions – Total",
                           "Sessions – Total – B2B", "Units ordered", "Ordered Product Sales"],
                          [["B0P", "B0C", "Mat – grey", "17", "1", "10", "£112.60"]]
                          ).encode("cp1252"),
         kwargs={"marketplace": "UK"}, check=_check_cp1252_uk),
    Case("percent_over_100", "br_over_100.csv",
         lambda: br([["B0P", "B0C", "Mat", "M", "10", "1", "3", "3", "300.00%", "$1.00",
                      "$1.00", "3"]],
                    header=BR_US[:8] + ["Unit Session Percentage - B2B"] + BR_US[9:]),
         kwargs={"period": "2026-10-01_2026-10-31"}, check=_check_over_100),
    Case("impossible_date", "de_bad_date.csv",
         lambda: csv_text(BR_DATE_DE, [["31.10.26", "1,00 €", "1", "1", "1"],
                                       ["32.13.26", "1,00 €", "1", "1", "1"]]).encode(),
         kwargs={"marketplace": "DE"}, error=errors.ValueParseError, row=3, column="Datum"),
    Case("dates_mixing_day_and_month_first", "us_by_date.csv",
         lambda: csv_text(["Date", "Ordered Product Sales", "Units Ordered"],
                          [["12/25/2025", "$1.00", "1"], ["25/12/2025", "$1.00", "1"]]).encode(),
         error=errors.AmbiguousFormatError, column="Date"),
    Case("day_first_dates_in_us_file", "uk_style_dates.csv",
         lambda: csv_text(["Date", "Ordered Product Sales", "Units Ordered"],
                          [["31/10/2026", "$1.00", "1"], ["01/11/2026", "$1.00", "1"]]).encode(),
         kwargs={"marketplace": "US"}, check=_check_dmy),
    Case("flag_not_yes_no", "myi_bad_flag.csv",
         lambda: csv_text(MYI, [["MAT", "X00", "B0C", "Mat", "New", "9.50", "maybe", "",
                                 "Yes", "7", "7"]]).encode(),
         error=errors.ValueParseError, row=2, column="mfn-listing-exists"),
    Case("invalid_json", "sales_traffic.json", lambda: b'{"salesAndTrafficByDate": [',
         error=errors.UnreadableFileError),
    Case("json_of_unknown_report", "other.json", lambda: json.dumps({"foo": 1}).encode(),
         error=errors.UnknownKindError),
    Case("b2b_header_is_not_the_total", "br_only_b2b.csv",
         lambda: br([[c for h, c in zip(BR_US, BR_ROW, strict=True) if h != "Sessions - Total"]],
                    header=[h for h in BR_US if h != "Sessions - Total"]),
         kwargs={"period": ("2026-10-01", "2026-10-31")}, error=errors.MissingColumnError,
         column="Sessions - Total"),
    Case("blank_lines_between_rows", "myi_blank_lines.csv",
         lambda: (csv_text(MYI, [["A", "X1", "B1", "Mat", "New", "9.50", "No", "", "Yes", "7",
                                  "7"]]) + "\n\n" +
                  csv_text(MYI, [["B", "X2", "B2", "Rug", "New", "9.50", "No", "", "Yes", "3",
                                  "3"]]).split("\n", 1)[1] + "\n").encode(),
         check=_check_blank_lines),
    Case("multi_line_comment_then_bad_count", "returns.csv",
         lambda: csv_text(RETURNS, [
             ["2026-10-01T10:00:00+00:00", "111-1", "MAT", "B0C", "X00", "Mat", "1", "LAS2",
              "SELLABLE", "UNWANTED_ITEM", "Unit returned to inventory", "LPN1",
              "line one\nline two, with comma"],
             ["2026-10-02T10:00:00+00:00", "111-2", "MAT", "B0C", "X00", "Mat", "x", "LAS2",
              "SELLABLE", "DEFECTIVE", "Unit returned to inventory", "LPN2", ""]],
             quote_all=True).encode("cp1252"),
         error=errors.ValueParseError, row=4, column="quantity"),
    Case("multi_line_comment_reads", "returns_ok.csv",
         lambda: csv_text(RETURNS, [
             ["2026-10-01T10:00:00+00:00", "111-1", "MAT", "B0C", "X00", "Mat", "1", "LAS2",
              "SELLABLE", "UNWANTED_ITEM", "Unit returned to inventory", "LPN1",
              "line one\nline two, with comma"],
             ["2026-10-02T10:00:00+00:00", "111-2", "MAT", "B0C", "X00", "Mat", "2", "LAS2",
              "SELLABLE", "DEFECTIVE", "Unit returned to inventory", "LPN2", ""]],
             quote_all=True).encode("cp1252"),
         check=_check_multiline),
    Case("two_attribution_windows_in_one_file", "sp_search_term_14d.csv",
         lambda: csv_text(["Start Date", "End Date", "Campaign Name", "Ad Group Name",
                           "Customer Search Term", "Impressions", "Clicks", "Spend",
                           "14 Day Total Sales (₹)", "7 Day Total Sales (₹)"],
                          [["Oct 1, 2026", "Oct 31, 2026", "Mats", "G1", "bath mat", "100",
                            "4", "₹2.00", "₹30.00", "₹20.00"]]).encode(),
         check=_check_two_windows),
    Case("ads_csv_rupees_and_percent", "sp_campaign.csv",
         lambda: csv_text(["Date", "Campaign Name", "Currency", "Impressions", "Clicks",
                           "Click-Thru Rate (CTR)", "Spend", "7 Day Total Sales "],
                          [["Dec 1, 2019", "Mats", "INR", "1000", "4", "0.38%", "Rs.1000.0",
                            "Rs.0.0"]]).encode("utf-8-sig"),
         check=_check_ads_csv_money),
]

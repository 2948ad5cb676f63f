"""Date Range (Custom Transaction) reports and settlement flat files V2, in Amazon's format."""

import pandas as pd
import pytest

import opsanalysis as oa
from opsanalysis.io import ReportError
from opsanalysis.io.marketplace_data import combine

US_PREAMBLE = [
    '"Includes Amazon Marketplace, Fulfillment by Amazon (FBA), and Amazon Webstore '
    'transactions"',
    '"All amounts in USD, unless specified"',
    '"Definitions:"',
    '"Sales tax collected: Includes sales tax collected from buyers for product sales, '
    'shipping, and gift wrap."',
    '"Selling fees: Includes variable closing fees and referral fees."',
    '"Other transaction fees: Includes shipping chargebacks, shipping holdbacks, per-item fees'
    '  and sales tax collection fees."',
    '"Other: Includes non-order transaction amounts. For more details, see the ""Type"" and '
    '""Description"" columns for each order ID."',
]
US_HEADER = ('"date/time","settlement id","type","order id","sku","description","quantity",'
             '"marketplace","account type","fulfillment","order city","order state",'
             '"order postal","tax collection model","product sales","product sales tax",'
             '"shipping credits","shipping credits tax","gift wrap credits",'
             '"giftwrap credits tax","Regulatory Fee","Tax On Regulatory Fee",'
             '"promotional rebates","promotional rebates tax","marketplace withheld tax",'
             '"selling fees","fba fees","other transaction fees","other","total"')
US_ROWS = [
    '"Jan 1, 2020 12:02:51 AM PST","12345678901","Order","111-2223334-5556667","MAT-31x19",'
    '"Bath Mat, 31"" x 19"", Grey","2","amazon.com","Standard Orders","Amazon","Austin","TX",'
    '"78701-1234","MarketplaceFacilitator","1,234.56","101.85","0","0","0","0","0","0",'
    '"-10.00","0","-101.85","-185.18","-9.94","0","0","1,029.44"',
    '"Jan 2, 2020 3:15:00 PM PST","12345678901","Service Fee","","","Cost of Advertising","",'
    '"","","","","","","","0","0","0","0","0","0","0","0","0","0","0","0","0","0",'
    '"-25.30","-25.30"',
]


def write(path, lines, encoding="utf-8"):
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_us_date_range_report_with_preamble(tmp_path):
    path = write(tmp_path / "2020Jan1-2020Jan31CustomTransaction.csv",
                 [*US_PREAMBLE, US_HEADER, *US_ROWS])
    frame = oa.io.read_report(path, marketplace="US")
    assert frame.attrs["kind"] == "date_range_transactions"
    assert len(frame) == 2
    order = frame.iloc[0]
    assert order["date_time"] == pd.Timestamp("2020-01-01 00:02:51", tz="America/Los_Angeles")
    assert order["type"] == "Order" and order["order_id"] == "111-2223334-5556667"
    assert order["description"] == 'Bath Mat, 31" x 19", Grey'
    assert order["quantity"] == 2
    assert order["product_sales"] == pytest.approx(1234.56)
    assert order["selling_fees"] == pytest.approx(-185.18)
    assert order["fba_fees"] == pytest.approx(-9.94)
    assert order["total"] == pytest.approx(1029.44)
    assert order["order_postal"] == "78701-1234"
    fee = frame.iloc[1]
    assert fee["date_time"] == pd.Timestamp("2020-01-02 15:15:00", tz="America/Los_Angeles")
    assert pd.isna(fee["quantity"]) and fee["other"] == pytest.approx(-25.30)
    assert (frame["currency"] == "USD").all()
    assert frame.attrs["period"] == (pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-02"))


DE_LINES = [
    '"Enthält Transaktionen aus Amazon Marketplace, Versand durch Amazon (FBA) und Amazon '
    'Webstore"',
    '"Alle Beträge in Euro, sofern nicht anders angegeben"',
    '"Definitionen:"',
    '"Datum/Uhrzeit","Abrechnungsnummer","Typ","Bestellnummer","SKU","Beschreibung","Menge",'
    '"Marketplace","Versand","Ort der Bestellung","Bundesland","Postleitzahl",'
    '"Steuererhebungsmodell","Umsätze","Produktumsatzsteuer","Gutschrift für Versandkosten",'
    '"Steuer auf Versandgutschrift","Gutschrift für Geschenkverpackung",'
    '"Steuer auf Geschenkverpackungsgutschriften","Rabatte aus Werbeaktionen",'
    '"Steuer auf Aktionsrabatte","Einbehaltene Steuer auf Marketplace","Verkaufsgebühren",'
    '"Gebühren zu Versand durch Amazon","Andere Transaktionsgebühren","Andere","Gesamt"',
    '"01.01.2020 00:12:34 UTC","11122233344","Bestellung","302-1234567-7654321","MAT-DE",'
    '"Badematte","1","amazon.de","Amazon","Berlin","Berlin","10115","","1.234,56","234,56",'
    '"0","0","0","0","0","0","0","-185,18","-9,94","0","0","1.039,44"',
    '"02.01.2020 10:00:00 UTC","11122233344","Servicegebühr","","","Werbekosten","","","","",'
    '"","","","0","0","0","0","0","0","0","0","0","0","0","0","-12,50","-12,50"',
]


def test_de_date_range_report_decimal_commas_and_local_headers(tmp_path):
    path = write(tmp_path / "2020Jan1-2020Jan31CustomTransaction.csv", DE_LINES, "cp1252")
    frame = oa.io.read_report(path, marketplace="DE")
    assert frame.attrs["kind"] == "date_range_transactions"
    first = frame.iloc[0]
    assert first["date_time"] == pd.Timestamp("2020-01-01 01:12:34", tz="Europe/Berlin")
    assert first["type"] == "Bestellung"
    assert first["product_sales"] == pytest.approx(1234.56)
    assert first["product_sales_tax"] == pytest.approx(234.56)
    assert first["selling_fees"] == pytest.approx(-185.18)
    assert first["total"] == pytest.approx(1039.44)
    assert frame.iloc[1]["other"] == pytest.approx(-12.50)
    assert (frame["currency"] == "EUR").all()


def test_ja_date_range_report(tmp_path):
    lines = [
        '"Amazonマーケットプレイス、フルフィルメント by Amazon（FBA）、Amazon Webstoreの取引が含まれます"',
        '"日付/時間","決済番号","トランザクションの種類","注文番号","SKU","説明","数量",'
        '"Amazon 出品サービス","フルフィルメント","商品売上","手数料","FBA 手数料","その他","合計"',
        '"2020/01/05 3:04:05 JST","55566677788","注文","250-1234567-1234567","MAT-JP",'
        '"バスマット","1","amazon.co.jp","Amazon","2,980","-298","-434","0","2,248"',
    ]
    path = write(tmp_path / "jp_transactions.csv", lines, "cp932")
    frame = oa.io.read_report(path, marketplace="JP")
    row = frame.iloc[0]
    assert row["date_time"] == pd.Timestamp("2020-01-05 03:04:05", tz="Asia/Tokyo")
    assert row["type"] == "注文" and row["sku"] == "MAT-JP"
    assert row["product_sales"] == 2980 and row["total"] == 2248
    assert frame.attrs["currency"] == "JPY"


def test_missing_total_names_file_row_and_column(tmp_path):
    header = US_HEADER.replace(',"total"', "")
    rows = [row.rsplit(",", 1)[0] for row in US_ROWS]
    path = write(tmp_path / "no_total.csv", [*US_PREAMBLE, header, *rows])
    with pytest.raises(ReportError) as caught:
        oa.io.read_report(path, marketplace="US", kind="date_range_transactions")
    assert caught.value.file.endswith("no_total.csv")
    assert caught.value.row == 1 and caught.value.column == "total"


def test_unreadable_amount_names_the_file_line(tmp_path):
    bad = US_ROWS[0].replace('"1,234.56"', '"twelve"')
    path = write(tmp_path / "bad.csv", [*US_PREAMBLE, US_HEADER, bad])
    with pytest.raises(ReportError) as caught:
        oa.io.read_report(path, marketplace="US")
    # 7 note lines and the header come first: the first data row is line 9
    assert caught.value.row == 9 and caught.value.column == "product sales"
    assert caught.value.value == "twelve"


SETTLEMENT_HEADER = ("settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\t"
                     "total-amount\tcurrency\ttransaction-type\torder-id\tmerchant-order-id\t"
                     "adjustment-id\tshipment-id\tmarketplace-name\tamount-type\t"
                     "amount-description\tamount\tfulfillment-id\tposted-date\t"
                     "posted-date-time\torder-item-code\tmerchant-order-item-id\t"
                     "merchant-adjustment-item-id\tsku\tquantity-purchased\tpromotion-id")


def settlement_row(**cells):
    names = SETTLEMENT_HEADER.split("\t")
    return "\t".join(cells.get(name.replace("-", "_"), "") for name in names)


def settlement_lines(amount="29.99"):
    common = dict(settlement_id="12798458971")
    item = dict(common, transaction_type="Order", order_id="112-0000000-1111111",
                shipment_id="DkKq4tqWN", marketplace_name="Amazon.com",
                fulfillment_id="AFN", posted_date="2020-01-03",
                posted_date_time="2020-01-03 07:21:10 UTC", order_item_code="41234567890123",
                sku="MAT-31x19", quantity_purchased="1")
    return [
        SETTLEMENT_HEADER,
        settlement_row(**common, settlement_start_date="2020-01-02 09:19:45 UTC",
                       settlement_end_date="2020-01-16 09:19:45 UTC",
                       deposit_date="2020-01-18 09:19:45 UTC", total_amount="1516.47",
                       currency="USD"),
        settlement_row(**item, amount_type="ItemPrice", amount_description="Principal",
                       amount=amount),
        settlement_row(**item, amount_type="ItemFees", amount_description="Commission",
                       amount="-4.50"),
        settlement_row(**item, amount_type="ItemFees",
                       amount_description="FBAPerUnitFulfillmentFee", amount="-3.22"),
    ]


def test_settlement_v2(tmp_path):
    path = write(tmp_path / "12798458971.txt", settlement_lines())
    frame = oa.io.read_report(path, marketplace="US")
    assert frame.attrs["kind"] == "settlement_v2"
    summary, principal = frame.iloc[0], frame.iloc[1]
    assert summary["total_amount"] == pytest.approx(1516.47) and pd.isna(summary["amount"])
    assert summary["deposit_date"] == pd.Timestamp("2020-01-18 01:19:45",
                                                   tz="America/Los_Angeles")
    assert principal["amount"] == pytest.approx(29.99)
    assert principal["posted_date"] == pd.Timestamp("2020-01-03")
    assert frame["amount"].sum() == pytest.approx(29.99 - 4.50 - 3.22)
    assert principal["quantity_purchased"] == 1 and principal["sku"] == "MAT-31x19"
    assert (frame["currency"] == "USD").all()
    assert frame.attrs["period"] == (pd.Timestamp("2020-01-02"), pd.Timestamp("2020-01-16"))


def test_settlement_v2_decimal_commas(tmp_path):
    lines = [line.replace("29.99", "29,99").replace("-4.50", "-4,50")
             .replace("-3.22", "-3,22").replace("1516.47", "1516,47").replace("USD", "EUR")
             for line in settlement_lines()]
    frame = oa.io.read_report(write(tmp_path / "de.txt", lines), marketplace="DE")
    assert frame["amount"].tolist()[1:] == pytest.approx([29.99, -4.50, -3.22])


def test_settlement_in_two_files_is_counted_once(tmp_path):
    first = oa.io.read_report(write(tmp_path / "a.txt", settlement_lines()), marketplace="US")
    second = oa.io.read_report(write(tmp_path / "b.txt", settlement_lines()), marketplace="US")
    combined, _ = combine("settlement_v2", [("a.txt", first), ("b.txt", second)])
    assert len(combined) == 4
    assert combined["amount"].sum() == pytest.approx(29.99 - 4.50 - 3.22)


def test_settlement_without_amount_type_is_missing_column(tmp_path):
    lines = [line.split("\t") for line in settlement_lines()]
    position = lines[0].index("amount-type")
    text = ["\t".join(cells[:position] + cells[position + 1:]) for cells in lines]
    with pytest.raises(ReportError) as caught:
        oa.io.read_report(write(tmp_path / "s.txt", text), kind="settlement_v2")
    assert caught.value.row == 1 and caught.value.column == "amount-type"

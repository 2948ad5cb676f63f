"""Kind tables: the Date Range (Custom Transaction) report and the settlement flat file V2.

Sources:

- Date Range Reports > Transaction (``...CustomTransaction.csv``), Seller Central payments UI:
  comma-separated, every cell quoted, a preamble of one-cell note lines ("Includes Amazon
  Marketplace, Fulfillment by Amazon (FBA), and Amazon Webstore transactions", "All amounts in
  USD, unless specified", definitions) before the header; display-formatted numbers in the
  marketplace's convention (``1,234.56`` US, ``1.234,56`` de-DE) and local date-times
  (``Jan 1, 2020 12:02:51 AM PST``, ``01.01.2020 00:12:34 UTC``, ``2020/01/05 3:04:05 JST``).
  Headers are localised with the Seller Central language: en-US and en-GB [3P, several
  parsers and test fixtures; en-GB ``fulfilment`` / ``postage credits``], de-DE [3P, four
  independent parsers], fr/it/es partly [3P, a header-language detector], ja-JP ``日付/時間
  決済番号 トランザクションの種類 注文番号 SKU 説明 合計`` [3P, SQL over a real import]; the
  other ja-JP headers are ``# inferred``. Columns came and went (``sales tax collected`` and
  ``Marketplace Facilitator Tax`` before 2020, ``account type`` and ``Regulatory Fee`` later).
- Settlement report flat file V2 (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2``): tab-delimited,
  one row per amount (``amount-type`` / ``amount-description``: ItemPrice/Principal,
  ItemFees/Commission ...); its first data row is the settlement summary (``total-amount``,
  the deposit, with the other cells blank) [DOC report type list; 3P, several parsers and
  fixtures]. Amounts are raw numbers; EU files may write decimal commas, which the reader
  recognises from the cells.

Money is in the marketplace currency (the settlement's ``currency`` column; the Date Range
report's preamble line "All amounts in ...").
"""

from __future__ import annotations

from opsanalysis.io.schema_types import COUNT, DATE, MONEY, TEXT, TIMESTAMP, Kind, col


def _money(name, en, gb=None, de=None, fr=None, it=None, es=None, ja=None, required=False):
    return col(name, MONEY, required, en=en, gb=gb, de=de, fr=fr, it=it, es=es, ja=ja)


DATE_RANGE_TRANSACTIONS = Kind(
    "date_range_transactions",
    "Date Range Reports: Transaction / Custom Transaction report (payments CSV with a note "
    "preamble; en, en-GB, de-DE, fr/it/es, ja-JP headers), one row per transaction line",
    "payments",
    (
        col("date_time", TIMESTAMP, True, en="date/time", de="Datum/Uhrzeit", fr="date/heure",
            it="Data/Ora:", es="fecha y hora", ja="日付/時間"),
        col("settlement_id", TEXT, en="settlement id", de="Abrechnungsnummer",
            fr="numéro de versement", ja="決済番号"),
        col("type", TEXT, True, en="type", de="Typ", fr="type", it="tipo", es="tipo",
            ja="トランザクションの種類"),
        col("order_id", TEXT, en="order id", de="Bestellnummer", fr="numéro de la commande",
            ja="注文番号"),
        col("sku", TEXT, en="sku", de="SKU", fr="sku", it="sku", es="sku", ja="SKU"),
        col("description", TEXT, en="description", de="Beschreibung", fr="description",
            ja="説明"),
        col("quantity", COUNT, en="quantity", de="Menge", fr="quantité", ja="数量",
            nonnegative=False),
        col("marketplace", TEXT, en="marketplace", de="Marketplace", fr="Marketplace",
            it="marketplace", es="web de amazon", ja="Amazon 出品サービス"),
        col("account_type", TEXT, en="account type"),
        col("fulfillment", TEXT, en="fulfillment", gb="fulfilment", de="Versand",
            fr="traitement", ja="フルフィルメント"),
        col("order_city", TEXT, en="order city", de="Ort der Bestellung",
            fr="ville d'où provient la commande", ja="市町村"),
        col("order_state", TEXT, en="order state", de="Bundesland",
            fr="Région d'où provient la commande", ja="都道府県"),
        col("order_postal", TEXT, en="order postal", de="Postleitzahl",
            fr="code postal de la commande", ja="郵便番号"),
        col("tax_collection_model", TEXT, en="tax collection model",
            de="Steuererhebungsmodell", fr="Modèle de perception des taxes", ja="税金徴収型"),
        _money("product_sales", "product sales", de="Umsätze", fr="ventes de produits",
               it="vendite", es="ventas de productos", ja="商品売上"),
        _money("product_sales_tax", "product sales tax", de="Produktumsatzsteuer",
               fr="Taxes sur la vente des produits", ja="商品の売上税"),
        _money("shipping_credits", "shipping credits", gb="postage credits",
               de="Gutschrift für Versandkosten", ja="配送料"),
        _money("shipping_credits_tax", "shipping credits tax",
               gb=("shipping credits tax", "postage credits tax"),
               de="Steuer auf Versandgutschrift", ja="配送料の税金"),
        _money("gift_wrap_credits", "gift wrap credits", de="Gutschrift für Geschenkverpackung",
               ja="ギフト包装手数料"),
        _money("gift_wrap_credits_tax", ("giftwrap credits tax", "gift wrap credits tax"),
               de="Steuer auf Geschenkverpackungsgutschriften",
               ja="ギフト包装クレジットの税金"),
        _money("regulatory_fee", "Regulatory Fee"),
        _money("regulatory_fee_tax", "Tax On Regulatory Fee"),
        _money("amazon_points_cost", "Amazon Points Cost", ja="Amazonポイントの費用"),
        _money("promotional_rebates", "promotional rebates", de="Rabatte aus Werbeaktionen",
               ja="プロモーション割引額"),
        _money("promotional_rebates_tax", "promotional rebates tax",
               de="Steuer auf Aktionsrabatte", ja="プロモーション割引の税金"),
        _money("sales_tax_collected", "sales tax collected"),
        _money("marketplace_facilitator_tax", "Marketplace Facilitator Tax"),
        _money("marketplace_withheld_tax", "marketplace withheld tax",
               de="Einbehaltene Steuer auf Marketplace", ja="源泉徴収税を伴うマーケットプレイス"),
        _money("selling_fees", "selling fees", de="Verkaufsgebühren", fr="frais de vente",
               it="commissioni di vendita", es="tarifas de venta", ja="手数料"),
        _money("fba_fees", "fba fees", de="Gebühren zu Versand durch Amazon",
               fr="Frais Expédié par Amazon", it="costi del servizio logistica di amazon",
               es="tarifas de logística de amazon", ja="FBA 手数料"),
        _money("other_transaction_fees", "other transaction fees",
               de="Andere Transaktionsgebühren", fr="autres frais de transaction",
               it="altri costi relativi alle transazioni", ja="トランザクションに関するその他の手数料"),
        _money("other", "other", de="Andere", ja="その他"),
        _money("total", "total", de="Gesamt", fr="total", it="totale", es="total", ja="合計",
               required=True),
        col("transaction_status", TEXT, en="Transaction Status", de="Transaktionsstatus"),
        col("transaction_release_date", TIMESTAMP, en="Transaction Release Date",
            de="Freigabedatum der Transaktion"),
    ),
)

SETTLEMENT_V2 = Kind(
    "settlement_v2",
    "Settlement report, flat file V2 (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2): money by "
    "order, SKU and amount type; the first row is the settlement summary",
    "payments",
    (
        col("settlement_id", TEXT, True, en="settlement-id"),
        col("settlement_start_date", TIMESTAMP, en="settlement-start-date"),
        col("settlement_end_date", TIMESTAMP, en="settlement-end-date"),
        col("deposit_date", TIMESTAMP, en="deposit-date"),
        col("total_amount", MONEY, en="total-amount"),
        col("currency", TEXT, en="currency"),
        col("transaction_type", TEXT, en="transaction-type"),
        col("order_id", TEXT, en="order-id"),
        col("merchant_order_id", TEXT, en="merchant-order-id"),
        col("adjustment_id", TEXT, en="adjustment-id"),
        col("shipment_id", TEXT, en="shipment-id"),
        col("marketplace_name", TEXT, en="marketplace-name"),
        col("amount_type", TEXT, True, en="amount-type"),
        col("amount_description", TEXT, en="amount-description"),
        col("amount", MONEY, True, en="amount"),
        col("fulfillment_id", TEXT, en="fulfillment-id"),
        col("posted_date", DATE, en="posted-date"),
        col("posted_date_time", TIMESTAMP, en="posted-date-time"),
        col("order_item_code", TEXT, en="order-item-code"),
        col("merchant_order_item_id", TEXT, en="merchant-order-item-id"),
        col("merchant_adjustment_item_id", TEXT, en="merchant-adjustment-item-id"),
        col("sku", TEXT, en="sku"),
        col("quantity_purchased", COUNT, en="quantity-purchased", nonnegative=False),
        col("promotion_id", TEXT, en="promotion-id"),
    ),
)

KINDS = (DATE_RANGE_TRANSACTIONS, SETTLEMENT_V2)

KEYS = {
    # A transaction line has no id of its own: its time, settlement, type, order, SKU and
    # money identify it.
    "date_range_transactions": ("date_time", "settlement_id", "type", "order_id", "sku",
                                "description", "quantity", "product_sales", "total"),
    "settlement_v2": ("settlement_id", "transaction_type", "order_id", "merchant_order_id",
                      "adjustment_id", "shipment_id", "amount_type", "amount_description",
                      "fulfillment_id", "posted_date", "posted_date_time", "order_item_code",
                      "merchant_order_item_id", "merchant_adjustment_item_id", "sku",
                      "promotion_id", "amount", "total_amount"),
}
"""De-duplication keys (every identifying column), see :mod:`opsanalysis.io.marketplace_data`."""

"""Profit from what Amazon charged, reconciliation and payouts: known answers."""

import copy

import numpy as np
import pandas as pd
import pytest

import opsanalysis as oa
from opsanalysis import params as params_module
from opsanalysis import settlements

HEADER = ("settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\t"
          "total-amount\tcurrency\ttransaction-type\torder-id\tmerchant-order-id\t"
          "adjustment-id\tshipment-id\tmarketplace-name\tamount-type\tamount-description\t"
          "amount\tfulfillment-id\tposted-date\tposted-date-time\torder-item-code\t"
          "merchant-order-item-id\tmerchant-adjustment-item-id\tsku\tquantity-purchased\t"
          "promotion-id")
NAMES = HEADER.split("\t")


def row(**cells):
    return "\t".join(str(cells.get(name.replace("-", "_"), "")) for name in NAMES)


def amount(settlement, kind, order, sku, amount_type, description, value, posted, qty=""):
    return row(settlement_id=settlement, transaction_type=kind, order_id=order, sku=sku,
               amount_type=amount_type, amount_description=description, amount=value,
               posted_date=posted, posted_date_time=f"{posted} 12:00:00 UTC",
               quantity_purchased=qty, fulfillment_id="AFN" if order else "")


def settlement_files(folder):
    """Two settlements (US, 1–15 and 15–29 January 2026) with known amounts.

    First: order A (SKU X, 2 units at 20.00: commission 6.00, FBA 5.00 per unit), order B
    (SKU Y, 1 unit at 20.00: commission 3.00, FBA 4.00) refunded (commission 3.00 back, 0.60
    refund fee kept), advertising 5.00, storage 2.00, reserve 7.00 held and 3.00 released:
    total 8.40, deposit 17 January. Second: order D (SKU X, 1 unit), total 9.00.
    """
    first = [row(settlement_id="111", settlement_start_date="2026-01-01 08:00:00 UTC",
                 settlement_end_date="2026-01-15 08:00:00 UTC",
                 deposit_date="2026-01-17 08:00:00 UTC", total_amount="8.40", currency="USD"),
             amount("111", "Order", "A", "X", "ItemPrice", "Principal", "40.00", "2026-01-03", 2),
             amount("111", "Order", "A", "X", "ItemFees", "Commission", "-6.00", "2026-01-03"),
             amount("111", "Order", "A", "X", "ItemFees", "FBAPerUnitFulfillmentFee", "-10.00",
                    "2026-01-03"),
             amount("111", "Order", "B", "Y", "ItemPrice", "Principal", "20.00", "2026-01-05", 1),
             amount("111", "Order", "B", "Y", "ItemFees", "Commission", "-3.00", "2026-01-05"),
             amount("111", "Order", "B", "Y", "ItemFees", "FBAPerUnitFulfillmentFee", "-4.00",
                    "2026-01-05"),
             amount("111", "Refund", "B", "Y", "ItemPrice", "Principal", "-20.00", "2026-01-10",
                    1),
             amount("111", "Refund", "B", "Y", "ItemFees", "Commission", "3.00", "2026-01-10"),
             amount("111", "Refund", "B", "Y", "ItemFees", "RefundCommission", "-0.60",
                    "2026-01-10"),
             amount("111", "ServiceFee", "", "", "Cost of Advertising", "TransactionTotalAmount",
                    "-5.00", "2026-01-14"),
             amount("111", "Storage Fee", "", "", "other-transaction", "Storage Fee", "-2.00",
                    "2026-01-08"),
             amount("111", "other-transaction", "", "", "other-transaction",
                    "Current Reserve Amount", "-7.00", "2026-01-14"),
             amount("111", "other-transaction", "", "", "other-transaction",
                    "Previous Reserve Amount Balance", "3.00", "2026-01-01")]
    second = [row(settlement_id="222", settlement_start_date="2026-01-15 08:00:00 UTC",
                  settlement_end_date="2026-01-29 08:00:00 UTC",
                  deposit_date="2026-01-31 08:00:00 UTC", total_amount="9.00", currency="USD"),
              amount("222", "Order", "D", "X", "ItemPrice", "Principal", "20.00", "2026-01-20",
                     1),
              amount("222", "Order", "D", "X", "ItemFees", "Commission", "-3.00", "2026-01-20"),
              amount("222", "Order", "D", "X", "ItemFees", "FBAPerUnitFulfillmentFee", "-8.00",
                     "2026-01-20")]
    paths = []
    for name, lines in (("111.txt", first), ("222.txt", second)):
        path = folder / name
        path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def settlement(tmp_path):
    frames = [oa.io.read_report(p, marketplace="US") for p in settlement_files(tmp_path)]
    return pd.concat(frames, ignore_index=True)


def us_params():
    """US params with no duty and a dated CNY rate of 7.1."""
    loaded = copy.deepcopy(params_module.load("US"))
    loaded["opportunity"]["duty_rate"] = 0.0
    loaded["opportunity"]["fx_rates"] = {"CNY": {"rate": 7.1, "date": "2026-01-20"}}
    return loaded


def two_products():
    """Landed cost per unit: X 4.00, Y 6.00 (USD cost, no weight: no freight, no duty)."""
    return pd.DataFrame({"sku": ["X", "Y"], "price": [20.0, 20.0], "unit_cost": [4.0, 6.0],
                         "cost_currency": ["USD", "USD"], "fba_fee": [5.0, 4.0],
                         "item_weight_kg": [0.0, 0.0], "item_volume_cuft": [0.1, 0.1],
                         "freight_mode": ["sea", "sea"]})


@pytest.fixture
def params():
    return us_params()


@pytest.fixture
def products():
    return two_products()


AS_OF = pd.Timestamp("2026-01-31")


def test_charges_are_classified(settlement):
    charges = settlements.settlement_charges(settlement)
    totals = charges.groupby("charge")["amount"].sum()
    assert totals["sales"] == pytest.approx(80.0)
    assert totals["referral_fee"] == pytest.approx(-12.0)
    assert totals["fba_fee"] == pytest.approx(-22.0)
    assert totals["refunds"] == pytest.approx(-20.0)
    assert totals["refund_fees"] == pytest.approx(2.4)
    assert totals["advertising"] == pytest.approx(-5.0)
    assert totals["storage"] == pytest.approx(-2.0)
    assert totals["reserve"] == pytest.approx(-4.0)
    per_order = settlements.charge_table(charges).set_index("order_id")
    assert per_order.loc["A", "units_sold"] == 2 and per_order.loc["A", "fba_fee"] == -10.0
    assert per_order.loc["B", "units_refunded"] == 1
    assert per_order.loc["B", "net_amount"] == pytest.approx(20 - 3 - 4 - 20 + 3 - 0.6)


def test_sku_profit_known_answer(settlement, params, products):
    charges = settlements.settlement_charges(settlement)
    table = settlements.sku_profit(charges, products, params, AS_OF).set_index("sku")
    # X: 60 sales - 9 commission - 18 FBA - 3 units x 4.00 landed = 21.00 on 60.00
    assert table.loc["X", "gross_profit"] == pytest.approx(21.0)
    assert table.loc["X", "gross_margin"] == pytest.approx(21.0 / 60.0)
    # Y: 20 - 20 refunded - 3 - 4 + 3 - 0.60 - 6.00 landed = -10.60, loses money
    assert table.loc["Y", "gross_profit"] == pytest.approx(-10.6)
    assert bool(table.loc["Y", "loss_making"]) and not bool(table.loc["X", "loss_making"])
    assert list(table.index) == ["Y", "X"]  # loss-making first


def test_unknown_landed_cost_is_not_estimated(settlement, params, products):
    charges = settlements.settlement_charges(settlement)
    table = settlements.sku_profit(charges, products.iloc[:1], params, AS_OF).set_index("sku")
    assert np.isnan(table.loc["Y", "gross_profit"])
    assert table.loc["Y", "not_estimated_reason"] == "not in the product master"
    monthly = settlements.marketplace_profit(charges, products.iloc[:1], params, AS_OF)
    assert monthly["profit"].isna().all()
    assert monthly["skus_not_estimated"].iloc[0] == 1


def test_marketplace_profit_includes_account_charges(settlement, params, products):
    charges = settlements.settlement_charges(settlement)
    monthly = settlements.marketplace_profit(charges, products, params, AS_OF)
    total = monthly[monthly["period"] == "total"].iloc[0]
    assert total["gross_profit"] == pytest.approx(21.0 - 10.6)
    assert total["profit"] == pytest.approx(21.0 - 10.6 - 5.0 - 2.0)
    assert total["payouts"] == pytest.approx(8.40 + 4.0 + 9.0)  # reserve movements left out


def test_payout_calendar_known_answer(settlement, params):
    calendar = settlements.payout_calendar(settlement, params)
    first = calendar.iloc[0]
    assert first["settlement_id"] == "111"
    assert first["deposit_date"] == pd.Timestamp("2026-01-17")
    assert first["period_end"] == pd.Timestamp("2026-01-15")
    assert first["payout"] == pytest.approx(8.40)
    assert first["reserve_held"] == pytest.approx(7.0)
    assert first["reserve_released"] == pytest.approx(3.0)
    assert first["payout_summary"] == pytest.approx(8.40 * 7.1)
    assert first["summary_currency"] == "CNY" and first["summary_fx_date"] == "2026-01-20"
    assert calendar["deposit_date"].iloc[1] == pd.Timestamp("2026-01-31")


def test_payout_without_rate_is_not_converted(settlement, params):
    params["opportunity"]["fx_rates"] = {}
    calendar = settlements.payout_calendar(settlement, params)
    assert calendar["payout_summary"].isna().all()


def test_unsettled_order_is_found(settlement):
    charges = settlements.settlement_charges(settlement)
    periods = settlements.settlement_periods(settlement)
    stamp = pd.DatetimeTZDtype(tz="America/Los_Angeles")
    orders = pd.DataFrame({
        "amazon_order_id": ["A", "C", "E", "M", "K"],
        "purchase_date": pd.Series(pd.to_datetime(["2026-01-02 10:00", "2026-01-04 10:00",
                                                   "2026-01-20 10:00", "2026-01-05 10:00",
                                                   "2026-01-06 10:00"])).dt.tz_localize(
            "America/Los_Angeles").astype(stamp),
        "order_status": ["Shipped", "Shipped", "Shipped", "Shipped", "Cancelled"],
        "sales_channel": ["Amazon.com", "Amazon.com", "Amazon.com", "Non-Amazon",
                          "Amazon.com"],
        "sku": ["X", "Y", "X", "X", "Y"], "quantity": [2, 1, 1, 1, 1],
        "item_price": [40.0, 20.0, 20.0, np.nan, 20.0], "currency": "USD"})
    found = settlements.unsettled_orders(orders, charges, periods)
    # C was bought in the first settlement and is in none; E is too recent, M is MCF, K
    # was cancelled
    assert found["amazon_order_id"].tolist() == ["C"]
    assert found["days_unsettled"].iloc[0] == (pd.Timestamp("2026-01-29")
                                               - pd.Timestamp("2026-01-04")).days


def test_fee_differences_against_the_preview(settlement):
    charges = settlements.settlement_charges(settlement)
    preview = pd.DataFrame({"sku": ["X", "Y"], "expected_fulfillment_fee_per_unit": [6.0, 3.0],
                            "estimated_referral_fee_per_unit": [3.0, 3.0]})
    table = settlements.fee_differences(charges, preview)
    # X: FBA 18.00 over 3 units is the preview's 6.00; Y: 4.00 charged against 3.00
    assert table[["sku", "fee"]].values.tolist() == [["Y", "fba_fee"]]
    assert table["fee_difference"].iloc[0] == pytest.approx(1.0)
    assert table["fee_difference_total"].iloc[0] == pytest.approx(1.0)


def test_margin_stability_rule():
    rule = params_module.load("US")["rules"]["gross_margin_stability"]
    assert (rule["min"], rule["max"]) == (-0.05, 0.05)
    monthly = pd.DataFrame({"month": pd.to_datetime(["2026-01-01", "2026-02-01",
                                                     "2026-03-01", pd.NaT]),
                            "gross_margin": [0.30, 0.27, 0.20, 0.25]})
    table = settlements.margin_stability(monthly, rule)
    assert table["status"].tolist() == ["no_data", "good", "breach"]
    assert table["margin_change"].iloc[2] == pytest.approx(-0.07)


def test_date_range_transactions_give_the_same_charges():
    frame = pd.DataFrame({
        "date_time": pd.to_datetime(["2026-01-03 10:00", "2026-01-10 10:00",
                                     "2026-01-14 10:00", "2026-01-15 10:00"]).tz_localize(
            "America/Los_Angeles"),
        "settlement_id": "111", "type": ["Order", "Refund", "Service Fee", "Transfer"],
        "order_id": ["A", "B", "", ""], "sku": ["X", "Y", "", ""],
        "description": ["thing", "thing", "Cost of Advertising", "To account"],
        "quantity": [2, 1, np.nan, np.nan], "product_sales": [40.0, -20.0, 0.0, 0.0],
        "selling_fees": [-6.0, 2.4, 0.0, 0.0], "fba_fees": [-10.0, 0.0, 0.0, 0.0],
        "total": [24.0, -17.6, -5.0, -100.0]})
    charges = settlements.transaction_charges(frame, "USD")
    totals = charges.groupby("charge")["amount"].sum()
    assert totals["sales"] == 40.0 and totals["refunds"] == -20.0
    assert totals["refund_fees"] == pytest.approx(2.4) and totals["advertising"] == -5.0
    assert totals["transfers"] == -100.0 and totals["fba_fee"] == -10.0
    assert charges.loc[charges["charge"] == "sales", "units"].sum() == 2

"""Replenishment decision table row by row, stockout exposure on the shipping mode, plan sources."""

import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsanalysis import io, replenishment_sections
from opsanalysis import params as params_module
from opsanalysis import replenishment as rp
from opsanalysis.replenishment import decisions, risk, sources

DOCS = Path(__file__).resolve().parents[1] / "docs" / "decisions.md"
INPUTS = list(decisions.DECISION_INPUTS)


def _one(**values):
    row = {name: False for name in INPUTS}
    row.update(values)
    return decisions.decide(pd.DataFrame([row])).iloc[0]


# ---------------------------------------------------------------------------------------------
# The decision table


@pytest.mark.parametrize(("inputs", "status", "reason", "action"), [
    ({"has_demand": False, "aged": True, "has_stock": True}, "aged", "aged_without_demand",
     "remove_or_liquidate"),
    ({"has_demand": False, "has_stock": True, "above_max_cover": True}, "overstock",
     "stock_without_demand", "stop_reorder_promote"),
    ({"has_demand": False}, "in_stock", "no_demand", "no_action"),
    # 0Y-KRAZ-EDMI of the real US folder: 0 on hand, 100 inbound above the reorder point
    ({"has_demand": True, "has_stock": True, "stockout_before_inbound": True,
      "arrives_after_stockout": True, "above_max_cover": True}, "awaiting_inbound",
     "out_of_stock_until_inbound", "chase_inbound_shipment"),
    ({"has_demand": True, "arrives_after_stockout": True, "below_reorder_point": True},
     "stockout_risk", "arrives_after_stockout", "expedite_order"),
    # the inbound does not lift it above the reorder point: an order is due, and late
    ({"has_demand": True, "stockout_before_inbound": True, "arrives_after_stockout": True,
      "below_reorder_point": True}, "stockout_risk", "arrives_after_stockout",
     "expedite_order"),
    ({"has_demand": True, "below_reorder_point": True, "aged": True}, "order_now",
     "below_reorder_point", "place_order"),
    ({"has_demand": True, "order_due_soon": True, "above_max_cover": True}, "reorder_soon",
     "reorder_point_within_days", "prepare_order"),
    ({"has_demand": True, "aged": True, "above_max_cover": True}, "aged", "aged_units",
     "remove_or_liquidate"),
    ({"has_demand": True, "has_stock": True, "above_max_cover": True}, "overstock",
     "above_max_cover", "stop_reorder_promote"),
    ({"has_demand": True, "has_stock": True}, "in_stock", "covered_to_next_review", "no_action"),
])
def test_each_row_of_the_decision_table(inputs, status, reason, action):
    out = _one(**inputs)
    assert (out["status"], out["reason"], out["action"]) == (status, reason, action)


def test_every_input_combination_takes_the_first_matching_row():
    combos = pd.DataFrame(list(itertools.product([False, True], repeat=len(INPUTS))),
                          columns=INPUTS)
    out = decisions.decide(combos)
    assert len(out) == 2 ** len(INPUTS) and (out["decision_row"] >= 0).all()
    for (_, inputs), (_, decided) in zip(combos.iterrows(), out.iterrows(), strict=True):
        holds = [all(inputs[k] == v for k, v in row[0].items())
                 for row in decisions.DECISION_TABLE]
        assert decided["decision_row"] == holds.index(True)
        assert rp.ACTIONS[decided["status"]] == decided["action"]
    # a status never contradicts its own inputs
    assert not out["status"].eq("stockout_risk")[~combos["arrives_after_stockout"]].any()
    assert not out["status"].eq("order_now")[~combos["below_reorder_point"]].any()
    waiting = out["status"].eq("awaiting_inbound")
    assert not waiting[~combos["stockout_before_inbound"] | combos["below_reorder_point"]].any()
    assert not out["status"].eq("overstock")[combos["has_demand"]
                                              & ~combos["above_max_cover"]].any()
    assert set(out["status"]) == set(rp.STATUSES)


def test_missing_input_is_named():
    with pytest.raises(KeyError, match="order_due_soon"):
        decisions.decide(pd.DataFrame({"has_demand": [True]}))


def test_docs_table_matches_the_code():
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Replenishment status", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"\| \d+ \|", line)]
    frame = decisions.decision_table_frame()
    assert len(rows) == len(frame)
    for line, (_, expected) in zip(rows, frame.iterrows(), strict=True):
        cells = [c.strip().strip("`") or "any" for c in line.strip("|").split("|")]
        assert cells == [str(expected["row"]), *[expected[n] for n in INPUTS],
                         expected["status"], expected["reason"], expected["action"]]


# ---------------------------------------------------------------------------------------------
# Stockout exposure on the chosen freight mode


def test_lost_units_sales_and_the_cheapest_mode_that_avoids_them():
    params = params_module.load("US")
    as_of = pd.Timestamp("2026-10-31")
    skus = pd.Index(["A", "B"], name="sku")
    table = pd.DataFrame({
        "freight_mode": ["sea", "air"], "order_by": [as_of, pd.NaT], "order_qty": [100, 0],
        "on_hand": [38, 200], "on_order": [0, 0], "on_order_days": [0, 0]}, index=skus)
    legs = pd.DataFrame({"lead_time_sea": [60.0, 60.0], "lead_time_air": [30.0, 30.0],
                         "lead_time_express": [15.0, 15.0]}, index=skus)
    mean = np.full((2, 200), 2.0)
    out = risk.stockout_exposure(table, legs, mean, as_of, params,
                                 pd.Series([10.0, 10.0], index=skus),
                                 pd.Series([1.0, 1.0], index=skus))
    a, b = out.loc["A"], out.loc["B"]
    # A's 38 units serve days 1..19 and the sea order lands on day 60: days 20..59 lost, 40 x 2
    assert a["arrives_after_stockout"] and a["expected_lost_units"] == pytest.approx(80.0)
    assert a["expected_lost_sales"] == pytest.approx(800.0)
    assert a["arrival_by_chosen_mode"] == as_of + pd.Timedelta(days=60)
    # air (30 days) is late too; express (15 days) lands in time: 100 units x 1 kg x
    # (50 - 10) CNY per kg at 7.1 CNY per USD
    freight = params["opportunity"]["head_haul_freight"]["per_kg"]
    rate = params["opportunity"]["fx_rates"]["CNY"]["rate"]
    assert a["avoiding_mode"] == "express"
    assert a["avoiding_mode_extra_cost"] == pytest.approx(
        100 * (freight["express"] - freight["sea"]) / rate)
    assert not b["arrives_after_stockout"] and b["expected_lost_units"] == 0
    assert b["avoiding_mode"] == ""


def test_inbound_that_lands_before_the_order_is_counted():
    params = params_module.load("US")
    as_of = pd.Timestamp("2026-10-31")
    skus = pd.Index(["A"], name="sku")
    # out of stock today, 100 units inbound sellable on day 10; the air order lands on day 30
    table = pd.DataFrame({"freight_mode": ["air"], "order_by": [as_of], "order_qty": [10],
                          "on_hand": [0], "on_order": [100], "on_order_days": [10]}, index=skus)
    legs = pd.DataFrame({"lead_time_sea": [60.0], "lead_time_air": [30.0],
                         "lead_time_express": [15.0]}, index=skus)
    out = risk.stockout_exposure(table, legs, np.ones((1, 100)), as_of, params,
                                 pd.Series([5.0], index=skus), pd.Series([1.0], index=skus))
    assert out.loc["A", "expected_lost_units"] == pytest.approx(9.0)  # days 1..9 only
    assert out.loc["A", "expected_lost_sales"] == pytest.approx(45.0)
    assert out.loc["A", "avoiding_mode"] == "none"  # no order helps before the inbound


def test_no_mode_in_time_and_unknown_price():
    params = params_module.load("US")
    as_of = pd.Timestamp("2026-10-31")
    skus = pd.Index(["A"], name="sku")
    table = pd.DataFrame({"freight_mode": ["air"], "order_by": [as_of], "order_qty": [10],
                          "on_hand": [2], "on_order": [0], "on_order_days": [0]}, index=skus)
    legs = pd.DataFrame({"lead_time_sea": [60.0], "lead_time_air": [30.0],
                         "lead_time_express": [15.0]}, index=skus)
    out = risk.stockout_exposure(table, legs, np.ones((1, 100)), as_of, params,
                                 pd.Series([np.nan], index=skus), pd.Series([np.nan], index=skus))
    assert out.loc["A", "avoiding_mode"] == "none"
    assert out.loc["A", "expected_lost_units"] == pytest.approx(27.0)  # days 3..29
    assert np.isnan(out.loc["A", "expected_lost_sales"])  # not estimated, never 0


def test_no_unit_lost_is_no_sale_lost_even_without_a_price():
    """Scenario: 200 units on hand at 1 a day, no price: nothing is lost, so the lost sales are
    0 (not "not estimated" beside 0 lost units)."""
    params = params_module.load("US")
    as_of = pd.Timestamp("2026-10-31")
    skus = pd.Index(["A"], name="sku")
    table = pd.DataFrame({"freight_mode": ["sea"], "order_by": [pd.NaT], "order_qty": [0],
                          "on_hand": [200], "on_order": [0], "on_order_days": [0]}, index=skus)
    legs = pd.DataFrame({"lead_time_sea": [60.0], "lead_time_air": [30.0],
                         "lead_time_express": [15.0]}, index=skus)
    out = risk.stockout_exposure(table, legs, np.ones((1, 100)), as_of, params,
                                 pd.Series([np.nan], index=skus), pd.Series([np.nan], index=skus))
    assert out.loc["A", "expected_lost_units"] == 0
    assert out.loc["A", "expected_lost_sales"] == 0.0
    assert out.loc["A", "lost_sales_until_inbound"] == 0.0


# ---------------------------------------------------------------------------------------------
# Where the demand comes from


def _orders(days, skus=("A",), channel="Amazon.com", start="2026-01-01"):
    dates = pd.date_range(start, periods=days, freq="D")
    rows = [{"amazon_order_id": f"{s}-{i}", "purchase_date": d, "order_status": "Shipped",
             "sales_channel": channel, "sku": s, "asin": "B0", "quantity": 2,
             "item_price": 20.0, "currency": "USD"}
            for s in skus for i, d in enumerate(dates)]
    frame = pd.DataFrame(rows)
    frame.attrs["marketplace"] = "US"
    return frame


def _inventory(skus=("A",), quantity=50):
    return pd.DataFrame({"sku": list(skus), "afn_fulfillable_quantity": quantity,
                         "afn_inbound_working_quantity": 0, "afn_inbound_shipped_quantity": 0,
                         "afn_inbound_receiving_quantity": 0})


def _params():
    params = params_module.load("US")
    params["forecast"]["method"] = "moving_average_28"
    return params


def test_short_history_uses_the_labelled_rule_of_thumb():
    orders = pd.concat([_orders(10), _orders(1, channel="Non-Amazon", start="2026-01-05"),
                        _orders(1, skus=("UNKNOW",))])
    data = io.MarketplaceData("US", {"all_orders": orders, "fba_inventory": _inventory()})
    history, basis, notes, warnings, as_of = sources.sales_history(data, _params())
    assert basis == "all_orders_rule_of_thumb" and as_of == pd.Timestamp("2026-01-10")
    # notes and warnings are label keys with values, in words in either language
    assert notes == [sources.PlanNote("plan_note_non_amazon_units", {"units": 2})]
    assert warnings == [
        sources.PlanNote("plan_warning_placeholder_orders", {"skus": "UNKNOW", "lines": 1}),
        sources.PlanNote("plan_warning_rule_of_thumb", {"days": 10, "minimum": 28})]
    words = {language: [replenishment_sections.note_text(n, language) for n in notes + warnings]
             for language in ("en", "zh")}
    assert words["en"] == [
        "Units sold exclude 2 units of non-Amazon sales channels (multi-channel fulfilment, "
        "removals).",
        "Placeholder SKU(s) UNKNOW (1 order line) are left out of the plan.",
        "Sales cover 10 day(s), fewer than 28: the plan uses the rule of thumb (every coming day "
        "sells the mean of the covered days), not a forecast."]
    assert words["zh"][0] == "销量不含非亚马逊渠道（多渠道配送、移除）的 2 件。"
    assert "10 天，少于 28 天" in words["zh"][2]
    assert set(history["sku"]) == {"A"}
    result = rp.plan(data, _params())
    row = result.table.set_index("sku").loc["A"]
    assert row["demand_basis"] == "all_orders_rule_of_thumb"
    assert row["daily_rate"] == pytest.approx(2.0)  # the MCF line is not demand
    assert result.table["amazon_velocity"].isna().all()  # no Restock report
    text = replenishment_sections.reason_texts(result.table, _params(), "en").iloc[0]
    assert text and "nan" not in text


def test_restock_report_listing_only_some_skus():
    restock = pd.DataFrame({"sku": ["A"], "recommended_replenishment_qty": [30],
                            "units_sold_last_30_days": [60], "available": [50]})
    data = io.MarketplaceData("US", {"all_orders": _orders(40, skus=("A", "B")),
                                     "fba_inventory": _inventory(("A", "B")),
                                     "restock": restock})
    table = rp.plan(data, _params()).table.set_index("sku")
    assert table.loc["B", "restock_difference_reason"] == "not_in_restock_report"
    assert table.loc["A", "demand_basis"] == "all_orders_forecast"


def test_business_report_units_spread_over_their_days():
    report = pd.DataFrame({"parent_asin": ["P1", "P2", "P1"], "child_asin": ["C", "C", "C"],
                           "sku": ["A", "A", "A"], "units_ordered": [70, 14, 3],
                           "ordered_product_sales": [700.0, 140.0, 30.0],
                           "period_start": pd.to_datetime(["2026-01-01", "2026-01-01",
                                                           "2026-01-08"]),
                           "period_end": pd.to_datetime(["2026-01-07", "2026-01-07",
                                                         "2026-01-08"])})
    data = io.MarketplaceData("US", {"business_report_asin": report})
    history, basis, _, warnings, as_of = sources.sales_history(data, _params())
    assert basis == "business_report_asin_rule_of_thumb" and as_of == pd.Timestamp("2026-01-08")
    # the same child under two parents is summed: (70 + 14) / 7 days
    assert history.set_index("ds")["y"].tolist() == [12.0] * 7 + [3.0]
    assert warnings[0] == sources.PlanNote("plan_warning_business_report_demand", {})
    assert "spread evenly" in replenishment_sections.note_text(warnings[0], "en")
    assert "平均分摊" in replenishment_sections.note_text(warnings[0], "zh")


def test_what_a_plan_needs_is_one_sentence_in_the_report_language():
    ads_only = io.MarketplaceData("US", {"sp_search_term": pd.DataFrame({"x": [1]})})
    result = rp.plan(ads_only, _params())
    english = replenishment_sections.note_text(result.needs, "en")
    assert result.table.empty and "All Orders" in english and "sp_search_term" in english
    assert "全部订单报告" in replenishment_sections.note_text(result.needs, "zh")
    comparison = rp.plan_policy_comparison(result, _params())
    assert comparison.empty and "needs 395 days" in comparison.attrs["needs"]
    no_stock = io.MarketplaceData("US", {"all_orders": _orders(40)})
    needs = rp.plan(no_stock, _params()).needs
    assert "inventory report" in replenishment_sections.note_text(needs, "en")
    assert "库存报告" in replenishment_sections.note_text(needs, "zh")
    with pytest.raises(sources.PlanNeedsData, match="inventory report"):  # English for logs
        rp.pipeline_position(no_stock, pd.Timestamp("2026-10-31"))


def test_global_model_falls_back_on_a_history_shorter_than_the_horizon():
    from opsanalysis import forecast

    # 31 days of orders and a plan horizon of 200 days: no lag >= horizon exists (issue 14.8)
    dates = pd.date_range("2020-01-01", periods=31, freq="D")
    history = pd.DataFrame({"unique_id": np.repeat(["US:A", "US:B"], 31),
                            "ds": np.tile(dates, 2), "y": np.r_[np.full(31, 2.0),
                                                                np.full(31, 0.5)]})
    out = forecast.predict(history, 200, method="gbm", params=_params())
    means = out.groupby("unique_id")["forecast"].mean()
    assert means.loc["US:A"] == pytest.approx(2.0) and means.loc["US:B"] == pytest.approx(0.5)


# ---------------------------------------------------------------------------------------------
# Out of stock until the inbound lands (decision row awaiting_inbound)


def test_demand_lost_until_the_inbound_lands():
    params = params_module.load("US")
    as_of = pd.Timestamp("2026-10-31")
    skus = pd.Index(["GAP", "COVERED", "NONE"], name="sku")
    # GAP: nothing on hand, 100 units sellable on day 10; COVERED: 20 on hand last to day 20;
    # NONE: nothing inbound
    table = pd.DataFrame({"freight_mode": ["sea"] * 3, "order_by": [pd.NaT] * 3,
                          "order_qty": [0] * 3, "on_hand": [0, 20, 5],
                          "on_order": [100, 100, 0], "on_order_days": [10, 10, 0]}, index=skus)
    legs = pd.DataFrame({"lead_time_sea": [60.0] * 3, "lead_time_air": [30.0] * 3,
                         "lead_time_express": [15.0] * 3}, index=skus)
    out = risk.stockout_exposure(table, legs, np.ones((3, 200)), as_of, params,
                                 pd.Series([5.0] * 3, index=skus), pd.Series([1.0] * 3, index=skus))
    assert out.loc["GAP", "stockout_before_inbound"]
    assert out.loc["GAP", "lost_units_until_inbound"] == pytest.approx(9.0)  # days 1..9
    assert out.loc["GAP", "lost_sales_until_inbound"] == pytest.approx(45.0)
    assert out.loc["GAP", "inbound_sellable_date"] == as_of + pd.Timedelta(days=10)
    assert not out.loc["COVERED", "stockout_before_inbound"]
    assert out.loc["COVERED", "lost_units_until_inbound"] == 0
    assert not out.loc["NONE", "stockout_before_inbound"]
    assert pd.isna(out.loc["NONE", "inbound_sellable_date"])


def test_out_of_stock_until_the_inbound_lands_is_no_expedite_of_zero_units():
    # the real US folder's 0Y-KRAZ-EDMI: 0 on hand, inbound far above the reorder point
    inventory = _inventory(quantity=0).assign(afn_inbound_shipped_quantity=500)
    data = io.MarketplaceData("US", {"all_orders": _orders(60), "fba_inventory": inventory})
    params = _params()
    row = rp.plan(data, params).table.set_index("sku").loc["A"]
    assert (row["status"], row["reason"], row["action"]) == (
        "awaiting_inbound", "out_of_stock_until_inbound", "chase_inbound_shipment")
    assert row["order_qty"] == 0 and pd.isna(row["order_by"]) and pd.isna(row["ship_by"])
    assert row["stockout_risk"] and row["stockout_before_inbound"]
    assert not row["below_reorder_point"] and pd.notna(row["next_order_date"])
    # shipped inbound is sellable after half the sea freight + customs + check-in:
    # 32 / 2 + 3 + 4 = 23 days; 2 units a day are lost on days 1..22 at 10 USD a unit
    lead = params["lead_time"]
    days = lead["freight_days"]["sea"] / 2 + lead["customs_days"] + lead["fba_check_in_days"]
    assert row["inbound_sellable_date"] == row["projected_stockout_date"] + pd.Timedelta(
        days=days - 1)
    assert row["expected_lost_units"] == pytest.approx(2.0 * (days - 1))
    assert row["expected_lost_sales"] == pytest.approx(20.0 * (days - 1))
    # 500 units are above the max-cover line: the overstock flag stands, and the reason says it
    assert row["overstock"] and row["above_max_cover"]
    text = replenishment_sections.reason_texts(
        pd.DataFrame([row.rename(None)]).assign(sku="A"), params, "en").iloc[0]
    assert text.startswith("Out of stock until the inbound lands: stock runs out ")
    assert "the inbound of 500 units is sellable about" in text
    assert f"about {2 * (days - 1):.0f} units (" in text and "overstock too." in text


def test_stale_age_buckets_are_trimmed_to_the_stock_on_hand():
    from opsanalysis.replenishment.plan import _age_buckets_on_hand

    position = pd.DataFrame({"on_hand": [10.0, 100.0, 0.0, 5.0],
                             "inv_age_0_to_90_days": [8.0, 20.0, 0.0, np.nan],
                             "inv_age_91_to_180_days": [4.0, 10.0, 0.0, np.nan],
                             "inv_age_181_to_270_days": [3.0, 5.0, 13.0, np.nan],
                             "inv_age_271_to_365_days": [0.0, 0.0, 0.0, np.nan],
                             "inv_age_365_plus_days": [2.0, 0.0, 0.0, np.nan]})
    out = _age_buckets_on_hand(position.copy())
    buckets = list(rp.plan.__globals__["AGE_BUCKETS"])
    # 17 units in the buckets, 10 on hand: the 7 sold were the oldest (2 + 3 + 2 of 4)
    assert out.loc[0, buckets].tolist() == [8.0, 2.0, 0.0, 0.0, 0.0]
    assert out.loc[1, buckets].tolist() == [20.0, 10.0, 5.0, 0.0, 0.0]  # fewer than on hand
    assert out.loc[2, buckets].sum() == 0  # 0Y-KRAZ-EDMI: 13 aged units, none on hand now
    assert out.loc[3, buckets].isna().all()  # no planning report: unknown stays unknown

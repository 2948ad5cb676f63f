"""Known-answer tests of the replenishment report's sections on a small hand-made plan."""

import numpy as np
import pandas as pd
import pytest

from opsanalysis import params as params_module
from opsanalysis import replenishment
from opsanalysis import replenishment_sections as rs

AS_OF = pd.Timestamp("2026-10-31")
NAT = pd.NaT


def _row(sku, status, reason, action, order_by=NAT, order_qty=0, order_cost=0.0, **extra):
    row = {"sku": sku, "status": status, "reason": reason, "action": action,
           "order_by": pd.Timestamp(order_by), "ship_by": NAT, "expected_arrival": NAT,
           "order_qty": order_qty, "order_cost": order_cost, "cost_currency": "CNY",
           "currency": "USD", "freight_mode": "sea", "on_hand": 100, "on_order": 0,
           "inventory_position": 100, "reorder_point": 60, "order_up_to": 120,
           "max_cover_line": 150.0, "daily_rate": 2.0, "planning_lead_time_days": 40.0,
           "lead_time_days": 40.0, "days_of_cover_now": 50.0, "days_of_cover_total": 50.0,
           "next_order_date": pd.Timestamp(order_by) if pd.notna(order_by) else AS_OF
           + pd.Timedelta(days=20), "projected_stockout_date": AS_OF + pd.Timedelta(days=50),
           "arrival_by_chosen_mode": NAT, "expected_lost_units": 0.0,
           "expected_lost_sales": 0.0, "avoiding_mode": "", "avoiding_mode_extra_cost": np.nan,
           "aged_units_now": 0.0, "aged_units_next_snapshot": 0.0,
           "projected_storage_fee": 10.0, "projected_aged_surcharge": 0.0,
           "stockout_risk": status == "stockout_risk", "cutoffs_missed": "",
           "demand_basis": "all_orders_forecast", "asin": "B0", "title": sku,
           "amazon_recommended_qty": 0, "restock_difference_reason": "restock_agree"}
    row.update(extra)
    return row


def _plan(rows=None, fees=None, fee_tables=None):
    rows = rows if rows is not None else [
        _row("RISK", "stockout_risk", "arrives_after_stockout", "expedite_order", AS_OF, 40,
             400.0, freight_mode="air", arrival_by_chosen_mode=AS_OF + pd.Timedelta(days=30),
             projected_stockout_date=AS_OF + pd.Timedelta(days=10), expected_lost_units=36.2,
             expected_lost_sales=1013.98, avoiding_mode="none",
             cutoffs_missed="black_friday, christmas"),
        _row("LATE", "reorder_soon", "reorder_point_within_days", "prepare_order", "2026-11-10"),
        _row("SOON", "reorder_soon", "reorder_point_within_days", "prepare_order", "2026-11-05"),
        _row("NOW", "order_now", "below_reorder_point", "place_order", AS_OF, 90, 900.0),
        _row("OLD", "aged", "aged_units", "remove_or_liquidate", aged_units_now=35.0,
             aged_units_next_snapshot=40.4, projected_aged_surcharge=12.5),
        _row("FULL", "overstock", "above_max_cover", "stop_reorder_promote",
             inventory_position=180, projected_storage_fee=30.0),
        _row("FULLER", "overstock", "above_max_cover", "stop_reorder_promote",
             inventory_position=170, projected_storage_fee=55.0),
        _row("OK", "in_stock", "covered_to_next_review", "no_action"),
    ]
    table = pd.DataFrame(rows)
    fees = fees if fees is not None else pd.DataFrame({
        "month": pd.to_datetime(["2026-11-01", "2026-12-01"]), "storage_type": "standard",
        "volume_cuft": [10.0, 12.0], "capacity_limit_cuft": np.nan, "capacity_used": np.nan,
        "storage_fee": [20.0, 40.0], "aged_surcharge": [0.0, 5.0], "currency": "USD",
        "fee_table_version": "US-1"})
    fee_tables = fee_tables if fee_tables is not None else pd.DataFrame({
        "fee_table_version": ["US-1"], "effective_from": [pd.Timestamp("2026-01-15")],
        "verified": [False], "aged_tiers": [8]})
    return replenishment.ReplenishmentPlan("US", "USD", AS_OF, table, fees,
                                           pd.DataFrame(), pd.DataFrame(), fee_tables)


@pytest.fixture(scope="module")
def params():
    return params_module.load("US")


def _with_reasons(params, plan=None):
    return rs.add_reason_texts(plan or _plan(), params, "en")


def test_actions_list_what_is_due_this_week_most_urgent_first(params):
    actions = rs.actions_table(_with_reasons(params).table, AS_OF, params)
    # stockout risk, order now, the reorder due within 7 days (not the one due in 10), aged,
    # overstock by storage fee ahead (largest first); in stock never
    assert actions["sku"].tolist() == ["RISK", "NOW", "SOON", "OLD", "FULLER", "FULL"]
    assert actions["action"].tolist() == ["expedite_order", "place_order", "prepare_order",
                                          "remove_or_liquidate", "stop_reorder_promote",
                                          "stop_reorder_promote"]
    due = actions.set_index("sku")["due_date"]
    assert due["RISK"] == AS_OF and due["SOON"] == pd.Timestamp("2026-11-05")
    assert due["OLD"] == pd.Timestamp("2026-11-15")  # the next aged-inventory snapshot
    assert pd.isna(due["FULL"])
    quantity = actions.set_index("sku")["quantity"]
    assert quantity.tolist() == [40, 90, 0, 40, 20, 30]  # order, aged units, above max cover
    cost = actions.set_index("sku")["cost"]
    assert cost.tolist() == [400.0, 900.0, 0.0, 12.5, 55.0, 30.0]
    assert actions["currency"].tolist() == ["CNY"] * 3 + ["USD"] * 3
    assert actions.loc[0, "reason"].startswith("Stockout before the order lands")


def test_weekly_actions_section_points_at_the_workbook(params):
    section = rs.weekly_actions(_with_reasons(params), params, "en", top=2)
    assert section.heading == "This week's actions" and section.sheet == "actions"
    assert "4 more rows in the workbook, sheet actions" in section.html()
    text = section.check_text()
    assert "Expedite: order now and ship by the fastest mode" in text
    assert "nan" not in text.lower() and "NaT" not in text


def test_a_plan_without_rows_says_what_it_needs_once(params):
    # this week's actions, the report's first section, names the download; every later
    # section says only that it is not estimated for want of it
    empty = replenishment.ReplenishmentPlan("US", "USD", AS_OF,
                                            pd.DataFrame(columns=["sku", "status"]),
                                            pd.DataFrame(), pd.DataFrame(), pd.DataFrame(),
                                            needs="The plan needs All Orders.")
    first = rs.weekly_actions(empty, params)
    assert first.finding == "The plan needs All Orders." and first.table is None
    for section in (rs.shipment_plan_section(empty), rs.why_section(empty),
                    rs.at_risk_section(empty), rs.aged_overstock_section(empty),
                    rs.forecast_section(empty), rs.fee_section(empty, params),
                    rs.restock_section(empty)):
        assert section.finding == ("Not estimated: needs the download named earlier in this "
                                   "report.") and section.table is None
    report = _Report()
    status = rs.status_section(report, empty)
    assert status.finding.startswith("Not estimated") and report.warned == [
        "The plan needs All Orders."]
    assert rs.shipment_plan_section(empty, "zh").finding == "未估计：需要本报告前文所述的下载文件。"


class _Report:
    language = "en"

    def __init__(self):
        self.warned = []

    def warn(self, message):
        self.warned.append(message)


def test_status_section_counts_every_status_and_records_warnings(params):
    plan = _with_reasons(params)
    plan.warnings = [replenishment.sources.PlanNote("plan_warning_placeholder_inventory",
                                                    {"skus": "X"})]
    report = _Report()
    section = rs.status_section(report, plan)
    assert report.warned == ["Placeholder SKU(s) X in the inventory reports are left out of "
                             "the plan."]
    assert report.warned[0] in section.notes
    assert section.table["status"].tolist() == list(replenishment.STATUSES)
    assert section.table["skus"].tolist() == [1, 0, 1, 2, 1, 2, 1]
    assert section.finding == ("8 SKUs in US as of 2026-10-31: Stockout risk 1, Order now 1, "
                               "Reorder soon 2, Aged 1, Overstock 2, In stock 1.")
    assert section.figure is not None


def test_shipment_plan_names_the_orders_and_their_missed_cut_offs(params):
    section = rs.shipment_plan_section(_with_reasons(params))
    assert section.table["sku"].tolist() == ["RISK", "NOW"]
    assert section.finding == ("2 SKUs to order: 130 units, order cost 1,300.00 CNY; the first order "
                               "by 2026-10-31.")
    assert section.table.loc[0, "cutoffs_missed"] == "Black Friday, Christmas"
    assert "Order cost (CNY)" in section.check_text()


def test_at_risk_and_why_show_the_loss_and_the_avoiding_mode(params):
    plan = _with_reasons(params)
    risk = rs.at_risk_section(plan)
    assert risk.table["sku"].tolist() == ["RISK"]
    assert risk.finding.startswith("Stockout before the order or the inbound lands for 1 of 8 "
                                   "SKUs")
    assert "RISK (2026-11-10 / 2026-11-30)" in risk.finding and "1,013.98 USD" in risk.finding
    assert risk.table.loc[0, "avoiding_mode"] == "no_mode_in_time"
    why = rs.why_section(plan).table.set_index("sku")
    assert why.loc["OK", "avoiding_mode"] == "not_needed"
    assert why.loc["OK", "avoiding_mode_extra_cost"] == 0.0  # nothing to avoid
    assert np.isnan(why.loc["RISK", "avoiding_mode_extra_cost"])  # no mode lands in time
    assert "no mode lands in time" in rs.why_section(plan).check_text()


def test_no_risk_reads_as_a_sentence(params):
    rows = [_row("OK", "in_stock", "covered_to_next_review", "no_action")]
    section = rs.at_risk_section(_with_reasons(params, _plan(rows)))
    assert section.finding == "No SKU stocks out before its order lands."


def test_aged_and_overstock_skus_are_named(params):
    section = rs.aged_overstock_section(_with_reasons(params))
    assert section.table["sku"].tolist() == ["OLD", "FULL", "FULLER"]  # aged, then excess
    assert section.finding == ("Aged SKUs: 1 (OLD); overstock SKUs: 2 (FULL, FULLER), "
                               "together 50 units above their max-cover line.")


def test_lost_sales_in_yen_have_no_decimals():
    jp = params_module.load("JP")
    plan = _plan([_row("RISK", "stockout_risk", "arrives_after_stockout", "expedite_order",
                       AS_OF, 40, 400.0, expected_lost_units=41.7,
                       expected_lost_sales=224469.99, avoiding_mode="air",
                       avoiding_mode_extra_cost=1234.4)])
    text = rs.reason_texts(plan.table, jp, "zh").iloc[0]
    assert "224,470 JPY" in text and "1,234 JPY" in text and "nan" not in text


def test_unknown_aged_surcharge_is_missing_never_zero(params):
    # the plan leaves it unknown (tests/test_replenishment.py); the section says so
    plan = _plan(fee_tables=pd.DataFrame({"fee_table_version": ["US-1"],
                                          "effective_from": [NAT], "verified": [False],
                                          "aged_tiers": [0]}))
    plan.fees["aged_surcharge"] = np.nan
    section = rs.fee_section(plan, params)
    assert "aged-inventory surcharge not estimated" in section.finding
    assert "Aged-inventory surcharge not estimated: fee table US-1 has no surcharge tiers." \
        in section.notes
    assert not hasattr(rs, "mark_unknown_fees")  # no presentation patch of plan figures
    # no fee table in force at all: said as such, not as a table named "—"
    plan.fee_tables = plan.fee_tables.iloc[:0]
    assert "Aged-inventory surcharge not estimated in months without a fee table in force." \
        in rs.fee_section(plan, params).notes


def test_policy_table_names_the_target_and_keeps_unknown_costs_missing():
    comparison = pd.DataFrame({"policy": ["ours", "rule_of_thumb"],
                               "service_target": [0.95, np.nan], "fill_rate": [0.96, 0.95],
                               "cycle_service_level": [0.95, 0.94], "stockout_days": [4.0, 5.0],
                               "avg_on_hand_days": [45.6, 49.0], "aged_units": [0.0, 1.0],
                               "storage_cost": [10.0, 12.0], "aged_cost": [0.0, 0.0],
                               "total_cost": [10.0, 12.0], "skus": [3, 3]})
    table = rs.policy_table(comparison, _plan(), "en")
    assert table["policy"].tolist() == ["Ours (forecast distribution), 95% target",
                                        "Rule of thumb (LT+30 / LT+45)"]
    assert table["total_cost"].tolist() == [10.0, 12.0]
    # an aged cost the replay could not price stays missing (the replay's NaN, not a patch)
    unknown = rs.policy_table(comparison.assign(aged_cost=np.nan, total_cost=np.nan), _plan(),
                              "en")
    assert unknown["aged_cost"].isna().all() and unknown["total_cost"].isna().all()
    assert unknown["storage_cost"].tolist() == [10.0, 12.0]


def test_workbook_keeps_the_sheets_and_adds_actions(params):
    plan = _with_reasons(params)
    actions = rs.weekly_actions(plan, params)
    fees = rs.fee_section(plan, params)
    restock_table = pd.DataFrame({"sku": ["A"]})
    restock = rs.Section("r", "f", restock_table)
    policies = rs.Section("p", "f", pd.DataFrame({"policy": ["ours"]}))
    tables = rs.workbook_tables(plan, actions, fees, restock, policies)
    assert list(tables)[0] == "actions" and len(tables["actions"]) == 6
    assert {"replenishment_plan", "fee_outlook", "restock_comparison", "policy_comparison",
            "replenishment_decisions", "expedite_order", "place_order"} <= set(tables)
    assert tables["replenishment_plan"] is plan.table


def test_restock_lists_differences_first_and_counts_reasons(params):
    rows = [_row("A", "in_stock", "covered_to_next_review", "no_action"),
            _row("B", "order_now", "below_reorder_point", "place_order", AS_OF, 50,
                 restock_difference_reason="longer_lead_time", amazon_recommended_qty=10),
            _row("C", "in_stock", "covered_to_next_review", "no_action")]
    plan = _plan(rows)
    plan.table = plan.table.assign(restock_difference=[0, 40, 0], amazon_velocity=2.0)
    section = rs.restock_section(plan, "en", top=2)
    assert section.table["sku"].tolist() == ["B", "A", "C"]
    assert section.finding.startswith("Our plan agrees with Amazon's Restock recommendation for 2 of 3 SKUs")
    assert section.notes == ["Agrees with Amazon's recommendation: 2",
                             "We plan over the full supplier + freight lead time: 1"]
    assert "1 more row in the workbook, sheet restock_comparison" in section.html()


def test_out_of_stock_until_the_inbound_lands_in_the_risk_section(params):
    rows = [_row("WAIT", "awaiting_inbound", "out_of_stock_until_inbound",
                 "chase_inbound_shipment", on_hand=0, on_order=100, inventory_position=100,
                 stockout_risk=True, projected_stockout_date=AS_OF + pd.Timedelta(days=1),
                 arrival_by_chosen_mode=AS_OF + pd.Timedelta(days=200),
                 inbound_sellable_date=AS_OF + pd.Timedelta(days=23),
                 expected_lost_units=44.0, expected_lost_sales=440.0, avoiding_mode="none",
                 above_max_cover=True),
            _row("OK", "in_stock", "covered_to_next_review", "no_action")]
    plan = _with_reasons(params, _plan(rows))
    risk = rs.at_risk_section(plan)
    assert risk.finding.startswith("Stockout before the order or the inbound lands for 1 of 2")
    assert "WAIT (2026-11-01 / 2026-11-23)" in risk.finding and "440.00 USD" in risk.finding
    row = risk.table.iloc[0]
    assert pd.isna(row["arrival_by_chosen_mode"])  # no order is placed
    assert row["inbound_sellable_date"] == AS_OF + pd.Timedelta(days=23)
    for language, words in (("en", "Out of stock until the inbound lands: stock runs out "
                                   "2026-11-01, the inbound of 100 units is sellable about "
                                   "2026-11-23; about 44 units (440.00 USD) lost until then."),
                            ("zh", "在途货件入仓前断货：预计 2026-11-01 断货，在途 100 件约 "
                                   "2026-11-23 可售；此前约损失 44 件（440.00 USD）。")):
        text = rs.reason_texts(plan.table, params, language).iloc[0]
        assert text.startswith(words), text
        assert ("overstock too" if language == "en" else "同时库存冗余") in text
    actions = rs.actions_table(plan.table, AS_OF, params)
    assert actions["action"].tolist() == ["chase_inbound_shipment"]
    # chase the 100 units inbound now; what waiting costs: the sales lost until they land
    assert actions.loc[0, "quantity"] == 100 and actions.loc[0, "due_date"] == AS_OF
    assert actions.loc[0, "cost"] == 440.0 and actions.loc[0, "currency"] == "USD"


def test_cut_offs_ahead_say_not_dated_never_another_year(params):
    from opsanalysis import cutoffs

    ahead = cutoffs.event_cutoffs(params, "2020-01-27", 365)
    assert rs.cutoffs_note(ahead, "en") == (
        "FBA arrival cut-offs of the next 12 months: Prime Day not dated, Prime Big Deal Days "
        "not dated, Black Friday 2020-10-29, Christmas 2020-12-01.")
    assert rs.cutoffs_note(ahead, "zh") == (
        "未来 12 个月的 FBA 到仓截止日：Prime 会员日 未定日期、Prime 会员秋季特惠 未定日期、"
        + rs.cutoffs_note(ahead, "zh").split("未定日期、")[-1])
    assert "2025" not in rs.cutoffs_note(ahead, "zh")
    plan = _with_reasons(params)
    plan.cutoffs = ahead
    assert rs.shipment_plan_section(plan).notes == [rs.cutoffs_note(ahead, "en", plan.as_of)]
    # a cut-off already behind the plan date is listed as passed: every order misses it
    assert rs.cutoffs_note(ahead, "en", "2020-11-15").endswith(
        "Black Friday 2020-10-29 (passed: every order misses it), Christmas 2020-12-01.")
    assert rs.cutoffs_note(ahead.iloc[:0], "en") == (
        "FBA arrival cut-offs of the next 12 months: no event cut-off in the next 12 months.")

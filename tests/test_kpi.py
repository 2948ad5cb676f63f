"""Known-answer tests for opsanalysis.kpi: every KPI, grouping, periods, scorecard statuses."""

import math

import numpy as np
import pandas as pd
import pytest

from opsanalysis import kpi


def approx(value):
    return pytest.approx(value, rel=1e-12, abs=1e-12)


@pytest.fixture
def ads():
    """Two campaigns over two weeks; campaign B week 2 has clicks but no sales."""
    return pd.DataFrame({
        "date": pd.to_datetime(["2026-10-05", "2026-10-06", "2026-10-12", "2026-10-13"]),
        "campaign_name": ["A", "B", "A", "B"],
        "advertised_sku": ["s1", "s2", "s1", "s2"],
        "impressions": pd.array([1000, 500, 0, 200], dtype="Int64"),
        "clicks": pd.array([50, 10, 0, 8], dtype="Int64"),
        "spend": [25.0, 8.0, 0.0, 6.0],
        "sales": [100.0, 40.0, 0.0, 0.0],
        "orders": pd.array([5, 1, 0, 0], dtype="Int64"),
        "currency": ["USD"] * 4,
        "attribution_days": pd.array([7] * 4, dtype="Int64"),
    })


@pytest.fixture
def business_report():
    return pd.DataFrame({
        "period_start": pd.to_datetime(["2026-10-01", "2026-10-01", "2026-09-01"]),
        "parent_asin": ["P1", "P1", "P1"],
        "child_asin": ["A1", "A2", "A1"],
        "sku": ["s1", "s2", "s1"],
        "sessions": pd.array([100, 0, 50], dtype="Int64"),
        "page_views": pd.array([200, 0, 100], dtype="Int64"),
        "buy_box_percentage": [0.9, np.nan, 0.5],
        "units_ordered": pd.array([10, 0, 5], dtype="Int64"),
        "ordered_product_sales": [200.0, 0.0, 100.0],
        "currency": ["USD"] * 3,
    })


@pytest.fixture
def products():
    return pd.DataFrame({"sku": ["s1", "s2"], "asin": ["A1", "A2"], "category": ["Home", "Pet"],
                         "brand": ["Acme", "Acme"], "price": [20.0, 40.0],
                         "unit_cost": [5.0, 70.0], "cost_currency": ["USD", "CNY"],
                         "referral_fee_rate": [0.15, 0.15], "fba_fee": [4.0, 6.0]})


def test_ad_ratios_total(ads):
    row = kpi.acos(ads).iloc[0]
    assert row["spend"] == 39.0 and row["sales"] == 140.0
    assert row["acos"] == approx(39 / 140)
    assert kpi.roas(ads)["roas"].iloc[0] == approx(140 / 39)
    assert kpi.ctr(ads)["ctr"].iloc[0] == approx(68 / 1700)
    assert kpi.cpc(ads)["cpc"].iloc[0] == approx(39 / 68)
    assert kpi.conversion_rate(ads)["conversion_rate"].iloc[0] == approx(6 / 68)
    # currency and attribution window are always kept as keys
    assert set(kpi.acos(ads).columns) >= {"currency", "attribution_days"}


def test_ad_ratios_by_campaign_and_week(ads):
    table = kpi.acos(ads, by="campaign", freq="W").set_index(["campaign", "period"])
    # Amazon's weeks start on Sunday: Monday 2026-10-05 is in the week of Sunday 2026-10-04
    assert table.loc[("A", pd.Timestamp("2026-10-04")), "acos"] == approx(0.25)
    # week 2: A has neither spend nor sales, B spend without sales -> NaN, never 0 or inf
    assert math.isnan(table.loc[("A", pd.Timestamp("2026-10-11")), "acos"])
    assert math.isnan(table.loc[("B", pd.Timestamp("2026-10-11")), "acos"])
    assert table.loc[("B", pd.Timestamp("2026-10-04")), "acos"] == approx(0.2)
    cpc = kpi.cpc(ads, by="sku", freq="W").set_index(["sku", "period"])["cpc"]
    assert math.isnan(cpc[("s1", pd.Timestamp("2026-10-11"))])
    assert cpc[("s2", pd.Timestamp("2026-10-11"))] == approx(0.75)


def test_grouping_by_category_uses_the_product_master(ads, products):
    table = kpi.acos(ads, by="category", products=products).set_index("category")
    assert table.loc["Home", "acos"] == approx(25 / 100)
    assert table.loc["Pet", "acos"] == approx(14 / 40)
    with pytest.raises(KeyError):
        kpi.acos(ads, by="category")


def test_marketplace_grouping_from_attrs(ads):
    ads.attrs["marketplace"] = "US"
    assert kpi.acos(ads, by="marketplace")["marketplace"].tolist() == ["US"]


def test_currencies_are_never_summed_together(ads):
    ads.loc[1, "currency"] = "GBP"
    table = kpi.acos(ads)
    assert len(table) == 2
    assert table.set_index("currency").loc["GBP", "acos"] == approx(0.2)


def test_traffic_and_conversion(business_report):
    table = kpi.traffic(business_report, by="asin", freq="M").set_index(["asin", "period"])
    october = table.loc[("A1", pd.Timestamp("2026-10-01"))]
    assert october["unit_session_percentage"] == approx(0.1)
    assert october["buy_box_percentage"] == approx(0.9)
    assert october["average_selling_price"] == approx(20.0)
    empty = table.loc[("A2", pd.Timestamp("2026-10-01"))]
    assert math.isnan(empty["unit_session_percentage"])
    assert math.isnan(empty["average_selling_price"])
    parent = kpi.unit_session_percentage(business_report, by="parent").iloc[0]
    assert parent["unit_session_percentage"] == approx(15 / 150)


def test_buy_box_is_page_view_weighted(business_report):
    total = kpi.buy_box_percentage(business_report).iloc[0]
    assert total["buy_box_percentage"] == approx((0.9 * 200 + 0.5 * 100) / 300)


def test_year_over_year_and_previous_period():
    table = pd.DataFrame({"sku": ["a"] * 3, "period": pd.to_datetime(
        ["2025-10-01", "2026-09-01", "2026-10-01"]), "sales": [100.0, 150.0, 130.0]})
    yoy = kpi.compare_periods(table, "sales", "M", "yoy").set_index("period")
    assert yoy.loc["2026-10-01", "sales_change"] == approx(0.3)
    assert math.isnan(yoy.loc["2026-09-01", "sales_change"])
    previous = kpi.compare_periods(table, "sales", "M").set_index("period")
    assert previous.loc["2026-10-01", "sales_previous"] == 150.0
    # 2025-10 has no September 2025 before it
    assert math.isnan(previous.loc["2025-10-01", "sales_previous"])


def test_break_even_acos_converts_costs_and_refuses_mixing(products):
    table = kpi.break_even_acos_table(products, {"CNY": 0.2}, "USD").set_index("sku")
    assert table.loc["s1", "break_even_acos"] == approx((20 - 5 - 3 - 4) / 20)
    assert table.loc["s2", "break_even_acos"] == approx((40 - 14 - 6 - 6) / 40)
    with pytest.raises(ValueError, match="CNY"):
        kpi.break_even_acos_table(products, None, "USD")
    assert math.isnan(kpi.break_even_acos(0.0, 1.0, 0.15, 1.0))


def test_tacos_and_organic_sales(ads, business_report):
    october = business_report[business_report["period_start"] >= "2026-10-01"]
    assert kpi.tacos(ads, october)["tacos"].iloc[0] == approx(39 / 200)
    organic = kpi.organic_sales(ads, october).iloc[0]
    assert organic["advertised_sales"] == 140.0
    assert organic["organic_sales"] == 60.0
    assert organic["organic_share"] == approx(0.3)
    per_sku = kpi.tacos(ads, october, by="sku").set_index("sku")
    assert per_sku.loc["s1", "tacos"] == approx(25 / 200)
    assert math.isnan(per_sku.loc["s2", "tacos"])  # spend without any sales
    ads.loc[0, "currency"] = "EUR"
    with pytest.raises(ValueError, match="currency"):
        kpi.tacos(ads, october)


def test_tacos_refuses_mixed_attribution_windows(ads, business_report):
    ads["attribution_days"] = pd.array([7, 14, 7, 14], dtype="Int64")
    with pytest.raises(ValueError, match="attribution_days"):
        kpi.tacos(ads, business_report)


@pytest.fixture
def orders():
    return pd.DataFrame({
        "amazon_order_id": ["o1", "o2", "o3", "o4"],
        "purchase_date": pd.to_datetime(["2026-10-02 10:00", "2026-10-03 23:30", "2026-10-05 01:00",
                                         "2026-10-06 12:00"]).tz_localize(
                                             "America/Los_Angeles"),
        "order_status": ["Shipped", "Shipped", "Cancelled", "Shipped"],
        "sales_channel": ["Amazon.com"] * 3 + ["Non-Amazon"],
        "sku": ["s1", "s1", "s2", "s1"],
        "asin": ["A1", "A1", "A2", "A1"],
        "quantity": pd.array([2, 3, 1, 9], dtype="Int64"),
        "item_price": [40.0, 60.0, 40.0, 180.0],
        "currency": ["USD"] * 4,
    })


def test_sales_lines_drop_cancelled_and_mcf(orders):
    lines = kpi.sales_lines(orders)
    assert lines["units"].sum() == 5
    assert lines["date"].iloc[1] == pd.Timestamp("2026-10-03")  # local calendar date kept


def test_return_rate_by_units_and_value(orders):
    returns = pd.DataFrame({
        "return_date": pd.to_datetime(["2026-10-10"]).tz_localize("UTC"),
        "order_id": ["o1"], "sku": ["s1"], "quantity": pd.array([1], dtype="Int64"),
        "reason": ["DEFECTIVE"]})
    mfn = pd.DataFrame({"order_id": ["o2"], "return_request_date": pd.to_datetime(["2026-10-11"]),
                        "sku": ["s1"], "return_quantity": pd.array([1], dtype="Int64"),
                        "return_reason": ["NO_LONGER_NEEDED"], "refunded_amount": [15.0]})
    units = kpi.return_rate([returns, mfn], orders).iloc[0]
    assert units["return_rate"] == approx(2 / 5)
    value = kpi.return_rate([returns, mfn], orders, basis="value").iloc[0]
    # FBA return valued at the average price 100/5 = 20, MFN at its refund of 15
    assert value["return_rate"] == approx((20 + 15) / 100)
    reasons = kpi.return_reasons([returns, mfn])
    assert set(reasons["reason"]) == {"DEFECTIVE", "NO_LONGER_NEEDED"}
    assert reasons["share"].sum() == approx(1.0)
    by_sku = kpi.return_rate(returns, orders, by="sku").set_index("sku")
    assert by_sku.loc["s1", "return_rate"] == approx(1 / 5)


def test_account_health_rates_recompute_and_keep_latest():
    health = pd.DataFrame({
        "metric": ["order_defect_rate", "order_defect_rate", "account_health_rating",
                   "late_shipment_rate"],
        "value": [0.5, 0.02, 250.0, 0.3],
        "numerator": [1, 3, np.nan, 0], "denominator": [100, 200, np.nan, 0],
        "date_to": pd.to_datetime(["2026-09-30", "2026-10-31", "2026-10-31", "2026-10-31"])})
    table = kpi.account_health_rates(health).set_index("metric")
    assert table.loc["order_defect_rate", "value"] == approx(0.015)
    assert table.loc["account_health_rating", "value"] == 250.0
    assert math.isnan(table.loc["late_shipment_rate", "value"])  # no orders in the window


def test_days_of_cover_sell_through_and_turnover(orders):
    inventory = pd.DataFrame({"sku": ["s1", "s2"], "asin": ["A1", "A2"],
                              "afn_fulfillable_quantity": pd.array([50, 7], dtype="Int64")})
    cover = kpi.days_of_cover(inventory, orders, "2026-10-10", lookback_days=10).set_index("sku")
    assert cover.loc["s1", "days_of_cover"] == approx(50 / 0.5)
    assert math.isnan(cover.loc["s2", "days_of_cover"])  # nothing sold: cover unknown
    history = pd.DataFrame({"date": pd.date_range("2026-10-01", periods=10).repeat(1),
                            "sku": ["s1"] * 10, "quantity": pd.array([20] * 10, dtype="Int64")})
    table = kpi.sell_through(history, orders, "2026-10-10", lookback_days=10).set_index("sku")
    assert table.loc["s1", "sell_through"] == approx(5 / 20)
    assert table.loc["s1", "inventory_turnover"] == approx(5 / 20 * 36.5)
    total = kpi.sell_through(history, orders, "2026-10-10", lookback_days=10, by=None)
    assert total["sell_through"].iloc[0] == approx(5 / 20)


def test_derive_columns():
    frame = pd.DataFrame({"impressions": [100, 0], "clicks": [4, 0], "spend": [2.0, 0.0],
                          "sales": [0.0, 0.0], "orders": [0, 0]})
    derived = kpi.derive_columns(frame)
    assert derived.loc[0, "ctr"] == 0.04 and derived.loc[0, "cpc"] == 0.5
    assert math.isnan(derived.loc[0, "acos"]) and derived.loc[0, "roas"] == 0.0
    assert derived.loc[1].drop("roas").isna().all()


def test_probability_of_sale_matches_the_rule_of_thumb():
    cvr = 0.1
    assert kpi.probability_of_sale(1 / cvr, cvr) == pytest.approx(1 - 0.9 ** 10)
    assert kpi.probability_of_sale(3 / cvr, cvr) == pytest.approx(0.958, abs=1e-3)


# ------------------------------------------------------------------------------------------
# scorecard
# ------------------------------------------------------------------------------------------

#: Sales window of the days-of-cover rules in these tests [days].
COVER_WINDOW = 30

RULES = {
    "order_defect_rate": {"value": 0.01, "direction": "below", "unit": "fraction",
                          "source": "Amazon", "checked": "2026-01"},
    "buy_box_share": {"value": 0.80, "direction": "at_least", "unit": "fraction",
                      "source": "articles", "checked": "2026-01"},
    "acos": {"min": 0.15, "max": 0.25, "direction": "within", "unit": "fraction",
             "source": "articles", "checked": "2026-01"},
    "account_health_rating": {"min": 200, "max": 1000, "direction": "within", "unit": "score",
                              "source": "Amazon", "checked": "2026-01"},
    "ipi_score": {"value": 400, "direction": "at_least", "unit": "score", "source": "x",
                  "checked": "2026-01"},
    "referral_fee_rate": {"min": 0.08, "max": 0.15, "direction": "info", "source": "x"},
}


@pytest.mark.parametrize("value, expected", [
    (0.005, "good"), (0.0095, "watch"), (0.01, "breach"), (0.02, "breach"), (np.nan, "no_data")])
def test_status_below(value, expected):
    assert kpi.rule_status(value, RULES["order_defect_rate"], 0.1) == expected


@pytest.mark.parametrize("value, expected", [
    (0.95, "good"), (0.83, "good"), (0.81, "watch"), (0.80, "watch"), (0.79, "breach")])
def test_status_at_least_share(value, expected):
    # a share: the watch band is 10 % of the room between the limit and 100 % (0.80 .. 0.82)
    assert kpi.rule_status(value, RULES["buy_box_share"], 0.1) == expected


@pytest.mark.parametrize("value, expected", [(4.5, "good"), (4.3, "watch"), (3.9, "breach")])
def test_status_at_least_ratio(value, expected):
    rule = {"value": 4, "direction": "at_least", "unit": "ratio"}
    assert kpi.rule_status(value, rule, 0.1) == expected


@pytest.mark.parametrize("value, expected", [
    (0.20, "good"), (0.155, "watch"), (0.245, "watch"), (0.26, "breach"), (0.10, "breach")])
def test_status_within(value, expected):
    assert kpi.rule_status(value, RULES["acos"], 0.1) == expected


def test_status_within_with_only_the_lower_edge_watched():
    rule = RULES["account_health_rating"]
    assert kpi.rule_status(990.0, rule, 0.1, "min") == "good"
    assert kpi.rule_status(250.0, rule, 0.1, "min") == "watch"
    assert kpi.rule_status(150.0, rule, 0.1, "min") == "breach"


def _scorecard_data(ads):
    health = pd.DataFrame({"metric": ["order_defect_rate"] * 2,
                           "value": [0.004, 0.012], "numerator": [2, 6],
                           "denominator": [500, 500],
                           "date_to": pd.to_datetime(["2026-09-30", "2026-10-31"])})
    report = pd.DataFrame({
        "period_start": pd.to_datetime(["2026-10-01", "2026-10-01", "2026-09-01"]),
        "sku": ["s1", "s2", "s1"], "child_asin": ["A1", "A2", "A1"],
        "sessions": [100, 100, 100], "page_views": [100, 300, 100],
        "buy_box_percentage": [1.0, 0.5, 0.9], "units_ordered": [10, 10, 10],
        "ordered_product_sales": [200.0, 200.0, 200.0]})
    september = ads.assign(date=ads["date"] - pd.Timedelta(days=30))
    september["spend"] = [20.0, 8.0, 0.0, 0.0]
    return {"account_health": health, "business_report_asin": report,
            "sp_campaign": pd.concat([september, ads], ignore_index=True)}


def test_scorecard_statuses_trends_and_sources(ads):
    settings = {"scorecard_watch_margin": 0.1, "scorecard_watch_edges": {}}
    card = kpi.scorecard(_scorecard_data(ads), RULES, "2026-10", settings,
                         velocity_window_days=COVER_WINDOW).set_index("rule_id")
    assert "referral_fee_rate" not in card.index  # info rules are facts, not targets
    odr = card.loc["order_defect_rate"]
    assert odr["value"] == approx(0.012) and odr["status"] == "breach"
    assert odr["previous"] == approx(0.004) and odr["trend"] == "worsening"
    assert odr["source"] == "Amazon" and odr["target_max"] == 0.01
    buy_box = card.loc["buy_box_share"]
    assert buy_box["value"] == approx((100 + 150) / 400) and buy_box["status"] == "breach"
    assert buy_box["trend"] == "worsening"
    acos = card.loc["acos"]
    assert acos["value"] == approx(39 / 140) and acos["status"] == "breach"
    assert acos["previous"] == approx(28 / 140) and acos["trend"] == "worsening"
    assert card.loc["ipi_score", "status"] == "not_measured"
    assert card.loc["account_health_rating", "status"] == "no_data"


def test_breach_drivers_rank_the_skus(ads):
    data = _scorecard_data(ads)
    drivers = kpi.breach_drivers(data, "buy_box_share", RULES, "2026-10", "sku",
                                 {"scorecard_watch_margin": 0.1}, velocity_window_days=COVER_WINDOW)
    assert drivers["sku"].tolist() == ["s2", "s1"]
    assert drivers.loc[0, "status"] == "breach"
    # s2 misses 0.8 x 300 - 150 = 90 featured page views
    assert drivers.loc[0, "excess"] == approx(90.0)
    acos = kpi.breach_drivers(data, "acos", RULES, "2026-10", "campaign",
                              velocity_window_days=COVER_WINDOW)
    assert acos.loc[0, "campaign"] == "B" and acos.loc[0, "excess"] == approx(14 - 0.25 * 40)


def test_scorecard_combines_channel_odr_and_reads_undated_rating():
    health = pd.DataFrame({
        "metric": ["order_defect_rate_afn", "order_defect_rate_mfn", "account_health_rating"],
        "value": [0.002, 0.02, 150.0], "numerator": [np.nan, np.nan, np.nan],
        "denominator": [1000.0, 100.0, np.nan],
        "date_to": pd.to_datetime(["2026-10-31", "2026-10-31", None])})
    rules = {key: RULES[key] for key in ("order_defect_rate", "account_health_rating")}
    card = kpi.scorecard({"account_health": health}, rules, "2026-10",
                         {"scorecard_watch_margin": 0.1,
                          "scorecard_watch_edges": {"account_health_rating": "min"}},
                         velocity_window_days=COVER_WINDOW)
    card = card.set_index("rule_id")
    assert card.loc["order_defect_rate", "value"] == approx((2 + 2) / 1100)
    assert card.loc["order_defect_rate", "denominator"] == 1100
    assert card.loc["account_health_rating", "value"] == 150.0
    assert card.loc["account_health_rating", "status"] == "breach"


def test_days_of_cover_rule_uses_the_stock_of_each_window(orders):
    history = pd.DataFrame({
        "date": pd.to_datetime(["2026-09-30", "2026-10-31"]), "sku": ["s1", "s1"],
        "quantity": pd.array([100, 40], dtype="Int64"),
        "detailed_disposition": ["SELLABLE", "SELLABLE"]})
    rule = {"days_of_cover": {"min": 30, "max": 45, "direction": "within", "unit": "days"}}
    orders.attrs["period"] = (pd.Timestamp("2026-09-01"), pd.Timestamp("2026-10-31"))
    data = {"inventory_history": history, "all_orders": orders}
    card = kpi.scorecard(data, rule, "2026-10", velocity_window_days=30).iloc[0]
    # October sells 5 units (cancelled and MCF lines excluded): 5 / 30 per day
    assert card["value"] == approx(40 / (5 / 30))
    assert math.isnan(card["previous"])  # September: 100 units on hand but nothing sold
    assert card["status"] == "breach"
    # the sales window is the caller's (params replenishment.velocity_window_days), not a fixed 30
    card = kpi.scorecard(data, rule, "2026-10", velocity_window_days=31).iloc[0]
    assert card["value"] == approx(40 / (5 / 31))


def test_drill_down_lists_the_breaching_groups(ads):
    data = _scorecard_data(ads)
    card = kpi.scorecard(data, RULES, "2026-10", velocity_window_days=COVER_WINDOW)
    table = kpi.drill_down(data, card, RULES, "2026-10", top=1, velocity_window_days=COVER_WINDOW)
    # the ODR breach cannot be split by SKU or campaign; the others can
    assert set(table["rule_id"]) == {"buy_box_share", "acos"}
    assert table.set_index("rule_id").loc["buy_box_share", "group"] == "s2"
    assert table.set_index("rule_id").loc["acos", "grouping"] == "campaign"


def test_plots_return_axes(ads):
    from opsanalysis import plotting

    data = _scorecard_data(ads)
    card = kpi.scorecard(data, RULES, "2026-10", velocity_window_days=COVER_WINDOW)
    assert len(plotting.plot_scorecard(card).texts) == (card["status"] != "not_measured").sum()
    # the chart puts the scorecard's rule ids into words itself
    texts = [t.get_text() for t in plotting.plot_scorecard(card, language="zh").texts]
    assert any(t.startswith("订单缺陷率 (ODR):") for t in texts)
    weekly = kpi.acos(ads, freq="W")
    axes = plotting.plot_kpi_trend(weekly, "acos")
    assert len(axes.lines) == 1
    tacos = weekly.assign(tacos=weekly["acos"] / 2)
    assert len(plotting.plot_acos_tacos(weekly, tacos).lines) == 2
    reasons = pd.DataFrame({"reason": ["A", "B"], "quantity": [3.0, 1.0]})
    assert len(plotting.plot_return_reasons(reasons).patches) == 2


def test_scorecard_holds_codes_that_all_have_labels(ads):
    from opsanalysis import labels

    data = _scorecard_data(ads)
    card = kpi.scorecard(data, RULES, "2026-10", velocity_window_days=COVER_WINDOW)
    drivers = kpi.drill_down(data, card, RULES, "2026-10", velocity_window_days=COVER_WINDOW)
    known = labels.all_labels()
    # no words in the analysis: the presentation layer adds them
    assert "label" not in card and "label" not in drivers
    assert set(card.columns) <= set(known)
    assert set(drivers.columns) <= set(known)
    assert set(card["status"]) | set(card["trend"].replace("", np.nan).dropna()) <= set(known)
    assert set(card["rule_id"]) <= set(known)
    worded = labels.add_labels(card, "rule_id", "zh")
    assert worded.set_index("rule_id").loc["order_defect_rate", "label"] == "订单缺陷率 (ODR)"
    assert list(labels.add_labels(drivers, "rule_id", "en").columns[:3]) == [
        "rule_id", "label", "grouping"]


def test_a_missing_report_is_no_data_and_a_missing_column_an_error():
    rule = {key: RULES[key] for key in ("order_defect_rate",)}
    card = kpi.scorecard({}, rule, "2026-10", velocity_window_days=COVER_WINDOW).iloc[0]
    assert card["status"] == "no_data"
    # the report is there but lacks a column the measure reads: an error, not "no data"
    health = pd.DataFrame({"metric": ["order_defect_rate"], "value": [0.004]})
    with pytest.raises(KeyError, match="date_to"):
        kpi.scorecard({"account_health": health}, rule, "2026-10",
                      velocity_window_days=COVER_WINDOW)


def test_a_key_error_inside_a_measure_is_raised(monkeypatch, ads):
    from opsanalysis.kpi import scoring

    def broken(data, start, end, by, products, settings):
        return {}["a key the measure's own code lacks"]

    monkeypatch.setitem(scoring._MEASURES, "acos", broken)
    start, end = pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-31")
    with pytest.raises(KeyError, match="the measure's own code lacks"):
        kpi.measure(_scorecard_data(ads), "acos", start, end)
    with pytest.raises(KeyError):
        kpi.drill_down(_scorecard_data(ads), pd.DataFrame({"rule_id": ["acos"],
                                                           "status": ["breach"]}),
                       RULES, "2026-10", velocity_window_days=COVER_WINDOW)


def test_drill_down_skips_a_grouping_the_data_cannot_give(ads):
    # the buy box report has SKUs but no campaigns: by campaign the rule cannot be split
    data = _scorecard_data(ads)
    start, end = pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-31")
    assert kpi.measure(data, "buy_box_share", start, end, by="campaign") is None
    drivers = kpi.breach_drivers(data, "buy_box_share", RULES, "2026-10", "campaign",
                                 velocity_window_days=COVER_WINDOW)
    assert drivers.empty and list(drivers.columns)[0] == "campaign"


def test_average_selling_price_and_totals(orders):
    asp = kpi.average_selling_price(orders, by="sku").set_index("sku")
    assert asp.loc["s1", "average_selling_price"] == approx(100 / 5)
    assert asp.loc["s1", "units"] == 5
    weekly = kpi.totals(kpi.sales_lines(orders), ["units", "sales"], freq="W")
    assert weekly["units"].tolist() == [5.0]  # Fri 2 Oct and Sat 3 Oct: one Amazon week
    assert weekly["period"].tolist() == [pd.Timestamp("2026-09-27")]


def test_organic_sales_per_sku_use_advertised_sku_sales(ads, business_report):
    october = business_report[business_report["period_start"] >= "2026-10-01"]
    ads = ads.assign(advertised_sku_sales=[80.0, 30.0, 0.0, 0.0])
    table = kpi.organic_sales(ads, october, by="sku").set_index("sku")
    assert table.loc["s1", "advertised_sales"] == 80.0
    assert table.loc["s1", "organic_sales"] == 120.0
    # s2 sold nothing in the Business Report but ads credit it 30: organic -30 stays visible
    assert table.loc["s2", "organic_sales"] == -30.0
    assert math.isnan(table.loc["s2", "organic_share"])


def test_return_reasons_by_sku():
    returns = pd.DataFrame({"return_date": pd.to_datetime(["2026-10-01"] * 3),
                            "sku": ["a", "a", "b"], "quantity": [2, 1, 1],
                            "reason": ["DEFECTIVE", "OTHER", None]})
    table = kpi.return_reasons(returns, by="sku")
    assert table["reason"].tolist() == ["DEFECTIVE", "OTHER", "UNKNOWN"]
    assert table["share"].tolist() == [pytest.approx(2 / 3), pytest.approx(1 / 3), 1.0]


def test_acos_vs_break_even_needs_a_rate_for_foreign_costs(ads, products):
    rule = {"acos_vs_break_even": {"value": 1.0, "direction": "below", "unit": "ratio"}}
    data = {"sp_advertised_product": ads.assign(advertised_sku_sales=ads["sales"]),
            "product_master": products}
    card = kpi.scorecard(data, rule, "2026-10", velocity_window_days=COVER_WINDOW).iloc[0]
    assert card["status"] == "no_data"  # s2's cost is in CNY and no rate is given
    card = kpi.scorecard(data, rule, "2026-10", exchange_rates={"CNY": 0.2},
                         velocity_window_days=COVER_WINDOW).iloc[0]
    # break-even spend: s1 100 x 0.4 + s2 40 x 0.35 = 54; spend 39
    assert card["value"] == approx(39 / 54)
    assert card["status"] == "good"


def test_cost_exchange_rates_invert_the_opportunity_fx_section():
    rates = kpi.cost_exchange_rates({"CNY": {"rate": 8.0, "date": "2026-01-15"}, "EUR": {}})
    assert rates == {"CNY": 0.125}
    assert kpi.cost_exchange_rates({}) == {}


# ------------------------------------------------------------------------------------------
# coverage, channels, labels that agree (issues 14 and 15)
# ------------------------------------------------------------------------------------------

def test_sales_lines_leave_out_other_channels_and_count_them(orders):
    orders = orders.assign(sales_channel=["Amazon.com", "Non-Amazon MCF", "Non-Amazon",
                                          "Non-Amazon"])
    lines = kpi.sales_lines(orders)
    assert lines["units"].sum() == 2  # o2 is MCF, o3 cancelled (never counted), o4 a removal
    assert lines.attrs["excluded_units"] == 3 + 9
    assert kpi.non_marketplace_units(orders) == 12
    assert kpi.non_marketplace_units(orders, "2026-10-01", "2026-10-04") == 3
    blank = orders.assign(sales_channel=["", "", "", ""])
    assert kpi.sales_lines(blank)["units"].sum() == 14  # unknown channel counts as a sale


def _ads_days(first, days, spend, sales):
    dates = pd.date_range(first, periods=days, freq="D")
    frame = pd.DataFrame({"date": dates, "campaign_name": "A", "advertised_sku": "s1",
                          "spend": spend, "sales": sales, "clicks": 10, "orders": 1})
    frame.attrs["period"] = (dates[0], dates[-1])
    return frame


def test_scorecard_computes_a_partly_covered_window_on_its_covered_days():
    rules = {"acos": RULES["acos"],
             "return_rate": {"value": 0.03, "direction": "at_most", "unit": "fraction"}}
    ads = _ads_days("2026-10-19", 13, 3.0, 10.0)  # 13 of October's 31 days
    returns = pd.DataFrame({"return_date": pd.to_datetime(["2026-08-10"]), "sku": ["s1"],
                            "quantity": [1]})
    returns.attrs["period"] = (pd.Timestamp("2026-08-01"), pd.Timestamp("2026-08-31"))
    sales = pd.DataFrame({"period_start": pd.to_datetime(["2026-08-01", "2026-10-01"]),
                          "period_end": pd.to_datetime(["2026-08-31", "2026-10-31"]),
                          "sku": ["s1", "s1"], "units_ordered": [40, 50],
                          "ordered_product_sales": [400.0, 500.0]})
    data = {"sp_campaign": ads, "fba_returns": returns, "business_report_asin": sales}
    card = kpi.scorecard(data, rules, "2026-10", velocity_window_days=COVER_WINDOW)
    card = card.set_index("rule_id")
    assert card.loc["acos", "value"] == approx(0.3)
    assert card.loc["acos", "covered_days"] == 13 and card.loc["acos", "window_days"] == 31
    assert card.loc["acos", "coverage"] == approx(13 / 31)
    # the returns report covers August only: October is not covered, never a 0 % rate
    assert card.loc["return_rate", "status"] == "not_covered"
    assert math.isnan(card.loc["return_rate", "value"])
    months = kpi.return_rate_by_month(data, "2026-10-31", 3)
    assert months["status"].tolist() == ["measured", "not_covered", "not_covered"]
    assert months.loc[0, "return_rate"] == approx(1 / 40)


def test_days_of_cover_velocity_uses_the_covered_days_only(orders):
    history = pd.DataFrame({"date": pd.to_datetime(["2026-10-06"]), "sku": ["s1"],
                            "quantity": pd.array([50], dtype="Int64")})
    orders.attrs["period"] = (pd.Timestamp("2026-10-02"), pd.Timestamp("2026-10-06"))
    rule = {"days_of_cover": {"min": 30, "max": 45, "direction": "within", "unit": "days"}}
    card = kpi.scorecard({"inventory_history": history, "all_orders": orders}, rule,
                         ("2026-10-01", "2026-10-06"), velocity_window_days=30).iloc[0]
    # 5 units over the 5 days the orders cover: 1 a day, not 5 / 30
    assert card["value"] == approx(50.0)
    assert (card["covered_days"], card["window_days"]) == (5, 30)


def test_trend_words_agree_for_one_value_under_several_rules():
    rules = {"days_of_cover": {"min": 30, "max": 45, "direction": "within"},
             "days_of_cover_floor": {"value": 28, "direction": "at_least"},
             "excess_days_of_supply": {"value": 90, "direction": "at_most"}}
    words = {rule_id: kpi.scoring._trend(65.22, 70.0, rule) for rule_id, rule in rules.items()}
    assert words == {"days_of_cover": "improving", "days_of_cover_floor": "falling",
                     "excess_days_of_supply": "falling"}
    assert kpi.scoring._trend(20.0, 25.0, rules["days_of_cover_floor"]) == "worsening"
    assert kpi.scoring._trend(40.0, 50.0, rules["days_of_cover"]) == "improving"
    assert kpi.scoring._trend(40.0, 35.0, rules["days_of_cover"]) == "rising"


def test_drill_down_lists_only_groups_outside_target_with_the_plan(ads):
    data = _scorecard_data(ads)
    card = kpi.scorecard(data, RULES, "2026-10", velocity_window_days=COVER_WINDOW)
    table = kpi.drill_down(data, card, RULES, "2026-10", velocity_window_days=COVER_WINDOW)
    assert (table["status"] == "breach").all()
    assert table.loc[table["rule_id"] == "acos", "group"].tolist() == ["B"]  # A is within
    plan = pd.DataFrame({"sku": ["s1"], "status": ["order_now"], "reason": ["below_reorder"]})
    drivers = pd.DataFrame({"rule_id": ["days_of_cover", "acos"], "grouping": ["sku", "sku"],
                            "group": ["s1", "s1"]})
    matched = kpi.scoring._with_plan(drivers, plan)
    assert matched["plan_status"].tolist()[0] == "order_now"
    assert pd.isna(matched["plan_status"].iloc[1])  # only days-of-cover drivers point to it


# gross-margin stability from the profit report's monthly margins (issue 19)


def _margins():
    # margins 30 % (Aug), 31 % (Sep), 24 % (Oct): changes +1 and -7 points
    return pd.DataFrame({"month": pd.to_datetime(["2026-08-01", "2026-09-01", "2026-10-01"]),
                         "gross_margin": [0.30, 0.31, 0.24],
                         "margin_change": [np.nan, 0.01, -0.07],
                         "status": ["no_data", "good", "breach"]})


GROSS_MARGIN_RULE = {"gross_margin_stability": {"min": -0.05, "max": 0.05, "direction": "within",
                                                "unit": "fraction (change in margin)"}}


def test_gross_margin_stability_is_the_change_of_the_month_of_the_window():
    card = kpi.scorecard({}, GROSS_MARGIN_RULE, ("2026-10-02", "2026-10-31"),
                         {"gross_margins": _margins()}, velocity_window_days=30).iloc[0]
    assert card["value"] == pytest.approx(-0.07) and card["status"] == "breach"
    # the window before (2026-09-02 .. 2026-10-01) is mostly September: +1 point
    assert card["previous"] == pytest.approx(0.01)
    later = kpi.scorecard({}, GROSS_MARGIN_RULE, ("2026-09-01", "2026-09-30"),
                          {"gross_margins": _margins()}, velocity_window_days=30).iloc[0]
    assert later["value"] == pytest.approx(0.01) and later["status"] == "good"


def test_gross_margin_stability_without_settlements_or_outside_them():
    def status(settings, period=("2026-10-02", "2026-10-31")):
        return kpi.scorecard({}, GROSS_MARGIN_RULE, period, settings,
                             velocity_window_days=30).iloc[0]["status"]

    assert status({}) == "not_measured"  # the caller computes no margins
    assert status({"gross_margins": None}) == "no_data"  # no settlement report
    assert status({"gross_margins": _margins()}, ("2026-12-01", "2026-12-31")) == "not_covered"

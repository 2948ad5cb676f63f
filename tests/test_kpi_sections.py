"""The KPI sections: coverage words, rule values in their unit, and the sections built from
small hand-made scorecards, drivers, traffic, returns and account-health tables."""

import numpy as np
import pandas as pd
import pytest

from opsanalysis import kpi_sections

PERIOD = (pd.Timestamp("2026-10-04"), pd.Timestamp("2026-10-31"))


def card():
    return pd.DataFrame({
        "rule_id": ["acos", "days_of_cover", "return_rate", "ipi_score", "account_health_rating"],
        "value": [0.326, 66.66, np.nan, np.nan, 286.0],
        "target_min": [0.15, 30.0, np.nan, 400.0, 200.0],
        "target_max": [0.25, 45.0, 0.03, np.nan, 1000.0],
        "unit": ["fraction", "days", "fraction", "score", "score"],
        "status": ["breach", "breach", "not_covered", "not_measured", "good"],
        "trend": ["worsening", "improving", "", "", ""],
        "covered_days": [28.0, 30.0, 0.0, np.nan, np.nan],
        "window_days": [28.0, 30.0, 28.0, np.nan, np.nan]})


def test_coverage_words_full_partial_uncovered_and_snapshot():
    assert kpi_sections.coverage_words(30, 30) == kpi_sections.coverage_words(31, 30)
    assert "13" in kpi_sections.coverage_words(13, 30) and "30" in kpi_sections.coverage_words(13, 30)
    assert kpi_sections.coverage_words(0, 30) == "not covered"
    assert kpi_sections.coverage_words(np.nan, np.nan) == ""
    assert kpi_sections.coverage_words(0, 30, "zh") == "未覆盖"


def test_window_words_name_both_days():
    line = kpi_sections.window_words(pd.Timestamp("2026-10-04"), pd.Timestamp("2026-10-31"))
    assert "2026-10-04" in line and "2026-10-31" in line


def test_rule_values_and_targets_read_in_their_unit():
    assert kpi_sections.rule_value_text(0.326, "fraction") == "32.6%"
    assert kpi_sections.rule_value_text(-0.0038, "fraction per period (change in TACoS)") == "-0.4%"
    assert kpi_sections.rule_value_text(66.66, "days") == "66.7 days"
    assert kpi_sections.rule_value_text(286.0, "score") == "286"
    assert kpi_sections.rule_value_text(np.nan, "days", language="zh") == "未估计"
    assert kpi_sections.rule_target_text(30, 45, "days") == "30.0 days – 45.0 days"
    assert kpi_sections.rule_target_text(np.nan, 0.03, "fraction") == "at most 3.0%"
    assert kpi_sections.rule_target_text(0.95, np.nan, "fraction", language="zh") == "不低于 95.0%"


def test_scorecard_section_counts_breaches_and_shows_measured_rules_only():
    section = kpi_sections.scorecard_section(card(), PERIOD, "USD")
    # return_rate is shown without a value (window not covered): 3 of the 4 rules are measured
    assert section.finding == ("2026-10-04 – 2026-10-31: 3 of 4 rules measured, 2 in breach of "
                               "their target and 0 on watch.")
    zh = kpi_sections.scorecard_section(card(), PERIOD, "USD", language="zh")
    assert zh.finding == "2026-10-04 – 2026-10-31：4 项规则中已衡量 3 项，2 项超标，0 项需关注。"
    assert list(section.table["rule_id"]) == ["acos", "days_of_cover", "return_rate",
                                              "account_health_rating"]
    assert list(section.table["value"]) == ["32.6%", "66.7 days", "not estimated", "286"]
    assert list(section.table["coverage"]) == ["28 days", "30 days", "not covered", "—"]
    text = section.check_text()
    assert "nan" not in text and "Breach" in text and "ACOS" in text
    assert section.figure is not None


def test_scorecard_section_without_any_value_says_what_it_needs():
    empty = card().assign(value=np.nan)
    section = kpi_sections.scorecard_section(empty, PERIOD, found="niche")
    assert section.table is None and "niche" in section.finding


def test_drivers_table_units_and_plan_status():
    drivers = pd.DataFrame({
        "rule_id": ["days_of_cover", "acos"], "grouping": ["sku", "sku"],
        "group": ["HL-1", "HL-2"], "value": [284.3, 0.372], "status": ["breach", "breach"],
        "excess": [367.0, 256.8575], "plan_status": ["aged", np.nan],
        "plan_reason": ["aged_units", np.nan]})
    table = kpi_sections.drivers_table(drivers, card(), "USD")
    assert table.to_dict("records") == [
        {"rule_id": "days_of_cover", "group": "HL-1", "value": "284.3 days", "excess": "367",
         "plan_status": "aged", "plan_reason": "aged_units"},
        {"rule_id": "acos", "group": "HL-2", "value": "37.2%", "excess": "256.86 USD",
         "plan_status": "—", "plan_reason": "—"}]
    section = kpi_sections.drivers_section(drivers, card(), PERIOD, "USD", "zh")
    assert "Aged" not in section.check_text() and "nan" not in section.check_text()


def test_traffic_section_lists_latest_week_first_and_needs_a_business_report():
    traffic = pd.DataFrame({"period": pd.to_datetime(["2026-10-18", "2026-10-25"]),
                            "ordered_product_sales": [1000.0, 1234.4], "sessions": [90.0, 100.0],
                            "unit_session_percentage": [0.1, 0.125],
                            "buy_box_percentage": [0.9, 0.95]})
    section = kpi_sections.traffic_section(traffic, "JPY")
    assert section.finding == ("Week of 2026-10-25: sales 1,234 JPY, 100 sessions, conversion "
                               "12.5%, buy box 95.0%.")
    assert section.shown_table().iloc[0].tolist() == ["2026-10-25", "1,234", "100", "12.5%",
                                                      "95.0%"]
    missing = kpi_sections.traffic_section(None, "USD", found="all_orders")
    assert missing.table is None and "all_orders" in missing.finding


def test_returns_section_never_shows_an_uncovered_month_as_zero():
    monthly = pd.DataFrame({
        "period": pd.to_datetime(["2026-09-01", "2026-10-01"]),
        "status": ["not_covered", "measured"], "return_rate": [np.nan, 0.025],
        "returned": [np.nan, 1.0], "ordered": [np.nan, 40.0],
        "covered_days": [0, 31], "window_days": [30, 31]})
    reasons = pd.DataFrame({"reason": ["DEFECTIVE", "UNWANTED_ITEM"], "quantity": [1.0, 3.0],
                            "share": [0.25, 0.75]})
    section = kpi_sections.returns_section(monthly, reasons, "zh")
    assert section.notes == ["2026-09：退货率未覆盖。"]
    assert section.finding == "2026-10：退货率 2.5%（40 件中退 1 件）；最多的退货原因：不想要了。"
    assert list(section.table["reason"]) == ["unwanted_item", "defective"]
    lines = kpi_sections.return_month_lines(monthly)
    assert lines[1] == "2026-10: return rate 2.5% (1 of 40 units, 31 days)."


def test_account_health_section_rates_in_percent_and_unreported_named():
    rates = pd.DataFrame({"metric": ["order_defect_rate_afn", "document_requests",
                                     "account_status"], "value": [0.0037, 0.0, np.nan],
                          "date_to": pd.to_datetime(["2026-10-31", "2026-10-31", None])})
    section = kpi_sections.account_health_section(rates)
    assert section.table.to_dict("list") == {"metric": ["order_defect_rate_afn",
                                                        "document_requests"],
                                             "value": ["0.4%", "0"]}
    assert section.notes == ["Not reported: Account status."]
    assert section.finding.startswith("Latest figures Amazon reported, as of 2026-10-31")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_sections_without_their_reports_say_what_they_need(language):
    assert kpi_sections.account_health_section(None, language, "x").table is None
    monthly = pd.DataFrame({"period": pd.to_datetime(["2026-10-01"]), "status": ["no_data"]})
    assert kpi_sections.returns_section(monthly, None, language, found="x").table is None

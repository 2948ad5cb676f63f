"""The opportunity report's sections on a small hand-made report context: this week's actions
in priority order with their reasons in words, the matrix and loss-making tables, sentences
for missing reports, the workbook tables, and the notebook's shape (one call per section)."""

import ast
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pandas as pd

from opsanalysis import opportunity_sections as sections

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "opportunity_report.ipynb"
PERIOD = (pd.Timestamp("2026-10-04"), pd.Timestamp("2026-10-31"))


class Report(SimpleNamespace):
    def warn(self, message):
        self.warnings.append(message)


def report(language="en"):
    return Report(marketplace=SimpleNamespace(code="US", currency="USD"), language=language,
                  params={"ads": {"negative_min_probability_of_sale": 0.86},
                          "opportunity": {"top_n": 3}}, warnings=[])


def card():
    return pd.DataFrame({
        "rule_id": ["acos", "days_of_cover", "buy_box_share"], "value": [0.326, 66.7, 0.98],
        "target_min": [0.15, 30.0, 0.8], "target_max": [0.25, 45.0, np.nan],
        "unit": ["fraction", "days", "fraction"], "status": ["breach", "breach", "good"],
        "trend": ["", "", ""], "covered_days": [28.0, 13.0, 28.0],
        "window_days": [28.0, 30.0, 28.0]})


def drivers():
    # 142.15 units on hand / 0.5 units a day over the last 30 days = 284.3 days; the plan's
    # forecast of 2.3 units a day gives 61.8 days
    return pd.DataFrame({"rule_id": ["days_of_cover"], "grouping": ["sku"], "group": ["HL-1"],
                         "numerator": [142.15], "denominator": [0.5],
                         "value": [284.3], "status": ["breach"], "excess": [367.0],
                         "plan_status": ["aged"], "plan_reason": ["aged_units"],
                         "plan_days_of_cover": [61.8], "plan_daily_rate": [2.3]})


def loss():
    return pd.DataFrame({
        "sku": ["HL-9"], "category": ["Storage"], "freight_mode": ["sea"], "price": [11.99],
        "head_haul_freight": [3.38], "unit_margin": [-2.31], "margin_rate": [-0.193],
        "currency": ["USD"], "margin_air": [-11.8], "margin_sea": [-2.31],
        "loses_money_every_mode": [True]})


def ad_actions():
    negatives = pd.DataFrame({
        "customer_search_term": ["keep", "small", "big"], "clicks": [90.0, 40.0, 73.0],
        "spend": [100.0, 50.37, 85.27], "p_sale_expected": [0.99, 0.997, 0.9995],
        "action": ["rule_negates_evidence_keeps", "add_negative_exact", "add_negative_exact"]})
    harvest = pd.DataFrame({"role": ["new_keyword", "source_ad_group"],
                            "action": ["add_exact_keyword", "negate_in_source_with_harvest"],
                            "customer_search_term": ["mat", "mat"], "orders": [32.0, 32.0],
                            "acos": [0.07, 0.07]})
    bids = pd.DataFrame({"action": ["lower", "lower", "raise", "hold"],
                         "reason": ["acos_above_target", "acos_above_target",
                                    "acos_below_target", "acos_within_band"]})
    return {"negatives": negatives, "harvest": harvest, "bids": bids}


def inputs(**changes):
    values = dict(period=PERIOD, found="all_orders", card=card(), drivers=drivers(),
                  loss_making=loss(), ad_actions=ad_actions(), velocity_window_days=30)
    return sections.OpportunityInputs(**{**values, **changes})


def test_actions_in_priority_order_with_reasons_in_words():
    table = sections.action_table(inputs(), "USD")
    assert list(table["priority"]) == list(range(1, 9))
    assert list(table["action"]) == ["fix_breach", "fix_breach", "stop_loss",
                                     "add_negative_exact", "add_negative_exact",
                                     "add_exact_keyword", "lower", "raise"]
    assert list(table["item"]) == ["acos", "days_of_cover", "HL-9", "big", "small", "mat",
                                   "2 bid changes", "1 bid change"]
    assert table["reason"][1] == ("66.7 days against 30.0 days – 45.0 days; largest driver "
                                  "HL-1 (284.3 days on the last 30 days' sales); plan: Aged "
                                  "with 61.8 days on the forecast of 2.30 units/day, Units aged "
                                  "181+ days")
    assert table["reason"][2] == ("landed margin -2.31 USD per unit (-19.3%) by Sea; loses "
                                  "money by every freight mode")
    assert table["reason"][3] == "73 clicks, 85.27 USD spent, no order; chance of a sale 100.0%"
    assert table["reason"][5] == "32 orders at ACOS 7.0%"
    assert list(table["sheet"]) == ["scorecard", "breach_drivers", "loss_making_skus",
                                    "negatives", "negatives", "harvest", "bids", "bids"]


def test_actions_section_shows_codes_in_words_and_whole_priorities():
    section = sections.actions(report("zh"), inputs(), top=3)
    shown = section.shown_table()
    assert list(shown["优先级"]) == [str(i) for i in range(1, 9)]
    assert shown["操作"][0] == "使其回到目标范围内" and shown["对象"][0].startswith("广告")
    assert "；" in section.table["reason"][1] and "另有 5 行" in section.html()
    assert section.sheet == "actions" and "nan" not in section.check_text()


def test_partial_coverage_is_warned():
    context = report()
    sections._warn_partial_coverage(context, card())
    assert context.warnings == ["days_of_cover over 13 of 30 days"]


def test_matrix_table_ranges_and_estimated_inputs_in_words():
    matrix = pd.DataFrame({
        "category": ["Garden", "Pets"], "score": [0.2, 1.2], "rank": [2, 1],
        "rank_low": [2, 1], "rank_high": [3, 1], "p_top_n": [0.99, 1.0],
        "growth": [-0.07, 0.36], "margin_rate": [0.3, 0.26], "cr5": [0.37, 0.26],
        "hhi_lower": [290.0, np.nan], "hhi_upper": [1330.0, np.nan],
        "concentration_level": ["unconcentrated", "unconcentrated"],
        "rests_on_estimate": [True, False], "estimated_inputs": ["market_growth, launch", ""]})
    table = sections.matrix_table(matrix, "zh")
    assert list(table["category"]) == ["Pets", "Garden"]
    assert list(table["rank_band"]) == ["1 – 1", "2 – 3"]
    assert list(table["hhi"]) == ["—", "290 – 1,330"]
    assert list(table["estimated_inputs"]) == ["—", "市场增长, 新品推出"]


def test_loss_making_section_names_each_sku_with_its_reason():
    section = sections.loss_making(report(), inputs())
    assert section.finding.startswith("1 SKU losing money") and "1 of them" in section.finding
    assert section.table["reason"][0].endswith("loses money by every freight mode")
    assert section.shown_table()["Landed margin (%)"][0] == "-19.3%"
    none = sections.loss_making(report(), inputs(loss_making=loss().iloc[:0]))
    assert none.table is None and none.finding == "No SKU loses money at its own freight mode."


def test_sections_without_their_reports_say_what_they_need():
    bare = inputs(loss_making=None, ad_actions={}, matrix=None)
    (only,) = sections.search_term_actions(report(), bare)
    assert only.table is None and "search term report" in only.finding
    assert sections.category_matrix(report(), bare).finding.startswith("Needs a product master")
    assert sections.loss_making(report(), bare).table is None


def test_workbook_tables_keep_the_sheet_names():
    tables = sections.workbook_tables(report(), inputs(matrix=pd.DataFrame({"a": [1]}),
                                                       unit_margins=pd.DataFrame()),
                                      pd.DataFrame({"priority": [1]}))
    assert list(tables) == ["actions", "scorecard", "breach_drivers", "negatives", "harvest",
                            "bids", "opportunity_matrix", "unit_margins", "loss_making_skus"]
    assert "label" in tables["scorecard"]


def test_notebook_is_one_call_per_section():
    notebook = nbformat.read(str(NOTEBOOK), as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert len(code) <= 15
    for cell in code:
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.startswith("%"))
        nodes = list(ast.walk(ast.parse(source)))
        assert not any(isinstance(n, ast.For | ast.While | ast.If | ast.IfExp
                                  | ast.comprehension | ast.FunctionDef | ast.Lambda)
                       for n in nodes), cell.source
    checked = [c.source for c in code if "nbval-check-output" in c.metadata.get("tags", [])]
    assert any("actions" in s for s in checked) and any("scorecard" in s for s in checked)
    assert code[-1].source == "report.raise_for_unreadable_files()"
    assert "write_tables" in code[-2].source


def test_cover_drivers_say_which_velocity_each_figure_uses():
    # the real US folder's 1-bm-18: 900 days on 30-day sales, "order now" at 62 days on the
    # plan's forecast; both stand in the table with their basis
    extra = pd.DataFrame({"rule_id": ["acos"], "grouping": ["campaign"], "group": ["C1"],
                          "numerator": [50.0], "denominator": [100.0], "value": [0.5],
                          "status": ["breach"], "excess": [25.0], "plan_status": [np.nan],
                          "plan_reason": [np.nan], "plan_days_of_cover": [np.nan],
                          "plan_daily_rate": [np.nan]})
    both = inputs(drivers=pd.concat([drivers(), extra], ignore_index=True))
    section = sections.breach_drivers(report(), both)
    table = section.table
    assert list(table.columns[:5]) == ["rule_id", "group", "value", "cover_velocity",
                                       "plan_cover"]
    assert table.loc[0, "cover_velocity"] == "sales of the last 30 days: 0.50 units/day"
    assert table.loc[0, "plan_cover"] == "61.8 days on the forecast of 2.30 units/day"
    assert table.loc[1, "cover_velocity"] == "—" and table.loc[1, "plan_cover"] == "—"
    assert section.notes[-1].startswith("Days of cover of the scorecard rules divide stock on "
                                        "hand by the sales velocity of the last 30 days")
    zh = sections.breach_drivers(report("zh"), both)
    assert zh.table.loc[0, "cover_velocity"] == "近 30 天销量：日均 0.50 件"
    assert zh.table.loc[0, "plan_cover"] == "按预测日均 2.30 件为 61.8 天"
    assert "近 30 天的销速" in zh.notes[-1] and "nan" not in zh.check_text()
    # without the plan's figures for the SKU: not estimated, never a number from elsewhere
    unplanned = inputs(drivers=drivers().assign(plan_days_of_cover=np.nan))
    assert sections.breach_drivers(report(), unplanned).table.loc[0, "plan_cover"] == \
        "not estimated"


def test_plan_cover_joins_the_cover_drivers_only():
    plan = pd.DataFrame({"sku": ["HL-1", "C1"], "days_of_cover_now": [62.0, 5.0],
                         "daily_rate": [0.5, 1.0]})
    table = pd.concat([drivers().drop(columns=["plan_days_of_cover", "plan_daily_rate"]),
                       drivers().assign(rule_id="acos", grouping="campaign", group="C1")
                       .drop(columns=["plan_days_of_cover", "plan_daily_rate"])],
                      ignore_index=True)
    out = sections._with_plan_cover(table, plan)
    assert out.loc[0, "plan_days_of_cover"] == 62.0 and out.loc[0, "plan_daily_rate"] == 0.5
    assert out.loc[1, ["plan_days_of_cover", "plan_daily_rate"]].isna().all()
    assert sections._with_plan_cover(table, None)["plan_days_of_cover"].isna().all()

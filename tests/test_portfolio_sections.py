"""The portfolio sections on a hand-made view (rates with their date, a marketplace without a
rate named and left out of the totals, a failed marketplace shown as failed, "not estimated"
for unknown money), the notebook's shape, and one papermill run on every sample marketplace."""

import ast
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from opsanalysis import portfolio
from opsanalysis import portfolio_sections as sections

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "portfolio.ipynb"
PERIOD = (pd.Timestamp("2026-10-02"), pd.Timestamp("2026-10-31"))


def headline(sales, units, sessions):
    return pd.DataFrame({"metric": ["ordered_product_sales", "units_ordered", "sessions",
                                    "unit_session_percentage", "spend", "acos"],
                         "value": [sales, units, sessions, units / sessions, sales / 10, 0.25]})


def monthly(net_sales, profit):
    return pd.DataFrame({"month": [pd.Timestamp("2026-10-01"), pd.NaT],
                         "period": ["2026-10", "total"], "net_sales": [net_sales, net_sales],
                         "gross_profit": [profit * 2, profit * 2],
                         "gross_margin": [2 * profit / net_sales] * 2,
                         "advertising": [-profit / 2] * 2, "storage": [-profit / 2] * 2,
                         "profit": [profit, profit],
                         "profit_margin": [profit / net_sales] * 2})


def view(language="en"):
    rates = portfolio.fx_rates({"US": "USD", "AU": "AUD"},
                               {"US": {"CNY": {"rate": 7.1, "date": "2026-12-01"}}}, "CNY")
    local = portfolio.headline_table({"US": headline(1000.0, 100, 1000),
                                      "AU": headline(900.0, 30, 300)},
                                     {"US": (3.0, 100.0), "AU": (1.0, 30.0)},
                                     {"US": PERIOD, "AU": PERIOD})
    calendar = pd.DataFrame({"deposit_date": pd.to_datetime(["2026-10-17"]), "payout": [500.0],
                             "reserve_held": [60.0]})
    profit_local = portfolio.profit_table({"US": monthly(1000.0, 200.0), "AU": None},
                                          {"US": calendar, "AU": None})
    cards = {"US": pd.DataFrame({"rule_id": ["acos", "return_rate"],
                                 "status": ["breach", "good"]}),
             "AU": pd.DataFrame({"rule_id": ["acos", "return_rate"],
                                 "status": ["good", "watch"]})}
    own = {"US": pd.DataFrame({"category": ["Kitchen"], "own_sales": [5000.0],
                               "own_units": [200.0]}),
           "AU": pd.DataFrame({"category": [], "own_sales": [], "own_units": []})}
    return sections.Portfolio(
        language=language, currency="CNY", window_days=30,
        failed={"SG": "UnreadableReportsError: none of the 1 file(s) of SG could be read"},
        rates=rates,
        headline=portfolio.with_total(portfolio.convert(local, rates, portfolio.HEADLINE_MONEY),
                                      portfolio.HEADLINE_MONEY, portfolio.HEADLINE_COUNTS,
                                      portfolio.HEADLINE_RATIOS),
        headline_local=local,
        profit=portfolio.with_total(portfolio.convert(profit_local, rates,
                                                      portfolio.PROFIT_MONEY),
                                    (*portfolio.PROFIT_MONEY, "settlements"), (),
                                    portfolio.PROFIT_RATIOS),
        profit_local=profit_local, breaches=portfolio.breach_table(cards),
        expansion=portfolio.expansion_table({"US": None, "AU": None}, own, rates), cards=cards,
        loaded=["US", "AU"])


def test_marketplaces_show_the_dated_rate_the_missing_rate_and_the_failure():
    section = sections.marketplaces_section(view())
    text = section.check_text()
    assert "2 of 3 marketplaces loaded (US, AU, SG); money is shown in CNY." in text
    assert "1 USD = 7.1 CNY (2026-12-01, US)" in text
    assert ("No rate to CNY in params for AU (AUD): their money is not estimated and left out "
            "of the totals.") in text
    assert "SG (UnreadableReportsError" in text
    table = section.table.set_index("marketplace")
    assert table.loc["SG", "marketplace_status"] == "marketplace_failed"
    assert table.loc["US", "summary_fx_date"] == "2026-12-01"


def test_headline_total_is_the_converted_money_only():
    section = sections.headline_section(view())
    # 1,000 USD x 7.1; AU's 900 AUD is not added
    assert section.finding == ("Sales of the last 30 days: 7,100.00 CNY over US; largest US "
                               "(100.0% of the converted total).")
    assert "Money totals cover US." in section.notes
    shown = section.shown_table().set_index("Marketplace")
    assert shown.loc["AU", "Sales (CNY)"] == "not estimated"
    assert shown.loc["Total", "Units"] == "130"  # units need no rate


def test_profit_names_what_is_missing_and_the_payouts():
    section = sections.profit_section(view())
    assert section.finding.startswith("Profit from what Amazon charged: 1,420.00 CNY on net "
                                      "sales of 7,100.00 CNY (20.0%) over US; paid out "
                                      "3,550.00 CNY in 1 settlement.")
    assert any("No settlement or transaction report in AU" in note for note in section.notes)
    # profit / net sales has its own header, not the opportunity matrix's "margin" (利润)
    shown = section.shown_table().set_index("Marketplace")
    assert shown.loc["US", "Profit margin (%)"] == "20.0%"
    assert "利润率 (%)" in sections.profit_section(view("zh")).shown_table().columns


def test_breaches_side_by_side_and_in_chinese():
    section = sections.breaches_section(view("zh"))
    assert "US 1" in section.finding and "AU 0" in section.finding
    assert list(section.table["rule_id"]) == ["acos", "return_rate"]
    assert "未达标" in section.check_text()


def test_expansion_without_market_data_shows_our_own_figures():
    section = sections.expansion_section(view())
    table = section.table.set_index(["category", "marketplace"])
    assert table.loc[("Kitchen", "US"), "status"] == "selling"
    assert table.loc[("Kitchen", "US"), "own_sales"] == pytest.approx(35500.0)
    assert table.loc[("Kitchen", "AU"), "status"] == "no_market_data"
    assert np.isnan(table.loc[("Kitchen", "AU"), "own_sales"])  # no rate: not estimated
    assert "not estimated" in section.check_text()


def test_workbook_tables_hold_every_table():
    tables = sections.workbook_tables(view())
    assert list(tables) == ["marketplaces", "headline", "headline_local", "profit",
                            "profit_local", "rule_breaches", "expansion"]
    assert tables["headline"]["marketplace"].iloc[-1] == portfolio.TOTAL


def test_the_notebook_is_thin():
    content = nbformat.read(str(NOTEBOOK), as_version=4)
    assert content.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in content.cells if cell.cell_type == "code"]
    assert len(code) <= 15
    (parameters,) = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    values = {node.target.id: node.value.value for node in ast.parse(parameters.source).body}
    assert values["marketplaces"] == "" and values["language"] == "en"
    for cell in code:
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.startswith("%"))
        for node in ast.walk(ast.parse(source)):
            assert not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.For | ast.If
                                  | ast.While | ast.comprehension | ast.Lambda)
        if "nbval-check" in cell.metadata.get("tags", []):
            assert "nbval-check-output" in cell.metadata["tags"]


@pytest.mark.notebooks
def test_the_notebook_runs_on_every_sample_marketplace(sample_dir, tmp_path):
    import papermill

    from opsanalysis import batch

    codes = batch.discover_marketplaces(sample_dir)
    output = tmp_path / "out"
    papermill.execute_notebook(
        str(NOTEBOOK), str(tmp_path / "portfolio.ipynb"), kernel_name="python3",
        parameters={"marketplaces": ",".join(codes), "data_dir": str(sample_dir),
                    "output_dir": str(output)}, progress_bar=False)
    marketplaces = pd.read_csv(output / "portfolio_marketplaces.csv")
    assert len(marketplaces) == len(codes) >= 4
    headline = pd.read_csv(output / "portfolio_headline.csv")
    converted = headline[headline.iloc[:, 0] != portfolio.TOTAL]
    total = headline[headline.iloc[:, 0] == portfolio.TOTAL].iloc[0]
    sales = [c for c in headline.columns if c.startswith("Sales")][0]
    included = pd.to_numeric(converted[sales], errors="coerce")
    # the total is the sum of the converted marketplaces' sales, nothing else
    assert float(total[sales]) == pytest.approx(included.sum(min_count=1))


def test_brand_search_names_the_marketplaces_without_the_report():
    shown = view()
    missing = sections.brand_search_section(shown)
    assert missing.table is None
    assert missing.finding.startswith("No Search Query Performance report (brand view) in US, AU")
    shown.brand_search = portfolio.brand_search_table({"US": pd.DataFrame({
        "search_query": ["mat"], "period_start": [PERIOD[0]], "period_end": [PERIOD[1]],
        "search_query_volume": [100.0], "total_clicks": [10.0], "own_clicks": [1.0],
        "total_purchases": [4.0], "own_purchases": [1.0]})})
    section = sections.brand_search_section(shown)
    assert "US 25.0%" in section.finding
    assert section.notes == ["No Search Query Performance report (brand view) in AU: download "
                             "it from Brands > Brand Analytics > Search Analytics for "
                             "brand-level demand there."]
    assert "brand_search" in sections.workbook_tables(shown)

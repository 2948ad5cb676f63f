"""The morning dashboard on a hand-made run folder: CNY conversion, traffic lights, not-estimated
cells and failed notebooks (known answers from the rule pack in params/defaults.yaml)."""

import json
import re

import pandas as pd
import pytest

from opsanalysis import dashboard
from opsanalysis.execution import NotebookResult
from opsanalysis.labels import label

AS_OF = "2026-10-31"


def _write_params(folder):
    """Marketplace files with known rates (the rules come from the package's defaults)."""
    folder.mkdir()
    for code, currency, fx in (("US", "USD", 'CNY: {rate: 7.0, date: "2026-11-30"}'),
                               ("JP", "JPY", 'CNY: {rate: 0.05, date: "2026-11-29"}'),
                               ("UK", "GBP", None)):
        text = f'marketplace: "{code}"\ncurrency: "{currency}"\n'
        if fx:
            text += f"opportunity:\n  fx_rates:\n    {fx}\n"
        (folder / f"{code}.yaml").write_text(text, encoding="utf-8")


def _csv(run_dir, code, name, frame, language="en"):
    """Write a table as the export does: headers as labels in the report language."""
    headers = {column: label(column, language) for column in frame.columns}
    folder = run_dir / code
    folder.mkdir(parents=True, exist_ok=True)
    frame.rename(columns=headers).to_csv(folder / f"{name}.csv", index=False,
                                         encoding="utf-8-sig")


def _overview_notebook(run_dir, code, window_days):
    cell = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "outputs": [],
            "source": [f'marketplace: str = "{code}"\n', f"window_days: int = {window_days}\n"]}
    (run_dir / code / "marketplace_overview.ipynb").write_text(
        json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
        encoding="utf-8")


def _headline(sales, acos, spend, change):
    return pd.DataFrame({"metric": ["ordered_product_sales", "spend", "acos"],
                         "value": [sales, spend, acos], "change": [change, None, None]})


def _scorecard(rows):
    return pd.DataFrame({"rule_id": list(rows), "value": list(rows.values())})


def _results(code, failed=()):
    return [NotebookResult(code, notebook, "failed" if notebook in failed else "ok", 1.0,
                           html_file=f"{code}/{notebook}.html",
                           tables=[f"{code}/{notebook}.xlsx"],
                           parameters={"as_of": AS_OF, "language": "en"})
            for notebook in ("marketplace_overview", "opportunity_report",
                             "replenishment_report", "launch_tracker")]


@pytest.fixture
def run(tmp_path):
    """US in English, JP with Chinese headers, UK with a failed opportunity report."""
    run_dir = tmp_path / "run"
    _write_params(tmp_path / "params")
    as_of = pd.Timestamp(AS_OF)
    # US: ACOS 20 % inside 15-25 % (green), orders: one overdue, one due in 3 days
    _csv(run_dir, "US", "marketplace_overview_headline_figures",
         _headline(1000.0, 0.20, 150.0, 0.125))
    _overview_notebook(run_dir, "US", 30)
    _csv(run_dir, "US", "opportunity_report_scorecard",
         _scorecard({"order_defect_rate": 0.005, "account_health_rating": 300,
                     "tacos_trend": -0.01, "gmv_growth_yoy": 0.5}))
    _csv(run_dir, "US", "replenishment_report_replenishment_plan", pd.DataFrame({
        "sku": ["A", "B", "C"], "status": ["stockout_risk", "order_now", "in_stock"],
        "order_by": [as_of - pd.Timedelta(days=1), as_of + pd.Timedelta(days=3), pd.NaT]}))
    _csv(run_dir, "US", "launch_tracker_launch_verdicts",
         pd.DataFrame({"sku": ["L1", "L2"], "verdict": ["on_track", "lagging"]}))
    # JP: zh headers; ACOS 30 % (red), ODR 0.95 % within 10 % of the 1 % limit (watch);
    # the plan has no status column and no launch table was written
    _csv(run_dir, "JP", "marketplace_overview_headline_figures",
         _headline(100000.0, 0.30, 20000.0, None), "zh")
    _csv(run_dir, "JP", "opportunity_report_scorecard",
         _scorecard({"order_defect_rate": 0.0095}), "zh")
    _csv(run_dir, "JP", "replenishment_report_replenishment_plan",
         pd.DataFrame({"sku": ["J1"], "order_by": [as_of + pd.Timedelta(days=20)]}), "zh")
    # UK: sales known, no CNY rate in params; the opportunity report failed
    _csv(run_dir, "UK", "marketplace_overview_headline_figures",
         _headline(500.0, 0.10, 40.0, None))
    return run_dir, tmp_path / "params"


def _cells(run, code, failed=()):
    from opsanalysis import params

    run_dir, params_dir = run
    return dashboard.marketplace_cells(run_dir, code, params.load(code, params_dir), AS_OF,
                                       failed)


def test_traffic_lights_follow_the_rule_pack(run):
    us = _cells(run, "US")
    assert us["sales"].lines[0] == "1,000.00 USD" and us["sales"].status == "good"
    assert us["sales"].lines[1:] == ["+12.5% vs the 30 days before",
                                     "year on year +50.0% (rule ≥ 30.0%)"]
    assert us["advertising"].lines[:2] == ["ACOS 20.0% (15.0%–25.0%)", "TACoS 15.0%"]
    assert us["advertising"].status == "good"
    assert us["health"].status == "good"
    assert us["stockouts"].lines == ["SKUs: 1", "A"] and us["stockouts"].status == "breach"
    assert us["orders"].lines == ["SKUs: 2", "1 overdue"] and us["orders"].status == "breach"
    assert us["launches"].lines == ["1 of 2 launches"] and us["launches"].status == "watch"
    jp = _cells(run, "JP")
    assert jp["sales"].lines == ["100,000 JPY"]  # no change known: no second line
    assert jp["advertising"].status == "breach"  # ACOS 30 % above 25 %
    assert jp["health"].status == "watch"
    assert jp["health"].lines == ["Order defect rate (ODR): 0.95% (watch)"]
    # an order-by 20 days out is not due this week (review period 7 days)
    assert jp["orders"].lines == ["SKUs: 0"] and jp["orders"].status == "good"


def test_missing_tables_and_columns_read_not_estimated(run):
    not_estimated = label("not_estimated", "en")
    jp = _cells(run, "JP")
    assert jp["stockouts"].lines == [not_estimated] and jp["stockouts"].status is None
    assert jp["launches"].lines == [not_estimated]
    uk = _cells(run, "UK", failed={"opportunity_report"})
    assert uk["health"].status == "failed"
    assert uk["health"].lines == ["not estimated: Opportunity report failed"]
    assert uk["stockouts"].lines == [not_estimated]
    assert uk["sales"].status is None  # no scorecard: sales shown, not coloured


def test_total_sales_in_cny_with_rates_and_dates(run):
    run_dir, params_dir = run
    manifest = {"arguments": {"params_dir": str(params_dir)},
                "marketplaces": {code: {"as_of": AS_OF} for code in ("US", "JP", "UK")}}
    results = [*_results("US"), *_results("JP"), *_results("UK", {"opportunity_report"})]
    page = dashboard.dashboard_html(run_dir, manifest, results,
                                    dashboard.summary_currency(manifest, results))
    # 1,000 USD x 7.0 + 100,000 JPY x 0.05 = 12,000 CNY; UK has no rate: left out, and said so
    assert "7,000.00 CNY" in page and "5,000.00 CNY" in page
    assert re.search(r'<tr class="total">.*12,000\.00 CNY.*total of US, JP; UK not estimated',
                     page, re.S)
    assert "1 USD = 7 CNY (2026-11-30, US)" in page and "1 JPY = 0.05 CNY (2026-11-29, JP)" in page
    assert "No CNY rate in params for UK (GBP)" in page
    assert "Sales, last 30 days" in page and "销售额（最近 30 天）" in page
    assert page.count('class="rag-red"') >= 3 and 'class="rag-failed"' in page
    assert 'href="UK/opportunity_report.xlsx"' in page
    assert ">0<" not in page and "nan" not in page.lower()


def test_headers_with_units_and_formatted_numbers_are_read(tmp_path):
    frame = pd.DataFrame({"Metric": ["ordered_product_sales"], "Value (USD)": ["1,234.50"],
                          "Change (%)": ["12.5%"]})
    assert dashboard._row_value(frame, "metric", "ordered_product_sales") == 1234.5
    assert dashboard._row_value(frame, "metric", "ordered_product_sales", "change") == 0.125
    assert pd.isna(dashboard._row_value(frame, "metric", "spend"))

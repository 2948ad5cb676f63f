"""Cadences (issue 19): which notebooks each cadence runs, run-level notebooks, working days,
the monthly review's month, lost sales from stockout days and the morning check's alerts.

Known answers: the 5th working day of May 2026 in JP (Golden Week) and of April 2026 in DE
(Easter), from the holidays in params; a hand-made stockout; a planted suppressed listing.
The batch wiring runs tiny notebooks from a temporary templates folder: a per-marketplace one
and a run-level one (a ``marketplaces`` parameter), so the run-level notebook is seen to run
once, after the marketplace notebooks, and to be linked first in the index.
"""

import json
import re

import nbformat
import numpy as np
import pandas as pd
import pytest
from test_batch import _write_notebook, write_business_report

from opsanalysis import batch, calendar_month, cli, morning_check, params

# ---- the cadence file -------------------------------------------------------------------------


def test_shipped_cadences_name_existing_notebooks():
    cadences = batch.load_cadences()
    assert list(cadences) == ["daily", "weekly", "monthly"]
    assert cadences["daily"] == ["morning_check"]
    assert cadences["weekly"] == ["opportunity_report", "replenishment_report", "market_report"]
    assert cadences["monthly"] == ["monthly_review", "portfolio"]
    available = batch.discover_notebooks()
    for name in cadences:  # every name is a notebook of notebooks/ (else the cadence fails)
        assert [path.stem for path in batch.cadence_notebooks(name, available)] == cadences[name]


def test_unknown_cadence_and_missing_notebook_are_errors(tmp_path):
    available = [tmp_path / "tiny.ipynb"]
    with pytest.raises(ValueError, match="unknown cadence 'hourly'; known: daily, weekly, monthly"):
        batch.cadence_notebooks("hourly", available)
    with pytest.raises(ValueError, match="names notebooks that are not there: morning_check"):
        batch.cadence_notebooks("daily", available)
    (tmp_path / "cadences.yaml").write_text("cadences: {daily: morning_check}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cadences.daily: expected a list"):
        batch.load_cadences(tmp_path)


def test_a_params_folder_may_bring_its_own_cadences(tmp_path):
    (tmp_path / "cadences.yaml").write_text(
        "cadences:\n  daily: [other]\n  weekly: [tiny, other]\n", encoding="utf-8")
    notebooks = [tmp_path / "other.ipynb", tmp_path / "tiny.ipynb"]
    assert batch.cadence_notebooks("weekly", notebooks, tmp_path) == notebooks[::-1]
    assert list(batch.load_cadences(tmp_path)) == ["daily", "weekly"]


# ---- run-level notebooks in the batch ----------------------------------------------------------

RUN_PARAMETERS_CELL = """marketplaces: str = "US"
data_dir: str = ""
params_dir: str = ""
as_of: str = ""
language: str = "en"
output_dir: str = ""
"""

# Test-only run-level notebook: counts the tables the marketplace notebooks already wrote.
RUN_BODY = """import pandas as pd
from pathlib import Path
from opsanalysis import export
codes = marketplaces.split(",")
found = [code for code in codes if (Path(output_dir).parent / code / "tiny_units.csv").is_file()]
print(f"across {marketplaces}: {len(found)} marketplace tables before me")
export.write_tables({"found": pd.DataFrame({"marketplace": found})}, output_dir,
                    language=language, stem="portfolio_tiny")
"""


def _run_notebook(path):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    parameters = nbformat.v4.new_code_cell(RUN_PARAMETERS_CELL)
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell(RUN_BODY)]
    nbformat.write(notebook, str(path))
    return path


@pytest.fixture
def templates(tmp_path):
    """Data for US and UK, a templates folder with a marketplace and a run-level notebook, and
    a params folder whose cadences.yaml names them."""
    data = tmp_path / "data"
    for code, units in (("US", [1, 2]), ("UK", [3])):
        (data / code).mkdir(parents=True)
        (data / code / "units.csv").write_text(
            "sku,units\n" + "".join(f"S{i},{u}\n" for i, u in enumerate(units)), encoding="utf-8")
        write_business_report(data / code)
    folder = tmp_path / "templates"
    folder.mkdir()
    tiny = _write_notebook(folder / "tiny.ipynb")
    portfolio = _run_notebook(folder / "portfolio_tiny.ipynb")
    params_dir = tmp_path / "params"
    params_dir.mkdir()
    (params_dir / "cadences.yaml").write_text(
        "cadences:\n  daily: [tiny]\n  monthly: [portfolio_tiny, tiny]\n  weekly: [portfolio_tiny]\n",
        encoding="utf-8")
    return {"data": data, "tiny": tiny, "portfolio": portfolio, "params": params_dir,
            "out": tmp_path / "reports", "available": [portfolio, tiny]}


def test_notebook_scope_follows_the_parameters_cell(templates):
    assert batch.notebook_scope(templates["tiny"]) == "marketplace"
    assert batch.notebook_scope(templates["portfolio"]) == "run"


@pytest.mark.parametrize("jobs", [1, 2])
def test_run_level_notebook_runs_once_after_the_marketplaces_and_is_linked_first(templates, jobs):
    notebooks = batch.cadence_notebooks("monthly", templates["available"], templates["params"])
    result = batch.run(data_dir=templates["data"], out_dir=templates["out"], notebooks=notebooks,
                       params_dir=templates["params"], progress=False, jobs=jobs)
    assert result.status == "complete", [(r.marketplace, r.notebook, r.error) for r in result.failed]
    scopes = [(r.marketplace, r.notebook, r.scope) for r in result.results]
    assert scopes == [("US", "tiny", "marketplace"), ("UK", "tiny", "marketplace"),
                      ("all", "portfolio_tiny", "run")]
    run_level = result.results[-1]
    assert run_level.parameters == {
        "marketplaces": "US,UK", "data_dir": str(templates["data"].resolve()),
        "params_dir": str(templates["params"].resolve()), "as_of": "", "language": "en",
        "output_dir": str(result.run_dir / "all")}
    executed = (result.run_dir / run_level.notebook_file).read_text(encoding="utf-8")
    assert "across US,UK: 2 marketplace tables before me" in executed  # ran after both
    assert sorted(run_level.tables) == ["all/portfolio_tiny.xlsx", "all/portfolio_tiny_found.csv"]
    index = result.index.read_text(encoding="utf-8")
    first_link = re.search(r'href="([^"]+\.html)"', index).group(1)
    assert first_link == "all/portfolio_tiny.html"  # linked first, above the dashboard
    assert index.index("Across marketplaces") < index.index("Morning dashboard")
    rows = re.findall(r'<tr class="(?:ok|warnings|failed)"><td>([^<]*)</td><td>([^<]*)</td>', index)
    assert rows[0] == ("all (US, UK)", "portfolio_tiny") and len(rows) == 3
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["arguments"]["run_notebooks"] == ["portfolio_tiny.ipynb"]
    assert set(manifest["marketplaces"]) == {"US", "UK"}  # no marketplace named "all"


def test_cadence_selects_the_notebooks_of_a_run(templates, monkeypatch, capsys):
    monkeypatch.setattr(batch, "discover_notebooks", lambda directory=None: templates["available"])
    arguments = ["run", "--data", str(templates["data"]), "--out", str(templates["out"]),
                 "--params", str(templates["params"]), "--no-progress", "-m", "US"]
    assert cli.main([*arguments, "--cadence", "weekly"]) == 0  # the run-level notebook only
    assert cli.main([*arguments, "--cadence", "daily"]) == 0
    runs = sorted(path for path in templates["out"].iterdir() if path.name != "latest")
    weekly, daily = (json.loads((run / "run.json").read_text(encoding="utf-8")) for run in runs)
    assert weekly["arguments"]["cadence"] == "weekly"
    assert [(r["marketplace"], r["notebook"]) for r in weekly["results"]] == \
        [("all", "portfolio_tiny")]
    assert weekly["marketplaces"] == {}
    assert [(r["marketplace"], r["notebook"]) for r in daily["results"]] == [("US", "tiny")]
    assert not (runs[1] / "all").exists()
    assert cli.main([*arguments, "--cadence", "hourly"]) == 2
    assert "unknown cadence 'hourly'" in capsys.readouterr().err
    assert cli.main([*arguments, "--cadence", "daily", "-n", "tiny"]) == 2
    assert "not both" in capsys.readouterr().err


# ---- working days and the month reviewed -------------------------------------------------------


@pytest.mark.parametrize(("code", "year", "month", "expected", "weekdays_only"), [
    # Golden Week: 3 (Sun) to 6 May (substitute day) are holidays: 1, 7, 8, 11, 12 May
    ("JP", 2026, 5, "2026-05-12", "2026-05-07"),
    # Culture Day, Tuesday 3 November: 2, 4, 5, 6, 9 November
    ("JP", 2026, 11, "2026-11-09", "2026-11-06"),
    # Good Friday 3 April and Easter Monday 6 April: 1, 2, 7, 8, 9 April
    ("DE", 2026, 4, "2026-04-09", "2026-04-07"),
    # Labour Day, Friday 1 May: 4 to 8 May
    ("DE", 2026, 5, "2026-05-08", "2026-05-07"),
])
def test_fifth_working_day_with_holidays(code, year, month, expected, weekdays_only):
    calendar = params.load(code)["events"]["working_calendar"]
    assert calendar["review_due_working_day"] == 5
    assert calendar_month.nth_working_day(year, month, 5, calendar) == pd.Timestamp(expected)
    # the same month without its holidays: the holidays move the date
    no_holidays = {**calendar, "public_holidays": {str(year): {}}}
    assert calendar_month.nth_working_day(year, month, 5, no_holidays) == \
        pd.Timestamp(weekdays_only)


def test_review_due_date_and_unknown_years():
    calendar = params.load("JP")["events"]["working_calendar"]
    # the review of April 2026 is due on the 5th working day of May: after Golden Week
    assert calendar_month.review_due_date("2026-04-01", calendar) == pd.Timestamp("2026-05-12")
    # no holiday list for 2031: not estimated, never a date counted without holidays
    assert calendar_month.review_due_date("2031-03-01", calendar) is None
    assert calendar_month.working_days("2030-12-30", "2031-01-02", calendar) is None
    bad = {**calendar, "public_holidays": {"2026": {"2026-13-01": "x"}}}
    with pytest.raises(ValueError, match="public_holidays.2026: '2026-13-01' is not a date"):
        calendar_month.nth_working_day(2026, 1, 5, bad)


@pytest.mark.parametrize(("as_of", "first", "last"), [
    ("2026-10-31", "2026-10-01", "2026-10-31"),  # the last day: that month is complete
    ("2026-11-03", "2026-10-01", "2026-10-31"),
    ("2026-03-01", "2026-02-01", "2026-02-28"),
])
def test_review_month_is_the_last_complete_month(as_of, first, last):
    assert calendar_month.review_month(as_of) == (pd.Timestamp(first), pd.Timestamp(last))


def test_monthly_acos_leaves_uncovered_months_unknown():
    found = pd.DataFrame({"period": pd.to_datetime(["2026-09-01", "2026-10-01"]),
                          "spend": [40.0, 30.0], "sales": [100.0, 150.0]})
    table = calendar_month.monthly_acos(found, "2026-10-01", 3)
    assert list(table["period"].dt.strftime("%Y-%m")) == ["2026-08", "2026-09", "2026-10"]
    assert np.isnan(table["spend"].iloc[0]) and np.isnan(table["acos"].iloc[0])
    assert table["acos"].iloc[1:].tolist() == pytest.approx([0.4, 0.2])
    assert table["change"].iloc[2] == pytest.approx(-0.2)


# ---- lost sales from stockout days ---------------------------------------------------------------


def _orders(rows):
    frame = pd.DataFrame(rows, columns=["purchase_date", "sku", "quantity", "item_price"])
    frame["purchase_date"] = pd.to_datetime(frame["purchase_date"]).dt.tz_localize(
        "America/Los_Angeles")
    frame["order_status"] = "Shipped"
    frame["sales_channel"] = "Amazon.com"
    frame.attrs["marketplace"] = "US"
    return frame


def test_lost_sales_from_a_planted_stockout():
    # A sells 2 units a day at 10.00 from 20 Sep to 31 Oct; out of stock 11-15 Oct (it sells
    # 1 unit on the 11th, its last): 5 stockout days, expected 2 x 5 = 10, lost 10 - 1 = 9 units
    # = 90.00. B is always in stock.
    days = pd.date_range("2026-09-20", "2026-10-31")
    out = pd.date_range("2026-10-11", "2026-10-15")
    rows = [(f"{day:%Y-%m-%d} 12:00", "A", 1 if day == out[0] else 2,
             10.0 if day == out[0] else 20.0) for day in days if day not in out[1:]]
    rows += [(f"{day:%Y-%m-%d} 12:00", "B", 1, 5.0) for day in days]
    history = pd.DataFrame([(day, sku, 0 if sku == "A" and day in out else 50, "SELLABLE")
                            for day in days for sku in ("A", "B")],
                           columns=["date", "sku", "quantity", "detailed_disposition"])
    settings = params.load("US")["forecast"]
    lost = calendar_month.stockout_lost_sales(_orders(rows), history, "US", "2026-10-01",
                                              "2026-10-31", settings)
    assert lost["sku"].tolist() == ["A"]
    row = lost.iloc[0]
    assert (row["stockout_days"], row["units_sold"]) == (5, 1)
    assert row["stockout_expected_units"] == pytest.approx(10.0)
    assert row["stockout_lost_units"] == pytest.approx(9.0)
    assert row["unit_price"] == pytest.approx(10.0)
    assert row["stockout_lost_sales"] == pytest.approx(90.0)
    assert calendar_month.lost_sales_total(lost) == {
        "skus": 1, "stockout_days": 5, "stockout_lost_units": 9.0,
        "stockout_lost_sales": 90.0, "not_estimated": 0}


def test_lost_sales_without_a_sale_to_price_them_is_not_estimated():
    days = pd.date_range("2026-09-01", "2026-10-31")
    rows = [(f"{day:%Y-%m-%d} 12:00", "A", 1, 8.0) for day in days if day.month == 9]
    history = pd.DataFrame([(day, "A", 0 if day.month == 10 else 5, "SELLABLE") for day in days],
                           columns=["date", "sku", "quantity", "detailed_disposition"])
    lost = calendar_month.stockout_lost_sales(_orders(rows), history, "US", "2026-10-01",
                                              "2026-10-31", params.load("US")["forecast"])
    row = lost.iloc[0]
    assert row["stockout_days"] == 31 and row["stockout_lost_units"] == pytest.approx(31.0)
    assert np.isnan(row["stockout_lost_sales"])
    assert row["not_estimated_reason"] == "no sale in the month to price the lost units"
    assert calendar_month.lost_sales_total(lost)["not_estimated"] == 1


# ---- the morning check ------------------------------------------------------------------------


def _inventory():
    return pd.DataFrame({
        "snapshot_date": pd.Timestamp("2026-10-31"), "sku": ["A", "B", "C", "D"],
        "afn_listing_exists": [True, True, False, True],
        "afn_fulfillable_quantity": [0, 40, 12, 30], "afn_warehouse_quantity": [0, 40, 12, 30],
        "afn_inbound_shipped_quantity": [100, 0, 0, 0]})


def test_stock_alerts_out_of_stock_and_amazon_alerts():
    restock = pd.DataFrame({"snapshot_date": pd.Timestamp("2026-10-31"), "sku": ["A", "B", "D"],
                            "alert": [None, "reorder_now", ""],
                            "days_of_supply_at_afn": [0.0, 9.0, 60.0],
                            "recommended_replenishment_qty": [200, 80, 0],
                            "recommended_ship_date": ["2026-11-02", "2026-11-05", None]})
    alerts = morning_check.stock_alerts(_inventory(), restock, "2026-10-31")
    assert alerts[["sku", "stock_alert"]].values.tolist() == [
        ["A", "no_sellable_stock"], ["B", "reorder_now"]]
    assert alerts["inbound"].tolist() == [100, 0]
    assert morning_check.stock_alerts(None, None, "2026-10-31") is None


def test_planted_suppressed_listing_and_stranded_stock_are_found():
    listings = pd.DataFrame({"snapshot_date": pd.Timestamp("2026-10-30"),
                             "sku": ["A", "B", "C", "D"],
                             "status": ["Active", "Active", "Active", "Inactive"]})
    suppressed = pd.DataFrame({"snapshot_date": pd.Timestamp("2026-10-31"), "sku": ["B"],
                               "status": ["Suppressed"], "reason": ["missing main image"]})
    found = morning_check.unbuyable_listings(_inventory(), listings, suppressed, None,
                                             "2026-10-31")
    # C: FBA units without an FBA listing (stranded); B: the planted suppressed listing;
    # D: inactive in All Listings, its FBA warehouse units at stake
    assert found[["sku", "listing_problem", "listing_status"]].values.tolist() == [
        ["C", "stranded_stock", ""], ["B", "suppressed", "Active"],
        ["D", "listing_inactive", "Inactive"]]
    assert found["fba_units_at_stake"].tolist() == [12, 40, 30]
    # nothing states a listing status or stranded stock: not estimated
    assert morning_check.unbuyable_listings(
        _inventory().drop(columns="afn_listing_exists"), None, None, None, "2026-10-31") is None


def test_buy_box_losses_below_the_rule():
    weekly = pd.DataFrame({"sku": ["A", "B", "A", "B"],
                           "period": pd.to_datetime(["2026-10-18", "2026-10-18", "2026-10-25",
                                                     "2026-10-25"]),
                           "buy_box_percentage": [0.95, 0.9, 0.6, 0.85]})
    losses = morning_check.buy_box_losses(weekly, 0.8, "2026-10-31")
    assert losses["sku"].tolist() == ["A"]
    assert losses["change"].iloc[0] == pytest.approx(-0.35)


def test_negative_feedback_is_not_estimated_without_its_columns():
    report = pd.DataFrame({"date": pd.date_range("2026-10-25", "2026-10-31"), "units_ordered": 1})
    assert morning_check.negative_feedback(report, "2026-10-31", 7) is None
    report["negative_feedback_received"] = [0, 0, 1, 0, 0, 2, 0]
    found = morning_check.negative_feedback(report, "2026-10-31", 3)
    assert found["negative_feedback_received"].tolist() == [0, 2, 0]


# ---- the daily cadence on the sample ---------------------------------------------------------


@pytest.mark.slow
def test_daily_cadence_runs_the_morning_check_on_the_sample(sample_dir, tmp_path, capsys):
    """``opsanalysis run --cadence daily`` on one sample marketplace: the morning check only,
    ok, with its workbook (the weekly and monthly notebooks run in the shared sample run)."""
    out = tmp_path / "reports"
    assert cli.main(["run", "--data", str(sample_dir), "--out", str(out), "-m", "DE",
                     "--cadence", "daily", "--no-progress"]) == 0, capsys.readouterr().err
    manifest = json.loads((out / "latest" / "run.json").read_text(encoding="utf-8"))
    (result,) = manifest["results"]
    assert (result["marketplace"], result["notebook"], result["status"]) == \
        ("DE", "morning_check", "ok")
    assert {"DE/morning_check.xlsx", "DE/morning_check_account_health.csv",
            "DE/morning_check_actions.csv"} <= set(result["tables"])
    page = (out / "latest" / result["html_file"]).read_text(encoding="utf-8")
    # DE's planted account-health breach (rating below 200) is today's first line
    assert "Account Health Rating 198, rule 200–1,000" in page


def test_a_sales_rank_of_zero_is_no_rank_not_first():
    from opsanalysis.cadence_sections import _bsr

    planning = pd.DataFrame({"sku": ["A", "B", "C"], "sales_rank": [0, 84878, 12],
                             "snapshot_date": pd.Timestamp("2019-12-20")})
    table = _bsr(planning, pd.Timestamp("2019-12-01"), pd.Timestamp("2019-12-31"))
    assert table["sku"].tolist() == ["C", "B"]


def _morning_view(language, listings, alerts=None):
    from opsanalysis.cadence_sections import MorningCheck

    return MorningCheck(language=language, currency="USD", as_of_text="2026-10-31", found="-",
                        health=None, alerts=alerts, buy_box=None, feedback=None,
                        listings=listings, buy_box_rule={"value": 0.8}, feedback_days=1,
                        health_breaches=pd.DataFrame(columns=["rule_id", "value", "rule"]))


def test_morning_sentences_count_one_and_many_in_english_and_chinese():
    from opsanalysis import cadence_sections

    one = pd.DataFrame({"sku": ["C"], "listing_problem": ["stranded_stock"],
                        "listing_status": [""], "fba_units_at_stake": [1.0]})
    two = pd.concat([one, one.assign(sku="D", listing_problem="suppressed",
                                     fba_units_at_stake=11.0)], ignore_index=True)
    assert cadence_sections.listings_section(_morning_view("en", one)).finding == \
        "1 listing cannot sell: 1 with stranded FBA stock (1 unit)."
    assert cadence_sections.listings_section(_morning_view("en", two)).finding == \
        "2 listings cannot sell: 1 with stranded FBA stock (1 unit)."
    assert cadence_sections.listings_section(_morning_view("zh", two)).finding == \
        "2 个 listing 无法销售：1 个有滞留 FBA 库存（1 件）。"
    actions = cadence_sections.morning_actions_section(_morning_view("en", two))
    assert actions.table["reason"].iloc[0] == "1 FBA unit without a buyable offer"
    alerts = pd.DataFrame({"sku": ["A"], "stock_alert": ["no_sellable_stock"],
                           "sellable_fba_units": [0.0]})
    assert cadence_sections.stock_alerts_section(_morning_view("en", None, alerts)).finding == \
        "1 SKU flagged; without a sellable FBA unit: 1."


def test_the_morning_check_reads_only_the_kinds_it_declares():
    """Every frame the check reads is one of morning_check.KINDS (the daily batch parses no
    other file): a check reading another kind fails here, not silently in the daily run."""
    from opsanalysis import cadence_sections, report_context
    from opsanalysis.io import MarketplaceData

    asked = []

    class Recording(MarketplaceData):
        def get(self, kind, default=None):
            asked.append(kind)
            return super().get(kind, default)

    report = report_context.ReportContext(
        marketplace=type("M", (), {"currency": "USD", "code": "US"})(),
        data=Recording("US"), params=params.load("US"), as_of=pd.Timestamp("2026-10-31"),
        language="en", output_dir=None)
    check = cadence_sections.prepare_morning_check(report, 7)
    assert set(asked) == set(morning_check.KINDS)
    assert check.alerts is None and check.listings is None  # not estimated, not empty
    with pytest.raises(KeyError, match="does not list"):
        cadence_sections._morning_frame(Recording("US"), "all_orders")

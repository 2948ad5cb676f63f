"""The "Profit and payouts" sections on a hand-made settlement, and without one."""

from types import SimpleNamespace

import pandas as pd
import pytest
from test_settlements import AS_OF, settlement_files, two_products, us_params

import opsanalysis as oa
from opsanalysis import profit_sections
from opsanalysis.section import Section


@pytest.fixture
def report(tmp_path):
    frames = [oa.io.read_report(p, marketplace="US") for p in settlement_files(tmp_path)]
    orders = pd.DataFrame({
        "amazon_order_id": ["A", "C"],
        "purchase_date": pd.to_datetime(["2026-01-02 10:00", "2026-01-04 10:00"])
        .tz_localize("America/Los_Angeles"),
        "order_status": "Shipped", "sales_channel": "Amazon.com", "sku": ["X", "Y"],
        "quantity": [2, 1], "item_price": [40.0, 20.0], "currency": "USD"})
    data = {"settlement_v2": pd.concat(frames, ignore_index=True), "all_orders": orders,
            "product_master": two_products()}
    return SimpleNamespace(data=data, params=us_params(), as_of=AS_OF, language="en")


def test_profit_section_lists_loss_making_first(report):
    view = profit_sections.prepare_profit(report)
    section = profit_sections.profit_section(view)
    assert isinstance(section, Section) and section.heading == "Profit and payouts"
    assert section.table["sku"].tolist() == ["Y", "X"]
    assert "1 SKU losing money by what Amazon charged: Y" in section.finding
    assert "3.40 USD" in section.finding  # 21.00 - 10.60 - 5.00 advertising - 2.00 storage
    assert any("FBA fee preview" in note for note in section.notes)
    text = section.check_text()
    assert "nan" not in text.lower()


def test_payout_and_unsettled_sections(report):
    view = profit_sections.prepare_profit(report)
    payouts = profit_sections.payouts_section(view)
    assert payouts.table["deposit_date"].tolist() == [pd.Timestamp("2026-01-17"),
                                                      pd.Timestamp("2026-01-31")]
    assert "2026-01-31" in payouts.finding and "17.40 USD" in payouts.finding
    unsettled = profit_sections.unsettled_section(view)
    assert unsettled.table["amazon_order_id"].tolist() == ["C"]
    tables = profit_sections.workbook_tables(view)
    assert set(tables) == {"actions", "profit_by_sku", "profit_by_month", "payout_calendar",
                           "unsettled_orders"}


def test_actions_name_the_loss_and_the_unsettled_order(report):
    """One action per loss-making SKU (by what Amazon charged) and per order never settled."""
    view = profit_sections.prepare_profit(report)
    actions = profit_sections.actions_table(view)
    assert actions["action"].tolist() == ["review_loss_making_sku", "open_case_unsettled_order"]
    assert actions["sku"].tolist() == ["Y", "Y"]
    assert actions.loc[1, "amazon_order_id"] == "C"
    assert "lost " in actions.loc[0, "reason"] and "lost -" not in actions.loc[0, "reason"]
    assert "in no settlement" in actions.loc[1, "reason"]
    section = profit_sections.actions_section(view)
    assert section.finding.startswith("2 ")


def test_actions_without_a_settlement_say_what_to_download(report):
    del report.data["settlement_v2"]
    section = profit_sections.actions_section(profit_sections.prepare_profit(report))
    assert section.table is None and "All Statements" in section.finding


def test_unknown_cost_reads_not_estimated(report):
    report.data["product_master"] = report.data["product_master"].iloc[:1]
    section = profit_sections.profit_section(profit_sections.prepare_profit(report))
    assert "profit not estimated" in section.finding
    assert "not estimated" in section.check_text()


@pytest.mark.parametrize("language, words, named_above", [
    ("en", "All Statements", "Not estimated: needs the download named earlier in this report."),
    ("zh", "所有结算报告", "未估计：需要本报告前文所述的下载文件。")])
def test_without_settlement_says_what_to_download_once(report, language, words, named_above):
    # this week's actions, the report's first section, names the download; the three sections
    # after it say only that they are not estimated for want of it (seen on a real folder: the
    # same sentence four times)
    report.data = {"all_orders": report.data["all_orders"]}
    report.language = language
    view = profit_sections.prepare_profit(report)
    actions = profit_sections.actions_section(view)
    assert words in actions.finding and actions.table is None
    for function in (profit_sections.profit_section, profit_sections.payouts_section,
                     profit_sections.unsettled_section):
        section = function(view)
        assert section.finding == named_above and section.table is None
    tables = profit_sections.workbook_tables(view)
    assert list(tables) == ["actions"] and tables["actions"].empty


def test_date_range_report_alone_names_the_flat_file_once(report):
    # profit from the Date Range report, but no deposits or reserves: the payout calendar
    # names the flat file V2, the unsettled orders after it say only "named earlier"
    report.data["date_range_transactions"] = pd.DataFrame({
        "date_time": pd.to_datetime(["2026-01-03 10:00"]).tz_localize("America/Los_Angeles"),
        "settlement_id": "111", "type": ["Order"], "order_id": ["A"], "sku": ["X"],
        "description": ["thing"], "quantity": [2], "product_sales": [40.0],
        "selling_fees": [-6.0], "fba_fees": [-10.0], "total": [24.0]})
    del report.data["settlement_v2"]
    view = profit_sections.prepare_profit(report)
    assert view.source == "date_range_transactions"
    assert "flat files V2" in profit_sections.payouts_section(view).finding
    assert profit_sections.unsettled_section(view).finding == (
        "Not estimated: needs the download named earlier in this report.")


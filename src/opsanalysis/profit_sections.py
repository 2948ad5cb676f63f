"""The "Profit and payouts" sections: each returns a :class:`~opsanalysis.section.Section`.

A notebook calls :func:`prepare_profit` once, then :func:`profit_section` (actual profit per
SKU, loss-making first, with the month-over-month gross-margin stability rule and the fee
preview comparison as notes), :func:`payouts_section` (the payout calendar: reserve held,
deposit date and amount in the marketplace currency and CNY) and :func:`unsettled_section`
(shipped orders no settlement holds); :func:`workbook_tables` gives their tidy tables. The
figures come from :mod:`opsanalysis.settlements`; a folder without a settlement report gets a
sentence saying what to download, never an error; an unknown cost reads "not estimated".
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from opsanalysis import settlements
from opsanalysis.formats import money_text, percent_text
from opsanalysis.labels import fill, label
from opsanalysis.section import Section, missing_input_section
from opsanalysis.section import actions_section as _actions_section

__all__ = ["Profit", "actions_section", "actions_table", "payouts_section", "prepare_profit",
           "profit_section", "unsettled_section", "workbook_tables"]

#: Rows of a long table shown in the report (the workbook holds every row).
TOP_ROWS = 10
_SKU_COLUMNS = ["sku", "units_sold", "net_sales", "referral_fee", "fba_fee", "refund_fees",
                "product_landed_cost", "gross_profit", "gross_margin", "loss_making",
                "not_estimated_reason", "currency"]
_KINDS = {"units_sold": "count", "units_refunded": "count", "net_sales": "money",
          "referral_fee": "money", "fba_fee": "money", "refund_fees": "money",
          "product_landed_cost": "money", "gross_profit": "money", "gross_margin": "percent",
          "loss_making": "bool", "not_estimated_reason": "text", "sku": "text",
          "settlement_id": "text", "period_start": "date", "period_end": "date",
          "deposit_date": "date", "sales": "money", "reserve_held": "money",
          "reserve_released": "money", "payout": "money", "payout_cny": "number",
          "amazon_order_id": "text", "purchase_date": "date", "quantity": "count",
          "item_price": "money", "days_unsettled": "count"}


@dataclass
class Profit:
    """What the profit sections show, from :func:`prepare_profit`.

    Attributes
    ----------
    language, currency : str
    source : str or None
        Report kind the charges come from ("settlement_v2", "date_range_transactions"), None
        when the folder has neither.
    sku : DataFrame
        :func:`.settlements.sku_profit` (empty without charges).
    monthly, stability, payouts, unsettled, fees : DataFrame or None
        :func:`.settlements.marketplace_profit`, :func:`.settlements.margin_stability`,
        :func:`.settlements.payout_calendar`, :func:`.settlements.unsettled_orders`,
        :func:`.settlements.fee_differences` (None where their reports are missing); in
        ``monthly`` profit / net sales is named ``profit_margin`` (its own label, not the
        opportunity matrix's ``margin``).
    rule : dict
        params ``rules.gross_margin_stability``.
    has_orders : bool
        Whether the folder has an All Orders report.
    first_day, last_day : pandas.Timestamp or None
        First and last day an amount was posted on.
    """

    language: str
    currency: str
    source: str | None
    sku: pd.DataFrame
    monthly: pd.DataFrame | None
    stability: pd.DataFrame | None
    payouts: pd.DataFrame | None
    unsettled: pd.DataFrame | None
    fees: pd.DataFrame | None
    rule: dict
    has_orders: bool
    first_day: object = None
    last_day: object = None


def prepare_profit(report) -> Profit:
    """Compute every figure of the profit sections from a report context.

    Parameters
    ----------
    report : ReportContext
        Uses ``report.data`` (``settlement_v2`` or ``date_range_transactions``, ``all_orders``,
        ``product_master``, ``fba_fee_preview``), ``report.params``, ``report.as_of`` and
        ``report.language``.

    Returns
    -------
    Profit
    """
    data, params = report.data, report.params
    settlement = data.get("settlement_v2")
    transactions = data.get("date_range_transactions")
    orders, preview = data.get("all_orders"), data.get("fba_fee_preview")
    rule = params["rules"]["gross_margin_stability"]
    view = Profit(report.language, params["currency"], None, pd.DataFrame(), None, None, None,
                  None, None, rule, orders is not None)
    if settlement is not None and len(settlement):
        view.source, charges = "settlement_v2", settlements.settlement_charges(settlement)
        view.payouts = settlements.payout_calendar(settlement, params)
        view.unsettled = settlements.unsettled_orders(
            orders, charges, settlements.settlement_periods(settlement))
    elif transactions is not None and len(transactions):
        view.source = "date_range_transactions"
        charges = settlements.transaction_charges(transactions, params["currency"])
    else:
        return view
    products, as_of = data.get("product_master"), report.as_of
    view.first_day, view.last_day = charges["posted_date"].min(), charges["posted_date"].max()
    view.sku = settlements.sku_profit(charges, products, params, as_of)
    # profit / net sales: its own name, not the opportunity matrix's "margin" component
    view.monthly = settlements.marketplace_profit(charges, products, params, as_of).rename(
        columns={"margin": "profit_margin"})
    view.stability = settlements.margin_stability(view.monthly, rule)
    if preview is not None:
        view.fees = settlements.fee_differences(charges, preview)
    return view


def actions_table(view: Profit) -> pd.DataFrame:
    """This week's profit actions, most money first within each kind.

    Rows: a SKU that loses money by what Amazon charged (``review_loss_making_sku``), a shipped
    order no settlement holds (``open_case_unsettled_order``), a fee charged above the FBA fee
    preview (``dispute_fee_difference``).

    Returns
    -------
    DataFrame
        action, sku, amazon_order_id, amount [marketplace currency], reason (words).
    """
    rows = [*_loss_rows(view), *_unsettled_rows(view), *_fee_rows(view)]
    return pd.DataFrame(rows, columns=["action", "sku", "amazon_order_id", "amount", "reason"])


def _loss_rows(view: Profit) -> list:
    if view.source is None:
        return []
    losing = view.sku[view.sku["loss_making"]].sort_values("gross_profit", kind="stable")
    return [("review_loss_making_sku", row.sku, "", row.gross_profit,
             fill("loss_making_reason", view.language,
                 profit=_money(abs(row.gross_profit), view),
                 margin=_percent(row.gross_margin, view.language),
                 units=f"{int(row.units_sold):,}"))
            for row in losing.itertuples(index=False)]


def _unsettled_rows(view: Profit) -> list:
    if view.unsettled is None:
        return []
    return [("open_case_unsettled_order", row.sku, row.amazon_order_id, row.item_price,
             fill("unsettled_reason", view.language,
                 date=_day(row.purchase_date), days=f"{int(row.days_unsettled):,}"))
            for row in view.unsettled.itertuples(index=False)]


def _fee_rows(view: Profit) -> list:
    if view.fees is None:
        return []
    overcharged = view.fees[view.fees["fee_difference_total"] > 0]
    return [("dispute_fee_difference", row.sku, "", row.fee_difference_total,
             fill("fee_difference_reason", view.language,
                 fee=label(row.fee, view.language),
                 charged=_money(row.charged_per_unit, view),
                 preview=_money(row.preview_per_unit, view)))
            for row in overcharged.itertuples(index=False)]


def actions_section(view: Profit) -> Section:
    """"This week's actions" of the profit report (:func:`actions_table`)."""
    section = _actions_section(actions_table(view), view.language, view.currency, top=10,
                               sheet="actions")
    if view.source is None:  # what to download, not an empty table
        section.finding, section.table = label("needs_settlement_report", view.language), None
    return section


def _money(value, view) -> str:
    if pd.isna(value):
        return label("not_estimated", view.language)
    return money_text(float(value), view.currency, view.language)


def _day(value) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d}" if pd.notna(value) else "—"


def _stability_note(view: Profit) -> str:
    rows = view.stability
    if rows is None or rows.empty:
        return ""
    months = ", ".join(f"{m:%Y-%m} {_percent(v, view.language)}"
                       for m, v in zip(rows["month"], rows["gross_margin"], strict=True))
    breached = rows.loc[rows["status"] == "breach", "month"]
    status = (label("margin_stable", view.language) if breached.empty else
              fill("margin_unstable", view.language,
                  months=", ".join(f"{m:%Y-%m}" for m in breached)))
    return fill("margin_stability_note", view.language,
        months=months, low=f"{100 * float(view.rule['min']):+g}",
        high=f"{100 * float(view.rule['max']):+g}", status=status)


def _percent(value, language) -> str:
    return label("not_estimated", language) if pd.isna(value) else percent_text(float(value))


def _fees_note(view: Profit) -> str:
    if view.fees is None:
        return label("fee_preview_missing_note", view.language)
    if view.fees.empty:
        return label("no_fee_differences_note", view.language)
    return fill("fee_differences_note", view.language,
        count=f"{len(view.fees):,}", total=_money(view.fees["fee_difference_total"].sum(), view))


def profit_section(view: Profit) -> Section:
    """Actual profit per SKU from what Amazon charged, loss-making SKUs first."""
    language, heading = view.language, label("profit_and_payouts", view.language)
    if view.source is None:  # this week's actions, the report's first section, names it
        return missing_input_section(heading, "needs_settlement_report", language, first=False)
    total = view.monthly[view.monthly["period"] == "total"].iloc[0]
    start, end = _day(view.first_day), _day(view.last_day)
    losing = view.sku.loc[view.sku["loss_making"], "sku"]
    if pd.isna(total["profit"]):
        finding = fill("profit_not_estimated_finding", language,
            net_sales=_money(total["net_sales"], view), start=start, end=end,
            count=f"{int(view.sku['gross_profit'].isna().sum()):,}")
    else:
        finding = fill("profit_finding", language,
            profit=_money(total["profit"], view), net_sales=_money(total["net_sales"], view),
            margin=_percent(total["profit_margin"], language), start=start, end=end,
            advertising=_money(-total["advertising"], view),
            storage=_money(-total["storage"], view), count=f"{len(losing):,}",
            skus=", ".join(losing) or label("no_sku_loses", language))
    notes = [_stability_note(view), _fees_note(view)]
    return Section(heading, finding, view.sku[_SKU_COLUMNS], language=language,
                   currency=view.currency, kinds=_KINDS, top=TOP_ROWS, sheet="profit_by_sku",
                   notes=notes)


def _payout_table(view: Profit) -> pd.DataFrame:
    table = view.payouts.rename(columns={"payout_summary": "payout_cny"})
    return table[["settlement_id", "period_start", "period_end", "deposit_date", "sales",
                  "reserve_held", "reserve_released", "payout", "payout_cny", "currency"]]


def _needs_flat_file(view: Profit, heading: str) -> Section:
    """What to download when the payouts are unknown: the flat file V2 where only the Date Range
    report (no deposits, no reserves) is there; without any settlement report, this week's
    actions (the report's first section) has named it, and the section says only that."""
    if view.source is None:
        return missing_input_section(heading, "needs_settlement_report", view.language,
                                     first=False)
    return missing_input_section(heading, "needs_settlement_flat_file", view.language,
                                 first=True)


def payouts_section(view: Profit) -> Section:
    """The payout calendar (回款): per settlement the reserve held, deposit date and amount."""
    language, heading = view.language, label("payout_calendar", view.language)
    if view.payouts is None:
        return _needs_flat_file(view, heading)
    rows = view.payouts
    last = rows.iloc[-1]
    summary = rows["summary_currency"].iloc[0]
    total_summary = rows["payout_summary"].sum(min_count=len(rows))
    finding = fill("payout_finding", language,
        count=f"{len(rows):,}", start=_day(rows["period_start"].min()),
        end=_day(rows["period_end"].max()), total=_money(rows["payout"].sum(), view),
        total_summary=(label("not_estimated", language) if pd.isna(total_summary)
                       else money_text(float(total_summary), summary, language)),
        deposit=_day(last["deposit_date"]), last=_money(last["payout"], view),
        reserve=_money(last["reserve_held"], view))
    notes = []
    if pd.notna(last["summary_fx_rate"]):
        notes.append(fill("payout_fx_note", language,
            rate=f"{float(last['summary_fx_rate']):g}", summary=summary,
            currency=view.currency, date=last["summary_fx_date"] or "—"))
    return Section(heading, finding, _payout_table(view), language=language,
                   currency=view.currency, kinds=_KINDS, top=TOP_ROWS, sheet="payout_calendar",
                   notes=notes)


def unsettled_section(view: Profit) -> Section:
    """Shipped orders that no settlement holds though a whole settlement has closed since."""
    language, heading = view.language, label("unsettled_orders", view.language)
    if view.payouts is None:  # the payout calendar just before it has named the download
        return missing_input_section(heading, "needs_settlement_flat_file", language,
                                     first=False)
    if not view.has_orders:
        return Section(heading, label("needs_orders_for_reconciliation", language),
                       language=language)
    rows = view.unsettled
    if rows.empty:
        return Section(heading, label("no_unsettled_orders", language), language=language)
    finding = fill("unsettled_finding", language,
        count=f"{len(rows):,}", amount=_money(rows["item_price"].sum(), view))
    return Section(heading, finding, rows, language=language, currency=view.currency,
                   kinds=_KINDS, top=TOP_ROWS, sheet="unsettled_orders")


def workbook_tables(view: Profit) -> dict:
    """Tidy tables of the profit sections for ``report.write_tables`` (present ones only).

    Returns
    -------
    dict of str to DataFrame
        actions, profit_by_sku, profit_by_month (with the stability rule's change and status),
        payout_calendar, unsettled_orders, fee_differences.
    """
    tables = {"actions": actions_table(view)}  # the workbook exists even without settlements
    if view.source is not None:
        tables["profit_by_sku"] = view.sku
        stability = view.stability.drop(columns="gross_margin")
        tables["profit_by_month"] = view.monthly.merge(stability, on="month", how="left")
    if view.payouts is not None:
        tables["payout_calendar"] = view.payouts
    if view.unsettled is not None:
        tables["unsettled_orders"] = view.unsettled
    if view.fees is not None:
        tables["fee_differences"] = view.fees
    return tables

"""The "Listing health" section: listings that cannot sell, stranded stock, changes, go-live.

A notebook calls :func:`listing_health_section` with its report context (or with the
:class:`ListingHealth` of :func:`prepare_listing_health`, to reuse it for the workbook): the
marketplace overview shows it, and the daily morning check can show the same section with the
same one line. :func:`workbook_tables` gives the tidy tables. The figures come from
:mod:`opsanalysis.listing_health`; a folder without any listing report gets the sentence saying
what to download, never an error; unknown units or values read "not estimated".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from opsanalysis import listing_health
from opsanalysis.formats import money_text
from opsanalysis.labels import fill, label
from opsanalysis.section import Section

__all__ = ["ListingHealth", "TOP_ROWS", "listing_health_section", "listing_health_table",
           "prepare_listing_health", "workbook_tables"]

#: Rows of the listing table shown in the report (the workbook holds every row).
TOP_ROWS = 15
#: Order of the problems in the table: what cannot sell first, then missing stock.
_ORDER = ("suppressed", "stranded_stock", "listing_inactive", "listing_incomplete",
          "listing_not_active", "no_sellable_stock", "not_in_fba_inventory")
_COLUMNS = ["sku", "asin", "listing_problem", "reason", "since", "units_at_stake",
            "value_at_stake", "currency"]
_KINDS = {"sku": "text", "asin": "text", "listing_problem": "text", "reason": "text",
          "since": "date", "units_at_stake": "count", "value_at_stake": "money",
          "currency": "text"}


@dataclass
class ListingHealth:
    """What the listing-health section shows, from :func:`prepare_listing_health`.

    Attributes
    ----------
    language, currency : str
    found : dict of str to bool
        Which of all_listings, suppressed_listings, stranded_inventory, fba_inventory and
        all_orders the folder holds.
    problems, stranded, without_stock, go_live : DataFrame or None
        :func:`.listing_health.problem_listings`, :func:`.listing_health.stranded_units`,
        :func:`.listing_health.without_fba_stock`, :func:`.listing_health.go_live` (None where
        their reports are missing).
    changes : DataFrame
        :func:`.listing_health.listing_changes`.
    snapshots : list of Timestamp
        All Listings snapshot dates up to the report date.
    go_live_limit : float
        params ``rules.listing_go_live_hours.value`` [hours].
    go_live_start : Timestamp or None
        First day of the orders: listings created since then can show a first sale.
    as_of : Timestamp or None
    """

    language: str
    currency: str
    found: dict
    problems: pd.DataFrame | None
    stranded: pd.DataFrame | None
    without_stock: pd.DataFrame | None
    go_live: pd.DataFrame | None
    changes: pd.DataFrame
    snapshots: list = field(default_factory=list)
    go_live_limit: float = np.nan
    go_live_start: object = None
    as_of: object = None


def prepare_listing_health(report) -> ListingHealth:
    """Compute every figure of the listing-health section from a report context.

    Parameters
    ----------
    report : ReportContext
        Uses ``report.data`` (``all_listings``, ``suppressed_listings``,
        ``stranded_inventory``, ``fba_inventory``, ``all_orders``), ``report.params``
        (``currency``, ``rules.listing_go_live_hours``), ``report.as_of`` and
        ``report.language``.

    Returns
    -------
    ListingHealth
    """
    data, as_of = report.data, report.as_of
    kinds = ("all_listings", "suppressed_listings", "stranded_inventory", "fba_inventory",
             "all_orders")
    frames = {kind: data.get(kind) for kind in kinds}
    found = {kind: frame is not None and len(frame) > 0 for kind, frame in frames.items()}
    listings, orders = frames["all_listings"], frames["all_orders"]
    snapshots = []
    if found["all_listings"] and "snapshot_date" in listings:
        dates = pd.to_datetime(listings["snapshot_date"]).dropna()
        dates = dates[dates <= pd.Timestamp(as_of)] if as_of is not None else dates
        snapshots = sorted(dates.unique())
    start = None
    if found["all_orders"]:
        first = pd.to_datetime(orders["purchase_date"]).min()
        start = (first.tz_localize(None) if first.tzinfo is not None else first).normalize()
    return ListingHealth(
        report.language, report.params["currency"], found,
        listing_health.problem_listings(listings, frames["suppressed_listings"], as_of),
        listing_health.stranded_units(frames["stranded_inventory"], as_of)
        if found["stranded_inventory"]
        else listing_health.stranded_from_inventory(frames["fba_inventory"], as_of),
        listing_health.without_fba_stock(listings, frames["fba_inventory"], as_of),
        listing_health.go_live(listings, orders, as_of),
        listing_health.listing_changes(listings, as_of), snapshots,
        float(report.params["rules"]["listing_go_live_hours"]["value"]), start, as_of)


def listing_health_table(view: ListingHealth) -> pd.DataFrame:
    """One row per SKU that needs a look, with one problem (the most urgent).

    Returns
    -------
    DataFrame
        sku, asin, listing_problem ("suppressed", "stranded_stock", "listing_inactive",
        "listing_incomplete", "listing_not_active", "no_sellable_stock",
        "not_in_fba_inventory"), reason (Amazon's words: suppression reason, stranded reason
        and suggested action; "" when no report gives one), since (status change or stranded
        date), units_at_stake (units the Stranded Inventory report holds for the SKU) [units;
        NaN = not estimated without it], value_at_stake (those units at the listing price)
        [marketplace currency], currency.
    """
    parts = []
    if view.problems is not None and len(view.problems):
        parts.append(pd.DataFrame({"sku": view.problems["sku"], "asin": view.problems["asin"],
                                   "listing_problem": view.problems["problem"],
                                   "reason": view.problems["reason"],
                                   "since": view.problems["since"]}))
    if view.stranded is not None and len(view.stranded):
        stranded = view.stranded
        action = stranded["primary_action"].astype(str)
        reason = stranded["stranded_reason"].astype(str)
        words = (reason + " (" + action + ")").where(action.ne(""), reason)
        parts.append(pd.DataFrame({"sku": stranded["sku"], "asin": stranded["asin"],
                                   "listing_problem": "stranded_stock", "reason": words,
                                   "since": stranded["date_stranded"]}))
    if view.without_stock is not None and len(view.without_stock):
        parts.append(pd.DataFrame({"sku": view.without_stock["sku"],
                                   "asin": view.without_stock["asin"],
                                   "listing_problem": view.without_stock["stock_problem"],
                                   "reason": "", "since": pd.NaT}))
    parts = [part.astype({"since": "datetime64[ns]"}) for part in parts]
    if not parts:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in _COLUMNS})
    table = pd.concat(parts, ignore_index=True)
    table["_order"] = table["listing_problem"].map({code: i for i, code in enumerate(_ORDER)})
    table = table.sort_values(["_order", "sku"], kind="stable").drop_duplicates("sku")
    if view.stranded is not None:
        by_sku = view.stranded.drop_duplicates("sku").set_index("sku")
        table["units_at_stake"] = table["sku"].map(by_sku["stranded_units"])
        table["value_at_stake"] = table["sku"].map(by_sku["stranded_value"])
        # a SKU the Stranded Inventory report does not list holds no stranded unit
        table.loc[~table["sku"].isin(by_sku.index), "units_at_stake"] = 0.0
        table.loc[~table["sku"].isin(by_sku.index), "value_at_stake"] = 0.0
    else:
        table["units_at_stake"], table["value_at_stake"] = np.nan, np.nan
    table["currency"] = view.currency
    table["reason"] = table["reason"].fillna("").astype(str)
    return table[_COLUMNS].reset_index(drop=True)


def _day(value) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d}" if pd.notna(value) else "—"


def _missing_note(view: ListingHealth) -> str:
    keys = {"all_listings": "listing_missing_all_listings",
            "suppressed_listings": "listing_missing_suppressed",
            "stranded_inventory": "listing_missing_stranded",
            "fba_inventory": "listing_missing_fba_inventory"}
    missing = [label(key, view.language) for kind, key in keys.items() if not view.found[kind]]
    if not missing:
        return ""
    return fill("listing_missing_note", view.language, reports="; ".join(missing))


def _changes_note(view: ListingHealth) -> str:
    if not view.found["all_listings"]:
        return ""
    if len(view.snapshots) < 2:
        return fill("listing_changes_need_note", view.language,
            count=f"{len(view.snapshots):,}")
    kinds = view.changes["change_type"]
    return fill("listing_changes_note", view.language,
        first=_day(view.snapshots[0]), last=_day(view.snapshots[-1]),
        prices=f"{int((kinds == 'price').sum()):,}", titles=f"{int((kinds == 'title').sum()):,}")


def _go_live_note(view: ListingHealth) -> str:
    if not view.found["all_listings"]:
        return ""
    if view.go_live is None or view.go_live_start is None:
        return label("go_live_needs_note", view.language)
    end = view.as_of if view.as_of is not None else pd.Timestamp.max
    figure = listing_health.go_live_in_window(view.go_live, view.go_live_start, end)
    start = _day(view.go_live_start)
    if figure is None:
        return fill("go_live_not_estimated_note", view.language, start=start)
    created = view.go_live["open_date"]
    local = created.dt.tz_localize(None) if getattr(created.dt, "tz", None) is not None \
        else created
    inside = view.go_live[(local.dt.normalize() >= view.go_live_start).to_numpy()]
    within = int((inside["go_live_hours"] <= view.go_live_limit).sum())
    row = figure.iloc[0]
    return fill("go_live_note", view.language,
        hours=f"{row['value']:,.1f}", measured=f"{int(row['numerator']):,}",
        created=f"{int(row['denominator']):,}", start=start, within=f"{within:,}",
        limit=f"{view.go_live_limit:g}")


def listing_health_section(view) -> Section:
    """Listings that cannot sell or lack stock, with notes on changes and go-live time.

    Parameters
    ----------
    view : ListingHealth or ReportContext
        :func:`prepare_listing_health`, or the report context to compute it from.

    Returns
    -------
    Section
        Heading, finding (counts, stranded units and value), the table of
        :func:`listing_health_table`, notes (price and title changes, go-live against the
        rule, the reports not found); without any listing report, the sentence saying what
        to download.
    """
    if not isinstance(view, ListingHealth):
        view = prepare_listing_health(view)
    language, heading = view.language, label("listing_health", view.language)
    if not (view.found["all_listings"] or view.found["suppressed_listings"]
            or view.found["stranded_inventory"]):
        return Section(heading, label("listing_needs_reports", language), language=language)
    table = listing_health_table(view)
    codes = table["listing_problem"]
    totals = listing_health.stranded_totals(view.stranded)
    counts = {"count": f"{len(table):,}", "suppressed": f"{int((codes == 'suppressed').sum()):,}",
              "inactive": f"{int(codes.isin(_ORDER[2:5]).sum()):,}",
              "no_stock": f"{int(codes.isin(_ORDER[5:]).sum()):,}"}
    if not len(table):
        finding = label("listing_no_problems", language)
    elif totals is None:
        finding = fill("listing_finding_no_stranded", language, **counts)
    else:
        finding = fill("listing_finding", language,
            **counts, stranded=f"{totals['skus']:,}", units=f"{totals['units']:,.0f}",
            value=money_text(totals["value"], view.currency, language))
    notes = [_changes_note(view), _go_live_note(view), _missing_note(view)]
    return Section(heading, finding, table, language=language, currency=view.currency,
                   kinds=_KINDS, top=TOP_ROWS, sheet="listing_health", notes=notes,
                   check_columns=["sku", "listing_problem", "since", "units_at_stake",
                                  "value_at_stake"])


def workbook_tables(view: ListingHealth) -> dict:
    """The section's tidy tables for the workbook.

    Returns
    -------
    dict of str to DataFrame
        listing_health (:func:`listing_health_table`), listing_changes, listing_go_live and
        stranded_inventory (where their reports are present).
    """
    tables = {"listing_health": listing_health_table(view)}
    if len(view.changes):
        tables["listing_changes"] = view.changes
    if view.go_live is not None:
        go_live = view.go_live.copy()
        for column in ("open_date", "first_active", "first_sale"):  # Excel takes no time zones
            if getattr(go_live[column].dt, "tz", None) is not None:
                go_live[column] = go_live[column].dt.tz_localize(None)
        tables["listing_go_live"] = go_live
    if view.stranded is not None:
        tables["stranded_inventory"] = view.stranded
    return tables

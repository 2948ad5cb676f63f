"""The sales history a replenishment plan rests on, from whatever reports a folder holds.

Stable API (used by :func:`opsanalysis.replenishment.plan`):

- :class:`PlanNeedsData` -- what a plan needs and did not find, as one sentence;
- :class:`PlanNote` -- a note or warning of the plan as a label key and its values (the report
  section puts it in the report's language: the plan itself is language-free);
- :func:`sales_history` -- the daily demand panel from the All Orders report (marketplace sales
  only, placeholder SKUs left out), else from Business Reports by ASIN (units of each period
  spread evenly over its days), with the basis of the figures and the notes a reader needs;
- :func:`velocity_forecast` -- the rule of thumb used when the history is shorter than
  ``replenishment.min_history_days``: every future day sells the mean of the covered days.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["PlanNeedsData", "PlanNote", "sales_history", "velocity_forecast"]


class PlanNote(NamedTuple):
    """A note or warning of a plan: the key of its sentence in ``labels/replenishment.yaml``
    (en + zh) and the values its placeholders take."""

    key: str
    values: dict


class PlanNeedsData(ValueError):
    """A plan cannot be made from the reports found; the message says what it needs.

    ``note`` is the same sentence as a :class:`PlanNote` (label key and values), for a report in
    the reader's language; the message stays English for logs and errors.
    """

    def __init__(self, message: str, note: PlanNote | None = None):
        super().__init__(message)
        self.note = note


def _found(data) -> str:
    kinds = sorted(getattr(data, "frames", {}) or {})
    return ", ".join(kinds) if kinds else "no readable report"


def _orders_for_plan(data, notes: list, warnings: list) -> pd.DataFrame:
    """All Orders lines of this marketplace's storefront and of non-Amazon channels.

    Lines of other Amazon storefronts (a regional download) are dropped; non-Amazon lines (MCF,
    removal shipments) stay so that the demand panel books them apart from demand
    (``units_mcf``); placeholder SKUs are dropped (a warning). Each exclusion is noted.
    """
    from opsanalysis import io

    orders = data["all_orders"]
    sale = io.is_marketplace_sale(orders, data.marketplace)
    non_amazon = io.identity.per_distinct(
        orders["sales_channel"],
        lambda distinct: distinct.astype("string").str.strip().str.casefold()
        .str.startswith("non").fillna(False))
    quantity = pd.to_numeric(orders["quantity"], errors="coerce").fillna(0)
    if non_amazon.any():
        notes.append(PlanNote("plan_note_non_amazon_units",
                              {"units": int(quantity[non_amazon].sum())}))
    other = sale.eq(False).fillna(False) & ~non_amazon
    if other.any():
        channels = ", ".join(sorted(orders.loc[other, "sales_channel"].astype(str).unique()))
        notes.append(PlanNote("plan_note_other_storefronts",
                              {"units": int(quantity[other].sum()), "channels": channels}))
    placeholder = io.is_placeholder_sku(orders["sku"])
    if placeholder.any():
        names = ", ".join(sorted(orders.loc[placeholder, "sku"].astype(str).unique()))
        warnings.append(PlanNote("plan_warning_placeholder_orders",
                                 {"skus": names, "lines": int(placeholder.sum())}))
    # rows chosen on the whole frame, then only the columns the demand panel uses are copied
    used = [c for c in ("purchase_date", "order_status", "sales_channel", "sku", "quantity",
                        "asin") if c in orders]
    kept = orders.loc[~other.to_numpy(dtype=bool) & ~placeholder.to_numpy(dtype=bool), used]
    kept.attrs = dict(orders.attrs)
    return kept


def _business_report_panel(report: pd.DataFrame, marketplace: str, as_of) -> pd.DataFrame:
    """Daily panel from Business Reports by ASIN: each period's units spread over its days.

    The same SKU under two parents is summed within a period; where periods of several files
    overlap, a day takes the value of its shortest period (the most specific).
    """
    from opsanalysis import io

    sku = report["sku"].astype("string") if "sku" in report else \
        pd.Series(pd.NA, index=report.index, dtype="string")
    sku = sku.fillna(report["child_asin"].astype("string"))
    frame = pd.DataFrame({
        "sku": sku, "start": pd.to_datetime(report["period_start"]).dt.normalize(),
        "end": pd.to_datetime(report["period_end"]).dt.normalize(),
        "units": pd.to_numeric(report["units_ordered"], errors="coerce"),
    })
    frame = frame[~io.is_placeholder_sku(frame["sku"]).to_numpy() & frame["start"].notna()
                  & frame["end"].notna()]
    frame = frame.groupby(["sku", "start", "end"], as_index=False)["units"].sum(min_count=1)
    frame["days"] = (frame["end"] - frame["start"]).dt.days + 1
    rows = frame.loc[frame.index.repeat(frame["days"].clip(lower=1))].copy()
    rows["ds"] = rows["start"] + pd.to_timedelta(rows.groupby(level=0).cumcount(), unit="D")
    rows["y"] = rows["units"] / rows["days"]
    rows = rows.sort_values(["sku", "ds", "days"], kind="stable").drop_duplicates(["sku", "ds"])
    if as_of is not None:
        rows = rows[rows["ds"] <= pd.Timestamp(as_of)]
    panel = rows[["sku", "ds", "y"]].reset_index(drop=True)
    panel["unique_id"] = f"{marketplace}:" + panel["sku"].astype(str)
    panel["units"] = panel["y"]
    panel["marketplace"] = marketplace
    panel["censored"] = False
    return panel[["unique_id", "ds", "y", "marketplace", "sku", "units", "censored"]]


def sales_history(data, params: dict, as_of=None) -> tuple[pd.DataFrame, str, list, list,
                                                            object]:
    """The demand panel of a plan and what it rests on.

    Parameters
    ----------
    data : MarketplaceData
        From :func:`opsanalysis.io.load_marketplace`.
    params : dict
        Loaded params (``forecast`` for the panel, ``replenishment.min_history_days``).
    as_of : date-like, optional
        Last day; default the last day of the sales data.

    Returns
    -------
    history : pandas.DataFrame
        Long daily panel (``unique_id``, ``ds``, ``y``, ``sku``, ``units`` ...; see
        :func:`opsanalysis.demand.build_panel`).
    basis : str
        ``all_orders`` or ``business_report_asin``, with ``_forecast`` appended, or
        ``_rule_of_thumb`` when the history covers fewer than ``min_history_days`` days.
    notes : list of PlanNote
        What the figures leave out (other sales channels).
    warnings : list of PlanNote
        What makes the plan less than complete: demand from Business Reports or the rule of
        thumb, placeholder SKUs left out.
    as_of : pandas.Timestamp

    Raises
    ------
    PlanNeedsData
        Without an All Orders report or a Business Report by ASIN.
    """
    from opsanalysis import demand, marketplaces

    notes: list = []
    warnings: list = []
    minimum = int(params["replenishment"]["min_history_days"])
    if data.get("all_orders") is not None:
        orders = _orders_for_plan(data, notes, warnings)
        timezone = marketplaces.get(data.marketplace).timezone
        dates = demand.local_dates(orders["purchase_date"], timezone)
        as_of = pd.Timestamp(dates.max() if as_of in (None, "") else as_of)
        history = demand.build_panel(orders, data.get("inventory_history"),
                                     data.get("business_report_asin"), data.marketplace,
                                     as_of=as_of, params=params)
        basis, first = "all_orders", dates.min()
    elif data.get("business_report_asin") is not None:
        report = data["business_report_asin"]
        if as_of in (None, ""):
            as_of = pd.to_datetime(report["period_end"]).max()
        as_of = pd.Timestamp(as_of)
        history = _business_report_panel(report, data.marketplace, as_of)
        basis, first = "business_report_asin", history["ds"].min()
        warnings.append(PlanNote("plan_warning_business_report_demand", {}))
    else:
        raise PlanNeedsData(
            f"The replenishment plan needs an All Orders report (at least {minimum} days) or a "
            f"Business Report by ASIN; found: {_found(data)}.",
            PlanNote("plan_needs_sales", {"minimum": minimum, "found": _found(data)}))
    days = int((as_of - pd.Timestamp(first)).days) + 1 if pd.notna(first) else 0
    basis += "_forecast" if days >= minimum else "_rule_of_thumb"
    if days < minimum:
        warnings.append(PlanNote("plan_warning_rule_of_thumb",
                                 {"days": days, "minimum": minimum}))
    return history, basis, notes, warnings, as_of


def velocity_forecast(history: pd.DataFrame, as_of, horizon: int) -> pd.DataFrame:
    """Flat daily forecast at each SKU's mean demand over its observed days (the rule of thumb).

    Parameters
    ----------
    history : pandas.DataFrame
        ``unique_id, ds, y`` [units per day]; NaN (censored) days are skipped.
    as_of : date-like
        The forecast starts the day after.
    horizon : int
        Days [days].

    Returns
    -------
    pandas.DataFrame
        ``unique_id, ds, forecast`` [units per day] (no quantiles: Poisson spread downstream).
    """
    rate = history.groupby("unique_id")["y"].mean().fillna(0.0)
    dates = pd.date_range(pd.Timestamp(as_of) + pd.Timedelta(days=1), periods=horizon, freq="D")
    return pd.DataFrame({"unique_id": np.repeat(rate.index.to_numpy(), horizon),
                         "ds": np.tile(dates, len(rate)),
                         "forecast": np.repeat(rate.to_numpy(dtype=float), horizon)})

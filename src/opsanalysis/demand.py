"""Daily demand panel per (marketplace, SKU) from orders, with stockout and buy-box censoring.

Seller tools count a day without stock as a day without demand, so a SKU that ran out forecasts
low and runs out again. Here such days are *censored*: the customers who would have bought are
not in the orders, so the day's sales say nothing about demand. By default a censored day keeps
its sales in ``units`` but gets ``y`` = NaN, which every forecasting method in
:mod:`opsanalysis.forecast` skips. ``censoring="impute"`` fills ``y`` with the mean of the last
``impute_window_days`` uncensored days instead (params ``forecast``); ``censoring="none"``
keeps the sales as demand (the seller-tool behaviour, for comparison).

A day is censored when
* the Daily Inventory History shows no sellable unit for the SKU that day (``in_stock`` False;
  a day on which stock ran out mid-day is censored too: its demand is only partly observed), or
* the Business Report puts the SKU's buy-box share below ``censor_buy_box_below`` (another
  seller took the sales; ``buy_box_lost`` True).
Without inventory history for a SKU (e.g. merchant-fulfilled) ``in_stock`` is unknown (NA) and
the day is not censored on that ground.

Output is long: ``unique_id`` ("<MP>:<sku>"), ``ds``, ``y`` and the flags, one row per SKU and
marketplace-local calendar day from the SKU's first order or inventory record to ``as_of``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsanalysis import marketplaces
from opsanalysis.io import is_cancelled, is_marketplace_sale, per_distinct

__all__ = ["CENSORING", "build_panel", "local_dates"]

#: Censoring treatments accepted by :func:`build_panel`.
CENSORING = ("missing", "impute", "none")


def local_dates(timestamps: pd.Series, timezone: str) -> pd.Series:
    """Marketplace-local calendar dates (naive midnight) of timestamps.

    Tz-aware values are converted to ``timezone`` first; naive values are taken as local.
    """
    values = pd.to_datetime(timestamps)
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_convert(timezone).dt.tz_localize(None)
    return values.dt.normalize().astype("datetime64[ns]")


def _order_units(orders: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Units per (sku, date): marketplace sales and other channels (MCF, removals) apart.

    The channel rule is :func:`opsanalysis.io.is_marketplace_sale` (any Amazon storefront, the
    same rule as the KPIs); a blank sales channel counts as a sale, as in the KPIs.
    """
    live = ~is_cancelled(orders).to_numpy(dtype=bool)
    # rows chosen on the whole frame, then only the columns used are copied
    kept = orders.loc[live,
                      [c for c in ("sales_channel", "quantity", "sku", "purchase_date")
                       if c in orders]]
    other = ~is_marketplace_sale(kept).fillna(True).to_numpy(dtype=bool)
    quantity = pd.to_numeric(kept["quantity"], errors="coerce").fillna(0).to_numpy()
    frame = pd.DataFrame({
        "sku": kept["sku"].astype(str).array,  # text column, no Python string per line
        "date": local_dates(kept["purchase_date"], timezone).to_numpy(),
        "units": np.where(other, 0, quantity),
        "units_mcf": np.where(other, quantity, 0),
    })
    return frame.groupby(["sku", "date"], as_index=False)[["units", "units_mcf"]].sum()


def _sellable_stock(inventory_history: pd.DataFrame) -> pd.DataFrame:
    """Sellable units per (sku, date) summed over fulfilment centres."""
    inv = inventory_history
    if "detailed_disposition" in inv:
        sellable = per_distinct(inv["detailed_disposition"], lambda distinct: distinct.astype(str)
                                .str.upper().str.strip() == "SELLABLE").to_numpy(dtype=bool)
        inv = inv.loc[sellable, ["sku", "date", "quantity"]]
    frame = pd.DataFrame({
        "sku": inv["sku"].astype(str).array,  # text column, no Python string per line
        "date": pd.to_datetime(inv["date"]).dt.normalize().to_numpy(),
        "quantity": pd.to_numeric(inv["quantity"], errors="coerce").fillna(0).to_numpy(),
    })
    return frame.groupby(["sku", "date"], as_index=False)["quantity"].sum()


def _buy_box_share(business_report: pd.DataFrame, asin_to_sku: dict) -> pd.DataFrame:
    """Buy-box share per (sku, date), each report period spread over its days."""
    br = business_report
    if "buy_box_percentage" not in br:
        return pd.DataFrame(columns=["sku", "date", "buy_box_share"])
    if "sku" in br and br["sku"].notna().any():
        sku = br["sku"].astype(str)
    else:
        sku = br["child_asin"].map(asin_to_sku)
    if "period_start" in br:
        first, last = pd.to_datetime(br["period_start"]), pd.to_datetime(br["period_end"])
    else:
        first = last = pd.to_datetime(br["date"])
    frame = pd.DataFrame({"sku": sku.to_numpy(), "first": first.to_numpy(),
                          "last": last.to_numpy(),
                          "share": pd.to_numeric(br["buy_box_percentage"], errors="coerce")})
    frame = frame.dropna()
    days = ((frame["last"] - frame["first"]).dt.days + 1).clip(lower=1).to_numpy()
    expanded = frame.loc[frame.index.repeat(days)]
    offset = np.concatenate([np.arange(n) for n in days]) if len(days) else np.array([], int)
    return pd.DataFrame({
        "sku": expanded["sku"].to_numpy(),
        "date": (expanded["first"] + pd.to_timedelta(offset, unit="D")).to_numpy(),
        "buy_box_share": expanded["share"].to_numpy(),
    }).groupby(["sku", "date"], as_index=False)["buy_box_share"].mean()


def _grid(units: pd.DataFrame, stock: pd.DataFrame | None, as_of) -> pd.DataFrame:
    """One row per SKU and day from its first record to ``as_of``."""
    firsts = [units.groupby("sku")["date"].min()]
    lasts = [units["date"].max()]
    if stock is not None and not stock.empty:
        firsts.append(stock.groupby("sku")["date"].min())
        lasts.append(stock["date"].max())
    first = pd.concat(firsts, axis=1).min(axis=1)
    end = pd.Timestamp(as_of) if as_of is not None else max(lasts)
    first = first[first <= end]
    length = (end - first).dt.days.to_numpy() + 1
    offset = np.concatenate([np.arange(n) for n in length]) if len(length) else []
    return pd.DataFrame({
        "sku": np.repeat(first.index.to_numpy(), length),
        "date": np.repeat(first.to_numpy(), length) + pd.to_timedelta(offset, unit="D"),
    })


def _impute(panel: pd.DataFrame, window: int) -> pd.Series:
    """Censored days -> mean of the last ``window`` uncensored days of the same SKU."""
    observed = panel["y"].where(~panel["censored"])
    trailing = observed.groupby(panel["unique_id"]).transform(
        lambda s: s.dropna().rolling(window, min_periods=1).mean().reindex(s.index).ffill())
    return panel["y"].where(~panel["censored"], trailing)


def build_panel(orders: pd.DataFrame, inventory_history: pd.DataFrame | None = None,
                business_report: pd.DataFrame | None = None, marketplace: str | None = None,
                *, as_of=None, censoring: str = "missing", params: dict) -> pd.DataFrame:
    """Daily demand panel with censoring flags, long ``unique_id, ds, y`` + flags.

    Parameters
    ----------
    orders : pandas.DataFrame
        Canonical ``all_orders`` frame (``purchase_date``, ``order_status``, ``sales_channel``,
        ``sku``, ``quantity``, optional ``asin``). Cancelled orders are dropped; units of lines
        that are not a sale on an Amazon storefront (:func:`opsanalysis.io.is_marketplace_sale`:
        ``Non-Amazon`` multi-channel fulfilment and removal shipments, any other channel) go to
        ``units_mcf``, not to demand; a blank channel counts as a sale.
    inventory_history : pandas.DataFrame, optional
        Canonical ``inventory_history`` (``date``, ``sku``, ``quantity``,
        ``detailed_disposition``); gives ``in_stock``.
    business_report : pandas.DataFrame, optional
        Canonical ``business_report_asin`` rows (``buy_box_percentage`` [fraction] per
        ``period_start``..``period_end`` or ``date``; ``sku`` or ``child_asin``).
    marketplace : str, optional
        Marketplace code; default ``orders.attrs["marketplace"]``. Sets the time zone of the
        calendar dates and the ``unique_id`` prefix.
    as_of : date-like, optional
        Last day of the panel; default the last order or inventory date.
    censoring : {"missing", "impute", "none"}
        Treatment of censored days (see the module docstring).
    params : dict
        Loaded params (:func:`opsanalysis.params.load`) or their ``forecast`` section: uses
        ``censor_buy_box_below`` and ``impute_window_days``. Required: the analysis reads no
        files.

    Returns
    -------
    pandas.DataFrame
        ``unique_id``, ``ds`` (naive local date), ``y`` (float demand [units/day], NaN when
        censored under "missing"), ``marketplace``, ``sku``, ``units`` (Int64 marketplace
        sales [units]), ``units_mcf`` (Int64 units of other channels: MCF, removals [units]),
        ``stock`` (sellable units, Int64, NA without inventory data),
        ``in_stock`` and ``buy_box_lost`` (boolean, NA when unknown), ``buy_box_share``
        [fraction], ``censored`` (bool) and ``imputed`` (bool).
    """
    if censoring not in CENSORING:
        raise ValueError(f"censoring must be one of {CENSORING}, got {censoring!r}")
    code = marketplace or orders.attrs.get("marketplace")
    if not code:
        raise ValueError("marketplace is required (orders.attrs has no 'marketplace')")
    mp = marketplaces.get(code)
    if not isinstance(params, dict):
        raise ValueError("build_panel needs params: pass params=opsanalysis.params.load("
                         "marketplace) (or its 'forecast' section)")
    settings = params.get("forecast", params)
    units = _order_units(orders, mp.timezone)
    stock = None if inventory_history is None else _sellable_stock(inventory_history)
    panel = _grid(units, stock, as_of).merge(units, on=["sku", "date"], how="left")
    panel[["units", "units_mcf"]] = panel[["units", "units_mcf"]].fillna(0)
    panel["stock"] = np.nan
    if stock is not None and not stock.empty:
        panel = panel.drop(columns="stock").merge(stock.rename(columns={"quantity": "stock"}),
                                                  on=["sku", "date"], how="left")
        covered = panel["date"].between(stock["date"].min(), stock["date"].max())
        known_sku = panel["sku"].isin(stock["sku"].unique())
        panel.loc[covered & known_sku, "stock"] = panel.loc[covered & known_sku, "stock"].fillna(0)
    panel["in_stock"] = (panel["stock"] > 0).astype("boolean").mask(panel["stock"].isna())
    panel["buy_box_share"] = np.nan
    if business_report is not None and not business_report.empty:
        asin_to_sku = {}
        if "asin" in orders:
            pairs = orders[["asin", "sku"]].dropna().drop_duplicates("asin")
            asin_to_sku = dict(zip(pairs["asin"], pairs["sku"].astype(str), strict=True))
        share = _buy_box_share(business_report, asin_to_sku)
        panel = panel.drop(columns="buy_box_share").merge(share, on=["sku", "date"], how="left")
    threshold = settings["censor_buy_box_below"]
    panel["buy_box_lost"] = (panel["buy_box_share"] < threshold).astype("boolean").mask(
        panel["buy_box_share"].isna())
    panel["censored"] = ((panel["in_stock"] == False) | (panel["buy_box_lost"] == True)).fillna(  # noqa: E712
        False).astype(bool)
    panel.insert(0, "unique_id", f"{mp.code}:" + panel["sku"])
    panel["marketplace"] = mp.code
    panel["y"] = panel["units"].astype(float)
    if censoring != "none":
        panel["y"] = panel["y"].where(~panel["censored"])
    panel["imputed"] = False
    if censoring == "impute":
        filled = _impute(panel, settings["impute_window_days"])
        panel["imputed"] = panel["censored"] & filled.notna()
        panel["y"] = filled
    for column in ("units", "units_mcf", "stock"):
        panel[column] = panel[column].round().astype("Int64")
    panel = panel.rename(columns={"date": "ds"}).sort_values(["unique_id", "ds"])
    columns = ["unique_id", "ds", "y", "marketplace", "sku", "units", "units_mcf", "stock",
               "in_stock", "buy_box_share", "buy_box_lost", "censored", "imputed"]
    return panel[columns].reset_index(drop=True)

"""Ad types (Sponsored Products, Brands, Display): one ad type per frame, clicks-only
attribution and spend, sales, ACOS and TACoS per ad type.

The arithmetic both the advertising report (:mod:`opsanalysis.ads`, which re-exports these
names) and the scorecard (:mod:`opsanalysis.kpi.scoring`, one ACOS / ROAS row per ad type)
use, so that the two show the same figures: ``kpi`` sits below ``ads`` and may not import it.
"""

import numpy as np
import pandas as pd

from opsanalysis.frames import as_float, safe_divide

#: Ad types, as the readers' constant ``ad_type`` column names them (SP frames have none).
AD_TYPES = ("sponsored_products", "sponsored_brands", "sponsored_display")

_CLICK_METRICS = ("sales", "orders", "units")


def ad_type_of(frame: pd.DataFrame) -> str:
    """The single ad type of a frame: its ``ad_type`` column, else Sponsored Products.

    Raises
    ------
    ValueError
        When the frame holds several ad types.
    """
    if "ad_type" not in frame or not len(frame):
        return "sponsored_products"
    types = frame["ad_type"].dropna().astype(str).unique()
    if len(types) > 1:
        raise ValueError(f"frame mixes ad types {sorted(types)}: analyse one at a time")
    return types[0] if len(types) else "sponsored_products"


def clicks_only(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with sales, orders and units attributed to clicks only.

    Sponsored Products attributes to clicks only. Sponsored Display's headline columns (and
    those of Sponsored Brands vCPM/video campaigns) count conversions after views *and*
    clicks; their ``*_clicks`` twins ("... - (Click)") count clicks only, as SP does. So:
    SP unchanged; SB/SD take the ``*_clicks`` columns where the report has them; an SB report
    without them keeps its totals (SB cost-per-click campaigns attribute to clicks); an SD
    report without them has no clicks-only figure: sales, orders and units become NaN (not
    estimated). The views-and-clicks totals stay in ``sales_views_and_clicks``,
    ``orders_views_and_clicks`` -- never added to clicks-only figures.

    Parameters
    ----------
    frame : DataFrame
        Canonical SP, SB or SD frame.

    Returns
    -------
    DataFrame
        A copy (SB/SD) or the frame itself (SP).
    """
    ad_type = ad_type_of(frame)
    if ad_type == "sponsored_products":
        return frame
    changed = {}
    for metric in _CLICK_METRICS:
        if metric in frame:
            changed[f"{metric}_views_and_clicks"] = frame[metric]
        twin = f"{metric}_clicks"
        if twin in frame:
            changed[metric] = frame[twin]
        elif ad_type == "sponsored_display" and metric in frame:
            changed[metric] = pd.Series(np.nan, index=frame.index)
    return frame.assign(**changed)


def ad_type_summary(campaigns, total_sales) -> pd.DataFrame:
    """Spend, sales, ACOS and TACoS per ad type and in total, over one window.

    Clicks-only sales (:func:`clicks_only`) and views-and-clicks sales stand in separate
    columns and are never added together: ``acos_clicks_only`` compares across ad types,
    ``acos_views_and_clicks`` is Amazon's headline for SB/SD (NaN for SP, which has no view
    attribution). The total row sums spend and clicks-only sales only when every ad type uses
    the same attribution window (SP campaign reports: 7 days; SB/SD: 14 days -- different
    windows are never added up): otherwise its sales and ACOS are NaN (not estimated). TACoS
    is ad spend / total sales (ads + organic) of the same window, per ad type and in total.

    Parameters
    ----------
    campaigns : sequence of DataFrame
        Campaign reports (``sp_campaign``, ``sb_campaign``, ``sd_campaign``) cut to the
        window, one currency.
    total_sales : float
        All sales of the marketplace in the window [currency] (orders or Business Report);
        NaN when unknown.

    Returns
    -------
    DataFrame
        ad_type (the three in :data:`AD_TYPES` present, then "total"), attribution_days,
        spend, sales_clicks_only, sales_views_and_clicks [currency], acos_clicks_only,
        acos_views_and_clicks, spend_share, tacos [fraction].

    Raises
    ------
    ValueError
        When the reports hold several currencies.
    """
    rows = []
    currencies = set()
    for frame in campaigns:
        if frame is None or not len(frame):
            continue
        if "currency" in frame:
            currencies |= set(frame["currency"].dropna().astype(str))
        ad_type = ad_type_of(frame)
        clicks = clicks_only(frame)
        days = (sorted(frame["attribution_days"].dropna().astype(int).unique())
                if "attribution_days" in frame else [])
        if len(days) > 1:
            raise ValueError(f"{ad_type} campaigns mix attribution windows {days}")
        spend = float(as_float(frame["spend"]).sum())
        views = (float(as_float(clicks["sales_views_and_clicks"]).sum(min_count=1))
                 if "sales_views_and_clicks" in clicks else np.nan)
        rows.append({"ad_type": ad_type, "attribution_days": days[0] if days else pd.NA,
                     "spend": spend,
                     "sales_clicks_only": float(as_float(clicks["sales"]).sum(min_count=1)),
                     "sales_views_and_clicks": views})
    if len(currencies) > 1:
        raise ValueError(f"campaign reports mix currencies {sorted(currencies)}")
    columns = ["ad_type", "attribution_days", "spend", "sales_clicks_only",
               "sales_views_and_clicks", "acos_clicks_only", "acos_views_and_clicks",
               "spend_share", "tacos"]
    if not rows:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(rows).groupby(["ad_type", "attribution_days"], dropna=False,
                                       sort=False).sum(min_count=1).reset_index()
    table["_order"] = table["ad_type"].map({t: i for i, t in enumerate(AD_TYPES)})
    table = table.sort_values("_order", kind="stable").drop(columns="_order")
    windows = table["attribution_days"].dropna().unique()
    same_window = len(windows) <= 1 and table["ad_type"].is_unique
    total = {"ad_type": "total",
             "attribution_days": windows[0] if same_window and len(windows) else pd.NA,
             "spend": table["spend"].sum(),
             "sales_clicks_only": (table["sales_clicks_only"].sum(min_count=1)
                                   if same_window else np.nan),
             "sales_views_and_clicks": np.nan}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    table["attribution_days"] = table["attribution_days"].astype("Int64")
    for column in ("spend", "sales_clicks_only", "sales_views_and_clicks"):
        table[column] = table[column].astype("float64")
    table["acos_clicks_only"] = safe_divide(table["spend"], table["sales_clicks_only"])
    table["acos_views_and_clicks"] = safe_divide(table["spend"],
                                                 table["sales_views_and_clicks"])
    table["spend_share"] = safe_divide(table["spend"], pd.Series(total["spend"],
                                                                 index=table.index))
    sales = float(total_sales) if total_sales is not None else np.nan
    table["tacos"] = safe_divide(table["spend"], pd.Series(sales, index=table.index))
    return table[columns]

"""Charts of the marketplace overview: sales over time and the period each report covers."""

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import StrMethodFormatter

from opsanalysis.labels import fill, label
from opsanalysis.plotting._common import date_axis, text
from opsanalysis.plotting.fonts import localised

__all__ = ["plot_daily_sales", "plot_report_periods"]




@localised
def plot_daily_sales(daily: pd.DataFrame, ax=None, language="en", currency=None,
                     rolling_days=7):
    """Ordered product sales per day with a rolling mean, or per week or month as steps.

    Parameters
    ----------
    daily : DataFrame
        date, ordered_product_sales [currency] and optionally grain ("day", "week", "month";
        ``opsanalysis.overview.sales_series``; ``daily_sales`` gives days). Weeks and months
        are drawn as steps over their period, never as days.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure when omitted.
    language : {"en", "zh"}
        Language of the labels.
    currency : str, optional
        ISO code shown on the y axis.
    rolling_days : int
        Window of the rolling mean [days]; daily data only.

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    series = daily.set_index("date")["ordered_product_sales"].astype(float)
    grain = daily["grain"].iloc[0] if "grain" in daily and len(daily) else "day"
    sales = label("ordered_product_sales", language)
    if grain == "day":
        ax.plot(series.index, series.to_numpy(), color="#9bbbd4", linewidth=0.8, label=sales)
        rolling = series.rolling(rolling_days, min_periods=1).mean()
        ax.plot(rolling.index, rolling.to_numpy(), color="#1f4e79", linewidth=1.8,
                label=f"{sales} ({rolling_days} {label('days', language)})")
    else:  # one step per period, drawn from its first day
        per = fill("sales_grain", language, grain=label(f"grain_{grain}", language))
        ax.step(series.index, series.to_numpy(), where="post", color="#1f4e79", linewidth=1.8,
                label=per)
    ax.set_xlabel(label("date", language))
    ax.set_ylabel(f"{sales} [{currency}]" if currency else sales)
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    date_axis(ax, max_ticks=8)
    ax.legend(loc="upper left", frameon=False)
    ax.grid(alpha=0.3)
    return ax


@localised
def plot_report_periods(found: pd.DataFrame, ax=None, language="en"):
    """One horizontal bar per report kind from its first to its last date.

    Parameters
    ----------
    found : DataFrame
        kind, period_start, period_end, files_with_problems
        (``opsanalysis.overview.reports_found``). Kinds without a period are not drawn; kinds
        are named in words where they have a label.
    ax : matplotlib Axes, optional
    language : {"en", "zh"}

    Returns
    -------
    matplotlib Axes
        Bars of kinds with unreadable files are red.
    """
    dated = found.dropna(subset=["period_start", "period_end"]).sort_values("period_start")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.35 * max(len(dated), 3) + 1))
    start = pd.to_datetime(dated["period_start"])
    width = pd.to_datetime(dated["period_end"]) - start + pd.Timedelta(days=1)
    colours = ["#c0392b" if problems else "#1f4e79"
               for problems in dated["files_with_problems"].fillna(0)]
    names = [text(kind, language) for kind in dated["kind"].astype(str)]
    ax.barh(names, width, left=start, color=colours, height=0.6)
    ax.set_xlabel(label("period", language))
    ax.set_ylabel(label("kind", language))
    ax.xaxis_date()
    date_axis(ax, max_ticks=8)
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    return ax

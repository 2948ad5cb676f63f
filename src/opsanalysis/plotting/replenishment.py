"""Charts of the replenishment plan and the policy simulation."""

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from opsanalysis.labels import fill, label
from opsanalysis.plotting._common import axes, date_axis
from opsanalysis.plotting.fonts import localised

__all__ = ["plot_fee_outlook", "plot_projected_stock", "plot_status_counts", "plot_tradeoff"]

_STATUS_COLOURS = {
    "stockout_risk": "#c0392b", "awaiting_inbound": "#d35400", "order_now": "#e67e22",
    "reorder_soon": "#f1c40f",
    "aged": "#8e44ad", "overstock": "#2980b9", "in_stock": "#27ae60",
}


def _number_text(value, _position=None) -> str:
    """Tick text with thousands separators and no needless decimals: 25,000 / 2.5 / 0."""
    return f"{value:,.6f}".rstrip("0").rstrip(".")




@localised
def plot_tradeoff(summary: pd.DataFrame, ax=None, language: str = "en"):
    """Fill rate against average days of inventory, one curve per policy family.

    Parameters
    ----------
    summary : pandas.DataFrame
        Rows of :func:`opsanalysis.replenishment.simulation_summary` with a ``policy`` column
        (index reset) and ``service_target`` for the curves (``ours``, ``textbook``); other
        policies are drawn as single points.
    ax : matplotlib Axes, optional
    language : {"en", "zh"}

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = axes(ax)
    frame = summary.reset_index() if "policy" not in summary else summary
    for policy, group in frame.groupby("policy", sort=False):
        group = group.sort_values("avg_on_hand_days")
        curve = len(group) > 1
        ax.plot(group["avg_on_hand_days"], group["fill_rate"], marker="o" if curve else "s",
                linestyle="-" if curve else "none", label=label(str(policy), language))
        if curve and "service_target" in group:
            for _, row in group.iterrows():
                # "99.5%", not "100%": a target between whole percents keeps its decimal
                ax.annotate(f"{100 * row['service_target']:g}%", (row["avg_on_hand_days"],
                                                                  row["fill_rate"]),
                            fontsize=7, xytext=(3, -8), textcoords="offset points")
    ax.set_xlabel(label("days_axis", language))
    ax.set_ylabel(label("fill_rate_axis", language))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    ax.grid(alpha=0.3)
    if len(frame):
        ax.legend(fontsize=7)
    return ax


@localised
def plot_status_counts(table: pd.DataFrame, ax=None, language: str = "en"):
    """Number of SKUs per plan status.

    Parameters
    ----------
    table : pandas.DataFrame
        ``ReplenishmentPlan.table`` (``status`` column).
    ax : matplotlib Axes, optional
    language : {"en", "zh"}

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = axes(ax)
    order = list(_STATUS_COLOURS)
    counts = table["status"].value_counts().reindex(order, fill_value=0)
    positions = np.arange(len(order))
    ax.barh(positions, counts.to_numpy(), color=[_STATUS_COLOURS[s] for s in order])
    ax.set_yticks(positions)
    ax.set_yticklabels([label(s, language) for s in order])
    ax.invert_yaxis()
    ax.set_xlabel(label("sku_count_axis", language))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return ax


@localised
def plot_fee_outlook(fees: pd.DataFrame, ax=None, language: str = "en"):
    """Projected storage fee and aged-inventory surcharge per month (stacked bars).

    Parameters
    ----------
    fees : pandas.DataFrame
        ``ReplenishmentPlan.fees`` (``month``, ``storage_fee``, ``aged_surcharge``,
        ``currency``).
    ax : matplotlib Axes, optional
    language : {"en", "zh"}

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = axes(ax)
    monthly = fees.groupby("month")[["storage_fee", "aged_surcharge"]].sum(min_count=1)
    unknown_aged = len(monthly) > 0 and monthly["aged_surcharge"].isna().all()
    monthly = monthly.fillna(0)
    months = [m.strftime("%Y-%m") for m in monthly.index]
    ax.bar(months, monthly["storage_fee"], label=label("storage_fee", language))
    # an unknown surcharge is said so in the legend, never drawn as a zero bar
    aged = label("aged_surcharge", language)
    ax.bar(months, monthly["aged_surcharge"], bottom=monthly["storage_fee"],
           label=f"{aged}: {label('not_estimated', language)}" if unknown_aged else aged)
    currency = fees["currency"].iloc[0] if len(fees) else ""
    ax.set_ylabel(fill("fee_axis", language, currency=currency))
    ax.yaxis.set_major_formatter(FuncFormatter(_number_text))
    ax.margins(y=0.1)  # room above the tallest bar for the legend
    if len(monthly):
        ax.legend(fontsize=8)
    return ax


@localised
def plot_projected_stock(history: pd.DataFrame, forecast: pd.DataFrame, row: pd.Series,
                         ax=None, language: str = "en", history_days: int = 120):
    """One SKU: recent sales, expected stock path without a new order, and its reorder point.

    Parameters
    ----------
    history : pandas.DataFrame
        ``ReplenishmentPlan.history`` (``sku``, ``ds``, ``units``).
    forecast : pandas.DataFrame
        ``ReplenishmentPlan.forecast`` (``sku``, ``ds``, ``forecast``).
    row : pandas.Series
        The SKU's row of ``ReplenishmentPlan.table``.
    ax : matplotlib Axes, optional
    language : {"en", "zh"}
    history_days : int
        Days of history drawn [days].

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = axes(ax)
    past = history[history["sku"] == row["sku"]].tail(history_days)
    future = forecast[forecast["sku"] == row["sku"]].sort_values("ds")
    sales = past["units"] if "units" in past else past["y"]
    ax.bar(past["ds"], sales.astype(float), color="#95a5a6", width=1.0,
           label=label("units_per_day", language))
    stock = float(row["on_hand"]) + float(row["on_order"]) - np.cumsum(future["forecast"])
    twin = ax.twinx()
    twin.plot(future["ds"], np.maximum(stock, 0), color="#c0392b",
              label=label("projected_stock", language))
    twin.axhline(float(row["reorder_point"]), color="#e67e22", linestyle="--",
                 label=label("reorder_point", language))
    twin.set_ylabel(label("stock_units_axis", language))
    ax.set_ylabel(label("sales_units_axis", language))
    for axis in (ax, twin):
        axis.yaxis.set_major_formatter(FuncFormatter(_number_text))
    date_axis(ax)
    ax.set_title(str(row["sku"]))
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    texts = ax.get_legend_handles_labels()[1] + twin.get_legend_handles_labels()[1]
    ax.legend(handles, texts, fontsize=7, loc="upper right")  # the recent sales sit on the left
    return ax

"""Charts of the launch tracker: a new launch against its reference band, and the past launches."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from opsanalysis.labels import label
from opsanalysis.plotting.fonts import localised

__all__ = ["plot_launch_band", "plot_reference_launches"]


def _per_week(metric, language):
    """Axis label of a weekly metric with its unit: "Units ordered [per week]"."""
    return f"{label(metric, language)} [{label('per_week', language)}]"


@localised
def plot_launch_band(bands: pd.DataFrame, asin: str, ax=None, language="en", metric=None,
                     title=None):
    """One launch's weekly curve against the reference band of past launches and its forecast.

    Parameters
    ----------
    bands : DataFrame
        ``LaunchTracking.bands`` (asin, week, observed_level, reference_q10/q50/q90,
        forecast_level, forecast_level_q10/q90).
    asin : str
        The launch to draw.
    ax : matplotlib Axes, optional
    language : {"en", "zh"}
    metric : str, optional
        Canonical name of the plotted metric (y-axis label, per week), e.g. "units_ordered".
    title : str, optional
        Axes title; default the ASIN.

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    frame = bands.loc[bands["asin"] == asin].sort_values("week")
    weeks = frame["week"].to_numpy(dtype=float)
    ax.fill_between(weeks, frame["reference_q10"].astype(float), frame["reference_q90"].astype(float),
                    color="#c9d9e8", label=label("reference_band", language))
    ax.plot(weeks, frame["reference_q50"].astype(float), color="#5b84b1", linestyle="--",
            linewidth=1.2, label=label("reference_median", language))
    future = frame["forecast_level"].notna().to_numpy()
    if future.any():
        ax.fill_between(weeks[future], frame["forecast_level_q10"][future].astype(float),
                        frame["forecast_level_q90"][future].astype(float), color="#f3c89b",
                        alpha=0.6)
        ax.plot(weeks[future], frame["forecast_level"][future].astype(float), color="#d9822b",
                linewidth=1.5, label=label("ramp_forecast", language))
    ax.plot(weeks, frame["observed_level"].astype(float), color="#1f1f1f", marker="o",
            markersize=3, linewidth=1.5, label=label("observed_level", language))
    ax.set_xlabel(label("weeks_since_launch", language))
    if metric:
        ax.set_ylabel(_per_week(metric, language))
    ax.set_title(title if title is not None else asin)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", frameon=False, fontsize="small")
    return ax


@localised
def plot_reference_launches(curves: pd.DataFrame, reference: pd.DataFrame, metric: str, ax=None,
                            language="en", normalise=True):
    """Weekly curves of the past launches that form the reference, optionally as share of plateau.

    Parameters
    ----------
    curves : DataFrame
        ``opsanalysis.launch.weekly_launch_curves`` output (asin, week, the metric).
    reference : DataFrame
        ``LaunchTracking.reference`` (asin, sku, plateau_level, shape_cluster).
    metric : str
        Canonical metric name, e.g. "units_ordered".
    ax : matplotlib Axes, optional
    language : {"en", "zh"}
    normalise : bool
        Divide each curve by its plateau (shapes comparable across launches; y axis in percent).

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    colours = plt.get_cmap("tab10")
    for row in reference.itertuples(index=False):
        frame = curves.loc[curves["asin"] == row.asin].sort_values("week")
        values = frame[metric].astype(float).to_numpy()
        if normalise and np.isfinite(row.plateau_level) and row.plateau_level > 0:
            values = values / row.plateau_level
        cluster = int(row.shape_cluster) if pd.notna(row.shape_cluster) else 0
        ax.plot(frame["week"].to_numpy(dtype=float), values, color=colours(cluster % 10),
                linewidth=1.0, alpha=0.8, label=row.sku)
    if normalise:
        ax.axhline(1.0, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlabel(label("weeks_since_launch", language))
    if normalise:  # a share: percent, like every rate in the reports
        ax.set_ylabel(f"{label('normalised_level', language)} (%)")
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    else:
        ax.set_ylabel(_per_week(metric, language))
    ax.set_title(label("reference_launches_title", language))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    if reference.empty:  # say so on the chart rather than draw empty axes
        ax.text(0.5, 0.5, label("no_reference_launches", language), ha="center", va="center",
                transform=ax.transAxes, wrap=True)
    elif len(reference) <= 12:
        ax.legend(loc="lower right", frameon=False, fontsize="x-small", ncol=2)
    return ax

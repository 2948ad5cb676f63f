"""Charts of demand forecasts: one series with its censored days and forecast band; backtests."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from opsanalysis.labels import label
from opsanalysis.plotting._common import date_axis
from opsanalysis.plotting.fonts import localised

__all__ = ["plot_backtest", "plot_forecast_series"]


def _spans(dates: pd.Series, flags: np.ndarray):
    """(first, last) date of each run of consecutive True flags."""
    flags = np.asarray(flags, dtype=bool)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(int), [0]])))
    return [(dates.iloc[a], dates.iloc[b - 1]) for a, b in zip(edges[::2], edges[1::2],
                                                                strict=True)]


@localised
def plot_forecast_series(history: pd.DataFrame, forecast: pd.DataFrame, unique_id: str,
                         ax=None, language: str = "en", history_periods: int | None = 180,
                         title: str | None = None):
    """One series: observed demand, sales on censored days (shaded), forecast and its band.

    Parameters
    ----------
    history : DataFrame
        Demand panel (``unique_id, ds, y``; optional ``units`` and ``censored`` from
        :func:`opsanalysis.demand.build_panel`).
    forecast : DataFrame
        Output of :func:`opsanalysis.forecast.predict` (``forecast`` and ``q..`` columns).
    unique_id : str
        Series to draw ("US:SKU-1").
    ax : matplotlib Axes, optional
    language : {"en", "zh"}
    history_periods : int, optional
        Only the last periods of history are drawn (None = all).
    title : str, optional
        Default: the ``unique_id``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    past = history[history["unique_id"] == unique_id].sort_values("ds")
    if history_periods:
        past = past.tail(history_periods)
    future = forecast[forecast["unique_id"] == unique_id].sort_values("ds")
    censored = past["censored"].to_numpy(bool) if "censored" in past else past["y"].isna()
    for i, (first, last) in enumerate(_spans(past["ds"], censored)):
        ax.axvspan(first, last + pd.Timedelta(days=1), color="#f2c6c2", alpha=0.6, linewidth=0,
                   label=label("censored_days", language) if i == 0 else None)
    ax.plot(past["ds"], past["y"], color="#1f4e79", linewidth=1.0,
            label=label("observed_demand", language))
    if "units" in past and censored.any():
        sales = past["units"].astype(float).where(censored)
        ax.plot(past["ds"], sales, color="#c0392b", linewidth=0.8, linestyle=":",
                label=label("sales_while_censored", language))
    bands = sorted(c for c in future.columns if c[:1] == "q" and c[1:].isdigit())
    if len(bands) >= 2 or (bands and bands[0] != "q50"):
        low = future[bands[0]] if len(bands) >= 2 else 0.0
        ax.fill_between(future["ds"], low, future[bands[-1]], color="#f5b041", alpha=0.35,
                        linewidth=0, label=label("forecast_band", language) + f" ({bands[-1]})")
    ax.plot(future["ds"], future["forecast"], color="#d35400", linewidth=1.6,
            label=label("forecast", language))
    ax.set_ylabel(label("units_per_period", language))
    date_axis(ax)
    # thousands separators, no needless decimals: 25,000 / 2.5 / 0
    ax.yaxis.set_major_formatter(lambda value, _: f"{value:,.6f}".rstrip("0").rstrip("."))
    ax.set_ylim(bottom=0)
    ax.set_title(title or unique_id)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return ax


@localised
def plot_backtest(summary: pd.DataFrame, ax=None, language: str = "en", metric: str = "rmsse",
                  title: str | None = None):
    """Mean backtest error per method (bars), with the q90 coverage written beside each bar.

    Parameters
    ----------
    summary : DataFrame
        :func:`opsanalysis.forecast.backtest_summary` output (index ``method``).
    ax : matplotlib Axes, optional
    language : {"en", "zh"}
    metric : str
        Column to draw ("rmsse", "mase", "pinball").
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.35 * len(summary) + 1.2))
    ordered = summary.sort_values(metric, ascending=False)
    names = [label(f"method_{m}", language) if not m.startswith("moving_average_")
             else label("method_moving_average", language) + f" {m.rsplit('_', 1)[1]}"
             for m in ordered.index]
    best = ordered[metric].min()
    colors = ["#d35400" if v == best else "#5d8aa8" for v in ordered[metric]]
    ax.barh(names, ordered[metric], color=colors)
    if "coverage_q90" in ordered:
        for y, (value, cover) in enumerate(zip(ordered[metric], ordered["coverage_q90"],
                                               strict=True)):
            if np.isfinite(cover):
                ax.text(value, y, f"  {label('coverage_q90', language)} {cover:.0%}",
                        va="center", fontsize=8)
    ax.set_xlabel(label(metric, language))
    ax.set_title(title or label("backtest", language))
    return ax

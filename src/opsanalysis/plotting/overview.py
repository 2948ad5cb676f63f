"""Charts of the marketplace overview: daily sales and the period each report covers."""

import functools

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager

from opsanalysis.labels import label

__all__ = ["plot_daily_sales", "plot_report_periods"]

# Fonts with Chinese glyphs, in order of preference (Linux, Windows, macOS).
_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                 "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
                 "Heiti SC", "Arial Unicode MS", "Noto Sans CJK JP")


def plot_daily_sales(daily: pd.DataFrame, ax=None, language="en", currency=None,
                     rolling_days=7):
    """Daily ordered product sales with a rolling mean.

    Parameters
    ----------
    daily : DataFrame
        date, ordered_product_sales [currency] (``opsanalysis.overview.daily_sales``).
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure when omitted.
    language : {"en", "zh"}
        Language of the labels.
    currency : str, optional
        ISO code shown on the y axis.
    rolling_days : int
        Window of the rolling mean [days].

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    language, font = _chart_language(language)
    series = daily.set_index("date")["ordered_product_sales"].astype(float)
    sales = label("ordered_product_sales", language)
    ax.plot(series.index, series.to_numpy(), color="#9bbbd4", linewidth=0.8, label=sales)
    rolling = series.rolling(rolling_days, min_periods=1).mean()
    ax.plot(rolling.index, rolling.to_numpy(), color="#1f4e79", linewidth=1.8,
            label=f"{sales} ({rolling_days} {label('days', language)})")
    ax.set_xlabel(label("date", language), **font)
    ax.set_ylabel(f"{sales} [{currency}]" if currency else sales, **font)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.legend(loc="upper left", frameon=False,
              prop={"family": font["fontfamily"]} if font else None)
    ax.grid(alpha=0.3)
    return ax


def plot_report_periods(found: pd.DataFrame, ax=None, language="en"):
    """One horizontal bar per report kind from its first to its last date.

    Parameters
    ----------
    found : DataFrame
        kind, period_start, period_end, files_with_problems
        (``opsanalysis.overview.reports_found``). Kinds without a period are not drawn.
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
    language, font = _chart_language(language)
    start = pd.to_datetime(dated["period_start"])
    width = pd.to_datetime(dated["period_end"]) - start + pd.Timedelta(days=1)
    colours = ["#c0392b" if problems else "#1f4e79"
               for problems in dated["files_with_problems"].fillna(0)]
    ax.barh(dated["kind"].astype(str), width, left=start, color=colours, height=0.6)
    ax.set_xlabel(label("period", language), **font)
    ax.set_ylabel(label("kind", language), **font)
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    return ax


def _chart_language(language):
    """Language and font for chart text: Chinese needs a font with CJK glyphs; without one the
    chart falls back to English rather than drawing empty boxes."""
    if language != "zh":
        return language, {}
    family = _cjk_family()
    if family is None:
        return "en", {}
    return "zh", {"fontfamily": [family, "DejaVu Sans"]}


@functools.cache
def _cjk_family():
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in _CJK_FAMILIES if name in installed), None)

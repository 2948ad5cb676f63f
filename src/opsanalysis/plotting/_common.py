"""Helpers shared by the chart modules."""

import matplotlib.dates as mdates
import matplotlib.pyplot as plt

from opsanalysis import labels


def axes(ax, size=(8, 4)):
    """``ax``, or the Axes of a new figure of ``size`` [inches] when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def text(key, language):
    """The label of ``key`` in ``language``; the key itself where no label exists."""
    try:
        return labels.label(key, language)
    except KeyError:
        return key


def date_axis(ax, max_ticks=7):
    """Dates on the x axis that never overlap, read the same in every language.

    Automatic ticks (at most ``max_ticks``) with concise labels in numbers ("2026-03", "03-15"),
    not month names: English abbreviations would show in the Chinese reports.
    """
    locator = mdates.AutoDateLocator(minticks=3, maxticks=max_ticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(
        locator, formats=["%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M"]))

"""Helpers shared by the chart modules."""

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

"""Plots for the reports (matplotlib).

Every function takes ``ax=None`` (a new figure is created when omitted) and returns the Axes.
One submodule per topic; this package re-exports their public functions.
"""

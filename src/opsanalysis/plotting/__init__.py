"""Plots for the reports (matplotlib).

Every function takes ``ax=None`` (a new figure is created when omitted) and returns the Axes.
One submodule per topic; this package re-exports their public functions. Importing it changes no
matplotlib setting: :func:`opsanalysis.plotting.fonts.setup_chart_fonts` (called by the report
context and by every chart function) adds the bundled CJK font as glyph fallback.
"""

from opsanalysis.plotting import fonts  # noqa: F401
from opsanalysis.plotting.ads import plot_acos_tacos, plot_ngram_waste  # noqa: F401
from opsanalysis.plotting.forecast import plot_backtest, plot_forecast_series  # noqa: F401
from opsanalysis.plotting.kpi import plot_kpi_trend, plot_return_reasons, plot_scorecard  # noqa: F401
from opsanalysis.plotting.launch import plot_launch_band, plot_reference_launches  # noqa: F401
from opsanalysis.plotting.opportunity import plot_opportunity_matrix, plot_rank_bands  # noqa: F401
from opsanalysis.plotting.overview import plot_daily_sales, plot_report_periods  # noqa: F401
from opsanalysis.plotting.replenishment import (  # noqa: F401
    plot_fee_outlook,
    plot_projected_stock,
    plot_status_counts,
    plot_tradeoff,
)


"""opsanalysis: analysis workbench for Amazon sellers' operations teams.

Plain functions, one module per topic: ``io`` reads Amazon's reports, ``kpi``/``ads``/
``opportunity``/``overview``/``demand``/``forecast``/``replenishment``/``launch`` analyse
canonical frames with the shared ``frames`` helpers and ``fees`` tables, ``plotting``/``labels``/
``export`` present them, ``params``/``batch``/``cli`` orchestrate notebook runs.

Submodules are imported on first attribute access, so ``import opsanalysis as oa`` stays cheap
and ``oa.forecast.predict(...)`` works without a separate import.
"""

import importlib
from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("opsanalysis")
except _metadata.PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"

#: Every public module and subpackage of the package (tests/test_init.py checks the list against
#: the files).
_SUBMODULES = {
    "ads", "ads_sections", "batch", "bundled", "cadence_sections", "calendar_month", "cli",
    "competitor_sections", "competitors",
    "cutoffs", "demand", "execution", "export", "feedback", "feedback_sections",
    "listing_health", "listing_sections",
    "morning_check",
    "fees", "formats", "forecast", "frames", "io", "ipi", "kpi", "kpi_sections", "labels", "launch",
    "launch_sections", "marketplaces", "opportunity", "opportunity_sections", "overview",
    "overview_sections", "params", "dashboard",
    "plotting", "portfolio", "portfolio_sections", "profit", "profit_sections", "publishing",
    "pull", "replenishment", "replenishment_sections",
    "report_context", "sample", "scheduling", "search_queries", "search_query_sections", "section", "settlements",
}

__all__ = ["__version__", *sorted(_SUBMODULES)]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

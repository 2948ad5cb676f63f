"""opsanalysis: analysis workbench for Amazon sellers' operations teams.

Plain functions, one module per topic (see ``DESIGN.md`` in the shared folder):
``io`` reads Amazon's reports, ``kpi``/``ads``/``opportunity``/``demand``/``forecast``/
``replenishment``/``launch`` analyse canonical frames, ``plotting``/``labels`` present them,
``params``/``batch``/``cli`` orchestrate notebook runs.
"""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("opsanalysis")
except _metadata.PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]

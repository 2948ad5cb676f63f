"""Moved to :mod:`opsanalysis.fees`; these names stay importable from here for existing code.

The fee functions are shared by ``opportunity`` and ``replenishment``, so they live at the top
level: importing them no longer loads the replenishment modules.
"""

from opsanalysis.fees import (
    CUBIC_FEET_PER_CUBIC_METRE,
    TABLE_KEYS,
    VERSION_KEYS,
    aged_surcharge_per_unit,
    fee_schedule,
    fee_versions,
    storage_cost,
    storage_rate,
)

__all__ = [
    "CUBIC_FEET_PER_CUBIC_METRE",
    "TABLE_KEYS",
    "VERSION_KEYS",
    "aged_surcharge_per_unit",
    "fee_schedule",
    "fee_versions",
    "storage_cost",
    "storage_rate",
]

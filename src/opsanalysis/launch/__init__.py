"""Launch tracker: weight-building (权重积累) curves for new ASINs.

Curve models (:mod:`.curves`), reference curves from the seller's own past launches and ramp
forecasts (:mod:`.reference`), launch detection, weekly curves and verdicts (:mod:`.tracker`).
The public entry points are re-exported here: ``opsanalysis.launch.forecast_ramp`` etc.
"""

from .curves import (
    CURVE_MODELS,
    PARAMETER_NAMES,
    CurveFit,
    curve_value,
    fit_best_curve,
    fit_curve,
    fit_launch_curves,
    weeks_to_fraction,
)
from .reference import (
    ReferenceSet,
    build_reference,
    forecast_ramp,
    launch_matrix,
    reference_bands,
)
from .tracker import (
    VERDICTS,
    LaunchTracking,
    detect_launches,
    track_launches,
    weekly_launch_curves,
)

__all__ = [
    "CURVE_MODELS",
    "PARAMETER_NAMES",
    "VERDICTS",
    "CurveFit",
    "LaunchTracking",
    "ReferenceSet",
    "build_reference",
    "curve_value",
    "detect_launches",
    "fit_best_curve",
    "fit_curve",
    "fit_launch_curves",
    "forecast_ramp",
    "launch_matrix",
    "reference_bands",
    "track_launches",
    "weekly_launch_curves",
    "weeks_to_fraction",
]

"""Launch tracker: weight-building (权重积累) curves for new ASINs.

Curve models (:mod:`.curves`), reference curves from the seller's own past launches and ramp
forecasts (:mod:`.reference`), launch detection, weekly curves and verdicts (:mod:`.tracker`),
the report's sections (:mod:`opsanalysis.launch_sections`, presentation layer).
The public entry points are re-exported here: ``opsanalysis.launch.forecast_ramp`` etc.
"""

from .curves import (
    CURVE_MODELS,
    FIT_STATUSES,
    PARAMETER_NAMES,
    CurveFit,
    curve_value,
    fit_best_curve,
    fit_curve,
    fit_launch_curves,
    steady_state_week,
    weeks_to_fraction,
)
from .reference import (
    ReferenceSet,
    build_reference,
    forecast_ramp,
    launch_matrix,
    ramp_options,
    reference_bands,
    reference_options,
)
from .tracker import (
    DECISION_TABLE,
    VERDICTS,
    LaunchTracking,
    covered_days,
    detect_launches,
    launch_verdict,
    track_launches,
    weekly_launch_curves,
)

__all__ = [
    "CURVE_MODELS",
    "DECISION_TABLE",
    "FIT_STATUSES",
    "covered_days",
    "launch_verdict",
    "steady_state_week",
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
    "ramp_options",
    "reference_bands",
    "reference_options",
    "track_launches",
    "weekly_launch_curves",
    "weeks_to_fraction",
]

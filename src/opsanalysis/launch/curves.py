"""Launch ramp curve models: logistic, Gompertz, Bass and a trapezoid ramp/plateau.

Each model describes the weekly level of a new listing (sessions or units per week) as it builds
up to a steady state ("plateau"), as a function of the week since launch ``t`` (week 0 = launch
week). Fits use bounded robust least squares (:func:`scipy.optimize.least_squares`, soft-L1 loss)
from data-driven starts, so they never raise on flat, noisy, all-zero or one-week input; a
``status`` tells whether the fit can be trusted.

References
----------
Bass, F. M. (1969). A new product growth model for consumer durables. Management Science 15(5).
Hu, K., Acimovic, J., Erize, F., Thomas, D. J., Van Mieghem, J. A. (2019). Forecasting new product
life cycle curves: practical approach and empirical analysis. M&SOM 21(1), 66-85.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

CURVE_MODELS = ("logistic", "gompertz", "bass", "trapezoid")
PARAMETER_NAMES = {
    "logistic": ("plateau", "rate", "midpoint"),
    "gompertz": ("plateau", "displacement", "rate"),
    "bass": ("plateau", "innovation", "imitation"),
    "trapezoid": ("plateau", "ramp_start", "ramp_weeks"),
}


def _logistic(t, plateau, rate, midpoint):
    return plateau / (1.0 + np.exp(-rate * (t - midpoint)))


def _gompertz(t, plateau, displacement, rate):
    return plateau * np.exp(-displacement * np.exp(-rate * t))


def _bass(t, plateau, innovation, imitation):
    # Share of eventual adopters reached by the END of week t (hence t + 1): the launch week
    # already carries the first adopters, as Amazon's first sales do.
    decay = np.exp(-(innovation + imitation) * (t + 1.0))
    return plateau * (1.0 - decay) / (1.0 + imitation / innovation * decay)


def _trapezoid(t, plateau, ramp_start, ramp_weeks):
    return plateau * np.clip((t - ramp_start) / ramp_weeks, 0.0, 1.0)


_FUNCTIONS = {
    "logistic": _logistic,
    "gompertz": _gompertz,
    "bass": _bass,
    "trapezoid": _trapezoid,
}


def curve_value(model, weeks, parameters):
    """Evaluate a ramp curve.

    Parameters
    ----------
    model : str
        One of ``CURVE_MODELS``.
    weeks : array-like
        Weeks since launch [weeks] (0 = launch week); fractional weeks allowed.
    parameters : sequence of float or dict
        Model parameters in the order of ``PARAMETER_NAMES[model]`` (or a dict by name).

    Returns
    -------
    numpy.ndarray
        Curve level at each week [same unit as the fitted series, per week].
    """
    if isinstance(parameters, dict):
        parameters = [parameters[name] for name in PARAMETER_NAMES[model]]
    return _FUNCTIONS[model](np.asarray(weeks, dtype=float), *parameters)


def weeks_to_fraction(model, parameters, fraction=0.9):
    """Weeks from launch until the curve reaches ``fraction`` of its plateau [weeks].

    Closed forms of each model's inverse; never negative (a curve already above the fraction in
    the launch week returns 0).
    """
    if isinstance(parameters, dict):
        parameters = [parameters[name] for name in PARAMETER_NAMES[model]]
    _, a, b = (float(value) for value in parameters)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if model == "logistic":
            weeks = b + np.log(fraction / (1.0 - fraction)) / a
        elif model == "gompertz":
            weeks = np.log(a / -np.log(fraction)) / b
        elif model == "bass":
            weeks = np.log((1.0 + fraction * b / a) / (1.0 - fraction)) / (a + b) - 1.0
        elif model == "trapezoid":
            weeks = a + fraction * b
        else:
            raise KeyError(f"unknown curve model {model!r}; known: {', '.join(CURVE_MODELS)}")
    return float(max(weeks, 0.0)) if np.isfinite(weeks) else float("nan")


@dataclass
class CurveFit:
    """Result of :func:`fit_curve`.

    Attributes
    ----------
    model : str
    status : str
        ``"ok"``; ``"all_zero"`` (nothing to fit: plateau 0); ``"too_short"`` (fewer weeks than
        parameters + 1: plateau = mean level, no shape); ``"failed"`` (optimiser error: plateau =
        mean level).
    parameters : dict
        Fitted parameters by name (``PARAMETER_NAMES[model]``); empty unless status is ``"ok"``.
    plateau : float
        Steady-state weekly level [unit of y per week].
    weeks_to_steady_state : float
        Weeks from launch to ``fraction`` of the plateau [weeks]; NaN when unknown.
    plateau_sd, weeks_to_steady_state_sd : float
        Standard errors from the Jacobian (delta method) [same units].
    residual_sd : float
        Standard deviation of the residuals [unit of y per week].
    n_weeks : int
    aicc : float
        Corrected Akaike criterion of the least-squares fit (for choosing among models).
    covariance : numpy.ndarray
        Parameter covariance ``s^2 (J'J)^-1``.
    """

    model: str
    status: str
    parameters: dict = field(default_factory=dict)
    plateau: float = float("nan")
    weeks_to_steady_state: float = float("nan")
    plateau_sd: float = float("nan")
    weeks_to_steady_state_sd: float = float("nan")
    residual_sd: float = float("nan")
    n_weeks: int = 0
    aicc: float = float("inf")
    covariance: np.ndarray | None = None
    fraction: float = 0.9

    def predict(self, weeks):
        """Fitted level at ``weeks`` [unit of y per week]; the plateau when no shape was fitted."""
        weeks = np.asarray(weeks, dtype=float)
        if self.status != "ok":
            return np.full(weeks.shape, self.plateau, dtype=float)
        return curve_value(self.model, weeks, self.parameters)

    def band(self, weeks, level=0.8):
        """Prediction band for single weeks: (lower, upper) arrays at ``level`` coverage.

        Combines the parameter uncertainty (Jacobian covariance, delta method) with the residual
        scatter; lower bounds are floored at 0 (levels are counts).
        """
        weeks = np.asarray(weeks, dtype=float)
        centre = self.predict(weeks)
        z = stats.norm.ppf(0.5 + level / 2.0)
        if self.status != "ok" or self.covariance is None:
            spread = np.full(weeks.shape, z * np.nan_to_num(self.residual_sd, nan=0.0))
            return np.maximum(centre - spread, 0.0), centre + spread
        gradient = _gradient(lambda p: curve_value(self.model, weeks, p), self._vector())
        mean_var = np.einsum("ij,jk,ik->i", gradient, self.covariance, gradient)
        spread = z * np.sqrt(np.maximum(mean_var, 0.0) + self.residual_sd**2)
        return np.maximum(centre - spread, 0.0), centre + spread

    def _vector(self):
        return np.array([self.parameters[name] for name in PARAMETER_NAMES[self.model]])


def _gradient(function, vector):
    """Forward-difference Jacobian of ``function`` (array-valued) at ``vector``: (n_out, n_par)."""
    base = np.asarray(function(vector), dtype=float)
    columns = []
    for index, value in enumerate(vector):
        step = 1e-6 * max(abs(value), 1e-3)
        shifted = vector.copy()
        shifted[index] = value + step
        columns.append((np.asarray(function(shifted), dtype=float) - base) / step)
    return np.column_stack(columns) if base.ndim else np.array(columns)[None, :]


def _starts_and_bounds(model, weeks, values, plateau_cap):
    """Starting points (a few, the optimiser keeps the best) and bounds from the data."""
    top = max(np.quantile(values, 0.9), values.max() * 0.5, 1e-9)
    horizon = max(weeks.max(), 1.0)
    half = float(weeks[np.argmax(values >= top / 2.0)])
    reach = float(weeks[np.argmax(values >= top * 0.9)])
    upper_p = max(plateau_cap, top * 1.01)
    if model == "logistic":
        bounds = ([0.0, 0.02, -20.0], [upper_p, 5.0, horizon + 52.0])
        starts = [[top, 0.6, half], [top, 0.2, half + 2.0], [top * 1.5, 0.3, horizon]]
    elif model == "gompertz":
        bounds = ([0.0, 1e-3, 0.01], [upper_p, 60.0, 5.0])
        starts = [[top, 3.0, 0.4], [top, 1.0, 0.15], [top * 1.5, 5.0, 0.1]]
    elif model == "bass":
        bounds = ([0.0, 1e-4, 0.0], [upper_p, 1.0, 3.0])
        starts = [[top, 0.05, 0.4], [top, 0.2, 0.1], [top * 1.5, 0.01, 0.3]]
    else:
        bounds = ([0.0, -30.0, 0.5], [upper_p, horizon + 26.0, horizon + 52.0])
        starts = [[top, -0.5, max(reach, 1.0)], [top, half - 2.0, 4.0], [top * 1.5, 0.0, horizon]]
    lower, upper = np.array(bounds[0]), np.array(bounds[1])
    starts = [np.clip(np.array(s, dtype=float), lower + 1e-9, upper - 1e-9) for s in starts]
    return starts, (lower, upper)


def _robust_scale(values):
    """Noise scale for the soft-L1 loss: MAD of week-to-week changes, floored at 2 % of the top."""
    if values.size > 2:
        noise = 1.4826 * np.median(np.abs(np.diff(values) - np.median(np.diff(values)))) / np.sqrt(2)
    else:
        noise = 0.0
    return max(noise, 0.02 * np.abs(values).max(), 1e-9)


def fit_curve(weeks, values, model="logistic", fraction=0.9, plateau_max_multiple=5.0):
    """Fit one ramp curve model to a launch's weekly series.

    Parameters
    ----------
    weeks : array-like
        Weeks since launch [weeks], 0 = launch week.
    values : array-like
        Weekly level (sessions, units ...) [per week]; NaN weeks are ignored.
    model : str
        ``"logistic"``, ``"gompertz"``, ``"bass"`` or ``"trapezoid"``.
    fraction : float
        Share of the plateau that counts as "weight built" [fraction] (params
        ``launch.steady_state_fraction``).
    plateau_max_multiple : float
        Upper bound of the plateau as a multiple of the largest observed week [ratio]; keeps a
        short series that is still climbing from extrapolating to infinity.

    Returns
    -------
    CurveFit
        Never raises for numeric input; see ``CurveFit.status``.
    """
    if model not in _FUNCTIONS:
        raise KeyError(f"unknown curve model {model!r}; known: {', '.join(CURVE_MODELS)}")
    weeks = np.asarray(weeks, dtype=float)
    values = np.asarray(values, dtype=float)
    keep = np.isfinite(weeks) & np.isfinite(values)
    weeks, values = weeks[keep], values[keep]
    n_weeks = int(values.size)
    common = {"model": model, "n_weeks": n_weeks, "fraction": fraction}
    if n_weeks == 0 or not np.any(values > 0):
        return CurveFit(status="all_zero", plateau=0.0, residual_sd=0.0, **common)
    mean_level = float(values.mean())
    scatter = float(values.std(ddof=1)) if n_weeks > 1 else float("nan")
    if n_weeks < len(PARAMETER_NAMES[model]) + 1:
        return CurveFit(status="too_short", plateau=mean_level, residual_sd=scatter, **common)
    starts, bounds = _starts_and_bounds(model, weeks, values, plateau_max_multiple * values.max())
    scale = _robust_scale(values)
    function = _FUNCTIONS[model]

    def residual(vector):
        return function(weeks, *vector) - values

    best = None
    for start in starts:
        try:
            result = optimize.least_squares(
                residual, start, bounds=bounds, loss="soft_l1", f_scale=scale, x_scale="jac",
                max_nfev=120, ftol=1e-6, xtol=1e-6,
            )
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            continue
        if np.all(np.isfinite(result.fun)) and (best is None or result.cost < best.cost):
            best = result
    if best is None:
        return CurveFit(status="failed", plateau=mean_level, residual_sd=scatter, **common)
    return _summarise(model, best, weeks, values, fraction)


def _summarise(model, result, weeks, values, fraction):
    vector = result.x
    n_weeks, n_par = values.size, vector.size
    sse = float(np.sum(result.fun**2))
    dof = max(n_weeks - n_par, 1)
    residual_sd = np.sqrt(sse / dof)
    jacobian = np.asarray(result.jac, dtype=float)
    covariance = residual_sd**2 * np.linalg.pinv(jacobian.T @ jacobian)
    t_steady = weeks_to_fraction(model, vector, fraction)
    t_gradient = _gradient(lambda p: np.array(weeks_to_fraction(model, p, fraction)), vector)
    t_sd = float(np.sqrt(max((t_gradient @ covariance @ t_gradient.T).item(), 0.0)))
    log_like_term = n_weeks * np.log(max(sse, 1e-12) / n_weeks)
    aicc = log_like_term + 2 * n_par
    if n_weeks - n_par - 1 > 0:
        aicc += 2 * n_par * (n_par + 1) / (n_weeks - n_par - 1)
    else:
        aicc = float("inf")
    return CurveFit(
        model=model,
        status="ok",
        parameters=dict(zip(PARAMETER_NAMES[model], (float(v) for v in vector), strict=True)),
        plateau=float(vector[0]),
        weeks_to_steady_state=t_steady,
        plateau_sd=float(np.sqrt(max(covariance[0, 0], 0.0))),
        weeks_to_steady_state_sd=t_sd if np.isfinite(t_steady) else float("nan"),
        residual_sd=float(residual_sd),
        n_weeks=int(n_weeks),
        aicc=float(aicc),
        covariance=covariance,
        fraction=fraction,
    )


def fit_best_curve(weeks, values, models=CURVE_MODELS, fraction=0.9, plateau_max_multiple=5.0):
    """Fit several models and return the one with the lowest AICc (first model if none fits).

    Parameters are those of :func:`fit_curve`; returns a :class:`CurveFit`.
    """
    fits = [fit_curve(weeks, values, m, fraction, plateau_max_multiple) for m in models]
    usable = [f for f in fits if f.status == "ok" and np.isfinite(f.aicc)]
    return min(usable, key=lambda f: f.aicc) if usable else fits[0]


def fit_launch_curves(
    history, models=CURVE_MODELS, fraction=0.9, plateau_max_multiple=5.0, level=0.8
):
    """Fit every curve model to every launch of a long table.

    Parameters
    ----------
    history : pandas.DataFrame
        Long table ``unique_id, week, y`` (week 0 = launch week, y per week).
    models : sequence of str
        Curve models to fit (``CURVE_MODELS``).
    fraction : float
        Share of the plateau that counts as steady state [fraction].
    plateau_max_multiple : float
        Plateau upper bound as a multiple of the largest observed week [ratio].
    level : float
        Coverage of the plateau / weeks-to-steady-state intervals [fraction].

    Returns
    -------
    pandas.DataFrame
        One row per ``unique_id`` and ``curve_model``: status, plateau, plateau_low,
        plateau_high [per week], weeks_to_steady_state (+ _low, _high) [weeks],
        curve_residual_sd, curve_aicc, weeks_fitted, ``best`` (lowest AICc of that launch) and
        ``parameters`` (dict by name).
    """
    z = stats.norm.ppf(0.5 + level / 2.0)
    rows = []
    for unique_id, group in history.groupby("unique_id", sort=True):
        for model in models:
            fit = fit_curve(group["week"], group["y"], model, fraction, plateau_max_multiple)
            rows.append({
                "unique_id": unique_id,
                "curve_model": model,
                "status": fit.status,
                "plateau": fit.plateau,
                "plateau_low": max(fit.plateau - z * fit.plateau_sd, 0.0),
                "plateau_high": fit.plateau + z * fit.plateau_sd,
                "weeks_to_steady_state": fit.weeks_to_steady_state,
                "weeks_to_steady_state_low": max(
                    fit.weeks_to_steady_state - z * fit.weeks_to_steady_state_sd, 0.0
                ),
                "weeks_to_steady_state_high": fit.weeks_to_steady_state
                + z * fit.weeks_to_steady_state_sd,
                "curve_residual_sd": fit.residual_sd,
                "curve_aicc": fit.aicc,
                "weeks_fitted": fit.n_weeks,
                "parameters": fit.parameters,
            })
    columns = [
        "unique_id", "curve_model", "status", "plateau", "plateau_low", "plateau_high",
        "weeks_to_steady_state", "weeks_to_steady_state_low", "weeks_to_steady_state_high",
        "curve_residual_sd", "curve_aicc", "weeks_fitted", "parameters",
    ]
    table = pd.DataFrame(rows, columns=columns)
    if table.empty:
        table["best"] = pd.Series(dtype=bool)
        return table
    ranked = table["curve_aicc"].where(table["status"] == "ok", np.inf)
    best_index = ranked.groupby(table["unique_id"]).idxmin()
    table["best"] = table.index.isin(best_index.to_numpy())
    return table

"""Launch ramp curve models: logistic, Gompertz, Bass and a trapezoid ramp/plateau.

Each model describes the weekly level of a new listing (sessions or units per week) as it builds
up to a steady state ("plateau"), as a function of the week since launch ``t`` (week 0 = launch
week). Fits use bounded robust least squares (soft-L1 loss, as :func:`scipy.optimize.least_squares`
with ``loss="soft_l1"``; here a Levenberg-Marquardt run over all starts at once, for speed)
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
from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy import special

CURVE_MODELS = ("logistic", "gompertz", "bass", "trapezoid")
FIT_STATUSES = ("ok", "not_identifiable", "all_zero", "too_short", "failed")
#: Upper bound of a fitted plateau as a multiple of the largest observed week [ratio]: a bound of
#: the solver's search box (a short series still climbing would otherwise extrapolate towards
#: infinity), not a business rule; the fit intervals are capped by it too.
PLATEAU_MAX_MULTIPLE = 5.0
# Enough iterations for every start to converge, so that the optimum, not the evaluation
# budget, sets the printed figures (issue 16: 40.6 vs 40.7 by machine).
_MAX_ITERATIONS = 400
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


def _logistic_jacobian(t, plateau, rate, midpoint):
    share = 1.0 / (1.0 + np.exp(-rate * (t - midpoint)))
    slope = plateau * share * (1.0 - share)
    return np.stack(np.broadcast_arrays(share, slope * (t - midpoint), -slope * rate), axis=-1)


def _gompertz_jacobian(t, plateau, displacement, rate):
    decay = np.exp(-rate * t)
    share = np.exp(-displacement * decay)
    level = plateau * share
    return np.stack(np.broadcast_arrays(share, -level * decay, level * displacement * decay * t),
                    axis=-1)


def _bass_jacobian(t, plateau, innovation, imitation):
    span = t + 1.0
    decay = np.exp(-(innovation + imitation) * span)
    ratio = imitation / innovation
    top, bottom = 1.0 - decay, 1.0 + ratio * decay
    d_decay = -span * decay  # same derivative in innovation and imitation
    columns = []
    for d_ratio in (-imitation / innovation**2, 1.0 / innovation):
        d_bottom = d_ratio * decay + ratio * d_decay
        columns.append(plateau * (-d_decay * bottom - top * d_bottom) / bottom**2)
    return np.stack(np.broadcast_arrays(top / bottom, *columns), axis=-1)


def _trapezoid_jacobian(t, plateau, ramp_start, ramp_weeks):
    position = (t - ramp_start) / ramp_weeks
    inside = (position > 0.0) & (position < 1.0)
    return np.stack(np.broadcast_arrays(np.clip(position, 0.0, 1.0),
                                        np.where(inside, -plateau / ramp_weeks, 0.0),
                                        np.where(inside, -plateau * position / ramp_weeks, 0.0)),
                    axis=-1)


# Closed-form Jacobians: the optimiser's finite differences cost more than the fit itself.
_JACOBIANS = {
    "logistic": _logistic_jacobian,
    "gompertz": _gompertz_jacobian,
    "bass": _bass_jacobian,
    "trapezoid": _trapezoid_jacobian,
}

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


def weeks_to_fraction(model, parameters, fraction):
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


def steady_state_week(levels, plateau, fraction):
    """First whole week whose expected level reaches ``fraction`` of the plateau [weeks].

    The one definition of "weeks to steady state" used by the curve-fit table and the verdict
    table: week index 0 = launch week, so a launch at 90 % of its plateau in its launch week
    scores 0.

    Parameters
    ----------
    levels : array-like
        Expected weekly level from week 0 on [per week] (a fitted curve at whole weeks, or the
        observed-then-forecast path).
    plateau : float
        Steady weekly level [per week].
    fraction : float
        Share of the plateau that counts as steady state [fraction].

    Returns
    -------
    float
        The week index; NaN when the plateau is not positive or no week reaches it (unknown,
        never 0).
    """
    levels = np.asarray(levels, dtype=float)
    if not np.isfinite(plateau) or plateau <= 0:
        return float("nan")
    reached = np.flatnonzero(levels >= fraction * plateau * (1.0 - 1e-9))
    return float(reached[0]) if reached.size else float("nan")


@dataclass
class CurveFit:
    """Result of :func:`fit_curve`.

    Attributes
    ----------
    model : str
    status : str
        ``"ok"``; ``"not_identifiable"`` (the curve fits, but fewer than ``min_plateau_weeks``
        observed weeks lie at or past its steady state, so plateau and ramp length trade off
        along a ridge and the data do not pin them: no plateau, steady state or interval is
        reported); ``"all_zero"`` (nothing to fit: plateau 0); ``"too_short"`` (fewer weeks than
        parameters + 1: plateau = mean level, no shape); ``"failed"`` (optimiser error: plateau =
        mean level).
    parameters : dict
        Fitted parameters by name (``PARAMETER_NAMES[model]``); empty unless status is ``"ok"``.
    plateau : float
        Steady-state weekly level [unit of y per week].
    weeks_to_steady_state : float
        First whole week whose fitted level reaches ``fraction`` of the plateau
        (:func:`steady_state_week`) [weeks]; NaN when unknown.
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
    weeks_last: float = float("nan")

    def predict(self, weeks):
        """Fitted level at ``weeks`` [unit of y per week]; the plateau when no shape was fitted."""
        weeks = np.asarray(weeks, dtype=float)
        if not self.parameters:
            return np.full(weeks.shape, self.plateau, dtype=float)
        return curve_value(self.model, weeks, self.parameters)

    def band(self, weeks, level=0.8):
        """Prediction band for single weeks: (lower, upper) arrays at ``level`` coverage.

        Combines the parameter uncertainty (Jacobian covariance, delta method) with the residual
        scatter; lower bounds are floored at 0 (levels are counts).
        """
        weeks = np.asarray(weeks, dtype=float)
        centre = self.predict(weeks)
        z = special.ndtri(0.5 + level / 2.0)  # the normal quantile (scipy.stats.norm.ppf)
        if not self.parameters or self.covariance is None:
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


def fit_curve(weeks, values, model="logistic", *, fraction, min_plateau_weeks,
              plateau_max_multiple=PLATEAU_MAX_MULTIPLE):
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
    min_plateau_weeks : int
        Observed weeks at or past the fitted steady state needed to call the fit identifiable
        [weeks] (params ``launch.min_plateau_weeks``); fewer give ``"not_identifiable"``.
    plateau_max_multiple : float
        Upper bound of the plateau as a multiple of the largest observed week [ratio]; keeps a
        short series that is still climbing from extrapolating to infinity.

    Returns
    -------
    CurveFit
        Never raises for numeric input; see ``CurveFit.status``.
    """
    return fit_curves([(weeks, values)], model, fraction=fraction,
                      min_plateau_weeks=min_plateau_weeks,
                      plateau_max_multiple=plateau_max_multiple)[0]


def fit_curves(series, model="logistic", *, fraction, min_plateau_weeks,
               plateau_max_multiple=PLATEAU_MAX_MULTIPLE):
    """Fit one ramp curve model to many launches at once (:func:`fit_curve` of each).

    Parameters
    ----------
    series : sequence of (weeks, values)
        One pair of arrays per launch, as :func:`fit_curve` takes them.
    model, fraction, min_plateau_weeks, plateau_max_multiple
        As :func:`fit_curve`.

    Returns
    -------
    list of CurveFit
        In the order of ``series``; the same fits as one :func:`fit_curve` call each, in one
        vectorised optimiser run (a 2,500-SKU seller has hundreds of launches to fit).
    """
    if model not in _FUNCTIONS:
        raise KeyError(f"unknown curve model {model!r}; known: {', '.join(CURVE_MODELS)}")
    fits, jobs = [], []
    for weeks, values in series:
        weeks = np.asarray(weeks, dtype=float)
        values = np.asarray(values, dtype=float)
        keep = np.isfinite(weeks) & np.isfinite(values)
        weeks, values = weeks[keep], values[keep]
        fit = _unfittable(model, weeks, values, fraction)
        fits.append(fit)
        if fit is None:
            starts, bounds = _starts_and_bounds(model, weeks, values,
                                                plateau_max_multiple * values.max())
            jobs.append((len(fits) - 1, weeks, values, starts, bounds, _robust_scale(values)))
    results = _soft_l1_fit(model, jobs) if jobs else []
    for (index, weeks, values, *_), result in zip(jobs, results, strict=True):
        if result is None:
            fits[index] = CurveFit(model=model, status="failed", plateau=float(values.mean()),
                                   residual_sd=float(values.std(ddof=1)),
                                   n_weeks=int(values.size), fraction=fraction)
        else:
            fits[index] = _summarise(model, result, weeks, values, fraction, min_plateau_weeks)
    return fits


def _unfittable(model, weeks, values, fraction):
    """The fit of a series with nothing or too little to fit; None when it can be fitted."""
    n_weeks = int(values.size)
    common = {"model": model, "n_weeks": n_weeks, "fraction": fraction}
    if n_weeks == 0 or not np.any(values > 0):
        return CurveFit(status="all_zero", plateau=0.0, residual_sd=0.0, **common)
    if n_weeks < len(PARAMETER_NAMES[model]) + 1:
        scatter = float(values.std(ddof=1)) if n_weeks > 1 else float("nan")
        return CurveFit(status="too_short", plateau=float(values.mean()), residual_sd=scatter,
                        **common)
    return None


def _soft_l1_cost(residuals, scale):
    """Soft-L1 loss summed over weeks, per start: 2 s^2 (sqrt(1 + (r/s)^2) - 1) (SciPy's)."""
    return np.sum(2.0 * scale**2 * (np.sqrt(1.0 + (residuals / scale) ** 2) - 1.0), axis=-1)


def _stack_jobs(jobs):
    """Padded arrays of every start of every job: weeks, values, mask, starts, bounds, scale."""
    width = max(job[1].size for job in jobs)
    rows = [(number, start) for number, job in enumerate(jobs) for start in job[3]]
    owner = np.array([number for number, _ in rows])
    weeks = np.zeros((len(rows), width))
    values = np.zeros((len(rows), width))
    mask = np.zeros((len(rows), width), dtype=bool)
    for row, number in enumerate(owner):
        size = jobs[number][1].size
        weeks[row, :size], values[row, :size], mask[row, :size] = (
            jobs[number][1], jobs[number][2], True)
    lower = np.array([jobs[number][4][0] for number in owner])
    upper = np.array([jobs[number][4][1] for number in owner])
    scale = np.array([jobs[number][5] for number in owner])[:, None]
    starts = np.clip(np.array([start for _, start in rows]), lower, upper)
    return owner, weeks, values, mask, starts, lower, upper, scale


def _damped_step(jacobian, weeks, mask, x, residuals, scale, lower, upper, damping):
    """Levenberg-Marquardt step of each start on its soft-L1-reweighted normal equations."""
    n_par = x.shape[1]
    identity = np.eye(n_par)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        jac = jacobian(weeks, *(x[:, [i]] for i in range(n_par)))
    jac = np.where(mask[..., None], np.nan_to_num(jac, nan=0.0, posinf=0.0, neginf=0.0), 0.0)
    safe = np.nan_to_num(residuals)
    weight = 1.0 / np.sqrt(1.0 + (safe / scale) ** 2)
    normal = np.einsum("st,stp,stq->spq", weight, jac, jac)
    gradient = np.einsum("st,stp,st->sp", weight, jac, safe)
    # Parameters held at a bound by the descent direction stay there (active set): a step
    # clipped back onto the bound would crawl along it for hundreds of iterations.
    span = 1e-9 * (upper - lower)
    active = ((x <= lower + span) & (gradient > 0)) | ((x >= upper - span) & (gradient < 0))
    free = ~active
    normal = normal * free[:, :, None] * free[:, None, :] + active[:, :, None] * identity
    gradient = np.where(active, 0.0, gradient)
    diagonal = np.einsum("spp->sp", normal)
    diagonal = diagonal + 1e-10 * diagonal.max(axis=1, keepdims=True) + 1e-30
    system = normal + damping[:, None, None] * diagonal[:, :, None] * identity
    try:
        return -np.linalg.solve(system, gradient[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return -np.einsum("spq,sq->sp", np.linalg.pinv(system), gradient)


def _soft_l1_fit(model, jobs):
    """Bounded robust least squares of many series from several starts at once.

    Levenberg-Marquardt with soft-L1 reweighting (iteratively reweighted least squares):
    each iteration solves the damped normal equations of every start of every series together
    and keeps a step only where it lowers the loss; parameters pushed against a bound are held
    there (active set). Every start runs until it converges (or ``_MAX_ITERATIONS``).

    Parameters
    ----------
    model : str
    jobs : list of (index, weeks, values, starts, (lower, upper), scale)

    Returns
    -------
    list
        Per job, the best start as an object with SciPy's ``x``, ``fun`` (raw residuals),
        ``jac`` and ``cost`` (half the soft-L1 loss); None when no start is finite.
    """
    function, jacobian = _FUNCTIONS[model], _JACOBIANS[model]
    owner, weeks, values, mask, x, lower, upper, scale = _stack_jobs(jobs)
    n_par = x.shape[1]

    def evaluate(rows, vectors):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            residuals = function(weeks[rows], *(vectors[:, [i]] for i in range(n_par)))
        residuals = np.where(mask[rows], residuals - values[rows], 0.0)
        cost = _soft_l1_cost(residuals, scale[rows])
        return residuals, np.where(np.isfinite(cost), cost, np.inf)

    residuals, cost = evaluate(slice(None), x)
    damping = np.full(x.shape[0], 1e-3)
    rows = np.arange(x.shape[0])  # starts still running: each iteration works on these only
    for _ in range(_MAX_ITERATIONS):
        step = _damped_step(jacobian, weeks[rows], mask[rows], x[rows], residuals[rows],
                            scale[rows], lower[rows], upper[rows], damping[rows])
        trial = np.clip(x[rows] + step, lower[rows], upper[rows])
        trial_residuals, trial_cost = evaluate(rows, trial)
        better = trial_cost < cost[rows]
        moved = np.max(np.abs(trial - x[rows]) / (np.abs(x[rows]) + 1e-8), axis=1)
        gain = (cost[rows] - trial_cost) / np.maximum(cost[rows], 1e-300)
        kept = rows[better]
        x[kept], residuals[kept], cost[kept] = trial[better], trial_residuals[better], trial_cost[better]
        damping[rows] = np.where(better, damping[rows] / 3.0, damping[rows] * 4.0)
        stop = (moved < 1e-9) | (better & (gain < 1e-10)) | (damping[rows] > 1e10)
        rows = rows[~stop]
        if rows.size == 0:
            break
    results = []
    for number, (_, job_weeks, job_values, *_rest) in enumerate(jobs):
        rows = np.flatnonzero((owner == number) & np.isfinite(cost))
        if rows.size == 0:
            results.append(None)
            continue
        row = rows[np.argmin(cost[rows])]  # first of equal costs: the order of the starts
        vector = x[row]
        results.append(SimpleNamespace(
            x=vector, fun=function(job_weeks, *vector) - job_values, cost=0.5 * cost[row],
            jac=jacobian(job_weeks, *vector)))
    return results


def _identifiable(model, vector, weeks, fraction, min_plateau_weeks):
    """Whether enough observed weeks lie at or past the fitted steady state to pin the plateau.

    Before the curve flattens, a taller plateau reached later fits the rising weeks as well as
    a lower one reached sooner (a ridge in the least-squares surface): only weeks on the plateau
    tell them apart.
    """
    reached = weeks_to_fraction(model, vector, fraction)
    return bool(np.isfinite(reached) and np.sum(weeks >= reached) >= min_plateau_weeks)


def _summarise(model, result, weeks, values, fraction, min_plateau_weeks):
    vector = result.x
    n_weeks, n_par = values.size, vector.size
    if not _identifiable(model, vector, weeks, fraction, min_plateau_weeks):
        return CurveFit(model=model, status="not_identifiable", n_weeks=int(n_weeks),
                        fraction=fraction)
    sse = float(np.sum(result.fun**2))
    dof = max(n_weeks - n_par, 1)
    residual_sd = np.sqrt(sse / dof)
    jacobian = np.asarray(result.jac, dtype=float)
    covariance = residual_sd**2 * np.linalg.pinv(jacobian.T @ jacobian)
    t_steady = steady_state_week(
        curve_value(model, np.arange(int(weeks.max()) + 1), vector), vector[0], fraction)
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
        weeks_last=float(weeks.max()),
        residual_sd=float(residual_sd),
        n_weeks=int(n_weeks),
        aicc=float(aicc),
        covariance=covariance,
        fraction=fraction,
    )


def fit_best_curve(weeks, values, models=CURVE_MODELS, *, fraction, min_plateau_weeks,
                   plateau_max_multiple=PLATEAU_MAX_MULTIPLE):
    """Fit several models and return the identifiable one with the lowest AICc.

    Parameters are those of :func:`fit_curve`; returns a :class:`CurveFit` (the first model's,
    e.g. ``"not_identifiable"``, when none is ``"ok"``).
    """
    return fit_best_curves([(weeks, values)], models, fraction=fraction,
                           min_plateau_weeks=min_plateau_weeks,
                           plateau_max_multiple=plateau_max_multiple)[0]


def fit_best_curves(series, models=CURVE_MODELS, *, fraction, min_plateau_weeks,
                    plateau_max_multiple=PLATEAU_MAX_MULTIPLE):
    """:func:`fit_best_curve` of many launches, each model fitted to all of them at once.

    Parameters
    ----------
    series : sequence of (weeks, values)
    models, fraction, min_plateau_weeks, plateau_max_multiple
        As :func:`fit_best_curve`.

    Returns
    -------
    list of CurveFit
    """
    by_model = [fit_curves(series, model, fraction=fraction, min_plateau_weeks=min_plateau_weeks,
                           plateau_max_multiple=plateau_max_multiple) for model in models]
    best = []
    for fits in zip(*by_model, strict=True):
        usable = [f for f in fits if f.status == "ok" and np.isfinite(f.aicc)]
        best.append(min(usable, key=lambda f: f.aicc) if usable else fits[0])
    return best


def fit_launch_curves(
    history, models=CURVE_MODELS, *, fraction, min_plateau_weeks, plateau_max_multiple=PLATEAU_MAX_MULTIPLE,
    level=0.8
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
    min_plateau_weeks : int
        Observed weeks at or past the steady state a fit needs to be identifiable [weeks].
    plateau_max_multiple : float
        Plateau upper bound as a multiple of the largest observed week [ratio].
    level : float
        Coverage of the plateau / weeks-to-steady-state intervals [fraction].

    Returns
    -------
    pandas.DataFrame
        One row per ``unique_id`` and ``curve_model``: status (``FIT_STATUSES``), plateau,
        plateau_low, plateau_high [per week], weeks_to_steady_state (+ _low, _high) [weeks],
        curve_residual_sd, curve_aicc, weeks_fitted, ``best`` (lowest AICc among the ``"ok"``
        fits of that launch; none when no fit is ``"ok"``) and ``parameters`` (dict by name).
        Figures of fits that are not ``"ok"`` are NaN. Intervals are bounded by what the fit
        can mean: plateau within [0, ``plateau_max_multiple`` x the largest week], weeks to
        steady state within the weeks observed (an identifiable fit reached it there).
    """
    z = special.ndtri(0.5 + level / 2.0)  # the normal quantile (scipy.stats.norm.ppf)
    groups = [(unique_id, group["week"].to_numpy(dtype=float), group["y"].to_numpy(dtype=float))
              for unique_id, group in history.groupby("unique_id", sort=True)]
    by_model = {model: fit_curves([(weeks, y) for _, weeks, y in groups], model,
                                  fraction=fraction, min_plateau_weeks=min_plateau_weeks,
                                  plateau_max_multiple=plateau_max_multiple) for model in models}
    rows = []
    for position, (unique_id, _, y) in enumerate(groups):
        cap = plateau_max_multiple * max(float(np.nanmax(y, initial=0.0)), 0.0)
        for model in models:
            rows.append({"unique_id": unique_id, "curve_model": model,
                         **_fit_row(by_model[model][position], z, cap)})
    table = pd.DataFrame(rows, columns=_FIT_COLUMNS)
    if table.empty:
        table["best"] = pd.Series(dtype=bool)
        return table
    ranked = table["curve_aicc"].where(table["status"] == "ok", np.inf)
    has_ok = (table["status"] == "ok").groupby(table["unique_id"]).transform("any")
    best_index = ranked.groupby(table["unique_id"]).idxmin()
    table["best"] = table.index.isin(best_index.to_numpy()) & has_ok
    return table


_FIT_COLUMNS = [
    "unique_id", "curve_model", "status", "plateau", "plateau_low", "plateau_high",
    "weeks_to_steady_state", "weeks_to_steady_state_low", "weeks_to_steady_state_high",
    "curve_residual_sd", "curve_aicc", "weeks_fitted", "parameters",
]


def _fit_row(fit, z, plateau_cap):
    """Figures of one fit for :func:`fit_launch_curves`; NaN unless the fit is ``"ok"``."""
    row = {"status": fit.status, "weeks_fitted": fit.n_weeks, "parameters": fit.parameters,
           "curve_residual_sd": np.nan, "curve_aicc": np.nan}
    names = ["plateau", "plateau_low", "plateau_high", "weeks_to_steady_state",
             "weeks_to_steady_state_low", "weeks_to_steady_state_high"]
    row.update(dict.fromkeys(names, np.nan))
    if fit.status != "ok":
        return row
    weeks, spread = fit.weeks_to_steady_state, z * fit.weeks_to_steady_state_sd
    row.update({
        "plateau": fit.plateau,
        "plateau_low": float(np.clip(fit.plateau - z * fit.plateau_sd, 0.0, fit.plateau)),
        "plateau_high": float(np.clip(fit.plateau + z * fit.plateau_sd, fit.plateau,
                                      max(plateau_cap, fit.plateau))),
        "weeks_to_steady_state": weeks,
        "weeks_to_steady_state_low": float(np.clip(np.floor(weeks - spread), 0.0, weeks)),
        "weeks_to_steady_state_high": float(np.clip(np.ceil(weeks + spread), weeks,
                                                    max(fit.weeks_last, weeks))),
        "curve_residual_sd": fit.residual_sd,
        "curve_aicc": fit.aicc,
    })
    return row

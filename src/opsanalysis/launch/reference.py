"""Reference ramp curves from a seller's own past launches, and ramp forecasts built on them.

Past launches (same marketplace and category) are normalised by their fitted plateau, grouped
by shape with k-means when their shapes differ, and summarised by percentile bands. A new launch is
forecast from its cluster: its first weeks fix the scale, the past launches say how weeks 0..n
relate to the weeks after (analog ratios, so the band is calibrated on the seller's own history),
and a curve fitted to its own weeks takes more weight as weeks accumulate (Hu et al. 2019).

The scale of a launch is the Poisson maximum-likelihood ratio of its recency-weighted weekly counts
to the cluster's typical (winsorised mean) shape: weekly counts have a variance that grows with
their level, so every observed week counts by its recency alone, not by its expected size, and
weeks in which the typical past launch sold nothing (intermittent sellers) still count.

Point forecasts are medians, the error-minimising forecast under absolute error (MAE), while
quantities that add up over weeks (the stock a ramp needs) use the ``mean`` column. For low counts
the median depends on how often a launch sells, which its level alone does not say (one lumpy
order of 4 and a sale of 1 in each of 4 weeks have the same level): the share of the predictive
distribution above 0 is replaced by the launch's own sale frequency after its first sale, shrunk
towards the reference's (beta-binomial, empirical Bayes; Croston 1972 separates demand occurrence
from demand size for the same reason). Past launches that stopped selling stay in the reference:
dropping them would make later weeks look busier than they are (survivorship).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from .curves import CurveFit, fit_best_curve, fit_best_curves


@dataclass
class ReferenceSet:
    """Past launches prepared for reuse by :func:`forecast_ramp` and the tracker.

    Attributes
    ----------
    members : pandas.DataFrame
        One row per past launch that sold at least once: unique_id, plateau [per week],
        plateau_source ("curve", "level", or "stopped": no sale in its last ``tail_weeks`` and
        no curve fit, plateau 0), weeks_to_steady_state [weeks], n_weeks, cluster (int).
    levels : numpy.ndarray
        Weekly levels, shape (n_launches, n_weeks) in the order of ``members``; NaN after a
        launch's last observed week.
    normalised : numpy.ndarray
        ``levels`` divided by each launch's plateau [fraction of plateau]; a stopped launch is
        divided by its mean weekly level instead, so its shape still counts.
    """

    members: pd.DataFrame
    levels: np.ndarray
    normalised: np.ndarray

    @property
    def n_weeks(self) -> int:
        return self.levels.shape[1]

    def clusters(self):
        return sorted(self.members["cluster"].unique()) if len(self.members) else []


def launch_matrix(history, n_weeks=None):
    """Pivot a long ``unique_id, week, y`` table to a (launch x week) array.

    Weeks missing inside a launch's observed span are 0 (Business Reports omit ASINs without
    activity); weeks after its last observed week are NaN.

    Returns
    -------
    (list, numpy.ndarray)
        Launch ids (sorted) and the array [per week].
    """
    history = history.loc[history["week"] >= 0]
    ids = sorted(history["unique_id"].unique())
    last = int(history["week"].max()) + 1 if len(history) else 0
    width = last if n_weeks is None else int(n_weeks)
    matrix = np.full((len(ids), width), np.nan)
    if not ids:
        return ids, matrix
    position = {uid: i for i, uid in enumerate(ids)}
    rows = history["unique_id"].map(position).to_numpy()
    weeks = history["week"].to_numpy(dtype=int)
    values = history["y"].to_numpy(dtype=float)
    last_week = pd.Series(weeks).groupby(rows).max()
    for row, week_max in last_week.items():
        matrix[row, : min(week_max + 1, width)] = 0.0
    inside = weeks < width
    np.add.at(matrix, (rows[inside], weeks[inside]), np.nan_to_num(values[inside]))
    return ids, matrix


def _plateaus(levels, models, fraction, min_plateau_weeks, tail_weeks, plateau_weeks=None):
    """Plateau of each past launch: its best curve fit, kept within [0.5, 2] x its tail level.

    The tail level (mean of the last ``tail_weeks`` observed weeks) is the fallback when no curve
    fits, so noisy or intermittent launches still normalise to a sensible scale. All launches
    are fitted together (:func:`.curves.fit_best_curves`).

    Returns
    -------
    list of (plateau, source, weeks_to_steady_state)
    """
    observed = [row[np.isfinite(row)][:plateau_weeks] for row in levels]
    fits = fit_best_curves([(np.arange(row.size), row) for row in observed], models,
                           fraction=fraction, min_plateau_weeks=min_plateau_weeks)
    out = []
    for row, fit in zip(observed, fits, strict=True):
        tail = float(row[-tail_weeks:].mean()) if row.size else 0.0
        if fit.status == "ok" and tail > 0 and 0.5 * tail <= fit.plateau <= 2.0 * tail:
            out.append((fit.plateau, "curve", fit.weeks_to_steady_state))
        else:
            out.append((tail, "level", float("nan")))
    return out


def _cluster(normalised, max_clusters, min_silhouette, min_cluster_size, seed=0):
    """k-means on normalised shapes; k > 1 only when shapes clearly differ (silhouette)."""
    n_launches = normalised.shape[0]
    labels = np.zeros(n_launches, dtype=int)
    filled = pd.DataFrame(normalised).T.ffill().T.fillna(0.0).to_numpy()
    filled = np.clip(filled, 0.0, 3.0)
    best_score = min_silhouette
    for k in range(2, max_clusters + 1):
        if n_launches < k * min_cluster_size:
            break
        model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(filled)
        sizes = np.bincount(model.labels_, minlength=k)
        if sizes.min() < min_cluster_size or len(np.unique(model.labels_)) < 2:
            continue
        score = silhouette_score(filled, model.labels_)
        if score > best_score:
            best_score, labels = score, model.labels_.astype(int)
    return labels


def build_reference(
    reference_history,
    n_weeks=None,
    models=("logistic", "gompertz", "trapezoid"),
    *,
    fraction,
    min_plateau_weeks,
    max_clusters,
    min_silhouette,
    min_cluster_size,
    plateau_weeks=None,
    tail_weeks=8,
    plateau_cache=None,
):
    """Prepare past launches as a reference: plateaus, normalised curves and shape clusters.

    Parameters
    ----------
    reference_history : pandas.DataFrame
        Long ``unique_id, week, y`` of past launches (week 0 = launch week) [per week].
    n_weeks : int, optional
        Weeks kept per launch [weeks]; default the longest observed.
    models : sequence of str
        Curve models tried for each plateau (best by AICc).
    fraction : float
        Share of the plateau that counts as steady state [fraction].
    min_plateau_weeks : int
        Weeks on the plateau a curve fit needs to count (:func:`.curves.fit_curve`) [weeks];
        otherwise the tail level is the plateau.
    tail_weeks : int
        Weeks averaged for the fallback plateau [weeks].
    max_clusters, min_silhouette, min_cluster_size
        k-means search (params ``launch``, see :func:`reference_options`): k = 2..max_clusters is kept only when its silhouette exceeds
        ``min_silhouette`` and every cluster has ``min_cluster_size`` launches; else 1 cluster.
    plateau_weeks : int, optional
        Weeks since launch used to fit each plateau [weeks]; default all. Later weeks still
        serve the forecasts, but growth or seasons a year after launch are not the ramp.
    plateau_cache : dict, optional
        Plateau fits by launch curve, shared between calls (a tracker builds one reference per
        category and one for the marketplace from the same past launches).

    Returns
    -------
    ReferenceSet
        Launches that never sold are left out (no level, no shape).
    """
    ids, levels = launch_matrix(reference_history, n_weeks)
    plateau_cache = {} if plateau_cache is None else plateau_cache
    settings = (tuple(models), fraction, min_plateau_weeks, tail_weeks, plateau_weeks)
    keys = [(row.tobytes(), settings) for row in levels]
    first = {}
    for index, key in enumerate(keys):
        first.setdefault(key, index)
    missing = [key for key in first if key not in plateau_cache]
    new = _plateaus(np.array([levels[first[k]] for k in missing]).reshape(
        len(missing), levels.shape[1]), models, fraction, min_plateau_weeks, tail_weeks,
        plateau_weeks) if missing else []
    plateau_cache.update(zip(missing, new, strict=True))
    rows = [plateau_cache[key] for key in keys]
    members = pd.DataFrame(
        rows, columns=["plateau", "plateau_source", "weeks_to_steady_state"], index=ids
    ).rename_axis("unique_id").reset_index()
    members["n_weeks"] = np.isfinite(levels).sum(axis=1)
    # Launches that sold and then stopped stay: they are what a new launch may do, and leaving
    # them out biases the later weeks of the reference upwards (survivorship).
    sold = np.nansum(levels, axis=1) > 0
    members, levels = members.loc[sold].reset_index(drop=True), levels[sold]
    stopped = members["plateau"].to_numpy() <= 0
    members.loc[stopped, "plateau_source"] = "stopped"
    normalised = levels / _normaliser(levels, members["plateau"].to_numpy())[:, None]
    members["cluster"] = _cluster(normalised, max_clusters, min_silhouette, min_cluster_size)
    return ReferenceSet(members=members, levels=levels, normalised=normalised)


def _normaliser(levels, plateau):
    """Plateau of each launch [per week]; its mean weekly level where it has none (stopped)."""
    if levels.size == 0:
        return plateau
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(levels, axis=1)
    return np.where(plateau > 0, plateau, mean)


def reference_bands(reference, quantiles):
    """Percentile bands of the normalised reference curves, per cluster and week.

    Parameters
    ----------
    reference : ReferenceSet
    quantiles : sequence of float
        Quantile levels [fraction], e.g. params ``launch.band_quantiles`` and the median.

    Returns
    -------
    pandas.DataFrame
        ``cluster, week, n_launches`` and one column per quantile (``q10``, ``q50``, ``q90``)
        [fraction of plateau], plus ``level_q..`` columns: the same quantiles of the absolute
        weekly levels [per week].
    """
    frames = []
    for cluster in reference.clusters():
        mask = (reference.members["cluster"] == cluster).to_numpy()
        frame = pd.DataFrame({
            "cluster": cluster,
            "week": np.arange(reference.n_weeks),
            "n_launches": np.isfinite(reference.normalised[mask]).sum(axis=0),
        })
        for q in quantiles:
            name = f"q{round(q * 100):d}"
            frame[name] = _nanquantile(reference.normalised[mask], q)
            frame[f"level_{name}"] = _nanquantile(reference.levels[mask], q)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["cluster", "week", "n_launches"])
    return pd.concat(frames, ignore_index=True)


def _nanquantile(matrix, q, axis=0):
    """``numpy.nanquantile`` that returns NaN for all-NaN slices without warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanquantile(matrix, q, axis=axis) if matrix.size else np.full(
            matrix.shape[1 - axis], np.nan
        )


def _extend(matrix, n_weeks):
    """Carry each launch's last observed week forward up to ``n_weeks`` (its plateau holds)."""
    frame = pd.DataFrame(matrix)
    frame = frame.reindex(columns=range(max(n_weeks, matrix.shape[1])))
    return frame.T.ffill().T.to_numpy()[:, :n_weeks]


def _scale(observed, shape):
    """Least-squares scale of ``shape`` to ``observed`` (both over the same weeks) [per week]."""
    denominator = float(np.nansum(shape * shape))
    return float(np.nansum(observed * shape)) / denominator if denominator > 0 else 0.0


def _typical_shape(normalised, winsor):
    """Winsorised mean over launches, per week, of curves normalised by their plateau.

    The per-week mean is the expected shape that a Poisson scale estimate needs; a plain median is
    0 in every week in which most past launches sold nothing (intermittent sellers), the mean is
    not. Clipping each week at its ``winsor`` and ``1 - winsor`` quantiles keeps one launch's
    spike from bending the shape.

    Parameters
    ----------
    normalised : numpy.ndarray
        (launches, weeks) levels divided by each launch's plateau [fraction of plateau]; NaN where
        not observed.
    winsor : float
        Share clipped at each end, per week [fraction]; 0 is the plain mean.

    Returns
    -------
    numpy.ndarray
        Typical shape per week [fraction of plateau]; NaN where no launch was observed.
    """
    if normalised.size == 0:
        return np.full(normalised.shape[1], np.nan)
    low = _nanquantile(normalised, winsor)
    high = _nanquantile(normalised, 1.0 - winsor)
    clipped = np.clip(normalised, low, high)
    counts = np.isfinite(clipped).sum(axis=0)
    totals = np.nansum(clipped, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(counts > 0, totals / counts, np.nan)


def _choose_cluster(observed, reference):
    """Cluster whose median shape, scaled, fits the observed weeks best (largest when unsure)."""
    members = reference.members
    sizes = members["cluster"].value_counts()
    if observed.size == 0 or len(sizes) == 1:
        return int(sizes.index[0])
    errors = {}
    for cluster in sizes.index:
        mask = (members["cluster"] == cluster).to_numpy()
        shape = _nanquantile(_extend(reference.normalised[mask], observed.size), 0.5)
        fitted = _scale(observed, shape) * shape
        errors[int(cluster)] = float(np.sum((observed - fitted) ** 2))
    best = min(errors.values())
    tied = [c for c, e in errors.items() if e <= best * 1.0001]
    return max(tied, key=lambda c: sizes[c])


def _windows(matrix, pool_weeks):
    """(launches, weeks) -> (weeks, launches * (2 * pool_weeks + 1)): each week with neighbours."""
    padded = np.pad(matrix, ((0, 0), (pool_weeks, pool_weeks)), constant_values=np.nan)
    stacked = np.lib.stride_tricks.sliding_window_view(padded, 2 * pool_weeks + 1, axis=1)
    return stacked.transpose(1, 0, 2).reshape(matrix.shape[1], -1)


def _pooled_quantiles(ratios, quantiles, pool_weeks):
    """Quantiles over launches per week, pooling ``pool_weeks`` neighbours on each side.

    The centre is the median of the pooled window (a handful of launches gives a jagged
    per-week median); the scatter is pooled after dividing each week by its own median, then
    re-centred. Windows with a zero median pool raw values (intermittent series).
    """
    quantiles = list(quantiles)
    week_median = _nanquantile(ratios, 0.5)
    raw_windows = _windows(ratios, pool_weeks)
    centre = _nanquantile(raw_windows, 0.5, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(week_median > 0, ratios / week_median, np.nan)
    spread = _nanquantile(_windows(relative, pool_weeks), quantiles, axis=1)
    raw = _nanquantile(raw_windows, quantiles, axis=1)
    return np.where((centre > 0) & np.isfinite(spread), centre * spread, raw)


def analog_count(n_reference, analogs, analogs_share, min_analogs):
    """Past launches that form a forecast's distribution: a share of the reference, bounded.

    ``min(analogs, max(min_analogs, round(analogs_share * n_reference)))``, never more than the
    reference holds. A fixed count larger than a small reference takes every past launch
    whatever its level, and on real launches whose levels span orders of magnitude the analog
    ratios of launches 100 times smaller or larger then set the median (benchmarks/launch.py,
    Online Retail with 24 past launches: 60 analogs, i.e. all 24, MAE 27.3; 10 nearest 25.7).

    Parameters
    ----------
    n_reference : int
        Past launches available (with a positive early level) [launches].
    analogs : int
        Most analogs [launches] (params ``launch.analogs``).
    analogs_share : float
        Share of the reference taken [fraction] (``launch.analogs_share``).
    min_analogs : int
        Fewest analogs, so that a band rests on enough launches [launches]
        (``launch.min_analogs``).

    Returns
    -------
    int
    """
    wanted = max(int(min_analogs), int(np.floor(analogs_share * n_reference + 0.5)))
    return int(min(n_reference, int(analogs), wanted))


def _nearest_analogs(member_scale, scale, analogs):
    """Indices of the ``analogs`` past launches whose early level is closest (log scale).

    Launches as close as the last one taken are taken too (ties are kept): which of several
    equal early levels came first in the reference must not decide the forecast.
    """
    if member_scale.size <= analogs or scale <= 0:
        return np.arange(member_scale.size)
    floor = 1e-3 * max(np.median(member_scale), 1e-12)
    distance = np.abs(np.log(member_scale + floor) - np.log(scale + floor))
    order = np.argsort(distance, kind="stable")
    cutoff = distance[order[max(int(analogs), 1) - 1]]
    return order[distance[order] <= cutoff * (1.0 + 1e-12) + 1e-12]


def _widen(bands, n_launches, quantiles):
    """Widen quantiles estimated from few launches into a prediction band for one more.

    Normal-theory prediction interval: the spread around the median grows by
    t(n - 1) / z * sqrt(1 + 1 / n), 1.43 for 4 launches, 1.17 for 8, 1.04 for 30.
    """
    if n_launches < 2:
        return bands
    level = max(quantiles[1], 1.0 - quantiles[0])
    from scipy import stats  # here, not at import: scipy.stats costs every kernel 0.6 s
    factor = stats.t.ppf(level, n_launches - 1) / stats.norm.ppf(level)
    factor *= np.sqrt(1.0 + 1.0 / n_launches)
    centre = bands[0]
    return np.vstack([centre, centre - factor * (centre - bands[1]),
                      centre + factor * (bands[2] - centre)])


def _leave_one_out_median(values):
    """Median of the other entries, for each entry (the entry itself excluded)."""
    if values.size < 2:
        return values.copy()
    return np.array([np.median(np.delete(values, i)) for i in range(values.size)])


def _recency_weights(n_obs, recency_weeks):
    """Weights of the observed weeks in the scale estimate: an exponential recency factor.

    The latest weeks (closest to the plateau, least distorted by launch-week effects) count most.
    With Poisson-like weekly counts (variance proportional to the level) the weighted
    maximum-likelihood scale of ``y_t ~ scale * shape_t`` is ``sum(w y) / sum(w shape)``: the
    weights carry no ``shape`` factor, which would let the largest, noisiest weeks dominate.

    Parameters
    ----------
    n_obs : int
        Weeks observed [weeks].
    recency_weeks : float
        e-folding time of the weights [weeks].

    Returns
    -------
    numpy.ndarray
        One weight per observed week, 1 for the latest [dimensionless].
    """
    return np.exp((np.arange(n_obs) - n_obs + 1) / recency_weeks)


def _weeks_after_first_sale(levels):
    """Weeks with a sale and weeks observed after each launch's first sale.

    The first sale is what dates a launch (and what selects it as one), so it says nothing about
    how often the launch sells; only the weeks after it count.

    Parameters
    ----------
    levels : numpy.ndarray
        (launches, weeks) or (weeks,) weekly levels [per week]; NaN where not observed.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Per launch: weeks with a sale and weeks observed after the first sale [weeks].
    """
    levels = np.atleast_2d(np.asarray(levels, dtype=float))
    positive = np.nan_to_num(levels) > 0
    first = np.where(positive.any(axis=1), positive.argmax(axis=1), levels.shape[1])
    after = np.isfinite(levels) & (np.arange(levels.shape[1])[None, :] > first[:, None])
    return (positive & after).sum(axis=1).astype(float), after.sum(axis=1).astype(float)


def _sale_frequency_prior(levels):
    """Beta prior of the weekly sale probability of a launch, from past launches (moments).

    Each past launch's share of weeks with a sale (after its first sale) scatters binomially
    around its own probability; what the shares vary beyond that is the spread between launches.
    Matching the mean ``m`` and that between-launch variance gives Beta(c m, c (1 - m)), the
    empirical-Bayes prior of a beta-binomial model.

    Parameters
    ----------
    levels : numpy.ndarray
        (launches, weeks) weekly levels of past launches [per week]; NaN where not observed.

    Returns
    -------
    (float, float) or None
        ``m`` [fraction of weeks] and ``c`` [weeks of evidence the prior is worth]; ``c`` is inf
        when the shares vary no more than binomial noise. None when no past launch has a week
        after its first sale.
    """
    sold, weeks = _weeks_after_first_sale(levels)
    usable = weeks > 0
    if not usable.any():
        return None
    share = sold[usable] / weeks[usable]
    mean = float(share.mean())
    binomial = mean * (1.0 - mean) * float(np.mean(1.0 / weeks[usable]))
    between = float(share.var()) - binomial
    if mean * (1.0 - mean) <= 0 or between <= 0:
        return mean, np.inf
    return mean, max(mean * (1.0 - mean) / between - 1.0, 0.0)


def _sale_probability(observed, prior):
    """Posterior mean of a launch's weekly sale probability [fraction]; None without a prior.

    (sales weeks + c m) / (weeks + c) over the weeks after its first sale: with few weeks the
    reference's frequency dominates, with many the launch's own.
    """
    if prior is None:
        return None
    mean, concentration = prior
    if not np.isfinite(concentration):
        return mean
    sold, weeks = (float(value[0]) for value in _weeks_after_first_sale(observed))
    if weeks + concentration <= 0:
        return mean
    return (sold + concentration * mean) / (weeks + concentration)


def _row_quantiles(values, levels):
    """Quantile ``levels[i]`` of the finite entries of row ``i`` (linear, as numpy); NaN if none."""
    ordered = np.sort(values, axis=1)  # NaN sorts last
    count = np.isfinite(values).sum(axis=1)
    last = np.maximum(count - 1, 0)
    position = np.asarray(levels, dtype=float) * last
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, last)
    rows = np.arange(values.shape[0])
    weight = position - low
    result = ordered[rows, low] * (1.0 - weight) + ordered[rows, high] * weight
    return np.where(count > 0, result, np.nan)


def _median_given_sale_probability(windows, probability):
    """Median of each week's pooled analog values once their share above 0 is ``probability``.

    The analogs' values above 0 keep their shape and are rescaled so that the mean stays: with
    analog share ``a`` and sale probability ``p`` the median is (a / p) x the analogs' quantile
    at 1 - a / (2 p), and 0 when p <= 1/2. For a launch selling every week (a = p = 1) this is
    the plain median of the analogs.

    Parameters
    ----------
    windows : numpy.ndarray
        (weeks, values) pooled analog values per week [per week, or ratio to the early scale];
        NaN where none.
    probability : float or None
        The launch's sale probability per week [fraction]; None keeps the analogs' own share.

    Returns
    -------
    numpy.ndarray
        Median per week, in the units of ``windows``.
    """
    count = np.isfinite(windows).sum(axis=1)
    share = (np.nan_to_num(windows) > 0).sum(axis=1) / np.maximum(count, 1)
    p = share if probability is None else np.full(share.shape, float(probability))
    selling = (p > 0.5) & (share > 0)
    safe = np.where(selling, p, 1.0)
    level = np.where(selling, 1.0 - share / (2.0 * safe), 0.5)
    factor = np.where(selling, share / safe, 0.0)
    return factor * np.nan_to_num(_row_quantiles(windows, level))


def _ratio_of_means(levels, member_scale, pool_weeks):
    """Later level per unit of early scale over each week's pooled analogs [ratio].

    sum(y) / sum(scale) is the Poisson maximum-likelihood ratio; the mean of the single ratios
    y / scale lets the analogs with the smallest early level (the noisiest) dominate and, on
    intermittent sellers, overstates the expected level by about a tenth (benchmarks/launch.py).
    """
    scales = np.where(np.isfinite(levels), member_scale[:, None], np.nan)
    total = np.nansum(_windows(levels, pool_weeks), axis=1)
    base = np.nansum(_windows(scales, pool_weeks), axis=1)
    return np.where(base > 0, total / np.where(base > 0, base, 1.0), np.nan)


def _is_count_data(values):
    """True when every finite value is a whole number (units, sessions)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    return bool(finite.size) and bool(np.all(finite == np.round(finite)))


def _count_median(median, counts):
    """Integer series have an integer median: the continuous one rounded half up.

    With the continuity correction P(Y <= k) = P(X < k + 1/2), the smallest k reaching 1/2 is
    the rounded median of X; a forecast between two integers never beats both in absolute error.
    """
    return np.floor(median + 0.5) if counts else median


def _early_scales(observed, levels, shape, weights, own_weight_half_weeks):
    """Early scale of the launch and of each past launch, both shrunk towards the typical one.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, float)
        Mask of the past launches with a positive early scale, their shrunk scales and the
        launch's shrunk scale [per unit of shape]; an all-False mask when none is positive.
    """
    n_obs = observed.size
    denominator = float(np.nansum(weights * shape[:n_obs]))
    if not n_obs or denominator <= 0:
        return np.zeros(len(levels), dtype=bool), np.zeros(0), 0.0
    member_scale = levels[:, :n_obs] @ weights / denominator
    scale = float(observed @ weights) / denominator
    positive = member_scale > 0
    if not positive.any():
        return positive, np.zeros(0), scale
    # The launch's own weeks weigh n / (n + half); past launches get the same treatment (against
    # the others' typical level), so their ratios stay comparable with the new launch's.
    own_weight = n_obs / (n_obs + own_weight_half_weeks) if own_weight_half_weeks else 1.0
    member_scale = member_scale[positive]
    typical = float(np.median(member_scale))
    member_scale = own_weight * member_scale + (1.0 - own_weight) * _leave_one_out_median(
        member_scale)
    return positive, member_scale, own_weight * scale + (1.0 - own_weight) * typical


def _forecast_one(observed, reference, horizon, quantiles, own_weight_half_weeks, pool_weeks,
                  recency_weeks, analogs, shape_winsor, counts=False, analogs_share=1.0,
                  min_analogs=1):
    """Forecast weeks n .. n+horizon-1 of one launch with weeks 0 .. n-1 observed.

    Returns
    -------
    tuple
        Forecast weeks, median, lower and upper band, mean [per week], and the cluster used.
    """
    n_obs = observed.size
    target = np.arange(n_obs, n_obs + horizon)
    cluster = _choose_cluster(observed, reference)
    mask = (reference.members["cluster"] == cluster).to_numpy()
    probability = _sale_probability(observed, _sale_frequency_prior(reference.levels[mask]))
    levels = _extend(reference.levels[mask], n_obs + horizon + pool_weeks)
    # Pooling windows reach ``pool_weeks`` beyond the target weeks on both sides, so the first
    # and last forecast weeks are centred like the others.
    pooled = np.arange(max(n_obs - pool_weeks, 0), n_obs + horizon + pool_weeks)
    inside = np.isin(pooled, target)
    shape = _typical_shape(_extend(reference.normalised[mask], n_obs + horizon), shape_winsor)
    weights = _recency_weights(n_obs, recency_weeks)
    positive, member_scale, scale = _early_scales(observed, levels, shape, weights,
                                                  own_weight_half_weeks)
    quantile_levels = [0.5, *quantiles]
    if positive.any():
        levels = levels[positive]
        # Analogs: past launches that started at a similar level (count noise and ramp shape
        # depend on the level), as many as ``analogs``.
        chosen = _nearest_analogs(member_scale, scale, analog_count(
            member_scale.size, analogs, analogs_share, min_analogs))
        # Analog ratios: how each past launch's later weeks relate to the scale its own first
        # weeks implied; this carries the error of judging a launch early into the band.
        later = levels[chosen][:, pooled]
        ratios = later / member_scale[chosen, None]
        bands = scale * _widen(_pooled_quantiles(ratios, quantile_levels, pool_weeks),
                               chosen.size, quantiles)
        median = scale * _median_given_sale_probability(_windows(ratios, pool_weeks), probability)
        mean = scale * _ratio_of_means(later, member_scale[chosen], pool_weeks)
    else:
        raw = levels[:, pooled]
        bands = _pooled_quantiles(raw, quantile_levels, pool_weeks)
        median = _median_given_sale_probability(_windows(raw, pool_weeks), probability)
        mean = _pooled_mean(raw, pool_weeks)
    bands, median, mean = (np.nan_to_num(a[..., inside], nan=0.0) for a in (bands, median, mean))
    forecast = np.maximum(_count_median(median, counts), 0.0)
    lower = np.clip(bands[1], 0.0, forecast)
    upper = np.maximum(bands[2], forecast)
    return target, forecast, lower, upper, np.maximum(mean, 0.0), cluster


def _pooled_mean(values, pool_weeks):
    """Mean of each week's pooled window of ``values`` (launches x weeks); NaN when empty."""
    windows = _windows(values, pool_weeks)
    count = np.isfinite(windows).sum(axis=1)
    return np.where(count > 0, np.nansum(windows, axis=1) / np.maximum(count, 1), np.nan)


def _forecast_own_curve(observed, horizon, quantiles, models, fraction, min_plateau_weeks,
                        counts=False):
    """Without any usable past launch: the launch's own best curve and its prediction band.

    The fitted curve is both the mean and (symmetric band) the median. A curve the data cannot
    pin (still climbing) is not extrapolated: the level of the last weeks stands, with their
    scatter as band.
    """
    target = np.arange(observed.size, observed.size + horizon)
    fit = fit_best_curve(np.arange(observed.size), observed, models, fraction=fraction,
                         min_plateau_weeks=min_plateau_weeks)
    if fit.status != "ok":
        recent = observed[-4:]
        fit = CurveFit(model=fit.model, status="level", plateau=float(np.mean(recent)),
                       residual_sd=float(np.std(recent)), n_weeks=observed.size)
    mean = np.maximum(fit.predict(target), 0.0)
    forecast = np.maximum(_count_median(mean, counts), 0.0)
    lower, upper = fit.band(target, level=quantiles[1] - quantiles[0])
    return target, forecast, np.clip(lower, 0.0, forecast), np.maximum(upper, forecast), mean, -1


def reference_options(launch: dict) -> dict:
    """Keywords of :func:`build_reference` from params ``launch``.

    Returns
    -------
    dict
        ``fraction`` (``steady_state_fraction``), ``min_plateau_weeks``, ``max_clusters``,
        ``min_silhouette``, ``min_cluster_size`` and ``plateau_weeks``.
    """
    return {"fraction": launch["steady_state_fraction"],
            "min_plateau_weeks": launch["min_plateau_weeks"],
            "max_clusters": launch["max_clusters"],
            "min_silhouette": launch["min_silhouette"],
            "min_cluster_size": launch["min_cluster_size"],
            "plateau_weeks": launch["plateau_weeks"]}


def ramp_options(launch: dict) -> dict:
    """Keywords of :func:`forecast_ramp` from params ``launch``.

    Returns
    -------
    dict
        ``quantiles`` (``band_quantiles``), ``own_weight_half_weeks``, ``recency_weeks``,
        ``pool_weeks``, ``analogs``, ``analogs_share``, ``min_analogs``, ``fraction``
        (``steady_state_fraction``),
        ``min_plateau_weeks``, ``shape_winsor`` and ``reference_options`` (:func:`reference_options`).
    """
    return {"quantiles": tuple(launch["band_quantiles"]),
            "own_weight_half_weeks": launch["own_weight_half_weeks"],
            "recency_weeks": launch["recency_weeks"], "pool_weeks": launch["pool_weeks"],
            "analogs": launch["analogs"], "analogs_share": launch["analogs_share"],
            "min_analogs": launch["min_analogs"], "fraction": launch["steady_state_fraction"],
            "min_plateau_weeks": launch["min_plateau_weeks"],
            "shape_winsor": launch["shape_winsor"],
            "reference_options": reference_options(launch)}


def forecast_ramp(
    launch_history,
    reference,
    horizon_weeks,
    *,
    quantiles,
    own_weight_half_weeks,
    recency_weeks,
    pool_weeks,
    analogs,
    fraction,
    min_plateau_weeks,
    shape_winsor,
    analogs_share,
    min_analogs,
    models=("logistic", "gompertz", "trapezoid"),
    reference_options=None,
):
    """Forecast the coming weeks of new launches from their own weeks and past launches.

    Stable public entry point (``opsanalysis.launch.forecast_ramp``); keep the signature and
    columns. The settings after ``horizon_weeks`` are keyword-only and come from params
    ``launch``: ``forecast_ramp(history, reference, weeks, **ramp_options(params["launch"]))``.

    Parameters
    ----------
    launch_history : pandas.DataFrame
        Long ``unique_id, week, y`` of the new launches: week 0 = launch week, y per week
        (sessions, units ...). Weeks missing inside the observed span count as 0.
    reference : pandas.DataFrame or ReferenceSet
        Past launches, same shape as ``launch_history`` (or already prepared with
        :func:`build_reference`).
    horizon_weeks : int
        Weeks to forecast after each launch's last observed week [weeks].
    quantiles : (float, float)
        Lower and upper band levels [fraction]; the columns are named ``q10``/``q90`` for the
        defaults (``q<100*level>`` in general).
    own_weight_half_weeks : float or None
        Weeks observed at which the launch's own level gets half the weight against the typical
        level of its reference cluster [weeks] (weight = n / (n + this)); None or 0 trusts the
        launch's own weeks alone.
    recency_weeks : float
        e-folding time of the weights given to the observed weeks when scaling the reference
        shape to them [weeks]: recent weeks count more. The scale is the Poisson
        maximum-likelihood ratio ``sum(w y) / sum(w shape)`` of the weighted weeks.
    pool_weeks : int
        Neighbouring weeks pooled on each side when estimating band quantiles [weeks].
    analogs : int
        At most this many past launches, those whose early level is closest to the new
        launch's, form its forecast distribution.
    analogs_share : float
        Share of the reference cluster taken as analogs [fraction], within ``min_analogs`` and
        ``analogs`` (:func:`analog_count`).
    min_analogs : int
        Fewest analogs [launches] (all past launches when the cluster has fewer).
    fraction : float
        Share of the plateau counted as steady state [fraction].
    min_plateau_weeks : int
        Weeks on the plateau an own-curve fit needs to be extrapolated [weeks].
    shape_winsor : float
        Share of past launches clipped at each end, per week, when averaging their normalised
        curves into the typical shape the launch is scaled to [fraction] (0 = plain mean).
    models : sequence of str
        Curve models tried for the reference plateaus (best by AICc), when ``reference`` is a
        DataFrame.
    reference_options : dict, optional
        :func:`build_reference` keywords (:func:`reference_options`), required when
        ``reference`` is a DataFrame.

    Returns
    -------
    pandas.DataFrame
        One row per launch and forecast week, all levels [per week]:

        * ``forecast``: the median of the predictive distribution, the point forecast that
          minimises absolute error. Its share of weeks with a sale is the launch's own sale
          frequency after its first sale, shrunk towards the reference's (beta-binomial), so a
          launch selling in fewer than half of its weeks has median 0. Whole numbers when the
          launch and the reference are counts (units, sessions).
        * ``q10``, ``q90``: the band, quantiles of the past launches' later weeks relative to the
          scale their first weeks implied, times the launch's scale.
        * ``mean``: the expected level, sum of the analogs' later levels over the sum of their
          early scales, times the launch's scale. Use it for anything that adds up over weeks
          (the stock a ramp needs): a sum of medians understates an intermittent launch.
        * ``cluster``: the reference cluster used.

        Without any usable past launch the launch's own best curve (AICc) gives the forecast and
        the mean, with its Jacobian prediction band (cluster -1).
    """
    if not isinstance(reference, ReferenceSet):
        if reference_options is None:
            raise ValueError("a DataFrame reference needs reference_options "
                             "(opsanalysis.launch.reference_options(params['launch']))")
        reference = build_reference(reference, models=models, **reference_options)
    low_name, high_name = (f"q{round(q * 100):d}" for q in quantiles)
    columns = ["unique_id", "week", "forecast", low_name, high_name, "mean", "cluster"]
    if launch_history.empty:
        return pd.DataFrame(columns=columns)
    ids, matrix = launch_matrix(launch_history)
    counts = _is_count_data(matrix) and (reference.members.empty
                                         or _is_count_data(reference.levels))
    frames = []
    for unique_id, row in zip(ids, matrix, strict=True):
        observed = row[np.isfinite(row)]
        if reference.members.empty:
            result = _forecast_own_curve(observed, int(horizon_weeks), quantiles, models,
                                         fraction, min_plateau_weeks, counts)
        else:
            result = _forecast_one(
                observed, reference, int(horizon_weeks), quantiles, own_weight_half_weeks,
                pool_weeks, recency_weeks, analogs, shape_winsor, counts, analogs_share,
                min_analogs,
            )
        week, forecast, lower, upper, mean, cluster = result
        frames.append(pd.DataFrame({
            "unique_id": unique_id, "week": week, "forecast": forecast,
            low_name: lower, high_name: upper, "mean": mean, "cluster": cluster,
        }))
    return pd.concat(frames, ignore_index=True)[columns]

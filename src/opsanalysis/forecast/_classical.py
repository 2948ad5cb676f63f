"""Classical point forecasts, vectorised across series (rows of a float matrix, NaN = missing).

Each recursion loops once over time and updates every series at once. Definitions and
initialisations follow statsforecast 2.1.1 (``models.py`` and ``src/ses.cpp``) so that, on
complete series and with the same parameters, the point forecasts agree to floating-point noise:

* SES: the level starts at the first value and is then updated with every value, including
  the first: ``level = alpha * y + (1 - alpha) * level``; the forecast is the final level.
* Croston: SES (alpha 0.1) of the positive demands and of the intervals between demands
  (first interval counted from the series start); forecast = demand level / interval level;
  a series without demand forecasts its last value. SBA multiplies by 0.95.
* TSB: SES of the demand-occurrence indicator (alpha_p) times SES of positive demands (alpha_d);
  a series of zeros forecasts 0.
* ADIDA: aggregation level = round(mean interval) (round half to even); sums of complete
  non-overlapping buckets aligned to the series end; SES with alpha chosen by golden-section
  search of the in-sample squared error on [0.1, 0.3]; forecast = level / aggregation level.
* IMAPA: ADIDA's forecast at every aggregation level 1 .. round(mean interval), averaged
  (the remainder at the series start is dropped at each level, as statsforecast does).

Missing values (censored periods) are skipped: the states carry over unchanged, intervals count
observed periods only, and ADIDA scales a bucket's observed sum up to the full bucket.
"""

from __future__ import annotations

import numpy as np

_GOLDEN_RATIO = (np.sqrt(5.0) + 1.0) / 2.0
# bracket width [alpha] at which the search stops (see golden_section_alpha)
_TOLERANCE = 1e-11


def _repeat(level: np.ndarray, horizon: int) -> np.ndarray:
    return np.repeat(level[:, None], horizon, axis=1)


def _last_observed(values: np.ndarray) -> np.ndarray:
    """Last non-missing value of each row (NaN when none)."""
    observed = ~np.isnan(values)
    last = values.shape[1] - 1 - np.argmax(observed[:, ::-1], axis=1)
    out = values[np.arange(len(values)), last]
    out[~observed.any(axis=1)] = np.nan
    return out


def naive(values: np.ndarray, horizon: int) -> np.ndarray:
    """Last observed value, repeated."""
    return _repeat(_last_observed(values), horizon)


def seasonal_naive(values: np.ndarray, horizon: int, season_length: int) -> np.ndarray:
    """Value one season ago; a missing cell takes the same season position one cycle earlier."""
    n_series, n_periods = values.shape
    season = np.full((n_series, season_length), np.nan)
    available = min(season_length, n_periods)
    season[:, season_length - available:] = values[:, n_periods - available:]
    back = 2
    while back * season_length <= n_periods and np.isnan(season).any():
        end = n_periods - (back - 1) * season_length
        older = values[:, end - season_length:end]
        season = np.where(np.isnan(season), older, season)
        back += 1
    repeats = -(-horizon // season_length)
    return np.tile(season, repeats)[:, :horizon]


def moving_average(values: np.ndarray, horizon: int, window: int) -> np.ndarray:
    """Mean of the last ``window`` observed values (censored periods are skipped, so a
    stockout at the end of the history reaches back to the days before it; a series with
    fewer observed values averages all of them)."""
    tail = values[:, -window:]
    count = (~np.isnan(tail)).sum(axis=1)
    total = np.nansum(tail, axis=1)
    # rows with censored cells in the tail: take the last `window` observed cells instead
    short = np.flatnonzero(count < min(window, values.shape[1]))
    if short.size:
        rows = values[short]
        observed = ~np.isnan(rows)
        from_end = np.cumsum(observed[:, ::-1], axis=1)[:, ::-1]  # observed cells at or after t
        kept = observed & (from_end <= window)
        total[short] = np.where(kept, rows, 0.0).sum(axis=1)
        count[short] = kept.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return _repeat(mean, horizon)


def _first_observed(values: np.ndarray) -> np.ndarray:
    """First non-missing value of each row (0 when none)."""
    observed = ~np.isnan(values)
    first = np.argmax(observed, axis=1)
    return np.where(observed.any(axis=1), values[np.arange(len(values)), first], 0.0)


def _time_major(values: np.ndarray):
    """(observed, filled) as contiguous period x series arrays: one row per time step, so each
    step of a recursion reads contiguous memory."""
    observed = ~np.isnan(values)
    return np.ascontiguousarray(observed.T), np.ascontiguousarray(np.where(observed, values,
                                                                           0.0).T)


def ses_level(values: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
    """Final SES level of each row (statsforecast initialisation); NaN cells are skipped."""
    alpha = np.broadcast_to(np.asarray(alpha, dtype=float), (len(values),))
    complement = 1.0 - alpha
    observed, filled = _time_major(values)
    level = _first_observed(values)
    for t in range(len(observed)):
        np.copyto(level, alpha * filled[t] + complement * level, where=observed[t])
    level[~observed.any(axis=0)] = np.nan
    return level


def ses(values: np.ndarray, horizon: int, alpha: float) -> np.ndarray:
    """Simple exponential smoothing with a fixed ``alpha`` [fraction]."""
    return _repeat(ses_level(values, alpha), horizon)


def _event_states(values: np.ndarray, alpha_size: float, alpha_interval: float,
                  intervals: bool = True):
    """SES of positive demand sizes and of inter-demand intervals, one pass over time.

    Returns (size level, interval level, has demand); levels follow the statsforecast SES
    initialisation on the subsequences of demand events (first value, then every value).
    """
    observed, filled = _time_major(values)
    event = observed & (filled > 0)
    seen = event.any(axis=0)
    first = np.argmax(event, axis=0)
    columns = np.arange(event.shape[1])
    size = np.where(seen, filled[first, columns], 0.0)
    # the first interval counts observed periods from the series start to the first demand
    interval = np.where(seen, np.cumsum(observed, axis=0)[first, columns], 0.0) if intervals \
        else None
    counter = np.zeros(event.shape[1])
    for t in range(len(event)):
        hit = event[t]
        np.copyto(size, alpha_size * filled[t] + (1.0 - alpha_size) * size, where=hit)
        if intervals:
            counter += observed[t]
            np.copyto(interval, alpha_interval * counter + (1.0 - alpha_interval) * interval,
                      where=hit)
            np.copyto(counter, 0.0, where=hit)
    return size, interval, seen


def croston(values: np.ndarray, horizon: int, alpha: float, debias: float = 1.0) -> np.ndarray:
    """Croston's method (``debias`` = 1: the method's definition, no correction) or its
    Syntetos-Boylan approximation (params ``forecast.sba_factor``)."""
    size, interval, seen = _event_states(values, alpha, alpha)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(interval != 0, size / np.where(interval != 0, interval, 1.0), size)
    mean = np.where(seen, mean, _last_observed(values)) * debias
    return _repeat(mean, horizon)


def tsb(values: np.ndarray, horizon: int, alpha_demand: float,
        alpha_probability: float) -> np.ndarray:
    """Teunter-Syntetos-Babai: smoothed occurrence probability x smoothed demand size."""
    occurrence = np.where(np.isnan(values), np.nan, (values != 0).astype(float))
    probability = ses_level(occurrence, alpha_probability)
    size, _, seen = _event_states(values, alpha_demand, alpha_demand, intervals=False)
    mean = np.where(seen, probability * size, 0.0)
    mean[np.isnan(probability)] = np.nan
    return _repeat(mean, horizon)


def _ses_sse(filled: np.ndarray, observed: np.ndarray | None, level0: np.ndarray,
             alpha: np.ndarray) -> np.ndarray:
    """In-sample one-step squared error of SES per series, each with its own alpha.

    ``filled`` and ``observed`` are time-major (period x series); ``observed`` None means every
    cell counts (leading cells must then hold the series' first value, so that their error is
    exactly 0). The level starts at the first observed value, so the first observation's error
    is 0 too and needs no weight. The update is written as statsforecast's
    ``alpha * y + (1 - alpha) * level`` (not ``level + alpha * error``, which rounds
    differently and can move the search by ~1e-7). The loop runs ~50 times per golden-section
    search, so it works in preallocated buffers with few array operations per step (six on
    complete data: fewer, in bulk over blocks of periods, measured slower, the blocks leaving
    the cache).
    """
    complement = 1.0 - alpha
    level = level0.copy()
    sse = np.zeros(filled.shape[1])
    error = np.empty_like(sse)
    update = np.empty_like(sse)
    for t in range(len(filled)):
        x = filled[t]
        np.subtract(x, level, out=error)
        np.multiply(alpha, x, out=update)
        if observed is None:
            level *= complement
            level += update
        else:
            error *= observed[t]
            update += complement * level
            np.copyto(level, update, where=observed[t] > 0)
        error *= error
        sse += error
    return sse


def _search_inputs(time_major: np.ndarray, first: np.ndarray | None = None):
    """What the golden-section search and the final SES level need from a time-major
    (period x series) matrix with NaN = missing: (filled, mask, observed, first value).

    ``filled`` holds the observed values, each series' first value in the cells before it
    (their error is then exactly 0) and 0 in censored cells after it; ``mask`` is None when no
    series has a censored cell after its first value, else the observed cells as floats.
    ``first``: each series' first observed period (the number of periods for none) when every
    later cell is known to be observed; the matrix is then not scanned and its cells before
    ``first`` are ignored.
    """
    n_periods, n_series = time_major.shape
    periods = np.arange(n_periods)[:, None]
    if first is None:
        observed = ~np.isnan(time_major)
        first = np.where(observed.any(axis=0), np.argmax(observed, axis=0), n_periods)
    else:
        observed = periods >= first[None, :]
    level0 = np.where(first < n_periods,
                      time_major[np.minimum(first, n_periods - 1), np.arange(n_series)], 0.0)
    before_first = periods < first[None, :]
    filled = np.where(observed, time_major, 0.0)
    np.copyto(filled, level0[None, :], where=before_first)
    mask = None if (observed | before_first).all() else observed.astype(float)
    return filled, mask, observed, level0


def _golden_section(filled: np.ndarray, mask: np.ndarray | None, level0: np.ndarray,
                    lower: float, upper: float, tolerance: float) -> np.ndarray:
    """Golden-section search of the SES alpha per series on :func:`_search_inputs`' arrays."""
    n_rows = filled.shape[1]
    a = np.full(n_rows, lower)
    b = np.full(n_rows, upper)
    c = b - (b - a) / _GOLDEN_RATIO
    d = a + (b - a) / _GOLDEN_RATIO
    fc = _ses_sse(filled, mask, level0, c)
    fd = _ses_sse(filled, mask, level0, d)
    active = np.ones(n_rows, dtype=bool)
    while True:
        active &= (np.abs(b - a) >= tolerance) & (fc != fd)
        if not active.any():
            break
        left = active & (fc < fd)
        right = active & (fd < fc)
        # left: the minimum lies in [a, d]; right: in [c, b]; the kept probe changes role
        b = np.where(left, d, b)
        a = np.where(right, c, a)
        c, d = np.where(right, d, c), np.where(left, c, d)
        fc, fd = np.where(right, fd, fc), np.where(left, fc, fd)
        c = np.where(left, b - (b - a) / _GOLDEN_RATIO, c)
        d = np.where(right, a + (b - a) / _GOLDEN_RATIO, d)
        probe = np.where(left, c, d)
        f_probe = _ses_sse(filled, mask, level0, probe)
        fc = np.where(left, f_probe, fc)
        fd = np.where(right, f_probe, fd)
    return (a + b) / 2.0


def golden_section_alpha(values: np.ndarray, lower: float, upper: float,
                         tolerance: float = _TOLERANCE) -> np.ndarray:
    """SES alpha minimising the in-sample squared error, per row (statsforecast's search).

    Golden-section search on [lower, upper] until the bracket is narrower than ``tolerance``
    or the two probes tie; rows advance together, each with its own bracket. statsforecast
    stops at 1e-12; the default 1e-11 saves five of ~54 steps and moves alpha by less than
    1e-11 (forecasts within 1e-8 even on sums of thousands of units).
    """
    filled, mask, _, level0 = _search_inputs(np.ascontiguousarray(values.T))
    return _golden_section(filled, mask, level0, lower, upper, tolerance)


def _ses_final_level(filled: np.ndarray, observed: np.ndarray, level0: np.ndarray,
                     alpha: np.ndarray) -> np.ndarray:
    """Final SES level per series of :func:`_search_inputs`' arrays, skipping unobserved
    cells (as :func:`ses_level`); NaN for a series without observations."""
    complement = 1.0 - alpha
    level = level0.copy()
    update = np.empty_like(level)
    kept = np.empty_like(level)
    for t in range(len(filled)):
        np.multiply(alpha, filled[t], out=update)
        np.multiply(complement, level, out=kept)
        update += kept
        np.copyto(level, update, where=observed[t])
    level[~observed.any(axis=0)] = np.nan
    return level


def _bucket_sums(values: np.ndarray, level: int) -> np.ndarray:
    """Sums of complete buckets of ``level`` periods aligned to the end of the grid.

    A bucket holding cells before the series' start is NaN; censored cells inside a bucket are
    replaced by the mean of the bucket's observed cells (an all-censored bucket is NaN).
    """
    n_series, n_periods = values.shape
    n_buckets = n_periods // level
    tail = values[:, n_periods - n_buckets * level:].reshape(n_series, n_buckets, level)
    count = (~np.isnan(tail)).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        sums = np.nansum(tail, axis=2) * level / count
    sums[count == 0] = np.nan
    return sums


def _aggregation_level(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """round(mean inter-demand interval), counted in observed periods from the series start
    (1 for a series without demand), and whether each series has a demand."""
    observed = ~np.isnan(values)
    event = observed & (values != 0)
    n_events = event.sum(axis=1)
    last_event = values.shape[1] - 1 - np.argmax(event[:, ::-1], axis=1)
    # observed periods up to and including the last event = sum of all intervals
    span = (observed & (np.arange(values.shape[1])[None, :] <= last_event[:, None])).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_interval = span / np.maximum(n_events, 1)
    return np.where(n_events > 0, np.round(mean_interval), 1).astype(np.int64), n_events > 0


def _level_sums(values: np.ndarray, start: np.ndarray, rows: np.ndarray, agg: int,
                prefix: tuple | None = None):
    """Bucket sums of ``rows`` at aggregation level ``agg``, time-major (bucket x row),
    buckets reaching before a series' start set to NaN (incomplete; left as they are when the
    counts are None: the caller then skips them), and the number of complete buckets per row.

    ``prefix``: time-major running totals of the observed values and counts
    (:func:`_prefix_sums`); a bucket is then a difference of two of them, read for ``rows``
    only, instead of a copy of the rows' whole history per level (IMAPA visits hundreds of
    levels). On integer unit counts the differences are exact; on fractional values they may
    differ from a direct sum in the last bits.
    """
    n_periods = values.shape[1]
    n_buckets = n_periods // agg
    if prefix is None:
        sums = np.ascontiguousarray(_bucket_sums(values[rows], agg).T)
    else:
        # bucket k runs from bounds[k] to bounds[k + 1]; consecutive buckets share a bound
        bounds = n_periods - agg * np.arange(n_buckets + 1)[::-1]
        total, count = (None if p is None else np.diff(p[np.ix_(bounds, rows)], axis=0)
                        for p in prefix)
        if count is None:  # no censored cells: the caller skips the buckets before a start
            return total * agg / float(agg), (n_periods - start[rows]) // agg
        with np.errstate(invalid="ignore", divide="ignore"):
            sums = total * agg / count
        sums[count == 0] = np.nan
    n_full = (n_periods - start[rows]) // agg
    sums[np.arange(n_buckets)[:, None] < n_buckets - n_full[None, :]] = np.nan
    return sums, n_full


def _prefix_sums(values: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Running totals, time-major ((periods + 1) x series, leading 0), of the observed values
    and of the observed counts; the counts are None when every series holds a finite value in
    every period from its start on (a complete bucket then holds exactly its level's periods).
    Summed period by period (contiguous rows), in the order of a cumulative sum."""
    n_periods = values.shape[1]
    by_period = values.T.copy()
    observed = ~np.isnan(by_period)
    complete = (np.isfinite(by_period).sum(axis=0) == n_periods - start).all()
    np.copyto(by_period, 0.0, where=~observed)
    total = np.empty((n_periods + 1, len(values)))
    total[0] = 0.0
    for t in range(n_periods):
        np.add(total[t], by_period[t], out=total[t + 1])
    if complete:
        return total, None
    count = np.zeros_like(total)
    np.cumsum(observed, axis=0, out=count[1:])
    return total, count


def _aggregated_ses(values: np.ndarray, start: np.ndarray, groups: list, lower: float,
                    upper: float, last: np.ndarray, prefix: tuple | None = None) -> np.ndarray:
    """Per-period SES forecast of bucket sums for each (rows, aggregation level) group.

    The bucket sums of all groups are right-aligned in one time-major matrix (the shorter
    sequences start later, like younger series), so a single golden-section search serves
    every row. ``last``: every series' last observed value. Returns the forecasts of all
    groups' rows, concatenated in group order, divided by their level.
    """
    blocks = [_level_sums(values, start, rows, int(agg), prefix) for rows, agg in groups]
    width = max(len(sums) for sums, _ in blocks)
    padded = np.full((width, sum(sums.shape[1] for sums, _ in blocks)), np.nan)
    offset = 0
    for sums, _ in blocks:
        padded[width - len(sums):, offset:offset + sums.shape[1]] = sums
        offset += sums.shape[1]
    n_full = np.concatenate([n_full for _, n_full in blocks])
    # complete history (no censored cell): each row's sums start its last n_full buckets
    complete = prefix is not None and prefix[1] is None
    filled, mask, observed, level0 = _search_inputs(
        padded, np.where(n_full > 0, width - n_full, width) if complete else None)
    alpha = _golden_section(filled, mask, level0, lower, upper, _TOLERANCE)
    forecast = _ses_final_level(filled, observed, level0, alpha)
    # statsforecast's edge cases: fewer than one bucket -> last value; one bucket -> its sum
    forecast = np.where(n_full == 1, padded[-1], forecast)
    forecast = np.where(n_full == 0, np.concatenate([last[rows] for rows, _ in groups]),
                        forecast)
    return forecast / np.concatenate([np.full(len(rows), agg) for rows, agg in groups])


def adida(values: np.ndarray, horizon: int, start: np.ndarray, lower: float,
          upper: float) -> np.ndarray:
    """ADIDA: SES (golden-section alpha) of bucket sums, disaggregated evenly.

    All aggregation levels share one golden-section search (:func:`_aggregated_ses`); series
    with level 1 form their own matrix, as they alone need the full length.
    """
    level, has_event = _aggregation_level(values)
    mean = np.zeros(len(values))
    last = _last_observed(values)
    for batch in (has_event & (level == 1), has_event & (level > 1)):
        groups = [(np.flatnonzero(batch & (level == agg)), agg) for agg in np.unique(level[batch])]
        if groups:
            mean[np.concatenate([rows for rows, _ in groups])] = _aggregated_ses(
                values, start, groups, lower, upper, last)
    mean[~(~np.isnan(values)).any(axis=1)] = np.nan
    return _repeat(mean, horizon)


def imapa(values: np.ndarray, horizon: int, start: np.ndarray, lower: float,
          upper: float) -> np.ndarray:
    """IMAPA: the mean over aggregation levels 1 .. round(mean interval) of ADIDA's per-period
    forecast at that level (statsforecast's definition; same alpha bounds as ADIDA).

    Levels are searched in octaves (1, 2-3, 4-7, 8-15 ...): within one, the bucket sequences
    differ in length by less than a factor of two, so right-aligning them in one matrix wastes
    at most half of it, and the time loop of a search shortens as the levels grow.
    """
    level, has_event = _aggregation_level(values)
    top = int(level[has_event].max(initial=1))
    total = np.zeros(len(values))
    prefix = _prefix_sums(values, start)
    last = _last_observed(values)
    low = 1
    while low <= top:
        groups = [(np.flatnonzero(has_event & (level >= agg)), agg)
                  for agg in range(low, min(2 * low - 1, top) + 1)]
        groups = [(rows, agg) for rows, agg in groups if len(rows)]
        if groups:
            np.add.at(total, np.concatenate([rows for rows, _ in groups]),
                      _aggregated_ses(values, start, groups, lower, upper, last, prefix))
        low *= 2
    mean = np.where(has_event, total / level, 0.0)
    mean[~(~np.isnan(values)).any(axis=1)] = np.nan
    return _repeat(mean, horizon)

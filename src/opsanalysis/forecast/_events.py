"""Retail event calendar (params ``events``) as per-period features, and the event-aware
classical path: effects of drivers (:mod:`._drivers`) and calendar events estimated across all
series and applied around any classical method (:func:`with_drivers`)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd


def event_calendar(events: dict | None, marketplace: str | None) -> pd.DataFrame:
    """Event windows that apply to one marketplace: columns ``event, start, end``.

    Entries scoped "all" apply everywhere; an entry scoped to the marketplace replaces the
    "all" entry of the same event and year there (params/defaults.yaml ``events``).
    """
    rows = pd.DataFrame((events or {}).get("calendar") or [],
                        columns=["event", "start", "end", "scope"])
    if rows.empty:
        return pd.DataFrame({"event": [], "start": pd.to_datetime([]), "end": pd.to_datetime([])})
    rows["start"] = pd.to_datetime(rows["start"])
    rows["end"] = pd.to_datetime(rows["end"])
    rows["year"] = rows["start"].dt.year
    scopes = rows["scope"].astype(str).str.split(",").apply(lambda codes: [c.strip() for c in codes])
    local = scopes.apply(lambda codes: marketplace in codes) if marketplace else scopes.apply(
        lambda codes: False)
    overridden = set(zip(rows.loc[local, "event"], rows.loc[local, "year"], strict=True))
    general = scopes.apply(lambda codes: "all" in codes)
    keep_general = general & ~pd.Series(
        [(e, y) in overridden for e, y in zip(rows["event"], rows["year"], strict=True)],
        index=rows.index)
    chosen = rows[local | keep_general]
    return chosen[["event", "start", "end"]].sort_values("start").reset_index(drop=True)


def event_features(dates: pd.DatetimeIndex, calendar: pd.DataFrame, days_before: int,
                   days_after: int, cap_days: int) -> dict[str, np.ndarray]:
    """Per event type: ``in_<event>`` (period overlaps the widened window, 0/1) and
    ``until_<event>`` (days from the period date to the next start, capped at ``cap_days``)."""
    out = {}
    period_end = dates + (dates[1] - dates[0] if len(dates) > 1 else pd.Timedelta(days=1))
    for name, windows in calendar.groupby("event"):
        lo = (windows["start"] - pd.Timedelta(days=days_before)).to_numpy()
        hi = (windows["end"] + pd.Timedelta(days=days_after)).to_numpy()
        inside = ((dates.values[:, None] <= hi[None, :])
                  & (period_end.values[:, None] > lo[None, :])).any(axis=1)
        starts = np.sort(windows["start"].to_numpy())
        nxt = np.searchsorted(starts, dates.values)
        until = np.full(len(dates), float(cap_days))
        has_next = nxt < len(starts)
        gap = (starts[np.minimum(nxt, len(starts) - 1)] - dates.values) / np.timedelta64(1, "D")
        until[has_next] = np.minimum(gap[has_next], cap_days)
        out[f"in_{name}"] = inside.astype(float)
        out[f"until_{name}"] = until
    return out


# ---------------------------------------------------------------------------------------------
# The event-aware classical path: driver and event effects around any classical method


def _centred_mean(matrix: np.ndarray, width: int, weights: np.ndarray | None = None):
    """Mean of each row over a centred window of ``width`` periods (NaN cells skipped).

    Returns the mean and the number of cells it averaged (``weights`` marks the usable cells).
    """
    usable = ~np.isnan(matrix) if weights is None else weights
    filled = np.where(usable, np.nan_to_num(matrix), 0.0)
    pad = np.zeros((len(matrix), 1))
    total = np.hstack([pad, np.cumsum(filled, axis=1)])
    count = np.hstack([pad, np.cumsum(usable, axis=1)])
    n = matrix.shape[1]
    lo = np.clip(np.arange(n) - width // 2, 0, n)
    hi = np.clip(np.arange(n) + width // 2 + 1, 0, n)
    k = count[:, hi] - count[:, lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return (total[:, hi] - total[:, lo]) / k, k


def driver_covariates(panel, horizon: int, events: dict | None) -> dict[str, np.ndarray]:
    """Covariates of the classical path, series x (periods + horizon), centred per series.

    ``log_price`` (log price), ``promotion`` (0/1), ``log_ad_budget`` (log of 1 + budget over
    the series' mean budget), each minus its mean over the history periods (an unknown cell
    counts as that mean: no effect); and per event type of the marketplace calendar
    ``in_<event>`` (the period overlaps the event's own days, without the ramp days of the
    global model).
    """
    n_periods = panel.n_periods
    width = n_periods + horizon
    out = {}
    values = panel.drivers.values
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings(
            action="ignore", category=RuntimeWarning):
        raw = {}
        if "price" in values:
            raw["log_price"] = np.log(values["price"][:, :width])
        if "promotion" in values:
            raw["promotion"] = values["promotion"][:, :width]
        if "ad_budget" in values:
            budget = values["ad_budget"][:, :width]
            scale = np.nanmean(budget[:, :n_periods], axis=1, keepdims=True)
            raw["log_ad_budget"] = np.log1p(budget / np.where(scale > 0, scale, np.nan))
        for name, matrix in raw.items():
            centre = np.nanmean(matrix[:, :n_periods], axis=1, keepdims=True)
            out[name] = np.nan_to_num(matrix - centre, nan=0.0)
    if events:
        dates = panel.dates.append(panel.future_dates(horizon))
        codes = np.array([str(u).split(":", 1)[0] if ":" in str(u) else "" for u in panel.ids])
        for code in np.unique(codes):
            flags = event_features(dates, event_calendar(events, code or None), 0, 0, 1)
            for name, by_date in flags.items():
                if name.startswith("in_") and by_date[:n_periods].any():
                    out.setdefault(name, np.zeros((len(panel.ids), width)))[codes == code] = \
                        by_date
    return out


def driver_effects(panel, covariates: dict[str, np.ndarray]) -> dict[str, float]:
    """Effects [log ratio per unit of covariate] pooled over all series of the history.

    A Poisson regression (scikit-learn ``PoissonRegressor``) of each observed period's demand
    over its local level (the mean over a centred window of ``effect_window`` periods; weights =
    level, so the loss is in units) on the covariates minus their own centred means, with the
    position in the season as a nuisance factor on daily grids. Zero effects when fewer than
    ``effect_min_rows`` periods qualify (a level from at least half a window of observed
    periods). Settings: params ``events.drivers``.
    """
    from sklearn.linear_model import PoissonRegressor

    settings = panel.drivers.settings
    names = sorted(covariates)
    zero = dict.fromkeys(names, 0.0)
    if not names:
        return zero
    n = panel.n_periods
    width = int(settings["effect_window"])
    level, count = _centred_mean(panel.values, width)
    usable = (~np.isnan(panel.values) & (count >= width / 2) & (level > 0))
    columns = []
    for name in names:
        x = covariates[name][:, :n]
        centre, _ = _centred_mean(x, width, np.ones_like(x, dtype=bool))
        columns.append((x - centre)[usable])
    if panel.freq.upper().startswith("D"):
        phase = np.broadcast_to(np.arange(n) % panel.season_length, panel.values.shape)[usable]
        columns += [(phase == k).astype(float) for k in range(1, panel.season_length)]
    design = np.column_stack(columns)
    target = panel.values[usable] / level[usable]
    weight = level[usable]
    if len(target) < settings["effect_min_rows"]:
        return zero
    step = max(1, -(-len(target) // int(settings["effect_max_rows"])))
    model = PoissonRegressor(alpha=settings["effect_ridge"], max_iter=300)
    with warnings.catch_warnings(action="ignore"):
        model.fit(design[::step], target[::step], sample_weight=weight[::step])
    return dict(zip(names, (float(c) for c in model.coef_[:len(names)]), strict=True))


def driver_factors(panel, horizon: int, events: dict | None) -> np.ndarray | None:
    """Demand factor [ratio] per series and period (history + horizon) from drivers and events.

    exp(sum of effect x covariate), clipped to params ``events.drivers.factor_bounds``; None
    when the panel carries no drivers. Effects are estimated once per panel cut (cached).
    """
    if panel.drivers is None:
        return None
    key = (panel.n_periods, horizon, len(panel.ids), hash(tuple(panel.ids)),
           None if events is None else id(events))
    cache = panel.drivers.cache
    if key not in cache:
        covariates = driver_covariates(panel, horizon, events)
        effects = driver_effects(panel, covariates)
        exponent = np.zeros((len(panel.ids), panel.n_periods + horizon))
        for name, effect in effects.items():
            exponent += effect * covariates[name]
        lo, hi = panel.drivers.settings["factor_bounds"]
        cache[key] = (np.clip(np.exp(exponent), lo, hi), effects)
    return cache[key][0]


def with_drivers(method_forecast, panel, horizon: int, events: dict | None) -> np.ndarray:
    """A classical method made driver- and event-aware.

    The history is divided by its factors (:func:`driver_factors`: promotions, price changes,
    events taken out), the method forecasts that baseline, and the forecast is multiplied by
    the factors of the forecast periods. ``method_forecast(panel)`` returns the method's
    series x horizon matrix.
    """
    factors = driver_factors(panel, horizon, events)
    n = panel.n_periods
    baseline = method_forecast(panel.with_values(panel.values / factors[:, :n]))
    return baseline * factors[:, n:n + horizon]

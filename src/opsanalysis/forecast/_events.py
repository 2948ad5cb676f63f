"""Retail event calendar (params ``events``) as per-period features."""

from __future__ import annotations

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

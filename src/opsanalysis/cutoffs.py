"""FBA inbound cut-offs of the coming peak events, and which of them an order makes or misses.

Stock sells in an event only when FBA has checked it in by the event's cut-off. The cut-off of
an event is Amazon's own recommended arrival date where params hold one
(``lead_time.arrival_cutoffs``); otherwise the rule of ``events.inbound_cutoff_rules``: the
event's first day (``events.calendar``, already resolved for the marketplace) minus
``days_before``. Each cut-off says where it comes from in ``source``.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["cutoffs_met", "event_cutoffs"]

#: How far before an event an Amazon-published arrival date may lie and still belong to it [days].
PUBLISHED_WINDOW_DAYS = 120


def _in_scope(scope: str, code: str) -> bool:
    return scope == "all" or code in {c.strip().upper() for c in scope.split(",")}


def _rules(params) -> dict:
    """Days before the event per event name; a rule naming the marketplace beats "all"."""
    code = params["marketplace"]
    rules = {}
    for rule in params["events"]["inbound_cutoff_rules"]:
        if not _in_scope(rule["scope"], code):
            continue
        if rule["event"] not in rules or rule["scope"] != "all":
            rules[rule["event"]] = rule
    return rules


def _published(params, event, start):
    """Amazon's arrival date for this event occurrence in ``lead_time.arrival_cutoffs``."""
    code = params["marketplace"]
    found = [c for c in params["lead_time"].get("arrival_cutoffs", [])
             if c["event"] == event and _in_scope(c["scope"], code)
             and pd.Timedelta(0) <= start - pd.Timestamp(c["date"])
             <= pd.Timedelta(days=PUBLISHED_WINDOW_DAYS)]
    own = [c for c in found if c["scope"] != "all"]
    return (own or found or [None])[0]


def event_cutoffs(params: dict, as_of, horizon_days: int) -> pd.DataFrame:
    """The FBA inbound cut-offs of the events starting within ``horizon_days`` after ``as_of``.

    Parameters
    ----------
    params : dict
        Loaded params (:func:`opsanalysis.params.load`): ``marketplace``, ``events.calendar``,
        ``events.inbound_cutoff_rules``, ``events.sources``, ``lead_time.arrival_cutoffs``.
    as_of : date-like
        Planning date; events starting after it count (a cut-off already past still counts:
        every order then misses it).
    horizon_days : int
        [days], e.g. params ``events.cutoff_horizon_days``.

    Returns
    -------
    DataFrame
        One row per event occurrence, by cut-off date: ``event``, ``event_start``, ``cutoff``
        (dates), ``estimated`` (bool: the event date or the cut-off is an estimate), ``source``
        (Amazon's published date, or the rule used).
    """
    as_of = pd.Timestamp(as_of).normalize()
    end = as_of + pd.Timedelta(days=horizon_days)
    rules = _rules(params)
    rule_source = params["events"].get("sources", {}).get("inbound_cutoff_rules", "")
    published_source = params["lead_time"].get("sources", {}).get("arrival_cutoffs", "")
    rows = []
    for entry in params["events"]["calendar"]:
        start = pd.Timestamp(entry["start"])
        if entry["event"] not in rules or not as_of < start <= end:
            continue
        published = _published(params, entry["event"], start)
        if published is not None:
            rows.append({"event": entry["event"], "event_start": start,
                         "cutoff": pd.Timestamp(published["date"]),
                         "estimated": bool(entry.get("estimated") or published["estimated"]),
                         "source": f"Amazon's recommended arrival date: {published_source}"})
            continue
        days = rules[entry["event"]]["days_before"]
        rows.append({"event": entry["event"], "event_start": start,
                     "cutoff": start - pd.Timedelta(days=days), "estimated": True,
                     "source": f"rule: event start - {days} days ({rule_source})"})
    columns = ["event", "event_start", "cutoff", "estimated", "source"]
    return pd.DataFrame(rows, columns=columns).sort_values(["cutoff", "event"]) \
        .reset_index(drop=True)


def cutoffs_met(arrival_dates, cutoffs: pd.DataFrame) -> pd.DataFrame:
    """For each arrival, the next event whose cut-off it makes and the events it misses.

    An arrival on the cut-off date makes it (checked in by that day).

    Parameters
    ----------
    arrival_dates : Series of datetime
        Expected FBA check-in date per order (NaT: no order).
    cutoffs : DataFrame
        From :func:`event_cutoffs`.

    Returns
    -------
    DataFrame
        Same index: ``next_cutoff_event`` and ``next_cutoff`` (the first event whose cut-off
        the arrival makes), ``cutoffs_missed`` (events whose cut-off falls before the arrival,
        ", "-joined, "" when none), ``misses_cutoff`` (bool). Empty text and NaT without an
        arrival.
    """
    arrivals = pd.to_datetime(pd.Series(arrival_dates))
    ordered = cutoffs.sort_values("cutoff")
    made_event, made_date, missed = [], [], []
    for arrival in arrivals:
        if pd.isna(arrival):
            made_event.append(""), made_date.append(pd.NaT), missed.append("")
            continue
        makes = ordered[ordered["cutoff"] >= arrival]
        made_event.append(makes["event"].iloc[0] if len(makes) else "")
        made_date.append(makes["cutoff"].iloc[0] if len(makes) else pd.NaT)
        missed.append(", ".join(ordered.loc[ordered["cutoff"] < arrival, "event"]))
    result = pd.DataFrame({"next_cutoff_event": made_event,
                           "next_cutoff": pd.to_datetime(pd.Series(made_date, dtype=object)),
                           "cutoffs_missed": missed}, index=arrivals.index)
    result["misses_cutoff"] = result["cutoffs_missed"] != ""
    return result

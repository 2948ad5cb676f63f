"""FBA inbound cut-offs of the coming peak events, and which of them an order makes or misses.

Stock sells in an event only when FBA has checked it in by the event's cut-off. The cut-off of
an event is Amazon's own recommended arrival date where params hold one
(``lead_time.arrival_cutoffs``); otherwise the rule of ``events.inbound_cutoff_rules``: the
event's first day (``events.calendar``, already resolved for the marketplace, else the fixed
rule of ``events.date_rules``) minus ``days_before``. Each cut-off says where it comes from in
``source``; an event of the window whose date params do not give for that year is *not dated*
(no date borrowed from another year).
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


def _dated_by_rule(params, event: str, year: int):
    """The event's first day in ``year`` by its fixed published rule (``events.date_rules``),
    or None when the event follows no fixed rule."""
    for rule in params["events"].get("date_rules", []):
        if rule["event"] != event:
            continue
        day = pd.Timestamp(year, rule["month"], rule["day"])
        if rule["nth"] > 0:
            day += pd.Timedelta(days=(rule["weekday"] - day.day_of_week) % 7 + 7 * (rule["nth"] - 1))
        return day + pd.Timedelta(days=rule["plus_days"])
    return None


def _usual_day(calendar, event: str, year: int):
    """The event's month and day of its latest dated year, in ``year``: only to tell whether an
    undated occurrence falls in the window, never shown as its date."""
    starts = [pd.Timestamp(e["start"]) for e in calendar if e["event"] == event]
    if not starts:
        return None
    latest = max(starts)
    return pd.Timestamp(year, latest.month, 1) + pd.Timedelta(days=latest.day - 1)


def _occurrences(params, event: str, as_of, end) -> list:
    """(start, dated, source) of the event's occurrences starting in (as_of, end]: the calendar's
    dates of each year, else the fixed rule's date, else the year's usual day, not dated."""
    calendar = params["events"]["calendar"]
    sources = params["events"].get("sources", {})
    found = []
    for year in range(as_of.year, end.year + 1):
        listed = [pd.Timestamp(e["start"]) for e in calendar
                  if e["event"] == event and pd.Timestamp(e["start"]).year == year]
        ruled = None if listed else _dated_by_rule(params, event, year)
        if listed or ruled is not None:
            source = "" if listed else f"date by rule ({sources.get('date_rules', '')})"
            found += [(start, True, source) for start in (listed or [ruled])]
            continue
        usual = _usual_day(calendar, event, year)
        if usual is not None:
            found.append((usual, False, f"not dated: params events.calendar holds no {event} "
                                        f"date for {year}"))
    return [item for item in found if as_of < item[0] <= end]


def _event_row(params, rules, event, start, source) -> dict:
    """One dated occurrence: Amazon's published arrival date, else the rule's days before."""
    published = _published(params, event, start)
    if published is not None:
        return {"cutoff": pd.Timestamp(published["date"]),
                "estimated": bool(published["estimated"]),
                "source": "Amazon's recommended arrival date: "
                          + params["lead_time"].get("sources", {}).get("arrival_cutoffs", "")}
    days = rules[event]["days_before"]
    rule_source = params["events"].get("sources", {}).get("inbound_cutoff_rules", "")
    text = f"rule: event start - {days} days ({rule_source})"
    return {"cutoff": start - pd.Timedelta(days=days), "estimated": True,
            "source": f"{text}; {source}" if source else text}


def event_cutoffs(params: dict, as_of, horizon_days: int) -> pd.DataFrame:
    """The FBA inbound cut-offs of the events starting within ``horizon_days`` after ``as_of``.

    Only the plan's own window counts: an event's date is the calendar's date for that year
    (``events.calendar``), else the date of its fixed published rule (``events.date_rules``:
    Black Friday, Christmas, Singles' Day); a year neither covers gives a row that is *not
    dated* (``dated`` False, no dates) rather than another year's date. The usual day of the
    event (its latest dated year) only decides whether an undated occurrence falls in the window.

    Parameters
    ----------
    params : dict
        Loaded params (:func:`opsanalysis.params.load`): ``marketplace``, ``events.calendar``,
        ``events.date_rules``, ``events.inbound_cutoff_rules``, ``events.sources``,
        ``lead_time.arrival_cutoffs``.
    as_of : date-like
        Planning date; events starting after it count (a cut-off already past still counts:
        every order then misses it).
    horizon_days : int
        [days], e.g. params ``events.cutoff_horizon_days``.

    Returns
    -------
    DataFrame
        One row per event occurrence, by cut-off date (not dated last, by their usual day):
        ``event``, ``event_start``, ``cutoff`` (dates; NaT when not dated), ``dated`` (bool),
        ``estimated`` (bool: the event date or the cut-off is an estimate), ``source``
        (Amazon's published date, the rule used, or why it is not dated).
    """
    as_of = pd.Timestamp(as_of).normalize()
    end = as_of + pd.Timedelta(days=horizon_days)
    rules = _rules(params)
    estimated = {(e["event"], pd.Timestamp(e["start"])): bool(e.get("estimated"))
                 for e in params["events"]["calendar"]}
    rows = []
    for event in rules:
        for start, dated, source in _occurrences(params, event, as_of, end):
            if not dated:
                rows.append({"event": event, "event_start": pd.NaT, "cutoff": pd.NaT,
                             "dated": False, "estimated": True, "source": source,
                             "_order": start - pd.Timedelta(days=rules[event]["days_before"])})
                continue
            row = _event_row(params, rules, event, start, source)
            row["estimated"] = row["estimated"] or estimated.get((event, start), False)
            rows.append({"event": event, "event_start": start, **row, "dated": True,
                         "_order": row["cutoff"]})
    columns = ["event", "event_start", "cutoff", "dated", "estimated", "source"]
    frame = pd.DataFrame(rows, columns=[*columns, "_order"])
    frame = frame.sort_values(["_order", "event"]).reset_index(drop=True)[columns]
    for column in ("event_start", "cutoff"):
        frame[column] = pd.to_datetime(frame[column])
    return frame.astype({"dated": bool, "estimated": bool})


def cutoffs_met(arrival_dates, cutoffs: pd.DataFrame) -> pd.DataFrame:
    """For each arrival, the next event whose cut-off it makes and the events it misses.

    An arrival on the cut-off date makes it (checked in by that day). Cut-offs that are not
    dated are neither made nor missed.

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
    ordered = cutoffs[cutoffs["cutoff"].notna()].sort_values("cutoff")
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
                           "next_cutoff": pd.to_datetime(pd.Series(made_date, index=arrivals.index,
                                                                    dtype=object)),
                           "cutoffs_missed": missed}, index=arrivals.index)
    result["misses_cutoff"] = result["cutoffs_missed"] != ""
    return result

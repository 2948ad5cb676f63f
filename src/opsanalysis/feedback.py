"""Seller feedback: negative feedback per week against the rule, answers, reply time, themes.

Input is the Feedback Manager download (kind ``seller_feedback``: date, rating, comments,
response, order_id ...; :mod:`opsanalysis.io.kinds_seller`). Amazon's download holds the
negative and neutral feedback (1-3 stars) of the period asked for, so the share of negative
feedback among *all* feedback cannot be read from it (the Business Report by date's
``feedback_received`` counts all of it).

What this measures, and what it does not: the seeds' rule "negative reviews at most one a week,
answered within hours" (params ``rules.negative_reviews_per_week`` and the two
``negative_review_reply_hours_*`` rules) is about *product reviews*, which rate the product on
its detail page. Seller feedback rates the order -- delivery, description, service -- and is
the part of the rule a Seller Central download can measure, one feedback per order; it is
scored against its own rule ``rules.negative_feedback_per_week`` (the same limit). Product
reviews are counted from Keepa review counts (issue 17, item 3). Amazon's download does not
date the seller's response, so the reply time is measured only from a file that has a
``response_date`` column (a day, so an upper bound in whole days); otherwise it is "not
estimated" and only the share answered is known.

Weeks run Sunday to Saturday, as in Amazon's weekly reports (:data:`opsanalysis.frames.
PANDAS_PERIODS`). Settings (``negative_max_rating``, ``themes``) come from params
``feedback``, cut by the caller.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsanalysis.frames import PANDAS_PERIODS, as_float

__all__ = [
    "OTHER_THEME",
    "comment_themes",
    "measure_negative_feedback_per_week",
    "measure_reply_hours",
    "negatives_to_answer",
    "recent_negative_feedback",
    "reply_hours",
    "share_answered",
    "theme_of",
    "weekly_negative_feedback",
]

#: Theme of a comment that holds none of the theme words.
OTHER_THEME = "other_comment"
_WEEK = PANDAS_PERIODS["W"]


def _dated(feedback: pd.DataFrame) -> pd.DataFrame:
    """The feedback with a calendar ``day`` column and a float ``stars`` column."""
    frame = feedback.copy()
    dates = pd.to_datetime(frame["date"])
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    frame["day"] = dates.dt.normalize()
    frame["stars"] = as_float(frame["rating"])
    return frame


def _answered(frame: pd.DataFrame) -> pd.Series:
    """True where the seller's response holds text."""
    if "response" not in frame:
        return pd.Series(False, index=frame.index)
    text = frame["response"].astype("string").str.strip()
    return (text.notna() & (text != "")).astype(bool)


def _negatives(feedback: pd.DataFrame, max_rating: float) -> pd.DataFrame:
    frame = _dated(feedback)
    frame = frame[frame["stars"] <= max_rating].copy()
    frame["answered"] = _answered(frame)
    return frame


def _week_start(days: pd.Series) -> pd.Series:
    return days.dt.to_period(_WEEK).dt.start_time


def _per_week(negatives: pd.DataFrame, starts: pd.DatetimeIndex) -> pd.DataFrame:
    """Negative feedback and the answered ones in each Sunday-Saturday week starting on
    ``starts`` [count]; 0 in a week without any, feedback outside those weeks left out."""
    counts = negatives.assign(week_start=_week_start(negatives["day"])).groupby(
        "week_start").agg(negative_feedback=("stars", "size"),
                          negative_answered=("answered", "sum"))
    return counts.reindex(starts, fill_value=0).astype("int64")


def _coverage(feedback: pd.DataFrame, days: pd.Series) -> tuple:
    """First and last day the download covers: its period (``attrs["period"]``, from a
    ``_YYYY-MM-DD_YYYY-MM-DD`` file name or ``periods.yaml``), else its first and last row."""
    period = feedback.attrs.get("period")
    if period:
        return pd.Timestamp(period[0]).normalize(), pd.Timestamp(period[1]).normalize()
    return days.min(), days.max()


def weekly_negative_feedback(feedback: pd.DataFrame | None, *, max_rating: float, limit: float,
                             as_of, weeks: int) -> pd.DataFrame | None:
    """Negative feedback per Sunday-Saturday week against the weekly limit.

    Parameters
    ----------
    feedback : DataFrame or None
        Kind ``seller_feedback``.
    max_rating : float
        A feedback of at most this many stars is negative [stars] (params
        ``feedback.negative_max_rating``).
    limit : float
        Negative feedback allowed per week [count] (``rules.negative_feedback_per_week.value``).
    as_of : date-like
        Last day of the latest week shown (the week holding it is the latest, even if partial).
    weeks : int
        Weeks shown [weeks].

    Returns
    -------
    DataFrame or None
        week_start, week_end [dates], negative_feedback [count], negative_answered [count],
        weekly_limit [count], over_weekly_limit (boolean); oldest week first, weeks without
        negative feedback as 0, weeks the download does not cover (its ``attrs["period"]``,
        else its first to last row) NaN / NA (not estimated). None when there is no
        feedback download (not estimated).
    """
    if feedback is None:
        return None
    negatives = _negatives(feedback, max_rating)
    last = pd.Timestamp(as_of).normalize().to_period(_WEEK).start_time
    starts = pd.date_range(end=last, periods=int(weeks), freq="7D")
    counts = _per_week(negatives, starts)
    table = pd.DataFrame({
        "week_start": starts,
        "week_end": starts + pd.Timedelta(days=6),
        "negative_feedback": counts["negative_feedback"].to_numpy(dtype="int64"),
        "negative_answered": counts["negative_answered"].to_numpy(dtype="int64"),
        "weekly_limit": float(limit)})
    first, last = _coverage(feedback, _dated(feedback)["day"])
    covered = ((table["week_end"] >= first) & (table["week_start"] <= last)).to_numpy() \
        if pd.notna(first) else np.zeros(len(table), dtype=bool)
    over = table["negative_feedback"] > table["weekly_limit"]
    for column in ("negative_feedback", "negative_answered"):
        table[column] = table[column].astype("float64").where(covered)
    table["over_weekly_limit"] = pd.array(over.where(covered), dtype="boolean")
    return table


def share_answered(feedback: pd.DataFrame | None, *, max_rating: float, start=None,
                   end=None) -> pd.DataFrame | None:
    """How many negative feedbacks carry a response, over [start, end].

    Parameters
    ----------
    feedback : DataFrame or None
        Kind ``seller_feedback``.
    max_rating : float
        [stars], as for :func:`weekly_negative_feedback`.
    start, end : date-like, optional
        First and last day (inclusive); default the whole file.

    Returns
    -------
    DataFrame or None
        One row: negative_feedback [count], negative_answered [count], share_answered [fraction, NaN
        when there is no negative feedback], median_reply_hours [hours, NaN when the file does
        not date responses]. None without a download.
    """
    if feedback is None:
        return None
    negatives = _negatives(feedback, max_rating)
    negatives = _between(negatives, start, end)
    count = len(negatives)
    answered = int(negatives["answered"].sum())
    hours = reply_hours(negatives, max_rating=max_rating)
    median = float(hours["reply_hours"].median()) if hours is not None and len(hours) else np.nan
    return pd.DataFrame({"negative_feedback": [count], "negative_answered": [answered],
                         "share_answered": [answered / count if count else np.nan],
                         "median_reply_hours": [median]})


def _between(frame: pd.DataFrame, start, end) -> pd.DataFrame:
    if start is not None:
        frame = frame[frame["day"] >= pd.Timestamp(start).normalize()]
    if end is not None:
        frame = frame[frame["day"] <= pd.Timestamp(end).normalize()]
    return frame


def reply_hours(feedback: pd.DataFrame | None, *, max_rating: float) -> pd.DataFrame | None:
    """Hours from each answered negative feedback to its response, where the file dates both.

    Amazon's Feedback Manager download has no response date; a file with a ``response_date``
    column (a day) gives an upper bound: the hours to the end of the response day.

    Parameters
    ----------
    feedback : DataFrame or None
        Kind ``seller_feedback``.
    max_rating : float
        [stars].

    Returns
    -------
    DataFrame or None
        date, order_id, reply_hours [hours, upper bound]. None when the file dates no
        response (not estimated).
    """
    if feedback is None or "response_date" not in feedback or \
            feedback["response_date"].isna().all():
        return None
    negatives = feedback if "day" in feedback else _negatives(feedback, max_rating)
    if "answered" not in negatives:
        negatives = negatives.assign(answered=_answered(negatives))
    dated = negatives[negatives["answered"] & negatives["response_date"].notna()]
    responded = pd.to_datetime(dated["response_date"]).dt.normalize() + pd.Timedelta(days=1)
    hours = (responded - dated["day"]).dt.total_seconds() / 3600
    return pd.DataFrame({"date": dated["day"].to_numpy(), "order_id": dated["order_id"].to_numpy(),
                         "reply_hours": hours.to_numpy(dtype="float64")})


def theme_of(comments: pd.Series, themes: dict) -> pd.Series:
    """The theme of each comment: the first theme (params order) one of whose words it holds.

    Parameters
    ----------
    comments : Series of str
    themes : dict
        Theme -> language -> list of words (params ``feedback.themes``); matched as
        lower-case substrings, every language's words on every comment.

    Returns
    -------
    Series of str
        Theme per comment; :data:`OTHER_THEME` when none matches or the comment is empty.
    """
    text = comments.astype("string").fillna("").str.casefold()
    result = pd.Series(OTHER_THEME, index=comments.index, dtype=object)
    undecided = pd.Series(True, index=comments.index)
    for theme, languages in themes.items():
        words = [str(word).casefold() for words in languages.values() for word in words]
        hit = pd.Series(False, index=comments.index)
        for word in words:
            hit |= text.str.contains(word, regex=False).fillna(False).astype(bool)
        chosen = hit & undecided
        result[chosen] = theme
        undecided &= ~chosen
    return result


def comment_themes(feedback: pd.DataFrame | None, *, themes: dict, max_rating: float,
                   start=None, end=None) -> pd.DataFrame | None:
    """Negative feedback grouped by the theme words of its comment.

    Parameters
    ----------
    feedback : DataFrame or None
        Kind ``seller_feedback``.
    themes : dict
        As for :func:`theme_of`.
    max_rating : float
        [stars].
    start, end : date-like, optional
        First and last day (inclusive); default the whole file.

    Returns
    -------
    DataFrame or None
        feedback_theme, negative_feedback [count], negative_share [fraction of the negative
        feedback; NaN when there is none], latest_comment (the newest comment of the theme,
        "" when the theme has none); every theme of ``themes`` in params
        order, then "other"; themes without feedback as 0. None without a download.
    """
    if feedback is None:
        return None
    negatives = _between(_negatives(feedback, max_rating), start, end)
    comments = negatives["comments"] if "comments" in negatives else \
        pd.Series("", index=negatives.index)
    negatives = negatives.assign(theme=theme_of(comments, themes),
                                 comment=comments.astype("string"))
    order = [*themes, OTHER_THEME]
    counts = negatives.groupby("theme").size().reindex(order, fill_value=0)
    latest = negatives.sort_values("day").groupby("theme")["comment"].last().reindex(order)
    total = int(counts.sum())
    return pd.DataFrame({
        "feedback_theme": order, "negative_feedback": counts.to_numpy(dtype="int64"),
        "negative_share": counts.to_numpy(dtype="float64") / total if total else np.nan,
        "latest_comment": latest.astype(object).where(latest.notna(), "").to_numpy()})


def _listed(negatives: pd.DataFrame, themes: dict | None) -> pd.DataFrame:
    columns = {"date": negatives["day"].to_numpy(),
               "order_id": negatives["order_id"].to_numpy(),
               "feedback_rating": negatives["stars"].to_numpy()}
    comments = negatives["comments"] if "comments" in negatives else \
        pd.Series("", index=negatives.index)
    if themes is not None:
        columns["feedback_theme"] = theme_of(comments, themes).to_numpy()
    columns["feedback_comments"] = comments.astype(object).to_numpy()
    columns["feedback_answered"] = negatives["answered"].to_numpy(dtype=bool)
    return pd.DataFrame(columns)


def negatives_to_answer(feedback: pd.DataFrame | None, *, max_rating: float, themes: dict,
                        as_of, top: int) -> pd.DataFrame | None:
    """The latest negative feedback without a response, newest first.

    Parameters
    ----------
    feedback : DataFrame or None
        Kind ``seller_feedback``.
    max_rating : float
        [stars].
    themes : dict
        As for :func:`theme_of`.
    as_of : date-like
        Feedback after this day is left out.
    top : int
        Rows returned [count].

    Returns
    -------
    DataFrame or None
        date, order_id, feedback_rating [stars], feedback_theme, feedback_comments,
        feedback_answered (always False). None
        without a download.
    """
    if feedback is None:
        return None
    negatives = _between(_negatives(feedback, max_rating), None, as_of)
    open_ = negatives[~negatives["answered"]].sort_values(["day", "order_id"],
                                                          ascending=[False, True])
    return _listed(open_.head(int(top)), themes).reset_index(drop=True)


def recent_negative_feedback(feedback: pd.DataFrame | None, as_of, days: int, *,
                             max_rating: float) -> pd.DataFrame | None:
    """Negative feedback of the ``days`` days up to ``as_of``, for the morning check.

    The exact comments to answer, from the Feedback Manager download; the caller falls back
    to the Business Report's daily counts (:func:`opsanalysis.morning_check.negative_feedback`)
    when this returns None.

    Parameters
    ----------
    feedback : DataFrame or None
        Kind ``seller_feedback``.
    as_of : date-like
    days : int
        Days shown [days].
    max_rating : float
        [stars].

    Returns
    -------
    DataFrame or None
        date, order_id, feedback_rating [stars], feedback_comments, feedback_answered;
        newest first, unanswered first within a day; empty when no negative feedback came in
        those days. None without a download, or when its period (``attrs["period"]``) ends
        before ``as_of`` (the caller then falls back to the Business Report).
    """
    if feedback is None:
        return None
    end = pd.Timestamp(as_of).normalize()
    period = feedback.attrs.get("period")
    if period and pd.Timestamp(period[1]).normalize() < end:
        return None  # downloaded before as_of: the latest days are unknown here
    negatives = _between(_negatives(feedback, max_rating), end - pd.Timedelta(days=days - 1),
                         end)
    negatives = negatives.sort_values(["day", "answered", "order_id"],
                                      ascending=[False, True, True])
    return _listed(negatives, None).reset_index(drop=True)


def measure_negative_feedback_per_week(feedback: pd.DataFrame | None, start, end, *,
                                       max_rating: float) -> pd.DataFrame | None:
    """The scorecard figure of ``rules.negative_feedback_per_week`` over [start, end].

    The rule allows a number of negative feedbacks *per week*, so a period is judged on its
    worst Sunday-Saturday week (weeks overlapping the period, counted on the period's days).

    Parameters
    ----------
    feedback : DataFrame or None
        Kind ``seller_feedback``.
    start, end : date-like
        First and last day of the period (inclusive).
    max_rating : float
        [stars].

    Returns
    -------
    DataFrame or None
        One row: numerator (negative feedback in the worst week) [count], denominator (1
        week), value [count per week], week_start of the worst week (the earliest on ties).
        ``attrs`` hold covered_days (days of the period between the first and the last
        feedback of the file, or the file's ``attrs["period"]``) and window_days [days]; no
        covered day gives an empty table. None without a download (no data).
    """
    if feedback is None:
        return None
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    frame = _dated(feedback)
    first, last = _coverage(feedback, frame["day"])
    covered = 0 if pd.isna(first) else max(0, (min(end, last) - max(start, first)).days + 1)
    window = (end - start).days + 1
    columns = ["numerator", "denominator", "value", "week_start"]
    if covered == 0:
        table = pd.DataFrame(columns=columns)
    else:
        negatives = _between(_negatives(feedback, max_rating), start, end)
        weeks = pd.date_range(start.to_period(_WEEK).start_time, end, freq="7D")
        counts = _per_week(negatives, weeks)["negative_feedback"]
        worst = counts.idxmax()
        table = pd.DataFrame({"numerator": [float(counts.max())], "denominator": [1.0],
                              "value": [float(counts.max())], "week_start": [worst]})
    table.attrs = {"covered_days": covered, "window_days": window}
    return table


def measure_reply_hours(feedback: pd.DataFrame | None, start, end, *,
                        max_rating: float) -> pd.DataFrame | None:
    """The scorecard figure of the ``negative_review_reply_hours_*`` rules, for seller feedback.

    Median hours to the response of the answered negative feedback received in [start, end],
    measurable only from a file that dates responses (:func:`reply_hours`).

    Parameters
    ----------
    feedback : DataFrame or None
        Kind ``seller_feedback``.
    start, end : date-like
        First and last day (inclusive).
    max_rating : float
        [stars].

    Returns
    -------
    DataFrame or None
        One row: numerator (answered negative feedback with a dated response) [count],
        denominator (negative feedback in the period) [count], value (median reply hours)
        [hours, upper bound]. None without a download or without response dates (not
        estimated), or when no response in the period is dated.
    """
    if feedback is None or "response_date" not in feedback:
        return None
    negatives = _between(_negatives(feedback, max_rating), start, end)
    hours = reply_hours(negatives, max_rating=max_rating)
    if hours is None or hours.empty:
        return None
    return pd.DataFrame({"numerator": [float(len(hours))], "denominator": [float(len(negatives))],
                         "value": [float(hours["reply_hours"].median())]})

"""The "Seller feedback" sections: negative feedback per week, answers, themes, comments to answer.

A notebook (the weekly market report) calls :func:`prepare_feedback` with its report context
and shows :func:`feedback_sections`; :func:`workbook_tables` gives the tidy tables. The morning
check shows :func:`morning_feedback_section` when the Feedback Manager download is present.
The figures come from :mod:`opsanalysis.feedback`; a folder without the download gets the
sentence saying what to download; unknown figures read "not estimated".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from opsanalysis import feedback
from opsanalysis.formats import percent_text
from opsanalysis.labels import fill, label
from opsanalysis.section import Section, SectionList, missing_input_section

__all__ = ["FeedbackView", "feedback_sections", "morning_feedback_section", "prepare_feedback",
           "workbook_tables"]

_KINDS = {"week_start": "date", "week_end": "date", "negative_feedback": "count",
          "negative_answered": "count", "weekly_limit": "count", "over_weekly_limit": "bool",
          "feedback_theme": "text", "negative_share": "percent", "latest_comment": "text",
          "date": "date", "order_id": "text", "feedback_rating": "count",
          "feedback_comments": "text", "feedback_answered": "bool", "share_answered": "percent",
          "median_reply_hours": "number"}


@dataclass
class FeedbackView:
    """What the feedback sections show, from :func:`prepare_feedback`.

    Attributes
    ----------
    language : str
    found : bool
        The folder holds a Feedback Manager download (kind ``seller_feedback``).
    weekly, answered, themes, to_answer : DataFrame or None
        :func:`.feedback.weekly_negative_feedback`, :func:`.feedback.share_answered`,
        :func:`.feedback.comment_themes`, :func:`.feedback.negatives_to_answer` (None without
        the download).
    weekly_limit : float
        params ``rules.negative_feedback_per_week.value`` [count per week].
    reply_limit : float
        params ``rules.negative_review_reply_hours_specialist.value`` [hours].
    """

    language: str
    found: bool
    weekly: pd.DataFrame | None
    answered: pd.DataFrame | None
    themes: pd.DataFrame | None
    to_answer: pd.DataFrame | None
    weekly_limit: float
    reply_limit: float


def prepare_feedback(report) -> FeedbackView:
    """Compute every figure of the feedback sections from a report context.

    Parameters
    ----------
    report : ReportContext
        Uses ``report.data`` (``seller_feedback``), ``report.params`` (``feedback``,
        ``rules.negative_feedback_per_week``, ``rules.negative_review_reply_hours_specialist``),
        ``report.as_of`` and ``report.language``.

    Returns
    -------
    FeedbackView
    """
    settings = report.params["feedback"]
    rules = report.params["rules"]
    frame = report.data.get("seller_feedback")
    if frame is not None and len(frame) == 0:
        frame = None
    stars = float(settings["negative_max_rating"])
    limit = float(rules["negative_feedback_per_week"]["value"])
    return FeedbackView(
        report.language, frame is not None,
        feedback.weekly_negative_feedback(frame, max_rating=stars, limit=limit,
                                          as_of=report.as_of, weeks=settings["weeks_shown"]),
        feedback.share_answered(frame, max_rating=stars, end=report.as_of),
        feedback.comment_themes(frame, themes=settings["themes"], max_rating=stars,
                                end=report.as_of),
        feedback.negatives_to_answer(frame, max_rating=stars, themes=settings["themes"],
                                     as_of=report.as_of, top=settings["latest_negative_shown"]),
        limit, float(rules["negative_review_reply_hours_specialist"]["value"]))


def _missing(heading: str, language: str, first: bool) -> Section:
    """Without a feedback download: the first section (weekly) names it, the others point at it."""
    return missing_input_section(heading, "feedback_missing", language, first)


def weekly_section(view: FeedbackView) -> Section:
    """Negative feedback per week against the weekly rule."""
    heading = label("feedback_weekly_title", view.language)
    if view.weekly is None:
        return _missing(heading, view.language, first=True)
    table = view.weekly
    latest = table["negative_feedback"].iloc[-1]
    finding = fill("feedback_weekly_finding", view.language,
        over=int(table["over_weekly_limit"].sum()), weeks=len(table), limit=view.weekly_limit,
        latest=label("not_estimated", view.language) if pd.isna(latest) else f"{latest:,.0f}")
    return Section(heading, finding, table, language=view.language, kinds=_KINDS,
                   sheet="feedback_weekly",
                   notes=[label("feedback_weekly_note", view.language)])


def answered_section(view: FeedbackView) -> Section:
    """Share of the negative feedback that carries a response, and the reply time if dated."""
    heading = label("feedback_answered_title", view.language)
    if view.answered is None:
        return _missing(heading, view.language, first=False)
    row = view.answered.iloc[0]
    if row["negative_feedback"] == 0:
        return Section(heading, label("feedback_none", view.language), view.answered,
                       language=view.language, kinds=_KINDS, sheet="feedback_answered")
    hours = row["median_reply_hours"]
    hours_text = label("feedback_reply_not_dated", view.language) if np.isnan(hours) else \
        fill("feedback_reply_hours_text", view.language, hours=f"{hours:,.0f}",
             limit=view.reply_limit)
    finding = fill("feedback_answered_finding", view.language,
        answered=int(row["negative_answered"]), count=int(row["negative_feedback"]),
        share=percent_text(float(row["share_answered"])), hours=hours_text)
    return Section(heading, finding, view.answered, language=view.language, kinds=_KINDS,
                   sheet="feedback_answered")


def themes_section(view: FeedbackView) -> Section:
    """Negative feedback grouped by the theme words of its comment."""
    heading = label("feedback_themes_title", view.language)
    if view.themes is None:
        return _missing(heading, view.language, first=False)
    table = view.themes
    total = int(table["negative_feedback"].sum())
    if total == 0:
        return Section(heading, label("feedback_none", view.language), table,
                       language=view.language, kinds=_KINDS, sheet="feedback_themes")
    top = table.loc[table["negative_feedback"].idxmax()]
    finding = fill("feedback_themes_finding", view.language,
        theme=label(top["feedback_theme"], view.language),
        share=percent_text(float(top["negative_share"])), count=total)
    return Section(heading, finding, table, language=view.language, kinds=_KINDS,
                   sheet="feedback_themes")


def to_answer_section(view: FeedbackView) -> Section:
    """The latest negative feedback without a response, newest first."""
    heading = label("feedback_to_answer_title", view.language)
    if view.to_answer is None:
        return _missing(heading, view.language, first=False)
    table = view.to_answer
    if table.empty:
        return Section(heading, label("feedback_all_answered", view.language), table,
                       language=view.language, kinds=_KINDS, sheet="feedback_to_answer")
    finding = fill("feedback_to_answer_finding", view.language,
        count=len(table), date=pd.Timestamp(table["date"].iloc[0]).strftime("%Y-%m-%d"))
    return Section(heading, finding, table, language=view.language, kinds=_KINDS,
                   sheet="feedback_to_answer")


def feedback_sections(view: FeedbackView) -> SectionList:
    """The four feedback sections, in report order (one notebook cell shows them all)."""
    return SectionList([weekly_section(view), answered_section(view), themes_section(view),
                        to_answer_section(view)])


def workbook_tables(view: FeedbackView) -> dict:
    """Sheet name -> tidy table (canonical columns, raw values) for the workbook."""
    tables = {"feedback_weekly": view.weekly, "feedback_answered": view.answered,
              "feedback_themes": view.themes, "feedback_to_answer": view.to_answer}
    return {sheet: table for sheet, table in tables.items() if table is not None}


def morning_feedback_section(recent: pd.DataFrame, days: int, language: str) -> Section:
    """The morning check's new negative feedback from the Feedback Manager download.

    Parameters
    ----------
    recent : DataFrame
        :func:`opsanalysis.feedback.recent_negative_feedback` (not None: without the download
        the morning check shows the Business Report's daily counts instead).
    days : int
        Days shown [days].
    language : {"en", "zh"}

    Returns
    -------
    Section
    """
    heading = label("morning_feedback_title", language)
    finding = fill("feedback_morning_finding", language,
        count=len(recent), days=days, open=int((~recent["feedback_answered"]).sum()))
    return Section(heading, finding, recent, language=language, kinds=_KINDS)

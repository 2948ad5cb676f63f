"""Seller feedback analysis and sections: known answers on hand-written feedback."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsanalysis import feedback, feedback_sections
from opsanalysis.io import read_report
from opsanalysis.labels import label

THEMES = {"late_delivery": {"en": ["late"], "de": ["spät"], "ja": ["遅"]},
          "damaged_item": {"en": ["broken"], "de": ["kaputt"], "ja": ["破損"]}}


def _frame(rows, response_dates=False):
    columns = ["date", "rating", "comments", "response", "order_id"]
    frame = pd.DataFrame(rows, columns=columns + (["response_date"] if response_dates else []))
    frame["date"] = pd.to_datetime(frame["date"])
    if response_dates:
        frame["response_date"] = pd.to_datetime(frame["response_date"])
    frame["rating"] = frame["rating"].astype("Int64")
    return frame


# Sunday 2026-10-04 .. Saturday 10-10: two negatives (one answered) and a neutral;
# week of 10-11: one negative; week of 10-18: none; 10-25: a 1-star in German, unanswered.
ROWS = [
    ("2026-10-04", 1, "Arrived late", "Sorry", "A1"),
    ("2026-10-09", 2, "broken lid", "", "A2"),
    ("2026-10-10", 3, "ok", "", "A3"),
    ("2026-10-12", 2, "rude", None, "A4"),
    ("2026-10-26", 1, "Kam kaputt und spät", "", "A5"),
]


def _covering(frame):
    frame.attrs["period"] = (pd.Timestamp("2026-09-01"), pd.Timestamp("2026-10-31"))
    return frame


def test_weekly_counts_negatives_per_sunday_week_against_the_limit():
    table = feedback.weekly_negative_feedback(_covering(_frame(ROWS)), max_rating=2, limit=1,
                                              as_of="2026-10-31", weeks=5)
    assert list(table["week_start"].dt.strftime("%m-%d")) == ["09-27", "10-04", "10-11",
                                                               "10-18", "10-25"]
    assert list(table["negative_feedback"]) == [0, 2, 1, 0, 1]
    assert list(table["negative_answered"]) == [0, 1, 0, 0, 0]
    assert list(table["over_weekly_limit"]) == [False, True, False, False, False]
    # a stricter star threshold counts only the 1-star feedback
    strict = feedback.weekly_negative_feedback(_covering(_frame(ROWS)), max_rating=1, limit=1,
                                               as_of="2026-10-31", weeks=5)
    assert list(strict["negative_feedback"]) == [0, 1, 0, 0, 1]


def test_weeks_the_download_does_not_cover_are_not_estimated():
    frame = _frame(ROWS)  # rows 10-04 .. 10-26: the week of 09-27 is before the first row
    table = feedback.weekly_negative_feedback(frame, max_rating=2, limit=1, as_of="2026-10-31",
                                              weeks=6)
    assert table["negative_feedback"].isna().tolist() == [True, True, False, False, False,
                                                          False]
    assert table["over_weekly_limit"].isna().tolist()[:2] == [True, True]
    # the download's own period (file name or periods.yaml) decides when it is known
    frame.attrs["period"] = (pd.Timestamp("2026-09-20"), pd.Timestamp("2026-10-20"))
    table = feedback.weekly_negative_feedback(frame, max_rating=2, limit=1, as_of="2026-10-31",
                                              weeks=6)
    assert table["negative_feedback"].tolist()[:5] == [0, 0, 2, 1, 0]
    assert np.isnan(table["negative_feedback"].iloc[5])
    view = feedback_sections.prepare_feedback(_Report(frame))
    assert feedback_sections.weekly_section(view).finding.endswith("latest week: not estimated.")


def test_share_answered_and_reply_time_only_when_responses_are_dated():
    result = feedback.share_answered(_frame(ROWS), max_rating=2)
    assert result.iloc[0][["negative_feedback", "negative_answered"]].tolist() == [4, 1]
    assert result["share_answered"].iloc[0] == pytest.approx(0.25)
    assert np.isnan(result["median_reply_hours"].iloc[0])
    dated = _frame([(*row, "2026-10-05" if row[4] == "A1" else None) for row in ROWS],
                   response_dates=True)
    # feedback on 10-04, answered on 10-05: at most 48 hours (to the end of the reply day)
    assert feedback.share_answered(dated, max_rating=2)["median_reply_hours"].iloc[0] == 48
    measured = feedback.measure_reply_hours(dated, "2026-10-01", "2026-10-31", max_rating=2)
    assert measured.iloc[0].tolist() == [1.0, 4.0, 48.0]
    assert feedback.measure_reply_hours(_frame(ROWS), "2026-10-01", "2026-10-31",
                                        max_rating=2) is None
    assert feedback.share_answered(None, max_rating=2) is None


def test_themes_take_the_first_matching_theme_in_params_order():
    table = feedback.comment_themes(_frame(ROWS), themes=THEMES, max_rating=2)
    assert list(table["feedback_theme"]) == ["late_delivery", "damaged_item", "other_comment"]
    # "Kam kaputt und spät" holds both words: the first theme (late_delivery) takes it
    assert list(table["negative_feedback"]) == [2, 1, 1]
    assert table["negative_share"].tolist() == pytest.approx([0.5, 0.25, 0.25])
    assert table["latest_comment"].tolist() == ["Kam kaputt und spät", "broken lid", "rude"]
    assert feedback.theme_of(pd.Series(["配送が遅い", None]), THEMES).tolist() == [
        "late_delivery", "other_comment"]


def test_comments_to_answer_and_the_morning_list():
    open_ = feedback.negatives_to_answer(_frame(ROWS), max_rating=2, themes=THEMES,
                                         as_of="2026-10-31", top=10)
    assert list(open_["order_id"]) == ["A5", "A4", "A2"]
    assert not open_["feedback_answered"].any()
    recent = feedback.recent_negative_feedback(_frame(ROWS), "2026-10-12", 9, max_rating=2)
    assert list(recent["order_id"]) == ["A4", "A2", "A1"]
    assert list(recent["feedback_answered"]) == [False, False, True]
    assert feedback.recent_negative_feedback(None, "2026-10-12", 9, max_rating=2) is None
    # a download whose period ends before the day checked does not know the latest days
    old = _frame(ROWS)
    old.attrs["period"] = (pd.Timestamp("2026-09-01"), pd.Timestamp("2026-10-11"))
    assert feedback.recent_negative_feedback(old, "2026-10-12", 9, max_rating=2) is None
    assert len(feedback.recent_negative_feedback(old, "2026-10-11", 9, max_rating=2)) == 2


def test_scorecard_measure_takes_the_worst_week_and_its_coverage():
    frame = _frame(ROWS)
    measured = feedback.measure_negative_feedback_per_week(frame, "2026-10-01", "2026-10-31",
                                                           max_rating=2)
    assert measured[["numerator", "denominator", "value"]].iloc[0].tolist() == [2.0, 1.0, 2.0]
    assert measured["week_start"].iloc[0] == pd.Timestamp("2026-10-04")
    # the file's rows run 10-04 .. 10-26: 23 of the 31 days of October are covered
    assert measured.attrs == {"covered_days": 23, "window_days": 31}
    later = feedback.measure_negative_feedback_per_week(frame, "2026-11-01", "2026-11-30",
                                                        max_rating=2)
    assert later.empty and later.attrs["covered_days"] == 0
    frame.attrs["period"] = (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-30"))
    november = feedback.measure_negative_feedback_per_week(frame, "2026-11-01", "2026-11-30",
                                                           max_rating=2)
    assert november["value"].iloc[0] == 0.0 and november.attrs["covered_days"] == 30


def test_reader_reads_the_six_and_nine_column_layouts(tmp_path):
    nine = tmp_path / "nine.txt"
    nine.write_text("Date\tRating\tComments\tYour Response\tArrived on Time\tItem as Described"
                    "\tCustomer Service\tOrder ID\tRater Email\n"
                    "31.10.2026\t1\tKam kaputt\t\tYes\tNo\tNo\t302-1234567-1234567\tx@y.de\n",
                    encoding="utf-8")
    frame = read_report(nine, marketplace="DE")
    assert frame.attrs["kind"] == "seller_feedback"
    assert frame["date"].iloc[0] == pd.Timestamp("2026-10-31")
    assert frame["rating"].iloc[0] == 1 and frame["item_as_described"].iloc[0] == "No"
    six = tmp_path / "six.txt"
    six.write_text("Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n"
                   "10/30/26\t2\tlate\tSorry\t111-1234567-1234567\tx@y.com\n", encoding="utf-8")
    frame = read_report(six, marketplace="US")
    assert frame["date"].iloc[0] == pd.Timestamp("2026-10-30")
    assert frame["response"].iloc[0] == "Sorry"


class _Report:
    def __init__(self, frame, language="en"):
        self.data = {"seller_feedback": frame} if frame is not None else {}
        self.as_of = pd.Timestamp("2026-10-31")
        self.language = language
        self.params = {
            "feedback": {"negative_max_rating": 2, "weeks_shown": 5,
                         "latest_negative_shown": 2, "themes": THEMES},
            "rules": {"negative_feedback_per_week": {"value": 1},
                      "negative_review_reply_hours_specialist": {"value": 24}}}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_sections_state_the_findings_and_what_to_download(language):
    view = feedback_sections.prepare_feedback(_Report(_frame(ROWS), language))
    weekly, answered, themes, to_answer = feedback_sections.feedback_sections(view)
    if language == "en":
        assert weekly.finding == ("1 of the last 5 weeks had more negative feedback than the "
                                  "rule allows (1 a week); latest week: 1.")
        assert answered.finding.startswith("1 of 4 negative feedback in the file carry a "
                                           "response (25.0%); the reply time is not estimated")
        assert themes.finding == ("Most negative feedback is about late or missing delivery "
                                  "(50.0% of 4).")
        assert to_answer.finding == ("2 negative feedback without a response; the newest is "
                                     "from 2026-10-26.")
    assert "late_delivery" not in themes.check_text()
    assert len(to_answer.table) == 2
    assert set(feedback_sections.workbook_tables(view)) == {
        "feedback_weekly", "feedback_answered", "feedback_themes", "feedback_to_answer"}
    missing = feedback_sections.prepare_feedback(_Report(None, language))
    shown = feedback_sections.feedback_sections(missing)
    assert all(section.table is None for section in shown)
    assert shown[0].finding == label("feedback_missing", language)  # names the download once
    assert [s.finding for s in shown[1:]] == [label("needs_download_named_above", language)] * 3
    assert feedback_sections.workbook_tables(missing) == {}


def test_morning_section_counts_the_open_feedback():
    recent = feedback.recent_negative_feedback(_frame(ROWS), "2026-10-12", 9, max_rating=2)
    section = feedback_sections.morning_feedback_section(recent, 9, "en")
    assert section.finding == "3 negative feedback in the last 9 days, 2 without a response."


def test_bad_feedback_files_name_file_row_column_and_expectation(tmp_path):
    from opsanalysis.io.errors import MissingColumnError, ValueParseError

    path = tmp_path / "feedback.txt"
    path.write_text("Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n"
                    "10/30/26\tfive\tlate\t\t111-1234567-1234567\tx@y.com\n", encoding="utf-8")
    with pytest.raises(ValueParseError, match=r"row 2, column 'Rating'.*'five'.*whole number"):
        read_report(path, marketplace="US")
    path.write_text("Date\tRating\tComments\tResponse\tRater Email\n"
                    "10/30/26\t1\tlate\t\tx@y.com\n", encoding="utf-8")
    with pytest.raises(MissingColumnError, match="seller_feedback.*'Order ID'"):
        read_report(path, marketplace="US")

"""Report context: report date from the data, language check, the batch's data cache."""

import pandas as pd
import pytest

from opsanalysis import report_context


class _Data:
    """Stands in for MarketplaceData: only ``summary`` is read."""

    def __init__(self, period_end):
        self.summary = pd.DataFrame({"file": ["a.csv", "b.csv"], "period_end": period_end})


def test_last_data_date_is_the_latest_period_end_at_midnight():
    data = _Data(pd.to_datetime(["2026-11-20 13:00", "2026-11-28 23:59"]).tz_localize("Asia/Tokyo"))
    assert report_context.last_data_date(data) == pd.Timestamp("2026-11-28")
    assert report_context.last_data_date(_Data([None, None])) is None


def test_language_must_be_english_or_chinese():
    assert report_context.check_language("zh") == "zh"
    with pytest.raises(ValueError, match="language must be one of"):
        report_context.check_language("fr")


def test_data_cache_is_used_only_for_the_same_folder_and_marketplace(tmp_path):
    report_context.write_data_cache(tmp_path, "/data", "US", {"frames": 1})
    assert report_context._cached_data(str(tmp_path), "/data", "US") == {"frames": 1}
    assert report_context._cached_data(str(tmp_path), "/other", "US") is None
    assert report_context._cached_data(str(tmp_path), "/data", "UK") is None
    assert report_context._cached_data("", "/data", "US") is None
    with pytest.raises(FileExistsError):  # a run's cache is written once
        report_context.write_data_cache(tmp_path, "/data", "US", {})


class _Kinds:
    """MarketplaceData stand-in with kinds and periods per file."""

    def __init__(self, rows):
        self.summary = pd.DataFrame(rows, columns=["file", "kind", "period_end"])


def test_last_data_date_is_the_last_day_of_the_sales_data():
    data = _Kinds([("orders.txt", "all_orders", pd.Timestamp("2020-01-27 10:00", tz="UTC")),
                   ("MYI.csv", "fba_inventory", pd.Timestamp("2020-01-28")),
                   ("ads.xlsx", "sp_campaign", pd.Timestamp("2020-02-10"))])
    assert report_context.last_data_date(data) == pd.Timestamp("2020-01-27")


def test_last_data_date_without_sales_uses_any_dated_report_and_none_without_dates():
    ads = _Kinds([("st.xlsx", "sp_search_term", pd.Timestamp("2023-07-12")),
                  ("x.txt", None, pd.NaT)])
    assert report_context.last_data_date(ads) == pd.Timestamp("2023-07-12")
    assert report_context.last_data_date(_Kinds([("x.txt", None, pd.NaT)])) is None


def test_as_of_text_is_a_sentence_without_dated_data(tmp_path):
    context = report_context.ReportContext(None, None, {}, None, "en", tmp_path)
    assert context.as_of_text == "not determined: no report in the folder carries a date"
    context.as_of = pd.Timestamp("2025-07-23")
    assert context.as_of_text == "2025-07-23"


def test_warnings_are_recorded_for_the_batch(tmp_path):
    context = report_context.ReportContext(None, None, {}, None, "en", tmp_path)
    context.warn("ACOS over 13 of 30 days:\n campaign report ends 2026-10-18")
    context.warn("second")
    lines = (tmp_path / report_context.WARNINGS_FILE).read_text(encoding="utf-8").splitlines()
    assert lines == ["ACOS over 13 of 30 days: campaign report ends 2026-10-18", "second"]
    report_context.ReportContext(None, None, {}, None, "en", None).warn("no folder: ignored")


class _Read:
    """MarketplaceData stand-in for the unreadable-folder message."""

    def __init__(self, frames, unread):
        self.marketplace, self.frames = "DE", frames
        self._unread = pd.DataFrame(unread, columns=["file", "reason"])

    def unreadable_files(self):
        return self._unread


def test_unreadable_message_only_when_nothing_was_read():
    unread = [("a.txt", "row 1: no known report kind"), ("b.csv", "row 3, column 'sku': empty")]
    assert report_context.unreadable_message(_Read({"all_orders": 1}, unread)) is None
    assert report_context.unreadable_message(_Read({}, unread)) == (
        "none of the 2 file(s) of DE could be read: a.txt: row 1: no known report kind; "
        "b.csv: row 3, column 'sku': empty")
    assert report_context.unreadable_message(_Read({}, [])) == "no report files in the DE folder"


def test_the_replenishment_plan_is_computed_once_per_marketplace_folder(tmp_path, monkeypatch):
    from opsanalysis import replenishment

    calls = []

    def fake_plan(data, params, as_of):
        calls.append((params["lead"], as_of))
        return {"plan for": params["lead"]}

    monkeypatch.setattr(replenishment, "plan", fake_plan)
    as_of = pd.Timestamp("2026-10-31")
    first = report_context.ReportContext(None, None, {"lead": 70}, as_of, "en", tmp_path)
    second = report_context.ReportContext(None, None, {"lead": 70}, as_of, "en", tmp_path)
    assert first.replenishment_plan() == second.replenishment_plan() == {"plan for": 70}
    assert calls == [(70, as_of)]  # the second report read the plan the first left
    assert (tmp_path / report_context.PLAN_CACHE_NAME).is_file()
    # other params or another report date: computed again, never a stale plan
    other = report_context.ReportContext(None, None, {"lead": 35}, as_of, "en", tmp_path)
    assert other.replenishment_plan() == {"plan for": 35}
    later = report_context.ReportContext(None, None, {"lead": 35}, as_of + pd.Timedelta(days=1),
                                         "en", tmp_path)
    later.replenishment_plan()
    assert len(calls) == 3
    # without an output folder (a notebook opened by hand) nothing is kept
    report_context.ReportContext(None, None, {"lead": 70}, as_of, "en", None).replenishment_plan()
    assert len(calls) == 4

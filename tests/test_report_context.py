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


def _data(requested_kinds=None):
    from opsanalysis.io import MarketplaceData

    return MarketplaceData("US", {"fba_inventory": pd.DataFrame({"sku": ["A"]})},
                           requested_kinds=requested_kinds)


def test_data_cache_is_used_only_for_the_same_folder_and_marketplace(tmp_path):
    report_context.write_data_cache(tmp_path, "/data", "US", _data())
    path = tmp_path / report_context.DATA_CACHE_NAME
    assert report_context._cached_data(path, "/data", "US").kinds == ["fba_inventory"]
    assert report_context._cached_data(path, "/other", "US") is None
    assert report_context._cached_data(path, "/data", "UK") is None
    assert report_context._cached_data(None, "/data", "US") is None
    with pytest.raises(FileExistsError):  # a run's cache is written once
        report_context.write_data_cache(tmp_path, "/data", "US", _data())


def test_a_cache_of_some_kinds_serves_only_notebooks_that_need_no_more(tmp_path):
    """The daily batch reads only the morning check's kinds: a notebook that needs every kind
    (or another kind) must read the folder itself, never take that cache as complete."""
    report_context.write_data_cache(tmp_path, "/data", "US",
                                    _data(frozenset({"fba_inventory", "restock"})))
    path = tmp_path / report_context.DATA_CACHE_NAME
    assert report_context._cached_data(path, "/data", "US", {"restock"}) is not None
    assert report_context._cached_data(path, "/data", "US",
                                       {"fba_inventory", "restock"}) is not None
    assert report_context._cached_data(path, "/data", "US", {"restock", "all_orders"}) is None
    assert report_context._cached_data(path, "/data", "US", None) is None
    full = tmp_path / "full"
    full.mkdir()
    report_context.write_data_cache(full, "/data", "US", _data())  # read without a filter
    assert report_context._cached_data(full / report_context.DATA_CACHE_NAME, "/data", "US",
                                       {"restock"}) is not None


def test_a_kernel_reads_from_the_data_cache_only_the_kinds_it_uses(tmp_path):
    """One file per kind: listing the kinds, ``in`` and the summary read no frame; a frame is
    read on first use, once, and equals the frame written (attrs included)."""
    from opsanalysis.io import MarketplaceData

    orders = pd.DataFrame({"sku": ["A", "B"], "quantity": [1, 2]})
    orders.attrs = {"kind": "all_orders", "period": (pd.Timestamp("2026-10-01"),
                                                     pd.Timestamp("2026-10-31"))}
    restock = pd.DataFrame({"sku": ["A"], "recommended_quantity": [5]})
    summary = pd.DataFrame({"file": ["orders.txt", "restock.csv"], "status": ["ok", "ok"]})
    data = MarketplaceData("US", {"all_orders": orders, "restock": restock}, summary, ["w"])
    report_context.write_data_cache(tmp_path, "/data", "US", data)
    cached = report_context._cached_data(tmp_path / report_context.DATA_CACHE_NAME, "/data",
                                         "US")
    assert cached.kinds == ["all_orders", "restock"] and "restock" in cached
    assert cached.warnings == ["w"] and "all_orders=2, restock=1" in repr(cached)
    pd.testing.assert_frame_equal(cached.summary, summary)
    assert cached.frames.loaded_kinds() == []  # nothing read yet
    pd.testing.assert_frame_equal(cached["restock"], restock, check_exact=True)
    assert cached.frames.loaded_kinds() == ["restock"]  # only the kind used
    assert cached.get("restock") is cached["restock"]  # read once
    assert cached.get("fba_inventory") is None
    with pytest.raises(KeyError, match="no fba_inventory report"):
        cached["fba_inventory"]
    assert cached["all_orders"].attrs == orders.attrs


def test_a_data_cache_is_trusted_only_whole_and_never_overwritten(tmp_path):
    """The index is written last (a folder without it is no cache); a kind's file from another
    run's cache is refused; nothing is written over an earlier cache; removal removes it all."""
    from opsanalysis.io import MarketplaceData

    first, second = tmp_path / "first", tmp_path / "second"
    for folder, units in ((first, [1]), (second, [2])):
        folder.mkdir()
        report_context.write_data_cache(
            folder, "/data", "US", MarketplaceData("US", {"restock": pd.DataFrame({"u": units})}))
    cache = first / report_context.DATA_CACHE_NAME
    with pytest.raises(FileExistsError):
        report_context.write_data_cache(first, "/data", "US", _data())
    (cache / "restock.pickle").unlink()
    (second / report_context.DATA_CACHE_NAME / "restock.pickle").rename(cache / "restock.pickle")
    with pytest.raises(ValueError, match="not the restock data of this cache"):
        report_context._cached_data(cache, "/data", "US")["restock"]
    (cache / "index.pickle").unlink()
    assert report_context._cached_data(cache, "/data", "US") is None  # incomplete: not used
    report_context.remove_data_cache(first)
    report_context.remove_data_cache(first)  # nothing left: no error
    assert list(first.iterdir()) == []


def test_the_data_cache_gives_the_frames_of_the_folder_exactly(sample_dir, tmp_path):
    """Every kind of the sample US through the cache equals the folder's frames."""
    from opsanalysis import io

    data = io.load_marketplace(sample_dir, "US")
    report_context.write_data_cache(tmp_path, sample_dir, "US", data)
    cached = report_context._cached_data(tmp_path / report_context.DATA_CACHE_NAME,
                                         sample_dir, "US")
    assert cached.kinds == data.kinds and len(data.kinds) > 20
    for kind in data.kinds:
        pd.testing.assert_frame_equal(cached[kind], data[kind], check_exact=True)
        assert cached[kind].attrs == data[kind].attrs
    pd.testing.assert_frame_equal(cached.summary, data.summary)


def test_the_kinds_read_add_the_sales_reports_only_when_they_date_the_report():
    assert report_context.read_kinds(None, "") is None
    assert report_context.read_kinds(["restock"], "2026-10-31") == {"restock"}
    # no report date given: it is the last day of the sales reports, as in a full read
    assert report_context.read_kinds(("restock",), "") == {"restock",
                                                           *report_context.SALES_KINDS}


def test_notebook_kinds_only_when_every_notebook_declares_them():
    from opsanalysis import morning_check

    assert report_context.notebook_kinds(["/x/morning_check.ipynb"]) == set(morning_check.KINDS)
    assert report_context.notebook_kinds(["morning_check", "monthly_review"]) is None
    assert report_context.notebook_kinds([]) is None


def test_run_data_cache_is_beside_the_run_level_folder(tmp_path):
    assert report_context.run_data_cache(tmp_path / "all", "US") == \
        tmp_path / "US" / report_context.DATA_CACHE_NAME
    assert report_context.run_data_cache("", "US") is None


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
    # reports of kinds the notebook did not ask for: the folder is readable, nothing failed
    not_needed = _Read({}, [])
    not_needed.summary = pd.DataFrame({"file": ["ads.xlsx"], "kind": ["sp_search_term"],
                                       "status": ["not_needed"]})
    assert report_context.unreadable_message(not_needed) is None


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


# ---------------------------------------------------------------------------------------------
# Several marketplaces (the portfolio notebook)


def test_marketplace_codes_from_the_notebook_parameter(tmp_path):
    assert report_context.marketplace_codes("US, uk,DE,,US") == ["US", "UK", "DE"]
    assert report_context.marketplace_codes(["jp"]) == ["JP"]
    for name in ("JP", "US", "archive", "us"):
        (tmp_path / name).mkdir()
    # "" = every marketplace folder, in registry order; other folders are ignored
    assert report_context.marketplace_codes("", tmp_path) == ["US", "JP"]


def test_a_marketplace_that_fails_is_shown_failed_and_the_others_go_on(tmp_path, monkeypatch):
    for name in ("US", "UK", "JP"):
        (tmp_path / name).mkdir()
    prepared = []

    def fake_prepare(code, data_dir, params_dir, as_of, language, output_dir, kinds, cache):
        assert (kinds, cache) == (None, out.parent / code / report_context.DATA_CACHE_NAME)
        prepared.append(code)
        if code == "UK":
            raise ValueError("params/UK.yaml: unknown key")
        files = [] if code == "JP" else ["a.csv"]
        data = type("Data", (), {"frames": {"x": 1} if files else {},
                                 "unreadable_files": lambda self: pd.DataFrame(
                                     {"file": ["bad.csv"], "reason": ["not a report"]}),
                                 "marketplace": code})()
        return report_context.ReportContext(marketplace=code, data=data, params={}, as_of=None,
                                            language=language or "zh", output_dir=None)

    monkeypatch.setattr(report_context, "_prepare", fake_prepare)
    out = tmp_path / "out"
    out.mkdir()
    contexts = report_context.prepare_marketplaces("US,UK,JP,DE", tmp_path, language="",
                                                   output_dir=str(out))
    warnings = (out / report_context.WARNINGS_FILE).read_text(encoding="utf-8").splitlines()
    assert [line.split()[0] for line in warnings] == ["UK", "JP", "DE"]
    assert prepared == ["US", "UK", "JP"]  # DE has no folder: failed before loading
    assert list(contexts.contexts) == ["US"]
    assert contexts.failed["UK"] == "ValueError: params/UK.yaml: unknown key"
    assert "bad.csv: not a report" in contexts.failed["JP"]
    assert contexts.failed["DE"].startswith("FileNotFoundError: no DE folder")
    assert contexts.codes == ["US", "UK", "JP", "DE"]
    assert contexts.language == "zh"  # the first loaded marketplace's language
    contexts.output_dir = None
    assert contexts.write_tables({"t": pd.DataFrame({"a": [1]})}, "portfolio") == []


@pytest.mark.slow
def test_the_scorecard_measures_gross_margin_stability_as_the_profit_report(sample_dir):
    from opsanalysis import kpi, profit_sections

    report = report_context.prepare("US", sample_dir)
    card = report.scorecard(kpi.trailing_period(report.as_of, 30)).set_index("rule_id")
    stability = profit_sections.prepare_profit(report).stability.set_index("month")
    october, september = pd.Timestamp("2026-10-01"), pd.Timestamp("2026-09-01")
    row = card.loc["gross_margin_stability"]
    assert row["status"] in ("good", "watch", "breach")
    assert row["value"] == stability.loc[october, "margin_change"]  # the same figure
    assert row["previous"] == stability.loc[september, "margin_change"]
    assert report.gross_margins() is report.profit().stability  # computed once

"""Launch tracker report sections: what the notebook prints, on any folder."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from test_launch import AS_OF, LAUNCH, _weekly, seller  # noqa: F401 (seller: fixture)

from opsanalysis import launch_sections


class _Context:
    """The parts of a ReportContext that run_launch_tracker reads."""

    def __init__(self, frames, as_of, summary=None):
        self.data = SimpleNamespace(
            get=frames.get, summary=summary if summary is not None else pd.DataFrame(
                columns=["file", "kind", "rows", "period_start", "period_end", "status"]))
        self.params = {"launch": LAUNCH}
        self.as_of = as_of
        self.as_of_text = f"{as_of:%Y-%m-%d}" if as_of is not None else "not determined"
        self.language = "en"
        self.marketplace = SimpleNamespace(code="UK")
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


SECTIONS = ("actions_section", "launches_section", "verdicts_section", "fits_section",
            "reference_section")


def _all_text(result, context):
    shown = [getattr(launch_sections, name)(result) for name in SECTIONS]
    shown.append(launch_sections.summary_section(result, context.as_of_text))
    return "\n".join(section.check_text() + section.html() for section in shown)


@pytest.mark.parametrize("case", ["empty", "one_day", "no_launch", "no_date"])
def test_report_never_crashes_and_says_what_it_needs(case):
    one_day = pd.DataFrame({"child_asin": ["A"], "sku": ["S"], "sessions": [3],
                            "units_ordered": [1], "ordered_product_sales": [9.0],
                            "period_start": [pd.Timestamp("2025-07-23")],
                            "period_end": [pd.Timestamp("2025-07-23")]})
    starts = pd.date_range("2025-01-05", periods=30, freq="7D")
    established = _weekly("A", starts, np.full(30, 5)).assign(ordered_product_sales=50.0)
    frames, as_of = {
        "empty": ({}, pd.Timestamp("2025-07-23")),
        "one_day": ({"business_report_asin": one_day}, pd.Timestamp("2025-07-23")),
        "no_launch": ({"business_report_asin": established}, starts[-1] + pd.Timedelta(days=6)),
        "no_date": ({}, None),
    }[case]
    context = _Context(frames, as_of)
    result = launch_sections.run_launch_tracker(context)
    text = _all_text(result, context)
    assert result.need and result.need in text
    assert result.tracking.verdicts.empty and result.fits.empty
    shown = [getattr(launch_sections, name)(result) for name in SECTIONS]
    shown.append(launch_sections.summary_section(result, context.as_of_text))
    findings = [section.finding for section in shown]
    if case == "no_launch":
        # 30 covered weeks of steady sales: a launch would have shown, so "no launch" is the
        # finding (not a missing download) and the summary counts 0 launches
        assert not result.data_missing and result.need.startswith("no launch in the last 26")
        assert findings[-1].startswith("UK, as of 2025-08-02: 0 launches in the last 26 weeks")
        return
    # the download is named once, by this week's actions; the summary gives no count of
    # launches (the data cannot tell: not 0), the sections after it say "named earlier"
    assert result.data_missing and result.need.startswith("needs a Business Report")
    assert findings[0] == result.need and findings.count(result.need) == 1
    assert findings[1:] == ["Not estimated: needs the download named earlier in this report."] * 5
    for word in ("nan", "None", "NaT", "<NA>"):
        assert word not in text, (word, text)


def test_report_lines_of_a_tracked_seller_have_no_missing_markers(seller):  # noqa: F811
    context = _Context({}, AS_OF)
    tracking = seller["tracking"]
    result = launch_sections.LaunchReport(
        LAUNCH, "en", seller["launches"], seller["curves"], tracking,
        launch_sections.best_fits(tracking.curve_fits, tracking.verdicts), as_of=AS_OF,
        code="UK")
    text = _all_text(result, context)
    assert all(sku in text for sku in tracking.verdicts["sku"])
    for word in ("nan", "None", "NaT", "<NA>"):
        assert word not in text, (word, text)
    assert len(result.fits) == len(tracking.verdicts)


def _verdicts():
    """Hand-made verdicts: one of each kind, in launch order."""
    return pd.DataFrame({
        "asin": ["A1", "A2", "A3", "A4"], "sku": ["ON-1", "AHEAD-2", "LAG-3", "EARLY-4"],
        "launch_date": pd.to_datetime(["2026-05-03", "2026-06-07", "2026-07-05", "2026-10-18"]),
        "weeks_observed": [26, 21, 17, 2], "latest_value": [20.0, 41.0, 8.0, 1.0],
        "verdict": ["on_track", "ahead", "lagging", "too_early"],
        "reason": ["inside_band", "above_band", "below_band_still_ramping",
                   "fewer_weeks_than_needed"],
        "action": [LAUNCH["actions"][v] for v in ("on_track", "ahead", "lagging", "too_early")],
        "latest_level": [19.04, 32.66, 9.66, np.nan], "band_low": [15.0, 17.3, 15.24, np.nan],
        "band_high": [28.0, 30.2, 27.2, np.nan], "weeks_to_steady_state": [6.0, 22.0, 23.0, np.nan],
        "steady_state_source": ["own_curve", "reference_forecast", "reference_forecast", np.nan],
        "weeks_left_to_steady_state": [0.0, 1.0, 6.0, np.nan],
        "ramp_units": [0.0, 41.4, 140.6, np.nan]})


def test_actions_put_lagging_launches_first_with_the_seeds_guidance():
    table = launch_sections.actions_table(_verdicts(), AS_OF)
    assert table["sku"].tolist() == ["LAG-3", "AHEAD-2", "EARLY-4", "ON-1"]
    assert table["action"].tolist() == ["keep_listing_keep_auto_campaign", "check_stock_for_ramp",
                                        "keep_building_weight", "keep_listing_keep_auto_campaign"]
    assert (table["review_by"] == AS_OF + pd.Timedelta(days=7)).all()
    result = _result(_verdicts())
    text = launch_sections.actions_section(result).check_text()
    assert "Do not rewrite the title or main image" in text  # the action in words
    assert "below the past launches' 10th percentile" in text  # the reason in words
    assert "keep_listing_keep_auto_campaign" not in text
    zh = launch_sections.actions_section(_result(_verdicts(), "zh")).check_text()
    assert "不要修改标题或主图" in zh and "落后" in zh


def _result(verdicts, language="en", fits=None, reference=None):
    tracking = launch_sections._empty_tracking()
    tracking.verdicts = verdicts
    if reference is not None:
        tracking.reference = reference
    fits = fits if fits is not None else pd.DataFrame(
        columns=["unique_id", "sku", "curve_model", "status"])
    return launch_sections.LaunchReport(LAUNCH, language, pd.DataFrame(), pd.DataFrame(),
                                        tracking, fits, as_of=AS_OF, code="US")


def test_verdict_table_shows_level_against_band_and_whole_weeks():
    section = launch_sections.verdicts_section(_result(_verdicts()))
    rows = section.check_text().splitlines()[3:]
    assert rows[2].split()[:6] == ["LAG-3", "2026-07-05", "17", "8", "lagging", "9.7"]
    assert "9.7 vs 15.2 .. 27.2 " in rows[2] and " 23 " in rows[2] and " 141 " in rows[2]
    assert "EARLY-4" in rows[3] and "too early to tell  not estimated" in rows[3]
    for marker in ("nan", "None", "NaT", "<NA>", "23.0", "141.00"):
        assert marker not in section.check_text(), marker


def test_band_of_a_launch_without_category_reference_says_it_is_the_marketplaces():
    # too few past launches in its category: no verdict, and the band shown beside its level is
    # the one of all the marketplace's categories (the forecast's reference), said as such
    verdicts = _verdicts()
    verdicts.loc[0, ["verdict", "reason"]] = ["no_reference", "no_category_reference"]
    table = launch_sections.verdict_table(verdicts)
    assert table["level_vs_band"].tolist()[:3] == [
        "19.0 vs 15.0 .. 28.0 (all categories)", "32.7 vs 17.3 .. 30.2", "9.7 vs 15.2 .. 27.2"]
    zh = launch_sections.verdict_table(verdicts, "zh")["level_vs_band"].iloc[0]
    assert zh == "19.0 vs 15.0 .. 28.0（全部类目）"


def test_fit_table_says_not_identifiable_instead_of_a_raw_interval():
    fits = pd.DataFrame({
        "unique_id": ["A1", "A3"], "sku": ["ON-1", "LAG-3"], "curve_model": ["trapezoid", "bass"],
        "status": ["ok", "not_identifiable"], "plateau": [15.62, np.nan],
        "plateau_low": [14.51, np.nan], "plateau_high": [16.74, np.nan],
        "weeks_to_steady_state": [7.0, np.nan], "weeks_to_steady_state_low": [5.0, np.nan],
        "weeks_to_steady_state_high": [9.0, np.nan]})
    table = launch_sections.fit_table(fits)
    assert table.values.tolist() == [
        ["ON-1", "trapezoid", "15.6", "14.5 .. 16.7", "7", "5 .. 9"],
        ["LAG-3", "not_identifiable", "—", "—", "—", "—"]]
    text = launch_sections.fits_section(_result(_verdicts(), "zh", fits=fits)).check_text()
    assert "暂无法识别" in text and "梯形曲线" in text and "not_identifiable" not in text


def test_reference_section_table_and_chart():
    reference = pd.DataFrame({
        "asin": ["R1", "R2"], "sku": ["OLD-1", "OLD-2"], "category": ["Kitchen", "Kitchen"],
        "launch_date": pd.to_datetime(["2025-01-05", "2025-03-30"]),
        "plateau_level": [17.54, 28.9], "weeks_to_steady_state": [6.0, np.nan],
        "shape_cluster": [0, 0], "used_for": ["A1", "A1"]})
    result = _result(_verdicts(), reference=reference)
    result.curves = pd.DataFrame({"asin": ["R1", "R1", "R2", "R2"], "week": [1, 2, 1, 2],
                                  "units_ordered": [5.0, 17.0, 10.0, 29.0]})
    section = launch_sections.reference_section(result)
    rows = section.check_text().splitlines()
    assert rows[1].startswith("2 past launches")
    assert rows[3].split() == ["OLD-1", "Kitchen", "2025-01-05", "17.5", "6"]
    assert rows[4].split()[-2:] == ["not", "estimated"]
    (ax,) = section.figure.axes
    assert ax.get_ylabel() == "Share of plateau (%)"


def test_summary_counts_launches_by_verdict():
    section = launch_sections.summary_section(_result(_verdicts()), "2026-10-31")
    assert section.finding == ("US, as of 2026-10-31: 4 launches in the last 26 weeks, judged "
                               "against 0 past launches (metric: Units ordered)")
    assert section.table.values.tolist() == [["lagging", 1], ["ahead", 1], ["too_early", 1],
                                             ["on_track", 1]]


def test_launch_band_titles_are_in_the_report_language():
    bands = pd.DataFrame({"asin": "A3", "week": [1, 2, 3], "observed_level": [1.0, 2.0, 3.0],
                          "reference_q10": 1.0, "reference_q50": 2.0, "reference_q90": 3.0,
                          "forecast_level": np.nan, "forecast_level_q10": np.nan,
                          "forecast_level_q90": np.nan})
    verdicts = _verdicts().iloc[[2]]
    figure = launch_sections.launch_bands_figure(bands, verdicts, "zh", "units_ordered")
    (ax,) = figure.axes
    assert ax.get_title() == "LAG-3 · 落后"
    assert launch_sections.launch_bands_figure(bands, verdicts.iloc[:0]) is None


def test_workbook_tables_keep_the_sheets_and_open_with_the_actions():
    tables = launch_sections.workbook_tables(_result(_verdicts()))
    assert list(tables) == ["actions", "launch_verdicts", "launch_bands", "launch_reference",
                            "ramp_demand", "launch_curves", "launch_curve_fits", "launches"]
    assert tables["actions"]["sku"].iloc[0] == "LAG-3"


def test_the_need_sentences_quote_the_weeks_params_hold():
    # the tracked and quiet weeks are params (launch.tracker_weeks, launch.launch_quiet_weeks):
    # the sentences quote them, not numbers of their own
    starts = pd.date_range("2025-01-05", periods=30, freq="7D")
    established = _weekly("A", starts, np.full(30, 5)).assign(ordered_product_sales=50.0)
    context = _Context({"business_report_asin": established}, starts[-1] + pd.Timedelta(days=6))
    context.params = {"launch": {**LAUNCH, "tracker_weeks": 20, "launch_quiet_weeks": 6}}
    result = launch_sections.run_launch_tracker(context)
    assert result.need.startswith("no launch in the last 20 weeks: a launch is a first sale "
                                  "after at least 6 covered weeks")
    short = _Context({}, pd.Timestamp("2025-07-23"))
    short.params = {"launch": {**LAUNCH, "launch_quiet_weeks": 6}}
    need = launch_sections.run_launch_tracker(short).need
    assert need.startswith("needs a Business Report by ASIN by day or week, or an All Orders "
                           "report, covering at least 6 weeks before a launch; found: ")

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


def _all_lines(result, context):
    return "\n".join(launch_sections.summary_lines(result, context)
                     + launch_sections.verdict_lines(result) + launch_sections.fit_lines(result)
                     + launch_sections.reference_lines(result))


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
    text = _all_lines(result, context)
    assert result.need and result.need in text
    assert result.tracking.verdicts.empty and result.fits.empty
    for word in ("nan", "None", "NaT", "<NA>"):
        assert word not in text, (word, text)


def test_report_lines_of_a_tracked_seller_have_no_missing_markers(seller):  # noqa: F811
    context = _Context({}, AS_OF)
    tracking = seller["tracking"]
    result = launch_sections.LaunchReport(
        LAUNCH, "en", seller["launches"], seller["curves"], tracking,
        launch_sections.best_fits(tracking.curve_fits, tracking.verdicts))
    text = _all_lines(result, context)
    assert all(sku in text for sku in tracking.verdicts["sku"])
    for word in ("nan", "None", "NaT", "<NA>"):
        assert word not in text, (word, text)
    assert len(result.fits) == len(tracking.verdicts)

"""The KPI sections' text lines: coverage in words, windows, return rates by month."""

import numpy as np
import pandas as pd

from opsanalysis import kpi_sections


def test_coverage_words_full_partial_uncovered_and_snapshot():
    assert kpi_sections.coverage_words(30, 30) == kpi_sections.coverage_words(31, 30)
    assert "13" in kpi_sections.coverage_words(13, 30) and "30" in kpi_sections.coverage_words(13, 30)
    assert kpi_sections.coverage_words(0, 30) == "not covered"
    assert kpi_sections.coverage_words(np.nan, np.nan) == ""
    assert kpi_sections.coverage_words(0, 30, "zh") == "未覆盖"


def test_window_words_name_both_days():
    line = kpi_sections.window_words(pd.Timestamp("2026-10-04"), pd.Timestamp("2026-10-31"))
    assert "2026-10-04" in line and "2026-10-31" in line


def test_return_rates_text_says_not_covered_never_zero():
    table = pd.DataFrame({
        "period": pd.to_datetime(["2019-09-01", "2019-10-01"]),
        "status": ["not_covered", "measured"], "return_rate": [np.nan, 0.025],
        "returned": [np.nan, 1.0], "ordered": [np.nan, 40.0],
        "covered_days": [0, 31], "window_days": [30, 31],
    })
    lines = kpi_sections.return_rates_text(table).splitlines()
    assert lines[0].startswith("2019-09") and lines[0].endswith("not covered")
    assert "2.50%" in lines[1] and "(1 / 40;" in lines[1] and "nan" not in lines[1]

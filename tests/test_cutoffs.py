"""FBA arrival cut-offs of the plan's own next 12 months (issue 15.3): dated, derived, not dated.

The cut-offs of 2026-10-31 (Amazon's dates and the rules) are tested in ``tests/test_profit.py``.
"""

import pandas as pd
import pytest

from opsanalysis import cutoffs
from opsanalysis import params as params_module


@pytest.fixture(scope="module")
def us():
    return params_module.load("US")


def test_a_2020_plan_gets_2020_cut_offs_never_a_2025_date(us):
    table = cutoffs.event_cutoffs(us, "2020-01-27", 365).set_index("event")
    assert list(table.index) == ["prime_day", "prime_big_deal_days", "black_friday", "christmas"]
    # Black Friday 2020 by its rule: the day after the fourth Thursday of November (Nov 26)
    assert table.loc["black_friday", "event_start"] == pd.Timestamp("2020-11-27")
    assert table.loc["black_friday", "cutoff"] == pd.Timestamp("2020-10-29")  # - 29 days
    assert table.loc["christmas", "cutoff"] == pd.Timestamp("2020-12-01")  # Dec 25 - 24 days
    assert table.loc[["black_friday", "christmas"], "dated"].all()
    assert "date by rule" in table.loc["black_friday", "source"]
    # Prime Day and Prime Big Deal Days follow no fixed rule: not dated, no other year's date
    for event in ("prime_day", "prime_big_deal_days"):
        assert not table.loc[event, "dated"]
        assert pd.isna(table.loc[event, "cutoff"]) and pd.isna(table.loc[event, "event_start"])
        assert table.loc[event, "source"].startswith(f"not dated: params events.calendar "
                                                     f"holds no {event} date for 2020")
    assert (table["cutoff"].dropna().dt.year == 2020).all()


@pytest.mark.parametrize("year, black_friday", [(2019, "2019-11-29"), (2020, "2020-11-27"),
                                                (2021, "2021-11-26"), (2022, "2022-11-25"),
                                                (2030, "2030-11-29")])
def test_black_friday_by_its_published_rule(us, year, black_friday):
    assert cutoffs._dated_by_rule(us, "black_friday", year) == pd.Timestamp(black_friday)
    assert cutoffs._dated_by_rule(us, "cyber_monday", year) == \
        pd.Timestamp(black_friday) + pd.Timedelta(days=3)
    assert cutoffs._dated_by_rule(us, "christmas", year) == pd.Timestamp(year, 12, 25)
    assert cutoffs._dated_by_rule(us, "prime_day", year) is None


def test_the_rule_agrees_with_the_calendar_where_both_date_it(us):
    listed = {pd.Timestamp(e["start"]).year: pd.Timestamp(e["start"])
              for e in us["events"]["calendar"] if e["event"] == "black_friday"}
    assert listed and all(cutoffs._dated_by_rule(us, "black_friday", year) == start
                          for year, start in listed.items())


def test_an_undated_cut_off_is_neither_made_nor_missed(us):
    table = cutoffs.event_cutoffs(us, "2020-01-27", 365)
    met = cutoffs.cutoffs_met(pd.Series(pd.to_datetime(["2020-03-14", "2020-11-01", None]),
                                        index=["a", "b", "c"]), table)
    assert met.loc["a", "next_cutoff_event"] == "black_friday"
    assert met.loc["a", "next_cutoff"] == pd.Timestamp("2020-10-29")
    assert met.loc["a", "cutoffs_missed"] == "" and not met.loc["a", "misses_cutoff"]
    assert met.loc["b", "cutoffs_missed"] == "black_friday"
    assert met.loc["b", "next_cutoff_event"] == "christmas"
    assert met.loc["c", "next_cutoff_event"] == "" and pd.isna(met.loc["c", "next_cutoff"])


def test_next_cut_off_date_is_set_wherever_its_event_is(us):
    """The US sample plan had ``next_cutoff`` NaT beside a ``next_cutoff_event`` (the dates
    lost their SKU index)."""
    table = cutoffs.event_cutoffs(us, "2026-10-31", 365)
    arrivals = pd.Series(pd.to_datetime(["2026-12-08", "2026-11-20", None]),
                         index=pd.Index(["HL-1", "HL-2", "HL-3"], name="sku"))
    met = cutoffs.cutoffs_met(arrivals, table)
    assert (met["next_cutoff_event"].ne("") == met["next_cutoff"].notna()).all()
    assert met.loc["HL-1", "next_cutoff"] == pd.Timestamp("2027-06-17")  # Prime Day 2027
    assert met.loc["HL-2", "next_cutoff"] == pd.Timestamp("2026-12-01")  # Christmas 2026


def test_a_year_the_calendar_lists_uses_its_date(us):
    table = cutoffs.event_cutoffs(us, "2026-10-31", 365).set_index("event")
    assert table["dated"].all()
    assert table.loc["prime_day", "event_start"] == pd.Timestamp("2027-07-13")

"""Acceptance: the KPI functions reproduce Amazon's own derived columns in real exports.

Every real file in ``../shared/amazon-report-samples`` is read with ``opsanalysis.io.read_report``;
wherever the file carries a derived column (CTR, CPC, ACOS/ACoS, ROAS/RoAS, conversion rate,
unit session percentage, session and page-view percentages), ``kpi.derive_columns`` recomputes it
from the raw columns of the same row and the two must agree within Amazon's rounding:

- half a unit of the last decimal Amazon printed (``0.62%`` -> 0.00005 as a fraction), widened
  by a tenth because Amazon rounds twice -- first to one more decimal, then to the printed one
  (CTR 0.4548 % is printed 0.46 %: 0.4548 -> 0.455 -> 0.46; seen in the campaign report) -- plus
- the rounding carried in from raw money columns printed to the cent (spend, sales): a ratio
  n / d of cent-rounded values can be off by up to r * (0.005 / |n| + 0.005 / |d|).

Where the denominator is empty we return NaN by contract; Amazon prints blank, ``0`` or ``0.00%``
there, and only those values are accepted for such rows.

Buy-box share is not derivable row by row: no report carries the featured-offer page views it is
computed from, only the share itself (our aggregate weights it by page views, tested in
test_kpi.py).
"""

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsanalysis import io, kpi

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "amazon-report-samples"
FILES = sorted(p.name for p in SAMPLES.glob("*") if p.suffix in (".csv", ".txt", ".tsv", ".xlsx")
               and p.name != "MANIFEST.tsv"
               ) if SAMPLES.is_dir() else ["(absent)"]

#: Business Reports by ASIN carry no dates; the reader needs the period, which the ratios checked
#: here do not depend on (the first file names its day, the other's period is unknown).
PERIODS = {"fs_uk_br_child_asin_2025-07-23.csv": ("2025-07-23", "2025-07-23"),
           "xvr_us_br_child_asin_2019.csv": ("2019-01-01", "2019-12-31")}

#: Raw columns printed to the cent in Amazon's exports.
MONEY = {"spend", "sales", "ordered_product_sales", "ordered_product_sales_b2b"}


@functools.cache
def read(name):
    return io.read_report(SAMPLES / name, period=PERIODS.get(name))


def printed_half_unit(values: pd.Series) -> pd.Series:
    """Largest rounding error of each value as Amazon printed it (see the module docstring)."""
    def half(value):
        if pd.isna(value):
            return np.nan
        text = f"{round(float(value), 10):.10f}".rstrip("0")
        decimals = len(text.split(".")[1]) if "." in text else 0
        # 0.5 for the printed rounding, 0.05 for the intermediate rounding before it
        return 0.55 * 10.0 ** -decimals
    return values.map(half).astype("float64")


def carried_rounding(frame, name, recomputed):
    numerator, denominator = kpi.DERIVED_COLUMNS.get(name, (None, None))
    error = pd.Series(0.0, index=frame.index)
    for column in (numerator, denominator):
        if column in MONEY and column in frame:
            error += 0.005 / kpi.as_float(frame[column]).abs()
    return (recomputed.abs() * error).fillna(0.0).replace(np.inf, 0.0)


def compare(frame, name):
    """Rows where Amazon's value and ours disagree beyond rounding (empty = all agree)."""
    ours = kpi.derive_columns(frame)[name]
    theirs = kpi.as_float(frame[name])
    tolerance = printed_half_unit(theirs) + carried_rounding(frame, name, ours) + 1e-9
    empty_denominator = ours.isna()
    ok_empty = empty_denominator & (theirs.isna() | theirs.eq(0))
    ok_value = ~empty_denominator & ((ours - theirs).abs() <= tolerance)
    bad = ~(ok_empty | ok_value)
    return frame.loc[bad].assign(ours=ours[bad], theirs=theirs[bad],
                                 tolerance=tolerance[bad]), int(ok_value.sum())


@pytest.mark.parametrize("name", FILES)
def test_derived_columns_match_amazon(amazon_samples_dir, name):
    frame = read(name)
    derived = [c for c in kpi.derive_columns(frame).columns if c in frame]
    if not derived:
        pytest.skip(f"{name} ({frame.attrs.get('kind')}) carries no derivable Amazon ratio")
    for column in derived:
        if column in kpi.SHARE_COLUMNS and frame[column].notna().sum() == 0:
            continue
        mismatches, matched = compare(frame, column)
        assert mismatches.empty, (
            f"{name}: {column} differs on {len(mismatches)} of {len(frame)} rows\n"
            f"{mismatches[['ours', 'theirs', 'tolerance']].head()}")
        if frame[column].notna().any() and kpi.as_float(frame[column]).ne(0).any():
            assert matched > 0, f"{name}: no row of {column} compared"


def test_every_file_with_derived_columns_is_covered(amazon_samples_dir):
    """The files known to carry Amazon's ratios are all read and compared above."""
    carried = {}
    for name in FILES:
        frame = read(name)
        carried[name] = sorted(c for c in kpi.derive_columns(frame).columns if c in frame)
    for name in ("xvr_us_sp_search_term_2019.xlsx", "progami_uk_sp_search_term_2023.xlsx",
                 "xvr_us_sp_campaign_daily_2019.csv", "xvr_us_console_campaigns_table_2019.csv"):
        assert {"ctr", "cpc", "acos"} <= set(carried[name]) or {"cpc", "acos"} <= set(
            carried[name]), (name, carried[name])
    assert "unit_session_percentage" in carried["fs_uk_br_child_asin_2025-07-23.csv"]
    assert "unit_session_percentage" in carried["xvr_us_br_child_asin_2019.csv"]


@pytest.mark.parametrize("name, marketplace", [
    ("xvr_us_sp_search_term_2019.xlsx", "US"), ("progami_uk_sp_search_term_2023.xlsx", "UK"),
    ("xvr_us_console_adgroup_search_terms_2019.csv", "US")])
def test_ads_analysis_runs_on_real_search_term_reports(amazon_samples_dir, name, marketplace):
    """Real exports: the actions are consistent with the raw rows they come from."""
    from opsanalysis import ads, params

    frame = read(name)
    tables = ads.analyse(frame, params.load(marketplace))
    summary = ads.summarise(frame.assign(**{c: "" for c in ("campaign_name", "ad_group_name")
                                            if c not in frame}))
    assert summary["spend"].sum() == pytest.approx(kpi.as_float(frame["spend"]).sum())
    negatives = tables["negatives"]
    assert (negatives.loc[negatives["action"] == "add_negative_exact", "orders"] == 0).all()
    harvest = tables["harvest"]
    assert (harvest["orders"] >= params.load(marketplace)["rules"]["harvest_min_orders"]["value"]
            ).all()
    assert (harvest["acos"] <= ads.target_acos(params.load(marketplace))).all()
    draft = tables["bulk_draft"]
    assert list(draft.columns) == list(ads.BULK_COLUMNS)
    assert len(draft) >= (negatives["action"] == "add_negative_exact").sum()

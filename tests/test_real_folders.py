"""Every report completes on folders a seller fills with what Amazon gives (issue 14).

The folders are built in a temporary directory from the real exports in
``../shared/amazon-report-samples`` (see ``tests/real_folders.py``) and run through
:func:`opsanalysis.batch.run`, exactly as ``opsanalysis run --data DIR`` would. Skips with the
reason where ``../shared`` is absent.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from real_folders import build_seller_folders

from opsanalysis import batch

pytestmark = pytest.mark.notebooks

# Text that must never stand where a figure belongs on a rendered page.
_MISSING_MARKERS = re.compile(r"(?<![\w-])(nan|NaN|None|<NA>|NaT)(?![\w-])")


@pytest.fixture(scope="module")
def real_runs(amazon_samples_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("seller")
    folders = build_seller_folders(amazon_samples_dir, root)
    return {name: batch.run(data_dir=folder, out_dir=root / f"reports_{name}", jobs=2,
                            progress=False)
            for name, folder in folders.items()}


def _results(real_runs):
    for name, run in real_runs.items():
        for result in run.results:
            yield name, run, result


def test_every_notebook_completes(real_runs):
    failures = [(name, r.marketplace, r.notebook_file, r.error)
                for name, _, r in _results(real_runs) if r.status not in ("ok", "ok with warnings")]
    assert not failures


def test_pages_show_no_traceback_or_missing_markers(real_runs):
    for _, run, result in _results(real_runs):
        page = (run.run_dir / result.html_file).read_text(encoding="utf-8")
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        assert "Traceback" not in text, result.html_file
        found = sorted(set(_MISSING_MARKERS.findall(text)))
        assert not found, f"{result.html_file} shows {found}"


def test_unknown_kind_is_listed_not_fatal(real_runs):
    run = real_runs["main"]
    index = run.index.read_text(encoding="utf-8")
    assert "Reimbursements_20200128.txt" in index
    overview = [r for r in run.results
                if r.marketplace == "US" and r.notebook.startswith("marketplace_overview")]
    assert overview and overview[0].status == "ok with warnings"
    page = (run.run_dir / overview[0].html_file).read_text(encoding="utf-8")
    assert "Reimbursements_20200128.txt" in page and "no known report kind" in page


def test_weekly_business_report_gives_no_gap_per_week(real_runs):
    run = real_runs["main"]
    gaps = pd.read_csv(run.run_dir / "US" / "marketplace_overview_coverage_gaps.csv",
                       encoding="utf-8-sig")
    assert not gaps.iloc[:, 0].astype(str).str.contains("business_report_date").any()


def test_as_of_is_the_last_day_of_the_sales_data(real_runs):
    import json

    manifest = json.loads(real_runs["main"].manifest.read_text(encoding="utf-8"))
    as_of = {code: item["parameters"]["as_of"] for code, item in manifest["marketplaces"].items()}
    # US: the orders end 2020-01-27 (the inventory snapshot of 01-28 is no sales data);
    # UK: the one day of its Business Report by ASIN, from the file name
    assert as_of == {"US": "2020-01-27", "UK": "2025-07-23"}


def test_marketplace_with_orders_and_inventory_gets_plan_rows(real_runs):
    run = real_runs["main"]
    plan_files = sorted((run.run_dir / "US").glob("replenishment_report*plan*.csv"))
    assert plan_files, sorted(p.name for p in (run.run_dir / "US").iterdir())
    plan = pd.read_csv(plan_files[0], encoding="utf-8-sig")
    assert len(plan) > 0

"""Batch runner: run folders, manifest, index, failures, parallel and dask runs.

Two groups:
- fast tests with a tiny synthetic notebook and synthetic marketplace folders made in tmp dirs;
- acceptance tests with the real report notebook(s) on the bundled sample: a corrupted
  marketplace fails alone, ``jobs=2`` and a dask ``LocalCluster`` produce the same tables as the
  sequential run, and a second run never changes the first.
"""

import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat
import openpyxl
import pytest

from opsanalysis import batch

PARAMETERS_CELL = """marketplace: str = "US"
data_dir: str = ""
params_dir: str = ""
as_of: str = ""
language: str = "en"
output_dir: str = ""
"""

# Test-only notebook: reads <data_dir>/<MP>/units.csv, so a broken file makes it raise.
BODY_CELL = """import pandas as pd
from pathlib import Path
from opsanalysis import export
frame = pd.read_csv(Path(data_dir) / marketplace / "units.csv")
total = frame["units"].astype(int).sum()
print(f"{marketplace} {language} {as_of or '-'} units={total}")
if output_dir:
    export.write_tables({"units": frame}, output_dir, language=language, stem="tiny")
"""


# A daily Business Report by date as Seller Central writes it: the one report of the tiny folders
# that the readers know (units.csv is a kind no reader knows: "ok with warnings").
BUSINESS_REPORT = (
    "Date,Ordered Product Sales,Units Ordered,Total Order Items,Page Views - Total,"
    "Sessions - Total,Unit Session Percentage\n"
    '11/01/2026,"$1,000.00",10,10,200,100,10.00%\n'
    "11/02/2026,$500.00,5,5,100,50,10.00%\n"
    "11/03/2026,$250.00,2,2,80,40,5.00%\n")


def write_business_report(folder):
    """A readable report in ``folder`` (a marketplace none of whose files is readable fails)."""
    (folder / "BusinessReport-11-03-26.csv").write_text(BUSINESS_REPORT, encoding="utf-8")


def _write_notebook(path, body=BODY_CELL):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    parameters = nbformat.v4.new_code_cell(PARAMETERS_CELL)
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell(body)]
    nbformat.write(notebook, str(path))
    return path


@pytest.fixture
def tiny(tmp_path):
    """Synthetic data for US and UK (+ a non-marketplace folder), a notebook, an out folder."""
    data = tmp_path / "data"
    for code, units in (("US", [1, 2, 3]), ("UK", [4, 5])):
        (data / code).mkdir(parents=True)
        (data / code / "units.csv").write_text(
            "sku,units\n" + "".join(f"S{i},{u}\n" for i, u in enumerate(units)), encoding="utf-8")
        write_business_report(data / code)
    (data / "archive").mkdir()
    (data / "us").mkdir()  # lower case is not a marketplace folder
    notebook = _write_notebook(tmp_path / "tiny.ipynb")
    return {"data": data, "notebook": notebook, "out": tmp_path / "reports"}


def _hash_tree(folder):
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(Path(folder).rglob("*")) if path.is_file()}


def test_discovery(tiny, repo_root):
    assert batch.discover_marketplaces(tiny["data"]) == ["US", "UK"]
    assert batch.resolve_data_dir("") == repo_root / "data" / "sample"
    assert batch.resolve_data_dir(str(tiny["data"])) == tiny["data"].resolve()
    found = batch.discover_notebooks(repo_root / "notebooks")
    assert found == sorted((repo_root / "notebooks").glob("*.ipynb"))
    assert batch.discover_notebooks(tiny["notebook"].parent) == [tiny["notebook"]]


def test_unknown_or_missing_marketplace_is_rejected_before_running(tiny):
    with pytest.raises(ValueError, match="no data folder"):
        batch.run(["DE"], data_dir=tiny["data"], out_dir=tiny["out"],
                  notebooks=[tiny["notebook"]], progress=False)
    with pytest.raises(KeyError, match="US"):  # unknown code lists the known ones
        batch.run(["XX"], data_dir=tiny["data"], out_dir=tiny["out"],
                  notebooks=[tiny["notebook"]], progress=False)
    assert not tiny["out"].exists() or not any(tiny["out"].iterdir())


def test_failing_marketplace_does_not_stop_the_others(tiny):
    payload = "<script>alert(1)</script>"
    (tiny["data"] / "UK" / "units.csv").write_text(f"sku,units\nS1,{payload}\n", encoding="utf-8")
    result = batch.run(data_dir=tiny["data"], out_dir=tiny["out"], notebooks=[tiny["notebook"]],
                       language="zh", progress=False)
    by_marketplace = {item.marketplace: item for item in result.results}
    assert by_marketplace["US"].status == "ok with warnings"  # units.csv is not a report
    assert by_marketplace["UK"].status == "failed"
    assert by_marketplace["UK"].error.startswith("ValueError")
    assert result.status == "partial" and result.exit_code == 1
    run_dir = result.run_dir
    assert (run_dir / batch.PARTIAL_MARKER).is_file()
    assert not (tiny["out"] / batch.LATEST_NAME).exists()  # latest only names complete runs
    # the executed notebook keeps papermill's error cell; its HTML exists too
    executed = nbformat.read(str(run_dir / "UK" / "tiny.ipynb"), as_version=4)
    assert any("papermill-error-cell-tag" in cell.metadata.get("tags", [])
               for cell in executed.cells)
    assert (run_dir / "UK" / "tiny.html").is_file()
    assert sorted(by_marketplace["US"].tables) == ["US/tiny.xlsx", "US/tiny_units.csv"]
    # index: every report with status, the message escaped (it came from the data)
    index = result.index.read_text(encoding="utf-8")
    # one status row per notebook (the dashboard above them has its own total row)
    assert len(re.findall(r'<tr class="(ok|warnings|failed)"', index)) == 2
    assert 'class="failed"' in index
    assert payload not in index and "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert 'href="US/tiny.html"' in index and 'href="UK/tiny.ipynb"' in index
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["status"] == "partial"
    statuses = {(r["marketplace"], r["status"]) for r in manifest["results"]}
    assert statuses == {("US", "ok with warnings"), ("UK", "failed")}


def test_manifest_records_versions_parameters_and_input_hashes(tiny):
    result = batch.run(["US"], data_dir=tiny["data"], out_dir=tiny["out"],
                       notebooks=[tiny["notebook"]], progress=False)
    assert result.status == "complete" and result.exit_code == 0
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    import opsanalysis

    assert manifest["package_version"] == opsanalysis.__version__
    assert "git_commit" in manifest
    assert manifest["arguments"]["marketplaces"] == ["US"]
    us = manifest["marketplaces"]["US"]
    assert us["params"]["currency"] == "USD"
    assert us["parameters"]["language"] == "en"  # from params/US.yaml
    assert set(us["parameters"]) == set(batch.STANDARD_PARAMETERS)
    hashes = {Path(item["file"]).name: item["sha256"] for item in us["inputs"]}
    data_file = tiny["data"] / "US" / "units.csv"
    assert hashes["units.csv"] == hashlib.sha256(data_file.read_bytes()).hexdigest()
    assert {"defaults.yaml", "US.yaml"} <= set(hashes)
    (item,) = manifest["results"]
    assert item["status"] == "ok with warnings" and item["error"] is None
    assert item["duration_s"] > 0 and item["warnings"][0].startswith("not read: units.csv: ")
    assert [entry["file"] for entry in us["unread_files"]] == ["units.csv"]
    assert (tiny["out"] / "latest").resolve() == result.run_dir.resolve()
    assert not (result.run_dir / batch.PARTIAL_MARKER).exists()


STATUS_CELL = """import opsanalysis as oa
report = oa.batch.prepare(marketplace, data_dir, params_dir, as_of, language, output_dir)
if marketplace == "JP":
    report.warn("sales over 3 of 30 days")
print(marketplace, report.as_of_text)
"""


def test_statuses_ok_warnings_and_failed(tmp_path):
    data = tmp_path / "data"
    for code in ("US", "UK", "JP", "DE"):
        (data / code).mkdir(parents=True)
        if code != "DE":
            write_business_report(data / code)
    for code in ("UK", "DE"):  # a kind no reader knows (a team's own notes export)
        (data / code / "Listing_Notes_20261103.txt").write_text(
            "note-author\tdate-noted\tsku\nMay\t2026-11-01\tA1\n", encoding="utf-8")
    notebook = _write_notebook(tmp_path / "status.ipynb", body=STATUS_CELL)
    result = batch.run(data_dir=data, out_dir=tmp_path / "reports", notebooks=[notebook],
                       progress=False)
    by_marketplace = {item.marketplace: item for item in result.results}
    assert by_marketplace["US"].status == "ok" and by_marketplace["US"].warnings == []
    assert by_marketplace["UK"].status == "ok with warnings"
    assert by_marketplace["UK"].warnings[0].startswith("not read: Listing_Notes_20261103.txt")
    assert by_marketplace["JP"].status == "ok with warnings"
    assert by_marketplace["JP"].warnings == ["sales over 3 of 30 days"]
    # no readable file at all: one message naming the file and why; the notebook is not run
    failed = by_marketplace["DE"]
    assert failed.status == "failed" and failed.notebook_file is None
    assert failed.error.startswith("none of the 1 file(s) of DE could be read: "
                                   "Listing_Notes_20261103.txt: ")
    assert "no known report kind" in failed.error
    assert result.status == "partial" and result.exit_code == 1
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["marketplaces"]["US"]["parameters"]["as_of"] == "2026-11-03"
    assert {r["marketplace"]: r["status"] for r in manifest["results"]} == {
        "US": "ok", "UK": "ok with warnings", "JP": "ok with warnings", "DE": "failed"}
    index = result.index.read_text(encoding="utf-8")
    assert 'class="warnings"' in index and "sales over 3 of 30 days" in index
    assert "<h2>Files not read</h2>" in index
    assert index.count("Listing_Notes_20261103.txt") >= 3  # UK, DE rows and DE's error
    assert "1 ok &middot; 2 ok with warnings &middot; 1 failed" in index


def test_warnings_fail_the_exit_code_only_when_strict(tmp_path):
    data = tmp_path / "data"
    (data / "UK").mkdir(parents=True)
    write_business_report(data / "UK")
    (data / "UK" / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    notebook = _write_notebook(tmp_path / "status.ipynb", body=STATUS_CELL)
    result = batch.run(data_dir=data, out_dir=tmp_path / "reports", notebooks=[notebook],
                       progress=False)
    assert [r.status for r in result.results] == ["ok with warnings"]
    assert result.status == "complete" and result.failed == []
    assert result.exit_code == 0 and result.exit_code_for(strict=True) == 1
    assert not (result.run_dir / batch.PARTIAL_MARKER).exists()  # warnings publish as latest
    assert (tmp_path / "reports" / "latest").resolve() == result.run_dir.resolve()


# --- acceptance on a small copy of the bundled sample with the overview notebook -------------

ACCEPTANCE_MARKETPLACES = ["US", "JP"]
# A few small files per marketplace keep each run to seconds; the notebooks' full-sample runs
# are in test_notebooks.py.
SMALL_FILES = ("BusinessReport_ByDate_*", "Manage_FBA_Inventory_*",
               "Sponsored_Products_Campaign_report_*", "Restock_Inventory_*")


def _small_sample(sample_dir, target):
    for code in ACCEPTANCE_MARKETPLACES:
        (target / code).mkdir(parents=True)
        for pattern in SMALL_FILES:
            for path in (sample_dir / code).glob(pattern):
                shutil.copy2(path, target / code / path.name)
    return target


@pytest.fixture(scope="module")
def overview_notebook():
    path = batch.notebooks_dir() / "marketplace_overview.ipynb"
    assert path.is_file()
    return [path]


@pytest.fixture(scope="module")
def sequential_run(sample_dir, tmp_path_factory, overview_notebook):
    """Sequential run of the overview for US and JP; its files hashed right after."""
    data = _small_sample(sample_dir, tmp_path_factory.mktemp("small-sample"))
    out = tmp_path_factory.mktemp("reports")
    result = batch.run(data_dir=data, out_dir=out, notebooks=overview_notebook, progress=False)
    return {"result": result, "data": data, "out": out, "hashes": _hash_tree(result.run_dir)}


def _tables(result):
    """Every table a run wrote: CSV bytes and XLSX cell values, keyed by relative path."""
    tables = {}
    for path in sorted(result.run_dir.rglob("*")):
        key = path.relative_to(result.run_dir).as_posix()
        if path.suffix == ".csv":
            tables[key] = path.read_bytes()
        elif path.suffix == ".xlsx":  # the zip holds creation times: compare the cells
            workbook = openpyxl.load_workbook(path)
            tables[key] = {name: [[cell.value for cell in row] for row in workbook[name].rows]
                           for name in workbook.sheetnames[1:]}  # 1st: names the run
    return tables


def _failures(result):
    return [(r.marketplace, r.notebook, r.error) for r in result.failed]


@pytest.mark.slow
def test_sequential_run_is_complete(sequential_run):
    result = sequential_run["result"]
    assert result.status == "complete", _failures(result)
    tables = _tables(result)
    for code in ACCEPTANCE_MARKETPLACES:
        assert f"{code}/marketplace_overview_headline_figures.csv" in tables
    assert (sequential_run["out"] / "latest").resolve() == result.run_dir.resolve()
    assert not list(result.run_dir.rglob(batch.DATA_CACHE_NAME))  # shared data removed
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert {m: v["parameters"]["as_of"] for m, v in manifest["marketplaces"].items()} == {
        "US": "2026-10-31", "JP": "2026-10-31"}
    assert manifest["marketplaces"]["JP"]["parameters"]["language"] == "zh"  # params/JP.yaml


@pytest.mark.slow
def test_parallel_jobs_produce_the_same_tables(sequential_run, overview_notebook):
    result = batch.run(data_dir=sequential_run["data"], out_dir=sequential_run["out"], jobs=2,
                       notebooks=overview_notebook, progress=False)
    assert result.status == "complete", _failures(result)
    assert _tables(result) == _tables(sequential_run["result"])
    # a second run is a second folder; the first is byte-for-byte unchanged
    assert result.run_dir != sequential_run["result"].run_dir
    assert _hash_tree(sequential_run["result"].run_dir) == sequential_run["hashes"]
    assert (sequential_run["out"] / "latest").resolve() == result.run_dir.resolve()


@pytest.mark.slow
def test_dask_scheduler_produces_the_same_tables(sequential_run, overview_notebook):
    import distributed

    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        result = batch.run(data_dir=sequential_run["data"], out_dir=sequential_run["out"],
                           scheduler=cluster.scheduler_address, notebooks=overview_notebook,
                           progress=False)
    assert result.status == "complete", _failures(result)
    assert _tables(result) == _tables(sequential_run["result"])
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["arguments"]["scheduler"].startswith("tcp://127.0.0.1:")
    assert _hash_tree(sequential_run["result"].run_dir) == sequential_run["hashes"]


@pytest.mark.slow
def test_corrupted_file_is_listed_not_fatal(sequential_run, tmp_path, overview_notebook):
    data = tmp_path / "data"
    shutil.copytree(sequential_run["data"], data)
    (report,) = (data / "JP").glob("BusinessReport_ByDate_*")
    lines = report.read_bytes().split(b"\n")
    lines[5] = lines[5].replace(b",", b",#BROKEN#", 1)  # one row with an extra cell
    report.write_bytes(b"\n".join(lines))
    out = tmp_path / "reports"
    result = batch.run(data_dir=data, out_dir=out, jobs=2, notebooks=overview_notebook,
                       progress=False)
    by_marketplace = {r.marketplace: r for r in result.results}
    assert by_marketplace["US"].status == "ok"
    assert by_marketplace["JP"].status == "ok with warnings"
    assert by_marketplace["JP"].warnings[0].startswith(f"not read: {report.name}: ")
    assert result.status == "complete" and result.exit_code == 0
    assert result.exit_code_for(strict=True) == 1
    index = result.index.read_text(encoding="utf-8")
    assert 'class="warnings"' in index and index.count(report.name) >= 2  # row and list
    # the overview lists the file with the reason
    page = (result.run_dir / by_marketplace["JP"].html_file).read_text(encoding="utf-8")
    assert report.name in page and "row 6" in page
    assert _tables(result)["US/marketplace_overview_headline_figures.csv"] == _tables(
        sequential_run["result"])["US/marketplace_overview_headline_figures.csv"]

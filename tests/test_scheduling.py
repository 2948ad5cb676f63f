"""Scheduling: what is sent to worker processes pickles; a task that cannot run is a result;
in a process pool each notebook is a job, the plan's notebooks after the plan."""

import json
import os
import pickle
from concurrent.futures import Future

import nbformat
import pytest

from opsanalysis import batch, report_context, scheduling
from opsanalysis.io.marketplace_data import read_frame_cache


def test_worker_functions_pickle_by_reference():
    for function in (scheduling.run_marketplace, scheduling.prepare_marketplace,
                     scheduling.run_notebook, scheduling.compute_plan):
        assert pickle.loads(pickle.dumps(function)) is function


def test_failed_task_is_one_failed_result_per_notebook(tmp_path):
    task = scheduling.marketplace_task("US", tmp_path, "", None,
                                       [tmp_path / "a.ipynb", tmp_path / "b.ipynb"], tmp_path)
    outcome = scheduling.failed_outcome(task, "worker failed: OSError: gone")
    assert [(r["notebook"], r["status"], r["error"]) for r in outcome["results"]] == [
        ("a", "failed", "worker failed: OSError: gone"),
        ("b", "failed", "worker failed: OSError: gone")]
    assert outcome["warnings"] == ["worker failed: OSError: gone"]


def test_a_marketplace_whose_params_fail_fails_every_notebook(tmp_path):
    (tmp_path / "data" / "US").mkdir(parents=True)
    task = scheduling.marketplace_task("US", tmp_path / "data", tmp_path / "no-params", None,
                                       [tmp_path / "a.ipynb", tmp_path / "b.ipynb"], tmp_path)
    outcome = scheduling.run_marketplace(task)  # never raises: the failure is the result
    assert [(r["notebook"], r["status"]) for r in outcome["results"]] == [
        ("a", "failed"), ("b", "failed")]
    assert all("ParamsError" in r["error"] for r in outcome["results"])
    assert outcome["parameters"] is None and (tmp_path / "US").is_dir()


NOTEBOOKS = ["launch_tracker", "marketplace_overview", "opportunity_report",
             "replenishment_report"]


def _future(value):
    future = Future()
    if isinstance(value, Exception):
        future.set_exception(value)
    else:
        future.set_result(value)
    return future


def _run(tmp_path):
    task = scheduling.marketplace_task("US", tmp_path, "", None,
                                       [tmp_path / f"{n}.ipynb" for n in NOTEBOOKS], tmp_path)
    return scheduling._MarketplaceRun(task)


def _result(name):
    return {"notebook": name, "status": "ok"}


def test_plan_first_then_independent_notebooks_then_the_plans_notebooks(tmp_path):
    run = _run(tmp_path)
    jobs = run.done("prepare", _future({"parameters": {"marketplace": "US"},
                                        "unread_files": []}))
    assert [job[0] for job in jobs] == ["plan", 0, 1]
    assert jobs[0][1:3] == (scheduling._in_own_process, scheduling.compute_plan)
    for index in (1, 0):  # finished out of order
        assert run.done(index, _future(_result(NOTEBOOKS[index]))) == []
    assert not run.finished and run.notebooks_done == 2
    # the plan's notebooks, the replenishment report (the longest) first
    assert [job[0] for job in run.done("plan", _future(None))] == [3, 2]
    run.done(3, _future(_result(NOTEBOOKS[3])))
    run.done(2, _future(RuntimeError("worker killed")))  # only this notebook fails
    assert run.finished
    assert [r["notebook"] for r in run.outcome["results"]] == NOTEBOOKS  # notebook order
    assert run.outcome["results"][2]["status"] == "failed"
    assert run.outcome["results"][2]["error"] == "worker failed: RuntimeError: worker killed"
    assert run.outcome["results"][3]["status"] == "ok"


def test_a_failed_plan_still_runs_its_notebooks(tmp_path):
    run = _run(tmp_path)
    run.done("prepare", _future({"parameters": {}, "unread_files": []}))
    assert [job[0] for job in run.done("plan", _future(OSError("no memory")))] == [3, 2]


def test_the_plans_notebooks_go_before_the_notebooks_still_waiting():
    """In the pool the jobs wait in the batch's queue: once the plan is there, its notebooks
    (the end of the marketplace's longest path) go first, in order; other jobs go last."""
    from collections import deque

    ready = deque(["overview", "tracker"])
    scheduling._enqueue(ready, "plan", ["replenishment", "opportunity"])
    scheduling._enqueue(ready, 0, ["later"])
    assert list(ready) == ["replenishment", "opportunity", "overview", "tracker", "later"]


def test_a_crashed_or_failed_preparation_fails_every_notebook_at_once(tmp_path):
    run = _run(tmp_path)
    assert run.done("prepare", _future(MemoryError("killed"))) == []
    assert run.finished and run.notebooks_done == 4
    assert {r["error"] for r in run.outcome["results"]} == {"worker failed: MemoryError: killed"}
    failed = [{"notebook": n, "status": "failed"} for n in NOTEBOOKS]
    other = _run(tmp_path)
    assert other.done("prepare", _future({"parameters": None, "results": failed})) == []
    assert other.finished and other.outcome["results"] == failed


def test_without_the_plans_notebooks_no_plan_is_computed(tmp_path):
    task = scheduling.marketplace_task("US", tmp_path, "", None, [tmp_path / "a.ipynb"], tmp_path)
    jobs = scheduling._MarketplaceRun(task).done("prepare", _future({"parameters": {},
                                                                      "unread_files": []}))
    assert [job[0] for job in jobs] == [0]


def _exit(code):
    os._exit(code)


def test_a_job_in_its_own_process_returns_raises_or_reports_its_death():
    assert scheduling._in_own_process(sum, [1, 2, 3]) == 6
    with pytest.raises(ZeroDivisionError):
        scheduling._in_own_process(divmod, 1, 0)
    with pytest.raises(RuntimeError, match="exit code 3"):
        scheduling._in_own_process(_exit, 3)


# A stand-in for the plan's notebooks: it records whether the plan was already there.
PROBE = """import json, os
from pathlib import Path
Path(output_dir, marketplace + "_probe.json").write_text(json.dumps(
    {"plan_ready": os.path.exists(os.path.join(output_dir, ".replenishment-plan.pickle")),
     "data_ready": os.path.exists(
         os.path.join(output_dir, ".marketplace-data", "index.pickle"))}))
"""


def _notebook(path, body):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    parameters = nbformat.v4.new_code_cell(
        'marketplace = "US"\ndata_dir = ""\nparams_dir = ""\nas_of = ""\nlanguage = "en"\n'
        'output_dir = ""\n')
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell(body)]
    nbformat.write(notebook, str(path))
    return path


def test_one_marketplace_in_two_processes_computes_the_plan_before_its_notebooks(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    templates = [_notebook(folder / "replenishment_report.ipynb", PROBE),
                 _notebook(folder / "launch_tracker.ipynb", "print(marketplace)")]
    result = batch.run(marketplaces=["US"], out_dir=tmp_path / "out", jobs=2,
                       notebooks=templates, progress=False)
    assert [(r.notebook, r.status) for r in result.results] == [
        ("replenishment_report", "ok"), ("launch_tracker", "ok")]
    probe = json.loads((result.run_dir / "US" / "US_probe.json").read_text(encoding="utf-8"))
    assert probe == {"plan_ready": True, "data_ready": True}
    # the shared files are gone once the marketplace is done
    assert not list(result.run_dir.rglob(".*.pickle"))
    assert not list(result.run_dir.rglob(report_context.DATA_CACHE_NAME))
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert [r["notebook"] for r in manifest["results"]] == [
        "replenishment_report", "launch_tracker"]
    assert manifest["marketplaces"]["US"]["parameters"]["as_of"] == "2026-10-31"


# ---- the data the batch read: filtered by the notebooks' kinds, reused by the portfolio -------


def _tiny_folder(root, code="US"):
    from test_batch import write_business_report

    folder = root / code
    folder.mkdir(parents=True)
    write_business_report(folder)  # 17 units over three days
    (folder / "Restock_2026-11-03.txt").write_text(
        "Merchant SKU\tAvailable\tRecommended replenishment qty\nMAT\t4\t10\n", encoding="utf-8")
    return folder


def _cached(task):
    cache = os.path.join(task["output_dir"], report_context.DATA_CACHE_NAME)
    return read_frame_cache(cache)[1]


def test_the_batch_reads_only_the_kinds_of_notebooks_that_all_declare_them(tmp_path):
    """A daily run (the morning check alone) reads only its kinds; a run with a notebook that
    declares none reads every kind, so no notebook takes a partial cache as complete."""
    _tiny_folder(tmp_path / "data")
    daily = scheduling.marketplace_task("US", tmp_path / "data", "", None,
                                        [tmp_path / "morning_check.ipynb"], tmp_path / "daily")
    mixed = scheduling.marketplace_task(
        "US", tmp_path / "data", "", None,
        [tmp_path / "morning_check.ipynb", tmp_path / "opportunity_report.ipynb"],
        tmp_path / "mixed")
    for task in (daily, mixed):
        os.makedirs(task["run_dir"])
        outcome = scheduling.prepare_marketplace(task)
        assert "results" not in outcome and outcome["unread_files"] == []
    from opsanalysis import morning_check, report_context

    assert _cached(daily).requested_kinds == {*morning_check.KINDS, *report_context.SALES_KINDS}
    assert _cached(mixed).requested_kinds is None and "restock" in _cached(mixed)


def test_a_folder_with_only_kinds_not_needed_is_not_unreadable(tmp_path):
    folder = tmp_path / "data" / "US"
    folder.mkdir(parents=True)
    (folder / "Campaigns.csv").write_text(  # a Sponsored Products campaign report only
        "Date,Campaign Name,Impressions,Clicks,Spend,7 Day Total Sales ,7 Day Total Orders (#)\n"
        "2026-11-01,Mats,100,3,1.50,20.00,1\n", encoding="utf-8")
    task = scheduling.marketplace_task("US", tmp_path / "data", "", None,
                                       [tmp_path / "morning_check.ipynb"], tmp_path)
    outcome = scheduling.prepare_marketplace(task)
    assert "results" not in outcome  # the morning check runs and says what it lacks
    assert _cached(task).frames == {}


# Stand-ins: the marketplace notebook spoils its folder once the batch has read it; the
# run-level notebook (a ``marketplaces`` parameter, as the portfolio) prepares every marketplace
# as the portfolio does and prints what it found.
SPOIL = """from pathlib import Path
Path(data_dir, marketplace, "BusinessReport-11-03-26.csv").write_text("x,y\\n1,2\\n")
"""
PORTFOLIO_PROBE = """import os
from opsanalysis import report_context
cached = [code for code in marketplaces.split(",")
          if os.path.exists(report_context.run_data_cache(output_dir, code))]
contexts = report_context.prepare_marketplaces(marketplaces, data_dir, params_dir, as_of,
                                               language, output_dir)
units = {code: int(report.data["business_report_date"]["units_ordered"].sum())
         for code, report in contexts.contexts.items()}
print(f"cached {cached} units {units} failed {sorted(contexts.failed)}")
"""


def _run_level_notebook(path, body):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    parameters = nbformat.v4.new_code_cell(
        'marketplaces: str = "US"\ndata_dir: str = ""\nparams_dir: str = ""\nas_of: str = ""\n'
        'language: str = "en"\noutput_dir: str = ""\n')
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell(body)]
    nbformat.write(notebook, str(path))
    return path


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_portfolio_reuses_the_data_the_batch_read(tmp_path, jobs):
    """Within batch.run the run-level notebook does not read the folders again: they are
    spoiled after the batch read them, and it still finds every marketplace's 17 units."""
    from opsanalysis import report_context

    data = tmp_path / "data"
    for code in ("US", "UK"):
        _tiny_folder(data, code)
    folder = tmp_path / "notebooks"
    folder.mkdir()
    templates = [_notebook(folder / "spoil.ipynb", SPOIL),
                 _run_level_notebook(folder / "portfolio_probe.ipynb", PORTFOLIO_PROBE)]
    result = batch.run(data_dir=data, out_dir=tmp_path / "out", jobs=jobs, notebooks=templates,
                       progress=False)
    assert result.status == "complete", [(r.notebook, r.error) for r in result.failed]
    executed = (result.run_dir / result.results[-1].notebook_file).read_text(encoding="utf-8")
    assert "cached ['US', 'UK'] units {'US': 17, 'UK': 17} failed []" in executed
    assert not list(result.run_dir.rglob(".*.pickle"))  # removed once the portfolio ran
    assert not list(result.run_dir.rglob(report_context.DATA_CACHE_NAME))
    # run alone (no batch caches) it reads the folders, which are spoiled now
    alone = report_context.prepare_marketplaces("US,UK", data, output_dir="")
    assert list(alone.contexts) == ["US", "UK"]
    assert not any("business_report_date" in report.data for report in alone.contexts.values())

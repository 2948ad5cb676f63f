"""Scheduling: what is sent to worker processes pickles; a task that cannot run is a result."""

import pickle
import queue

from opsanalysis import scheduling


def test_worker_functions_pickle_by_reference():
    assert pickle.loads(pickle.dumps(scheduling.run_marketplace)) is scheduling.run_marketplace
    notify = pickle.loads(pickle.dumps(scheduling._Notify(None)))
    assert isinstance(notify, scheduling._Notify)


def test_failed_task_is_one_failed_result_per_notebook(tmp_path):
    task = scheduling.marketplace_task("US", tmp_path, "", None,
                                       [tmp_path / "a.ipynb", tmp_path / "b.ipynb"], tmp_path)
    outcome = scheduling.failed_outcome(task, "worker failed: OSError: gone")
    assert [(r["notebook"], r["status"], r["error"]) for r in outcome["results"]] == [
        ("a", "failed", "worker failed: OSError: gone"),
        ("b", "failed", "worker failed: OSError: gone")]
    assert outcome["warnings"] == ["worker failed: OSError: gone"]


def test_each_finished_notebook_moves_the_bar_once():
    class Bar:
        count = 0

        def update(self, n):
            self.count += n

    tokens, bar = queue.Queue(), Bar()
    notify = scheduling._Notify(tokens)
    for name in ("overview", "ads"):
        notify(type("Result", (), {"notebook": name})())
    scheduling._drain(tokens, bar)
    assert bar.count == 2


def test_a_marketplace_whose_params_fail_fails_every_notebook(tmp_path):
    (tmp_path / "data" / "US").mkdir(parents=True)
    task = scheduling.marketplace_task("US", tmp_path / "data", tmp_path / "no-params", None,
                                       [tmp_path / "a.ipynb", tmp_path / "b.ipynb"], tmp_path)
    outcome = scheduling.run_marketplace(task)  # never raises: the failure is the result
    assert [(r["notebook"], r["status"]) for r in outcome["results"]] == [
        ("a", "failed"), ("b", "failed")]
    assert all("ParamsError" in r["error"] for r in outcome["results"])
    assert outcome["parameters"] is None and (tmp_path / "US").is_dir()

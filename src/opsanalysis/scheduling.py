"""Scheduling: run each marketplace's notebooks sequentially, in local processes or on Dask.

One marketplace is one task (:func:`marketplace_task`, a plain dict of strings so it pickles to a
worker process or a Dask worker); :func:`run_marketplace` runs it and never raises, failures are
results. A marketplace none of whose files could be read is not run: each of its notebooks fails
with one message naming the files and why; files not read beside readable ones are listed in the
outcome (``unread_files``) and make its notebooks "ok with warnings". :func:`execute_tasks` picks where the tasks run: in this process (``jobs=1``), in a
``ProcessPoolExecutor`` (``jobs>1``), or on a ``distributed`` cluster (``scheduler``). Functions
sent to workers are module-level, so they pickle by reference; tqdm, multiprocessing and
distributed are imported inside the functions.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from opsanalysis.execution import NotebookResult, run_one_notebook
from opsanalysis.publishing import hash_inputs
from opsanalysis.report_context import (
    DATA_CACHE_NAME,
    PLAN_CACHE_NAME,
    check_language,
    last_data_date,
    resolve_params_dir,
    unreadable_message,
    write_data_cache,
)

__all__ = [
    "execute_tasks",
    "failed_outcome",
    "marketplace_task",
    "run_marketplace",
    "scheduler_name",
]


def marketplace_task(code, data_root, params_dir, language, templates, run_dir, as_of=None):
    """One marketplace's work for :func:`run_marketplace`: a dict of strings (it is pickled).
    ``as_of`` ("YYYY-MM-DD") is the report date; None: the marketplace's last covered day."""
    return {
        "marketplace": code,
        "data_dir": str(data_root),
        "params_dir": str(resolve_params_dir(params_dir) or ""),
        "language": language,
        "as_of": as_of,
        "notebooks": [str(path) for path in templates],
        "output_dir": str(run_dir / code),
        "run_dir": str(run_dir),
    }


def run_marketplace(task, on_notebook_done=None) -> dict:
    """Run every notebook of one marketplace; never raises (failures are results)."""
    output_dir = Path(task["output_dir"])
    output_dir.mkdir(parents=False, exist_ok=False)
    outcome = {"warnings": [], "inputs": hash_inputs(task), "params": None, "parameters": None,
               "unread_files": []}
    try:
        parameters, unreadable = _marketplace_parameters(task, outcome)
    except Exception as error:  # bad params file, unknown code: every notebook fails with it
        outcome["results"] = _failed_results(task, f"{type(error).__name__}: {error}")
        return outcome
    outcome["parameters"] = parameters
    if unreadable:  # nothing to report on: one message, not one traceback per notebook
        (output_dir / DATA_CACHE_NAME).unlink(missing_ok=True)
        outcome["results"] = _failed_results(task, unreadable)
        return outcome
    file_warnings = [f"not read: {item['file']}: {item['reason']}"
                     for item in outcome["unread_files"]]
    outcome["results"] = []
    try:
        for template in map(Path, task["notebooks"]):
            result = run_one_notebook(template, parameters, output_dir, Path(task["run_dir"]),
                                      file_warnings)
            outcome["results"].append(asdict(result))
            if on_notebook_done is not None:
                on_notebook_done(result)
    finally:
        (output_dir / DATA_CACHE_NAME).unlink(missing_ok=True)
        (output_dir / PLAN_CACHE_NAME).unlink(missing_ok=True)
    return outcome


def _marketplace_parameters(task, outcome):
    """The notebooks' parameters, and the message of a marketplace with no readable file (or
    None); records the files not read in ``outcome["unread_files"]``."""
    from opsanalysis import params as params_module

    code = task["marketplace"]
    merged = params_module.load(code, task["params_dir"] or None)
    outcome["params"] = json.loads(json.dumps(merged, default=str))
    as_of, unreadable = "", None
    try:
        from opsanalysis import io

        data = io.load_marketplace(task["data_dir"], code)
        outcome["unread_files"] = data.unreadable_files().to_dict("records")
        unreadable = unreadable_message(data)
        latest = last_data_date(data)
        as_of = latest.date().isoformat() if latest is not None else ""
        write_data_cache(Path(task["output_dir"]), task["data_dir"], code, data)
    except Exception as error:  # the notebooks will meet (and report) the same problem
        outcome["warnings"].append(f"as_of not determined: {type(error).__name__}: {error}")
    parameters = {
        "marketplace": code,
        "data_dir": task["data_dir"],
        "params_dir": task["params_dir"],
        "as_of": task.get("as_of") or as_of,
        "language": check_language(task["language"] or merged.get("language") or "en"),
        "output_dir": task["output_dir"],
    }
    return parameters, unreadable


def execute_tasks(tasks, jobs, scheduler, progress, notebooks_per_task) -> dict:
    """Run every task in this process, in ``jobs`` local processes or on a Dask scheduler.

    Parameters
    ----------
    tasks : list of dict
        From :func:`marketplace_task`.
    jobs : int or None
        Local processes (more than one and more than one task: a process pool).
    scheduler : str or distributed.Client or None
        Dask scheduler; takes precedence over ``jobs``.
    progress : bool
        Show a tqdm bar over notebooks.
    notebooks_per_task : int
        Length of the bar per task.

    Returns
    -------
    dict
        Marketplace code -> outcome of :func:`run_marketplace`.
    """
    from tqdm.auto import tqdm

    bar = tqdm(total=len(tasks) * notebooks_per_task, desc="notebooks", unit="nb",
               disable=not progress, file=sys.stderr)
    try:
        if scheduler is not None:
            return _execute_on_dask(tasks, scheduler, bar)
        if jobs and jobs > 1 and len(tasks) > 1:
            return _execute_in_processes(tasks, jobs, bar)
        return {task["marketplace"]: run_marketplace(task, lambda _: bar.update(1))
                for task in tasks}
    finally:
        bar.close()


def _execute_in_processes(tasks, jobs, bar) -> dict:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    outcomes = {}
    with multiprocessing.Manager() as manager, ProcessPoolExecutor(
            max_workers=min(jobs, len(tasks))) as pool:
        finished_notebooks = manager.Queue()  # workers report each notebook for the bar
        futures = {pool.submit(run_marketplace, task, _Notify(finished_notebooks)): task
                   for task in tasks}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            _drain(finished_notebooks, bar)
            for future in done:
                outcomes[futures[future]["marketplace"]] = _collect(future, futures[future])
        _drain(finished_notebooks, bar)
    return outcomes


class _Notify:
    """Picklable per-notebook callback of a worker process: one token per finished notebook."""

    def __init__(self, queue):
        self.queue = queue

    def __call__(self, result):
        self.queue.put(result.notebook)


def _drain(queue, bar):
    import queue as queue_module

    while True:
        try:
            queue.get_nowait()
        except queue_module.Empty:
            return
        bar.update(1)


def _execute_on_dask(tasks, scheduler, bar) -> dict:
    from distributed import Client, as_completed

    # connection timeout: dask's "distributed.comm.timeouts.connect" setting (30 s default)
    client = scheduler if isinstance(scheduler, Client) else Client(
        scheduler, set_as_default=False)
    try:
        futures = {client.submit(run_marketplace, task, pure=False,
                                 key=f"opsanalysis-{Path(task['run_dir']).name}-{task['marketplace']}"):
                   task for task in tasks}
        outcomes = {}
        for future in as_completed(list(futures), loop=client.loop):
            task = futures[future]
            outcomes[task["marketplace"]] = _collect(future, task)
            bar.update(len(task["notebooks"]))
        return outcomes
    finally:
        if client is not scheduler:
            client.close()


def _collect(future, task) -> dict:
    """Result of a worker, or the worker's crash turned into failed notebook results."""
    try:
        return future.result()
    except Exception as error:
        return failed_outcome(task, f"worker failed: {type(error).__name__}: {error}")


def failed_outcome(task, message) -> dict:
    """The outcome of a task that could not run: every notebook failed with ``message``."""
    return {"warnings": [message], "inputs": [], "params": None, "parameters": None,
            "unread_files": [], "results": _failed_results(task, message)}


def _failed_results(task, message) -> list[dict]:
    return [asdict(NotebookResult(task["marketplace"], Path(nb).stem, "failed", 0.0, error=message))
            for nb in task["notebooks"]]


def scheduler_name(scheduler):
    """The scheduler as the manifest records it: None, its address, or a description."""
    if scheduler is None or isinstance(scheduler, str):
        return scheduler
    return getattr(scheduler, "scheduler_info", lambda: {})().get("address", repr(scheduler))

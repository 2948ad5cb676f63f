"""Scheduling: run each marketplace's notebooks in this process, in local processes or on Dask.

One marketplace is one task (:func:`marketplace_task`, a plain dict of strings so it pickles to a
worker process or a Dask worker); :func:`run_marketplace` runs its notebooks one after the other
and never raises, failures are results. In local processes (``jobs > 1``) the unit of work is one
notebook of one marketplace, so a single large marketplace uses every process: the marketplace is
prepared first (:func:`prepare_marketplace`), its replenishment plan computed once
(:func:`compute_plan`) beside the notebooks that do not need it, then the notebooks that do
(:data:`PLAN_NOTEBOOKS`). Run-level notebooks (a ``marketplaces`` parameter, such as the
portfolio) run once, after every marketplace is done (:func:`run_level_notebooks`), in this
process, from the data the batch read for each marketplace (kept until they are done,
:func:`remove_data_caches`). The batch reads only the report kinds the marketplace's notebooks
use when each of them declares its kinds (:data:`opsanalysis.report_context.NOTEBOOK_KINDS`:
the daily morning check); otherwise every kind. A marketplace none of whose files could be read
is not run: each of its notebooks fails
with one message naming the files and why; files not read beside readable ones are listed in the
outcome (``unread_files``) and make its notebooks "ok with warnings". :func:`execute_tasks`
picks where the work runs: in this process (``jobs=1``), in a ``ProcessPoolExecutor``
(``jobs>1``), or on a ``distributed`` cluster (``scheduler``, one task per marketplace).
Functions sent to workers are module-level, so they pickle by reference; tqdm, multiprocessing
and distributed are imported inside the functions.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from opsanalysis.execution import RUN_FOLDER, NotebookResult, run_one_notebook
from opsanalysis.publishing import hash_inputs
from opsanalysis.report_context import (
    PLAN_CACHE_NAME,
    check_language,
    last_data_date,
    notebook_kinds,
    read_kinds,
    remove_data_cache,
    resolve_params_dir,
    unreadable_message,
    write_data_cache,
)

__all__ = [
    "PLAN_NOTEBOOKS",
    "compute_plan",
    "execute_tasks",
    "failed_outcome",
    "finish_marketplace",
    "marketplace_task",
    "prepare_marketplace",
    "remove_data_caches",
    "run_marketplace",
    "run_level_notebooks",
    "run_notebook",
    "scheduler_name",
]

#: Notebooks that read the marketplace's replenishment plan (``ReportContext.
#: replenishment_plan``): in a process pool they start once the plan is computed, so it is
#: computed once, while the other notebooks run. They are the end of a marketplace's longest
#: path (folder read, plan, notebook): once the plan is there they go before any notebook still
#: waiting, in this order, the longest (the replenishment report's policy replay) first.
PLAN_NOTEBOOKS = ("replenishment_report", "opportunity_report", "monthly_review")


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
    """Run every notebook of one marketplace in order; never raises (failures are results)."""
    outcome = prepare_marketplace(task)
    if "results" in outcome:
        return outcome
    try:
        outcome["results"] = []
        for template in task["notebooks"]:
            result = run_notebook(task, outcome, template)
            outcome["results"].append(result)
            if on_notebook_done is not None:
                on_notebook_done(result)
    finally:
        finish_marketplace(task)
    return outcome


def prepare_marketplace(task) -> dict:
    """Create the marketplace's output folder, read its data once and resolve the parameters.

    Returns
    -------
    dict
        The outcome without ``results`` when the notebooks can run; with every notebook failed
        (``results``) when the params cannot be loaded or no file could be read.
    """
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
        remove_data_cache(output_dir)
        outcome["results"] = _failed_results(task, unreadable)
    return outcome


def run_notebook(task, outcome, template) -> dict:
    """One notebook of a prepared marketplace (:func:`prepare_marketplace`), as a result dict."""
    file_warnings = [f"not read: {item['file']}: {item['reason']}"
                     for item in outcome["unread_files"]]
    result = run_one_notebook(Path(template), outcome["parameters"], Path(task["output_dir"]),
                              Path(task["run_dir"]), file_warnings)
    return asdict(result)


def run_level_notebooks(templates, codes, data_root, params_dir, language, as_of,
                        run_dir) -> list[dict]:
    """Run the run-level notebooks once, across the run's marketplaces, one after the other.

    Parameters
    ----------
    templates : list of Path
        Notebooks whose parameters cell declares ``marketplaces``
        (:func:`opsanalysis.execution.notebook_scope`).
    codes : list of str
        The run's marketplaces, passed comma-separated as ``marketplaces``.
    data_root : Path
    params_dir : str or Path or None
    language : str or None
        The run's language; None: the language of the params' ``defaults.yaml``.
    as_of : str or None
        The run's report date; None: "" (each marketplace's last covered day).
    run_dir : Path
        They write into ``<run_dir>/`` :data:`opsanalysis.execution.RUN_FOLDER`.

    Returns
    -------
    list of dict
        One :class:`~opsanalysis.execution.NotebookResult` (as a dict) per notebook; never
        raises (a notebook that fails, or params that cannot be read, are results).

    Notes
    -----
    The notebooks reuse the data the batch read for each marketplace
    (:func:`opsanalysis.report_context.run_data_cache`); the caches are removed once they are
    done, and also when there is no run-level notebook (:func:`remove_data_caches`).
    """
    try:
        return _run_level_notebooks(templates, codes, data_root, params_dir, language, as_of,
                                    run_dir)
    finally:
        remove_data_caches(run_dir, codes)


def remove_data_caches(run_dir, codes) -> None:
    """Remove the marketplaces' data caches of a run
    (:data:`opsanalysis.report_context.DATA_CACHE_NAME`).

    The batch keeps each marketplace's data in its folder of the run from the first notebook to
    the run-level notebooks (the portfolio), which read it instead of the folder;
    :func:`run_level_notebooks` calls this when they are done.

    Parameters
    ----------
    run_dir : Path
    codes : iterable of str
        The run's marketplaces.
    """
    for code in codes:
        remove_data_cache(Path(run_dir) / code)


def _run_level_notebooks(templates, codes, data_root, params_dir, language, as_of, run_dir):
    if not templates:
        return []
    output_dir = Path(run_dir) / RUN_FOLDER
    output_dir.mkdir(exist_ok=False)
    folder = resolve_params_dir(params_dir)
    try:
        from opsanalysis import params as params_module

        chosen = check_language(language or params_module.load_defaults(folder)["language"])
    except Exception as error:  # bad defaults.yaml: every run-level notebook fails with it
        return [asdict(NotebookResult(RUN_FOLDER, Path(t).stem, "failed", 0.0,
                                      error=f"{type(error).__name__}: {error}", scope="run"))
                for t in templates]
    parameters = {"marketplaces": ",".join(codes), "data_dir": str(data_root),
                  "params_dir": str(folder or ""), "as_of": as_of or "", "language": chosen,
                  "output_dir": str(output_dir)}
    return [asdict(run_one_notebook(Path(template), parameters, output_dir, Path(run_dir)))
            for template in templates]


def compute_plan(parameters) -> None:
    """Leave the marketplace's replenishment plan in its output folder for the notebooks.

    The notebooks of :data:`PLAN_NOTEBOOKS` read it (``ReportContext.replenishment_plan``, same
    data cache, params and report date); a plan that cannot be computed is left to them, so the
    failure shows in the notebook that needs it, with its traceback.
    """
    from opsanalysis.report_context import prepare

    context = prepare(**parameters)
    try:
        context.replenishment_plan()
    except Exception:  # the notebooks compute it again and report the error themselves
        return


def finish_marketplace(task) -> None:
    """Remove the plan cache the notebooks of one marketplace shared.

    The data cache stays for the run-level notebooks (the portfolio reads it instead of the
    folder); :func:`run_level_notebooks` removes it (:func:`remove_data_caches`).
    """
    (Path(task["output_dir"]) / PLAN_CACHE_NAME).unlink(missing_ok=True)


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

        # only the kinds the notebooks use, when each says which (the daily morning check)
        kinds = read_kinds(notebook_kinds(task["notebooks"]), task.get("as_of"))
        data = io.load_marketplace(task["data_dir"], code, kinds=kinds)
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
        Local processes (more than one: a process pool running each notebook of each
        marketplace as its own job, see :func:`_execute_in_processes`).
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
        if jobs and jobs > 1:
            return _execute_in_processes(tasks, jobs, bar)
        return {task["marketplace"]: run_marketplace(task, lambda _: bar.update(1))
                for task in tasks}
    finally:
        bar.close()


def _execute_in_processes(tasks, jobs, bar) -> dict:
    """Every notebook of every marketplace as its own job of a process pool.

    Per marketplace: :func:`prepare_marketplace`, then its replenishment plan
    (:func:`compute_plan`, when a notebook of :data:`PLAN_NOTEBOOKS` runs) beside the notebooks
    that do not need it, the plan's notebooks once it is there (before the notebooks still
    waiting: they end the longest path), and :func:`finish_marketplace` when every notebook is
    done. The folder read and the plan run in a child process of the
    worker that ends with the job (:func:`_in_own_process`): their memory is given back.
    """
    from collections import deque
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    runs = {task["marketplace"]: _MarketplaceRun(task) for task in tasks}
    # jobs wait here, not in the pool's own queue (first come, first served), so that the
    # plan's notebooks can go before the others (_enqueue); at most ``jobs`` are submitted
    ready = deque((run, "prepare", _in_own_process, prepare_marketplace, run.task)
                  for run in runs.values())
    pending = {}
    # forked workers, kept for the whole run: a fresh (spawned) process per job would spend
    # about 1.5 CPU s importing this module again for every notebook
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        while ready or pending:
            while ready and len(pending) < jobs:
                run, step, function, *arguments = ready.popleft()
                pending[_submit(pool, function, *arguments)] = (run, step)
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                run, step = pending.pop(future)
                before = run.notebooks_done
                _enqueue(ready, step, [(run, *job) for job in run.done(step, future)])
                bar.update(run.notebooks_done - before)
                if run.finished:
                    finish_marketplace(run.task)
    return {code: run.outcome for code, run in runs.items()}


def _enqueue(ready, step, jobs) -> None:
    """Queue the jobs a finished ``step`` made ready: after the plan, its notebooks go first
    (:data:`PLAN_NOTEBOOKS`: the rest of the marketplace's longest path); others go last."""
    if step == "plan":
        ready.extendleft(reversed(jobs))
    else:
        ready.extend(jobs)


def _in_own_process(function, *arguments):
    """``function(*arguments)`` in a forked child of this worker that ends with it.

    Reading a large folder or computing a plan takes gigabytes; a pool worker that did it
    itself would keep them (freed memory is not given back to the system) while the notebooks
    run beside it. The child is waited for, so its CPU time still counts for the run.
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_send_result, args=(sender, function, arguments))
    child.start()
    sender.close()
    try:
        succeeded, value = receiver.recv()
    except EOFError:  # the child died without an answer (killed, out of memory)
        child.join()
        raise RuntimeError(f"process ended with exit code {child.exitcode}") from None
    child.join()
    if not succeeded:
        raise value
    return value


def _send_result(sender, function, arguments):
    try:
        answer = (True, function(*arguments))
    except Exception as error:  # raised again in the worker, where the scheduler reports it
        answer = (False, error)
    sender.send(answer)
    sender.close()


def _submit(pool, function, *arguments):
    """Submit one job; a pool that is broken gives a future holding the error."""
    from concurrent.futures import Future

    try:
        return pool.submit(function, *arguments)
    except Exception as error:  # BrokenProcessPool: the job fails like a crashed worker
        future = Future()
        future.set_exception(error)
        return future


class _MarketplaceRun:
    """The jobs of one marketplace in a process pool and their results, in notebook order."""

    def __init__(self, task):
        self.task = task
        self.outcome = None
        self.results = [None] * len(task["notebooks"])
        stems = [Path(path).stem for path in task["notebooks"]]
        self.after_plan = sorted((i for i, stem in enumerate(stems) if stem in PLAN_NOTEBOOKS),
                                 key=lambda i: PLAN_NOTEBOOKS.index(stems[i]))
        self.independent = [i for i in range(len(stems)) if i not in self.after_plan]

    @property
    def notebooks_done(self) -> int:
        return sum(result is not None for result in self.results)

    @property
    def finished(self) -> bool:
        """Every notebook has its result (then ``outcome["results"]`` holds them, in order)."""
        if self.outcome is None or self.notebooks_done < len(self.results):
            return False
        self.outcome["results"] = self.results
        return True

    def done(self, step, future) -> list[tuple]:
        """Record a finished job; the jobs it makes ready: (step, function, *arguments)."""
        try:
            value = future.result()
        except Exception as error:  # the worker died: the job's notebooks fail with it
            value = error
        if step == "prepare":
            return self._prepared(value)
        if step == "plan":  # failure or not, the notebooks run (and report a plan that fails)
            return [self._notebook_job(i) for i in self.after_plan]
        self.results[step] = value if not isinstance(value, Exception) else \
            self._failed(step, value)
        return []

    def _prepared(self, value) -> list[tuple]:
        if isinstance(value, Exception):
            self.outcome = failed_outcome(self.task, f"worker failed: {_text(value)}")
            self.results = self.outcome.pop("results")
            return []
        self.outcome = value
        if "results" in value:  # params or data unusable: every notebook already failed
            self.results = value.pop("results")
            return []
        jobs = ([("plan", _in_own_process, compute_plan, value["parameters"])]
                if self.after_plan else [])
        return jobs + [self._notebook_job(i) for i in self.independent]

    def _notebook_job(self, index) -> tuple:
        return (index, run_notebook, self.task, self.outcome, self.task["notebooks"][index])

    def _failed(self, index, error) -> dict:
        template = self.task["notebooks"][index]
        return asdict(NotebookResult(self.task["marketplace"], Path(template).stem, "failed",
                                     0.0, error=f"worker failed: {_text(error)}"))


def _text(error) -> str:
    return f"{type(error).__name__}: {error}"


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

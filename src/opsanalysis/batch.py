"""Batch runs: execute every report notebook for every marketplace and publish the results.

``run`` is what ``opsanalysis run`` and ``make report`` call. For each marketplace folder of the
data directory it executes every ``notebooks/*.ipynb`` with papermill (kernel ``python3``, one
kernel process per notebook), exports an HTML copy without code cells, and collects the CSV/XLSX
tables the notebook wrote. Every run goes to a new folder that is never touched again::

    reports/<run-id>/index.html          links every report with its status and error
    reports/<run-id>/run.json            manifest: versions, parameters, input hashes, results
    reports/<run-id>/PARTIAL             present until the run completed without failure
    reports/<run-id>/<MP>/<notebook>.ipynb, .html, <notebook>_<table>.csv, <notebook>.xlsx
    reports/latest -> <run-id>           newest complete run (a text file without symlinks)

A failing notebook does not stop the others: its executed copy keeps papermill's error cell, the
index shows the message and :attr:`RunResult.exit_code` is non-zero.

Report notebooks share one parameters cell (papermill injects the values)::

    marketplace: str = "US"
    data_dir: str = ""      # "" = the bundled sample (resolve_data_dir)
    params_dir: str = ""    # "" = the project's params/ folder
    as_of: str = ""         # "" = last date in the marketplace's data (last_data_date)
    language: str = "en"    # "en" | "zh"
    output_dir: str = ""    # "" = do not write tables

and call :func:`prepare` with them, which keeps the notebooks free of paths and defaults.

Heavy imports (papermill, nbconvert, tqdm, dask) happen inside the functions that need them, so
``import opsanalysis.batch`` in a notebook kernel stays cheap.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as _dt
import functools
import hashlib
import html
import json
import os
import pickle
import platform
import secrets
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: Root of the source checkout (``src/opsanalysis/batch.py`` -> three levels up).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
KERNEL_NAME = "python3"
STANDARD_PARAMETERS = ("marketplace", "data_dir", "params_dir", "as_of", "language", "output_dir")
PARTIAL_MARKER = "PARTIAL"
#: Loaded marketplace data shared by the notebooks of one marketplace within a run (removed when
#: they are done): reading every report once instead of once per notebook.
DATA_CACHE_NAME = ".marketplace-data.pickle"
LATEST_NAME = "latest"
LANGUAGES = ("en", "zh")
#: A kernel that dies while starting is started again, at most this many times in all.
KERNEL_START_ATTEMPTS = 3
KERNEL_START_FAILURES = ("Address already in use", "Kernel died before replying to kernel_info",
                         "Kernel didn't respond in")

__all__ = [
    "NotebookResult",
    "ReportContext",
    "RunResult",
    "UnreadableReportsError",
    "discover_marketplaces",
    "discover_notebooks",
    "export_html",
    "execute_notebook",
    "last_data_date",
    "notebooks_dir",
    "prepare",
    "resolve_data_dir",
    "resolve_params_dir",
    "run",
]


@dataclass
class NotebookResult:
    """Outcome of one notebook for one marketplace (paths relative to the run folder)."""

    marketplace: str
    notebook: str
    status: str  # "ok" | "failed"
    duration_s: float
    error: str | None = None
    notebook_file: str | None = None
    html_file: str | None = None
    tables: list[str] = field(default_factory=list)
    parameters: dict = field(default_factory=dict)


@dataclass
class RunResult:
    """Outcome of :func:`run`.

    Attributes
    ----------
    run_id : str
        Folder name of the run (UTC timestamp + random suffix).
    run_dir : Path
        ``<out_dir>/<run_id>``.
    status : str
        "complete" (every notebook ok), "partial" (some failed) or "failed" (none ok).
    results : list of NotebookResult
        One per marketplace x notebook.
    duration_s : float
        Wall time of the run [s].
    """

    run_id: str
    run_dir: Path
    status: str
    results: list[NotebookResult]
    duration_s: float

    @property
    def index(self) -> Path:
        return self.run_dir / "index.html"

    @property
    def manifest(self) -> Path:
        return self.run_dir / "run.json"

    @property
    def failed(self) -> list[NotebookResult]:
        return [result for result in self.results if result.status != "ok"]

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "complete" else 1


@dataclass
class ReportContext:
    """Everything a report notebook needs, resolved from its standard parameters.

    Attributes
    ----------
    marketplace : Marketplace
        Registry entry (``opsanalysis.marketplaces.get``).
    data : MarketplaceData
        ``opsanalysis.io.load_marketplace`` of the marketplace.
    params : dict
        Merged, validated params (``opsanalysis.params.load``).
    as_of : pandas.Timestamp or None
        Report date: the ``as_of`` parameter, else the last date in the data.
    language : str
        "en" or "zh".
    output_dir : Path or None
        Where tables go; None when the notebook runs without an output folder.
    """

    marketplace: object
    data: object
    params: dict
    as_of: object
    language: str
    output_dir: Path | None

    def write_tables(self, tables, stem) -> list[Path]:
        """Write tables with :func:`opsanalysis.export.write_tables` when there is an output folder.

        Parameters
        ----------
        tables : dict of str to DataFrame
        stem : str
            The notebook's name, prefix of every file ("marketplace_overview").

        Returns
        -------
        list of Path
            Files written; empty when ``output_dir`` is None.
        """
        if self.output_dir is None:
            return []
        from opsanalysis.export import write_tables

        return write_tables(tables, self.output_dir, language=self.language, stem=stem)

    def raise_for_unreadable_files(self):
        """Fail the notebook when a report file could not be read (summary status "error").

        Reading goes on past a bad file, so a report can still be shown; calling this as the
        last step of a notebook then marks the run as failed, with the files and reasons in the
        batch index, instead of publishing figures that silently miss a download.

        Raises
        ------
        UnreadableReportsError
        """
        summary = self.data.summary
        failed = summary[summary["status"] == "error"]
        if len(failed):
            details = "; ".join(f"{row.file}: {row.message}" for row in failed.itertuples())
            raise UnreadableReportsError(
                f"{len(failed)} report file(s) of {self.marketplace.code} could not be read: "
                f"{details}")


class UnreadableReportsError(RuntimeError):
    """Report files of a marketplace that the readers could not read (see the overview)."""


def notebooks_dir() -> Path:
    """The folder of the report notebooks (``<project>/notebooks``)."""
    return _project_root() / "notebooks"


def resolve_data_dir(data_dir="") -> Path:
    """Absolute data folder: ``data_dir``, or the bundled sample (``data/sample``) when empty.

    Parameters
    ----------
    data_dir : str or Path
        Folder holding one sub-folder per marketplace; "" or None means the bundled sample.

    Returns
    -------
    Path
    """
    if data_dir in ("", None):
        return _project_root() / "data" / "sample"
    return Path(data_dir).expanduser().resolve()


def resolve_params_dir(params_dir=""):
    """Absolute params folder, or None (``opsanalysis.params`` then uses its default)."""
    if params_dir in ("", None):
        return None
    return Path(params_dir).expanduser().resolve()


def discover_marketplaces(data_dir=None) -> list[str]:
    """Marketplace codes that have a folder in ``data_dir``, in registry order.

    Sub-folders whose name is not a known upper-case marketplace code (``archive``, ``tmp``,
    ``us``) are ignored.

    Parameters
    ----------
    data_dir : str or Path, optional
        Defaults to the bundled sample.

    Returns
    -------
    list of str
    """
    from opsanalysis import marketplaces

    root = resolve_data_dir(data_dir)
    # exact upper-case names: the folder name is also the path the notebooks read
    present = {child.name for child in root.iterdir() if child.is_dir()} if root.is_dir() else set()
    return [code for code in marketplaces.codes() if code in present]


def discover_notebooks(directory=None) -> list[Path]:
    """Report notebooks: every ``*.ipynb`` of the notebook folder, sorted by name."""
    folder = Path(directory) if directory is not None else notebooks_dir()
    return sorted(path for path in folder.glob("*.ipynb") if not path.name.startswith((".", "_")))


def last_data_date(data):
    """Last calendar date covered by a marketplace's reports.

    Parameters
    ----------
    data : MarketplaceData
        From ``opsanalysis.io.load_marketplace``.

    Returns
    -------
    pandas.Timestamp or None
        The latest ``period_end`` of the files read (midnight, naive); None when no file has a
        known period.
    """
    import pandas as pd

    summary = data.summary
    if "period_end" not in summary or summary["period_end"].isna().all():
        return None
    latest = pd.to_datetime(summary["period_end"]).max()
    if latest.tzinfo is not None:
        latest = latest.tz_localize(None)
    return latest.normalize()


def prepare(marketplace="US", data_dir="", params_dir="", as_of="", language="", output_dir=""):
    """Resolve a report notebook's standard parameters into a :class:`ReportContext`.

    Parameters
    ----------
    marketplace : str
        Marketplace code.
    data_dir : str
        Data folder ("" = bundled sample).
    params_dir : str
        Params folder ("" = project default).
    as_of : str
        ISO date of the report ("" = last date in the data).
    language : str
        "en" or "zh" ("" = the marketplace params' language).
    output_dir : str
        Folder for tables ("" = write nothing).

    Returns
    -------
    ReportContext

    Notes
    -----
    Within ``opsanalysis run`` the batch has already read the marketplace once (to find
    ``as_of``) and left the result in ``output_dir``; it is reused, so the reports are read once
    per marketplace, not once per notebook. The chart fonts are set up here, before the notebook
    draws anything.
    """
    import pandas as pd

    from opsanalysis import io, marketplaces
    from opsanalysis import params as params_module
    from opsanalysis.plotting import fonts

    # Chart fonts (CJK glyph fallback) must be in place before the notebook creates a figure,
    # as a text object keeps the font families it was created with.
    fonts.setup_chart_fonts()

    registry_entry = marketplaces.get(marketplace)
    merged = params_module.load(registry_entry.code, resolve_params_dir(params_dir))
    data_root = resolve_data_dir(data_dir)
    data = _cached_data(output_dir, data_root, registry_entry.code)
    if data is None:
        data = io.load_marketplace(data_root, registry_entry.code)
    report_date = pd.Timestamp(as_of).normalize() if as_of else last_data_date(data)
    return ReportContext(
        marketplace=registry_entry,
        data=data,
        params=merged,
        as_of=report_date,
        language=_check_language(language or merged.get("language") or "en"),
        output_dir=Path(output_dir) if output_dir else None,
    )


def execute_notebook(notebook, output_notebook, parameters, cwd=None) -> tuple[str, str | None]:
    """Execute one notebook with papermill; the executed copy is written even on failure.

    Parameters
    ----------
    notebook : str or Path
        Template notebook.
    output_notebook : str or Path
        Executed copy (with papermill's error cell when a cell raised).
    parameters : dict
        Values injected after the ``parameters`` cell.
    cwd : str or Path, optional
        Working directory of the kernel. Passed to nbclient (not ``os.chdir``), so threads can
        run notebooks side by side.

    Returns
    -------
    (status, error)
        ("ok", None) or ("failed", "ExceptionName: message").
    """
    import papermill

    engine_kwargs = {"resources": {"metadata": {"path": str(cwd)}}} if cwd else {}
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        try:
            # a fresh context: jupyter_core keeps its event loop in a context variable, and
            # worker threads (dask) that inherit the submitter's context would share one loop
            contextvars.Context().run(
                _execute_with_own_loop, papermill.execute_notebook,
                str(notebook), str(output_notebook), parameters=parameters,
                kernel_name=KERNEL_NAME, progress_bar=False, start_timeout=120,
                **engine_kwargs)
        except papermill.PapermillExecutionError as error:
            return "failed", f"{error.ename}: {error.evalue}"
        except Exception as error:  # kernel died, bad notebook JSON ...: report, never crash
            if attempt < KERNEL_START_ATTEMPTS and _kernel_did_not_start(error):
                continue  # no cell ran: starting again cannot write anything twice
            return "failed", f"{type(error).__name__}: {error}"
        return "ok", None


def _kernel_did_not_start(error) -> bool:
    """Whether ``error`` is a kernel start-up failure, before any cell ran: kernels started side
    by side can pick the same free TCP port ("Address already in use") and die at start."""
    text = f"{type(error).__name__}: {error}"
    return any(sign in text for sign in KERNEL_START_FAILURES)


def _execute_with_own_loop(function, *args, **kwargs):
    """Call ``function``, then close the event loop it created for this thread."""
    try:
        return function(*args, **kwargs)
    finally:
        policy = asyncio.get_event_loop_policy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                loop = policy.get_event_loop()
            except RuntimeError:  # no loop was set in this thread
                loop = None
        if loop is not None and not loop.is_running() and not loop.is_closed():
            loop.close()
            policy.set_event_loop(None)


def export_html(executed_notebook, html_file, title=None) -> Path:
    """Export an executed notebook to HTML without code cells (``nbconvert --no-input``).

    Parameters
    ----------
    executed_notebook : str or Path
    html_file : str or Path
        Target; must not exist.
    title : str, optional
        HTML page title.

    Returns
    -------
    Path
    """
    import nbformat

    notebook = nbformat.read(str(executed_notebook), as_version=4)
    resources = {"metadata": {"name": title or Path(executed_notebook).stem}}
    body, _ = _html_exporter().from_notebook_node(notebook, resources=resources)
    with open(html_file, "x", encoding="utf-8") as handle:
        handle.write(body)
    return Path(html_file)


def run(marketplaces=None, data_dir=None, out_dir=None, jobs=None, scheduler=None,
        params_dir=None, language=None, notebooks=None, progress=True) -> RunResult:
    """Execute every report notebook for every marketplace into a new run folder.

    Stable API (``opsanalysis run`` and ``make report`` call it).

    Parameters
    ----------
    marketplaces : list of str, optional
        Codes to run; default every marketplace folder found in ``data_dir``.
    data_dir : str or Path, optional
        Folder with one sub-folder per marketplace; default the bundled sample.
    out_dir : str or Path, optional
        Parent of the run folders; default ``<project>/reports``.
    jobs : int, optional
        Marketplaces run in parallel in this many local processes; default 1 (sequential).
    scheduler : str or distributed.Client, optional
        Dask scheduler address (``tcp://host:8786``): each marketplace becomes one task on the
        cluster instead of a local process. Workers need opsanalysis installed and the same
        paths visible.
    params_dir : str or Path, optional
        Params folder; default the project's ``params/``.
    language : {"en", "zh"}, optional
        Report language for every marketplace; default each marketplace's params language.
    notebooks : list of str or Path, optional
        Notebooks to run; default :func:`discover_notebooks`.
    progress : bool
        Show a tqdm progress bar over notebooks (on stderr).

    Returns
    -------
    RunResult
    """
    started = time.perf_counter()
    data_root = resolve_data_dir(data_dir)
    codes = _select_marketplaces(marketplaces, data_root)
    templates = [Path(path).resolve() for path in (notebooks or discover_notebooks())]
    if not templates:
        raise ValueError(f"no report notebooks found in {notebooks_dir()}")
    if language is not None:
        _check_language(language)
    out_root = Path(out_dir).resolve() if out_dir is not None else _project_root() / "reports"
    run_id, run_dir = _new_run_dir(out_root)
    arguments = {
        "marketplaces": codes, "data_dir": str(data_root),
        "params_dir": str(resolve_params_dir(params_dir) or ""), "out_dir": str(out_root),
        "jobs": jobs or 1, "scheduler": _scheduler_name(scheduler), "language": language,
        "notebooks": [path.name for path in templates],
    }
    manifest = _start_manifest(run_id, arguments, templates)
    _write_json(run_dir / "run.json", manifest)
    tasks = [_task(code, data_root, params_dir, language, templates, run_dir) for code in codes]
    try:
        outcomes = _execute_tasks(tasks, jobs, scheduler, progress, len(templates))
    except Exception as error:  # scheduler unreachable, pool broken: record it, keep the folder
        outcomes = {task["marketplace"]: _failed_outcome(task, f"{type(error).__name__}: {error}")
                    for task in tasks}
    results = [NotebookResult(**item) for code in codes for item in outcomes[code]["results"]]
    status = _run_status(results)
    duration = time.perf_counter() - started
    manifest.update(
        status=status, finished=_utc_now().isoformat(), duration_s=round(duration, 2),
        marketplaces={code: {k: v for k, v in outcomes[code].items() if k != "results"}
                      for code in codes},
        results=[asdict(result) for result in results],
    )
    _write_json(run_dir / "run.json", manifest)
    _write_index(run_dir / "index.html", run_id, status, results, manifest)
    if status == "complete":
        (run_dir / PARTIAL_MARKER).unlink()
        _point_latest(out_root, run_id)
    else:
        (run_dir / PARTIAL_MARKER).write_text(
            f"{status}: {len([r for r in results if r.status != 'ok'])} of {len(results)} "
            "notebooks failed; see index.html\n", encoding="utf-8")
    return RunResult(run_id, run_dir, status, results, duration)


# --- one marketplace (runs in a worker process, a dask worker or in-process) ---------------

def _task(code, data_root, params_dir, language, templates, run_dir):
    return {
        "marketplace": code,
        "data_dir": str(data_root),
        "params_dir": str(resolve_params_dir(params_dir) or ""),
        "language": language,
        "notebooks": [str(path) for path in templates],
        "output_dir": str(run_dir / code),
        "run_dir": str(run_dir),
    }


def _run_marketplace(task, on_notebook_done=None) -> dict:
    """Run every notebook of one marketplace; never raises (failures are results)."""
    code = task["marketplace"]
    output_dir = Path(task["output_dir"])
    output_dir.mkdir(parents=False, exist_ok=False)
    outcome = {"warnings": [], "inputs": _hash_inputs(task), "params": None, "parameters": None}
    try:
        parameters = _marketplace_parameters(task, outcome)
    except Exception as error:  # bad params file, unknown code: every notebook fails with it
        message = f"{type(error).__name__}: {error}"
        outcome["results"] = [
            asdict(NotebookResult(code, Path(nb).stem, "failed", 0.0, error=message))
            for nb in task["notebooks"]]
        return outcome
    outcome["parameters"] = parameters
    outcome["results"] = []
    try:
        for template in map(Path, task["notebooks"]):
            result = _run_one_notebook(template, parameters, output_dir, Path(task["run_dir"]))
            outcome["results"].append(asdict(result))
            if on_notebook_done is not None:
                on_notebook_done(result)
    finally:
        (output_dir / DATA_CACHE_NAME).unlink(missing_ok=True)
    return outcome


def _marketplace_parameters(task, outcome):
    from opsanalysis import params as params_module

    code = task["marketplace"]
    merged = params_module.load(code, task["params_dir"] or None)
    outcome["params"] = json.loads(json.dumps(merged, default=str))
    as_of = ""
    try:
        from opsanalysis import io

        data = io.load_marketplace(task["data_dir"], code)
        latest = last_data_date(data)
        as_of = latest.date().isoformat() if latest is not None else ""
        _write_data_cache(Path(task["output_dir"]), task["data_dir"], code, data)
    except Exception as error:  # the notebooks will meet (and report) the same problem
        outcome["warnings"].append(f"as_of not determined: {type(error).__name__}: {error}")
    return {
        "marketplace": code,
        "data_dir": task["data_dir"],
        "params_dir": task["params_dir"],
        "as_of": as_of,
        "language": _check_language(task["language"] or merged.get("language") or "en"),
        "output_dir": task["output_dir"],
    }


def _write_data_cache(output_dir, data_dir, code, data):
    payload = {"data_dir": str(data_dir), "marketplace": code, "data": data}
    with open(output_dir / DATA_CACHE_NAME, "xb") as handle:
        pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)


def _cached_data(output_dir, data_root, code):
    """The batch's already-loaded data for this marketplace, or None.

    Only a cache written by this run into its own (fresh) output folder is trusted, and only for
    the same data folder and marketplace.
    """
    if not output_dir:
        return None
    path = Path(output_dir) / DATA_CACHE_NAME
    if not path.is_file():
        return None
    with open(path, "rb") as handle:
        payload = pickle.load(handle)
    if payload.get("data_dir") != str(data_root) or payload.get("marketplace") != code:
        return None
    return payload["data"]


def _run_one_notebook(template, parameters, output_dir, run_dir) -> NotebookResult:
    started = time.perf_counter()
    before = set(output_dir.iterdir())
    executed = output_dir / template.name
    status, error = execute_notebook(template, executed, parameters, cwd=output_dir)
    html_file = None
    if executed.exists():
        try:
            html_file = export_html(executed, executed.with_suffix(".html"),
                                    title=f"{parameters['marketplace']} {template.stem}")
        except Exception as export_error:  # keep the executed notebook; report the export
            status = "failed"
            error = error or f"HTML export: {type(export_error).__name__}: {export_error}"
    written = sorted(set(output_dir.iterdir()) - before - {executed, executed.with_suffix(".html")})
    return NotebookResult(
        marketplace=parameters["marketplace"],
        notebook=template.stem,
        status=status,
        duration_s=round(time.perf_counter() - started, 2),
        error=error,
        notebook_file=_relative(executed, run_dir) if executed.exists() else None,
        html_file=_relative(html_file, run_dir) if html_file else None,
        tables=[_relative(path, run_dir) for path in written],
        parameters=dict(parameters),
    )


# --- scheduling ------------------------------------------------------------------------------

def _execute_tasks(tasks, jobs, scheduler, progress, notebooks_per_task) -> dict:
    from tqdm.auto import tqdm

    bar = tqdm(total=len(tasks) * notebooks_per_task, desc="notebooks", unit="nb",
               disable=not progress, file=sys.stderr)
    try:
        if scheduler is not None:
            return _execute_on_dask(tasks, scheduler, bar)
        if jobs and jobs > 1 and len(tasks) > 1:
            return _execute_in_processes(tasks, jobs, bar)
        return {task["marketplace"]: _run_marketplace(task, lambda _: bar.update(1))
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
        futures = {pool.submit(_run_marketplace, task, _Notify(finished_notebooks)): task
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
        futures = {client.submit(_run_marketplace, task, pure=False,
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
        return _failed_outcome(task, f"worker failed: {type(error).__name__}: {error}")


def _failed_outcome(task, message) -> dict:
    return {"warnings": [message], "inputs": [], "params": None, "parameters": None,
            "results": [asdict(NotebookResult(task["marketplace"], Path(nb).stem, "failed", 0.0,
                                              error=message))
                        for nb in task["notebooks"]]}


# --- run folder, manifest, index, latest -----------------------------------------------------

def _new_run_dir(out_root):
    out_root.mkdir(parents=True, exist_ok=True)
    while True:
        now = _utc_now()
        run_id = f"{now:%Y%m%dT%H%M%S.%f}Z-{secrets.token_hex(3)}"
        run_dir = out_root / run_id
        try:
            run_dir.mkdir()
        except FileExistsError:  # same microsecond and suffix: draw again, never reuse
            continue
        # marked partial from the first moment: a crash leaves an honest folder behind
        (run_dir / PARTIAL_MARKER).write_text("running\n", encoding="utf-8")
        return run_id, run_dir


def _start_manifest(run_id, arguments, templates):
    import opsanalysis

    return {
        "run_id": run_id,
        "status": "running",
        "started": _utc_now().isoformat(),
        "package_version": opsanalysis.__version__,
        "git_commit": _git_commit(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "arguments": arguments,
        "notebooks": [{"file": path.name, "sha256": _sha256(path)} for path in templates],
    }


def _hash_inputs(task) -> list[dict]:
    """SHA-256 of every data file of the marketplace and of the params files it reads."""
    code = task["marketplace"]
    folder = Path(task["data_dir"]) / code
    files = sorted(path for path in folder.rglob("*") if path.is_file()
                   and not any(part.startswith(".") for part in path.relative_to(folder).parts))
    try:
        from opsanalysis.params import find_params_dir

        params_folder = find_params_dir(task["params_dir"] or None)
    except Exception:  # reported by the parameters step; hash what can be hashed
        params_folder = None
    if params_folder is not None:
        files += sorted(path for path in Path(params_folder).glob("*.yaml")
                        if path.stem.lower() in ("defaults", code.lower()))
    return [{"file": str(path), "bytes": path.stat().st_size, "sha256": _sha256(path)}
            for path in files]


def _write_index(path, run_id, status, results, manifest):
    rows = []
    for result in results:
        links = " ".join(
            f'<a href="{html.escape(target, quote=True)}">{label}</a>'
            for label, target in (("report", result.html_file), ("notebook", result.notebook_file))
            if target)
        tables = " ".join(
            f'<a href="{html.escape(table, quote=True)}">{html.escape(Path(table).name)}</a>'
            for table in result.tables)
        rows.append(
            f'<tr class="{"ok" if result.status == "ok" else "failed"}">'
            f"<td>{html.escape(result.marketplace)}</td><td>{html.escape(result.notebook)}</td>"
            f"<td>{html.escape(str(result.parameters.get('as_of') or ''))}</td>"
            f"<td>{html.escape(str(result.parameters.get('language') or ''))}</td>"
            f"<td>{html.escape(result.status)}</td><td>{result.duration_s:.1f} s</td>"
            f"<td>{links}</td><td>{tables}</td>"
            f"<td><pre>{html.escape(result.error or '')}</pre></td></tr>")
    page = _INDEX_TEMPLATE.format(
        run_id=html.escape(run_id), status=html.escape(status),
        version=html.escape(str(manifest["package_version"])),
        commit=html.escape(str(manifest["git_commit"] or "unknown")),
        rows="\n".join(rows))
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(page)


_INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>opsanalysis run {run_id}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; text-align: left; }}
tr.failed td {{ background: #fde8e8; }}
pre {{ margin: 0; white-space: pre-wrap; max-width: 50em; }}
</style></head><body>
<h1>opsanalysis run {run_id}</h1>
<p>Status: <strong>{status}</strong> &middot; opsanalysis {version} &middot; commit {commit}
&middot; <a href="run.json">run.json</a></p>
<table>
<thead><tr><th>Marketplace</th><th>Report</th><th>As of</th><th>Language</th><th>Status</th>
<th>Duration</th><th>Files</th><th>Tables</th><th>Error</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""


def _point_latest(out_root, run_id):
    """Point ``latest`` at ``run_id`` unless it already names a newer complete run."""
    latest = out_root / LATEST_NAME
    current = _read_latest(latest)
    if current is not None and current > run_id:  # run ids sort by their UTC timestamp
        return
    temporary = out_root / f".{LATEST_NAME}-{run_id}"
    try:
        os.symlink(run_id, temporary, target_is_directory=True)
    except (OSError, NotImplementedError):  # no symlinks (Windows without privilege)
        temporary.write_text(run_id + "\n", encoding="utf-8")
    os.replace(temporary, latest)  # atomic: readers see the old or the new target


def _read_latest(latest):
    if latest.is_symlink():
        return os.readlink(latest).rstrip("/\\").split("/")[-1]
    if latest.is_file():
        return latest.read_text(encoding="utf-8").strip()
    return None


# --- small helpers ---------------------------------------------------------------------------

def _select_marketplaces(requested, data_root):
    from opsanalysis import marketplaces

    found = discover_marketplaces(data_root)
    if not requested:
        if not found:
            raise ValueError(f"no marketplace folders (US, UK, DE, JP ...) found in {data_root}")
        return found
    codes = list(dict.fromkeys(marketplaces.get(code).code for code in requested))
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValueError(f"no data folder for {missing} in {data_root} (found: {found})")
    return codes


def _run_status(results):
    failed = sum(result.status != "ok" for result in results)
    if failed == 0:
        return "complete"
    return "failed" if failed == len(results) else "partial"


def _check_language(language):
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    return language


def _scheduler_name(scheduler):
    if scheduler is None or isinstance(scheduler, str):
        return scheduler
    return getattr(scheduler, "scheduler_info", lambda: {})().get("address", repr(scheduler))


def _project_root() -> Path:
    """The source checkout when running from one, else the current directory."""
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT
    return Path.cwd()


def _git_commit():
    try:
        commit = subprocess.run(
            ["git", "-C", str(_project_root()), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        # --no-optional-locks: read-only, never refreshes the index of a working tree
        dirty = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(_project_root()), "status", "--porcelain",
             "--untracked-files=no"],
            capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}-dirty" if dirty else commit


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _relative(path, run_dir) -> str:
    return Path(path).relative_to(run_dir).as_posix()


def _write_json(path, payload):
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str),
                         encoding="utf-8")
    os.replace(temporary, path)


def _utc_now():
    return _dt.datetime.now(_dt.UTC)


def _html_exporter():
    """One exporter per thread: loading the templates costs more than a conversion, and
    exporters keep per-conversion state, so dask threads must not share one."""
    return _html_exporter_for_thread(threading.get_ident())


@functools.lru_cache(maxsize=16)
def _html_exporter_for_thread(thread_id):
    from nbconvert import HTMLExporter

    return HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True)

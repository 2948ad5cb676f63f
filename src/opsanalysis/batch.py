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

``cadence`` (``opsanalysis run --cadence daily|weekly|monthly``) runs only the notebooks the
params' ``cadences.yaml`` lists for it (:func:`load_cadences`, :func:`cadence_notebooks`);
without it every notebook runs. A notebook whose parameters cell declares ``marketplaces``
(the portfolio) is run-level: it runs once per run, after every marketplace's notebooks, with
the run's marketplaces comma-separated, into ``reports/<run-id>/all/``; the index links it
first.

Each notebook is "ok", "ok with warnings" (files of its marketplace not read, or what the
notebook recorded with ``ReportContext.warn``, such as partial coverage) or "failed" (a cell
raised, or none of the marketplace's files could be read: one message naming the files). A
failing notebook does not stop the others: its executed copy keeps papermill's error cell, the
index shows the message and :attr:`RunResult.exit_code` is non-zero; warnings make it non-zero
only under ``strict`` (``opsanalysis run --strict``). The index and ``run.json`` list every file
that was not read, with the reason.

This module orchestrates; each concern has its own module (as papermill keeps them apart):

- :mod:`opsanalysis.report_context` -- what a notebook starts from: :func:`prepare`,
  :class:`ReportContext`, :func:`last_data_date`, the data and params folders;
- :mod:`opsanalysis.execution` -- one notebook through papermill (:func:`execute_notebook`,
  kernel start retries) and its HTML copy (:func:`export_html`);
- :mod:`opsanalysis.scheduling` -- marketplaces in this process, local processes or on Dask;
- :mod:`opsanalysis.publishing` -- run folder, manifest, index, PARTIAL marker and ``latest``.

The names notebooks, the command line, tests and benchmarks use (``oa.batch.prepare``,
``batch.execute_notebook``, ``batch.PARTIAL_MARKER`` ...) are re-exported here and stay stable.
Heavy imports (papermill, nbconvert, tqdm, dask) happen inside the functions that need them, so
``import opsanalysis.batch`` in a notebook kernel stays cheap.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

from opsanalysis import publishing, scheduling
from opsanalysis.execution import (
    KERNEL_NAME,
    KERNEL_START_ATTEMPTS,
    NOTEBOOK_STATUSES,
    RUN_FOLDER,
    RUN_PARAMETERS,
    NotebookResult,
    execute_notebook,
    export_html,
    notebook_scope,
)
from opsanalysis.publishing import LATEST_NAME, PARTIAL_MARKER
from opsanalysis.report_context import (
    DATA_CACHE_NAME,
    LANGUAGES,
    STANDARD_PARAMETERS,
    ReportContext,
    UnreadableReportsError,
    check_language,
    last_data_date,
    notebooks_dir,
    prepare,
    resolve_data_dir,
    resolve_params_dir,
)

__all__ = [
    "DATA_CACHE_NAME",
    "KERNEL_NAME",
    "KERNEL_START_ATTEMPTS",
    "LANGUAGES",
    "LATEST_NAME",
    "NOTEBOOK_STATUSES",
    "CADENCES_FILE",
    "PARTIAL_MARKER",
    "RUN_FOLDER",
    "RUN_PARAMETERS",
    "STANDARD_PARAMETERS",
    "NotebookResult",
    "ReportContext",
    "RunResult",
    "UnreadableReportsError",
    "cadence_notebooks",
    "discover_marketplaces",
    "discover_notebooks",
    "export_html",
    "execute_notebook",
    "last_data_date",
    "load_cadences",
    "notebook_scope",
    "notebooks_dir",
    "prepare",
    "resolve_data_dir",
    "resolve_params_dir",
    "run",
]


#: The file of the params folder naming each cadence's notebooks (see :func:`load_cadences`).
CADENCES_FILE = "cadences.yaml"


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
        "complete" (no notebook failed; some may be "ok with warnings"), "partial" (some failed)
        or "failed" (all failed).
    results : list of NotebookResult
        One per marketplace x notebook, then one per run-level notebook (scope "run").
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
        return [result for result in self.results if result.status == "failed"]

    @property
    def with_warnings(self) -> list[NotebookResult]:
        return [result for result in self.results if result.status == "ok with warnings"]

    @property
    def exit_code(self) -> int:
        """1 when a notebook failed, else 0 (see :meth:`exit_code_for`)."""
        return self.exit_code_for(strict=False)

    def exit_code_for(self, strict=False) -> int:
        """Process exit code: 1 when a notebook failed, or (``strict``) had warnings; else 0."""
        return 1 if self.failed or (strict and self.with_warnings) else 0


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


def load_cadences(params_dir=None) -> dict[str, list[str]]:
    """Each cadence's notebooks (names without ``.ipynb``), from ``cadences.yaml``.

    Parameters
    ----------
    params_dir : str or Path, optional
        A params folder with its own :data:`CADENCES_FILE`; without one (or without a folder)
        the file shipped with the package.

    Returns
    -------
    dict of str to list of str
        Cadence ("daily", "weekly", "monthly") -> notebook names, in the file's order.

    Raises
    ------
    ValueError
        Naming the file and what was expected, when it is not a mapping ``cadences:`` of names
        to lists of notebook names.
    """
    import yaml

    from opsanalysis import bundled

    folder = resolve_params_dir(params_dir)
    path = folder / CADENCES_FILE if folder is not None else None
    if path is None or not path.is_file():
        path = bundled.params_dir() / CADENCES_FILE
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: cannot read the cadences: {error}") from None
    cadences = content.get("cadences") if isinstance(content, dict) else None
    if not isinstance(cadences, dict) or not cadences:
        raise ValueError(f"{path}: expected a mapping 'cadences:' of cadence names to lists of "
                         "notebook names")
    for name, notebooks in cadences.items():
        if not isinstance(notebooks, list) or not all(isinstance(n, str) for n in notebooks):
            raise ValueError(f"{path}: cadences.{name}: expected a list of notebook names "
                             f"(file names without .ipynb), got {notebooks!r}")
    return {str(name): list(notebooks) for name, notebooks in cadences.items()}


def cadence_notebooks(cadence, available, params_dir=None) -> list[Path]:
    """The notebooks of ``available`` that ``cadence`` runs, in the cadence file's order.

    Parameters
    ----------
    cadence : str
        A cadence of :func:`load_cadences` ("daily", "weekly", "monthly").
    available : list of Path
        The report notebooks (:func:`discover_notebooks`).
    params_dir : str or Path, optional

    Returns
    -------
    list of Path

    Raises
    ------
    ValueError
        For an unknown cadence (naming the known ones) or a notebook the cadence names that
        is not among ``available``.
    """
    cadences = load_cadences(params_dir)
    if cadence not in cadences:
        raise ValueError(f"unknown cadence {cadence!r}; known: {', '.join(cadences)} "
                         f"({CADENCES_FILE})")
    by_name = {Path(path).stem: Path(path) for path in available}
    missing = [name for name in cadences[cadence] if name not in by_name]
    if missing:
        raise ValueError(f"cadence {cadence!r} ({CADENCES_FILE}) names notebooks that are not "
                         f"there: {', '.join(missing)}; available: {', '.join(sorted(by_name))}")
    return [by_name[name] for name in cadences[cadence]]


def run(marketplaces=None, data_dir=None, out_dir=None, jobs=None, scheduler=None,
        params_dir=None, language=None, notebooks=None, progress=True, as_of=None,
        cadence=None) -> RunResult:
    """Execute every report notebook for every marketplace into a new run folder.

    Stable API (``opsanalysis run`` and ``make report`` call it).

    Parameters
    ----------
    marketplaces : list of str, optional
        Codes to run; default every marketplace folder found in ``data_dir``.
    data_dir : str or Path, optional
        Folder with one sub-folder per marketplace; default the bundled sample.
    out_dir : str or Path, optional
        Parent of the run folders; default ``reports/`` in the current directory.
    jobs : int, optional
        Local processes; default 1 (everything in this process, one notebook after the
        other). With more, each notebook of each marketplace is a job of the pool, the
        replenishment plan computed once per marketplace before the notebooks that read it
        (:func:`opsanalysis.scheduling.execute_tasks`).
    scheduler : str or distributed.Client, optional
        Dask scheduler address (``tcp://host:8786``): each marketplace becomes one task on the
        cluster instead of a local process. Workers need opsanalysis installed and the same
        paths visible.
    params_dir : str or Path, optional
        Params folder; default the params shipped with the package (see
        :func:`opsanalysis.params.find_params_dir`).
    language : {"en", "zh"}, optional
        Report language for every marketplace; default each marketplace's params language.
    notebooks : list of str or Path, optional
        Notebooks to run; default :func:`discover_notebooks` (or the cadence's).
    progress : bool
        Show a tqdm progress bar over notebooks (on stderr).
    as_of : str or datetime.date, optional
        Report date ("YYYY-MM-DD") passed to every notebook's ``as_of`` parameter; default each
        marketplace's last covered sales day (:func:`last_data_date`).
    cadence : str, optional
        Run only the notebooks this cadence names (:func:`cadence_notebooks`: "daily",
        "weekly", "monthly"); not together with ``notebooks``. Default every notebook.

    Returns
    -------
    RunResult
    """
    started = time.perf_counter()
    data_root = resolve_data_dir(data_dir)
    codes = _select_marketplaces(marketplaces, data_root)
    if cadence is not None and notebooks:
        raise ValueError("choose the notebooks or a cadence, not both")
    chosen = notebooks or discover_notebooks()
    if cadence is not None:
        chosen = cadence_notebooks(cadence, chosen, params_dir)
    templates = [Path(path).resolve() for path in chosen]
    if not templates:
        raise ValueError(f"no report notebooks found in {notebooks_dir()}")
    scopes = {path: notebook_scope(path) for path in templates}
    per_marketplace = [path for path in templates if scopes[path] == "marketplace"]
    per_run = [path for path in templates if scopes[path] == "run"]
    if language is not None:
        check_language(language)
    if as_of is not None:
        as_of = _iso_date(as_of)
    out_root = Path(out_dir if out_dir is not None else "reports").resolve()
    run_id, run_dir = publishing.new_run_dir(out_root)
    arguments = {
        "marketplaces": codes, "data_dir": str(data_root),
        "params_dir": str(resolve_params_dir(params_dir) or ""), "out_dir": str(out_root),
        "jobs": jobs or 1, "scheduler": scheduling.scheduler_name(scheduler), "language": language,
        "notebooks": [path.name for path in templates], "as_of": as_of, "cadence": cadence,
        "run_notebooks": [path.name for path in per_run],
    }
    manifest = publishing.start_manifest(run_id, arguments, templates)
    publishing.write_json(run_dir / "run.json", manifest)
    tasks = [scheduling.marketplace_task(code, data_root, params_dir, language, per_marketplace,
                                         run_dir, as_of) for code in codes] \
        if per_marketplace else []
    try:
        outcomes = scheduling.execute_tasks(tasks, jobs, scheduler, progress,
                                            len(per_marketplace)) if tasks else {}
    except Exception as error:  # scheduler unreachable, pool broken: record it, keep the folder
        outcomes = {task["marketplace"]: scheduling.failed_outcome(
                        task, f"{type(error).__name__}: {error}") for task in tasks}
    ran = [code for code in codes if code in outcomes]  # none when only run-level notebooks
    results = [NotebookResult(**item) for code in ran for item in outcomes[code]["results"]]
    # run-level notebooks (the portfolio): once, after every marketplace's notebooks
    results += [NotebookResult(**item) for item in scheduling.run_level_notebooks(
        per_run, codes, data_root, params_dir, language, as_of, run_dir)]
    status = _run_status(results)
    duration = time.perf_counter() - started
    manifest.update(
        status=status, finished=publishing.utc_now().isoformat(), duration_s=round(duration, 2),
        marketplaces={code: {k: v for k, v in outcomes[code].items() if k != "results"}
                      for code in ran},
        results=[asdict(result) for result in results],
    )
    publishing.publish(out_root, run_dir, manifest, results)
    return RunResult(run_id, run_dir, status, results, duration)


def _iso_date(value) -> str:
    """``value`` (a date or "YYYY-MM-DD") as "YYYY-MM-DD"; ValueError otherwise."""
    import datetime

    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    try:
        parsed = datetime.date.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.isoformat() != text:  # fromisoformat also takes "20240131"
        raise ValueError(f"as_of must be a date YYYY-MM-DD, got {value!r}")
    return text


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
    failed = sum(result.status == "failed" for result in results)
    if failed == 0:
        return "complete"
    return "failed" if failed == len(results) else "partial"

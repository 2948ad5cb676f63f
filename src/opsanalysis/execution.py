"""Notebook execution: one notebook through papermill, and its HTML copy without code.

:func:`execute_notebook` runs a notebook in a fresh ``python3`` kernel, starting a kernel again
when it died at start-up (kernels started side by side can race for a port), and never raises:
a failing cell is a ``("failed", message)`` result. :func:`export_html` writes the report page
(``nbconvert --no-input``). :func:`run_one_notebook` does both for one marketplace's output
folder and returns a :class:`NotebookResult`, whose status is "ok", "ok with warnings" (files of
the marketplace not read, or warnings the notebook recorded with ``ReportContext.warn``) or
"failed" (a cell raised).

Kernels run quietly: on POSIX they talk over IPC sockets instead of loopback TCP (ipykernel warns
"Kernel is running over TCP without encryption" on every TCP start), and a kernel being shut down
is not sent SIGINT first (jupyter_client does so by default; a kernel still sending the last reply
logs "KeyboardInterrupt caught in kernel"). See :class:`QuietKernelManager`.

Both may run in threads (a dask worker runs several tasks at once): papermill runs in a fresh
:mod:`contextvars` context with its own event loop, and each thread has its own HTML exporter.
papermill and nbconvert are imported inside the functions.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import default

__all__ = [
    "KERNEL_NAME",
    "KERNEL_START_ATTEMPTS",
    "NOTEBOOK_SCOPES",
    "NOTEBOOK_STATUSES",
    "RUN_FOLDER",
    "RUN_PARAMETERS",
    "NotebookResult",
    "QuietKernelManager",
    "execute_notebook",
    "export_html",
    "notebook_parameters",
    "notebook_scope",
    "run_one_notebook",
]

KERNEL_NAME = "python3"
#: A kernel that dies while starting is started again, at most this many times in all.
KERNEL_START_ATTEMPTS = 3
#: Statuses of a notebook, best first.
NOTEBOOK_STATUSES = ("ok", "ok with warnings", "failed")
#: Where a notebook runs: once per marketplace, or once per run across the run's marketplaces.
NOTEBOOK_SCOPES = ("marketplace", "run")
#: The parameters of a run-level notebook (its parameters cell declares ``marketplaces``):
#: comma-separated marketplace codes instead of one ``marketplace``.
RUN_PARAMETERS = ("marketplaces", "data_dir", "params_dir", "as_of", "language", "output_dir")
#: Folder of the run (and ``marketplace`` of its results) where run-level notebooks write:
#: lower case, so it never meets a marketplace code.
RUN_FOLDER = "all"
KERNEL_START_FAILURES = ("Address already in use", "Kernel died before replying to kernel_info",
                         "Kernel didn't respond in")


class QuietKernelManager(AsyncKernelManager):
    """The kernel manager papermill uses here: IPC transport, no interrupt on shutdown.

    - On POSIX the kernel's sockets are Unix domain sockets under a unique, short path in the
      temporary folder (socket paths are limited to about 104 bytes; jupyter_client's default
      ``kernel-ipc`` is relative and kernel and client resolve it from different working
      folders). No TCP port is bound, so kernels started side by side cannot race for one, and
      ipykernel (>= 7.3) has no unencrypted TCP to warn about. Elsewhere TCP stays.
    - :meth:`shutdown_kernel` sends no SIGINT before the shutdown request: papermill shuts a
      kernel down only once every cell has replied, so there is nothing to interrupt, and the
      signal would land in the handler still finishing its reply. A kernel that does not stop is
      still terminated, then killed, after ``shutdown_wait_time``.
    """

    @default("transport")
    def _default_transport(self):
        return "ipc" if os.name == "posix" else "tcp"

    @default("ip")
    def _default_ip(self):
        if self.transport != "ipc":
            return super()._ip_default()
        # sockets are "<ip>-<n>"; cleanup_ipc_files removes them when the kernel is shut down
        return os.path.join(tempfile.gettempdir(), f"opsanalysis-kernel-{os.urandom(6).hex()}")

    async def _async_interrupt_kernel(self):
        if self.shutting_down:  # set by shutdown_kernel, before it interrupts
            return
        await super()._async_interrupt_kernel()


@dataclass
class NotebookResult:
    """Outcome of one notebook for one marketplace, or of a run-level notebook (``scope``
    "run", ``marketplace`` :data:`RUN_FOLDER`); paths relative to the run folder."""

    marketplace: str
    notebook: str
    status: str  # one of NOTEBOOK_STATUSES
    duration_s: float
    error: str | None = None
    notebook_file: str | None = None
    html_file: str | None = None
    tables: list[str] = field(default_factory=list)
    parameters: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    scope: str = "marketplace"  # one of NOTEBOOK_SCOPES


def notebook_parameters(notebook) -> list[str]:
    """Names assigned in a notebook's cell tagged ``parameters``, in order.

    Parameters
    ----------
    notebook : str or Path

    Returns
    -------
    list of str
        Empty when no cell is tagged ``parameters``.

    Raises
    ------
    ValueError
        When the file is no notebook or its parameters cell is no Python.
    """
    import ast
    import json

    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{notebook}: not a readable notebook ({error})") from None
    names = []
    for cell in cells:
        if "parameters" not in (cell.get("metadata") or {}).get("tags", []):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        try:
            tree = ast.parse(source)
        except SyntaxError as error:
            raise ValueError(f"{notebook}: parameters cell is not Python: {error}") from None
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, ast.AnnAssign) else []
            names += [target.id for target in targets if isinstance(target, ast.Name)]
    return names


def notebook_scope(notebook) -> str:
    """"run" when the notebook's parameters cell declares ``marketplaces`` (one execution per
    run, :data:`RUN_PARAMETERS`), else "marketplace" (one per marketplace). A notebook that
    cannot be read is "marketplace": each marketplace's run of it then fails with papermill's
    message, as before run-level notebooks existed."""
    try:
        names = notebook_parameters(notebook)
    except ValueError:
        return "marketplace"
    return "run" if "marketplaces" in names else "marketplace"


def _manager_with_environment(environment: dict):
    """:class:`QuietKernelManager` whose kernel gets ``environment`` on top of this process's.

    The variables go to the kernel's own process only, so notebooks started side by side from
    threads of one process cannot see each other's values (``os.environ`` is shared).
    """
    class _Manager(QuietKernelManager):
        async def _async_pre_start_kernel(self, **kw):
            kw["env"] = {**kw.get("env", os.environ), **environment}
            return await super()._async_pre_start_kernel(**kw)

    return _Manager


def execute_notebook(notebook, output_notebook, parameters, cwd=None,
                     environment=None) -> tuple[str, str | None]:
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
    environment : dict of str to str, optional
        Extra environment variables of the kernel's process (not of this process).

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
                kernel_manager_class=(_manager_with_environment(environment) if environment
                                      else QuietKernelManager), **engine_kwargs)
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


def _html_exporter():
    """One exporter per thread: loading the templates costs more than a conversion, and
    exporters keep per-conversion state, so dask threads must not share one."""
    return _html_exporter_for_thread(threading.get_ident())


@functools.lru_cache(maxsize=16)
def _html_exporter_for_thread(thread_id):
    from nbconvert import HTMLExporter

    return HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True)


def run_one_notebook(template, parameters, output_dir, run_dir,
                     file_warnings=()) -> NotebookResult:
    """Execute ``template`` into ``output_dir``, export its HTML and list the tables it wrote.

    Parameters
    ----------
    template : Path
        Report notebook.
    parameters : dict
        The standard parameters (``report_context.STANDARD_PARAMETERS``), or a run-level
        notebook's :data:`RUN_PARAMETERS` (no ``marketplace``: the result's marketplace is
        :data:`RUN_FOLDER` and its scope "run").
    output_dir : Path
        The marketplace's folder of the run, or the run-level folder (the kernel's working
        directory).
    run_dir : Path
        The run folder; the result's paths are relative to it.
    file_warnings : sequence of str
        Files of the marketplace that were not read ("file: reason"); they make an ``ok``
        notebook "ok with warnings".

    Returns
    -------
    NotebookResult
    """
    from opsanalysis.report_context import WARNINGS_FILE_ENV

    started = time.perf_counter()
    # each notebook its own warnings file: notebooks of one marketplace may run side by side
    warnings_file = output_dir / f".notebook-warnings-{template.stem}.txt"
    warnings_file.unlink(missing_ok=True)
    before = set(output_dir.iterdir())
    executed = output_dir / template.name
    status, error = execute_notebook(template, executed, parameters, cwd=output_dir,
                                     environment={WARNINGS_FILE_ENV: warnings_file.name})
    recorded = warnings_file.read_text(encoding="utf-8").splitlines() if \
        warnings_file.is_file() else []
    warnings_file.unlink(missing_ok=True)
    notes = [*file_warnings, *dict.fromkeys(line for line in recorded if line.strip())]
    if status == "ok" and notes:
        status = "ok with warnings"
    html_file = None
    marketplace = parameters.get("marketplace", RUN_FOLDER)
    if executed.exists():
        try:
            html_file = export_html(executed, executed.with_suffix(".html"),
                                    title=f"{marketplace} {template.stem}")
        except Exception as export_error:  # keep the executed notebook; report the export
            status = "failed"
            error = error or f"HTML export: {type(export_error).__name__}: {export_error}"
    written = _tables_written(output_dir, before, template.stem,
                              {executed, executed.with_suffix(".html")})
    return NotebookResult(
        marketplace=marketplace,
        notebook=template.stem,
        status=status,
        duration_s=round(time.perf_counter() - started, 2),
        error=error,
        notebook_file=_relative(executed, run_dir) if executed.exists() else None,
        html_file=_relative(html_file, run_dir) if html_file else None,
        tables=[_relative(path, run_dir) for path in written],
        parameters=dict(parameters),
        warnings=notes,
        scope="marketplace" if "marketplace" in parameters else "run",
    )


def _tables_written(output_dir, before, stem, own_files) -> list:
    """The tables a notebook wrote: new files named after it (``<stem>.xlsx``, ``<stem>_*.csv``).

    The name matters, not only the time: other notebooks of the marketplace may write into the
    same folder while this one runs (``--jobs`` > 1), and batch files (the data and plan caches)
    are no tables.
    """
    return sorted(path for path in set(output_dir.iterdir()) - before - set(own_files)
                  if path.name.startswith((f"{stem}.", f"{stem}_")))


def _relative(path, run_dir) -> str:
    return Path(path).relative_to(run_dir).as_posix()

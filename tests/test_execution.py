"""Notebook execution: kernel start-up retries, and quiet kernels (no TCP warning, no
KeyboardInterrupt at shutdown) that still let real errors through."""

import asyncio
import os
import signal

import nbformat
import pytest
from jupyter_client.manager import AsyncKernelManager

from opsanalysis import execution


def _papermill_failing(errors, monkeypatch):
    """papermill.execute_notebook raising ``errors`` one after another, then succeeding."""
    import papermill

    calls = []

    def execute(*args, **kwargs):
        calls.append(args)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    return calls


def test_a_kernel_that_dies_at_start_is_started_again(tmp_path, monkeypatch):
    calls = _papermill_failing([RuntimeError("ZMQError: Address already in use")], monkeypatch)
    status, error = execution.execute_notebook("in.ipynb", tmp_path / "out.ipynb", {})
    assert (status, error, len(calls)) == ("ok", None, 2)


def test_kernel_start_is_tried_a_bounded_number_of_times(tmp_path, monkeypatch):
    errors = [RuntimeError("Kernel died before replying to kernel_info")] * 5
    calls = _papermill_failing(errors, monkeypatch)
    status, error = execution.execute_notebook("in.ipynb", tmp_path / "out.ipynb", {})
    assert status == "failed" and "kernel_info" in error
    assert len(calls) == execution.KERNEL_START_ATTEMPTS


def test_other_failures_are_not_retried(tmp_path, monkeypatch):
    calls = _papermill_failing([ValueError("bad notebook JSON")], monkeypatch)
    status, error = execution.execute_notebook("in.ipynb", tmp_path / "out.ipynb", {})
    assert (status, error, len(calls)) == ("failed", "ValueError: bad notebook JSON", 1)


KERNEL_NOISE = ("without encryption", "KeyboardInterrupt")


def _tiny_notebook(path, *sources):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    parameters = nbformat.v4.new_code_cell('as_of = ""')
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, *map(nbformat.v4.new_code_cell, sources)]
    nbformat.write(notebook, str(path))
    return path


def test_a_successful_notebook_leaves_no_kernel_noise_on_stderr(tmp_path, capfd):
    # the kernel is a child process writing to the inherited file descriptor 2: capfd sees it
    notebook = _tiny_notebook(tmp_path / "quiet.ipynb", "import sys\nprint('as_of=' + as_of)")
    for run in range(2):  # noise at shutdown is a race: more than one kernel
        status, error = execution.execute_notebook(
            notebook, tmp_path / f"out{run}.ipynb", {"as_of": "2026-10-15"}, cwd=tmp_path)
        assert (status, error) == ("ok", None)
    assert "as_of=2026-10-15" in (tmp_path / "out0.ipynb").read_text(encoding="utf-8")
    stderr = capfd.readouterr().err
    assert not [line for line in stderr.splitlines() if any(s in line for s in KERNEL_NOISE)]


def test_errors_of_a_notebook_still_reach_stderr(tmp_path, capfd):
    notebook = _tiny_notebook(tmp_path / "loud.ipynb",
                              "import sys\nprint('kept on stderr', file=sys.__stderr__)",
                              "raise ValueError('a cell failed')")
    status, error = execution.execute_notebook(notebook, tmp_path / "out.ipynb", {})
    assert (status, error) == ("failed", "ValueError: a cell failed")
    assert "kept on stderr" in capfd.readouterr().err


@pytest.mark.skipif(os.name != "posix", reason="IPC transport is POSIX only; TCP elsewhere")
def test_kernel_sockets_are_short_unique_ipc_paths():
    manager = execution.QuietKernelManager(kernel_name=execution.KERNEL_NAME)
    assert manager.transport == "ipc" and os.path.isabs(manager.ip)
    assert len(manager.ip) + 3 < 104  # Unix socket path limit (macOS 104, Linux 108 bytes)
    # a second manager must not share the socket paths of the first
    assert execution.QuietKernelManager(kernel_name=execution.KERNEL_NAME).ip != manager.ip


def _signals_sent_on_shutdown(manager_class):
    """Signals a kernel started by ``manager_class`` receives while it is shut down."""
    async def start_and_stop():
        manager = manager_class(kernel_name=execution.KERNEL_NAME)
        await manager.start_kernel()
        client = manager.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        sent = []
        original = manager._async_signal_kernel

        async def record(signum):
            sent.append(signum)
            await original(signum)

        manager._async_signal_kernel = record
        await manager.shutdown_kernel()
        client.stop_channels()
        return sent, manager

    return asyncio.run(start_and_stop())


def test_shutdown_sends_no_interrupt_to_the_kernel():
    sent, manager = _signals_sent_on_shutdown(AsyncKernelManager)
    assert signal.SIGINT in sent  # what jupyter_client does by default
    sent, manager = _signals_sent_on_shutdown(execution.QuietKernelManager)
    assert signal.SIGINT not in sent
    if manager.transport == "ipc":  # the sockets were removed with the kernel
        folder, prefix = os.path.split(manager.ip)
        assert not [name for name in os.listdir(folder) if name.startswith(prefix)]


def test_notebooks_side_by_side_in_one_folder_keep_their_own_tables_and_warnings(tmp_path):
    """--jobs > 1 runs notebooks of one marketplace at once in its folder: each result lists
    only the tables named after it and only the warnings its own kernel recorded."""
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    templates, output = tmp_path / "templates", tmp_path / "run" / "US"
    templates.mkdir()
    output.mkdir(parents=True)
    code = ("import time\nfrom pathlib import Path\nfrom opsanalysis.report_context import "
            "ReportContext\n(Path.cwd() / '{stem}_table.csv')"
            ".write_text('a\\n1\\n')\ntime.sleep(1.5)\nReportContext(None, None, {{}}, None, "
            "'en', Path.cwd()).warn('warning of {stem}')")
    stems = ["first_report", "second_report"]
    notebooks = [_tiny_notebook(templates / f"{s}.ipynb", code.format(stem=s)) for s in stems]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(
            lambda path: execution.run_one_notebook(
                Path(path), {"as_of": "", "marketplace": "US"}, output, tmp_path / "run"),
            notebooks))
    for stem, result in zip(stems, results, strict=True):
        assert result.status == "ok with warnings", result.error
        assert result.tables == [f"US/{stem}_table.csv"]
        assert result.warnings == [f"warning of {stem}"]
    assert not list(output.glob(".notebook-warnings*"))

"""Benchmark of the batch runner: the bundled sample, or a generated real-size seller folder.

Usage::

    .venv/bin/python benchmarks/batch.py                 # sample, every report notebook
    .venv/bin/python benchmarks/batch.py --notebook marketplace_overview
    .venv/bin/python benchmarks/batch.py --overhead-only
    .venv/bin/python benchmarks/batch.py --size large    # 2,500 SKUs, 26 months, --jobs 2
    .venv/bin/python benchmarks/batch.py --size large --data-dir DIR   # reuse / keep a folder
    .venv/bin/python benchmarks/batch.py --cadence daily # one run per sample marketplace

Prints markdown tables (copy them into the README). Runs write into a temporary folder, never
into reports/. ``--size sample`` runs the bundled sample (4 marketplaces) with --jobs 1 and
--jobs 2 and measures the per-notebook overhead with an empty notebook (only the parameters
cell: kernel start + papermill + HTML export and nothing else). ``--size large`` first writes a
real-size folder with :mod:`large_folder` (the sample world scaled to 2,500 SKUs, every report
kind the notebooks read; generation is timed apart) and runs every notebook on it once with
``--jobs 2``. Both give the time of each notebook and the peak memory of the run: the resident
memory summed over this process and every process under it (pool workers, notebook kernels),
sampled every 0.2 s with psutil (shared pages count once per process, so it errs high).
Targets: issue 2 (overview notebooks, sample, 2-core machine): whole sample < 120 s, overhead
< 5 s, --jobs 2 at least 1.6x faster than --jobs 1; issue 14 (large): every notebook ok,
< 5 min with --jobs 2, < 4 GB. ``--cadence daily|weekly|monthly`` runs ``opsanalysis run
--cadence`` on the sample once per marketplace (``-m <MP>``, --jobs 1), so each run's wall time
is that marketplace's whole cadence: folder read, kernels, HTML, index (issue 19: daily < 20 s
per marketplace).
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

from opsanalysis import batch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import large_folder  # noqa: E402  (a module beside this script, not in the package)

PARAMETERS_CELL = "\n".join(f"{name}: str = {value!r}" for name, value in (
    ("marketplace", "US"), ("data_dir", ""), ("params_dir", ""), ("as_of", ""),
    ("language", "en"), ("output_dir", "")))


class PeakMemory:
    """Peak resident memory [bytes] of this process and all its descendants, summed, sampled
    every ``interval`` seconds in a thread while the ``with`` block runs."""

    def __init__(self, interval=0.2):
        self.interval, self.peak, self.peak_single = interval, 0, 0
        self.at_peak = []  # (process, RSS [bytes]) at the summed peak, largest first
        self._stop = threading.Event()

    def _sample(self):
        root = psutil.Process()
        while not self._stop.is_set():
            sizes = []
            for process in [root, *root.children(recursive=True)]:
                try:
                    sizes.append((_process_name(process, root), process.memory_info().rss))
                except psutil.Error:  # ended between listing and reading
                    pass
            total = sum(size for _, size in sizes)
            if total > self.peak:
                self.peak, self.at_peak = total, sorted(sizes, key=lambda item: -item[1])
            self.peak_single = max([self.peak_single, *(size for _, size in sizes)])
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _process_name(process, root):
    """What a process of the run is: this process, a notebook's kernel (named by the warnings
    file the batch gives it), a pool worker or a worker's child (folder read, plan)."""
    from opsanalysis.report_context import WARNINGS_FILE_ENV

    if process.pid == root.pid:
        return "batch"
    if "ipykernel" in " ".join(process.cmdline()):
        name = process.environ().get(WARNINGS_FILE_ENV, "")
        return f"kernel {Path(name).stem.removeprefix('.notebook-warnings-') or '?'}"
    return "pool worker" if process.ppid() == root.pid else "worker child (read / plan)"


def time_run(notebooks, jobs, out_dir, data_dir=""):
    """Wall time [s] of one batch run over every marketplace of ``data_dir`` (default the
    sample), its result and its peak memory (:class:`PeakMemory`)."""
    with PeakMemory() as memory:
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        result = batch.run(data_dir=batch.resolve_data_dir(data_dir), out_dir=out_dir, jobs=jobs,
                           notebooks=notebooks, progress=False)
        seconds = time.perf_counter() - started
    memory.cpu_seconds = _cpu_seconds() - cpu_started
    return seconds, result, memory


def _cpu_seconds():
    """CPU time [s] of this process and of its ended (waited-for) descendants: kernels and pool
    workers are waited for, so after a run it holds the run's whole CPU time. On a shared
    machine it says what the wall time would be on an idle one (CPU time / cores used)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def notebook_table(result):
    """Markdown rows: seconds and status of each notebook of each marketplace."""
    lines = ["| marketplace | notebook | seconds | status | error |", "|---|---|---|---|---|"]
    for item in result.results:
        error = (item.error or "").splitlines()[0][:160] if item.error else ""
        lines.append(f"| {item.marketplace} | {item.notebook} | {item.duration_s:.1f} | "
                     f"{item.status} | {error} |")
    return lines


def machine_line():
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    memory = psutil.virtual_memory().total / 2**30
    return (f"Machine: {os.cpu_count()} CPUs, {memory:.0f} GB, Python {sys.version.split()[0]}; "
            f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; "
            f"load average (1, 5, 15 min) {load}")


def measure_overhead(work_dir, repeats=3):
    """Medians [s] of kernel start + execution and of HTML export of an empty notebook, and the
    first (cold: templates loaded once per process) export."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    cell = nbformat.v4.new_code_cell(PARAMETERS_CELL)
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell]
    template = Path(work_dir) / "empty.ipynb"
    nbformat.write(notebook, str(template))
    execute, export = [], []
    for repeat in range(repeats):
        executed = Path(work_dir) / f"empty-{repeat}.ipynb"
        started = time.perf_counter()
        status, error = batch.execute_notebook(template, executed, {"marketplace": "US"},
                                               cwd=work_dir)
        if status != "ok":
            raise RuntimeError(f"empty notebook failed: {error}")
        middle = time.perf_counter()
        batch.export_html(executed, executed.with_suffix(".html"))
        execute.append(middle - started)
        export.append(time.perf_counter() - middle)
    return statistics.median(execute), statistics.median(export), export[0]


def run_sample(arguments, notebooks):
    """The bundled sample: overhead, --jobs 1 and --jobs 2, per-notebook times (--jobs 2)."""
    marketplaces = batch.discover_marketplaces("")
    rows, per_notebook = [], []
    with tempfile.TemporaryDirectory(prefix="opsanalysis-bench-") as work:
        execute, export, cold_export = measure_overhead(work)
        rows.append(("per-notebook overhead: kernel start + papermill (empty notebook)",
                     f"{execute:.2f} s", "< 5 s with export"))
        rows.append(("per-notebook overhead: HTML export (empty notebook)", f"{export:.2f} s",
                     f"first export in a process {cold_export:.2f} s; "
                     f"total {execute + export:.2f} s"))
        if not arguments.overhead_only:
            timings = {}
            for jobs in (1, 2):
                seconds, result, memory = time_run(notebooks, jobs, Path(work) / f"jobs{jobs}")
                timings[jobs] = seconds
                rows.append((f"whole sample, --jobs {jobs} ({len(marketplaces)} marketplaces x "
                             f"{len(notebooks)} notebooks)", f"{seconds:.1f} s",
                             f"status {result.status}; CPU {memory.cpu_seconds:.0f} s; "
                             "peak memory "
                             f"{memory.peak / 2**30:.2f} GB (largest process "
                             f"{memory.peak_single / 2**30:.2f} GB)"))
            per_notebook = notebook_table(result)
            rows.append(("speed-up --jobs 2 vs --jobs 1", f"{timings[1] / timings[2]:.2f}x",
                         "target >= 1.6x"))
    return rows, per_notebook


def run_cadence(arguments):
    """One ``--cadence`` run per sample marketplace (jobs 1): wall and CPU time of each."""
    rows, per_notebook = [], []
    target = {"daily": "target < 20 s per marketplace"}.get(arguments.cadence, "")
    with tempfile.TemporaryDirectory(prefix="opsanalysis-bench-") as work:
        for code in batch.discover_marketplaces(""):
            with PeakMemory() as memory:
                started, cpu_started = time.perf_counter(), _cpu_seconds()
                result = batch.run([code], out_dir=Path(work) / code, jobs=1, progress=False,
                                   cadence=arguments.cadence)
                seconds = time.perf_counter() - started
            cpu = _cpu_seconds() - cpu_started
            notebooks = ", ".join(dict.fromkeys(r.notebook for r in result.results))
            rows.append((f"--cadence {arguments.cadence}, {code} ({notebooks})",
                         f"{seconds:.1f} s", f"status {result.status}; CPU {cpu:.0f} s; "
                         f"peak memory {memory.peak / 2**30:.2f} GB; {target}"))
            per_notebook += notebook_table(result)[2 if per_notebook else 0:]
    return rows, per_notebook


def run_large(arguments, notebooks):
    """A generated 2,500-SKU folder (kept when --data-dir is given), every notebook, --jobs 2."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="opsanalysis-bench-") as work:
        data_dir = Path(arguments.data_dir or Path(work) / "data")
        if not any(data_dir.glob("*/*")):
            # in its own interpreter: the simulated world must not weigh on the measured memory
            started = time.perf_counter()
            done = subprocess.run([sys.executable, large_folder.__file__, str(data_dir),
                                   "--skus", str(arguments.skus)],
                                  capture_output=True, text=True, check=True)
            rows.append(("generate the folder (not part of the run)",
                         f"{time.perf_counter() - started:.0f} s", done.stdout.strip()))
        else:
            files = [path for path in data_dir.glob("*/*") if path.is_file()]
            size = sum(path.stat().st_size for path in files) / 2**20
            rows.append(("folder (reused)", str(data_dir), f"{len(files)} files, {size:.0f} MiB"))
        seconds, result, memory = time_run(notebooks, arguments.jobs, Path(work) / "out",
                                           str(data_dir))
        codes = batch.discover_marketplaces(data_dir)
        rows.append((f"large folder, --jobs {arguments.jobs} ({len(codes)} marketplace x "
                     f"{len(notebooks)} notebooks)", f"{seconds:.1f} s",
                     f"status {result.status}; target < 300 s"))
        rows.append(("CPU time of the run, all processes", f"{memory.cpu_seconds:.0f} s",
                     "load-independent: the run's cost; with --jobs 2 the notebooks of the "
                     "one marketplace run side by side once its plan is computed"))
        rows.append(("peak memory, this process + pool workers + kernels (sum of RSS)",
                     f"{memory.peak / 2**30:.2f} GB",
                     f"largest single process {memory.peak_single / 2**30:.2f} GB; "
                     "target < 4 GB; at the peak: " + ", ".join(
                         f"{name} {size / 2**30:.2f}" for name, size in memory.at_peak)))
    return rows, notebook_table(result)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("sample", "large"), default="sample")
    parser.add_argument("--notebook", action="append", metavar="NAME",
                        help="only these notebooks (stem), e.g. marketplace_overview")
    parser.add_argument("--overhead-only", action="store_true")
    parser.add_argument("--cadence", metavar="NAME",
                        help="time `opsanalysis run --cadence NAME` on each sample marketplace")
    parser.add_argument("--jobs", type=int, default=2, help="large: local processes")
    parser.add_argument("--skus", type=int, default=2500, help="large: SKUs in the folder")
    parser.add_argument("--data-dir", help="large: folder to write (or reuse) instead of a "
                                           "temporary one")
    arguments = parser.parse_args(argv)
    notebooks = batch.discover_notebooks()
    if arguments.notebook:
        notebooks = [path for path in notebooks if path.stem in arguments.notebook]
    before = machine_line()
    if arguments.cadence:
        notebooks = batch.cadence_notebooks(arguments.cadence, notebooks)
        rows, per_notebook = run_cadence(arguments)
    else:
        run = run_large if arguments.size == "large" else run_sample
        rows, per_notebook = run(arguments, notebooks)
    print(f"{before}\nafter: {machine_line()}\nnotebooks: "
          f"{', '.join(p.stem for p in notebooks)}\n")
    print("| measure | value | note |")
    print("|---|---|---|")
    for measure, value, note in rows:
        print(f"| {measure} | {value} | {note} |")
    if per_notebook:
        print("\n" + "\n".join(per_notebook))


if __name__ == "__main__":
    main()

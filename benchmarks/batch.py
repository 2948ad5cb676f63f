"""Benchmark of the batch runner: whole sample with --jobs 1 and --jobs 2, per-notebook overhead.

Usage::

    .venv/bin/python benchmarks/batch.py                 # every report notebook
    .venv/bin/python benchmarks/batch.py --notebook marketplace_overview
    .venv/bin/python benchmarks/batch.py --overhead-only

Prints a markdown table (copy it into the README). Runs write into a temporary folder, never
into reports/. The per-notebook overhead is measured with an empty notebook (only the
parameters cell), so it is kernel start + papermill + HTML export and nothing else.
Targets (issue 2, overview notebooks only, 2-core machine): whole sample < 120 s,
overhead < 5 s, --jobs 2 at least 1.6x faster than --jobs 1.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from opsanalysis import batch

PARAMETERS_CELL = "\n".join(f"{name}: str = {value!r}" for name, value in (
    ("marketplace", "US"), ("data_dir", ""), ("params_dir", ""), ("as_of", ""),
    ("language", "en"), ("output_dir", "")))


def time_run(notebooks, jobs, out_dir):
    """Wall time [s] of one batch run over every sample marketplace, and its status."""
    started = time.perf_counter()
    result = batch.run(data_dir=batch.resolve_data_dir(""), out_dir=out_dir, jobs=jobs,
                       notebooks=notebooks, progress=False)
    return time.perf_counter() - started, result


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", action="append", metavar="NAME",
                        help="only these notebooks (stem), e.g. marketplace_overview")
    parser.add_argument("--overhead-only", action="store_true")
    arguments = parser.parse_args(argv)
    notebooks = batch.discover_notebooks()
    if arguments.notebook:
        notebooks = [path for path in notebooks if path.stem in arguments.notebook]
    marketplaces = batch.discover_marketplaces("")
    rows = []
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
                seconds, result = time_run(notebooks, jobs, Path(work) / f"jobs{jobs}")
                timings[jobs] = seconds
                rows.append((f"whole sample, --jobs {jobs} ({len(marketplaces)} marketplaces x "
                             f"{len(notebooks)} notebooks)", f"{seconds:.1f} s",
                             f"status {result.status}"))
            rows.append(("speed-up --jobs 2 vs --jobs 1", f"{timings[1] / timings[2]:.2f}x",
                         "target >= 1.6x"))
    print(f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; notebooks: "
          f"{', '.join(p.stem for p in notebooks)}\n")
    print("| measure | value | note |")
    print("|---|---|---|")
    for measure, value, note in rows:
        print(f"| {measure} | {value} | {note} |")


if __name__ == "__main__":
    main()

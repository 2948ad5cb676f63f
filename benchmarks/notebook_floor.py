"""The CPU floor of one report notebook: kernel, imports, one figure, HTML (issue 21 item 4).

Usage::

    .venv/bin/python benchmarks/notebook_floor.py [--repeats 3]

Executes, like the batch does (:func:`opsanalysis.batch.execute_notebook` then
:func:`opsanalysis.batch.export_html`, one kernel process each time), three notebooks that
compute nothing:

* ``empty``: only the parameters cell (the batch's own overhead);
* ``imports``: what every report notebook's kernel imports on its way (``%matplotlib inline``,
  ``opsanalysis`` and a sections module, the data cache reader, params, the label files, the
  workbook writer), one small line chart drawn inline, then the HTML export;
* ``imports + scipy``: the same plus ``opsanalysis.replenishment`` (scipy.stats), which the
  replenishment and opportunity reports load (the plan);
* ``imports, labels read with libyaml``: ``imports`` with the label files parsed by libyaml's
  loader (the notebook swaps ``yaml.SafeLoader`` before the labels load), to price that change.

For each it prints the median CPU seconds (user + system of this process and of the kernel
processes it waited for, :func:`resource.getrusage`) and wall seconds. The floor of a batch is
then ``notebooks x floor / cores``: no notebook of the batch can cost less than ``imports``.
"""

import argparse
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from opsanalysis import batch

PARAMETERS = "\n".join(f"{name}: str = {value!r}" for name, value in (
    ("marketplace", "US"), ("data_dir", ""), ("params_dir", ""), ("as_of", ""),
    ("language", "en"), ("output_dir", "")))

IMPORTS = """%matplotlib inline
import opsanalysis as oa
from opsanalysis import opportunity_sections as sections"""

# what prepare() and the sections import and load in every kernel, without reading data
LOADED = """from opsanalysis import export, io, params, report_context, section
from opsanalysis.plotting import fonts
fonts.setup_chart_fonts()
params.load(marketplace, None)["language"], oa.labels.label("sessions", language)"""

FIGURE = """import matplotlib.pyplot as plt
_ = plt.subplots(figsize=(9, 3.5))[1].plot(range(28), [day % 7 for day in range(28)])"""

SCIPY = "import opsanalysis.replenishment"

# the label files parsed with libyaml (as params.py already does), to price that change
LIBYAML = "import yaml\nyaml.SafeLoader = yaml.CSafeLoader"

VARIANTS = {
    "empty": [],
    "imports": [IMPORTS, LOADED, FIGURE],
    "imports + scipy": [IMPORTS, LOADED, SCIPY, FIGURE],
    "imports, labels read with libyaml": [IMPORTS, LIBYAML, LOADED, FIGURE],
}


def notebook_of(cells):
    """A notebook of the parameters cell then ``cells`` (kernel ``python3``)."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    parameters = nbformat.v4.new_code_cell(PARAMETERS)
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, *(nbformat.v4.new_code_cell(source) for source in cells)]
    return notebook


def cpu_seconds():
    """User + system CPU [s] of this process and of its waited-for children."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(template, work, repeats):
    """Median CPU [s] and wall [s] of executing ``template`` and exporting its HTML."""
    cpu, wall = [], []
    for repeat in range(repeats):
        executed = Path(work) / f"{template.stem}-{repeat}.ipynb"
        started, started_cpu = time.perf_counter(), cpu_seconds()
        status, error = batch.execute_notebook(template, executed, {"marketplace": "US"},
                                               cwd=work)
        if status != "ok":
            raise RuntimeError(f"{template.name} failed: {error}")
        batch.export_html(executed, executed.with_suffix(".html"))
        cpu.append(cpu_seconds() - started_cpu)
        wall.append(time.perf_counter() - started)
    return statistics.median(cpu), statistics.median(wall)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="opsanalysis-floor-") as work:
        # a first, unmeasured export loads nbconvert's templates, as the batch's first does
        warm = Path(work) / "warm.ipynb"
        nbformat.write(notebook_of([]), str(warm))
        measure(warm, work, 1)
        print("| notebook | CPU s (median) | wall s (median) |\n|---|---|---|")
        for name, cells in VARIANTS.items():
            template = Path(work) / (re.sub(r"\W+", "_", name) + ".ipynb")
            nbformat.write(notebook_of(cells), str(template))
            cpu, wall = measure(template, work, arguments.repeats)
            print(f"| {name} | {cpu:.2f} | {wall:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

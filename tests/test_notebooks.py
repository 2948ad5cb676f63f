"""Notebook harness: every ``notebooks/*.ipynb`` through papermill on the bundled sample.

Each notebook runs once per case (US in English, JP in Chinese) through the batch runner, into a
temporary folder; the tests then check what it left: no error cell, an HTML report, and non-empty
tables. Static checks hold every notebook to the conventions of the team contract (one
``parameters`` cell with the standard annotated literals, kernel ``python3``, no ``def``/``class``,
nbval-checked cells tagged so that nbval really compares them, outputs committed).

New report notebooks are picked up automatically.
"""

import ast
import csv
import json
import re

import nbformat
import openpyxl
import pytest

from opsanalysis import batch

ALL_NOTEBOOKS = batch.discover_notebooks()
#: Report notebooks run once per marketplace; the run-level ones (a ``marketplaces`` parameter,
#: such as the portfolio) run once per run and are checked apart.
NOTEBOOKS = [path for path in ALL_NOTEBOOKS if batch.notebook_scope(path) == "marketplace"]
RUN_NOTEBOOKS = [path for path in ALL_NOTEBOOKS if batch.notebook_scope(path) == "run"]
CASES = {"US": "en", "JP": "zh"}
STANDARD = {"marketplace": "US", "data_dir": "", "params_dir": "", "as_of": "",
            "language": "en", "output_dir": ""}
#: A run-level notebook's parameters (its ``marketplaces`` default is its own choice).
RUN_STANDARD = {"data_dir": "", "params_dir": "", "as_of": "", "language": "en",
                "output_dir": ""}
# nbval compares only cells tagged "nbval-check-output" (or "# NBVAL_CHECK_OUTPUT") under
# --nbval-lax; the team's short tag "nbval-check" alone would be silently ignored by nbval.
NBVAL_TAG, NBVAL_COMPARED_TAG = "nbval-check", "nbval-check-output"
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
IDS = [path.stem for path in NOTEBOOKS]
ALL_IDS = [path.stem for path in ALL_NOTEBOOKS]
#: imports, parameters, prepare, one call per section, the workbook (issue 16)
MAX_CODE_CELLS = 15


@pytest.fixture(scope="session")
def notebook_runs(sample_run):
    """The shared batch run of the sample (conftest ``sample_run``), by case: each case's
    language is its marketplace's params language (checked by the tests below)."""
    return {code: sample_run for code in CASES}


def _result(notebook_runs, code, notebook):
    (result,) = [r for r in notebook_runs[code].results
                 if r.notebook == notebook.stem and r.marketplace == code]
    return notebook_runs[code].run_dir, result


def _code_source(cell):
    """Cell source without IPython magics / shell lines, so ast can parse it."""
    return "\n".join(line for line in cell.source.splitlines()
                     if not line.lstrip().startswith(("%", "!")))


def test_the_overview_notebook_is_there():
    assert "marketplace_overview" in IDS


def test_the_cadence_notebooks_are_there():
    assert {"morning_check", "monthly_review"} <= set(IDS)


@pytest.mark.parametrize("notebook", ALL_NOTEBOOKS, ids=ALL_IDS)
def test_notebook_conventions(notebook):
    content = nbformat.read(str(notebook), as_version=4)
    assert content.metadata["kernelspec"]["name"] == "python3"
    parameter_cells = [c for c in content.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameter_cells) == 1, "exactly one cell tagged 'parameters'"
    values = {}
    for statement in ast.parse(parameter_cells[0].source).body:
        assert isinstance(statement, ast.AnnAssign), "parameters are annotated literals"
        assert isinstance(statement.value, ast.Constant), "parameters are annotated literals"
        values[statement.target.id] = statement.value.value
    if batch.notebook_scope(notebook) == "run":
        assert {name: values.get(name) for name in RUN_STANDARD} == RUN_STANDARD
        assert isinstance(values.get("marketplaces"), str)
    else:
        assert {name: values.get(name) for name in STANDARD} == STANDARD
    code_cells = [c for c in content.cells if c.cell_type == "code"]
    assert len(code_cells) <= MAX_CODE_CELLS, \
        f"{len(code_cells)} code cells: a report notebook is one call per section (<= {MAX_CODE_CELLS})"
    for cell in code_cells:
        tree = ast.parse(_code_source(cell))
        for node in ast.walk(tree):
            assert not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda), \
                f"no def/class/lambda in notebooks (move it into the package): {cell.source[:80]}"
            # presentation lives in the section modules: a loop or branch in a cell is logic
            assert not isinstance(node, ast.For | ast.While | ast.If | ast.IfExp | ast.comprehension), \
                f"no loops or ifs in notebooks (move it into a section function): {cell.source[:80]}"
        assert "os.path" not in cell.source and "Path(" not in cell.source, \
            "no hand-built paths in notebooks: use package helpers"
        tags = cell.metadata.get("tags", [])
        if NBVAL_TAG in tags:
            assert NBVAL_COMPARED_TAG in tags, f"tag {NBVAL_TAG!r} cells also {NBVAL_COMPARED_TAG!r}"
        if NBVAL_COMPARED_TAG in tags:
            assert cell.outputs, "a checked cell must be committed with its output"
            # text or sections (display_data whose text/plain is fixed-width text), never the
            # repr of a returned object (a DataFrame repr changes with pandas' display options)
            assert all(o.output_type in ("stream", "display_data") for o in cell.outputs), \
                "checked cells print text or show sections (no DataFrame reprs)"
        assert all(o.output_type != "error" for o in cell.get("outputs", [])), \
            "committed notebook has an error output"
    assert any(NBVAL_COMPARED_TAG in c.metadata.get("tags", []) for c in code_cells), \
        "at least one cell is compared by nbval"
    if any("plot" in c.source for c in code_cells):
        # CI and make export MPLBACKEND=Agg, which kernels inherit: without the inline backend
        # the figures would silently be missing from the HTML reports
        assert "%matplotlib inline" in code_cells[0].source, \
            "a notebook that draws starts with %matplotlib inline"


@pytest.mark.notebooks
@pytest.mark.parametrize("code", list(CASES))
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=IDS)
def test_notebook_runs_without_error(notebook_runs, notebook, code):
    run_dir, result = _result(notebook_runs, code, notebook)
    assert result.status == "ok", result.error
    executed = nbformat.read(str(run_dir / result.notebook_file), as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    assert executed.metadata["papermill"]["parameters"]["language"] == CASES[code]
    page = (run_dir / result.html_file).read_text(encoding="utf-8")
    assert len(page) > 1000 and "Traceback" not in page
    # charts either have a CJK font or fall back to English: never rows of glyph warnings
    assert "missing from font" not in page
    assert "injected-parameters" not in page or "marketplace = " not in page  # no code shown


@pytest.mark.notebooks
@pytest.mark.parametrize("code", list(CASES))
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=IDS)
def test_notebook_writes_tables(notebook_runs, notebook, code):
    run_dir, result = _result(notebook_runs, code, notebook)
    csv_files = [run_dir / t for t in result.tables if t.endswith(".csv")]
    workbooks = [run_dir / t for t in result.tables if t.endswith(".xlsx")]
    assert csv_files and len(workbooks) == 1, f"tables written: {result.tables}"
    assert all(path.name.startswith(notebook.stem) for path in csv_files + workbooks)
    headers, data_rows = [], 0
    for path in csv_files:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows and rows[0], f"{path.name} has no header"
        headers += rows[0]
        data_rows += len(rows) - 1
    # a table may be legitimately empty (no coverage gaps), the notebook's output may not
    assert data_rows > 0, f"every table of {notebook.stem} is empty"
    workbook = openpyxl.load_workbook(workbooks[0], read_only=True)
    assert len(workbook.sheetnames) == len(csv_files) + 1  # + the first sheet, "About"
    if CASES[code] == "zh":
        assert any(CJK.search(header) for header in headers), "zh tables keep English headers"


@pytest.mark.notebooks
def test_manifest_of_notebook_runs(notebook_runs):
    for code, run in notebook_runs.items():
        manifest = json.loads(run.manifest.read_text(encoding="utf-8"))
        assert manifest["status"] == "complete"
        assert manifest["marketplaces"][code]["parameters"]["as_of"]
        assert {n["file"] for n in manifest["notebooks"]} == {p.name for p in ALL_NOTEBOOKS}


@pytest.mark.notebooks
@pytest.mark.parametrize("notebook", RUN_NOTEBOOKS, ids=[p.stem for p in RUN_NOTEBOOKS])
def test_run_level_notebook_runs_once_across_the_marketplaces(sample_run, notebook):
    (result,) = [r for r in sample_run.results if r.notebook == notebook.stem]
    assert result.scope == "run" and result.marketplace == batch.RUN_FOLDER
    assert result.status in ("ok", "ok with warnings"), result.error
    codes = sorted({r.marketplace for r in sample_run.results if r.scope == "marketplace"})
    assert sorted(result.parameters["marketplaces"].split(",")) == codes
    page = (sample_run.run_dir / result.html_file).read_text(encoding="utf-8")
    assert len(page) > 1000 and "Traceback" not in page
    index = sample_run.index.read_text(encoding="utf-8")
    assert index.index(result.html_file) < index.index("Morning dashboard")

"""Shared fixtures: where the repository, the shared reference folder and the sample live.

``make test`` runs the suite in two pytest-xdist worker processes (``-n 2 --dist loadscope``,
see the Makefile). Each worker builds session and module fixtures for itself, so the hooks
below keep the work from being done twice:

- every test file (and every nbval notebook) is one unit of work, so its module fixtures are
  built once; the files that use the sample batch run (``sample_run``) are one unit together;
- the long units are handed out first (the shared run, then files with tests marked ``slow``
  or ``notebooks``, then nbval's notebooks), the many short files last, so that no long unit
  starts when the other worker is nearly done;
- ``sample_run`` itself is built once per test run whatever the distribution (a file lock in
  the run's shared temporary folder; the other workers load the result).

(xdist's own ``--dist loadgroup`` would group by ``xdist_group`` marks, but with pytest 9.2 it
silently stops grouping: pytest-dev/pytest-xdist#1386; hence the scheduler below.)
A test writes only below ``tmp_path`` / ``tmp_path_factory``: both are per worker.
"""

import functools
import os
import pickle
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
SAMPLE_DIR = REPO_ROOT / "data" / "sample"
#: Session fixtures (below) whose test files share one xdist unit of work.
SHARED_RUN_FIXTURES = ("sample_run",)
#: Markers of tests that take more than a few seconds (registered in pyproject.toml).
SLOW_MARKERS = ("slow", "notebooks")


@functools.cache
def _shared_run_of(test_file: str) -> str | None:
    """The shared run a test file uses (its source names the fixture), else None."""
    path = REPO_ROOT / test_file
    if path.suffix != ".py" or not path.is_file():
        return None
    source = path.read_text(encoding="utf-8")
    return next((name for name in SHARED_RUN_FIXTURES if name in source), None)


def _work_unit(nodeid: str) -> str:
    """The xdist unit of work of a test: the shared run its file uses, else its file."""
    test_file = nodeid.split("::", 1)[0]
    return _shared_run_of(test_file) or test_file


def _rank(unit, items) -> int:
    """0: a shared run; 1: a file with slow tests (marked ``slow`` or ``notebooks``); 2: a
    notebook of nbval (a kernel, about a minute); 3: the rest (seconds, fill the tail)."""
    if unit in SHARED_RUN_FIXTURES:
        return 0
    if any(item.get_closest_marker(name) for item in items for name in SLOW_MARKERS):
        return 1
    return 2 if unit.endswith(".ipynb") else 3


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """On xdist's workers, the tests unit by unit, the longest kinds first (see the module
    docstring); every worker collects the same order (xdist checks it). A run without ``-n``
    keeps pytest's order."""
    if not hasattr(config, "workerinput"):  # set on xdist's workers only
        return
    units = {}
    for item in items:
        units.setdefault(_work_unit(item.nodeid), []).append(item)
    order = sorted(units, key=lambda unit: _rank(unit, units[unit]))  # stable within a rank
    items[:] = [item for unit in order for item in units[unit]]


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist (dev extras)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` with this file's units of work, handed out in collection order."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class UnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return _work_unit(nodeid)

    config.option.loadscopereorder = False  # keep the order of pytest_collection_modifyitems
    return UnitScheduling(config, log)


def _once_per_test_run(tmp_path_factory, name, build):
    """``build(folder)`` once per test run: under pytest-xdist the first worker to ask builds it
    (holding a file lock in the folder the workers share) and the others load its pickle.

    A failed build is not stored: the next worker to ask tries again and fails the same way."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return build(tmp_path_factory.mktemp(name))
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent  # one per run, beside each worker's own
    stored = shared / f"{name}.pickle"
    with FileLock(str(shared / f"{name}.lock")):
        if stored.is_file():
            return pickle.loads(stored.read_bytes())
        folder = shared / name
        folder.mkdir(exist_ok=True)
        result = build(folder)
        stored.write_bytes(pickle.dumps(result))
        return result


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``../shared`` folder beside the repository; tests using it skip where it is absent."""
    if not SHARED_DIR.is_dir():
        pytest.skip(f"../shared not found at {SHARED_DIR}: real-file tests need it beside the repo")
    return SHARED_DIR


@pytest.fixture(scope="session")
def amazon_samples_dir(shared_dir) -> Path:
    path = shared_dir / "amazon-report-samples"
    if not path.is_dir():
        pytest.skip(f"{path} not found: real Amazon exports are read from ../shared only")
    return path


def _demand_data(shared_dir: Path, name: str) -> Path:
    """A folder of real demand series under ``../shared/data``; the test skips without it."""
    path = shared_dir / "data" / name
    if not path.is_dir():
        pytest.skip(f"{path} not found: real demand series are read from ../shared only")
    return path


@pytest.fixture(scope="session")
def expsmooth_dir(shared_dir) -> Path:
    return _demand_data(shared_dir, "expsmooth")


@pytest.fixture(scope="session")
def online_retail_dir(shared_dir) -> Path:
    return _demand_data(shared_dir, "online-retail")


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The committed sample data set (data/sample/<MP>/...)."""
    if not SAMPLE_DIR.is_dir() or not any(SAMPLE_DIR.iterdir()):
        pytest.fail(f"the bundled sample {SAMPLE_DIR} is missing: run opsanalysis.sample.generate")
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def sample_run(sample_dir, tmp_path_factory):
    """One batch run of every notebook for every sample marketplace, in each one's params
    language (US en ... JP zh), shared by the notebook and report-consistency tests (once per
    test run, also under pytest-xdist)."""
    from opsanalysis import batch

    return _once_per_test_run(
        tmp_path_factory, "sample-run",
        lambda folder: batch.run(data_dir=sample_dir, out_dir=folder, jobs=2, progress=False))

"""Shared fixtures: where the repository, the shared reference folder and the sample live."""

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
SAMPLE_DIR = REPO_ROOT / "data" / "sample"


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


@pytest.fixture(scope="session")
def expsmooth_dir(shared_dir) -> Path:
    path = shared_dir / "data" / "expsmooth"
    if not path.is_dir():
        pytest.skip(f"{path} not found: real demand series are read from ../shared only")
    return path


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The committed sample data set (data/sample/<MP>/...)."""
    if not SAMPLE_DIR.is_dir() or not any(SAMPLE_DIR.iterdir()):
        pytest.fail(f"the bundled sample {SAMPLE_DIR} is missing: run opsanalysis.sample.generate")
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def sample_run(sample_dir, tmp_path_factory):
    """One batch run of every notebook for every sample marketplace, in each one's params
    language (US en ... JP zh), shared by the notebook and report-consistency tests."""
    from opsanalysis import batch

    return batch.run(data_dir=sample_dir, out_dir=tmp_path_factory.mktemp("sample-run"), jobs=2,
                     progress=False)

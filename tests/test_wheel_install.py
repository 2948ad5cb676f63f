"""The package as a user installs it: from its wheel, in a fresh venv, away from the checkout.

The default params, the report notebooks and the sample data ship inside the package
(``opsanalysis.bundled``, mapped onto ``params/``, ``notebooks/`` and ``data/`` by pyproject's
``package-dir``). The slow test builds the wheel, installs it into a new venv outside the
repository and, from a folder outside it too, forecasts with the shipped params and runs
``opsanalysis run`` on the shipped sample. The venv borrows the dependencies of the running
environment through a ``.pth`` file instead of downloading them; only the package comes from the
wheel.
"""

import json
import os
import shutil
import site
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from opsanalysis import batch, bundled, execution, labels, marketplaces, report_context

# Left out of the copy the wheel is built from: caches, and raw/ (the user's own downloads, which
# package-data does not ship) under data/.
COPY_IGNORE = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints", "raw")
# Run in the installed venv from a folder outside the checkout; prints what the test checks.
INSTALLED_CHECK = """
import json, sys
import pandas as pd
import opsanalysis as oa
from opsanalysis import batch, labels, params

history = pd.DataFrame({"unique_id": "A", "ds": pd.date_range("2026-01-01", periods=56),
                        "y": [float(day) for day in range(1, 57)]})
forecast = oa.forecast.predict(history, 7, "naive", params=params.load("US"))
print(json.dumps({
    "package": oa.__file__, "params": str(params.find_params_dir()),
    "notebooks": str(batch.notebooks_dir()), "sample": str(batch.resolve_data_dir("")),
    "notebook_names": [path.name for path in batch.discover_notebooks()],
    "params_marketplaces": params.available_marketplaces(),
    "sample_marketplaces": batch.discover_marketplaces(),
    "forecast": forecast["forecast"].tolist(), "labels": labels.load_label_files(),
}))
"""


@pytest.fixture(scope="module")
def setuptools_config(repo_root):
    with open(repo_root / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["tool"]["setuptools"]


def test_pyproject_lists_every_package(setuptools_config, repo_root):
    # find cannot see the mapped folders, so the list is explicit: a new subpackage missing from
    # it would be missing from the wheel. Sample folders are listed so setuptools does not warn
    # about data folders that look like packages.
    source = repo_root / "src"
    code = {".".join(path.parent.relative_to(source).parts) for path in source.rglob("__init__.py")}
    mapped = {name for name in setuptools_config["package-dir"] if name}
    sample = bundled.sample_dir()
    sample_folders = {"opsanalysis.bundled.data.sample"} | {
        f"opsanalysis.bundled.data.sample.{folder.name}" for folder in sample.iterdir()
        if folder.is_dir()}
    listed, expected = set(setuptools_config["packages"]), code | mapped | sample_folders
    assert listed == expected, (
        f"[tool.setuptools] packages in pyproject.toml: add {sorted(expected - listed)}, "
        f"remove {sorted(listed - expected)}")


def test_editable_install_reads_the_checkouts_folders(repo_root):
    assert bundled.params_dir() == repo_root / "params"
    assert batch.notebooks_dir() == bundled.notebooks_dir() == repo_root / "notebooks"
    assert batch.resolve_data_dir("") == bundled.sample_dir() == repo_root / "data" / "sample"
    # the checkout whose git commit a run's manifest records
    assert report_context._source_checkout() == repo_root


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_checkout(tmp_path_factory, repo_root,
                                                      setuptools_config):
    work = tmp_path_factory.mktemp("wheel-install")
    assert repo_root not in work.parents, f"{work} must be outside the checkout {repo_root}"
    wheel = _build_wheel(repo_root, setuptools_config, work)
    venv = _venv_with_borrowed_dependencies(work / "venv")
    _run([sys.executable, "-m", "pip", "--python", str(venv["python"]), "install", "--no-deps",
          "--no-index", "--quiet", str(wheel)])
    installed = Path(venv["purelib"]) / "opsanalysis"
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    environment = _isolated_environment(venv["scripts"])
    # papermill's "python3" kernel must be this venv's interpreter, whatever else is installed
    _run([str(venv["python"]), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
         cwd=elsewhere, env=environment)

    found = json.loads(_run([str(venv["python"]), "-c", INSTALLED_CHECK], cwd=elsewhere,
                            env=environment).splitlines()[-1])
    assert Path(found["package"]) == installed / "__init__.py"
    assert Path(found["params"]) == installed / "bundled" / "params"
    assert Path(found["notebooks"]) == installed / "bundled" / "notebooks"
    assert Path(found["sample"]) == installed / "bundled" / "data" / "sample"
    assert found["notebook_names"] == [path.name for path in batch.discover_notebooks()]
    assert found["params_marketplaces"] == marketplaces.codes()
    assert found["sample_marketplaces"] == batch.discover_marketplaces()
    assert found["forecast"] == [56.0] * 7  # naive: the last value, 56 units a day
    assert found["labels"] == labels.load_label_files()

    # no --data: the sample shipped in the package, for one marketplace
    out = work / "reports"
    index = _run([venv["scripts"] / "opsanalysis", "run", "-m", "US", "--out", str(out),
                  "--no-progress"], cwd=elsewhere, env=environment).strip().splitlines()[-1]
    assert Path(index).is_file() and Path(index).parent.parent == out.resolve()
    manifest = json.loads((Path(index).parent / "run.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"
    assert manifest["arguments"]["data_dir"] == found["sample"]
    assert manifest["git_commit"] is None  # a wheel install has no checkout to describe
    # the marketplace's notebooks first, then the run-level ones (the portfolio) once
    scopes = {path.name: execution.notebook_scope(path) for path in batch.discover_notebooks()}
    in_order = sorted(found["notebook_names"], key=lambda name: scopes[name] == "run")
    assert [(r["notebook"], r["status"]) for r in manifest["results"]] == [
        (Path(name).stem, "ok") for name in in_order]
    hashed = {Path(entry["file"]) for entry in manifest["marketplaces"]["US"]["inputs"]}
    shipped_params = installed / "bundled" / "params"
    assert {shipped_params / "defaults.yaml", shipped_params / "US.yaml"} <= hashed


def _build_wheel(repo_root, setuptools_config, work) -> Path:
    """Build from a copy, so that setuptools' build/ and egg-info never touch the checkout (and
    a stale build/lib cannot leak deleted modules into the wheel)."""
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(repo_root / name, source / name)
    for folder in {"src", *setuptools_config["package-dir"].values()}:
        shutil.copytree(repo_root / folder, source / folder, ignore=COPY_IGNORE)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir",
          str(work / "dist"), str(source)])
    (wheel,) = (work / "dist").glob("opsanalysis-*.whl")
    return wheel


def _venv_with_borrowed_dependencies(folder) -> dict:
    """A new venv without pip whose ``.pth`` puts this environment's site-packages after its own."""
    _run([sys.executable, "-m", "venv", "--without-pip", str(folder)])
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    paths = json.loads(_run([str(python), "-c", "import json, sysconfig; "
                             "print(json.dumps(sysconfig.get_paths()))"]))
    # a path line of a .pth file is appended to sys.path; the .pth files inside it (this
    # environment's editable install of opsanalysis) are not processed, so only the wheel's
    # opsanalysis is importable
    Path(paths["purelib"], "_borrowed_dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    # a data file a dependency installs beside site-packages: nbconvert's HTML templates
    nbconvert = Path("share", "jupyter", "nbconvert")
    shutil.copytree(Path(sys.prefix) / nbconvert, Path(paths["data"]) / nbconvert)
    return {"python": python, "purelib": paths["purelib"], "scripts": Path(paths["scripts"])}


def _isolated_environment(scripts) -> dict:
    """This process's environment without what would lead back to the checkout or its venv."""
    environment = {key: value for key, value in os.environ.items() if key not in {
        "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "OPSANALYSIS_PARAMS", "JUPYTER_PATH"}}
    environment.update(PATH=f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}",
                       JUPYTER_PREFER_ENV_PATH="1", MPLBACKEND="Agg")
    return environment


def _run(command, cwd=None, env=None) -> str:
    completed = subprocess.run([str(part) for part in command], cwd=cwd, env=env,
                               capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, (
        f"{' '.join(map(str, command))} exited {completed.returncode}\n"
        f"stdout:\n{completed.stdout[-4000:]}\nstderr:\n{completed.stderr[-4000:]}")
    return completed.stdout

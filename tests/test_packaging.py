"""environment.yml (conda route) and pyproject.toml (pip route) name the same dependencies."""

import re
import tomllib

import pytest
import yaml

# PyPI requirement -> conda-forge package names where they differ. `dask[distributed]` is one
# PyPI requirement with an extra; on conda-forge the extra is the separate `distributed` package.
PYPI_TO_CONDA = {
    "dask[distributed]": ["dask", "distributed"],
}
# conda-only entries of environment.yml that are not Python dependencies of the package.
CONDA_ONLY = {"python", "pip"}
# PyPI-only requirements (not on conda-forge): the `pip: -e .[dev]` entry installs them.
PIP_ONLY = {"mplfonts"}

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+(?:\[[^\]]+\])?)\s*(.*)$")


def split_requirement(text):
    """("dask[distributed]", ">=2024.1") from "dask[distributed]>=2024.1" (names lower-cased)."""
    name, spec = _REQUIREMENT.match(text).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def conda_names(requirement):
    name, spec = split_requirement(requirement)
    return {conda: spec for conda in PYPI_TO_CONDA.get(name, [name])}


@pytest.fixture(scope="module")
def pyproject(repo_root):
    with open(repo_root / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)


@pytest.fixture(scope="module")
def environment(repo_root):
    with open(repo_root / "environment.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_split_requirement_and_mapping():
    assert split_requirement("dask[distributed]>=2024.1") == ("dask[distributed]", ">=2024.1")
    assert split_requirement("scikit_learn >= 1.4") == ("scikit-learn", ">=1.4")
    assert conda_names("dask[distributed]>=2024.1") == {"dask": ">=2024.1", "distributed": ">=2024.1"}
    assert conda_names("pyyaml>=6") == {"pyyaml": ">=6"}


def test_same_dependencies_and_versions(pyproject, environment):
    project = pyproject["project"]
    expected = {}
    for requirement in project["dependencies"] + project["optional-dependencies"]["dev"]:
        expected.update(conda_names(requirement))
    expected = {name: spec for name, spec in expected.items() if name not in PIP_ONLY}
    conda = {}
    for entry in environment["dependencies"]:
        if isinstance(entry, str):
            name, spec = split_requirement(entry)
            if name not in CONDA_ONLY:
                conda[name] = spec
    assert conda == expected


def test_python_version_matches(pyproject, environment):
    python = [e for e in environment["dependencies"] if isinstance(e, str) and e.startswith("python")]
    assert python == [f"python{pyproject['project']['requires-python']}"]


def test_environment_installs_the_package_with_dev_extras_via_pip(environment):
    pip_sections = [e["pip"] for e in environment["dependencies"] if isinstance(e, dict) and "pip" in e]
    assert pip_sections == [["-e .[dev]"]]
    assert "pip" in environment["dependencies"]

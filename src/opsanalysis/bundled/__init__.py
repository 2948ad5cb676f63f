"""Files that ship inside the package: default params, report notebooks, the sample data.

They live in the project's top-level folders, where analysts edit them and nbval runs::

    params/        defaults.yaml, cadences.yaml, one <MP>.yaml each  -> opsanalysis.bundled.params
    notebooks/     the report notebook templates                   -> opsanalysis.bundled.notebooks
    data/sample/   the synthetic sample seller                     -> opsanalysis.bundled.data

``package-dir`` in ``pyproject.toml`` maps each folder onto a subpackage of this one, so a wheel
carries copies of them and an editable install reads the folders of its checkout; the small
``__init__.py`` in each folder is what makes it importable in both. The functions below find them
with :mod:`importlib.resources`, the same way in both cases.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["notebooks_dir", "params_dir", "sample_dir"]


def params_dir() -> Path:
    """The shipped params folder: ``defaults.yaml`` and one ``<MP>.yaml`` per marketplace."""
    return _folder("opsanalysis.bundled.params")


def notebooks_dir() -> Path:
    """The folder of the report notebooks (``*.ipynb``) that ``opsanalysis run`` executes."""
    return _folder("opsanalysis.bundled.notebooks")


def sample_dir() -> Path:
    """The sample data set: one sub-folder of Amazon report files per marketplace."""
    return _folder("opsanalysis.bundled.data") / "sample"


def _folder(package: str) -> Path:
    folder = resources.files(package)
    # papermill, nbconvert and the report readers need real files, not members of a zip archive
    if not isinstance(folder, Path):
        raise RuntimeError(
            f"{package} is not a folder on disk ({folder!r}): install opsanalysis unzipped")
    return folder

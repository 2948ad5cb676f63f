"""Tests for the package's lazily imported submodules (``opsanalysis/__init__.py``)."""

import pkgutil
import subprocess
import sys

import pytest

import opsanalysis as oa


def test_every_public_module_is_listed():
    on_disk = {module.name for module in pkgutil.iter_modules(oa.__path__)
               if not module.name.startswith("_")}
    assert oa._SUBMODULES == on_disk


@pytest.mark.parametrize("name", ["overview", "frames", "fees"])
def test_a_submodule_is_an_attribute_without_its_own_import(name):
    # A fresh interpreter: here the module may already be imported, which sets the attribute.
    script = f"import opsanalysis as oa; print(oa.{name}.__name__)"
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == f"opsanalysis.{name}"


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_module"):
        oa.no_such_module  # noqa: B018

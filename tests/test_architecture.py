"""The layer contract (docs/architecture.md): import-linter's contracts, no import cycles, and no
global matplotlib change at import.

The contracts live in ``[tool.importlinter]`` of ``pyproject.toml``; ``lint-imports`` prints which
import breaks which contract, and the test fails with that report. import-linter's cycle contract
(``acyclic_siblings``) compares sibling modules only, so a package ``__init__`` that imports a
submodule which imports it back is not a cycle for it; :func:`import_cycles` finds every cycle
between single modules. Both read every import statement, including those inside functions: a
lazy import defers the cost, not the dependency.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def import_cycles(graph) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (Tarjan's SCC).

    Parameters
    ----------
    graph : grimp.ImportGraph

    Returns
    -------
    list of list of str
        Each group sorted, groups sorted; empty when the graph has no cycle.
    """
    index, low, on_stack, stack, groups = {}, {}, set(), [], []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return sorted(groups)


def _describe(graph, group) -> str:
    lines = []
    for importer in group:
        for imported in group:
            for detail in graph.get_import_details(importer=importer, imported=imported):
                lines.append(f"  {importer} -> {imported} (l.{detail['line_number']}: "
                             f"{detail['line_contents']})")
    return "\n".join(lines)


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    completed = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = completed.stdout + completed.stderr
    assert completed.returncode == 0, report
    assert "0 broken" in report, report


def test_no_import_cycles_between_modules():
    graph = grimp.build_graph("opsanalysis", cache_dir=None)
    cycles = import_cycles(graph)
    assert cycles == [], "\n".join(_describe(graph, group) for group in cycles)


def test_import_cycles_are_found_also_through_lazy_imports(tmp_path, monkeypatch):
    package = tmp_path / "cyclic_example"
    package.mkdir()
    files = {
        # __init__ <-> a: a reads a name that only exists once __init__ has run
        "__init__.py": "from cyclic_example.a import answer\nLIMIT = 3\n",
        "a.py": "def answer():\n    from cyclic_example import LIMIT\n    return LIMIT\n",
        # b <-> c, c's import inside a function; d only imports b (not in a cycle)
        "b.py": "from cyclic_example import c\n",
        "c.py": "def f():\n    import cyclic_example.b\n",
        "d.py": "import cyclic_example.b\n",
    }
    for name, text in files.items():
        (package / name).write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("cyclic_example", cache_dir=None)
    assert import_cycles(graph) == [["cyclic_example", "cyclic_example.a"],
                                    ["cyclic_example.b", "cyclic_example.c"]]


def test_importing_plotting_changes_no_matplotlib_settings():
    # A fresh interpreter: in this one the fonts may already be set up by another test.
    script = textwrap.dedent("""
        import importlib, json, pkgutil
        import matplotlib

        def snapshot():
            return {key: repr(value) for key, value in matplotlib.rcParams.items()}

        def changed(before):
            after = snapshot()
            return sorted(key for key in before.keys() | after.keys()
                          if before.get(key) != after.get(key))

        before = snapshot()
        import opsanalysis.plotting as plotting
        for module in pkgutil.iter_modules(plotting.__path__):
            importlib.import_module(f"opsanalysis.plotting.{module.name}")
        at_import = changed(before)
        before = snapshot()
        plotting.fonts.setup_chart_fonts()
        print(json.dumps({"import": at_import, "setup": changed(before)}))
    """)
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               timeout=300, env={**os.environ, "MPLBACKEND": "Agg"})
    assert completed.returncode == 0, completed.stderr
    changes = json.loads(completed.stdout.strip().splitlines()[-1])
    assert changes["import"] == []
    # the explicit call does change the fonts, so the comparison above can see a change
    assert any(key.startswith("font.") for key in changes["setup"])

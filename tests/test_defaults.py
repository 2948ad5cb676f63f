"""One source for defaults: no public signature and no ``*_DEFAULTS`` dict repeats params.

``params/defaults.yaml`` is the only home of a tunable value. A default in a function signature
or a module-level ``*_DEFAULTS`` dict whose name is a setting of the YAML either repeats it (and
drifts: ``seasonal_lift(prior_units=20.0)`` against ``prior_units: 100``) or contradicts it. The
offence is a *name match with a non-None default of the setting's kind* (boolean, number,
text, list, mapping): ``ax=None`` or ``language=None`` ("take it from the caller / the params")
is fine, and so is a column name ``growth="growth"`` that only shares its name with the number
``opportunity.weights.growth``; ``tolerance_band=0.0`` is not.
"""

import importlib
import inspect
import pkgutil

import pytest

import opsanalysis
from opsanalysis import params


def _kind(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (list, tuple)):
        return "list"
    return type(value).__name__


def setting_names(defaults: dict) -> dict[str, dict[str, str]]:
    """Setting name -> {dotted path in defaults.yaml: kind of its value}, of every leaf setting.

    A leaf is a value that is not a non-empty mapping (a number, text, list or a free-form
    ``{}``). Rules count by their id (``rules.bid_step``): their fields (value, min, unit ...) are
    the rule's description, not settings of their own. ``sources`` mappings are documentation.
    """
    names: dict[str, dict[str, str]] = {}

    def walk(node: dict, path: tuple) -> None:
        for key, value in node.items():
            if key == "sources":
                continue
            dotted = ".".join((*path, str(key)))
            if path == ("rules",) or not (isinstance(value, dict) and value):
                kind = "rule" if path == ("rules",) else _kind(value)
                names.setdefault(str(key), {})[dotted] = kind
            else:
                walk(value, (*path, str(key)))

    walk(defaults, ())
    return names


def package_modules() -> list:
    """Every module of the package, imported (an import error fails the test)."""
    modules = [opsanalysis]
    for info in pkgutil.walk_packages(opsanalysis.__path__, "opsanalysis."):
        modules.append(importlib.import_module(info.name))
    return modules


def _public_callables(module):
    """(qualified name, callable) of the public functions, classes and methods defined here."""
    for name, obj in sorted(vars(module).items()):
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            yield f"{module.__name__}.{name}", obj
        elif inspect.isclass(obj):
            yield f"{module.__name__}.{name}", obj
            for method_name, method in sorted(vars(obj).items()):
                if not method_name.startswith("_") and inspect.isfunction(method):
                    yield f"{module.__name__}.{name}.{method_name}", method


def _repeats(name: str, value, names: dict) -> list[str]:
    """Paths of the settings called ``name`` that ``value`` could stand for (same kind)."""
    if value is None or name not in names:
        return []
    # a rule is a threshold: a number (or a range as a list) in code stands for it
    kinds = {_kind(value)} | ({"rule"} if _kind(value) in ("number", "list") else set())
    return [path for path, kind in names[name].items() if kind in kinds]


#: Defaults that share a setting's name but are not that setting, with the reason.
NOT_SETTINGS = {
    # The words a text or chart is written in: English is the canonical text of every label
    # (labels/*.yaml), not a tunable value; params' `language` picks a report's language and the
    # report context passes it to every section.
    "language": "presentation text language",
    # The identity of the bundled data set (data/sample is seed 0 by definition), not the seed
    # of an analysis (replenishment.simulation.seed, forecast.gbm.seed, opportunity.seed).
    "opsanalysis.sample.generate.seed": "sample data set identity",
    "opsanalysis.sample.world.build_world.seed": "sample data set identity",
    # Amazon's own header text: Sponsored Products columns say "7 Day Total Sales" unless the
    # report was asked for with 14 days; a fact of the format that io (which reads no params)
    # writes and recognises, not the analysis window ads.attribution_days.
    "opsanalysis.io.schema.header_for.attribution_days": "Amazon's default header text",
}


def _not_a_setting(qualified: str, name: str) -> bool:
    return name in NOT_SETTINGS or f"{qualified}.{name}" in NOT_SETTINGS


def offences(modules, names: dict) -> list[str]:
    """Signature defaults and ``*_DEFAULTS`` entries named like a setting of the same kind."""
    found = []
    for module in modules:
        for qualified, function in _public_callables(module):
            try:
                signature = inspect.signature(function)
            except (TypeError, ValueError):  # builtins without a signature
                continue
            for parameter in signature.parameters.values():
                if (parameter.default is inspect.Parameter.empty
                        or _not_a_setting(qualified, parameter.name)):
                    continue
                paths = _repeats(parameter.name, parameter.default, names)
                if paths:
                    found.append(f"{qualified}({parameter.name}={parameter.default!r}) repeats "
                                 f"{', '.join(paths)}")
        for name, table in sorted(vars(module).items()):
            if name.endswith("_DEFAULTS") and isinstance(table, dict):
                for key, value in table.items():
                    paths = _repeats(key, value, names)
                    if paths:
                        found.append(f"{module.__name__}.{name}[{key!r}] = {value!r} repeats "
                                     f"{', '.join(paths)}")
    return sorted(set(found))


@pytest.fixture(scope="module")
def names():
    return setting_names(params.load_defaults())


def test_setting_names_are_leaves_and_rule_ids(names):
    assert names["prior_units"] == {"replenishment.seasonal_lift.prior_units": "number"}
    assert names["tolerance_band"] == {"ads.tolerance_band": "number"}
    assert names["order_crossover"] == {"replenishment.order_crossover": "boolean"}
    assert names["bid_step"] == {"rules.bid_step": "rule"}  # a rule counts by its id ...
    assert "value" not in names and "unit" not in names  # ... not by its fields
    assert "seasonal_lift" not in names  # a mapping of settings is not a setting itself
    assert names["capacity_limits"] == {"replenishment.capacity_limits": "dict"}  # a free {} is
    assert not any(".sources" in path for paths in names.values() for path in paths)


def test_checker_flags_repeats_and_contradictions_and_spares_none(names):
    import types

    fake = types.ModuleType("fake_module")
    source = (
        "def suggest(targets, tolerance_band=0.0, ax=None, language=None, *, seed): pass\n"
        "def lift(values, prior_units=100): pass\n"
        "def plot(frame, growth='growth', max_lift=None, bid_step=(0.05, 0.1)): pass\n"
        "def _private(prior_units=20.0): pass\n"
        "class Tool:\n"
        "    def run(self, velocity_window_days=28): pass\n"
        "SETTINGS_DEFAULTS = {'order_crossover': False, 'lead_time_days': None, 'case_pack': 1}\n"
    )
    exec(compile(source, "fake_module", "exec"), fake.__dict__)  # noqa: S102
    found = offences([fake], names)
    assert len(found) == 5, found
    assert any(f.startswith("fake_module.suggest(tolerance_band=0.0)") for f in found)
    assert any(f.startswith("fake_module.lift(prior_units=100)") for f in found)  # duplicate
    assert any(f.startswith("fake_module.plot(bid_step=(0.05, 0.1)) repeats rules.bid_step")
               for f in found)  # a rule's range
    assert not any("growth=" in f for f in found)  # text default, numeric setting
    assert any(f.startswith("fake_module.Tool.run(velocity_window_days=28)") for f in found)
    assert any(f.startswith("fake_module.SETTINGS_DEFAULTS['order_crossover'] = False")
               for f in found)


def test_no_default_repeats_params(names):
    found = offences(package_modules(), names)
    assert not found, (f"{len(found)} defaults repeat params/defaults.yaml; take them from the "
                       "loaded params instead:\n" + "\n".join(found))

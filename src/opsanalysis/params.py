"""Parameters: the rule pack and per-marketplace settings, merged and validated.

``params/defaults.yaml`` holds every rule of thumb (value or range, unit, direction, scope, source,
date checked) and every setting; ``params/<MP>.yaml`` overrides them for one marketplace. The
defaults file is also the schema: a marketplace file may only use keys that exist in it, with the
same type. An empty mapping (``{}``) or list (``[]``) in the defaults is free-form, and every
``sources`` mapping accepts any key with a text value.

Where the files are found (first match wins):

1. the ``params_dir`` argument (a folder with ``<MP>.yaml`` files and optionally its own
   ``defaults.yaml``; each file it lacks is taken from the package's params folder);
2. the ``OPSANALYSIS_PARAMS`` environment variable (a folder with its own ``defaults.yaml``);
3. the package's params folder: the files shipped inside the package
   (:func:`opsanalysis.bundled.params_dir`), which in an editable install are the checkout's
   ``params/``.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import os
import re
from pathlib import Path

import pandas as pd
import yaml

from opsanalysis import bundled, marketplaces

__all__ = [
    "DIRECTIONS",
    "ENV_VAR",
    "LANGUAGES",
    "ParamsError",
    "available_marketplaces",
    "find_params_dir",
    "load",
    "load_defaults",
    "rule",
    "rules_table",
]

ENV_VAR = "OPSANALYSIS_PARAMS"
TOP_LEVEL_KEYS = (
    "marketplace", "language", "currency", "rules", "lead_time", "replenishment", "fees",
    "events", "forecast", "ads", "opportunity", "launch", "ipi", "competitors", "feedback", "search_queries",
)
LANGUAGES = ("en", "zh")
DIRECTIONS = ("below", "above", "at_most", "at_least", "within", "info")
RULE_REQUIRED = ("unit", "direction", "scope", "source", "checked")
# Field -> expected type of a rule entry; float fields accept ints.
RULE_FIELDS = {
    "value": float, "min": float, "max": float, "unit": str, "direction": str, "scope": str,
    "source": str, "checked": str, "note": str, "article_value": float, "article_min": float,
    "article_max": float, "article_source": str,
}
RULES_TABLE_COLUMNS = ["rule_id", *RULE_FIELDS]
_CHECKED = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ParamsError(ValueError):
    """A params file that is missing, unreadable or does not match the schema of defaults.yaml."""


# ---------------------------------------------------------------------------------------------
# Locating and reading files


def find_params_dir(params_dir: str | os.PathLike | None = None) -> Path:
    """The folder params are read from (see the module docstring for the search order).

    Parameters
    ----------
    params_dir : str or path-like, optional
        Explicit folder; ``None`` or ``""`` searches.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ParamsError
        When the explicit folder or ``$OPSANALYSIS_PARAMS`` does not exist.
    """
    if params_dir not in (None, ""):
        path = Path(params_dir).expanduser()
        if not path.is_dir():
            raise ParamsError(f"params folder {str(path)!r} does not exist")
        return path
    return _package_params_dir()


def _package_params_dir() -> Path:
    """``$OPSANALYSIS_PARAMS``, else the params shipped inside the package."""
    env = os.environ.get(ENV_VAR, "")
    if env:
        path = Path(env).expanduser()
        if not (path / "defaults.yaml").is_file():
            raise ParamsError(f"${ENV_VAR}={env!r} has no defaults.yaml")
        return path
    return bundled.params_dir()


def _file(params_dir, name: str) -> Path:
    """``name`` in the chosen folder, else in the package's own params folder."""
    folder = find_params_dir(params_dir)
    if (folder / name).is_file():
        return folder / name
    fallback = _package_params_dir()
    if (fallback / name).is_file():
        return fallback / name
    raise ParamsError(f"{name} not found in {str(folder)!r} (nor in {str(fallback)!r})")


def _read_yaml(path: Path):
    """Parse ``path``; return (data, root node). Duplicate keys are an error (YAML keeps the last)."""
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ParamsError(f"{path}: cannot read: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParamsError(f"{path}: expected a mapping of settings at the top level")
    _check_duplicate_keys(node, path, ())
    return data, node


def _check_duplicate_keys(node, path: Path, keys: tuple) -> None:
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            if key_node.value in seen:
                raise ParamsError(
                    f"{path}, line {key_node.start_mark.line + 1}: duplicate key "
                    f"'{_dotted((*keys, key_node.value))}'"
                )
            seen.add(key_node.value)
            _check_duplicate_keys(value_node, path, (*keys, key_node.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _check_duplicate_keys(item, path, (*keys, index))


def _node_at(node, keys: tuple, key_node: bool = False):
    """The YAML node at ``keys`` (its key node with ``key_node``), or None.

    Used for line numbers and for the raw text of a scalar YAML converted (``NO`` -> False).
    """
    for position, key in enumerate(keys):
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(key)), (None, None))
            last = position == len(keys) - 1
            node = pair[0] if key_node and last else pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return None
    return node


def _dotted(keys: tuple) -> str:
    return ".".join(f"[{k}]" if isinstance(k, int) else str(k) for k in keys).replace(".[", "[")


class _Context:
    """Which file is being checked, to name file, line and key in every error."""

    def __init__(self, path: Path, node):
        self.path = path
        self.node = node

    def error(self, keys: tuple, message: str) -> ParamsError:
        node = _node_at(self.node, keys, key_node=True)
        where = f"{self.path}, line {node.start_mark.line + 1}" if node is not None else str(self.path)
        return ParamsError(f"{where}: key '{_dotted(keys)}': {message}")

    def raw(self, keys: tuple, value) -> str:
        node = _node_at(self.node, keys)
        return node.value if isinstance(node, yaml.ScalarNode) else repr(value)


# ---------------------------------------------------------------------------------------------
# Schema checks: the defaults' value at the same key path is the schema


def _type_name(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, datetime.date):
        return "date"
    return {str: "text", list: "list", dict: "mapping", type(None): "null"}.get(type(value), "value")


def _check_scalar(value, expected: type, keys: tuple, ctx: _Context) -> None:
    """``value`` must be of ``expected`` type (bool, int, float or str)."""
    if expected is str:
        if isinstance(value, str):
            return
        if isinstance(value, (bool, int, float, datetime.date)) or value is None:
            raw = ctx.raw(keys, value)
            raise ctx.error(
                keys,
                f"expected text, but YAML read `{raw}` as {_type_name(value)} {value!r}; "
                f'quote it: {keys[-1]}: "{raw}"',
            )
        raise ctx.error(keys, f"expected text, got {_type_name(value)}")
    if expected is bool:
        ok = isinstance(value, bool)
    elif expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:  # float: ints are fine (30 for 30.0)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok:
        wanted = {bool: "true or false", int: "a whole number", float: "a number"}[expected]
        raise ctx.error(keys, f"expected {wanted}, got {_type_name(value)} {value!r}")


def _check_like(value, default, keys: tuple, ctx: _Context, complete: bool = False) -> None:
    """Check ``value`` against the schema implied by ``default`` (recursively)."""
    if default is None:
        return
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise ctx.error(keys, f"expected a mapping, got {_type_name(value)}")
        if keys and keys[-1] == "sources":
            for key, text in value.items():
                _check_scalar(text, str, (*keys, key), ctx)
            return
        if keys == ("rules",):
            for rule_id, fields in value.items():
                _check_rule_fields(fields, (*keys, rule_id), ctx)
            return
        if not default:  # free-form mapping
            return
        for key, item in value.items():
            if key not in default:
                hint = difflib.get_close_matches(str(key), [str(k) for k in default], n=1)
                extra = f"; did you mean '{hint[0]}'?" if hint else ""
                raise ctx.error((*keys, key), f"unknown key (not in defaults.yaml){extra}")
            _check_like(item, default[key], (*keys, key), ctx)
        missing = [k for k in default if k not in value] if complete else []
        if missing:
            raise ctx.error(keys, f"missing keys {missing}")
    elif isinstance(default, list):
        if not isinstance(value, list):
            raise ctx.error(keys, f"expected a list, got {_type_name(value)}")
        if default:
            for index, item in enumerate(value):
                _check_like(item, default[0], (*keys, index), ctx, complete=True)
    else:
        _check_scalar(value, type(default), keys, ctx)


def _check_rule_fields(fields, keys: tuple, ctx: _Context) -> None:
    if not isinstance(fields, dict):
        raise ctx.error(keys, f"a rule must be a mapping of fields, got {_type_name(fields)}")
    for name, value in fields.items():
        if name not in RULE_FIELDS:
            raise ctx.error((*keys, name), f"unknown rule field; allowed: {', '.join(RULE_FIELDS)}")
        _check_scalar(value, RULE_FIELDS[name], (*keys, name), ctx)


def _check_scope(scope: str, keys: tuple, ctx: _Context) -> None:
    if scope == "all":
        return
    for code in (c.strip() for c in scope.split(",")):
        try:
            marketplaces.get(code)
        except KeyError as exc:
            raise ctx.error(keys, f"scope must be 'all' or marketplace codes: {exc}") from None


def _check_rule(rule_id: str, fields: dict, ctx: _Context) -> None:
    """A complete rule: required fields, a target consistent with its direction, known scope."""
    keys = ("rules", rule_id)
    missing = [name for name in RULE_REQUIRED if name not in fields]
    if missing:
        raise ctx.error(keys, f"rule lacks required fields {missing}")
    direction = fields["direction"]
    if direction not in DIRECTIONS:
        raise ctx.error((*keys, "direction"), f"{direction!r} is not one of {DIRECTIONS}")
    has_range = "min" in fields or "max" in fields
    if direction == "within" and not ("min" in fields and "max" in fields):
        raise ctx.error(keys, "direction 'within' needs both min and max")
    if direction not in ("within", "info") and "value" not in fields:
        raise ctx.error(keys, f"direction {direction!r} needs a value")
    if direction == "info" and "value" not in fields and not has_range:
        raise ctx.error(keys, "rule needs a value or a min/max range")
    if "min" in fields and "max" in fields and fields["min"] > fields["max"]:
        raise ctx.error(keys, f"min {fields['min']} is above max {fields['max']}")
    if not _CHECKED.match(fields["checked"]):
        raise ctx.error((*keys, "checked"), "date checked must be YYYY-MM or YYYY-MM-DD")
    _check_scope(fields["scope"], (*keys, "scope"), ctx)


def _check_defaults(data: dict, ctx: _Context) -> None:
    missing = [key for key in TOP_LEVEL_KEYS if key not in data]
    if missing:
        raise ctx.error((), f"defaults.yaml lacks top-level keys {missing}")
    for key, value in data.items():
        if key not in TOP_LEVEL_KEYS:
            raise ctx.error((key,), f"unknown top-level key; allowed: {', '.join(TOP_LEVEL_KEYS)}")
        if key == "rules":
            _check_like(value, {}, ("rules",), ctx)
            for rule_id, fields in value.items():
                _check_rule(rule_id, fields, ctx)
        else:
            _check_like(value, value, (key,), ctx)  # nested rule and sources checks, list items


def _check_settings(merged: dict, mp: marketplaces.Marketplace, ctx: _Context) -> None:
    """Cross-field checks of the merged settings of one marketplace."""
    if merged["marketplace"] != mp.code:
        raise ctx.error(("marketplace",), f"is {merged['marketplace']!r}, expected {mp.code!r}")
    if merged["language"] not in LANGUAGES:
        raise ctx.error(("language",), f"{merged['language']!r} is not one of {LANGUAGES}")
    if merged["currency"] != mp.currency:
        raise ctx.error(("currency",), f"is {merged['currency']!r}; {mp.code} uses {mp.currency}")
    lead = merged["lead_time"]
    if lead["freight_mode"] not in lead["freight_days"]:
        raise ctx.error(
            ("lead_time", "freight_mode"),
            f"{lead['freight_mode']!r} has no entry in lead_time.freight_days {list(lead['freight_days'])}",
        )
    _check_opportunity(merged["opportunity"], ctx)
    for index, entry in enumerate(merged["events"]["calendar"]):
        keys = ("events", "calendar", index)
        try:
            start = datetime.date.fromisoformat(entry["start"])
            end = datetime.date.fromisoformat(entry["end"])
        except ValueError as exc:
            raise ctx.error(keys, f"dates must be YYYY-MM-DD: {exc}") from None
        if end < start:
            raise ctx.error(keys, f"end {entry['end']} is before start {entry['start']}")
        _check_scope(entry["scope"], (*keys, "scope"), ctx)


def _check_opportunity(section: dict, ctx: _Context) -> None:
    """Weights, rank-band quantiles and stated exchange rates of the opportunity matrix."""
    keys = ("opportunity",)
    weights = section["weights"]
    if any(value < 0 for value in weights.values()) or sum(weights.values()) <= 0:
        raise ctx.error((*keys, "weights"), "weights must be >= 0 with a positive sum")
    bands = section["rank_band_quantiles"]
    if len(bands) != 2 or not 0.0 <= bands[0] < bands[1] <= 1.0:
        raise ctx.error((*keys, "rank_band_quantiles"), "expected [low, high] with 0 <= low < high <= 1")
    for currency, entry in section["fx_rates"].items():
        where = (*keys, "fx_rates", currency)
        if not isinstance(entry, dict) or set(entry) != {"rate", "date"}:
            raise ctx.error(where, "expected {rate: <purchase currency per marketplace currency>, date: \"YYYY-MM-DD\"}")
        _check_scalar(entry["rate"], float, (*where, "rate"), ctx)
        _check_scalar(entry["date"], str, (*where, "date"), ctx)
        if entry["rate"] <= 0:
            raise ctx.error((*where, "rate"), "an exchange rate must be positive")
        try:
            datetime.date.fromisoformat(entry["date"])
        except ValueError:
            raise ctx.error((*where, "date"), "the rate's date must be YYYY-MM-DD") from None


# ---------------------------------------------------------------------------------------------
# Merging and resolving one marketplace


def _deep_merge(base: dict, override: dict) -> dict:
    """A copy of ``base`` with ``override`` merged in; mappings merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _in_scope(scope: str, code: str) -> bool:
    return scope == "all" or code in {c.strip().upper() for c in scope.split(",")}


def _resolve_events(calendar: list, code: str) -> list:
    """Entries for ``code``: its own entry for an event and year replaces the "all" one."""
    own = {(e["event"], e["start"][:4]) for e in calendar if e["scope"] != "all" and _in_scope(e["scope"], code)}
    kept = [
        e for e in calendar
        if _in_scope(e["scope"], code) and not (e["scope"] == "all" and (e["event"], e["start"][:4]) in own)
    ]
    return sorted(kept, key=lambda e: (e["start"], e["event"]))


def load_defaults(params_dir: str | os.PathLike | None = None) -> dict:
    """Read and validate ``defaults.yaml`` (all rules, before any marketplace override).

    Parameters
    ----------
    params_dir : str or path-like, optional
        Folder holding ``defaults.yaml``; default: see :func:`find_params_dir`.

    Returns
    -------
    dict
        Plain nested dict with the top-level keys of the contract.

    Raises
    ------
    ParamsError
        Naming the file, line and key of the first problem.
    """
    path = _file(params_dir, "defaults.yaml")
    data, node = _read_yaml(path)
    _check_defaults(data, _Context(path, node))
    return data


def load(marketplace: str, params_dir: str | os.PathLike | None = None) -> dict:
    """Merged, validated parameters of one marketplace: defaults.yaml <- <MP>.yaml.

    Mappings merge key by key; lists and scalars in the marketplace file replace the defaults'.
    Only rules whose ``scope`` covers the marketplace are kept, and ``events.calendar`` holds the
    marketplace's own event dates. The result is a plain dict; the caller may modify its copy.

    Parameters
    ----------
    marketplace : str
        Marketplace code ("US", "de" ...), see :mod:`opsanalysis.marketplaces`.
    params_dir : str or path-like, optional
        Folder with ``<MP>.yaml`` (and optionally ``defaults.yaml``); files it lacks come from
        the package's params folder. ``None`` or ``""``: see :func:`find_params_dir`.

    Returns
    -------
    dict
        Keys ``marketplace``, ``language``, ``currency``, ``rules``, ``lead_time``,
        ``replenishment``, ``fees``, ``events``, ``forecast``, ``ads``, ``opportunity``,
        ``launch``. ``rules`` maps rule id -> {value | min/max, unit, direction, scope, source,
        checked, ...}; fractions are fractions (0.25), durations in days unless the key says.

    Raises
    ------
    opsanalysis.marketplaces.UnknownMarketplaceError
        For an unknown marketplace code.
    ParamsError
        For a missing file, an unknown key, a wrong type, a code YAML read as boolean or number
        (``NO``, ``001``: quote it), or an incomplete rule; the message names file, line and key.
    """
    mp = marketplaces.get(marketplace)
    defaults = load_defaults(params_dir)
    path = _file(params_dir, f"{mp.code}.yaml")
    overrides, node = _read_yaml(path)
    ctx = _Context(path, node)
    for key in overrides:
        if key not in TOP_LEVEL_KEYS:
            hint = difflib.get_close_matches(str(key), TOP_LEVEL_KEYS, n=1)
            extra = f"; did you mean '{hint[0]}'?" if hint else ""
            raise ctx.error((key,), f"unknown key (not in defaults.yaml){extra}")
    _check_like(overrides, defaults, (), ctx)
    merged = _deep_merge(defaults, overrides)
    for rule_id in overrides.get("rules", {}):
        _check_rule(rule_id, merged["rules"][rule_id], ctx)
    _check_settings(merged, mp, ctx)
    merged["rules"] = {
        rule_id: fields for rule_id, fields in merged["rules"].items()
        if _in_scope(fields["scope"], mp.code)
    }
    merged["events"]["calendar"] = _resolve_events(merged["events"]["calendar"], mp.code)
    return merged


def available_marketplaces(params_dir: str | os.PathLike | None = None) -> list[str]:
    """Codes of the marketplaces that have a ``<MP>.yaml`` in the params folder.

    Parameters
    ----------
    params_dir : str or path-like, optional
        See :func:`find_params_dir`.

    Returns
    -------
    list of str
        In the registry order of :func:`opsanalysis.marketplaces.codes`.
    """
    folder = find_params_dir(params_dir)
    return [code for code in marketplaces.codes() if (folder / f"{code}.yaml").is_file()]


# ---------------------------------------------------------------------------------------------
# Rule helpers


def rule(params: dict, rule_id: str) -> dict:
    """One rule of a loaded parameter set.

    Parameters
    ----------
    params : dict
        Result of :func:`load` or :func:`load_defaults`.
    rule_id : str
        Rule id, e.g. "order_defect_rate".

    Returns
    -------
    dict
        The rule's fields (value | min/max, unit, direction, scope, source, checked, ...).

    Raises
    ------
    KeyError
        For an unknown rule id, with the closest known ids.
    """
    rules = params["rules"]
    if rule_id in rules:
        return rules[rule_id]
    hint = difflib.get_close_matches(rule_id, list(rules), n=3)
    extra = f"; did you mean {', '.join(hint)}?" if hint else ""
    raise KeyError(f"unknown rule {rule_id!r}{extra}")


def rules_table(params: dict) -> pd.DataFrame:
    """The rule pack as a table, one row per rule, in file order.

    Parameters
    ----------
    params : dict
        Result of :func:`load` or :func:`load_defaults`.

    Returns
    -------
    pandas.DataFrame
        Columns rule_id, value, min, max [rule unit], unit, direction, scope, source, checked,
        note, article_value, article_min, article_max, article_source; absent fields are NaN.
    """
    rows = [{"rule_id": rule_id, **fields} for rule_id, fields in params["rules"].items()]
    table = pd.DataFrame(rows, columns=RULES_TABLE_COLUMNS)
    for column in ("value", "min", "max", "article_value", "article_min", "article_max"):
        table[column] = table[column].astype("float64")
    return table

"""Bilingual labels (English and simplified Chinese) for every metric, column and status shown.

Labels live in YAML files beside this module (``labels/*.yaml``), one mapping per file:
``key: {en: "...", zh: "..."}``. ``core.yaml`` holds the rule pack, the canonical report columns
and common report words; each topic adds its own ``labels/<topic>.yaml``. All files are merged;
a key defined in two files is an error, so a topic never silently overrides another's wording.
"""

from __future__ import annotations

import difflib
import functools
from pathlib import Path

import pandas as pd
import yaml

__all__ = ["LANGUAGES", "LabelError", "add_labels", "all_labels", "has_label", "label",
           "load_label_files", "translate_columns"]

LANGUAGES = ("en", "zh")
_FOLDER = Path(__file__).resolve().parent
# libyaml when PyYAML was built with it: every kernel reads the label files (0.6 s -> 0.07 s)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LabelError(ValueError):
    """A label file that is malformed, incomplete or repeats a key of another file."""


def _language(language: str) -> str:
    """Normalise "zh-CN", "ZH", "en_US" to "zh"/"en"; anything else is an error."""
    code = str(language).strip().lower().replace("_", "-").split("-")[0]
    if code not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    return code


def load_label_files(folder: str | Path = _FOLDER) -> dict[str, dict[str, str]]:
    """Read and merge every ``*.yaml`` label file of ``folder``.

    Parameters
    ----------
    folder : str or path-like
        Folder of label files; default the package's ``labels/`` folder.

    Returns
    -------
    dict
        key -> {"en": text, "zh": text}.

    Raises
    ------
    LabelError
        When a file is not a mapping of keys to {en, zh} with non-empty text, a key repeats within
        a file or across files (naming both files), or a key is not text (YAML reads ``on:`` as
        true).
    """
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.yaml")):
        for key, texts in _read_file(path).items():
            if key in merged:
                raise LabelError(f"label {key!r} is defined in both {origin[key]} and {path.name}")
            merged[key] = texts
            origin[key] = path.name
    return merged


def _read_file(path: Path) -> dict[str, dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER) or {}
    except yaml.YAMLError as exc:
        raise LabelError(f"{path.name}: cannot read: {exc}") from exc
    if not isinstance(data, dict):
        raise LabelError(f"{path.name}: expected a mapping of label keys")
    seen = set()
    for key_node, _ in getattr(node, "value", []):
        if key_node.value in seen:
            raise LabelError(
                f"{path.name}, line {key_node.start_mark.line + 1}: duplicate label {key_node.value!r}"
            )
        seen.add(key_node.value)
    for key, texts in data.items():
        if not isinstance(key, str):
            raise LabelError(f"{path.name}: label key {key!r} is not text; quote it")
        if not isinstance(texts, dict) or set(texts) != set(LANGUAGES):
            raise LabelError(f"{path.name}: label {key!r} needs exactly the languages {LANGUAGES}")
        for language, value in texts.items():
            if not isinstance(value, str) or not value.strip():
                raise LabelError(f"{path.name}: label {key!r} has no {language} text")
    return data


@functools.cache
def _labels() -> dict[str, dict[str, str]]:
    return load_label_files(_FOLDER)


def all_labels() -> dict[str, dict[str, str]]:
    """Every label of the package.

    Returns
    -------
    dict
        A copy: key -> {"en": text, "zh": text}.
    """
    return {key: dict(texts) for key, texts in _labels().items()}


def has_label(key) -> bool:
    """Whether ``key`` is a label of the package (without copying them, as :func:`all_labels`
    does).

    Parameters
    ----------
    key : hashable
        A column name, code or rule id.

    Returns
    -------
    bool
    """
    return isinstance(key, str) and key in _labels()


def label(key: str, language: str = "en") -> str:
    """The text of one label.

    Parameters
    ----------
    key : str
        Label key: a rule id, canonical column name or status ("order_defect_rate", "sessions").
    language : str
        "en" or "zh" ("zh-CN" and "en-US" are accepted).

    Returns
    -------
    str

    Raises
    ------
    KeyError
        For an unknown key, with the closest known keys.
    ValueError
        For an unsupported language.
    """
    language = _language(language)
    labels = _labels()
    if key not in labels:
        hint = difflib.get_close_matches(str(key), list(labels), n=3)
        extra = f"; did you mean {', '.join(hint)}?" if hint else ""
        raise KeyError(f"no label {key!r}{extra}")
    return labels[key][language]


def translate_columns(df: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """A copy of ``df`` with column headers replaced by their labels where a label exists.

    Parameters
    ----------
    df : pandas.DataFrame
    language : str
        "en" or "zh".

    Returns
    -------
    pandas.DataFrame
        Same data; unknown headers are kept as they are.
    """
    language = _language(language)
    labels = _labels()
    mapping = {c: labels[c][language] for c in df.columns if isinstance(c, str) and c in labels}
    return df.rename(columns=mapping)


def add_labels(df: pd.DataFrame, column: str, language: str, name: str = "label") -> pd.DataFrame:
    """A copy of ``df`` with the words for the codes of one column, placed right after it.

    Analyses return codes (rule ids, statuses, actions); this puts them into words for people,
    e.g. ``add_labels(kpi.scorecard(...), "rule_id", "zh")`` adds the scorecard's ``label``.

    Parameters
    ----------
    df : pandas.DataFrame
        Any table with a code column.
    column : str
        The code column.
    language : str
        "en" or "zh".
    name : str
        Name of the new column; an existing column of that name is replaced (``name=column``
        replaces the codes by their words in place).

    Returns
    -------
    pandas.DataFrame
        Same rows; ``name`` holds each code's label, or the code itself where no label exists
        (a rule a team added to its own params), and missing codes stay missing.
    """
    language = _language(language)
    labels = _labels()
    words = df[column].map(lambda code: labels[code][language]
                           if isinstance(code, str) and code in labels else code)
    result = df.copy()
    if name == column:
        result[column] = words
        return result
    result = result.drop(columns=[name], errors="ignore")
    result.insert(result.columns.get_loc(column) + 1, name, words)
    return result

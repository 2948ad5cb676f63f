"""Bilingual labels (English and simplified Chinese) for every metric, column and status shown.

Labels live in YAML files beside this module (``labels/*.yaml``), one mapping per file:
``key: {en: "...", zh: "..."}``. ``core.yaml`` holds the rule pack, the canonical report columns
and common report words; each topic adds its own ``labels/<topic>.yaml``. All files are merged;
a key defined in two files is an error, so a topic never silently overrides another's wording.
"""

from __future__ import annotations

import difflib
import functools
import re
import string
from pathlib import Path

import pandas as pd
import yaml

__all__ = ["COUNT_MODIFIERS", "COUNT_NOUNS", "LANGUAGES", "LabelError", "add_labels",
           "all_labels", "fill", "has_label", "label", "load_label_files", "translate_columns"]

LANGUAGES = ("en", "zh")
_FOLDER = Path(__file__).resolve().parent
# libyaml when PyYAML was built with it: every kernel reads the label files (0.6 s -> 0.07 s)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: English count nouns as the en label texts write them right after a placeholder, plural ->
#: singular. :func:`fill` makes only these agree with a count of exactly 1; grammar, not a
#: business rule, so it lives here and not in params. Add a noun when a new en label counts it.
COUNT_NOUNS = {
    "ASINs": "ASIN", "SKU-days": "SKU-day", "SKUs": "SKU", "actions": "action", "bids": "bid",
    "breaches": "breach", "campaign-days": "campaign-day", "campaigns": "campaign",
    "categories": "category", "changes": "change", "clicks": "click", "cuts": "cut",
    "days": "day", "errors": "error", "fees": "fee", "files": "file", "findings": "finding",
    "gaps": "gap", "groups": "group", "hours": "hour", "launches": "launch", "lines": "line",
    "listings": "listing", "marketplaces": "marketplace", "metrics": "metric", "months": "month",
    "negatives": "negative", "orders": "order", "pairs": "pair", "points": "point",
    "products": "product", "queries": "query", "reports": "report", "reviews": "review",
    "rows": "row", "rules": "rule", "sessions": "session", "settlements": "settlement",
    "terms": "term", "types": "type", "units": "unit", "warnings": "warning", "weeks": "week",
}
#: Words that may stand between the count and its noun ("{n} search terms", "{n} active FBA
#: listings"); at most two, and only these.
COUNT_MODIFIERS = (
    "CSV", "FBA", "SKU", "active", "aged", "bid", "capped", "category-marketplace", "competitor",
    "measured", "more", "most", "new", "order", "other", "past", "price", "report", "search",
    "shipped", "standard", "structure", "title", "urgent", "weekly", "word",
)
# the noun (after at most two known modifiers) that opens the text right after a placeholder
_COUNT_NOUN = re.compile(
    r"(?P<lead>[ \u00a0](?:(?:{modifiers}) ){{0,2}})(?P<noun>{nouns})(?![\w-])".format(
        modifiers="|".join(map(re.escape, COUNT_MODIFIERS)),
        nouns="|".join(map(re.escape, sorted(COUNT_NOUNS, key=len, reverse=True)))))
_FORMATTER = string.Formatter()


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


def fill(key: str, language: str = "en", /, **values) -> str:
    """The text of one label with its placeholders filled, English count nouns agreeing.

    Chinese has no plural forms: its text is exactly ``label(key, language).format(**values)``.
    In English, a placeholder whose filled text is exactly ``"1"`` and is followed by a space and
    one of :data:`COUNT_NOUNS` (after at most two of :data:`COUNT_MODIFIERS`) takes the singular:
    "{skus} SKUs on {days} days" with 1 and 2 reads "1 SKU on 2 days". Everything else reads as
    ``str.format`` writes it: "0 units", "21 days", "1.5 days", "1.0 days", "1,001 units",
    "-1 days" (a negative or decimal count keeps the plural), a noun not right after a
    placeholder ("units of 1"), a number inside a filled value ("{note}" holding "1 units"),
    "{n}+ days" and "{n}-day". Verbs are not touched ("{count} SKUs were ..." with 1 still reads
    "1 SKU were ..."): word such templates so that the verb does not depend on the count.

    Parameters
    ----------
    key : str
        Label key (see :func:`label`).
    language : str
        "en" or "zh" ("zh-CN" and "en-US" are accepted).
    **values
        The placeholders' values, as for ``str.format`` (format specs such as ``{units:,}`` and
        ``{limit:g}`` apply).

    Returns
    -------
    str

    Raises
    ------
    KeyError
        For an unknown key, or a placeholder without a value (as ``str.format``).
    ValueError
        For an unsupported language.
    """
    template = label(key, language)
    if _language(language) != "en":
        return template.format(**values)
    pieces = []
    after_one = False
    for literal, field, spec, conversion in _FORMATTER.parse(template):
        match = _COUNT_NOUN.match(literal) if after_one else None
        if match:
            literal = match["lead"] + COUNT_NOUNS[match["noun"]] + literal[match.end():]
        pieces.append(literal)
        if field is None:
            continue
        value, _ = _FORMATTER.get_field(field, (), values)
        value = _FORMATTER.convert_field(value, conversion)
        text = _FORMATTER.format_field(value, _FORMATTER.vformat(spec, (), values) if spec else "")
        pieces.append(text)
        after_one = text == "1"
    return "".join(pieces)


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

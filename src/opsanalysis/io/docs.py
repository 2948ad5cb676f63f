"""Documentation generated from the schema: the canonical columns of every report kind."""

from __future__ import annotations

from pathlib import Path

from opsanalysis.io import schema

__all__ = ["DOC_PATH", "canonical_columns_markdown", "write_canonical_columns_doc"]

DOC_PATH = Path("docs") / "canonical-columns.md"

_DTYPE_TEXT = {
    schema.TEXT: "text (str)",
    schema.COUNT: "count (Int64)",
    schema.MONEY: "money (float, [currency])",
    schema.FRACTION: "fraction (float, 0.25 = 25 %)",
    schema.NUMBER: "number (float)",
    schema.DATE: "date (naive datetime64, marketplace-local)",
    schema.TIMESTAMP: "timestamp (tz-aware, marketplace time zone)",
    schema.BOOLEAN: "boolean",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def canonical_columns_markdown() -> str:
    """Markdown table of every kind's canonical columns, dtypes, required flags and headers.

    Returns
    -------
    str
    """
    lines = [
        "# Canonical columns of every report kind",
        "",
        "Generated from `opsanalysis.io.schema` by "
        "`opsanalysis.io.docs.write_canonical_columns_doc()`; do not edit by hand "
        "(a test checks it is up to date).",
        "",
        "Headers are matched after normalisation (BOM and spaces stripped, NFKC, every dash "
        "as `-`, case-insensitive), exactly, never as substrings. `{n}` is the attribution "
        "window in days (7 or 14) and becomes the `attribution_days` column. Readers add "
        "`currency` to every kind with money columns where the currency is known.",
        "",
    ]
    for name, kind in schema.KINDS.items():
        lines += [f"## `{name}`", "", kind.description, ""]
        if kind.constants:  # columns the reader adds, the same on every row
            lines += ["Added by the reader: " + ", ".join(
                f"`{column}` = `{value}`" for column, value in kind.constants) + ".", ""]
        if kind.markers:
            lines += ["Detected only when the header has at least one of: " + ", ".join(
                f"`{column}`" for column in kind.markers) + ".", ""]
        lines += ["| column | dtype | required | en-US header | other locales |",
                  "|---|---|---|---|---|"]
        for column in kind.columns:
            english = ", ".join(f"`{text}`" for text in column.aliases.get("en-US", ()))
            others = "; ".join(
                f"{locale}: " + ", ".join(f"`{text}`" for text in texts)
                for locale, texts in column.aliases.items() if locale != "en-US")
            lines.append(f"| `{column.name}` | {_DTYPE_TEXT[column.dtype]} | "
                         f"{'yes' if column.required else ''} | {_cell(english)} | "
                         f"{_cell(others)} |")
        lines.append("")
    return "\n".join(lines)


def write_canonical_columns_doc(repo_root) -> Path:
    """Write ``docs/canonical-columns.md`` under ``repo_root``; returns the path."""
    path = Path(repo_root) / DOC_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(canonical_columns_markdown(), encoding="utf-8")
    return path

"""One report section as notebooks show it: heading, one sentence of finding, table, chart.

A notebook cell that ends with a :class:`Section` shows it. Jupyter (and nbconvert's HTML) render
its ``text/html``: the heading, the finding, a formatted table (translated headers with units,
one number convention from :mod:`opsanalysis.formats`, codes in words, the first ``top`` rows
and a line saying how many more rows the workbook holds and in which sheet) and its chart. nbval
also compares its ``text/plain``: the same table as fixed-width text with every row, which is
what a regression test should see, never a DataFrame repr. A reader of the HTML report never
sees that text.

Section functions (``*_sections`` modules) build sections from analysis results; the tidy
table (``Section.table``, canonical columns and raw values) is what the workbook receives.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from opsanalysis.formats import column_kind, format_column
from opsanalysis.labels import fill, has_label, label

__all__ = ["NOWRAP_MAX_CHARACTERS", "Section", "SectionList", "actions_section",
           "display_table", "header_text", "missing_input_section", "table_html"]


@dataclass
class Section:
    """A displayable report section.

    Attributes
    ----------
    heading : str
        Section title in the report language.
    finding : str
        One sentence saying what the section shows (or what it needs when data is missing).
    table : DataFrame, optional
        Tidy table: canonical column names, raw values (rates as fractions).
    language : {"en", "zh"}
    currency : str, optional
        Currency of the money columns (ISO 4217); a ``currency`` column overrides it per row.
    kinds : dict
        Column -> kind (see :data:`opsanalysis.formats.KINDS`) where the name does not say it.
    top : int, optional
        Rows shown in the HTML; the rest are counted in a line pointing at ``sheet``.
    sheet : str, optional
        Workbook sheet holding the whole table.
    figure : matplotlib.figure.Figure, optional
        Chart shown under the table (build it with ``Figure()``, not pyplot, so that Jupyter
        does not show it a second time).
    notes : list of str
        Further sentences (warnings, coverage) shown under the finding.
    check_columns : list of str, optional
        Columns of the fixed-width text nbval compares; default every column.
    """

    heading: str
    finding: str
    table: pd.DataFrame | None = None
    language: str = "en"
    currency: str | None = None
    kinds: dict = field(default_factory=dict)
    top: int | None = None
    sheet: str | None = None
    figure: object = None
    notes: list = field(default_factory=list)
    check_columns: list | None = None

    def shown_table(self) -> pd.DataFrame | None:
        """The table as text with translated headers (every row)."""
        if self.table is None:
            return None
        return display_table(self.table, self.language, self.currency, self.kinds)

    def html(self) -> str:
        """The section as an HTML fragment (heading, finding, notes, table, more-rows line)."""
        parts = [f"<h2>{html.escape(self.heading)}</h2>", f"<p>{html.escape(self.finding)}</p>"]
        parts += [f"<p><em>{html.escape(note)}</em></p>" for note in self.notes if note]
        shown = self.shown_table()
        if shown is not None and len(shown.columns):
            head = shown if self.top is None else shown.head(self.top)
            if len(head):
                parts.append(table_html(head, self._kinds_shown()))
            hidden = len(shown) - len(head)
            if hidden > 0:
                more = fill("more_in_workbook", self.language,
                    count=f"{hidden:,}", sheet=self.sheet or "-")
                parts.append(f"<p>{html.escape(more)}</p>")
        return "\n".join(parts)

    def _kinds_shown(self) -> list:
        return [self.kinds.get(column) or column_kind(column, self.table[column])
                for column in self.table.columns]

    def check_text(self) -> str:
        """Fixed-width text of the heading, finding and every table row (for nbval)."""
        lines = [self.heading, self.finding, *[n for n in self.notes if n]]
        if self.table is not None and len(self.table.columns):
            columns = self.check_columns or list(self.table.columns)
            shown = display_table(self.table[columns], self.language, self.currency,
                                  self.kinds)
            lines += _fixed_width(shown)
        return "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html(), "text/plain": self.check_text()}

    def _ipython_display_(self):
        from IPython.display import display

        display(self._repr_mimebundle_(), raw=True)
        if self.figure is not None:
            display(self.figure)


class SectionList(list):
    """Several sections shown one after the other by a single notebook cell."""

    def _ipython_display_(self):
        for section in self:
            section._ipython_display_()


def header_text(column: str, kind: str, language: str, currency: str | None) -> str:
    """A column header in words with its unit: "Order cost (USD)", "ACOS (%)".

    Parameters
    ----------
    column : str
        Canonical column name.
    kind : str
        Display kind of the column.
    language : {"en", "zh"}
    currency : str, optional

    Returns
    -------
    str
    """
    words = label(column, language) if has_label(column) else column
    if kind == "percent" and "%" not in words:
        return f"{words} (%)"
    if kind == "money" and currency and currency not in words:
        return f"{words} ({currency})"
    return words


def display_table(table: pd.DataFrame, language: str = "en", currency: str | None = None,
                  kinds: dict | None = None) -> pd.DataFrame:
    """A tidy table as report text: every value formatted, headers translated with units.

    Parameters
    ----------
    table : DataFrame
        Canonical columns, raw values.
    language : {"en", "zh"}
    currency : str, optional
        Currency of money columns; a ``currency`` column of the table wins per row.
    kinds : dict, optional
        Column -> kind overrides.

    Returns
    -------
    DataFrame of str
    """
    kinds = kinds or {}
    row_currency = table["currency"] if "currency" in table else currency
    one_currency = _single_currency(row_currency)
    shown = {}
    for column in table.columns:
        kind = kinds.get(column) or column_kind(column, table[column])
        header = header_text(column, kind, language, one_currency)
        shown[header] = format_column(table[column], kind, row_currency, language)
    return pd.DataFrame(shown, index=table.index).reset_index(drop=True)


#: Longest text kept on one line in a table cell (codes, SKUs, short words) [characters].
NOWRAP_MAX_CHARACTERS = 24


def table_html(shown: pd.DataFrame, kinds: list) -> str:
    """A formatted table as HTML: text left-aligned, numbers right-aligned, short cells unbroken.

    Parameters
    ----------
    shown : DataFrame of str
        :func:`display_table` output (translated headers, formatted values).
    kinds : list of str
        Display kind of each column, in order.

    Returns
    -------
    str
        ``<table>`` with a ``<thead>`` header row; every cell escaped.
    """
    aligns = ["left" if kind in ("text", "bool") else "right" for kind in kinds]
    header = "".join(f'<th style="text-align:{align}">{html.escape(str(name))}</th>'
                     for name, align in zip(shown.columns, aligns, strict=True))
    rows = []
    for values in shown.itertuples(index=False, name=None):
        cells = "".join(_cell_html(value, align) for value, align in
                        zip(values, aligns, strict=True))
        rows.append(f"<tr>{cells}</tr>")
    return (f'<table class="opsanalysis-table"><thead><tr>{header}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _cell_html(value, align) -> str:
    text = str(value)
    nowrap = ";white-space:nowrap" if _width(text) <= NOWRAP_MAX_CHARACTERS else ""
    return f'<td style="text-align:{align}{nowrap}">{html.escape(text)}</td>'


def _single_currency(currency):
    if isinstance(currency, pd.Series):
        codes = currency.dropna().astype(str).unique()
        return codes[0] if len(codes) == 1 else None
    return currency


def _width(text: str) -> int:
    """Columns a text takes in a monospace font: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fixed_width(shown: pd.DataFrame) -> list:
    widths = [max([_width(str(c)), *[_width(v) for v in shown[c]]]) for c in shown.columns]
    rows = [list(map(str, shown.columns)), *shown.itertuples(index=False, name=None)]
    return ["  ".join(str(v) + " " * (w - _width(str(v))) for v, w in zip(row, widths, strict=True))
            .rstrip() for row in rows]


def actions_section(actions: pd.DataFrame, language: str = "en", currency: str | None = None,
                    top: int = 10, sheet: str | None = None) -> Section:
    """"This week's actions": the few things to do, each with its reason, first in a report.

    Parameters
    ----------
    actions : DataFrame
        One row per action, already ordered by priority, with at least ``action`` (a code with
        a label) and ``reason`` (words); usually also ``sku`` or ``search_term`` and a due date.
    language : {"en", "zh"}
    currency : str, optional
    top : int
        Actions listed; the rest are counted and point at ``sheet``.
    sheet : str, optional

    Returns
    -------
    Section
    """
    count = len(actions)
    finding = (label("no_actions", language) if count == 0 else
               fill("actions_this_week", language, count=f"{count:,}"))
    return Section(label("this_weeks_actions", language), finding, actions, language=language,
                   currency=currency, top=top, sheet=sheet)


def missing_input_section(heading: str, needs: str | None, language: str,
                          first: bool) -> Section | None:
    """The one-sentence section of a report section whose input is missing, else None.

    Several sections of a report often lack the same download; the first of them names it, the
    following ones say only that they are not estimated for want of it, so that a report says
    each missing download once.

    Parameters
    ----------
    heading : str
        The section's heading in the report language.
    needs : str or None
        Label key of the sentence saying what to download; None when nothing is missing.
    language : {"en", "zh"}
    first : bool
        Whether this is the report's first section that lacks this download.

    Returns
    -------
    Section or None
    """
    if needs is None:
        return None
    finding = label(needs if first else "needs_download_named_above", language)
    return Section(heading, finding, language=language)

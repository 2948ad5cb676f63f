"""Brand Analytics JSON documents of the SP-API written as the Seller Central downloads.

``GET_BRAND_ANALYTICS_SEARCH_QUERY_PERFORMANCE_REPORT`` (``dataByAsin``: one item per ASIN and
search query) and ``GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT`` (``dataByDepartmentAndSearchTerm``:
one item per department, search term and click-share rank 1-3) are JSON; the readers of
:mod:`opsanalysis.io` know the CSV files Seller Central > Brand Analytics downloads, which start
with a filter line (``ASIN or Product=["B0..."],Reporting Range=["Weekly"],Select week=["Week
44 | 2026-10-25 - 2026-10-31 2026"]``) above the header. This module writes the JSON as such
files, so that pulled and hand-saved documents go through the same readers:

- Search Query Performance: one file per ASIN (the download's ASIN view is about one ASIN,
  named in its filter line), en-US headers from :func:`opsanalysis.io.schema.header_for`;
- Search Terms: one file per period, one row per department and search term with the three
  most clicked products (the JSON has no product titles, brands or categories).

Shares and rates are fractions in the JSON (``0.0765``) and bare percentages in the downloads
(``7.65``); each is written as the exact decimal text the reader's ``percent_scale`` turns back
into the JSON's value. The field maps live in ``amazon_api.yaml``.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import io as _io
import json
from decimal import Decimal

from opsanalysis.io.schema import get_kind, header_for

__all__ = ["asin_groups", "documents", "filter_line", "search_query_performance_files",
           "search_terms_file"]


def asin_groups(asins, limit_chars: int) -> list[str]:
    """ASINs as space-separated lists of at most ``limit_chars`` characters each (the
    ``asin`` report option of the Search Query Performance report)."""
    groups, current = [], ""
    for asin in asins:
        candidate = f"{current} {asin}" if current else asin
        if current and len(candidate) > limit_chars:
            groups.append(current)
            candidate = asin
        current = candidate
    return groups + ([current] if current else [])


def filter_line(first: datetime.date, last: datetime.date, asin=None) -> str:
    """The Seller Central filter line of a weekly download (``asin``: the ASIN view's ASIN)."""
    year = last.year
    january_first = datetime.date(year, 1, 1)
    week_one = january_first - datetime.timedelta(days=(january_first.weekday() + 1) % 7)
    week = (first - week_one).days // 7 + 1  # Sunday-Saturday weeks, week 1 holds 1 January
    cells = [] if asin is None else [f'ASIN or Product=["{asin}"]']
    cells += ['Reporting Range=["Weekly"]',
              f'Select week=["Week {week} | {first:%Y-%m-%d} - {last:%Y-%m-%d} {year}"]']
    return ",".join(cells)


def documents(converter: str, raw_documents: list, spec: dict, first, last) -> list:
    """The files of one pulled period: [(file name, bytes)].

    Parameters
    ----------
    converter : str
        ``search_query_performance`` or ``search_terms`` (``document`` in amazon_api.yaml).
    raw_documents : list of bytes
        The JSON documents of the period's reports (decompressed).
    spec : dict
        The kind's entry of amazon_api.yaml.
    first, last : datetime.date
        The period asked for.
    """
    parsed = [json.loads(data.decode("utf-8")) for data in raw_documents]
    if converter == "search_query_performance":
        items = [item for document in parsed for item in document.get("dataByAsin") or []]
        return search_query_performance_files(items, spec, first, last)
    if converter == "search_terms":
        items = [item for document in parsed
                 for item in document.get("dataByDepartmentAndSearchTerm") or []]
        data = search_terms_file(items, spec, first, last)
        name = f"{spec['file']}_{first:%Y-%m-%d}_{last:%Y-%m-%d}.{spec['extension']}"
        if spec.get("compress"):
            return [(name + ".gz", gzip.compress(data, mtime=0))]
        return [(name, data)]
    raise ValueError(f"unknown Brand Analytics document {converter!r}")


def search_query_performance_files(items: list, spec: dict, first, last) -> list:
    """``dataByAsin`` items as one ASIN-view CSV per ASIN: [(file name, bytes)]."""
    kind = spec["reads_as"][0]
    fields = spec["fields"]
    by_asin = {}
    for item in items:
        by_asin.setdefault(item["asin"], []).append(item)
    files = []
    for asin, rows in by_asin.items():
        cells = [[_cell(kind, column, _path(item, path)) for path, column in fields.items()]
                 for item in rows]
        data = _csv(filter_line(first, last, asin), [header_for(kind, column)
                                                      for column in fields.values()], cells)
        files.append((f"{spec['file']}_{asin}_{first:%Y-%m-%d}_{last:%Y-%m-%d}."
                      f"{spec['extension']}", data))
    return files


def search_terms_file(items: list, spec: dict, first, last) -> bytes:
    """``dataByDepartmentAndSearchTerm`` items as the Search Terms download (one row per
    department and search term; the products ranked 1-3 by click share side by side)."""
    kind = spec["reads_as"][0]
    fields, ranked = spec["fields"], spec["ranked_fields"]
    ranks = sorted({int(item[spec["rank_field"]]) for item in items}) or [1]
    columns = [*fields.values()] + [f"{column}_{rank}" for rank in ranks
                                    for column in ranked.values()] + ["reporting_date"]
    rows = {}
    for item in items:
        key = tuple(item.get(field) for field in fields)
        row = rows.setdefault(key, dict(zip(fields.values(), key, strict=True)))
        rank = int(item[spec["rank_field"]])
        for field, column in ranked.items():
            row[f"{column}_{rank}"] = item.get(field)
        row["reporting_date"] = f"{last:%Y-%m-%d}"
    cells = [[_cell(kind, column, row.get(column)) for column in columns]
             for row in rows.values()]
    return _csv(filter_line(first, last), [header_for(kind, column) for column in columns],
                cells)


def _path(item: dict, path: str):
    value = item
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _cell(kind: str, column: str, value) -> str:
    """A JSON value as the download writes it (fractions as bare percentages)."""
    if value is None:
        return ""
    scale = get_kind(kind).column(column).percent_scale
    if scale != 1.0 and isinstance(value, int | float) and not isinstance(value, bool):
        # exact decimal text: 0.0765 -> "7.65", which the reader divides back
        return format((Decimal(repr(float(value))) * Decimal(repr(scale))).normalize(), "f")
    return str(value)


def _csv(first_line: str, header: list, rows: list) -> bytes:
    out = _io.StringIO()
    out.write(first_line + "\r\n")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")

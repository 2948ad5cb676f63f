"""Reading Amazon's report files into canonical DataFrames.

Public API (stable):

- :func:`read_report` (``path, marketplace=None, kind=None, period=None``) -> DataFrame
- :func:`read_report_frames` -> dict kind -> DataFrame (a Sales and Traffic JSON holds two)
- :func:`load_marketplace` (``data_dir, marketplace``) -> :class:`MarketplaceData`
- :func:`is_placeholder_sku`, :func:`is_cancelled`, :func:`is_marketplace_sale`,
  :func:`sales_channel_summary`, :func:`per_distinct`
  (:mod:`opsanalysis.io.identity`): placeholder SKUs and marketplace sales vs other channels
- :class:`ReportError` and its subclasses (:mod:`opsanalysis.io.errors`)
- :mod:`opsanalysis.io.schema`: :data:`KINDS`, :func:`canonical_columns`, :func:`header_for`

Canonical columns of every kind are listed in ``docs/canonical-columns.md`` (generated from
the schema by :func:`opsanalysis.io.docs.canonical_columns_markdown`).
"""

from opsanalysis.io import schema
from opsanalysis.io.errors import (
    AmbiguousFormatError,
    EmptyReportError,
    MalformedRowError,
    MissingColumnError,
    MixedCurrencyError,
    PeriodError,
    ReportError,
    UnknownKindError,
    UnreadableFileError,
    ValueParseError,
    WrongKindError,
)
from opsanalysis.io.identity import (
    is_cancelled,
    is_marketplace_sale,
    is_placeholder_sku,
    per_distinct,
    placeholder_skus,
    sales_channel_summary,
)
from opsanalysis.io.marketplace_data import MarketplaceData, load_marketplace
from opsanalysis.io.report import read_report, read_report_frames
from opsanalysis.io.schema import KINDS, canonical_columns, header_for, required_columns

__all__ = [
    "KINDS",
    "AmbiguousFormatError",
    "EmptyReportError",
    "MalformedRowError",
    "MarketplaceData",
    "MissingColumnError",
    "MixedCurrencyError",
    "PeriodError",
    "ReportError",
    "UnknownKindError",
    "UnreadableFileError",
    "ValueParseError",
    "WrongKindError",
    "canonical_columns",
    "header_for",
    "is_cancelled",
    "is_marketplace_sale",
    "is_placeholder_sku",
    "load_marketplace",
    "per_distinct",
    "read_report",
    "placeholder_skus",
    "read_report_frames",
    "required_columns",
    "sales_channel_summary",
    "schema",
]

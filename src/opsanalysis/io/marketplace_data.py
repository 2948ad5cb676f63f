"""``load_marketplace``: every report in a marketplace folder, one frame per kind.

Stable API: ``load_marketplace(data_dir, marketplace) -> MarketplaceData``.

De-duplication rule (files may overlap: weekly and monthly downloads, repeated snapshots):

1. Files are ordered by the end of their period (then modification time, then name), so a
   later file counts as the later snapshot. Undated snapshots (MYI, restock) take their
   ``snapshot_date`` from a ``YYYY-MM-DD`` in the file name when there is one.
2. Exact duplicate rows are dropped.
3. A row's key is the identifying columns of its kind (:data:`KEYS`). For each key the rows of
   one file are kept, the latest file holding it; the rows of one file never replace each other
   (Amazon lists the same child ASIN and SKU under two parents in one Business Report, and one
   order can hold the same SKU twice). All Orders keep, per key, the file with the latest
   ``last_updated_date``. Key columns in :data:`SHARED_KEY_COLUMNS` count only when every file
   of the kind has them (``order_item_id`` is new in 2026 downloads), so an older and a newer
   download of the same orders still overlap. A kind without an entry is keyed by all its
   text and date columns plus ``attribution_days``; console search-term exports (one ad group
   each, which they do not name) are never superseded, only exact duplicates dropped.

Business Reports by date keep their grain: each file's rows get a ``grain`` column ("day",
"week" or "month", :func:`date_grain`, from the spacing of the file's dates), which is part of
the key, so a weekly download never replaces or doubles the days of a daily one.

Files that are not read are listed by :meth:`MarketplaceData.unreadable_files` with the reason:
unreadable reports and files of a kind no reader knows; documentation and ``periods.yaml`` are
skipped as "not a report" and are not listed.

Periods of Business Reports by ASIN (which carry no dates) come from the file name (see
:func:`opsanalysis.io.read_report`) or from a ``periods.yaml`` beside the files, mapping a file
name to its first and last day::

    BusinessReport-10-31-25.csv: ["2025-10-01", "2025-10-31"]
    BusinessReport-7-24-25.csv: "2025-07-23"          # one day
    by_asin_week.csv: {first: "2025-07-14", last: "2025-07-20"}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from opsanalysis import marketplaces
from opsanalysis.io import (
    kinds_bulk,
    kinds_fees,
    kinds_finance,
    kinds_ledger,
    kinds_listings,
    kinds_removals,
)
from opsanalysis.io.errors import PeriodError, ReportError, UnknownKindError
from opsanalysis.io.report import parse_period, read_report_frames

__all__ = ["GRAIN_MAX_STEP_DAYS", "KEYS", "PERIODS_FILE", "SHARED_KEY_COLUMNS", "MarketplaceData",
           "combine", "date_grain", "key_columns", "load_marketplace", "read_periods"]

PERIODS_FILE = "periods.yaml"
# Start of the summary message of files that are no reports (documentation, periods.yaml): they
# are skipped and not listed as unreadable.
_NOT_A_REPORT = "not a report"
_SKIP_NAMES = ("readme", "manifest", "license", "changelog", "ipi.")  # ipi.csv: opsanalysis.ipi
_SKIP_SUFFIXES = (".md", ".rst", ".yaml", ".yml", ".py", ".ipynb", ".html", ".png", ".jpg",
                  ".pdf", ".toml", ".ini", ".cfg")

# Identifying columns of each kind (module docstring, rule 3). Left out on purpose: attributes
# that change between downloads of the same line (campaign status, portfolio, bidding strategy,
# return status, tracking id), which would keep both copies of one line.
_ADS_IDENTITY = ("date", "start_date", "end_date", "campaign_name", "ad_group_name", "targeting",
                 "match_type", "customer_search_term", "advertised_sku", "advertised_asin",
                 "purchased_asin", "placement", "country", "retailer", "currency",
                 "attribution_days")
KEYS = {
    "business_report_date": ("date", "grain"),
    "business_report_asin": ("period_start", "period_end", "parent_asin", "child_asin", "sku"),
    "all_orders": ("amazon_order_id", "order_item_id", "sku"),
    "fba_returns": ("return_date", "order_id", "sku", "license_plate_number"),
    "mfn_returns": ("order_id", "sku", "amazon_rma_id", "return_request_date"),
    "fba_inventory": ("snapshot_date", "sku"),
    "inventory_planning": ("snapshot_date", "sku", "marketplace"),
    "restock": ("snapshot_date", "sku", "country"),
    "excess_inventory": ("snapshot_date", "sku"),
    "inventory_history": ("date", "fnsku", "sku", "fulfillment_center_id",
                          "detailed_disposition", "country"),
    "sp_search_term": _ADS_IDENTITY,
    "sp_targeting": _ADS_IDENTITY,
    "sp_advertised_product": _ADS_IDENTITY,
    "sp_placement": _ADS_IDENTITY,
    "sp_purchased_product": _ADS_IDENTITY,
    "sp_campaign": _ADS_IDENTITY,
    "sp_performance_over_time": ("date", "attribution_days"),
    "console_campaigns": ("campaign_name", "currency"),
    "console_search_terms": (),
    "account_health": ("marketplace_id", "metric", "date_from", "date_to"),
    "product_master": ("sku",),
    "niche": ("marketplace", "category", "niche_name"),
}
# The kind tables added for issue 14 keep their keys beside their columns.
for _table in (kinds_bulk, kinds_fees, kinds_finance, kinds_ledger, kinds_listings,
               kinds_removals):
    KEYS.update({name: tuple(columns) for name, columns in _table.KEYS.items()})
# Columns that identify a line only where every file of the kind has them.
SHARED_KEY_COLUMNS = frozenset({"order_item_id", "license_plate_number", "amazon_rma_id",
                                "marketplace", "country", "retailer", "currency",
                                "attribution_days"})
#: Grain of a dated file from the median step between its dates: up to this many days [days].
#: Amazon's Business Report by date offers day, week and month views.
GRAIN_MAX_STEP_DAYS = {"day": 3, "week": 10}


@dataclass
class MarketplaceData:
    """All reports of one marketplace, read and combined.

    Attributes
    ----------
    marketplace : str
        Marketplace code.
    frames : dict of str -> pandas.DataFrame
        One concatenated, de-duplicated frame per kind.
    summary : pandas.DataFrame
        One row per file (and kind): file, kind, rows, period_start, period_end, status
        ("ok", "skipped", "error"), message.
    warnings : list of str
    """

    marketplace: str
    frames: dict = field(default_factory=dict)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list = field(default_factory=list)

    def __getitem__(self, kind: str) -> pd.DataFrame:
        try:
            return self.frames[kind]
        except KeyError:
            raise KeyError(f"no {kind} report was found for {self.marketplace}; found: "
                           f"{', '.join(self.frames) or 'nothing'}") from None

    def get(self, kind: str, default=None):
        """The frame of ``kind``, or ``default`` (None) when the folder had none."""
        return self.frames.get(kind, default)

    def __contains__(self, kind) -> bool:
        return kind in self.frames

    def __iter__(self):
        return iter(self.frames)

    @property
    def kinds(self) -> list:
        return list(self.frames)

    def unreadable_files(self) -> pd.DataFrame:
        """Files that were not read: unreadable reports and files of a kind no reader knows.

        Returns
        -------
        pandas.DataFrame
            file, reason; documentation and ``periods.yaml`` (skipped as not a report) are
            left out.
        """
        summary = self.summary
        if summary.empty:
            return pd.DataFrame(columns=["file", "reason"])
        message = summary["message"].fillna("").astype(str)
        unread = (summary["status"] == "error") | (
            (summary["status"] == "skipped") & ~message.str.startswith(_NOT_A_REPORT))
        return pd.DataFrame({"file": summary.loc[unread, "file"].astype(str),
                             "reason": message[unread]}).reset_index(drop=True)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{kind}={len(frame)}" for kind, frame in self.frames.items())
        return f"MarketplaceData({self.marketplace!r}: {sizes})"


def _folder(data_dir, code) -> Path:
    base = Path(data_dir)
    for candidate in (base / code, base / code.lower(), base / code.upper()):
        if candidate.is_dir():
            return candidate
    if not base.is_dir():
        raise FileNotFoundError(f"no folder for marketplace {code} under {base}")
    known = set(marketplaces.codes())
    others = sorted(child.name for child in base.iterdir()
                    if child.is_dir() and child.name.upper() in known)
    if others:
        # A data folder of other marketplaces: never read their files as this one's.
        raise FileNotFoundError(f"no {code} folder under {base}; it has {', '.join(others)}")
    return base


def _candidate_files(folder: Path):
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        lowered = path.name.lower()
        if lowered == PERIODS_FILE:
            continue  # read by _read_periods
        if lowered.startswith(_SKIP_NAMES) or lowered.endswith(_SKIP_SUFFIXES):
            yield path, "skipped", f"{_NOT_A_REPORT} file (documentation or code)"
            continue
        yield path, None, None


def _read_periods(folder: Path, rows: list, warnings: list, strict: bool) -> dict:
    """Periods given in every ``periods.yaml`` under ``folder``: {report path: (first, last)}.

    Each ``periods.yaml`` gets a summary row; one that cannot be read is an ``error`` row (or
    raises, when ``strict``) and gives no periods.
    """
    periods = {}
    for path in sorted(folder.rglob(PERIODS_FILE)):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        name = str(path.relative_to(folder))
        try:
            found = read_periods(path)
        except PeriodError as error:
            if strict:
                raise
            rows.append(_row(name, None, None, "error", str(error)))
            warnings.append(str(error))
            continue
        periods.update(found)
        rows.append(_row(name, None, None, "skipped",
                         f"{_NOT_A_REPORT}: the periods of {len(found)} report file(s)"))
    return periods


def read_periods(path) -> dict:
    """Read a ``periods.yaml``: report file name -> its first and last day.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``periods.yaml``. Each entry maps a file name (relative to the folder of
        ``periods.yaml``) to ``[first, last]``, ``{first: ..., last: ...}``, one day
        (``"2025-07-23"``) or ``"first_last"``; dates ``YYYY-MM-DD``, both days inclusive.

    Returns
    -------
    dict of pathlib.Path -> (pandas.Timestamp, pandas.Timestamp)

    Raises
    ------
    PeriodError
        For a file that is not such a mapping or an entry that is not a period, naming the
        entry.
    """
    path = Path(path)
    expected = ("a mapping of file name -> [first day, last day], e.g. "
                "BusinessReport.csv: [\"2025-10-01\", \"2025-10-31\"]")
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise PeriodError(f"cannot read the periods file ({error})", file=path,
                          expected=expected) from None
    if entries is None:
        return {}
    if not isinstance(entries, dict):
        raise PeriodError("the periods file is not a mapping", file=path, expected=expected)
    periods = {}
    for name, entry in entries.items():
        if isinstance(entry, dict):
            entry = [entry.get("first", entry.get("start")), entry.get("last", entry.get("end"))]
        if isinstance(entry, list | tuple):
            entry = [str(value) for value in entry if value is not None]
        else:
            entry = str(entry)
        try:
            periods[path.parent / str(name)] = parse_period(entry, path)
        except PeriodError as error:
            raise PeriodError(f"entry {str(name)!r}: {error.problem}", file=path,
                              value=error.value, expected=expected) from None
    return periods


def _row(file, kind, frame, status, message):
    period = frame.attrs.get("period") if frame is not None else None
    return {"file": file, "kind": kind, "rows": None if frame is None else len(frame),
            "period_start": period[0] if period else pd.NaT,
            "period_end": period[1] if period else pd.NaT, "status": status,
            "message": message}


def load_marketplace(data_dir, marketplace, *, strict: bool = False) -> MarketplaceData:
    """Read every report in a marketplace folder into one object.

    Parameters
    ----------
    data_dir : str or pathlib.Path
        Folder holding per-marketplace subfolders (``data/sample``), or the marketplace
        folder itself. Files are found recursively, whatever their names; a ``periods.yaml``
        gives the periods of the files beside it (module docstring).
    marketplace : str
        Marketplace code ("US", "UK", "DE", "JP" ...).
    strict : bool
        Raise the first ``ReportError`` instead of recording it in the summary.

    Returns
    -------
    MarketplaceData
        Files that are not reports are skipped with the reason in ``summary``; a file that
        fails to read never stops the others (unless ``strict``).
    """
    code = marketplaces.get(marketplace).code
    folder = _folder(data_dir, code)
    read, rows, warnings = [], [], []
    periods = _read_periods(folder, rows, warnings, strict)
    for path, status, message in _candidate_files(folder):
        name = str(path.relative_to(folder))
        if status:
            rows.append(_row(name, None, None, status, message))
            continue
        try:
            frames = read_report_frames(path, marketplace=code, period=periods.pop(path, None))
        except UnknownKindError as error:
            if strict:
                raise
            rows.append(_row(name, None, None, "skipped", str(error)))
            continue
        except ReportError as error:
            if strict:
                raise
            rows.append(_row(name, None, None, "error", str(error)))
            warnings.append(str(error))
            continue
        for kind, frame in frames.items():
            if kind == "business_report_date" and "date" in frame:
                frame = _with_grain(frame)
            rows.append(_row(name, kind, frame, "ok", "; ".join(frame.attrs["warnings"])))
            read.append((kind, name, frame))
    for path in periods:
        warnings.append(f"{path.parent / PERIODS_FILE}: lists {path.name!r}, which is not a "
                        f"report file in {path.parent}")
    summary = pd.DataFrame(rows, columns=["file", "kind", "rows", "period_start", "period_end",
                                          "status", "message"])
    frames = {}
    for kind in dict.fromkeys(kind for kind, _, _ in read):
        parts = [(name, frame) for k, name, frame in read if k == kind]
        frames[kind], note = combine(kind, parts)
        if note:
            warnings.append(note)
    return MarketplaceData(code, frames, summary, warnings)


def date_grain(dates) -> str:
    """Grain of one file's dated rows from the spacing of its dates.

    Parameters
    ----------
    dates : array-like of datetime
        The file's dates (repeats allowed).

    Returns
    -------
    str
        "day", "week" or "month": the median step between distinct dates up to
        :data:`GRAIN_MAX_STEP_DAYS` ["day"] or ["week"], else "month". A file with one date is
        "day" (a single week or month cannot be told from its start date).
    """
    days = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates)).dropna()).normalize().unique()
    if len(days) < 2:
        return "day"
    step = days.sort_values().to_series().diff().median() / pd.Timedelta(days=1)
    for grain, longest in GRAIN_MAX_STEP_DAYS.items():
        if step <= longest:
            return grain
    return "month"


def _with_grain(frame):
    """The frame with its ``grain`` column (attrs kept)."""
    attrs = frame.attrs
    frame = frame.assign(grain=date_grain(frame["date"]))
    frame.attrs = attrs
    return frame


def _order_key(name, frame):
    """Later snapshot last: end of the period read, then file time, then name."""
    period = frame.attrs.get("period")
    end = period[1] if period else pd.Timestamp.min
    source = frame.attrs.get("source")
    modified = Path(source).stat().st_mtime if source and Path(source).exists() else 0.0
    return (end, modified, name)


def combine(kind: str, parts: list) -> tuple:
    """Concatenate one kind's frames and de-duplicate them (module docstring rule).

    Parameters
    ----------
    kind : str
    parts : list of (str, pandas.DataFrame)
        (file name, frame) pairs.

    Returns
    -------
    (pandas.DataFrame, str or None)
        The combined frame and a note on dropped rows.
    """
    parts = sorted(parts, key=lambda item: _order_key(*item))
    frames = [frame.assign(_file_order=order) for order, (_, frame) in enumerate(parts)
              if len(frame)]
    if not frames:
        combined = parts[-1][1].copy()
    else:
        combined = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    total = len(combined)
    if "_file_order" in combined:
        data_columns = [name for name in combined.columns if name != "_file_order"]
        combined = combined.drop_duplicates(subset=data_columns, keep="last")
        keys = key_columns(kind, [frame for _, frame in parts], combined)
        if keys and len(frames) > 1:
            combined = _latest_file_per_key(kind, combined, keys)
        combined = combined.drop(columns="_file_order")
    if kind == "all_orders":
        combined = combined.sort_values(["purchase_date"], kind="stable")
    combined = combined.reset_index(drop=True)
    combined.attrs = _combined_attrs(kind, parts)
    dropped = total - len(combined)
    note = f"{kind}: {dropped} duplicate or superseded row(s) dropped" if dropped else None
    return combined, note


def key_columns(kind: str, frames: list, combined=None) -> list:
    """The identifying columns that de-duplicate ``kind`` across ``frames``.

    Parameters
    ----------
    kind : str
    frames : list of pandas.DataFrame
        The files' frames of this kind.
    combined : pandas.DataFrame, optional
        Their concatenation (for kinds without a :data:`KEYS` entry); default: the first frame.

    Returns
    -------
    list of str
        :data:`KEYS` entry of the kind limited to columns the frames have; columns of
        :data:`SHARED_KEY_COLUMNS` only when every frame has them.
    """
    combined = frames[0] if combined is None else combined
    declared = KEYS[kind] if kind in KEYS else _dimensions(combined)
    keys = []
    for name in declared:
        if name not in combined.columns:
            continue
        if name in SHARED_KEY_COLUMNS and not all(name in frame.columns for frame in frames):
            continue
        keys.append(name)
    return keys


def _latest_file_per_key(kind, combined, keys):
    """Rows of the winning file of each key (module docstring, rule 3)."""
    if kind == "all_orders" and "last_updated_date" in combined.columns:
        # the file holding the latest update of the line wins; ties go to the later file
        ranked = combined.sort_values(["last_updated_date", "_file_order"], kind="stable",
                                      na_position="first")
        winner = ranked.groupby(keys, dropna=False, sort=False)["_file_order"].transform("last")
        winner = winner.reindex(combined.index)
    else:
        winner = combined.groupby(keys, dropna=False, sort=False)["_file_order"].transform("max")
    return combined[combined["_file_order"].eq(winner)]


def _combined_attrs(kind, parts) -> dict:
    """attrs of a combined frame: what every part agrees on, the span of their periods."""
    attrs = [frame.attrs for _, frame in parts]

    def agreed(key):
        values = {str(item.get(key)) for item in attrs}
        return attrs[-1].get(key) if len(values) == 1 else None

    periods = [item["period"] for item in attrs if item.get("period")]
    return {
        "kind": kind,
        "marketplace": agreed("marketplace"),
        "source": "; ".join(name for name, _ in parts),  # str, as for a single report
        "sources": [name for name, _ in parts],
        "period": (min(p[0] for p in periods), max(p[1] for p in periods)) if periods else None,
        "warnings": [warning for item in attrs for warning in item.get("warnings", [])],
        "variant": agreed("variant") or "mixed",
        "currency": agreed("currency"),
        "attribution_days": agreed("attribution_days"),
    }


def _dimensions(frame):
    columns = []
    for name in frame.columns:
        dtype = frame[name].dtype
        if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype) or \
                pd.api.types.is_datetime64_any_dtype(dtype):
            columns.append(name)
    if "attribution_days" in frame.columns:
        columns.append("attribution_days")
    return columns


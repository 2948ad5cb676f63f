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

A report that needs only some kinds asks for them (``load_marketplace(..., kinds=[...])``): each
file's kind is then told from its header alone (:func:`header_kinds`, the detection
:func:`opsanalysis.io.read_report_frames` uses) and a file of no asked kind is not parsed. It
stays in the summary, with its kind and status ``not_needed`` ("not read: not needed by this
report"); it is neither unreadable nor a warning. A file whose kind the header does not settle
is read as without ``kinds``, so its errors are reported as always.

Periods of Business Reports by ASIN (which carry no dates) come from the file name (see
:func:`opsanalysis.io.read_report`) or from a ``periods.yaml`` beside the files, mapping a file
name to its first and last day::

    BusinessReport-10-31-25.csv: ["2025-10-01", "2025-10-31"]
    BusinessReport-7-24-25.csv: "2025-07-23"          # one day
    by_asin_week.csv: {first: "2025-07-14", last: "2025-07-20"}

A loaded marketplace can be kept in a folder, one file per kind (:func:`write_frame_cache`), and
opened again (:func:`read_frame_cache`) with its frames read lazily (:class:`FrameStore`): the
summary and warnings at once, each kind's frame from its file on first use, so a process holds
only the kinds it touches (the batch's notebooks of one marketplace share such a folder).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Mapping
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
    schema,
)
from opsanalysis.io.detect import detect_kind, open_raw
from opsanalysis.io.errors import PeriodError, ReportError, UnknownKindError
from opsanalysis.io.json_reports import json_kinds, load_json
from opsanalysis.io.report import parse_period, read_report_frames
from opsanalysis.io.tables import read_header, xlsx_table

__all__ = ["FRAME_CACHE_INDEX", "GRAIN_MAX_STEP_DAYS", "KEYS", "NOT_NEEDED", "NOT_NEEDED_MESSAGE",
           "PERIODS_FILE", "SHARED_KEY_COLUMNS", "FrameStore", "MarketplaceData", "combine",
           "date_grain", "header_kinds", "key_columns", "load_marketplace", "read_frame_cache",
           "read_periods", "write_frame_cache"]

PERIODS_FILE = "periods.yaml"
# Start of the summary message of files that are no reports (documentation, periods.yaml): they
# are skipped and not listed as unreadable.
_NOT_A_REPORT = "not a report"
_SKIP_NAMES = ("readme", "manifest", "license", "changelog", "ipi.")  # ipi.csv: opsanalysis.ipi
_SKIP_SUFFIXES = (".md", ".rst", ".yaml", ".yml", ".py", ".ipynb", ".html", ".png", ".jpg",
                  ".pdf", ".toml", ".ini", ".cfg")
#: Summary status of a report file not parsed because the caller asked for other kinds.
NOT_NEEDED = "not_needed"
NOT_NEEDED_MESSAGE = "not read: not needed by this report"
# Worksheet rows read to find a workbook's header (the header is within its first 30 filled
# rows, opsanalysis.io.tables._header_position; room for blank rows above it).
_HEADER_ROWS = 100

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


#: File of a frame cache folder (:func:`write_frame_cache`) holding everything but the frames:
#: written last, so a folder without it is incomplete and never read.
FRAME_CACHE_INDEX = "index.pickle"


class FrameStore(Mapping):
    """A marketplace's frames, each read from its own file of a frame cache on first use.

    A read-only mapping kind -> DataFrame (:attr:`MarketplaceData.frames` of
    :func:`read_frame_cache`): listing the kinds, ``in`` and ``len`` read no file; a frame is
    unpickled the first time it is asked for and kept. Every file carries the token of the
    cache's index, so a frame from another cache is refused.

    Parameters
    ----------
    folder : pathlib.Path
        The cache folder.
    files : dict of str -> (str, int)
        Kind -> (file name in ``folder``, rows), in the order of the original frames.
    token : str
        The index's token, checked in every frame file.
    """

    def __init__(self, folder, files, token):
        self._folder = Path(folder)
        self._files = dict(files)
        self._token = token
        self._loaded = {}

    def __getitem__(self, kind):
        if kind not in self._files:
            raise KeyError(kind)
        if kind not in self._loaded:
            name, _ = self._files[kind]
            path = self._folder / name
            try:
                with open(path, "rb") as handle:
                    payload = pickle.load(handle)
            except OSError as error:
                raise FileNotFoundError(
                    f"the {kind} data of this run is gone ({path}: {error.strerror}); "
                    f"expected the batch's data cache until the run is done") from None
            if payload.get("token") != self._token or payload.get("kind") != kind:
                raise ValueError(f"{path}: not the {kind} data of this cache (another run's "
                                 f"file); expected the file written with {FRAME_CACHE_INDEX}")
            self._loaded[kind] = payload["frame"]
        return self._loaded[kind]

    def __iter__(self):
        return iter(self._files)

    def __len__(self):
        return len(self._files)

    def __contains__(self, kind):
        return kind in self._files

    def loaded_kinds(self) -> list:
        """Kinds whose frame has been read so far (in first-use order)."""
        return list(self._loaded)

    def rows(self, kind) -> int:
        """Rows of ``kind``'s frame, from the index (the frame is not read)."""
        return self._files[kind][1]

    def __repr__(self):
        return f"FrameStore({self._folder}: {', '.join(self._files) or 'nothing'})"


@dataclass
class MarketplaceData:
    """All reports of one marketplace, read and combined.

    Attributes
    ----------
    marketplace : str
        Marketplace code.
    frames : dict or FrameStore of str -> pandas.DataFrame
        One concatenated, de-duplicated frame per kind (a :class:`FrameStore` when opened from
        a frame cache: each frame is read on first use).
    summary : pandas.DataFrame
        One row per file (and kind): file, kind, rows, period_start, period_end, status
        ("ok", "skipped", "error", or :data:`NOT_NEEDED` for a file of a kind not asked for),
        message.
    warnings : list of str
    requested_kinds : frozenset of str or None
        The kinds asked for (``load_marketplace(..., kinds=)``); None: every kind was read.
        ``frames`` may hold other kinds too (a file holding an asked kind and another).
    """

    marketplace: str
    frames: dict = field(default_factory=dict)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list = field(default_factory=list)
    requested_kinds: frozenset | None = None

    def covers(self, kinds) -> bool:
        """Whether every report of ``kinds`` was read (None: every kind).

        Parameters
        ----------
        kinds : iterable of str or None

        Returns
        -------
        bool
            True when this data was read without a kinds filter, or with one holding
            ``kinds``.
        """
        if self.requested_kinds is None:
            return True
        return kinds is not None and set(kinds) <= self.requested_kinds

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

    def folder_kinds(self) -> list:
        """Report kinds the folder holds: those read and those not needed (not parsed).

        Returns
        -------
        list of str
            The kinds of ``frames``, then those of files not read as not needed.
        """
        summary = self.summary
        if summary.empty or "kind" not in summary or "status" not in summary:
            return list(self.frames)
        held = summary[(summary["status"] == NOT_NEEDED) & summary["kind"].notna()]
        return list(dict.fromkeys([*self.frames, *held["kind"].astype(str)]))

    def unreadable_files(self) -> pd.DataFrame:
        """Files that were not read: unreadable reports and files of a kind no reader knows.

        Returns
        -------
        pandas.DataFrame
            file, reason; documentation and ``periods.yaml`` (skipped as not a report) and
            reports of a kind not asked for (:data:`NOT_NEEDED`) are left out.
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
        frames = self.frames
        lazy = isinstance(frames, FrameStore)  # sizes from the index: no frame is read
        sizes = ", ".join(f"{kind}={frames.rows(kind) if lazy else len(frames[kind])}"
                          for kind in frames)
        return f"MarketplaceData({self.marketplace!r}: {sizes})"


def write_frame_cache(folder, data, identity) -> None:
    """Keep a loaded marketplace in a new folder, one file per kind, for :func:`read_frame_cache`.

    Parameters
    ----------
    folder : str or pathlib.Path
        Folder to create; it must not exist yet (nothing is overwritten), its parent must.
    data : MarketplaceData
    identity : dict
        What the data is (data folder, marketplace), returned by :func:`read_frame_cache` for
        the reader to check.

    Notes
    -----
    Each frame goes to ``<kind>.pickle`` (opened exclusively), the rest to
    :data:`FRAME_CACHE_INDEX`, written last: a folder without an index is incomplete.
    """
    folder = Path(folder)
    folder.mkdir(exist_ok=False)
    token = os.urandom(16).hex()
    files = {}
    for kind in data.frames:
        frame = data.frames[kind]
        name = f"{kind}.pickle"
        _dump_new(folder / name, {"token": token, "kind": kind, "frame": frame})
        files[kind] = (name, len(frame))
    _dump_new(folder / FRAME_CACHE_INDEX,
              {"token": token, "identity": dict(identity), "marketplace": data.marketplace,
               "files": files, "summary": data.summary, "warnings": list(data.warnings),
               "requested_kinds": data.requested_kinds})


def read_frame_cache(folder):
    """Open a frame cache written by :func:`write_frame_cache`; frames are read on first use.

    Parameters
    ----------
    folder : str or pathlib.Path

    Returns
    -------
    (dict, MarketplaceData) or None
        The identity it was written with and the data (``frames`` a :class:`FrameStore`);
        None when the folder or its index is missing.
    """
    index = Path(folder) / FRAME_CACHE_INDEX
    if not index.is_file():
        return None
    with open(index, "rb") as handle:
        payload = pickle.load(handle)
    frames = FrameStore(folder, payload["files"], payload["token"])
    data = MarketplaceData(payload["marketplace"], frames, payload["summary"],
                           payload["warnings"], payload["requested_kinds"])
    return payload["identity"], data


def _dump_new(path, payload):
    with open(path, "xb") as handle:
        pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)


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


def load_marketplace(data_dir, marketplace, *, strict: bool = False,
                     kinds=None) -> MarketplaceData:
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
    kinds : iterable of str, optional
        Report kinds to read (names of :data:`opsanalysis.io.schema.KINDS`); None reads every
        kind. A file whose header shows none of them is not parsed: it is listed in
        ``summary`` with its kind and status :data:`NOT_NEEDED` (module docstring).

    Returns
    -------
    MarketplaceData
        Files that are not reports are skipped with the reason in ``summary``; a file that
        fails to read never stops the others (unless ``strict``).

    Raises
    ------
    ValueError
        When ``kinds`` names a kind no reader knows.
    """
    code = marketplaces.get(marketplace).code
    requested = _requested_kinds(kinds)
    folder = _folder(data_dir, code)
    read, rows, warnings, headers = [], [], [], {}
    periods = _read_periods(folder, rows, warnings, strict)
    for path, status, message in _candidate_files(folder):
        name = str(path.relative_to(folder))
        if status:
            rows.append(_row(name, None, None, status, message))
            continue
        found = header_kinds(path, headers) if requested is not None else None
        if found and not requested.intersection(found):
            periods.pop(path, None)  # a period given for it is used, not unknown
            rows.extend(_row(name, kind, None, NOT_NEEDED, NOT_NEEDED_MESSAGE) for kind in found)
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
    return MarketplaceData(code, frames, summary, warnings, requested)


def _requested_kinds(kinds):
    """``kinds`` as a frozenset (None: every kind); ValueError naming a kind no reader knows."""
    if kinds is None:
        return None
    if isinstance(kinds, str):
        kinds = [kinds]
    requested = frozenset(kinds)
    unknown = sorted(requested - set(schema.KINDS))
    if unknown:
        raise ValueError(f"unknown report kind(s) {', '.join(map(repr, unknown))}; known: "
                         f"{', '.join(sorted(schema.KINDS))}")
    return requested


def header_kinds(path, known=None) -> tuple | None:
    """The report kinds of a file, told from its header alone (no row is parsed).

    The same detection as :func:`opsanalysis.io.read_report_frames`: the header row of a text
    file (:func:`opsanalysis.io.detect.detect_kind`), the top-level keys of an SP-API JSON
    report, the header row of each worksheet of a workbook (its first rows only).

    Parameters
    ----------
    path : str or pathlib.Path
    known : dict, optional
        Kinds of the headers already seen (header cells -> kind or None), filled in: the
        files of one folder share a few headers, and matching a header against every kind
        costs far more than reading it.

    Returns
    -------
    tuple of str or None
        The kinds the file holds (a Sales and Traffic JSON and a bulk workbook hold several;
        a workbook's sheets that are no report are left out); None when the header does not
        settle it (an unreadable file, an unknown header): such a file is read in full, which
        reports why.
    """
    known = {} if known is None else known
    try:
        raw = open_raw(path)
        if raw.container == "json":
            found = json_kinds(load_json(raw))
        elif raw.container == "xlsx":
            found = _workbook_kinds(raw, known)
        else:
            found = [_header_kind(read_header(raw), known)]
    except ReportError:
        return None
    found = [kind for kind in found if kind is not None]
    return tuple(dict.fromkeys(found)) or None


def _header_kind(headers, known):
    """The kind of one header row (None when no kind matches it), remembered in ``known``."""
    key = tuple(str(header) for header in headers)
    if key not in known:
        try:
            known[key] = detect_kind(list(headers))[0]
        except ReportError:
            known[key] = None
    return known[key]


def _workbook_kinds(raw, known) -> list:
    """Kinds of a workbook's sheets from their first :data:`_HEADER_ROWS` rows."""
    import io
    import warnings

    with warnings.catch_warnings():
        # Amazon's ads workbooks carry no default style; openpyxl warns about it.
        warnings.simplefilter("ignore", UserWarning)
        try:
            sheets = pd.read_excel(io.BytesIO(raw.data), sheet_name=None, header=None,
                                   nrows=_HEADER_ROWS, dtype=object, engine="openpyxl")
        except Exception:  # a damaged workbook: the full read reports it
            return []
    found = []
    for name, cells in sheets.items():
        if cells.dropna(how="all").empty:
            continue
        try:
            found.append(_header_kind(xlsx_table(raw, name, cells).headers, known))
        except ReportError:
            continue
    return found


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


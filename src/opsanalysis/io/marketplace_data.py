"""``load_marketplace``: every report in a marketplace folder, one frame per kind.

Stable API: ``load_marketplace(data_dir, marketplace) -> MarketplaceData``.

De-duplication rule (files may overlap: weekly and monthly downloads, repeated snapshots):

1. Files are ordered by the end of their period (then modification time, then name), so a
   later file counts as the later snapshot. Undated snapshots (MYI, restock) take their
   ``snapshot_date`` from a ``YYYY-MM-DD`` in the file name when there is one.
2. Exact duplicate rows are dropped.
3. Rows with the same key are kept once, from the later file: All Orders by
   (``amazon_order_id``, ``sku``, ``order_item_id``) keeping the latest ``last_updated_date``;
   inventory snapshots (MYI, planning, restock, excess) by (``snapshot_date``, ``sku``) —
   an undated MYI file with no date in its name counts as the latest, per SKU; Business Reports by date by
   ``date``; by ASIN by (period, ``child_asin``, ``sku``); every other kind by all its text and
   date columns (its dimensions) plus ``attribution_days``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from opsanalysis import marketplaces
from opsanalysis.io.errors import ReportError, UnknownKindError
from opsanalysis.io.report import read_report_frames

__all__ = ["MarketplaceData", "load_marketplace"]

_SKIP_NAMES = ("readme", "manifest", "license", "changelog")
_SKIP_SUFFIXES = (".md", ".rst", ".yaml", ".yml", ".py", ".ipynb", ".html", ".png", ".jpg",
                  ".pdf", ".toml", ".ini", ".cfg")

_KEYS = {
    "business_report_date": ["date"],
    "business_report_asin": ["period_start", "period_end", "child_asin", "sku"],
    "all_orders": ["amazon_order_id", "sku", "order_item_id"],
    "fba_inventory": ["snapshot_date", "sku"],
    "inventory_planning": ["snapshot_date", "sku"],
    "restock": ["snapshot_date", "sku"],
    "excess_inventory": ["snapshot_date", "sku"],
    "inventory_history": ["date", "fnsku", "sku", "fulfillment_center_id",
                          "detailed_disposition", "country"],
    "account_health": ["marketplace_id", "metric", "date_from", "date_to"],
    "product_master": ["sku"],
}


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
        if lowered.startswith(_SKIP_NAMES) or lowered.endswith(_SKIP_SUFFIXES):
            yield path, "skipped", "not a report file (documentation or code)"
            continue
        yield path, None, None


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
        folder itself. Files are found recursively, whatever their names.
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
    for path, status, message in _candidate_files(folder):
        name = str(path.relative_to(folder))
        if status:
            rows.append(_row(name, None, None, status, message))
            continue
        try:
            frames = read_report_frames(path, marketplace=code)
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
            rows.append(_row(name, kind, frame, "ok", "; ".join(frame.attrs["warnings"])))
            read.append((kind, name, frame))
    summary = pd.DataFrame(rows, columns=["file", "kind", "rows", "period_start", "period_end",
                                          "status", "message"])
    frames = {}
    for kind in dict.fromkeys(kind for kind, _, _ in read):
        parts = [(name, frame) for k, name, frame in read if k == kind]
        frames[kind], note = combine(kind, parts)
        if note:
            warnings.append(note)
    return MarketplaceData(code, frames, summary, warnings)


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
    combined = combined.drop(columns="_file_order", errors="ignore").drop_duplicates()
    keys = [name for name in _KEYS.get(kind, _dimensions(combined)) if name in combined.columns]
    if kind == "all_orders" and "last_updated_date" in combined.columns:
        combined = combined.sort_values("last_updated_date", kind="stable", na_position="first")
    if keys and len(parts) > 1:
        combined = combined.drop_duplicates(subset=keys, keep="last")
    if kind == "all_orders":
        combined = combined.sort_values(["purchase_date"], kind="stable")
    combined = combined.reset_index(drop=True)
    combined.attrs = _combined_attrs(kind, parts)
    dropped = total - len(combined)
    note = f"{kind}: {dropped} duplicate or superseded row(s) dropped" if dropped else None
    return combined, note


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


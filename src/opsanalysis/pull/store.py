"""The pulled documents in the data folder: atomic writes, the manifest, what is held.

Layout of ``DIR/<MP>/``: the documents under names that state kind and period
(``All_Orders_2026-09-01_2026-09-30.txt.gz``, ``Restock_Inventory_2026-10-31.txt``), and a
hidden ``.pull/`` folder (skipped by :func:`opsanalysis.io.load_marketplace`) with

- ``manifest.jsonl``: one JSON object a line, appended and fsynced: ``requested`` (request id,
  report type, kind, period, marketplace), ``stored`` (file, sha256, time pulled) or ``failed``
  (Amazon's reason);
- ``partial/``: documents being written (a crash leaves them here, never beside the reports);
- ``replaced/``: an earlier, different document for the same period, kept when a new one
  replaces it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from pathlib import Path

__all__ = ["append", "document_name", "held_periods", "pending_requests", "read_manifest",
           "write_document"]

PULL_FOLDER = ".pull"
MANIFEST = "manifest.jsonl"


def document_name(file: str, first, last, extension: str, compressed: bool) -> str:
    """File name stating kind and period: ``<file>_<first>_<last>.<ext>[.gz]``; a snapshot
    (``first`` None) is ``<file>_<last>.<ext>``."""
    period = f"{last:%Y-%m-%d}" if first is None else f"{first:%Y-%m-%d}_{last:%Y-%m-%d}"
    return f"{file}_{period}.{extension}" + (".gz" if compressed else "")


def read_manifest(folder) -> list[dict]:
    """Every manifest record of a marketplace folder, oldest first ([] when none)."""
    path = Path(folder) / PULL_FOLDER / MANIFEST
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut by a crash: its request is simply asked again
    return records


def append(folder, record: dict) -> None:
    """Append one record to the manifest, durably."""
    path = Path(folder) / PULL_FOLDER / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def held_periods(folder, kind: str) -> list[tuple]:
    """(first, last) dates of the stored documents of ``kind`` whose file is still there
    (first is None for snapshots)."""
    folder = Path(folder)
    held = set()
    for record in read_manifest(folder):
        if record.get("event") == "stored" and record.get("kind") == kind \
                and (folder / record["file"]).is_file():
            held.add((_date(record.get("first")), _date(record["last"])))
    return sorted(held, key=lambda period: (period[1], period[0] or period[1]))


def pending_requests(folder) -> dict:
    """Requests made but neither stored nor failed, by (api, kind, first, last): the
    manifest record of the latest such request (a killed pull resumes them)."""
    open_requests, closed = {}, set()
    for record in read_manifest(folder):
        if record.get("event") == "requested":
            open_requests[record["request_id"]] = record
        elif record.get("event") in ("stored", "failed"):
            closed.add(record.get("request_id"))
    return {(r["api"], r["kind"], r.get("first"), r["last"]): r
            for request_id, r in open_requests.items() if request_id not in closed}


def write_document(folder, name: str, data: bytes, now: datetime.datetime) -> dict:
    """Write ``data`` as ``folder/name`` atomically (temporary file, fsync, rename).

    An existing file with the same bytes is left as it is; a different one is first moved to
    ``.pull/replaced/<name>.<time>``.

    Returns
    -------
    dict
        ``file`` (name), ``sha256``, ``bytes``, ``unchanged`` (bool), ``replaced`` (path of the
        kept earlier document relative to the folder, or None).
    """
    folder = Path(folder)
    target = folder / name
    digest = hashlib.sha256(data).hexdigest()
    result = {"file": name, "sha256": digest, "bytes": len(data), "unchanged": False,
              "replaced": None}
    if target.is_file():
        if hashlib.sha256(target.read_bytes()).hexdigest() == digest:
            return result | {"unchanged": True}
        kept = folder / PULL_FOLDER / "replaced" / f"{name}.{now:%Y%m%dT%H%M%S%f}"
        kept.parent.mkdir(parents=True, exist_ok=True)
        os.replace(target, kept)
        result["replaced"] = str(kept.relative_to(folder))
    partial = folder / PULL_FOLDER / "partial" / f"{name}.{os.getpid()}.part"
    partial.parent.mkdir(parents=True, exist_ok=True)
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return result


def _date(text):
    return None if text is None else datetime.date.fromisoformat(text)

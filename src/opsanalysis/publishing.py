"""Publishing a run: its folder, manifest (``run.json``), ``index.html``, PARTIAL and ``latest``.

A run folder is new and never touched again once published. It is marked :data:`PARTIAL_MARKER`
from the moment it exists; :func:`publish` removes the marker and points :data:`LATEST_NAME` at
the run only when no notebook failed ("ok" or "ok with warnings"), so a crash or a failed
notebook leaves an honest folder behind and ``latest`` always names a complete run. The index
opens with the morning dashboard (:mod:`opsanalysis.dashboard`: one row per marketplace with
traffic lights and links into its reports), then shows each notebook's status with its error or
warnings, and the files of each marketplace that were not read, with the reason. Run-level
reports (a notebook run once across the run's marketplaces, such as the portfolio) are linked
first, above the dashboard, and lead the table of notebooks.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html
import json
import os
import platform
import secrets
import subprocess
import sys
from pathlib import Path

from opsanalysis.dashboard import dashboard_html, report_name, summary_currency
from opsanalysis.labels import fill, label
from opsanalysis.report_context import _source_checkout

__all__ = [
    "LATEST_NAME",
    "PARTIAL_MARKER",
    "hash_inputs",
    "new_run_dir",
    "publish",
    "start_manifest",
    "utc_now",
    "write_json",
]

PARTIAL_MARKER = "PARTIAL"
LATEST_NAME = "latest"


def new_run_dir(out_root):
    """Create a new run folder (UTC timestamp + random suffix), marked PARTIAL at once.

    Returns
    -------
    (run_id, run_dir)
    """
    out_root.mkdir(parents=True, exist_ok=True)
    while True:
        now = utc_now()
        run_id = f"{now:%Y%m%dT%H%M%S.%f}Z-{secrets.token_hex(3)}"
        run_dir = out_root / run_id
        try:
            run_dir.mkdir()
        except FileExistsError:  # same microsecond and suffix: draw again, never reuse
            continue
        # marked partial from the first moment: a crash leaves an honest folder behind
        (run_dir / PARTIAL_MARKER).write_text("running\n", encoding="utf-8")
        return run_id, run_dir


def start_manifest(run_id, arguments, templates):
    """The manifest of a starting run: versions, platform, arguments, notebook hashes."""
    import opsanalysis

    return {
        "run_id": run_id,
        "status": "running",
        "started": utc_now().isoformat(),
        "package_version": opsanalysis.__version__,
        "git_commit": _git_commit(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "arguments": arguments,
        "notebooks": [{"file": path.name, "sha256": _sha256(path)} for path in templates],
    }


def hash_inputs(task) -> list[dict]:
    """SHA-256 of every data file of the marketplace and of the params files it reads."""
    code = task["marketplace"]
    folder = Path(task["data_dir"]) / code
    files = sorted(path for path in folder.rglob("*") if path.is_file()
                   and not any(part.startswith(".") for part in path.relative_to(folder).parts))
    try:
        from opsanalysis.params import find_params_dir

        params_folder = find_params_dir(task["params_dir"] or None)
    except Exception:  # reported by the parameters step; hash what can be hashed
        params_folder = None
    if params_folder is not None:
        files += sorted(path for path in Path(params_folder).glob("*.yaml")
                        if path.stem.lower() in ("defaults", code.lower()))
    return [{"file": str(path), "bytes": path.stat().st_size, "sha256": _sha256(path)}
            for path in files]


def publish(out_root, run_dir, manifest, results):
    """Publish a finished run: final manifest, index page, then PARTIAL marker and ``latest``.

    Parameters
    ----------
    out_root : Path
        Parent of the run folders (where ``latest`` lives).
    run_dir : Path
        The run's folder, made by :func:`new_run_dir`.
    manifest : dict
        From :func:`start_manifest`, completed with ``status``, ``finished`` and ``results``.
    results : list of NotebookResult

    Notes
    -----
    A complete run loses its PARTIAL marker and becomes ``latest``; otherwise the marker says
    how many notebooks failed and ``latest`` keeps naming the last complete run.
    """
    run_id, status = manifest["run_id"], manifest["status"]
    write_json(run_dir / "run.json", manifest)
    _write_index(run_dir / "index.html", run_id, status, results, manifest)
    if status == "complete":
        (run_dir / PARTIAL_MARKER).unlink()
        _point_latest(out_root, run_id)
    else:
        (run_dir / PARTIAL_MARKER).write_text(
            f"{status}: {len([r for r in results if r.status == 'failed'])} of {len(results)} "
            "notebooks failed; see index.html\n", encoding="utf-8")


def _write_index(path, run_id, status, results, manifest):
    counts = {name: sum(result.status == name for result in results)
              for name in ("ok", "ok with warnings", "failed")}
    run_level = [result for result in results if result.scope == "run"]
    per_marketplace = [result for result in results if result.scope != "run"]
    rows = []
    for result in run_level + per_marketplace:  # run-level reports first
        links = " ".join(
            f'<a href="{html.escape(target, quote=True)}">{label}</a>'
            for label, target in (("report", result.html_file), ("notebook", result.notebook_file))
            if target)
        tables = " ".join(
            f'<a href="{html.escape(table, quote=True)}">{html.escape(Path(table).name)}</a>'
            for table in result.tables)
        notes = "\n".join(result.warnings) if result.status == "ok with warnings" else ""
        rows.append(
            f'<tr class="{_ROW_CLASSES.get(result.status, "failed")}">'
            f"<td>{html.escape(_marketplace_text(result))}</td>"
            f"<td>{html.escape(result.notebook)}</td>"
            f"<td>{html.escape(str(result.parameters.get('as_of') or ''))}</td>"
            f"<td>{html.escape(str(result.parameters.get('language') or ''))}</td>"
            f"<td>{html.escape(result.status)}</td><td>{result.duration_s:.1f} s</td>"
            f"<td>{links}</td><td>{tables}</td>"
            f"<td><pre>{html.escape(result.error or notes)}</pre></td></tr>")
    page = _INDEX_TEMPLATE.format(
        run_reports=_run_reports_section(run_level),
        dashboard=_dashboard_section(path.parent, manifest, per_marketplace),
        run_id=html.escape(run_id), status=html.escape(status),
        counts=" &middot; ".join(f"{count} {html.escape(name)}" for name, count in counts.items()),
        unread=_unread_section(manifest),
        version=html.escape(str(manifest["package_version"])),
        commit=html.escape(str(manifest["git_commit"] or "unknown")),
        rows="\n".join(rows))
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(page)


def _marketplace_text(result) -> str:
    """The marketplace column: the code, or a run-level report's marketplaces."""
    if result.scope != "run":
        return result.marketplace
    codes = str(result.parameters.get("marketplaces") or "").replace(",", ", ")
    return fill("run_level_marketplaces", "en", marketplaces=codes or "—")


def _run_reports_section(run_level) -> str:
    """Links to the run-level reports (the portfolio across marketplaces), first on the page."""
    if not run_level:
        return ""
    items = []
    for result in run_level:
        targets = [("report", result.html_file), ("notebook", result.notebook_file)]
        targets += [(Path(table).name, table) for table in result.tables]
        links = " · ".join(f'<a href="{html.escape(target, quote=True)}">{html.escape(name)}</a>'
                           for name, target in targets if target)
        status = "" if result.status == "ok" else f" ({html.escape(result.status)})"
        items.append(f"<li><strong>{html.escape(report_name(result.notebook, 'en'))}</strong>"
                     f"{status}: {links or '—'}</li>")
    heading = (html.escape(label("run_level_title", "en")) + ' <span lang="zh" class="zh">'
               + html.escape(label("run_level_title", "zh")) + "</span>")
    return f'<section class="run-level"><h2>{heading}</h2>\n<ul>{"".join(items)}</ul></section>'


def _dashboard_section(run_dir, manifest, results):
    """The dashboard, or the sentence saying why it could not be built (the index still is)."""
    if not results:  # only run-level notebooks ran: no marketplace row to show
        return ""
    try:
        return dashboard_html(run_dir, manifest, results, summary_currency(manifest, results))
    except Exception as error:  # never lose the index (statuses, files) to a dashboard problem
        return "<p>" + html.escape(fill("dashboard_unavailable", "en",
            error=f"{type(error).__name__}: {error}")) + "</p>"


_ROW_CLASSES = {"ok": "ok", "ok with warnings": "warnings", "failed": "failed"}


def _unread_section(manifest):
    """The index's list of files not read, per marketplace (empty when every file was read)."""
    rows = [f"<tr><td>{html.escape(code)}</td><td>{html.escape(str(item['file']))}</td>"
            f"<td><pre>{html.escape(str(item['reason']))}</pre></td></tr>"
            for code, outcome in manifest.get("marketplaces", {}).items()
            for item in outcome.get("unread_files") or []]
    if not rows:
        return ""
    return ("<h2>Files not read</h2>\n<table><thead><tr><th>Marketplace</th><th>File</th>"
            "<th>Reason</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table>")


_INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>opsanalysis run {run_id}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; text-align: left; }}
tr.failed td {{ background: #fde8e8; }}
tr.warnings td {{ background: #fdf6e3; }}
pre {{ margin: 0; white-space: pre-wrap; max-width: 50em; }}
.zh {{ color: #555; font-weight: normal; }}
.detail {{ color: #555; font-size: 0.85em; }}
table.dashboard td, table.dashboard th {{ min-width: 7em; }}
table.dashboard tr.total th, table.dashboard tr.total td {{ border-top: 2px solid #888; }}
td.rag-green {{ background: #e3f4e1; border-left: 6px solid #2e8b3a; }}
td.rag-amber {{ background: #fdf3d8; border-left: 6px solid #d99a00; }}
td.rag-red {{ background: #fde8e8; border-left: 6px solid #c62828; }}
td.rag-failed {{ background: #f3e5f5; border-left: 6px solid #6a1b9a; }}
td.rag-none {{ color: #666; }}
span.rag-red {{ color: #c62828; font-weight: bold; }}
td.links ul {{ margin: 0; padding-left: 1.2em; }}
</style></head><body>
<h1>opsanalysis run {run_id}</h1>
<p>Status: <strong>{status}</strong> ({counts}) &middot; opsanalysis {version} &middot;
commit {commit} &middot; <a href="run.json">run.json</a></p>
{run_reports}
{dashboard}
<h2>Notebooks</h2>
<table>
<thead><tr><th>Marketplace</th><th>Report</th><th>As of</th><th>Language</th><th>Status</th>
<th>Duration</th><th>Files</th><th>Tables</th><th>Error or warnings</th></tr></thead>
<tbody>
{rows}
</tbody></table>
{unread}
</body></html>
"""


def _point_latest(out_root, run_id):
    """Point ``latest`` at ``run_id`` unless it already names a newer complete run."""
    latest = out_root / LATEST_NAME
    current = _read_latest(latest)
    if current is not None and current > run_id:  # run ids sort by their UTC timestamp
        return
    temporary = out_root / f".{LATEST_NAME}-{run_id}"
    try:
        os.symlink(run_id, temporary, target_is_directory=True)
    except (OSError, NotImplementedError):  # no symlinks (Windows without privilege)
        temporary.write_text(run_id + "\n", encoding="utf-8")
    os.replace(temporary, latest)  # atomic: readers see the old or the new target


def _read_latest(latest):
    if latest.is_symlink():
        return os.readlink(latest).rstrip("/\\").split("/")[-1]
    if latest.is_file():
        return latest.read_text(encoding="utf-8").strip()
    return None


def _git_commit():
    checkout = _source_checkout()
    if checkout is None:  # installed from a wheel: no checkout to describe
        return None
    try:
        commit = subprocess.run(
            ["git", "-C", str(checkout), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        # --no-optional-locks: read-only, never refreshes the index of a working tree
        dirty = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(checkout), "status", "--porcelain",
             "--untracked-files=no"],
            capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}-dirty" if dirty else commit


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_json(path, payload):
    """Write ``payload`` as JSON through a temporary file, so readers never see half a file."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str),
                         encoding="utf-8")
    os.replace(temporary, path)


def utc_now():
    """The current time, timezone-aware UTC."""
    return _dt.datetime.now(_dt.UTC)

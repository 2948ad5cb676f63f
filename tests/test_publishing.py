"""Publishing a run: run ids, the ``latest`` pointer (with and without symlinks)."""

import os

from opsanalysis import publishing


def test_latest_never_moves_back(tmp_path):
    newer, older = "20261122T090000.000000Z-aaaaaa", "20261122T080000.000000Z-bbbbbb"
    for run_id in (newer, older):
        (tmp_path / run_id).mkdir()
    publishing._point_latest(tmp_path, newer)
    publishing._point_latest(tmp_path, older)
    assert publishing._read_latest(tmp_path / "latest") == newer


def test_run_ids_are_unique_and_sortable(tmp_path):
    ids = [publishing.new_run_dir(tmp_path)[0] for _ in range(5)]
    assert len(set(ids)) == 5 and ids == sorted(ids)


def test_latest_is_a_text_file_without_symlinks(tmp_path, monkeypatch):
    def no_symlinks(*args, **kwargs):
        raise OSError("symlinks not supported")

    monkeypatch.setattr(os, "symlink", no_symlinks)
    publishing._point_latest(tmp_path, "20261122T090000.000000Z-aaaaaa")
    latest = tmp_path / "latest"
    assert latest.is_file() and not latest.is_symlink()
    assert publishing._read_latest(latest) == "20261122T090000.000000Z-aaaaaa"


def test_index_lists_statuses_warnings_and_files_not_read(tmp_path):
    from opsanalysis.execution import NotebookResult

    results = [NotebookResult("US", "overview", "ok with warnings", 1.0,
                              warnings=["not read: <b>x.txt</b>: no known report kind"]),
               NotebookResult("UK", "overview", "failed", 0.0, error="none of the 1 file(s)")]
    manifest = {"package_version": "0", "git_commit": None, "marketplaces": {
        "US": {"unread_files": [{"file": "<b>x.txt</b>", "reason": "no known report kind"}]},
        "UK": {"unread_files": []}}}
    publishing._write_index(tmp_path / "index.html", "run", "partial", results, manifest)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<tr class="warnings">' in page and '<tr class="failed">' in page
    assert "1 ok with warnings &middot; 1 failed" in page and "0 ok" in page
    assert "<h2>Files not read</h2>" in page and "<b>x.txt" not in page
    assert page.count("&lt;b&gt;x.txt&lt;/b&gt;") == 2  # the row's warning and the list


def test_index_opens_with_the_dashboard_above_the_statuses(tmp_path):
    from opsanalysis.execution import NotebookResult

    results = [NotebookResult("US", "marketplace_overview", "ok", 1.0,
                              html_file="US/marketplace_overview.html",
                              tables=["US/marketplace_overview.xlsx"])]
    manifest = {"package_version": "0", "git_commit": None, "marketplaces": {}}
    publishing._write_index(tmp_path / "index.html", "run", "complete", results, manifest)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    dashboard, notebooks = page.index('<section class="dashboard">'), page.index("<h2>Notebooks")
    assert dashboard < notebooks
    # no table written: every figure reads "not estimated", never 0
    assert page[dashboard:notebooks].count("not estimated") >= 6
    assert 'href="US/marketplace_overview.xlsx">workbook</a>' in page


def test_a_broken_dashboard_never_costs_the_index(tmp_path, monkeypatch):
    from opsanalysis.execution import NotebookResult

    def broken(*args, **kwargs):
        raise ValueError("unreadable table")

    monkeypatch.setattr(publishing, "dashboard_html", broken)
    results = [NotebookResult("US", "overview", "ok", 1.0)]
    manifest = {"package_version": "0", "git_commit": None}
    publishing._write_index(tmp_path / "index.html", "run", "complete", results, manifest)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "The dashboard could not be built: ValueError: unreadable table" in page
    assert "<td>US</td><td>overview</td>" in page

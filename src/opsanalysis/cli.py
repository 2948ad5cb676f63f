"""The ``opsanalysis`` command.

``opsanalysis run`` executes every report notebook for every marketplace (see
:func:`opsanalysis.batch.run`), prints the path of the run's ``index.html`` and exits non-zero
when any notebook failed, or with ``--strict`` when any is "ok with warnings". ``--as-of`` sets
the report date of every notebook, ``--notebook`` (repeatable) runs only the named reports.
"""

import argparse
import datetime
import sys
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    """Argument parser of the ``opsanalysis`` command."""
    parser = argparse.ArgumentParser(
        prog="opsanalysis", description="Operations analysis for Amazon sellers.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="execute the report notebooks for every marketplace",
        description="Execute every report notebook for every marketplace folder of --data into "
                    "a new folder <out>/<run-id>/ (HTML, executed notebooks, CSV/XLSX tables, "
                    "run.json, index.html).")
    run.add_argument("--marketplace", "-m", action="extend", nargs="+", metavar="CODE",
                     help="marketplace code(s), e.g. US JP (default: every folder in --data)")
    run.add_argument("--data", metavar="DIR", help="folder with one sub-folder per marketplace "
                     "(default: the sample seller shipped with the package)")
    run.add_argument("--params", metavar="DIR", help="params folder; files it lacks come from the "
                     "params shipped with the package (default: those)")
    run.add_argument("--out", metavar="DIR",
                     help="parent folder of run folders (default: reports/ in the current folder)")
    run.add_argument("--jobs", "-j", type=_positive_int, default=1, metavar="N",
                     help="marketplaces run in parallel in N local processes (default 1)")
    run.add_argument("--scheduler", metavar="ADDR",
                     help="dask scheduler address (tcp://host:8786): one task per marketplace")
    run.add_argument("--language", choices=["en", "zh"],
                     help="report language (default: each marketplace's params)")
    run.add_argument("--as-of", type=_iso_date, metavar="YYYY-MM-DD",
                     help="report date passed to every notebook (default: each marketplace's "
                          "last covered sales day)")
    run.add_argument("--notebook", "-n", action="append", metavar="NAME",
                     help="run only this report, by name (replenishment_report) or as a path "
                          "to an .ipynb; repeatable (default: every report notebook)")
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    run.add_argument("--strict", action="store_true",
                     help="exit non-zero also when a report is 'ok with warnings' (files not "
                          "read, partial coverage)")
    return parser


def main(argv=None) -> int:
    """Entry point of the console script; returns the process exit code."""
    arguments = build_parser().parse_args(argv)
    from opsanalysis import batch

    try:
        notebooks = _select_notebooks(arguments.notebook, batch.discover_notebooks())
        result = batch.run(
            marketplaces=arguments.marketplace, data_dir=arguments.data,
            out_dir=arguments.out, jobs=arguments.jobs, scheduler=arguments.scheduler,
            params_dir=arguments.params, language=arguments.language,
            notebooks=notebooks, as_of=arguments.as_of, progress=not arguments.no_progress)
    except (ValueError, KeyError, FileNotFoundError) as error:
        print(f"opsanalysis run: error: {error}", file=sys.stderr)
        return 2
    for failure in result.failed:
        print(f"FAILED {failure.marketplace} {failure.notebook}: {failure.error}", file=sys.stderr)
    for warned in result.with_warnings:
        print(f"WARNINGS {warned.marketplace} {warned.notebook}: {len(warned.warnings)} "
              f"(first: {warned.warnings[0]})", file=sys.stderr)
    print(f"{result.status}: {len(result.results) - len(result.failed)}/{len(result.results)} "
          f"notebooks ok ({len(result.with_warnings)} with warnings) in "
          f"{result.duration_s:.1f} s", file=sys.stderr)
    print(result.index)
    return result.exit_code_for(strict=arguments.strict)


def _select_notebooks(requested, available):
    """Notebook paths for ``--notebook`` values (None: every one); ValueError naming the
    available reports for an unknown name or a missing file."""
    if not requested:
        return None
    by_name = {path.stem: path for path in available}
    selected = []
    for item in requested:
        if item.endswith(".ipynb") or "/" in item or "\\" in item:
            path = Path(item)
            if not path.is_file():
                raise ValueError(f"notebook file not found: {item}")
        elif item in by_name:
            path = by_name[item]
        else:
            raise ValueError(f"unknown notebook {item!r}; available: {', '.join(sorted(by_name))}")
        selected.append(path)
    return list(dict.fromkeys(selected))


def _iso_date(text):
    try:
        date = datetime.date.fromisoformat(text)
    except ValueError:
        date = None
    if date is None or date.isoformat() != text:  # fromisoformat also takes "20240131"
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}")
    return text


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


if __name__ == "__main__":
    sys.exit(main())

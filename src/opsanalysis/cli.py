"""The ``opsanalysis`` command.

``opsanalysis run`` executes every report notebook for every marketplace (see
:func:`opsanalysis.batch.run`), prints the path of the run's ``index.html`` and exits non-zero
when any notebook failed, or with ``--strict`` when any is "ok with warnings". ``--as-of`` sets
the report date of every notebook, ``--notebook`` (repeatable) runs only the named reports,
``--cadence daily|weekly|monthly`` only the reports of that cadence (params ``cadences.yaml``:
the morning check; ads, market and replenishment; the monthly review and the portfolio);
``--pull`` first pulls the missing documents from Amazon's APIs (:mod:`opsanalysis.pull`) up to
``--as-of`` (default yesterday in each marketplace), then runs the reports whatever the pull
gave (a failed report is listed, the reports run on what is held).

``opsanalysis pull`` pulls report documents through the Selling Partner API and the Amazon Ads
API into ``--data``; exit code 1 when a report failed, 2 on bad arguments or credentials.
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
                     help="notebooks run in parallel in N local processes, each marketplace's "
                          "replenishment plan computed once before its reports (default 1)")
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
    run.add_argument("--cadence", metavar="NAME",
                     help="run only the reports of this cadence, as params cadences.yaml lists "
                          "them: daily (morning check), weekly (opportunity and replenishment "
                          "reports), monthly (monthly review and portfolio); default every "
                          "report")
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    run.add_argument("--strict", action="store_true",
                     help="exit non-zero also when a report is 'ok with warnings' (files not "
                          "read, partial coverage)")
    run.add_argument("--pull", action="store_true",
                     help="first pull the missing report documents from Amazon into --data, "
                          "up to --as-of (default: yesterday); see 'opsanalysis pull'")
    run.add_argument("--credentials", metavar="FILE",
                     help="credentials file for --pull (default: environment variables and "
                          "~/.config/opsanalysis/credentials.yaml)")
    pull = commands.add_parser(
        "pull", help="pull report documents from the Selling Partner API and the Ads API",
        description="Request, download and store the report documents --data lacks, one "
                    "sub-folder per marketplace (see docs/pull.md).")
    pull.add_argument("--marketplace", "-m", action="extend", nargs="+", metavar="CODE",
                      required=True, help="marketplace code(s), e.g. US DE JP")
    pull.add_argument("--data", metavar="DIR", required=True,
                      help="folder with one sub-folder per marketplace")
    pull.add_argument("--since", type=_iso_date, metavar="YYYY-MM-DD",
                      help="first day wanted (default: the day after the last one held)")
    pull.add_argument("--until", type=_iso_date, metavar="YYYY-MM-DD",
                      help="last day wanted (default: yesterday in each marketplace)")
    pull.add_argument("--kind", action="append", metavar="KIND",
                      help="pull only this kind; repeatable (default: every kind but the "
                           "opt-in Brand Analytics kinds sqp_asin and top_search_terms)")
    pull.add_argument("--credentials", metavar="FILE",
                      help="credentials file (default: environment variables and "
                           "~/.config/opsanalysis/credentials.yaml)")
    pull.add_argument("--refresh", action="store_true",
                      help="ask again for periods already held (a different document "
                           "replaces the held one, which is kept under .pull/replaced/)")
    return parser


def main(argv=None) -> int:
    """Entry point of the console script; returns the process exit code."""
    arguments = build_parser().parse_args(argv)
    if arguments.command == "pull" or arguments.pull:
        code = _pull(arguments)
        if arguments.command == "pull" or code == 2:
            return code
    from opsanalysis import batch

    try:
        notebooks = _select_notebooks(arguments.notebook, batch.discover_notebooks())
        result = batch.run(
            marketplaces=arguments.marketplace, data_dir=arguments.data,
            out_dir=arguments.out, jobs=arguments.jobs, scheduler=arguments.scheduler,
            params_dir=arguments.params, language=arguments.language,
            notebooks=notebooks, as_of=arguments.as_of, progress=not arguments.no_progress,
            cadence=arguments.cadence)
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


def _pull(arguments) -> int:
    """Run a pull for ``opsanalysis pull`` or ``run --pull``; returns an exit code."""
    import logging

    from opsanalysis import pull

    name = "pull" if arguments.command == "pull" else "run --pull"
    if arguments.data is None or arguments.marketplace is None:
        print(f"opsanalysis {name}: error: --data and --marketplace are required",
              file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        credentials = pull.load_credentials(arguments.credentials)
        result = pull.pull(arguments.marketplace, arguments.data,
                           since=getattr(arguments, "since", None),
                           # run --pull: the report date is the last day wanted
                           until=getattr(arguments, "until", None) or
                           getattr(arguments, "as_of", None),
                           kinds=getattr(arguments, "kind", None), credentials=credentials,
                           refresh=getattr(arguments, "refresh", False))
    except (ValueError, KeyError, OSError) as error:
        print(f"opsanalysis {name}: error: {error}", file=sys.stderr)
        return 2
    for skipped in result.skipped:
        print(f"SKIPPED {skipped}", file=sys.stderr)
    for failure in result.failed:
        print(f"FAILED {failure['marketplace']} {failure['kind']} {failure['first']}.."
              f"{failure['last']}: {failure['error']}", file=sys.stderr)
    print(f"pulled {len(result.stored)} document(s), {len(result.failed)} failed, "
          f"{len(result.skipped)} skipped", file=sys.stderr)
    return 0 if result.ok else 1


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

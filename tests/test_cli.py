"""The ``opsanalysis`` command: argument parsing, exit codes, printed index path."""

import subprocess
import sys

import pytest
from test_batch import _write_notebook, write_business_report

from opsanalysis import batch, cli


@pytest.fixture
def tiny_project(tmp_path, monkeypatch):
    data = tmp_path / "data"
    for code in ("US", "DE"):
        (data / code).mkdir(parents=True)
        (data / code / "units.csv").write_text("sku,units\nA,1\n", encoding="utf-8")
        write_business_report(data / code)
    notebook = _write_notebook(tmp_path / "tiny.ipynb")
    # the command runs the project's notebooks; point discovery at the test notebook instead
    monkeypatch.setattr(batch, "discover_notebooks", lambda directory=None: [notebook])
    return data, tmp_path / "out"


def test_parser_accepts_the_documented_options():
    arguments = cli.build_parser().parse_args(
        ["run", "--marketplace", "US", "JP", "-m", "DE", "--data", "d", "--params", "p",
         "--out", "o", "--jobs", "2", "--scheduler", "tcp://127.0.0.1:8786", "--language", "zh",
         "--strict"])
    assert arguments.marketplace == ["US", "JP", "DE"]
    assert (arguments.data, arguments.params, arguments.out) == ("d", "p", "o")
    assert arguments.jobs == 2 and arguments.scheduler == "tcp://127.0.0.1:8786"
    assert arguments.language == "zh" and arguments.strict
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["run", "--jobs", "0"])
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["run", "--language", "fr"])


def test_run_prints_index_and_exits_zero(tiny_project, capsys):
    data, out = tiny_project
    code = cli.main(["run", "--data", str(data), "--out", str(out), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 0
    index = captured.out.strip().splitlines()[-1]
    assert index.endswith("index.html") and "complete: 2/2" in captured.err
    assert "(2 with warnings)" in captured.err  # units.csv is no report Amazon gives
    assert "WARNINGS DE tiny: 1 (first: not read: units.csv" in captured.err
    assert (out / "latest" / "index.html").is_file()


def test_strict_exits_non_zero_on_warnings(tiny_project, capsys):
    data, out = tiny_project
    assert cli.main(["run", "--data", str(data), "--out", str(out), "--no-progress",
                     "-m", "US", "--strict"]) == 1
    assert "complete: 1/1" in capsys.readouterr().err


def test_failure_gives_non_zero_exit(tiny_project, capsys):
    data, out = tiny_project
    (data / "DE" / "units.csv").write_text("sku,units\nA,kaputt\n", encoding="utf-8")
    code = cli.main(["run", "--data", str(data), "--out", str(out), "--no-progress",
                     "--jobs", "2"])
    captured = capsys.readouterr()
    assert code == 1
    assert "FAILED DE tiny: ValueError" in captured.err


def test_bad_arguments_exit_two(tiny_project, capsys):
    data, out = tiny_project
    assert cli.main(["run", "--data", str(data), "--out", str(out), "-m", "XX"]) == 2
    assert "XX" in capsys.readouterr().err


def test_console_script_help():
    completed = subprocess.run([sys.executable, "-m", "opsanalysis.cli", "run", "--help"],
                               capture_output=True, text=True, timeout=60, check=True)
    assert "--scheduler" in completed.stdout and "--jobs" in completed.stdout


def test_unreachable_scheduler_is_a_failed_run(tiny_project, capsys):
    data, out = tiny_project
    # import distributed before dask.config.set: it adds its config defaults, which the set must
    # not shadow (on exit it would drop the whole "distributed" section it created)
    import dask
    import distributed  # noqa: F401
    # port 9 (discard) on loopback: nothing listens; give up after 2 s instead of 30 s
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        code = cli.main(["run", "--data", str(data), "--out", str(out), "--no-progress",
                         "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 1
    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]
    assert (run_dir / batch.PARTIAL_MARKER).is_file() and (run_dir / "index.html").is_file()
    assert "FAILED US tiny" in capsys.readouterr().err

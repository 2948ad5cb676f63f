"""The ``opsanalysis`` command: argument parsing, exit codes, printed index path."""

import json
import os
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


def _outputs(executed_notebook):
    notebook = json.loads(executed_notebook.read_text(encoding="utf-8"))
    return "".join("".join(output.get("text", "")) for cell in notebook["cells"]
                   for output in cell.get("outputs", []))


def _only_run_dir(out):
    (run_dir,) = [path for path in out.iterdir() if path.name != batch.LATEST_NAME]
    return run_dir


def test_parser_reads_as_of_and_repeated_notebooks():
    arguments = cli.build_parser().parse_args(
        ["run", "--as-of", "2026-02-28", "--notebook", "launch_tracker", "-n", "x/y.ipynb"])
    assert arguments.as_of == "2026-02-28"
    assert arguments.notebook == ["launch_tracker", "x/y.ipynb"]
    defaults = cli.build_parser().parse_args(["run"])
    assert defaults.as_of is None and defaults.notebook is None


@pytest.mark.parametrize("bad", ["2026-02-30", "20260228", "2026-2-28", "28.02.2026", "yesterday"])
def test_bad_as_of_is_a_usage_error(bad, capsys):
    with pytest.raises(SystemExit) as raised:
        cli.build_parser().parse_args(["run", "--as-of", bad])
    assert raised.value.code == 2
    assert f"not a date YYYY-MM-DD: '{bad}'" in capsys.readouterr().err


def test_as_of_reaches_every_notebook_and_the_manifest(tiny_project, capsys):
    data, out = tiny_project
    assert cli.main(["run", "--data", str(data), "--out", str(out), "--no-progress",
                     "--as-of", "2026-10-15"]) == 0
    run_dir = _only_run_dir(out)
    manifest = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert manifest["arguments"]["as_of"] == "2026-10-15"
    assert {result["parameters"]["as_of"] for result in manifest["results"]} == {"2026-10-15"}
    assert "US en 2026-10-15 units=1" in _outputs(run_dir / "US" / "tiny.ipynb")
    assert "DE en 2026-10-15 units=1" in _outputs(run_dir / "DE" / "tiny.ipynb")


def test_without_as_of_each_marketplace_reports_its_last_covered_day(tiny_project, capsys):
    data, out = tiny_project
    assert cli.main(["run", "--data", str(data), "--out", str(out), "--no-progress",
                     "-m", "US"]) == 0
    run_dir = _only_run_dir(out)
    manifest = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert manifest["arguments"]["as_of"] is None
    # the Business Report of the tiny folders ends on 11/03/2026
    assert "US en 2026-11-03 units=1" in _outputs(run_dir / "US" / "tiny.ipynb")


@pytest.fixture
def two_notebooks(tiny_project, tmp_path, monkeypatch):
    """The tiny project with two report notebooks, ``tiny`` and ``other``."""
    data, out = tiny_project
    notebooks = [_write_notebook(tmp_path / "other.ipynb", 'print("other notebook")'),
                 tmp_path / "tiny.ipynb"]
    monkeypatch.setattr(batch, "discover_notebooks", lambda directory=None: notebooks)
    return data, out


def test_notebook_option_runs_only_the_named_reports(two_notebooks, tmp_path, capsys):
    data, out = two_notebooks
    (tmp_path / "extra").mkdir()
    extra = _write_notebook(tmp_path / "extra" / "third.ipynb", 'print("third")')
    assert cli.main(["run", "--data", str(data), "--out", str(out), "--no-progress", "-m", "US",
                     "--notebook", "other", "--notebook", str(extra)]) == 0
    run_dir = _only_run_dir(out)
    manifest = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert manifest["arguments"]["notebooks"] == ["other.ipynb", "third.ipynb"]
    assert sorted(path.name for path in (run_dir / "US").glob("*.ipynb")) == \
        ["other.ipynb", "third.ipynb"]
    assert "complete: 2/2" in capsys.readouterr().err


def test_unknown_notebook_lists_the_available_ones(two_notebooks, capsys):
    data, out = two_notebooks
    assert cli.main(["run", "--data", str(data), "--out", str(out), "--notebook", "tiny",
                     "--notebook", "replenishment"]) == 2
    error = capsys.readouterr().err
    assert "unknown notebook 'replenishment'; available: other, tiny" in error
    assert not out.exists()  # nothing ran


def test_missing_notebook_file_is_an_error(two_notebooks, tmp_path, capsys):
    data, out = two_notebooks
    missing = tmp_path / "nowhere.ipynb"
    assert cli.main(["run", "--data", str(data), "--out", str(out), "-n", str(missing)]) == 2
    assert f"notebook file not found: {missing}" in capsys.readouterr().err


def test_the_project_notebooks_are_selectable_by_name():
    """The names the README shows are the names of the shipped report notebooks."""
    names = {path.stem for path in batch.discover_notebooks()}
    assert {"replenishment_report", "marketplace_overview"} <= names
    (path,) = cli._select_notebooks(["replenishment_report"], batch.discover_notebooks())
    assert path.name == "replenishment_report.ipynb" and path.is_file()


# --- run --pull ---------------------------------------------------------------------------

# Test-only notebook: reads the Restock report the pull wrote, writes its row count.
RESTOCK_CELL = """from pathlib import Path
import pandas as pd
import opsanalysis.io as oio
from opsanalysis import export
(path,) = (Path(data_dir) / marketplace).glob("Restock_Inventory_*")
frame = oio.read_report(path, marketplace)
export.write_tables({"restock": pd.DataFrame({"file": [path.name], "rows": [len(frame)]})},
                    output_dir, language=language, stem="tiny")
"""


def test_run_pull_pulls_through_the_configured_endpoints_then_runs_the_reports(
        tmp_path, monkeypatch, capsys, caplog):
    import opsanalysis.io as oio
    from tests.fake_amazon import SAMPLE, SECRETS, FakeAmazon

    notebook = _write_notebook(tmp_path / "tiny.ipynb", RESTOCK_CELL)
    monkeypatch.setattr(batch, "discover_notebooks", lambda directory=None: [notebook])
    for name in [name for name in os.environ if name.startswith("OPSANALYSIS_")]:
        monkeypatch.delenv(name)
    caplog.set_level("INFO", logger="opsanalysis")
    data, out = tmp_path / "data", tmp_path / "out"
    # SP-API only (no Ads credentials: those kinds are skipped), endpoints from the environment
    with FakeAmazon(ready_after_polls=1, rate_limit=50) as fake:
        environment = {"OPSANALYSIS_CREDENTIALS": str(tmp_path / "absent.yaml"),
                       "OPSANALYSIS_LWA_CLIENT_ID": SECRETS["sp_client_id"],
                       "OPSANALYSIS_LWA_CLIENT_SECRET": SECRETS["sp_client_secret"],
                       "OPSANALYSIS_SP_REFRESH_TOKEN": SECRETS["sp_refresh_token"]}
        environment |= {f"OPSANALYSIS_ENDPOINT_{key.upper()}": url
                        for key, url in fake.endpoints().items()}
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        code = cli.main(["run", "--pull", "-m", "US", "--data", str(data), "--out", str(out),
                         "--as-of", "2026-10-31", "--no-progress"])
        assert fake.calls["createReport"] > 0
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "SKIPPED US sp_campaign: no ads_api credentials" in captured.err
    table = (out / "latest" / "US" / "tiny_restock.csv").read_text(encoding="utf-8")
    (sample,) = (SAMPLE / "US").glob("Restock_Inventory_*")
    assert f"Restock_Inventory_2026-10-31.txt.gz,{len(oio.read_report(sample, 'US'))}" in table
    # no secret in what the command printed, logged or wrote
    texts = [captured.out, captured.err, *(r.getMessage() for r in caplog.records)]
    texts += [path.read_bytes().decode("latin-1") for folder in (data, out)
              for path in folder.rglob("*") if path.is_file()]
    blob = "\n".join(texts)
    assert "stored Restock_Inventory_2026-10-31.txt.gz" in blob
    for name, secret in SECRETS.items():
        assert secret not in blob, f"{name} leaked"


def test_run_pull_refuses_a_plain_http_endpoint_elsewhere(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OPSANALYSIS_CREDENTIALS", str(tmp_path / "absent.yaml"))
    monkeypatch.setenv("OPSANALYSIS_ENDPOINT_SP_API", "http://sellingpartnerapi-na.amazon.com")
    assert cli.main(["run", "--pull", "-m", "US", "--data", str(tmp_path / "data"),
                     "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert "opsanalysis run --pull: error: endpoints.sp_api must be an https:// URL" in error
    assert not (tmp_path / "out").exists()

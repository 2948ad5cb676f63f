"""``opsanalysis run --pull`` end to end against the local fake Amazon (tests/fake_amazon.py).

One marketplace, two folders built from the sample world:

- ``pulled/US``: the sample's files that Amazon's APIs cannot give (product master, Business
  Reports by ASIN, daily inventory history, returns, targeting and advertised-product reports
  ...); then, through the command line with the fake server's address in the credentials
  file's ``endpoints``, a backfill ``opsanalysis pull --kind all_orders --since <first day of
  the sample>`` and the daily ``opsanalysis run --pull``, which pulls the rest (60 days, the
  snapshots) and runs every report;
- ``hand/US``: the bundled sample as it is -- the same documents under the names a person saves
  them with (the server makes its documents from these files) -- run with
  ``opsanalysis.batch.run``.

Every report table the two runs write (CSV and XLSX sheets) must be equal, apart from the
inventory of the input files (``SOURCE_COLUMNS``, the workbooks' "About" sheet), which names
them: the pull writes All Orders in 30-day and Ads reports in 31-day files, a pulled Ads file
states the period asked for (from 2026-09-02) where the console's states the days with data
(from 2026-09-06), and the run id differs. There the test checks rows per report kind instead.
"""

import contextlib
import datetime
import io
import logging
import os
import shutil
import types
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsanalysis import batch, cli
from opsanalysis.pull import settings, store
from tests.fake_amazon import PROFILES, SAMPLE, SECRETS, FakeAmazon, write_hand_saved

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

CODE = "US"
AS_OF = "2026-10-31"
# kind -> the sample's hand-saved file of the documents the fake server gives for that kind
SERVED = {"all_orders": "All_Orders_*", "sales_and_traffic": "GET_SALES_AND_TRAFFIC_REPORT_*",
          "fba_inventory": "Manage_FBA_Inventory_*", "restock": "Restock_Inventory_*",
          "inventory_planning": "FBA_Inventory_Planning_*",
          "account_health": "GET_V2_SELLER_PERFORMANCE_REPORT_*",
          "sp_campaign": "Sponsored_Products_Campaign_report_*",
          "sp_search_term": "Sponsored_Products_Search_term_report_*"}
# Sponsored Brands / Display: the fake server derives them from its Sponsored Products reports
# and write_hand_saved writes the same documents as a person saves them (the daily pull asks for
# them: Amazon keeps 60-65 days of them only). The sample world's own SB/SD files (issue 17)
# are left out of both folders, so that each holds one set of SB/SD reports, the derived one.
DERIVED = ["sb_search_term", "sb_keyword", "sb_campaign", "sd_targeting", "sd_campaign",
           "sd_advertised_product"]
SAMPLE_SBSD = ("Sponsored_Brands_*", "Sponsored_Display_*")
# Columns of the input-file inventory that name or count files, or state a file's period
SOURCE_COLUMNS = {"marketplace_overview_reports_found": ["Files", "Period start"]}
ABOUT = "About"  # workbook sheet: report, as-of, run id, then one line per input file


def pulled_window() -> tuple[datetime.date, datetime.date]:
    """First and last day a first pull up to AS_OF asks for (``initial_days``)."""
    last = datetime.date.fromisoformat(AS_OF)
    return last - datetime.timedelta(days=int(settings()["client"]["initial_days"]) - 1), last


def served_files() -> set:
    return {path for pattern in SERVED.values() for path in (SAMPLE / CODE).glob(pattern)}


def sample_sbsd_files() -> set:
    return {path for pattern in SAMPLE_SBSD for path in (SAMPLE / CODE).glob(pattern)}


def hand_saved_folder(folder: Path) -> None:
    """The sample's files as they are but its own SB/SD files, and the derived SB/SD console
    reports."""
    shutil.copytree(SAMPLE / CODE, folder, ignore=shutil.ignore_patterns(*SAMPLE_SBSD))
    write_hand_saved(CODE, folder, kinds=DERIVED)
    first, last = pulled_window()
    for pattern in ("Sponsored_Products_Campaign_*", "Sponsored_Products_Search_term_*"):
        (path,) = folder.glob(pattern)  # the pull asks for the whole window: same rows
        assert str(first) <= path.stem.split("_")[-2] <= path.stem.split("_")[-1] <= str(last)


def not_pullable_folder(folder: Path) -> None:
    """The sample's files of kinds the fake server does not give."""
    folder.mkdir(parents=True)
    for path in sorted(set((SAMPLE / CODE).iterdir()) - served_files() - sample_sbsd_files()):
        shutil.copy2(path, folder / path.name)


def credentials_file(path: Path, fake: FakeAmazon) -> Path:
    """A private credentials file whose ``endpoints`` point at the fake server."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({
        "sp_api": {"client_id": SECRETS["sp_client_id"],
                   "client_secret": SECRETS["sp_client_secret"],
                   "refresh_tokens": {"NA": SECRETS["sp_refresh_token"]}},
        "ads_api": {"client_id": SECRETS["ads_client_id"],
                    "client_secret": SECRETS["ads_client_secret"],
                    "refresh_token": SECRETS["ads_refresh_token"], "profiles": PROFILES},
        "endpoints": {"token": f"{fake.url}/auth/o2/token", "sp_api": fake.url,
                      "ads_api": {"NA": fake.url}}}))
    os.chmod(path, 0o600)
    return path


def run_pull_command(root: Path, fake: FakeAmazon) -> types.SimpleNamespace:
    """``opsanalysis run --pull`` in-process; its exit code, printed text and log records."""
    records = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append
    logger = logging.getLogger("opsanalysis")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    out, err = io.StringIO(), io.StringIO()
    try:
        with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            for name in list(os.environ):
                if name.startswith("OPSANALYSIS_"):
                    patch.delenv(name)
            credentials = str(credentials_file(root / "config" / "credentials.yaml", fake))
            (orders,) = (SAMPLE / CODE).glob(SERVED["all_orders"])
            backfill = cli.main(["pull", "-m", CODE, "--data", str(root / "pulled"),
                                 "--kind", "all_orders", "--since", orders.name.split("_")[2],
                                 "--until", AS_OF, "--credentials", credentials])
            code = cli.main(["run", "--pull", "-m", CODE, "--data", str(root / "pulled"),
                             "--out", str(root / "out_pulled"), "--as-of", AS_OF,
                             "--credentials", credentials, "--no-progress"])
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return types.SimpleNamespace(backfill=backfill, code=code, out=out.getvalue(),
                                 err=err.getvalue(),
                                 logs=[record.getMessage() for record in records])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("pull_reports")
    not_pullable_folder(root / "pulled" / CODE)
    hand_saved_folder(root / "hand" / CODE)
    # reports ready at the first poll and a generous rate header: the command waits for real
    with FakeAmazon(ready_after_polls=1, rate_limit=50) as fake:
        command = run_pull_command(root, fake)
        calls = sum(fake.calls.values())
    hand = batch.run(marketplaces=[CODE], data_dir=root / "hand", out_dir=root / "out_hand",
                     as_of=AS_OF, progress=False)
    pulled_run = Path(command.out.strip().splitlines()[-1]).parent
    return types.SimpleNamespace(root=root, command=command, calls=calls, hand=hand,
                                 pulled_run=pulled_run)


def test_run_pull_pulls_then_writes_the_reports(runs):
    assert runs.calls > 0, "the endpoints of the credentials file were not used"
    folder = runs.root / "pulled" / CODE
    stored = [r for r in store.read_manifest(folder) if r["event"] == "stored"]
    assert {r["kind"] for r in stored} == set(SERVED) | set(DERIVED), runs.command.err
    for record in stored:
        assert (folder / record["file"]).is_file()
        assert record["last"] <= AS_OF  # --as-of is the last day pulled
    assert not list((folder / ".pull" / "partial").glob("*"))
    assert runs.command.backfill == 0
    (orders,) = (SAMPLE / CODE).glob(SERVED["all_orders"])
    days = (datetime.date.fromisoformat(AS_OF)
            - datetime.date.fromisoformat(orders.name.split("_")[2])).days + 1
    chunks = -(-days // int(settings()["sp_api"]["all_orders"]["max_days"]))
    assert f"pulled {chunks} document(s), 0 failed" in runs.command.err  # the backfill
    assert f"pulled {len(stored) - chunks} document(s)" in runs.command.err  # run --pull
    # the kinds the sample world has no document for are reported, the reports still run
    assert "FAILED US fba_returns" in runs.command.err
    statuses = {(r["notebook"], r["status"]) for r in _results(runs.pulled_run)}
    assert statuses == {(r.notebook, r.status) for r in runs.hand.results}
    assert all(status != "failed" for _, status in statuses), statuses
    assert runs.command.code == runs.hand.exit_code == 0


def test_pulled_names_state_kind_and_period_the_readers_accept(runs):
    import opsanalysis.io as oio

    folder = runs.root / "pulled" / CODE
    (name,) = [p.name for p in folder.glob("GET_SALES_AND_TRAFFIC_REPORT_*")]
    frame = oio.read_report(folder / name, CODE, kind="business_report_asin")
    assert (frame.attrs["period"][0], frame.attrs["period"][1]) == (
        pd.Timestamp("2026-10-25"), pd.Timestamp("2026-10-31"))


def test_reports_of_pulled_documents_equal_those_saved_by_hand(runs):
    hand_dir, pulled_dir = runs.hand.run_dir / CODE, runs.pulled_run / CODE
    tables = sorted(p.name for p in hand_dir.glob("*.csv"))
    assert len(tables) > 20 and tables == sorted(p.name for p in pulled_dir.glob("*.csv"))
    for name in tables:
        hand, pulled = (_csv(folder / name) for folder in (hand_dir, pulled_dir))
        dropped = SOURCE_COLUMNS.get(Path(name).stem, [])
        pd.testing.assert_frame_equal(pulled.drop(columns=dropped), hand.drop(columns=dropped),
                                      obj=name)
    books = sorted(p.name for p in hand_dir.glob("*.xlsx"))
    assert books and books == sorted(p.name for p in pulled_dir.glob("*.xlsx"))
    inputs = {p.name for root in ("hand", "pulled") for p in (runs.root / root / CODE).iterdir()}
    for name in books:
        hand, pulled = (pd.read_excel(folder / name, sheet_name=None, dtype=str)
                        for folder in (hand_dir, pulled_dir))
        assert list(hand) == list(pulled), name
        for sheet in hand:
            if sheet == ABOUT:
                assert _about(pulled[sheet], inputs) == _about(hand[sheet], inputs), name
                continue
            dropped = SOURCE_COLUMNS.get(f"{Path(name).stem}_{sheet}", [])
            pd.testing.assert_frame_equal(pulled[sheet].drop(columns=dropped),
                                          hand[sheet].drop(columns=dropped),
                                          obj=f"{name}:{sheet}")


def test_no_secret_reaches_the_data_the_run_or_its_output(runs):
    texts = [runs.command.out, runs.command.err, *runs.command.logs]
    for folder in (runs.root / "pulled", runs.pulled_run):
        for path in folder.rglob("*"):
            if path.is_file():
                texts.append(_text(path))
    blob = "\n".join(texts)
    # the texts searched hold the pull's log and the run's manifest
    assert "stored GET_SALES_AND_TRAFFIC_REPORT" in blob and '"as_of": "2026-10-31"' in blob
    for name, secret in SECRETS.items():
        assert secret not in blob, f"{name} leaked"


def _results(run_dir: Path) -> list:
    import json

    return json.loads((run_dir / "run.json").read_text(encoding="utf-8"))["results"]


def _about(frame: pd.DataFrame, inputs: set) -> tuple:
    """An About sheet without its run id and with rows per report kind instead of per file."""
    rows = frame.fillna("").astype(str).values.tolist()
    kept = [row for row in rows if row[0] != "Run id" and row[0] not in inputs]
    per_kind = Counter()
    for row in rows:
        if row[0] in inputs:
            per_kind[row[1]] += int(row[2])
    assert per_kind, "no input file listed"
    return kept, dict(per_kind)


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _text(path: Path) -> str:
    import gzip

    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data += b"\n" + gzip.decompress(data)
    if path.suffix == ".xlsx":
        import zipfile

        with zipfile.ZipFile(path) as book:
            data += b"\n".join(book.read(name) for name in book.namelist())
    return data.decode("latin-1")

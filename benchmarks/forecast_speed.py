"""Time ``opsanalysis.forecast.predict`` per method beside statsforecast 2.1.1 on one panel.

A synthetic daily panel (default 10,000 series x 730 days, horizon 28): a mix of smooth,
intermittent and lumpy SKUs with weekly seasonality, some launched during the period.

Two long-lived worker processes hold the panel: one runs ``predict`` (this venv, from the long
frame, the long -> matrix conversion included, params read once at start, no quantiles), the other
statsforecast's ``StatsForecast.forecast`` (its own venv; its own data handling included), with
``n_jobs=1`` and with ``n_jobs`` = the machine's cores. Every (method, implementation) pair is
warmed up once on two series (imports, compilation). Then, for each repetition, each method is
timed in turn by all three, in an order rotated per repetition (ours / sf 1 / sf all, then
sf 1 / sf all / ours ...): on a machine shared with other jobs, load that comes and goes falls
on all three alike. Reported: the median of the repetitions.

Measured per call: wall time (``perf_counter``) and the worker's CPU time (``process_time``).
For ``n_jobs`` > 1 statsforecast's work runs in pool processes, so its CPU column adds theirs
(``RUSAGE_CHILDREN``) and only the wall time compares fairly. Peak memory: resident-set
sampling, every 5 ms from this process, of the worker and all its descendant processes (pool
workers included) during the call; "peak" is the largest sum seen (the panel the worker holds
included), "added" that minus the sum just before the call. The machine, its load average
before and after (and at each repetition) and the date are printed with the tables.

Run at full size: ``.venv/bin/python benchmarks/forecast_speed.py``; ``--quick`` for 1,000
series. Prints markdown.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _statsforecast import ensure_venv  # noqa: E402

from opsanalysis import forecast, params  # noqa: E402

PAIRS = {
    "naive": "Naive", "seasonal_naive": "SeasonalNaive", "moving_average_7": "WindowAverage7",
    "moving_average_28": "WindowAverage28", "ses": "SES", "croston_classic": "CrostonClassic",
    "croston_sba": "CrostonSBA", "tsb": "TSB", "adida": "ADIDA", "imapa": "IMAPA",
}
CLASSICAL = list(PAIRS)

OURS_WORKER = textwrap.dedent('''
    import json, sys, time
    import pandas as pd
    from opsanalysis import forecast, params
    history = pd.read_parquet(sys.argv[1])
    horizon = int(sys.argv[2])
    small = history[history["unique_id"].isin(history["unique_id"].unique()[:2])]
    # read once: a params file edited during a long run cannot change or stop it
    defaults = params.load_defaults()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        quantiles = (0.5, 0.9) if job["method"] == "auto" else ()
        frame = small if job.get("warm_up") else history
        start, start_cpu = time.perf_counter(), time.process_time()
        out = forecast.predict(frame, horizon, job["method"], quantiles=quantiles, freq="D",
                               params=defaults)
        print(json.dumps({"seconds": time.perf_counter() - start,
                          "cpu_seconds": time.process_time() - start_cpu,
                          "rows": len(out)}), flush=True)
''')

SF_WORKER = textwrap.dedent('''
    import json, resource, sys, time
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import (ADIDA, IMAPA, CrostonClassic, CrostonSBA, Naive,
        SeasonalNaive, SimpleExponentialSmoothing, TSB, WindowAverage)
    history = pd.read_parquet(sys.argv[1])
    history["ds"] = history["ds"].astype("datetime64[ns]")
    horizon, spec = int(sys.argv[2]), json.loads(sys.argv[3])
    factories = {
        "Naive": lambda: Naive(), "SeasonalNaive": lambda: SeasonalNaive(7),
        "WindowAverage7": lambda: WindowAverage(7, alias="WindowAverage7"),
        "WindowAverage28": lambda: WindowAverage(28, alias="WindowAverage28"),
        "SES": lambda: SimpleExponentialSmoothing(spec["ses_alpha"], alias="SES"),
        "CrostonClassic": lambda: CrostonClassic(), "CrostonSBA": lambda: CrostonSBA(),
        "TSB": lambda: TSB(spec["tsb_alpha_demand"], spec["tsb_alpha_probability"]),
        "ADIDA": lambda: ADIDA(), "IMAPA": lambda: IMAPA(),
    }
    small = history[history["unique_id"].isin(history["unique_id"].unique()[:2])]

    def cpu_seconds():  # this process and its reaped pool processes (n_jobs > 1)
        own, pool = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                     resource.RUSAGE_CHILDREN))
        return own.ru_utime + own.ru_stime + pool.ru_utime + pool.ru_stime

    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        frame = small if job.get("warm_up") else history
        start, start_cpu = time.perf_counter(), cpu_seconds()
        sf = StatsForecast(models=[factories[job["model"]]()], freq="D", n_jobs=job["n_jobs"])
        out = sf.forecast(df=frame, h=horizon)
        print(json.dumps({"seconds": time.perf_counter() - start,
                          "cpu_seconds": cpu_seconds() - start_cpu,
                          "rows": len(out)}), flush=True)
''')


def synthetic_panel(n_series: int, n_days: int, seed: int = 0) -> pd.DataFrame:
    """Daily unit sales: gamma-distributed levels, weekly profile, occurrence probability."""
    rng = np.random.default_rng(seed)
    level = rng.gamma(0.8, 3.0, size=(n_series, 1))
    occurrence = np.clip(rng.beta(2.0, 1.0, size=(n_series, 1)), 0.05, 1.0)
    weekly = 1.0 + 0.25 * np.sin(2 * np.pi * (np.arange(n_days) + rng.integers(0, 7, (
        n_series, 1))) / 7)
    trend = 1.0 + rng.normal(0, 0.3, (n_series, 1)) * np.arange(n_days) / n_days
    mean = level * weekly * np.clip(trend, 0.2, None) / occurrence
    values = rng.poisson(mean * (rng.random((n_series, n_days)) < occurrence)).astype(float)
    start = np.where(rng.random(n_series) < 0.1, rng.integers(0, n_days - 90, n_series), 0)
    keep = np.arange(n_days)[None, :] >= start[:, None]
    rows, cols = np.nonzero(keep)
    return pd.DataFrame({
        "unique_id": np.char.add("US:SKU", rows.astype(str)),
        "ds": pd.date_range("2024-11-01", periods=n_days).values[cols],
        "y": values[rows, cols],
    })


def _tree_rss_kb(pid: int) -> int:
    """Resident set [kB] of a process and all its descendants (0 for vanished ones)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(status.split("VmRSS:")[1].split()[0])
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


class Worker:
    """A long-lived timing process: one JSON job per line in, one JSON result per line out."""

    def __init__(self, command: list[str]):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, bufsize=1)
        json.loads(self.process.stdout.readline())  # ready: panel loaded

    def run(self, job: dict) -> dict:
        """Send a job, sample the process tree's memory until the answer comes back."""
        before = _tree_rss_kb(self.process.pid)
        peak, done = [before], threading.Event()

        def sample():
            while not done.wait(0.005):
                peak[0] = max(peak[0], _tree_rss_kb(self.process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        self.process.stdin.write(json.dumps(job) + "\n")
        answer = json.loads(self.process.stdout.readline())
        done.set()
        sampler.join()
        return answer | {"peak_mb": peak[0] / 1024, "added_mb": (peak[0] - before) / 1024}

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def machine() -> str:
    """CPU model, cores, memory and Python of this machine (one line)."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        total_kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f", {total_kb / 1024 ** 2:.0f} GB RAM"
    except (OSError, IndexError, ValueError):
        pass
    return (f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores{memory}, "
            f"Python {platform.python_version()}")


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def measure(path: Path, methods: list[str], horizon: int, repeats: int, with_sf: bool):
    """{method: {implementation: [run, ...]}} and the load average at each repetition."""
    settings = params.load_defaults()["forecast"]
    ours = Worker([sys.executable, "-c", OURS_WORKER, str(path), str(horizon)])
    spec = {k: settings[k] for k in ("ses_alpha", "tsb_alpha_demand", "tsb_alpha_probability")}
    sf = (Worker([str(ensure_venv()), "-c", SF_WORKER, str(path), str(horizon), json.dumps(spec)])
          if with_sf else None)
    cores = os.cpu_count() or 1
    jobs = {}
    for method in methods:
        jobs[method] = {"ours": (ours, {"method": method})}
        if sf is not None and method in PAIRS:
            for n_jobs in sorted({1, cores}):
                jobs[method][f"sf{n_jobs}"] = (sf, {"model": PAIRS[method], "n_jobs": n_jobs})
    for method in methods:  # warm-up: imports and compilation are not the method's cost
        for worker, job in jobs[method].values():
            worker.run(job | {"warm_up": True})
    runs = {m: {name: [] for name in jobs[m]} for m in methods}
    loads = []
    for rep in range(repeats):
        loads.append(_load())
        for method in methods:
            names = list(jobs[method])
            shift = rep % len(names)
            for name in names[shift:] + names[:shift]:  # rotated: no one always goes first
                worker, job = jobs[method][name]
                runs[method][name].append(worker.run(job))
    ours.close()
    if sf is not None:
        sf.close()
    return runs, loads


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def print_tables(args, history, runs, loads, load_before, load_after, started) -> None:
    cores = os.cpu_count() or 1
    zeros = float((history["y"] == 0).mean())
    sf_names = [f"sf{j}" for j in sorted({1, cores})]
    print(f"\n### predict speed: {args.series:,} series x {args.days} days "
          f"({len(history):,} rows, {zeros:.0%} zeros), horizon {args.horizon}, median of "
          f"{args.repeats} interleaved runs\n")
    print(f"Machine: {machine()}. Run {started:%Y-%m-%d %H:%M}-"
          f"{datetime.datetime.now(datetime.UTC):%H:%M} UTC; load average (1 / 5 / 15 "
          f"min) {load_before} before, {load_after} after; at the start of each repetition: "
          f"{'; '.join(loads)}.\n")
    head = " | ".join(f"sf n_jobs={n[2:]} wall [s] | CPU [s] | peak / added [MB]"
                      for n in sf_names)
    print(f"| method | ours wall [s] | CPU [s] | peak / added [MB] | statsforecast | {head} "
          "| ours / fastest, wall | ours / sf n_jobs=1, CPU |")
    print("|---|---:|---:|---:|---|" + "---:|---:|---:|" * len(sf_names) + "---:|---:|")
    slower = []
    for method, by_name in runs.items():
        cells = []
        for name in ["ours"] + sf_names:
            if name not in by_name:
                cells.append(" |  | ")
                continue
            r = by_name[name]
            cells.append(f"{_median(r, 'seconds'):.2f} | {_median(r, 'cpu_seconds'):.2f} | "
                         f"{max(x['peak_mb'] for x in r):.0f} / "
                         f"{max(x['added_mb'] for x in r):.0f}")
        wall = _median(by_name["ours"], "seconds")
        fastest = min((_median(by_name[n], "seconds") for n in sf_names if n in by_name),
                      default=None)
        ratio = f"{wall / fastest:.2f}" if fastest else ""
        cpu_ratio = (f"{_median(by_name['ours'], 'cpu_seconds') / _median(by_name['sf1'], 'cpu_seconds'):.2f}"  # noqa: E501
                     if "sf1" in by_name else "")
        if fastest and wall > fastest:
            slower.append(f"{method} ({ratio})")
        print(f"| {method} | {cells[0]} | {PAIRS.get(method, '')} | {' | '.join(cells[1:])} | "
              f"{ratio} | {cpu_ratio} |")
    print("\nEach repetition's wall times [s], ours / " + " / ".join(sf_names) + ":")
    for method, by_name in runs.items():
        per_name = [", ".join(f"{r['seconds']:.2f}" for r in by_name[n])
                    for n in ["ours"] + sf_names if n in by_name]
        print(f"- {method}: " + " / ".join(per_name))
    if "auto" in runs:
        auto = runs["auto"]["ours"]
        ok = _median(auto, "seconds") < 120 and max(r["peak_mb"] for r in auto) < 4096
        print(f"\nauto: {_median(auto, 'seconds'):.1f} s, peak "
              f"{max(r['peak_mb'] for r in auto):.0f} MB (target < 120 s and < 4096 MB): "
              f"{'MET' if ok else 'MISSED'}")
    if any(n in by for by in runs.values() for n in sf_names):
        print("\nclassical methods at or under statsforecast's fastest configuration (median "
              f"wall): {'MET' if not slower else 'MISSED for ' + ', '.join(slower)}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=None, help="default 10,000 (quick 1,000)")
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--horizon", type=int, default=28)
    parser.add_argument("--methods", default=None,
                        help="comma-separated; default the classical methods paired with "
                             "statsforecast (others, e.g. auto, are timed for ours only)")
    parser.add_argument("--quick", action="store_true", help="1,000 series")
    parser.add_argument("--no-statsforecast", action="store_true")
    parser.add_argument("--repeats", type=int, default=3,
                        help="interleaved repetitions; the median is reported")
    args = parser.parse_args(argv)
    args.series = args.series or (1000 if args.quick else 10_000)
    methods = args.methods.split(",") if args.methods else CLASSICAL
    for method in methods:
        if method not in forecast.METHODS and not method.startswith("moving_average_"):
            raise SystemExit(f"unknown method {method!r}")
    started = datetime.datetime.now(datetime.UTC)
    load_before = _load()
    history = synthetic_panel(args.series, args.days)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "panel.parquet"
        history.to_parquet(path)
        runs, loads = measure(path, methods, args.horizon, args.repeats,
                              not args.no_statsforecast)
    print_tables(args, history, runs, loads, load_before, _load(), started)


if __name__ == "__main__":
    main()

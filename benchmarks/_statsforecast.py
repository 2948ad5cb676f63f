"""Shared helpers of the forecast benchmarks: the statsforecast virtual environment and runner.

statsforecast 2.1.1 pins pandas < 3, so it runs in its own venv (``benchmarks/.sf-venv``,
git-ignored), created on first use, and is driven through a subprocess that reads and writes
CSV files.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pandas as pd

VENV = Path(__file__).resolve().parent / ".sf-venv"
REQUIREMENTS = ["statsforecast==2.1.1", "pandas<3"]

# Runs inside the statsforecast venv: fit every model at every cutoff, write long forecasts.
RUNNER = textwrap.dedent('''
    import json, resource, sys, time
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import (ADIDA, AutoETS, CrostonClassic, CrostonSBA, Naive,
        SeasonalNaive, SimpleExponentialSmoothing, TSB, WindowAverage)
    spec = json.loads(sys.argv[1])
    m = spec["season_length"]
    factories = {
        "Naive": lambda: Naive(), "SeasonalNaive": lambda: SeasonalNaive(m),
        "WindowAverage7": lambda: WindowAverage(7, alias="WindowAverage7"),
        "WindowAverage28": lambda: WindowAverage(28, alias="WindowAverage28"),
        "SES": lambda: SimpleExponentialSmoothing(spec["ses_alpha"], alias="SES"),
        "CrostonClassic": lambda: CrostonClassic(), "CrostonSBA": lambda: CrostonSBA(),
        "TSB": lambda: TSB(spec["tsb_alpha_demand"], spec["tsb_alpha_probability"]),
        "ADIDA": lambda: ADIDA(), "AutoETS": lambda: AutoETS(season_length=m),
    }
    df = pd.read_csv(spec["history"], parse_dates=["ds"])

    def cpu_seconds():  # this process and its reaped worker processes (n_jobs > 1)
        own, workers = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                        resource.RUSAGE_CHILDREN))
        return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime

    out, timings, cpu = [], {}, {}
    for name in spec["models"]:
        for cutoff in spec["cutoffs"]:
            train = df[df["ds"] <= pd.Timestamp(cutoff)]
            best = None
            for _ in range(spec.get("repeats", 1)):  # best of n: other jobs share the cores
                start, start_cpu = time.perf_counter(), cpu_seconds()
                sf = StatsForecast(models=[factories[name]()], freq=spec["freq"],
                                   n_jobs=spec["n_jobs"])
                fc = sf.forecast(df=train, h=spec["horizon"])
                run = (time.perf_counter() - start, cpu_seconds() - start_cpu)
                best = run if best is None or run[0] < best[0] else best
            timings[name] = timings.get(name, 0.0) + best[0]
            cpu[name] = cpu.get(name, 0.0) + best[1]
            fc = fc.reset_index() if "unique_id" not in fc.columns else fc
            out.append(fc.rename(columns={name: "forecast"}).assign(model=name, cutoff=cutoff))
    pd.concat(out).to_csv(spec["output"], index=False)
    # own peak (VmHWM); ru_maxrss would include the parent's peak inherited at fork
    peak = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024
    json.dump({"seconds": timings, "cpu_seconds": cpu, "peak_mb": peak},
              open(spec["output"] + ".json", "w"))
''')


def ensure_venv() -> Path:
    """The venv's python, creating the venv with statsforecast 2.1.1 when it is missing."""
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *REQUIREMENTS],
                       check=True)
    return python


def run_statsforecast(history: pd.DataFrame, models: list[str], cutoffs: list, horizon: int,
                      freq: str, season_length: int, settings: dict, n_jobs: int = 1,
                      repeats: int = 1, history_csv: Path | None = None):
    """Forecasts (unique_id, ds, forecast, model, cutoff) and timings of statsforecast models.

    ``info["seconds"]`` and ``info["cpu_seconds"]`` per model are summed over the cutoffs, each
    the fastest (wall time) of ``repeats`` runs; CPU time includes the worker processes;
    ``info["peak_mb"]`` is the runner process's peak resident memory. ``history_csv``: the
    history already written as CSV (``unique_id, ds, y``), to time many runs on one panel.
    """
    python = ensure_venv()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp)
        if history_csv is None:
            history_csv = path / "history.csv"
            history[["unique_id", "ds", "y"]].to_csv(history_csv, index=False)
        spec = {
            "history": str(history_csv), "output": str(path / "forecasts.csv"),
            "models": models, "cutoffs": [str(pd.Timestamp(c).date()) for c in cutoffs],
            "horizon": horizon, "freq": freq, "season_length": season_length, "n_jobs": n_jobs,
            "repeats": repeats,
            "ses_alpha": settings["ses_alpha"],
            "tsb_alpha_demand": settings["tsb_alpha_demand"],
            "tsb_alpha_probability": settings["tsb_alpha_probability"],
        }
        (path / "runner.py").write_text(RUNNER)
        subprocess.run([str(python), str(path / "runner.py"), json.dumps(spec)], check=True)
        forecasts = pd.read_csv(path / "forecasts.csv", parse_dates=["ds", "cutoff"])
        info = json.loads((path / "forecasts.csv.json").read_text())
    forecasts["unique_id"] = forecasts["unique_id"].astype(str)
    return forecasts, info

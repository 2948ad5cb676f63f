"""Speed of the launch tracker on a generated real-size panel (issue 14, point 9: < 60 s).

A seller with ``--skus`` SKUs (default 2,500) in 8 categories and two years of weekly Business
Reports by ASIN (one file per week, as Amazon's by-ASIN view gives it) plus a product master: most
SKUs sell from the first week (established), ``--launch-share`` of them launch inside the data
(a first sale after at least 8 quiet weeks) and ramp up along a logistic curve with Poisson
noise. One file in the middle is left out (a gap in coverage). The run times each step of what
the notebook runs (``opsanalysis.launch_sections.run_launch_tracker`` without the file reading):
detection, weekly curves, verdicts with forecasts, and the curve fits of the tracked launches.

Run: ``.venv/bin/python benchmarks/launch_tracker_speed.py`` (``--skus 500`` for a quick run).
Prints one line per step and the total [s]; nothing is asserted (timings belong here, not in the
tests).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from opsanalysis import params
from opsanalysis.launch import detect_launches, track_launches, weekly_launch_curves
from opsanalysis.launch_sections import best_fits

START, WEEKS = pd.Timestamp("2024-11-03"), 104


def generate_panel(n_skus, launch_share, seed=0):
    """Weekly Business Report by ASIN rows, a product master and the as-of date."""
    rng = np.random.default_rng(seed)
    asins = np.array([f"B0{index:08d}" for index in range(n_skus)])
    category = rng.integers(0, 8, n_skus)
    launches = rng.random(n_skus) < launch_share
    first_week = np.where(launches, rng.integers(9, WEEKS - 1, n_skus), 0)
    level = rng.gamma(2.0, 6.0, n_skus)
    week = np.arange(WEEKS)
    age = week[None, :] - first_week[:, None]
    ramp = level[:, None] / (1.0 + np.exp(-0.6 * (age - 4.0)))
    units = np.where(age >= 0, rng.poisson(np.maximum(ramp, 0.0)), 0)
    units[np.arange(n_skus), first_week] = np.maximum(units[np.arange(n_skus), first_week], 1)
    rows, cols = np.nonzero(units > 0)
    gap = WEEKS // 2  # one weekly file missing
    keep = cols != gap
    rows, cols = rows[keep], cols[keep]
    starts = START + pd.to_timedelta(cols * 7, unit="D")
    report = pd.DataFrame({
        "child_asin": asins[rows], "sku": [f"SKU-{a[2:]}" for a in asins[rows]],
        "sessions": units[rows, cols] * 8, "units_ordered": units[rows, cols],
        "ordered_product_sales": units[rows, cols] * 19.99,
        "period_start": starts, "period_end": starts + pd.Timedelta(days=6)})
    master = pd.DataFrame({"sku": [f"SKU-{a[2:]}" for a in asins], "asin": asins,
                           "category": [f"Category {c}" for c in category]})
    return report, master, START + pd.Timedelta(days=7 * WEEKS - 1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=2500)
    parser.add_argument("--launch-share", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args(argv)
    report, master, as_of = generate_panel(options.skus, options.launch_share, options.seed)
    settings = params.load_defaults()["launch"]
    total = time.perf_counter()
    clock = time.perf_counter()
    launches = detect_launches(report, None, master, as_of=as_of,
                               quiet_weeks=settings["launch_quiet_weeks"])
    print(f"detect_launches       {time.perf_counter() - clock:7.2f} s  "
          f"{int(launches['is_launch'].sum())} launches of {len(launches)} ASINs")
    clock = time.perf_counter()
    curves = weekly_launch_curves(launches, report, as_of=as_of,
                                  max_weeks=settings["reference_weeks"])
    print(f"weekly_launch_curves  {time.perf_counter() - clock:7.2f} s  {len(curves)} launch-weeks")
    clock = time.perf_counter()
    tracking = track_launches(launches, curves, as_of, settings)
    print(f"track_launches        {time.perf_counter() - clock:7.2f} s  "
          f"{len(tracking.verdicts)} tracked, {len(tracking.reference)} reference")
    clock = time.perf_counter()
    fits = best_fits(tracking.curve_fits, tracking.verdicts)
    print(f"best_fits (table)     {time.perf_counter() - clock:7.2f} s  {len(fits)} launches")
    print(f"total                 {time.perf_counter() - total:7.2f} s  ({options.skus} SKUs; "
          "target < 60 s)")


if __name__ == "__main__":
    main()

"""Benchmark: the whole Sponsored Products review on a generated 1,000,000-row search-term report.

Run: ``.venv/bin/python benchmarks/ads.py [--sbsd] [rows]`` (default 1,000,000; ``--sbsd``:
Sponsored Brands search terms + Sponsored Display targets through ``ads.analyse_ad_types``,
issue 17, results in ``benchmarks/results/ads.md``). Prints the time of each
step of :func:`opsanalysis.ads.analyse`, the total, and the peak resident memory of the process
(generation included). Target (issue 7): under 30 s and 3 GB on 2 cores.

The generated report looks like a large seller's 60-day daily search-term export: 40 campaigns
(a quarter automatic), 12 ad groups each, 250,000 distinct customer search terms of 1-5 words
from a 3,000-word vocabulary, Poisson clicks, conversion rates varying by term. Its manual
keywords are drawn at random, so it has far more distinct targets (~590,000) and duplicate
keywords than a real account: bids and the structure audit work on their worst case.

Published result (2026-12-01, opsanalysis 0.1.0, pandas 3, quiet 2-core machine, load ~1.7):

    rows: 1,000,000  distinct terms: 146,223
    generate: 3.4 s
    ads.analyse: 6.7 s   (harvest 7,177 / negatives 140,692 / bids 593,539 / ngrams 53,201 /
                          structure 593,429 / bulk draft 148,767 rows)
    peak memory (max RSS, whole process): 1.01 GB

(On 2026-12-01 under load 5-7 from other jobs: ads.analyse 17.4 s, 0.97 GB.)

Target met: under 30 s and 3 GB.

SB + SD (``--sbsd``, 2026-12-02, under load 10-12 from other jobs): 1,000,000 rows, generate
66.2 s, ads.analyse_ad_types 50.2 s wall / 12.3 s CPU (sb_harvest 9,733 / sb_negatives 107,129 /
sd_bids 295,371 rows), peak 0.64 GB; see benchmarks/results/ads.md.
"""

import resource
import sys
import time

import numpy as np
import pandas as pd

from opsanalysis import ads, params


def generate(rows: int, seed: int = 0) -> pd.DataFrame:
    """A canonical ``sp_search_term`` frame with ``rows`` rows (one currency, 7-day window)."""
    rng = np.random.default_rng(seed)
    vocabulary = np.array([f"w{i}" for i in range(3000)])
    term_count = min(250_000, rows)
    lengths = rng.integers(1, 6, term_count)
    words = vocabulary[rng.zipf(1.3, lengths.sum()) % len(vocabulary)]
    terms = pd.Series(words).groupby(np.repeat(np.arange(term_count), lengths)).agg(" ".join)
    term_cvr = rng.beta(1.0, 12.0, term_count)
    campaign = rng.integers(0, 40, rows)
    auto = campaign < 10
    term_index = rng.integers(0, term_count, rows)
    keyword = np.where(auto, "*", terms.to_numpy()[rng.integers(0, term_count, rows) % 5000])
    clicks = rng.poisson(1.5, rows)
    orders = rng.binomial(clicks, term_cvr[term_index])
    cpc = rng.gamma(4.0, 0.2, rows)
    return pd.DataFrame({
        "date": pd.Timestamp("2026-09-01") + pd.to_timedelta(rng.integers(0, 60, rows), "D"),
        "campaign_name": pd.Series([f"Campaign {c}" for c in range(40)]).to_numpy()[campaign],
        "ad_group_name": [f"Ad group {g}" for g in rng.integers(0, 12, rows)],
        "targeting": keyword,
        "match_type": np.where(auto, "-", rng.choice(["EXACT", "PHRASE", "BROAD"], rows)),
        "customer_search_term": terms.to_numpy()[term_index],
        "impressions": pd.array(clicks * rng.integers(5, 200, rows), dtype="Int64"),
        "clicks": pd.array(clicks, dtype="Int64"),
        "spend": np.round(clicks * cpc, 2),
        "sales": np.round(orders * rng.gamma(5.0, 6.0, rows), 2),
        "orders": pd.array(orders, dtype="Int64"),
        "units": pd.array(orders, dtype="Int64"),
        "currency": "USD",
        "attribution_days": pd.array(np.full(rows, 7), dtype="Int64"),
    })


def generate_sbsd(rows: int, seed: int = 1) -> dict:
    """Canonical ``sb_search_term`` (70 % of ``rows``) and ``sd_targeting`` (30 %) frames.

    The SB rows are :func:`generate`'s search terms with Amazon's 14-day window, the
    clicks-only twins (``sales_clicks``, ``orders_clicks``: the clicks' share of the sales) and
    ``ad_type``; the SD rows target 20,000 ASINs and audiences with view-through sales on top
    of the clicks-only ones.
    """
    rng = np.random.default_rng(seed)
    sb_rows = int(rows * 0.7)
    sb = generate(sb_rows, seed).assign(ad_type="sponsored_brands",
                                        attribution_days=pd.array(np.full(sb_rows, 14),
                                                                  dtype="Int64"))
    sb["orders_clicks"] = sb["orders"]
    sb["sales_clicks"] = sb["sales"]
    sd = generate(rows - sb_rows, seed + 1).drop(columns=["customer_search_term", "match_type"])
    asins = np.array([f'asin="B0{i:08d}"' for i in range(20_000)] + ["similar-product",
                                                                     "views=(exact-product)"])
    sd["targeting"] = asins[rng.integers(0, len(asins), len(sd))]
    sd["orders_clicks"], sd["sales_clicks"] = sd["orders"], sd["sales"]
    views = rng.poisson(0.05, len(sd))
    sd["orders"] = sd["orders"] + views
    sd["sales"] = np.round(sd["sales"] + views * rng.gamma(5.0, 6.0, len(sd)), 2)
    sd = sd.assign(ad_type="sponsored_display",
                   attribution_days=pd.array(np.full(len(sd), 14), dtype="Int64"))
    return {"sb_search_term": sb, "sd_targeting": sd}


def main_sbsd(rows: int = 1_000_000) -> None:
    """Issue 17: SB search terms + SD targets through :func:`opsanalysis.ads.analyse_ad_types`
    (harvest, negatives and bids on clicks-only figures)."""
    settings = params.load("US")
    started = time.perf_counter()
    frames = generate_sbsd(rows)
    generated = time.perf_counter()
    cpu = time.process_time()
    tables = ads.analyse_ad_types(frames, settings)
    finished, cpu = time.perf_counter(), time.process_time() - cpu
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    print(f"rows: {sum(len(f) for f in frames.values()):,} (SB search terms "
          f"{len(frames['sb_search_term']):,}, SD targets {len(frames['sd_targeting']):,})")
    print(f"generate: {generated - started:.1f} s")
    print(f"ads.analyse_ad_types: {finished - generated:.1f} s wall, {cpu:.1f} s CPU "
          f"(the process's own CPU time: what a machine without other jobs would take)")
    for name, table in tables.items():
        print(f"  {name}: {len(table):,} rows")
    print(f"peak memory (max RSS, whole process): {peak_gb:.2f} GB")


def main(rows: int = 1_000_000) -> None:
    started = time.perf_counter()
    frame = generate(rows)
    generated = time.perf_counter()
    settings = params.load("US")
    products = pd.DataFrame({"sku": ["s1"], "brand": ["w7"]})
    tables = ads.analyse(frame, settings, products)
    finished = time.perf_counter()
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    print(f"rows: {len(frame):,}  distinct terms: {frame['customer_search_term'].nunique():,}")
    print(f"generate: {generated - started:.1f} s")
    print(f"ads.analyse: {finished - generated:.1f} s")
    for name, table in tables.items():
        print(f"  {name}: {len(table):,} rows")
    print(f"peak memory (max RSS, whole process): {peak_gb:.2f} GB")


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--sbsd"]
    run = main_sbsd if "--sbsd" in sys.argv[1:] else main
    run(int(arguments[0]) if arguments else 1_000_000)

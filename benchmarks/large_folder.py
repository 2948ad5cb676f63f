"""A real-size seller folder for the batch benchmark: the sample world scaled to 2,500 SKUs.

The bundled sample (:mod:`opsanalysis.sample`) simulates 30-38 SKUs per marketplace over
2024-08-18..2026-10-31 (26 months of orders) and writes every report kind the notebooks read in
Amazon's formats. Here the same simulation runs for one marketplace with ``n_sku`` SKUs (the
world's ``MARKETPLACE_SETUP`` is patched for the duration of the call, nothing is written back),
more past launches, and a lower volume per SKU so that the All Orders file of 2,500 SKUs holds
about a million lines (a long tail, as real catalogues have: the sample's SKUs are all
steady sellers). The files go to ``out_dir/<MP>/`` through the sample writers, so every kind and
name is the sample's. Never written into the repository: the benchmark passes a temporary folder.

Usage::

    .venv/bin/python benchmarks/large_folder.py OUT_DIR [--skus 2500]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from unittest import mock

from opsanalysis.sample import world as sample_world
from opsanalysis.sample.writers import write_marketplace

#: Mean demand scale per SKU against the sample's US SKUs: about 0.6 units a day on average, so
#: 2,500 SKUs give about a million order lines over the sample's 26 months.
VOLUME = 0.3
#: Past launches (the sample: 8 of 38 US SKUs); the tracker compares new listings with them.
PAST_LAUNCHES = 120


def generate(out_dir, n_sku: int = 2500, marketplace: str = "US", seed: int = 0):
    """Simulate one marketplace of ``n_sku`` SKUs and write its report files.

    Parameters
    ----------
    out_dir : path-like
        Data folder; the files go to ``out_dir/<marketplace>/``.
    n_sku : int
        SKUs in the catalogue [count].
    marketplace : str
        A sample marketplace code (its categories, currency, language and formats).
    seed : int
        Random seed.

    Returns
    -------
    tuple of (World, list of Path)
        The simulated world (truth frames) and the files written.
    """
    setup = dict(sample_world.MARKETPLACE_SETUP[marketplace], n_sku=int(n_sku),
                 n_past=min(PAST_LAUNCHES, max(2, n_sku // 20)))
    setup["volume"] = setup["volume"] * VOLUME
    with mock.patch.dict(sample_world.MARKETPLACE_SETUP, {marketplace: setup}), \
            mock.patch.object(sample_world, "SAMPLE_MARKETPLACES", (marketplace,)):
        world = sample_world.build_world(seed)
        files = write_marketplace(world, marketplace, Path(out_dir) / marketplace)
    return world, files


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--skus", type=int, default=2500)
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    world, files = generate(arguments.out_dir, arguments.skus)
    orders = world.truth["orders"]
    size = sum(path.stat().st_size for path in files) / 2**20
    print(f"{len(files)} files, {size:.0f} MiB, {len(orders):,} order lines, "
          f"{world.truth['products']['sku'].nunique():,} SKUs in "
          f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

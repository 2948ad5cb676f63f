"""Bundled sample data: a simulated seller written as Amazon's own report files.

``generate(out_dir, seed=0)`` simulates the world (:mod:`opsanalysis.sample.world`) and writes
it to ``out_dir/<MP>/`` in Amazon's formats (:mod:`opsanalysis.sample.writers`);
``generate(None)`` only returns the world, cached per seed, so tests of later analyses can compare
with the truth cheaply. The committed copy lives in ``data/sample/`` (see its README).

Stable API: ``generate``, ``World``, ``SAMPLE_MARKETPLACES``, ``AS_OF``, ``START``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from opsanalysis.sample.brand_analytics import add_brand_analytics
from opsanalysis.sample.feedback import add_feedback
from opsanalysis.sample.keepa import add_keepa
from opsanalysis.sample.settlement import add_settlements
from opsanalysis.sample.sponsored import add_sponsored
from opsanalysis.sample.world import AS_OF, SAMPLE_MARKETPLACES, START, World, build_world

__all__ = ["AS_OF", "SAMPLE_MARKETPLACES", "START", "World", "generate"]


@lru_cache(maxsize=4)
def _cached_world(seed: int) -> World:
    world = build_world(seed)
    # simulated last, from their own random stream: no other sample file moves
    add_settlements(world)
    add_brand_analytics(world)
    add_keepa(world)
    add_sponsored(world)
    add_feedback(world)
    return world


def generate(out_dir=None, seed: int = 0) -> World:
    """Simulate the sample seller and, when ``out_dir`` is given, write its report files.

    Parameters
    ----------
    out_dir : path-like or None
        Folder receiving one subfolder per marketplace (``out_dir/US/...``); existing files of
        the same names are overwritten. ``None`` writes nothing and only returns the world.
    seed : int
        Random seed; the same seed gives byte-identical files.

    Returns
    -------
    World
        Truth frames (``world.truth``) and planted behaviours (``world.planted[MP]``). The
        object is cached per seed and shared: treat it as read-only.
    """
    world = _cached_world(int(seed))
    if out_dir is not None:
        from opsanalysis.sample.brand_analytics import write_brand_analytics
        from opsanalysis.sample.feedback import write_feedback
        from opsanalysis.sample.keepa import write_keepa
        from opsanalysis.sample.settlement import write_settlements
        from opsanalysis.sample.sponsored import write_sponsored
        from opsanalysis.sample.writers import write_marketplace

        for marketplace in world.marketplaces:
            write_marketplace(world, marketplace, Path(out_dir) / marketplace)
            write_settlements(world, marketplace, Path(out_dir) / marketplace)
            write_brand_analytics(world, marketplace, Path(out_dir) / marketplace)
            write_keepa(world, marketplace, Path(out_dir) / marketplace)
            write_sponsored(world, marketplace, Path(out_dir) / marketplace)
            write_feedback(world, marketplace, Path(out_dir) / marketplace)
    return world

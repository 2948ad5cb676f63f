"""Tests for opsanalysis.fees beyond the dated tables (tests/test_replenishment.py reads those)."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from opsanalysis import fees
from opsanalysis import params as params_module


def test_the_old_name_is_the_same_functions():
    from opsanalysis.replenishment import fees as old

    for name in old.__all__:
        assert getattr(old, name) is getattr(fees, name)


def test_opportunity_does_not_load_replenishment():
    script = ("import sys, opsanalysis.opportunity; "
              "print([m for m in sys.modules if m.startswith('opsanalysis.replenishment')])")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


def test_peak_months_come_from_the_fee_table():
    table = fees.fee_schedule(params_module.load("US"), "2026-10-31")
    assert table["peak_storage_months"] == [10, 11, 12]  # params/defaults.yaml
    months = np.arange(1, 13)
    rates = fees.storage_rate(table, ["standard"] * 12, months)
    assert (rates[9:] == 2.40).all() and (rates[:9] == 0.78).all()
    # a table without a peak season charges the off-peak rate all year
    flat = fees.storage_rate({**table, "peak_storage_months": []}, ["standard"] * 12, months)
    assert (flat == 0.78).all()
    january = fees.storage_rate({**table, "peak_storage_months": [1]}, ["standard"] * 2, [1, 11])
    assert january.tolist() == [2.40, 0.78]


# One hand-computed storage fee per marketplace table (params/<MP>.yaml): 100 units of 0.2 cu ft
# (20 cu ft = 0.56634 m3) held through all of March (off-peak) and of November (peak).
STORAGE_TABLES = [  # marketplace, March fee, November fee [marketplace currency]
    ("UK", 20 * 0.71, 20 * 1.00),                       # GBP per cu ft
    ("DE", 0.566337 * 27.82, 0.566337 * 38.52),         # EUR per m3
    ("FR", 0.566337 * 28.65, 0.566337 * 39.68),
    ("IT", 0.566337 * 27.82, 0.566337 * 38.52),
    ("ES", 0.566337 * 27.82, 0.566337 * 38.52),
    ("JP", 0.566337 * 5160, 0.566337 * 9170),           # JPY per m3
    ("CA", 0.566337 * 24.0, 0.566337 * 33.0),           # CAD per m3
    ("AU", 0.566337 * 19.40, 0.566337 * 26.50),         # AUD per m3
    ("SG", 0.566337 * 12.84, 0.566337 * 12.84),         # SGD per m3, GST included, no peak rate
]


@pytest.mark.parametrize("code, march, november", STORAGE_TABLES)
def test_storage_fee_table_per_marketplace(code, march, november):
    loaded = params_module.load(code)
    for month, expected in (("2026-03", march), ("2026-11", november)):
        days = pd.date_range(f"{month}-01", pd.Period(month).end_time.normalize())
        schedule = fees.fee_schedule(loaded, days[0])
        fee = fees.storage_cost(100, 0.2, "standard", days, schedule).sum()
        assert fee == pytest.approx(expected, rel=1e-5)
    assert loaded["fees"]["sources"]["storage_fee_off_peak"].endswith("checked 2026-12")
    # no aged-inventory surcharge table yet: not estimated, never 0
    assert np.isnan(fees.aged_surcharge_per_unit([400], [0.2], schedule)).all()


def test_a_marketplace_without_a_table_is_not_estimated():
    assert fees.fee_schedule(params_module.load("NL"), "2026-10-31") is None
    assert np.isnan(fees.storage_cost(10, 0.1, "standard", ["2026-11-05"], None)).all()

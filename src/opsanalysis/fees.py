"""FBA storage fees and the aged-inventory surcharge from the dated fee tables in params.

A marketplace's ``fees`` section holds the table in force at ``effective_from`` (its
``storage_fee_off_peak``, ``storage_fee_peak``, ``aged_inventory_surcharge``) and optionally
``versions``: a list of dated tables, each ``{version, effective_from, verified, source, ...}``
with any of the same keys (absent keys carry over from the previous version). The table used for
a date is the latest one whose ``effective_from`` is on or before it. Fee figures are data with a
source and a date, never constants in code (``../shared/reference/replenishment-forecasting.md``
section 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "CUBIC_FEET_PER_CUBIC_METRE",
    "aged_surcharge_per_unit",
    "fee_schedule",
    "fee_versions",
    "storage_cost",
    "storage_rate",
]

CUBIC_FEET_PER_CUBIC_METRE = 35.3146667
TABLE_KEYS = ("storage_fee_off_peak", "storage_fee_peak", "peak_storage_months",
              "aged_inventory_surcharge", "volume_unit")
VERSION_KEYS = ("version", "effective_from", "verified", "source", *TABLE_KEYS)


def _fees(params: dict) -> dict:
    return params.get("fees", params)


def fee_versions(params: dict) -> list[dict]:
    """Every dated fee table of a marketplace, oldest first, each complete (keys carried over).

    Parameters
    ----------
    params : dict
        Loaded params (:func:`opsanalysis.params.load`) or its ``fees`` section.

    Returns
    -------
    list of dict
        Keys ``version``, ``effective_from`` (Timestamp or NaT), ``verified``, ``source`` and the
        table keys. Empty when the marketplace has no fee table (``fee_table_version: none``).

    Raises
    ------
    ValueError
        For a version entry with an unknown key or without ``effective_from``.
    """
    fees = _fees(params)
    base = {key: fees.get(key) for key in TABLE_KEYS}
    sources = fees.get("sources", {})
    entries = []
    if fees.get("fee_table_version", "none") != "none":
        entries.append({**base, "version": fees["fee_table_version"],
                        "effective_from": fees.get("effective_from", ""),
                        "verified": bool(fees.get("verified", False)),
                        "source": "; ".join(f"{k}: {v}" for k, v in sources.items()
                                            if k in TABLE_KEYS)})
    for entry in fees.get("versions", []) or []:
        unknown = set(entry) - set(VERSION_KEYS)
        if unknown or not entry.get("effective_from"):
            raise ValueError(f"fees.versions entry {entry.get('version')!r}: unknown keys "
                             f"{sorted(unknown)} or no effective_from; allowed {VERSION_KEYS}")
        entries.append(dict(entry))
    entries.sort(key=lambda e: pd.Timestamp(e["effective_from"] or "1900-01-01"))
    complete, current = [], dict(base)
    for entry in entries:
        current = {**current, **{k: v for k, v in entry.items() if v is not None}}
        current["effective_from"] = pd.Timestamp(entry["effective_from"]) \
            if entry["effective_from"] else pd.NaT
        complete.append(dict(current))
    return complete


def fee_schedule(params: dict, date) -> dict | None:
    """The fee table in force on ``date`` (latest ``effective_from`` on or before it).

    Returns
    -------
    dict or None
        A complete table (see :func:`fee_versions`); None when the marketplace has no table or
        every table starts later (storage costs are then not estimated).
    """
    date = pd.Timestamp(date)
    valid = [v for v in fee_versions(params)
             if pd.isna(v["effective_from"]) or v["effective_from"] <= date]
    return valid[-1] if valid else None


def _volume_factor(schedule: dict) -> float:
    """Converts cubic feet to the table's volume unit (params ``fees.volume_unit``)."""
    return 1.0 / CUBIC_FEET_PER_CUBIC_METRE if schedule["volume_unit"] == "cubic_metre" else 1.0


def storage_rate(schedule: dict | None, storage_type, months) -> np.ndarray:
    """Monthly storage fee rate per cubic foot for storage types and calendar months.

    Parameters
    ----------
    schedule : dict or None
        From :func:`fee_schedule`: its ``peak_storage_months`` (params
        ``fees.peak_storage_months``, an empty list for no peak rate) and ``volume_unit``.
    storage_type : array-like of str
        "standard", "oversize" ...; unknown types use "standard".
    months : array-like of int
        Calendar month 1-12.

    Returns
    -------
    numpy.ndarray
        [currency per cubic foot per month]; NaN without a schedule.
    """
    storage_type = np.atleast_1d(np.asarray(storage_type, dtype=object))
    months = np.atleast_1d(np.asarray(months))
    if schedule is None or not schedule.get("storage_fee_off_peak"):
        return np.full(np.broadcast(storage_type, months).shape, np.nan)
    factor = _volume_factor(schedule)
    off = schedule["storage_fee_off_peak"]
    peak = schedule.get("storage_fee_peak") or off
    peak_months = set(schedule["peak_storage_months"])

    def lookup(table, kind):
        return float(table.get(kind, table.get("standard", np.nan)))

    kinds = np.where(pd.isna(storage_type), "standard", storage_type)
    off_rate = np.array([lookup(off, k) for k in kinds.ravel()]).reshape(kinds.shape)
    peak_rate = np.array([lookup(peak, k) for k in kinds.ravel()]).reshape(kinds.shape)
    in_peak = np.isin(months, list(peak_months))
    return np.where(in_peak, peak_rate, off_rate) * factor


def storage_cost(units, unit_volume_cuft, storage_type, dates, schedule) -> np.ndarray:
    """Storage fee for holding ``units`` for one day each on ``dates``.

    Amazon bills a month's average daily volume at the monthly rate, so one day costs the
    monthly rate / days in that month.

    Parameters
    ----------
    units : array-like
        Units on hand [units], broadcastable with the other arguments.
    unit_volume_cuft : array-like
        Volume per unit [cubic feet].
    storage_type : array-like of str
    dates : array-like of datetime
    schedule : dict or None
        From :func:`fee_schedule`.

    Returns
    -------
    numpy.ndarray
        [currency]; NaN without a schedule.
    """
    dates = pd.DatetimeIndex(np.atleast_1d(dates))
    rate = storage_rate(schedule, storage_type, dates.month.to_numpy())
    return np.asarray(units, dtype=float) * np.asarray(unit_volume_cuft, dtype=float) * rate \
        / dates.days_in_month.to_numpy()


def aged_surcharge_per_unit(age_days, unit_volume_cuft, schedule) -> np.ndarray:
    """Aged-inventory surcharge of one unit at a monthly snapshot, by its age.

    The tier is the last one whose ``min_age_days`` the age reaches; the charge is the greater of
    ``per_volume`` x volume and ``per_unit``.

    Parameters
    ----------
    age_days : array-like
        Age of the unit at the snapshot [days].
    unit_volume_cuft : array-like
        [cubic feet].
    schedule : dict or None

    Returns
    -------
    numpy.ndarray
        [currency per unit]; 0 below the first tier; NaN without a schedule.
    """
    age = np.asarray(age_days, dtype=float)
    volume = np.asarray(unit_volume_cuft, dtype=float)
    if schedule is None or not schedule.get("aged_inventory_surcharge"):
        return np.full(np.broadcast(age, volume).shape, np.nan)
    tiers = sorted(schedule["aged_inventory_surcharge"], key=lambda t: t["min_age_days"])
    starts = np.array([t["min_age_days"] for t in tiers], dtype=float)
    per_volume = np.array([0.0] + [t["per_volume"] for t in tiers]) * _volume_factor(schedule)
    per_unit = np.array([0.0] + [t.get("per_unit", 0.0) for t in tiers])
    index = np.searchsorted(starts, age, side="right")
    return np.maximum(per_volume[index] * volume, per_unit[index])

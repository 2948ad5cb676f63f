"""Long ``unique_id, ds, y`` frames <-> a dense series x time matrix.

Every method works on one float matrix ``values`` (series x periods) on a common date grid, so
the recursions loop over time once and are vectorised across all series. Cells before a series'
first row are "not started" (``start``); later cells with ``NaN`` are censored/missing periods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Calendar facts, not tunable rules: the seasonal cycle length of each sampling frequency.
_SEASON_LENGTH = {"D": 7, "W": 52, "M": 12, "Q": 4}


@dataclass
class Panel:
    """A panel of series on a shared regular date grid.

    Attributes
    ----------
    ids : numpy.ndarray
        Series identifiers (``unique_id``), sorted.
    dates : pandas.DatetimeIndex
        The common grid of period dates.
    values : numpy.ndarray
        Float matrix (series x periods); ``NaN`` = not started or missing (censored).
    start : numpy.ndarray
        Index of each series' first row in ``dates``.
    freq : str
        pandas frequency alias of the grid.
    season_length : int
        Periods per seasonal cycle (7 daily, 52 weekly, 12 monthly, 1 otherwise).
    drivers : Drivers or None
        Known prices, promotions and ad budgets (:mod:`._drivers`), aligned over the grid of
        the full history plus the forecast horizon: a cut panel (:meth:`head`) keeps them, so
        its forecast window sees the drivers of the periods after the cut. None: no drivers.
    """

    ids: np.ndarray
    dates: pd.DatetimeIndex
    values: np.ndarray
    start: np.ndarray
    freq: str
    season_length: int
    drivers: object = None

    @property
    def n_periods(self) -> int:
        return self.values.shape[1]

    def head(self, n_periods: int) -> Panel:
        """The panel cut after its first ``n_periods`` periods (a backtest origin)."""
        return Panel(self.ids, self.dates[:n_periods], self.values[:, :n_periods],
                     np.minimum(self.start, n_periods), self.freq, self.season_length,
                     self.drivers)

    def subset(self, rows: np.ndarray) -> Panel:
        """The panel restricted to the series at ``rows`` (indices or boolean mask)."""
        drivers = None if self.drivers is None else self.drivers.subset(rows)
        return Panel(self.ids[rows], self.dates, self.values[rows], self.start[rows],
                     self.freq, self.season_length, drivers)

    def with_values(self, values: np.ndarray) -> Panel:
        """The same panel with another value matrix (same shape), e.g. driver-adjusted."""
        return Panel(self.ids, self.dates, values, self.start, self.freq, self.season_length,
                     self.drivers)

    def with_drivers(self, drivers) -> Panel:
        """The same panel carrying ``drivers`` (a :class:`._drivers.Drivers` or None)."""
        return Panel(self.ids, self.dates, self.values, self.start, self.freq,
                     self.season_length, drivers)

    def future_dates(self, horizon: int) -> pd.DatetimeIndex:
        """The ``horizon`` grid dates after the last period."""
        return pd.date_range(self.dates[-1], periods=horizon + 1, freq=self.freq)[1:]


def infer_freq(dates: pd.DatetimeIndex) -> str:
    """Sampling frequency of sorted unique dates: daily, weekly or monthly (start or end).

    Gaps are allowed (whole series may miss periods): the smallest step decides.
    """
    if len(dates) < 2:
        return "D"
    step_days = int(np.diff(dates.values).min() / np.timedelta64(1, "D"))
    if step_days == 1:
        return "D"
    if step_days == 7:
        return "W-" + dates[0].day_name()[:3].upper()
    if 28 <= step_days <= 31:
        return "MS" if (dates.day == 1).all() else "ME"
    if 89 <= step_days <= 92:
        return "QS" if (dates.day == 1).all() else "QE"
    raise ValueError(f"cannot infer a regular frequency from steps of {step_days} days; pass freq=")


def season_length_of(freq: str) -> int:
    """Seasonal cycle length for a frequency alias ("D" -> 7, "W-SUN" -> 52, "MS" -> 12)."""
    return _SEASON_LENGTH.get(freq[0].upper(), 1)


def from_long(history: pd.DataFrame, freq: str | None = None,
              daily_season_length: int = 7) -> Panel:
    """Build a :class:`Panel` from a long frame with columns ``unique_id, ds, y``.

    ``daily_season_length`` (params ``forecast.season_length``) is the cycle of daily grids.

    Raises
    ------
    ValueError
        When a column is missing, a date is off the grid or a (unique_id, ds) pair repeats.
    """
    missing = {"unique_id", "ds", "y"} - set(history.columns)
    if missing:
        raise ValueError(f"history lacks column(s) {sorted(missing)}; expected unique_id, ds, y")
    if history.empty:
        raise ValueError("history is empty")
    ds = pd.DatetimeIndex(pd.to_datetime(history["ds"]))
    if ds.tz is not None:
        ds = ds.tz_localize(None)
    date_code, unique_dates = _date_codes(ds)
    sorted_dates = unique_dates.sort_values()
    freq = freq or infer_freq(sorted_dates)
    grid = pd.date_range(sorted_dates[0], sorted_dates[-1], freq=freq)
    pos = grid.get_indexer(unique_dates)[date_code]
    if (pos < 0).any():
        bad = ds[pos < 0][0]
        raise ValueError(f"date {bad.date()} is not on the {freq} grid starting {grid[0].date()}")
    row, ids = _factorize_ids(history["unique_id"])
    flat = row.astype(np.int64) * len(grid) + pos
    taken = np.zeros(len(ids) * len(grid), dtype=bool)
    taken[flat] = True
    if taken.sum() != len(flat):  # a cell written twice
        raise ValueError("history has repeated (unique_id, ds) pairs")
    values = np.full((len(ids), len(grid)), np.nan)
    values.flat[flat] = pd.to_numeric(history["y"], errors="coerce").to_numpy(dtype=float)
    start = np.full(len(ids), len(grid), dtype=np.int64)
    np.minimum.at(start, row, pos)
    season = daily_season_length if freq == "D" else season_length_of(freq)
    return Panel(ids, grid, values, start, freq, season)


def _date_codes(ds: pd.DatetimeIndex) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Code of each row's date into the unique dates, and those dates.

    Dates at midnight (every daily, weekly and monthly grid) are coded by their day offset from
    the first date: integer arithmetic and one bincount instead of hashing millions of
    timestamps (the hash was a third of the long -> matrix conversion). Other timestamps, or a
    span too long for a day table, fall back on a hash factorisation.
    """
    ticks = ds.asi8
    if ds.hasnans:  # NaT has no day offset: the hash path keeps it (and reports it off grid)
        code, uniques = pd.factorize(ticks)
        return code, pd.DatetimeIndex(uniques.astype(ds.dtype))
    day = int(pd.Timedelta(days=1) / pd.Timedelta(1, unit=ds.unit))
    first = ticks.min()
    offset = ticks - first
    span_days = (ticks.max() - first) // day + 1
    if span_days <= 10 * len(ticks) + 1_000_000 and not (offset % day).any():
        offset //= day
        present = np.flatnonzero(np.bincount(offset, minlength=span_days))
        lookup = np.empty(span_days, dtype=np.int64)
        lookup[present] = np.arange(len(present))
        dates = pd.DatetimeIndex((first + present * day).astype(f"datetime64[{ds.unit}]"))
        return lookup[offset], dates
    code, uniques = pd.factorize(ticks)
    return code, pd.DatetimeIndex(uniques.astype(ds.dtype))


def _factorize_ids(unique_id: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of each row into the sorted unique ids (as strings), and those ids.

    Histories come grouped by id (each id's rows in one run, the runs in any order): then the
    ids are read from the run starts (one vectorised comparison of neighbours) and ranked,
    which gives the same codes as ``pd.factorize(sort=True)`` at a fraction of its cost;
    otherwise, or for non-Arrow strings, hash-based factorisation (np.unique on millions of
    strings sorts them and is slower still).
    """
    ids = unique_id.astype(str)
    if getattr(ids.dtype, "storage", None) == "pyarrow" and len(ids) > 1 and not ids.isna().any():
        arrow = pa.array(ids.array)
        arrow = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
        change = pc.not_equal(arrow[1:], arrow[:-1]).to_numpy(zero_copy_only=False)
        starts = np.concatenate([[0], np.flatnonzero(change) + 1])
        firsts = np.asarray(arrow.take(pa.array(starts)).to_pylist(), dtype=object)
        order = np.argsort(firsts, kind="stable")
        ranked = firsts[order]
        if (ranked[1:] != ranked[:-1]).all():  # one run per id: runs ranked by their id
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            row = np.repeat(rank, np.diff(np.append(starts, len(ids))))
            return row, ranked
    row, uniques = pd.factorize(ids, sort=True)
    return row, np.asarray(uniques, dtype=object)


def to_long(panel: Panel, columns: dict[str, np.ndarray], horizon: int) -> pd.DataFrame:
    """Long forecast frame ``unique_id, ds, <columns>`` from (series x horizon) matrices."""
    future = panel.future_dates(horizon)
    out = {
        "unique_id": np.repeat(panel.ids, horizon),
        "ds": np.tile(future.values, len(panel.ids)),
    }
    for name, matrix in columns.items():
        out[name] = np.asarray(matrix, dtype=float).reshape(-1)
    return pd.DataFrame(out)


def observed_mask(panel: Panel) -> np.ndarray:
    """Boolean matrix: cell holds an observed (not missing, started) value."""
    return ~np.isnan(panel.values)

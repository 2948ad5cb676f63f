"""Drivers: what the seller knows about the future (prices, deals, ad budgets) on the panel grid.

The drivers frame is long, one row per date and scope, with these canonical columns:

=============  ==========================================================================
``ds``         date (required) [marketplace-local calendar date, on the history's grid]
``unique_id``  the series the row applies to (as in the history), or empty
``marketplace`` marketplace code of a row for every series "<MP>:<sku>" of that marketplace
               (used when ``unique_id`` is empty); both empty: the row applies to all series
``price``      selling price [currency per unit], > 0
``promotion``  a coupon, deal or other promotion runs that day: 0 or 1 (True / False)
``ad_budget``  advertising budget [currency per period], >= 0
=============  ==========================================================================

At least one of ``price``, ``promotion``, ``ad_budget`` is given; an empty cell says nothing
about that driver on that date. Alignment to the panel (series x grid dates and the forecast
horizon): a per-series row wins over a marketplace row, which wins over an all-series row of
the same date; dates without a value carry the last known price and ad budget forward (a price
is also carried back to the dates before its first row; an ad budget is not: unknown), and a
date without a ``promotion`` value has none (0). A row dated before the grid counts from the
grid's first date; rows after the forecast horizon are ignored.

:func:`drivers_from_orders` derives ``price`` and ``promotion`` per SKU and day from the All
Orders report when the seller gives no plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from opsanalysis import marketplaces
from opsanalysis.io import is_cancelled, is_marketplace_sale

#: Driver value columns of the drivers frame and their meaning [unit].
DRIVER_COLUMNS = {
    "price": "selling price [currency per unit], > 0",
    "promotion": "coupon, deal or promotion running: 0 or 1",
    "ad_budget": "advertising budget [currency per period], >= 0",
}
#: Key columns of the drivers frame.
KEY_COLUMNS = ("ds", "unique_id", "marketplace")


@dataclass
class Drivers:
    """Driver matrices aligned to a panel's grid plus the forecast horizon.

    Attributes
    ----------
    values : dict of str -> numpy.ndarray
        Driver name -> float matrix (series x (grid periods + horizon)); NaN = unknown.
    settings : dict
        params ``events.drivers`` (effect estimation of the event-aware classical path).
    cache : dict
        Estimated effects per panel cut (filled by :mod:`._events`).
    """

    values: dict
    settings: dict
    cache: dict = field(default_factory=dict, repr=False)

    def subset(self, rows) -> Drivers:
        """The drivers of the series at ``rows`` (indices or boolean mask)."""
        return Drivers({k: v[rows] for k, v in self.values.items()}, self.settings)


def _bad(message: str) -> ValueError:
    return ValueError(f"drivers: {message}")


def _rows_named(mask: np.ndarray) -> str:
    rows = np.flatnonzero(mask)
    shown = ", ".join(str(r) for r in rows[:5])
    return f"row{'s' if len(rows) > 1 else ''} {shown}{' ...' if len(rows) > 5 else ''}"


def _key_text(column: pd.Series) -> pd.Series:
    """Text key column with empty cells as ``None``."""
    text = column.astype("string").str.strip()
    return text.mask(text == "").astype(object).where(text.notna(), None)


def check_drivers(drivers: pd.DataFrame) -> pd.DataFrame:
    """Validate a drivers frame (module docstring) and return it in canonical form.

    Parameters
    ----------
    drivers : pandas.DataFrame
        ``ds``, optional ``unique_id`` and ``marketplace``, and at least one of ``price``
        [currency per unit], ``promotion`` [0/1], ``ad_budget`` [currency per period].

    Returns
    -------
    pandas.DataFrame
        ``ds`` (naive dates), ``unique_id``, ``marketplace`` (text or None) and the driver
        columns given (float), positional index.

    Raises
    ------
    ValueError
        Naming the column, the rows and what was expected.
    """
    if not isinstance(drivers, pd.DataFrame):
        raise _bad(f"expected a pandas DataFrame, got {type(drivers).__name__}")
    unknown = [c for c in drivers.columns if c not in KEY_COLUMNS and c not in DRIVER_COLUMNS]
    if unknown:
        raise _bad(f"unknown column(s) {unknown}; expected ds, optional unique_id and marketplace,"
                   f" and driver columns {list(DRIVER_COLUMNS)}")
    if "ds" not in drivers:
        raise _bad("column 'ds' is missing; expected the date of each row")
    given = [c for c in DRIVER_COLUMNS if c in drivers]
    if not given:
        raise _bad(f"no driver column; expected at least one of {list(DRIVER_COLUMNS)}")
    frame = drivers.reset_index(drop=True)
    ds = pd.to_datetime(frame["ds"], errors="coerce")
    if ds.isna().any():
        raise _bad(f"column 'ds', {_rows_named(ds.isna().to_numpy())}: expected a date, got "
                   f"{frame['ds'][ds.isna()].iloc[0]!r}")
    if getattr(ds.dt, "tz", None) is not None:
        ds = ds.dt.tz_localize(None)
    if (ds != ds.dt.normalize()).any():
        raise _bad(f"column 'ds', {_rows_named((ds != ds.dt.normalize()).to_numpy())}: expected"
                   " calendar dates without a time of day")
    out = pd.DataFrame({"ds": ds.astype("datetime64[ns]")})
    for key in ("unique_id", "marketplace"):
        out[key] = _key_text(frame[key]) if key in frame else None
    if "marketplace" in frame:
        out["marketplace"] = out["marketplace"].map(
            lambda code: None if code is None else str(code).upper())
    for column in given:
        raw = frame[column]
        if column == "promotion" and raw.dtype == bool:
            raw = raw.astype(float)
        values = pd.to_numeric(raw.astype(object).where(raw.notna(), np.nan), errors="coerce")
        unparsed = values.isna() & raw.notna()
        if unparsed.any():
            raise _bad(f"column '{column}', {_rows_named(unparsed.to_numpy())}: expected "
                       f"{DRIVER_COLUMNS[column]}, got {raw[unparsed].iloc[0]!r}")
        values = values.astype(float)
        invalid = {"price": values <= 0, "ad_budget": values < 0,
                   "promotion": ~values.isin([0.0, 1.0])}[column] & values.notna()
        if invalid.any():
            raise _bad(f"column '{column}', {_rows_named(invalid.to_numpy())}: expected "
                       f"{DRIVER_COLUMNS[column]}, got {values[invalid].iloc[0]!r}")
        out[column] = values
    scope = out["unique_id"].fillna("") + "|" + out["marketplace"].fillna("")
    repeated = pd.DataFrame({"scope": scope, "ds": out["ds"]}).duplicated(keep=False)
    if repeated.any():
        first = np.flatnonzero(repeated.to_numpy())[0]
        raise _bad(f"{_rows_named(repeated.to_numpy())} repeat the same date and scope "
                   f"(unique_id {out['unique_id'][first]!r}, marketplace "
                   f"{out['marketplace'][first]!r}, ds {out['ds'][first].date()}); expected one"
                   " row per date and scope")
    return out


def _marketplace_of(ids) -> np.ndarray:
    """Marketplace code from ``unique_id`` = "<MP>:<sku>" ("" when there is no prefix)."""
    return np.array([str(uid).split(":", 1)[0].upper() if ":" in str(uid) else ""
                     for uid in ids])


def align_drivers(drivers: pd.DataFrame, ids, dates: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Driver matrices (series x dates) of a checked drivers frame (module docstring rules).

    Parameters
    ----------
    drivers : pandas.DataFrame
        Output of :func:`check_drivers`.
    ids : array-like of str
        Series identifiers (the panel's ``unique_id``), in panel order.
    dates : pandas.DatetimeIndex
        The regular grid: history dates followed by the forecast dates.

    Returns
    -------
    dict of str -> numpy.ndarray
        One float matrix per driver column given; NaN = unknown (no price yet, no ad budget).

    Raises
    ------
    ValueError
        When a date inside the grid's span is off the grid, or when no per-series row names a
        series of the panel (an identifier format mismatch, e.g. "US:SKU1" against "SKU1").
    """
    ids = np.asarray(ids, dtype=object)
    dates = pd.DatetimeIndex(dates)
    n_series, n_dates = len(ids), len(dates)
    pos = dates.get_indexer(drivers["ds"])
    inside = (drivers["ds"] >= dates[0]) & (drivers["ds"] <= dates[-1])
    off_grid = inside.to_numpy() & (pos < 0)
    if off_grid.any():
        step = dates.freqstr if dates.freq is not None else "history's"
        raise _bad(f"column 'ds', {_rows_named(off_grid)}: date "
                   f"{drivers['ds'][off_grid].iloc[0].date()} is not on the {step} grid of the "
                   "history; expected the history's period dates")
    before = (drivers["ds"] < dates[0]).to_numpy()
    pos = np.where(before, 0, pos)
    used = (pos >= 0)
    row_of = {uid: i for i, uid in enumerate(ids)}
    market = _marketplace_of(ids)
    per_series = drivers["unique_id"].notna().to_numpy()
    if per_series.any():
        known = drivers["unique_id"][per_series].map(lambda u: u in row_of)
        if not known.any():
            raise _bad(f"no unique_id of the drivers ({drivers['unique_id'][per_series].iloc[0]!r}"
                       " ...) is a series of the history (e.g. "
                       f"{ids[0] if n_series else 'none'!r}); expected the history's unique_id")
    by_market = ~per_series & drivers["marketplace"].notna().to_numpy()
    every = ~per_series & ~by_market
    # order of writing: all-series rows, then marketplace rows, then per-series rows (the most
    # specific row of a date wins); rows dated before the grid first, in date order
    order = np.lexsort((drivers["ds"].to_numpy(), np.where(every, 0, np.where(by_market, 1, 2))))
    out = {}
    for column in (c for c in DRIVER_COLUMNS if c in drivers):
        matrix = np.full((n_series, n_dates), np.nan)
        values = drivers[column].to_numpy(dtype=float)
        for r in order:
            if not used[r] or np.isnan(values[r]):
                continue
            if per_series[r]:
                i = row_of.get(drivers["unique_id"].iat[r])
                if i is not None:
                    matrix[i, pos[r]] = values[r]
            elif by_market[r]:
                matrix[market == drivers["marketplace"].iat[r], pos[r]] = values[r]
            else:
                matrix[:, pos[r]] = values[r]
        if column == "promotion":
            matrix = np.nan_to_num(matrix, nan=0.0)
        else:
            matrix = _carry_forward(matrix)
            if column == "price":
                matrix = _carry_forward(matrix[:, ::-1])[:, ::-1]
        out[column] = matrix
    return out


def _carry_forward(matrix: np.ndarray) -> np.ndarray:
    """Each NaN cell takes the last known value to its left in its row (NaN before the first)."""
    index = np.where(np.isnan(matrix), 0, np.arange(matrix.shape[1])[None, :])
    np.maximum.accumulate(index, axis=1, out=index)
    filled = np.take_along_axis(matrix, index, axis=1)
    return filled


def attach_drivers(panel, drivers: pd.DataFrame | None, horizon: int, settings: dict | None):
    """The panel with its :class:`Drivers` aligned over its grid plus ``horizon`` periods.

    ``drivers`` None returns the panel unchanged (no driver features, no adjustment).
    ``settings`` is params ``events.drivers``.
    """
    if drivers is None:
        return panel
    if not isinstance(settings, dict):
        raise ValueError("drivers need params with the events section (params 'events.drivers'):"
                         " pass params=opsanalysis.params.load(marketplace)")
    checked = check_drivers(drivers)
    dates = panel.dates.append(panel.future_dates(horizon))
    return panel.with_drivers(Drivers(align_drivers(checked, panel.ids, dates), settings))


def _promoted(ids: pd.Series, ignore) -> pd.Series:
    """True where a ``promotion_ids`` cell names a promotion other than ``ignore`` patterns."""
    text = ids.astype("string").fillna("").str.strip()
    if text.eq("").all():
        return pd.Series(False, index=ids.index)
    words = [str(w).lower() for w in ignore]

    def counts(cell: str) -> bool:
        parts = [p.strip() for p in cell.split(",") if p.strip()]
        return any(not any(w in p.lower() for w in words) for p in parts)

    return text.map(counts).astype(bool)


def drivers_from_orders(orders: pd.DataFrame, marketplace: str | None = None, *,
                        settings: dict) -> pd.DataFrame:
    """Price and promotion per SKU and day from the All Orders report (no plan given).

    A day's ``price`` is the SKU's item price per unit, sum of ``item_price`` over sum of
    ``quantity`` of its priced sale lines (cancelled lines, other channels -- multi-channel
    fulfilment, removals -- and lines without a price are left out; VAT included where Amazon
    includes it). ``promotion`` is 1 when at least ``promotion_min_unit_share`` of the day's
    units carry a promotion id that is not ignored (``promotion_ignore``: Amazon writes its
    free-shipping promotion on most orders; it is no deal) or an ``item_promotion_discount``
    above zero, else 0. Days without a priced sale have no row: :func:`align_drivers` carries
    the last price forward.

    Parameters
    ----------
    orders : pandas.DataFrame
        Canonical ``all_orders`` frame: ``purchase_date``, ``order_status``, ``sku``,
        ``quantity``, ``item_price`` [currency per line]; optional ``sales_channel``,
        ``promotion_ids``, ``item_promotion_discount`` [currency].
    marketplace : str, optional
        Marketplace code (time zone of the dates and the "<MP>:" prefix of ``unique_id``);
        default ``orders.attrs["marketplace"]``.
    settings : dict
        params ``events.drivers``: ``promotion_ignore`` (text patterns, case-insensitive),
        ``promotion_min_unit_share`` [fraction].

    Returns
    -------
    pandas.DataFrame
        Drivers frame ``unique_id`` ("<MP>:<sku>", as :func:`opsanalysis.demand.build_panel`),
        ``marketplace``, ``ds`` (local date), ``price`` [currency per unit], ``promotion``
        (0/1), sorted by ``unique_id, ds``.
    """
    code = marketplace or orders.attrs.get("marketplace")
    if not code:
        raise ValueError("marketplace is required (orders.attrs has no 'marketplace')")
    mp = marketplaces.get(code)
    missing = [c for c in ("purchase_date", "order_status", "sku", "quantity", "item_price")
               if c not in orders]
    if missing:
        raise ValueError(f"all_orders lacks column(s) {missing}; expected the canonical All "
                         "Orders frame (purchase_date, order_status, sku, quantity, item_price)")
    live = ~is_cancelled(orders).to_numpy(dtype=bool)
    sale = (is_marketplace_sale(orders).fillna(True).to_numpy(dtype=bool)
            if "sales_channel" in orders else np.ones(len(orders), dtype=bool))
    quantity = pd.to_numeric(orders["quantity"], errors="coerce").astype(float)
    price = pd.to_numeric(orders["item_price"], errors="coerce").astype(float)
    keep = live & sale & (quantity > 0).to_numpy() & \
        (price > 0).to_numpy()
    # rows chosen on the whole frame, then only the columns used are copied
    lines = orders.loc[keep, [c for c in ("purchase_date", "sku", "promotion_ids",
                                          "item_promotion_discount") if c in orders]]
    stamps = pd.to_datetime(lines["purchase_date"])
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert(mp.timezone).dt.tz_localize(None)
    promoted = _promoted(lines["promotion_ids"], settings["promotion_ignore"]) \
        if "promotion_ids" in lines else pd.Series(False, index=lines.index)
    if "item_promotion_discount" in lines:
        discount = pd.to_numeric(lines["item_promotion_discount"], errors="coerce").abs()
        promoted = promoted | (discount > 0)
    q = quantity[keep]
    frame = pd.DataFrame({
        "sku": lines["sku"].astype(str).array, "ds": stamps.dt.normalize().to_numpy(),
        "revenue": price[keep].to_numpy(), "units": q.to_numpy(),
        "promoted_units": np.where(promoted.to_numpy(), q.to_numpy(), 0.0)})
    daily = frame.groupby(["sku", "ds"], as_index=False)[["revenue", "units",
                                                           "promoted_units"]].sum()
    share = daily["promoted_units"] / daily["units"]
    out = pd.DataFrame({
        "unique_id": f"{mp.code}:" + daily["sku"], "marketplace": mp.code,
        "ds": daily["ds"].astype("datetime64[ns]"),
        "price": daily["revenue"] / daily["units"],
        "promotion": (share >= settings["promotion_min_unit_share"]).astype(float),
    })
    return out.sort_values(["unique_id", "ds"]).reset_index(drop=True)

"""Landed unit margin per SKU and freight mode: what one unit earns once it is at Amazon and sold.

unit_margin = price ex VAT - referral fee - FBA fee - product cost - head-haul freight - duty -
EPR fee - storage, each per unit in the marketplace currency:

- the price ex VAT is the listed price / (1 + ``fees.vat_rate``): VAT, GST or consumption tax
  where the marketplace's prices include it (EU, UK, JP, AU, SG ...; 0 in the US and CA);

- the product cost is converted from its purchase currency at the dated rate of params
  ``opportunity.fx_rates`` (purchase currency per marketplace currency);
- head-haul freight is the item weight x the per-kg rate of the freight mode (params
  ``opportunity.head_haul_freight``), converted the same way;
- duty is ``opportunity.duty_rate`` x the customs value (cost, plus freight where
  ``duty_includes_freight``);
- the EPR fee is ``fees.epr_fee_per_item`` [currency per unit sold]: Japan's EPR handling fee;
  0 where the marketplace charges none per item (each ``params/<MP>.yaml`` says why in
  ``fees.sources.epr_fee_per_item``);
- storage is the item volume x the monthly FBA storage rate of the fee table in force
  (:mod:`opsanalysis.fees`), blended over peak and off-peak months, x
  ``opportunity.storage_months_held``.

An input that is unknown (no price, no rate, no fee table ...) is never counted as 0: the margin
is NaN and ``not_estimated_reason`` says what is missing (issue 15, "missing is not zero").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsanalysis import fees
from opsanalysis.frames import as_float, safe_divide

__all__ = ["REASON_COLUMN", "landed_margins", "loss_making_skus", "margins_by_mode",
           "profitable_mode"]

#: Column naming, per row, the inputs that are unknown; empty when every figure is estimated.
REASON_COLUMN = "not_estimated_reason"
COST_COLUMNS = ("referral_fee", "fba_fee", "purchase_cost", "head_haul_freight", "duty", "epr_fee",
                "storage")
#: The per-unit costs of getting a unit to the customer outside Amazon's fees [currency].
LANDED_COLUMNS = ("purchase_cost", "head_haul_freight", "duty", "epr_fee")


def _column(products, name, default=np.nan) -> pd.Series:
    if name in products:
        return products[name]
    return pd.Series(default, index=products.index)


def _per_marketplace_unit(fx_rates, currency, marketplace_currency) -> float:
    """Marketplace currency per unit of ``currency`` (params state the inverse); NaN if unknown."""
    if currency == marketplace_currency:
        return 1.0
    entry = (fx_rates or {}).get(currency)
    rate = entry.get("rate") if isinstance(entry, dict) else entry
    return 1.0 / float(rate) if rate else np.nan


def _reasons(table, checks) -> pd.Series:
    """'; '-joined text of every (mask, reason) that applies to a row."""
    reasons = pd.Series("", index=table.index, dtype=object)
    for mask, text in checks:
        mask = pd.Series(np.asarray(mask, dtype=bool), index=table.index)
        add = text if isinstance(text, pd.Series) else pd.Series(text, index=table.index)
        reasons = reasons.where(~mask, reasons.str.cat(add, sep="; ").str.strip("; "))
    return reasons


def _storage(products, params, as_of):
    """Storage fee per unit held ``opportunity.storage_months_held`` months [currency], and the
    reason it is unknown (no fee table in force, no volume)."""
    schedule = fees.fee_schedule(params, as_of)
    volume = as_float(_column(products, "item_volume_cuft"))
    kinds = _column(products, "storage_type", params["replenishment"]["storage_type"])
    kinds = kinds.fillna(params["replenishment"]["storage_type"]).astype(str).str.lower()
    peak_months = list((schedule or {}).get("peak_storage_months")
                       or params["fees"]["peak_storage_months"])
    off_month = next(m for m in range(1, 13) if m not in peak_months)
    off = fees.storage_rate(schedule, kinds.to_numpy(), np.full(len(products), off_month))
    peak = fees.storage_rate(schedule, kinds.to_numpy(), np.full(len(products), peak_months[0]))
    share = len(peak_months) / 12.0
    blended = (1.0 - share) * off + share * peak
    storage = volume.to_numpy() * blended * params["opportunity"]["storage_months_held"]
    no_table = np.isnan(blended)
    table_text = (f"no FBA storage fee table for {params['marketplace']} on "
                  f"{pd.Timestamp(as_of):%Y-%m-%d}")
    return storage, [(no_table, table_text), (~no_table & volume.isna().to_numpy(),
                                              "no item volume")]


def landed_margins(products, params, as_of, modes=None) -> pd.DataFrame:
    """Landed unit margin per SKU, at its own freight mode or at each of ``modes``.

    Parameters
    ----------
    products : DataFrame
        Canonical product master: ``sku``, ``price`` (as listed, VAT included where the
        marketplace charges it) [currency], ``unit_cost`` [purchase currency], ``cost_currency``,
        ``fba_fee`` [currency], ``referral_fee_rate`` [fraction], ``item_weight_kg`` [kg],
        ``item_volume_cuft`` [cubic feet], ``storage_type``, ``freight_mode``.
    params : dict
        Loaded params (:func:`opsanalysis.params.load`): ``marketplace``, ``currency``,
        ``fees`` (``vat_rate``, ``referral_fee_rate`` where the product master has none,
        ``epr_fee_per_item``, the storage fee tables), ``opportunity`` (``fx_rates``, ``head_haul_freight``,
        ``duty_rate``, ``duty_includes_freight``, ``storage_months_held``),
        ``lead_time.freight_mode`` (the mode of a SKU without one) and
        ``replenishment.storage_type``.
    as_of : date-like
        Date of the storage fee table used.
    modes : list of str, optional
        Freight modes to price ("sea", "air", "express"): one row per SKU and mode. Default:
        one row per SKU at its product-master mode.

    Returns
    -------
    DataFrame
        sku, freight_mode, currency, price, vat, price_ex_vat, referral_fee, fba_fee,
        purchase_cost_original [purchase currency], purchase_currency, fx_rate [purchase
        currency per marketplace currency], fx_date, purchase_cost, head_haul_freight, duty,
        epr_fee, storage, landed_cost (purchase cost + freight + duty + EPR fee), unit_margin
        [currency],
        margin_rate (unit_margin / price ex VAT) [fraction], ``not_estimated_reason`` (text; ""
        when every input is known). A cost whose input is unknown, and the margin, are NaN.
    """
    settings, currency = params["opportunity"], params["currency"]
    products = products.reset_index(drop=True)
    own = _column(products, "freight_mode", None).fillna(params["lead_time"]["freight_mode"])
    if modes is None:
        rows, mode = products, own.astype(str)
    else:
        rows = products.loc[np.repeat(products.index, len(modes))].reset_index(drop=True)
        mode = pd.Series(list(modes) * len(products), dtype=object)
    table = _fees_part(rows, params)
    table.insert(1, "freight_mode", mode.to_numpy())
    cost_currency = _column(rows, "cost_currency", currency).fillna(currency).astype(str)
    fx = cost_currency.map(lambda c: _per_marketplace_unit(settings["fx_rates"], c, currency))
    entries = settings["fx_rates"] or {}
    table["purchase_cost_original"] = as_float(_column(rows, "unit_cost")).to_numpy()
    table["purchase_currency"] = cost_currency.to_numpy()
    table["fx_rate"] = (1.0 / fx).where(cost_currency != currency).to_numpy()
    table["fx_date"] = cost_currency.map(
        lambda c: str((entries.get(c) or {}).get("date", "")) if isinstance(entries.get(c), dict)
        else "").to_numpy()
    table["purchase_cost"] = table["purchase_cost_original"] * fx.to_numpy()
    freight = settings["head_haul_freight"]
    per_kg = mode.map(lambda m: freight["per_kg"].get(m, np.nan)).astype("float64")
    freight_fx = _per_marketplace_unit(settings["fx_rates"], freight["currency"], currency)
    weight = as_float(_column(rows, "item_weight_kg"))
    table["head_haul_freight"] = (weight * per_kg * freight_fx).to_numpy()
    customs = table["purchase_cost"] + (table["head_haul_freight"]
                                        if settings["duty_includes_freight"] else 0.0)
    table["duty"] = float(settings["duty_rate"]) * customs
    table["epr_fee"] = float(params["fees"]["epr_fee_per_item"])
    storage, storage_reasons = _storage(rows, params, as_of)
    table["storage"] = storage
    table["landed_cost"] = table[list(LANDED_COLUMNS)].sum(axis=1, min_count=len(LANDED_COLUMNS))
    table["unit_margin"] = table["price_ex_vat"] - table[list(COST_COLUMNS)].sum(
        axis=1, min_count=len(COST_COLUMNS))
    table["margin_rate"] = safe_divide(table["unit_margin"], table["price_ex_vat"])
    missing_rate = [(fx.isna().to_numpy(), "no " + cost_currency + " rate in params "
                     "opportunity.fx_rates")] if fx.isna().any() else []
    checks = [(table["price"].isna(), "no price"), (table["fba_fee"].isna(), "no FBA fee"),
              (table["purchase_cost_original"].isna(), "no unit cost"), *missing_rate,
              (weight.isna().to_numpy(), "no item weight"),
              (per_kg.isna().to_numpy(), "no head-haul rate for " + mode.astype(str)),
              (np.full(len(table), np.isnan(freight_fx)),
               f"no {freight['currency']} rate in params opportunity.fx_rates"),
              *storage_reasons]
    table[REASON_COLUMN] = _reasons(table, checks).to_numpy()
    return table


def _fees_part(rows, params) -> pd.DataFrame:
    """sku, currency, price, vat, price_ex_vat, referral_fee, fba_fee of each row."""
    table = pd.DataFrame({"sku": rows["sku"].to_numpy()})
    table["currency"] = params["currency"]
    price = as_float(_column(rows, "price")).to_numpy()
    table["price"] = price
    table["price_ex_vat"] = price / (1.0 + float(params["fees"]["vat_rate"]))
    table["vat"] = table["price"] - table["price_ex_vat"]
    rate = as_float(_column(rows, "referral_fee_rate")).fillna(
        float(params["fees"]["referral_fee_rate"]))
    # Amazon charges the referral fee on the total sales price, VAT included
    table["referral_fee"] = rate.to_numpy() * price
    table["fba_fee"] = as_float(_column(rows, "fba_fee")).to_numpy()
    return table


def margins_by_mode(products, params, as_of) -> pd.DataFrame:
    """Landed unit margin of every SKU at every freight mode of ``lead_time.freight_days``.

    Returns
    -------
    DataFrame
        Indexed by sku, one column per mode [currency]; NaN where not estimated.
    """
    if products is None or len(products) == 0:
        return pd.DataFrame(columns=list(params["lead_time"]["freight_days"]))
    long = landed_margins(products, params, as_of, modes=list(params["lead_time"]["freight_days"]))
    return long.pivot_table(index="sku", columns="freight_mode", values="unit_margin",
                            aggfunc="last", dropna=False)


def profitable_mode(mode, margins, lead_times) -> pd.DataFrame:
    """Replace a freight mode that loses money by the fastest mode that makes money.

    A mode with a negative landed margin is never kept while another mode's margin is positive
    (issue 15.4); SKUs that lose money by every mode keep their mode and are flagged.

    Parameters
    ----------
    mode : Series
        Chosen freight mode per SKU (index sku).
    margins : DataFrame
        From :func:`margins_by_mode` (index sku, one column per mode) [currency].
    lead_times : DataFrame
        Index sku, columns ``lead_time_<mode>`` [days] (:func:`opsanalysis.replenishment.
        lead_time_legs`): among profitable modes the fastest is taken.

    Returns
    -------
    DataFrame
        Index sku: ``freight_mode``, ``landed_unit_margin`` (of that mode) [currency],
        ``loses_money_every_mode`` (bool: every mode's margin is known and negative),
        ``mode_changed_for_margin`` (bool).
    """
    margins = margins.reindex(index=mode.index)
    chosen = mode.copy()
    now = pd.Series([margins.at[s, m] if m in margins else np.nan for s, m in mode.items()],
                    index=mode.index, dtype="float64")
    for sku in mode.index[(now < 0).to_numpy()]:
        positive = [m for m in margins if margins.at[sku, m] > 0]
        if positive:
            chosen[sku] = min(positive, key=lambda m: lead_times.at[sku, f"lead_time_{m}"])
    margin = pd.Series([margins.at[s, m] if m in margins else np.nan
                        for s, m in chosen.items()], index=mode.index, dtype="float64")
    every = margins.notna().all(axis=1) & (margins < 0).all(axis=1) & (margins.shape[1] > 0)
    return pd.DataFrame({"freight_mode": chosen, "landed_unit_margin": margin,
                         "loses_money_every_mode": every.to_numpy(),
                         "mode_changed_for_margin": (chosen != mode).to_numpy()},
                        index=mode.index)


def loss_making_skus(products, params, as_of) -> pd.DataFrame:
    """SKUs with a negative landed margin at their own freight mode, worst first.

    Returns
    -------
    DataFrame
        sku, title, category, freight_mode, price, head_haul_freight, unit_margin [currency],
        margin_rate [fraction], ``margin_<mode>`` per freight mode [currency],
        loses_money_every_mode (bool), currency. Empty when no SKU loses money; SKUs whose
        margin is not estimated are left out (they appear as "not estimated" elsewhere).
    """
    own = landed_margins(products, params, as_of)
    by_mode = margins_by_mode(products, params, as_of)
    losing = own[own["unit_margin"] < 0].set_index("sku")
    table = losing[["freight_mode", "price", "head_haul_freight", "unit_margin", "margin_rate",
                    "currency"]].copy()
    for name in ("category", "title"):
        if name in products:
            table.insert(0, name, products.drop_duplicates("sku").set_index("sku")[name]
                         .reindex(table.index))
    for mode in by_mode:
        table[f"margin_{mode}"] = by_mode[mode].reindex(table.index)
    modes = by_mode.reindex(table.index)
    table["loses_money_every_mode"] = modes.notna().all(axis=1) & (modes < 0).all(axis=1)
    return table.sort_values("margin_rate").reset_index()

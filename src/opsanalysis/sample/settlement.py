"""The sample seller's settlements: what Amazon paid out every fortnight, as amounts.

Simulated after the rest of the world from its own random stream (``[seed, marketplace, 19]``),
so adding it moved no other sample file. Amazon settles an FBA seller every 14 days: each
settlement holds, per shipped order item, the principal (VAT included where the marketplace
charges VAT; in the US the sales tax and its marketplace-facilitator withholding, which cancel),
the referral fee (``Commission``, on the price with VAT) and the FBA fulfilment fee; per refund
(the customer returns of the world) the principal back, the commission credited back and the
refund administration fee kept; the cost of advertising of the period; the monthly storage fee
and subscription; and the DD+7 reserve (Amazon holds the proceeds of the last seven days and pays
them with the next settlement). Multi-Channel Fulfilment orders are left out.

Planted: one shipped order item that no settlement holds (``unsettled_order_id``), and one SKU
that a re-measurement put in a larger size tier: it is charged a higher FBA fee than the product
master says and loses money by actual profit (``settlement_loss_sku``), though its landed margin
on paper is positive.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd

from opsanalysis import marketplaces
from opsanalysis.sample.world import (
    AD_DAYS,
    AS_OF,
    CNY_PER_UNIT,
    HEAD_HAUL_CNY_PER_KG,
    MARKETPLACE_SETUP,
    SAMPLE_MARKETPLACES,
)

__all__ = ["SETTLEMENTS", "SETTLEMENT_DAYS", "add_settlements", "simulate_settlements",
           "write_settlements"]

SETTLEMENT_DAYS = 14  # Amazon's settlement cycle [days]
SETTLEMENTS = 8  # closed settlements written: about four months
LAST_END = AS_OF - pd.Timedelta(days=2)  # the open settlement holds the last two days
DEPOSIT_DAYS = 2  # Amazon starts the transfer this many days after a settlement closes [days]
RESERVE_DAYS = 7  # DD+7: the proceeds of the last seven days are held to the next settlement
REFUND_ADMIN_SHARE = 0.20  # refund administration fee: 20 % of the commission ...
REFUND_ADMIN_MAX = 5.00  # ... at most 5.00 (scaled like prices)
# Professional selling plan per month [minor units], Amazon's published prices (AU A$49.95 and
# SG S$29.95 as sellers' guides quote them, not re-checked 2026-12)
SUBSCRIPTION_MINOR = {"US": 3999, "UK": 2500, "DE": 3900, "JP": 4900, "AU": 4995, "SG": 2995}
# Monthly FBA storage [USD per cubic foot, scaled like prices]: US standard size 2024,
# January–September and October–December (rules-of-thumb, Q4 storage)
STORAGE_PER_CUFT_MONTH = {"off": 0.78, "peak": 2.40}
PEAK_MONTHS = (10, 11, 12)
STORAGE_POSTED_DAY = 8  # a month's storage is charged around the 8th of the next month
OVERCHARGED_MARGIN = -0.15  # actual margin of the re-measured SKU [fraction of the net price]
STREAM = 19


def _stamp(timestamps) -> pd.Series:
    return pd.Series(timestamps).dt.tz_convert("UTC").dt.strftime("%Y-%m-%d %H:%M:%S UTC")


def _boundaries(tz):
    """Settlement boundaries (local midnight), first start to last end."""
    days = [LAST_END - pd.Timedelta(days=SETTLEMENT_DAYS * k) for k in range(SETTLEMENTS, -1, -1)]
    return pd.DatetimeIndex(days).tz_localize(tz)


def _overcharge(products, setup, mp, sku) -> float:
    """FBA fee per unit added for ``sku`` so its actual margin is OVERCHARGED_MARGIN."""
    row = products.set_index("sku").loc[sku]
    net = row["price"] / (1 + setup["vat"])
    fx = CNY_PER_UNIT[mp]
    margin = (net - row["referral_fee_rate"] * row["price"] - row["fba_fee"]
              - row["unit_cost"] / fx - HEAD_HAUL_CNY_PER_KG[row["freight_mode"]]
              * row["item_weight_kg"] / fx)
    return float(margin - OVERCHARGED_MARGIN * net)


def _pick(world, mp, setup):
    """The planted SKU: of the five best sellers nothing else is planted on, the one whose
    margin a larger size tier wipes out with the smallest fee increase."""
    planted = world.planted[mp]
    taken = {planted[k] for k in ("stockout_sku", "stockout_risk_sku", "overstock_sku",
                                  "loss_making_sku", "lagging_launch_sku")}
    taken |= set(planted["intermittent_skus"])
    taken |= {planted[k] for k in ("stranded_sku", "suppressed_listing_sku") if k in planted}
    products = world.frame("products", mp)
    units = world.frame("demand", mp).groupby("sku")["units_sold"].sum()
    candidates = products[(products["role"] == "established") & ~products["sku"].isin(taken)]
    best = units.reindex(candidates["sku"]).sort_values(ascending=False).index[:5]
    return min(best, key=lambda sku: _overcharge(products, setup, mp, sku))


def _order_rows(orders, products, mp, overcharged, extra_fee):
    """Amounts of shipped Amazon order items: principal, (US) tax, commission, FBA fee."""
    minor = orders["minor_unit"].to_numpy()
    price = orders["item_price_minor"].to_numpy() / minor
    rate = orders["sku"].map(products.set_index("sku")["referral_fee_rate"]).to_numpy()
    fee = orders["sku"].map(products.set_index("sku")["fba_fee"]).to_numpy(dtype=float)
    fee = np.where(orders["sku"] == overcharged, fee + extra_fee, fee)
    digits = 0 if minor[0] == 1 else 2
    quantity = orders["quantity"].to_numpy()
    parts = [("ItemPrice", "Principal", price),
             ("ItemFees", "Commission", -np.round(rate * price, digits)),
             ("ItemFees", "FBAPerUnitFulfillmentFee", -np.round(fee, digits) * quantity)]
    if MARKETPLACE_SETUP[mp]["vat"] == 0:
        tax = orders["item_tax_minor"].to_numpy() / minor
        parts[1:1] = [("ItemPrice", "Tax", tax),
                      ("ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", -tax)]
    frames = []
    for order, (kind, description, amount) in enumerate(parts):
        frames.append(pd.DataFrame({
            "transaction_type": "Order", "order_id": orders["amazon_order_id"].to_numpy(),
            "amount_type": kind, "amount_description": description, "amount": amount,
            "posted": orders["last_updated_date"].to_numpy(), "sku": orders["sku"].to_numpy(),
            "quantity": np.where(description == "Principal", quantity, 0),
            "item": orders["order_item_id"].to_numpy(), "part": order}))
    return pd.concat(frames, ignore_index=True)


def _refund_rows(returns, orders, products, setup):
    """Amounts of refunds (customer returns): principal back, commission back, admin fee."""
    items = orders.set_index(["amazon_order_id", "sku"])
    key = pd.MultiIndex.from_arrays([returns["order_id"], returns["sku"]])
    found = key.isin(items.index)
    returns, key = returns[found], key[found]
    item = items.loc[key]
    minor = item["minor_unit"].to_numpy()
    digits = 0 if minor[0] == 1 else 2
    unit = item["item_price_minor"].to_numpy() / minor / item["quantity"].to_numpy()
    price = np.round(unit * returns["quantity"].to_numpy(), digits)
    rate = returns["sku"].map(products.set_index("sku")["referral_fee_rate"]).to_numpy()
    commission = np.round(rate * price, digits)
    admin = np.round(np.minimum(REFUND_ADMIN_SHARE * commission,
                                REFUND_ADMIN_MAX * setup["price_scale"]), digits)
    frames = []
    for order, (kind, description, amount) in enumerate(
            [("ItemPrice", "Principal", -price), ("ItemFees", "Commission", commission),
             ("ItemFees", "RefundCommission", -admin)]):
        frames.append(pd.DataFrame({
            "transaction_type": "Refund", "order_id": returns["order_id"].to_numpy(),
            "amount_type": kind, "amount_description": description, "amount": amount,
            "posted": returns["return_date"].to_numpy(), "sku": returns["sku"].to_numpy(),
            "quantity": np.where(description == "Principal", returns["quantity"], 0),
            "item": item["order_item_id"].to_numpy(), "part": order}))
    return pd.concat(frames, ignore_index=True)


def _account_rows(world, mp, setup, edges):
    """Advertising per settlement, storage and subscription per month."""
    tz = edges.tz
    minor = 1 if setup["price_scale"] >= 100 else 100
    ads = world.frame("ads", mp)
    daily = ads.groupby("date")["spend_minor"].sum() / minor
    mean = daily.mean()
    rows = []
    for start, end in zip(edges[:-1], edges[1:], strict=True):
        days = pd.date_range(start.tz_localize(None), end.tz_localize(None), inclusive="left")
        # the console keeps AD_DAYS of daily spend; the campaigns ran as long before at the
        # same rate
        spend = daily.reindex(days).fillna(mean if len(days) else 0.0).sum()
        assert len(daily) <= AD_DAYS
        rows.append(("ServiceFee", "Cost of Advertising", "TransactionTotalAmount",
                     -round(spend, 2 if minor == 100 else 0), end - pd.Timedelta(hours=6)))
    demand = world.frame("demand", mp)
    volume = world.frame("products", mp).set_index("sku")["item_volume_cuft"]
    held = demand.assign(cuft=demand["on_hand"] * demand["sku"].map(volume))
    month = held["date"].dt.to_period("M")
    for period, cuft in held.groupby(month)["cuft"].sum().items():
        rate = STORAGE_PER_CUFT_MONTH["peak" if period.month in PEAK_MONTHS else "off"]
        amount = cuft / period.days_in_month * rate * setup["price_scale"]
        posted = (period + 1).to_timestamp() + pd.Timedelta(days=STORAGE_POSTED_DAY - 1, hours=9)
        rows.append(("Storage Fee", "other-transaction", "Storage Fee",
                     -round(amount, 2 if minor == 100 else 0), posted.tz_localize(tz)))
        first = period.to_timestamp() + pd.Timedelta(hours=3)
        rows.append(("Subscription Fee", "other-transaction", "Subscription Fee",
                     -SUBSCRIPTION_MINOR[mp] / minor, first.tz_localize(tz)))
    return pd.DataFrame(rows, columns=["transaction_type", "amount_type", "amount_description",
                                       "amount", "posted"])


def simulate_settlements(world, mp) -> tuple[pd.DataFrame, dict]:
    """The settlement amounts of one marketplace and what was planted in them.

    Parameters
    ----------
    world : World
    mp : str

    Returns
    -------
    rows : DataFrame
        One row per amount: settlement_id, settlement_start_date, settlement_end_date,
        deposit_date (local timestamps), transaction_type, order_id, amount_type,
        amount_description, amount [currency], posted (local timestamp), sku, quantity,
        item (order item code); the summary (``total_amount``) is the sum per settlement.
    planted : dict
        ``unsettled_order_id``, ``settlement_loss_sku``, ``settlement_fba_fee_extra``
        [currency per unit], ``settlement_ends`` (list of local end days).
    """
    setup = MARKETPLACE_SETUP[mp]
    rng = np.random.default_rng([world.seed, SAMPLE_MARKETPLACES.index(mp), STREAM])
    tz = marketplaces.get(mp).timezone
    edges = _boundaries(tz)
    products = world.frame("products", mp)
    orders = world.frame("orders", mp)
    shipped = orders[(orders["channel"] == "amazon") & (orders["item_status"] == "Shipped")]
    sku = str(_pick(world, mp, setup))
    extra = _overcharge(products, setup, mp, sku)
    extra = round(extra) if setup["price_scale"] >= 100 else round(extra, 2)
    returned = set(world.frame("returns", mp)["order_id"])
    due = shipped[(shipped["purchase_date"] >= edges[0]) & (shipped["purchase_date"] < edges[-2])
                  & ~shipped["amazon_order_id"].isin(returned)]
    unsettled = str(due["amazon_order_id"].to_numpy()[rng.integers(0, len(due))])
    amounts = pd.concat([
        _order_rows(shipped[shipped["amazon_order_id"] != unsettled], products, mp, sku, extra),
        _refund_rows(world.frame("returns", mp), shipped, products, setup),
        _account_rows(world, mp, setup, edges)], ignore_index=True)
    amounts = _with_reserves(amounts, edges)
    amounts = _assign(amounts, edges, rng)
    planted = dict(unsettled_order_id=unsettled, settlement_loss_sku=sku,
                   settlement_fba_fee_extra=extra,
                   settlement_ends=[e.tz_localize(None) for e in edges[1:]])
    return amounts, planted


def add_settlements(world) -> None:
    """Add the settlements of every marketplace to ``world``: truth frame ``settlements`` and
    the planted keys of :func:`simulate_settlements` in ``world.planted[MP]``."""
    tables = []
    for mp in world.marketplaces:
        rows, planted = simulate_settlements(world, mp)
        world.planted[mp].update(planted)
        for column in rows.columns:  # one time zone, so marketplaces concatenate
            if isinstance(rows[column].dtype, pd.DatetimeTZDtype):
                rows[column] = rows[column].dt.tz_convert("UTC")
        tables.append(rows.assign(marketplace=mp))
    table = pd.concat(tables, ignore_index=True)
    world.truth["settlements"] = table[["marketplace", *table.columns[:-1]]]


def _with_reserves(amounts, edges):
    """Add each settlement's current reserve and the previous one paid back (DD+7)."""
    orders = amounts[amounts["transaction_type"] == "Order"]
    rows = []
    previous = None
    for start, end in zip(edges[:-1], edges[1:], strict=True):
        window = orders[(orders["posted"] >= end - pd.Timedelta(days=RESERVE_DAYS))
                        & (orders["posted"] < end)]
        if previous is None:  # the reserve the settlement before the sample kept
            before = orders[(orders["posted"] >= start - pd.Timedelta(days=RESERVE_DAYS))
                            & (orders["posted"] < start)]
            previous = round(float(before["amount"].sum()), 2)
        current = round(float(window["amount"].sum()), 2)
        rows.append(("Previous Reserve Amount Balance", previous, start + pd.Timedelta(hours=1)))
        rows.append(("Current Reserve Amount", -current, end - pd.Timedelta(hours=1)))
        previous = current
    reserve = pd.DataFrame(rows, columns=["amount_description", "amount", "posted"])
    reserve["transaction_type"] = "other-transaction"
    reserve["amount_type"] = "other-transaction"
    return pd.concat([amounts, reserve], ignore_index=True)


def _assign(amounts, edges, rng):
    """Keep the amounts posted inside the settlements and give each its settlement."""
    inside = (amounts["posted"] >= edges[0]) & (amounts["posted"] < edges[-1])
    amounts = amounts[inside].copy()
    index = np.searchsorted(edges.asi8, amounts["posted"].dt.tz_convert(edges.tz).array.asi8,
                            side="right") - 1
    ids = np.sort(rng.choice(np.arange(10**10, 10**11 - 1, 7919), size=len(edges) - 1,
                             replace=False))
    amounts["settlement_id"] = [str(x) for x in ids[index]]
    amounts["settlement_start_date"] = edges[index]
    amounts["settlement_end_date"] = edges[index + 1]
    amounts["deposit_date"] = edges[index + 1] + pd.Timedelta(days=DEPOSIT_DAYS)
    amounts["quantity"] = amounts["quantity"].fillna(0).astype(int)
    order = ["settlement_end_date", "posted", "item", "part"]
    return amounts.sort_values(order, kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# The flat files


SETTLEMENT_COLUMNS = ("settlement_id", "settlement_start_date", "settlement_end_date",
                      "deposit_date", "total_amount", "currency", "transaction_type", "order_id",
                      "merchant_order_id", "adjustment_id", "shipment_id", "marketplace_name",
                      "amount_type", "amount_description", "amount", "fulfillment_id",
                      "posted_date", "posted_date_time", "order_item_code",
                      "merchant_order_item_id", "merchant_adjustment_item_id", "sku",
                      "quantity_purchased", "promotion_id")


def _money(values, mp) -> list:
    """Raw settlement amounts: ``29.99``, yen whole, decimal commas in DE files."""
    if mp == "JP":
        return [str(int(round(v))) for v in values]
    text = [f"{v:.2f}" for v in values]
    return [t.replace(".", ",") for t in text] if mp == "DE" else text


def write_settlements(world, mp, folder) -> list:
    """One settlement flat file V2 per closed settlement (TAB, gzip), named by its id and days.

    Parameters
    ----------
    world : World
    mp : str
    folder : Path
        Marketplace folder.

    Returns
    -------
    list of Path
    """
    from opsanalysis.sample.writers import _csv_bytes, _headers, _write_text

    rows = world.frame("settlements", mp)
    market = marketplaces.get(mp)
    header = _headers("settlement_v2", SETTLEMENT_COLUMNS, "en-US")
    written = []
    for settlement_id, block in rows.groupby("settlement_id", sort=False):
        first = block.iloc[0]
        dates = [_stamp([first[c]])[0] for c in ("settlement_start_date",
                                                  "settlement_end_date", "deposit_date")]
        summary = {"settlement_id": settlement_id, "settlement_start_date": dates[0],
                   "settlement_end_date": dates[1], "deposit_date": dates[2],
                   "total_amount": _money([block["amount"].sum()], mp)[0],
                   "currency": market.currency}
        item = block["transaction_type"].isin(["Order", "Refund"]).to_numpy()
        cells = pd.DataFrame({
            "settlement_id": settlement_id, "transaction_type": block["transaction_type"],
            "order_id": block["order_id"].fillna(""),
            "marketplace_name": np.where(item, market.domain.capitalize(), ""),
            "amount_type": block["amount_type"], "amount_description":
                block["amount_description"], "amount": _money(block["amount"], mp),
            "fulfillment_id": np.where(item, "AFN", ""),
            "posted_date": block["posted"].dt.strftime("%Y-%m-%d"),
            "posted_date_time": _stamp(block["posted"]).to_numpy(),
            "order_item_code": block["item"].fillna(""), "sku": block["sku"].fillna(""),
            "quantity_purchased": np.where(block["quantity"] > 0,
                                           block["quantity"].astype(str), "")})
        table = [[summary.get(c, "") for c in SETTLEMENT_COLUMNS]]
        table += cells.reindex(columns=list(SETTLEMENT_COLUMNS), fill_value="").astype(str) \
            .to_numpy().tolist()
        text = _csv_bytes(header, table, delimiter="\t", quoting=csv.QUOTE_NONE, newline="\n")
        start, end = (first["settlement_start_date"], first["settlement_end_date"])
        name = f"Settlement_{settlement_id}_{start:%Y-%m-%d}_{end:%Y-%m-%d}.txt"
        written.append(_write_text(folder / name, text, "utf-8", compress=True))
    return written

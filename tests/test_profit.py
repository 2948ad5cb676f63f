"""Known-answer tests for opsanalysis.profit (landed margins) and opsanalysis.cutoffs."""

import copy

import numpy as np
import pandas as pd
import pytest

from opsanalysis import cutoffs, kpi, profit
from opsanalysis import params as params_module
from opsanalysis.fees import CUBIC_FEET_PER_CUBIC_METRE

# ---------------------------------------------------------------------------------------------
# Landed margin


@pytest.fixture
def product():
    return pd.DataFrame({
        "sku": ["A"], "category": ["Kitchen"], "price": [23.80], "unit_cost": [40.0],
        "cost_currency": ["CNY"], "referral_fee_rate": [0.15], "fba_fee": [4.0],
        "item_volume_cuft": [0.5], "item_weight_kg": [1.0], "storage_type": ["standard"],
        "freight_mode": ["sea"],
    })


def _params(marketplace="DE", **opportunity_settings):
    loaded = copy.deepcopy(params_module.load(marketplace))
    loaded["opportunity"].update({
        "fx_rates": {"CNY": {"rate": 8.0, "date": "2026-11-30"}},
        "head_haul_freight": {"currency": "CNY",
                              "per_kg": {"sea": 10.0, "air": 38.0, "express": 50.0}},
        "duty_rate": 0.05, "duty_includes_freight": True, "storage_months_held": 1.0,
        **opportunity_settings})
    return loaded


# DE: price 23.80 incl. 19 % VAT = 20.00 ex VAT; referral 15 % of 23.80 = 3.57; FBA fee 4.00;
# cost 40 CNY / 8 = 5.00 EUR; storage 0.5 cu ft at the DE table (EUR per m3: 27.82 Jan-Sep,
# 38.52 Oct-Dec, blended 9:3) for one month.
STORAGE_DE = 0.5 * (0.75 * 27.82 + 0.25 * 38.52) / CUBIC_FEET_PER_CUBIC_METRE
HAND = {  # mode: (freight = 1 kg x CNY per kg / 8, duty = 5 % of cost + freight)
    "sea": (10.0 / 8, 0.05 * (5.0 + 1.25)),
    "air": (38.0 / 8, 0.05 * (5.0 + 4.75)),
    "express": (50.0 / 8, 0.05 * (5.0 + 6.25)),
}


@pytest.mark.parametrize("mode", ["sea", "air", "express"])
def test_landed_margin_per_mode_by_hand(product, mode):
    table = profit.landed_margins(product, _params(), "2026-06-01", modes=[mode])
    row = table.iloc[0]
    freight, duty = HAND[mode]
    assert row["freight_mode"] == mode
    assert row["price_ex_vat"] == pytest.approx(20.0)
    assert row["referral_fee"] == pytest.approx(3.57)
    assert row["purchase_cost"] == pytest.approx(5.0) and row["fx_rate"] == 8.0
    assert row["fx_date"] == "2026-11-30"
    assert row["head_haul_freight"] == pytest.approx(freight)
    assert row["duty"] == pytest.approx(duty)
    assert row["storage"] == pytest.approx(STORAGE_DE)
    expected = 20.0 - 3.57 - 4.0 - 5.0 - freight - duty - STORAGE_DE
    assert row["unit_margin"] == pytest.approx(expected)
    assert row["margin_rate"] == pytest.approx(expected / 20.0)
    assert row["not_estimated_reason"] == ""


def test_own_mode_and_every_mode(product):
    own = profit.landed_margins(product, _params(), "2026-06-01")
    assert own["freight_mode"].tolist() == ["sea"]
    wide = profit.margins_by_mode(product, _params(), "2026-06-01")
    sea_margin = 20.0 - 3.57 - 4.0 - 5.0 - 1.25 - 0.3125 - STORAGE_DE
    assert wide.loc["A", "sea"] == pytest.approx(sea_margin)
    assert wide.loc["A", "air"] == pytest.approx(sea_margin - 3.5 - 0.175)


def test_unknown_inputs_are_not_estimated_never_zero(product):
    two = pd.concat([product, product.assign(sku="B", item_weight_kg=np.nan)], ignore_index=True)
    table = profit.landed_margins(two, _params(), "2026-06-01").set_index("sku")
    assert np.isnan(table.loc["B", "head_haul_freight"]) and np.isnan(table.loc["B", "unit_margin"])
    assert table.loc["B", "not_estimated_reason"] == "no item weight"
    assert table.loc["A", "not_estimated_reason"] == ""
    # no storage fee table (NL) and no rate for the cost currency
    table = profit.landed_margins(product, _params("NL", fx_rates={}), "2026-06-01").iloc[0]
    assert np.isnan(table["storage"]) and np.isnan(table["purchase_cost"])
    assert np.isnan(table["unit_margin"]) and np.isnan(table["margin_rate"])
    reason = table["not_estimated_reason"]
    assert "no CNY rate in params opportunity.fx_rates" in reason
    assert "no FBA storage fee table for NL on 2026-06-01" in reason


def test_profitable_mode_never_keeps_a_loss_when_another_mode_pays():
    margins = pd.DataFrame({"sea": [2.0, -1.0, 1.0], "air": [-3.0, -4.0, 0.5],
                            "express": [1.0, -5.0, np.nan]}, index=["A", "B", "C"])
    lead = pd.DataFrame({"lead_time_sea": [70, 70, 70], "lead_time_air": [20, 20, 20],
                         "lead_time_express": [10, 10, 10]}, index=["A", "B", "C"])
    chosen = profit.profitable_mode(pd.Series(["air", "air", "air"], index=["A", "B", "C"]),
                                    margins, lead)
    # A: air loses, sea and express pay: the faster of them (express)
    assert chosen.loc["A", "freight_mode"] == "express" and chosen.loc["A", "mode_changed_for_margin"]
    assert chosen.loc["A", "landed_unit_margin"] == 1.0
    # B loses by every mode: kept and flagged; C's air pays: kept
    assert chosen.loc["B", "freight_mode"] == "air" and chosen.loc["B", "loses_money_every_mode"]
    assert chosen.loc["C", "freight_mode"] == "air" and not chosen.loc["C", "loses_money_every_mode"]
    assert not chosen.loc["A", "loses_money_every_mode"]


def test_loss_making_list(product):
    heavy = product.assign(sku="H", item_weight_kg=4.0, freight_mode="air")
    table = profit.loss_making_skus(pd.concat([product, heavy], ignore_index=True), _params(),
                                    "2026-06-01")
    assert table["sku"].tolist() == ["H"]  # A pays by sea
    row = table.iloc[0]
    assert row["head_haul_freight"] == pytest.approx(4.0 * 38.0 / 8)
    # by sea H still pays: 20 - 3.57 - 4 - 5 - 5 - 0.05 x 10 - storage > 0
    assert row["margin_sea"] == pytest.approx(20 - 3.57 - 4 - 5 - 5 - 0.5 - STORAGE_DE)
    assert row["margin_sea"] > 0 and not row["loses_money_every_mode"]


def test_break_even_acos_deducts_freight_duty_vat_and_storage(product):
    table = kpi.break_even_acos_table(product, params=_params(), as_of="2026-06-01")
    margin = 20.0 - 3.57 - 4.0 - 5.0 - 1.25 - 0.3125 - STORAGE_DE
    # over the price as listed (what advertising reports count as sales)
    assert table.loc[0, "break_even_acos"] == pytest.approx(margin / 23.80)
    old = kpi.break_even_acos_table(product, {"CNY": 1 / 8.0}, "EUR")
    assert old.loc[0, "break_even_acos"] == pytest.approx((23.80 - 5.0 - 3.57 - 4.0) / 23.80)
    unknown = kpi.break_even_acos_table(product.assign(fba_fee=np.nan), params=_params(),
                                        as_of="2026-06-01")
    assert np.isnan(unknown.loc[0, "break_even_acos"])
    assert unknown.loc[0, "not_estimated_reason"] == "no FBA fee"


def test_japan_epr_fee_is_a_landed_cost(product):
    # JP: price 2,200 JPY incl. 10 % consumption tax = 2,000 ex tax; referral 15 % of 2,200 =
    # 330; FBA fee 400; cost 40 CNY / 0.05 CNY per JPY = 800; freight 1 kg x 10 CNY / 0.05 =
    # 200; no duty; EPR fee 0.5 JPY per item (params/JP.yaml fees.epr_fee_per_item); storage
    # 0.5 cu ft at the JP table (JPY per m3: 5,160 Jan-Sep, 9,170 Oct-Dec, blended 9:3).
    jp = product.assign(price=2200.0, fba_fee=400.0)
    settings = _params("JP", fx_rates={"CNY": {"rate": 0.05, "date": "2026-11-30"}},
                       duty_rate=0.0)
    assert settings["fees"]["epr_fee_per_item"] == 0.5
    row = profit.landed_margins(jp, settings, "2026-06-01").iloc[0]
    storage = 0.5 * (0.75 * 5160.0 + 0.25 * 9170.0) / CUBIC_FEET_PER_CUBIC_METRE
    assert row["epr_fee"] == 0.5
    assert row["landed_cost"] == pytest.approx(800.0 + 200.0 + 0.5)
    assert row["unit_margin"] == pytest.approx(2000.0 - 330.0 - 400.0 - 800.0 - 200.0 - 0.5
                                               - storage)
    without = copy.deepcopy(settings)
    without["fees"]["epr_fee_per_item"] = 0.0
    other = profit.landed_margins(jp, without, "2026-06-01").iloc[0]
    assert row["unit_margin"] == pytest.approx(other["unit_margin"] - 0.5)


@pytest.mark.parametrize("code, vat, per_m3, epr", [
    ("DE", 0.19, (27.82, 38.52), 0.0),   # EU: VAT in the price, EPR not charged per item
    ("AU", 0.10, (19.40, 26.50), 0.0),   # GST 10 %
    ("SG", 0.09, (12.84, 12.84), 0.0),   # GST 9 %, one storage rate all year
])
def test_vat_gst_storage_and_epr_of_each_marketplace_by_hand(product, code, vat, per_m3, epr):
    settings = _params(code, duty_rate=0.0)
    assert settings["fees"]["vat_rate"] == vat and settings["fees"]["epr_fee_per_item"] == epr
    row = profit.landed_margins(product, settings, "2026-06-01").iloc[0]
    net = 23.80 / (1 + vat)
    storage = 0.5 * (0.75 * per_m3[0] + 0.25 * per_m3[1]) / CUBIC_FEET_PER_CUBIC_METRE
    assert row["price_ex_vat"] == pytest.approx(net) and row["vat"] == pytest.approx(23.80 - net)
    assert row["storage"] == pytest.approx(storage) and row["epr_fee"] == epr
    assert row["unit_margin"] == pytest.approx(net - 3.57 - 4.0 - 5.0 - 1.25 - epr - storage)
    assert row["not_estimated_reason"] == ""


# ---------------------------------------------------------------------------------------------
# Cut-offs: as of 2026-10-31, the next 365 days


CASES = [  # marketplace, event, event start, cut-off (Amazon's date, or the rule of params)
    ("US", "black_friday", "2026-11-27", "2026-10-30"),        # lead_time.arrival_cutoffs
    ("US", "christmas", "2026-12-25", "2026-12-01"),           # rule: 24 days before
    ("US", "prime_day", "2027-07-13", "2027-06-17"),           # rule: 26 days before
    ("US", "prime_big_deal_days", "2027-10-12", "2027-09-24"),  # rule: 18 days before
    ("DE", "prime_day", "2027-07-13", "2027-06-24"),           # EU rule: 19 days before
    ("JP", "prime_day", "2027-07-13", "2027-07-04"),           # JP rule: 9 days before
    ("SG", "singles_day", "2026-11-11", "2026-10-13"),         # rule: 29 days, SG only
]


@pytest.mark.parametrize("code, event, start, cutoff", CASES)
def test_event_cutoffs_and_the_boundary_dates(code, event, start, cutoff):
    table = cutoffs.event_cutoffs(params_module.load(code), "2026-10-31", 365)
    row = table[table["event"] == event].iloc[0]
    assert row["event_start"] == pd.Timestamp(start)
    assert row["cutoff"] == pd.Timestamp(cutoff)
    assert row["source"].startswith("Amazon's" if event == "black_friday" else "rule:")
    day = pd.Timedelta(days=1)
    met = cutoffs.cutoffs_met(pd.Series([row["cutoff"], row["cutoff"] + day]), table)
    on_time, late = met.iloc[0], met.iloc[1]
    assert on_time["next_cutoff_event"] == event and on_time["next_cutoff"] == row["cutoff"]
    assert event not in on_time["cutoffs_missed"].split(", ")
    assert event in late["cutoffs_missed"].split(", ") and late["misses_cutoff"]


def test_cutoffs_of_the_next_twelve_months_only():
    us = cutoffs.event_cutoffs(params_module.load("US"), "2026-10-31", 365)
    assert us["event"].tolist() == ["black_friday", "christmas", "prime_day",
                                    "prime_big_deal_days"]  # 2027 BFCM starts after 2027-10-31
    assert "singles_day" not in set(us["event"])  # Singles' Day only where Amazon runs it
    met = cutoffs.cutoffs_met(pd.Series([pd.NaT, pd.Timestamp("2026-12-08")]), us)
    assert met.loc[0, "cutoffs_missed"] == "" and not met.loc[0, "misses_cutoff"]
    assert met.loc[1, "cutoffs_missed"] == "black_friday, christmas"
    assert met.loc[1, "next_cutoff_event"] == "prime_day"

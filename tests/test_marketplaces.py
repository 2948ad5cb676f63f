"""Marketplace registry: ids, regions, formats and lookup errors."""

import dataclasses
from zoneinfo import ZoneInfo

import pytest

from opsanalysis import marketplaces
from opsanalysis.marketplaces import Marketplace, UnknownMarketplaceError

EXPECTED_IDS = {
    "US": "ATVPDKIKX0DER", "CA": "A2EUQ1WTGCTBG2", "MX": "A1AM78C64UM0Y8",
    "BR": "A2Q3Y263D00KWC", "UK": "A1F83G8C2ARO7P", "DE": "A1PA6795UKMFR9",
    "FR": "A13V1IB3VIYZZH", "IT": "APJ6JRA9NG5V4", "ES": "A1RKKUPIHCS9HS",
    "NL": "A1805IZSGTT6HS", "SE": "A2NODRKZP88ZB9", "PL": "A1C3SOZRARQ6R3",
    "BE": "AMEN7PMS3EDWL", "TR": "A33AVAJ2PDY3EV", "JP": "A1VC38T7YXB528",
    "AU": "A39IBJ37TRP1C6", "SG": "A19VAU5U5O7RUS", "IN": "A21TJRUUN4KGV",
    "AE": "A2VIGQ35RCS4UG", "SA": "A17E79C6D8DWNP",
}

CONTRACT_FIELDS = [
    "code", "marketplace_id", "domain", "region", "currency", "timezone", "language",
    "decimal_separator", "thousands_separator", "currency_symbol", "symbol_position",
    "date_order", "prices_include_vat",
]


def test_fields_are_the_contract_fields():
    assert [f.name for f in dataclasses.fields(Marketplace)] == CONTRACT_FIELDS


def test_all_twenty_marketplaces_with_amazon_ids():
    assert sorted(marketplaces.codes()) == sorted(EXPECTED_IDS)
    for code, marketplace_id in EXPECTED_IDS.items():
        assert marketplaces.get(code).marketplace_id == marketplace_id


def test_values_are_well_formed():
    for mp in marketplaces.all_marketplaces():
        assert mp.region in {"NA", "EU", "FE"}
        assert len(mp.currency) == 3 and mp.currency.isupper()
        ZoneInfo(mp.timezone)  # raises for a misspelt IANA name
        assert mp.symbol_position in {"prefix", "suffix"}
        assert mp.date_order in {"MDY", "DMY", "YMD"}
        assert mp.decimal_separator != mp.thousands_separator
        assert mp.domain.startswith("amazon.")
        assert isinstance(mp.prices_include_vat, bool)


@pytest.mark.parametrize(
    ("code", "currency", "tz", "language", "decimal", "thousands", "symbol", "position", "order"),
    [
        ("US", "USD", "America/Los_Angeles", "en-US", ".", ",", "$", "prefix", "MDY"),
        ("UK", "GBP", "Europe/London", "en-GB", ".", ",", "£", "prefix", "DMY"),
        ("DE", "EUR", "Europe/Berlin", "de-DE", ",", ".", "€", "suffix", "DMY"),
        ("JP", "JPY", "Asia/Tokyo", "ja-JP", ".", ",", "￥", "prefix", "YMD"),
    ],
)
def test_sample_marketplace_conventions(
    code, currency, tz, language, decimal, thousands, symbol, position, order
):
    mp = marketplaces.get(code)
    assert (mp.currency, mp.timezone, mp.language) == (currency, tz, language)
    assert (mp.decimal_separator, mp.thousands_separator) == (decimal, thousands)
    assert (mp.currency_symbol, mp.symbol_position, mp.date_order) == (symbol, position, order)


def test_regions_follow_sp_api_endpoints():
    by_region = {}
    for mp in marketplaces.all_marketplaces():
        by_region.setdefault(mp.region, set()).add(mp.code)
    assert by_region["NA"] == {"US", "CA", "MX", "BR"}
    assert by_region["FE"] == {"JP", "AU", "SG"}
    assert {"UK", "DE", "IN", "AE", "SA", "TR"} <= by_region["EU"]


def test_vat_inclusive_prices_except_north_america():
    assert not marketplaces.get("US").prices_include_vat
    assert not marketplaces.get("CA").prices_include_vat
    assert marketplaces.get("UK").prices_include_vat
    assert marketplaces.get("JP").prices_include_vat


def test_get_is_case_insensitive_and_accepts_gb():
    assert marketplaces.get(" de ") is marketplaces.get("DE")
    assert marketplaces.get("gb").code == "UK"
    mp = marketplaces.get("jp")
    assert marketplaces.get(mp) is mp


def test_unknown_code_lists_known_codes():
    with pytest.raises(KeyError) as info:
        marketplaces.get("XX")
    assert isinstance(info.value, UnknownMarketplaceError)
    message = str(info.value)
    assert "'XX'" in message
    for code in EXPECTED_IDS:
        assert code in message


def test_by_marketplace_id():
    assert marketplaces.by_marketplace_id("A1VC38T7YXB528").code == "JP"
    with pytest.raises(UnknownMarketplaceError, match="ATVPDKIKX0DER"):
        marketplaces.by_marketplace_id("NOPE")


def test_marketplace_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        marketplaces.get("US").currency = "EUR"


# ---------------------------------------------------------------------------------------------
# Fees: every marketplace of the registry has its fee table in params, or says "not estimated"


@pytest.mark.parametrize("code", marketplaces.codes())
def test_every_marketplace_has_a_fee_table_or_says_not_estimated(code):
    import numpy as np
    import pandas as pd
    import yaml

    from opsanalysis import fees, params, profit

    own = yaml.safe_load((params.find_params_dir() / f"{code}.yaml").read_text("utf-8"))
    stated = own["fees"]
    # the marketplace's own file states its table (or "none") and its VAT / GST rate
    assert "fee_table_version" in stated and "vat_rate" in stated, code
    loaded = params.load(code)
    settings = loaded["fees"]
    sources = settings["sources"]
    product = pd.DataFrame({"sku": ["A"], "price": [20.0], "unit_cost": [10.0],
                            "cost_currency": [loaded["currency"]], "fba_fee": [3.0],
                            "referral_fee_rate": [0.15], "item_weight_kg": [0.5],
                            "item_volume_cuft": [0.2], "freight_mode": ["sea"]})
    row = profit.landed_margins(product, loaded, "2026-10-31").iloc[0]
    if stated["fee_table_version"] == "none":
        # an explicit "not estimated": no table, and the margin says why instead of a 0
        assert fees.fee_schedule(loaded, "2026-10-31") is None
        assert np.isnan(row["storage"]) and np.isnan(row["unit_margin"])
        assert f"no FBA storage fee table for {code}" in row["not_estimated_reason"]
    else:
        schedule = fees.fee_schedule(loaded, "2026-10-31")
        assert schedule["storage_fee_off_peak"].get("standard", 0) > 0, code
        for key in ("storage_fee_off_peak", "storage_fee_peak"):
            assert key in stated and key in sources, (code, key)
            assert "checked" in sources[key] or "read" in sources[key], (code, key)
        # storage is estimated (other inputs, e.g. a CNY rate for freight, may still be missing)
        assert row["storage"] > 0
        assert "storage fee table" not in row["not_estimated_reason"]
    # VAT / GST: the price ex VAT follows the marketplace's rate; prices without tax (US, CA)
    # have rate 0
    assert row["price_ex_vat"] == pytest.approx(20.0 / (1 + settings["vat_rate"]))
    if not marketplaces.get(code).prices_include_vat:
        assert settings["vat_rate"] == 0
    # EPR: stated with its source where the marketplace has an EPR regime (JP, EU, UK) or we
    # checked it (AU, SG); its value is a landed cost per unit
    if code in ("JP", "UK", "DE", "FR", "IT", "ES", "NL", "SE", "PL", "BE", "AU", "SG"):
        assert "epr_fee_per_item" in stated and "epr_fee_per_item" in sources, code
    assert row["epr_fee"] == settings["epr_fee_per_item"]

"""Category opportunity matrix: known answers for HHI/CR5, margin, score and sensitivity, and the
planted categories of the sample world."""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest

from opsanalysis import opportunity, params, sample
from opsanalysis.io import load_marketplace
from opsanalysis.params import ParamsError
from opsanalysis.plotting import plot_opportunity_matrix, plot_rank_bands

SAMPLE_MARKETPLACES = ("US", "UK", "DE", "JP")


# ---------------------------------------------------------------------------------------------
# Concentration


def test_hhi_of_three_firms():
    assert opportunity.herfindahl_index([0.5, 0.3, 0.2]) == pytest.approx(3800.0)
    assert opportunity.herfindahl_index([1.0]) == pytest.approx(10_000.0)
    assert np.isnan(opportunity.herfindahl_index([]))


def test_concentration_ratio_takes_the_largest_firms():
    shares = [0.07, 0.3, 0.1, 0.2, 0.08, 0.15, 0.1]
    assert opportunity.concentration_ratio(shares, 5) == pytest.approx(0.85)
    assert opportunity.concentration_ratio(shares, 2) == pytest.approx(0.5)


def test_hhi_bounds_from_cr5():
    # CR5 0.8, 25 firms: lower = 0.8^2/5 + 0.2^2/20 = 0.13; upper: the 20 others and four
    # leaders hold 0.01 each, the first leader 0.76 -> 0.5776 + 24 x 0.0001 = 0.58
    lower, upper = opportunity.hhi_bounds(0.8, 25)
    assert lower[0] == pytest.approx(1300.0)
    assert upper[0] == pytest.approx(5800.0)
    actual = [0.4, 0.2, 0.1, 0.05, 0.05] + [0.01] * 20
    assert lower[0] <= opportunity.herfindahl_index(actual) <= upper[0]
    assert np.isnan(opportunity.hhi_bounds(0.8, 5)[0][0])


def test_concentration_levels_use_the_stricter_measure():
    thresholds = params.load("US")["opportunity"]["concentration"]
    levels = opportunity.concentration_level([1400, 1600, 2600, 900, np.nan],
                                             [0.3, 0.3, 0.3, 0.65, np.nan], thresholds)
    assert levels.tolist() == ["unconcentrated", "moderately_concentrated",
                               "highly_concentrated", "highly_concentrated", "missing"]


# ---------------------------------------------------------------------------------------------
# Margin


@pytest.fixture
def one_product():
    return pd.DataFrame({
        "sku": ["A"], "category": ["Pets"], "price": [30.0], "unit_cost": [35.5],
        "cost_currency": ["CNY"], "referral_fee_rate": [0.15], "fba_fee": [5.0],
        "item_volume_cuft": [0.5], "item_weight_kg": [1.0], "storage_type": ["standard"],
        "freight_mode": ["sea"],
    })


def _settings(marketplace="US", **opportunity_settings):
    loaded = copy.deepcopy(params.load(marketplace))
    loaded["opportunity"].update(opportunity_settings)
    return loaded


def test_margin_arithmetic_with_currency_conversion(one_product):
    settings = _settings(fx_rates={"CNY": {"rate": 7.1, "date": "2026-11-30"}},
                         head_haul_freight={"currency": "CNY", "per_kg": {"sea": 10.0}},
                         duty_rate=0.1, duty_includes_freight=False, storage_months_held=1.0,
                         return_loss_fraction=0.5)
    rates = pd.DataFrame({"category": ["Pets"], "return_rate": [0.04], "tacos": [0.10]})
    row = opportunity.unit_margins(one_product, settings, "2026-06-01", rates).iloc[0]
    assert row["purchase_cost"] == pytest.approx(35.5 / 7.1)           # 5.00 USD
    assert row["fx_rate"] == 7.1 and row["fx_date"] == "2026-11-30"
    assert row["head_haul_freight"] == pytest.approx(10.0 / 7.1)        # 1 kg x 10 CNY
    assert row["duty"] == pytest.approx(0.5)                           # 10 % of FOB 5.00
    assert row["referral_fee"] == pytest.approx(4.5)
    assert row["storage_off_peak"] == pytest.approx(0.5 * 0.78)        # US table, 1 month
    assert row["storage_peak"] == pytest.approx(0.5 * 2.40)
    assert row["storage"] == pytest.approx(0.75 * 0.39 + 0.25 * 1.20)  # 3 peak months of 12
    assert row["returns_cost"] == pytest.approx(0.04 * 30.0 * 0.5)
    assert row["advertising_cost"] == pytest.approx(3.0)
    landed = 5.0 + 10.0 / 7.1 + 0.5
    assert row["landed_cost"] == pytest.approx(landed)
    expected = 30.0 - 4.5 - 5.0 - 0.5925 - 0.6 - 3.0 - landed
    assert row["unit_margin"] == pytest.approx(expected)
    assert row["margin_rate"] == pytest.approx(expected / 30.0)


def test_margin_nets_out_vat_and_duty_on_cif_value(one_product):
    settings = _settings("UK", fx_rates={"CNY": {"rate": 9.0, "date": "2026-11-30"}},
                         head_haul_freight={"currency": "CNY", "per_kg": {"sea": 9.0}},
                         duty_rate=0.05, duty_includes_freight=True, storage_months_held=1.0)
    row = opportunity.unit_margins(one_product.assign(price=24.0), settings, "2026-06-01").iloc[0]
    assert row["vat"] == pytest.approx(4.0)                             # 24 incl. 20 % VAT
    assert row["duty"] == pytest.approx(0.05 * (35.5 / 9.0 + 1.0))      # on cost + freight
    assert row["storage"] == pytest.approx(0.5 * (0.75 * 0.71 + 0.25 * 1.00))  # UK table
    expected = 24.0 - 4.0 - 3.6 - 5.0 - row["landed_cost"] - row["storage"]
    assert row["unit_margin"] == pytest.approx(expected)
    assert row["margin_rate"] == pytest.approx(expected / 20.0)


def test_margin_without_a_storage_fee_table_is_not_estimated(one_product):
    settings = _settings("NL", fx_rates={"CNY": {"rate": 9.0, "date": "2026-11-30"}})
    row = opportunity.unit_margins(one_product, settings, "2026-06-01").iloc[0]
    assert np.isnan(row["storage"]) and not row["storage_known"]        # no NL fee table
    assert np.isnan(row["unit_margin"]) and np.isnan(row["margin_rate"])  # never storage = 0
    assert "no FBA storage fee table for NL" in row["not_estimated_reason"]


def test_margin_refuses_a_cost_currency_without_a_rate(one_product):
    with pytest.raises(ValueError, match="CNY"):
        opportunity.unit_margins(one_product, _settings(fx_rates={}), "2026-06-01")


def test_category_margin_is_weighted_by_units():
    margins = pd.DataFrame({"sku": ["A", "B"], "category": ["X", "X"], "price": [10.0, 20.0],
                            "vat": [0.0, 0.0], "landed_cost": [2.0, 4.0],
                            "unit_margin": [1.0, 8.0], "storage_known": [True, True]})
    table = opportunity.category_margins(margins, pd.Series({"A": 3.0, "B": 1.0}))
    assert table.loc[0, "unit_margin"] == pytest.approx((3 * 1.0 + 8.0) / 4)
    assert table.loc[0, "margin_rate"] == pytest.approx(11.0 / 50.0)


# ---------------------------------------------------------------------------------------------
# Score, sensitivity, estimate dependence


SCORE_SETTINGS = {
    "weights": {"growth": 0.5, "margin": 0.2, "competition": 0.3, "launch_difficulty": 0.0},
    "growth_inputs": {"market_growth": 1.0}, "competition_inputs": {"brand_count": 1.0},
    "sensitivity_draws": 400, "dirichlet_concentration": 8.0, "seed": 0, "top_n": 1,
    "rank_band_quantiles": [0.1, 0.9], "estimate_rank_gain": 1,
}


def _matrix(growth, margin, brands, launch=(0.5, 0.5, 0.5)):
    return pd.DataFrame({"category": ["A", "B", "C"], "market_growth": growth,
                         "margin_rate": margin, "brand_count": brands,
                         "launch_success_rate": launch})


def test_score_known_answer():
    # z(growth 0.3, 0, -0.3) = (1.2247, 0, -1.2247); margins equal -> 0; z(brands 1, 2, 3)
    # = (-1.2247, 0, 1.2247) counts against: score A = (0.5 + 0.3) x 1.2247
    scored = opportunity.score_categories(_matrix([0.3, 0.0, -0.3], [0.2, 0.2, 0.2], [1, 2, 3]),
                                          SCORE_SETTINGS)
    z = np.sqrt(1.5)
    assert scored["score"].tolist() == pytest.approx([0.8 * z, 0.0, -0.8 * z])
    assert scored["part_growth"].tolist() == pytest.approx([0.5 * z, 0.0, -0.5 * z])
    assert scored["part_competition"].tolist() == pytest.approx([0.3 * z, 0.0, -0.3 * z])
    assert scored["part_margin"].tolist() == pytest.approx([0.0, 0.0, 0.0])
    assert scored["rank"].tolist() == [1, 2, 3]
    parts = scored[[f"part_{name}" for name in opportunity.COMPONENTS]].sum(axis=1)
    assert parts.tolist() == pytest.approx(scored["score"].tolist())


def test_missing_input_scores_average():
    scored = opportunity.score_categories(
        _matrix([0.3, np.nan, -0.3], [0.2, 0.2, 0.2], [2, 2, 2]), SCORE_SETTINGS)
    assert scored.loc[1, "z_growth"] == 0.0
    assert scored.loc[0, "z_growth"] == pytest.approx(1.0)


def test_weight_draws_centre_on_the_configured_weights():
    draws = opportunity.weight_draws(SCORE_SETTINGS["weights"] | {"launch_difficulty": 0.2},
                                     4000, 8.0, seed=1)
    assert draws.shape == (4000, 4)
    assert draws.sum(axis=1) == pytest.approx(np.ones(4000))
    assert draws.mean(axis=0) == pytest.approx(np.array([0.5, 0.2, 0.3, 0.2]) / 1.2, abs=0.01)


def test_a_dominant_category_has_a_point_band():
    scored = opportunity.score_categories(_matrix([0.3, 0.1, 0.0], [0.3, 0.2, 0.1], [1, 2, 3]),
                                          SCORE_SETTINGS)
    bands = opportunity.rank_bands(scored, SCORE_SETTINGS)
    assert bands.loc[0, ["rank_low", "rank_high"]].tolist() == [1, 1]
    assert bands.loc[0, "p_first"] == 1.0 and bands.loc[2, "p_top_n"] == 0.0


def test_trade_off_gives_wide_bands():
    # A wins on growth, B on margin: which one leads depends on the weights
    settings = SCORE_SETTINGS | {"weights": {"growth": 0.4, "margin": 0.4, "competition": 0.2,
                                             "launch_difficulty": 0.0}}
    scored = opportunity.score_categories(_matrix([0.3, -0.1, -0.2], [0.0, 0.3, 0.0], [2, 2, 2]),
                                          settings)
    bands = opportunity.rank_bands(scored, settings)
    assert bands.loc[0, "rank_low"] == 1 and bands.loc[0, "rank_high"] == 2
    assert 0.0 < bands.loc[0, "p_first"] < 1.0


def test_a_category_lifted_by_an_estimate_is_flagged():
    matrix = _matrix([0.1, 0.5, 0.2], [0.2, 0.2, 0.2], [2, 2, 2])
    matrix["gmv_growth_yoy_like_for_like"] = [0.1, 0.0, 0.2]
    matrix["quality_market_growth"] = ["first_party", "estimate", "first_party"]
    matrix["quality_competition"] = matrix["quality_launch"] = "first_party"
    settings = SCORE_SETTINGS | {"growth_inputs": {"market_growth": 0.5,
                                                   "gmv_growth_yoy_like_for_like": 0.5}}
    scored = opportunity.score_categories(matrix, settings)
    assert scored["rank"].tolist() == [3, 1, 2]
    result = opportunity.estimate_dependence(scored, settings)
    assert result["rests_on_estimate"].tolist() == [False, True, False]
    assert result.loc[1, "estimated_inputs"] == "market_growth"
    assert result.loc[1, "rank_without_estimates"] == 3
    assert result.loc[1, "estimate_lift"] > 0 and result.loc[0, "estimate_lift"] == 0


def test_unfavourable_estimates_are_not_a_lift():
    matrix = _matrix([0.1, -0.5, 0.2], [0.2, 0.2, 0.2], [2, 2, 2])
    matrix["quality_market_growth"] = ["first_party", "estimate", "first_party"]
    matrix["quality_competition"] = matrix["quality_launch"] = "first_party"
    scored = opportunity.score_categories(matrix, SCORE_SETTINGS)
    result = opportunity.estimate_dependence(scored, SCORE_SETTINGS)
    assert result["estimate_lift"].tolist() == [0.0, 0.0, 0.0]
    assert not result["rests_on_estimate"].any()


# ---------------------------------------------------------------------------------------------
# Params


def _params_dir(tmp_path, text):
    (tmp_path / "US.yaml").write_text('marketplace: "US"\nlanguage: "en"\ncurrency: "USD"\n'
                                      + text, encoding="utf-8")
    return tmp_path


def test_params_reject_a_bad_fx_rate(tmp_path):
    folder = _params_dir(tmp_path, "opportunity:\n  fx_rates:\n    CNY: {rate: 7.1}\n")
    with pytest.raises(ParamsError, match="fx_rates"):
        params.load("US", folder)
    folder = _params_dir(tmp_path, 'opportunity:\n  fx_rates:\n    CNY: {rate: 0, date: "2026-11-30"}\n')
    with pytest.raises(ParamsError, match="positive"):
        params.load("US", folder)


def test_params_reject_negative_weights(tmp_path):
    folder = _params_dir(tmp_path, "opportunity:\n  weights:\n    growth: -0.1\n")
    with pytest.raises(ParamsError, match="weights"):
        params.load("US", folder)


def test_sample_marketplaces_state_their_purchase_rate():
    for code in SAMPLE_MARKETPLACES:
        entry = params.load(code)["opportunity"]["fx_rates"]["CNY"]
        assert entry["rate"] > 0 and entry["date"]


# ---------------------------------------------------------------------------------------------
# The sample world


@pytest.fixture(scope="module")
def sample_matrices(sample_dir):
    world = sample.generate(None)
    matrices = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for code in SAMPLE_MARKETPLACES:
            data = load_marketplace(sample_dir, code)
            matrices[code] = opportunity.opportunity_matrix(data, params.load(code), world.as_of)
    return world, matrices


@pytest.mark.parametrize("code", SAMPLE_MARKETPLACES)
def test_planted_category_ranks_first_with_a_narrow_band(sample_matrices, code):
    world, matrices = sample_matrices
    matrix = matrices[code]
    top = matrix.iloc[0]
    assert top["category"] == world.planted[code]["top_category"]
    assert top["rank"] == 1 and top["rank_median"] == 1 and top["rank_low"] == 1
    assert top["rank_high"] == 1  # a narrow band: first at the 10th and the 90th percentile
    assert top["p_first"] == matrix["p_first"].max() and top["p_first"] > 0.9
    assert top["estimated_inputs"] == "" and not top["rests_on_estimate"]
    assert top["concentration_level"] == "unconcentrated"


@pytest.mark.parametrize("code", SAMPLE_MARKETPLACES)
def test_estimated_category_is_flagged(sample_matrices, code):
    world, matrices = sample_matrices
    matrix = matrices[code].set_index("category")
    estimated = world.planted[code]["estimated_input_category"]
    row = matrix.loc[estimated]
    assert row["quality_market_growth"] == "estimate"
    assert "market_growth" in row["estimated_inputs"]
    assert row["estimate_lift"] > 0
    others = matrix.drop(index=estimated)
    assert (others["quality_market_growth"] == "first_party").all()
    assert not others["rests_on_estimate"].any()
    # the estimate makes it the fastest-growing market of the marketplace
    assert row["market_growth"] == matrix["market_growth"].max()


@pytest.mark.parametrize("code", SAMPLE_MARKETPLACES)
def test_rests_on_estimate_exactly_where_the_estimate_gains_places(sample_matrices, code):
    _, matrices = sample_matrices
    matrix = matrices[code]
    gain = params.load(code)["opportunity"]["estimate_rank_gain"]
    lost = matrix["rank_without_estimates"] - matrix["rank"]
    assert (matrix["rests_on_estimate"] == (lost >= gain)).all()


def test_estimate_is_what_puts_the_uk_garden_category_up(sample_matrices):
    world, matrices = sample_matrices
    matrix = matrices["UK"].set_index("category")
    row = matrix.loc[world.planted["UK"]["estimated_input_category"]]
    assert row["rank"] == 2 and row["rests_on_estimate"]
    assert row["rank_without_estimates"] >= 4  # from second to the bottom half


def test_sample_margins_are_converted_at_the_stated_rate(sample_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = load_marketplace(sample_dir, "JP")
    products = data.get("product_master")
    margins = opportunity.unit_margins(products, params.load("JP"), "2026-10-31")
    assert margins["purchase_cost"].to_numpy() == pytest.approx(
        products["unit_cost"].to_numpy() / 0.047)
    assert (margins["fx_date"] == "2026-12-01").all() and (margins["currency"] == "JPY").all()


def test_plots_return_axes(sample_matrices):
    import matplotlib.pyplot as plt

    _, matrices = sample_matrices
    ax = plot_opportunity_matrix(matrices["US"], language="zh")
    assert len(ax.collections[0].get_offsets()) == len(matrices["US"])
    ax = plot_rank_bands(matrices["US"])
    assert ax.get_title() == "Rank bands under weight draws"
    plt.close("all")


def test_unadvertised_categories_are_costed_at_the_advertised_ones_ad_intensity(sample_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = load_marketplace(sample_dir, "US")
    products = data.get("product_master")
    rates = opportunity.category_rates(data, products, "2026-10-31", 90)
    paid = rates[rates["advertising_quality"] == "first_party"]
    unpaid = rates[rates["advertising_quality"] == "missing"]
    assert set(paid["category"]) == {"Kitchen", "Pet Supplies"} and len(unpaid) == 4
    stand_in = unpaid["tacos"].unique()
    assert len(stand_in) == 1  # one stand-in: a sales-weighted mean of the advertised ones
    assert paid["tacos"].min() < stand_in[0] < paid["tacos"].max()
    # ... and above the marketplace-wide TACoS, whose denominator holds the unadvertised sales
    ads = data["sp_advertised_product"]
    sales = data["business_report_asin"]
    window = sales[(sales["period_start"] >= ads["date"].min())
                   & (sales["period_end"] <= ads["date"].max())]
    assert stand_in[0] > ads["spend"].sum() / window["ordered_product_sales"].sum()

"""Daily demand panel: local dates, channels, stock and buy-box censoring, imputation, sample truth."""

import numpy as np
import pandas as pd
import pytest

from opsanalysis import demand, forecast, io, params, sample

US = params.load("US")


@pytest.fixture()
def orders():
    """Six orders of SKU A (UTC timestamps; US calendar = America/Los_Angeles)."""
    return pd.DataFrame({
        "amazon_order_id": list("abcdef"),
        "purchase_date": pd.to_datetime([
            "2026-01-01 10:00", "2026-01-02 07:30", "2026-01-02 12:00", "2026-01-04 09:00",
            "2026-01-04 09:00", "2026-01-05 09:00"]).tz_localize("UTC"),
        "order_status": ["Shipped", "Shipped", "Cancelled", "Shipped", "Shipped", "Pending"],
        "sales_channel": ["Amazon.com", "Amazon.com", "Amazon.com", "Non-Amazon", "Amazon.com",
                          "Amazon.com"],
        "sku": ["A"] * 6, "asin": ["X"] * 6, "quantity": [1, 2, 5, 3, 1, 4],
    })


@pytest.fixture()
def inventory():
    return pd.DataFrame({"date": pd.date_range("2026-01-01", periods=5), "sku": "A",
                         "quantity": [5, 3, 0, 2, 1], "detailed_disposition": "SELLABLE"})


def test_units_by_local_date_without_cancelled_and_mcf(orders):
    panel = demand.build_panel(orders, marketplace="US", params=US)
    # 2026-01-02 07:30 UTC is still 1 January in Los Angeles; the cancelled 5 units are dropped
    assert panel["ds"].tolist() == list(pd.date_range("2026-01-01", "2026-01-05"))
    assert panel["units"].tolist() == [3, 0, 0, 1, 4]
    assert panel["units_mcf"].tolist() == [0, 0, 0, 3, 0]
    assert panel["unique_id"].unique().tolist() == ["US:A"]
    assert str(panel["units"].dtype) == "Int64"
    assert panel["in_stock"].isna().all() and not panel["censored"].any()  # no inventory data
    assert panel["y"].tolist() == [3, 0, 0, 1, 4]


def test_mcf_and_removal_shipments_are_not_demand():
    # All Orders lines as Amazon writes them (formats reference 3.1): an MCF order (S01-, sales
    # channel Non-Amazon), a removal shipment (Non-Amazon <x>), a cancelled sale, a blank
    # channel (counted as a sale, as in the KPIs) and two storefront sales
    orders = pd.DataFrame({
        "amazon_order_id": ["111-1", "S01-2", "S01-3", "111-4", "111-5", "111-6"],
        "purchase_date": pd.to_datetime(["2026-03-02 18:00"] * 3 + ["2026-03-03 18:00"] * 3)
        .tz_localize("UTC"),
        "order_status": ["Shipped", "Shipped", "Shipped", "Cancelled", "Shipped", "Shipped"],
        "sales_channel": ["Amazon.com", "Non-Amazon", " non-amazon US ", "Amazon.com", "",
                          "Amazon.com"],
        "sku": ["A"] * 6, "quantity": [2, 1, 23, 7, 3, 4],
    })
    panel = demand.build_panel(orders, marketplace="US", params=US)
    assert panel["ds"].tolist() == list(pd.date_range("2026-03-02", "2026-03-03"))
    assert panel["units"].tolist() == [2, 7]      # 2; blank 3 + 4 (cancelled 7 dropped)
    assert panel["units_mcf"].tolist() == [24, 0]  # MCF 1 + removal 23
    assert panel["y"].tolist() == [2, 7]
    # one rule with io.is_marketplace_sale: every non-cancelled unit is in exactly one column
    live = orders[orders["order_status"] != "Cancelled"]
    sale = io.is_marketplace_sale(live).fillna(True).to_numpy(dtype=bool)
    assert panel["units"].sum() == live.loc[sale, "quantity"].sum()
    assert panel["units_mcf"].sum() == live.loc[~sale, "quantity"].sum()


def test_out_of_stock_and_lost_buy_box_days_are_censored(orders, inventory):
    report = pd.DataFrame({"child_asin": ["X", "X"], "buy_box_percentage": [0.3, 0.95],
                           "period_start": pd.to_datetime(["2026-01-05", "2026-01-01"]),
                           "period_end": pd.to_datetime(["2026-01-05", "2026-01-04"])})
    panel = demand.build_panel(orders, inventory, report, "US", params=US)
    assert panel["in_stock"].tolist() == [True, True, False, True, True]
    assert panel["buy_box_lost"].tolist() == [False, False, False, False, True]
    assert panel["censored"].tolist() == [False, False, True, False, True]
    assert panel["y"].isna().tolist() == [False, False, True, False, True]
    assert panel["units"].tolist() == [3, 0, 0, 1, 4]  # sales stay visible
    none = demand.build_panel(orders, inventory, report, "US", censoring="none", params=US)
    assert none["y"].tolist() == [3, 0, 0, 1, 4]


def test_imputation_uses_the_preceding_uncensored_days(orders, inventory):
    panel = demand.build_panel(orders, inventory, None, "US", censoring="impute", params=US)
    # 3 January: mean of 1 and 2 January (3, 0) = 1.5
    assert panel["y"].tolist() == pytest.approx([3, 0, 1.5, 1, 4])
    assert panel["imputed"].tolist() == [False, False, True, False, False]


def test_inventory_gap_inside_coverage_means_no_stock(orders, inventory):
    gap = inventory[inventory["date"] != "2026-01-04"]
    panel = demand.build_panel(orders, gap, None, "US", as_of="2026-01-06", params=US)
    assert panel["stock"].tolist()[:5] == [5, 3, 0, 0, 1]
    assert panel["in_stock"].isna().tolist() == [False] * 5 + [True]  # 6 Jan: after coverage
    assert panel["ds"].iloc[-1] == pd.Timestamp("2026-01-06")


def test_bad_arguments(orders):
    with pytest.raises(ValueError, match="censoring"):
        demand.build_panel(orders, marketplace="US", censoring="zero", params=US)
    with pytest.raises(ValueError, match="marketplace"):
        demand.build_panel(orders, params=US)
    with pytest.raises(ValueError, match="needs params"):  # the analysis reads no YAML itself
        demand.build_panel(orders, marketplace="US", params=None)
    with pytest.raises(TypeError, match="params"):
        demand.build_panel(orders, marketplace="US")


# ---- the sample world's planted stockout ---------------------------------------------------

@pytest.fixture(scope="module")
def world():
    return sample.generate(None)


def _truth_panel(world, marketplace, treat):
    """History as build_panel would give it from the sample's truth: sales, censored days."""
    truth = world.truth["demand"]
    truth = truth[truth["marketplace"] == marketplace]
    y = truth["units_sold"].astype(float)
    if treat == "censored":
        y = y.where(truth["in_stock"])
    return pd.DataFrame({"unique_id": marketplace + ":" + truth["sku"], "ds": truth["date"],
                         "y": y.to_numpy()}), truth


@pytest.mark.parametrize("marketplace", ["US", "DE"])
def test_censoring_recovers_planted_stockout_demand_better_than_zeros(world, marketplace):
    planted = world.planted[marketplace]
    sku, end = planted["stockout_sku"], pd.Timestamp(planted["stockout_end"])
    errors = {}
    for treat in ("censored", "zeros"):
        history, truth = _truth_panel(world, marketplace, treat)
        history = history[history["unique_id"] == f"{marketplace}:{sku}"]
        cut = history[history["ds"] <= end]
        out = forecast.predict(cut, 28, "ses", params=params.load(marketplace))
        after = truth[(truth["sku"] == sku) & (truth["date"] > end)].head(28)
        errors[treat] = abs(out["forecast"].mean() - after["true_demand"].mean())
    assert errors["censored"] < 0.5 * errors["zeros"], errors


@pytest.mark.parametrize("method", ["moving_average_7", "tsb", "ets", "auto"])
@pytest.mark.parametrize("marketplace", ["US", "DE"])
def test_censoring_beats_zeros_for_other_methods(world, marketplace, method):
    # the cut falls on the last stockout day: the whole last week is censored, so a method must
    # reach back to the days before the stockout (a finite forecast) and beat reading zeros
    planted = world.planted[marketplace]
    sku, end = planted["stockout_sku"], pd.Timestamp(planted["stockout_end"])
    errors = {}
    for treat in ("censored", "zeros"):
        history, truth = _truth_panel(world, marketplace, treat)
        history = history[(history["unique_id"] == f"{marketplace}:{sku}")
                          & (history["ds"] <= end)]
        out = forecast.predict(history, 28, method, params=params.load(marketplace))
        after = truth[(truth["sku"] == sku) & (truth["date"] > end)].head(28)
        errors[treat] = abs(out["forecast"].mean() - after["true_demand"].mean())
    assert np.isfinite(errors["censored"]) and errors["censored"] < errors["zeros"], errors


def test_sample_files_give_the_planted_stockout(world, sample_dir):
    data = io.load_marketplace(sample_dir, "US")
    panel = demand.build_panel(data["all_orders"], data["inventory_history"],
                               data.get("business_report_asin"), "US", params=US)
    planted = world.planted["US"]
    episode = panel[(panel["sku"] == planted["stockout_sku"])
                    & panel["ds"].between(planted["stockout_start"], planted["stockout_end"])]
    assert len(episode) == (planted["stockout_end"] - planted["stockout_start"]).days + 1
    assert episode["censored"].all() and episode["y"].isna().all()
    truth = world.truth["demand"]
    truth = truth[(truth["marketplace"] == "US") & (truth["sku"] == planted["stockout_sku"])]
    imputed = demand.build_panel(data["all_orders"], data["inventory_history"], None, "US",
                                 censoring="impute", params=US)
    imputed = imputed[imputed["sku"] == planted["stockout_sku"]].set_index("ds")["y"]
    window = truth[truth["date"].between(planted["stockout_start"], planted["stockout_end"])]
    true_mean = window["true_demand"].mean()
    assert abs(imputed.loc[window["date"]].mean() - true_mean) < 0.5 * true_mean
    assert np.isfinite(true_mean)

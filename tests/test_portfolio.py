"""Known answers for opsanalysis.portfolio: money converted at the dated rate of params, totals
that sum only converted money, a marketplace without a rate excluded (not 0), counts summed over
every marketplace, rule breaches side by side and the expansion view's statuses."""

import numpy as np
import pandas as pd
import pytest

from opsanalysis import portfolio

FX = {"US": {"CNY": {"rate": 7.1, "date": "2026-12-01"}},
      "JP": {"CNY": {"rate": 0.047, "date": "2026-11-30"}},
      "AU": {}}
CURRENCIES = {"US": "USD", "JP": "JPY", "AU": "AUD"}


def rates():
    return portfolio.fx_rates(CURRENCIES, FX, "CNY")


def headline(sales, units, sessions, spend, acos):
    return pd.DataFrame({"metric": ["ordered_product_sales", "units_ordered", "sessions",
                                    "unit_session_percentage", "spend", "acos"],
                         "value": [sales, units, sessions, units / sessions, spend, acos]})


def test_rates_carry_their_date_and_a_missing_rate_is_unknown():
    table = rates().set_index("marketplace")
    assert table.loc["US", "summary_fx_rate"] == 7.1
    assert table.loc["JP", "summary_fx_date"] == "2026-11-30"
    assert np.isnan(table.loc["AU", "summary_fx_rate"]) and not table.loc["AU", "converted"]
    same = portfolio.fx_rates({"CN": "CNY"}, {}, "CNY").iloc[0]
    assert same["summary_fx_rate"] == 1.0 and same["converted"]


def test_totals_sum_only_converted_money_and_every_count():
    periods = {code: (pd.Timestamp("2026-10-02"), pd.Timestamp("2026-10-31")) for code in FX}
    local = portfolio.headline_table(
        {"US": headline(1000.0, 100, 1000, 100.0, 0.25),
         "JP": headline(200000.0, 50, 400, 10000.0, 0.5),
         "AU": headline(5000.0, 20, 100, 500.0, 0.2)},
        {"US": (3.0, 100.0), "JP": (1.0, 50.0), "AU": (1.0, 20.0)}, periods)
    converted = portfolio.convert(local, rates(), portfolio.HEADLINE_MONEY)
    table = portfolio.with_total(converted, portfolio.HEADLINE_MONEY, portfolio.HEADLINE_COUNTS,
                                 portfolio.HEADLINE_RATIOS).set_index("marketplace")
    # 1,000 USD x 7.1 + 200,000 JPY x 0.047 = 7,100 + 9,400 CNY; AUD 5,000 is not added
    assert table.loc["total", "sales"] == pytest.approx(16500.0)
    assert np.isnan(table.loc["AU", "sales"]) and table.loc["AU", "currency"] == "CNY"
    assert table.loc["total", "units"] == 170  # counts need no rate
    assert table.loc["total", "conversion"] == pytest.approx(170 / 1500)
    # ACOS of the converted: spend 710 + 470 CNY over ad sales 2,840 + 940 CNY
    assert table.loc["total", "acos"] == pytest.approx(1180.0 / 3780.0)
    assert table.loc["total", "tacos"] == pytest.approx(1180.0 / 16500.0)
    assert table.loc["total", "return_rate"] == pytest.approx(5.0 / 170.0)


def test_an_unknown_amount_makes_the_total_unknown_not_smaller():
    table = pd.DataFrame({"marketplace": ["US", "JP"], "profit": [10.0, np.nan]})
    converted = portfolio.convert(table, rates(), ["profit"])
    total = portfolio.with_total(converted, ["profit"]).iloc[-1]
    assert np.isnan(total["profit"])


def _monthly(net_sales, profit):
    return pd.DataFrame({"month": [pd.Timestamp("2026-09-01"), pd.Timestamp("2026-10-01"), pd.NaT],
                         "period": ["2026-09", "2026-10", "total"],
                         "net_sales": [net_sales / 2, net_sales / 2, net_sales],
                         "gross_profit": [np.nan, np.nan, profit * 1.5],
                         "gross_margin": [np.nan, np.nan, profit * 1.5 / net_sales],
                         "advertising": [0, 0, -profit / 4], "storage": [0, 0, -profit / 4],
                         "profit": [np.nan, np.nan, profit],
                         "profit_margin": [np.nan, np.nan, profit / net_sales]})


def test_profit_and_payouts_per_marketplace_with_the_last_deposit():
    calendar = pd.DataFrame({"deposit_date": pd.to_datetime(["2026-10-03", "2026-10-17"]),
                             "payout": [300.0, 500.0], "reserve_held": [40.0, 60.0]})
    table = portfolio.profit_table({"US": _monthly(1000.0, 200.0), "AU": _monthly(800.0, -50.0),
                                    "JP": None}, {"US": calendar, "JP": None, "AU": None})
    table = table.set_index("marketplace")
    assert table.loc["US", "payouts"] == 800.0 and table.loc["US", "last_payout"] == 500.0
    assert table.loc["US", "reserve_held"] == 60.0
    assert table.loc["US", "last_deposit_date"] == pd.Timestamp("2026-10-17")
    assert table.loc["US", "first_month"] == pd.Timestamp("2026-09-01")
    assert np.isnan(table.loc["JP", "profit"])  # no settlement report: unknown, not 0
    total = portfolio.with_total(portfolio.convert(table.reset_index(), rates(),
                                                   portfolio.PROFIT_MONEY),
                                 portfolio.PROFIT_MONEY, (), portfolio.PROFIT_RATIOS).iloc[-1]
    # JP's profit is unknown: the total over the converted (US, JP) is unknown; AU not added
    assert np.isnan(total["profit"])
    only_us = portfolio.with_total(portfolio.convert(table.drop(index="JP").reset_index(),
                                                     rates(), portfolio.PROFIT_MONEY),
                                   portfolio.PROFIT_MONEY, (), portfolio.PROFIT_RATIOS).iloc[-1]
    assert only_us["profit"] == pytest.approx(1420.0)  # 200 USD x 7.1, AU's loss not added
    assert only_us["profit_margin"] == pytest.approx(0.2)


def test_breaches_side_by_side_worst_first():
    cards = {"US": pd.DataFrame({"rule_id": ["acos", "return_rate", "odr"],
                                 "status": ["breach", "watch", "good"]}),
             "JP": pd.DataFrame({"rule_id": ["acos", "return_rate", "odr"],
                                 "status": ["good", "breach", "good"]}),
             "DE": pd.DataFrame({"rule_id": ["acos", "return_rate"],
                                 "status": ["breach", "breach"]})}
    table = portfolio.breach_table(cards)
    assert list(table["rule_id"]) == ["return_rate", "acos"]  # odr: good everywhere
    assert list(table.iloc[0][["US", "JP", "DE", "breaches", "watches"]]) == \
        ["watch", "breach", "breach", 2.0, 1.0]


def test_expansion_statuses_and_own_share():
    niches = pd.DataFrame({"category": ["Kitchen", "Garden"], "niche_name": ["a", "b"],
                           "search_volume_t360": [1000.0, 500.0],
                           "search_volume_growth_t360": [0.1, 0.2], "revenue_t360": [1e6, 2e5],
                           "top_5_products_click_share": [0.5, 0.3], "product_count": [100, 50],
                           "brand_count": [20, 10], "average_review_count": [900, 300],
                           "successful_launches_t180": [2, 1], "launches_t180": [10, 5],
                           "data_source": ["poe", "poe"]})
    own = {"US": pd.DataFrame({"category": ["Kitchen"], "own_sales": [50000.0],
                               "own_units": [2000.0]}),
           "JP": pd.DataFrame({"category": ["Garden"], "own_sales": [1e6], "own_units": [400.0]}),
           "AU": pd.DataFrame({"category": [], "own_sales": [], "own_units": []})}
    table = portfolio.expansion_table({"US": niches, "JP": None, "AU": None}, own, rates())
    table = table.set_index(["category", "marketplace"])
    assert table.loc[("Kitchen", "US"), "status"] == "selling"
    assert table.loc[("Kitchen", "US"), "own_share"] == pytest.approx(0.05)
    assert table.loc[("Kitchen", "US"), "market_revenue"] == pytest.approx(7.1e6)
    assert table.loc[("Garden", "US"), "status"] == "candidate"
    assert table.loc[("Garden", "US"), "own_sales"] == 0.0
    assert table.loc[("Kitchen", "JP"), "status"] == "no_market_data"
    assert table.loc[("Garden", "JP"), "own_sales"] == pytest.approx(47000.0)
    assert np.isnan(table.loc[("Kitchen", "JP"), "search_volume_t360"])
    # AU has no rate: its own sales are unknown in CNY (not 0)
    assert np.isnan(table.loc[("Kitchen", "AU"), "own_sales"])


def test_brand_search_uses_the_latest_period_and_skips_marketplaces_without_it():
    sqp = pd.DataFrame({
        "search_query": ["mat", "mat", "silicone mat"],
        "period_start": pd.to_datetime(["2026-10-18", "2026-10-25", "2026-10-25"]),
        "period_end": pd.to_datetime(["2026-10-24", "2026-10-31", "2026-10-31"]),
        "search_query_volume": [9999.0, 1000.0, 3000.0],
        "total_clicks": [1.0, 200.0, 300.0], "own_clicks": [1.0, 20.0, 30.0],
        "total_purchases": [1.0, 40.0, 60.0], "own_purchases": [1.0, 2.0, 8.0]})
    table = portfolio.brand_search_table({"US": sqp, "JP": None})
    assert list(table["marketplace"]) == ["US"]
    row = table.iloc[0]
    assert row["search_query_volume"] == 4000.0 and row["search_queries"] == 2.0
    assert row["own_purchase_share"] == pytest.approx(0.1)  # 10 of 100
    assert row["own_click_share"] == pytest.approx(0.1)
    assert row["period_start"] == pd.Timestamp("2026-10-25")

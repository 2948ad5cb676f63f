"""Known-answer tests of opsanalysis.search_queries on small hand-written Brand Analytics frames."""

import numpy as np
import pandas as pd
import pytest

from opsanalysis import search_queries as sq

WEEK_ENDS = pd.date_range("2026-09-26", periods=6, freq="7D")  # Saturdays


def sqp_rows(query, own_click_shares, own_purchase_shares, total_clicks=1000,
             total_purchases=100, asin=None):
    """Weekly brand-view rows of one query with the given shares (counts rounded)."""
    rows = []
    for end, clicks, purchases in zip(WEEK_ENDS[-len(own_click_shares):], own_click_shares,
                                      own_purchase_shares, strict=True):
        row = {"search_query": query, "period_start": end - pd.Timedelta(days=6),
               "period_end": end, "reporting_range": "weekly", "search_query_volume": 2000,
               "total_impressions": 50000, "own_impressions": int(50000 * clicks),
               "total_clicks": total_clicks, "own_clicks": int(round(total_clicks * clicks)),
               "total_cart_adds": 200, "own_cart_adds": 40,
               "total_purchases": total_purchases,
               "own_purchases": int(round(total_purchases * purchases))}
        if asin is not None:
            row["asin"] = asin
        rows.append(row)
    return rows


def test_weekly_shares_are_ours_over_all_and_asin_view_sums_our_asins():
    view = pd.DataFrame(sqp_rows("yoga mat", [0.10], [0.20], asin="B000000001")
                        + sqp_rows("yoga mat", [0.05], [0.10], asin="B000000002"))
    shares = sq.weekly_query_shares(view)
    assert len(shares) == 1
    row = shares.iloc[0]
    assert row["total_clicks"] == 1000  # the query's total, taken once
    assert row["own_clicks"] == 150 and row["own_purchases"] == 30
    assert row["own_click_share"] == pytest.approx(0.15)
    assert row["own_purchase_share"] == pytest.approx(0.30)
    assert row["own_cart_add_share"] == pytest.approx(80 / 200)


def test_zero_total_share_is_not_estimated_and_monthly_rows_are_left_out():
    rows = sqp_rows("mat", [0.1], [0.1])
    rows[0]["total_purchases"] = 0
    monthly = dict(rows[0], reporting_range="monthly", search_query="other")
    shares = sq.weekly_query_shares(pd.DataFrame([*rows, monthly]))
    assert shares["search_query"].tolist() == ["mat"]
    assert np.isnan(shares["own_purchase_share"].iloc[0])


def test_unknown_week_is_a_clear_error():
    frame = pd.DataFrame(sqp_rows("mat", [0.1], [0.1])).drop(
        columns=["period_start", "period_end"])
    frame.attrs["kind"] = "sqp_brand"
    with pytest.raises(ValueError, match="sqp_brand: the week of the report is unknown"):
        sq.weekly_query_shares(frame)


def test_share_trend_fits_the_change_over_the_window():
    falling = sqp_rows("falling", [0.40, 0.30, 0.28, 0.26, 0.24, 0.22],
                       [0.30, 0.30, 0.28, 0.26, 0.24, 0.22])
    steady = sqp_rows("steady", [0.20] * 6, [0.20] * 6)
    young = sqp_rows("young", [0.5, 0.1], [0.5, 0.1])
    shares = sq.weekly_query_shares(pd.DataFrame(falling + steady + young))
    trend = sq.share_trend(shares, trend_weeks=5, falling_share_change=0.05).set_index(
        "search_query")
    # the last five weeks fall 0.02 a week: fitted change -0.08 (the first week is outside)
    assert trend.loc["falling", "click_share_change"] == pytest.approx(-0.08, abs=1e-9)
    assert trend.loc["falling", "weeks"] == 5
    assert trend.loc["falling", "trend"] == "losing_share"
    assert trend.loc["falling", "own_click_share"] == pytest.approx(0.22)
    assert trend.loc["steady", "trend"] == "steady_share"
    assert trend.loc["young", "trend"] == "not_estimated"
    assert np.isnan(trend.loc["young", "click_share_change"])
    assert sq.share_trend(shares, 5, 0.05)["search_query"].iloc[0] == "falling"


@pytest.mark.parametrize(("click", "purchase", "total_purchases", "action"), [
    (0.10, 0.25, 400, "bid_up"),        # 15 points above, far beyond chance
    (0.30, 0.15, 400, "fix_listing"),    # 15 points below
    (0.20, 0.23, 400, "hold"),           # within the margin
    (0.20, 0.30, 40, "hold"),            # 10 points above, but 40 purchases: within chance
    (0.01, 0.50, 400, "not_estimated"),  # 4 of our clicks a week: too few to judge
])
def test_query_actions_one_reason_each(click, purchase, total_purchases, action):
    rows = sqp_rows("q", [click] * 4, [purchase] * 4, total_clicks=100,
                    total_purchases=total_purchases // 4)
    actions = sq.query_actions(sq.weekly_query_shares(pd.DataFrame(rows)), action_weeks=4,
                               action_margin=0.05, action_min_clicks=20, action_z=1.64)
    row = actions.iloc[0]
    assert row["action"] == action
    assert row["reason"] == sq.ACTION_REASONS[action]
    assert row["share_gap"] == pytest.approx(row["own_purchase_share"] - row["own_click_share"])


def test_query_actions_sum_the_window_only():
    rows = sqp_rows("q", [0.30, 0.10, 0.10], [0.30, 0.30, 0.30], total_purchases=200)
    actions = sq.query_actions(sq.weekly_query_shares(pd.DataFrame(rows)), 2, 0.05, 20, 1.64)
    assert actions.iloc[0]["own_clicks"] == 200  # two weeks of 100
    assert actions.iloc[0]["action"] == "bid_up"
    assert actions.iloc[0]["period_start"] == WEEK_ENDS[-2] - pd.Timedelta(days=6)


def top_terms(end, term, products, brands, rank=1000):
    row = {"search_term": term, "search_frequency_rank": rank,
           "period_start": end - pd.Timedelta(days=6), "period_end": end}
    for n, (asin, share) in enumerate(products, start=1):
        row |= {f"clicked_asin_{n}": asin, f"clicked_title_{n}": f"title {asin}",
                f"click_share_{n}": share, f"conversion_share_{n}": share / 2}
    for n, brand in enumerate(brands, start=1):
        row[f"top_clicked_brand_{n}"] = brand
    return row


TERMS = pd.DataFrame([
    top_terms(WEEK_ENDS[-2], "yoga mat", [("B0A", 0.3), ("B0OURS", 0.2), ("B0C", 0.1)],
              ["Acme", "Ours", "Cee"]),
    top_terms(WEEK_ENDS[-1], "yoga mat", [("B0A", 0.3), ("B0NEW", 0.25), ("B0C", 0.1)],
              ["Acme", "Newco", "Cee"]),
    top_terms(WEEK_ENDS[-1], "jump rope", [("B0A", 0.1), ("B0D", 0.05)], ["Acme", "Dee"],
              rank=5000),
    top_terms(WEEK_ENDS[-1], "not ours", [("B0Z", 0.5)], ["Zed"]),
])


def test_top_clicked_keeps_our_queries_one_row_per_position():
    top = sq.top_clicked(TERMS, ["Yoga Mat ", "jump rope"])
    assert set(top["search_term"]) == {"yoga mat", "jump rope"}
    assert len(top) == 3 + 3 + 2
    latest = top[(top["search_term"] == "yoga mat") & (top["period_end"] == WEEK_ENDS[-1])]
    assert latest["asin"].tolist() == ["B0A", "B0NEW", "B0C"]
    assert latest["click_position"].tolist() == [1, 2, 3]


def test_competitor_table_counts_our_terms_and_leaves_us_out():
    table = sq.competitor_table(sq.top_clicked(TERMS, ["yoga mat", "jump rope"]), ["B0OURS"])
    first = table.iloc[0]
    assert first["asin"] == "B0A" and first["search_terms"] == 2
    assert first["click_share"] == pytest.approx(0.2)
    assert first["top_search_term"] == "yoga mat"
    assert "B0OURS" not in set(table["asin"])


def test_top_three_movers_this_week_against_last():
    top = sq.top_clicked(TERMS, ["yoga mat", "jump rope"])
    movers = sq.top_three_movers(top, ["B0OURS"], ["Ours"])
    products = movers[movers["competitor_type"] == "asin"].set_index("competitor")
    assert set(products.index) == {"B0NEW", "B0OURS"}  # jump rope has no last week
    assert products.loc["B0NEW", "movement"] == "entered_top_three"
    assert products.loc["B0NEW", "click_position"] == 2
    assert products.loc["B0NEW", "click_share"] == pytest.approx(0.25)
    assert products.loc["B0OURS", "movement"] == "left_top_three"
    assert products.loc["B0OURS", "previous_click_position"] == 2
    assert bool(products.loc["B0OURS", "own"]) and not bool(products.loc["B0NEW", "own"])
    brands = movers[movers["competitor_type"] == "brand"].set_index("competitor")
    assert brands["movement"].to_dict() == {"Newco": "entered_top_three",
                                            "Ours": "left_top_three"}
    assert sq.top_three_movers(top[top["period_end"] == WEEK_ENDS[-1]], [], []).empty


def test_category_search_market_maps_queries_through_our_asins():
    sqp_asin = pd.DataFrame(
        sqp_rows("yoga mat", [0.10], [0.1], asin="B0OURS")
        + sqp_rows("yoga mat", [0.02], [0.1], asin="B0OTHER")
        + sqp_rows("jump rope", [0.10], [0.1], asin="B0OTHER"))
    sqp_asin.loc[sqp_asin["search_query"] == "jump rope", "search_query_volume"] = 6000
    products = pd.DataFrame({"asin": ["B0OURS", "B0OTHER"], "category": ["Fitness", "Toys"]})
    market = sq.category_search_market(sqp_asin, TERMS, products).set_index("category")
    assert market.loc["Fitness", "search_queries"] == 1  # yoga mat: most clicks via B0OURS
    assert market.loc["Fitness", "query_volume"] == 2000
    assert market.loc["Fitness", "top_3_click_share"] == pytest.approx(0.65)
    assert market.loc["Fitness", "best_search_frequency_rank"] == 1000
    assert market.loc["Toys", "top_3_click_share"] == pytest.approx(0.15)
    assert "week ending 2026-10-31" in market.loc["Toys", "competition_source"]
    assert "Search Query Performance (ASIN view)" in market.loc["Toys", "demand_source"]
    without_terms = sq.category_search_market(sqp_asin, None, products)
    assert without_terms["top_3_click_share"].isna().all()
    assert (without_terms["competition_source"] == "").all()
    assert sq.category_search_market(None, TERMS, products).empty

"""Schema: kinds, aliases (exact after normalisation, never substrings), header_for, docs."""

import pytest

from opsanalysis.io import schema
from opsanalysis.io.docs import DOC_PATH, canonical_columns_markdown

CONTRACT_KINDS = [
    "business_report_asin", "business_report_date", "all_orders", "fba_inventory",
    "inventory_history", "inventory_planning", "excess_inventory", "restock", "fba_returns",
    "mfn_returns", "sp_search_term", "sp_targeting", "sp_campaign", "sp_advertised_product",
    "sp_placement", "sp_purchased_product", "sp_performance_over_time", "console_campaigns",
    "console_search_terms", "account_health", "product_master", "niche",
]


def test_every_contract_kind_exists():
    assert set(CONTRACT_KINDS) <= set(schema.KINDS)


@pytest.mark.parametrize("kind", CONTRACT_KINDS)
def test_kind_columns_are_well_formed(kind):
    spec = schema.get_kind(kind)
    assert spec.required, kind
    for column in spec.columns:
        assert column.dtype in schema.DTYPES
        assert column.name == schema.snake_name(column.name)


@pytest.mark.parametrize("kind", list(schema.KINDS))
def test_aliases_are_unambiguous_within_a_kind(kind):
    owner = {}
    for column in schema.get_kind(kind).columns:
        for texts in column.aliases.values():
            for text in texts:
                folded = schema.normalise_header(text)
                assert owner.setdefault(folded, column.name) == column.name, (kind, text)


@pytest.mark.parametrize("kind", list(schema.KINDS))
def test_header_for_round_trips_in_every_locale(kind):
    for column in schema.get_kind(kind).columns:
        if not column.aliases:
            continue
        for locale in schema.LOCALES:
            for days in (7, 14):
                header = schema.header_for(kind, column.name, locale, attribution_days=days)
                match = schema.match_header(kind, header)
                assert match.column == column.name, (kind, column.name, locale, header)


def test_business_report_b2b_is_never_a_substring_match():
    kind = "business_report_asin"
    assert schema.match_header(kind, "Sessions – Total").column == "sessions"
    assert schema.match_header(kind, "Sessions – Total – B2B").column == "sessions_b2b"
    assert schema.match_header(kind, "Sessions - Total - B2B - Mobile").column is None
    assert schema.match_header(kind, "Units Ordered - B2B").column == "units_ordered_b2b"
    assert schema.match_header(kind, "Ordered Product Sales – B2B").column == \
        "ordered_product_sales_b2b"


def test_normalisation():
    assert schema.normalise_header("\ufeff Units  ordered ") == "units ordered"
    assert schema.normalise_header("（子）ASIN") == "(子)asin"
    assert schema.normalise_header("Sessions — Total") == schema.normalise_header(
        "Sessions - Total")
    assert schema.match_header("all_orders", "price-designation ").column == "price_designation"
    assert schema.match_header("business_report_asin", "(親)ASIN").column == "parent_asin"


def test_ads_headers_carry_window_currency_and_scale():
    match = schema.match_header("sp_search_term", "14 Day Total Sales (₹)")
    assert (match.column, match.attribution_days, match.currency) == ("sales", 14, "INR")
    match = schema.match_header("sp_campaign", "Total Advertising Cost of Sales (ACoS) ")
    assert match.column == "acos"
    match = schema.match_header("console_campaigns", "Spend(USD)")
    assert (match.column, match.currency) == ("spend", "USD")
    assert schema.match_header("console_campaigns", "CTR(%)").column == "ctr"
    assert schema.match_header("sp_search_term", "7天总销售额").attribution_days == 7


def test_header_for_locales():
    assert schema.header_for("business_report_asin", "sessions", "en-US") == "Sessions - Total"
    assert schema.header_for("business_report_asin", "sessions", "en-GB") == "Sessions – Total"
    assert schema.header_for("business_report_asin", "sessions_b2b", "de-DE") == \
        "Sitzungen – Summe – B2B"
    assert schema.header_for("business_report_asin", "units_ordered", "ja-JP") == "注文された商品点数"
    assert schema.header_for("business_report_asin", "parent_asin", "zh-CN") == "（父）ASIN"
    # flat files fall back to Amazon's English hyphenated header
    assert schema.header_for("all_orders", "amazon_order_id", "fr-FR") == "amazon-order-id"
    assert schema.header_for("sp_search_term", "sales", "en-US", attribution_days=14) == \
        "14 Day Total Sales"
    assert schema.header_for("console_campaigns", "spend", "en-GB") == "Spend(GBP)"
    with pytest.raises(KeyError, match="canonical column"):
        schema.header_for("all_orders", "no_such_column")
    with pytest.raises(KeyError, match="known kinds"):
        schema.canonical_columns("no_such_kind")


def test_money_kinds_list_currency():
    for kind, spec in schema.KINDS.items():
        if any(column.dtype == schema.MONEY for column in spec.columns):
            assert "currency" in spec.column_names, kind


def test_canonical_columns_doc_is_up_to_date(repo_root):
    path = repo_root / DOC_PATH
    assert path.is_file(), "run opsanalysis.io.docs.write_canonical_columns_doc(repo_root)"
    assert path.read_text(encoding="utf-8") == canonical_columns_markdown(), (
        "docs/canonical-columns.md is stale: run "
        "opsanalysis.io.docs.write_canonical_columns_doc(repo_root)")

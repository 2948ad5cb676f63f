"""Known answers for the one number convention of every table, sentence and workbook."""

import math

import pandas as pd
import pytest

from opsanalysis import formats
from opsanalysis.labels import label


@pytest.mark.parametrize(("name", "kind"), [
    ("acos", "percent"), ("tacos", "percent"), ("ctr", "percent"), ("return_rate", "percent"),
    ("fill_rate", "percent"), ("unit_session_percentage", "percent"),
    ("break_even_acos", "percent"), ("probability_of_sale", "percent"),
    ("order_cost", "money"), ("sales", "money"), ("expected_lost_sales", "money"),
    ("bid", "money"), ("storage_fee", "money"), ("landed_margin", "money"),
    ("order_qty", "count"), ("units_ordered", "count"), ("clicks", "count"),
    ("sales_rank", "count"), ("on_hand", "count"),
    ("days_of_cover_now", "days"), ("lead_time_days", "days"), ("avg_on_hand_days", "days"),
    ("order_by", "date"), ("expected_arrival", "date"), ("week", "date"),
    ("cost_currency", "text"), ("status", "text"), ("reason_text", "text"), ("sku", "text"),
    ("search_term", "text"), ("campaign_name", "text"),
    ("service_target", "number"),
])
def test_column_kind_from_the_canonical_name(name, kind):
    assert formats.column_kind(name) == kind


def test_values_decide_before_the_name():
    assert formats.column_kind("status", pd.Series([1.0, 2.0])) == "number"
    assert formats.column_kind("anything", pd.Series(pd.to_datetime(["2026-01-01"]))) == "date"
    assert formats.column_kind("order_qty", pd.Series([True, False])) == "bool"
    assert formats.column_kind("order_qty", pd.Series(["a", "b"])) == "text"
    # an empty object column keeps the kind its name gives
    assert formats.column_kind("order_qty", pd.Series([None, None], dtype=object)) == "count"


@pytest.mark.parametrize(("value", "kind", "currency", "text"), [
    (0.1234, "percent", None, "12.3%"),
    (0.003797, "percent", None, "0.4%"),
    (1234.567, "money", "USD", "1,234.57"),
    (1234.567, "money", "JPY", "1,235"),
    (117.0, "count", None, "117"),
    (27.40820348437025, "days", None, "27.4"),
    (1.23456, "number", None, "1.23"),
    (pd.Timestamp("2026-11-03 00:00:00"), "date", None, "2026-11-03"),
    (True, "bool", None, "yes"),
    ("order_now", "text", None, "Order now"),
    ("HL-KIT-029", "text", None, "HL-KIT-029"),
])
def test_format_value_known_answers(value, kind, currency, text):
    assert formats.format_value(value, kind, currency) == text


@pytest.mark.parametrize("kind", ["percent", "money", "count", "days", "number"])
@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, math.inf])
def test_an_unknown_number_reads_not_estimated_never_zero(kind, missing):
    assert formats.format_value(missing, kind, "USD", "en") == "not estimated"
    assert formats.format_value(missing, kind, "USD", "zh") == label("not_estimated", "zh")


def test_missing_dates_and_text_read_a_dash():
    assert formats.format_value(pd.NaT, "date") == formats.MISSING_TEXT
    assert formats.format_value(None, "text") == formats.MISSING_TEXT


def test_codes_are_words_in_both_languages():
    assert formats.format_value("order_now", "text", language="zh") == label("order_now", "zh")
    assert formats.format_value(False, "bool", language="zh") == label("no", "zh")


def test_money_text_and_percent_text():
    assert formats.money_text(4495550, "JPY") == "4,495,550 JPY"
    assert formats.money_text(12.5, "EUR") == "12.50 EUR"
    assert formats.money_text(float("nan"), "EUR") == "not estimated"
    assert formats.percent_text(0.25, digits=0) == "25%"


def test_format_column_with_a_currency_per_row():
    values = pd.Series([10.0, 1000.0])
    currency = pd.Series(["USD", "JPY"])
    assert list(formats.format_column(values, "money", currency)) == ["10.00", "1,000"]


@pytest.mark.parametrize(("kind", "currency", "number_format"), [
    ("percent", None, "0.0%"), ("money", "USD", "#,##0.00"), ("money", "JPY", "#,##0"),
    ("count", None, "#,##0"), ("days", None, "#,##0.0"), ("date", None, "yyyy-mm-dd"),
    ("text", None, None), ("bool", None, None),
])
def test_excel_number_formats(kind, currency, number_format):
    assert formats.excel_number_format(kind, currency) == number_format

"""Rule pack and per-marketplace params: merge, scope, events and validation errors."""

from pathlib import Path

import pytest
import yaml

from opsanalysis import bundled, marketplaces, params
from opsanalysis.params import ParamsError

# Every rule of ../shared/reference/rules-of-thumb.md, by id (the scorecard and topics use these).
EXPECTED_RULES = {
    "order_defect_rate", "late_shipment_rate", "pre_fulfillment_cancel_rate",
    "valid_tracking_rate", "on_time_delivery_rate", "account_health_rating",
    "account_health_rating_critical", "days_of_cover", "days_of_cover_floor",
    "excess_days_of_supply", "aged_inventory_age", "q4_storage_multiplier", "ipi_score",
    "inventory_turnover", "fba_shipment_lead_days", "fba_check_in_days", "fba_check_in_days_q4",
    "stockout_sales_loss", "buy_box_share", "return_rate", "gmv_growth_yoy",
    "gross_margin_stability", "bsr_rank", "weight_building_weeks", "launch_no_sale_grace_days",
    "listing_go_live_hours", "a_plus_refresh_days", "negative_reviews_per_week",
    "negative_feedback_per_week", "budget_capped_days",
    "negative_review_reply_hours_assistant", "negative_review_reply_hours_specialist", "acos",
    "roas", "tacos_trend", "acos_vs_break_even", "negative_keyword_cpc",
    "negative_keyword_review_days", "harvest_min_orders",
    "bid_step", "ad_groups_per_campaign", "ads_reviews_per_day", "search_term_review_days",
    "hhi_concentration", "referral_fee_rate", "epr_handling_fee",
}


def write_mp(tmp_path: Path, code: str, text: str) -> Path:
    """A params folder holding only ``<code>.yaml``: defaults come from the package."""
    (tmp_path / f"{code}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


US_HEAD = 'marketplace: "US"\ncurrency: "USD"\n'


@pytest.mark.parametrize("code", marketplaces.codes())
def test_every_marketplace_loads(code):
    loaded = params.load(code)
    assert tuple(loaded) == params.TOP_LEVEL_KEYS
    assert loaded["marketplace"] == code
    assert loaded["currency"] == marketplaces.get(code).currency
    assert loaded["language"] in params.LANGUAGES


def test_defaults_hold_every_rule_with_required_fields():
    defaults = params.load_defaults()
    assert set(defaults["rules"]) == EXPECTED_RULES
    for rule_id, fields in defaults["rules"].items():
        for name in params.RULE_REQUIRED:
            assert fields[name], (rule_id, name)
        assert fields["direction"] in params.DIRECTIONS


def test_known_rule_values():
    us = params.load("US")
    assert params.rule(us, "order_defect_rate")["value"] == 0.01
    assert params.rule(us, "order_defect_rate")["direction"] == "below"
    lsr = params.rule(us, "late_shipment_rate")
    assert (lsr["value"], lsr["article_value"]) == (0.04, 0.05)  # Amazon's figure is the default
    acos = params.rule(us, "acos")
    assert (acos["min"], acos["max"], acos["direction"]) == (0.15, 0.25, "within")
    assert params.rule(us, "days_of_cover_floor")["value"] == 28


def test_marketplace_override_merges_field_by_field():
    us, uk = params.load("US"), params.load("UK")
    assert (us["rules"]["days_of_cover"]["min"], us["rules"]["days_of_cover"]["max"]) == (30, 45)
    assert (uk["rules"]["days_of_cover"]["min"], uk["rules"]["days_of_cover"]["max"]) == (30, 60)
    assert "UK" in uk["rules"]["days_of_cover"]["source"]
    assert uk["rules"]["days_of_cover"]["unit"] == "days"  # inherited from the defaults
    assert params.load("JP")["rules"]["negative_keyword_cpc"]["value"] == 160
    assert params.load("JP")["language"] == "zh"


def test_scoped_rule_only_in_its_marketplace():
    assert "epr_handling_fee" in params.load("JP")["rules"]
    assert "epr_handling_fee" not in params.load("US")["rules"]


def test_lead_time_legs_by_destination():
    sea = {code: params.load(code)["lead_time"]["freight_days"]["sea"] for code in ("US", "DE", "JP")}
    assert 30 <= sea["US"] <= 35
    assert 40 <= sea["DE"] <= 45
    assert 10 <= sea["JP"] <= 14
    us = params.load("US")["lead_time"]
    assert us["freight_mode"] == "sea" and us["q4_check_in_multiplier"] > 1


def test_fee_table_is_dated_data():
    fees = params.load("US")["fees"]
    assert fees["fee_table_version"] == "US-2024-04-01"
    assert fees["storage_fee_peak"]["standard"] == 2.40
    assert fees["aged_inventory_surcharge"][0] == {
        "min_age_days": 181, "per_volume": 0.50, "per_unit": 0.0,
    }
    assert params.load("DE")["fees"]["vat_rate"] == 0.19


def test_events_resolved_per_marketplace():
    def prime_day(code, year):
        calendar = params.load(code)["events"]["calendar"]
        (entry,) = [e for e in calendar if e["event"] == "prime_day" and e["start"][:4] == year]
        return entry["start"], entry["end"]

    assert prime_day("US", "2025") == ("2025-07-08", "2025-07-11")
    assert prime_day("JP", "2025") == ("2025-07-11", "2025-07-14")
    assert prime_day("IN", "2024") == ("2024-07-20", "2024-07-21")
    calendar = params.load("DE")["events"]["calendar"]
    events = {e["event"] for e in calendar}
    assert {"prime_day", "black_friday", "cyber_monday", "singles_day", "christmas"} <= events
    years = {e["start"][:4] for e in calendar if e["event"] == "black_friday"}
    assert years == {"2023", "2024", "2025", "2026", "2027"}
    assert ("black_friday", "2026-11-27") in {(e["event"], e["start"]) for e in calendar}


def test_rules_table():
    table = params.rules_table(params.load("US"))
    assert list(table.columns[:9]) == [
        "rule_id", "value", "min", "max", "unit", "direction", "scope", "source", "checked",
    ]
    row = table.set_index("rule_id").loc["buy_box_share"]
    assert row["value"] == 0.80 and row["direction"] == "at_least"
    assert table["min"].dtype == "float64"
    assert len(table) == len(EXPECTED_RULES) - 1  # epr_handling_fee is JP only


def test_rule_unknown_id_suggests():
    with pytest.raises(KeyError, match="order_defect_rate"):
        params.rule(params.load("US"), "order_defect_rat")


def test_unknown_marketplace():
    with pytest.raises(marketplaces.UnknownMarketplaceError):
        params.load("XX")


def test_unknown_key_names_file_and_path(tmp_path):
    folder = write_mp(tmp_path, "US", US_HEAD + "lead_time:\n  frieght_days:\n    sea: 30\n")
    with pytest.raises(ParamsError) as info:
        params.load("US", folder)
    message = str(info.value)
    assert "US.yaml" in message and "line 4" in message
    assert "lead_time.frieght_days" in message and "freight_days" in message


def test_unknown_top_level_key(tmp_path):
    folder = write_mp(tmp_path, "US", US_HEAD + "forcast:\n  horizon_days: 7\n")
    with pytest.raises(ParamsError, match="did you mean 'forecast'"):
        params.load("US", folder)


def test_wrong_type(tmp_path):
    folder = write_mp(tmp_path, "US", US_HEAD + "replenishment:\n  target_cover_days: [45]\n")
    with pytest.raises(ParamsError, match=r"replenishment\.target_cover_days.*whole number"):
        params.load("US", folder)


def test_int_accepted_for_float(tmp_path):
    folder = write_mp(tmp_path, "US", US_HEAD + "ads:\n  target_acos: 0\n")
    assert params.load("US", folder)["ads"]["target_acos"] == 0


@pytest.mark.parametrize(
    ("yaml_line", "raw", "read_as"),
    [
        ("language: on", "on", "boolean"),
        ("lead_time:\n  origin: NO", "NO", "boolean"),
        ("lead_time:\n  origin: 001", "001", "number"),
    ],
)
def test_codes_read_as_booleans_or_numbers_must_be_quoted(tmp_path, yaml_line, raw, read_as):
    folder = write_mp(tmp_path, "US", US_HEAD + yaml_line + "\n")
    with pytest.raises(ParamsError) as info:
        params.load("US", folder)
    message = str(info.value)
    assert "US.yaml" in message and f"`{raw}`" in message
    assert read_as in message and "quote it" in message


def test_duplicate_key(tmp_path):
    folder = write_mp(tmp_path, "US", US_HEAD + 'language: "en"\nlanguage: "zh"\n')
    with pytest.raises(ParamsError, match="duplicate key 'language'"):
        params.load("US", folder)


def test_new_rule_needs_required_fields(tmp_path):
    folder = write_mp(tmp_path, "US", US_HEAD + "rules:\n  my_rule:\n    value: 3\n")
    with pytest.raises(ParamsError, match=r"rules\.my_rule.*required fields"):
        params.load("US", folder)


def test_new_complete_rule_is_accepted(tmp_path):
    text = US_HEAD + (
        "rules:\n  coupon_share:\n    value: 0.1\n    unit: fraction\n    direction: at_most\n"
        '    scope: "US"\n    source: "team target"\n    checked: "2026-11"\n'
    )
    assert params.load("US", write_mp(tmp_path, "US", text))["rules"]["coupon_share"]["value"] == 0.1


@pytest.mark.parametrize(
    ("rule_yaml", "match"),
    [
        ("    direction: sideways\n", "not one of"),
        ("    unknown_field: 1\n", "unknown rule field"),
        ("    min: 0.5\n", "above max"),
        ('    checked: "Jan 2026"\n', "YYYY-MM"),
        ('    scope: "XX"\n', "scope"),
    ],
)
def test_rule_field_errors(tmp_path, rule_yaml, match):
    folder = write_mp(tmp_path, "US", US_HEAD + "rules:\n  acos:\n" + rule_yaml)
    with pytest.raises(ParamsError, match=match):
        params.load("US", folder)


def test_currency_and_language_checked(tmp_path):
    with pytest.raises(ParamsError, match="uses USD"):
        params.load("US", write_mp(tmp_path, "US", 'marketplace: "US"\ncurrency: "EUR"\n'))
    with pytest.raises(ParamsError, match="not one of"):
        params.load("US", write_mp(tmp_path, "US", US_HEAD + 'language: "fr"\n'))


def test_unquoted_event_date(tmp_path):
    text = US_HEAD + (
        "events:\n  calendar:\n"
        '    - {event: "prime_day", start: 2026-07-14, end: "2026-07-15", scope: "all", estimated: true}\n'
    )
    with pytest.raises(ParamsError, match=r"events\.calendar\[0\]\.start.*quote it"):
        params.load("US", write_mp(tmp_path, "US", text))


def test_broken_defaults_in_custom_folder(tmp_path, repo_root):
    text = (repo_root / "params" / "defaults.yaml").read_text(encoding="utf-8")
    broken = text.replace(
        '    source: "Amazon policy (MFN orders)"\n    checked: "2026-01"\n  valid_tracking_rate',
        '    checked: "2026-01"\n  valid_tracking_rate',
    )
    assert broken != text
    (tmp_path / "defaults.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(ParamsError, match=r"defaults\.yaml.*pre_fulfillment_cancel_rate.*source"):
        params.load_defaults(tmp_path)


def test_missing_marketplace_file_falls_back_to_package(tmp_path):
    assert params.load("DE", tmp_path)["marketplace"] == "DE"


def test_params_dir_search(tmp_path, monkeypatch, repo_root):
    monkeypatch.delenv(params.ENV_VAR, raising=False)
    # the shipped params; in the editable dev install they are the checkout's params/
    assert params.find_params_dir("") == bundled.params_dir() == repo_root / "params"
    with pytest.raises(ParamsError, match="does not exist"):
        params.find_params_dir(tmp_path / "nope")
    # $OPSANALYSIS_PARAMS wins over the shipped params
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "defaults.yaml").write_text("", encoding="utf-8")
    monkeypatch.setenv(params.ENV_VAR, str(tmp_path / "mine"))
    assert params.find_params_dir() == tmp_path / "mine"
    monkeypatch.setenv(params.ENV_VAR, str(tmp_path / "nope"))
    with pytest.raises(ParamsError, match="has no defaults.yaml"):
        params.find_params_dir()
    # a params/ folder near the working directory is not picked up by itself
    monkeypatch.delenv(params.ENV_VAR)
    (tmp_path / "project" / "params").mkdir(parents=True)
    (tmp_path / "project" / "params" / "defaults.yaml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "project")
    assert params.find_params_dir() == bundled.params_dir()


def test_own_folder_overrides_only_the_files_it_holds(tmp_path):
    own = params.load_defaults()
    own["rules"]["order_defect_rate"]["value"] = 0.02
    (tmp_path / "defaults.yaml").write_text(
        yaml.safe_dump(own, sort_keys=False, allow_unicode=True), encoding="utf-8")
    write_mp(tmp_path, "US", US_HEAD + 'language: "zh"\n')
    us, de, shipped_de = params.load("US", tmp_path), params.load("DE", tmp_path), params.load("DE")
    assert us["language"] == "zh" and us["rules"]["order_defect_rate"]["value"] == 0.02
    # DE.yaml is the shipped one, merged onto the folder's own defaults.yaml
    assert de["rules"]["order_defect_rate"]["value"] == 0.02
    assert shipped_de["rules"]["order_defect_rate"]["value"] == 0.01
    assert de["lead_time"] == shipped_de["lead_time"] and de["currency"] == "EUR"


def test_available_marketplaces():
    assert params.available_marketplaces() == marketplaces.codes()


def test_loaded_params_are_independent_copies():
    first = params.load("US")
    first["rules"]["acos"]["max"] = 0.99
    first["lead_time"]["q4_months"].append(1)
    second = params.load("US")
    assert second["rules"]["acos"]["max"] == 0.25
    assert second["lead_time"]["q4_months"] == [10, 11, 12]


@pytest.mark.parametrize("code", ["AU", "SG"])
def test_au_and_sg_lead_times_gst_and_rates_have_sources(code):
    # issue 19: the sample's AU and SG take these from their params, each with its source
    loaded = params.load(code)
    lead = loaded["lead_time"]
    assert {"freight_days", "customs_days"} <= set(lead["sources"])
    assert lead["freight_days"]["sea"] > lead["freight_days"]["air"] > 0
    assert {"vat_rate", "epr_fee_per_item", "storage_fee_off_peak"} <= set(
        loaded["fees"]["sources"])
    assert loaded["fees"]["vat_rate"] == {"AU": 0.10, "SG": 0.09}[code]
    rate = loaded["opportunity"]["fx_rates"]["CNY"]
    assert rate["rate"] > 0 and rate["date"] and "fx_rates" in loaded["opportunity"]["sources"]

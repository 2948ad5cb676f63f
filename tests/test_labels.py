"""Bilingual labels: completeness, rule-pack coverage, lookup and file merging."""

import re
import string

import pandas as pd
import pytest

from opsanalysis import labels, params
from opsanalysis.labels import LabelError


def test_every_label_has_both_languages():
    everything = labels.all_labels()
    assert len(everything) > 100
    for key, texts in everything.items():
        assert set(texts) == {"en", "zh"}, key
        assert texts["en"].strip() and texts["zh"].strip(), key


def test_every_rule_has_a_label():
    rule_ids = set(params.load_defaults()["rules"])
    missing = rule_ids - set(labels.all_labels())
    assert not missing


def test_known_wording():
    assert labels.label("order_defect_rate", "zh") == "订单缺陷率 (ODR)"
    assert labels.label("days_of_cover", "zh") == "可售天数"
    assert labels.label("weight_building", "zh") == "权重积累"
    assert labels.label("buy_box_share", "zh") == "购物车占比"
    assert labels.label("sessions", "zh") == "会话数"
    assert labels.label("sessions") == "Sessions"
    assert labels.label("sessions", "zh-CN") == "会话数"


def test_unknown_key_suggests():
    with pytest.raises(KeyError, match="sessions"):
        labels.label("sesions")


def test_unknown_language():
    with pytest.raises(ValueError, match="language"):
        labels.label("sessions", "fr")


def test_translate_columns_returns_translated_copy():
    df = pd.DataFrame({"sku": ["A"], "sessions": [10], "my_column": [1.5]})
    zh = labels.translate_columns(df, "zh")
    assert list(zh.columns) == ["SKU", "会话数", "my_column"]
    assert list(df.columns) == ["sku", "sessions", "my_column"]  # original untouched
    assert zh["会话数"].tolist() == [10]
    assert list(labels.translate_columns(df, "en").columns) == ["SKU", "Sessions", "my_column"]


def test_all_labels_is_a_copy():
    copy = labels.all_labels()
    copy["sessions"]["en"] = "changed"
    assert labels.label("sessions") == "Sessions"


def test_duplicate_key_across_files(tmp_path):
    (tmp_path / "a.yaml").write_text('units: {en: "Units", zh: "销量"}\n', encoding="utf-8")
    (tmp_path / "b.yaml").write_text('units: {en: "Units", zh: "件数"}\n', encoding="utf-8")
    with pytest.raises(LabelError, match="a.yaml and b.yaml"):
        labels.load_label_files(tmp_path)


def test_files_merge(tmp_path):
    (tmp_path / "a.yaml").write_text('x: {en: "X", zh: "甲"}\n', encoding="utf-8")
    (tmp_path / "b.yaml").write_text('y: {en: "Y", zh: "乙"}\n', encoding="utf-8")
    assert labels.load_label_files(tmp_path) == {"x": {"en": "X", "zh": "甲"}, "y": {"en": "Y", "zh": "乙"}}


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('x: {en: "X"}\n', "exactly the languages"),
        ('x: {en: "X", zh: ""}\n', "no zh text"),
        ('on: {en: "On", zh: "开"}\n', "not text"),
        ('x: {en: "X", zh: "甲"}\nx: {en: "X2", zh: "乙"}\n', "duplicate label"),
    ],
)
def test_malformed_files(tmp_path, text, match):
    (tmp_path / "topic.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(LabelError, match=match):
        labels.load_label_files(tmp_path)


def test_add_labels_puts_codes_into_words_beside_them():
    card = pd.DataFrame({"rule_id": ["order_defect_rate", "team_rule", None],
                         "value": [0.01, 2.0, 3.0]})
    worded = labels.add_labels(card, "rule_id", "zh")
    assert list(worded.columns) == ["rule_id", "label", "value"]
    assert worded["label"].iloc[0] == "订单缺陷率 (ODR)"
    # a code without a label (a rule a team added) stays as it is; a missing code stays missing
    assert worded["label"].iloc[1] == "team_rule" and pd.isna(worded["label"].iloc[2])
    assert list(card.columns) == ["rule_id", "value"]  # a copy: the input is untouched
    # an existing label column is replaced, not repeated
    again = labels.add_labels(worded, "rule_id", "en")
    assert list(again.columns) == ["rule_id", "label", "value"]
    assert again["label"].iloc[0] == labels.label("order_defect_rate", "en")
    statuses = labels.add_labels(pd.DataFrame({"status": ["breach"]}), "status", "en", "status")
    assert statuses["status"].tolist() == [labels.label("breach", "en")]


# --- fill: English count nouns agree with a count of exactly 1 ---------------------------------

_TEMPLATES = {
    "stock": {"en": "{skus} SKUs out of stock on {days} SKU-days: about {units} units",
              "zh": "{skus} 个 SKU 断货 {days} 个 SKU 日：约 {units} 件"},
    "position": {"en": "on hand + inbound {position} units ({position_days} days)",
                 "zh": "在库 + 在途 {position} 件（{position_days} 天）"},
    "spec": {"en": "{units:,} units in {limit:g} hours", "zh": "{limit:g} 小时内 {units:,} 件"},
    "terms": {"en": "{kept} search terms kept, {sales} net sales", "zh": "保留 {kept} 个搜索词"},
    "prose": {"en": "units of {count}; {count}+ days; {note}", "zh": "{count} 件；{note}"},
}


@pytest.fixture
def templates(monkeypatch):
    """Label texts of known wording, so the scenarios do not depend on the package's files."""
    monkeypatch.setattr(labels, "_labels", lambda: _TEMPLATES)


def test_fill_one_takes_the_singular(templates):
    assert labels.fill("stock", "en", skus=1, days=1, units=1) == (
        "1 SKU out of stock on 1 SKU-day: about 1 unit")
    assert labels.fill("position", "en", position="1", position_days=1) == (
        "on hand + inbound 1 unit (1 day)")
    # the count agrees noun by noun: "1 SKU" beside "2 SKU-days"
    assert labels.fill("stock", "en", skus=1, days=2, units=2) == (
        "1 SKU out of stock on 2 SKU-days: about 2 units")


@pytest.mark.parametrize(("count", "expected"), [
    (0, "on hand + inbound 0 units (0 days)"),
    (21, "on hand + inbound 21 units (21 days)"),
    (1.5, "on hand + inbound 1.5 units (1.5 days)"),
    (1.0, "on hand + inbound 1.0 units (1.0 days)"),  # a decimal count stays plural
    ("1,001", "on hand + inbound 1,001 units (1,001 days)"),
    (-1, "on hand + inbound -1 units (-1 days)"),  # a negative count stays plural
    (11, "on hand + inbound 11 units (11 days)"),
    ("not estimated", "on hand + inbound not estimated units (not estimated days)"),
])
def test_fill_other_counts_stay_plural(templates, count, expected):
    assert labels.fill("position", "en", position=count, position_days=count) == expected


def test_fill_format_specs_apply_before_the_count_is_read(templates):
    # {limit:g} prints 1.0 as "1": singular; {units:,} prints 1001 as "1,001": plural
    assert labels.fill("spec", "en", units=1001, limit=1.0) == "1,001 units in 1 hour"
    assert labels.fill("spec", "en", units=1, limit=24.0) == "1 unit in 24 hours"


def test_fill_one_known_word_may_stand_between_count_and_noun(templates):
    # "search" is a known modifier; "net sales" is money, not a count noun
    assert labels.fill("terms", "en", kept=1, sales=1) == "1 search term kept, 1 net sales"


def test_fill_leaves_nouns_not_right_after_a_placeholder(templates):
    assert labels.fill("prose", "en", count=1, note="1 units") == "units of 1; 1+ days; 1 units"


def test_fill_chinese_is_str_format(templates):
    values = {"skus": 1, "days": 1, "units": 1}
    assert labels.fill("stock", "zh", **values) == _TEMPLATES["stock"]["zh"].format(**values)
    assert labels.fill("stock", "zh-CN", **values) == "1 个 SKU 断货 1 个 SKU 日：约 1 件"


def test_fill_missing_value_and_unknown_key(templates):
    with pytest.raises(KeyError, match="days"):
        labels.fill("stock", "en", skus=1, units=1)
    with pytest.raises(KeyError, match="stock"):
        labels.fill("stocks", "en")


def _fields(text):
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(text)
            if field}


_PLURAL = {singular: plural for plural, singular in labels.COUNT_NOUNS.items()}
_SINGULAR_WORD = re.compile(r"\b(" + "|".join(map(re.escape, _PLURAL)) + r")(?![\w-])")


def _all_plural(text):
    return _SINGULAR_WORD.sub(lambda match: _PLURAL[match[1]], text)


def test_fill_every_label_zh_identical_and_en_identical_but_for_count_nouns():
    """Filled with 1 everywhere, zh is byte-identical to str.format and en differs only in
    count nouns; filled with 2, en is byte-identical too."""
    changed = 0
    for key, texts in labels.all_labels().items():
        ones = dict.fromkeys(_fields(texts["en"]) | _fields(texts["zh"]), 1)
        twos = dict.fromkeys(ones, 2)
        assert labels.fill(key, "zh", **ones) == texts["zh"].format(**ones), key
        assert labels.fill(key, "en", **twos) == texts["en"].format(**twos), key
        english, before = labels.fill(key, "en", **ones), texts["en"].format(**ones)
        assert _all_plural(english) == _all_plural(before), key
        changed += english != before
    assert changed > 50  # the sweep reaches the count sentences (about 90 today)


def test_fill_knows_every_noun_the_english_labels_count():
    """A new en label that counts a new noun ("{n} widgets") fails here until the noun is added
    to COUNT_NOUNS (or, for a word that is no count noun, to the list below)."""
    not_counted = {"as", "has", "is", "less", "lands", "ranks", "sales", "takes", "vs"}
    unknown = set()
    for key, texts in labels.all_labels().items():
        parts = list(string.Formatter().parse(texts["en"]))
        for (_, field, _, _), (literal, _, _, _) in zip(parts, parts[1:], strict=False):
            match = re.match(r" ([A-Za-z-]+)(?: ([A-Za-z-]+))?", literal) if field else None
            if not match:
                continue
            first, second = match.groups()
            word = second if first in labels.COUNT_MODIFIERS and second else first
            if word.endswith("s") and word not in {*labels.COUNT_NOUNS, *not_counted}:
                unknown.add((key, word))
    assert not unknown


def test_counted_templates_read_singular_in_english_and_keep_their_chinese():
    # the sentences that once took a ready-made "<n> <noun>" (section.counted) now hold the noun
    assert labels.fill("morning_listings_finding", "en", listings="1", stranded=1,
                       units="1") == "1 listing cannot sell: 1 with stranded FBA stock (1 unit)."
    assert labels.fill("morning_listings_finding", "zh", listings="2", stranded=1,
                       units="5") == "2 个 listing 无法销售：1 个有滞留 FBA 库存（5 件）。"
    assert labels.fill("competitor_price_changes_finding", "en", count=1, threshold="5%",
                       days=14, cuts=0) == ("1 competitor price change of 5% or more in the "
                                           "last 14 days; cuts among them: 0.")
    assert labels.fill("search_query_share_steady", "en", count="1", weeks=4) == (
        "None of 1 search query lost click share over the last 4 weeks.")
    assert labels.fill("morning_feedback_finding", "zh", count="0", days="7") == (
        "最近 7 天收到 0 条差评反馈。")

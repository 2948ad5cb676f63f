"""Bilingual labels: completeness, rule-pack coverage, lookup and file merging."""

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

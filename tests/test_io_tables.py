"""Reading the cells of delimited reports: counts typed by pyarrow where it can."""

import pandas as pd
import pytest

from opsanalysis.io import ValueParseError, read_report

HEADER = ("Date,Campaign Name,Ad Group Name,Targeting,Match Type,Customer Search Term,"
          "Impressions,Clicks,Spend,7 Day Total Sales ,7 Day Total Orders (#)\n")


def _search_terms(tmp_path, rows, name="terms.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _row(day, impressions, clicks="3", orders="1"):
    return (f'"Oct {day}, 2026",Mats,Group,bath mat,EXACT,bath mat grey,{impressions},'
            f'{clicks},$1.20,$29.99,{orders}\n')


def test_plain_counts_are_exact_integers(tmp_path):
    path = _search_terms(tmp_path, [_row(1 + i % 28, 100 + i) for i in range(5000)])
    frame = read_report(path, marketplace="US")
    assert str(frame["impressions"].dtype) == "Int64"
    assert frame["impressions"].tolist() == [100 + i for i in range(5000)]
    assert frame["date"].iloc[0] == pd.Timestamp("2026-10-01")


def test_a_grouped_count_far_down_the_file_is_read_as_text(tmp_path):
    # pyarrow's int64 reading fails on "1,234" in a late block: the counts are read again
    # as text and parsed with the file's separators, every row exact.
    rows = [_row(1, 7)] * 60000 + [_row(2, '"1,234"')]
    frame = read_report(_search_terms(tmp_path, rows), marketplace="US")
    assert len(frame) == 60001
    assert frame["impressions"].iloc[-1] == 1234 and (frame["impressions"].iloc[:-1] == 7).all()


def test_blank_and_dash_counts_are_missing(tmp_path):
    frame = read_report(_search_terms(tmp_path, [_row(1, ""), _row(2, "-"), _row(3, "5")]),
                        marketplace="US")
    assert frame["impressions"].isna().tolist() == [True, True, False]
    assert frame["impressions"].iloc[2] == 5


def test_a_german_grouped_count_is_not_a_fraction(tmp_path):
    rows = ['"01.10.2026",Mats,Group,bath mat,EXACT,bath mat grey,"1.234",3,"1,20 €",'
            '"29,99 €",1\n']
    frame = read_report(_search_terms(tmp_path, rows), marketplace="DE")
    assert frame["impressions"].iloc[0] == 1234 and frame["spend"].iloc[0] == 1.2


def test_a_negative_typed_count_names_its_line(tmp_path):
    rows = [_row(1, 10), _row(2, 11), _row(3, -4)]
    with pytest.raises(ValueParseError) as caught:
        read_report(_search_terms(tmp_path, rows), marketplace="US")
    message = str(caught.value)
    assert "line 4" in message or "row 4" in message
    assert "Impressions" in message

"""Keepa exports and competitors.csv: reader, locale money, ASIN from the file name, errors."""

import pandas as pd
import pytest

from opsanalysis import io
from opsanalysis.io import kinds_keepa
from opsanalysis.io.errors import ReportError

VIEWER_DE = (
    "\ufeffASIN,Title,Locale,Buy Box: Current,Amazon: Current,New: Current,"
    "New Offer Count: Current,Sales Rank: Current,Reviews: Rating,Reviews: Review Count\n"
    'B0AAAAAAA1,Matte,de,"24,99 €",,"23,50 €",3,1234,"4,3",210\n'
    'B0AAAAAAA2,Korb,de,,,"9,99 €",1,,,\n'
)


def test_product_viewer_reads_marketplace_money_and_file_date(tmp_path):
    path = tmp_path / "KeepaExport-2026-10-31-ProductViewer.csv"
    path.write_text(VIEWER_DE, encoding="utf-8")
    frame = io.read_report(path, marketplace="DE")
    assert frame.attrs["kind"] == "keepa_product"
    assert frame["buy_box_price"].iloc[0] == pytest.approx(24.99)
    assert frame["new_price"].iloc[1] == pytest.approx(9.99)
    assert pd.isna(frame["buy_box_price"].iloc[1])  # no buy box: missing, never 0
    assert frame["rating"].iloc[0] == pytest.approx(4.3)
    assert int(frame["sales_rank"].iloc[0]) == 1234
    assert frame["snapshot_date"].iloc[0] == pd.Timestamp("2026-10-31")
    assert frame["currency"].iloc[0] == "EUR"


def test_history_reads_and_truck_header_variant(tmp_path):
    path = tmp_path / "KeepaExport-B0AAAAAAA1-History.csv"
    path.write_text("Date,ASIN,New,Buy Box 🚚,Sales Rank,Review Count\n"
                    "2026-10-01,B0AAAAAAA1,$19.99,$19.99,150,40\n"
                    "2026-10-03,B0AAAAAAA1,$17.99,,160,41\n", encoding="utf-8")
    frame = io.read_report(path, marketplace="US")
    assert frame.attrs["kind"] == "keepa_history"
    assert frame["buy_box_price"].tolist()[0] == pytest.approx(19.99)
    assert frame["review_count"].tolist() == [40, 41]


def test_history_without_asin_column_takes_the_file_name(tmp_path):
    frame = pd.DataFrame({"date": [pd.Timestamp("2026-10-01")], "sales_rank": [5]})
    named = kinds_keepa.add_file_asin(frame, tmp_path / "KeepaExport-B0ABCDEFGH-History.csv")
    assert named["asin"].tolist() == ["B0ABCDEFGH"]
    with pytest.raises(ReportError, match="names no ASIN"):
        kinds_keepa.add_file_asin(frame, tmp_path / "history.csv")


def _competitors(tmp_path, text):
    path = tmp_path / "competitors.csv"
    path.write_text(text, encoding="utf-8")
    return io.read_report(path, kind="competitors")


def test_competitors_file_round_trip_and_chinese_headers(tmp_path):
    frame = _competitors(tmp_path, "我方ASIN,竞品ASIN,竞品名称\nb0aaaaaaa1,B0BBBBBBB1,Rival\n")
    table = kinds_keepa.check_competitors(frame)
    assert table[["our_asin", "competitor_asin"]].iloc[0].tolist() == ["B0AAAAAAA1",
                                                                       "B0BBBBBBB1"]


@pytest.mark.parametrize("text, row, column, problem", [
    ("our_asin,competitor_asin\nB0AAAAAAA1,B0BBBBBBB1\nB0AAAAAAA1,B0BB\n", 3,
     "competitor_asin", "not an ASIN"),
    ("our_asin,competitor_asin\nB0AAAAAAA1,B0AAAAAAA1\n", 2, "competitor_asin",
     "its own competitor"),
    ("our_asin,competitor_asin\nB0AAAAAAA1,B0BBBBBBB1\nB0AAAAAAA1,B0BBBBBBB1\n", 3,
     "competitor_asin", "listed twice"),
])
def test_competitors_errors_name_file_row_and_column(tmp_path, text, row, column, problem):
    frame = _competitors(tmp_path, text)
    with pytest.raises(ReportError, match=problem) as caught:
        kinds_keepa.check_competitors(frame)
    assert caught.value.row == row
    assert caught.value.column == column
    assert caught.value.file.endswith("competitors.csv")


# Keepa's Japanese interface (headers as public Keepa-CSV importers read them, see kinds_keepa)
VIEWER_JP = (
    "\ufeffASIN,商品名,ブランド,Buy Box: 現在価格,Buy Box: 90 日平均,Amazon: 現在価格,"
    "新品: 現在価格,新品アイテム数: 現在価格,売れ筋ランキング: 現在価格,"
    "売れ筋ランキング: 90 日平均,レビュー: 評価,レビュー: 評価件数,カテゴリ: ルート\n"
    'B0JJJJJJJ1,シリコンマット,テスト,"¥ 2,980","¥ 3,100",,"¥ 2,700",4,"1,520",1610,4.2,388,'
    "ホーム&キッチン\n"
    "B0JJJJJJJ2,収納バスケット,テスト,,,,¥ 980,1,,,,,ホーム&キッチン\n"
)


def test_product_viewer_in_keepas_japanese_interface(tmp_path):
    path = tmp_path / "KeepaExport-2026-10-31-ProductViewer.csv"
    path.write_text(VIEWER_JP, encoding="utf-8")  # UTF-8 with BOM, as the importers read it
    frame = io.read_report(path, marketplace="JP")
    assert frame.attrs["kind"] == "keepa_product"
    first = frame.iloc[0]
    assert first["buy_box_price"] == pytest.approx(2980)
    assert first["buy_box_price_90d_avg"] == pytest.approx(3100)
    assert first["new_price"] == pytest.approx(2700)
    assert int(first["new_offer_count"]) == 4 and int(first["sales_rank"]) == 1520
    assert first["sales_rank_90d_avg"] == pytest.approx(1610)
    assert first["rating"] == pytest.approx(4.2) and int(first["review_count"]) == 388
    assert first["title"] == "シリコンマット" and first["category_root"] == "ホーム&キッチン"
    assert pd.isna(frame["buy_box_price"].iloc[1]) and pd.isna(first["amazon_price"])
    assert frame["new_price"].iloc[1] == pytest.approx(980)
    assert frame["currency"].iloc[0] == "JPY"


def test_partly_translated_japanese_headers_of_older_exports(tmp_path):
    path = tmp_path / "KeepaExport-2026-10-31-ProductViewer.csv"
    path.write_text("ASIN,売れ筋ランキング: 現在価格,新品: 現在価格,Reviews: 評価,"
                    "Reviews: レビュー数,カテゴリ: Root\n"
                    'B0JJJJJJJ1,"12,345","¥ 1,480",3.9,57,ドラッグストア\n', encoding="utf-8")
    frame = io.read_report(path, marketplace="JP")
    assert frame.attrs["kind"] == "keepa_product"
    assert int(frame["sales_rank"].iloc[0]) == 12345
    assert frame["rating"].iloc[0] == pytest.approx(3.9)
    assert int(frame["review_count"].iloc[0]) == 57

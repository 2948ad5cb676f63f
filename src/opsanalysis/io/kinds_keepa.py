"""Kind tables: Keepa exports (product viewer, price/rank history) and the user's competitors file.

Sources (looked up 2026-12-02 with the ``search`` tool; cited in ``docs/keepa-formats.md``):
the product-viewer export headers as public parsers and tools of Keepa exports read them -- ``ASIN``, ``Title``, ``Locale``, ``Buy Box: Current`` (newer exports write
``Buy Box 🚚: Current``), ``Buy Box: 90 days avg.``, ``Buy Box Seller`` / ``Buy Box: Seller``,
``Amazon: Current``, ``Amazon: 90 days avg.``, ``New: Current``, ``New: 90 days avg.``,
``New Offer Count: Current``, ``Sales Rank: Current``, ``Sales Rank: 90 days avg.``,
``Reviews: Rating``, ``Reviews: Review Count``, ``Categories: Root``, ``Brand``; French
(``Buy Box: courant``, ``Amazon: courant``) and Spanish (``Caja de Compra: Actual``) headers
from parsers of localised exports. Japanese-interface headers (looked up 2026-12-02 with
``find_string`` in the code index; no repository name is given by it, so the index file ids are
cited): ``Buy Box: 現在価格``, ``Amazon: 現在価格``, ``新品: 現在価格``,
``売れ筋ランキング: 現在価格`` (Keepa's Japanese interface writes 現在価格 "current price" for
every series, the rank too), ``新品アイテム数: 現在価格`` (new-offer count), ``商品名``,
``ブランド`` in a Keepa-CSV importer's test fixture (id 53191200780), a Keepa-CSV column map
(id 30365690229, also ``Reviews: 評価``, ``Reviews: レビュー数``, ``カテゴリ: Root`` of a
partly translated export) and a Keepa-CSV import spec (id 67302880878, also
``Buy Box: 90 日平均``); ``Amazon: 90 日平均``, ``新品: 90 日平均``,
``売れ筋ランキング: 90 日平均``, ``レビュー: 評価``, ``レビュー: 評価件数`` and
``カテゴリ: ルート`` from a header list that mirrors the Japanese export (id 60507760091).
German, Italian and Chinese Keepa-interface headers were not found in any public file or page
(searched ``Verkaufsrang: Aktuell``, ``Buy Box: Aktuell``, ``Neu: Aktuell``): not accepted until
a source is found. Keepa writes money in the marketplace's own format
(``$ 24.99``, ``24,99 €``, ``¥ 2,480``), hence the marketplace's decimal separator (family
``keepa``). The export carries no date: the reader takes the one date in the file name
(``KeepaExport-2026-10-31-ProductViewer.csv``) as ``snapshot_date``.

The price/rank history (Keepa's product page, Statistics / Data tab, Export) has one row per
time Keepa recorded a change and one column per series (``Amazon``, ``New``, ``Buy Box``,
``Sales Rank``, ``New Offer Count``, ``Rating``, ``Review Count``); the series names follow
Keepa's chart legend and API csv types (akaszynski/keepa ``csv_indices``: AMAZON, NEW, SALES,
COUNT_NEW, RATING, COUNT_REVIEWS, BUY_BOX_SHIPPING). Not seen in a real file: marked inferred.
A history file without an ``ASIN`` column takes the ASIN from its file name
(:func:`add_file_asin`).

``competitors.csv`` is the seller's own file: one row per (our ASIN, competitor ASIN) pair,
headers ``our_asin``, ``competitor_asin`` and optionally ``competitor_name`` and ``note`` (or
the English and Chinese spellings below); :func:`check_competitors` rejects malformed rows with
the file, row and column.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from opsanalysis.io.errors import ReportError
from opsanalysis.io.schema_types import COUNT, DATE, MONEY, NUMBER, TEXT, Kind, col

__all__ = ["ASIN_PATTERN", "KINDS", "KEYS", "add_file_asin", "check_competitors"]

_FAMILY = "keepa"
#: An ASIN: ten letters or digits (books: the ISBN-10, digits and X).
ASIN_PATTERN = re.compile(r"^[A-Z0-9]{10}$")
_ASIN_IN_NAME = re.compile(r"(?<![A-Z0-9])(B0[A-Z0-9]{8})(?![A-Z0-9])")


def _two(series: str, stat: str, fr=None, es=None, ja=None):
    """Header ``<series>: <stat>`` plus the truck-marked spelling of newer exports."""
    english = (f"{series}: {stat}", f"{series} 🚚: {stat}")
    return dict(en=english, fr=fr, es=es, ja=ja)


KEEPA_PRODUCT = Kind(
    "keepa_product",
    "Keepa product viewer export (csv/xlsx), one row per ASIN: keepa.com > Product Viewer, paste "
    "the ASINs (ours and the competitors'), Export (csv); name the file with the export date "
    "(KeepaExport-YYYY-MM-DD-ProductViewer.csv; see docs/keepa-formats.md). Headers in "
    "Keepa's English, French, Spanish or Japanese interface (sources in "
    "opsanalysis.io.kinds_keepa); German and other interface languages: not known yet",
    _FAMILY,
    (
        col("asin", TEXT, True, en="ASIN"),
        col("title", TEXT, en="Title", ja="商品名"),
        col("locale", TEXT, en="Locale"),
        col("brand", TEXT, en="Brand", ja="ブランド"),
        col("category_root", TEXT, en="Categories: Root", ja=("カテゴリ: ルート", "カテゴリ: Root")),
        col("buy_box_price", MONEY, **_two("Buy Box", "Current", fr="Buy Box: courant",
                                           es="Caja de Compra: Actual",
                                           ja="Buy Box: 現在価格")),
        col("buy_box_price_90d_avg", MONEY, **_two("Buy Box", "90 days avg.",
                                                   es="Caja de Compra: Promedio de 90 días",
                                                   ja="Buy Box: 90 日平均")),
        col("buy_box_seller", TEXT, en=("Buy Box Seller", "Buy Box: Seller")),
        col("amazon_price", MONEY, en="Amazon: Current", fr="Amazon: courant",
            ja="Amazon: 現在価格"),
        col("amazon_price_90d_avg", MONEY, en="Amazon: 90 days avg.", ja="Amazon: 90 日平均"),
        col("new_price", MONEY, **_two("New", "Current", ja="新品: 現在価格")),
        col("new_price_90d_avg", MONEY, **_two("New", "90 days avg.", ja="新品: 90 日平均")),
        col("new_offer_count", COUNT, en="New Offer Count: Current", ja="新品アイテム数: 現在価格"),
        col("sales_rank", COUNT, en="Sales Rank: Current", ja="売れ筋ランキング: 現在価格"),
        col("sales_rank_90d_avg", NUMBER, en="Sales Rank: 90 days avg.",
            ja="売れ筋ランキング: 90 日平均"),
        col("rating", NUMBER, en="Reviews: Rating", ja=("レビュー: 評価", "Reviews: 評価")),
        col("review_count", COUNT, en="Reviews: Review Count",
            ja=("レビュー: 評価件数", "Reviews: レビュー数")),
        col("snapshot_date", DATE),
    ),
    markers=("buy_box_price", "sales_rank", "new_offer_count", "review_count"),
)

KEEPA_HISTORY = Kind(
    "keepa_history",
    "Keepa price and sales-rank history of one product (csv): keepa.com, the product's page, "
    "Statistics/Data, Export; one file per ASIN, the ASIN in the file name or an ASIN column "
    "(see docs/keepa-formats.md)",
    _FAMILY,
    (
        col("date", DATE, True, en=("Date", "Time")),
        col("asin", TEXT, en="ASIN"),
        col("amazon_price", MONEY, en="Amazon"),  # inferred
        col("new_price", MONEY, en="New"),  # inferred
        col("buy_box_price", MONEY, en=("Buy Box", "Buy Box 🚚")),  # inferred
        col("sales_rank", COUNT, en="Sales Rank"),  # inferred
        col("new_offer_count", COUNT, en=("New Offer Count", "Count New")),  # inferred
        col("rating", NUMBER, en="Rating"),  # inferred
        col("review_count", COUNT, en=("Review Count", "Reviews")),  # inferred
    ),
    markers=("buy_box_price", "sales_rank", "review_count"),
)


def _own(name, required=False, en=(), zh=()):
    english = (en,) if isinstance(en, str) else tuple(en)
    chinese = (zh,) if isinstance(zh, str) else tuple(zh)
    return col(name, TEXT, required, en=(name, *english), zh=chinese or None)


COMPETITORS = Kind(
    "competitors",
    "Seller's competitors file competitors.csv: one row per (our ASIN, competitor ASIN) pair "
    "(see docs/keepa-formats.md)",
    "seller",
    (
        _own("our_asin", True, ("Our ASIN", "ASIN"), ("我方ASIN", "本品ASIN")),
        _own("competitor_asin", True, ("Competitor ASIN",), ("竞品ASIN",)),
        _own("competitor_name", False, ("Competitor Name", "Competitor"), ("竞品名称", "竞品")),
        _own("note", False, ("Note", "Notes"), ("备注",)),
    ),
)

KINDS = (KEEPA_PRODUCT, KEEPA_HISTORY, COMPETITORS)
KEYS = {
    "keepa_product": ("snapshot_date", "asin"),
    "keepa_history": ("asin", "date"),
    "competitors": ("our_asin", "competitor_asin"),
}


def add_file_asin(frame: pd.DataFrame, path) -> pd.DataFrame:
    """A history frame with its ``asin`` column, taken from the file name when absent.

    Parameters
    ----------
    frame : DataFrame
        A ``keepa_history`` frame.
    path : str or Path
        The file it was read from (``...B0ABCDEFGH....csv``).

    Returns
    -------
    DataFrame
        The frame with ``asin`` filled.

    Raises
    ------
    ReportError
        When neither the frame nor the file name holds an ASIN.
    """
    if "asin" in frame.columns and frame["asin"].notna().all():
        return frame
    found = _ASIN_IN_NAME.findall(Path(path).name.upper())
    if len(found) != 1:
        raise ReportError("a Keepa history file names no ASIN", file=path, column="ASIN",
                          expected="an ASIN column, or one ASIN (B0 + 8 letters or digits) "
                                   "in the file name")
    frame = frame.copy()
    if "asin" in frame.columns:
        frame["asin"] = frame["asin"].fillna(found[0])
    else:
        frame.insert(1, "asin", found[0])
    return frame


def check_competitors(frame: pd.DataFrame, file=None, header_lines: int = 1) -> pd.DataFrame:
    """Validate a ``competitors`` frame: ASIN shapes, no self-pairs, no repeated pairs.

    Parameters
    ----------
    frame : DataFrame
        ``read_report(path, kind="competitors")`` (rows in file order).
    file : str, optional
        The file, for the error message (default ``frame.attrs["source"]``).
    header_lines : int
        Lines above the first data row (the header) [lines].

    Returns
    -------
    DataFrame
        our_asin, competitor_asin, competitor_name (upper-case ASINs, blanks stripped).

    Raises
    ------
    ReportError
        Naming the file, the 1-based line, the column and what was expected.
    """
    file = file or frame.attrs.get("source")
    table = pd.DataFrame({
        "our_asin": frame["our_asin"].astype("string").str.strip().str.upper(),
        "competitor_asin": frame["competitor_asin"].astype("string").str.strip().str.upper(),
        "competitor_name": (frame["competitor_name"].astype("string").str.strip()
                            if "competitor_name" in frame else pd.Series(pd.NA, index=frame.index,
                                                                         dtype="string")),
    })
    for position, (_, row) in enumerate(table.iterrows()):
        line = position + header_lines + 1
        for column in ("our_asin", "competitor_asin"):
            value = row[column]
            if pd.isna(value) or not ASIN_PATTERN.match(str(value)):
                raise ReportError("not an ASIN", file=file, row=line, column=column,
                                  value=None if pd.isna(value) else str(value),
                                  expected="10 letters or digits, e.g. B0ABCDEFGH")
        if row["our_asin"] == row["competitor_asin"]:
            raise ReportError("an ASIN listed as its own competitor", file=file, row=line,
                              column="competitor_asin", value=str(row["competitor_asin"]),
                              expected="a competitor's ASIN, not our own")
    repeated = table.duplicated(["our_asin", "competitor_asin"])
    if repeated.any():
        position = int(repeated.to_numpy().argmax())
        raise ReportError("a pair listed twice", file=file, row=position + header_lines + 1,
                          column="competitor_asin",
                          value=str(table["competitor_asin"].iloc[position]),
                          expected="each (our_asin, competitor_asin) pair once")
    return table.reset_index(drop=True)

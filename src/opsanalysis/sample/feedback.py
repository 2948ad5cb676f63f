"""The sample seller's feedback: what buyers said about their orders, as the Feedback Manager file.

Simulated after the rest of the world from its own random stream (``[seed, marketplace, 104]``),
so adding it moved no other sample file. About 2 % of the shipped Amazon orders get a seller
feedback 4 to 25 days after the purchase, mostly positive (5 stars 78 %, 4 stars 13 %, 3 stars
4 %, 2 stars 2 %, 1 star 3 %), with a comment in the marketplace's language; the seller answers
about 60 % of the negative feedback. Outside the planted week at most one negative feedback
(1-2 stars) falls in any Sunday-Saturday week: a second one is made a 3-star neutral.

The file is what Amazon's download holds: the negative and neutral feedback (1-3 stars) of the
last 365 days up to the sample date, TAB-delimited, columns Date, Rating, Comments, Your
Response, Arrived on Time, Item as Described, Customer Service, Order ID, Rater Email; English
headers and UTF-8, Japanese headers and Shift_JIS (cp932) in JP; dates in the marketplace's
Seller Central order (``10/31/2026``, ``31/10/2026``, ``31.10.2026``, ``2026/10/31``). The truth
frame ``feedback`` holds every feedback, positive ones included.

Planted (``world.planted[MP]``): ``feedback_negative_week`` (the Sunday starting the week with
two negative feedbacks: a late delivery, unanswered, and a damaged parcel, answered) and
``feedback_negative_orders`` (their order ids, late delivery first).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from opsanalysis.sample.world import AS_OF, SAMPLE_MARKETPLACES

__all__ = ["FEEDBACK_COLUMNS", "add_feedback", "simulate_feedback", "write_feedback"]

STREAM = 104
FEEDBACK_RATE = 0.02  # share of shipped Amazon orders that get a seller feedback [fraction]
STARS = np.array([5, 4, 3, 2, 1])
STAR_SHARES = np.array([0.78, 0.13, 0.04, 0.02, 0.03])
DELAY_DAYS = (4, 25)  # feedback this many days after the purchase [days]
ANSWERED_SHARE = 0.6  # negative feedback the seller answers [fraction]
FILE_DAYS = 365  # Amazon's download covers at most a year [days]
PLANTED_WEEK_START = AS_OF - pd.Timedelta(days=20)  # Sunday 2026-10-11
FEEDBACK_COLUMNS = ["date", "rating", "comments", "response", "arrived_on_time",
                    "item_as_described", "customer_service", "order_id", "rater_email"]
_LANGUAGE = {"US": "en", "UK": "en", "DE": "de", "JP": "ja", "AU": "en", "SG": "en"}
_EMAIL_DOMAIN = {"US": "com", "UK": "co.uk", "DE": "de", "JP": "co.jp", "AU": "com.au",
                 "SG": "sg"}
# Comment texts by language: positive, neutral, and negative by theme (the theme words of
# params feedback.themes are in them on purpose; "other_comment" holds none).
_COMMENTS = {
    "en": {
        "positive": ["Fast delivery, item as described.", "Great product, thank you!",
                     "Arrived quickly and well packed.", "Exactly what I ordered.", ""],
        "neutral": ["OK but took a while.", "Fine, nothing special.", "Average experience."],
        "late_delivery": ["Parcel arrived a week late.", "Never arrived, tracking stuck."],
        "damaged_item": ["Box arrived crushed and the item was damaged.",
                    "Item broken on arrival."],
        "not_as_described": ["Wrong size sent, not as described."],
        "other_comment": ["Very disappointed."],
    },
    "de": {
        "positive": ["Schnelle Lieferung, alles bestens.", "Artikel wie beschrieben, danke!",
                     "Gut verpackt und schnell da.", ""],
        "neutral": ["In Ordnung.", "Geht so."],
        "late_delivery": ["Paket kam eine Woche zu spät.", "Nie angekommen."],
        "damaged_item": ["Karton zerdrückt, Artikel beschädigt.", "Kam kaputt an."],
        "not_as_described": ["Falscher Artikel geliefert."],
        "other_comment": ["Sehr enttäuscht."],
    },
    "ja": {
        "positive": ["迅速な発送ありがとうございました。", "説明どおりの商品でした。",
                     "丁寧な梱包で満足です。", ""],
        "neutral": ["普通です。", "まあまあでした。"],
        "late_delivery": ["到着が一週間遅れました。", "商品が届かない。"],
        "damaged_item": ["箱が潰れて商品が破損していました。", "壊れた状態で届きました。"],
        "not_as_described": ["説明と違う商品でした。"],
        "other_comment": ["がっかりしました。"],
    },
}
_RESPONSES = {"en": "We are sorry. Please contact us through Buyer-Seller Messaging.",
              "de": "Das tut uns leid. Bitte kontaktieren Sie uns über Käufer-Verkäufer-Nachrichten.",
              "ja": "ご迷惑をおかけし申し訳ございません。メッセージでご連絡ください。"}
_YES_NO = {"en": ("Yes", "No"), "de": ("Yes", "No"), "ja": ("はい", "いいえ")}
_NEGATIVE_THEMES = ["late_delivery", "damaged_item", "not_as_described", "other_comment"]
_THEME_WEIGHTS = np.array([0.4, 0.3, 0.2, 0.1])


def _week_start(days: pd.Series) -> pd.Series:
    return days.dt.to_period("W-SAT").dt.start_time


def simulate_feedback(world, mp) -> tuple[pd.DataFrame, dict]:
    """Every seller feedback of one marketplace, and the planted keys.

    Parameters
    ----------
    world : World
    mp : str

    Returns
    -------
    (DataFrame, dict)
        date (local calendar day), rating [stars], theme, comments, response,
        arrived_on_time, item_as_described, customer_service, order_id, rater_email,
        purchase_date; the planted keys.
    """
    rng = np.random.default_rng([world.seed, SAMPLE_MARKETPLACES.index(mp), STREAM])
    language = _LANGUAGE[mp]
    texts = _COMMENTS[language]
    orders = world.frame("orders", mp)
    shipped = orders[(orders["channel"] == "amazon") & (orders["order_status"] == "Shipped")]
    shipped = shipped.drop_duplicates("amazon_order_id").reset_index(drop=True)
    chosen = shipped[rng.random(len(shipped)) < FEEDBACK_RATE].reset_index(drop=True)
    purchase = chosen["purchase_date"].dt.tz_localize(None).dt.normalize()
    delay = rng.integers(DELAY_DAYS[0], DELAY_DAYS[1] + 1, size=len(chosen))
    day = purchase + pd.to_timedelta(delay, unit="D")
    keep = (day <= AS_OF).to_numpy()
    chosen, purchase, day = chosen[keep], purchase[keep], day[keep]
    n = len(chosen)
    stars = rng.choice(STARS, size=n, p=STAR_SHARES)
    week = _week_start(day.reset_index(drop=True))
    # Outside the planted week: at most one negative per week; the planted week gets none here.
    negative = stars <= 2
    planted_week = (week == PLANTED_WEEK_START).to_numpy()
    repeat = pd.Series(negative).groupby(week.to_numpy()).cumsum().to_numpy() > 1
    stars = np.where(negative & (repeat | planted_week), 3, stars)
    negative = stars <= 2
    theme = np.where(stars >= 4, "positive", np.where(stars == 3, "neutral", ""))
    draw = rng.choice(len(_NEGATIVE_THEMES), size=n, p=_THEME_WEIGHTS)
    theme = np.where(negative, np.array(_NEGATIVE_THEMES)[draw], theme)
    pick = rng.random(n)
    comments = np.array([texts[t][int(p * len(texts[t]))] for t, p in zip(theme, pick,
                                                                             strict=True)],
                        dtype=object)
    answered = negative & (rng.random(n) < ANSWERED_SHARE)
    yes, no = _YES_NO[language]
    table = pd.DataFrame({
        "date": day.to_numpy(), "rating": stars, "theme": theme, "comments": comments,
        "response": np.where(answered, _RESPONSES[language], ""),
        "arrived_on_time": np.where(theme == "late_delivery", no, yes),
        "item_as_described": np.where(np.isin(theme, ["damaged_item", "not_as_described"]), no, yes),
        "customer_service": np.where(negative, no, yes),
        "order_id": chosen["amazon_order_id"].to_numpy(),
        "rater_email": [f"{code}@marketplace.amazon.{_EMAIL_DOMAIN[mp]}"
                        for code in _codes(rng, n)],
        "purchase_date": purchase.to_numpy()})
    # Planted: two negative feedbacks in one week, on orders bought the week before it and
    # that got no other feedback.
    taken = set(table["order_id"])
    before = shipped[(shipped["purchase_date"].dt.tz_localize(None).dt.normalize()
                      .between(PLANTED_WEEK_START - pd.Timedelta(days=10),
                               PLANTED_WEEK_START - pd.Timedelta(days=4)))
                     & ~shipped["amazon_order_id"].isin(taken)]
    picked = before.iloc[np.sort(rng.choice(len(before), size=2, replace=False))]
    planted_rows = []
    for k, (theme_name, rating, day_offset, answer) in enumerate(
            [("late_delivery", 1, 2, False), ("damaged_item", 2, 4, True)]):
        order = picked.iloc[k]
        planted_rows.append({
            "date": PLANTED_WEEK_START + pd.Timedelta(days=day_offset), "rating": rating,
            "theme": theme_name, "comments": texts[theme_name][0],
            "response": _RESPONSES[language] if answer else "",
            "arrived_on_time": no if theme_name == "late_delivery" else yes,
            "item_as_described": no if theme_name == "damaged_item" else yes,
            "customer_service": no, "order_id": order["amazon_order_id"],
            "rater_email": f"{_codes(rng, 1)[0]}@marketplace.amazon.{_EMAIL_DOMAIN[mp]}",
            "purchase_date": order["purchase_date"].tz_localize(None).normalize()})
    table = pd.concat([table, pd.DataFrame(planted_rows)], ignore_index=True)
    table = table.sort_values(["date", "order_id"], kind="stable").reset_index(drop=True)
    planted = {"feedback_negative_week": PLANTED_WEEK_START,
               "feedback_negative_orders": [row["order_id"] for row in planted_rows]}
    return table, planted


def _codes(rng, n) -> list:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz0123456789"))
    return ["".join(row) for row in letters[rng.integers(0, len(letters), size=(n, 14))]]


def add_feedback(world) -> None:
    """Add the seller feedback of every marketplace to ``world``: truth frame ``feedback`` and
    the planted keys of :func:`simulate_feedback` in ``world.planted[MP]``."""
    tables = []
    for mp in world.marketplaces:
        rows, planted = simulate_feedback(world, mp)
        world.planted[mp].update(planted)
        tables.append(rows.assign(marketplace=mp))
    table = pd.concat(tables, ignore_index=True)
    world.truth["feedback"] = table[["marketplace", *table.columns[:-1]]]


def write_feedback(world, mp, folder) -> list:
    """The Feedback Manager download of the last 365 days (1-3 stars), one TAB text file.

    Parameters
    ----------
    world : World
    mp : str
    folder : Path
        Marketplace folder.

    Returns
    -------
    list of Path
    """
    from opsanalysis.sample.writers import (
        _csv_bytes,
        _encoding,
        _headers,
        _write_text,
        format_date,
    )

    table = world.frame("feedback", mp)
    first = AS_OF - pd.Timedelta(days=FILE_DAYS - 1)
    rows = table[(table["rating"] <= 3) & (table["date"] >= first) & (table["date"] <= AS_OF)]
    locale = "ja-JP" if mp == "JP" else "en-US"
    header = _headers("seller_feedback", FEEDBACK_COLUMNS, locale)
    cells = []
    for row in rows.itertuples(index=False):
        cells.append([format_date(row.date, mp), str(int(row.rating)), row.comments,
                      row.response, row.arrived_on_time, row.item_as_described,
                      row.customer_service, row.order_id, row.rater_email])
    import csv

    text = _csv_bytes(header, cells, delimiter="\t", quoting=csv.QUOTE_NONE)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"Feedback_{first:%Y-%m-%d}_{AS_OF:%Y-%m-%d}.txt"
    return [_write_text(folder / name, text, _encoding(mp, bom=False))]

"""Replenishment plan in words: the reason of each SKU's status (presentation layer).

The plan (:func:`opsanalysis.replenishment.plan`) decides with codes (``status``, ``reason``);
this module writes each reason as a sentence in the report's language, with the cover the
levels target, so that a days-of-cover "breach" elsewhere and an order can stand side by side.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsanalysis.labels import label

__all__ = ["add_reason_texts", "reason_texts"]


def add_reason_texts(result, params: dict, language: str):
    """Put the ``reason_text`` column (see :func:`reason_texts`) into a plan's table.

    Parameters
    ----------
    result : opsanalysis.replenishment.ReplenishmentPlan
        The plan; its ``table`` gains ``reason_text`` after ``reason``.
    params : dict
        Loaded params (``replenishment``, ``currency``).
    language : str
        "en" or "zh".

    Returns
    -------
    ReplenishmentPlan
        The same object.
    """
    table = result.table
    texts = reason_texts(table, params, language) if len(table) else pd.Series(dtype=object)
    table = table.drop(columns="reason_text", errors="ignore")
    position = table.columns.get_loc("reason") + 1 if "reason" in table else len(table.columns)
    table.insert(position, "reason_text", texts.reindex(table.index))
    result.table = table
    return result


def _number(value, digits=0) -> str:
    return "not estimated" if value is None or not np.isfinite(float(value)) else \
        f"{float(value):,.{digits}f}"


def _date(value) -> str:
    return "-" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def _mode_text(mode, language) -> str:
    text = label(str(mode), language) if str(mode) in ("sea", "air", "express") else str(mode)
    return text.lower() if language == "en" else text


def reason_texts(table: pd.DataFrame, params: dict, language: str) -> pd.Series:
    """The reason of each SKU's status in words, with the cover its levels target.

    The reorder point is stated in units and in days of demand, split into the lead time the
    levels were computed with, the review period and the safety stock with the minimum cover
    (the rest), so that a days-of-cover "breach" elsewhere and an order can stand side by side.

    Parameters
    ----------
    table : pandas.DataFrame
        Plan rows (``reason``, ``daily_rate``, ``inventory_position``, ``reorder_point``,
        ``order_up_to``, ``planning_lead_time_days``, ``lead_time_days``, ``freight_mode``,
        ``max_cover_line``, dates and the stockout exposure columns).
    params : dict
        Loaded params (``replenishment``, ``currency``).
    language : str
        "en" or "zh".

    Returns
    -------
    pandas.Series of str
        Same index as ``table``.
    """
    rep = params["replenishment"]
    texts = []
    for _, row in table.iterrows():
        rate = float(row["daily_rate"])

        def days(units, rate=rate):
            return _number(float(units) / rate if rate > 0 else np.inf)

        reorder_days = float(row["reorder_point"]) / rate if rate > 0 else np.inf
        lead, review = float(row["planning_lead_time_days"]), float(rep["review_period_days"])
        values = {
            "position": _number(row["inventory_position"]),
            "position_days": days(row["inventory_position"]),
            "reorder_point": _number(row["reorder_point"]), "reorder_days": _number(reorder_days),
            "lead": _number(lead), "review": _number(review),
            "safety": _number(max(reorder_days - lead - review, 0.0)),
            "order_up_to": _number(row["order_up_to"]),
            "order_up_to_days": days(row["order_up_to"]),
            "mode": _mode_text(row["freight_mode"], language),
            "mode_lead": _number(row["lead_time_days"]),
            "max_line": _number(row["max_cover_line"]), "max_cover": _number(rep["max_cover_days"]),
            "next_order": _date(row["next_order_date"]),
            "stockout": _date(row["projected_stockout_date"]),
            "arrival": _date(row["arrival_by_chosen_mode"]),
            "lost_units": _number(row["expected_lost_units"]),
            "lost_sales": f"{_number(row['expected_lost_sales'], 2)} {params['currency']}",
            "aged_units": _number(np.nanmax([float(row["aged_units_now"]),
                                             float(row["aged_units_next_snapshot"]), 0.0])),
            "aged_days": _number(rep["aged_days"]),
        }
        if row["avoiding_mode"] in ("", None) or pd.isna(row["avoiding_mode"]):
            values["avoid"] = ""
        elif row["avoiding_mode"] == "none":
            values["avoid"] = label("avoid_no_mode", language)
        else:
            text = label("avoid_by_mode", language).format(
                mode=_mode_text(row["avoiding_mode"], language),
                extra_cost=f"{_number(row['avoiding_mode_extra_cost'], 2)} {params['currency']}")
            values["avoid"] = text[:1].upper() + text[1:]  # the mode starts the sentence
        values["cover"] = label("cover_target_text", language).format(**values)
        texts.append(label(f"reason_text_{row['reason']}", language).format(**values))
    return pd.Series(texts, index=table.index, dtype=object)

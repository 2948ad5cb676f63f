"""The replenishment status of a SKU from one decision table: inputs -> status -> reason -> action.

Stable API: :data:`DECISION_INPUTS`, :data:`DECISION_TABLE`, :func:`decide` and
:func:`decision_table_frame` (the table as documented in ``docs/decisions.md``, section
"Replenishment status").

Every input is a yes/no fact about the SKU, computed once by the plan
(:func:`opsanalysis.replenishment.plan`); the rows are read top to bottom and the first row whose
conditions all hold gives the status, its reason and its action. A condition left out of a row
does not matter for it. The last row has no condition, so every SKU gets exactly one row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DECISION_INPUTS", "DECISION_TABLE", "decide", "decision_table_frame"]

#: The yes/no inputs of the table, with what each one means.
DECISION_INPUTS = {
    "has_demand": "the forecast expects sales after the lead time",
    "has_stock": "units on hand or on their way to FBA",
    "arrives_after_stockout": "an order placed on its order-by date by the chosen freight mode "
                              "lands after the projected stockout (+ stockout_risk_days)",
    "stockout_before_inbound": "stock runs out before the inbound shipment already on its way "
                               "is sellable: demand is lost until it lands",
    "below_reorder_point": "stock on hand + inbound is at or below the reorder point today",
    "order_due_soon": "stock on hand + inbound reaches the reorder point within "
                      "reorder_soon_days",
    "aged": "units past aged_days now or at the next monthly aged-inventory snapshot",
    "above_max_cover": "stock on hand + inbound is above both the max-cover line (lead-time "
                       "demand + max_cover_days) and the order-up-to level",
}

#: Rows in priority order: (conditions, status, reason, action).
DECISION_TABLE = (
    ({"has_demand": False, "aged": True}, "aged", "aged_without_demand", "remove_or_liquidate"),
    ({"has_demand": False, "has_stock": True}, "overstock", "stock_without_demand",
     "stop_reorder_promote"),
    ({"has_demand": False}, "in_stock", "no_demand", "no_action"),
    # out of stock only until the inbound lands, which covers past the reorder point: no order
    # is due, so nothing to expedite (an order of 0 units); the inbound is what to chase
    ({"stockout_before_inbound": True, "below_reorder_point": False}, "awaiting_inbound",
     "out_of_stock_until_inbound", "chase_inbound_shipment"),
    ({"arrives_after_stockout": True}, "stockout_risk", "arrives_after_stockout",
     "expedite_order"),
    ({"below_reorder_point": True}, "order_now", "below_reorder_point", "place_order"),
    ({"order_due_soon": True}, "reorder_soon", "reorder_point_within_days", "prepare_order"),
    ({"aged": True}, "aged", "aged_units", "remove_or_liquidate"),
    ({"above_max_cover": True}, "overstock", "above_max_cover", "stop_reorder_promote"),
    ({}, "in_stock", "covered_to_next_review", "no_action"),
)


def decide(inputs: pd.DataFrame) -> pd.DataFrame:
    """Status, reason and action per SKU from :data:`DECISION_TABLE`.

    Parameters
    ----------
    inputs : pandas.DataFrame
        One boolean column per key of :data:`DECISION_INPUTS` (missing values count as False).

    Returns
    -------
    pandas.DataFrame
        Same index: ``status``, ``reason``, ``action``, ``decision_row`` (0-based row of the
        table that applied).

    Raises
    ------
    KeyError
        When an input column is missing (named in the message).
    """
    missing = [name for name in DECISION_INPUTS if name not in inputs]
    if missing:
        raise KeyError(f"decision inputs lack {missing}")
    flags = {name: inputs[name].astype("boolean").fillna(False).to_numpy(dtype=bool)
             for name in DECISION_INPUTS}
    row = np.full(len(inputs), -1)
    for number, (conditions, *_rest) in enumerate(DECISION_TABLE):
        holds = np.ones(len(inputs), dtype=bool)
        for name, wanted in conditions.items():
            holds &= flags[name] == wanted
        row = np.where((row < 0) & holds, number, row)
    columns = list(zip(*[entry[1:] for entry in DECISION_TABLE], strict=True))
    return pd.DataFrame({"status": np.array(columns[0], dtype=object)[row],
                         "reason": np.array(columns[1], dtype=object)[row],
                         "action": np.array(columns[2], dtype=object)[row],
                         "decision_row": row}, index=inputs.index)


def decision_table_frame() -> pd.DataFrame:
    """The decision table as a frame: one row per table row, "yes" / "no" / "any" per input.

    Returns
    -------
    pandas.DataFrame
        ``row``, one column per input, ``status``, ``reason``, ``action``.
    """
    rows = []
    for number, (conditions, status, reason, action) in enumerate(DECISION_TABLE):
        cells = {name: {True: "yes", False: "no"}.get(conditions.get(name), "any")
                 for name in DECISION_INPUTS}
        rows.append({"row": number, **cells, "status": status, "reason": reason,
                     "action": action})
    return pd.DataFrame(rows)

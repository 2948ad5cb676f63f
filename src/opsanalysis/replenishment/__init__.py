"""Replenishment: when to ship the next FBA inbound and how much, and at what risk.

Public entry points (stable; notebooks and other modules rely on them):

* :func:`recommend_orders` -- the core decision per SKU: order quantity (case packs, MOQ),
  order-by / ship-by dates, reorder point, order-up-to level, safety stock, cover, projected
  stockout date, from the forecast distribution over lead time + review period with a random
  lead time (:mod:`~opsanalysis.replenishment.policy`).
* :func:`plan` -- the report-level plan of a marketplace (:mod:`~opsanalysis.replenishment.plan`):
  lead-time legs, pipeline, statuses, fee and capacity outlook, Amazon Restock comparison.
* :func:`simulate` -- a day-by-day simulator for any policy
  (:mod:`~opsanalysis.replenishment.simulate`), with :func:`simulation_summary`.
* :mod:`~opsanalysis.replenishment.fees` -- storage fees and aged-inventory surcharge from the
  dated fee tables in params.
"""

from opsanalysis.replenishment import decisions, fees, policy, risk, sources
from opsanalysis.replenishment.decisions import DECISION_TABLE, decide, decision_table_frame
from opsanalysis.replenishment.orders import (
    OPTIONAL_SETTINGS,
    SETTINGS_KEYS,
    planning_forecast_params,
    recommend_orders,
    resolve_settings,
)
from opsanalysis.replenishment.plan import (
    ACTIONS,
    PLAN_COLUMNS,
    STATUSES,
    ReplenishmentPlan,
    lead_time_legs,
    pipeline_position,
    plan,
    plan_policy_comparison,
    plan_sheets,
    status_by_sku,
)
from opsanalysis.replenishment.simulate import (
    Policy,
    compare_policies,
    demand_for_replay,
    fixed_cover_policy,
    forecast_policy,
    forecast_policy_options,
    rolling_forecasts,
    rule_of_thumb_policy,
    simulate,
    simulation_summary,
)
from opsanalysis.replenishment.sources import PlanNeedsData

__all__ = [
    "ACTIONS",
    "DECISION_TABLE",
    "PLAN_COLUMNS",
    "PlanNeedsData",
    "decide",
    "decision_table_frame",
    "decisions",
    "risk",
    "sources",
    "status_by_sku",
    "OPTIONAL_SETTINGS",
    "SETTINGS_KEYS",
    "STATUSES",
    "Policy",
    "ReplenishmentPlan",
    "compare_policies",
    "demand_for_replay",
    "fees",
    "fixed_cover_policy",
    "forecast_policy",
    "forecast_policy_options",
    "lead_time_legs",
    "pipeline_position",
    "plan",
    "plan_policy_comparison",
    "plan_sheets",
    "planning_forecast_params",
    "policy",
    "recommend_orders",
    "resolve_settings",
    "rolling_forecasts",
    "rule_of_thumb_policy",
    "simulate",
    "simulation_summary",
]

"""SP-API JSON reports: GET_SALES_AND_TRAFFIC_REPORT and GET_V2_SELLER_PERFORMANCE_REPORT.

Both are flattened into tables with canonical column names and then typed by the same
converter as CSV files. Sales & Traffic percentages are on a 0-100 scale and become fractions
here; the seller-performance ``rate`` values are already fractions (§1.6 and §5 of the format
notes).
"""

from __future__ import annotations

import json
import re

import pandas as pd

from opsanalysis.io.errors import UnknownKindError, UnreadableFileError

__all__ = ["json_kinds", "json_tables", "load_json"]


def load_json(raw) -> object:
    """Parse a JSON report's text."""
    try:
        return json.loads(raw.data.decode(raw.encoding or "utf-8").lstrip("\ufeff"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        line = getattr(error, "lineno", None)
        raise UnreadableFileError(f"invalid JSON ({error})", file=raw.path, row=line,
                                  expected="a complete SP-API JSON report") from None


def json_kinds(document) -> list:
    """Kinds a JSON report holds, judged by its top-level keys."""
    if isinstance(document, dict):
        if "salesAndTrafficByDate" in document or "salesAndTrafficByAsin" in document:
            kinds = []
            if document.get("salesAndTrafficByAsin") is not None:
                kinds.append("business_report_asin")
            if document.get("salesAndTrafficByDate") is not None:
                kinds.append("business_report_date")
            return kinds
        if "performanceMetrics" in document:
            return ["account_health"]
    return []


def _snake(key: str) -> str:
    key = re.sub(r"B2B$", "_b2b", key)
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


# SP-API names that differ from the CSV-derived canonical ones.
_RENAME = {
    "browser_sessions": "sessions_browser", "mobile_app_sessions": "sessions_mobile_app",
    "browser_page_views": "page_views_browser", "mobile_app_page_views": "page_views_mobile_app",
    "browser_session_percentage": "session_percentage_browser",
    "mobile_app_session_percentage": "session_percentage_mobile_app",
    "browser_page_views_percentage": "page_views_percentage_browser",
    "mobile_app_page_views_percentage": "page_views_percentage_mobile_app",
}


def _flatten(sections: dict, currencies: set) -> dict:
    row = {}
    for section in sections:
        for key, value in (section or {}).items():
            name = _snake(key)
            for suffix in ("", "_b2b"):
                if name.endswith(suffix) and name[:len(name) - len(suffix)] in _RENAME:
                    name = _RENAME[name[:len(name) - len(suffix)]] + suffix
                    break
            if isinstance(value, dict) and "amount" in value:
                if value.get("currencyCode"):
                    currencies.add(value["currencyCode"])
                value = value.get("amount")
            elif re.search(r"(percentage|_rate)(_b2b)?$", name) and value is not None:
                # Sales & Traffic writes 0-100; shifting the exponent in text gives the
                # double nearest the fraction (98.33 -> 0.9833 exactly as written).
                value = float(f"{float(value)!r}e-2")
            row[name] = value
    return row


def _by_asin_table(entries, currencies) -> pd.DataFrame:
    rows = []
    for entry in entries:
        row = {"parent_asin": entry.get("parentAsin"), "child_asin": entry.get("childAsin")}
        if "sku" in entry:
            row["sku"] = entry.get("sku")
        row.update(_flatten([entry.get("salesByAsin"), entry.get("trafficByAsin")], currencies))
        rows.append(row)
    return pd.DataFrame(rows, columns=None if rows else ["parent_asin", "child_asin"])


def _sales_traffic(document) -> dict:
    spec = document.get("reportSpecification") or {}
    currencies: set = set()
    tables = {}
    by_asin = document.get("salesAndTrafficByAsin")
    if by_asin is not None:
        tables["business_report_asin"] = _by_asin_table(by_asin, currencies)
    by_date = document.get("salesAndTrafficByDate")
    if by_date is not None:
        rows = [{"date": entry.get("date"),
                 **_flatten([entry.get("salesByDate"), entry.get("trafficByDate")], currencies)}
                for entry in by_date]
        tables["business_report_date"] = pd.DataFrame(rows, columns=None if rows else ["date"])
    period = (spec.get("dataStartTime"), spec.get("dataEndTime"))
    marketplace_ids = spec.get("marketplaceIds") or []
    return {"tables": tables, "period": period if all(period) else None,
            "currencies": currencies,
            "marketplace_id": marketplace_ids[0] if marketplace_ids else None}


_NUMERATORS = ("lateShipmentCount", "cancellationCount", "validTrackingCount",
               "onTimeDeliveryCount", "invoiceDefectCount")
_DENOMINATORS = ("orderCount", "shipmentCount", "shipmentCountWithValidTracking")
_METRIC_ALIASES = {"prefulfillmentCancelRate": "preFulfillmentCancellationRate",
                   "documentRequest": "documentRequests", "warningState": "warningStates"}


def _metric_row(marketplace_id, metric, body) -> dict:
    dates = body.get("reportingDateRange") or {}
    numerator = next((body[key] for key in _NUMERATORS if key in body), None)
    if numerator is None and isinstance(body.get("orderWithDefects"), dict):
        numerator = body["orderWithDefects"].get("count")
    denominator = next((body[key] for key in _DENOMINATORS if key in body), None)
    if "rate" in body:
        value = body.get("rate")
    elif "defectsCount" in body:
        value = body.get("defectsCount")
    else:
        value = body.get("ahrScore", body.get("score"))
    return {"marketplace_id": marketplace_id, "metric": _snake(metric), "value": value,
            "numerator": numerator, "denominator": denominator,
            "target_value": body.get("targetValue"),
            "target_condition": body.get("targetCondition"),
            "status": body.get("status", body.get("ahrStatus",
                                                  body.get("accountHealthRatingStatus"))),
            # The range is written in UTC ("2026-10-30T23:59Z"); keep its calendar date as
            # written rather than shifting it into the marketplace's zone.
            "date_from": _day(dates.get("reportingDateFrom")),
            "date_to": _day(dates.get("reportingDateTo"))}


def _day(stamp):
    return stamp[:10] if isinstance(stamp, str) else stamp


def _account_health(document) -> dict:
    rows = []
    for status in document.get("accountStatuses") or []:
        rows.append({"marketplace_id": status.get("marketplaceId"), "metric": "account_status",
                     "status": status.get("status")})
    for item in document.get("performanceMetrics") or []:
        marketplace_id = item.get("marketplaceId")
        for key, body in item.items():
            metric = _METRIC_ALIASES.get(key, key)
            if key == "orderDefectRate" and isinstance(body, dict):
                for channel in ("mfn", "afn"):
                    if isinstance(body.get(channel), dict):
                        rows.append(_metric_row(marketplace_id, f"orderDefectRate_{channel}",
                                                body[channel]))
            elif isinstance(body, dict):
                rows.append(_metric_row(marketplace_id, metric, body))
    columns = ["marketplace_id", "metric", "value", "numerator", "denominator", "target_value",
               "target_condition", "status", "date_from", "date_to"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["metric"] = frame["metric"].str.replace("__", "_", regex=False)
    return {"tables": {"account_health": frame}, "period": None, "currencies": set(),
            "marketplace_id": frame["marketplace_id"].dropna().iloc[0] if len(frame) else None}


def json_tables(raw, document) -> dict:
    """Flattened tables of a JSON report.

    Returns
    -------
    dict
        ``tables`` (kind -> DataFrame with canonical column names), ``period``
        ((start, end) strings or None), ``currencies`` (set of ISO codes),
        ``marketplace_id`` (str or None).
    """
    kinds = json_kinds(document)
    if not kinds:
        keys = ", ".join(list(document)[:6]) if isinstance(document, dict) else type(document).__name__
        raise UnknownKindError("JSON with no known report keys", file=raw.path, value=keys,
                               expected="a GET_SALES_AND_TRAFFIC_REPORT or "
                                        "GET_V2_SELLER_PERFORMANCE_REPORT document")
    if kinds == ["account_health"]:
        return _account_health(document)
    return _sales_traffic(document)

"""Amazon Ads API v3 reporting (Sponsored Products, Brands, Display): create, wait, download as
console CSV.

``POST /reporting/reports`` (``startDate``, ``endDate``, ``configuration`` with ``adProduct``,
``reportTypeId``, ``groupBy``, ``columns``, ``timeUnit`` DAILY, ``format`` GZIP_JSON) with the
headers ``Amazon-Advertising-API-ClientId`` and ``Amazon-Advertising-API-Scope`` (the
marketplace's profile id); ``GET /reporting/reports/{reportId}`` until ``status`` is
``COMPLETED`` (``url``) or ``FAILED`` (``failureReason``); HTTP 425 answers a duplicate request
and names the report already running, which is then polled instead.

The v3 document is a gzip JSON array with camelCase keys; it is written as the Ads console's
CSV (en-US headers from :func:`opsanalysis.io.schema.header_for`), which the readers know.
"""

from __future__ import annotations

import csv
import gzip
import io as _io
import json
import re
import zlib

from opsanalysis.io.schema import header_for
from opsanalysis.pull.http import ApiError, Authorisation, ReportFailed, TokenSource

__all__ = ["authorisation", "console_csv", "create_report", "fetch_report"]

_CREATE_TYPE = "application/vnd.createasyncreportrequest.v3+json"


def authorisation(client, credentials, profile_id: str, token_url: str, margin_s: float):
    """Token source and headers (Bearer token, client id, profile scope) for one profile."""
    source = TokenSource(client, token_url, credentials.ads_client_id,
                         credentials.ads_client_secret, credentials.ads_refresh_token, margin_s)
    client_id = credentials.ads_client_id

    def headers(token):
        return {"Authorization": f"Bearer {token}", "Amazon-Advertising-API-ClientId": client_id,
                "Amazon-Advertising-API-Scope": str(profile_id)}

    return Authorisation(source, headers)


def create_report(client, auth, base_url, spec: dict, first, last, name: str) -> str:
    """Request a daily report of ``spec`` (an ``ads_api`` entry of amazon_api.yaml) for the
    days ``first`` to ``last``; returns the ``reportId`` (of the running duplicate on 425)."""
    body = {"name": name, "startDate": f"{first:%Y-%m-%d}", "endDate": f"{last:%Y-%m-%d}",
            "configuration": {"adProduct": spec["ad_product"], "reportTypeId": spec["report_type"],
                              "groupBy": list(spec["group_by"]), "columns": list(spec["columns"]),
                              "timeUnit": "DAILY", "format": "GZIP_JSON"}}
    try:
        answer = client.send("adsCreateReport", "POST", f"{base_url}/reporting/reports",
                             headers={"Content-Type": _CREATE_TYPE},
                             body=json.dumps(body).encode(), tokens=auth)
    except ApiError as error:
        duplicate = re.search(r"duplicate of\s*:?\s*([0-9a-fA-F-]{8,})", str(error))
        if error.status == 425 and duplicate:
            return duplicate.group(1)
        raise
    return str(answer.json()["reportId"])


def fetch_report(client, auth, base_url, report_id, spec, kind, currency, settings) -> bytes:
    """Wait for the report, download its gzip JSON and return it as console CSV bytes.

    Raises
    ------
    ReportFailed
        ``FAILED`` (with Amazon's ``failureReason``), or a document that stayed truncated.
    """
    attempts = int(settings["download_attempts"])
    for _ in range(attempts):
        report = _wait(client, auth, base_url, report_id, settings)
        data = client.send("download", "GET", report["url"]).body
        try:
            rows = json.loads(gzip.decompress(data).decode("utf-8"))
        except (EOFError, OSError, zlib.error, ValueError):
            continue  # truncated: GET the report again for a fresh URL
        return console_csv(rows, spec["columns"], kind, currency,
                           int(spec["attribution_days"]), spec.get("values"))
    raise ReportFailed(report_id, "COMPLETED", f"document stayed truncated after {attempts} "
                                               "downloads")


def console_csv(rows: list, columns: dict, kind: str, currency: str, attribution_days: int,
                values=None) -> bytes:
    """Ads API v3 rows as the Ads console's CSV (UTF-8 with BOM, en-US headers).

    Parameters
    ----------
    rows : list of dict
        The v3 JSON array (camelCase keys, raw numbers, ISO dates).
    columns : dict
        v3 column -> canonical column. Several v3 columns may feed one canonical column
        (``keywordText`` and ``targetingText`` -> ``targeting``): it is written once, with the
        first of them a row has.
    kind : str
        opsanalysis.io kind the CSV is read as.
    currency : str
        ISO code written when the rows carry none.
    attribution_days : int
        [days] attribution window of the v3 columns asked for (7 for ``sales7d``; SB and SD
        report 14), written into the headers ("14 Day Total Sales").
    values : dict, optional
        Canonical column -> {v3 value: console value} (the API's enums in the console's
        words); other values are written as given.
    """
    translations = values or {}
    sources = {}  # canonical column -> its v3 columns, in the order of ``columns``
    for name, canonical in columns.items():
        sources.setdefault(canonical, []).append(name)
    header = [header_for(kind, canonical, "en-US", attribution_days=attribution_days)
              for canonical in sources]
    out = _io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        cells = []
        for canonical, names in sources.items():
            value = next((row[name] for name in names if row.get(name) is not None), None)
            if value is None and canonical == "currency":
                value = currency
            value = translations.get(canonical, {}).get(value, value)
            cells.append("" if value is None else value)
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _wait(client, auth, base_url, report_id, settings) -> dict:
    waited = 0.0
    while True:
        report = client.send("adsGetReport", "GET", f"{base_url}/reporting/reports/{report_id}",
                             tokens=auth).json()
        if report.get("status") == "COMPLETED":
            return report
        if report.get("status") == "FAILED":
            raise ReportFailed(report_id, "FAILED", client.credentials.redact(
                report.get("failureReason") or "no reason given"))
        if waited >= float(settings["max_poll_s"]):
            raise ApiError("adsGetReport", None, "timeout", f"report {report_id} still "
                           f"{report.get('status')} after {waited:.0f} s")
        client.sleep(float(settings["poll_interval_s"]))
        waited += float(settings["poll_interval_s"])

"""Selling Partner API Reports API (2021-06-30): create a report, wait for it, download it.

Operations (``amazon_api.yaml`` holds their rate limits): ``createReport`` (``POST
/reports/2021-06-30/reports`` with ``reportType``, ``marketplaceIds``, ``dataStartTime``,
``dataEndTime``, ``reportOptions``), ``getReport`` (``processingStatus`` ``IN_QUEUE``,
``IN_PROGRESS``, ``DONE``, ``CANCELLED``, ``FATAL``; ``reportDocumentId``) and
``getReportDocument`` (pre-signed ``url``, ``compressionAlgorithm`` ``GZIP`` when compressed).
Documents of this API version are not encrypted. A ``FATAL`` report's ``reportDocumentId``
names its error document, whose text becomes the failure's reason.
"""

from __future__ import annotations

import datetime
import gzip
import json
import zlib
from zoneinfo import ZoneInfo

from opsanalysis.pull.http import ApiError, Authorisation, ReportFailed, TokenSource

__all__ = ["authorisation", "create_report", "fetch_report", "time_range"]

_BASE = "/reports/2021-06-30"


def authorisation(client, credentials, region: str, token_url: str, margin_s: float):
    """Token source and header (``x-amz-access-token``) for SP-API calls in ``region``."""
    source = TokenSource(client, token_url, credentials.sp_client_id,
                         credentials.sp_client_secret, credentials.sp_refresh_tokens[region],
                         margin_s)
    return Authorisation(source, lambda token: {"x-amz-access-token": token})


def time_range(first, last, timezone: str) -> tuple[str, str]:
    """``dataStartTime``/``dataEndTime`` (ISO 8601 with offset) covering the marketplace-local
    days ``first`` to ``last``, both inclusive."""
    zone = ZoneInfo(timezone)
    start = datetime.datetime.combine(first, datetime.time(0, 0), zone)
    end = datetime.datetime.combine(last, datetime.time(23, 59, 59), zone)
    return start.isoformat(), end.isoformat()


def create_report(client, auth, base_url, report_type, marketplace_id, data_range=None,
                  options=None) -> str:
    """Request a report; returns Amazon's ``reportId``."""
    body = {"reportType": report_type, "marketplaceIds": [marketplace_id]}
    if data_range is not None:
        body["dataStartTime"], body["dataEndTime"] = data_range
    if options:
        body["reportOptions"] = {key: str(value) for key, value in options.items()}
    answer = client.send("createReport", "POST", f"{base_url}{_BASE}/reports",
                         headers={"Content-Type": "application/json"},
                         body=json.dumps(body).encode(), tokens=auth)
    return str(answer.json()["reportId"])


def fetch_report(client, auth, base_url, report_id, settings) -> tuple[bytes, bool]:
    """Wait until the report is done, then download its document.

    Returns
    -------
    (bytes, bool)
        The document as Amazon gave it (gzip-compressed when ``compressed``), checked to
        decompress completely.

    Raises
    ------
    ReportFailed
        The report ended ``CANCELLED`` or ``FATAL`` (reason from its error document), or the
        document stayed truncated after ``download_attempts`` fresh downloads.
    """
    report = _wait(client, auth, base_url, report_id, settings)
    document_id = report.get("reportDocumentId")
    if report["processingStatus"] != "DONE":
        reason = "no data for this period" if report["processingStatus"] == "CANCELLED" else \
            "no reason given"
        if document_id:
            data, compressed = _download(client, auth, base_url, document_id)
            reason = _text(data, compressed)[:1000]
        raise ReportFailed(report_id, report["processingStatus"], client.credentials.redact(reason))
    # each try fetches a fresh pre-signed URL (they expire after five minutes)
    attempts = int(settings["download_attempts"])
    for _ in range(attempts):
        data, compressed = _download(client, auth, base_url, document_id)
        if not compressed or _complete_gzip(data):
            return data, compressed
    raise ReportFailed(report_id, "DONE", f"document {document_id} stayed truncated after "
                                          f"{attempts} downloads")


def _wait(client, auth, base_url, report_id, settings) -> dict:
    waited = 0.0
    while True:
        report = client.send("getReport", "GET", f"{base_url}{_BASE}/reports/{report_id}",
                             tokens=auth).json()
        if report["processingStatus"] in ("DONE", "CANCELLED", "FATAL"):
            return report
        if waited >= float(settings["max_poll_s"]):
            raise ApiError("getReport", None, "timeout", f"report {report_id} still "
                           f"{report['processingStatus']} after {waited:.0f} s")
        client.sleep(float(settings["poll_interval_s"]))
        waited += float(settings["poll_interval_s"])


def _download(client, auth, base_url, document_id) -> tuple[bytes, bool]:
    document = client.send("getReportDocument", "GET",
                           f"{base_url}{_BASE}/documents/{document_id}", tokens=auth).json()
    # the pre-signed URL carries its own signature: no token goes to the storage host
    data = client.send("download", "GET", document["url"]).body
    return data, document.get("compressionAlgorithm") == "GZIP"


def _complete_gzip(data: bytes) -> bool:
    try:
        gzip.decompress(data)
    except (EOFError, OSError, zlib.error):
        return False
    return True


def _text(data: bytes, compressed: bool) -> str:
    if compressed:
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error):
            return "error document unreadable (truncated)"
    return data.decode("utf-8", "replace").strip()

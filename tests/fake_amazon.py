"""A local fake of Amazon's LWA token endpoint, SP-API Reports API and Ads API v3 reporting.

Started by the pull tests on 127.0.0.1 (port 0) in a thread. It checks credentials and headers
the way Amazon does, serves documents made from the bundled sample world (``data/sample/<MP>/``
gzip-compressed), and injects faults on request: ``fail(operation, "429"|"500"|"expire"|
"truncate")`` queues one fault for the next call of that operation; ``fatal_types`` makes a
report type end ``FATAL`` with an error document. A report type the sample world has no
document for ends ``CANCELLED`` (SP-API: no data for the period) or ``FAILED`` (Ads API).

``ready_after_polls`` (default 2: one ``IN_PROGRESS`` answer first) and ``rate_limit`` (an
``x-amzn-RateLimit-Limit`` value sent with every API answer, as Amazon does) let a test that
runs the pull with real time (``opsanalysis run --pull`` through the command line) finish
without waiting for poll intervals or the 1-per-minute ``createReport`` plan.
"""

from __future__ import annotations

import datetime
import functools
import gzip
import itertools
import json
import threading
import urllib.parse
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd

import opsanalysis.io as oio
from opsanalysis import marketplaces
from opsanalysis.pull import settings

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

SECRETS = {
    "sp_client_id": "amzn1.application-oa2-client.SPCLIENTID0042",
    "sp_client_secret": "amzn1.oa2-cs.v1.SPSECRETs3cr3t9f8e7d6c5b4a",
    "sp_refresh_token": "Atzr|SPREFRESHTOKENxyzzy0123456789",
    "ads_client_id": "amzn1.application-oa2-client.ADSCLIENTID0077",
    "ads_client_secret": "amzn1.oa2-cs.v1.ADSSECRETp4ssw0rdq1w2e3r4",
    "ads_refresh_token": "Atzr|ADSREFRESHTOKENplugh9876543210",
}
PROFILES = {"US": "3141592653589793"}

_SNAPSHOT_FILES = {
    "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA": "Manage_FBA_Inventory_2026-10-31.*",
    "GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT": "Restock_Inventory_2026-10-31.*",
    "GET_V2_SELLER_PERFORMANCE_REPORT": "GET_V2_SELLER_PERFORMANCE_REPORT_2026-10-31.*",
    "GET_FBA_INVENTORY_PLANNING_DATA": "FBA_Inventory_Planning_2026-10-31.*",
}
_ADS_SOURCES = {"spCampaigns": ("sp_campaign", "Sponsored_Products_Campaign_report_*"),
                "spSearchTerm": ("sp_search_term", "Sponsored_Products_Search_term_report_*")}


def _one(folder: Path, pattern: str) -> Path:
    (path,) = folder.glob(pattern)
    return path


@functools.cache
def _all_orders(code):
    """Header line, lines and purchase times [s since the epoch] of the sample's All Orders."""
    text = gzip.decompress(_one(SAMPLE / code, "All_Orders_*").read_bytes())
    lines = text.split(b"\r\n")
    position = lines[0].split(b"\t").index(b"purchase-date")
    rows = [line for line in lines[1:] if line]
    stamps = np.array([datetime.datetime.fromisoformat(line.split(b"\t")[position].decode())
                       .timestamp() for line in rows])
    return lines[0], rows, stamps


@functools.cache  # the tests ask for the same periods again and again
def all_orders_slice(code, start, end) -> bytes:
    """Header and the All Orders rows of the sample whose purchase-date lies in [start, end]."""
    header, rows, stamps = _all_orders(code)
    begin, finish = (datetime.datetime.fromisoformat(t).timestamp() for t in (start, end))
    kept = [rows[i] for i in np.flatnonzero((stamps >= begin) & (stamps <= finish))]
    return b"\r\n".join([header, *kept, b""])


@functools.cache
def _ads_frame(code, report_type):
    kind, pattern = _ADS_SOURCES[report_type]
    return kind, oio.read_report(_one(SAMPLE / code, pattern), code)


@functools.cache
def ads_json(code, report_type, start, end) -> bytes:
    """:func:`ads_rows` as the JSON document the API serves."""
    return json.dumps(ads_rows(code, report_type, start, end)).encode()


@functools.lru_cache(maxsize=64)
def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def ads_rows(code, report_type, start, end) -> list:
    """v3 JSON rows (camelCase keys) of the sample's Ads console report, days start..end."""
    kind, frame = _ads_frame(code, report_type)
    columns = settings()["ads_api"][kind]["columns"]
    # the console's words back into the API's enums (LEGACY_FOR_SALES ...)
    enums = {canonical: {text: enum for enum, text in table.items()}
             for canonical, table in settings()["ads_api"][kind].get("values", {}).items()}
    frame = frame[(frame["date"] >= pd.Timestamp(start)) & (frame["date"] <= pd.Timestamp(end))]
    rows = []
    for record in frame.to_dict("records"):
        row = {}
        for api_name, canonical in columns.items():
            value = record.get(canonical)
            if canonical not in frame.columns or value is None or pd.isna(value):
                continue
            if isinstance(value, pd.Timestamp):
                value = f"{value:%Y-%m-%d}"
            elif hasattr(value, "item"):
                value = value.item()
            row[api_name] = enums.get(canonical, {}).get(value, value)
        rows.append(row)
    return rows


class FakeAmazon:
    """The server; use as a context manager. ``url`` is its base address."""

    def __init__(self, fatal_types=(), ready_after_polls=2, rate_limit=None):
        self.fatal_types = set(fatal_types)
        self.ready_after_polls, self.rate_limit = ready_after_polls, rate_limit
        self.faults = defaultdict(list)
        self.calls = Counter()
        self.creates = Counter()
        self.tokens = {}
        self.reports, self.documents = {}, {}
        self.ids = itertools.count(50001)
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        # a short poll interval: shutdown() waits up to one interval (0.5 s by default)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,),
                                       daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def endpoints(self) -> dict:
        return {"token": f"{self.url}/auth/o2/token", "sp_api": self.url, "ads_api": self.url}

    def fail(self, operation, fault, times=1) -> None:
        self.faults[operation].extend([fault] * times)

    def fault(self, operation):
        with self.lock:
            self.calls[operation] += 1
            queue = self.faults[operation]
            return queue.pop(0) if queue else None

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens = dict.fromkeys(self.tokens, False)

    # --- content --------------------------------------------------------------------------
    def sp_document(self, body):
        code = marketplaces.by_marketplace_id(body["marketplaceIds"][0]).code
        report_type = body["reportType"]
        if report_type == "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL":
            return all_orders_slice(code, body["dataStartTime"], body["dataEndTime"])
        if report_type == "GET_SALES_AND_TRAFFIC_REPORT":
            path = SAMPLE / code / (f"GET_SALES_AND_TRAFFIC_REPORT_{body['dataStartTime'][:10]}"
                                    f"_{body['dataEndTime'][:10]}.json")
            return path.read_bytes() if path.is_file() else None
        if report_type not in _SNAPSHOT_FILES:
            return None  # no such document in the sample world
        return _one(SAMPLE / code, _SNAPSHOT_FILES[report_type]).read_bytes()

    def ads_document(self, code, body):
        configuration = body["configuration"]
        assert configuration["format"] == "GZIP_JSON" and configuration["timeUnit"] == "DAILY"
        return ads_json(code, configuration["reportTypeId"], body["startDate"], body["endDate"])


def _handler(fake: FakeAmazon):
    class Handler(BaseHTTPRequestHandler):
        # headers and body leave in two writes: with Nagle on, the body waits for the client's
        # delayed ACK (~40 ms a request), which made the pull tests slow
        disable_nagle_algorithm = True

        def log_message(self, *args):  # keep test output quiet
            pass

        def reply(self, status, document=None, headers=None, raw=None):
            data = raw if raw is not None else json.dumps(document or {}).encode()
            if fake.rate_limit is not None and raw is None:
                headers = {"x-amzn-RateLimit-Limit": str(fake.rate_limit)} | (headers or {})
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_POST(self):
            self.route("POST")

        def do_GET(self):
            self.route("GET")

        def route(self, method):
            path = urllib.parse.urlsplit(self.path).path
            if path == "/auth/o2/token":
                return self.token(self.body())
            if path.startswith("/download/"):
                return self.download(path.rsplit("/", 1)[1])
            if path.startswith("/reports/2021-06-30/"):
                return self.sp(method, path)
            if path.startswith("/reporting/reports"):
                return self.ads(method, path)
            return self.reply(404, {"errors": [{"code": "NotFound", "message": path}]})

        def injected(self, operation):
            fault = fake.fault(operation)
            if fault == "429":
                self.reply(429, {"errors": [{"code": "QuotaExceeded", "message": "You exceeded "
                                 "your quota for the requested resource."}]},
                           {"Retry-After": "3", "x-amzn-RateLimit-Limit": "0.5"})
                return True
            if fault == "500":
                self.reply(500, {"errors": [{"code": "InternalFailure", "message": "We "
                                 "encountered an internal error. Please try again."}]})
                return True
            if fault == "expire":
                fake.expire_tokens()
            return False

        def token(self, body):
            if self.injected("token"):
                return None
            form = dict(urllib.parse.parse_qsl(body.decode()))
            pairs = {(SECRETS["sp_client_id"], SECRETS["sp_client_secret"],
                      SECRETS["sp_refresh_token"]),
                     (SECRETS["ads_client_id"], SECRETS["ads_client_secret"],
                      SECRETS["ads_refresh_token"])}
            if form.get("grant_type") != "refresh_token" or (
                    form.get("client_id"), form.get("client_secret"),
                    form.get("refresh_token")) not in pairs:
                return self.reply(400, {"error": "invalid_grant", "error_description":
                                        "The request has an invalid grant parameter"})
            token = f"Atza|access{next(fake.ids)}"
            with fake.lock:
                fake.tokens[token] = True
            return self.reply(200, {"access_token": token, "token_type": "bearer",
                                    "expires_in": 3600, "refresh_token": form["refresh_token"]})

        def authorised(self, token) -> bool:
            if fake.tokens.get(token):
                return True
            self.reply(403, {"errors": [{"code": "Unauthorized", "message": "The access token "
                             "you provided has expired.", "details": ""}]})
            return False

        def sp(self, method, path):
            operation = {("POST", "reports"): "createReport", ("GET", "reports"): "getReport",
                         ("GET", "documents"): "getReportDocument"}[(method,
                                                                     path.split("/")[3])]
            if self.injected(operation) or not self.authorised(
                    self.headers.get("x-amz-access-token")):
                return None
            if operation == "createReport":
                body = json.loads(self.body())
                report_id = str(next(fake.ids))
                key = ("sp_api", body["reportType"], body["marketplaceIds"][0],
                       body.get("dataStartTime"), body.get("dataEndTime"))
                fake.creates[key] += 1
                fake.reports[report_id] = {"body": body, "polls": 0}
                return self.reply(202, {"reportId": report_id})
            if operation == "getReport":
                report_id = path.rsplit("/", 1)[1]
                report = fake.reports[report_id]
                report["polls"] += 1
                answer = {"reportId": report_id, "reportType": report["body"]["reportType"],
                          "processingStatus": "IN_PROGRESS"}
                if report["polls"] >= fake.ready_after_polls:
                    answer |= self.outcome(report)
                return self.reply(200, answer)
            document_id = path.rsplit("/", 1)[1]
            return self.reply(200, {"reportDocumentId": document_id,
                                    "url": f"{fake.url}/download/{document_id}?X-Amz-Signature=x",
                                    "compressionAlgorithm": "GZIP"})

        def outcome(self, report):
            body = report["body"]
            if body["reportType"] in fake.fatal_types:
                status, data = "FATAL", json.dumps({"errorDetails": "Report processing failed: "
                                                    "the selling partner is not eligible for "
                                                    "this report type."}).encode()
            else:
                data = fake.sp_document(body)
                status = "CANCELLED" if data is None else "DONE"
            answer = {"processingStatus": status}
            if data is not None:
                document_id = f"amzn1.spdoc.1.4.na.{next(fake.ids)}"
                fake.documents[document_id] = gzipped(data)
                answer["reportDocumentId"] = document_id
            return answer

        def ads(self, method, path):
            operation = "adsCreateReport" if method == "POST" else "adsGetReport"
            if self.injected(operation):
                return None
            bearer = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            if not self.authorised(bearer):
                return None
            if self.headers.get("Amazon-Advertising-API-ClientId") != SECRETS["ads_client_id"]:
                return self.reply(401, {"code": "UNAUTHORIZED", "details": "bad client id"})
            profile = self.headers.get("Amazon-Advertising-API-Scope")
            codes = {v: k for k, v in PROFILES.items()}
            if profile not in codes:
                return self.reply(400, {"code": "400", "details": "invalid profile"})
            if method == "POST":
                assert self.headers.get("Content-Type") == \
                    "application/vnd.createasyncreportrequest.v3+json"
                body = json.loads(self.body())
                report_id = f"{next(fake.ids):08x}-aaaa-bbbb-cccc-000000000000"
                key = ("ads_api", body["configuration"]["reportTypeId"], profile,
                       body["startDate"], body["endDate"])
                fake.creates[key] += 1
                fake.reports[report_id] = {"code": codes[profile], "body": body, "polls": 0}
                return self.reply(200, {"reportId": report_id, "status": "PENDING"})
            report_id = path.rsplit("/", 1)[1]
            report = fake.reports[report_id]
            report["polls"] += 1
            if report["polls"] < fake.ready_after_polls:
                return self.reply(200, {"reportId": report_id, "status": "PROCESSING"})
            report_type = report["body"]["configuration"]["reportTypeId"]
            if report_type in fake.fatal_types or report_type not in _ADS_SOURCES:
                return self.reply(200, {"reportId": report_id, "status": "FAILED",
                                        "failureReason": "Report generation failed."})
            fake.documents[report_id] = gzipped(fake.ads_document(report["code"],
                                                                  report["body"]))
            return self.reply(200, {"reportId": report_id, "status": "COMPLETED",
                                    "url": f"{fake.url}/download/{report_id}?X-Amz-Signature=y"})

        def download(self, document_id):
            if self.injected("download"):
                return None
            data = fake.documents[document_id]
            fault = fake.fault("truncate")
            if fault:
                data = data[: len(data) // 2]
            return self.reply(200, raw=data)

    return Handler

"""Pull report documents from the Selling Partner API and the Amazon Ads API into a data folder.

Public API (stable): :func:`pull` -> :class:`PullResult`; :func:`pullable_kinds` lists what can be
pulled. Everything after a pull reads the files exactly as if a person had saved them
(:func:`opsanalysis.io.load_marketplace`); see ``docs/pull.md``.

A pull asks only for the periods the folder's manifest does not hold, first resumes the
requests a killed pull left open, writes each document atomically and never overwrites a
different earlier document for the same period without keeping it (``.pull/replaced/``).
"""

from __future__ import annotations

import datetime
import gzip
import logging
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from opsanalysis import marketplaces as _marketplaces
from opsanalysis.pull import ads_api, brand_analytics, sp_api, store
from opsanalysis.pull.credentials import (
    Credentials,
    CredentialsError,
    check_endpoints,
    load_credentials,
)
from opsanalysis.pull.http import ApiClient, ApiError, RateLimiter, ReportFailed

__all__ = ["Credentials", "CredentialsError", "PullResult", "default_kinds", "load_credentials",
           "pull", "pullable_kinds", "settings"]

LOGGER = logging.getLogger("opsanalysis.pull")


@cache
def settings() -> dict:
    """The contents of ``amazon_api.yaml`` (endpoints, report types, limits, client settings)."""
    return yaml.safe_load((Path(__file__).with_name("amazon_api.yaml")).read_text("utf-8"))


def pullable_kinds() -> dict:
    """Pullable kind -> ("sp_api" or "ads_api", its entry of amazon_api.yaml)."""
    table = settings()
    return {kind: (api, spec) for api in ("sp_api", "ads_api") for kind, spec in table[api].items()}


def default_kinds() -> list:
    """The kinds a pull asks for when none is named: every pullable kind but the
    ``opt_in_kinds`` of amazon_api.yaml (Brand Analytics)."""
    opt_in = set(settings()["opt_in_kinds"])
    return [kind for kind in pullable_kinds() if kind not in opt_in]


@dataclass
class PullResult:
    """What a pull did.

    Attributes
    ----------
    stored : list of dict
        Manifest records of the documents written (or found unchanged) in this pull.
    failed : list of dict
        ``marketplace``, ``kind``, ``first``, ``last``, ``error``: reports Amazon ended without
        a document (``status`` FATAL/CANCELLED/FAILED with Amazon's reason) and calls that
        failed after their retries (left pending: the next pull resumes them).
    skipped : list of str
        Kinds not pulled, with the reason (no credentials for that API or marketplace).
    """

    stored: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    skipped: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def pull(marketplaces, data_dir, since=None, until=None, kinds=None, credentials=None, *,
         refresh=False, endpoints=None, asins=None, sleep=time.sleep, clock=time.monotonic,
         now=None, rng=None) -> PullResult:
    """Pull the missing report documents of each marketplace into ``data_dir/<MP>/``.

    Parameters
    ----------
    marketplaces : list of str
        Marketplace codes ("US", "DE" ...).
    data_dir : str or pathlib.Path
        Folder with one sub-folder per marketplace (created when missing).
    since, until : datetime.date or str, optional
        First and last marketplace-local day wanted, both inclusive. Default ``until``:
        yesterday in the marketplace; default ``since``: the day after the last one held, or
        ``initial_days`` (amazon_api.yaml) before ``until`` on a first pull. Snapshots
        (inventory, restock, account health) are pulled once per ``until``.
    kinds : list of str, optional
        Kinds to pull (:func:`pullable_kinds`); default :func:`default_kinds` (every one but
        the Brand Analytics kinds, which are pulled only when named).
    credentials : Credentials, optional
        Default :func:`load_credentials` (environment, then the credentials file).
    refresh : bool
        Ask again for periods already held; a different document replaces the held one,
        which is kept under ``.pull/replaced/``.
    endpoints : dict, optional
        ``{"token": url, "sp_api": url, "ads_api": url}`` (a URL for every region, or a
        mapping region -> URL) replacing Amazon's hosts: the SP-API sandbox, a proxy, a test
        server. Default: the credentials' ``endpoints`` (file or ``OPSANALYSIS_ENDPOINT_*``);
        both are checked (:func:`~opsanalysis.pull.credentials.check_endpoints`: https, or
        http on 127.0.0.1/localhost only).
    asins : dict, optional
        Marketplace code -> ASINs the Search Query Performance report (``sqp_asin``) asks
        for. Default: the ASINs of the newest FBA inventory document in the folder
        (``asins_from`` in amazon_api.yaml); without one the kind is skipped.
    sleep, clock, now, rng : optional
        ``time.sleep``, ``time.monotonic``, a function giving the aware current time, and a
        ``random.Random`` for jitter; tests pass fakes so that nothing waits.

    Returns
    -------
    PullResult
    """
    table = pullable_kinds()
    wanted = list(kinds or default_kinds())
    unknown = sorted(set(wanted) - set(table))
    if unknown:
        raise ValueError(f"unknown kind(s) {', '.join(unknown)}; known: {', '.join(table)}")
    for kind in list(wanted):  # the kind a per-ASIN report takes its ASINs from goes first
        source = table[kind][1].get("asins_from")
        if source in wanted and wanted.index(source) > wanted.index(kind):
            wanted.remove(source)
            wanted.insert(wanted.index(kind), source)
    credentials = load_credentials() if credentials is None else credentials
    endpoints = check_endpoints(credentials.endpoints | (endpoints or {}))
    options = settings()["client"]
    limiter = RateLimiter(settings()["rate_limits"], clock, sleep)
    client = ApiClient(options, limiter, credentials, sleep=sleep, clock=clock, rng=rng)
    now = now or (lambda: datetime.datetime.now(datetime.UTC))
    result, auths = PullResult(), {}
    for code in marketplaces:
        market = _marketplaces.get(code)
        folder = Path(data_dir) / market.code
        folder.mkdir(parents=True, exist_ok=True)
        last = _day(until) or now().astimezone(ZoneInfo(market.timezone)).date() \
            - datetime.timedelta(days=1)
        context = _Context(client, credentials, market, folder, endpoints, auths, result, now,
                           (asins or {}).get(market.code))
        for kind in wanted:
            api, spec = table[kind]
            if not context.authorised(api):
                result.skipped.append(f"{market.code} {kind}: no {api} credentials")
                continue
            if "asins_from" in spec and not context.asins(spec):
                result.skipped.append(f"{market.code} {kind}: no ASIN list (no "
                                      f"{spec['asins_from']} document in the folder; pass asins)")
                continue
            periods = _open_periods(folder, api, kind) + _periods(
                spec, store.held_periods(folder, kind), _day(since), last,
                int(options["initial_days"]), refresh)
            for first, period_last in dict.fromkeys(periods):
                context.run(api, kind, spec, first, period_last)
    return result


@dataclass
class _Context:
    client: ApiClient
    credentials: Credentials
    market: object
    folder: Path
    endpoints: dict
    auths: dict
    result: PullResult
    now: object
    asin_list: list | None = None

    def authorised(self, api) -> bool:
        if api == "sp_api":
            return self.credentials.has_sp_api(self.market.region)
        return self.credentials.has_ads_api(self.market.code)

    def asins(self, spec) -> list:
        """The ASINs a per-ASIN report asks for: those given, else those of the newest
        document of ``spec["asins_from"]`` in the folder (pulled or saved by hand)."""
        if self.asin_list is None:
            self.asin_list = _held_asins(self.folder, self.market.code, spec["asins_from"])
        return list(self.asin_list)

    def url(self, api, token=False) -> str:
        """The override of ``endpoints`` for this region, else Amazon's host."""
        region = self.market.region
        override = self.endpoints.get("token" if token else api)
        if isinstance(override, dict):
            override = override.get(region)
        if override:
            return override
        hosts = settings()["endpoints"]
        return hosts["token"][api][region] if token else hosts[api][region]

    def auth(self, api):
        key = (api, self.market.region if api == "sp_api" else self.market.code)
        if key not in self.auths:
            margin = float(settings()["client"]["token_margin_s"])
            if api == "sp_api":
                self.auths[key] = sp_api.authorisation(self.client, self.credentials,
                                                       self.market.region, self.url(api, True),
                                                       margin)
            else:
                self.auths[key] = ads_api.authorisation(
                    self.client, self.credentials, self.credentials.ads_profiles[self.market.code],
                    self.url(api, True), margin)
        return self.auths[key]

    def run(self, api, kind, spec, first, last) -> None:
        """Request (or resume), wait, download and store one document."""
        key = (api, kind, _iso(first), _iso(last))
        base = {"api": api, "kind": kind, "report_type": spec["report_type"],
                "marketplace": self.market.code, "first": _iso(first), "last": _iso(last)}
        pending = store.pending_requests(self.folder).get(key)
        try:
            if pending:
                request_id = pending["request_id"]
                LOGGER.info("%s %s %s..%s: resuming request %s", self.market.code, kind,
                            first, last, request_id)
            else:
                request_id = self._create(api, spec, first, last, kind)
                store.append(self.folder, base | {"event": "requested", "request_id": request_id,
                                                  "time": self._stamp()})
            documents = self._fetch(api, kind, spec, request_id, first, last)
            if not documents:
                raise ReportFailed(request_id, "DONE", "the report has no rows")
        except ReportFailed as error:  # the whole request (every report id of it) is closed
            store.append(self.folder, base | {"event": "failed", "request_id": request_id,
                                              "status": error.status, "reason": error.reason,
                                              "time": self._stamp()})
            self._failed(base, str(error), error.status)
            return
        except ApiError as error:  # left pending: the next pull resumes it
            self._failed(base, str(error), None)
            return
        for name, data in documents:  # one record per file (per ASIN for sqp_asin)
            written = store.write_document(self.folder, name, data, self.now())
            record = base | {"event": "stored", "request_id": request_id,
                             "time": self._stamp(), "file": written["file"],
                             "sha256": written["sha256"], "bytes": written["bytes"],
                             "replaced": written["replaced"]}
            store.append(self.folder, record)
            self.result.stored.append(record)
            LOGGER.info("%s %s %s..%s: stored %s", self.market.code, kind, first, last, name)

    def _create(self, api, spec, first, last, kind) -> str:
        auth = self.auth(api)
        if api == "sp_api":
            data_range = None if first is None else sp_api.time_range(first, last,
                                                                       self.market.timezone)
            options = [spec.get("options")]
            if "asins_from" in spec:  # one report per group of ASINs; the ids space-joined
                options = [(spec.get("options") or {}) | {"asin": group} for group in
                           brand_analytics.asin_groups(self.asins(spec),
                                                       int(spec["asin_option_chars"]))]
            return " ".join(sp_api.create_report(self.client, auth, self.url(api),
                                                 spec["report_type"],
                                                 self.market.marketplace_id, data_range, option)
                            for option in options)
        name = f"opsanalysis {kind} {self.market.code} {first}..{last}"
        return ads_api.create_report(self.client, auth, self.url(api), spec, first, last, name)

    def _fetch(self, api, kind, spec, request_id, first, last) -> list:
        """[(file name, bytes)] of a finished request (several SP ids: space-joined)."""
        auth = self.auth(api)
        if api == "ads_api":
            data = ads_api.fetch_report(self.client, auth, self.url(api), request_id, spec,
                                        kind, self.market.currency, settings()["client"])
            return [(store.document_name(spec["file"], first, last,
                                         spec.get("extension", "csv"), False), data)]
        fetched = [sp_api.fetch_report(self.client, auth, self.url(api), report_id,
                                       settings()["client"]) for report_id in request_id.split()]
        if "document" not in spec:  # kept exactly as Amazon sends it
            ((data, compressed),) = fetched
            return [(store.document_name(spec["file"], first, last, spec["extension"],
                                         compressed), data)]
        raw = [gzip.decompress(data) if compressed else data for data, compressed in fetched]
        return brand_analytics.documents(spec["document"], raw, spec, first, last)

    def _failed(self, base, error, status) -> None:
        LOGGER.error("%s %s %s..%s: %s", base["marketplace"], base["kind"], base["first"],
                     base["last"], error)
        self.result.failed.append({key: base[key] for key in ("marketplace", "kind", "first",
                                                              "last")}
                                  | {"status": status, "error": error})

    def _stamp(self) -> str:
        return self.now().astimezone(datetime.UTC).isoformat(timespec="seconds")


def _open_periods(folder, api, kind) -> list:
    """Periods of requests a killed pull left open (resumed before anything new is asked)."""
    return [(_day(first), _day(last)) for (a, k, first, last) in store.pending_requests(folder)
            if a == api and k == kind]


def _periods(spec, held, since, until, initial_days, refresh) -> list:
    """(first, last) periods to request: snapshots once per ``until``; period reports for the
    days in ``since..until`` not held, in chunks of ``max_days`` or Sunday-Saturday weeks."""
    if spec["shape"] == "snapshot":
        return [] if (None, until) in held and not refresh else [(None, until)]
    held_days = set()
    for first, last in held:
        held_days.update(_days(first, last))
    if since is None:
        since = (max(last for _, last in held) + datetime.timedelta(days=1)) if held else \
            until - datetime.timedelta(days=initial_days - 1)
    days = [day for day in _days(since, until) if refresh or day not in held_days]
    chunks = []
    for day in days:
        if chunks and day - chunks[-1][-1] == datetime.timedelta(days=1) \
                and not _starts_chunk(spec, day, chunks[-1]):
            chunks[-1].append(day)
        else:
            chunks.append([day])
    if spec.get("whole_weeks"):  # Brand Analytics: exactly one Sunday-Saturday week each
        chunks = [chunk for chunk in chunks if len(chunk) == 7 and chunk[0].weekday() == 6]
    return [(chunk[0], chunk[-1]) for chunk in chunks]


def _held_asins(folder, code, kind) -> list:
    """Sorted ASINs of the newest ``kind`` document of the folder: the manifest's latest
    stored one, else the last file named like the pulled ones (``<file>_*``); [] if none."""
    import opsanalysis.io as oio

    _, spec = pullable_kinds()[kind]
    folder = Path(folder)
    stored = [r for r in store.read_manifest(folder) if r.get("event") == "stored"
              and r.get("kind") == kind and (folder / r["file"]).is_file()]
    paths = [folder / max(stored, key=lambda r: (r["last"], r["time"]))["file"]] if stored \
        else sorted(folder.glob(f"{spec['file']}_*"))[-1:]
    if not paths:
        return []
    frame = oio.read_report(paths[0], code, kind=spec["reads_as"][0])
    return sorted(str(asin) for asin in frame["asin"].dropna().unique())


def _starts_chunk(spec, day, chunk) -> bool:
    if spec.get("weekly"):
        return day.weekday() == 6  # Sunday opens Amazon's Sunday-Saturday week
    return len(chunk) >= int(spec["max_days"])


def _days(first, last):
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def _day(value):
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def _iso(day):
    return None if day is None else day.isoformat()

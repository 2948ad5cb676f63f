"""A small, polite HTTP layer for Amazon's APIs: tokens, rate limits, retries.

Standard library only (``urllib``). Every wait goes through an injected ``sleep`` and every
time through an injected ``clock``, so tests run without waiting. Nothing here logs or raises
a header, a request body or a token: errors name the operation, the HTTP status and Amazon's
error code and message, passed through :meth:`Credentials.redact`.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

__all__ = ["ApiClient", "ApiError", "Authorisation", "RateLimiter", "ReportFailed",
           "TokenSource", "Transport"]

LOGGER = logging.getLogger("opsanalysis.pull")

_TRANSIENT = {500, 502, 503, 504}


class ApiError(RuntimeError):
    """An API call that failed for good (after the retries it deserved).

    Attributes
    ----------
    operation : str
    status : int or None
        HTTP status; None for a network error.
    code : str or None
        Amazon's error code (``InvalidInput``, ``QuotaExceeded``, ``invalid_grant`` ...).
    """

    def __init__(self, operation, status, code, message):
        self.operation, self.status, self.code = operation, status, code
        super().__init__(f"{operation} failed (HTTP {status}, {code}): {message}")


class ReportFailed(RuntimeError):
    """Amazon ended a report without a document (``FATAL``, ``CANCELLED``, ``FAILED``).

    Attributes
    ----------
    status : str
        Amazon's final processing status.
    reason : str
        Amazon's reason: the error document's text (SP-API) or ``failureReason`` (Ads API).
    """

    def __init__(self, report_id, status, reason):
        self.report_id, self.status, self.reason = report_id, status, reason
        super().__init__(f"report {report_id} ended {status}: {reason}")


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8")) if self.body else {}


class Transport:
    """Sends one HTTP request with ``urllib``; a network failure raises ``OSError``."""

    def __init__(self, timeout_s: float):
        self.timeout_s = timeout_s

    def send(self, method, url, headers=None, body=None) -> Response:
        request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:
                return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()},
                                answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, {k.lower(): v for k, v in error.headers.items()},
                            error.read())
        except (TimeoutError, urllib.error.URLError, ConnectionError) as error:
            raise OSError(f"network error ({type(error).__name__})") from None


class RateLimiter:
    """Token bucket per operation, from the API's usage plans [requests/s, burst].

    ``update`` takes a response's ``x-amzn-RateLimit-Limit`` (the operation's current rate).
    """

    def __init__(self, plans: dict, clock, sleep):
        self.plans = {name: (float(rate), float(burst)) for name, (rate, burst) in plans.items()}
        self.clock, self.sleep = clock, sleep
        self.level = {name: burst for name, (_, burst) in self.plans.items()}
        self.stamp = {}

    def acquire(self, operation: str) -> None:
        rate, burst = self.plans.get(operation, (1.0, 1.0))
        now = self.clock()
        level = self.level.get(operation, burst)
        level = min(burst, level + (now - self.stamp.get(operation, now)) * rate)
        if level < 1.0:
            wait = (1.0 - level) / rate
            LOGGER.info("rate limit: %s waits %.1f s", operation, wait)
            self.sleep(wait)
            now, level = now + wait, 1.0
        self.level[operation], self.stamp[operation] = level - 1.0, now

    def exhaust(self, operation: str) -> None:
        """Empty the operation's bucket (Amazon answered 429)."""
        self.level[operation], self.stamp[operation] = 0.0, self.clock()

    def update(self, operation: str, header) -> None:
        try:
            rate = float(header)
        except (TypeError, ValueError):
            return
        if rate > 0:
            burst = self.plans.get(operation, (rate, 1.0))[1]
            self.plans[operation] = (rate, burst)


class TokenSource:
    """LWA access tokens from a refresh token, cached until shortly before they expire."""

    def __init__(self, client, url, client_id, client_secret, refresh_token, margin_s):
        self.client, self.url, self.margin_s = client, url, margin_s
        self._form = urllib.parse.urlencode({
            "grant_type": "refresh_token", "refresh_token": refresh_token,
            "client_id": client_id, "client_secret": client_secret}).encode()
        self._token, self._expires = None, 0.0

    def token(self) -> str:
        if self._token is None or self.client.clock() >= self._expires - self.margin_s:
            answer = self.client.send("token", "POST", self.url, body=self._form, headers={
                "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"})
            document = answer.json()
            self._token = document["access_token"]
            self._expires = self.client.clock() + float(document.get("expires_in", 3600))
            LOGGER.info("access token refreshed (valid %s s)", document.get("expires_in"))
        return self._token

    def invalidate(self) -> None:
        self._token = None


class ApiClient:
    """Retrying, rate-limited HTTP calls.

    Parameters
    ----------
    settings : dict
        The ``client`` section of ``amazon_api.yaml`` (attempts, back-off [s], timeout [s]).
    limiter : RateLimiter
    credentials : Credentials
        Only to redact secrets from error texts.
    sleep, clock : callable
        ``time.sleep`` and ``time.monotonic`` by default; tests pass fakes.
    rng : random.Random, optional
        Jitter source.
    transport : Transport, optional
    """

    def __init__(self, settings, limiter, credentials, sleep=time.sleep, clock=time.monotonic,
                 rng=None, transport=None):
        self.settings, self.limiter, self.credentials = settings, limiter, credentials
        self.sleep, self.clock = sleep, clock
        self.rng = rng or random.Random()
        self.transport = transport or Transport(settings["timeout_s"])

    def send(self, operation, method, url, headers=None, body=None, tokens=None) -> Response:
        """One call with retries; ``tokens`` (an :class:`Authorisation`) puts the access token
        into the headers the way its API wants.

        Retries 429 (after ``Retry-After`` or a jittered back-off), 5xx and network errors up
        to ``max_attempts``; on 401/403 "expired/unauthorized" it refreshes the token once.
        """
        attempts, refreshed = int(self.settings["max_attempts"]), False
        for attempt in range(1, attempts + 1):
            self.limiter.acquire(operation)
            call_headers = dict(headers or {})
            if tokens is not None:
                call_headers.update(tokens.headers(tokens.source.token()))
            try:
                answer = self.transport.send(method, url, call_headers, body)
            except OSError as error:
                if attempt == attempts:
                    raise ApiError(operation, None, "network", str(error)) from None
                self._back_off(operation, attempt, None, f"{error}")
                continue
            self.limiter.update(operation, answer.headers.get("x-amzn-ratelimit-limit"))
            if answer.status < 400:
                return answer
            code, message = _error_of(answer)
            if answer.status in (401, 403) and tokens is not None and not refreshed \
                    and _looks_expired(answer.status, code, message):
                LOGGER.info("%s: access token rejected (HTTP %s), refreshing", operation,
                            answer.status)
                tokens.source.invalidate()
                refreshed = True
                continue
            if answer.status == 429:
                self.limiter.exhaust(operation)
            if (answer.status == 429 or answer.status in _TRANSIENT) and attempt < attempts:
                self._back_off(operation, attempt, answer.headers.get("retry-after"),
                               f"HTTP {answer.status}")
                continue
            raise ApiError(operation, answer.status, self.credentials.redact(code),
                           self.credentials.redact(message))
        raise ApiError(operation, None, "retries", "no attempt left")  # pragma: no cover

    def _back_off(self, operation, attempt, retry_after, why) -> None:
        wait = _retry_after_s(retry_after, self.clock)
        if wait is None:
            ceiling = min(float(self.settings["backoff_max_s"]),
                          float(self.settings["backoff_base_s"]) * 2 ** (attempt - 1))
            wait = self.rng.uniform(0, ceiling)  # full jitter
        wait = min(wait, float(self.settings["backoff_max_s"]))
        LOGGER.warning("%s: %s, retry %d in %.1f s", operation, why, attempt, wait)
        self.sleep(wait)


@dataclass
class Authorisation:
    """A token source and how its token goes into the headers of one API."""

    source: TokenSource
    headers: object  # callable: access token -> dict of headers


def _retry_after_s(value, clock):
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:  # an HTTP date
        moment = email.utils.parsedate_to_datetime(value)
        return max(0.0, moment.timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _error_of(answer: Response):
    """Amazon's error code and message from an error body (SP-API, Ads API or LWA shape)."""
    try:
        document = answer.json()
    except (ValueError, UnicodeDecodeError):
        return f"HTTP {answer.status}", answer.body[:200].decode("utf-8", "replace")
    if isinstance(document, dict):
        errors = document.get("errors")
        if isinstance(errors, list) and errors:
            return str(errors[0].get("code")), str(errors[0].get("message"))
        if "error" in document:  # LWA
            return str(document["error"]), str(document.get("error_description", ""))
        if "code" in document:  # Ads API
            return str(document["code"]), str(document.get("detail") or
                                              document.get("details") or
                                              document.get("message", ""))
    return f"HTTP {answer.status}", str(document)[:200]


def _looks_expired(status, code, message) -> bool:
    if status == 401:
        return True
    text = f"{code} {message}".lower()
    return "expired" in text or "unauthorized" in text

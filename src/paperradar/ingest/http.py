"""One polite HTTP client for every upstream (arXiv API, OAI-PMH, listing feeds).

* at most one request per ``min_interval`` seconds to each host (a per-host rate limiter);
* a User-Agent, timeouts, redirects followed;
* retries with exponential backoff and jitter on connection errors, timeouts, 429 and 5xx;
* ``Retry-After`` honoured (delta-seconds or an HTTP date), capped by ``max_retry_after``;
* a clear ``FetchError`` once the retries are spent, or for a body over ``max_bytes``.

The clock, the sleep function and the random source are injectable so tests can check the
waits without really waiting.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Mapping
from urllib.parse import urlsplit

import httpx

from paperradar.config import Settings
from paperradar.ingest.errors import FetchError

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
BACKOFF_BASE = 1.0  # seconds before the first retry (doubled each time, then jittered)
BACKOFF_CAP = 120.0
MAX_BYTES = 256 * 1024 * 1024  # refuse bodies larger than this (arXiv pages are a few MB)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header, or None when absent/unusable.

    Accepts delta-seconds (``"10"``) and HTTP dates (``"Wed, 21 Oct 2015 07:28:00 GMT"``);
    a date in the past means 0.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():  # '²'.isdigit() is true too
        return float(int(text))
    try:
        seconds = float(text)  # not standard, but some servers send "1.5"
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if seconds == seconds and seconds != float("inf") else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max((when - now).total_seconds(), 0.0)


def backoff_delay(attempt: int, rng: random.Random, base: float = BACKOFF_BASE,
                  cap: float = BACKOFF_CAP) -> float:
    """Wait before retry number ``attempt`` (0-based): ``base * 2**attempt`` capped, with
    "equal jitter" (between half and all of it) so many clients do not retry in step."""
    full = min(cap, base * (2 ** min(attempt, 30)))
    return full / 2 + rng.uniform(0, full / 2)


class RateLimiter:
    """Spaces requests to each host at least ``min_interval`` seconds apart."""

    def __init__(self, min_interval: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.min_interval = min_interval
        self.clock = clock
        self.sleep = sleep
        self._last: dict[str, float] = {}

    def wait(self, host: str) -> float:
        """Block until a request to ``host`` is allowed; return the seconds slept."""
        waited = 0.0
        last = self._last.get(host)
        if last is not None and self.min_interval > 0:
            remaining = last + self.min_interval - self.clock()
            if remaining > 0:
                self.sleep(remaining)
                waited = remaining
        self._last[host] = self.clock()
        return waited


@dataclass(frozen=True)
class Fetched:
    """A response read in full (body decoded), whatever its status."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    url: str
    request_headers: httpx.Headers


@dataclass
class ClientStats:
    requests: int = 0
    retries: int = 0
    waits: list[float] = field(default_factory=list)  # every retry wait requested, in seconds


class PoliteClient:
    """A synchronous HTTP client that is gentle with upstream servers (see module doc)."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None,
                 now: Callable[[], datetime] | None = None,
                 transport: httpx.BaseTransport | None = None, max_bytes: int = MAX_BYTES):
        self.max_retries = settings.http_max_retries
        self.max_retry_after = settings.http_max_retry_after
        self.max_bytes = max_bytes
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.now = now or (lambda: datetime.now(timezone.utc))
        self.limiter = RateLimiter(settings.http_min_interval, clock=clock, sleep=sleep)
        self.stats = ClientStats()
        self._http = httpx.Client(
            timeout=httpx.Timeout(settings.http_timeout), follow_redirects=True,
            headers={"User-Agent": settings.user_agent}, transport=transport)

    def __enter__(self) -> "PoliteClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(self, url: str, params: Mapping[str, str | int] | None = None) -> Fetched:
        """GET with politeness and retries. Returns the final response, whatever its status
        (callers read 4xx bodies such as the arXiv API's error feed); raises ``FetchError``
        when every attempt failed on the network or with a retryable status."""
        host = urlsplit(url).netloc
        attempts = self.max_retries + 1
        problem = ""
        for attempt in range(attempts):
            self.limiter.wait(host)
            self.stats.requests += 1
            try:
                response = self._send(url, params)
            except httpx.InvalidURL as exc:
                raise FetchError(f"invalid URL {url!r}: {exc}") from None
            except httpx.HTTPError as exc:  # connection refused/reset, timeouts, bad gzip...
                detail = " ".join(str(exc).split())  # one line, whatever the library says
                problem = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
                retry_after = None
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                problem = f"HTTP {response.status_code}"
                retry_after = parse_retry_after(response.headers.get("Retry-After"), self.now())
            if attempt + 1 < attempts:
                self._pause(attempt, retry_after)
        shown = _short_url(url, params)
        raise FetchError(f"GET {shown} failed after {attempts} attempt"
                         f"{'s' if attempts != 1 else ''}: {problem}")

    def _send(self, url: str, params: Mapping[str, str | int] | None) -> Fetched:
        """One request, its body read up to ``max_bytes`` (a larger body is refused)."""
        with self._http.stream("GET", url, params=params) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isascii() and declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(f"response from {_short_url(url, params)} is too large "
                                 f"({int(declared):,} bytes, limit {self.max_bytes:,})")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"response from {_short_url(url, params)} is too large "
                                     f"(over {self.max_bytes:,} bytes)")
                chunks.append(chunk)
        return Fetched(response.status_code, response.headers, b"".join(chunks),
                       str(response.url), response.request.headers)

    def _pause(self, attempt: int, retry_after: float | None) -> None:
        if retry_after is not None:
            delay = min(retry_after, self.max_retry_after)
        else:
            delay = backoff_delay(attempt, self.rng)
        self.stats.retries += 1
        self.stats.waits.append(delay)
        if delay > 0:
            self.sleep(delay)


def _short_url(url: str, params: Mapping[str, str | int] | None) -> str:
    request = httpx.Request("GET", url, params=params)
    text = str(request.url)
    return text if len(text) <= 200 else text[:197] + "..."

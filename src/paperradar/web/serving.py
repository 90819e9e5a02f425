"""How the app is served by uvicorn: a header read deadline and trusted proxies.

- uvicorn has no deadline for a request's headers (``timeout_keep_alive`` only covers the
  idle time between requests, and a client trickling one byte at a time resets it), so a few
  slow-header clients can hold connections open forever. ``TimedH11Protocol`` closes a
  connection whose request line and headers are not complete ``header_read_timeout`` seconds
  after they started (or after the connection opened). Body pauses are bounded separately
  (``web.limits``, ``body_read_timeout``).
- ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed only from the addresses listed in
  ``PAPERRADAR_TRUSTED_PROXIES`` (comma-separated IPs or CIDRs); by default from nobody, so a
  client cannot choose the IP that rate limits count against.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from paperradar.config import Settings


# The longest request line plus headers: the arXiv-compatible GET /api/query accepts an
# id_list of 20,000 characters, up to 12 bytes each once percent-encoded (240 KB). Held only
# while the head arrives, which ``header_read_timeout`` bounds.
MAX_REQUEST_HEAD = 320 * 1024


class TimedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol plus a deadline for each request's headers."""

    header_timeout: float | None = None  # None: ``Settings().header_read_timeout``, read once

    @classmethod
    def timeout(cls) -> float:
        if cls.header_timeout is None:
            cls.header_timeout = Settings().header_read_timeout
        return cls.header_timeout

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm()

    def _arm(self) -> None:
        if self._header_timer is None:
            loop = asyncio.get_running_loop()
            self._header_timer = loop.call_later(self.timeout(), self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            self._arm()  # the next request's headers are (or will be) arriving
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Back to waiting for the next request: the keep-alive timer covers the idle part.
        self._disarm()

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def proxy_options(settings: Settings) -> dict:
    """uvicorn options for ``X-Forwarded-*``: on only for the configured proxies."""
    trusted = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def uvicorn_options(settings: Settings) -> dict:
    """The options ``paperradar serve`` (and the tests' live server) give uvicorn."""
    return {"http": TimedH11Protocol, "timeout_keep_alive": 5, "server_header": False,
            "h11_max_incomplete_event_size": MAX_REQUEST_HEAD, **proxy_options(settings)}

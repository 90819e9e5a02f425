"""Request-body limits, read deadlines and quiet client disconnects (pure ASGI, outermost).

Every request body is bounded before any route, session lookup or CSRF check sees it:

=====================================  ==========  ============================================
route class                            limit       why
=====================================  ==========  ============================================
``/api/...`` (JSON API)                256 KiB     the largest document is a 20,000-character
                                                   comment (at most ~120 KB escaped)
everything else (HTML form posts)      1 MiB       forms (comments, sign-up, preferences)
=====================================  ==========  ============================================

A ``Content-Length`` over the limit is answered 413 at once, without reading a byte; a body
sent without one (chunked) is counted while it streams and refused as soon as it passes the
limit. A body that stalls longer than ``body_timeout`` seconds between chunks, or is not
complete ``body_total_timeout`` seconds after the request started, gets 408 (slow uploads
hold a connection and a worker). A client that disconnects mid-upload is not an error
of the server: the request ends quietly (logged as 499, no traceback).
"""

from __future__ import annotations

import asyncio
import json
import logging

from starlette.exceptions import HTTPException

API_BODY_LIMIT = 256 * 1024
FORM_BODY_LIMIT = 1024 * 1024
log = logging.getLogger("paperradar.web")


def body_limit(path: str) -> int:
    """The largest request body accepted on ``path`` (bytes)."""
    return API_BODY_LIMIT if path.startswith("/api/") else FORM_BODY_LIMIT


class BodyRefused(HTTPException):
    """Raised from ``receive`` when a body is too large (413) or too slow (408)."""


class ClientGone(HTTPException):
    """Raised from ``receive`` when the client went away mid-body."""

    def __init__(self) -> None:
        super().__init__(499, "client closed the connection")


def _error_body(path: str, status: int, heading: str, detail: str) -> tuple[bytes, bytes]:
    if path.startswith("/api/") or path.startswith("/feeds/"):
        body = json.dumps({"error": heading, "status": status, "detail": detail}).encode()
        return body, b"application/json"
    text = (f"<!DOCTYPE html><html lang=en><title>{heading}</title><h1>{heading}</h1>"
            f"<p>{detail}</p></html>")
    return text.encode(), b"text/html; charset=utf-8"


async def send_error(send, path: str, status: int, heading: str, detail: str) -> None:
    body, ctype = _error_body(path, status, heading, detail)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})


def too_large(limit: int) -> BodyRefused:
    return BodyRefused(413, f"the request body is larger than this endpoint accepts "
                            f"({limit // 1024} KiB)")


class BodyLimitMiddleware:
    def __init__(self, app, body_timeout: float = 20.0, body_total_timeout: float = 60.0):
        self.app = app
        self.body_timeout = body_timeout
        self.body_total_timeout = body_total_timeout

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, limit = scope["path"], body_limit(scope["path"])
        length = _content_length(scope["headers"])
        if length == -1:
            return await send_error(send, path, 400, "Bad request", "invalid Content-Length")
        if length is not None and length > limit:
            exc = too_large(limit)
            return await send_error(send, path, 413, "Content too large", exc.detail)
        state = {"received": 0, "started": False, "done": False}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_total_timeout

        async def limited_receive():
            if state["done"]:  # body complete: later calls only wait for a disconnect
                return await receive()
            left = deadline - loop.time()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, min(self.body_timeout, left)))
            except TimeoutError:
                raise BodyRefused(408, f"the request body did not arrive in time (pauses of at "
                                       f"most {self.body_timeout:g} s, all of it within "
                                       f"{self.body_total_timeout:g} s)") from None
            if message["type"] == "http.disconnect":
                raise ClientGone()
            state["received"] += len(message.get("body", b""))
            if state["received"] > limit:
                raise too_large(limit)
            state["done"] = not message.get("more_body", False)
            return message

        async def tracking_send(message):
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except ClientGone:
            log.info("client left during the request body of %s %s", scope["method"], path)
        except BodyRefused as exc:
            if state["started"]:
                raise
            heading = "Content too large" if exc.status_code == 413 else "Request timeout"
            await send_error(send, path, exc.status_code, heading, exc.detail)


def _content_length(headers) -> int | None:
    """The declared body size, None when absent, -1 when malformed."""
    for key, value in headers:
        if key.lower() == b"content-length":
            try:
                n = int(value)
            except ValueError:
                return -1
            return n if n >= 0 else -1
    return None

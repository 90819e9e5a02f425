"""Refuse user-entered text holding U+0000 (pure ASGI, inside the body limits).

PostgreSQL text cannot hold a NUL character, SQLite can; so that both backends behave alike,
a request whose query string, form body or JSON body carries one is answered 400 with one
clear line, before any route sees it (never a 500, never a partial write). Paper text from
ingest is cleaned instead (``ingest.fields.clean_text`` drops control characters). Only
form and JSON bodies are scanned (bounded already by ``BodyLimitMiddleware``); uploads
(multipart) are parsed and cleaned by their importers.
"""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException

from paperradar.web.limits import send_error

MESSAGE = "the request contains a NUL character (U+0000), which text here cannot hold"
_QUERY_NUL = re.compile(rb"%00|\x00")
_JSON_NUL = re.compile(rb"\x00|(?<!\\)(?:\\\\)*\\u0000")
_SCANNED = (b"application/x-www-form-urlencoded", b"application/json")
OWN_ERRORS = frozenset({"/api/query"})  # arXiv-compatible: refuses NUL itself, as an Atom error


def _content_type(scope) -> bytes:
    for key, value in scope.get("headers", ()):
        if key == b"content-type":
            return value.split(b";", 1)[0].strip().lower()
    return b""


async def _read_all(receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


class NulRefusalMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if path in OWN_ERRORS:
            return await self.app(scope, receive, send)
        if _QUERY_NUL.search(scope.get("query_string", b"")):
            return await send_error(send, path, 400, "Bad request", MESSAGE)
        ctype = _content_type(scope)
        if ctype not in _SCANNED:
            return await self.app(scope, receive, send)
        try:
            body = await _read_all(receive)
        except HTTPException as exc:  # too large, too slow, client gone: answered as routes do
            return await send_error(send, path, exc.status_code, "Request refused", exc.detail)
        pattern = _QUERY_NUL if ctype == _SCANNED[0] else _JSON_NUL
        if pattern.search(body):
            return await send_error(send, path, 400, "Bad request", MESSAGE)
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        return await self.app(scope, replay, send)

"""Routes: the mail outbox, a local-only page. Without SMTP settings (development, the demo)
mail is kept in ``<data_dir>/outbox``; ``/outbox`` lists it, newest first, with the links in
each message clickable. Outside loopback, in production or with SMTP configured it is a 404."""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Query, Request

from paperradar.notify import outbox
from paperradar.web.site import outbox_visible, render

router = APIRouter(include_in_schema=False)
URL = re.compile(r"(https?://[^\s<>\"']+)")


def segments(text: str) -> list[tuple[str, bool]]:
    """The text split into (piece, is_link) pairs, so the template can link URLs safely."""
    return [(piece, i % 2 == 1) for i, piece in enumerate(URL.split(text)) if piece]


def _box(request: Request):
    if not outbox_visible(request):
        raise HTTPException(404, "Not found")
    return request.app.state.settings.mail_outbox


@router.get("/outbox")
def outbox_page(request: Request, to: str = Query("", max_length=320),
                limit: int = Query(20, ge=1, le=200)):
    box = _box(request)
    found = outbox.messages(box, limit=limit, to=to.strip() or None)
    return render(request, "mail/outbox.html",
                  {"messages": [(m, segments(m.text)) for m in found], "to": to,
                   "where": str(box.resolve())},
                  headers={"Cache-Control": "no-store"})


@router.get("/outbox/{name}")
def outbox_message(request: Request, name: str):
    box = _box(request)
    m = outbox.read(box, name)
    if m is None:
        raise HTTPException(404, "no such message in the outbox")
    return render(request, "mail/outbox.html",
                  {"messages": [(m, segments(m.text))], "single": True, "to": "",
                   "where": str(box.resolve())}, headers={"Cache-Control": "no-store"})

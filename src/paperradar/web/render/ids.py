"""Paper ids in URLs: old-style arXiv ids contain a slash (``hep-th/9901001``), so routes
that must not swallow deeper paths use the ``oldid`` convertor registered here."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.convertors import CONVERTOR_TYPES, StringConvertor, register_url_convertor

from paperradar.ids import InvalidId, validate_paper_id


class OldIdConvertor(StringConvertor):
    regex = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?"


def register_convertors() -> None:
    """Idempotent; call before adding routes that use ``{name:oldid}``."""
    if "oldid" not in CONVERTOR_TYPES:
        register_url_convertor("oldid", OldIdConvertor())


def canonical_or_404(raw: str) -> str:
    try:
        return validate_paper_id(raw)
    except InvalidId as exc:
        raise HTTPException(404, f"no such paper: {exc}") from exc

"""Refusals of the community rules. Each carries the message for the user (``detail``: a
string, or a dict for a duplicate submission) and, where it applies, ``retry_after`` seconds.
The web layer maps each class to one HTTP status (``paperradar.web.community.errors``)."""

from __future__ import annotations

from typing import Any


class CommunityError(Exception):
    """Base class: a rule said no."""

    def __init__(self, detail: str | dict[str, Any], retry_after: int | None = None):
        super().__init__(detail if isinstance(detail, str) else detail.get("message", ""))
        self.detail = detail
        self.retry_after = retry_after


class BadInput(CommunityError):
    """The input cannot be read at all (e.g. not an arXiv id)."""


class Invalid(CommunityError):
    """Readable input that breaks a rule (empty comment, too long a name, too old a paper)."""


class NotFound(CommunityError):
    """No such paper, comment, collection or user (or not one this viewer may see)."""


class Forbidden(CommunityError):
    """Not allowed for this account (not the owner, not verified, over a size cap)."""


class Conflict(CommunityError):
    """Clashes with what is stored (a duplicate submission or name, the reading list)."""


class QuotaExceeded(CommunityError):
    """Over a per-account quota (daily submissions)."""


class Busy(CommunityError):
    """Too many upstream lookups running now; ``retry_after`` says when to try again."""


class UpstreamTimeout(CommunityError):
    """arXiv did not answer in time."""


class UpstreamFailed(CommunityError):
    """arXiv answered with an error."""

"""Errors raised by ingesters: each becomes one clear line (per file or per request)."""

from __future__ import annotations


class IngestError(Exception):
    """Base class: a source or file that could not be ingested."""


class ParseError(IngestError):
    """Malformed, truncated, hostile or unrecognised input."""


class OaiError(IngestError):
    """An OAI-PMH <error code="..."> other than noRecordsMatch."""

    def __init__(self, code: str, message: str):
        super().__init__(f"OAI-PMH error {code}: {message}")
        self.code = code


class ArxivApiError(IngestError):
    """The arXiv API answered with its error feed (e.g. a malformed id)."""


class FetchError(IngestError):
    """HTTP failure after all retries."""

"""The storage error every backend raises for problems worth one clear line."""

from __future__ import annotations


class StoreError(Exception):
    """A storage problem worth one clear line to the user (bad URL, unreadable file,
    database down, wrong credentials, schema newer than the code)."""

"""One-line extracted summary (placeholder until evaluated)."""

from __future__ import annotations


def extract_summary(title: str, abstract: str) -> str | None:
    return None

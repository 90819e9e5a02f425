"""Find code repositories and project pages in abstracts and comments. Pure."""

from __future__ import annotations

import re

from paperradar.models import Link

_URL = re.compile(r"https?://[^\s<>\"'{}|\\^`\]\[)]+", re.IGNORECASE)
_BARE_REPO = re.compile(r"(?<![\w/.])((?:github\.com|gitlab\.com|huggingface\.co)/[\w.\-]+/[\w.\-]+)",
                        re.IGNORECASE)
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org")
_TRAILING = ".,;:!?'\")]}>"
_QUICK = re.compile(r"://|\.co", re.IGNORECASE)  # every URL or bare repo contains one of these


def _clean(url: str) -> str:
    url = url.rstrip(_TRAILING)
    if url.count("(") < url.count(")"):
        url = url.rstrip(")")
    return url


def classify(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0].lower().removeprefix("www.")
    path = url.split("://", 1)[-1].split("/", 1)[1] if "/" in url.split("://", 1)[-1] else ""
    segments = [s for s in path.split("/") if s]
    if host in _CODE_HOSTS and len(segments) >= 2:
        return "code"
    if host == "huggingface.co":
        return "huggingface"
    if host.endswith("github.io") or host.endswith("gitlab.io"):
        return "project"
    if host in ("arxiv.org", "doi.org", "dx.doi.org") or host.endswith(".arxiv.org"):
        return "other"
    return "project"


def find_links(*texts: str | None) -> list[Link]:
    """Every http(s) URL (and bare github.com/x/y) in the texts, classified, in order."""
    seen: dict[str, Link] = {}
    for text in texts:
        if not text or not _QUICK.search(text):
            continue
        text = re.sub(r"\s*\n\s*", " ", text) if len(text) < 200_000 else text
        for m in _URL.finditer(text):
            url = _clean(m.group(0))
            if len(url) > 12 and len(url) < 500:
                seen.setdefault(url, Link(url, classify(url)))
        for m in _BARE_REPO.finditer(text):
            url = "https://" + _clean(m.group(1))
            if not any(u.split("://", 1)[-1].lower() == url[8:].lower() for u in seen):
                seen.setdefault(url, Link(url, classify(url)))
    return list(seen.values())

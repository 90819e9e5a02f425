"""Comment Markdown: rendered with markdown-it-py (raw HTML disabled), then sanitised with nh3
to a small allow-list; links get ``rel="nofollow noopener ugc"`` and only http(s)/mailto."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

MAX_COMMENT_CHARS = 10_000
_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
         "h3", "h4", "h5", "h6", "hr", "del", "s"}
_ATTRS = {"a": {"href", "title"}, "ol": {"start"}, "code": {"class"}}


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("strikethrough")
    md.disable("image")  # no tracking pixels or remote loads (and CSP blocks them anyway)
    return md


def render_comment(body: str) -> str:
    """Safe HTML for a Markdown comment."""
    html = _md().render(body or "")
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRS, url_schemes={"http", "https", "mailto"},
                     link_rel="nofollow noopener ugc")


def clean_body(body: str | None) -> str:
    """Validate a comment body; raises ``ValueError`` with a message for the user."""
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValueError("the comment is empty")
    if len(text) > MAX_COMMENT_CHARS:
        raise ValueError(f"the comment is longer than {MAX_COMMENT_CHARS} characters")
    if "\x00" in text:
        raise ValueError("the comment contains a NUL character")
    return text

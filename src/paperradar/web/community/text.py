"""Comment Markdown: rendered with markdown-it-py (raw HTML disabled), then sanitised with nh3
to a small allow-list; links get ``rel="nofollow noopener ugc"`` and only http(s)/mailto.

Comments are rendered once, when written, and the HTML is stored with ``RENDERER_VERSION``;
bump it whenever ``render_comment``'s output changes (plugins, allow-list) and stored
comments are re-rendered as they are next shown. The cost of one render is bounded by the
markup a body may hold (``clean_body``): markdown-it's bracket and emphasis scanning is
superlinear, e.g. 10,000 characters of ``"[\n"`` took 450 ms."""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

MAX_COMMENT_CHARS = 10_000
RENDERER_VERSION = 1  # bump when render_comment's output changes
MAX_BRACKETS = 200  # "[" (link syntax): with the cap below, a worst-case render is ~50-80 ms
MAX_DELIMITERS = 1_000  # * _ ~ ` (emphasis, strike-through, code spans)
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
    if text.count("[") > MAX_BRACKETS:
        raise ValueError(f"the comment has more than {MAX_BRACKETS} '[' characters")
    if _delimiters(text) > MAX_DELIMITERS:
        raise ValueError(f"the comment has more than {MAX_DELIMITERS} emphasis or code marks "
                         "(* _ ~ `)")
    return text


def _delimiters(text: str) -> int:
    return sum(text.count(ch) for ch in "*_~`")


def render_stored(body: str) -> str:
    """HTML for a comment written before the markup limits: rendered as Markdown when within
    them, else shown as plain text (escaped), so no stored body costs more than a bounded
    render."""
    if body.count("[") <= MAX_BRACKETS and _delimiters(body) <= MAX_DELIMITERS:
        return render_comment(body)
    return "<p>" + html.escape(body).replace("\n", "<br>\n") + "</p>\n"

r"""Comment Markdown: rendered with markdown-it-py (raw HTML disabled), then sanitised with nh3
to a small allow-list; links get ``rel="nofollow noopener ugc"`` and only http(s)/mailto.

Math: ``$...$`` and ``$$...$$`` (mdit-py-plugins' dollarmath) are kept out of Markdown, so
``\,`` and ``_`` survive, and come out as ``<span class="math">\(...\)</span>`` /
``<div class="math">\[...\]</div>`` for KaTeX in the browser (``site.js``). ``\$`` is a
literal dollar. Images are never loaded: ``![alt](url)`` becomes a link to the image.

Comments are rendered once, when written, and the HTML is stored with ``RENDERER_VERSION``;
bump it whenever ``render_comment``'s output changes (plugins, allow-list) and stored
comments are re-rendered as they are next shown. The cost of one render is bounded by the
markup a body may hold (``clean_body``): markdown-it's bracket and emphasis scanning is
superlinear, e.g. 10,000 characters of ``"[\n"`` took 450 ms."""

from __future__ import annotations

import html
from functools import lru_cache
from html import escape

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

MAX_COMMENT_CHARS = 10_000
RENDERER_VERSION = 2  # bump when render_comment's output changes (2: dollarmath, images as links)
MAX_BRACKETS = 200  # "[" (link syntax): with the cap below, a worst-case render is ~50-80 ms
MAX_DELIMITERS = 1_000  # * _ ~ ` (emphasis, strike-through, code spans)
_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
         "h3", "h4", "h5", "h6", "hr", "del", "s", "span", "div"}
_ATTRS = {"a": {"href", "title"}, "ol": {"start"}, "code": {"class"}}
_CLASSES = {"span": {"math"}, "div": {"math"}}


def _math(tag: str, left: str, right: str):
    """A render rule: the TeX source, HTML-escaped, inside KaTeX delimiters in ``tag.math``
    (display math inside a paragraph stays a span: a div may not sit in a <p>)."""
    def rule(self, tokens, idx, options, env) -> str:
        tex = escape(tokens[idx].content.strip())
        end = "\n" if tag == "div" else ""
        return f'<{tag} class="math">{left}{tex}{right}</{tag}>{end}'
    return rule


_MATH_RULES = {"math_inline": _math("span", "\\(", "\\)"),
               "math_inline_double": _math("span", "\\[", "\\]"),
               "math_block": _math("div", "\\[", "\\]")}


def _image_as_link(self, tokens, idx, options, env) -> str:
    """No tracking pixels or remote loads (CSP blocks them anyway): a link to the image."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    return f'<a href="{escape(str(token.attrGet("src") or ""))}">{escape(alt)}</a>'


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("strikethrough")
    md.use(dollarmath_plugin, allow_labels=False, allow_space=False, allow_digits=False,
           allow_blank_lines=False, double_inline=True)
    for name, rule in _MATH_RULES.items():
        md.add_render_rule(name, rule)
    md.add_render_rule("image", _image_as_link)
    return md


def render_comment(body: str) -> str:
    """Safe HTML for a Markdown comment."""
    rendered = _md().render(body or "")
    return nh3.clean(rendered, tags=_TAGS, attributes=_ATTRS, allowed_classes=_CLASSES,
                     url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener ugc")


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

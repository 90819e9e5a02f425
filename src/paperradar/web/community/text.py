r"""Comment Markdown: rendered with markdown-it-py (raw HTML disabled), then sanitised with nh3
to a small allow-list; links get ``rel="nofollow noopener ugc"`` and only http(s)/mailto.

Math: ``$...$`` and ``$$...$$`` (mdit-py-plugins' dollarmath) are kept out of Markdown, so
``\,`` and ``_`` survive, and come out as ``<span class="math">\(...\)</span>`` /
``<div class="math">\[...\]</div>`` for KaTeX in the browser (``site.js``). ``\$`` is a
literal dollar. Images are never loaded: ``![alt](url)`` becomes a link to the image."""

from __future__ import annotations

from functools import lru_cache

from html import escape

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

MAX_COMMENT_CHARS = 10_000
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
    html = _md().render(body or "")
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRS, allowed_classes=_CLASSES,
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
    return text

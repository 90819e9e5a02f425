"""LaTeX text markup in titles and abstracts, converted for readers: ``\\emph{}``,
``\\textit{}``, ``\\textbf{}``, ``\\texttt{}``, ``\\url{}``, ``\\href{}{}``, ``~``, ``--``,
``---``, ````...''``, and escaped ``\\$ \\% \\& \\_ \\#``. Math (``$...$``, ``$$...$$``,
``\\(...\\)``, ``\\[...\\]``) is left exactly as written, for KaTeX, and so are bare URLs.

``to_text`` gives plain text (feeds, mails, search snippets); ``to_html`` gives escaped HTML
in which a literal dollar is wrapped (``<span class="tex-dollar">``) so KaTeX's auto-render
never pairs it with another dollar; ``math_spans`` tells where the math is (snippets never
cut or mark inside it). Pure functions, no imports from the project: every layer may use them."""

from __future__ import annotations

import re
from html import escape

# Math, and bare URLs: kept as written. Every branch (and the dash and tie patterns) starts
# with its literal and looks behind afterwards, so that re skips ahead to candidates fast.
_MATH = re.compile(r"\$\$.+?\$\$|\$(?<!\\\$)[^$]+?(?<!\\)\$|\\\(.+?\\\)|\\\[.+?\\\]"
                   r"|h(?<!\{h)ttps?://[^\s{}<>]+", re.S)
_ARG = r"\{([^{}]*)\}"
_WRAPS = {"emph": "em", "textit": "em", "textsl": "em", "textbf": "strong", "texttt": "code",
          "textsc": "", "textrm": "", "textsf": "", "text": "", "mbox": "", "textnormal": "",
          "url": ""}
_CMD = re.compile(r"\\(" + "|".join(sorted(_WRAPS, key=len, reverse=True)) + r")\s*" + _ARG)
_HREF = re.compile(r"\\href\s*" + _ARG + r"\s*" + _ARG)
_ESCAPED = {"\\%": "%", "\\&": "&", "\\_": "_", "\\#": "#", "\\{": "{", "\\}": "}"}
_ESCAPE_RE = re.compile(r"\\[%&_#{}]")
_DASHES = [(re.compile(r"---(?:(?<=\w---)(?=\w)|(?<=\s---)(?=\s))"), "\u2014"),
           (re.compile(r"--(?:(?<=\w--)(?=\w)|(?<=\s--)(?=\s))"), "\u2013")]  # not --flags
_TILDE = re.compile(r"~(?<=[\w.,)]~)(?=[\w(\[\\$])")  # a tie (Fig.~3), not "~5%" (approx.)
_QUOTES = re.compile(r"``(.+?)''", re.S)
DOLLAR = '<span class="tex-dollar">$</span>'


def _pieces(s: str) -> list[tuple[str, bool]]:
    """(piece, is_math) in order."""
    if "$" not in s and "\\" not in s and "://" not in s:
        return [(s, False)] if s else []
    out, pos = [], 0
    for m in _MATH.finditer(s):
        if m.start() > pos:
            out.append((s[pos:m.start()], False))
        out.append((m.group(0), True))
        pos = m.end()
    if pos < len(s):
        out.append((s[pos:], False))
    return out


def _prose(s: str, html: bool, dollar: str = "$") -> str:
    """Convert one stretch of non-math text; escape it when ``html``; a literal dollar
    becomes ``dollar`` in text (``DOLLAR`` in HTML)."""
    if "``" in s:  # each regex only where it may apply: lookbehinds scan slowly
        s = _QUOTES.sub("\u201c\\1\u201d", s)
    if "--" in s:
        for rx, dash in _DASHES:
            s = rx.sub(dash, s)
    if "~" in s:
        s = _TILDE.sub("\u00a0", s)
    commands = "\\" in s
    if commands:
        s = _ESCAPE_RE.sub(lambda m: _ESCAPED[m.group(0)], s)
    if html:
        s = escape(s, quote=False)
    if not commands:
        return s
    tag_of = (lambda name: _WRAPS[name]) if html else (lambda name: "")
    for _ in range(3):  # nested commands, innermost first
        new = _HREF.sub(lambda m: m.group(2), s)
        new = _CMD.sub(lambda m: (f"<{tag_of(m.group(1))}>{m.group(2)}</{tag_of(m.group(1))}>"
                                  if tag_of(m.group(1)) else m.group(2)), new)
        if new == s:
            break
        s = new
        if "\\" not in s:
            break
    return s.replace("\\$", DOLLAR if html else dollar)


def _no_markup(s: str | None) -> bool:
    """True when ``s`` holds nothing ``_prose`` would convert: the text is already plain."""
    return not s or "\\" not in s and "~" not in s and "--" not in s and "``" not in s


def to_text(s: str | None, dollar: str = "$") -> str:
    """Plain text: markup converted, math kept as written; a literal dollar (``\\$``)
    becomes ``dollar`` (snippets pass a placeholder, to wrap it once escaped)."""
    if _no_markup(s):
        return s or ""
    return "".join(p if math else _prose(p, False, dollar) for p, math in _pieces(s))


def to_text_and_math(s: str | None, dollar: str = "$") -> tuple[str, list[tuple[int, int]]]:
    """``to_text(s, dollar)`` and the ``math_spans`` of that text, in one pass."""
    if _no_markup(s):
        return s or "", math_spans(s or "")
    out, spans, pos = [], [], 0
    for p, math in _pieces(s):
        if not math:
            p = _prose(p, False, dollar)
        elif p[0] != "h":  # not a URL
            spans.append((pos, pos + len(p)))
        out.append(p)
        pos += len(p)
    return "".join(out), spans


def math_spans(s: str) -> list[tuple[int, int]]:
    """(start, end) of each piece of math in ``s``, as ``to_text`` and ``to_html`` see it."""
    if "$" not in s and "\\" not in s:
        return []
    return [m.span() for m in _MATH.finditer(s) if m.group(0)[0] != "h"]  # not the URLs


def to_html(s: str | None) -> str:
    """Escaped HTML: markup converted to tags, math kept (escaped) for KaTeX."""
    return "".join(escape(p, quote=False) if math else _prose(p, True) for p, math in _pieces(s or ""))

"""Citation exports: BibTeX, RIS and Markdown for one paper or a list."""

from __future__ import annotations

import re
from typing import Iterable

from paperradar.ids import is_arxiv_id
from paperradar.models import Paper
from paperradar.web.render.text import arxiv_abs_url, one_line, year_of
from paperradar.web.render.views import PaperView

_KEY_CHARS = re.compile(r"[^A-Za-z0-9]+")
_BIB_SPECIAL = re.compile(r"([%&#])")


def _bib_value(text: str | None) -> str:
    """A BibTeX field value: one line, %&# escaped, braces kept only when balanced."""
    s = _BIB_SPECIAL.sub(r"\\\1", one_line(text))
    depth = 0
    for ch in s:
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            break
    if depth != 0:
        s = s.replace("{", "").replace("}", "")
    return s.rstrip("\\")


def bib_key(paper: Paper) -> str:
    last = paper.authors[0].name.split()[-1] if paper.authors and paper.authors[0].name.split() else "anon"
    word = next((w for w in _KEY_CHARS.sub(" ", paper.title).split() if len(w) > 3), "paper")
    return _KEY_CHARS.sub("", f"{last}{year_of(paper) or ''}{word}").lower() or "paper"


def bibtex(paper: Paper, key: str | None = None) -> str:
    fields = [
        ("title", paper.title),
        ("author", " and ".join(a.name for a in paper.authors)),
        ("year", year_of(paper)),
        ("eprint", paper.id if is_arxiv_id(paper.id) else None),
        ("archivePrefix", "arXiv" if is_arxiv_id(paper.id) else None),
        ("primaryClass", paper.primary_category),
        ("doi", paper.doi),
        ("journal", paper.journal_ref),
        ("url", arxiv_abs_url(paper)),
    ]
    body = ",\n".join(f"  {name} = {{{_bib_value(value)}}}" for name, value in fields if value)
    return f"@misc{{{key or bib_key(paper)},\n{body}\n}}\n"


def bibtex_list(papers: Iterable[Paper]) -> str:
    seen: dict[str, int] = {}
    out = []
    for p in papers:
        key = bib_key(p)
        seen[key] = seen.get(key, 0) + 1
        out.append(bibtex(p, key if seen[key] == 1 else f"{key}{seen[key]}"))
    return "\n".join(out)


def ris(paper: Paper) -> str:
    lines = [("TY", "ELEC"), ("TI", one_line(paper.title))]
    lines += [("AU", one_line(a.name)) for a in paper.authors if a.name.strip()]
    if year_of(paper):
        lines.append(("PY", year_of(paper)))
    if paper.published:
        lines.append(("DA", paper.published[:10].replace("-", "/")))
    if paper.abstract:
        lines.append(("AB", one_line(paper.abstract)))
    lines += [("KW", c) for c in paper.categories]
    if paper.doi:
        lines.append(("DO", paper.doi))
    if arxiv_abs_url(paper):
        lines.append(("UR", arxiv_abs_url(paper)))
    if paper.journal_ref:
        lines.append(("JO", one_line(paper.journal_ref)))
    lines.append(("ID", paper.id))
    return "".join(f"{tag}  - {value}\n" for tag, value in lines) + "ER  - \n"


def ris_list(papers: Iterable[Paper]) -> str:
    return "\n".join(ris(p) for p in papers)


def markdown(view: PaperView, base_url: str = "") -> str:
    p = view.paper
    out = [f"# {one_line(p.title)}", ""]
    if p.authors:
        out += ["**Authors:** " + ", ".join(a.name for a in p.authors), ""]
    facts = [f"**ID:** {p.id}"]
    if p.published:
        facts.append(f"**Published:** {p.published[:10]}")
    if p.categories:
        facts.append("**Categories:** " + ", ".join(p.categories))
    facts.append(f"**Upvotes:** {view.upvotes}")
    out += [" · ".join(facts), ""]
    links = [("Paper page", f"{base_url}/papers/{p.id}"), ("arXiv", arxiv_abs_url(p)),
             ("Code", view.code_url), ("Project page", view.project_url)]
    out += [f"- [{name}]({url})" for name, url in links if url] + [""]
    if view.ai_summary:
        out += ["## AI summary", "", one_line(view.ai_summary), ""]
    out += ["## Abstract", "", one_line(p.abstract) or "_No abstract._", "",
            "## BibTeX", "", "```bibtex", bibtex(p).rstrip(), "```", ""]
    return "\n".join(out)

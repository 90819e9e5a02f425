"""The native JSON shape of a paper (``/api/v1``): plain field names, links spelled out."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from paperradar.web.render.text import arxiv_abs_url, arxiv_pdf_url
from paperradar.web.render.views import PaperView


def paper_dict(view: PaperView, base_url: str = "") -> dict[str, Any]:
    p, e = view.paper, view.entry
    return {
        "id": p.id,
        "title": p.title,
        "abstract": p.abstract,
        "authors": [a.name for a in p.authors],
        "primary_category": p.primary_category,
        "categories": list(p.categories),
        "published": p.published,
        "updated": p.updated,
        "version": p.version,
        "versions": [asdict(v) for v in p.versions],
        "doi": p.doi,
        "journal_ref": p.journal_ref,
        "comments": p.comments,
        "upvotes": view.upvotes,
        "num_comments": view.num_comments,
        "local_comments": view.local_comments,
        "imported_comments": view.imported_comments,
        "submitted_by": view.submitted_by,
        "daily_date": e.date if e else None,
        "code_url": view.code_url,
        "github_stars": view.github_stars,
        "project_url": view.project_url,
        "ai_summary": view.ai_summary,
        "ai_keywords": view.ai_keywords,  # Hugging Face's (language model), when imported
        "keywords": view.keyphrases,  # extracted here from title and abstract (every paper)
        "summary_extracted": view.extracted_summary,  # an abstract sentence, picked here
        "links": {
            "html": f"{base_url}/papers/{p.id}",
            "abs": arxiv_abs_url(p),
            "pdf": arxiv_pdf_url(p),
            "bibtex": f"{base_url}/papers/{p.id}.bib",
            "ris": f"{base_url}/papers/{p.id}.ris",
            "markdown": f"{base_url}/papers/{p.id}.md",
        },
    }

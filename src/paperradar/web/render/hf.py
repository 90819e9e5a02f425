"""Hugging Face daily-papers JSON shapes (as ``huggingface_hub.PaperInfo`` reads them).

List items carry ``upvotes``, ``ai_summary``, ``ai_keywords``, ``projectPage``, ``githubRepo``,
``githubStars``, ``title`` and ``numComments`` at the top level as well as under ``paper``;
they never carry a top-level ``authors`` or ``comments`` key (the client would overwrite its
parsed fields with them). Every timestamp ends in ``Z``.
"""

from __future__ import annotations

from typing import Any

from paperradar.web.render.text import iso_z
from paperradar.web.render.views import PaperView


def _user(name: str | None) -> dict[str, Any] | None:
    if not name:
        return None
    return {"_id": name, "user": name, "name": name, "fullname": name, "avatarUrl": "",
            "type": "user"}


def hf_paper(view: PaperView) -> dict[str, Any]:
    """The ``paper`` object (also the body of ``GET /api/papers/{id}``)."""
    p, e = view.paper, view.entry
    out: dict[str, Any] = {
        "id": p.id,
        "authors": [{"_id": f"{p.id}-{i}", "name": a.name, "hidden": False}
                    for i, a in enumerate(p.authors)],
        "publishedAt": iso_z(p.published),
        "title": p.title,
        "summary": p.abstract,
        "upvotes": view.upvotes,
        "discussionId": p.id,
        "numComments": view.num_comments,
        "ai_summary": view.ai_summary,
        "ai_keywords": view.ai_keywords,
        "keywords": view.keyphrases,  # ours (extracted); ai_keywords stay Hugging Face's
        "keywordsSource": "extracted" if view.keyphrases else None,
        "projectPage": view.project_url,
        "githubRepo": view.code_url,
        "githubStars": view.github_stars,
    }
    if e is not None:
        out["submittedOnDailyAt"] = iso_z(e.submitted_at) or iso_z(e.date)
        out["submittedOnDailyBy"] = _user(e.submitted_by)
    return {k: v for k, v in out.items() if v is not None}


def hf_list_item(view: PaperView) -> dict[str, Any]:
    """One item of ``/api/daily_papers`` and ``/api/papers/search``."""
    p, e = view.paper, view.entry
    item: dict[str, Any] = {
        "paper": hf_paper(view),
        "publishedAt": iso_z(e.submitted_at) or iso_z(e.date) if e else iso_z(p.published),
        "title": p.title,
        "summary": p.abstract,
        "numComments": view.num_comments,
        "submittedBy": _user(view.submitted_by),
        "isAuthorParticipating": False,
        "upvotes": view.upvotes,
        "ai_summary": view.ai_summary,
        "ai_keywords": view.ai_keywords,
        "projectPage": view.project_url,
        "githubRepo": view.code_url,
        "githubStars": view.github_stars,
    }
    return {k: v for k, v in item.items() if v is not None}

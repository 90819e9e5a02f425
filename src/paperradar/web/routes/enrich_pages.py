"""Author pages (``/authors/{name}``), topic pages (``/topics/{keyphrase}``) and their Atom
feeds (``/feeds/author.atom?name=``, ``/feeds/topic.atom?topic=``), read from the rows the
enrichment step of ``paperradar index`` writes. Registered after ``pages``: its install hook
adds the ``author_url``/``topic_url`` template helpers to the site's templates."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from paperradar.enrich.text import author_key, topic_key
from paperradar.web import site
from paperradar.web.auth_deps import OptionalUser
from paperradar.web.deps import StoreDep
from paperradar.web.render.atom import site_feed
from paperradar.web.render.enrich import install_template_globals, raw_tail, segment
from paperradar.web.render.listing import pager
from paperradar.web.render.views import views_of

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
FEED_SIZE = 50
MAX_NAME = 300
Page = Annotated[int, Query(ge=1, le=10_000)]


def install(app: FastAPI) -> None:
    install_template_globals(app.state.templates.env)


def _author(store, name: str) -> tuple[str, int]:
    key = author_key(name) if len(name) <= MAX_NAME else ""
    total = store.count_author_papers(key) if key else 0
    if not total:
        raise HTTPException(404, "no papers by this author in this database")
    return key, total


def _topic(store, phrase: str) -> tuple[str, int]:
    key = topic_key(phrase) if len(phrase) <= MAX_NAME else ""
    total = store.count_topic(key) if key else 0
    if not total:
        raise HTTPException(404, "no papers with this keyphrase in this database")
    return key, total


def _papers(store, ids: list[str]):
    found = store.get_papers(ids)
    return views_of(store, [found[i] for i in ids if i in found])


@router.get("/authors/{name:path}")
def author_page(request: Request, store: StoreDep, viewer: OptionalUser, name: str,
                page: Page = 1):
    name = raw_tail(request, "/authors/", name)
    key, total = _author(store, name)
    if key != name:
        return RedirectResponse("/authors/" + segment(key) +
                                (f"?page={page}" if page > 1 else ""), status_code=308)
    ids = store.author_paper_ids(key, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    names = store.author_names(key)
    return site.render(request, "authors.html", {
        "name": names[0] if names else name, "other_names": names[1:], "key": key,
        "views": _papers(store, ids), "total": total,
        "coauthors": store.coauthors(key), "categories": store.author_categories(key),
        "claimants": store.claimants(key), "viewer": viewer,
        "claim": store.claim_status(viewer.id, key) if viewer else {},
        "feed_url": "/feeds/author.atom?" + f"name={quote(key, safe='')}",
        "pager": pager(request.url.path, {}, page, PER_PAGE, total, len(ids))})


@router.get("/topics/{phrase:path}")
def topic_page(request: Request, store: StoreDep, phrase: str, page: Page = 1):
    phrase = raw_tail(request, "/topics/", phrase)
    key, total = _topic(store, phrase)
    if key != phrase:
        return RedirectResponse("/topics/" + segment(key) +
                                (f"?page={page}" if page > 1 else ""), status_code=308)
    ids = store.topic_paper_ids(key, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return site.render(request, "topics.html", {
        "topic": key, "views": _papers(store, ids), "total": total,
        "feed_url": "/feeds/topic.atom?" + f"topic={quote(key, safe='')}",
        "pager": pager(request.url.path, {}, page, PER_PAGE, total, len(ids))})


def _atom(request: Request, title: str, html_path: str, views) -> Response:
    base = request.app.state.settings.base_url.rstrip("/")
    self_url = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Response(site_feed(title, self_url, base + html_path, views, base),
                    media_type="application/atom+xml; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300"})


@router.get("/feeds/author.atom")
def author_feed(request: Request, store: StoreDep,
                name: Annotated[str, Query(min_length=1, max_length=MAX_NAME)]):
    key, _ = _author(store, name)
    ids = store.author_paper_ids(key, limit=FEED_SIZE)
    names = store.author_names(key)
    return _atom(request, f"Papers by {names[0] if names else name}",
                 "/authors/" + segment(key), _papers(store, ids))


@router.get("/feeds/topic.atom")
def topic_feed(request: Request, store: StoreDep,
               topic: Annotated[str, Query(min_length=1, max_length=MAX_NAME)]):
    key, _ = _topic(store, topic)
    ids = store.topic_paper_ids(key, limit=FEED_SIZE)
    return _atom(request, f"Papers on {key}", "/topics/" + segment(key),
                 _papers(store, ids))

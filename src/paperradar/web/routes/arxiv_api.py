"""arXiv-API-compatible ``/api/query`` (Atom), so the ``arxiv`` PyPI client can use this
server as a local mirror (``Client.query_url_format = "http://HOST/api/query?{}"``).

Supported: ``id_list`` (comma-separated, versions allowed), ``search_query`` with the
prefixes ``ti:``, ``au:``, ``abs:``, ``all:``, ``cat:`` joined by ``AND``/``OR``/``ANDNOT``
(terms are combined with AND, ``ANDNOT`` terms are excluded; ``OR`` is treated as AND, a
documented simplification), ``start``, ``max_results``, ``sortBy`` (relevance,
lastUpdatedDate, submittedDate) and ``sortOrder``. Errors are arXiv's one-entry error feed
with status 400.
"""

from __future__ import annotations

import re
from typing import Annotated, NamedTuple

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from paperradar.ids import InvalidId, parse_arxiv_id
from paperradar.web.deps import StoreDep
from paperradar.web.nul import MESSAGE as NUL_MESSAGE
from paperradar.web.openapi import media
from paperradar.web.render.atom import arxiv_error, arxiv_feed
from paperradar.web.render.searching import SearchForm, run_search
from paperradar.web.render.views import views_of

router = APIRouter(tags=["arXiv compatible"])

ATOM = "application/atom+xml; charset=utf-8"
MAX_RESULTS = 2000
SEARCH_PAGE = 100  # the searcher's largest page
_TERM = re.compile(r'(ANDNOT|AND|OR)|([a-z_]+):("[^"]*"|\([^)]*\)|[^\s()]+)|(\S+)')


class QueryError(ValueError):
    pass


class Translated(NamedTuple):
    text: str  # in the search box's syntax
    category: str | None
    not_authors: list[str]  # ANDNOT au:... (applied after the search)


def translate(search_query: str) -> Translated:
    """arXiv ``search_query`` -> the search box's syntax, a category, excluded authors."""
    parts: list[str] = []
    not_authors: list[str] = []
    category: str | None = None
    negate = False
    for op, field, value, bare in _TERM.findall(search_query.replace("+", " ")):
        if op:
            negate = op == "ANDNOT"
            continue
        value = (value or bare).strip("()")
        words = value.strip('"').split()
        if not words:
            continue
        if field == "cat" and not negate and category is None:
            category = value.strip('"')
        elif field == "cat":
            parts.append(f'{"-" if negate else ""}cat:{value.strip(chr(34))}')
        elif field == "au" and negate:
            not_authors.append(" ".join(words).replace("_", " ").lower())
        elif field == "au":
            parts.append(f'author:"{" ".join(words).replace("_", " ")}"')
        elif field in ("ti", "abs", "all", "co", "jr", "rn", "id", "") or bare:
            quoted = f'"{" ".join(words)}"' if len(words) > 1 and value.startswith('"') else " ".join(words)
            parts.append(("-" if negate else "") + quoted if negate and len(words) == 1 else quoted)
        else:
            raise QueryError(f"unknown field prefix {field}:")
        negate = False
    return Translated(" ".join(parts), category, not_authors)


def _kept(views, not_authors: list[str]):
    if not not_authors:
        return views
    return [v for v in views
            if not any(x in a.name.lower() for x in not_authors for a in v.paper.authors)]


# Answers, including bad queries (400), are Atom feeds as arXiv's are.
ATOM_RESPONSES = {**media("application/atom+xml", description="An Atom feed (arXiv's format)"),
                  400: {"description": "A bad query, as arXiv reports it: an Atom feed with "
                        "one error entry",
                        "content": {"application/atom+xml": {"schema": {"type": "string"}}}}}


def _error(request: Request, message: str) -> Response:
    return Response(arxiv_error(message, str(request.url)), status_code=400, media_type=ATOM)


@router.get("/api/query", summary="arXiv API compatible query (Atom)", response_class=Response,
            responses=ATOM_RESPONSES)
def query(request: Request, store: StoreDep,
          search_query: Annotated[str, Query(max_length=1000)] = "",
          id_list: Annotated[str, Query(max_length=20_000)] = "",
          start: Annotated[str, Query(max_length=12)] = "0",
          max_results: Annotated[str, Query(max_length=12)] = "10",
          sortBy: Annotated[str, Query(max_length=30)] = "relevance",  # noqa: N803 (arXiv's names)
          sortOrder: Annotated[str, Query(max_length=30)] = "descending"):  # noqa: N803
    return answer(request, store, search_query, id_list, start, max_results, sortBy, sortOrder)


@router.post("/api/query", summary="The same query as a form POST (as arXiv accepts)",
             response_class=Response, responses=ATOM_RESPONSES)
def query_post(request: Request, store: StoreDep,
               search_query: Annotated[str, Form(max_length=1000)] = "",
               id_list: Annotated[str, Form(max_length=20_000)] = "",
               start: Annotated[str, Form(max_length=12)] = "0",
               max_results: Annotated[str, Form(max_length=12)] = "10",
               sortBy: Annotated[str, Form(max_length=30)] = "relevance",  # noqa: N803
               sortOrder: Annotated[str, Form(max_length=30)] = "descending"):  # noqa: N803
    return answer(request, store, search_query, id_list, start, max_results, sortBy, sortOrder)


def answer(request: Request, store, search_query: str, id_list: str, start: str,
           max_results: str, sort_by: str, sort_order: str) -> Response:
    if "\x00" in "".join((search_query, id_list, start, max_results, sort_by, sort_order)):
        return _error(request, NUL_MESSAGE)
    try:
        first, count = int(start), int(max_results)
    except ValueError:
        return _error(request, "start and max_results must be integers")
    if first < 0 or count < 0 or count > MAX_RESULTS:
        return _error(request, f"start must be >= 0 and max_results between 0 and {MAX_RESULTS}")
    if sort_by not in ("relevance", "lastUpdatedDate", "submittedDate"):
        return _error(request, "sortBy must be relevance, lastUpdatedDate or submittedDate")
    if sort_order not in ("ascending", "descending"):
        return _error(request, "sortOrder must be ascending or descending")
    try:
        views, total = _run(request, store, search_query.strip(), id_list.strip(), first, count,
                            sort_by, sort_order)
    except (InvalidId, QueryError) as exc:
        return _error(request, str(exc))
    title = f"search_query={search_query}&id_list={id_list}&start={first}&max_results={count}"
    return Response(arxiv_feed(title, str(request.url), views, total, first, len(views)),
                    media_type=ATOM)


def _run(request, store, search_query: str, id_list: str, first: int, count: int, sort_by: str,
         sort_order: str):
    if id_list:
        ids = []
        for raw in (x.strip() for x in id_list.split(",") if x.strip()):
            try:
                ids.append(parse_arxiv_id(raw)[0])
            except InvalidId:
                raise InvalidId(f"incorrect id format for {raw[:60]}") from None
        papers = store.get_papers(ids)
        found = [papers[i] for i in dict.fromkeys(ids) if i in papers]
        if search_query:
            t = translate(search_query)
            found = [p for p in found if _matches(p, t.text, t.category)]
            found = [v.paper for v in _kept(views_of(store, found), t.not_authors)]
        return views_of(store, found[first:first + count]), len(found)
    if not search_query:
        return [], 0
    text, category, not_authors = translate(search_query)
    descending = sort_order == "descending"
    if not text and category and not not_authors:  # a category listing: exact, both orders
        sort = "updated" if sort_by == "lastUpdatedDate" else "published"
        papers = store.list_papers(category=category, sort=sort, descending=descending,
                                   limit=count, offset=first)
        return views_of(store, papers), store.count_papers_in(category)
    return _search(request, text, category, not_authors, first, count, sort_by)


def _search(request, text, category, not_authors, first, count, sort_by):
    form = SearchForm(q=text, category=category or "", mode="lexical",  # matches, like arXiv
                      sort="relevance" if sort_by == "relevance" else "date")
    views, total = [], 0
    offset = first
    while len(views) < count:
        size = min(SEARCH_PAGE, count - len(views))
        page_no, skip = divmod(offset, size)
        result = run_search(request, form, page=page_no + 1, per_page=size,
                            snippets=False)
        if result.error:
            raise QueryError(result.error)
        total = result.total
        got = [v for v, _ in result.items][skip:]
        if not got:
            break
        views += _kept(got, not_authors)
        offset += len(got)
    return views[:count], total


def _matches(paper, text: str, category: str | None) -> bool:
    if category and category not in paper.categories and paper.primary_category != category:
        return False
    haystack = f"{paper.title} {paper.abstract} {' '.join(a.name for a in paper.authors)}".lower()
    words = [w for w in re.findall(r"\w+", text.lower()) if w not in ("author",)]
    return all(w in haystack for w in words)

"""The search service: parse the query, run lexical and/or semantic retrieval with the
filters inside both, fuse, sort, paginate and build highlighted hits.

One ``Searcher`` per process is enough (the web app keeps one); it is cheap to build, opens
indexes and loads the model lazily, and is safe to share across threads.
"""

from __future__ import annotations

import html
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

from paperradar.config import Settings
from paperradar.models import Paper
from paperradar.search.hybrid import FusionParams, fuse, fusion_for
from paperradar.search.known import find_identifiers
from paperradar.search.lexical import VOCAB_FILE, LexicalIndex, paper_key
from paperradar.search.ranking import depth_cap, rank
from paperradar.search.query import ParsedQuery, parse_date, parse_query
from paperradar.search.snippets import highlight
from paperradar.search.spelling import Speller, suggested_query
from paperradar.store.base.pages import PaperCard

log = logging.getLogger(__name__)

MODES = ("hybrid", "lexical", "semantic")
SORTS = ("relevance", "date", "upvotes")
MAX_LIMIT = 100
MAX_OFFSET_INPUT = 10**9  # offsets are clamped to this, then refused past the depth cap
SUGGEST_BELOW = 5  # fewer results than this: spelling also tries two-edit corrections
EXACT_FILTER_CAP = 5_000  # filtered semantic search scores at most this many exactly
QUERY_CACHE = 512  # query embeddings kept
_UNREAD = object()  # similar_ranked: the embedding was not read by the caller


@dataclass(slots=True)
class Hit:
    id: str
    title: str
    score: float
    snippet_html: str
    paper: Paper
    title_html: str = ""
    upvotes: int | None = None
    card: PaperCard | None = None  # with ``search(cards=True)``: the list facts of the paper

    def to_dict(self) -> dict[str, Any]:
        p = self.paper
        return {"id": self.id, "title": self.title, "score": round(self.score, 6),
                "published": p.published, "authors": [a.name for a in p.authors],
                "categories": p.categories, "has_code": p.has_code, "upvotes": self.upvotes,
                "snippet_html": self.snippet_html}


@dataclass(slots=True)
class SearchPage:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    message: str | None = None
    parsed: ParsedQuery = field(default_factory=ParsedQuery)
    mode: str = "hybrid"
    offset: int = 0
    limit: int = 20
    total_exact: bool = True  # False: ``total`` is an estimate (shown as "about")
    suggestion: str | None = None  # the query with misspelt words corrected
    fetchable: list[str] = field(default_factory=list)  # named arXiv ids not in the store
    notes: list[str] = field(default_factory=list)


def _merge_filters(q: ParsedQuery, category, date_from, date_to, author, has_code) -> None:
    if category:
        q.categories.extend(c for c in str(category).replace(",", " ").split() if c)
    for value, end in ((date_from, False), (date_to, True)):
        if value:
            day = parse_date(str(value)[:10], end=end)
            if day is None:
                q.warnings.append(f"{value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
            elif end and (q.date_to is None or day < q.date_to):
                q.date_to = day
            elif not end and (q.date_from is None or day > q.date_from):
                q.date_from = day
    if author and str(author).strip():
        q.authors.append(" ".join(str(author).split()))
    if has_code is not None:
        q.has_code = bool(has_code)


def _as_int(value, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(value)))
    except (TypeError, ValueError):
        return default


class Searcher:
    def __init__(self, settings: Settings, store, *, embedder=None,
                 fusion: FusionParams | None = None):
        self.settings = settings
        self.store = store
        self.fusion = fusion or fusion_for(settings)
        self.lexical = LexicalIndex(settings.index_dir)
        self.speller = Speller(self.lexical.path / VOCAB_FILE)
        self._embedder = embedder
        self._query_embedder = embedder  # an injected embedder serves queries too
        self._embedder_error: str | None = None
        self._vectors = None
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._qcache: OrderedDict[str, object] = OrderedDict()

    # -- components (lazy) ----------------------------------------------------------------
    def embedder(self):
        """The embedding model, loaded on first use; raises ``EmbedderError`` if unusable."""
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    from paperradar.search.embed import load_embedder

                    self._embedder = load_embedder(self.settings)
        return self._embedder

    def query_embedder(self):
        """What embeds query texts: for the bundled MiniLM the ONNX Runtime graph (the same
        vectors, three times faster on short texts) unless ``query_backend`` is torch or the
        ONNX backend cannot load; otherwise the indexing model itself."""
        if self._query_embedder is None:
            with self._load_lock:  # one loader: the server's warm-up races its first query
                if self._query_embedder is None:
                    self._query_embedder = self._load_query_embedder()
        return self._query_embedder

    def _load_query_embedder(self):
        from paperradar.search.embed import BUNDLED_NAME, EmbedderError

        if (self.settings.query_backend == "onnx"
                and self.settings.embed_model.strip() in ("", BUNDLED_NAME)):
            from paperradar.search.onnx import load_onnx

            try:
                return load_onnx(self.settings, "onnx:" + BUNDLED_NAME)
            except (EmbedderError, OSError, RuntimeError) as exc:
                log.warning("ONNX query embedding unavailable (%s); using torch", exc)
        return self.embedder()

    def vectors(self):
        if self._vectors is None:
            with self._lock:
                if self._vectors is None:
                    from paperradar.search.vectors import VectorIndex

                    self._vectors = VectorIndex(self.settings.index_dir, self.store)
        return self._vectors

    def model_name(self) -> str:
        if self._embedder is not None:
            return self._embedder.name
        from paperradar.search.embed import model_label

        return model_label(self.settings)

    def warm(self) -> bool:
        """Open the indexes and load the embedding model now, so that the first query does
        not pay for them; False when there are no vectors to search (nothing to load)."""
        self.lexical.index()
        if self.vectors().count(self.model_name()) == 0:
            return False
        self.query_embedder().embed(["warm up"])
        return True

    # -- maintenance ----------------------------------------------------------------------
    def sync_lexical(self, progress: Callable[[int], None] | None = None,
                     wait: bool = True) -> int:
        return self.lexical.sync(self.store, progress, wait=wait)

    def build(self, progress=None, embed: bool = True, rebuild: bool = False) -> dict:
        """Bring every index up to date; see ``paperradar.search.build``."""
        from paperradar.search.build import build_indexes

        return build_indexes(self, progress=progress, embed=embed, rebuild=rebuild)

    # -- queries --------------------------------------------------------------------------
    def search(self, q: str, *, mode: str = "hybrid", limit: int = 20, offset: int = 0,
               sort: str = "relevance", category: str | None = None,
               date_from: str | None = None, date_to: str | None = None,
               author: str | None = None, has_code: bool | None = None,
               snippets: bool = True, cards: bool = False) -> SearchPage:
        """One page of results; ``snippets=False`` skips the highlighting (APIs whose
        answers carry no snippet); ``cards=True`` reads each hit's card (latest daily entry,
        local counts, enrichment) with its paper, in the same store call."""
        parsed = parse_query(q)
        _merge_filters(parsed, category, date_from, date_to, author, has_code)
        limit = _as_int(limit, 20, 1, MAX_LIMIT)
        offset = _as_int(offset, 0, 0, MAX_OFFSET_INPUT)
        notes = list(parsed.warnings)
        if mode not in MODES:
            notes.append(f"unknown mode {mode!r}; using hybrid")
            mode = "hybrid"
        if sort not in SORTS:
            notes.append(f"unknown sort {sort!r}; using relevance")
            sort = "relevance"
        page = SearchPage(parsed=parsed, mode=mode, offset=offset, limit=limit)
        pinned = self._identified(q, page)
        if pinned is not None and not page.parsed.text and not page.parsed.has_filters:
            page.hits = self._hits(pinned[offset:offset + limit], page.parsed, snippets, cards)
            page.total = len(pinned)
            page.message = " ".join(notes + page.notes) or None
            return page
        parsed = page.parsed
        if parsed.is_empty:
            page.message = " ".join(notes + ["Type some words to search for (or a filter "
                                             "such as cat:cs.LG, author:name, since:2024)."])
            return page
        pinned = pinned or []
        cap = depth_cap(mode, sort)
        if offset > cap:
            notes.append(f"Results past the first {cap:,} cannot be paged through; add words "
                         "or filters to narrow the search.")
        try:
            shift = min(offset, len(pinned))
            ranked = rank(self, parsed, mode, sort, limit + len(pinned),
                          0 if offset > cap else offset - shift)
        except Exception as exc:  # an index problem must not become a 500
            log.exception("search failed for %r", q)
            page.message = " ".join(notes + [f"search is unavailable right now ({exc})"])
            return page
        notes.extend(ranked.notes)
        pin_ids = {pid for pid, _ in pinned}
        items = pinned[offset:] + [r for r in ranked.items if r[0] not in pin_ids]
        page.total = ranked.total + len(pinned)
        page.total_exact = ranked.exact
        if offset <= cap:
            page.hits = self._hits(items[:limit], parsed, snippets, cards)
        if parsed.words and offset == 0:
            page.suggestion = self._suggest(q, parsed, two_edits=page.total < SUGGEST_BELOW)
        if not page.hits and offset <= cap:
            notes.append("No papers match." if offset == 0 else "No more results.")
        page.message = " ".join(notes + page.notes) or None
        return page

    def _suggest(self, raw: str, parsed: ParsedQuery, two_edits: bool) -> str | None:
        try:
            fixed = self.speller.suggest(parsed.words, two_edits=two_edits)
        except Exception:  # a damaged vocabulary file must not break the search
            log.exception("spelling suggestion failed")
            return None
        return suggested_query(raw, parsed.words, fixed) if fixed else None

    def _identified(self, q: str, page: SearchPage) -> list[tuple[str, float]] | None:
        """Papers the query names by arXiv id, URL or DOI, first (None: it names none).
        ``page.parsed`` becomes the rest of the query; ids not in the store are offered
        for fetching (``page.fetchable``)."""
        found = find_identifiers(q)
        if not found.any:
            return None
        rest = parse_query(found.rest)
        rest.warnings = page.parsed.warnings
        for k in ("authors", "categories", "date_from", "date_to", "has_code"):
            if getattr(page.parsed, k) and not getattr(rest, k):
                setattr(rest, k, getattr(page.parsed, k))
        page.parsed = rest
        by_doi = self.lexical.ids_for_dois(found.dois)
        papers = self.store.get_papers(found.arxiv_ids)
        out = [(pid, 1.0) for pid in found.arxiv_ids if pid in papers]
        out += [(by_doi[d], 1.0) for d in found.dois if d in by_doi and by_doi[d] not in papers]
        page.fetchable = [pid for pid in found.arxiv_ids if pid not in papers]
        missing = page.fetchable + [d for d in found.dois if d not in by_doi]
        if missing:
            page.notes.append("Not in this library: " + ", ".join(missing) + "."
                              + (" An arXiv paper can be fetched by submitting it."
                                 if page.fetchable else ""))
        return out

    def _resort(self, ranked: list[tuple[str, float]], sort: str) -> list[tuple[str, float]]:
        ids = [pid for pid, _ in ranked]
        if sort == "upvotes":
            votes = self.store.upvotes_for(ids)
            return sorted(ranked, key=lambda r: (-votes.get(r[0], 0), -r[1]))
        papers = self.store.get_papers(ids)
        return sorted(ranked, key=lambda r: ((papers[r[0]].published or "") if r[0] in papers
                                             else "", r[1]), reverse=True)

    def _semantic(self, q: ParsedQuery, k: int) -> tuple[list[tuple[str, float]] | None, str | None]:
        """Vector neighbours of the query text with the filters applied, or (None, why)."""
        vectors = self.vectors()
        model = self.model_name()
        if vectors.count(model) == 0:
            return None, "semantic index not built yet (run `paperradar index`); showing keyword results"
        try:
            qvec = self._query_vector(q.text)
        except Exception as exc:
            return None, f"semantic search unavailable ({exc}); showing keyword results"
        return self._vector_search(qvec, q, k, exclude=None), None

    def clear_query_cache(self) -> None:
        """Forget cached query embeddings (benchmarks measure the embedding every time)."""
        with self._lock:
            self._qcache.clear()

    def _query_vector(self, text: str):
        """Embedding of a query text, cached (pagination and popular queries repeat)."""
        with self._lock:
            hit = self._qcache.get(text)
            if hit is not None:
                self._qcache.move_to_end(text)
                return hit
        vec = self.query_embedder().embed([text])[0]
        with self._lock:
            self._qcache[text] = vec
            while len(self._qcache) > QUERY_CACHE:
                self._qcache.popitem(last=False)
        return vec

    def _vector_search(self, qvec, q: ParsedQuery, k: int,
                       exclude: str | None) -> list[tuple[str, float]]:
        vectors = self.vectors()
        model = self.model_name()
        extra = 1 if exclude else 0
        filtered = q.has_filters or bool(q.excluded)
        if not filtered:
            pairs = vectors.search(model, qvec, k + extra)
        else:
            allowed = self.lexical.filtered_ids(q, EXACT_FILTER_CAP)
            if allowed is not None:
                pairs = vectors.search(model, qvec, k + extra,
                                       only_keys=[paper_key(i) for i in allowed])
            else:
                passing: list[str] = []
                for factor in (4, 16, 64):  # oversample approximate candidates, then filter
                    cands = vectors.search(model, qvec, (k + extra) * factor, rescore=False)
                    ok = self.lexical.filter_keys(q, [paper_key(pid) for pid, _ in cands])
                    passing = [pid for pid, _ in cands if pid in ok]
                    if len(passing) >= k + extra or len(cands) < (k + extra) * factor:
                        break
                pairs = vectors.rescore(model, passing, qvec, k + extra)
        return [(pid, s) for pid, s in pairs if pid != exclude][:k]

    def similar(self, paper_id: str, limit: int = 10, paper: Paper | None = None) -> list[Hit]:
        """Nearest papers by embedding (never the paper itself); lexical fallback. ``paper``:
        the paper already read by the caller (else it is read here)."""
        if paper is None or paper.id != paper_id:
            paper = self.store.get_paper(paper_id)
        if paper is None:
            return []
        return self._hits(self.similar_ranked(paper, limit), ParsedQuery())

    def similar_ranked(self, paper: Paper, limit: int = 10,
                       stored: Any = _UNREAD) -> list[tuple[str, float]]:
        """``(id, score)`` of the papers nearest to ``paper``, best first (as ``similar``,
        without reading the hits' rows). ``stored``: its embedding under ``model_name()``
        if the caller read it already (None: it has none)."""
        limit = _as_int(limit, 10, 1, MAX_LIMIT)
        ranked: list[tuple[str, float]] = []
        try:
            model = self.model_name()
            if stored is _UNREAD:
                stored = self.store.get_embeddings(model, [paper.id]).get(paper.id)
            if stored is not None and self.vectors().count(model) > 0:
                from paperradar.search.vectors import decode

                ranked = self._vector_search(decode(stored), ParsedQuery(), limit,
                                             exclude=paper.id)
        except Exception:
            log.exception("vector neighbours failed for %s", paper.id)
        if not ranked:
            from paperradar.search.query import _WORD

            words = _WORD.findall(f"{paper.title} {paper.abstract}")[:48]
            res = self.lexical.search(ParsedQuery(words=words), limit + 1)
            ranked = [(i, s) for i, s in zip(res.ids, res.scores) if i != paper.id][:limit]
        return ranked

    # -- hits -----------------------------------------------------------------------------
    def _hits(self, ranked: list[tuple[str, float]], q: ParsedQuery,
              snippets: bool = True, cards: bool = False) -> list[Hit]:
        ids = [pid for pid, _ in ranked]
        if cards:
            card_of, votes = self.store.hit_cards(ids)
            papers = {pid: c.paper for pid, c in card_of.items()}
        else:
            card_of, (papers, votes) = {}, self.store.hit_papers(ids)
        terms = {t for w in q.words + q.phrases for t in self.lexical.analyze(w)}
        analyze = self.lexical.analyze_word
        out = []
        for pid, score in ranked:
            p = papers.get(pid)
            if p is None:  # indexed but gone from the store
                continue
            snippet = highlight(p.abstract, terms, analyze) if snippets else ""
            title_html = highlight(p.title, terms, analyze, max_words=10_000) if snippets else ""
            out.append(Hit(id=pid, title=p.title, score=float(score), snippet_html=snippet,
                           paper=p, title_html=title_html or html.escape(p.title),
                           upvotes=votes.get(pid), card=card_of.get(pid)))
        return out

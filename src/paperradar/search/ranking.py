"""One page of ranked ids, with a total that the pages agree with.

Hybrid ranking is a fixed *head* (the fusion of the top ``depth`` of each list, semantic-only
hits below a calibrated similarity dropped) followed by the lexical *tail* (every further
keyword match, in keyword order, minus what the head already shows). Neither part depends on
which page is asked for, so pages are disjoint and stable, and the total is exact: keyword
matches plus the semantic-only papers the head keeps. Sorting by date or upvotes re-sorts a
fixed pool of the most relevant; deep pages past a documented cap are refused, not faked.

A hybrid search runs its keyword list on a worker thread while the query is embedded and the
vectors searched (tantivy, ONNX Runtime and usearch release the GIL): at 1M papers the two
lists took 26-27 ms one after the other and 18-22 ms side by side (README, Speed).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from paperradar.search.hybrid import fused_head
from paperradar.search.lexical import paper_key
from paperradar.search.query import ParsedQuery

MAX_OFFSET = 10_000  # deepest first result a page may start at (lexical and hybrid)
SORT_POOL = 1000  # most relevant papers re-sorted by date or upvotes
SEMANTIC_POOL = 1000  # deepest semantic-only result
SEMANTIC_MIN = 0.40  # MiniLM cosine below which a semantic-only hit is not a result: on
# Cranfield (dev) the highest cut-off that costs at most 2% of R@100 (README, Quality)
KEEP_TOP = 10  # the nearest papers shown even when none is above SEMANTIC_MIN
PHRASE_FEW = 5  # fewer exact-phrase matches than this ("almost nothing") ...
PHRASE_RATIO = 20  # ... while the words alone match 20x as many: fall back to the words
KEYWORD_WORKERS = 4  # threads running hybrid searches' keyword lists (shared by a process)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _keyword_list(searcher, q: ParsedQuery, depth: int) -> Future:
    """The keyword list of a hybrid search, started on the shared worker threads."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(KEYWORD_WORKERS, thread_name_prefix="keywords")
    return _pool.submit(searcher.lexical.search, q, depth)


@dataclass(slots=True)
class Ranked:
    items: list[tuple[str, float]] = field(default_factory=list)  # the page
    total: int = 0
    exact: bool = True  # False: total is an estimate ("about")
    notes: list[str] = field(default_factory=list)
    refused: bool = False


def depth_cap(mode: str, sort: str) -> int:
    """How deep pages may go for this mode and sort."""
    if sort != "relevance":
        return SORT_POOL
    return SEMANTIC_POOL if mode == "semantic" else MAX_OFFSET


def relax_phrases(searcher, q: ParsedQuery, notes: list[str]) -> ParsedQuery:
    """Quoted phrases are required, unless almost no paper has them (fewer than
    PHRASE_FEW, while the words alone match at least PHRASE_RATIO times as many): then the
    words count too, the exact matches ranked first, and the page says so."""
    if not q.phrases or q.phrases_optional:
        return q
    n = searcher.lexical.search(q, 1).total
    if n >= PHRASE_FEW:
        return q
    relaxed = ParsedQuery(**{k: getattr(q, k) for k in q.__dataclass_fields__})
    relaxed.phrases_optional = True
    if n and searcher.lexical.search(relaxed, 1).total < PHRASE_RATIO * n:
        return q  # the words are about as rare as the phrase: keep it strict
    quoted = ", ".join(f'"{p}"' for p in q.phrases)
    notes.append(f"No paper has the exact phrase {quoted}; showing papers with its words "
                 "instead." if n == 0 else
                 f"Few papers contain the exact phrase {quoted} ({n}); showing papers with "
                 f"its words too, the {'exact match' if n == 1 else f'{n} exact matches'} first.")
    return relaxed


def rank(searcher, q: ParsedQuery, mode: str, sort: str, limit: int, offset: int) -> Ranked:
    out = Ranked()
    if not q.text and sort != "upvotes":  # filters only: every match, newest first
        res = searcher.lexical.search(q, limit, offset, order_by_date=True)
        out.items, out.total = list(zip(res.ids, res.scores)), res.total
        return out
    if q.text:
        q = relax_phrases(searcher, q, out.notes)
    need = SORT_POOL if sort != "relevance" else offset + limit
    sem, keywords = None, None
    if mode == "hybrid" and q.text:
        keywords = _keyword_list(searcher, q, searcher.fusion.depth)
    if mode != "lexical" and q.text:
        depth = max(need + limit, searcher.fusion.depth) if mode == "semantic" else searcher.fusion.depth
        sem, note = searcher._semantic(q, min(depth, SEMANTIC_POOL + limit))
        if note:
            out.notes.append(note)
    if sem is None or mode == "lexical":
        if keywords is not None and need <= searcher.fusion.depth:  # no vectors: the list run
            res = keywords.result()
        else:  # (a deep page without vectors: the list run at the fusion's depth is too short)
            res = searcher.lexical.search(q, max(1, need))
        full, out.total = list(zip(res.ids[:need], res.scores[:need])), res.total
    elif mode == "semantic":
        full = sem[:KEEP_TOP] + [(pid, s) for pid, s in sem[KEEP_TOP:] if s >= SEMANTIC_MIN]
        out.total = len(full)
        out.exact = len(full) < len(sem) or len(sem) < depth
    else:
        full, out.total, out.exact = _hybrid(searcher, q, sem, need, out.notes,
                                             keywords.result())
    if sort != "relevance":
        relevant = out.total
        full = searcher._resort(full[:SORT_POOL], sort)
        out.total, out.exact = len(full), True
        if relevant > SORT_POOL:
            out.notes.append(f"Sorted among the {SORT_POOL:,} most relevant of {relevant:,} results.")
    out.items = full[offset:offset + limit]
    return out


def _hybrid(searcher, q: ParsedQuery, sem: list[tuple[str, float]], need: int,
            notes: list[str], res) -> tuple[list[tuple[str, float]], int, bool]:
    """``res``: the keyword list at the fusion's depth."""
    depth = searcher.fusion.depth
    lex = list(zip(res.ids, res.scores))
    pool = lex
    pool_ids = [pid for pid, _ in pool]
    no_vector = searcher.vectors().missing(searcher.model_name(), pool_ids,
                                           [paper_key(pid) for pid in pool_ids])
    if no_vector:
        notes.append(f"{len(no_vector)} of the best keyword matches have no embedding yet "
                     "(embeddings are behind: run `paperradar index`); they are ranked by "
                     "their keywords alone.")
    head = fused_head(pool, sem, searcher.fusion, no_vector=no_vector,
                      min_similarity=SEMANTIC_MIN, keep=KEEP_TOP)
    in_head = {pid for pid, _ in head}
    if need > len(head) and res.total > len(lex):  # a deep page: the keyword tail too
        res = searcher.lexical.search(q, need + depth)
        lex = list(zip(res.ids, res.scores))
    # semantic-only head papers that match keywords further down (the tail skips them)
    fetched = {pid for pid, _ in lex}
    sem_only = in_head - set(pool_ids)
    deeper = sem_only & fetched
    unresolved = res.total > len(lex) and any(pid not in fetched for pid in sem_only)
    tail = [(pid, 0.0) for pid, _ in lex[depth:] if pid not in in_head]
    total = len(head) + max(0, res.total - len(pool)) - len(deeper)
    # Some semantic-only papers of the head may also match keywords beyond what was fetched
    # (then the tail skips them): checking costs a second keyword query on every search, so
    # the total is then an upper bound by at most that many, shown as "about".
    return head + tail, total, not unresolved

"""Full-text index: BM25 in tantivy over one combined field (title + abstract: term
frequencies summed before saturation, one length normalisation, so a record with only a
title is not outranked for lacking an abstract), plus a title boost scored with the
paper-level IDF and author names; then a second pass adds ordered word pairs (proximity)
to the first hits. Kept beside the database and rebuildable from it.

Crash safety: documents are fetched in change-counter (``seq``) order; the watermark file
is rewritten (atomically) only after a tantivy commit, and every re-added paper first
deletes its old document, so replaying after a crash is idempotent. A rebuild writes a
fresh index in a temporary directory and swaps it in with a rename.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import shutil
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import tantivy

from paperradar.gcpause import fewer_collections
from paperradar.search.lexical_query import (  # noqa: F401  (re-exported)
    DEFAULT_WEIGHTS, PAIR_DEPTH, PHRASE_FIRST, SHARED_IDF, TEXT_FIELDS, LexicalQueries)
from paperradar.search.lexical_schema import (  # noqa: F401  (re-exported)
    NAME_ANALYZER, SCHEMA_VERSION, TEXT_ANALYZER, build_schema, day_number, fields_document,
    name_analyzer, paper_key, text_analyzer)
from paperradar.search.query import ParsedQuery
from paperradar.search.spelling import count_title_words, save_vocabulary

VOCAB_FILE = "vocab.json"

COMMIT_EVERY = 50_000
WRITER_HEAP = 256 * 1024 * 1024
WRITER_THREADS = 2  # measured: 8k docs/s with 1, 12k with 2 on this 2-core machine
# ... but one thread uses about 12% less CPU (fewer, larger segments to merge): what counts
# when the indexing shares the cores with an import (the follower sets ``writer_threads``).
WORD_CACHE = 200_000  # analysed words kept for snippets (~30 MB at most)


@dataclass(slots=True)
class LexicalResult:
    ids: list[str]
    scores: list[float]
    total: int


class LexicalIndex(LexicalQueries):
    """One tantivy index directory (``<index_dir>/lexical``) and its watermark."""

    def __init__(self, index_dir: Path, weights: dict[str, float] | None = None):
        self.root = Path(index_dir)
        self.path = self.root / "lexical"
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        self.schema = build_schema()
        self._analyzer = text_analyzer()
        self._names = name_analyzer()
        self._word_cache = functools.lru_cache(maxsize=WORD_CACHE)(self._analyze_lowered)
        self._index: tantivy.Index | None = None
        self._opened: tuple[int, float] | None = None
        self._lock = threading.RLock()
        self.writer_threads = WRITER_THREADS

    # -- files ----------------------------------------------------------------------------
    @property
    def meta_path(self) -> Path:
        return self.path / "paperradar.json"

    def read_meta(self, path: Path | None = None) -> dict:
        try:
            meta = json.loads(((path or self.path) / "paperradar.json").read_text())
        except (OSError, ValueError):
            return {}
        return meta if meta.get("schema") == SCHEMA_VERSION else {}

    def watermark(self) -> int:
        return int(self.read_meta().get("seq", 0))

    @staticmethod
    def _write_meta(path: Path, seq: int) -> None:
        tmp = path / "paperradar.json.tmp"
        tmp.write_text(json.dumps({"schema": SCHEMA_VERSION, "seq": seq}))
        os.replace(tmp, path / "paperradar.json")

    @contextmanager
    def write_lock(self, wait: bool = True) -> Iterator[bool]:
        """One writer at a time across processes (tantivy allows a single writer); with
        ``wait=False`` it yields False at once instead of queueing behind another writer."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "lexical.lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _open_at(self, path: Path) -> tantivy.Index:
        path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self.schema, path=str(path), reuse=True)
        index.register_tokenizer(TEXT_ANALYZER, text_analyzer())
        index.register_tokenizer(NAME_ANALYZER, name_analyzer())
        return index

    def _signature(self) -> tuple[int, float] | None:
        try:
            return (self.path.stat().st_ino, (self.path / "meta.json").stat().st_mtime)
        except OSError:
            return None

    def index(self) -> tantivy.Index | None:
        """The open index for reading, reopened when another process changed it."""
        sig = self._signature()
        if sig is None:
            return None
        with self._lock:
            if self._index is None or self._opened is None or sig[0] != self._opened[0]:
                self._index = self._open_at(self.path)
            elif sig[1] != self._opened[1]:
                self._index.reload()
            self._opened = sig
            return self._index

    # -- writing --------------------------------------------------------------------------
    def sync(self, store, progress: Callable[[int], None] | None = None,
             wait: bool = True) -> int:
        """Index every paper changed since the watermark; returns how many were indexed
        (``wait=False``: 0 at once when another writer holds the index)."""
        with self.write_lock(wait) as locked:
            if not locked:
                return 0
            meta = self.read_meta()
            if (self.path.exists() and not meta) or int(meta.get("seq", 0)) > store.max_seq():
                return self._rebuild_locked(store, progress)  # unknown or stale index
            if int(meta.get("seq", 0)) >= store.max_seq() and self.path.exists():
                return 0
            return self._sync_into(self.path, store, int(meta.get("seq", 0)), progress)

    def rebuild(self, store, progress: Callable[[int], None] | None = None) -> int:
        with self.write_lock():
            return self._rebuild_locked(store, progress)

    def _rebuild_locked(self, store, progress) -> int:
        tmp = self.root / f"lexical.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        n = self._sync_into(tmp, store, 0, progress)
        old = self.root / f"lexical.old-{os.getpid()}-{time.time_ns()}"
        if self.path.exists():
            os.replace(self.path, old)
        os.replace(tmp, self.path)
        shutil.rmtree(old, ignore_errors=True)
        with self._lock:
            self._index = None
        return n

    def _sync_into(self, path: Path, store, after: int, progress) -> int:
        with fewer_collections():
            return self._write_changes(path, store, after, progress)

    def _write_changes(self, path: Path, store, after: int, progress) -> int:
        index = self._open_at(path)
        if after == 0 and not (path / "paperradar.json").exists():
            self._write_meta(path, 0)
        fresh = index.searcher().num_docs == 0
        writer = index.writer(WRITER_HEAP, self.writer_threads)
        n = pending = 0
        last = after
        words: Counter = Counter()  # title words, for spelling suggestions
        titles: list[str] = []  # counted a batch at a time
        try:
            for seq, fields in store.iter_changed_index_fields(after, batch=2000):
                if not fresh:
                    writer.delete_documents_by_term("id", fields.id)
                writer.add_document(fields_document(fields))
                titles.append(fields.title or "")
                n += 1
                pending += 1
                last = seq
                if len(titles) >= 2000:
                    count_title_words(titles, words)
                    titles.clear()
                if pending >= COMMIT_EVERY:
                    count_title_words(titles, words)
                    titles.clear()
                    writer.commit()
                    save_vocabulary(path / VOCAB_FILE, words)
                    words.clear()
                    self._write_meta(path, last)
                    if progress:
                        progress(pending)
                    pending = 0
            if pending or last != after:
                count_title_words(titles, words)
                writer.commit()
                save_vocabulary(path / VOCAB_FILE, words)
                self._write_meta(path, last)
                if progress and pending:
                    progress(pending)
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        return n

    # -- reading --------------------------------------------------------------------------
    def analyze(self, text: str) -> list[str]:
        return self._analyzer.analyze(text)

    def analyze_word(self, word: str) -> str | None:
        """The analysed form of one word (None for a stop word), cached: snippets ask for
        the same few thousand words again and again."""
        return self._word_cache(word.lower())

    def _analyze_lowered(self, word: str) -> str | None:
        toks = self._analyzer.analyze(word)
        return toks[0] if toks else None

    def search(self, q: ParsedQuery, limit: int, offset: int = 0,
               order_by_date: bool = False) -> LexicalResult:
        index = self.index()
        if index is None:
            return LexicalResult([], [], 0)
        searcher = index.searcher()
        text = self._text_query(q, searcher)
        clauses = self.filter_clauses(q) + self._exclusions(q)
        if text is not None:
            clauses.append((tantivy.Occur.Must, text))
        elif not clauses:
            return LexicalResult([], [], 0)
        else:
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        query = tantivy.Query.boolean_query(clauses)
        kw = {"order_by_field": "day"} if order_by_date or text is None else {}
        pairs = [] if kw else self.pair_clauses(q, searcher)
        n = max(limit + offset, PAIR_DEPTH) if pairs else max(1, limit)
        res = searcher.search(query, limit=n, offset=0 if pairs else offset, count=True, **kw)
        ids, scores = [], []
        for score, addr in res.hits:
            ids.append(searcher.doc(addr).get_first("id"))
            scores.append(float(score) if not kw else 0.0)
        if pairs:
            addrs = [(a.segment_ord, a.doc) for _, a in res.hits]
            ids, scores = self._add_pairs(searcher, pairs, ids, scores, addrs)
            end = offset + max(1, limit)
            ids, scores = ids[offset:end], scores[offset:end]
        return LexicalResult(ids, scores, res.count or 0)

    def _add_pairs(self, searcher, pairs: list, ids: list[str], scores: list[float],
                   addrs: list[tuple[int, int]]) -> tuple[list[str], list[float]]:
        """Add the scores of the word-pair clauses ``pairs`` to the first PAIR_DEPTH hits
        (``addrs``: their document addresses) and re-sort them; the rest keep their order
        below (a pair score is never negative, so no hit of the head falls below them)."""
        n = min(len(ids), PAIR_DEPTH)
        query = self.pair_query(pairs, ids[:n], searcher)
        if query is None:
            return ids, scores
        row = {a: i for i, a in enumerate(addrs[:n])}
        total = list(scores[:n])
        for score, addr in searcher.search(query, limit=n, count=False).hits:
            i = row.get((addr.segment_ord, addr.doc))
            if i is not None:
                total[i] += float(score)
        order = sorted(range(n), key=lambda i: (-total[i], i))
        return [ids[i] for i in order] + ids[n:], [total[i] for i in order] + scores[n:]

    def filter_keys(self, q: ParsedQuery, keys: list[int]) -> set[str]:
        """Which of these candidate papers (by key) pass the query's filters; ids returned."""
        index = self.index()
        if index is None or not keys:
            return set()
        clauses = self.filter_clauses(q, keys) + self._exclusions(q)
        searcher = index.searcher()
        res = searcher.search(tantivy.Query.boolean_query(clauses), limit=len(keys), count=False)
        return {searcher.doc(addr).get_first("id") for _, addr in res.hits}

    def filtered_ids(self, q: ParsedQuery, cap: int) -> list[str] | None:
        """All ids passing the filters when there are at most ``cap`` of them, else None."""
        index = self.index()
        if index is None:
            return []
        clauses = self.filter_clauses(q) + self._exclusions(q)
        clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        searcher = index.searcher()
        query = tantivy.Query.boolean_query(clauses)
        if (searcher.search(query, limit=1, count=True).count or 0) > cap:
            return None  # counting is cheap; collecting a broad filter's documents is not
        res = searcher.search(query, limit=cap, count=False)
        return [searcher.doc(addr).get_first("id") for _, addr in res.hits]

    def ids_for_dois(self, dois: list[str]) -> dict[str, str]:
        """{lower-cased DOI: paper id} for the DOIs that some indexed paper carries."""
        index = self.index()
        if index is None or not dois:
            return {}
        searcher, out = index.searcher(), {}
        for doi in dois[:20]:
            res = searcher.search(tantivy.Query.term_query(self.schema, "doi", doi), limit=1)
            if res.hits:
                out[doi] = searcher.doc(res.hits[0][1]).get_first("id")
        return out

    def num_docs(self) -> int:
        index = self.index()
        return index.searcher().num_docs if index is not None else 0

"""Full-text index: BM25 in tantivy over one combined field (title + abstract: term
frequencies summed before saturation, one length normalisation, so a record with only a
title is not outranked for lacking an abstract), plus a title boost and author names;
kept beside the database and rebuildable from it.

Crash safety: documents are fetched in change-counter (``seq``) order; the watermark file
is rewritten (atomically) only after a tantivy commit, and every re-added paper first
deletes its old document, so replaying after a crash is idempotent. A rebuild writes a
fresh index in a temporary directory and swaps it in with a rename.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
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

from paperradar.models import Paper
from paperradar.search.query import ParsedQuery
from paperradar.search.spelling import paper_words, save_vocabulary

VOCAB_FILE = "vocab.json"

SCHEMA_VERSION = 2  # 2: the combined "text" field, DOIs
COMMIT_EVERY = 50_000
WRITER_HEAP = 256 * 1024 * 1024
WRITER_THREADS = 2  # measured: 8k docs/s with 1, 12k with 2 on this 2-core machine
TEXT_ANALYZER = "pr_en"
NAME_ANALYZER = "pr_names"
WORD_CACHE = 200_000  # analysed words kept for snippets (~30 MB at most)
DEFAULT_WEIGHTS = {"text": 1.0, "title": 0.6, "authors": 0.5}  # tuned on Cranfield only (dev grid)
# The title boost fades for long descriptive queries: weight * min(1, (REF / n) ** DECAY) for n
# distinct query terms. A long question matches a few title words of many papers; summed on
# top of the body it outranked the paper whose abstract matched (HF known-item set). Chosen
# by leave-one-set-out cross-validation over the three dev sets (bench/eval_search.py).
TITLE_REF_TERMS = 12
TITLE_DECAY = 1.5
PHRASE_FIRST = 1e4  # added to exact-phrase matches when a phrase is optional: they rank first
TEXT_FIELDS = ("text", "title")  # what words and phrases are matched against


def paper_key(paper_id: str) -> int:
    """Stable 63-bit integer key of a paper (shared by the lexical and vector indexes)."""
    return int.from_bytes(hashlib.blake2b(paper_id.encode(), digest_size=8).digest(), "big") >> 1


def day_number(date: str | None) -> int:
    """``2024-05-03...`` -> 20240503 (0 when unknown)."""
    if not date or len(date) < 10:
        return 0
    try:
        return int(date[:4] + date[5:7] + date[8:10])
    except ValueError:
        return 0


def text_analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold()).filter(tantivy.Filter.stopword("english"))
            .filter(tantivy.Filter.stemmer("english")).build())


def name_analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold()).build())


def build_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    b.add_integer_field("key", stored=False, indexed=True, fast=True)
    b.add_text_field("title", tokenizer_name=TEXT_ANALYZER)
    b.add_text_field("text", tokenizer_name=TEXT_ANALYZER)
    b.add_text_field("authors", tokenizer_name=NAME_ANALYZER)
    b.add_text_field("cats", tokenizer_name="raw", index_option="basic")
    b.add_text_field("doi", tokenizer_name="raw", index_option="basic")
    b.add_integer_field("day", indexed=True, fast=True)
    b.add_integer_field("has_code", indexed=True)
    return b.build()


def paper_document(p: Paper) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("id", p.id)
    doc.add_integer("key", paper_key(p.id))
    doc.add_text("title", p.title or "")
    doc.add_text("text", f"{p.title or ''}\n{p.abstract or ''}")
    for a in p.authors:
        doc.add_text("authors", a.name)
    cats = set()
    for c in p.categories or ([p.primary_category] if p.primary_category else []):
        c = c.lower()
        cats.add(c)
        cats.add(c.split(".")[0])
    for c in sorted(cats):
        doc.add_text("cats", c)
    if p.doi:
        doc.add_text("doi", p.doi.strip().lower())
    doc.add_integer("day", day_number(p.published))
    doc.add_integer("has_code", int(p.has_code))
    return doc


@dataclass(slots=True)
class LexicalResult:
    ids: list[str]
    scores: list[float]
    total: int


class LexicalIndex:
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
        index = self._open_at(path)
        if after == 0 and not (path / "paperradar.json").exists():
            self._write_meta(path, 0)
        fresh = index.searcher().num_docs == 0
        writer = index.writer(WRITER_HEAP, WRITER_THREADS)
        n = pending = 0
        last = after
        words: Counter = Counter()  # title words, for spelling suggestions
        try:
            for seq, paper in store.iter_changed_papers(after, batch=2000):
                if not fresh:
                    writer.delete_documents_by_term("id", paper.id)
                writer.add_document(paper_document(paper))
                words.update(paper_words(paper.title or "", ""))
                n += 1
                pending += 1
                last = seq
                if pending >= COMMIT_EVERY:
                    writer.commit()
                    save_vocabulary(path / VOCAB_FILE, words)
                    words.clear()
                    self._write_meta(path, last)
                    if progress:
                        progress(pending)
                    pending = 0
            if pending or last != after:
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

    def query_weights(self, n_terms: int) -> dict[str, float]:
        """Field weights for a query of ``n_terms`` distinct analysed terms (the title boost
        fades for long queries, see TITLE_REF_TERMS)."""
        w = dict(self.weights)
        ref = w.pop("title_ref", TITLE_REF_TERMS)
        decay = w.pop("title_decay", TITLE_DECAY)
        if n_terms > ref and decay:
            w["title"] = w.get("title", 0.0) * (ref / n_terms) ** decay
        return w

    def _text_query(self, q: ParsedQuery) -> tantivy.Query | None:
        S, M = tantivy.Occur.Should, tantivy.Occur.Must
        clauses = []
        words = q.words + (q.phrases if q.phrases_optional else [])
        tokens = list(dict.fromkeys(t for w in words for t in self.analyze(w)))
        weights = self.query_weights(len(tokens))
        for tok in tokens:
            for fname in TEXT_FIELDS:
                if weights.get(fname):
                    clauses.append((S, tantivy.Query.boost_query(
                        tantivy.Query.term_query(self.schema, fname, tok), weights[fname])))
        for name_tok in dict.fromkeys(t for w in words for t in self._names.analyze(w)):
            clauses.append((S, tantivy.Query.boost_query(
                tantivy.Query.term_query(self.schema, "authors", name_tok), weights["authors"])))
        for phrase in q.phrases:
            pq = self._phrase(phrase, TEXT_FIELDS, self._analyzer, weights)
            if pq is not None:
                clauses.append((S, tantivy.Query.const_score_query(pq, PHRASE_FIRST))
                               if q.phrases_optional else (M, pq))
        if not clauses:
            return None
        return tantivy.Query.boolean_query(clauses)

    def _phrase(self, text: str, fields: tuple[str, ...], analyzer,
                weights: dict[str, float] | None = None) -> tantivy.Query | None:
        words = [(i, toks[0]) for i, w in enumerate(text.split())
                 if (toks := analyzer.analyze(w))]
        if not words:
            return None
        per_field = []
        for f in fields:
            if len(words) == 1:
                sub = tantivy.Query.term_query(self.schema, f, words[0][1])
            else:
                base = words[0][0]
                sub = tantivy.Query.phrase_query(self.schema, f, [(i - base, t) for i, t in words])
            per_field.append((tantivy.Occur.Should,
                              tantivy.Query.boost_query(sub, (weights or self.weights).get(f, 1.0))))
        return tantivy.Query.boolean_query(per_field)

    def filter_clauses(self, q: ParsedQuery, keys: list[int] | None = None) -> list:
        """Filters as non-scoring Must clauses (also used to filter vector candidates)."""
        M, S = tantivy.Occur.Must, tantivy.Occur.Should
        out = []
        if q.categories:
            terms = [(S, tantivy.Query.term_query(self.schema, "cats", c.lower()))
                     for c in q.categories]
            out.append(tantivy.Query.boolean_query(terms))
        for author in q.authors:
            pq = self._phrase(author, ("authors",), self._names)
            out.append(pq if pq is not None else tantivy.Query.empty_query())
        if q.date_from or q.date_to:
            lo = day_number(q.date_from) if q.date_from else None
            hi = day_number(q.date_to) if q.date_to else None
            if lo is not None and hi is not None and lo > hi:
                out.append(tantivy.Query.empty_query())
            else:
                out.append(tantivy.Query.range_query(self.schema, "day", tantivy.FieldType.Integer,
                                                     lo if lo is not None else 1, hi))
        if q.has_code is not None:
            out.append(tantivy.Query.term_query(self.schema, "has_code", int(q.has_code)))
        if keys is not None:
            out.append(tantivy.Query.term_set_query(self.schema, "key", keys))
        return [(M, tantivy.Query.const_score_query(x, 0.0)) for x in out]

    def _exclusions(self, q: ParsedQuery) -> list:
        out = []
        for w in q.excluded:
            for tok in self.analyze(w):
                for f in ("text",):
                    out.append((tantivy.Occur.MustNot, tantivy.Query.term_query(self.schema, f, tok)))
        return out

    def search(self, q: ParsedQuery, limit: int, offset: int = 0,
               order_by_date: bool = False) -> LexicalResult:
        index = self.index()
        if index is None:
            return LexicalResult([], [], 0)
        text = self._text_query(q)
        clauses = self.filter_clauses(q) + self._exclusions(q)
        if text is not None:
            clauses.append((tantivy.Occur.Must, text))
        elif not clauses:
            return LexicalResult([], [], 0)
        else:
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        query = tantivy.Query.boolean_query(clauses)
        searcher = index.searcher()
        kw = {"order_by_field": "day"} if order_by_date or text is None else {}
        res = searcher.search(query, limit=max(1, limit), offset=offset, count=True, **kw)
        ids, scores = [], []
        for score, addr in res.hits:
            ids.append(searcher.doc(addr).get_first("id"))
            scores.append(float(score) if not kw else 0.0)
        return LexicalResult(ids, scores, res.count or 0)

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

"""The enrichment step of ``paperradar index``: walk papers changed since the checkpoint,
(re)compute keyphrases and summaries of those whose text hash changed (a new version
with a new abstract), and write them with the author rows, checkpoint included, in one
transaction per batch (resumable, idempotent)."""

from __future__ import annotations

import hashlib
from typing import Callable

from paperradar.enrich.keyphrases import extract
from paperradar.enrich.text import author_key, shipped_idf, topic_key
from paperradar.models import Paper
from paperradar.store.base.enrich import Enrichment
from paperradar.store.feed import changed_batches, start_seq

CHECKPOINT = "enrich:seq"
VERSION = "1"  # bump when extraction changes: every paper is then recomputed
Progress = Callable[[str, int, int | None], None]


def enrich_hash(p: Paper) -> str:
    names = "\x1f".join(a.name for a in p.authors)
    text = f"{VERSION}\n{p.title}\n{p.abstract}\n{names}\n{p.published}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def enrich_paper(p: Paper) -> Enrichment:
    from paperradar.enrich.summary import extract_summary

    phrases = extract(p.title, p.abstract, idf=shipped_idf())
    seen: set[str] = set()
    authors = []
    for a in p.authors:
        key = author_key(a.name)
        if key and key not in seen:
            seen.add(key)
            authors.append((key, " ".join(a.name.split())))
    return Enrichment(p.id, enrich_hash(p), phrases, extract_summary(p.title, p.abstract),
                      [topic_key(k) for k in phrases], authors, p.published)


def enrich_new(store, *, batch_size: int = 500, progress: Progress | None = None) -> dict:
    after = start_seq(store, CHECKPOINT)
    total = max(0, store.max_seq() - after)
    done = unchanged = 0
    for last_seq, batch in changed_batches(store, after, batch_size, flush_moved=True):
        stored = store.enrichment_hashes([p.id for p in batch])
        rows = [enrich_paper(p) for p in batch if stored.get(p.id) != enrich_hash(p)]
        store.put_enrichments(rows, checkpoint=(CHECKPOINT, str(last_seq)))
        done += len(rows)
        unchanged += len(batch) - len(rows)
        if progress:
            progress("enrich", len(batch), total)
    return {"enriched": done, "enrich_unchanged": unchanged}

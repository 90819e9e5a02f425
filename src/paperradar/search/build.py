"""Index building: sync the full-text index, embed new or changed papers (batched,
incremental, resumable: the embedding checkpoint is written in the same transaction as
the embeddings), then extend the vector index."""

from __future__ import annotations

import time
from typing import Callable

from paperradar.search.embed import paper_text, text_hash
from paperradar.search.lexical import paper_key
from paperradar.search.vectors import encode
from paperradar.store.base.search import StoredEmbedding
from paperradar.store.feed import changed_batches, start_seq

Progress = Callable[[str, int, int | None], None]  # (stage, advance, total)


def embed_checkpoint_key(model: str) -> str:
    return f"search:embed:{model}"


def embed_new(store, embedder, *, max_tokens: int, batch_size: int = 256,
              progress: Progress | None = None) -> dict:
    """Embed papers changed since the checkpoint whose text hash differs from the stored one."""
    key = embed_checkpoint_key(embedder.name)
    after = start_seq(store, key)
    total = max(0, store.max_seq() - after)
    embedded = skipped = 0
    for last_seq, batch in changed_batches(store, after, batch_size):
        texts = {p.id: paper_text(p) for p in batch}
        hashes = {pid: text_hash(t, max_tokens) for pid, t in texts.items()}
        stored = store.embedding_hashes(embedder.name, list(texts))
        todo = [pid for pid in texts if stored.get(pid) != hashes[pid]]
        rows = []
        if todo:
            vecs = embedder.embed([texts[pid] for pid in todo])
            rows = [StoredEmbedding(pid, paper_key(pid), hashes[pid], int(v.shape[0]), "f16",
                                    encode(v, "f16")) for pid, v in zip(todo, vecs)]
        store.put_embeddings(embedder.name, rows, checkpoint=(key, str(last_seq)))
        embedded += len(todo)
        skipped += len(batch) - len(todo)
        if progress:
            progress("embed", len(batch), total)
    return {"embedded": embedded, "embed_unchanged": skipped}


def build_indexes(searcher, *, progress: Progress | None = None, embed: bool = True,
                  rebuild: bool = False) -> dict:
    store = searcher.store
    out: dict = {}
    t0 = time.perf_counter()
    total = store.max_seq()
    lex_progress = (lambda n: progress("lexical", n, total)) if progress else None
    if rebuild:
        out["lexical_indexed"] = searcher.lexical.rebuild(store, lex_progress)
    else:
        out["lexical_indexed"] = searcher.sync_lexical(lex_progress)
    out["lexical_seconds"] = round(time.perf_counter() - t0, 3)
    pending = store.max_seq() != int(store.get_checkpoint(
        embed_checkpoint_key(searcher.model_name())) or 0)
    if embed and not pending:  # nothing new: do not pay for loading the model
        out.update(embedded=0, embed_unchanged=0, embed_seconds=0.0)
    elif embed:
        t1 = time.perf_counter()
        embedder = searcher.embedder()
        out.update(embed_new(store, embedder, max_tokens=searcher.settings.embed_max_tokens,
                             batch_size=max(64, searcher.settings.embed_batch_size * 4),
                             progress=progress))
        out["embed_seconds"] = round(time.perf_counter() - t1, 3)
    model = searcher.model_name()
    t2 = time.perf_counter()
    vec_progress = (lambda n: progress("vectors", n, None)) if progress else None
    out.update(searcher.vectors().sync(model, rebuild=rebuild, progress=vec_progress))
    out["vector_seconds"] = round(time.perf_counter() - t2, 3)
    out["model"] = model
    return out

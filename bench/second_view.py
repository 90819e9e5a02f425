"""A second vector view of each paper for the re-ranker, tried by
``eval_recommend_new_signal.py --view NAME`` (bench only, tuning half only).

Views (vectors cached in $PAPERRADAR_BENCH_DIR/rec_view_<name>.npz, rows unit length):
  title    MiniLM over the title alone (the shipped vectors embed title + abstract, and MiniLM
           reads only the first 256 word pieces of that)
  tail     MiniLM over the abstract's second half (what the shipped vectors may cut off)
  mpnet    all-mpnet-base-v2 over title + abstract (a larger model of the same family; a
           directory given by $PAPERRADAR_MPNET_DIR)
  char     not vectors: a TF-IDF of character 3-5-grams within words (sublinear tf, df >= 2,
           <= 50% of the candidates) over title + abstract, the classic authorship-attribution
           representation (a group's phrasing and morphology, no stemming needed)

Per reader and view, three columns, each z-scored over the candidates like the shipped ones:
  <view>_max   highest cosine to a positive
  <view>_top2  mean of the two highest
  <view>_near  highest cosine to one of the fusion's top 10, itself left out (``near_top``)
"""

from __future__ import annotations

import os

import numpy as np

import eval_recommend as E
from paperradar.rank.learned import z
from paperradar.rank.signals import near_top

VIEWS = ("title", "tail", "mpnet")


def view_text(view: str, r: dict) -> str:
    title = " ".join((r["title"] or "").split())
    if view == "title":
        return title
    words = (r.get("abstract") or "").split()
    if view == "tail":
        return " ".join(words[len(words) // 2:]) or title
    return E.text(r)


def _model(view: str):
    if view == "mpnet":
        from sentence_transformers import SentenceTransformer
        import torch
        torch.set_num_threads(2)
        st = SentenceTransformer(os.environ["PAPERRADAR_MPNET_DIR"], device="cpu")
        return lambda texts: st.encode(texts, batch_size=32, normalize_embeddings=True)
    from paperradar.config import Settings
    from paperradar.search.embed import load_embedder
    emb = load_embedder(Settings(embed_threads=2))
    return emb.embed


def need_rows(rows: list[dict], readers, cand: np.ndarray) -> np.ndarray:
    """Row indices of the candidates and of every reader's library papers, sorted."""
    pos = {r["id"]: i for i, r in enumerate(rows)}
    return np.array(sorted(set(cand.tolist()) | {pos[p] for _, lib, _ in readers for p in lib}))


def char_rows(rows: list[dict], need: np.ndarray, cand: np.ndarray):
    """Sparse unit rows of the char view for every row (zero outside ``need``), fitted on
    the candidates."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    tv = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2,
                         max_df=0.5, strip_accents="unicode", dtype=np.float32)
    tv.fit([E.text(rows[i]) for i in cand])
    M = tv.transform([E.text(rows[i]) for i in need]).tocsr()
    P = sp.csr_matrix((np.ones(len(need), np.float32), (need, np.arange(len(need)))),
                      shape=(len(rows), len(need)))
    return (P @ M).tocsr()


def vectors(view: str, rows: list[dict], need: np.ndarray) -> np.ndarray:
    """Unit vectors of ``view`` for rows[need] (rows of zeros elsewhere), cached."""
    cache = E.WORK / f"rec_view_{view}.npz"
    have: dict[str, np.ndarray] = {}
    if cache.exists():
        c = np.load(cache)
        have = dict(zip(c["ids"].tolist(), c["vecs"]))
    todo = [rows[i] for i in need if rows[i]["id"] not in have]
    if todo:
        encode = _model(view)
        for i in range(0, len(todo), 256):
            part = todo[i:i + 256]
            for r, v in zip(part, encode([view_text(view, r) for r in part])):
                have[r["id"]] = np.asarray(v, np.float32)
            print(f"  {view}: {min(i + 256, len(todo))}/{len(todo)}", flush=True)
        ids = sorted(have)
        np.savez(cache, ids=np.array(ids), vecs=np.stack([have[k] for k in ids]))
    dim = len(next(iter(have.values())))
    V = np.stack([have.get(r["id"], np.zeros(dim, np.float32)) for r in rows])
    return V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-12)


def columns(view: str, V: np.ndarray, cand: np.ndarray, lib_rows: list[int],
            fused: np.ndarray) -> dict[str, np.ndarray]:
    C = V[cand]
    S = C @ V[lib_rows].T
    if hasattr(S, "toarray"):  # the char view: sparse rows
        S = S.toarray()
        C = None
    S.sort(axis=1)
    top2 = S[:, -2:].mean(axis=1) if S.shape[1] > 1 else S[:, -1]
    near = (near_top(None, C, fused)["topemb"] if C is not None
            else near_top(V[cand], None, fused)["toplex"])
    return {f"{view}_max": z(S[:, -1]), f"{view}_top2": z(top2), f"{view}_near": near}


if __name__ == "__main__":
    import eval_recommend_cache as CACHE
    import sys
    rows, readers, _, _, cand = CACHE.load_corpus()
    need = need_rows(rows, readers, cand)
    for view in sys.argv[1:] or VIEWS:
        print(view, vectors(view, rows, need).shape, flush=True)

"""A linear adapter on the MiniLM vectors, supervised by co-authorship, for the re-ranker's
``adapt`` view (``eval_recommend_new_signal.py --view adapt``; bench only, tuning half only).

MiniLM's cosine says "about the same topic". A reader's next papers are often closer than
that: the same group, methods, datasets. This learns a 384x384 map W (started at the
identity) so that two papers sharing an author land close: symmetric InfoNCE with in-batch
negatives over pairs of **March** papers that share an author. No April paper (the targets
and candidates of both halves) is ever seen, and the pairs of report-half readers' names are
left out, so neither half's answers reach W. Authors stay withheld from the recommender: W
only reshapes the text vectors. (It models "the same people write this", as SPECTER models
citations.)

The MiniLM vectors are the shipped ones (``eval_recommend.minilm``, its cache extended to
every March paper); the projected unit vectors are cached in
$PAPERRADAR_BENCH_DIR/rec_view_adapt.npz with the settings they were trained with.

Usage: python bench/coauthor_adapter.py [--epochs N] [--temp T]   (trains and reports the
pair retrieval of held-out March authors before and after)
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import eval_recommend as E
import second_view as SV

SETTINGS = dict(epochs=20, temp=0.05, lr=1e-3, decay=1e-3, batch=512, per_author=8, seed=0)


def march_pairs(rows: list[dict], readers, held: set[str], rng,
                per_author: int = SETTINGS["per_author"]) -> tuple[np.ndarray, ...]:
    """(train pairs, validation pairs) of March row indices sharing an author: up to
    ``per_author`` random pairs an author; report-half readers left out, ``held`` authors'
    pairs kept for validation."""
    report = {name for name, _, _ in readers if not E.tune_half(name)}
    by: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        if r["first_listing_date"][5:7] == "03":
            for a in r["authors"]:
                by.setdefault(a, []).append(i)
    train, val = [], []
    for a in sorted(by):
        papers = by[a]
        if len(papers) < 2 or a in report:
            continue
        k = min(per_author, len(papers) * (len(papers) - 1) // 2)
        for _ in range(k):
            x, y = rng.choice(papers, 2, replace=False)
            (val if a in held else train).append((x, y))
    return np.array(train), np.array(val)


def fit(V: np.ndarray, pairs: np.ndarray, **kw) -> np.ndarray:
    """W (dim x dim) minimising symmetric InfoNCE over ``pairs`` of rows of unit ``V``, plus
    ``decay`` * ||W - I||^2."""
    import torch
    s = {**SETTINGS, **kw}
    torch.manual_seed(s["seed"])
    torch.set_num_threads(2)
    X = torch.from_numpy(V.astype(np.float32))
    W = torch.nn.Parameter(torch.eye(V.shape[1]))
    I = torch.eye(V.shape[1])
    opt = torch.optim.Adam([W], lr=s["lr"])
    P = torch.from_numpy(pairs)
    for _ in range(s["epochs"]):
        for b in torch.randperm(len(P)).split(s["batch"]):
            a = torch.nn.functional.normalize(X[P[b, 0]] @ W, dim=1)
            c = torch.nn.functional.normalize(X[P[b, 1]] @ W, dim=1)
            logits = a @ c.T / s["temp"]
            lab = torch.arange(len(b))
            loss = (torch.nn.functional.cross_entropy(logits, lab)
                    + torch.nn.functional.cross_entropy(logits.T, lab)) / 2
            loss = loss + s["decay"] * ((W - I) ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return W.detach().numpy()


def pair_rank(V: np.ndarray, pairs: np.ndarray, pool: np.ndarray) -> float:
    """Mean reciprocal rank of each pair's partner among ``pool`` (March rows), by cosine."""
    U = V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-12)
    S = U[pairs[:, 0]] @ U[pool].T
    own = np.searchsorted(pool, pairs[:, 0])
    S[np.arange(len(pairs)), own] = -2  # the paper itself
    target = (U[pairs[:, 0]] * U[pairs[:, 1]]).sum(axis=1)
    return float(np.mean(1 / (1 + (S > target[:, None]).sum(axis=1))))


def march_rows(rows: list[dict]) -> np.ndarray:
    return np.array([i for i, r in enumerate(rows) if r["first_listing_date"][5:7] == "03"])


def unit_minilm(rows: list[dict], readers, cand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(unit MiniLM rows, zero where not needed; March row indices): the shipped vectors of
    ``eval_recommend.minilm``, its cache extended to every March paper."""
    march = march_rows(rows)
    need = np.union1d(SV.need_rows(rows, readers, cand), march)
    V, _ = E.minilm(rows, {rows[i]["id"] for i in need})
    return V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-12), march


def vectors(rows: list[dict], readers, cand: np.ndarray, **kw) -> np.ndarray:
    """Unit projected vectors (rows of zeros where not needed) of the candidates and libraries;
    W trained on every non-report March author (cached by settings)."""
    s = {**SETTINGS, **kw}
    cache = E.WORK / "rec_view_adapt.npz"
    tag = repr(sorted(s.items()))
    if cache.exists():
        c = np.load(cache)
        if str(c["tag"]) == tag:
            return c["V"]
    V, _ = unit_minilm(rows, readers, cand)
    train, _ = march_pairs(rows, readers, set(), np.random.default_rng(s["seed"]),
                           s["per_author"])
    t = time.perf_counter()
    W = fit(V, train, **kw)
    print(f"  adapter: {len(train)} pairs, fitted in {time.perf_counter() - t:.0f} s",
          flush=True)
    P = V @ W
    P[np.abs(V).sum(axis=1) == 0] = 0
    P /= np.maximum(np.linalg.norm(P, axis=1, keepdims=True), 1e-12)
    P = P.astype(np.float32)
    np.savez(cache, V=P, tag=np.array(tag))
    return P


def main() -> None:
    import eval_recommend_cache as CACHE
    ap = argparse.ArgumentParser()
    for k, v in SETTINGS.items():
        ap.add_argument(f"--{k.replace('_', '-')}", type=type(v), default=v)
    kw = vars(ap.parse_args())
    rows, readers, _, _, cand = CACHE.load_corpus()
    V, march = unit_minilm(rows, readers, cand)
    rng = np.random.default_rng(kw["seed"])
    authors = sorted({a for i in march for a in rows[i]["authors"]})
    held = set(rng.choice(authors, len(authors) // 10, replace=False).tolist())
    train, val = march_pairs(rows, readers, held, rng, kw["per_author"])
    print(f"{len(train)} train pairs, {len(val)} held-out author pairs, "
          f"{len(march)} March papers", flush=True)
    print(f"  MiniLM    held-out pair MRR {pair_rank(V, val, march):.4f}", flush=True)
    t = time.perf_counter()
    W = fit(V, train, **kw)
    print(f"  adapted   held-out pair MRR {pair_rank(V @ W, val, march):.4f} "
          f"(fit {time.perf_counter() - t:.0f} s, |W - I| {np.linalg.norm(W - np.eye(len(W))):.2f})")


if __name__ == "__main__":
    main()

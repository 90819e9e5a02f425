"""Search quality and speed: nDCG@10, Recall@100, MRR@10 and p50 latency of our lexical,
semantic and hybrid search against peers on the same documents and the same MiniLM vectors,
on four dev sets (``bench/eval_sets.py``), imported through the generic JSONL importer:
(1) Cranfield (graded judgments), (2) the same with the abstracts of a random half removed
(title-only records), (3) a known-item task on the real Hugging Face daily papers (query = a
paper's ai_summary, answer = that paper), (4) a known-item task on real 2026 arXiv papers
(query = a sentence cut from the paper's abstract).

Peers, all in the same run: bm25s (stemmed, English stopwords), MiniLM exact cosine, plain RRF
(k=60) of those two, and LanceDB's full-text and hybrid search (``bench/peers.py``; skipped if
lancedb is not installed: ``pip install .[bench]``). Fusion is chosen by leave-one-set-out
cross-validation over the sets, and so is the lexical title weight (one-SE rule; printed with
and without the word pairs, whose weight is fixed, with the lexical list's p50 both ways);
the held-out figures are printed; the table shows the shipped defaults.

Usage: python bench/eval_search.py [--max-tokens 256] [--tune]
Data: $PAPERRADAR_SHARED_DATA or ../shared/data. Work dir (embedding cache):
$PAPERRADAR_BENCH_DIR or /tmp/paperradar-bench.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from eval_sets import (  # noqa: E402,F401  (re-exported for bench/pg_search.py)
    DATA, arxiv_known_item, cranfield, cranfield_title_only, hf_known_item)
from paperradar.blas import one_blas_thread  # noqa: E402
from paperradar.config import Settings  # noqa: E402
from paperradar.search import Searcher  # noqa: E402
from paperradar.search.hybrid import FusionParams, fuse, fused_head, fusion_for, rrf  # noqa: E402
from paperradar.search.lexical import DEFAULT_WEIGHTS  # noqa: E402
from paperradar.search.query import parse_query  # noqa: E402
from paperradar.search.vectors import decode  # noqa: E402
from paperradar.store import open_store  # noqa: E402

WORK = Path(os.environ.get("PAPERRADAR_BENCH_DIR") or "/tmp/paperradar-bench")
DEPTH = 100
WORK_NAMES = {"hf-known-item": "hf", "arxiv-known-item": "arxiv2500"}  # cache directories
LATENCY_QUERIES = 100  # queries per set timed for p50
TITLE_GRID = (0.3, 0.45, 0.6, 0.8, 1.0, 1.3)  # the lexical title weight, cross-validated


# -- metrics -------------------------------------------------------------------------------
def ndcg10(ranked: list[str], gains: dict[str, int]) -> float:
    dcg = sum(gains.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(gains.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall100(ranked: list[str], gains: dict[str, int]) -> float:
    rel = {d for d, g in gains.items() if g > 0}
    return len(rel & set(ranked[:100])) / len(rel) if rel else 0.0


def mrr10(ranked: list[str], gains: dict[str, int]) -> float:
    for i, d in enumerate(ranked[:10]):
        if gains.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def evaluate(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> tuple[float, float, float]:
    qs = [q for q in qrels if any(g > 0 for g in qrels[q].values())]
    n = [ndcg10(runs.get(q, []), qrels[q]) for q in qs]
    r = [recall100(runs.get(q, []), qrels[q]) for q in qs]
    m = [mrr10(runs.get(q, []), qrels[q]) for q in qs]
    return float(np.mean(n)), float(np.mean(r)), float(np.mean(m))


# -- our system ----------------------------------------------------------------------------
def prepare(name: str, docs: list[dict], max_tokens: int, model: str) -> Searcher:
    """Import the docs through the generic JSONL importer, then build every index."""
    from paperradar.ingest.files import import_paths

    tag = "" if model == "all-MiniLM-L6-v2" else "-" + Path(model.split(":")[-1]).name
    settings = Settings(data_dir=WORK / f"{name}-{max_tokens}{tag}", env="test", embed_model=model,
                        embed_max_tokens=max_tokens, embed_threads=int(os.environ.get(
                            "PAPERRADAR_EMBED_THREADS", "1")))
    store = open_store(settings.resolved_database_url)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for d in docs:
                fh.write(json.dumps(d, ensure_ascii=False) + "\n")
        report = import_paths(store, [path], source=name)
        assert not report.errors, report.errors[:3]
    searcher = Searcher(settings, store)
    t = time.perf_counter()
    out = searcher.build()
    print(f"[{name}] {out}  ({time.perf_counter() - t:.1f} s)", file=sys.stderr)
    return searcher


def local(pid: str) -> str:
    return pid.split(":", 1)[1] if ":" in pid and not pid[0].isdigit() else pid


def our_lists(s: Searcher, queries: dict[str, str]) -> dict[str, tuple[list, list]]:
    """Our lexical and semantic lists, as the shipped ranking sees them (phrase fallback
    included)."""
    from paperradar.search.ranking import relax_phrases

    out = {}
    for qid, text in queries.items():
        parsed = relax_phrases(s, parse_query(text), [])
        lex = s.lexical.search(parsed, DEPTH)
        sem, _ = s._semantic(parsed, DEPTH)
        out[qid] = ([(local(i), sc) for i, sc in zip(lex.ids, lex.scores)],
                    [(local(i), sc) for i, sc in sem or []])
    return out


def reference_lists(s: Searcher, docs: list[dict], queries: dict[str, str]):
    """bm25s and exact MiniLM cosine lists, LanceDB's lists on the same vectors, and the
    p50 latency of each peer (query embedding inside the timing)."""
    from peers import BM25s, Lance, p50_ms

    texts = [f"{d['title']} {d['abstract']}" for d in docs]
    ids = [d["id"] for d in docs]
    bm = BM25s(ids, texts)
    qids = list(queries)
    bm_lists = bm.many([queries[q] for q in qids])
    model = s.model_name()
    emb = {local(e.paper_id): decode(e) for e in s.store.iter_embeddings(model)}
    mat = np.vstack([emb[i] for i in ids])
    qv = s.embedder().embed([queries[q] for q in qids])
    out, lance, lat = {}, {}, {}
    for n, q in enumerate(qids):
        sims = mat @ qv[n]
        top = np.argsort(-sims)[:DEPTH]
        out[q] = (bm_lists[n], [(ids[j], float(sims[j])) for j in top])
    sample = [queries[q] for q in qids[:LATENCY_QUERIES]]
    lat["ref BM25 (bm25s, stemmed)"] = p50_ms(bm.one, sample)
    if Lance.available():
        lt = Lance(ids, texts, mat)
        for n, q in enumerate(qids):
            lance[q] = (lt.fts(queries[q]), lt.hybrid(queries[q], qv[n]))
        embed = s.query_embedder().embed
        lat["LanceDB full text"] = p50_ms(lt.fts, sample)
        lat["LanceDB hybrid (RRF k=60)"] = p50_ms(lambda t: lt.hybrid(t, embed([t])[0]), sample)
    return out, lance, lat


def our_latency(s: Searcher, queries: dict[str, str]) -> dict[str, float]:
    """p50 of the real search path per mode (a page of 10 with snippets; the query
    embedding cache is cleared so the embedding is inside the timing)."""
    from peers import p50_ms

    sample = list(queries.values())[:LATENCY_QUERIES]
    out = {}
    for mode, name in (("lexical", "ours lexical"), ("semantic", "ours semantic"),
                       ("hybrid", "ours hybrid (shipped)")):
        def run(t, mode=mode):
            s.clear_query_cache()
            s.search(t, mode=mode, limit=10)
        run(sample[0])
        out[name] = p50_ms(run, sample)
    return out


def bm25_check(docs: list[dict], queries: dict[str, str]) -> dict[str, list[str]]:
    """Plain BM25 by our engine: paperradar's analyzer and tantivy's scorer over one field
    (title + abstract), as bm25s sees the documents. It checks that our BM25 is a correct
    BM25; the shipped lexical search adds per-field scoring and weights on top."""
    import tantivy

    from paperradar.search.lexical import TEXT_ANALYZER, text_analyzer

    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    b.add_text_field("text", tokenizer_name=TEXT_ANALYZER)
    schema = b.build()
    with tempfile.TemporaryDirectory() as tmp:
        index = tantivy.Index(schema, path=tmp)
        index.register_tokenizer(TEXT_ANALYZER, text_analyzer())
        writer = index.writer()
        for d in docs:
            writer.add_document(tantivy.Document(id=d["id"], text=f"{d['title']} {d['abstract']}"))
        writer.commit()
        index.reload()
        searcher, analyzer = index.searcher(), text_analyzer()
        runs = {}
        for qid, text in queries.items():
            terms = [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "text", t))
                     for t in analyzer.analyze(text)]
            hits = searcher.search(tantivy.Query.boolean_query(terms), DEPTH).hits if terms else []
            runs[qid] = [searcher.doc(a)["id"][0] for _, a in hits]
        return runs


# -- fusion tuning -------------------------------------------------------------------------
def grid() -> list[FusionParams]:
    out = [FusionParams("rrf", k=k, w_lexical=1.0, w_semantic=w)
           for k in (2, 5, 10, 20, 30, 60, 100) for w in (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)]
    out += [FusionParams("convex", alpha=a / 20) for a in range(1, 20)]
    return out


def fused_runs(lists: dict[str, tuple[list, list]], p: FusionParams) -> dict[str, list[str]]:
    return {q: [d for d, _ in fuse(lex, sem, p)] for q, (lex, sem) in lists.items()}


def label(p: FusionParams) -> str:
    if p.method == "rrf":
        return f"RRF k={p.k:g} w_sem={p.w_semantic:g}"
    return f"convex alpha={p.alpha:g}"


def shipped(lists: dict, p: FusionParams, cut: bool = True) -> dict[str, list[str]]:
    """The shipped hybrid head (fusion, then the similarity cut-off of semantic-only hits)."""
    from paperradar.search.ranking import KEEP_TOP, SEMANTIC_MIN

    return {q: [d for d, _ in fused_head(lex, sem, p, min_similarity=SEMANTIC_MIN if cut else None,
                                         keep=KEEP_TOP)]
            for q, (lex, sem) in lists.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--tune", action="store_true", help="print the fusion grid")
    ap.add_argument("--model", default="all-MiniLM-L6-v2",
                    help="embedding model (e.g. static:/tmp/paperradar-bench/static-minilm)")
    args = ap.parse_args()
    one_blas_thread()  # as the web app: query-time products on one BLAS thread
    sets = {"cranfield": cranfield(), "cranfield-title-only": cranfield_title_only(),
            "hf-known-item": hf_known_item(), "arxiv-known-item": arxiv_known_item()}
    DEFAULT_FUSION = fusion_for(Settings(env="test", embed_model=args.model,
                                         embed_max_tokens=args.max_tokens))
    lists, refs, lance, qrels, lat, searchers = {}, {}, {}, {}, {}, {}
    for name, (docs, queries, qr) in sets.items():
        s = searchers[name] = prepare(WORK_NAMES.get(name, name), docs, args.max_tokens, args.model)
        lists[name] = our_lists(s, queries)
        refs[name], lance[name], peer_lat = reference_lists(s, docs, queries)
        lat[name] = dict(our_latency(s, queries), **peer_lat)
        qrels[name] = qr
        first = next(iter(queries))
        hyb = s.search(queries[first], limit=10).hits  # the real hybrid path
        assert [local(h.id) for h in hyb] == shipped({first: lists[name][first]},
                                                     DEFAULT_FUSION)[first][:10]
    scores = {p: {n: evaluate(fused_runs(lists[n], p), qrels[n]) for n in sets} for p in grid()}
    best = max(scores, key=lambda p: sum(scores[p][n][0] for n in sets))
    if args.tune:
        print("\nfusion grid (nDCG@10 per set), best 15 by the mean:")
        for p in sorted(scores, key=lambda p: -sum(scores[p][n][0] for n in sets))[:15]:
            print(f"  {label(p):28s} " + "  ".join(f"{n} {scores[p][n][0]:.4f}" for n in sets))
    print(f"\n## {args.model}, max tokens {args.max_tokens}; shipped fusion: {label(DEFAULT_FUSION)}; "
          f"grid best (in-sample, for reference): {label(best)}\n")
    print("| run | " + " | ".join(f"{n} nDCG@10 | R@100 | MRR@10 | p50 ms" for n in sets) + " |")
    print("|---|" + "---|---|---|---|" * len(sets))
    first = lambda pairs: [d for d, _ in pairs]  # noqa: E731
    rows = {
        "ours lexical": {n: {q: first(l[0]) for q, l in lists[n].items()} for n in sets},
        "ours semantic": {n: {q: first(l[1]) for q, l in lists[n].items()} for n in sets},
        "ours hybrid (shipped)": {n: shipped(lists[n], DEFAULT_FUSION) for n in sets},
        "ours hybrid, no similarity cut-off": {n: shipped(lists[n], DEFAULT_FUSION, cut=False) for n in sets},
        "ref BM25 (bm25s, stemmed)": {n: {q: first(l[0]) for q, l in refs[n].items()} for n in sets},
        f"ref {args.model} exact cosine": {n: {q: first(l[1]) for q, l in refs[n].items()} for n in sets},
        "ref RRF k=60 (bm25s + MiniLM)": {n: {q: sorted((r := rrf(first(l[0]), first(l[1]), k=60)), key=lambda d: (-r[d], d)) for q, l in refs[n].items()} for n in sets},
    }
    if all(lance.values()):
        rows["LanceDB full text"] = {n: {q: l[0] for q, l in lance[n].items()} for n in sets}
        rows["LanceDB hybrid (RRF k=60)"] = {n: {q: l[1] for q, l in lance[n].items()} for n in sets}
    rows["check: plain BM25, our analyzer + tantivy, one field"] = {
        n: bm25_check(sets[n][0], sets[n][1]) for n in sets}
    for name, per_set in rows.items():
        cells = []
        for n in sets:
            nd, rc, mr = evaluate(per_set[n], qrels[n])
            ms = lat[n].get(name)
            cells.append(f"{nd:.4f} | {rc:.4f} | {mr:.4f} | {'' if ms is None else f'{ms:.1f}'}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    for n in sets:
        ours = evaluate(rows["ours lexical"][n], qrels[n])[0]
        ref = evaluate(rows["ref BM25 (bm25s, stemmed)"][n], qrels[n])[0]
        print(f"{n}: lexical nDCG@10 against bm25s {100 * (ours / ref - 1):+.1f}%")
    held_out(lists, qrels, scores, DEFAULT_FUSION)
    lexical_cv(searchers, {n: sets[n][1] for n in sets}, qrels,
               {n: evaluate(rows["ref BM25 (bm25s, stemmed)"][n], qrels[n])[0] for n in sets}, lat)
    counts(lists)


def held_out(lists: dict, qrels: dict, scores: dict, default: FusionParams) -> None:
    """Leave-one-set-out cross-validation of the fusion choice: for each set, the grid's
    best on the *other* sets (mean nDCG@10), scored on this one."""
    print("\nfusion chosen by leave-one-set-out cross-validation (held-out nDCG@10):")
    names = list(lists)
    for n in names:
        others = [m for m in names if m != n]
        pick = max(scores, key=lambda p: sum(scores[p][m][0] for m in others))
        print(f"  {n}: {scores[pick][n][0]:.4f} with {label(pick)} (chosen on {', '.join(others)}); "
              f"shipped {label(default)}: {scores[default][n][0]:.4f}")
    pick = max(scores, key=lambda p: sum(scores[p][m][0] for m in names))
    print(f"  chosen on all sets (what to ship): {label(pick)}")


def per_query(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> np.ndarray:
    """nDCG@10 of each judged query (the order of ``qrels``)."""
    qs = [q for q in qrels if any(g > 0 for g in qrels[q].values())]
    return np.array([ndcg10(runs.get(q, []), qrels[q]) for q in qs])


def one_se_pick(per: dict[float, dict[str, np.ndarray]], among: list[str]) -> float:
    """The one-standard-error rule (Breiman et al.): the smallest title weight whose mean
    nDCG@10 over ``among`` is within one paired standard error of the best weight's. The
    smallest is the one closest to plain BM25 over the whole paper; a larger weight must
    earn its place by more than noise on the sets it is chosen on."""
    mean = {w: float(np.mean([per[w][m].mean() for m in among])) for w in per}
    best = max(mean, key=mean.get)

    def se(w: float) -> float:
        return math.sqrt(sum(np.var(per[w][m] - per[best][m], ddof=1) / len(per[w][m])
                             for m in among)) / len(among)
    return min(w for w in per if mean[w] >= mean[best] - se(w))


def title_grid(searchers: dict, queries: dict, qrels: dict, **fixed) -> dict:
    """Per-query nDCG@10 of the lexical search for each title weight of TITLE_GRID (the
    other settings as shipped, or as ``fixed``), and the p50 ms per query of the shipped
    weight (lexical list only, depth 100)."""
    from paperradar.search.ranking import relax_phrases

    per, ms = {}, {}
    for n, s in searchers.items():
        lx, saved = s.lexical, s.lexical.weights
        parsed = {q: relax_phrases(s, parse_query(t), []) for q, t in queries[n].items()}
        for w in TITLE_GRID:
            lx.weights = dict(saved, title=w, **fixed)
            times, runs = [], {}
            for q, pq in parsed.items():
                t = time.perf_counter()
                runs[q] = [local(i) for i in lx.search(pq, DEPTH).ids]
                times.append(time.perf_counter() - t)
            per.setdefault(w, {})[n] = per_query(runs, qrels[n])
            if w == saved["title"]:
                ms[n] = 1000 * float(np.median(times))
        lx.weights = saved
    return {"per": per, "ms": ms}


def lexical_cv(searchers: dict, queries: dict, qrels: dict, bm25s: dict, lat: dict) -> None:
    """Leave-one-set-out cross-validation of the lexical title weight (the one free setting
    of the lexical scoring): for each set, the weight picked by the one-SE rule on the
    *other* sets, scored on this one, beside bm25s and the p50 latency of both; then the
    same without the word-pair (proximity) clauses, whose weight is fixed, not tuned."""
    for title, fixed in (("", {}), (" without word pairs", {"ordered": 0.0})):
        g = title_grid(searchers, queries, qrels, **fixed)
        per, names = g["per"], list(searchers)
        print(f"\nlexical title weight{title} by leave-one-set-out cross-validation, one-SE "
              "rule (held-out nDCG@10 against bm25s; p50 ms ours / bm25s, page path):")
        for n in names:
            others = [m for m in names if m != n]
            w = one_se_pick(per, others)
            ours = per[w][n].mean()
            print(f"  {n} held out: {ours:.4f} with title {w:g} (chosen on {', '.join(others)}); "
                  f"bm25s {bm25s[n]:.4f} ({100 * (ours / bm25s[n] - 1):+.1f}%); p50 "
                  f"{lat[n]['ours lexical']:.1f} / {lat[n]['ref BM25 (bm25s, stemmed)']:.1f} ms")
        w = one_se_pick(per, names)
        print(f"  chosen on all sets (what to ship): title {w:g}; shipped: title "
              f"{DEFAULT_WEIGHTS['title']:g}")
        print("  grid: " + "; ".join(f"title {w:g}: " + ", ".join(
            f"{per[w][n].mean():.4f}" for n in names) for w in per))
        print("  lexical list alone (depth 100), p50 ms per set: " + ", ".join(
            f"{n} {g['ms'][n]:.2f}" for n in names))


def counts(lists: dict) -> None:
    """How many results the shipped hybrid head reports per query (before the lexical tail),
    with and without the similarity cut-off of semantic-only hits."""
    from paperradar.search.ranking import KEEP_TOP, SEMANTIC_MIN

    print(f"\nsemantic-only hits kept per query (cut-off {SEMANTIC_MIN}, first {KEEP_TOP} always kept):")
    for n, per in lists.items():
        kept, all_ = [], []
        for lex, sem in per.values():
            lexical = {d for d, _ in lex}
            only = [sc for d, sc in sem if d not in lexical]
            all_.append(len(only))
            kept.append(sum(1 for sc in only if sc >= SEMANTIC_MIN))
        print(f"  {n}: median {np.median(kept):.0f} kept of {np.median(all_):.0f}")


if __name__ == "__main__":
    main()

"""Keyphrase quality against Hugging Face's own ``ai_keywords``, with YAKE and KeyBERT (MMR)
as same-run baselines, and time per paper.

Papers: the unique papers of ``hf_daily_papers`` that have ``ai_keywords``. Only title and
abstract are imported (into a fresh SQLite store, through ``upsert_records``), keyphrases are
computed by the real indexing step (``paperradar.enrich.build.enrich_new``) and read back.
Split by featured date: papers first featured before ``--split`` are the tuning set (the
weights in ``enrich/keyphrases.py`` were chosen on it), the rest is the report set.
Score: F1 of the top 10 against HF's list after normalising case, punctuation and plurals
(``enrich.text.norm_phrase``), averaged over papers. Time: extraction alone, one process,
median and mean ms per paper (``--threads`` caps BLAS/torch threads, default 1).

Usage: python bench/eval_keywords.py [--split 2025-05-01] [--set tune|report|both]
       [--no-keybert] [--keybert-limit 60] [--limit N]
Needs yake and keybert installed in the venv (bench only; not runtime dependencies).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _data_dir() -> Path:
    env = os.environ.get("PAPERRADAR_SHARED_DATA")
    for cand in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "data",
                                                  Path("/work/shared/data")]:
        if (cand / "hf_daily_papers").is_dir():
            return cand
    raise SystemExit("hf_daily_papers not found; set PAPERRADAR_SHARED_DATA")


def load_hf(field: str) -> list[dict]:
    """Unique papers having ``field`` (first featured date kept), sorted by date then id."""
    seen: dict[str, dict] = {}
    for path in sorted(glob.glob(str(_data_dir() / "hf_daily_papers" / "*.json"))):
        day = Path(path).stem
        for item in json.load(open(path, encoding="utf-8")):
            p = item.get("paper") or {}
            if p.get("id") and p.get(field) and p["id"] not in seen:
                seen[p["id"]] = {"id": p["id"], "date": day, "title": p.get("title") or "",
                                 "abstract": p.get("summary") or "", field: p[field]}
    return sorted(seen.values(), key=lambda r: (r["date"], r["id"]))


def split(rows: list[dict], date: str) -> tuple[list[dict], list[dict]]:
    return [r for r in rows if r["date"] < date], [r for r in rows if r["date"] >= date]


def f1(pred: list[str], gold: list[str]) -> float:
    from paperradar.enrich.text import norm_phrase

    p = {norm_phrase(x) for x in pred[:10]} - {""}
    g = {norm_phrase(x) for x in gold} - {""}
    hit = len(p & g)
    return 2 * hit / (len(p) + len(g)) if p and g else 0.0


def timed(fn, rows: list[dict]) -> tuple[list[list[str]], list[float]]:
    out, ms = [], []
    for r in rows:
        t = time.perf_counter()
        out.append(fn(r["title"], r["abstract"]))
        ms.append((time.perf_counter() - t) * 1000)
    return out, ms


def ours_via_store(rows: list[dict]) -> list[list[str]]:
    """Import title + abstract only, run the indexing step, read the stored keyphrases."""
    from paperradar.enrich.build import enrich_new
    from paperradar.models import Paper, Record
    from paperradar.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        try:
            store.upsert_records([Record(Paper(id=r["id"], title=r["title"],
                                               abstract=r["abstract"])) for r in rows])
            enrich_new(store)
            got = store.get_enrichments([r["id"] for r in rows])
            return [got[r["id"]].keyphrases if r["id"] in got else [] for r in rows]
        finally:
            store.close()


def yake_fn():
    import yake

    kw = yake.KeywordExtractor(lan="en", n=3, top=10)
    return lambda t, a: [k for k, _ in kw.extract_keywords(f"{t}. {a}")]


def keybert_fn():
    from keybert import KeyBERT
    from sentence_transformers import SentenceTransformer

    from paperradar.search.embed import bundled_model_dir

    kb = KeyBERT(SentenceTransformer(str(bundled_model_dir()), device="cpu"))
    return lambda t, a: [k for k, _ in kb.extract_keywords(
        f"{t}. {a}", keyphrase_ngram_range=(1, 3), stop_words="english", use_mmr=True,
        diversity=0.5, top_n=10)]


def report(name: str, rows: list[dict], preds: list[list[str]], ms: list[float] | None) -> float:
    score = statistics.mean(f1(p, r["ai_keywords"]) for p, r in zip(preds, rows))
    t = f"{statistics.median(ms):7.2f} {statistics.mean(ms):7.2f}" if ms else f"{'-':>7} {'-':>7}"
    print(f"  {name:<22} F1@10 {score:.3f}   ms/paper median/mean {t}")
    return score


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="2025-05-01")
    ap.add_argument("--set", choices=("tune", "report", "both"), default="both")
    ap.add_argument("--no-keybert", action="store_true")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--keybert-limit", type=int, default=60,
                    help="KeyBERT takes ~2 s a paper on one core: score it on the first N")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    from paperradar.enrich.keyphrases import extract
    from paperradar.enrich.text import shipped_idf

    shipped_idf()  # loaded once, outside the timings
    tune, rep = split(load_hf("ai_keywords"), args.split)
    sets = {"tune": [("tune", tune)], "report": [("report", rep)],
            "both": [("tune", tune), ("report", rep)]}[args.set]
    base = {"yake": yake_fn()}
    if not args.no_keybert:
        import torch

        torch.set_num_threads(args.threads)
        base["keybert-mmr"] = keybert_fn()
    for label, rows in sets:
        rows = rows[: args.limit] if args.limit else rows
        print(f"{label} set: {len(rows)} papers (featured {rows[0]['date']} .. {rows[-1]['date']})")
        preds, ms = timed(extract, rows)
        report("paperradar extract()", rows, preds, ms)
        stored = ours_via_store(rows)
        assert stored == preds, "stored keyphrases differ from a direct extraction"
        print(f"  {'(via index + store)':<22} identical to extract(): yes")
        for name, fn in base.items():
            sub = rows[: args.keybert_limit] if name.startswith("keybert") else rows
            bp, bms = timed(fn, sub)
            score = report(f"{name} (n={len(sub)})", sub, bp, bms)
            mine = report(f"  ours, same {len(sub)}", sub, preds[: len(sub)], ms[: len(sub)])
            print(f"  {'':<22} ours / {name} = {mine / score:.2f}x F1, "
                  f"{statistics.median(ms[:len(sub)]) / statistics.median(bms):.4f}x time")


if __name__ == "__main__":
    main()

"""One-line summaries: ROUGE-L (F, LCS over lower-case words) of the extracted sentence
(``paperradar.enrich.summary``) against Hugging Face's ``ai_summary``, beside the first
sentence of the abstract as baseline, on the unique papers of ``hf_daily_papers`` that
have one. Papers featured before ``--split`` are the tuning set (the weights were chosen
on it), the rest is the report set. Also prints the time per paper.

Usage: python bench/eval_summary.py [--split 2025-06-01]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from eval_keywords import load_hf, split  # noqa: E402

_TOKEN = re.compile(r"[a-z0-9]+")


def rouge_l(pred: str, gold: str) -> float:
    a, b = _TOKEN.findall(pred.lower()), _TOKEN.findall(gold.lower())
    if not a or not b:
        return 0.0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    lcs = prev[-1]
    if not lcs:
        return 0.0
    p, r = lcs / len(a), lcs / len(b)
    return 2 * p * r / (p + r)


def first_sentence(title: str, abstract: str) -> str:
    from paperradar.enrich.summary import sentences

    s = sentences(abstract)
    return s[0] if s else ""


def evaluate(fn, rows: list[dict]) -> tuple[float, float]:
    scores, ms = [], []
    for r in rows:
        t = time.perf_counter()
        out = fn(r["title"], r["abstract"]) or ""
        ms.append((time.perf_counter() - t) * 1000)
        scores.append(rouge_l(out, r["ai_summary"]))
    return statistics.mean(scores), statistics.median(ms)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="2025-06-01")
    args = ap.parse_args()
    from paperradar.enrich.summary import extract_summary

    tune, rep = split(load_hf("ai_summary"), args.split)
    for label, rows in (("tune", tune), ("report", rep)):
        print(f"{label} set: {len(rows)} papers (featured {rows[0]['date']} .. {rows[-1]['date']})")
        base, bms = evaluate(first_sentence, rows)
        ours, oms = evaluate(extract_summary, rows)
        print(f"  first sentence   ROUGE-L F {base:.4f}   {bms:.3f} ms/paper (median)")
        print(f"  extracted        ROUGE-L F {ours:.4f}   {oms:.3f} ms/paper (median)")
        print(f"  ratio            {ours / base:.3f}x")


if __name__ == "__main__":
    main()

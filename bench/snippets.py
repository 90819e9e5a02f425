"""Snippet cost: one page of 20 hits highlighted (abstract window + title), as the
searcher does it, on the real abstracts of ``tests/fixtures/search/arxiv_150.jsonl`` (plus
the same abstracts with LaTeX text markup added: ``\\emph{}``, ``\\textbf{}``, ``\\$``,
``--``, ``~``, math). Prints the median ms per page over many pages and query words.

Usage: python bench/snippets.py [--baseline OLD_SNIPPETS.py] [--rounds 200]
(``--baseline`` loads another snippets module, e.g. ``git show HEAD~1:src/...``, and
times it in the same run, for a ratio.)
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from paperradar.search import snippets  # noqa: E402
from paperradar.search.lexical import text_analyzer  # noqa: E402

QUERIES = ["diffusion models", "robust training", "language model reasoning", "graph neural",
           "reinforcement learning", "optimization", "transformer attention", "fast method"]


def _latexed(abstract: str, rng: random.Random) -> str:
    words = abstract.split()
    for _ in range(4):
        i = rng.randrange(len(words))
        words[i] = rng.choice([r"\emph{%s}", r"\textbf{%s}", "%s~(Fig.~3)", r"\$5 %s",
                               "%s $\\sum_{i=1}^n x_i$", "%s 1--2"]) % words[i]
    return " ".join(words)


def _page_ms(mod, papers, queries, analyze, analyse_query, rounds: int, seed: int) -> float:
    rng, times = random.Random(seed), []
    for _ in range(rounds):
        page = rng.sample(papers, 20)
        terms = set(analyse_query(rng.choice(queries)))
        t = time.perf_counter()
        for p in page:
            mod.highlight(p["abstract"], terms, analyze)
            mod.highlight(p["title"], terms, analyze, max_words=10_000)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", type=Path)
    ap.add_argument("--rounds", type=int, default=200)
    args = ap.parse_args()
    lines = (ROOT / "tests/fixtures/search/arxiv_150.jsonl").read_text().splitlines()
    plain = [json.loads(x) for x in lines]
    rng = random.Random(1)
    latexed = [dict(p, abstract=_latexed(p["abstract"], rng)) for p in plain]
    analyzer = text_analyzer()
    cached = functools.lru_cache(maxsize=200_000)(
        lambda w: (analyzer.analyze(w) or [None])[0])
    analyze = lambda w: cached(w.lower())  # noqa: E731  (as LexicalIndex.analyze_word)
    mods = {"current": snippets}
    if args.baseline:
        spec = importlib.util.spec_from_file_location("baseline_snippets", args.baseline)
        base = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(base)
        mods = {"baseline": base, **mods}
    for corpus_name, corpus in [("plain abstracts", plain), ("LaTeX-marked abstracts", latexed)]:
        figures = {}
        for name, mod in mods.items():
            _page_ms(mod, corpus, QUERIES, analyze, analyzer.analyze, 20, 0)  # warm caches
            figures[name] = _page_ms(mod, corpus, QUERIES, analyze, analyzer.analyze,
                                     args.rounds, 2)
        ratio = (f"  ratio {figures['current'] / figures['baseline']:.2f}"
                 if "baseline" in figures else "")
        print(f"{corpus_name}: " + ", ".join(f"{k} {v:.3f} ms/page" for k, v in figures.items())
              + ratio)


if __name__ == "__main__":
    main()

"""The dev sets of bench/eval_search.py (each returns docs, queries, qrels):

- ``cranfield``: Cranfield 1400, graded judgments (long natural-language questions);
- ``cranfield_title_only``: the same with the abstracts of a random half removed;
- ``hf_known_item``: the real Hugging Face daily papers, query = a paper's ai_summary (a
  one-sentence description written by a model), answer = that paper;
- ``arxiv_known_item``: a second known-item set from a different source, so that holding
  out the HF set in cross-validation still leaves a known-item set to choose on: the first
  2,500 of the 12,768 real arXiv papers of March-April 2026 (no overlap with the HF days,
  2025; all of them would take an hour to embed here), query = one sentence of a paper's
  abstract, *removed* from the indexed abstract (the inverse cloze task of Lee et al.,
  2019: a description in the paper's words that is not a verbatim passage).
"""

from __future__ import annotations

import glob
import json
import os
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("PAPERRADAR_SHARED_DATA") or ROOT.parent / "shared" / "data")
ARXIV_DOCS = 2500  # the first papers of the file: MiniLM embeds ~3 papers/s on the shared machine
ARXIV_QUERIES = 500
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def cranfield() -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    base = DATA / "ir_eval" / "cranfield"
    docs = []
    for line in open(base / "corpus.jsonl", encoding="utf-8"):
        d = json.loads(line)
        title, text = d["title"].strip(), d["text"].strip()
        abstract = text[len(title):].strip() if text.startswith(title) else text
        docs.append({"id": d["_id"], "title": title or "untitled", "abstract": abstract})
    queries = {json.loads(x)["_id"]: json.loads(x)["text"]
               for x in open(base / "queries.jsonl", encoding="utf-8")}
    qrels: dict[str, dict[str, int]] = {}
    for line in list(open(base / "qrels_graded.tsv", encoding="utf-8"))[1:]:
        q, d, g = line.split()
        qrels.setdefault(q, {})[d] = int(g)
    return docs, queries, qrels


def cranfield_title_only(seed: int = 14):
    """Cranfield with the abstracts of a random half of the documents removed (records that
    carry only a title, as generic exports and old papers do)."""
    docs, queries, qrels = cranfield()
    rng = random.Random(seed)
    drop = set(rng.sample(range(len(docs)), len(docs) // 2))
    docs = [dict(d, abstract="") if i in drop else d for i, d in enumerate(docs)]
    return docs, queries, qrels


def hf_known_item() -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    papers: dict[str, dict] = {}
    queries: dict[str, str] = {}
    for f in sorted(glob.glob(str(DATA / "hf_daily_papers" / "*.json"))):
        data = json.load(open(f, encoding="utf-8"))
        for item in data if isinstance(data, list) else []:
            p = item.get("paper") or {}
            if not p.get("id") or not p.get("title"):
                continue
            papers[p["id"]] = {"id": p["id"], "title": p["title"], "abstract": p.get("summary") or ""}
            if p.get("ai_summary"):
                queries[p["id"]] = p["ai_summary"]
    return list(papers.values()), queries, {q: {q: 1} for q in queries}


def arxiv_known_item(n_docs: int = ARXIV_DOCS, n_queries: int = ARXIV_QUERIES, seed: int = 14):
    """The arXiv inverse-cloze known-item set (see the module docstring) over the file's first
    ``n_docs`` papers: for ``n_queries`` random ones, one random sentence of 8-40 words (not the abstract's only sentence) is
    the query and is cut from that paper's abstract; every other paper is kept whole."""
    rows = [json.loads(x) for x in open(DATA / "arxiv_metadata" / "arxiv_2026-03_to_04.jsonl",
                                        encoding="utf-8")][:n_docs]
    rng = random.Random(seed)
    docs = [{"id": r["id"], "title": " ".join(r["title"].split()),
             "abstract": " ".join((r.get("abstract") or "").split())} for r in rows]
    queries: dict[str, str] = {}
    for i in rng.sample(range(len(docs)), len(docs)):
        if len(queries) == n_queries:
            break
        sents = _SENT.split(docs[i]["abstract"])
        ok = [j for j, s in enumerate(sents) if 8 <= len(s.split()) <= 40]
        if len(sents) < 2 or not ok:
            continue
        j = rng.choice(ok)
        queries[docs[i]["id"]] = sents[j]
        docs[i]["abstract"] = " ".join(sents[:j] + sents[j + 1:])
    return docs, queries, {q: {q: 1} for q in queries}

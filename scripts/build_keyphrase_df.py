"""Build ``src/paperradar/enrich/data/df.json.gz``: document frequencies of normalised words
over a JSONL of papers (title + abstract), words seen in at least 2 documents, and a verb
list (words that follow "we", "to", "can", ... in at least a quarter of their uses, with
their third-person forms), used to break phrases since there is no part-of-speech tagger.

    python scripts/build_keyphrase_df.py ../shared/data/arxiv_metadata/arxiv_2026-03_to_04.jsonl
"""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter
from pathlib import Path

from paperradar.enrich.text import WORD, norm_word

OUT = Path(__file__).resolve().parents[1] / "src/paperradar/enrich/data/df.json.gz"


VERB_CUES = frozenset("we to can may will could might also they it which".split())


def _verbs(raw: Counter, after: Counter) -> list[str]:
    base = {w for w, n in after.items() if n >= 3 and n / raw[w] >= 0.25
            and not w.endswith("ing") and any(c.isalpha() for c in w) and not w[0].isdigit()}
    forms = set(base)
    for b in base:
        for f in (b + "s", b + "es", b[:-1] + "ies" if b.endswith("y") else b + "s"):
            if raw[f]:
                forms.add(f)
    return sorted(forms)


def main(path: str) -> None:
    df: Counter[str] = Counter()
    raw: Counter[str] = Counter()
    after: Counter[str] = Counter()
    docs = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            text = f"{row.get('title') or ''} {row.get('abstract') or ''}"
            words = WORD.findall(text)
            df.update({norm_word(w) for w in words})
            low = [w.lower() for w in words]
            raw.update(low)
            after.update(b for a, b in zip(low, low[1:]) if a in VERB_CUES)
            docs += 1
    kept = {w: n for w, n in sorted(df.items()) if n >= 2}
    verbs = _verbs(raw, after)
    body = json.dumps({"docs": docs, "source": Path(path).name, "df": kept, "verbs": verbs},
                      separators=(",", ":"), sort_keys=True).encode()
    OUT.write_bytes(gzip.compress(body, mtime=0))
    print(f"{docs} documents, {len(kept)} words, {len(verbs)} verb forms -> {OUT} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main(sys.argv[1])

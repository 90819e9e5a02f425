"""The enrichment step on a real store (each backend): incremental, recomputed when a new version
changes the abstract (topic rows follow), resumable from its checkpoint."""

from __future__ import annotations

from paperradar.enrich.build import CHECKPOINT, enrich_new
from paperradar.enrich.keyphrases import extract
from paperradar.enrich.text import topic_key
from paperradar.models import Author, Paper, Record


def _paper(abstract: str, version: int = 1) -> Paper:
    return Paper(id="2501.00001", title="Graph Kernels for Molecules", abstract=abstract,
                 version=version, authors=[Author("Ada Lovelace"), Author("ada  LOVELACE")],
                 published="2025-01-01T00:00:00Z", sources=["test"])


V1 = "We propose graph kernels over molecular graphs. Graph kernels compare molecules."
V2 = ("We present diffusion transformers for protein folding. Diffusion transformers "
      "predict protein structures from sequences.")


def test_incremental_and_recomputed_on_new_abstract(store):
    store.upsert_records([Record(_paper(V1))])
    assert enrich_new(store) == {"enriched": 1, "enrich_unchanged": 0}
    first = store.get_enrichments(["2501.00001"])["2501.00001"]
    assert first.keyphrases == extract("Graph Kernels for Molecules", V1)
    assert first.summary and first.summary in V1
    assert enrich_new(store) == {"enriched": 0, "enrich_unchanged": 0}  # nothing changed
    old_topic = topic_key(first.keyphrases[0])
    assert store.topic_paper_ids(old_topic, limit=10) == ["2501.00001"]
    assert store.count_author_papers("ada lovelace") == 1  # same name twice: one row

    store.upsert_records([Record(_paper(V2, version=2))])
    assert enrich_new(store)["enriched"] == 1
    second = store.get_enrichments(["2501.00001"])["2501.00001"]
    assert second.keyphrases == extract("Graph Kernels for Molecules", V2)
    assert second.keyphrases != first.keyphrases
    gone = [k for k in first.keyphrases if topic_key(k) not in
            {topic_key(x) for x in second.keyphrases}]
    assert gone and all(store.count_topic(topic_key(k)) == 0 for k in gone)
    assert int(store.get_checkpoint(CHECKPOINT)) == store.max_seq()


def test_same_text_is_not_recomputed_after_checkpoint_loss(store):
    store.upsert_records([Record(_paper(V1))])
    enrich_new(store)
    store.set_checkpoint(CHECKPOINT, None)  # e.g. a restored backup without checkpoints
    assert enrich_new(store) == {"enriched": 0, "enrich_unchanged": 1}


def test_index_cli_runs_the_step(env_settings, tmp_path):
    import os
    import subprocess
    import sys

    from paperradar.store import open_store

    s = open_store(env_settings.resolved_database_url)
    try:
        s.upsert_records([Record(_paper(V1))])
    finally:
        s.close()
    r = subprocess.run([sys.executable, "-m", "paperradar", "index", "--no-embed"],
                       capture_output=True, text=True, env=os.environ.copy(), timeout=120)
    assert r.returncode == 0, r.stderr
    assert "keyphrases: 1 new, 0 unchanged" in " ".join(r.stdout.split())  # rich wraps
    s = open_store(env_settings.resolved_database_url)
    try:
        assert s.get_enrichments(["2501.00001"])["2501.00001"].keyphrases
    finally:
        s.close()

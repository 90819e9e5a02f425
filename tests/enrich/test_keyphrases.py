"""Keyphrase and summary extraction as pure functions: deterministic, acronym long forms,
no stopword-only or verb-led phrases, bounded work on hostile input."""

from __future__ import annotations

import subprocess
import sys
import time

from paperradar.enrich.keyphrases import extract
from paperradar.enrich.summary import extract_summary, sentences
from paperradar.enrich.text import STOP, author_key, norm_phrase, topic_key

TITLE = "SEAP: Training-free Sparse Expert Activation Pruning for Large Language Models"
ABSTRACT = ("Large Language Models (LLMs) have achieved remarkable success, yet their "
            "inference cost remains a bottleneck. This paper introduces Sparse Expert "
            "Activation Pruning (SEAP), a training-free pruning method that retains "
            "task-relevant parameters. SEAP identifies task-specific expert activation "
            "patterns and prunes the model. Experiments show that SEAP reduces inference "
            "overhead while preserving accuracy, e.g. on reasoning benchmarks.")


def test_acronym_long_form_first_and_verbs_break_phrases():
    got = extract(TITLE, ABSTRACT)
    assert got[0] == "Sparse Expert Activation Pruning (SEAP)"
    assert "Large Language Models (LLMs)" in got
    assert 1 <= len(got) <= 10
    for phrase in got:
        words = phrase.split()
        assert words[0].lower() not in STOP and words[-1].lower() not in STOP
        assert "identifies" not in words and "prunes" not in words  # verbs of the corpus
    assert len({norm_phrase(p) for p in got}) == len(got)


def test_deterministic_across_processes():
    here = extract(TITLE, ABSTRACT)
    code = ("import json,sys; from paperradar.enrich.keyphrases import extract; "
            f"print(json.dumps(extract({TITLE!r}, {ABSTRACT!r})))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={"PYTHONHASHSEED": "123", **__import__("os").environ})
    assert __import__("json").loads(other.stdout) == here


def test_empty_and_hostile_input_is_bounded():
    assert extract("", "") == [] and extract_summary("", "") is None
    huge = "word " * 400_000 + "(" * 10_000 + "A" * 100_000
    t = time.perf_counter()
    assert len(extract("T", huge)) <= 10
    assert extract_summary("T", huge) is None or len(extract_summary("T", huge)) <= 800
    assert time.perf_counter() - t < 5
    assert extract("<script>", "<script>alert(1)</script> Payload payload payload.")


def test_summary_is_the_contribution_sentence():
    s = extract_summary(TITLE, ABSTRACT)
    assert s.startswith("This paper introduces Sparse Expert Activation Pruning (SEAP)")
    assert s in " ".join(ABSTRACT.split())  # an exact sentence of the abstract
    assert sentences("See e.g. the results. Then more words here now.") == [
        "See e.g. the results.", "Then more words here now."]


def test_keys_are_idempotent():
    for raw in ("Large Language Models (LLMs)", "Glasses' analyses", "İstanbul Ünï", "a/b"):
        assert topic_key(topic_key(raw)) == topic_key(raw)
        assert author_key(author_key(raw)) == author_key(raw)
    assert topic_key("Large Language Models (LLMs)") == "large language model"
    assert norm_phrase("Diffusion-Models") == norm_phrase("diffusion model")

"""The re-ranker's specific-vocabulary features (rank.signals) on the real fixture papers."""

from __future__ import annotations

import numpy as np

from recommend_fixtures import rows
from paperradar.rank.signals import NAMES, Signals, name_tokens


def _signals(data, comments=None):
    return Signals([f"{r['title']}. {r['abstract']}" for r in data], [r["title"] for r in data],
                   comments or [""] * len(data))


def test_name_tokens_are_acronyms_and_letter_digit_names():
    got = name_tokens("We tune LLaMA-3 with GRPO on ViT-B/16, in 3D. The Model and a cat.")
    assert got == ["LLaMA-3", "GRPO", "ViT-B/16", "3D"]


def test_rare_words_and_names_point_at_the_paper_that_shares_them():
    data = rows()
    s = _signals(data)
    n = next(i for i, r in enumerate(data) if "TopoEdit" in r["title"])
    f = s.features(["We extend TopoEdit to shells."], ["Shell editing"], [""])
    assert set(f) == set(NAMES)
    assert int(np.argmax(f["rare"])) == n and int(np.argmax(f["caps"])) == n
    # words in more than RARE_DF candidates carry no weight
    common = s.features(["We propose a method and show results."], ["x"], [""])
    assert np.allclose(common["rare"], 0.0) and np.allclose(common["caps"], 0.0)


def test_titles_and_comments_match_their_own_fields():
    data = rows()
    comments = ["Accepted at ICML 2026" if i % 7 == 0 else "12 pages, 5 figures"
                for i in range(len(data))]
    comments[33] = comments[34] = "Project page: https://example.org/quokka-lab"  # df >= 2
    s = _signals(data, comments)
    f = s.features(["unrelated words"], [data[50]["title"]], ["quokka-lab project page"])
    assert int(np.argmax(f["title"])) == 50
    c = f["comment"]
    assert c[33] == c[34] == c.max() and np.delete(c, [33, 34]).max() < c[33]


def test_a_period_without_comments_gives_zeros_not_an_error():
    data = rows()[:30]
    f = _signals(data).features(["text"], ["title"], ["Accepted at ICML"])
    assert np.array_equal(f["comment"], np.zeros(len(data)))
    tiny = Signals(["a b"], ["a"], [""]).features(["a b"], ["a"], [""])
    assert all(v.shape == (1,) for v in tiny.values())


def test_an_index_with_titles_but_no_comments_still_re_ranks():
    from paperradar.rank.recommend import CandidateIndex, Positive, components

    data = rows()
    vecs = np.random.default_rng(0).normal(size=(len(data), 8)).astype(np.float32)
    index = CandidateIndex([r["id"] for r in data], [f"{r['title']}. {r['abstract']}" for r in data],
                           vecs, categories=[r["categories"] for r in data],
                           titles=[r["title"] for r in data])
    pos = [Positive("x", data[5]["title"], data[5]["abstract"], vec=vecs[5],
                    categories=tuple(data[5]["categories"]))]
    parts, _ = components(index, pos)
    assert set(NAMES) <= set(parts) and not parts["comment"].any()
    assert int(np.argmax(parts["title"])) == index.pos[data[5]["id"]]  # ids are sorted


def test_near_top_scores_closeness_to_the_fusion_s_top_without_self_matches():
    import scipy.sparse as sp

    from paperradar.rank.signals import near_top

    E = np.eye(6, dtype=np.float32)
    E[4] = E[5] = np.array([0.8, 0.6, 0, 0, 0, 0], np.float32)  # near the top two
    fused = np.array([5.0, 4.0, 1.0, 0.0, -1.0, -2.0])
    f = near_top(sp.csr_matrix(E), E, fused, k=2)
    assert set(f) == {"toplex", "topemb"} and np.allclose(f["toplex"], f["topemb"])
    e = f["topemb"]
    assert e[4] == e[5] == e.max() and e[2] == e[3] == e.min()
    assert e[0] < e[4] and e[0] == e[1]  # a top paper's own cosine is left out
    assert set(near_top(None, E, fused)) == {"topemb"}  # a missing side is left out
    assert near_top(None, E[:1], fused[:1], k=10)["topemb"].tolist() == [0.0]  # k > n

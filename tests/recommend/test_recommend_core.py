"""The recommender: pure core (rank.recommend) and its store edge (rank.foryou)."""

from __future__ import annotations

import numpy as np
import pytest

from recommend_fixtures import DAY, library_id, rows, seed
from paperradar.rank import foryou
from paperradar.rank.recommend import (CandidateIndex, Params, Positive, bm25_matrix, bm25_pool,
                                       prf, recommend, round_robin)


def _index(data, vecs=None, params=Params()):
    return CandidateIndex([r["id"] for r in data], [f"{r['title']}. {r['abstract']}" for r in data],
                          vecs, params)


def test_a_rewording_of_a_candidate_ranks_it_first_with_the_reason():
    data = rows()
    index = _index(data)
    for n in (3, 40, 77, 120):
        pos = Positive("2601.00001", "Earlier", data[n]["abstract"], "you saved")
        [top, *_] = recommend(index, [pos], limit=5)
        assert top.id == data[n]["id"]
        assert top.reasons[0].paper_id == "2601.00001"
        assert top.reasons[0].sentence() == "because you saved “Earlier”"


def test_rankings_are_deterministic_and_ties_go_by_id():
    data = rows()
    pos = [Positive("x1", "A", data[5]["abstract"]), Positive("x2", "B", data[9]["abstract"])]
    a = [(r.id, r.score) for r in recommend(_index(data), pos, limit=150)]
    b = [(r.id, r.score) for r in recommend(_index(list(reversed(data))), pos, limit=150)]
    assert a == b and len(a) == 150
    # identical texts score the same: the smaller id comes first
    twins = [{"id": "2603.00002", "title": "Twin", "abstract": data[0]["abstract"]},
             {"id": "2603.00001", "title": "Twin", "abstract": data[0]["abstract"]}] + data[1:]
    got = [r.id for r in recommend(_index(twins), [Positive("x", "X", data[0]["abstract"])],
                                   limit=2)]
    assert got == ["2603.00001", "2603.00002"]


def test_negatives_push_similar_papers_down_and_are_never_returned():
    data = rows()
    index = _index(data)
    pos = [Positive("x", "X", data[10]["abstract"] + " " + data[20]["abstract"])]
    before = [r.id for r in recommend(index, pos, limit=150)]
    neg = [Positive(data[20]["id"], data[20]["title"], data[20]["abstract"], "not interested")]
    after = [r.id for r in recommend(index, pos, neg, limit=150)]
    assert data[20]["id"] not in after
    assert before.index(data[10]["id"]) <= 1
    # a near copy of the negative drops
    assert data[20]["id"] in before[:2]


def test_positives_and_excluded_are_not_recommended_and_no_positives_gives_nothing():
    data = rows()
    index = _index(data)
    pos = [Positive(data[1]["id"], data[1]["title"], data[1]["abstract"])]
    got = [r.id for r in recommend(index, pos, limit=150, exclude={data[2]["id"]})]
    assert data[1]["id"] not in got and data[2]["id"] not in got and len(got) == 148
    assert recommend(index, [], limit=10) == []


def test_embedding_component_finds_a_paper_by_meaning_alone():
    data = rows()[:20]
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(20, 16)).astype(np.float32)
    index = _index(data, vecs, Params(w_svm=0, w_roc=0, w_lex=0, w_emb=1, w_bm25=0))
    pos = Positive("x", "X", "words that appear nowhere zzzqqq", vec=vecs[7] + 0.01)
    assert recommend(index, [pos], limit=1)[0].id == data[7]["id"]


def test_bm25_library_as_query_scales_each_positive_to_its_best_match():
    texts = ["graph neural networks for molecules", "protein folding with diffusion",
             "graph neural networks molecules message passing molecules graph",
             "weather forecasting with transformers", "diffusion protein design"] * 5
    bm = bm25_matrix(texts)
    long_query = "graph neural networks molecules message passing " * 20
    s = bm25_pool(bm, [long_query, "protein diffusion"])
    # each query's scores are divided by its best: the long query cannot drown the short one,
    # whose best matches (1 and 4) score as high as the long query's best (2)
    assert np.allclose(s[[1, 2, 4]], 1.0) and 0 < s[0] < 1 and s[3] == 0.0
    one = bm25_pool(bm, ["protein diffusion"])
    assert np.allclose(bm25_pool(bm, ["protein diffusion"] * 2), 2 * one)  # summed over queries
    assert np.allclose(bm25_pool(bm, [long_query, "protein diffusion"], "max"), s)
    assert bm25_matrix(["the", "and"]) is None  # no vocabulary: the component is left out


def test_round_robin_gives_every_positive_its_best_matches():
    S = np.array([[0.9, 0.0], [0.8, 0.1], [0.7, 0.0], [0.0, 0.2], [0.1, 0.0]])
    rr = round_robin(S, depth=3)
    # candidate 3 is first under the second positive only: it ties with the first's best
    assert rr[3] == rr[0] == 1 / 10 and rr[1] == 1 / 11
    assert rr[4] == 1 / 13  # below the depth under both positives


def test_pseudo_relevance_feedback_lifts_papers_like_the_top():
    data = rows()
    index = _index(data)
    fused = np.zeros(len(index))
    top = [index.pos[data[i]["id"]] for i in range(10)]
    fused[top] = 1.0
    lift = prf(index, fused)
    assert lift.shape == (len(index),) and abs(float(lift.mean())) < 1e-6
    assert float(lift[top].mean()) > float(np.delete(lift, top).mean())
    pos = [Positive("x", "X", data[5]["abstract"])]
    a = [r.id for r in recommend(index, pos, limit=20, params=Params(w_prf=0.5))]
    assert a == [r.id for r in recommend(index, pos, limit=20, params=Params(w_prf=0.5))]


def test_empty_or_stopword_candidates_do_not_crash():
    index = CandidateIndex(["a", "b"], ["the", "and"])
    assert [r.id for r in recommend(index, [Positive("x", "X", "the and")], limit=5)] == ["a", "b"]
    assert recommend(CandidateIndex([], []), [Positive("x", "X", "text")]) == []
    with pytest.raises(ValueError):
        CandidateIndex(["a"], ["x", "y"])


def test_store_edge_ranks_the_period_and_reports_unknown_ids(rstore, rsettings):
    lib = seed(rstore)
    res = foryou.recommend_ids(rstore, rsettings, [lib[3], lib[40], "2601.55555"],
                               since=DAY, until=DAY, limit=10)
    data = rows()
    assert res.mode == "recommended" and res.unknown == ["2601.55555"] and res.positives == 2
    top2 = {i.paper.id for i in res.items[:2]}
    assert top2 == {data[3]["id"], data[40]["id"]}
    assert all(i.paper.published.startswith(DAY) for i in res.items)  # library papers are older
    assert {r.paper_id for i in res.items[:2] for r in i.reasons[:1]} == {lib[3], lib[40]}


def test_no_positives_gives_the_trending_list_and_says_so(rstore, rsettings):
    from paperradar.models import DailyEntry, Record

    seed(rstore)
    data = rows()
    p = rstore.get_papers([data[0]["id"], data[1]["id"]])
    rstore.upsert_records([Record(p[data[0]["id"]], DailyEntry(data[0]["id"], DAY, upvotes=3)),
                           Record(p[data[1]["id"]], DailyEntry(data[1]["id"], DAY, upvotes=9))])
    res = foryou.recommend_ids(rstore, rsettings, ["2601.55555"], since=DAY, until=DAY)
    assert res.mode == "trending" and "trending" in res.note
    assert [i.paper.id for i in res.items] == [data[1]["id"], data[0]["id"]]


def test_user_positives_collections_and_dismissals(rstore, rsettings):
    lib = seed(rstore)
    data = rows()
    user = rstore.create_user("r@example.org", "reader", None, verified=True)
    rstore.set_vote(user.id, lib[3], True)
    coll = rstore.create_collection(user.id, "Imported library")
    assert rstore.add_many_to_collection(coll.id, [lib[40], "2601.55555", lib[40]]) == 1
    res = foryou.recommend_user(rstore, rsettings, user.id, since=DAY, until=DAY, limit=5)
    assert {i.paper.id for i in res.items[:2]} == {data[3]["id"], data[40]["id"]}
    why = {i.reasons[0].why for i in res.items[:2]}
    assert why == {"you upvoted", "“Imported library” has"}
    assert rstore.set_dismissed(user.id, data[3]["id"], True)
    res = foryou.recommend_user(rstore, rsettings, user.id, since=DAY, until=DAY, limit=150)
    assert data[3]["id"] not in [i.paper.id for i in res.items]
    assert rstore.dismissed_by(user.id) == [data[3]["id"]]
    with pytest.raises(KeyError):
        rstore.set_dismissed(user.id, "2601.55555", True)
    assert rstore.latest_published_date() == DAY


def test_candidate_index_is_cached_until_the_store_changes(rstore, rsettings):
    seed(rstore)
    a = foryou.candidate_index(rstore, rsettings, DAY, DAY)
    assert foryou.candidate_index(rstore, rsettings, DAY, DAY) is a and len(a) == 150
    seed(rstore, (5,))  # a new paper (outside the period) still changes the store
    assert foryou.candidate_index(rstore, rsettings, DAY, DAY) is not a
    assert library_id(5) not in foryou.candidate_index(rstore, rsettings, DAY, DAY).ids

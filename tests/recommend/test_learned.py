"""The learned re-ranker (rank.learned): its numpy tree evaluator against sklearn, its features,
and the shipped model running inside recommend()."""

from __future__ import annotations

import numpy as np
import pytest

from recommend_fixtures import rows
from paperradar.rank import forest, learned
from paperradar.rank.recommend import (DEFAULT_PARAMS, CandidateIndex, Params, Positive,
                                       recommend, scored)


@pytest.mark.parametrize("leaves", [7, 31, 64])
def test_exported_ensemble_predicts_what_sklearn_does(tmp_path, leaves):
    """The bitmask evaluator (uint32 masks up to 32 leaves, uint64 above) against sklearn's own
    predictions, also on samples lying exactly on split thresholds (they go left)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(6000, len(learned.FEATURES)))
    y = (X[:, 0] + 0.5 * X[:, 3] * X[:, 5] + rng.normal(scale=0.5, size=6000)) > 1.0
    clf = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=leaves, min_samples_leaf=5,
                                         random_state=0, early_stopping=False).fit(X, y)
    path = tmp_path / "ranker.json"
    learned.export(clf, path)
    model = learned.load(str(path))
    assert model.dtype == (np.uint32 if leaves <= 32 else np.uint64)
    T = rng.normal(size=(500, len(learned.FEATURES)))
    for f, cuts in enumerate(model.cuts):  # rows on the thresholds themselves
        T[f * 20:f * 20 + min(20, len(cuts)), f] = cuts[:20]
    assert np.allclose(model.predict(T), clf.decision_function(T), rtol=0, atol=1e-9)


def test_ensemble_rejects_trees_it_cannot_evaluate():
    leaf = {"feature": [-1], "threshold": [0.0], "left": [0], "right": [0], "value": [1.0]}
    spec = {"features": list(learned.FEATURES), "baseline": 0.5, "trees": [leaf, leaf]}
    assert np.allclose(forest.Ensemble(spec, 3).predict(np.zeros((4, 3))), 2.5)
    wide = {"feature": [5, -1, -1], "threshold": [0.0] * 3, "left": [1, 0, 0],
            "right": [2, 0, 0], "value": [0.0] * 3}
    with pytest.raises(ValueError, match="feature 5 of 3"):
        forest.Ensemble({**spec, "trees": [wide]}, 3)


def test_shipped_model_loads_with_the_features_of_this_code():
    model = learned.load()
    assert model.n_trees >= 10 and len(model.tables) == len(learned.FEATURES)
    assert all(len(c) for c in model.cuts)  # every feature is used by some split


def test_category_profile_prefers_the_library_s_rare_category():
    cats = learned.Categories([["cs.LG"], ["cs.LG", "q-bio.BM"], ["cs.CV"], ["cs.CV"],
                               ["cs.CV", "eess.IV"], ["cs.CV"]])
    f = cats.features([("q-bio.BM", "cs.LG"), ("q-bio.BM",)])
    assert int(np.argmax(f["cat"])) == 1 and f["catmax"][1] == f["catmax"].max()
    assert f["cat"][0] > f["cat"][3] == f["cat"][4]  # shares cs.LG at least
    assert cats.features([("math.AG",)]) is None and cats.features([]) is None


def test_rerank_scores_the_fusion_s_top_and_keeps_the_rest_below():
    n = 800
    rng = np.random.default_rng(1)
    parts = {k: rng.normal(size=n) for k in learned.FEATURES if k != "fused"}
    fused = rng.normal(size=n)
    out = learned.rerank(parts, fused)
    top = np.argsort(-fused)[:learned.DEPTH]
    rest = np.setdiff1d(np.arange(n), top)
    assert out[rest].max() < out[top].min()
    assert list(np.argsort(-out[rest])) == list(np.argsort(-fused[rest]))  # the fusion's order
    M = learned.matrix({**parts, "fused": fused}, top)
    assert np.allclose(out[top], learned.load().predict(M) + learned.BLEND * fused[top])
    del parts["cat"]  # a feature missing (no categories): the fusion as it is
    assert learned.rerank(parts, fused) is fused


def _index(data, vecs, cats=True, params=DEFAULT_PARAMS, titles=True):
    return CandidateIndex([r["id"] for r in data], [f"{r['title']}. {r['abstract']}" for r in data],
                          vecs, params, [r["categories"] for r in data] if cats else None,
                          [r["title"] for r in data] if titles else None,
                          [r.get("comment") or "" for r in data])


def test_recommend_uses_the_re_ranker_when_every_feature_exists_deterministically():
    data = rows()
    vecs = np.random.default_rng(0).normal(size=(len(data), 16)).astype(np.float32)
    index = _index(data, vecs)
    pos = [Positive(f"x{n}", "X", data[n]["abstract"], vec=vecs[n] + 0.05,
                    categories=tuple(data[n]["categories"])) for n in (4, 60, 99)]
    got = recommend(index, pos, limit=150)
    parts, fused, _ = scored(index, pos, (), DEFAULT_PARAMS)
    assert all(k in parts for k in learned.FEATURES if k != "fused")
    final = learned.rerank(parts, fused)
    want = sorted(range(len(index)), key=lambda i: (-round(final[i], 6), index.ids[i]))
    assert [r.id for r in got] == [index.ids[i] for i in want]
    assert {r.id for r in got[:3]} == {data[n]["id"] for n in (4, 60, 99)}  # the rewordings
    plain = recommend(index, pos, limit=150, params=Params(rerank=False))
    assert [r.id for r in plain] != [r.id for r in got]  # the re-ranker changes the order
    again = recommend(_index(list(reversed(data)), vecs[::-1].copy()), pos, limit=150)
    assert [(r.id, r.score) for r in again] == [(r.id, r.score) for r in got]
    no_cats = recommend(_index(data, vecs, cats=False), pos, limit=150)
    assert [r.id for r in no_cats] == [r.id for r in plain]
    no_titles = recommend(_index(data, vecs, titles=False), pos, limit=150)
    assert [r.id for r in no_titles] == [r.id for r in plain]


def test_not_interested_still_pushes_a_near_copy_down_under_the_re_ranker():
    data = rows()
    twin = {**data[20], "id": "2603.99999", "title": "A near copy"}
    data = data + [twin]
    vecs = np.random.default_rng(2).normal(size=(len(data), 16)).astype(np.float32)
    vecs[-1] = vecs[20]
    index = _index(data, vecs)
    cats = tuple(data[10]["categories"])
    pos = [Positive("x", "X", data[10]["abstract"] + " " + data[20]["abstract"],
                    vec=vecs[10] + vecs[20], categories=cats)]
    neg = [Positive(data[20]["id"], data[20]["title"], data[20]["abstract"], "not interested",
                    vecs[20], tuple(data[20]["categories"]))]
    before = {r.id: r.score for r in recommend(index, pos, limit=151)}
    after = {r.id: r.score for r in recommend(index, pos, neg, limit=151)}
    assert data[20]["id"] not in after and data[20]["id"] in before
    other = data[10]["id"]  # like the positive, unlike the negative
    drop = {pid: before[pid] - after[pid] for pid in after}
    assert max(drop, key=drop.get) == twin["id"]  # the near copy falls the most of all
    assert drop[twin["id"]] > 5 * abs(drop[other]) and drop[twin["id"]] > 1.0


def test_length_feature_is_the_z_of_log_words_for_every_reader_and_only_with_the_re_ranker():
    texts = ["short title", "a somewhat longer title about graph networks",
             " ".join(["word"] * 200), "another short one"]
    ids = ["2604.00004", "2604.00001", "2604.00003", "2604.00002"]
    index = CandidateIndex(ids, texts, titles=texts)
    words = {i: len(t.split()) for i, t in zip(ids, texts)}
    got = dict(zip(index.ids, index.length))
    assert got["2604.00003"] == max(got.values()) and got["2604.00004"] == min(got.values())
    logs = np.log1p([words[i] for i in index.ids])
    assert np.allclose(index.length, (logs - logs.mean()) / logs.std())
    for text in ("graph networks", "word word"):  # independent of the reader
        parts, _, _ = scored(index, [Positive("x", "X", text)])
        assert parts["length"] is index.length
    plain = CandidateIndex(ids, texts, params=Params(rerank=False))
    assert plain.length is None
    assert "length" not in scored(plain, [Positive("x", "X", "graph")], (), plain.params)[0]

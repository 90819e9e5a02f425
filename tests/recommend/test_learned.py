"""The learned re-ranker (rank.learned): its numpy tree evaluator against sklearn, its features,
and the shipped model running inside recommend()."""

from __future__ import annotations

import numpy as np

from recommend_fixtures import rows
from paperradar.rank import learned
from paperradar.rank.recommend import (DEFAULT_PARAMS, CandidateIndex, Params, Positive,
                                       components, fuse, recommend)


def test_exported_ensemble_predicts_exactly_what_sklearn_does(tmp_path):
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, len(learned.FEATURES)))
    y = (X[:, 0] + 0.5 * X[:, 3] * X[:, 5] + rng.normal(scale=0.5, size=3000)) > 1.0
    clf = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=7, random_state=0,
                                         early_stopping=False).fit(X, y)
    path = tmp_path / "ranker.json"
    learned.export(clf, path)
    model = learned.load(str(path))
    T = rng.normal(size=(500, len(learned.FEATURES)))
    assert np.allclose(model.predict(T), clf.decision_function(T), atol=1e-9)


def test_shipped_model_loads_with_the_features_of_this_code():
    model = learned.load()
    assert model.feature.shape[0] >= 10 and model.feature.max() < len(learned.FEATURES)


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


def _index(data, vecs, cats=True, params=DEFAULT_PARAMS):
    return CandidateIndex([r["id"] for r in data], [f"{r['title']}. {r['abstract']}" for r in data],
                          vecs, params, [r["categories"] for r in data] if cats else None)


def test_recommend_uses_the_re_ranker_when_every_feature_exists_deterministically():
    data = rows()
    vecs = np.random.default_rng(0).normal(size=(len(data), 16)).astype(np.float32)
    index = _index(data, vecs)
    pos = [Positive(f"x{n}", "X", data[n]["abstract"], vec=vecs[n] + 0.05,
                    categories=tuple(data[n]["categories"])) for n in (4, 60, 99)]
    got = recommend(index, pos, limit=150)
    parts, _ = components(index, pos, (), DEFAULT_PARAMS)
    assert all(k in parts for k in learned.FEATURES if k != "fused")
    final = learned.rerank(parts, fuse(parts, DEFAULT_PARAMS, len(index), index))
    want = sorted(range(len(index)), key=lambda i: (-round(final[i], 6), index.ids[i]))
    assert [r.id for r in got] == [index.ids[i] for i in want]
    assert {r.id for r in got[:3]} == {data[n]["id"] for n in (4, 60, 99)}  # the rewordings
    plain = recommend(index, pos, limit=150, params=Params(rerank=False))
    assert [r.id for r in plain] != [r.id for r in got]  # the re-ranker changes the order
    again = recommend(_index(list(reversed(data)), vecs[::-1].copy()), pos, limit=150)
    assert [(r.id, r.score) for r in again] == [(r.id, r.score) for r in got]
    no_cats = recommend(_index(data, vecs, cats=False), pos, limit=150)
    assert [r.id for r in no_cats] == [r.id for r in plain]


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
    assert before[twin["id"]] - after[twin["id"]] > 10 * abs(before[other] - after[other])

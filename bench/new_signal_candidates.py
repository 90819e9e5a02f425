"""More candidate signals for the re-ranker, tried by ``eval_recommend_new_signal.py --more``
(bench only; each a z-score over the candidates, per tuning-half reader):

  url            IDF mass of the code and project URLs (github.com/<org>, huggingface.co/<org>,
                 other hosts) in the abstract or comment shared with the closest positive
  bigram         the same over word bigrams in at most 10 candidates
  rare20         ``rank.signals``' rare words with at most 20 candidates instead of 10
  rare_sum       its rare-word overlap summed over the positives instead of the closest one
  coh_rare<k>    the most rare-word IDF mass shared with one of the fusion's top k (k 5, 10,
                 20, 50; no suffix: 10), the candidate itself left out
  coh_tfidf<k>, coh_minilm<k>        mean TF-IDF / MiniLM cosine to the fusion's top k
  cohmax_tfidf<k>, cohmax_minilm<k>  highest such cosine (k 10: shipped as
                 ``signals.near_top``'s toplex / topemb)
"""
import re
import numpy as np
from paperradar.rank.learned import z
from paperradar.rank.signals import near_top

URL = re.compile(r"(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+(?:com|org|io|ai|net|edu|dev|"
                 r"page|site|cn|co|me))(/[A-Za-z0-9_.-]+)?", re.I)
CODE_HOSTS = ("github.com", "huggingface.co", "gitlab.com")


def url_keys(doc):
    out = []
    for host, path in URL.findall(doc):
        host = host.lower()
        if host in CODE_HOSTS:
            if path and path.lower() not in ("/datasets", "/spaces", "/collections", "/papers"):
                out.append(host + path.lower())
        elif host not in ("arxiv.org", "doi.org"):
            out.append(host)
    return out


class Overlap:
    def __init__(self, docs, max_df, **kw):
        from sklearn.feature_extraction.text import CountVectorizer
        self.cv = CountVectorizer(binary=True, dtype=np.float64, max_df=max_df, **kw)
        X = self.cv.fit_transform(list(docs)).tocsr()
        df = np.asarray(X.sum(axis=0)).ravel()
        self.W = X.multiply(np.log(len(docs) / df)).tocsr()

    def sims(self, docs):
        Q = self.cv.transform(list(docs))
        return (self.W @ Q.T).toarray()


class More:
    """Candidate-side state of the experimental signals."""

    def __init__(self, texts, comments, X, V=None):
        self.V = V  # MiniLM vectors of the candidates, unit rows
        both = [t + " " + c for t, c in zip(texts, comments)]
        self.url = Overlap(both, 50, analyzer=url_keys, lowercase=False)
        self.bigram = Overlap(texts, 10, ngram_range=(2, 2), strip_accents="unicode")
        self.rare20 = Overlap(texts, 20, strip_accents="unicode")
        self.rare = Overlap(texts, 10, strip_accents="unicode")
        self.X = X  # the production TF-IDF of the candidates (L2-normalised rows)
        self.Xc = X.tocsc()

    def features(self, texts, comments, fused):
        both = [t + " " + c for t, c in zip(texts, comments)]
        out = {}
        out["url"] = z(self.url.sims(both).max(axis=1))
        out["bigram"] = z(self.bigram.sims(texts).max(axis=1))
        out["rare20"] = z(self.rare20.sims(texts).max(axis=1))
        r = self.rare.sims(texts)
        out["rare_sum"] = z(r.sum(axis=1))
        order = np.argsort(-fused, kind="stable")
        for k in (5, 10, 20, 50):
            sfx = "" if k == 10 else str(k)
            top = order[:k]
            W = self.rare.W
            S = (W @ W[top].T).toarray()
            S[top, np.arange(k)] = 0.0  # not a candidate's own overlap
            out["coh_rare" + sfx] = z(S.max(axis=1))
            C = (self.X @ self.X[top].T).toarray()
            C[top, np.arange(k)] = 0.0
            out["coh_tfidf" + sfx] = z(C.mean(axis=1))
            near = near_top(self.X, self.V, fused, k, Xc=self.Xc)  # the shipped features at k 10
            out["cohmax_tfidf" + sfx] = near["toplex"]
            if self.V is not None:
                D = self.V @ self.V[top].T
                D[top, np.arange(k)] = 0.0
                out["coh_minilm" + sfx] = z(D.mean(axis=1))
                out["cohmax_minilm" + sfx] = near["topemb"]
        return out

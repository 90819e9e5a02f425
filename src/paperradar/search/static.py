"""A static embedding model distilled from MiniLM, for bulk indexing (thousands of papers/s
instead of ~25): every vocabulary token is embedded once by MiniLM (as ``[CLS] t [SEP]``,
mean-pooled); a text's vector is the IDF-weighted mean of its tokens' vectors minus the
corpus mean direction, normalised. Same 384-d space *shape* as MiniLM but not the same space,
so documents and queries must both use it (``PAPERRADAR_EMBED_MODEL=static:/path/to/dir``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from paperradar.search.model_files import EmbedderError, sha256_file

STATIC_PREFIX = "static:"


def distill(source_dir: Path, out_dir: Path, corpus: Sequence[str], *, threads: int = 1,
            batch: int = 1024, progress: Callable[[int, int], None] | None = None) -> dict:
    """Write ``vectors.npy``, ``idf.npy``, ``center.npy``, ``tokenizer.json``, ``meta.json``."""
    import torch
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

    torch.set_num_threads(max(1, threads))
    st = SentenceTransformer(str(source_dir), device="cpu")
    tok, bert = st.tokenizer, st[0].auto_model
    size, cls, sep = tok.vocab_size, tok.cls_token_id, tok.sep_token_id
    vecs = np.zeros((size, bert.config.hidden_size), np.float32)
    with torch.inference_mode():
        for i in range(0, size, batch):
            ids = torch.arange(i, min(size, i + batch))
            n = len(ids)
            inp = torch.stack([torch.full((n,), cls), ids, torch.full((n,), sep)], 1)
            out = bert(input_ids=inp, attention_mask=torch.ones_like(inp)).last_hidden_state
            vecs[i:i + n] = out.mean(1).numpy()
            if progress:
                progress(i + n, size)
    fast = Tokenizer.from_file(str(Path(source_dir) / "tokenizer.json"))
    df = np.zeros(size, np.float64)
    encoded = fast.encode_batch(list(corpus), add_special_tokens=False)
    for enc in encoded:
        df[np.unique(np.array(enc.ids, np.int64))] += 1
    idf = np.log((len(corpus) + 1) / (df + 1)).astype(np.float32) + 1.0
    out_dir.mkdir(parents=True, exist_ok=True)
    np.save(out_dir / "vectors.npy", vecs.astype(np.float16))
    np.save(out_dir / "idf.npy", idf)
    shutil.copy(Path(source_dir) / "tokenizer.json", out_dir / "tokenizer.json")
    model = StaticEmbedder(out_dir, name="tmp", center=False)
    sample = list(corpus)[:5000]
    center = model.embed(sample, normalise=False).mean(0) if sample else np.zeros(vecs.shape[1])
    np.save(out_dir / "center.npy", center.astype(np.float32))
    meta = {"source": str(source_dir), "source_sha256": sha256_file(Path(source_dir) / "model.safetensors"),
            "vocab": size, "dim": int(vecs.shape[1]), "idf_docs": len(corpus)}
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=1))
    return meta


class StaticEmbedder:
    """Embedder over a distilled directory (see ``distill``)."""

    def __init__(self, path: Path, *, name: str, max_tokens: int = 512, center: bool = True):
        from tokenizers import Tokenizer

        path = Path(path)
        try:
            self.vecs = np.load(path / "vectors.npy").astype(np.float32)
            self.idf = np.load(path / "idf.npy").astype(np.float32)
            self.center = np.load(path / "center.npy") if center else None
            self.tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        except (OSError, ValueError) as exc:
            raise EmbedderError(f"cannot load static model from {path}: {exc}") from exc
        self.tok.no_padding()
        self.tok.enable_truncation(max_tokens)
        self.name = name
        self.dim = int(self.vecs.shape[1])
        self.weighted = self.vecs * self.idf[:, None]

    def embed(self, texts: Sequence[str], normalise: bool = True) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, enc in enumerate(self.tok.encode_batch(list(texts), add_special_tokens=False)):
            ids = np.array(enc.ids, np.int64)
            if ids.size:
                out[row] = self.weighted[ids].sum(0) / max(float(self.idf[ids].sum()), 1e-6)
        if self.center is not None:
            out -= self.center
        if normalise:
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            out /= np.where(norms > 0, norms, 1.0)
        return out


def is_static(model: str) -> bool:
    return model.startswith(STATIC_PREFIX)


def static_path(model: str) -> Path:
    return Path(model[len(STATIC_PREFIX):]).expanduser()

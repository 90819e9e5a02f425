"""The ONNX Runtime backend gives the same vectors as sentence-transformers."""

from __future__ import annotations

import numpy as np
import pytest

from paperradar.config import Settings
from paperradar.search.embed import load_embedder, model_label

pytest.importorskip("onnxruntime")


def test_onnx_matches_torch(settings, embedder):
    s = settings.model_copy(update={"embed_model": "onnx:all-MiniLM-L6-v2"})
    onnx = load_embedder(s)
    assert onnx.name == embedder.name == model_label(s) == "all-MiniLM-L6-v2"
    texts = ["graph neural networks for molecules", "x",
             "A much longer text about diffusion models for video generation. " * 20]
    a, b = onnx.embed(texts), embedder.embed(texts)
    assert a.shape == b.shape and np.all(np.sum(a * b, axis=1) > 0.999)
    assert (settings.index_dir / "onnx").is_dir()


def test_onnx_only_for_the_bundled_model(tmp_path):
    from paperradar.search.embed import EmbedderError

    with pytest.raises(EmbedderError, match="bundled"):
        load_embedder(Settings(env="test", data_dir=tmp_path, embed_model="onnx:other-model"))

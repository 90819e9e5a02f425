"""Settings: read from ``PAPERRADAR_*`` environment variables (and an optional ``.env``).

Built explicitly by the CLI or the web app (``Settings()``), never at import time.
In production (``PAPERRADAR_ENV=production``) insecure defaults are refused: the secret
key must be set and strong, and the base URL must be https.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_PLACEHOLDER = "dev-insecure-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAPERRADAR_", env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    data_dir: Path = Path("paperradar-data")
    database_url: str = ""  # default: sqlite:///<data_dir>/paperradar.db
    secret_key: SecretStr = SecretStr(DEV_SECRET_PLACEHOLDER)
    base_url: str = "http://127.0.0.1:8000"

    # Upstream sources (base URLs, so tests and mirrors can point elsewhere).
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_oai_url: str = "https://oaipmh.arxiv.org/oai"
    arxiv_rss_url: str = "https://rss.arxiv.org/atom"
    hf_api_url: str = "https://huggingface.co/api"
    http_min_interval: float = Field(3.0, ge=0, description="seconds between requests to one host")
    http_timeout: float = 30.0
    http_max_retries: int = Field(5, ge=0)
    http_max_retry_after: float = Field(600.0, ge=0, description="longest Retry-After honoured")
    user_agent: str = "paperradar/0.1 (+https://github.com/paperradar)"

    # Search
    embed_model: str = "all-MiniLM-L6-v2"  # the bundled offline model, or a path / hub name
    embed_threads: int = Field(1, ge=1)
    embed_batch_size: int = Field(64, ge=1)
    embed_max_tokens: int = Field(256, ge=16)

    # Mail
    smtp_url: str = "smtp://127.0.0.1:25"
    mail_from: str = "paperradar <digest@localhost>"

    @property
    def sqlite_path(self) -> Path:
        url = self.resolved_database_url
        if not url.startswith("sqlite:///"):
            raise ValueError(f"not a SQLite database URL: {url}")
        return Path(url[len("sqlite:///"):])

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'paperradar.db'}"

    @property
    def index_dir(self) -> Path:
        """Indexes kept beside the database (rebuildable from it)."""
        url = self.resolved_database_url
        if url.startswith("sqlite:///"):
            db = self.sqlite_path
            return db.parent / (db.stem + "-index")
        return self.data_dir / "index"

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> "Settings":
        if self.env != "production":
            return self
        key = self.secret_key.get_secret_value()
        if key == DEV_SECRET_PLACEHOLDER or len(key) < 32:
            raise ValueError(
                "PAPERRADAR_SECRET_KEY must be set to a random value of at least 32 characters "
                f"in production (e.g. {secrets.token_urlsafe(32)!r})"
            )
        if not self.base_url.startswith("https://"):
            raise ValueError("PAPERRADAR_BASE_URL must be an https:// URL in production")
        return self

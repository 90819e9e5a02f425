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

    # Community (accounts, sessions, rate limits "N/period" with period in s, m, h or d)
    session_max_age_days: float = Field(30.0, gt=0)
    session_idle_days: float = Field(7.0, gt=0, description="a session unused this long ends")
    argon2_time_cost: int = Field(3, ge=1)
    argon2_memory_cost: int = Field(65536, ge=8, description="KiB")
    argon2_parallelism: int = Field(4, ge=1)
    verify_token_hours: float = Field(48.0, gt=0)
    reset_token_hours: float = Field(1.0, gt=0)
    rate_limits_enabled: bool = True
    rate_limit_login: str = "10/5m"  # per (account, IP) pair
    rate_limit_login_ip: str = "30/5m"  # per IP, whatever the accounts
    rate_limit_login_account: str = "10/5m"  # per account, except from its known devices
    rate_limit_signup: str = "5/1h"  # per IP
    rate_limit_reset: str = "5/1h"  # per account and per IP
    rate_limit_comment: str = "10/1m"  # per user
    rate_limit_submit: str = "10/1h"  # per user
    rate_limit_collection: str = "20/1h"  # new collections per user
    rate_limit_token: str = "10/1h"  # new API tokens per user
    max_collections: int = Field(100, ge=1, description="collections per account")
    max_collection_items: int = Field(1000, ge=1, description="papers per collection")
    max_api_tokens: int = Field(10, ge=1, description="live API tokens per account")
    submit_daily_quota: int = Field(5, ge=0, description="submissions per user per UTC day")
    submit_max_age_days: int = Field(30, ge=1, description="oldest paper (first version) accepted")
    submit_fetch_deadline: float = Field(5.0, gt=0, description="seconds a submit may wait "
                                         "for arXiv before answering 504")
    submit_fetch_slots: int = Field(4, ge=1, description="arXiv lookups for submits at once "
                                    "(the rest get 503; the server has ~40 threads)")

    # Serving (slow clients, proxies)
    header_read_timeout: float = Field(10.0, gt=0, description="seconds for a request's headers")
    body_read_timeout: float = Field(20.0, gt=0, description="longest pause inside a body")
    body_total_timeout: float = Field(60.0, gt=0, description="seconds for a whole body")
    trusted_proxies: str = Field("", description="comma-separated proxy IPs whose "
                                 "X-Forwarded-For is believed; empty = none")

    # Search
    embed_model: str = "all-MiniLM-L6-v2"  # the bundled offline model, or a path / hub name
    embed_threads: int = Field(1, ge=1)
    embed_batch_size: int = Field(64, ge=1)
    embed_max_tokens: int = Field(256, ge=16)
    query_backend: Literal["onnx", "torch"] = Field(
        "onnx", description="how queries are embedded with the bundled MiniLM (same vectors; "
        "ONNX Runtime 2.7 ms vs torch 8.2 ms per query, measured)")

    # Mail
    # "" (the default) or "outbox": no SMTP, every message is written to <data_dir>/outbox/
    # as an .eml file (read with `paperradar mail outbox` or, from 127.0.0.1, at /outbox).
    # Production refuses "" (set an SMTP URL, or "outbox" to run with mail off on purpose).
    smtp_url: str = ""
    mail_from: str = "paperradar <digest@localhost>"
    smtp_timeout: float = Field(30.0, gt=0)
    smtp_rate_limit: float = Field(10.0, ge=0, description="messages per second; 0 = unlimited")
    smtp_max_retries: int = Field(4, ge=0, description="retries of 4xx answers / dropped connections")
    smtp_retry_base: float = Field(1.0, ge=0, description="first backoff delay, doubled per retry")
    bounce_threshold: int = Field(3, ge=1, description="5xx bounces before an address is suppressed")
    dkim_domain: str = ""  # DKIM signing is on when domain, selector and key file are all set
    dkim_selector: str = ""
    dkim_private_key_file: str = ""
    # Digests
    digest_confirm_ttl_hours: float = Field(48.0, gt=0)
    rate_limit_subscribe: str = "5/1h"  # subscribe requests per IP and per address
    digest_max_late_hours: float = Field(24.0, gt=0, description="skip slots older than this")
    digest_lease_seconds: float = Field(600.0, gt=0, description="claim lease of a ledger row")
    digest_search_mode: str = "hybrid"
    search_warmup: bool = Field(True, description="load the search model as the server starts")
    index_follow_seconds: float = Field(2.0, ge=0, description="a web node brings its full-text "
                                        "index up to date with the database this often; 0 = off")
    digest_trending_limit: int = Field(10, ge=0)
    digest_topic_limit: int = Field(5, ge=0)
    # Worker (cron-like: "minute hour day-of-month month day-of-week", UTC)
    worker_tick_seconds: float = Field(30.0, gt=0)
    worker_harvest_cron: str = "10 */6 * * *"
    worker_harvest_args: str = "harvest new --category cs.AI --category cs.CL --category cs.CV --category cs.LG"
    worker_index_cron: str = "40 */6 * * *"
    worker_index_args: str = "index"
    worker_digest_cron: str = "* * * * *"
    worker_digest_every_seconds: float = Field(
        0.0, ge=0, description="> 0: the long-running worker runs the digest job this often "
        "instead of on its cron spec (a run sends only what is due; tests use 1 s)")

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

    @property
    def mail_outbox(self) -> Path | None:
        """Where mail goes when there is no SMTP server (None when SMTP is configured)."""
        if self.smtp_url.strip() in ("", "outbox"):
            return self.data_dir / "outbox"
        return None

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
        if not self.smtp_url.strip():
            raise ValueError("PAPERRADAR_SMTP_URL must be set in production (e.g. "
                             "smtp+starttls://user:pass@mail.example:587), or set it to 'outbox' "
                             "to run with mail off (messages kept in the data directory)")
        return self

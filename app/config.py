"""Settings, read from the environment with the prefix ``CITAT_`` (pydantic-settings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All runtime settings. Every field can be set as ``CITAT_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CITAT_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///citat.db",
        description="SQLAlchemy URL. SQLite file in the working directory by default; "
        "postgresql+psycopg://user@host/db for PostgreSQL.",
    )
    seeds_dir: Path = Field(
        default=PROJECT_ROOT / "seeds",
        description="Folder of articles ingested by `citat serve` when the database is empty.",
    )
    load_seeds: bool = Field(default=True, description="Ingest seeds_dir on an empty database.")
    demo_dir: Path = Field(
        default=PROJECT_ROOT / "corpus" / "work" / "docs",
        description="The openly licensed demo archive (the gold corpus's articles, each with a "
        ".meta.json of title, date, source, licence and attribution), ingested with the seeds.",
    )
    load_demo: bool = Field(
        default=True, description="Ingest demo_dir too when the seeds are loaded into an empty "
        "database (false: the seeds alone).",
    )
    models: dict[str, str] = Field(
        default_factory=dict,
        description="spaCy pipeline per language, as JSON: {\"sv\": \"PACKAGE-OR-PATH\", …}. "
        "The languages are those of app/extraction/lexicon/; a language not named uses the "
        "pipeline shipped in app/extraction/models/<code>, else a blank one.",
    )
    max_upload_bytes: int = Field(
        default=2 * 1024 * 1024, description="Largest accepted upload or pasted text, in bytes."
    )
    secret_key: str | None = Field(
        default=None,
        description="Key that signs CSRF tokens. Unset: a random key is kept in secret_file.",
    )
    secret_file: Path = Field(
        default=Path(".citat-secret"),
        description="Where the generated secret key is kept when secret_key is unset.",
    )
    base_url: str | None = Field(
        default=None,
        description="Public base URL for absolute links (OpenGraph). "
        "Unset: taken from the request.",
    )
    queue: str = Field(
        default="sqlite:///citat-queue.db",
        description="Job queue (huey): sqlite:///FILE (no server), redis://HOST:6379/0, "
        "postgresql://USER@HOST/DB, or immediate (run jobs at once in the caller).",
    )
    worker_in_process: bool = Field(
        default=True,
        description="`citat serve` also runs a queue worker in its own process (zero setup). "
        "Turn off when separate `citat worker` processes do the work.",
    )
    workers: int = Field(default=1, ge=1, le=64, description="Worker threads per worker process.")
    max_attempts: int = Field(default=3, ge=1, le=20, description="Tries before a job fails.")
    job_lease_seconds: int = Field(
        default=120, ge=1, description="How long a job may run before it counts as lost and "
        "is re-queued (a worker died).",
    )
    extraction_time_limit: float = Field(
        default=300.0, gt=0, le=86_400, description="Seconds one article's extraction may "
        "take in a queue worker (it runs in a child process); a longer one is stopped and the "
        "article marked failed with the reason.",
    )
    max_batch_files: int = Field(
        default=50, ge=1, le=10_000, description="Most files in one upload (several files or "
        "a .zip).",
    )
    fetch_allowed_hosts: str = Field(
        default="",
        description="Comma-separated hosts (host or host:port) that URL fetching may reach even "
        "though they are on loopback/private addresses. Empty: only public addresses.",
    )
    fetch_timeout: float = Field(default=10.0, gt=0, le=120, description="URL fetch time limit.")
    ratelimit_storage: str = Field(
        default="memory://",
        description="Where rate-limit counters live: memory:// (one process) or "
        "redis://HOST:6379 (shared by several web processes).",
    )
    ratelimit_upload: str = Field(
        default="30/minute",
        description="Uploads per client (the form and POST /api/articles together).")
    ratelimit_login: str = Field(default="10/minute", description="Login attempts per client.")
    ratelimit_report: str = Field(default="5/minute", description="Reports per client.")
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks of reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto are believed. Empty: none (the client is the "
        "connecting address).",
    )
    request_threads: int | None = Field(
        default=None, ge=1, le=1000, description="Threads a web process runs its requests' "
        "blocking work on (reads, renders) at once; unset: the server's default (40). Fewer "
        "narrow the tail of CPU-bound pages (bench/README.md: one a process on SQLite took "
        "the search page's p99 from 122 to 52 ms); URL fetches have threads of their own.",
    )
    max_fetches: int = Field(
        default=4, ge=1, le=256, description="URL fetches running at once in one web "
        "process, on their own threads (never the request threads); more wait their turn.",
    )
    max_fetches_waiting: int = Field(
        default=32, ge=0, le=10_000, description="URL fetches that may wait for one of the "
        "max_fetches threads; more are refused with 503 and Retry-After.",
    )
    ratelimit_verify: str = Field(default="30/minute",
                                  description="Verifications per client (form and API).")
    ratelimit_edit: str = Field(
        default="120/minute", description="Editors' changes per client (corrections, merges, "
        "closing reports, logging out).")
    secure_cookies: bool = Field(
        default=False,
        description="Mark cookies Secure (always set this behind HTTPS; on plain HTTP they are "
        "Secure only when the request itself was HTTPS).",
    )
    cache_seconds: float = Field(
        default=10.0, ge=0, description="How long a web process reuses archive-wide counts "
        "(home page, speaker statistics, facets) and whole pages rendered for readers who are "
        "not logged in (a POST to that process empties it); 0 = never.",
    )
    speaker_sure: float = Field(
        default=0.9,
        description="Speaker confidence (the probability that the named speaker is right) at "
        "or above which an attribution is shown as certain; below it a named speaker reads "
        "\"probably X\". Corrected and confirmed attributions are always certain. 0 to 1.",
    )
    shutdown_seconds: int = Field(
        default=5, ge=1, le=3600, description="After SIGTERM, how long `citat serve` lets "
        "requests under way finish before it cuts them off (a slow client cannot hold the "
        "server up).")
    host: str = Field(default="127.0.0.1", description="`citat serve` host.")
    port: int = Field(default=8000, description="`citat serve` port.")
    templates_dir: Path = Field(default=PROJECT_ROOT / "templates", description="Jinja templates.")
    static_dir: Path = Field(default=PROJECT_ROOT / "static", description="Static files.")

    @field_validator("speaker_sure", mode="after")
    @classmethod
    def _a_probability(cls, value: float) -> float:
        if not 0.0 <= value <= 1.0:  # NaN fails this too
            raise ValueError(f"CITAT_SPEAKER_SURE is a probability from 0 to 1, not {value}")
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()


def allowed_hosts(settings: Settings) -> frozenset[str]:
    """The fetch allow-list as a set."""
    return frozenset(h.strip().lower() for h in settings.fetch_allowed_hosts.split(",")
                     if h.strip())

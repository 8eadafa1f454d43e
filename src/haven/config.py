"""Haven's settings: one object, read from ``HAVEN_*`` variables, validated at start.

Build it once (``Settings()`` at the edge: ``create_app``, the CLI) and pass it in; nothing
reads the environment at import. Tests construct ``Settings(...)`` directly.

Secrets are ``SecretStr`` and each has a ``*_FILE`` variant (``HAVEN_SECRET_KEY_FILE``)
so that a container secret can be mounted instead of put in the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changethis", "change-me", "secret", "dev", "development"}
SECRET_FIELDS = ("secret_key", "llm_api_key")


class ConfigError(Exception):
    """Settings that Haven must not start with; the message says what to fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HAVEN_", extra="forbid", frozen=True)

    env: Literal["development", "test", "production"] = Field(
        "development", description="Deployment mode. `production` refuses placeholder secrets and turns /api/docs off."
    )
    data_dir: Path = Field(Path("var"), description="Where the default database and keyring live (created 0700).")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL. Default: SQLite at `<data_dir>/haven.db`. PostgreSQL: `postgresql+psycopg://…`.",
    )
    keyring_dir: Path | None = Field(
        None, description="Directory of key-encryption key files (default `<data_dir>/keys`, 0700, files 0600)."
    )
    shred_ledger_path: Path | None = Field(
        None,
        description="Append-only record of erased members, kept outside the database and its backups "
        "(default `<keyring_dir>/shred-ledger.jsonl`).",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Server secret for keyed hashes of throttling buckets. Default: generated once into the keyring "
        "directory. Required (and not a placeholder) in production.",
    )
    public_url: str | None = Field(
        None, description="External URL, e.g. `https://haven.example.org`; https turns on Secure cookies and HSTS."
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed.",
    )
    max_body_bytes: int = Field(64 * 1024, ge=1024, description="Largest request body accepted (413 beyond).")
    member_idle_minutes: int = Field(30, ge=1, description="Member session idle timeout.")
    member_absolute_hours: int = Field(12, ge=1, description="Member session absolute lifetime.")
    clinician_idle_minutes: int = Field(15, ge=1, description="Clinician and operator session idle timeout.")
    clinician_absolute_hours: int = Field(12, ge=1, description="Clinician and operator session absolute lifetime.")
    login_account_failures_per_hour: int = Field(
        100, ge=5, description="Failed logins per account per hour before 429 (back-off starts at the fifth)."
    )
    login_address_failures_per_hour: int = Field(
        300, ge=5, description="Failed logins per client address per hour before 429."
    )
    argon2_time_cost: int = Field(3, ge=1, description="Argon2id iterations (argon2-cffi default 3).")
    argon2_memory_kib: int = Field(65536, ge=8192, description="Argon2id memory in KiB (argon2-cffi default 64 MiB).")
    argon2_parallelism: int = Field(4, ge=1, description="Argon2id lanes (argon2-cffi default 4).")
    argon2_max_concurrent: int = Field(2, ge=1, description="Passphrase hashes computed at once, to bound memory.")
    log_level: str = Field("INFO", description="Python log level for Haven's structured logs.")
    llm_base_url: str | None = Field(
        None,
        description="OpenAI-compatible server (vLLM, llama.cpp server, Ollama), e.g. `http://127.0.0.1:8010/v1`. Off when unset; "
        "members must also consent.",
    )
    llm_model: str = Field("haven-listener", description="Model name sent to the LLM server.")
    llm_api_key: SecretStr | None = Field(None, description="Bearer key for the LLM server, if it needs one.")
    llm_timeout_seconds: float = Field(2.0, gt=0, le=30, description="After this, Haven answers from its templates.")
    llm_daily_quota: int = Field(200, ge=0, description="LLM-phrased replies per member per day (then templates).")

    @model_validator(mode="before")
    @classmethod
    def _read_secret_files(cls, values: dict) -> dict:
        """``HAVEN_<NAME>_FILE`` points at a file holding the secret; it wins over nothing, loses to nothing."""
        for name in SECRET_FIELDS:
            path = os.environ.get(f"HAVEN_{name.upper()}_FILE")
            if path and not values.get(name):
                try:
                    values[name] = Path(path).read_text().strip()
                except OSError as exc:
                    raise ValueError(f"HAVEN_{name.upper()}_FILE cannot be read: {exc.strerror}") from None
        return values

    @field_validator("database_url")
    @classmethod
    def _normalise_driver(cls, url: str | None) -> str | None:
        if url and url.startswith(("postgres://", "postgresql://")):
            return "postgresql+psycopg://" + url.split("://", 1)[1]
        return url

    @model_validator(mode="after")
    def _refuse_weak_production(self) -> Settings:
        if self.env == "production":
            secret = self.secret_key.get_secret_value() if self.secret_key else ""
            if secret.lower() in PLACEHOLDER_SECRETS or len(secret) < 32:
                raise ValueError(
                    "HAVEN_SECRET_KEY (or HAVEN_SECRET_KEY_FILE) must be set to at least 32 random characters in production"
                )
            if not self.public_url or not self.public_url.startswith("https://"):
                raise ValueError("HAVEN_PUBLIC_URL must be an https:// URL in production")
        return self

    # Derived paths: one place decides the defaults under data_dir.
    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'haven.db'}"

    @property
    def resolved_keyring_dir(self) -> Path:
        return self.keyring_dir or self.data_dir / "keys"

    @property
    def resolved_shred_ledger_path(self) -> Path:
        return self.shred_ledger_path or self.resolved_keyring_dir / "shred-ledger.jsonl"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def https(self) -> bool:
        return bool(self.public_url and self.public_url.startswith("https://"))


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, turning validation errors into one readable ConfigError."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = [f"  {'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors()]
        raise ConfigError("Haven's settings are not valid:\n" + "\n".join(lines)) from None


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def local_secret(settings: Settings, purpose: str) -> bytes:
    """A 32-byte server secret for one purpose (throttle buckets, the audit head MAC …).

    Derived from HAVEN_SECRET_KEY when it is set; otherwise generated once into the keyring
    directory (0600), so a development install needs no configuration.
    """
    import hashlib
    import hmac

    if settings.secret_key is not None:
        key = settings.secret_key.get_secret_value().encode()
        return hmac.new(key, f"haven:{purpose}".encode(), hashlib.sha256).digest()
    return _load_or_create_secret(settings.resolved_keyring_dir / f"{purpose}.secret")


_secret_cache: dict[Path, bytes] = {}


def _load_or_create_secret(path: Path) -> bytes:
    import secrets

    if path in _secret_cache:
        return _secret_cache[path]
    if not path.exists():
        ensure_private_dir(path.parent)
        # Write a complete file aside, then link it into place: concurrent first users agree
        # on one secret and never read a half-written one.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_bytes(32))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    data = path.read_bytes()
    if len(data) != 32:
        raise ConfigError(f"{path} must hold exactly 32 bytes; restore it from backup or remove it to start afresh")
    _secret_cache[path] = data
    return data

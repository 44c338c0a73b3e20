"""Every setting of the project, read from ``AIPOSTS_*`` environment variables in one place.

Other modules receive a ``Settings`` object; none of them reads the environment itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr

PREFIX = "AIPOSTS_"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aiposts"


class Settings(BaseModel):
    """The documented configuration. Each field ``x`` is read from ``AIPOSTS_X``."""

    es_url: str = Field("http://127.0.0.1:9200", description="Elasticsearch URL(s), comma-separated")
    es_username: str | None = Field(None, description="user for a secured cluster")
    es_password: str | None = Field(None, description="password for a secured cluster")
    es_api_key: str | None = Field(None, description="Elasticsearch API key (instead of user/password)")
    es_ca_file: str | None = Field(None, description="CA certificate file for https clusters")
    es_timeout: float = Field(10.0, description="seconds per Elasticsearch request")
    index: str = Field("aiposts", description="alias that search and ingest use")
    replicas: int | None = Field(
        None, ge=0,
        description="replicas per index; unset: 1 when the cluster has more than one data node, else 0",
    )
    shards: int = Field(1, description="primary shards per index")
    cache_dir: Path = Field(default_factory=_default_cache_dir, description="downloads and local node data")
    es_version: str = Field("9.5.4", description="version of the local development node")
    es_port: int = Field(9200, description="HTTP port of the local development node")
    es_user: str = Field("aiposts-es", description="system user that runs the local node")
    es_heap: str = Field("1g", description="heap of the local node")
    es_cluster_port: int = Field(
        9401,
        description="first HTTP port of the local cluster (aiposts-es start --nodes N); "
        "transport ports are 100 above",
    )
    es_cluster_heap: str = Field("512m", description="heap of each node of the local cluster")
    java_home: str | None = Field(None, description="JDK for the local node (found when unset)")
    workers: int = Field(0, description="analysis processes for ingest (0 = one per core)")
    analysis_max_chars: int = Field(
        1_000_000, description="characters per language analyzed in one post; the rest is stored only"
    )
    analysis_cache_mb: int = Field(
        64, description="memory per analysis process for remembering analyzed lines (0 = off)"
    )
    api_host: str = Field("127.0.0.1", description="address the API binds to")
    api_port: int = Field(8000, description="port the API listens on")
    api_workers: int = Field(
        1, ge=1, le=64, description="API worker processes (each with its own Elasticsearch client)"
    )
    api_keys: str | None = Field(None, description="comma-separated keys; when set, requests need one")
    cors_origins: str = Field("", description="comma-separated origins allowed by CORS")
    es_wait: float = Field(2.0, description="seconds the API waits for Elasticsearch before a 503")
    cursor_key: SecretStr | None = Field(
        None, min_length=16,
        description="secret (16+ characters) that signs search cursors, the same for every API worker; "
        "unset: a random one made once in AIPOSTS_CACHE_DIR/cursor.key",
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, str] = {}
        for name in cls.model_fields:
            raw = env.get(PREFIX + name.upper())
            if raw is not None and raw != "":
                values[name] = raw
        return cls(**values)

    @property
    def es_hosts(self) -> list[str]:
        return [u.strip() for u in self.es_url.split(",") if u.strip()]

    def es_client_kwargs(self) -> dict[str, object]:
        """Arguments shared by the sync and async Elasticsearch clients."""
        kwargs: dict[str, object] = {"hosts": self.es_hosts, "request_timeout": self.es_timeout}
        if self.es_api_key:
            kwargs["api_key"] = self.es_api_key
        elif self.es_username:
            kwargs["basic_auth"] = (self.es_username, self.es_password or "")
        if self.es_ca_file:
            kwargs["ca_certs"] = self.es_ca_file
        return kwargs


def documented_settings() -> list[tuple[str, str, str]]:
    """(variable, default, description) rows, for the README and ``--help`` texts."""
    rows = []
    for name, field in Settings.model_fields.items():
        default = field.default if field.default_factory is None else "(per user)"
        rows.append((PREFIX + name.upper(), str(default), field.description or ""))
    return rows

"""The mixed workload: which requests, in what proportion.

Kinds: ``search`` (plain queries, Japanese and English, some phrases and filters),
``facets`` (a search with every facet), ``export`` (a small filtered export, read to the end)
and ``timeline`` (the trends endpoint when the API has one, else the ``months`` facet, which
is the same histogram).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import httpx

SEARCH_QUERIES = (
    "生成AI 著作権",
    "ローカルLLM",
    "自動運転",
    "画像生成",
    "議事録",
    "エージェント",
    "facial recognition",
    "humanoid robot",
    "copyright lawsuit",
    "GPT-4o",
    "Gemini 2.5",
    "Claude Code",
    '"reinforcement learning"',
    "アンソロピック",
    "DeepSeek R1",
    "Opus 4.8",
)
FACET_QUERIES = ("Anthropic", "OpenAI", "生成AI", "NVIDIA", "robot", "LLM")
EXPORT_QUERIES = ("AlphaFold", "Sakana AI", "ハギングフェイス", "protein folding")
TIMELINE_QUERIES = ("Claude", "GPT-5", "生成AI", "deepfake", "Sora")
MIX = {"search": 60, "facets": 20, "timeline": 15, "export": 5}


@dataclass(frozen=True)
class Request:
    kind: str
    path: str
    params: dict[str, Any]
    stream: bool = False


@dataclass
class Workload:
    mix: dict[str, int] = field(default_factory=lambda: dict(MIX))
    timeline_path: str | None = None  # a /v1/trends/* path, when the API has one
    seed: int = 7

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._kinds = [k for k, w in self.mix.items() if w > 0]
        self._weights = [self.mix[k] for k in self._kinds]

    def make(self, kind: str) -> Request:
        rng = self._rng
        if kind == "search":
            params: dict[str, Any] = {"q": rng.choice(SEARCH_QUERIES), "size": 10}
            if rng.random() < 0.3:
                params["lang"] = rng.choice(("ja", "en"))
            if rng.random() < 0.2:
                params["from"] = "2025-01-01"
            return Request(kind, "/v1/search", params)
        if kind == "facets":
            return Request(
                kind,
                "/v1/search",
                {
                    "q": rng.choice(FACET_QUERIES),
                    "size": 10,
                    "highlight": "false",
                    "facets": "tags,entities,sources,langs,months",
                },
            )
        if kind == "export":
            return Request(kind, "/v1/export", {"q": rng.choice(EXPORT_QUERIES)}, stream=True)
        if kind == "timeline":
            q = rng.choice(TIMELINE_QUERIES)
            if self.timeline_path:
                return Request(kind, self.timeline_path, {"q": q})
            return Request(
                kind,
                "/v1/search",
                {"q": q, "size": 1, "highlight": "false", "facets": "months", "facet_size": 100},
            )
        raise ValueError(f"unknown kind {kind!r}")

    def next(self) -> Request:
        return self.make(self._rng.choices(self._kinds, self._weights)[0])


def find_timeline(base_url: str, client: httpx.Client | None = None) -> str | None:
    """A parameterless GET path under /v1/trends/ from the API's OpenAPI document, preferring
    one named like a timeline; None when the API has none yet."""
    own = client is None
    client = client or httpx.Client(timeout=10)
    try:
        paths = client.get(base_url + "/openapi.json").json().get("paths", {})
    except (httpx.HTTPError, ValueError):
        return None
    finally:
        if own:
            client.close()
    found = [p for p, ops in paths.items() if p.startswith("/v1/trends") and "{" not in p and "get" in ops]
    for word in ("timeline", "volume", "histogram", "series"):
        for p in found:
            if word in p:
                return p
    return found[0] if found else None

"""Tag keys: one key for every spelling of a tag, so facets and filters group them.

``#Model Welfare``, ``model welfare``, ``Model-Welfare``, ``model_welfare`` and
``ＭＯＤＥＬ　ＷＥＬＦＡＲＥ`` all give ``model-welfare``: NFKC, case folding, leading ``#``
dropped, runs of spaces/``-``/``_`` become one ``-``. Other characters are kept as written
(生成ai, ci/cd, c++, node.js, 2024年); CamelCase is not split (OpenAI must not become open-ai).
Then ``data/tag_synonyms.yaml`` maps a few variants to one canonical key (llms -> llm).
"""

from __future__ import annotations

import functools
import re

import yaml

from indexer.analysis.normalize import normalize
from indexer.analysis.resources import read_data

SYNONYMS_FILE = "tag_synonyms.yaml"
_SEP_RE = re.compile(r"[\s_\-]+")
_HASH_RE = re.compile(r"^[\s#＃]+")


def tag_display(display: str) -> str:
    """The display form: no leading ``#``, no surrounding or repeated whitespace."""
    return " ".join(_HASH_RE.sub("", display).split())


def raw_tag_key(display: str) -> str:
    """The key before synonyms ("" for a tag with nothing but ``#`` and separators)."""
    text = _HASH_RE.sub("", normalize(display))  # after NFKC: full-width ＃ is # too
    return _SEP_RE.sub("-", text).strip("-")


@functools.cache
def synonyms() -> dict[str, str]:
    """Variant key -> canonical key, from the data file."""
    data = yaml.safe_load(read_data(SYNONYMS_FILE)) or {}
    if not isinstance(data.get("version"), int):
        raise ValueError(f"{SYNONYMS_FILE}: missing integer 'version'")
    out: dict[str, str] = {}
    for canonical, variants in (data.get("synonyms") or {}).items():
        key = raw_tag_key(str(canonical))
        for v in variants or []:
            variant = raw_tag_key(str(v))
            if variant in out and out[variant] != key:
                raise ValueError(f"{SYNONYMS_FILE}: {v!r} maps to two keys")
            if variant != key:
                out[variant] = key
    if set(out) & set(out.values()):
        raise ValueError(f"{SYNONYMS_FILE}: a canonical key is also listed as a variant")
    return out


def synonyms_version() -> int:
    return int(yaml.safe_load(read_data(SYNONYMS_FILE))["version"])


def tag_key(display: str, use_synonyms: bool = True) -> str:
    """The grouping key of a tag (see the module docstring); "" means: drop the tag."""
    key = raw_tag_key(display)
    return synonyms().get(key, key) if use_synonyms else key

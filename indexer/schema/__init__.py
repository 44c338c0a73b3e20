"""Build ``post.schema.json`` from the models: canonical ``Post`` or the flat form.

Run ``python -m indexer.schema`` after changing ``indexer.post.Post`` or
``indexer.sources.records.FlatPost``; a test checks the committed file is current.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from indexer.post import Post
from indexer.sources.records import FlatPost

SCHEMA_PATH = Path(__file__).with_name("post.schema.json")


def _split(schema: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = dict(schema)
    return schema, schema.pop("$defs", {})


def build_schema() -> dict[str, Any]:
    """One JSON Lines record: canonical (a ``Post`` with ``texts``) or flat (``FlatPost``)."""
    post, post_defs = _split(Post.model_json_schema())
    flat, flat_defs = _split(FlatPost.model_json_schema())
    clash = set(post_defs) & set(flat_defs)
    assert all(post_defs[k] == flat_defs[k] for k in clash), f"conflicting definitions: {clash}"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "aiposts input record",
        "description": (
            "One JSON Lines record. Canonical form: a Post, recognised by its 'texts' key. "
            "Flat form: one title/summary/body with tags as strings; unknown keys are ignored. "
            "See indexer/schema/README.md."
        ),
        "anyOf": [
            {"$ref": "#/$defs/Post", "required": ["texts"]},
            {"$ref": "#/$defs/FlatPost", "not": {"required": ["texts"]}},
        ],
        "$defs": {**post_defs, **flat_defs, "Post": post, "FlatPost": flat},
    }


def render_schema() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(render_schema(), encoding="utf-8")
    return path



"""The index contract: every key the document builder writes is in the mapping, and the
field names the query builder uses are the ones the mapping defines. No node needed."""

from __future__ import annotations

import json
from typing import Any

from api.query.build import compile_q
from indexer.analysis.pipeline import analyze_post
from indexer.index import fields as F
from indexer.index.document import apply_analysis, to_document
from indexer.index.mapping import mappings
from indexer.sources import read_records
from indexer.sources.base import Parsed
from tests.helpers import SEED_FULL, SEED_SHORT


def _mapped_paths(props: dict[str, Any], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for name, spec in props.items():
        path = f"{prefix}{name}"
        out.add(path)
        if "properties" in spec:
            out |= _mapped_paths(spec["properties"], path + ".")
    return out


def _written_paths(value: Any, prefix: str = "") -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            path = f"{prefix}{k}"
            out.add(path)
            out |= _written_paths(v, path + ".")
    elif isinstance(value, list):
        for v in value:
            out |= _written_paths(v, prefix)
    return out


def _seed_documents() -> list[dict[str, Any]]:
    docs = []
    for rec in read_records([SEED_FULL, SEED_SHORT]):
        assert isinstance(rec, Parsed)
        analysis = analyze_post(rec.post)  # type: ignore[arg-type]
        post = apply_analysis(rec.post, analysis)  # type: ignore[arg-type]
        docs.append(to_document(post, analysis))
    return docs


def test_every_key_the_document_builder_writes_is_mapped() -> None:
    mapped = _mapped_paths(mappings()["properties"])
    for doc in _seed_documents():
        written = _written_paths(doc)
        # "related" is stored, not indexed (enabled: false): its inside is not mapped
        unmapped = {p for p in written - mapped if not p.startswith("related.")}
        assert not unmapped, unmapped


def test_long_texts_get_passages_of_bounded_size() -> None:
    doc = max(_seed_documents(), key=lambda d: len(json.dumps(d)))
    passages = doc[F.SEARCH]["passages"]
    assert len(passages) > 3
    for p in passages:
        assert p["field"] in ("summary", "body", "section") and p["lang"] in F.LANGS
        text = doc["texts"][p["lang"]][p["field"]] if p["field"] != "section" else None
        if text is not None:
            span = text[p["start"] : p["end"]]
            assert span.strip() and (p["end"] - p["start"] <= F.PASSAGE_CHARS or "\n" not in span)


def test_query_fields_are_mapped_fields() -> None:
    mapped = _mapped_paths(mappings()["properties"])
    text = json.dumps(compile_q('Anthropic "Opus 4.8" モデルの福祉 title:agents').query, ensure_ascii=False)
    used = {f for f in (F.TITLE, F.TITLE_BASE, F.TITLE_BIGRAM, F.TEXT, F.TEXT_BASE, F.TEXT_BIGRAM,
                        F.PASSAGES, F.PASSAGE_TEXT, F.PASSAGE_BASE, F.PASSAGE_BIGRAM) if f'"{f}"' in text}
    assert used and used <= mapped

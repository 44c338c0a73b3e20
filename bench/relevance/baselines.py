"""The two baselines the project's search is compared with, over the same posts.

* ``standard``: the raw title, summary and body in one field with Elasticsearch's
  ``standard`` analyzer, searched with a plain ``match`` query (operator or);
* ``bigram``: the same raw text as character bigrams, what the ``cjk`` analyzer would give
  (width-folded and lowercased; overlapping 2-grams of every run of CJK characters, a lone
  CJK character as itself; Latin words and numbers whole; English stop words dropped),
  computed here in Python because the core-only local node has no ``cjk`` analyzer, indexed
  with the ``whitespace`` analyzer and searched the same way;
* ``fugashi``: the same raw text as the project's own tokens (fugashi + unidic-lite for
  kana/kanji, the Latin tokenizer for the rest; particles and stop words kept, nothing
  else of the project's ranking), indexed with ``whitespace``: plain BM25 over our tokens,
  which tells how much of the project's result comes from tokenization alone.

Both get the query's plain words: the API's syntax (quotes, ``OR``, ``-word``, ``field:``
prefixes, parentheses) is removed first, so a baseline is never hurt by syntax it lacks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from indexer.index.bulk import BulkWriter
from indexer.post import Post

BASELINE_VERSION = 1
BASELINES = ("standard", "bigram", "fugashi")

# Lucene's default English stop set, which the cjk analyzer applies.
ENGLISH_STOP = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    )
)

_CJK = "\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u3005"
_TOKEN_RE = re.compile(rf"([{_CJK}]+)|([0-9a-z\u00c0-\u024f]+(?:[.'_][0-9a-z\u00c0-\u024f]+)*)")
_SYNTAX_PREFIX_RE = re.compile(r"(?<![\w])(?:title|source|tag|entity|lang|author):", re.IGNORECASE)
_EXCLUDED_RE = re.compile(r'(?:^|\s)-(?:"[^"]*"|\S+)')


def bigrams(text: str) -> list[str]:
    """Tokens as the cjk analyzer would make them (see the module docstring)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    for cjk, word in _TOKEN_RE.findall(folded):
        if cjk:
            if len(cjk) == 1:
                out.append(cjk)
            else:
                out.extend(cjk[i : i + 2] for i in range(len(cjk) - 1))
        elif word not in ENGLISH_STOP:
            out.append(word)
    return out


def plain_words(query: str) -> str:
    """The query without the API's syntax: what a baseline is given."""
    text = unicodedata.normalize("NFKC", query)
    text = _EXCLUDED_RE.sub(" ", text)
    text = _SYNTAX_PREFIX_RE.sub(" ", text)
    text = re.sub(r"\bOR\b", " ", text)
    text = re.sub(r'["()]', " ", text)
    return " ".join(text.split())


def raw_texts(post: Post) -> list[str]:
    return [x for t in post.texts.values() for x in (t.title, t.summary, t.body) if x]


def fugashi_tokens(text: str) -> str:
    """The project's token stream of ``text`` (the ``tokens`` stream of the index)."""
    from indexer.analysis.text import index_fields

    return index_fields(text, "ja").tokens


def document(kind: str, post: Post) -> dict[str, Any]:
    texts = raw_texts(post)
    if kind == "bigram":
        return {"text": [" ".join(bigrams(t)) for t in texts]}
    if kind == "fugashi":
        return {"text": [fugashi_tokens(t) for t in texts]}
    return {"text": texts}


def mapping(kind: str, posts: int | None = None, complete: bool = False) -> dict[str, Any]:
    analyzer = "standard" if kind == "standard" else "whitespace"
    return {
        "_source": {"enabled": False},
        "_meta": {"bench_baseline": kind, "version": BASELINE_VERSION, "complete": complete, "posts": posts},
        "properties": {"text": {"type": "text", "analyzer": analyzer}},
    }


def index_meta(es: Elasticsearch, index: str) -> dict[str, Any] | None:
    try:
        found = es.indices.get_mapping(index=index)
    except NotFoundError:
        return None
    for body in found.body.values():
        return dict(body.get("mappings", {}).get("_meta") or {})
    return None


def is_built(es: Elasticsearch, index: str, kind: str) -> bool:
    meta = index_meta(es, index)
    return bool(
        meta
        and meta.get("complete")
        and meta.get("bench_baseline") == kind
        and meta.get("version") == BASELINE_VERSION
    )


def build(es: Elasticsearch, index: str, kind: str, posts: Iterable[Post]) -> int:
    """(Re)create ``index`` with the baseline's documents; returns the count written."""
    if kind not in BASELINES:
        raise ValueError(f"unknown baseline {kind!r}")
    es.indices.delete(index=index, ignore_unavailable=True)
    es.indices.create(
        index=index,
        settings={"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1"},
        mappings=mapping(kind),
    )
    writer = BulkWriter(es, index)
    seen: set[str] = set()
    for post in posts:
        if post.id in seen:
            continue
        seen.add(post.id)
        writer.add(post.id, document(kind, post))
    result = writer.close()
    if result.failed:
        raise RuntimeError(f"{index}: {len(result.failed)} documents failed, e.g. {result.failed[0]}")
    es.indices.put_settings(index=index, settings={"refresh_interval": "1s"})
    es.indices.refresh(index=index)
    es.indices.put_mapping(index=index, meta=mapping(kind, result.written, True)["_meta"])
    return result.written


def baseline_query(kind: str, query: str) -> dict[str, Any]:
    words = plain_words(query)
    if kind == "bigram":
        text = " ".join(bigrams(words))
    elif kind == "fugashi":
        text = fugashi_tokens(words)
    else:
        text = words
    return {"match": {"text": {"query": text, "operator": "or"}}}


def search(es: Elasticsearch, index: str, kind: str, query: str, depth: int) -> list[str]:
    body = baseline_query(kind, query)
    if not body["match"]["text"]["query"].strip():
        return []
    resp = es.search(index=index, query=body, size=depth, source=False, track_total_hits=False)
    return [h["_id"] for h in resp["hits"]["hits"]]


def unique(posts: Iterable[Post]) -> Iterator[Post]:
    seen: set[str] = set()
    for p in posts:
        if p.id not in seen:
            seen.add(p.id)
            yield p

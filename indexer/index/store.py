"""Versioned indices behind an alias: ``aiposts`` -> ``aiposts-v1``, created from a template."""

from __future__ import annotations

import re
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from indexer.index.mapping import index_settings, mappings


def versioned_name(alias: str, version: int) -> str:
    return f"{alias}-v{version}"


def template_name(alias: str) -> str:
    return f"{alias}-template"


def replica_count(es: Elasticsearch, wanted: int | None) -> int:
    """``wanted`` when set (AIPOSTS_REPLICAS); otherwise one replica when the cluster has more
    than one data node to hold it, none on a single node (where a replica would never be
    assigned and the index would stay yellow)."""
    if wanted is not None:
        return wanted
    data_nodes = int(es.cluster.health()["number_of_data_nodes"])
    return 1 if data_nodes > 1 else 0


def put_template(es: Elasticsearch, alias: str, shards: int, replicas: int | None) -> None:
    """The template every version of the index is created from (first use and reindex);
    ``replicas`` None follows the cluster (see ``replica_count``)."""
    replicas = replica_count(es, replicas)
    es.indices.put_index_template(
        name=template_name(alias),
        index_patterns=[f"{alias}-v*"],
        priority=200,
        template={"settings": index_settings(shards, replicas), "mappings": mappings()},
        meta={"description": f"aiposts index versions behind the alias {alias}"},
    )


def current_index(es: Elasticsearch, alias: str) -> str | None:
    """The concrete index the alias points at, or None when there is no alias."""
    try:
        found = es.indices.get_alias(name=alias)
    except NotFoundError:
        return None
    names = sorted(found.body)
    return names[-1] if names else None


def versions(es: Elasticsearch, alias: str) -> list[tuple[int, str]]:
    """Every ``alias-vN`` index that exists, oldest first."""
    pattern = re.compile(rf"^{re.escape(alias)}-v(\d+)$")
    try:
        names = es.indices.get(index=f"{alias}-v*", expand_wildcards="all").body
    except NotFoundError:
        return []
    out = []
    for name in names:
        m = pattern.match(name)
        if m:
            out.append((int(m.group(1)), name))
    return sorted(out)


def ensure_index(es: Elasticsearch, alias: str, shards: int = 1, replicas: int | None = None) -> str:
    """The index behind ``alias``, creating template, ``alias-v1`` and alias on first use."""
    existing = current_index(es, alias)
    if existing:
        return existing
    if es.indices.exists(index=alias) and not es.indices.exists_alias(name=alias):
        raise RuntimeError(f"{alias!r} is a concrete index, not an alias; choose another AIPOSTS_INDEX")
    put_template(es, alias, shards, replicas)
    taken = versions(es, alias)
    name = versioned_name(alias, (taken[-1][0] + 1) if taken else 1)
    # the alias only once the index can answer: a search (or a test polling it) that finds the
    # alias while the primary shard still starts would get a 503
    es.indices.create(index=name)
    es.cluster.health(index=name, wait_for_status="yellow", timeout="30s")
    es.indices.put_alias(index=name, name=alias, is_write_index=True)
    return name


def mapping_version(es: Elasticsearch, index: str) -> int | None:
    """The ``mapping_version`` an index was created with (None: not one of ours)."""
    found = es.indices.get_mapping(index=index)
    for body in found.body.values():
        meta = (body.get("mappings") or {}).get("_meta") or {}
        value = meta.get("mapping_version")
        return int(value) if isinstance(value, int) else None
    return None


def create_next_version(es: Elasticsearch, alias: str, shards: int, replicas: int | None) -> str:
    """A new, empty ``alias-v(N+1)`` from the current template, not yet behind the alias."""
    put_template(es, alias, shards, replicas)
    taken = versions(es, alias)
    name = versioned_name(alias, (taken[-1][0] + 1) if taken else 1)
    # no refreshes while bulk loading; swap_alias restores the default
    es.indices.create(index=name, settings={"refresh_interval": "-1"})
    es.cluster.health(index=name, wait_for_status="yellow", timeout="30s")
    return name


def swap_alias(es: Elasticsearch, alias: str, new_index: str) -> str | None:
    """Point ``alias`` at ``new_index`` in one atomic step; returns the index it left."""
    es.indices.put_settings(index=new_index, settings={"refresh_interval": None})
    es.options(request_timeout=300).indices.refresh(index=new_index)
    old = current_index(es, alias)
    actions: list[dict] = []
    if old and old != new_index:
        actions.append({"remove": {"index": old, "alias": alias}})
    actions.append({"add": {"index": new_index, "alias": alias, "is_write_index": True}})
    es.indices.update_aliases(actions=actions)
    return old if old != new_index else None


def stored_hashes(es: Elasticsearch, index: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """``content_hash`` and ``analysis_version`` of each of ``ids`` that ``index`` holds (the
    others are left out): what an ingest compares to skip posts that did not change."""
    resp = es.options(request_timeout=60).mget(
        index=index,
        ids=ids,
        source_includes=["content_hash", "analysis_version"],
    )
    return {d["_id"]: d["_source"] for d in resp["docs"] if d.get("found") and "_source" in d}


def drop_index(es: Elasticsearch, name: str) -> None:
    es.indices.delete(index=name, ignore_unavailable=True)

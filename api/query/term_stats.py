"""Which of a query's lemmas are common: in more than ``COMMON_SHARE`` of the posts.

Under ``match=best`` one word is enough for a post to match. In an archive about AI the word
``AI`` is in more than half of the posts, so ``AI in farming`` matched 32,894 posts and
``生成AIと著作権`` 33,959, although no one asking wants a post that only says AI. A common word
still ranks the posts that have it, but it does not make a post match alone when the query has
rarer words that some post holds (``build.compile_tree``): ``AI in farming`` then matches the 88
posts about farming, while ``AI xyzzy`` matches as before.
The count comes from the index itself, so the rule follows the archive, not a word list.

Document frequencies come from Elasticsearch's term vectors of an artificial document (one
small request, term statistics of the lemma field), kept per index for ``CACHE_SECONDS``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch

from api.backend import client, guarded
from api.query import build
from api.query.build import Compiled
from api.query.params import SearchFilters, compile_search
from api.query.syntax import Warning_
from indexer.analysis import has_japanese
from indexer.config import Settings
from indexer.index import fields as F

COMMON_SHARE = 0.4  # of the posts with text; measured: only "ai" passes it in the shared corpus
CACHE_SECONDS = 600.0
MAX_LEMMAS = 32  # a longer query asks about its first lemmas only
_MAX_CACHED = 50_000

# (index, lemma) -> (share of the posts whose text holds it, whether some title holds it, when)
_shares: dict[tuple[str, str], tuple[float, bool, float]] = {}


async def lemma_shares(es: AsyncElasticsearch, settings: Settings, lemmas: Iterable[str]) -> dict[str, float]:
    """The share of the posts that hold each of ``lemmas`` (its first ``MAX_LEMMAS``)."""
    wanted = list(dict.fromkeys(lemma for lemma in lemmas if lemma and not lemma.isspace()))[:MAX_LEMMAS]
    if not wanted:
        return {}
    now = time.monotonic()
    stale = [x for x in wanted if now - _looked_up(settings.index, x) >= CACHE_SECONDS]
    if stale:
        for lemma, (share, titled) in (await _fetch(es, settings, stale)).items():
            _remember(settings.index, lemma, share, titled, now)
    return {x: _shares[(settings.index, x)][0] for x in wanted if (settings.index, x) in _shares}


def absent(settings: Settings, lemmas: Iterable[str]) -> bool:
    """Whether no post of the index holds any of ``lemmas``, in its text or its title, as far as
    ``lemma_shares`` has looked them up (a lemma not looked up is not absent)."""
    found = [_shares.get((settings.index, x)) for x in lemmas]
    return bool(found) and all(f is not None and f[0] == 0 and not f[1] for f in found)


async def common_lemmas(es: AsyncElasticsearch, settings: Settings, lemmas: Iterable[str]) -> frozenset[str]:
    """The lemmas among ``lemmas`` that more than ``COMMON_SHARE`` of the posts hold."""
    if COMMON_SHARE >= 1:
        return frozenset()
    return common_of(await lemma_shares(es, settings, lemmas))


def common_of(shares: dict[str, float]) -> frozenset[str]:
    """The common lemmas of ``shares`` (see ``common_lemmas``)."""
    if COMMON_SHARE >= 1:
        return frozenset()
    common = frozenset(x for x, share in shares.items() if share > COMMON_SHARE)
    # only beside rarer words that some post has: "AI xyzzy" must not come back empty
    if not any(0 < share <= COMMON_SHARE for share in shares.values()):
        return frozenset()
    return common


def lemmas_of(compiled: Compiled) -> list[str]:
    """The lemmas of a compiled query's words (what ``common_lemmas`` is asked about)."""
    return [b for term in compiled.highlight if not term.title_only for b in term.bases]


def _looked_up(index: str, lemma: str) -> float:
    """When ``lemma``'s statistics were fetched (long ago when never)."""
    found = _shares.get((index, lemma))
    return found[2] if found else -CACHE_SECONDS


async def _fetch(
    es: AsyncElasticsearch, settings: Settings, lemmas: list[str]
) -> dict[str, tuple[float, bool]]:
    """lemma -> (share of the posts whose text holds it, whether some title holds it)."""
    head, _, leaf = F.TEXT_BASE.partition(".")
    title_leaf = F.TITLE_BASE.partition(".")[2]
    joined = " ".join(lemmas)
    try:
        resp = await guarded(es, settings, client(es, settings).termvectors(
            index=settings.index,
            doc={head: {leaf: joined, title_leaf: joined}},
            fields=[F.TEXT_BASE, F.TITLE_BASE],
            term_statistics=True,
            field_statistics=True,
            positions=False,
            offsets=False,
            payloads=False,
        ))
    except ApiError:  # an alias over several indices, a missing index: no word is common then
        return {}
    vectors = resp.get("term_vectors") or {}
    stats = vectors.get(F.TEXT_BASE) or {}
    posts = int((stats.get("field_statistics") or {}).get("doc_count") or 0)
    terms = stats.get("terms") or {}
    titles = (vectors.get(F.TITLE_BASE) or {}).get("terms") or {}

    def freq(table: dict[str, Any], x: str) -> int:
        return int((table.get(x) or {}).get("doc_freq") or 0)

    return {x: (freq(terms, x) / posts if posts else 0.0, freq(titles, x) > 0 or not posts) for x in lemmas}


def _remember(index: str, lemma: str, share: float, titled: bool, when: float) -> None:
    if len(_shares) >= _MAX_CACHED:
        _shares.clear()  # rare: a bound on memory, not a cache policy worth more code
    _shares[(index, lemma)] = (share, titled, when)



async def with_common_words(
    es: AsyncElasticsearch, settings: Settings, compiled: Compiled, q: str | None, filters: SearchFilters
) -> Compiled:
    """``compiled`` (``q`` and ``filters``) again with q's common lemmas, when it has any under
    ``match=best``: search, export and the trend endpoints all read q this way, so they find
    the same posts. Compiled a second time when some lemma is common or the words weigh by
    rarity (``build.COORD_IDF``); Latin words no post holds are named in its warnings."""
    if not q:
        return compiled
    weighted = bool(build.COORD_IDF) and len(compiled.highlight) > 1
    if filters.match != "best" and not weighted:
        return compiled
    shares = await lemma_shares(es, settings, lemmas_of(compiled))
    common = common_of(shares) if filters.match == "best" else frozenset()
    if common or weighted:
        compiled = compile_search(q, filters, common, shares if weighted else None)
    compiled.warnings.extend(
        w for w in _absent_words(settings, compiled, q, filters.match) if w not in compiled.warnings
    )
    return compiled


def _absent_words(settings: Settings, compiled: Compiled, q: str, match: str) -> list[Warning_]:
    """A warning for each Latin word that no post holds (``AI xyzzyplugh``): the results come
    from the other words. Japanese words may still match through their bigrams: not said."""
    out: list[Warning_] = []
    for term in compiled.highlight:
        if term.title_only or term.entity_ids or has_japanese(term.text) or not term.bases:
            continue
        if absent(settings, term.bases):
            position = max(q.find(term.text), 0)
            rest = "" if match == "all" else ": the results match the other words"
            out.append(Warning_(f"no post has {term.text!r}{rest}", position))
    return out


async def compile_matching(
    es: AsyncElasticsearch, settings: Settings, q: str | None, filters: SearchFilters
) -> Compiled:
    """``compile_search`` with the common words of the index (``with_common_words``)."""
    return await with_common_words(es, settings, compile_search(q, filters), q, filters)

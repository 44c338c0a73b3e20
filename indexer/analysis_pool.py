"""Analysis on every core, with a bounded number of batches in flight.

``Pool.imap`` would read the whole input ahead of the workers; submitting batches by hand
keeps memory flat however large the input. Small runs never start a pool: the models load
in a second in-process, while a pool costs that per worker.

A worker sends back only each post's analysis: the posts stay in this process, which pairs
them with their analyses, and the caller builds the documents (``indexer.index.document``).
Measured on the corpus, the analyses pickle about a fifth smaller than whole documents (which
would carry the post's text back again), and building a document costs about 1% of analysing
the post, so the parallel part stays where the time is.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool

from indexer.analysis import PostAnalysis, analyze_post, set_cache_mb
from indexer.post import Post

# in-process until this much text was analyzed: below it a pool costs more than it saves
POOL_AFTER_POSTS = 300
POOL_AFTER_CHARS = 1_000_000

# a batch closes at this many posts or characters: long newsletter issues make small
# batches, so workers stay balanced
BATCH_POSTS = 200
BATCH_CHARS = 2_000_000


@dataclass
class Analyzed:
    """One post and its analysis, or (``analysis`` None) why analysing it failed."""

    post: Post
    analysis: PostAnalysis | None
    error: str | None = None


def failure(exc: Exception) -> str:
    """The reject reason of a post that could not be analyzed (or made a document)."""
    return f"analysis failed: {type(exc).__name__}: {exc}"


def analyze_one(post: Post, max_chars: int) -> PostAnalysis | str:
    """The post's analysis, or the reason it failed."""
    try:
        return analyze_post(post, max_chars)
    except Exception as exc:  # one post's analysis failure must not sink the batch
        return failure(exc)


def analyze_batch(posts: list[Post], max_chars: int) -> list[PostAnalysis | str]:
    """What a worker runs: no post goes back, only what analysis made of it."""
    return [analyze_one(p, max_chars) for p in posts]


def _paired(posts: list[Post], results: list[PostAnalysis | str]) -> list[Analyzed]:
    return [
        Analyzed(post, None, r) if isinstance(r, str) else Analyzed(post, r)
        for post, r in zip(posts, results, strict=True)
    ]


def _warm_up(cache_mb: int | None = None) -> None:
    if cache_mb is not None:
        set_cache_mb(cache_mb)
    analyze_post(Post(id="warm-up", texts={"en": {"title": "warm up"}, "ja": {"title": "準備"}}))


def sized_batches(
    posts: Iterable[Post], max_posts: int = BATCH_POSTS, max_chars: int = BATCH_CHARS
) -> Iterator[list[Post]]:
    """Batches closed by post count or by text size, whichever comes first; each batch is
    yielded as soon as it closes, so the input is read only as far as the batches go."""
    batch: list[Post] = []
    chars = 0
    for post in posts:
        batch.append(post)
        chars += post.char_count()
        if len(batch) >= max_posts or chars >= max_chars:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


class AnalysisPool:
    """Analyze batches of posts in order; ``workers=1`` keeps everything in-process."""

    def __init__(self, workers: int = 0, max_chars: int = 1_000_000, cache_mb: int | None = None) -> None:
        self.workers = workers or default_workers()
        self.max_chars = max_chars
        self.cache_mb = cache_mb  # None: keep the line memo's current bound
        if cache_mb is not None:
            set_cache_mb(cache_mb)
        self._pool: Pool | None = None
        self._posts = 0
        self._chars = 0

    def _ensure_pool(self) -> Pool | None:
        if self.workers <= 1:
            return None
        if self._pool is None and (self._posts >= POOL_AFTER_POSTS or self._chars >= POOL_AFTER_CHARS):
            ctx = mp.get_context("forkserver")
            self._pool = ctx.Pool(self.workers, initializer=_warm_up, initargs=(self.cache_mb,))
        return self._pool

    def run(self, batches: Iterable[list[Post]]) -> Iterator[list[Analyzed]]:
        """Each batch's posts with their analyses, in input order."""
        in_flight: deque[tuple[list[Post], AsyncResult[list[PostAnalysis | str]]]] = deque()
        limit = self.workers + 1
        for batch in batches:
            pool = self._ensure_pool()
            self._posts += len(batch)
            self._chars += sum(p.char_count() for p in batch)
            if pool is None:
                yield _paired(batch, analyze_batch(batch, self.max_chars))
                continue
            in_flight.append((batch, pool.apply_async(analyze_batch, (batch, self.max_chars))))
            while len(in_flight) >= limit:
                posts, pending = in_flight.popleft()
                yield _paired(posts, pending.get())
        while in_flight:
            posts, pending = in_flight.popleft()
            yield _paired(posts, pending.get())

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> AnalysisPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

"""A bounded load generator: ``concurrency`` workers send requests until ``max_requests`` have
been sent or ``max_seconds`` have passed, whichever comes first. Every request has its own
timeout, so the run ends on time even when the server hangs. Loopback only."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

from bench.load.server import require_loopback
from bench.load.stats import Sample
from bench.load.workload import Request


async def send(client: httpx.AsyncClient, req: Request, t0: float) -> Sample:
    start = time.perf_counter()
    status: int | None = None
    error: str | None = None
    items = 0
    try:
        if req.stream:
            async with client.stream("GET", req.path, params=req.params) as resp:
                status = resp.status_code
                async for chunk in resp.aiter_bytes():
                    items += chunk.count(b"\n")
        else:
            resp = await client.get(req.path, params=req.params)
            status = resp.status_code
    except httpx.TimeoutException:
        error = "timeout"
    except httpx.HTTPError as exc:
        error = type(exc).__name__
    return Sample(start - t0, time.perf_counter() - start, req.kind, status, error, items)


async def run_load(
    base_url: str,
    next_request: Callable[[], Request],
    concurrency: int,
    max_requests: int,
    max_seconds: float,
    timeout: float = 30.0,
    t0: float | None = None,
    samples: list[Sample] | None = None,
    stop: asyncio.Event | None = None,
) -> tuple[list[Sample], float]:
    """(samples, wall seconds). ``t0``: the clock origin for ``Sample.start`` (default: now);
    ``samples``: a list to append to as requests finish (others may watch it); ``stop``: an
    event that ends the run early."""
    require_loopback(base_url)
    if concurrency < 1 or max_requests < 1 or max_seconds <= 0:
        raise ValueError("concurrency, max_requests and max_seconds must be positive")
    t0 = time.perf_counter() if t0 is None else t0
    began = time.perf_counter()
    deadline = began + max_seconds
    samples = [] if samples is None else samples
    issued = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits) as client:

        async def worker() -> None:
            nonlocal issued
            while issued < max_requests and time.perf_counter() < deadline and not (stop and stop.is_set()):
                issued += 1
                remaining = deadline - time.perf_counter()
                req = next_request()
                try:
                    samples.append(
                        await asyncio.wait_for(send(client, req, t0), timeout=max(remaining, 0.1) + timeout)
                    )
                except TimeoutError:
                    samples.append(Sample(time.perf_counter() - t0, timeout, req.kind, None, "timeout"))

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return samples, time.perf_counter() - began

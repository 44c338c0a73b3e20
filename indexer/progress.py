"""Progress for long ingests: a bar with posts/s and ETA on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import IO


class Progress:
    def __init__(self, total: int | None, stream: IO[str] = sys.stderr, every: float = 10.0) -> None:
        self.total = total
        self.stream = stream
        self.tty = stream.isatty()
        self.every = 0.2 if self.tty else every
        self.count = 0
        self.started = time.monotonic()
        self._last = 0.0
        self._where = ""

    def advance(self, where: str = "", n: int = 1) -> None:
        self.count += n
        self._where = where
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            self._show(now)

    def _rate(self, now: float) -> float:
        elapsed = max(now - self.started, 1e-9)
        return self.count / elapsed

    def _show(self, now: float) -> None:
        rate = self._rate(now)
        if self.total:
            done = min(self.count / self.total, 1.0)
            eta = (self.total - self.count) / rate if rate > 0 else 0.0
            head = f"{self.count}/{self.total} posts {done:6.1%}"
            tail = f"{rate:,.0f} posts/s, ETA {_clock(eta)}"
        else:
            head, tail = f"{self.count} posts", f"{rate:,.0f} posts/s"
        if self.tty:
            width = 24
            filled = int(width * (self.count / self.total)) if self.total else 0
            bar = "#" * min(filled, width) + "-" * (width - min(filled, width))
            self.stream.write(f"\r\x1b[2K[{bar}] {head} {tail}")
        else:
            self.stream.write(f"progress: {head}, {tail}, at {self._where}\n")
        self.stream.flush()

    def finish(self) -> None:
        now = time.monotonic()
        self._show(now)
        if self.tty:
            self.stream.write("\n")
        self.stream.write(f"done in {_clock(now - self.started)} ({self._rate(now):,.0f} posts/s)\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:d}:{s % 3600 // 60:02d}:{s % 60:02d}"

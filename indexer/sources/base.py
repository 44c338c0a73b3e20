"""What every reader yields: a parsed post with where it came from, or a reject with the reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a record sits in its input: the file, and a line or a byte offset when known."""

    path: str
    line: int | None = None
    offset: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.offset is not None:
            return f"{self.path}@{self.offset}"
        return self.path


@dataclass
class Parsed:
    post: object  # indexer.post.Post; typed loosely to keep readers import-light
    location: Location


@dataclass
class Reject:
    location: Location
    reason: str
    raw: bytes = b""

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


class SourceError(ValueError):
    """A record that cannot become a post; the message names the reason."""

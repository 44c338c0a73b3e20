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
    encoding: str | None = None  # the input's encoding when it was not UTF-8 (e.g. EUC-JP)


@dataclass
class Reject:
    location: Location
    reason: str
    raw: bytes = b""  # at most indexer.sources._io.RAW_CAP bytes
    encoding: str | None = None  # as on Parsed: set when the input was read in another encoding
    kind: str = ""  # the category counted in the ingest summary; derived from reason when empty

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


class SourceError(ValueError):
    """A record that cannot become a post; the message names the reason, ``line`` (when
    known) the line of the file that holds the bad value."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.line = line

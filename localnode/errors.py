"""The one exception type of the local node tooling."""

from __future__ import annotations


class LocalNodeError(Exception):
    """A failure with a message fit for one line on stderr, plus optional detail lines."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: list[str] = list(details or [])

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return "\n".join([self.message, *self.details])

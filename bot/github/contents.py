"""A ContentSource that reads files through GitHub's contents API, lazily and at most once each.

The model asks only for the files it reviews, so a 3,000-file PR costs only the reads it needs.
"""

from __future__ import annotations

import threading
from typing import Literal, Protocol

from bot.errors import GitHubError

MAX_READS = 400  # past this many reads the model goes without nearby code


class ContentReader(Protocol):
    def content(self, path: str, ref: str) -> str | None: ...


class GitHubSource:
    """Reads base and head versions by commit sha; caches; counts the requests it made."""

    def __init__(
        self, reader: ContentReader, *, base_sha: str, head_sha: str, max_reads: int = MAX_READS
    ) -> None:
        self._reader = reader
        self._refs = {"base": base_sha, "head": head_sha}
        self._cache: dict[tuple[str, str], str | None] = {}
        self._lock = threading.Lock()
        self.max_reads = max_reads
        self.reads = 0

    def read(self, path: str, *, side: Literal["base", "head"]) -> str | None:
        """The file's text at the PR's base or head, or None (absent, binary, or over budget)."""
        key = (path, side)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            if self.reads >= self.max_reads or not self._refs[side]:
                return None
            self.reads += 1
        try:
            text = self._reader.content(path, self._refs[side])
        except GitHubError:
            text = None  # nearby code is a nicety: a failed read never sinks the review
        with self._lock:
            self._cache[key] = text
        return text

"""`$ref`s to other files of the repository (`schemas/order.yaml#/Order`, `./common.yaml`).

A spec split over several files is read file by file as references reach them, at the same
revision as the spec (base or head), through a reader the caller gives (the ContentSource, or
texts rebuilt from the diff). Reading is bounded in files and bytes; a reference past the
bound, to a URL, or outside the repository resolves to nothing, like a broken local one.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any

Ptr = tuple[str | int, ...]

FILE = "\x00file:"  # first pointer token of a node in another file: FILE + repository path
MAX_FILES = 16  # per side of one comparison
MAX_BYTES = 2_000_000  # per side of one comparison
Reader = Callable[[str], str | None]
Loaded = tuple[Any, dict[Ptr, int]]


def file_of(ptr: Ptr) -> str | None:
    """The repository path a pointer's node is in, or None for the spec file itself."""
    head = ptr[0] if ptr else None
    return head[len(FILE) :] if isinstance(head, str) and head.startswith(FILE) else None


def target_path(current: str, ref_file: str) -> str | None:
    """The repository path `ref_file` names from a file at `current`; None for URLs and
    paths that leave the repository."""
    if "://" in ref_file or ref_file.startswith(("/", "\\")):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(current), ref_file))
    if joined.startswith("../") or joined == "..":
        return None
    return joined


class External:
    """Other files of one revision, loaded on first reference and kept with their line maps."""

    def __init__(
        self,
        read: Reader,
        load: Callable[[str], Loaded | None],
        *,
        max_files: int = MAX_FILES,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self._read = read
        self._load = load
        self._docs: dict[str, Loaded | None] = {}
        self.files_left = max_files
        self.bytes_left = max_bytes

    def root(self, path: str) -> Any:
        """The document at `path`, or None when it is missing, unparsable or over budget."""
        if path not in self._docs:
            self._docs[path] = self._fetch(path)
        loaded = self._docs[path]
        return loaded[0] if loaded else None

    def lines(self, path: str) -> dict[Ptr, int]:
        loaded = self._docs.get(path)
        return loaded[1] if loaded else {}

    def _fetch(self, path: str) -> Loaded | None:
        if self.files_left <= 0:
            return None
        self.files_left -= 1
        text = self._read(path)
        if text is None or len(text) > self.bytes_left:
            return None
        self.bytes_left -= len(text)
        return self._load(text)

    @property
    def paths(self) -> list[str]:
        """Files that were read and parsed."""
        return [p for p, d in self._docs.items() if d is not None]

"""Diff arithmetic for the GitHub emulator: which lines accept comments, and the `.diff` text.

GitHub decides where an inline comment may go from the file's patch alone (hunk lines on each side),
so the emulator computes the same from the `patch` strings the test gives it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class DiffLine:
    """One commentable line of a patch: where it sits in the diff and in which hunk."""

    position: int  # GitHub's legacy `position`: lines below the first `@@` header of the file
    hunk: int
    old: int | None  # old-file number (LEFT side), None for an added line
    new: int | None  # new-file number (RIGHT side), None for a removed line


@dataclass
class PatchMap:
    """Index of a patch by side and line number, and by legacy position."""

    lines: list[DiffLine] = field(default_factory=list)
    hunk_starts: list[int] = field(default_factory=list)  # index in patch lines of each `@@` header
    patch_lines: list[str] = field(default_factory=list)

    def find(self, side: str, line: int) -> DiffLine | None:
        """Return the diff line holding `line` on `side` (LEFT = old file, RIGHT = new file)."""
        for entry in self.lines:
            number = entry.old if side == "LEFT" else entry.new
            if number == line:
                return entry
        return None

    def at_position(self, position: int) -> DiffLine | None:
        """Return the diff line at a legacy `position`, if it is a commentable line."""
        for entry in self.lines:
            if entry.position == position:
                return entry
        return None

    def diff_hunk(self, entry: DiffLine) -> str:
        """GitHub's `diff_hunk` of a comment: the hunk header down to the commented line."""
        start = self.hunk_starts[entry.hunk]
        return "\n".join(self.patch_lines[start : entry.position + 1])


def parse_patch(patch: str | None) -> PatchMap:
    """Index a GitHub `patch` (hunks only, no `---`/`+++` headers)."""
    result = PatchMap()
    if not patch:
        return result
    result.patch_lines = patch.split("\n")
    old = new = 0
    hunk = -1
    for index, text in enumerate(result.patch_lines):
        header = _HUNK_HEADER.match(text)
        if header:
            hunk += 1
            result.hunk_starts.append(index)
            old, new = int(header.group(1)), int(header.group(3))
            continue
        if hunk < 0 or not text or text.startswith("\\"):
            continue
        kind = text[0]
        if kind == "+":
            result.lines.append(DiffLine(index, hunk, None, new))
            new += 1
        elif kind == "-":
            result.lines.append(DiffLine(index, hunk, old, None))
            old += 1
        elif kind == " ":
            result.lines.append(DiffLine(index, hunk, old, new))
            old += 1
            new += 1
    return result


def count_changes(patch: str | None) -> tuple[int, int]:
    """Count added and removed lines of a patch, as GitHub's `additions`/`deletions`."""
    added = removed = 0
    for text in (patch or "").split("\n"):
        if text.startswith("+"):
            added += 1
        elif text.startswith("-"):
            removed += 1
    return added, removed


def blob_sha(text: str) -> str:
    """The git blob id of a text, so shas look and behave like GitHub's."""
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _file_header(entry: dict[str, Any]) -> list[str]:
    """The `diff --git` header block git prints before a file's hunks."""
    new = entry["filename"]
    old = entry.get("previous_filename") or new
    status = entry.get("status", "modified")
    old_id, new_id = blob_sha("old:" + old)[:7], blob_sha("new:" + new)[:7]
    lines = [f"diff --git a/{old} b/{new}"]
    if status == "added":
        lines += ["new file mode 100644", f"index 0000000..{new_id}"]
    elif status == "removed":
        lines += ["deleted file mode 100644", f"index {old_id}..0000000"]
    elif status == "renamed":
        lines += ["similarity index 90%", f"rename from {old}", f"rename to {new}"]
        if entry.get("patch") is not None:
            lines.append(f"index {old_id}..{new_id} 100644")
    else:
        lines.append(f"index {old_id}..{new_id} 100644")
    return lines


def file_diff(entry: dict[str, Any]) -> str:
    """The unified diff of one PR file, as in `GET .../pulls/{n}` with the diff media type."""
    new = entry["filename"]
    old = entry.get("previous_filename") or new
    status = entry.get("status", "modified")
    lines = _file_header(entry)
    source = "/dev/null" if status == "added" else f"a/{old}"
    target = "/dev/null" if status == "removed" else f"b/{new}"
    patch = entry.get("patch")
    if patch is None:
        if status != "renamed" or entry.get("binary"):
            lines.append(f"Binary files {source} and {target} differ")
    elif patch:
        lines += [f"--- {source}", f"+++ {target}", *patch.split("\n")]
    return "\n".join(lines) + "\n"


def full_diff(files: list[dict[str, Any]]) -> str:
    """The whole PR diff: every file's diff, in order."""
    return "".join(file_diff(entry) for entry in files)

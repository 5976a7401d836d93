"""Parse unified diffs (git's, or GitHub's per-file patches) into FileDiff objects.

Built on unidiff; this module adds what GitHub needs and unidiff leaves out: decoded
git-quoted paths, statuses GitHub uses, and per-side anchors (in bot.models).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager

from unidiff.errors import UnidiffParseError
from unidiff.patch import Hunk as UniHunk
from unidiff.patch import PatchedFile, PatchSet

from bot.errors import DiffError
from bot.models import DiffLine, FileDiff, FileStatus, Hunk

_DIFF_START = re.compile(r"^(diff --git |--- |\+\+\+ |@@ )", re.MULTILINE)
# Every line that starts with "@@ " is a hunk header (content lines start with + - or space).
# ("\n@@ " rather than "^@@ " with MULTILINE: the literal prefix makes the search 8x faster.)
_HUNK_HEADER = re.compile(r"@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@")
_BAD_HUNK_HEADER = re.compile(r"\n@@ (?!-\d+(?:,\d+)? \+\d+(?:,\d+)? @@)")
_OCTAL = re.compile(rb"\\([0-7]{3})")
_LINE_TYPES = frozenset(("+", "-", " "))
_ESCAPES = {b"\\n": b"\n", b"\\t": b"\t", b'\\"': b'"', b"\\\\": b"\\"}


def decode_bytes(data: bytes) -> str:
    """Decode diff bytes; invalid UTF-8 is replaced so that one odd file never sinks a review."""
    return data.decode("utf-8", errors="replace")


def unquote_git_path(path: str) -> str:
    """Turn git's C-quoted path ("caf\\303\\251.py") into the real name (café.py)."""
    if len(path) < 2 or not (path.startswith('"') and path.endswith('"')):
        return path
    raw = path[1:-1].encode("utf-8", errors="surrogateescape")
    raw = _OCTAL.sub(lambda m: bytes([int(m.group(1), 8)]), raw)
    for escaped, plain in _ESCAPES.items():
        raw = raw.replace(escaped, plain)
    return raw.decode("utf-8", errors="replace")


def _strip_prefix(path: str) -> str:
    path = unquote_git_path(path)
    if path.startswith(("a/", "b/")):
        return path[2:]
    return path


def _status(pf: PatchedFile) -> FileStatus:
    info = [str(line) for line in pf.patch_info or ()]
    if any(i.startswith("diff --git ") for i in info):
        # git says so in its extended header; unidiff's guess from the hunks takes a -U0
        # insertion at the top of an existing file (@@ -0,0 +1 @@) for a new file.
        if pf.source_file == "/dev/null" or any(i.startswith("new file mode") for i in info):
            return "added"
        if pf.target_file == "/dev/null" or any(i.startswith("deleted file mode") for i in info):
            return "removed"
    elif pf.is_added_file:
        return "added"
    elif pf.is_removed_file:
        return "removed"
    if pf.is_rename:
        return "renamed"
    return "modified"


def _convert_hunk(h: UniHunk) -> Hunk:
    # tuple.__new__ skips DiffLine's Python-level __new__: this runs once per diff line.
    new = tuple.__new__
    lines = tuple(
        [
            new(
                DiffLine,
                (ln.line_type, ln.source_line_no, ln.target_line_no, ln.value.rstrip("\r\n")),
            )
            for ln in h
            if ln.line_type in _LINE_TYPES
        ]
    )
    return Hunk(
        old_start=h.source_start,
        old_length=h.source_length,
        new_start=h.target_start,
        new_length=h.target_length,
        section=h.section_header.strip(),
        lines=lines,
    )


def _convert_file(pf: PatchedFile) -> FileDiff:
    status = _status(pf)
    source = _strip_prefix(pf.source_file)
    target = _strip_prefix(pf.target_file)
    path = source if status == "removed" else target
    copied = any(str(info).startswith("copy from ") for info in pf.patch_info or ())
    old_path = source if status == "renamed" or copied else None
    return FileDiff(
        path=path,
        status="added" if copied else status,
        hunks=tuple(_convert_hunk(h) for h in pf),
        old_path=old_path,
        is_binary=pf.is_binary_file,
        copied=copied,
    )


def _bad_hunk_header(text: str) -> str | None:
    """The first line that starts like a hunk header but is not one (unidiff skips those)."""
    start = 0 if text.startswith("@@ ") and not _HUNK_HEADER.match(text) else -1
    if start < 0 and (m := _BAD_HUNK_HEADER.search(text)):
        start = m.start() + 1
    if start < 0:
        return None
    end = text.find("\n", start)
    return text[start : end if end >= 0 else None]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a diff is turned into objects.

    A large diff allocates millions of small objects (unidiff's lines, then ours) and none of
    them form cycles, so reference counting frees them; left running, the collector rescans
    the growing heap again and again, which costs as much as the parse itself.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_diff(text: str | bytes) -> list[FileDiff]:
    """Parse git diff output (one or several diffs back to back) into files.

    Raise DiffError for text that is not a unified diff; an empty text is an empty diff.
    """
    if isinstance(text, bytes):
        text = decode_bytes(text)
    if not text.strip():
        return []
    if not _DIFF_START.search(text):
        raise DiffError("input is not a unified diff: no 'diff --git', '---/+++' or '@@' lines")
    if text[: text.find("\n")].endswith("\r"):
        text = text.replace("\r\n", "\n")  # a diff saved with CRLF line ends throughout
    if bad := _bad_hunk_header(text):
        raise DiffError(f"malformed diff: bad hunk header: {bad[:80]}")
    with _gc_paused():
        try:
            patch = PatchSet(text)
        except UnidiffParseError as exc:
            raise DiffError(f"malformed diff: {exc}") from None
        if not len(patch):
            raise DiffError("input is not a unified diff: no file headers found")
        return [_convert_file(pf) for pf in patch]


def parse_patch(
    path: str,
    patch: str | None,
    *,
    status: FileStatus = "modified",
    old_path: str | None = None,
) -> FileDiff:
    """Parse one GitHub `patch` string (hunks only, no headers) for `path`.

    A missing patch (binary file or a diff GitHub found too large) gives a file with no hunks.
    """
    if not patch:
        return FileDiff(path=path, status=status, old_path=old_path, patch_missing=True)
    source = "/dev/null" if status == "added" else f"a/{old_path or path}"
    target = "/dev/null" if status == "removed" else f"b/{path}"
    body = patch if patch.endswith("\n") else patch + "\n"
    try:
        files = PatchSet(f"--- {source}\n+++ {target}\n{body}")
    except UnidiffParseError as exc:
        raise DiffError(f"malformed patch for {path}: {exc}") from None
    hunks = tuple(_convert_hunk(h) for h in files[0]) if len(files) else ()
    if not hunks and patch.strip():
        raise DiffError(f"malformed patch for {path}: no '@@' hunk header")
    return FileDiff(path=path, status=status, hunks=hunks, old_path=old_path)

"""Both versions of a changed file: rebuilt from the diff when its hunks carry the whole file
(`git diff -U<large>`, added files), else read through the ContentSource."""

from __future__ import annotations

from bot.models import ContentSource, FileDiff

_MIN_CONTEXT = 3  # git's default; trailing context shorter than this means the file ended

Versions = tuple[str, str]


def diff_versions(file: FileDiff, *, allow_cut_tail: bool = False) -> Versions | None:
    """(old text, new text) rebuilt from the diff when its hunks cover the whole file.

    With `allow_cut_tail`, hunks that run from line 1 without gaps are enough even when the
    diff may stop before the end: whatever follows the last context line is unchanged, so it
    is missing from both versions alike and cannot show up as a removal.
    """
    if file.status == "added":
        new = [ln.text for h in file.hunks for ln in h.lines if ln.kind != "-"]
        return "", "\n".join(new) + "\n"
    if not file.hunks or file.hunks[0].old_start > 1 or file.hunks[0].new_start > 1:
        return None
    expected = 1
    for h in file.hunks:
        if max(h.old_start, 1) != expected:
            return None
        expected = h.old_start + h.old_length
    if not allow_cut_tail and not _reaches_end(file):
        return None
    old = [ln.text for h in file.hunks for ln in h.lines if ln.kind != "+"]
    new = [ln.text for h in file.hunks for ln in h.lines if ln.kind != "-"]
    return "\n".join(old) + "\n", "\n".join(new) + "\n"


def _reaches_end(file: FileDiff) -> bool:
    """True when the last hunk provably ends at the end of the file.

    The first hunk starts at line 1, so its leading context is every line before the first
    change and the context size is at least that; trailing context shorter than the context
    size (or than git's default of 3) means the file ran out.
    """
    trailing = 0
    for ln in reversed(file.hunks[-1].lines):
        if ln.kind != " ":
            break
        trailing += 1
    leading = 0
    for ln in file.hunks[0].lines:
        if ln.kind != " ":
            break
        leading += 1
    return trailing < _MIN_CONTEXT or trailing < leading


def file_versions(file: FileDiff, source: ContentSource | None) -> Versions | None:
    """Both versions of a changed file: from a whole-file diff, else from the source, else
    from a diff that covers the file from its first line, else None."""
    if file.status == "removed" or file.is_binary:
        return None
    whole = None if file.patch_missing else diff_versions(file)
    if whole is not None:
        return whole
    if source is not None:
        head = source.read(file.path, side="head")
        if head is not None:
            if file.status == "added":
                return "", head
            return source.read(file.old_path or file.path, side="base") or "", head
    return None if file.patch_missing else diff_versions(file, allow_cut_tail=True)

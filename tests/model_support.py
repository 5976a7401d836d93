"""Builders for the model-review tests: diffs of a given shape, file reports, SDK clients."""

from __future__ import annotations

from collections.abc import Sequence

from bot.diff import parse_patch
from bot.models import BackendKind, FileDiff, FileReport


def new_file(path: str, lines: int, *, width: int = 30) -> FileDiff:
    """An added file of `lines` lines, each about `width` characters."""
    body = "".join(f"+{f'row_{i} = compute({i})':<{width}}\n" for i in range(1, lines + 1))
    return parse_patch(path, f"@@ -0,0 +1,{lines} @@\n{body}", status="added")


def modified_file(path: str, hunk_starts: Sequence[int], *, added: int = 2) -> FileDiff:
    """A modified file with one hunk per start line: 3 context lines, `added` added, 1 removed."""
    text = []
    shift = 0
    for start in hunk_starts:
        new_start = start + shift
        text.append(f"@@ -{start},4 +{new_start},{3 + added} @@ def handler_{start}():\n")
        text += [f"     context_{start + k} = {k}\n" for k in range(3)]
        text.append(f"-    old_value_{start} = 1\n")
        text += [f"+    new_value_{start}_{k} = fetch({k})\n" for k in range(added)]
        shift += added - 1
    return parse_patch(path, "".join(text))


def report(file: FileDiff, *kinds: BackendKind, is_test: bool = False) -> FileReport:
    return FileReport(
        path=file.path,
        status=file.status,
        categories=tuple(kinds),
        reasons=tuple(f"{k} by test convention" for k in kinds),
        is_test=is_test,
    )

"""Incremental scope: the lines changed since the last reviewed head, as PR diff anchors. Pure.

A push is reviewed on what it changed, not on the whole pull request again: the comparison
old head...new head says which lines the push added (new-file numbers, the same numbering as
the PR diff's RIGHT side) and which it removed (matched by text to the PR diff's LEFT side).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.models import FileDiff, Finding, LineScope


def _right_lines(file: FileDiff) -> frozenset[int]:
    """New-file numbers GitHub accepts a RIGHT comment on: added and context lines."""
    return frozenset(
        ln.new_no for h in file.hunks for ln in h.lines if ln.kind != "-" and ln.new_no
    )


def incremental_scope(
    pr_files: Sequence[FileDiff], pushed: Sequence[FileDiff], *, since: str
) -> LineScope:
    """The scope of a review of `pushed` (the diff since `since`) within the PR's diff.

    A pushed file without a usable patch (binary, too large) is in scope as a whole; a file the
    push changed back to its base version is not in the PR diff, so it is out of scope."""
    by_path = {f.path: f for f in pr_files}
    new: dict[str, frozenset[int] | None] = {}
    old: dict[str, frozenset[int]] = {}
    for push in pushed:
        pr = by_path.get(push.path)
        if pr is None:
            continue
        if push.patch_missing or push.is_binary or pr.patch_missing or pr.is_binary:
            if push.patch_missing or push.is_binary or push.hunks:
                new[push.path] = None
            continue
        added = {ln.new_no for h in push.hunks for ln in h.lines if ln.kind == "+" and ln.new_no}
        lines = frozenset(added) & _right_lines(pr)
        removed = {ln.text for h in push.hunks for ln in h.lines if ln.kind == "-"}
        gone = frozenset(
            ln.old_no
            for h in pr.hunks
            for ln in h.lines
            if ln.kind == "-" and ln.old_no and ln.text in removed
        )
        if lines:
            new[push.path] = lines
        if gone:
            old[push.path] = gone
    return LineScope(since=since, new=new, old=old)


def in_scope(finding: Finding, scope: LineScope) -> Finding | None:
    """The finding as it may be posted within the scope (a range trimmed to its anchor line when
    it reaches into lines reviewed before), or None when its line was reviewed before."""
    if finding.file_level:  # no line to judge by: about a file the push changed, or not
        return finding if finding.path in scope.paths else None
    if not scope.allows(finding.path, finding.line, finding.side):
        return None
    start = finding.start_line
    if start is None or scope.whole(finding.path):
        return finding
    if all(scope.allows(finding.path, n, finding.side) for n in range(start, finding.line)):
        return finding
    return finding.model_copy(update={"start_line": None})


def scoped_findings(
    findings: Iterable[Finding], scope: LineScope | None
) -> tuple[list[Finding], int]:
    """(findings inside the scope, how many were on lines reviewed before)."""
    if scope is None:
        return list(findings), 0
    kept: list[Finding] = []
    outside = 0
    for finding in findings:
        scoped = in_scope(finding, scope)
        if scoped is None:
            outside += 1
        else:
            kept.append(scoped)
    return kept, outside

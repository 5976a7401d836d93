"""The change record every contract checker emits (OpenAPI, GraphQL, code-first routes).

A change knows where it sits in the old and the new file; `to_finding` picks the diff line
GitHub will accept nearest to it, so one vague location never costs the finding.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.models import FileDiff, Finding, Severity, Side, severity_rank

# Ancestor anchors farther than this from the change read as unrelated; the file's first
# changed line is a clearer fallback than a `paths:` line 300 lines up.
_NEAR = 25
MAX_PER_FILE = 20


@dataclass(frozen=True)
class ContractChange:
    """One API contract change: what rule, how bad, and where in the old and new file."""

    rule: str
    severity: Severity
    title: str
    body: str
    new_line: int | None = None  # the changed node, or the removed node's parent, in the new file
    old_line: int | None = None  # the node in the old file (removals)
    new_parents: tuple[int, ...] = ()  # enclosing nodes in the new file, innermost first
    removal: bool = False
    path: str | None = None  # another file the change sits in (a multi-file spec's `$ref`)


class Changes(list[ContractChange]):
    """Changes as a checker finds them; a change with an old line is a removal."""

    def emit(
        self,
        rule: str,
        severity: Severity,
        title: str,
        body: str,
        *,
        old_line: int | None = None,
        new_line: int | None = None,
    ) -> None:
        removal = old_line is not None
        self.append(ContractChange(rule, severity, title, body, new_line, old_line, (), removal))


def _unique(changes: Iterable[ContractChange]) -> list[ContractChange]:
    seen: set[tuple[str, str]] = set()
    out: list[ContractChange] = []
    for c in changes:
        if (c.rule, c.title) not in seen:
            seen.add((c.rule, c.title))
            out.append(c)
    return out


def _removed_lines(file: FileDiff) -> set[int]:
    return {ln.old_no for h in file.hunks for ln in h.lines if ln.kind == "-" and ln.old_no}


def _first_changed(file: FileDiff) -> tuple[int, Side] | None:
    for h in file.hunks:
        for ln in h.lines:
            if ln.kind == "+" and ln.new_no:
                return ln.new_no, "RIGHT"
            if ln.kind == "-" and ln.old_no:
                return ln.old_no, "LEFT"
    return None


def _nearest_right(file: FileDiff, target: int, reach: int) -> int | None:
    right = file.right_anchors
    for delta in range(reach + 1):
        for line in (target + delta, target - delta):
            if line in right:
                return line
    return None


def _outside_diff(change: ContractChange) -> tuple[int, Side]:
    """Where the change is in the file, for a diff with no lines (GitHub sent no patch):
    placement turns it into a file-level comment or a summary entry."""
    if change.new_line:
        return change.new_line, "RIGHT"
    if change.old_line:
        return change.old_line, "LEFT"
    return (change.new_parents or (1,))[0], "RIGHT"


def anchor(change: ContractChange, file: FileDiff) -> tuple[int, Side] | None:
    """The commentable (line, side) nearest to the change, or None when the diff has no lines."""
    right = file.right_anchors
    if change.removal and change.old_line and change.old_line in _removed_lines(file):
        return change.old_line, "LEFT"
    if change.new_line and change.new_line in right:
        return change.new_line, "RIGHT"
    if change.new_line:
        near = _nearest_right(file, change.new_line, 2)
        if near is not None:
            return near, "RIGHT"
    target = change.new_line or 0
    for parent in change.new_parents:
        if parent in right and (not target or abs(target - parent) <= _NEAR):
            return parent, "RIGHT"
    return _first_changed(file)


def _cap(changes: list[ContractChange]) -> list[ContractChange]:
    """The worst `MAX_PER_FILE` changes, plus one note that counts the rest (a rewritten
    spec should not bury the review under hundreds of comments)."""
    if len(changes) <= MAX_PER_FILE:
        return changes
    ranked = sorted(changes, key=lambda c: -severity_rank(c.severity))
    kept, rest = ranked[:MAX_PER_FILE], ranked[MAX_PER_FILE:]
    listed = "".join(f"\n- {c.title}" for c in rest[:30])
    more = f"\n- ... and {len(rest) - 30} more" if len(rest) > 30 else ""
    note = ContractChange(
        "contract-changes-truncated",
        "info",
        f"{len(rest)} more contract changes in this file",
        f"Only the {MAX_PER_FILE} most severe contract changes are commented on; the others "
        f"are:{listed}{more}",
        new_line=kept[0].new_line,
        old_line=kept[0].old_line,
        new_parents=kept[0].new_parents,
        removal=kept[0].removal,
    )
    return [*kept, note]


def to_findings(file: FileDiff, changes: Iterable[ContractChange]) -> list[Finding]:
    """Findings anchored on the diff; one per (rule, anchor, title)."""
    seen: set[tuple[str, int, str, str]] = set()
    out: list[Finding] = []
    for change in _cap(_unique(changes)):
        line, side = anchor(change, file) or _outside_diff(change)
        key = (change.rule, line, side, change.title)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            Finding(
                path=file.path,
                line=line,
                side=side,
                severity=change.severity,
                category="api-design",
                title=change.title[:200],
                body=change.body,
                source="static",
                rule=change.rule,
            )
        )
    return out

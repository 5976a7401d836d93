"""The new text of a changed migration file, and which of its lines the PR adds.

Findings may only sit on added lines. For an added file the added lines are the whole file;
for a modified one the head version is read when a content source is given (and checked
against the diff), otherwise the text is rebuilt from the hunks with unseen lines left blank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from bot.models import ContentSource, FileDiff, Finding


@dataclass(frozen=True)
class SqlSnippet:
    path: str
    text: str
    lines: tuple[int, ...]  # new-file line number of each snippet line
    added: frozenset[int]  # added lines of the file: the only places findings may go
    in_transaction: bool
    framework: str  # "sql", "alembic", "django", ... : picks the safe-way wording
    anchor: int | None = None  # the calling line, for findings inside an unseen string line


@dataclass(frozen=True)
class MigrationText:
    path: str
    text: str  # the new file; lines the diff does not show are empty when not complete
    added: frozenset[int]  # new-file line numbers of added lines
    complete: bool  # text is the whole new file

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def line(self, number: int) -> str:
        """Text of a 1-based line, or "" outside the file."""
        return self.lines[number - 1] if 1 <= number <= len(self.lines) else ""


def _is_whole_file(file: FileDiff) -> bool:
    if file.status == "added":
        return True
    return all(ln.kind == "+" for h in file.hunks for ln in h.lines) and bool(file.hunks)


def migration_text(file: FileDiff, source: ContentSource | None = None) -> MigrationText:
    """The best text the diff (and optionally the head revision) gives for this file."""
    shown = {ln.new_no: ln for h in file.hunks for ln in h.lines if ln.new_no is not None}
    added = frozenset(n for n, ln in shown.items() if ln.kind == "+")
    if _is_whole_file(file):
        text = "\n".join(shown[n].text for n in sorted(shown))
        return MigrationText(file.path, text, added, complete=True)
    head = source.read(file.path, side="head") if source is not None else None
    if head is not None:
        head = head.replace("\r\n", "\n")
        head_lines = head.split("\n")
        if all(n <= len(head_lines) and head_lines[n - 1] == ln.text for n, ln in shown.items()):
            return MigrationText(file.path, head, added, complete=True)
    last = max(shown, default=0)
    lines = [""] * last
    for n, ln in shown.items():
        lines[n - 1] = ln.text
    return MigrationText(file.path, "\n".join(lines), added, complete=False)


def with_sections(text: str, file: FileDiff) -> str:
    """The partial new text with each hunk's section heading put above the hunk."""
    lines = text.split("\n")
    _sections(lines, file, new=True)
    return "\n".join(lines)


def _sections(lines: list[str], file: FileDiff, *, new: bool) -> None:
    """Put each hunk's section heading (git's enclosing-block line, e.g. `table "orders" {`)
    on an unseen line just above the hunk, so block readers know where the hunk sits."""
    for hunk in file.hunks:
        at = (hunk.new_start if new else hunk.old_start) - 2
        if hunk.section.strip() and 0 <= at < len(lines) and not lines[at]:
            lines[at] = hunk.section


@dataclass
class Analysis:
    """What one migration file contributes: findings, SQL for squawk, tables it creates."""

    findings: list[Finding] = field(default_factory=list)
    snippets: list[SqlSnippet] = field(default_factory=list)
    new_tables: set[str] = field(default_factory=set)


def base_text(file: FileDiff, source: ContentSource | None) -> tuple[str, frozenset[int]]:
    """The file before the change (read, else rebuilt from the hunks) and its removed lines."""
    removed = frozenset(
        ln.old_no for h in file.hunks for ln in h.lines if ln.kind == "-" and ln.old_no is not None
    )
    if file.status == "added":
        return "", removed
    old = source.read(file.old_path or file.path, side="base") if source is not None else None
    if old is not None:
        return old.replace("\r\n", "\n"), removed
    shown = {ln.old_no: ln.text for h in file.hunks for ln in h.lines if ln.old_no is not None}
    lines = [""] * max(shown, default=0)
    for n, text in shown.items():
        lines[n - 1] = text
    _sections(lines, file, new=False)
    return "\n".join(lines), removed

"""Turn squawk's hits into findings on added diff lines, without its noise.

squawk reports positions in the snippet files; each snippet knows the new-file line of
each of its lines. On top of squawk: hazards on a table created by the same migration are
dropped (an empty table has nothing to lock or scan), the generic `constraint-missing-not-
valid` yields to a more specific rule on the same statement, and hygiene rules that fire
on nearly every migration are kept at `info` (below the default threshold).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.checks.migrations.fixes import fix_for
from bot.checks.migrations.rules import RULES, make_finding
from bot.checks.migrations.sql_sources import (
    line_starts,
    split_statements,
    statement_table,
)
from bot.checks.migrations.squawk import SquawkHit
from bot.checks.migrations.text import SqlSnippet
from bot.models import Finding, Severity

_SEVERITY: dict[str, Severity] = {
    "prefer-robust-stmts": "info",
    "require-lock-timeout": "info",
    "require-statement-timeout": "info",
    "require-timeout-settings": "info",
    "prefer-bigint-over-int": "info",
    "prefer-bigint-over-smallint": "info",
    "prefer-big-int": "info",
    "prefer-identity": "info",
    "prefer-text-field": "info",
    "prefer-timestamp-tz": "info",
    "transaction-nesting": "medium",
    "ban-uncommitted-transaction": "medium",
    "ban-alter-domain-with-add-constraint": "medium",
    "ban-create-domain-with-constraint": "medium",
}
_IGNORED = frozenset({"syntax-error", ""})
# Hazards that only matter for a table that already has rows and readers.
_EXISTING_TABLE_ONLY = frozenset(
    {
        "adding-required-field",
        "adding-not-nullable-field",
        "adding-field-with-default",
        "require-concurrent-index-creation",
        "constraint-missing-not-valid",
        "adding-foreign-key-constraint",
        "disallowed-unique-constraint",
        "adding-serial-primary-key-field",
        "changing-column-type",
        "renaming-column",
        "ban-drop-column",
        "ban-drop-not-null",
        "require-lock-timeout",
        "require-statement-timeout",
        "prefer-robust-stmts",
    }
)
_MORE_SPECIFIC = frozenset(
    {
        "adding-foreign-key-constraint",
        "disallowed-unique-constraint",
        "adding-serial-primary-key-field",
    }
)


@dataclass(frozen=True, slots=True)
class _Statement:
    first: int  # 0-based snippet lines
    last: int
    text: str
    target: tuple[str, str] | None


def _statements(text: str) -> list[_Statement]:
    starts = line_starts(text)
    out = []
    for begin, end in split_statements(text):
        chunk = text[begin:end]
        stripped = chunk.lstrip()
        # skip leading comments so that a statement starts on its keyword's line
        offset = begin + len(chunk) - len(stripped)
        while stripped.startswith("--"):
            nl = stripped.find("\n")
            if nl < 0:
                break
            rest = stripped[nl + 1 :].lstrip()
            offset += len(stripped) - len(rest)
            stripped = rest
        if not stripped.strip():
            continue
        first = bisect.bisect_right(starts, offset) - 1
        last = bisect.bisect_right(starts, max(offset, end - 1)) - 1
        out.append(_Statement(first, last, stripped, statement_table(stripped)))
    return out


def _summary(statement: str) -> str:
    flat = " ".join(statement.split())
    return flat if len(flat) <= 160 else flat[:157] + "..."


def _new_tables(pairs: Iterable[tuple[SqlSnippet, list[_Statement]]]) -> set[str]:
    """Tables that added CREATE TABLE statements of the same file create."""
    tables = set()
    for snip, statements in pairs:
        for st in statements:
            if st.target and st.target[0] == "create":
                lines = snip.lines[st.first : st.last + 1]
                if any(n in snip.added for n in lines):
                    tables.add(st.target[1])
    return tables


def _anchor(snip: SqlSnippet, line: int, st: _Statement | None) -> int | None:
    line = min(max(line, 0), len(snip.lines) - 1)
    number = snip.lines[line]
    if number in snip.added:
        return number
    if st is not None:
        for i in range(st.first, min(st.last, len(snip.lines) - 1) + 1):
            if snip.lines[i] in snip.added and snip.framework == "sql":
                return snip.lines[i]
    return snip.anchor if snip.anchor in snip.added else None


def _locate(statements: list[_Statement], line: int) -> _Statement | None:
    found = None
    for st in statements:
        if st.first <= line:
            found = st
        else:
            break
    return found


def squawk_findings(
    snippets: Sequence[SqlSnippet],
    hits: Sequence[SquawkHit],
    *,
    orm_new_tables: dict[str, set[str]] | None = None,
) -> list[Finding]:
    """Findings for squawk's hits, anchored on added lines of the snippets' files."""
    by_snippet: dict[int, list[SquawkHit]] = defaultdict(list)
    for hit in hits:
        if hit.rule not in _IGNORED and 0 <= hit.index < len(snippets):
            by_snippet[hit.index].append(hit)
    by_path: dict[str, list[int]] = defaultdict(list)
    for i in sorted(by_snippet):
        by_path[snippets[i].path].append(i)
    of_path: dict[str, list[int]] = defaultdict(list)
    for i, snip in enumerate(snippets):
        if snip.path in by_path:
            of_path[snip.path].append(i)
    out: list[Finding] = []
    for path, indexes in by_path.items():
        related = of_path[path]
        parsed = {i: _statements(snippets[i].text) for i in related}
        new = _new_tables((snippets[i], parsed[i]) for i in related)
        new |= (orm_new_tables or {}).get(path, set())
        for i in indexes:
            out.extend(_for_snippet(snippets[i], by_snippet[i], parsed[i], new))
    return out


def _for_snippet(
    snip: SqlSnippet, hits: list[SquawkHit], statements: list[_Statement], new: set[str]
) -> list[Finding]:
    located = [(hit, _locate(statements, hit.line)) for hit in hits]
    specific = {id(st) for hit, st in located if hit.rule in _MORE_SPECIFIC}
    seen: set[tuple[int, str]] = set()
    out = []
    for hit, st in located:
        if (
            st is not None
            and st.target
            and st.target[1] in new
            and st.target[0] != "create"
            and hit.rule in _EXISTING_TABLE_ONLY
        ):
            continue
        if hit.rule == "constraint-missing-not-valid" and id(st) in specific:
            continue
        line = _anchor(snip, hit.line, st)
        if line is None or (line, hit.rule) in seen:
            continue
        seen.add((line, hit.rule))
        out.append(_finding(snip, line, hit, st))
    return out


def _finding(snip: SqlSnippet, line: int, hit: SquawkHit, st: _Statement | None) -> Finding:
    where = f"`{_summary(st.text)}`: " if st is not None else ""
    detail = f"{where}{hit.message}"
    if hit.rule in RULES:
        return make_finding(
            snip.path, line, hit.rule, detail=detail, fix=fix_for(snip.framework, hit.rule)
        )
    title = hit.message.split(". ")[0].rstrip(".")
    return make_finding(
        snip.path,
        line,
        hit.rule,
        detail=detail + (f"\n\n{hit.help}" if hit.help else ""),
        severity=_SEVERITY.get(hit.rule, "low"),
        title=f"squawk {hit.rule}: {title}",
    )

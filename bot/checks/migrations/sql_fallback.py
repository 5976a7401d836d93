"""SQL squawk cannot parse: lint what parses, and read the rest with plain patterns.

squawk reports one `syntax-error` for a whole file when any statement in it fails to parse,
and nothing else. Such snippets are split into one snippet per statement (other lines blanked,
so line numbers stay put) for a second squawk run; a statement that still fails is reported
as `unparsed-sql` and read with the patterns below for the hazards that matter most.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from bot.checks.migrations.rules import make_finding
from bot.checks.migrations.sql_sources import line_starts, split_statements
from bot.checks.migrations.text import SqlSnippet
from bot.models import Finding

_I = re.IGNORECASE | re.DOTALL
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ban-drop-table", re.compile(r"^\s*DROP\s+TABLE\b", _I)),
    ("ban-drop-column", re.compile(r"\bDROP\s+COLUMN\b", _I)),
    ("renaming-column", re.compile(r"\bRENAME\s+COLUMN\b", _I)),
    ("renaming-table", re.compile(r"^\s*ALTER\s+TABLE\b(?:(?!\bCOLUMN\b).)*\bRENAME\s+TO\b", _I)),
    ("changing-column-type", re.compile(r"\bALTER\s+COLUMN\s+\S+\s+(?:SET\s+DATA\s+)?TYPE\b", _I)),
    ("adding-not-nullable-field", re.compile(r"\bSET\s+NOT\s+NULL\b", _I)),
    (
        "require-concurrent-index-creation",
        re.compile(r"^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY\b)", _I),
    ),
    (
        "adding-required-field",
        re.compile(
            r"\bADD\s+(?:COLUMN\s+)?(?:(?!\bDEFAULT\b)[^,;])*\bNOT\s+NULL\b"
            r"(?![^,;]*\bDEFAULT\b)",
            _I,
        ),
    ),
)


def pattern_rules(statement: str) -> list[str]:
    """The hazards a statement shows on its face, without a parser."""
    return [rule for rule, pattern in _PATTERNS if pattern.search(statement)]


def split_snippet(snip: SqlSnippet) -> list[SqlSnippet]:
    """One snippet per statement, each keeping the whole text's line numbering."""
    lines = snip.text.split("\n")
    starts = line_starts(snip.text)
    out = []
    for begin, end in split_statements(snip.text):
        if not snip.text[begin:end].strip():
            continue
        chunk = snip.text[begin:end]
        first = _line_of(starts, begin + len(chunk) - len(chunk.lstrip()))
        last = _line_of(starts, max(begin, end - 1))
        kept = [ln if first <= i <= last else "" for i, ln in enumerate(lines)]
        out.append(replace(snip, text="\n".join(kept)))
    return out


def _line_of(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


def unparsed_findings(snip: SqlSnippet) -> list[Finding]:
    """`unparsed-sql` plus the pattern hazards of a statement squawk could not read."""
    lines = snip.text.split("\n")
    used = [i for i, ln in enumerate(lines) if ln.strip()]
    if not used:
        return []
    anchor = next((snip.lines[i] for i in used if snip.lines[i] in snip.added), None)
    if anchor is None:
        anchor = snip.anchor if snip.anchor in snip.added else None
    if anchor is None:
        return []
    statement = " ".join(" ".join(lines[i].split()) for i in used)
    shown = statement if len(statement) <= 160 else statement[:157] + "..."
    out = [
        make_finding(
            snip.path,
            anchor,
            "unparsed-sql",
            detail=f"squawk could not parse `{shown}`, so it was only read for the obvious "
            "hazards (dropped or renamed tables and columns, NOT NULL, type changes, indexes).",
        )
    ]
    for rule in pattern_rules(statement):
        out.append(make_finding(snip.path, anchor, rule, detail=f"`{shown}`."))
    return out

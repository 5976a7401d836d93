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


_NEEDS = {
    "ban-drop-table": "DROP",
    "ban-drop-column": "DROP",
    "renaming-column": "RENAME",
    "renaming-table": "RENAME",
    "changing-column-type": "TYPE",
    "adding-not-nullable-field": "NOT NULL",
    "require-concurrent-index-creation": "INDEX",
    "adding-required-field": "NOT NULL",
}


def pattern_rules(statement: str) -> list[str]:
    """The hazards a statement shows on its face, without a parser."""
    upper = " ".join(statement[:4000].upper().split())
    return [rule for rule, pattern in _PATTERNS if _NEEDS[rule] in upper and pattern.search(upper)]


def split_snippet(snip: SqlSnippet) -> list[SqlSnippet]:
    """One snippet per statement, each mapping its own lines back to the file's."""
    starts = line_starts(snip.text)
    return [
        _piece(snip, starts, begin, end)
        for begin, end in split_statements(snip.text)
        if snip.text[begin:end].strip()
    ]


def _piece(snip: SqlSnippet, starts: list[int], begin: int, end: int) -> SqlSnippet:
    chunk = snip.text[begin:end]
    first = bisect.bisect_right(starts, begin) - 1
    lines = snip.lines[first : first + chunk.count("\n") + 1]
    # The constructor, not dataclasses.replace: this runs once per statement of a file.
    return SqlSnippet(
        snip.path, chunk, lines, snip.added, snip.in_transaction, snip.framework, snip.anchor
    )


_KEYWORDS = frozenset(
    [
        "ABORT",
        "ALTER",
        "ANALYZE",
        "BEGIN",
        "CALL",
        "CHECKPOINT",
        "CLOSE",
        "CLUSTER",
        "COMMENT",
        "COMMIT",
        "COPY",
        "CREATE",
        "DEALLOCATE",
        "DECLARE",
        "DELETE",
        "DISCARD",
        "DO",
        "DROP",
        "END",
        "EXECUTE",
        "EXPLAIN",
        "FETCH",
        "GRANT",
        "IMPORT",
        "INSERT",
        "LISTEN",
        "LOAD",
        "LOCK",
        "MERGE",
        "MOVE",
        "NOTIFY",
        "PREPARE",
        "REASSIGN",
        "REFRESH",
        "REINDEX",
        "RELEASE",
        "RESET",
        "REVOKE",
        "ROLLBACK",
        "SAVEPOINT",
        "SECURITY",
        "SELECT",
        "SET",
        "SHOW",
        "START",
        "TABLE",
        "TRUNCATE",
        "UNLISTEN",
        "UPDATE",
        "VACUUM",
        "VALUES",
        "WITH",
    ]
)
_LEADING = re.compile(r"(?:\s+|--[^\n]*|/\*.*?\*/)*", re.DOTALL)
_WORD = re.compile(r"[A-Za-z_]\w*")
_NOT_NEWLINE = re.compile(r"[^\n]")
_META = re.compile(r"^[ \t]*\\[^\n]*$", re.MULTILINE)  # psql meta-commands end at the newline


def screen(snip: SqlSnippet) -> tuple[SqlSnippet, list[SqlSnippet]]:
    """Blank the statements that cannot be SQL (they do not start with a statement keyword:
    templating, psql meta-commands, text cut by the diff), which would make squawk reject the
    whole file; return the cleaned snippet and the blanked statements, each as a snippet."""
    text = snip.text
    bad: list[SqlSnippet] = []
    if "\\" in text:
        for m in _META.finditer(text):
            first = text.count("\n", 0, m.start())
            bad.append(replace(snip, text=m.group(0), lines=snip.lines[first : first + 1]))
        text = _META.sub(lambda m: " " * len(m.group(0)), text)
    spans = [(b, e) for b, e in split_statements(text) if not _starts_like_sql(text, b, e)]
    if not spans and not bad:
        return snip, []
    snip = replace(snip, text=text)
    starts = line_starts(text)
    bad.extend(_piece(snip, starts, b, e) for b, e in spans)
    parts: list[str] = []  # one join: re-slicing the whole text per span was quadratic
    done = 0
    for begin, end in spans:
        parts += (text[done:begin], _NOT_NEWLINE.sub(" ", text[begin:end]))
        done = end
    parts.append(text[done:])
    return replace(snip, text="".join(parts)), bad


def _starts_like_sql(text: str, begin: int, end: int) -> bool:
    pos = _LEADING.match(text, begin, end)
    at = pos.end() if pos else begin
    if at >= end:
        return True  # comments only
    word = _WORD.match(text, at, end)
    return word is not None and word.group(0).upper() in _KEYWORDS


def unparsed_findings(pieces: list[SqlSnippet]) -> list[Finding]:
    """One `unparsed-sql` per file (naming the first statement and how many there are), plus
    the pattern hazards of each statement squawk could not read."""
    out: list[Finding] = []
    first: tuple[int, str] | None = None
    count = 0
    for snip in pieces:
        lines = snip.text.split("\n")
        used = [i for i, ln in enumerate(lines) if ln.strip()]
        anchor = next((snip.lines[i] for i in used if snip.lines[i] in snip.added), None)
        if anchor is None and snip.anchor in snip.added:
            anchor = snip.anchor
        if anchor is None or not used:
            continue
        statement = " ".join(" ".join(lines[i].split()) for i in used)
        shown = statement if len(statement) <= 160 else statement[:157] + "..."
        count += 1
        first = first or (anchor, shown)
        for rule in pattern_rules(statement):
            out.append(make_finding(snip.path, anchor, rule, detail=f"`{shown}`."))
    if first is not None:
        more = f" (and {count - 1} more statement(s) of this file)" if count > 1 else ""
        out.append(
            make_finding(
                pieces[0].path,
                first[0],
                "unparsed-sql",
                detail=f"squawk could not parse `{first[1]}`{more}, so it was only read for "
                "the obvious hazards (dropped or renamed tables and columns, NOT NULL, type "
                "changes, indexes).",
            )
        )
    return out

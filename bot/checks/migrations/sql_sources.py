"""SQL that a migration runs going forward, as snippets for squawk with a map back to the diff.

A snippet is SQL text plus, for each of its lines, the new-file line it came from: a raw
`.sql` migration (only goose's / dbmate's Up section; down migrations are skipped) or a
string an ORM migration executes (`op.execute`, `RunSQL`, `execute`, `queryRunner.query`).
"""

from __future__ import annotations

import bisect
import re
from itertools import accumulate

from bot.checks.migrations.text import MigrationText, SqlSnippet

_TOKENS = re.compile(
    r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\$(\w*)\$.*?\$\1\$|;",
    re.DOTALL,
)
_GOOSE = re.compile(r"^\s*--\s*\+goose\s+(up|down)\b", re.IGNORECASE)
_GOOSE_NO_TX = re.compile(r"^\s*--\s*\+goose\s+no\s+transaction", re.IGNORECASE | re.MULTILINE)
_DBMATE = re.compile(r"^\s*--\s*migrate:(up|down)\b(.*)$", re.IGNORECASE)
_MYSQL = re.compile(r"\bENGINE\s*=|\bAUTO_INCREMENT\b|\bUNSIGNED\b", re.IGNORECASE)
_MYSQL_WORDS = ("engine", "auto_increment", "unsigned")  # each match of _MYSQL holds one
_DOWN_PATH = re.compile(
    r"\.down\.sql$|(^|/)U\d[\w.]*__[^/]*\.sql$|(^|/)(revert|verify)/[^/]*\.sql$|(^|/)down\.sql$",
    re.IGNORECASE,
)
_NAME = r"((?:\"[^\"]+\"|[\w$]+)(?:\s*\.\s*(?:\"[^\"]+\"|[\w$]+))*)"
_ALTER = re.compile(
    rf"^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_NAME}", re.IGNORECASE | re.DOTALL
)
_INDEX = re.compile(
    rf"^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"
    rf"(?:{_NAME}\s+)?ON\s+(?:ONLY\s+)?{_NAME}",
    re.IGNORECASE | re.DOTALL,
)
_CREATE = re.compile(
    rf"^CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+"
    rf"(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}",
    re.IGNORECASE | re.DOTALL,
)
_LEADING_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*|/\*.*?\*/)*", re.DOTALL)


def is_down_migration(path: str) -> bool:
    """golang-migrate `*.down.sql`, Flyway undo `U1__*.sql`, sqitch revert/verify scripts."""
    return bool(_DOWN_PATH.search(path))


def looks_like_mysql(text: str) -> bool:
    """squawk lints PostgreSQL; MySQL migrations would only produce wrong advice."""
    if "`" in text:  # PostgreSQL never quotes with backticks
        return True
    if text.isascii():  # then lower() is exact for the pattern's words: skip the regex scan
        lower = text.lower()
        if not any(w in lower for w in _MYSQL_WORDS):
            return False
    return bool(_MYSQL.search(text))


def split_statements(text: str) -> list[tuple[int, int]]:
    """Start and end offsets of each statement, honouring quotes, comments and $$ bodies."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _TOKENS.finditer(text):
        if m.group(0) == ";":
            out.append((start, m.end()))
            start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


def normalise_table(name: str) -> str:
    """`"public"."Orders"` and `orders` name the same table for our purposes."""
    parts = [p.strip().strip('"') for p in name.split(".")]
    return parts[-1].lower()


def statement_table(statement: str) -> tuple[str, str] | None:
    """("alter" | "index" | "create", table) for the statements whose target matters."""
    body = _LEADING_COMMENTS.sub("", statement, count=1)
    if m := _CREATE.match(body):
        return "create", normalise_table(m.group(1))
    if m := _ALTER.match(body):
        return "alter", normalise_table(m.group(1))
    if m := _INDEX.match(body):
        return "index", normalise_table(m.group(2))
    return None


def _sections(lines: list[str]) -> tuple[list[bool], bool | None]:
    """Which lines run going forward (goose / dbmate Up), and a transaction mode they declare."""
    keep = [True] * len(lines)
    marked = False
    mode: bool | None = None
    current = True
    for i, line in enumerate(lines):
        if m := _GOOSE.match(line):
            marked, current = True, m.group(1).lower() == "up"
            mode = True if mode is None else mode
        elif m := _DBMATE.match(line):
            marked, current = True, m.group(1).lower() == "up"
            if current:
                mode = "transaction:false" not in m.group(2).replace(" ", "").lower()
        keep[i] = current
    if not marked:
        return [True] * len(lines), None
    return keep, mode


def sql_file_snippet(mt: MigrationText, *, assume_in_transaction: bool) -> SqlSnippet | None:
    """The forward SQL of a raw migration file, or None when nothing of it is to be linted."""
    if is_down_migration(mt.path) or looks_like_mysql(mt.text):
        return None
    lines = mt.lines
    text = mt.text
    mode: bool | None = None
    if "+goose" in text or "migrate:" in text:  # only then can there be Up/Down sections
        keep, mode = _sections(lines)
        if mode is not None and _GOOSE_NO_TX.search(text):
            mode = False
        text = "\n".join(ln if k else "" for ln, k in zip(lines, keep, strict=True))
        if not any(n in mt.added for n in range(1, len(lines) + 1) if keep[n - 1]):
            return None
    elif not mt.added:
        return None
    if not mt.complete:
        text = _added_statements(text, mt.added)
    in_tx = assume_in_transaction if mode is None else mode
    numbers = tuple(range(1, len(lines) + 1))
    return SqlSnippet(mt.path, text, numbers, mt.added, in_tx, "sql")


def _added_statements(text: str, added: frozenset[int]) -> str:
    """Blank every statement that is not made of added lines only (line numbers stay put)."""
    starts = line_starts(text)
    lines = text.split("\n")
    keep = [i + 1 in added for i in range(len(lines))]
    for raw_begin, end in split_statements(text):
        chunk = text[raw_begin:end]
        begin = raw_begin + len(chunk) - len(chunk.lstrip())
        first = bisect.bisect_right(starts, begin) - 1
        last = bisect.bisect_right(starts, max(begin, end - 1)) - 1
        span = range(first, last + 1)
        if not all(keep[n] or not lines[n].strip() for n in span):
            for n in span:
                keep[n] = False
    return "\n".join(line if k else "" for line, k in zip(lines, keep, strict=True))


def line_starts(text: str) -> list[int]:
    """Offset of the first character of each line."""
    # Each line starts one past the end of the line before; summed at C speed, not per match.
    return list(accumulate(map(_PLUS_ONE, map(len, text.split("\n")[:-1])), initial=0))


_PLUS_ONE = (1).__add__


def embedded_snippet(
    path: str,
    sql: str,
    *,
    first_line: int,
    last_line: int,
    added: frozenset[int],
    in_transaction: bool,
    framework: str,
    anchor: int,
) -> SqlSnippet | None:
    """A SQL string literal of an ORM migration: its line i sits on first_line + i."""
    if not sql.strip() or looks_like_mysql(sql):
        return None
    count = sql.count("\n") + 1
    numbers = tuple(min(first_line + i, max(first_line, last_line)) for i in range(count))
    return SqlSnippet(path, sql, numbers, added, in_transaction, framework, anchor)


_VARCHAR = re.compile(r"^(?:varchar|character varying)(?:\((\d+)\))?$")


def is_widening(old: str, new: str) -> bool:
    """varchar(n) to a larger varchar, unbounded varchar or text: PostgreSQL rewrites nothing."""
    old_m = _VARCHAR.match(" ".join(old.lower().split()))
    new_type = " ".join(new.lower().split())
    if old_m is None:
        return False
    if new_type == "text":
        return True
    new_m = _VARCHAR.match(new_type)
    if new_m is None:
        return False
    if new_m.group(1) is None:
        return True
    return old_m.group(1) is not None and int(new_m.group(1)) >= int(old_m.group(1))

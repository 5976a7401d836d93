"""Shared pieces of the query checks: rule texts, languages, added lines, SQL look-alikes.

The language scanners (`query_python`, `query_patterns`) produce `Hit`s; `queries` turns them
into findings, keeping only those on lines the change added.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from bot.checks.queries.sql_lint import SqlIssue, lint_sql
from bot.models import Category, FileDiff, Severity

LANGUAGES: dict[str, str] = {
    ".py": "python",
    ".js": "js",
    ".jsx": "js",
    ".mjs": "js",
    ".cjs": "js",
    ".ts": "js",
    ".tsx": "js",
    ".mts": "js",
    ".cts": "js",
    ".go": "go",
    ".rb": "ruby",
    ".rake": "ruby",
    ".java": "java",
    ".kt": "java",
    ".php": "php",
    ".cs": "csharp",
    ".sql": "sql",
}


def language_of(path: str) -> str | None:
    """The scanner for a path, by extension."""
    dot = path.rfind(".")
    return LANGUAGES.get(path[dot:].lower()) if dot > path.rfind("/") else None


@dataclass(frozen=True, slots=True)
class Rule:
    severity: Severity
    category: Category
    title: str
    body: str


RULES: dict[str, Rule] = {
    "sql-injection": Rule(
        "high",
        "security",
        "SQL built from {detail} is open to SQL injection",
        "This query is assembled by string formatting, so whatever the interpolated value holds "
        "becomes SQL: a request value such as `' OR 1=1 --` reads or changes rows it must not, "
        "and a quote in ordinary data breaks the query. Pass values as bound parameters "
        "(placeholders in the SQL text and the values beside it) so the driver sends them "
        "separately from the statement; identifiers (table, column, sort order) must come from "
        "an allow-list, never from the request.",
    ),
    "n-plus-one-query": Rule(
        "medium",
        "database",
        "Query inside a loop ({detail}): one database round trip per item",
        "This runs one query for every iteration, so a page of 500 items costs 501 round trips "
        "and response time grows with the data. Load what the loop needs in one query before it: "
        "{fix}.",
    ),
    "update-delete-without-where": Rule(
        "high",
        "database",
        "{detail} without WHERE changes every row",
        "This statement has no WHERE clause, so it rewrites or deletes the whole table and holds "
        "row locks on all of it until the transaction ends. If that is intended, say so in a "
        "comment (or use TRUNCATE for a full wipe); otherwise add the missing condition. Large "
        "batch changes are safer done in keyed batches.",
    ),
    "select-star": Rule(
        "low",
        "database",
        "SELECT {detail} in an application query",
        "`SELECT *` fetches every column, including ones added later (large text, secrets), "
        "prevents index-only scans and silently changes the result shape when the table changes. "
        "Name the columns the code uses.",
    ),
    "limit-without-order-by": Rule(
        "medium",
        "database",
        "{detail} without ORDER BY returns an arbitrary page",
        "Without ORDER BY the database may return rows in any order, and that order can change "
        "between executions, so pages overlap or skip rows. Order by a unique key (for example "
        "`ORDER BY created_at, id`), and prefer keyset pagination (`WHERE id > :last_id`) to large "
        "OFFSETs, which read and discard every skipped row.",
    ),
    "null-comparison": Rule(
        "high",
        "database",
        "Comparison `{detail} NULL` is never true",
        "In SQL, `x = NULL` and `x <> NULL` evaluate to NULL, never true, so this condition "
        "matches no rows. Use `IS NULL` / `IS NOT NULL` (or `IS DISTINCT FROM` to compare values "
        "that may be NULL).",
    ),
    "leading-wildcard-like": Rule(
        "low",
        "database",
        "LIKE pattern {detail} starts with a wildcard",
        "A pattern that starts with `%` cannot use a B-tree index, so every search scans the whole "
        "table, which gets slower as it grows. Use a prefix match where the feature allows it, or "
        "a trigram index (`CREATE INDEX ... USING gin (col gin_trgm_ops)`) or full-text search.",
    ),
    "implicit-cross-join": Rule(
        "medium",
        "database",
        "Implicit cross join with {detail}",
        "This table is listed in FROM with a comma and no condition links it to the others, so "
        "the query returns every combination of rows (a Cartesian product): rows x rows, "
        "duplicated results and a very slow query. Write an explicit `JOIN ... ON` with the "
        "linking columns, or `CROSS JOIN` if the product is really intended.",
    ),
    "unbounded-query": Rule(
        "medium",
        "api-design",
        "List endpoint returns an unbounded query ({detail})",
        "This handler loads every matching row into memory and into the response. As the table "
        "grows, responses get slower and larger until they time out or exhaust memory. Add "
        "pagination (a `limit` with a maximum, and a cursor or offset) and return the next-page "
        "token with the results.",
    ),
}


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule match at a new-file line, before it becomes a finding."""

    rule: str
    line: int
    detail: str
    severity: Severity | None = None  # overrides the rule's default
    note: str = ""  # appended to the body: what exactly was seen
    suggestion: str | None = None
    fix: str = ""  # for n-plus-one-query: the framework's batching tool
    fallback_lines: tuple[int, ...] = ()  # other lines that may carry it (missing-clause rules)


# Cheap tests that decide whether a file is worth scanning at all: most changed files hold no
# SQL, no loop around a query and no list endpoint, and skip every parse.
SQL_HINT = re.compile(
    r"\b(?:select\b[\s\S]{0,300}?\bfrom|insert\s+into|update\s+\S+\s+set|delete\s+from)\b",
    re.IGNORECASE,
)


_SQL_WORDS_LOWER = ("select", "insert", "update", "delete")


def has_sql(text: str) -> bool:
    """Statement-like SQL somewhere in the text (a substring test guards the pattern)."""
    lower = text.lower()
    return any(w in lower for w in _SQL_WORDS_LOWER) and bool(SQL_HINT.search(text))


def has_any(text: str, anchors: tuple[str, ...]) -> bool:
    return any(a in text for a in anchors)


def new_side_text(file: FileDiff) -> str:
    """Added and context lines of every hunk (what the scanners read)."""
    return "\n".join([ln.text for h in file.hunks for ln in h.lines if ln.new_no is not None])


def added_lines(file: FileDiff) -> set[int]:
    """New-file numbers of the lines this change added."""
    return {ln.new_no for h in file.hunks for ln in h.lines if ln.kind == "+" and ln.new_no}


def hunk_texts(file: FileDiff) -> list[tuple[int, list[str]]]:
    """Each hunk's new-side text as (first new line number, lines)."""
    out: list[tuple[int, list[str]]] = []
    for h in file.hunks:
        lines = [ln for ln in h.lines if ln.new_no is not None]
        if lines and any(ln.kind == "+" for ln in lines):
            out.append((lines[0].new_no or 1, [ln.text for ln in lines]))
    return out


# Something that reads like a statement, not prose: a keyword followed by its companion clause.
_SQL_SHAPE = re.compile(
    r"^\s*(?:--[^\n]*\n\s*)*(?:"
    r"SELECT\s[\s\S]*?\bFROM\s|INSERT\s+INTO\s|UPDATE\s+\S+\s+SET\s|DELETE\s+FROM\s|"
    r"WITH\s+\w+\s+AS\s*\(|SELECT\s+\S)",
    re.IGNORECASE,
)
_SQL_STARTS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "--")
_UPPER_KEYWORD = re.compile(r"^\s*(?:--[^\n]*\n\s*)*(SELECT|INSERT|UPDATE|DELETE|WITH)\b")


def looks_like_sql(text: str, *, in_query_call: bool = False) -> bool:
    """True for statement-shaped text: upper-case keywords, or any case inside a query call.

    Lower-case prose such as "delete from cart" must not become a finding, so lower-case SQL is
    only trusted where the code hands it to the database.
    """
    if len(text) < 10:
        return False
    head = text.lstrip()[:7].upper()
    if not head.startswith(_SQL_STARTS) or not _SQL_SHAPE.match(text):
        return False
    return in_query_call or bool(_UPPER_KEYWORD.match(text))


_SQL_WORDS = re.compile(
    r"\b(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|WHERE|FROM|VALUES|ORDER\s+BY|JOIN|SET)\b",
    re.IGNORECASE,
)


def mentions_sql(text: str) -> bool:
    """A fragment with SQL words in it (for injection: `WHERE id = ` + value is enough)."""
    return bool(_SQL_WORDS.search(text))


PLACEHOLDER = "__p{}__"
_PLACEHOLDER_RE = re.compile(r"__p\d+__")
# A LIKE pattern built from a bound or interpolated value: a search box, not a fixed pattern.
_USER_PATTERN = re.compile(r"__p\d+__|:\w|%s|%\(|\?|\$\d|@\w")


def sql_hits(sql: str, *, first_line: int, last_line: int, dynamic: bool = False) -> list[Hit]:
    """Lint SQL text that starts on `first_line` of the file; clamp lines to the literal."""
    return [_issue_hit(i, first_line, last_line) for i in lint_sql(sql, dynamic=dynamic)]


def _issue_hit(issue: SqlIssue, first: int, last: int) -> Hit:
    line = min(first + issue.line - 1, last)
    fallback: tuple[int, ...] = ()
    if issue.missing:
        start = min(first + issue.statement_line - 1, last)
        end = min(first + issue.statement_end - 1, last)
        fallback = tuple(range(start, end + 1))
    severity: Severity | None = None
    if issue.rule == "leading-wildcard-like" and _USER_PATTERN.search(issue.detail):
        severity = "medium"
    detail = _PLACEHOLDER_RE.sub("{...}", issue.detail)
    return Hit(issue.rule, line, detail, severity=severity, fallback_lines=fallback)


_PAGINATION = re.compile(r"paginat|limit|page|offset|per_page|max_results|take", re.IGNORECASE)
_SQL_LIMIT = re.compile(r"\b(LIMIT|FETCH\s+FIRST|TOP)\b", re.IGNORECASE)


def mentions_pagination(node: ast.AST) -> bool:
    """Whether a handler names paging anywhere (a `limit` argument, `paginate`, SQL LIMIT)."""
    for sub in ast.walk(node):
        word = (
            sub.id
            if isinstance(sub, ast.Name)
            else sub.attr
            if isinstance(sub, ast.Attribute)
            else sub.arg
            if isinstance(sub, ast.arg | ast.keyword) and sub.arg
            else ""
        )
        if word and _PAGINATION.search(word):
            return True
        if isinstance(sub, ast.Constant) and _SQL_LIMIT.search(str(sub.value)):
            return True
    return False

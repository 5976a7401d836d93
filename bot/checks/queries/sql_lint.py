"""Lint SQL text with sqlglot's syntax tree: the query hazards that need no schema to see.

Pure and cached: the same statement text (a query file copied across services, a string
repeated in a module) is tokenised and parsed once per process. A statement that sqlglot
cannot parse yields nothing; a dialect quirk must never become a finding or an error.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import Token, TokenType  # type: ignore[attr-defined]  # re-exported

# sqlglot 30 split the node base class (`Expr`) from `Expression`; older releases have one.
_NODE: type[exp.Expr] = getattr(exp, "Expr", exp.Expression)

# Strings longer than this are generated dumps or fixtures, not hand-written queries.
MAX_SQL_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class SqlIssue:
    """One hazard in a statement; `line` is 1-based within the linted text."""

    rule: str
    line: int
    detail: str
    statement_line: int  # the line of the statement's first keyword
    statement_end: int  # the line of its last token
    missing: bool = (
        False  # about a clause that is absent, so any line of the statement may carry it
    )


def lint_sql(
    text: str, *, dynamic: bool = False, dialect: str = "postgres"
) -> tuple[SqlIssue, ...]:
    """Every hazard in every statement of `text`.

    `dynamic` says parts of the text were interpolated at run time (replaced by placeholders):
    rules about a *missing* clause are skipped then, since the clause may be in the missing part.
    Statements are split cheaply first and only those a rule could match are parsed.
    """
    if len(text) > MAX_SQL_CHARS or not text.strip():
        return ()
    seen: set[tuple[str, int]] = set()
    out: list[SqlIssue] = []
    for first_line, statement in split_statements(text):
        if not _candidate(statement, dynamic=dynamic):
            continue
        shift = first_line - 1
        for issue in _lint_cached(statement, dynamic, dialect):
            moved = SqlIssue(
                issue.rule,
                issue.line + shift,
                issue.detail,
                issue.statement_line + shift,
                issue.statement_end + shift,
                issue.missing,
            )
            if (moved.rule, moved.line) not in seen:
                seen.add((moved.rule, moved.line))
                out.append(moved)
    return tuple(out)


# Quoted text, comments and dollar-quoted bodies, whose semicolons do not end a statement.
_SKIP_OR_END = re.compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*[\s\S]*?\*/|\$(\w*)\$[\s\S]*?\$\1\$|;"
)


def split_statements(text: str) -> list[tuple[int, str]]:
    """(line of its first character, text) for each `;`-separated statement."""
    out: list[tuple[int, str]] = []
    start, line = 0, 1
    for m in _SKIP_OR_END.finditer(text):
        if m.group(0) == ";":
            chunk = text[start : m.start()]
            if chunk.strip():
                out.append((line, chunk))
            line += text.count("\n", start, m.end())
            start = m.end()
    if text[start:].strip():
        out.append((line, text[start:]))
    return out


_NULL_CMP = re.compile(r"(=|<>|!=)\s*NULL\b|\bNULL\s*(=|<>|!=)")
_LEADING = re.compile(r"\bI?LIKE\s*\(?\s*(?:'%|E'%|\$)")
# UPDATE / DELETE as the statement (possibly after comments or a WITH), not `ON DELETE CASCADE`
_CHANGES_ROWS = re.compile(
    r"(?:\s|--[^\n]*\n|/\*[\s\S]*?\*/)*(?:WITH\b[\s\S]*)?\b(UPDATE|DELETE)\b"
)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b")
_COMMA_FROM = re.compile(r"FROM\s+[^\s,;()]+(?:\s+(?:AS\s+)?[^\s,;()]+)?\s*,")


def _candidate(statement: str, *, dynamic: bool) -> bool:
    """Whether any rule could match: parsing is the expensive part, most statements skip it.

    Substring tests first (they run at memory speed), a pattern only where one succeeded.
    """
    up = statement.upper()
    if (
        "*" in up
        or ("NULL" in up and _NULL_CMP.search(up))
        or ("LIKE" in up and _LEADING.search(up))
    ):
        return True
    if dynamic:
        return False  # the remaining rules are about missing clauses, skipped for dynamic SQL
    if ("UPDATE" in up or "DELETE" in up) and _CHANGES_ROWS.match(up):
        return True
    if ("LIMIT" in up or "OFFSET" in up) and not ("ORDER" in up and _ORDER_BY.search(up)):
        return True
    at = up.find("FROM")
    while at >= 0:
        if _COMMA_FROM.match(up, at):
            return True
        at = up.find("FROM", at + 4)
    return False


@lru_cache(maxsize=8192)
def _lint_cached(statement: str, dynamic: bool, dialect: str) -> tuple[SqlIssue, ...]:
    dia = Dialect.get_or_raise(dialect)
    try:
        tokens = dia.tokenize(statement)
    except Exception:  # sqlglot raises TokenError and, on odd input, plain errors
        return ()
    tokens = [t for t in tokens if t.token_type != TokenType.SEMICOLON]
    if not tokens:
        return ()
    stmt = _parse(dia, tokens, statement)
    if stmt is None:
        return ()
    span = (tokens[0].line, tokens[-1].line)
    return tuple(_lint_statement(stmt, span, dynamic=dynamic))


_SQLGLOT_LOG = logging.getLogger("sqlglot")


def _parse(dia: Dialect, chunk: list[Token], text: str) -> exp.Expr | None:
    # sqlglot logs a warning for every statement it falls back on ("unsupported syntax"):
    # that is our "no finding", not something to print on the user's terminal.
    level = _SQLGLOT_LOG.level
    _SQLGLOT_LOG.setLevel(logging.ERROR)
    try:
        parsed = dia.parser().parse(chunk, text)
    except Exception:  # ParseError, or an internal error on SQL sqlglot does not model
        return None
    finally:
        _SQLGLOT_LOG.setLevel(level)
    return parsed[0] if parsed and parsed[0] is not None else None


def _text(node: exp.Expr) -> str:
    """The node as short PostgreSQL text for a title, without the comments attached to it."""
    try:
        return node.sql(dialect="postgres", comments=False)
    except Exception:  # generation can fail on nodes a dialect cannot express
        return node.key.upper()


def _line(node: exp.Expr, default: int) -> int:
    """The first source line sqlglot recorded inside `node` (identifiers and literals carry it)."""
    for sub in node.walk():
        line = sub.meta.get("line") if sub.meta else None
        if isinstance(line, int):
            return line
    return default


def _lint_statement(stmt: exp.Expr, span: tuple[int, int], *, dynamic: bool) -> list[SqlIssue]:
    first = span[0]
    out: list[SqlIssue] = []
    if not dynamic and isinstance(stmt, exp.Update | exp.Delete) and not stmt.args.get("where"):
        verb = "UPDATE" if isinstance(stmt, exp.Update) else "DELETE"
        table = _text(stmt.this) if isinstance(stmt.this, _NODE) else "?"
        out.append(SqlIssue("update-delete-without-where", first, f"{verb} {table}", *span, True))
    for query in _result_queries(stmt):
        out.extend(_star_issues(query, span))
        if not dynamic:
            out.extend(_limit_issues(query, span))
    out.extend(_null_comparisons(stmt, span))
    out.extend(_leading_wildcards(stmt, span))
    if not dynamic:
        out.extend(_cross_joins(stmt, span))
    return out


def _result_queries(stmt: exp.Expr) -> list[exp.Query]:
    """The SELECTs whose rows the application receives: the statement and its UNION branches."""
    if isinstance(stmt, exp.Select):
        return [stmt]
    if isinstance(stmt, exp.SetOperation):
        left, right = stmt.this, stmt.expression
        branches = [q for side in (left, right) for q in _result_queries(side)]
        return [stmt, *branches]
    if isinstance(stmt, exp.Subquery):
        return _result_queries(stmt.this)
    return []


def _star_issues(query: exp.Query, span: tuple[int, int]) -> list[SqlIssue]:
    first = span[0]
    if not isinstance(query, exp.Select):
        return []
    out: list[SqlIssue] = []
    for col in query.expressions:
        if isinstance(col, exp.Star) or (isinstance(col, exp.Column) and col.is_star):
            out.append(SqlIssue("select-star", _line(col, first), _text(col), *span))
    return out


def _limit_issues(query: exp.Query, span: tuple[int, int]) -> list[SqlIssue]:
    first = span[0]
    limit, offset = query.args.get("limit"), query.args.get("offset")
    if query.args.get("order") or not (limit or offset):
        return []
    if offset is None and isinstance(limit, exp.Limit):
        value = limit.expression
        if isinstance(value, exp.Literal) and value.this == "1":
            return []  # LIMIT 1 is an existence check or "any one row" far more often than a page
    node = limit if isinstance(limit, _NODE) else offset
    line = _line(node, first) if isinstance(node, _NODE) else first
    what = " / ".join(w for w, v in (("LIMIT", limit), ("OFFSET", offset)) if v)
    return [SqlIssue("limit-without-order-by", line, what, *span, True)]


def _null_comparisons(stmt: exp.Expr, span: tuple[int, int]) -> list[SqlIssue]:
    first = span[0]
    out: list[SqlIssue] = []
    for cmp in stmt.find_all(exp.EQ, exp.NEQ):
        if not (isinstance(cmp.this, exp.Null) or isinstance(cmp.expression, exp.Null)):
            continue
        if cmp.find_ancestor(exp.Where, exp.Having, exp.Join, exp.If) is None:
            continue  # `SET col = NULL` is an assignment, not a comparison
        op = "=" if isinstance(cmp, exp.EQ) else "<>"
        out.append(SqlIssue("null-comparison", _line(cmp, first), op, *span))
    return out


def _starts_with_wildcard(pattern: exp.Expr) -> bool:
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        return str(pattern.this).startswith("%")
    if isinstance(pattern, exp.DPipe | exp.Concat | exp.Paren):
        head = pattern.this if not isinstance(pattern, exp.Concat) else pattern.expressions[0]
        return isinstance(head, _NODE) and _starts_with_wildcard(head)
    return False


def _leading_wildcards(stmt: exp.Expr, span: tuple[int, int]) -> list[SqlIssue]:
    first = span[0]
    out: list[SqlIssue] = []
    for like in stmt.find_all(exp.Like, exp.ILike):
        pattern = like.expression
        if isinstance(pattern, _NODE) and _starts_with_wildcard(pattern):
            out.append(SqlIssue("leading-wildcard-like", _line(like, first), _text(pattern), *span))
    return out


_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between, exp.In)


def _cross_joins(stmt: exp.Expr, span: tuple[int, int]) -> list[SqlIssue]:
    first = span[0]
    ctes = {c.alias_or_name for c in stmt.find_all(exp.CTE)}
    out: list[SqlIssue] = []
    for select in stmt.find_all(exp.Select):
        from_ = select.args.get("from_") or select.args.get("from")
        joins = select.args.get("joins") or []
        if not isinstance(from_, exp.From) or not joins:
            continue
        links = _linked_qualifiers(select)
        for join in joins:
            table = join.this
            explicit = any(join.args.get(k) for k in ("on", "using", "kind", "side", "method"))
            if explicit or not isinstance(table, exp.Table) or not table.name:
                continue
            if table.name in ctes or _is_linked(table, links):
                continue
            out.append(
                SqlIssue("implicit-cross-join", _line(table, first), _text(table), *span, True)
            )
    return out


def _linked_qualifiers(select: exp.Select) -> list[set[str]]:
    """For each comparison between two or more columns, the table qualifiers it mentions."""
    conditions: list[exp.Expr] = []
    where = select.args.get("where")
    if isinstance(where, exp.Where):
        conditions.append(where)
    conditions.extend(j.args["on"] for j in select.args.get("joins") or [] if j.args.get("on"))
    out: list[set[str]] = []
    for cond in conditions:
        for cmp in cond.find_all(*_COMPARISONS):
            cols = list(cmp.find_all(exp.Column))
            if len(cols) >= 2:
                out.append({c.table for c in cols})
    return out


def _is_linked(table: exp.Table, links: list[set[str]]) -> bool:
    names = {table.name, table.alias_or_name}
    for quals in links:
        if "" in quals:
            return True  # unqualified columns: cannot tell which table they belong to
        if quals & names and len(quals) >= 2:
            return True
    return False

"""Lint SQL text with sqlglot's syntax tree: the query hazards that need no schema to see.

Pure and cached: the same statement text (a query file copied across services, a string
repeated in a module) is tokenised and parsed once per process. A statement that sqlglot
cannot parse yields nothing; a dialect quirk must never become a finding or an error.
"""

from __future__ import annotations

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
    """
    if len(text) > MAX_SQL_CHARS or not text.strip():
        return ()
    return _lint_cached(text, dynamic, dialect)


@lru_cache(maxsize=8192)
def _lint_cached(text: str, dynamic: bool, dialect: str) -> tuple[SqlIssue, ...]:
    dia = Dialect.get_or_raise(dialect)
    try:
        tokens = dia.tokenize(text)
    except Exception:  # sqlglot raises TokenError and, on odd input, plain errors
        return ()
    issues: list[SqlIssue] = []
    for chunk in _statements(tokens):
        stmt = _parse(dia, chunk, text)
        if stmt is not None:
            span = (chunk[0].line, chunk[-1].line)
            issues.extend(_lint_statement(stmt, span, dynamic=dynamic))
    seen: set[tuple[str, int]] = set()
    out: list[SqlIssue] = []
    for issue in issues:
        if (issue.rule, issue.line) not in seen:
            seen.add((issue.rule, issue.line))
            out.append(issue)
    return tuple(out)


def _statements(tokens: list[Token]) -> list[list[Token]]:
    chunks: list[list[Token]] = [[]]
    for tok in tokens:
        if tok.token_type == TokenType.SEMICOLON:
            chunks.append([])
        else:
            chunks[-1].append(tok)
    return [c for c in chunks if c]


def _parse(dia: Dialect, chunk: list[Token], text: str) -> exp.Expr | None:
    try:
        parsed = dia.parser().parse(chunk, text)
    except Exception:  # ParseError, or an internal error on SQL sqlglot does not model
        return None
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

"""Small `ast` helpers shared by the Alembic and Django readers: literals, keywords, SQL strings.

The PR's Python is parsed, never imported or run.
"""

from __future__ import annotations

import ast
import re

from bot.checks.migrations.rules import make_finding
from bot.checks.migrations.sql_sources import embedded_snippet, split_statements
from bot.checks.migrations.text import Analysis, MigrationText
from bot.models import Severity

VOLATILE_SQL = re.compile(
    r"\b(random|gen_random_uuid|uuid_generate_v1|uuid_generate_v1mc|uuid_generate_v4|"
    r"clock_timestamp|timeofday|nextval|txid_current|setseed)\s*\(",
    re.IGNORECASE,
)
_DML = re.compile(r"^\s*(UPDATE|INSERT|DELETE|MERGE|COPY)\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"%%|%s|%\(\w+\)s")
_WRAPPERS = frozenset({"text", "dedent", "literal_column", "TextClause"})


def parse_python(text: str) -> ast.Module | None:
    """The module's syntax tree, or None when the text is not (complete) Python."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def call_name(node: ast.AST) -> str:
    """`op.add_column` -> "add_column", `migrations.AddField` -> "AddField", `f` -> "f"."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def receiver(call: ast.Call) -> str:
    """The name a method is called on: `op.add_column` -> "op", `batch_op.x` -> "batch_op"."""
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id
    return ""


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    """A call argument given by position or by keyword."""
    if len(call.args) > position and not any(
        isinstance(a, ast.Starred) for a in call.args[: position + 1]
    ):
        return call.args[position]
    return keyword(call, name)


def resolve_name(tree: ast.Module, node: ast.expr | None) -> ast.expr | None:
    """A module-level constant's value for its name (`RunSQL(FORWARD_SQL)`), else the node."""
    if not isinstance(node, ast.Name):
        return node
    for st in tree.body:
        if isinstance(st, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == node.id for t in st.targets
        ):
            return st.value
    return node


def is_const(node: ast.expr | None, value: object) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


def literal_str(node: ast.expr | None) -> str | None:
    """A string literal, also through `sa.text(...)`, `textwrap.dedent(...)`, `"...".strip()`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and node.args:
        name = call_name(node)
        if name in _WRAPPERS:
            return literal_str(node.args[0])
        if name in {"strip", "lstrip", "rstrip"} and isinstance(node.func, ast.Attribute):
            inner = literal_str(node.func.value)
            return inner
    return None


def string_node(node: ast.expr | None) -> ast.Constant | None:
    """The Constant that carries the SQL text (for its line numbers)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node
    if isinstance(node, ast.Call):
        if node.args and call_name(node) in _WRAPPERS:
            return string_node(node.args[0])
        if isinstance(node.func, ast.Attribute):
            return string_node(node.func.value)
    return None


def is_dml(sql: str) -> bool:
    """Any statement of the text changes rows rather than schema."""
    return any(_DML.match(sql[b:e]) for b, e in split_statements(sql))


def add_sql(
    out: Analysis,
    mt: MigrationText,
    node: ast.expr | None,
    *,
    anchor: int,
    in_transaction: bool,
    framework: str,
    placeholders: bool = False,
) -> str | None:
    """Queue a SQL string argument for squawk; return its text (None if not a literal).

    With `placeholders`, DB-API `%s` / `%(name)s` become PostgreSQL's `$n` so squawk parses it.
    """
    sql = literal_str(node)
    const = string_node(node)
    if sql is None or const is None:
        return None
    if placeholders:
        count = iter(range(1, 10_000))
        sql = _PLACEHOLDER.sub(lambda m: "%" if m.group(0) == "%%" else f"${next(count)}", sql)
    # In a triple-quoted literal, line i of the value sits on the literal's line + i.
    snippet = embedded_snippet(
        mt.path,
        sql.replace("\r\n", "\n"),
        first_line=const.lineno,
        last_line=const.end_lineno or const.lineno,
        added=mt.added,
        in_transaction=in_transaction,
        framework=framework,
        anchor=anchor,
    )
    if snippet is not None:
        out.snippets.append(snippet)
    return sql


def emit(
    out: Analysis,
    mt: MigrationText,
    line: int,
    rule: str,
    *,
    detail: str,
    fix: str | None = None,
    suggestion: str | None = None,
    severity: Severity | None = None,
    title: str | None = None,
) -> None:
    """Add a finding when its line is one the PR adds (never on unchanged code)."""
    if line in mt.added:
        out.findings.append(
            make_finding(
                mt.path,
                line,
                rule,
                detail=detail,
                fix=fix,
                suggestion=suggestion,
                severity=severity,
                title=title,
            )
        )


def source_of(mt: MigrationText, node: ast.AST) -> str:
    """The node's source text on one line, shortened, for finding bodies."""
    first = getattr(node, "lineno", 1)
    last = getattr(node, "end_lineno", first) or first
    text = " ".join(" ".join(mt.line(n).split()) for n in range(first, last + 1))
    return text if len(text) <= 160 else text[:157] + "..."


def append_keyword(mt: MigrationText, call: ast.Call, addition: str) -> str | None:
    """The call's line with `addition` before its closing parenthesis, if it fits on one line."""
    if call.lineno != call.end_lineno or call.end_col_offset is None:
        return None
    raw = mt.line(call.lineno).encode("utf-8")  # ast offsets count UTF-8 bytes
    end = call.end_col_offset
    if raw[end - 1 : end] != b")":
        return None
    inner = raw[: end - 1].decode("utf-8", errors="replace").rstrip()
    sep = "" if inner.endswith("(") else ", "
    return f"{inner}{sep}{addition}){raw[end:].decode('utf-8', errors='replace')}"

"""Python query checks read from the syntax tree: injection and its rewrite, N+1, unbounded
lists, SQL in string literals, and trees built from diff fragments."""

from __future__ import annotations

import textwrap

import pytest

from bot.checks.queries.check import check
from bot.checks.queries.pyparse import python_trees
from bot.classify.classifier import classify_files
from bot.config import ChecksConfig, RepoConfig
from bot.diff import parse_diff
from bot.models import Finding


def new_file(path: str, code: str) -> str:
    lines = textwrap.dedent(code).strip("\n").splitlines()
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def run(code: str, path: str = "app/repositories/orders.py") -> list[Finding]:
    files = parse_diff(new_file(path, code))
    return check(files, classify_files(files, RepoConfig()), ChecksConfig())


def only(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


@pytest.mark.parametrize(
    ("call", "suggestion"),
    [
        pytest.param(
            'cur.execute(f"SELECT id FROM t WHERE id = {user_id}")',
            'cur.execute("SELECT id FROM t WHERE id = %s", (user_id,))',
            id="fstring",
        ),
        pytest.param(
            "cur.execute(\"SELECT id FROM t WHERE a = '%s' AND b = %d\" % (a, b))",
            'cur.execute("SELECT id FROM t WHERE a = %s AND b = %s", (a, b))',
            id="percent-tuple",
        ),
        pytest.param(
            "cur.execute(\"SELECT id FROM t WHERE a = '{}'\".format(name))",
            'cur.execute("SELECT id FROM t WHERE a = %s", (name,))',
            id="format",
        ),
        pytest.param(
            'cur.execute("SELECT id FROM t WHERE a = \'" + name + "\'")',
            'cur.execute("SELECT id FROM t WHERE a = %s", (name,))',
            id="concat",
        ),
        pytest.param(
            "cur.execute(f\"SELECT id FROM t WHERE n LIKE '%{q}%' AND x > 5\")",
            'cur.execute("SELECT id FROM t WHERE n LIKE %s AND x > 5", (f"%{q}%",))',
            id="like-literal-becomes-parameter",
        ),
        pytest.param(
            'stmt = text(f"SELECT id FROM t WHERE owner = {user.id} AND kind = {kind}")',
            'stmt = text("SELECT id FROM t WHERE owner = :id AND kind = :kind")'
            ".bindparams(id=user.id, kind=kind)",
            id="sqlalchemy-text",
        ),
        pytest.param(
            'rows = Order.objects.raw(f"SELECT * FROM orders WHERE owner = {owner}")',
            'rows = Order.objects.raw("SELECT * FROM orders WHERE owner = %s", [owner])',
            id="django-raw",
        ),
    ],
)
def test_injection_with_parameterised_suggestion(call: str, suggestion: str) -> None:
    """Formatted SQL passed to a query call is reported with a faithful one-line rewrite."""
    findings = only(
        run(f"def f(cur, user, user_id, a, b, name, q, kind, owner):\n    {call}\n"),
        "sql-injection",
    )
    assert [(f.line, f.severity, f.category) for f in findings] == [(2, "high", "security")]
    assert findings[0].suggestion == f"    {suggestion}"


def test_injection_placeholder_style_follows_the_driver() -> None:
    """sqlite3 code gets `?` placeholders, asyncpg code numbered `$1` arguments."""
    sqlite = run(
        "import sqlite3\ndef f(cur, x):\n    cur.execute(f'SELECT a FROM t WHERE b = {x}')\n"
    )
    assert sqlite[0].suggestion == '    cur.execute("SELECT a FROM t WHERE b = ?", (x,))'
    asyncpg = run(
        "import asyncpg\nasync def f(conn, x, y):\n"
        "    await conn.fetch(f'SELECT a FROM t WHERE b = {x} AND c = {y}')\n"
    )
    assert asyncpg[0].suggestion == (
        '    await conn.fetch("SELECT a FROM t WHERE b = $1 AND c = $2", x, y)'
    )


@pytest.mark.parametrize(
    "call",
    [
        pytest.param('cur.execute(f"SELECT id FROM {table_from_request} WHERE a = 1")', id="ident"),
        pytest.param('cur.execute(f"SELECT id FROM t ORDER BY {sort}")', id="order-by"),
        pytest.param('cur.execute(f"SELECT id FROM t WHERE id = {x!r}")', id="conversion"),
        pytest.param('cur.execute(\n    f"SELECT id FROM t WHERE id = {x}"\n)', id="multi-line"),
    ],
)
def test_injection_without_faithful_rewrite_has_no_suggestion(call: str) -> None:
    """Identifiers cannot be bound and multi-line calls cannot be one-line rewrites: explain only."""
    findings = only(run(f"def f(cur, x, sort, table_from_request):\n    {call}\n"), "sql-injection")
    assert len(findings) == 1
    assert findings[0].suggestion is None
    assert "allow-list" in findings[0].body


def test_injection_through_a_variable_is_anchored_where_the_string_is_built() -> None:
    """`sql = f"..."` then `execute(sql)` in the same function is found at the assignment."""
    code = """
    def purge(cur, owner):
        sql = f"DELETE FROM carts WHERE owner = '{owner}'"
        cur.execute(sql)
    """
    (finding,) = only(run(code), "sql-injection")
    assert finding.line == 2
    assert "built on line 2 and run on line 3" in finding.body


def test_request_values_make_injection_critical() -> None:
    """A route handler's parameter spliced into SQL is directly attacker-controlled."""
    code = """
    @router.get("/orders")
    def orders(status: str, cur=Depends(db)):
        cur.execute(f"SELECT id FROM orders WHERE status = '{status}'")
    """
    (finding,) = only(run(code, "app/api/orders.py"), "sql-injection")
    assert finding.severity == "critical"


@pytest.mark.parametrize(
    "code",
    [
        pytest.param('cur.execute("SELECT id FROM t WHERE id = %s", (x,))', id="bound"),
        pytest.param('cur.execute(f"SELECT id FROM {TABLE} WHERE id = %s", (x,))', id="constant"),
        pytest.param('cur.execute(f"SELECT id FROM t LIMIT {int(x)}")', id="int"),
        pytest.param(
            'marks = ", ".join(["%s"] * len(ids))\n    '
            'cur.execute(f"SELECT id FROM t WHERE id IN ({marks})", ids)',
            id="placeholder-list",
        ),
        pytest.param(
            'cur.execute("SELECT id FROM t WHERE id IN (%s)" % ", ".join("?" * len(ids)), ids)',
            id="placeholder-repeat",
        ),
        pytest.param(
            'sql = "SELECT id FROM t WHERE a = %s"\n    sql += " AND b = %s"\n    cur.execute(sql, (x, y))',
            id="constant-pieces",
        ),
        pytest.param('log.info(f"SELECT took {ms} ms")', id="not-a-query-call"),
        pytest.param("session.query(Order).filter(Order.id == x).first()", id="orm"),
    ],
)
def test_safe_query_calls_are_not_injection(code: str) -> None:
    """Bound parameters, constants, numbers and placeholder lists are not injection risks."""
    assert (
        only(run(f"def f(cur, session, log, x, y, ids, ms):\n    {code}\n"), "sql-injection") == []
    )


@pytest.mark.parametrize(
    ("code", "detail"),
    [
        pytest.param(
            "for i in ids:\n        Order.objects.get(id=i)", "Order.objects.get()", id="django"
        ),
        pytest.param(
            "for o in orders:\n        session.execute(select(Line).where(Line.o == o.id))",
            "session.execute()",
            id="sqlalchemy",
        ),
        pytest.param(
            "[session.get(User, i) for i in ids]", "session.get(User)", id="comprehension"
        ),
        pytest.param(
            "while queue:\n        cur.execute('SELECT 1 FROM t WHERE id = %s', (queue.pop(),))",
            "cur.execute()",
            id="while",
        ),
        pytest.param(
            "async for o in stream:\n        await db.session.scalar(select(X))",
            "db.session.scalar()",
            id="async-for",
        ),
    ],
)
def test_queries_in_loops(code: str, detail: str) -> None:
    """Explicit queries inside for/while loops and comprehensions are N+1 round trips."""
    findings = only(
        run(f"async def f(ids, orders, session, cur, queue, stream, db):\n    {code}\n"),
        "n-plus-one-query",
    )
    assert len(findings) == 1
    assert findings[0].severity == "medium"
    assert detail in findings[0].title


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("for attempt in range(3):\n        session.execute(q)", id="retry"),
        pytest.param("for name in ('a', 'b'):\n        Setting.objects.get(name=name)", id="fixed"),
        pytest.param(
            "while True:\n        rows = session.query(X).limit(500).all()\n        if not rows:\n            break",
            id="batch-loop",
        ),
        pytest.param(
            "users = User.objects.filter(id__in=ids)\n    for u in users:\n        print(u.name)",
            id="batched",
        ),
        pytest.param("for item in cache.get(k):\n        item.save()", id="not-a-query"),
    ],
)
def test_loops_without_per_item_queries(code: str) -> None:
    """Retries, fixed sets, batch loops and loops without queries are fine."""
    found = run(f"def f(ids, session, q, cache, k):\n    {code}\n")
    assert only(found, "n-plus-one-query") == []


HANDLER = """
@router.get("/orders")
def list_orders(session=Depends(get_session)):
    return session.query(Order).{tail}
"""


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        pytest.param("all()", 1, id="all"),
        pytest.param("filter(Order.open).all()", 1, id="filtered-all"),
        pytest.param("limit(50).all()", 0, id="limit"),
        pytest.param("order_by(Order.id).offset(10).limit(10).all()", 0, id="page"),
        pytest.param("first()", 0, id="first"),
    ],
)
def test_unbounded_list_in_handlers(tail: str, expected: int) -> None:
    """A route returning `.all()` without a limit is unbounded; a limited query is not."""
    found = only(run(HANDLER.format(tail=tail), "app/api/orders.py"), "unbounded-query")
    assert len(found) == expected


def test_unbounded_respects_pagination_parameters_and_non_api_files() -> None:
    """A handler that takes page/limit parameters paginates; repository code is not a handler."""
    paged = """
    @router.get("/orders")
    def list_orders(page: int = 1, session=Depends(get_session)):
        rows = session.query(Order).all()
        return paginate(rows, page)
    """
    assert only(run(paged, "app/api/orders.py"), "unbounded-query") == []
    plain = "def all_orders(session):\n    return session.query(Order).all()\n"
    assert only(run(plain, "app/repositories/orders.py"), "unbounded-query") == []
    django = (
        "def orders(request):\n    return render(request, 'x.html', {'o': Order.objects.all()})\n"
    )
    assert len(only(run(django, "shop/views.py"), "unbounded-query")) == 1


def test_sql_in_string_literals() -> None:
    """SQL constants are linted, multi-line ones at the keyword's line; docstrings and prose not."""
    code = '''
    """SELECT * FROM module_docstring"""
    REPORT = """
        SELECT *
        FROM orders
        LIMIT 10
    """
    MESSAGE = "Delete from cart failed"
    def f():
        """DELETE FROM nothing: documentation."""
        return "update the set of items"
    '''
    got = {(f.line, f.rule) for f in run(code)}
    assert got == {(3, "select-star"), (5, "limit-without-order-by")}


def test_lower_case_sql_is_trusted_only_in_query_calls() -> None:
    """`select * from t` counts inside execute(); as a bare string it might be prose."""
    code = "def f(cur):\n    cur.execute('delete from sessions')\n    x = 'delete from sessions'\n"
    assert {(f.line, f.rule) for f in run(code)} == {(2, "update-delete-without-where")}


def test_strings_extended_later_are_not_judged_incomplete() -> None:
    """`sql = "DELETE FROM t"` followed by `sql += " WHERE ..."` has its WHERE."""
    code = """
    def f(cur, ids):
        sql = "DELETE FROM carts"
        if ids:
            sql += " WHERE id = ANY(%s)"
        cur.execute(sql, (ids,))
    """
    assert run(code) == []


MID_FUNCTION = """\
diff --git a/app/api/orders.py b/app/api/orders.py
index 1111111..2222222 100644
--- a/app/api/orders.py
+++ b/app/api/orders.py
@@ -40,6 +40,8 @@ def list_orders(status: str, session=Depends(get_session)):
         if order.hidden:
             continue
         result.append(order)
+        for line in order.lines:
+            line.sku = session.get(Sku, line.sku_id)
     return result
\x20
\x20
@@ -60,2 +62,4 @@ def search(q: str, session=Depends(get_session)):
     rows = session.execute(stmt)
     return rows
+def report(cur, day):
+    cur.execute(f"SELECT id FROM orders WHERE day = '{day}'")
"""


def test_hunks_that_start_inside_a_function_are_still_read() -> None:
    """Fragments that do not parse as a module are split into statements that do."""
    files = parse_diff(MID_FUNCTION)
    trees = python_trees(files[0], None)
    assert trees
    found = check(files, classify_files(files, RepoConfig()), ChecksConfig())
    assert {(f.line, f.rule) for f in found} == {
        (44, "n-plus-one-query"),
        (65, "sql-injection"),
    }


class FakeSource:
    """A content source that knows the head version of one file."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.reads: list[str] = []

    def read(self, path: str, *, side: str) -> str | None:
        self.reads.append(f"{side}:{path}")
        return self.text


def test_head_file_from_the_content_source_gives_full_context() -> None:
    """With the head file, a loop that starts above the hunk is still seen around the query."""
    head = "def f(session, ids):\n    for i in ids:\n        x = 1\n        y = session.get(A, i)\n"
    diff = (
        "diff --git a/app/repositories/a.py b/app/repositories/a.py\n"
        "index 1..2 100644\n--- a/app/repositories/a.py\n+++ b/app/repositories/a.py\n"
        "@@ -3,1 +3,2 @@ def f(session, ids):\n"
        "         x = 1\n+        y = session.get(A, i)\n"
    )
    files = parse_diff(diff)
    reports = classify_files(files, RepoConfig())
    assert check(files, reports, ChecksConfig()) == []  # the hunk alone shows no loop
    source = FakeSource(head)
    found = check(files, reports, ChecksConfig(), source=source)
    assert [(f.line, f.rule) for f in found] == [(4, "n-plus-one-query")]
    assert source.reads == ["head:app/repositories/a.py"]
    stale = FakeSource("something else entirely\n")
    assert check(files, reports, ChecksConfig(), source=stale) == []

"""SQL linting with sqlglot: each rule's positive and negative cases, lines, tolerance."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.checks.queries.common import sql_hits
from bot.checks.queries.sql_lint import MAX_SQL_CHARS, lint_sql, split_statements


def rules(sql: str, *, dynamic: bool = False) -> set[tuple[str, int]]:
    return {(i.rule, i.line) for i in lint_sql(sql, dynamic=dynamic)}


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        pytest.param("DELETE FROM sessions", {("update-delete-without-where", 1)}, id="delete"),
        pytest.param(
            "UPDATE users SET active = false", {("update-delete-without-where", 1)}, id="update"
        ),
        pytest.param(
            "UPDATE users SET active = false FROM teams",
            {("update-delete-without-where", 1)},
            id="update-from",
        ),
        pytest.param("DELETE FROM sessions WHERE id = $1", set(), id="delete-where"),
        pytest.param("UPDATE users SET a = 1 WHERE id = :id", set(), id="update-where"),
        pytest.param("TRUNCATE sessions", set(), id="truncate-is-explicit"),
    ],
)
def test_update_delete_without_where(sql: str, expected: set[tuple[str, int]]) -> None:
    """UPDATE/DELETE with no WHERE touch every row; with a WHERE (or TRUNCATE) they are fine."""
    assert rules(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        pytest.param("SELECT * FROM orders WHERE id = 1", {("select-star", 1)}, id="star"),
        pytest.param("SELECT o.* FROM orders o WHERE id = 1", {("select-star", 1)}, id="t.star"),
        pytest.param(
            "SELECT id FROM a WHERE x = 1 UNION SELECT * FROM b WHERE y = 2",
            {("select-star", 1)},
            id="union-branch",
        ),
        pytest.param("SELECT count(*) FROM orders", set(), id="count-star"),
        pytest.param(
            "SELECT id FROM orders o WHERE EXISTS (SELECT * FROM lines l WHERE l.o = o.id)",
            set(),
            id="exists-subquery",
        ),
        pytest.param("SELECT id, total FROM orders", set(), id="named-columns"),
    ],
)
def test_select_star(sql: str, expected: set[tuple[str, int]]) -> None:
    """`*` in the projection the application receives; not in count(*) or EXISTS."""
    assert rules(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        pytest.param("SELECT id FROM t LIMIT 10", {("limit-without-order-by", 1)}, id="limit"),
        pytest.param("SELECT id FROM t OFFSET 10", {("limit-without-order-by", 1)}, id="offset"),
        pytest.param(
            "SELECT id FROM t\nWHERE a = 1\nLIMIT 10 OFFSET 20",
            {("limit-without-order-by", 3)},
            id="line-of-limit",
        ),
        pytest.param("SELECT id FROM t ORDER BY id LIMIT 10", set(), id="ordered"),
        pytest.param("SELECT 1 FROM t WHERE id = 3 LIMIT 1", set(), id="limit-1-exists"),
        pytest.param(
            "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE old LIMIT 1000)",
            set(),
            id="batched-subquery",
        ),
    ],
)
def test_limit_without_order_by(sql: str, expected: set[tuple[str, int]]) -> None:
    """A page without an order is arbitrary; LIMIT 1 probes and batch subqueries are not pages."""
    assert rules(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        pytest.param("SELECT id FROM t WHERE x = NULL", {("null-comparison", 1)}, id="eq"),
        pytest.param("SELECT id FROM t WHERE x <> NULL", {("null-comparison", 1)}, id="neq"),
        pytest.param("SELECT id FROM t WHERE x != NULL", {("null-comparison", 1)}, id="bang"),
        pytest.param(
            "SELECT a.id FROM a JOIN b ON b.x = NULL", {("null-comparison", 1)}, id="join-on"
        ),
        pytest.param("SELECT id FROM t WHERE x IS NULL", set(), id="is-null"),
        pytest.param("UPDATE t SET x = NULL WHERE id = 1", set(), id="set-is-assignment"),
        pytest.param(
            "INSERT INTO t (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET x = NULL",
            set(),
            id="upsert-assignment",
        ),
    ],
)
def test_null_comparison(sql: str, expected: set[tuple[str, int]]) -> None:
    """`= NULL` in a condition is never true; `SET x = NULL` is an assignment."""
    assert rules(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        pytest.param("SELECT id FROM t WHERE n LIKE '%abc'", {("leading-wildcard-like", 1)}),
        pytest.param("SELECT id FROM t WHERE n ILIKE '%abc%'", {("leading-wildcard-like", 1)}),
        pytest.param(
            "SELECT id FROM t WHERE n LIKE '%' || $1 || '%'", {("leading-wildcard-like", 1)}
        ),
        pytest.param("SELECT id FROM t WHERE n NOT LIKE '%x'", {("leading-wildcard-like", 1)}),
        pytest.param("SELECT id FROM t WHERE n LIKE 'abc%'", set()),
        pytest.param("SELECT id FROM t WHERE n LIKE $1 || '%'", set()),
        pytest.param("SELECT id FROM t WHERE n LIKE $1", set()),
    ],
)
def test_leading_wildcard_like(sql: str, expected: set[tuple[str, int]]) -> None:
    """A pattern starting with % cannot use a B-tree index; a prefix match can."""
    assert rules(sql) == expected


def test_leading_wildcard_on_a_bound_value_is_medium() -> None:
    """A pattern built from a bound or interpolated value is a search box: medium, not low."""
    (bound,) = sql_hits("SELECT id FROM t WHERE n LIKE '%' || :q", first_line=1, last_line=1)
    (fixed,) = sql_hits("SELECT id FROM t WHERE n LIKE '%abc'", first_line=1, last_line=1)
    (spliced,) = sql_hits("SELECT id FROM t WHERE n LIKE '%__p1__'", first_line=1, last_line=1)
    assert (bound.severity, fixed.severity, spliced.severity) == ("medium", None, "medium")
    assert spliced.detail == "'%{...}'"


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        pytest.param(
            "SELECT a.id FROM a, b WHERE a.x > 1",
            {("implicit-cross-join", 1)},
            id="no-link",
        ),
        pytest.param("SELECT 1 FROM a, b", {("implicit-cross-join", 1)}, id="no-where"),
        pytest.param(
            "SELECT a.id\nFROM a,\n     b\nWHERE a.x = 1", {("implicit-cross-join", 3)}, id="line"
        ),
        pytest.param("SELECT a.id FROM a, b WHERE b.a_id = a.id", set(), id="linked"),
        pytest.param("SELECT id FROM a, b WHERE x = y", set(), id="unqualified-link"),
        pytest.param("SELECT a.id FROM a CROSS JOIN b", set(), id="explicit-cross"),
        pytest.param("SELECT a.id FROM a JOIN b ON b.a = a.id", set(), id="join-on"),
        pytest.param("SELECT t.v FROM t, unnest(t.arr) AS v", set(), id="unnest"),
        pytest.param("SELECT g FROM t, generate_series(1, 3) g", set(), id="function"),
        pytest.param(
            "WITH p AS (SELECT 1 AS v) SELECT t.id FROM t, p WHERE t.x = 1", set(), id="cte"
        ),
    ],
)
def test_implicit_cross_join(sql: str, expected: set[tuple[str, int]]) -> None:
    """A comma-joined table with no condition linking it is a Cartesian product."""
    assert rules(sql) == expected


def test_dynamic_sql_skips_missing_clause_rules() -> None:
    """With interpolated parts the WHERE / ORDER BY / join condition may be in the hole."""
    sql = "DELETE FROM carts __p1__"
    assert rules(sql) == {("update-delete-without-where", 1)}
    assert rules(sql, dynamic=True) == set()
    star = "SELECT * FROM t __p1__ LIMIT 5"
    assert rules(star, dynamic=True) == {("select-star", 1)}


def test_statements_are_split_and_numbered() -> None:
    """Each statement of a file is linted with file line numbers; quoted `;` do not split."""
    sql = "-- header\nSELECT ';' AS s FROM t;\n\nDELETE FROM a;\nSELECT *\nFROM b\nWHERE c = 1;\n"
    assert rules(sql) == {("update-delete-without-where", 4), ("select-star", 5)}
    assert [line for line, _ in split_statements(sql)] == [1, 2, 4]


def test_dollar_quoted_bodies_do_not_split() -> None:
    """A function body's semicolons stay inside its statement."""
    sql = "CREATE FUNCTION f() RETURNS void AS $$ BEGIN DELETE FROM x; END $$ LANGUAGE plpgsql;"
    assert len(split_statements(sql)) == 1


def test_unparseable_statements_yield_nothing() -> None:
    """sqlglot parse errors give no finding for that statement, and the others still count."""
    sql = "SELEC * FORM t;\nDELETE FROM a;\nSELECT id FROM t WHERE ((;"
    assert rules(sql) == {("update-delete-without-where", 2)}


def test_huge_text_is_skipped() -> None:
    """Generated dumps are not linted."""
    sql = "DELETE FROM a;" + " " * MAX_SQL_CHARS
    assert lint_sql(sql) == ()


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("SELECT*FROMWHERE=NULL LIKE'%,;()$1\n-")), max_size=80)
)
def test_lint_never_raises(text: str) -> None:
    """Any text, however broken, lints to a tuple of issues without raising."""
    assert isinstance(lint_sql(text), tuple)

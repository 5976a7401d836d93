"""Query checks end to end: the shipped example, written samples per language, diff rules."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from bot.checks.queries import check as queries
from bot.checks.run import run_checks
from bot.classify.classifier import classify_files
from bot.config import ChecksConfig, RepoConfig
from bot.diff import parse_diff
from bot.models import FileDiff, Finding

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).resolve().parent / "samples" / "queries"
_EXPECT = re.compile(r"expect: ([\w-]+(?:, [\w-]+)*)")
_PATH = re.compile(r"path: (\S+)")


def new_file_diff(path: str, content: str) -> str:
    lines = content.splitlines()
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def check_diff(text: str, repo: RepoConfig | None = None) -> list[Finding]:
    files = parse_diff(text)
    reports = classify_files(files, repo or RepoConfig())
    return queries.check(files, reports, ChecksConfig())


def found(findings: list[Finding]) -> set[tuple[int, str]]:
    return {(f.line, f.rule or "") for f in findings}


def sample_cases() -> list[pytest.param]:  # type: ignore[valid-type]
    return [pytest.param(p, id=p.name) for p in sorted(SAMPLES.iterdir()) if p.is_file()]


@pytest.mark.parametrize("sample", sample_cases())
def test_samples_find_exactly_the_marked_lines(sample: Path) -> None:
    """Each `expect:` marker is found at its line with its rule, and nothing else is reported;
    the *_safe samples, which do the same work safely, report nothing."""
    text = sample.read_text()
    path_match = _PATH.search(text)
    assert path_match, "samples name the path they are reviewed as"
    expected = {
        (no, rule)
        for no, line in enumerate(text.splitlines(), start=1)
        for m in [_EXPECT.search(line)]
        if m
        for rule in m.group(1).split(", ")
    }
    findings = check_diff(new_file_diff(path_match.group(1), text))
    assert found(findings) == expected
    if "_safe" in sample.name:
        assert expected == set()


def test_shipped_example_findings() -> None:
    """examples/orders-api.diff: the f-string SQL, the N+1 loop, the unbounded list endpoint and
    the report query's hazards, at their lines; the migration is left to the migration checks."""
    findings = check_diff((ROOT / "examples" / "orders-api.diff").read_text())
    got = {(f.path, f.line, f.rule) for f in findings}
    assert got == {
        ("app/api/orders.py", 20, "unbounded-query"),
        ("app/api/orders.py", 23, "n-plus-one-query"),
        ("app/api/orders.py", 30, "sql-injection"),
        ("app/api/orders.py", 30, "select-star"),
        ("app/api/orders.py", 30, "leading-wildcard-like"),
        ("db/queries/order_report.sql", 2, "select-star"),
        ("db/queries/order_report.sql", 3, "implicit-cross-join"),
        ("db/queries/order_report.sql", 5, "limit-without-order-by"),
        ("db/queries/order_report.sql", 7, "update-delete-without-where"),
    }
    injection = next(f for f in findings if f.rule == "sql-injection")
    assert injection.severity == "critical"  # `q` is a parameter of the route handler
    assert injection.category == "security"
    assert injection.suggestion == (
        '    rows = session.execute(text("SELECT * FROM orders WHERE reference LIKE :q")'
        '.bindparams(q=f"%{q}%"))'
    )
    assert all(f.source == "static" for f in findings)


def test_findings_carry_rule_metadata() -> None:
    """Every finding names its rule, says why in the body, and uses the rule's category."""
    findings = check_diff((ROOT / "examples" / "orders-api.diff").read_text())
    by_rule = {f.rule: f for f in findings}
    assert by_rule["n-plus-one-query"].category == "database"
    assert "selectinload" in by_rule["n-plus-one-query"].body
    assert "session.query(OrderLine)" in by_rule["n-plus-one-query"].title
    assert by_rule["unbounded-query"].severity == "medium"
    assert by_rule["update-delete-without-where"].severity == "high"
    assert by_rule["select-star"].severity == "low"
    assert "Spliced in: `q`" in by_rule["sql-injection"].body


MODIFIED = """\
diff --git a/app/repositories/orders.py b/app/repositories/orders.py
index 1111111..2222222 100644
--- a/app/repositories/orders.py
+++ b/app/repositories/orders.py
@@ -20,8 +20,9 @@ class OrderRepository:
         for order_id in order_ids:
             order = Order.objects.get(id=order_id)
             result.append(order)
-        cursor.execute("SELECT id FROM orders WHERE id = %s", (key,))
+        cursor.execute(f"SELECT id FROM orders WHERE id = {key}")
         cursor.execute("DELETE FROM tmp_orders")
         return result
+
     def other(self):
         pass
"""


def test_only_added_lines_carry_findings() -> None:
    """An N+1 loop and a DELETE without WHERE on unchanged context lines are not reported; the
    injection on the added line (inside a hunk that starts mid-function) is."""
    findings = check_diff(MODIFIED)
    assert found(findings) == {(23, "sql-injection")}


REMOVED_ONLY = """\
diff --git a/db/queries/report.sql b/db/queries/report.sql
index 1111111..2222222 100644
--- a/db/queries/report.sql
+++ b/db/queries/report.sql
@@ -1,3 +1,2 @@
 SELECT id FROM orders
-WHERE id = 1
 ;
"""


def test_removed_lines_are_never_anchors() -> None:
    """A WHERE removed from an unchanged statement leaves no added line to comment on."""
    assert check_diff(REMOVED_ONLY) == []


MODIFIED_SQL = """\
diff --git a/db/queries/report.sql b/db/queries/report.sql
index 1111111..2222222 100644
--- a/db/queries/report.sql
+++ b/db/queries/report.sql
@@ -10,4 +10,7 @@ WHERE o.id = $1
 UPDATE orders SET seen = true
 WHERE id = $2;
 SELECT id FROM orders
+LIMIT 10;
+
+DELETE FROM order_exports;
 SELECT id FROM customers WHERE
"""


def test_modified_sql_file_ignores_statements_cut_by_the_hunk() -> None:
    """Without the whole file, a statement cut at the hunk's edge is not judged for a missing
    clause; complete added statements are."""
    assert found(check_diff(MODIFIED_SQL)) == {
        (13, "limit-without-order-by"),
        (15, "update-delete-without-where"),
    }


def test_test_files_are_not_application_queries() -> None:
    """Teardown SQL in tests (`DELETE FROM orders`) is not reported."""
    diff = new_file_diff("tests/test_orders_repository.py", 'SQL = "DELETE FROM orders"\n')
    assert check_diff(diff) == []


def test_migrations_are_left_to_the_migration_checks() -> None:
    """SQL under a migrations directory is squawk's business, not this family's."""
    diff = new_file_diff("db/migrations/V2__purge.sql", "DELETE FROM order_exports;\n")
    assert check_diff(diff) == []


def test_unreviewed_files_are_skipped() -> None:
    """Excluded or non-backend files are not scanned even when they contain SQL."""
    text = 'cursor.execute(f"SELECT id FROM t WHERE id = {x}")\n'
    assert check_diff(new_file_diff("docs/example.md", text)) == []
    excluded = RepoConfig(exclude=["app/legacy/*"])
    assert check_diff(new_file_diff("app/legacy/orders_repository.py", text), excluded) == []


def test_rule_switches_and_severity_overrides_apply() -> None:
    """`checks.disable` drops a query rule and `checks.severity` changes another's severity."""
    files = parse_diff((ROOT / "examples" / "orders-api.diff").read_text())
    reports = classify_files(files, RepoConfig())
    config = ChecksConfig(disable=["select-star"], severity={"n-plus-one-query": "high"})
    findings = [f for f in run_checks(files, reports, config) if f.path.endswith(("py", "sql"))]
    rules = {f.rule: f for f in findings}
    assert "select-star" not in rules
    assert rules["n-plus-one-query"].severity == "high"


def _big_diff(copies: int) -> str:
    parts = []
    py = (SAMPLES / "python_unsafe.py").read_text()
    sql = (SAMPLES / "sql_unsafe.sql").read_text()
    ts = (SAMPLES / "js_unsafe.ts").read_text()
    for i in range(copies):
        parts.append(new_file_diff(f"app/api/m{i}/orders.py", py))
        parts.append(new_file_diff(f"db/queries/r{i}.sql", sql))
        parts.append(new_file_diff(f"src/routes/r{i}.ts", ts))
    return "".join(parts)


def test_large_diffs_stay_fast() -> None:
    """Three hundred changed query files are checked in well under a second or two."""
    files: list[FileDiff] = parse_diff(_big_diff(100))
    reports = classify_files(files, RepoConfig())
    start = time.perf_counter()
    findings = queries.check(files, reports, ChecksConfig())
    elapsed = time.perf_counter() - start
    assert len(findings) > 300
    assert elapsed < 3.0

"""Migration safety checks over realistic SQL and ORM migrations, with the real squawk binary."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pytest

from bot.checks.migrations.check import collect, detect_framework
from bot.checks.migrations.squawk import find_squawk, subprocess_runner
from bot.checks.run import run_checks
from bot.classify.classifier import classify_files
from bot.config import ChecksConfig, RepoConfig
from bot.diff import parse_diff
from bot.models import FileDiff, FileReport, Finding

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "samples" / "migrations"


def added_diff(path: str, text: str) -> str:
    """The git diff that adds `text` as a new file at `path`."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def sample_files(*names: str) -> list[FileDiff]:
    diff = "".join(added_diff(f"db/{n}", (SAMPLES / n).read_text()) for n in names)
    return parse_diff(diff)


def migration_reports(files: Sequence[FileDiff]) -> list[FileReport]:
    return [FileReport(path=f.path, status=f.status, categories=("migration",)) for f in files]


def visible(findings: Sequence[Finding]) -> set[tuple[int, str]]:
    """(line, rule) of the findings a default configuration shows (info is below `low`)."""
    return {(f.line, f.rule or "") for f in findings if f.severity != "info"}


class CountingRunner:
    """A runner that runs the real squawk and records each invocation."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str], cwd: str) -> str:
        self.calls.append(list(argv))
        return subprocess_runner(argv, cwd)


def run(*names: str, config: ChecksConfig | None = None) -> list[Finding]:
    files = sample_files(*names)
    return collect(files, migration_reports(files), config or ChecksConfig()).findings


EXPECTED: dict[str, set[tuple[int, str]]] = {
    "sql/V7__add_order_status.sql": {
        (2, "adding-required-field"),
        (3, "adding-field-with-default"),
        (4, "require-concurrent-index-creation"),
        (6, "adding-foreign-key-constraint"),
        (7, "changing-column-type"),
        (8, "ban-drop-column"),
        (9, "renaming-column"),
        (10, "renaming-table"),
        (11, "ban-drop-table"),
        (12, "disallowed-unique-constraint"),
        (13, "constraint-missing-not-valid"),
        (14, "adding-not-nullable-field"),
        (15, "ban-char-field"),
    },
    "sql/20261121093000_concurrent_in_tx.sql": {
        (2, "ban-concurrent-index-creation-in-transaction")
    },
    "sql/000042_drop_legacy.up.sql": {(1, "ban-drop-column")},
    "alembic/9a8b7c6d5e4f_risky.py": {
        (14, "adding-field-with-default"),
        (15, "changing-column-type"),
        (16, "renaming-column"),
        (17, "adding-not-nullable-field"),
        (18, "ban-drop-not-null"),
        (19, "ban-concurrent-index-creation-in-transaction"),
        (20, "require-concurrent-index-deletion"),
        (21, "adding-foreign-key-constraint"),
        (22, "constraint-missing-not-valid"),
        (23, "disallowed-unique-constraint"),
        (24, "renaming-table"),
        (25, "ban-drop-table"),
        (27, "ban-drop-column"),
        (28, "mixed-schema-data-migration"),
        (32, "adding-foreign-key-constraint"),
    },
    "django/0007_order_status.py": {
        (19, "adding-required-field"),
        (29, "adding-foreign-key-constraint"),
        (34, "require-concurrent-index-creation"),
        (38, "ban-drop-column"),
        (42, "renaming-column"),
        (52, "disallowed-unique-constraint"),
        (56, "constraint-missing-not-valid"),
        (60, "renaming-table"),
        (64, "ban-drop-table"),
        (67, "irreversible-migration"),
        (67, "mixed-schema-data-migration"),
        (69, "require-concurrent-index-creation"),
    },
    "django/0009_concurrent_in_atomic.py": {(12, "ban-concurrent-index-creation-in-transaction")},
    "rails/20261120093000_add_status_to_orders.rb": {
        (3, "adding-required-field"),
        (5, "require-concurrent-index-creation"),
        (6, "require-concurrent-index-creation"),
        (6, "adding-foreign-key-constraint"),
        (7, "adding-foreign-key-constraint"),
        (8, "ban-drop-column"),
        (9, "renaming-column"),
        (10, "changing-column-type"),
        (11, "adding-not-nullable-field"),
        (12, "constraint-missing-not-valid"),
        (13, "renaming-table"),
        (14, "ban-drop-table"),
        (18, "ban-drop-column"),
        (19, "renaming-column"),
        (20, "adding-required-field"),
        (22, "irreversible-migration"),
        (22, "mixed-schema-data-migration"),
    },
    "rails/20261123100000_backfill.rb": {
        (4, "mixed-schema-data-migration"),
        (6, "require-concurrent-index-creation"),
    },
    "laravel/2026_11_20_000000_alter_orders_table.php": {
        (13, "adding-required-field"),
        (15, "ban-drop-column"),
        (16, "renaming-column"),
        (17, "changing-column-type"),
        (18, "disallowed-unique-constraint"),
        (19, "require-concurrent-index-creation"),
        (20, "adding-foreign-key-constraint"),
        (29, "renaming-table"),
        (30, "ban-drop-table"),
        (31, "constraint-missing-not-valid"),
    },
    "efcore/20261120093000_AddOrderStatus.cs": {
        (13, "adding-required-field"),
        (26, "ban-drop-column"),
        (30, "renaming-column"),
        (35, "changing-column-type"),
        (43, "adding-not-nullable-field"),
        (65, "require-concurrent-index-creation"),
        (76, "adding-foreign-key-constraint"),
        (83, "constraint-missing-not-valid"),
    },
    "typeorm/1732100000000-AddOrderStatus.ts": {
        (7, "adding-required-field"),
        (8, "require-concurrent-index-creation"),
        (9, "adding-required-field"),
        (11, "ban-drop-column"),
        (12, "renaming-column"),
    },
    "sequelize/20261120093000-add-order-status.js": {
        (6, "adding-required-field"),
        (11, "require-concurrent-index-creation"),
        (13, "ban-drop-column"),
        (14, "renaming-column"),
        (15, "changing-column-type"),
        (16, "disallowed-unique-constraint"),
        (21, "adding-foreign-key-constraint"),
    },
    "knex/20261120093000_add_order_status.js": {
        (4, "adding-required-field"),
        (7, "ban-drop-column"),
        (8, "renaming-column"),
        (9, "changing-column-type"),
        (10, "require-concurrent-index-creation"),
        (11, "disallowed-unique-constraint"),
        (18, "require-concurrent-index-creation"),
    },
}

SAFE = [
    "sql/V8__safe_changes.sql",
    "sql/20261120093000_add_status.sql",
    "sql/000042_drop_legacy.down.sql",
    "sql/prisma/20261120093000_init/migration.sql",
    "sql/V9__mysql.sql",
    "alembic/3c1d2e4f5a6b_safe_status.py",
    "django/0008_safe.py",
    "rails/20261121100000_add_index_concurrently.rb",
    "rails/20261122100000_create_invoices.rb",
]


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=lambda n: n.split("/")[0] + ":" + n)
def test_risky_migration_yields_exactly_the_expected_findings(name: str) -> None:
    """Every hazard is found on its line, and no line without a hazard gets a finding."""
    assert visible(run(name)) == EXPECTED[name]


@pytest.mark.parametrize("name", SAFE)
def test_safe_migration_yields_nothing(name: str) -> None:
    """Nullable adds, constant defaults, concurrent indexes outside transactions, NOT VALID
    constraints, new tables, down migrations and MySQL files give no visible finding."""
    assert visible(run(name)) == set()


def test_every_emitted_rule_has_a_positive_and_a_negative_case() -> None:
    """The samples cover each rule the checks emit, and safe samples exercise the negatives."""
    rules = {rule for expected in EXPECTED.values() for _, rule in expected}
    assert {
        "adding-required-field", "adding-not-nullable-field", "adding-field-with-default",
        "require-concurrent-index-creation", "ban-concurrent-index-creation-in-transaction",
        "require-concurrent-index-deletion", "ban-drop-column", "ban-drop-table",
        "ban-drop-not-null", "renaming-column", "renaming-table", "changing-column-type",
        "constraint-missing-not-valid", "adding-foreign-key-constraint",
        "disallowed-unique-constraint", "ban-char-field", "irreversible-migration",
        "mixed-schema-data-migration",
    } <= rules  # fmt: skip


def test_django_alter_field_is_only_a_hint() -> None:
    """AlterField's old definition lives in another migration: an info hint, not a warning."""
    found = run("django/0007_order_status.py")
    assert [(f.line, f.severity) for f in found if f.rule == "changing-column-type"] == [
        (47, "info")
    ]


DJANGO_RUNSQL = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0009_concurrent_in_atomic")]

    operations = [
        migrations.RunSQL("ALTER TABLE shop_order ADD COLUMN IF NOT EXISTS tag text;"),
        migrations.RunSQL(
            ["ALTER TABLE shop_order DROP COLUMN IF EXISTS tag;"],
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
"""


def test_django_runsql_without_reverse_is_irreversible() -> None:
    """RunSQL without reverse_sql cannot be unapplied; with a reverse (even noop) it can."""
    files = parse_diff(added_diff("shop/migrations/0010_tag.py", DJANGO_RUNSQL))
    found = visible(collect(files, migration_reports(files), ChecksConfig()).findings)
    assert found == {(8, "irreversible-migration"), (10, "ban-drop-column")}


ALEMBIC_TYPES = """import sqlalchemy as sa
from alembic import op

revision = "b1"
down_revision = "a1"


def upgrade():
    op.alter_column("orders", "code", existing_type=sa.String(32), type_=sa.String(64))
    op.alter_column("orders", "memo", existing_type=sa.String(200), type_=sa.Text())
    op.alter_column("orders", "code2", existing_type=sa.String(64), type_=sa.String(32))
    op.alter_column("orders", "qty", existing_type=sa.Integer(), type_=sa.BigInteger())
"""


def test_varchar_widening_is_not_a_type_change() -> None:
    """Growing a varchar or turning it into text rewrites nothing; shrinking or int->bigint does."""
    files = parse_diff(added_diff("alembic/versions/b1_types.py", ALEMBIC_TYPES))
    found = visible(collect(files, migration_reports(files), ChecksConfig()).findings)
    assert found == {(11, "changing-column-type"), (12, "changing-column-type")}


ALEMBIC_SEED = """\
import sqlalchemy as sa
from alembic import op

revision = "c1"
down_revision = "b1"


def upgrade():
    statuses = op.create_table("statuses", sa.Column("name", sa.Text, primary_key=True))
    op.bulk_insert(statuses, [{"name": "placed"}, {"name": "paid"}])
    op.add_column("orders", sa.Column("status_name", sa.Text, nullable=True))
    op.execute("INSERT INTO statuses (name) VALUES ('shipped')")
"""


def test_seeding_a_new_table_is_not_a_mixed_migration() -> None:
    """Rows written only into tables the revision creates hold no lock on live tables."""
    files = parse_diff(added_diff("alembic/versions/c1_seed.py", ALEMBIC_SEED))
    assert visible(collect(files, migration_reports(files), ChecksConfig()).findings) == set()


RAILS_TIMESTAMPS = """class AddTimestampsToOrders < ActiveRecord::Migration[7.1]
  def change
    add_timestamps :orders
    add_timestamps :customers, null: true
    change_table :invoices do |t|
      t.timestamps
    end
  end
end
"""


def test_rails_timestamps_are_not_null_by_default() -> None:
    """Rails 5+ timestamps are NOT NULL: on an existing table without a default they fail."""
    files = parse_diff(added_diff("db/migrate/20261124000000_add_timestamps.rb", RAILS_TIMESTAMPS))
    found = visible(collect(files, migration_reports(files), ChecksConfig()).findings)
    assert found == {(3, "adding-required-field"), (6, "adding-required-field")}


DBMATE = """-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_x_idx ON orders (x);
CREATE INDEX orders_y_idx ON orders (y);

-- migrate:down
DROP TABLE orders;
"""


def test_dbmate_up_section_only_and_its_transaction_mode() -> None:
    """dbmate: only the up section is linted, with the transaction mode it declares."""
    files = parse_diff(added_diff("db/migrations/20261124_idx.sql", DBMATE))
    found = visible(collect(files, migration_reports(files), ChecksConfig()).findings)
    assert found == {(3, "require-concurrent-index-creation")}


def test_example_pr_yields_the_three_alembic_hazards_and_nothing_from_downgrade() -> None:
    """The shipped example: NOT NULL without default, plain index, drop column; downgrade()
    (which drops a table and a column) is not reported."""
    files = parse_diff((ROOT / "examples" / "orders-api.diff").read_text())
    reports = classify_files(files, RepoConfig())
    findings = run_checks(files, reports, ChecksConfig())
    migration = [f for f in findings if f.path.startswith("migrations/")]
    assert {(f.line, f.rule, f.severity) for f in migration} == {
        (14, "adding-required-field", "high"),
        (15, "require-concurrent-index-creation", "high"),
        (22, "ban-drop-column", "high"),
    }
    for f in migration:
        assert f.source == "static" and f.category == "database"
        assert "Safe way:" in f.body and "lock" in f.body.lower()
    index = next(f for f in migration if f.rule == "require-concurrent-index-creation")
    assert "autocommit_block" in index.body and "SHARE" in index.body


def test_squawk_runs_once_per_review_over_all_sql() -> None:
    """SQL files and SQL strings of ORM migrations from many files go to one squawk process."""
    files = sample_files(*EXPECTED)
    runner = CountingRunner()
    report = collect(files, migration_reports(files), ChecksConfig(), runner=runner)
    assert len(runner.calls) == 1 and report.squawk_runs == 1
    linted = [a for a in runner.calls[0] if a.endswith(".sql")]
    assert len(linted) >= 8
    assert runner.calls[0][3:5] == ["--pg-version", "16"]


def test_no_sql_means_no_squawk_process() -> None:
    """A review without SQL does not start squawk at all."""
    runner = CountingRunner()
    files = sample_files("rails/20261121100000_add_index_concurrently.rb")
    collect(files, migration_reports(files), ChecksConfig(), runner=runner)
    assert runner.calls == []


def test_squawk_failure_keeps_orm_findings_and_says_why() -> None:
    """A broken squawk is a note, not a crash; the ORM findings are still produced."""

    def broken(argv: Sequence[str], cwd: str) -> str:
        raise OSError("exec format error")

    files = sample_files("alembic/9a8b7c6d5e4f_risky.py")
    report = collect(files, migration_reports(files), ChecksConfig(), runner=broken)
    assert (15, "changing-column-type") in visible(report.findings)
    assert (32, "adding-foreign-key-constraint") not in visible(report.findings)
    assert report.notes and "squawk failed" in report.notes[0]


def test_invalid_postgres_version_is_a_note() -> None:
    """A version squawk cannot read is reported as a note without running squawk."""
    runner = CountingRunner()
    files = sample_files("sql/V7__add_order_status.sql")
    report = collect(
        files, migration_reports(files), ChecksConfig(postgres_version="latest"), runner=runner
    )
    assert runner.calls == [] and "postgres_version" in report.notes[0]


def test_constant_default_rewrites_before_postgres_11() -> None:
    """Before PostgreSQL 11 any default rewrites the table; squawk and the ORM rules agree."""
    old = ChecksConfig(postgres_version="10")
    assert (5, "adding-field-with-default") in visible(run("sql/V8__safe_changes.sql", config=old))
    alembic = visible(run("alembic/3c1d2e4f5a6b_safe_status.py", config=old))
    assert (15, "adding-field-with-default") in alembic


def test_assume_in_transaction_applies_to_plain_sql_files() -> None:
    """With assume_in_transaction, CONCURRENTLY in a Flyway file is reported as failing."""
    text = "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_x_idx ON orders (x);\n"
    files = parse_diff(added_diff("db/migration/V10__idx.sql", text))
    reports = migration_reports(files)
    plain = collect(files, reports, ChecksConfig()).findings
    wrapped = collect(files, reports, ChecksConfig(assume_in_transaction=True)).findings
    assert visible(plain) == set()
    assert visible(wrapped) == {(1, "ban-concurrent-index-creation-in-transaction")}


class HeadSource:
    """Serves head revisions of files, like git or the contents API."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def read(self, path: str, *, side: Literal["base", "head"]) -> str | None:
        return self.files.get(path) if side == "head" else None


MODIFIED_SQL = """\
diff --git a/db/migration/V3__orders.sql b/db/migration/V3__orders.sql
index 1111111..2222222 100644
--- a/db/migration/V3__orders.sql
+++ b/db/migration/V3__orders.sql
@@ -1,3 +1,5 @@
 CREATE INDEX orders_a_idx ON orders (a);
 ALTER TABLE orders DROP COLUMN b;
+ALTER TABLE orders
+    DROP COLUMN c;
 SELECT 1;
"""


def test_modified_sql_file_reports_only_added_lines() -> None:
    """Unchanged statements of a modified migration are not findings; added ones are."""
    files = parse_diff(MODIFIED_SQL)
    assert visible(collect(files, migration_reports(files), ChecksConfig()).findings) == {
        (4, "ban-drop-column")
    }


def test_modified_python_migration_is_read_from_the_head_revision() -> None:
    """A modified Alembic file is parsed whole from the head, findings only on added lines."""
    head = (SAMPLES / "alembic/9a8b7c6d5e4f_risky.py").read_text()
    lines = head.split("\n")
    diff = (
        "diff --git a/alembic/versions/x.py b/alembic/versions/x.py\n"
        "index 1111111..2222222 100644\n--- a/alembic/versions/x.py\n+++ b/alembic/versions/x.py\n"
        f"@@ -24,3 +24,4 @@ def upgrade():\n {lines[23]}\n+{lines[24]}\n {lines[25]}\n {lines[26]}\n"
    )
    files = parse_diff(diff)
    source = HeadSource({"alembic/versions/x.py": head})
    found = collect(files, migration_reports(files), ChecksConfig(), source=source).findings
    assert visible(found) == {(25, "ban-drop-table")}


def test_structure_dump_is_skipped_when_the_rails_migration_is_in_the_pr() -> None:
    """structure.sql mirrors the Rails migration; only the migration itself is reported.
    Alone (the migration lives elsewhere), the dump's added statements are linted."""
    dump = "CREATE INDEX index_orders_on_status ON public.orders USING btree (status);\n"
    rails = (SAMPLES / "rails/20261123100000_backfill.rb").read_text()
    alone = parse_diff(added_diff("db/structure.sql", dump))
    both = parse_diff(
        added_diff("db/structure.sql", dump) + added_diff("db/migrate/20261123100000_b.rb", rails)
    )
    assert visible(collect(alone, migration_reports(alone), ChecksConfig()).findings) == {
        (1, "require-concurrent-index-creation")
    }
    paths = {f.path for f in collect(both, migration_reports(both), ChecksConfig()).findings}
    assert paths == {"db/migrate/20261123100000_b.rb"}


def test_unclassified_file_with_unmistakable_migration_content_is_checked() -> None:
    """An Alembic revision outside a migrations folder is still recognised by its content."""
    text = (SAMPLES / "alembic/9a8b7c6d5e4f_risky.py").read_text()
    files = parse_diff(added_diff("src/schema_changes/risky.py", text))
    reports = [FileReport(path=files[0].path, status="added", categories=("query",))]
    assert (25, "ban-drop-table") in visible(collect(files, reports, ChecksConfig()).findings)


@pytest.mark.parametrize(
    ("path", "text", "framework"),
    [
        pytest.param("a/0001_x.py", "from django.db import migrations\n", "django", id="django"),
        pytest.param("a/x.py", "from alembic import op\n", "alembic", id="alembic"),
        pytest.param("a/x.rb", "class X < ActiveRecord::Migration[7.1]", "rails", id="rails"),
        pytest.param("a/x.php", "Schema::table('t', function", "laravel", id="laravel"),
        pytest.param("a/X.cs", "Up(MigrationBuilder migrationBuilder)", "efcore", id="efcore"),
        pytest.param("a/X.Designer.cs", "MigrationBuilder migrationBuilder", None, id="designer"),
        pytest.param("a/x.ts", "implements MigrationInterface", "typeorm", id="typeorm"),
        pytest.param("a/x.js", "queryInterface.addColumn(", "sequelize", id="sequelize"),
        pytest.param("a/x.js", "knex.schema.alterTable(", "knex", id="knex"),
        pytest.param("a/x.py", "print('hello')", None, id="plain-python"),
    ],
)
def test_framework_is_recognised_from_content(path: str, text: str, framework: str | None) -> None:
    """The framework comes from the file's text, not only from where it lives."""
    assert detect_framework(path, text) == framework


def test_findings_sit_on_added_lines_with_static_source_and_rule() -> None:
    """Every finding is anchored on an added line of its file and names its rule."""
    files = sample_files(*EXPECTED)
    added = {
        f.path: {ln.new_no for h in f.hunks for ln in h.lines if ln.kind == "+"} for f in files
    }
    for finding in collect(files, migration_reports(files), ChecksConfig()).findings:
        assert finding.line in added[finding.path]
        assert finding.source == "static" and finding.rule and finding.category == "database"


def test_suggestions_are_faithful_one_line_replacements() -> None:
    """A suggestion replaces exactly the anchored line, keeping its indentation."""
    found = run("alembic/9a8b7c6d5e4f_risky.py", "rails/20261120093000_add_status_to_orders.rb")
    suggested = {f.rule: f.suggestion for f in found if f.suggestion}
    assert suggested["adding-foreign-key-constraint"] in {
        '    op.create_foreign_key("fk_orders_shop", "orders", "shops", ["shop_id"], ["id"], '
        "postgresql_not_valid=True)",
        "    add_foreign_key :orders, :warehouses, validate: false",
    }
    assert suggested["constraint-missing-not-valid"] == (
        '    op.create_check_constraint("ck_orders_total", "orders", "total >= 0", '
        "postgresql_not_valid=True)"
    )


def test_squawk_binary_is_found_in_this_environment() -> None:
    """The squawk-cli wheel's binary is found even when the venv is not on PATH."""
    assert find_squawk() is not None

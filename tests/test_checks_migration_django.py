"""Django: Python-side defaults, AlterField against the field's previous definition, RunSQL
in every form; Rails: strong_migrations' safety_assured."""

from __future__ import annotations

from bot.checks.migrations.check import collect
from bot.config import ChecksConfig
from bot.diff import parse_diff
from bot.models import Finding
from tests.test_checks_migration_formats import Source
from tests.test_checks_migrations import added_diff, migration_reports, visible

HEAD = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"


def migration(deps: str, *ops: str) -> str:
    body = "".join(f"        {op},\n" for op in ops)
    return f"{HEAD}    dependencies = [{deps}]\n\n    operations = [\n{body}    ]\n"


def review(files: dict[str, str], source: Source | None = None) -> list[Finding]:
    diffs = parse_diff("".join(added_diff(p, t) for p, t in files.items()))
    return collect(diffs, migration_reports(diffs), ChecksConfig(), source=source).findings


def rules_of(found: list[Finding]) -> set[str]:
    return {f.rule or "" for f in found if f.severity != "info"}


ADD = 'migrations.AddField(model_name="order", name="state", field={field})'


def test_python_default_is_a_required_field_and_db_default_is_safe() -> None:
    """Django drops a Python `default=` from the database in the same migration (also with
    preserve_default=False): running code's INSERTs fail. `db_default=` and null=True are safe."""
    risky = [
        'models.CharField(max_length=8, default="new")',
        "models.BooleanField(default=False)",
        "models.DateTimeField(auto_now_add=True)",
    ]
    for field in risky:
        found = review({"shop/migrations/0010_x.py": migration("", ADD.format(field=field))})
        assert rules_of(found) == {"adding-required-field"}, field
        assert "db_default" in found[0].body
    preserve = ADD.format(field='models.CharField(max_length=8, default="new")')[:-1]
    found = review(
        {"shop/migrations/0010_x.py": migration("", preserve + ", preserve_default=False)")}
    )
    assert rules_of(found) == {"adding-required-field"}
    for field in [
        'models.CharField(max_length=8, db_default="new")',
        "models.TextField(null=True)",
    ]:
        found = review({"shop/migrations/0010_x.py": migration("", ADD.format(field=field))})
        assert rules_of(found) == set(), field


ALTER = 'migrations.AlterField(model_name="order", name="state", field={field})'
EARLIER = migration(
    '("shop", "0009_rename")',
    'migrations.RenameField(model_name="order", old_name="status", new_name="state")',
)
FIRST = migration(
    '("auth", "0012_alter_user"), ("shop", "0001_initial")',
    'migrations.CreateModel(name="Order", fields=[("id", models.BigAutoField(primary_key=True)), '
    '("status", models.CharField(max_length=64, null=True))])',
)


def alter(field: str, source: Source | None = None, *, with_history: bool = True) -> set[str]:
    files = {
        "shop/migrations/0011_alter.py": migration(
            '("shop", "0010_rename")', ALTER.format(field=field)
        )
    }
    if with_history:
        files["shop/migrations/0010_rename.py"] = EARLIER
    found = review(files, source or Source({"shop/migrations/0009_rename.py": FIRST}))
    return {f"{f.rule}:{f.severity}" for f in found if f.path.endswith("0011_alter.py")}


def test_alter_field_is_compared_with_the_previous_definition() -> None:
    """The previous state is followed back through dependencies and renames, read from the
    diff and from the base revision."""
    assert alter("models.CharField(max_length=64)") == {"adding-not-nullable-field:medium"}
    assert alter("models.CharField(max_length=32, null=True)") == {"changing-column-type:high"}
    assert alter("models.IntegerField(null=True)") == {"changing-column-type:high"}
    assert alter("models.CharField(max_length=128, null=True)") == set()
    assert alter("models.TextField(null=True, help_text='x')") == set()
    assert alter('models.CharField(max_length=64, null=True, choices=[("a", "A")])') == set()


def test_alter_field_falls_back_to_the_base_models_and_then_to_the_hint() -> None:
    """Without earlier migrations, the app's models.py at the base revision gives the old
    field; without either, AlterField stays an info hint."""
    models = "from django.db import models\n\n\nclass Order(models.Model):\n    state = models.CharField(max_length=64, null=True)\n"
    source = Source({"shop/models.py": models})
    assert alter("models.CharField(max_length=64)", source, with_history=False) == {
        "adding-not-nullable-field:medium"
    }
    assert alter("models.CharField(max_length=64)", Source({}), with_history=False) == {
        "changing-column-type:info"
    }


RUNSQL = '''from django.db import migrations

FORWARD = """
ALTER TABLE shop_order DROP COLUMN legacy;
"""


class Migration(migrations.Migration):
    dependencies = [("shop", "0009_x")]

    operations = [
        migrations.RunSQL(FORWARD, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            sql=[("UPDATE shop_order SET state = %s WHERE state IS NULL", ["new"])],
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            ["ALTER TABLE shop_order RENAME COLUMN a TO b;",
             "CREATE FOOBAR WIBBLE shop_order DROP COLUMN x;",
             "ALTER TABLE shop_order DROP COLUMN c;"],
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(make_sql(), migrations.RunSQL.noop),
    ]
'''


def test_runsql_in_every_form_and_unparseable_statements_are_reported() -> None:
    """Module constants and (sql, params) tuples are linted; a statement squawk cannot parse
    does not hide the others, and is itself read for obvious hazards; SQL built at run time
    is named, never dropped silently."""
    found = visible(review({"shop/migrations/0010_x.py": RUNSQL}))
    assert found == {
        (4, "ban-drop-column"), (13, "mixed-schema-data-migration"), (18, "renaming-column"),
        (19, "unparsed-sql"), (19, "ban-drop-column"), (20, "ban-drop-column"),
        (23, "unparsed-sql"),
    }  # fmt: skip


RAILS = """class RemoveLegacyFromOrders < ActiveRecord::Migration[7.1]
  def change
    safety_assured do
      remove_column :orders, :legacy_ref, :string
      execute "ALTER TABLE orders DROP COLUMN old_flag"
    end
    safety_assured { rename_column :orders, :total, :total_cents }
    remove_column :orders, :other, :string
  end
end
"""


def test_rails_safety_assured_is_acknowledged_not_reported() -> None:
    """Hazards inside safety_assured become one finding per block naming what was assured;
    outside it they are reported as usual."""
    found = review({"db/migrate/20261201000000_remove_legacy.rb": RAILS})
    assert visible(found) == {(3, "safety-assured"), (7, "safety-assured"), (8, "ban-drop-column")}
    first = next(f for f in found if f.line == 3)
    assert "`ban-drop-column` (line 4)" in first.body and "raw SQL (line 5)" in first.body

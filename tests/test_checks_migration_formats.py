"""Liquibase changelogs, Atlas HCL and Drizzle schemas, Rails safety_assured, Django's history."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Literal

import pytest

from bot.checks.migrations.check import collect
from bot.classify.classifier import classify_files
from bot.config import ChecksConfig, RepoConfig
from bot.diff import parse_diff
from bot.models import Finding
from tests.test_checks_migrations import added_diff

SAMPLES = Path(__file__).resolve().parent / "samples" / "migrations"


class Source:
    """Serves base and head revisions, like git or the contents API."""

    def __init__(self, base: dict[str, str], head: dict[str, str] | None = None) -> None:
        self.base, self.head = base, head or {}

    def read(self, path: str, *, side: Literal["base", "head"]) -> str | None:
        return (self.base if side == "base" else self.head).get(path)


def modified_diff(path: str, old: str, new: str) -> str:
    body = "".join(
        difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{path}", f"b/{path}")
    )
    return f"diff --git a/{path} b/{path}\nindex 1111111..2222222 100644\n{body}"


def review(diff: str, source: Source | None = None) -> list[Finding]:
    files = parse_diff(diff)
    reports = classify_files(files, RepoConfig())
    assert all("migration" in r.categories for r in reports), reports
    return collect(files, reports, ChecksConfig(), source=source).findings


def seen(findings: list[Finding]) -> set[tuple[int, str, str]]:
    return {(f.line, f.side, f.rule or "") for f in findings if f.severity != "info"}


LIQUIBASE = {
    "db.changelog-2026-11.xml": {
        (9, "adding-required-field"), (13, "adding-field-with-default"),
        (15, "require-concurrent-index-creation"), (18, "ban-drop-column"),
        (19, "renaming-column"), (20, "changing-column-type"),
        (21, "adding-not-nullable-field"), (22, "adding-foreign-key-constraint"),
        (24, "disallowed-unique-constraint"), (25, "renaming-table"), (26, "ban-drop-table"),
        (34, "constraint-missing-not-valid"),
    },
    "changelog-2026-11.yaml": {
        (10, "adding-required-field"), (17, "require-concurrent-index-creation"),
        (23, "ban-drop-column"), (26, "renaming-table"), (31, "changing-column-type"),
    },
    "changelog-2026-11.json": {
        (12, "adding-required-field"), (17, "ban-drop-table"), (18, "changing-column-type"),
        (19, "renaming-column"),
    },
    "db.changelog-2026-12.xml": set(),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(LIQUIBASE))
def test_liquibase_changelogs_in_each_format(name: str) -> None:
    """XML, YAML and JSON changelogs give the hazards of their changes (rollback blocks, new
    tables, `validate="false"` and `<sql>` with CONCURRENTLY outside a transaction do not)."""
    text = (SAMPLES / "liquibase" / name).read_text()
    found = review(added_diff(f"src/main/resources/db/changelog/{name}", text))
    assert {(line, rule) for line, _, rule in seen(found)} == LIQUIBASE[name]


ATLAS_EXPECTED = {
    (13, "LEFT", "ban-drop-column"), (15, "RIGHT", "changing-column-type"),
    (18, "RIGHT", "adding-not-nullable-field"), (25, "RIGHT", "adding-required-field"),
    (32, "LEFT", "require-concurrent-index-deletion"), (37, "LEFT", "ban-drop-table"),
    (38, "RIGHT", "adding-field-with-default"), (46, "RIGHT", "require-concurrent-index-creation"),
    (49, "RIGHT", "adding-foreign-key-constraint"), (53, "RIGHT", "constraint-missing-not-valid"),
}  # fmt: skip
DRIZZLE_EXPECTED = {
    (13, "LEFT", "ban-drop-column"), (14, "RIGHT", "changing-column-type"),
    (15, "RIGHT", "adding-not-nullable-field"), (15, "RIGHT", "adding-foreign-key-constraint"),
    (19, "RIGHT", "adding-required-field"), (21, "LEFT", "ban-drop-table"),
    (22, "RIGHT", "adding-field-with-default"), (23, "RIGHT", "adding-required-field"),
    (28, "RIGHT", "require-concurrent-index-creation"),
}  # fmt: skip


@pytest.mark.parametrize(
    ("path", "sample", "expected"),
    [
        ("db/schema.hcl", "atlas/schema", ATLAS_EXPECTED),
        ("src/db/schema.ts", "drizzle/schema", DRIZZLE_EXPECTED),
    ],
)
def test_declarative_schema_hazards_come_from_the_base_to_head_difference(
    path: str, sample: str, expected: set[tuple[int, str, str]]
) -> None:
    """Widened varchars, constant defaults, nullable adds, `default(sql\\`now()\\`)` and new
    tables are safe; removals are reported on the removed line."""
    old = (SAMPLES / f"{sample}.base{Path(path).suffix}").read_text()
    new = (SAMPLES / f"{sample}.head{Path(path).suffix}").read_text()
    found = review(modified_diff(path, old, new), Source({path: old}, {path: new}))
    assert seen(found) == expected


def test_new_declarative_schema_is_all_new_tables() -> None:
    """A schema file the PR adds only creates tables: nothing to lock or break."""
    text = (SAMPLES / "atlas/schema.head.hcl").read_text()
    assert seen(review(added_diff("db/schema.hcl", text))) == set()


def test_atlas_hunk_section_names_the_table_without_a_content_source() -> None:
    """With only the diff, git's hunk heading says which table the changed lines belong to."""
    diff = (
        "diff --git a/db/schema.hcl b/db/schema.hcl\nindex 1..2 100644\n--- a/db/schema.hcl\n"
        '+++ b/db/schema.hcl\n@@ -20,3 +20,7 @@ table "orders" {\n'
        '   column "total" {\n     null = false\n   }\n'
        '+  column "status" {\n+    null = false\n+    type = text\n+  }\n'
    )
    assert seen(review(diff)) == {(23, "RIGHT", "adding-required-field")}


def test_drizzle_migration_script_sql_is_linted() -> None:
    """`sql\\`...\\`` executed by a Drizzle migration script goes to squawk."""
    text = (SAMPLES / "drizzle/0007_backfill_status.ts").read_text()
    assert seen(review(added_diff("drizzle/0007_backfill_status.ts", text))) == {
        (5, "RIGHT", "ban-drop-column")
    }


UNPARSEABLE = """\\set ON_ERROR_STOP on
ALTER TABLE orders DROP COLUMN legacy_ref;
CREATE INDEX orders_status_idx ON orders USING btree (status) WITH (fillfactor = {{ fill }});
ALTER TABLE orders RENAME COLUMN total TO total_cents;
"""


def test_sql_squawk_cannot_parse_is_read_not_dropped() -> None:
    """A psql meta-command and a templated statement do not hide the other statements from
    squawk; each unreadable file gets one `unparsed-sql`, and the templated CREATE INDEX is
    still read for its hazard."""
    found = review(added_diff("db/migrations/V12__orders.sql", UNPARSEABLE))
    assert {(line, rule) for line, _, rule in seen(found)} == {
        (1, "unparsed-sql"),
        (2, "ban-drop-column"),
        (3, "require-concurrent-index-creation"),
        (4, "renaming-column"),
    }
    note = next(f for f in found if f.rule == "unparsed-sql")
    assert "1 more statement" in note.body


DRIZZLE_KIT = """ALTER TABLE "orders" ADD COLUMN "status" varchar(32) NOT NULL;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "orders_status_idx" ON "orders" USING btree ("status");--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "note" text;
"""


def test_drizzle_kit_sql_output() -> None:
    """drizzle-kit's generated SQL (with statement breakpoints) is linted like any migration."""
    found = review(added_diff("drizzle/0003_orders_status.sql", DRIZZLE_KIT))
    assert {(line, rule) for line, _, rule in seen(found)} == {
        (1, "adding-required-field"),
        (2, "require-concurrent-index-creation"),
    }


LIQUIBASE_SQL = """-- liquibase formatted sql

-- changeset maria:20261201-1
ALTER TABLE orders DROP COLUMN legacy_ref;
-- rollback ALTER TABLE orders ADD COLUMN legacy_ref varchar(64);
"""


def test_liquibase_formatted_sql() -> None:
    """Liquibase formatted SQL: the changeset runs, the rollback comment does not."""
    found = review(added_diff("src/main/resources/db/changelog/orders.sql", LIQUIBASE_SQL))
    assert {(line, rule) for line, _, rule in seen(found)} == {(4, "ban-drop-column")}

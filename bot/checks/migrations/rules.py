"""The migration-safety rule catalogue: one vocabulary for SQL (squawk) and ORM migrations.

Rule ids are squawk's rule names (https://squawkhq.com/docs/rules) wherever squawk has a
name for the hazard, so a finding reads the same whether it came from `ALTER TABLE` in a
`.sql` file or from `op.drop_column` in an Alembic revision. Ids squawk does not have:
`irreversible-migration` and `mixed-schema-data-migration`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Finding, Severity


@dataclass(frozen=True, slots=True)
class Rule:
    severity: Severity
    title: str
    risk: str  # which lock, for how long, and what breaks under load or for running code
    fix: str  # the safe way, in general terms; analysers pass a framework-specific one


_EXPAND_CONTRACT = (
    "Expand/contract: first deploy code that no longer reads or writes it (remove it from the "
    "ORM model), then drop it from the database in a later release."
)

RULES: dict[str, Rule] = {
    "adding-required-field": Rule(
        "high",
        "NOT NULL column added without a default",
        "`ALTER TABLE ... ADD COLUMN ... NOT NULL` with no default fails outright on a table that "
        "has rows, and while it waits it holds an ACCESS EXCLUSIVE lock that blocks reads and "
        "writes. Running application code that inserts rows without the new column starts "
        "failing as soon as it succeeds.",
        "Add the column as nullable (or with a constant default), deploy code that writes it, "
        "backfill existing rows in batches, then add `CHECK (col IS NOT NULL) NOT VALID`, "
        "VALIDATE it, and only then SET NOT NULL (PostgreSQL 12+ uses the validated check and "
        "skips the scan).",
    ),
    "adding-not-nullable-field": Rule(
        "medium",
        "SET NOT NULL scans the whole table under an exclusive lock",
        "`ALTER COLUMN ... SET NOT NULL` takes an ACCESS EXCLUSIVE lock and scans every row to "
        "check for NULLs; reads and writes wait for the whole scan. It fails if any NULL is "
        "left, e.g. written by code still running the old release.",
        "Backfill NULLs in batches, add `CHECK (col IS NOT NULL) NOT VALID`, VALIDATE it in a "
        "separate transaction (SHARE UPDATE EXCLUSIVE, no blocking), then SET NOT NULL and drop "
        "the check (PostgreSQL 12+).",
    ),
    "adding-field-with-default": Rule(
        "high",
        "Column added with a volatile default rewrites the table",
        "A volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval(); or any "
        "default before PostgreSQL 11) makes PostgreSQL rewrite the whole table under an ACCESS "
        "EXCLUSIVE lock: every read and write waits until the rewrite finishes.",
        "Add the column without a default (or with a constant one), set the default in a "
        "separate statement so it applies to new rows only, and backfill existing rows in "
        "batches.",
    ),
    "require-concurrent-index-creation": Rule(
        "high",
        "Index built without CONCURRENTLY blocks writes",
        "A plain `CREATE INDEX` holds a SHARE lock on the table for the whole build: reads "
        "continue but every INSERT, UPDATE and DELETE waits, minutes on a large table.",
        "Build it with `CREATE INDEX CONCURRENTLY` outside a transaction (it takes SHARE UPDATE "
        "EXCLUSIVE, which does not block writes). If it fails it leaves an INVALID index to drop "
        "and retry.",
    ),
    "ban-concurrent-index-creation-in-transaction": Rule(
        "high",
        "CONCURRENTLY inside a transaction fails",
        "PostgreSQL refuses `CREATE INDEX CONCURRENTLY` inside a transaction block, and this "
        "migration runs in one: the deploy fails at this statement.",
        "Run the concurrent build outside the migration's transaction (and put nothing else in "
        "that migration).",
    ),
    "require-concurrent-index-deletion": Rule(
        "medium",
        "Index dropped without CONCURRENTLY",
        "A plain `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the table: reads and writes "
        "queue behind it, and behind any long query it has to wait for.",
        "Use `DROP INDEX CONCURRENTLY` outside a transaction.",
    ),
    "ban-drop-column": Rule(
        "high",
        "Column dropped while running code may still use it",
        "The previous release keeps running during and after the deploy; its queries that "
        "select, insert or update this column fail as soon as it is gone (ORMs that select "
        "every mapped column fail on every query of the table). The drop itself needs an "
        "ACCESS EXCLUSIVE lock, and the data cannot be recovered by a rollback.",
        _EXPAND_CONTRACT,
    ),
    "ban-drop-table": Rule(
        "high",
        "Table dropped while running code may still use it",
        "Code of the previous release that still reads or writes this table fails once it is "
        "dropped, and the data is gone for good; DROP TABLE takes an ACCESS EXCLUSIVE lock.",
        "Stop using the table in one release, back it up or rename it aside, and drop it in a "
        "later release.",
    ),
    "ban-drop-database": Rule(
        "critical",
        "Database dropped in a migration",
        "Dropping a database destroys every table in it and breaks every client.",
        "Do this by hand, deliberately, outside migrations.",
    ),
    "ban-drop-not-null": Rule(
        "low",
        "NOT NULL dropped: readers may get NULLs",
        "Dropping NOT NULL is cheap, but code that assumes the column is always set (old "
        "releases, reports, other services) will start seeing NULLs.",
        "Check every reader handles NULL before relaxing the constraint.",
    ),
    "renaming-column": Rule(
        "high",
        "Column renamed under running code",
        "The rename is instant but needs an ACCESS EXCLUSIVE lock, and every query of the "
        "running release that uses the old name fails from that moment until the new code is "
        "everywhere.",
        "Expand/contract: add the new column, write both, backfill, switch reads, then drop "
        "the old column in a later release (or keep a view/generated column with the old name "
        "during the switch).",
    ),
    "renaming-table": Rule(
        "high",
        "Table renamed under running code",
        "Queries of the running release that use the old table name fail from the moment of "
        "the rename until the new code is deployed everywhere; the rename takes an ACCESS "
        "EXCLUSIVE lock.",
        "Rename and leave an updatable view with the old name until no code uses it, or "
        "create the new table and migrate in expand/contract steps.",
    ),
    "changing-column-type": Rule(
        "high",
        "Column type change rewrites the table",
        "Most type changes rewrite the table and its indexes under an ACCESS EXCLUSIVE lock "
        "(reads and writes wait for the whole rewrite), and running code may not handle the "
        "new type. Only a few changes are metadata-only (varchar(n) to a larger n or to text).",
        "Add a column with the new type, write both, backfill in batches, switch reads, and "
        "drop the old column later.",
    ),
    "constraint-missing-not-valid": Rule(
        "medium",
        "Constraint validated while holding a lock",
        "Adding a CHECK (or foreign key) constraint scans the whole table to validate existing "
        "rows while holding a lock that blocks writes.",
        "Add it `NOT VALID` (instant; new writes are checked), then `VALIDATE CONSTRAINT` in a "
        "separate transaction, which takes only SHARE UPDATE EXCLUSIVE.",
    ),
    "adding-foreign-key-constraint": Rule(
        "medium",
        "Foreign key validated while holding locks on both tables",
        "Adding a foreign key takes SHARE ROW EXCLUSIVE locks on the table and the referenced "
        "table and scans the table to validate it: writes to both tables wait for the scan.",
        "Add the foreign key `NOT VALID`, then `VALIDATE CONSTRAINT` in a separate transaction.",
    ),
    "disallowed-unique-constraint": Rule(
        "high",
        "Unique constraint built under an exclusive lock",
        "`ADD CONSTRAINT ... UNIQUE` builds its index while holding an ACCESS EXCLUSIVE lock: "
        "reads and writes wait for the whole build, and it fails if duplicates exist.",
        "Build the index with `CREATE UNIQUE INDEX CONCURRENTLY` outside a transaction, then "
        "`ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX` (instant).",
    ),
    "adding-serial-primary-key-field": Rule(
        "high",
        "Primary key added under an exclusive lock",
        "Adding a primary key builds a unique index while holding an ACCESS EXCLUSIVE lock that "
        "blocks reads and writes for the whole build.",
        "Build the unique index concurrently, then `ADD CONSTRAINT ... PRIMARY KEY USING INDEX`.",
    ),
    "ban-truncate-cascade": Rule(
        "high",
        "TRUNCATE ... CASCADE empties every referencing table",
        "CASCADE truncates every table with a foreign key to this one, recursively, under "
        "ACCESS EXCLUSIVE locks.",
        "Truncate the tables you mean, by name.",
    ),
    "ban-char-field": Rule(
        "low",
        "char(n) column",
        "`char(n)` pads values with spaces and is almost never what is wanted.",
        "Use `text` or `varchar`.",
    ),
    "irreversible-migration": Rule(
        "medium",
        "Migration cannot be rolled back",
        "This step has no reverse, so rolling the deploy back (or `migrate` to an earlier "
        "version) fails here and leaves the schema half-migrated when you most need a quick "
        "rollback.",
        "Provide the reverse (even an explicit no-op when undoing is not needed), or split the "
        "irreversible part into its own migration.",
    ),
    "mixed-schema-data-migration": Rule(
        "medium",
        "Schema change and data change in one transaction",
        "The schema change takes its lock (often ACCESS EXCLUSIVE) and the data change keeps "
        "the transaction open for as long as it touches rows, so the table stays locked for the "
        "whole backfill; on PostgreSQL it can also fail with 'pending trigger events'.",
        "Put the data change in its own migration (outside the schema change's transaction) "
        "and backfill in batches.",
    ),
    "safety-assured": Rule(
        "info",
        "strong_migrations safety_assured: checks skipped on purpose",
        "",
        "",
    ),
    "unparsed-sql": Rule(
        "low",
        "SQL squawk could not parse",
        "This statement was not linted by squawk; only its obvious hazards were read.",
        "Check the statement by hand (or with `squawk` locally) for locks and rewrites.",
    ),
}

_GENERIC = Rule("low", "squawk: {rule}", "", "")


def rule_for(rule_id: str) -> Rule:
    """The catalogue entry; squawk rules we do not describe get squawk's own words."""
    return RULES.get(rule_id, _GENERIC)


def make_finding(
    path: str,
    line: int,
    rule_id: str,
    *,
    detail: str,
    fix: str | None = None,
    severity: Severity | None = None,
    title: str | None = None,
    suggestion: str | None = None,
) -> Finding:
    """A static database finding: what the code does, the locks and breakage, the safe way."""
    rule = rule_for(rule_id)
    parts = [detail.strip()]
    if rule.risk:
        parts.append(rule.risk)
    safe = fix or rule.fix
    if safe:
        parts.append(f"Safe way: {safe}")
    return Finding(
        path=path,
        line=line,
        severity=severity or rule.severity,
        category="database",
        title=(title or rule.title.format(rule=rule_id))[:200],
        body="\n\n".join(p for p in parts if p),
        suggestion=suggestion,
        source="static",
        rule=rule_id,
    )

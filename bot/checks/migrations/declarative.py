"""Atlas HCL and Drizzle schema files: hazards of the base-to-head difference, plus SQL that
Drizzle migration scripts execute (`sql\\`...\\`` template literals without interpolation)."""

from __future__ import annotations

import re

from bot.checks.migrations.atlas import parse_atlas
from bot.checks.migrations.drizzle import parse_drizzle
from bot.checks.migrations.schema_diff import Sides, compare
from bot.checks.migrations.sql_sources import embedded_snippet
from bot.checks.migrations.text import Analysis, MigrationText, base_text, with_sections
from bot.models import ContentSource, FileDiff

_SQL_TAG = re.compile(r"\bsql(?:\.raw)?\s*`((?:[^`\\$]|\\.|\$(?!\{))*)`", re.DOTALL)
_STATEMENT = re.compile(
    r"\s*(ALTER|CREATE|DROP|UPDATE|INSERT|DELETE|TRUNCATE|COMMENT|REINDEX)\b", re.IGNORECASE
)
_FIXES = {
    "atlas": {
        "require-concurrent-index-creation": (
            "Have atlas plan it concurrently (`diff { concurrent_index { add = true } }` in "
            "atlas.hcl, and `-- atlas:txmode none` on that migration file)."
        ),
        "require-concurrent-index-deletion": (
            "`diff { concurrent_index { drop = true } }` in atlas.hcl, outside a transaction."
        ),
    },
    "drizzle": {
        "require-concurrent-index-creation": (
            "Edit the generated SQL to `CREATE INDEX CONCURRENTLY` and run that migration "
            "outside a transaction (drizzle-kit runs each file in one), or apply it by hand."
        ),
        "adding-required-field": (
            "Add the column nullable (no `.notNull()`) or with a database `.default(...)` "
            "(`$defaultFn` is application-side only), backfill, then add `.notNull()` later."
        ),
    },
}


def analyse_declarative(
    file: FileDiff, mt: MigrationText, source: ContentSource | None, framework: str
) -> Analysis:
    """Findings for one Atlas / Drizzle schema file, and its executed SQL for squawk."""
    out = Analysis()
    parse = parse_atlas if framework == "atlas" else parse_drizzle
    old_text, removed = base_text(file, source)
    sides = Sides(mt.path, mt.added, removed, fix=_FIXES.get(framework, {}))
    new = parse(mt.text if mt.complete else with_sections(mt.text, file))
    compare(parse(old_text), new, sides)
    out.findings.extend(sides.findings)
    if framework == "drizzle":
        _sql_literals(mt, out)
    return out


def _sql_literals(mt: MigrationText, out: Analysis) -> None:
    for m in _SQL_TAG.finditer(mt.text):
        if not _STATEMENT.match(m.group(1)):
            continue  # a default or a condition, not a statement
        first = mt.text.count("\n", 0, m.start(1)) + 1
        last = mt.text.count("\n", 0, m.end(1)) + 1
        snippet = embedded_snippet(
            mt.path,
            m.group(1),
            first_line=first,
            last_line=last,
            added=mt.added,
            in_transaction=False,
            framework="drizzle",
            anchor=mt.text.count("\n", 0, m.start()) + 1,
        )
        if snippet is not None:
            out.snippets.append(snippet)

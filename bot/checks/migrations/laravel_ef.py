"""Laravel and EF Core migrations: the high-value hazards of `up()` / `Up(...)`.

Laravel columns are NOT NULL unless `->nullable()`; `Schema::create` makes a new (empty)
table, so only `Schema::table` blocks are checked for lock hazards. EF Core's generated
`Up` calls name their table in a `table:` argument; `Down` is skipped.
"""

from __future__ import annotations

import re

from bot.checks.migrations.braces import Call, Source, add_sql, matching, named, summary
from bot.checks.migrations.fixes import fix_for
from bot.checks.migrations.pyast import VOLATILE_SQL, emit
from bot.checks.migrations.sql_sources import is_widening
from bot.checks.migrations.text import Analysis, MigrationText

_PHP_DOWN = re.compile(r"\bfunction\s+down\s*\(")
_SCHEMA = re.compile(
    r"Schema::(?:connection\([^)]*\)->)?(table|create|drop|dropIfExists|rename)\s*\("
)
_DB_SQL = re.compile(r"DB::(?:connection\([^)]*\)->)?(statement|unprepared)\s*\(")
_COLUMN_ADD = re.compile(
    r"^\$\w+->(string|char|text|mediumText|longText|integer|bigInteger|smallInteger|tinyInteger|"
    r"unsignedBigInteger|unsignedInteger|boolean|date|dateTime|dateTimeTz|timestamp|timestampTz|"
    r"decimal|float|double|json|jsonb|uuid|ulid|foreignId|foreignUuid|enum|binary|ipAddress)\s*\("
)
_NULL_OK = re.compile(
    r"->(nullable\(\s*\)|nullable\(\s*true|default\(|useCurrent\(|storedAs\(|"
    r"virtualAs\(|generatedAs\(|change\(|autoIncrement\()"
)
_LARAVEL_RULES = (
    (
        re.compile(
            r"->(dropColumn|dropColumns|dropMorphs|dropTimestamps|dropSoftDeletes|dropConstrainedForeignId)\s*\("
        ),
        "ban-drop-column",
        "drops a column.",
    ),
    (re.compile(r"->renameColumn\s*\("), "renaming-column", "renames a column."),
    (re.compile(r"->unique\s*\("), "disallowed-unique-constraint", "adds a unique index."),
    (
        re.compile(r"->(index|fullText|spatialIndex)\s*\("),
        "require-concurrent-index-creation",
        "builds an index without CONCURRENTLY.",
    ),
    (
        re.compile(r"->(foreign|constrained)\s*\("),
        "adding-foreign-key-constraint",
        "adds a foreign key validated at once.",
    ),
    (re.compile(r"->dropIndex\s*\("), "require-concurrent-index-deletion", "drops an index."),
)


def analyse_laravel(mt: MigrationText, pg_major: int) -> Analysis:
    """Findings and SQL snippets for one Laravel migration class."""
    out = Analysis()
    src = Source(mt, _PHP_DOWN)
    in_tx = not re.search(r"\$withinTransaction\s*=\s*false", mt.text)
    for call in src.calls(_SCHEMA):
        table = _first_name(call.args)
        if call.name == "create":
            out.new_tables.add(table.lower())
        elif call.name in {"drop", "dropIfExists"}:
            _say(
                out,
                mt,
                call.line,
                "ban-drop-table",
                f"Schema::{call.name}('{table}')",
                text="drops a table.",
            )
        elif call.name == "rename":
            _say(
                out,
                mt,
                call.line,
                "renaming-table",
                f"Schema::rename({call.args.strip()})",
                text="renames a table.",
            )
        elif call.name == "table":
            _table_block(out, src, call)
    for call in src.calls(_DB_SQL):
        add_sql(out, src, call, in_transaction=in_tx, framework="laravel")
    return out


def _first_name(args: str) -> str:
    m = re.match(r"\s*['\"]([\w.]+)['\"]", args)
    return m.group(1) if m else ""


def _table_block(out: Analysis, src: Source, call: Call) -> None:
    brace = call.args.find("{")
    if brace < 0:
        return
    body_start = call.args_start + brace + 1
    body_end = matching(src.text, body_start - 1)
    offset = body_start
    for chunk in src.text[body_start:body_end].split(";"):
        stmt = chunk.strip()
        at = offset + len(chunk) - len(chunk.lstrip())
        offset += len(chunk) + 1
        if not stmt.startswith("$"):
            continue
        line = src.line(at)
        for pattern, rule, text in _LARAVEL_RULES:
            if pattern.search(stmt):
                _say(out, src.mt, line, rule, stmt, text=text)
        if "->change(" in stmt:
            _say(
                out,
                src.mt,
                line,
                "changing-column-type",
                stmt,
                text="redefines an existing column; a type change rewrites the table.",
            )
        elif _COLUMN_ADD.match(stmt) and not _NULL_OK.search(stmt):
            _say(
                out,
                src.mt,
                line,
                "adding-required-field",
                stmt,
                text="adds a column that is NOT NULL (Laravel's default) without a default.",
            )


def _say(out: Analysis, mt: MigrationText, line: int, rule: str, code: str, *, text: str) -> None:
    emit(out, mt, line, rule, detail=f"`{summary(code)}` {text}", fix=fix_for("laravel", rule))


_CS_DOWN = re.compile(r"\bvoid\s+Down\s*\(")
_EF_CALL = re.compile(r"\bmigrationBuilder\s*\.\s*(\w+)\s*(?:<[^>(]*>)?\s*\(")
_EF_RULES = {
    "DropColumn": ("ban-drop-column", "drops a column."),
    "DropTable": ("ban-drop-table", "drops a table."),
    "RenameColumn": ("renaming-column", "renames a column."),
    "RenameTable": ("renaming-table", "renames a table."),
    "AddForeignKey": ("adding-foreign-key-constraint", "adds a foreign key validated at once."),
    "AddUniqueConstraint": ("disallowed-unique-constraint", "adds a unique constraint."),
    "AddCheckConstraint": (
        "constraint-missing-not-valid",
        "adds a CHECK constraint validated at once.",
    ),
    "AddPrimaryKey": ("adding-serial-primary-key-field", "adds a primary key."),
}


def analyse_efcore(mt: MigrationText, pg_major: int) -> Analysis:
    """Findings and SQL snippets for one EF Core migration's Up method."""
    out = Analysis()
    src = Source(mt, _CS_DOWN)
    calls = list(src.calls(_EF_CALL))
    for call in calls:
        if call.name == "CreateTable":
            out.new_tables.add((named(call.args, "name") or "").lower())
    for call in calls:
        table = (named(call.args, "table") or named(call.args, "name") or "").lower()
        if call.name == "Sql":
            in_tx = not re.search(r"suppressTransaction\s*:\s*true", call.args)
            add_sql(out, src, call, in_transaction=in_tx, framework="efcore")
        elif table in out.new_tables or call.name == "CreateTable":
            continue
        elif call.name in _EF_RULES:
            rule, text = _EF_RULES[call.name]
            _ef_say(out, mt, call, rule, text)
        elif call.name == "AddColumn":
            _ef_add_column(out, mt, call, pg_major)
        elif call.name == "AlterColumn":
            _ef_alter_column(out, mt, call)
        elif call.name == "CreateIndex" and "CreatedConcurrently" not in call.args + call.tail:
            _ef_say(
                out,
                mt,
                call,
                "require-concurrent-index-creation",
                "builds an index without CONCURRENTLY.",
            )
    return out


def _ef_say(out: Analysis, mt: MigrationText, call: Call, rule: str, text: str) -> None:
    emit(
        out,
        mt,
        call.line,
        rule,
        detail=f"`migrationBuilder.{call.name}({summary(call.args)})` {text}",
        fix=fix_for("efcore", rule),
    )


def _ef_add_column(out: Analysis, mt: MigrationText, call: Call, pg_major: int) -> None:
    args = call.args
    default_sql = re.search(r"defaultValueSql\s*:\s*\"([^\"]*)\"", args)
    has_default = bool(default_sql) or "defaultValue:" in args or "computedColumnSql:" in args
    if default_sql and (VOLATILE_SQL.search(default_sql.group(1)) or pg_major < 11):
        _ef_say(
            out, mt, call, "adding-field-with-default", "adds a column with a volatile default."
        )
    elif re.search(r"\bnullable\s*:\s*false", args) and not has_default:
        _ef_say(out, mt, call, "adding-required-field", "adds a NOT NULL column without a default.")


def _ef_alter_column(out: Analysis, mt: MigrationText, call: Call) -> None:
    args = call.args
    new_type, old_type = named(args, "type"), named(args, "oldType")
    clr = re.search(r"oldClrType\s*:\s*typeof\(([^)]*)\)", args)
    head = mt.text[call.start : call.args_start]
    generic_type = re.search(r"<([^>]*)>", head)
    widening = bool(new_type and old_type and is_widening(old_type, new_type))
    changed = (new_type and old_type and new_type.lower() != old_type.lower() and not widening) or (
        clr and generic_type and clr.group(1).strip() != generic_type.group(1).strip()
    )
    if changed:
        _ef_say(out, mt, call, "changing-column-type", "changes a column's type.")
    if re.search(r"\bnullable\s*:\s*false", args) and re.search(r"oldNullable\s*:\s*true", args):
        _ef_say(out, mt, call, "adding-not-nullable-field", "sets a column NOT NULL.")
    elif re.search(r"\bnullable\s*:\s*true", args) and not re.search(
        r"oldNullable\s*:\s*true", args
    ):
        _ef_say(out, mt, call, "ban-drop-not-null", "makes a column nullable.")

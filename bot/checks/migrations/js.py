"""JavaScript/TypeScript migrations: TypeORM, Sequelize and Knex, read as text.

The `down` method is blanked out first. TypeORM and Knex run each migration in a
transaction by default; Sequelize does not. TypeORM columns are NOT NULL unless
`isNullable: true`; Sequelize and Knex columns are nullable unless `allowNull: false` /
`.notNullable()`.
"""

from __future__ import annotations

import re

from bot.checks.migrations.braces import Call, Source, add_sql, summary
from bot.checks.migrations.fixes import fix_for
from bot.checks.migrations.pyast import VOLATILE_SQL, emit
from bot.checks.migrations.text import Analysis, MigrationText

_DOWN = re.compile(r"\b(?:exports\.down\s*=|(?:async\s+)?down\s*(?::|\(|=))")
_FIRST_STRING = re.compile(r"\s*[\"'`]([\w.]+)[\"'`]")
_COMMON = {
    "dropColumn": ("ban-drop-column", "drops a column."),
    "dropColumns": ("ban-drop-column", "drops columns."),
    "removeColumn": ("ban-drop-column", "drops a column."),
    "dropTable": ("ban-drop-table", "drops a table."),
    "dropTableIfExists": ("ban-drop-table", "drops a table."),
    "renameColumn": ("renaming-column", "renames a column."),
    "renameTable": ("renaming-table", "renames a table."),
    "changeColumn": (
        "changing-column-type",
        "redefines a column; a type change rewrites the table.",
    ),
    "createForeignKey": ("adding-foreign-key-constraint", "adds a foreign key validated at once."),
    "createForeignKeys": ("adding-foreign-key-constraint", "adds foreign keys validated at once."),
    "createUniqueConstraint": ("disallowed-unique-constraint", "adds a unique constraint."),
    "createCheckConstraint": (
        "constraint-missing-not-valid",
        "adds a CHECK constraint validated at once.",
    ),
}


def _table(call: Call) -> str:
    m = _FIRST_STRING.match(call.args)
    return m.group(1).split(".")[-1].lower() if m else ""


def _say(out: Analysis, src: Source, call: Call, rule: str, text: str, *, framework: str) -> None:
    code = f"{call.name}({summary(call.args)})"
    emit(out, src.mt, call.line, rule, detail=f"`{code}` {text}", fix=fix_for(framework, rule))


def _required(args: str, *, not_null: bool, pg_major: int) -> str | None:
    default = re.search(r"\bdefault(?:Value)?\s*:\s*([^,}\n]+)", args)
    if default and (VOLATILE_SQL.search(default.group(1)) or pg_major < 11):
        return "adding-field-with-default"
    return "adding-required-field" if not_null and not default else None


def analyse_typeorm(mt: MigrationText, pg_major: int) -> Analysis:
    """queryRunner calls of a TypeORM migration's `up`."""
    out = Analysis()
    src = Source(mt, _DOWN)
    in_tx = not re.search(r"\btransaction\s*=\s*false", mt.text)
    calls = list(src.calls(re.compile(r"\bqueryRunner\s*\.\s*(\w+)\s*\(")))
    out.new_tables |= {_table(c) for c in calls if c.name == "createTable"}
    for call in calls:
        if call.name == "query":
            add_sql(out, src, call, in_transaction=in_tx, framework="typeorm")
        elif _table(call) in out.new_tables:
            continue
        elif call.name in _COMMON:
            _say(out, src, call, *_COMMON[call.name], framework="typeorm")
        elif call.name in {"createIndex", "createIndices"}:
            _say(
                out,
                src,
                call,
                "require-concurrent-index-creation",
                "builds an index without CONCURRENTLY.",
                framework="typeorm",
            )
        elif call.name in {"addColumn", "addColumns"}:
            not_null = not re.search(r"isNullable\s*:\s*true", call.args)
            rule = _required(call.args, not_null=not_null, pg_major=pg_major)
            if rule:
                _say(
                    out,
                    src,
                    call,
                    rule,
                    "adds a column that is NOT NULL (TypeORM's default) without a default."
                    if rule == "adding-required-field"
                    else "adds a column with a volatile default.",
                    framework="typeorm",
                )
    return out


_SEQ_CONSTRAINT = (
    (re.compile(r"type\s*:\s*[\"']unique", re.IGNORECASE), "disallowed-unique-constraint"),
    (re.compile(r"type\s*:\s*[\"']foreign key", re.IGNORECASE), "adding-foreign-key-constraint"),
    (re.compile(r"type\s*:\s*[\"']check", re.IGNORECASE), "constraint-missing-not-valid"),
    (re.compile(r"type\s*:\s*[\"']primary key", re.IGNORECASE), "adding-serial-primary-key-field"),
)


def analyse_sequelize(mt: MigrationText, pg_major: int) -> Analysis:
    """queryInterface calls of a Sequelize migration's `up`."""
    out = Analysis()
    src = Source(mt, _DOWN)
    calls = list(src.calls(re.compile(r"\bqueryInterface\s*\.\s*(?:sequelize\s*\.\s*)?(\w+)\s*\(")))
    out.new_tables |= {_table(c) for c in calls if c.name == "createTable"}
    for call in calls:
        concurrent = re.search(r"concurrently\s*:\s*true", call.args)
        if call.name == "query":
            add_sql(out, src, call, in_transaction=False, framework="sequelize")
        elif _table(call) in out.new_tables:
            continue
        elif call.name in _COMMON:
            _say(out, src, call, *_COMMON[call.name], framework="sequelize")
        elif call.name == "addIndex" and not concurrent:
            _say(
                out,
                src,
                call,
                "require-concurrent-index-creation",
                "builds an index without `concurrently: true`.",
                framework="sequelize",
            )
        elif call.name == "removeIndex" and not concurrent:
            _say(
                out,
                src,
                call,
                "require-concurrent-index-deletion",
                "drops an index.",
                framework="sequelize",
            )
        elif call.name == "addColumn":
            not_null = bool(re.search(r"allowNull\s*:\s*false", call.args))
            rule = _required(call.args, not_null=not_null, pg_major=pg_major)
            if rule:
                _say(
                    out,
                    src,
                    call,
                    rule,
                    "adds a column with `allowNull: false` and no default."
                    if rule == "adding-required-field"
                    else "adds a column with a volatile default.",
                    framework="sequelize",
                )
        elif call.name == "addConstraint":
            for pattern, rule in _SEQ_CONSTRAINT:
                if pattern.search(call.args):
                    _say(
                        out,
                        src,
                        call,
                        rule,
                        "adds a constraint validated at once.",
                        framework="sequelize",
                    )
    return out


_KNEX_CHAIN = (
    (
        re.compile(r"\.(dropColumn|dropColumns|dropTimestamps)\s*\("),
        "ban-drop-column",
        "drops a column.",
    ),
    (re.compile(r"\.renameColumn\s*\("), "renaming-column", "renames a column."),
    (
        re.compile(r"\.alter\s*\("),
        "changing-column-type",
        "redefines a column; a type change rewrites the table.",
    ),
    (re.compile(r"\.unique\s*\("), "disallowed-unique-constraint", "adds a unique constraint."),
    (
        re.compile(r"\.index\s*\("),
        "require-concurrent-index-creation",
        "builds an index without CONCURRENTLY.",
    ),
    (
        re.compile(r"\.(foreign|references)\s*\("),
        "adding-foreign-key-constraint",
        "adds a foreign key validated at once.",
    ),
    (re.compile(r"\.dropIndex\s*\("), "require-concurrent-index-deletion", "drops an index."),
)


def analyse_knex(mt: MigrationText, pg_major: int) -> Analysis:
    """knex.schema and knex.raw calls of a Knex migration's `up`."""
    out = Analysis()
    src = Source(mt, _DOWN)
    in_tx = not re.search(r"transaction\s*:\s*false", mt.text)
    pattern = re.compile(
        r"\b\w+\s*\.\s*(?:schema\s*\.\s*(?:withSchema\([^)]*\)\s*\.\s*)?)?"
        r"(alterTable|table|createTable|dropTable|dropTableIfExists|renameTable|raw)\s*\("
    )
    calls = list(src.calls(pattern))
    out.new_tables |= {_table(c) for c in calls if c.name == "createTable"}
    for call in calls:
        if call.name == "raw":
            add_sql(out, src, call, in_transaction=in_tx, framework="knex")
        elif _table(call) in out.new_tables or call.name == "createTable":
            continue
        elif call.name in _COMMON:
            _say(out, src, call, *_COMMON[call.name], framework="knex")
        else:
            _knex_block(out, src, call, pg_major)
    return out


def _knex_block(out: Analysis, src: Source, call: Call, pg_major: int) -> None:
    param = re.search(r"(?:function\s*)?\(\s*(\w+)\s*\)\s*(?:=>)?\s*\{|(\w+)\s*=>\s*\{", call.args)
    if not param:
        return
    var = param.group(1) or param.group(2)
    for m in re.finditer(rf"(?m)^\s*{re.escape(var)}\s*\.[^;]*", call.args):
        stmt = m.group(0).strip()
        line = src.line(call.args_start + m.start() + len(m.group(0)) - len(m.group(0).lstrip()))
        for regex, rule, text in _KNEX_CHAIN:
            if regex.search(stmt) and not (rule == "changing-column-type" and ".alter" not in stmt):
                emit(
                    out,
                    src.mt,
                    line,
                    rule,
                    detail=f"`{summary(stmt)}` {text}",
                    fix=fix_for("knex", rule),
                )
        if ".notNullable(" in stmt and ".alter(" not in stmt:
            required = _required(
                stmt.replace("defaultTo(", "default: "), not_null=True, pg_major=pg_major
            )
            if required:
                emit(
                    out,
                    src.mt,
                    line,
                    required,
                    detail=f"`{summary(stmt)}` adds a NOT NULL column without a default.",
                    fix=fix_for("knex", required),
                )

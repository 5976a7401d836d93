"""Migration safety: lock and compatibility hazards in SQL and ORM migrations.

Each migration file is recognised by its content (the classifier's "migration" category
picks the files; the framework is read from the text), read statically (Python `ast`,
small line parsers; never imported or run), and every SQL string it runs going forward is
linted by squawk in one process per review. Findings use squawk's rule names throughout.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from bot.checks.migrations import js, laravel_ef, rails
from bot.checks.migrations.alembic import analyse_alembic
from bot.checks.migrations.declarative import analyse_declarative
from bot.checks.migrations.django import analyse_django
from bot.checks.migrations.liquibase import analyse_liquibase
from bot.checks.migrations.migration_history import History
from bot.checks.migrations.pyast import parse_python
from bot.checks.migrations.sql import squawk_findings
from bot.checks.migrations.sql_sources import sql_file_snippet
from bot.checks.migrations.squawk import (
    Runner,
    SquawkHit,
    find_squawk,
    run_squawk,
    subprocess_runner,
)
from bot.checks.migrations.text import Analysis, MigrationText, SqlSnippet, migration_text
from bot.checks.migrations.unparsed_sql import screen, split_snippet, unparsed_findings
from bot.config import ChecksConfig
from bot.models import ContentSource, FileDiff, FileReport, Finding

_ALEMBIC = re.compile(r"^\s*(from alembic import|import alembic)|^def upgrade\(", re.MULTILINE)
_DJANGO = re.compile(r"migrations\.Migration\b|from django\.db import\b[^\n]*\bmigrations")
_GOOSE = re.compile(r"^\s*--\s*\+goose\s+up\b", re.IGNORECASE | re.MULTILINE)
_RAILS = re.compile(r"<\s*ActiveRecord::Migration\b")
_LARAVEL = re.compile(r"\bextends\s+Migration\b|Schema::(table|create|drop|rename)\b")
_EFCORE = re.compile(r"\bMigrationBuilder\s+migrationBuilder\b")
_TYPEORM = re.compile(r"\bMigrationInterface\b|\bqueryRunner\s*:\s*QueryRunner\b")
_SEQUELIZE = re.compile(r"\bqueryInterface\s*\.\s*\w+\s*\(")
_KNEX = re.compile(r"\bknex\s*\.\s*(schema|raw)\b")
_LIQUIBASE = re.compile(r"databaseChangeLog")
_ATLAS = re.compile(r'^\s*(?:table|column|index|schema)\s+"[\w.]+"\s*\{', re.MULTILINE)
_DRIZZLE = re.compile(r"\b(?:pg|mysql|sqlite)Table\(|['\"]drizzle-orm")
_SCHEMA_DUMP = re.compile(r"(^|/)(structure|schema)\.sql$")
_SCRIPT_EXT = (".py", ".rb", ".php", ".cs", ".js", ".ts", ".mjs", ".cjs", ".mts", ".cts")

Analyser = Callable[[MigrationText, int], Analysis]
_REPARSE_BUDGET = 64  # statements linted one by one when a file does not parse


@dataclass
class MigrationReport:
    """Everything the migration checks found, plus notes on what could not be checked."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    squawk_runs: int = 0
    unparsed: list[SqlSnippet] = field(default_factory=list)  # statements squawk cannot read


_BY_CONTENT: tuple[tuple[tuple[str, ...], str, re.Pattern[str]], ...] = (
    ((".py",), "django", _DJANGO),
    ((".py",), "alembic", _ALEMBIC),
    ((".rb",), "rails", _RAILS),
    ((".php",), "laravel", _LARAVEL),
    ((".cs",), "efcore", _EFCORE),
    ((".xml", ".yaml", ".yml", ".json"), "liquibase", _LIQUIBASE),
    ((".hcl",), "atlas", _ATLAS),
    (_SCRIPT_EXT[4:], "drizzle", _DRIZZLE),
    (_SCRIPT_EXT[4:], "typeorm", _TYPEORM),
    (_SCRIPT_EXT[4:], "sequelize", _SEQUELIZE),
    (_SCRIPT_EXT[4:], "knex", _KNEX),
)


def detect_framework(path: str, text: str) -> str | None:
    """Which migration tool wrote this file, from its name and content."""
    lower = path.lower()
    if lower.endswith(".sql"):
        return "structure" if _SCHEMA_DUMP.search(lower) else "sql"
    if lower.endswith((".designer.cs", "modelsnapshot.cs")):
        return None  # EF Core's generated metadata, not operations
    for suffixes, name, pattern in _BY_CONTENT:
        if lower.endswith(suffixes) and pattern.search(text):
            return name
    return None


def _strong_signal(file: FileDiff) -> bool:
    """A file the classifier missed whose added text is unmistakably a migration."""
    lower = file.path.lower()
    if not lower.endswith((".sql", ".py", ".rb", ".cs")):
        return False
    text = file.added_text()
    if lower.endswith(".sql"):
        return "+goose" in text and bool(_GOOSE.search(text))
    if lower.endswith(".rb"):
        return "ActiveRecord::Migration" in text
    if lower.endswith(".cs"):
        return "MigrationBuilder migrationBuilder" in text
    return ("migrations.Migration" in text and "operations" in text) or (
        "from alembic import op" in text and "def upgrade" in text
    )


def _is_candidate(file: FileDiff, report: FileReport | None) -> bool:
    if file.status == "removed" or file.is_binary or not file.hunks:
        return False
    if report is not None and "migration" in report.categories:
        return True
    return _strong_signal(file)


def _python(analyse: Callable[..., Analysis], **extra: object) -> Analyser:
    def run(mt: MigrationText, pg_major: int) -> Analysis:
        tree = parse_python(mt.text)
        return Analysis() if tree is None else analyse(mt, tree, pg_major=pg_major, **extra)

    return run


def _analysers(history: History) -> dict[str, Analyser]:
    return {
        "alembic": _python(analyse_alembic),
        "django": _python(analyse_django, history=history),
        "rails": rails.analyse_rails,
        "laravel": laravel_ef.analyse_laravel,
        "efcore": laravel_ef.analyse_efcore,
        "typeorm": js.analyse_typeorm,
        "sequelize": js.analyse_sequelize,
        "knex": js.analyse_knex,
        "liquibase": analyse_liquibase,
    }


def pg_major(version: str) -> int:
    """16 for "16", 9 for "9.6"; 16 when the setting is not a number."""
    head = version.strip().split(".")[0]
    return int(head) if head.isdigit() else 16


def collect(
    files: Sequence[FileDiff],
    reports: Sequence[FileReport],
    config: ChecksConfig,
    *,
    source: ContentSource | None = None,
    runner: Runner = subprocess_runner,
    squawk_binary: str | None = None,
) -> MigrationReport:
    """Analyse every migration among the files; squawk runs at most once, over all SQL."""
    by_path = {r.path: r for r in reports}
    chosen = [f for f in files if _is_candidate(f, by_path.get(f.path))]
    texts = [migration_text(f, source) for f in chosen]
    history = History(source, {mt.path: mt.text for mt in texts if mt.complete})
    analysers = _analysers(history)
    major = pg_major(config.postgres_version)
    # A schema dump (Rails structure.sql, schema.sql) mirrors the migrations beside it.
    has_migrations = any(not _SCHEMA_DUMP.search(f.path.lower()) for f in chosen)
    report = MigrationReport()
    snippets: list[SqlSnippet] = []
    new_tables: dict[str, set[str]] = {}
    for file, mt in zip(chosen, texts, strict=True):
        framework = detect_framework(file.path, mt.text)
        if framework in {"sql", "structure"}:
            if framework == "structure" and has_migrations:
                continue  # the migrations themselves are checked; the dump only mirrors them
            snippet = sql_file_snippet(mt, assume_in_transaction=config.assume_in_transaction)
            if snippet is not None:
                snippets.append(snippet)
            continue
        if framework in {"atlas", "drizzle"}:
            result = analyse_declarative(file, mt, source, framework or "")
        elif (analyse := analysers.get(framework or "")) is not None:
            result = analyse(mt, major)
        else:
            continue
        report.findings.extend(result.findings)
        snippets.extend(result.snippets)
        new_tables.setdefault(file.path, set()).update(result.new_tables)
    if snippets:
        _lint_sql(report, snippets, new_tables, config, runner, squawk_binary)
    return report


def _lint_sql(  # noqa: PLR0917 - one call site, all of it is the review's state
    report: MigrationReport,
    snippets: list[SqlSnippet],
    new_tables: dict[str, set[str]],
    config: ChecksConfig,
    runner: Runner,
    binary: str | None,
) -> None:
    """squawk over every snippet; statements it cannot read are read with patterns instead."""
    screened = [screen(s) for s in snippets]
    snippets = [clean for clean, _ in screened]
    unreadable: dict[str, list[SqlSnippet]] = {}
    for _, bad in screened:
        for piece in bad:
            unreadable.setdefault(piece.path, []).append(piece)
    ran = run_squawk(
        [(s.text, s.in_transaction) for s in snippets],
        pg_version=config.postgres_version,
        binary=binary or find_squawk(),
        runner=runner,
    )
    report.squawk_runs = ran.runs
    if ran.note:
        report.notes.append(ran.note)
    hits = list(ran.hits)
    broken = {h.index for h in hits if h.rule == "syntax-error"}
    if broken:
        snippets, hits = _reparse(report, snippets, hits, broken, config, runner, binary)
        for piece in report.unparsed:
            unreadable.setdefault(piece.path, []).append(piece)
    for pieces in unreadable.values():
        report.findings.extend(unparsed_findings(pieces))
    report.findings.extend(squawk_findings(snippets, hits, orm_new_tables=new_tables))


def _reparse(  # noqa: PLR0917 - one call site, all of it is the review's state
    report: MigrationReport,
    snippets: list[SqlSnippet],
    hits: list[SquawkHit],
    broken: set[int],
    config: ChecksConfig,
    runner: Runner,
    binary: str | None,
) -> tuple[list[SqlSnippet], list[SquawkHit]]:
    """Lint the statements of files squawk could not parse one by one (a second run, bounded:
    beyond the budget a file's statements are only read with patterns)."""
    kept = [s for i, s in enumerate(snippets) if i not in broken]
    index = {old: new for new, old in enumerate(i for i in range(len(snippets)) if i not in broken)}
    out = [replace(h, index=index[h.index]) for h in hits if h.index in index]
    pieces: list[SqlSnippet] = []
    for i in sorted(broken):
        split = split_snippet(snippets[i])
        if len(pieces) + len(split) > _REPARSE_BUDGET or len(split) == 1:
            report.unparsed.extend(split)
        else:
            pieces.extend(split)
    if not pieces:
        return kept, out
    again = run_squawk(
        [(p.text, p.in_transaction) for p in pieces],
        pg_version=config.postgres_version,
        binary=binary or find_squawk(),
        runner=runner,
    )
    report.squawk_runs += again.runs
    bad = {h.index for h in again.hits if h.rule == "syntax-error"}
    report.unparsed.extend(p for i, p in enumerate(pieces) if i in bad)
    out += [replace(h, index=h.index + len(kept)) for h in again.hits if h.index not in bad]
    return kept + pieces, out


def check(
    files: Sequence[FileDiff],
    reports: Sequence[FileReport],
    config: ChecksConfig,
    *,
    source: ContentSource | None = None,
) -> list[Finding]:
    """Static migration-safety findings for the reviewed files (notes are not findings)."""
    return collect(files, reports, config, source=source).findings

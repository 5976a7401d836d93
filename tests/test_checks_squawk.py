"""Running squawk once over many snippets and reading its report back, with the real binary."""

from __future__ import annotations

from collections.abc import Sequence

from bot.checks.migrations.sql_sources import split_statements, statement_table
from bot.checks.migrations.squawk import find_squawk, parse_report, run_squawk, subprocess_runner


class Recorder:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str], cwd: str) -> str:
        self.calls.append(list(argv))
        return subprocess_runner(argv, cwd)


def test_one_invocation_for_all_snippets_with_positions_per_snippet() -> None:
    """Each snippet is its own file in one run; lines come back 0-based per snippet, with the
    BEGIN line added for in-transaction snippets already subtracted."""
    runner = Recorder()
    report = run_squawk(
        [
            ("SELECT 1;\nALTER TABLE orders DROP COLUMN a;\n", False),
            ("ALTER TABLE orders DROP COLUMN b", True),
        ],
        pg_version="16",
        binary=find_squawk(),
        runner=runner,
    )
    assert len(runner.calls) == 1 and report.runs == 1 and report.note is None
    drops = {(h.index, h.line) for h in report.hits if h.rule == "ban-drop-column"}
    assert drops == {(0, 1), (1, 0)}
    assert not any(h.rule == "syntax-error" for h in report.hits)


def test_missing_binary_is_a_note_and_no_run() -> None:
    """Without squawk nothing is linted and the reason is given."""
    runner = Recorder()
    report = run_squawk([("SELECT 1;", False)], pg_version="16", binary=None, runner=runner)
    assert runner.calls == [] and report.hits == [] and "not installed" in (report.note or "")


def test_binary_that_fails_is_a_note() -> None:
    """A squawk that exits with an error gives a note with its first stderr line."""
    report = run_squawk([("SELECT 1;", False)], pg_version="16", binary="/bin/false")
    assert report.hits == [] and "squawk failed" in (report.note or "")


def test_unreadable_report_is_a_note() -> None:
    """Output that is not squawk's JSON list is reported, not raised."""

    def garbage(argv: Sequence[str], cwd: str) -> str:
        return "{not json"

    report = run_squawk([("SELECT 1;", False)], pg_version="16", binary="squawk", runner=garbage)
    assert report.hits == [] and "unreadable" in (report.note or "")


def test_parse_report_ignores_files_that_are_not_ours() -> None:
    """Entries for unknown files are skipped; known ones keep rule, message and help."""
    out = (
        '[{"file": "0.sql", "line": 2, "rule_name": "ban-drop-table", "message": "m", '
        '"help": null}, {"file": "x.sql", "line": 0, "rule_name": "r", "message": "", "help": ""}]'
    )
    hits = parse_report(out, [True])
    assert [(h.index, h.line, h.rule, h.help) for h in hits] == [(0, 1, "ban-drop-table", None)]


def test_statements_split_around_quotes_comments_and_dollar_bodies() -> None:
    """Semicolons inside strings, comments and $$ bodies do not end a statement."""
    sql = (
        "INSERT INTO t VALUES ('a;b'); -- x;y\n"
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nSELECT 2"
    )
    assert len(split_statements(sql)) == 3


def test_statement_targets_are_normalised() -> None:
    """Quoted and schema-qualified names compare equal to the plain table name."""
    assert statement_table('ALTER TABLE ONLY "public"."Orders" ADD x int') == ("alter", "orders")
    assert statement_table('CREATE UNIQUE INDEX "i" ON "User"("email")') == ("index", "user")
    assert statement_table("-- c\nCREATE TABLE IF NOT EXISTS a.b (x int)") == ("create", "b")

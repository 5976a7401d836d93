"""Run squawk once per review over every SQL snippet, and read its JSON report.

The `squawk-cli` wheel installs the `squawk` binary into the environment's scripts
directory (next to the Python executable), which is not always on PATH. Each snippet goes
to its own numbered file in one temporary directory, and all files go to one invocation.
The runner is a plain argument so that tests can count invocations without patching.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.checks.migrations.sql_sources import split_statements

# argv and working directory in, squawk's stdout out; raises OSError or SquawkFailed.
Runner = Callable[[Sequence[str], str], str]

BEGIN_LINES = 1  # a snippet run inside a transaction is preceded by one `BEGIN;` line
_VERSION = re.compile(r"^\d+(\.\d+){0,2}$")
_TIMEOUT_S = 120


class SquawkFailed(Exception):
    """squawk ran but did not produce a report."""


@dataclass(frozen=True, slots=True)
class SquawkHit:
    index: int  # which snippet
    line: int  # 0-based line in the snippet text (the BEGIN line already subtracted)
    rule: str
    message: str
    help: str | None


@dataclass(frozen=True)
class SquawkReport:
    hits: list[SquawkHit]
    note: str | None = None  # why SQL was not linted, when it was not
    runs: int = 0


def find_squawk() -> str | None:
    """The squawk binary: on PATH, next to this Python, or in this environment's scripts."""
    names = ("squawk.exe", "squawk") if os.name == "nt" else ("squawk",)
    found = shutil.which("squawk")
    if found:
        return found
    dirs = [Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))]
    for folder in dirs:
        for name in names:
            candidate = folder / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return None


def subprocess_runner(argv: Sequence[str], cwd: str) -> str:
    """Run squawk; exit 0 (clean) and 1 (violations) both carry a JSON report."""
    proc = subprocess.run(  # argv: our binary and our temp file names
        list(argv), cwd=cwd, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
    )
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not proc.stdout.strip()):
        tail = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[0]
        raise SquawkFailed(tail)
    return proc.stdout


def run_squawk(
    texts: Sequence[tuple[str, bool]],
    *,
    pg_version: str,
    binary: str | None,
    runner: Runner = subprocess_runner,
) -> SquawkReport:
    """Lint (sql, in_transaction) pairs in one squawk process; never raises."""
    if not texts:
        return SquawkReport([])
    if binary is None:
        return SquawkReport([], "squawk is not installed: SQL migrations were not linted")
    if not _VERSION.match(pg_version.strip()):
        return SquawkReport([], f"postgres_version {pg_version!r} is not a version number")
    with tempfile.TemporaryDirectory(prefix="backend-review-squawk-") as folder:
        names = []
        for i, (sql, in_tx) in enumerate(texts):
            body = f"BEGIN;\n{_terminated(sql)}\nCOMMIT;\n" if in_tx else sql + "\n"
            Path(folder, f"{i}.sql").write_text(body, encoding="utf-8")
            names.append(f"{i}.sql")
        # An empty configuration keeps any .squawk.toml around the working tree out of it.
        Path(folder, "squawk.toml").write_text("", encoding="utf-8")
        argv = [binary, "--reporter", "json", "--pg-version", pg_version.strip()]
        argv += ["--config", "squawk.toml", "--no-assume-in-transaction", *names]
        try:
            out = runner(argv, folder)
        except (OSError, subprocess.SubprocessError, SquawkFailed) as exc:
            return SquawkReport([], f"squawk failed, SQL migrations were not linted: {exc}", 1)
    try:
        return SquawkReport(parse_report(out, [in_tx for _, in_tx in texts]), None, 1)
    except ValueError as exc:
        return SquawkReport([], f"squawk's report was unreadable: {exc}", 1)


def _terminated(sql: str) -> str:
    """End the last statement, so that the COMMIT we append is not swallowed by it."""
    pieces = split_statements(sql)
    if pieces and not sql[pieces[-1][0] : pieces[-1][1]].rstrip().endswith(";"):
        return sql + "\n;"
    return sql


def parse_report(out: str, in_transaction: Sequence[bool]) -> list[SquawkHit]:
    """squawk's JSON reporter: a list of {file, line (0-based), rule_name, message, help}."""
    data = json.loads(out or "[]")
    if not isinstance(data, list):
        raise ValueError("expected a JSON list")
    hits = []
    for item in data:
        if not isinstance(item, dict):
            raise ValueError("expected JSON objects")
        name = str(item.get("file", "")).rsplit("/", 1)[-1]
        stem = name.removesuffix(".sql")
        if not stem.isdigit() or int(stem) >= len(in_transaction):
            continue
        index = int(stem)
        line = int(item.get("line", 0)) - (BEGIN_LINES if in_transaction[index] else 0)
        help_text = item.get("help")
        hits.append(
            SquawkHit(
                index=index,
                line=line,
                rule=str(item.get("rule_name", "")),
                message=str(item.get("message", "")),
                help=str(help_text) if help_text else None,
            )
        )
    return hits

"""The checks' fast paths (first looks that skip work) find exactly what the plain scans find."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.checks.contracts import handler_params as params_mod
from bot.checks.contracts import routes as routes_mod
from bot.checks.migrations.sql_sources import (
    _MYSQL,
    line_starts,
    looks_like_mysql,
    split_statements,
)
from bot.checks.migrations.text import SqlSnippet
from bot.checks.migrations.unparsed_sql import _starts_like_sql, screen, split_snippet
from bot.models import FileDiff
from tests.test_checks_contracts import make_diff, sample

SAMPLES = {
    "app/routes.py": sample("routes/fastapi_orders.py"),
    "app/flask_app.py": sample("routes/flask_app.py"),
    "shop/urls.py": sample("routes/urls.py"),
    "config/routes.rb": sample("routes/routes.rb"),
    "src/routes.js": sample("routes/express_routes.js"),
}


def _plain_routes_in(file: FileDiff, kind: str) -> Iterator[routes_mod.Route]:
    """`_routes_in` without its first looks: every line of every hunk."""
    found = routes_mod._patterns(file.path)
    if found is None:
        return
    hint, patterns = found
    for h_index, hunk in enumerate(file.hunks):
        view = [ln for ln in hunk.lines if ln.kind in (kind, " ")]
        for i, line in enumerate(view):
            if not any(h in line.text for h in hint):
                continue
            text, taken = routes_mod._statement(view, i)
            changed = next((ln for ln in taken if ln.kind == kind), None)
            if changed is None:
                continue
            for route in routes_mod._match(patterns, text):
                deprecated = routes_mod._DEPRECATED.search(text) is not None
                yield routes_mod.Route(*route, changed, file, h_index, deprecated)


def _key(routes: Iterator[routes_mod.Route]) -> list[tuple[object, ...]]:
    return [(r.method, r.path, r.line, r.hunk, r.deprecated) for r in routes]


def _edits(text: str) -> Iterator[str]:
    """The text with each line dropped, and with each line changed."""
    lines = text.splitlines()
    for i in range(len(lines)):
        yield "\n".join(lines[:i] + lines[i + 1 :])
        yield "\n".join([*lines[:i], lines[i] + "  # x", *lines[i + 1 :]])


def _diffs() -> Iterator[FileDiff]:
    for path, text in SAMPLES.items():
        for new in _edits(text):
            for context in (0, 1, 3):
                yield make_diff(path, text, new, context=context)
                yield make_diff(path, new, text, context=context)
    # A call opened on a context line and continued on a changed one.
    old = (
        'router = APIRouter()\n\n@router.get(\n    "/orders/{id}",\n)\n'
        "def f(\n    order_id: int,\n): ...\n"
    )
    new = old.replace('"/orders/{id}"', '"/orders/{order_id}"')
    yield make_diff("app/multi.py", old, new, context=3)
    yield make_diff("app/multi.py", new, old, context=3)
    params = old.replace("order_id: int,", "order_id: int,\n    q: str,")
    yield make_diff("app/multi.py", old, params, context=8)
    yield make_diff("app/multi.py", params, old, context=8)


def test_routes_first_looks_find_what_the_plain_scan_finds() -> None:
    checked = 0
    for file in _diffs():
        for kind in "-+":
            expected = _key(_plain_routes_in(file, kind))
            assert _key(routes_mod._routes_in(file, kind)) == expected, (file.path, kind)
            checked += len(expected)
    assert checked > 100  # the edits do reach route declarations


_SQL = [
    "ALTER TABLE t ADD COLUMN c int;\nx\nCREATE INDEX i ON t (c);\n{{ template }};\nDROP TABLE u;",
    "\\set ON_ERROR_STOP\nSELECT 1;\n\\c other\nnot sql at all;\n-- only a comment;\n",
    "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n",
    "oops;\noops again;\n\n   ;\nUPDATE t SET c = 1;\ntrailing words",
]


def _plain_screen(snip: SqlSnippet) -> str:
    """The blanking of `screen` as a plain rebuild per statement."""
    text = snip.text
    if "\\" in text:
        text = re.sub(r"^[ \t]*\\[^\n]*$", lambda m: " " * len(m.group(0)), text, flags=re.M)
    spans = [(b, e) for b, e in split_statements(text) if not _starts_like_sql(text, b, e)]
    for begin, end in reversed(spans):
        text = text[:begin] + re.sub(r"[^\n]", " ", text[begin:end]) + text[end:]
    return text


@pytest.mark.parametrize("text", _SQL)
def test_screen_blanks_what_a_plain_rebuild_blanks(text: str) -> None:
    count = text.count("\n") + 1
    snip = SqlSnippet("m.sql", text, tuple(range(1, count + 1)), frozenset(), True, "sql")
    cleaned, _bad = screen(snip)
    assert cleaned.text == _plain_screen(snip)
    assert len(cleaned.text) == len(text)


@pytest.mark.parametrize(
    "text",
    [
        "CREATE TABLE t (id int) ENGINE=InnoDB;",
        "create table t (id int) engine = innodb;",
        "id INT AUTO_INCREMENT PRIMARY KEY",
        "n int unsigned",
        "CREATE TABLE engines (id int);",  # the word, but not the pattern
        "ALTER TABLE t ADD COLUMN unsignedness int;",
        "SELECT 1;",
        "n int un\u017figned",  # long s: matches `S` case-insensitively, not in lower()
        "CREATE TABLE t (id int) EN\u0131GINE=x;",
        "x \u212aEY int; n int uns\u0130gned",
        "",
    ],
)
def test_mysql_first_look_agrees_with_the_pattern(text: str) -> None:
    assert looks_like_mysql(text) == ("`" in text or bool(_MYSQL.search(text)))


def _plain_route_defs(file: FileDiff, kind: str) -> dict[str, tuple[str, object, str]]:
    """`_route_defs` without its first looks."""
    out: dict[str, tuple[str, object, str]] = {}
    for hunk in file.hunks:
        view = [ln for ln in hunk.lines if ln.kind in (kind, " ")]
        for i, line in enumerate(view):
            m = params_mod._DEF.match(line.text)
            if m is None:
                continue
            text, taken = routes_mod._statement(view, i)
            changed = next((ln for ln in taken if ln.kind == kind), None)
            above = " ".join(ln.text for ln in view[max(0, i - 6) : i])
            route = params_mod._ROUTE_DECORATOR.search(above)
            if changed is not None and route is not None:
                out[m.group(2)] = (text, changed, route.group("path"))
    return out


def test_handler_signatures_first_looks_find_what_the_plain_scan_finds() -> None:
    checked = 0
    for file in _diffs():
        if file.path.endswith(".py"):
            for kind in "-+":
                expected = _plain_route_defs(file, kind)
                assert params_mod._route_defs(file, kind) == expected, (file.path, kind)
                checked += len(expected)
    assert checked > 20


@pytest.mark.parametrize("text", ["", "a", "\n", "a\nbb\n", "\n\nx\n\n", "é\r\nü\nz", *_SQL])
def test_line_starts_are_the_offsets_after_each_newline(text: str) -> None:
    assert line_starts(text) == [0, *(m.end() for m in re.finditer("\n", text))]


@pytest.mark.parametrize("text", _SQL)
def test_split_pieces_are_the_snippet_with_its_own_text_and_lines(text: str) -> None:
    count = text.count("\n") + 1
    snip = SqlSnippet("m.sql", text, tuple(range(10, 10 + count)), frozenset({10}), False, "x", 3)
    starts = line_starts(text)
    for piece in split_snippet(snip):
        first = bisect.bisect_right(starts, text.index(piece.text)) - 1
        lines = snip.lines[first : first + piece.text.count("\n") + 1]
        assert piece == replace(snip, text=piece.text, lines=lines)

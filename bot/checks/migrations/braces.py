"""Scanning helpers for brace languages (PHP, C#, JavaScript/TypeScript) migrations.

Just enough structure for migrations: skip the `down` method, find calls and their
argument text by bracket matching (strings and comments skipped), map offsets to lines,
and pull string literals out as SQL for squawk.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.checks.migrations.sql_sources import embedded_snippet, line_starts
from bot.checks.migrations.text import Analysis, MigrationText

_SKIP = re.compile(
    r"//[^\n]*|#[^\n]*|/\*.*?\*/|@\"(?:[^\"]|\"\")*\"|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'"
    r"|`(?:[^`\\]|\\.)*`",
    re.DOTALL,
)
_OPEN = {"(": ")", "{": "}", "[": "]"}
_STRING = re.compile(
    r"@\"((?:[^\"]|\"\")*)\"|\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'|`((?:[^`\\]|\\.)*)`",
    re.DOTALL,
)


@dataclass(frozen=True)
class Call:
    name: str
    start: int  # offset of the call's first character
    args: str  # text between the parentheses
    args_start: int
    line: int  # 1-based line of the call
    tail: str  # what follows the call up to the end of the statement (chained calls)


class Source:
    """A migration's text with the down direction blanked out, and offset -> line lookup."""

    def __init__(self, mt: MigrationText, down: re.Pattern[str]) -> None:
        self.mt = mt
        self.text = _blank(mt.text, down_regions(mt.text, down))
        self._starts = line_starts(mt.text)

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)

    def calls(self, pattern: re.Pattern[str]) -> Iterator[Call]:
        """Calls whose name `pattern` matches up to (and including) the opening parenthesis."""
        for m in pattern.finditer(self.text):
            open_at = m.end() - 1
            close = matching(self.text, open_at)
            args = self.text[open_at + 1 : close]
            end = self.text.find(";", close)
            tail = self.text[close + 1 : end if end >= 0 else len(self.text)]
            yield Call(m.group(1), m.start(), args, open_at + 1, self.line(m.start()), tail)


def matching(text: str, open_at: int) -> int:
    """Offset of the bracket closing the one at open_at (or the end of the text)."""
    stack = [_OPEN[text[open_at]]]
    i = open_at + 1
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "/\"'`#@":
            m = _SKIP.match(text, i)
            if m:
                i = m.end()
                continue
        if ch in _OPEN:
            stack.append(_OPEN[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
            if not stack:
                return i
        i += 1
    return n


def down_regions(text: str, down: re.Pattern[str]) -> list[tuple[int, int]]:
    """The bodies of the down method(s): from the match to its closing brace."""
    out = []
    for m in down.finditer(text):
        brace = text.find("{", m.end())
        arrow = text.find("=>", m.end())
        if brace < 0:
            continue
        if 0 <= arrow < brace and text[arrow + 2 : brace].strip():
            end = text.find(";", arrow)
            out.append((m.start(), end if end >= 0 else len(text)))
        else:
            out.append((m.start(), matching(text, brace)))
    return out


def _blank(text: str, regions: list[tuple[int, int]]) -> str:
    if not regions:
        return text
    chars = list(text)
    for start, end in regions:
        for i in range(start, min(end + 1, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def unescape(groups: tuple[str | None, ...]) -> str:
    verbatim, double, single, template = groups
    if verbatim is not None:
        return verbatim.replace('""', '"')
    body = next(g for g in (double, single, template) if g is not None)
    return body.replace("\\'", "'").replace('\\"', '"').replace("\\n", "\n")


def first_string(src: Source, call: Call) -> tuple[int, str] | None:
    """(offset, value) of the first string literal in a call's arguments."""
    m = _STRING.search(call.args)
    if not m or "${" in m.group(0):
        return None
    return call.args_start + m.start() + 1, unescape(m.groups())


def add_sql(
    out: Analysis, src: Source, call: Call, *, in_transaction: bool, framework: str
) -> str | None:
    """Queue the call's first string argument for squawk; return it."""
    found = first_string(src, call)
    if found is None:
        return None
    offset, sql = found
    first = src.line(offset)
    snippet = embedded_snippet(
        src.mt.path,
        sql,
        first_line=first,
        last_line=first + sql.count("\n"),
        added=src.mt.added,
        in_transaction=in_transaction,
        framework=framework,
        anchor=call.line,
    )
    if snippet is not None:
        out.snippets.append(snippet)
    return sql


def named(args: str, name: str) -> str | None:
    """A C#-style named argument's string value: `table: "Orders"` -> "Orders"."""
    m = re.search(rf"\b{name}\s*:\s*\"([^\"]*)\"", args)
    return m.group(1) if m else None


def summary(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 160 else flat[:157] + "..."

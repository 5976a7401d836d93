"""One-line parameterised replacements for injectable calls found by patterns.

Offered only where the safe form is a faithful edit of the same line: Prisma's tagged
`$queryRaw` for `$queryRawUnsafe`, EF Core's `...Interpolated` methods for `...Raw` with an
interpolated string (they turn each hole into a parameter), and ActiveRecord's `?` bind
values for `where("... #{value}")`. Anything else gets an explanation, not a guess.
"""

from __future__ import annotations

import re

from bot.checks.queries.text import HunkText, Literal

_PRISMA = {"$queryRawUnsafe": "$queryRaw", "$executeRawUnsafe": "$executeRaw"}
_EF = {
    "FromSqlRaw": "FromSqlInterpolated",
    "ExecuteSqlRaw": "ExecuteSqlInterpolated",
    "ExecuteSqlRawAsync": "ExecuteSqlInterpolatedAsync",
}
_RUBY_BINDABLE = frozenset({"where", "not", "having", "find_by"})
_JS_HOLE = re.compile(r"\$\{[^{}]*\}")
_CS_HOLE = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")
_RUBY_HOLE = re.compile(r"#\{([^{}]*)\}")
_VALUE_BEFORE = re.compile(r"(=|<|>|\bLIKE|\bILIKE|\bLIMIT|\bOFFSET)\s*$", re.IGNORECASE)


def suggestion_for(
    text: str, hunk: HunkText, call: re.Match[str], lit: Literal, *, name: str, language: str
) -> str | None:
    """The call's whole line rewritten with bound parameters, or None."""
    line_start = text.rfind("\n", 0, call.start()) + 1
    line_end = text.find("\n", call.start())
    line_end = len(text) if line_end < 0 else line_end
    name_at = text.rfind(name, line_start, lit.open) - line_start
    if lit.end > line_end or "\n" in lit.raw or name_at < 0:
        return None
    line = text[line_start:line_end]
    start, end = lit.open - line_start, lit.end - line_start
    close = re.match(r"\s*\)", line[end:])
    if language == "js" and name in _PRISMA and lit.raw.startswith("`") and close:
        raw = _unquote_holes(lit.raw, _JS_HOLE)
        tail = line[end + close.end() :]
        return None if raw is None else line[:name_at] + _PRISMA[name] + raw + tail
    if language == "csharp" and name in _EF and lit.raw.startswith("$"):
        raw = _unquote_holes(lit.raw, _CS_HOLE)
        head = line[:name_at] + _EF[name] + line[name_at + len(name) : start]
        return None if raw is None else head + raw + line[end:]
    if language == "ruby" and name in _RUBY_BINDABLE and lit.raw.startswith('"') and close:
        bound = _ruby_binds(lit.raw[1:-1])
        if bound is None:
            return None
        sql, values = bound
        return f'{line[:start]}"{sql}", {", ".join(values)}){line[end + close.end() :]}'
    return None


def _unquote_holes(raw: str, hole: re.Pattern[str]) -> str | None:
    """`'{x}'` -> `{x}` (the parameter brings its own quoting); None if a hole stays quoted."""
    out = re.sub("'(" + hole.pattern + ")'", r"\1", raw)
    for m in hole.finditer(out):
        if out[: m.start()].count("'") % 2 == 1:
            return None  # part of a larger literal ('%{q}%'): the pattern must be built in code
    return out


def _ruby_binds(body: str) -> tuple[str, list[str]] | None:
    """`name = '#{x}' AND n LIKE '%#{q}%'` -> (`name = ? AND n LIKE ?`, [`x`, `"%#{q}%"`])."""
    sql: list[str] = []
    values: list[str] = []
    pos = 0
    for hole in _RUBY_HOLE.finditer(body):
        before = body[pos : hole.start()]
        pos = hole.end()
        prefix = "".join(sql) + before
        if prefix.count("'") % 2 == 1:
            quote = prefix.rfind("'")
            close = body.find("'", pos)
            if close < 0 or "#{" in body[pos:close]:
                return None
            inner = prefix[quote + 1 :] + hole.group(0) + body[pos:close]
            simple = inner == hole.group(0)
            values.append(hole.group(1).strip() if simple else f'"{inner}"')
            sql = [prefix[:quote], "?"]
            pos = close + 1
        elif _VALUE_BEFORE.search(prefix):
            values.append(hole.group(1).strip())
            sql = [prefix, "?"]
        else:
            return None  # an identifier or a clause: it cannot be a bound value
    sql.append(body[pos:])
    return "".join(sql), values

"""Query risks in JavaScript/TypeScript, Go, Ruby, Java/Kotlin, PHP and C#, by patterns.

No parser per language: call names that only database code uses, string literals with their
interpolations, and loop bodies found by bracket matching (indentation for Ruby). Each hunk's
new-side text is scanned whole so that multi-line calls and literals are seen.
"""

from __future__ import annotations

import re

from bot.checks.queries.common import (
    Hit,
    has_any,
    has_sql,
    looks_like_sql,
    mentions_sql,
    new_side_text,
    sql_hits,
)
from bot.checks.queries.patfix import suggestion_for
from bot.checks.queries.pattern_rules import RULES, LanguageRules
from bot.checks.queries.text import HunkText, Literal, hunks_of, literals, matching
from bot.models import FileDiff, Severity

# Values read straight from the request: these make an injection critical.
_REQUEST = re.compile(
    r"\b(req|request|params|query|body|ctx\.params|ctx\.query|ctx\.request)\b[.\[]|"
    r"\$_(GET|POST|REQUEST|COOKIE)\b|\bparams\[|\br\.(URL|Form|PostForm)\b|\.FormValue\(|"
    r"\bc\.(Param|Query|PostForm)\(|\[FromQuery\]|Request\.Query"
)
_FRAGMENT_CALLS = frozenset(
    {
        "where",
        "not",
        "order",
        "reorder",
        "having",
        "joins",
        "group",
        "pluck",
        "from",
        "lock",
        "whereRaw",
        "orWhereRaw",
        "havingRaw",
        "orderByRaw",
        "joinRaw",
        "selectRaw",
        "fromRaw",
        "Where",
        "Or",
        "Not",
        "Order",
        "Having",
        "Joins",
        "Group",
        "Select",
    }
)  # fmt: skip  (these take SQL fragments: no statement keyword needed)
_WRAPPER = re.compile(r"(?:fmt\.Sprintf|String\.format)\s*\(\s*")
_IDENT_ARG = re.compile(r"(\$?[A-Za-z_]\w*)\s*[,)]")
_INTERP = re.compile(r"\$\{([^}]*)\}|#\{([^}]*)\}|\{(\$[^}]*)\}|(\$[A-Za-z_]\w*(?:->\w+)*)")
_CS_INTERP = re.compile(r"(?<!\{)\{([^{}$\"]+)\}(?!\})")
_CONCAT_AFTER = re.compile(r"\s*(?:\+|\.)\s*([^\s;,)+]+)")
_WHILE = re.compile(r"\bwhile\b|\buntil\b|\bloop\b")
_BATCH = re.compile(r"limit|take|batch|Limit|Take", re.IGNORECASE)


_COMMENT_START = ("//", "/*", "*", "#")


def _in_comment(text: str, pos: int) -> bool:
    """Whether `pos` follows a line comment marker on its line (a doc comment's `Array.find()`)."""
    prefix = text[text.rfind("\n", 0, pos) + 1 : pos]
    return prefix.lstrip().startswith(_COMMENT_START) or " //" in prefix or "\t//" in prefix


def scan_patterns(file: FileDiff, language: str, *, api: bool) -> list[Hit]:
    """Every hit in the file's hunks (the caller keeps those on added lines)."""
    rules = RULES.get(language)
    if rules is None:
        return []
    text = new_side_text(file)
    calls = has_any(text, rules.call_anchors) and bool(rules.query_call.search(text))
    sql = has_sql(text)
    loops_seen = (
        has_any(text, rules.loop_anchors)
        and has_any(text, rules.db_anchors)
        and bool(rules.loop.search(text))
        and bool(rules.db_call.search(text))
    )
    lists = (
        api
        and rules.list_call is not None
        and has_any(text, rules.list_anchors)
        and bool(rules.list_call.search(text))
    )
    if not (calls or sql or loops_seen or lists):
        return []
    kotlin = file.path.endswith(".kt")
    hits: list[Hit] = []
    for hunk in hunks_of(file):
        lits = literals(hunk, language, kotlin=kotlin) if calls or sql else []
        if calls:
            by_open = {lit.open: lit for lit in lits}
            hits.extend(_injections(hunk, by_open, rules, language))
        loops = _loop_bodies(hunk.text, rules, language) if loops_seen or lists else []
        if loops_seen:
            hits.extend(_n_plus_one(hunk, loops, rules))
        if lists:
            hits.extend(_unbounded(hunk, rules, loops))
        if sql:
            hits.extend(_sql_literals(hunk, lits, rules))
    return hits


# --- injection ------------------------------------------------------------------------------


def _injections(
    hunk: HunkText, by_open: dict[int, Literal], rules: LanguageRules, language: str
) -> list[Hit]:
    text = hunk.text
    out: list[Hit] = []
    for m in rules.query_call.finditer(text):
        if _in_comment(text, m.start()):
            continue
        name = next((g for g in m.groups() if g), "CommandText")
        arg = m.end()
        wrapper = _WRAPPER.match(text, arg)
        lit = by_open.get(wrapper.end() if wrapper else arg)
        origin = lit
        if origin is None:
            ident = _IDENT_ARG.match(text, arg)
            found = _assigned(text, ident.group(1), m.start(), by_open) if ident else None
            if found is None:
                continue
            origin = found
        values = _unsafe_values(text, origin, rules, language)
        if not values or not (mentions_sql(origin.text) or name in _FRAGMENT_CALLS):
            continue
        line = hunk.line_at(origin.open)
        call_line = hunk.line_at(m.start())
        severity: Severity | None = None
        if any(_REQUEST.search(v) for v in values):
            severity = "critical"
        interpolated = _INTERP.search(origin.raw) or origin.raw.startswith("$")
        how = "string interpolation" if interpolated else "string concatenation"
        if wrapper or re.search(
            r"(Sprintf|format)\(\s*$", text[max(0, origin.open - 20) : origin.open]
        ):
            how = "a format call"
        note = f"Spliced in: `{'`, `'.join(v.strip() for v in values[:3])}`."
        if origin is not lit:
            note += f" The string is built on line {line} and run on line {call_line}."
        fix = None
        if lit is not None and origin is lit and not wrapper:
            fix = suggestion_for(text, hunk, m, lit, name=name, language=language)
        lines = (line, call_line)
        hit = Hit("sql-injection", line, how, severity, note, fix, fallback_lines=lines)
        out.append(hit)
    return out


def _assigned(text: str, var: str, before: int, by_open: dict[int, Literal]) -> Literal | None:
    """The dynamic literal assigned to `var` earlier in the hunk, if any."""
    target = re.escape(var)
    pattern = re.compile(rf"(?<![\w$]){target}\s*(?::=|\+=|=(?!=))\s*")
    found: Literal | None = None
    for m in pattern.finditer(text, 0, before):
        wrapper = _WRAPPER.match(text, m.end())
        lit = by_open.get(wrapper.end() if wrapper else m.end())
        if lit is not None and (lit.dynamic or wrapper):
            found = lit
    return found


def _unsafe_values(text: str, lit: Literal, rules: LanguageRules, language: str) -> list[str]:
    """Interpolated or concatenated expressions that may carry outside data."""
    values: list[str] = []
    if lit.dynamic:
        holes = _CS_INTERP if language == "csharp" and lit.raw.startswith("$") else _INTERP
        for m in holes.finditer(lit.raw):
            values.append(next(g for g in m.groups() if g is not None))
        tail = _CONCAT_AFTER.match(text, lit.end)
        if tail and not tail.group(1).startswith(("'", '"', "`")):
            values.append(tail.group(1))
        head = re.search(r"([\w$.\])]+)\s*(?:\+|\.)\s*$", text[max(0, lit.open - 60) : lit.open])
        if head and not head.group(1).endswith(("'", '"')):
            values.append(head.group(1))
    wrapper_args = re.match(r"\s*,\s*([^;\n]*)", text[lit.end : lit.end + 200])
    if wrapper_args and re.search(r"%[-+ #0-9.]*[svqx]", lit.raw):
        values.extend(a for a in wrapper_args.group(1).rstrip(")").split(",") if a.strip())
    return [v for v in values if v.strip() and not rules.safe_value.search(v)]


# --- N+1 ------------------------------------------------------------------------------------


def _loop_body(text: str, m: re.Match[str], language: str) -> tuple[int, int] | None:
    opener = m.group("open") if "open" in m.re.groupindex else None
    if opener:
        start = m.start("open")
        return start, matching(text, start)
    if language == "ruby":
        return _indented_body(text, m.start())
    # `for (...)` / `while (...)`: skip the header's parentheses, then the block or statement
    paren = text.rfind("(", m.start(), m.end())
    if paren < 0:
        return None
    after = matching(text, paren)
    rest = re.match(r"\s*", text[after:])
    start = after + (rest.end() if rest else 0)
    if start < len(text) and text[start] == "{":
        return start, matching(text, start)
    end = text.find("\n", start)
    return start, len(text) if end < 0 else end


def _indented_body(text: str, start: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    indent = len(text[line_start:]) - len(text[line_start:].lstrip(" \t"))
    body_start = text.find("\n", start)
    if body_start < 0:
        return start, len(text)
    pos = body_start + 1
    while pos < len(text):
        nl = text.find("\n", pos)
        line = text[pos : nl if nl >= 0 else len(text)]
        if line.strip() and len(line) - len(line.lstrip(" \t")) <= indent:
            break
        pos = len(text) if nl < 0 else nl + 1
    return body_start, pos


def _loop_bodies(text: str, rules: LanguageRules, language: str) -> list[tuple[int, int, bool]]:
    """(start, end, is a while/until loop) of every loop body in the text."""
    out: list[tuple[int, int, bool]] = []
    for m in rules.loop.finditer(text):
        body = _loop_body(text, m, language)
        if body is not None:
            out.append((body[0], body[1], bool(_WHILE.search(m.group(0)))))
    return out


def _n_plus_one(
    hunk: HunkText, loops: list[tuple[int, int, bool]], rules: LanguageRules
) -> list[Hit]:
    text = hunk.text
    out: list[Hit] = []
    for start, end, batch_loop in loops:
        for q in rules.db_call.finditer(text, start, end):
            if _in_comment(text, q.start()):
                continue
            line_start = text.rfind("\n", 0, q.start()) + 1
            line_end = text.find("\n", q.end())
            line_text = text[line_start : line_end if line_end >= 0 else len(text)]
            if batch_loop and _BATCH.search(line_text):
                continue  # a batch loop: one bounded query per batch is the point
            detail = q.group(0).rstrip("( <").strip()
            out.append(Hit("n-plus-one-query", hunk.line_at(q.start()), detail, fix=rules.n1_fix))
    return out


# --- unbounded lists and SQL literals -------------------------------------------------------


def _unbounded(
    hunk: HunkText, rules: LanguageRules, loops: list[tuple[int, int, bool]]
) -> list[Hit]:
    text = hunk.text
    out: list[Hit] = []
    pattern = rules.list_call
    for m in pattern.finditer(text) if pattern else ():
        if any(start <= m.start() < end for start, end, _ in loops) or _in_comment(text, m.start()):
            continue  # per-item lookups in a loop are the N+1 rule's business
        end = matching(text, m.end() - 1) if text[m.end() - 1] == "(" else m.end()
        window_start = text.rfind("\n", 0, m.start()) + 1
        while window_start > 0:  # a chain continued from the lines above
            above = text.rfind("\n", 0, window_start - 1) + 1
            prev = text[above : window_start - 1].rstrip()
            here = text[window_start : m.start()].lstrip()
            if not (here.startswith(".") or prev.endswith((".", "(", ",", "\\", "->"))):
                break
            window_start = above
        line_end = text.find("\n", end)
        window = text[window_start : line_end if line_end >= 0 else len(text)]
        if rules.bounded.search(window):
            continue
        statement = window.strip().splitlines()[-1].strip() if window.strip() else m.group(0)
        out.append(Hit("unbounded-query", hunk.line_at(m.start()), statement))
    return out


def _sql_literals(hunk: HunkText, lits: list[Literal], rules: LanguageRules) -> list[Hit]:
    out: list[Hit] = []
    text = hunk.text
    for lit in lits:
        window = text[max(0, lit.open - 80) : lit.open]
        call = rules.query_call.search(window)
        in_call = bool(call and call.end() == len(window)) or bool(
            re.search(r"(?i)(sql|query|stmt|statement)\w*\s*:?=\s*$", window)
        )
        if not looks_like_sql(lit.text, in_query_call=in_call):
            continue
        first, last = hunk.line_at(lit.start), hunk.line_at(max(lit.start, lit.end - 1))
        out.extend(sql_hits(lit.text, first_line=first, last_line=last, dynamic=lit.dynamic))
    return out

"""The parameterised form of an injectable Python query call, as a one-line suggestion.

Only produced when it is faithful: the call fits on one line, every spliced value sits where
a bound parameter may go (after a comparison, LIKE, LIMIT or OFFSET, or inside a quoted
literal, which becomes the parameter), and nothing else is passed to the call. Identifiers
(table or column names) cannot be parameters, so those calls get an explanation only.
"""

from __future__ import annotations

import ast
import re

from bot.checks.queries.pystrings import Built, Part

_VALUE_BEFORE = re.compile(r"(=|<|>|\bLIKE|\bILIKE|\bLIMIT|\bOFFSET)\s*$", re.IGNORECASE)
_IDENT_AFTER = re.compile(r"^[\w.]")
_MARK = "\x00{}\x00"


def parameterise(built: Built, *, style: str) -> tuple[str, list[tuple[str, str]]] | None:
    """SQL text with placeholders, and (name, Python source) of each bound value."""
    parts: list[Part] = list(built.parts)
    sql: list[str] = []
    params: list[tuple[str, str]] = []
    i = 0
    while i < len(parts):
        p = parts[i]
        if isinstance(p, str):
            sql.append(p)
            i += 1
            continue
        prefix = "".join(sql)
        if prefix.count("'") % 2 == 1:
            literal, i = _quoted(prefix, parts, i)
            if literal is None:
                return None
            sql = [prefix[: prefix.rfind("'")]]
        else:
            following = parts[i + 1] if i + 1 < len(parts) else ""
            if not _VALUE_BEFORE.search(prefix) or (
                isinstance(following, str) and _IDENT_AFTER.match(following)
            ):
                return None
            literal = [p]
            i += 1
        name = _name(literal, {n for n, _ in params}, len(params) + 1)
        params.append((name, _source(literal)))
        sql.append(_MARK.format(len(params)))
    text = "".join(sql)
    if style == "%s":
        text = text.replace("%", "%%")
    for n, (name, _) in enumerate(params, start=1):
        marker = {"%s": "%s", "?": "?", "$": f"${n}", ":": f":{name}"}[style]
        text = text.replace(_MARK.format(n), marker)
    return text, params


def _quoted(prefix: str, parts: list[Part], i: int) -> tuple[list[Part] | None, int]:
    """The quoted SQL literal around parts[i]: its pieces, and the index after it."""
    head = prefix[prefix.rfind("'") + 1 :]
    literal: list[Part] = [head] if head else []
    while i < len(parts):
        nxt = parts[i]
        if isinstance(nxt, str):
            k = nxt.find("'")
            if k >= 0:
                if k:
                    literal.append(nxt[:k])
                parts[i] = nxt[k + 1 :]
                return literal, i
        literal.append(nxt)
        i += 1
    return None, i


def _name(literal: list[Part], used: set[str], n: int) -> str:
    for p in literal:
        candidate = ""
        if isinstance(p, ast.Name):
            candidate = p.id
        elif isinstance(p, ast.Attribute):
            candidate = p.attr
        elif isinstance(p, ast.Subscript) and isinstance(p.slice, ast.Constant):
            candidate = str(p.slice.value)
        if candidate.isidentifier() and candidate not in used:
            return candidate
    return f"p{n}"


def _source(literal: list[Part]) -> str:
    if len(literal) == 1 and not isinstance(literal[0], str):
        return ast.unparse(literal[0])
    body = "".join(
        _escape(p).replace("{", "{{").replace("}", "}}")
        if isinstance(p, str)
        else "{" + ast.unparse(p) + "}"
        for p in literal
    )
    return f'f"{body}"'


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def py_str(text: str) -> str:
    return f'"{_escape(text)}"'


def _segment(line: str, node: ast.expr) -> str | None:
    if node.end_col_offset is None:
        return None
    raw = line.encode()
    return raw[node.col_offset : node.end_col_offset].decode(errors="replace")


def _replace(line: str, node: ast.expr, new: str) -> str | None:
    if node.end_col_offset is None:
        return None
    raw = line.encode()
    return (
        raw[: node.col_offset].decode(errors="replace")
        + new
        + raw[node.end_col_offset :].decode(errors="replace")
    )


def suggest(call: ast.Call, built: Built, *, line: str, style: str) -> str | None:
    """The whole new line with `call` parameterised, or None when no faithful form exists."""
    if call.lineno != call.end_lineno or not built.plain or call.keywords or len(call.args) != 1:
        return None
    func = _segment(line, call.func)
    name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
    if func is None:
        return None
    if name == "text":
        done = parameterise(built, style=":")
        if done is None:
            return None
        sql, params = done
        binds = ", ".join(f"{n}={src}" for n, src in params)
        return _replace(line, call, f"{func}({py_str(sql)}).bindparams({binds})")
    style = "%s" if name == "raw" else style
    done = parameterise(built, style=style)
    if done is None:
        return None
    sql, params = done
    values = [src for _, src in params]
    if name == "raw":
        args = f"[{', '.join(values)}]"
    elif style == "$":
        args = ", ".join(values)
    else:
        args = f"({values[0]},)" if len(values) == 1 else f"({', '.join(values)})"
    return _replace(line, call, f"{func}({py_str(sql)}, {args})")

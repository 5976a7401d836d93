"""Rails migration parsing: which lines of a migration run going forward, as statements.

A small line parser over `def change` / `def up`: `def down` and `dir.down` blocks are
dropped, and blocks are matched by indentation (`do` ... `end` at the same column), which is
how Rails generators and rubocop lay migrations out. Split from bot.checks.migrations.rails
so the hazard rules there read statements, not lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_DEF = re.compile(r"^(\s*)def\s+(?:self\.)?(up|down|change)\b")
_DO = re.compile(r"\bdo\s*(\|[^|]*\|)?\s*(#.*)?$")
_END = re.compile(r"^(\s*)end\b")
_DOWN_BLOCK = re.compile(r"^\s*\w+\.down\s+do\b")
_DOWN_INLINE = re.compile(r"^\s*\w+\.down\s*\{")
_REVERSIBLE = re.compile(r"^\s*(reversible|up_only)\b|^\s*\w+\.up\b")
_TABLE_BLOCK = re.compile(
    r"^\s*(create_table|change_table)\s*\(?\s*[:\"']?(\w+)[\"']?[^|]*\|\s*(\w+)\s*\|"
)
_CALL = re.compile(r"^\s*(?:(\w+)\.)?(\w+[!?]?)\b\s*\(?\s*(?:[:\"'](\w+)[\"']?)?")
_HEREDOC = re.compile(r"<<[~-]?(['\"]?)([A-Z_][A-Z0-9_]*)\1")
STRING = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'|%Q?\{([^}]*)\}", re.DOTALL)


@dataclass
class Stmt:
    line: int  # first line (1-based)
    text: str  # the statement's lines joined with "\n"
    receiver: str | None
    method: str
    table: str
    heredocs: list[tuple[int, str]] = field(default_factory=list)  # (first body line, body)


def _block_end(lines: list[str], start: int) -> int:
    """Index of the `end` closing the block opened on lines[start] (same indentation)."""
    indent = len(lines[start]) - len(lines[start].lstrip())
    for i in range(start + 1, len(lines)):
        m = _END.match(lines[i])
        if m and len(m.group(1)) == indent:
            return i
    return len(lines) - 1


def forward_lines(lines: list[str]) -> dict[int, str]:
    """0-based index -> kind ("change" / "up") of lines that run going forward."""
    keep: dict[int, str] = {}
    i = 0
    while i < len(lines):
        m = _DEF.match(lines[i])
        if not m:
            i += 1
            continue
        end = _block_end(lines, i)
        if m.group(2) != "down":
            for j in range(i + 1, end):
                keep[j] = m.group(2)
        i = end + 1
    for i, line in enumerate(lines):
        if i in keep and _DOWN_BLOCK.match(line):
            for j in range(i, _block_end(lines, i) + 1):
                keep.pop(j, None)
        elif i in keep and _DOWN_INLINE.match(line):
            keep.pop(i, None)
    return keep


def _blocks(
    lines: list[str], keep: dict[int, str]
) -> tuple[dict[int, tuple[str, str, str]], set[int]]:
    """Lines inside create_table/change_table blocks (kind, table, block variable), and
    lines inside reversible/up_only blocks."""
    tables: dict[int, tuple[str, str, str]] = {}
    reversible: set[int] = set()
    for i in sorted(keep):
        if m := _TABLE_BLOCK.match(lines[i]):
            for j in range(i + 1, _block_end(lines, i)):
                tables[j] = (m.group(1), m.group(2).lower(), m.group(3))
        if _REVERSIBLE.match(lines[i]) and _DO.search(lines[i]):
            reversible.update(range(i, _block_end(lines, i) + 1))
        elif _REVERSIBLE.match(lines[i]):
            reversible.add(i)
    return tables, reversible


def _gather(
    lines: list[str], i: int, keep: dict[int, str]
) -> tuple[str, list[tuple[int, str]], int]:
    """The statement starting on line i: its text, heredoc bodies, and its last line index."""
    text_lines = [lines[i]]
    heredocs: list[tuple[int, str]] = []
    j = i
    while True:
        for hd in _HEREDOC.finditer(lines[j]):
            k = j + 1
            while k < len(lines) and lines[k].strip() != hd.group(2):
                k += 1
            heredocs.append((j + 2, "\n".join(lines[j + 1 : k])))
            j = k
        joined = "\n".join(text_lines)
        if _balanced(joined) and not joined.rstrip().endswith((",", "\\")):
            return joined, heredocs, j
        j += 1
        if j >= len(lines) or j not in keep:
            return joined, heredocs, j - 1
        text_lines.append(lines[j])


def parse_statements(lines: list[str], keep: dict[int, str]) -> list[tuple[Stmt, str, bool]]:
    """(statement, method kind, inside a reversible/up block) for each forward statement."""
    tables, reversible = _blocks(lines, keep)
    out = []
    last = -1
    for i in sorted(keep):
        stripped = lines[i].strip()
        if i <= last or not stripped or stripped.startswith("#"):
            continue
        text, heredocs, last = _gather(lines, i, keep)
        stmt = _parse(i + 1, text, heredocs, tables.get(i))
        if stmt is not None:
            out.append((stmt, keep[i], i in reversible))
    return out


def _balanced(text: str) -> bool:
    text = STRING.sub("", text)
    return text.count("(") <= text.count(")") and text.count("[") <= text.count("]")


def _parse(
    line: int, text: str, heredocs: list[tuple[int, str]], block: tuple[str, str, str] | None
) -> Stmt | None:
    m = _CALL.match(text)
    if not m:
        return None
    receiver, method, table = m.group(1), m.group(2), (m.group(3) or "").lower()
    if block is not None and receiver == block[2]:
        if block[0] == "create_table":
            return None  # columns of a new table
        table = block[1]
    return Stmt(line, text, receiver, method, table, heredocs)

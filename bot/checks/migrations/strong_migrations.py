"""strong_migrations' `safety_assured { ... }`: the author's explicit opt-out, acknowledged.

Hazards inside the block are not reported as hazards (the author has said they are handled);
one `safety-assured` finding on the block's first line names what was assured, at `low` so
the comment says it (at `info` when nothing inside would have been flagged).
"""

from __future__ import annotations

import re

from bot.checks.migrations.rules import make_finding
from bot.checks.migrations.text import Analysis, MigrationText

_OPEN = re.compile(r"^(\s*)safety_assured\s*(do\b|\{)")
_END = re.compile(r"^\s*end\b")
_INLINE = re.compile(r"^(\s*)safety_assured\s*\{(.*)\}\s*$")


def unwrap_inline(line: str) -> str:
    """`safety_assured { remove_column ... }` read as the statement it wraps."""
    m = _INLINE.match(line)
    return f"{m.group(1)}{m.group(2).strip()}" if m else line


def assured_ranges(lines: list[str]) -> list[tuple[int, int]]:
    """1-based (first, last) lines of each `safety_assured` block."""
    out = []
    for i, line in enumerate(lines):
        m = _OPEN.match(line)
        if not m:
            continue
        if m.group(2) == "{":
            depth, j = 0, i
            for j in range(i, len(lines)):
                depth += lines[j].count("{") - lines[j].count("}")
                if depth <= 0:
                    break
            out.append((i + 1, j + 1))
            continue
        if m.group(2) == "do" and line.rstrip().endswith(" end"):
            out.append((i + 1, i + 1))
            continue
        indent = len(m.group(1))
        end = next(
            (
                j
                for j in range(i + 1, len(lines))
                if _END.match(lines[j]) and len(lines[j]) - len(lines[j].lstrip()) == indent
            ),
            len(lines) - 1,
        )
        out.append((i + 1, end + 1))
    return out


def apply_assured(mt: MigrationText, out: Analysis) -> None:
    """Drop findings and SQL inside safety_assured blocks; acknowledge each block once."""
    ranges = assured_ranges(mt.lines)
    if not ranges:
        return

    def inside(line: int | None) -> tuple[int, int] | None:
        return next((r for r in ranges if line is not None and r[0] <= line <= r[1]), None)

    assured: dict[tuple[int, int], list[str]] = {r: [] for r in ranges}
    kept = []
    for finding in out.findings:
        block = inside(finding.line)
        if block is None or finding.rule == "mixed-schema-data-migration":
            kept.append(finding)
        else:
            assured[block].append(f"`{finding.rule}` (line {finding.line})")
    snippets = []
    for snip in out.snippets:
        block = inside(snip.anchor if snip.anchor is not None else snip.lines[0])
        if block is None:
            snippets.append(snip)
        else:
            assured[block].append(f"raw SQL (line {snip.anchor or snip.lines[0]})")
    out.findings[:] = kept
    out.snippets[:] = snippets
    for (first, last), what in assured.items():
        if first not in mt.added:
            continue
        named = ", ".join(what) if what else "nothing this review would have flagged"
        out.findings.append(
            make_finding(
                mt.path,
                first,
                "safety-assured",
                severity="low" if what else "info",
                detail=f"`safety_assured` (lines {first}-{last}) opts out of the safety checks "
                f"for: {named}. These are not reported as hazards; make sure the PR says why "
                "each is safe (e.g. the table is small or not yet read by running code).",
            )
        )

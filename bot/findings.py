"""Finding bookkeeping: fingerprints, ordering, merging."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from bot.models import FileDiff, Finding, severity_rank

_SPACE = re.compile(r"\s+")


def anchored_text(finding: Finding, file: FileDiff | None) -> str:
    """The code the finding points at, whitespace-normalised (line numbers shift; code does not)."""
    if file is None:
        return ""
    lines = (
        file.new_text_lines()
        if finding.side == "RIGHT"
        else {ln.old_no: ln.text for h in file.hunks for ln in h.lines if ln.old_no is not None}
    )
    start = finding.start_line or finding.line
    picked = [lines.get(n, "") for n in range(start, finding.line + 1)]
    return _SPACE.sub(" ", "\n".join(picked)).strip()


def fingerprint(finding: Finding, file: FileDiff | None) -> str:
    """Stable identity of a finding across pushes: path, rule or category, anchored code."""
    key = "\x1f".join(
        (finding.path, finding.rule or finding.category, anchored_text(finding, file))
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Worst first, then by path and line, so output is stable."""
    return sorted(findings, key=lambda f: (-severity_rank(f.severity), f.path, f.line))

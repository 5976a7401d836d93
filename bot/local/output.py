"""The command line's output formats: text for terminals, JSON, SARIF and rdjson for tools."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.models import SEVERITIES, FileDiff, Finding
from bot.review.render import render_summary
from bot.review.result import ReviewResult
from bot.review.summary import not_shown_line

_COLOURS = {"critical": "1;31", "high": "31", "medium": "33", "low": "36", "info": "37"}


def to_json(result: ReviewResult) -> str:
    """One document; later fields are only ever added, never renamed."""
    doc = {
        "files": [r.to_json() for r in result.reports],
        "findings": [f.model_dump(mode="json") for f in result.findings],
        "comments": [c.to_json() for c in result.comments],
        "summary": render_summary(result),
        "usage": result.usage.to_json(),
        "model": {
            "status": result.model_status,
            "id": result.model,
            "summaries": result.model_summaries,
            "notes": result.model_notes,
            "unseen_files": [{"path": p, "reason": r} for p, r in result.unseen_by_model],
        },
        "summary_only": [
            {"finding": f.model_dump(mode="json"), "reason": why} for f, why in result.summary_only
        ],
        "elapsed_s": round(result.elapsed_s, 3),
        "not_shown": {"min_severity": result.min_severity, "counts": result.not_shown},
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def _finding_lines(f: Finding, colour: bool) -> list[str]:
    where = f"{f.path}:{f.start_line}-{f.line}" if f.start_line else f"{f.path}:{f.line}"
    where = f.path if f.file_level else where
    tag = _paint(f"{f.severity.upper():8}", _COLOURS[f.severity], colour)
    rule = f" [{f.rule}]" if f.rule else ""
    out = [f"  {tag} {where}  {f.title}{rule}"]
    out += [f"           {line}" for line in f.body.strip().splitlines()[:6]]
    return out


def to_text(result: ReviewResult, *, colour: bool) -> str:
    """A terminal report: files first, then findings worst first, then the model's status."""
    reviewed = [r for r in result.reports if r.reviewed]
    lines = [
        _paint(f"Backend files ({len(reviewed)} of {len(result.reports)} changed)", "1", colour)
    ]
    for r in reviewed:
        test = " (test)" if r.is_test else ""
        lines.append(f"  {r.path}  [{', '.join(r.categories)}]{test}  {'; '.join(r.reasons)}")
    skipped = [r for r in result.reports if not r.reviewed]
    if skipped:
        lines.append(_paint(f"Skipped ({len(skipped)})", "1", colour))
        lines += [f"  {r.path}  {r.skip_reason or '; '.join(r.reasons)}" for r in skipped[:50]]
        if len(skipped) > 50:
            lines.append(f"  ... and {len(skipped) - 50} more")
    lines.append(_paint(f"Findings ({len(result.findings)})", "1", colour))
    for f in result.findings:
        lines += _finding_lines(f, colour)
    if not result.findings:
        lines.append("  none")
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in SEVERITIES}
    lines.append(
        "Totals: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        if result.findings
        else "Totals: no findings"
    )
    hidden = not_shown_line(result)
    if hidden:
        lines.append(hidden)
    if result.model_status != "ok":
        lines.append(" ".join(result.model_notes) or f"Model review {result.model_status}.")
    return "\n".join(lines) + "\n"


def to_tool_format(fmt: str, result: ReviewResult, files: Sequence[FileDiff]) -> str:
    """`sarif` or `rdjson`: the same findings as the JSON document, for other tools."""
    from bot.formats.rdjson import to_rdjson
    from bot.formats.sarif import to_sarif

    if fmt == "rdjson":
        return to_rdjson(result.findings)
    return to_sarif(result.findings, {f.path: f for f in files})

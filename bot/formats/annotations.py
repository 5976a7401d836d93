"""The `backend-review` check run's conclusion, output and annotations. Pure.

https://docs.github.com/en/rest/checks/runs
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from bot.formats.location import head_span, message, rule_id
from bot.models import Finding, ModelStatus, Severity, severity_rank

Conclusion = Literal["success", "neutral", "failure"]
MAX_TEXT = 65_535  # output.summary and output.text
MAX_TITLE = 255  # an annotation's title
MAX_MESSAGE = 64 * 1024  # an annotation's message
PER_REQUEST = 50  # annotations GitHub takes in one create or update
LEVEL: dict[Severity, str] = {
    "critical": "failure",
    "high": "failure",
    "medium": "warning",
    "low": "notice",
    "info": "notice",
}


def conclusion(
    findings: Sequence[Finding], fail_on: Severity | None, model_status: ModelStatus = "ok"
) -> Conclusion:
    """failure when a finding reaches fail_on; neutral with findings or an incomplete model
    review (nothing proves the change clean); success otherwise."""
    if fail_on and any(severity_rank(f.severity) >= severity_rank(fail_on) for f in findings):
        return "failure"
    if findings or model_status in ("failed", "partial"):
        return "neutral"
    return "success"


def title(findings: Sequence[Finding]) -> str:
    if not findings:
        return "No findings"
    counts = {s: 0 for s in LEVEL}
    for f in findings:
        counts[f.severity] += 1
    worst = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: {worst}"


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """Text cut to GitHub's limit, saying so."""
    if len(text) <= limit:
        return text
    tail = "\n\n… (cut to fit GitHub's limit; the full review is in the summary comment)"
    return text[: limit - len(tail)] + tail


def annotation(finding: Finding) -> dict[str, Any]:
    span = head_span(finding)
    return {
        "path": finding.path,
        "start_line": span.start,
        "end_line": span.end,
        "annotation_level": LEVEL[finding.severity],
        "title": clip(f"[{finding.severity}] {finding.title} ({rule_id(finding)})", MAX_TITLE),
        "message": clip(message(finding), MAX_MESSAGE),
    }


def batches(findings: Sequence[Finding]) -> list[list[dict[str, Any]]]:
    """One annotation per finding, PER_REQUEST to a request; always at least one (empty) batch."""
    notes = [annotation(f) for f in findings]
    return [notes[i : i + PER_REQUEST] for i in range(0, len(notes), PER_REQUEST)] or [[]]

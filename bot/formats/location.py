"""What every outside format says the same way about a finding: its rule id, where it points
in the head version, its message and its fix.

Kept in one place so that SARIF, rdjson and check-run annotations can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Category, Finding, Severity

TOOL = "backend-review"
INFORMATION_URI = "https://github.com/backend-review/backend-review"
MODEL_RULE_PREFIX = f"{TOOL}/"

CATEGORY_HELP: dict[Category, str] = {
    "api-design": "API design: contracts, compatibility, pagination, status codes, idempotency.",
    "database": "Database design and queries: schema, indexes, locks, migrations, query shape.",
    "reliability": "Reliability and scaling: timeouts, retries, transactions, concurrency, load.",
    "observability": "Observability: logs, metrics, traces and error reporting a team can act on.",
    "code-quality": "Code quality: clarity, duplication and structure of backend code.",
    "security": "Security: injection, authorisation, secrets and data exposure.",
}


def rule_id(finding: Finding) -> str:
    """A static rule's own id; model findings get one stable id per category."""
    if finding.source == "static" and finding.rule:
        return finding.rule
    return MODEL_RULE_PREFIX + finding.category


def is_security(finding: Finding) -> bool:
    return finding.category == "security"


@dataclass(frozen=True)
class Span:
    """Lines of the head version a finding covers; `note` says when it is about removed code."""

    start: int
    end: int
    note: str = ""


def head_span(finding: Finding) -> Span:
    """The finding's lines in the head version.

    A finding on removed lines (LEFT side) has no lines in the head: it points at the file's
    first line and says which base lines it is about, so no format drops it.
    """
    low, high = sorted((finding.start_line or finding.line, finding.line))
    if finding.side == "LEFT":
        lines = f"line {low}" if low == high else f"lines {low}-{high}"
        return Span(1, 1, f"About removed code: {lines} of the base version.")
    return Span(low, high)


def message(finding: Finding) -> str:
    """Title, explanation and (for removed code) which base lines: the text every format shows."""
    span = head_span(finding)
    parts = [finding.title.strip(), finding.body.strip()]
    if span.note:
        parts.append(span.note)
    return "\n\n".join(parts)


def one_click_fix(finding: Finding) -> str | None:
    """The replacement text when the finding's fix replaces exactly its own head lines."""
    if finding.suggestion is None or finding.side != "RIGHT":
        return None
    return finding.suggestion.rstrip("\n")


LEVELS: dict[Severity, str] = {
    "critical": "error",
    "high": "error",
    "medium": "warning",
    "low": "note",
    "info": "note",
}

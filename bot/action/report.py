"""The Action's step outputs (declared in action.yml), from what the review did. Pure."""

from __future__ import annotations

from collections import Counter

from bot.models import SEVERITIES
from bot.pr.report import Outcome


def outputs(outcome: Outcome) -> dict[str, str]:
    """The step outputs declared in action.yml."""
    counts = Counter(f.severity for f in outcome.result.findings)
    values = {"findings-total": str(len(outcome.result.findings))}
    values |= {f"findings-{s}": str(counts[s]) for s in SEVERITIES}
    values["summary-comment-url"] = outcome.summary_url or ""
    values["reviewed-sha"] = outcome.pull.head_sha
    return values

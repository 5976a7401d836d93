"""What a review is asked and what it gives: the data every way in (CLI, Action, App) reads.

Kept apart from the pipeline so that rendering and summaries can use it without importing
the orchestration (and so without an import circle).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.models import (
    ContentSource,
    FileDiff,
    FileReport,
    Finding,
    InlineComment,
    LineScope,
    ModelStatus,
    Severity,
    Usage,
)


@dataclass(frozen=True)
class ReviewRequest:
    """What to review: the changed files and, when known, the PR's words and file contents."""

    files: Sequence[FileDiff]
    title: str | None = None
    description: str | None = None
    source: ContentSource | None = None
    # Incremental review: only these lines are reviewed and commented on (None: everything).
    scope: LineScope | None = None


@dataclass
class ReviewResult:
    reports: list[FileReport]
    findings: list[Finding]
    comments: list[InlineComment]
    summary_only: list[tuple[Finding, str]]
    usage: Usage = field(default_factory=Usage)
    model_status: ModelStatus = "skipped"
    model_notes: list[str] = field(default_factory=list)
    unseen_by_model: list[tuple[str, str]] = field(default_factory=list)
    elapsed_s: float = 0.0
    model_summaries: list[str] = field(default_factory=list)  # one per model request
    model: str | None = None  # the model id, when the model review ran
    # Each inline comment with the finding it came from (its fingerprint is taken where placed).
    placed: list[tuple[Finding, InlineComment]] = field(default_factory=list)
    outside_scope: int = 0  # findings on lines an earlier review covered (incremental review)
    # Findings under `min_severity`, by severity: not posted, but counted in the summary.
    not_shown: dict[Severity, int] = field(default_factory=dict)
    min_severity: Severity = "low"

"""Orchestrate one review: classify, check, ask the model, place, summarise.

Clients are passed in; nothing here reads the environment or opens a connection itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.checks import run_checks
from bot.classify import classify_files
from bot.config import RepoConfig
from bot.findings import sort_findings
from bot.models import ContentSource, FileDiff, FileReport, Finding, InlineComment, Usage
from bot.placement import place_findings

ModelStatus = Literal["ok", "skipped", "failed", "partial"]


@dataclass(frozen=True)
class ReviewRequest:
    """What to review: the changed files and, when known, the PR's words and file contents."""

    files: Sequence[FileDiff]
    title: str | None = None
    description: str | None = None
    source: ContentSource | None = None


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


async def run_review(
    request: ReviewRequest,
    *,
    config: RepoConfig,
    max_inline: int | None = None,
    skip_model_reason: str | None = "model review disabled",
    clock: Callable[[], float] = time.monotonic,
) -> ReviewResult:
    """Run every step that applies and return all results; never loses a finding."""
    started = clock()
    reports = classify_files(request.files, config)
    reviewed = [f for f, r in zip(request.files, reports, strict=True) if r.reviewed]
    reviewed_reports = [r for r in reports if r.reviewed]
    static = run_checks(reviewed, reviewed_reports, config.checks, source=request.source)
    findings = sort_findings(static)
    by_path = {f.path: f for f in request.files}
    placement = place_findings(
        findings,
        by_path,
        max_inline=config.max_inline_comments if max_inline is None else max_inline,
    )
    notes = [skip_model_reason] if skip_model_reason else []
    return ReviewResult(
        reports=reports,
        findings=findings,
        comments=placement.comments,
        summary_only=placement.summary_only,
        model_status="skipped",
        model_notes=notes,
        elapsed_s=clock() - started,
    )

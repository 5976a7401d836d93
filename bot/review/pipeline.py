"""Orchestrate one review: classify, check, ask the model, merge, place, summarise.

Clients are passed in; nothing here reads the environment or opens a connection itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.checks.run import run_checks
from bot.classify.classifier import classify_files
from bot.config import RepoConfig
from bot.llm.client import ModelOutcome, ModelWork
from bot.models import (
    Finding,
    Severity,
    severity_rank,
)
from bot.review.findings import merge_findings
from bot.review.placement import place_findings
from bot.review.result import ReviewRequest, ReviewResult
from bot.review.scope import scoped_findings

if TYPE_CHECKING:
    from bot.llm.client import ModelReviewer

__all__ = ["ReviewRequest", "ReviewResult", "run_review"]


def at_least(findings: Sequence[Finding], minimum: Severity) -> list[Finding]:
    """The findings at or above `minimum` severity (`min_severity` in the configuration)."""
    floor = severity_rank(minimum)
    return [f for f in findings if severity_rank(f.severity) >= floor]


async def run_review(
    request: ReviewRequest,
    *,
    config: RepoConfig,
    model: ModelReviewer | None = None,
    max_inline: int | None = None,
    skip_model_reason: str | None = "model review disabled",
    clock: Callable[[], float] = time.monotonic,
) -> ReviewResult:
    """Run every step that applies and return all results; never loses a finding.

    With `model`, the reviewed files go to the model along with the static findings as hints;
    a model failure leaves the static findings and whatever requests succeeded.
    """
    started = clock()
    scope = request.scope
    files = [f for f in request.files if scope is None or f.path in scope.paths]
    reports = classify_files(files, config)
    reviewed = [(f, r) for f, r in zip(files, reports, strict=True) if r.reviewed]
    static, static_outside = scoped_findings(
        run_checks(
            [f for f, _ in reviewed],
            [r for _, r in reviewed],
            config.checks,
            source=request.source,
        ),
        scope,
    )
    if model is None:
        outcome = ModelOutcome(
            status="skipped", notes=[skip_model_reason] if skip_model_reason else []
        )
    else:
        work = ModelWork(
            files=reviewed,
            static=static,
            title=request.title,
            description=request.description,
            source=request.source,
            scope=scope,
        )
        outcome = await model.review(work, config=config)
    model_found, model_outside = scoped_findings(outcome.findings, scope)
    findings = merge_findings(
        at_least(static, config.min_severity), at_least(model_found, config.min_severity)
    )
    by_path = {f.path: f for f in request.files}
    placement = place_findings(
        findings,
        by_path,
        max_inline=config.max_inline_comments if max_inline is None else max_inline,
    )
    return ReviewResult(
        reports=reports,
        findings=findings,
        comments=placement.comments,
        summary_only=placement.summary_only,
        usage=outcome.usage,
        model_status=outcome.status,
        model_notes=outcome.notes,
        unseen_by_model=outcome.unseen,
        elapsed_s=clock() - started,
        model_summaries=outcome.summaries,
        model=model.model if model is not None else None,
        placed=placement.placed,
        outside_scope=static_outside + model_outside,
    )

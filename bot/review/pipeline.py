"""Orchestrate one review: classify, check, ask the model, merge, place, summarise.

Clients are passed in; nothing here reads the environment or opens a connection itself.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.checks.run import apply_rule_config, run_checks
from bot.checks.secrets.check import check as check_secrets
from bot.checks.secrets.check import known_values, scan_files
from bot.checks.secrets.redact import Redactor, redact_text, scrub_finding
from bot.classify.classifier import classify_files
from bot.config import RepoConfig
from bot.llm.client import ModelOutcome, ModelWork
from bot.models import (
    SEVERITIES,
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
    scans = scan_files(request.files)  # every changed file, backend or not
    known = known_values(scans)  # redacted everywhere, in scope or not
    in_scope = [s for s in scans if scope is None or s.path in scope.paths]
    secrets = check_secrets(files, config.checks, scans=in_scope)
    static, static_outside = scoped_findings(
        run_checks(
            [f for f, _ in reviewed],
            [r for _, r in reviewed],
            config.checks,
            source=request.source,
        )
        + apply_rule_config(secrets, config.checks),
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
            redact=Redactor(known),
        )
        outcome = await model.review(work, config=config)
    model_found, model_outside = scoped_findings(outcome.findings, scope)
    shown_static = at_least(static, config.min_severity)
    shown_model = at_least(model_found, config.min_severity)
    hidden = Counter(
        f.severity for f in [*static, *model_found] if f not in {*shown_static, *shown_model}
    )
    findings = [scrub_finding(f, known) for f in merge_findings(shown_static, shown_model)]
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
        model_notes=[redact_text(n, known=known) for n in outcome.notes],
        unseen_by_model=outcome.unseen,
        elapsed_s=clock() - started,
        model_summaries=[redact_text(s, known=known) for s in outcome.summaries],
        model=model.model if model is not None else None,
        placed=placement.placed,
        outside_scope=static_outside + model_outside,
        not_shown={s: hidden[s] for s in SEVERITIES if hidden[s]},
        min_severity=config.min_severity,
    )

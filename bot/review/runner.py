"""Run a review with the model when it is configured, else the checks alone.

Shared by the command line and the Action, so both treat a missing key, --no-llm and a model
client that cannot be built the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config import RepoConfig, Settings
from bot.errors import EXIT_FINDINGS, EXIT_MODEL_FAILED, EXIT_OK, ModelError
from bot.models import Severity, severity_rank
from bot.review.pipeline import run_review
from bot.review.result import ReviewRequest, ReviewResult

if TYPE_CHECKING:
    from bot.llm.progress import Progress

NO_KEY = "Model review skipped: no ANTHROPIC_API_KEY is set, so only the deterministic checks ran."
NO_LLM = "Model review skipped: --no-llm was given, so only the deterministic checks ran."


async def review_with_settings(
    request: ReviewRequest,
    *,
    config: RepoConfig,
    settings: Settings,
    no_llm: bool = False,
    no_key_reason: str = NO_KEY,
    progress: Progress | None = None,
) -> ReviewResult:
    """Review; a model client that cannot be built still yields the static review (exit 3)."""
    from bot.llm.client import make_reviewer

    inline = settings.max_inline_comments
    if no_llm:
        return await run_review(request, config=config, max_inline=inline, skip_model_reason=NO_LLM)
    if not settings.has_model_credentials():
        return await run_review(
            request, config=config, max_inline=inline, skip_model_reason=no_key_reason
        )
    try:
        reviewer = make_reviewer(settings, config)
        reviewer.progress = progress
    except ModelError as exc:
        result = await run_review(request, config=config, max_inline=inline, skip_model_reason=None)
        result.model_status = "failed"
        result.model_notes = [f"Model review failed: {exc}"]
        return result
    try:
        return await run_review(request, config=config, model=reviewer, max_inline=inline)
    finally:
        await reviewer.aclose()


def exit_code(result: ReviewResult, fail_on: Severity | None) -> int:
    """1 when a finding reaches fail_on (it wins), else 3 when the model failed, else 0."""
    if fail_on and any(
        severity_rank(f.severity) >= severity_rank(fail_on) for f in result.findings
    ):
        return EXIT_FINDINGS
    if result.model_status in ("failed", "partial"):
        return EXIT_MODEL_FAILED
    return EXIT_OK

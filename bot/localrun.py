"""The local review: the model when a key exists and --no-llm is not given, else checks only."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import RepoConfig, Settings
from bot.errors import ModelError
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
    """Review a local diff; a model client that cannot be built still yields the static review."""
    from bot.model import make_reviewer

    request = ReviewRequest(files=files, source=source)
    inline = settings.max_inline_comments
    if no_llm:
        return await run_review(request, config=config, max_inline=inline, skip_model_reason=NO_LLM)
    if not settings.has_model_credentials():
        return await run_review(request, config=config, max_inline=inline, skip_model_reason=NO_KEY)
    try:
        reviewer = make_reviewer(settings, config)
    except ModelError as exc:
        result = await run_review(request, config=config, max_inline=inline, skip_model_reason=None)
        result.model_status = "failed"
        result.model_notes = [f"Model review failed: {exc}"]
        return result
    try:
        return await run_review(request, config=config, model=reviewer, max_inline=inline)
    finally:
        await reviewer.aclose()

"""Run the review for the Action: the model when credentials exist, else the checks alone."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import RepoConfig, Settings
from bot.errors import ModelError
from bot.event import PullSnapshot
from bot.models import ContentSource, FileDiff
from bot.review import ReviewRequest, ReviewResult, run_review

NO_KEY = (
    "Model review skipped: no anthropic-api-key is configured, so only the deterministic "
    "checks ran."
)


async def review_pull(
    files: Sequence[FileDiff],
    pull: PullSnapshot,
    *,
    config: RepoConfig,
    settings: Settings,
    source: ContentSource | None,
) -> ReviewResult:
    """Review the chosen files with the PR's title and description; a model that cannot be
    built or fails still leaves the static review (model_status says so: exit code 3)."""
    from bot.model import make_reviewer

    request = ReviewRequest(files=files, title=pull.title, description=pull.body, source=source)
    max_inline = settings.max_inline_comments
    if not settings.has_model_credentials():
        return await run_review(
            request, config=config, max_inline=max_inline, skip_model_reason=NO_KEY
        )
    try:
        reviewer = make_reviewer(settings, config)
    except ModelError as exc:
        result = await run_review(
            request, config=config, max_inline=max_inline, skip_model_reason=None
        )
        result.model_status = "failed"
        result.model_notes = [f"Model review failed: {exc}"]
        return result
    try:
        return await run_review(request, config=config, model=reviewer, max_inline=max_inline)
    finally:
        await reviewer.aclose()

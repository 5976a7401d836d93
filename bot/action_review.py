"""Run the review for the Action: the model when credentials exist, else the checks alone."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from bot.config import RepoConfig, Settings
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
    """Review the chosen files of a pull request, with its title and description for context."""
    request = ReviewRequest(files=files, title=pull.title, description=pull.body, source=source)
    max_inline = (
        settings.max_inline_comments
        if settings.max_inline_comments is not None
        else config.max_inline_comments
    )
    kwargs: dict[str, Any] = {"config": config, "max_inline": max_inline}
    if not settings.has_model_credentials():
        return await run_review(request, skip_model_reason=NO_KEY, **kwargs)
    try:
        from bot.model import make_reviewer  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return await run_review(request, skip_model_reason=NO_KEY, **kwargs)
    params = inspect.signature(run_review).parameters
    if "reviewer" in params:
        kwargs["reviewer"] = make_reviewer(settings, config)
        kwargs["skip_model_reason"] = None
    return await run_review(request, **kwargs)

"""Review a pull request's files: the model when credentials exist, else the checks alone."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import RepoConfig, Settings
from bot.github.event import PullSnapshot
from bot.llm.progress import Progress
from bot.models import ContentSource, FileDiff, LineScope
from bot.review.result import ReviewRequest, ReviewResult
from bot.review.runner import review_with_settings

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
    progress: Progress | None = None,
    scope: LineScope | None = None,
) -> ReviewResult:
    """Review the chosen files with the PR's title and description; a model that cannot be
    built or fails still leaves the static review (model_status says so: exit code 3)."""
    request = ReviewRequest(
        files=files, title=pull.title, description=pull.body, source=source, scope=scope
    )
    return await review_with_settings(
        request, config=config, settings=settings, no_key_reason=NO_KEY, progress=progress
    )

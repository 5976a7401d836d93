"""The GitHub Action entry: read the event, review the PR, publish (see the GitHub issue)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.errors import EventError


def run_action(*, dry_run: bool, environ: Mapping[str, str]) -> int:
    """Run one Action invocation; returns the exit code."""
    if not environ.get("GITHUB_EVENT_PATH"):
        raise EventError("GITHUB_EVENT_PATH is not set: `action` runs inside GitHub Actions")
    raise EventError("the GitHub Action is not implemented yet")

"""The GitHub Action entry: read the event, review the PR, publish; returns the exit code.

With cli.py, the only module that reads the runner's environment. The steps live in
bot.action.run and bot.pr, imported only once the event asks for a review (bad input fails fast).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from bot.action.workflow_io import append_file, notice
from bot.errors import EXIT_OK, ConfigError, EventError
from bot.github.event import Skip, load_payload, parse_event

if TYPE_CHECKING:
    from bot.config import Settings


def settings_from(environ: Mapping[str, str]) -> Settings:
    """Settings from the given environment; blank values (inputs not given) count as unset."""
    from bot.config import Settings, load_settings

    aliases = {f.alias for f in Settings.model_fields.values() if f.alias}
    given = {k: v for k, v in environ.items() if k in aliases and v.strip()}
    return load_settings(**given)


def run_action(*, dry_run: bool, environ: Mapping[str, str]) -> int:
    """Run one Action invocation; returns the exit code."""
    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        raise EventError("GITHUB_EVENT_PATH is not set: `action` runs inside GitHub Actions")
    payload = load_payload(_read(path), path=path)
    settings = settings_from(environ)
    ask = parse_event(environ.get("GITHUB_EVENT_NAME"), payload, pr_number=settings.pr_number)
    if isinstance(ask, Skip):
        message = f"backend-review: nothing to do: {ask.reason}."
        notice(message)
        append_file(environ.get("GITHUB_STEP_SUMMARY"), message)
        return EXIT_OK
    repository = environ.get("GITHUB_REPOSITORY", "")
    if repository.count("/") != 1:
        raise EventError("GITHUB_REPOSITORY must be owner/name")
    token = settings.github_token.get_secret_value() if settings.github_token else ""
    if not token.strip():
        raise ConfigError("no GitHub token: set the github-token input (or GITHUB_TOKEN)")
    from bot.action.run import run_pull
    from bot.github.client import DryRunSender, GitHubRepo, Sender, open_github

    with open_github(
        token,
        base_url=settings.github_api_url,
        timeout=settings.github_timeout,
        delay=settings.github_retry_delay,
    ) as gh:
        repo = GitHubRepo(gh, repository)
        sender: Sender = DryRunSender() if dry_run or settings.dry_run else repo
        return run_pull(ask, repo, sender, settings, environ)


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None

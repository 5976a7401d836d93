"""One Action run: the shared pull request review, reported as workflow commands, the job
summary and the step outputs."""

from __future__ import annotations

from collections.abc import Mapping

from bot.action.report import outputs, write_sarif
from bot.action.workflow_io import append_file, notice, write_outputs
from bot.config import Settings
from bot.errors import ConfigError, GitHubError
from bot.github.client import GitHubRepo, Sender
from bot.github.event import Ask
from bot.llm.progress import RequestDone, describe
from bot.pr.report import HEADING, config_error_text, job_summary
from bot.pr.run import PullReview


def run_pull(
    ask: Ask, repo: GitHubRepo, sender: Sender, settings: Settings, environ: Mapping[str, str]
) -> int:
    """Review the pull request; write the job summary and outputs; return the exit code."""
    step_summary = environ.get("GITHUB_STEP_SUMMARY")
    review = PullReview(ask, repo, sender, settings, note=notice)
    review.progress = log_request
    try:
        done = review.run()
    except ConfigError as exc:
        append_file(step_summary, f"{HEADING}\n\n{config_error_text(str(exc))}")
        raise
    except GitHubError as exc:
        append_file(step_summary, f"{HEADING}\n\nThe review stopped: {exc}.\n")
        raise
    if done.skipped:
        append_file(step_summary, done.skipped)
    if done.outcome is not None:
        append_file(step_summary, job_summary(done.outcome))
        sarif = write_sarif(settings.sarif_file, done.outcome)
        write_outputs(environ.get("GITHUB_OUTPUT"), outputs(done.outcome, sarif_file=sarif))
    return done.code


def log_request(event: RequestDone) -> None:
    """One log line per finished model request (the plan is not worth a line)."""
    if event.done:
        print(describe(event), flush=True)

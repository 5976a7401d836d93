"""The check run of a pull request review: what it says when it starts, ends or fails.

Shared by the Action and the App through PullReview, so both create the same check run.
"""

from __future__ import annotations

from bot.formats.annotations import batches, clip, conclusion, title
from bot.github.checks import CheckRun, Say
from bot.github.client import Sender
from bot.models import Severity
from bot.pr.report import Outcome, job_summary

STARTED = "backend-review is reviewing the backend side of this pull request."


def start_check(
    sender: Sender, *, prefix: str, head_sha: str, say: Say, enabled: bool
) -> CheckRun | None:
    """The check run, started `in_progress`; None when switched off or refused."""
    if not enabled:
        return None
    run = CheckRun(sender, prefix=prefix, head_sha=head_sha, say=say)
    return run if run.start(summary=STARTED) else None


def finish_check(run: CheckRun | None, outcome: Outcome, *, fail_on: Severity | None) -> None:
    """Complete the run: its conclusion, the summary, one annotation per finding."""
    if run is None:
        return
    result = outcome.result
    run.complete(
        conclusion=conclusion(result.findings, fail_on, result.model_status),
        title=title(result.findings),
        summary=clip(job_summary(outcome)),
        batches=batches(result.findings),
    )
    outcome.check_run_url = run.url


def abort_check(run: CheckRun | None, error: Exception) -> None:
    """The review stopped with an error: complete the run as failed, saying why."""
    if run is None:
        return
    text = " ".join(str(error).split()) or type(error).__name__
    run.complete(
        conclusion="failure",
        title="The review did not finish",
        summary=clip(f"backend-review stopped: {text}"),
    )

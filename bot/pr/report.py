"""What a pull request review reports: the sticky summary comment and the job summary. Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.github.client import RequestFailedError
from bot.github.event import PullSnapshot
from bot.github.plan import Plan, inline_as_text
from bot.github.publish import Published
from bot.github.read import EarlierSummary
from bot.markers import SummaryState, summary_marker
from bot.models import FileDiff, Finding, InlineComment, severity_rank
from bot.review.findings import fingerprint
from bot.review.render import render_summary
from bot.review.result import ReviewResult

HEADING = "## 🔎 backend-review"  # bot.review.summary's default title
MAX_MARKER_FPS = 1_500  # 17 characters each: about 25 KB of the 65,536 a comment may hold


@dataclass
class Outcome:
    """Everything one run decided and did, filled in as it goes."""

    result: ReviewResult
    pull: PullSnapshot
    number: int
    config_hash: str
    earlier: EarlierSummary | None
    plan: Plan
    scope_note: str = ""
    head_reads: int = 0
    published: Published | None = None
    summary_url: str | None = None
    failure: RequestFailedError | None = None
    files: Mapping[str, FileDiff] = field(default_factory=dict)
    check_run_url: str | None = None


def _fp(finding: Finding, outcome: Outcome) -> str:
    return fingerprint(finding, outcome.files.get(finding.path))


def _placed(outcome: Outcome) -> dict[str, Finding]:
    """Fingerprint -> finding for the inline comments (placement keeps the pairs)."""
    found = {c.fingerprint: f for f, c in outcome.result.placed}
    for finding in outcome.result.findings:
        found.setdefault(_fp(finding, outcome), finding)
    return found


def _with_rejected(outcome: Outcome) -> ReviewResult:
    """The result with every comment GitHub refused listed among the summary-only findings."""
    result = outcome.result
    rejected = outcome.published.rejected if outcome.published else []
    if not rejected:
        return result
    known = _placed(outcome)
    moved = [(known[c.fingerprint], why) for c, why in rejected if c.fingerprint in known]
    return dataclasses.replace(result, summary_only=[*result.summary_only, *moved])


def _unmatched_rejected(outcome: Outcome) -> list[InlineComment]:
    rejected = outcome.published.rejected if outcome.published else []
    known = _placed(outcome)
    return [c for c, _ in rejected if c.fingerprint not in known]


def _notes(outcome: Outcome) -> list[str]:
    notes = [outcome.scope_note] if outcome.scope_note else []
    if outcome.result.outside_scope:
        n = outcome.result.outside_scope
        notes.append(f"{n} finding(s) on lines reviewed before were not repeated.")
    if outcome.plan.duplicates:
        n = len(outcome.plan.duplicates)
        notes.append(f"{n} comment(s) already posted by an earlier review were not repeated.")
    if outcome.published and outcome.published.rejected:
        n = len(outcome.published.rejected)
        notes.append(f"GitHub refused {n} inline comment(s); they are listed above instead.")
    return notes


def summary_state(outcome: Outcome) -> SummaryState:
    """The marker's state: the reviewed head, the config hash, fingerprints kept in the summary.

    This run's fingerprints come first; at most MAX_MARKER_FPS are kept so the comment fits."""
    state = outcome.earlier.state if outcome.earlier else None
    result = outcome.result
    fps = [_fp(f, outcome) for f, _ in result.summary_only]
    if outcome.published:
        fps += [c.fingerprint for c, _ in outcome.published.rejected]
    fps += sorted(state.fingerprints) if state else []
    kept = frozenset(list(dict.fromkeys(fps))[:MAX_MARKER_FPS])
    # A head counts as reviewed only when the model review completed: after a failure the
    # next run reviews the same changes again (what was posted is not posted twice).
    complete = result.model_status in ("ok", "skipped")
    head = outcome.pull.head_sha if complete else (state.head_sha if state else "")
    worst = max(result.findings, key=lambda f: severity_rank(f.severity), default=None)
    return SummaryState(
        head_sha=head,
        config_hash=outcome.config_hash if complete or state is None else state.config_hash,
        fingerprints=kept,
        worst=worst.severity if worst else "",
    )


def _heading(notes: list[str]) -> str:
    """The summary's title with this run's notes (scope, duplicates, refusals) right under it."""
    quoted = "\n".join(f"> {n}" for n in notes)
    return HEADING + ("\n\n" + quoted if quoted else "")


def summary_comment(outcome: Outcome) -> str:
    """The sticky comment: the summary, this run's notes, and the hidden state marker."""
    lost = _unmatched_rejected(outcome)
    tail = "\n" + inline_as_text(lost) if lost else ""
    marker = tail + "\n" + summary_marker(summary_state(outcome)) + "\n"
    heading = _heading(_notes(outcome))
    return render_summary(_with_rejected(outcome), marker=marker, heading=heading)


def job_summary(outcome: Outcome) -> str:
    """GITHUB_STEP_SUMMARY: the summary; when publishing failed, every inline comment as text."""
    text = render_summary(_with_rejected(outcome), heading=_heading(_notes(outcome)))
    if outcome.failure is not None:
        posted = {c.fingerprint for c in outcome.published.posted} if outcome.published else set()
        unposted = [
            c for batch in outcome.plan.batches for c in batch if c.fingerprint not in posted
        ]
        unposted += [c for c in outcome.plan.file_comments if c.fingerprint not in posted]
        why = (
            "the token cannot write to this repository (fork pull requests get a read-only token "
            "under `pull_request`)"
            if outcome.failure.forbidden
            else f"GitHub failed: {outcome.failure}"
        )
        text += f"\n### Not posted on the pull request\n\nThe review was not posted: {why}.\n\n"
        text += inline_as_text(unposted)
    return text


def config_error_text(error: str) -> str:
    """What a bad base-branch configuration looks like to people: the error and the way out."""
    quoted = error.replace("```", "'''")
    return (
        "**The review did not run: the configuration on the base branch is invalid.**\n\n"
        f"```text\n{quoted}\n```\n\n"
        "Fix the file on the base branch (a pull request cannot change its own review rules); "
        "the next push or `/backend-review` reviews the pull request.\n"
    )


def config_error_comment(error: str, earlier: EarlierSummary | None) -> str:
    """The sticky comment for a bad configuration; it keeps the earlier review's state so the
    next review after the fix neither repeats nor skips anything."""
    state = earlier.state if earlier and earlier.state else SummaryState("", "")
    return f"{HEADING}\n\n{config_error_text(error)}\n{summary_marker(state)}\n"

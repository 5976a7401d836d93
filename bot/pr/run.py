"""One pull request's review on GitHub: permission, PR, base config, scope, review, publish.

Shared by the Action and the App, which differ only in how they report: each passes a
`Note` callback (workflow commands for the Action, log lines for the App) and reads the
returned `PullRun` for its own job summary, outputs or metrics.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.config import DEFAULT_CONFIG_PATH, RepoConfig, Settings, parse_repo_config
from bot.errors import (
    EXIT_FINDINGS,
    EXIT_GITHUB_FAILED,
    EXIT_OK,
    ConfigError,
    EventError,
)
from bot.github.client import GitHubRepo, RequestFailedError, Sender, WriteRequest
from bot.github.event import Ask, PullSnapshot, skip_pull
from bot.github.event import snapshot_from_pull as snapshot
from bot.github.plan import help_text, may_trigger, plan_comments, refusal_text, review_event
from bot.github.publish import Publisher
from bot.github.read import (
    EarlierSummary,
    config_hash,
    file_diffs,
    find_summary,
    posted_fingerprints,
    pushed_diffs,
)
from bot.github.readback import PullReadBack
from bot.llm.progress import Progress
from bot.models import SEVERITIES, FileDiff, LineScope, Severity, severity_rank
from bot.pr.check import abort_check, finish_check, start_check
from bot.pr.report import Outcome, config_error_comment, summary_comment
from bot.review.runner import exit_code
from bot.review.scope import incremental_scope


def _reaches(worst: str, fail_on: Severity | None) -> bool:
    """Whether the worst finding of a review (as its summary marker recorded it) fails the run."""
    if fail_on is None or worst not in SEVERITIES:
        return False
    return severity_rank(worst) >= severity_rank(fail_on)


class Note(Protocol):
    """Tells the person running the review something (an Actions notice, an App log line)."""

    def __call__(self, message: str, *, level: str = "notice") -> None: ...


@dataclass
class PullRun:
    """What one review of a pull request came to: the exit code, and what was done."""

    code: int
    outcome: Outcome | None = None  # None when nothing was reviewed
    skipped: str | None = None  # why the pull request itself was not reviewed (draft, closed)


class PullReview:
    """One review's state, so each step stays a short method."""

    progress: Progress | None = None  # the model review's progress (the Action logs it)

    def __init__(
        self, ask: Ask, repo: GitHubRepo, sender: Sender, settings: Settings, *, note: Note
    ) -> None:
        self.ask = ask
        self.repo = repo
        self.sender = sender
        self.settings = settings
        self.note = note

    def run(self) -> PullRun:
        if self.ask.command is not None and not self._command_allowed():
            return PullRun(EXIT_OK)  # refused, or answered with help
        pull = self.ask.pull or snapshot(self.repo.pull(self.ask.number))
        try:
            config = self._config(pull)
        except ConfigError as exc:
            self._show_config_error(exc)
            raise
        drafts = self.settings.review_drafts
        reason = skip_pull(
            pull, self.ask, review_drafts=config.review_drafts if drafts is None else drafts
        )
        if reason:
            message = f"backend-review: PR #{self.ask.number} skipped: {reason}."
            self.note(message)
            return PullRun(EXIT_OK, skipped=message)
        return self._review(pull, config)

    # ---------------------------------------------------------------- slash command

    def _command_allowed(self) -> bool:
        """Permission check, help, refusal and the `eyes` acknowledgement."""
        ask = self.ask
        if ask.command is None or not ask.commenter or not ask.comment_id:
            raise EventError("issue_comment payload: the comment's id or author is missing")
        prefix = self.repo.prefix
        permission, role = self.repo.permission(ask.commenter)
        if not may_trigger(permission, role):
            self._send_soft(
                WriteRequest(
                    "POST",
                    f"{prefix}/issues/{ask.number}/comments",
                    {"body": refusal_text(ask.commenter)},
                )
            )
            self.note(f"backend-review: {ask.commenter} has {permission} permission; refused")
            return False
        if ask.command.kind == "help":
            body = help_text(ask.command.unknown)
            path = f"{prefix}/issues/{ask.number}/comments"
            self._send_soft(WriteRequest("POST", path, {"body": body}))
            return False
        path = f"{prefix}/issues/comments/{ask.comment_id}/reactions"
        self._send_soft(WriteRequest("POST", path, {"content": "eyes"}))
        return True

    def _send_soft(self, request: WriteRequest) -> None:
        """A courtesy write (reaction, reply): any failure costs only it (it is not repeated)."""
        try:
            self.sender.send(request)
        except RequestFailedError as exc:
            self.note(f"backend-review: {exc}", level="warning")

    # ---------------------------------------------------------------- review

    def _config(self, pull: PullSnapshot) -> RepoConfig:
        """`.github/backend-review.yml` from the base branch: a PR cannot change its own rules."""
        path = self.settings.config_path
        text = self.repo.content(path, pull.base_ref or pull.base_sha)
        if text is None and path != DEFAULT_CONFIG_PATH:
            raise ConfigError(f"{path}: configuration file not found on the base branch")
        return parse_repo_config(text or "", source=f"{path} (base branch)")

    def _show_config_error(self, exc: ConfigError) -> None:
        """Put the configuration error in the sticky summary, where the PR's author looks;
        a token that cannot write (or any failure) leaves it to the log and job summary."""
        try:
            earlier = find_summary(self.repo.issue_comments(self.ask.number))
            body = config_error_comment(str(exc), earlier)
            if earlier is None or earlier.body.strip() != body.strip():
                publisher = Publisher(
                    self.sender, prefix=self.repo.prefix, number=self.ask.number, head_sha=""
                )
                publisher.post_summary(body, existing_id=earlier.comment_id if earlier else None)
        except RequestFailedError as failure:
            if not failure.forbidden:
                self.note(f"backend-review: {failure}", level="warning")

    def _review(self, pull: PullSnapshot, config: RepoConfig) -> PullRun:
        """The review inside its check run: started before, completed (or failed) after.

        A head already reviewed is answered before the check run starts: no write at all."""
        earlier = find_summary(self.repo.issue_comments(self.ask.number))
        chash = config_hash(config, self.settings.model_for(config))
        if (done := self._already_reviewed(pull, earlier, chash, config)) is not None:
            return done
        check = start_check(
            self.sender,
            prefix=self.repo.prefix,
            head_sha=pull.head_sha,
            say=self.note,
            enabled=self.settings.check_run,
        )
        try:
            done = self._review_files(pull, config, earlier, chash)
        except Exception as exc:
            abort_check(check, exc)
            raise
        if done.outcome is not None:
            finish_check(check, done.outcome, fail_on=self.settings.fail_on or config.fail_on)
        return done

    def _review_files(
        self, pull: PullSnapshot, config: RepoConfig, earlier: EarlierSummary | None, chash: str
    ) -> PullRun:
        number = self.ask.number
        posted = posted_fingerprints(self.repo.review_comments(number))
        if earlier and earlier.state:
            posted |= earlier.state.fingerprints
        files = file_diffs(self.repo.files(number))
        scope, note = self._scope(pull, earlier, chash, files)
        from bot.github.contents import GitHubSource
        from bot.pr.review import review_pull

        source = GitHubSource(self.repo, base_sha=pull.base_sha, head_sha=pull.head_sha)
        result = asyncio.run(
            review_pull(
                files,
                pull,
                config=config,
                settings=self.settings,
                source=source,
                scope=scope,
                progress=self.progress,
            )
        )
        plan = plan_comments(
            result.comments,
            posted=posted,
            event=review_event(result.findings, config.request_changes_on),
        )
        outcome = Outcome(
            result=result,
            pull=pull,
            number=number,
            config_hash=chash,
            earlier=earlier,
            plan=plan,
            scope_note=note,
            head_reads=source.reads,
            files={f.path: f for f in files},
        )
        code = self._publish(outcome)
        code = code or exit_code(result, self.settings.fail_on or config.fail_on)
        return PullRun(code, outcome=outcome)

    def _already_reviewed(
        self, pull: PullSnapshot, earlier: EarlierSummary | None, chash: str, config: RepoConfig
    ) -> PullRun | None:
        """A head reviewed completely under the same configuration and model is not reviewed
        again (no model call, no write) unless `/backend-review full` asks; the exit code is
        the one that review had."""
        state = earlier.state if earlier else None
        if self.ask.full or state is None or not state.head_sha:
            return None
        if state.head_sha != pull.head_sha or state.config_hash != chash:
            return None
        message = (
            f"backend-review: `{pull.head_sha[:7]}` was already reviewed with this configuration "
            "and model; nothing to do (`/backend-review full` reviews it again)."
        )
        self.note(message)
        fail_on = self.settings.fail_on or config.fail_on
        code = EXIT_FINDINGS if _reaches(state.worst, fail_on) else EXIT_OK
        return PullRun(code, skipped=message)

    def _scope(
        self,
        pull: PullSnapshot,
        earlier: EarlierSummary | None,
        chash: str,
        files: Sequence[FileDiff],
    ) -> tuple[LineScope | None, str]:
        """What to review: None = everything; after a fast-forward push, the lines it changed."""
        state = earlier.state if earlier else None
        if state is None or not state.head_sha:
            return None, "Full review (first review of this pull request)."
        if self.ask.full:
            return None, "Full review (asked for)."
        if state.config_hash != chash:
            return None, "Full review (the configuration or model changed since the last review)."
        try:
            pushed = pushed_diffs(self.repo.compare(state.head_sha, pull.head_sha))
        except RequestFailedError as exc:
            self.note(f"backend-review: {exc}; reviewing everything", level="warning")
            return None, f"Full review (comparing with `{state.head_sha[:7]}` failed)."
        if pushed is None:
            return None, (
                f"Full review (`{state.head_sha[:7]}` is not an ancestor of the new head: "
                "force-push or rebase)."
            )
        scope = incremental_scope(files, pushed, since=state.head_sha)
        return scope, (
            f"Incremental review: {len(scope.paths)} file(s) changed since "
            f"`{state.head_sha[:7]}`; only the lines changed since then were reviewed."
        )

    # ---------------------------------------------------------------- publish

    def _publish(self, outcome: Outcome) -> int:
        """Post comments and the summary; a failure is kept in the outcome for the report."""
        publisher = Publisher(
            self.sender,
            prefix=self.repo.prefix,
            number=outcome.number,
            head_sha=outcome.pull.head_sha,
            readback=PullReadBack(self.repo, outcome.number) if self.sender is self.repo else None,
        )
        code = EXIT_OK
        try:
            outcome.published = publisher.post_comments(outcome.plan)
            body = summary_comment(outcome)
            existing = outcome.earlier.comment_id if outcome.earlier else None
            if outcome.earlier is None or outcome.earlier.body.strip() != body.strip():
                outcome.summary_url = publisher.post_summary(body, existing_id=existing)
            else:
                outcome.summary_url = outcome.earlier.html_url
        except RequestFailedError as exc:
            outcome.failure = exc
            outcome.published = publisher.done
            if exc.forbidden:
                self.note(
                    "backend-review: the token cannot write to this repository (a fork's "
                    "read-only token under pull_request?): the review is in the job summary."
                )
            else:
                self.note(f"backend-review: publishing failed: {exc}", level="error")
                code = EXIT_GITHUB_FAILED
        return code

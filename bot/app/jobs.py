"""One job: a queued delivery reviewed once, by the same PullReview the Action runs.

A job takes its pull request's lock (one review at a time per pull request), claims the
delivery in the ledger with a lease, and reviews as the App's installation. A push that a newer
push replaced ends as `superseded` before anything is read or sent to the model. Transient
failures are retried with backoff a bounded number of times; after that the delivery is
`failed` with its reason and the summary comment says so. Leases and locks are renewed while
the job runs (bot.app.worker) and expire when its worker dies, so the job runs again.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from bot.app.deliveries import Ignore, Work, route
from bot.app.failures import backoff, failed_summary, github_transient, model_transient
from bot.app.logs import log
from bot.app.metrics import Metrics
from bot.app.queue import Queue
from bot.app.store import WAITING, Record
from bot.checks.secrets.redact import redact_text
from bot.config import AppSettings
from bot.errors import BackendReviewError, ConfigError, GitHubError
from bot.github.client import (
    GitHubRepo,
    forget_app_tokens,
    installation_id,
    open_app_github,
    translate,
)
from bot.github.event import PullSnapshot, snapshot_from_pull
from bot.github.publish import Publisher
from bot.github.read import find_summary
from bot.pr.run import PullReview, PullRun

LOCK_WAIT = 2.0  # seconds before a job whose pull request is being reviewed looks again


@dataclass
class Verdict:
    """How one attempt ended: done, skipped, superseded, retry or failed, and why."""

    state: str
    reason: str = ""
    work: Work | None = None
    told: bool = False  # the pull request already says why (a configuration error)


class Jobs:
    """The task body of every worker thread in this process, and what they are running."""

    def __init__(self, settings: AppSettings, key: str, queue: Queue, metrics: Metrics) -> None:
        self.settings = settings
        self.key = key
        self.queue = queue
        self.metrics = metrics
        self.running: dict[str, tuple[str, str]] = {}  # delivery -> (owner, pr lock key)
        self._mutex = threading.Lock()

    # ---------------------------------------------------------------- the task

    def run(self, delivery: str) -> None:
        store = self.queue.store
        record = store.load(delivery)
        if record is None or record.state != WAITING:
            return  # done already, or a second task for a delivery another worker has
        owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        ttl = self.settings.lock_ttl
        if not store.lock(record.pr_key, owner, ttl):
            self.queue.put(delivery, delay=LOCK_WAIT)
            return
        try:
            claimed = store.claim(delivery, owner, ttl)
            if claimed is None:
                return
            with self._mutex:
                self.running[delivery] = (owner, record.pr_key)
            started = time.monotonic()
            verdict = self._attempt(claimed)
            self._finish(claimed, owner, verdict, time.monotonic() - started)
        finally:
            with self._mutex:
                self.running.pop(delivery, None)
            store.unlock(record.pr_key, owner)

    def requeue_running(self) -> list[str]:
        """Put this process's running jobs back in the queue (shutdown after the grace time)."""
        with self._mutex:
            running = dict(self.running)
        back = []
        for delivery, (owner, pr_key) in running.items():
            if self.queue.store.release(delivery, owner, WAITING, "worker stopped"):
                self.queue.put(delivery)
                back.append(delivery)
            self.queue.store.unlock(pr_key, owner)
        return back

    def heartbeat(self) -> None:
        """Renew the leases and locks of this process's running jobs."""
        with self._mutex:
            running = dict(self.running)
        ttl = self.settings.lock_ttl
        for delivery, (owner, pr_key) in running.items():
            self.queue.store.renew([delivery], owner, ttl)
            self.queue.store.renew_lock(pr_key, owner, ttl)

    # ---------------------------------------------------------------- one attempt

    def _attempt(self, record: Record) -> Verdict:
        work: Work | None = None
        try:
            routed = route(record.event, json.loads(record.payload), app_id=self.settings.app_id)
            if isinstance(routed, Ignore):
                return Verdict("skipped", routed.reason)
            work = routed
            return self._review(record, work)
        except GitHubError as exc:
            if exc.status == 401:
                forget_app_tokens()  # a revoked or stale installation token: get a new one
            again = exc.status == 401 or github_transient(exc)
            return Verdict("retry" if again else "failed", str(exc), work)
        except ConfigError as exc:  # PullReview put it in the summary comment already
            return Verdict("failed", str(exc), work, told=True)
        except BackendReviewError as exc:
            return Verdict("failed", str(exc), work)
        except Exception as exc:  # a job must end with a state, whatever went wrong
            return Verdict("failed", f"internal error ({type(exc).__name__})", work)

    def _client(self, work: Work) -> Any:
        s = self.settings
        install = work.installation
        if install is None:
            with open_app_github(
                s.app_id or 0, self.key, installation_id=None, base_url=s.github_api_url,
                timeout=s.github_timeout, delay=s.github_retry_delay,
            ) as app:  # fmt: skip
                install = installation_id(app, work.repository)
        return open_app_github(
            s.app_id or 0, self.key, installation_id=install, base_url=s.github_api_url,
            timeout=s.github_timeout, delay=s.github_retry_delay,
        )  # fmt: skip

    def _review(self, record: Record, work: Work) -> Verdict:
        with self._client(work) as gh:
            repo = GitHubRepo(gh, work.repository)
            pull = self._current(repo, work.number)
            if work.pushed and work.head and pull.head_sha != work.head:
                why = f"{work.head[:7]} was replaced by {pull.head_sha[:7]}"
                return Verdict("superseded", why, work)

            def note(message: str, *, level: str = "notice") -> None:
                log(message, _LEVELS.get(level, logging.INFO), delivery=record.delivery)

            ask = dataclasses.replace(work.ask, pull=pull)
            done = PullReview(ask, repo, repo, self.settings, note=note).run()
            self._count_usage(done)
            return self._judge(done, work)

    def _current(self, repo: GitHubRepo, number: int) -> PullSnapshot:
        """The pull request as it is now (a newer push may have replaced the delivery's head)."""
        from githubkit.exception import GitHubException

        try:
            response = repo.gh.rest.pulls.get(repo.owner, repo.name, number)
        except GitHubException as exc:
            raise translate(exc, f"reading PR #{number}") from None
        remaining = response.headers.get("x-ratelimit-remaining")
        if remaining and remaining.isdigit():
            self.metrics.rate_limit.set(int(remaining))
        return snapshot_from_pull(response.json())

    @staticmethod
    def _judge(done: PullRun, work: Work) -> Verdict:
        if done.skipped:
            return Verdict("skipped", done.skipped, work)
        outcome = done.outcome
        if outcome is None:
            return Verdict("done", "command answered", work)
        if outcome.failure is not None:
            state = "retry" if github_transient(outcome.failure) else "failed"
            return Verdict(state, f"publishing failed: {outcome.failure}", work)
        result = outcome.result
        if result.model_status in ("failed", "partial") and model_transient(result.model_notes):
            return Verdict("retry", " ".join(result.model_notes), work)
        return Verdict("done", "", work)

    def _count_usage(self, done: PullRun) -> None:
        if done.outcome is None:
            return
        usage = done.outcome.result.usage
        for kind, count in (
            ("input", usage.input_tokens),
            ("output", usage.output_tokens),
            ("cache_read", usage.cache_read_input_tokens),
            ("cache_creation", usage.cache_creation_input_tokens),
        ):
            self.metrics.tokens.labels(kind).inc(count)
        self.metrics.cost.inc(usage.cost_usd)

    # ---------------------------------------------------------------- the end of a job

    def _finish(self, record: Record, owner: str, verdict: Verdict, seconds: float) -> None:
        store = self.queue.store
        attempts = record.attempts + 1
        # A reason may quote what GitHub, the model or the configuration said: no credential
        # in it reaches the log, the ledger or the pull request.
        state, reason = verdict.state, redact_text(verdict.reason)
        if state == "retry" and attempts < self.settings.attempts:
            delay = backoff(attempts, self.settings.retry_delay)
            if store.release(record.delivery, owner, WAITING, reason, attempts):
                self.queue.put(record.delivery, delay=delay)
            state = "retrying"
        else:
            if state == "retry":
                state = "failed"
            if state == "failed" and verdict.work is not None and not verdict.told:
                self._report_failure(verdict.work, reason, attempts)
            store.release(record.delivery, owner, state, reason, attempts)
        work = verdict.work
        self.metrics.jobs.labels(state).inc()
        self.metrics.job_seconds.labels(state).observe(seconds)
        log(
            "job",
            logging.WARNING if state in ("failed", "retrying") else logging.INFO,
            delivery=record.delivery,
            event=record.event,
            repository=work.repository if work else None,
            pr=work.number if work else None,
            head=record.head,
            outcome=state,
            reason=reason or None,
            attempt=attempts,
            duration_ms=round(seconds * 1000),
        )

    def _report_failure(self, work: Work, reason: str, attempts: int) -> None:
        """Say on the pull request that the review failed and why (best effort)."""
        try:
            with self._client(work) as gh:
                repo = GitHubRepo(gh, work.repository)
                earlier = find_summary(repo.issue_comments(work.number))
                body = failed_summary(
                    earlier.body if earlier else None,
                    head=work.head,
                    reason=reason,
                    attempts=attempts,
                )
                publisher = Publisher(
                    repo, prefix=repo.prefix, number=work.number, head_sha=work.head or ""
                )
                publisher.post_summary(body, existing_id=earlier.comment_id if earlier else None)
        except Exception as exc:  # the failure is in the ledger and the log either way
            log("could not post the failure summary", logging.WARNING, error=str(exc)[:200])


_LEVELS = {"notice": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}

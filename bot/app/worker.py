"""Consumers: huey worker threads that run jobs, plus a keeper thread that renews the leases
of running jobs and puts back the jobs of workers that died (their lease ran out).

`serve` runs them inside the web server's process (SQLite: one command runs everything);
`backend-review worker` runs them alone, on any number of machines (Redis). SIGTERM stops
taking jobs, gives running ones the grace time to finish, re-queues the rest, and exits.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from typing import Any

from bot.app.jobs import Jobs
from bot.app.logs import log

PRUNE_EVERY = 3600.0


class Workers:
    """`count` huey worker threads, the huey scheduler (delayed jobs) and the keeper."""

    def __init__(self, jobs: Jobs, count: int) -> None:
        from huey.consumer import Consumer

        self.jobs = jobs
        self.count = count
        jobs.queue.runner = jobs.run
        self.consumer: Any = Consumer(
            jobs.queue.huey,
            workers=max(count, 1),
            periodic=False,
            initial_delay=0.05,
            backoff=1.5,
            max_delay=0.5,
            scheduler_interval=1,
            worker_type="thread",
            check_worker_health=False,
            shutdown_timeout=jobs.settings.shutdown_grace,
        )
        self._stop = threading.Event()
        self._keeper = threading.Thread(target=self._keep, name="keeper", daemon=True)

    def start(self) -> None:
        """Start the threads (no signal handlers: the caller owns the process's signals)."""
        if self.count < 1:
            return
        # Import the review stages now: the first job should not pay seconds of SDK imports.
        import bot.llm.client
        import bot.pr.review  # noqa: F401

        self.consumer.scheduler.start()
        for _, thread in self.consumer.worker_threads:
            thread.start()
        self._keeper.start()
        log("workers started", workers=self.count, queue=self.jobs.queue.kind)

    def stop(self) -> None:
        """Stop taking jobs; wait up to the grace time for running ones; re-queue the rest.

        A re-queued job's thread may still be waiting on GitHub or the model: the process then
        exits at once rather than wait for it (its writes are idempotent if it ran on)."""
        if self.count < 1:
            return
        self.consumer.stop_flag.set()
        deadline = time.monotonic() + self.jobs.settings.shutdown_grace
        for _, thread in self.consumer.worker_threads:
            thread.join(max(deadline - time.monotonic(), 0))
        self._stop.set()
        back = self.jobs.requeue_running()
        log("workers stopped", requeued=back)
        if back:
            logging.shutdown()
            os._exit(0)

    def _keep(self) -> None:
        interval = max(min(self.jobs.settings.lock_ttl / 3, 10.0), 0.2)
        pruned = time.monotonic()
        while not self._stop.wait(interval):
            try:
                self.jobs.heartbeat()
                for delivery in self.jobs.queue.store.expired():
                    log("lease expired: job queued again", delivery=delivery)
                    self.jobs.queue.put(delivery)
                for delivery in self.jobs.queue.store.stale():
                    log("queued too long: job queued again", delivery=delivery)
                    self.jobs.queue.put(delivery)
                if time.monotonic() - pruned > PRUNE_EVERY:
                    self.jobs.queue.store.prune()
                    pruned = time.monotonic()
            except Exception as exc:  # the queue may be briefly unreachable; try again
                log("keeper: queue unreachable", logging.WARNING, error=type(exc).__name__)


def run_until_signal(workers: Workers) -> None:
    """The `worker` command: run until SIGTERM or SIGINT, then stop gracefully."""
    signals: list[int] = []

    def handle(signum: int, frame: object) -> None:
        signals.append(signum)  # nothing more: it may interrupt a log line being written

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    workers.start()
    while not signals:
        time.sleep(0.2)
    log("stopping")
    workers.stop()

"""Prometheus metrics of the App, in their own registry (one per server or worker process)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """Deliveries, queue depth, jobs, model use and GitHub's rate limit."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.deliveries = Counter(
            "backend_review_deliveries",
            "Webhook deliveries by event and outcome (queued, duplicate, ignored, refused).",
            ["event", "outcome"],
            registry=r,
        )
        self.queue_depth = Gauge(
            "backend_review_queue_depth",
            "Jobs waiting in the queue, scheduled ones included.",
            registry=r,
        )
        self.jobs = Counter(
            "backend_review_jobs", "Finished jobs by outcome.", ["outcome"], registry=r
        )
        self.job_seconds = Histogram(
            "backend_review_job_duration_seconds",
            "Job duration by outcome.",
            ["outcome"],
            buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
            registry=r,
        )
        self.tokens = Counter(
            "backend_review_model_tokens", "Model tokens by kind.", ["kind"], registry=r
        )
        self.cost = Counter(
            "backend_review_model_cost_usd", "Model cost in US dollars.", registry=r
        )
        self.rate_limit = Gauge(
            "backend_review_github_rate_limit_remaining",
            "GitHub's x-ratelimit-remaining on the last response read by a job.",
            registry=r,
        )

    def watch_depth(self, depth: Callable[[], int]) -> None:
        """Read the queue depth at scrape time (a failing queue reads as -1)."""

        def read() -> float:
            try:
                return float(depth())
            except Exception:
                return -1.0

        self.queue_depth.set_function(read)

    def render(self) -> bytes:
        return generate_latest(self.registry)

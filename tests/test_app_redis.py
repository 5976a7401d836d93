"""The App on a real redis-server: `serve --workers 0` receives, `backend-review worker`
processes review. Exactly once per delivery with two workers, crash safety under SIGKILL,
graceful SIGTERM, and a burst of pushes reviewed once at its last head."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.action_support import BASE, NAME, OWNER
from tests.app_support import (
    AppKey,
    Proc,
    app_env,
    deliver,
    free_port,
    get,
    install_app,
    pr_payload,
    start,
    wait_for,
)
from tests.emulators.anthropic import AnthropicEmulator, default_responder, delay
from tests.emulators.github import GitHubEmulator
from tests.test_e2e_action import KEY

pytestmark = pytest.mark.slow

MIGRATION = {
    "filename": "migrations/0002_status.sql",
    "status": "added",
    "patch": "@@ -0,0 +1,2 @@\n+ALTER TABLE orders ADD COLUMN status text NOT NULL;\n+SELECT * FROM orders;",
}


def add_pull(emu: GitHubEmulator, number: int, head: str) -> None:
    emu.add_pull(
        OWNER, NAME, number, title=f"Change {number}", body=None, files=[MIGRATION],
        head_sha=head, base_sha=BASE,
    )  # fmt: skip


def sha(n: int) -> str:
    return f"{n:040x}"


class Cluster:
    """One receiver and any number of worker processes on one Redis queue."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.tmp = tmp
        self.env = env
        self.server = start(["serve", "--port", "0", "--workers", "0"], env, tmp, ready="listening")
        self.workers: list[Proc] = []

    def worker(self, concurrency: int = 1, *extra: str) -> Proc:
        proc = start(
            ["worker", "--concurrency", str(concurrency), *extra],
            self.env,
            self.tmp,
            ready="workers started",
        )
        self.workers.append(proc)
        return proc

    def jobs(self, outcome: str | None = None) -> list[dict[str, Any]]:
        found = [j for w in self.workers for j in w.logs("job")]
        return [j for j in found if outcome is None or j["outcome"] == outcome]

    def close(self) -> None:
        for proc in [*self.workers, self.server]:
            if proc.popen.poll() is None:
                proc.stop()


@pytest.fixture
def cluster(
    tmp_path: Path,
    redis_url: str,
    github_emulator: GitHubEmulator,
    anthropic_emulator: AnthropicEmulator,
    app_key: AppKey,
) -> Iterator[Cluster]:
    github_emulator.add_repo(OWNER, NAME)
    install_app(github_emulator, app_key, [f"{OWNER}/{NAME}"])
    env = app_env(
        tmp_path, github_emulator, app_key, redis_url,
        ANTHROPIC_API_KEY=KEY, ANTHROPIC_BASE_URL=anthropic_emulator.url,
        BACKEND_REVIEW_APP_DEBOUNCE="1.5", BACKEND_REVIEW_APP_SHUTDOWN_GRACE="3",
    )  # fmt: skip
    group = Cluster(tmp_path, env)
    yield group
    group.close()


def summaries(emu: GitHubEmulator, number: int) -> list[dict[str, Any]]:
    return emu.issue_comments(OWNER, NAME, number)


def test_twenty_pulls_two_workers_each_reviewed_once(
    cluster: Cluster, github_emulator: GitHubEmulator
) -> None:
    for number in range(1, 21):
        add_pull(github_emulator, number, sha(number))
    metrics_port = free_port()
    cluster.worker(1, "--metrics-port", str(metrics_port))
    cluster.worker()
    for number in range(1, 21):
        status, _ = deliver(
            cluster.server.url,
            "pull_request",
            pr_payload(number, sha(number)),
            delivery=f"d{number}",
        )
        assert status == 202
    for number in (3, 7, 11):  # redeliveries repeat the id
        status, answer = deliver(
            cluster.server.url,
            "pull_request",
            pr_payload(number, sha(number)),
            delivery=f"d{number}",
        )
        assert (status, answer["status"]) == (200, "duplicate")
    wait_for(lambda: len(cluster.jobs()) >= 20, timeout=120)
    done = cluster.jobs("done")
    assert sorted(j["delivery"] for j in done) == sorted(f"d{n}" for n in range(1, 21))
    assert all(w.logs("job") for w in cluster.workers), "both workers took jobs"
    for number in range(1, 21):
        assert len(summaries(github_emulator, number)) == 1
        assert len(github_emulator.reviews(OWNER, NAME, number)) == 1
    status, text = get(f"http://127.0.0.1:{metrics_port}/metrics")
    took = len(cluster.workers[0].logs("job"))
    assert (
        status == 200 and f'backend_review_jobs_total{{outcome="done"}} {took}.0' in text.decode()
    )
    assert "backend_review_github_rate_limit_remaining" in text.decode()


def test_sigkill_mid_job_then_restart_completes_once(
    cluster: Cluster, github_emulator: GitHubEmulator, anthropic_emulator: AnthropicEmulator
) -> None:
    add_pull(github_emulator, 5, sha(5))
    anthropic_emulator.latency = 2.0
    first = cluster.worker()
    deliver(cluster.server.url, "pull_request", pr_payload(5, sha(5)), delivery="kill-me")
    wait_for(anthropic_emulator.message_requests, timeout=60)
    first.stop(signal.SIGKILL)
    assert github_emulator.reviews(OWNER, NAME, 5) == []
    anthropic_emulator.latency = 0.0
    second = cluster.worker()
    wait_for(lambda: second.logs("job"), timeout=60)  # the lease (3 s) ran out: queued again
    assert [j["outcome"] for j in second.logs("job")] == ["done"]
    assert any(line["msg"] == "lease expired: job queued again" for line in second.lines)
    assert len(summaries(github_emulator, 5)) == 1
    assert len(github_emulator.reviews(OWNER, NAME, 5)) == 1
    bodies = [c["body"] for c in github_emulator.review_comments(OWNER, NAME, 5)]
    assert len(bodies) == len(set(bodies))


def test_sigterm_finishes_or_requeues(
    cluster: Cluster, github_emulator: GitHubEmulator, anthropic_emulator: AnthropicEmulator
) -> None:
    """SIGTERM: no new jobs; running ones get the grace time (3 s): the quick one finishes,
    the slow one is re-queued and a restarted worker completes it, once."""
    add_pull(github_emulator, 6, sha(6))
    add_pull(github_emulator, 8, sha(8))

    def answer(body: dict[str, Any]) -> Any:
        return delay(30.0 if "Change 6" in json.dumps(body) else 1.0, default_responder(body))

    anthropic_emulator.responder = answer
    first = cluster.worker(concurrency=2)
    deliver(cluster.server.url, "pull_request", pr_payload(6, sha(6)), delivery="slow")
    deliver(cluster.server.url, "pull_request", pr_payload(8, sha(8)), delivery="quick")
    wait_for(lambda: len(anthropic_emulator.message_requests()) == 2, timeout=60)
    assert first.stop(signal.SIGTERM) == 0
    assert [(j["delivery"], j["outcome"]) for j in first.logs("job")] == [("quick", "done")]
    assert first.logs("workers stopped")[0]["requeued"] == ["slow"]
    assert github_emulator.reviews(OWNER, NAME, 6) == []
    anthropic_emulator.responder = default_responder
    second = cluster.worker()
    wait_for(lambda: second.logs("job"), timeout=60)
    assert [(j["delivery"], j["outcome"]) for j in second.logs("job")] == [("slow", "done")]
    assert len(summaries(github_emulator, 6)) == 1 and len(summaries(github_emulator, 8)) == 1


def test_five_pushes_in_a_second_one_review_of_the_last_head(
    cluster: Cluster, github_emulator: GitHubEmulator, anthropic_emulator: AnthropicEmulator
) -> None:
    """The receiver waits 1.5 s before queueing a push (debounce); by then the four older
    heads are replaced: their jobs end as superseded without a model request."""
    cluster.worker(concurrency=2)
    for push in range(1, 6):
        add_pull(github_emulator, 9, sha(100 + push))
        payload = pr_payload(9, sha(100 + push), action="opened" if push == 1 else "synchronize")
        status, _ = deliver(cluster.server.url, "pull_request", payload)
        assert status == 202
    wait_for(lambda: len(cluster.jobs()) >= 5, timeout=60)
    outcomes = sorted((j["outcome"], j["head"]) for j in cluster.jobs())
    assert outcomes == [("done", sha(105))] + [("superseded", sha(100 + p)) for p in range(1, 5)]
    [review] = github_emulator.reviews(OWNER, NAME, 9)
    assert review["commit_id"] == sha(105)
    assert len(anthropic_emulator.message_requests()) == 1

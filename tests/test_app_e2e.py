"""End to end through `backend-review serve` (SQLite queue, workers in the process): a signed
delivery ends in exactly what the Action posts for the same pull request."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.action_support import HEAD, NAME, NUMBER, OWNER, add_pr
from tests.app_support import (
    APP_ID,
    INSTALLATION,
    AppKey,
    Proc,
    app_env,
    deliver,
    install_app,
    pr_payload,
    start,
    wait_for,
)
from tests.emulators.anthropic import AnthropicEmulator, error
from tests.emulators.github import GitHubEmulator
from tests.test_e2e_action import KEY, MODEL_TITLE, model_answer, run_cli

EVENTS = Path(__file__).parent / "samples" / "events"


@pytest.fixture
def extra_env() -> dict[str, str]:
    """More environment for the server (a test parametrizes it)."""
    return {}


@pytest.fixture
def served(
    tmp_path: Path,
    github_emulator: GitHubEmulator,
    anthropic_emulator: AnthropicEmulator,
    app_key: AppKey,
    extra_env: dict[str, str],
) -> Iterator[Proc]:
    add_pr(github_emulator)
    install_app(github_emulator, app_key, [f"{OWNER}/{NAME}"])
    anthropic_emulator.responder = model_answer
    env = app_env(
        tmp_path, github_emulator, app_key, f"sqlite:///{tmp_path / 'queue.db'}",
        ANTHROPIC_API_KEY=KEY, ANTHROPIC_BASE_URL=anthropic_emulator.url, **extra_env,
    )  # fmt: skip
    proc = start(["serve", "--port", "0", "--workers", "2"], env, tmp_path, ready="listening")
    yield proc
    assert proc.stop() == 0
    assert not proc.logs("raw"), proc.logs("raw")


def jobs(proc: Proc) -> list[dict[str, Any]]:
    return proc.logs("job")


def posted(emu: GitHubEmulator) -> tuple[list[tuple[Any, ...]], list[str]]:
    """Inline comments and summaries, with what differs between any two runs (token counts of a
    prompt holding a random nonce, the time taken) blanked."""
    comments = sorted(
        (c["path"], c["line"], c["body"]) for c in emu.review_comments(OWNER, NAME, NUMBER)
    )
    summaries = [
        re.sub(r"^(\| \d+ \|.*\$.*|Time: .*)$", "-", str(c["body"]), flags=re.MULTILINE)
        for c in emu.issue_comments(OWNER, NAME, NUMBER)
    ]
    return comments, summaries


def test_opened_is_reviewed_as_the_action_would(
    tmp_path: Path,
    served: Proc,
    github_emulator: GitHubEmulator,
    anthropic_emulator: AnthropicEmulator,
    app_key: AppKey,
) -> None:
    status, _ = deliver(served.url, "pull_request", pr_payload(NUMBER, HEAD), delivery="e2e-1")
    assert status == 202
    wait_for(lambda: jobs(served))
    [job] = jobs(served)
    assert job["outcome"] == "done" and job["pr"] == NUMBER and job["head"] == HEAD
    assert len(github_emulator.reviews(OWNER, NAME, NUMBER)) == 1
    [summary] = github_emulator.issue_comments(OWNER, NAME, NUMBER)
    assert summary["user"]["login"] == "backend-review[bot]"
    app = posted(github_emulator)
    assert anthropic_emulator.message_requests()

    # The same pull request reviewed by the Action posts the same comments and summary.
    github_emulator.reset()
    anthropic_emulator.reset()
    add_pr(github_emulator)
    anthropic_emulator.responder = model_answer
    proc = run_cli(tmp_path, github_emulator, anthropic_emulator, "pull_request_opened", model=True)
    assert proc.returncode == 0, proc.stderr
    assert posted(github_emulator) == app


def test_slash_command_checks_permission(
    served: Proc, github_emulator: GitHubEmulator, anthropic_emulator: AnthropicEmulator
) -> None:
    """/backend-review from a reader: a short reply, no review, no model request."""
    github_emulator.set_permission(OWNER, NAME, "rita", "read")
    payload = json.loads((EVENTS / "issue_comment_reader.json").read_text())
    payload["installation"] = {"id": 777}
    status, _ = deliver(served.url, "issue_comment", payload)
    assert status == 202
    wait_for(lambda: jobs(served))
    [reply] = github_emulator.issue_comments(OWNER, NAME, NUMBER)
    assert "write access" in str(reply["body"])
    assert github_emulator.reviews(OWNER, NAME, NUMBER) == []
    assert anthropic_emulator.message_requests() == []


def test_transient_failures_retry_then_fail_with_a_summary(
    served: Proc, github_emulator: GitHubEmulator
) -> None:
    """GitHub keeps answering 502: bounded retries (4 attempts), then `failed`, and the summary
    comment says the review failed and why."""
    github_emulator.fail_next("GET", rf"/pulls/{NUMBER}$", 502, times=1000)
    status, _ = deliver(served.url, "pull_request", pr_payload(NUMBER, HEAD), delivery="e2e-502")
    assert status == 202
    wait_for(lambda: any(j["outcome"] == "failed" for j in jobs(served)), timeout=60)
    outcomes = [j["outcome"] for j in jobs(served)]
    assert outcomes == ["retrying", "retrying", "retrying", "failed"]
    [summary] = github_emulator.issue_comments(OWNER, NAME, NUMBER)
    assert "could not finish" in summary["body"] and "502" in summary["body"]
    assert "backend-review:summary" in summary["body"]


@pytest.mark.parametrize(
    "extra_env", [{"BACKEND_REVIEW_APP_RETRY_DELAY": "3", "BACKEND_REVIEW_MODEL_RETRIES": "0"}]
)
def test_model_overloaded_then_retried(
    served: Proc, github_emulator: GitHubEmulator, anthropic_emulator: AnthropicEmulator
) -> None:
    """The model answers 529: the static findings are posted (as the Action does), the job is
    retried after its backoff, and the retry adds the model's finding without repeating any."""
    overloaded = [True]

    def answer(body: dict[str, Any]) -> Any:
        return error(529) if overloaded[0] else model_answer(body)

    anthropic_emulator.responder = answer
    deliver(served.url, "pull_request", pr_payload(NUMBER, HEAD), delivery="e2e-529")
    wait_for(lambda: jobs(served), timeout=60)
    overloaded[0] = False
    [first] = jobs(served)
    assert first["outcome"] == "retrying" and "529" in first["reason"]
    static = len(github_emulator.review_comments(OWNER, NAME, NUMBER))
    assert static > 0
    wait_for(lambda: len(jobs(served)) == 2, timeout=60)
    assert jobs(served)[1]["outcome"] == "done"
    bodies = [c["body"] for c in github_emulator.review_comments(OWNER, NAME, NUMBER)]
    assert len(bodies) == static + 1 == len(set(bodies))
    assert sum(MODEL_TITLE in b for b in bodies) == 1
    [summary] = github_emulator.issue_comments(OWNER, NAME, NUMBER)
    assert "Model review complete" in summary["body"]


def test_check_run_rerequested_reviews_the_head_again_without_repeats(
    served: Proc, github_emulator: GitHubEmulator, anthropic_emulator: AnthropicEmulator
) -> None:
    """Re-run on the App's backend-review check run: a full review of the same head, in a new
    check run, that asks the model again and posts nothing twice."""
    deliver(served.url, "pull_request", pr_payload(NUMBER, HEAD), delivery="e2e-first")
    wait_for(lambda: jobs(served))
    runs = github_emulator.state.repos[(OWNER, NAME)].check_runs
    [first] = runs.values()
    assert first["status"] == "completed"
    before = posted(github_emulator)
    asked = len(anthropic_emulator.message_requests())
    data = pr_payload(NUMBER, HEAD)
    payload = {
        "action": "rerequested",
        "check_run": {
            "id": first["id"],
            "name": "backend-review",
            "head_sha": HEAD,
            "status": "completed",
            "app": {"id": APP_ID, "slug": "backend-review"},
            "pull_requests": [{"number": NUMBER, "head": {"sha": HEAD}}],
        },
        "repository": data["repository"],
        "sender": data["sender"],
        "installation": {"id": INSTALLATION},
    }
    status, _ = deliver(served.url, "check_run", payload, delivery="e2e-rerun")
    assert status == 202
    wait_for(lambda: len(jobs(served)) == 2, timeout=60)
    assert jobs(served)[1]["outcome"] == "done"
    assert len(anthropic_emulator.message_requests()) > asked  # reviewed again, in full
    assert len(runs) == 2 and all(r["status"] == "completed" for r in runs.values())
    assert posted(github_emulator)[0] == before[0]  # the same inline comments, none twice
    assert len(github_emulator.issue_comments(OWNER, NAME, NUMBER)) == 1

"""The Action's check run, SARIF file and progress lines, in-process against the emulators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.action.main import run_action
from bot.github.client import RequestFailedError
from tests.action_support import HEAD, NAME, OWNER, action_env, add_pr, event_file, outputs
from tests.emulators.anthropic import AnthropicEmulator, tool_use
from tests.emulators.github import GitHubEmulator

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())


def run(
    tmp_path: Path, emu: GitHubEmulator, sample: str = "pull_request_opened", **env: str
) -> int:
    path = event_file(tmp_path, sample)
    return run_action(dry_run=False, environ=action_env(tmp_path, emu, "pull_request", path, **env))


def check_runs(emu: GitHubEmulator) -> list[dict[str, Any]]:
    return list(emu.state.repos[(OWNER, NAME)].check_runs.values())


def test_check_run_and_sarif_file(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    """in_progress on the head first, then completed with one annotation per finding; the SARIF
    file holds one result per finding; both are in the outputs."""
    add_pr(github_emulator)
    sarif = tmp_path / "out" / "backend-review.sarif"
    assert run(tmp_path, github_emulator, BACKEND_REVIEW_SARIF_FILE=str(sarif)) == 0
    first = github_emulator.requests
    posts = [r for r in first if r.method == "POST"]
    assert posts[0].path.endswith("/check-runs") and posts[0].body["status"] == "in_progress"
    [check] = check_runs(github_emulator)
    out = outputs(tmp_path)
    total = int(out["findings-total"])
    assert check["head_sha"] == HEAD and check["status"] == "completed"
    assert check["conclusion"] == "neutral" and len(check["_annotations"]) == total
    assert check["output"]["title"].startswith(f"{total} findings")
    assert "backend-review" in check["output"]["summary"]
    assert out["check-run-url"] == check["html_url"]
    assert out["sarif-file"] == str(sarif)
    doc = json.loads(sarif.read_text())
    assert not list(jsonschema.Draft4Validator(SCHEMA).iter_errors(doc))
    assert len(doc["runs"][0]["results"]) == total


def test_fail_on_gives_failure(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    add_pr(github_emulator)
    assert run(tmp_path, github_emulator, BACKEND_REVIEW_FAIL_ON="high") == 1
    [check] = check_runs(github_emulator)
    assert check["conclusion"] == "failure"


def test_no_findings_gives_success(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    add_pr(github_emulator, files=[{"filename": "README.md", "patch": "@@ -1 +1 @@\n-a\n+b"}])
    assert run(tmp_path, github_emulator) == 0
    [check] = check_runs(github_emulator)
    assert check["conclusion"] == "success" and check["_annotations"] == []


def test_check_run_false_sends_none(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    add_pr(github_emulator)
    assert run(tmp_path, github_emulator, BACKEND_REVIEW_CHECK_RUN="false") == 0
    assert github_emulator.count(None, r"/check-runs") == 0
    out = outputs(tmp_path)
    assert out["check-run-url"] == "" and out["sarif-file"] == ""


def test_token_without_checks_write_reviews_anyway(
    tmp_path: Path, github_emulator: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """403 on the check run: a notice, the review is still posted, exit 0."""
    add_pr(github_emulator)
    github_emulator.set_token("test-token", checks=False)
    assert run(tmp_path, github_emulator) == 0
    assert check_runs(github_emulator) == []
    assert github_emulator.reviews(OWNER, NAME, 42)
    log = capsys.readouterr().out
    assert "::notice::backend-review: check run not created" in log and "checks: write" in log
    assert outputs(tmp_path)["check-run-url"] == ""


def test_forks_read_only_token(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    """A fork's token: no check run and no review, exit 0, the review in the job summary."""
    add_pr(github_emulator, fork=True)
    github_emulator.set_token("test-token", read_only=True)
    assert run(tmp_path, github_emulator, "pull_request_fork") == 0
    assert check_runs(github_emulator) == [] and github_emulator.write_count() == 2  # both refused
    assert "Not posted on the pull request" in (tmp_path / "summary.md").read_text()


def test_a_review_that_stops_fails_its_check_run(
    tmp_path: Path, github_emulator: GitHubEmulator
) -> None:
    """GitHub failing mid-review: the check run is completed as failed, never left running."""
    add_pr(github_emulator)
    github_emulator.fail_next("GET", r"/pulls/42/comments$", 500, times=10)
    with pytest.raises(RequestFailedError):
        run(tmp_path, github_emulator)
    [check] = check_runs(github_emulator)
    assert check["status"] == "completed" and check["conclusion"] == "failure"
    assert "500" in check["output"]["summary"]


def test_one_log_line_per_model_request(
    tmp_path: Path,
    github_emulator: GitHubEmulator,
    anthropic_emulator: AnthropicEmulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_pr(github_emulator)
    anthropic_emulator.enqueue(tool_use({"summary": "s", "findings": []}))
    code = run(
        tmp_path,
        github_emulator,
        ANTHROPIC_API_KEY="k",
        ANTHROPIC_BASE_URL=anthropic_emulator.url,
    )
    assert code == 0
    lines = [x for x in capsys.readouterr().out.splitlines() if "model requests" in x]
    assert len(lines) == len(anthropic_emulator.message_requests()) == 1
    assert lines[0].startswith("backend-review: model requests 1/1, ") and "tokens" in lines[0]

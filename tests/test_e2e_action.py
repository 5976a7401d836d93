"""`backend-review action` as a subprocess, as the runner starts it: a real event file, the runner's
environment, the GitHub emulator for GitHub and the Anthropic emulator for Claude."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.action_support import (
    HEAD,
    NAME,
    NUMBER,
    OWNER,
    action_env,
    add_pr,
    event_file,
    outputs,
)
from tests.emulators.anthropic import AnthropicEmulator, ToolUse
from tests.emulators.github import GitHubEmulator

ROOT = Path(__file__).parent.parent
MIGRATION = "migrations/versions/20261120_add_order_status.py"
MODEL_TITLE = "Backfill runs in the same transaction as the schema change"
TOKEN = "ghs_e2eSecretToken0123456789"
KEY = "sk-ant-e2e-secret-key"


def model_answer(body: dict[str, Any]) -> ToolUse:
    """One model finding on the migration (an added file, so line 5 is in the diff) when shown it."""
    findings = []
    if MIGRATION in json.dumps(body):
        findings.append(
            {
                "path": MIGRATION,
                "line": 5,
                "severity": "high",
                "category": "database",
                "title": MODEL_TITLE,
                "body": "Split the backfill into its own migration so the lock is short.",
            }
        )
    return ToolUse({"summary": "One risky migration.", "findings": findings})


def run_cli(
    tmp_path: Path,
    gh: GitHubEmulator,
    claude: AnthropicEmulator,
    sample: str,
    *,
    comment_id: int | None = None,
    model: bool = False,
    **extra: str,
) -> subprocess.CompletedProcess[str]:
    """Start the installed package like the runner does. `model`: give it an Anthropic key
    (the SDK import alone costs seconds, so only the tests about the model pay for it)."""
    name = next(
        n for n in ("pull_request", "issue_comment", "workflow_dispatch") if sample.startswith(n)
    )
    path = event_file(tmp_path, sample, comment_id=comment_id)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        **action_env(tmp_path, gh, name, path, GITHUB_TOKEN=TOKEN),
        **({"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": claude.url} if model else {}),
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "action"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def gh(github_emulator: GitHubEmulator) -> GitHubEmulator:
    github_emulator.set_token(TOKEN)
    github_emulator.set_token("ro-token", read_only=True)
    github_emulator.set_token("test-token", login="alice", type="User")  # github_client
    add_pr(github_emulator)
    return github_emulator


@pytest.fixture
def claude(anthropic_emulator: AnthropicEmulator) -> AnthropicEmulator:
    anthropic_emulator.responder = model_answer
    return anthropic_emulator


def no_secrets(proc: subprocess.CompletedProcess[str], tmp_path: Path) -> None:
    """Tokens never reach logs, the job summary or the outputs."""
    texts = [proc.stdout, proc.stderr, *(p.read_text() for p in tmp_path.glob("*.md"))]
    texts.append((tmp_path / "output.txt").read_text())
    for text in texts:
        assert TOKEN not in text and KEY not in text


def test_pull_request_twice(tmp_path: Path, gh: GitHubEmulator, claude: AnthropicEmulator) -> None:
    """opened: one review + one summary; the same event again adds nothing and edits the summary."""
    first = run_cli(tmp_path, gh, claude, "pull_request_opened", model=True)
    assert first.returncode == 0, first.stderr
    comments = gh.review_comments(OWNER, NAME, NUMBER)
    assert len(gh.reviews(OWNER, NAME, NUMBER)) == 1 and comments
    [summary] = gh.issue_comments(OWNER, NAME, NUMBER)
    assert "backend-review:summary head=" + HEAD in str(summary["body"])
    assert claude.message_requests()
    assert sum(MODEL_TITLE in str(c["body"]) for c in comments) == 1
    out = outputs(tmp_path)
    assert out["reviewed-sha"] == HEAD and out["summary-comment-url"] == summary["html_url"]
    assert "## " in (tmp_path / "summary.md").read_text()
    no_secrets(first, tmp_path)

    second = run_cli(tmp_path, gh, claude, "pull_request_opened", model=True)
    assert second.returncode == 0, second.stderr
    assert gh.review_comments(OWNER, NAME, NUMBER) == comments
    assert len(gh.reviews(OWNER, NAME, NUMBER)) == 1
    assert len(gh.issue_comments(OWNER, NAME, NUMBER)) == 1
    assert gh.count("POST", r"/issues/42/comments$") == 1


def test_slash_command(
    tmp_path: Path, gh: GitHubEmulator, claude: AnthropicEmulator, github_client: Any
) -> None:
    """/backend-review from a writer: eyes on the comment, then the review."""
    cid = github_client.rest.issues.create_comment(
        OWNER, NAME, NUMBER, body="/backend-review"
    ).parsed_data.id
    proc = run_cli(tmp_path, gh, claude, "issue_comment_review", comment_id=cid, model=True)
    assert proc.returncode == 0, proc.stderr
    assert [r["content"] for r in gh.reactions(OWNER, NAME, cid)] == ["eyes"]
    assert len(gh.reviews(OWNER, NAME, NUMBER)) == 1
    assert len(claude.message_requests()) >= 1


def test_slash_command_refused(
    tmp_path: Path, gh: GitHubEmulator, claude: AnthropicEmulator
) -> None:
    """A reader's /backend-review gets a short reply and costs no model request."""
    gh.set_permission(OWNER, NAME, "rita", "read")
    proc = run_cli(tmp_path, gh, claude, "issue_comment_reader")
    assert proc.returncode == 0, proc.stderr
    [reply] = gh.issue_comments(OWNER, NAME, NUMBER)
    assert "write access" in str(reply["body"])
    assert gh.reviews(OWNER, NAME, NUMBER) == [] and claude.message_requests() == []


def test_help(tmp_path: Path, gh: GitHubEmulator, claude: AnthropicEmulator) -> None:
    proc = run_cli(tmp_path, gh, claude, "issue_comment_help")
    assert proc.returncode == 0, proc.stderr
    [reply] = gh.issue_comments(OWNER, NAME, NUMBER)
    assert "/backend-review full" in str(reply["body"])


def test_workflow_dispatch(tmp_path: Path, gh: GitHubEmulator, claude: AnthropicEmulator) -> None:
    """workflow_dispatch with string inputs ("42", "true") reviews the PR."""
    proc = run_cli(tmp_path, gh, claude, "workflow_dispatch_full")
    assert proc.returncode == 0, proc.stderr
    assert len(gh.reviews(OWNER, NAME, NUMBER)) == 1
    assert "Full review" in str(gh.issue_comments(OWNER, NAME, NUMBER)[0]["body"])


def test_fork_read_only_token(
    tmp_path: Path, gh: GitHubEmulator, claude: AnthropicEmulator
) -> None:
    """A fork under pull_request: 403 on writes -> the review in the job summary, exit 0."""
    proc = run_cli(tmp_path, gh, claude, "pull_request_fork", GITHUB_TOKEN="ro-token")
    assert proc.returncode == 0, proc.stderr
    assert "::notice::" in proc.stdout and "job summary" in proc.stdout
    assert gh.reviews(OWNER, NAME, NUMBER) == [] and gh.issue_comments(OWNER, NAME, NUMBER) == []
    assert "openapi.yaml:24" in (tmp_path / "summary.md").read_text()


def test_one_bad_comment(tmp_path: Path, gh: GitHubEmulator, claude: AnthropicEmulator) -> None:
    """GitHub refuses one anchor with the legacy 422: the rest are posted, that one summarised."""
    gh.review_error_style = "legacy"
    pmap = gh.state.repos[(OWNER, NAME)].pulls[NUMBER].maps["openapi.yaml"]
    pmap.lines = [e for e in pmap.lines if 46 not in (e.old, e.new)]
    proc = run_cli(tmp_path, gh, claude, "pull_request_opened")
    assert proc.returncode == 0, proc.stderr
    posted = {(c["path"], c["line"]) for c in gh.review_comments(OWNER, NAME, NUMBER)}
    assert ("openapi.yaml", 24) in posted and ("openapi.yaml", 46) not in posted
    assert "GitHub refused" in str(gh.issue_comments(OWNER, NAME, NUMBER)[0]["body"])


def test_bad_event_is_exit_2(tmp_path: Path, gh: GitHubEmulator, claude: AnthropicEmulator) -> None:
    bad = tmp_path / "event.json"
    bad.write_text("{not json")
    proc = run_cli(tmp_path, gh, claude, "pull_request_opened", GITHUB_EVENT_PATH=str(bad))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "not JSON" in proc.stderr
    assert gh.requests == []


def test_dry_run(tmp_path: Path, gh: GitHubEmulator, claude: AnthropicEmulator) -> None:
    """--dry-run input: the exact requests as JSON lines on stdout, nothing written."""
    proc = run_cli(tmp_path, gh, claude, "pull_request_opened", BACKEND_REVIEW_DRY_RUN="true")
    assert proc.returncode == 0, proc.stderr
    sent = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert [s["method"] for s in sent] == ["POST", "POST", "POST", "PATCH"]  # check run around
    assert gh.write_count() == 0

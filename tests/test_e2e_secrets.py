"""A pull request full of credentials, end to end: none reaches the model, none our output.

AWS key pairs, GitHub tokens, Stripe live keys, Slack tokens, passwords in database URLs and PEM
private keys, in the diff, in the nearby code the model is shown, in the PR title and in its
description. The Anthropic emulator records every request; every output format is searched.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal

import anthropic
import pytest

from bot.cli import main
from bot.config import RepoConfig
from bot.diff import parse_diff
from bot.llm.client import ModelReviewer
from bot.local.output import to_json, to_text
from bot.models import LineScope
from bot.review.pipeline import run_review
from bot.review.render import render_job_summary, render_summary
from bot.review.result import ReviewRequest, ReviewResult
from tests import secret_samples as S
from tests.action_support import (
    BASE,
    HEAD,
    NAME,
    NUMBER,
    OWNER,
    action_env,
    event_file,
    files_from_diff,
)
from tests.emulators.anthropic import AnthropicEmulator, ToolUse
from tests.emulators.github import GitHubEmulator

TOKEN = "ghs_e2eSecretsToken0123456789"


def _assert_clean(text: str, where: str) -> None:
    leaked = [v for v in S.VALUES if v in text]
    assert not leaked, f"{where} holds {len(leaked)} credential(s)"


def _model_answer(body: dict[str, Any]) -> ToolUse:
    """A finding that quotes a placeholder and suggests code with it (the model saw no key)."""
    return ToolUse(
        {
            "summary": "Keys in code: [REDACTED stripe-live-key].",
            "findings": [
                {
                    "path": S.PAYMENTS,
                    "line": 6,
                    "severity": "critical",
                    "category": "security",
                    "title": "Stripe key in the module",
                    "body": "`stripe_key` holds [REDACTED stripe-live-key]: read it from settings.",
                    "suggestion": 'stripe_key = "[REDACTED stripe-live-key]"',
                }
            ],
        }
    )


class _Heads:
    """The head text of the backend file, for the nearby code the model is shown."""

    def read(self, path: str, *, side: Literal["base", "head"]) -> str | None:
        return "\n".join(S.PAYMENTS_HEAD) + "\n" if path == S.PAYMENTS else None


def _review(claude: AnthropicEmulator) -> ReviewResult:
    async def go() -> ReviewResult:
        client = anthropic.AsyncAnthropic(api_key="k", base_url=claude.url, max_retries=0)
        reviewer = ModelReviewer(client, model="claude-test", max_tokens=2000, concurrency=2)
        try:
            request = ReviewRequest(
                files=parse_diff(S.DIFF.encode()),
                title=S.TITLE,
                description=S.DESCRIPTION,
                source=_Heads(),
            )
            return await run_review(request, config=RepoConfig(), model=reviewer)
        finally:
            await reviewer.aclose()

    return asyncio.run(go())


def test_no_credential_reaches_the_model_or_any_output(
    anthropic_emulator: AnthropicEmulator,
) -> None:
    """Redacted in diff lines, nearby code, title and description; absent from the comments,
    the summary, the job summary, JSON, text and markdown; each credential flagged."""
    anthropic_emulator.responder = _model_answer
    result = _review(anthropic_emulator)
    [request] = anthropic_emulator.message_requests()
    sent = json.dumps(request.body)
    _assert_clean(sent, "the model request")
    user = request.body["messages"][0]["content"][0]["text"]
    for kind in (
        "aws-access-key-id",
        "stripe-live-key",
        "password-in-url",
        "github-token",
        "private-key",
        "aws-secret-access-key",
    ):
        assert f"[REDACTED {kind}]" in user, kind
    assert "Pull request title: Payments: use key [REDACTED aws-access-key-id] for now" in user
    assert "Nearby unchanged code" in user and "LEGACY_AWS_KEY_ID" in user
    assert result.model_status == "ok"
    outputs = {
        "comments": "\n".join(c.body for c in result.comments),
        "summary": render_summary(result),
        "job summary": render_job_summary(result),
        "json": to_json(result),
        "text": to_text(result, colour=False),
        "notes": "\n".join(result.model_notes + result.model_summaries),
    }
    for where, text in outputs.items():
        _assert_clean(text, where)
    secret_rules = [f for f in result.findings if f.rule == "hardcoded-secret"]
    assert len(secret_rules) == 17
    model = [f for f in result.findings if f.source == "model" or "Reviewer's note" in f.body]
    assert all(f.suggestion is None or "[REDACTED" not in f.suggestion for f in model)


def test_the_cli_prints_no_credential_in_any_format(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    anthropic_emulator: AnthropicEmulator,
) -> None:
    """`backend-review review` with the model: every format, stdout and stderr."""
    diff = tmp_path / "pr.diff"
    diff.write_text(S.DIFF)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", anthropic_emulator.url)
    monkeypatch.setenv("BACKEND_REVIEW_MODEL_RETRIES", "0")
    anthropic_emulator.responder = _model_answer
    for fmt in ("json", "markdown", "text", "sarif", "rdjson"):
        code = main(["review", str(diff), "--format", fmt, "--repo", str(tmp_path)])
        out = capsys.readouterr()
        assert code == 0, out.err
        _assert_clean(out.out + out.err, fmt)
    for request in anthropic_emulator.message_requests():
        _assert_clean(json.dumps(request.body), "a model request")


def test_the_action_posts_and_logs_no_credential(
    tmp_path: Path, github_emulator: GitHubEmulator, anthropic_emulator: AnthropicEmulator
) -> None:
    """`backend-review action` as a subprocess: every GitHub write, the model requests, the
    log, the job summary and the step outputs are free of credentials; each is flagged."""
    gh = github_emulator
    gh.set_token(TOKEN)
    gh.add_repo(OWNER, NAME)
    gh.add_pull(
        OWNER,
        NAME,
        NUMBER,
        title=S.TITLE,
        body=S.DESCRIPTION,
        files=files_from_diff(S.DIFF),
        head_sha=HEAD,
        base_sha=BASE,
    )
    gh.add_file_content(OWNER, NAME, S.PAYMENTS, HEAD, "\n".join(S.PAYMENTS_HEAD) + "\n")
    anthropic_emulator.responder = _model_answer
    path = event_file(tmp_path, "pull_request_opened")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        **action_env(tmp_path, gh, "pull_request", path, GITHUB_TOKEN=TOKEN),
        "ANTHROPIC_API_KEY": "k",
        "ANTHROPIC_BASE_URL": anthropic_emulator.url,
        "BACKEND_REVIEW_MAX_INLINE_COMMENTS": "50",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "action"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    _assert_clean(proc.stdout + proc.stderr, "the log")
    _assert_clean((tmp_path / "summary.md").read_text(), "the job summary")
    _assert_clean((tmp_path / "output.txt").read_text(), "the step outputs")
    for request in gh.requests:
        _assert_clean(json.dumps(request.body), f"{request.method} {request.path}")
    assert anthropic_emulator.message_requests()
    for request in anthropic_emulator.message_requests():
        _assert_clean(json.dumps(request.body), "a model request")
    posted = gh.review_comments(OWNER, NAME, NUMBER)
    assert sum("`hardcoded-secret`" in str(c["body"]) for c in posted) == 17


def test_an_error_that_quotes_the_input_quotes_no_credential(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A malformed hunk header holding a key is quoted in the one-line error, redacted."""
    bad = tmp_path / "bad.diff"
    bad.write_text(f'--- a/x\n+++ b/x\n@@ -1 +x @@ k = "{S.AWS_KEY_ID}"\n+x\n')
    assert main(["review", str(bad), "--no-llm"]) == 2
    err = capsys.readouterr().err
    assert "bad hunk header" in err and "[REDACTED aws-access-key-id]" in err
    _assert_clean(err, "the error")


def test_an_incremental_review_flags_only_new_secrets_but_redacts_all(
    anthropic_emulator: AnthropicEmulator,
) -> None:
    """On a push, a key on lines reviewed before is not flagged again (it was then), but it is
    still redacted in what the model is shown; a file-level model finding on a pushed file
    stays in scope."""
    files = parse_diff(S.DIFF.encode())
    scope = LineScope(since="c" * 40, new={S.PAYMENTS: frozenset({7})})
    anthropic_emulator.responder = lambda body: ToolUse(
        {
            "summary": "s",
            "findings": [
                {**_model_answer(body).input["findings"][0], "line": "n/a", "title": "File"}
            ],
        }
    )

    async def go() -> ReviewResult:
        client = anthropic.AsyncAnthropic(
            api_key="k", base_url=anthropic_emulator.url, max_retries=0
        )
        reviewer = ModelReviewer(client, model="claude-test", max_tokens=2000, concurrency=1)
        try:
            request = ReviewRequest(files=files, title=S.TITLE, scope=scope, source=_Heads())
            return await run_review(request, config=RepoConfig(), model=reviewer)
        finally:
            await reviewer.aclose()

    result = asyncio.run(go())
    secrets = [(f.path, f.line) for f in result.findings if f.rule == "hardcoded-secret"]
    assert secrets == [(S.PAYMENTS, 7)]
    assert any(f.file_level and f.title == "File" for f in result.findings)
    for request in anthropic_emulator.message_requests():
        _assert_clean(json.dumps(request.body), "a model request")

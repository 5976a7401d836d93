"""The orchestrated review with the model: merged findings, thresholds, failures, the CLI."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import anthropic
import pytest

from bot.cli import main
from bot.config import RepoConfig
from bot.diff import parse_diff
from bot.llm.client import ModelReviewer
from bot.local.output import to_json
from bot.review.pipeline import run_review
from bot.review.render import render_job_summary, render_summary
from bot.review.result import ReviewRequest, ReviewResult
from tests.emulators.anthropic import AnthropicEmulator, error, tool_use

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "orders-api.diff"
N_PLUS_ONE_API = {
    "path": "app/api/orders.py",
    "line": 19,
    "severity": "medium",
    "category": "api-design",
    "title": "Required status filter with no pagination contract",
    "body": "`status` is required and the list is unbounded; add `limit` and a cursor.",
}
MIGRATION = {
    "path": "migrations/versions/20261120_add_order_status.py",
    "line": 26,
    "severity": "high",
    "category": "database",
    "title": "Downgrade cannot restore legacy_ref values",
    "body": "The upgrade drops the data; copy it to a backup table first or make it one-way.",
}
LOW = {**MIGRATION, "line": 27, "severity": "low", "title": "Order of drops", "body": "Minor."}


def _run(
    emulator: AnthropicEmulator, config: RepoConfig | None = None, **kw: object
) -> ReviewResult:
    files = parse_diff(EXAMPLE.read_bytes())

    async def go() -> ReviewResult:
        client = anthropic.AsyncAnthropic(
            api_key="test-key", base_url=emulator.url, max_retries=0, timeout=5
        )
        reviewer = ModelReviewer(client, model="claude-sonnet-5-5", max_tokens=4000, concurrency=4)
        try:
            return await run_review(
                ReviewRequest(files=files, title="Order listing", description="Adds listing."),
                config=config or RepoConfig(),
                model=reviewer,
                **kw,  # type: ignore[arg-type]
            )
        finally:
            await reviewer.aclose()

    return asyncio.run(go())


def test_model_and_static_findings_are_merged_and_placed(
    anthropic_emulator: AnthropicEmulator,
) -> None:
    """Model findings join the static ones, are placed inline, and the usage is reported."""
    anthropic_emulator.enqueue(
        tool_use({"summary": "Migration first.", "findings": [MIGRATION, N_PLUS_ONE_API]})
    )
    result = _run(anthropic_emulator)
    sources = {(f.source, f.path, f.line) for f in result.findings}
    assert ("model", MIGRATION["path"], 26) in sources
    assert any(s == "static" for s, _, _ in sources)
    inline = {(c.path, c.line) for c in result.comments}
    assert (MIGRATION["path"], 26) in inline
    assert result.model_status == "ok" and result.usage.requests == 1
    assert result.model_summaries == ["Migration first."]
    assert result.model == "claude-sonnet-5-5"


def test_min_severity_drops_findings_below_it(anthropic_emulator: AnthropicEmulator) -> None:
    """Findings under `min_severity` are not posted, the model's and the static ones alike,
    but the summary, the job summary and the outputs say how many and why."""
    anthropic_emulator.enqueue(tool_use({"summary": "s", "findings": [MIGRATION, LOW]}))
    result = _run(anthropic_emulator, RepoConfig(min_severity="medium"))
    assert all(f.severity in ("critical", "high", "medium") for f in result.findings)
    assert not any(f.title == "Order of drops" for f in result.findings)
    assert any(f.title == MIGRATION["title"] for f in result.findings)
    assert result.not_shown["low"] >= 1 and result.min_severity == "medium"
    low = result.not_shown["low"]
    line = f"{low} low finding{'s' if low > 1 else ''}"
    assert f"{line} not shown (min_severity: medium)" in render_summary(result)
    assert "not shown (min_severity: medium)" in render_job_summary(result)
    assert json.loads(to_json(result))["not_shown"]["counts"]["low"] == low


def test_a_failed_model_keeps_the_static_review(anthropic_emulator: AnthropicEmulator) -> None:
    """The model failing leaves the static findings, status failed, and the files unseen."""
    anthropic_emulator.responder = lambda body: error(529)
    result = _run(anthropic_emulator)
    assert result.model_status == "failed"
    assert result.findings and all(f.source == "static" for f in result.findings)
    assert "HTTP 529 overloaded_error" in " ".join(result.model_notes)
    assert {p for p, _ in result.unseen_by_model} >= {"app/api/orders.py"}


def test_without_a_model_the_reason_is_given() -> None:
    """No reviewer: status skipped with the caller's reason."""
    files = parse_diff(EXAMPLE.read_bytes())
    result = asyncio.run(
        run_review(ReviewRequest(files=files), config=RepoConfig(), skip_model_reason="no key")
    )
    assert result.model_status == "skipped" and result.model_notes == ["no key"]


def test_cli_with_a_key_reviews_the_example_with_the_model(
    anthropic_emulator: AnthropicEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`review examples/orders-api.diff --format json` with a key returns the model's findings."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", anthropic_emulator.url)
    anthropic_emulator.enqueue(tool_use({"summary": "s", "findings": [MIGRATION]}))
    code = main(["review", str(EXAMPLE), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["model"]["status"] == "ok"
    assert any(f["source"] == "model" and f["title"] == MIGRATION["title"] for f in doc["findings"])
    assert any(c["path"] == MIGRATION["path"] and c["line"] == 26 for c in doc["comments"])
    assert doc["usage"]["requests"] == 1 and doc["usage"]["input_tokens"] > 0
    assert len(anthropic_emulator.message_requests()) == 1


def test_cli_exits_3_when_the_model_fails(
    anthropic_emulator: AnthropicEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A model that keeps failing: exit 3, and the static findings are still printed."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", anthropic_emulator.url)
    monkeypatch.setenv("BACKEND_REVIEW_MODEL_RETRIES", "1")
    anthropic_emulator.responder = lambda body: error(500)
    code = main(["review", str(EXAMPLE), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 3
    assert doc["model"]["status"] == "failed" and doc["findings"]
    assert len(anthropic_emulator.message_requests()) == 2


def test_cli_no_llm_sends_nothing(
    anthropic_emulator: AnthropicEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--no-llm runs without the model even when a key is set, and says so."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", anthropic_emulator.url)
    assert main(["review", str(EXAMPLE), "--format", "json", "--no-llm"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["model"]["status"] == "skipped" and "--no-llm" in doc["model"]["notes"][0]
    assert anthropic_emulator.message_requests() == []

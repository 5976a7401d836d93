"""The command line's SARIF and rdjson output, --sarif-output, and progress on stderr."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.llm.progress import RequestDone, describe
from bot.local.progress import StderrProgress
from tests.emulators.anthropic import AnthropicEmulator, tool_use

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "orders-api.diff"


def test_sarif_and_rdjson_match_the_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    """stdout is exactly the document; the three formats hold the same findings."""
    assert main(["review", str(EXAMPLE), "--format", "json"]) == 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert main(["review", str(EXAMPLE), "--format", "sarif"]) == 0
    sarif = json.loads(capsys.readouterr().out)
    assert main(["review", str(EXAMPLE), "--format", "rdjson"]) == 0
    rdjson = json.loads(capsys.readouterr().out)
    results = sarif["runs"][0]["results"]
    diagnostics = rdjson["diagnostics"]
    assert len(findings) == len(results) == len(diagnostics) == 14
    ours = [(f["path"], f["rule"]) for f in findings]
    assert ours == [
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"])
        for r in results
    ]
    assert ours == [(d["location"]["path"], d["code"]["value"]) for d in diagnostics]


def test_sarif_output_is_written_beside_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "r.sarif"
    assert main(["review", str(EXAMPLE), "--format", "text", "--sarif-output", str(target)]) == 0
    assert "Findings (14)" in capsys.readouterr().out
    assert len(json.loads(target.read_text())["runs"][0]["results"]) == 14


def test_unwritable_sarif_output_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["review", str(EXAMPLE), "--sarif-output", str(tmp_path / "no" / "x.sarif")])
    assert code == 2 and "cannot write" in capsys.readouterr().err


@pytest.fixture
def model_env(
    anthropic_emulator: AnthropicEmulator, monkeypatch: pytest.MonkeyPatch
) -> AnthropicEmulator:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", anthropic_emulator.url)
    monkeypatch.setenv("BACKEND_REVIEW_MODEL_RETRIES", "0")
    anthropic_emulator.responder = lambda body: tool_use({"summary": "s", "findings": []})
    return anthropic_emulator


def test_progress_lines_on_stderr_when_piped(
    model_env: AnthropicEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """Plain lines on stderr (the plan, then one per request); stdout is only the document."""
    assert main(["review", str(EXAMPLE), "--format", "sarif"]) == 0
    captured = capsys.readouterr()
    json.loads(captured.out)  # nothing but the document
    lines = captured.err.splitlines()
    requests = len(model_env.message_requests())
    assert lines[0] == f"backend-review: {requests} model request(s) planned"
    assert len(lines) == requests + 1 and "\r" not in captured.err
    assert lines[-1].startswith(f"backend-review: model requests {requests}/{requests}, ")
    assert "out tokens, ~$" in lines[-1]


def test_quiet_silences_stderr(
    model_env: AnthropicEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", str(EXAMPLE), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "Findings (" in captured.out


def test_one_updating_line_on_a_terminal() -> None:
    """On a TTY each event redraws the same line; close() ends it with one newline."""
    stream = io.StringIO()
    progress = StderrProgress(stream, tty=True)
    progress(RequestDone(0, 3))
    progress(RequestDone(1, 3, input_tokens=1200, output_tokens=80, cost_usd=0.0048))
    progress.close()
    text = stream.getvalue()
    assert text.count("\r\x1b[2K") == 2 and text.count("\n") == 1 and text.endswith("\n")
    assert "model requests 1/3, 1,200 in / 80 out tokens, ~$0.00" in text


def test_describe_a_failed_request() -> None:
    line = describe(RequestDone(2, 2, label="Model request 2 of 2 (a.py)", failed="HTTP 529"))
    assert line.endswith("(Model request 2 of 2 (a.py) failed: HTTP 529)")
    assert "~$" not in line  # no price known: no cost shown

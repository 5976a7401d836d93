"""A bad configuration on the base branch is shown where people look; a reviewed head is not
reviewed twice, and its re-run keeps the exit code."""

from __future__ import annotations

from pathlib import Path

from bot.markers import SummaryState, parse_summary_marker, summary_marker
from tests.action_support import NAME, OWNER, add_pr, writes
from tests.emulators.anthropic import AnthropicEmulator
from tests.emulators.github import GitHubEmulator
from tests.fault_support import run, summaries

CONFIG = ".github/backend-review.yml"


def test_bad_config_in_the_sticky_summary_and_job_summary(
    tmp_path: Path, github_emulator: GitHubEmulator, anthropic_emulator: AnthropicEmulator
) -> None:
    """Exit 2; the file, key and problem are in the summary comment and the job summary; the
    next run after the fix reviews and edits that same comment."""
    gh = github_emulator
    add_pr(gh, config="min_severity: urgent\n")
    assert run(tmp_path, gh, anthropic_emulator, "pull_request_opened", head="b" * 40) == 2
    [summary] = summaries(gh)
    body = str(summary["body"])
    assert CONFIG in body and "min_severity" in body and "configuration on the base branch" in body
    job = (tmp_path / "summary.md").read_text()
    assert CONFIG in job and "min_severity" in job
    assert anthropic_emulator.message_requests() == []
    # Twice the same error: the comment is left as it is.
    before = len(writes(gh))
    assert run(tmp_path, gh, anthropic_emulator, "pull_request_opened", head="b" * 40) == 2
    assert len(writes(gh)) == before
    gh.add_file_content(OWNER, NAME, CONFIG, "main", "min_severity: low\n")
    assert run(tmp_path, gh, anthropic_emulator, "pull_request_opened", head="b" * 40) == 0
    [fixed] = summaries(gh)
    assert fixed["id"] == summary["id"] and "invalid" not in str(fixed["body"])


def test_bad_config_with_a_read_only_token(
    tmp_path: Path, github_emulator: GitHubEmulator, anthropic_emulator: AnthropicEmulator
) -> None:
    """A fork's token cannot comment: exit 2 all the same, and the job summary has the error."""
    gh = github_emulator
    add_pr(gh, config="colour: blue\n")
    gh.set_token("test-token", read_only=True)
    assert run(tmp_path, gh, anthropic_emulator, "pull_request_opened", head="b" * 40) == 2
    assert summaries(gh) == []
    assert "colour" in (tmp_path / "summary.md").read_text()


def test_rerun_of_a_reviewed_head_keeps_the_exit_code(
    tmp_path: Path, github_emulator: GitHubEmulator, anthropic_emulator: AnthropicEmulator
) -> None:
    """fail_on: a re-run that reviews nothing still fails, as the review of that head did."""
    gh = github_emulator
    add_pr(gh, config="fail_on: high\n")
    assert run(tmp_path, gh, anthropic_emulator, "pull_request_opened", head="b" * 40) == 1
    before = len(writes(gh))
    assert run(tmp_path, gh, anthropic_emulator, "pull_request_opened", head="b" * 40) == 1
    assert len(writes(gh)) == before
    state = parse_summary_marker(str(summaries(gh)[0]["body"]))
    assert state is not None and state.worst in ("high", "critical")


def test_marker_keeps_the_worst_severity() -> None:
    state = SummaryState("ab", "cd", frozenset({"0123456789abcdef"}), worst="high")
    assert parse_summary_marker(summary_marker(state)) == state
    old = "<!-- backend-review:summary head=ab config=cd fps= -->"
    assert parse_summary_marker(old) == SummaryState("ab", "cd")

"""The fault matrix: every GitHub call the Action makes x every GitHub fault, and every model
request x every model fault, over the emulators.

Each fault lasts the whole first run (every attempt of that call fails). The run must end with
the documented exit code, post nothing twice, and put in the job summary whatever it did not
post; a second run without the fault must then complete the review, still without duplicates.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.action_support import HEAD, NAME, NUMBER, OLD_HEAD, OWNER
from tests.emulators.anthropic import AnthropicEmulator
from tests.emulators.github import GitHubEmulator
from tests.fault_support import (
    API_FILE,
    GITHUB_FAULTS,
    SQL_FILE,
    accounted,
    add_faulty_pr,
    fault_spec,
    good_answer,
    is_repair,
    posted,
    run,
    summaries,
    titles,
)

if TYPE_CHECKING:
    from githubkit import GitHub

# (name, scenario, method, path) of every call. "opened": the first review of a pull request;
# "command": `/backend-review` after a push, on a pull request reviewed before.
CALLS = [
    ("config", "opened", "GET", r"/contents/\.github/backend-review\.yml$"),
    ("issue-comments", "opened", "GET", r"/issues/42/comments$"),
    ("review-comments", "opened", "GET", r"/pulls/42/comments$"),
    ("files", "opened", "GET", r"/pulls/42/files$"),
    ("head-file", "opened", "GET", r"/contents/app/"),
    ("review", "opened", "POST", r"/pulls/42/reviews$"),
    ("file-comment", "opened", "POST", r"/pulls/42/comments$"),
    ("summary-create", "opened", "POST", r"/issues/42/comments$"),
    ("permission", "command", "GET", r"/collaborators/[^/]+/permission$"),
    ("reaction", "command", "POST", r"/reactions$"),
    ("pull", "command", "GET", r"/pulls/42$"),
    ("compare", "command", "GET", r"/compare/"),
    ("summary-edit", "command", "PATCH", r"/issues/comments/\d+$"),
]
# Calls whose failure costs only themselves: the eyes reaction, nearby code for the model,
# the comparison (a full review instead; nothing is posted twice).
SOFT = {"reaction", "head-file", "compare"}


def expected_exit(call: str, method: str, fault: str) -> int:
    """The documented exit code of a run during which `call` always fails with `fault`."""
    if call in SOFT:
        return 0
    if method != "GET" and fault in ("applied-then-502", "timeout"):
        return 0  # applied: read back, found, not sent again
    if call in ("review", "file-comment") and fault.startswith("422"):
        return 0  # refused comments go to the summary
    return 4


def _first_review(
    tmp_path: Path, gh: GitHubEmulator, claude: AnthropicEmulator, client: GitHub[Any]
) -> int:
    """The "command" scenario's set-up: a clean review at OLD_HEAD, then a push adding SQL."""
    add_faulty_pr(gh, head=OLD_HEAD, files=[API_FILE])
    setup = tmp_path / "setup"
    setup.mkdir(exist_ok=True)
    assert run(setup, gh, claude, "pull_request_opened", head=OLD_HEAD) == 0
    add_faulty_pr(gh, head=HEAD, files=[API_FILE, SQL_FILE])
    gh.set_compare(OWNER, NAME, OLD_HEAD, HEAD, [SQL_FILE], "ahead")
    command = client.rest.issues.create_comment(OWNER, NAME, NUMBER, body="/backend-review")
    return int(command.parsed_data.id)


def _baseline(
    tmp_path: Path,
    gh: GitHubEmulator,
    claude: AnthropicEmulator,
    client: GitHub[Any],
    scenario: str,
) -> tuple[set[str], dict[str, str]]:
    """What a run without faults posts (fingerprints and their titles); the state is reset."""
    base = tmp_path / "baseline"
    base.mkdir()
    assert _scenario_run(base, gh, claude, client, scenario) == 0
    found = set(posted(gh))
    names = titles(gh)
    gh.reset()
    claude.reset()
    claude.responder = good_answer
    return found, names


def _scenario_run(
    tmp_path: Path,
    gh: GitHubEmulator,
    claude: AnthropicEmulator,
    client: GitHub[Any],
    scenario: str,
    fault: tuple[str, str, dict[str, Any]] | None = None,
) -> int:
    if scenario == "opened":
        add_faulty_pr(gh, head=HEAD, files=[API_FILE, SQL_FILE])
        if fault:
            gh.fail_next(fault[0], fault[1], times=1_000, **fault[2])
        return run(tmp_path, gh, claude, "pull_request_opened", head=HEAD)
    comment_id = _first_review(tmp_path, gh, claude, client)
    if fault:
        gh.fail_next(fault[0], fault[1], times=1_000, **fault[2])
    return run(tmp_path, gh, claude, "issue_comment_review", head=HEAD, comment_id=comment_id)


_BASELINES: dict[str, tuple[set[str], dict[str, str]]] = {}


@pytest.mark.parametrize("fault", list(GITHUB_FAULTS))
@pytest.mark.parametrize(("call", "scenario", "method", "path"), CALLS, ids=[c[0] for c in CALLS])
def test_github_fault(
    tmp_path: Path,
    github_emulator: GitHubEmulator,
    anthropic_emulator: AnthropicEmulator,
    github_client: GitHub[Any],
    call: str,
    scenario: str,
    method: str,
    path: str,
    fault: str,
) -> None:
    gh, claude = github_emulator, anthropic_emulator
    claude.responder = good_answer
    if scenario not in _BASELINES:
        _BASELINES[scenario] = _baseline(tmp_path, gh, claude, github_client, scenario)
    expected, names = _BASELINES[scenario]
    assert expected, "the scenario must post something"
    before = gh.count(method, path)
    code = _scenario_run(
        tmp_path, gh, claude, github_client, scenario, (method, path, GITHUB_FAULTS[fault])
    )
    assert gh.count(method, path) > before, f"{call} was not called"
    gh.state.failures.clear()
    assert code == expected_exit(call, method, fault)
    assert max(posted(gh).values(), default=1) == 1, "a comment was posted twice"
    assert len(summaries(gh)) <= 1
    job = (tmp_path / "summary.md").read_text()
    if "The review stopped" not in job:
        missing = expected - accounted(gh)
        for fp in missing:
            assert names[fp] in job or fp in job, f"{names[fp]}: not posted, not in the job summary"
    # The re-run completes the review without repeating anything.
    again = run(tmp_path, gh, claude, _sample(scenario), head=HEAD, comment_id=_comment(gh))
    assert again == 0
    assert max(posted(gh).values(), default=1) == 1
    assert expected <= accounted(gh)
    assert len(summaries(gh)) == 1


def _sample(scenario: str) -> str:
    return "pull_request_opened" if scenario == "opened" else "issue_comment_review"


def _comment(gh: GitHubEmulator) -> int | None:
    for comment in gh.issue_comments(OWNER, NAME, NUMBER):
        if comment["body"] == "/backend-review":
            return int(comment["id"])
    return None


MODEL_FAULTS = [
    "429",
    "529",
    "500",
    "timeout",
    "malformed-tool-input",
    "wrong-tool-name",
    "refusal",
    "max_tokens",
]
# A review request that fails outright leaves the static review (exit 3); a bad answer to it
# is repaired; a failed repair keeps the first answer's valid findings.
TRANSPORT = {"429", "529", "500", "timeout", "refusal"}


@pytest.mark.parametrize("fault", MODEL_FAULTS)
@pytest.mark.parametrize("request_kind", ["review", "repair"])
def test_model_fault(
    tmp_path: Path,
    github_emulator: GitHubEmulator,
    anthropic_emulator: AnthropicEmulator,
    request_kind: str,
    fault: str,
) -> None:
    gh, claude = github_emulator, anthropic_emulator
    spec = fault_spec(fault)

    def answer(body: Any) -> Any:
        if is_repair(body) == (request_kind == "repair"):
            return spec
        return good_answer(body)

    claude.responder = answer
    add_faulty_pr(gh, head=HEAD, files=[API_FILE, SQL_FILE])
    code = run(tmp_path, gh, claude, "pull_request_opened", head=HEAD)
    failed = request_kind == "review" and fault in TRANSPORT
    assert code == (3 if failed else 0)
    first = posted(gh)
    assert first and max(first.values()) == 1
    job = (tmp_path / "summary.md").read_text()
    assert ("fail" in job.lower() or "declined" in job.lower()) if failed else True
    claude.responder = good_answer
    calls = len(claude.message_requests())
    assert run(tmp_path, gh, claude, "pull_request_opened", head=HEAD) == 0
    assert max(posted(gh).values()) == 1
    if failed:  # reviewed again: the model's findings are added, the static ones not repeated
        assert len(posted(gh)) > len(first)
    else:  # reviewed completely before: no model call, no write
        assert len(claude.message_requests()) == calls
        assert posted(gh) == first

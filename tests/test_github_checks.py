"""The check run against the GitHub emulator through the real githubkit client: created
in_progress, annotations PATCHed 50 at a time, conclusions, and a refusal that only skips it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.formats.annotations import PER_REQUEST, annotation, batches, clip, conclusion, title
from bot.github.checks import CheckRun
from bot.github.client import GitHubRepo, open_github
from bot.models import Finding
from tests.emulators.github import GitHubEmulator

OWNER, NAME, HEAD = "acme", "shop", "b" * 40


def finding(i: int, severity: str = "medium", **changes: Any) -> Finding:
    data: dict[str, Any] = {
        "path": f"db/q{i % 7}.sql",
        "line": i + 1,
        "severity": severity,
        "category": "database",
        "title": f"Query {i} scans the table",
        "body": "Add an index.",
        "source": "static",
        "rule": "select-star",
    }
    return Finding(**{**data, **changes})


def setup(emu: GitHubEmulator, *, checks: bool = True, read_only: bool = False) -> None:
    emu.add_repo(OWNER, NAME)
    emu.add_pull(OWNER, NAME, 1, title="t", body=None, files=[], head_sha=HEAD, base_sha="a" * 40)
    emu.set_token("tok", checks=checks, read_only=read_only)


class Notes(list[str]):
    def __call__(self, message: str) -> None:
        self.append(message)


def review_check(
    emu: GitHubEmulator, findings: list[Finding], *, fail_on: str | None = None
) -> tuple[CheckRun, Notes]:
    notes = Notes()
    with open_github("tok", base_url=emu.url, timeout=10, server_retries=0) as gh:
        repo = GitHubRepo(gh, f"{OWNER}/{NAME}")
        run = CheckRun(repo, prefix=repo.prefix, head_sha=HEAD, say=notes)
        if run.start(summary="Reviewing."):
            run.complete(
                conclusion=conclusion(findings, fail_on),  # type: ignore[arg-type]
                title=title(findings),
                summary="The summary.",
                batches=batches(findings),
            )
    return run, notes


def test_a_review_with_120_findings_gives_120_annotations_in_three_batches(
    github_emulator: GitHubEmulator,
) -> None:
    setup(github_emulator)
    run, notes = review_check(github_emulator, [finding(i) for i in range(120)])
    assert not notes and run.id is not None and run.url
    patches = [r for r in github_emulator.requests if r.method == "PATCH"]
    assert [len(r.body["output"]["annotations"]) for r in patches] == [50, 50, 20]
    assert [r.body.get("conclusion") for r in patches] == [None, None, "neutral"]
    creates = [r for r in github_emulator.requests if r.method == "POST"]
    assert (
        creates[0].body["status"] == "in_progress" and creates[0].body["name"] == "backend-review"
    )
    assert creates[0].body["head_sha"] == HEAD


def test_responses_validate_against_githubkit_models(
    github_emulator: GitHubEmulator, github_client: Any
) -> None:
    """Created, read back and listed through githubkit's typed API."""
    setup(github_emulator)
    github_emulator.state.tokens.clear()
    run, _ = review_check(github_emulator, [finding(i, "high") for i in range(60)], fail_on="high")
    got = github_client.rest.checks.get(OWNER, NAME, run.id).parsed_data
    assert got.status == "completed" and got.conclusion == "failure"
    assert got.output.annotations_count == 60 and got.name == "backend-review"
    assert got.head_sha == HEAD and got.html_url == run.url
    listed = github_client.rest.checks.list_annotations(OWNER, NAME, run.id, per_page=100)
    notes = listed.parsed_data
    assert len(notes) == 60 and {n.annotation_level for n in notes} == {"failure"}
    made = github_client.rest.checks.create(
        OWNER, NAME, name="other", head_sha=HEAD, status="queued"
    ).parsed_data
    assert made.status == "queued" and made.conclusion is None


@pytest.mark.parametrize(
    ("severities", "fail_on", "expected"),
    [
        ([], None, "success"),
        ([], "high", "success"),
        (["low", "medium"], "high", "neutral"),
        (["low", "high"], "high", "failure"),
        (["critical"], None, "neutral"),
    ],
)
def test_conclusions(severities: list[str], fail_on: str | None, expected: str) -> None:
    found = [finding(i, s) for i, s in enumerate(severities)]
    assert conclusion(found, fail_on) == expected  # type: ignore[arg-type]


def test_an_incomplete_model_review_is_never_success() -> None:
    assert conclusion([], None, "failed") == "neutral"
    assert conclusion([], None, "partial") == "neutral"


def test_levels_titles_and_limits() -> None:
    """failure for critical/high, warning for medium, notice below; titles fit 255 characters."""
    levels = [
        annotation(finding(0, s))["annotation_level"]
        for s in ("critical", "high", "medium", "low", "info")
    ]
    assert levels == ["failure", "failure", "warning", "notice", "notice"]
    long = annotation(finding(0, title="x" * 200, rule="r" * 100))
    assert len(long["title"]) <= 255
    assert len(clip("y" * 70_000)) == 65_535
    assert title([]) == "No findings" and title([finding(0, "high")]) == "1 finding: 1 high"
    assert batches([]) == [[]] and len(batches([finding(i) for i in range(PER_REQUEST + 1)])) == 2


def test_removed_code_points_at_the_first_line_and_says_so() -> None:
    note = annotation(finding(0, side="LEFT", line=30, start_line=28))
    assert (note["start_line"], note["end_line"]) == (1, 1)
    assert "lines 28-30 of the base version" in note["message"]


def test_token_without_checks_write_skips_with_a_note(github_emulator: GitHubEmulator) -> None:
    """403 "Resource not accessible by integration": a note, no exception, nothing else sent."""
    setup(github_emulator, checks=False)
    run, notes = review_check(github_emulator, [finding(1)])
    assert run.id is None and run.url is None
    assert len(notes) == 1 and "checks: write" in notes[0]
    assert [r.method for r in github_emulator.requests] == ["POST"]


def test_a_forks_read_only_token_skips_with_a_note(github_emulator: GitHubEmulator) -> None:
    setup(github_emulator, read_only=True)
    run, notes = review_check(github_emulator, [])
    assert run.id is None and notes


def test_the_emulator_refuses_51_annotations(
    github_emulator: GitHubEmulator, github_client: Any
) -> None:
    """GitHub's limit, enforced as GitHub does: 422 for more than 50 in one request."""
    setup(github_emulator)
    github_emulator.state.tokens.clear()
    run, _ = review_check(github_emulator, [])
    one = annotation(finding(1))
    from githubkit.exception import RequestFailed

    with pytest.raises(RequestFailed) as caught:
        github_client.request(
            "PATCH",
            f"/repos/{OWNER}/{NAME}/check-runs/{run.id}",
            json={"output": {"title": "t", "summary": "s", "annotations": [one] * 51}},
        )
    assert caught.value.response.status_code == 422
    with pytest.raises(RequestFailed) as caught:
        github_client.request(
            "PATCH",
            f"/repos/{OWNER}/{NAME}/check-runs/{run.id}",
            json={"output": {"title": "t", "summary": "s" * 65_536}},
        )
    assert caught.value.response.status_code == 422


def test_a_failed_batch_still_completes_the_run(github_emulator: GitHubEmulator) -> None:
    """A batch GitHub refuses costs its annotations, not the conclusion."""
    setup(github_emulator)
    github_emulator.fail_next("PATCH", r"/check-runs/\d+$", 422)
    run, notes = review_check(github_emulator, [finding(i) for i in range(70)])
    stored = github_emulator.state.repos[(OWNER, NAME)].check_runs[run.id or 0]
    assert stored["status"] == "completed" and stored["conclusion"] == "neutral"
    assert notes and "not fully updated" in notes[0]

"""The Action end to end in-process: real githubkit against the GitHub emulator, no model key.

(The subprocess runs with the Anthropic emulator are in test_e2e_action.py.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bot.action.main import run_action
from bot.errors import ConfigError
from bot.markers import find_fingerprints, parse_summary_marker
from tests.action_support import (
    HEAD,
    NAME,
    NUMBER,
    OLD_HEAD,
    OWNER,
    action_env,
    add_pr,
    event_file,
    example_files,
    outputs,
    writes,
)
from tests.emulators.anthropic import AnthropicEmulator, error
from tests.emulators.github import GitHubEmulator

if TYPE_CHECKING:
    from githubkit import GitHub

REVIEWS = r"/pulls/42/reviews$"


def post_command(client: GitHub[Any], body: str = "/backend-review") -> int:
    """The command comment must exist on the PR for the eyes reaction to land on it."""
    return client.rest.issues.create_comment(OWNER, NAME, NUMBER, body=body).parsed_data.id


def run(
    tmp_path: Path,
    emu: GitHubEmulator,
    sample: str,
    *,
    head: str = HEAD,
    comment_id: int | None = None,
    **env: str,
) -> int:
    """Run the Action in-process on a sample event (its head sha replaced by `head`)."""
    name = next(
        n for n in ("pull_request", "issue_comment", "workflow_dispatch") if sample.startswith(n)
    )
    path = event_file(tmp_path, sample, head=head, comment_id=comment_id)
    return run_action(dry_run=False, environ=action_env(tmp_path, emu, name, path, **env))


def summaries(emu: GitHubEmulator) -> list[dict[str, object]]:
    return [
        c
        for c in emu.issue_comments(OWNER, NAME, NUMBER)
        if "backend-review:summary" in str(c["body"])
    ]


def test_first_review(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    """One review on the head with every inline comment, one summary, outputs and job summary."""
    add_pr(github_emulator)
    assert run(tmp_path, github_emulator, "pull_request_opened") == 0
    reviews = github_emulator.reviews(OWNER, NAME, NUMBER)
    assert len(reviews) == 1
    assert reviews[0]["commit_id"] == HEAD and reviews[0]["state"] == "COMMENTED"
    comments = github_emulator.review_comments(OWNER, NAME, NUMBER)
    assert comments and all(find_fingerprints(c["body"]) for c in comments)
    [summary] = summaries(github_emulator)
    state = parse_summary_marker(str(summary["body"]))
    assert state is not None and state.head_sha == HEAD
    out = outputs(tmp_path)
    assert out["reviewed-sha"] == HEAD
    assert int(out["findings-total"]) >= len(comments)
    assert out["summary-comment-url"] == summary["html_url"]
    assert "backend-review" in (tmp_path / "summary.md").read_text()


def test_api_calls_within_bound(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    """A pull_request run costs 4 + pages + reviews + the head files read (no pulls.get), and
    the check run: one create and one update per 50 findings."""
    add_pr(github_emulator)
    run(tmp_path, github_emulator, "pull_request_opened")
    head_reads = github_emulator.count("GET", r"/contents/(?!\.github/backend-review\.yml)")
    assert github_emulator.count("GET", r"/pulls/42$") == 0
    checks = github_emulator.count(None, r"/check-runs")
    assert checks == 1 + -(-int(outputs(tmp_path)["findings-total"]) // 50)
    assert len(github_emulator.requests) <= 4 + 1 + 1 + head_reads + checks


def test_same_event_twice(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    """A re-run posts no duplicate inline comment and edits the summary instead of adding one."""
    add_pr(github_emulator)
    run(tmp_path, github_emulator, "pull_request_opened")
    before = github_emulator.review_comments(OWNER, NAME, NUMBER)
    run(tmp_path, github_emulator, "pull_request_opened")
    assert github_emulator.review_comments(OWNER, NAME, NUMBER) == before
    assert len(github_emulator.reviews(OWNER, NAME, NUMBER)) == 1
    assert len(summaries(github_emulator)) == 1
    assert github_emulator.count("POST", r"/issues/42/comments$") == 1
    assert github_emulator.count("PATCH", r"/issues/comments/\d+$") <= 1


def test_rerun_on_the_same_head_only_edits(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    """Runs on an already reviewed head write nothing but summary edits (none when identical)."""
    add_pr(github_emulator)
    for _ in range(3):
        run(tmp_path, github_emulator, "pull_request_opened")
    reviews = [w for w in writes(github_emulator) if "/check-runs" not in w[1]]
    later = reviews[2:]
    assert {method for method, _ in later} <= {"PATCH"}
    assert len(later) <= 2


def test_incremental_review_after_push(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    """After a fast-forward push only the files changed since the reviewed head are reviewed."""
    add_pr(github_emulator, head=OLD_HEAD, files=example_files()[:3])
    run(tmp_path, github_emulator, "pull_request_opened", head=OLD_HEAD)
    add_pr(github_emulator, head=HEAD)  # the push adds four files
    pushed = [f for f in example_files() if f["filename"] == "openapi.yaml"]
    github_emulator.set_compare(OWNER, NAME, OLD_HEAD, HEAD, pushed, "ahead")
    run(tmp_path, github_emulator, "pull_request_synchronize")
    [summary] = summaries(github_emulator)
    assert "Incremental review: 1 file(s) changed since `ccccccc`" in str(summary["body"])
    second = github_emulator.reviews(OWNER, NAME, NUMBER)[-1]
    new = [c for c in github_emulator.review_comments(OWNER, NAME, NUMBER)]
    assert {c["path"] for c in new if c["pull_request_review_id"] == second["id"]} == {
        "openapi.yaml"
    }
    state = parse_summary_marker(str(summary["body"]))
    assert state is not None and state.head_sha == HEAD


@pytest.mark.parametrize("status", ["diverged", "behind", None])
def test_force_push_gives_full_review(
    tmp_path: Path, github_emulator: GitHubEmulator, status: str | None
) -> None:
    """When the old head is not an ancestor (or unknown: 404) the whole PR is reviewed again."""
    add_pr(github_emulator, head=OLD_HEAD)
    run(tmp_path, github_emulator, "pull_request_opened", head=OLD_HEAD)
    add_pr(github_emulator, head=HEAD)
    if status:
        github_emulator.set_compare(OWNER, NAME, OLD_HEAD, HEAD, [], status)
    run(tmp_path, github_emulator, "pull_request_synchronize")
    [summary] = summaries(github_emulator)
    assert "force-push" in str(summary["body"])


def test_config_change_gives_full_review(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    add_pr(github_emulator, head=OLD_HEAD)
    run(tmp_path, github_emulator, "pull_request_opened", head=OLD_HEAD)
    add_pr(github_emulator, head=HEAD, config="min_severity: medium\n")
    run(tmp_path, github_emulator, "pull_request_synchronize")
    [summary] = summaries(github_emulator)
    assert "configuration or model changed" in str(summary["body"])
    assert github_emulator.count("GET", r"/compare/") == 0


@pytest.mark.parametrize("style", ["modern", "older", "legacy"])
def test_one_bad_comment_does_not_sink_the_review(
    tmp_path: Path, github_emulator: GitHubEmulator, style: str
) -> None:
    """GitHub refuses one anchor (422, any shape): the others are posted, that one is summarised."""
    add_pr(github_emulator)
    github_emulator.review_error_style = style
    pull = github_emulator.state.repos[(OWNER, NAME)].pulls[NUMBER]
    pmap = pull.maps["openapi.yaml"]  # GitHub's own idea of the diff loses line 46
    pmap.lines = [e for e in pmap.lines if 46 not in (e.old, e.new)]
    assert run(tmp_path, github_emulator, "pull_request_opened") == 0
    posted = github_emulator.review_comments(OWNER, NAME, NUMBER)
    assert ("openapi.yaml", 46) not in {(c["path"], c["line"]) for c in posted}
    assert ("openapi.yaml", 24) in {(c["path"], c["line"]) for c in posted}
    first = next(r for r in github_emulator.requests if r.method == "POST" and "reviews" in r.path)
    assert len(posted) == len(first.body["comments"]) - 1
    [summary] = summaries(github_emulator)
    body = str(summary["body"])
    assert "openapi.yaml" in body and "GitHub refused" in body
    state = parse_summary_marker(body)
    assert state is not None and len(state.fingerprints) >= 1
    # Posting again neither re-posts the good ones nor retries the refused one.
    run(tmp_path, github_emulator, "pull_request_opened")
    assert len(github_emulator.review_comments(OWNER, NAME, NUMBER)) == len(posted)


def test_fork_read_only_token(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    """A fork's read-only token: the review goes to the job summary, exit 0, nothing posted."""
    add_pr(github_emulator, fork=True)
    github_emulator.set_token("ro-token", read_only=True)
    code = run(tmp_path, github_emulator, "pull_request_fork", GITHUB_TOKEN="ro-token")
    assert code == 0
    assert github_emulator.reviews(OWNER, NAME, NUMBER) == []
    assert github_emulator.issue_comments(OWNER, NAME, NUMBER) == []
    text = (tmp_path / "summary.md").read_text()
    assert "read-only token" in text and "openapi.yaml:24" in text
    assert "ro-token" not in text


def test_secondary_rate_limit_is_waited_out(
    tmp_path: Path, github_emulator: GitHubEmulator
) -> None:
    """403 with retry-after is a secondary rate limit: wait, retry once, post."""
    add_pr(github_emulator)
    github_emulator.fail_next("POST", REVIEWS, 403, headers={"retry-after": "0"})
    assert run(tmp_path, github_emulator, "pull_request_opened") == 0
    assert len(github_emulator.reviews(OWNER, NAME, NUMBER)) == 1


def test_server_errors_stop_publishing(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    """5xx past the retries: exit 4, and the review is saved to the job summary."""
    add_pr(github_emulator)
    github_emulator.fail_next("POST", REVIEWS, 502, times=5)
    assert run(tmp_path, github_emulator, "pull_request_opened") == 4
    text = (tmp_path / "summary.md").read_text()
    assert "GitHub failed" in text and "openapi.yaml:24" in text


def test_dry_run_prints_payloads_and_sends_nothing(
    tmp_path: Path, github_emulator: GitHubEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    add_pr(github_emulator)
    path = event_file(tmp_path, "pull_request_opened")
    env = action_env(tmp_path, github_emulator, "pull_request", path, BACKEND_REVIEW_DRY_RUN="true")
    assert run_action(dry_run=False, environ=env) == 0
    assert github_emulator.write_count() == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    assert [(x["method"], x["path"]) for x in lines] == [
        ("POST", "/repos/acme/shop/check-runs"),
        ("POST", "/repos/acme/shop/pulls/42/reviews"),
        ("POST", "/repos/acme/shop/issues/42/comments"),
        ("PATCH", "/repos/acme/shop/check-runs/0"),
    ]
    assert lines[1]["body"]["commit_id"] == HEAD and lines[1]["body"]["comments"]


def test_command_refused_for_readers(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    """Only write, maintain or admin may start a review; others get a short reply."""
    add_pr(github_emulator)
    github_emulator.set_permission(OWNER, NAME, "rita", "triage")
    assert run(tmp_path, github_emulator, "issue_comment_reader") == 0
    assert github_emulator.reviews(OWNER, NAME, NUMBER) == []
    [reply] = github_emulator.issue_comments(OWNER, NAME, NUMBER)
    assert "write access" in str(reply["body"])


@pytest.mark.parametrize("role", ["maintain", "admin", "write"])
def test_command_accepted_with_eyes(
    tmp_path: Path, github_emulator: GitHubEmulator, github_client: GitHub[Any], role: str
) -> None:
    """The command is acknowledged with eyes and reads the PR with pulls.get (no sha in payload)."""
    add_pr(github_emulator)
    github_emulator.set_permission(OWNER, NAME, "alice", role)
    comment_id = post_command(github_client)
    assert run(tmp_path, github_emulator, "issue_comment_review", comment_id=comment_id) == 0
    reactions = github_emulator.reactions(OWNER, NAME, comment_id)
    assert [r["content"] for r in reactions] == ["eyes"]
    assert github_emulator.count("GET", r"/pulls/42$") == 1
    assert len(github_emulator.reviews(OWNER, NAME, NUMBER)) == 1


def test_command_help(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    add_pr(github_emulator)
    assert run(tmp_path, github_emulator, "issue_comment_help") == 0
    [reply] = github_emulator.issue_comments(OWNER, NAME, NUMBER)
    assert "/backend-review full" in str(reply["body"])
    assert github_emulator.reviews(OWNER, NAME, NUMBER) == []


def test_full_command_reviews_everything(
    tmp_path: Path, github_emulator: GitHubEmulator, github_client: GitHub[Any]
) -> None:
    add_pr(github_emulator, head=OLD_HEAD)
    run(tmp_path, github_emulator, "pull_request_opened", head=OLD_HEAD)
    add_pr(github_emulator, head=HEAD)
    github_emulator.set_compare(OWNER, NAME, OLD_HEAD, HEAD, [], "ahead")
    comment_id = post_command(github_client, "/backend-review full")
    run(tmp_path, github_emulator, "issue_comment_full", comment_id=comment_id)
    [summary] = summaries(github_emulator)
    assert "Full review (asked for)" in str(summary["body"])


def test_draft_skipped_unless_configured(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    add_pr(github_emulator, draft=True)
    assert run(tmp_path, github_emulator, "pull_request_draft") == 0
    assert writes(github_emulator) == []
    github_emulator.add_file_content(
        OWNER, NAME, ".github/backend-review.yml", "main", "review_drafts: true\n"
    )
    assert run(tmp_path, github_emulator, "pull_request_draft") == 0
    assert len(github_emulator.reviews(OWNER, NAME, NUMBER)) == 1


def test_config_is_read_from_the_base_branch(
    tmp_path: Path, github_emulator: GitHubEmulator
) -> None:
    """The base branch's configuration applies; the head's is never read."""
    add_pr(github_emulator, config="exclude: ['openapi.yaml']\n")
    github_emulator.add_file_content(OWNER, NAME, ".github/backend-review.yml", HEAD, "{}\n")
    run(tmp_path, github_emulator, "pull_request_opened")
    paths = {c["path"] for c in github_emulator.review_comments(OWNER, NAME, NUMBER)}
    assert paths and "openapi.yaml" not in paths
    reads = [r.query.get("ref") for r in github_emulator.requests if "backend-review.yml" in r.path]
    assert reads == ["main"]


def test_bad_config_is_exit_2(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    add_pr(github_emulator, config="colour: blue\n")
    with pytest.raises(ConfigError, match="colour"):
        run(tmp_path, github_emulator, "pull_request_opened")


def test_request_changes_and_fail_on(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    """request_changes_on picks the review event; fail_on picks exit code 1."""
    add_pr(github_emulator, config="request_changes_on: high\nfail_on: critical\n")
    assert run(tmp_path, github_emulator, "pull_request_opened") == 1
    [review] = github_emulator.reviews(OWNER, NAME, NUMBER)
    assert review["state"] == "CHANGES_REQUESTED"


def test_workflow_dispatch_string_inputs(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    add_pr(github_emulator)
    assert run(tmp_path, github_emulator, "workflow_dispatch_full") == 0
    assert len(github_emulator.reviews(OWNER, NAME, NUMBER)) == 1
    assert github_emulator.count("GET", r"/pulls/42$") == 1


def test_missing_patch_is_not_reviewed_inline(
    tmp_path: Path, github_emulator: GitHubEmulator
) -> None:
    """Files GitHub sends without a patch are listed, never commented on."""
    files = example_files()
    for row in files:
        if row["filename"] == "openapi.yaml":
            row["patch"] = None
    add_pr(github_emulator, files=files)
    run(tmp_path, github_emulator, "pull_request_opened")
    paths = {c["path"] for c in github_emulator.review_comments(OWNER, NAME, NUMBER)}
    assert "openapi.yaml" not in paths
    [summary] = summaries(github_emulator)
    assert "openapi.yaml" in str(summary["body"])


def test_model_failure_is_exit_3_with_the_static_review(
    tmp_path: Path, github_emulator: GitHubEmulator, anthropic_emulator: AnthropicEmulator
) -> None:
    """Claude down (500 after the SDK's retries): the static review is still posted, with a
    note in the summary, and the exit code is 3."""
    add_pr(github_emulator)
    anthropic_emulator.responder = lambda body: error(500)
    code = run(
        tmp_path,
        github_emulator,
        "pull_request_opened",
        ANTHROPIC_API_KEY="k",
        ANTHROPIC_BASE_URL=anthropic_emulator.url,
    )
    assert code == 3
    assert len(github_emulator.reviews(OWNER, NAME, NUMBER)) == 1
    [summary] = summaries(github_emulator)
    assert "fail" in str(summary["body"]).lower()


def test_fail_on_from_the_input_overrides_config(
    tmp_path: Path, github_emulator: GitHubEmulator
) -> None:
    add_pr(github_emulator)
    assert run(tmp_path, github_emulator, "pull_request_opened", BACKEND_REVIEW_FAIL_ON="high") == 1
    assert run(tmp_path, github_emulator, "pull_request_opened", BACKEND_REVIEW_FAIL_ON="") == 0


def test_max_inline_comments_input(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    """The cap applies; the rest are in the summary and are not posted on the next run either."""
    add_pr(github_emulator)
    run(tmp_path, github_emulator, "pull_request_opened", BACKEND_REVIEW_MAX_INLINE_COMMENTS="2")
    assert len(github_emulator.review_comments(OWNER, NAME, NUMBER)) == 2
    run(tmp_path, github_emulator, "pull_request_opened")
    assert len(github_emulator.review_comments(OWNER, NAME, NUMBER)) == 2


def select_star_files(n: int) -> list[dict[str, Any]]:
    return [
        {
            "filename": f"db/queries/q{i}.sql",
            "status": "added",
            "patch": f"@@ -0,0 +1 @@\n+SELECT * FROM orders_{i};",
        }
        for i in range(n)
    ]


def test_batches_of_30_and_a_failure_half_way(
    tmp_path: Path, github_emulator: GitHubEmulator
) -> None:
    """45 comments go out as reviews of 30 and 15. When GitHub stops accepting after the first
    (a secondary rate limit that outlasts the retry), the run exits 4, the job summary holds the
    15 unposted comments, and the next run posts exactly those."""
    add_pr(github_emulator, files=select_star_files(45), config="max_inline_comments: 100\n")
    github_emulator.content_create_limit = 1
    assert run(tmp_path, github_emulator, "pull_request_opened") == 4
    assert [len(r) for r in _review_sizes(github_emulator)] == [30]
    job = (tmp_path / "summary.md").read_text()
    assert "Not posted on the pull request" in job
    assert job.split("Not posted on the pull request")[1].count("#### `db/queries/") == 15
    github_emulator.content_create_limit = None
    assert run(tmp_path, github_emulator, "pull_request_opened") == 0
    assert sorted(len(r) for r in _review_sizes(github_emulator)) == [15, 30]
    assert len(summaries(github_emulator)) == 1


def _review_sizes(emu: GitHubEmulator) -> list[list[dict[str, Any]]]:
    by_review: dict[int, list[dict[str, Any]]] = {}
    for c in emu.review_comments(OWNER, NAME, NUMBER):
        by_review.setdefault(c["pull_request_review_id"], []).append(c)
    return list(by_review.values())


def test_a_named_config_file_must_exist(tmp_path: Path, github_emulator: GitHubEmulator) -> None:
    """The default file may be absent (defaults apply); a config-path the user named may not."""
    add_pr(github_emulator)
    with pytest.raises(ConfigError, match="not found on the base branch"):
        run(tmp_path, github_emulator, "pull_request_opened", BACKEND_REVIEW_CONFIG="ci/review.yml")
    github_emulator.add_file_content(OWNER, NAME, "ci/review.yml", "main", "min_severity: high\n")
    assert (
        run(tmp_path, github_emulator, "pull_request_opened", BACKEND_REVIEW_CONFIG="ci/review.yml")
        == 0
    )

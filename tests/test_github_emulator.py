"""The GitHub emulator, driven by the real githubkit client over loopback HTTP.

These pin the emulator to the behaviour in /work/shared/notes/github-api.md, so the bot's own tests can
trust it: responses validate against githubkit's models, and GitHub's refusals come back the same way.
"""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from githubkit import GitHub
from githubkit.exception import (
    PrimaryRateLimitExceeded,
    RequestFailed,
    SecondaryRateLimitExceeded,
)

from tests.emulators.github import GitHubEmulator

OWNER, REPO, NUMBER = "octo", "svc", 7
HEAD, BASE = "a" * 40, "b" * 40
# RIGHT: 1-4 (hunk 0), 11-13 (hunk 1); LEFT: 1-3 (hunk 0), 10-11 (hunk 1).
PATCH = "@@ -1,3 +1,4 @@\n import os\n-x = 1\n+x = 2\n+y = 3\n z = 4\n@@ -10,2 +11,3 @@\n def f():\n+    pass\n     return"
FILES: list[dict[str, Any]] = [
    {"filename": "app/main.py", "status": "modified", "patch": PATCH},
    {"filename": "app/logo.png", "status": "added", "patch": None},
    {
        "filename": "app/new_name.py",
        "status": "renamed",
        "previous_filename": "app/old_name.py",
        "patch": "@@ -1 +1 @@\n-a\n+b",
    },
]


@pytest.fixture
def emu(github_emulator: GitHubEmulator) -> GitHubEmulator:
    """An emulator holding one PR with a modified, a binary and a renamed file."""
    github_emulator.add_repo(OWNER, REPO)
    github_emulator.add_pull(
        OWNER,
        REPO,
        NUMBER,
        title="Add f",
        body="Adds f.",
        files=FILES,
        head_sha=HEAD,
        base_sha=BASE,
    )
    return github_emulator


@pytest.fixture
def gh(github_client: GitHub[Any], emu: GitHubEmulator) -> GitHub[Any]:
    return github_client


def _review(gh: GitHub[Any], comments: list[dict[str, Any]], **extra: Any) -> Any:
    kwargs: dict[str, Any] = {"commit_id": HEAD, "event": "COMMENT", "body": "Review", **extra}
    return gh.rest.pulls.create_review(OWNER, REPO, NUMBER, comments=comments, **kwargs)


def _comment(
    line: int, side: str = "RIGHT", path: str = "app/main.py", **extra: Any
) -> dict[str, Any]:
    return {"path": path, "line": line, "side": side, "body": f"note {line}", **extra}


def _failure(call: Any) -> RequestFailed:
    with pytest.raises(RequestFailed) as info:
        call()
    return info.value


# ------------------------------------------------------------------ pull request reads


def test_pull_request_validates_against_githubkit_model(gh: GitHub[Any]) -> None:
    pull = gh.rest.pulls.get(OWNER, REPO, NUMBER).parsed_data
    assert (pull.number, pull.head.sha, pull.base.sha) == (NUMBER, HEAD, BASE)
    assert pull.head.repo is not None and pull.head.repo.full_name == "octo/svc"
    assert pull.base.label == "octo:main" and pull.user.login == "alice"
    assert pull.changed_files == 3 and pull.additions == 4 and pull.deletions == 2
    assert gh.rest.repos.get(OWNER, REPO).parsed_data.default_branch == "main"


def test_fork_pull_has_foreign_head_repo(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    emu.add_pull(
        OWNER,
        REPO,
        8,
        title="t",
        body=None,
        files=FILES,
        head_sha=HEAD,
        base_sha=BASE,
        user_login="mallory",
        head_repo_fork=True,
        draft=True,
    )
    pull = gh.rest.pulls.get(OWNER, REPO, 8).parsed_data
    assert (
        pull.head.repo is not None
        and pull.head.repo.fork
        and pull.head.repo.full_name == "mallory/svc"
    )
    assert pull.draft is True and pull.body is None


def test_list_files_paginates_with_absolute_link_headers(
    emu: GitHubEmulator, gh: GitHub[Any]
) -> None:
    files = [
        {"filename": f"f{i}.py", "status": "added", "patch": "@@ -0,0 +1 @@\n+x"}
        for i in range(250)
    ]
    emu.add_pull(OWNER, REPO, 9, title="t", body="", files=files, head_sha=HEAD, base_sha=BASE)
    names = [
        f.filename
        for f in gh.rest.paginate(
            gh.rest.pulls.list_files, owner=OWNER, repo=REPO, pull_number=9, per_page=100
        )
    ]
    assert names == [f"f{i}.py" for i in range(250)]
    assert emu.count("GET", r"/pulls/9/files$") == 3
    middle = gh.rest.pulls.list_files(OWNER, REPO, 9, per_page=100, page=2)
    link = middle.headers["link"]
    assert f'<{emu.url}/repos/octo/svc/pulls/9/files?per_page=100&page=3>; rel="next"' in link
    assert 'rel="prev"' in link and 'rel="last"' in link and 'rel="first"' in link
    assert len(gh.rest.pulls.list_files(OWNER, REPO, 9).parsed_data) == 30  # default per_page


def test_list_files_omits_patch_and_caps_at_3000(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    response = gh.rest.pulls.list_files(OWNER, REPO, NUMBER)
    rows = {f.filename: f for f in response.parsed_data}
    assert not rows["app/logo.png"].patch and "patch" not in response.json()[1]
    assert rows["app/new_name.py"].previous_filename == "app/old_name.py"
    files = [{"filename": f"f{i}", "status": "added", "patch": None} for i in range(3001)]
    emu.add_pull(OWNER, REPO, 10, title="t", body="", files=files, head_sha=HEAD, base_sha=BASE)
    assert len(gh.rest.pulls.list_files(OWNER, REPO, 10, per_page=100, page=30).parsed_data) == 100
    assert gh.rest.pulls.list_files(OWNER, REPO, 10, per_page=100, page=31).parsed_data == []


def test_list_files_page_patch_budget_drops_later_patches(
    emu: GitHubEmulator, gh: GitHub[Any]
) -> None:
    emu.page_patch_line_budget = 5
    patch = "@@ -1,2 +1,2 @@\n-a\n+b\n c"  # 4 lines
    files = [{"filename": f"f{i}", "status": "modified", "patch": patch} for i in range(3)]
    emu.add_pull(OWNER, REPO, 11, title="t", body="", files=files, head_sha=HEAD, base_sha=BASE)
    rows = gh.rest.pulls.list_files(OWNER, REPO, 11).parsed_data
    assert rows[0].patch == patch and not rows[1].patch and rows[2].changes == 0


def test_diff_media_type_returns_unified_diff(gh: GitHub[Any]) -> None:
    text = gh.rest.pulls.get(
        OWNER, REPO, NUMBER, headers={"Accept": "application/vnd.github.diff"}
    ).text
    assert (
        "diff --git a/app/main.py b/app/main.py\n" in text
        and "--- a/app/main.py\n+++ b/app/main.py\n" in text
    )
    assert "Binary files /dev/null and b/app/logo.png differ" in text
    assert "rename from app/old_name.py\nrename to app/new_name.py" in text
    assert text.endswith("+b\n")


def test_diff_too_large_is_406(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    files = [
        {"filename": f"f{i}", "status": "added", "patch": "@@ -0,0 +1 @@\n+x"} for i in range(301)
    ]
    emu.add_pull(OWNER, REPO, 12, title="t", body="", files=files, head_sha=HEAD, base_sha=BASE)
    exc = _failure(
        lambda: gh.rest.pulls.get(
            OWNER, REPO, 12, headers={"Accept": "application/vnd.github.v3.diff"}
        )
    )
    assert exc.response.status_code == 406
    assert exc.response.json()["errors"][0]["code"] == "too_large"


# ------------------------------------------------------------------ reviews


def test_review_comments_are_stored_and_read_back(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    comments = [
        _comment(3, start_line=2, start_side="RIGHT"),
        _comment(2, "LEFT"),
        _comment(12),
        _comment(1, path="app/new_name.py"),
    ]
    review = _review(gh, comments).parsed_data
    assert review.state == "COMMENTED" and review.user is not None
    assert review.user.login == "github-actions[bot]" and review.user.type == "Bot"
    stored = gh.rest.pulls.list_review_comments(OWNER, REPO, NUMBER).parsed_data
    assert [(c.path, c.line, c.side, c.start_line) for c in stored] == [
        ("app/main.py", 3, "RIGHT", 2),
        ("app/main.py", 2, "LEFT", None),
        ("app/main.py", 12, "RIGHT", None),
        ("app/new_name.py", 1, "RIGHT", None),
    ]
    assert {c.pull_request_review_id for c in stored} == {review.id}
    assert stored[0].commit_id == HEAD and stored[0].original_line == 3
    assert stored[0].diff_hunk.endswith("+y = 3")
    assert gh.rest.pulls.list_reviews(OWNER, REPO, NUMBER).parsed_data[0].id == review.id
    assert len(emu.review_comments(OWNER, REPO, NUMBER)) == 4


@pytest.mark.parametrize(
    ("style", "check"),
    [
        (
            "modern",
            lambda body: (
                body["errors"] == ["Line could not be resolved"] and body["status"] == "422"
            ),
        ),
        (
            "older",
            lambda body: (
                body["errors"] == ["Pull request review thread line must be part of the diff"]
            ),
        ),
        (
            "legacy",
            lambda body: (
                body["message"] == "Validation Failed"
                and body["errors"][0]["field"] == "pull_request_review_thread.line"
            ),
        ),
    ],
)
def test_line_outside_diff_rejects_whole_review(
    emu: GitHubEmulator, gh: GitHub[Any], style: str, check: Any
) -> None:
    emu.review_error_style = style
    exc = _failure(lambda: _review(gh, [_comment(3), _comment(8)]))
    assert exc.response.status_code == 422 and check(exc.response.json())
    assert emu.reviews(OWNER, REPO, NUMBER) == [] and emu.review_comments(OWNER, REPO, NUMBER) == []


@pytest.mark.parametrize(
    "bad",
    [
        _comment(4, "LEFT"),  # an added line has no LEFT number
        _comment(1, path="README.md"),  # file not in the PR
        _comment(1, path="app/logo.png"),  # binary: no hunks
        _comment(3, start_line=3, start_side="RIGHT"),  # start_line == line
        _comment(12, start_line=2, start_side="RIGHT"),  # range across hunks
    ],
)
def test_misplaced_comments_are_422(gh: GitHub[Any], bad: dict[str, Any]) -> None:
    assert _failure(lambda: _review(gh, [bad])).response.status_code == 422


def test_several_problems_join_into_one_string(gh: GitHub[Any]) -> None:
    body = _failure(lambda: _review(gh, [_comment(99), _comment(1, path="nope")])).response.json()
    assert body["errors"] == ["Line could not be resolved and Path could not be resolved"]


def test_review_body_rules_and_single_pending_review(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    assert _failure(lambda: _review(gh, [], body="")).response.status_code == 422
    assert (
        _failure(lambda: _review(gh, [], event="REQUEST_CHANGES", body="")).response.status_code
        == 422
    )
    pending = gh.rest.pulls.create_review(
        OWNER, REPO, NUMBER, commit_id=HEAD, comments=[_comment(3)]
    )
    assert pending.parsed_data.state == "PENDING"
    # A pending review's comments stay hidden.
    assert gh.rest.pulls.list_review_comments(OWNER, REPO, NUMBER).parsed_data == []
    exc = _failure(lambda: _review(gh, [_comment(3)]))
    assert exc.response.json()["errors"] == [
        "User can only have one pending review per pull request"
    ]
    assert _failure(lambda: _review(gh, [], commit_id="c" * 40)).response.status_code == 422


def test_review_comment_limit_answers_502(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    emu.max_review_comments = 2
    assert (
        _failure(lambda: _review(gh, [_comment(1), _comment(2), _comment(3)])).response.status_code
        == 502
    )
    assert _review(gh, [_comment(1), _comment(2)]).status_code == 200


def test_single_file_and_reply_comments(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    pulls = gh.rest.pulls
    first = pulls.create_review_comment(
        OWNER,
        REPO,
        NUMBER,
        body="whole file",
        commit_id=HEAD,
        path="app/logo.png",
        subject_type="file",
    ).parsed_data
    assert first.subject_type == "file" and first.line is None
    line = pulls.create_review_comment(
        OWNER, REPO, NUMBER, body="x", commit_id=HEAD, path="app/main.py", line=3
    )
    reply = pulls.create_review_comment(
        OWNER,
        REPO,
        NUMBER,
        body="reply",
        commit_id=HEAD,
        path="app/main.py",
        in_reply_to=line.parsed_data.id,
    ).parsed_data
    assert reply.in_reply_to_id == line.parsed_data.id and reply.line == 3
    bad = _failure(
        lambda: pulls.create_review_comment(
            OWNER, REPO, NUMBER, body="x", commit_id=HEAD, path="app/main.py", line=50
        )
    )
    assert bad.response.status_code == 422
    # Each standalone comment comes with its own COMMENTED review.
    assert len(gh.rest.pulls.list_reviews(OWNER, REPO, NUMBER).parsed_data) == 3


def test_push_outdates_comments(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    _review(gh, [_comment(3)])
    emu.add_pull(
        OWNER,
        REPO,
        NUMBER,
        title="t",
        body="",
        head_sha="d" * 40,
        base_sha=BASE,
        files=[{"filename": "app/main.py", "status": "modified", "patch": "@@ -20 +20 @@\n-a\n+b"}],
    )
    stored = gh.rest.pulls.list_review_comments(OWNER, REPO, NUMBER).parsed_data[0]
    assert stored.line is None and stored.original_line == 3


# ------------------------------------------------------------------ tokens and failures


def test_read_only_token_gets_403_on_writes(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    emu.set_token("test-token", read_only=True)
    assert gh.rest.pulls.get(OWNER, REPO, NUMBER).status_code == 200
    exc = _failure(lambda: gh.rest.issues.create_comment(OWNER, REPO, NUMBER, body="hi"))
    assert not isinstance(exc, SecondaryRateLimitExceeded)
    assert exc.response.status_code == 403 and "retry-after" not in exc.response.headers
    assert exc.response.json()["message"] == "Resource not accessible by integration"
    assert emu.issue_comments(OWNER, REPO, NUMBER) == [] and emu.write_count() == 1


def test_token_identity_and_unknown_token(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    emu.set_token("test-token", login="review-app[bot]")
    created = gh.rest.issues.create_comment(OWNER, REPO, NUMBER, body="hi").parsed_data
    assert created.user is not None and created.user.login == "review-app[bot]"
    emu.set_token("other")
    emu.state.tokens.pop("test-token")
    assert _failure(lambda: gh.rest.pulls.get(OWNER, REPO, NUMBER)).response.status_code == 401


def test_injected_secondary_rate_limit_and_server_errors(
    emu: GitHubEmulator, gh: GitHub[Any]
) -> None:
    emu.fail_next("POST", r"/issues/\d+/comments$", 403, headers={"retry-after": "0"})
    with pytest.raises(SecondaryRateLimitExceeded) as info:
        gh.rest.issues.create_comment(OWNER, REPO, NUMBER, body="hi")
    assert info.value.retry_after.total_seconds() == 0
    emu.fail_next("GET", r"/pulls/7$", 502, times=2)
    for _ in range(2):
        assert _failure(lambda: gh.rest.pulls.get(OWNER, REPO, NUMBER)).response.status_code == 502
    assert gh.rest.pulls.get(OWNER, REPO, NUMBER).status_code == 200
    emu.fail_next("*", r".", 429, headers={"retry-after": "1"})
    with pytest.raises(SecondaryRateLimitExceeded):
        gh.rest.repos.get(OWNER, REPO)


def test_content_creation_limit(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    emu.content_create_limit = 1
    gh.rest.issues.create_comment(OWNER, REPO, NUMBER, body="one")
    with pytest.raises(SecondaryRateLimitExceeded):
        gh.rest.issues.create_comment(OWNER, REPO, NUMBER, body="two")
    assert len(emu.issue_comments(OWNER, REPO, NUMBER)) == 1


# ------------------------------------------------------------------ repository reads


@pytest.mark.parametrize(
    ("role", "legacy"),
    [
        ("admin", "admin"),
        ("maintain", "write"),
        ("write", "write"),
        ("triage", "read"),
        ("read", "read"),
        ("none", "none"),
    ],
)
def test_permission_levels(emu: GitHubEmulator, gh: GitHub[Any], role: str, legacy: str) -> None:
    emu.set_permission(OWNER, REPO, "bob", role)
    data = gh.rest.repos.get_collaborator_permission_level(OWNER, REPO, "bob").parsed_data
    assert (data.permission, data.role_name) == (legacy, role)


def test_permission_unknown_user_is_404(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    fail = _failure(lambda: gh.rest.repos.get_collaborator_permission_level(OWNER, REPO, "ghost"))
    assert fail.response.status_code == 404
    with pytest.raises(ValueError):
        emu.set_permission(OWNER, REPO, "bob", "owner")


def test_contents(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    emu.add_file_content(OWNER, REPO, ".github/review.yml", HEAD, "rules: []\n" * 20)
    data = gh.rest.repos.get_content(OWNER, REPO, ".github/review.yml", ref=HEAD).parsed_data
    assert not isinstance(data, list) and data.type == "file"
    assert base64.b64decode(data.content).decode() == "rules: []\n" * 20
    missing = _failure(
        lambda: gh.rest.repos.get_content(OWNER, REPO, ".github/review.yml", ref="main")
    )
    assert missing.response.status_code == 404


def test_compare(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    emu.set_compare(OWNER, REPO, BASE, HEAD, FILES[:1], status="ahead", ahead_by=2)
    data = gh.rest.repos.compare_commits(OWNER, REPO, f"{BASE}...{HEAD}").parsed_data
    assert (data.status, data.ahead_by, data.behind_by, len(data.commits)) == ("ahead", 2, 0, 2)
    assert data.files and data.files[0].patch == PATCH
    assert (
        _failure(lambda: gh.rest.repos.compare_commits(OWNER, REPO, "x...y")).response.status_code
        == 404
    )


# ------------------------------------------------------------------ issue comments and reactions


def test_issue_comment_create_update_list(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    created = gh.rest.issues.create_comment(OWNER, REPO, NUMBER, body="summary v1")
    assert created.status_code == 201
    updated = gh.rest.issues.update_comment(
        OWNER, REPO, created.parsed_data.id, body="summary v2"
    ).parsed_data
    assert updated.body == "summary v2"
    listed = gh.rest.issues.list_comments(OWNER, REPO, NUMBER).parsed_data
    assert [c.body for c in listed] == ["summary v2"]
    request = emu.requests[-2]
    assert request.method == "PATCH" and request.body == {"body": "summary v2"}
    assert request.headers["authorization"] == "token test-token"
    assert (
        _failure(
            lambda: gh.rest.issues.update_comment(OWNER, REPO, 1, body="x")
        ).response.status_code
        == 404
    )


def test_reactions_201_then_200(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    cid = gh.rest.issues.create_comment(OWNER, REPO, NUMBER, body="hi").parsed_data.id
    first = gh.rest.reactions.create_for_issue_comment(OWNER, REPO, cid, content="eyes")
    again = gh.rest.reactions.create_for_issue_comment(OWNER, REPO, cid, content="eyes")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.parsed_data.id == again.parsed_data.id
    assert [r["content"] for r in emu.reactions(OWNER, REPO, cid)] == ["eyes"]


# ------------------------------------------------------------------ plumbing


def test_unknown_route_rate_headers_and_recording(emu: GitHubEmulator) -> None:
    response = httpx.get(f"{emu.url}/nope?x=1", headers={"X-Custom": "v"}, trust_env=False)
    assert response.status_code == 404 and response.json()["message"] == "Not Found"
    assert (
        response.headers["x-ratelimit-limit"] == "5000"
        and response.headers["x-ratelimit-resource"] == "core"
    )
    recorded = emu.requests[-1]
    assert (recorded.path, recorded.query, recorded.headers["x-custom"]) == (
        "/nope",
        {"x": "1"},
        "v",
    )
    assert emu.count("GET", "^/nope$") == 1 and emu.write_count() == 0 and emu.errors == []


def test_primary_rate_limit_via_header_override(emu: GitHubEmulator, gh: GitHub[Any]) -> None:
    emu.fail_next("GET", r".", 403, headers={"x-ratelimit-remaining": "0"})
    with pytest.raises(PrimaryRateLimitExceeded):
        gh.rest.repos.get(OWNER, REPO)


def test_concurrent_writes_are_thread_safe(emu: GitHubEmulator) -> None:
    def post(i: int) -> int:
        with httpx.Client(trust_env=False) as client:
            url = f"{emu.url}/repos/{OWNER}/{REPO}/issues/{NUMBER}/comments"
            response = client.post(
                url, json={"body": f"c{i}"}, headers={"Authorization": "token t"}
            )
            return int(response.json()["id"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(post, range(16)))
    assert len(set(ids)) == 16 and len(emu.issue_comments(OWNER, REPO, NUMBER)) == 16

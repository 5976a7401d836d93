"""Route handlers of the GitHub emulator: one small function per REST endpoint.

Handlers run under the emulator's lock, read and change its `State`, and return a `Reply`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.emulators import github_models as models
from tests.emulators.github_app import APP_ROUTES
from tests.emulators.github_checks import CHECK_ROUTES
from tests.emulators.github_diff import full_diff
from tests.emulators.github_http import (
    DIFF,
    Reply,
    Request,
    body_too_long,
    not_found,
    paginate,
    unprocessable,
    validation_failed,
)
from tests.emulators.github_state import Anchor, AnchorError, Pull, Repo, resolve_anchor, timestamp

if TYPE_CHECKING:
    from tests.emulators.github import GitHubEmulator

Handler = Callable[["GitHubEmulator", Request], Reply]

MAX_DIFF_FILES = 300
MAX_DIFF_LINES = 20_000
MAX_LISTED_FILES = 3_000
REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
EVENTS = ("COMMENT", "REQUEST_CHANGES", "APPROVE")

# How each style words each kind of misplaced comment.
ANCHOR_MESSAGES = {
    "modern": {
        "path": "Path could not be resolved",
        "line": "Line could not be resolved",
        "start_line": "Line could not be resolved",
    },
    "older": {
        "path": "Pull request review thread path is invalid",
        "line": "Pull request review thread line must be part of the diff",
        "start_line": "Pull request review thread start line must precede the end line",
    },
    "legacy": {
        "path": "pull_request_review_thread.path is invalid",
        "line": "pull_request_review_thread.line must be part of the diff",
        "start_line": "pull_request_review_thread.start_line must precede the end line",
    },
}


@dataclass(frozen=True)
class Route:
    """A method and path pattern; `creates` marks content creation (secondary rate limit)."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    creates: bool = False


# ---------------------------------------------------------------- lookups


def _repo(emu: GitHubEmulator, req: Request) -> Repo | None:
    return emu.state.repos.get((req.params["owner"].lower(), req.params["repo"].lower()))


def _pull(emu: GitHubEmulator, req: Request) -> tuple[Repo, Pull] | None:
    repo = _repo(emu, req)
    if repo is None:
        return None
    pull = repo.pulls.get(int(req.params["number"]))
    return (repo, pull) if pull else None


def _issue_comment(repo: Repo, cid: int) -> dict[str, Any] | None:
    for pull in repo.pulls.values():
        for comment in pull.issue_comments:
            if comment["id"] == cid:
                return comment
    return None


# ---------------------------------------------------------------- repository


def get_repo(emu: GitHubEmulator, req: Request) -> Reply:
    repo = _repo(emu, req)
    return (
        Reply(200, models.full_repository(emu.urls, repo))
        if repo
        else not_found("/repos/repos#get-a-repository")
    )


def get_permission(emu: GitHubEmulator, req: Request) -> Reply:
    """Legacy `permission` + `role_name`; 404 for unknown users and non-collaborators of private repos."""
    repo = _repo(emu, req)
    login = req.params["user"]
    doc = "/collaborators/collaborators#get-repository-permissions-for-a-user"
    if repo is None:
        return not_found(doc)
    role = repo.permissions.get(login)
    if role is None:
        if repo.private or login not in emu.state.known_users:
            return not_found(doc)
        role = "read"
    return Reply(200, models.collaborator_permission(emu.urls, login, role))


def get_content(emu: GitHubEmulator, req: Request) -> Reply:
    repo = _repo(emu, req)
    doc = "/repos/contents#get-repository-content"
    if repo is None:
        return not_found(doc)
    path = req.params["path"].strip("/")
    ref = req.query.get("ref") or repo.default_branch
    text = repo.contents.get((path, ref))
    if text is None:
        return not_found(doc)
    if req.wants("raw"):
        return Reply(200, text, content_type="application/vnd.github.raw; charset=utf-8")
    return Reply(200, models.content_file(emu.urls, repo, path, ref, text))


def compare(emu: GitHubEmulator, req: Request) -> Reply:
    repo = _repo(emu, req)
    cmp = repo.compares.get((req.params["base"], req.params["head"])) if repo else None
    if repo is None or cmp is None:
        return not_found("/commits/commits#compare-two-commits")
    if req.wants("diff"):
        return Reply(200, full_diff(cmp.files), content_type=DIFF)
    return Reply(200, models.comparison(emu.urls, repo, cmp))


# ---------------------------------------------------------------- pull requests


def get_pull(emu: GitHubEmulator, req: Request) -> Reply:
    """The PR as JSON, or its whole diff; 406 too_large past 300 files or 20,000 lines."""
    found = _pull(emu, req)
    if found is None:
        return not_found("/pulls/pulls#get-a-pull-request")
    repo, pull = found
    if not req.wants("diff"):
        return Reply(200, models.pull_request(emu.urls, repo, pull))
    text = full_diff(pull.files)
    if len(pull.files) > MAX_DIFF_FILES or text.count("\n") > MAX_DIFF_LINES:
        body = models.error(
            "Sorry, the diff exceeded the maximum number of files (300). Consider using 'List pull requests "
            "files' API or locally cloning the repository instead.",
            "/pulls/pulls#list-pull-requests-files",
            406,
            [{"resource": "PullRequest", "field": "diff", "code": "too_large"}],
        )
        return Reply(406, body)
    return Reply(200, text, content_type=DIFF)


def list_files(emu: GitHubEmulator, req: Request) -> Reply:
    """Paginated DiffEntry rows; past the per-page patch budget, rows lose their patch and counts."""
    found = _pull(emu, req)
    if found is None:
        return not_found("/pulls/pulls#list-pull-requests-files")
    repo, pull = found
    reply = paginate(emu.url, req, pull.files[:MAX_LISTED_FILES])
    budget = emu.page_patch_line_budget
    total, over, rows = 0, False, []
    for entry in reply.body:
        size = entry["patch"].count("\n") + 1 if entry.get("patch") else 0
        if budget is not None and not over and total + size > budget:
            over = True
        total += 0 if over else size
        rows.append(models.diff_entry(emu.urls, repo, pull.head_sha, entry, truncated=over))
    reply.body = rows
    return reply


def list_review_comments(emu: GitHubEmulator, req: Request) -> Reply:
    """Submitted review comments only: pending ones stay hidden."""
    found = _pull(emu, req)
    if found is None:
        return not_found("/pulls/comments#list-review-comments-on-a-pull-request")
    _, pull = found
    pending = {r["id"] for r in pull.reviews if r["state"] == "PENDING"}
    visible = [c for c in pull.review_comments if c["pull_request_review_id"] not in pending]
    return paginate(emu.url, req, visible)


def list_reviews(emu: GitHubEmulator, req: Request) -> Reply:
    """Reviews; a pending review is shown only to its author."""
    found = _pull(emu, req)
    if found is None:
        return not_found("/pulls/reviews#list-reviews-for-a-pull-request")
    _, pull = found
    visible = [
        r for r in pull.reviews if r["state"] != "PENDING" or r["user"]["login"] == req.login
    ]
    return paginate(emu.url, req, visible)


def _anchor_error(emu: GitHubEmulator, kinds: list[str]) -> Reply:
    """The 422 for misplaced comments, worded in the emulator's configured style."""
    style = emu.review_error_style
    words = ANCHOR_MESSAGES.get(style, ANCHOR_MESSAGES["modern"])
    doc = "/pulls/reviews#create-a-review-for-a-pull-request"
    if style == "legacy":
        errors = [
            {
                "resource": "PullRequestReviewComment",
                "code": "custom",
                "field": f"pull_request_review_thread.{kind}",
                "message": words[kind],
            }
            for kind in kinds
        ]
        return Reply(422, models.error("Validation Failed", doc, None, errors))
    messages = list(dict.fromkeys(words[kind] for kind in kinds))
    return unprocessable(" and ".join(messages), doc)


def _anchor_fields(anchor: Anchor) -> dict[str, Any]:
    return {
        "diff_hunk": anchor.diff_hunk,
        "path": anchor.path,
        "position": anchor.position,
        "original_position": anchor.position,
        "line": anchor.line,
        "original_line": anchor.line,
        "side": anchor.side,
        "start_line": anchor.start_line,
        "original_start_line": anchor.start_line,
        "start_side": anchor.start_side,
        "subject_type": anchor.subject_type,
    }


def _new_review(
    emu: GitHubEmulator,
    req: Request,
    repo: Repo,
    pull: Pull,
    *,
    body: str,
    state: str,
    commit_id: str,
) -> dict[str, Any]:
    data = models.review(
        emu.urls,
        repo,
        pull,
        rid=emu.state.next_id(),
        login=req.login,
        kind=req.kind,
        body=body,
        state=state,
        commit_id=commit_id,
    )
    pull.reviews.append(data)
    return data


def _new_comment(
    emu: GitHubEmulator,
    req: Request,
    repo: Repo,
    pull: Pull,
    *,
    review_id: int,
    body: str,
    commit_id: str,
    anchor: dict[str, Any],
) -> dict[str, Any]:
    data = models.review_comment(
        emu.urls,
        repo,
        pull,
        cid=emu.state.next_id(),
        review_id=review_id,
        login=req.login,
        kind=req.kind,
        body=body,
        commit_id=commit_id,
    )
    data.update(anchor)
    pull.review_comments.append(data)
    return data


def _check_review(emu: GitHubEmulator, req: Request, pull: Pull) -> Reply | None:
    """Everything GitHub checks before it stores a review (and then stores nothing on failure)."""
    body = req.json()
    event = body.get("event")
    if event is not None and event not in EVENTS:
        return unprocessable(f"Invalid event: {event}")
    if event in ("COMMENT", "REQUEST_CHANGES") and not (body.get("body") or "").strip():
        return unprocessable(f"Body can't be blank when the event is {event}")
    if (too_long := body_too_long("PullRequestReview", body.get("body"))) is not None:
        return too_long
    commit_id = body.get("commit_id") or pull.head_sha
    if commit_id not in pull.shas:
        return unprocessable(f"No commit found for SHA: {commit_id}")
    if any(r["state"] == "PENDING" and r["user"]["login"] == req.login for r in pull.reviews):
        return unprocessable("User can only have one pending review per pull request")
    if event in ("APPROVE", "REQUEST_CHANGES") and req.login == pull.user_login:
        verb = "approve" if event == "APPROVE" else "request changes on"
        return unprocessable(f"Can not {verb} your own pull request")
    comments = body.get("comments") or []
    if emu.max_review_comments is not None and len(comments) > emu.max_review_comments:
        return Reply(502, models.error("Server Error", status=502))
    kinds = []
    for comment in comments:
        if (too_long := body_too_long("PullRequestReviewComment", comment.get("body"))) is not None:
            return too_long
        try:
            resolve_anchor(pull, comment)
        except AnchorError as exc:
            kinds.append(exc.kind)
    return _anchor_error(emu, kinds) if kinds else None


def create_review(emu: GitHubEmulator, req: Request) -> Reply:
    """A review with its inline comments, all or nothing."""
    found = _pull(emu, req)
    if found is None:
        return not_found("/pulls/reviews#create-a-review-for-a-pull-request")
    repo, pull = found
    problem = _check_review(emu, req, pull)
    if problem is not None:
        return problem
    body = req.json()
    commit_id = body.get("commit_id") or pull.head_sha
    state = models.REVIEW_STATES[body.get("event")]
    review = _new_review(
        emu, req, repo, pull, body=body.get("body") or "", state=state, commit_id=commit_id
    )
    for comment in body.get("comments") or []:
        anchor = _anchor_fields(resolve_anchor(pull, comment))
        _new_comment(
            emu,
            req,
            repo,
            pull,
            review_id=review["id"],
            body=comment.get("body") or "",
            commit_id=commit_id,
            anchor=anchor,
        )
    return Reply(200, review)


def _find_review(pull: Pull, rid: int) -> dict[str, Any] | None:
    return next((r for r in pull.reviews if r["id"] == rid), None)


def submit_review(emu: GitHubEmulator, req: Request) -> Reply:
    """Submit a pending review (`POST .../reviews/{id}/events`)."""
    found = _pull(emu, req)
    review = _find_review(found[1], int(req.params["review_id"])) if found else None
    if review is None:
        return not_found("/pulls/reviews#submit-a-review-for-a-pull-request")
    event = req.json().get("event")
    if review["state"] != "PENDING":
        return unprocessable("Can not submit a non-pending pull request review")
    if event not in EVENTS:
        return unprocessable(f"Invalid event: {event}")
    if req.json().get("body"):
        review["body"] = req.json()["body"]
    review["state"] = models.REVIEW_STATES[event]
    review["submitted_at"] = timestamp()
    return Reply(200, review)


def delete_review(emu: GitHubEmulator, req: Request) -> Reply:
    """Delete a pending review and its comments; submitted reviews cannot be deleted."""
    found = _pull(emu, req)
    review = _find_review(found[1], int(req.params["review_id"])) if found else None
    if found is None or review is None:
        return not_found("/pulls/reviews#delete-a-pending-review-for-a-pull-request")
    if review["state"] != "PENDING":
        return unprocessable("Can not delete a non-pending pull request review")
    pull = found[1]
    pull.reviews.remove(review)
    pull.review_comments[:] = [
        c for c in pull.review_comments if c["pull_request_review_id"] != review["id"]
    ]
    return Reply(200, review)


def _reply_to(emu: GitHubEmulator, req: Request, repo: Repo, pull: Pull, parent_id: int) -> Reply:
    """A reply joins the parent's thread: same anchor, `in_reply_to_id` = the thread's first comment."""
    parent = next((c for c in pull.review_comments if c["id"] == parent_id), None)
    if parent is None:
        return not_found("/pulls/comments#create-a-reply-for-a-review-comment")
    anchor_keys = (
        "diff_hunk",
        "path",
        "position",
        "original_position",
        "line",
        "original_line",
        "side",
        "start_line",
        "original_start_line",
        "start_side",
        "subject_type",
    )
    anchor = {key: parent.get(key) for key in anchor_keys}
    anchor["in_reply_to_id"] = parent.get("in_reply_to_id") or parent["id"]
    review = _new_review(
        emu, req, repo, pull, body="", state="COMMENTED", commit_id=parent["commit_id"]
    )
    data = _new_comment(
        emu,
        req,
        repo,
        pull,
        review_id=review["id"],
        body=req.json().get("body") or "",
        commit_id=parent["commit_id"],
        anchor=anchor,
    )
    return Reply(201, data)


def create_review_comment(emu: GitHubEmulator, req: Request) -> Reply:
    """One inline comment (or a file comment, or a reply), wrapped in its own COMMENTED review."""
    found = _pull(emu, req)
    if found is None:
        return not_found("/pulls/comments#create-a-review-comment-for-a-pull-request")
    repo, pull = found
    body = req.json()
    if not (body.get("body") or "").strip():
        return validation_failed("PullRequestReviewComment", "body", "can't be blank")
    if (too_long := body_too_long("PullRequestReviewComment", body.get("body"))) is not None:
        return too_long
    if body.get("in_reply_to") is not None:
        return _reply_to(emu, req, repo, pull, int(body["in_reply_to"]))
    commit_id = body.get("commit_id") or ""
    if commit_id not in pull.shas:
        return unprocessable(f"No commit found for SHA: {commit_id}")
    try:
        anchor = _anchor_fields(resolve_anchor(pull, body))
    except AnchorError as exc:
        return _anchor_error(emu, [exc.kind])
    review = _new_review(emu, req, repo, pull, body="", state="COMMENTED", commit_id=commit_id)
    data = _new_comment(
        emu,
        req,
        repo,
        pull,
        review_id=review["id"],
        body=body["body"],
        commit_id=commit_id,
        anchor=anchor,
    )
    return Reply(201, data)


def create_reply(emu: GitHubEmulator, req: Request) -> Reply:
    """`POST .../pulls/{n}/comments/{id}/replies`."""
    found = _pull(emu, req)
    if found is None:
        return not_found("/pulls/comments#create-a-reply-for-a-review-comment")
    if not (req.json().get("body") or "").strip():
        return validation_failed("PullRequestReviewComment", "body", "can't be blank")
    return _reply_to(emu, req, found[0], found[1], int(req.params["comment_id"]))


# ---------------------------------------------------------------- issue comments and reactions


def list_issue_comments(emu: GitHubEmulator, req: Request) -> Reply:
    found = _pull(emu, req)
    if found is None:
        return not_found("/issues/comments#list-issue-comments")
    return paginate(emu.url, req, found[1].issue_comments)


def create_issue_comment(emu: GitHubEmulator, req: Request) -> Reply:
    found = _pull(emu, req)
    if found is None:
        return not_found("/issues/comments#create-an-issue-comment")
    repo, pull = found
    text = req.json().get("body")
    if not isinstance(text, str) or not text:
        return validation_failed("IssueComment", "body", "can't be blank")
    if (too_long := body_too_long("IssueComment", text)) is not None:
        return too_long
    data = models.issue_comment(
        emu.urls,
        repo,
        pull.number,
        cid=emu.state.next_id(),
        login=req.login,
        kind=req.kind,
        body=text,
    )
    pull.issue_comments.append(data)
    return Reply(201, data)


def update_issue_comment(emu: GitHubEmulator, req: Request) -> Reply:
    repo = _repo(emu, req)
    comment = _issue_comment(repo, int(req.params["comment_id"])) if repo else None
    if comment is None:
        return not_found("/issues/comments#update-an-issue-comment")
    text = req.json().get("body")
    if not isinstance(text, str) or not text:
        return validation_failed("IssueComment", "body", "can't be blank")
    if (too_long := body_too_long("IssueComment", text)) is not None:
        return too_long
    comment["body"] = text
    comment["updated_at"] = timestamp()
    return Reply(200, comment)


def create_reaction(emu: GitHubEmulator, req: Request) -> Reply:
    """201 when created, 200 with the existing reaction when this user already reacted so."""
    repo = _repo(emu, req)
    cid = int(req.params["comment_id"])
    if repo is None or _issue_comment(repo, cid) is None:
        return not_found("/reactions/reactions#create-reaction-for-an-issue-comment")
    content = req.json().get("content")
    if content not in REACTIONS:
        return validation_failed(
            "Reaction", "content", f"content is not included in the list: {content}"
        )
    existing = repo.reactions.setdefault(cid, [])
    for item in existing:
        if item["content"] == content and item["user"]["login"] == req.login:
            return Reply(200, item)
    data = models.reaction(
        emu.urls, rid=emu.state.next_id(), login=req.login, kind=req.kind, content=content
    )
    existing.append(data)
    return Reply(201, data)


# ---------------------------------------------------------------- table

_REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
_PULL = _REPO + r"/pulls/(?P<number>\d+)"


def _route(method: str, pattern: str, handler: Handler, creates: bool = False) -> Route:
    return Route(method, re.compile(f"^{pattern}$"), handler, creates)


ROUTES = [
    _route("GET", _REPO, get_repo),
    _route("GET", _REPO + r"/collaborators/(?P<user>[^/]+)/permission", get_permission),
    _route("GET", _REPO + r"/contents/(?P<path>.+)", get_content),
    _route("GET", _REPO + r"/compare/(?P<base>.+?)\.\.\.(?P<head>.+)", compare),
    _route("GET", _PULL, get_pull),
    _route("GET", _PULL + r"/files", list_files),
    _route("GET", _PULL + r"/comments", list_review_comments),
    _route("POST", _PULL + r"/comments", create_review_comment, creates=True),
    _route("POST", _PULL + r"/comments/(?P<comment_id>\d+)/replies", create_reply, creates=True),
    _route("GET", _PULL + r"/reviews", list_reviews),
    _route("POST", _PULL + r"/reviews", create_review, creates=True),
    _route("POST", _PULL + r"/reviews/(?P<review_id>\d+)/events", submit_review),
    _route("DELETE", _PULL + r"/reviews/(?P<review_id>\d+)", delete_review),
    _route("GET", _REPO + r"/issues/(?P<number>\d+)/comments", list_issue_comments),
    _route("POST", _REPO + r"/issues/(?P<number>\d+)/comments", create_issue_comment, creates=True),
    _route("PATCH", _REPO + r"/issues/comments/(?P<comment_id>\d+)", update_issue_comment),
    _route(
        "POST",
        _REPO + r"/issues/comments/(?P<comment_id>\d+)/reactions",
        create_reaction,
        creates=True,
    ),
    *(_route(method, _REPO + pattern, handler) for method, pattern, handler in CHECK_ROUTES),
]

ROUTES += [_route(*route) for route in APP_ROUTES]


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for a request and its path parameters."""
    for route in ROUTES:
        if route.method != method:
            continue
        found = route.pattern.match(path)
        if found:
            return route, found.groupdict()
    return None

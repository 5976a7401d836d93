"""Publishing: what is planned (pure) and how a rejected batch is bisected (with a recording sender)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.github.client import DryRunSender, RequestFailedError, WriteRequest
from bot.github.plan import (
    BATCH,
    help_text,
    may_trigger,
    plan_comments,
    review_event,
    review_request,
    summary_request,
)
from bot.github.publish import Publisher
from bot.markers import parse_summary_marker
from bot.models import Finding, InlineComment

PREFIX = "/repos/acme/shop"


def comment(i: int, *, line: int | None = 10) -> InlineComment:
    return InlineComment(path=f"f{i}.py", body=f"body {i}", fingerprint=f"{i:016x}", line=line)


def finding(severity: str) -> Finding:
    return Finding.model_validate(
        {
            "path": "a.py",
            "line": 1,
            "severity": severity,
            "category": "database",
            "title": "t",
            "body": "b",
        }
    )


class GitHubLike:
    """Accepts a review unless it holds a comment whose fingerprint is in `bad` (then 422)."""

    def __init__(self, bad: set[str], shape: Any = None) -> None:
        self.bad = bad
        self.shape = shape or {
            "message": "Unprocessable Entity",
            "errors": ["Line could not be resolved"],
        }
        self.sent: list[WriteRequest] = []
        self.accepted: list[WriteRequest] = []

    def send(self, request: WriteRequest) -> dict[str, Any]:
        self.sent.append(request)
        paths = {c["body"].split()[-1] for c in request.body.get("comments", [])}
        if request.body.get("body") and "comments" not in request.body:
            paths = {request.body["body"].split()[-1]}
        if any(f"{int(i):016x}" in self.bad for i in paths if i.isdigit()):
            raise RequestFailedError("422", status=422, body=self.shape)
        self.accepted.append(request)
        return {"id": len(self.sent), "html_url": f"https://example/{len(self.sent)}"}


def test_plan_skips_posted_and_batches_by_30() -> None:
    """Already posted fingerprints are dropped; the rest go out 30 per review."""
    comments = [comment(i) for i in range(75)]
    plan = plan_comments(comments, posted={comments[0].fingerprint}, event="COMMENT")
    assert [len(b) for b in plan.batches] == [30, 30, 14]
    assert plan.duplicates == [comments[0]]
    assert BATCH == 30


def test_file_level_comments_are_separate() -> None:
    plan = plan_comments([comment(1, line=None), comment(2)], posted=set(), event="COMMENT")
    assert plan.file_comments == [comment(1, line=None)]
    assert plan.batches == [[comment(2)]]


@pytest.mark.parametrize(
    ("threshold", "severities", "event"),
    [
        (None, ["critical"], "COMMENT"),
        ("high", ["medium"], "COMMENT"),
        ("high", ["medium", "high"], "REQUEST_CHANGES"),
        ("high", ["critical"], "REQUEST_CHANGES"),
        ("high", [], "COMMENT"),
    ],
)
def test_review_event(threshold: Any, severities: list[str], event: str) -> None:
    assert review_event([finding(s) for s in severities], threshold) == event


def test_review_request_is_pinned_to_the_head() -> None:
    request = review_request(
        PREFIX, 42, head_sha="b" * 40, event="COMMENT", comments=[comment(1)], part=(2, 3)
    )
    assert request.method == "POST" and request.path == f"{PREFIX}/pulls/42/reviews"
    assert request.body["commit_id"] == "b" * 40 and request.body["event"] == "COMMENT"
    assert "part 2 of 3" in request.body["body"]
    assert request.body["comments"] == [
        {"path": "f1.py", "body": "body 1", "line": 10, "side": "RIGHT"}
    ]


def test_summary_edits_in_place_or_creates() -> None:
    assert summary_request(PREFIX, 42, "x", existing_id=7) == WriteRequest(
        "PATCH", f"{PREFIX}/issues/comments/7", {"body": "x"}
    )
    assert summary_request(PREFIX, 42, "x", existing_id=None).path == f"{PREFIX}/issues/42/comments"


@pytest.mark.parametrize(
    ("permission", "role", "allowed"),
    [
        ("admin", "admin", True),
        ("write", "maintain", True),
        ("write", "write", True),
        ("read", "triage", False),
        ("read", "read", False),
        ("none", None, False),
        ("write", "custom-deployer", True),
    ],
)
def test_may_trigger(permission: str, role: str | None, allowed: bool) -> None:
    """Write, maintain and admin may run the command; triage, read and outsiders may not."""
    assert may_trigger(permission, role) is allowed


def test_help_names_unknown_options() -> None:
    assert "`now`" in help_text(("now",)) and "/backend-review full" in help_text()


LEGACY = {
    "message": "Validation Failed",
    "errors": [
        {
            "resource": "PullRequestReviewComment",
            "code": "custom",
            "field": "x",
            "message": "bad line",
        }
    ],
}


@pytest.mark.parametrize(
    "shape",
    [
        {
            "message": "Unprocessable Entity",
            "errors": ["Line could not be resolved"],
            "status": "422",
        },
        {
            "message": "Unprocessable Entity",
            "errors": ["Pull request review thread line must be part of the diff"],
        },
        LEGACY,
    ],
)
def test_bisection_isolates_one_bad_comment(shape: dict[str, Any]) -> None:
    """One bad anchor in 30: it alone goes to the summary, with GitHub's words; 29 are posted."""
    comments = [
        InlineComment(path="a.py", body=f"c {i}", fingerprint=f"{i:016x}", line=i + 1)
        for i in range(30)
    ]
    github = GitHubLike({f"{17:016x}"}, shape)
    plan = plan_comments(comments, posted=set(), event="REQUEST_CHANGES")
    out = Publisher(github, prefix=PREFIX, number=42, head_sha="b" * 40).post_comments(plan)
    assert [c.line for c, _ in out.rejected] == [18]
    assert len(out.posted) == 29
    assert "GitHub refused the comment" in out.rejected[0][1]
    events = [r.body["event"] for r in github.accepted]
    assert events.count("REQUEST_CHANGES") == 1  # one change request, then plain comments
    assert len(github.sent) <= 1 + 2 * 5


@given(st.sets(st.integers(0, 44), max_size=6))
def test_bisection_never_loses_a_comment(bad: set[int]) -> None:
    """Whatever GitHub refuses, every comment is either posted or rejected, exactly once."""
    comments = [
        InlineComment(path="a.py", body=f"c {i}", fingerprint=f"{i:016x}", line=i + 1)
        for i in range(45)
    ]
    github = GitHubLike({f"{i:016x}" for i in bad})
    plan = plan_comments(comments, posted=set(), event="COMMENT")
    out = Publisher(github, prefix=PREFIX, number=42, head_sha="b" * 40).post_comments(plan)
    assert {c.line - 1 for c, _ in out.rejected} == bad  # type: ignore[operator]
    assert sorted(c.fingerprint for c in out.posted) == sorted(
        c.fingerprint for c in comments if int(c.fingerprint, 16) not in bad
    )


def test_other_failures_are_not_bisected() -> None:
    """A 5xx or 403 is not about anchors: it stops publishing (the caller saves the review)."""

    class Down:
        def send(self, request: WriteRequest) -> dict[str, Any]:
            raise RequestFailedError("down", status=502)

    plan = plan_comments([comment(1), comment(2)], posted=set(), event="COMMENT")
    with pytest.raises(RequestFailedError):
        Publisher(Down(), prefix=PREFIX, number=42, head_sha="b").post_comments(plan)


def test_dry_run_sender_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    sender = DryRunSender()
    sender.send(WriteRequest("POST", "/x", {"body": "é"}))
    assert capsys.readouterr().out == '{"method": "POST", "path": "/x", "body": {"body": "é"}}\n'


def test_summary_comment_keeps_its_marker_when_long() -> None:
    """3,000 files and hundreds of summary-only findings: the comment fits GitHub's limit and
    the state marker (head, config, fingerprints) survives at the end."""
    from bot.github.event import PullSnapshot
    from bot.github.plan import Plan
    from bot.models import FileReport
    from bot.pr.report import Outcome, summary_comment
    from bot.review.result import ReviewResult

    many = [
        finding("low").model_copy(update={"path": f"q{i}.sql", "title": "t" * 150})
        for i in range(600)
    ]
    result = ReviewResult(
        reports=[
            FileReport(path=f"q{i}.sql", status="added", categories=("query",))
            for i in range(3_000)
        ],
        findings=many,
        comments=[],
        summary_only=[(f, "inline comment limit reached") for f in many],
    )
    pull = PullSnapshot("b" * 40, "a" * 40, "main", "t", None, False, "open", None)
    plan = Plan(event="COMMENT", batches=[], file_comments=[], duplicates=[])
    outcome = Outcome(
        result=result, pull=pull, number=1, config_hash="c" * 16, earlier=None, plan=plan
    )
    body = summary_comment(outcome)
    assert len(body) <= 65_536
    state = parse_summary_marker(body)
    assert state is not None and state.head_sha == "b" * 40 and len(state.fingerprints) == 600

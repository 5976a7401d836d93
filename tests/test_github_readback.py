"""A write that may have been applied is read back, never blindly repeated."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.github.client import RequestFailedError, WriteRequest
from bot.github.plan import plan_comments
from bot.github.publish import Publisher
from bot.github.read import EarlierSummary
from bot.models import InlineComment

PREFIX = "/repos/acme/shop"
# What GitHub does with each write: store it and answer, store it and lose the answer (502),
# fail without storing (500), time out after storing (no status).
OUTCOMES = ("ok", "applied-502", "failed-500", "applied-timeout")


def comment(i: int) -> InlineComment:
    line = None if i % 5 == 4 else i + 1  # every fifth one is a file-level comment
    return InlineComment(path="a.py", body=f"c {i}", fingerprint=f"{i:016x}", line=line)


class FlakyGitHub:
    """Stores review comments and the summary; answers each write as `outcomes` says (then ok)."""

    def __init__(self, outcomes: list[str]) -> None:
        self.outcomes = list(outcomes)
        self.stored: Counter[str] = Counter()
        self.summary: str | None = None
        self.writes = 0

    def send(self, request: WriteRequest) -> dict[str, Any]:
        self.writes += 1
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if outcome == "failed-500":
            raise RequestFailedError("500", status=500)
        if "comments" in request.body:
            self.stored.update(str(c["body"]).split()[-1] for c in request.body["comments"])
        elif "path" in request.body:
            self.stored[str(request.body["body"]).split()[-1]] += 1
        else:
            self.summary = str(request.body["body"])
        if outcome == "applied-502":
            raise RequestFailedError("502", status=502)
        if outcome == "applied-timeout":
            raise RequestFailedError("timeout", status=None)
        return {"id": 1, "html_url": "https://example/1"}

    # ReadBack
    def fingerprints(self) -> set[str]:
        return {f"{int(i):016x}" for i in self.stored}

    def summary_comment(self) -> EarlierSummary | None:
        if self.summary is None:
            return None
        return EarlierSummary(
            comment_id=1, html_url="https://example/1", body=self.summary, state=None
        )


class ReadBackOf:
    def __init__(self, github: FlakyGitHub) -> None:
        self.github = github

    def fingerprints(self) -> set[str]:
        return self.github.fingerprints()

    def summary(self) -> EarlierSummary | None:
        return self.github.summary_comment()


@given(st.lists(st.sampled_from(OUTCOMES), max_size=12), st.integers(1, 70))
def test_nothing_is_posted_twice(outcomes: list[str], count: int) -> None:
    """Whatever GitHub stores or loses: no comment is stored twice, every comment the publisher
    counts as posted is stored, and when it does not raise, every comment is stored."""
    github = FlakyGitHub(outcomes)
    comments = [comment(i) for i in range(count)]
    plan = plan_comments(comments, posted=set(), event="COMMENT")
    publisher = Publisher(
        github, prefix=PREFIX, number=42, head_sha="b" * 40, readback=ReadBackOf(github)
    )
    try:
        publisher.post_comments(plan)
        complete = True
    except RequestFailedError as exc:
        assert exc.status in (500, 502, None)
        complete = False
    assert max(github.stored.values(), default=1) == 1
    stored = github.fingerprints()
    assert {c.fingerprint for c in publisher.done.posted} <= stored
    if complete:
        assert stored == {c.fingerprint for c in comments}
        assert len(publisher.done.posted) == count


@pytest.mark.parametrize("outcome", ["applied-502", "applied-timeout"])
def test_summary_applied_is_not_created_again(outcome: str) -> None:
    github = FlakyGitHub([outcome])
    publisher = Publisher(
        github, prefix=PREFIX, number=42, head_sha="b", readback=ReadBackOf(github)
    )
    assert publisher.post_summary("body", existing_id=None) == "https://example/1"
    assert github.writes == 1


def test_summary_lost_is_sent_once_more() -> None:
    github = FlakyGitHub(["failed-500"])
    publisher = Publisher(
        github, prefix=PREFIX, number=42, head_sha="b", readback=ReadBackOf(github)
    )
    assert publisher.post_summary("body", existing_id=None) == "https://example/1"
    assert github.writes == 2 and github.summary == "body"


def test_without_readback_a_failure_is_not_repeated() -> None:
    """The dry-run printer (or any sender without read-back) never sends a write twice."""
    github = FlakyGitHub(["applied-502"])
    plan = plan_comments([comment(0)], posted=set(), event="COMMENT")
    with pytest.raises(RequestFailedError):
        Publisher(github, prefix=PREFIX, number=42, head_sha="b").post_comments(plan)
    assert github.writes == 1

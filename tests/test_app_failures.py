"""Retry decisions and the failed summary (bot.app.failures)."""

from __future__ import annotations

from bot.app.failures import backoff, failed_summary, github_transient, model_transient
from bot.github.client import RequestFailedError
from bot.markers import parse_summary_marker
from bot.pr.report import HEADING


def test_github_transient() -> None:
    assert github_transient(RequestFailedError("x", status=502))
    assert github_transient(RequestFailedError("x", status=None))  # timeout
    assert github_transient(RequestFailedError("x", status=403, retry_after=60))  # secondary
    assert github_transient(RequestFailedError("x", status=429))
    assert not github_transient(RequestFailedError("x", status=403))  # no permission
    assert not github_transient(RequestFailedError("x", status=404))
    assert not github_transient(RequestFailedError("x", status=422))


def test_model_transient() -> None:
    assert model_transient(["Batch 1 failed: HTTP 529 overloaded_error after 2 retries."])
    assert model_transient(["Batch 1 failed: HTTP 429 rate_limit_error: slow down."])
    assert model_transient(["Batch 1 failed: timed out (no answer within 180 s)."])
    assert not model_transient(
        ["Batch 1 failed: HTTP 401 authentication_error: invalid x-api-key."]
    )
    assert not model_transient([])


def test_backoff_doubles_up_to_a_cap() -> None:
    assert [backoff(n, 30) for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(20, 30) == 900


def test_failed_summary_without_an_earlier_one() -> None:
    body = failed_summary(None, head="a" * 40, reason="GitHub answered 502", attempts=4)
    assert body.startswith(HEADING) and "after 4 attempts: GitHub answered 502" in body
    state = parse_summary_marker(body)
    assert state is not None and state.head_sha == ""  # the next review is a full one


def test_failed_summary_keeps_the_earlier_review_and_its_state() -> None:
    earlier = f"{HEADING}\n\n**3 findings**\n\n<!-- backend-review:summary head={'b' * 40} config=abc fps= -->\n"
    once = failed_summary(earlier, head="c" * 40, reason="timeout", attempts=2)
    twice = failed_summary(once, head="c" * 40, reason="timeout", attempts=2)
    assert twice == once  # a second failure replaces the banner, it does not stack
    assert "**3 findings**" in once and parse_summary_marker(once).head_sha == "b" * 40  # type: ignore[union-attr]

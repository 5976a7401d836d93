"""Events: which GitHub Actions events start a review, which are skipped, and which are errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.errors import EventError
from bot.github.event import (
    Ask,
    Command,
    Skip,
    load_payload,
    parse_command,
    parse_event,
    skip_pull,
    snapshot_from_pull,
)

EVENTS = Path(__file__).parent / "samples" / "events"


def sample(name: str) -> dict[str, Any]:
    return load_payload((EVENTS / f"{name}.json").read_text())


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param("/backend-review", Command("review"), id="plain"),
        pytest.param("/backend-review full", Command("review", full=True), id="full"),
        pytest.param("  /backend-review FULL\nthanks", Command("review", full=True), id="case"),
        pytest.param("/backend-review help", Command("help"), id="help"),
        pytest.param("/backend-review now", Command("help", unknown=("now",)), id="unknown"),
        pytest.param("/backend-reviewer", None, id="longer-word"),
        pytest.param("please /backend-review", None, id="not-at-start"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="none"),
    ],
)
def test_parse_command(body: str | None, expected: Command | None) -> None:
    """Only a comment that starts with /backend-review is a command; unknown words ask for help."""
    assert parse_command(body) == expected


@pytest.mark.parametrize("action", ["opened", "synchronize", "reopened", "ready_for_review"])
def test_pull_request_actions_that_review(action: str) -> None:
    """The four pull_request actions that change the code start a review, with the payload's PR."""
    payload = sample("pull_request_synchronize") | {"action": action}
    ask = parse_event("pull_request", payload)
    assert isinstance(ask, Ask)
    assert ask.number == 42 and ask.pull is not None
    assert ask.pull.head_sha == "b" * 40 and ask.pull.base_ref == "main"
    assert ask.before_sha == ("c" * 40 if action == "synchronize" else None)
    assert not ask.explicit


def test_pull_request_target_is_the_same_as_pull_request() -> None:
    """pull_request_target has the same payload and is read the same way."""
    ask = parse_event("pull_request_target", sample("pull_request_fork"))
    assert isinstance(ask, Ask) and ask.pull is not None
    assert ask.pull.head_repo == "mallory/shop"


@pytest.mark.parametrize("name", ["pull_request_labeled", "pull_request_closed"])
def test_other_pull_request_actions_skip(name: str) -> None:
    """labeled, closed, edited... do not change the code: skipped with a reason."""
    result = parse_event("pull_request", sample(name))
    assert isinstance(result, Skip) and "does not start a review" in result.reason


def test_draft_is_skipped_unless_configured_or_asked() -> None:
    """Drafts wait for review_drafts: true or for a person to ask."""
    ask = parse_event("pull_request", sample("pull_request_draft"))
    assert isinstance(ask, Ask) and ask.pull is not None
    assert skip_pull(ask.pull, ask, review_drafts=False) is not None
    assert skip_pull(ask.pull, ask, review_drafts=True) is None
    asked = Ask(trigger="issue_comment", number=42)
    assert skip_pull(ask.pull, asked, review_drafts=False) is None


def test_closed_pull_is_skipped_even_when_asked() -> None:
    """A closed PR is never reviewed."""
    pull = snapshot_from_pull(sample("pull_request_closed")["pull_request"])
    assert skip_pull(pull, Ask(trigger="workflow_dispatch", number=42), review_drafts=True)


def test_issue_comment_command() -> None:
    """A /backend-review comment on a PR: the number, the commenter and the comment to react to."""
    ask = parse_event("issue_comment", sample("issue_comment_review"))
    assert ask == Ask(
        trigger="issue_comment",
        number=42,
        action="created",
        command=Command("review"),
        comment_id=900001,
        commenter="alice",
    )
    assert ask.explicit and ask.pull is None  # no head sha in the payload: read with pulls.get


def test_issue_comment_full_with_crlf() -> None:
    """`/backend-review full` asks for a full review; Windows line endings do not matter."""
    ask = parse_event("issue_comment", sample("issue_comment_full"))
    assert isinstance(ask, Ask) and ask.full


def test_issue_comment_help() -> None:
    ask = parse_event("issue_comment", sample("issue_comment_help"))
    assert isinstance(ask, Ask) and ask.command == Command("help")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("issue_comment_bot", "bot"),
        ("issue_comment_other", "does not start with"),
        ("issue_comment_issue", "not a pull request"),
    ],
)
def test_issue_comments_that_skip(name: str, reason: str) -> None:
    """Bots (ourselves included), other comments and comments on issues are ignored."""
    result = parse_event("issue_comment", sample(name))
    assert isinstance(result, Skip) and reason in result.reason


def test_edited_comment_and_closed_pull_skip() -> None:
    payload = sample("issue_comment_review")
    assert isinstance(parse_event("issue_comment", payload | {"action": "edited"}), Skip)
    closed = payload | {"issue": payload["issue"] | {"state": "closed"}}
    assert isinstance(parse_event("issue_comment", closed), Skip)


def test_login_ending_in_bot_is_a_bot_whatever_its_type() -> None:
    payload = sample("issue_comment_review")
    user = {"login": "renovate[bot]", "id": 1, "type": "User"}
    payload["comment"]["user"] = user
    payload["sender"] = user
    assert isinstance(parse_event("issue_comment", payload), Skip)


def test_workflow_dispatch_string_inputs() -> None:
    """workflow_dispatch inputs arrive as strings: "42" and "true"/"false"."""
    ask = parse_event("workflow_dispatch", sample("workflow_dispatch"))
    assert ask == Ask(trigger="workflow_dispatch", number=42, full=False)
    full = parse_event("workflow_dispatch", sample("workflow_dispatch_full"))
    assert isinstance(full, Ask) and full.full and full.explicit


def test_workflow_dispatch_boolean_inputs() -> None:
    payload = sample("workflow_dispatch") | {"inputs": {"pr-number": 7, "full": True}}
    assert parse_event("workflow_dispatch", payload) == Ask(
        trigger="workflow_dispatch", number=7, full=True
    )


def test_workflow_dispatch_null_inputs_use_the_action_input() -> None:
    """inputs may be null; the pr-number action input (BACKEND_REVIEW_PR_NUMBER) then names the PR."""
    payload = sample("workflow_dispatch_null_inputs")
    with pytest.raises(EventError, match="pr-number"):
        parse_event("workflow_dispatch", payload)
    ask = parse_event("workflow_dispatch", payload, pr_number=" 42 ")
    assert isinstance(ask, Ask) and ask.number == 42 and ask.pr_override


@pytest.mark.parametrize(
    ("name", "payload", "pr_number", "match"),
    [
        pytest.param(None, {}, None, "GITHUB_EVENT_NAME", id="no-name"),
        pytest.param("push", {"ref": "x"}, None, "does not name a pull request", id="push"),
        pytest.param("pull_request", {"action": "opened"}, None, "pull_request", id="no-pr"),
        pytest.param(
            "pull_request",
            {"action": "opened", "number": 1, "pull_request": {"head": {}, "base": {}}},
            None,
            "head.sha",
            id="no-sha",
        ),
        pytest.param("issue_comment", {"action": "created"}, None, "issue", id="no-issue"),
        pytest.param(
            "workflow_dispatch", {"inputs": {"pr-number": "abc"}}, None, "abc", id="bad-number"
        ),
        pytest.param(
            "workflow_dispatch",
            {"inputs": {"pr-number": "3", "full": "maybe"}},
            None,
            "true or false",
            id="bad-bool",
        ),
        pytest.param("push", {}, "-4", "pr-number", id="bad-override"),
    ],
)
def test_malformed_events(
    name: str | None, payload: dict[str, Any], pr_number: str | None, match: str
) -> None:
    """Missing or malformed payloads are one-line EventErrors (exit 2)."""
    with pytest.raises(EventError, match=match) as info:
        parse_event(name, payload, pr_number=pr_number)
    assert "\n" not in str(info.value)


def test_any_event_with_a_pr_number_input() -> None:
    """With the pr-number input, any event (push, schedule) reviews that PR."""
    ask = parse_event("schedule", {}, pr_number="#5")
    assert isinstance(ask, Ask) and ask.number == 5


@pytest.mark.parametrize("text", [None, "", "not json", "[1, 2]"])
def test_load_payload_errors(text: str | None) -> None:
    with pytest.raises(EventError):
        load_payload(text)


def test_samples_are_valid_json() -> None:
    for path in EVENTS.glob("*.json"):
        assert isinstance(json.loads(path.read_text()), dict), path

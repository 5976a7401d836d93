"""Which deliveries start a review (bot.app.deliveries)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.app.deliveries import Ignore, Work, route
from bot.errors import EventError
from tests.app_support import APP_ID, INSTALLATION, pr_payload

EVENTS = Path(__file__).parent / "samples" / "events"
HEAD = "d" * 40


def sample(name: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    data.update(changes)
    return data


def check_run(**changes: Any) -> dict[str, Any]:
    run = {
        "id": 1,
        "name": "backend-review",
        "head_sha": HEAD,
        "app": {"id": APP_ID, "slug": "backend-review"},
        "pull_requests": [{"number": 42, "head": {"sha": HEAD}, "base": {"ref": "main"}}],
    }
    run.update(changes)
    return {
        "action": "rerequested",
        "check_run": run,
        "repository": {"full_name": "acme/shop"},
        "installation": {"id": INSTALLATION},
    }


def test_pull_request_opened() -> None:
    work = route("pull_request", pr_payload(42, HEAD), app_id=APP_ID)
    assert isinstance(work, Work)
    assert (work.repository, work.number, work.head, work.installation) == (
        "acme/shop",
        42,
        HEAD,
        INSTALLATION,
    )
    assert work.pr_key == "acme/shop#42" and work.pushed


@pytest.mark.parametrize("action", ["labeled", "closed", "edited", "assigned"])
def test_other_pull_request_actions_are_ignored(action: str) -> None:
    assert isinstance(
        route("pull_request", pr_payload(42, HEAD, action=action), app_id=APP_ID), Ignore
    )


def test_commands() -> None:
    work = route("issue_comment", sample("issue_comment_review"), app_id=APP_ID)
    assert isinstance(work, Work) and work.ask.command is not None
    assert work.head is None and not work.pushed
    for name in ("issue_comment_other", "issue_comment_bot", "issue_comment_issue"):
        assert isinstance(route("issue_comment", sample(name), app_id=APP_ID), Ignore)


def test_check_run_rerequested() -> None:
    work = route("check_run", check_run(), app_id=APP_ID)
    assert isinstance(work, Work)
    assert (work.number, work.head, work.ask.explicit) == (42, HEAD, True)


@pytest.mark.parametrize(
    "payload",
    [
        check_run(name="lint"),
        check_run(app={"id": 1}),  # another App's check run of the same name
        check_run(pull_requests=[]),  # fork heads: GitHub lists no pull requests
        {**check_run(), "action": "created"},
    ],
)
def test_other_check_runs_are_ignored(payload: dict[str, Any]) -> None:
    assert isinstance(route("check_run", payload, app_id=APP_ID), Ignore)


def test_other_events_and_ping() -> None:
    assert route("ping", {"zen": "z"}, app_id=APP_ID) == Ignore("ping")
    assert isinstance(route("push", {}, app_id=APP_ID), Ignore)
    assert isinstance(route("installation", {"action": "created"}, app_id=APP_ID), Ignore)


def test_malformed_payloads_are_event_errors() -> None:
    payload = pr_payload(42, HEAD)
    del payload["repository"]["full_name"]
    with pytest.raises(EventError):
        route("pull_request", payload, app_id=APP_ID)
    with pytest.raises(EventError):
        route("pull_request", {"action": "opened"}, app_id=APP_ID)
    with pytest.raises(EventError):
        route("check_run", {"action": "rerequested"}, app_id=APP_ID)

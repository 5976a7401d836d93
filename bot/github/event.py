"""What a GitHub Actions event asks for: which PR, which trigger, who, which options. Pure.

Payload shapes: https://docs.github.com/en/webhooks/webhook-events-and-payloads
(pull_request, pull_request_target, issue_comment, workflow_dispatch).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bot.errors import EventError

COMMAND = "/backend-review"
REVIEW_ACTIONS = frozenset({"opened", "synchronize", "reopened", "ready_for_review"})
PR_EVENTS = frozenset({"pull_request", "pull_request_target"})
SUPPORTED_EVENTS = (*sorted(PR_EVENTS), "issue_comment", "workflow_dispatch")
_COMMAND_RE = re.compile(r"^\s*/backend-review(?=\s|$)(?P<rest>[^\n]*)")
_TRUE = frozenset({"true", "yes", "1", "on"})
_FALSE = frozenset({"false", "no", "0", "off", ""})

Kind = Literal["review", "help"]


@dataclass(frozen=True)
class Command:
    """A `/backend-review [full|help]` comment; unknown words are kept to be reported."""

    kind: Kind
    full: bool = False
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True)
class PullSnapshot:
    """What a pull_request payload already tells us (saves a pulls.get)."""

    head_sha: str
    base_sha: str
    base_ref: str
    title: str
    body: str | None
    draft: bool
    state: str
    head_repo: str | None


@dataclass(frozen=True)
class Ask:
    """A review (or help) was asked for pull request `number`."""

    trigger: str
    number: int
    action: str | None = None
    full: bool = False
    command: Command | None = None
    comment_id: int | None = None
    commenter: str | None = None
    pull: PullSnapshot | None = None  # None: read it with pulls.get
    before_sha: str | None = None  # synchronize: the head before the push
    pr_override: bool = False  # the number came from the pr-number input

    @property
    def explicit(self) -> bool:
        """Asked by a person (a command or a manual run), not by a push."""
        return self.trigger in ("issue_comment", "workflow_dispatch") or self.pr_override


@dataclass(frozen=True)
class Skip:
    """Nothing to do for this event, and why (shown as a notice; exit 0)."""

    reason: str


def parse_command(body: str | None) -> Command | None:
    """The slash command at the start of a comment, or None when the comment is not one."""
    match = _COMMAND_RE.match(body or "")
    if match is None:
        return None
    words = [w.lower() for w in match.group("rest").split()]
    if "help" in words:
        return Command("help")
    unknown = tuple(w for w in words if w != "full")
    if unknown:
        return Command("help", unknown=unknown)
    return Command("review", full="full" in words)


def is_bot(user: Mapping[str, Any] | None) -> bool:
    """GitHub Apps and the Actions token act as users of type Bot whose login ends in [bot]."""
    if not user:
        return False
    return user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]")


def load_payload(text: str | None, *, path: str = "GITHUB_EVENT_PATH") -> dict[str, Any]:
    """Decode the event file; anything but a JSON object is an EventError."""
    if text is None:
        raise EventError(f"{path}: event payload file not found")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise EventError(f"{path}: event payload is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise EventError(f"{path}: event payload must be a JSON object")
    return data


def parse_event(
    name: str | None, payload: Mapping[str, Any], *, pr_number: str | None = None
) -> Ask | Skip:
    """Decide what the event asks for. `pr_number` (the action input) wins over the payload."""
    if not name:
        raise EventError("GITHUB_EVENT_NAME is not set: `action` runs inside GitHub Actions")
    if pr_number and pr_number.strip():
        number = _number(pr_number, "pr-number")
        inputs = payload.get("inputs")
        full = _flag(inputs, "full") if isinstance(inputs, Mapping) else False
        return Ask(trigger=name, number=number, full=full, pr_override=True)
    if name in PR_EVENTS:
        return _pull_request(name, payload)
    if name == "issue_comment":
        return _issue_comment(payload)
    if name == "workflow_dispatch":
        return _dispatch(payload)
    raise EventError(
        f"event {name!r} does not name a pull request: trigger on "
        f"{', '.join(SUPPORTED_EVENTS)}, or give the pr-number input"
    )


def _pull_request(name: str, payload: Mapping[str, Any]) -> Ask | Skip:
    action = _text(payload, "action")
    pr = _object(payload, "pull_request")
    number = _number(payload.get("number", pr.get("number")), "number")
    if action not in REVIEW_ACTIONS:
        return Skip(f"{name} action {action!r} does not start a review")
    snapshot = snapshot_from_pull(pr)
    before = payload.get("before") if action == "synchronize" else None
    return Ask(
        trigger=name,
        number=number,
        action=action,
        pull=snapshot,
        before_sha=before if isinstance(before, str) and before else None,
    )


def _issue_comment(payload: Mapping[str, Any]) -> Ask | Skip:
    action = _text(payload, "action")
    issue = _object(payload, "issue")
    comment = _object(payload, "comment")
    if not issue.get("pull_request"):
        return Skip("the comment is on an issue, not a pull request")
    if action != "created":
        return Skip(f"issue_comment action {action!r} is not a new comment")
    command = parse_command(comment.get("body"))
    if command is None:
        return Skip(f"the comment does not start with {COMMAND}")
    user = comment.get("user") or payload.get("sender")
    if is_bot(user) or is_bot(payload.get("sender")):
        return Skip("the comment was written by a bot")
    if issue.get("state") == "closed":
        return Skip("the pull request is closed")
    login = str((user or {}).get("login") or "")
    if not login:
        raise EventError("issue_comment payload: comment.user.login is missing")
    return Ask(
        trigger="issue_comment",
        number=_number(issue.get("number"), "issue.number"),
        action=action,
        full=command.full,
        command=command,
        comment_id=_number(comment.get("id"), "comment.id"),
        commenter=login,
    )


def _dispatch(payload: Mapping[str, Any]) -> Ask:
    inputs = payload.get("inputs") or {}
    if not isinstance(inputs, Mapping):
        raise EventError("workflow_dispatch payload: inputs must be an object")
    raw = next(
        (inputs[k] for k in ("pr-number", "pr_number", "pull-request") if inputs.get(k)), None
    )
    if raw is None:
        raise EventError("workflow_dispatch: give the pull request number in the pr-number input")
    return Ask(
        trigger="workflow_dispatch",
        number=_number(raw, "inputs.pr-number"),
        full=_flag(inputs, "full"),
    )


def snapshot_from_pull(pr: Mapping[str, Any]) -> PullSnapshot:
    """The fields we use from a pull request object (payload or pulls.get JSON)."""
    head = pr.get("head")
    base = pr.get("base")
    if not isinstance(head, Mapping) or not isinstance(base, Mapping):
        raise EventError("pull_request payload: head and base are missing")
    head_sha = head.get("sha")
    if not isinstance(head_sha, str) or not head_sha:
        raise EventError("pull_request payload: head.sha is missing")
    head_repo = head.get("repo")
    return PullSnapshot(
        head_sha=head_sha,
        base_sha=str(base.get("sha") or ""),
        base_ref=str(base.get("ref") or ""),
        title=str(pr.get("title") or ""),
        body=pr.get("body") if isinstance(pr.get("body"), str) else None,
        draft=bool(pr.get("draft")),
        state=str(pr.get("state") or "open"),
        head_repo=str(head_repo.get("full_name")) if isinstance(head_repo, Mapping) else None,
    )


def skip_pull(pull: PullSnapshot, ask: Ask, *, review_drafts: bool) -> str | None:
    """Why this pull request is not reviewed now, or None to review it."""
    if pull.state != "open":
        return "the pull request is closed"
    if pull.draft and not review_drafts and not ask.explicit:
        return "the pull request is a draft (set review_drafts: true or ask with /backend-review)"
    return None


def _flag(data: Mapping[str, Any], key: str) -> bool:
    """workflow_dispatch booleans arrive as strings ("true"/"false") or real booleans."""
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise EventError(f"input {key!r}: expected true or false, got {value!r}")


def _number(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise EventError(f"{what}: expected a pull request number, got {value!r}")
    text = str(value).strip().lstrip("#") if value is not None else ""
    if not text.isdigit() or int(text) < 1:
        raise EventError(f"{what}: expected a pull request number, got {value!r}")
    return int(text)


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str):
        raise EventError(f"event payload: {key!r} is missing")
    return value


def _object(payload: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = payload.get(key)
    if not isinstance(value, Mapping):
        raise EventError(f"event payload: {key!r} is missing or not an object")
    return value

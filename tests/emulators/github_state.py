"""In-memory state of the GitHub emulator: repositories, pull requests and what was posted to them.

Kept free of HTTP and JSON so the rules (which comment lines GitHub accepts) read on their own.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from tests.emulators.github_diff import PatchMap, count_changes, parse_patch

PERMISSIONS = ("admin", "maintain", "write", "triage", "read", "none")
# The legacy `permission` field only knows the base roles: maintain reads as write, triage as read.
LEGACY_PERMISSION = {
    "admin": "admin",
    "maintain": "write",
    "write": "write",
    "triage": "read",
    "read": "read",
    "none": "none",
}
SIDES = ("LEFT", "RIGHT")


def timestamp() -> str:
    """GitHub's timestamp form: whole seconds, `Z` (githubkit rejects some other forms)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def normalise_files(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copy the test's file entries, filling `status`, `additions` and `deletions` from the patch."""
    result = []
    for given in files:
        entry = dict(given)
        added, removed = count_changes(entry.get("patch"))
        entry.setdefault("status", "modified")
        entry.setdefault("additions", added)
        entry.setdefault("deletions", removed)
        result.append(entry)
    return result


@dataclass
class Token:
    """An access token and who it acts as."""

    login: str = "github-actions[bot]"
    type: str = "Bot"
    read_only: bool = False
    checks: bool = True  # `checks: write`: may create and update check runs


@dataclass
class Compare:
    """A stored answer for `GET /repos/{o}/{r}/compare/{base}...{head}`."""

    base: str
    head: str
    files: list[dict[str, Any]]
    status: str
    ahead_by: int
    behind_by: int


@dataclass
class Pull:
    """A pull request and everything posted on it."""

    id: int
    number: int
    title: str
    body: str | None
    files: list[dict[str, Any]]
    head_sha: str
    base_sha: str
    draft: bool
    state: str
    user_login: str
    head_repo_fork: bool
    head_ref: str
    base_ref: str
    created_at: str
    updated_at: str
    shas: list[str] = field(default_factory=list)
    maps: dict[str, PatchMap] = field(default_factory=dict)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    review_comments: list[dict[str, Any]] = field(default_factory=list)
    issue_comments: list[dict[str, Any]] = field(default_factory=list)

    def index_files(self) -> None:
        """Index the patches for comment validation, and mark comments the new diff no longer holds."""
        self.maps = {entry["filename"]: parse_patch(entry.get("patch")) for entry in self.files}
        for comment in self.review_comments:
            if comment.get("subject_type") == "file" or comment.get("line") is None:
                continue
            pmap = self.maps.get(comment["path"])
            if pmap is None or pmap.find(comment["side"], comment["original_line"]) is None:
                comment.update(line=None, position=None, start_line=None)

    @property
    def additions(self) -> int:
        return sum(int(entry["additions"]) for entry in self.files)

    @property
    def deletions(self) -> int:
        return sum(int(entry["deletions"]) for entry in self.files)


@dataclass
class Repo:
    """A repository: collaborators, file contents, comparisons and pull requests."""

    id: int
    owner: str
    name: str
    private: bool
    default_branch: str = "main"
    permissions: dict[str, str] = field(default_factory=dict)
    contents: dict[tuple[str, str], str] = field(default_factory=dict)
    compares: dict[tuple[str, str], Compare] = field(default_factory=dict)
    pulls: dict[int, Pull] = field(default_factory=dict)
    reactions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    check_runs: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class Anchor:
    """Where a validated inline comment lands."""

    path: str
    line: int | None
    side: str | None
    start_line: int | None
    start_side: str | None
    position: int | None
    diff_hunk: str
    subject_type: str


class AnchorError(Exception):
    """A comment GitHub would not place; `kind` picks the wording of the 422."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _end_line(pmap: PatchMap, comment: dict[str, Any]) -> tuple[str, Any]:
    """Resolve `line`/`side`, or the legacy `position`, to one diff line."""
    if comment.get("line") is None and comment.get("position") is not None:
        entry = pmap.at_position(int(comment["position"]))
        if entry is None:
            raise AnchorError("line")
        return ("RIGHT" if entry.new is not None else "LEFT"), entry
    side = comment.get("side") or "RIGHT"
    line = comment.get("line")
    if side not in SIDES or not isinstance(line, int):
        raise AnchorError("line")
    entry = pmap.find(side, line)
    if entry is None:
        raise AnchorError("line")
    return side, entry


def resolve_anchor(pull: Pull, comment: dict[str, Any]) -> Anchor:
    """Check one comment against the PR's diff the way GitHub does; raise AnchorError if not."""
    path = comment.get("path")
    if not isinstance(path, str) or path not in pull.maps:
        raise AnchorError("path")
    pmap = pull.maps[path]
    if comment.get("subject_type") == "file":
        return Anchor(path, None, None, None, None, None, "", "file")
    side, end = _end_line(pmap, comment)
    line = end.new if side == "RIGHT" else end.old
    start_line = comment.get("start_line")
    start_side = None
    if start_line is not None:
        start_side = comment.get("start_side") or side
        start = pmap.find(start_side, start_line) if isinstance(start_line, int) else None
        if start_side not in SIDES or start is None:
            raise AnchorError("line")
        if start.hunk != end.hunk:
            raise AnchorError("line")
        if start.position >= end.position or (start_side == side and start_line >= (line or 0)):
            raise AnchorError("start_line")
    return Anchor(
        path, line, side, start_line, start_side, end.position, pmap.diff_hunk(end), "line"
    )


@dataclass
class Failure:
    """An injected failure: answer the next `times` matching requests with `status`."""

    method: str
    path_regex: str
    status: int
    body: Any
    headers: dict[str, str]
    times: int
    applied: bool = False  # the request is served (stored) before the failure is answered
    delay: float = 0.0  # seconds to wait before answering (longer than the client waits: a timeout)


@dataclass
class State:
    """Everything the emulator knows; replaced wholesale by `reset()`."""

    repos: dict[tuple[str, str], Repo] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    known_users: set[str] = field(default_factory=set)
    created: int = 0  # content-creating writes that succeeded (secondary rate limit)
    used: int = 0  # requests answered (primary rate limit headers)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1001))

    def next_id(self) -> int:
        return next(self.ids)

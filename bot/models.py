"""Data passed between the steps of a review: diffs, file reports, findings, usage.

Everything here is immutable so that pure steps can share it freely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict, Field

Side = Literal["LEFT", "RIGHT"]
FileStatus = Literal["added", "modified", "removed", "renamed"]
Severity = Literal["critical", "high", "medium", "low", "info"]
Category = Literal[
    "api-design", "database", "reliability", "observability", "code-quality", "security"
]
BackendKind = Literal["api", "migration", "query"]
Source = Literal["model", "static"]
ModelStatus = Literal["ok", "skipped", "failed", "partial"]  # how the model review went

SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low", "info")
CATEGORIES: tuple[Category, ...] = (
    "api-design",
    "database",
    "reliability",
    "observability",
    "code-quality",
    "security",
)
BACKEND_KINDS: tuple[BackendKind, ...] = ("migration", "api", "query")


def severity_rank(severity: Severity) -> int:
    """Higher is worse: critical=4 ... info=0."""
    return len(SEVERITIES) - 1 - SEVERITIES.index(severity)


class DiffLine(NamedTuple):
    """One line of a hunk. A tuple, because a 3,000-file diff has hundreds of thousands of them."""

    kind: str  # "+", "-" or " "
    old_no: int | None
    new_no: int | None
    text: str  # without the +/-/space marker and without the line ending


@dataclass(frozen=True, slots=True)
class Hunk:
    old_start: int
    old_length: int
    new_start: int
    new_length: int
    section: str
    lines: tuple[DiffLine, ...]


@dataclass(frozen=True)
class FileDiff:
    """A changed file: its hunks and the lines GitHub accepts comments on."""

    path: str
    status: FileStatus
    hunks: tuple[Hunk, ...] = ()
    old_path: str | None = None
    is_binary: bool = False
    patch_missing: bool = False  # GitHub sent no patch (binary or too large)
    copied: bool = False

    @property
    def additions(self) -> int:
        return sum(1 for h in self.hunks for ln in h.lines if ln.kind == "+")

    @property
    def deletions(self) -> int:
        return sum(1 for h in self.hunks for ln in h.lines if ln.kind == "-")

    @cached_property
    def right_anchors(self) -> dict[int, int]:
        """New-file line number -> hunk index, for added and context lines."""
        return {
            ln.new_no: i
            for i, h in enumerate(self.hunks)
            for ln in h.lines
            if ln.new_no is not None
        }

    @cached_property
    def left_anchors(self) -> dict[int, int]:
        """Old-file line number -> hunk index, for removed and context lines."""
        return {
            ln.old_no: i
            for i, h in enumerate(self.hunks)
            for ln in h.lines
            if ln.old_no is not None
        }

    def anchors(self, side: Side) -> dict[int, int]:
        return self.right_anchors if side == "RIGHT" else self.left_anchors

    def added_text(self) -> str:
        """The added lines, joined: what content signals and checks look at."""
        return "\n".join(ln.text for h in self.hunks for ln in h.lines if ln.kind == "+")

    def new_text_lines(self) -> dict[int, str]:
        """New-file line number -> text for every added or context line."""
        return {ln.new_no: ln.text for h in self.hunks for ln in h.lines if ln.new_no is not None}


@dataclass(frozen=True)
class FileReport:
    """What extraction decided about one changed file."""

    path: str
    status: FileStatus
    categories: tuple[BackendKind, ...] = ()
    reasons: tuple[str, ...] = ()
    is_test: bool = False
    skip_reason: str | None = None
    old_path: str | None = None

    @property
    def reviewed(self) -> bool:
        """A file is reviewed when it is backend code and nothing excluded it."""
        return bool(self.categories) and self.skip_reason is None

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "status": self.status,
            "old_path": self.old_path,
            "categories": list(self.categories),
            "reasons": list(self.reasons),
            "is_test": self.is_test,
            "reviewed": self.reviewed,
            "skip_reason": self.skip_reason,
        }


class Finding(BaseModel):
    """A problem found in the change, by a static rule or by the model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    line: int = Field(ge=1)
    start_line: int | None = Field(default=None, ge=1)
    side: Side = "RIGHT"
    severity: Severity
    category: Category
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1)
    suggestion: str | None = None
    source: Source = "model"
    rule: str | None = None
    # The model gave no usable line: a file-level comment (`line` is then 1 and means nothing).
    file_level: bool = False


@dataclass
class Usage:
    """Token use across all model requests of a review."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cost_usd: float = 0.0
    per_request: list[dict[str, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
            "cost_usd": round(self.cost_usd, 6),
        }


@dataclass(frozen=True)
class InlineComment:
    """A review comment GitHub will accept, exactly as it will be sent."""

    path: str
    body: str
    fingerprint: str
    line: int | None = None  # None: a file-level comment (subject_type "file")
    side: Side = "RIGHT"
    start_line: int | None = None
    start_side: Side | None = None

    def to_github(self) -> dict[str, object]:
        """The `comments[]` entry of POST /pulls/{n}/reviews."""
        out: dict[str, object] = {"path": self.path, "body": self.body}
        if self.line is not None:
            out["line"] = self.line
            out["side"] = self.side
        if self.start_line is not None:
            out["start_line"] = self.start_line
            out["start_side"] = self.start_side or self.side
        return out

    def to_json(self) -> dict[str, object]:
        return {**self.to_github(), "fingerprint": self.fingerprint}


class ContentSource(Protocol):
    """Reads whole files at the base or head of the change (git, GitHub contents API)."""

    def read(self, path: str, *, side: Literal["base", "head"]) -> str | None:
        """The file's text, or None when it does not exist there or cannot be read."""
        ...


@dataclass(frozen=True)
class LineScope:
    """What an incremental review may comment on: the lines changed since the last reviewed
    head, as anchors of the pull request's diff. A path that is absent is out of scope."""

    since: str  # the last reviewed head
    new: dict[str, frozenset[int] | None]  # RIGHT-side lines per path; None = the whole file
    old: dict[str, frozenset[int]] = field(default_factory=dict)  # LEFT-side (base) lines

    @property
    def paths(self) -> frozenset[str]:
        return frozenset(self.new) | frozenset(self.old)

    def whole(self, path: str) -> bool:
        return path in self.new and self.new[path] is None

    def allows(self, path: str, line: int, side: Side = "RIGHT") -> bool:
        """Whether a comment on `line` of `path` (on that side) is inside the scope."""
        if self.whole(path):
            return True
        lines = self.new.get(path) if side == "RIGHT" else self.old.get(path)
        return bool(lines) and line in (lines or ())

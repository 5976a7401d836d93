"""Validate the model's `submit_review` answer and say exactly what is wrong with it. Pure.

Each finding is validated on its own, so one bad finding never costs the others. Problems are
collected as text for the one retry (bot.llm.client sends them back as an error tool_result with
the lines each file allows). Findings whose anchor is still invalid after the retry are kept:
bot.review.placement snaps them to a nearby line or moves them to the summary, so nothing the model
said is lost; findings that do not validate at all are described in the review's notes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.llm.prompt import TOOL_NAME
from bot.models import CATEGORIES, Category, FileDiff, Finding, Severity, Side

MAX_PROBLEMS = 30  # beyond this the retry message says "and N more"
_FENCE = re.compile(r"\A\s*```[\w-]*[ \t]*\n(?P<body>.*?)\n?```\s*\Z", re.DOTALL)
_CATEGORY_ALIASES: dict[str, Category] = {
    "api": "api-design",
    "api design": "api-design",
    "db": "database",
    "data": "database",
    "migration": "database",
    "migrations": "database",
    "query": "database",
    "queries": "database",
    "performance": "database",
    "reliability-scaling": "reliability",
    "scalability": "reliability",
    "scaling": "reliability",
    "logging": "observability",
    "monitoring": "observability",
    "quality": "code-quality",
    "testing": "code-quality",
    "tests": "code-quality",
    "maintainability": "code-quality",
}


class ToolFinding(BaseModel):
    """One finding as the tool input gives it; lenient where the intent is unambiguous."""

    model_config = ConfigDict(extra="ignore")

    path: str = Field(min_length=1)
    line: int = Field(ge=1)
    start_line: int | None = Field(default=None, ge=1)
    side: Side = "RIGHT"
    severity: Severity
    category: Category
    title: str = Field(min_length=1)
    body: str = Field(min_length=1)
    suggestion: str | None = None

    @field_validator("severity", mode="before")
    @classmethod
    def _severity(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("side", mode="before")
    @classmethod
    def _side(cls, value: object) -> object:
        if value is None:
            return "RIGHT"
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        key = value.strip().lower().replace("_", "-")
        if key in CATEGORIES:
            return key
        return _CATEGORY_ALIASES.get(key.replace("-", " "), _CATEGORY_ALIASES.get(key, key))

    @field_validator("path", "title", "body", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("suggestion", mode="before")
    @classmethod
    def _suggestion(cls, value: object) -> object:
        """A fenced suggestion is unwrapped; an empty one means none."""
        if not isinstance(value, str):
            return value
        match = _FENCE.match(value)
        text = match.group("body") if match else value
        return text if text.strip() else None

    def to_finding(self) -> Finding:
        title = " ".join(self.title.split())
        title = title if len(title) <= 200 else title[:199] + "…"
        start = self.start_line if self.start_line != self.line else None
        return Finding(
            path=self.path.removeprefix("./"),
            line=self.line,
            start_line=start,
            side=self.side,
            severity=self.severity,
            category=self.category,
            title=title,
            body=self.body,
            suggestion=self.suggestion,
            source="model",
        )


@dataclass(frozen=True)
class Answer:
    """What one model reply amounts to.

    `usable`: a submit_review call with a findings list was found (possibly with problems).
    `findings`: every finding that validated, whatever its anchor. `problems`: what to tell the
    model on a retry. `bad_anchors`: the findings whose anchor is invalid. `dropped`: findings
    that did not validate, described for the notes.
    """

    usable: bool
    summary: str = ""
    findings: tuple[Finding, ...] = ()
    problems: tuple[str, ...] = ()
    bad_anchors: tuple[Finding, ...] = ()
    dropped: tuple[str, ...] = ()


def _describe_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "finding"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def _label(raw: object, index: int) -> str:
    """`findings[i]` with the path, line and title the model gave, when it gave them."""
    if not isinstance(raw, dict):
        return f"findings[{index}]"
    bits = [str(raw[k]) for k in ("path", "line") if k in raw]
    title = raw.get("title")
    where = ":".join(bits)
    text = f"findings[{index}]" + (f" ({where})" if where else "")
    return text + (f' "{str(title)[:80]}"' if title else "")


def anchor_problem(finding: Finding, files: Mapping[str, FileDiff]) -> str | None:
    """Why GitHub would reject this anchor, or None when it is valid."""
    file = files.get(finding.path)
    if file is None:
        return f"path {finding.path!r} is not one of the files in this request"
    anchors = file.anchors(finding.side)
    side = finding.side
    if finding.line not in anchors:
        return f"line {finding.line} is not a line of a hunk on side {side} of {finding.path}"
    if finding.start_line is None:
        return None
    if finding.start_line > finding.line:
        return f"start_line {finding.start_line} must be smaller than line {finding.line}"
    if anchors.get(finding.start_line) != anchors[finding.line]:
        return (
            f"lines {finding.start_line}-{finding.line} on side {side} are not inside one hunk "
            f"of {finding.path}"
        )
    return None


def _known_path(finding: Finding, files: Mapping[str, FileDiff]) -> Finding:
    """`b/app/x.py` or `/app/x.py` for a file in the request is that file (a git habit)."""
    if finding.path in files:
        return finding
    for prefix in ("/", "a/", "b/"):
        path = finding.path.removeprefix(prefix)
        if path in files:
            return finding.model_copy(update={"path": path})
    return finding


def _findings_list(data: dict[str, Any]) -> tuple[list[Any] | None, str | None]:
    raw = data.get("findings")
    if isinstance(raw, str):  # a list sent as JSON text
        try:
            raw = json.loads(raw)
        except ValueError:
            return None, "findings: must be an array of objects, got a string that is not JSON"
    if raw is None:
        return None, "findings: required (use [] when there is nothing to report)"
    if not isinstance(raw, list):
        return None, f"findings: must be an array, got {type(raw).__name__}"
    return raw, None


def validate_input(data: object, files: Mapping[str, FileDiff]) -> Answer:
    """Validate a submit_review input against the schema and the request's files."""
    if not isinstance(data, dict):
        return Answer(usable=False, problems=("the tool input must be a JSON object",))
    raw, problem = _findings_list(data)
    if raw is None:
        return Answer(usable=False, problems=(problem or "findings: missing",))
    summary = data.get("summary")
    problems: list[str] = []
    findings: list[Finding] = []
    bad: list[Finding] = []
    dropped: list[str] = []
    for i, item in enumerate(raw):
        try:
            finding = _known_path(ToolFinding.model_validate(item).to_finding(), files)
        except ValidationError as exc:
            reason = _describe_error(exc)
            problems.append(f"{_label(item, i)}: {reason}")
            dropped.append(f"{_label(item, i)}: {reason}")
            continue
        findings.append(finding)
        anchor = anchor_problem(finding, files)
        if anchor is not None:
            problems.append(f"{_label(item, i)}: {anchor}")
            bad.append(finding)
    return Answer(
        usable=True,
        summary=summary.strip() if isinstance(summary, str) else "",
        findings=tuple(findings),
        problems=tuple(problems),
        bad_anchors=tuple(bad),
        dropped=tuple(dropped),
    )


def parse_reply(
    content: Sequence[Mapping[str, Any]],
    stop_reason: str | None,
    files: Mapping[str, FileDiff],
) -> Answer:
    """The Answer of one reply (content blocks as dicts); refusals are handled by the caller."""
    calls = [b for b in content if b.get("type") == "tool_use"]
    ours = [b for b in calls if b.get("name") == TOOL_NAME]
    if not ours:
        if calls:
            names = ", ".join(sorted({str(b.get("name")) for b in calls}))
            why = f"you called {names}, which does not exist; the only tool is {TOOL_NAME}"
        else:
            why = f"the reply did not call {TOOL_NAME}; answer only by calling it"
        if stop_reason == "max_tokens":
            why += " (and it was cut off at the output token limit)"
        return Answer(usable=False, problems=(why,))
    answer = validate_input(ours[0].get("input"), files)
    extra: list[str] = []
    if stop_reason == "max_tokens":
        extra.append(
            "the answer was cut off at the output token limit (max_tokens) and is incomplete: "
            "send fewer findings (the most severe ones) with shorter bodies"
        )
    if len(ours) > 1:
        extra.append(f"{TOOL_NAME} was called {len(ours)} times; only the first call was read")
    if not extra:
        return answer
    return Answer(
        usable=answer.usable,
        summary=answer.summary,
        findings=answer.findings,
        problems=tuple(extra) + answer.problems,
        bad_anchors=answer.bad_anchors,
        dropped=answer.dropped,
    )


def line_ranges(numbers: Mapping[int, int]) -> str:
    """`1-8, 13-31`: consecutive anchor lines in the same hunk as inclusive ranges."""
    spans: list[list[int]] = []
    previous: tuple[int, int] | None = None
    for number in sorted(numbers):
        hunk = numbers[number]
        if previous is not None and number == previous[0] + 1 and hunk == previous[1]:
            spans[-1][1] = number
        else:
            spans.append([number, number])
        previous = (number, hunk)
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)


def allowed_lines(files: Mapping[str, FileDiff]) -> list[str]:
    """One line per file: the ranges of lines a finding may anchor on, per side."""
    out = []
    for path, file in files.items():
        right, left = line_ranges(file.right_anchors), line_ranges(file.left_anchors)
        sides = [f"RIGHT {right}" if right else "", f"LEFT {left}" if left else ""]
        out.append(f"- {path}: " + "; ".join(s for s in sides if s))
    return out


def retry_text(answer: Answer, files: Mapping[str, FileDiff]) -> str:
    """The error tool_result: the exact problems and the lines each file allows."""
    shown = list(answer.problems[:MAX_PROBLEMS])
    more = len(answer.problems) - len(shown)
    lines = ["Your review could not be accepted as it is. Problems:"]
    lines += [f"- {p}" for p in shown]
    if more:
        lines.append(f"- ... and {more} more problems of the same kinds")
    lines += [
        "",
        "Lines a finding may anchor on (inclusive ranges; a range must stay inside one range "
        "listed here, on one side):",
        *allowed_lines(files),
        "",
        f"Call {TOOL_NAME} again with the complete corrected review: every finding, not only "
        "the corrected ones. If a finding cannot be anchored on one of these lines, anchor it "
        "on the changed line closest to the problem.",
    ]
    return "\n".join(lines)


def retry_messages(
    params: dict[str, Any], blocks: list[dict[str, Any]], error_text: str
) -> list[dict[str, Any]]:
    """The conversation for the one retry: the reply, then an error result for each tool call."""
    messages = list(params["messages"])
    calls = [b for b in blocks if b["type"] == "tool_use"]
    if not blocks:  # nothing to answer to: restate the request with the errors appended
        first = messages[0]
        note = {"type": "text", "text": "A previous attempt failed.\n" + error_text}
        return [{"role": "user", "content": [*first["content"], note]}, *messages[1:]]
    if calls:
        results: list[dict[str, Any]] = [
            {
                "type": "tool_result",
                "tool_use_id": call["id"],
                "is_error": True,
                "content": error_text if i == 0 else "Ignored: see the first error.",
            }
            for i, call in enumerate(calls)
        ]
    else:
        results = [{"type": "text", "text": error_text}]
    return [
        *messages,
        {"role": "assistant", "content": blocks},
        {"role": "user", "content": results},
    ]

"""Validate the model's `submit_review` answer and say exactly what is wrong with it. Pure.

Each finding is validated on its own, so one bad finding never costs the others: the valid ones
are kept as they are, and each flawed one is kept with its exact errors, so that the repair
round (bot.llm.repair) asks only about those and bot.llm.salvage can still read them when the
repair does not fix them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.llm.prompt import TOOL_NAME
from bot.llm.salvage import resolve_path, unfence
from bot.models import CATEGORIES, Category, FileDiff, Finding, Severity, Side

# Unambiguous names for the six categories, accepted silently. Anything else (`performance`,
# `correctness`, ...) is a problem the repair round asks about, then bot.llm.salvage maps it.
_CATEGORY_ALIASES: dict[str, Category] = {
    "api": "api-design",
    "api design": "api-design",
    "db": "database",
    "data": "database",
    "migration": "database",
    "migrations": "database",
    "query": "database",
    "queries": "database",
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
        return unfence(value)

    def to_finding(self) -> Finding:
        title = " ".join(self.title.split())
        title = title if len(title) <= 200 else title[:199] + "…"
        start = self.start_line if self.start_line != self.line else None
        return Finding(
            path=self.path,
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
class Flawed:
    """A finding that cannot be taken as it is: what the model sent and exactly why.

    `finding` is set when only its anchor is wrong (the rest validated).
    """

    index: int
    raw: object
    errors: tuple[str, ...]
    finding: Finding | None = None
    ref: int | None = None  # in a repair answer: the number of the finding it corrects

    @property
    def label(self) -> str:
        return _label(self.raw, self.index)

    @property
    def path(self) -> str | None:
        raw = self.raw
        path = raw.get("path") if isinstance(raw, dict) else None
        return path if isinstance(path, str) else None


@dataclass(frozen=True)
class Answer:
    """What one model reply amounts to.

    `usable`: a findings list was found (possibly with problems). `findings`: the valid findings
    (anchors inside the diff). `flawed`: the findings with problems, each with its errors.
    `problems`: what is wrong with the answer as a whole (cut off, no tool call, ...).
    `cut_off`: the reply stopped at max_tokens, so findings may be missing.
    """

    usable: bool
    summary: str = ""
    findings: tuple[Finding, ...] = ()
    flawed: tuple[Flawed, ...] = ()
    problems: tuple[str, ...] = ()
    cut_off: bool = False
    calls: int = 1
    refs: tuple[int | None, ...] = ()  # per finding: the `ref` it gave (repair answers)

    @property
    def needs_repair(self) -> bool:
        return bool(not self.usable or self.flawed or self.cut_off)

    def all_problems(self) -> list[str]:
        """Answer-level problems, then each flawed finding's errors."""
        return [*self.problems, *(f"{f.label}: {'; '.join(f.errors)}" for f in self.flawed)]


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


def _findings_list(data: dict[str, Any]) -> tuple[list[Any] | None, str | None]:
    raw = data.get("findings")
    if isinstance(raw, str):  # a list sent as JSON text
        try:
            raw = json.loads(raw)
        except ValueError:
            return None, "findings: must be an array of objects, got a string that is not JSON"
    if isinstance(raw, dict):  # one finding sent bare
        raw = [raw]
    if raw is None:
        return None, "findings: required (use [] when there is nothing to report)"
    if not isinstance(raw, list):
        return None, f"findings: must be an array, got {type(raw).__name__}"
    return raw, None


def ref_of(item: object) -> int | None:
    """The `ref` a repair answer gives a corrected finding (an int, or digits in a string)."""
    ref = item.get("ref") if isinstance(item, dict) else None
    if isinstance(ref, str) and ref.strip().strip("[]").isdigit():
        return int(ref.strip().strip("[]"))
    return ref if isinstance(ref, int) and not isinstance(ref, bool) else None


def check_finding(item: object, index: int, files: Mapping[str, FileDiff]) -> Finding | Flawed:
    """A valid finding (path resolved), or the finding with its exact errors."""
    try:
        finding = ToolFinding.model_validate(item).to_finding()
    except ValidationError as exc:
        return Flawed(index=index, raw=item, errors=(_describe_error(exc),), ref=ref_of(item))
    finding = finding.model_copy(update={"path": resolve_path(finding.path, files)})
    anchor = anchor_problem(finding, files)
    if anchor is not None:
        return Flawed(index=index, raw=item, errors=(anchor,), finding=finding, ref=ref_of(item))
    return finding


def validate_input(data: object, files: Mapping[str, FileDiff], *, first_index: int = 0) -> Answer:
    """Validate a submit_review input against the schema and the request's files."""
    if not isinstance(data, dict):
        return Answer(usable=False, problems=("the tool input must be a JSON object",))
    raw, problem = _findings_list(data)
    if raw is None:
        return Answer(usable=False, problems=(problem or "findings: missing",))
    summary = data.get("summary")
    findings: list[Finding] = []
    refs: list[int | None] = []
    flawed: list[Flawed] = []
    for i, item in enumerate(raw, start=first_index):
        checked = check_finding(item, i, files)
        if isinstance(checked, Flawed):
            flawed.append(checked)
        else:
            findings.append(checked)
            refs.append(ref_of(item))
    return Answer(
        usable=True,
        summary=summary.strip() if isinstance(summary, str) else "",
        findings=tuple(findings),
        flawed=tuple(flawed),
        refs=tuple(refs),
    )


def _combine(answers: Sequence[Answer]) -> Answer:
    """Several usable calls in one reply: every finding of each (nothing said is ignored)."""
    return Answer(
        usable=True,
        summary="\n\n".join(a.summary for a in answers if a.summary),
        findings=tuple(f for a in answers for f in a.findings),
        flawed=tuple(f for a in answers for f in a.flawed),
        calls=len(answers),
        refs=tuple(r for a in answers for r in a.refs),
    )


def parse_reply(
    content: Sequence[Mapping[str, Any]],
    stop_reason: str | None,
    files: Mapping[str, FileDiff],
) -> Answer:
    """The Answer of one reply (content blocks as dicts); refusals are handled by the caller.

    Every submit_review call is read. A call of another tool whose input holds a findings list
    is read too (the findings are what matters); one without is a problem to send back.
    """
    calls = [b for b in content if b.get("type") == "tool_use"]
    usable: list[Answer] = []
    ours_problems: tuple[str, ...] = ()
    index = 0
    for call in sorted(calls, key=lambda b: b.get("name") != TOOL_NAME):
        data = call.get("input")
        if call.get("name") != TOOL_NAME and not (isinstance(data, dict) and "findings" in data):
            continue
        answer = validate_input(data, files, first_index=index)
        if answer.usable:
            usable.append(answer)
            index += len(answer.findings) + len(answer.flawed)
        elif call.get("name") == TOOL_NAME and not ours_problems:
            ours_problems = answer.problems
    cut = stop_reason == "max_tokens"
    cut_note = (
        "the answer was cut off at the output token limit (max_tokens) and is incomplete: "
        "send fewer findings (the most severe ones) with shorter bodies"
    )
    if usable:
        answer = usable[0] if len(usable) == 1 else _combine(usable)
        if not cut:
            return answer
        return Answer(
            usable=True,
            summary=answer.summary,
            findings=answer.findings,
            flawed=answer.flawed,
            problems=(cut_note,),
            cut_off=True,
            calls=answer.calls,
            refs=answer.refs,
        )
    if any(b.get("name") == TOOL_NAME for b in calls):
        return Answer(
            usable=False, problems=((cut_note,) if cut else ()) + ours_problems, cut_off=cut
        )
    if calls:
        names = ", ".join(sorted({str(b.get("name")) for b in calls}))
        why_text = f"you called {names}, which does not exist; the only tool is {TOOL_NAME}"
    else:
        why_text = f"the reply did not call {TOOL_NAME}; answer only by calling it"
    if cut:
        why_text += " (and it was cut off at the output token limit)"
    return Answer(usable=False, problems=(why_text,), cut_off=cut)

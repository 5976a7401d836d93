"""The one repair round: what to ask the model again, and how to merge its answer. Pure.

The valid findings of the first answer are kept whatever happens next. Only the flawed ones are
sent back, each with its exact errors and the lines its file allows; what comes back replaces
those it corrects (matched by `ref`, then by title) and is merged with the rest. Whatever the
repair does not fix (or when it fails, is refused or comes back empty) is salvaged from the
first answer by bot.llm.salvage, so no finding the model returned is lost.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.llm.answer import Answer, Flawed
from bot.llm.prompt import TOOL_NAME
from bot.llm.salvage import resolve_path, salvage, usable_line
from bot.models import FileDiff, Finding

MAX_PROBLEMS = 30  # flawed findings asked about in one repair; the rest are salvaged as given
MAX_FILES_LISTED = 10  # for a finding whose path is not in the request
_WORD = re.compile(r"[a-z0-9_]+")


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


def file_lines(file: FileDiff) -> str:
    """`RIGHT 1-5, 41-44; LEFT 1-4`: the lines of one file a finding may anchor on."""
    right, left = line_ranges(file.right_anchors), line_ranges(file.left_anchors)
    sides = [f"RIGHT {right}" if right else "", f"LEFT {left}" if left else ""]
    return "; ".join(s for s in sides if s) or "none (comment on the file as a whole)"


def allowed_lines(files: Mapping[str, FileDiff]) -> list[str]:
    """One line per file: the ranges of lines a finding may anchor on, per side."""
    return [f"- {path}: {file_lines(file)}" for path, file in files.items()]


def retry_text(answer: Answer, files: Mapping[str, FileDiff]) -> str:
    """For an answer with no usable findings list: the problems and a request for the review."""
    problems = answer.all_problems()
    shown = problems[:MAX_PROBLEMS]
    lines = ["Your review could not be accepted as it is. Problems:"]
    lines += [f"- {p}" for p in shown]
    if len(problems) > len(shown):
        lines.append(f"- ... and {len(problems) - len(shown)} more problems of the same kinds")
    lines += [
        "",
        "Lines a finding may anchor on (inclusive ranges; a range must stay inside one range "
        "listed here, on one side):",
        *allowed_lines(files),
        "",
        f"Call {TOOL_NAME} again with the complete review. If a finding cannot be anchored on "
        "one of these lines, anchor it on the changed line closest to the problem.",
    ]
    return "\n".join(lines)


def _allowed_for(flawed: Flawed, files: Mapping[str, FileDiff]) -> str:
    path = resolve_path(flawed.path, files) if flawed.path else None
    if path is not None and path in files:
        return f"lines {path} allows: {file_lines(files[path])}"
    names = list(files)[:MAX_FILES_LISTED]
    more = f" and {len(files) - len(names)} more" if len(files) > len(names) else ""
    listed = "; ".join(f"{p}: {file_lines(files[p])}" for p in names)
    return f"use one of the files in this request{more}: {listed}"


def repair_text(answer: Answer, files: Mapping[str, FileDiff]) -> str:
    """Ask only about the flawed findings (and the rest of a cut-off answer), never the valid."""
    asked = answer.flawed[:MAX_PROBLEMS]
    lines: list[str] = []
    if asked:
        lines += [
            f"{len(answer.flawed)} of your findings could not be accepted as they are. The other "
            f"{len(answer.findings)} are accepted and kept: do not send them again.",
            "",
            "Findings to correct:",
        ]
        for number, flawed in enumerate(asked, start=1):
            lines.append(f"[{number}] {flawed.label}")
            lines += [f"    - {error}" for error in flawed.errors]
            lines.append(f"    - {_allowed_for(flawed, files)}")
        if len(answer.flawed) > len(asked):
            lines.append(f"({len(answer.flawed) - len(asked)} more are kept as they are.)")
        lines.append("")
    if answer.cut_off:
        lines.append(
            "Your answer was cut off at the output token limit (max_tokens). Also send the "
            "findings you did not get to, most severe first, with shorter bodies; do not repeat "
            "the ones already sent."
        )
    what = "only these findings, corrected," if asked else "only the missing findings"
    lines.append(
        f"Call {TOOL_NAME} again with {what} and nothing else. Give each corrected finding "
        "`ref`: its number in brackets above. If a finding cannot be anchored on an allowed "
        "line, anchor it on the changed line closest to the problem; a finding you do not "
        "correct is kept as it was."
    )
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


# --------------------------------------------------------------------------- merging


@dataclass
class Settled:
    """The findings of one request after the repair round, and what the notes should say."""

    findings: list[Finding] = field(default_factory=list)
    corrected: int = 0
    salvaged: int = 0
    dropped: list[str] = field(default_factory=list)


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _same_title(a: str, b: str) -> bool:
    wa, wb = _words(a), _words(b)
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 0.5


def _raw_title(flawed: Flawed) -> str:
    raw = flawed.raw
    title = raw.get("title") if isinstance(raw, dict) else None
    return title if isinstance(title, str) else ""


def _match(
    finding: Finding, ref: int | None, open_: dict[int, Flawed], files: Mapping[str, FileDiff]
) -> int | None:
    """The number of the flawed finding this repaired one corrects, if any."""
    if ref is not None and ref in open_:
        return ref
    for number, flawed in open_.items():
        path = resolve_path(flawed.path, files) if flawed.path else None
        if path in (None, finding.path) and _same_title(finding.title, _raw_title(flawed)):
            return number
    return None


def _retried(flawed: Flawed, open_: dict[int, Flawed], files: Mapping[str, FileDiff]) -> bool:
    """A still-flawed repair finding that is another try at one of the open ones."""
    title = _raw_title(flawed)
    path = resolve_path(flawed.path, files) if flawed.path else None
    for other in open_.values():
        other_path = resolve_path(other.path, files) if other.path else None
        if path in (None, other_path) and _same_title(title, _raw_title(other)):
            return True
    return False


def kept_as_given(flawed: Flawed, files: Mapping[str, FileDiff]) -> Finding | None:
    """A flawed finding as it can be kept: its validated form (placement moves its anchor), or
    salvaged; None only when it has neither title nor body."""
    if flawed.finding is None:
        return salvage(flawed.raw, files)
    finding = flawed.finding.model_copy(update={"path": resolve_path(flawed.finding.path, files)})
    if usable_line(finding.line) is None:
        return finding.model_copy(update={"line": 1, "start_line": None, "file_level": True})
    return finding


def _keep(settled: Settled, flawed: Flawed, files: Mapping[str, FileDiff]) -> None:
    finding = kept_as_given(flawed, files)
    if finding is None:
        settled.dropped.append(f"{flawed.label}: it has neither title nor body")
    else:
        settled.findings.append(finding)
        settled.salvaged += 1


def settle(first: Answer, repair: Answer | None, files: Mapping[str, FileDiff]) -> Settled:
    """First answer's valid findings + the repair's corrections + the rest salvaged.

    `repair` is None when there was no repair round or it gave nothing usable (failed, refused,
    malformed): every flawed finding of `first` is then salvaged.
    """
    settled = Settled(findings=list(first.findings))
    open_ = dict(enumerate(first.flawed[:MAX_PROBLEMS], start=1))
    leftover = list(first.flawed[MAX_PROBLEMS:])
    if repair is not None and repair.usable:
        refs: Sequence[int | None] = repair.refs or [None] * len(repair.findings)
        for finding, ref in zip(repair.findings, refs, strict=False):
            if finding in first.findings:
                continue  # a valid finding sent again: it is kept already
            number = _match(finding, ref, open_, files)
            if number is not None:
                del open_[number]
                settled.corrected += 1
            settled.findings.append(finding)
        for flawed in repair.flawed:
            if flawed.ref in open_ or _retried(flawed, open_, files):
                continue  # still wrong: the first answer's version is kept below
            _keep(settled, flawed, files)  # a new finding, as best it can be read
    for flawed in [*open_.values(), *leftover]:
        _keep(settled, flawed, files)
    return settled


def repair_notes(
    label: str, first: Answer, repair: Answer | None, settled: Settled, why: str | None
) -> list[str]:
    """What the model notes say about a repair round: what was asked, fixed and kept."""
    notes = []
    if repair is None or not repair.usable:
        reason = why or (repair.problems[0] if repair and repair.problems else "no answer")
        notes.append(
            f"{label}: the repair round was unusable ({reason}); "
            f"{settled.salvaged} finding(s) kept as first given."
        )
    elif first.flawed:
        notes.append(
            f"{label}: {len(first.flawed)} finding(s) had problems; asked about them once more: "
            f"{settled.corrected} corrected, {settled.salvaged} kept as first given "
            "(placed on the nearest valid line, at file level or in the summary)."
        )
    if first.cut_off:
        notes.append(f"{label}: the first answer was cut off; asked for the rest.")
    return notes

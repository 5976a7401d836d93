"""Scripted model answers for runs against the Anthropic Messages API emulator (no key).

Each case gets its own answer: the case's `answer.yml` when it has one, else exactly its expected
problems (so a run checks the harness and the matcher end to end), or nothing at all (`empty`).
The responder answers each request with the findings on the files that request shows, as the
real model would when a large case is split over several requests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from bench.eval.cases import Case, anchor_line
from bot.models import FileDiff

Mode = Literal["scripted", "expected", "empty"]


def expected_answer(case: Case, files: Sequence[FileDiff]) -> dict[str, Any]:
    """A `submit_review` input with one finding per expected problem, each matching it."""
    findings = []
    for problem in case.problems:
        window = problem.windows[0]
        line = anchor_line(window, files)
        if line is None:
            continue  # a case whose window has no commentable line; the test reports it
        words = ", ".join(group[0] for group in problem.keywords)
        findings.append(
            {
                "path": window.path,
                "line": line,
                "side": window.side,
                "severity": problem.severity,
                "category": problem.categories[0],
                "title": (problem.why or "Expected problem")[:200],
                "body": f"{problem.why or 'Expected problem'} (scripted: {words}).",
            }
        )
    return {"summary": f"Scripted answer for {case.name}.", "findings": findings}


def answer_for(case: Case, files: Sequence[FileDiff], mode: Mode) -> dict[str, Any]:
    if mode == "empty":
        return {"summary": "No issues found.", "findings": []}
    if mode == "scripted" and case.answer is not None:
        return case.answer
    return expected_answer(case, files)


def request_text(body: dict[str, Any]) -> str:
    """All the text a Messages API request sends in user turns."""
    return "\n".join(
        block.get("text", "")
        for message in body.get("messages", [])
        if message.get("role") == "user" and isinstance(message.get("content"), list)
        for block in message["content"]
        if isinstance(block, dict) and block.get("type") == "text"
    )


def responder(answer: dict[str, Any]) -> Callable[[dict[str, Any]], Any]:
    """An emulator responder that answers each request with the answer's findings on its files.

    A file counts as shown when its path occurs in the request, whatever the prompt's layout.
    """
    from tests.emulators.anthropic import tool_use

    def respond(body: dict[str, Any]) -> Any:
        text = request_text(body)
        findings = [f for f in answer.get("findings", []) if str(f.get("path")) in text]
        return tool_use({"summary": answer.get("summary", ""), "findings": findings})

    return respond

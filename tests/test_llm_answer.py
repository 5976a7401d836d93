"""Validating the model's submit_review answer: schema, anchors, and the retry message."""

from __future__ import annotations

from typing import Any

from bot.diff import parse_patch
from bot.llm.answer import parse_reply, validate_input
from bot.llm.prompt import TOOL_NAME
from bot.llm.repair import (
    allowed_lines,
    line_ranges,
    repair_text,
    retry_messages,
    retry_text,
)

PATCH = """@@ -1,4 +1,5 @@
 import os
-import sys
+import json
+import re
 x = 1
 y = 2
@@ -40,3 +41,4 @@ def f():
     a = 1
+    b = 2
     c = 3
     d = 4
"""
FILES = {"app/api/x.py": parse_patch("app/api/x.py", PATCH)}


def _finding(**kw: Any) -> dict[str, Any]:
    base = {
        "path": "app/api/x.py",
        "line": 2,
        "severity": "high",
        "category": "security",
        "title": "Unsafe import",
        "body": "Explain and fix.",
    }
    return {**base, **kw}


def _reply(data: Any, name: str = TOOL_NAME) -> list[dict[str, Any]]:
    return [{"type": "tool_use", "id": "toolu_1", "name": name, "input": data}]


def test_valid_findings_become_model_findings() -> None:
    """Valid input yields Findings with source "model" and no problems."""
    answer = parse_reply(_reply({"summary": " ok ", "findings": [_finding()]}), "tool_use", FILES)
    assert answer.usable and not answer.problems and not answer.needs_repair
    assert answer.summary == "ok"
    assert answer.findings[0].source == "model" and answer.findings[0].side == "RIGHT"


def test_unambiguous_slips_are_accepted() -> None:
    """Upper-case severity, an alias category, a fenced suggestion, start_line == line."""
    item = _finding(
        severity="High",
        category="API",
        side="right",
        start_line=2,
        suggestion="```suggestion\nimport json as j\n```",
    )
    found = validate_input({"summary": "", "findings": [item]}, FILES).findings[0]
    assert (found.severity, found.category, found.side) == ("high", "api-design", "RIGHT")
    assert found.suggestion == "import json as j"
    assert found.start_line is None


def test_one_bad_finding_does_not_cost_the_others() -> None:
    """A finding with an unknown severity is flawed, by index and with its raw input; the
    valid one is kept."""
    answer = validate_input(
        {"summary": "s", "findings": [_finding(severity="blocker"), _finding(line=3)]}, FILES
    )
    assert [f.line for f in answer.findings] == [3]
    [flawed] = answer.flawed
    assert flawed.index == 0 and flawed.finding is None
    assert flawed.label == 'findings[0] (app/api/x.py:2) "Unsafe import"'
    assert flawed.errors[0].startswith("severity")
    assert answer.all_problems()[0].startswith('findings[0] (app/api/x.py:2) "Unsafe import": sev')


def test_invalid_anchors_are_problems_but_the_findings_are_kept() -> None:
    """Unknown path, a line outside the hunks, a reversed range, a range across hunks."""
    items = [
        _finding(path="app/other.py"),
        _finding(line=30),
        _finding(line=2, start_line=4),
        _finding(line=42, start_line=3),
        _finding(line=2, side="LEFT"),
    ]
    answer = validate_input({"summary": "s", "findings": items}, FILES)
    assert len(answer.findings) == 1 and len(answer.flawed) == 4
    assert all(f.finding is not None for f in answer.flawed)  # validated; only the anchor is off
    text = "\n".join(answer.all_problems())
    assert "'app/other.py' is not one of the files in this request" in text
    assert "line 30 is not a line of a hunk on side RIGHT" in text
    assert "start_line 4 must be smaller than line 2" in text
    assert "lines 3-42 on side RIGHT are not inside one hunk" in text
    assert "findings[4]" not in text  # old line 2 (import sys) is a valid LEFT anchor


def test_wrong_tool_no_tool_and_truncation_are_problems() -> None:
    """A wrong tool name, a text-only reply and a max_tokens cut all ask for a retry."""
    wrong = parse_reply(_reply({"verdict": "approve"}, name="approve"), "tool_use", FILES)
    assert not wrong.usable and "you called approve" in wrong.problems[0]
    text_only = parse_reply([{"type": "text", "text": "LGTM"}], "end_turn", FILES)
    assert not text_only.usable and f"did not call {TOOL_NAME}" in text_only.problems[0]
    cut = parse_reply(_reply({}), "max_tokens", FILES)
    assert not cut.usable and cut.needs_repair
    partial = parse_reply(_reply({"summary": "", "findings": [_finding()]}), "max_tokens", FILES)
    assert partial.usable and partial.cut_off and partial.needs_repair
    assert "cut off" in partial.problems[0] and len(partial.findings) == 1


def test_every_call_is_read_and_another_tool_with_findings_counts() -> None:
    """Two submit_review calls give both calls' findings; a misnamed tool whose input has a
    findings list is read too (what the model found matters more than the name)."""
    two = [
        *_reply({"summary": "a", "findings": [_finding()]}),
        {
            "type": "tool_use",
            "id": "t2",
            "name": TOOL_NAME,
            "input": {"findings": [_finding(line=3)]},
        },
    ]
    answer = parse_reply(two, "tool_use", FILES)
    assert [f.line for f in answer.findings] == [2, 3] and not answer.needs_repair
    misnamed = parse_reply(_reply({"findings": [_finding()]}, name="report"), "tool_use", FILES)
    assert misnamed.usable and len(misnamed.findings) == 1


def test_findings_sent_as_json_text_are_read() -> None:
    """A findings list sent as a JSON string is parsed rather than refused."""
    answer = validate_input(
        {
            "summary": "",
            "findings": '[{"path": "app/api/x.py", "line": 2, '
            '"severity": "low", "category": "database", "title": "t", "body": "b"}]',
        },
        FILES,
    )
    assert len(answer.findings) == 1 and not answer.needs_repair


def test_missing_findings_is_unusable() -> None:
    """Without a findings array the input cannot be used at all."""
    assert not validate_input({"summary": "s"}, FILES).usable
    assert not validate_input(["x"], FILES).usable


def test_line_ranges_are_compressed_per_hunk() -> None:
    """Consecutive anchor lines of one hunk collapse into ranges."""
    assert line_ranges(FILES["app/api/x.py"].right_anchors) == "1-5, 41-44"
    assert line_ranges({1: 0, 2: 0, 3: 1, 7: 1}) == "1-2, 3, 7"
    assert allowed_lines(FILES) == ["- app/api/x.py: RIGHT 1-5, 41-44; LEFT 1-4, 40-42"]


def test_retry_text_for_an_unusable_answer_asks_for_the_review() -> None:
    """With no usable findings list, the retry has the problems and every file's lines."""
    answer = validate_input({"summary": "s"}, FILES)
    text = retry_text(answer, FILES)
    assert "findings: required" in text
    assert "app/api/x.py: RIGHT 1-5, 41-44" in text
    assert "complete review" in text


def test_repair_text_asks_only_about_the_flawed_findings() -> None:
    """Each flawed finding is numbered, with its errors and its own file's lines; the valid
    ones are said to be kept and not asked about."""
    items = [_finding(title="Kept"), _finding(line=30, title="Off"), _finding(severity="?")]
    answer = validate_input({"summary": "s", "findings": items}, FILES)
    text = repair_text(answer, FILES)
    assert "2 of your findings could not be accepted" in text and "other 1 are accepted" in text
    assert '[1] findings[1] (app/api/x.py:30) "Off"' in text
    assert "line 30 is not a line of a hunk" in text
    assert "lines app/api/x.py allows: RIGHT 1-5, 41-44; LEFT 1-4, 40-42" in text
    assert "[2] findings[2]" in text and "severity" in text
    assert '"Kept"' not in text and "`ref`" in text


def test_retry_conversation_answers_every_tool_call_with_an_error() -> None:
    """Each tool_use of the reply gets an is_error tool_result; the first carries the text."""
    params = {"messages": [{"role": "user", "content": [{"type": "text", "text": "review"}]}]}
    blocks = [
        {"type": "tool_use", "id": "a", "name": TOOL_NAME, "input": {}},
        {"type": "tool_use", "id": "b", "name": TOOL_NAME, "input": {}},
    ]
    messages = retry_messages(params, blocks, "the errors")
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    results = messages[2]["content"]
    assert [(r["tool_use_id"], r["is_error"]) for r in results] == [("a", True), ("b", True)]
    assert results[0]["content"] == "the errors"


def test_an_empty_reply_is_retried_by_restating_the_request() -> None:
    """With nothing to answer to, the errors are appended to the original user turn."""
    params = {"messages": [{"role": "user", "content": [{"type": "text", "text": "review"}]}]}
    [turn] = retry_messages(params, [], "the errors")
    assert turn["role"] == "user" and turn["content"][0]["text"] == "review"
    assert "the errors" in turn["content"][1]["text"]


def test_git_style_path_prefixes_are_recognised() -> None:
    """`b/path` and `./path` name the file in the request; a really unknown path stays as is."""
    items = [
        _finding(path="b/app/api/x.py"),
        _finding(path="./app/api/x.py"),
        _finding(path="b/x.py"),
    ]
    answer = validate_input({"summary": "", "findings": items}, FILES)
    assert [f.path for f in answer.findings] == ["app/api/x.py", "app/api/x.py"]
    [unknown] = answer.flawed
    assert unknown.finding is not None and unknown.finding.path == "b/x.py"

"""Incremental scope: only lines changed since the last reviewed head are reviewed and posted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.diff import parse_patch
from bot.llm.prompt import describe_lines, render_changed
from bot.markers import parse_summary_marker
from bot.models import Finding, LineScope
from bot.review.scope import in_scope, incremental_scope, scoped_findings
from tests.action_support import HEAD, NAME, NUMBER, OLD_HEAD, OWNER, action_env, add_pr, event_file
from tests.emulators.anthropic import AnthropicEmulator, ToolUse
from tests.emulators.github import GitHubEmulator

HANDLER = "app/api/orders.py"
FIRST = "".join(f"+def get_{i}(order_id: int):  # line {i}\n" for i in range(1, 11))
PUSHED = "".join(f"+def cancel_{i}(order_id: int):  # line {i}\n" for i in range(11, 16))


def pr_patch(pushed: bool) -> str:
    n = 15 if pushed else 10
    return f"@@ -0,0 +1,{n} @@\n" + FIRST + (PUSHED if pushed else "")


def finding(line: int, *, side: str = "RIGHT", start: int | None = None) -> Finding:
    return Finding.model_validate(
        {
            "path": HANDLER,
            "line": line,
            "start_line": start,
            "side": side,
            "severity": "high",
            "category": "api-design",
            "title": f"Problem on {line}",
            "body": "Explain.",
        }
    )


def test_scope_maps_pushed_lines_onto_the_pr_diff() -> None:
    """Added lines of the push are in scope; removed base lines match the PR's LEFT side."""
    pr = parse_patch("a.py", "@@ -1,4 +1,4 @@\n keep\n-gone\n-kept_out\n+new1\n+new2\n tail\n")
    push = parse_patch("a.py", "@@ -1,4 +1,4 @@\n keep\n-gone\n new1\n+new2\n tail\n")
    other = parse_patch("b.py", "@@ -1 +1 @@\n-x\n+y\n")  # reverted to base: not in the PR
    scope = incremental_scope([pr], [push, other], since=OLD_HEAD)
    assert scope.new == {"a.py": frozenset({3})}
    assert scope.old == {"a.py": frozenset({2})}
    assert scope.paths == {"a.py"}


def test_a_file_without_patch_is_in_scope_whole() -> None:
    pr = parse_patch("big.sql", None, status="modified")
    push = parse_patch("big.sql", None, status="modified")
    scope = incremental_scope([pr], [push], since=OLD_HEAD)
    assert scope.whole("big.sql") and scope.allows("big.sql", 999)


def test_findings_outside_the_scope_are_counted_not_posted() -> None:
    scope = LineScope(since=OLD_HEAD, new={HANDLER: frozenset({11, 12, 13})})
    kept, outside = scoped_findings([finding(3), finding(12), finding(12, side="LEFT")], scope)
    assert [f.line for f in kept] == [12] and outside == 2
    trimmed = in_scope(finding(12, start=9), scope)
    assert trimmed is not None and trimmed.start_line is None
    assert in_scope(finding(13, start=11), scope) == finding(13, start=11)
    assert scoped_findings([finding(3)], None) == ([finding(3)], 0)


def test_changed_lines_are_told_to_the_model() -> None:
    assert describe_lines([5, 3, 4, 9, 11, 10]) == "3-5, 9-11"
    assert describe_lines(range(1, 2000, 2), limit=20).endswith(", ...")
    text = render_changed(frozenset({11, 12}), frozenset({4}))
    assert "new lines 11-12 and removed old lines 4" in text
    assert "do not comment" in text


def _answer(body: Any) -> ToolUse:
    """Findings on an already reviewed line (3) and, once it exists, on a pushed line (12)."""
    lines = (3, 12) if "cancel_" in json.dumps(body) else (3,)
    found = [json.loads(finding(n).model_dump_json(exclude={"source", "rule"})) for n in lines]
    return ToolUse(input={"summary": "ok", "findings": found})


def _run(
    tmp_path: Path, gh: GitHubEmulator, claude: AnthropicEmulator, sample: str, head: str
) -> int:
    from bot.action.main import run_action

    name = "pull_request"
    path = event_file(tmp_path, sample, head=head)
    env = action_env(tmp_path, gh, name, path, ANTHROPIC_API_KEY="k", ANTHROPIC_BASE_URL=claude.url)
    return run_action(dry_run=False, environ=env)


def _files(pushed: bool) -> list[dict[str, Any]]:
    return [{"filename": HANDLER, "status": "added", "patch": pr_patch(pushed)}]


def test_push_is_reviewed_on_its_own_lines(
    tmp_path: Path, github_emulator: GitHubEmulator, anthropic_emulator: AnthropicEmulator
) -> None:
    """After a push that adds a handler, the model is told which lines are new, comments on
    earlier lines are not posted, and a re-run on the same head calls nobody and writes nothing."""
    gh, claude = github_emulator, anthropic_emulator
    claude.responder = _answer
    add_pr(gh, head=OLD_HEAD, files=_files(False))
    assert _run(tmp_path, gh, claude, "pull_request_opened", OLD_HEAD) == 0
    assert {c["line"] for c in gh.review_comments(OWNER, NAME, NUMBER)} == {3}
    add_pr(gh, head=HEAD, files=_files(True))
    pushed = [{"filename": HANDLER, "status": "modified", "patch": "@@ -10,0 +11,5 @@\n" + PUSHED}]
    gh.set_compare(OWNER, NAME, OLD_HEAD, HEAD, pushed, "ahead")
    before = len(claude.message_requests())
    assert _run(tmp_path, gh, claude, "pull_request_synchronize", HEAD) == 0
    prompt = json.dumps([r.body for r in claude.message_requests()[before:]])
    assert "only new lines 11-15 changed since the last review" in prompt
    lines = sorted(c["line"] for c in gh.review_comments(OWNER, NAME, NUMBER))
    assert lines == [3, 12]
    summary = next(c for c in gh.issue_comments(OWNER, NAME, NUMBER) if "summary" in c["body"])
    assert "lines reviewed before were not repeated" in summary["body"]
    state = parse_summary_marker(summary["body"])
    assert state is not None and state.head_sha == HEAD
    calls, writes = len(claude.message_requests()), gh.write_count()
    assert _run(tmp_path, gh, claude, "pull_request_synchronize", HEAD) == 0
    assert (len(claude.message_requests()), gh.write_count()) == (calls, writes)
    assert "already reviewed" in (tmp_path / "summary.md").read_text()


def test_pipeline_checks_only_the_scope() -> None:
    """Static findings on lines reviewed before are counted, not placed; files out of scope are
    not reviewed at all."""
    import asyncio

    from bot.config import RepoConfig
    from bot.review.pipeline import run_review
    from bot.review.result import ReviewRequest

    sql = parse_patch(
        "db/queries/report.sql",
        "@@ -0,0 +1,3 @@\n+SELECT * FROM orders;\n+SELECT 1;\n+SELECT * FROM items;\n",
        status="added",
    )
    other = parse_patch(
        "db/queries/other.sql", "@@ -0,0 +1 @@\n+SELECT * FROM x;\n", status="added"
    )
    full = asyncio.run(run_review(ReviewRequest(files=[sql, other]), config=RepoConfig()))
    assert {(f.path, f.line) for f in full.findings} >= {
        (sql.path, 1),
        (sql.path, 3),
        (other.path, 1),
    }
    scope = LineScope(since=OLD_HEAD, new={sql.path: frozenset({3})})
    scoped = asyncio.run(
        run_review(ReviewRequest(files=[sql, other], scope=scope), config=RepoConfig())
    )
    assert {(f.path, f.line) for f in scoped.findings} == {(sql.path, 3)}
    assert scoped.outside_scope >= 1
    assert [r.path for r in scoped.reports] == [sql.path]

"""The pull request, model answers and faults of the fault matrix (tests/test_fault_matrix.py)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from bot.action.main import run_action
from bot.errors import BackendReviewError
from bot.markers import find_fingerprints, parse_summary_marker
from tests.action_support import NAME, NUMBER, OWNER, action_env, event_file
from tests.emulators.anthropic import AnthropicEmulator, Spec, ToolUse
from tests.emulators.github import GitHubEmulator

API = "app/api/orders.py"
SQL = "db/queries/order_report.sql"
API_PATCH = (
    "@@ -20,4 +20,6 @@ def cancel_order(order_id: int):\n"
    "     order = session.get(Order, order_id)\n"
    "-    order.status = 'cancelled'\n"
    "+    if order is None:\n"
    "+        raise HTTPException(404)\n"
    "+    order.status = 'cancelled'\n"
    "     session.commit()\n"
    "     return order"
)
SQL_PATCH = "@@ -0,0 +1,2 @@\n+SELECT * FROM orders\n+WHERE status = 'open';"
API_FILE = {"filename": API, "status": "modified", "patch": API_PATCH}
SQL_FILE = {"filename": SQL, "status": "added", "patch": SQL_PATCH}
API_TEXT = "".join(f"line_{n} = {n}\n" for n in range(1, 60))

# GitHub's three 422 bodies for a comment outside the diff (shared/notes/github-api.md).
UNPROCESSABLE = {
    "422-modern": {
        "message": "Unprocessable Entity",
        "errors": ["Line could not be resolved"],
        "status": "422",
    },
    "422-older": {
        "message": "Unprocessable Entity",
        "errors": ["Pull request review thread line must be part of the diff"],
        "status": "422",
    },
    "422-legacy": {
        "message": "Validation Failed",
        "errors": [
            {
                "resource": "PullRequestReviewComment",
                "code": "custom",
                "field": "pull_request_review_thread.line",
                "message": "pull_request_review_thread.line must be part of the diff",
            }
        ],
    },
}
GITHUB_TIMEOUT = 0.25  # seconds the client waits; a "timeout" fault answers after TIMEOUT_DELAY
TIMEOUT_DELAY = 0.6
GITHUB_FAULTS: dict[str, dict[str, Any]] = {
    "500": {"status": 500},
    "502": {"status": 502, "body": "<html><body>502 Bad Gateway</body></html>"},
    "secondary-rate-limit": {"status": 403, "headers": {"retry-after": "0"}},
    "timeout": {"status": 504, "applied": True, "delay": TIMEOUT_DELAY},
    **{name: {"status": 422, "body": body} for name, body in UNPROCESSABLE.items()},
    "applied-then-502": {"status": 502, "applied": True},
}


def finding(path: str, line: int, title: str, **extra: Any) -> dict[str, Any]:
    return {
        "path": path,
        "line": line,
        "severity": "high",
        "category": "reliability",
        "title": title,
        "body": f"{title}: explained.",
        **extra,
    }


def model_findings(body: Any) -> list[dict[str, Any]]:
    """What the model finds in a request: per file shown, one inline and one file-level finding."""
    text = json.dumps(body)
    found = []
    if f"### File: {API}" in text:
        found += [
            finding(API, 21, "Missing row lock"),
            finding(API, 55, "Cancellation is not audited"),  # far from the diff: file-level
        ]
    if f"### File: {SQL}" in text:
        found.append(finding(SQL, 1, "Report scans every order"))
    return found


def good_answer(body: Any) -> ToolUse:
    return ToolUse(input={"summary": "Two risks.", "findings": model_findings(body)})


def is_repair(body: Any) -> bool:
    """The repair request goes on the conversation: it has more than the first user turn."""
    return len(body.get("messages") or []) > 1


def add_faulty_pr(gh: GitHubEmulator, *, head: str, files: list[dict[str, Any]]) -> None:
    from tests.action_support import add_pr

    add_pr(gh, head=head, files=files)
    gh.add_file_content(OWNER, NAME, API, head, API_TEXT)


def run(
    tmp_path: Path,
    gh: GitHubEmulator,
    claude: AnthropicEmulator,
    sample: str,
    *,
    head: str,
    comment_id: int | None = None,
) -> int:
    """The Action in-process, with the exit code the command line would return."""
    name = "issue_comment" if sample.startswith("issue_comment") else "pull_request"
    path = event_file(tmp_path, sample, head=head, comment_id=comment_id)
    env = action_env(
        tmp_path,
        gh,
        name,
        path,
        ANTHROPIC_API_KEY="k",
        ANTHROPIC_BASE_URL=claude.url,
        BACKEND_REVIEW_GITHUB_TIMEOUT=str(GITHUB_TIMEOUT),
        BACKEND_REVIEW_MODEL_TIMEOUT="0.5",
        BACKEND_REVIEW_MODEL_RETRIES="1",
    )
    try:
        return run_action(dry_run=False, environ=env)
    except BackendReviewError as exc:
        return exc.exit_code


def posted(gh: GitHubEmulator) -> Counter[str]:
    """How many times each fingerprint is on the pull request as a review comment."""
    found: Counter[str] = Counter()
    for comment in gh.review_comments(OWNER, NAME, NUMBER):
        found.update(find_fingerprints(str(comment["body"])))
    return found


def summaries(gh: GitHubEmulator) -> list[dict[str, Any]]:
    return [
        c
        for c in gh.issue_comments(OWNER, NAME, NUMBER)
        if "backend-review:summary" in str(c["body"])
    ]


def accounted(gh: GitHubEmulator) -> set[str]:
    """Fingerprints posted inline or kept in the summary (refused or summary-only)."""
    fps = set(posted(gh))
    for summary in summaries(gh):
        state = parse_summary_marker(str(summary["body"]))
        fps |= set(state.fingerprints) if state else set()
    return fps


def titles(gh: GitHubEmulator) -> dict[str, str]:
    """Fingerprint -> the title line of its comment, from a review that went through."""
    out = {}
    for comment in gh.review_comments(OWNER, NAME, NUMBER):
        body = str(comment["body"])
        for fp in find_fingerprints(body):
            out[fp] = re.sub(r"\s+", " ", body.strip().splitlines()[0])[:60]
    return out


def fault_spec(fault: str) -> Spec:
    """A model fault as the Anthropic emulator answers it."""
    from tests.emulators.anthropic import delay, error, stop, tool_use

    specs: dict[str, Spec] = {
        "429": error(429),
        "529": error(529),
        "500": error(500),
        "timeout": delay(1.5),
        "malformed-tool-input": tool_use({"summary": 7, "findings": "none"}),
        "wrong-tool-name": tool_use({"summary": "x", "findings": []}, name="other_tool"),
        "refusal": stop("refusal"),
        "max_tokens": stop("max_tokens"),
    }
    return specs[fault]

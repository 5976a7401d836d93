"""GitHub API calls of one Action run, counted by the GitHub emulator, against the bound
4 + ceil(files/100) + ceil(comments/30) + head files read for the model + the check run
(1 + ceil(findings/50)).

PRs of 5, 300 and 3,000 files with 0, 10 and 100 findings. Two modes:
- static: the findings are `select-star` hits on query files, no model;
- model:  the Anthropic emulator answers every request with one finding per query file it was
          shown (up to N in all), so the model's head-file reads are counted too.
The rest of each PR is documentation the review skips. Each PR is reviewed twice on the same
head: the second run must create no review and no comment.

    /tmp/venv/bin/python bench/bench_github.py [--static-only]
"""

from __future__ import annotations

import json
import math
import re
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.action.main import run_action
from tests.action_support import (
    HEAD,
    NAME,
    NUMBER,
    OWNER,
    action_env,
    add_pr,
    event_file,
    outputs,
)
from tests.emulators.anthropic import AnthropicEmulator, ToolUse
from tests.emulators.github import GitHubEmulator

CONFIG = "max_inline_comments: 500\n"
QUERY = re.compile(r"db/queries/q(\d+)\.sql")


def pr_files(total: int, query_files: int, *, select_star: bool) -> list[dict[str, object]]:
    """`query_files` SQL files, then docs. Static mode: added files with SELECT * (one finding
    each). Model mode: clean one-line edits inside longer files, so the model wants nearby code."""
    rows: list[dict[str, object]] = []
    for i in range(query_files):
        if select_star:
            patch = f"@@ -0,0 +1 @@\n+SELECT * FROM orders_{i};"
            rows.append({"filename": f"db/queries/q{i}.sql", "status": "added", "patch": patch})
        else:
            patch = (
                f"@@ -20,3 +20,4 @@\n -- report {i}\n -- owner: data\n"
                f"+SELECT id, total FROM orders_{i} WHERE id = %(id)s;\n -- end"
            )
            rows.append({"filename": f"db/queries/q{i}.sql", "status": "modified", "patch": patch})
    for i in range(total - query_files):
        patch = "@@ -0,0 +1 @@\n+text"
        rows.append({"filename": f"docs/page{i}.md", "status": "added", "patch": patch})
    return rows


def head_text(i: int) -> str:
    """The head version of model-mode query file i: the edit in the middle of 40 lines."""
    lines = [f"-- line {n}" for n in range(1, 41)]
    lines[19:22] = [
        f"-- report {i}",
        "-- owner: data",
        f"SELECT id, total FROM orders_{i} WHERE id = %(id)s;",
        "-- end",
    ]
    return "\n".join(lines) + "\n"


class Responder:
    """One finding on the edited line (22) of each query file the model is shown, at most
    `limit` in all."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.given: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> ToolUse:
        findings = []
        with self.lock:
            for number in sorted(set(QUERY.findall(json.dumps(body))), key=int):
                path = f"db/queries/q{number}.sql"
                if path in self.given or len(self.given) >= self.limit:
                    continue
                self.given.add(path)
                findings.append(
                    {
                        "path": path,
                        "line": 22,
                        "severity": "medium",
                        "category": "database",
                        "title": f"Query {number} reads a table without an index on its filter",
                        "body": "Add an index or bound the scan.",
                    }
                )
        return ToolUse({"summary": "Reviewed.", "findings": findings})


def creates(emu: GitHubEmulator) -> int:
    return emu.count("POST", r"/(reviews|comments)$")


def one(
    emu: GitHubEmulator, claude: AnthropicEmulator | None, files: int, findings: int
) -> dict[str, float]:
    emu.reset()
    extra: dict[str, str] = {}
    if claude is None:
        add_pr(emu, files=pr_files(files, findings, select_star=True), config=CONFIG)
    else:
        claude.reset()
        claude.responder = Responder(findings)
        query_files = max(findings, 1)
        add_pr(emu, files=pr_files(files, query_files, select_star=False), config=CONFIG)
        for i in range(query_files):
            emu.add_file_content(OWNER, NAME, f"db/queries/q{i}.sql", HEAD, head_text(i))
        extra = {"ANTHROPIC_API_KEY": "bench", "ANTHROPIC_BASE_URL": claude.url}
    tmp = Path(tempfile.mkdtemp())
    env = action_env(tmp, emu, "pull_request", event_file(tmp, "pull_request_opened"), **extra)
    started = time.perf_counter()
    code = run_action(dry_run=False, environ=env)
    elapsed = time.perf_counter() - started
    assert code == 0, code
    calls = len(emu.requests)
    comments = len(emu.review_comments(OWNER, NAME, NUMBER))
    head_reads = emu.count("GET", r"/contents/(?!\.github/backend-review\.yml)")
    check_run = 1 + max(1, math.ceil(int(outputs(tmp)["findings-total"]) / 50))
    bound = 4 + math.ceil(files / 100) + math.ceil(comments / 30) + head_reads + check_run
    before, created_before = len(emu.requests), creates(emu)
    run_action(dry_run=False, environ=env)
    return {
        "calls": calls,
        "bound": bound,
        "comments": comments,
        "reviews": len(emu.reviews(OWNER, NAME, NUMBER)),
        "head_reads": head_reads,
        "model_requests": len(claude.message_requests()) if claude else 0,
        "rerun_calls": len(emu.requests) - before,
        "rerun_creates": creates(emu) - created_before,
        "seconds": elapsed,
    }


def table(emu: GitHubEmulator, claude: AnthropicEmulator | None) -> bool:
    print(f"\nmode: {'model (Anthropic emulator)' if claude else 'static checks only'}")
    print(
        f"{'files':>6} {'findings':>8} {'comments':>8} {'reviews':>7} {'head reads':>10} "
        f"{'calls':>5} {'bound':>5} {'ok':>3} | {'re-run calls':>12} {'re-run creates':>14} "
        f"{'run s':>6}"
    )
    ok_all = True
    for files in (5, 300, 3_000):
        for wanted in (0, 10, 100):
            findings = min(wanted, files)
            if wanted > files and findings != wanted and wanted != 10:
                continue  # 5 files cannot hold 100 findings: the 10-finding row already shows it
            r = one(emu, claude, files, findings)
            ok = r["calls"] <= r["bound"] and r["rerun_creates"] == 0
            ok_all &= ok
            print(
                f"{files:>6} {findings:>8} {r['comments']:>8.0f} {r['reviews']:>7.0f} "
                f"{r['head_reads']:>10.0f} {r['calls']:>5.0f} {r['bound']:>5.0f} "
                f"{'yes' if ok else 'NO':>3} | {r['rerun_calls']:>12.0f} "
                f"{r['rerun_creates']:>14.0f} {r['seconds']:>6.2f}"
            )
    return ok_all


def main(argv: list[str]) -> int:
    with GitHubEmulator() as emu, AnthropicEmulator() as claude:
        ok = table(emu, None)
        if "--static-only" not in argv:
            ok &= table(emu, claude)
    print("\nbound = 4 + ceil(files/100) + ceil(comments/30) + head reads + 1 + ceil(findings/50)")
    print("(the check run); 'calls' counts every")
    print("request the emulator received (reads and writes) for the first run.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

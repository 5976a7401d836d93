"""GitHub API calls of one Action run, counted by the GitHub emulator, against the bound
4 + ceil(files/100) + ceil(comments/30) + head files read for the model.

PRs of 5, 300 and 3,000 files with 0, 10 and 100 findings (static `select-star` findings on
query files; the other files are docs the review skips). Each PR is reviewed twice on the same
head: the second run must create no review and no comment.

    /tmp/venv/bin/python bench/bench_github.py
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.action import run_action  # noqa: E402
from tests.action_support import NAME, NUMBER, OWNER, action_env, add_pr, event_file  # noqa: E402
from tests.emulators.github import GitHubEmulator  # noqa: E402

CONFIG = "max_inline_comments: 500\n"


def pr_files(total: int, findings: int) -> list[dict[str, object]]:
    """`findings` query files with one SELECT * each; the rest are skipped documentation."""
    rows: list[dict[str, object]] = []
    for i in range(findings):
        patch = f"@@ -0,0 +1 @@\n+SELECT * FROM orders_{i} WHERE id = {i};"
        rows.append({"filename": f"db/queries/q{i}.sql", "status": "added", "patch": patch})
    for i in range(total - findings):
        rows.append(
            {"filename": f"docs/page{i}.md", "status": "added", "patch": "@@ -0,0 +1 @@\n+text"}
        )
    return rows


def creates(emu: GitHubEmulator) -> int:
    return emu.count("POST", r"/(reviews|comments)$")


def one(emu: GitHubEmulator, files: int, findings: int) -> dict[str, float]:
    emu.reset()
    add_pr(emu, files=pr_files(files, findings), config=CONFIG)
    tmp = Path(tempfile.mkdtemp())
    env = action_env(tmp, emu, "pull_request", event_file(tmp, "pull_request_opened"))
    started = time.perf_counter()
    code = run_action(dry_run=False, environ=env)
    elapsed = time.perf_counter() - started
    assert code == 0, code
    calls = len(emu.requests)
    comments = len(emu.review_comments(OWNER, NAME, NUMBER))
    head_reads = emu.count("GET", r"/contents/(?!\.github/backend-review\.yml)")
    bound = 4 + math.ceil(files / 100) + math.ceil(comments / 30) + head_reads
    before, created_before = len(emu.requests), creates(emu)
    run_action(dry_run=False, environ=env)
    rerun_calls = len(emu.requests) - before
    rerun_creates = creates(emu) - created_before
    return {
        "calls": calls,
        "bound": bound,
        "comments": comments,
        "reviews": len(emu.reviews(OWNER, NAME, NUMBER)),
        "head_reads": head_reads,
        "rerun_calls": rerun_calls,
        "rerun_creates": rerun_creates,
        "seconds": elapsed,
    }


def main() -> int:
    print(
        f"{'files':>6} {'findings':>8} {'comments':>8} {'reviews':>7} {'head reads':>10} "
        f"{'calls':>5} {'bound':>5} {'ok':>3} | {'re-run calls':>12} {'re-run creates':>14} {'time s':>7}"
    )
    failed = False
    with GitHubEmulator() as emu:
        for files in (5, 300, 3_000):
            for findings in (0, 10, 100):
                if findings > files:
                    findings = files
                r = one(emu, files, findings)
                ok = r["calls"] <= r["bound"] and r["rerun_creates"] == 0
                failed |= not ok
                print(
                    f"{files:>6} {findings:>8} {r['comments']:>8.0f} {r['reviews']:>7.0f} "
                    f"{r['head_reads']:>10.0f} {r['calls']:>5.0f} {r['bound']:>5.0f} "
                    f"{'yes' if ok else 'NO':>3} | {r['rerun_calls']:>12.0f} "
                    f"{r['rerun_creates']:>14.0f} {r['seconds']:>7.2f}"
                )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

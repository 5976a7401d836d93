"""SARIF and rdjson on diffs the tests do not have: every commit of a git repository.

For each commit (default: the last 60 of this repository's own history), or each `*.diff` file
of a folder (`--diffs DIR`), the static review of the diff becomes SARIF and rdjson; prints, per run and in total, findings against SARIF results
and rdjson diagnostics, how many SARIF documents are schema-valid, and the time spent building
and validating them.

    python bench/bench_formats.py [--repo DIR] [--commits 60] [--diffs DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import jsonschema

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import RepoConfig
from bot.diff import parse_diff
from bot.formats.rdjson import rdjson_document
from bot.formats.sarif import sarif_document
from bot.review.pipeline import run_review
from bot.review.result import ReviewRequest

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())


def commits(repo: Path, count: int) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--no-merges", f"--max-count={count}", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def diff_of(repo: Path, sha: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), "show", "--format=", "--no-color", "--no-ext-diff", "-M", sha],
        capture_output=True,
        check=True,
    ).stdout


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", default=str(ROOT))
    parser.add_argument("--commits", type=int, default=60)
    parser.add_argument("--diffs", help="a folder of *.diff files instead of git commits")
    args = parser.parse_args(argv)
    repo = Path(args.repo)
    if args.diffs:
        sources = {p.stem: p.read_bytes() for p in sorted(Path(args.diffs).glob("*.diff"))}
    else:
        sources = {sha: diff_of(repo, sha) for sha in commits(repo, args.commits)}
    validator = jsonschema.Draft4Validator(SCHEMA)
    totals = {"diffs": 0, "findings": 0, "results": 0, "diagnostics": 0, "valid": 0}
    build = check = 0.0
    print(f"{'commit':>8} {'files':>5} {'findings':>8} {'results':>7} {'diags':>5} {'valid':>5}")
    for sha, diff in sources.items():
        files = parse_diff(diff)
        result = asyncio.run(run_review(ReviewRequest(files=files), config=RepoConfig()))
        started = time.perf_counter()
        sarif = sarif_document(result.findings, {f.path: f for f in files})
        rdjson = rdjson_document(result.findings)
        json.dumps(sarif), json.dumps(rdjson)
        build += time.perf_counter() - started
        started = time.perf_counter()
        valid = not any(True for _ in validator.iter_errors(sarif))
        check += time.perf_counter() - started
        row = {
            "findings": len(result.findings),
            "results": len(sarif["runs"][0]["results"]),
            "diagnostics": len(rdjson["diagnostics"]),
        }
        totals["diffs"] += 1
        totals["valid"] += valid
        for key, value in row.items():
            totals[key] += value
        print(
            f"{sha[:8]:>8} {len(files):>5} {row['findings']:>8} {row['results']:>7} "
            f"{row['diagnostics']:>5} {'yes' if valid else 'NO':>5}"
        )
    ok = (
        totals["valid"] == totals["diffs"]
        and totals["findings"] == totals["results"] == totals["diagnostics"]
    )
    print(
        f"\n{totals['diffs']} diffs: {totals['valid']} schema-valid SARIF documents; "
        f"{totals['findings']} findings, {totals['results']} SARIF results, "
        f"{totals['diagnostics']} rdjson diagnostics"
    )
    print(f"building both formats: {build * 1000:.1f} ms in all; schema validation {check:.2f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Fuzz the repair round: many diffs, a model that answers badly, a service that fails.

Reviews N diffs (the realistic samples in tests/samples and examples/, and synthetic ones)
through the whole pipeline against the Anthropic emulator. The emulated model answers with a
mix of valid and invalid findings (lines outside the diff or not numbers, unknown categories
and severities, `./` and `b/` paths, the old name of a rename, ranges across hunks, missing
titles or bodies, cut-off answers), repairs some of what it is asked about and ignores or
garbles the rest; 20% of all requests fail with 529 or 429 (the SDK retries twice).

Every finding carries an id. Prints how many findings the model returned, how many of them
are neither a comment nor in the summary (the lost-finding rate; target 0), and how many
comments GitHub would refuse (invalid anchors; target 0).

    python bench/bench_repair.py [--diffs 80] [--seed 13] [--fail-rate 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import anthropic  # noqa: E402

from bot.config import RepoConfig  # noqa: E402
from bot.diff import parse_diff  # noqa: E402
from bot.llm.client import ModelReviewer  # noqa: E402
from bot.models import FileDiff  # noqa: E402
from bot.review.pipeline import run_review  # noqa: E402
from bot.review.placement import comment_problem  # noqa: E402
from bot.review.result import ReviewRequest, ReviewResult  # noqa: E402
from tests.emulators.anthropic import AnthropicEmulator, Spec, error, stop, text, tool_use  # noqa: E402

ID = re.compile(r"\[F(\d{5})\]")
# Titles are 4 words of these: distinct enough that the pipeline's deduplication (findings that
# say the same thing about the same lines are collapsed) does not apply to two fuzzed findings.
WORDS = [
    "cursor",
    "lock",
    "index",
    "tenant",
    "retry",
    "backfill",
    "timeout",
    "pagination",
    "join",
    "webhook",
    "idempotency",
    "quota",
    "cache",
    "replica",
    "deadlock",
    "partition",
    "payload",
    "schema",
    "token",
    "audit",
    "metric",
    "trace",
    "fanout",
    "batch",
    "constraint",
    "default",
    "rollback",
    "version",
    "header",
    "limit",
    "offset",
    "worker",
    "queue",
    "signal",
    "sharding",
    "vacuum",
    "bloat",
    "sequence",
    "trigger",
    "cascade",
    "orphan",
    "drift",
    "contract",
    "enum",
    "nullable",
    "overflow",
    "precision",
    "timezone",
    "encoding",
    "charset",
    "collation",
    "checksum",
    "snapshot",
    "isolation",
    "phantom",
    "savepoint",
    "throttle",
    "backoff",
    "jitter",
    "circuit",
    "breaker",
    "bulkhead",
    "saga",
    "outbox",
    "inbox",
    "dedupe",
    "ordering",
    "watermark",
    "lag",
    "consumer",
    "producer",
    "broker",
    "topic",
    "span",
    "baggage",
    "sampling",
    "cardinality",
    "histogram",
    "gauge",
    "counter",
    "alert",
    "runbook",
]
CATEGORIES = ["api-design", "database", "reliability", "observability", "code-quality", "security"]
BAD_CATEGORIES = ["performance", "style", "correctness", "migration", "api", "weird"]
SEVERITIES = ["critical", "high", "medium", "low"]


class FuzzModel:
    """The emulated model: scripted mistakes, partial repairs, and 529/429 failures."""

    def __init__(self, rng: random.Random, fail_rate: float) -> None:
        self.rng = rng
        self.fail_rate = fail_rate
        self.files: dict[str, FileDiff] = {}
        self.returned: set[int] = set()
        self.sent: dict[int, list[dict[str, Any]]] = {}  # id -> every version the model sent
        self.next_id = 0
        self.stats: Counter[str] = Counter()

    def __call__(self, body: dict[str, Any]) -> Spec:
        self.stats["requests"] += 1
        if self.rng.random() < self.fail_rate:
            self.stats["injected failures"] += 1
            return error(self.rng.choice([529, 429]))
        if len(body["messages"]) == 1:
            return self._first(body)
        return self._repair(body)

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def _title(self, fid: int) -> str:
        return " ".join(self.rng.sample(WORDS, 4)).capitalize() + f" [F{fid:05d}]"

    def _valid(self, path: str, fid: int) -> dict[str, Any]:
        file = self.files[path]
        side = "RIGHT" if file.right_anchors else "LEFT"
        lines = sorted(file.anchors(side)) or [1]
        return {
            "path": path,
            "line": self.rng.choice(lines),
            "side": side,
            "severity": self.rng.choice(SEVERITIES),
            "category": self.rng.choice(CATEGORIES),
            "title": self._title(fid),
            "body": f"What goes wrong and how to fix it. [F{fid:05d}]",
        }

    def _finding(self, path: str, others: list[str]) -> dict[str, Any]:
        fid = self._new_id()
        item = self._valid(path, fid)
        roll = self.rng.random()
        file = self.files[path]
        anchors = sorted(file.anchors(item["side"])) or [1]
        if roll < 0.45:
            kind = "valid"
        elif roll < 0.55:
            kind, item["line"] = "near", anchors[-1] + self.rng.randint(1, 3)
        elif roll < 0.62:
            kind, item["line"] = "far", anchors[-1] + self.rng.randint(50, 5000)
        elif roll < 0.67:
            kind, item["line"] = "unusable line", self.rng.choice([0, -4, "abc", 10**15, None])
        elif roll < 0.75:
            kind, item["category"] = "bad category", self.rng.choice(BAD_CATEGORIES)
        elif roll < 0.80:
            kind, item["severity"] = "bad severity", self.rng.choice(["blocker", "severe", "P1"])
        elif roll < 0.85:
            kind, item["path"] = "git path", self.rng.choice(["./", "b/", "/"]) + path
        elif roll < 0.88 and file.old_path:
            kind, item["path"] = "old name", file.old_path
        elif roll < 0.91:
            kind = "other path"
            item["path"] = self.rng.choice([*others, "docs/not-in-this-pr.py"])
        elif roll < 0.94 and len(anchors) > 1:
            kind, item["start_line"], item["line"] = "reversed range", anchors[-1], anchors[0]
        elif roll < 0.97:
            kind = "no title"
            del item["title"]
        else:
            kind, item["body"] = "no body", ""
        self.stats[f"answer: {kind}"] += 1
        self.returned.add(fid)
        self.sent.setdefault(fid, []).append(item)
        return item

    def _first(self, body: dict[str, Any]) -> Spec:
        user = body["messages"][0]["content"][0]["text"]
        paths = [p for p in re.findall(r"^### File: (.+)$", user, re.MULTILINE) if p in self.files]
        others = [p for p in self.files if p not in paths]
        roll = self.rng.random()
        if roll < 0.03:
            self.stats["first: wrong tool"] += 1
            return tool_use({"verdict": "approve"}, name="approve_pr")
        findings = [self._finding(p, others) for p in paths for _ in range(self.rng.randint(0, 3))]
        answer = {"summary": "Fuzzed review.", "findings": findings}
        if roll < 0.06 and findings:
            self.stats["first: cut off"] += 1
            return stop("max_tokens", tool_use(answer))
        return tool_use(answer)

    def _repair(self, body: dict[str, Any]) -> Spec:
        self.stats["repair requests"] += 1
        roll = self.rng.random()
        if roll < 0.08:
            self.stats["repair: empty"] += 1
            return tool_use({"summary": "", "findings": []})
        if roll < 0.12:
            self.stats["repair: text only"] += 1
            return text("I could not correct these.")
        if roll < 0.15:
            self.stats["repair: refusal"] += 1
            return stop("refusal")
        asked = body["messages"][-1]["content"][0]
        prompt = asked.get("content") or asked.get("text") or ""
        fixed = []
        for number, label in re.findall(r"^\[(\d+)\] (.+)$", prompt, re.MULTILINE):
            match = ID.search(label)
            path = next((p for p in self.files if p in label), None)
            if match is None or path is None or self.rng.random() < 0.3:
                self.stats["repair: left as it was"] += 1
                continue
            item = self._valid(path, int(match.group(1)))
            item["ref"] = int(number)
            self.sent.setdefault(int(match.group(1)), []).append(item)
            fixed.append(item)
            self.stats["repair: corrected"] += 1
        if not prompt.count("[1]"):  # a full retry (the first answer was unusable)
            files = [p for p in self.files if p in prompt]
            fixed = [self._finding(p, []) for p in files[:3]]
        return tool_use({"summary": "", "findings": fixed})


def _diffs(count: int, rng: random.Random) -> list[list[FileDiff]]:
    real = sorted((ROOT / "tests" / "samples").rglob("*.diff"))
    real.append(ROOT / "examples" / "orders-api.diff")
    parsed = [parse_diff(p.read_bytes()) for p in real]
    out: list[list[FileDiff]] = []
    for i in range(count):
        out.append(parsed[i % len(parsed)] if i % 2 == 0 else _synthetic(i, rng))
    return out


def _synthetic(index: int, rng: random.Random) -> list[FileDiff]:
    """A few backend files with scattered hunks, one of them renamed."""
    parts = []
    for n in range(rng.randint(1, 4)):
        folder = rng.choice(["app/api", "app/repositories", "migrations/versions"])
        path = f"{folder}/fuzz_{index}_{n}.py"
        hunks = []
        line = rng.randint(1, 30)
        for h in range(rng.randint(1, 4)):
            added = rng.randint(1, 8)
            hunks.append(f"@@ -{line},4 +{line},{3 + added} @@ def handler_{h}(request):\n")
            hunks += [f"     ctx_{h}_{k} = load({k})\n" for k in range(3)]
            hunks.append(f"-    rows = db.execute('SELECT * FROM t_{h}')\n")
            hunks += [
                f"+    rows_{k} = session.query(Item).limit({k + 1}).all()\n" for k in range(added)
            ]
            line += rng.randint(40, 200)
        rename = f"rename from {folder}/old_{index}_{n}.py\nrename to {path}\n" if n == 0 else ""
        old = f"{folder}/old_{index}_{n}.py" if n == 0 else path
        parts.append(
            f"diff --git a/{old} b/{path}\n{rename}--- a/{old}\n+++ b/{path}\n" + "".join(hunks)
        )
    return parse_diff("".join(parts))


def _present(result: ReviewResult) -> set[int]:
    texts = [c.body for c in result.comments]
    texts += [f"{f.title}\n{f.body}" for f, _ in result.summary_only]
    return {int(m) for t in texts for m in ID.findall(t)}


async def _run(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    model = FuzzModel(rng, args.fail_rate)
    lost: set[int] = set()
    invalid = 0
    comments = 0
    with AnthropicEmulator() as emulator:
        emulator.responder = model
        client = anthropic.AsyncAnthropic(
            api_key="bench", base_url=emulator.url, max_retries=2, timeout=30
        )
        # One request at a time: the emulated model draws from one random stream, so the run
        # is the same for the same seed.
        reviewer = ModelReviewer(client, model="claude-bench", max_tokens=4000, concurrency=1)
        started = time.perf_counter()
        config = RepoConfig(min_severity="info", max_tokens_per_request=4000)
        try:
            for files in _diffs(args.diffs, rng):
                model.files = {f.path: f for f in files}
                before = set(model.returned)
                result = await run_review(ReviewRequest(files=files), config=config, model=reviewer)
                returned = model.returned - before
                lost |= returned - _present(result)
                by_path = {f.path: f for f in files}
                comments += len(result.comments)
                invalid += sum(comment_problem(c, by_path) is not None for c in result.comments)
        finally:
            await reviewer.aclose()
        elapsed = time.perf_counter() - started
    total = len(model.returned)
    print(f"diffs reviewed:            {args.diffs}")
    print(
        f"model requests:            {model.stats['requests']} (injected 529/429: "
        f"{model.stats['injected failures']}, repair requests: {model.stats['repair requests']})"
    )
    for key in sorted(k for k in model.stats if ":" in k):
        print(f"  {key:<27}{model.stats[key]}")
    print(f"findings the model returned: {total}")
    print(f"lost findings:             {len(lost)} ({len(lost) / max(total, 1):.2%}; target 0)")
    print(f"comments:                  {comments}")
    print(f"invalid comments:          {invalid} (target 0)")
    print(f"elapsed:                   {elapsed:.1f} s")
    if args.show_lost:
        for fid in sorted(lost):
            print(f"lost [F{fid:05d}]:", *model.sent.get(fid, []), sep="\n  ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diffs", type=int, default=80)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--fail-rate", type=float, default=0.2)
    parser.add_argument("--show-lost", action="store_true", help="print what was lost")
    asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    main()

"""Benchmark the model review of a large PR: 12 requests against the loopback emulator.

Prints the wall time against the ideal ceil(12 / concurrency) * latency (target: at most
1.3x), the input tokens per changed line reviewed, and the cache-read tokens of every request
after the first (they must be > 0: the shared prefix is long enough to be cached).

    python bench/bench_model.py [--concurrency N] [--latency SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import anthropic  # noqa: E402

from bot.config import RepoConfig, Settings  # noqa: E402
from bot.diff import parse_patch  # noqa: E402
from bot.llm.client import ModelOutcome, ModelReviewer, ModelWork  # noqa: E402
from bot.models import FileDiff, FileReport  # noqa: E402
from tests.emulators.anthropic import AnthropicEmulator  # noqa: E402

REQUESTS = 12
KINDS = ("migration", "api", "query")


def _handler_file(index: int) -> FileDiff:
    """A modified module with 6 hunks of realistic handler code: 3 context, 1 removed, 8 added."""
    out = []
    shift = 0
    for h in range(6):
        start = 20 + h * 60
        out.append(f"@@ -{start},4 +{start + shift},11 @@ def handler_{h}(request):\n")
        out += [
            f"     payload = await request.json()  # step {h}\n",
            "     user = await auth.current_user(request)\n",
            f'     log.info("handler_{h}", user=user.id)\n',
            f'-    rows = db.fetch_all("SELECT * FROM items_{index}")\n',
            '+    limit = min(int(request.query.get("limit", 50)), 200)\n',
            '+    cursor = request.query.get("cursor")\n',
            "+    query = select(Item).where(Item.owner_id == user.id)\n",
            "+    if cursor is not None:\n",
            "+        query = query.where(Item.id > decode_cursor(cursor))\n",
            "+    rows = await db.fetch_all(query.order_by(Item.id).limit(limit + 1))\n",
            "+    items = [ItemOut.from_row(r) for r in rows[:limit]]\n",
            "+    return page(items, more=len(rows) > limit)\n",
        ]
        shift += 7
    kind = KINDS[index % 3]
    folder = {"migration": "migrations/versions", "api": "app/api", "query": "app/repositories"}[
        kind
    ]
    return parse_patch(f"{folder}/module_{index:02}.py", "".join(out))


def _work() -> ModelWork:
    files = [_handler_file(i) for i in range(REQUESTS)]
    pairs = [
        (
            f,
            FileReport(
                path=f.path, status=f.status, categories=(KINDS[i % 3],), reasons=("bench",)
            ),
        )
        for i, f in enumerate(files)
    ]
    return ModelWork(files=pairs, title="Cursor pagination everywhere", description="Bench PR.")


async def _run(url: str, concurrency: int, config: RepoConfig) -> tuple[float, ModelOutcome]:
    client = anthropic.AsyncAnthropic(api_key="bench-key", base_url=url, max_retries=0, timeout=60)
    reviewer = ModelReviewer(
        client, model="claude-sonnet-5-5", max_tokens=8000, concurrency=concurrency
    )
    try:
        started = time.perf_counter()
        outcome = await reviewer.review(_work(), config=config)
        return time.perf_counter() - started, outcome
    finally:
        await reviewer.aclose()


def main() -> int:
    default = Settings.model_fields["concurrency"].default
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=default)
    parser.add_argument("--latency", type=float, default=2.0)
    args = parser.parse_args()
    # Each bench file is ~1,900 estimated tokens: a 7,000-token request holds the ~4,400-token
    # shared prefix and framing plus exactly one file, so the PR becomes 12 requests.
    config = RepoConfig(max_tokens_per_request=7_000)
    work = _work()
    changed = sum(f.additions + f.deletions for f, _ in work.files)
    with AnthropicEmulator(latency=args.latency) as emulator:
        wall, outcome = asyncio.run(_run(emulator.url, args.concurrency, config))
        sent = emulator.message_requests()
    usage = outcome.usage
    if len(sent) != REQUESTS or outcome.status != "ok":
        print(f"expected {REQUESTS} successful requests, got {len(sent)}: {outcome.notes}")
        return 1
    ideal = math.ceil(REQUESTS / args.concurrency) * args.latency
    total_in = (
        usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens
    )
    reads = [r["cache_read_input_tokens"] for r in usage.per_request]
    print(
        f"requests:            {len(sent)} (concurrency {args.concurrency}, {args.latency:g} s latency each)"
    )
    print(f"wall time:           {wall:.2f} s")
    print(
        f"ideal:               ceil({REQUESTS}/{args.concurrency}) * {args.latency:g} s = {ideal:.2f} s"
    )
    print(
        f"ratio:               {wall / ideal:.3f} (target <= 1.3) {'OK' if wall / ideal <= 1.3 else 'OVER'}"
    )
    print(f"changed lines:       {changed}")
    print(
        f"input tokens:        {total_in} (uncached {usage.input_tokens}, cache write "
        f"{usage.cache_creation_input_tokens}, cache read {usage.cache_read_input_tokens})"
    )
    print(
        f"input tokens/line:   {total_in / changed:.1f} (uncached only: {usage.input_tokens / changed:.1f})"
    )
    print(f"cache reads after the first (completion order): {reads[1:]}")
    print(f"all > 0:             {all(r > 0 for r in reads[1:])}")
    print(f"estimated cost:      ${usage.cost_usd:.4f}")
    return 0 if wall / ideal <= 1.3 and all(r > 0 for r in reads[1:]) else 1


if __name__ == "__main__":
    sys.exit(main())

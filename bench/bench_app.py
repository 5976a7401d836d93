"""GitHub App benchmark, in one run:

1. Webhook acknowledgement latency: 1,000 signed `pull_request` deliveries (about 25 KB each,
   like GitHub's) from 16 threads on keep-alive connections to `backend-review serve` on the
   embedded SQLite queue (`--workers 0`: the receiver's own figure). Target: p99 <= 50 ms.
2. Reviews per minute with 1, 2 and 4 `backend-review worker` processes on a real
   redis-server, against the GitHub and Anthropic emulators with a fixed model latency.
   Target: 4 workers >= 3.2 x one.

    python bench/bench_app.py [--deliveries 1000] [--threads 16] [--latency 2.0] [--reviews 12]

Needs redis-server on PATH (Debian: apt-get install redis-server).
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app.signature import sign
from tests.action_support import BASE, NAME, OWNER
from tests.app_support import (
    SECRET,
    app_env,
    deliver,
    free_port,
    install_app,
    make_key,
    pr_payload,
    start,
    wait_for,
)
from tests.emulators.anthropic import AnthropicEmulator
from tests.emulators.github import GitHubEmulator

MIGRATION = {
    "filename": "migrations/0002_status.sql",
    "status": "added",
    "patch": "@@ -0,0 +1,3 @@\n+ALTER TABLE orders ADD COLUMN status text NOT NULL;\n"
    "+CREATE INDEX orders_status ON orders (status);\n+SELECT * FROM orders WHERE status = 'x';",
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ack_latency(tmp: Path, gh: GitHubEmulator, deliveries: int, threads: int) -> None:
    key = make_key()
    env = app_env(tmp, gh, key, f"sqlite:///{tmp / 'queue.db'}")
    # The server's log goes to a file: parsing 1,000 log lines here would slow the clients.
    log = tmp / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", "0", "--workers", "0"],
            env=env, cwd=tmp, stderr=out,
        )  # fmt: skip
    wait_for(lambda: "listening" in log.read_text(), timeout=60)
    url = json.loads(log.read_text().splitlines()[0])["url"]
    host, port = url.removeprefix("http://").split(":")
    payload = pr_payload(1, "b" * 40)
    payload["pull_request"]["body"] = "x" * 23_000  # GitHub's payloads are ~25 KB
    body = json.dumps(payload).encode()
    signature = sign(SECRET.encode(), body)
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def client(count: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine: list[float] = []
        codes: list[int] = []
        for _ in range(count):
            headers = {
                "content-type": "application/json",
                "x-github-event": "pull_request",
                "x-github-delivery": str(uuid.uuid4()),
                "x-hub-signature-256": signature,
            }
            began = time.perf_counter()
            conn.request("POST", "/webhook", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - began) * 1000)
            codes.append(response.status)
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.extend(codes)

    # Warm-up (connections, SQLite pages), not measured.
    for _ in range(20):
        deliver(url, "pull_request", payload)
    per = [deliveries // threads + (1 if i < deliveries % threads else 0) for i in range(threads)]
    began = time.perf_counter()
    workers = [threading.Thread(target=client, args=(n,)) for n in per]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    wall = time.perf_counter() - began
    server.terminate()
    server.wait(30)
    accepted = statuses.count(202)
    print(
        f"== webhook acknowledgement, {deliveries} signed deliveries ({len(body):,} bytes) "
        f"from {threads} threads, SQLite queue"
    )
    print(f"   202 queued: {accepted}/{len(statuses)}; {len(statuses) / wall:,.0f} deliveries/s")
    p99 = percentile(latencies, 99)
    print(
        f"   latency ms: p50 {percentile(latencies, 50):.1f}  p90 {percentile(latencies, 90):.1f}"
        f"  p99 {p99:.1f}  max {max(latencies):.1f}  (target p99 <= 50: "
        f"{'met' if p99 <= 50 else 'NOT met'})"
    )


def reviews_per_minute(
    tmp: Path,
    gh: GitHubEmulator,
    claude: AnthropicEmulator,
    workers: int,
    reviews: int,
    redis_url: str,
    key: Any,
    round_no: int,
) -> float:
    """Time `reviews` pull requests through the queue with `workers` warm worker processes."""
    env = app_env(
        tmp,
        gh,
        key,
        redis_url,
        ANTHROPIC_API_KEY="sk-bench",
        ANTHROPIC_BASE_URL=claude.url,
        BACKEND_REVIEW_APP_LOCK_TTL="60",
    )
    server = start(["serve", "--port", "0", "--workers", "0"], env, tmp, ready="listening")
    procs = [
        start(["worker", "--concurrency", "1"], env, tmp, ready="workers started")
        for _ in range(workers)
    ]
    base = round_no * 1000

    def jobs() -> int:
        return sum(len(p.logs("job")) for p in procs)

    def run(first: int, count: int) -> float:
        for n in range(first, first + count):
            gh.add_pull(
                OWNER,
                NAME,
                n,
                title=f"Change {n}",
                body=None,
                files=[MIGRATION],
                head_sha=f"{n:040x}",
                base_sha=BASE,
            )
        done_before = jobs()
        began = time.perf_counter()
        for n in range(first, first + count):
            deliver(server.url, "pull_request", pr_payload(n, f"{n:040x}"))
        wait_for(lambda: jobs() >= done_before + count, timeout=600, interval=0.02)
        return time.perf_counter() - began

    run(base + 1, workers * 2)  # warm-up: every worker's first jobs load what they need
    elapsed = run(base + 100, reviews)
    outcomes = [j["outcome"] for p in procs for j in p.logs("job")]
    for p in procs:
        p.stop()
    server.stop()
    assert set(outcomes) == {"done"}, outcomes
    return reviews / elapsed * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--latency", type=float, default=2.0, help="model latency, seconds")
    parser.add_argument("--reviews", type=int, default=12, help="reviews timed per round")
    args = parser.parse_args()
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("bench_app: redis-server is not installed (apt-get install redis-server)")
    with (
        tempfile.TemporaryDirectory() as name,
        GitHubEmulator() as gh,
        AnthropicEmulator() as claude,
    ):
        tmp = Path(name)
        ack_latency(tmp, gh, args.deliveries, args.threads)
        port = free_port()
        redis = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            time.sleep(0.5)
            key = make_key()
            gh.add_repo(OWNER, NAME)
            install_app(gh, key, [f"{OWNER}/{NAME}"])
            claude.latency = args.latency
            print(
                f"== reviews per minute, redis-server, model latency {args.latency:.1f} s, "
                f"{args.reviews} reviews per round (after a warm-up)"
            )
            rates = {}
            for i, n in enumerate((1, 2, 4)):
                rates[n] = reviews_per_minute(
                    tmp, gh, claude, n, args.reviews, f"redis://127.0.0.1:{port}/{i}", key, i + 1
                )
                print(f"   {n} worker(s): {rates[n]:.1f} reviews/min ({rates[n] / rates[1]:.2f}x)")
            ratio = rates[4] / rates[1]
            print(
                f"   4 workers / 1 worker: {ratio:.2f}x (target >= 3.2: "
                f"{'met' if ratio >= 3.2 else 'NOT met'})"
            )
        finally:
            redis.terminate()
            redis.wait(10)


if __name__ == "__main__":
    main()

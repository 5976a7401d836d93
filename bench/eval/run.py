"""Measure what the review finds: run every case through the full review and score it.

    python bench/eval/run.py [--model ID] [--concurrency N] [--cases GLOB] [--json]
                             [--emulator] [--answers scripted|expected|empty]

Each case goes through the same path as `backend-review review`: the diff is parsed, a
ReviewRequest is built (with the case's title and description) and `review_with_settings` runs
the static checks and the model. With ANTHROPIC_API_KEY set (or BACKEND_REVIEW_PROVIDER=bedrock
or vertex) the real API answers; otherwise, or with --emulator, each case gets its own loopback
Messages API emulator answering with the case's scripted answer.

Prints per case and in total: recall, precision, findings per case, tokens, cost and wall time;
the last line is `eval recall R precision P cost $C (cases N, model M)`. With --json the JSON
document goes to stdout and the text report to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.eval.cases import Case, CaseError, load_cases  # noqa: E402
from bench.eval.emulate import Mode, answer_for, responder  # noqa: E402
from bench.eval.match import score  # noqa: E402
from bench.eval.report import CaseRun, render_json, render_text, totals  # noqa: E402
from bot.config import RepoConfig, Settings, load_settings  # noqa: E402
from bot.diff import parse_diff  # noqa: E402
from bot.errors import BackendReviewError  # noqa: E402
from bot.review.result import ReviewRequest  # noqa: E402
from bot.review.runner import review_with_settings  # noqa: E402

EMULATOR_KEY = "eval-emulator-key"


def emulator_settings(base: Settings, url: str) -> Settings:
    """The run's settings pointed at one case's emulator, with a stand-in key."""
    from pydantic import SecretStr

    return base.model_copy(
        update={
            "anthropic_api_key": SecretStr(EMULATOR_KEY),
            "anthropic_base_url": url,
            "provider": "anthropic",
            "model_retries": 0,
        }
    )


async def _review(case: Case, settings: Settings) -> CaseRun:
    files = parse_diff(case.diff)
    request = ReviewRequest(files=files, title=case.title, description=case.description)
    started = time.perf_counter()
    result = await review_with_settings(request, config=case.config, settings=settings)
    wall = time.perf_counter() - started
    return CaseRun(
        case=case,
        score=score(result.findings, case.problems, case.noise),
        usage=result.usage,
        wall_s=wall,
        model_status=result.model_status,
        notes=list(result.model_notes),
    )


async def run_case(case: Case, *, settings: Settings, emulate: Mode | None) -> CaseRun:
    """Review one case against the real API (emulate=None) or its own emulator."""
    if emulate is None:
        return await _review(case, settings)
    from tests.emulators.anthropic import AnthropicEmulator

    answer = answer_for(case, parse_diff(case.diff), emulate)
    with AnthropicEmulator() as emulator:
        emulator.responder = responder(answer)
        return await _review(case, emulator_settings(settings, emulator.url))


async def run_all(
    cases: list[Case],
    *,
    settings: Settings,
    emulate: Mode | None,
    concurrency: int,
) -> list[CaseRun]:
    gate = asyncio.Semaphore(concurrency)

    async def one(case: Case) -> CaseRun:
        async with gate:
            return await run_case(case, settings=settings, emulate=emulate)

    return list(await asyncio.gather(*(one(c) for c in cases)))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="Claude model id (default: the reviewer's default)")
    parser.add_argument("--concurrency", type=int, default=4, help="cases reviewed at once")
    parser.add_argument("--cases", default="*", help="glob of case folder names")
    parser.add_argument("--json", action="store_true", help="JSON on stdout, text on stderr")
    parser.add_argument("--emulator", action="store_true", help="use the emulator even with a key")
    parser.add_argument(
        "--answers",
        choices=("scripted", "expected", "empty"),
        default="scripted",
        help="emulator answers: answer.yml or the expected problems, exactly those, or none",
    )
    return parser


def evaluate(argv: list[str] | None = None) -> tuple[dict[str, Any], str]:
    """Run the evaluation; (JSON document, text report). Raises CaseError, BackendReviewError."""
    args = _parser().parse_args(argv)
    if args.concurrency < 1:
        raise CaseError("--concurrency must be at least 1")
    cases = load_cases(args.cases)
    if not cases:
        raise CaseError(f"no case matches {args.cases!r}")
    overrides = {"model": args.model} if args.model else {}
    settings = load_settings(**overrides)
    real = settings.has_model_credentials() and not args.emulator
    emulate: Mode | None = None if real else args.answers
    mode = "api" if real else f"emulator ({args.answers} answers)"
    model = settings.model_for(RepoConfig())
    started = time.perf_counter()
    runs = asyncio.run(
        run_all(cases, settings=settings, emulate=emulate, concurrency=args.concurrency)
    )
    t = totals(runs, time.perf_counter() - started)
    return render_json(runs, t, model=model, mode=mode), render_text(
        runs, t, model=model, mode=mode
    )


def main(argv: list[str] | None = None) -> int:
    as_json = "--json" in (argv if argv is not None else sys.argv[1:])
    try:
        document, text = evaluate(argv)
    except (CaseError, BackendReviewError) as exc:
        print(f"eval: error: {exc}", file=sys.stderr)
        return 2
    if as_json:
        sys.stderr.write(text)
        print(json.dumps(document, indent=2))
    else:
        sys.stdout.write(text)
    failed = [c["name"] for c in document["cases"] if c["model_status"] not in ("ok", "skipped")]
    return 3 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Entry point: `backend-review review` (local) and `backend-review action` (GitHub).

Reads arguments, the environment and files; builds clients; maps errors to exit codes.
The SDKs are imported lazily so that --help, --version and bad-input errors are instant.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import NoReturn

from bot import __version__
from bot.errors import (
    EXIT_BAD_INPUT,
    BackendReviewError,
    BadInputError,
)
from bot.models import ContentSource


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line and exit code 2, like every other bad input."""
        self.exit(EXIT_BAD_INPUT, f"backend-review: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="backend-review",
        description="Review the backend side of a change: API, migrations and queries.",
    )
    parser.add_argument("--version", action="version", version=f"backend-review {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    review = sub.add_parser("review", help="review a diff file, stdin or a local git range")
    review.add_argument("diff", nargs="?", help="a unified diff file, or - for stdin")
    review.add_argument("--base", help="review the local git range BASE...HEAD instead of a file")
    review.add_argument("--head", help="head of the range (default: HEAD)")
    review.add_argument("--repo", default=".", help="git repository for --base/--head")
    review.add_argument(
        "--format", choices=("text", "json", "markdown", "sarif", "rdjson"), default="text"
    )
    review.add_argument("--no-llm", action="store_true", help="run the deterministic checks only")
    review.add_argument("--config", help="configuration file (default: .github/backend-review.yml)")
    review.add_argument("--output", help="write the report to this file instead of stdout")
    review.add_argument("--sarif-output", metavar="FILE", help="also write SARIF to this file")
    review.add_argument("--quiet", action="store_true", help="no progress or notes on stderr")
    review.add_argument(
        "--fail-on",
        choices=("critical", "high", "medium", "low", "info"),
        help="exit 1 when a finding reaches this severity",
    )
    action = sub.add_parser("action", help="run as a GitHub Action (reads GITHUB_* variables)")
    action.add_argument("--dry-run", action="store_true", help="print what would be sent")
    serve = sub.add_parser("serve", help="run the GitHub App's webhook server (and workers)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port (0: any free port)")
    serve.add_argument(
        "--workers", type=int, default=2, help="job threads in this process (0: only receive)"
    )
    worker = sub.add_parser("worker", help="run GitHub App jobs from the (Redis) queue")
    worker.add_argument("--concurrency", type=int, default=2, help="job threads")
    worker.add_argument("--metrics-port", type=int, help="serve Prometheus metrics on this port")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "review":
            return _review(args)
        if args.command in ("serve", "worker"):
            return _app(args)
        from bot.action.main import run_action

        return run_action(dry_run=args.dry_run, environ=dict(os.environ))
    except BackendReviewError as exc:
        print(f"backend-review: error: {_without_secrets(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _without_secrets(message: str) -> str:
    """An error may quote the input (a bad diff line): no credential in it reaches the log."""
    from bot.checks.secrets.redact import redact_text

    return redact_text(message)


def _app(args: argparse.Namespace) -> int:
    from bot.app import main as app

    if args.command == "serve":
        if args.workers < 0 or not 0 <= args.port <= 65535:
            raise BadInputError("--workers must be 0 or more and --port 0-65535")
        return app.serve(host=args.host, port=args.port, workers=args.workers)
    if args.concurrency < 1:
        raise BadInputError("--concurrency must be 1 or more")
    return app.worker(concurrency=args.concurrency, metrics_port=args.metrics_port)


def _read_diff(args: argparse.Namespace) -> tuple[bytes, ContentSource | None]:
    from bot.local.git import GitSource, range_diff

    if args.base:
        if args.diff:
            raise BadInputError("give either a DIFF file or --base/--head, not both")
        repo = Path(args.repo)
        return range_diff(repo, args.base, args.head), GitSource.for_range(
            repo, args.base, args.head
        )
    if args.head:
        raise BadInputError("--head needs --base")
    if not args.diff:
        raise BadInputError("nothing to review: give a DIFF file, - for stdin, or --base REF")
    if args.diff == "-":
        return sys.stdin.buffer.read(), None
    try:
        return Path(args.diff).read_bytes(), None
    except FileNotFoundError:
        raise BadInputError(f"{args.diff}: no such file") from None
    except IsADirectoryError:
        raise BadInputError(f"{args.diff}: is a directory, not a diff file") from None
    except OSError as exc:
        raise BadInputError(f"{args.diff}: cannot read: {exc.strerror}") from None


def _review(args: argparse.Namespace) -> int:
    from bot.config import DEFAULT_CONFIG_PATH, load_repo_config, load_settings
    from bot.diff import parse_diff
    from bot.local.output import to_json, to_text, to_tool_format
    from bot.local.progress import StderrProgress
    from bot.review.render import render_job_summary
    from bot.review.result import ReviewRequest
    from bot.review.runner import exit_code, review_with_settings

    data, source = _read_diff(args)
    files = parse_diff(data)
    if args.config:
        config = load_repo_config(Path(args.config), required=True)
    else:
        config = load_repo_config(Path(args.repo) / DEFAULT_CONFIG_PATH)
    settings = load_settings()
    progress = None if args.quiet else StderrProgress(sys.stderr, tty=sys.stderr.isatty())
    try:
        result = asyncio.run(
            review_with_settings(
                ReviewRequest(files=files, source=source),
                config=config,
                settings=settings,
                no_llm=args.no_llm,
                progress=progress,
            )
        )
    finally:
        if progress is not None:
            progress.close()
    if result.model_status == "skipped" and args.format == "text" and not args.quiet:
        print("backend-review: " + " ".join(result.model_notes), file=sys.stderr)
    if args.format == "json":
        text = to_json(result)
    elif args.format in ("sarif", "rdjson"):
        text = to_tool_format(args.format, result, files)
    elif args.format == "markdown":
        text = render_job_summary(result)  # every finding: nothing is posted inline locally
    else:
        colour = args.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = to_text(result, colour=colour)
    _write(text, args.output)
    if args.sarif_output:
        _write(to_tool_format("sarif", result, files), args.sarif_output)
    return exit_code(result, args.fail_on or settings.fail_on or config.fail_on)


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInputError(f"{output}: cannot write: {exc.strerror}") from None


if __name__ == "__main__":
    sys.exit(main())

"""The model review: plan requests, send them concurrently, validate, retry once. I/O.

The `anthropic` SDK is imported lazily (it costs over a second), only when a client is built.
A failed request never fails the review: its files are listed as unseen, the notes say why,
and the status becomes "partial" (some requests failed) or "failed" (all did).
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.config import PathInstruction, RepoConfig, Settings
from bot.errors import BackendReviewError, ModelError
from bot.llm.answer import Answer, parse_reply
from bot.llm.budget import (
    USAGE_FIELDS,
    Batch,
    Plan,
    add_context,
    mark_changed,
    paths_needing_context,
    plan_requests,
    total_usage,
)
from bot.llm.progress import Progress, Tracker
from bot.llm.prompt import (
    Prefix,
    PromptSizer,
    Redactor,
    build_prefix,
    build_request,
    framing_tokens,
    keep_lines,
    matching_instructions,
)
from bot.llm.repair import Settled, repair_notes, repair_text, retry_messages, retry_text, settle
from bot.models import (
    ContentSource,
    FileDiff,
    FileReport,
    Finding,
    LineScope,
    ModelStatus,
    Usage,
)

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic, AsyncAnthropicBedrock, AsyncAnthropicVertex
    from anthropic.types import Message

    Client = AsyncAnthropic | AsyncAnthropicBedrock | AsyncAnthropicVertex

READ_CONCURRENCY = 8  # file reads for nearby code (git or the contents API) in flight at once
_SIZER = PromptSizer()


@dataclass(frozen=True)
class ModelWork:
    """What the model reviews: the reviewed files, static hints, the PR's words, file texts."""

    files: Sequence[tuple[FileDiff, FileReport]]
    static: Sequence[Finding] = ()
    title: str | None = None
    description: str | None = None
    source: ContentSource | None = None
    scope: LineScope | None = None  # incremental review: the lines it may comment on
    # Replaces credentials in every text that goes to the model (bot.review.pipeline passes
    # the secret scanner's; the model layer cannot import the checks).
    redact: Redactor = keep_lines


@dataclass
class ModelOutcome:
    status: ModelStatus
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unseen: list[tuple[str, str]] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    summaries: list[str] = field(default_factory=list)


@dataclass
class _Result:
    """One request's outcome: findings kept, notes, or why it failed."""

    batch: Batch
    label: str
    findings: list[Finding] = field(default_factory=list)
    summary: str = ""
    notes: list[str] = field(default_factory=list)
    index: int = 0
    failed: str | None = None


@dataclass(frozen=True)
class _Shared:
    """Per-review inputs every request uses."""

    prefix: Prefix
    rules: Sequence[PathInstruction]
    title: str | None
    description: str | None
    total: int
    files: dict[str, FileDiff] = field(default_factory=dict)  # every reviewed file, by path
    redact: Redactor = keep_lines
    calls: list[dict[str, int]] = field(default_factory=list)  # usage, in completion order


def _blocks(message: Message) -> list[dict[str, Any]]:
    """The reply's text and tool_use blocks as plain dicts, fit to send back as the assistant."""
    out: list[dict[str, Any]] = []
    for block in message.content:
        if block.type == "text":
            out.append({"type": "text", "text": block.text})
        elif block.type == "tool_use":
            out.append(
                {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
            )
    return out


def _usage(message: Message, *, request: int, attempt: int) -> dict[str, int]:
    counts = {name: int(getattr(message.usage, name, 0) or 0) for name in USAGE_FIELDS}
    return {"request": request, "attempt": attempt, **counts}


def _describe_error(exc: Exception, client: Any) -> str:
    """One line on what failed, without anything secret (the SDK's messages hold no key)."""
    import anthropic

    retries = getattr(client, "max_retries", 0)
    after = f" after {retries} retr{'y' if retries == 1 else 'ies'}" if retries else ""
    if isinstance(exc, anthropic.APITimeoutError):
        return f"timed out (no answer within {getattr(client, 'timeout', '?')} s){after}"
    if isinstance(exc, anthropic.APIConnectionError):
        return f"could not connect to the model API{after}"
    if isinstance(exc, anthropic.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else {}
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        kind = error.get("type", "error") if isinstance(error, dict) else "error"
        message = str(error.get("message", "")) if isinstance(error, dict) else ""
        return f"HTTP {exc.status_code} {kind}{after}: {message[:200]}".rstrip(": ")
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"


class ModelReviewer:
    """Reviews the backend files of a change with Claude, given an async Anthropic client."""

    progress: Progress | None = None  # told as requests are planned and finish

    def __init__(self, client: Client, *, model: str, max_tokens: int, concurrency: int) -> None:
        self.client = client
        self.model = model
        self.max_tokens = max_tokens
        self.concurrency = max(1, concurrency)

    async def aclose(self) -> None:
        await self.client.close()

    async def review(self, work: ModelWork, *, config: RepoConfig) -> ModelOutcome:
        """Plan, send every request (at most `concurrency` at once), and gather the results."""
        if not work.files:
            return ModelOutcome(status="skipped", notes=["Model review skipped: no backend files."])
        kinds = {k for _, report in work.files for k in report.categories}
        prefix = build_prefix(kinds=kinds, instructions=config.instructions)
        rules = matching_instructions([f.path for f, _ in work.files], config.path_instructions)
        fixed = prefix.tokens + framing_tokens(
            title=work.title, description=work.description, path_instructions=rules
        )
        plan = plan_requests(
            work.files,
            work.static,
            sizer=_SIZER,
            request_fixed=fixed,
            per_request=config.max_tokens_per_request,
            per_review=config.max_tokens_per_review,
        )
        plan = mark_changed(await self._with_context(plan, work.source), work.scope, sizer=_SIZER)
        shared = _Shared(
            prefix,
            rules,
            work.title,
            work.description,
            len(plan.batches),
            files={f.path: f for f, _ in work.files},
            redact=work.redact,
        )
        limit = asyncio.Semaphore(self.concurrency)
        track = Tracker(self.progress, shared.total, config.price_for(self.model), shared.calls)

        async def bounded(index: int, batch: Batch) -> _Result:
            async with limit:
                try:
                    result = await self._request(index, batch, shared)
                except Exception as exc:  # one broken request must never sink the others
                    failed = _describe_error(exc, self.client)
                    result = _Result(batch=batch, label=f"Model request {index}", failed=failed)
            track.finished(result.label, result.failed)
            return result

        results = await asyncio.gather(
            *(bounded(i, b) for i, b in enumerate(plan.batches, start=1))
        )
        return self._outcome(plan, results, config, shared.calls)

    async def _with_context(self, plan: Plan, source: ContentSource | None) -> Plan:
        """Read the head text of planned files (off the event loop) to show nearby code."""
        if source is None:
            return plan
        limit = asyncio.Semaphore(READ_CONCURRENCY)

        async def read(path: str) -> tuple[str, str | None]:
            async with limit:
                try:
                    return path, await asyncio.to_thread(source.read, path, side="head")
                except (BackendReviewError, OSError):
                    return path, None  # nearby code is a nicety, never a failure

        texts = await asyncio.gather(*(read(p) for p in paths_needing_context(plan)))
        heads = {path: text for path, text in texts if text is not None}
        return add_context(plan, heads, sizer=_SIZER)

    async def _create(self, params: dict[str, Any]) -> Message:
        message: Message = await self.client.messages.create(**params)
        return message

    async def _request(self, index: int, batch: Batch, shared: _Shared) -> _Result:
        """One request and, when its answer has problems, one repair round in the same
        conversation: the valid findings are kept, only the flawed ones are asked about."""
        import anthropic

        files = {p.path: p.file for p in batch.pieces}
        shown = ", ".join(batch.paths[:3]) + (" ..." if len(batch.paths) > 3 else "")
        label = f"Model request {index} of {shared.total} ({shown})"
        result = _Result(batch=batch, label=label, index=index)
        params = build_request(
            batch,
            prefix=shared.prefix,
            model=self.model,
            max_tokens=self.max_tokens,
            title=shared.title,
            description=shared.description,
            path_instructions=shared.rules,
            redact=shared.redact,
        )
        try:
            reply = await self._create(params)
        except (anthropic.AnthropicError, ImportError) as exc:
            result.failed = _describe_error(exc, self.client)
            return result
        shared.calls.append(_usage(reply, request=index, attempt=1))
        if reply.stop_reason == "refusal":
            result.failed = "the model declined to review it (stop_reason refusal)"
            return result
        first = parse_reply(_blocks(reply), reply.stop_reason, files)
        if not first.needs_repair:
            return _settled(result, first, settle(first, None, shared.files))
        text = repair_text(first, files) if first.usable else retry_text(first, files)
        messages = retry_messages(params, _blocks(reply), text)
        second, why = await self._repair({**params, "messages": messages}, result, shared)
        if not first.usable:  # nothing to keep: the second answer is the review
            if second is None or not second.usable:
                reason = why or (second.problems[0] if second else "")
                result.failed = f"no usable answer after one retry ({first.problems[0]}; {reason})"
                return result
            result.notes.append(f"{label}: the first answer was unusable; asked once more.")
            return _settled(result, second, settle(second, None, shared.files))
        settled = settle(first, second if second and second.usable else None, shared.files)
        result.notes += repair_notes(label, first, second, settled, why)
        return _settled(result, first, settled, repair=second)

    async def _repair(
        self, params: dict[str, Any], result: _Result, shared: _Shared
    ) -> tuple[Answer | None, str | None]:
        """The repair round's answer, or None with the reason (failed, refused)."""
        import anthropic

        files = {p.path: p.file for p in result.batch.pieces}
        try:
            reply = await self._create(params)
        except (anthropic.AnthropicError, ImportError) as exc:
            return None, f"the retry failed: {_describe_error(exc, self.client)}"
        shared.calls.append(_usage(reply, request=result.index, attempt=2))
        if reply.stop_reason == "refusal":
            return None, "the model declined the retry"
        return parse_reply(_blocks(reply), reply.stop_reason, files), None

    def _outcome(
        self,
        plan: Plan,
        results: Sequence[_Result],
        config: RepoConfig,
        calls: list[dict[str, int]],
    ) -> ModelOutcome:
        outcome = ModelOutcome(status="ok", notes=list(plan.notes), unseen=list(plan.unseen))
        price = config.price_for(self.model)
        outcome.usage = total_usage(calls, price)
        for result in results:
            outcome.notes += result.notes
            if result.failed is not None:
                outcome.notes.append(f"{result.label} failed: {result.failed}.")
                reason = f"model request failed: {result.failed}"
                outcome.unseen += [
                    (p.path, f"{p.describe()}: {reason}" if p.parts > 1 else reason)
                    for p in result.batch.pieces
                ]
                continue
            outcome.findings += result.findings
            if result.summary:
                outcome.summaries.append(result.summary)
        if price is None and outcome.usage.requests:
            outcome.notes.append(
                f"No price for model {self.model} in `pricing`: cost not estimated."
            )
        failed = sum(1 for r in results if r.failed is not None)
        if not results:
            outcome.status = "skipped"
            outcome.notes.append("Model review skipped: no file could be sent (reasons listed).")
        elif failed:
            outcome.status = "failed" if failed == len(results) else "partial"
        if plan.unseen:
            outcome.notes.append(
                f"{len(plan.unseen)} file part(s) were not sent to the model (listed with reasons)."
            )
        return outcome


def _settled(
    result: _Result, answer: Answer, settled: Settled, *, repair: Answer | None = None
) -> _Result:
    """Take the settled findings and the summary; note what could not be kept at all."""
    result.findings = settled.findings
    result.summary = answer.summary or (repair.summary if repair is not None else "")
    result.notes += [f"{result.label}: dropped {d}." for d in settled.dropped]
    return result


# --------------------------------------------------------------------------- entry points


_EXTRAS = {"bedrock": ("botocore", "bedrock"), "vertex": ("google.auth", "vertex")}


def _require_extra(provider: str) -> None:
    """Fail early, with the install command, when a cloud provider's packages are missing."""
    module, extra = _EXTRAS[provider]
    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # the parent package (google) is missing
        found = False
    if not found:
        raise ModelError(
            f"the {provider} provider needs extra packages: pip install 'backend-review[{extra}]'"
        )


def make_client(settings: Settings) -> Client:
    """The SDK client for the configured provider, with explicit timeout and retries."""
    import anthropic

    common: dict[str, Any] = {
        "timeout": settings.model_timeout,
        "max_retries": settings.model_retries,
    }
    try:
        if settings.provider == "bedrock":
            _require_extra("bedrock")
            return anthropic.AsyncAnthropicBedrock(aws_region=settings.aws_region, **common)
        if settings.provider == "vertex":
            _require_extra("vertex")
            return anthropic.AsyncAnthropicVertex(
                region=settings.vertex_region or anthropic.NOT_GIVEN,
                project_id=settings.vertex_project or anthropic.NOT_GIVEN,
                **common,
            )
    except (ValueError, ImportError, anthropic.AnthropicError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise ModelError(f"cannot set up the {settings.provider} client: {message}") from None
    key = settings.anthropic_api_key
    if key is None or not key.get_secret_value().strip():
        raise ModelError("no ANTHROPIC_API_KEY is set")
    return anthropic.AsyncAnthropic(
        api_key=key.get_secret_value().strip(), base_url=settings.anthropic_base_url, **common
    )


def make_reviewer(settings: Settings, config: RepoConfig) -> ModelReviewer:
    """The reviewer the entry points use: model from settings or the repository's config."""
    return ModelReviewer(
        make_client(settings),
        model=settings.model_for(config),
        max_tokens=settings.max_tokens,
        concurrency=settings.concurrency,
    )

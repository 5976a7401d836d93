"""The webhook receiver, an ASGI app (Starlette): verify, de-duplicate, queue, answer.

GitHub waits 10 seconds for an answer and never retries on its own, so a delivery is only
checked, recorded and queued here (milliseconds); workers do the review.

| answer | when |
| --- | --- |
| 202 `queued` | a delivery that starts a review, recorded and queued |
| 200 `duplicate` | a delivery id seen before (GitHub's redelivery repeats the id) |
| 200 `ignored` | any other event or action, with the reason |
| 400 | no `X-GitHub-Event`/`X-GitHub-Delivery`; a body that is not a JSON object; a bad payload |
| 401 | a missing or wrong `X-Hub-Signature-256` (a SHA-1-only `X-Hub-Signature` included) |
| 413 | a body over 25 MB (GitHub caps payloads at 25 MB) |
| 503 | the queue cannot be reached |
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.app.deliveries import Ignore, Work, route
from bot.app.logs import log
from bot.app.metrics import CONTENT_TYPE, Metrics
from bot.app.queue import Queue
from bot.app.signature import verify
from bot.app.store import Record
from bot.errors import EventError

MAX_BODY = 25 * 1024 * 1024


class Refused(Exception):
    """A delivery answered with an error status before anything was queued."""

    def __init__(self, status: int, outcome: str, reason: str = "") -> None:
        super().__init__(reason)
        self.status = status
        self.outcome = outcome
        self.reason = reason


class Receiver:
    """What the endpoints need: the secret, the queue, the metrics and the job settings."""

    def __init__(
        self, *, secret: bytes, queue: Queue, metrics: Metrics, app_id: int | None, debounce: float
    ) -> None:
        self.secret = secret
        self.queue = queue
        self.metrics = metrics
        self.app_id = app_id
        self.debounce = debounce
        # One writer at a time: SQLite's busy handler sleeps milliseconds when threads collide.
        self._writing = threading.Lock()
        metrics.watch_depth(queue.depth)

    def answer(
        self, status: int, outcome: str, event: str, delivery: str, started: float, **extra: Any
    ) -> JSONResponse:
        """Count and log the delivery (one line each), then answer it."""
        self.metrics.deliveries.labels(event or "-", outcome).inc()
        ms = round((time.perf_counter() - started) * 1000, 2)
        log("delivery", delivery=delivery or None, event=event or None, outcome=outcome,
            status=status, duration_ms=ms, **extra)  # fmt: skip
        return JSONResponse({"status": outcome, **extra}, status_code=status)

    async def webhook(self, request: Request) -> Response:
        started = time.perf_counter()
        event = request.headers.get("x-github-event", "")
        delivery = request.headers.get("x-github-delivery", "")
        try:
            body = await self._verified_body(request)
            work = self._route(event, delivery, body)
        except Refused as no:
            extra = {"reason": no.reason} if no.reason else {}
            return self.answer(no.status, no.outcome, event, delivery, started, **extra)
        if isinstance(work, Ignore):
            return self.answer(200, "ignored", event, delivery, started, reason=work.reason)
        try:
            # In a thread: a commit may wait on fsync (or Redis on the network); the event loop
            # goes on reading other deliveries meanwhile.
            fresh = await run_in_threadpool(self._queue, delivery, event, body, work)
        except Exception as exc:  # redis down, disk full: GitHub shows the failure; redeliver
            why = f"the queue is unreachable ({type(exc).__name__})"
            return self.answer(503, "unavailable", event, delivery, started, reason=why)
        fields = {"repository": work.repository, "pr": work.number, "head": work.head}
        if not fresh:
            return self.answer(200, "duplicate", event, delivery, started, **fields)
        return self.answer(202, "queued", event, delivery, started, **fields)

    async def _verified_body(self, request: Request) -> bytes:
        """The raw body, at most MAX_BODY bytes, signed with our secret."""
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_BODY:
            raise Refused(413, "too_large")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                raise Refused(413, "too_large")
        signature = request.headers.get("x-hub-signature-256")
        if not verify(self.secret, bytes(body), signature):
            why = "no X-Hub-Signature-256 (SHA-1 signatures are not accepted)"
            if signature:
                why = "X-Hub-Signature-256 does not match the body"
            raise Refused(401, "unauthorized", why)
        return bytes(body)

    def _route(self, event: str, delivery: str, body: bytes) -> Work | Ignore:
        """What the verified delivery asks for; anything malformed is a 400."""
        if not event or not delivery:
            raise Refused(400, "bad_request", "X-GitHub-Event and X-GitHub-Delivery are required")
        try:
            payload = json.loads(body)
        except ValueError:
            raise Refused(400, "bad_request", "the body is not JSON") from None
        if not isinstance(payload, dict):
            raise Refused(400, "bad_request", "the body is not a JSON object")
        try:
            return route(event, payload, app_id=self.app_id)
        except EventError as exc:
            raise Refused(400, "bad_request", str(exc)) from None

    def _queue(self, delivery: str, event: str, body: bytes, work: Work) -> bool:
        """Record the delivery (False if its id is known) and queue its job."""
        record = Record(delivery, event, body, work.pr_key, work.head)
        with self._writing:
            if not self.queue.store.accept(record):
                return False
            try:
                self.queue.put(delivery, delay=self.debounce if work.pushed else 0.0)
            except BaseException:
                self.queue.store.forget(delivery)  # not queued: let a redelivery be taken
                raise
        return True

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(self, request: Request) -> Response:
        try:
            await run_in_threadpool(self.queue.store.ping)
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "reason": type(exc).__name__}, 503)
        return JSONResponse({"status": "ready", "queue": self.queue.kind})

    async def metrics_text(self, request: Request) -> Response:
        text = await run_in_threadpool(self.metrics.render)
        return Response(text, media_type=CONTENT_TYPE)


def create_app(receiver: Receiver) -> Starlette:
    return Starlette(
        routes=[
            Route("/webhook", receiver.webhook, methods=["POST"]),
            Route("/healthz", receiver.healthz, methods=["GET"]),
            Route("/readyz", receiver.readyz, methods=["GET"]),
            Route("/metrics", receiver.metrics_text, methods=["GET"]),
        ]
    )

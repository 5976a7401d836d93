"""Loopback emulator of the Anthropic Messages API.

Tests and benchmarks point the real `anthropic` SDK at it (`base_url=emulator.url`), so the SDK's
own HTTP stack, retries, timeouts and response parsing are exercised without any network access.
Answers are scripted with the spec helpers below (`tool_use`, `text`, `error`, `stop`, `delay`,
`raw`, ...), queued with `AnthropicEmulator.enqueue`, or produced by `AnthropicEmulator.responder`.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeAlias
from urllib.parse import urlsplit

CACHE_MIN_TOKENS = 1024
"""Prefixes shorter than this are never cached (the API's minimum for most models)."""

MAX_CACHE_BREAKPOINTS = 4
DEFAULT_FINDINGS: dict[str, Any] = {"summary": "No issues found.", "findings": []}
DEFAULT_TEXT = "No issues found."

ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
"""The status -> error type pairs the real API uses; `error()` fills the type in from these."""


# --------------------------------------------------------------------------- response specs


@dataclass(frozen=True)
class ToolUse:
    """A tool_use content block; `name=None` means "the tool the request forced"."""

    input: dict[str, Any]
    name: str | None = None


@dataclass(frozen=True)
class Text:
    """A text content block."""

    text: str


Block: TypeAlias = ToolUse | Text


@dataclass(frozen=True)
class Reply:
    """A successful message; `stop_reason=None` derives it from the content (tool_use/end_turn)."""

    content: tuple[Block, ...]
    stop_reason: str | None = None


@dataclass(frozen=True)
class ErrorReply:
    """An API error answer in the real `{"type":"error","error":{...}}` shape."""

    status: int
    type: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Delay:
    """Wait `seconds` before answering with `then` (None: whatever the responder answers)."""

    seconds: float
    then: Spec | None = None


@dataclass(frozen=True)
class Raw:
    """Exact status, body bytes and headers, for malformed answers."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Disconnect:
    """Close the connection without answering (the SDK sees a connection error)."""


Spec: TypeAlias = Reply | ToolUse | Text | ErrorReply | Delay | Raw | Disconnect
RequestBody: TypeAlias = dict[str, Any]
Responder: TypeAlias = Callable[[RequestBody], Spec]
Scripted: TypeAlias = Spec | Responder


def tool_use(input: dict[str, Any], name: str | None = None) -> ToolUse:
    """Answer with one tool call; the name defaults to the request's forced tool."""
    return ToolUse(input=input, name=name)


def text(s: str) -> Text:
    """Answer with one text block."""
    return Text(text=s)


def reply(*blocks: Block, stop_reason: str | None = None) -> Reply:
    """Answer with several blocks at once (e.g. text followed by a tool call)."""
    return Reply(content=tuple(blocks), stop_reason=stop_reason)


def error(
    status: int,
    type: str | None = None,
    message: str = "Emulated error.",
    retry_after: str | None = "0",
    headers: dict[str, str] | None = None,
    *,
    retry_after_ms: str | None = "1",
) -> ErrorReply:
    """Answer with an API error.

    `retry-after: 0` is sent by default like the brief asks, but SDK 2.14 treats 0 as "not set" and
    falls back to ~0.5 s of backoff; `retry-after-ms: 1` (read first by the SDK) keeps retries in
    tests instant. Pass `retry_after_ms=None` to exercise the SDK's own backoff.
    """
    extra: dict[str, str] = {}
    if retry_after is not None:
        extra["retry-after"] = retry_after
    if retry_after_ms is not None:
        extra["retry-after-ms"] = retry_after_ms
    extra.update(headers or {})
    kind = type or ERROR_TYPES.get(status, "api_error")
    return ErrorReply(status=status, type=kind, message=message, headers=extra)


def stop(reason: str, content: Block | Sequence[Block] | None = None) -> Reply:
    """Answer with an explicit stop_reason such as `max_tokens` or `refusal`.

    Without content, `max_tokens` yields a truncated call of the forced tool (empty input) and
    any other reason yields no content at all, as a refusal does.
    """
    if content is None:
        blocks: tuple[Block, ...] = (ToolUse(input={}),) if reason == "max_tokens" else ()
    elif isinstance(content, ToolUse | Text):
        blocks = (content,)
    else:
        blocks = tuple(content)
    return Reply(content=blocks, stop_reason=reason)


def delay(seconds: float, then: Spec | None = None) -> Delay:
    """Answer after `seconds`, for timeouts and latency measurements."""
    return Delay(seconds=seconds, then=then)


def raw(status: int, body_bytes: bytes, headers: dict[str, str] | None = None) -> Raw:
    """Answer with exactly these bytes, for malformed-response cases."""
    return Raw(status=status, body=body_bytes, headers=dict(headers or {}))


def disconnect() -> Disconnect:
    """Drop the connection without any answer."""
    return Disconnect()


def default_responder(body: RequestBody) -> Spec:
    """The built-in answer: a clean review from the forced tool, or a short text."""
    if _forced_tool(body) is not None:
        return ToolUse(input=dict(DEFAULT_FINDINGS))
    return Text(text=DEFAULT_TEXT)


# --------------------------------------------------------------------------- token estimate


@dataclass(frozen=True)
class _Segment:
    """One unit of the prompt in cache order, with whether it ends a cacheable prefix."""

    chars: int
    canonical: str
    breakpoint: bool


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _without_cache_control(block: Any) -> Any:
    if isinstance(block, dict):
        return {k: v for k, v in block.items() if k != "cache_control"}
    return block


def _is_breakpoint(block: Any) -> bool:
    if not isinstance(block, dict):
        return False
    control = block.get("cache_control")
    return isinstance(control, dict) and control.get("type") == "ephemeral"


def _block_text(block: Any) -> str:
    """The text a block contributes to the estimate."""
    if isinstance(block, str):
        return block
    if not isinstance(block, dict):
        return _dumps(block)
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind == "tool_use":
        return str(block.get("name", "")) + _dumps(block.get("input", {}))
    if kind == "tool_result":
        inner = block.get("content", "")
        if isinstance(inner, list):
            return "".join(_block_text(item) for item in inner)
        return str(inner)
    return _dumps(_without_cache_control(block))


def _tool_text(tool: Any) -> str:
    return _dumps(_without_cache_control(tool))


def _segment(block: Any, chars_of: Callable[[Any], str], tag: str) -> _Segment:
    return _Segment(
        chars=len(chars_of(block)),
        canonical=tag + _dumps(_without_cache_control(block)),
        breakpoint=_is_breakpoint(block),
    )


def _segments(body: RequestBody) -> list[_Segment]:
    """The prompt in the API's cache order: tools, then system, then messages."""
    tools = body.get("tools") or []
    out = [_segment(tool, _tool_text, "tool:") for tool in tools]
    system = body.get("system")
    system_blocks = [system] if isinstance(system, str) else list(system or [])
    out += [_segment(block, _block_text, "system:") for block in system_blocks]
    for message in body.get("messages") or []:
        role = str(message.get("role", "")) if isinstance(message, dict) else ""
        content = message.get("content", "") if isinstance(message, dict) else message
        blocks = [content] if isinstance(content, str) else list(content or [])
        out += [_segment(block, _block_text, f"{role}:") for block in blocks]
    return out


def _tokens(chars: int) -> int:
    return math.ceil(chars / 4)


def estimate_tokens(body: RequestBody) -> int:
    """Deterministic input estimate: ceil(characters / 4) over tools, system and messages."""
    return _tokens(sum(segment.chars for segment in _segments(body)))


def _breakpoints(body: RequestBody) -> list[tuple[int, str]]:
    """(prefix tokens, prefix hash) for every cache_control block, in prompt order."""
    hasher = hashlib.sha256(str(body.get("model", "")).encode())
    chars = 0
    found: list[tuple[int, str]] = []
    for segment in _segments(body):
        hasher.update(segment.canonical.encode() + b"\x00")
        chars += segment.chars
        if segment.breakpoint:
            found.append((_tokens(chars), hasher.copy().hexdigest()))
    return found


def _output_tokens(blocks: Iterable[dict[str, Any]]) -> int:
    return _tokens(sum(len(_block_text(block)) for block in blocks))


# --------------------------------------------------------------------------- request checks


@dataclass(frozen=True)
class RecordedRequest:
    """What the emulator received: headers have lower-case keys, body is parsed JSON or None."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any


def _forced_tool(body: RequestBody) -> str | None:
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "tool":
        name = choice.get("name")
        return name if isinstance(name, str) else None
    return None


def _tool_names(body: RequestBody) -> list[str]:
    return [str(tool.get("name")) for tool in body.get("tools") or [] if isinstance(tool, dict)]


def _auth_error(headers: dict[str, str]) -> ErrorReply | None:
    """Like the real API: an API key or Bearer token and `anthropic-version` are required."""
    bearer = headers.get("authorization", "")
    has_key = bool(headers.get("x-api-key")) or (
        bearer.lower().startswith("bearer ") and bool(bearer[7:].strip())
    )
    if not has_key:
        return error(401, "authentication_error", "x-api-key header is required")
    if not headers.get("anthropic-version"):
        return error(401, "authentication_error", "anthropic-version header is required")
    return None


def _body_error(body: Any, *, needs_max_tokens: bool) -> ErrorReply | None:
    """The request-shape checks the real API would reject with invalid_request_error."""
    if not isinstance(body, dict):
        return error(400, message="Request body must be a JSON object")
    required = ["model", "messages"] + (["max_tokens"] if needs_max_tokens else [])
    for key in required:
        if key not in body:
            return error(400, message=f"{key}: Field required")
    if not isinstance(body["messages"], list) or not body["messages"]:
        return error(400, message="messages: at least one message is required")
    count = sum(segment.breakpoint for segment in _segments(body))
    if count > MAX_CACHE_BREAKPOINTS:
        return error(
            400,
            message=f"A maximum of {MAX_CACHE_BREAKPOINTS} blocks with cache_control may be "
            f"provided. Found {count}.",
        )
    forced = _forced_tool(body)
    if forced is not None and forced not in _tool_names(body):
        return error(400, message=f"tool_choice: tool '{forced}' not found in tools")
    return None


# --------------------------------------------------------------------------- HTTP plumbing


@dataclass(frozen=True)
class _Wire:
    """A fully rendered HTTP answer."""

    status: int
    headers: dict[str, str]
    body: bytes


def _json_wire(status: int, payload: Any, headers: dict[str, str] | None = None) -> _Wire:
    merged = {"content-type": "application/json", **(headers or {})}
    return _Wire(status=status, headers=merged, body=json.dumps(payload).encode())


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    """Reads a Content-Length or chunked body."""
    if handler.headers.get("transfer-encoding", "").lower() == "chunked":
        parts: list[bytes] = []
        while size := int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16):
            parts.append(handler.rfile.read(size))
            handler.rfile.readline()
        handler.rfile.readline()
        return b"".join(parts)
    length = int(handler.headers.get("content-length") or 0)
    return handler.rfile.read(length) if length else b""


def _parse_json(data: bytes) -> Any:
    try:
        return json.loads(data) if data else None
    except ValueError:
        return None


class _Handler(BaseHTTPRequestHandler):
    """Hands every request to the emulator; HTTP/1.1 so the SDK can keep connections alive."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; no 40 ms stalls
    server: _Server

    def do_POST(self) -> None:
        self.server.emulator._serve(self)

    do_GET = do_POST
    do_PUT = do_POST
    do_DELETE = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `.requests` instead of stderr."""


class _Server(ThreadingHTTPServer):
    """One thread per connection, quiet about clients that hang up (timeouts do that)."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, emulator: AnthropicEmulator) -> None:
        self.emulator = emulator
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that timed out and closed its socket is expected, not a failure."""

    def drop_connections(self) -> None:
        """Unblocks keep-alive handler threads so their sockets close with the server."""
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


# --------------------------------------------------------------------------- the emulator


class AnthropicEmulator:
    """A real HTTP server speaking the Messages API on 127.0.0.1, scriptable and thread safe."""

    def __init__(self, *, latency: float = 0.0, cache_min_tokens: int = CACHE_MIN_TOKENS) -> None:
        self.latency = latency
        self.cache_min_tokens = cache_min_tokens
        self.responder: Responder = default_responder
        self._lock = threading.Lock()
        self._queue: deque[Scripted] = deque()
        self._requests: list[RecordedRequest] = []
        self._cache: set[str] = set()
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    @property
    def url(self) -> str:
        """Base URL for the SDK, e.g. http://127.0.0.1:PORT."""
        if self._server is None:
            raise RuntimeError("AnthropicEmulator is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> AnthropicEmulator:
        """Binds a free loopback port and serves from a daemon thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="anthropic-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving, wakes delayed answers and closes open connections."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.drop_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server, self._thread = None, None

    def __enter__(self) -> AnthropicEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # scripting and inspection

    def enqueue(self, *responses: Scripted) -> None:
        """Queues answers used in FIFO order, one per POST /v1/messages; callables get the body."""
        with self._lock:
            self._queue.extend(responses)

    @property
    def pending(self) -> int:
        """How many scripted answers are still queued (a test can assert all were used)."""
        with self._lock:
            return len(self._queue)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received, in arrival order."""
        with self._lock:
            return list(self._requests)

    def message_requests(self) -> list[RecordedRequest]:
        """Only the POST /v1/messages requests (not count_tokens)."""
        return [r for r in self.requests if r.path == "/v1/messages"]

    def reset(self) -> None:
        """Back to a fresh state: no script, records or cache; default responder, no latency."""
        with self._lock:
            self._queue.clear()
            self._requests.clear()
            self._cache.clear()
        self.responder = default_responder
        self.latency = 0.0

    def usage_for(self, body: RequestBody) -> dict[str, int]:
        """Input-side usage of a request, updating the emulated prompt cache."""
        total = estimate_tokens(body)
        eligible = [bp for bp in _breakpoints(body) if bp[0] >= self.cache_min_tokens]
        if not eligible:
            return _usage(total, creation=0, read=0)
        with self._lock:
            read = max((tokens for tokens, key in eligible if key in self._cache), default=0)
            last_tokens, last_key = eligible[-1]
            creation = 0 if last_key in self._cache else last_tokens - read
            self._cache.update(key for _, key in eligible)
        return _usage(total - read - creation, creation=creation, read=read)

    # request handling

    def _serve(self, handler: _Handler) -> None:
        data = _read_body(handler)
        split = urlsplit(handler.path)
        recorded = RecordedRequest(
            method=handler.command,
            path=split.path,
            query=split.query,
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=_parse_json(data),
        )
        with self._lock:
            self._requests.append(recorded)
        answer = self._answer(recorded)
        if isinstance(answer, Disconnect):
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(handler, answer)

    def _answer(self, request: RecordedRequest) -> _Wire | Disconnect:
        if request.method != "POST" or request.path not in (
            "/v1/messages",
            "/v1/messages/count_tokens",
        ):
            return self._render(error(404, message=f"Not found: {request.path}"), {})
        auth = _auth_error(request.headers)
        if auth is not None:
            return self._render(auth, {})
        counting = request.path.endswith("/count_tokens")
        invalid = _body_error(request.body, needs_max_tokens=not counting)
        if invalid is not None:
            return self._render(invalid, {})
        if counting:
            return _json_wire(200, {"input_tokens": estimate_tokens(request.body)})
        return self._answer_message(request.body)

    def _answer_message(self, body: RequestBody) -> _Wire | Disconnect:
        spec = self._next_spec(body)
        wait = self.latency
        while isinstance(spec, Delay):
            wait += spec.seconds
            spec = spec.then if spec.then is not None else self.responder(body)
        if wait > 0 and self._stopping.wait(wait):
            return Disconnect()
        return self._render(spec, body)

    def _next_spec(self, body: RequestBody) -> Spec:
        with self._lock:
            scripted = self._queue.popleft() if self._queue else None
        if scripted is None:
            return self.responder(body)
        return scripted(body) if callable(scripted) else scripted

    def _render(self, spec: Spec, body: RequestBody) -> _Wire | Disconnect:
        headers = {"request-id": f"req_emu_{next(self._ids):06d}"}
        if isinstance(spec, ErrorReply):
            payload = {"type": "error", "error": {"type": spec.type, "message": spec.message}}
            return _json_wire(spec.status, payload, {**headers, **spec.headers})
        if isinstance(spec, Raw):
            return _Wire(spec.status, {**headers, **spec.headers}, spec.body)
        if isinstance(spec, Disconnect | Delay):
            return Disconnect()
        message = self._message(_as_reply(spec), body)
        if body.get("stream"):
            return _Wire(200, {**headers, "content-type": "text/event-stream"}, _sse(message))
        return _json_wire(200, message, headers)

    def _message(self, spec: Reply, body: RequestBody) -> dict[str, Any]:
        content = [self._block(block, body) for block in spec.content]
        reason = spec.stop_reason or (
            "tool_use" if any(b["type"] == "tool_use" for b in content) else "end_turn"
        )
        usage = self.usage_for(body)
        usage["output_tokens"] = _output_tokens(content)
        return {
            "id": f"msg_emu_{next(self._ids):06d}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", "claude-emulated"),
            "content": content,
            "stop_reason": reason,
            "stop_sequence": None,
            "usage": usage,
        }

    def _block(self, block: Block, body: RequestBody) -> dict[str, Any]:
        if isinstance(block, Text):
            return {"type": "text", "text": block.text}
        name = block.name or _forced_tool(body) or next(iter(_tool_names(body)), "tool")
        return {
            "type": "tool_use",
            "id": f"toolu_emu_{next(self._ids):06d}",
            "name": name,
            "input": block.input,
        }

    def _write(self, handler: _Handler, answer: _Wire) -> None:
        with contextlib.suppress(OSError):
            handler.send_response(answer.status)
            for key, value in answer.headers.items():
                handler.send_header(key, value)
            handler.send_header("content-length", str(len(answer.body)))
            handler.end_headers()
            handler.wfile.write(answer.body)
            handler.wfile.flush()


def _usage(input_tokens: int, *, creation: int, read: int) -> dict[str, int]:
    return {
        "input_tokens": input_tokens,
        "output_tokens": 0,
        "cache_creation_input_tokens": creation,
        "cache_read_input_tokens": read,
    }


def _as_reply(spec: Reply | ToolUse | Text) -> Reply:
    return spec if isinstance(spec, Reply) else Reply(content=(spec,))


def _sse(message: dict[str, Any]) -> bytes:
    """The message as the event stream `stream=True` / `messages.stream()` expect."""
    return b"".join(
        f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in _events(message)
    )


def _events(message: dict[str, Any]) -> Iterator[dict[str, Any]]:
    start = {**message, "content": [], "stop_reason": None, "usage": {**message["usage"]}}
    start["usage"]["output_tokens"] = 1
    yield {"type": "message_start", "message": start}
    for index, block in enumerate(message["content"]):
        if block["type"] == "text":
            opening: dict[str, Any] = {"type": "text", "text": ""}
            delta = {"type": "text_delta", "text": block["text"]}
        else:
            opening = {**block, "input": {}}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
        yield {"type": "content_block_start", "index": index, "content_block": opening}
        yield {"type": "content_block_delta", "index": index, "delta": delta}
        yield {"type": "content_block_stop", "index": index}
    yield {
        "type": "message_delta",
        "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
        "usage": {"output_tokens": message["usage"]["output_tokens"]},
    }
    yield {"type": "message_stop"}

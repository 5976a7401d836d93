"""The Anthropic emulator, driven by the real SDK over real loopback HTTP.

These tests pin the emulator to what the SDK actually accepts and how it reacts (retries, error
classes, timeouts), so tests of the bot built on the emulator exercise realistic behaviour.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest
from anthropic.types import Message, ToolUseBlock

from tests.emulators.anthropic import (
    AnthropicEmulator,
    delay,
    disconnect,
    error,
    estimate_tokens,
    raw,
    reply,
    stop,
    text,
    tool_use,
)

MODEL = "claude-sonnet-4-6"
TOOL: dict[str, Any] = {
    "name": "report_findings",
    "description": "Report review findings.",
    "input_schema": {
        "type": "object",
        "properties": {"summary": {"type": "string"}, "findings": {"type": "array"}},
        "required": ["summary", "findings"],
    },
}
FORCED: dict[str, Any] = {"type": "tool", "name": "report_findings"}
MESSAGES: list[dict[str, Any]] = [{"role": "user", "content": "Review this diff."}]
LONG_SYSTEM = "You review backend pull requests carefully. " * 120  # ~1,300 estimated tokens


@pytest.fixture(scope="module")
def _shared_client(anthropic_server: AnthropicEmulator) -> Iterator[anthropic.Anthropic]:
    """One SDK client for the module: building one costs ~40 ms, more than most tests here."""
    with anthropic.Anthropic(
        api_key="test-key", base_url=anthropic_server.url, max_retries=0, timeout=5
    ) as sdk:
        yield sdk


@pytest.fixture
def client(
    _shared_client: anthropic.Anthropic, anthropic_emulator: AnthropicEmulator
) -> anthropic.Anthropic:
    """A real SDK client without retries (each test states the retries it relies on), on a
    freshly reset emulator."""
    return _shared_client


def _create(sdk: anthropic.Anthropic, **overrides: Any) -> Message:
    params: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 1024,
        "tools": [TOOL],
        "tool_choice": FORCED,
        "messages": MESSAGES,
    }
    params.update(overrides)
    return sdk.messages.create(**params)


def _cached_system(prompt: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": prompt, "cache_control": {"type": "ephemeral"}}]


def _post(url: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """A bare HTTP call, for header combinations the SDK never sends."""
    request = urllib.request.Request(
        url + "/v1/messages", data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as failure:
        with failure:
            return failure.code, json.loads(failure.read())


def test_forced_tool_round_trip(
    client: anthropic.Anthropic, anthropic_emulator: AnthropicEmulator
) -> None:
    message = _create(client)

    assert message.type == "message"
    assert message.role == "assistant"
    assert message.model == MODEL
    assert message.stop_reason == "tool_use"
    block = message.content[0]
    assert isinstance(block, ToolUseBlock)
    assert block.name == "report_findings"
    assert block.input == {"summary": "No issues found.", "findings": []}
    assert message.usage.input_tokens > 0
    assert message.usage.output_tokens > 0


def test_request_is_recorded_with_tools_choice_and_auth(
    client: anthropic.Anthropic, anthropic_emulator: AnthropicEmulator
) -> None:
    _create(client)

    (recorded,) = anthropic_emulator.requests
    assert (recorded.method, recorded.path) == ("POST", "/v1/messages")
    assert recorded.body["tool_choice"] == FORCED
    assert recorded.body["tools"] == [TOOL]
    assert recorded.headers["authorization"] == "Bearer test-key"
    assert recorded.headers["anthropic-version"]


def test_scripted_answers_are_used_in_order(
    client: anthropic.Anthropic, anthropic_emulator: AnthropicEmulator
) -> None:
    anthropic_emulator.enqueue(
        tool_use({"summary": "One issue.", "findings": [{"line": 3}]}),
        reply(text("Thinking..."), tool_use({"summary": "s", "findings": []})),
    )

    first, second, third = (_create(client) for _ in range(3))

    assert first.content[0].input["findings"] == [{"line": 3}]  # type: ignore[union-attr]
    assert [b.type for b in second.content] == ["text", "tool_use"]
    assert third.content[0].input["summary"] == "No issues found."  # type: ignore[union-attr]
    assert anthropic_emulator.pending == 0


def test_text_answer_without_forced_tool(client: anthropic.Anthropic) -> None:
    message = _create(client, tools=[], tool_choice={"type": "auto"})

    assert message.stop_reason == "end_turn"
    assert message.content[0].type == "text"


def test_wrong_tool_name_arrives_as_that_name(
    client: anthropic.Anthropic, anthropic_emulator: AnthropicEmulator
) -> None:
    anthropic_emulator.enqueue(tool_use({"summary": "x"}, name="not_a_tool"))

    block = _create(client).content[0]

    assert isinstance(block, ToolUseBlock)
    assert block.name == "not_a_tool"


def test_responder_can_be_replaced_and_reset_restores_default(
    client: anthropic.Anthropic, anthropic_emulator: AnthropicEmulator
) -> None:
    anthropic_emulator.responder = lambda body: text(f"{len(body['messages'])} message(s)")
    assert _create(client).content[0].text == "1 message(s)"  # type: ignore[union-attr]

    anthropic_emulator.reset()

    assert _create(client).content[0].type == "tool_use"
    assert len(anthropic_emulator.requests) == 1


@pytest.mark.parametrize("reason", ["max_tokens", "refusal"])
def test_stop_reasons_arrive_as_such(
    client: anthropic.Anthropic, anthropic_emulator: AnthropicEmulator, reason: str
) -> None:
    anthropic_emulator.enqueue(stop(reason))

    message = _create(client)

    assert message.stop_reason == reason
    if reason == "max_tokens":
        block = message.content[0]
        assert isinstance(block, ToolUseBlock)
        assert (block.name, block.input) == ("report_findings", {})
    else:
        assert message.content == []


def test_rate_limit_then_success_is_retried(anthropic_emulator: AnthropicEmulator) -> None:
    anthropic_emulator.enqueue(error(429, "rate_limit_error", "Slow down."))

    with anthropic.Anthropic(
        api_key="test-key", base_url=anthropic_emulator.url, max_retries=2, timeout=5
    ) as sdk:
        message = _create(sdk)

    assert message.stop_reason == "tool_use"
    assert len(anthropic_emulator.message_requests()) == 2


def test_overloaded_without_retries_raises_529(
    client: anthropic.Anthropic, anthropic_emulator: AnthropicEmulator
) -> None:
    anthropic_emulator.enqueue(error(529, "overloaded_error", "Overloaded"))

    with pytest.raises(anthropic.InternalServerError) as caught:
        _create(client)

    assert isinstance(caught.value, anthropic.APIStatusError)
    assert caught.value.status_code == 529
    assert caught.value.body == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
    }


@pytest.mark.parametrize(
    ("status", "kind", "exception"),
    [
        (400, "invalid_request_error", anthropic.BadRequestError),
        (401, "authentication_error", anthropic.AuthenticationError),
        (403, "permission_error", anthropic.PermissionDeniedError),
        (404, "not_found_error", anthropic.NotFoundError),
        (413, "request_too_large", anthropic.APIStatusError),
        (429, "rate_limit_error", anthropic.RateLimitError),
        (500, "api_error", anthropic.InternalServerError),
        (529, "overloaded_error", anthropic.InternalServerError),
    ],
)
def test_error_statuses_map_to_sdk_exceptions(
    client: anthropic.Anthropic,
    anthropic_emulator: AnthropicEmulator,
    status: int,
    kind: str,
    exception: type[anthropic.APIStatusError],
) -> None:
    anthropic_emulator.enqueue(error(status))

    with pytest.raises(exception) as caught:
        _create(client)

    assert caught.value.status_code == status
    assert caught.value.body["error"]["type"] == kind  # type: ignore[index]
    assert caught.value.response.headers["retry-after"] == "0"


def test_slow_answer_times_out(anthropic_emulator: AnthropicEmulator) -> None:
    anthropic_emulator.enqueue(delay(0.5))

    with (
        anthropic.Anthropic(
            api_key="test-key", base_url=anthropic_emulator.url, max_retries=0, timeout=0.1
        ) as sdk,
        pytest.raises(anthropic.APITimeoutError),
    ):
        _create(sdk)


def test_malformed_and_dropped_answers(
    client: anthropic.Anthropic, anthropic_emulator: AnthropicEmulator
) -> None:
    anthropic_emulator.enqueue(
        raw(502, b"<html>Bad gateway</html>", {"content-type": "text/html"}), disconnect()
    )

    with pytest.raises(anthropic.InternalServerError) as caught:
        _create(client)
    assert caught.value.status_code == 502
    with pytest.raises(anthropic.APIConnectionError):
        _create(client)


def test_prompt_cache_creation_then_read(client: anthropic.Anthropic) -> None:
    system = _cached_system(LONG_SYSTEM)

    first = _create(client, system=system).usage
    second = _create(client, system=system).usage

    assert first.cache_creation_input_tokens and first.cache_creation_input_tokens >= 1024
    assert first.cache_read_input_tokens == 0
    assert second.cache_creation_input_tokens == 0
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert second.input_tokens == first.input_tokens > 0


def test_prompt_below_threshold_is_not_cached(client: anthropic.Anthropic) -> None:
    system = _cached_system("Short system prompt.")

    usages = [_create(client, system=system).usage for _ in range(2)]

    assert all(u.cache_creation_input_tokens == 0 for u in usages)
    assert all(u.cache_read_input_tokens == 0 for u in usages)


def test_count_tokens_matches_the_usage_estimate(
    client: anthropic.Anthropic, anthropic_emulator: AnthropicEmulator
) -> None:
    params: dict[str, Any] = {
        "model": MODEL,
        "system": LONG_SYSTEM,
        "tools": [TOOL],
        "messages": MESSAGES,
    }

    counted = client.messages.count_tokens(**params)
    usage = _create(client, **params).usage

    assert counted.input_tokens == estimate_tokens(params) == usage.input_tokens
    assert anthropic_emulator.requests[0].path == "/v1/messages/count_tokens"


def test_streaming_yields_the_same_message(
    client: anthropic.Anthropic, anthropic_emulator: AnthropicEmulator
) -> None:
    anthropic_emulator.enqueue(tool_use({"summary": "streamed", "findings": []}))

    with client.messages.stream(
        model=MODEL, max_tokens=1024, tools=[TOOL], tool_choice=FORCED, messages=MESSAGES
    ) as stream:
        message = stream.get_final_message()

    assert message.stop_reason == "tool_use"
    assert message.content[0].input == {"summary": "streamed", "findings": []}  # type: ignore[union-attr]
    assert message.usage.output_tokens > 1


def test_invalid_request_is_rejected(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError):
        _create(client, messages=[])
    with pytest.raises(anthropic.BadRequestError):
        _create(client, tool_choice={"type": "tool", "name": "missing_tool"})


def test_auth_headers_are_checked(anthropic_emulator: AnthropicEmulator) -> None:
    body = {"model": MODEL, "max_tokens": 16, "messages": MESSAGES}
    version = {"anthropic-version": "2023-06-01", "content-type": "application/json"}

    assert _post(anthropic_emulator.url, {**version, "x-api-key": "k"}, body)[0] == 200
    status, payload = _post(anthropic_emulator.url, version, body)
    assert status == 401
    assert payload["error"]["type"] == "authentication_error"
    no_version = {"x-api-key": "k", "content-type": "application/json"}
    assert _post(anthropic_emulator.url, no_version, body)[0] == 401


def test_async_client_is_served_concurrently(anthropic_emulator: AnthropicEmulator) -> None:
    anthropic_emulator.latency = 0.3

    async def run() -> list[Message]:
        async with anthropic.AsyncAnthropic(
            api_key="test-key", base_url=anthropic_emulator.url, max_retries=0, timeout=5
        ) as sdk:
            calls = [
                sdk.messages.create(
                    model=MODEL, max_tokens=64, tools=[TOOL], tool_choice=FORCED, messages=MESSAGES
                )
                for _ in range(12)
            ]
            return await asyncio.gather(*calls)

    started = time.monotonic()
    messages = asyncio.run(run())
    elapsed = time.monotonic() - started

    assert [m.stop_reason for m in messages] == ["tool_use"] * 12
    assert 0.3 <= elapsed < 1.2
    assert len(anthropic_emulator.requests) == 12

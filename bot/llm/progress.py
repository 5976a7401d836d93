"""Progress of the model review, reported through a callback the caller passes in.

The command line draws it on stderr; the Action logs one line per finished request. Nothing
here writes anywhere itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.config import Price
from bot.llm.budget import total_usage


@dataclass(frozen=True)
class RequestDone:
    """How far the model review is: requests finished of planned, and their cost so far.

    `done` is 0 once, when the requests are planned; then one event per finished request."""

    done: int
    planned: int
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    label: str = ""
    failed: str | None = None


Progress = Callable[[RequestDone], None]


def request_done(
    done: int,
    planned: int,
    calls: Sequence[Mapping[str, int]],
    price: Price | None,
    *,
    label: str = "",
    failed: str | None = None,
) -> RequestDone:
    """The event after `done` of `planned` requests, with the usage of every call so far."""
    usage = total_usage(calls, price)
    tokens = usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens
    return RequestDone(
        done=done,
        planned=planned,
        input_tokens=tokens,
        output_tokens=usage.output_tokens,
        cost_usd=usage.cost_usd if price is not None else None,
        label=label,
        failed=failed,
    )


def describe(event: RequestDone) -> str:
    """One line: `model requests 3/12, 41,200 in / 2,900 out tokens, ~$0.16`."""
    if event.done == 0:
        return f"backend-review: {event.planned} model request(s) planned"
    cost = f", ~${event.cost_usd:.2f}" if event.cost_usd is not None else ""
    tail = f" ({event.label} failed: {event.failed})" if event.failed else ""
    return (
        f"backend-review: model requests {event.done}/{event.planned}, "
        f"{event.input_tokens:,} in / {event.output_tokens:,} out tokens{cost}{tail}"
    )


class Tracker:
    """Counts a review's finished requests and tells the callback (when there is one)."""

    def __init__(
        self,
        progress: Progress | None,
        planned: int,
        price: Price | None,
        calls: Sequence[Mapping[str, int]],
    ) -> None:
        self.progress = progress
        self.planned = planned
        self.price = price
        self.calls = calls  # the review's usage records, appended to as calls finish
        self.done = 0
        if progress is not None:
            progress(request_done(0, planned, [], price))

    def finished(self, label: str, failed: str | None) -> None:
        self.done += 1
        if self.progress is not None:
            event = request_done(
                self.done, self.planned, self.calls, self.price, label=label, failed=failed
            )
            self.progress(event)

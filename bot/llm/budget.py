"""Token budgets for the model review: estimates, risk order, and packing files into requests.

Pure. Large pull requests are split by file (and, for a file too big for one request, by hunk or
by slices of a hunk) into requests that fit the per-request budget; the riskiest files go first
(migrations, then API, then query code) so that when the per-review budget runs out, what is
left unseen is the least risky, and it is listed, never silently dropped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from bot.config import Price
from bot.models import (
    BackendKind,
    DiffLine,
    FileDiff,
    FileReport,
    Finding,
    Hunk,
    LineScope,
    Usage,
)

CHARS_PER_TOKEN = 3.5
"""Calibrated on code and diffs: Claude's tokenizer averages 3.3-3.8 characters per token there;
the lower end keeps the estimate on the safe side without a count_tokens round trip."""

MIN_CONTENT_TOKENS = 1_000
"""The least room a request gets for PR content, whatever the configured budget says."""

CONTEXT_LINES = 20
"""Unchanged lines shown above and below each hunk when the file's text is available."""

KIND_RISK: Mapping[BackendKind, int] = {"migration": 0, "api": 1, "query": 2}


def estimate_tokens(text: str) -> int:
    """Input tokens for `text`, rounded up."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def risk_key(file: FileDiff, report: FileReport) -> tuple[int, bool, int, str]:
    """Sort key: migrations, then API, then query code; tests last; bigger changes first."""
    kind = min((KIND_RISK[k] for k in report.categories), default=len(KIND_RISK))
    return (kind, report.is_test, -(file.additions + file.deletions), file.path)


@dataclass(frozen=True)
class Piece:
    """What one request shows of one file: some or all of its hunks, hints and nearby code."""

    file: FileDiff
    report: FileReport
    hunks: tuple[Hunk, ...]
    part: int = 1
    parts: int = 1
    static: tuple[Finding, ...] = ()
    context: tuple[tuple[int, str], ...] = ()  # (new-file line number, text), unchanged lines
    # Incremental review: (new, old) line numbers changed since the last review; None = all.
    changed: tuple[frozenset[int], frozenset[int]] | None = None

    @property
    def path(self) -> str:
        return self.file.path

    @property
    def changed_lines(self) -> int:
        return sum(1 for h in self.hunks for ln in h.lines if ln.kind != " ")

    def describe(self) -> str:
        """`` for a whole file, `part 2 of 3 (lines 120-340)` for a part of a split one."""
        if self.parts == 1:
            return ""
        numbers = [ln.new_no or ln.old_no or 0 for h in self.hunks for ln in h.lines]
        return f"part {self.part} of {self.parts} (lines {min(numbers)}-{max(numbers)})"


class Sizer(Protocol):
    """Token costs of the rendered pieces; rendering is additive, so pieces are sized by parts."""

    def overhead(self, piece: Piece) -> int:
        """Header, categories and static hints of a piece, without its hunks or context."""
        ...

    def hunk_header(self, hunk: Hunk) -> int: ...

    def line(self, line: DiffLine) -> int: ...

    def context(self, lines: Sequence[tuple[int, str]]) -> int: ...


@dataclass(frozen=True)
class Batch:
    """The pieces of one model request and their estimated content tokens."""

    pieces: tuple[Piece, ...]
    content_tokens: int

    @property
    def paths(self) -> list[str]:
        return list(dict.fromkeys(p.path for p in self.pieces))


@dataclass(frozen=True)
class Plan:
    """Requests to send, what will not be seen and why, and the budget figures behind it."""

    batches: tuple[Batch, ...]
    unseen: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    content_budget: int
    request_fixed: int  # prefix + per-request framing, paid by every request
    review_budget: int

    @property
    def total_tokens(self) -> int:
        return sum(self.request_fixed + b.content_tokens for b in self.batches)


def hunk_tokens(hunk: Hunk, sizer: Sizer) -> int:
    return sizer.hunk_header(hunk) + sum(sizer.line(ln) for ln in hunk.lines)


def piece_tokens(piece: Piece, sizer: Sizer) -> int:
    total = sizer.overhead(piece) + sum(hunk_tokens(h, sizer) for h in piece.hunks)
    return total + (sizer.context(piece.context) if piece.context else 0)


def _sub_hunk(hunk: Hunk, lines: Sequence[DiffLine]) -> Hunk:
    """A slice of a hunk, with numbers that start where the slice does."""
    olds = [ln.old_no for ln in lines if ln.old_no is not None]
    news = [ln.new_no for ln in lines if ln.new_no is not None]
    return Hunk(
        old_start=olds[0] if olds else hunk.old_start,
        old_length=len(olds),
        new_start=news[0] if news else hunk.new_start,
        new_length=len(news),
        section=hunk.section,
        lines=tuple(lines),
    )


def slice_hunk(hunk: Hunk, budget: int, sizer: Sizer) -> list[Hunk]:
    """Cut a hunk too big for one request into consecutive slices that each fit `budget`."""
    slices: list[Hunk] = []
    current: list[DiffLine] = []
    used = sizer.hunk_header(hunk)
    for ln in hunk.lines:
        cost = sizer.line(ln)
        if current and used + cost > budget:
            slices.append(_sub_hunk(hunk, current))
            current, used = [], sizer.hunk_header(hunk)
        current.append(ln)
        used += cost
    if current:
        slices.append(_sub_hunk(hunk, current))
    return slices


def _static_for(piece: Piece, static: Sequence[Finding]) -> tuple[Finding, ...]:
    """The static findings whose line lies in this piece's hunks."""
    out = []
    for f in static:
        numbers = {
            (ln.new_no if f.side == "RIGHT" else ln.old_no) for h in piece.hunks for ln in h.lines
        }
        if f.line in numbers:
            out.append(f)
    return tuple(out)


def split_file(
    file: FileDiff,
    report: FileReport,
    static: Sequence[Finding],
    *,
    budget: int,
    sizer: Sizer,
) -> list[Piece]:
    """The file as one piece if it fits `budget`, else as consecutive parts that each fit."""
    whole = Piece(file=file, report=report, hunks=file.hunks, static=tuple(static))
    if piece_tokens(whole, sizer) <= budget:
        return [whole]
    # The largest header a part can have: the part line, and every static hint.
    # (A header that eats most of the budget still leaves half of it for code.)
    room = max(budget - sizer.overhead(replace(whole, part=10**6, parts=10**6)), budget // 2)
    groups: list[list[Hunk]] = []
    used = room + 1  # forces a first group
    for hunk in file.hunks:
        cost = hunk_tokens(hunk, sizer)
        pieces = [hunk] if cost <= room else slice_hunk(hunk, room, sizer)
        for part in pieces:
            part_cost = hunk_tokens(part, sizer)
            if used + part_cost > room:
                groups.append([])
                used = 0
            groups[-1].append(part)
            used += part_cost
    parts = [
        Piece(file=file, report=report, hunks=tuple(g), part=i, parts=len(groups))
        for i, g in enumerate(groups, start=1)
    ]
    parts = [replace(p, static=_static_for(p, static)) for p in parts]
    placed = {f for p in parts for f in p.static}
    leftover = tuple(f for f in static if f not in placed)
    if leftover:  # anchored outside the hunks: show them with the first part
        parts[0] = replace(parts[0], static=parts[0].static + leftover)
    return parts


def _no_diff_reason(file: FileDiff) -> str:
    if file.patch_missing:
        return "no diff text available (binary or too large for the diff)"
    return "no changed lines to review"


def plan_requests(
    files: Sequence[tuple[FileDiff, FileReport]],
    static: Sequence[Finding],
    *,
    sizer: Sizer,
    request_fixed: int,
    per_request: int,
    per_review: int,
) -> Plan:
    """Pack the files, riskiest first, into requests within both budgets.

    `request_fixed` is what every request costs before any file: the cached prefix (tools,
    system prompt, instructions) and the request's framing. Each piece goes into the first
    request with room (first fit), so small files share requests and big ones get their own.
    """
    notes: list[str] = []
    content_budget = per_request - request_fixed
    if content_budget < MIN_CONTENT_TOKENS:
        notes.append(
            f"max_tokens_per_request ({per_request}) leaves less than {MIN_CONTENT_TOKENS} tokens "
            f"after the fixed instructions ({request_fixed} tokens); "
            f"using {MIN_CONTENT_TOKENS} tokens of content per request"
        )
        content_budget = MIN_CONTENT_TOKENS
    by_path: dict[str, list[Finding]] = {}
    for f in static:
        by_path.setdefault(f.path, []).append(f)
    unseen: list[tuple[str, str]] = []
    batches: list[list[Piece]] = []
    sizes: list[int] = []
    spent = 0
    for file, report in sorted(files, key=lambda fr: risk_key(*fr)):
        if not file.hunks:
            unseen.append((file.path, _no_diff_reason(file)))
            continue
        pieces = split_file(
            file, report, by_path.get(file.path, []), budget=content_budget, sizer=sizer
        )
        for piece in pieces:
            cost = piece_tokens(piece, sizer)
            slot = next((i for i, s in enumerate(sizes) if s + cost <= content_budget), None)
            extra = cost if slot is not None else cost + request_fixed
            if spent + extra > per_review:
                unseen.append((piece.path, _budget_reason(piece, per_review)))
                continue
            spent += extra
            if slot is None:
                batches.append([piece])
                sizes.append(cost)
            else:
                batches[slot].append(piece)
                sizes[slot] += cost
    return Plan(
        batches=tuple(Batch(tuple(b), s) for b, s in zip(batches, sizes, strict=True)),
        unseen=tuple(unseen),
        notes=tuple(notes),
        content_budget=content_budget,
        request_fixed=request_fixed,
        review_budget=per_review,
    )


def _budget_reason(piece: Piece, per_review: int) -> str:
    what = f"{piece.describe()} " if piece.parts > 1 else ""
    return (
        f"{what}not sent to the model: the review's token budget "
        f"(max_tokens_per_review={per_review}) was spent on riskier files first"
    )


def context_lines(piece: Piece, head: Sequence[str], *, window: int) -> tuple[tuple[int, str], ...]:
    """Unchanged head lines within `window` lines of the piece's hunks, outside every hunk."""
    changed: set[int] = set()
    for h in piece.file.hunks:
        changed.update(range(h.new_start, h.new_start + max(h.new_length, 1)))
    wanted: set[int] = set()
    for h in piece.hunks:
        end = h.new_start + max(h.new_length, 1) - 1
        wanted.update(range(max(1, h.new_start - window), min(len(head), end + window) + 1))
    return tuple((n, head[n - 1]) for n in sorted(wanted - changed))


def add_context(
    plan: Plan,
    heads: Mapping[str, str],
    *,
    sizer: Sizer,
    window: int = CONTEXT_LINES,
) -> Plan:
    """Show nearby unchanged code for pieces whose file text is known, while budgets allow."""
    spent = plan.total_tokens
    split: dict[str, list[str]] = {}
    batches: list[Batch] = []
    for batch in plan.batches:
        size = batch.content_tokens
        pieces: list[Piece] = []
        for piece in batch.pieces:
            text = heads.get(piece.path)
            if text is not None and piece.path not in split:
                split[piece.path] = text.splitlines()
            lines = context_lines(piece, split[piece.path], window=window) if text else ()
            cost = sizer.context(lines) if lines else 0
            if lines and size + cost <= plan.content_budget and spent + cost <= plan.review_budget:
                piece = replace(piece, context=lines)  # noqa: PLW2901
                size += cost
                spent += cost
            pieces.append(piece)
        batches.append(Batch(tuple(pieces), size))
    return replace(plan, batches=tuple(batches))


def mark_changed(plan: Plan, scope: LineScope | None, *, sizer: Sizer) -> Plan:
    """Incremental review: tell each piece which of its lines changed since the last review
    (the rest of its diff is shown as context reviewed before). The headers' cost is added."""
    if scope is None:
        return plan
    batches: list[Batch] = []
    for batch in plan.batches:
        size = batch.content_tokens
        pieces: list[Piece] = []
        for piece in batch.pieces:
            if not scope.whole(piece.path):
                new = scope.new.get(piece.path) or frozenset()
                marked = replace(piece, changed=(new, scope.old.get(piece.path, frozenset())))
                size += sizer.overhead(marked) - sizer.overhead(piece)
                piece = marked  # noqa: PLW2901
            pieces.append(piece)
        batches.append(Batch(tuple(pieces), size))
    return replace(plan, batches=tuple(batches))


def paths_needing_context(plan: Plan) -> list[str]:
    """Files in the plan whose head text would add something: modified or renamed ones."""
    seen = dict.fromkeys(
        p.path for b in plan.batches for p in b.pieces if p.file.status in ("modified", "renamed")
    )
    return list(seen)


USAGE_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)


def total_usage(per_request: Sequence[Mapping[str, int]], price: Price | None) -> Usage:
    """Tokens summed over every API call of a review, and their cost at `price` (USD/Mtok)."""
    usage = Usage(requests=len(per_request), per_request=[dict(r) for r in per_request])
    usage.input_tokens = sum(r["input_tokens"] for r in per_request)
    usage.output_tokens = sum(r["output_tokens"] for r in per_request)
    usage.cache_creation_input_tokens = sum(r["cache_creation_input_tokens"] for r in per_request)
    usage.cache_read_input_tokens = sum(r["cache_read_input_tokens"] for r in per_request)
    if price is not None:
        usage.cost_usd = (
            usage.input_tokens * price.input
            + usage.output_tokens * price.output
            + usage.cache_creation_input_tokens * price.cache_write
            + usage.cache_read_input_tokens * price.cache_read
        ) / 1_000_000
    return usage

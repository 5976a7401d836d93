"""Token budgets: risk order, packing into requests, splitting big files, nearby code."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import Price
from bot.llm.budget import (
    MIN_CONTENT_TOKENS,
    Piece,
    add_context,
    context_lines,
    estimate_tokens,
    piece_tokens,
    plan_requests,
    risk_key,
    split_file,
    total_usage,
)
from bot.llm.prompt import PromptSizer
from bot.models import FileDiff, Finding
from tests.model_support import modified_file, new_file, report

SIZER = PromptSizer()


def _lines(pieces: list[Piece]) -> Counter[tuple[str, str, int | None, int | None]]:
    return Counter(
        (p.path, ln.kind, ln.old_no, ln.new_no) for p in pieces for h in p.hunks for ln in h.lines
    )


def _all_lines(files: list[FileDiff]) -> Counter[tuple[str, str, int | None, int | None]]:
    return Counter(
        (f.path, ln.kind, ln.old_no, ln.new_no) for f in files for h in f.hunks for ln in h.lines
    )


def test_estimate_rounds_up_at_three_and_a_half_characters() -> None:
    """The estimate is ceil(chars / 3.5): conservative for code, zero for nothing."""
    assert estimate_tokens("") == 0
    assert estimate_tokens("abc") == 1
    assert estimate_tokens("x" * 35) == 10
    assert estimate_tokens("x" * 36) == 11


def test_risk_order_is_migrations_then_api_then_query_and_tests_last() -> None:
    """Migrations come first, then API, then query code; a test file after the real ones."""
    mig, api, query = new_file("m.py", 3), new_file("a.py", 3), new_file("q.py", 3)
    api_test = new_file("t.py", 30)
    ordered = sorted(
        [
            (query, report(query, "query")),
            (api_test, report(api_test, "api", is_test=True)),
            (api, report(api, "api", "query")),
            (mig, report(mig, "migration")),
        ],
        key=lambda fr: risk_key(*fr),
    )
    assert [f.path for f, _ in ordered] == ["m.py", "a.py", "t.py", "q.py"]


def test_small_files_share_one_request() -> None:
    """Files that fit together go into one request, riskiest first."""
    files = [new_file(f"q{i}.py", 5) for i in range(3)] + [new_file("m.py", 5)]
    pairs = [(f, report(f, "migration" if f.path == "m.py" else "query")) for f in files]
    plan = plan_requests(
        pairs, [], sizer=SIZER, request_fixed=3000, per_request=60_000, per_review=400_000
    )
    assert len(plan.batches) == 1
    assert plan.batches[0].pieces[0].path == "m.py"
    assert plan.unseen == ()


def test_big_files_get_their_own_requests_within_the_budget() -> None:
    """Each request's content stays within per_request minus the fixed part."""
    files = [new_file(f"api{i}.py", 120) for i in range(5)]
    pairs = [(f, report(f, "api")) for f in files]
    plan = plan_requests(
        pairs, [], sizer=SIZER, request_fixed=3000, per_request=5000, per_review=400_000
    )
    assert len(plan.batches) == 5
    assert all(b.content_tokens <= plan.content_budget for b in plan.batches)
    assert _lines([p for b in plan.batches for p in b.pieces]) == _all_lines(files)


def test_a_file_too_big_for_one_request_is_split_by_hunk() -> None:
    """A file whose hunks do not fit together becomes parts, each line shown exactly once."""
    file = modified_file("app/api/big.py", list(range(10, 2000, 40)), added=12)
    parts = split_file(file, report(file, "api"), [], budget=1200, sizer=SIZER)
    assert len(parts) > 1
    assert all(piece_tokens(p, SIZER) <= 1200 for p in parts)
    assert [p.part for p in parts] == list(range(1, len(parts) + 1))
    assert {p.parts for p in parts} == {len(parts)}
    assert _lines(parts) == _all_lines([file])
    assert parts[0].describe().startswith(f"part 1 of {len(parts)} (lines 10-")


def test_a_single_huge_hunk_is_sliced() -> None:
    """One hunk larger than a request is cut into consecutive slices; no line is lost."""
    file = new_file("migrations/0001_big.py", 900)
    parts = split_file(file, report(file, "migration"), [], budget=MIN_CONTENT_TOKENS, sizer=SIZER)
    assert len(parts) > 3
    assert all(piece_tokens(p, SIZER) <= MIN_CONTENT_TOKENS for p in parts)
    assert _lines(parts) == _all_lines([file])
    first_new = [p.hunks[0].new_start for p in parts]
    assert first_new == sorted(first_new)


def test_static_findings_travel_with_the_part_holding_their_line() -> None:
    """A static hint goes to the part that shows its line; one off the diff goes to part 1."""
    file = new_file("migrations/0002.py", 600)
    on_late_line = Finding(
        path=file.path,
        line=590,
        severity="high",
        category="database",
        title="t",
        body="b",
        source="static",
        rule="r1",
    )
    off_diff = on_late_line.model_copy(update={"line": 5000, "rule": "r2"})
    parts = split_file(
        file, report(file, "migration"), [on_late_line, off_diff], budget=1500, sizer=SIZER
    )
    holder = next(p for p in parts if any(ln.new_no == 590 for h in p.hunks for ln in h.lines))
    assert on_late_line in holder.static
    assert off_diff in parts[0].static
    assert sum(len(p.static) for p in parts) == 2


def test_review_budget_spends_on_the_riskiest_files_and_lists_the_rest() -> None:
    """When the review budget runs out, the least risky files are unseen, with the reason."""
    mig, api, query = new_file("m.py", 100), new_file("a.py", 100), new_file("q.py", 100)
    pairs = [
        (query, report(query, "query")),
        (api, report(api, "api")),
        (mig, report(mig, "migration")),
    ]
    one = piece_tokens(split_file(mig, pairs[2][1], [], budget=10**6, sizer=SIZER)[0], SIZER)
    plan = plan_requests(
        pairs,
        [],
        sizer=SIZER,
        request_fixed=1000,
        per_request=1000 + one + 10,
        per_review=2 * (1000 + one) + 50,
    )
    seen = [p.path for b in plan.batches for p in b.pieces]
    assert seen == ["m.py", "a.py"]
    assert [p for p, _ in plan.unseen] == ["q.py"]
    assert "max_tokens_per_review" in plan.unseen[0][1]
    assert plan.total_tokens <= plan.review_budget


def test_files_without_hunks_are_listed_not_dropped() -> None:
    """A file with no diff text (too large, binary) is listed as unseen with why."""
    missing = FileDiff(path="app/api/huge.py", status="modified", patch_missing=True)
    plan = plan_requests(
        [(missing, report(missing, "api"))],
        [],
        sizer=SIZER,
        request_fixed=10,
        per_request=5000,
        per_review=10_000,
    )
    assert plan.batches == ()
    assert plan.unseen == (
        ("app/api/huge.py", "no diff text available (binary or too large for the diff)"),
    )


def test_a_budget_smaller_than_the_instructions_is_raised_to_a_floor_and_noted() -> None:
    """max_tokens_per_request below the fixed part still leaves room, and the notes say so."""
    file = new_file("a.py", 10)
    plan = plan_requests(
        [(file, report(file, "api"))],
        [],
        sizer=SIZER,
        request_fixed=3000,
        per_request=1000,
        per_review=400_000,
    )
    assert plan.content_budget == MIN_CONTENT_TOKENS
    assert "max_tokens_per_request (1000)" in plan.notes[0]
    assert len(plan.batches) == 1


def test_context_lines_surround_the_hunks_and_skip_changed_lines() -> None:
    """Nearby code is the window around each hunk, minus every line inside a hunk."""
    file = modified_file("app/api/x.py", [50], added=2)
    head = [f"code {n}" for n in range(1, 201)]
    piece = Piece(file=file, report=report(file, "api"), hunks=file.hunks)
    numbers = [n for n, _ in context_lines(piece, head, window=5)]
    hunk = file.hunks[0]
    inside = set(range(hunk.new_start, hunk.new_start + hunk.new_length))
    assert numbers == [
        n
        for n in range(hunk.new_start - 5, hunk.new_start + hunk.new_length + 5)
        if n not in inside
    ]
    assert dict(context_lines(piece, head, window=5))[45] == "code 45"


def test_add_context_only_within_the_request_budget() -> None:
    """Nearby code is added when it fits, and left out (not truncated) when it does not."""
    file = modified_file("app/api/x.py", [50], added=2)
    head = "\n".join(f"some nearby code line number {n}" for n in range(1, 400))
    pairs = [(file, report(file, "api"))]
    roomy = plan_requests(
        pairs, [], sizer=SIZER, request_fixed=0, per_request=5000, per_review=10**6
    )
    assert add_context(roomy, {file.path: head}, sizer=SIZER).batches[0].pieces[0].context
    tight = plan_requests(
        pairs, [], sizer=SIZER, request_fixed=0, per_request=1000, per_review=10**6
    )
    with_ctx = add_context(tight, {file.path: head}, sizer=SIZER, window=200)
    assert with_ctx.batches[0].pieces[0].context == ()
    assert with_ctx.batches[0].content_tokens <= with_ctx.content_budget


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=8),
    per_request=st.integers(min_value=1000, max_value=8000),
    per_review=st.integers(min_value=1000, max_value=40_000),
)
def test_every_line_is_planned_once_or_its_file_is_listed(
    sizes: list[int], per_request: int, per_review: int
) -> None:
    """For any sizes and budgets: batches fit, no line is shown twice, and the unseen are listed."""
    files = [new_file(f"f{i}.py", n) for i, n in enumerate(sizes)]
    pairs = [(f, report(f, ("migration", "api", "query")[i % 3])) for i, f in enumerate(files)]
    plan = plan_requests(
        pairs, [], sizer=SIZER, request_fixed=500, per_request=per_request, per_review=per_review
    )
    pieces = [p for b in plan.batches for p in b.pieces]
    shown = _lines(pieces)
    assert all(count == 1 for count in shown.values())
    assert all(b.content_tokens <= plan.content_budget for b in plan.batches)
    assert plan.total_tokens <= per_review
    unseen = {path for path, _ in plan.unseen}
    for f in files:
        missing = _all_lines([f]) - shown
        assert not missing or f.path in unseen


def test_total_usage_sums_calls_and_prices_them() -> None:
    """Usage adds every call's four token counts; cost uses USD per million tokens."""
    calls = [
        {
            "input_tokens": 100,
            "output_tokens": 10,
            "cache_creation_input_tokens": 1000,
            "cache_read_input_tokens": 0,
        },
        {
            "input_tokens": 200,
            "output_tokens": 20,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 1000,
        },
    ]
    usage = total_usage(calls, Price(input=3, output=15, cache_write=3.75, cache_read=0.3))
    assert (usage.requests, usage.input_tokens, usage.output_tokens) == (2, 300, 30)
    assert (usage.cache_creation_input_tokens, usage.cache_read_input_tokens) == (1000, 1000)
    assert usage.cost_usd == pytest.approx((300 * 3 + 30 * 15 + 1000 * 3.75 + 1000 * 0.3) / 1e6)
    assert total_usage(calls, None).cost_usd == 0.0

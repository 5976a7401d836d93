"""Placement: every finding ends up inline where GitHub accepts it, file-level, or in the summary."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.diff import parse_patch
from bot.markers import find_fingerprints
from bot.models import CATEGORIES, SEVERITIES, DiffLine, FileDiff, Finding, Hunk, InlineComment
from bot.review.findings import fingerprint
from bot.review.placement import (
    REASON_DUPLICATE,
    REASON_NO_LINES,
    REASON_NOT_IN_PR,
    SNAP_LINES,
    comment_problem,
    place_findings,
    resolve_anchor,
)

# Right side: hunk 0 holds new lines 10-14, hunk 1 holds 31-33.
# Left side: hunk 0 holds old lines 10-13, hunk 1 holds 30-32.
PATCH = """\
@@ -10,4 +10,5 @@ def handler():
 ctx10
-old11
+new11
+new12
 ctx13
 ctx14
@@ -30,3 +31,3 @@
 ctx31
-old31
+new32
 ctx33"""

API = parse_patch("app/api.py", PATCH)
GONE = parse_patch("app/old.py", "@@ -1,2 +0,0 @@\n-a = 1\n-b = 2", status="removed")
BINARY = parse_patch("app/blob.bin", None)
RENAMED = FileDiff(path="app/new_name.py", status="renamed", old_path="app/old_name.py")
FILES = {f.path: f for f in (API, GONE, BINARY, RENAMED)}


def finding(**kw: Any) -> Finding:
    base: dict[str, Any] = {
        "path": "app/api.py",
        "line": 11,
        "severity": "high",
        "category": "api-design",
        "title": "Problem",
        "body": "Why it matters.",
    }
    return Finding(**{**base, **kw})


def place_one(f: Finding, **kw: Any) -> InlineComment:
    placement = place_findings([f], FILES, max_inline=kw.pop("max_inline", 10), **kw)
    assert placement.summary_only == []
    assert len(placement.comments) == 1
    comment = placement.comments[0]
    assert comment_problem(comment, FILES) is None
    return comment


def test_exact_line_is_placed_as_is_with_its_suggestion() -> None:
    """A finding on a diff line is posted there, with a one-click suggestion."""
    c = place_one(finding(line=12, suggestion="new12()"))
    assert (c.line, c.side, c.start_line) == (12, "RIGHT", None)
    assert "```suggestion\nnew12()\n```" in c.body
    assert "Moved" not in c.body


def test_range_inside_one_hunk_keeps_start_line_and_side() -> None:
    """A range inside one hunk becomes a multi-line comment with start_side set."""
    c = place_one(finding(start_line=10, line=13, suggestion="x"))
    assert (c.start_line, c.line) == (10, 13)
    assert c.to_github()["start_side"] == "RIGHT"
    assert "```suggestion" in c.body


def test_equal_start_and_line_is_a_single_line_comment() -> None:
    """start_line == line is rejected by GitHub, so it is sent as a single line."""
    c = place_one(finding(start_line=12, line=12))
    assert c.start_line is None
    assert "start_line" not in c.to_github()


def test_reversed_range_is_swapped_and_keeps_the_suggestion() -> None:
    """start_line after line means the same lines: swap, and the suggestion still applies."""
    c = place_one(finding(start_line=13, line=11, suggestion="y"))
    assert (c.start_line, c.line) == (11, 13)
    assert "```suggestion" in c.body


def test_range_crossing_hunks_shrinks_to_the_hunk_of_its_last_line() -> None:
    """Lines 12-32 span both hunks: the comment covers 31-32 and the suggestion is not offered."""
    c = place_one(finding(start_line=12, line=32, suggestion="z"))
    assert (c.start_line, c.line) == (31, 32)
    assert "```suggestion" not in c.body
    assert "the part in the diff" in c.body


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(17, 14, id="three-after-hunk"),
        pytest.param(7, 10, id="three-before-hunk"),
        pytest.param(29, 31, id="two-before-second-hunk"),
    ],
)
def test_near_miss_is_snapped_and_loses_its_suggestion(line: int, expected: int) -> None:
    """A line within SNAP_LINES of the diff moves to the nearest diff line, with a note."""
    c = place_one(finding(line=line, suggestion="fix()"))
    assert c.line == expected
    assert c.start_line is None
    assert "```suggestion" not in c.body
    assert "fix()" in c.body  # still shown, as plain code
    assert f"Moved: this is about line {line}" in c.body


def test_far_off_line_becomes_a_file_level_comment() -> None:
    """Farther than SNAP_LINES from any diff line: a file-level comment that names the line."""
    c = place_one(finding(line=14 + SNAP_LINES + 1, suggestion="s"))
    assert c.line is None
    assert c.to_github() == {"path": "app/api.py", "body": c.body}
    assert "About line 18, which is outside the diff" in c.body
    assert "```suggestion" not in c.body


def test_left_side_finding_on_a_removed_line_stays_left() -> None:
    """A finding about removed code anchors on the old line, LEFT side."""
    c = place_one(finding(line=31, side="LEFT"))
    assert (c.line, c.side) == (31, "LEFT")


def test_left_side_never_offers_a_suggestion() -> None:
    """Suggestions replace new-file lines; on the LEFT side they are shown as plain code."""
    c = place_one(finding(line=11, side="LEFT", suggestion="x"))
    assert "```suggestion" not in c.body


def test_right_side_on_a_deleted_file_moves_to_the_left_side() -> None:
    """A deleted file has only old lines: the finding is placed there, with a note."""
    c = place_one(finding(path="app/old.py", line=2))
    assert (c.line, c.side) == (2, "LEFT")
    assert "RIGHT side" in c.body


def test_file_with_no_patch_gets_a_file_level_comment() -> None:
    """GitHub sent no patch (binary, too large): file-level comment."""
    c = place_one(finding(path="app/blob.bin", line=3))
    assert c.line is None
    assert "no diff for this file" in c.body


def test_file_not_in_the_pr_goes_to_the_summary() -> None:
    """Never post on a file the PR does not touch."""
    f = finding(path="app/elsewhere.py")
    p = place_findings([f], FILES, max_inline=10)
    assert p.comments == []
    assert p.summary_only == [(f, REASON_NOT_IN_PR)]


def test_path_written_with_a_prefix_is_found() -> None:
    """`./`, `/`, `a/` and `b/` prefixes from a model still reach the changed file."""
    for path in ("./app/api.py", "/app/api.py", "b/app/api.py", "a/app/api.py"):
        c = place_one(finding(path=path, line=12))
        assert c.path == "app/api.py"
        assert c.fingerprint == fingerprint(finding(line=12), API)


def test_pure_rename_without_hunks_goes_to_the_summary() -> None:
    """A rename with no content change has nothing to comment on."""
    f = finding(path="app/new_name.py", line=1)
    p = place_findings([f], FILES, max_inline=10)
    assert p.summary_only == [(f, REASON_NO_LINES)]


def test_cap_keeps_the_worst_inline() -> None:
    """Over max_inline, the worst findings stay inline and the rest go to the summary."""
    low = finding(line=10, severity="low", title="a")
    crit = finding(line=11, severity="critical", title="b")
    med = finding(line=12, severity="medium", title="c")
    p = place_findings([low, crit, med], FILES, max_inline=1)
    assert [c.line for c in p.comments] == [11]
    assert [f for f, _ in p.summary_only] == [med, low]
    assert all("limit of 1 inline comments" in why for _, why in p.summary_only)


def test_zero_cap_sends_everything_to_the_summary() -> None:
    """max_inline 0 posts nothing inline and loses nothing."""
    p = place_findings([finding(), finding(line=31)], FILES, max_inline=0)
    assert p.comments == []
    assert len(p.summary_only) == 2


def test_same_fingerprint_is_posted_once() -> None:
    """Two findings on the same code with the same category: one comment, one summary entry."""
    first = finding(line=11, title="One way to say it", severity="high")
    second = finding(line=11, title="Another way", severity="medium")
    p = place_findings([second, first], FILES, max_inline=10)
    assert [c.fingerprint for c in p.comments] == [fingerprint(first, API)]
    assert p.summary_only == [(second, REASON_DUPLICATE)]


def test_snapped_finding_is_fingerprinted_on_the_line_it_is_shown_on() -> None:
    """A snapped finding has the fingerprint of the same finding placed exactly there."""
    c = place_one(finding(line=16))
    assert c.fingerprint == fingerprint(finding(line=14), API)
    assert find_fingerprints(c.body) == {c.fingerprint}


def test_fingerprints_posted_earlier_are_not_posted_again() -> None:
    """Findings already posted by an earlier run are reported apart and do not use the cap."""
    old = finding(line=11, title="old")
    new = finding(line=31, title="new", category="security")
    p = place_findings([old, new], FILES, max_inline=1, posted={fingerprint(old, API)})
    assert p.already_posted == [(old, fingerprint(old, API))]
    assert [c.line for c in p.comments] == [31]
    assert p.placed == [(new, p.comments[0])]


def test_resolve_anchor_reports_summary_only_for_a_file_without_lines() -> None:
    """resolve_anchor returns None only when nothing in the file can be commented on."""
    assert resolve_anchor(finding(path="app/new_name.py"), RENAMED) is None
    anchor = resolve_anchor(finding(line=500), API)
    assert anchor is not None
    assert anchor.line is None


# ---- property tests --------------------------------------------------------------------


@st.composite
def file_diffs(draw: st.DrawFn, path: str) -> FileDiff:
    """A file with 0-4 hunks of random added, removed and context lines."""
    hunks: list[Hunk] = []
    old_no = new_no = 1
    for _ in range(draw(st.integers(0, 4))):
        gap = draw(st.integers(0, 8))
        old_no, new_no = old_no + gap, new_no + gap
        kinds = draw(st.lists(st.sampled_from("+- "), min_size=1, max_size=8))
        old_start, new_start = old_no, new_no
        lines: list[DiffLine] = []
        for kind in kinds:
            o = old_no if kind in "- " else None
            n = new_no if kind in "+ " else None
            lines.append(DiffLine(kind, o, n, f"code {kind} {o} {n}"))
            old_no += kind in "- "
            new_no += kind in "+ "
        hunks.append(
            Hunk(old_start, old_no - old_start, new_start, new_no - new_start, "", tuple(lines))
        )
    missing = not hunks and draw(st.booleans())
    return FileDiff(path=path, status="modified", hunks=tuple(hunks), patch_missing=missing)


PATHS = ["a.py", "b.sql", "c.py"]


@st.composite
def findings_on(draw: st.DrawFn) -> Finding:
    """A finding with any anchor: on a PR file or not, any line, range and side."""
    return Finding(
        path=draw(st.sampled_from([*PATHS, "not/in/pr.py"])),
        line=draw(st.integers(1, 60)),
        start_line=draw(st.none() | st.integers(1, 60)),
        side=draw(st.sampled_from(["LEFT", "RIGHT"])),
        severity=draw(st.sampled_from(SEVERITIES)),
        category=draw(st.sampled_from(CATEGORIES)),
        title=draw(st.sampled_from(["t1", "t2", "t3"])),
        body="b",
        suggestion=draw(st.none() | st.just("s()")),
    )


def github_accepts(c: InlineComment, files: dict[str, FileDiff]) -> bool:
    """GitHub's rules, restated independently of bot.review.placement."""
    f = files.get(c.path)
    if f is None:
        return False
    if c.line is None:
        return c.start_line is None and (bool(f.hunks) or f.patch_missing)
    lines = {
        (ln.new_no if c.side == "RIGHT" else ln.old_no): i
        for i, h in enumerate(f.hunks)
        for ln in h.lines
        if (ln.new_no if c.side == "RIGHT" else ln.old_no) is not None
    }
    if c.line not in lines:
        return False
    if c.start_line is None:
        return c.start_side is None
    return (
        c.start_side == c.side
        and c.start_line < c.line
        and lines.get(c.start_line) == lines[c.line]
    )


@settings(max_examples=250, deadline=None)
@given(
    files=st.tuples(*(file_diffs(p) for p in PATHS)),
    findings=st.lists(findings_on(), max_size=25),
    max_inline=st.integers(0, 12),
)
def test_every_placed_comment_is_valid_and_nothing_is_lost(
    files: tuple[FileDiff, ...], findings: list[Finding], max_inline: int
) -> None:
    """For any anchors: all comments are valid, unique, within the cap, near their finding,
    and every finding is in exactly one of comments, summary_only or already_posted."""
    by_path = {f.path: f for f in files}
    p = place_findings(findings, by_path, max_inline=max_inline)
    for c in p.comments:
        assert github_accepts(c, by_path), c
        assert comment_problem(c, by_path) is None
    assert len(p.comments) <= max_inline
    assert len({c.fingerprint for c in p.comments}) == len(p.comments)
    assert p.already_posted == []
    assert [c for _, c in p.placed] == p.comments
    out = [f for f, _ in p.placed] + [f for f, _ in p.summary_only]
    assert Counter(out) == Counter(findings)
    for f, c in p.placed:
        if c.line is not None and c.side == f.side:
            lo, hi = sorted((f.start_line or f.line, f.line))
            assert lo - SNAP_LINES <= c.line <= hi + SNAP_LINES
    for f, why in p.summary_only:
        file = by_path.get(f.path)
        if file is None:
            assert why == REASON_NOT_IN_PR
        elif why not in {REASON_DUPLICATE, REASON_NO_LINES}:
            assert why.startswith("the limit of")


@settings(max_examples=100, deadline=None)
@given(files=st.tuples(*(file_diffs(p) for p in PATHS)), findings=st.lists(findings_on()))
def test_exact_anchors_are_never_moved(
    files: tuple[FileDiff, ...], findings: list[Finding]
) -> None:
    """A finding whose last line is in the diff on its side is posted on that very line."""
    by_path = {f.path: f for f in files}
    p = place_findings(findings, by_path, max_inline=1000)
    for f, c in p.placed:
        last = max(f.start_line or f.line, f.line)
        if last in by_path[f.path].anchors(f.side):
            assert (c.line, c.side) == (last, f.side)

"""Findings: fingerprints that survive line shifts, stable ordering, merging static and model."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.diff import parse_patch
from bot.models import CATEGORIES, SEVERITIES, Finding
from bot.review.findings import (
    anchored_text,
    fingerprint,
    merge_findings,
    normalise_code,
    similar_titles,
    sort_findings,
)


def finding(**kw: Any) -> Finding:
    base: dict[str, Any] = {
        "path": "db/migrations/0002.sql",
        "line": 3,
        "severity": "high",
        "category": "database",
        "title": "Adding a NOT NULL column without a default",
        "body": "Fails on a table with rows.",
    }
    return Finding(**{**base, **kw})


def static(**kw: Any) -> Finding:
    return finding(**{"source": "static", "rule": "migration-not-null-no-default", **kw})


# ---- fingerprints ----------------------------------------------------------------------


def patch_at(start: int, code: str) -> str:
    return f"@@ -{start},1 +{start},2 @@\n context\n+{code}"


def test_fingerprint_ignores_line_numbers() -> None:
    """The same code at another line (e.g. after a rebase) has the same fingerprint."""
    a = parse_patch("x.sql", patch_at(1, "ALTER TABLE t ADD c int NOT NULL;"))
    b = parse_patch("x.sql", patch_at(41, "ALTER TABLE t ADD c int NOT NULL;"))
    assert fingerprint(finding(path="x.sql", line=2), a) == fingerprint(
        finding(path="x.sql", line=42), b
    )


def test_fingerprint_ignores_whitespace_and_trailing_separators() -> None:
    """Reformatting, or a comma added when a line is followed by another, is the same code."""
    a = parse_patch("x.py", patch_at(1, "    call(a,  b)"))
    b = parse_patch("x.py", patch_at(1, "call(a, b),"))
    assert anchored_text(finding(path="x.py", line=2), a) == "context\ncall(a, b)"
    assert fingerprint(finding(path="x.py", line=2), a) == fingerprint(
        finding(path="x.py", line=2), b
    )


def test_fingerprint_differs_by_path_rule_category_and_code() -> None:
    """Each part of the identity matters."""
    f = parse_patch("x.py", patch_at(1, "a()"))
    g = parse_patch("x.py", patch_at(1, "b()"))
    base = finding(path="x.py", line=2)
    fps = {
        fingerprint(base, f),
        fingerprint(base, g),
        fingerprint(base.model_copy(update={"category": "security"}), f),
        fingerprint(base.model_copy(update={"rule": "r"}), f),
        fingerprint(base.model_copy(update={"path": "y.py"}), f),
    }
    assert len(fps) == 5


def test_fingerprint_off_the_diff_uses_the_title() -> None:
    """With no visible code, two different problems in one file still differ."""
    a, b = finding(title="One"), finding(title="Two")
    assert fingerprint(a, None) != fingerprint(b, None)
    assert fingerprint(a, None) == fingerprint(a.model_copy(update={"line": 99}), None)


def test_left_side_fingerprint_uses_the_old_line() -> None:
    """A finding on removed code is identified by the removed code."""
    f = parse_patch("x.py", "@@ -1,1 +1,1 @@\n-old_call()\n+new_call()")
    assert anchored_text(finding(path="x.py", line=1, side="LEFT"), f) == "old_call()"
    assert anchored_text(finding(path="x.py", line=1), f) == "new_call()"


def test_normalise_code_drops_blank_lines() -> None:
    """Blank lines inside a range do not change the code's identity."""
    assert normalise_code(["a;", "", "  b ,  "]) == "a\nb"


def test_sort_findings_worst_first_then_path_and_line() -> None:
    """Stable order: severity, then path, then line."""
    fs = [
        finding(severity="low", line=1),
        finding(severity="critical", path="b", line=5),
        finding(severity="critical", path="a", line=9),
        finding(severity="critical", path="a", line=2),
    ]
    assert [(f.severity, f.path, f.line) for f in sort_findings(fs)] == [
        ("critical", "a", 2),
        ("critical", "a", 9),
        ("critical", "b", 5),
        ("low", "db/migrations/0002.sql", 1),
    ]


# ---- merging ---------------------------------------------------------------------------


def test_exact_duplicates_are_dropped() -> None:
    """The same finding twice, from either source, is kept once."""
    s, m = static(), finding(category="security", title="Other")
    assert merge_findings([s, s], [m, m]) == sort_findings([s, m])


def test_model_restating_a_static_finding_is_folded_into_it() -> None:
    """Near line, same category, similar title: one finding with the static rule and source."""
    s = static(line=3)
    m = finding(
        line=4,
        severity="critical",
        title="NOT NULL column added without default",
        body="On a large table this locks writes for minutes.",
    )
    [merged] = merge_findings([s], [m])
    assert (merged.rule, merged.source, merged.line, merged.severity) == (
        s.rule,
        "static",
        3,
        "high",
    )
    assert merged.body.startswith(s.body)
    assert "locks writes for minutes" in merged.body


def test_model_naming_the_rule_is_folded_whatever_its_title() -> None:
    """The prompt shows static rule ids; a model finding that names one restates it."""
    s = static()
    m = finding(title="Backfill first", body="Confirming migration-not-null-no-default: ...")
    assert len(merge_findings([s], [m])) == 1
    longer = finding(title="Backfill first", body="See migration-not-null-no-default-v2.")
    assert len(merge_findings([s], [longer])) == 2


def test_restated_text_already_in_the_static_body_is_not_repeated() -> None:
    """A model that only repeats the static explanation adds nothing."""
    s = static(body="Fails on a table with rows.")
    m = finding(line=3, body="fails on a table  with rows.")
    [merged] = merge_findings([s], [m])
    assert merged == s


def test_model_suggestion_is_adopted_only_for_the_same_lines() -> None:
    """A suggestion replaces the anchored lines: taken only when the anchors match exactly."""
    s = static(line=3)
    same = finding(line=3, suggestion="ALTER TABLE t ADD c int DEFAULT 0 NOT NULL;")
    [merged] = merge_findings([s], [same])
    assert merged.suggestion == same.suggestion
    near = finding(line=4, suggestion="something else")
    [merged] = merge_findings([s], [near])
    assert merged.suggestion is None


def test_static_suggestion_wins_over_the_model() -> None:
    """The deterministic fix is kept when both have one."""
    s = static(suggestion="static fix")
    [merged] = merge_findings([s], [finding(suggestion="model fix")])
    assert merged.suggestion == "static fix"


def test_different_problems_nearby_are_kept_apart() -> None:
    """Same line but another category, or a dissimilar title, or lines far apart: two findings."""
    s = static(line=3)
    other_cat = finding(line=3, category="security", title="SQL built from user input")
    other_title = finding(line=3, title="Missing index on the foreign key")
    far = finding(line=3 + 3)
    assert len(merge_findings([s], [other_cat, other_title, far])) == 4


def test_model_duplicates_from_parallel_requests_collapse_to_the_worst() -> None:
    """Two model answers about the same problem keep the worse severity."""
    a = finding(line=10, severity="medium", title="N+1 query in the loop")
    b = finding(line=11, severity="high", title="N+1 queries inside loop")
    assert merge_findings([], [a, b]) == [b]


def test_similar_titles() -> None:
    """Word overlap (with light stemming) or near-identical text."""
    assert similar_titles("Missing index on orders.user_id", "missing indexes on orders.user_id")
    assert similar_titles("Unbounded queries", "Unbounded query")
    assert not similar_titles("Missing index", "SQL injection risk")


@st.composite
def any_finding(draw: st.DrawFn) -> Finding:
    return Finding(
        path=draw(st.sampled_from(["a.py", "b.py"])),
        line=draw(st.integers(1, 20)),
        severity=draw(st.sampled_from(SEVERITIES)),
        category=draw(st.sampled_from(CATEGORIES)),
        title=draw(st.sampled_from(["Missing index", "Missing indexes", "N+1 query", "Leak"])),
        body=draw(st.sampled_from(["x", "y"])),
        source=draw(st.sampled_from(["model", "static"])),
        rule=draw(st.none() | st.just("rule-a")),
    )


@settings(max_examples=100, deadline=None)
@given(static=st.lists(any_finding(), max_size=12), model=st.lists(any_finding(), max_size=12))
def test_merge_keeps_every_distinct_static_finding(
    static: list[Finding], model: list[Finding]
) -> None:
    """Static findings are never merged away; the result is sorted and free of exact duplicates."""
    merged = merge_findings(static, model)
    assert len(merged) >= len(set(static))
    assert max(Counter(merged).values(), default=1) == 1
    assert merged == sort_findings(merged)
    assert len(merged) <= len(set(static)) + len(set(model))


def test_fingerprint_does_not_depend_on_where_a_range_starts() -> None:
    """Ranges 2-5 and 4-5 ending on a distinctive line point at the same code."""
    f = parse_patch(
        "x.py", "@@ -1,1 +1,5 @@\n ctx\n+a = 1\n+b = 2\n+c = 3\n+query = session.execute(sql)"
    )
    wide = finding(path="x.py", start_line=2, line=5)
    narrow = finding(path="x.py", start_line=4, line=5)
    assert anchored_text(narrow, f) == "query = session.execute(sql)"
    assert fingerprint(wide, f) == fingerprint(narrow, f)


def test_a_range_ending_in_punctuation_is_identified_by_the_code_above() -> None:
    """A last line like `)` is extended upwards, past the range start, until it identifies."""
    f = parse_patch("x.py", "@@ -1,1 +1,4 @@\n ctx\n+rows = db.query(\n+    Order.customer_id\n+)")
    assert anchored_text(finding(path="x.py", start_line=4, line=4), f) == ("Order.customer_id\n)")
    assert anchored_text(finding(path="x.py", line=4), f) == "Order.customer_id\n)"

"""The eval matcher (bench/eval/match.py): pure scoring of findings against expectations."""

from __future__ import annotations

from typing import Any

from bench.eval.match import Expectation, NoiseSpan, Window, score
from bot.models import Finding

PATH = "app/api/orders.py"


def finding(line: int, **kw: Any) -> Finding:
    base: dict[str, Any] = {
        "path": PATH,
        "line": line,
        "severity": "high",
        "category": "security",
        "title": "Missing authorization on the new endpoint",
        "body": "Anyone can call it; add the permission check.",
    }
    return Finding(**{**base, **kw})


def expect(start: int, end: int, **kw: Any) -> Expectation:
    base: dict[str, Any] = {
        "windows": (Window(PATH, start, end),),
        "categories": ("security", "api-design"),
        "severity": "medium",
        "keywords": (("authoriz", "permission"),),
        "why": "new endpoint without authorization",
    }
    return Expectation(**{**base, **kw})


NOISE = (NoiseSpan(PATH, 1, 5),)


def test_exactly_the_expected_findings_score_one_and_one() -> None:
    expectations = [expect(10, 12), expect(20, 20, categories=("reliability",), keywords=())]
    found = [finding(11), finding(20, category="reliability", severity="medium")]
    s = score(found, expectations, NOISE)
    assert (s.recall, s.precision) == (1.0, 1.0)
    assert [j.verdict for j in s.judged] == ["match", "match"]
    assert s.misses == ()


def test_an_empty_answer_scores_recall_zero() -> None:
    s = score([], [expect(10, 12)], NOISE)
    assert s.recall == 0.0
    assert s.precision is None  # nothing said, nothing noisy
    assert [m.expectation for m in s.misses] == [0]
    assert s.misses[0].closest is None


def test_a_finding_on_a_noise_line_lowers_precision() -> None:
    s = score(
        [finding(11), finding(3, title="Sort the imports", body="nit")], [expect(10, 12)], NOISE
    )
    assert s.recall == 1.0
    assert s.precision == 0.5
    assert [j.verdict for j in s.judged] == ["match", "noise"]


def test_a_finding_elsewhere_is_extra_and_keeps_precision() -> None:
    s = score(
        [finding(11), finding(40, title="Add an OpenAPI example", body="docs")],
        [expect(10, 12)],
        NOISE,
    )
    assert [j.verdict for j in s.judged] == ["match", "extra"]
    assert s.precision == 1.0


def test_a_range_overlapping_the_window_matches() -> None:
    assert score([finding(14, start_line=8)], [expect(10, 12)]).matched == 1
    assert score([finding(9, start_line=7)], [expect(10, 12)]).matched == 0


def test_a_finding_on_the_other_side_does_not_match() -> None:
    s = score([finding(11, side="LEFT")], [expect(10, 12)])
    assert s.matched == 0
    assert "not in" in s.misses[0].reasons[0]


def test_category_severity_and_keywords_must_all_hold() -> None:
    e = [expect(10, 12)]
    wrong_category = score([finding(11, category="code-quality")], e)
    assert wrong_category.matched == 0
    assert wrong_category.misses[0].reasons == ("category code-quality",)
    below_floor = score([finding(11, severity="low")], e)
    assert below_floor.misses[0].reasons == ("severity low",)
    no_keyword = score([finding(11, title="Risky endpoint", body="Looks unsafe.")], e)
    assert no_keyword.misses[0].reasons == ("no 'authoriz|permission'",)


def test_keywords_need_every_group_and_any_spelling_case_insensitively() -> None:
    e = [expect(10, 12, keywords=(("idempoten", "duplicate"), ("retry",)))]
    both = finding(11, title="RETRY is not IDEMPOTENT", body="x")
    one = finding(11, title="Duplicate charge", body="x")
    assert score([both], e).matched == 1
    assert score([one], e).matched == 0
    assert (
        score([finding(11, body="x", title="t", suggestion="retry once; duplicates")], e).matched
        == 1
    )


def test_each_finding_matches_at_most_one_expectation() -> None:
    e = [expect(10, 12), expect(11, 11)]
    s = score([finding(11)], e)
    assert (s.matched, s.expected, s.findings) == (1, 2, 1)
    assert s.recall == 0.5


def test_two_findings_on_one_expectation_match_once() -> None:
    s = score([finding(11), finding(12)], [expect(10, 12)], NOISE)
    assert s.matched == 1
    assert [j.verdict for j in s.judged] == ["match", "extra"]


def test_a_vague_finding_does_not_steal_the_only_expectation_a_sharper_one_fits() -> None:
    """Maximum matching: the first finding fits both, the second only the first expectation."""
    e = [expect(10, 12), expect(15, 20)]
    s = score([finding(15, start_line=11), finding(11)], e)
    assert s.matched == 2
    assert [j.expectation for j in s.judged] == [1, 0]


def test_a_match_on_a_noise_line_counts_as_a_match() -> None:
    s = score([finding(3)], [expect(2, 4)], NOISE)
    assert [j.verdict for j in s.judged] == ["match"]
    assert s.precision == 1.0


def test_any_of_several_windows_matches() -> None:
    e = expect(10, 12, windows=(Window(PATH, 10, 12), Window("schema.graphql", 5, 5)))
    assert score([finding(5, path="schema.graphql")], [e]).matched == 1
    assert score([finding(6, path="schema.graphql")], [e]).matched == 0


def test_a_noise_entry_without_lines_covers_the_whole_file() -> None:
    s = score([finding(300)], [], (NoiseSpan(PATH),))
    assert s.recall is None
    assert s.precision == 0.0


def test_a_miss_names_the_closest_finding_and_why() -> None:
    s = score([finding(11, severity="low"), finding(50, category="database")], [expect(10, 12)])
    miss = s.misses[0]
    assert miss.closest is not None and miss.closest.line == 11
    assert miss.reasons == ("severity low",)

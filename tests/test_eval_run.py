"""The review-quality eval: its cases and the harness end to end against the Anthropic emulator."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench.eval.cases import Case, CaseError, anchor_line, load_case, load_cases
from bench.eval.compare import compare
from bench.eval.run import main
from bot.classify.classifier import classify_files
from bot.diff import parse_diff

PERSONA_AREAS = {
    "missing-authorization",
    "idor",
    "graphql-pagination",
    "non-idempotent-retry",
    "missing-timeout",
    "transaction-spans-network-call",
    "cache-key-mixes-users",
    "read-modify-write-race",
    "wrong-status-code",
    "error-leaks-internals",
    "pii-in-logs",
    "health-check-depends-on-db",
}
LAST_LINE = re.compile(
    r"^eval recall (\d\.\d\d) precision (\d\.\d\d) cost \$(\d+\.\d{4}) \(cases (\d+), model (\S+)\)$"
)
CASES = load_cases()


def test_there_are_at_least_40_cases_covering_every_persona_area() -> None:
    assert len(CASES) >= 40
    areas = [a for c in CASES for a in c.areas]
    assert set(areas) >= PERSONA_AREAS
    assert areas.count("fine-change") >= 5
    assert all(c.problems for c in CASES if "fine-change" not in c.areas)
    assert not any(c.problems for c in CASES if "fine-change" in c.areas)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_case_is_reviewable_as_written(case: Case) -> None:
    """Each changed file reaches the review and each expected window has a commentable line."""
    files = parse_diff(case.diff)
    reports = classify_files(files, case.config)
    assert [r.path for r in reports if not r.reviewed] == []
    paths = {f.path for f in files}
    for problem in case.problems:
        for window in problem.windows:
            assert window.path in paths
            assert anchor_line(window, files) is not None, window.label()
    for noise in case.noise:
        assert noise.path in paths


def test_a_bad_expectation_is_one_clear_error(tmp_path: Path) -> None:
    case = tmp_path / "broken"
    case.mkdir()
    (case / "pr.diff").write_text("")
    (case / "expect.yml").write_text(
        "problems:\n  - {path: a.py, lines: [3, 1], category: security, severity: high}\n"
    )
    with pytest.raises(CaseError, match=r"broken/expect.yml: problems\[0\]: lines must be"):
        load_case(case)
    (case / "expect.yml").write_text(
        "problems:\n  - {path: a.py, lines: 3, category: perf, severity: high}\n"
    )
    with pytest.raises(CaseError, match="category must be"):
        load_case(case)


def test_the_harness_runs_every_case_against_the_emulator(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Scripted answers: exactly the expected problems, except three imperfect answer.yml files."""
    assert main(["--emulator", "--json", "--concurrency", "8"]) == 0
    out = capsys.readouterr()
    document = json.loads(out.out)
    last = out.err.rstrip("\n").splitlines()[-1]
    match = LAST_LINE.match(last)
    assert match is not None, last
    assert last == document["line"]
    total = document["total"]
    assert match.group(4) == str(len(CASES)) == str(total["cases"])
    assert total["expected"] == sum(len(c.problems) for c in CASES)
    assert total["matched"] == total["expected"] - 1  # express-not-found-returns-200's category
    assert total["noise"] == 2
    assert total["cost_usd"] > 0 and total["input_tokens"] > 0
    assert total["cache_creation_input_tokens"] > 0
    scripted = {c.name for c in CASES if c.answer is not None}
    by_name = {c["name"]: c for c in document["cases"]}
    for name, case in by_name.items():
        assert case["model_status"] == "ok", (name, case["notes"])
        if name not in scripted:
            assert case["recall"] in (1.0, None), (name, case["missed"])
            assert case["noise"] == 0, name
    express = by_name["express-not-found-returns-200"]
    assert express["missed"][0]["reasons"] == ["category code-quality"]
    assert [j["verdict"] for j in express["judged"]] == ["extra", "noise"]
    assert by_name["fine-drf-read-only-field"]["precision"] == 0.0
    assert by_name["fastapi-invoice-by-id-idor"]["precision"] == 1.0


def test_an_empty_answer_scores_recall_zero_through_the_harness(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--emulator", "--answers", "empty", "--cases", "fastapi-*"]) == 0
    text = capsys.readouterr().out
    assert "recall:            0.000" in text
    assert text.splitlines()[-1].startswith("eval recall 0.00 precision 1.00 cost $")


def test_no_matching_case_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--cases", "no-such-case-*"]) == 2
    assert capsys.readouterr().err == "eval: error: no case matches 'no-such-case-*'\n"


def test_compare_lists_the_cases_that_moved() -> None:
    def run(matched: int, noise: int) -> dict[str, object]:
        case = {"name": "c1", "matched": matched, "findings": 2, "noise": noise}
        total = dict.fromkeys(
            ("recall", "precision", "findings_per_case", "noise", "cost_usd", "wall_s"), 0.5
        )
        return {"model": "m", "mode": "api", "total": total, "cases": [case]}

    lines = compare(run(1, 0), run(0, 1))
    assert lines[-2:] == ["cases that moved: 1", "  c1: matched 1 -> 0, noise 0 -> 1"]
    assert compare(run(1, 0), run(1, 0))[-1] == "cases that moved: 0"

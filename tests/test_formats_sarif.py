"""SARIF and rdjson: schema-valid, one result/diagnostic per finding, stable fingerprints."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import anthropic
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import RepoConfig
from bot.diff import parse_diff
from bot.formats.rdjson import rdjson_document
from bot.formats.sarif import sarif_document
from bot.llm.client import ModelReviewer
from bot.models import FileDiff, Finding
from bot.review.pipeline import run_review
from bot.review.result import ReviewRequest, ReviewResult
from tests.emulators.anthropic import AnthropicEmulator, tool_use

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())
VALIDATOR = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)
SAMPLES = [*sorted((ROOT / "tests" / "samples").rglob("*.diff")), ROOT / "examples/orders-api.diff"]
EXAMPLE = ROOT / "examples" / "orders-api.diff"


def review(diff: bytes, model: ModelReviewer | None = None) -> tuple[ReviewResult, list[FileDiff]]:
    files = parse_diff(diff)
    result = asyncio.run(run_review(ReviewRequest(files=files), config=RepoConfig(), model=model))
    return result, files


def sarif_of(result: ReviewResult, files: list[FileDiff]) -> dict[str, Any]:
    doc = sarif_document(result.findings, {f.path: f for f in files})
    errors = sorted(VALIDATOR.iter_errors(doc), key=str)
    assert not errors, errors[0].message
    return doc


def where(finding: dict[str, Any]) -> tuple[str, str, int]:
    return finding["path"], finding["title"], finding["line"]


def check_one_per_finding(result: ReviewResult, doc: dict[str, Any]) -> None:
    """Every finding is a SARIF result and an rdjson diagnostic, in the same order."""
    [run] = doc["runs"]
    diagnostics = rdjson_document(result.findings)["diagnostics"]
    assert len(run["results"]) == len(diagnostics) == len(result.findings)
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules))
    for finding, res, diag in zip(result.findings, run["results"], diagnostics, strict=True):
        location = res["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == finding.path.replace(" ", "%20")
        assert diag["location"]["path"] == finding.path
        assert res["ruleId"] == diag["code"]["value"] == rules[res["ruleIndex"]]
        assert res["message"]["text"].startswith(finding.title)
        assert diag["message"].startswith(finding.title)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_diff_gives_valid_sarif_and_rdjson(path: Path) -> None:
    """Each sample's static review: schema-valid SARIF, one result and diagnostic per finding."""
    result, files = review(path.read_bytes())
    doc = sarif_of(result, files)
    check_one_per_finding(result, doc)


def test_example_rules_levels_and_security_ranking() -> None:
    """rules[] per rule id with help, level from the worst finding, security-severity on security."""
    result, files = review(EXAMPLE.read_bytes())
    doc = sarif_of(result, files)
    [run] = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "backend-review" and driver["version"] and driver["informationUri"]
    rules = {r["id"]: r for r in driver["rules"]}
    injection = rules["sql-injection"]
    assert injection["defaultConfiguration"]["level"] == "error"
    assert "security" in injection["properties"]["tags"]
    assert float(injection["properties"]["security-severity"]) >= 7.0
    assert injection["help"]["text"] and injection["help"]["markdown"]
    assert all(
        "security-severity" not in r["properties"]
        for r in rules.values()
        if "security" not in r["properties"]["tags"]
    )
    levels = {f.severity: r["level"] for f, r in zip(result.findings, run["results"], strict=True)}
    assert levels.get("high") == "error" and levels.get("medium") == "warning"
    assert levels.get("low", "note") == "note"
    ranged = [r for f, r in zip(result.findings, run["results"], strict=True) if f.start_line]
    for res in ranged:
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["endLine"] >= region["startLine"]


def shifted(diff: str, by: int) -> str:
    """The same change after a rebase that put `by` lines above every hunk."""
    import re

    def move(m: re.Match[str]) -> str:
        return f"@@ -{int(m[1]) + by},{m[2]} +{int(m[3]) + by},{m[4]} @@"

    return re.sub(r"^@@ -(\d+),(\d+) \+(\d+),(\d+) @@", move, diff, flags=re.MULTILINE)


def hashes(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (r["ruleId"], r["partialFingerprints"]["primaryLocationLineHash"])
        for r in doc["runs"][0]["results"]
    ]


def test_fingerprints_survive_reruns_and_rebases() -> None:
    """Two runs give the same hashes; so does a rebase that moves every line (lines differ)."""
    diff = (ROOT / "tests/samples/classify/python/flask_sqlalchemy_auth.diff").read_text()
    modified = 'diff --git a/app/db/orders.py b/app/db/orders.py\n--- a/app/db/orders.py\n+++ b/app/db/orders.py\n@@ -40,3 +40,4 @@ def find(q):\n     session = Session()\n-    rows = session.execute("SELECT * FROM orders")\n+    rows = session.execute(f"SELECT * FROM orders WHERE reference LIKE \'%{q}%\'")\n+    return rows\n     # end\n'
    text = diff + modified
    first, files = review(text.encode())
    again, files_again = review(text.encode())
    moved, files_moved = review(shifted(text, 25).encode())
    a, b, c = sarif_of(first, files), sarif_of(again, files_again), sarif_of(moved, files_moved)
    assert hashes(a) and hashes(a) == hashes(b)
    assert sorted(hashes(a)) == sorted(hashes(c))
    lines = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in a["runs"][0]["results"]
    }
    moved_lines = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in c["runs"][0]["results"]
    }
    assert lines != moved_lines
    assert len({h for _, h in hashes(a)}) == len(hashes(a))  # no two alerts collapse


MODEL_FINDINGS = [
    {
        "path": "app/api/orders.py",
        "line": 19,
        "severity": "high",
        "category": "security",
        "title": "Order listing does not check the caller owns the orders",
        "body": "Filter by the authenticated customer, or any user lists everyone's orders.",
    },
    {
        "path": "migrations/versions/20261120_add_order_status.py",
        "line": 26,
        "severity": "medium",
        "category": "database",
        "title": "Downgrade cannot restore legacy_ref values",
        "body": "The upgrade drops the data; copy it to a backup table first.",
    },
]


def test_model_findings_from_the_emulator(anthropic_emulator: AnthropicEmulator) -> None:
    """Model findings get one stable rule per category, security ranked; still schema-valid."""
    anthropic_emulator.enqueue(tool_use({"summary": "s", "findings": MODEL_FINDINGS}))

    async def go() -> tuple[ReviewResult, list[FileDiff]]:
        client = anthropic.AsyncAnthropic(
            api_key="k", base_url=anthropic_emulator.url, max_retries=0, timeout=5
        )
        reviewer = ModelReviewer(client, model="claude-sonnet-5-5", max_tokens=4000, concurrency=2)
        files = parse_diff(EXAMPLE.read_bytes())
        try:
            result = await run_review(
                ReviewRequest(files=files), config=RepoConfig(), model=reviewer
            )
        finally:
            await reviewer.aclose()
        return result, files

    result, files = asyncio.run(go())
    assert any(f.source == "model" for f in result.findings)
    doc = sarif_of(result, files)
    check_one_per_finding(result, doc)
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert "security-severity" in rules["backend-review/security"]["properties"]
    assert rules["backend-review/security"]["defaultConfiguration"]["level"] == "error"
    ids = {r["ruleId"] for r in doc["runs"][0]["results"]}
    assert "backend-review/security" in ids


def finding(**changes: Any) -> Finding:
    base: dict[str, Any] = {
        "path": "db/q.sql",
        "line": 12,
        "severity": "medium",
        "category": "database",
        "title": "t",
        "body": "b",
        "source": "static",
        "rule": "select-star",
    }
    return Finding(**{**base, **changes})


def test_rdjson_suggestions_only_for_an_exact_fix() -> None:
    """A fix for the finding's own head lines is a linewise suggestion; removed code has none."""
    fixed = finding(start_line=10, suggestion="SELECT id FROM t\nWHERE x = 1\n")
    removed = finding(side="LEFT", line=7, suggestion="x")
    plain = finding(line=3)
    diags = rdjson_document([fixed, removed, plain])["diagnostics"]
    assert diags[0]["suggestions"] == [
        {
            "range": {"start": {"line": 10}, "end": {"line": 12}},
            "text": "SELECT id FROM t\nWHERE x = 1",
        }
    ]
    assert diags[0]["location"]["range"] == {"start": {"line": 10}, "end": {"line": 12}}
    assert "suggestions" not in diags[1] and "suggestions" not in diags[2]
    assert diags[1]["location"]["range"]["start"] == {"line": 1}
    assert "line 7 of the base version" in diags[1]["message"]
    assert [d["severity"] for d in diags] == ["WARNING"] * 3
    assert (
        diags[0]["code"] == {"value": "select-star"}
        and diags[0]["source"]["name"] == "backend-review"
    )


def test_same_code_twice_gets_distinct_alerts() -> None:
    """Two findings that hash alike (same rule, same code) stay two alerts."""
    twins = [finding(title="first"), finding(title="second")]
    doc = sarif_document(twins, {})
    assert not list(VALIDATOR.iter_errors(doc))
    assert len({h for _, h in hashes(doc)}) == 2


PATHS = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\\"),
    min_size=1,
    max_size=30,
).map(lambda s: "src/" + s.strip("/ ") + ".py")
FINDINGS = st.builds(
    Finding,
    path=PATHS,
    line=st.integers(1, 5000),
    start_line=st.none() | st.integers(1, 5000),
    side=st.sampled_from(["RIGHT", "LEFT"]),
    severity=st.sampled_from(["critical", "high", "medium", "low", "info"]),
    category=st.sampled_from(
        ["api-design", "database", "reliability", "observability", "code-quality", "security"]
    ),
    title=st.text(min_size=1, max_size=200).filter(str.strip),
    body=st.text(min_size=1, max_size=300).filter(str.strip),
    suggestion=st.none() | st.text(max_size=80),
    source=st.sampled_from(["model", "static"]),
    rule=st.none() | st.sampled_from(["select-star", "sql-injection", "ban-drop-column"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(FINDINGS, max_size=12))
def test_any_findings_give_valid_documents(findings: list[Finding]) -> None:
    """Whatever the findings (odd paths, removed code, ranges either way): schema-valid SARIF
    with one result each, one rdjson diagnostic each, ranges that never run backwards."""
    doc = sarif_document(findings, {})
    assert not list(VALIDATOR.iter_errors(doc))
    assert len(doc["runs"][0]["results"]) == len(findings)
    diagnostics = rdjson_document(findings)["diagnostics"]
    assert len(diagnostics) == len(findings)
    for diag in diagnostics:
        rng = diag["location"]["range"]
        assert 1 <= rng["start"]["line"] <= rng["end"]["line"]
    json.dumps(doc)

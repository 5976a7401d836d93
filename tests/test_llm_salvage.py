"""Salvaging a malformed model finding instead of dropping it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.diff import parse_patch
from bot.llm.salvage import map_category, map_severity, resolve_path, salvage, usable_line

PATCH = "@@ -1,2 +1,3 @@\n import os\n+import json\n x = 1\n"
FILES = {
    "app/api/x.py": parse_patch("app/api/x.py", PATCH),
    "app/new_name.py": parse_patch(
        "app/new_name.py", PATCH, status="renamed", old_path="app/old_name.py"
    ),
}


def _raw(**kw: Any) -> dict[str, Any]:
    base = {
        "path": "app/api/x.py",
        "line": 2,
        "severity": "high",
        "category": "security",
        "title": "Title",
        "body": "Body.",
    }
    return {**base, **kw}


@pytest.mark.parametrize(
    ("given", "text", "expected"),
    [
        ("performance", "This query has no index on orders.customer_id", "database"),
        ("performance", "The handler sleeps in a loop under load", "reliability"),
        ("correctness", "", "code-quality"),
        ("style", "", "code-quality"),
        ("migration", "", "database"),
        ("query", "", "database"),
        ("api", "", "api-design"),
        ("Security", "", "security"),
        ("api_design", "", "api-design"),
        ("anything else", "", "code-quality"),
        (None, "", "code-quality"),
        (7, "", "code-quality"),
    ],
)
def test_categories_map_to_the_closest_of_the_six(given: object, text: str, expected: str) -> None:
    """The issue's mapping: performance by subject, correctness/style, migration/query, api."""
    assert map_category(given, text) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [("HIGH", "high"), (" info ", "info"), ("blocker", "medium"), (None, "medium"), (3, "medium")],
)
def test_an_unknown_severity_becomes_medium(given: object, expected: str) -> None:
    """Known severities in any case are kept; anything else is medium."""
    assert map_severity(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("./app/api/x.py", "app/api/x.py"),
        ("b/app/api/x.py", "app/api/x.py"),
        ("a/app/api/x.py", "app/api/x.py"),
        ("/app/api/x.py", "app/api/x.py"),
        ("././app/api/x.py", "app/api/x.py"),
        ("app/old_name.py", "app/new_name.py"),
        ("b/app/old_name.py", "app/new_name.py"),
        ("app/unknown.py", "app/unknown.py"),
    ],
)
def test_paths_that_mean_a_file_of_the_pr_are_resolved(given: str, expected: str) -> None:
    """`./x`, `b/x`, `/x` and a renamed file's old name mean the PR's file."""
    assert resolve_path(given, FILES) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (12, 12),
        ("12", 12),
        (12.0, 12),
        (0, None),
        (-3, None),
        ("twelve", None),
        (10**15, None),
        (True, None),
        (None, None),
        (2.5, None),
    ],
)
def test_usable_lines(given: object, expected: int | None) -> None:
    """A positive whole number below ten million, written as a number or digits."""
    assert usable_line(given) == expected


@pytest.mark.parametrize("line", [0, -3, "twelve", 10**15, None])
def test_an_unusable_line_on_a_pr_file_makes_a_file_level_finding(line: object) -> None:
    """The finding keeps its file and text and becomes a file-level comment."""
    finding = salvage(_raw(line=line, path="./app/api/x.py", start_line=1), FILES)
    assert finding is not None
    assert finding.file_level and finding.path == "app/api/x.py" and finding.start_line is None


def test_salvage_fills_in_what_is_missing() -> None:
    """Only a title or only a body is enough; fenced suggestions are unwrapped; a bad range
    start is dropped."""
    only_body = salvage(
        _raw(title=None, body="  N+1 in the loop.\nMore.", severity="blocker", category="perf"),
        FILES,
    )
    assert only_body is not None
    assert (only_body.title, only_body.severity, only_body.category) == (
        "N+1 in the loop.",
        "medium",
        "code-quality",
    )
    only_title = salvage(_raw(body="", start_line=9, suggestion="```\nx = 2\n```"), FILES)
    assert only_title is not None and only_title.body == "Title"
    assert only_title.start_line is None and only_title.suggestion == "x = 2"


def test_only_a_finding_without_title_and_body_is_dropped() -> None:
    """Nothing to say, nothing to keep; anything else is kept (even without a path)."""
    assert salvage(_raw(title="", body=None), FILES) is None
    assert salvage("not an object", FILES) is None
    no_path = salvage({"title": "Something"}, FILES)
    assert no_path is not None and no_path.file_level

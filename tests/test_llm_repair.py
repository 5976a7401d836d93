"""The repair round: keep the valid findings, ask about the flawed, merge, salvage the rest."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.diff import parse_patch
from bot.llm.answer import Answer, validate_input
from bot.llm.repair import settle
from bot.review.placement import place_findings
from tests.test_llm_answer import PATCH  # the same two-hunk file

FILES = {
    "app/api/x.py": parse_patch("app/api/x.py", PATCH),
    "app/db/new.py": parse_patch(
        "app/db/new.py", PATCH, status="renamed", old_path="app/db/old.py"
    ),
}


def _f(**kw: Any) -> dict[str, Any]:
    base = {
        "path": "app/api/x.py",
        "line": 2,
        "severity": "high",
        "category": "security",
        "title": "Unsafe import",
        "body": "Explain and fix.",
    }
    return {**base, **kw}


def _answer(*items: Any) -> Answer:
    return validate_input({"summary": "s", "findings": list(items)}, FILES)


def test_valid_findings_of_the_first_answer_survive_any_repair() -> None:
    """The repair answer does not repeat the valid finding: it is kept all the same."""
    first = _answer(_f(title="Kept"), _f(title="Off by a mile", line=300))
    repaired = _answer(_f(title="Off by a mile", line=42, ref=1))
    settled = settle(first, repaired, FILES)
    assert [(f.title, f.line) for f in settled.findings] == [("Kept", 2), ("Off by a mile", 42)]
    assert (settled.corrected, settled.salvaged) == (1, 0)


def test_corrections_are_matched_by_ref_then_by_title() -> None:
    """`ref` names the flawed finding; without it, a similar title on the same file does."""
    first = _answer(_f(title="Alpha problem", severity="?"), _f(title="Beta problem", line=99))
    repaired = _answer(_f(title="Beta problem here", line=41), _f(title="Renamed", ref=1))
    settled = settle(first, repaired, FILES)
    assert sorted(f.title for f in settled.findings) == ["Beta problem here", "Renamed"]
    assert settled.corrected == 2 and settled.salvaged == 0


def test_what_the_repair_does_not_fix_is_kept_as_first_given() -> None:
    """A failed, refused or empty repair salvages every flawed finding of the first answer."""
    first = _answer(
        _f(title="Good"),
        _f(title="Anchor off", line=300),
        _f(title="Odd category", category="performance", body="A slow query without index"),
        _f(title="Odd severity", severity="blocker"),
        _f(title="No line", line="somewhere"),
        _f(title="Old name", path="app/db/old.py", line=41),
        _f(title="", body=""),
    )
    for repair in (None, _answer(), Answer(usable=False)):
        settled = settle(first, repair, FILES)
        by_title = {f.title: f for f in settled.findings}
        assert set(by_title) == {
            "Good",
            "Anchor off",
            "Odd category",
            "Odd severity",
            "No line",
            "Old name",
        }
        assert by_title["Anchor off"].line == 300  # placement moves it, not salvage
        assert by_title["Odd category"].category == "database"
        assert by_title["Odd severity"].severity == "medium"
        assert by_title["No line"].file_level
        assert by_title["Old name"].path == "app/db/new.py"
        assert settled.dropped == ["findings[6] (app/api/x.py:2): it has neither title nor body"]


def test_a_valid_finding_sent_again_is_not_taken_for_a_correction() -> None:
    """A repair that repeats everything leaves the flawed ones open, so they are salvaged."""
    items = [_f(title="Same"), _f(title="Same", line=400)]
    settled = settle(_answer(*items), _answer(*items), FILES)
    assert sorted(f.line for f in settled.findings) == [2, 400]
    assert settled.corrected == 0 and settled.salvaged == 1


# --------------------------------------------------------------------------- property

_PATHS = (
    st.sampled_from(
        [
            "app/api/x.py",
            "./app/api/x.py",
            "b/app/api/x.py",
            "app/db/old.py",
            "app/db/new.py",
            "app/not/in/pr.py",
            "",
            "   ",
        ]
    )
    | st.none()
    | st.integers()
)
_LINES = st.sampled_from([1, 2, 3, 41, 42, 44, 0, -3, "12", "twelve", 10**15, 2.5, None, 200])
_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=0, max_size=30)
_TEXT = _WORDS | st.none() | st.integers()


@st.composite
def _raw_finding(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 15)) == 0:
        return draw(st.sampled_from(["not an object", 5, None, []]))
    item: dict[str, Any] = {
        "path": draw(_PATHS),
        "line": draw(_LINES),
        "severity": draw(st.sampled_from(["critical", "High", "info", "blocker", None, 3])),
        "category": draw(
            st.sampled_from(["security", "database", "performance", "style", "api", "weird", None])
        ),
        "title": draw(_TEXT),
        "body": draw(_TEXT),
    }
    if draw(st.booleans()):
        item["start_line"] = draw(_LINES)
    if draw(st.booleans()):
        item["side"] = draw(st.sampled_from(["LEFT", "RIGHT", "middle", None]))
    if draw(st.booleans()):
        item["ref"] = draw(st.integers(0, 5))
    return {k: v for k, v in item.items() if draw(st.integers(0, 9)) or k == "title"}


def _usable(raw: Any) -> str | None:
    """The text a finding with a usable path and text must show up with, else None."""
    if not isinstance(raw, dict):
        return None
    path, title, body = raw.get("path"), raw.get("title"), raw.get("body")
    if not isinstance(path, str) or not path.strip():
        return None
    texts = [t.strip() for t in (body, title) if isinstance(t, str) and t.strip()]
    return texts[0] if texts else None


_REPAIRS = st.one_of(
    st.none(),  # the repair request failed, or was refused
    st.just([]),  # an empty answer
    st.lists(_raw_finding(), max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(first_items=st.lists(_raw_finding(), max_size=8), repair_items=_REPAIRS)
def test_no_finding_with_a_usable_path_and_text_is_lost(
    first_items: list[Any], repair_items: list[Any] | None
) -> None:
    """For any first answer and any repair answer (empty, refused, failed): every finding of
    the first answer with a usable path and text is posted or listed in the summary."""
    first = _answer(*first_items)
    repair = None if repair_items is None else _answer(*repair_items)
    settled = settle(first, repair, FILES)
    placement = place_findings(settled.findings, FILES, max_inline=5)
    shown = Counter(f.body for f, _ in placement.placed)
    shown.update(f.body for f, _ in placement.summary_only)
    expected = Counter(t for t in map(_usable, first_items) if t is not None)
    corrected = settled.corrected  # a corrected finding may say it in other words
    missing = expected - shown
    assert sum(missing.values()) <= corrected, (missing, settled)
    assert len(placement.placed) + len(placement.summary_only) == len(settled.findings)

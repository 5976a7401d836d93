"""Markers: hidden state in comment bodies that later runs read back exactly."""

from __future__ import annotations

import pytest

from bot.markers import (
    SummaryState,
    find_fingerprints,
    fingerprint_marker,
    is_summary_comment,
    parse_summary_marker,
    summary_marker,
)


def test_fingerprint_marker_round_trips() -> None:
    """A fingerprint written into a body is found again, among other text."""
    body = f"Some text\n\n{fingerprint_marker('0123456789abcdef')}\n"
    assert find_fingerprints(body) == {"0123456789abcdef"}


def test_find_fingerprints_collects_every_marker() -> None:
    """A summary may carry several fingerprints."""
    body = fingerprint_marker("aaaaaaaa") + "\n" + fingerprint_marker("bbbbbbbb")
    assert find_fingerprints(body) == {"aaaaaaaa", "bbbbbbbb"}
    assert find_fingerprints("") == set()


def test_summary_marker_round_trips_with_fingerprints() -> None:
    """Head, configuration hash and fingerprints come back as written."""
    state = SummaryState(
        head_sha="a" * 40, config_hash="0f" * 4, fingerprints=frozenset({"12345678", "9abcdef0"})
    )
    body = "## summary\n\n" + summary_marker(state)
    assert parse_summary_marker(body) == state
    assert is_summary_comment(body)


def test_summary_marker_without_fingerprints() -> None:
    """An empty fingerprint list is allowed."""
    state = SummaryState(head_sha="", config_hash="")
    assert parse_summary_marker(summary_marker(state)) == state


def test_other_comments_are_not_summaries() -> None:
    """A body without our marker has no state."""
    assert parse_summary_marker("LGTM") is None
    assert not is_summary_comment("LGTM")
    assert not is_summary_comment(fingerprint_marker("12345678"))


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("XYZ", id="not-hex"),
        pytest.param("abc", id="too-short"),
        pytest.param("ab --> <b>", id="closes-the-comment"),
    ],
)
def test_markers_refuse_values_they_could_not_read_back(bad: str) -> None:
    """Writing an unparseable marker is a bug, caught at once."""
    with pytest.raises(ValueError, match="hex"):
        fingerprint_marker(bad)
    with pytest.raises(ValueError, match="hex"):
        summary_marker(SummaryState(head_sha="", config_hash="", fingerprints=frozenset({bad})))
    if bad != "abc":
        with pytest.raises(ValueError, match="hex"):
            summary_marker(SummaryState(head_sha=bad, config_hash=""))

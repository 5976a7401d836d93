"""The migration checks against our own case sets: recall and precision per family."""

from __future__ import annotations

import pytest

from tests.migration_cases import FAMILIES, score


@pytest.mark.parametrize("family", FAMILIES)
def test_case_set_recall_and_precision(family: str) -> None:
    """Django, Alembic and squawk-rule cases: recall and precision at least 0.95."""
    result = score(family)
    assert result.recall >= 0.95 and result.precision >= 0.95, result.misses

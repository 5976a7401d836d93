"""Each family of OpenAPI contract change (composition, nullability and types, lifecycle, 3.1
keywords, readOnly/writeOnly, parameters, media types, statuses, webhooks) on written
base/head pairs (tests/samples/contracts/openapi-eval/): the breaking edit gives its oasdiff id
once, the compatible edit next to it gives nothing."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from bot.checks.contracts.openapi.lines import spec_changes
from tests.openapi_eval import Case, load_cases, reported, score

CASES = load_cases()


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES if c.expect])
def test_breaking_edit_reports_its_oasdiff_id_once(case: Case) -> None:
    """The expected ids, each exactly once, and nothing else."""
    assert Counter(reported(case)) == Counter(case.expect)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES if not c.expect])
def test_compatible_edit_reports_nothing(case: Case) -> None:
    """Widenings in requests, narrowings in responses, allowed removals: no finding."""
    assert reported(case) == []


def test_every_family_has_positive_and_negative_cases() -> None:
    """The sample set keeps covering every family both ways."""
    kinds = {(c.family, bool(c.expect)) for c in CASES}
    for family in {c.family for c in CASES}:
        assert (family, True) in kinds and (family, False) in kinds, family


def test_recall_and_precision_over_the_sample_set() -> None:
    """The figures `python -m tests.openapi_eval` prints stay at the issue's targets."""
    tp = fp = fn = 0
    for case in CASES:
        t, f, n = score(case)
        tp, fp, fn = tp + t, fp + f, fn + n
    assert tp / (tp + fn) >= 0.65
    assert tp / (tp + fp) >= 0.95


def test_aliased_members_and_consts_are_compared_cheaply() -> None:
    """`oneOf` members, `const` and enum values that alias a billion-fold structure are
    compared within a bound, not spelled out."""
    bomb = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n" for i in range(1, 9)
    )
    body = (
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n"
        "      requestBody:\n        content:\n          application/json:\n            schema:\n"
        "              oneOf: [{const: *l8}, {enum: [*l8]}, {type: string}]\n"
        "      responses: {'200': {description: ok}}\n"
    )
    started = time.process_time()
    changes = spec_changes(bomb + body, bomb + body.replace("type: string", "type: integer"))
    assert changes is not None
    assert time.process_time() - started < 2.0

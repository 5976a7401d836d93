"""Recall and precision of the OpenAPI contract check on written base/head pairs with the
oasdiff rule ids a breaking-change check should report (tests/samples/contracts/openapi-eval/).

    python -m tests.openapi_eval        # prints per-family and overall figures

A case's expected ids are a set: an id reported twice counts once as found and once as a
false positive (a change is reported once).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.checks.contracts.openapi.lines import spec_changes

CASES = Path(__file__).parent / "samples" / "contracts" / "openapi-eval"
_TODAY = date(2026, 12, 1)


@dataclass(frozen=True)
class Case:
    name: str
    family: str
    base: str
    head: str
    expect: frozenset[str]
    today: date


def _wrap(case: dict[str, Any], schema: Any, components: Any) -> str:
    """One schema as the request body of POST /v1/payments or the 200 response of
    GET /v1/payments/{id}."""
    body = {"content": {"application/json": {"schema": schema}}}
    if case["in"] == "request":
        op = {"post": {"requestBody": body, "responses": {"201": {"description": "created"}}}}
        path = "/v1/payments"
    else:
        op = {"get": {"responses": {"200": {"description": "ok", **body}}}}
        path = "/v1/payments/{id}"
    doc: dict[str, Any] = {
        "openapi": case.get("openapi", "3.0.3"),
        "info": {"title": "Payments", "version": "1.0.0"},
        "paths": {path: op},
    }
    if components:
        doc["components"] = {"schemas": components}
    return yaml.safe_dump(doc, sort_keys=False)


def _family(name: str) -> str:
    words = name.lower()
    for family, keys in (
        ("composition", ("oneof", "anyof", "allof", "wrapped", "member")),
        ("lifecycle", ("sunset", "stability", "alpha", "deprecat")),
        ("nullability/types", ("null", "type")),
        (
            "3.1 keywords",
            (
                "const",
                "contain",
                "prefixitems",
                "if/",
                "else",
                "dependent",
                "unevaluated",
                "propertynames",
                "patternproperties",
                "exclusive",
                "content",
            ),
        ),
        ("readOnly/writeOnly", ("readonly", "writeonly")),
    ):
        if any(k in words for k in keys):
            return family
    return "other"


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for raw in yaml.safe_load((CASES / "schemas.yaml").read_text()):
        components = raw.get("components")
        head_components = raw.get("head_components", components)
        cases.append(
            Case(
                raw["name"],
                _family(raw["name"]),
                _wrap(raw, raw["base"], components),
                _wrap(raw, raw["head"], head_components),
                frozenset(raw["expect"]),
                _TODAY,
            )
        )
    for raw in yaml.safe_load((CASES / "specs.yaml").read_text()):
        cases.append(
            Case(
                raw["name"],
                _family(raw["name"]),
                yaml.safe_dump(raw["base"], sort_keys=False),
                yaml.safe_dump(raw["head"], sort_keys=False),
                frozenset(raw["expect"]),
                raw.get("today", _TODAY),
            )
        )
    return cases


def reported(case: Case) -> list[str]:
    changes = spec_changes(case.base, case.head, today=case.today)
    assert changes is not None, f"{case.name}: a side did not parse"
    return [c.rule for c in changes]


def score(case: Case) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of one case."""
    counts = Counter(reported(case))
    tp = sum(1 for rule in case.expect if counts[rule])
    fp = sum(n for rule, n in counts.items() if rule not in case.expect) + sum(
        n - 1 for rule, n in counts.items() if rule in case.expect and n > 1
    )
    return tp, fp, len(case.expect) - tp


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def main() -> int:
    totals: dict[str, list[int]] = {}
    for case in load_cases():
        tp, fp, fn = score(case)
        for key in (case.family, "all"):
            row = totals.setdefault(key, [0, 0, 0, 0])
            row[0] += tp
            row[1] += fp
            row[2] += fn
            row[3] += 1
        if fp or fn:
            print(f"MISS {case.name}: expected {sorted(case.expect)}, got {reported(case)}")
    print(f"{'family':<20} {'cases':>5} {'recall':>7} {'precision':>9}")
    for key, (tp, fp, fn, n) in sorted(totals.items(), key=lambda kv: kv[0] == "all"):
        print(f"{key:<20} {n:>5} {_ratio(tp, tp + fn):>7.2f} {_ratio(tp, tp + fp):>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

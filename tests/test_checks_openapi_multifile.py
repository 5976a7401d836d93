"""Specs split over several files: `$ref`s to other repository files are read at base and
head through the ContentSource (or the diff), within a bound; a change inside a referenced
file is commented on that file; a PR that changes only a referenced file is still checked."""

from __future__ import annotations

from bot.checks.contracts.multifile import MAX_ROOT_READS
from bot.checks.contracts.openapi.refs import MAX_FILES
from tests.test_checks_contracts import DictSource, check, make_diff

SPEC = """openapi: 3.0.3
info: {title: Payments, version: 1.4.0}
paths:
  /v1/payments/{id}:
    get:
      operationId: getPayment
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: The payment
          content:
            application/json:
              schema:
                $ref: "./schemas/payment.yaml#/Payment"
  /v1/payments:
    post:
      operationId: createPayment
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: "schemas/payment.yaml#/NewPayment"
      responses:
        "201": {description: Created}
"""
PAYMENT = """Payment:
  type: object
  required: [id, amount, status]
  properties:
    id: {type: string}
    amount:
      $ref: "./money.yaml"
    status: {type: string, enum: [pending, captured, refunded]}
    captured_at: {type: string, format: date-time}
NewPayment:
  type: object
  required: [amount]
  properties:
    amount:
      $ref: "money.yaml"
    reference: {type: string, maxLength: 140}
"""
MONEY = """type: object
required: [value, currency]
properties:
  value: {type: integer}
  currency: {type: string}
"""
FILES = {
    "api/openapi.yaml": SPEC,
    "api/schemas/payment.yaml": PAYMENT,
    "api/schemas/money.yaml": MONEY,
}


def _source(**head_changes: str) -> DictSource:
    head = dict(FILES)
    for key, text in head_changes.items():
        head[key.replace("__", "/").replace("_yaml", ".yaml")] = text
    return DictSource(dict(FILES), head)


def test_change_in_a_changed_fragment_is_commented_on_that_file() -> None:
    """Spec and fragment both changed: the fragment's removed property is reported on the
    fragment's removed line, the spec's own change on the spec."""
    payment = PAYMENT.replace("    captured_at: {type: string, format: date-time}\n", "")
    spec = SPEC.replace("version: 1.4.0", "version: 1.5.0").replace(
        '        "201": {description: Created}\n',
        '        "201": {description: Created}\n        "409": {description: Duplicate}\n',
    )
    source = DictSource(
        dict(FILES), {**FILES, "api/openapi.yaml": spec, "api/schemas/payment.yaml": payment}
    )
    found = check(
        make_diff("api/openapi.yaml", SPEC, spec, context=3),
        make_diff("api/schemas/payment.yaml", PAYMENT, payment, context=3),
        source=source,
    )
    assert [(f.path, f.rule, f.side) for f in found] == [
        ("api/schemas/payment.yaml", "response-optional-property-removed", "LEFT")
    ]
    assert (
        found[0].line
        == PAYMENT.splitlines().index("    captured_at: {type: string, format: date-time}") + 1
    )


def test_only_a_referenced_file_changed_finds_the_spec_and_reports_there() -> None:
    """A PR that edits schemas/money.yaml alone: the spec two folders up is found, both
    operations are compared, and each finding is on money.yaml."""
    money = MONEY.replace("  value: {type: integer}\n", "  value: {type: string}\n")
    source = DictSource(dict(FILES), {**FILES, "api/schemas/money.yaml": money})
    found = check(make_diff("api/schemas/money.yaml", MONEY, money, context=3), source=source)
    assert sorted((f.path, f.rule) for f in found) == [
        ("api/schemas/money.yaml", "request-property-type-changed"),
        ("api/schemas/money.yaml", "response-property-type-changed"),
    ]


def test_fragment_change_that_breaks_nothing_gives_nothing() -> None:
    """A new optional response property in a fragment is no finding."""
    payment = PAYMENT.replace(
        "    captured_at:", "    refunded_at: {type: string, format: date-time}\n    captured_at:"
    )
    source = DictSource(dict(FILES), {**FILES, "api/schemas/payment.yaml": payment})
    assert (
        check(make_diff("api/schemas/payment.yaml", PAYMENT, payment, context=3), source=source)
        == []
    )


def test_whole_file_diffs_resolve_references_without_a_source() -> None:
    """With full-context diffs of spec and fragment and no source, both versions of the
    fragment come from its diff."""
    payment = PAYMENT.replace("required: [id, amount, status]", "required: [id, amount]")
    spec = SPEC.replace("version: 1.4.0", "version: 1.4.1")
    found = check(
        make_diff("api/openapi.yaml", SPEC, spec),
        make_diff("api/schemas/payment.yaml", PAYMENT, payment),
    )
    assert [(f.path, f.rule) for f in found] == [
        ("api/schemas/payment.yaml", "response-property-became-optional")
    ]


def test_unreadable_reference_is_no_finding() -> None:
    """Without any way to read the referenced file the spec compares as before: an external
    `$ref` is an unknown schema, not a removed one."""
    spec = SPEC.replace("version: 1.4.0", "version: 1.4.1").replace(
        "      operationId: getPayment\n", "      operationId: fetchPayment\n"
    )
    assert check(make_diff("api/openapi.yaml", SPEC, spec)) == []


def test_reads_are_bounded_and_stay_in_the_repository() -> None:
    """A chain of files referring to the next is read at most MAX_FILES deep per side;
    URLs and paths that leave the repository are never read."""
    chain = {
        f"api/c{i}.yaml": f'type: object\nproperties:\n  next:\n    $ref: "c{i + 1}.yaml"\n'
        for i in range(60)
    }
    spec = SPEC.replace('$ref: "./schemas/payment.yaml#/Payment"', '$ref: "c0.yaml"').replace(
        '$ref: "schemas/payment.yaml#/NewPayment"',
        '$ref: "../../outside.yaml"\n              x-other: {$ref: "https://example.com/x.yaml"}',
    )
    head_spec = spec.replace("version: 1.4.0", "version: 1.4.1")
    base = {**chain, "api/openapi.yaml": spec}
    source = DictSource(base, {**chain, "api/openapi.yaml": head_spec})
    check(make_diff("api/openapi.yaml", spec, head_spec, context=3), source=source)
    read = {p for p, _ in source.reads}
    assert not any("outside" in p or "example.com" in p for p in read)
    for side in ("base", "head"):
        assert sum(1 for p, s in source.reads if s == side and p.startswith("api/c")) <= MAX_FILES


def test_looking_for_the_spec_of_a_fragment_is_bounded() -> None:
    """Fragments deep in a tree with no spec around cost at most MAX_ROOT_READS lookups."""
    files = [f"svc{i}/a/b/c/schemas/thing.yaml" for i in range(6)]
    text = "type: object\nproperties:\n  a: {type: string}\n"
    new = text.replace("string", "integer")
    source = DictSource(dict.fromkeys(files, text), dict.fromkeys(files, new))
    assert check(*(make_diff(p, text, new, context=3) for p in files), source=source) == []
    lookups = [p for p, _ in source.reads if p not in files]
    assert len(lookups) <= MAX_ROOT_READS

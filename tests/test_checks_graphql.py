"""GraphQL SDL: the parser, and one positive and one negative case per rule on a realistic
schema (tests/samples/contracts/shop-schema.graphql)."""

from __future__ import annotations

import pytest

from bot.checks.contracts.graphql import parse_sdl, sdl_changes
from bot.models import Finding
from tests.test_checks_contracts import check, make_diff, sample

SDL = sample("shop-schema.graphql")


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"sample edit is ambiguous or missing: {old!r}"
    return text.replace(old, new)


def findings(new: str, old: str = SDL, path: str = "schema/shop.graphql") -> list[Finding]:
    return check(make_diff(path, old, new))


POSITIVE = [
    pytest.param(
        edit(SDL, "type OrderLine {\n  sku: String!\n  quantity: Int!\n}\n", ""),
        "graphql-type-removed",
        "high",
        id="type-removed",
    ),
    pytest.param(
        edit(SDL, "type OrderLine {", "interface OrderLine {"),
        "graphql-type-kind-changed",
        "high",
        id="type-kind-changed",
    ),
    pytest.param(
        edit(SDL, "  currency: String!\n", ""), "graphql-field-removed", "high", id="field-removed"
    ),
    pytest.param(
        edit(SDL, '  legacyRef: String @deprecated(reason: "Use id")\n', ""),
        "graphql-field-removed-with-deprecation",
        "low",
        id="deprecated-field-removed",
    ),
    pytest.param(
        edit(SDL, "  note: String\n  legacyRef", "  note: Int\n  legacyRef"),
        "graphql-field-type-changed",
        "high",
        id="field-type-changed",
    ),
    pytest.param(
        edit(SDL, "  currency: String!\n", "  currency: String\n"),
        "graphql-field-type-changed",
        "high",
        id="field-became-nullable",
    ),
    pytest.param(
        edit(SDL, "  cancelOrder(id: ID!, reason: String): Order", "  cancelOrder(id: ID!): Order"),
        "graphql-argument-removed",
        "high",
        id="argument-removed",
    ),
    pytest.param(
        edit(SDL, "  search(term: String!, limit: Int)", "  search(term: String!, limit: Int!)"),
        "graphql-argument-became-required",
        "high",
        id="argument-became-required",
    ),
    pytest.param(
        edit(SDL, "  me: Customer\n", "  me(tenant: ID!): Customer\n"),
        "graphql-required-argument-added",
        "high",
        id="required-argument-added",
    ),
    pytest.param(
        edit(SDL, "  order(id: ID!): Order", "  order(id: Int!): Order"),
        "graphql-argument-type-changed",
        "high",
        id="argument-type-changed",
    ),
    pytest.param(
        edit(SDL, "  coupon: String\n  channel", "  channel"),
        "graphql-input-field-removed",
        "high",
        id="input-field-removed",
    ),
    pytest.param(
        edit(SDL, "  note: String\n  coupon: String\n", "  note: String!\n  coupon: String\n"),
        "graphql-input-field-became-required",
        "high",
        id="input-field-became-required",
    ),
    pytest.param(
        edit(
            SDL,
            "input OrderLineInput {\n  sku: String!\n",
            "input OrderLineInput {\n  sku: String!\n  warehouse: ID!\n",
        ),
        "graphql-required-input-field-added",
        "high",
        id="required-input-field-added",
    ),
    pytest.param(
        edit(
            SDL,
            "input OrderLineInput {\n  sku: String!\n  quantity: Int!\n",
            "input OrderLineInput {\n  sku: String!\n  quantity: Float!\n",
        ),
        "graphql-input-field-type-changed",
        "high",
        id="input-field-type-changed",
    ),
    pytest.param(
        edit(SDL, "  SHIPPED\n  CANCELLED\n", "  SHIPPED\n"),
        "graphql-enum-value-removed",
        "high",
        id="enum-value-removed",
    ),
    pytest.param(
        edit(SDL, '  GUEST @deprecated(reason: "Use USER")\n', ""),
        "graphql-enum-value-removed-with-deprecation",
        "low",
        id="deprecated-enum-value-removed",
    ),
    pytest.param(
        edit(SDL, "union SearchResult = Order | Customer", "union SearchResult = Order"),
        "graphql-union-member-removed",
        "high",
        id="union-member-removed",
    ),
    pytest.param(
        edit(SDL, "type Order implements Node & Timestamped", "type Order implements Node"),
        "graphql-interface-removed",
        "high",
        id="interface-removed",
    ),
]


@pytest.mark.parametrize(("new", "rule", "severity"), POSITIVE)
def test_breaking_schema_change_is_reported(new: str, rule: str, severity: str) -> None:
    """Each breaking SDL edit produces its rule at its severity, and nothing else."""
    found = findings(new)
    assert [(f.rule, f.severity) for f in found] == [(rule, severity)]


NEGATIVE = [
    pytest.param(
        edit(
            SDL,
            "  cancelOrder(id: ID!, reason: String): Order",
            "  cancelOrder(id: ID!, reason: String @deprecated): Order",
        ),
        id="argument-deprecated",
    ),
    pytest.param(SDL, id="unchanged"),
    pytest.param(
        edit(SDL, "type OrderLine {\n", "type Refund {\n  id: ID!\n}\n\ntype OrderLine {\n"),
        id="type-added",
    ),
    pytest.param(
        edit(SDL, "  me: Customer\n", "  me: Customer\n  refunds: [String!]!\n"), id="field-added"
    ),
    pytest.param(
        edit(SDL, "  note: String\n  legacyRef", "  note: String!\n  legacyRef"),
        id="output-field-became-non-null",
    ),
    pytest.param(
        edit(SDL, "  search(term: String!, limit: Int)", "  search(term: String, limit: Int)"),
        id="argument-became-optional",
    ),
    pytest.param(
        edit(SDL, "  me: Customer\n", "  me(tenant: ID): Customer\n"), id="optional-argument-added"
    ),
    pytest.param(
        edit(
            SDL, "  search(term: String!, limit: Int)", "  search(term: String!, limit: Int! = 10)"
        ),
        id="argument-required-with-default",
    ),
    pytest.param(
        edit(SDL, "  me: Customer\n", '  me(tenant: ID! = "main"): Customer\n'),
        id="required-argument-with-default-added",
    ),
    pytest.param(
        edit(
            SDL,
            "input OrderLineInput {\n  sku: String!\n",
            "input OrderLineInput {\n  sku: String!\n  warehouse: ID\n",
        ),
        id="optional-input-field-added",
    ),
    pytest.param(edit(SDL, "  CANCELLED\n}", "  CANCELLED\n  REFUNDED\n}"), id="enum-value-added"),
    pytest.param(
        edit(
            SDL, "  currency: String!\n", '  currency: String! @deprecated(reason: "Use money")\n'
        ),
        id="field-deprecated",
    ),
    pytest.param(
        edit(SDL, '"Total in the smallest currency unit."', '"Total in cents."'),
        id="description-only",
    ),
    pytest.param(
        edit(
            SDL,
            "union SearchResult = Order | Customer",
            "union SearchResult = Order | Customer | OrderLine",
        ),
        id="union-member-added",
    ),
]


@pytest.mark.parametrize("new", NEGATIVE)
def test_compatible_schema_change_is_not_reported(new: str) -> None:
    """Additions, deprecations and output fields that became non-null break no client."""
    assert findings(new) == []


def test_removed_field_is_anchored_on_its_removed_line() -> None:
    """A removed field is reported on its old (LEFT) line."""
    (finding,) = findings(edit(SDL, "  currency: String!\n", ""))
    assert finding.side == "LEFT"
    assert finding.line == SDL.splitlines().index("  currency: String!") + 1


def test_changed_argument_is_anchored_on_its_new_line() -> None:
    """An argument change is reported on the RIGHT line that declares it."""
    new = edit(SDL, "  order(id: ID!): Order", "  order(id: Int!): Order")
    (finding,) = findings(new)
    assert finding.side == "RIGHT"
    assert new.splitlines()[finding.line - 1] == "  order(id: Int!): Order"


def test_client_operation_documents_are_not_schemas() -> None:
    """A .graphql file of queries (a client's) is not parsed as a schema: no findings."""
    old = "query Orders($first: Int) {\n  orders(first: $first) {\n    id\n    total\n  }\n}\n"
    new = "query Orders($first: Int) {\n  orders(first: $first) {\n    id\n  }\n}\n"
    assert parse_sdl(old) is None
    assert findings(new, old, "web/queries/orders.graphql") == []


def test_unreadable_schema_is_skipped() -> None:
    """Broken SDL on either side gives no finding and no error."""
    assert sdl_changes(SDL, "type Query {\n  order(id: ID!: Order\n") is None
    assert findings("type Query {\n  order(id: ID!: Order\n") == []


def test_extend_type_adds_fields_to_the_type() -> None:
    """Fields declared in `extend type` belong to the type; removing one is found."""
    types = parse_sdl(SDL)
    assert types is not None and "health" in types["Query"].fields
    new = edit(SDL, "extend type Query {\n  health: String! @deprecated\n}\n", "")
    assert [f.rule for f in findings(new)] == ["graphql-field-removed-with-deprecation"]


def test_schema_in_a_non_graphql_file_is_found_by_content() -> None:
    """SDL kept in a `.sdl` file is recognised by its `type Query {` content."""
    new = edit(SDL, "  currency: String!\n", "")
    assert [f.rule for f in findings(new, SDL, "api/schema.sdl")] == ["graphql-field-removed"]


def test_block_strings_comments_and_directives_are_skipped() -> None:
    """Descriptions, comments and directive arguments do not confuse the parser."""
    text = '# comment\n"""\nA "quoted" description\n"""\ntype Query @key(fields: "id") {\n  "doc" a(x: [Int!] = [1, 2], y: In = {k: $v}): [String!]! @deprecated(reason: """x""")\n}\n'
    types = parse_sdl(text)
    assert types is not None
    a = types["Query"].fields["a"]
    assert (a.type, a.deprecated, a.args["x"].type, a.args["x"].has_default) == (
        "[String!]!",
        True,
        "[Int!]",
        True,
    )


@pytest.mark.parametrize(
    "text",
    ["type Query {\n  a(x: Int", "enum E {\n  A\n", 'type Q @key(fields: "id"', "union U = A |"],
)
def test_unterminated_definitions_end_the_parse(text: str) -> None:
    """SDL cut off inside a block is unreadable (None), never an endless loop."""
    assert parse_sdl(text) is None


def test_deprecated_argument_removed_is_low() -> None:
    """An argument marked @deprecated before it is removed is a low-severity note."""
    old = edit(
        SDL,
        "  cancelOrder(id: ID!, reason: String): Order",
        "  cancelOrder(id: ID!, reason: String @deprecated): Order",
    )
    new = edit(
        old,
        "  cancelOrder(id: ID!, reason: String @deprecated): Order",
        "  cancelOrder(id: ID!): Order",
    )
    assert [(f.rule, f.severity) for f in findings(new, old)] == [
        ("graphql-argument-removed-with-deprecation", "low")
    ]

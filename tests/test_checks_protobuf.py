"""Protocol Buffers: the parser, and one positive and one negative case per rule on a
realistic .proto file (tests/samples/contracts/orders.proto)."""

from __future__ import annotations

import pytest

from bot.checks.contracts.protobuf import parse_proto, proto_changes
from bot.models import Finding
from tests.test_checks_contracts import check, make_diff, sample

PROTO = sample("orders.proto")


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"sample edit is ambiguous or missing: {old!r}"
    return text.replace(old, new)


def findings(new: str, old: str = PROTO) -> list[Finding]:
    return check(make_diff("proto/shop/orders/v1/orders.proto", old, new))


POSITIVE = [
    pytest.param(
        edit(
            PROTO,
            "  rpc WatchOrders(WatchOrdersRequest) returns (stream OrderEvent);\n}\n",
            "}\n",
        ).replace("service OrderService {\n", "service OrderService2 {\n"),
        "proto-service-no-delete",
        "high",
        id="service-removed",
    ),
    pytest.param(
        edit(PROTO, "  rpc CancelOrder(CancelOrderRequest) returns (Order);\n", ""),
        "proto-rpc-no-delete",
        "high",
        id="rpc-removed",
    ),
    pytest.param(
        edit(
            PROTO,
            "rpc GetOrder(GetOrderRequest) returns (Order);",
            "rpc GetOrder(ListOrdersRequest) returns (Order);",
        ),
        "proto-rpc-same-request-type",
        "high",
        id="rpc-request-type",
    ),
    pytest.param(
        edit(
            PROTO,
            "rpc CancelOrder(CancelOrderRequest) returns (Order);",
            "rpc CancelOrder(CancelOrderRequest) returns (OrderEvent);",
        ),
        "proto-rpc-same-response-type",
        "high",
        id="rpc-response-type",
    ),
    pytest.param(
        edit(PROTO, "returns (stream OrderEvent)", "returns (OrderEvent)"),
        "proto-rpc-same-server-streaming",
        "high",
        id="rpc-server-streaming",
    ),
    pytest.param(
        edit(
            PROTO,
            "rpc WatchOrders(WatchOrdersRequest)",
            "rpc WatchOrders(stream WatchOrdersRequest)",
        ),
        "proto-rpc-same-client-streaming",
        "high",
        id="rpc-client-streaming",
    ),
    pytest.param(
        edit(PROTO, "message WatchOrdersRequest { int64 customer_id = 1; }\n", ""),
        "proto-message-no-delete",
        "medium",
        id="message-removed",
    ),
    pytest.param(
        edit(PROTO, "  string currency = 4;\n", ""),
        "proto-field-no-delete",
        "high",
        id="field-removed",
    ),
    pytest.param(
        edit(PROTO, "  string currency = 4;\n", "  string currency = 11;\n"),
        "proto-field-number-changed",
        "high",
        id="field-renumbered",
    ),
    pytest.param(
        edit(PROTO, "  int64 total_cents = 3;\n", "  string total_cents = 3;\n"),
        "proto-field-same-type",
        "high",
        id="field-type",
    ),
    pytest.param(
        edit(PROTO, "  string currency = 4;\n", "  repeated string currency = 4;\n"),
        "proto-field-same-cardinality",
        "high",
        id="field-cardinality",
    ),
    pytest.param(
        edit(PROTO, "  string currency = 4;\n", "  string currency_code = 4;\n"),
        "proto-field-same-name",
        "medium",
        id="field-renamed",
    ),
    pytest.param(
        edit(PROTO, "  ORDER_STATUS_CANCELLED = 4;\n", ""),
        "proto-enum-value-no-delete",
        "high",
        id="enum-value-removed",
    ),
    pytest.param(
        edit(PROTO, "  ORDER_STATUS_CANCELLED = 4;\n", "  ORDER_STATUS_CANCELED = 4;\n"),
        "proto-enum-value-same-name",
        "medium",
        id="enum-value-renamed",
    ),
    pytest.param(
        edit(PROTO, "    string sku = 1;\n", "    bytes sku = 1;\n"),
        "proto-field-same-type",
        "high",
        id="nested-message-field-type",
    ),
]


@pytest.mark.parametrize(("new", "rule", "severity"), POSITIVE)
def test_breaking_proto_change_is_reported(new: str, rule: str, severity: str) -> None:
    """Each breaking .proto edit produces its rule at its severity, and nothing else."""
    assert [(f.rule, f.severity) for f in findings(new)] == [(rule, severity)]


NEGATIVE = [
    pytest.param(PROTO, id="unchanged"),
    pytest.param(
        edit(PROTO, "  string currency = 4;\n", '  reserved 4;\n  reserved "currency";\n'),
        id="field-removed-and-reserved",
    ),
    pytest.param(
        edit(
            PROTO,
            "    string invoice_id = 10;\n",
            "    string invoice_id = 10;\n    string wallet_id = 11;\n",
        ),
        id="field-added",
    ),
    pytest.param(
        edit(
            PROTO,
            "  rpc CancelOrder(CancelOrderRequest) returns (Order);\n",
            "  rpc CancelOrder(CancelOrderRequest) returns (Order);\n  rpc RefundOrder(CancelOrderRequest) returns (Order);\n",
        ),
        id="rpc-added",
    ),
    pytest.param(
        edit(
            PROTO,
            "  ORDER_STATUS_CANCELLED = 4;\n",
            "  ORDER_STATUS_CANCELLED = 4;\n  ORDER_STATUS_REFUNDED = 5;\n",
        ),
        id="enum-value-added",
    ),
    pytest.param(
        edit(PROTO, "// Orders, as seen by the storefront and the warehouse.", "// Orders."),
        id="comment-only",
    ),
    pytest.param(
        edit(
            PROTO,
            "  int64 id = 1;\n  OrderStatus status = 2;",
            '  int64 id = 1 [json_name = "id"];\n  OrderStatus status = 2;',
        ),
        id="field-option-added",
    ),
]


@pytest.mark.parametrize("new", NEGATIVE)
def test_compatible_proto_change_is_not_reported(new: str) -> None:
    """Additions, reserved removals, options and comments break no peer."""
    assert findings(new) == []


def test_removed_rpc_is_anchored_on_its_removed_line() -> None:
    """A removed RPC is reported on its old (LEFT) line."""
    (finding,) = findings(
        edit(PROTO, "  rpc CancelOrder(CancelOrderRequest) returns (Order);\n", "")
    )
    assert finding.side == "LEFT"
    assert PROTO.splitlines()[finding.line - 1].strip().startswith("rpc CancelOrder")


def test_parser_reads_nesting_oneofs_maps_and_reserved_ranges() -> None:
    """Nested messages are qualified, oneof fields belong to the message, ranges are expanded."""
    proto = parse_proto(PROTO)
    assert proto is not None
    order = proto.messages["Order"]
    assert {f.name for f in order.fields.values()} >= {"card_token", "invoice_id", "labels"}
    assert order.fields[8].type == "map<string,string>"
    assert "Order.OrderLine" in proto.messages
    ranges = parse_proto("message A {\n  reserved 2, 9 to 11;\n}\n")
    assert ranges is not None and ranges.messages["A"].reserved_numbers == {2, 9, 10, 11}


def test_unreadable_proto_is_skipped() -> None:
    """A file the parser cannot read gives no finding and no error."""
    assert proto_changes(PROTO, "message A {\n  int64 id = ;\n") is None
    assert findings("message A {\n  int64 id = ;\n") == []


@pytest.mark.parametrize(
    "text",
    [
        "service S {\n  option x = 1;\n",
        "message A {\n  int64 id = 1;\n",
        "enum E {\n  A = 0;\n  reserved 1",
    ],
)
def test_unterminated_definitions_end_the_parse(text: str) -> None:
    """A file cut off inside a block is unreadable (None), never an endless loop."""
    assert parse_proto(text) is None


def test_deprecated_service_rpc_and_message_removals_are_low() -> None:
    """Deprecation first (`option deprecated = true;`) turns a removal into a low note."""
    new = edit(
        PROTO,
        "service LegacyOrderService {\n  option deprecated = true;\n  rpc Get(GetOrderRequest) returns (Order);\n}\n",
        "",
    )
    assert [(f.rule, f.severity) for f in findings(new)] == [
        ("proto-service-no-delete-with-deprecation", "low")
    ]
    old = edit(
        PROTO,
        "  rpc CancelOrder(CancelOrderRequest) returns (Order);\n",
        "  rpc CancelOrder(CancelOrderRequest) returns (Order) {\n    option deprecated = true;\n  }\n",
    )
    new = edit(
        old,
        "  rpc CancelOrder(CancelOrderRequest) returns (Order) {\n    option deprecated = true;\n  }\n",
        "",
    )
    assert [(f.rule, f.severity) for f in findings(new, old)] == [
        ("proto-rpc-no-delete-with-deprecation", "low")
    ]
    old = edit(
        PROTO,
        "message WatchOrdersRequest { int64 customer_id = 1; }",
        "message WatchOrdersRequest {\n  option deprecated = true;\n  int64 customer_id = 1;\n}",
    )
    new = edit(
        old,
        "message WatchOrdersRequest {\n  option deprecated = true;\n  int64 customer_id = 1;\n}\n",
        "",
    )
    assert [(f.rule, f.severity) for f in findings(new, old)] == [
        ("proto-message-no-delete-with-deprecation", "low")
    ]

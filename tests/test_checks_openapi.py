"""OpenAPI 3 and Swagger 2 comparison: one positive and one negative case per rule, on a
realistic spec (tests/samples/contracts/) edited the way pull requests edit specs."""

from __future__ import annotations

import json
import time

import pytest
import yaml

from bot.checks.contracts.openapi.lines import line_map, load_with_lines, spec_changes
from bot.checks.contracts.openapi.spec import Doc, looks_like_spec, parse_spec
from bot.models import Finding
from tests.test_checks_contracts import check, make_diff, sample

SPEC = sample("orders-openapi.yaml")
SWAGGER = sample("payments-swagger.json")


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"sample edit is ambiguous or missing: {old!r}"
    return text.replace(old, new)


def findings(new: str, old: str = SPEC, path: str = "openapi.yaml") -> list[Finding]:
    return check(make_diff(path, old, new))


def rules(new: str, old: str = SPEC, path: str = "openapi.yaml") -> list[str]:
    return sorted(f.rule or "" for f in findings(new, old, path))


CANCEL = """  /v1/orders/{order_id}/cancel:
    post:
      operationId: cancelOrder
      parameters:
        - $ref: "#/components/parameters/OrderId"
      responses:
        "204":
          description: Cancelled
"""
LEGACY = """  /v1/legacy/orders:
    get:
      operationId: listLegacyOrders
      deprecated: true
      responses:
        "200":
          description: Orders in the old format
"""
DELETE = """    delete:
      operationId: deleteOrder
      deprecated: true
      responses:
        "204":
          description: Deleted
"""
LIMIT_OPTIONAL = """        - name: limit
          in: query
          required: false"""
STATUS_ENUM = """            enum: [pending, paid, shipped, cancelled]
        - name: limit"""
ORDER_STATUS_ENUM = """          enum: [pending, paid, shipped, cancelled]
        total_cents:"""
CURSOR = """        - name: cursor
          in: query
          schema:
            type: string
"""
SORT = """        - name: sort
          in: query
          deprecated: true
          schema:
            type: string
"""
CREATE_REQUIRED = "      required: [customer_id, lines]\n"
ORDER_REQUIRED = "      required: [id, status, total_cents, currency]\n"
CUSTOMER_SECURITY = """      security:
        - bearerAuth: []
        - apiKey: []
"""

POSITIVE = [
    pytest.param(
        edit(SPEC, CANCEL, ""), "api-path-removed-without-deprecation", "high", id="path-removed"
    ),
    pytest.param(
        edit(SPEC, LEGACY, ""),
        "api-path-removed-with-deprecation",
        "low",
        id="deprecated-path-removed",
    ),
    pytest.param(
        edit(
            SPEC,
            "    patch:\n      operationId: updateOrder\n",
            "    x-patch:\n      operationId: updateOrder\n",
        ),
        "api-removed-without-deprecation",
        "high",
        id="operation-removed",
    ),
    pytest.param(
        edit(SPEC, DELETE, ""),
        "api-removed-with-deprecation",
        "low",
        id="deprecated-operation-removed",
    ),
    pytest.param(
        edit(SPEC, CURSOR, ""), "request-parameter-removed", "medium", id="parameter-removed"
    ),
    pytest.param(
        edit(SPEC, SORT, ""),
        "request-parameter-removed-with-deprecation",
        "info",
        id="deprecated-parameter-removed",
    ),
    pytest.param(
        edit(SPEC, LIMIT_OPTIONAL, LIMIT_OPTIONAL.replace("false", "true")),
        "request-parameter-became-required",
        "high",
        id="parameter-became-required",
    ),
    pytest.param(
        edit(
            SPEC,
            CURSOR,
            CURSOR
            + "        - name: tenant\n          in: header\n          required: true\n          schema:\n            type: string\n",
        ),
        "new-required-request-parameter",
        "high",
        id="new-required-parameter",
    ),
    pytest.param(
        edit(
            SPEC,
            "            type: integer\n            format: int32\n",
            "            type: string\n",
        ),
        "request-parameter-type-changed",
        "high",
        id="parameter-type-changed",
    ),
    pytest.param(
        edit(
            SPEC,
            "        type: integer\n        format: int64\n  responses:",
            "        type: integer\n        format: int32\n  responses:",
        ),
        "request-parameter-type-changed",
        "high",
        id="parameter-format-changed",
    ),
    pytest.param(
        edit(SPEC, STATUS_ENUM, STATUS_ENUM.replace(", cancelled", "")),
        "request-parameter-enum-value-removed",
        "high",
        id="parameter-enum-narrowed",
    ),
    pytest.param(
        edit(
            SPEC, CURSOR, CURSOR.replace("type: string", "type: string\n            enum: [a, b]")
        ),
        "request-parameter-became-enum",
        "high",
        id="parameter-became-enum",
    ),
    pytest.param(
        edit(SPEC, CREATE_REQUIRED, "      required: [customer_id, lines, coupon]\n"),
        "request-property-became-required",
        "high",
        id="property-became-required",
    ),
    pytest.param(
        edit(
            SPEC,
            CREATE_REQUIRED + "      properties:\n",
            "      required: [customer_id, lines, channel]\n      properties:\n        channel:\n          type: string\n",
        ),
        "new-required-request-property",
        "high",
        id="new-required-property",
    ),
    pytest.param(
        edit(
            SPEC,
            "        customer_id:\n          type: integer\n",
            "        customer_id:\n          type: string\n",
        ),
        "request-property-type-changed",
        "high",
        id="request-property-type-changed",
    ),
    pytest.param(
        edit(SPEC, "        coupon:\n          type: string\n", ""),
        "request-property-removed",
        "medium",
        id="request-property-removed",
    ),
    pytest.param(
        edit(
            SPEC,
            "                note:\n                  type: string\n                  nullable: true\n",
            "                note:\n                  type: string\n",
        ),
        "request-property-became-not-nullable",
        "medium",
        id="request-property-not-nullable",
    ),
    pytest.param(
        edit(
            SPEC,
            "    patch:\n      operationId: updateOrder\n      requestBody:\n",
            "    patch:\n      operationId: updateOrder\n      requestBody:\n        required: true\n",
        ),
        "request-body-became-required",
        "high",
        id="request-body-became-required",
    ),
    pytest.param(
        edit(
            SPEC,
            "    patch:\n      operationId: updateOrder\n      requestBody:\n        content:\n          application/json:",
            "    patch:\n      operationId: updateOrder\n      requestBody:\n        content:\n          application/merge-patch+json:",
        ),
        "request-body-media-type-removed",
        "high",
        id="request-media-type-removed",
    ),
    pytest.param(
        edit(
            SPEC,
            "        total_cents:\n          type: integer\n        currency:",
            "        currency:",
        ),
        "response-required-property-removed",
        "high",
        id="required-response-property-removed",
    ),
    pytest.param(
        edit(SPEC, "        note:\n          type: string\n        lines:", "        lines:"),
        "response-optional-property-removed",
        "medium",
        id="optional-response-property-removed",
    ),
    pytest.param(
        edit(
            SPEC,
            "        total_cents:\n          type: integer\n",
            "        total_cents:\n          type: string\n",
        ),
        "response-property-type-changed",
        "high",
        id="response-property-type-changed",
    ),
    pytest.param(
        edit(SPEC, ORDER_REQUIRED, "      required: [id, status, total_cents]\n"),
        "response-property-became-optional",
        "high",
        id="response-property-became-optional",
    ),
    pytest.param(
        edit(
            SPEC,
            "        note:\n          type: string\n        lines:",
            "        note:\n          type: string\n          nullable: true\n        lines:",
        ),
        "response-property-became-nullable",
        "high",
        id="response-property-became-nullable",
    ),
    pytest.param(
        edit(
            SPEC, ORDER_STATUS_ENUM, ORDER_STATUS_ENUM.replace("cancelled]", "cancelled, refunded]")
        ),
        "response-property-enum-value-added",
        "medium",
        id="response-enum-value-added",
    ),
    pytest.param(
        edit(
            SPEC,
            '        "201":\n          description: Created\n',
            '        "200":\n          description: Created\n',
        ),
        "response-success-status-removed",
        "high",
        id="success-status-removed",
    ),
    pytest.param(
        edit(SPEC, '        "404":\n          description: Not found\n', ""),
        "response-non-success-status-removed",
        "medium",
        id="non-success-status-removed",
    ),
    pytest.param(
        edit(
            SPEC,
            '            application/xml:\n              schema:\n                $ref: "#/components/schemas/Order"\n',
            "",
        ),
        "response-media-type-removed",
        "high",
        id="response-media-type-removed",
    ),
    pytest.param(
        edit(SPEC, CUSTOMER_SECURITY, "      security:\n        - bearerAuth: []\n"),
        "api-security-removed",
        "high",
        id="security-alternative-removed",
    ),
    pytest.param(
        edit(
            SPEC,
            "      operationId: getStatus\n      security: []\n",
            "      operationId: getStatus\n",
        ),
        "api-security-added",
        "high",
        id="public-operation-now-authenticated",
    ),
    pytest.param(
        edit(
            SPEC,
            "security:\n  - bearerAuth: []\npaths:",
            "security:\n  - bearerAuth: [orders:read]\npaths:",
        ),
        "api-global-security-scope-added",
        "high",
        id="global-scope-added",
    ),
]


@pytest.mark.parametrize(("new", "rule", "severity"), POSITIVE)
def test_breaking_change_is_reported(new: str, rule: str, severity: str) -> None:
    """Each breaking edit produces its oasdiff rule, at its severity, and nothing unrelated."""
    found = findings(new)
    assert {f.rule for f in found} == {rule}
    assert {f.severity for f in found} == {severity}


NEGATIVE = [
    pytest.param(SPEC, id="unchanged"),
    pytest.param(edit(SPEC, "  version: 2.3.0\n", "  version: 2.4.0\n"), id="version-bump"),
    pytest.param(
        edit(SPEC, "  /v1/orders/{order_id}:\n", "  /v1/orders/{id}:\n"), id="path-template-renamed"
    ),
    pytest.param(
        edit(
            SPEC,
            LEGACY,
            LEGACY
            + '  /v1/exports:\n    post:\n      parameters:\n        - name: format\n          in: query\n          required: true\n          schema:\n            type: string\n      responses:\n        "202":\n          description: Accepted\n',
        ),
        id="new-path-with-required-parameter",
    ),
    pytest.param(
        edit(
            SPEC,
            "    delete:\n",
            '    put:\n      responses:\n        "200":\n          description: Replaced\n    delete:\n',
        ),
        id="operation-added",
    ),
    pytest.param(
        edit(SPEC, LIMIT_OPTIONAL, LIMIT_OPTIONAL.replace("          required: false", "")),
        id="parameter-stays-optional",
    ),
    pytest.param(
        edit(
            SPEC,
            CURSOR,
            CURSOR
            + "        - name: tenant\n          in: header\n          schema:\n            type: string\n",
        ),
        id="new-optional-parameter",
    ),
    pytest.param(
        edit(
            SPEC,
            "            type: integer\n            format: int32\n",
            "            type: number\n",
        ),
        id="parameter-widened-to-number",
    ),
    pytest.param(
        edit(SPEC, STATUS_ENUM, STATUS_ENUM.replace("cancelled]", "cancelled, refunded]")),
        id="parameter-enum-widened",
    ),
    pytest.param(
        edit(SPEC, CREATE_REQUIRED, "      required: [customer_id]\n"),
        id="request-property-became-optional",
    ),
    pytest.param(
        edit(
            SPEC,
            CREATE_REQUIRED + "      properties:\n",
            CREATE_REQUIRED + "      properties:\n        channel:\n          type: string\n",
        ),
        id="new-optional-request-property",
    ),
    pytest.param(
        edit(SPEC, CREATE_REQUIRED, "      required: [customer_id, lines, source]\n"),
        id="read-only-property-required",
    ),
    pytest.param(
        edit(
            SPEC,
            "        coupon:\n          type: string\n",
            "        coupon:\n          type: string\n          nullable: true\n",
        ),
        id="request-property-became-nullable",
    ),
    pytest.param(
        edit(SPEC, ORDER_REQUIRED, "      required: [id, status, total_cents, currency, note]\n"),
        id="response-property-became-required",
    ),
    pytest.param(
        edit(SPEC, ORDER_STATUS_ENUM, ORDER_STATUS_ENUM.replace(", cancelled]", "]")),
        id="response-enum-narrowed",
    ),
    pytest.param(
        edit(
            SPEC,
            '        "404":\n          description: Not found\n',
            '        "404":\n          description: Not found\n        "410":\n          description: Gone\n',
        ),
        id="status-added",
    ),
    pytest.param(
        edit(SPEC, CUSTOMER_SECURITY, CUSTOMER_SECURITY + "        - oauth: []\n"),
        id="security-alternative-added",
    ),
    pytest.param(
        edit(
            SPEC,
            "      operationId: listOrders\n",
            "      operationId: listOrders\n      security: []\n",
        ),
        id="operation-made-public",
    ),
    pytest.param(
        edit(
            SPEC,
            "    patch:\n      operationId: updateOrder\n      requestBody:\n",
            "    patch:\n      operationId: updateOrder\n      requestBody:\n        required: false\n",
        ),
        id="request-body-stays-optional",
    ),
    pytest.param(
        edit(
            SPEC,
            "      summary: List orders, newest first\n",
            "      summary: List orders\n      description: Newest first.\n",
        ),
        id="documentation-only",
    ),
]


@pytest.mark.parametrize("new", NEGATIVE)
def test_compatible_change_is_not_reported(new: str) -> None:
    """Additions, widenings and documentation edits break no client: no finding."""
    assert findings(new) == []


def test_response_type_narrowed_is_not_reported_but_request_is() -> None:
    """number -> integer narrows what a server returns (fine for clients) but rejects what
    clients send: only the request side (OrderLine is in both) is a finding."""
    new = edit(
        SPEC,
        "        unit_price_cents:\n          type: number\n",
        "        unit_price_cents:\n          type: integer\n",
    )
    assert rules(new) == ["request-property-type-changed"]
    old = edit(
        SPEC,
        "        note:\n          type: string\n        lines:",
        "        note:\n          type: string\n        weight:\n          type: number\n        lines:",
    )
    new = edit(
        old,
        "        weight:\n          type: number\n",
        "        weight:\n          type: integer\n",
    )
    assert rules(new, old) == []


def test_removed_path_is_anchored_on_its_removed_line() -> None:
    """A removed path is reported once, on the LEFT line where it was declared."""
    (finding,) = findings(edit(SPEC, CANCEL, ""))
    assert finding.side == "LEFT"
    assert finding.line == SPEC.splitlines().index("  /v1/orders/{order_id}/cancel:") + 1


def test_changed_type_is_anchored_on_the_new_type_line() -> None:
    """A type change is anchored at the new `type:` line (RIGHT), inside the diff."""
    new = edit(
        SPEC,
        "        total_cents:\n          type: integer\n",
        "        total_cents:\n          type: string\n",
    )
    (finding,) = findings(new)
    lines = new.splitlines()
    assert finding.side == "RIGHT"
    assert lines[finding.line - 1] == "          type: string"
    assert lines[finding.line - 2] == "        total_cents:"


def test_change_in_a_shared_schema_is_reported_once() -> None:
    """Order is returned by three operations; removing its property is one finding."""
    new = edit(
        SPEC,
        "        total_cents:\n          type: integer\n        currency:",
        "        currency:",
    )
    assert len(findings(new)) == 1


def test_recursive_schema_terminates_and_reports_nested_change() -> None:
    """Customer.parent refers to Customer: the walk stops, and a change inside is found."""
    new = edit(
        SPEC,
        "        name:\n          type: string\n        parent:",
        "        name:\n          type: integer\n        parent:",
    )
    found = findings(new)
    assert [f.rule for f in found] == ["response-property-type-changed"]
    assert "name" in found[0].title


def test_renamed_parameter_is_reported_as_removed_and_new() -> None:
    """Renaming a required query parameter breaks twice: the old one is gone, the new one is
    required; both say it looks like a rename."""
    old = edit(SPEC, LIMIT_OPTIONAL, LIMIT_OPTIONAL.replace("false", "true"))
    new = edit(old, "        - name: limit\n", "        - name: page_size\n")
    found = findings(new, old)
    assert sorted(f.rule or "" for f in found) == [
        "new-required-request-parameter",
        "request-parameter-removed",
    ]
    assert all("rename" in f.body for f in found)


def test_nested_array_item_property_change_is_found() -> None:
    """A property of an array's items (lines[].quantity) is compared too."""
    new = edit(
        SPEC,
        "        quantity:\n          type: integer\n",
        "        quantity:\n          type: string\n",
    )
    found = findings(new)
    assert {f.rule for f in found} == {
        "request-property-type-changed",
        "response-property-type-changed",
    }
    assert any("lines[].quantity" in f.title for f in found)


def test_json_spec_is_compared_and_anchored() -> None:
    """The same spec written as JSON is compared and anchored like YAML."""
    old = json.dumps(parse_spec(SPEC), indent=2)
    data = parse_spec(SPEC)
    assert data is not None
    del data["paths"]["/v1/orders/{order_id}/cancel"]
    new = json.dumps(data, indent=2)
    (finding,) = findings(new, old, "openapi.json")
    assert finding.rule == "api-path-removed-without-deprecation"
    assert old.splitlines()[finding.line - 1].strip().startswith('"/v1/orders/{order_id}/cancel"')


def test_swagger2_body_and_response_changes() -> None:
    """Swagger 2: body parameters, `definitions` refs and response schemas are compared."""
    data = json.loads(SWAGGER)
    data["definitions"]["PaymentRequest"]["required"].append("description")
    del data["definitions"]["Payment"]["properties"]["currency"]
    data["paths"]["/payments"]["get"]["parameters"][0]["enum"] = ["EUR", "USD"]
    new = json.dumps(data, indent=2)
    assert rules(new, SWAGGER, "swagger.json") == [
        "request-parameter-enum-value-removed",
        "request-property-became-required",
        "response-required-property-removed",
    ]


def test_swagger2_security_scope_added_and_compatible_edit() -> None:
    """Swagger 2: a new scope locks clients out; a new optional header does not."""
    data = json.loads(SWAGGER)
    data["paths"]["/payments"]["post"]["security"] = [
        {"oauth": ["payments:write", "payments:admin"]}
    ]
    assert rules(json.dumps(data, indent=2), SWAGGER, "swagger.json") == [
        "api-security-scope-added"
    ]
    data = json.loads(SWAGGER)
    data["paths"]["/payments"]["post"]["parameters"].append(
        {"name": "X-Trace", "in": "header", "type": "string"}
    )
    assert rules(json.dumps(data, indent=2), SWAGGER, "swagger.json") == []


def test_swagger2_produces_change_removes_media_type() -> None:
    """Swagger 2: dropping a `produces` media type removes it from every response."""
    data = json.loads(SWAGGER)
    data["produces"] = ["application/xml"]
    found = rules(json.dumps(data, indent=2), SWAGGER, "swagger.json")
    assert set(found) == {"response-media-type-removed"}


def test_external_and_broken_refs_do_not_crash() -> None:
    """References to other files or to nothing resolve to an empty schema."""
    old = edit(
        SPEC,
        '                $ref: "#/components/schemas/OrderPage"\n',
        '                $ref: "common.yaml#/OrderPage"\n',
    )
    new = edit(
        old,
        '              $ref: "#/components/schemas/OrderCreate"\n',
        '              $ref: "#/components/schemas/Missing"\n',
    )
    assert isinstance(findings(new, old), list)


def test_self_referencing_ref_chain_terminates() -> None:
    """A `$ref` that points at itself resolves to an empty node instead of looping."""
    doc = Doc(
        {"openapi": "3.0.0", "components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}}}
    )
    node, _ = doc.resolve({"$ref": "#/components/schemas/A"}, ())
    assert node == {}


def test_spec_detection_and_parsing() -> None:
    """openapi/swagger keys in YAML or JSON are recognised; other documents are not specs."""
    assert looks_like_spec(SPEC) and looks_like_spec(SWAGGER)
    assert looks_like_spec('{"openapi":"3.1.0","paths":{}}')
    assert not looks_like_spec("kind: Deployment\n")
    assert parse_spec("- a\n- b\n") is None
    assert parse_spec("openapi: [\n") is None
    assert parse_spec("") is None


def test_line_map_points_at_keys_and_items() -> None:
    """Pointers map to the line of their key, list items to the item's line."""
    lines = line_map(SPEC)
    text = SPEC.splitlines()
    assert text[lines[("paths", "/v1/orders", "get")] - 1] == "    get:"
    assert (
        text[lines[("paths", "/v1/orders", "get", "parameters", 1)] - 1] == "        - name: limit"
    )
    assert (
        text[lines[("components", "schemas", "Order", "properties", "currency")] - 1]
        == "        currency:"
    )
    assert line_map("a: [\n") == {}


def test_header_parameter_names_are_case_insensitive() -> None:
    """Renaming a header parameter's case (X-Tenant -> x-tenant) changes nothing for clients."""
    old = edit(
        SPEC,
        CURSOR,
        CURSOR
        + "        - name: X-Tenant\n          in: header\n          required: true\n          schema:\n            type: string\n",
    )
    new = edit(old, "        - name: X-Tenant\n", "        - name: x-tenant\n")
    assert findings(new, old) == []


def test_many_changes_in_one_file_are_capped_with_a_note() -> None:
    """A spec rewrite that breaks dozens of things gives the worst 20 plus one note."""
    data = parse_spec(SPEC)
    assert data is not None
    props = data["components"]["schemas"]["Order"]["properties"]
    old_data = {
        **data,
        "components": {**data["components"], "schemas": {**data["components"]["schemas"]}},
    }
    old_data["components"]["schemas"]["Order"] = {
        **data["components"]["schemas"]["Order"],
        "properties": {**props, **{f"extra_{i}": {"type": "string"} for i in range(30)}},
    }
    old = json.dumps(old_data, indent=2)
    found = findings(json.dumps(data, indent=2), old, "openapi.json")
    assert len(found) == 21
    assert found[-1].rule == "contract-changes-truncated" and found[-1].severity == "info"
    assert "10 more" in found[-1].title


def test_openapi_31_type_arrays_and_allof_are_understood() -> None:
    """3.1 `type: [string, "null"]` is nullable; `allOf` parts are merged before comparing."""
    old = """openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /items:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                allOf:
                  - $ref: "#/components/schemas/Base"
                  - type: object
                    required: [name]
                    properties:
                      name: {type: string}
components:
  schemas:
    Base:
      type: object
      required: [id]
      properties:
        id: {type: string}
"""
    new = old.replace("name: {type: string}", 'name: {type: [string, "null"]}').replace(
        "      required: [id]\n", "      required: []\n"
    )
    assert rules(new, old) == [
        "response-property-became-nullable",
        "response-property-became-optional",
    ]


def test_response_refs_are_followed() -> None:
    """`$ref`s to components/responses are resolved, and a shared schema reports once."""
    old = edit(
        SPEC,
        '        "401":\n          $ref: "#/components/responses/Unauthorized"\n',
        '        "401":\n          $ref: "#/components/responses/Unauthorized"\n        "429":\n          $ref: "#/components/responses/Unauthorized"\n',
    )
    new = edit(old, "      required: [code, message]\n", "      required: [code]\n")
    found = findings(new, old)
    assert {f.rule for f in found} == {"response-property-became-optional"}
    assert len(found) == 1  # Error is shared by three responses: one finding


def test_swagger2_form_data_parameter_became_required() -> None:
    """Swagger 2 formData parameters are request parameters like query ones."""
    data = json.loads(SWAGGER)
    data["paths"]["/payments/{id}/refunds"]["post"]["parameters"].append(
        {"name": "reason", "in": "formData", "type": "string"}
    )
    old = json.dumps(data, indent=2)
    data["paths"]["/payments/{id}/refunds"]["post"]["parameters"][1]["required"] = True
    assert rules(json.dumps(data, indent=2), old, "swagger.json") == [
        "request-parameter-became-required"
    ]


def test_schema_turned_into_a_oneof_is_not_read_as_removed_properties() -> None:
    """Replacing a response schema by `oneOf` branches is not "every property removed": it is
    one `response-body-wrapped-in-one-of`, as oasdiff reports it."""
    new = edit(
        SPEC,
        '                $ref: "#/components/schemas/OrderPage"\n',
        '                oneOf:\n                  - $ref: "#/components/schemas/OrderPage"\n'
        '                  - $ref: "#/components/schemas/Error"\n',
    )
    assert rules(new) == ["response-body-wrapped-in-one-of"]


@pytest.mark.parametrize(
    ("target", "junk"),
    [
        ("security:\n  - bearerAuth: []\n", "security:\n  - bearerAuth: read\n"),
        (
            "          enum: [pending, paid, shipped, cancelled]\n        total",
            "          enum: [{a: [1]}, {1: 2, x: 3}]\n        total",
        ),
        (
            "    OrderLine:\n      type: object\n",
            "    OrderLine:\n      allOf: 5\n      type: object\n",
        ),
        ("      required: [id, name]\n", "      required: id\n"),
        (
            "            type: integer\n            format: int32\n",
            "            type: [[1]]\n            format: []\n",
        ),
    ],
)
def test_odd_shapes_in_a_spec_do_not_break_the_comparison(target: str, junk: str) -> None:
    """Values of unexpected types (scopes that are not lists, objects in enums, a number as
    allOf) are compared as well as they can be, never raise."""
    assert isinstance(findings(edit(SPEC, target, junk)), list)
    assert isinstance(findings(SPEC, edit(SPEC, target, junk)), list)


def test_yaml_merge_keys_and_anchors_are_read_like_pyyaml() -> None:
    """`<<: *base` merges (explicit keys win) and anchors load as PyYAML loads them."""
    text = "base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  b: 3\ny:\n  <<: [*b, {c: 4}]\nz: [yes, ~, 1.5, '7', 0x1f]\n"
    loaded = load_with_lines(text)
    assert loaded is not None and loaded[0] == yaml.safe_load(text)


def test_alias_bombs_are_cheap() -> None:
    """A "billion laughs" document and schemas that alias one another a billion ways are
    loaded and compared in linear time (aliases are shared objects, compared once)."""
    head = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: x\n          content:\n            application/json:\n              schema: *s9\n"
    defs = "".join(
        f"d{i}: &s{i}\n  type: object\n  properties:\n"
        + "".join(f"    p{j}: *s{i - 1}\n" for j in range(10))
        for i in range(1, 10)
    )
    old = "d0: &s0 {type: string}\n" + defs + head
    new = old.replace("type: string", "type: integer")
    started = time.process_time()
    changes = spec_changes(old, new)
    assert changes is not None and [c.rule for c in changes] == ["response-property-type-changed"]
    laughs = "openapi: 3.0.0\npaths: {}\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n" for i in range(1, 9)
    )
    assert load_with_lines(laughs) is not None
    assert time.process_time() - started < 1.0


@pytest.mark.parametrize(
    ("target", "replacement", "rule"),
    [
        pytest.param(
            "            maximum: 100\n",
            "            maximum: 50\n",
            "request-parameter-max-decreased",
            id="max-decreased",
        ),
        pytest.param(
            CURSOR,
            CURSOR.replace("type: string\n", "type: string\n            maxLength: 64\n"),
            "request-parameter-max-length-set",
            id="max-length-set",
        ),
        pytest.param(
            "            maximum: 100\n",
            "            maximum: 100\n            minimum: 10\n",
            "request-parameter-min-set",
            id="min-set",
        ),
        pytest.param(
            "        coupon:\n          type: string\n",
            "        coupon:\n          type: string\n          pattern: '^[A-Z0-9]{8}$'\n",
            "request-property-pattern-added",
            id="pattern-added",
        ),
        pytest.param(
            '        lines:\n          type: array\n          items:\n            $ref: "#/components/schemas/OrderLine"\n        note:\n          type: string\n          nullable: true\n',
            '        lines:\n          type: array\n          minItems: 1\n          items:\n            $ref: "#/components/schemas/OrderLine"\n        note:\n          type: string\n          nullable: true\n',
            "request-property-min-items-set",
            id="min-items-set",
        ),
    ],
)
def test_narrowed_request_bounds_are_reported(target: str, replacement: str, rule: str) -> None:
    """A request bound that now rejects values clients send today is a medium finding."""
    found = findings(edit(SPEC, target, replacement))
    assert [(f.rule, f.severity) for f in found] == [(rule, "medium")]


@pytest.mark.parametrize(
    ("target", "replacement"),
    [
        pytest.param(
            "            maximum: 100\n", "            maximum: 500\n", id="max-increased"
        ),
        pytest.param("            maximum: 100\n", "", id="max-removed"),
        pytest.param(
            CURSOR,
            CURSOR.replace("type: string\n", "type: string\n            minLength: 0\n"),
            id="zero-min-length",
        ),
        pytest.param(
            "        currency:\n          type: string\n        note:",
            "        currency:\n          type: string\n          maxLength: 3\n        note:",
            id="response-only-bound",
        ),
    ],
)
def test_widened_or_response_bounds_are_not_reported(target: str, replacement: str) -> None:
    """Wider request bounds, no-op bounds and bounds on what the server returns are fine."""
    assert findings(edit(SPEC, target, replacement)) == []


LOCATION = "            Location:\n              description: URL of the new order\n              required: true\n"


@pytest.mark.parametrize(
    ("target", "replacement", "rule", "severity"),
    [
        pytest.param(
            LOCATION + "              schema:\n                type: string\n",
            "",
            "required-response-header-removed",
            "high",
            id="required-removed",
        ),
        pytest.param(
            "            X-Next-Cursor:\n",
            "            X-Cursor:\n",
            "optional-response-header-removed",
            "medium",
            id="optional-renamed",
        ),
        pytest.param(
            LOCATION,
            LOCATION.replace("required: true", "required: false"),
            "response-header-became-optional",
            "medium",
            id="became-optional",
        ),
    ],
)
def test_response_header_changes(target: str, replacement: str, rule: str, severity: str) -> None:
    """Headers clients read (Location, cursors) that go away or become optional are found."""
    assert [(f.rule, f.severity) for f in findings(edit(SPEC, target, replacement))] == [
        (rule, severity)
    ]


def test_response_header_case_and_additions_are_compatible() -> None:
    """Header names are case-insensitive, and new headers break nobody."""
    assert (
        findings(edit(SPEC, "            X-Next-Cursor:\n", "            x-next-cursor:\n")) == []
    )
    new = edit(
        SPEC,
        LOCATION,
        LOCATION + "              schema:\n                type: string\n            ETag:\n",
    )
    assert findings(new) == []

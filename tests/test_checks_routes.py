"""Code-first routes: removed routes, changed methods and paths, seen from the diff alone;
one positive and one negative case per rule and per framework."""

from __future__ import annotations

import pytest

from bot.checks.contracts.routes import check_routes, normalise
from bot.models import FileDiff, Finding
from tests.test_checks_contracts import make_diff, sample

FASTAPI = sample("routes/fastapi_orders.py")
FLASK = sample("routes/flask_app.py")
DJANGO = sample("routes/urls.py")
RAILS = sample("routes/routes.rb")
EXPRESS = sample("routes/express_routes.js")


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"sample edit is ambiguous or missing: {old!r}"
    return text.replace(old, new)


def routes(path: str, old: str, new: str, *extra: FileDiff) -> list[Finding]:
    return check_routes([make_diff(path, old, new, context=3), *extra])


def summary(found: list[Finding]) -> list[tuple[str | None, str]]:
    return sorted((f.rule, f.title) for f in found)


CANCEL = """@router.post("/{order_id}/cancel", status_code=204)
def cancel_order(order_id: int, session=Depends(get_session)):
    session.get(Order, order_id).cancel()


"""

POSITIVE = [
    pytest.param(
        "app/api/orders.py",
        FASTAPI,
        edit(FASTAPI, CANCEL, ""),
        "route-removed",
        "Route POST /{order_id}/cancel removed",
        id="fastapi-removed",
    ),
    pytest.param(
        "app/api/orders.py",
        FASTAPI,
        edit(
            FASTAPI,
            '@router.get("/legacy", deprecated=True)\ndef legacy_orders(session=Depends(get_session)):\n    return []\n',
            "",
        ),
        "route-removed-with-deprecation",
        "Deprecated route GET /legacy removed",
        id="fastapi-deprecated-removed",
    ),
    pytest.param(
        "app/api/orders.py",
        FASTAPI,
        edit(FASTAPI, '@router.post("/{order_id}/cancel"', '@router.put("/{order_id}/cancel"'),
        "route-method-changed",
        "Route POST /{order_id}/cancel changed to PUT /{order_id}/cancel",
        id="fastapi-method-changed",
    ),
    pytest.param(
        "app/api/orders.py",
        FASTAPI,
        edit(
            FASTAPI, '@router.post("/{order_id}/cancel"', '@router.post("/{order_id}/cancellation"'
        ),
        "route-path-changed",
        "Route POST /{order_id}/cancel changed to POST /{order_id}/cancellation",
        id="fastapi-path-changed",
    ),
    pytest.param(
        "app/api/orders.py",
        FASTAPI,
        edit(FASTAPI, '    methods=["GET", "PUT"],', '    methods=["GET"],'),
        "route-removed",
        "Route PUT /{order_id}/notes removed",
        id="fastapi-multiline-method-dropped",
    ),
    pytest.param(
        "app/payments.py",
        FLASK,
        edit(FLASK, 'methods=["GET", "DELETE"]', 'methods=["GET"]'),
        "route-removed",
        "Route DELETE /payments/<int:payment_id> removed",
        id="flask-method-dropped",
    ),
    pytest.param(
        "app/payments.py",
        FLASK,
        edit(FLASK, 'bp.add_url_rule("/refunds", view_func=refunds, methods=["POST"])\n', ""),
        "route-removed",
        "Route POST /refunds removed",
        id="flask-add-url-rule-removed",
    ),
    pytest.param(
        "shop/urls.py",
        DJANGO,
        edit(
            DJANGO,
            '    path("orders/<int:pk>/", views.OrderDetail.as_view(), name="order-detail"),\n',
            "",
        ),
        "route-removed",
        "Route ANY orders/<int:pk>/ removed",
        id="django-path-removed",
    ),
    pytest.param(
        "config/routes.rb",
        RAILS,
        edit(RAILS, '  get "health", to: "health#show"\n', ""),
        "route-removed",
        "Route GET health removed",
        id="rails-get-removed",
    ),
    pytest.param(
        "config/routes.rb",
        RAILS,
        edit(RAILS, "  resources :customers\n", ""),
        "route-removed",
        "Routes removed: POST customers, DELETE customers/:id, GET customers/:id/edit, "
        "GET customers, GET customers/new, GET customers/:id, PATCH customers/:id",
        id="rails-resources-removed",
    ),
    pytest.param(
        "src/routes/users.js",
        EXPRESS,
        edit(EXPRESS, "router.post('/users',", "router.put('/users',"),
        "route-method-changed",
        "Route POST /users changed to PUT /users",
        id="express-method-changed",
    ),
    pytest.param(
        "src/routes/users.js",
        EXPRESS,
        edit(EXPRESS, "app.delete(`/sessions/:token`, logout);\n", ""),
        "route-removed",
        "Route DELETE /sessions/:token removed",
        id="express-removed",
    ),
]


@pytest.mark.parametrize(("path", "old", "new", "rule", "title"), POSITIVE)
def test_route_change_is_reported(path: str, old: str, new: str, rule: str, title: str) -> None:
    """Each removed or changed route is one finding with the rule and a title naming it."""
    assert summary(routes(path, old, new)) == [(rule, title)]


NEGATIVE = [
    pytest.param(
        "app/api/orders.py",
        FASTAPI,
        FASTAPI + '\n\n@router.get("/export")\ndef export():\n    return []\n',
        id="fastapi-route-added",
    ),
    pytest.param(
        "app/api/orders.py",
        FASTAPI,
        edit(FASTAPI, '@router.get("/{order_id}")', '@router.get("/{id}")'),
        id="fastapi-parameter-renamed",
    ),
    pytest.param(
        "app/api/orders.py",
        FASTAPI,
        edit(
            FASTAPI,
            '@router.post("/{order_id}/cancel", status_code=204)',
            '@router.post("/{order_id}/cancel", status_code=202)',
        ),
        id="fastapi-decorator-options-changed",
    ),
    pytest.param(
        "app/payments.py",
        FLASK,
        edit(FLASK, 'methods=["GET", "DELETE"]', 'methods=["DELETE", "GET", "PATCH"]'),
        id="flask-method-added",
    ),
    pytest.param(
        "shop/urls.py",
        DJANGO,
        edit(
            DJANGO,
            'path("orders/", views.OrderList.as_view(), name="order-list")',
            'path("orders/", views.OrderListV2.as_view(), name="order-list")',
        ),
        id="django-view-changed",
    ),
    pytest.param(
        "config/routes.rb",
        RAILS,
        edit(
            RAILS,
            '  post "webhooks/stripe", to: "webhooks#stripe"\n',
            '  post "webhooks/stripe", to: "stripe_webhooks#create"\n',
        ),
        id="rails-target-changed",
    ),
    pytest.param(
        "src/routes/users.js",
        EXPRESS,
        edit(EXPRESS, 'const profile = await axios.get("/profiles/123");\n', ""),
        id="express-http-client-call-removed",
    ),
    pytest.param("app/services/orders.py", "x = 1\n", "x = 2\n", id="no-routes"),
]


@pytest.mark.parametrize(("path", "old", "new"), NEGATIVE)
def test_compatible_route_edit_is_not_reported(path: str, old: str, new: str) -> None:
    """Added routes, renamed path parameters, changed handlers and HTTP client calls are not
    route removals."""
    assert routes(path, old, new) == []


def test_route_moved_to_another_file_is_not_removed() -> None:
    """A route removed from one module and added in another is a move, not a removal."""
    moved = make_diff("app/api/cancel.py", None, "from app.api.orders import router\n\n\n" + CANCEL)
    assert routes("app/api/orders.py", FASTAPI, edit(FASTAPI, CANCEL, ""), moved) == []


def test_removed_route_is_anchored_on_its_removed_decorator() -> None:
    """The finding sits on the LEFT line of the removed decorator."""
    (finding,) = routes("app/api/orders.py", FASTAPI, edit(FASTAPI, CANCEL, ""))
    assert (finding.side, finding.line) == (
        "LEFT",
        FASTAPI.splitlines().index(CANCEL.splitlines()[0]) + 1,
    )
    assert (finding.source, finding.category, finding.severity) == ("static", "api-design", "high")


def test_changed_route_is_anchored_on_the_new_line() -> None:
    """A changed method is reported on the RIGHT line of the new decorator."""
    new = edit(EXPRESS, "router.post('/users',", "router.put('/users',")
    (finding,) = routes("src/routes/users.js", EXPRESS, new)
    assert finding.side == "RIGHT"
    assert new.splitlines()[finding.line - 1].startswith("router.put('/users'")


def test_nest_spring_and_go_routes() -> None:
    """NestJS and Spring decorators and Go router calls are read too."""
    nest = "@Controller('orders')\nexport class C {\n  @Get(':id')\n  one() {}\n\n  @Delete(':id')\n  remove() {}\n}\n"
    spring = '@RestController\nclass C {\n  @GetMapping("/orders/{id}")\n  Order one() {}\n  @PostMapping(value = "/orders")\n  Order create() {}\n}\n'
    go = 'func Routes(r *gin.Engine) {\n\tr.GET("/orders/:id", getOrder)\n\tr.DELETE("/orders/:id", deleteOrder)\n\thttp.HandleFunc("/health", health)\n}\n'
    found = (
        routes(
            "src/orders.controller.ts", nest, nest.replace("  @Delete(':id')\n  remove() {}\n", "")
        )
        + routes(
            "src/main/java/C.java",
            spring,
            spring.replace('  @PostMapping(value = "/orders")\n  Order create() {}\n', ""),
        )
        + routes(
            "internal/http/routes.go", go, go.replace('\thttp.HandleFunc("/health", health)\n', "")
        )
    )
    assert summary(found) == [
        ("route-removed", "Route ANY /health removed"),
        ("route-removed", "Route DELETE :id removed"),
        ("route-removed", "Route POST /orders removed"),
    ]


def test_django_routes_only_in_url_modules() -> None:
    """`path(...)` calls outside urls.py (os.path, pathlib) are not routes."""
    old = 'import os\nBASE = os.path.join("a", "b")\nx = path("orders/", view)\n'
    assert routes("app/settings.py", old, "import os\n") == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("/orders/{id}", "orders/<int:pk>/"),
        ("/orders/:id", "/orders/{order_id}"),
        ("^orders/(?P<pk>[0-9]+)/$", "/orders/{}"),
    ],
)
def test_path_normalisation(a: str, b: str) -> None:
    """Parameter syntaxes and slashes of different frameworks compare equal."""
    assert normalise(a) == normalise(b)


GET_ORDER = "def get_order(order_id: int, session=Depends(get_session)):"

SIGNATURE_POSITIVE = [
    pytest.param(
        GET_ORDER,
        "def get_order(order_id: int, tenant: str, session=Depends(get_session)):",
        "tenant",
        id="new-required-query",
    ),
    pytest.param(
        GET_ORDER,
        "def get_order(order_id: int, expand: str = Query(...), session=Depends(get_session)):",
        "expand",
        id="required-query-ellipsis",
    ),
    pytest.param(
        "def get_order(order_id: int, tenant: str | None = None, session=Depends(get_session)):",
        "def get_order(order_id: int, tenant: str, session=Depends(get_session)):",
        "tenant",
        id="optional-became-required",
    ),
    pytest.param(
        GET_ORDER,
        "def get_order(\n    order_id: int,\n    body: OrderFilter,\n    session=Depends(get_session),\n):",
        "body",
        id="multiline-new-body",
    ),
]


@pytest.mark.parametrize(("old_sig", "new_sig", "param"), SIGNATURE_POSITIVE)
def test_fastapi_handler_with_new_required_parameter(
    old_sig: str, new_sig: str, param: str
) -> None:
    """A route handler that gains a parameter without a default rejects old requests (422)."""
    old = edit(FASTAPI, GET_ORDER, old_sig)
    found = routes("app/api/orders.py", old, edit(old, old_sig, new_sig))
    assert [(f.rule, f.side) for f in found] == [("new-required-request-parameter", "RIGHT")]
    assert f"`{param}`" in found[0].title


SIGNATURE_NEGATIVE = [
    pytest.param(
        "def get_order(order_id: int, tenant: str | None = None, session=Depends(get_session)):",
        id="new-optional",
    ),
    pytest.param(
        "def get_order(order_id: int, request: Request, session=Depends(get_session)):",
        id="injected-request",
    ),
    pytest.param(
        "def get_order(order_id: int, user=Depends(current_user), session=Depends(get_session)):",
        id="new-dependency",
    ),
    pytest.param(
        "def get_order(order_id: int, user: Annotated[User, Depends(current_user)], session=Depends(get_session)):",
        id="annotated-dependency",
    ),
]


@pytest.mark.parametrize("new_sig", SIGNATURE_NEGATIVE)
def test_fastapi_handler_signature_change_that_is_compatible(new_sig: str) -> None:
    """Optional parameters, injected objects and dependencies are not client parameters."""
    found = routes("app/api/orders.py", FASTAPI, edit(FASTAPI, GET_ORDER, new_sig))
    assert [f for f in found if f.rule == "new-required-request-parameter"] == []


def test_plain_function_signature_is_not_a_route() -> None:
    """A helper without a route decorator may gain required parameters freely."""
    old = "def total(order):\n    return sum(order.lines)\n"
    new = "def total(order, currency):\n    return sum(order.lines)\n"
    assert routes("app/api/helpers.py", old, new) == []


def test_fastapi_path_parameter_renamed_with_its_route() -> None:
    """A path parameter renamed in both the route and the signature is no new query param."""
    new = edit(
        FASTAPI,
        '@router.get("/{order_id}")\n' + GET_ORDER,
        '@router.get("/{id}")\n' + GET_ORDER.replace("order_id: int", "id: int"),
    )
    assert routes("app/api/orders.py", FASTAPI, new) == []


def test_fastapi_path_parameter_left_out_of_the_route_is_a_query_parameter() -> None:
    """`order` is not `{order_id}`: FastAPI reads it from the query string, required."""
    new = edit(FASTAPI, GET_ORDER, GET_ORDER.replace("order_id: int", "order: int"))
    assert [f.rule for f in routes("app/api/orders.py", FASTAPI, new)] == [
        "new-required-request-parameter"
    ]


def test_rails_resources_narrowed_by_only() -> None:
    """`only:` losing an action removes that action's route; the others stay."""
    new = edit(RAILS, "only: [:index, :show, :create]", "only: [:index, :show]")
    assert summary(routes("config/routes.rb", RAILS, new)) == [
        ("route-removed", "Route POST orders removed")
    ]
    widened = edit(RAILS, "only: [:index, :show, :create]", "except: [:destroy]")
    assert routes("config/routes.rb", RAILS, widened) == []


def test_spring_request_mapping_method_and_go_method_patterns() -> None:
    """Spring's RequestMethod and Go 1.22 "METHOD /path" patterns give the method."""
    spring = '@RequestMapping(value = "/orders", method = RequestMethod.POST)\nOrder create() {}\n'
    found = routes(
        "src/main/java/C.java", spring, spring.replace("RequestMethod.POST", "RequestMethod.PUT")
    )
    assert summary(found) == [("route-method-changed", "Route POST /orders changed to PUT /orders")]
    go = 'func routes(mux *http.ServeMux) {\n\tmux.HandleFunc("GET /orders/{id}", getOrder)\n}\n'
    found = routes(
        "cmd/api/routes.go", go, go.replace('"GET /orders/{id}"', '"DELETE /orders/{id}"')
    )
    assert summary(found) == [
        ("route-method-changed", "Route GET /orders/{id} changed to DELETE /orders/{id}")
    ]

"""Backend file extraction: categories with reasons, tests, skips, and configuration globs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.classify.classifier import classify_file, classify_files
from bot.config import CategoryGlobs, RepoConfig
from bot.diff import parse_diff, parse_patch
from bot.globs import GlobSet, glob_to_regex, match_glob
from bot.models import DiffLine, FileDiff, FileReport, FileStatus, Hunk

SAMPLES = Path(__file__).parent / "samples" / "classify"
DEFAULT = RepoConfig()

# What every file of every sample must become: "api,query" (categories), "-" (not backend
# code), "test" (kept as a test, no categories), "skip:<reason>".
EXPECTED: dict[str, dict[str, str]] = {
    "atlas/atlas_hcl_schema.diff": {
        "atlas.hcl": "migration",
        "infra/main.tf": "-",
        "migrations/20241120100000_add_email.sql": "migration",
        "migrations/atlas.sum": "skip:generated migration metadata",
        "schema.pg.hcl": "migration",
    },
    "csharp/aspnet_efcore_orders.diff": {
        "src/Shop.Api/Controllers/OrdersController.cs": "api,query",
        "src/Shop.Api/Data/ShopDbContext.cs": "query",
        "src/Shop.Api/Migrations/20241120093000_AddOrderStatus.Designer.cs": "skip:generated code",
        "src/Shop.Api/Migrations/20241120093000_AddOrderStatus.cs": "migration",
        "src/Shop.Api/Migrations/ShopDbContextModelSnapshot.cs": "skip:generated code",
        "src/Shop.Api/Program.cs": "api",
        "src/Shop.Api/Services/PriceCalculator.cs": "-",
        "tests/Shop.Api.Tests/OrdersApiTests.cs": "test",
    },
    "go/echo_server.diff": {
        "server/routes.go": "api",
    },
    "go/gin_gorm_goose.diff": {
        "db/migrations/20241120093000_add_product_stock.sql": "migration",
        "internal/api/router.go": "api",
        "internal/catalog/search.go": "query",
        "internal/models/product.go": "query",
        "pkg/strutil/slug.go": "-",
    },
    "go/nethttp_sqlc_migrate.diff": {
        "api/users/v1/users.pb.go": "skip:generated code",
        "cmd/api/main.go": "api",
        "db/migrations/000004_users_last_seen.down.sql": "migration",
        "db/migrations/000004_users_last_seen.up.sql": "migration",
        "db/queries/users.sql": "query",
        "go.sum": "skip:lockfile",
        "internal/db/users.sql.go": "skip:generated code",
        "internal/handlers/users.go": "api",
        "internal/handlers/users_test.go": "test",
        "internal/httpclient/client.go": "-",
        "internal/store/users.go": "query",
        "sqlc.yaml": "query",
        "vendor/github.com/go-chi/chi/v5/mux.go": "skip:vendored code",
    },
    "java/spring_jpa_flyway.diff": {
        "src/main/java/com/acme/orders/PriceFormatter.java": "-",
        "src/main/java/com/acme/orders/domain/Order.java": "query",
        "src/main/java/com/acme/orders/domain/OrderRepository.java": "query",
        "src/main/java/com/acme/orders/report/OrderReportDao.java": "query",
        "src/main/java/com/acme/orders/web/CreateOrderRequest.java": "api",
        "src/main/java/com/acme/orders/web/OrderController.java": "api",
        "src/main/resources/db/migration/V7__add_order_status.sql": "migration",
        "src/test/java/com/acme/orders/web/OrderControllerTest.java": "test",
    },
    "kotlin/spring_kotlin_liquibase.diff": {
        "build.gradle.kts": "-",
        "src/main/kotlin/com/acme/users/User.kt": "query",
        "src/main/kotlin/com/acme/users/UserController.kt": "api",
        "src/main/resources/application.yml": "-",
        "src/main/resources/db/changelog/changes/002-add-display-name.xml": "migration",
        "src/main/resources/db/changelog/db.changelog-master.yaml": "migration",
    },
    "negatives/frontend_and_tooling.diff": {
        ".github/workflows/ci.yml": "-",
        "CHANGELOG": "skip:documentation",
        "Dockerfile": "-",
        "README.md": "skip:documentation",
        "app/api/README.txt": "skip:documentation",
        "assets/logo.png": "skip:image",
        "frontend/src/models/order.ts": "-",
        "frontend/src/routes/index.ts": "-",
        "frontend/src/views/OrdersView.vue": "-",
        "scripts/cleanup.sh": "-",
        "src/client/sdk.ts": "skip:generated code",
        "src/generated/api.generated.ts": "skip:generated code",
        "src/utils/select.py": "-",
        "static/js/app.min.js": "skip:minified or built file",
        "templates/views/orders.html": "-",
        "third_party/pgparser/parser.py": "skip:vendored code",
        "yarn.lock": "skip:lockfile",
    },
    "node/express_knex_users.diff": {
        "migrations/20241120093000_create_users.js": "migration",
        "node_modules/knex/lib/index.js": "skip:vendored code",
        "package-lock.json": "skip:lockfile",
        "src/db/index.ts": "query",
        "src/routes/health.js": "api",
        "src/server.ts": "api",
        "src/users/service.ts": "query",
        "test/users.test.ts": "test",
        "web/src/api/client.ts": "-",
        "web/src/components/UserList.tsx": "-",
        "web/src/components/api.ts": "-",
    },
    "node/nestjs_typeorm_users.diff": {
        "src/migrations/1732095000000-AddUserDisplayName.ts": "migration",
        "src/users/dto/create-user.dto.ts": "api",
        "src/users/user.entity.ts": "query",
        "src/users/users.controller.spec.ts": "test",
        "src/users/users.controller.ts": "api",
        "src/users/users.service.ts": "query",
    },
    "node/nextjs_prisma_orders.diff": {
        "app/api/orders/route.ts": "api,query",
        "app/layout.tsx": "-",
        "app/orders/page.tsx": "query",
        "lib/db.ts": "query",
        "pages/api/health.ts": "api",
        "prisma/migrations/20241120120000_order_status/migration.sql": "migration",
        "prisma/migrations/migration_lock.toml": "-",
        "prisma/schema.prisma": "migration,query",
    },
    "node/sequelize_drizzle.diff": {
        "drizzle/0003_add_published_at.sql": "migration",
        "drizzle/meta/_journal.json": "skip:generated migration metadata",
        "migrations/20241120100000-create-invoice.js": "migration",
        "models/invoice.js": "query",
        "src/db/schema.ts": "migration,query",
        "src/lib/format.ts": "-",
    },
    "php/laravel_orders.diff": {
        "app/Http/Controllers/OrderController.php": "api,query",
        "app/Models/Order.php": "query",
        "composer.lock": "skip:lockfile",
        "database/migrations/2024_11_20_100000_add_refunded_at_to_orders_table.php": "migration",
        "resources/views/orders/index.blade.php": "-",
        "routes/api.php": "api",
        "tests/Feature/OrderRefundTest.php": "test",
    },
    "python/django_drf_order_status.diff": {
        "orders/admin.py": "-",
        "orders/migrations/0012_order_status.py": "migration",
        "orders/models.py": "query",
        "orders/serializers.py": "api",
        "orders/templates/orders/order_list.html": "-",
        "orders/tests/test_views.py": "test",
        "orders/urls.py": "api",
        "orders/views.py": "api,query",
    },
    "python/fastapi_sqlmodel_items.diff": {
        "alembic/versions/3f2a9c1d7b10_add_item_price.py": "migration",
        "app/core/config.py": "-",
        "app/models.py": "query",
        "app/routers/items.py": "api,query",
        "app/schemas.py": "api",
        "app/services/billing.py": "query",
        "tests/test_items.py": "test",
    },
    "python/flask_sqlalchemy_auth.diff": {
        "app/auth.py": "api,query",
        "app/cli.py": "-",
        "app/reports.py": "query",
        "app/user.py": "query",
        "migrations/versions/a1b2c3d4e5f6_create_users.py": "migration",
    },
    "rails/orders_api_status.diff": {
        "Gemfile.lock": "skip:lockfile",
        "app/controllers/api/v1/orders_controller.rb": "api,query",
        "app/models/order.rb": "query",
        "app/serializers/order_serializer.rb": "api",
        "app/views/api/v1/orders/show.json.jbuilder": "api",
        "app/views/orders/index.html.erb": "-",
        "config/routes.rb": "api",
        "db/migrate/20241120101500_add_status_to_orders.rb": "migration",
        "db/schema.rb": "migration",
        "spec/requests/api/v1/orders_spec.rb": "test",
    },
    "rails/structure_sql_dump.diff": {
        "db/structure.sql": "migration",
        "lib/tasks/backfill.rake": "query",
    },
    "specs/openapi_graphql_proto.diff": {
        "api/openapi.yaml": "api",
        "docs/examples/report.py": "skip:documentation",
        "docs/queries.md": "skip:documentation",
        "docs/reference/billing.yaml": "api",
        "gen/python/orders/v1/orders_pb2.py": "skip:generated code",
        "proto/common/v1/money.proto": "api",
        "proto/orders/v1/orders.proto": "api",
        "schema.graphql": "api",
        "services/legacy/swagger.json": "api",
        "web/src/graphql/GetOrder.graphql": "-",
    },
}

# The reason must name the convention or the framework, not just the category.
REASONS: list[tuple[str, str, str]] = [
    (
        "python/fastapi_sqlmodel_items.diff",
        "alembic/versions/3f2a9c1d7b10_add_item_price.py",
        "Alembic revision under alembic/versions",
    ),
    (
        "python/flask_sqlalchemy_auth.diff",
        "migrations/versions/a1b2c3d4e5f6_create_users.py",
        "Alembic revision under migrations/versions",
    ),
    ("python/fastapi_sqlmodel_items.diff", "app/routers/items.py", "FastAPI"),
    ("python/fastapi_sqlmodel_items.diff", "app/models.py", "SQLModel"),
    ("python/fastapi_sqlmodel_items.diff", "app/services/billing.py", "SQLAlchemy"),
    ("python/flask_sqlalchemy_auth.diff", "app/auth.py", "Flask"),
    ("python/django_drf_order_status.diff", "orders/views.py", "Django REST framework"),
    ("python/django_drf_order_status.diff", "orders/migrations/0012_order_status.py", "Django"),
    (
        "rails/orders_api_status.diff",
        "db/migrate/20241120101500_add_status_to_orders.rb",
        "Rails migration",
    ),
    ("rails/orders_api_status.diff", "db/schema.rb", "schema dump"),
    ("node/express_knex_users.diff", "migrations/20241120093000_create_users.js", "Knex"),
    ("node/express_knex_users.diff", "src/server.ts", "Express"),
    (
        "node/nestjs_typeorm_users.diff",
        "src/migrations/1732095000000-AddUserDisplayName.ts",
        "TypeORM",
    ),
    ("node/nestjs_typeorm_users.diff", "src/users/users.controller.ts", "NestJS"),
    ("node/nextjs_prisma_orders.diff", "app/api/orders/route.ts", "Next.js route handler"),
    ("node/nextjs_prisma_orders.diff", "pages/api/health.ts", "pages/api"),
    (
        "node/nextjs_prisma_orders.diff",
        "prisma/migrations/20241120120000_order_status/migration.sql",
        "Prisma migration",
    ),
    ("node/sequelize_drizzle.diff", "migrations/20241120100000-create-invoice.js", "Sequelize"),
    ("node/sequelize_drizzle.diff", "drizzle/0003_add_published_at.sql", "Drizzle"),
    ("node/sequelize_drizzle.diff", "src/db/schema.ts", "Drizzle"),
    ("go/nethttp_sqlc_migrate.diff", "internal/handlers/users.go", "net/http"),
    ("go/nethttp_sqlc_migrate.diff", "db/queries/users.sql", "sqlc"),
    (
        "go/nethttp_sqlc_migrate.diff",
        "db/migrations/000004_users_last_seen.up.sql",
        "golang-migrate",
    ),
    ("go/gin_gorm_goose.diff", "internal/api/router.go", "gin"),
    ("go/gin_gorm_goose.diff", "internal/models/product.go", "GORM"),
    ("go/gin_gorm_goose.diff", "db/migrations/20241120093000_add_product_stock.sql", "goose"),
    ("go/echo_server.diff", "server/routes.go", "echo"),
    (
        "java/spring_jpa_flyway.diff",
        "src/main/java/com/acme/orders/web/OrderController.java",
        "Spring",
    ),
    ("java/spring_jpa_flyway.diff", "src/main/java/com/acme/orders/domain/Order.java", "JPA"),
    (
        "java/spring_jpa_flyway.diff",
        "src/main/resources/db/migration/V7__add_order_status.sql",
        "Flyway",
    ),
    (
        "kotlin/spring_kotlin_liquibase.diff",
        "src/main/resources/db/changelog/db.changelog-master.yaml",
        "Liquibase",
    ),
    ("php/laravel_orders.diff", "routes/api.php", "Laravel routes"),
    (
        "php/laravel_orders.diff",
        "database/migrations/2024_11_20_100000_add_refunded_at_to_orders_table.php",
        "Laravel",
    ),
    ("php/laravel_orders.diff", "app/Models/Order.php", "Eloquent"),
    ("csharp/aspnet_efcore_orders.diff", "src/Shop.Api/Controllers/OrdersController.cs", "ASP.NET"),
    (
        "csharp/aspnet_efcore_orders.diff",
        "src/Shop.Api/Migrations/20241120093000_AddOrderStatus.cs",
        "EF Core migration",
    ),
    ("csharp/aspnet_efcore_orders.diff", "src/Shop.Api/Data/ShopDbContext.cs", "DbContext"),
    ("specs/openapi_graphql_proto.diff", "docs/reference/billing.yaml", "OpenAPI"),
    ("specs/openapi_graphql_proto.diff", "schema.graphql", "GraphQL SDL"),
    ("specs/openapi_graphql_proto.diff", "proto/orders/v1/orders.proto", "protobuf service"),
    ("atlas/atlas_hcl_schema.diff", "schema.pg.hcl", "Atlas"),
    ("rails/orders_api_status.diff", "spec/requests/api/v1/orders_spec.rb", "API test"),
]


def _reports(sample: str, config: RepoConfig = DEFAULT) -> dict[str, FileReport]:
    files = parse_diff((SAMPLES / sample).read_bytes())
    return {r.path: r for r in classify_files(files, config)}


def _outcome(report: FileReport) -> str:
    if report.is_test:
        return "test" if report.skip_reason is None else f"test:{report.skip_reason}"
    if report.skip_reason == "not backend code":
        return "-"
    if report.skip_reason:
        return f"skip:{report.skip_reason}"
    return ",".join(report.categories)


def _cases() -> list[object]:
    return [
        pytest.param(sample, path, want, id=f"{sample.removesuffix('.diff')}:{path}")
        for sample, files in EXPECTED.items()
        for path, want in files.items()
    ]


def test_every_sample_is_listed() -> None:
    """Each sample diff under tests/samples/classify/ has its expectations, file for file."""
    on_disk = {str(p.relative_to(SAMPLES)) for p in SAMPLES.glob("*/*.diff")}
    assert on_disk == set(EXPECTED)
    for sample, files in EXPECTED.items():
        assert set(_reports(sample)) == set(files), sample


@pytest.mark.parametrize(("sample", "path", "want"), _cases())
def test_sample_file_is_classified(sample: str, path: str, want: str) -> None:
    """Real-looking diffs per ecosystem: categories, tests and skips as a reviewer expects."""
    report = _reports(sample)[path]
    assert _outcome(report) == want, report
    assert report.reviewed == (want not in ("-", "test") and not want.startswith(("skip", "test")))
    if report.categories:
        assert len(report.reasons) == len(report.categories)
        assert all(report.reasons)


@pytest.mark.parametrize(
    ("sample", "path", "fragment"),
    [pytest.param(s, p, f, id=f"{s.removesuffix('.diff')}:{p}") for s, p, f in REASONS],
)
def test_reason_names_the_convention(sample: str, path: str, fragment: str) -> None:
    """Reasons say why: the tool, framework or convention that decided."""
    assert fragment in "; ".join(_reports(sample)[path].reasons)


def _file(
    path: str,
    added: str = "",
    *,
    status: FileStatus = "added",
    old_path: str | None = None,
    binary: bool = False,
) -> FileDiff:
    """A file whose hunk adds `added` (or removes it, for a removed file) from line 1."""
    texts = added.splitlines()
    if status == "removed":
        lines = tuple(DiffLine("-", i, None, t) for i, t in enumerate(texts, 1))
        hunk = Hunk(1, len(texts), 0, 0, "", lines)
    else:
        lines = tuple(DiffLine("+", None, i, t) for i, t in enumerate(texts, 1))
        hunk = Hunk(0, 0, 1, len(texts), "", lines)
    hunks = (hunk,) if texts else ()
    return FileDiff(path=path, status=status, hunks=hunks, old_path=old_path, is_binary=binary)


def _one(file: FileDiff, config: RepoConfig = DEFAULT) -> FileReport:
    return classify_file(file, config)


@pytest.mark.parametrize(
    ("path", "text", "want"),
    [
        pytest.param("src/server.ts", "router.get('/users', list);", "api", id="neutral-ts-router"),
        pytest.param(
            "app/services/billing.py",
            'rows = session.execute(text("SELECT id FROM invoice"))',
            "query",
            id="neutral-py-session-execute",
        ),
        pytest.param(
            "lib/jobs/cleanup.py",
            'cur.execute("delete from sessions where expires_at < now()")',
            "query",
            id="lowercase-sql-in-string",
        ),
        pytest.param(
            "lib/ui/messages.py",
            'HELP = "Select a file from the list, then update your settings."',
            "-",
            id="prose-with-sql-words",
        ),
        pytest.param(
            "web/src/components/api.ts",
            "export const getUsers = () => fetch('/api/users').then((r) => r.json());",
            "-",
            id="frontend-fetch-client",
        ),
        pytest.param(
            "src/api/users.ts",
            "import axios from 'axios';\nexport const list = () => axios.get('/users');",
            "-",
            id="client-under-api-folder",
        ),
        pytest.param("src/api/users.ts", "export const limit = 50;", "api", id="api-folder-ts"),
        pytest.param(
            "app/views/orders/show.html.erb", "<h1><%= @order.id %></h1>", "-", id="rails-html-view"
        ),
        pytest.param("src/views/Orders.vue", "<template><div/></template>", "-", id="vue-view"),
        pytest.param("db/migrate/20240101000000_x.rb", "", "migration", id="rails-empty-hunks"),
        pytest.param(
            "prisma/migrations/20240101000000_init/migration.sql",
            "-- CreateTable",
            "migration",
            id="prisma-migration",
        ),
        pytest.param(
            "src/main/resources/db/migration/R__views.sql",
            "CREATE VIEW v AS SELECT 1;",
            "migration",
            id="flyway-repeatable",
        ),
        pytest.param(
            "sql/schema.sql",
            "CREATE TABLE users (id bigint primary key);",
            "migration",
            id="ddl-sql-file",
        ),
        pytest.param(
            "reports/monthly.sql", "SELECT count(*) FROM orders;", "query", id="query-sql-file"
        ),
        pytest.param(
            "db/queries/cleanup.sql",
            "CREATE TEMP TABLE t AS SELECT 1;",
            "query",
            id="sql-under-queries-stays-query",
        ),
        pytest.param(
            "internal/store/cache.go",
            "package store\n\nvar ttl = 5",
            "query",
            id="go-store-package",
        ),
        pytest.param("pkg/handlers/health.go", "package handlers", "api", id="go-handlers-package"),
        pytest.param("Controllers/HealthController.cs", "namespace X;", "api", id="aspnet-path"),
        pytest.param("api/v1/schema.graphqls", "type Query { ping: String }", "api", id="graphqls"),
        pytest.param("src/ops.graphql", "query Ping { ping }", "-", id="graphql-operations"),
        pytest.param("proto/a.proto", "message A { string id = 1; }", "api", id="proto-messages"),
        pytest.param(
            "proto/a.proto",
            "service A {\n  rpc Get(Req) returns (Res);\n}",
            "api",
            id="proto-service",
        ),
        pytest.param("deploy/values.yaml", "replicaCount: 2\npaths:\n  - /", "-", id="helm-values"),
        pytest.param(
            "contracts/orders.yml",
            "swagger: '2.0'\ninfo:\n  title: x",
            "api",
            id="swagger-by-content",
        ),
        pytest.param("db/changelog.xml", "<databaseChangeLog>", "migration", id="liquibase-xml"),
        pytest.param("resolvers/user.py", "import strawberry", "api", id="strawberry"),
        pytest.param(
            "users/router.py",
            "@router.get('/users')\ndef list_users(): ...",
            "api",
            id="fastapi-decorator",
        ),
        pytest.param(
            "app/schemas/user.py", "class User(BaseModel):\n    id: int", "api", id="schemas-module"
        ),
        pytest.param(
            "src/Kernel/Routes.php", "Route::get('/x', fn () => 1);", "api", id="laravel-route-call"
        ),
        pytest.param(
            "src/Entity/Order.php", "#[ORM\\Entity]\nclass Order {}", "query", id="doctrine-entity"
        ),
        pytest.param(
            "app/Startup.kt",
            'routing {\n  get("/health") { call.respondText("ok") }',
            "api",
            id="ktor",
        ),
        pytest.param("services/mail.py", "def send(to): ...", "-", id="plain-python"),
        pytest.param(
            "server/trpc/router.ts", "import { initTRPC } from '@trpc/server';", "api", id="trpc"
        ),
        pytest.param(
            "src/lib/db.ts",
            "await supabase.from('profiles').select('*')",
            "query",
            id="supabase-query-builder",
        ),
        pytest.param(
            "src/routes/+layout.ts", "export const prerender = true;", "-", id="sveltekit-layout"
        ),
        pytest.param(
            "src/routes/api/users/+server.ts",
            "export async function GET() {}",
            "api",
            id="sveltekit-endpoint",
        ),
        pytest.param(
            "src/api/users.ts",
            'export const list = () => http.get<User[]>("/users");',
            "-",
            id="typed-http-client",
        ),
        pytest.param(
            "src/models/user.py",
            "from pydantic import BaseModel\nclass User(BaseModel):",
            "-",
            id="pydantic-models-module",
        ),
        pytest.param(
            "ee/clickhouse/sql/events.py",
            'SQL = """\nCREATE TABLE IF NOT EXISTS events',
            "query",
            id="ddl-in-python-string",
        ),
        pytest.param(
            "posthog/queries/trends/trends.py",
            "class Trends: ...",
            "query",
            id="nested-queries-package",
        ),
        pytest.param(
            "openapi/components/schemas/Order.yaml", "type: object", "api", id="openapi-folder"
        ),
        pytest.param(
            "contracts/orders.yaml",
            '$ref: "./schemas/order.yaml#/components/schemas/O"',
            "api",
            id="split-openapi-ref",
        ),
        pytest.param(
            "specs/orders/paths.yaml",
            "/orders:\n  post:\n    requestBody: {}",
            "api",
            id="openapi-request-body",
        ),
        pytest.param("docs/openapi/orders.yaml", "type: object", "api", id="openapi-under-docs"),
        pytest.param(
            "docs/api/schema.graphql", "type Query { a: Int }", "api", id="sdl-under-docs"
        ),
        pytest.param("config/crd.yaml", "openAPIV3Schema:\n  type: object", "-", id="k8s-crd"),
        pytest.param("src/handlers.rs", "use axum::{routing::get, Router};", "api", id="rust-axum"),
        pytest.param(
            "src/db.rs", 'sqlx::query("SELECT 1").fetch_one(&pool)', "query", id="rust-sqlx"
        ),
        pytest.param(
            "src/main/java/com/acme/orders/service/OrderService.java",
            "@Service\npublic class OrderService {\n  @Transactional\n  public void pay() {}",
            "query",
            id="spring-transactional-service",
        ),
        pytest.param(
            "src/main/java/com/acme/orders/service/PriceService.java",
            "@Service\npublic class PriceService {\n  public int price() { return 1; }",
            "-",
            id="spring-plain-service",
        ),
        pytest.param(
            "db/functions/total.sql",
            "CREATE OR REPLACE FUNCTION total() RETURNS int",
            "migration",
            id="sql-function-ddl",
        ),
    ],
)
def test_path_and_content_decide(path: str, text: str, want: str) -> None:
    """Path conventions and content signals, including the false positives to avoid."""
    assert _outcome(_one(_file(path, text))) == want


@pytest.mark.parametrize(
    ("path", "text", "reason"),
    [
        pytest.param("package-lock.json", "{}", "lockfile", id="npm"),
        pytest.param("poetry.lock", "x", "lockfile", id="poetry"),
        pytest.param("Cargo.lock", "x", "lockfile", id="cargo"),
        pytest.param("vendor/github.com/lib/pq/conn.go", "package pq", "vendored code", id="go"),
        pytest.param("web/node_modules/pg/lib/client.js", "x", "vendored code", id="node"),
        pytest.param("third_party/sqlparse/engine.py", "x", "vendored code", id="third-party"),
        pytest.param("api/v1/orders_pb2.py", "x", "generated code", id="pb2"),
        pytest.param("api/v1/orders_pb2_grpc.py", "x", "generated code", id="pb2-grpc"),
        pytest.param("gen/orders.pb.go", "x", "generated code", id="pb-go"),
        pytest.param("src/api.generated.ts", "x", "generated code", id="dot-generated"),
        pytest.param(
            "internal/ent/client.go",
            "// Code generated by ent, DO NOT EDIT.",
            "generated code",
            id="go-header",
        ),
        pytest.param(
            "src/schema.ts",
            "/**\n * @generated SignedSource<<abc>>\n */",
            "generated code",
            id="at-generated",
        ),
        pytest.param(
            "Models/Order.cs",
            "// <auto-generated />\nnamespace X;",
            "generated code",
            id="dotnet-header",
        ),
        pytest.param("static/app.min.js", "x", "minified or built file", id="min-js"),
        pytest.param(
            "static/app.js", "var a=1;" * 200, "minified or built file", id="long-line-js"
        ),
        pytest.param("assets/logo.svg", "<svg/>", "image", id="svg"),
        pytest.param("db/dump.sqlite3", "", "binary file", id="sqlite"),
        pytest.param("docs/architecture.md", "SELECT * FROM users", "documentation", id="md"),
        pytest.param("docs/notes.txt", "SELECT 1", "documentation", id="docs-txt"),
        pytest.param(
            "docs/snippets/query.sql", "SELECT 1 FROM t", "documentation", id="sql-in-docs"
        ),
        pytest.param("LICENSE", "MIT", "documentation", id="license"),
    ],
)
def test_skipped_with_reason(path: str, text: str, reason: str) -> None:
    """Lockfiles, vendored, generated, minified, binary files and docs are skipped, saying why."""
    report = _one(_file(path, text))
    assert (report.categories, report.skip_reason) == ((), reason)
    assert not report.reviewed


def test_binary_flag_from_the_diff_skips() -> None:
    """A file git reports as binary is skipped whatever its name."""
    assert _one(_file("db/migrations/0001_seed.sql", binary=True)).skip_reason == "binary file"


def test_generated_migrations_are_kept() -> None:
    """Tools write 'generated' headers into migrations; those are reviewed all the same."""
    django = _file("shop/migrations/0002_auto.py", "# Generated by Django 5.0 on 2024-01-01")
    efcore = _file("Migrations/20240101_Init.cs", "// <auto-generated />\nusing X;")
    assert _one(django).categories == ("migration",)
    assert _one(efcore).categories == ("migration",)


def test_migration_content_signals_do_not_add_query() -> None:
    """Column definitions in an Alembic revision are the migration, not query code."""
    text = "from alembic import op\nimport sqlalchemy as sa\nop.add_column('t', sa.Column('c'))"
    report = _one(_file("migrations/versions/abc_add_c.py", text))
    assert report.categories == ("migration",)


def test_alembic_revision_found_by_content_on_a_neutral_path() -> None:
    text = "from alembic import op\n\ndef upgrade():\n    op.drop_column('users', 'legacy')"
    assert _one(_file("db/revisions/abc123_drop_legacy.py", text)).categories == ("migration",)


def test_removed_migration_stays_reviewed() -> None:
    """Deleting a migration matters: it is classified from its removed text and reviewed."""
    report = _one(
        _file("db/migrate/20240101000000_add_x.rb", "add_column :t, :x", status="removed")
    )
    assert report.status == "removed" and report.categories == ("migration",) and report.reviewed


def test_removed_handler_is_classified_from_removed_lines() -> None:
    text = "from fastapi import APIRouter\nrouter = APIRouter()"
    report = _one(_file("app/endpoints_v1.py", text, status="removed"))
    assert report.categories == ("api",)


def test_rename_out_of_migrations_keeps_the_category() -> None:
    """A migration moved elsewhere is still a migration change."""
    moved = _file("archive/0003_old.py", status="renamed", old_path="shop/migrations/0003_old.py")
    report = _one(moved)
    assert report.categories == ("migration",) and report.old_path == "shop/migrations/0003_old.py"


def test_missing_patch_is_classified_by_path() -> None:
    """GitHub sends no patch for huge files; the path still decides."""
    big = parse_patch("db/migrations/20240101_backfill.sql", None, status="added")
    assert _one(big).categories == ("migration",)


@pytest.mark.parametrize(
    ("path", "text", "reason"),
    [
        pytest.param(
            "tests/api/test_orders.py",
            "@router.get('/x')\ndef f(): ...\nclient = TestClient(app)",
            "API test",
            id="api-test",
        ),
        pytest.param(
            "tests/test_views.py", "def test_x(): ...", "test of api code", id="test-of-views"
        ),
        pytest.param(
            "src/users/users.controller.spec.ts",
            "describe('x', () => {})",
            "test of api code",
            id="nest-spec",
        ),
        pytest.param(
            "spec/models/order_spec.rb",
            "RSpec.describe Order do\nend",
            "test of query code",
            id="model-spec",
        ),
        pytest.param(
            "internal/store/users_test.go",
            "package store",
            "test of query code",
            id="go-store-test",
        ),
    ],
)
def test_tests_are_kept_but_never_api(path: str, text: str, reason: str) -> None:
    """Tests of backend code are kept (no skip reason) and marked; they get no categories."""
    report = _one(_file(path, text))
    assert report.is_test and report.categories == () and report.skip_reason is None
    assert reason in report.reasons[0]


def test_unrelated_test_is_not_backend() -> None:
    report = _one(_file("web/src/Button.test.tsx", "it('renders', () => {})"))
    assert report.is_test and report.skip_reason == "not backend code"


def test_openapi_spec_under_spec_folder_is_not_a_test() -> None:
    """`spec/` holds RSpec tests but also API specifications."""
    report = _one(_file("spec/openapi.yaml", "openapi: 3.1.0"))
    assert not report.is_test and report.categories == ("api",)


# --- configuration ------------------------------------------------------------------------


def test_exclude_glob_wins_and_is_named() -> None:
    config = RepoConfig(exclude=["legacy/**"])
    report = _one(_file("legacy/db/migrate/20200101000000_x.rb", "add_column :a, :b"), config)
    assert report.skip_reason == "excluded by configuration (legacy/**)"


def test_include_globs_limit_the_review() -> None:
    config = RepoConfig(include=["services/billing/**"])
    inside = _one(_file("services/billing/models.py", "class A(models.Model): ..."), config)
    outside = _one(_file("services/shop/models.py", "class A(models.Model): ..."), config)
    assert inside.reviewed
    assert outside.skip_reason == "not matched by the configured include globs"


def test_extra_category_globs_add_categories() -> None:
    config = RepoConfig(paths=CategoryGlobs(api=["src/endpoints/*.ts"], query=["**/*.cypher"]))
    api = _one(_file("src/endpoints/users.ts", "export const x = 1;"), config)
    cypher = _one(_file("graph/queries/friends.cypher", "MATCH (a)-->(b) RETURN b"), config)
    assert api.categories == ("api",) and "src/endpoints/*.ts" in api.reasons[0]
    assert cypher.categories == ("query",)


def test_extra_globs_beat_builtin_skips_but_not_binaries() -> None:
    """A configured glob can claim vendored or generated code, never a binary."""
    config = RepoConfig(paths=CategoryGlobs(query=["vendor/acme-db/**", "data/*.bin"]))
    vendored = _one(_file("vendor/acme-db/queries.go", "package db"), config)
    binary = _one(_file("data/blob.bin", binary=True), config)
    assert vendored.categories == ("query",) and vendored.skip_reason is None
    assert binary.skip_reason == "binary file"


def test_classify_files_matches_classify_file_in_order() -> None:
    files = parse_diff((SAMPLES / "go" / "nethttp_sqlc_migrate.diff").read_bytes())
    assert classify_files(files, DEFAULT) == [classify_file(f, DEFAULT) for f in files]


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        pytest.param("*.sql", "db/queries/a.sql", True, id="name-glob-any-depth"),
        pytest.param("src/*.py", "src/a.py", True, id="star-one-segment"),
        pytest.param("src/*.py", "src/a/b.py", False, id="star-not-across-slash"),
        pytest.param("src/**/*.py", "src/a.py", True, id="double-star-zero-dirs"),
        pytest.param("src/**/*.py", "src/a/b/c.py", True, id="double-star-many-dirs"),
        pytest.param("**/migrations/*.py", "a/b/migrations/0001.py", True, id="leading-double"),
        pytest.param("legacy/**", "legacy/x/y.rb", True, id="trailing-double"),
        pytest.param("legacy/", "legacy/x/y.rb", True, id="directory-slash"),
        pytest.param("legacy", "app/legacy/y.rb", True, id="bare-name-is-a-directory-too"),
        pytest.param("/legacy", "app/legacy/y.rb", False, id="leading-slash-anchors"),
        pytest.param("db/*.sql", "other/db/a.sql", False, id="slash-anchors"),
        pytest.param("file?.py", "file1.py", True, id="question-mark"),
        pytest.param("file?.py", "file10.py", False, id="question-mark-one-char"),
        pytest.param("v[0-9]/*.yaml", "v2/api.yaml", True, id="class"),
        pytest.param("v[!0-9]/*.yaml", "v2/api.yaml", False, id="negated-class"),
        pytest.param("a[b.py", "a[b.py", True, id="unclosed-bracket-literal"),
        pytest.param("*.SQL", "a.sql", False, id="case-sensitive"),
    ],
)
def test_glob_semantics(glob: str, path: str, matches: bool) -> None:
    """Configuration globs: `**` crosses directories, `*` and `?` stay within one segment."""
    assert match_glob(glob, path) is matches
    assert (GlobSet([glob]).first_match(path) is not None) is matches


def test_globset_names_the_first_matching_glob() -> None:
    globs = GlobSet(["docs/**", "*.md", "**/*.py"])
    assert globs.first_match("docs/a.md") == "docs/**"
    assert globs.first_match("src/x.py") == "**/*.py"
    assert globs.first_match("src/x.go") is None
    assert not GlobSet([]) and GlobSet([]).first_match("x") is None


def test_glob_to_regex_is_a_full_match_pattern() -> None:
    assert glob_to_regex("*.py") == "(?:.*/)?[^/]*\\.py(?:/.*)?"

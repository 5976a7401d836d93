"""Content signals for Python, Ruby, JavaScript/TypeScript and PHP files.

The dynamic web languages carry the most framework variety (and, for JS, the browser code
that must veto backend path rules), so their tables live apart from the compiled languages'.
"""

from __future__ import annotations

from bot.classify.signal import SQL_IN_CODE
from bot.classify.signal import signal as _s

# fmt: off
PYTHON = (
    _s("migration", "alembic op down_revision",
     r"^from alembic import op\b|^\s*op\.(?:add_column|drop_column|create_table|drop_table"
     r"|create_index|drop_index|alter_column|execute|create_foreign_key|batch_alter_table"
     r"|rename_table|create_unique_constraint|drop_constraint|create_check_constraint)\(",
     "Alembic revision (op.* operations)"),
    _s("migration", "Migration migrations",
     r"class Migration\(migrations\.Migration\)|\bmigrations\.(?:AddField|RemoveField"
     r"|AlterField|CreateModel|DeleteModel|RenameField|RenameModel|RunSQL|RunPython|AddIndex"
     r"|RemoveIndex|AddConstraint|RemoveConstraint|AlterUniqueTogether)\(",
     "Django migration operations"),
    _s("api", "fastapi FastAPI APIRouter",
     r"^\s*(?:from fastapi\b|import fastapi\b)|\bAPIRouter\(|\bFastAPI\(", "FastAPI app or router"),
    _s("api", "flask Flask Blueprint route",
     r"^\s*(?:from flask\b|import flask\b)|\bBlueprint\(|^\s*@\w+\.route\(", "Flask routes"),
    _s("api", "get post put patch delete head options api_route websocket",
     r"^\s*@\w+\.(?:get|post|put|patch|delete|head|options|api_route|websocket)\(\s*f?[\"']",
     "route decorators (@router.get, @app.post, ...)"),
    _s("api", "rest_framework APIView ViewSet ModelViewSet GenericViewSet GenericAPIView "
     "ModelSerializer HyperlinkedModelSerializer api_view serializers",
     r"\brest_framework\b|\b(?:APIView|ViewSet|ModelViewSet|GenericViewSet|GenericAPIView"
     r"|ModelSerializer|HyperlinkedModelSerializer)\b|@api_view\(|\bserializers\.\w*Serializer\b",
     "Django REST framework views or serializers"),
    _s("api", "urlpatterns path re_path",
     r"^urlpatterns\b|\b(?:re_)?path\(\s*r?[\"'][^\"']*[\"']\s*,\s*[\w.]+", "Django URL patterns"),
    _s("api", "JsonResponse HttpResponse http require_http_methods require_GET require_POST",
     r"\bJsonResponse\(|^\s*from django\.http\b|@require_(?:http_methods|GET|POST)\b",
     "Django views"),
    _s("api", "ninja NinjaAPI", r"^\s*from ninja\b|\bNinjaAPI\(", "Django Ninja API"),
    _s("api", "graphene strawberry ariadne",
     r"^\s*(?:import|from) (?:graphene|strawberry|ariadne)\b|@strawberry\.(?:type|mutation)",
     "GraphQL schema and resolvers"),
    _s("api", "on_get on_post on_put on_patch on_delete RequestHandler view_config",
     r"\bdef on_(?:get|post|put|patch|delete)\(self,\s*req\b|\bRequestHandler\)"
     r"|@view_config\(", "Falcon/Tornado/Pyramid handlers"),
    _s("api", "aiohttp RouteTableDef Route",
     r"^\s*from aiohttp import web\b|\bRouteTableDef\(|\bRoute\(\s*[\"']/",
     "aiohttp/Starlette routes"),
    _s("query", "sqlmodel SQLModel", r"^\s*from sqlmodel\b|\bSQLModel\b.*\btable\s*=\s*True",
     "SQLModel tables"),
    _s("query",
     "sqlalchemy mapped_column Mapped declarative_base DeclarativeBase relationship Column "
     "session Session select",
     r"^\s*(?:from|import) sqlalchemy\b|\bmapped_column\(|\bMapped\[|\bdeclarative_base\("
     r"|\bDeclarativeBase\b|\brelationship\(|\bColumn\(\s*\w"
     r"|\b(?:session|db\.session|Session)\.(?:query|execute|scalars?|get|merge)\("
     r"|\bselect\(\s*[A-Z]\w*[,)]", "SQLAlchemy models or queries"),
    _s("query", "models objects QuerySet Manager cursor",
     r"\bmodels\.(?:Model|CharField|IntegerField|BigIntegerField|ForeignKey|TextField"
     r"|BooleanField|DateTimeField|DecimalField|JSONField|ManyToManyField|OneToOneField|Index"
     r"|UniqueConstraint|Manager|QuerySet)\b|\.objects\.(?:filter|get|all|create|exclude"
     r"|annotate|aggregate|select_related|prefetch_related|raw|update|bulk_create|bulk_update"
     r"|get_or_create|update_or_create|values|values_list|order_by|only|defer"
     r"|select_for_update|count|exists|in_bulk|iterator|using)\(|\bconnection\.cursor\(",
     "Django ORM models or querysets"),
    _s("query",
     "psycopg psycopg2 asyncpg pymysql MySQLdb sqlite3 aiosqlite cursor fetchall fetchone "
     "fetchmany fetchrow fetchval",
     r"^\s*(?:import|from) (?:psycopg2?|asyncpg|pymysql|MySQLdb|sqlite3|aiosqlite)\b"
     r"|\.cursor\(\)|\.(?:fetchall|fetchone|fetchmany|fetchrow|fetchval)\(",
     "DB-API database access"),
    _s("query", "pymongo motor insert_one insert_many find_one update_one update_many",
     r"^\s*(?:import|from) (?:pymongo|motor)\b|\.(?:insert_one|insert_many|find_one"
     r"|update_one|update_many|delete_one|delete_many)\(", "MongoDB queries"),
    SQL_IN_CODE,
    _s("nodb", "BaseModel BaseSettings TypedDict dataclass Schema",
       r"^class \w+\((?:BaseModel|BaseSettings|TypedDict|\w*Schema)\)|^@dataclass\b",
       "plain data classes"),
    _s("apitest", "TestClient APIClient APITestCase APIRequestFactory AsyncClient client",
     r"\b(?:TestClient|APIClient|APITestCase|APIRequestFactory)\b"
     r"|\bclient\.(?:get|post|put|patch|delete)\(\s*f?[\"']/",
     "exercises HTTP endpoints (test client)"),
)

RUBY = (
    _s("migration",
     "ActiveRecord create_table add_column remove_column add_index remove_index change_column "
     "change_column_null change_column_default add_reference remove_reference change_table "
     "rename_column rename_table drop_table add_foreign_key remove_foreign_key",
     r"<\s*ActiveRecord::Migration\b|^\s*(?:create_table|add_column|remove_column|add_index"
     r"|remove_index|change_column|change_column_null|change_column_default|add_reference"
     r"|remove_reference|change_table|rename_column|rename_table|drop_table|add_foreign_key"
     r"|remove_foreign_key|add_check_constraint)\b", "ActiveRecord migration DSL"),
    _s("api", "ApplicationController ActionController render Grape Sinatra",
     r"<\s*(?:ApplicationController|ActionController::(?:Base|API)|\w+Controller)\b"
     r"|\brender\s*\(?\s*json:|<\s*Grape::API\b|<\s*Sinatra::Base\b", "Rails controller"),
    _s("query",
     "ApplicationRecord ActiveRecord has_many belongs_to has_one has_and_belongs_to_many scope "
     "where find_by_sql joins left_joins includes preload eager_load pluck find_each "
     "find_in_batches in_batches find_by exec_query select_all update_all delete_all "
     "insert_all upsert_all lock",
     r"<\s*(?:ApplicationRecord|ActiveRecord::Base)\b|^\s*scope\s+:"
     r"|\.(?:where|find_by_sql|joins|left_joins|includes"
     r"|preload|eager_load|pluck|find_each|find_in_batches|in_batches|find_by|exec_query"
     r"|select_all|update_all|delete_all|insert_all|upsert_all|lock)[(\s]",
     "ActiveRecord models or queries"),
    SQL_IN_CODE,
    _s("apitest", "request controller get post put patch delete parsed_body IntegrationTest",
     r"type:\s*:(?:request|controller)\b|^\s*(?:get|post|put|patch|delete)\s*\(?\s*['\"/]"
     r"|^\s*(?:get|post|put|patch|delete)\s*\(?\s*\w+_(?:path|url)\b|\bparsed_body\b"
     r"|ActionDispatch::IntegrationTest", "exercises HTTP endpoints (request specs)"),
)

JS = (
    _s("frontend",
     "react vue svelte preact angular solid useState useEffect useQuery useSWR tanstack",
     r"from\s+['\"](?:react(?:-dom|-router(?:-dom)?|-query)?|vue|svelte|solid-js|preact"
     r"|@angular/[\w-]+|@tanstack/react-query)['\"]|\b(?:useState|useEffect|useQuery|useSWR)\(",
     "browser code (UI framework)"),
    _s("frontend", "className window document localStorage",
     r"\bclassName=|\bwindow\.|\bdocument\.|\blocalStorage\b", "browser code (DOM)"),
    _s("frontend", "axios ky ofetch fetch",
     r"from\s+['\"](?:axios|ky|ofetch)['\"]|\baxios\.|\bfetch\(", "HTTP client code"),
    _s("frontend", "get post put patch delete request",
     r"\.(?:get|post|put|patch|delete|request)<[\w\[\]<>, |]+>\(", "typed HTTP client calls"),
    _s("migration", "exports knex up",
     r"\bexports\.up\s*=|\bknex\.schema\.|^export\s+(?:async\s+)?function\s+up\s*\(\s*knex",
     "Knex migration (knex.schema)"),
    _s("migration", "queryInterface", r"\bqueryInterface\.\w+\(",
     "Sequelize migration (queryInterface)"),
    _s("migration", "MigrationInterface queryRunner",
     r"\bimplements\s+MigrationInterface\b|\bqueryRunner\.\w+\(",
     "TypeORM migration (MigrationInterface)"),
    _s("api", "GET POST PUT PATCH DELETE HEAD OPTIONS NextApiRequest NextApiResponse",
     r"^export\s+(?:async\s+)?function\s+(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b"
     r"|^export\s+const\s+(?:GET|POST|PUT|PATCH|DELETE)\s*=|\bNextApi(?:Request|Response)\b",
     "GET/POST handler exports"),
    _s("api", "Controller Get Post Put Patch Delete All",
     r"@Controller\(|@(?:Get|Post|Put|Patch|Delete|All)\(\s*['\"`)]",
     "NestJS controller decorators"),
    _s("api", "Resolver Query Mutation Subscription ResolveField typeDefs gql ApolloServer "
     "GraphQLObjectType",
     r"@Resolver\(|@(?:Query|Mutation|Subscription|ResolveField)\(|\btypeDefs\b"
     r"|\bgql`\s*(?:type|extend|schema|input|enum|scalar|interface|union)\b"
     r"|new ApolloServer\(|\bGraphQLObjectType\b", "GraphQL schema or resolvers"),
    _s("api", "express koa router fastify hono Hono Router",
     r"require\(\s*['\"](?:express|koa|@koa/router|koa-router|fastify|hono)['\"]\s*\)"
     r"|from\s+['\"](?:express|koa|@koa/router|koa-router|fastify|hono)['\"]"
     r"|\bexpress\.Router\(|\bnew Hono\(", "Express/Koa/Fastify/Hono server"),
    _s("api", "get post put patch delete all head options",
     r"\b(?:app|router|server|fastify|routes|\w+Router|\w+_router)\."
     r"(?:get|post|put|patch|delete|all|head|options)\(\s*['\"`]/"
     r"|\.(?:get|post|put|patch|delete|all)\(\s*['\"`]/[^'\"`]*['\"`]\s*,[^\n]*?"
     r"\(\s*(?:req|request|ctx|c)\b", "Express-style route registrations"),
    _s("query", "typeorm Entity Column PrimaryGeneratedColumn PrimaryColumn ManyToOne OneToMany "
     "ManyToMany JoinColumn createQueryBuilder getRepository InjectRepository",
     r"from\s+['\"]typeorm['\"]|@(?:Entity|Column|PrimaryGeneratedColumn|PrimaryColumn"
     r"|ManyToOne|OneToMany|ManyToMany|JoinColumn)\(|\.createQueryBuilder\(|\bgetRepository\("
     r"|@InjectRepository\(", "TypeORM entities or queries"),
    _s("api", "trpc createTRPCRouter initTRPC publicProcedure protectedProcedure Deno",
     r"['\"]@trpc/server['\"]|\bcreateTRPCRouter\(|\binitTRPC\b|\b(?:public|protected)Procedure\b"
     r"|\bDeno\.serve\(", "tRPC router or Deno handler"),
    _s("query",
     "sequelize Sequelize DataTypes",
     r"(?:from\s+|require\(\s*)['\"]sequelize(?:-typescript)?['\"]"
     r"|\bsequelize\.(?:define|query|transaction)\(|\bDataTypes\.\w+",
     "Sequelize models or queries"),
    _s("query", "prisma PrismaClient queryRaw executeRaw queryRawUnsafe executeRawUnsafe db tx",
     r"\bnew PrismaClient\(|\b(?:prisma|db|tx)\.\w+\.(?:findMany|findUnique|findUniqueOrThrow"
     r"|findFirst"
     r"|findFirstOrThrow|create|createMany|update|updateMany|upsert|delete|deleteMany|count"
     r"|aggregate|groupBy)\(|\$(?:queryRaw|executeRaw)(?:Unsafe)?\b", "Prisma Client queries"),
    _s("query", "knex db trx whereIn whereRaw joinRaw orderByRaw",
     r"\b(?:knex|db|trx)\(\s*['\"]\w+['\"]\s*\)\s*\."
     r"|\bknex\.(?:raw|select|from|insert|transaction)\("
     r"|(?:from\s+|require\(\s*)['\"]knex['\"]|\.(?:whereIn|whereRaw|joinRaw|orderByRaw)\(",
     "Knex queries"),
    _s("query", "from",
     r"\.from\(\s*['\"]\w+['\"]\s*\)\s*\.(?:select|insert|update|upsert|delete)\(",
     "query builder (.from().select())"),
    _s("query", "drizzle pgTable mysqlTable sqliteTable",
     r"['\"]drizzle-orm(?:/[\w-]+)?['\"]|\b(?:pgTable|mysqlTable|sqliteTable)\(",
     "Drizzle schema or queries"),
    _s("migration", "pgTable mysqlTable sqliteTable", r"\b(?:pgTable|mysqlTable|sqliteTable)\(",
     "Drizzle schema (drizzle-kit generates migrations from it)"),
    _s("query", "mongoose Schema", r"['\"]mongoose['\"]|\bnew (?:mongoose\.)?Schema\(",
     "Mongoose models"),
    _s("query", "pg mysql mysql2 postgres query",
     r"(?:from\s+|require\(\s*)['\"](?:pg|mysql2?(?:/promise)?|better-sqlite3|postgres"
     r"|@neondatabase/serverless|@vercel/postgres)['\"]"
     r"|\b(?:pool|client|db|conn|connection)\.query\(", "SQL driver queries"),
    SQL_IN_CODE,
    _s("apitest", "supertest request inject",
     r"['\"]supertest['\"]|\brequest\(\s*(?:app|server|this\.app|app\.getHttpServer\(\))"
     r"|\.inject\(\s*\{\s*method", "exercises HTTP endpoints (supertest)"),
)

PHP = (
    _s("migration", "Schema Blueprint Migration",
     r"\bSchema::(?:create|table|drop|dropIfExists|rename|dropColumns)\(|\bBlueprint\s+\$table\b"
     r"|\bextends\s+Migration\b", "Laravel schema migration"),
    _s("migration", "AbstractMigration", r"\bextends\s+AbstractMigration\b", "Doctrine migration"),
    _s("api", "Route",
     r"\bRoute::(?:get|post|put|patch|delete|any|match|resource|apiResource|apiResources|group"
     r"|prefix|middleware|controller|name)\(", "Laravel routes"),
    _s("api", "app get post put patch delete group",
     r"\$app->(?:get|post|put|patch|delete|group|map)\(\s*['\"]/", "Slim routes"),
    _s("api", "Controller Illuminate response AbstractController Route",
     r"\bextends\s+(?:\w+\\)*(?:Abstract)?Controller\b|\bIlluminate\\Http\\(?:Request"
     r"|JsonResponse|Resources)\b|\bresponse\(\)->json\(|#\[Route\(|@Route\(",
     "controller actions"),
    _s("api", "JsonResource ResourceCollection FormRequest",
     r"\bextends\s+(?:JsonResource|ResourceCollection|FormRequest)\b",
     "Laravel API resource or form request"),
    _s("query", "Model Authenticatable Pivot Eloquent DB hasMany belongsTo hasOne belongsToMany "
     "morphMany morphTo where whereIn query with find findOrFail firstOrCreate "
     "updateOrCreate create orderBy groupBy join leftJoin paginate chunk cursor lockForUpdate",
     r"\bextends\s+(?:\w+\\)*(?:Model|Authenticatable|Pivot)\b|\bIlluminate\\Database\\Eloquent\b"
     r"|\bDB::(?:table|select|insert|update|delete|statement|raw|unprepared|transaction)\("
     r"|->(?:hasMany|belongsTo|hasOne|belongsToMany|morphMany|morphTo)\("
     r"|::(?:where|whereIn|query|with|find|findOrFail|firstOrCreate|updateOrCreate)\("
     r"|->(?:where|whereIn|orderBy|groupBy|join|leftJoin|paginate|chunk|cursor"
     r"|lockForUpdate)\(", "Eloquent models or queries"),
    _s("query", "ORM Doctrine createQueryBuilder PDO prepare",
     r"#\[ORM\\|@ORM\\|\bDoctrine\\ORM\b|->createQueryBuilder\(|\bnew PDO\("
     r"|->prepare\(\s*['\"]", "Doctrine/PDO data access"),
    SQL_IN_CODE,
    _s("apitest", "getJson postJson putJson patchJson deleteJson json get post put patch delete",
     r"->(?:getJson|postJson|putJson|patchJson|deleteJson)\(|\$this->(?:json|get|post|put"
     r"|patch|delete)\(\s*['\"/]", "exercises HTTP endpoints (HTTP tests)"),
)
# fmt: on

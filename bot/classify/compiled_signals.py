"""Content signals for Go, JVM (Java/Kotlin), C# and Rust files.

The compiled backend languages, whose frameworks announce themselves through imports and
annotations; kept apart from the dynamic languages' larger tables.
"""

from __future__ import annotations

from bot.classify.signal import SQL_IN_CODE
from bot.classify.signal import signal as _s

# fmt: off
GO = (
    _s("migration", "goose AddMigration AddMigrationContext",
     r"\bgoose\.AddMigration\w*\(|\"github\.com/pressly/goose(?:/v\d)?\"", "goose Go migration"),
    _s("api", "ResponseWriter HandleFunc NewServeMux ServeMux ListenAndServe",
     r"\bhttp\.ResponseWriter\b|\.HandleFunc\(|\bhttp\.(?:NewServeMux|ListenAndServe|Handle)\("
     r"|\bhttp\.ServeMux\b", "net/http handlers"),
    _s("api", "gin", r"\"github\.com/gin-gonic/gin\"|\*gin\.(?:Context|Engine|RouterGroup)\b"
     r"|\bgin\.(?:Default|New)\(", "gin handlers"),
    _s("api", "echo", r"\"github\.com/labstack/echo(?:/v\d)?\"|\becho\.(?:Context|New)\b",
     "echo handlers"),
    _s("api", "chi Get Post Put Patch Delete Route Mount",
     r"\"github\.com/go-chi/chi(?:/v\d)?\"|\bchi\.(?:NewRouter|Router)\b"
     r"|\b\w+\.(?:Get|Post|Put|Patch|Delete|Route|Mount)\(\s*\"/", "chi routes"),
    _s("api", "GET POST PUT PATCH DELETE Any", r"\.(?:GET|POST|PUT|PATCH|DELETE|Any)\(\s*\"/",
     "route registrations (gin/echo)"),
    _s("api", "fiber", r"\"github\.com/gofiber/fiber(?:/v\d)?\"|\*fiber\.Ctx\b", "fiber handlers"),
    _s("api", "mux", r"\"github\.com/gorilla/mux\"|\bmux\.(?:NewRouter|Vars)\(",
     "gorilla/mux routes"),
    _s("api", "grpc NewServer",
     r"\bRegister\w+Server\(|\bgrpc\.NewServer\(|\bUnimplemented\w+Server\b",
     "gRPC service implementation"),
    _s("query", "gorm Where First Find Preload Raw Joins Updates",
     r"\"gorm\.io/gorm\"|\*gorm\.DB\b|\bgorm\.Model\b|`gorm:\""
     r"|\b(?:db|tx|DB)\.(?:Where|First|Find|Create|Save|Preload|Joins|Raw|Model|Updates)\(",
     "GORM models or queries"),
    _s("query", "sql QueryContext QueryRowContext ExecContext PrepareContext NamedExecContext "
     "SelectContext GetContext Query QueryRow Exec Prepare pgx pgxpool sqlx",
     r"\"database/sql\"|\*sql\.(?:DB|Tx|Rows|Row|Stmt|Conn)\b"
     r"|\.(?:QueryContext|QueryRowContext|ExecContext|PrepareContext|NamedExecContext"
     r"|SelectContext|GetContext)\(|\.(?:Query|QueryRow|Exec|Prepare)\(\s*(?:ctx\s*,\s*)?"
     r"(?:\"|`|\w*[qQ]uery\b|q\b|stmt\b)"
     r"|\"github\.com/jackc/pgx(?:/v\d)?(?:/pgxpool)?\"|\"github\.com/jmoiron/sqlx\"",
     "database/sql queries"),
    _s("query", "ent Schema", r"\"entgo\.io/ent\"|\bent\.Schema\b", "ent schema"),
    _s("query", "squirrel sq goqu",
     r"\"github\.com/Masterminds/squirrel\"|\bsq\.(?:Select|Insert|Update|Delete)\("
     r"|\"github\.com/doug-martin/goqu", "SQL query builder"),
    SQL_IN_CODE,
    _s("apitest", "httptest", r"\bhttptest\.(?:NewRecorder|NewRequest|NewServer)\(",
     "exercises HTTP handlers (httptest)"),
)

JVM = (
    _s("migration", "BaseJavaMigration", r"\bBaseJavaMigration\b", "Flyway Java migration"),
    _s("api", "RestController Controller RequestMapping GetMapping PostMapping PutMapping "
     "PatchMapping DeleteMapping",
     r"@(?:RestController|Controller|RequestMapping|GetMapping|PostMapping|PutMapping"
     r"|PatchMapping|DeleteMapping)\b", "Spring MVC controller annotations"),
    _s("api", "ws Path Produces Consumes",
     r"\b(?:javax|jakarta)\.ws\.rs\b|@Path\(\s*\"|@(?:Produces|Consumes)\(", "JAX-RS resource"),
    _s("api", "routing route get post put patch delete call",
     r"\brouting\s*\{|\broute\(\s*\"/|\b(?:get|post|put|patch|delete)\(\s*\"/[^\"]*\"\s*\)\s*\{"
     r"|\bcall\.respond\w*\(", "Ktor routes"),
    _s("api", "Get Post Put Patch Delete router",
     r"@(?:Get|Post|Put|Patch|Delete)\(\s*\"/"
     r"|\brouter\.(?:get|post|put|patch|delete|route)\(\s*\"/",
     "Micronaut/Vert.x routes"),
    _s("api", "GrpcService ImplBase", r"@GrpcService\b|\bextends\s+\w+Grpc\.\w+ImplBase\b",
     "gRPC service implementation"),
    _s("api", "QueryMapping MutationMapping SchemaMapping DgsComponent",
     r"@(?:QueryMapping|MutationMapping|SchemaMapping|DgsComponent)\b", "GraphQL controller"),
    _s("query", "Entity Table Column ManyToOne OneToMany ManyToMany OneToOne JoinColumn JoinTable "
     "Embeddable MappedSuperclass GeneratedValue persistence",
     r"@(?:Entity|Table|Column|ManyToOne|OneToMany|ManyToMany|OneToOne|JoinColumn|JoinTable"
     r"|Embeddable|MappedSuperclass|GeneratedValue)\b|\b(?:javax|jakarta)\.persistence\b",
     "JPA entity mappings"),
    _s("query", "JpaRepository CrudRepository PagingAndSortingRepository ListCrudRepository "
     "ReactiveCrudRepository R2dbcRepository MongoRepository Repository Query Modifying",
     r"\b(?:Jpa|Crud|PagingAndSorting|ListCrud|ReactiveCrud|R2dbc|Mongo)Repository\s*<"
     r"|@Repository\b|@Query\(|@Modifying\b", "Spring Data repository"),
    _s("query", "JdbcTemplate NamedParameterJdbcTemplate JdbcClient EntityManager createQuery "
     "createNativeQuery DSLContext prepareStatement Mapper Select Insert Update Delete",
     r"\b(?:NamedParameter)?JdbcTemplate\b|\bJdbcClient\b|\bEntityManager\b"
     r"|\.create(?:Native)?Query\(|\bDSLContext\b|\bprepareStatement\(|@Mapper\b"
     r"|@(?:Select|Insert|Update|Delete)\(\s*\"", "JDBC/JPA/jOOQ/MyBatis queries"),
    # A @Transactional service writes through repositories: its transaction bounds are query code.
    _s("query", "Transactional", r"@Transactional\b", "Spring @Transactional service"),
    _s("query", "Table IntIdTable LongIdTable UUIDTable",
     r"\bobject\s+\w+\s*:\s*(?:Int|Long|UUID)?(?:Id)?Table\(", "Exposed table definitions"),
    SQL_IN_CODE,
    _s("apitest", "MockMvc WebTestClient TestRestTemplate RestAssured testApplication",
     r"\b(?:MockMvc|WebTestClient|TestRestTemplate|RestAssured)\b|\btestApplication\s*\{",
     "exercises HTTP endpoints (MockMvc/WebTestClient)"),
)

CSHARP = (
    _s("migration", "MigrationBuilder Migration",
     r"\bMigrationBuilder\b|:\s*Migration\b|\[Migration\(", "EF Core migration (MigrationBuilder)"),
    _s("api", "ApiController ControllerBase Controller HttpGet HttpPost HttpPut HttpPatch "
     "HttpDelete Route",
     r"\[ApiController\]|:\s*(?:ControllerBase|Controller)\b|\[Http(?:Get|Post|Put|Patch|Delete)"
     r"\b|\[Route\(", "ASP.NET controller"),
    _s("api", "MapGet MapPost MapPut MapPatch MapDelete MapGroup MapMethods",
     r"\.Map(?:Get|Post|Put|Patch|Delete|Group|Methods)\(", "ASP.NET minimal API endpoints"),
    _s("query",
     "DbContext IdentityDbContext DbSet IEntityTypeConfiguration modelBuilder FromSqlRaw "
     "FromSqlInterpolated FromSql ExecuteSqlRaw ExecuteSqlInterpolated SqlQuery SqlQueryRaw "
     "SqlCommand Query QueryAsync QueryFirstOrDefaultAsync QuerySingleAsync ExecuteAsync Dapper "
     "Include ToListAsync SaveChangesAsync",
     r":\s*(?:Identity)?DbContext\b|\bDbSet<|\bIEntityTypeConfiguration<|\bmodelBuilder\."
     r"|\.(?:FromSqlRaw"
     r"|FromSqlInterpolated|FromSql|ExecuteSqlRaw|ExecuteSqlInterpolated|SqlQuery|SqlQueryRaw)\("
     r"|\bnew SqlCommand\(|\.(?:Query|QueryAsync|QueryFirstOrDefaultAsync|QuerySingleAsync"
     r"|ExecuteAsync)(?:<[^>\n]+>)?\(\s*(?:@?\"|sql\b)|\busing\s+Dapper\b|\.Include\("
     r"|\.ToListAsync\(|\.SaveChangesAsync\(", "EF Core / Dapper data access"),
    SQL_IN_CODE,
    _s("apitest", "WebApplicationFactory client",
     r"\bWebApplicationFactory<|\bclient\.(?:GetAsync|PostAsync|PostAsJsonAsync|PutAsJsonAsync"
     r"|DeleteAsync)\(\s*\"/", "exercises HTTP endpoints (WebApplicationFactory)"),
)
# fmt: on


RUST = (
    _s(
        "api",
        "get post put patch delete Router route web actix_web axum rocket",
        r"#\[(?:get|post|put|patch|delete)\(\s*\"/|\bRouter::new\(\)|\.route\(\s*\"/"
        r"|\bweb::(?:get|post|put|patch|delete|resource|scope)\(|\buse (?:actix_web|axum|rocket)\b",
        "Rust HTTP routes (axum/actix/rocket)",
    ),
    _s(
        "query",
        "sqlx query query_as diesel sea_orm Queryable Insertable",
        r"\bsqlx::|\bquery(?:_as|_scalar)?!\(|\bdiesel::|\bsea_orm\b"
        r"|#\[derive\([^)]*\b(?:Queryable|Insertable)\b",
        "Rust database access (sqlx/diesel/SeaORM)",
    ),
    SQL_IN_CODE,
)

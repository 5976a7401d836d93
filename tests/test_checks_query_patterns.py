"""Pattern-based query checks for JavaScript/TypeScript, Go, Ruby, Java/Kotlin, PHP and C#."""

from __future__ import annotations

import textwrap

import pytest

from bot.checks.queries.check import check
from bot.classify.classifier import classify_files
from bot.config import ChecksConfig, RepoConfig
from bot.diff import parse_diff
from bot.models import Finding


def new_file(path: str, code: str) -> str:
    lines = textwrap.dedent(code).strip("\n").splitlines()
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def run(path: str, code: str) -> list[Finding]:
    files = parse_diff(new_file(path, code))
    return check(files, classify_files(files, RepoConfig()), ChecksConfig())


def hits(path: str, code: str) -> set[tuple[int, str]]:
    return {(f.line, f.rule or "") for f in run(path, code)}


@pytest.mark.parametrize(
    ("path", "line", "suggestion"),
    [
        pytest.param(
            "src/repositories/users.ts",
            "const u = await prisma.$queryRawUnsafe(`SELECT id FROM users WHERE email = '${email}'`);",
            "const u = await prisma.$queryRaw`SELECT id FROM users WHERE email = ${email}`;",
            id="prisma-tagged-template",
        ),
        pytest.param(
            "Repositories/UserRepository.cs",
            'var u = db.Users.FromSqlRaw($"SELECT Id FROM Users WHERE Email = {email}").ToList();',
            'var u = db.Users.FromSqlInterpolated($"SELECT Id FROM Users WHERE Email = {email}").ToList();',
            id="ef-core-interpolated",
        ),
        pytest.param(
            "app/models/user.rb",
            "scope = User.where(\"email = '#{email}' AND age > #{age}\")",
            'scope = User.where("email = ? AND age > ?", email, age)',
            id="activerecord-binds",
        ),
    ],
)
def test_injection_rewrites(path: str, line: str, suggestion: str) -> None:
    """Where the framework has a parameterised twin of the call, it is the suggestion."""
    (finding,) = [f for f in run(path, line) if f.rule == "sql-injection"]
    assert finding.line == 1
    assert finding.suggestion == suggestion


@pytest.mark.parametrize(
    ("path", "code"),
    [
        pytest.param(
            "src/repositories/users.ts",
            "await prisma.$queryRawUnsafe(`SELECT id FROM users WHERE name LIKE '%${q}%'`);",
            id="prisma-like-literal",
        ),
        pytest.param("app/models/user.rb", 'User.order("#{column} DESC")', id="ruby-identifier"),
        pytest.param(
            "src/repositories/users.ts",
            "await pool.query(`SELECT id FROM users WHERE id = ${id}`);",
            id="driver-unknown",
        ),
    ],
)
def test_injection_without_rewrite(path: str, code: str) -> None:
    """Identifiers, patterns built inside a literal and unknown drivers get an explanation only."""
    (finding,) = [f for f in run(path, code) if f.rule == "sql-injection"]
    assert finding.suggestion is None


def test_multi_line_template_literal_is_one_query() -> None:
    """A template literal spanning lines is read whole and anchored on its first line."""
    code = """
    export async function find(db, status) {
      return db.query(`
        SELECT id, total
        FROM orders
        WHERE status = '${status}'
      `);
    }
    """
    assert hits("src/repositories/orders.ts", code) == {(2, "sql-injection")}


def test_go_variable_built_with_sprintf() -> None:
    """`q := fmt.Sprintf(...)` then `db.Query(q)` is found at the Sprintf line."""
    code = """
    func Find(db *sql.DB, name string) {
    \tq := fmt.Sprintf("SELECT id FROM users WHERE name = '%s'", name)
    \trows, _ := db.Query(q)
    \t_ = rows
    }
    """
    (finding,) = run("internal/store/users.go", code)
    assert (finding.line, finding.rule) == (2, "sql-injection")
    assert "built on line 2 and run on line 3" in finding.body


def test_go_numeric_verbs_are_not_injection() -> None:
    """`%d` of an integer cannot carry SQL."""
    code = 'rows, _ := db.Query(fmt.Sprintf("SELECT id FROM t ORDER BY id LIMIT %d", n))'
    assert hits("internal/store/t.go", code) == set()


def test_ruby_heredoc_interpolation() -> None:
    """Interpolation in a heredoc handed to find_by_sql is injection; a quoted heredoc is not."""
    code = """
    class Report
      def rows(day)
        Order.find_by_sql(<<~SQL)
          SELECT id FROM orders WHERE day = '#{day}' ORDER BY id
        SQL
      end
      def safe
        Order.find_by_sql(<<~'SQL')
          SELECT id FROM orders WHERE day = '#{day}' ORDER BY id
        SQL
      end
    end
    """
    assert hits("app/models/report.rb", code) == {(3, "sql-injection")}


@pytest.mark.parametrize(
    ("path", "code"),
    [
        pytest.param(
            "app/Repositories/Users.php",
            '$r = mysqli_query($conn, "SELECT id FROM users WHERE id = $id");',
            id="php-mysqli",
        ),
        pytest.param(
            "Repositories/Users.cs",
            'cmd.CommandText = "SELECT Id FROM Users WHERE Name = \'" + name + "\'";',
            id="csharp-command-text",
        ),
        pytest.param(
            "src/main/java/com/x/repository/UserDao.java",
            "ResultSet rs = st.executeQuery(String.format(\"SELECT id FROM users WHERE n = '%s'\", n));",
            id="java-string-format",
        ),
        pytest.param(
            "src/main/kotlin/com/x/repository/UserDao.kt",
            "jdbc.queryForList(\"SELECT id FROM users WHERE n = '${n}'\")",
            id="kotlin-template",
        ),
    ],
)
def test_injection_in_other_languages(path: str, code: str) -> None:
    """Each language's interpolation or concatenation in its query calls is found."""
    assert hits(path, code) == {(1, "sql-injection")}


@pytest.mark.parametrize(
    ("path", "code"),
    [
        pytest.param(
            "src/repositories/users.ts",
            "const r = await sql`SELECT id FROM users WHERE id = ${id}`;",
            id="tagged-template",
        ),
        pytest.param(
            "src/repositories/users.ts",
            'await knex.raw("SELECT id FROM users WHERE id = ?", [id]);',
            id="knex-binding",
        ),
        pytest.param(
            "src/repositories/users.ts",
            '// db.query("SELECT id FROM users WHERE id = " + id)',
            id="commented-out",
        ),
        pytest.param(
            "internal/store/users.go",
            'db.QueryRow("SELECT id FROM users WHERE id = $1", id)',
            id="go-placeholder",
        ),
        pytest.param(
            "app/models/user.rb",
            'User.where("created_at > ?", 1.week.ago).order(:id).limit(10)',
            id="ruby-binds",
        ),
        pytest.param(
            "app/Repositories/Users.php",
            "$rows = DB::select('SELECT id FROM users WHERE id = :id', ['id' => $id]);",
            id="php-named",
        ),
        pytest.param(
            "app/Repositories/Users.php",
            "$rows = DB::select('SELECT id FROM users WHERE note = \\'$x\\'');",
            id="php-single-quotes-do-not-interpolate",
        ),
    ],
)
def test_parameterised_calls_are_safe(path: str, code: str) -> None:
    """Bound parameters, tagged templates and comments are not findings."""
    assert hits(path, code) == set()


def test_loop_header_in_context_query_added() -> None:
    """A query added inside an existing loop is an N+1 on the added line."""
    diff = (
        "diff --git a/src/services/orders.ts b/src/services/orders.ts\n"
        "index 1..2 100644\n--- a/src/services/orders.ts\n+++ b/src/services/orders.ts\n"
        "@@ -10,3 +10,4 @@ export async function load(orders) {\n"
        "   for (const o of orders) {\n"
        "     o.total = o.lines.length;\n"
        "+    o.owner = await prisma.user.findUnique({ where: { id: o.ownerId } });\n"
        "   }\n"
    )
    files = parse_diff(diff)
    found = check(files, classify_files(files, RepoConfig()), ChecksConfig())
    assert [(f.line, f.rule) for f in found] == [(12, "n-plus-one-query")]


@pytest.mark.parametrize(
    ("path", "code", "expected"),
    [
        pytest.param(
            "src/services/a.ts",
            "for (const id of ids) {\n  await db.query('SELECT 1 FROM t WHERE id = $1', [id]);\n}",
            {(2, "n-plus-one-query")},
            id="js-driver",
        ),
        pytest.param(
            "src/services/a.ts",
            "for (const id of ids) {\n  total += id;\n}\nawait prisma.user.findMany({ where: { id: { in: ids } } });",
            set(),
            id="js-after-loop",
        ),
        pytest.param(
            "internal/store/a.go",
            "for _, id := range ids {\n\tvar u User\n\tdb.First(&u, id)\n}",
            {(3, "n-plus-one-query")},
            id="go-gorm-first",
        ),
        pytest.param(
            "internal/store/a.go",
            "for rows.Next() {\n\trows.Scan(&id)\n}",
            set(),
            id="go-rows-next",
        ),
        pytest.param(
            "app/models/a.rb",
            "ids.each { |id| User.find_by(id: id) }",
            {(1, "n-plus-one-query")},
            id="ruby-brace-block",
        ),
        pytest.param(
            "app/models/a.rb",
            "users = User.where(id: ids).index_by(&:id)\nids.each do |id|\n  puts users[id]\nend",
            set(),
            id="ruby-batched",
        ),
        pytest.param(
            "src/main/java/com/x/repository/A.java",
            "orders.forEach(o -> customerRepository.findById(o.getCustomerId()));",
            {(1, "n-plus-one-query")},
            id="java-foreach-lambda",
        ),
        pytest.param(
            "app/Repositories/A.php",
            "foreach ($ids as $id) {\n    $users[] = $id * 2;\n}",
            set(),
            id="php-no-query",
        ),
        pytest.param(
            "Repositories/A.cs",
            "foreach (var id in ids)\n{\n    var u = _context.Users.FirstOrDefault(u => u.Id == id);\n}",
            {(3, "n-plus-one-query")},
            id="csharp-brace-next-line",
        ),
    ],
)
def test_queries_in_loops(path: str, code: str, expected: set[tuple[int, str]]) -> None:
    """Loop bodies are found by brackets (indentation for Ruby do-blocks)."""
    assert hits(path, code) == expected


@pytest.mark.parametrize(
    ("path", "code", "expected"),
    [
        pytest.param("src/routes/a.ts", "res.json(await prisma.order.findMany());", 1, id="prisma"),
        pytest.param(
            "src/routes/a.ts",
            "res.json(await prisma.order.findMany({ take: 20, skip }));",
            0,
            id="prisma-take",
        ),
        pytest.param(
            "src/routes/a.ts",
            "res.json(await Order.findAll({ where: { open: true } }));",
            1,
            id="sequelize",
        ),
        pytest.param(
            "src/routes/a.ts",
            "res.json(await Order.findAll({ limit: 50 }));",
            0,
            id="sequelize-limit",
        ),
        pytest.param("src/routes/a.ts", "res.json(await repo.find(Number(id)));", 0, id="by-id"),
        pytest.param("internal/handlers/a.go", 'db.Where("open").Find(&orders)', 1, id="gorm"),
        pytest.param(
            "internal/handlers/a.go",
            'db.Where("open").\n\tLimit(50).\n\tFind(&orders)',
            0,
            id="gorm-chain-limit",
        ),
        pytest.param(
            "app/controllers/orders_controller.rb",
            "render json: Order.where(open: true).all",
            1,
            id="rails",
        ),
        pytest.param(
            "app/controllers/orders_controller.rb",
            "@orders = Order.all.page(params[:page])",
            0,
            id="rails-page",
        ),
        pytest.param(
            "src/main/java/com/x/controllers/A.java",
            "return repo.findAll(pageable);",
            0,
            id="java-pageable",
        ),
        pytest.param(
            "app/Http/Controllers/A.php", "return Order::where('open', 1)->get();", 1, id="laravel"
        ),
        pytest.param(
            "Controllers/A.cs",
            "return Ok(await _db.Orders.Take(50).ToListAsync());",
            0,
            id="ef-take",
        ),
    ],
)
def test_unbounded_lists_in_handlers(path: str, code: str, expected: int) -> None:
    """List calls in API files without a limit, take or paginator are unbounded."""
    found = [f for f in run(path, code) if f.rule == "unbounded-query"]
    assert len(found) == expected


def test_unbounded_only_in_api_files() -> None:
    """A repository method may legitimately load a whole small table."""
    assert hits("src/repositories/a.ts", "return prisma.country.findMany();") == set()


def test_sql_literals_are_linted_in_every_language() -> None:
    """Statements in string literals get the SQL rules, concatenated pieces read as one."""
    java = """
    String q = "SELECT o.id FROM orders o " +
        "WHERE o.deleted_at = NULL";
    String all = "DELETE FROM audit_log";
    String prose = "Select the rows from the list";
    """
    assert hits("src/main/java/com/x/repository/A.java", java) == {
        (2, "null-comparison"),
        (3, "update-delete-without-where"),
    }
    go = "const q = `\nSELECT *\nFROM orders\nWHERE id = $1`"
    assert hits("internal/store/a.go", go) == {(2, "select-star")}
    ts = "const q = 'SELECT id FROM a, b WHERE a.x = 1 ORDER BY id';"
    assert hits("src/repositories/a.ts", ts) == {(1, "implicit-cross-join")}

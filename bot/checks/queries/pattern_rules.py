"""Per-language patterns for the pattern scanner: query calls, loops, ORM queries, list calls.

Kept apart from the scanning logic so that adding a framework is a table edit. Every pattern
is anchored on a call name that only database code uses, to keep false positives rare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LanguageRules:
    # a call that runs SQL; the argument text starts right after the match (after "(")
    query_call: re.Pattern[str]
    # a loop header; group "open" is the bracket that opens the body (or None: indentation)
    loop: re.Pattern[str]
    # an ORM / driver call that hits the database
    db_call: re.Pattern[str]
    # the batching advice for this language's frameworks
    n1_fix: str
    # a list query in a handler, and the words that show it is bounded
    list_call: re.Pattern[str] | None
    bounded: re.Pattern[str]
    # values that cannot inject: upper-case constants, numeric conversions, quoting helpers
    safe_value: re.Pattern[str]
    # substrings without which the patterns above cannot match (a cheap first test)
    call_anchors: tuple[str, ...] = ()
    loop_anchors: tuple[str, ...] = ()
    db_anchors: tuple[str, ...] = ()
    list_anchors: tuple[str, ...] = ()


_SAFE_COMMON = r"^\s*([A-Z][A-Z0-9_]*|\w*[Tt]able(_?[Nn]ame)?|\d+)\s*$"

RULES: dict[str, LanguageRules] = {
    "js": LanguageRules(
        query_call=re.compile(
            r"(?:\.|\b)(query|execute|raw|\$queryRawUnsafe|\$executeRawUnsafe|unsafe|"
            r"whereRaw|orWhereRaw|havingRaw|orderByRaw|joinRaw|selectRaw|fromRaw)\s*\(\s*"
        ),
        loop=re.compile(
            r"\b(?:for\s*(?:await\s*)?\(|while\s*\()|\.(?:forEach|map|flatMap)\s*(?P<open>\()"
        ),
        db_call=re.compile(
            r"\b(?:prisma|tx|db|client)\.\w+\.(?:findUnique\w*|findFirst\w*|findMany|count|"
            r"aggregate|update|delete|upsert|create)\s*\(|"
            r"\b\w*(?:[Rr]epository|[Rr]epo)\.(?:findOne\w*|find\w*|count\w*)\s*\(|"
            r"\b[A-Z]\w*\.(?:findOne|findByPk|findAll|findById|findOrCreate)\s*\(|"
            r"\b(?:db|pool|client|knex|connection|conn)\.(?:query|raw|execute)\s*\("
        ),
        n1_fix=(
            "one `findMany({ where: { id: { in: ids } } })` (or `include` the relation) for "
            "Prisma, `findBy({ id: In(ids) })` for TypeORM, `findAll({ where: { id: ids } })` "
            "for Sequelize, or `WHERE id = ANY($1)` with the ids array"
        ),
        list_call=re.compile(
            r"\b(?:prisma|tx|db)\.\w+\.findMany\s*\(|"
            r"\b\w*(?:[Rr]epository|[Rr]epo)\.find\s*\((?=\s*[{)])|"
            r"\b(?!(?:Array|Object|Promise|Reflect|Map|Set|JSON|Math)\b)[A-Z]\w*\."
            r"(?:findAll\s*\(|find\s*\((?=\s*[{)]))"
        ),
        bounded=re.compile(r"\b(take|limit|skip|cursor|paginate|page|first)\b", re.IGNORECASE),
        safe_value=re.compile(_SAFE_COMMON + r"|^\s*(Number|parseInt|parseFloat)\("),
        call_anchors=("query", "execute", "raw", "Raw", "unsafe"),
        loop_anchors=("for", "while", "forEach", "map"),
        db_anchors=("prisma", "tx.", "db.", "client.", "epo", "find", "pool.", "knex", "conn"),
        list_anchors=("findMany", "find", "findAll"),
    ),
    "go": LanguageRules(
        query_call=re.compile(
            r"\.(Query|QueryRow|QueryContext|QueryRowContext|Exec|ExecContext|Raw|Where|Or|Not|"
            r"Select|Get|MustExec|Queryx|QueryRowx|NamedExec|Order|Having|Joins|Group)\s*\(\s*"
            r"(?:ctx\s*,\s*|context\.\w+\(\)\s*,\s*|&\w+\s*,\s*)?"
        ),
        loop=re.compile(r"\bfor\b[^{\n]*(?P<open>\{)"),
        db_call=re.compile(
            r"\b(?:\w+\.)*(?:db|DB|tx|Tx|conn|pool|gormDB|orm)\.(?:\w+\([^()\n]*(?:\([^()\n]*\)"
            r"[^()\n]*)*\)\.)*(?:First|Find|Take|Last|Count|Scan|Pluck|Query|QueryRow|"
            r"QueryContext|QueryRowContext|Get|Select)\s*\("
        ),
        n1_fix=(
            '`Preload("Relation")` / `Joins()` in GORM, or one '
            '`Where("id IN ?", ids).Find(&rows)` (`WHERE id = ANY($1)` with database/sql) '
            "before the loop"
        ),
        list_call=re.compile(r"\.Find\s*\(\s*&"),
        bounded=re.compile(r"\.(Limit|Offset|Scopes|Paginate|First|Take)\s*\(|LIMIT", re.I),
        safe_value=re.compile(_SAFE_COMMON + r"|^\s*(strconv\.|len\()"),
        call_anchors=(
            "Query",
            "Exec",
            "Raw",
            "Where",
            "Or(",
            "Not(",
            "Select",
            "Get(",
            "Order",
            "Having",
            "Joins",
            "Group",
        ),
        loop_anchors=("for",),
        db_anchors=("db.", "DB.", "tx.", "Tx.", "conn.", "pool.", "orm."),
        list_anchors=(".Find(",),
    ),
    "ruby": LanguageRules(
        query_call=re.compile(
            r"(?:\.|\b)(where|not|find_by_sql|execute|exec_query|select_all|select_one|"
            r"select_value|select_values|select_rows|order|reorder|having|joins|group|pluck|"
            r"from|lock|delete_all|update_all|find_by|count_by_sql)(?:\s*\(\s*|\s+(?=[\"<%]))"
        ),
        loop=re.compile(
            r"\.(?:each|each_with_index|each_with_object|map|flat_map|collect|find_each|"
            r"each_slice|times|select|filter_map|sum)\b[^\n]*?(?:\bdo\b|(?P<open>\{))|"
            r"^\s*(?:for|while|until)\b|\bloop\s+do\b",
            re.M,
        ),
        db_call=re.compile(
            r"\b[A-Z]\w*(?:::[A-Z]\w*)*\.(?:find|find_by!?|find_by_\w+|where|exists\?|count|"
            r"first|last|pluck|sum|find_or_create_by!?)\b|\.(?:where|find_by)\s*\("
        ),
        n1_fix=(
            "`includes` / `preload` / `eager_load` on the outer relation, or one "
            "`where(id: ids)` query before the loop (`index_by(&:id)` to look rows up)"
        ),
        list_call=re.compile(r"\b[A-Z]\w*(?:::[A-Z]\w*)*(?:\.\w+(?:\([^\n)]*\))?)*\.all\b"),
        bounded=re.compile(
            r"\.(limit|page|per|paginate|first|last|take|find_each|find_in_batches|in_batches|"
            r"count|size|exists\?|pluck|ids)\b|pagy|paginate"
        ),
        safe_value=re.compile(
            _SAFE_COMMON + r"|quote|sanitize|\.to_i\s*$|\.to_f\s*$|Integer\(|quoted_table_name"
        ),
        call_anchors=(
            "where",
            "not",
            "sql",
            "execute",
            "exec_query",
            "select_",
            "order",
            "having",
            "joins",
            "group",
            "pluck",
            "from",
            "lock",
            "_all",
            "find_by",
        ),
        loop_anchors=(
            "each",
            "map",
            "collect",
            "times",
            "select",
            "for",
            "while",
            "until",
            "loop",
            "sum",
        ),
        db_anchors=("find", "where", "exists?", "count", "first", "last", "pluck", "sum"),
        list_anchors=(".all",),
    ),
    "java": LanguageRules(
        query_call=re.compile(
            r"\.(executeQuery|executeUpdate|execute|addBatch|prepareStatement|prepareCall|"
            r"createQuery|createNativeQuery|createSQLQuery|query|queryForObject|queryForList|"
            r"queryForMap|queryForRowSet|update|batchUpdate)\s*\(\s*"
        ),
        loop=re.compile(r"\b(?:for|while)\s*\(|\.forEach\s*(?P<open>\()"),
        db_call=re.compile(
            r"\b\w*(?:Repository|Repo|Dao|DAO|repository|repo|dao)\.(?:find\w*|get\w*|count\w*|"
            r"exists\w*|load\w*)\s*\(|\bjdbcTemplate\.query\w*\s*\(|"
            r"\bentityManager\.(?:find|createQuery|createNativeQuery)\s*\(|\.executeQuery\s*\("
        ),
        n1_fix=(
            "one `findAllById(ids)` / `WHERE id IN (:ids)` query, or a fetch join "
            "(`JOIN FETCH`, `@EntityGraph`) on the outer query"
        ),
        list_call=re.compile(r"\b\w*(?:Repository|Repo|repository|repo)\.findAll\s*\(\s*\)"),
        bounded=re.compile(r"Pageable|PageRequest|setMaxResults|LIMIT|limit\(", re.I),
        safe_value=re.compile(_SAFE_COMMON + r"|^\s*(Integer|Long)\.|\.size\(\)"),
        call_anchors=("execute", "addBatch", "prepare", "create", "query", "update"),
        loop_anchors=("for", "while"),
        db_anchors=("epo", "Dao", "DAO", "dao", "jdbcTemplate", "entityManager", "executeQuery"),
        list_anchors=("findAll()",),
    ),
    "php": LanguageRules(
        query_call=re.compile(
            r"(?:->|::|\b)(query|exec|prepare|select|statement|unprepared|raw|whereRaw|"
            r"orWhereRaw|havingRaw|orderByRaw|selectRaw|fromRaw|mysqli_query|pg_query)\s*\(\s*"
            r"(?:\$\w+\s*,\s*)?"
        ),
        loop=re.compile(r"\b(?:foreach|for|while)\s*\(|->(?:each|map)\s*(?P<open>\()"),
        db_call=re.compile(
            r"\b[A-Z]\w*::(?:find|findOrFail|where|firstWhere|whereIn|count)\s*\(|"
            r"\bDB::(?:table|select)\s*\(|\$(?:pdo|db|conn|mysqli)->(?:query|prepare)\s*\("
        ),
        n1_fix="eager loading (`with()` / `load()`), or one `whereIn('id', $ids)` query",
        list_call=re.compile(r"\b[A-Z]\w*::all\s*\(\s*\)|->get\s*\(\s*\)"),
        bounded=re.compile(r"paginate|limit|take|first|cursor|chunk", re.I),
        safe_value=re.compile(_SAFE_COMMON + r"|^\s*\(int\)|intval\("),
        call_anchors=(
            "query",
            "exec",
            "prepare",
            "select",
            "statement",
            "unprepared",
            "raw",
            "Raw",
        ),
        loop_anchors=("for", "while", "each", "map"),
        db_anchors=("::", "->query", "->prepare"),
        list_anchors=("::all", "->get"),
    ),
    "csharp": LanguageRules(
        query_call=re.compile(
            r"\b(SqlCommand|NpgsqlCommand|MySqlCommand|SqliteCommand|OracleCommand|"
            r"ExecuteSqlRaw|ExecuteSqlRawAsync|FromSqlRaw|SqlQueryRaw|Query|QueryAsync|"
            r"QueryFirst\w*|QuerySingle\w*|Execute|ExecuteAsync|ExecuteScalar\w*|"
            r"ExecuteReader\w*)(?:<[^>\n]*>)?\s*\(\s*|\bCommandText\s*=\s*"
        ),
        loop=re.compile(r"\b(?:foreach|for|while)\s*\(|\.ForEach\s*(?P<open>\()"),
        db_call=re.compile(
            r"\b_?\w*(?:[Cc]ontext|[Dd]b)\.\w+\.(?:Find|FindAsync|FirstOrDefault\w*|"
            r"SingleOrDefault\w*|First\w*|Single\w*|Where|Count\w*|Any\w*)\s*\(|"
            r"\b\w*(?:[Cc]onnection|conn|db)\.(?:Query\w*|Execute\w*)\s*[<(]"
        ),
        n1_fix="`Include()` on the outer query, or one `Where(x => ids.Contains(x.Id))` query",
        list_call=re.compile(r"\b_?\w*(?:[Cc]ontext|[Dd]b)\.\w+(?:\.\w+\([^;\n]*?\))*\.ToList"),
        bounded=re.compile(r"\.(Take|Skip|Paginate)\s*\(|PageSize|pageSize"),
        safe_value=re.compile(_SAFE_COMMON + r"|^\s*(int|long)\.Parse"),
        call_anchors=("Command", "Sql", "Query", "Execute"),
        loop_anchors=("for", "while", "ForEach"),
        db_anchors=("ontext.", "b.", "onnection.", "conn."),
        list_anchors=(".ToList",),
    ),
}

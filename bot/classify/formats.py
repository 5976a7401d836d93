"""Content signals of data and schema formats: SQL files, OpenAPI/AsyncAPI, Liquibase, GraphQL
SDL, protobuf services, XML mappings, Atlas HCL (code languages are in bot.classify.signals).
"""

from __future__ import annotations

from bot.classify.signals import Signal
from bot.classify.signals import signal as _s

# fmt: off
_SQL = (
    _s("migration", "goose", r"^--\s*\+goose\s+(?:Up|Down)\b", "goose SQL migration"),
    _s("migration", "migrate", r"^--\s*\+migrate\s+(?:Up|Down)\b", "sql-migrate migration"),
    _s("migration", "liquibase changeset", r"^--\s*liquibase formatted sql|^--\s*changeset\s",
     "Liquibase formatted SQL"),
    _s("migration", "Create Modify Drop Rename Add",
     r"^-- (?:Create|Modify|Drop|Rename|Add) \"[\w.]+\" (?:table|index|schema|view)\b",
     "Atlas versioned migration"),
    _s("query", "name", r"^--\s*name:\s*\w+\s+:(?:one|many|exec|execrows|execresult|execlastid"
     r"|copyfrom|batchexec|batchmany|batchone)\b", "sqlc queries"),
    _s("migration", "CREATE ALTER DROP COMMENT create alter drop comment",
     r"(?i)^\s*(?:(?:CREATE|ALTER|DROP)\s+(?:OR\s+REPLACE\s+)?(?:TABLE|INDEX|UNIQUE\s+INDEX"
     r"|SCHEMA|TYPE|VIEW|MATERIALIZED\s+VIEW|SEQUENCE|EXTENSION|TRIGGER|DOMAIN|FUNCTION"
     r"|PROCEDURE)\b"
     r"|COMMENT\s+ON\b)", "SQL DDL (schema change)", undecided_only=True),
)

_DATA = (
    _s("api", "openapi swagger operationId requestBody ref",
     r"^\s*[\"']?(?:openapi|swagger)[\"']?\s*:\s*[\"']?\d"
     r"|^\s*[\"']?(?:operationId|requestBody)[\"']?\s*:"
     r"|[\"']?\$ref[\"']?\s*:\s*[\"'](?:[\w./-]*\.(?:ya?ml|json))?#/(?:components|definitions|paths)/",
     "OpenAPI/Swagger specification"),
    _s("api", "asyncapi", r"^\s*[\"']?asyncapi[\"']?\s*:", "AsyncAPI specification"),
    _s("migration", "databaseChangeLog", r"^\s*[\"']?databaseChangeLog[\"']?\s*:",
     "Liquibase changelog"),
)

_GRAPHQL = (
    _s("api", "type schema extend input enum scalar interface union directive",
     r"^\s*(?:extend\s+)?(?:type|input|enum|scalar|interface|union|schema|directive)\b",
     "GraphQL SDL"),
    _s("frontend", "query mutation subscription fragment",
     r"^\s*(?:query|mutation|subscription|fragment)\b", "GraphQL client operations"),
)

_PROTO = (
    _s("api", "service rpc", r"^\s*service\s+\w+\s*\{|^\s*rpc\s+\w+\s*\(",
     "protobuf service definition"),
)

_XML = (
    _s("migration", "databaseChangeLog changeSet", r"<databaseChangeLog\b|<changeSet\b",
     "Liquibase changelog"),
    _s("query", "mapper select insert update delete entity hibernate",
     r"<mapper\s+namespace=|<(?:select|insert|update|delete)\s+id=|<entity-mappings\b"
     r"|<hibernate-mapping\b", "ORM mapping or MyBatis SQL"),
)

_HCL = (
    _s("migration", "table schema", r"^\s*table\s+\"[\w.]+\"\s*\{", "Atlas HCL schema"),
    _s("migration", "migration env", r"^\s*env\s+\"\w+\"\s*\{[^}]*\bmigration\s*\{",
     "Atlas project configuration"),
)
# fmt: on

FORMAT_SIGNALS: dict[str, tuple[Signal, ...]] = {
    "sql": _SQL,
    "data": _DATA,
    "graphql": _GRAPHQL,
    "proto": _PROTO,
    "xml": _XML,
    "hcl": _HCL,
}

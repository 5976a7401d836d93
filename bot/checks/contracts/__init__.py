"""API contract checks: takes base and head versions of OpenAPI/Swagger specs, GraphQL SDL,
.proto files and code-first routes, and gives breaking-change findings (oasdiff's rule names).
"""

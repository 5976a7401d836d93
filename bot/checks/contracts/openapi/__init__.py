"""OpenAPI and Swagger: takes two spec texts, gives the changes between them with the spec
lines they sit on.
"""

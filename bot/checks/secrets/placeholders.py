"""Tell obvious placeholders and references from credentials. Pure.

`changeme`, `xxx`, `<your-key>`, `${VAR}`, `{{ .Values.x }}`, an `environ[...]` lookup, an
environment variable's name, AWS's documented `...EXAMPLE` keys: none of these is a credential,
and a critical finding on one would teach people to ignore the rule. Keyword matches (`password
= "..."`) get the stricter test, since their value has no format of its own.
"""

from __future__ import annotations

import re

_WORDS = (
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "xxx",
    "placeholder",
    "example",
    "dummy",
    "redacted",
    "your",
    "sample",
    "replace",
    "insert",
    "todo",
    "fixme",
    "fake",
    "notasecret",
    "not-a-secret",
    "not_a_secret",
    "secret123",
    "password123",
    "test",
    "bench",
)
_DEFAULTS = frozenset(
    [
        "password",
        "passwd",
        "pass",
        "secret",
        "postgres",
        "mysql",
        "root",
        "admin",
        "guest",
        "user",
        "test",
        "testing",
        "example",
        "default",
        "none",
        "null",
        "true",
        "false",
        "required",
        "optional",
        "string",
        "str",
        "text",
        "hidden",
    ]
)
_REFERENCE = re.compile(
    r"""\$\{|\$\(|\{\{|\}\}|%\(|<[^>]*>|\benv\b|environ|getenv|process\.env|secrets\.|"""
    r"""ENV\[|vault:|\bref\b|@Value|System\.get|settings\.|config\.""",
    re.IGNORECASE,
)
_ENV_NAME = re.compile(r"^\$?[A-Z][A-Z0-9_]{2,}$")
_REPEATED = re.compile(r"^(.)\1+$|^(.{2,4})\2{2,}")
_NAMED = re.compile(r"[-_.](key|token|secret|password|passwd|pass|pwd)$")
_MASKED = re.compile(r"\*{3,}|•{2,}|x{3,}|X{3,}|\.\.\.|…")


def is_placeholder(kind: str, value: str, line: str = "") -> bool:
    """True when `value` stands for a credential instead of being one."""
    low = value.lower()
    if not value.strip() or _REFERENCE.search(value) or _MASKED.search(value):
        return True
    if "example" in low or "xxxx" in low or _REPEATED.match(value):
        return True
    if kind in ("password", "secret", "password-in-url"):
        return _weak_value(value, low, line)
    return False


def _weak_value(value: str, low: str, line: str) -> bool:
    """A keyword or URL value: a word, a name, a default, text, or a reference."""
    if len(value) < 6 or " " in value.strip() or low.strip("'\"") in _DEFAULTS:
        return True
    if any(word in low for word in _WORDS) or _ENV_NAME.match(value):
        return True
    if re.fullmatch(r"[a-z]+(_[a-z]+)+", value) or _NAMED.search(low):
        return True  # an identifier such as `db_password`, or a value named `bench-key`
    user = re.search(r"://([^:/@\s]+):" + re.escape(value) + "@", line)
    return bool(user and user.group(1).lower() == low)  # postgres://app:app@localhost

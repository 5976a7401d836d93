"""The gates that make the secret scan cheap never change what it finds.

The fast path (a file's added text tested against the union of all gates, then only the lines
that pass the gates of the rules left) must find exactly what every rule run on every line
finds. Lines are generated from credentials of every kind the scan knows (built at run time, as
in `secret_samples`), placeholders, near misses that hold a gate's substring, and ordinary code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.checks.secrets.check import check, scan_file
from bot.checks.secrets.detect import _PLUGINS, Secret, scan_line, scan_lines, ungated_rules
from bot.config import ChecksConfig
from bot.diff import parse_diff
from tests import secret_samples as S

_RNG = random.Random(2026)
_ALNUM = string.ascii_letters + string.digits
_LOWER = string.ascii_lowercase + string.digits
_URLSAFE = _ALNUM + "_-"


def _chars(n: int, alphabet: str = _ALNUM) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def _b64url(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


# One or more values of every kind the scan names, none of them literal in the repository.
TOKENS = {
    **{kind: list(values) for kind, values in S.ALL.items() if kind != "private-key"},
    "aws-access-key-id": [S.AWS_KEY_ID, "A3" + "TX" + _chars(16, string.ascii_uppercase)],
    "github-token": [
        S.GITHUB_PAT,
        S.GITHUB_FINE,
        "gh" + "o_" + _chars(36),
        "gh" + "s_" + _chars(36),
    ],
    "gitlab-token": [
        "gl" + "pat-" + _chars(20, _URLSAFE),
        "GR13" + "48941" + _chars(24, _URLSAFE),
        "gl" + "cbt-" + _chars(30, _URLSAFE),
        "gl" + "agent-" + _chars(50, _URLSAFE),
    ],
    "artifactory-token": ["AK" + "C" + _chars(12), "AP" + "3" + _chars(10), "AP" + "F" + _chars(9)],
    "azure-storage-key": ["Account" + "Key=" + _chars(88, _ALNUM + "+/")],
    "discord-bot-token": [
        "M" + _chars(23, _URLSAFE) + "." + _chars(6, _URLSAFE) + "." + _chars(27, _URLSAFE)
    ],
    "jwt": [
        _b64url({"alg": "HS256", "typ": "JWT"})
        + "."
        + _b64url({"sub": _chars(8), "iat": 1700000000})
        + "."
        + _chars(43, _URLSAFE)
    ],
    "mailchimp-api-key": [_chars(32, _LOWER) + "-us" + "12"],
    "npm-token": ["//registry.npmjs.org/:_auth" + "Token=npm_" + _chars(36)],
    "openai-api-key": ["sk-" + _chars(20) + "T3Blbk" + "FJ" + _chars(20)],
    "pypi-token": ["pypi-" + "AgEIcHlwaS5vcmc" + _chars(72, _URLSAFE)],
    "sendgrid-api-key": ["SG" + "." + _chars(22, _URLSAFE) + "." + _chars(43, _URLSAFE)],
    "square-oauth-secret": ["sq0" + "csp-" + _chars(43, _URLSAFE)],
    "stripe-live-key": [S.STRIPE_LIVE, S.STRIPE_RESTRICTED, "sk" + "_live_" + _chars(24)],
    "telegram-bot-token": [_chars(9, string.digits) + ":" + _chars(35, _URLSAFE)],
    "twilio-api-key": ["AC" + _chars(32, _LOWER), "SK" + _chars(32, _LOWER)],
}
# How a value sits in a line: code, config, URLs, keyword assignments in several syntaxes.
SHAPES = [
    '{name} = "{value}"',
    "{name}={value}",
    "{name}: {value}",
    "  {name}: '{value}'",
    'const {name} = "{value}";',
    '"{name}": "{value}",',
    'headers = {{"Authorization": "Bearer {value}"}}',
    "export {name}={value}",
    "{value}",
    "see {value} here",
]
NAMES = [
    "KEY",
    "TOKEN",
    "aws_token",
    "AWS_PW",
    "aws_secret_access_key",
    "AWS_SECRET",
    "api_key",
    "client_secret",
    "db_password",
    "PASSWORD",
    "passwd",
    "pwd",
    "secret",
    "apiKey",
    "slack",
    "setting",
]
URLS = [
    f"postgres://orders:{S.DB_PASSWORD}@db.internal:5432/orders",
    f"redis://:{S.REDIS_PASSWORD}@cache:6379/0",
    "mysql://root:" + _chars(14) + "@10.0.0.5/shop",
    "https://user:" + _chars(10) + "!$&@example.org/x",
    "postgres://app:app@localhost/app",
    "https://github.com/octo/repo/pull/1",
]
PEM_KINDS = ["RSA ", "EC ", "OPENSSH ", "DSA ", "", "ENCRYPTED "]
PLACEHOLDERS = [
    'password = "changeme"',
    'api_key = "<your-key>"',
    'secret = "${SECRET_KEY}"',
    'password = os.environ["DB_PASSWORD"]',
    'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"',
    'token = "sk_' + "live_" + "x" * 24 + '"',
    "password: {{ .Values.db.password }}",
    'API_KEY = "bench-key"',
]
# Ordinary code, much of it holding a gate's substring without a credential.
CODE = [
    "from fastapi import APIRouter, Depends, HTTPException",
    "router = APIRouter()",
    'APP_NAME = "orders"',
    "    id: Mapped[int] = mapped_column(primary_key=True)",
    '    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))',
    "def check_password(password: str) -> bool:",
    "user.password = make_password(raw)",
    'label = "Enter your password"',
    "# see https://github.com/Yelp/detect-secrets for the rules",
    "uses: actions/checkout@v4",
    "glob_pattern = glob.glob('**/*.py')",
    "high = max(length, through, right)",
    "aws_region = 'eu-west-1'",
    "import boto3  # aws sdk",
    f"if '{S.PEM_BEGIN}' in text:",
    "SELECT id, secret_id FROM accounts WHERE id = $1;",
    "ALTER TABLE orders ADD COLUMN c1 integer;",
    "ts = '12345678:00'",
    "ACCOUNT_ID = 12345678901",
    "value = self.settings.some_quite_long_attribute_name.other_thing",
    "MNOPQRSTUVWXYZabcdefghijk.lmnopq.r",
    "const key = `${prefix}-${id}`;",
    "-us-east-1",
    "pypi-simple-index",
    "SG.example",
    "eyJhbGciOi",
    "xoxo = hugs()",
    "the_api_key_name = 'API_KEY'",
    "\tv, err := h.store.Get(r.Context(), id)",
    '  return <div className="widget">{title}</div>;',
    "",
    "    ",
    "}",
]


def _pem_block(rng: random.Random) -> list[str]:
    kind = rng.choice(PEM_KINDS)
    body = [base64.b64encode(rng.randbytes(48)).decode() for _ in range(rng.randint(1, 4))]
    marker = kind + "PRIVATE " + "KEY-----"
    return [f"-----BEGIN {marker}", *body, f"-----END {marker}"]


def _credential_line(rng: random.Random) -> str:
    kind = rng.choice(sorted(TOKENS))
    value = rng.choice(TOKENS[kind])
    line = rng.choice(SHAPES).format(name=rng.choice(NAMES), value=value)
    return line.upper() if rng.random() < 0.05 else line


def _line(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.3:
        return _credential_line(rng)
    if roll < 0.4:
        return f'url = "{rng.choice(URLS)}"'
    if roll < 0.45:
        key = f"{S.PEM_BEGIN}\\n{S.INLINE_KEY_BODY}\\n{S.PEM_END}"
        return f'"private_key": "{key}"'
    if roll < 0.55:
        return rng.choice(PLACEHOLDERS)
    line = rng.choice(CODE)
    if rng.random() < 0.2:  # two fragments on one line
        line += rng.choice([" ", " = ", ", ", "; "]) + rng.choice(CODE + PLACEHOLDERS)
    return line.lower() if rng.random() < 0.05 else line


def _lines(rng: random.Random, count: int) -> list[str]:
    out: list[str] = []
    while len(out) < count:
        out.extend(_pem_block(rng) if rng.random() < 0.03 else [_line(rng)])
    return out


PATHS = [
    "app/settings.py",
    "src/config.ts",
    "deploy/.env.production",
    "deploy/values.yaml",
    "config/app.ini",
    "README.md",
    "service-account.json",
    "keys/server.pem",
    "main.go",
]


def _same(lines: list[str], path: str) -> list[list[Secret]]:
    fast = scan_lines(lines, path)
    assert fast == scan_lines(lines, path, ungated_rules())
    return fast


def test_the_fast_path_finds_exactly_what_every_rule_on_every_line_finds() -> None:
    """A few thousand generated lines, in files of every syntax: same secrets, same spans."""
    rng = random.Random(7)
    kinds: set[str] = set()
    lines_seen = 0
    for index in range(12):
        lines = _lines(rng, 150)
        found = _same(lines, PATHS[index % len(PATHS)])
        kinds |= {s.kind for secrets in found for s in secrets}
        lines_seen += sum(1 for secrets in found if secrets)
        for line in lines[:40]:  # one line on its own: the gates see only that line
            assert scan_line(line, "app/x.py") == scan_line(line, "app/x.py", ungated_rules())
    assert lines_seen > 300  # the generator does produce credentials...
    assert set(TOKENS) | {"private-key", "password", "password-in-url"} <= kinds  # of each kind


def test_the_check_reports_the_same_findings_on_the_same_lines() -> None:
    """Through `check`: files of a diff, modified in hunks, scanned fast and without gates."""
    rng = random.Random(11)
    diff = []
    for index, path in enumerate(PATHS * 2):
        lines = _lines(rng, 60)
        body = "".join(("+" if rng.random() < 0.7 else " ") + line + "\n" for line in lines)
        added = body.count("\n+") + body.startswith("+")
        diff.append(
            f"diff --git a/{index}/{path} b/{index}/{path}\n--- a/{index}/{path}\n"
            f"+++ b/{index}/{path}\n@@ -1,{len(lines) - added} +1,{len(lines)} @@\n{body}"
        )
    files = parse_diff("".join(diff).encode())
    config = ChecksConfig()
    fast = check(files, config)
    slow = check(files, config, scans=[scan_file(f, ungated_rules()) for f in files])
    assert len(fast) > 50
    assert fast == slow


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(CODE + PLACEHOLDERS + URLS),
            st.builds(lambda seed: _credential_line(random.Random(seed)), st.integers()),
            st.text(alphabet=string.printable, max_size=60),
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(PATHS),
    st.sampled_from([str, str.upper, str.lower]),
)
def test_generated_lines_agree(lines: list[str], path: str, case: Callable[[str], str]) -> None:
    """Any mix of credentials, near misses and arbitrary text, in any case."""
    _same([case(line) for line in lines], path)


def test_the_gates_were_checked_against_these_rules() -> None:
    """Each gate is a necessary condition of its detect-secrets plugin's regexes, checked by
    hand against them. When detect-secrets changes a rule, this fails: recheck that plugin's
    gate in `detect._PLUGINS` (and the keyword words), then update the digest."""
    from importlib import import_module

    from detect_secrets.plugins import keyword

    patterns = [
        [p.pattern for p in getattr(import_module(f"detect_secrets.plugins.{m}"), n)().denylist]
        for m, n, _ in _PLUGINS
    ]
    patterns.append(sorted(keyword.DENYLIST))
    digest = hashlib.sha256(json.dumps(patterns).encode()).hexdigest()[:16]
    assert digest == "4d22ed0489a21317", digest

"""The hardcoded-secret check and the redaction of credentials before the model."""

from __future__ import annotations

import re

import pytest

from bot.checks.secrets.check import RULE, check, known_values, scan_files
from bot.checks.secrets.detect import scan_line, scan_lines
from bot.checks.secrets.redact import Redactor, redact_lines, redact_text, scrub_finding
from bot.config import ChecksConfig
from bot.diff import parse_diff
from bot.models import Finding
from tests import secret_samples as S

FILES = parse_diff(S.DIFF.encode())


def _kinds(line: str, path: str = "app/settings.py") -> list[str]:
    return [s.kind for s in scan_line(line, path)]


@pytest.mark.parametrize(
    ("line", "path", "kind"),
    [
        (f'KEY_ID = "{S.AWS_KEY_ID}"', "app/settings.py", "aws-access-key-id"),
        (f'aws_secret_access_key = "{S.AWS_SECRET}"', "app/settings.py", "aws-secret-access-key"),
        (f"AWS_SECRET_ACCESS_KEY={S.AWS_SECRET}", ".env", "aws-secret-access-key"),
        (f"token: {S.GITHUB_PAT}", "ci.yml", "github-token"),
        (f"GH={S.GITHUB_FINE}", ".env", "github-token"),
        (f'stripe.api_key = "{S.STRIPE_LIVE}"', "billing.py", "stripe-live-key"),
        (f"const slack = '{S.SLACK_BOT}';", "notify.ts", "slack-token"),
        (f"hook: {S.SLACK_HOOK}", "alerts.yaml", "slack-webhook-url"),
        (f'url = "mysql://root:{S.DB_PASSWORD}@10.0.0.5/shop"', "db.py", "password-in-url"),
        (f"redis://:{S.REDIS_PASSWORD}@cache:6379", "README.md", "password-in-url"),
        (f'password = "{S.PLAIN_PASSWORD}"', "app/settings.py", "password"),
        (f"db_password: {S.PLAIN_PASSWORD}", "config.yml", "password"),
        (f'key = "{S.PEM_BEGIN}\\n{S.INLINE_KEY_BODY}\\n{S.PEM_END}"', "k.py", "private-key"),
    ],
)
def test_each_kind_of_credential_is_recognised(line: str, path: str, kind: str) -> None:
    """The rules of detect-secrets (plus fine-grained tokens, unquoted AWS secrets, URL
    passwords with symbols) name the kind; the match covers the whole value."""
    [secret] = scan_line(line, path)
    assert secret.kind == kind
    assert line[secret.start : secret.end] == secret.value


@pytest.mark.parametrize(
    "line",
    [
        'password = "changeme"',
        'PASSWORD = "xxx"',
        'api_key = "<your-key>"',
        'secret = "${SECRET_KEY}"',
        'password = os.environ["DB_PASSWORD"]',
        'password = os.getenv("DB_PASSWORD", "")',
        "password: {{ .Values.db.password }}",
        'password = "DB_PASSWORD"',
        'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"',
        'DATABASE_URL = "postgres://app:app@localhost/app"',
        'DATABASE_URL = "postgres://user:password@localhost/app"',
        "def check_password(password: str) -> bool:",
        "user.password = make_password(raw)",
        'label = "Enter your password"',
        'client = Client(api_key="test-key")',
        'API_KEY = "bench-key"',
        'token = "sk_' + "live_" + "x" * 24 + '"',
    ],
)
def test_placeholders_and_references_are_not_credentials(line: str) -> None:
    """`changeme`, `xxx`, `<your-key>`, `${VAR}`, `os.environ[...]`, example keys, defaults."""
    assert _kinds(line) == []


def test_a_pem_block_is_one_finding_and_a_bare_marker_none() -> None:
    """Every line of a key block is a secret; code that only names the marker is not a key."""
    per_line = scan_lines(S.PEM_FILE, "server.pem")
    assert all(len(s) == 1 and s[0].kind == "private-key" for s in per_line)
    findings = [f for f in check(FILES, ChecksConfig()) if f.path.endswith(".pem")]
    assert [(f.line, f.title) for f in findings] == [(1, "A private key is committed in the code")]
    marker = parse_diff(
        b"--- a/k.py\n+++ b/k.py\n@@ -0,0 +1 @@\n+if '-----BEGIN RSA PRIVATE KEY-----' in t:\n"
    )
    assert check(marker, ChecksConfig()) == []


def test_every_credential_in_the_diff_is_flagged_critical_and_masked() -> None:
    """One critical security finding per line with a credential, whatever the file; the
    comment names the kind and what to do, and shows no more than 4 characters of a value."""
    findings = check(FILES, ChecksConfig())
    assert {(f.severity, f.category, f.rule, f.source) for f in findings} == {
        ("critical", "security", RULE, "static")
    }
    by_file = {(f.path, f.line) for f in findings}
    assert {("app/settings.py", n) for n in range(4, 11)} <= by_file
    assert {("deploy/.env.production", n) for n in range(1, 7)} <= by_file
    assert ("deploy/service-account.json", 3) in by_file
    assert ("app/api/payments.py", 6) in by_file and ("app/api/payments.py", 7) in by_file
    assert len(findings) == 17  # the five placeholder lines of settings.py are not findings
    for f in findings:
        text = f.title + f.body
        assert "git history" in text and "Revoke it now" in text and "secret store" in text
        for value in S.VALUES:  # nothing of the random part of any value
            tail = value[-16:]
            assert not any(tail[i : i + 6] in text for i in range(11)), value
        assert all(len(shown) <= 4 for shown in re.findall(r"`([^`]*)…`", text))
    stripe = next(f for f in findings if "Stripe" in f.title)
    assert "(stripe-live-key, `sk_l…`, 107 characters)" in stripe.body


def test_the_rule_is_switchable_and_fixtures_can_be_allowed() -> None:
    """`checks.disable` turns it off; `checks.secrets_allow` skips matching paths."""
    assert check(FILES, ChecksConfig(disable=[RULE])) == []
    assert check(FILES, ChecksConfig(enabled=False)) == []
    allowed = check(FILES, ChecksConfig(secrets_allow=["deploy/**"]))
    assert {f.path for f in allowed} == {"app/settings.py", "app/api/payments.py"}


def test_redaction_keeps_every_line_in_place() -> None:
    """Same number of lines, each credential replaced by its kind, the rest untouched."""
    lines = [*S.SETTINGS_PY, *S.PEM_FILE]
    redacted = redact_lines(lines, "app/settings.py")
    assert len(redacted) == len(lines)
    assert redacted[3] == 'AWS_ACCESS_KEY_ID = "[REDACTED aws-access-key-id]"'
    assert (
        redacted[8]
        == 'DATABASE_URL = "postgres://orders:[REDACTED password-in-url]@db.internal:5432/orders"'
    )
    assert redacted[10] == lines[10]  # a placeholder stays as it is
    assert redacted[-1] == "[REDACTED private-key]"
    joined = "\n".join(redacted)
    assert not any(v in joined for v in S.VALUES)


def test_known_values_are_replaced_wherever_they_appear() -> None:
    """A value found in one file is redacted in text where no rule would spot it."""
    known = known_values(scan_files(FILES))
    text = f"Rotated {S.AWS_SECRET} yesterday; see {S.DB_PASSWORD}."
    assert redact_text(text, known=known) == (
        "Rotated [REDACTED aws-secret-access-key] yesterday; see [REDACTED password-in-url]."
    )
    assert Redactor(known)([text], None) == [redact_text(text, known=known)]


def test_findings_are_scrubbed_and_lose_suggestions_that_held_a_secret() -> None:
    """A finding quoting a credential shows the placeholder; its suggestion is left out."""
    known = known_values(scan_files(FILES))
    finding = Finding(
        path="app/settings.py",
        line=9,
        severity="high",
        category="security",
        title="Hardcoded DSN",
        body=f"The DSN holds `{S.DB_PASSWORD}`.",
        suggestion=f'DATABASE_URL = "postgres://orders:{S.DB_PASSWORD}@db"',
    )
    scrubbed = scrub_finding(finding, known)
    assert S.DB_PASSWORD not in scrubbed.body and scrubbed.suggestion is None
    assert scrub_finding(scrubbed, known) == scrubbed

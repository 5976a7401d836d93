"""Credentials of every kind the issue names, built at run time.

None of them is real, and none appears literally in the repository (a secret scanner on the
repository, or GitHub push protection, must not trip over our own tests): each is assembled
from a prefix and deterministic pseudo-random characters.
"""

from __future__ import annotations

import base64
import random
import string

_RNG = random.Random(13)
_ALNUM = string.ascii_letters + string.digits


def _chars(n: int, alphabet: str = _ALNUM) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


AWS_KEY_ID = "AK" + "IA" + _chars(16, string.ascii_uppercase + string.digits)
AWS_SECRET = _chars(40, _ALNUM + "/+")
AWS_KEY_ID_2 = "AS" + "IA" + _chars(16, string.ascii_uppercase + string.digits)
AWS_SECRET_2 = _chars(40, _ALNUM + "/+")
GITHUB_PAT = "gh" + "p_" + _chars(36)
GITHUB_FINE = "github" + "_pat_" + _chars(22) + "_" + _chars(59)
STRIPE_LIVE = "sk" + "_live_" + _chars(99)
STRIPE_RESTRICTED = "rk" + "_live_" + _chars(24)
SLACK_BOT = (
    "xo" + "xb-" + _chars(12, string.digits) + "-" + _chars(13, string.digits) + "-" + _chars(24)
)
SLACK_HOOK = (
    "https://hooks.slack" + ".com/services/T" + _chars(8) + "/B" + _chars(8) + "/" + _chars(24)
)
DB_PASSWORD = _chars(10) + "!" + _chars(5)
REDIS_PASSWORD = _chars(24)
PLAIN_PASSWORD = _chars(12) + "#" + _chars(3)
PEM_LINES = [
    base64.b64encode(bytes(_RNG.randrange(256) for _ in range(48))).decode() for _ in range(8)
]
PEM_BEGIN = "-----BEGIN RSA " + "PRIVATE KEY-----"
PEM_END = "-----END RSA " + "PRIVATE KEY-----"
OPENSSH_BEGIN = "-----BEGIN OPENSSH " + "PRIVATE KEY-----"
OPENSSH_END = "-----END OPENSSH " + "PRIVATE KEY-----"
INLINE_KEY_BODY = _chars(64, _ALNUM + "+/")

ALL = {
    "aws-access-key-id": [AWS_KEY_ID, AWS_KEY_ID_2],
    "aws-secret-access-key": [AWS_SECRET, AWS_SECRET_2],
    "github-token": [GITHUB_PAT, GITHUB_FINE],
    "stripe-live-key": [STRIPE_LIVE, STRIPE_RESTRICTED],
    "slack-token": [SLACK_BOT],
    "slack-webhook-url": [SLACK_HOOK],
    "password-in-url": [DB_PASSWORD, REDIS_PASSWORD],
    "password": [PLAIN_PASSWORD],
    "private-key": [*PEM_LINES, INLINE_KEY_BODY],
}
VALUES = [v for values in ALL.values() for v in values]


def _added(path: str, lines: list[str]) -> str:
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


SETTINGS_PY = [
    '"""Settings."""',
    "import os",
    "",
    f'AWS_ACCESS_KEY_ID = "{AWS_KEY_ID}"',
    f'aws_secret_access_key = "{AWS_SECRET}"',
    f'GITHUB_TOKEN = "{GITHUB_PAT}"',
    f'STRIPE_API_KEY = "{STRIPE_LIVE}"',
    f'SLACK_BOT_TOKEN = "{SLACK_BOT}"',
    f'DATABASE_URL = "postgres://orders:{DB_PASSWORD}@db.internal:5432/orders"',
    f'ADMIN_PASSWORD = "{PLAIN_PASSWORD}"',
    'PLACEHOLDER_PASSWORD = "changeme"',
    'API_KEY = os.environ["API_KEY"]',
    'TEMPLATE_SECRET = "${SECRET_KEY}"',
    'DOC_KEY = "<your-key>"',
    'OTHER_SECRET = "xxx"',
]
ENV_FILE = [
    f"AWS_ACCESS_KEY_ID={AWS_KEY_ID_2}",
    f"AWS_SECRET_ACCESS_KEY={AWS_SECRET_2}",
    f"GH_FINE_GRAINED={GITHUB_FINE}",
    f"STRIPE_RESTRICTED={STRIPE_RESTRICTED}",
    f"SLACK_WEBHOOK={SLACK_HOOK}",
    f"REDIS_URL=redis://:{REDIS_PASSWORD}@cache.internal:6379/0",
]
PEM_FILE = [PEM_BEGIN, *PEM_LINES, PEM_END]
SERVICE_ACCOUNT = [
    "{",
    '  "type": "service_account",',
    f'  "private_key": "{OPENSSH_BEGIN}\\n{INLINE_KEY_BODY}\\n{OPENSSH_END}\\n"',
    "}",
]
# A backend file (so it goes to the model): a FastAPI handler, modified in the middle, whose
# unchanged lines around the hunk (nearby code for the model) hold a key too.
PAYMENTS = "app/api/payments.py"
PAYMENTS_HEAD = [
    "from fastapi import APIRouter",
    "from sqlalchemy import text",
    "",
    f'LEGACY_AWS_KEY_ID = "{AWS_KEY_ID}"',
    "router = APIRouter()",
    f'stripe_key = "{STRIPE_LIVE}"',
    f'ENGINE_URL = "postgresql://payments:{DB_PASSWORD}@db.internal/payments"',
    "",
    '@router.get("/payments")',
    "def list_payments(session):",
    f'    headers = {{"Authorization": "token {GITHUB_PAT}"}}',
    '    return session.execute(text("SELECT * FROM payments")).all()',
    "",
    "",
    "def unused():",
    f'    return "{AWS_SECRET}"',
]
PAYMENTS_DIFF = (
    f"diff --git a/{PAYMENTS} b/{PAYMENTS}\n--- a/{PAYMENTS}\n+++ b/{PAYMENTS}\n"
    "@@ -4,7 +4,10 @@\n"
    + "".join(f" {line}\n" for line in PAYMENTS_HEAD[3:5])
    + "".join(f"+{line}\n" for line in PAYMENTS_HEAD[5:8])
    + "".join(f" {line}\n" for line in PAYMENTS_HEAD[8:13])
)
TITLE = f"Payments: use key {AWS_KEY_ID} for now"
DESCRIPTION = (
    f"Temporary: the Stripe key is {STRIPE_LIVE} and the DB password {DB_PASSWORD}.\n"
    f"{PEM_BEGIN}\n" + "\n".join(PEM_LINES) + f"\n{PEM_END}\n"
)

DIFF = "".join(
    [
        _added("app/settings.py", SETTINGS_PY),
        _added("deploy/.env.production", ENV_FILE),
        _added("deploy/keys/server.pem", PEM_FILE),
        _added("deploy/service-account.json", SERVICE_ACCOUNT),
        PAYMENTS_DIFF,
    ]
)

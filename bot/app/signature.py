"""Webhook signatures: GitHub's `X-Hub-Signature-256` is `sha256=` + HMAC-SHA256 of the raw body
under the webhook secret. Pure.

Only SHA-256 counts: the legacy SHA-1 `X-Hub-Signature` header is never accepted on its own.
https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(secret: bytes, body: bytes) -> str:
    """The header value GitHub would send for `body` (tests and the benchmark sign with it)."""
    return PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, header: str | None) -> bool:
    """Whether `header` is a valid SHA-256 signature of `body`, compared in constant time."""
    if not header or not header.startswith(PREFIX) or not secret:
        return False
    return hmac.compare_digest(sign(secret, body).encode(), header.strip().encode())

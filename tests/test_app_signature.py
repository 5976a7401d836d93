"""X-Hub-Signature-256 verification (bot.app.signature)."""

from __future__ import annotations

import hashlib
import hmac

from bot.app.signature import sign, verify

SECRET = b"It's a Secret to Everybody"
BODY = b"Hello, World!"


def test_githubs_documented_example() -> None:
    """The example in GitHub's docs ("Validating webhook deliveries")."""
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert sign(SECRET, BODY) == expected
    assert verify(SECRET, BODY, expected)


def test_refusals() -> None:
    good = sign(SECRET, BODY)
    assert not verify(SECRET, BODY, None)
    assert not verify(SECRET, BODY, "")
    assert not verify(SECRET, BODY + b" ", good)
    assert not verify(b"other", BODY, good)
    assert not verify(SECRET, BODY, good.upper())
    assert not verify(b"", BODY, sign(b"", BODY))  # no secret: nothing verifies
    sha1 = "sha1=" + hmac.new(SECRET, BODY, hashlib.sha1).hexdigest()
    assert not verify(SECRET, BODY, sha1)

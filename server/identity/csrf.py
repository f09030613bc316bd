"""CSRF tokens: an HMAC of the visitor's session (or anonymous cookie) under the secret key."""

from __future__ import annotations

import hashlib
import hmac

CSRF_COOKIE = "fiera_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def make_token(secret_key: str, seed: str) -> str:
    return hmac.new(secret_key.encode(), b"csrf|" + seed.encode(), hashlib.sha256).hexdigest()


def check_token(secret_key: str, seed: str | None, token: str | None) -> bool:
    if not seed or not token:
        return False
    return hmac.compare_digest(make_token(secret_key, seed), token)

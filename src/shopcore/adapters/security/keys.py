"""One key per purpose, derived from SHOPCORE_SECRET_KEY: nothing is signed with the secret."""

from __future__ import annotations

import hashlib
import hmac


def derive_key(secret: str, purpose: str) -> bytes:
    """HMAC-SHA256 of the purpose under the secret; an empty secret is refused.

    A token of one kind then never verifies as another, and a key leaked from one use
    (a reset link's signer, say) forges nothing else. (Short secrets are refused by the
    settings outside development.)
    """
    raw = secret.encode("utf-8")
    if not raw.strip():
        raise ValueError("the secret key is empty: set SHOPCORE_SECRET_KEY")
    return hmac.new(raw, b"shopcore key for " + purpose.encode(), hashlib.sha256).digest()

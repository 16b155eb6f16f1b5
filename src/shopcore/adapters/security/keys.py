"""One key per purpose, derived from SHOPCORE_SECRET_KEY: nothing is signed with the secret."""

from __future__ import annotations

import hashlib
import hmac

MIN_SECRET_BYTES = 32


def derive_key(secret: str, purpose: str) -> bytes:
    """HMAC-SHA256 of the purpose under the secret; refuses a secret under 32 bytes.

    A token of one kind then never verifies as another, and a key leaked from one use
    (a reset link's signer, say) forges nothing else.
    """
    raw = secret.encode("utf-8")
    if len(raw) < MIN_SECRET_BYTES:
        raise ValueError(f"the secret key must be at least {MIN_SECRET_BYTES} bytes, "
                         f"not {len(raw)}: set SHOPCORE_SECRET_KEY")
    return hmac.new(raw, b"shopcore key for " + purpose.encode(), hashlib.sha256).digest()

"""Access and refresh JWTs (PyJWT, HS256 pinned) and password-reset tokens (itsdangerous)."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime, timedelta

import jwt
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from shopcore.adapters.security.keys import derive_key
from shopcore.domain.errors import AuthenticationFailed, ValidationFailed
from shopcore.ports.clock import Clock
from shopcore.ports.security import IssuedToken, ResetClaim, TokenClaims, TokenKind

ALGORITHM = "HS256"
REQUIRED = ["exp", "iat", "sub", "jti", "typ"]
# Verified tokens remembered per process: a client sends the same token on every request.
DECODED_TOKENS = 4096
INVALID_RESET = "The password reset link is invalid, expired or already used."


def _micros(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


class JwtTokenService:
    """HS256 JWTs with exp, iat, sub, jti and typ all required; one derived key per kind.

    `iat_us` carries the issue time to the microsecond: a token issued in the same second
    as, but after, a revocation is told apart from one issued before it. The signature and
    claims of a token are checked once and remembered (only tokens that passed); its expiry
    is checked on every use.
    """

    def __init__(self, secret: str, clock: Clock, access_ttl: timedelta,
                 refresh_ttl: timedelta, issuer: str = "shopcore") -> None:
        self.clock, self.issuer = clock, issuer
        self.keys = {kind: derive_key(secret, f"{kind.value} tokens") for kind in TokenKind}
        self.ttl = {TokenKind.ACCESS: access_ttl, TokenKind.REFRESH: refresh_ttl}
        self._decoded = functools.lru_cache(maxsize=DECODED_TOKENS)(self._decode)

    def issue(self, user_id: int, kind: TokenKind, *, is_staff: bool = False) -> IssuedToken:
        now = self.clock.now()
        expires = datetime.fromtimestamp(int((now + self.ttl[kind]).timestamp()), now.tzinfo)
        jti = uuid.uuid4().hex
        payload = {"sub": str(user_id), "iat": int(now.timestamp()), "iat_us": _micros(now),
                   "exp": int(expires.timestamp()), "jti": jti, "typ": kind.value,
                   "iss": self.issuer}
        if kind is TokenKind.ACCESS:
            payload["staff"] = is_staff
        token = jwt.encode(payload, self.keys[kind], algorithm=ALGORITHM)
        claims = TokenClaims(user_id=user_id, jti=jti, kind=kind, expires_at=expires,
                             is_staff=is_staff, issued_at=now)
        return IssuedToken(token=token, claims=claims)

    def verify(self, token: str, kind: TokenKind) -> TokenClaims:
        claims = self._decoded(token, kind)
        if claims.expires_at <= self.clock.now():
            raise AuthenticationFailed("Token is invalid or expired.")
        return claims

    def _decode(self, token: str, kind: TokenKind) -> TokenClaims:
        """The claims of a token signed with `kind`'s key, whenever it expires."""
        zone = self.clock.now().tzinfo
        try:
            payload = jwt.decode(
                token, self.keys[kind], algorithms=[ALGORITHM], issuer=self.issuer,
                options={"require": [*REQUIRED, "iss"], "verify_exp": False})
        except jwt.PyJWTError as exc:
            raise AuthenticationFailed("Token is invalid or expired.") from exc
        if payload.get("typ") != kind.value:
            raise AuthenticationFailed("Token has wrong type.")
        try:
            user_id = int(payload["sub"])
            expires = datetime.fromtimestamp(int(payload["exp"]), zone)
            micros = payload.get("iat_us")
            issued = (datetime.fromtimestamp(micros // 1_000_000, zone)
                      + timedelta(microseconds=micros % 1_000_000)
                      if isinstance(micros, int) and micros // 1_000_000 == int(payload["iat"])
                      else datetime.fromtimestamp(int(payload["iat"]), zone))
        except (TypeError, ValueError, OverflowError, OSError) as exc:
            raise AuthenticationFailed("Token is invalid or expired.") from exc
        return TokenClaims(user_id=user_id, jti=str(payload["jti"]), kind=kind,
                           expires_at=expires, is_staff=payload.get("staff") is True,
                           issued_at=issued)


class SignedResetTokens:
    """URL-safe, timestamped, signed reset tokens that expire after `max_age`."""

    def __init__(self, secret: str, max_age: timedelta,
                 salt: str = "shopcore.password-reset") -> None:
        # One key per kind of token (the link's, the form's), each derived from the secret.
        self.serializer = URLSafeTimedSerializer(derive_key(secret, salt), salt=salt)
        self.max_age = int(max_age.total_seconds())

    def make(self, claim: ResetClaim) -> str:
        return self.serializer.dumps([claim.user_id, claim.fingerprint])

    def read(self, token: str) -> ResetClaim:
        try:
            user_id, fingerprint = self.serializer.loads(token, max_age=self.max_age)
            return ResetClaim(int(user_id), str(fingerprint))
        except (SignatureExpired, BadSignature, TypeError, ValueError) as exc:
            raise ValidationFailed(INVALID_RESET, {"token": [INVALID_RESET]}) from exc

"""Access and refresh JWTs (PyJWT, HS256 pinned) and password-reset tokens (itsdangerous)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import jwt
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from shopcore.domain.errors import AuthenticationFailed, ValidationFailed
from shopcore.ports.clock import Clock
from shopcore.ports.security import IssuedToken, ResetClaim, TokenClaims, TokenKind

ALGORITHM = "HS256"
REQUIRED = ["exp", "iat", "sub", "jti", "typ"]
INVALID_RESET = "The password reset link is invalid, expired or already used."


class JwtTokenService:
    """HS256 JWTs with exp, iat, sub, jti and typ all required."""

    def __init__(self, secret: str, clock: Clock, access_ttl: timedelta,
                 refresh_ttl: timedelta, issuer: str = "shopcore") -> None:
        self.secret, self.clock, self.issuer = secret, clock, issuer
        self.ttl = {TokenKind.ACCESS: access_ttl, TokenKind.REFRESH: refresh_ttl}

    def issue(self, user_id: int, kind: TokenKind, *, is_staff: bool = False) -> IssuedToken:
        now = self.clock.now()
        expires = datetime.fromtimestamp(int((now + self.ttl[kind]).timestamp()), now.tzinfo)
        jti = uuid.uuid4().hex
        payload = {"sub": str(user_id), "iat": int(now.timestamp()),
                   "exp": int(expires.timestamp()), "jti": jti, "typ": kind.value,
                   "iss": self.issuer}
        if kind is TokenKind.ACCESS:
            payload["staff"] = is_staff
        token = jwt.encode(payload, self.secret, algorithm=ALGORITHM)
        claims = TokenClaims(user_id=user_id, jti=jti, kind=kind,
                             expires_at=expires,
                             is_staff=is_staff)
        return IssuedToken(token=token, claims=claims)

    def verify(self, token: str, kind: TokenKind) -> TokenClaims:
        now = self.clock.now()
        try:
            payload = jwt.decode(
                token, self.secret, algorithms=[ALGORITHM], issuer=self.issuer,
                options={"require": [*REQUIRED, "iss"], "verify_exp": False})
        except jwt.PyJWTError as exc:
            raise AuthenticationFailed("Token is invalid or expired.") from exc
        if payload.get("typ") != kind.value:
            raise AuthenticationFailed("Token has wrong type.")
        try:
            user_id = int(payload["sub"])
            expires = datetime.fromtimestamp(int(payload["exp"]), now.tzinfo)
        except (TypeError, ValueError) as exc:
            raise AuthenticationFailed("Token is invalid or expired.") from exc
        if expires <= now:
            raise AuthenticationFailed("Token is invalid or expired.")
        return TokenClaims(user_id=user_id, jti=str(payload["jti"]), kind=kind,
                           expires_at=expires, is_staff=payload.get("staff") is True)


class SignedResetTokens:
    """URL-safe, timestamped, signed reset tokens that expire after `max_age`."""

    def __init__(self, secret: str, max_age: timedelta,
                 salt: str = "shopcore.password-reset") -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt=salt)
        self.max_age = int(max_age.total_seconds())

    def make(self, claim: ResetClaim) -> str:
        return self.serializer.dumps([claim.user_id, claim.fingerprint])

    def read(self, token: str) -> ResetClaim:
        try:
            user_id, fingerprint = self.serializer.loads(token, max_age=self.max_age)
            return ResetClaim(int(user_id), str(fingerprint))
        except (SignatureExpired, BadSignature, TypeError, ValueError) as exc:
            raise ValidationFailed(INVALID_RESET, {"token": [INVALID_RESET]}) from exc

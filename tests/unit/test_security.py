"""Tokens, hashes and the login throttle's in-process store."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import jwt
import pytest
from itsdangerous import URLSafeTimedSerializer

from shopcore import App
from shopcore.adapters.clock import FixedClock
from shopcore.adapters.security.hashing import BcryptHasher
from shopcore.adapters.security.keys import derive_key
from shopcore.adapters.security.throttle import memory_throttle
from shopcore.adapters.security.tokens import JwtTokenService, SignedResetTokens
from shopcore.domain.errors import AuthenticationFailed, Throttled, ValidationFailed
from shopcore.ports.security import ResetClaim, TokenKind

SECRET = "unit-test-secret-0123456789abcdefghijklmnopqrstuvwxyz"
ACCESS_KEY = derive_key(SECRET, "access tokens")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def tokens(clock: FixedClock) -> JwtTokenService:
    return JwtTokenService(SECRET, clock, timedelta(minutes=15), timedelta(days=7))


def test_an_issued_access_token_verifies_with_its_claims(tokens: JwtTokenService) -> None:
    issued = tokens.issue(42, TokenKind.ACCESS, is_staff=True)
    claims = tokens.verify(issued.token, TokenKind.ACCESS)
    assert (claims.user_id, claims.is_staff, claims.jti) == (42, True, issued.claims.jti)


def test_a_refresh_token_is_not_an_access_token_nor_the_reverse(tokens: JwtTokenService) -> None:
    refresh = tokens.issue(1, TokenKind.REFRESH).token
    access = tokens.issue(1, TokenKind.ACCESS).token
    with pytest.raises(AuthenticationFailed):
        tokens.verify(refresh, TokenKind.ACCESS)
    with pytest.raises(AuthenticationFailed):
        tokens.verify(access, TokenKind.REFRESH)


def test_a_token_expires_when_its_lifetime_has_passed(
    tokens: JwtTokenService, clock: FixedClock
) -> None:
    token = tokens.issue(1, TokenKind.ACCESS).token
    clock.advance(minutes=14)
    assert tokens.verify(token, TokenKind.ACCESS).user_id == 1
    clock.advance(minutes=1)
    with pytest.raises(AuthenticationFailed):
        tokens.verify(token, TokenKind.ACCESS)


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "jti", "typ"])
def test_a_token_missing_a_required_claim_is_refused(
    tokens: JwtTokenService, clock: FixedClock, missing: str
) -> None:
    now = int(clock.now().timestamp())
    payload = {"sub": "1", "iat": now, "exp": now + 60, "jti": "x", "typ": "access",
               "iss": "shopcore"}
    assert tokens.verify(jwt.encode(payload, ACCESS_KEY, algorithm="HS256"), TokenKind.ACCESS)
    del payload[missing]
    with pytest.raises(AuthenticationFailed):
        tokens.verify(jwt.encode(payload, ACCESS_KEY, algorithm="HS256"), TokenKind.ACCESS)


def test_nothing_signed_with_the_secret_itself_verifies(
    tokens: JwtTokenService, clock: FixedClock
) -> None:
    now = int(clock.now().timestamp())
    payload = {"sub": "1", "iat": now, "exp": now + 60, "jti": "x", "typ": "access",
               "iss": "shopcore", "staff": True}
    with pytest.raises(AuthenticationFailed):
        tokens.verify(jwt.encode(payload, SECRET, algorithm="HS256"), TokenKind.ACCESS)
    resets = SignedResetTokens(SECRET, timedelta(hours=1))
    with_secret = URLSafeTimedSerializer(SECRET, salt="shopcore.password-reset").dumps([7, "a"])
    with pytest.raises(ValidationFailed):
        resets.read(with_secret)


def test_a_refresh_token_relabelled_as_access_fails_on_its_key(tokens: JwtTokenService) -> None:
    refresh = tokens.issue(1, TokenKind.REFRESH).token
    payload = jwt.decode(refresh, options={"verify_signature": False})
    payload["typ"], payload["staff"] = "access", True
    forged = jwt.encode(payload, derive_key(SECRET, "refresh tokens"), algorithm="HS256")
    with pytest.raises(AuthenticationFailed):
        tokens.verify(forged, TokenKind.ACCESS)


def test_an_empty_secret_signs_nothing(clock: FixedClock) -> None:
    for short in ("", "  "):
        with pytest.raises(ValueError, match="SHOPCORE_SECRET_KEY"):
            JwtTokenService(short, clock, timedelta(minutes=15), timedelta(days=7))
        with pytest.raises(ValueError, match="SHOPCORE_SECRET_KEY"):
            SignedResetTokens(short, timedelta(hours=1))


def test_pyjwt_itself_refuses_an_empty_hmac_key() -> None:
    with pytest.raises(jwt.InvalidKeyError):
        jwt.encode({"sub": "1"}, "", algorithm="HS256")


def test_an_access_token_says_when_it_was_issued_to_the_microsecond(
    tokens: JwtTokenService, clock: FixedClock
) -> None:
    clock.advance(seconds=0.25)
    issued = tokens.issue(1, TokenKind.ACCESS)
    assert tokens.verify(issued.token, TokenKind.ACCESS).issued_at == clock.now()


def test_unsigned_and_foreign_key_tokens_are_refused(
    tokens: JwtTokenService, clock: FixedClock
) -> None:
    now = int(clock.now().timestamp())
    payload = {"sub": "1", "iat": now, "exp": now + 60, "jti": "x", "typ": "access",
               "iss": "shopcore"}
    unsigned = jwt.encode(payload, None, algorithm="none")
    foreign = jwt.encode(payload, "another-secret-of-enough-length-0123456789", algorithm="HS256")
    for token in (unsigned, foreign, "not-a-token", ""):
        with pytest.raises(AuthenticationFailed):
            tokens.verify(token, TokenKind.ACCESS)


def test_a_reset_token_reads_back_until_tampered_or_expired() -> None:
    resets = SignedResetTokens(SECRET, timedelta(hours=1))
    token = resets.make(ResetClaim(7, "abc"))
    assert resets.read(token) == ResetClaim(7, "abc")
    with pytest.raises(ValidationFailed):
        resets.read(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    old = URLSafeTimedSerializer(derive_key(SECRET, "password reset tokens"),
                                 salt="shopcore.password-reset")
    stale = old.dumps([7, "abc"])
    with pytest.raises(ValidationFailed):
        SignedResetTokens(SECRET, timedelta(seconds=-1)).read(stale)


def test_bcrypt_refuses_unknown_users_and_overlong_passwords() -> None:
    hasher = BcryptHasher(rounds=4)
    hashed = hasher.hash("correct-horse")
    assert hasher.verify("correct-horse", hashed)
    assert not hasher.verify("wrong-horse", hashed)
    assert not hasher.verify("correct-horse", None)
    assert not hasher.verify("x" * 100, hashed)
    assert not hasher.verify("correct-horse", "not-a-bcrypt-hash")
    with pytest.raises(ValueError, match="72 bytes"):
        hasher.hash("é" * 40)


class CountingHasher:
    """A hand-written hasher that counts verifications, to prove equal work."""

    def __init__(self) -> None:
        self.verified: list[str | None] = []

    def hash(self, password: str) -> str:
        return "plain$" + password

    def verify(self, password: str, hashed: str | None) -> bool:
        self.verified.append(hashed)
        return hashed == "plain$" + password


def test_an_unknown_username_costs_one_password_check_like_a_wrong_password() -> None:
    app = App.in_memory()
    hasher = CountingHasher()
    with app.container.adapters.hasher.override(hasher):
        app.register_user(username="ada", email="ada@example.com", password="correct-horse")
        for name in ("ada", "nobody"):
            with pytest.raises(AuthenticationFailed) as failure:
                app.log_in(username=name, password="wrong-horse", address="10.0.0.1")
            assert failure.value.message == "No active account found with the given credentials."
    assert hasher.verified == ["plain$correct-horse", None]


def test_the_sixth_guess_from_one_address_is_throttled_and_success_clears_it() -> None:
    throttle = memory_throttle(per_address=5, per_user=20, window_minutes=15)
    for _ in range(5):
        assert throttle.attempt("ada", "10.0.0.1") is None
    wait = throttle.attempt("ada", "10.0.0.1")
    assert wait is not None and 0 < wait <= 15 * 60
    assert throttle.attempt("ada", "10.0.0.2") is None
    throttle.succeeded("ada", "10.0.0.1")
    assert throttle.attempt("ada", "10.0.0.1") is None


def test_the_per_username_limit_refuses_addresses_that_guessed_wrong_not_the_owners_new_one(
) -> None:
    throttle = memory_throttle(per_address=5, per_user=20, window_minutes=15)
    for n in range(20):
        assert throttle.attempt("ada", f"10.0.0.{n}") is None
    assert throttle.attempt("ada", "10.0.0.3") is not None
    assert throttle.attempt("ada", "192.0.2.1") is None
    assert throttle.attempt("bob", "10.0.0.3") is None


def test_one_client_guessing_across_many_usernames_is_throttled() -> None:
    throttle = memory_throttle(per_address=5, per_user=20, window_minutes=15, per_client=30)
    for n in range(30):
        assert throttle.attempt(f"user{n}", "10.0.0.1") is None
    assert throttle.attempt("user99", "10.0.0.1") is not None
    assert throttle.attempt("user99", "10.0.0.2") is None


def test_successful_logins_do_not_use_up_the_clients_allowance() -> None:
    throttle = memory_throttle(per_address=5, per_user=20, window_minutes=15, per_client=3)
    for n in range(10):
        assert throttle.attempt(f"user{n}", "10.0.0.1") is None
        throttle.succeeded(f"user{n}", "10.0.0.1")
    assert throttle.attempt("user99", "10.0.0.1") is None


def test_throttle_keys_are_fixed_size_whatever_the_username() -> None:
    throttle = memory_throttle(per_address=5, per_user=20, window_minutes=15)
    throttle.attempt("\ufdfa" * 100_000, "10.0.0.1")
    storage = throttle.limiter.storage
    keys = [*getattr(storage, "storage", {}), *getattr(storage, "events", {})]
    assert keys and max(len(key) for key in keys) < 100


class SlowHasher(CountingHasher):
    """Checks take a while, as bcrypt's do, so parallel guesses overlap."""

    def verify(self, password: str, hashed: str | None) -> bool:
        time.sleep(0.02)
        return super().verify(password, hashed)


def test_parallel_guesses_cannot_slip_past_the_limit() -> None:
    app = App.in_memory(login_failures_per_address=5)
    hasher = SlowHasher()
    outcomes: list[str] = []
    start = threading.Barrier(20)

    def guess() -> None:
        start.wait()
        try:
            app.log_in(username="ada", password="wrong-horse", address="10.0.0.1")
        except (AuthenticationFailed, Throttled) as exc:
            outcomes.append(type(exc).__name__)

    with app.container.adapters.hasher.override(hasher):
        app.register_user(username="ada", email="ada@example.com", password="correct-horse")
        threads = [threading.Thread(target=guess) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(hasher.verified) == 5
    assert sorted(outcomes) == ["AuthenticationFailed"] * 5 + ["Throttled"] * 15


def test_login_answers_throttled_once_the_limit_is_reached() -> None:
    app = App.in_memory(password_hasher="plain", login_failures_per_address=2)
    app.register_user(username="ada", email="ada@example.com", password="correct-horse")
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            app.log_in(username="ada", password="nope-nope", address="10.0.0.1")
    with pytest.raises(Throttled) as throttled:
        app.log_in(username="ada", password="correct-horse", address="10.0.0.1")
    assert throttled.value.retry_after > 0

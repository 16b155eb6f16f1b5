"""Accounts: register, view and edit the profile, change the password."""

from __future__ import annotations

from shopcore.application.auth import guess_allowed
from shopcore.domain.errors import Conflict, NotFound
from shopcore.domain.rules import check_rules
from shopcore.domain.user import User, UsernameMustFit, normalize_email, normalize_username
from shopcore.domain.usernames import username_key
from shopcore.ports.clock import Clock
from shopcore.ports.security import AccountCache, LoginThrottle, PasswordHasher
from shopcore.ports.unit_of_work import UnitOfWork

USERNAME_TAKEN = "A user with that username already exists."


def load_user(uow: UnitOfWork, user_id: int) -> User:
    user = uow.users.get(user_id)
    if user is None or not user.is_active:
        raise NotFound("User not found.")
    return user


class RegisterUser:
    """Create an account; staff accounts only from trusted callers (CLI, library)."""

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock) -> None:
        self.uow, self.hasher, self.clock = uow, hasher, clock

    def __call__(
        self, *, username: str, email: str, password: str, is_staff: bool = False
    ) -> User:
        check_rules(UsernameMustFit("username", username))
        username, email = normalize_username(username), normalize_email(email)
        User.check_new(username, email, password)
        with self.uow:
            if self.uow.users.by_similar_username(username) is not None:
                raise Conflict(USERNAME_TAKEN, {"username": [USERNAME_TAKEN]})
            if self.uow.users.by_email(email) is not None:
                raise Conflict("A user with that e-mail already exists.",
                               {"email": ["A user with that e-mail already exists."]})
            user = User(username=username, email=email, password_hash=self.hasher.hash(password),
                        date_joined=self.clock.now(), is_staff=is_staff)
            self.uow.users.add(user)
            self.uow.commit()
        return user


class GetProfile:
    """The caller's own account."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, *, user_id: int) -> User:
        with self.uow:
            return load_user(self.uow, user_id)


class UpdateProfile:
    """Change the e-mail (with the current password; the old address is told) and names.

    The current password is a guess like a login's, throttled by the same counters.
    """

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, throttle: LoginThrottle) -> None:
        self.uow, self.hasher, self.throttle = uow, hasher, throttle

    def __call__(
        self,
        *,
        user_id: int,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        current_password: str | None = None,
        address: str = "",
    ) -> User:
        with self.uow:
            user = load_user(self.uow, user_id)
            old_email = user.email

            def verify(password: str, hashed: str | None) -> bool:
                guess_allowed(self.throttle, user.username, address)
                return self.hasher.verify(password, hashed)

            user.change_profile(email=email, first_name=first_name, last_name=last_name,
                                current_password=current_password, verify=verify)
            if user.email != old_email:
                self.throttle.succeeded(username_key(user.username), address)
            other = self.uow.users.by_email(user.email)
            if other is not None and other.id != user.id:
                raise Conflict("A user with that e-mail already exists.",
                               {"email": ["A user with that e-mail already exists."]})
            self.uow.users.save(user)
            self.uow.commit()
        return user


class ChangePassword:
    """Replace the password after checking the old one; every token issued before is revoked.

    The old password is a guess like a login's, throttled by the same counters.
    """

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, throttle: LoginThrottle,
                 clock: Clock, accounts: AccountCache) -> None:
        self.uow, self.hasher, self.throttle = uow, hasher, throttle
        self.clock, self.accounts = clock, accounts

    def __call__(self, *, user_id: int, old_password: str, new_password: str,
                 address: str = "") -> None:
        with self.uow:
            user = load_user(self.uow, user_id)
            guess_allowed(self.throttle, user.username, address)
            user.change_password(old_password, new_password, verify=self.hasher.verify,
                                 hash=self.hasher.hash, now=self.clock.now())
            self.uow.users.save(user)
            self.uow.refresh_sessions.revoke_user(user_id)
            self.uow.commit()
        self.throttle.succeeded(username_key(user.username), address)
        self.accounts.forget(user_id)

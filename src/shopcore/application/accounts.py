"""Accounts: register, view and edit the profile, change the password."""

from __future__ import annotations

from shopcore.domain.errors import Conflict, NotFound
from shopcore.domain.user import User, normalize_email, normalize_username
from shopcore.ports.clock import Clock
from shopcore.ports.security import PasswordHasher
from shopcore.ports.unit_of_work import UnitOfWork


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
        username, email = normalize_username(username), normalize_email(email)
        User.check_new(username, email, password)
        with self.uow:
            if self.uow.users.by_username(username) is not None:
                raise Conflict("A user with that username already exists.",
                               {"username": ["A user with that username already exists."]})
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
    """Change the e-mail (with the current password; the old address is told) and names."""

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher) -> None:
        self.uow, self.hasher = uow, hasher

    def __call__(
        self,
        *,
        user_id: int,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        current_password: str | None = None,
    ) -> User:
        with self.uow:
            user = load_user(self.uow, user_id)
            user.change_profile(email=email, first_name=first_name, last_name=last_name,
                                current_password=current_password, verify=self.hasher.verify)
            other = self.uow.users.by_email(user.email)
            if other is not None and other.id != user.id:
                raise Conflict("A user with that e-mail already exists.",
                               {"email": ["A user with that e-mail already exists."]})
            self.uow.users.save(user)
            self.uow.commit()
        return user


class ChangePassword:
    """Replace the password after checking the old one; every refresh token is revoked."""

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher) -> None:
        self.uow, self.hasher = uow, hasher

    def __call__(self, *, user_id: int, old_password: str, new_password: str) -> None:
        with self.uow:
            user = load_user(self.uow, user_id)
            user.change_password(old_password, new_password, verify=self.hasher.verify,
                                 hash=self.hasher.hash)
            self.uow.users.save(user)
            self.uow.refresh_sessions.revoke_user(user_id)
            self.uow.commit()

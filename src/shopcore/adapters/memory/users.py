"""Users and their refresh-token sessions, in memory."""

from __future__ import annotations

from shopcore.adapters.memory.base import Track, clone
from shopcore.adapters.memory.store import Tables
from shopcore.domain.errors import Conflict
from shopcore.domain.user import RefreshSession, User
from shopcore.domain.usernames import username_key


class MemoryUserRepository:
    def __init__(self, tables: Tables, track: Track) -> None:
        self.t, self.track = tables, track

    def _unique(self, user: User) -> None:
        for other in self.t.users.values():
            if other.id != user.id and (
                    username_key(other.username) == username_key(user.username)
                    or other.email.casefold() == user.email.casefold()):
                raise Conflict("A user with that username or e-mail already exists.")

    def add(self, user: User) -> None:
        self._unique(user)
        user.id = self.t.next_id("users")
        self.track(user, new=True)
        self.t.users[user.id] = clone(user)

    def get(self, user_id: int) -> User | None:
        user = self.t.users.get(user_id)
        return clone(user) if user else None

    def by_username(self, username: str) -> User | None:
        return next((clone(u) for u in self.t.users.values() if u.username == username), None)

    def by_similar_username(self, username: str) -> User | None:
        key = username_key(username)
        return next((clone(u) for u in self.t.users.values()
                     if username_key(u.username) == key), None)

    def by_email(self, email: str) -> User | None:
        folded = email.casefold()
        return next((clone(u) for u in self.t.users.values()
                     if u.email.casefold() == folded), None)

    def save(self, user: User) -> None:
        assert user.id is not None
        self._unique(user)
        self.track(user)
        self.t.users[user.id] = clone(user)

    def count(self) -> int:
        return len(self.t.users)


class MemoryRefreshSessionRepository:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    def add(self, session: RefreshSession) -> None:
        self.t.refresh_sessions[session.jti] = clone(session)

    def get(self, jti: str) -> RefreshSession | None:
        session = self.t.refresh_sessions.get(jti)
        return clone(session) if session else None

    def save(self, session: RefreshSession) -> None:
        self.t.refresh_sessions[session.jti] = clone(session)

    def rotate(self, jti: str, successor: str) -> bool:
        session = self.t.refresh_sessions.get(jti)
        if session is None or session.revoked or session.replaced_by is not None:
            return False
        session.replaced_by = successor
        return True

    def revoke_family(self, family_id: str) -> None:
        for session in self.t.refresh_sessions.values():
            if session.family_id == family_id:
                session.revoked = True

    def revoke_user(self, user_id: int) -> None:
        for session in self.t.refresh_sessions.values():
            if session.user_id == user_id:
                session.revoked = True

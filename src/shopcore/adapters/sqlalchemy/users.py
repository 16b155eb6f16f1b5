"""Users and their refresh-token sessions on SQLAlchemy."""

from __future__ import annotations

from sqlalchemy import func, insert, select, update

from shopcore.adapters.sqlalchemy import mappers as m
from shopcore.adapters.sqlalchemy.base import AggregateRepository, Repository
from shopcore.adapters.sqlalchemy.tables import refresh_sessions, users
from shopcore.domain.user import RefreshSession, User
from shopcore.domain.usernames import username_key


class SqlUserRepository(AggregateRepository):
    def add(self, user: User) -> None:
        result = self._write(insert(users).values(m.user_to_row(user)),
                             "A user with that username or e-mail already exists.")
        user.id = result.inserted_primary_key[0]
        self.track(user, new=True)

    def get(self, user_id: int) -> User | None:
        row = self.c.execute(select(users).where(users.c.id == user_id)).first()
        return m.user_from_row(row) if row else None

    def by_username(self, username: str) -> User | None:
        row = self.c.execute(select(users).where(users.c.username == username)).first()
        return m.user_from_row(row) if row else None

    def by_similar_username(self, username: str) -> User | None:
        row = self.c.execute(select(users)
                             .where(users.c.username_key == username_key(username))).first()
        return m.user_from_row(row) if row else None

    def by_email(self, email: str) -> User | None:
        row = self.c.execute(select(users).where(users.c.email_key == email.casefold())).first()
        return m.user_from_row(row) if row else None

    def save(self, user: User) -> None:
        self.track(user)
        self._write(update(users).where(users.c.id == user.id).values(m.user_to_row(user)),
                    "A user with that username or e-mail already exists.")

    def count(self) -> int:
        return int(self.c.scalar(select(func.count()).select_from(users)) or 0)


class SqlRefreshSessionRepository(Repository):
    def add(self, session: RefreshSession) -> None:
        self.c.execute(insert(refresh_sessions).values(m.session_to_row(session)))

    def get(self, jti: str) -> RefreshSession | None:
        row = self.c.execute(select(refresh_sessions)
                             .where(refresh_sessions.c.jti == jti)).first()
        return m.session_from_row(row) if row else None

    def save(self, session: RefreshSession) -> None:
        self.c.execute(update(refresh_sessions).where(refresh_sessions.c.jti == session.jti)
                       .values(m.session_to_row(session)))

    def rotate(self, jti: str, successor: str) -> bool:
        result = self.c.execute(
            update(refresh_sessions)
            .where(refresh_sessions.c.jti == jti, refresh_sessions.c.replaced_by.is_(None),
                   ~refresh_sessions.c.revoked)
            .values(replaced_by=successor))
        return result.rowcount == 1

    def revoke_family(self, family_id: str) -> None:
        self.c.execute(update(refresh_sessions)
                       .where(refresh_sessions.c.family_id == family_id).values(revoked=True))

    def revoke_user(self, user_id: int) -> None:
        self.c.execute(update(refresh_sessions)
                       .where(refresh_sessions.c.user_id == user_id).values(revoked=True))

"""Who a token belongs to, and their roles in an app.

The engine's ``runtime.identity.authenticate`` calls :func:`authenticate_token` and answers 401
when it returns None; unknown, revoked and expired tokens and inactive users are not told apart,
so a caller learns nothing about which tokens exist. Tokens are never logged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa

from apiary.identity.tables import IdentityTables
from apiary.identity.tokens import hash_token, looks_like_token

LAST_USED_PRECISION: Final = dt.timedelta(minutes=5)
"""``last_used_at`` is refreshed at most this often, so reads do not become writes."""


@dataclass(frozen=True, slots=True)
class Identity:
    user_id: int
    email: str
    roles: frozenset[str]
    """The user's roles in the app asked about (empty when no app was named)."""


class TokenAuthenticator:
    """Looks tokens up for one database; holds the tables so each request only queries."""

    def __init__(self, db: sa.Engine) -> None:
        self._db = db
        self._tables = IdentityTables.build()
        tokens, users, memberships = (self._tables.tokens, self._tables.users,
                                      self._tables.memberships)
        # One statement, built once: the token, its user and their roles in the app (one row
        # per role; a single row with no role when they have none there).
        self._lookup = (
            sa.select(tokens.c.id, tokens.c.user_id, tokens.c.expires_at,
                      tokens.c.last_used_at, users.c.email, memberships.c.role)
            .join(users, users.c.id == tokens.c.user_id)
            .outerjoin(memberships, sa.and_(memberships.c.user_id == tokens.c.user_id,
                                            memberships.c.app == sa.bindparam("app")))
            .where(tokens.c.token_hash == sa.bindparam("token_hash"),
                   tokens.c.revoked_at.is_(None), users.c.is_active.is_(True)))

    def authenticate(self, token: str, app: str | None, now: dt.datetime) -> Identity | None:
        """The owner of a valid ``token`` with their roles in ``app``; None if not valid.

        ``now`` is naive UTC.
        """
        if not looks_like_token(token):
            return None
        with self._db.connect() as conn:
            rows = conn.execute(self._lookup, {"token_hash": hash_token(token),
                                               "app": app}).all()
            if not rows:
                return None
            row = rows[0]
            if row.expires_at is not None and row.expires_at <= now:
                return None
            if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
                self._touch(conn, row.id, now)
        roles = frozenset(r.role for r in rows if r.role is not None)
        return Identity(user_id=row.user_id, email=row.email, roles=roles)

    def _touch(self, conn: sa.Connection, token_id: int, now: dt.datetime) -> None:
        tokens = self._tables.tokens
        try:
            conn.execute(sa.update(tokens).where(tokens.c.id == token_id)
                         .values(last_used_at=now))
            conn.commit()
        except sa.exc.OperationalError:
            # A busy database must not turn a valid token into a failed request.
            conn.rollback()

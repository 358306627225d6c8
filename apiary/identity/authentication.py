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

    def authenticate(self, token: str, app: str | None, now: dt.datetime) -> Identity | None:
        """The owner of a valid ``token`` with their roles in ``app``; None if not valid.

        ``now`` is naive UTC.
        """
        if not looks_like_token(token):
            return None
        tokens, users, memberships = (self._tables.tokens, self._tables.users,
                                      self._tables.memberships)
        query = (sa.select(tokens.c.id, tokens.c.user_id, tokens.c.expires_at,
                           tokens.c.last_used_at, users.c.email)
                 .join(users, users.c.id == tokens.c.user_id)
                 .where(tokens.c.token_hash == hash_token(token), tokens.c.revoked_at.is_(None),
                        users.c.is_active.is_(True)))
        with self._db.connect() as conn:
            row = conn.execute(query).first()
            if row is None or (row.expires_at is not None and row.expires_at <= now):
                return None
            roles: frozenset[str] = frozenset()
            if app is not None:
                roles = frozenset(conn.execute(sa.select(memberships.c.role).where(
                    memberships.c.user_id == row.user_id, memberships.c.app == app)).scalars())
            if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
                self._touch(conn, row.id, now)
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

"""API tokens: created once and shown once, stored only as a hash.

A token is ``apy_`` followed by 43 random URL-safe characters (256 bits). Only its sha256 is
stored: a plain hash is enough for a random secret of that size (slow password hashes exist
for guessable secrets) and it lets a token be found by an indexed lookup. The first 12
characters are kept as ``prefix`` so people can tell their tokens apart and revoke one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa

from apiary.identity.emails import normalize_email
from apiary.identity.errors import IdentityError
from apiary.identity.tables import IdentityTables
from apiary.identity.users import find_user_id

TOKEN_PREFIX: Final = "apy_"
DISPLAY_PREFIX: Final = 12
TOKEN_LENGTH: Final = len(TOKEN_PREFIX) + 43


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    user_id: int
    email: str
    name: str | None
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: str) -> bool:
    return isinstance(token, str) and len(token) == TOKEN_LENGTH and \
        token.startswith(TOKEN_PREFIX)


def create_token(db: sa.Engine, email: str, name: str | None = None,
                 expires_at: dt.datetime | None = None) -> str:
    """A new token for the user ``email``; the only time the token itself is available."""
    tables = IdentityTables.build()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.begin() as conn:
        user_id = find_user_id(conn, tables, normalize_email(email))
        if user_id is None:
            raise IdentityError(f"There is no user `{email}`; add them first with "
                                "`apiary users add`.")
        conn.execute(sa.insert(tables.tokens).values(
            user_id=user_id, name=name, token_hash=hash_token(token),
            prefix=token[:DISPLAY_PREFIX], created_at=now_utc(),
            expires_at=_naive(expires_at) if expires_at is not None else None))
    return token


def revoke_token(db: sa.Engine, token_or_prefix_or_id: str | int) -> int:
    """Revoke a token given as itself, its displayed prefix or its id; returns how many.

    A prefix must name exactly one token that is not revoked yet.
    """
    tokens = IdentityTables.build().tokens
    value = token_or_prefix_or_id
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        match = tokens.c.id == int(value)
    elif looks_like_token(value):
        match = tokens.c.token_hash == hash_token(value)
    else:
        match = tokens.c.prefix == value
    with db.begin() as conn:
        ids = conn.execute(sa.select(tokens.c.id).where(match, tokens.c.revoked_at.is_(None))
                           ).scalars().all()
        if not ids:
            raise IdentityError("No active token matches; `apiary tokens list` shows them.")
        if len(ids) > 1:
            raise IdentityError(f"{len(ids)} tokens match; give the token's id instead.")
        conn.execute(sa.update(tokens).where(tokens.c.id == ids[0])
                     .values(revoked_at=now_utc()))
    return len(ids)


def list_tokens(db: sa.Engine, email: str | None = None) -> list[TokenInfo]:
    """Every token (or those of ``email``), newest first; never the tokens themselves."""
    tables = IdentityTables.build()
    tokens, users = tables.tokens, tables.users
    query = (sa.select(tokens, users.c.email).join(users, users.c.id == tokens.c.user_id)
             .order_by(tokens.c.id.desc()))
    if email is not None:
        query = query.where(users.c.email == normalize_email(email))
    with db.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [TokenInfo(id=r["id"], user_id=r["user_id"], email=r["email"], name=r["name"],
                      prefix=r["prefix"], created_at=r["created_at"],
                      expires_at=r["expires_at"], revoked_at=r["revoked_at"],
                      last_used_at=r["last_used_at"]) for r in rows]


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _naive(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)

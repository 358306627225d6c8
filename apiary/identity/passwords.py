"""Passwords for signing in to the web UI, and the user a web session stands for.

Only an argon2id hash is stored (``argon2-cffi``'s defaults). API tokens stay the way programs
authenticate; a password is for people at a browser. A user without a password cannot sign in
to the web UI, and an inactive user cannot sign in at all.

    set_password(db, email, password)
    verify_password(db, email, password) -> user id | None
    session_user(db, user_id) -> SessionUser | None
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from apiary.identity.emails import normalize_email
from apiary.identity.errors import IdentityError
from apiary.identity.tables import IdentityTables

MIN_PASSWORD_LENGTH: Final = 8
_HASHER: Final = PasswordHasher()
_DUMMY_HASH: Final = _HASHER.hash("not a password anyone has")
"""Verified against when the user is unknown, so a wrong e-mail costs as long as a wrong
password and response times do not reveal which addresses have accounts."""


@dataclass(frozen=True, slots=True)
class SessionUser:
    id: int
    email: str
    display_name: str | None
    roles: Mapping[str, frozenset[str]]
    """App name -> the user's roles in it."""


def set_password(db: sa.Engine, email: str, password: str) -> None:
    """Give the existing user ``email`` this password (replacing any previous one)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise IdentityError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    users = IdentityTables.build().users
    with db.begin() as conn:
        result = conn.execute(sa.update(users).where(users.c.email == normalize_email(email))
                              .values(password_hash=_HASHER.hash(password)))
    if result.rowcount == 0:
        raise IdentityError(f"There is no user `{email}`; add one with `apiary users add`.")


def verify_password(db: sa.Engine, email: str, password: str) -> int | None:
    """The id of the active user ``email`` when ``password`` is theirs, else None."""
    users = IdentityTables.build().users
    with db.connect() as conn:
        row = conn.execute(sa.select(users.c.id, users.c.password_hash).where(
            users.c.email == normalize_email(email), users.c.is_active.is_(True))).first()
    stored = _DUMMY_HASH if row is None or row.password_hash is None else row.password_hash
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.password_hash is None:
        return None
    if _HASHER.check_needs_rehash(stored):
        with db.begin() as conn:
            conn.execute(sa.update(users).where(users.c.id == row.id)
                         .values(password_hash=_HASHER.hash(password)))
    return int(row.id)


def session_user(db: sa.Engine, user_id: int) -> SessionUser | None:
    """The active user ``user_id`` with their roles in every app; None once deactivated."""
    tables = IdentityTables.build()
    users, memberships = tables.users, tables.memberships
    with db.connect() as conn:
        row = conn.execute(sa.select(users.c.email, users.c.display_name).where(
            users.c.id == user_id, users.c.is_active.is_(True))).first()
        if row is None:
            return None
        held: dict[str, set[str]] = {}
        for app, role in conn.execute(sa.select(memberships.c.app, memberships.c.role)
                                      .where(memberships.c.user_id == user_id)):
            held.setdefault(app, set()).add(role)
    return SessionUser(id=user_id, email=row.email, display_name=row.display_name,
                       roles={app: frozenset(roles) for app, roles in held.items()})

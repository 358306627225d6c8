"""Users and their roles in apps: what ``apiary users add``/``list`` call.

A user is identified by e-mail address (stored lower-cased). A membership gives a user one role
in one app; a user may hold several roles in an app and roles in several apps. ``admin`` is a
role every app has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa

from apiary.definition.compiled import ADMIN_ROLE, CompiledApp
from apiary.identity.emails import is_email, normalize_email
from apiary.identity.errors import IdentityError
from apiary.identity.tables import IdentityTables
from apiary.storage import BEGIN_IMMEDIATE


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    email: str
    display_name: str | None
    is_active: bool
    created_at: dt.datetime
    memberships: tuple[tuple[str, str], ...]
    """(app, role) pairs, sorted."""


def add_user(db: sa.Engine, email: str, app: CompiledApp | str, role: str,
             display_name: str | None = None, *,
             roles: Collection[str] | None = None) -> int:
    """Give ``email`` the role ``role`` in ``app``, creating the user if needed; returns its id.

    ``app`` is the compiled app (its declared roles are checked), or an app name together with
    ``roles``, the roles it declares. Adding a membership that exists already changes nothing.
    """
    app_name, declared = _app_roles(app, roles)
    if role != ADMIN_ROLE and role not in declared:
        known = ", ".join(sorted({*declared, ADMIN_ROLE}))
        raise IdentityError(f"App `{app_name}` has no role `{role}`. Its roles: {known}.")
    address = normalize_email(email)
    if not is_email(address):
        raise IdentityError(f"`{email}` is not an e-mail address; give one like "
                            "name@example.com.")
    tables = IdentityTables.build()
    users, memberships = tables.users, tables.memberships
    with db.connect() as conn:
        conn.execution_options(**BEGIN_IMMEDIATE)
        with conn.begin():
            user_id = find_user_id(conn, tables, address)
            if user_id is None:
                key = conn.execute(sa.insert(users).values(
                    email=address, display_name=display_name, is_active=True,
                    created_at=_now())).inserted_primary_key
                assert key is not None
                user_id = int(key[0])
            elif display_name is not None:
                conn.execute(sa.update(users).where(users.c.id == user_id)
                             .values(display_name=display_name))
            exists = conn.execute(sa.select(memberships.c.id).where(
                memberships.c.user_id == user_id, memberships.c.app == app_name,
                memberships.c.role == role)).first()
            if exists is None:
                conn.execute(sa.insert(memberships).values(user_id=user_id, app=app_name,
                                                           role=role))
    return user_id


def remove_membership(db: sa.Engine, email: str, app: str, role: str) -> bool:
    """Take ``role`` in ``app`` away from ``email``; False when they did not have it."""
    tables = IdentityTables.build()
    memberships = tables.memberships
    with db.begin() as conn:
        user_id = find_user_id(conn, tables, normalize_email(email))
        if user_id is None:
            return False
        result = conn.execute(sa.delete(memberships).where(
            memberships.c.user_id == user_id, memberships.c.app == app,
            memberships.c.role == role))
    return result.rowcount > 0


def list_users(db: sa.Engine) -> list[UserInfo]:
    """Every user with their memberships, by e-mail address."""
    tables = IdentityTables.build()
    users, memberships = tables.users, tables.memberships
    with db.connect() as conn:
        held: dict[int, list[tuple[str, str]]] = {}
        for row in conn.execute(sa.select(memberships.c.user_id, memberships.c.app,
                                          memberships.c.role)):
            held.setdefault(row.user_id, []).append((row.app, row.role))
        rows = conn.execute(sa.select(users).order_by(users.c.email)).mappings().all()
    return [UserInfo(id=row["id"], email=row["email"], display_name=row["display_name"],
                     is_active=bool(row["is_active"]), created_at=row["created_at"],
                     memberships=tuple(sorted(held.get(row["id"], ()))))
            for row in rows]


def find_user_id(conn: sa.Connection, tables: IdentityTables, email: str) -> int | None:
    users = tables.users
    found = conn.execute(sa.select(users.c.id).where(users.c.email == email)).scalar()
    return None if found is None else int(found)


def _app_roles(app: CompiledApp | str,
               roles: Collection[str] | None) -> tuple[str, frozenset[str]]:
    if isinstance(app, CompiledApp):
        return app.name, frozenset(app.roles)
    if roles is None:
        raise TypeError("pass the compiled app, or the app name with roles=<its roles>")
    return app, frozenset(roles)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)

"""Example apps migrated into a test database, with one user per role, for engine tests."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from apiary.definition import CompiledApp, compile_file, compile_text
from apiary.definition.compiled import ADMIN_ROLE
from apiary.engine import Principal, RecordService, Runtime
from apiary.identity import add_user
from apiary.storage import AppTables, apply, plan
from apiary.storage.system import AUDIT, AUDIT_HEAD

EXAMPLES = Path(__file__).parent.parent.parent / "examples"
NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.UTC)
TODAY = NOW.date()


@functools.cache
def example(name: str) -> CompiledApp:
    return compile_file(EXAMPLES / f"{name}.yaml")


@functools.cache
def app_from_text(text: str) -> CompiledApp:
    return compile_text(text)


@dataclass
class World:
    """A runtime serving one app, and a principal per role (plus ``admin`` and ``outsider``)."""

    db: sa.Engine
    app: CompiledApp
    runtime: Runtime
    people: dict[str, Principal] = field(default_factory=dict)
    tables: AppTables = field(init=False)

    def __post_init__(self) -> None:
        self.tables = AppTables(self.app)

    @property
    def svc(self) -> RecordService:
        return self.runtime.records(self.app.name)

    def reset(self) -> None:
        """Empty the app's tables and the audit trail (users and memberships stay)."""
        names = [t.name for t in reversed(self.tables.metadata.sorted_tables)
                 if t.name in {e.table for e in self.app.entities.values()}]
        names += [AUDIT, AUDIT_HEAD]
        with self.db.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text(f"TRUNCATE {', '.join(names)}"))
            else:
                for name in names:
                    conn.execute(sa.text(f"DELETE FROM {name}"))

    def __getitem__(self, name: str) -> Principal:
        return self.people[name]

    def person(self, name: str, *roles: str) -> Principal:
        """A user called ``name`` holding ``roles`` in the app (created if new)."""
        email = f"{name}@example.com"
        user_id = 0
        for role in roles:
            user_id = add_user(self.db, email, self.app, role, display_name=name.title())
        if not roles:
            user_id = add_user(self.db, email, "other-app", "member", roles=["member"])
        principal = Principal(user_id, email, frozenset(roles))
        self.people[name] = principal
        return principal


def build_world(db: sa.Engine, app: CompiledApp, clock: dt.datetime = NOW) -> World:
    apply(plan(app, db), db)
    world = World(db, app, Runtime(db, [app], clock=lambda: clock))
    for role in (*app.roles, ADMIN_ROLE):
        world.person(role, role)
    world.person("outsider")
    return world

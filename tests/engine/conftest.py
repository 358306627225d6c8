"""Fixtures for engine tests.

Most engine tests need an example app migrated and a user per role. Migrating and building the
app's tables for every test would dominate the suite's run time, so one database per backend
(SQLite, and PostgreSQL when configured, as with ``db_url``) is shared by the session, each
example app is set up in it once, and each test starts from empty app tables and an empty audit
trail. Tests that need a database of their own use ``db`` (on ``db_url``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from apiary.storage import connect
from tests.conftest import fresh_postgres_schema
from tests.engine.worlds import World, build_world, example


@pytest.fixture(scope="session",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_db(request: pytest.FixtureRequest,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("engine") / "shared.db"
        engine = connect(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    with fresh_postgres_schema() as url:
        engine = connect(url)
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def shared_worlds(shared_db: sa.Engine) -> dict[str, World]:
    return {}


def _world(worlds: dict[str, World], db: sa.Engine, name: str) -> World:
    if name not in worlds:
        worlds[name] = build_world(db, example(name))
    world = worlds[name]
    world.reset()
    return world


@pytest.fixture
def helpdesk(shared_worlds: dict[str, World], shared_db: sa.Engine) -> World:
    return _world(shared_worlds, shared_db, "helpdesk")


@pytest.fixture
def expenses(shared_worlds: dict[str, World], shared_db: sa.Engine) -> World:
    return _world(shared_worlds, shared_db, "expenses")


@pytest.fixture
def leave(shared_worlds: dict[str, World], shared_db: sa.Engine) -> World:
    return _world(shared_worlds, shared_db, "leave")

"""Shared fixtures: database URLs for SQLite and a real PostgreSQL server.

PostgreSQL tests use the server named by ``APIARY_TEST_POSTGRES_URL`` (``.ci/run`` starts one with
``scripts/test-postgres``). Without it they are skipped, unless ``APIARY_REQUIRE_POSTGRES=1``
(set in CI) turns the skip into a failure so that CI can never pass without PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from apiary.definition import CompiledApp

POSTGRES_ENV = "APIARY_TEST_POSTGRES_URL"
EXAMPLES = Path(__file__).parent.parent / "examples"


def _postgres_base_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("APIARY_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{POSTGRES_ENV} is not set but APIARY_REQUIRE_POSTGRES=1")
        pytest.skip(f"set {POSTGRES_ENV} to run PostgreSQL tests (see scripts/test-postgres)")
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'app.db'}"


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """A URL whose connections see a new, empty schema, dropped afterwards."""
    base = _postgres_base_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema for one test."""
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Runs a test once on SQLite and once on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def db(db_url: str) -> Iterator[sa.Engine]:
    """An engine from ``apiary.storage.connect`` on an empty database, SQLite and PostgreSQL."""
    from apiary.storage import connect

    engine = connect(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def helpdesk_app() -> CompiledApp:
    """The helpdesk example, compiled once per test session."""
    from apiary.definition import compile_file

    return compile_file(EXAMPLES / "helpdesk.yaml")

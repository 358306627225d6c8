"""Fixtures for storage tests: an engine on each database (see ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from apiary.storage import connect


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """An engine from ``connect`` on an empty database, SQLite and PostgreSQL in turn."""
    engine = connect(db_url)
    try:
        yield engine
    finally:
        engine.dispose()

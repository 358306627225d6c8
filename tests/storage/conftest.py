"""Fixtures for storage tests: an engine on each database (see ``tests/conftest.py``)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.fixture
def engine(db: sa.Engine) -> sa.Engine:
    """An engine from ``connect`` on an empty database, SQLite and PostgreSQL in turn."""
    return db

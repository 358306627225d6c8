"""Fixtures for identity tests: a migrated database (system tables) and a small app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from apiary.definition import CompiledApp, compile_text
from apiary.storage import apply, connect, plan

APP = """\
apiary: 1
app: {name: crm, title: CRM}
roles: {sales: Sells., support: Helps.}
entities:
  Lead:
    fields:
      name: string
    permissions:
      sales: true
"""


@pytest.fixture(scope="session")
def crm() -> CompiledApp:
    return compile_text(APP)


@pytest.fixture
def db(db_url: str, crm: CompiledApp) -> Iterator[sa.Engine]:
    engine = connect(db_url)
    apply(plan(crm, engine), engine)
    try:
        yield engine
    finally:
        engine.dispose()

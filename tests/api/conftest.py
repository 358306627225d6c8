"""Fixtures for API tests: a migrated helpdesk on each database, users with tokens, a client.

``client`` talks to the ASGI app in-process without a token; ``as_role(role)`` is the same
client sending the token of ``<role>@example.com``, who holds that one role in the helpdesk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from apiary.api import create_app
from apiary.definition import CompiledApp
from apiary.engine import Runtime
from apiary.identity import add_user, create_token
from apiary.storage import apply, plan
from tests.api.client import Client, client_for

EXAMPLES = Path(__file__).parent.parent.parent / "examples"
ROLES = ("admin", "customer", "agent", "supervisor")
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Account:
    user_id: int
    email: str
    token: str


@pytest.fixture
def runtime(db: sa.Engine, helpdesk_app: CompiledApp) -> Runtime:
    apply(plan(helpdesk_app, db), db)
    return Runtime(db, [helpdesk_app])


@pytest.fixture
def accounts(db: sa.Engine, runtime: Runtime, helpdesk_app: CompiledApp) -> dict[str, Account]:
    out = {}
    for role in ROLES:
        email = f"{role}@example.com"
        user_id = add_user(db, email, helpdesk_app, role)
        out[role] = Account(user_id, email, create_token(db, email))
    return out


@pytest.fixture
def client(runtime: Runtime) -> Iterator[Client]:
    with client_for(create_app(runtime, max_body_bytes=MAX_BODY)) as client:
        yield client


@pytest.fixture
def as_role(client: Client, accounts: dict[str, Account]) -> Callable[[str], Client]:
    return lambda role: client.with_token(accounts[role].token)

"""Authentication: a bearer token on every /api request, 401 with a challenge otherwise."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from apiary.identity import add_user, create_token, revoke_token
from tests.api.client import Client
from tests.api.conftest import Account

TICKETS = "/api/helpdesk/Ticket"


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """Authentication does not depend on the database: SQLite only."""
    return sqlite_url


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz",
                                    "Token abc", "bearer"])
def test_missing_or_malformed_authorization(client: Client, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    for path in (TICKETS, f"{TICKETS}/1", "/api/helpdesk/openapi.json", "/api/nope/Ticket"):
        response = client.get(path, headers=headers)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_unknown_token(client: Client, accounts: dict[str, Account]) -> None:
    for token in ("apy_" + "x" * 43, "nonsense", accounts["agent"].token + "x",
                  "' OR 1=1 --"):
        response = client.with_token(token).get(TICKETS)
        assert response.status_code == 401
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_revoked_token(client: Client, db: sa.Engine, accounts: dict[str, Account]) -> None:
    agent = client.with_token(accounts["agent"].token)
    assert agent.get(TICKETS).status_code == 200
    revoke_token(db, accounts["agent"].token)
    response = agent.get(TICKETS)
    assert response.status_code == 401
    assert response.json()["detail"] == client.with_token("apy_unknown").get(
        TICKETS).json()["detail"]


def test_scheme_is_case_insensitive(client: Client, accounts: dict[str, Account]) -> None:
    response = client.get(TICKETS, headers={"Authorization": f"bearer {accounts['agent'].token}"})
    assert response.status_code == 200


def test_a_member_of_another_app_only_is_forbidden(client: Client, db: sa.Engine) -> None:
    add_user(db, "outsider@example.com", "other-app", "member", roles=["member"])
    outsider = client.with_token(create_token(db, "outsider@example.com"))
    assert outsider.get(TICKETS).status_code == 403
    assert outsider.post(TICKETS, json={"subject": "Let me in please"}).status_code == 403


def test_health_checks_need_no_token(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_token_is_not_echoed(as_role: Callable[[str], Client],
                             accounts: dict[str, Account]) -> None:
    response = as_role("customer").get("/api/helpdesk/Account")
    assert response.status_code == 403
    assert accounts["customer"].token not in response.text

"""One error shape: every kind of error the API can give is an RFC 9457 problem.

Besides these tests, the test client checks the shape of every error response of the whole
suite (``tests/api/client.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from apiary.api import create_app
from apiary.engine import RecordService, Runtime
from tests.api.client import Client, check_problem, client_for
from tests.api.conftest import Account

TICKETS = "/api/helpdesk/Ticket"


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """Error shapes do not depend on the database: SQLite only."""
    return sqlite_url


@pytest.fixture
def agent(client: Client, accounts: dict[str, Account]) -> Client:
    return client.with_token(accounts["agent"].token)


@pytest.mark.parametrize(("method", "path", "status", "slug"), [
    ("GET", "/", 404, "not-found"),
    ("GET", "/api", 404, "not-found"),
    ("GET", "/api/helpdesk", 404, "not-found"),
    ("GET", "/api/helpdesk/Ticket/1/comments", 404, "not-found"),
    ("GET", "/api/helpdesk/Ticket/", 404, "not-found"),
    ("GET", "/api/nope/Ticket", 404, "not-found"),
    ("GET", "/api/helpdesk/ticket", 404, "not-found"),
    ("GET", "/api/helpdesk/Ticket/abc", 404, "not-found"),
    ("GET", "/api/helpdesk/Ticket/0", 404, "not-found"),
    ("GET", "/api/helpdesk/Ticket/99999999999999999999", 404, "not-found"),
    ("GET", "/api/helpdesk/Ticket/1", 404, "not-found"),
    ("POST", "/api/helpdesk/Account/1/transitions/start", 404, "not-found"),
    ("POST", "/api/helpdesk/Ticket/1/transitions/fly", 404, "not-found"),
    ("PUT", "/api/helpdesk/Ticket", 405, "method-not-allowed"),
    ("DELETE", "/api/helpdesk/Ticket", 405, "method-not-allowed"),
    ("POST", "/api/helpdesk/Ticket/1", 405, "method-not-allowed"),
    ("GET", "/api/helpdesk/Ticket/1/transitions/start", 405, "method-not-allowed"),
    ("POST", "/api/helpdesk/openapi.json", 405, "method-not-allowed"),
    ("POST", "/healthz", 405, "method-not-allowed"),
])
def test_routing_errors(agent: Client, method: str, path: str, status: int, slug: str) -> None:
    response = agent.request(method, path)
    assert response.status_code == status
    assert response.json()["type"] == f"https://apiary.dev/problems/{slug}"


def test_405_lists_the_allowed_methods(agent: Client) -> None:
    assert agent.request("PUT", TICKETS).headers["allow"] == "GET, POST"
    assert agent.request("PUT", f"{TICKETS}/1").headers["allow"] == "GET, PATCH, DELETE"
    assert agent.request("PATCH", f"{TICKETS}/1/transitions/start").headers["allow"] == "POST"


def test_engine_errors_keep_their_field_problems(agent: Client) -> None:
    response = agent.post(TICKETS, json={"subject": "Hi", "category": "incident"})
    body = check_problem(response)
    assert body["status"] == 422
    assert body["type"] == "https://apiary.dev/problems/validation-failed"
    assert {e["field"] for e in body["errors"]} == {"subject", "description"}
    assert all(e["code"] and e["message"] for e in body["errors"])


def test_unexpected_errors_are_500_with_only_the_request_id(
        runtime: Runtime, accounts: dict[str, Account], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(RecordService, "list", explode)
    with client_for(create_app(runtime)) as client, caplog.at_level(logging.INFO, "apiary"):
        response = client.with_token(accounts["agent"].token).get(
            TICKETS, headers={"X-Request-ID": "boom-1"})
    body = check_problem(response)
    assert body["status"] == 500 and body["request_id"] == "boom-1"
    assert "hunter2" not in response.text and "RuntimeError" not in response.text
    crash = next(r for r in caplog.records if r.exc_info)
    assert "hunter2" in str(crash.exc_info[1]) and crash.apiary["request_id"] == "boom-1"
    request_log = next(r for r in caplog.records if r.getMessage() == "request")
    assert request_log.apiary["status"] == 500


def test_readyz_is_503_when_the_database_is_gone(runtime: Runtime, tmp_path: object) -> None:
    broken = Runtime(sa.create_engine("sqlite:////nonexistent/folder/apiary.db"), [])
    with client_for(create_app(broken)) as client:
        response = client.get("/readyz")
        body = check_problem(response)
        assert body["status"] == 503
        assert client.get("/healthz").status_code == 200


@pytest.fixture
def tiny(runtime: Runtime) -> Iterator[Client]:
    with client_for(create_app(runtime, max_body_bytes=100)) as client:
        yield client


def test_body_limit_is_configurable(tiny: Client, accounts: dict[str, Account]) -> None:
    agent = tiny.with_token(accounts["agent"].token)
    body = check_problem(agent.post(TICKETS, json={"subject": "x" * 200}))
    assert body["status"] == 413 and "100 bytes" in body["detail"]

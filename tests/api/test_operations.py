"""Running the API: request ids, request logs and the OpenAPI route."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from apiary.api.logs import JsonFormatter
from tests.api.client import Client
from tests.api.conftest import Account

TICKETS = "/api/helpdesk/Ticket"
GOOD = {"subject": "Printer on fire", "description": "Smoke.", "category": "incident"}


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """Request ids and logs do not depend on the database: SQLite only."""
    return sqlite_url


def test_request_id_is_echoed_or_made(client: Client) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers[
        "x-request-id"] == "abc-123"
    made = {client.get("/healthz").headers["x-request-id"] for _ in range(3)}
    assert len(made) == 3
    for insane in ("", "a b", "x" * 129, "<script>", "-leading-dash", "ü"):
        echoed = client.get("/healthz", headers={"X-Request-ID": insane.encode()}).headers[
            "x-request-id"]
        assert echoed != insane and len(echoed) == 32


def test_request_id_reaches_the_audit_trail(client: Client,
                                            accounts: dict[str, Account]) -> None:
    agent = client.with_token(accounts["agent"].token)
    created = agent.post(TICKETS, json=GOOD, headers={"X-Request-ID": "create-7"}).json()
    history = agent.get(f"{TICKETS}/{created['id']}/history").json()["items"]
    assert history[0]["request_id"] == "create-7"


def test_one_structured_log_line_per_request(client: Client, accounts: dict[str, Account],
                                             caplog: pytest.LogCaptureFixture) -> None:
    token = accounts["agent"].token
    with caplog.at_level(logging.INFO, logger="apiary.api"):
        client.with_token(token).get(TICKETS, params={"filter": "subject == 'secret@x.org'"},
                                     headers={"X-Request-ID": "log-1"})
        client.with_token(token).post(TICKETS, json={**GOOD, "description": "pii-in-body"})
    records = [r for r in caplog.records if r.getMessage() == "request"]
    assert len(records) == 2
    assert records[0].apiary == {
        "method": "GET", "path": TICKETS, "status": 200,
        "duration_ms": records[0].apiary["duration_ms"], "request_id": "log-1",
        "app": "helpdesk", "user_id": accounts["agent"].user_id}
    assert records[0].apiary["duration_ms"] >= 0
    lines = [JsonFormatter().format(r) for r in caplog.records]
    for line in lines:
        assert json.loads(line)["logger"].startswith("apiary")
        for secret in (token, "secret@x.org", "pii-in-body", "filter"):
            assert secret not in line


def test_json_formatter_includes_tracebacks() -> None:
    try:
        raise ValueError("bad")
    except ValueError:
        record = logging.LogRecord("apiary.api", logging.ERROR, __file__, 1, "unexpected error",
                                   None, sys.exc_info())
    record.apiary = {"request_id": "r1"}
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "r1" and line["level"] == "error"
    assert "ValueError: bad" in line["traceback"]


def test_openapi_document_is_served_per_app(client: Client,
                                            accounts: dict[str, Account]) -> None:
    response = client.with_token(accounts["customer"].token).get("/api/helpdesk/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["servers"] == [{"url": "/api/helpdesk"}]
    assert "/Ticket/{id}/transitions/start" in document["paths"]


def test_api_answers_are_not_cached_or_sniffed(client: Client,
                                               accounts: dict[str, Account]) -> None:
    response = client.with_token(accounts["agent"].token).get(TICKETS)
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in client.get("/healthz").headers

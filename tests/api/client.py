"""A synchronous in-process HTTP client for the ASGI app, for tests.

httpx's ``ASGITransport`` calls the app directly (no sockets); a blocking portal keeps one event
loop alive across the requests of a test, so the app's worker threads and the test share it the
way a server would. (Starlette's ``TestClient`` does the same but warns when used with ``httpx``.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.types import ASGIApp

from apiary.api.problems import PATH_SAFE

BASE_URL = "http://testserver"


class Client:
    def __init__(self, portal: BlockingPortal, client: httpx.AsyncClient,
                 headers: dict[str, str] | None = None) -> None:
        self.portal = portal
        self.client = client
        self.headers = headers or {}

    def with_token(self, token: str | None) -> Client:
        """The same client sending ``Authorization: Bearer <token>`` (or nothing, for None)."""
        headers = {k: v for k, v in self.headers.items() if k != "Authorization"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return Client(self.portal, self.client, headers)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send a request; every error response is checked against the one problem shape."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = self.portal.call(lambda: self.client.request(method, url, headers=headers,
                                                                **kwargs))
        if response.status_code >= 400:
            check_problem(response)
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)


@contextmanager
def client_for(app: ASGIApp) -> Iterator[Client]:
    with start_blocking_portal() as portal:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)
        try:
            yield Client(portal, client)
        finally:
            portal.call(client.aclose)


PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "request_id", "errors"}


def check_problem(response: httpx.Response) -> dict[str, Any]:
    """Assert that an error response is exactly Apiary's problem+json shape; return its body."""
    assert response.headers["content-type"] == "application/problem+json", response.text
    body = response.json()
    assert isinstance(body, dict) and set(body) == PROBLEM_KEYS, body
    assert body["status"] == response.status_code
    assert body["type"].startswith("https://apiary.dev/problems/") and body["type"][28:], body
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert unquote(body["instance"]) == unquote(urlsplit(str(response.request.url)).path)
    assert quote(body["instance"], safe=PATH_SAFE + "%") == body["instance"]  # a URI reference
    assert body["request_id"] == response.headers["x-request-id"]
    assert isinstance(body["errors"], list)
    for error in body["errors"]:
        assert set(error) == {"field", "code", "message"}, error
        assert all(isinstance(value, str) for value in error.values()), error
    assert "Traceback" not in response.text
    return body

"""Fixtures for web UI tests: the helpdesk with a password per role, and a browser-like client.

``browser()`` is an in-process client that keeps cookies, as a browser would; ``signed_in(role)``
is one that has signed in as ``<role>@example.com``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.applications import Starlette

from apiary.api import create_app
from apiary.definition import CompiledApp
from apiary.engine import Runtime
from apiary.identity import add_user, set_password
from apiary.storage import apply, plan
from apiary.storage.files import FileStore
from apiary.web import create_site

EXAMPLES = Path(__file__).parent.parent.parent / "examples"
ROLES = ("admin", "customer", "agent", "supervisor")
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Browser:
    """Sends requests with the cookies the site set, like a browser tab."""

    def __init__(self, portal: BlockingPortal, client: httpx.AsyncClient) -> None:
        self.portal = portal
        self.client = client

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(lambda: self.client.get(url, **kwargs))

    def post(self, url: str, data: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self.portal.call(lambda: self.client.post(url, data=data, **kwargs))

    def submit(self, page_url: str, data: dict[str, str], action: str | None = None
               ) -> httpx.Response:
        """Open ``page_url``, take the form's CSRF token, and post ``data`` with it."""
        page = self.get(page_url)
        assert page.status_code == 200, page.text
        return self.post(action or page_url, {"csrf": csrf_of(page.text), **data})

    def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return self.submit("/login", {"email": email, "password": password})


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, html
    return found.group(1)


@pytest.fixture
def runtime(db: sa.Engine, helpdesk_app: CompiledApp) -> Runtime:
    apply(plan(helpdesk_app, db), db)
    for role in ROLES:
        email = f"{role}@example.com"
        add_user(db, email, helpdesk_app, role)
        set_password(db, email, PASSWORD)
    return Runtime(db, [helpdesk_app])


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    """Where this test's uploads go (never the working directory's `.apiary/files`)."""
    return FileStore(tmp_path / "files")


@pytest.fixture
def site(runtime: Runtime, store: FileStore) -> Starlette:
    return create_site(runtime, "test-signing-key-" + "x" * 32, create_app(runtime),
                       files=store)


def kept(store: FileStore) -> list[Path]:
    """The files the store holds now."""
    return [p for p in store.directory.rglob("*") if p.is_file()] \
        if store.directory.exists() else []


@pytest.fixture
def browser(site: Starlette) -> Iterator[Callable[[], Browser]]:
    with start_blocking_portal() as portal:
        clients: list[httpx.AsyncClient] = []

        def new() -> Browser:
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=site),
                                       base_url="http://testserver")
            clients.append(client)
            return Browser(portal, client)

        try:
            yield new
        finally:
            for client in clients:
                portal.call(client.aclose)


@pytest.fixture
def signed_in(browser: Callable[[], Browser]) -> Callable[[str], Browser]:
    def sign_in(role: str) -> Browser:
        tab = browser()
        response = tab.login(f"{role}@example.com")
        assert response.status_code == 303, response.text
        return tab
    return sign_in

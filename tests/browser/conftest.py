"""Fixtures for tests in a real Chromium: a served helpdesk and signed-in pages.

The server is uvicorn on a free local port with one user per helpdesk role
(``<role>@example.com``). Without ``/usr/bin/chromium`` the tests are skipped, unless
``APIARY_REQUIRE_BROWSER=1`` (set in CI) makes that a failure. Playwright drives Debian's
Chromium; its own browser download is never used.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn

from apiary.api import create_app
from apiary.definition import compile_file
from apiary.engine import Runtime
from apiary.identity import add_user, set_password
from apiary.storage import apply, connect, plan
from apiary.web import create_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).parent.parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "correct horse battery"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
ROLES = ("admin", "customer", "agent", "supervisor")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _require_browser() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("APIARY_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing but APIARY_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is not installed")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Runtime]]:
    """The helpdesk served on a free port (listening before the test starts), and its runtime."""
    _require_browser()
    app = compile_file(ROOT / "examples" / "helpdesk.yaml")
    db = connect(f"sqlite:///{tmp_path / 'web.db'}")
    apply(plan(app, db), db)
    for role in ROLES:
        add_user(db, f"{role}@example.com", app, role)
        set_password(db, f"{role}@example.com", PASSWORD)
    runtime = Runtime(db, [app])
    site = create_site(runtime, "browser-test-key-" + "x" * 32, create_app(runtime))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # connections queue from here on, so the browser never races the server
    server = uvicorn.Server(uvicorn.Config(site, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", runtime
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        db.dispose()


@pytest.fixture
def base_url(served: tuple[str, Runtime]) -> str:
    return served[0]


@pytest.fixture
def chromium() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    _require_browser()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Page, base_url: str, role: str, path: str = "/") -> None:
    """Open ``path`` and sign in as ``<role>@example.com`` on the login page it leads to."""
    page.goto(f"{base_url}{path}")
    page.get_by_label("E-mail address").fill(f"{role}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def open_page(chromium: Browser, base_url: str) -> Callable[..., Page]:
    """``open_page(role, path="/", size="desktop")``: a new tab, signed in, at ``path``."""

    def open_(role: str, path: str = "/", size: str = "desktop", **context: Any) -> Page:
        page = chromium.new_page(viewport=SIZES[size], **context)  # type: ignore[arg-type]
        sign_in(page, base_url, role, path)
        return page

    return open_


def screenshot(page: Page, name: str) -> None:
    """Save a full-page screenshot as ``docs/screenshots/<name>.png`` (shown in the docs)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page: Page, size: str) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"])

"""The web UI in a real Chromium: sign in, create a ticket, find it in the list.

Runs against a uvicorn server on a free local port, at desktop size and at phone size, and
saves screenshots of the list page to ``docs/screenshots/``. Without ``/usr/bin/chromium`` the
test is skipped, unless ``APIARY_REQUIRE_BROWSER=1`` (set in CI) makes that a failure.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from apiary.api import create_app
from apiary.definition import compile_file
from apiary.engine import Runtime
from apiary.identity import add_user, set_password
from apiary.storage import apply, connect, plan
from apiary.web import create_site

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).parent.parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "correct horse battery"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _require_browser() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("APIARY_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing but APIARY_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is not installed")


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    """A server for the helpdesk with one customer, listening before the test starts."""
    _require_browser()
    app = compile_file(ROOT / "examples" / "helpdesk.yaml")
    db = connect(f"sqlite:///{tmp_path / 'web.db'}")
    apply(plan(app, db), db)
    add_user(db, "customer@example.com", app, "customer")
    set_password(db, "customer@example.com", PASSWORD)
    runtime = Runtime(db, [app])
    site = create_site(runtime, "browser-test-key-" + "x" * 32, create_app(runtime))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # connections queue from here on, so the browser never races the server
    server = uvicorn.Server(uvicorn.Config(site, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        db.dispose()


@pytest.mark.parametrize("size", sorted(SIZES))
def test_sign_in_create_a_ticket_and_find_it_in_the_list(base_url: str, size: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=SIZES[size])  # type: ignore[arg-type]
            page.goto(f"{base_url}/helpdesk/Ticket")
            page.get_by_label("E-mail address").fill("customer@example.com")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
            page.get_by_role("link", name="New Ticket").click()
            page.get_by_label("Subject").fill(f"Printer on fire ({size})")
            page.get_by_label("Category").select_option("incident")
            page.get_by_label("Description").fill("Smoke everywhere")
            page.get_by_role("button", name="Create").click()
            expect(page.get_by_role("heading", name=f"Printer on fire ({size})")).to_be_visible()
            page.get_by_role("link", name="Tickets").click()
            expect(page.get_by_role("link", name=f"Printer on fire ({size})")).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= SIZES[size]["width"], "the page scrolls sideways"
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"list-{size}.png"), full_page=True)
        finally:
            browser.close()

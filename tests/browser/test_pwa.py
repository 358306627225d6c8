"""The installable app in a real Chromium: the service worker, the offline page and notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_service_worker_serves_the_offline_page_and_never_a_stored_page(
        open_page: Callable[..., Page], base_url: str) -> None:
    from playwright.sync_api import expect

    page = open_page("agent", "/helpdesk/Ticket")
    expect(page.get_by_role("heading", name="Support queue")).to_be_visible()
    assert page.locator('link[rel="manifest"]').get_attribute("href") == "/manifest.webmanifest"
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{base_url}/"
    cached = page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) {
                urls.push(new URL(request.url).pathname);
            }
        }
        return urls;
    }""")
    assert "/offline" in cached and "/static/apiary.css" in cached
    assert not [url for url in cached if url.startswith("/helpdesk") or url.startswith("/api")]

    notice = page.locator("[data-offline-notice]")
    expect(notice).to_be_hidden()
    page.context.set_offline(True)
    expect(notice).to_be_visible()
    page.goto(f"{base_url}/helpdesk/Ticket")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    expect(page.get_by_text("reconnect and reload")).to_be_visible()
    assert "agent@example.com" not in page.content()  # not the page seen a moment ago

    page.context.set_offline(False)
    page.reload()
    expect(page.get_by_role("heading", name="Support queue")).to_be_visible()
    expect(notice).to_be_hidden()

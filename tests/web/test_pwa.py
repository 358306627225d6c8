"""The installable app: manifest, service worker and offline page, and what they never hold."""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Callable

from tests.web.conftest import Browser


def test_manifest_describes_an_installable_app(browser: Callable[[], Browser]) -> None:
    response = browser().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = json.loads(response.text)
    assert manifest["name"] == "Apiary" and manifest["start_url"] == "/"
    assert manifest["display"] == "standalone" and manifest["theme_color"].startswith("#")
    sizes = {icon["sizes"]: icon["src"] for icon in manifest["icons"]}
    assert set(sizes) == {"192x192", "512x512"}
    for size, src in sizes.items():
        icon = browser().get(src)
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/png"
        width, height = struct.unpack(">II", icon.content[16:24])
        assert f"{width}x{height}" == size


def test_every_page_links_the_manifest_script_and_offline_notice(
        signed_in: Callable[[str], Browser]) -> None:
    for page in (signed_in("agent").get("/helpdesk/Ticket").text,
                 signed_in("agent").get("/login").text):
        assert '<link rel="manifest" href="/manifest.webmanifest">' in page
        assert '<meta name="theme-color"' in page
        assert '<script src="/static/apiary.js" defer></script>' in page
        assert re.search(r'<p class="offline-notice" role="status" data-offline-notice hidden>',
                         page)


def test_service_worker_is_served_from_the_root_with_a_versioned_cache(
        browser: Callable[[], Browser]) -> None:
    response = browser().get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["service-worker-allowed"] == "/"
    source = response.text
    version = re.search(r'const VERSION = "([0-9a-f]{16})";', source)
    assert version is not None, "the cache name carries the shell's version"
    shell = re.search(r"const SHELL = (\[.*?\]);", source)
    assert shell is not None
    urls = json.loads(shell.group(1))
    assert {"/static/apiary.css", "/static/apiary.js", "/offline"} <= set(urls)
    assert not [u for u in urls if u.startswith("/api/") or u.startswith("/helpdesk")]
    for url in urls:
        assert browser().get(url).status_code == 200, url
    assert "caches.delete" in source and 'request.mode === "navigate"' in source


def test_offline_page_holds_nothing_about_the_user(signed_in: Callable[[str], Browser]) -> None:
    tab = signed_in("agent")
    response = tab.get("/offline")
    assert response.status_code == 200
    assert "You are offline" in response.text and "reconnect and reload" in response.text
    assert "agent@example.com" not in response.text
    assert 'name="csrf"' not in response.text and "set-cookie" not in response.headers


def test_pages_with_user_data_are_not_stored(signed_in: Callable[[str], Browser]) -> None:
    response = signed_in("agent").get("/helpdesk/Ticket")
    assert response.headers["cache-control"] == "no-store"

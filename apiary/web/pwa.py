"""The installable app: a web app manifest, the service worker and the offline page.

The service worker keeps only the shell (stylesheet, script, icons, manifest and the offline
page) and never a page or an API answer: on a shared device, what one person saw must not be
there for the next one, signed in or not. Pages are always fetched from the network; when the
network is gone the worker answers a navigation with the offline page instead.

The cache name carries a hash of the shell's files, so changing any of them makes browsers
install the new worker, which fetches the new shell and deletes the old cache.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from apiary.engine import Runtime
from apiary.web.rendering import HERE, Pages

THEME_COLOUR: Final = "#1d232b"
BACKGROUND_COLOUR: Final = "#f6f7f9"
ICONS: Final = (("/static/icon-192.png", "192x192"), ("/static/icon-512.png", "512x512"))
SHELL: Final = ("/static/apiary.css", "/static/apiary.js", *(path for path, _ in ICONS),
                "/manifest.webmanifest", "/offline")
"""What the service worker keeps: files every visitor gets alike, nothing about anyone."""
MANIFEST: Final[dict[str, Any]] = {
    "name": "Apiary", "short_name": "Apiary", "id": "/", "start_url": "/", "scope": "/",
    "display": "standalone", "theme_color": THEME_COLOUR, "background_color": BACKGROUND_COLOUR,
    "description": "Business applications from their definitions.",
    "icons": [{"src": src, "sizes": sizes, "type": "image/png", "purpose": "any"}
              for src, sizes in ICONS],
}


class AppShell(Pages):
    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.worker = _worker_source()

    async def manifest(self, request: Request) -> Response:
        return Response(json.dumps(MANIFEST, indent=1), media_type="application/manifest+json",
                        headers={"Cache-Control": "no-cache"})

    async def service_worker(self, request: Request) -> Response:
        # Served from the root so that its scope is the whole site; ``no-cache`` makes the
        # browser check for a new version on every visit instead of waiting up to a day.
        return Response(self.worker, media_type="text/javascript",
                        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})

    async def offline(self, request: Request) -> Response:
        """The page shown for any navigation while offline; the same for everyone.

        Rendered without the session (no user, no CSRF token), so the copy the service worker
        keeps holds nothing about whoever happened to be signed in when it was fetched.
        """
        response = self.templates.TemplateResponse(request, "offline.html",
                                                   {"user": None, "csrf": ""})
        response.headers["Cache-Control"] = "no-cache"
        return response


def _worker_source() -> str:
    source = (HERE / "static" / "sw.js").read_text(encoding="utf-8")
    digest = hashlib.sha256(source.encode())
    for name in ("apiary.css", "apiary.js", "icon-192.png", "icon-512.png"):
        digest.update((HERE / "static" / name).read_bytes())
    for name in ("offline.html", "base.html"):
        digest.update((HERE / "templates" / name).read_bytes())
    digest.update(json.dumps(MANIFEST, sort_keys=True).encode())
    return (source.replace("__SHELL_VERSION__", digest.hexdigest()[:16])
            .replace('"__SHELL_URLS__"', json.dumps(list(SHELL))))

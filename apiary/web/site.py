"""The whole site: the web UI beside the REST API, in one ASGI app.

    create_site(runtime, secret_key, api) -> Starlette

The API app (given by the caller, so that the two surfaces do not import each other) is mounted
unchanged for ``/api/...``, ``/healthz`` and ``/readyz``, so it keeps its own middleware and
problem+json errors; every other path is the web UI's. Sessions are signed
cookies (``HttpOnly``, ``SameSite=Lax``, ``Secure`` when ``https_only``).
"""

from __future__ import annotations

import logging
from typing import Final

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from apiary.engine import EngineError, Runtime
from apiary.settings import Settings
from apiary.storage.files import FileStore
from apiary.web.auth import Auth
from apiary.web.boards import BoardPages
from apiary.web.dashboards import DashboardPages
from apiary.web.files import BodyLimit, BodyTooLarge, FilePages
from apiary.web.lists import ListPages
from apiary.web.lookup import LookupPages
from apiary.web.pwa import AppShell
from apiary.web.records import RecordPages
from apiary.web.rendering import HERE, LoginRequired, Pages, login_redirect
from apiary.web.security import CsrfError, LoginThrottle

SESSION_COOKIE: Final = "apiary_session"
SESSION_MAX_AGE: Final = 14 * 24 * 3600
logger = logging.getLogger("apiary.web")


def create_site(runtime: Runtime, secret_key: str, api: ASGIApp, *, https_only: bool = False,
                throttle: LoginThrottle | None = None, files: FileStore | None = None
                ) -> Starlette:
    """The ASGI app serving ``api`` (the REST API of ``runtime``) and the web UI.

    ``files`` keeps uploads; by default the directory of the ``APIARY_FILES_DIR`` setting.
    """
    auth = Auth(runtime, throttle)
    files = files or FileStore(Settings.from_environment()["files_dir"])
    pages = RecordPages(runtime, files)
    downloads = FilePages(runtime, files)
    lookups = LookupPages(runtime)
    lists = ListPages(runtime)
    boards = BoardPages(runtime)
    dashboards = DashboardPages(runtime)
    shell = AppShell(runtime)
    record = "/{app}/{entity}/{id:int}"
    routes: list[BaseRoute] = [
        Route("/api/{path:path}", api),
        Route("/healthz", api),
        Route("/readyz", api),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        Route("/manifest.webmanifest", shell.manifest, methods=["GET"]),
        Route("/sw.js", shell.service_worker, methods=["GET"]),
        Route("/offline", shell.offline, methods=["GET"]),
        Route("/login", auth.login_form, methods=["GET"]),
        Route("/login", auth.login, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/", pages.home, methods=["GET"]),
        Route("/{app}/", pages.app_page, methods=["GET"]),
        Route("/{app}/boards/{view}", boards.board_page, methods=["GET"]),
        Route("/{app}/boards/{view}/move", boards.move, methods=["POST"]),
        Route("/{app}/dashboards/{view}", dashboards.dashboard_page, methods=["GET"]),
        Route("/{app}/{entity}", lists.list_page, methods=["GET"]),
        Route("/{app}/{entity}/export.csv", lists.export, methods=["GET"]),
        Route("/{app}/{entity}/new", pages.new_form, methods=["GET"]),
        Route("/{app}/{entity}/new", pages.create, methods=["POST"]),
        Route("/{app}/{entity}/lookup", lookups.lookup, methods=["GET"]),
        Route(record, pages.detail_page, methods=["GET"]),
        Route(record + "/edit", pages.edit_form, methods=["GET"]),
        Route(record + "/edit", pages.update, methods=["POST"]),
        Route(record + "/files/{field}", downloads.download, methods=["GET"]),
        Route(record + "/transition/{name}", pages.transition, methods=["POST"]),
        Route(record + "/delete", pages.confirm_delete, methods=["GET"]),
        Route(record + "/delete", pages.delete, methods=["POST"]),
    ]
    errors = _ErrorPages(runtime)
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SessionMiddleware, secret_key=secret_key,
                               session_cookie=SESSION_COOKIE, max_age=SESSION_MAX_AGE,
                               same_site="lax", https_only=https_only),
                    Middleware(BodyLimit, runtime=runtime)],
        exception_handlers={LoginRequired: errors.login, CsrfError: errors.csrf,
                            BodyTooLarge: errors.too_large,
                            EngineError: errors.engine, HTTPException: errors.http},
    )
    app.router.redirect_slashes = False
    return app


class _ErrorPages(Pages):
    """Errors as HTML pages; the API answers its own errors as problem+json."""

    async def login(self, request: Request, exc: Exception) -> Response:
        return login_redirect(request)

    async def csrf(self, request: Request, exc: Exception) -> Response:
        return self._page(request, 403, "This form has expired. Go back, reload the page and "
                                         "send it again.")

    async def too_large(self, request: Request, exc: Exception) -> Response:
        return self._page(request, 413, str(exc))

    async def engine(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, EngineError)
        return self._page(request, exc.status, exc.detail or exc.title)

    async def http(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        detail = {404: "There is nothing at this address.",
                  405: "This page cannot be used that way."}.get(exc.status_code, "Error.")
        return self._page(request, exc.status_code, detail)

    def _page(self, request: Request, status: int, message: str) -> Response:
        return self.render(request, "error.html", {"status": status, "message": message},
                           status)

"""The ASGI application: three routes, the request middleware, and the error handlers.

:func:`create_app` wires one :class:`~apiary.engine.Runtime` into a Starlette app::

    GET /healthz        the process is alive
    GET /readyz         the database answers ``SELECT 1``
    *   /api/...        every app's REST API (see :mod:`apiary.api.dispatch`)

The exception handlers here are the one place where errors become responses: a :class:`Problem`
raised by the API, an ``EngineError`` raised by the engine, and Starlette's own 404/405 all go
through :func:`apiary.api.problems.problem_response`; anything else is caught by
:class:`~apiary.api.middleware.RequestMiddleware` as a 500.
"""

from __future__ import annotations

import logging
from typing import Final

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from apiary.api.dispatch import BEARER_CHALLENGE, Dispatcher
from apiary.api.logs import API_LOGGER, FIELDS_ATTRIBUTE
from apiary.api.middleware import RequestMiddleware
from apiary.api.problems import SLUGS, Problem, problem_response
from apiary.engine import EngineError, Runtime

DEFAULT_MAX_BODY_BYTES: Final = 1_048_576

logger = logging.getLogger(API_LOGGER)


def create_app(runtime: Runtime, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> Starlette:
    """The ASGI app serving ``runtime``; publish new app versions on the runtime, not here."""
    dispatcher = Dispatcher(runtime, max_body_bytes)

    async def readyz(request: Request) -> Response:
        try:
            await run_in_threadpool(_ping, runtime.db)
        except Exception as exc:
            logger.warning("database not reachable", extra={FIELDS_ATTRIBUTE: {
                "error": type(exc).__name__}})
            raise Problem(503, "The database cannot be reached.") from None
        return JSONResponse({"status": "ready"})

    app = Starlette(
        routes=[
            Route("/healthz", _healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/api/{path:path}", dispatcher),
        ],
        middleware=[Middleware(RequestMiddleware)],
        exception_handlers={
            Problem: _problem,
            EngineError: _engine_error,
            HTTPException: _http_error,
        },
    )
    app.router.redirect_slashes = False  # a path either names a route or is a 404
    return app


async def _healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _ping(db: sa.Engine) -> None:
    with db.connect() as conn:
        conn.execute(sa.text("SELECT 1"))


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(request.scope, exc)


async def _engine_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EngineError)
    headers = {"WWW-Authenticate": f'{BEARER_CHALLENGE}, error="invalid_token"'} \
        if exc.status == 401 else {}
    problem = Problem(exc.status, exc.detail or exc.title, errors=exc.errors, headers=headers,
                      title=exc.title)
    return problem_response(request.scope, problem)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors: a path outside every route (404) or a wrong method (405)."""
    assert isinstance(exc, HTTPException)
    detail = {404: "Nothing here. The API lives under /api/<app>/; see "
                   "/api/<app>/openapi.json.",
              405: f"{request.method} is not allowed here."}.get(
        exc.status_code, SLUGS.get(exc.status_code, ("error", "Error"))[1])
    return problem_response(request.scope, Problem(exc.status_code, detail,
                                                   headers=exc.headers))

"""The request middleware: request id, the request log line, and the last line of defence.

It wraps every HTTP request (a plain ASGI middleware, so streaming bodies pass through untouched):

- takes the client's ``X-Request-ID`` when it is sane or makes one, and echoes it in the response
  (with ``nosniff`` and, under ``/api/``, ``Cache-Control: no-store``);
- logs one structured line per request: method, path (never the query string), status, duration,
  request id, app and user id -- never tokens or bodies;
- turns any exception that escaped everything else into a 500 problem that carries only the
  request id, and logs the traceback server-side.
"""

from __future__ import annotations

import logging
import time
from typing import Final

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apiary.api.context import SCOPE_KEY, RequestContext, accepted_request_id
from apiary.api.logs import API_LOGGER, FIELDS_ATTRIBUTE
from apiary.api.problems import Problem, problem_response

logger = logging.getLogger(API_LOGGER)

INTERNAL_ERROR_DETAIL: Final = ("The server failed to handle the request. It has been logged; "
                                "quote the request id when you report it.")


class RequestMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = RequestContext(accepted_request_id(Headers(scope=scope).get("x-request-id")))
        scope[SCOPE_KEY] = context
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = context.request_id
                headers["X-Content-Type-Options"] = "nosniff"
                if scope["path"].startswith("/api/"):
                    # Answers depend on who asks: no shared cache may keep them.
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logger.exception("unexpected error",
                             extra={FIELDS_ATTRIBUTE: {"request_id": context.request_id}})
            if not response_started:
                response = problem_response(scope, Problem(500, INTERNAL_ERROR_DETAIL))
                await response(scope, receive, send_with_id)
        finally:
            logger.info("request", extra={FIELDS_ATTRIBUTE: {
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "request_id": context.request_id,
                "app": context.app,
                "user_id": context.user_id,
            }})

"""The catch-all dispatcher: which app, entity and operation a request is for, and who asks.

Every ``/api/...`` request comes here, in this order: the path's shape must name a route (404)
and accept the method (405, with ``Allow``); a bearer token must be present (401); the app must
exist (404) and the token must be valid (401); the entity and transition must exist in the app's
version current at that moment (404). The record service is looked up on every request, so a
version published with ``runtime.publish`` is served from the next request on, and one request
never mixes two versions. The operation itself is one of :mod:`apiary.api.handlers`.

Nothing here decides what a user may do: permissions, validation and workflow rules are the
engine's, and its errors become problem responses in :mod:`apiary.api.app`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from apiary.api.context import request_context
from apiary.api.handlers import HANDLERS, Call
from apiary.api.openapi import openapi_document
from apiary.api.params import no_params
from apiary.api.problems import Problem
from apiary.api.routes import Kind, Target, match
from apiary.definition.compiled import CompiledApp, Entity
from apiary.engine import Runtime

OPENAPI_CACHE_SIZE: Final = 64
BEARER_CHALLENGE: Final = 'Bearer realm="apiary"'


class Dispatcher:
    """Serves ``/api/...`` for every app of ``runtime``; created once by ``create_app``."""

    def __init__(self, runtime: Runtime, max_body_bytes: int) -> None:
        self.runtime = runtime
        self.max_body_bytes = max_body_bytes
        self._openapi: dict[tuple[str, str], bytes] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """An ASGI app rather than a request handler, so that its route takes every method."""
        response = await self.dispatch(Request(scope, receive))
        await response(scope, receive, send)

    async def dispatch(self, request: Request) -> Response:
        target = match(request.path_params.get("path", ""))
        if target is None:
            raise Problem(404, "No API route has this path. See /api/<app>/openapi.json.")
        if request.method not in target.methods:
            raise Problem(405, f"{request.method} is not allowed here; use "
                               f"{' or '.join(target.methods)}.",
                          headers={"Allow": ", ".join(target.methods)})
        token = _bearer_token(request.headers)
        service = self.runtime.records(target.app)
        app = service.app.app
        context = request_context(request.scope)
        context.app = app.name
        principal = await run_in_threadpool(self.runtime.identity.authenticate, token, app.name,
                                            request_id=context.request_id)
        context.user_id = principal.user_id
        if target.kind is Kind.OPENAPI:
            no_params(request.query_params.multi_items())
            return Response(self._openapi_bytes(app), media_type="application/json")
        call = Call(request, service, principal, _entity(app, target), target,
                    self.max_body_bytes)
        return await HANDLERS[target.kind, request.method](call)

    def _openapi_bytes(self, app: CompiledApp) -> bytes:
        """The app's document, generated once per version (a version is its content hash)."""
        key = (app.name, app.content_hash)
        if key not in self._openapi:
            if len(self._openapi) >= OPENAPI_CACHE_SIZE:
                self._openapi.clear()
            self._openapi[key] = json.dumps(openapi_document(app)).encode("utf-8")
        return self._openapi[key]


def _bearer_token(headers: Mapping[str, str]) -> str:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "Send an API token: Authorization: Bearer <token>.",
                      headers={"WWW-Authenticate": BEARER_CHALLENGE})
    return token


def _entity(app: CompiledApp, target: Target) -> Entity:
    entity = app.entities.get(target.entity or "")
    if entity is None:
        raise Problem(404, f"The app {app.name} has no entity named {target.entity}.")
    if target.kind is Kind.TRANSITION and (
            entity.workflow is None or target.transition not in entity.workflow.transitions):
        raise Problem(404, f"{entity.name} has no transition named {target.transition}.")
    return entity

"""Problem details (RFC 9457): the one shape of every error response the API sends.

Every error -- a bad parameter found by the API, an ``EngineError`` raised by the engine, a path
that matches no route, an unexpected crash -- becomes a response through :func:`problem_response`,
so a client parses one shape::

    {"type": "https://apiary.dev/problems/not-found", "title": "Not found", "status": 404,
     "detail": "...", "instance": "/api/helpdesk/Ticket/7", "request_id": "...", "errors": []}

Handlers raise :class:`Problem` for errors they detect themselves; the dispatcher turns engine
errors into the same call. ``tests/api/test_problems.py`` checks the shape of every error response
the test suite produces.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol
from urllib.parse import quote

from starlette.responses import Response
from starlette.types import Scope

from apiary.api.context import request_context

PROBLEM_TYPE_BASE: Final = "https://apiary.dev/problems/"
PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
PATH_SAFE: Final = "/:@!$&'()*+,;=-._~"
"""Characters a URI path keeps as they are (RFC 3986); ``instance`` percent-encodes the rest."""

SLUGS: Final[Mapping[int, tuple[str, str]]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    412: ("precondition-failed", "Precondition failed"),
    413: ("content-too-large", "Content too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-failed", "Invalid data"),
    500: ("internal-error", "Internal server error"),
    503: ("unavailable", "Service unavailable"),
}
"""Status -> (type slug, default title). The slug names the kind of problem, so it is chosen by
status and stays stable whatever the engine calls its exception classes."""


class FieldIssue(Protocol):
    """One entry of ``errors``: the engine's ``FieldProblem`` or an :class:`Issue`."""

    @property
    def field(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem with one named input (a query parameter, a header, a body key) found by the API."""

    field: str
    code: str
    message: str


class Problem(Exception):
    """An HTTP error decided by the API itself; raised anywhere below the dispatcher."""

    def __init__(self, status: int, detail: str, *, errors: Iterable[FieldIssue] = (),
                 headers: Mapping[str, str] | None = None, title: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = tuple(errors)
        self.headers = dict(headers or {})
        self.title = title or SLUGS.get(status, ("error", "Error"))[1]


def problem_type(status: int) -> str:
    return PROBLEM_TYPE_BASE + SLUGS.get(status, ("error", "Error"))[0]


def problem_body(scope: Scope, status: int, title: str, detail: str,
                 errors: Iterable[FieldIssue] = ()) -> dict[str, Any]:
    """The JSON object of a problem; ``instance`` is the path only (queries may hold PII)."""
    return {
        "type": problem_type(status),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": quote(scope.get("path", ""), safe=PATH_SAFE),
        "request_id": request_context(scope).request_id,
        "errors": [{"field": e.field, "code": e.code, "message": e.message} for e in errors],
    }


def problem_response(scope: Scope, problem: Problem) -> Response:
    body = problem_body(scope, problem.status, problem.title, problem.detail, problem.errors)
    return Response(json.dumps(body, ensure_ascii=False).encode("utf-8"),
                    status_code=problem.status, headers=problem.headers,
                    media_type=PROBLEM_MEDIA_TYPE)

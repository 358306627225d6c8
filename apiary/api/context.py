"""What the API knows about the request being served, kept in the ASGI scope.

The request middleware creates a :class:`RequestContext` with the request id; the dispatcher adds
the app and the authenticated user once it knows them; the request log line and problem responses
read it back. Keeping it in the scope (not in a context variable or a global) means two apps in one
process, or two requests in one thread, never see each other's values.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Final

from starlette.types import Scope

SCOPE_KEY: Final = "apiary.context"
_SANE_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
"""A client's ``X-Request-ID`` is echoed into logs and headers, so only short plain ids are kept."""


@dataclass(slots=True)
class RequestContext:
    request_id: str
    app: str | None = None
    user_id: int | str | None = None


def request_context(scope: Scope) -> RequestContext:
    """The scope's context, created on first use so that every error path has a request id."""
    context = scope.get(SCOPE_KEY)
    if not isinstance(context, RequestContext):
        context = RequestContext(new_request_id())
        scope[SCOPE_KEY] = context
    return context


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(value: str | None) -> str:
    """The client's request id when it is sane, else a fresh one."""
    if value is not None and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return new_request_id()

"""Errors the record engine raises, each carrying the HTTP status a surface should answer with.

    ApiaryError
    └── EngineError                 status, title, detail, errors: list[FieldProblem]
        ├── BadRequest          400 a list parameter (filter, sort, after, limit...) is wrong;
        │                           ``param`` names it
        ├── Unauthorized        401 the token is unknown, revoked or expired
        ├── Forbidden           403 the operation, the transition or a field is not allowed
        ├── NotFound            404 no such app, entity or record, or one the principal may not
        │                           read (existence is never revealed)
        ├── Conflict            409 a unique value is taken, a transition does not start from
        │                           the record's state, or the record is still referenced
        ├── PreconditionFailed  412 ``if_match`` differs from the record's ``row_version``
        └── Invalid             422 the data does not fit: every field at fault, at once

Surfaces translate these into responses in one place (the API into problem+json); the engine
never builds a response itself. ``detail`` is written for the person who sent the request and
says what to do next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from apiary.errors import ApiaryError


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with one field; ``code`` is stable (``required``, ``max_length``...)."""

    field: str
    code: str
    message: str


class EngineError(ApiaryError):
    """Base class of the engine's errors; ``status`` is the HTTP status that fits."""

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Engine error"

    def __init__(self, detail: str, errors: Sequence[FieldProblem] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)


class BadRequest(EngineError):
    status = 400
    title = "Bad request"

    def __init__(self, param: str, detail: str) -> None:
        super().__init__(detail, [FieldProblem(param, "invalid_parameter", detail)])
        self.param = param


class Unauthorized(EngineError):
    status = 401
    title = "Unauthorized"


class Forbidden(EngineError):
    status = 403
    title = "Forbidden"


class NotFound(EngineError):
    status = 404
    title = "Not found"


class Conflict(EngineError):
    status = 409
    title = "Conflict"


class PreconditionFailed(EngineError):
    status = 412
    title = "Precondition failed"


class Invalid(EngineError):
    status = 422
    title = "Invalid data"

    def __init__(self, errors: Sequence[FieldProblem], detail: str | None = None) -> None:
        fields = sorted({p.field for p in errors})
        super().__init__(detail or f"Correct the field(s) {', '.join(fields)} and try again.",
                         errors)

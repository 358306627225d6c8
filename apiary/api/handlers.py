"""The seven record operations: parameters and body in, one record-service call, JSON out.

:mod:`apiary.api.dispatch` has already matched the route, authenticated the caller and found
the entity; it picks the handler from :data:`HANDLERS` by route kind and method. Each handler
parses what it needs, calls the engine in a worker thread (the engine does blocking database
work) and shapes the response. Refusals come back from the engine as ``EngineError``s.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from apiary.api.bodies import json_object
from apiary.api.params import expand_param, if_match, list_params, no_params
from apiary.api.problems import Issue, Problem
from apiary.api.routes import Kind, Target
from apiary.definition.compiled import Entity, FieldType
from apiary.engine import ListQuery, Principal, RecordService

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call:
    """Everything a handler needs about one request, resolved by the dispatcher."""

    request: Request
    service: RecordService
    principal: Principal
    entity: Entity
    target: Target
    max_body_bytes: int

    @property
    def query(self) -> list[tuple[str, str]]:
        return self.request.query_params.multi_items()

    def record_id(self) -> int:
        number = self.target.record_number()
        if number is None:
            raise Problem(404, f"There is no {self.entity.label.lower()} with id "
                               f"{self.target.record_id}.")
        return number

    async def body(self, *, optional: bool = False) -> dict[str, Any] | None:
        return await json_object(self.request, self.max_body_bytes, optional=optional)

    async def engine(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call the record service for this principal and entity, off the event loop."""
        return await run_in_threadpool(function, self.principal, self.entity.name, *args,
                                       **kwargs)


async def list_records(call: Call) -> Response:
    params = list_params(call.query)
    query = ListQuery(filter=params.filter, equals=params.equals, sort=params.sort,
                      limit=params.limit, after=params.after, count=params.count,
                      expand=params.expand)
    page = await call.engine(call.service.list, query)
    body: dict[str, Any] = {"items": page.items, "next": page.next}
    if params.count:
        body["total"] = page.total
    headers = {}
    if page.next is not None:
        following = [(k, v) for k, v in call.query if k != "after"] + [("after", page.next)]
        headers["Link"] = f'<{call.request.url.path}?{urlencode(following)}>; rel="next"'
    return JSONResponse(body, headers=headers)


def _no_new_files(call: Call, body: Mapping[str, Any] | None,
                  current: Mapping[str, Any] | None = None) -> None:
    """File fields are filled by uploads, which the API does not take yet: a body may clear a
    file or send back the one the record holds, but not name another stored file (whoever
    knew its id would get a copy of it, and deleting this record would remove it)."""
    if not body:
        return
    issues = []
    for f in call.entity.fields.values():
        if f.type is not FieldType.FILE or f.name not in body or body[f.name] is None:
            continue
        if current is not None and body[f.name] == current.get(f.name):
            continue
        issues.append(Issue(f.name, "read_only", f"`{f.name}` is a file: upload it in the web "
                                                  "form; the API can keep or clear it only."))
    if issues:
        raise Problem(422, "Files cannot be attached through the API yet.", errors=issues)


async def create_record(call: Call) -> Response:
    no_params(call.query)
    body = await call.body()
    _no_new_files(call, body)
    record = await call.engine(call.service.create, body)
    location = f"/api/{call.target.app}/{call.entity.name}/{record['id']}"
    return _record_response(record, 201, {"Location": location})


async def read_record(call: Call) -> Response:
    expand = expand_param(call.query)
    return _record_response(await call.engine(call.service.get, call.record_id(),
                                              expand=expand))


async def update_record(call: Call) -> Response:
    no_params(call.query)
    record_id, version = call.record_id(), if_match(call.request.headers)
    body = await call.body()
    if body and any(f.type is FieldType.FILE and f.name in body
                    for f in call.entity.fields.values()):
        _no_new_files(call, body, await call.engine(call.service.get, record_id))
    record = await call.engine(call.service.update, record_id, body, if_match=version)
    return _record_response(record)


async def delete_record(call: Call) -> Response:
    no_params(call.query)
    record_id, version = call.record_id(), if_match(call.request.headers)
    await call.engine(call.service.delete, record_id, if_match=version)
    return Response(status_code=204)


async def take_transition(call: Call) -> Response:
    no_params(call.query)
    record_id, version = call.record_id(), if_match(call.request.headers)
    comment = _comment(await call.body(optional=True))
    record = await call.engine(call.service.transition, record_id, call.target.transition,
                               comment=comment, if_match=version)
    return _record_response(record)


async def read_history(call: Call) -> Response:
    no_params(call.query)
    return JSONResponse({"items": await call.engine(call.service.history, call.record_id())})


Handler = Callable[[Call], Awaitable[Response]]
HANDLERS: Final[Mapping[tuple[Kind, str], Handler]] = {
    (Kind.COLLECTION, "GET"): list_records,
    (Kind.COLLECTION, "POST"): create_record,
    (Kind.ITEM, "GET"): read_record,
    (Kind.ITEM, "PATCH"): update_record,
    (Kind.ITEM, "DELETE"): delete_record,
    (Kind.TRANSITION, "POST"): take_transition,
    (Kind.HISTORY, "GET"): read_history,
}


def _comment(body: dict[str, Any] | None) -> str | None:
    """A transition's body: nothing, or ``{"comment": "..."}``."""
    if body is None:
        return None
    unknown = [Issue(k, "unknown_field", f"`{k}` is not accepted; send only `comment`.")
               for k in body if k != "comment"]
    if unknown:
        raise Problem(400, "A transition takes only a comment.", errors=unknown)
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise Problem(400, "The comment must be text.",
                      errors=[Issue("comment", "invalid_type", "comment must be a string.")])
    return comment


def _record_response(record: Mapping[str, Any], status: int = 200,
                     headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse(dict(record), status_code=status,
                        headers={"ETag": f'"{record["row_version"]}"', **(headers or {})})

"""The OpenAPI 3.1 document of one app, generated from its ``CompiledApp``.

:func:`openapi_document` is a pure function of the compiled app: the API serves its result at
``/api/<app>/openapi.json`` and the command line can write it to a file. Paths are relative to the
server URL ``<server>/api/<app>``; without a server the URL stays relative, which a client resolves
against the address it fetched the document from. Every operation lists the error responses it can
give, all in the problem+json shape of :mod:`apiary.api.problems`.
"""

from __future__ import annotations

from typing import Any, Final

from apiary.api.params import DEFAULT_LIMIT, LIST_PARAMS, MAX_LIMIT
from apiary.api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE, SLUGS
from apiary.api.schemas import (
    SYSTEM_SCHEMAS,
    JsonSchema,
    create_schema,
    query_value_schema,
    record_schema,
    update_schema,
)
from apiary.definition.compiled import CompiledApp, Entity, FieldType, Transition

PROBLEM: Final = "apiary.Problem"
RESPONSE_NAMES: Final = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden",
                         404: "NotFound", 409: "Conflict", 412: "PreconditionFailed",
                         413: "ContentTooLarge", 415: "UnsupportedMediaType",
                         422: "ValidationFailed", 500: "InternalError"}
READ_ERRORS: Final = (400, 401, 403, 404, 500)
WRITE_ERRORS: Final = (400, 401, 403, 404, 409, 412, 413, 415, 422, 500)
CREATE_ERRORS: Final = (400, 401, 403, 404, 409, 413, 415, 422, 500)
DELETE_ERRORS: Final = (400, 401, 403, 404, 409, 412, 500)
RESPONSE_TEXT: Final = {
    400: "A query parameter, header or body is malformed (see `errors`).",
    401: "No bearer token, or the token is unknown, expired or revoked.",
    403: "The caller's roles do not allow this operation.",
    404: "No such app, entity, transition or record (or the caller may not see it).",
    409: "The change conflicts with other records (a unique value, a record still referenced).",
    412: "`If-Match` does not match the record's current `row_version`: reload and retry.",
    413: "The request body is larger than the server accepts.",
    415: "The body is not `application/json`.",
    422: "The record breaks the app's rules (see `errors` for each field).",
    500: "Unexpected server error; quote `request_id` when reporting it.",
}


def openapi_document(app: CompiledApp, server_url: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app``; ``server_url`` is e.g. ``https://apiary.example.com``."""
    base = f"{server_url.rstrip('/')}/api/{app.name}" if server_url else f"/api/{app.name}"
    info: dict[str, Any] = {"title": app.title, "version": app.version or app.content_hash[:12]}
    if app.description:
        info["description"] = app.description
    if app.owner and "@" in app.owner:
        info["contact"] = {"email": app.owner}
    paths: dict[str, Any] = {}
    schemas: dict[str, JsonSchema] = {PROBLEM: _problem_schema(),
                                      "apiary.TransitionRequest": _transition_request(),
                                      "apiary.HistoryEntry": _history_entry()}
    for entity in app.entities.values():
        paths.update(_entity_paths(entity))
        schemas.update(_entity_schemas(entity))
    return {
        "openapi": "3.1.0",
        "info": info,
        "servers": [{"url": base}],
        "security": [{"bearerAuth": []}],
        "tags": [_tag(entity) for entity in app.entities.values()],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {RESPONSE_NAMES[s]: _problem_response(s) for s in RESPONSE_NAMES},
            "parameters": _shared_parameters(),
            "headers": _shared_headers(),
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "An API token: `Authorization: Bearer <token>`.",
            }},
        },
    }


def _entity_schemas(entity: Entity) -> dict[str, JsonSchema]:
    name = entity.name
    return {
        name: record_schema(entity),
        f"{name}.create": create_schema(entity),
        f"{name}.update": update_schema(entity),
        f"{name}.list": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": _ref(name)},
                "next": {"type": ["string", "null"],
                         "description": "Cursor of the next page (`after`), null on the last."},
                "total": {"type": "integer", "minimum": 0,
                          "description": "Number of matching records; only with `count=true`."},
            },
            "required": ["items", "next"],
        },
        f"{name}.history": {
            "type": "object",
            "properties": {"items": {"type": "array", "items": _ref("apiary.HistoryEntry")}},
            "required": ["items"],
            "description": "The record's audit trail, oldest change first.",
        },
    }


def _entity_paths(entity: Entity) -> dict[str, Any]:
    name, label, plural = entity.name, entity.label.lower(), entity.plural.lower()
    item_params = [{"$ref": "#/components/parameters/id"}]
    paths: dict[str, Any] = {
        f"/{name}": {
            "get": _operation(entity, "list", f"List {plural}",
                              {"200": _json(f"{name}.list", "A page of records.",
                                            headers={"Link": _header_ref("Link")})},
                              READ_ERRORS, parameters=_list_parameters(entity)),
            "post": _operation(entity, "create", f"Create a {label}",
                               {"201": _json(name, "The new record.", headers={
                                   "Location": _header_ref("Location"),
                                   "ETag": _header_ref("ETag")})},
                               CREATE_ERRORS, body=f"{name}.create"),
        },
        f"/{name}/{{id}}": {
            "parameters": item_params,
            "get": _operation(entity, "get", f"Read a {label}",
                              {"200": _json(name, "The record.",
                                            headers={"ETag": _header_ref("ETag")})},
                              READ_ERRORS, parameters=_expand_parameter(entity)),
            "patch": _operation(entity, "update", f"Change a {label}",
                                {"200": _json(name, "The changed record.",
                                              headers={"ETag": _header_ref("ETag")})},
                                WRITE_ERRORS, body=f"{name}.update", conditional=True),
            "delete": _operation(entity, "delete", f"Delete a {label}",
                                 {"204": {"description": "Deleted."}}, DELETE_ERRORS,
                                 conditional=True),
        },
        f"/{name}/{{id}}/history": {
            "parameters": item_params,
            "get": _operation(entity, "history", f"Audit trail of a {label}",
                              {"200": _json(f"{name}.history", "Every change, oldest first.")},
                              READ_ERRORS),
        },
    }
    if entity.workflow is not None:
        for transition in entity.workflow.transitions.values():
            paths[f"/{name}/{{id}}/transitions/{transition.name}"] = {
                "parameters": item_params,
                "post": _transition_operation(entity, transition),
            }
    return paths


def _transition_operation(entity: Entity, transition: Transition) -> dict[str, Any]:
    roles = ", ".join(sorted(transition.roles | {"admin"}))
    notes = [f"From {', '.join(transition.sources)} to {transition.target}. Roles: {roles}."]
    if transition.guard is not None:
        notes.append(f"Only when `{transition.guard.source}`.")
    operation = _operation(entity, f"transition.{transition.name}", transition.label,
                           {"200": _json(entity.name, "The record in its new state.",
                                         headers={"ETag": _header_ref("ETag")})},
                           WRITE_ERRORS, conditional=True)
    operation["description"] = " ".join(notes)
    operation["requestBody"] = {
        "required": False,
        "content": {"application/json": {"schema": _ref("apiary.TransitionRequest")}},
    }
    return operation


def _operation(entity: Entity, verb: str, summary: str, success: dict[str, Any],
               errors: tuple[int, ...], *, parameters: list[Any] | None = None,
               body: str | None = None, conditional: bool = False) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": f"{entity.name}.{verb}",
        "summary": summary,
        "tags": [entity.name],
        "responses": {**success, **{str(s): _response_ref(s) for s in errors}},
    }
    params = list(parameters or [])
    if conditional:
        params.append({"$ref": "#/components/parameters/If-Match"})
    if params:
        operation["parameters"] = params
    if body is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": _ref(body)}}}
    return operation


def _list_parameters(entity: Entity) -> list[Any]:
    params: list[Any] = [{"$ref": f"#/components/parameters/{p}"}
                         for p in ("filter", "limit", "after", "count")]
    sortable = _sortable(entity)
    params.append({
        "name": "sort", "in": "query", "required": False,
        "description": "Comma-separated fields; `-` before a field sorts descending.",
        "schema": {"type": "string",
                   "pattern": rf"^(-?({sortable})(,-?({sortable}))*)?$"},
        "example": "-updated_at",
    })
    params.extend(_expand_parameter(entity))
    for field in entity.stored_fields:
        schema = query_value_schema(field)
        if schema is None or field.name in LIST_PARAMS:
            continue
        params.append({"name": field.name, "in": "query", "required": False,
                       "description": f"Only records whose {field.label.lower()} equals this.",
                       "schema": schema})
    for name, schema in SYSTEM_SCHEMAS.items():
        if name not in LIST_PARAMS and name not in entity.fields:
            plain = {**schema, "type": "integer"} if name.endswith("_by") else schema
            params.append({"name": name, "in": "query", "required": False,
                           "description": f"Only records whose {name} equals this.",
                           "schema": plain})
    return params


def _expand_parameter(entity: Entity) -> list[Any]:
    refs = [f.name for f in entity.stored_fields if f.type is FieldType.REF]
    refs += ["created_by", "updated_by"]
    names = "|".join(refs)
    return [{
        "name": "expand", "in": "query", "required": False,
        "description": "Comma-separated reference fields to return as the records they name "
                       "instead of their ids.",
        "schema": {"type": "string", "pattern": rf"^(({names})(,({names}))*)?$"},
        "example": refs[0],
    }]


def _sortable(entity: Entity) -> str:
    names = [f.name for f in entity.stored_fields
             if f.type not in (FieldType.JSON, FieldType.FILE)]
    return "|".join([*names, *SYSTEM_SCHEMAS])


def _shared_parameters() -> dict[str, Any]:
    return {
        "id": {"name": "id", "in": "path", "required": True, "description": "The record's id.",
               "schema": {"type": "integer", "format": "int64", "minimum": 1}},
        "filter": {"name": "filter", "in": "query", "required": False,
                   "description": "An expression every listed record satisfies, e.g. "
                                  "`priority == 'high' && assignee == null`.",
                   "schema": {"type": "string"}},
        "limit": {"name": "limit", "in": "query", "required": False,
                  "description": "Records per page.",
                  "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                             "default": DEFAULT_LIMIT}},
        "after": {"name": "after", "in": "query", "required": False,
                  "description": "The `next` cursor of the previous page.",
                  "schema": {"type": "string"}},
        "count": {"name": "count", "in": "query", "required": False,
                  "description": "Also return `total`, the number of matching records.",
                  "schema": {"type": "boolean", "default": False}},
        "If-Match": {"name": "If-Match", "in": "header", "required": False,
                     "description": "The `row_version` (ETag) the change is based on; a stale "
                                    "value fails with 412 instead of overwriting newer data.",
                     "schema": {"type": "string", "pattern": r'^(W/)?"?[0-9]{1,18}"?$'},
                     "example": '"3"'},
    }


def _shared_headers() -> dict[str, Any]:
    return {
        "ETag": {"description": "The record's `row_version`, quoted.",
                 "schema": {"type": "string"}},
        "Location": {"description": "URL of the new record.", "schema": {"type": "string"}},
        "Link": {"description": 'URL of the next page, as `<url>; rel="next"`.',
                 "schema": {"type": "string"}},
        "WWW-Authenticate": {"description": "`Bearer`: how to authenticate.", "required": True,
                             "schema": {"type": "string"}},
    }


def _problem_schema() -> JsonSchema:
    return {
        "type": "object",
        "description": "RFC 9457 problem details.",
        "properties": {
            "type": {"type": "string", "format": "uri",
                     "examples": [f"{PROBLEM_TYPE_BASE}{SLUGS[404][0]}"]},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "instance": {"type": "string", "description": "Path of the request."},
            "request_id": {"type": "string"},
            "errors": {"type": "array", "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "code": {"type": "string"},
                               "message": {"type": "string"}},
                "required": ["field", "code", "message"],
                "additionalProperties": False,
            }},
        },
        "required": ["type", "title", "status", "detail", "instance", "request_id", "errors"],
        "additionalProperties": False,
    }


def _history_entry() -> JsonSchema:
    optional_text = {"type": ["string", "null"]}
    return {
        "type": "object",
        "description": "One change of a record. Changes of personal data are shown as "
                       "`{\"changed\": true}`; fields the caller may not read are left out.",
        "properties": {
            "id": {"type": "integer"},
            "at": {"type": "string", "format": "date-time"},
            "actor": {**optional_text, "description": "E-mail of the user who made the change."},
            "actor_id": {"type": ["integer", "null"]},
            "action": {"type": "string", "examples": ["create", "update", "transition",
                                                      "delete"]},
            "request_id": optional_text,
            "changes": {"type": "object", "description": "Field -> `{before, after}`."},
            "from": {**optional_text, "description": "Transitions: the state left."},
            "to": {**optional_text, "description": "Transitions: the state entered."},
            "comment": {**optional_text, "description": "Transitions: the comment given."},
        },
        "required": ["id", "at", "actor", "actor_id", "action", "request_id", "changes"],
    }


def _transition_request() -> JsonSchema:
    return {
        "type": "object",
        "properties": {"comment": {"type": ["string", "null"],
                                   "description": "Recorded with the transition in the audit "
                                                  "trail."}},
        "additionalProperties": False,
    }


def _problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": RESPONSE_TEXT[status],
        "content": {PROBLEM_MEDIA_TYPE: {"schema": _ref(PROBLEM)}},
    }
    if status == 401:
        response["headers"] = {"WWW-Authenticate": _header_ref("WWW-Authenticate")}
    return response


def _json(schema: str, description: str, *, headers: dict[str, Any] | None = None
          ) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description,
                                "content": {"application/json": {"schema": _ref(schema)}}}
    if headers:
        response["headers"] = headers
    return response


def _tag(entity: Entity) -> dict[str, str]:
    tag = {"name": entity.name}
    if entity.description:
        tag["description"] = entity.description
    return tag


def _ref(schema: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{schema}"}


def _response_ref(status: int) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{RESPONSE_NAMES[status]}"}


def _header_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}

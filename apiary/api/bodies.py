"""Request bodies: bounded reading and strict JSON, before anything reaches the engine.

A body is accepted only as UTF-8 ``application/json`` (or an ``application/*+json`` type such as
``merge-patch+json``) holding one JSON object. The size limit is checked against
``Content-Length`` first and then while the body streams in, so an oversized or endless body is
refused after at most ``max_bytes`` have been read, never buffered whole. Duplicate keys,
``NaN``/``Infinity`` and absurd nesting are refused too: each would otherwise be silently
reinterpreted or crash the parser.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from starlette.requests import Request

from apiary.api.problems import Issue, Problem


async def json_object(request: Request, max_bytes: int, *, optional: bool = False
                      ) -> dict[str, Any] | None:
    """The request's JSON object; None only when ``optional`` and the body is empty."""
    content_type = request.headers.get("content-type")
    if content_type is not None and not _is_json(content_type):
        _unsupported(content_type)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        _too_large(max_bytes)
    raw = await _read(request, max_bytes)
    if not raw:
        if optional:
            return None
        _bad("body", "missing_body", "Send a JSON object as the request body.")
    if content_type is None:
        _unsupported(None)
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates,
                           parse_constant=_no_constant)
    except UnicodeDecodeError:
        _bad("body", "invalid_encoding", "The body must be UTF-8 encoded JSON.")
    except RecursionError:
        _bad("body", "too_deep", "The JSON body is nested too deeply.")
    except ValueError as exc:
        _bad("body", "invalid_json", f"The body is not valid JSON: {exc}.")
    if not isinstance(value, dict):
        _bad("body", "not_an_object", "The body must be a JSON object: {\"field\": value, ...}.")
    return value


async def _read(request: Request, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            _too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _is_json(content_type: str) -> bool:
    media_type, _, parameters = content_type.partition(";")
    media_type = media_type.strip().lower()
    if media_type != "application/json" and not (
            media_type.startswith("application/") and media_type.endswith("+json")):
        return False
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            return False
    return True


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {json.dumps(key)} appears twice")
        result[key] = value
    return result


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def _unsupported(content_type: str | None) -> NoReturn:
    given = f"not {content_type}" if content_type else "no Content-Type was given"
    raise Problem(415, f"Send the body as application/json ({given}).",
                  errors=[Issue("Content-Type", "unsupported_media_type",
                                "Content-Type must be application/json.")])


def _too_large(max_bytes: int) -> NoReturn:
    raise Problem(413, f"The body is larger than {max_bytes} bytes; send less data at once.")


def _bad(field: str, code: str, message: str) -> NoReturn:
    raise Problem(400, message, errors=[Issue(field, code, message)])

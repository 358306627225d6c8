"""Uploads into ``file`` fields and downloads out of them, and the size limit on web requests.

An upload is stored (see :mod:`apiary.storage.files`) before the record is saved, so that the
field's value ``{id, name, size, type, sha256}`` can go to the engine with the rest of the form;
if the engine then refuses the record, the handler removes what was stored, so a failed form
leaves no file behind. A download is answered only when the engine gives the signed-in user
the record with that field: a record or a field they may not read is a 404, like one that does
not exist. Files are always sent as attachments, with ``nosniff`` and a sandboxing CSP, in the
type that was checked when they were stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apiary.definition.compiled import FILE_TYPES, MIB, FieldType
from apiary.definition.compiled import Field as FieldDef
from apiary.engine import NotFound, Runtime
from apiary.storage.files import FileRefused, FileStore, StoredFile, safe_name
from apiary.web.rendering import Pages
from apiary.web.security import check_csrf

FORM_BYTES: Final = MIB
"""What a form may send besides its files."""
_ASCII_NAME: Final = re.compile(r"[^A-Za-z0-9._ -]")


class BodyTooLarge(Exception):
    """A web request body over the site's limit; answered with a 413 page."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The form sent more than {limit // MIB} MiB; send smaller files.")
        self.limit = limit


class BodyLimit:
    """Refuses web request bodies over a limit, by ``Content-Length`` and while streaming.

    The limit is :data:`FORM_BYTES` plus the largest total ``max_size`` of the file fields of
    any entity of the served apps, so a form with files fits and anything much larger stops
    before it is buffered. ``/api/`` keeps its own, smaller limit.
    """

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD") \
                or scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        limit = body_limit(self.runtime)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        too_long = declared.isdigit() and int(declared) > limit
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            if too_long:
                raise BodyTooLarge(limit)
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)


def body_limit(runtime: Runtime) -> int:
    largest = max((sum(f.max_size or 0 for f in e.fields.values() if f.type is FieldType.FILE)
                   for app in runtime.apps.values() for e in app.entities.values()), default=0)
    return FORM_BYTES + largest


async def read_form(request: Request) -> tuple[dict[str, str], dict[str, UploadFile]]:
    """The posted form's text fields and its chosen files, once its CSRF token matched.

    The caller closes the files (:func:`store_uploads` does); parts without a file are closed
    here.
    """
    form = await request.form()
    parts = [v for v in form.values() if isinstance(v, UploadFile)]
    try:
        check_csrf(request.session, form.get("csrf"))
    except BaseException:
        await request.close()
        raise
    for part in parts:
        if not part.filename:
            await part.close()
    texts = {k: v for k, v in form.items() if isinstance(v, str)}
    files = {k: v for k, v in form.items() if isinstance(v, UploadFile) and v.filename}
    return texts, files


def store_uploads(store: FileStore, fields: Sequence[FieldDef], uploads: Mapping[str, UploadFile]
                  ) -> tuple[dict[str, Any], dict[str, list[str]], list[StoredFile]]:
    """Store the chosen file of each file field: (field values, problems, what was stored).

    Blocking; call in a thread. On problems, nothing that was stored is kept. The uploads
    are closed (their temporary copies removed) either way.
    """
    try:
        return _store(store, fields, uploads)
    finally:
        close_uploads(uploads)


def close_uploads(uploads: Mapping[str, UploadFile]) -> None:
    for upload in uploads.values():
        upload.file.close()


def _store(store: FileStore, fields: Sequence[FieldDef], uploads: Mapping[str, UploadFile]
           ) -> tuple[dict[str, Any], dict[str, list[str]], list[StoredFile]]:
    data: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    stored: list[StoredFile] = []
    for field in fields:
        upload = uploads.get(field.name)
        if field.type is not FieldType.FILE or upload is None:
            continue
        try:
            kept = store.save(upload.file, upload.filename or "", upload.content_type,
                              max_size=field.max_size or 0, accept=field.accept)
        except FileRefused as exc:
            problems.setdefault(field.name, []).append(str(exc))
            continue
        stored.append(kept)
        data[field.name] = kept.value
    if problems:
        discard(store, stored)
        return {}, problems, []
    return data, problems, stored


def discard(store: FileStore, stored: Sequence[StoredFile]) -> None:
    for kept in stored:
        store.delete(kept.id)


def replaced(before: Mapping[str, Any], data: Mapping[str, Any]) -> list[str]:
    """Ids of the files an update replaced or cleared (to remove once it is saved)."""
    out = []
    for name, value in data.items():
        old = before.get(name)
        if isinstance(old, Mapping) and isinstance(old.get("id"), str) and (
                not isinstance(value, Mapping) or value.get("id") != old["id"]):
            out.append(old["id"])
    return out


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one as ``filename*`` (RFC 6266)."""
    fallback = _ASCII_NAME.sub("_", name) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


class FilePages(Pages):
    def __init__(self, runtime: Runtime, store: FileStore) -> None:
        super().__init__(runtime)
        self.store = store

    async def download(self, request: Request) -> Response:
        app, p, service = await self.open_app(request)
        entity = self.entity(app, p, request)
        name = request.path_params["field"]
        record = await run_in_threadpool(service.get, p, entity.name,
                                         int(request.path_params["id"]))
        field = entity.fields.get(name)
        value = record.get(name)
        missing = NotFound(f"This {entity.label} has no file called `{name}` you may see.")
        if field is None or field.type is not FieldType.FILE or not isinstance(value, Mapping):
            raise missing
        file_id = value.get("id")
        if not isinstance(file_id, str) or not self.store.exists(file_id):
            raise missing
        kind = value.get("type")
        media_type = kind if isinstance(kind, str) and kind in FILE_TYPES \
            else "application/octet-stream"
        shown = value.get("name")
        return FileResponse(self.store.path(file_id), media_type=media_type, headers={
            "Content-Disposition": content_disposition(safe_name(shown if isinstance(shown, str)
                                                                 else "file")),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, no-store",
        })

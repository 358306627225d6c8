"""The pages of an app: home, the app's navigation, lists, a record, its form, transitions.

Every read and write is one call to the engine's :class:`~apiary.engine.RecordService` for the
signed-in user; its refusals and field problems are shown on the page. Nothing here decides
who may do what: a button or an input that the user may not use is left out only as a
courtesy, and the engine refuses it anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from apiary.definition.compiled import CompiledApp, Entity, Field, Operation
from apiary.engine import (
    BadRequest,
    EngineError,
    FieldProblem,
    Forbidden,
    Invalid,
    ListQuery,
    NotFound,
    PreconditionFailed,
    Principal,
    RecordService,
    Runtime,
)
from apiary.settings import Settings
from apiary.storage.files import FileStore, StoredFile
from apiary.web import files, forms, present
from apiary.web.lookup import Refs
from apiary.web.rendering import Pages

CONFLICT = ("Someone else changed this record after you opened it, so nothing was saved. "
            "Open it again to see the current values, then make your change.")
DELETE_CONFLICT = ("Someone else changed this record after you opened it, so nothing was "
                   "deleted. Check its current values below, then delete it again if you "
                   "still want to.")
MAX_COMMENT = 10_000
MAX_DIGITS = 18
"""Longer versions than a 64-bit integer holds are not versions at all."""
RELATED_ROWS = 10


@dataclass(frozen=True, slots=True)
class Related:
    """One related list on a record's page: a few rows, the count, and where to see all."""

    field: Field
    target: Entity
    columns: list[str]
    """Column labels, after the title column."""
    rows: list[tuple[str, str, list[present.Shown]]]
    """(title, address, cells) per record."""
    total: int
    all_href: str
    new_href: str | None


class RecordPages(Pages):
    def __init__(self, runtime: Runtime, file_store: FileStore | None = None) -> None:
        super().__init__(runtime)
        self.file_store = file_store or FileStore(Settings.from_environment()["files_dir"])

    async def home(self, request: Request) -> Response:
        user = await self.user(request)
        apps = [app for name, app in sorted(self.runtime.apps.items()) if user.roles.get(name)]
        return self.render(request, "home.html", {"apps": apps})

    async def app_page(self, request: Request) -> Response:
        app, p, _ = await self.open_app(request)
        return self.render(request, "app.html", self.nav(app, p))

    async def detail_page(self, request: Request) -> Response:
        app, p, service = await self.open_app(request)
        entity = self.entity(app, p, request)
        record_id = int(request.path_params["id"])
        return await self._detail(request, app, p, service, entity, record_id, None)

    async def new_form(self, request: Request) -> Response:
        app, p, _ = await self.open_app(request)
        entity = self.entity(app, p, request)
        settable = {f.name for f in self._create_fields(app, entity, p)}
        given = {k: v for k, v in request.query_params.items() if k in settable}
        return await self._form(request, app, p, entity, None, given, {}, None)

    async def create(self, request: Request) -> Response:
        app, p, service = await self.open_app(request)
        entity = self.entity(app, p, request)
        form, uploads = await files.read_form(request)
        fields = self._create_fields(app, entity, p)
        stored: list[StoredFile] = []
        try:
            data = await run_in_threadpool(self._submitted, app, p, service, fields, form,
                                           uploads, stored, False)
            record = await run_in_threadpool(service.create, p, entity.name, data)
        except (Invalid, Forbidden) as exc:
            files.discard(self.file_store, stored)
            return await self._form(request, app, p, entity, None, form,
                                    _refused(entity, exc, uploads), exc, 422, submitted=True)
        except BaseException:
            files.discard(self.file_store, stored)
            raise
        return RedirectResponse(f"/{app.name}/{entity.name}/{record['id']}", status_code=303)

    async def edit_form(self, request: Request) -> Response:
        app, p, service = await self.open_app(request)
        entity = self.entity(app, p, request)
        record = await run_in_threadpool(service.get, p, entity.name,
                                         int(request.path_params["id"]))
        return await self._form(request, app, p, entity, record, record, {}, None)

    async def update(self, request: Request) -> Response:
        app, p, service = await self.open_app(request)
        entity = self.entity(app, p, request)
        record_id = int(request.path_params["id"])
        record = await run_in_threadpool(service.get, p, entity.name, record_id)
        form, uploads = await files.read_form(request)
        fields = forms.form_fields(entity, p.roles)
        version = _version(form)
        stored: list[StoredFile] = []
        try:
            data = await run_in_threadpool(self._submitted, app, p, service, fields, form,
                                           uploads, stored, True)
            await run_in_threadpool(service.update, p, entity.name, record_id, data, version)
        except (Invalid, Forbidden, PreconditionFailed) as exc:
            files.discard(self.file_store, stored)
            shown = {**record, **form, "row_version": version}
            return await self._form(request, app, p, entity, shown, form,
                                    _refused(entity, exc, uploads), exc,
                                    409 if isinstance(exc, PreconditionFailed) else 422,
                                    submitted=True)
        except BaseException:
            files.discard(self.file_store, stored)
            raise
        for file_id in files.replaced(record, data):
            self.file_store.delete(file_id)
        return RedirectResponse(f"/{app.name}/{entity.name}/{record_id}", status_code=303)

    async def transition(self, request: Request) -> Response:
        app, p, service = await self.open_app(request)
        entity = self.entity(app, p, request)
        record_id = int(request.path_params["id"])
        form = await self.checked_form(request)
        name = request.path_params["name"]
        comment = form.get("comment", "").strip() or None
        try:
            if comment is not None and len(comment) > MAX_COMMENT:
                raise BadRequest("comment", f"A comment can be at most {MAX_COMMENT} "
                                            "characters long; nothing was changed.")
            await run_in_threadpool(service.transition, p, entity.name, record_id, name,
                                    comment, _version(form))
        except EngineError as exc:
            if isinstance(exc, NotFound):
                raise
            return await self._detail(request, app, p, service, entity, record_id, exc,
                                      _status(exc), comment or "")
        return RedirectResponse(f"/{app.name}/{entity.name}/{record_id}", status_code=303)

    async def confirm_delete(self, request: Request) -> Response:
        """The record's page asking whether to delete it: a confirmation that needs no script."""
        app, p, service = await self.open_app(request)
        entity = self.entity(app, p, request)
        if not present.may(entity, p.roles, Operation.DELETE):
            raise Forbidden(f"Your role may not delete {entity.plural}.")
        record_id = int(request.path_params["id"])
        return await self._detail(request, app, p, service, entity, record_id, None,
                                  confirm=True)

    async def delete(self, request: Request) -> Response:
        app, p, service = await self.open_app(request)
        entity = self.entity(app, p, request)
        record_id = int(request.path_params["id"])
        form = await self.checked_form(request)
        try:
            held = await run_in_threadpool(service.delete, p, entity.name, record_id,
                                           _version(form))
        except EngineError as exc:
            if isinstance(exc, NotFound):
                raise
            return await self._detail(request, app, p, service, entity, record_id, exc,
                                      _status(exc), deleting=True)
        # Its files go with it, and those of the records deleted with it: nothing links to
        # them any more, and "deleted for everyone" must not leave a copy on disk.
        for file_id in held:
            self.file_store.delete(file_id)
        return RedirectResponse(f"/{app.name}/{entity.name}?deleted={record_id}",
                                status_code=303)

    # -- pieces ----------------------------------------------------------------------------
    def _create_fields(self, app: CompiledApp, entity: Entity,
                       p: Principal) -> list[Field]:
        view = present.form_view(app, entity, p.roles)
        return forms.form_fields(entity, p.roles, view.fields if view else ())

    async def _detail(self, request: Request, app: CompiledApp, p: Principal,
                      service: RecordService, entity: Entity, record_id: int,
                      error: EngineError | None, status_code: int = 200, comment: str = "",
                      *, confirm: bool = False, deleting: bool = False) -> Response:
        """The record's page: its fields, workflow, related records and history.

        ``error`` is what the engine refused (shown above the record), ``comment`` the
        transition comment to offer again after a refusal.
        """
        record, history, related = await run_in_threadpool(
            self._gather, app, p, service, entity, record_id)
        workflow = entity.workflow
        transitions = [workflow.transitions[n] for n in record.get("_transitions", ())
                       if workflow is not None and n in workflow.transitions]
        state = None
        if workflow is not None and record.get(workflow.field) is not None:
            state = workflow.state(record[workflow.field]).label
        may_edit = present.may(entity, p.roles, Operation.UPDATE) and bool(
            forms.form_fields(entity, p.roles))
        fields = [(present.label(entity, n),
                   present.value_of(app, entity, n, record[n], record_id))
                  for n in present.detail_fields(app, entity, record)]
        system = [(present.label(entity, n), present.value_of(app, entity, n, record[n]))
                  for n in present.SYSTEM_FACTS if n in record]
        entries = [{**h, "lines": present.changes(entity, h),
                    "source": present.state_label(entity, h.get("from")),
                    "target": present.state_label(entity, h.get("to"))}
                   for h in reversed(history)]
        message = _message(error)
        if deleting and isinstance(error, PreconditionFailed):
            message = DELETE_CONFLICT
        return self.render(request, "detail.html", {
            **self.nav(app, p), "entity": entity, "record": record, "state": state,
            "fields": [f for f in fields if not f[1].wide],
            "long_fields": [f for f in fields if f[1].wide], "system": system,
            "transitions": transitions, "comment": comment, "max_comment": MAX_COMMENT,
            "history": entries, "related": related, "may_edit": may_edit,
            "may_delete": present.may(entity, p.roles, Operation.DELETE),
            "confirm": confirm, "error": message}, status_code)

    def _gather(self, app: CompiledApp, p: Principal, service: RecordService, entity: Entity,
                record_id: int) -> tuple[dict[str, Any], list[dict[str, Any]], list[Related]]:
        """The record with its references expanded, its history, and its related lists."""
        readable = self.readable(entity, p)
        record = service.get(p, entity.name, record_id, present.ref_fields(entity, readable))
        history = service.history(p, entity.name, record_id)
        return record, history, [self._related(app, p, service, field, record_id)
                                 for field in present.related_fields(app, entity, p.roles)]

    def _related(self, app: CompiledApp, p: Principal, service: RecordService, field: Field,
                 record_id: int) -> Related:
        """The first few records of ``field`` (a ``has_many``) the user may read, and a count.

        One engine list call (the count included) on the target, filtered on its back-reference.
        """
        assert field.ref is not None and field.via is not None
        target = app.entities[field.ref]
        view = present.list_view(app, target, p.roles)
        readable = self.readable(target, p)
        names = present.related_columns(target, view, readable, field.via)
        sort = tuple(s for s in (view.sort if view else ()) if s.lstrip("-") in readable)
        expand = [n for n in present.ref_fields(target, readable) if n in names]
        page = service.list(p, target.name, ListQuery(
            equals={field.via: str(record_id)}, sort=sort, limit=RELATED_ROWS, count=True,
            expand=tuple(expand)))
        rows = [(present.title(target, r), f"/{app.name}/{target.name}/{r['id']}",
                 [present.value_of(app, target, n, r.get(n), r["id"]) for n in names])
                for r in page.items]
        creatable = present.may(target, p.roles, Operation.CREATE) and field.via in {
            f.name for f in self._create_fields(app, target, p)}
        base = f"/{app.name}/{target.name}"
        query = urlencode({field.via: record_id})
        return Related(field=field, target=target,
                       columns=[present.label(target, n) for n in names], rows=rows,
                       total=page.total or 0, all_href=f"{base}?{query}",
                       new_href=f"{base}/new?{query}" if creatable else None)

    async def _form(self, request: Request, app: CompiledApp, p: Principal, entity: Entity,
                    record: Mapping[str, Any] | None, values: Mapping[str, Any],
                    errors: Mapping[str, list[str]], error: EngineError | None,
                    status_code: int = 200, *, submitted: bool = False) -> Response:
        """The create or edit form; ``values`` is a record, or the form as the user sent it
        (``submitted``), so that what they typed is shown again."""
        fields = forms.form_fields(entity, p.roles) if record is not None \
            else self._create_fields(app, entity, p)
        shown = {f.name for f in fields}
        elsewhere = [m for name, messages in errors.items() if name not in shown
                     for m in messages]
        refs = Refs(self.runtime.db, self.runtime.records(app.name), app, p)
        document_app = app.document.get("app")
        currency = document_app.get("currency") if isinstance(document_app, Mapping) else None

        def build() -> list[forms.Input]:
            return forms.inputs(fields, values, errors, refs=refs, submitted=submitted,
                                app_currency=currency if isinstance(currency, str) else None)

        return self.render(request, "form.html", {
            **self.nav(app, p), "entity": entity, "record": record,
            "inputs": await run_in_threadpool(build), "error": _message(error),
            "multipart": forms.has_files(fields), "record_errors": elsewhere}, status_code)

    def _submitted(self, app: CompiledApp, p: Principal, service: RecordService,
                   fields: list[Field], form: Mapping[str, str],
                   uploads: Mapping[str, UploadFile], stored: list[StoredFile],
                   partial: bool) -> dict[str, Any]:
        """The data to send to the engine: the form's values, references resolved and the
        chosen files stored (added to ``stored``). Raises :class:`Invalid` for what is wrong
        before the engine is asked."""
        try:
            data, problems = forms.parse(fields, form, partial=partial,
                                         refs=Refs(self.runtime.db, service, app, p))
        except BaseException:
            files.close_uploads(uploads)
            raise
        if problems:
            files.close_uploads(uploads)
            raise Invalid([FieldProblem(n, "invalid", m) for n, ms in problems.items()
                           for m in ms])
        uploaded, problems, kept = files.store_uploads(self.file_store, fields, uploads)
        stored.extend(kept)
        if problems:
            raise Invalid([FieldProblem(n, "invalid_file", m) for n, ms in problems.items()
                           for m in ms])
        return {**data, **uploaded}


def _version(form: Mapping[str, str]) -> int | None:
    """The form's ``row_version``; one that is not a version matches no record (a conflict)."""
    raw = form.get("row_version", "")
    if not raw:
        return None
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS else 0


def _problems(entity: Entity, exc: EngineError) -> dict[str, list[str]]:
    """Field name -> messages; the engine's short ones ("is required") get the field's label."""
    out: dict[str, list[str]] = {}
    for problem in exc.errors:
        message = problem.message
        if message[:1].islower():
            message = f"{present.label(entity, problem.field)} {message}."
        out.setdefault(problem.field, []).append(message)
    return out


def _refused(entity: Entity, exc: EngineError,
             uploads: Mapping[str, UploadFile]) -> dict[str, list[str]]:
    """The problems to show, plus a reminder on each file input whose file was not kept."""
    out = _problems(entity, exc)
    for name in uploads:
        if name in entity.fields and not out.get(name):
            out[name] = ["Choose the file again: files are not kept when the form has "
                         "mistakes."]
    return out


def _status(exc: EngineError) -> int:
    return 409 if isinstance(exc, PreconditionFailed) else exc.status


def _message(error: EngineError | None) -> str | None:
    if error is None:
        return None
    if isinstance(error, PreconditionFailed):
        return CONFLICT
    return error.detail

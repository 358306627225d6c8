"""The pages of an app: home, the app's navigation, lists, a record, its form, transitions.

Every read and write is one call to the engine's :class:`~apiary.engine.RecordService` for the
signed-in user; its refusals and field problems are shown on the page. Nothing here decides
who may do what: a button or an input that the user may not use is left out only as a
courtesy, and the engine refuses it anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from apiary.definition.compiled import CompiledApp, Entity, Field, Operation
from apiary.engine import (
    EngineError,
    Forbidden,
    Invalid,
    ListQuery,
    NotFound,
    PreconditionFailed,
    Principal,
    RecordService,
)
from apiary.engine.permissions import may_read_field
from apiary.web import forms, present
from apiary.web.rendering import Pages
from apiary.web.security import check_csrf

PAGE_SIZE = 25
CONFLICT = ("Someone else changed this record after you opened it, so nothing was saved. "
            "Open it again to see the current values, then make your change.")


class RecordPages(Pages):
    async def home(self, request: Request) -> Response:
        user = await self.user(request)
        apps = [app for name, app in sorted(self.runtime.apps.items()) if user.roles.get(name)]
        return self.render(request, "home.html", {"apps": apps})

    async def app_page(self, request: Request) -> Response:
        app, p, _ = await self._open(request)
        return self.render(request, "app.html", self._nav(app, p))

    async def list_page(self, request: Request) -> Response:
        app, p, service = await self._open(request)
        entity = self._entity(app, p, request)
        view = present.list_view(app, entity, p.roles)
        q = request.query_params.get("q", "")
        readable = frozenset(self._readable(entity, p))
        conditions = [c for c in (view.filter.source if view and view.filter else None,
                                  present.search_filter(entity, view, readable, q)) if c]
        query = ListQuery(filter=" && ".join(f"({c})" for c in conditions) or None,
                          sort=tuple(view.sort) if view else (), limit=PAGE_SIZE,
                          after=request.query_params.get("after") or None)
        page = await run_in_threadpool(service.list, p, entity.name, query)
        names = [n for n in present.columns(entity, view) if n in readable]
        return self.render(request, "list.html", {
            **self._nav(app, p), "entity": entity, "view": view, "columns": names,
            "page": page, "q": q,
            "may_create": present.may(entity, p.roles, Operation.CREATE)})

    async def detail_page(self, request: Request) -> Response:
        app, p, service = await self._open(request)
        entity = self._entity(app, p, request)
        record_id = int(request.path_params["id"])
        record = await run_in_threadpool(service.get, p, entity.name, record_id)
        history = await run_in_threadpool(service.history, p, entity.name, record_id)
        return self._detail(request, app, p, entity, record, history, None)

    async def new_form(self, request: Request) -> Response:
        app, p, _ = await self._open(request)
        entity = self._entity(app, p, request)
        return self._form(request, app, p, entity, None, {}, {}, None)

    async def create(self, request: Request) -> Response:
        app, p, service = await self._open(request)
        entity = self._entity(app, p, request)
        form = await self._checked_form(request)
        fields = self._create_fields(app, entity, p)
        data = forms.parse(fields, form, partial=False)
        try:
            record = await run_in_threadpool(service.create, p, entity.name, data)
        except (Invalid, Forbidden) as exc:
            return self._form(request, app, p, entity, None, form, _problems(entity, exc), exc, 422)
        return RedirectResponse(f"/{app.name}/{entity.name}/{record['id']}", status_code=303)

    async def edit_form(self, request: Request) -> Response:
        app, p, service = await self._open(request)
        entity = self._entity(app, p, request)
        record = await run_in_threadpool(service.get, p, entity.name,
                                         int(request.path_params["id"]))
        return self._form(request, app, p, entity, record, record, {}, None)

    async def update(self, request: Request) -> Response:
        app, p, service = await self._open(request)
        entity = self._entity(app, p, request)
        record_id = int(request.path_params["id"])
        form = await self._checked_form(request)
        record = await run_in_threadpool(service.get, p, entity.name, record_id)
        fields = forms.form_fields(entity, p.roles)
        data = forms.parse(fields, form, partial=True)
        version = _version(form)
        try:
            await run_in_threadpool(service.update, p, entity.name, record_id, data, version)
        except (Invalid, Forbidden, PreconditionFailed) as exc:
            shown = {**record, **form, "row_version": version}
            return self._form(request, app, p, entity, shown, form, _problems(entity, exc), exc,
                              409 if isinstance(exc, PreconditionFailed) else 422)
        return RedirectResponse(f"/{app.name}/{entity.name}/{record_id}", status_code=303)

    async def transition(self, request: Request) -> Response:
        app, p, service = await self._open(request)
        entity = self._entity(app, p, request)
        record_id = int(request.path_params["id"])
        form = await self._checked_form(request)
        name = request.path_params["name"]
        try:
            await run_in_threadpool(service.transition, p, entity.name, record_id, name,
                                    None, _version(form))
        except (Invalid, Forbidden, PreconditionFailed, EngineError) as exc:
            if isinstance(exc, NotFound):
                raise
            record = await run_in_threadpool(service.get, p, entity.name, record_id)
            history = await run_in_threadpool(service.history, p, entity.name, record_id)
            return self._detail(request, app, p, entity, record, history, exc,
                                409 if isinstance(exc, PreconditionFailed) else exc.status)
        return RedirectResponse(f"/{app.name}/{entity.name}/{record_id}", status_code=303)

    # -- pieces ----------------------------------------------------------------------------
    async def _open(self, request: Request) -> tuple[CompiledApp, Principal, RecordService]:
        user = await self.user(request)
        name = request.path_params["app"]
        if name not in self.runtime.apps or not user.roles.get(name):
            raise NotFound(f"There is no app `{name}` you may use.")
        service = self.runtime.records(name)
        return service.app.app, self.principal(request, user, name), service

    def _entity(self, app: CompiledApp, p: Principal, request: Request) -> Entity:
        entity = app.entities.get(request.path_params["entity"])
        if entity is None or not present.may_read(entity, p.roles):
            raise NotFound(f"{app.title} has nothing called `{request.path_params['entity']}`.")
        return entity

    def _readable(self, entity: Entity, p: Principal) -> list[str]:
        return ["id", "created_at", "updated_at", *(
            f.name for f in entity.fields.values() if may_read_field(f, p.roles))]

    def _nav(self, app: CompiledApp, p: Principal) -> dict[str, Any]:
        return {"app": app, "entities": [e for e in app.entities.values()
                                         if present.may_read(e, p.roles)]}

    def _create_fields(self, app: CompiledApp, entity: Entity,
                       p: Principal) -> list[Field]:
        view = present.form_view(app, entity, p.roles)
        return forms.form_fields(entity, p.roles, view.fields if view else ())

    async def _checked_form(self, request: Request) -> dict[str, str]:
        form = await request.form()
        check_csrf(request.session, form.get("csrf"))
        return {k: v for k, v in form.items() if isinstance(v, str)}

    def _detail(self, request: Request, app: CompiledApp, p: Principal, entity: Entity,
                record: Mapping[str, Any], history: list[dict[str, Any]],
                error: EngineError | None, status_code: int = 200) -> Response:
        workflow = entity.workflow
        transitions = [workflow.transitions[n] for n in record.get("_transitions", ())
                       if workflow is not None and n in workflow.transitions]
        state = None
        if workflow is not None and record.get(workflow.field) is not None:
            state = workflow.state(record[workflow.field]).label
        may_edit = present.may(entity, p.roles, Operation.UPDATE) and bool(
            forms.form_fields(entity, p.roles))
        return self.render(request, "detail.html", {
            **self._nav(app, p), "entity": entity, "record": record, "state": state,
            "fields": present.detail_fields(app, entity, record), "transitions": transitions,
            "history": list(reversed(history)), "may_edit": may_edit,
            "error": _message(error)}, status_code)

    def _form(self, request: Request, app: CompiledApp, p: Principal, entity: Entity,
              record: Mapping[str, Any] | None, values: Mapping[str, Any],
              errors: Mapping[str, list[str]], error: EngineError | None,
              status_code: int = 200) -> Response:
        fields = forms.form_fields(entity, p.roles) if record is not None \
            else self._create_fields(app, entity, p)
        shown = {f.name for f in fields}
        elsewhere = [m for name, messages in errors.items() if name not in shown
                     for m in messages]
        return self.render(request, "form.html", {
            **self._nav(app, p), "entity": entity, "record": record,
            "inputs": forms.inputs(fields, values, errors), "error": _message(error),
            "record_errors": elsewhere}, status_code)


def _version(form: Mapping[str, str]) -> int | None:
    raw = form.get("row_version", "")
    return int(raw) if raw.isdigit() else None


def _problems(entity: Entity, exc: EngineError) -> dict[str, list[str]]:
    """Field name -> messages; the engine's short ones ("is required") get the field's label."""
    out: dict[str, list[str]] = {}
    for problem in exc.errors:
        message = problem.message
        if message[:1].islower():
            message = f"{present.label(entity, problem.field)} {message}."
        out.setdefault(problem.field, []).append(message)
    return out


def _message(error: EngineError | None) -> str | None:
    if error is None:
        return None
    if isinstance(error, PreconditionFailed):
        return CONFLICT
    return error.detail

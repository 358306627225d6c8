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
    NotFound,
    PreconditionFailed,
    Principal,
)
from apiary.web import forms, present
from apiary.web.rendering import Pages

CONFLICT = ("Someone else changed this record after you opened it, so nothing was saved. "
            "Open it again to see the current values, then make your change.")


class RecordPages(Pages):
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
        record = await run_in_threadpool(service.get, p, entity.name, record_id)
        history = await run_in_threadpool(service.history, p, entity.name, record_id)
        return self._detail(request, app, p, entity, record, history, None)

    async def new_form(self, request: Request) -> Response:
        app, p, _ = await self.open_app(request)
        entity = self.entity(app, p, request)
        return self._form(request, app, p, entity, None, {}, {}, None)

    async def create(self, request: Request) -> Response:
        app, p, service = await self.open_app(request)
        entity = self.entity(app, p, request)
        form = await self.checked_form(request)
        fields = self._create_fields(app, entity, p)
        data = forms.parse(fields, form, partial=False)
        try:
            record = await run_in_threadpool(service.create, p, entity.name, data)
        except (Invalid, Forbidden) as exc:
            return self._form(request, app, p, entity, None, form, _problems(entity, exc), exc, 422)
        return RedirectResponse(f"/{app.name}/{entity.name}/{record['id']}", status_code=303)

    async def edit_form(self, request: Request) -> Response:
        app, p, service = await self.open_app(request)
        entity = self.entity(app, p, request)
        record = await run_in_threadpool(service.get, p, entity.name,
                                         int(request.path_params["id"]))
        return self._form(request, app, p, entity, record, record, {}, None)

    async def update(self, request: Request) -> Response:
        app, p, service = await self.open_app(request)
        entity = self.entity(app, p, request)
        record_id = int(request.path_params["id"])
        form = await self.checked_form(request)
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
        app, p, service = await self.open_app(request)
        entity = self.entity(app, p, request)
        record_id = int(request.path_params["id"])
        form = await self.checked_form(request)
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
    def _create_fields(self, app: CompiledApp, entity: Entity,
                       p: Principal) -> list[Field]:
        view = present.form_view(app, entity, p.roles)
        return forms.form_fields(entity, p.roles, view.fields if view else ())

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
            **self.nav(app, p), "entity": entity, "record": record, "state": state,
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
            **self.nav(app, p), "entity": entity, "record": record,
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

"""What every page handler shares: templates, the signed-in user, and turning errors into pages.

Templates are Jinja2 with autoescaping on, so a value from a record is always shown as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from apiary.definition.compiled import CompiledApp, Entity, View
from apiary.engine import NotFound, Principal, RecordService, Runtime, may_read_field
from apiary.identity import SessionUser, session_user
from apiary.web import present
from apiary.web.security import check_csrf, csrf_token

HERE: Final = Path(__file__).parent
USER_KEY: Final = "user_id"


class LoginRequired(Exception):
    """Raised by a handler that needs a signed-in user; answered with a redirect to /login."""


class Pages:
    """Base of the page handlers: one per site, holding the runtime and the templates."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        env = Environment(loader=FileSystemLoader(HERE / "templates"),
                          autoescape=select_autoescape(default=True, default_for_string=True))
        env.globals.update(label=present.label, shown=present.shown, title=present.title)
        self.templates = Jinja2Templates(env=env)

    def render(self, request: Request, name: str, context: Mapping[str, Any],
               status_code: int = 200) -> Response:
        full = {"csrf": csrf_token(request.session),
                "user": getattr(request.state, "user", None), **context}
        response = self.templates.TemplateResponse(request, name, full, status_code=status_code)
        response.headers["Cache-Control"] = "no-store"
        return response

    async def user(self, request: Request) -> SessionUser:
        """The signed-in user, or :class:`LoginRequired`."""
        user_id = request.session.get(USER_KEY)
        user = None if not isinstance(user_id, int) else await run_in_threadpool(
            session_user, self.runtime.db, user_id)
        if user is None:
            request.session.pop(USER_KEY, None)
            raise LoginRequired
        request.state.user = user
        return user

    def principal(self, request: Request, user: SessionUser, app: str) -> Principal:
        return Principal(user_id=user.id, email=user.email,
                         roles=user.roles.get(app, frozenset()),
                         request_id=request.headers.get("x-request-id"))

    async def open_app(self, request: Request) -> tuple[CompiledApp, Principal, RecordService]:
        """The app named in the path, the signed-in user's principal in it, and its records.

        An app the user has no role in is answered as if it did not exist.
        """
        user = await self.user(request)
        name = request.path_params["app"]
        if name not in self.runtime.apps or not user.roles.get(name):
            raise NotFound(f"There is no app `{name}` you may use.")
        service = self.runtime.records(name)
        return service.app.app, self.principal(request, user, name), service

    def entity(self, app: CompiledApp, p: Principal, request: Request) -> Entity:
        """The entity named in the path, if some role of ``p`` may read it."""
        entity = app.entities.get(request.path_params["entity"])
        if entity is None or not present.may_read(entity, p.roles):
            raise NotFound(f"{app.title} has nothing called `{request.path_params['entity']}`.")
        return entity

    def view(self, app: CompiledApp, p: Principal, request: Request, kind: str) -> View:
        """The view of type ``kind`` named in the path, if ``p`` sees it in navigation."""
        view = app.views.get(request.path_params["view"])
        if view is None or view.type != kind or view not in present.views(app, p.roles, kind):
            raise NotFound(f"{app.title} has no {kind} called `{request.path_params['view']}`.")
        return view

    @staticmethod
    def readable(entity: Entity, p: Principal) -> list[str]:
        """The names of the fields ``p`` may read, system fields first."""
        return ["id", "created_at", "updated_at", *(
            f.name for f in entity.fields.values() if may_read_field(f, p.roles))]

    @staticmethod
    def nav(app: CompiledApp, p: Principal) -> dict[str, Any]:
        """What every page of an app shows in its navigation."""
        return {"app": app,
                "entities": [e for e in app.entities.values() if present.may_read(e, p.roles)],
                "boards": present.views(app, p.roles, "board"),
                "dashboards": present.views(app, p.roles, "dashboard")}

    @staticmethod
    async def checked_form(request: Request) -> dict[str, str]:
        """The posted form's text fields, once its CSRF token matched the session's."""
        form = await request.form()
        check_csrf(request.session, form.get("csrf"))
        return {k: v for k, v in form.items() if isinstance(v, str)}


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def safe_next(value: object) -> str:
    """A redirect target after signing in: a path on this site only."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//") \
            and "\\" not in value:
        return value
    return "/"

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

from apiary.engine import Principal, Runtime
from apiary.identity import SessionUser, session_user
from apiary.web import present
from apiary.web.security import csrf_token

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


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def safe_next(value: object) -> str:
    """A redirect target after signing in: a path on this site only."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//") \
            and "\\" not in value:
        return value
    return "/"

"""Signing in with an e-mail address and a password, and signing out.

Signing in replaces the session (a new CSRF token too), so a session id planted before sign-in
is worth nothing after it. Wrong addresses and wrong passwords get the same message.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from apiary.engine import Runtime
from apiary.identity import normalize_email, verify_password
from apiary.web.rendering import USER_KEY, Pages, safe_next
from apiary.web.security import LoginThrottle, check_csrf


class Auth(Pages):
    def __init__(self, runtime: Runtime, throttle: LoginThrottle | None = None) -> None:
        super().__init__(runtime)
        self.throttle = throttle or LoginThrottle()

    async def login_form(self, request: Request) -> Response:
        return self.render(request, "login.html", {
            "next": safe_next(request.query_params.get("next")), "email": "", "error": None})

    async def login(self, request: Request) -> Response:
        form = await request.form()
        check_csrf(request.session, form.get("csrf"))
        email = normalize_email(str(form.get("email", "")))
        password = str(form.get("password", ""))
        target = safe_next(form.get("next"))
        # behind a reverse proxy this is the proxy's address unless the server trusts its
        # X-Forwarded-For (``apiary.api.server.serve(proxy_headers=True)``)
        client = request.client.host if request.client else ""
        wait = self.throttle.wait_seconds(email, client)
        if wait:
            return self._failed(request, email, target, f"Too many failed attempts. Try again "
                                                        f"in {wait} seconds.", 429)
        user_id = await run_in_threadpool(verify_password, self.runtime.db, email, password)
        if user_id is None:
            self.throttle.failed(email, client)
            return self._failed(request, email, target, "The e-mail address or the password "
                                                        "is not right.", 401)
        self.throttle.succeeded(email, client)
        request.session.clear()
        request.session[USER_KEY] = user_id
        return RedirectResponse(target, status_code=303)

    async def logout(self, request: Request) -> Response:
        form = await request.form()
        check_csrf(request.session, form.get("csrf"))
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    def _failed(self, request: Request, email: str, target: str, error: str,
                status: int) -> Response:
        return self.render(request, "login.html", {"next": target, "email": email,
                                                   "error": error}, status)

"""CSRF tokens for every form, and a back-off that slows down password guessing.

The CSRF token is random per session and sent back in a hidden ``csrf`` field; a POST without
the session's token is refused before anything else is looked at. Session cookies are also
``SameSite=Lax``, so this is the second of two defences, not the only one.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable, MutableMapping
from typing import Any, Final

CSRF_KEY: Final = "csrf"
FREE_ATTEMPTS: Final = 3
MAX_DELAY_SECONDS: Final = 300.0
MAX_TRACKED: Final = 10_000


class CsrfError(Exception):
    """A POST without the token of its session (expired session, or another site's form)."""


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's token, created with the session."""
    token = session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = session[CSRF_KEY] = secrets.token_urlsafe(32)
    return token


def check_csrf(session: MutableMapping[str, Any], sent: object) -> None:
    expected = session.get(CSRF_KEY)
    if not isinstance(expected, str) or not isinstance(sent, str) or not hmac.compare_digest(
            expected.encode(), sent.encode()):
        raise CsrfError


class LoginThrottle:
    """Failed sign-ins per e-mail address: after a few, each next try must wait longer.

    The delay doubles with every failure (1 s, 2 s, 4 s ... up to five minutes) and a success
    clears it. Kept in memory, per process: enough to make guessing slow without locking
    anybody out for good.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}

    def wait_seconds(self, email: str) -> int:
        """How long ``email`` must wait before the next attempt is even checked (0: now)."""
        count, last = self._failures.get(email, (0, 0.0))
        if count < FREE_ATTEMPTS:
            return 0
        delay = min(2.0 ** (count - FREE_ATTEMPTS), MAX_DELAY_SECONDS)
        remaining = last + delay - self._clock()
        return max(0, int(remaining + 0.999))

    def failed(self, email: str) -> None:
        if len(self._failures) >= MAX_TRACKED:
            self._failures.clear()
        count, _ = self._failures.get(email, (0, 0.0))
        self._failures[email] = (count + 1, self._clock())

    def succeeded(self, email: str) -> None:
        self._failures.pop(email, None)

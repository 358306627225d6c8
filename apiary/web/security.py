"""CSRF tokens for every form, and a back-off that slows down password guessing.

The CSRF token is random per session and sent back in a hidden ``csrf`` field; a POST without
the session's token is refused before anything else is looked at. Session cookies are also
``SameSite=Lax``, so this is the second of two defences, not the only one.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, MutableMapping
from typing import Any, Final

CSRF_KEY: Final = "csrf"
FREE_ATTEMPTS: Final = 3
FREE_PER_CLIENT: Final = 20
FREE_PER_EMAIL: Final = 20
MAX_DELAY_SECONDS: Final = 300.0
MAX_EMAIL_DELAY_SECONDS: Final = 60.0
FORGET_AFTER_SECONDS: Final = 900.0
MAX_TRACKED: Final = 30_000


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
    """Failed sign-ins slow down the next attempt, without letting anyone lock a user out.

    Failures are counted three ways, and an attempt waits for the longest of them:

    - per e-mail address *and* client address: after 3 failures each next try waits twice as
      long (1 s, 2 s, 4 s ... up to five minutes). Someone guessing from elsewhere does not
      slow down the real user, who signs in from their own address;
    - per client address, over every e-mail: after 20 failures, the same doubling, so that one
      machine cannot try a password against many accounts;
    - per e-mail, over every client address: after 20 failures, doubling up to one minute only,
      which slows guessing spread over many machines while costing the real user a minute at
      worst.

    A success clears the counts of that e-mail, never those of the client address (else one
    valid account would reset a guesser's count). Counts are forgotten 15 minutes after the
    last failure. Kept in memory, per process, at most ``max_tracked`` counts: when full, the
    stalest goes first, so that flooding with new addresses cannot wipe a recent count.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 max_tracked: int = MAX_TRACKED) -> None:
        self._clock = clock
        self._max_tracked = max_tracked
        self._failures: OrderedDict[tuple[str, str], tuple[int, float]] = OrderedDict()

    def wait_seconds(self, email: str, client: str = "") -> int:
        """How long the next attempt must wait before it is even checked (0: now)."""
        now = self._clock()
        waits = [self._wait(("pair", f"{email}\n{client}"), FREE_ATTEMPTS, MAX_DELAY_SECONDS, now),
                 self._wait(("client", client), FREE_PER_CLIENT, MAX_DELAY_SECONDS, now),
                 self._wait(("email", email), FREE_PER_EMAIL, MAX_EMAIL_DELAY_SECONDS, now)]
        return max(waits)

    def failed(self, email: str, client: str = "") -> None:
        now = self._clock()
        for key in (("pair", f"{email}\n{client}"), ("client", client), ("email", email)):
            count, last = self._failures.pop(key, (0, 0.0))
            if now - last > FORGET_AFTER_SECONDS:
                count = 0
            self._failures[key] = (count + 1, now)
        while len(self._failures) > self._max_tracked:
            self._failures.popitem(last=False)

    def succeeded(self, email: str, client: str = "") -> None:
        self._failures.pop(("pair", f"{email}\n{client}"), None)
        self._failures.pop(("email", email), None)

    def _wait(self, key: tuple[str, str], free: int, cap: float, now: float) -> int:
        count, last = self._failures.get(key, (0, 0.0))
        if count < free or now - last > FORGET_AFTER_SECONDS:
            return 0
        delay = min(2.0 ** (count - free), cap)
        return max(0, int(last + delay - now + 0.999))

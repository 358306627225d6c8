"""``runtime.identity``: from a bearer token to the :class:`Principal` of a request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa

from apiary.engine.errors import Unauthorized
from apiary.engine.principal import Principal
from apiary.identity import TokenAuthenticator

UNAUTHORIZED = ("The token is not valid: it is unknown, revoked or expired. Create a new one "
                "with `apiary tokens create`.")


class Authenticator:
    def __init__(self, db: sa.Engine, clock: Callable[[], datetime]) -> None:
        self._tokens = TokenAuthenticator(db)
        self._clock = clock

    def authenticate(self, token: str, app: str | None,
                     request_id: str | None = None) -> Principal:
        """The principal ``token`` stands for, with their roles in ``app``.

        Raises :class:`Unauthorized` with one message for every kind of bad token.
        """
        now = self._clock().astimezone(UTC).replace(tzinfo=None)
        found = self._tokens.authenticate(token, app, now)
        if found is None:
            raise Unauthorized(UNAUTHORIZED)
        return Principal(user_id=found.user_id, email=found.email, roles=found.roles,
                         request_id=request_id)

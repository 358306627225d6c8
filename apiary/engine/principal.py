"""Who is asking: the principal every engine call is made for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from apiary.definition.compiled import ADMIN_ROLE
from apiary.expr import EvalContext


@dataclass(frozen=True, slots=True)
class Principal:
    """A user (or nobody) with their roles in the app being used.

    Surfaces get one from ``runtime.identity.authenticate``; jobs and importers build one
    themselves. ``request_id`` is recorded in the audit trail to tie entries to a request.
    """

    user_id: int | None
    email: str | None
    roles: frozenset[str]
    request_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.roles, frozenset):
            object.__setattr__(self, "roles", frozenset(self.roles))

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles

    def context(self, now: datetime) -> EvalContext:
        """What expressions see as ``user`` and ``now`` for this principal."""
        return EvalContext(user_id=self.user_id, user_email=self.email, user_roles=self.roles,
                           now=now)

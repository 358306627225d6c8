"""The per-request values an expression may read besides the record: who and when.

The engine builds one :class:`EvalContext` per request (or per job run) and passes it to the
compiled Python function and to ``compile_sql``; nothing in this package reads a clock or a
session by itself, so tests and replays can pin both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime


@dataclass(frozen=True)
class EvalContext:
    """``user.id``/``user.email``/``user.roles`` and ``now`` (timezone-aware); ``today`` is
    the UTC date of ``now``."""

    user_id: int | None
    user_email: str | None
    user_roles: frozenset[str]
    now: datetime

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise ValueError("EvalContext.now must be timezone-aware (use datetime.now(UTC))")
        if not isinstance(self.user_roles, frozenset):
            object.__setattr__(self, "user_roles", frozenset(self.user_roles))

    @property
    def now_utc(self) -> datetime:
        """``now`` as naive UTC, the form in which date-time columns are stored."""
        return self.now.astimezone(UTC).replace(tzinfo=None)

    @property
    def today(self) -> date:
        return self.now.astimezone(UTC).date()

    @classmethod
    def create(cls, *, user_id: int | None = None, email: str | None = None,
               roles: Iterable[str] = (), now: datetime | None = None) -> EvalContext:
        """A context with defaults: nobody signed in, the current time."""
        return cls(user_id=user_id, user_email=email, user_roles=frozenset(roles),
                   now=now if now is not None else datetime.now(UTC))

"""The runtime: the published app versions and the services built on them.

One explicit object wires the engine (no module-level state), so a test or a process can run
two side by side. Publishing a new app version builds its :class:`AppPlan` and replaces one
reference; a request that already holds a :class:`RecordService` finishes on the version it
started with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType

import sqlalchemy as sa

from apiary.definition.compiled import CompiledApp
from apiary.engine.authentication import Authenticator
from apiary.engine.errors import NotFound
from apiary.engine.plans import AppPlan
from apiary.engine.records import RecordService


def _now() -> datetime:
    return datetime.now(UTC)


class Runtime:
    """Apps served from one database.

    ``clock`` returns the current time (timezone-aware); it is a parameter so that jobs and
    tests can pin ``now``.
    """

    def __init__(self, db: sa.Engine, apps: Sequence[CompiledApp] = (), *,
                 clock: Callable[[], datetime] = _now) -> None:
        self.db = db
        self._clock = clock
        self._dialect = db.dialect.name
        self._plans: Mapping[str, AppPlan] = MappingProxyType({})
        self.identity = Authenticator(db, clock)
        for app in apps:
            self.publish(app)

    def publish(self, app: CompiledApp) -> None:
        """Serve ``app`` (a new app, or a new version of one); its tables must be migrated."""
        plan = AppPlan(app, self._dialect)
        self._plans = MappingProxyType({**self._plans, app.name: plan})

    @property
    def apps(self) -> Mapping[str, CompiledApp]:
        return MappingProxyType({name: plan.app for name, plan in self._plans.items()})

    def records(self, app_name: str) -> RecordService:
        plan = self._plans.get(app_name)
        if plan is None:
            raise NotFound(f"There is no app `{app_name}`.")
        return RecordService(self.db, plan, self._clock)

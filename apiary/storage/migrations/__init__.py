"""Migrations: plan the steps from the live database to an app's tables, then apply them.

    plan(app, engine) -> MigrationPlan          reads the database, changes nothing
    apply(plan, engine, allow_destructive=False) -> MigrationResult
    last_migration(engine, app) -> MigrationRecord | None
"""

from apiary.storage.migrations.applier import apply
from apiary.storage.migrations.history import MigrationRecord, last_migration
from apiary.storage.migrations.planner import plan
from apiary.storage.migrations.steps import MigrationPlan, MigrationResult, Step, StepKind

__all__ = [
    "MigrationPlan",
    "MigrationRecord",
    "MigrationResult",
    "Step",
    "StepKind",
    "apply",
    "last_migration",
    "plan",
]

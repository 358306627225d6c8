"""Storage: database engines, the tables of a compiled app, and migrations.

    connect(url) -> Engine                        SQLite (WAL, foreign keys, transactional DDL)
                                                  or PostgreSQL (psycopg 3)
    AppTables(app)                                the app's tables and the system tables;
                                                  .table(entity), .columns(entity)
    plan(app, engine) -> MigrationPlan            what would change; .to_text(), .to_data()
    apply(plan, engine, allow_destructive=False)  all steps in one transaction
    last_migration(engine, app)                   the latest recorded migration of an app

Errors are drawn in :mod:`apiary.storage.errors`.
"""

from apiary.storage.database import BEGIN_IMMEDIATE, connect
from apiary.storage.errors import (
    BlockedMigration,
    DatabaseUnavailable,
    DatabaseURLError,
    DestructiveMigration,
    MigrationConflict,
    MigrationError,
    SchemaError,
    StorageError,
)
from apiary.storage.migrations import (
    MigrationPlan,
    MigrationRecord,
    MigrationResult,
    Step,
    StepKind,
    apply,
    last_migration,
    plan,
)
from apiary.storage.system import MIGRATIONS, SYSTEM_TABLES, USERS
from apiary.storage.tables import AppTables

__all__ = [
    "BEGIN_IMMEDIATE",
    "MIGRATIONS",
    "SYSTEM_TABLES",
    "USERS",
    "AppTables",
    "BlockedMigration",
    "DatabaseURLError",
    "DatabaseUnavailable",
    "DestructiveMigration",
    "MigrationConflict",
    "MigrationError",
    "MigrationPlan",
    "MigrationRecord",
    "MigrationResult",
    "SchemaError",
    "Step",
    "StepKind",
    "StorageError",
    "apply",
    "connect",
    "last_migration",
    "plan",
]

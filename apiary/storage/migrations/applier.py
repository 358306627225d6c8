"""The migration applier: every step in one transaction, archived first, recorded last.

:func:`apply` refuses a plan with blocked steps, and one with destructive steps unless they are
allowed, before touching anything. Then, in one transaction (holding the write lock: ``BEGIN
IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL), it plans again and refuses if the
database no longer matches the plan, applies the steps in the order of
:class:`~apiary.storage.migrations.steps.StepKind`, and records the migration in
``apiary_migrations``. Any failure rolls everything back -- DDL included, on SQLite too, see
:mod:`apiary.storage.database` -- and is raised as a :class:`MigrationError` that names the step,
the table and column, and the row when a value could not be converted.

PostgreSQL changes tables with ``ALTER TABLE``. SQLite does what its ``ALTER TABLE`` can (rename
table and column, add an optional column) and rebuilds a table for anything else
(:mod:`~apiary.storage.migrations.rebuild`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from apiary.storage import naming
from apiary.storage.column_info import info_of
from apiary.storage.database import BEGIN_IMMEDIATE
from apiary.storage.errors import (
    BlockedMigration,
    DestructiveMigration,
    MigrationConflict,
    MigrationError,
)
from apiary.storage.migrations import archive, rebuild
from apiary.storage.migrations.conversions import backfill
from apiary.storage.migrations.history import finish_record, start_record
from apiary.storage.migrations.planner import plan_on
from apiary.storage.migrations.reflection import LiveTable, table_names
from apiary.storage.migrations.steps import (
    CONVERSIONS,
    TYPE_CHANGES,
    MigrationPlan,
    MigrationResult,
    Step,
    StepKind,
)
from apiary.storage.system import MIGRATIONS
from apiary.storage.types import kind_of

_LOCK_KEY: Final = 0x41706961  # any constant shared by every process migrating this database
_COLUMN_STEPS: Final = frozenset({
    StepKind.RENAME_COLUMN, StepKind.ADD_COLUMN, StepKind.DROP_COLUMN, *TYPE_CHANGES,
    StepKind.SET_NOT_NULL, StepKind.DROP_NOT_NULL, StepKind.ADD_REFERENCE,
    StepKind.CHANGE_REFERENCE, StepKind.DROP_REFERENCE,
})
_SQLITE_REBUILDS: Final = _COLUMN_STEPS - {StepKind.RENAME_COLUMN, StepKind.ADD_COLUMN}


def apply(plan: MigrationPlan, engine: sa.Engine, *,
          allow_destructive: bool = False) -> MigrationResult:
    """Apply ``plan`` (from :func:`plan`) to ``engine``'s database, all or nothing.

    Raises :class:`BlockedMigration` or :class:`DestructiveMigration` without changing anything,
    :class:`MigrationConflict` when the database changed since ``plan`` was made, and
    :class:`MigrationError` when a step fails (everything is rolled back). An empty plan does
    nothing and records nothing.
    """
    refuse(plan, allow_destructive=allow_destructive)
    if plan.empty:
        return MigrationResult(plan=plan, migration_id=None)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(conn, on=False)
        try:
            conn.execution_options(**BEGIN_IMMEDIATE)
            with conn.begin():
                if not sqlite:
                    _lock_postgres(conn, plan.tables.prefix)
                current = plan_on(conn, plan.tables)
                if [s.signature for s in current.steps] != [s.signature for s in plan.steps]:
                    raise MigrationConflict(
                        f"The database changed after the migration plan for app `{plan.app}` "
                        "was made (another migration, or data that changes what is "
                        "destructive). Nothing was changed: make the plan again and review it.")
                return _Runner(conn, current).run()
        finally:
            if sqlite:
                _sqlite_foreign_keys(conn, on=True)


def refuse(plan: MigrationPlan, *, allow_destructive: bool) -> None:
    """Raise if ``plan`` must not be applied as it is."""
    if plan.blocked:
        raise BlockedMigration(plan.app, plan.blocked)
    if plan.destructive and not allow_destructive:
        raise DestructiveMigration(plan.app, plan.destructive)


def _lock_postgres(conn: sa.Connection, prefix: str) -> None:
    """Serialise migrations, and hold off writes to the app's tables until commit, so that the
    counts the plan is checked against cannot change under it (SQLite: ``BEGIN IMMEDIATE``)."""
    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))
    quote = conn.dialect.identifier_preparer.quote
    names = [quote(n) for n in table_names(conn) if n.startswith(prefix)]
    if names:
        conn.exec_driver_sql(f"LOCK TABLE {', '.join(names)} IN SHARE MODE")


def _sqlite_foreign_keys(conn: sa.Connection, *, on: bool) -> None:
    # On the driver connection: through SQLAlchemy the PRAGMA would start a transaction, and
    # SQLite ignores this PRAGMA inside one.
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


class _Runner:
    """Applies the steps of one fresh plan on a connection inside its transaction."""

    def __init__(self, conn: sa.Connection, plan: MigrationPlan) -> None:
        self.conn = conn
        self.plan = plan
        self.tables = plan.tables
        self.sqlite = conn.dialect.name == "sqlite"
        self.quote = conn.dialect.identifier_preparer.quote
        self.doing: Step | None = None
        self.migration_id = 0
        self.archives: dict[str, sa.Table] = {}
        self.archived_by: dict[int, str] = {}
        self.rebuilt: set[str] = set()
        self.live_name = {s.details["to"]: s.details["from"]
                          for s in plan.steps if s.kind is StepKind.RENAME_TABLE}

    def run(self) -> MigrationResult:
        try:
            self._run()
        except archive.ValueNotConverted as exc:
            raise self._value_failed(exc) from exc
        except sa.exc.DBAPIError as exc:
            raise self._failed(exc) from exc
        return MigrationResult(plan=self.plan, migration_id=self.migration_id,
                               archives=tuple(a.name for a in self.archives.values()))

    def _run(self) -> None:
        for step in self._steps(StepKind.DROP_INDEX):
            self._sql(f"DROP INDEX {self.quote(step.details['index'])}")
        for step in self._steps(StepKind.RENAME_TABLE):
            self._rename_table(step)
        if not self.sqlite:
            self._drop_references()
        for step in self._steps(StepKind.CREATE_TABLE):
            self._create_table(self._table(step.table))
        migrations = self.tables.metadata.tables[MIGRATIONS]
        self.migration_id = start_record(self.conn, migrations, self.tables.app)
        for name in dict.fromkeys(s.table for s in self.plan.steps if s.kind in _COLUMN_STEPS):
            self._alter(self._table(name), [s for s in self.plan.steps
                                            if s.table == name and s.kind in _COLUMN_STEPS])
        for step in self._steps(StepKind.DROP_TABLE):
            self._drop_table(step)
        if not self.sqlite:
            self._add_references()
        for step in self._steps(StepKind.CREATE_INDEX):
            if step.table not in self.rebuilt:
                self.conn.execute(sa.schema.CreateIndex(self._index(step)))
        self.doing = None
        if self.sqlite:
            self._check_sqlite_references()
        finish_record(self.conn, migrations, self.migration_id, [
            {**s.to_data(), **({"archive": self.archived_by[i]} if i in self.archived_by else {})}
            for i, s in enumerate(self.plan.steps)])

    # -- tables -----------------------------------------------------------------------------

    def _rename_table(self, step: Step) -> None:
        old, new = step.details["from"], step.details["to"]
        self._sql(f"ALTER TABLE {self.quote(old)} RENAME TO {self.quote(new)}")
        if self.sqlite:
            return
        # PostgreSQL keeps the old names of the primary key's index and the id sequence, and
        # both live in the schema's namespace: free them for a future table of the old name.
        pk = self.plan.live[old].primary_key
        if pk and pk != naming.primary_key(new):
            self._sql(f"ALTER TABLE {self.quote(new)} RENAME CONSTRAINT {self.quote(pk)} "
                      f"TO {self.quote(naming.primary_key(new))}")
        sequence = self.conn.execute(sa.select(sa.func.pg_get_serial_sequence(
            self.quote(new), "id"))).scalar()
        if sequence:
            self._sql(f"ALTER SEQUENCE {sequence} RENAME TO "
                      f"{self.quote(naming.fit(f'{new}_id_seq'))}")

    def _create_table(self, table: sa.Table) -> None:
        # PostgreSQL: references are added once every table exists (tables may refer to each
        # other); SQLite does not check them when creating a table.
        fks: list[sa.ForeignKeyConstraint] | None = None if self.sqlite else []
        self.conn.execute(sa.schema.CreateTable(table, include_foreign_key_constraints=fks))
        for index in sorted(table.indexes, key=lambda ix: str(ix.name)):
            self.conn.execute(sa.schema.CreateIndex(index))

    def _drop_table(self, step: Step) -> None:
        live = self.plan.live[step.table]
        if step.destructive:
            self._archive([step], live, step.table, [c for c in live.columns if c != "id"])
        self._sql(f"DROP TABLE {self.quote(step.table)}")

    # -- columns ----------------------------------------------------------------------------

    def _alter(self, table: sa.Table, steps: list[Step]) -> None:
        live = self.plan.live[self.live_name.get(table.name, table.name)]
        for step in steps:
            if step.kind is StepKind.RENAME_COLUMN:
                self.doing = step
                self._sql(f"ALTER TABLE {self.quote(table.name)} RENAME COLUMN "
                          f"{self.quote(step.details['from'])} TO {self.quote(step.column or '')}")
        archived = [s for s in steps if (s.kind is StepKind.DROP_COLUMN and s.destructive)
                    or (s.kind in CONVERSIONS and s.details.get("values"))]
        if archived:
            self._archive(archived, live, table.name, [s.column or "" for s in archived])
        if self.sqlite and any(self._needs_rebuild(table, s) for s in steps):
            self._rebuild(table, live, steps)
        elif self.sqlite:
            for step in steps:
                if step.kind is not StepKind.ADD_COLUMN:
                    continue
                self.doing = step
                self._sql(f"ALTER TABLE {self.quote(table.name)} ADD COLUMN "
                          f"{self._column_sql(table.columns[step.column or ''])}")
        else:
            self._alter_postgres(table, steps)
        for step in steps:
            if step.kind in CONVERSIONS and step.details.get("values"):
                self.doing = step
                column = table.columns[step.column or ""]
                archive.convert_column(self.conn, table, column.name, kind_of(column.type),
                                       self.archives[table.name], lossy_ok=step.destructive)
        if not self.sqlite:
            self._finish_nullability(table, steps)
        if table.name in self.rebuilt:
            self.doing = None
            for index in sorted(table.indexes, key=lambda ix: str(ix.name)):
                self.conn.execute(sa.schema.CreateIndex(index))

    def _needs_rebuild(self, table: sa.Table, step: Step) -> bool:
        if step.kind in _SQLITE_REBUILDS:
            return True
        if step.kind is StepKind.ADD_COLUMN:
            column = table.columns[step.column or ""]
            return not column.nullable or bool(column.foreign_keys)
        return False

    def _rebuild(self, table: sa.Table, live: LiveTable, steps: list[Step]) -> None:
        renamed = {s.details["from"]: s.column for s in steps if s.kind is StepKind.RENAME_COLUMN}
        present = {renamed.get(name, name) for name in live.columns}
        values: dict[str, ColumnElement[Any]] = {}
        for column in table.columns:
            if column.name in present:
                values[column.name] = sa.column(column.name)
            if not column.nullable and any(s.column == column.name and s.details.get("backfill")
                                           is not None for s in steps):
                fill = sa.literal(self._backfill(column), column.type)
                values[column.name] = sa.func.coalesce(values[column.name], fill) \
                    if column.name in values else fill
        self.doing = next((s for s in steps if s.kind in _SQLITE_REBUILDS), steps[0])
        rebuild.rebuild(self.conn, table, values)
        self.rebuilt.add(table.name)

    def _alter_postgres(self, table: sa.Table, steps: list[Step]) -> None:
        name = self.quote(table.name)
        for step in steps:
            self.doing = step
            column = table.columns.get(step.column or "")
            col = self.quote(step.column or "")
            if step.kind is StepKind.ADD_COLUMN and column is not None:
                self._sql(f"ALTER TABLE {name} ADD COLUMN {self._column_sql(column)}")
                if not column.nullable and step.details.get("rows"):
                    self.conn.execute(sa.update(table).values(
                        {column.name: self._backfill(column)}))
            elif step.kind is StepKind.DROP_COLUMN:
                self._sql(f"ALTER TABLE {name} DROP COLUMN {col}")
            elif step.kind is StepKind.WIDEN_TYPE and column is not None:
                type_sql = column.type.compile(dialect=self.conn.dialect)
                self._sql(f"ALTER TABLE {name} ALTER COLUMN {col} TYPE {type_sql} "
                          f"USING {col}::{type_sql}")
            elif step.kind in CONVERSIONS and column is not None:
                # emptied here and refilled value by value from the archive
                type_sql = column.type.compile(dialect=self.conn.dialect)
                self._sql(f"ALTER TABLE {name} ALTER COLUMN {col} DROP NOT NULL")
                self._sql(f"ALTER TABLE {name} ALTER COLUMN {col} TYPE {type_sql} "
                          f"USING CAST(NULL AS {type_sql})")

    def _finish_nullability(self, table: sa.Table, steps: list[Step]) -> None:
        name = self.quote(table.name)
        touched = {StepKind.ADD_COLUMN, StepKind.SET_NOT_NULL, *CONVERSIONS}
        for step in steps:
            column = table.columns.get(step.column or "")
            if column is None:
                continue
            self.doing = step
            col = self.quote(column.name)
            if step.kind is StepKind.SET_NOT_NULL and step.details.get("nulls"):
                self.conn.execute(sa.update(table).where(column.is_(None))
                                  .values({column.name: self._backfill(column)}))
            if step.kind in touched and not column.nullable:
                self._sql(f"ALTER TABLE {name} ALTER COLUMN {col} SET NOT NULL")
            elif step.kind is StepKind.DROP_NOT_NULL:
                self._sql(f"ALTER TABLE {name} ALTER COLUMN {col} DROP NOT NULL")

    def _backfill(self, column: sa.Column[Any]) -> Any:
        return backfill(info_of(column).backfill, kind_of(column.type))

    def _column_sql(self, column: sa.Column[Any]) -> str:
        """A column added as optional; references and NOT NULL are added separately."""
        return f"{self.quote(column.name)} {column.type.compile(dialect=self.conn.dialect)}"

    # -- references (PostgreSQL) ------------------------------------------------------------

    def _drop_references(self) -> None:
        for step in self._steps(StepKind.DROP_REFERENCE, StepKind.CHANGE_REFERENCE):
            self._sql(f"ALTER TABLE {self.quote(step.table)} DROP CONSTRAINT "
                      f"{self.quote(step.details['constraint'])}")
        # tables about to be dropped may refer to each other
        for step in self._steps(StepKind.DROP_TABLE):
            for ref in self.plan.live[step.table].references.values():
                if ref.name:
                    self._sql(f"ALTER TABLE {self.quote(step.table)} DROP CONSTRAINT "
                              f"{self.quote(ref.name)}")

    def _add_references(self) -> None:
        for step in self.plan.steps:
            self.doing = step
            table = self.tables.metadata.tables.get(step.table)
            if table is None:
                continue
            if step.kind is StepKind.CREATE_TABLE:
                wanted = list(table.foreign_key_constraints)
            elif step.kind in (StepKind.ADD_REFERENCE, StepKind.CHANGE_REFERENCE,
                               StepKind.ADD_COLUMN):
                wanted = [fk for fk in table.foreign_key_constraints
                          if list(fk.column_keys) == [step.column]]
            else:
                continue
            for fk in sorted(wanted, key=lambda fk: str(fk.name)):
                self.conn.execute(sa.schema.AddConstraint(fk))

    def _check_sqlite_references(self) -> None:
        """References were not enforced during the migration: check this app's tables now
        (other apps' tables cannot refer to them)."""
        broken = [row for table in self.tables.entity_tables.values() for row in
                  self.conn.exec_driver_sql(f"PRAGMA foreign_key_check({self.quote(table.name)})")]
        if broken:
            where = ", ".join(f"{table} row {rowid} (refers to a missing {parent} record)"
                              for table, rowid, parent, _ in broken[:5])
            raise MigrationError(
                f"Migration of app `{self.plan.app}` failed and was rolled back; nothing was "
                f"changed.\n  problem: {len(broken)} reference(s) would point to records that do "
                f"not exist: {where}.\n  what to do: correct or clear those values, or keep the "
                "old reference, then migrate again.", table=str(broken[0][0]))

    # -- archive, errors, helpers -----------------------------------------------------------

    def _archive(self, steps: list[Step], live: LiveTable, table: str,
                 columns: list[str]) -> None:
        """Copy ``columns`` (by their current names) of ``table`` to its archive table."""
        self.doing = steps[0]
        old_name = {s.column: s.details["from"] for s in self.plan.steps
                    if s.kind is StepKind.RENAME_COLUMN and s.table == table}
        wanted = [(name, live.columns[old_name.get(name, name)].type) for name in columns]
        self.archives[table] = archive.archive(self.conn, self.migration_id, table, wanted)
        for step in steps:
            self.archived_by[self.plan.steps.index(step)] = self.archives[table].name

    def _failed(self, exc: sa.exc.DBAPIError) -> MigrationError:
        lines = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
        problem = "; ".join([lines[0], *(" ".join(x.split()) for x in lines[1:]
                                         if x.startswith("DETAIL"))])
        step = self.doing
        return MigrationError(
            f"Migration of app `{self.plan.app}` failed and was rolled back; nothing was "
            f"changed.\n  step: {step.description if step else 'finishing the migration'}\n"
            f"  problem: {problem}\n  what to do: correct the data or the definition so that "
            "this step can succeed, then migrate again.",
            table=step.table if step else None, column=step.column if step else None)

    def _value_failed(self, exc: archive.ValueNotConverted) -> MigrationError:
        step = self.doing
        assert step is not None
        field = info_of(self._table(step.table).columns[step.column or ""]).field
        shown = "(hidden: personal data)" if field is not None and field.pii \
            else _short(exc.value)
        return MigrationError(
            f"Migration of app `{self.plan.app}` failed and was rolled back; nothing was "
            f"changed.\n  step: {step.description}\n  problem: the value {shown} of "
            f"{step.table}.{step.column} in the row with id {exc.row_id} {exc.problem}\n"
            "  what to do: correct or clear that value (and others like it), or keep the old "
            "type, then migrate again.", table=step.table, column=step.column)

    def _steps(self, *kinds: StepKind) -> Iterator[Step]:
        for step in self.plan.steps:
            if step.kind in kinds:
                self.doing = step
                yield step

    def _table(self, name: str) -> sa.Table:
        return self.tables.metadata.tables[name]

    def _index(self, step: Step) -> sa.Index:
        name = step.details["index"]
        return next(ix for ix in self._table(step.table).indexes if ix.name == name)

    def _sql(self, statement: str) -> None:
        self.conn.exec_driver_sql(statement)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."

"""Errors raised by storage, each with a message that says what to do next.

    StorageError (an ApiaryError)
    ├── DatabaseURLError        the URL names no supported database, or is malformed
    ├── DatabaseUnavailable     the database could not be opened or reached
    ├── SchemaError             the compiled app cannot be laid out as tables
    └── MigrationError          a migration failed; everything it did was rolled back
        ├── DestructiveMigration    refused: some steps lose data and were not allowed
        ├── BlockedMigration        refused: existing data prevents some steps
        └── MigrationConflict       refused: the database changed since the plan was made

The CLI and the API print ``str(error)``; it is written for the person running the command, so
it never contains a traceback or a password.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from apiary.errors import ApiaryError

if TYPE_CHECKING:
    from apiary.storage.migrations.steps import Step


class StorageError(ApiaryError):
    """Base class of every error raised by ``apiary.storage``."""


class DatabaseURLError(StorageError):
    pass


class DatabaseUnavailable(StorageError):
    pass


class SchemaError(StorageError):
    pass


class MigrationError(StorageError):
    """A migration failed part way; the transaction was rolled back, nothing changed.

    ``table`` and ``column`` name where it failed when that is known.
    """

    def __init__(self, message: str, *, table: str | None = None,
                 column: str | None = None) -> None:
        super().__init__(message)
        self.table = table
        self.column = column


class _Refused(MigrationError):
    """A plan refused before anything was done; ``steps`` are the steps that caused it."""

    heading = ""
    advice = ""

    def __init__(self, app: str, steps: Sequence[Step]) -> None:
        self.steps = tuple(steps)
        lines = [self.heading.format(app=app, n=len(self.steps))]
        for step in self.steps:
            lines.append(f"  - {step.description}")
            if step.reason:
                lines.append(f"      why: {step.reason}")
            if step.loses:
                lines.append(f"      loses: {step.loses}")
            if step.hint:
                lines.append(f"      what to do: {step.hint}")
        lines.append(self.advice)
        first = self.steps[0] if self.steps else None
        super().__init__("\n".join(lines), table=first.table if first else None,
                         column=first.column if first else None)


class DestructiveMigration(_Refused):
    heading = "Migration of app `{app}` not applied: {n} step(s) would lose data."
    advice = ("Nothing was changed. If losing this data is intended, apply again allowing "
              "destructive steps; what is dropped is first copied to an archive table.")


class BlockedMigration(_Refused):
    heading = "Migration of app `{app}` not applied: existing data prevents {n} step(s)."
    advice = "Nothing was changed. Fix the data or the definition as suggested, then migrate again."


class MigrationConflict(MigrationError):
    pass

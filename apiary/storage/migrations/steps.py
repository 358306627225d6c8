"""Migration plans as data: steps, the plan, the result, and how they read.

A :class:`MigrationPlan` is what ``apiary migrate --plan`` shows and what :func:`apply` executes.
Each :class:`Step` says what it does in one sentence; a step that would lose data existing right
now is *destructive* and says why and what would be lost; a step that existing data prevents
altogether is *blocked* and says what to do. Plans render as text (:meth:`MigrationPlan.to_text`)
and as JSON-able data (:meth:`MigrationPlan.to_data`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apiary.storage.migrations.reflection import LiveTable
    from apiary.storage.tables import AppTables


class StepKind(StrEnum):
    """What a step does; the order here is the order in which steps are applied."""

    DROP_INDEX = "drop_index"
    RENAME_TABLE = "rename_table"
    CREATE_TABLE = "create_table"
    RENAME_COLUMN = "rename_column"
    ADD_COLUMN = "add_column"
    DROP_COLUMN = "drop_column"
    WIDEN_TYPE = "widen_type"
    NARROW_TYPE = "narrow_type"
    CHANGE_TYPE = "change_type"
    DROP_NOT_NULL = "drop_not_null"
    SET_NOT_NULL = "set_not_null"
    DROP_REFERENCE = "drop_reference"
    CHANGE_REFERENCE = "change_reference"
    ADD_REFERENCE = "add_reference"
    DROP_TABLE = "drop_table"
    CREATE_INDEX = "create_index"

    @property
    def order(self) -> int:
        return list(StepKind).index(self)


TYPE_CHANGES = frozenset({StepKind.WIDEN_TYPE, StepKind.NARROW_TYPE, StepKind.CHANGE_TYPE})
CONVERSIONS = frozenset({StepKind.NARROW_TYPE, StepKind.CHANGE_TYPE})
"""Type changes whose values are converted one by one, after the old values are archived."""


@dataclass(frozen=True, slots=True)
class Step:
    kind: StepKind
    table: str
    """The table the step works on, by its name after any rename in the same plan."""
    description: str
    column: str | None = None
    """The column, by its name after any rename in the same plan."""
    destructive: bool = False
    blocked: bool = False
    reason: str | None = None
    """Why the step is destructive or blocked."""
    loses: str | None = None
    """What a destructive step would lose (it is archived first)."""
    hint: str | None = None
    """For a blocked step: what to change so that it can be applied."""
    details: Mapping[str, Any] = field(default_factory=dict)
    """JSON-able facts: names, types, row counts."""

    @property
    def signature(self) -> tuple[str, str, str | None, bool, bool]:
        """What must not change between planning and applying (counts may)."""
        return (self.kind.value, self.table, self.column, self.destructive, self.blocked)

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind.value, "table": self.table,
                                "column": self.column, "description": self.description,
                                "destructive": self.destructive, "blocked": self.blocked}
        for key in ("reason", "loses", "hint"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        data["details"] = dict(self.details)
        return data


@dataclass(frozen=True, slots=True)
class MigrationPlan:
    """The steps that bring the database to the tables of one app, in the order applied."""

    app: str
    content_hash: str
    dialect: str
    steps: tuple[Step, ...]
    tables: AppTables = field(compare=False, repr=False)
    live: Mapping[str, LiveTable] = field(compare=False, repr=False, default_factory=dict)
    """The tables as reflected when planning, by live name."""

    @property
    def empty(self) -> bool:
        return not self.steps

    @property
    def destructive(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.destructive)

    @property
    def blocked(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.blocked)

    def to_data(self) -> dict[str, Any]:
        return {"app": self.app, "content_hash": self.content_hash, "dialect": self.dialect,
                "destructive": bool(self.destructive), "blocked": bool(self.blocked),
                "steps": [s.to_data() for s in self.steps]}

    def to_text(self) -> str:
        if self.empty:
            return f"App `{self.app}`: the database is up to date; nothing to do."
        counts = [f"{len(self.steps)} step{'s' if len(self.steps) != 1 else ''}"]
        if self.destructive:
            counts.append(f"{len(self.destructive)} destructive")
        if self.blocked:
            counts.append(f"{len(self.blocked)} blocked")
        lines = [f"Migration plan for app `{self.app}` on {self.dialect} ({', '.join(counts)}):"]
        width = len(str(len(self.steps)))
        for number, step in enumerate(self.steps, 1):
            mark = " [BLOCKED]" if step.blocked else " [DESTRUCTIVE]" if step.destructive else ""
            lines.append(f"  {number:>{width}}. {step.description}{mark}")
            pad = " " * (width + 6)
            for label, text in (("why", step.reason), ("loses", step.loses),
                                ("what to do", step.hint)):
                if text:
                    lines.append(f"{pad}{label}: {text}")
        if self.blocked:
            lines.append("Blocked steps cannot be applied until the data or the definition "
                         "changes as suggested.")
        elif self.destructive:
            lines.append("Destructive steps are applied only when explicitly allowed; what they "
                         "drop is first copied to an archive table.")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


@dataclass(frozen=True, slots=True)
class MigrationResult:
    plan: MigrationPlan
    migration_id: int | None
    """The row recorded in ``apiary_migrations``; None when there was nothing to do."""
    archives: tuple[str, ...] = ()
    """Archive tables that received data removed or converted by this migration."""

    @property
    def applied(self) -> bool:
        return self.migration_id is not None

    @property
    def summary(self) -> str:
        """One line for the person who ran the migration."""
        if not self.applied:
            return "nothing to do; the database is up to date."
        n = len(self.plan.steps)
        text = f"applied {n} step{'s' if n != 1 else ''} as migration {self.migration_id}."
        if self.archives:
            text += f" Removed data was kept in {', '.join(self.archives)}."
        return text
